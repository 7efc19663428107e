"""Labour pools: recruits are drawn from each village's three groups of people.

Paper [P §3.3]: three groups of people, "those residing in the countryside, those living
outside, and those returning"; [P §4.4(3)] some channels recruit one group only (e.g.
"returning residents to operate the rural complex"). Each village has a pool of each
group (``villages[].labour_pool``) and each role draws on the groups it lists
(``roles[].groups``), so roles compete for the same people.

Variables ``assign[v, role, group, t]`` >= 0, created only when the policy
``labour_pools`` is on.

Constraints
- ``labour_assign[v, role, t]``: recruit = sum over the role's groups of assign[v, role, group, t].
- ``labour_pool[v, group, t]``: sum over roles of assign <= the village's pool of that group.
"""

from __future__ import annotations

from typing import Any

import pyomo.environ as pyo

from planner.model.data import ModelData
from planner.model.rows import PEOPLE, RowInfo
from planner.model.terms import add_rows

FAMILY = "labour_pool"
SENTENCE = (
    "Recruits come from each village's three groups: those residing in the countryside, those living "
    "outside, and those returning [P §3.3]."
)

# the model expressions (``m._expr``) this family defines and the ones it reads, which families
# added before it must define (tests/test_rule_names.py checks the order of families())
DEFINES: tuple[str, ...] = ()
READS: tuple[str, ...] = ()

# what each constraint means to a planner (explanations, diagnosis, docs)
ROWS: dict[str, RowInfo] = {
    "labour_assign": RowInfo("recruits drawn from the role's groups", PEOPLE, ("village", "role", "period"), hard=True),
    "labour_pool": RowInfo(
        "village labour pool", PEOPLE, ("village", "group", "period"), field="villages.{village}.labour_pool.{group}"
    ),
}

GROUPS = ("residents", "outside", "returning")


def add(m: pyo.ConcreteModel, d: ModelData) -> None:
    if not d.inst.policies.labour_pools or not d.inst.roles:
        return
    idx = [(v, r.id, g, t) for v in d.villages for r in d.inst.roles for g in r.groups for t in d.periods]
    m.assign_index = pyo.Set(initialize=idx, dimen=4, ordered=True)
    m.assign = pyo.Var(m.assign_index, domain=pyo.NonNegativeReals)
    assign_rows: dict[Any, Any] = {}
    pool_rows: dict[Any, Any] = {}
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
    add_rows(m, FAMILY, "labour_assign", assign_rows)
    add_rows(m, FAMILY, "labour_pool", pool_rows)
