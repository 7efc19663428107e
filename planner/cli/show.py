"""What the commands print about a result: a plan's summary and its gap in words, an
explanation, a diagnosis. Printing only; the commands decide what to run and write."""

from __future__ import annotations

import pandas as pd
from rich.table import Table

from planner.cli.app import err, out
from planner.core.kpis import HEADLINE_KPIS, KPI
from planner.core.terminal import styled
from planner.report import fmt_money as _fmt_money

# the terminal's number format per kind of KPI (planner.core.kpis; the report has its own)
SUMMARY_FORMAT = {
    "money": _fmt_money,
    "ha": lambda v: f"{v:,.0f}",
    "share": lambda v: f"{v:.1%}",
    "count": lambda v: f"{int(v)}",
}


def gap_words(plan) -> str:
    """How far a plan may be from the best possible, in words: the relative gap with two
    significant figures when it is below 0.01% (never a bare "0.00%"), and in Yuan/yr when
    the bound is known (a small share of a large GEP is still a lot of money)."""
    g = plan.mip_gap
    if g is None:
        return "an unknown gap"
    pct = f"{g:.2%}" if g >= 1e-4 else f"{g * 100:.2g}%"
    if plan.objective is None or plan.objective_bound is None:
        return pct
    return f"{pct} ({_fmt_money(abs(plan.objective_bound - plan.objective))} Yuan/yr)"


def print_summary(plan) -> None:
    gap = "n/a" if plan.mip_gap is None else f"{plan.mip_gap:.2e}"
    colour = {"optimal": "green", "feasible": "yellow"}.get(plan.status, "red")
    out.print(
        styled(
            (plan.instance_name, "bold"),
            ": status ",
            (plan.status, f"bold {colour}"),
            f" (termination {plan.termination}, MIP gap {gap}, solve {plan.solve_time_s:.2f} s, "
            f"build {plan.build_time_s:.2f} s)",
        )
    )
    if plan.status_note:
        out.print(styled((plan.status_note, "bold red")))
    for w in getattr(plan, "warnings", []) or []:
        err.print(styled(("warning:", "yellow"), f" {w}"))
    if plan.status == "infeasible":
        out.print(
            "No plan satisfies every rule. Relax a budget, target, range or policy (e.g. --set "
            "periods.2025.budget_yuan=...) and solve again."
        )
    if plan.status == "no_solution":
        out.print(
            f"No plan was found before the solver stopped ({plan.termination}). Give it more time "
            "(--time-limit) or accept a looser gap (--mip-gap); plan.json records the run, without a plan."
        )
    if plan.status == "feasible":
        out.print(
            styled(
                ("Not proved optimal", "yellow"),
                f": the solver stopped ({plan.termination}) with a plan within {gap_words(plan)} of the best possible.",
            )
        )
    if plan.status in ("error", "unbounded"):
        out.print(styled((f"The solver reported {plan.status}", "red"), f" ({plan.termination}): no plan."))
    if not plan.has_solution:
        return
    k = plan.tables["kpis"]
    t = Table(title="Key figures per period (Yuan, Yuan/yr, ha)")
    t.add_column("figure")
    for p in k["period"]:
        t.add_column(str(p), justify="right")
    for kpi in (KPI[i] for i in HEADLINE_KPIS):
        if kpi.id == "budget_used_yuan":  # budget used / budget + the loans drawn
            loans = plan.tables["finance"]["loan_yuan"] if "finance" in plan.tables else [0.0] * len(k)
            t.add_row(
                kpi.summary_label,
                *[
                    f"{_fmt_money(u)} / {_fmt_money(b)}" + (f" + {_fmt_money(ln)}" if ln > 0.5 else "")
                    for u, b, ln in zip(k["budget_used_yuan"], k["budget_yuan"], loans)
                ],
            )
        else:
            t.add_row(kpi.summary_label, *[SUMMARY_FORMAT[kpi.fmt](v) for v in k[kpi.id]])
    out.print(t)
    v = plan.verification
    if v is not None:
        if v["passed"]:
            out.print(styled("independent verification: ", ("passed", "green"), f" ({len(v['checks'])} rule checks)"))
        else:
            out.print(styled("independent verification: ", (f"{len(v['violations'])} violation(s)", "red")))
            for x in v["violations"][:20]:
                out.print(f"  - [{x['rule']}] {x['where']}: {x['message']} (plan {x['value']}, limit {x['limit']})")


def print_diagnosis(dg) -> None:
    out.print(styled(("diagnosis", "bold red"), ": why no plan exists, and the smallest relaxation that gives one"))
    for line in dg.summary_lines(15):
        out.print(f"  - {line}")


def print_explanation(ex, n: int = 12) -> None:
    from planner.explain.result import fmt

    for note in ex.notes:
        out.print(styled((note, "italic")))
    summ = ex.tables.get("rule_summary")
    if summ is not None and not summ.empty:
        t = Table(title="Rules that bind, by rule (shadow price: Yuan/yr of objective per unit loosened)")
        for c in ("family", "rule", "unit", "binding rows", "largest price", "where"):
            t.add_column(c, justify="right" if c in ("binding rows", "largest price") else "left")
        for r in summ[summ["binding"] > 0].itertuples():
            t.add_row(
                r.family,
                r.rule,
                r.unit,
                f"{r.binding} of {r.rows}",
                fmt(r.max_shadow_price) if r.priced else "-",
                r.max_where or "",
            )
        out.print(t)
    for title, table, k in (
        ("Top shadow prices", "rules", n),
        ("Why not: options not taken", "options", n),
        ("Replacement importance (re-solves)", "importance", n),
        ("Ranging of prices", "parameters", n),
    ):
        df = ex.tables.get(table)
        if df is None or df.empty:
            continue
        extra = []
        if table == "rules":
            # the policy rules first, one line per rule (the largest price); the per-parcel rows are in the CSV
            df = df[df["shadow_price"].abs().fillna(0) > 1e-6]
            hard = set(ex.tables["rule_summary"].loc[ex.tables["rule_summary"]["hard"], "constraint"])
            df = df.drop_duplicates("constraint")
            df = pd.concat([df[~df["constraint"].isin(hard)], df[df["constraint"].isin(hard)]])
        if table == "options":
            ties = df[(df["status"] == "not taken") & (df["needs_yuan_per_ha_yr"].fillna(0) <= 1e-6)]
            df = df[
                df["status"].isin(["forbidden", "held out"])
                | ((df["status"] == "not taken") & (df["needs_yuan_per_ha_yr"] > 1e-6))
            ]
            # a few of each kind: closest to entering first, then held out by decisions, then forbidden
            each = max(3, k // 3)
            parts = []
            for status in ("not taken", "held out", "forbidden"):
                g = df[df["status"] == status].sort_values("needs_yuan_per_ha_yr")
                parts.append(g.head(each))
                if len(g) > each:
                    extra.append(f"{len(g) - each} more {status} (see explain_options.csv)")
            df = pd.concat(parts)
            k = len(df)
            if len(ties):
                extra.append(
                    f"{len(ties)} more options not taken could enter at no loss (ties with the plan): "
                    + ", ".join(f"{u} in {v}" for v, u in zip(ties["village"], ties["use"]))
                )
        if table == "importance":
            stuck = df[df["status"] == "infeasible"]
            df = df[df["status"] != "infeasible"]
            if len(stuck):
                extra.append(
                    f"{len(stuck)} cannot be removed or added without breaking a rule: "
                    + ", ".join(f"{k} {i}" for k, i in zip(stuck["kind"], stuck["item"]))
                )
        out.print(styled((title, "bold")))
        for s_ in list(df["statement"].head(k)) + extra:
            out.print(f"  - {s_}")
