"""Recruitment for the work (family ``recruitment_work``): each role whose labour norm is
not ``fixed`` has people enough, in total or per village as its scope says, for the
hectares planted in the period (``planting``), the hectares managed (``area_managed``), or
the projects active (``per_project_built`` and the other per-project norms).

No check of its own in the list of checks: it runs with ``recruitment``.
"""

from __future__ import annotations

from typing import Any

from planner.verify.context import AREA_TOL, Context, Report, built_projects
from planner.verify.recruitment import active, recruits


def check(c: Context, rep: Report) -> None:
    rec = recruits(c)
    built = built_projects(c)
    # hectares of some use kinds in a period: in total and by village
    work_cache: dict[tuple[str | None, tuple[str, ...]], tuple[float, dict[Any, float]]] = {}

    def kind_area(t: str | None, kinds: list[str]) -> tuple[float, dict[Any, float]]:
        key = (t, tuple(kinds))
        if key not in work_cache:
            at = c.at(t)
            sel = at[at["kind"].isin(kinds)]
            work_cache[key] = (float(sel["area_ha"].sum()), sel.groupby("village")["area_ha"].sum().to_dict())
        return work_cache[key]

    for role in c.inst.roles:
        norm = c.lib.labour_norms[role.norm]
        kind = norm.kind.value
        if kind == "fixed":
            continue
        kinds = [k.value for k in norm.use_kinds]
        role_projs = [j for j in c.inst.projects if j.id in role.projects]
        projs_in: dict[Any, list[Any]] = {}
        for j in role_projs:
            projs_in.setdefault(j.host_village, []).append(j)
        for t in c.periods:
            sel = rec[(rec["role"] == role.id) & (rec["period"] == t)]
            n = float(sel["count"].sum())
            by_v = sel.groupby("village")["count"].sum().to_dict() if len(sel) else {}
            scopes = [x.id for x in c.inst.villages] if role.scope == "village" else [None]
            for v in scopes:
                people = float(by_v.get(v, 0.0)) if v else n
                where = f"{role.id}, {t}" + (f", {v}" if v else "")
                if kind in ("planting", "area_managed"):
                    if norm.value <= 0:
                        continue
                    now_tot, now_v = kind_area(t, kinds)
                    now_ha = float(now_v.get(v, 0.0)) if v else now_tot
                    if kind == "planting":
                        bef_tot, bef_v = kind_area(c.prev[t], kinds)
                        bef_ha = float(bef_v.get(v, 0.0)) if v else bef_tot
                        work = float(now_ha - bef_ha)
                        cap = norm.value * c.period[t].years * people
                    else:
                        work = float(now_ha)
                        cap = norm.value * people
                    if work > cap + AREA_TOL:
                        rep.bad("recruitment_work", where, f"too few people for the work ({kind})", work, cap)
                else:
                    projs = projs_in.get(v, []) if v is not None else role_projs
                    need = norm.value * sum(active(c, built, j.id, t, kind) for j in projs)
                    if people < need - 1e-6:
                        rep.bad("recruitment_work", where, "too few staff for the projects built", people, need)
