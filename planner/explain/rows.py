"""The meaning of every constraint row to a planner, looked up by component name: each
rule family declares its rows beside its constraints (``ROWS`` in
:mod:`planner.model.rules`, :class:`planner.model.rows.RowInfo`); the solve stages' and
explanations' own rows are here.

``tests/test_explain_rows.py`` fails if a constraint of any rule family has no entry.
"""

from __future__ import annotations

from planner.core.units import MONEY
from planner.model.rows import RowInfo
from planner.model.rules import families

# every rule family's rows, in the order the families are added
ROWS: dict[str, RowInfo] = {name: info for family in families() for name, info in family.ROWS.items()}

# rows added by the solve stages and by explanations, not by rule families
STAGE_ROWS: dict[str, RowInfo] = {
    "lexicographic_keep": RowInfo("earlier lexicographic goal held", "Yuan/yr", ("goal",), scale=MONEY, hard=True),
    "tie_break_keep": RowInfo("objective held during the tie-break", "Yuan/yr", (), scale=MONEY, hard=True),
    "whatif": RowInfo("forced or forbidden decision", "", ("spec",), hard=True),
    # the scenario's own decisions (instance field `decisions`, planner.model.decisions): a
    # diagnosis may drop one, as it may relax any other rule a township sets
    "decisions": RowInfo("decision forced or forbidden by the scenario", "", ("spec",), field="decisions"),
}


def row_info(name: str) -> RowInfo:
    """The :class:`RowInfo` of a constraint component name (``lexicographic_keep_gep`` -> its stage row)."""
    if name in ROWS:
        return ROWS[name]
    for key, info in STAGE_ROWS.items():
        if name.startswith(key):
            return info
    raise KeyError(f"constraint {name!r} has no entry in planner.explain.rows.ROWS")


def index_dict(name: str, index: tuple) -> dict[str, object]:
    """{index name: value} for a row of constraint ``name``."""
    names = row_info(name).index
    return {n: v for n, v in zip(names, index)}


def describe(name: str, index: tuple) -> str:
    """A row in words: ``budget (period 2025)``."""
    info = row_info(name)
    parts = ", ".join(f"{k} {v}" for k, v in index_dict(name, index).items())
    return f"{info.label} ({parts})" if parts else info.label


def field_of(name: str, index: tuple) -> str:
    info = row_info(name)
    try:
        return info.field.format(**index_dict(name, index))
    except (KeyError, IndexError):
        return info.field
