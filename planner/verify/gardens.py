"""Village gardens (family ``gardens``): each village's garden is within its minimum and
maximum area, vegetated enough, built wherever it has area, never removed once built, and
(with ``one_garden_per_village``) built by its period; with parcel geometry and
``contiguous_gardens``, each garden is one connected site (check ``garden_contiguity``) and
compact: where it joins two of its parcels through a third, it takes at least
``garden_bridge_width_ratio`` x gap^2 of the third, or all of it (check ``garden_compact``,
gaps measured on the map by :func:`planner.verify.geometry.bridges`).

That no garden lies in the central town is a row check of :mod:`planner.verify.land_use`.
"""

from __future__ import annotations

import pandas as pd

from planner.core.units import M2_PER_HA
from planner.instance.schema import GARDEN_KINDS
from planner.verify.context import AREA_TOL, Context, Report, flags
from planner.verify.geometry import bridges_of, sites_of


def check(c: Context, rep: Report) -> None:
    pol = c.inst.policies
    rep.check("gardens")
    g = c.tables.get("gardens", pd.DataFrame())
    built = flags(g, ["village", "period"], "built")
    by = pol.garden_by_period or c.periods[0]
    sums: dict[str, tuple[dict, dict]] = {}
    for t in c.periods:
        at = c.at(t)
        sel = at[at["kind"].isin(GARDEN_KINDS)]
        veg = sel["area_ha"] * c.ucoef(sel, "vegetation_cover", lambda u: c.lib.uses[u].vegetation_cover)
        sums[t] = (sel.groupby("village")["area_ha"].sum().to_dict(), veg.groupby(sel["village"]).sum().to_dict())
    for v in [x.id for x in c.inst.villages if not x.is_town]:
        prev_b = False
        for t in c.periods:
            area = float(sums[t][0].get(v, 0.0))
            veg = float(sums[t][1].get(v, 0.0))
            b = built.get((v, t), area > AREA_TOL)
            if area > pol.garden_max_ha + AREA_TOL:
                rep.bad("gardens", f"{v}, {t}", "garden larger than the maximum", area, pol.garden_max_ha)
            if area > AREA_TOL and not b:
                rep.bad("gardens", f"{v}, {t}", "garden area without a garden built", area, 0)
            if b and area < pol.garden_min_ha - AREA_TOL:
                rep.bad("gardens", f"{v}, {t}", "garden smaller than the minimum", area, pol.garden_min_ha)
            if area > AREA_TOL and veg < pol.garden_vegetation_min * area - AREA_TOL:
                rep.bad(
                    "gardens",
                    f"{v}, {t}",
                    "vegetation coverage inside the garden below the minimum",
                    veg / area,
                    pol.garden_vegetation_min,
                )
            if prev_b and not b:
                rep.bad("gardens", f"{v}, {t}", "garden removed after it was built")
            if pol.one_garden_per_village and t == by and not b:
                rep.bad("gardens", f"{v}, {t}", "village has no garden (one garden per village)")
            prev_b = b
    if c.adjacency is not None and pol.contiguous_gardens:
        rep.check("garden_contiguity")
        for t in c.periods:
            at = c.at(t)
            sel = at[at["kind"].isin(GARDEN_KINDS) & (at["area_ha"] > AREA_TOL)]
            for v, g in sel.groupby("village"):
                parts = sites_of(c.li, g["parcel"].tolist())
                if len(parts) > 1:
                    rep.bad(
                        "garden_contiguity",
                        f"{v}, {t}",
                        "garden on separate sites (parcels, or parts of a parcel, not connected through "
                        "shared boundaries): " + " | ".join(", ".join(map(str, p)) for p in parts),
                        len(parts),
                        1,
                    )
        ratio = pol.garden_bridge_width_ratio
        if ratio > 0:
            rep.check("garden_compact")
            area_of = c.li.parcels.set_index("id")["area_ha"].astype(float)
            for t in c.periods:
                at = c.at(t)
                sel = at[at["kind"].isin(GARDEN_KINDS) & (at["area_ha"] > AREA_TOL)]
                for v, g in sel.groupby("village"):
                    ha = g.groupby("parcel")["area_ha"].sum()
                    for p, q, r, gap in bridges_of(c.li, ha.index.tolist()):
                        need = min(float(area_of[p]), ratio * gap * gap / M2_PER_HA)
                        if float(ha[p]) < need * (1 - 1e-6) - AREA_TOL:
                            rep.bad(
                                "garden_compact",
                                f"{v}, {t}",
                                f"garden joins {q} and {r} through a strip of {p}: {gap:,.0f} m across, so at "
                                f"least {need:,.2f} ha of {p} (policies.garden_bridge_width_ratio)",
                                float(ha[p]),
                                need,
                            )
