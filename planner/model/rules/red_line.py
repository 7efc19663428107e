"""Ecological protection red line.

Paper [P §3.3]: "the types of spaces within the ecological protection red line remain
unchanged". National paper [N §2.2]: the red-line area within key ecological function
areas "remains above 73.84%" of the territory.

Constraints
- ``red_line_type[parcel, use]``: on a red-line parcel, a use whose space type
  (ecological or not) differs from the parcel's current cover is not allowed:
  x[parcel, use, last] <= 0. Switch: ``policies.red_line_type_unchanged``.
- ``red_line_share[t]``: ecological space inside the red line >= min share x township
  area. Switch: ``policies.red_line_min_share`` (null: off).
"""

from __future__ import annotations

import pyomo.environ as pyo

from planner.model.data import ModelData
from planner.model.rows import HA, RowInfo
from planner.model.terms import add_rows, xsum

FAMILY = "red_line"
SENTENCE = (
    "The types of spaces within the ecological protection red line remain unchanged [P §3.3]; "
    "the red line keeps at least a minimum share of the territory (73.84% nationally) [N §2.2]."
)

# the model expressions (``m._expr``) this family defines and the ones it reads, which families
# added before it must define (tests/test_rule_names.py checks the order of families())
DEFINES: tuple[str, ...] = ()
READS: tuple[str, ...] = ()

# what each constraint means to a planner (explanations, diagnosis, docs)
ROWS: dict[str, RowInfo] = {
    "red_line_type": RowInfo(
        "red-line space types unchanged", HA, ("parcel", "use"), field="policies.red_line_type_unchanged"
    ),
    "red_line_share": RowInfo("red-line ecological space share", HA, ("period",), field="policies.red_line_min_share"),
}


def add(m: pyo.ConcreteModel, d: ModelData) -> None:
    pol = d.inst.policies
    pu = d.pu
    if pol.red_line_type_unchanged:
        sel = pu[pu["red_line"] & (pu["ecological_space"] != pu["cover_ecological_space"])]
        add_rows(
            m, FAMILY, "red_line_type", {(p, u): m.x[p, u, d.last] <= 0 for p, u in zip(sel["parcel"], sel["use"])}
        )
    if pol.red_line_min_share is not None:
        par = d.parcels[d.parcels["red_line"]]
        base = float((par["area_ha"] * par["ecological_space"]).sum())
        sel = pu[pu["red_line"]].copy()
        sel["delta"] = sel["ecological_space"].astype(float) - sel["cover_ecological_space"].astype(float)
        rows = {t: base + xsum(m, sel, t, "delta") >= pol.red_line_min_share * d.total_area for t in d.periods}
        add_rows(m, FAMILY, "red_line_share", rows)
