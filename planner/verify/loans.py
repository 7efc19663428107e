"""Loans (family ``loans``): a loan is drawn only when loans are enabled, and stays within
its cap and its share of the period's GEP (:mod:`planner.verify.money`).

No check of its own in the list of checks: it runs with ``budget``.
"""

from __future__ import annotations

from planner.verify.context import Context, Report


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
