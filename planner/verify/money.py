"""The money of a plan, recomputed from its decisions and the instance: per period the
income of each village and recipient (forestry and agricultural carbon, land income and
subsidies, project income), GEP, spending (establishment, project capital, wages), loans
and interest, and from them the objective's parts.

:func:`recompute` fills ``Context.money``, which the budget, loans and dividend-floor
checks (:mod:`planner.verify.budget`, :mod:`planner.verify.loans`,
:mod:`planner.verify.dividend_floor`), :func:`check_kpis` and
:mod:`planner.verify.derived` read. Who earns the forestry carbon income follows the
carbon applications (:func:`planner.verify.carbon_application.forest`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from planner.core.units import MU_PER_HA
from planner.instance.quantities import cover_values
from planner.verify.carbon_application import forest, owners
from planner.verify.context import Context, Report, built_projects, close


def recompute(c: Context) -> dict[str, float]:
    """Fill ``c.money`` for every period and return the objective: ``weighted`` (the
    weighted sum of GEP and dividends less interest), ``gep`` and ``dividends`` (the
    lexicographic goals), each summed over the periods with their weights (Yuan/yr)."""
    inst, lib = c.inst, c.lib
    fc = lib.carbon_methods["forestry"].t_per_mu_per_yr * MU_PER_HA * inst.prices.forestry_carbon_yuan_per_t
    ac = (
        lib.carbon_methods["agricultural"].t_per_mu_per_yr
        * MU_PER_HA
        * inst.prices.agricultural_carbon_yuan_per_t
        * inst.prices.agricultural_carbon_participation
    )
    par = c.par
    built = built_projects(c)
    fin = c.tables.get("finance", pd.DataFrame())
    loans = dict(zip(fin["period"].tolist(), (float(x) for x in fin["loan_yuan"].tolist()))) if not fin.empty else {}
    o = owners(c)
    recips = set(inst.objective.dividend_recipients)
    objective = {"weighted": 0.0, "gep": 0.0, "dividends": 0.0}
    fin_inst = inst.finance
    ledger = loan_ledger(c, loans) if fin_inst.loans_enabled else {}
    # income is summed by (village, recipient) codes: villages as in the parcel table, then any
    # other host (and "(township)") as projects name them; recipients in order of first use
    p_vcode, vil_seen = pd.factorize(par["village"], use_na_sentinel=False)
    vnames: list[Any] = list(vil_seen)
    vindex = {v: i for i, v in enumerate(vnames)}
    rnames: list[Any] = ["villagers", "village_collective"]
    rindex = {r: i for i, r in enumerate(rnames)}

    def code(names: list[Any], index: dict[Any, int], x: Any) -> int:
        if x not in index:
            index[x] = len(names)
            names.append(x)
        return index[x]

    # per parcel: whether a villager owns it, and whether it may also apply individually
    p_indiv, p_ind_ok = o.individual, o.may_apply
    VIL, COL = rindex["villagers"], rindex["village_collective"]
    reg = (par["carbon_registered"].astype(bool) & c.pcoef("forest", c.is_forest_cover).astype(bool)).to_numpy(
        dtype=bool
    )
    agri_c = (
        c.pcoef("agricultural_carbon", lambda x: lib.covers[x].agricultural_carbon).astype(bool).to_numpy(dtype=bool)
    )
    val_c = c.pcoef("land_income", lambda x: lib.covers[x].income_yuan_per_ha_yr + lib.covers[x].subsidy_yuan_per_ha_yr)
    gep_c = c.pcoef("gep", lambda x: c.gep_ha(x, True))
    own = cover_values(par, lib)  # per-parcel quantities (parcels.quantities) replace the cover's
    if own is not None:
        gep_c = own.sum(axis=1) * c.equiv_yuan() * par["cover"].map(lambda x: inst.prices.gep_multipliers.get(x, 1.0))
    # one period's income flows, gathered as arrays and summed once
    vs: list[np.ndarray] = []
    rs: list[np.ndarray] = []
    ys: list[np.ndarray] = []

    def put(v: Any, r: Any, y: Any) -> None:
        """Add Yuan/yr ``y`` to village code(s) ``v`` and recipient code(s) ``r``."""
        y = np.atleast_1d(np.asarray(y, dtype=float))
        vs.append(np.broadcast_to(np.asarray(v, dtype=np.int64), y.shape))
        rs.append(np.broadcast_to(np.asarray(r, dtype=np.int64), y.shape))
        ys.append(y)

    for t in c.periods:
        at = c.at(t)
        used = c.used(t)
        remain = par["area_ha"] - used
        rem = remain.to_numpy(dtype=float)
        vs.clear()
        rs.clear()
        ys.clear()
        # forestry carbon by parcel, to the villager who applied (or may) or to the collective
        f = forest(c, t)
        forestry = 0.0
        # carbon income by village code, forestry and agricultural (for the village targets)
        by_v_f = np.zeros(len(p_vcode) and int(p_vcode.max()) + 1)
        by_v_a = np.zeros_like(by_v_f)
        if len(f.parcels):
            y = f.ha * fc
            put(p_vcode[f.pos], np.where(f.to_villager, VIL, COL), y)
            forestry += float(y.sum())
            np.add.at(by_v_f, p_vcode[f.pos], y)
        # registered carbon forest still under its cover
        y = rem[reg] * fc
        put(p_vcode[reg], np.where(p_ind_ok[reg], VIL, COL), y)
        forestry += float(y.sum())
        np.add.at(by_v_f, p_vcode[reg], y)
        # agricultural carbon: cropland left as it is, and uses that keep it
        y = rem[agri_c] * ac
        put(p_vcode[agri_c], np.where(p_indiv[agri_c], VIL, COL), y)
        agri = float(y.sum())
        np.add.at(by_v_a, p_vcode[agri_c], y)
        ag = at[c.ucoef(at, "agricultural_carbon", lambda u: lib.uses[u].agricultural_carbon).astype(bool)]
        pos = c.need_parcels(ag)
        y = ag["area_ha"].to_numpy(dtype=float) * ac
        put(p_vcode[pos], np.where(p_indiv[pos], VIL, COL), y)
        agri += float(y.sum())
        np.add.at(by_v_a, p_vcode[pos], y)
        # land income and subsidies to the owner
        put(p_vcode, np.where(p_indiv, VIL, COL), rem * val_c.to_numpy(dtype=float))
        y = (
            at["area_ha"].to_numpy(dtype=float)
            * c.ucoef(
                at, "land_income", lambda u: lib.uses[u].income_yuan_per_ha_yr + lib.uses[u].subsidy_yuan_per_ha_yr
            ).to_numpy()
        )
        paid = at[y != 0]
        pos = c.need_parcels(paid)
        put(p_vcode[pos], np.where(p_indiv[pos], VIL, COL), y[y != 0])
        for j in inst.projects:
            if built.get((j.id, t), False):
                inc = sum(j.income_yuan_per_yr.values())
                for r, s in j.shares.items():
                    host = j.host_village if r in ("villagers", "village_collective") else "(township)"
                    put(code(vnames, vindex, host), code(rnames, rindex, r), inc * s)
        nr = len(rnames)
        key = np.concatenate(vs) * nr + np.concatenate(rs)
        total = np.bincount(key, weights=np.concatenate(ys), minlength=len(vnames) * nr)
        seen = np.bincount(key, minlength=len(vnames) * nr)
        income = {(vnames[k // nr], rnames[k % nr]): float(total[k]) for k in np.flatnonzero(seen)}
        dividends = sum(y for (v, r), y in income.items() if r in recips)
        # GEP
        idx = c.period[t].gep_price_index
        gep = idx * (
            float((remain * gep_c).sum())
            + float((at["area_ha"] * c.ucoef(at, "gep", lambda u: c.gep_ha(u, False))).sum())
        )
        gep += idx * sum(j.gep_yuan_per_yr for j in inst.projects if built.get((j.id, t), False))
        # spending
        prev = c.by_parcel_use(c.prev[t])
        now = c.by_parcel_use(t)
        add = now.sub(prev.reindex(now.index).fillna(0.0))
        cost = (
            c.ucoef(at, "establishment_cost", lambda u: lib.uses[u].establishment_cost_yuan_per_ha).to_numpy()
            * inst.prices.establishment_cost_multiplier
        )
        land = float((add * cost).sum())
        prev_t = c.prev[t]
        capex = float(
            sum(
                j.capex_yuan
                for j in inst.projects
                if built.get((j.id, t), False) and not (prev_t and built.get((j.id, prev_t), False))
            )
        )
        rec = c.tables.get("recruitment", pd.DataFrame(columns=["village", "role", "period", "count"]))
        wage = {r.id: r.wage_yuan_per_yr for r in inst.roles}
        rr = rec[rec["period"] == t] if not rec.empty else rec
        wages = (
            float((rr["count"].astype(float) * rr["role"].map(wage).astype(float)).sum()) * c.period[t].years
            if len(rr)
            else 0.0
        )
        loan = loans.get(t, 0.0)
        paid_interest = sum(e["interest"] for (_s, tt), e in ledger.items() if tt == t)
        repaid = sum(e["repaid"] for (_s, tt), e in ledger.items() if tt == t)
        debt = paid_interest + repaid
        interest = paid_interest / c.period[t].years
        spend = land + capex + wages + debt
        c.money[t] = {
            "income": income,  # (village, recipient) -> Yuan/yr
            "dividends": dividends,
            "forestry_carbon": forestry,
            "agricultural_carbon": agri,
            "gep": gep,
            "spend": spend,
            "establishment": land,
            "capex": capex,
            "wages": wages,
            "loan": loan,
            "interest": interest,  # Yuan/yr: the period's interest over its years
            "debt_service": debt,  # Yuan paid in the period: interest and instalments
            "forestry_by_village": {vnames[k]: float(by_v_f[k]) for k in range(len(by_v_f))},
            "agricultural_by_village": {vnames[k]: float(by_v_a[k]) for k in range(len(by_v_a))},
        }
        w = c.period[t].weight
        objective["weighted"] += w * (
            inst.objective.gep_weight * gep + inst.objective.dividend_weight * (dividends - interest)
        )
        objective["gep"] += w * gep
        objective["dividends"] += w * (dividends - interest)
    c.loan_ledger = ledger
    return objective


def loan_ledger(c: Context, loans: dict[str, float]) -> dict[tuple[str, str], dict[str, float]]:
    """The repayment of every loan drawn, period by period, on a time line of years from the
    start of the first period: {(loan's period, period): {"interest", "repaid", "owed"}} in
    Yuan, "owed" the balance at the end of the period. A loan is drawn when its period
    starts and owed in full until the period ends; then, year after year for
    ``finance.loan_term_years`` years, a year's interest on the balance owed during that
    year (spread over the periods the year falls in, by their share of it) and an equal
    share of the principal at the year's end (in the period whose span holds that
    instant)."""
    fin = c.inst.finance
    rate, term = fin.loan_interest_rate, fin.loan_term_years
    start, end, at = {}, {}, 0.0
    for t in c.periods:
        start[t] = at
        at += c.period[t].years
        end[t] = at
    out: dict[tuple[str, str], dict[str, float]] = {}
    for s in c.periods:
        amount = loans.get(s, 0.0)
        if amount <= 0:
            continue
        later = c.periods[c.periods.index(s) :]
        book = {t: {"interest": 0.0, "repaid": 0.0} for t in later}
        book[s]["interest"] = rate * amount * c.period[s].years
        balance = amount
        for k in range(term):  # loan year k + 1 runs from end[s] + k to end[s] + k + 1
            y0, y1 = end[s] + k, end[s] + k + 1
            for t in later[1:]:
                share = max(0.0, min(y1, end[t]) - max(y0, start[t]))
                book[t]["interest"] += rate * balance * share
            instalment = amount / term
            due = next((t for t in later[1:] if start[t] + 1e-9 < y1 <= end[t] + 1e-9), None)
            if due is not None:
                book[due]["repaid"] += instalment
            balance -= instalment
        owed = amount
        for t in later:
            owed -= book[t]["repaid"]
            out[(s, t)] = {**book[t], "owed": max(owed, 0.0)}
    return out


def check_kpis(c: Context, rep: Report) -> None:
    """The money KPIs of each period (GEP, carbon income, dividends, budget used) as
    :func:`recompute` gives them; rule ``kpis``."""
    kpis = c.tables.get("kpis", pd.DataFrame())
    kp = {r["period"]: r for _, r in kpis.iterrows()} if not kpis.empty else {}
    for t in c.periods:
        m = c.money[t]
        rep.check("kpis")
        if t in kp:
            for name, val in (
                ("gep_yuan", m["gep"]),
                ("forestry_carbon_income_yuan", m["forestry_carbon"]),
                ("agricultural_carbon_income_yuan", m["agricultural_carbon"]),
                ("dividends_yuan", m["dividends"]),
                ("budget_used_yuan", m["spend"]),
            ):
                got = float(kp[t][name])
                if not close(got, val):
                    rep.bad("kpis", f"{name}, {t}", "reported KPI does not match the recomputation", got, val)
        else:
            rep.bad("kpis", t, "no KPI row for the period")
