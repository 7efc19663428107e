"""Dividends, budget and GEP-value loans.

Paper [P §4.4(2)]: the Two Mountains Bank releases "ecological dividends" (carbon
trading, EOD operating income, fruit) to villagers and collectives through carbon
accounts; "GEP ecological value loan service is a lending business based on the
assessed GEP value". Requirements §3: a budget per period, with optional GEP-value
loans and their interest; optionally a floor on each village's dividend.

Dividends (million Yuan/yr) reach a village's villagers and collective from: forestry
and agricultural carbon (see ``carbon``), net land income and subsidies of their land
(fruit, crops, public-welfare forest), and their shares of the EOD projects' income.

Constraints
- ``budget[t]``: establishment costs of the area added in t + capital cost of projects
  built in t + wages x recruits x period years <= budget + loan[t].
- ``loan_gep[t]``: loan[t] <= loan_to_gep x GEP[t]; ``loan_cap[t]``: loan[t] <= cap (family ``loans``);
  when loans are not enabled the variable loan[t] is fixed at 0.
- ``dividend_floor[v, t]``: dividends of village v >= floor (policy ``dividend_floor_yuan``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from planner.core.units import MONEY
from planner.model.rules.carbon_application import owner
from planner.model.terms import add_rows, added, xsum

FAMILY = "budget"
SENTENCE = (
    "Budget per period with optional GEP-value loans and their interest; ecological dividends to villagers "
    "and collectives; optional per-village dividend floor [P §4.4(2)]."
)

VILLAGE_RECIPIENTS = ("villagers", "village_collective")


def add(m, d) -> None:
    inst = d.inst
    pu = d.pu.copy()
    par = d.parcels
    min_ha = inst.policies.individual_carbon_min_ha
    to: dict[tuple, list] = {}
    for (v, rec, t), terms in m._expr["carbon_to"].items():
        to.setdefault((v, rec.split("|")[0], t), []).extend(terms)
    # land income and subsidies to the owner
    par_val = par["income_yuan_per_ha_yr"] + par["subsidy_yuan_per_ha_yr"]
    pu["d_val"] = (pu["income_yuan_per_ha_yr"] + pu["subsidy_yuan_per_ha_yr"]).to_numpy() - par_val.reindex(
        pu["parcel"]
    ).to_numpy()
    # land income goes to the owner (carbon's threshold plays no part here: owner(..., forest=False))
    par_rec = pd.Series(
        np.where(
            par["ownership"].to_numpy() == "individual",
            owner("individual", 0.0, min_ha),
            owner("collective", 0.0, min_ha),
        ),
        index=par.index,
    )
    base = (par["area_ha"] * par_val).groupby([par["village"], par_rec]).sum()
    pu["rec"] = pu["parcel"].map(par_rec)
    nz = pu[pu["d_val"] != 0]
    changed = [
        (v, rec, g.index.to_numpy(), (g["d_val"] / MONEY).to_numpy())
        for (v, rec), g in nz.groupby(["village", "rec"], sort=False)
    ]
    for t in d.periods:
        for (v, rec), val in base.items():
            if val:
                to.setdefault((v, rec, t), []).append(val / MONEY)
        for v, rec, rows, coef in changed:
            to.setdefault((v, rec, t), []).append(xsum(m, rows, t, coef))
        for j in inst.projects:
            income = sum(j.income_yuan_per_yr.values()) / MONEY
            for rec, share in j.shares.items():
                if share:
                    v = j.host_village if rec in VILLAGE_RECIPIENTS else "(township)"
                    to.setdefault((v, rec, t), []).append(income * share * m.built[j.id, t])
    income = {k: pyo.quicksum(v) for k, v in to.items()}
    m._expr["income_to"] = income
    recips = set(inst.objective.dividend_recipients)
    div = {t: pyo.quicksum(e for (v, rec, tt), e in income.items() if tt == t and rec in recips) for t in d.periods}
    m._expr["dividends"] = div

    # loans and interest
    fin = inst.finance
    interest = {}
    for i, t in enumerate(d.periods):
        interest[t] = (
            fin.loan_interest_rate * pyo.quicksum(m.loan[s] for s in d.periods[: i + 1]) if fin.loans_enabled else 0.0
        )
    m._expr["interest"] = interest
    if fin.loans_enabled:
        add_rows(m, "loans", "loan_gep", {t: m.loan[t] <= fin.loan_to_gep * m._expr["gep"][t] for t in d.periods})
        add_rows(m, "loans", "loan_cap", {t: m.loan[t] <= fin.loan_cap_yuan / MONEY for t in d.periods})
    else:
        for t in d.periods:
            m.loan[t].fix(0.0)

    # budget
    spend = {}
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
        spend[t] = land + capex + wages
    m._expr["spend"] = spend
    add_rows(m, FAMILY, "budget", {t: spend[t] <= d.period[t].budget_yuan / MONEY + m.loan[t] for t in d.periods})

    floor = inst.policies.dividend_floor_yuan
    if floor is not None:
        rows = {}
        village_recips = [r for r in VILLAGE_RECIPIENTS if r in recips] or list(VILLAGE_RECIPIENTS)
        for v in d.villages:
            if v == d.town:
                continue
            for t in d.periods:
                rows[(v, t)] = pyo.quicksum(income.get((v, r, t), 0) for r in village_recips) >= floor / MONEY
        add_rows(m, "dividend_floor", "dividend_floor", rows)
