"""Fruit forests: a moderate courtyard economy and scenic transformation.

Paper [P §4.4(1)]: "increasing the planting of mixed fruits in villages other than
Desheng Youliang, and to moderately develop a courtyard economy ... transform the
more extensive, profitable, and mature fruit forests into scenic spots, opening them
to the public".

Constraints
- ``use_share_cap[v, use, t]``: area of a use in village v <= ``uses.<use>.max_share_of_cover``
  x the village's area of the use's source covers (the 'moderate' courtyard economy).
- ``scenic_whole[parcel, t]``: a scenic spot takes the whole fruit forest:
  x[parcel, scenic, t] = area x scenic[parcel, t].
- ``scenic_eligible[parcel, t]``: only mature fruit forests of at least
  ``policies.scenic_min_parcel_ha`` may be transformed.
"""

from __future__ import annotations

import pyomo.environ as pyo

from planner.model.data import ModelData
from planner.model.rows import HA, RowInfo
from planner.model.terms import add_rows, xsum

FAMILY = "fruit"
SENTENCE = (
    "Expand mixed fruit, moderately develop a courtyard economy, and transform the extensive, profitable, "
    "mature fruit forests into open scenic spots [P §4.4(1)]."
)

# the model expressions (``m._expr``) this family defines and the ones it reads, which families
# added before it must define (tests/test_rule_names.py checks the order of families())
DEFINES: tuple[str, ...] = ()
READS: tuple[str, ...] = ()

# what each constraint means to a planner (explanations, diagnosis, docs)
ROWS: dict[str, RowInfo] = {
    "use_share_cap": RowInfo(
        "use capped at a share of its source cover",
        HA,
        ("village", "use", "period"),
        field="uses.{use}.max_share_of_cover",
    ),
    "scenic_whole": RowInfo("a scenic spot transforms a whole fruit forest", HA, ("parcel", "period"), hard=True),
    "scenic_eligible": RowInfo(
        "scenic spots only on eligible fruit forests",
        "scenic spot",
        ("parcel", "period"),
        field="policies.scenic_min_parcel_ha",
    ),
}


def add(m: pyo.ConcreteModel, d: ModelData) -> None:
    pu = d.pu
    rows = {}
    for u, pol in d.inst.uses.items():
        if pol.max_share_of_cover is None:
            continue
        covers = d.lib.uses[u].from_covers
        src = d.parcels[d.parcels["cover"].isin(covers)].groupby("village")["area_ha"].sum()
        sel = pu[pu["use"] == u]
        for v, grp in sel.groupby("village", sort=False):
            for t in d.periods:
                rows[(v, u, t)] = xsum(m, grp, t) <= pol.max_share_of_cover * float(src.get(v, 0.0))
    add_rows(m, FAMILY, "use_share_cap", rows)
    sc = pu[pu["kind"] == "scenic_fruit"]
    pol = d.inst.policies
    whole, elig = {}, {}
    attr = pol.scenic_require_attribute
    has_attr = d.parcels[attr].astype(bool) if attr and attr in d.parcels.columns else None
    for p, ix in sc.groupby("parcel", sort=False).indices.items():
        rows_p = sc.index.to_numpy()[ix]
        area = float(d.parcels.at[p, "area_ha"])
        ok = area >= pol.scenic_min_parcel_ha
        if attr:
            ok = ok and bool(has_attr[p]) if has_attr is not None else False
        for t in d.periods:
            whole[(p, t)] = xsum(m, rows_p, t) == area * m.scenic[p, t]
            if not ok:
                elig[(p, t)] = m.scenic[p, t] <= 0
    add_rows(m, FAMILY, "scenic_whole", whole)
    add_rows(m, FAMILY, "scenic_eligible", elig)
