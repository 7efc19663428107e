"""Budget: what each period spends stays within its budget plus the loan drawn.

Requirements §3: a budget per period. Spend (million Yuan) in period t is the
establishment cost of the area added in t, the capital cost of the projects first built
in t, the wages of the people recruited, for the period's years, and the interest and
loan instalments that fall in t (``m._expr["debt_service"]``, family ``loans``).

Constraint ``budget[t]``: spend[t] <= ``periods[].budget_yuan`` + loan[t] (loan[t] is 0
unless ``loans`` allows it). Defines ``m._expr["spend"][t]``.
"""

from __future__ import annotations

from typing import Any

import pyomo.environ as pyo

from planner.core.units import MONEY
from planner.model.data import ModelData
from planner.model.rows import RowInfo
from planner.model.terms import add_rows, added

FAMILY = "budget"
SENTENCE = "A budget per period for establishment, project capital, wages and loan service, relaxed by GEP-value loans."

# the model expressions (``m._expr``) this family defines and the ones it reads, which families
# added before it must define (tests/test_rule_names.py checks the order of families())
DEFINES: tuple[str, ...] = ("spend",)
READS: tuple[str, ...] = ("debt_service",)

# what each constraint means to a planner (explanations, diagnosis, docs)
ROWS: dict[str, RowInfo] = {
    "budget": RowInfo("budget", "Yuan", ("period",), scale=MONEY, field="periods.{period}.budget_yuan"),
}


def add(m: pyo.ConcreteModel, d: ModelData) -> None:
    inst = d.inst
    pu = d.pu
    spend: dict[str, Any] = {}
    costly = pu[pu["cost_per_ha"] > 0]
    for t in d.periods:
        prev = d.prev[t]
        land = added(m, d, costly, t, "cost_per_ha", 1 / MONEY)
        capex = pyo.quicksum(
            j.capex_yuan / MONEY * (m.built[j.id, t] - (m.built[j.id, prev] if prev else 0)) for j in inst.projects
        )
        years = d.period[t].years
        wages = pyo.quicksum(
            r.wage_yuan_per_yr * years / MONEY * m.recruit[v, r.id, t]
            for r in inst.roles
            if r.wage_yuan_per_yr
            for v in d.villages
        )
        spend[t] = land + capex + wages + m._expr["debt_service"][t]
    m._expr["spend"] = spend
    add_rows(m, FAMILY, "budget", {t: spend[t] <= d.period[t].budget_yuan / MONEY + m.loan[t] for t in d.periods})
