"""Labour pools (family ``labour_pool``): with ``labour_pools`` on, each village's recruits
come from the groups their role draws on, add up to the role's recruitment, and no group
gives more people than the village's labour pool has."""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.verify.context import Context, Report, records
from planner.verify.recruitment import recruits


def check(c: Context, rep: Report) -> None:
    if not (c.inst.policies.labour_pools and c.inst.roles):
        return
    rec = recruits(c)
    rep.check("labour_pool")
    grp = c.tables.get("recruitment_groups", pd.DataFrame())
    if grp.empty:
        grp = pd.DataFrame(columns=["village", "role", "group", "period", "count"])
    grp["count"] = grp["count"].astype(float)
    roles = {r.id: r for r in c.inst.roles}
    gflag = ~grp["role"].isin(list(roles)).to_numpy(dtype=bool)
    for rid, role in roles.items():
        gflag |= ((grp["role"] == rid) & ~grp["group"].isin(list(role.groups))).to_numpy(dtype=bool)
    for r in records(grp, gflag):
        if r["group"] not in roles[r["role"]].groups:
            rep.bad(
                "labour_pool",
                f"{r['village']}, {r['role']}, {r['period']}",
                f"recruited from group {r['group']} the role does not draw on",
                r["count"],
            )
    tot = grp.groupby(["village", "role", "period"])["count"].sum().to_dict()
    got_all = np.array(
        [float(tot.get(k, 0.0)) for k in zip(rec["village"].tolist(), rec["role"].tolist(), rec["period"].tolist())],
        dtype=float,
    )
    rflag = np.abs(got_all - rec["count"].to_numpy(dtype=float)) > 1e-4
    for r in records(rec, rflag):
        got = float(tot.get((r["village"], r["role"], r["period"]), 0.0))
        if abs(got - r["count"]) > 1e-4:
            rep.bad(
                "labour_pool",
                f"{r['village']}, {r['role']}, {r['period']}",
                "recruits not matched to labour-pool groups",
                got,
                r["count"],
            )
    pools = {v.id: v.labour_pool for v in c.inst.villages}
    for (v, g, t), n in grp.groupby(["village", "group", "period"])["count"].sum().items():
        lim = getattr(pools[v], g)
        if n > lim + 1e-4:
            rep.bad("labour_pool", f"{v}, {g}, {t}", "more recruits than the village's labour pool", n, lim)
