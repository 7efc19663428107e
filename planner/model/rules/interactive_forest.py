"""Interactive forests are combined with gardens.

Paper [P §4.4(1)]: interactive forests "are primarily distributed throughout the
Nuanshui Township, combined with gardens, focusing primarily on economic benefits."

Constraint ``interactive_with_garden[v, t]``: interactive-forest area in village v <=
``policies.interactive_forest_per_garden_ha`` x garden area in v (null: off).
The other forest rules live in ``village_permission`` (which villages), ``coverage``
(canopy density >= ``policies.forest_canopy_min`` to count as forest) and ``carbon_application``.
"""

from __future__ import annotations

import pyomo.environ as pyo

from planner.model.data import GARDEN_KINDS, ModelData
from planner.model.rows import HA, RowInfo
from planner.model.terms import add_rows, xsum

FAMILY = "interactive_forest"
SENTENCE = "Interactive forests are distributed throughout the township, combined with gardens [P §4.4(1)]."

# the model expressions (``m._expr``) this family defines and the ones it reads, which families
# added before it must define (tests/test_rule_names.py checks the order of families())
DEFINES: tuple[str, ...] = ()
READS: tuple[str, ...] = ()

# what each constraint means to a planner (explanations, diagnosis, docs)
ROWS: dict[str, RowInfo] = {
    "interactive_with_garden": RowInfo(
        "interactive forest combined with gardens",
        HA,
        ("village", "period"),
        field="policies.interactive_forest_per_garden_ha",
    ),
}


def add(m: pyo.ConcreteModel, d: ModelData) -> None:
    k = d.inst.policies.interactive_forest_per_garden_ha
    if k is None:
        return
    pu = d.pu
    use = d.inst.policies.interactive_forest_use
    rows = {}
    for v, grp in pu.groupby("village", sort=False):
        inter = grp[grp["use"] == use]
        if inter.empty:
            continue
        gard = grp[grp["kind"].isin(GARDEN_KINDS)]
        for t in d.periods:
            rows[(v, t)] = xsum(m, inter, t) <= k * xsum(m, gard, t)
    add_rows(m, FAMILY, "interactive_with_garden", rows)
