"""recruitment_work: enough people for the work each role serves: planting, area managed,
projects standing or being built, township-wide or per village."""

from __future__ import annotations

from helpers import P, approx, area, built, recruits, solve
from test_recruitment import FOREST, NEUTRAL, POOL, _built_over_two_periods, _planting, role


def test_planting_capacity_grows_with_period_length(build):
    """A 2-year period: 2 planters x 2 ha x 2 yr = 8 ha: 33,000 Yuan/yr."""
    plan = solve(_planting(build, [role(max=2)], years=2))
    assert plan.status == "optimal"
    assert area(plan, use="ecological_forest") == approx(8)
    assert plan.objective == approx(33_000)


def test_area_managed_norm(build):
    """Rangers look after 5 ha each; at most 2 rangers -> at most 10 ha of forest on a 15 ha
    grassland: 15,000 + 10 x 3,000 = 45,000 Yuan/yr.
    Constraint: `recruit_work_township`.
    """
    li = build([P("A1", "grassland", 15)], uses=FOREST, villages=POOL, roles=[role("rangers", "manage5", max=2)])
    plan = solve(li)
    assert plan.status == "optimal"
    assert area(plan, use="ecological_forest") == approx(10)
    assert recruits(plan, role="rangers") == 2
    assert plan.objective == approx(45_000)


def _staffed(build, max_staff):
    proj = {
        "id": "P",
        "channel": "forest",
        "host_village": "a",
        "capex_yuan": 0,
        "income_yuan_per_yr": {"cultural_tourism": 10_000},
        "shares": {"villagers": 1.0},
    }
    return build(
        [P("A1", "grassland", 9)],
        uses=NEUTRAL,
        villages=POOL,
        projects=[proj],
        roles=[role("staff", "staff3", max=max_staff, projects=["P"])],
    )


def test_per_project_norm_blocks_an_unstaffable_project(build):
    """P (10,000 Yuan/yr to villagers) needs 3 staff; at most 2: not built, 9,000 Yuan/yr.
    Constraint: `recruit_work_township`.
    """
    plan = solve(_staffed(build, 2))
    assert plan.status == "optimal"
    assert not built(plan, "P")
    assert plan.objective == approx(9_000)


def test_per_project_norm_relaxed(build):
    """At most 3 staff: P built with 3 staff, 19,000 Yuan/yr."""
    plan = solve(_staffed(build, 3))
    assert plan.status == "optimal"
    assert built(plan, "P")
    assert recruits(plan, role="staff") == 3
    assert plan.objective == approx(19_000)


def _two_villages(build, scope):
    return build(
        [P("A1", "grassland", 10, village="a"), P("B1", "grassland", 2, village="b")],
        uses=FOREST,
        villages={"a": {"labour_pool": {"residents": 1}}, "b": {"labour_pool": {"residents": 5}}},
        roles=[role(scope=scope)],
    )


def test_village_scope_plants_only_with_own_people(build):
    """Village a (pool 1, grassland 10 ha) and b (pool 5, grassland 2 ha); 2 ha per planter.
    Village scope: a plants <= 2 ha, b its 2 ha: GEP 12,000 + 4 x 3,000 = 24,000 Yuan/yr.
    Constraint: `recruit_work_village`.
    """
    plan = solve(_two_villages(build, "village"))
    assert plan.status == "optimal"
    assert area(plan, village="a", use="ecological_forest") == approx(2)
    assert area(plan, village="b", use="ecological_forest") == approx(2)
    assert recruits(plan, village="a") == 1
    assert plan.objective == approx(24_000)


def test_township_scope_pools_people(build):
    """Township scope: 6 people from both pools plant all 12 ha: 12,000 + 36,000 = 48,000."""
    plan = solve(_two_villages(build, "township"))
    assert plan.status == "optimal"
    assert area(plan, use="ecological_forest") == approx(12)
    assert recruits(plan, village="a") == 1 and recruits(plan, village="b") == 5
    assert plan.objective == approx(48_000)


def test_construction_crew_only_while_building(build):
    """A per_project_built norm (3 people per project built during the period): P is built in
    2025 (worth 10,000 Yuan/yr in each period), so 3 crew in 2025 and none in 2035, when P
    stands but is not being built. Objective (9,000 + 10,000) x 2 = 38,000 Yuan/yr.
    (A per_project norm would keep 3 people in 2035 too: see the test after.)
    Constraint: `recruit_work_township`.
    """
    plan = solve(_built_over_two_periods(build, "crew3"))
    assert plan.status == "optimal"
    assert built(plan, "P", period="2025")
    assert recruits(plan, role="crew", period="2025") == 3
    assert recruits(plan, role="crew", period="2035") == 0
    assert plan.objective == approx(38_000)


def test_standing_staff_stay_while_the_project_stands(build):
    """A per_project norm (3 people per project standing): 3 staff in both periods."""
    plan = solve(_built_over_two_periods(build, "staff3"))
    assert plan.status == "optimal"
    assert recruits(plan, role="crew", period="2025") == 3
    assert recruits(plan, role="crew", period="2035") == 3
