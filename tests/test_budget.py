"""budget: each period's spend (establishment, project capital, wages) within its budget
plus the loan drawn."""

from __future__ import annotations

from helpers import P, approx, area, kpi, period, solve

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
