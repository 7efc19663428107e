"""budget: per-period budget, GEP-value loans (relax the budget at their interest),
dividends to villagers and collectives, and a per-village dividend floor."""

from __future__ import annotations

from helpers import P, approx, area, income, kpi, period, solve

# ecological forest +3,000 Yuan/ha/yr over grassland, costs 1,000 Yuan/ha
COSTLY = {"ecological_forest": {"establishment_cost_yuan_per_ha": 1000}}


def _budget(build, budget, periods=None, **finance):
    return build(
        [P("A1", "grassland", 10)],
        uses=COSTLY,
        periods=periods or [period("2025", budget=budget)],
        finance=finance or {},
    )


def test_budget_binds(build):
    """Budget 4,000 Yuan -> 4 ha of forest: GEP = 10,000 + 4 x 3,000 = 22,000 Yuan/yr.
    Constraint: `budget`.
    """
    plan = solve(_budget(build, 4000))
    assert plan.status == "optimal"
    assert area(plan, use="ecological_forest") == approx(4)
    assert kpi(plan, "budget_used_yuan") == approx(4_000)
    assert plan.finance["establishment_yuan"].iloc[0] == approx(4_000)
    assert plan.objective == approx(22_000)


def test_bigger_budget(build):
    """Budget 10,000: all 10 ha, 40,000 Yuan/yr."""
    plan = solve(_budget(build, 10_000))
    assert plan.status == "optimal"
    assert area(plan, use="ecological_forest") == approx(10)
    assert plan.objective == approx(40_000)


def test_gep_value_loan_limited_by_share_of_gep(build):
    """Budget 4,000 plus a loan L <= 12.5% of GEP, interest 10%/yr. Each borrowed 1,000 Yuan plants
    1 ha (+3,000 GEP) for 100 Yuan/yr of interest, so borrow as much as allowed:
    GEP = 22,000 + 3 L and L <= 0.125 GEP -> 0.625 L = 2,750 -> L = 4,400, forest 8.4 ha,
    GEP 35,200, interest 440: objective 34,760 Yuan/yr.
    Constraint: `loan_gep`.
    """
    plan = solve(_budget(build, 4000, loans_enabled=True, loan_to_gep=0.125, loan_cap_yuan=1e9, loan_interest_rate=0.1))
    assert plan.status == "optimal"
    fin = plan.finance.iloc[0]
    assert fin["loan_yuan"] == approx(4_400)
    assert fin["interest_yuan_per_yr"] == approx(440)
    assert area(plan, use="ecological_forest") == approx(8.4)
    assert kpi(plan, "gep_yuan") == approx(35_200)
    assert plan.objective == approx(34_760)


def test_loan_cap(build):
    """Cap 2,000 Yuan: forest 6 ha, GEP 28,000, interest 200: 27,800 Yuan/yr.
    Constraint: `loan_cap`.
    """
    plan = solve(_budget(build, 4000, loans_enabled=True, loan_to_gep=1.0, loan_cap_yuan=2000, loan_interest_rate=0.1))
    assert plan.status == "optimal"
    assert plan.finance["loan_yuan"].iloc[0] == approx(2_000)
    assert plan.objective == approx(27_800)


def test_expensive_loan_is_not_taken(build):
    """Interest 500%/yr: 1,000 Yuan borrowed costs 5,000 Yuan/yr for +3,000 GEP: no loan, 22,000."""
    plan = solve(_budget(build, 4000, loans_enabled=True, loan_to_gep=1.0, loan_cap_yuan=1e9, loan_interest_rate=5.0))
    assert plan.status == "optimal"
    assert plan.finance["loan_yuan"].iloc[0] == approx(0)
    assert plan.objective == approx(22_000)


def test_loans_off_by_default(build):
    """A loan cap without ``loans_enabled`` changes nothing: 22,000 Yuan/yr."""
    plan = solve(_budget(build, 4000, loan_to_gep=1.0, loan_cap_yuan=1e9))
    assert plan.status == "optimal"
    assert plan.finance["loan_yuan"].iloc[0] == approx(0)
    assert plan.objective == approx(22_000)


def test_interest_accrues_on_outstanding_loans(build):
    """Two periods: budgets 4,000 and 0; loans capped at 2,000 per period at 10%/yr.
    2025: L = 2,000 -> 6 ha, GEP 28,000, interest 200 -> 27,800.
    2035: L = 2,000 more -> 8 ha, GEP 34,000, interest on 4,000 outstanding = 400 -> 33,600.
    Objective 61,400 Yuan/yr."""
    periods = [period("2025", budget=4000), period("2035", budget=0)]
    plan = solve(
        _budget(build, None, periods, loans_enabled=True, loan_to_gep=1.0, loan_cap_yuan=2000, loan_interest_rate=0.1)
    )
    assert plan.status == "optimal"
    fin = plan.finance.set_index("period")
    assert fin.loc["2035", "interest_yuan_per_yr"] == approx(400)
    assert area(plan, use="ecological_forest", period="2035") == approx(8)
    assert plan.objective == approx(61_400)


def _floor(build, floor):
    parcels = [P("A1", "fruit_forest", 1, village="a"), P("B1", "grassland", 10, village="b")]
    return build(
        parcels,
        uses={"fruit_expansion": {"equivalents": {"eco": 0.6}, "income_yuan_per_ha_yr": 200}},
        covers={"fruit_forest": {"income_yuan_per_ha_yr": 2000}},
        policies={"ecological_space_no_decrease": False, "dividend_floor_yuan": floor},
    )


def test_dividend_floor_per_village(build):
    """Village a: 1 ha of fruit forest (2,000 Yuan/ha/yr GEP, 2,000 Yuan/ha/yr income to its
    collective). Village b: grassland 10 ha (1,000 GEP) and no income. Fruit on b is worth 600
    GEP + 200 income per ha, a net loss of 200/ha, so without a floor nothing is planted.
    Floor 1,000 Yuan/yr per village: b plants 5 ha: GEP 2,000 + 5,000 + 3,000 = 10,000,
    dividends 2,000 + 1,000 = 3,000: objective 13,000 Yuan/yr.
    Constraint: `dividend_floor`.
    """
    plan = solve(_floor(build, 1000))
    assert plan.status == "optimal"
    assert area(plan, village="b", use="fruit_expansion") == approx(5)
    assert income(plan, village="b", recipient="village_collective") == approx(1_000)
    assert income(plan, village="a", recipient="village_collective") == approx(2_000)
    assert kpi(plan, "dividends_yuan") == approx(3_000)
    assert plan.objective == approx(13_000)


def test_no_dividend_floor(build):
    """No floor: b keeps its grassland; objective 12,000 + 2,000 = 14,000 Yuan/yr."""
    plan = solve(_floor(build, None))
    assert plan.status == "optimal"
    assert area(plan, use="fruit_expansion") == approx(0)
    assert plan.objective == approx(14_000)


def test_unreachable_dividend_floor_is_infeasible(build):
    """Floor 2,500: village a can never earn more than 2,000: no plan, and the status says so."""
    plan = solve(_floor(build, 2500))
    assert plan.status == "infeasible"
    assert plan.objective is None


def test_dividend_floor_for_a_village_without_any_income_source(build):
    """As above plus village c, which has only 5 ha of bare mine and no option that earns
    anything. A floor of 1,000 Yuan/yr for every village cannot be met in c: infeasible."""
    parcels = [
        P("A1", "fruit_forest", 1, village="a"),
        P("B1", "grassland", 10, village="b"),
        P("C1", "reclaimed_mine", 5, village="c"),
    ]
    li = build(
        parcels,
        uses={"fruit_expansion": {"equivalents": {"eco": 0.6}, "income_yuan_per_ha_yr": 200}},
        covers={"fruit_forest": {"income_yuan_per_ha_yr": 2000}},
        policies={"ecological_space_no_decrease": False, "dividend_floor_yuan": 1000},
    )
    plan = solve(li)
    assert plan.status == "infeasible"
