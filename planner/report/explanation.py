"""The report's explanation section: what binds the plan and why options were not taken.

From a :class:`planner.explain.result.Explanation` of the plan (``planner explain``): the
rules that bind and their largest shadow prices, the options closest to entering the
plan, the importance of what the plan took and the parameter ranging. A part the
explanation does not have is reported as "not computed".
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from planner.explain.rows import row_info
from planner.report.document import Doc
from planner.report.formats import fmt_int, fmt_money, fmt_sig, num
from planner.report.inputs import table_of

__all__ = ["NOT_COMPUTED", "explanation_section"]

NOT_COMPUTED = "not computed"


def _ex_table(ex, name: str) -> pd.DataFrame | None:
    df = table_of(ex, name)
    return None if df.empty else df


def explanation_section(doc: Doc, plan, ex, why: str = "") -> None:
    """The explanation (``ex``, or why there is none): binding rules, shadow prices, why-not
    findings, importance and parameter ranging; a part not computed says so."""
    doc.h(2, "Explanation")
    if ex is None:
        doc.p(
            f"Explanation {NOT_COMPUTED}"
            + (
                f": {why}"
                if why
                else ": no explanation was given (pass one, or put explanation.json beside plan.json)."
            )
        )
        return
    if ex.plan_status != plan.status or (
        num(ex.plan_objective) is not None
        and num(plan.objective) is not None
        and abs(float(ex.plan_objective) - float(plan.objective)) > max(1.0, 1e-6 * abs(float(plan.objective)))
    ):
        doc.warn(
            f"The explanation was computed for a plan with status {ex.plan_status} and objective "
            f"{fmt_money(ex.plan_objective)} Yuan/yr, not this one ({plan.status}, {fmt_money(plan.objective)})."
        )
    notes = [str(n) for n in (ex.notes or [])]

    doc.h(3, "Binding rules")
    for n in notes:
        doc.note(n)
    if ex.lp_status:
        doc.p(f"The plan's fixed LP: {ex.lp_status}, objective {fmt_money(ex.lp_objective)} Yuan/yr.")
    rules = _ex_table(ex, "rules")
    summary = _ex_table(ex, "rule_summary")
    if summary is None:
        doc.p(f"Rule summary: {NOT_COMPUTED}.")
    else:
        unit_of: dict[str, str] = {}
        if rules is not None and {"constraint", "price_unit"} <= set(rules.columns):
            for c, u in zip(rules["constraint"], rules["price_unit"]):
                if isinstance(u, str) and u and c not in unit_of:
                    unit_of[c] = u
        s = summary
        if "max_shadow_price" in s:
            s = s.assign(_abs=s["max_shadow_price"].map(lambda v: abs(num(v) or 0.0))).sort_values(
                "_abs", ascending=False, kind="stable"
            )
        rows, idle = [], []
        for _, r in s.iterrows():
            name = str(r.get("rule", r.get("constraint", "")))
            if "binding" in s and "priced" in s and not (num(r.get("binding")) or num(r.get("priced"))):
                idle.append(name)
                continue
            price = num(r.get("max_shadow_price"))
            priced = price is not None and (num(r.get("priced")) is None or (num(r.get("priced")) or 0) > 0)
            rows.append(
                [
                    name,
                    fmt_int(r.get("rows")),
                    fmt_int(r.get("binding")),
                    fmt_int(r.get("priced")),
                    fmt_sig(price, unit_of.get(str(r.get("constraint")), "")) if priced else "–",
                    _strip_rule(name, str(r.get("max_where") or "")) if priced else "",
                ]
            )
        if rows:
            doc.table(["rule", "rows", "binding", "priced", "largest shadow price", "where"], rows, right=(1, 2, 3, 4))
        else:
            doc.p("No rule binds.")
        if idle:
            doc.p(f"Not binding anywhere ({len(idle)}): " + "; ".join(idle) + ".")

    doc.h(3, "Largest shadow prices")
    if notes:
        doc.p(
            "Prices of the LP with the plan's yes/no and whole-number decisions fixed (see the note above): they price "
            "continuous changes around this plan, not a change of those decisions."
        )
    if rules is None or "shadow_price" not in rules:
        doc.p(f"Shadow prices: {NOT_COMPUTED}.")
    else:
        r = rules[rules["shadow_price"].map(num).notna()]
        # the township's policy rules first (budget, caps, targets, ranges), then the model's definitions
        # (a parcel's area used once, work norms, ...), each by the size of the price
        r = r.assign(
            _abs=r["shadow_price"].map(lambda v: -abs(float(v))),
            _hard=r["constraint"].map(_is_definition) if "constraint" in r else False,
        )
        r = r.sort_values(["_hard", "_abs"]).head(15)
        if r.empty:
            doc.p("No rule has a shadow price.")
        else:
            rows = []
            for _, x in r.iterrows():
                unit = str(x.get("unit") or "")
                rows.append(
                    [
                        str(x.get("where", x.get("rule", ""))),
                        fmt_sig(x["shadow_price"], str(x.get("price_unit") or "")),
                        fmt_sig(x.get("loosen_by"), unit),
                        fmt_sig(x.get("tighten_by"), unit),
                    ]
                )
            doc.table(["where", "shadow price", "loosen by", "tighten by"], rows, right=(1, 2, 3))
            doc.p(
                "Policy rules first, then the model's definitions (a parcel's area used once, work norms). "
                "Loosen by / tighten by: how far the rule's limit can move before the plan's basis changes and the "
                "price no longer holds."
            )

    doc.h(3, "Why not: options not taken")
    opts = _ex_table(ex, "options")
    if opts is None or "status" not in opts or "statement" not in opts:
        doc.p(f"Why-not findings: {NOT_COMPUTED}.")
    else:
        nt = opts[opts["status"] == "not taken"]
        if "needs_yuan_per_ha_yr" in nt:
            nt = nt.assign(_n=nt["needs_yuan_per_ha_yr"].map(lambda v: num(v) if num(v) is not None else math.inf))
            nt = nt.sort_values("_n", kind="stable")
        nt = nt.head(10)
        if nt.empty:
            doc.p("Every permitted option is taken somewhere.")
        else:
            doc.p("Closest to entering the plan first (how much more a hectare would have to be worth per year):")
            doc.items(nt["statement"].dropna().astype(str))
        fb = opts[opts["status"] == "forbidden"]
        if len(fb):
            doc.p(f"Forbidden by a rule ({len(fb)}" + (", first 10 shown" if len(fb) > 10 else "") + "):")
            doc.items(fb["statement"].dropna().astype(str).head(10))

    doc.h(3, "Importance of what the plan took")
    imp = _ex_table(ex, "importance")
    if imp is None:
        doc.p(f"Replacement importance: {NOT_COMPUTED}.")
    else:
        cols = [c for c in ("kind", "item", "status", "loss_yuan", "statement") if c in imp.columns]
        if "loss_yuan" in imp:
            imp = imp.assign(_l=imp["loss_yuan"].map(lambda v: num(v) if num(v) is not None else -math.inf))
            imp = imp.sort_values("_l", ascending=False, kind="stable")
        imp = imp.head(10)
        if not cols:
            doc.p(f"Replacement importance: {NOT_COMPUTED} (no known columns).")
        else:
            head = {"loss_yuan": "objective loss (Yuan/yr)"}
            rows = [
                [fmt_money(x[c]) if c == "loss_yuan" else ("" if _isna(x[c]) else str(x[c])) for c in cols]
                for _, x in imp.iterrows()
            ]
            doc.table([head.get(c, c) for c in cols], rows, right=[i for i, c in enumerate(cols) if c == "loss_yuan"])

    doc.h(3, "Parameter ranging")
    par = _ex_table(ex, "parameters")
    if par is None:
        doc.p(f"Parameter ranging: {NOT_COMPUTED}.")
    elif "statement" in par:
        doc.items(par["statement"].dropna().astype(str).head(30))
    else:
        cols = list(par.columns)[:7]
        doc.table(cols, [["" if _isna(x[c]) else str(x[c]) for c in cols] for _, x in par.head(30).iterrows()])


def _strip_rule(rule: str, where: str) -> str:
    """'rule (village x, period t)' -> 'village x, period t' when the rule's name leads."""
    if rule and where.startswith(rule + " (") and where.endswith(")"):
        return where[len(rule) + 2 : -1]
    return where


def _isna(v: Any) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


# ---------------------------------------------------------------------------
# Public
# ---------------------------------------------------------------------------


def _is_definition(constraint: Any) -> bool:
    """A row of the model's definitions (a parcel's area used once, work norms), not a policy rule."""
    try:
        return bool(row_info(str(constraint)).hard)
    except KeyError:
        return False
