"""objective: GEP and dividends, weighted or lexicographic; several periods with
weights, GEP price indices, per-period budgets and cumulative decisions."""

from __future__ import annotations

from helpers import P, approx, area, kpi, period, solve

# per ha: ecological forest GEP 3,000; ornamental GEP 3,000 + 100 income; fruit GEP 2,000 + 2,000 income
USES = {
    "ecological_forest": {"equivalents": {"eco": 3}},
    "ornamental_forest": {"equivalents": {"eco": 3}, "income_yuan_per_ha_yr": 100},
    "fruit_expansion": {"equivalents": {"eco": 2}, "income_yuan_per_ha_yr": 2000},
}


def _land(build, **objective):
    return build(
        [P("A1", "grassland", 10)],
        uses=USES,
        policies={"ecological_space_no_decrease": False},
        objective={"lexicographic_tolerance": 0, **objective},
    )


def test_weighted_sum(build):
    """Weights 1 and 1: fruit 2,000 + 2,000 = 4,000/ha beats ornamental 3,100 and ecological
    3,000: GEP 20,000, dividends 20,000, objective 40,000 Yuan/yr."""
    plan = solve(_land(build))
    assert plan.status == "optimal"
    assert area(plan, use="fruit_expansion") == approx(10)
    assert kpi(plan, "gep_yuan") == approx(20_000)
    assert kpi(plan, "dividends_yuan") == approx(20_000)
    assert plan.objective == approx(40_000)


def test_weighted_with_smaller_dividend_weight(build):
    """Dividend weight 0.5: fruit 2,000 + 1,000 = 3,000 < ornamental 3,000 + 50: ornamental
    10 ha, objective 30,000 + 0.5 x 1,000 = 30,500."""
    plan = solve(_land(build, dividend_weight=0.5))
    assert plan.status == "optimal"
    assert area(plan, use="ornamental_forest") == approx(10)
    assert plan.objective == approx(30_500)


def test_lexicographic_gep_first(build):
    """GEP first: 30,000 (any forest); then dividends among GEP-optimal plans: ornamental
    forest (100/ha) -> 1,000 Yuan/yr."""
    plan = solve(_land(build, mode="lexicographic", order=["gep", "dividends"]))
    assert plan.status == "optimal"
    assert area(plan, use="ornamental_forest") == approx(10)
    assert kpi(plan, "gep_yuan") == approx(30_000)
    assert kpi(plan, "dividends_yuan") == approx(1_000)
    assert [s["goal"] for s in plan.stages] == ["gep", "dividends"]
    assert plan.stages[0]["objective"] == approx(30_000)
    assert plan.stages[1]["objective"] == approx(1_000)


def test_lexicographic_dividends_first(build):
    """Dividends first: fruit 10 ha, 20,000 Yuan/yr; GEP then 20,000."""
    plan = solve(_land(build, mode="lexicographic", order=["dividends", "gep"]))
    assert plan.status == "optimal"
    assert area(plan, use="fruit_expansion") == approx(10)
    assert kpi(plan, "dividends_yuan") == approx(20_000)
    assert kpi(plan, "gep_yuan") == approx(20_000)


def _periods(build, idx=1.0, w2=1.0):
    periods = [period("2025", budget=4000), period("2035", budget=3000, gep_price_index=idx, weight=w2)]
    return build(
        [P("A1", "grassland", 10)],
        uses={"ecological_forest": {"establishment_cost_yuan_per_ha": 1000}},
        periods=periods,
    )


def test_two_periods_with_per_period_budgets(build):
    """Forest +3,000 Yuan/ha/yr at 1,000 Yuan/ha; budgets 4,000 (2025) and 3,000 (2035), not
    carried over. 2025: 4 ha -> 22,000; 2035: 4 + 3 = 7 ha -> 31,000. Objective 53,000."""
    plan = solve(_periods(build))
    assert plan.status == "optimal"
    assert area(plan, use="ecological_forest", period="2025") == approx(4)
    assert area(plan, use="ecological_forest", period="2035") == approx(7)
    assert kpi(plan, "budget_used_yuan", "2025") == approx(4_000)
    assert kpi(plan, "budget_used_yuan", "2035") == approx(3_000)
    assert kpi(plan, "gep_yuan", "2035") == approx(31_000)
    assert plan.objective == approx(53_000)


def test_gep_price_index_and_period_weight(build):
    """Price index 2 in 2035: 2035 GEP 62,000 -> objective 84,000. Weight 0.5 on 2035 (index 1):
    22,000 + 15,500 = 37,500."""
    indexed = solve(_periods(build, idx=2.0))
    assert indexed.status == "optimal"
    assert kpi(indexed, "gep_yuan", "2035") == approx(62_000)
    gep = indexed.gep.groupby("period")["gep_yuan"].sum()
    assert gep["2025"] == approx(22_000) and gep["2035"] == approx(62_000)
    assert indexed.objective == approx(84_000)
    weighted = solve(_periods(build, w2=0.5))
    assert weighted.status == "optimal"
    assert weighted.objective == approx(37_500)


def test_gep_scale_and_multipliers(build):
    """``prices.gep_scale`` 2 doubles every GEP coefficient; ``gep_multipliers`` 0.5 on fruit halves
    fruit's: per ha, forest 6,000, ornamental 6,000 + 100, fruit 2,000 + 2,000 income. Weighted:
    ornamental 10 ha -> 60,000 + 1,000 = 61,000 Yuan/yr."""
    li = _land(build).replace(**{"prices.gep_scale": 2.0, "prices.gep_multipliers": {"fruit_expansion": 0.5}})
    plan = solve(li)
    assert plan.status == "optimal"
    assert area(plan, use="ornamental_forest") == approx(10)
    assert kpi(plan, "gep_yuan") == approx(60_000)
    assert plan.objective == approx(61_000)


# ---------------------------------------------------------------------------
# Least-cost tie-break (objective.tie_break, the planner's default): among plans with
# the optimal objective, the one that spends least.
# ---------------------------------------------------------------------------


def test_tie_break_picks_the_cheaper_of_equal_plans(build):
    """Grassland 10 ha; ecological and ornamental forest both worth 4,000 Yuan/ha/yr, the first
    costs 1,000 Yuan/ha, the second nothing. Every split is optimal (40,000 Yuan/yr); the
    least-cost tie-break plants only the free ornamental forest and spends nothing."""
    li = build(
        [P("A1", "grassland", 10)],
        uses={
            "ecological_forest": {"establishment_cost_yuan_per_ha": 1000},
            "ornamental_forest": {"equivalents": {"eco": 4}},
        },
        objective={"tie_break": "least_cost"},
    )
    plan = solve(li)
    assert plan.status == "optimal"
    assert area(plan, use="ornamental_forest") == approx(10)
    assert kpi(plan, "budget_used_yuan") == approx(0)
    assert plan.objective == approx(40_000)


def test_tie_break_does_not_give_up_objective_to_save_money(build):
    """Grassland 10 ha; ecological forest +3,000 Yuan/ha/yr for 1,000 Yuan/ha, ample budget: the
    only optimal plan plants all 10 ha (40,000 Yuan/yr, 10,000 Yuan spent). A tie-break picks
    among *optimal* plans, so it must return exactly that plan, as ``tie_break: none`` does --
    not one that plants a little less to save a little money and reports it as optimal."""
    uses = {"ecological_forest": {"establishment_cost_yuan_per_ha": 1000}}
    plain = solve(build([P("A1", "grassland", 10)], uses=uses))
    assert plain.status == "optimal"
    assert plain.objective == approx(40_000)
    plan = solve(build([P("A1", "grassland", 10)], uses=uses, objective={"tie_break": "least_cost"}))
    assert plan.status == "optimal"
    assert area(plan, use="ecological_forest") == approx(10)
    assert kpi(plan, "budget_used_yuan") == approx(10_000)
    assert plan.objective == approx(40_000)


def test_least_wages_tie_break_recruits_no_more_than_needed(build):
    """Grassland 9 ha, ecological forest +3,000 Yuan/ha/yr; planters plant 2 ha/person/yr (range
    0-10, wage 1,000 Yuan/yr, budget ample). All 9 ha are planted (36,000 Yuan/yr); that needs
    ceil(9 / 2) = 5 planters, and 5 to 10 are all optimal because wages are not in the
    objective. The least_wages tie-break keeps the land plan and recruits the fewest: 5."""
    li = build(
        [P("A1", "grassland", 9)],
        uses={"ecological_forest": None},
        villages={"a": {"labour_pool": {"residents": 100}}},
        roles=[
            {"id": "planters", "channel": "forest", "min": 0, "max": 10, "norm": "plant2", "wage_yuan_per_yr": 1000}
        ],
        objective={"tie_break": "least_wages"},
    )
    plan = solve(li)
    assert plan.status == "optimal"
    assert plan.objective == approx(36_000)
    assert int(plan.recruitment["count"].sum()) == 5
    assert [s["goal"] for s in plan.stages] == ["weighted", "least_wages"]
