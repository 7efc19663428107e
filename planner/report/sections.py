"""The report's sections on the plan itself: status, headline KPIs, targets and villages.

Each section adds to a :class:`planner.report.document.Doc`, in English or Chinese
(``lang``): headings, table headers and row labels come from the registry
(:mod:`planner.core.labels`), villages, projects and roles by their names in the instance,
uses by their labels. The KPI rows, labels, units and formats come from the KPI registry
(:mod:`planner.core.kpis`); the per-village figures from :mod:`planner.plan.villages`, as in
``plan.gpkg``. The charts, the village sheets and the explanation have their own modules
(:mod:`planner.report.charts`, :mod:`planner.report.sheets`, :mod:`planner.report.explanation`).
"""

from __future__ import annotations

import pandas as pd

from planner.core.kpis import HEADLINE_KPIS, KPI, Kpi
from planner.core.labels import name_of, term
from planner.core.status import label as status_label
from planner.plan.villages import use_areas, village_figures
from planner.report.document import Doc
from planner.report.formats import fmt_gap, fmt_ha, fmt_int, fmt_kpi, fmt_money, num
from planner.report.inputs import table_of, village_order, with_str_period

__all__ = [
    "KPI_ROWS",
    "kpi_label",
    "kpi_section",
    "loan_section",
    "status_section",
    "target_section",
    "village_names",
    "village_section",
    "word",
]


def word(key: str, lang: str, **values) -> str:
    """The registry's word ``key`` in ``lang`` (:mod:`planner.core.labels`), placeholders filled in."""
    text = term("word", key, lang)
    return text.format(**values) if values else text


def village_names(instance, lang: str) -> dict[str, str]:
    """Village id -> its name in ``lang`` (the instance's ``name``/``name_zh``), and the
    township-wide rows' ``(township)``; an id the instance does not know stays as it is."""
    out = {"(township)": f"({term('word', 'township', lang)})"}
    if instance is not None:
        out.update({str(v.id): name_of(v, lang) for v in instance.instance.villages})
    return out


def _unit(unit: str, lang: str) -> str:
    key = {"ha": "unit_ha", "Yuan": "unit_yuan", "Yuan/yr": "unit_yuan_yr", "people": "unit_people"}.get(unit)
    return term("word", key, lang) if key else unit


def kpi_label(kpi: Kpi, lang: str = "en") -> str:
    """A KPI's row in the report: its label with the unit of a measured figure."""
    if lang == "en":
        return kpi.row_label
    label = term("kpi", kpi.id, lang)
    return f"{label}（{_unit(kpi.unit, lang)}）" if kpi.fmt in ("money", "ha") else label


def status_section(doc: Doc, plan, lang: str = "en") -> None:
    """The status, termination, optimality gap and verification first, with a warning when the plan
    is not proved optimal or failed verification."""
    doc.h(2, word("rp_status", lang))
    status = plan.status
    state = status_label(status, lang)
    obj, bound = num(plan.objective), num(plan.objective_bound)
    slack = (bound - obj) if obj is not None and bound is not None else None
    per_yr = word("unit_yuan_yr", lang)
    rows = [
        [word("status", lang), state],
        [word("rp_termination", lang), str(plan.termination)],
        [
            word("mip_gap", lang),
            fmt_gap(plan.mip_gap) + (f" ({word('rp_gap_abs', lang, v=fmt_money(slack))})" if slack is not None else ""),
        ],
        [word("rp_objective", lang), f"{fmt_money(obj)} {per_yr}" if obj is not None else "–"],
        [word("rp_objective_bound", lang), f"{fmt_money(bound)} {per_yr}" if bound is not None else "–"],
    ]
    v = plan.verification
    if v is None:
        ver = word("rp_not_run", lang)
    elif v.get("passed"):
        ver = word("rp_passed", lang, n=len(v.get("checks") or []))
    else:
        ver = word("rp_failed", lang, n=len(v.get("violations") or []))
    rows.append([word("verified", lang), ver])
    if plan.status_note:
        rows.append([word("rp_status_note", lang), plan.status_note])
    build = getattr(plan, "build_time_s", None)  # None: a county plan, timed as a whole
    times = (
        word("rp_solver_time", lang, solver=plan.solver, solve=f"{plan.solve_time_s:.1f}")
        if build is None
        else word("rp_solver_times", lang, solver=plan.solver, solve=f"{plan.solve_time_s:.1f}", build=f"{build:.1f}")
    )
    rows.append([word("rp_solver", lang), times])
    rows.append([word("rp_instance", lang), f"{plan.instance_name} ({plan.instance_path})"])
    if plan.overrides:
        rows.append([word("rp_overrides", lang), "; ".join(map(str, plan.overrides))])
    for w in getattr(plan, "warnings", None) or []:
        rows.append([word("warning", lang), str(w)])
    doc.table([word("rp_item", lang), word("rp_value", lang)], rows)

    if status != "optimal":
        if plan.has_solution:
            extra = word("rp_warn_up_to", lang, v=fmt_money(slack)) if slack else ""
            doc.warn(
                word(
                    "rp_warn_not_optimal", lang, status=status, termination=plan.termination, gap=fmt_gap(plan.mip_gap)
                )
                + extra
            )
        else:
            doc.warn(
                word("rp_warn_no_plan", lang, status=status, termination=plan.termination) + (plan.status_note or "")
            )
    if v is not None and not v.get("passed"):
        viol = v.get("violations") or []
        first = "; ".join(f"{x.get('rule')} at {x.get('where')}: {x.get('message')}" for x in viol[:3])
        doc.warn(word("rp_warn_violations", lang, n=len(viol), first=first))


#: The headline table's order: money first, then shares, areas and counts (each in the registry's order).
KIND_ORDER = ("money", "share", "ha", "count")
#: KPIs shown as more than one row: the budget used against the budget, and the loans drawn (finance table);
#: (registry word of the row, figure).
COMPOSITE_ROWS = {"budget_used_yuan": [("rp_budget_used_of", "budget_used_yuan"), ("rp_loans", "loan_yuan")]}
#: The registry's headline KPIs, in the table's order.
HEADLINE = sorted((KPI[i] for i in HEADLINE_KPIS), key=lambda k: KIND_ORDER.index(k.fmt))
#: (label, figure) of the headline table's rows, in English.
KPI_ROWS: list[tuple[str, str]] = [
    row
    for kpi in HEADLINE
    for row in [(word(w, "en"), c) for w, c in COMPOSITE_ROWS.get(kpi.id, [])] or [(kpi.row_label, kpi.id)]
]


def kpi_rows(lang: str = "en") -> list[tuple[str, str]]:
    """(label in ``lang``, figure) of the headline table's rows."""
    return [
        row
        for kpi in HEADLINE
        for row in [(word(w, lang), c) for w, c in COMPOSITE_ROWS.get(kpi.id, [])] or [(kpi_label(kpi, lang), kpi.id)]
    ]


def kpi_section(doc: Doc, plan, periods: list[str], lang: str = "en") -> None:
    """The headline KPIs per period (:func:`kpi_rows`)."""
    doc.h(2, word("rp_kpis", lang))
    k = with_str_period(table_of(plan, "kpis"))
    if k.empty:
        doc.p(word("rp_no_kpis", lang))
        return
    k = k.set_index("period")
    fin = with_str_period(table_of(plan, "finance"))
    fin = fin.set_index("period") if "period" in fin else pd.DataFrame()
    rows = []
    for label, col in kpi_rows(lang):
        row = [label]
        for t in periods:
            if col == "budget_used_yuan":
                used, budget = (
                    num(k.at[t, c]) if c in k and t in k.index else None for c in ("budget_used_yuan", "budget_yuan")
                )
                share = f" ({used / budget:.0%})" if used is not None and budget else ""
                row.append(word("rp_used_of", lang, used=fmt_money(used), budget=fmt_money(budget), share=share))
            elif col == "loan_yuan":
                row.append(fmt_money(fin.at[t, "loan_yuan"]) if "loan_yuan" in fin and t in fin.index else "–")
            else:
                row.append(fmt_kpi(col, k.at[t, col]) if col in k and t in k.index else "–")
        rows.append(row)
    doc.table([word("rp_figure", lang), *periods], rows, right=range(1, len(periods) + 1))
    doc.p(word("rp_money_note", lang))


def target_section(doc: Doc, plan, instance, why: str, lang: str = "en") -> None:
    """The plan against the instance's targets; the required ones (rules of the model) first."""
    doc.h(2, word("rp_targets", lang))
    if instance is None:
        doc.p(word("rp_targets_not_shown", lang, why=why))
        return
    targets = list(getattr(instance.instance, "targets", []) or [])
    if not targets:
        doc.p(word("rp_no_targets", lang))
        return
    k = with_str_period(table_of(plan, "kpis"))
    k = k.set_index("period") if "period" in k else pd.DataFrame()
    # the plan's own figure of each target (a village's or a service's too), where the plan has it
    tt = table_of(plan, "targets")
    have = {"target", "value", "met"} <= set(tt.columns)
    by_target = dict(zip(tt["target"].astype(str), zip(tt["value"], tt["met"]))) if have else {}
    villages = village_names(instance, lang)
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
            want = word("rp_range", lang, lo=fmt_kpi(tg.kpi, lo), hi=fmt_kpi(tg.kpi, hi))
        elif lo is not None:
            want = f"≥ {fmt_kpi(tg.kpi, lo)}"
        else:
            want = f"≤ {fmt_kpi(tg.kpi, hi)}"
        tol = 1e-9 * max(1.0, abs(val or 0.0))
        met = val is not None and (lo is None or val >= lo - tol) and (hi is None or val <= hi + tol)
        if met_in_plan is not None and val is not None:
            met = met_in_plan  # the plan's own test, to the solver's tolerance
        kpi = KPI.get(tg.kpi)
        figure = kpi_label(kpi, lang) if kpi else term("kpi", tg.kpi, lang)
        service = getattr(tg, "service", None)
        village = getattr(tg, "village", None)
        scope = (f" [{term('service', service, lang)}]" if service else "") + (
            f" [{villages.get(str(village), village)}]" if village else ""
        )
        required = bool(getattr(tg, "required", False))
        rows.append(
            [
                tg.label or figure,
                str(tg.period),
                fmt_kpi(tg.kpi, val) if val is not None else "n/a",
                want,
                word("yes" if met else "no", lang),
                figure + scope,
                tg.source,
                word("target_required" if required else "target_reported", lang),
            ]
        )
    header = ["rp_target", "period", "rp_plan_value", "rp_wanted", "rp_met", "rp_figure", "rp_source", "rp_kind"]
    doc.table([word(h, lang) for h in header], rows, right=(2, 3))
    n = sum(r[4] == word("yes", lang) for r in rows)
    n_req = sum(bool(getattr(tg, "required", False)) for tg in targets)
    key = "rp_targets_met_required" if n_req else "rp_targets_met"
    doc.p(word(key, lang, n=n, m=len(rows), r=n_req))


def loan_section(doc: Doc, plan, instance, lang: str = "en") -> None:
    """The GEP-value loans and their repayment schedule (the plan's ``loans`` table): each
    loan's interest and instalments by the period they are paid in, from its budget. Nothing
    when loans are off and none is drawn."""
    loans = with_str_period(table_of(plan, "loans"))
    enabled = instance is not None and bool(getattr(instance.instance.finance, "loans_enabled", False))
    if loans.empty and not enabled:
        return
    doc.h(2, word("rp_loan_title", lang))
    if not plan.has_solution:
        doc.p(word("rp_no_plan_loans", lang))
        return
    if loans.empty:
        doc.p(word("rp_no_loans", lang))
        return
    loans["loan"] = loans["loan"].astype(str)
    rows = [
        [
            str(r["loan"]),
            str(r["period"]),
            fmt_money(r["principal_yuan"]),
            fmt_money(r["interest_yuan"]),
            fmt_money(r["repaid_yuan"]),
            fmt_money(r["outstanding_yuan"]),
            str(int(r["paid_off_year"])),
        ]
        for _, r in loans.iterrows()
    ]
    header = ["rp_loan_drawn", "period", "rp_loan_principal", "rp_loan_interest", "rp_loan_repaid"]
    header += ["rp_loan_outstanding", "rp_loan_paid_off"]
    doc.table([word(h, lang) for h in header], rows, right=(2, 3, 4, 5))
    last = loans.groupby("loan").tail(1)
    owed = float(last["outstanding_yuan"].sum())
    term_years = getattr(instance.instance.finance, "loan_term_years", None) if instance is not None else None
    doc.p(
        word("rp_loan_note", lang, term=term_years if term_years is not None else "?")
        + (" " if lang == "en" else "")
        + (word("rp_loan_owed", lang, owed=fmt_money(owed)) if owed > 0.5 else word("rp_loan_none_owed", lang))
    )


def village_section(doc: Doc, plan, instance, periods: list[str], lang: str = "en") -> None:
    """Per village: land in each use, gardens, recruits and dividends (figures from
    :mod:`planner.plan.villages`), and the EOD projects built."""
    doc.h(2, word("rp_villages", lang))
    if not plan.has_solution:
        doc.p(word("rp_no_plan_villages", lang))
        return
    last = periods[-1] if periods else ""
    villages = village_order(plan, instance)
    names = village_names(instance, lang)
    doc.h(3, word("rp_land_by", lang, period=last))
    if table_of(plan, "allocations").empty:
        doc.p(word("rp_no_land", lang))
    else:
        pv = use_areas(plan, last)
        uses = pv.columns.tolist()
        rows = []
        for v in [x for x in villages if x in pv.index]:
            rows.append(
                [
                    names.get(v, v),
                    *[(fmt_ha(pv.at[v, u]) if pv.at[v, u] > 1e-9 else "") for u in uses],
                    fmt_ha(pv.loc[v].sum()),
                ]
            )
        rows.append([word("total", lang), *[fmt_ha(pv[u].sum()) for u in uses], fmt_ha(pv.values.sum())])
        doc.table(
            [word("village", lang), *[term("use", u, lang) for u in uses], word("total", lang)],
            rows,
            right=range(1, len(uses) + 2),
        )
        doc.p(word("rp_areas_note", lang))

    doc.h(3, word("rp_village_heading", lang))
    header = [
        word("village", lang),
        word("rp_garden_in", lang, period=last),
        word("rp_garden_area", lang),
        *[word("rp_recruits_in", lang, period=t) for t in periods],
        *[word("rp_dividends_in", lang, period=t) for t in periods],
    ]
    listed = [x for x in villages if x != "(township)"]
    figs = village_figures(plan, listed, [*periods, last])
    rows = []
    for v in listed:
        g = figs[last].loc[v]
        built = word("yes" if g["garden_built"] else "no", lang) if g["has_garden"] else "–"
        area = fmt_ha(g["garden_ha"]) if g["garden_built"] else ""
        rc = [fmt_int(figs[t].at[v, "recruited"]) for t in periods]
        dv = [fmt_money(figs[t].at[v, "dividends_yuan_per_yr"]) for t in periods]
        rows.append([names.get(v, v), built, area, *rc, *dv])
    doc.table(header, rows, right=range(2, len(header)))
    doc.p(word("rp_village_note", lang))

    proj = with_str_period(table_of(plan, "projects"))
    if not proj.empty and "built" in proj:
        b = proj[proj["built"].astype(bool)]
        if len(b):
            known = {j.id: j for j in instance.instance.projects} if instance is not None else {}
            doc.h(3, word("rp_projects", lang))
            rows = []
            for pid, grp in b.groupby("project", sort=False):
                first = grp.iloc[0]
                host = str(first.get("host_village", ""))
                rows.append(
                    [
                        name_of(known[pid], lang) if pid in known else str(first.get("name") or pid),
                        names.get(host, host),
                        str(first["period"]),
                        fmt_money(grp["capex_yuan"].sum()),
                        fmt_money(first.get("income_yuan_per_yr")),
                    ]
                )
            header = ["project", "rp_host", "rp_built_by", "rp_capex", "rp_income"]
            doc.table([word(h, lang) for h in header], rows, right=(3, 4))
