"""Village gardens: one per village by a given period, each of bounded size and with a
minimum vegetation coverage inside (in the paper: at most 20 ha, by 2025, at least 90%).

Paper [P §4.4(1)]: "developing and building small-scale village parks with an area of
no more than 20 hectares ... drought-tolerant shrubs will be planted in every 'garden'
in a manner that fills in every available space ... the vegetation coverage within
each 'garden' will reach at least 90%. It is expected that by 2025, a distribution
pattern of 'one garden per village' will be achieved."

Constraints (garden area G[v,t] = area of garden uses in village v)
- ``garden_size_max[v, t]``: G[v,t] <= garden_max_ha x garden[v,t].
- ``garden_size_min[v, t]``: G[v,t] >= garden_min_ha x garden[v,t].
- ``garden_vegetation[v, t]``: vegetated garden area >= garden_vegetation_min x G[v,t].
A built garden stays built without a row of its own: its area never shrinks
(``land_use_cumulative``) and is at least garden_min_ha > 0, so ``garden_size_max`` keeps
garden[v,t] = 1 (the verifier checks it).
- ``garden_one_per_village[v]``: garden[v, by_period] = 1 (policy ``one_garden_per_village``).
- With parcel geometry (policy ``contiguous_gardens``): ``garden_site_parcel[p, t]``: garden
  area on parcel p <= its area x site[v, p, t]; ``garden_site_parcel_min[p, t]``: garden area on
  p >= min(contiguity_min_ha, its area) x site[v, p, t] (a site cannot pass through a parcel
  it does not use); the parcels with site = 1 are connected
  through shared boundaries (``garden_site_*`` rows, :mod:`planner.model.contiguity`): one
  contiguous site per village.
- ``garden_site_bridge[p, q, r, t]`` (a compact site): where the site takes parcel p and two
  of its neighbours q and r whose stretches of boundary with p are gap(p, q, r) metres
  apart, garden area on p >= min(A_p, garden_bridge_width_ratio x gap^2) x (site[p] +
  site[q] + site[r] - 2): the garden's part on p is at least this fraction as wide as the
  gap it must bridge is long, or all of p, so that a site is not joined through a strip.
  Where that is more than garden_max_ha, the row is site[p] + site[q] + site[r] <= 2 (the
  same plans, a tighter relaxation).
"""

from __future__ import annotations

import pyomo.environ as pyo

from planner.core.units import M2_PER_HA
from planner.model.contiguity import connected, site_rows
from planner.model.data import GARDEN_KINDS, ModelData
from planner.model.rows import HA, RowInfo
from planner.model.terms import add_rows, xsum

FAMILY = "gardens"
SENTENCE = (
    "Village parks of no more than 20 ha; at least 90% vegetation coverage inside each garden; "
    "one garden per village by 2025 [P §4.4(1)]."
)

# the model expressions (``m._expr``) this family defines and the ones it reads, which families
# added before it must define (tests/test_rule_names.py checks the order of families())
DEFINES: tuple[str, ...] = ()
READS: tuple[str, ...] = ()

# what each constraint means to a planner (explanations, diagnosis, docs)
ROWS: dict[str, RowInfo] = {
    "garden_size_max": RowInfo(
        "village garden at most the cap", HA, ("village", "period"), field="policies.garden_max_ha"
    ),
    "garden_size_min": RowInfo(
        "village garden at least the minimum", HA, ("village", "period"), field="policies.garden_min_ha"
    ),
    "garden_vegetation": RowInfo(
        "garden vegetation coverage", HA, ("village", "period"), field="policies.garden_vegetation_min"
    ),
    "garden_one_per_village": RowInfo(
        "one garden in every village", "garden", ("village",), field="policies.one_garden_per_village"
    ),
    "garden_site_parcel": RowInfo("garden parcel is part of the garden's site", HA, ("parcel", "period"), hard=True),
    "garden_site_parcel_min": RowInfo(
        "garden site uses at least a strip of each of its parcels",
        HA,
        ("parcel", "period"),
        hard=True,
        field="policies.contiguity_min_ha",
    ),
    "garden_site_bridge": RowInfo(
        "garden site crosses a parcel only with a compact piece of it",
        HA,
        ("parcel", "from", "to", "period"),
        hard=True,
        field="policies.garden_bridge_width_ratio",
    ),
    **site_rows("garden_site", "garden on one contiguous site", "village"),
}


def add(m: pyo.ConcreteModel, d: ModelData) -> None:
    pol = d.inst.policies
    pu = d.pu
    gard = pu[pu["kind"].isin(GARDEN_KINDS)]
    by_v = {v: g for v, g in gard.groupby("village", sort=False)}
    smax, smin, veg, one = {}, {}, {}, {}
    for v in d.garden_villages:
        g = by_v.get(v)
        for t in d.periods:
            area = xsum(m, g, t)
            smax[(v, t)] = area <= pol.garden_max_ha * m.garden[v, t]
            smin[(v, t)] = area >= pol.garden_min_ha * m.garden[v, t]
            if g is not None:
                veg[(v, t)] = xsum(m, g, t, "vegetation_cover") >= pol.garden_vegetation_min * area
        if pol.one_garden_per_village:
            one[v] = m.garden[v, pol.garden_by_period or d.periods[0]] >= 1
    add_rows(m, FAMILY, "garden_size_max", smax)
    add_rows(m, FAMILY, "garden_size_min", smin)
    add_rows(m, FAMILY, "garden_vegetation", veg)
    add_rows(m, FAMILY, "garden_one_per_village", one)
    # one contiguous site per village garden (with parcel geometry)
    sites = d.garden_sites
    if sites:
        sel = connected(
            m, FAMILY, "garden_site", sites, {(v, t): m.garden[v, t] for v in sites for t in d.periods}, d.periods
        )
        rows_of = {p: g.index.to_numpy() for p, g in gard.groupby("parcel", sort=False)}
        area_of = d.parcels["area_ha"].to_dict()
        lo = pol.contiguity_min_ha
        use = {(p, t): xsum(m, rows_of[p], t) <= area_of[p] * y for (v, p, t), y in sel.items()}
        least = {(p, t): xsum(m, rows_of[p], t) >= min(lo, area_of[p]) * y for (v, p, t), y in sel.items()}
        add_rows(m, FAMILY, "garden_site_parcel", use)
        add_rows(m, FAMILY, "garden_site_parcel_min", least)
        # a compact site: a parcel between two others of the site carries a piece that reaches across
        ratio = pol.garden_bridge_width_ratio
        bridge = {}
        for v, p, a, b, gap in d.garden_bridges.itertuples(index=False):
            need = min(area_of[p], ratio * gap * gap / M2_PER_HA)
            if need <= min(lo, area_of[p]) + 1e-9:
                continue  # garden_site_parcel_min already asks as much
            for t in d.periods:
                three = sel[(v, p, t)] + sel[(v, a, t)] + sel[(v, b, t)]
                if need > pol.garden_max_ha + 1e-9:  # more than any garden: never all three (a tighter row)
                    bridge[(p, a, b, t)] = three <= 2
                else:
                    bridge[(p, a, b, t)] = xsum(m, rows_of[p], t) >= need * (three - 2)
        add_rows(m, FAMILY, "garden_site_bridge", bridge)
