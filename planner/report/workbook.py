"""plan.xlsx: the plan as an Excel workbook for the people who carry it out.

:func:`write_workbook` writes one workbook in English (``lang="en"``) or Chinese
(``"zh"``), every word from the registry (:mod:`planner.core.labels`):

- **Summary**: instance and township, the status (its label and its code), how the
  solver ended, the optimality gap in words, the independent check and the objective;
- **Key figures**: each KPI with its unit, its value per period and the instance's
  targets (met or not);
- **one sheet per village** (named by the village's name in the language): the parcels
  that change (the parcel's id as in the parcel layer, its current cover and area, the
  new use, the hectares in that use by the end of each period, and the establishment
  cost spent in each period), the people recruited by role, and the dividends and
  collective income per recipient;
- **Recruitment**: people recruited per role and village, per period;
- **Projects**: each EOD project, its host village, the period it is built in (or "not
  built"), its capital cost and its income once built;
- **Targets** (when the instance has targets): each target, the township's or a village's
  or a service's, required (a rule of the model) or only reported, the plan's figure and
  whether it is met (the plan's ``targets`` table);
- **Finance**: per period the budget, the GEP-value loan, what is spent on land, projects,
  wages and the loan service (interest and instalments), the share of budget and loan
  spent, and the loan interest; below, the repayment schedule of each loan (the plan's
  ``loans`` table).

Every sheet starts with the plan's status, optimality gap and independent check on its
first row (red when the plan is not proved optimal or failed the check), so a sheet
printed or sent on its own still says what the plan is worth. Headers carry the units;
numbers stay numbers, rounded to what they mean (hectares to 0.01 ha, Yuan to the Yuan,
shares as percentages through Excel's number formats); the header rows are frozen and
each sheet prints on one page width.

A plan without a solution (infeasible, stopped before a plan was found) gets the summary
sheet only. The file is written whole (:func:`planner.core.files.write_bytes`).
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from planner.core.files import write_bytes
from planner.core.kpis import KPIS, Kpi
from planner.core.labels import known, name_of, plain, term
from planner.core.status import label as status_label
from planner.core.version import __version__
from planner.report.formats import fmt_money

__all__ = ["write_workbook", "sheet_title", "gap_words", "parcel_changes"]

#: Excel's number formats: the values stay numbers.
FMT_HA = "#,##0.00"
FMT_YUAN = "#,##0"
FMT_COUNT = "#,##0"
FMT_SHARE = "0.0%"
KPI_FORMATS = {"money": FMT_YUAN, "ha": FMT_HA, "share": FMT_SHARE, "count": FMT_COUNT}
KPI_UNITS = {
    "Yuan/yr": "unit_yuan_per_yr",
    "Yuan": "unit_yuan",
    "ha": "unit_ha",
    "gardens": "unit_gardens",
    "projects": "unit_projects",
    "people": "unit_people",
    "": "unit_share",
}

SHEET_MAX = 31  # characters Excel allows in a sheet's name
SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")  # characters Excel refuses in a sheet's name
OK_FILL = PatternFill("solid", fgColor="E2EFDA")  # light green: proved optimal and checked
BAD_FILL = PatternFill("solid", fgColor="F8CBAD")  # light red: not proved optimal, or failed the check
HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
BOLD = Font(bold=True)
TOL = 1e-6  # hectares below this are solver noise, not a change


# ---------------------------------------------------------------------------
# Words
# ---------------------------------------------------------------------------


def sheet_title(name: str, taken: set[str]) -> str:
    """``name`` as an Excel sheet name unused in ``taken`` (lower case; the name is added):
    Excel's forbidden characters ``[]:*?/\\`` become ``_``, no leading or trailing
    apostrophe, at most 31 characters, "History" (reserved) gets a suffix, and a name
    already taken gets `` (2)``, `` (3)`` ..."""
    t = SHEET_FORBIDDEN.sub("_", str(name)).strip().strip("'").strip() or "Sheet"
    t = t[:SHEET_MAX].rstrip("'").strip() or "Sheet"
    if t.lower() == "history":
        t = f"{t} (1)"
    base, i = t, 2
    while t.lower() in taken:
        tail = f" ({i})"
        t = base[: SHEET_MAX - len(tail)].rstrip("'").rstrip() + tail
        i += 1
    taken.add(t.lower())
    return t


def _finite(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def gap_words(plan, lang: str = "en") -> str:
    """How far the plan may be from the best possible, in words: "0: proved optimal ...",
    "at most 1.20% (12,345 Yuan/yr) below the best possible plan", or unknown."""
    g = _finite(plan.mip_gap)
    if plan.status == "optimal" and (g is None or abs(g) <= 1e-9):
        return term("word", "gap_proved", lang)
    if g is None:
        return term("word", "gap_unknown_book", lang)
    g = abs(g)
    pct = f"{g:.2%}" if g >= 1e-4 else f"{g * 100:.2g}%"
    obj, bound = _finite(plan.objective), _finite(plan.objective_bound)
    if obj is not None and bound is not None:
        pct += f" ({fmt_money(abs(bound - obj))} {term('word', 'unit_yuan_per_yr', lang)})"
    return term("word", "gap_within", lang).format(gap=pct)


def _checked(plan, lang: str) -> str:
    v = plan.verification
    if v is None:
        return term("word", "not_run", lang)
    if v.get("passed"):
        n = term("word", "rule_checks", lang).format(n=len(v.get("checks") or []))
        return f"{term('word', 'passed', lang)} ({n})" if lang == "en" else f"{term('word', 'passed', lang)}（{n}）"
    n = term("word", "violations", lang).format(n=len(v.get("violations") or []))
    return f"{term('word', 'failed', lang)}: {n}" if lang == "en" else f"{term('word', 'failed', lang)}：{n}"


def _good(plan) -> bool:
    v = plan.verification
    return plan.status == "optimal" and (v is None or bool(v.get("passed")))


def status_row(plan, lang: str) -> str:
    """The first row of every sheet: status, optimality gap and independent check."""
    return term("word", "status_line", lang).format(
        status=status_label(plan.status, lang), gap=gap_words(plan, lang), verified=_checked(plan, lang)
    )


def _recipient(r: str, lang: str) -> str:
    key = f"recipient_{r}"
    return term("word", key, lang) if known("word", key) else plain(r)


def _unit(k: Kpi, lang: str) -> str:
    key = KPI_UNITS.get(k.unit)
    return term("word", key, lang) if key else k.unit


def _value(v: Any, fmt: str) -> float | int | None:
    """``v`` rounded to what it means in format ``fmt``; None when missing."""
    f = _finite(v)
    if f is None:
        return None
    if fmt == FMT_HA:
        return round(f, 2)
    if fmt in (FMT_YUAN, FMT_COUNT):
        return int(round(f))
    if fmt == FMT_SHARE:
        return round(f, 4)
    return f


def _text_width(v: Any) -> int:
    """Characters a cell's text takes (East Asian wide characters count two)."""
    s = str(v)
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in s)


# ---------------------------------------------------------------------------
# A sheet
# ---------------------------------------------------------------------------


class _Sheet:
    """Rows written one after another; column widths follow what is written."""

    def __init__(self, ws: Worksheet, plan, lang: str):
        self.ws = ws
        self.row = 1
        self.widths: dict[int, int] = {}
        cell = ws.cell(1, 1, status_row(plan, lang))
        cell.font = BOLD
        cell.fill = OK_FILL if _good(plan) else BAD_FILL
        self.row = 2

    def put(self, row: int, col: int, value: Any, fmt: str | None = None, bold: bool = False, head: bool = False):
        cell = self.ws.cell(row, col, value)
        if fmt and isinstance(value, (int, float)):
            cell.number_format = fmt
        if bold or head:
            cell.font = BOLD
        if head:
            cell.fill = HEAD_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        if value is None:
            return cell
        if isinstance(value, (int, float)) and fmt:
            shown = f"{value:,.2f}" if fmt == FMT_HA else f"{value:.1%}" if fmt == FMT_SHARE else f"{value:,.0f}"
        else:
            shown = value
        w = _text_width(shown)
        if head:
            w = min(w, 28)  # long headers wrap
        self.widths[col] = max(self.widths.get(col, 0), w)
        return cell

    def line(self, values: list[Any], fmts: list[str | None] | None = None, bold: bool = False, head: bool = False):
        fmts = fmts or [None] * len(values)
        for j, (v, f) in enumerate(zip(values, fmts), start=1):
            self.put(self.row, j, v, f, bold=bold, head=head)
        self.row += 1

    def title(self, text: str) -> None:
        cell = self.ws.cell(self.row, 1, text)
        cell.font = Font(bold=True, size=12)
        self.row += 1

    def skip(self, n: int = 1) -> None:
        self.row += n

    def finish(self, freeze_below: int) -> None:
        """Column widths, frozen rows above ``freeze_below`` and the print layout."""
        for col, w in self.widths.items():
            self.ws.column_dimensions[get_column_letter(col)].width = min(max(w + 2, 8), 60)
        self.ws.freeze_panes = f"A{freeze_below}"
        self.ws.print_title_rows = f"1:{freeze_below - 1}"
        self.ws.page_setup.orientation = "landscape"
        self.ws.page_setup.paperSize = self.ws.PAPERSIZE_A4
        self.ws.page_setup.fitToWidth = 1
        self.ws.page_setup.fitToHeight = 0
        self.ws.sheet_properties.pageSetUpPr.fitToPage = True


# ---------------------------------------------------------------------------
# Figures from the plan's tables
# ---------------------------------------------------------------------------


def _table(plan, name: str, text: tuple[str, ...] = ("village", "period")) -> pd.DataFrame:
    df = (getattr(plan, "tables", None) or {}).get(name)
    if not isinstance(df, pd.DataFrame):
        return pd.DataFrame()
    df = df.copy()
    for c in text:
        if c in df:
            df[c] = df[c].astype(str)
    return df


def _periods(plan, li) -> list[str]:
    ids = [str(p.id) for p in getattr(li.instance, "periods", []) or []]
    if ids:
        return ids
    k = _table(plan, "kpis")
    return [str(p) for p in k["period"]] if "period" in k else []


def parcel_changes(plan, li, periods: list[str] | None = None) -> pd.DataFrame:
    """One row per (village, parcel, new use) with land in the use in some period:
    ``village``, ``parcel``, ``cover``, ``parcel_ha``, ``use``, then per period ``P``
    ``ha_P`` (hectares in the use by the end of P) and ``cost_P`` (establishment cost spent
    in P: the hectares added since the period before times the use's
    ``establishment_cost_yuan_per_ha`` and the instance's ``establishment_cost_multiplier``,
    as the verifier counts it; their sum over parcels is the plan's ``establishment_yuan``).
    Rows in the parcel table's order, uses in the library's."""
    periods = periods if periods is not None else _periods(plan, li)
    alloc = _table(plan, "allocations", ("village", "parcel", "use", "period"))
    cols = ["village", "parcel", "cover", "parcel_ha", "use"]
    cols += [f"ha_{t}" for t in periods] + [f"cost_{t}" for t in periods]
    if alloc.empty:
        return pd.DataFrame(columns=cols)
    ha = alloc.pivot_table(index=["parcel", "use"], columns="period", values="area_ha", aggfunc="sum")
    present = alloc.pivot_table(index=["parcel", "use"], columns="period", values="area_ha", aggfunc="size") > 0
    ha = ha.reindex(columns=periods).fillna(0.0)
    present = present.reindex(index=ha.index, columns=periods).fillna(False).astype(bool)
    ha = ha[(ha > TOL).any(axis=1)]
    present = present.reindex(ha.index)
    mult = float(getattr(li.instance.prices, "establishment_cost_multiplier", 1.0) or 1.0)
    uses = li.library.uses
    per_ha = pd.Series(
        [
            float(getattr(uses[u], "establishment_cost_yuan_per_ha", 0.0) or 0.0) if u in uses else 0.0
            for u in ha.index.get_level_values("use")
        ],
        index=ha.index,
    )
    out = pd.DataFrame(index=ha.index)
    prev = pd.Series(0.0, index=ha.index)
    for t in periods:
        out[f"ha_{t}"] = ha[t]
    for t in periods:
        added = ha[t] - prev
        out[f"cost_{t}"] = (added * per_ha * mult).where(present[t], 0.0)
        prev = ha[t]
    out = out.reset_index()
    par = li.parcels.assign(id=li.parcels["id"].astype(str)).set_index("id")
    order = {p: i for i, p in enumerate(par.index)}
    use_order = {u: i for i, u in enumerate(uses)}
    out["village"] = out["parcel"].map(par["village"].astype(str))
    out["cover"] = out["parcel"].map(par["cover"].astype(str))
    out["parcel_ha"] = out["parcel"].map(par["area_ha"].astype(float))
    out = out.assign(_p=out["parcel"].map(order), _u=out["use"].map(use_order).fillna(len(use_order)))
    out = out.sort_values(["_p", "_u", "use"], kind="stable").drop(columns=["_p", "_u"])
    return out[cols].reset_index(drop=True)


# ---------------------------------------------------------------------------
# The sheets
# ---------------------------------------------------------------------------


def _summary(wb: Workbook, plan, li, lang: str, taken: set[str]) -> None:
    sh = _Sheet(wb.create_sheet(sheet_title(term("word", "sheet_summary", lang), taken)), plan, lang)
    w = lambda key: term("word", key, lang)
    sh.line([w("item"), w("value")], head=True)
    township = getattr(li.instance, "township", None) if li is not None else None
    rows: list[tuple[str, Any, str | None]] = []
    if township is not None:
        rows.append((w("township"), name_of(township, lang), None))
    rows += [
        (w("instance"), str(plan.instance_name), None),
        (w("status"), status_label(plan.status, lang), None),
        (w("status_code"), str(plan.status), None),
        (w("termination"), str(plan.termination), None),
        (w("mip_gap"), gap_words(plan, lang), None),
        (w("verified"), _checked(plan, lang), None),
        (w("objective_yuan"), _value(plan.objective, FMT_YUAN), FMT_YUAN),
        (w("objective_bound"), _value(plan.objective_bound, FMT_YUAN), FMT_YUAN),
        (w("solver"), str(plan.solver), None),
        (w("periods"), ", ".join(_periods(plan, li)) if li is not None else "", None),
        (w("planner_version"), __version__, None),
    ]
    if plan.status_note:
        rows.append((w("status_note"), str(plan.status_note), None))
    rows += [(w("warning"), str(x), None) for x in getattr(plan, "warnings", None) or []]
    for label, value, fmt in rows:
        sh.line([label, value], [None, fmt], bold=False)
        sh.ws.cell(sh.row - 1, 1).font = BOLD
    if not _good(plan):
        for r in range(3, sh.row):
            if sh.ws.cell(r, 1).value in (w("status"), w("mip_gap"), w("verified")):
                sh.ws.cell(r, 2).fill = BAD_FILL
    sh.finish(3)


def _kpis(wb: Workbook, plan, li, periods: list[str], lang: str, taken: set[str]) -> None:
    sh = _Sheet(wb.create_sheet(sheet_title(term("word", "sheet_kpis", lang), taken)), plan, lang)
    w = lambda key: term("word", key, lang)
    sh.line([w("kpi"), w("unit"), *periods, w("target"), w("target_met")], head=True)
    k = _table(plan, "kpis", ("period",))
    by_period = {str(r["period"]): r for _, r in k.iterrows()} if not k.empty else {}
    targets = list(getattr(li.instance, "targets", []) or [])
    colon, semi = ("：", "；") if lang == "zh" else (": ", "; ")
    for kpi in KPIS:
        fmt = KPI_FORMATS[kpi.fmt]
        values = [_value(by_period[t].get(kpi.id), fmt) if t in by_period else None for t in periods]
        texts, met = [], []
        # the township's own targets (a village's or a service's are on the Targets sheet)
        for tg in (x for x in targets if x.kpi == kpi.id and not _scoped(x)):
            bound = []
            if tg.min is not None:
                bound.append(f"≥ {_shown(tg.min, fmt)}")
            if tg.max is not None:
                bound.append(f"≤ {_shown(tg.max, fmt)}")
            kind = f" ({w('target_required')})" if getattr(tg, "required", False) else ""
            texts.append(f"{tg.period}{colon}{' '.join(bound)}{kind}")
            row = by_period.get(str(tg.period))
            v = _finite(row.get(kpi.id)) if row is not None else None
            ok = v is not None and (tg.min is None or v >= tg.min - 1e-9 * max(1.0, abs(tg.min)))
            ok = ok and (tg.max is None or v <= tg.max + 1e-9 * max(1.0, abs(tg.max)))  # type: ignore[operator]
            met.append(f"{tg.period}{colon}{w('yes') if ok else w('no')}")
        sh.line(
            [term("kpi", kpi.id, lang), _unit(kpi, lang), *values, semi.join(texts), semi.join(met)],
            [None, None, *[fmt] * len(periods), None, None],
        )
    sh.finish(3)


def _scoped(tg) -> bool:
    """A target on a village's or a service's figure, not the township's KPI."""
    return bool(getattr(tg, "village", None) or getattr(tg, "service", None))


def _targets(wb: Workbook, plan, li, lang: str, taken: set[str]) -> None:
    """Every target of the instance, required ones first: the plan's figure from its
    ``targets`` table (a village's or a service's own figure), and whether it is met."""
    targets = list(getattr(li.instance, "targets", []) or [])
    if not targets:
        return
    sh = _Sheet(wb.create_sheet(sheet_title(term("word", "sheet_targets", lang), taken)), plan, lang)
    w = lambda key: term("word", key, lang)
    head = [w("target"), w("period"), w("kpi"), w("scope"), w("target_kind"), w("unit")]
    sh.line([*head, w("minimum"), w("maximum"), w("plan_value"), w("target_met")], head=True)
    tt = _table(plan, "targets", ("target", "period"))
    rows = {str(r["target"]): r for _, r in tt.iterrows()} if not tt.empty else {}
    villages = {str(v.id): name_of(v, lang) for v in li.instance.villages}
    order = sorted(range(len(targets)), key=lambda i: not getattr(targets[i], "required", False))
    for i in order:
        tg = targets[i]
        kpi = next((k for k in KPIS if k.id == tg.kpi), None)
        fmt = KPI_FORMATS[kpi.fmt] if kpi is not None else FMT_YUAN
        r = rows.get(tg.id if tg.id else str(i))
        scope = [villages.get(str(tg.village), str(tg.village)) if tg.village else w("township")]
        if tg.service:
            scope.append(term("service", tg.service, lang))
        met = None if r is None else w("yes") if bool(r["met"]) else w("no")
        sh.line(
            [
                tg.label or term("kpi", tg.kpi, lang),
                str(tg.period),
                term("kpi", tg.kpi, lang),
                ", ".join(scope) if lang == "en" else "，".join(scope),
                w("target_required" if getattr(tg, "required", False) else "target_reported"),
                _unit(kpi, lang) if kpi is not None else "",
                _value(tg.min, fmt),
                _value(tg.max, fmt),
                _value(r["value"], fmt) if r is not None else None,
                met,
            ],
            [None, None, None, None, None, None, fmt, fmt, fmt, None],
        )
    sh.finish(3)


def _shown(v: float, fmt: str) -> str:
    if fmt == FMT_SHARE:
        return f"{v:.1%}"
    if fmt == FMT_HA:
        return f"{v:,.2f}"
    return f"{v:,.0f}"


def _village(wb, plan, li, v, periods, changes: pd.DataFrame, lang: str, taken: set[str]) -> None:
    vid = str(v.id)
    vname = name_of(v, lang)
    sh = _Sheet(wb.create_sheet(sheet_title(vname, taken)), plan, lang)
    w = lambda key: term("word", key, lang)
    sep = "：" if lang == "zh" else ": "
    sh.title(f"{vname}{sep}{w('section_parcels')}")
    head = [w("parcel"), w("cover"), w("parcel_area_ha"), w("new_use")]
    head += [w("ha_by_end").format(period=t) for t in periods] + [w("cost_in").format(period=t) for t in periods]
    sh.line(head, head=True)
    rows = changes[changes["village"] == vid]
    fmts = [None, None, FMT_HA, None, *[FMT_HA] * len(periods), *[FMT_YUAN] * len(periods)]
    for r in rows.itertuples(index=False):
        d = r._asdict()
        sh.line(
            [
                d["parcel"],
                term("cover", d["cover"], lang),
                _value(d["parcel_ha"], FMT_HA),
                term("use", d["use"], lang),
                *[_value(d[f"ha_{t}"], FMT_HA) for t in periods],
                *[_value(d[f"cost_{t}"], FMT_YUAN) for t in periods],
            ],
            fmts,
        )
    if rows.empty:
        sh.line([w("no_parcels")])
    else:
        sh.line(
            [
                w("total"),
                None,
                None,
                None,
                *[_value(rows[f"ha_{t}"].sum(), FMT_HA) for t in periods],
                *[_value(rows[f"cost_{t}"].sum(), FMT_YUAN) for t in periods],
            ],
            fmts,
            bold=True,
        )

    # recruits by role
    sh.skip()
    sh.title(w("section_recruits"))
    sh.line([w("role"), *[w("people_in").format(period=t) for t in periods]], head=True)
    rec = _table(plan, "recruitment", ("village", "role", "period"))
    rec = rec[rec["village"] == vid] if not rec.empty else rec
    roles = [r.id for r in getattr(li.instance, "roles", []) or []]
    if not rec.empty:
        pv = rec.pivot_table(index="role", columns="period", values="count", aggfunc="sum").reindex(columns=periods)
        pv = pv.fillna(0.0)
        order = [r for r in roles if r in pv.index] + sorted(set(pv.index) - set(roles))
        for role in order:
            sh.line(
                [term("role", role, lang), *[_value(pv.at[role, t], FMT_COUNT) for t in periods]],
                [None, *[FMT_COUNT] * len(periods)],
            )
        sh.line(
            [w("total"), *[_value(pv[t].sum(), FMT_COUNT) for t in periods]],
            [None, *[FMT_COUNT] * len(periods)],
            bold=True,
        )
    else:
        sh.line([w("total"), *[0] * len(periods)], [None, *[FMT_COUNT] * len(periods)], bold=True)

    # dividends and collective income
    sh.skip()
    sh.title(w("section_dividends"))
    sh.line([w("recipient"), *[w("yuan_per_yr_in").format(period=t) for t in periods]], head=True)
    div = _table(plan, "dividends", ("village", "recipient", "period"))
    div = div[div["village"] == vid] if not div.empty else div
    if not div.empty:
        pv = div.pivot_table(index="recipient", columns="period", values="yuan_per_yr", aggfunc="sum")
        pv = pv.reindex(columns=periods).fillna(0.0)
        for rcp in pv.index:
            sh.line(
                [_recipient(str(rcp), lang), *[_value(pv.at[rcp, t], FMT_YUAN) for t in periods]],
                [None, *[FMT_YUAN] * len(periods)],
            )
    sh.finish(4)


def _recruitment(wb, plan, li, periods, lang: str, taken: set[str]) -> None:
    sh = _Sheet(wb.create_sheet(sheet_title(term("word", "sheet_recruitment", lang), taken)), plan, lang)
    w = lambda key: term("word", key, lang)
    sh.line([w("role"), w("village"), *[w("people_in").format(period=t) for t in periods]], head=True)
    rec = _table(plan, "recruitment", ("village", "role", "period"))
    fmts = [None, None, *[FMT_COUNT] * len(periods)]
    if not rec.empty:
        pv = rec.pivot_table(index=["role", "village"], columns="period", values="count", aggfunc="sum")
        pv = pv.reindex(columns=periods).fillna(0.0)
        roles = {r.id: i for i, r in enumerate(getattr(li.instance, "roles", []) or [])}
        villages = {str(v.id): v for v in li.instance.villages}
        vorder = {vid: i for i, vid in enumerate(villages)}
        keys = sorted(pv.index, key=lambda k: (roles.get(k[0], len(roles)), k[0], vorder.get(k[1], len(vorder)), k[1]))
        for role, vid in keys:
            vname = name_of(villages[vid], lang) if vid in villages else vid
            sh.line(
                [term("role", role, lang), vname, *[_value(pv.at[(role, vid), t], FMT_COUNT) for t in periods]], fmts
            )
        sh.line([w("total"), None, *[_value(pv[t].sum(), FMT_COUNT) for t in periods]], fmts, bold=True)
    else:
        sh.line([w("total"), None, *[0] * len(periods)], fmts, bold=True)
    sh.finish(3)


def _projects(wb, plan, li, periods, lang: str, taken: set[str]) -> None:
    sh = _Sheet(wb.create_sheet(sheet_title(term("word", "sheet_projects", lang), taken)), plan, lang)
    w = lambda key: term("word", key, lang)
    sh.line(
        [w("project"), w("host_village"), w("built_in"), w("capital_cost_yuan"), w("income_yuan_per_yr")], head=True
    )
    pr = _table(plan, "projects", ("project", "period"))
    villages = {str(v.id): v for v in li.instance.villages}
    order = {t: i for i, t in enumerate(periods)}
    for j in getattr(li.instance, "projects", []) or []:
        rows = pr[pr["project"] == str(j.id)] if not pr.empty else pr
        built = rows[rows["built"].astype(bool)] if not rows.empty else rows
        first = min(built["period"], key=lambda t: order.get(t, len(order))) if not built.empty else None
        host = str(j.host_village)
        sh.line(
            [
                name_of(j, lang),
                name_of(villages[host], lang) if host in villages else host,
                first if first is not None else w("not_built"),
                _value(j.capex_yuan, FMT_YUAN),
                _value(sum(j.income_yuan_per_yr.values()), FMT_YUAN),
            ],
            [None, None, None, FMT_YUAN, FMT_YUAN],
        )
    sh.finish(3)


def _finance(wb, plan, periods, lang: str, taken: set[str]) -> None:
    sh = _Sheet(wb.create_sheet(sheet_title(term("word", "sheet_finance", lang), taken)), plan, lang)
    w = lambda key: term("word", key, lang)
    money = ["budget_yuan", "loan_yuan", "available_yuan", "establishment_yuan", "project_capex_yuan", "wages_yuan"]
    money += ["debt_service_yuan", "spent_yuan"]
    sh.line([w("period"), *[w(k) for k in money], w("share_spent"), w("interest_yuan_per_yr")], head=True)
    fin = _table(plan, "finance", ("period",))
    by = {str(r["period"]): r for _, r in fin.iterrows()} if not fin.empty else {}
    fmts = [None, *[FMT_YUAN] * len(money), FMT_SHARE, FMT_YUAN]
    total = dict.fromkeys(money, 0.0)
    for t in periods:
        r = by.get(t)
        if r is None:
            continue
        vals = {
            "budget_yuan": _finite(r.get("budget_yuan")) or 0.0,
            "loan_yuan": _finite(r.get("loan_yuan")) or 0.0,
            "establishment_yuan": _finite(r.get("establishment_yuan")) or 0.0,
            "project_capex_yuan": _finite(r.get("project_capex_yuan")) or 0.0,
            "wages_yuan": _finite(r.get("wages_yuan")) or 0.0,
            "debt_service_yuan": _finite(r.get("debt_service_yuan")) or 0.0,
            "spent_yuan": _finite(r.get("budget_used_yuan")) or 0.0,
        }
        vals["available_yuan"] = vals["budget_yuan"] + vals["loan_yuan"]
        for k in money:
            total[k] += vals[k]
        share = vals["spent_yuan"] / vals["available_yuan"] if vals["available_yuan"] > 0 else None
        sh.line(
            [
                t,
                *[_value(vals[k], FMT_YUAN) for k in money],
                _value(share, FMT_SHARE),
                _value(r.get("interest_yuan_per_yr"), FMT_YUAN),
            ],
            fmts,
        )
    share = total["spent_yuan"] / total["available_yuan"] if total["available_yuan"] > 0 else None
    sh.line([w("total"), *[_value(total[k], FMT_YUAN) for k in money], _value(share, FMT_SHARE), None], fmts, bold=True)
    loans = _table(plan, "loans", ("loan", "period"))
    if not loans.empty:
        sh.skip()
        sh.title(w("section_loans"))
        cols = ["principal_yuan", "interest_yuan", "repaid_yuan", "outstanding_yuan"]
        sh.line([w("loan_drawn_in"), w("period"), *[w(f"loan_{c}") for c in cols], w("paid_off_year")], head=True)
        for r in loans.itertuples(index=False):
            d = r._asdict()
            sh.line(
                [
                    d["loan"],
                    d["period"],
                    *[_value(d[c], FMT_YUAN) for c in cols],
                    _value(d["paid_off_year"], FMT_COUNT),
                ],
                [None, None, *[FMT_YUAN] * len(cols), "0"],
            )
        sh.line([w("loan_note")])
    sh.finish(3)


def write_workbook(plan, li, path: str | Path, lang: str = "en") -> Path:
    """Write ``plan`` (made for the loaded instance ``li``) as an Excel workbook at ``path``
    (e.g. ``out/plan.xlsx``) in ``lang`` (``en`` or ``zh``), replacing any file there; the
    sheets are described in this module's docstring. Returns ``path``."""
    term("word", "sheet_summary", lang)  # an unknown language fails before anything is made
    path = Path(path)
    wb = Workbook()
    wb.remove(wb.active)
    taken: set[str] = set()
    _summary(wb, plan, li, lang, taken)
    if plan.has_solution:
        periods = _periods(plan, li)
        _kpis(wb, plan, li, periods, lang, taken)
        changes = parcel_changes(plan, li, periods)
        for v in li.instance.villages:
            _village(wb, plan, li, v, periods, changes, lang, taken)
        _recruitment(wb, plan, li, periods, lang, taken)
        _projects(wb, plan, li, periods, lang, taken)
        _targets(wb, plan, li, lang, taken)
        _finance(wb, plan, periods, lang, taken)
    wb.properties.title = f"{plan.instance_name}: {status_label(plan.status, lang)}"
    wb.properties.creator = f"planner {__version__}"
    buf = io.BytesIO()
    wb.save(buf)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_bytes(path, buf.getvalue())
    return path
