"""One name per rule: a rule family ``<family>`` is the module ``planner/model/rules/<family>.py``
(whose ``FAMILY`` is ``"<family>"``), the rows it records in ``m._families["<family>"]`` and the
test module ``tests/test_<family>.py``, so a newcomer who meets the name anywhere (a
violation, a diagnosis, a shadow price, docs/formulation.md §4) finds the rule under it.

The source checks read the rules' source without building anything; the model checks build
the bundled examples (no solve), with loans and a dividend floor switched on so that every
family of the examples records its rows.
"""

from __future__ import annotations

import ast
import importlib
import re

import pytest
from test_rule_coverage import NO_MIRROR, RULES, TESTS, _call_name, _modules, components

import planner
from planner.model.build import build_model
from planner.model.data import ModelData
from planner.model.rules import families

RULE_MODULES = [m for m in _modules() if m != "__init__"]
FORMULATION = TESTS.parent / "docs" / "formulation.md"

# switches that make the examples record the optional families too
EVERYTHING_ON = {
    "finance__loans_enabled": True,
    "finance__loan_to_gep": 0.1,
    "finance__loan_cap_yuan": 1e6,
    "finance__loan_interest_rate": 0.05,
    "policies__dividend_floor_yuan": 1000.0,
}


@pytest.mark.parametrize("module", RULE_MODULES)
def test_family_is_the_module_name(module):
    fam = importlib.import_module(f"planner.model.rules.{module}").FAMILY
    assert fam == module, f"planner/model/rules/{module}.py has FAMILY = {fam!r}: name the family after its module"


def test_families_lists_every_rules_module_once():
    """``families()`` (the order the rows are added in) holds each rules module exactly once."""
    listed = [f.__name__.rsplit(".", 1)[1] for f in families()]
    assert len(listed) == len(set(listed)), f"listed twice: {sorted({m for m in listed if listed.count(m) > 1})}"
    assert sorted(listed) == RULE_MODULES, (
        f"planner.model.rules.families() leaves out {sorted(set(RULE_MODULES) - set(listed))}, "
        f"or lists what is no rules module: {sorted(set(listed) - set(RULE_MODULES))}"
    )


@pytest.mark.parametrize("module", RULE_MODULES)
def test_rows_are_recorded_under_the_module_family(module):
    """Every add_rows (and contiguity.connected) call of a rules module records its rows under
    ``FAMILY``, never under another family's name."""
    tree = ast.parse((RULES / f"{module}.py").read_text(encoding="utf-8"))
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and _call_name(n.func) in ("add_rows", "connected")]
    bad = [
        f"planner/model/rules/{module}.py line {c.lineno}"
        for c in calls
        if not (len(c.args) >= 2 and isinstance(c.args[1], ast.Name) and c.args[1].id == "FAMILY")
    ]
    assert not bad, f"record rows under FAMILY (the second argument of add_rows/connected): {bad}"


@pytest.mark.parametrize("example", ["tiny", "nuanshui"])
def test_every_recorded_family_has_its_module_and_tests(example):
    m = build_model(ModelData(getattr(planner.examples, example)(**EVERYTHING_ON)))
    assert m._families, f"the {example} example recorded no family"
    for fam in m._families:
        assert (RULES / f"{fam}.py").exists(), f"family {fam!r} has no module planner/model/rules/{fam}.py"
        assert fam not in NO_MIRROR, f"family {fam!r} adds rows but is exempted from tests in test_rule_coverage.py"
        assert (TESTS / f"test_{fam}.py").exists(), f"family {fam!r} has no test module tests/test_{fam}.py"


def _docs_table() -> list[tuple[str, str, list[str]]]:
    """(module, family, components) of each row of the rules table in docs/formulation.md §4."""
    text = FORMULATION.read_text(encoding="utf-8")
    section = text[text.index("## 4. Rule families") : text.index("### 4.1 ")]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        found = re.fullmatch(r"`planner\.model\.rules\.(\w+)`", cells[1]) if len(cells) == 4 else None
        if found:
            rows.append((found.group(1), cells[2].split()[0].strip("`"), re.findall(r"`(\w+)`", cells[3])))
    return rows


def test_docs_table_names_each_module_its_family_and_components():
    """docs/formulation.md §4 has one row per rules module, in the order of ``families()``, with
    the module's family and exactly the components it adds."""
    rows = _docs_table()
    assert [mod for mod, _, _ in rows] == [f.__name__.rsplit(".", 1)[1] for f in families()]
    for mod, fam, comps in rows:
        assert fam == mod, f"docs/formulation.md §4: module {mod} is listed with family {fam!r}"
        assert comps == components(mod), f"docs/formulation.md §4: {mod} lists {comps}, it adds {components(mod)}"


@pytest.mark.parametrize("module", RULE_MODULES)
def test_rows_describe_exactly_the_constraints_the_module_adds(module):
    """What a constraint means to a planner (label, unit, index, field) is declared in the
    module that adds it: ``ROWS`` names each component the module adds (``connected``
    sites through ``site_rows``), and nothing else."""
    mod = importlib.import_module(f"planner.model.rules.{module}")
    declared = set(mod.ROWS)
    added = set(components(module))
    sites = {k for k in declared if k.startswith(("garden_site_", "carbon_stand_")) and k not in added}
    assert added <= declared, f"planner/model/rules/{module}.py: add to ROWS {sorted(added - declared)}"
    assert declared - added == sites, f"planner/model/rules/{module}.py: ROWS names {sorted(declared - added - sites)}"


def _expressions_used(module: str) -> tuple[set[str], set[str]]:
    """(keys of ``m._expr`` the module's source assigns, keys it only reads)."""
    tree = ast.parse((RULES / f"{module}.py").read_text(encoding="utf-8"))
    stored, loaded = set(), set()
    for n in ast.walk(tree):
        if isinstance(n, ast.Subscript) and isinstance(n.value, ast.Attribute) and n.value.attr == "_expr":
            if isinstance(n.slice, ast.Constant):
                (stored if isinstance(n.ctx, ast.Store) else loaded).add(n.slice.value)
    return stored, loaded - stored


@pytest.mark.parametrize("module", RULE_MODULES)
def test_a_module_declares_the_expressions_it_defines_and_reads(module):
    """Families share expressions (GEP, carbon, dividends, spending) through ``m._expr``;
    each module says which it defines and which it reads, as its source does."""
    mod = importlib.import_module(f"planner.model.rules.{module}")
    stored, read = _expressions_used(module)
    assert set(mod.DEFINES) == stored and set(mod.READS) == read, (module, sorted(stored), sorted(read))


def test_families_come_after_the_expressions_they_read():
    """The order of ``families()`` is the contract between families: an expression is
    defined before any family reads it, and the objective (planner/model/build.py) reads
    only expressions some family defines."""
    defined: set[str] = set()
    for fam in families():
        missing = set(fam.READS) - defined
        assert not missing, f"{fam.FAMILY} reads {sorted(missing)} before a family defines them: move it later"
        defined |= set(fam.DEFINES)
    build = ast.parse((RULES.parent / "build.py").read_text(encoding="utf-8"))
    objective_reads = {
        n.slice.value
        for n in ast.walk(build)
        if isinstance(n, ast.Subscript)
        and isinstance(n.slice, ast.Constant)
        and isinstance(n.value, ast.Name)
        and n.value.id == "e"
    }
    assert objective_reads and objective_reads <= defined, sorted(objective_reads - defined)
