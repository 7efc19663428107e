"""Fruit forest (family ``fruit``): a use with ``max_share_of_cover`` takes at most that
share of its source cover in each village; a scenic transformation takes a whole fruit
forest parcel that is large enough and has the required attribute (maturity)."""

from __future__ import annotations

import numpy as np

from planner.verify.context import AREA_TOL, Context, Report, records


def check(c: Context, rep: Report) -> None:
    rep.check("fruit")
    for u, pol in c.inst.uses.items():
        if pol.max_share_of_cover is None:
            continue
        src = c.par[c.par["cover"].isin(c.lib.uses[u].from_covers)].groupby("village")["area_ha"].sum()
        for t in c.periods:
            at = c.at(t)
            for v, ha in at[at["use"] == u].groupby("village")["area_ha"].sum().items():
                lim = pol.max_share_of_cover * src.get(v, 0.0)
                if ha > lim + AREA_TOL:
                    rep.bad("fruit", f"{v}, {u}, {t}", "exceeds its share of the source cover", ha, lim)
    pol = c.inst.policies
    sc = c.alloc[c.alloc["kind"] == "scenic_fruit"]
    sc = sc[sc["area_ha"] > AREA_TOL]
    pos = sc["_p"].to_numpy(dtype=np.int64)
    known = pos >= 0
    p_ok = np.maximum(pos, 0)
    area = c.par["area_ha"].to_numpy(dtype=float)[p_ok] if len(c.par) else np.full(len(sc), np.nan)
    ok = area >= pol.scenic_min_parcel_ha - 1e-9
    if pol.scenic_require_attribute:
        if pol.scenic_require_attribute in c.par.columns:
            attr = c.par[pol.scenic_require_attribute].to_numpy(dtype=object)
            ok = ok & np.array([bool(attr[i]) for i in p_ok], dtype=bool)
        else:
            ok = np.zeros(len(sc), dtype=bool)
    flag = ~known | (np.abs(sc["area_ha"].to_numpy(dtype=float) - area) > AREA_TOL) | ~ok
    for r in records(sc, flag):
        area_r = c.par.at[r["parcel"], "area_ha"]
        if abs(r["area_ha"] - area_r) > AREA_TOL:
            rep.bad(
                "fruit",
                f"parcel {r['parcel']}, {r['period']}",
                "scenic transformation must take the whole fruit forest",
                r["area_ha"],
                area_r,
            )
        ok_r = area_r >= pol.scenic_min_parcel_ha - 1e-9
        if pol.scenic_require_attribute:
            ok_r = (
                ok_r and bool(c.par.at[r["parcel"], pol.scenic_require_attribute])
                if pol.scenic_require_attribute in c.par.columns
                else False
            )
        if not ok_r:
            rep.bad(
                "fruit",
                f"parcel {r['parcel']}, {r['period']}",
                "fruit forest not eligible for scenic transformation (size or maturity)",
            )
