"""projects: EOD projects (yes/no) with prerequisites on the land decisions (area of
uses, a village garden, another project), an earliest period, a 'required' policy, and
income shared among participants (villagers and collectives count as dividends)."""

from __future__ import annotations

import pytest
from helpers import P, approx, area, built, garden_built, income, kpi, period, solve, solve_model

import planner

# ecological forest 1,000 Yuan/ha/yr (no gain over grassland), fruit 2,000
USES = {"ecological_forest": {"equivalents": {"eco": 1}}, "fruit_expansion": {"equivalents": {"eco": 2}}}
NO_ECO = {"ecological_space_no_decrease": False}
# a land-use option worth exactly what grassland is worth: changes nothing, but gives the
# model a land decision (an instance with no land-use option at all is tested in test_land_use)
NEUTRAL = {"ecological_forest": {"equivalents": {"eco": 1}}}
SHARES = {"villagers": 0.5, "village_collective": 0.3, "social_capital": 0.2}


def project(id="P", income=10_000, shares=None, **kw):
    return {
        "id": id,
        "channel": "forest",
        "host_village": "a",
        "capex_yuan": 0,
        "income_yuan_per_yr": {"cultural_tourism": income},
        "shares": shares or {"villagers": 1.0},
        **kw,
    }


def _area_pre(build, min_ha):
    pre = [{"min_area_ha": min_ha, "uses": ["ecological_forest"]}]
    return build(
        [P("A1", "grassland", 10)], uses=USES, policies=NO_ECO, projects=[project(shares=SHARES, prerequisites=pre)]
    )


def test_area_prerequisite_and_income_shares(build):
    """A1 grassland 10 ha. Fruit 2,000 Yuan/ha/yr, ecological forest 1,000. Project P earns
    10,000 Yuan/yr shared villagers 50%, collective 30%, social capital 20% (not a dividend) and
    needs 6 ha of ecological forest.
    Without P: fruit 10 ha -> 20,000. With P: forest 6 + fruit 4 -> GEP 14,000, dividends
    5,000 + 3,000 = 8,000 -> 22,000 > 20,000, so P is built.
    Constraint: `project_prerequisite`.
    """
    plan = solve(_area_pre(build, 6))
    assert plan.status == "optimal"
    assert built(plan, "P")
    assert area(plan, use="ecological_forest") == approx(6)
    assert area(plan, use="fruit_expansion") == approx(4)
    assert income(plan, village="a", recipient="villagers") == approx(5_000)
    assert income(plan, village="a", recipient="village_collective") == approx(3_000)
    social = plan.dividends[plan.dividends["recipient"] == "social_capital"]
    assert social["yuan_per_yr"].sum() == approx(2_000)
    assert not social["counts_as_dividend"].any()
    assert kpi(plan, "dividends_yuan") == approx(8_000)
    assert kpi(plan, "gep_yuan") == approx(14_000)
    assert plan.objective == approx(22_000)


def test_larger_area_prerequisite_makes_the_project_not_worth_it(build):
    """Needing 9 ha of forest: GEP 9,000 + 2,000 = 11,000, + 8,000 = 19,000 < 20,000: P is not
    built and all land goes to fruit."""
    plan = solve(_area_pre(build, 9))
    assert plan.status == "optimal"
    assert not built(plan, "P")
    assert area(plan, use="fruit_expansion") == approx(10)
    assert plan.objective == approx(20_000)


def test_area_prerequisite_counts_only_listed_villages(build):
    """P needs 6 ha of forest-kind use in village b, which has only 5 ha of land, although
    village a could plant 10 ha: no plan could ever build P, so the loader refuses the
    instance and names the prerequisite (instead of a plan silently without P)."""
    pre = [{"min_area_ha": 6, "use_kinds": ["forest"], "villages": ["b"]}]
    with pytest.raises(planner.InputError) as e:
        build(
            [P("A1", "grassland", 10, village="a"), P("B1", "grassland", 5, village="b")],
            uses=USES,
            policies=NO_ECO,
            projects=[project(income=100_000, prerequisites=pre)],
        )
    assert any(p.field == "projects.P.prerequisites.0" and "5.00 ha" in p.message for p in e.value.problems)


def test_area_prerequisite_counts_only_listed_covers(build):
    """P needs 5 ha of forest established on reclaimed mine; the village has grassland 10 ha
    but only 3 ha of mine: the loader refuses the instance (3 ha at most can ever match)."""
    pre = [{"min_area_ha": 5, "use_kinds": ["forest"], "covers": ["reclaimed_mine"]}]
    with pytest.raises(planner.InputError) as e:
        build(
            [P("A1", "grassland", 10), P("M1", "reclaimed_mine", 3)],
            uses=USES,
            policies=NO_ECO,
            projects=[project(income=100_000, prerequisites=pre)],
        )
    assert any("3.00 ha" in p.message for p in e.value.problems)


GARDEN_USES = {"garden_shrub": {"equivalents": {"eco": 0.5}}}  # 500 Yuan/ha/yr < grassland


def _garden_pre(build, pre):
    return build([P("A1", "grassland", 10)], uses=GARDEN_USES, projects=[project(prerequisites=pre)])


def test_garden_prerequisite(build):
    """P (10,000 Yuan/yr to villagers) needs the garden of village a. A 1 ha garden (the
    minimum) costs 500 Yuan/yr of GEP: 9,500 + 10,000 = 19,500 Yuan/yr.
    Constraint: `project_prerequisite`.
    """
    plan = solve(_garden_pre(build, [{"garden_in": "a"}]))
    assert plan.status == "optimal"
    assert built(plan, "P") and garden_built(plan, "a")
    assert area(plan, use="garden_shrub") == approx(1)
    assert plan.objective == approx(19_500)


def test_without_garden_prerequisite_no_garden(build):
    """Prerequisite removed: P is built, no garden: 10,000 + 10,000 = 20,000 Yuan/yr."""
    plan = solve(_garden_pre(build, []))
    assert plan.status == "optimal"
    assert built(plan, "P") and not garden_built(plan, "a")
    assert plan.objective == approx(20_000)


def _chain(build, q_income):
    pre_p = [{"min_area_ha": 6, "uses": ["ecological_forest"]}]
    projects = [
        project("P", income=0, prerequisites=pre_p),
        project("Q", income=q_income, prerequisites=[{"project": "P"}]),
    ]
    return build([P("A1", "grassland", 10)], uses=USES, policies=NO_ECO, projects=projects)


def test_project_prerequisite(build):
    """P earns nothing and needs 6 ha of forest (costs 6 x 1,000 of GEP against fruit);
    Q earns 10,000 Yuan/yr for villagers and needs P. Both: 14,000 + 10,000 = 24,000 >
    20,000, so both are built.
    Constraint: `project_prerequisite`.
    """
    plan = solve(_chain(build, 10_000))
    assert plan.status == "optimal"
    assert built(plan, "P") and built(plan, "Q")
    assert plan.objective == approx(24_000)


def test_project_prerequisite_not_worth_it(build):
    """Q earning 5,000: 14,000 + 5,000 = 19,000 < 20,000: neither is built."""
    plan = solve(_chain(build, 5_000))
    assert plan.status == "optimal"
    assert not built(plan, "P") and not built(plan, "Q")
    assert plan.objective == approx(20_000)


def _earliest(build, earliest):
    return build(
        [P("A1", "grassland", 10)],
        uses=NEUTRAL,
        periods=[period("2025"), period("2035")],
        projects=[project(earliest_period=earliest)],
    )


def test_earliest_period(build):
    """P (10,000 Yuan/yr to villagers) cannot be built before 2035; grassland 10,000 Yuan/yr
    of GEP each period: 10,000 + (10,000 + 10,000) = 30,000 Yuan/yr.
    Constraint: `project_earliest`.
    """
    plan = solve(_earliest(build, "2035"))
    assert plan.status == "optimal"
    assert not built(plan, "P", "2025") and built(plan, "P", "2035")
    assert plan.objective == approx(30_000)


def test_no_earliest_period(build):
    """Without the restriction P is built in 2025: 2 x 20,000 = 40,000 Yuan/yr."""
    plan = solve(_earliest(build, None))
    assert plan.status == "optimal"
    assert built(plan, "P", "2025")
    assert plan.objective == approx(40_000)


def _required(build, required):
    pre = [{"min_area_ha": 5, "uses": ["ecological_forest"]}]
    proj = project("R", shares={"social_capital": 1.0}, prerequisites=[*pre], required=required)
    return build(
        [P("A1", "grassland", 10)],
        uses={"ecological_forest": {"equivalents": {"eco": 0.5}}},
        periods=[period("2025"), period("2035")],
        projects=[proj],
    )


def test_required_project_is_built_by_the_last_period(build):
    """R pays only social capital (no dividend) and needs 5 ha of forest worth 500 instead of
    1,000 Yuan/ha/yr: a loss of 2,500. Required by the last period, it is built in 2035 only:
    10,000 + 7,500 = 17,500 Yuan/yr.
    Constraint: `project_required`.
    """
    plan = solve(_required(build, True))
    assert plan.status == "optimal"
    assert not built(plan, "R", "2025") and built(plan, "R", "2035")
    assert area(plan, use="ecological_forest", period="2035") == approx(5)
    assert plan.objective == approx(17_500)


def test_not_required_project_is_skipped(build):
    """Not required: R is not built, 20,000 Yuan/yr."""
    plan = solve(_required(build, False))
    assert plan.status == "optimal"
    assert not built(plan, "R")
    assert plan.objective == approx(20_000)


@pytest.mark.parametrize("budget, expect_built, gep", [(2_000, True, 13_000), (1_000, False, 10_000)])
def test_project_capex_and_cultural_gep(build, budget, expect_built, gep):
    """Project V adds 3,000 Yuan/yr of cultural GEP, earns nothing and costs 2,000 Yuan of
    capital. Budget 2,000: built, GEP 10,000 + 3,000. Budget 1,000: not affordable."""
    proj = project("V", income=0, capex_yuan=2_000, gep_yuan_per_yr=3_000)
    li = build([P("A1", "grassland", 10)], uses=NEUTRAL, periods=[period("2025", budget=budget)], projects=[proj])
    plan = solve(li)
    assert plan.status == "optimal"
    assert built(plan, "V") is expect_built
    assert kpi(plan, "gep_yuan") == approx(gep)
    assert kpi(plan, "budget_used_yuan") == approx(2_000 if expect_built else 0)


def test_project_gep_follows_the_price_index(build):
    """Project V (3,000 Yuan/yr of cultural GEP, free) on grassland 10 ha; periods 2025 (index 1)
    and 2035 (index 2): GEP 13,000 and 2 x 13,000 = 26,000; objective 39,000 Yuan/yr."""
    proj = project("V", income=0, gep_yuan_per_yr=3_000)
    li = build(
        [P("A1", "grassland", 10)],
        uses=NEUTRAL,
        projects=[proj],
        periods=[period("2025"), period("2035", gep_price_index=2.0)],
    )
    plan = solve(li)
    assert plan.status == "optimal"
    assert built(plan, "V", "2025")
    assert kpi(plan, "gep_yuan", "2035") == approx(26_000)
    assert plan.objective == approx(39_000)


def test_a_built_project_stays_built(build):
    """Grassland 10 ha (10,000 Yuan/yr of GEP per period; the only land option changes nothing).
    Budgets: 4,000 Yuan in 2025, 0 in 2035. P costs 4,000 and pays villagers 5,000 Yuan/yr; Q
    costs 4,000, pays 20,000 Yuan/yr and cannot be built before 2035.

    P is built in 2025 and stays: 2 x (10,000 + 5,000) = 30,000 Yuan/yr; Q, needing 4,000 in
    2035, is out of reach (no budget there, and 2025's does not carry over). Were a project
    allowed to disappear, taking P down in 2035 would hand its 4,000 of capital back to the
    budget (capital cost is charged on built[t] - built[t-1]) and pay for Q:
    15,000 + 30,000 = 45,000 Yuan/yr.
    Constraint: `project_cumulative`.
    """
    projects = [
        project("P", income=5_000, capex_yuan=4_000),
        project("Q", income=20_000, capex_yuan=4_000, earliest_period="2035"),
    ]
    li = build(
        [P("A1", "grassland", 10)],
        uses=NEUTRAL,
        projects=projects,
        periods=[period("2025", budget=4_000), period("2035", budget=0)],
    )
    plan = solve(li)
    assert plan.status == "optimal"
    assert built(plan, "P", "2025") and built(plan, "P", "2035")
    assert not built(plan, "Q", "2035")
    assert kpi(plan, "budget_used_yuan", "2025") == approx(4_000)
    assert kpi(plan, "budget_used_yuan", "2035") == approx(0)
    assert income(plan, recipient="villagers", period="2035") == approx(5_000)
    assert plan.objective == approx(30_000)
    status, objective = solve_model(li, drop=("project_cumulative",))
    assert status == "optimal"
    assert objective == approx(45_000)
