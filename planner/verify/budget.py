"""Budget (family ``budget``): each period's spending (establishment, project capital,
wages, and the interest and loan instalments that fall in the period;
:mod:`planner.verify.money`) stays within its budget plus the period's loan."""

from __future__ import annotations

from planner.verify.context import REL_TOL, Context, Report


def check(c: Context, rep: Report) -> None:
    for t in c.periods:
        m = c.money[t]
        spend, loan = m["spend"], m["loan"]
        rep.check("budget")
        if spend > c.period[t].budget_yuan + loan + max(1.0, REL_TOL * spend):
            rep.bad("budget", t, "spending exceeds the budget plus loans", spend, c.period[t].budget_yuan + loan)
