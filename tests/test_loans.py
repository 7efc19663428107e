"""loans: GEP-value loans relax the budget at their interest, within a share of GEP and a cap.

The instances are the budget's (``test_budget._budget``)."""

from __future__ import annotations

from helpers import approx, area, kpi, period, solve
from test_budget import _budget


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
