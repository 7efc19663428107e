"""The per-village split of a township-scope role's people (planner.model.split): one rule, so
the plan says the same thing on every machine and with every solver option.

The model holds one whole number per township role and period; many village splits are
equally good, and the solver's pick among them changes with HiGHS's version, options and seed.
The same holds for a village-scope role's people beyond what each village's own work needs.
The plan reports the rule's split: a village's own minimum first, the rest in proportion to
the villages' pools of the role's groups (largest remainders, ties to the village listed
first), moved to villages with people to spare where pools cannot take the shares."""

from __future__ import annotations

import pyomo.environ as pyo
from helpers import P, approx, recruits, solve
from test_recruitment import FOREST, NEUTRAL, role

import planner
from planner.core.paths import bundled_dir
from planner.model.build import build_model
from planner.model.data import ModelData
from planner.plan.plan import Plan
from planner.solver.run import solve_model, solver_options
from planner.verify import verify_plan

INSTANCES = bundled_dir("instances")


def _two_villages(build, roles, pools, **kw):
    return build(
        [P("A1", "grassland", 9, village="a")],
        uses=NEUTRAL,
        villages={v: {"labour_pool": p} for v, p in pools.items()},
        roles=roles,
        **kw,
    )


def _table(plan) -> dict[tuple[str, str], int]:
    r = plan.recruitment
    return {(row.role, row.village): int(row.count) for row in r.itertuples()}


def _solve_with_seed(li: planner.LoadedInstance, seed: int) -> Plan:
    d = ModelData(li)
    m = build_model(d)
    opts = {**solver_options(li, None, None, 1, None), "highs_options": {"random_seed": seed}}
    res = solve_model(d, m, opts)
    plan = Plan.from_model(li, d, m, res, build_time_s=0.0, options=opts)
    assert verify_plan(plan, li)["passed"]
    return plan


def test_shares_follow_the_labour_pools(build):
    """8 planters (the range is 8-8; the land gains nothing from them), villages a with 30
    residents and b with 10: 8 x 30/40 = 6 in a and 8 x 10/40 = 2 in b, whatever HiGHS's
    random seed. (Any split of 8 within the pools is as good; the solver alone picks one of them.)"""
    li = _two_villages(build, [role(min=8, max=8)], {"a": {"residents": 30}, "b": {"residents": 10}})
    plans = [_solve_with_seed(li, seed) for seed in (1, 7, 12345)]
    for plan in plans:
        assert plan.status == "optimal"
        assert _table(plan) == {("planters", "a"): 6, ("planters", "b"): 2}
    assert len({p.objective for p in plans}) == 1


def test_largest_remainder_and_ties(build):
    """3 planters, pools 30 and 10: exact shares 2.25 and 0.75, whole 2 and 0, the one left to
    the larger remainder (b): 2 and 1. 1 planter with equal pools (10 and 10): 0.5 each, the tie
    goes to a, the village listed first."""
    li = _two_villages(build, [role(min=3, max=3)], {"a": {"residents": 30}, "b": {"residents": 10}})
    assert _table(solve(li)) == {("planters", "a"): 2, ("planters", "b"): 1}
    li = _two_villages(build, [role(min=1, max=1)], {"a": {"residents": 10}, "b": {"residents": 10}})
    assert _table(solve(li)) == {("planters", "a"): 1}


def test_shares_of_the_role_groups_pools(build):
    """A role of returning residents only: 8 of them, a has 30 residents but 1 returning, b 10
    returning: shares by the returning pools, 8 x 1/11 = 0.73 and 7.27: whole 0 and 7, the one
    left to a's larger remainder: 1 in a, 7 in b, all returning residents."""
    li = _two_villages(
        build,
        [role(min=8, max=8, groups=["returning"])],
        {"a": {"residents": 30, "returning": 1}, "b": {"residents": 10, "returning": 10}},
    )
    plan = solve(li)
    assert _table(plan) == {("planters", "a"): 1, ("planters", "b"): 7}
    g = plan.recruitment_groups
    assert set(g["group"]) == {"returning"}
    assert g["count"].sum() == approx(8)


def test_shares_that_do_not_fit_the_pools_move(build):
    """Two roles of returning residents, 3 people each, pools of 3 returning in a and in b.
    Each role's shares are 1.5 and 1.5: 1 and 1 and the tie to a, so 2 in a and 1 in b. The
    first role takes its shares (2 in a, 1 in b); the second's 2 in a do not fit a's 1 left,
    so 1 moves to b: 1 in a, 2 in b. Both pools are used up exactly."""
    li = _two_villages(
        build,
        [role("first", min=3, max=3, groups=["returning"]), role("second", min=3, max=3, groups=["returning"])],
        {"a": {"returning": 3}, "b": {"returning": 3}},
    )
    plan = solve(li)
    assert _table(plan) == {("first", "a"): 2, ("first", "b"): 1, ("second", "a"): 1, ("second", "b"): 2}


def test_a_village_minimum_comes_first(build):
    """8 planters with the decision 'at least 4.5 in b' (people are whole: at least 5): b gets
    its 5 first, the other 3 by the pools 30 and 10: 2.25 and 0.75, whole 2 and 0, the one left
    to b's larger remainder: 2 in a, 6 in b."""
    li = _two_villages(
        build,
        [role(min=8, max=8)],
        {"a": {"residents": 30}, "b": {"residents": 10}},
        decisions={"force": ["recruit:b:planters>=4.5"]},
    )
    plan = solve(li)
    assert plan.status == "optimal"
    assert _table(plan) == {("planters", "a"): 2, ("planters", "b"): 6}
    assert recruits(plan, village="b") == 6


def test_a_village_role_s_own_work_comes_first(build):
    """A village-scope role of 8 planters (2 ha each per year): a's 9 ha of grassland are all
    planted (+3,000 Yuan/ha/yr), so a needs 4.5, whole 5 of its own; the other 3 by the pools
    30 and 10: 2.25 and 0.75, whole 2 and 0, the one left to b: 7 in a, 1 in b."""
    li = build(
        [P("A1", "grassland", 9, village="a")],
        uses=FOREST,
        villages={"a": {"labour_pool": {"residents": 30}}, "b": {"labour_pool": {"residents": 10}}},
        roles=[role(min=8, max=8, scope="village")],
    )
    plan = solve(li)
    assert plan.status == "optimal"
    assert plan.objective == approx(36_000)
    assert _table(plan) == {("planters", "a"): 7, ("planters", "b"): 1}


def test_model_values_follow_the_plan(build):
    """The model's own values are set to the rule's split too (explanations read them)."""
    li = _two_villages(build, [role(min=8, max=8)], {"a": {"residents": 30}, "b": {"residents": 10}})
    d = ModelData(li)
    m = build_model(d)
    opts = solver_options(li, None, None, 1, None)
    res = solve_model(d, m, opts)
    Plan.from_model(li, d, m, res, build_time_s=0.0, options=opts)
    assert pyo.value(m.recruit["a", "planters", "2025"]) == approx(6)
    assert pyo.value(m.assign["b", "planters", "residents", "2025"]) == approx(2)


def test_nuanshui_township_roles_same_with_any_seed():
    """Nuanshui, solved with two HiGHS random seeds: the same objective, and the township-scope
    roles (afforestation workers, forest park staff, rangers, the three bank roles) recruited in
    the same villages. Their people per period are set by the ranges and the work, and their
    villages by the rule (no village minimum for a township role here: shares of the pools).
    Before the rule, equally good plans from different HiGHS versions put, for example, 165 of
    the 200 rangers of 2025 in Kenmuken or none there."""
    li = planner.load_instance(INSTANCES / "nuanshui.yaml")
    township = {r.id for r in li.instance.roles if r.scope == "township"}
    plans = [_solve_with_seed(li, seed) for seed in (1, 2)]
    assert plans[0].objective == approx(plans[1].objective)
    tables = [{k: c for k, c in _table(p).items() if k[0] in township} for p in plans]
    assert tables[0] == tables[1]
    rangers = {v: c for (r, v), c in tables[0].items() if r == "forest_rangers"}
    assert sum(rangers.values()) == 200
