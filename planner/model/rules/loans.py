"""GEP-value loans: borrowing against the assessed GEP, and their interest.

Paper [P §4.4(2)]: "GEP ecological value loan service is a lending business based on the
assessed GEP value". Requirements §3: optional GEP-value loans and their interest. A loan
drawn in a period adds to that period's budget (family ``budget``); its interest is
charged on every loan drawn so far and subtracted from the dividends in the objective.

Constraints, only when ``finance.loans_enabled`` (otherwise loan[t] is fixed at 0):
- ``loan_gep[t]``: loan[t] <= ``finance.loan_to_gep`` x GEP[t];
- ``loan_cap[t]``: loan[t] <= ``finance.loan_cap_yuan``.
Defines ``m._expr["interest"][t]`` = ``finance.loan_interest_rate`` x the loans drawn up to t.
"""

from __future__ import annotations

from typing import Any

import pyomo.environ as pyo

from planner.core.units import MONEY
from planner.model.data import ModelData
from planner.model.rows import RowInfo
from planner.model.terms import add_rows

FAMILY = "loans"
SENTENCE = "GEP ecological value loans, a lending business based on the assessed GEP value [P §4.4(2)]."

# the model expressions (``m._expr``) this family defines and the ones it reads, which families
# added before it must define (tests/test_rule_names.py checks the order of families())
DEFINES: tuple[str, ...] = ("interest",)
READS: tuple[str, ...] = ("gep",)

# what each constraint means to a planner (explanations, diagnosis, docs)
ROWS: dict[str, RowInfo] = {
    "loan_gep": RowInfo(
        "GEP-value loan within its share of GEP", "Yuan", ("period",), scale=MONEY, field="finance.loan_to_gep"
    ),
    "loan_cap": RowInfo("GEP-value loan cap", "Yuan", ("period",), scale=MONEY, field="finance.loan_cap_yuan"),
}


def add(m: pyo.ConcreteModel, d: ModelData) -> None:
    fin = d.inst.finance
    interest: dict[str, Any] = {}
    for i, t in enumerate(d.periods):
        interest[t] = (
            fin.loan_interest_rate * pyo.quicksum(m.loan[s] for s in d.periods[: i + 1]) if fin.loans_enabled else 0.0
        )
    m._expr["interest"] = interest
    if fin.loans_enabled:
        add_rows(m, FAMILY, "loan_gep", {t: m.loan[t] <= fin.loan_to_gep * m._expr["gep"][t] for t in d.periods})
        add_rows(m, FAMILY, "loan_cap", {t: m.loan[t] <= fin.loan_cap_yuan / MONEY for t in d.periods})
    else:
        for t in d.periods:
            m.loan[t].fix(0.0)
