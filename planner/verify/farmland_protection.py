"""Farmland protection (family ``farmland_protection``): when the policy is on, no
allocation on a parcel whose cover is protected farmland (permanent basic farmland)."""

from __future__ import annotations

from planner.verify.context import AREA_TOL, Context, Report, records


def check(c: Context, rep: Report) -> None:
    pol = c.inst.policies
    if not pol.farmland_protection:
        return
    a = c.alloc
    rep.check("farmland_protection")
    bad = a[a["cover"].isin(pol.protected_farmland_covers) & (a["area_ha"] > AREA_TOL)]
    for r in records(bad):
        rep.bad(
            "farmland_protection",
            f"parcel {r['parcel']}, {r['use']}, {r['period']}",
            "permanent basic farmland changed",
            r["area_ha"],
            0,
        )
