"""Budget (family ``budget``): each period's spending (establishment, project capital,
wages, and the interest and loan instalments that fall in the period;
:mod:`planner.verify.money`) stays within its budget plus the period's loan, plus, for a
township of a county plan, its allocation from the county budget pool
(``Context.county_allocation``; :mod:`planner.verify.county` checks the allocations
against the pool)."""

from __future__ import annotations

from planner.verify.context import REL_TOL, Context, Report


def check(c: Context, rep: Report) -> None:
    for t in c.periods:
        m = c.money[t]
        spend, loan = m["spend"], m["loan"]
        rep.check("budget")
        extra = c.county_allocation.get(t, 0.0)
        if spend > c.period[t].budget_yuan + loan + extra + max(1.0, REL_TOL * spend):
            words = "spending exceeds the budget plus loans" + (" and the county allocation" if extra else "")
            rep.bad("budget", t, words, spend, c.period[t].budget_yuan + loan + extra)
