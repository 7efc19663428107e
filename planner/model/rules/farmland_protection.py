"""Permanent basic farmland stays unchanged.

Paper [P §3.3]: "Scattered farmland that is not suitable for relocation can be
converted to forests, while permanent basic farmland remains unchanged."

Constraint ``farmland_protection[parcel, use]``: x[parcel, use, last] <= 0 for every
use on a parcel whose cover is in ``policies.protected_farmland_covers`` (x only grows
over periods, so the last period suffices). Switch: ``policies.farmland_protection``.
"""

from __future__ import annotations

import pyomo.environ as pyo

from planner.model.data import ModelData
from planner.model.rows import HA, RowInfo
from planner.model.terms import add_rows

FAMILY = "farmland_protection"
SENTENCE = "Permanent basic farmland remains unchanged [P §3.3]."

# the model expressions (``m._expr``) this family defines and the ones it reads, which families
# added before it must define (tests/test_rule_names.py checks the order of families())
DEFINES: tuple[str, ...] = ()
READS: tuple[str, ...] = ()

# what each constraint means to a planner (explanations, diagnosis, docs)
ROWS: dict[str, RowInfo] = {
    "farmland_protection": RowInfo(
        "permanent basic farmland unchanged", HA, ("parcel", "use"), field="policies.farmland_protection"
    ),
}


def add(m: pyo.ConcreteModel, d: ModelData) -> None:
    pol = d.inst.policies
    if not pol.farmland_protection:
        return
    sel = d.pu[d.pu["cover"].isin(pol.protected_farmland_covers)]
    add_rows(
        m, FAMILY, "farmland_protection", {(p, u): m.x[p, u, d.last] <= 0 for p, u in zip(sel["parcel"], sel["use"])}
    )
