"""Land use: each unit's area is used at most once; land decisions are cumulative.

Parcels are the basic units of the plan ([N §3.4]: refined management "using land
parcels as basic units"). Land decisions are cumulative across milestones ("periods:
at least 2025 and 2035 milestones ... with cumulative land decisions", requirements §3):
what is established by one milestone is still there at the next.

Constraints
- ``land_use_once[parcel, t]``: sum over uses of x[parcel, use, t] <= area of the parcel.
- ``land_use_cumulative[parcel, use, t]``: x[parcel, use, t] >= x[parcel, use, t-1].
"""

from __future__ import annotations

import pyomo.environ as pyo

from . import add_rows

FAMILY = "land_use"
SENTENCE = ("Parcels are the basic units [N §3.4]; each unit's area is used at most once, and land decisions accumulate "
            "from one milestone to the next (requirements §3).")


def add(m: pyo.ConcreteModel, d) -> None:
    pu = d.pu
    by_parcel = pu.groupby("parcel", sort=False)["use"].apply(list)
    area = d.parcels["area_ha"]
    rows = {}
    for p, uses in by_parcel.items():
        if len(uses) < 2:
            continue  # the variable's upper bound already says it
        for t in d.periods:
            rows[(p, t)] = pyo.quicksum(m.x[p, u, t] for u in uses) <= float(area[p])
    add_rows(m, FAMILY, "land_use_once", rows)
    rows = {}
    for p, u in d.pu_keys:
        for t in d.periods[1:]:
            rows[(p, u, t)] = m.x[p, u, t] >= m.x[p, u, d.prev[t]]
    add_rows(m, FAMILY, "land_use_cumulative", rows)
