"""Loans (family ``loans``): a loan is drawn only when loans are enabled, stays within its
cap and its share of the period's GEP, and the plan's ``loans`` table holds its repayment
schedule as :func:`planner.verify.money.loan_ledger` recomputes it from the loans drawn
(``finance.loan_yuan``): the interest and principal paid in each period, the balance owed
at its end (on the last period: what is owed after the horizon) and the year it is paid off.

No check of its own in the list of checks: it runs with ``budget``.
"""

from __future__ import annotations

import pandas as pd

from planner.verify.context import Context, Report, close

#: A loan below this (Yuan) is no loan: it has no schedule (as ``planner.plan.tables.LOAN_MIN_YUAN``).
LOAN_MIN_YUAN = 0.01


def check(c: Context, rep: Report) -> None:
    fin = c.inst.finance
    for t in c.periods:
        loan, gep = c.money[t]["loan"], c.money[t]["gep"]
        if loan > 1e-6:
            if not fin.loans_enabled:
                rep.bad("loans", t, "loan drawn while loans are not enabled", loan, 0)
            if loan > fin.loan_cap_yuan + 1.0:
                rep.bad("loans", t, "loan above its cap", loan, fin.loan_cap_yuan)
            if loan > fin.loan_to_gep * gep + 1.0:
                rep.bad("loans", t, "loan above its share of GEP", loan, fin.loan_to_gep * gep)
    _schedule(c, rep)


def _schedule(c: Context, rep: Report) -> None:
    """The ``loans`` table against the recomputed ledger, row by row."""
    table = c.tables.get("loans", pd.DataFrame())
    got = {(str(r["loan"]), str(r["period"])): r for _, r in table.iterrows()} if len(table) else {}
    want = {k: v for k, v in c.loan_ledger.items() if c.money[k[0]]["loan"] > LOAN_MIN_YUAN}
    year = c.inst.finance.loan_term_years
    for (s, t), e in want.items():
        where = f"loan of {s}, {t}"
        r = got.get((s, t))
        if r is None:
            rep.bad("loans", where, "the loans table has no row for this period of the loan's schedule")
            continue
        for col, val in (
            ("principal_yuan", c.money[s]["loan"]),
            ("interest_yuan", e["interest"]),
            ("repaid_yuan", e["repaid"]),
            ("outstanding_yuan", e["owed"]),
            ("paid_off_year", c.period[s].year + year),
        ):
            if not close(float(r[col]), float(val)):
                rep.bad("loans", f"{where}, {col}", "loan schedule does not match the recomputation", r[col], val)
    for s, t in got:
        if (s, t) not in want:
            rep.bad("loans", f"loan of {s}, {t}", "schedule row for a loan that was not drawn (or not in this period)")
