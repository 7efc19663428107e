"""loans: GEP-value loans relax the budget within a share of GEP and a cap; each is repaid in
equal principal instalments over ``finance.loan_term_years`` from the period after it is
drawn, with interest on the balance, both paid from the budgets of the periods they fall in.

The one-period instances are the budget's (``test_budget._budget``: 10 ha of grassland,
forest +3,000 Yuan/ha/yr at 1,000 Yuan/ha to plant)."""

from __future__ import annotations

import pytest
from helpers import P, approx, area, kpi, period, solve
from test_budget import _budget

from planner.model.rules.loans import schedule


def test_gep_value_loan_limited_by_share_of_gep(build):
    """Budget 4,000 plus a loan L <= 25% of GEP, interest 50%/yr, paid from the same one-year
    period's budget: 1,000 f + 0.5 L <= 4,000 + L, so f = 4 + 0.5 L / 1,000 ha of forest. Each
    borrowed 1,000 Yuan plants 0.5 ha (+1,500 GEP) for 500 Yuan/yr of interest, so borrow as much
    as allowed: L = 0.25 (10,000 + 3,000 f) = 5,500 + 0.375 L -> L = 8,800, f = 8.4 ha,
    GEP 35,200, interest 4,400: objective 30,800 Yuan/yr. The loan is still owed after the
    horizon (one period), paid off in 2025 + 5 years.
    Constraint: `loan_gep`.
    """
    plan = solve(_budget(build, 4000, loans_enabled=True, loan_to_gep=0.25, loan_cap_yuan=1e9, loan_interest_rate=0.5))
    assert plan.status == "optimal"
    fin = plan.finance.iloc[0]
    assert fin["loan_yuan"] == approx(8_800)
    assert fin["interest_yuan_per_yr"] == approx(4_400)
    assert fin["debt_service_yuan"] == approx(4_400)
    assert fin["budget_used_yuan"] == approx(12_800)
    assert area(plan, use="ecological_forest") == approx(8.4)
    assert kpi(plan, "gep_yuan") == approx(35_200)
    assert plan.objective == approx(30_800)
    row = plan.loans.iloc[0]
    assert (row["loan"], row["period"]) == ("2025", "2025")
    assert row["outstanding_yuan"] == approx(8_800)
    assert row["paid_off_year"] == 2030


def test_loan_cap(build):
    """Cap 2,000 Yuan at 10%/yr: 1,000 f + 200 <= 4,000 + 2,000, so 5.8 ha of forest,
    GEP 27,400, interest 200: 27,200 Yuan/yr.
    Constraint: `loan_cap`.
    """
    plan = solve(_budget(build, 4000, loans_enabled=True, loan_to_gep=1.0, loan_cap_yuan=2000, loan_interest_rate=0.1))
    assert plan.status == "optimal"
    assert plan.finance["loan_yuan"].iloc[0] == approx(2_000)
    assert area(plan, use="ecological_forest") == approx(5.8)
    assert plan.objective == approx(27_200)


def test_expensive_loan_is_not_taken(build):
    """Interest 500%/yr, paid from the period's budget: a loan costs more than it brings. No loan,
    22,000 Yuan/yr."""
    plan = solve(_budget(build, 4000, loans_enabled=True, loan_to_gep=1.0, loan_cap_yuan=1e9, loan_interest_rate=5.0))
    assert plan.status == "optimal"
    assert plan.finance["loan_yuan"].iloc[0] == approx(0)
    assert plan.loans.empty
    assert plan.objective == approx(22_000)


def test_loans_off_by_default(build):
    """A loan cap without ``loans_enabled`` changes nothing: 22,000 Yuan/yr."""
    plan = solve(_budget(build, 4000, loan_to_gep=1.0, loan_cap_yuan=1e9))
    assert plan.status == "optimal"
    assert plan.finance["loan_yuan"].iloc[0] == approx(0)
    assert plan.finance["debt_service_yuan"].iloc[0] == approx(0)
    assert plan.objective == approx(22_000)


def _ten_million(build, budget_2026):
    """Two one-year periods, 2025 (budget 0) and 2026. A1: 9.6 ha of grassland; forest adds
    1,000,000 Yuan/ha/yr of GEP and costs 1,000,000 Yuan/ha to plant. Loans at 4%/yr, repaid
    over 2 years, up to 10 times the period's GEP (not binding) and 1e9 Yuan."""
    forest = {"ecological_forest": {"equivalents": {"eco": 1001}, "establishment_cost_yuan_per_ha": 1e6}}
    return build(
        [P("A1", "grassland", 9.6)],
        uses=forest,
        periods=[period("2025", budget=0), period("2026", budget=budget_2026)],
        finance={
            "loans_enabled": True,
            "loan_to_gep": 10.0,
            "loan_cap_yuan": 1e9,
            "loan_interest_rate": 0.04,
            "loan_term_years": 2,
        },
    )


def test_ten_million_over_two_years(build):
    """Planting all 9.6 ha in 2025 pays for itself many times over, so the 2025 loan L covers the
    planting and its own year of interest: L = 9.6 M + 0.04 L -> L = 10 M.
    Schedule (2 years, 4%): 2025: interest 0.4 M (the whole loan for the whole period), nothing
    repaid, 10 M owed. 2026: loan year 1, interest 4% of 10 M = 0.4 M, instalment 5 M; 5 M still
    owed after the horizon (year 2 ends in 2027 = 2025 + 2). The 2026 budget of 6 M pays the 5.4 M.
    GEP 9.6 x 1,001,000 = 9,609,600 in both periods; objective
    2 x (9,609,600 - 400,000) = 18,419,200 Yuan/yr.
    """
    plan = solve(_ten_million(build, 6e6))
    assert plan.status == "optimal"
    fin = plan.finance.set_index("period")
    assert fin.loc["2025", "loan_yuan"] == approx(1e7)
    assert fin.loc["2026", "loan_yuan"] == approx(0)
    assert fin.loc["2025", "debt_service_yuan"] == approx(4e5)
    assert fin.loc["2026", "debt_service_yuan"] == approx(5.4e6)
    assert fin.loc["2026", "interest_yuan_per_yr"] == approx(4e5)
    assert fin.loc["2026", "budget_used_yuan"] == approx(5.4e6)
    sched = plan.loans.set_index(["loan", "period"])
    assert sched.loc[("2025", "2025"), "interest_yuan"] == approx(4e5)
    assert sched.loc[("2025", "2025"), "repaid_yuan"] == approx(0)
    assert sched.loc[("2025", "2026"), "interest_yuan"] == approx(4e5)
    assert sched.loc[("2025", "2026"), "repaid_yuan"] == approx(5e6)
    assert sched.loc[("2025", "2026"), "outstanding_yuan"] == approx(5e6)
    assert (sched["paid_off_year"] == 2027).all()
    assert plan.objective == approx(18_419_200)


def test_repayment_drawn_from_the_next_budget(build):
    """As above with a 2026 budget of 5 M, short of the 5.4 M due. Planting less in 2025 would lose
    GEP in both periods; a 2026 loan L2 costs only its interest: 5 M + L2 = 5.4 M + 0.04 L2, so
    L2 = 0.4 M / 0.96 = 416,666.67 Yuan, at 0.04 L2 = 16,666.67 Yuan/yr of interest. Objective
    18,419,200 - 16,666.67 = 18,402,533.33 Yuan/yr; owed after the horizon: 5 M + 416,666.67."""
    plan = solve(_ten_million(build, 5e6))
    assert plan.status == "optimal"
    fin = plan.finance.set_index("period")
    assert fin.loc["2025", "loan_yuan"] == approx(1e7)
    assert fin.loc["2026", "loan_yuan"] == approx(4e5 / 0.96)
    owed = plan.loans[plan.loans["period"] == "2026"]["outstanding_yuan"].sum()
    assert owed == approx(5e6 + 4e5 / 0.96)
    assert plan.objective == approx(18_419_200 - 0.04 * 4e5 / 0.96)


def test_schedule_by_hand():
    """One unit of loan. Two one-year periods, 4%, 2 years: drawn in the first, 0.04 of interest
    there; in the second, year 1 of repayment: 0.04 and half the principal; half owed after.
    Drawn in the second: 0.04, all owed after. Nuanshui's periods (3 and 10 years), 4%, 5 years:
    0.12 in the first; in the second the five years' interest 0.04 x (1 + 0.8 + 0.6 + 0.4 + 0.2)
    = 0.12 and the whole principal; nothing owed after."""
    sched, owed = schedule([1, 1], 0.04, 2)
    assert sched[(0, 0)] == pytest.approx((0.04, 0.0))
    assert sched[(0, 1)] == pytest.approx((0.04, 0.5))
    assert sched[(1, 1)] == pytest.approx((0.04, 0.0))
    assert owed == pytest.approx({0: 0.5, 1: 1.0})
    sched, owed = schedule([3, 10], 0.04, 5)
    assert sched[(0, 0)] == pytest.approx((0.12, 0.0))
    assert sched[(0, 1)] == pytest.approx((0.12, 1.0))
    assert owed[0] == pytest.approx(0.0)


def test_year_split_between_periods():
    """Periods of 1.5 and 2 years, 10%, 2 years, one unit drawn in the first: 0.15 there. In the
    second (years 0-2 after the first): year 1 on the whole balance (0.1) and year 2 on half
    (0.05), both instalments: 0.15 and 1.0."""
    sched, owed = schedule([1.5, 2], 0.1, 2)
    assert sched[(0, 0)] == pytest.approx((0.15, 0.0))
    assert sched[(0, 1)] == pytest.approx((0.15, 1.0))
    assert owed[0] == pytest.approx(0.0)
    sched, owed = schedule([1, 1.5, 1], 0.1, 2)
    # second period: year 1 (0.1 on 1) and half of year 2 (0.05 on 0.5: 0.025), instalment 1;
    # third period: the other half of year 2 (0.025) and instalment 2
    assert sched[(0, 1)] == pytest.approx((0.125, 0.5))
    assert sched[(0, 2)] == pytest.approx((0.025, 0.5))
    assert owed[0] == pytest.approx(0.0)


def test_verifier_recomputes_the_schedule(build):
    """A schedule row altered in plan.json is a ``loans`` violation."""
    from planner.verify import verify_plan

    li = _ten_million(build, 6e6)
    plan = solve(li)
    plan.tables["loans"].loc[1, "repaid_yuan"] = 4e6
    ver = verify_plan(plan, li)
    assert not ver["passed"]
    assert any(v["rule"] == "loans" and "repaid_yuan" in v["where"] for v in ver["violations"])


def test_report_and_workbook_show_the_schedule(build, tmp_path):
    """The ten-million case (test_ten_million_over_two_years) in report.md and plan.xlsx: the
    report's loans section has one row per period of the 2025 loan, 10 M drawn, 0.40 M of
    interest in each period, the 5 M instalment in 2026, 5 M still owed after the horizon,
    last instalment 2027; the workbook's Finance sheet has the loan service of each period
    (0.4 M and 5.4 M) and the same schedule below it."""
    import openpyxl

    from planner.report.workbook import write_workbook
    from planner.report.write import write_report

    li = _ten_million(build, 6e6)
    plan = solve(li)
    md, _html = write_report(plan, tmp_path / "rep", instance=li)
    text = md.read_text(encoding="utf-8")
    part = text.split("## GEP-value loans and their repayment", 1)[1].split("\n## ", 1)[0]
    rows = [
        [c.strip() for c in ln.strip().strip("|").split("|")] for ln in part.splitlines() if ln.startswith("| 2025")
    ]
    assert rows == [
        ["2025", "2025", "10.00 M", "400,000", "0", "10.00 M", "2027"],
        ["2025", "2026", "10.00 M", "400,000", "5.00 M", "5.00 M", "2027"],
    ]
    assert "repaid in 2 equal yearly instalments" in part
    assert "5.00 M Yuan is still owed after the last period." in part

    book = openpyxl.load_workbook(write_workbook(plan, li, tmp_path / "plan.xlsx"))
    ws = book["Finance"]
    rows = [r for r in ws.iter_rows(values_only=True)]
    head = rows[1]
    by_period = {r[0]: r for r in rows[2:4]}
    col = head.index("Loan service: interest and instalments (Yuan)")
    assert [by_period[t][col] for t in ("2025", "2026")] == [400_000, 5_400_000]
    start = next(i for i, r in enumerate(rows) if r[0] == "Loan drawn in period")
    assert rows[start + 1][:7] == ("2025", "2025", 10_000_000, 400_000, 0, 10_000_000, 2027)
    assert rows[start + 2][:7] == ("2025", "2026", 10_000_000, 400_000, 5_000_000, 5_000_000, 2027)


def test_no_loans_no_loan_section(build, tmp_path):
    """With loans off (the default) the report has no loans section and plan.xlsx no schedule;
    with loans on but none worth drawing (interest 50%/yr, budget enough) the report says so."""
    from planner.report.write import write_report

    li = _budget(build, 100_000)
    md, _html = write_report(solve(li), tmp_path / "off", instance=li)
    assert "GEP-value loans and their repayment" not in md.read_text(encoding="utf-8")
    li = _budget(build, 100_000, loans_enabled=True, loan_to_gep=1.0, loan_cap_yuan=1e6, loan_interest_rate=0.5)
    plan = solve(li)
    assert plan.loans.empty
    md, _html = write_report(plan, tmp_path / "on", instance=li)
    assert "No GEP-value loan is drawn." in md.read_text(encoding="utf-8")
