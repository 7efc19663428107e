"""Projects (family ``projects``): a project once built stays built, is not built before
its earliest period, is built only with its prerequisites (enough area of some uses,
kinds or covers; a village's garden; another project) and, when required, is built by
the last period."""

from __future__ import annotations

from typing import Any

import pandas as pd

from planner.verify.context import AREA_TOL, Context, Report, built_projects, flags


def check(c: Context, rep: Report) -> None:
    rep.check("projects")
    built = built_projects(c)
    garden = flags(c.tables.get("gardens", pd.DataFrame()), ["village", "period"], "built")
    # hectares per (use, kind, village, cover) and period, by village, summed per prerequisite
    cells: dict[str, dict[Any, list[tuple[Any, Any, Any, float]]]] = {}

    def cells_at(t: str) -> dict[Any, list[tuple[Any, Any, Any, float]]]:
        if t not in cells:
            at = c.at(t)
            s = at.groupby(["village", "use", "kind", "cover"], dropna=False, sort=False)["area_ha"].sum()
            by_v: dict[Any, list[tuple[Any, Any, Any, float]]] = {}
            for (v, u, kd, cv), ha in s.items():
                by_v.setdefault(v, []).append((u, kd, cv, float(ha)))
            cells[t] = by_v
        return cells[t]

    for j in c.inst.projects:
        prev = False
        for i, t in enumerate(c.periods):
            b = built.get((j.id, t), False)
            if prev and not b:
                rep.bad("projects", f"{j.id}, {t}", "project un-built after it was built")
            if b and j.earliest_period and i < c.periods.index(j.earliest_period):
                rep.bad("projects", f"{j.id}, {t}", f"built before its earliest period {j.earliest_period}")
            if b:
                for k, pre in enumerate(j.prerequisites):
                    if pre.min_area_ha is not None:
                        by_v = cells_at(t)
                        uses = set(pre.uses) if pre.uses else None
                        kinds = {x.value for x in pre.use_kinds} if pre.use_kinds else None
                        covers = set(pre.covers) if pre.covers else None
                        groups = (
                            [by_v.get(v, []) for v in dict.fromkeys(pre.villages)]
                            if pre.villages
                            else list(by_v.values())
                        )
                        got = float(
                            sum(
                                ha
                                for cl in groups
                                for (u, kd, cv, ha) in cl
                                if (uses is None or u in uses)
                                and (kinds is None or kd in kinds)
                                and (covers is None or cv in covers)
                            )
                        )
                        if got < pre.min_area_ha - AREA_TOL:
                            rep.bad(
                                "projects",
                                f"{j.id}, {t}, prerequisite {k}",
                                "not enough area for the project",
                                got,
                                pre.min_area_ha,
                            )
                    elif pre.garden_in is not None and not garden.get((pre.garden_in, t), False):
                        rep.bad("projects", f"{j.id}, {t}, prerequisite {k}", f"needs the garden of {pre.garden_in}")
                    elif pre.project is not None and not built.get((pre.project, t), False):
                        rep.bad("projects", f"{j.id}, {t}, prerequisite {k}", f"needs project {pre.project}")
            prev = b
        if j.required and not built.get((j.id, c.periods[-1]), False):
            rep.bad("projects", j.id, "required project not built")
