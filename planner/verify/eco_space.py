"""Ecological space (family ``eco_space``), two checks: the ecological space never
decreases from one period to the next, starting from the land before any decision (check
``eco_space_no_decrease``), and on a parcel of a given ecological space type only that
type's measures are used (check ``eco_space_measures``)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.verify.context import AREA_TOL, Context, Report, eco_area, records


def check(c: Context, rep: Report) -> None:
    pol = c.inst.policies
    a = c.alloc
    if pol.ecological_space_no_decrease:
        rep.check("eco_space_no_decrease")
        before = eco_area(c, None)
        for t in c.periods:
            now = eco_area(c, t)
            if now < before - AREA_TOL:
                rep.bad("eco_space", f"period {t}", "ecological space decreased", now, before)
            before = now
    if pol.eco_space_measures is not None:
        rep.check("eco_space_measures")
        sel = a[a["area_ha"] > AREA_TOL]
        pos = sel["_p"].to_numpy(dtype=np.int64)
        typ = pd.Series(
            c.par["eco_space"].to_numpy(dtype=object)[np.maximum(pos, 0)] if len(c.par) else np.full(len(sel), None),
            index=sel.index,
            dtype=object,
        )
        flag = pos < 0
        for kind, allowed in pol.eco_space_measures.items():
            flag |= ((typ == kind) & ~sel["use"].isin(list(allowed))).to_numpy(dtype=bool)
        for r in records(sel, flag):
            typ_r = c.par.at[r["parcel"], "eco_space"]
            if typ_r in pol.eco_space_measures and r["use"] not in pol.eco_space_measures[typ_r]:
                rep.bad(
                    "eco_space",
                    f"parcel {r['parcel']}, {r['use']}, {r['period']}",
                    f"use not among the measures for {typ_r} space",
                    r["area_ha"],
                    0,
                )
