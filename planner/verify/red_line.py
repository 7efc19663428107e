"""Ecological red line (family ``red_line``), two checks: inside the red line a use keeps
the parcel's space type (check ``red_line_type``), and the ecological space inside the
red line stays at least its minimum share of all land in every period (check
``red_line_share``)."""

from __future__ import annotations

import numpy as np

from planner.verify.context import AREA_TOL, Context, Report, eco_area, records


def check(c: Context, rep: Report) -> None:
    pol = c.inst.policies
    a = c.alloc
    if pol.red_line_type_unchanged:
        rep.check("red_line_type")
        pos = a["_p"].to_numpy(dtype=np.int64)
        red = c.par["red_line"].to_numpy(dtype=object)
        in_red = np.ones(len(a), dtype=bool)  # a parcel not in the table counts as inside (as NaN does)
        in_red[pos >= 0] = red[pos[pos >= 0]].astype(bool)
        sel = a[in_red & (a["area_ha"] > AREA_TOL).to_numpy(dtype=bool)]
        pos = sel["_p"].to_numpy(dtype=np.int64)
        eco_u, bad_u = c.use_table("ecological_space", lambda u: c.lib.uses[u].ecological_space)
        eco_c = c.pcoef("ecological_space", lambda x: c.lib.covers[x].ecological_space).to_numpy()
        codes = sel["_u"].to_numpy(dtype=np.int64)
        flag = (pos < 0) | bad_u[codes]
        flag |= np.where(pos >= 0, eco_u[codes] != (eco_c[np.maximum(pos, 0)] if len(eco_c) else np.nan), True)
        for r in records(sel, flag):
            if c.lib.uses[r["use"]].ecological_space != c.lib.covers[r["cover"]].ecological_space:
                rep.bad(
                    "red_line",
                    f"parcel {r['parcel']}, {r['use']}, {r['period']}",
                    "space type changed inside the red line",
                    r["area_ha"],
                    0,
                )
    if pol.red_line_min_share is not None:
        rep.check("red_line_share")
        red = c.par["red_line"].astype(bool).to_numpy(dtype=bool)
        for t in c.periods:
            eco = eco_area(c, t, red)
            need = pol.red_line_min_share * c.total
            if eco < need - AREA_TOL:
                rep.bad(
                    "red_line", f"period {t}", "ecological space inside the red line below its minimum share", eco, need
                )
