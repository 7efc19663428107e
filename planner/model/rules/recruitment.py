"""Recruitment: whole people per village and role, inside the paper's eleven ranges.

Paper [P §4.4(3)]: "recruit relevant personnel through four channels ... 800-1000
afforestation workers ... 150-200 forest park construction and management personnel
... 200-300 forest rangers ... 80-100 fruit farmers ... 50-80 personnel for rural
complex construction ... 50-80 returning residents to operate the rural complex ...
40-60 garden construction workers ... 30-50 garden maintenance personnel ... 30-50
offline service personnel ... 20-30 online platform development and maintenance
personnel ... 30-50 online service personnel."

This family bounds how many people a role employs; the work they serve is the family
``recruitment_work`` and the villages' labour pools the family ``labour_pool``.

Constraints (N[role,t] = sum over villages of recruit[v, role, t])
- ``recruit_min[role, t]`` / ``recruit_max[role, t]``: min <= N <= max (policy ``recruitment_ranges``),
  in the role's ``periods`` only.
- ``recruit_min_active[role, j, t]``: for roles with ``min_when_active``, N >= min x activity of project j
  (built[j,t] for per_project, built[j,t] - built[j,t-1] for per_project_built) instead of ``recruit_min``.
- ``recruit_min_project[v, role, t]``: for roles with ``min_per_project``, instead of both: the people
  recruited in village v >= the sum over the projects hosted in v of their minimum x activity, so each
  active project is staffed where it is.
- ``recruit_village[v, role, t]``: recruit = 0 in villages outside ``roles[].villages``.
- ``recruit_split[role, t]``: for a township-scope role, N = recruit_total[role, t], the one whole
  number of its people; the villages' shares are continuous (one integer per role and period instead
  of one per village: no interchangeable villages to branch on, same optimum).
"""

from __future__ import annotations

from typing import Any

import pyomo.environ as pyo

from planner.model.data import ModelData
from planner.model.rows import PEOPLE, RowInfo
from planner.model.terms import add_rows

FAMILY = "recruitment"
SENTENCE = "Recruit whole people for each role inside the eleven ranges [P §4.4(3)]."

# the model expressions (``m._expr``) this family defines and the ones it reads, which families
# added before it must define (tests/test_rule_names.py checks the order of families())
DEFINES: tuple[str, ...] = ()
READS: tuple[str, ...] = ()

# what each constraint means to a planner (explanations, diagnosis, docs)
ROWS: dict[str, RowInfo] = {
    "recruit_village": RowInfo(
        "role recruited only in its villages", PEOPLE, ("village", "role", "period"), field="roles.{role}.villages"
    ),
    "recruit_min": RowInfo("role minimum", PEOPLE, ("role", "period"), field="roles.{role}.min"),
    "recruit_min_active": RowInfo(
        "role minimum while its project works", PEOPLE, ("role", "project", "period"), field="roles.{role}.min"
    ),
    "recruit_min_project": RowInfo(
        "role minimum in the host village of each active project",
        PEOPLE,
        ("village", "role", "period"),
        field="roles.{role}.min_per_project",
    ),
    "recruit_max": RowInfo("role maximum", PEOPLE, ("role", "period"), field="roles.{role}.max"),
    "recruit_split": RowInfo("township role's people shared among villages", PEOPLE, ("role", "period"), hard=True),
}


def activity(m: pyo.ConcreteModel, d: ModelData, j: str, t: str, kind: str) -> Any:
    """1 when project j is standing (per_project) or being built in period t (per_project_built)."""
    prev = d.prev[t]
    if kind == "per_project_built" and prev is not None:
        return m.built[j, t] - m.built[j, prev]
    return m.built[j, t]


def add(m: pyo.ConcreteModel, d: ModelData) -> None:
    pol = d.inst.policies
    lo: dict[Any, Any] = {}
    lo_active: dict[Any, Any] = {}
    lo_project: dict[Any, Any] = {}
    hi: dict[Any, Any] = {}
    host = {j.id: j.host_village for j in d.inst.projects}
    if pol.recruitment_ranges:
        for r in d.inst.roles:
            kind = d.lib.labour_norms[r.norm].kind.value
            for t in d.periods:
                if t not in d.role_periods(r):
                    continue
                total = pyo.quicksum(m.recruit[v, r.id, t] for v in d.villages)
                if r.min_per_project is not None:
                    for v in d.villages:
                        need = [(j, n) for j, n in r.min_per_project.items() if n > 0 and host.get(j) == v]
                        if need:
                            lo_project[(v, r.id, t)] = m.recruit[v, r.id, t] >= pyo.quicksum(
                                n * activity(m, d, j, t, kind) for j, n in need
                            )
                elif r.min > 0 and not r.min_when_active:
                    lo[(r.id, t)] = total >= r.min
                elif r.min > 0:
                    for j in r.projects:
                        lo_active[(r.id, j, t)] = total >= r.min * activity(m, d, j, t, kind)
                hi[(r.id, t)] = total <= r.max
    outside = {
        (v, r.id, t): m.recruit[v, r.id, t] <= 0
        for r in d.inst.roles
        if r.villages is not None
        for v in d.villages
        if v not in r.villages
        for t in d.periods
    }
    add_rows(m, FAMILY, "recruit_village", outside)
    add_rows(m, FAMILY, "recruit_min", lo)
    add_rows(m, FAMILY, "recruit_min_active", lo_active)
    add_rows(m, FAMILY, "recruit_min_project", lo_project)
    add_rows(m, FAMILY, "recruit_max", hi)
    split = {
        (r, t): pyo.quicksum(m.recruit[v, r, t] for v in d.villages) == m.recruit_total[r, t]
        for r in m.RT
        for t in d.periods
    }
    add_rows(m, FAMILY, "recruit_split", split)
