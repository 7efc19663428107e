"""Recruitment: whole people per village and role, inside the paper's eleven ranges,
tied to the work they serve and drawn from village labour pools.

Paper [P §4.4(3)]: "recruit relevant personnel through four channels ... 800-1000
afforestation workers ... 150-200 forest park construction and management personnel
... 200-300 forest rangers ... 80-100 fruit farmers ... 50-80 personnel for rural
complex construction ... 50-80 returning residents to operate the rural complex ...
40-60 garden construction workers ... 30-50 garden maintenance personnel ... 30-50
offline service personnel ... 20-30 online platform development and maintenance
personnel ... 30-50 online service personnel." [P §3.3]: three groups of people:
"those residing in the countryside, those living outside, and those returning".

Constraints (N[role,t] = sum over villages of recruit[v, role, t])
- ``recruit_min[role, t]`` / ``recruit_max[role, t]``: min <= N <= max (policy ``recruitment_ranges``).
- ``recruit_work_township[role, t]`` (township scope) or ``recruit_work_village[v, role, t]``
  (village scope), family ``recruitment_work``:
  planting: area established in the period <= ha/person/yr x years x people;
  area_managed: area in use <= ha/person x people; per_project: people/project x projects standing <= people;
  per_project_built: people/project x projects built during the period <= people (construction crews).
- ``recruit_min_active[role, j, t]``: for roles with ``min_when_active``, N >= min x activity of project j
  (built[j,t] for per_project, built[j,t] - built[j,t-1] for per_project_built) instead of ``recruit_min``.
- ``labour_assign[v, role, t]`` (family ``labour_pool``): recruit = sum over allowed groups of
  assign[v, role, group, t].
- ``labour_pool[v, group, t]``: sum over roles of assign <= the village's pool of that group
  (policy ``labour_pools``).
- ``recruit_village[v, role, t]``: recruit = 0 in villages outside ``roles[].villages``.
"""

from __future__ import annotations

import pyomo.environ as pyo

from planner.model.terms import add_rows, added, xsum

FAMILY = "recruitment"
SENTENCE = (
    "Recruit whole people for each role inside the eleven ranges, from the villages' three groups [P §4.4(3), §3.3]."
)

GROUPS = ("residents", "outside", "returning")


def _activity(m, d, j: str, t: str, kind: str):
    """1 when project j is standing (per_project) or being built in period t (per_project_built)."""
    if kind == "per_project_built" and d.prev[t] is not None:
        return m.built[j, t] - m.built[j, d.prev[t]]
    return m.built[j, t]


def add(m, d) -> None:
    pol = d.inst.policies
    pu = d.pu
    lo, lo_active, hi, work = {}, {}, {}, {}
    for r in d.inst.roles:
        norm = d.lib.labour_norms[r.norm]
        kind = norm.kind.value
        for t in d.periods:
            total = pyo.quicksum(m.recruit[v, r.id, t] for v in d.villages)
            if pol.recruitment_ranges and t in d.role_periods(r):
                if r.min > 0 and not r.min_when_active:
                    lo[(r.id, t)] = total >= r.min
                elif r.min > 0:
                    for j in r.projects:
                        lo_active[(r.id, j, t)] = total >= r.min * _activity(m, d, j, t, kind)
                hi[(r.id, t)] = total <= r.max
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
                        work[key] = norm.value * pyo.quicksum(_activity(m, d, j, t, kind) for j in projs) <= people[t]
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
    add_rows(m, FAMILY, "recruit_max", hi)
    add_rows(m, FAMILY + "_work", "recruit_work_township", {k: c for k, c in work.items() if len(k) == 2})
    add_rows(m, FAMILY + "_work", "recruit_work_village", {k: c for k, c in work.items() if len(k) == 3})
    if not pol.labour_pools or not d.inst.roles:
        return
    idx = [(v, r.id, g, t) for v in d.villages for r in d.inst.roles for g in r.groups for t in d.periods]
    m.assign_index = pyo.Set(initialize=idx, dimen=4, ordered=True)
    m.assign = pyo.Var(m.assign_index, domain=pyo.NonNegativeReals)
    assign_rows, pool_rows = {}, {}
    for v in d.villages:
        pool = next(x for x in d.inst.villages if x.id == v).labour_pool
        for t in d.periods:
            for r in d.inst.roles:
                assign_rows[(v, r.id, t)] = m.recruit[v, r.id, t] == pyo.quicksum(
                    m.assign[v, r.id, g, t] for g in r.groups
                )
            for g in GROUPS:
                terms = [m.assign[v, r.id, g, t] for r in d.inst.roles if g in r.groups]
                if terms:
                    pool_rows[(v, g, t)] = pyo.quicksum(terms) <= getattr(pool, g)
    add_rows(m, "labour_pool", "labour_assign", assign_rows)
    add_rows(m, "labour_pool", "labour_pool", pool_rows)
