"""The report's sections on the plan itself: status, headline KPIs, targets and villages.

Each section adds to a :class:`planner.report.document.Doc`. The KPI rows, labels, units
and formats come from the KPI registry (:mod:`planner.core.kpis`); the per-village figures
from :mod:`planner.plan.villages`, as in ``plan.gpkg``. The charts and the explanation
have their own modules (:mod:`planner.report.charts`, :mod:`planner.report.explanation`).
"""

from __future__ import annotations

import pandas as pd

from planner.core.kpis import HEADLINE_KPIS, KPI
from planner.core.labels import term
from planner.core.status import label as status_label
from planner.plan.villages import use_areas, village_figures
from planner.report.document import Doc
from planner.report.formats import KPI_UNIT, fmt_gap, fmt_ha, fmt_int, fmt_kpi, fmt_money, num
from planner.report.inputs import table_of, village_order, with_str_period

__all__ = ["KPI_ROWS", "kpi_section", "status_section", "target_section", "village_section"]


def status_section(doc: Doc, plan) -> None:
    """The status, termination, MIP gap and verification first, with a warning when the plan is
    not proved optimal or failed verification."""
    doc.h(2, "Status")
    status = plan.status
    word = status_label(status)
    obj, bound = num(plan.objective), num(plan.objective_bound)
    slack = (bound - obj) if obj is not None and bound is not None else None
    rows = [
        ["Status", word],
        ["Termination", str(plan.termination)],
        [
            "MIP gap",
            fmt_gap(plan.mip_gap) + (f" (bound − objective: {fmt_money(slack)} Yuan/yr)" if slack is not None else ""),
        ],
        ["Objective", f"{fmt_money(obj)} Yuan/yr" if obj is not None else "–"],
        ["Objective bound", f"{fmt_money(bound)} Yuan/yr" if bound is not None else "–"],
    ]
    v = plan.verification
    if v is None:
        ver = "not run"
    elif v.get("passed"):
        ver = f"passed ({len(v.get('checks') or [])} rule checks)"
    else:
        ver = f"FAILED: {len(v.get('violations') or [])} violation(s)"
    rows.append(["Independent verification", ver])
    if plan.status_note:
        rows.append(["Status note", plan.status_note])
    rows.append(["Solver", f"{plan.solver}, solve {plan.solve_time_s:.1f} s, build {plan.build_time_s:.1f} s"])
    rows.append(["Instance", f"{plan.instance_name} ({plan.instance_path})"])
    if plan.overrides:
        rows.append(["Overrides", "; ".join(map(str, plan.overrides))])
    for w in getattr(plan, "warnings", None) or []:
        rows.append(["Warning", str(w)])
    doc.table(["item", "value"], rows)

    if status != "optimal":
        if plan.has_solution:
            extra = f" The best possible objective may be up to {fmt_money(slack)} Yuan/yr higher." if slack else ""
            doc.warn(
                f"This plan is {status}, not proved optimal (termination {plan.termination}, MIP gap "
                f"{fmt_gap(plan.mip_gap)}). Call it 'feasible, not proved optimal', never 'the optimum'.{extra}"
            )
        else:
            doc.warn(
                f"No plan: status {status} (termination {plan.termination}); not proved optimal, nothing to report. "
                + (plan.status_note or "")
            )
    if v is not None and not v.get("passed"):
        viol = v.get("violations") or []
        first = "; ".join(f"{x.get('rule')} at {x.get('where')}: {x.get('message')}" for x in viol[:3])
        doc.warn(f"The independent verifier found {len(viol)} violation(s); do not use this plan. {first}")


#: The headline table's order: money first, then shares, areas and counts (each in the registry's order).
KIND_ORDER = ("money", "share", "ha", "count")
#: KPIs shown as more than one row: the budget used against the budget, and the loans drawn (finance table).
COMPOSITE_ROWS = {
    "budget_used_yuan": [("Budget used of budget (Yuan)", "budget_used_yuan"), ("Loans drawn (Yuan)", "loan_yuan")]
}
#: (label, figure) of the headline table's rows: the registry's headline KPIs.
KPI_ROWS: list[tuple[str, str]] = [
    row
    for kpi in sorted((KPI[i] for i in HEADLINE_KPIS), key=lambda k: KIND_ORDER.index(k.fmt))
    for row in COMPOSITE_ROWS.get(kpi.id, [(kpi.row_label, kpi.id)])
]


def kpi_section(doc: Doc, plan, periods: list[str]) -> None:
    """The headline KPIs per period (:data:`KPI_ROWS`)."""
    doc.h(2, "Headline KPIs per period")
    k = with_str_period(table_of(plan, "kpis"))
    if k.empty:
        doc.p("No KPIs: the run has no plan.")
        return
    k = k.set_index("period")
    fin = with_str_period(table_of(plan, "finance"))
    fin = fin.set_index("period") if "period" in fin else pd.DataFrame()
    rows = []
    for label, col in KPI_ROWS:
        row = [label]
        for t in periods:
            if col == "budget_used_yuan":
                used, budget = (
                    num(k.at[t, c]) if c in k and t in k.index else None for c in ("budget_used_yuan", "budget_yuan")
                )
                share = f" ({used / budget:.0%})" if used is not None and budget else ""
                row.append(f"{fmt_money(used)} of {fmt_money(budget)}{share}")
            elif col == "loan_yuan":
                row.append(fmt_money(fin.at[t, "loan_yuan"]) if "loan_yuan" in fin and t in fin.index else "–")
            else:
                row.append(fmt_kpi(col, k.at[t, col]) if col in k and t in k.index else "–")
        rows.append(row)
    doc.table(["figure", *periods], rows, right=range(1, len(periods) + 1))
    doc.p("Money in Yuan (M = million, bn = billion); annual flows in Yuan/yr. Budget used includes loans drawn.")


def target_section(doc: Doc, plan, instance, why: str) -> None:
    """The plan against the instance's targets; the required ones (rules of the model) first."""
    doc.h(2, "Plan against targets")
    if instance is None:
        doc.p(f"Targets not shown: the instance could not be loaded ({why}). The report is without targets.")
        return
    targets = list(getattr(instance.instance, "targets", []) or [])
    if not targets:
        doc.p("The instance sets no targets.")
        return
    k = with_str_period(table_of(plan, "kpis"))
    k = k.set_index("period") if "period" in k else pd.DataFrame()
    # the plan's own figure of each target (a village's or a service's too), where the plan has it
    tt = table_of(plan, "targets")
    have = {"target", "value", "met"} <= set(tt.columns)
    by_target = dict(zip(tt["target"].astype(str), zip(tt["value"], tt["met"]))) if have else {}
    rows = []
    order = sorted(range(len(targets)), key=lambda i: not getattr(targets[i], "required", False))
    for i in order:
        tg = targets[i]
        name = tg.id if getattr(tg, "id", None) else str(i)
        met_in_plan = None
        if name in by_target:
            val, met_in_plan = num(by_target[name][0]), bool(by_target[name][1])
        else:
            val = num(k.at[str(tg.period), tg.kpi]) if tg.kpi in k and str(tg.period) in k.index else None
        lo, hi = num(tg.min), num(tg.max)
        if lo is not None and hi is not None:
            want = f"{fmt_kpi(tg.kpi, lo)} to {fmt_kpi(tg.kpi, hi)}"
        elif lo is not None:
            want = f"≥ {fmt_kpi(tg.kpi, lo)}"
        else:
            want = f"≤ {fmt_kpi(tg.kpi, hi)}"
        tol = 1e-9 * max(1.0, abs(val or 0.0))
        met = val is not None and (lo is None or val >= lo - tol) and (hi is None or val <= hi + tol)
        if met_in_plan is not None and val is not None:
            met = met_in_plan  # the plan's own test, to the solver's tolerance
        unit = KPI_UNIT.get(tg.kpi, "")
        scope = "".join(f" [{x}]" for x in (getattr(tg, "service", None), getattr(tg, "village", None)) if x)
        rows.append(
            [
                tg.label or tg.kpi,
                str(tg.period),
                fmt_kpi(tg.kpi, val) if val is not None else "n/a",
                want,
                "yes" if met else "no",
                (f"{tg.kpi} ({unit})" if unit else tg.kpi) + scope,
                tg.source,
                term("word", "target_required" if getattr(tg, "required", False) else "target_reported"),
            ]
        )
    doc.table(["target", "period", "plan value", "target", "met", "figure", "source", "kind"], rows, right=(2, 3))
    n = sum(r[4] == "yes" for r in rows)
    n_req = sum(bool(getattr(tg, "required", False)) for tg in targets)
    doc.p(
        f"{n} of {len(rows)} targets met. "
        + (
            f"Required (rules of the model, listed first; every plan meets them): {n_req}. The others are "
            "figures the plan is reported against."
            if n_req
            else "Targets are figures the plan is reported against, not rules of the model."
        )
    )


def village_section(doc: Doc, plan, instance, periods: list[str]) -> None:
    """Per village: land in each use, gardens, recruits and dividends (figures from
    :mod:`planner.plan.villages`), and the EOD projects built."""
    doc.h(2, "Per village")
    if not plan.has_solution:
        doc.p("No plan: nothing per village.")
        return
    last = periods[-1] if periods else ""
    villages = village_order(plan, instance)
    doc.h(3, f"Land in each use by {last} (ha)")
    if table_of(plan, "allocations").empty:
        doc.p("No land in new uses.")
    else:
        pv = use_areas(plan, last)
        uses = pv.columns.tolist()
        rows = []
        for v in [x for x in villages if x in pv.index]:
            rows.append(
                [v, *[(fmt_ha(pv.at[v, u]) if pv.at[v, u] > 1e-9 else "") for u in uses], fmt_ha(pv.loc[v].sum())]
            )
        rows.append(["total", *[fmt_ha(pv[u].sum()) for u in uses], fmt_ha(pv.values.sum())])
        doc.table(["village", *uses, "total"], rows, right=range(1, len(uses) + 2))
        doc.p("Areas are states at the end of the period (they include what was established earlier).")

    doc.h(3, "Gardens, recruits and dividends per village")
    header = [
        "village",
        f"garden {last}",
        "garden area (ha)",
        *[f"recruits {t}" for t in periods],
        *[f"dividends {t} (Yuan/yr)" for t in periods],
    ]
    listed = [x for x in villages if x != "(township)"]
    figs = village_figures(plan, listed, [*periods, last])
    rows = []
    for v in listed:
        g = figs[last].loc[v]
        built = ("yes" if g["garden_built"] else "no") if g["has_garden"] else "–"
        area = fmt_ha(g["garden_ha"]) if g["garden_built"] else ""
        rc = [fmt_int(figs[t].at[v, "recruited"]) for t in periods]
        dv = [fmt_money(figs[t].at[v, "dividends_yuan_per_yr"]) for t in periods]
        rows.append([v, built, area, *rc, *dv])
    doc.table(header, rows, right=range(2, len(header)))
    doc.p(
        "Garden: '–' for the central town (no village garden rule). Dividends: income of the recipients that count as "
        "dividends (objective.dividend_recipients)."
    )

    proj = with_str_period(table_of(plan, "projects"))
    if not proj.empty and "built" in proj:
        b = proj[proj["built"].astype(bool)]
        if len(b):
            doc.h(3, "EOD projects built")
            rows = []
            for pid, grp in b.groupby("project", sort=False):
                first = grp.iloc[0]
                rows.append(
                    [
                        str(first.get("name") or pid),
                        str(first.get("host_village", "")),
                        str(first["period"]),
                        fmt_money(grp["capex_yuan"].sum()),
                        fmt_money(first.get("income_yuan_per_yr")),
                    ]
                )
            doc.table(
                ["project", "host village", "built by", "capital cost (Yuan)", "income (Yuan/yr)"], rows, right=(3, 4)
            )
