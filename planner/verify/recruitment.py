"""Recruitment (family ``recruitment``): every recruitment is a whole, non-negative number
of people in a village the role allows, and (with ``recruitment_ranges``) each role's
recruits per period lie within its range, whose minimum applies only while one of its
projects is active when the role says so; with ``min_per_project``, the minimum of each
active project is recruited in its host village instead.

Also the recruitment table and project activity that :mod:`planner.verify.recruitment_work`
and :mod:`planner.verify.labour_pool` read.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.verify.context import Context, Report, built_projects, records

_COLUMNS = ["village", "role", "period", "count"]


def recruits(c: Context) -> pd.DataFrame:
    """The plan's recruitment table with its counts as floats (an empty table if it has no rows)."""
    rec = c.tables.get("recruitment", pd.DataFrame(columns=_COLUMNS))
    if rec.empty:
        rec = pd.DataFrame(columns=_COLUMNS)
    rec["count"] = rec["count"].astype(float)
    return rec


def active(c: Context, built: dict[tuple[str, str], bool], project: str, t: str, norm_kind: str) -> bool:
    """Whether ``project`` needs a role's staff in period ``t``: while built, or for a norm
    counted per project built (``per_project_built``) only in the period it is first built."""
    now = built.get((project, t), False)
    before = c.prev[t]
    if norm_kind == "per_project_built" and before is not None:
        return now and not built.get((project, before), False)
    return now


def check(c: Context, rep: Report) -> None:
    pol = c.inst.policies
    rep.check("recruitment")
    rec = recruits(c)
    roles_by_id = {r.id: r for r in c.inst.roles}
    cnt = rec["count"].to_numpy(dtype=float)
    flag = ~(np.abs(cnt - np.round(cnt)) <= 1e-6) | (cnt < 0)
    for rid, role in roles_by_id.items():
        if role.villages is not None:
            flag |= ((rec["role"] == rid) & ~rec["village"].isin(list(role.villages))).to_numpy(dtype=bool) & (cnt > 0)
    for r in records(rec, flag):
        allowed = roles_by_id[r["role"]].villages if r["role"] in roles_by_id else None
        if allowed is not None and r["village"] not in allowed and r["count"] > 0:
            rep.bad(
                "recruitment",
                f"{r['village']}, {r['role']}, {r['period']}",
                "recruited in a village not allowed for the role",
                r["count"],
                0,
            )
        if abs(r["count"] - round(r["count"])) > 1e-6 or r["count"] < 0:
            rep.bad(
                "recruitment",
                f"{r['village']}, {r['role']}, {r['period']}",
                "recruitment is not a whole, non-negative number",
                r["count"],
            )
    built = built_projects(c)
    for role in c.inst.roles:
        periods = role.periods if role.periods is not None else c.periods
        kind = c.lib.labour_norms[role.norm].kind.value
        for t in c.periods:
            n = float(rec.loc[(rec["role"] == role.id) & (rec["period"] == t), "count"].sum())
            if role.min_per_project is not None:
                need_min = 0  # the minimum is per project, in its host village (below)
            elif not role.min_when_active or any(active(c, built, j, t, kind) for j in role.projects):
                need_min = role.min
            else:
                need_min = 0
            if pol.recruitment_ranges and t in periods and not (need_min - 1e-6 <= n <= role.max + 1e-6):
                rep.bad(
                    "recruitment",
                    f"{role.id}, {t}",
                    f"recruitment outside its range {need_min}-{role.max}",
                    n,
                    need_min if n < need_min else role.max,
                )
            if pol.recruitment_ranges and t in periods and role.min_per_project is not None:
                _per_project(c, rep, rec, role, t, built, kind)


def _per_project(c: Context, rep: Report, rec: pd.DataFrame, role, t: str, built, kind: str) -> None:
    """``min_per_project``: each village recruits, for the role in period ``t``, at least the
    minimums of the projects it hosts that are active then."""
    need: dict[str, int] = {}
    host = {j.id: j.host_village for j in c.inst.projects}
    for j, n in (role.min_per_project or {}).items():
        if n > 0 and j in host and active(c, built, j, t, kind):
            need[host[j]] = need.get(host[j], 0) + n
    for v, n_min in need.items():
        n = float(rec.loc[(rec["role"] == role.id) & (rec["period"] == t) & (rec["village"] == v), "count"].sum())
        if n < n_min - 1e-6:
            rep.bad(
                "recruitment",
                f"{v}, {role.id}, {t}",
                "fewer recruits in the village than its active projects' minimums (min_per_project)",
                n,
                n_min,
            )
