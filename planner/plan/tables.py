"""The plan's tables from a solved model: one function per table of
``planner.core.plan_format.TABLES``, and :func:`build_tables` that makes them all.

The tables read the model's solved values in planner words (village, parcel, use,
period, role, recipient). Several tables are built from others: the land allocation in
the model's land units (:func:`model_allocations`) feeds gardens, street green, finance,
GEP and KPIs; projects and recruitment feed finance and KPIs; gardens feed KPIs. Each is
computed once, in :func:`build_tables`, and handed to the tables that need it.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pyomo.environ as pyo

from planner.core.units import MONEY
from planner.instance.quantities import cover_values
from planner.model.data import GARDEN_KINDS
from planner.model.rules import loans as loan_rules
from planner.model.rules import targets as target_rules

# a solved value at or below this is zero (areas, counts, flows)
TOL = 1e-6


def _val(x: Any) -> float:
    v = pyo.value(x, exception=False)
    return 0.0 if v is None else float(v)


def build_tables(li, d, m) -> dict[str, pd.DataFrame]:
    """Every table of the plan, by name in the order of ``TABLES``, from the solved model
    ``m`` built from ``d`` (planner.model.data.ModelData) for the loaded instance ``li``."""
    inst = li.instance
    alloc = model_allocations(d, m)
    garden_table = gardens(d, m, alloc)
    street_table = street_green(inst, d, m, alloc)
    project_table = projects(inst, d, m)
    recruitment_table = recruitment(m)
    group_table = recruitment_groups(m)
    carbon_table = carbon_applications(d, m)
    finance_table = finance(d, m, alloc, project_table, recruitment_table)
    gep_table = gep(d, alloc, project_table)
    dividend_table = dividends(inst, m)
    kpi_table = kpis(d, m, alloc, garden_table, project_table, recruitment_table)
    return {
        "allocations": allocations(d, alloc),
        "gardens": garden_table,
        "street_green": street_table,
        "projects": project_table,
        "recruitment": recruitment_table,
        "recruitment_groups": group_table,
        "carbon_applications": carbon_table,
        "finance": finance_table,
        "gep": gep_table,
        "dividends": dividend_table,
        "kpis": kpi_table,
        "loans": loan_schedule(d, m),
        "targets": targets(d, m),
    }


def model_allocations(d, m) -> pd.DataFrame:
    """Area per (parcel, use, period) above ``TOL`` in the model's land units (merged
    parcels are one unit, planner.model.aggregate), with village, cover and kind; the
    other tables are computed from this one."""
    rec = []
    for (p, u, t), var in m.x.items():
        v = var.value or 0.0
        if v > TOL:
            rec.append((p, u, t, v))
    alloc = pd.DataFrame(rec, columns=["parcel", "use", "period", "area_ha"]).astype({"area_ha": float})
    meta = d.pu.set_index(["parcel", "use"])[["village", "kind", "cover"]]
    alloc = alloc.join(meta, on=["parcel", "use"])
    alloc = alloc[["village", "parcel", "cover", "use", "kind", "period", "area_ha"]]
    return alloc.sort_values(["period", "village", "parcel", "use"], key=_period_key(d.periods)).reset_index(drop=True)


def allocations(d, alloc: pd.DataFrame) -> pd.DataFrame:
    """The allocations table: ``alloc`` (:func:`model_allocations`) back on parcels, a
    merged land unit's area shared among its parcels in proportion to their area."""
    if d.land.merged:  # land units back to parcels, in proportion to area (planner.model.aggregate)
        alloc = d.land.split(alloc).sort_values(["period", "village", "parcel", "use"], key=_period_key(d.periods))
        alloc = alloc.reset_index(drop=True)
    return alloc


def gardens(d, m, alloc: pd.DataFrame) -> pd.DataFrame:
    """Per garden village and period: whether the garden is built, its area and the part
    of it under vegetation."""
    g_rows = []
    gard = alloc[alloc["kind"].isin(GARDEN_KINDS)].copy()
    veg = {u: d.lib.uses[u].vegetation_cover for u in d.lib.uses}
    gard["veg_ha"] = gard["area_ha"].astype(float) * gard["use"].map(veg).astype(float)
    for v in d.garden_villages:
        for t in d.periods:
            sel = gard[(gard["village"] == v) & (gard["period"] == t)]
            area = float(sel["area_ha"].sum())
            vha = float(sel["veg_ha"].sum())
            built = round(_val(m.garden[v, t])) == 1
            g_rows.append(
                {
                    "village": v,
                    "period": t,
                    "built": built,
                    "area_ha": area,
                    "vegetated_ha": vha,
                    "vegetation_coverage": (vha / area) if area > TOL else None,
                }
            )
    return pd.DataFrame(
        g_rows, columns=["village", "period", "built", "area_ha", "vegetated_ha", "vegetation_coverage"]
    )


def street_green(inst, d, m, alloc: pd.DataFrame) -> pd.DataFrame:
    """Per period, the number of street-green plots and their area; empty when the
    instance has no street-green policy."""
    if not inst.policies.street_green:
        return pd.DataFrame(columns=["period", "count", "area_ha"])
    return pd.DataFrame(
        [
            {
                "period": t,
                "count": int(round(_val(m.street_green[t]))),
                "area_ha": float(
                    alloc.loc[(alloc["kind"] == "street_green") & (alloc["period"] == t), "area_ha"].sum()
                ),
            }
            for t in d.periods
        ]
    )


def projects(inst, d, m) -> pd.DataFrame:
    """Per project and period: built, newly built (its capex falls in that period) and
    its income while built."""
    p_rows = []
    for j in inst.projects:
        prev = 0
        for t in d.periods:
            b = int(round(_val(m.built[j.id, t])))
            p_rows.append(
                {
                    "project": j.id,
                    "name": j.name,
                    "channel": j.channel,
                    "host_village": j.host_village,
                    "period": t,
                    "built": bool(b),
                    "newly_built": bool(b and not prev),
                    "capex_yuan": j.capex_yuan if (b and not prev) else 0.0,
                    "income_yuan_per_yr": sum(j.income_yuan_per_yr.values()) if b else 0.0,
                }
            )
            prev = b
    return pd.DataFrame(
        p_rows,
        columns=[
            "project",
            "name",
            "channel",
            "host_village",
            "period",
            "built",
            "newly_built",
            "capex_yuan",
            "income_yuan_per_yr",
        ],
    )


def recruitment(m) -> pd.DataFrame:
    """People recruited per village, role and period (rows with a count above zero)."""
    r_rows = [
        {"village": v, "role": r, "period": t, "count": int(round(var.value or 0))}
        for (v, r, t), var in m.recruit.items()
    ]
    table = pd.DataFrame(r_rows, columns=["village", "role", "period", "count"])
    return table[table["count"] > 0].reset_index(drop=True)


def recruitment_groups(m) -> pd.DataFrame:
    """Recruits assigned to each group per village, role and period; empty when the model
    assigns no groups."""
    g_rows = []
    if hasattr(m, "assign"):
        for (v, r, g, t), var in m.assign.items():
            if (var.value or 0) > TOL:
                g_rows.append({"village": v, "role": r, "group": g, "period": t, "count": float(var.value)})
    return pd.DataFrame(g_rows, columns=["village", "role", "group", "period", "count"])


def carbon_applications(d, m) -> pd.DataFrame:
    """Carbon applications of individually owned parcels (>= 0.67 ha) per period: whether
    the holding applies individually and the area applied individually and collectively."""
    par = d.parcels
    c_rows = []
    for site, ps in d.carbon_sites.items():
        for t in d.periods:
            ind = bool(round(_val(m.individual[site, t])))
            for p in ps:
                c_rows.append(
                    {
                        "parcel": p,
                        "village": par.at[p, "village"],
                        "period": t,
                        "individual": ind,
                        "individual_ha": max(_val(m.IC_F[p, t]), 0.0),
                        "collective_ha": max(_val(m.IC_C[p, t]), 0.0),
                        "holding": site if len(ps) > 1 else "",
                    }
                )
    return pd.DataFrame(
        c_rows, columns=["parcel", "village", "period", "individual", "individual_ha", "collective_ha", "holding"]
    )


def finance(d, m, alloc: pd.DataFrame, project_table: pd.DataFrame, recruitment_table: pd.DataFrame) -> pd.DataFrame:
    """Per period: budget, loan, interest (a year's average), budget used and what it was
    spent on (establishment of new land uses, project capex, wages, and the interest and
    loan instalments paid in the period)."""
    e = m._expr
    f_rows = []
    for t in d.periods:
        spend = _val(e["spend"][t]) * MONEY
        f_rows.append(
            {
                "period": t,
                "budget_yuan": d.period[t].budget_yuan,
                "loan_yuan": _val(m.loan[t]) * MONEY,
                "interest_yuan_per_yr": _val(e["interest"][t]) * MONEY,
                "budget_used_yuan": spend,
                **_spend_parts(d, alloc, project_table, recruitment_table, t),
                "debt_service_yuan": _val(e["debt_service"][t]) * MONEY,
            }
        )
    return pd.DataFrame(f_rows)


def gep(d, alloc: pd.DataFrame, project_table: pd.DataFrame) -> pd.DataFrame:
    """GEP per village, service and period: of the land left as it is, of the land in
    each use and of the built projects, at the period's GEP price index."""
    par = d.parcels
    cat = {s.id: s.category.value for s in d.lib.services}
    rows = []
    own = cover_values(par, d.lib)  # per-parcel quantities (parcels.quantities), in Yuan/ha/yr
    if own is not None:
        mult = par["cover"].map(lambda c: d.inst.prices.gep_multipliers.get(c, 1.0))
        own = own.mul(d.gep_equiv_yuan() * mult, axis=0)
    for t in d.periods:
        idx = d.period[t].gep_price_index
        a = alloc[alloc["period"] == t]
        used = a.groupby("parcel")["area_ha"].sum().reindex(par.index).fillna(0.0)
        remain = par["area_ha"] - used
        acc: dict[tuple[str, str], float] = {}
        if own is None:
            for cover, grp in par.assign(remain=remain).groupby("cover"):
                per = d.gep_by_service(cover, "cover")
                by_v = grp.groupby("village")["remain"].sum()
                for v, ha in by_v.items():
                    for s, val in per.items():
                        acc[(v, s)] = acc.get((v, s), 0.0) + ha * val * idx
        else:  # per-parcel quantities: the land left under its cover, parcel by parcel
            by_vs = own.mul(remain * idx, axis=0).groupby(par["village"]).sum()
            for v, vals in by_vs.iterrows():
                for s, val in vals.items():
                    if val:
                        acc[(v, s)] = acc.get((v, s), 0.0) + val
        for (v, u), ha in a.groupby(["village", "use"])["area_ha"].sum().items():
            for s, val in d.gep_by_service(u, "use").items():
                acc[(v, s)] = acc.get((v, s), 0.0) + ha * val * idx
        for (v, s), val in acc.items():
            rows.append({"village": v, "service": s, "category": cat[s], "period": t, "gep_yuan": val})
        pj = project_table[(project_table["period"] == t) & project_table["built"]]
        for _, r in pj.iterrows():
            j = next(x for x in d.inst.projects if x.id == r["project"])
            if j.gep_yuan_per_yr:
                rows.append(
                    {
                        "village": j.host_village,
                        "service": f"project:{j.id}",
                        "category": "cultural",
                        "period": t,
                        "gep_yuan": j.gep_yuan_per_yr * idx,
                    }
                )
    return pd.DataFrame(rows, columns=["village", "service", "category", "period", "gep_yuan"])


def dividends(inst, m) -> pd.DataFrame:
    """Income per village, recipient and period (rows above 1e-6 Yuan/yr), and whether the
    objective counts the recipient's income as a dividend."""
    dv = [
        {"village": v, "recipient": r, "period": t, "yuan_per_yr": _val(x) * MONEY}
        for (v, r, t), x in m._expr["income_to"].items()
    ]
    table = pd.DataFrame(dv, columns=["village", "recipient", "period", "yuan_per_yr"])
    table["counts_as_dividend"] = table["recipient"].isin(inst.objective.dividend_recipients)
    return (
        table[table["yuan_per_yr"].abs() > 1e-6].sort_values(["period", "village", "recipient"]).reset_index(drop=True)
    )


def kpis(
    d,
    m,
    alloc: pd.DataFrame,
    garden_table: pd.DataFrame,
    project_table: pd.DataFrame,
    recruitment_table: pd.DataFrame,
) -> pd.DataFrame:
    """The key figures per period: GEP, carbon income, dividends, budget, afforested and
    forest area, coverages, ecological space, and the gardens, projects and people counted."""
    e = m._expr
    k_rows = []
    for t in d.periods:
        state = _state(d, alloc, t)
        k_rows.append(
            {
                "period": t,
                "gep_yuan": _val(e["gep"][t]) * MONEY,
                "forestry_carbon_income_yuan": _val(e["forestry_carbon"][t]) * MONEY,
                "agricultural_carbon_income_yuan": _val(e["agricultural_carbon"][t]) * MONEY,
                "dividends_yuan": _val(e["dividends"][t]) * MONEY,
                "budget_used_yuan": _val(e["spend"][t]) * MONEY,
                "budget_yuan": d.period[t].budget_yuan,
                "afforested_ha": float(
                    alloc.loc[(alloc["kind"] == "forest") & (alloc["period"] == t), "area_ha"].sum()
                ),
                "forest_ha": state["forest_ha"],
                "vegetation_coverage": state["vegetation_ha"] / d.total_area,
                "forest_coverage": state["forest_ha"] / d.total_area,
                "ecological_space_ha": state["eco_ha"],
                "gardens_built": int(garden_table.loc[garden_table["period"] == t, "built"].sum()),
                "projects_built": int(project_table.loc[project_table["period"] == t, "built"].sum()),
                "recruited_people": int(recruitment_table.loc[recruitment_table["period"] == t, "count"].sum()),
            }
        )
    return pd.DataFrame(k_rows)


#: A loan below this (Yuan) is no loan: it has no schedule in the ``loans`` table.
LOAN_MIN_YUAN = 0.01


def loan_schedule(d, m) -> pd.DataFrame:
    """Per loan (the period it is drawn in) and period from then on: the loan, the interest
    and the principal paid in the period, the balance owed at its end (on the last period's
    row: what is still owed after the horizon) and the year the last instalment falls in
    (:func:`planner.model.rules.loans.schedule`)."""
    cols = ["loan", "period", "principal_yuan", "interest_yuan", "repaid_yuan", "outstanding_yuan", "paid_off_year"]
    fin = d.inst.finance
    if not fin.loans_enabled:
        return pd.DataFrame(columns=cols)
    years = [d.period[t].years for t in d.periods]
    sched, _owed = loan_rules.schedule(years, fin.loan_interest_rate, fin.loan_term_years)
    rows = []
    for s, ts in enumerate(d.periods):
        amount = _val(m.loan[ts]) * MONEY
        if amount <= LOAN_MIN_YUAN:
            continue
        owed = amount
        for i in range(s, len(d.periods)):
            interest, repaid = sched[(s, i)]
            owed -= repaid * amount
            rows.append(
                {
                    "loan": ts,
                    "period": d.periods[i],
                    "principal_yuan": amount,
                    "interest_yuan": interest * amount,
                    "repaid_yuan": repaid * amount,
                    "outstanding_yuan": max(owed, 0.0),
                    "paid_off_year": d.period[ts].year + fin.loan_term_years,
                }
            )
    return pd.DataFrame(rows, columns=cols)


#: A target is met within this share of its limit (or this much, for limits near zero).
TARGET_TOL = 1e-6


def targets(d, m) -> pd.DataFrame:
    """Every target of the instance, required or reported: its KPI, period, village and
    service, limits, the plan's value (the KPI's unit: Yuan/yr, Yuan, ha, a share, a count)
    and whether it is met (:mod:`planner.model.rules.targets` states the figures)."""
    cols = ["target", "kpi", "period", "village", "service", "label", "required", "min", "max", "value", "met"]
    rows = []
    for i, tg in enumerate(d.inst.targets):
        area = target_rules.scope_area(d, tg.village) if tg.kpi in target_rules.SHARES else 0.0
        val = target_rules.in_kpi_units(tg.kpi, _val(target_rules.figure(m, d, tg)), area)
        rows.append(
            {
                "target": target_rules.key(i, tg),
                "kpi": tg.kpi,
                "period": tg.period,
                "village": tg.village or "",
                "service": tg.service or "",
                "label": tg.label,
                "required": tg.required,
                "min": tg.min,
                "max": tg.max,
                "value": val,
                "met": target_met(val, tg.min, tg.max),
            }
        )
    return pd.DataFrame(rows, columns=cols)


def target_met(value: float, lo: float | None, hi: float | None) -> bool:
    """Whether ``value`` lies within [lo, hi] (a side None is open), to ``TARGET_TOL``."""

    def tol(x: float) -> float:
        return TARGET_TOL * max(1.0, abs(x))

    return (lo is None or value >= lo - tol(lo)) and (hi is None or value <= hi + tol(hi))


def _period_key(periods: list[str]):
    """A sort key that orders the ``period`` column as the instance's periods, not by name."""
    order = {t: i for i, t in enumerate(periods)}

    def key(col: pd.Series) -> pd.Series:
        return col.map(order) if col.name == "period" else col

    return key


def _spend_parts(d, alloc, projects, recruitment, t) -> dict[str, float]:
    """What period ``t``'s budget was spent on: establishing the area added to each use
    since the period before, project capex and the recruits' wages over the period."""
    prev = d.prev[t]
    cost = d.pu.set_index(["parcel", "use"])["cost_per_ha"]
    now = alloc[alloc["period"] == t].set_index(["parcel", "use"])["area_ha"]
    before = alloc[alloc["period"] == prev].set_index(["parcel", "use"])["area_ha"] if prev else now * 0.0
    add = now.sub(before, fill_value=0.0).clip(lower=0)
    land = float((add.astype(float) * cost.reindex(add.index).fillna(0).astype(float)).sum())
    capex = float(projects.loc[projects["period"] == t, "capex_yuan"].sum())
    wage = {r.id: r.wage_yuan_per_yr for r in d.inst.roles}
    rr = recruitment[recruitment["period"] == t]
    wages = float((rr["count"].astype(float) * rr["role"].map(wage).astype(float)).sum()) * d.period[t].years
    return {"establishment_yuan": land, "project_capex_yuan": capex, "wages_yuan": wages}


def _state(d, alloc, t) -> dict[str, float]:
    """The land in period ``t``: vegetated, forest and ecological-space area, of the
    land left as it is and of the land in each use."""
    par = d.parcels
    a = alloc[alloc["period"] == t]
    used = a.groupby("parcel")["area_ha"].sum().reindex(par.index).fillna(0.0)
    remain = par["area_ha"] - used
    uses = d.lib.uses
    area = a["area_ha"].astype(float)

    def per_use(f) -> pd.Series:
        return a["use"].map(f).astype(float)

    umin = d.inst.policies.forest_canopy_min
    veg = float((remain * par["vegetation_cover"]).sum() + (area * per_use(lambda u: uses[u].vegetation_cover)).sum())
    forest = float(
        (remain * par["is_forest"].astype(float)).sum()
        + (area * per_use(lambda u: uses[u].forest and uses[u].canopy_density >= umin)).sum()
    )
    eco = float(
        (remain * par["ecological_space"].astype(float)).sum()
        + (area * per_use(lambda u: uses[u].ecological_space)).sum()
    )
    return {"vegetation_ha": veg, "forest_ha": forest, "eco_ha": eco}
