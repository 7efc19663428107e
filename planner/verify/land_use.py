"""Land use (family ``land_use``): every allocation is a known, enabled use, on a parcel of
the parcel table whose cover it can be established on, with a non-negative area; no
parcel carries more use than its area; decisions are cumulative (a use's area on a
parcel never shrinks from one period to the next).

The same pass over the allocation rows also reports the two siting rules that are row
checks: street green only in the central town (rule ``street_green``) and no village
garden in it (rule ``gardens``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.instance.schema import GARDEN_KINDS
from planner.verify.context import AREA_TOL, Context, Report, records


def check(c: Context, rep: Report) -> None:
    a = c.alloc
    rep.check("land_use")
    uses = c.lib.uses
    # rows that can break a row rule: found with vector masks, then worded row by row
    n_u = len(c.uses_seen)
    ucodes = a["_u"].to_numpy(dtype=np.int64)
    ccodes, covers = pd.factorize(a["cover"], use_na_sentinel=False)
    known_u = np.array([u in uses for u in c.uses_seen], dtype=bool)
    fits = np.array(
        [[u in uses and cv in uses[u].from_covers for cv in covers] for u in c.uses_seen], dtype=bool
    ).reshape(n_u, len(covers))
    disabled = np.array([(u in c.inst.uses and not c.inst.uses[u].enabled) for u in c.uses_seen], dtype=bool)
    flag = (a["_p"].to_numpy() < 0) | (a["area_ha"].to_numpy() < -AREA_TOL)
    if len(a):
        flag |= ~known_u[ucodes] | ~fits[ucodes, ccodes] | disabled[ucodes]
    flag |= ((a["kind"] == "street_green") & (a["village"] != c.town)).to_numpy(dtype=bool)
    flag |= (a["kind"].isin(GARDEN_KINDS) & (a["village"] == c.town)).to_numpy(dtype=bool)
    for r in records(a, flag):
        if r["parcel"] not in c.par.index:
            rep.bad("land_use", f"parcel {r['parcel']}", "allocation on a parcel not in the parcel table")
            continue
        if r["use"] not in c.lib.uses:
            rep.bad("land_use", f"parcel {r['parcel']}", f"unknown use {r['use']!r}")
            continue
        use = c.lib.uses[r["use"]]
        pol = c.inst.uses.get(r["use"])
        if r["cover"] not in use.from_covers:
            rep.bad(
                "land_use",
                f"parcel {r['parcel']}, {r['use']}, {r['period']}",
                f"use cannot be established on {r['cover']}",
            )
        if pol is not None and not pol.enabled:
            rep.bad("land_use", f"parcel {r['parcel']}, {r['use']}", "use is disabled in the instance")
        if r["area_ha"] < -AREA_TOL:
            rep.bad("land_use", f"parcel {r['parcel']}, {r['use']}, {r['period']}", "negative area", r["area_ha"], 0)
        if use.kind.value == "street_green" and r["village"] != c.town:
            rep.bad("street_green", f"parcel {r['parcel']}", "street green outside the central town")
        if use.kind.value in GARDEN_KINDS and r["village"] == c.town:
            rep.bad("gardens", f"parcel {r['parcel']}", "village garden in the central town")
    for t in c.periods:
        used = c.used(t)
        over = used - c.par["area_ha"]
        for p in over[over > AREA_TOL].index:
            rep.bad(
                "land_use", f"parcel {p}, {t}", "more area used than the parcel has", used[p], c.par.at[p, "area_ha"]
            )
        if c.prev[t]:
            now = c.by_parcel_use(t)
            before = c.by_parcel_use(c.prev[t])
            diff = now.reindex(before.index).fillna(0.0) - before
            for p, u in diff[diff < -AREA_TOL].index:
                rep.bad(
                    "land_use",
                    f"parcel {p}, {u}, {t}",
                    "area shrinks between periods (decisions are cumulative)",
                    now.get((p, u), 0.0),
                    before[(p, u)],
                )
