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

from typing import Any

import pyomo.environ as pyo

from planner.model.data import ModelData
from planner.model.rows import HA, RowInfo
from planner.model.terms import add_rows, xsum

FAMILY = "land_use"
SENTENCE = (
    "Parcels are the basic units [N §3.4]; each unit's area is used at most once, and land decisions accumulate "
    "from one milestone to the next (requirements §3)."
)

# the model expressions (``m._expr``) this family defines and the ones it reads, which families
# added before it must define (tests/test_rule_names.py checks the order of families())
DEFINES: tuple[str, ...] = ()
READS: tuple[str, ...] = ()

# what each constraint means to a planner (explanations, diagnosis, docs)
ROWS: dict[str, RowInfo] = {
    "land_use_once": RowInfo(
        "each parcel's area used at most once",
        HA,
        ("parcel", "period"),
        hard=True,
        field="parcels table: area_ha of {parcel}",
    ),
    "land_use_cumulative": RowInfo(
        "land decisions accumulate over periods", HA, ("parcel", "use", "period"), hard=True
    ),
}


def add(m: pyo.ConcreteModel, d: ModelData) -> None:
    pu = d.pu
    area = d.parcels["area_ha"]
    once: dict[tuple[str, str], Any] = {}
    for p, ix in pu.groupby("parcel", sort=False).indices.items():  # pu row numbers of each parcel's uses
        if len(ix) < 2:
            continue  # the variable's upper bound already says it
        a = float(area[p])
        for t in d.periods:
            once[(p, t)] = xsum(m, ix, t) <= a
    add_rows(m, FAMILY, "land_use_once", once)
    cumulative: dict[tuple[str, str, str], Any] = {}
    for t in d.periods[1:]:
        now, before = m._xv[t], m._xv[d.prev[t]]
        for i, (p, u) in enumerate(d.pu_keys):
            cumulative[(p, u, t)] = now[i] >= before[i]
    add_rows(m, FAMILY, "land_use_cumulative", cumulative)
