"""dividend_floor: every village's villagers and collective receive at least the floor of
dividends (the dividends themselves are defined in planner/model/rules/dividends.py)."""

from __future__ import annotations

from helpers import P, approx, area, income, kpi, solve


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
