"""recruitment: whole people per village and role, inside the township ranges (in their
periods, or only while a project is active) and only in the role's villages.

The roles and instances here (``role``, ``_planting``, ``_built_over_two_periods``) are shared
with test_recruitment_work.py and test_labour_pool.py."""

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


def test_township_role_is_one_whole_number(build):
    """A township-scope role: one whole number of people per period, shared among villages.
    Villages a (30 residents, grassland A1 9 ha) and b (10 residents); wage 1,000 Yuan/yr,
    budget 3,500: 3 planters (3,000) plant 6 ha: 9,000 + 18,000 = 27,000 Yuan/yr. The village
    shares are continuous in the model; the row that holds their sum to the whole number is
    what keeps 3.5 planters (7 ha, 30,000 Yuan/yr) out: without it the optimum is 30,000.
    Constraint: `recruit_split`.
    """
    from helpers import solve_model

    li = build(
        [P("A1", "grassland", 9, village="a")],
        uses=FOREST,
        villages={"a": {"labour_pool": {"residents": 30}}, "b": {"labour_pool": {"residents": 10}}},
        roles=[role(wage_yuan_per_yr=1000)],
        periods=[period("2025", budget=3500)],
    )
    plan = solve(li)
    assert plan.status == "optimal"
    assert recruits(plan, role="planters") == 3
    assert plan.recruitment["count"].map(lambda c: float(c).is_integer()).all()
    assert plan.objective == approx(27_000)
    status, objective = solve_model(li, drop=("recruit_split",))
    assert status == "optimal"
    assert objective == approx(30_000)


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


def _two_projects(build, **role_kw):
    """Projects P (host village a) and Q (host b), no capital cost, each paying 10,000 Yuan/yr to
    its villagers. Role ``ops`` (no work norm, 0-10 people at 1,000 Yuan/yr) staffs both. Village a
    has 2 people, b and c 10 each; 1 ha of grassland per village (GEP 3,000 in all); least-cost
    tie-break, so nobody is recruited beyond what a rule demands."""
    proj = [
        {
            "id": j,
            "channel": "fruit",
            "host_village": v,
            "capex_yuan": 0,
            "income_yuan_per_yr": {"cultural_tourism": 10_000},
            "shares": {"villagers": 1.0},
        }
        for j, v in (("P", "a"), ("Q", "b"))
    ]
    pools = {v: {"labour_pool": {"residents": n}} for v, n in (("a", 2), ("b", 10), ("c", 10))}
    return build(
        [P(f"{v.upper()}1", "grassland", 1, village=v) for v in "abc"],
        uses=NEUTRAL,
        villages=pools,
        projects=proj,
        roles=[role("ops", "fixed", projects=["P", "Q"], wage_yuan_per_yr=1000, max=10, **role_kw)],
        objective={"tie_break": "least_cost"},
    )


def test_minimum_per_project_in_its_host_village(build):
    """``min_per_project: {P: 3, Q: 2}`` (min 5): each active project needs its minimum in its own
    village. Village a has only 2 people, so P (3 needed in a) is not built; Q is, with its 2 in b,
    and nobody else: 3,000 + 10,000 = 13,000 Yuan/yr, 2 recruited. With the township minimum of 5
    whenever a project stands (``min_when_active`` alone) both are built, 5 recruited anywhere:
    23,000 Yuan/yr.
    Constraint: `recruit_min_project`.
    """
    plan = solve(_two_projects(build, min=5, min_when_active=True, min_per_project={"P": 3, "Q": 2}))
    assert plan.status == "optimal"
    assert not built(plan, "P") and built(plan, "Q")
    assert recruits(plan, role="ops", village="b") == 2
    assert recruits(plan, role="ops") == 2
    assert plan.objective == approx(13_000)
    township = solve(_two_projects(build, min=5, min_when_active=True))
    assert built(township, "P") and built(township, "Q")
    assert recruits(township, role="ops") == 5
    assert township.objective == approx(23_000)


def test_verifier_checks_the_minimum_per_project(build):
    """The township plan of test_minimum_per_project_in_its_host_village (P and Q built, 5
    recruited wherever cheapest) checked against the per-project instance: P stands in village
    a, which has only 2 people, so a recruits at most 2 of P's 3 and the verifier reports a
    ``recruitment`` violation in a; the per-project plan passes."""
    from planner.verify import verify_plan

    li = _two_projects(build, min=5, min_when_active=True)
    township = solve(li)
    per_project = li.replace(**{"roles.ops.min_per_project": {"P": 3, "Q": 2}})
    ver = verify_plan(township, per_project)
    bad = [v for v in ver["violations"] if v["rule"] == "recruitment"]
    assert not ver["passed"]
    assert any(v["where"].startswith("a, ops,") and v["limit"] == 3 and v["value"] <= 2 for v in bad)
    assert verify_plan(solve(per_project), per_project)["passed"]


def test_village_sheet_reason_uses_the_active_projects_minimum(build):
    """The per-project case of test_minimum_per_project_in_its_host_village (only Q stands,
    minimum 2 in b) with 4 recruits in b forced (``decisions.force: recruit:b:ops>=4``): 4 is
    above the active minimum of 2, so b's sheet gives no "role's minimum" reason, although 4
    is below the role's min of 5 (the minimum with both projects). Without the force b
    recruits 2, the active minimum, and the sheet says so."""
    import planner

    li = _two_projects(build, min=5, min_when_active=True, min_per_project={"P": 3, "Q": 2})
    forced = li.replace(**{"decisions.force": ["recruit:b:ops>=4@2025"]})
    plan = solve(forced)
    assert plan.status == "optimal" and not built(plan, "P")
    assert recruits(plan, role="ops", village="b", period="2025") == 4
    b = {s.village: s for s in planner.village_sheets(forced, plan)}["b"]
    assert b.reasons and not any("minimum" in r.text["en"] for r in b.reasons)
    plan = solve(li)
    b = {s.village: s for s in planner.village_sheets(li, plan)}["b"]
    assert any("The township's 2 ops in 2025 are the role's minimum" in r.text["en"] for r in b.reasons)


def test_minimum_per_project_needs_its_sum_and_min_when_active(build_path):
    """``min`` must be the sum of ``min_per_project``, and the per-project minimum needs
    ``min_when_active``: each refused with the field and the fix."""
    import pytest

    from planner.core.errors import InputError

    with pytest.raises(InputError, match=r"min \(4\) is not the sum of min_per_project \(5\); set min to 5"):
        planner_load(build_path, min=4, min_when_active=True, min_per_project={"P": 3, "Q": 2})
    with pytest.raises(InputError, match="min_per_project needs min_when_active: true"):
        planner_load(build_path, min=5, min_per_project={"P": 3, "Q": 2})


def planner_load(build_path, **role_kw):
    import planner

    proj = {
        "id": "P",
        "channel": "fruit",
        "host_village": "a",
        "capex_yuan": 0,
        "income_yuan_per_yr": {"cultural_tourism": 1},
        "shares": {"villagers": 1.0},
    }
    path = build_path(
        [P("A1", "grassland", 1)],
        uses=NEUTRAL,
        projects=[proj, {**proj, "id": "Q"}],
        roles=[role("ops", "fixed", projects=["P", "Q"], max=10, **role_kw)],
    )
    return planner.load_instance(path)
