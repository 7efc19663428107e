"""Recruitment tied to the work it serves: enough people for the land planted or
managed and for the projects staffed or built.

Paper [P §4.4(3)]: the eleven recruitment channels are named after their work
("afforestation workers", "forest rangers", "personnel for rural complex construction",
...). Each role's labour norm (library ``labour_norms``) says how much work one person
does, so the land and project decisions cannot outgrow the people recruited for them.

Constraints, ``recruit_work_township[role, t]`` (township scope: people = N[role,t], the
sum over villages) or ``recruit_work_village[v, role, t]`` (village scope: people =
recruit[v, role, t], work in village v only), by the norm's kind:
- planting: area established in the period <= ha/person/yr x years x people;
- area_managed: area in use <= ha/person x people;
- per_project: people/project x projects standing <= people;
- per_project_built: people/project x projects built during the period <= people (construction crews).
No row for a ``fixed`` norm, a planting or area_managed norm of value <= 0, or a role with
no land or project concerned.
"""

from __future__ import annotations

from typing import Any

import pyomo.environ as pyo

from planner.model.data import ModelData
from planner.model.rows import RowInfo
from planner.model.rules.recruitment import activity
from planner.model.terms import add_rows, added, xsum

FAMILY = "recruitment_work"
SENTENCE = "Recruit enough people for the work each role serves: land planted or managed, projects staffed [P §4.4(3)]."

# the model expressions (``m._expr``) this family defines and the ones it reads, which families
# added before it must define (tests/test_rule_names.py checks the order of families())
DEFINES: tuple[str, ...] = ()
READS: tuple[str, ...] = ()

# what each constraint means to a planner (explanations, diagnosis, docs)
ROWS: dict[str, RowInfo] = {
    "recruit_work_township": RowInfo(
        "work norm of a township role", "ha or people", ("role", "period"), hard=True, field="roles.{role}.norm"
    ),
    "recruit_work_village": RowInfo(
        "work norm of a village role",
        "ha or people",
        ("village", "role", "period"),
        hard=True,
        field="roles.{role}.norm",
    ),
}


def add(m: pyo.ConcreteModel, d: ModelData) -> None:
    pu = d.pu
    work: dict[Any, Any] = {}
    for r in d.inst.roles:
        norm = d.lib.labour_norms[r.norm]
        kind = norm.kind.value
        if kind == "fixed" or (kind in ("planting", "area_managed") and norm.value <= 0):
            continue
        kinds = [k.value for k in norm.use_kinds]
        scopes = d.villages if r.scope == "village" else [None]
        of_kind = pu[pu["kind"].isin(kinds)]
        by_village = of_kind.groupby("village", sort=False).indices if r.scope == "village" else {}
        empty = of_kind.index[:0]
        for v in scopes:
            people = {
                t: (m.recruit[v, r.id, t] if v else pyo.quicksum(m.recruit[w, r.id, t] for w in d.villages))
                for t in d.periods
            }
            # pu row numbers of the work's land (in the village, for a village role)
            rows = of_kind.index.to_numpy() if v is None else of_kind.index.to_numpy()[by_village.get(v, empty)]
            for t in d.periods:
                key = (v, r.id, t) if v else (r.id, t)
                if kind == "planting":
                    if len(rows):
                        work[key] = added(m, d, rows, t) <= norm.value * d.period[t].years * people[t]
                elif kind == "area_managed":
                    if len(rows):
                        work[key] = xsum(m, rows, t) <= norm.value * people[t]
                else:  # per_project (standing) or per_project_built (being built in the period)
                    projs = [j.id for j in d.inst.projects if j.id in r.projects and (v is None or j.host_village == v)]
                    if projs:
                        work[key] = norm.value * pyo.quicksum(activity(m, d, j, t, kind) for j in projs) <= people[t]
    add_rows(m, FAMILY, "recruit_work_township", {k: c for k, c in work.items() if len(k) == 2})
    add_rows(m, FAMILY, "recruit_work_village", {k: c for k, c in work.items() if len(k) == 3})
