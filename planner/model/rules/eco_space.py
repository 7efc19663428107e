"""Ecological space: only increases, and each of the four space types gets its own
measures.

Paper [P §3.3]: "ensuring that the area of ecological spaces only increases and does not
decrease ... four types of ecological spaces should be categorized based on actual
conditions: conservation-oriented, integrated, cultivation-oriented, and
restoration-oriented. Targeted measures should be formulated".

Constraints
- ``eco_space_no_decrease[t]``: ecological-space area at t >= at t-1 (the current land
  for the first period). Switch: ``policies.ecological_space_no_decrease``.
- ``eco_space_measures[parcel, use]``: a use not listed for the parcel's
  ecological-space type in ``policies.eco_space_measures`` is not allowed.
"""

from __future__ import annotations

import pyomo.environ as pyo

from planner.model.data import ModelData
from planner.model.rows import HA, RowInfo
from planner.model.terms import add_rows, xsum

FAMILY = "eco_space"
SENTENCE = (
    "The area of ecological spaces only increases and does not decrease; targeted measures for the "
    "four types of ecological space [P §3.3]."
)

# the model expressions (``m._expr``) this family defines and the ones it reads, which families
# added before it must define (tests/test_rule_names.py checks the order of families())
DEFINES: tuple[str, ...] = ()
READS: tuple[str, ...] = ()

# what each constraint means to a planner (explanations, diagnosis, docs)
ROWS: dict[str, RowInfo] = {
    "eco_space_no_decrease": RowInfo(
        "ecological space does not decrease", HA, ("period",), field="policies.ecological_space_no_decrease"
    ),
    "eco_space_measures": RowInfo(
        "measures allowed per ecological space", HA, ("parcel", "use"), field="policies.eco_space_measures"
    ),
}


def add(m: pyo.ConcreteModel, d: ModelData) -> None:
    pol = d.inst.policies
    pu = d.pu.copy()
    pu["delta"] = pu["ecological_space"].astype(float) - pu["cover_ecological_space"].astype(float)
    if pol.ecological_space_no_decrease:
        rows = {}
        for t in d.periods:
            prev = d.prev[t]
            rows[t] = xsum(m, pu, t, "delta") >= (0.0 if prev is None else xsum(m, pu, prev, "delta"))
        add_rows(m, FAMILY, "eco_space_no_decrease", rows)
    if pol.eco_space_measures is not None:
        allowed = pol.eco_space_measures
        bad = pu[
            pu["eco_space"].isin(list(allowed))
            & ~pu.apply(lambda r: r["use"] in allowed.get(r["eco_space"], []), axis=1)
        ]
        add_rows(
            m, FAMILY, "eco_space_measures", {(p, u): m.x[p, u, d.last] <= 0 for p, u in zip(bad["parcel"], bad["use"])}
        )
