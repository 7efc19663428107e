"""Village permission (family ``village_permission``): a use the instance limits to some
villages appears only there, and a use that requires a parcel attribute (``require_attribute``)
only on parcels that have it."""

from __future__ import annotations

from planner.verify.context import AREA_TOL, Context, Report, records


def check(c: Context, rep: Report) -> None:
    a = c.alloc[c.alloc["area_ha"] > AREA_TOL]
    rep.check("village_permission")
    by_use = {u: g for u, g in a.groupby("use", sort=False)} if len(a) else {}
    for u, pol in c.inst.uses.items():
        sel = by_use.get(u, a.iloc[0:0])
        if pol.villages is not None:
            for r in records(sel, ~sel["village"].isin(pol.villages)):
                rep.bad(
                    "village_permission",
                    f"parcel {r['parcel']} ({r['village']}), {u}, {r['period']}",
                    "use not permitted in this village",
                    r["area_ha"],
                    0,
                )
        if pol.require_attribute:
            ok = sel["parcel"].map(c.par[pol.require_attribute]).astype(bool)
            for r in records(sel, ~ok):
                rep.bad(
                    "village_permission",
                    f"parcel {r['parcel']}, {u}, {r['period']}",
                    f"parcel lacks {pol.require_attribute}",
                    r["area_ha"],
                    0,
                )
