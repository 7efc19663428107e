"""GEP-value loans: borrowing against the assessed GEP, their interest and their repayment.

Paper [P §4.4(2)]: "GEP ecological value loan service is a lending business based on the
assessed GEP value". Requirements §3: optional GEP-value loans and their interest.

A loan drawn in period s adds to that period's budget (family ``budget``) and is repaid on
a schedule (:func:`schedule`): it is outstanding in full during period s; from the end of
period s it is repaid over ``finance.loan_term_years`` T years in equal principal
instalments of 1/T, each paid at the end of its year, with the year's interest
(``finance.loan_interest_rate``) on the balance outstanding during that year. Interest
and instalments are paid from the budget of the period they fall in (``debt_service``,
which family ``budget`` adds to the spending); what falls after the last period is the
loan outstanding beyond the horizon (the plan's table ``loans``). The average interest
per year of each period is also subtracted from the dividends in the objective, so
borrowing is never free (a loan drawn in the last period would otherwise be repaid
only after the horizon, at no cost to any budget).

Constraints, only when ``finance.loans_enabled`` (otherwise loan[t] is fixed at 0):
- ``loan_gep[t]``: loan[t] <= ``finance.loan_to_gep`` x GEP[t];
- ``loan_cap[t]``: loan[t] <= ``finance.loan_cap_yuan``.
Defines ``m._expr["debt_service"][t]`` (million Yuan paid in period t: interest and
instalments) and ``m._expr["interest"][t]`` (million Yuan/yr: the period's interest
divided by its years).
"""

from __future__ import annotations

from typing import Any

import pyomo.environ as pyo

from planner.core.units import MONEY
from planner.model.data import ModelData
from planner.model.rows import RowInfo
from planner.model.terms import add_rows

FAMILY = "loans"
SENTENCE = (
    "GEP ecological value loans, a lending business based on the assessed GEP value [P §4.4(2)], "
    "repaid in equal instalments with interest from later budgets."
)

# the model expressions (``m._expr``) this family defines and the ones it reads, which families
# added before it must define (tests/test_rule_names.py checks the order of families())
DEFINES: tuple[str, ...] = ("debt_service", "interest")
READS: tuple[str, ...] = ("gep",)

# what each constraint means to a planner (explanations, diagnosis, docs)
ROWS: dict[str, RowInfo] = {
    "loan_gep": RowInfo(
        "GEP-value loan within its share of GEP", "Yuan", ("period",), scale=MONEY, field="finance.loan_to_gep"
    ),
    "loan_cap": RowInfo("GEP-value loan cap", "Yuan", ("period",), scale=MONEY, field="finance.loan_cap_yuan"),
}


def schedule(
    years: list[float], rate: float, term: int
) -> tuple[dict[tuple[int, int], tuple[float, float]], dict[int, float]]:
    """The repayment schedule of one unit of loan drawn in each period.

    ``years``: each period's length, in order. Returns ``({(s, t): (interest, repaid)}, {s:
    outstanding})``: for a loan drawn in period s and each period t >= s (by position), the
    interest and the principal paid in t per unit of loan, and the balance still owed after
    the last period. In s itself the whole loan is outstanding for the whole period. Loan
    year k (k = 1..term) runs from k-1 to k years after the end of s; its balance is
    1 - (k-1)/term, its interest is charged on that balance for the part of the year that
    falls in t, and its instalment of 1/term is paid in the period whose span holds the
    year's end."""
    out: dict[tuple[int, int], tuple[float, float]] = {}
    owed: dict[int, float] = {}
    for s, ys in enumerate(years):
        out[(s, s)] = (rate * ys, 0.0)
        a, repaid = 0.0, 0.0
        for t in range(s + 1, len(years)):
            b = a + years[t]
            interest, paid = 0.0, 0.0
            for k in range(1, term + 1):
                overlap = max(0.0, min(b, k) - max(a, k - 1))
                interest += rate * (1 - (k - 1) / term) * overlap
                if a + 1e-9 < k <= b + 1e-9:
                    paid += 1 / term
            out[(s, t)] = (interest, paid)
            repaid += paid
            a = b
        owed[s] = max(0.0, 1.0 - repaid)
    return out, owed


def add(m: pyo.ConcreteModel, d: ModelData) -> None:
    fin = d.inst.finance
    years = [d.period[t].years for t in d.periods]
    debt: dict[str, Any] = {}
    interest: dict[str, Any] = {}
    if fin.loans_enabled:
        sched, _owed = schedule(years, fin.loan_interest_rate, fin.loan_term_years)
        for i, t in enumerate(d.periods):
            paid = [(s, *sched[(j, i)]) for j, s in enumerate(d.periods[: i + 1])]
            debt[t] = pyo.quicksum((rate + rep) * m.loan[s] for s, rate, rep in paid if rate + rep)
            interest[t] = pyo.quicksum(rate / years[i] * m.loan[s] for s, rate, _rep in paid if rate)
    else:
        debt = {t: 0.0 for t in d.periods}
        interest = {t: 0.0 for t in d.periods}
    m._expr["debt_service"] = debt
    m._expr["interest"] = interest
    if fin.loans_enabled:
        add_rows(m, FAMILY, "loan_gep", {t: m.loan[t] <= fin.loan_to_gep * m._expr["gep"][t] for t in d.periods})
        add_rows(m, FAMILY, "loan_cap", {t: m.loan[t] <= fin.loan_cap_yuan / MONEY for t in d.periods})
    else:
        for t in d.periods:
            m.loan[t].fix(0.0)
