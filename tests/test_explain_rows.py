"""Every constraint component the rule families can add has an entry in the explanations'
row registry (planner.explain.rows.ROWS): a readable name, a unit and index names, so a
shadow price, a range or a relaxation is always stated in planner words and units."""

from __future__ import annotations

import pyomo.environ as pyo
import pytest
from test_rule_coverage import _all_components

import planner
from planner.explain.rows import ROWS, describe, field_of, row_info
from planner.model.build import build_model
from planner.model.contiguity import PARTS
from planner.model.data import ModelData


def test_every_rule_component_has_a_row_entry():
    missing = sorted(set(_all_components()) - set(ROWS))
    assert not missing, f"add these constraints to planner.explain.rows.ROWS: {missing}"
    # rows planner.model.contiguity.connected adds under the caller's site name (not a literal add_rows name)
    generated = {n for n in ROWS if any(n.endswith("_" + part) for part in PARTS)}
    stale = sorted(set(ROWS) - set(_all_components()) - generated)
    assert not stale, f"ROWS names constraints no rule family adds: {stale}"


@pytest.mark.parametrize("example", ["tiny", "nuanshui"])
def test_index_names_match_the_built_rows(example):
    """Each built row's index has exactly as many positions as its entry names."""
    m = build_model(ModelData(getattr(planner.examples, example)()))
    for con in m.component_objects(pyo.Constraint, active=True):
        info = row_info(con.local_name)
        for idx in con:
            key = idx if isinstance(idx, tuple) else (idx,)
            assert len(key) == len(info.index), (con.local_name, key, info.index)
            assert describe(con.local_name, key).startswith(info.label)


def test_field_placeholders_are_filled():
    assert field_of("budget", ("2025",)) == "periods.2025.budget_yuan"
    assert field_of("labour_pool", ("a", "residents", "2025")) == "villages.a.labour_pool.residents"
    assert field_of("recruit_min", ("forest_rangers", "2035")) == "roles.forest_rangers.min"
