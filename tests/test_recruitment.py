"""recruitment: whole people per village and role, inside the township ranges, tied to
the work (planting, area managed, per project) and drawn from village labour pools of
residents, people living outside and returning residents."""

from __future__ import annotations

from helpers import P, approx, area, built, period, recruits, solve

FOREST = {"ecological_forest": None}  # 4,000 Yuan/ha/yr on grassland worth 1,000: +3,000/ha
NEUTRAL = {"ecological_forest": {"equivalents": {"eco": 1}}}  # same GEP as grassland: changes nothing
POOL = {"a": {"labour_pool": {"residents": 100}}}


def role(id="planters", norm="plant2", min=0, max=100, **kw):
    return {"id": id, "channel": "forest", "min": min, "max": max, "norm": norm, **kw}


def _planting(build, roles, budget=1e9, years=1, uses=None, **pol):
    return build(
        [P("A1", "grassland", 9)],
        uses=uses or FOREST,
        villages=POOL,
        roles=roles,
        periods=[period("2025", budget=budget, years=years)],
        policies=pol,
    )


def test_range_max_limits_planting(build):
    """A1 grassland 9 ha; forest +3,000 Yuan/ha/yr. Planters plant 2 ha each per year; at most
    4 planters -> 8 ha: GEP = 9,000 + 8 x 3,000 = 33,000 Yuan/yr, 4 recruited.
    Constraint: `recruit_max`.
    Constraint: `recruit_work_township`.
    """
    plan = solve(_planting(build, [role(max=4)]))
    assert plan.status == "optimal"
    assert recruits(plan, role="planters") == 4
    assert area(plan, use="ecological_forest") == approx(8)
    assert plan.objective == approx(33_000)


def test_range_relaxed(build):
    """max 5 (or the range policy off): all 9 ha planted, 36,000 Yuan/yr, 5 planters."""
    plan = solve(_planting(build, [role(max=5)]))
    assert plan.status == "optimal"
    assert recruits(plan, role="planters") == 5
    assert plan.objective == approx(36_000)
    off = solve(_planting(build, [role(max=4)], recruitment_ranges=False))
    assert off.status == "optimal"
    assert area(off, use="ecological_forest") == approx(9)
    assert off.objective == approx(36_000)


def test_planting_capacity_grows_with_period_length(build):
    """A 2-year period: 2 planters x 2 ha x 2 yr = 8 ha: 33,000 Yuan/yr."""
    plan = solve(_planting(build, [role(max=2)], years=2))
    assert plan.status == "optimal"
    assert area(plan, use="ecological_forest") == approx(8)
    assert plan.objective == approx(33_000)


def test_recruits_are_whole_people(build):
    """Wage 1,000 Yuan/yr, budget 3,500: 3 whole planters (not 3.5) -> 6 ha:
    9,000 + 18,000 = 27,000 Yuan/yr; wages 3,000."""
    plan = solve(_planting(build, [role(wage_yuan_per_yr=1000)], budget=3500))
    assert plan.status == "optimal"
    assert recruits(plan, role="planters") == 3
    assert plan.recruitment["count"].map(lambda c: float(c).is_integer()).all()
    assert area(plan, use="ecological_forest") == approx(6)
    assert plan.finance["wages_yuan"].iloc[0] == approx(3_000)
    assert plan.objective == approx(27_000)


COSTLY = {"ecological_forest": {"establishment_cost_yuan_per_ha": 1000}}


def test_range_min_forces_recruits(build):
    """Forest costs 1,000 Yuan/ha, wage 1,000 Yuan/yr, budget 5,000: f <= 2p and
    1,000 f + 1,000 p <= 5,000. At least 4 planters: f <= 1 -> GEP 9,000 + 3,000 = 12,000.
    Constraint: `recruit_min`.
    """
    plan = solve(_planting(build, [role(min=4, wage_yuan_per_yr=1000)], budget=5000, uses=COSTLY))
    assert plan.status == "optimal"
    assert recruits(plan, role="planters") == 4
    assert area(plan, use="ecological_forest") == approx(1)
    assert plan.objective == approx(12_000)


def test_range_min_relaxed(build):
    """min 0: p = 2, f = 3 (3,000 + 2,000 = 5,000): 9,000 + 9,000 = 18,000 Yuan/yr."""
    plan = solve(_planting(build, [role(min=0, wage_yuan_per_yr=1000)], budget=5000, uses=COSTLY))
    assert plan.status == "optimal"
    assert recruits(plan, role="planters") == 2
    assert area(plan, use="ecological_forest") == approx(3)
    assert plan.objective == approx(18_000)


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


def _returning(build, returning):
    proj = {
        "id": "P",
        "channel": "fruit",
        "host_village": "a",
        "capex_yuan": 0,
        "income_yuan_per_yr": {"cultural_tourism": 10_000},
        "shares": {"villagers": 1.0},
    }
    return build(
        [P("A1", "grassland", 9)],
        uses=NEUTRAL,
        villages={"a": {"labour_pool": {"residents": 50, "returning": returning}}},
        projects=[proj],
        roles=[role("operators", "staff2", groups=["returning"], projects=["P"])],
    )


def test_returning_only_role_draws_on_returning_residents(build):
    """P needs 2 operators, recruited only from returning residents. With 1 returning resident
    (and 50 residents who may not take the role) P cannot be run: 9,000 Yuan/yr.
    The role's recruits are the sum of its allowed groups' assignments, so the residents
    cannot stand in for returning residents.
    Constraint: `labour_assign`.
    """
    plan = solve(_returning(build, 1))
    assert plan.status == "optimal"
    assert not built(plan, "P")
    assert plan.objective == approx(9_000)


def test_returning_pool_large_enough(build):
    """With 2 returning residents P is built, staffed by them: 19,000 Yuan/yr."""
    plan = solve(_returning(build, 2))
    assert plan.status == "optimal"
    assert built(plan, "P")
    g = plan.recruitment_groups
    assert set(g.loc[g["role"] == "operators", "group"]) == {"returning"}
    assert g.loc[g["role"] == "operators", "count"].sum() == approx(2)
    assert plan.objective == approx(19_000)


def _shared_pool(build, income, pools=True):
    proj = {
        "id": "P",
        "channel": "fruit",
        "host_village": "a",
        "capex_yuan": 0,
        "income_yuan_per_yr": {"cultural_tourism": income},
        "shares": {"villagers": 1.0},
    }
    return build(
        [P("A1", "grassland", 9)],
        uses=FOREST,
        villages={"a": {"labour_pool": {"residents": 3}}},
        projects=[proj],
        roles=[role(), role("staff", "staff2", projects=["P"])],
        policies={"labour_pools": pools},
    )


def test_roles_compete_for_the_same_pool(build):
    """3 residents: either 3 planters (6 ha, +18,000) or 2 staff for P and 1 planter
    (2 ha, +6,000, + P's income). P earning 10,000: planting wins, 9,000 + 18,000 = 27,000.
    P earning 13,000: 6,000 + 13,000 = 19,000 > 18,000: P wins, 28,000 Yuan/yr.
    The two roles' assignments share the village's 3 residents.
    Constraint: `labour_pool`.
    """
    low = solve(_shared_pool(build, 10_000))
    assert low.status == "optimal"
    assert not built(low, "P") and recruits(low, role="planters") == 3
    assert low.objective == approx(27_000)
    high = solve(_shared_pool(build, 13_000))
    assert high.status == "optimal"
    assert built(high, "P") and recruits(high, role="staff") == 2
    assert area(high, use="ecological_forest") == approx(2)
    assert high.objective == approx(28_000)


def test_labour_pools_switched_off(build):
    """``labour_pools: false``: both are staffed: 9,000 + 27,000 + 10,000 = 46,000 Yuan/yr."""
    plan = solve(_shared_pool(build, 10_000, pools=False))
    assert plan.status == "optimal"
    assert built(plan, "P")
    assert area(plan, use="ecological_forest") == approx(9)
    assert plan.objective == approx(46_000)


def test_range_applies_only_in_its_periods(build):
    """Two one-year periods; planters (2 ha/person/yr) limited to at most 1 person, but only in
    2025 (``periods: [2025]``). 2025: 1 planter -> 2 ha: 9,000 + 6,000 = 15,000. 2035: no
    range, the other 7 ha are planted: 9,000 + 27,000 = 36,000. Objective 51,000 Yuan/yr.
    (Were the range applied in 2035 too, only 4 ha could exist by 2035: 36,000 in total.)"""
    li = build(
        [P("A1", "grassland", 9)],
        uses=FOREST,
        villages=POOL,
        roles=[role(max=1, periods=["2025"])],
        periods=[period("2025"), period("2035")],
    )
    plan = solve(li)
    assert plan.status == "optimal"
    assert recruits(plan, role="planters", period="2025") == 1
    assert area(plan, use="ecological_forest", period="2025") == approx(2)
    assert area(plan, use="ecological_forest", period="2035") == approx(9)
    assert plan.objective == approx(51_000)


def test_role_limited_to_listed_villages(build):
    """As the township-scope case, but only village b may recruit planters (``villages: [b]``):
    its 5 residents plant 10 of the 12 ha: 12,000 + 30,000 = 42,000 Yuan/yr; nobody from a.
    Constraint: `recruit_village`.
    """
    li = build(
        [P("A1", "grassland", 10, village="a"), P("B1", "grassland", 2, village="b")],
        uses=FOREST,
        villages={"a": {"labour_pool": {"residents": 1}}, "b": {"labour_pool": {"residents": 5}}},
        roles=[role(villages=["b"])],
    )
    plan = solve(li)
    assert plan.status == "optimal"
    assert recruits(plan, village="a") == 0 and recruits(plan, village="b") == 5
    assert area(plan, use="ecological_forest") == approx(10)
    assert plan.objective == approx(42_000)


def _built_over_two_periods(build, norm, **role_kw):
    """Project P (no cost, 10,000 Yuan/yr to villagers) can be built in 2025; a role of norm
    ``norm`` staffs it (wage 1,000 Yuan/yr, budget ample); least-cost tie-break on, so nobody
    is recruited beyond what a rule demands."""
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
        roles=[role("crew", norm, projects=["P"], wage_yuan_per_yr=1000, **role_kw)],
        periods=[period("2025"), period("2035")],
        objective={"tie_break": "least_cost"},
    )


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


def test_range_minimum_only_when_the_project_is_active(build):
    """Role range 5-10 with ``min_when_active``: the minimum applies only while P is being built
    (per_project_built). P is built in 2025: 5 crew in 2025 (the minimum, above the norm's 3),
    none in 2035. Without min_when_active the minimum would force 5 in 2035 as well.
    Constraint: `recruit_min_active`.
    """
    plan = solve(_built_over_two_periods(build, "crew3", min=5, max=10, min_when_active=True))
    assert plan.status == "optimal"
    assert recruits(plan, role="crew", period="2025") == 5
    assert recruits(plan, role="crew", period="2035") == 0
    always = solve(_built_over_two_periods(build, "crew3", min=5, max=10))
    assert recruits(always, role="crew", period="2035") == 5
