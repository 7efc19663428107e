"""The report's appendix for analysts: the optimisation's own terms.

From a :class:`planner.explain.result.Explanation` of the plan (``planner explain``): the
rules that bind and their largest shadow prices, the options closest to entering the
plan, the importance of what the plan took and the parameter ranging. A part the
explanation does not have is reported as "not computed". The plan part of the report
says the same in plain words (the village sheets, :mod:`planner.report.sheets`); this
appendix, at the end, keeps the solver's vocabulary for analysts. Headings and table
headers are in the report's language; the explanation's statements are as it wrote them.
"""

from __future__ import annotations

import math
import re
from typing import Any

import pandas as pd

from planner.explain.rows import row_info
from planner.explain.units import statement as unit_statement
from planner.report.document import Doc
from planner.report.formats import fmt_int, fmt_money, fmt_sig, num
from planner.report.inputs import table_of
from planner.report.sections import word

__all__ = ["NOT_COMPUTED", "explanation_section"]

NOT_COMPUTED = "not computed"


def _ex_table(ex, name: str) -> pd.DataFrame | None:
    df = table_of(ex, name)
    return None if df.empty else df


def explanation_section(doc: Doc, plan, ex, why: str = "", lang: str = "en") -> None:
    """The appendix for analysts (``ex``, or why there is none): binding rules, shadow prices,
    why-not findings, importance and parameter ranging; a part not computed says so."""
    doc.h(2, word("ax_title", lang))
    doc.p(word("ax_intro", lang))
    sep = ": " if lang == "en" else "："

    def not_computed(key: str, extra: str = "") -> None:
        text = word("ax_part_nc", lang, what=word(key, lang))
        doc.p(text[:-1] + extra + text[-1:] if extra else text)

    if ex is None:
        doc.p(word("ax_explanation_not_computed", lang) + sep + (why or word("ax_no_explanation", lang)))
        return
    if ex.plan_status != plan.status or (
        num(ex.plan_objective) is not None
        and num(plan.objective) is not None
        and abs(float(ex.plan_objective) - float(plan.objective)) > max(1.0, 1e-6 * abs(float(plan.objective)))
    ):
        doc.warn(
            word(
                "ax_mismatch",
                lang,
                status=ex.plan_status,
                objective=fmt_money(ex.plan_objective),
                plan_status=plan.status,
                plan_objective=fmt_money(plan.objective),
            )
        )
    notes = [str(n) for n in (ex.notes or [])]
    merged = _merged_unit(ex)
    if merged:
        first, n = merged.split("+", 1)
        doc.p(word("ax_merged", lang, unit=merged, parcel=first, n=n))

    doc.h(3, word("ax_binding", lang))
    for n in notes:
        doc.note(n)
    if ex.lp_status:
        doc.p(word("ax_fixed_lp", lang, status=ex.lp_status, objective=fmt_money(ex.lp_objective)))
    rules = _ex_table(ex, "rules")
    summary = _ex_table(ex, "rule_summary")
    if summary is None:
        not_computed("ax_rule_summary")
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
            header = ["ax_rule", "ax_rows", "ax_binding_col", "ax_priced", "ax_largest_price", "ax_where"]
            doc.table([word(h, lang) for h in header], rows, right=(1, 2, 3, 4))
        else:
            doc.p(word("ax_no_rule_binds", lang))
        if idle:
            doc.p(word("ax_idle", lang, n=len(idle), rules="; ".join(idle)))

    doc.h(3, word("ax_prices", lang))
    if notes:
        doc.p(word("ax_prices_note", lang))
    if rules is None or "shadow_price" not in rules:
        not_computed("ax_shadow_prices")
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
            doc.p(word("ax_no_price", lang))
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
            header = ["ax_where", "ax_price", "ax_loosen", "ax_tighten"]
            doc.table([word(h, lang) for h in header], rows, right=(1, 2, 3))
            doc.p(word("ax_prices_order", lang))

    doc.h(3, word("ax_why_not", lang))
    opts = _ex_table(ex, "options")
    if opts is None or "status" not in opts or "statement" not in opts:
        not_computed("ax_whynot_findings")
    else:
        nt = opts[opts["status"] == "not taken"]
        if "needs_yuan_per_ha_yr" in nt:
            nt = nt.assign(_n=nt["needs_yuan_per_ha_yr"].map(lambda v: num(v) if num(v) is not None else math.inf))
            nt = nt.sort_values("_n", kind="stable")
        nt = nt.head(10)
        if nt.empty:
            doc.p(word("ax_all_taken", lang))
        else:
            doc.p(word("ax_closest", lang))
            doc.items(nt["statement"].dropna().astype(str))
        fb = opts[opts["status"] == "forbidden"]
        if len(fb):
            doc.p(word("ax_forbidden", lang, n=len(fb), more=word("ax_first10", lang) if len(fb) > 10 else ""))
            doc.items(fb["statement"].dropna().astype(str).head(10))

    doc.h(3, word("ax_importance", lang))
    imp = _ex_table(ex, "importance")
    if imp is None:
        not_computed("ax_replacement")
    else:
        cols = [c for c in ("kind", "item", "status", "loss_yuan", "statement") if c in imp.columns]
        if "loss_yuan" in imp:
            imp = imp.assign(_l=imp["loss_yuan"].map(lambda v: num(v) if num(v) is not None else -math.inf))
            imp = imp.sort_values("_l", ascending=False, kind="stable")
        imp = imp.head(10)
        if not cols:
            not_computed("ax_replacement", word("ax_no_columns", lang))
        else:
            head = {c: word(f"ax_{c}", lang) for c in ("kind", "item", "status", "statement")}
            head["loss_yuan"] = word("ax_loss", lang)
            rows = [
                [fmt_money(x[c]) if c == "loss_yuan" else ("" if _isna(x[c]) else str(x[c])) for c in cols]
                for _, x in imp.iterrows()
            ]
            doc.table([head.get(c, c) for c in cols], rows, right=[i for i, c in enumerate(cols) if c == "loss_yuan"])

    units = _ex_table(ex, "unit_prices")
    if units is not None and "statement" in units and len(units):
        doc.h(3, word("unit_prices", lang))
        exact = str(getattr(ex, "plan_status", "optimal")) == "optimal"
        lines = []
        for _, x in units.iterrows():
            try:
                lines.append(unit_statement(x.to_dict(), exact=exact, lang=lang))
            except (KeyError, TypeError, ValueError):  # an explanation.json from another version: its own words
                lines.append(str(x["statement"]))
        doc.items(lines)

    doc.h(3, word("ax_ranging", lang))
    par = _ex_table(ex, "parameters")
    if par is None:
        not_computed("ax_ranging")
    elif "statement" in par:
        doc.items(par["statement"].dropna().astype(str).head(30))
    else:
        cols = list(par.columns)[:7]
        doc.table(cols, [["" if _isna(x[c]) else str(x[c]) for c in cols] for _, x in par.head(30).iterrows()])


#: A merged land unit's name: its first parcel's id, "+", and how many parcels like it it holds.
MERGED_UNIT = re.compile(r"(?<![\w+])([A-Za-z][A-Za-z0-9_.-]*\+\d+)\b")


def _merged_unit(ex) -> str:
    """The first merged land unit (``DSX040+2``) the explanation's tables name, or ''."""
    for name, cols in (("rules", ("where",)), ("options", ("best_parcel", "statement"))):
        df = table_of(ex, name)
        for c in cols:
            if c in df:
                for text in df[c].dropna().astype(str):
                    m = MERGED_UNIT.search(text)
                    if m:
                        return m.group(1)
    return ""


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
