"""The plan report: ``report.md`` and a self-contained ``report.html`` for one plan.

:func:`write_report` puts the status, termination and MIP gap first (with a warning when
the plan is not proved optimal or failed verification), then the headline figures per
period, the plan against the instance's targets, per-village tables, five charts (and,
when the instance has parcel geometry, two maps: :mod:`planner.report.maps`) and,
when an explanation is given, its binding rules, shadow prices and why-not findings.

The charts are PNG files in ``out_dir/figures/`` (linked from ``report.md``) and are
embedded in ``report.html`` as ``data:`` URIs: the HTML loads nothing from anywhere.

:func:`screenshot` renders the HTML in headless Chromium (Debian package ``chromium``).
"""

from __future__ import annotations

import base64
import html
import math
import re
import shutil
import subprocess
import tempfile
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["find_chromium", "fmt_money", "fmt_pct", "screenshot", "write_report"]

FIGURES = (
    "area_by_village_use",
    "gep_by_service_village",
    "dividends_by_recipient",
    "recruitment_by_role",
    "budget_by_period",
)
# drawn only when the instance has parcel geometry (planner.report.maps)
MAP_FIGURES = ("map_new_use", "map_gep_change")
NOT_COMPUTED = "not computed"
INSTALL_HINT = (
    "install Chromium (Debian/Ubuntu: `apt-get install chromium`), or pass chromium=PATH "
    "to a Chromium or Google Chrome binary"
)
DPI = 110


# ---------------------------------------------------------------------------
# Number formatting
# ---------------------------------------------------------------------------


def _num(v: Any) -> float | None:
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def fmt_money(v: Any) -> str:
    """Yuan: thousands separators below a million, then ``8.44 M`` and ``65.60 bn``."""
    f = _num(v)
    if f is None:
        return "–"
    if math.isinf(f):
        return "no limit"
    a = abs(f)
    if a >= 1e9:
        return f"{f / 1e9:,.2f} bn"
    if a >= 1e6:
        return f"{f / 1e6:,.2f} M"
    return f"{f:,.0f}"


def fmt_pct(v: Any, digits: int = 1) -> str:
    """A fraction as a percentage: 0.9133 -> ``91.3%``."""
    f = _num(v)
    return "–" if f is None else f"{f * 100:.{digits}f}%"


def _fmt_sig(v: Any, unit: str = "", digits: int = 3) -> str:
    """About ``digits`` significant digits with thousands separators (the explanations' style)."""
    f = _num(v)
    if f is None:
        return "n/a"
    if math.isinf(f):
        return "no limit"
    a = abs(f)
    if a >= 10**digits or a == 0:
        s = f"{f:,.0f}"
    else:
        s = f"{f:,.{max(digits - 1 - math.floor(math.log10(a)), 0)}f}"
    return f"{s} {unit}".strip()


def _fmt_ha(v: Any) -> str:
    return _fmt_sig(v)


def _fmt_int(v: Any) -> str:
    f = _num(v)
    return "–" if f is None else f"{f:,.0f}"


def _fmt_gap(v: Any) -> str:
    f = _num(v)
    if f is None:
        return "n/a"
    if f == 0:
        return "0"
    return f"{f:.3g}" if abs(f) >= 1e-3 else f"{f:.2e}"


def _short_money(v: float, _pos: Any = None) -> str:
    """Axis ticks: 0, 500 k, 8.4 M, 65 bn."""
    a = abs(v)
    if a >= 1e9:
        return f"{v / 1e9:g} bn"
    if a >= 1e6:
        return f"{v / 1e6:g} M"
    if a >= 1e3:
        return f"{v / 1e3:g} k"
    return f"{v:g}"


KPI_FORMAT: dict[str, Callable[[Any], str]] = {
    "gep_yuan": fmt_money,
    "forestry_carbon_income_yuan": fmt_money,
    "agricultural_carbon_income_yuan": fmt_money,
    "dividends_yuan": fmt_money,
    "budget_used_yuan": fmt_money,
    "budget_yuan": fmt_money,
    "afforested_ha": _fmt_ha,
    "forest_ha": _fmt_ha,
    "ecological_space_ha": _fmt_ha,
    "vegetation_coverage": fmt_pct,
    "forest_coverage": fmt_pct,
    "gardens_built": _fmt_int,
    "projects_built": _fmt_int,
    "recruited_people": _fmt_int,
}
KPI_UNIT = {
    "gep_yuan": "Yuan/yr",
    "forestry_carbon_income_yuan": "Yuan/yr",
    "agricultural_carbon_income_yuan": "Yuan/yr",
    "dividends_yuan": "Yuan/yr",
    "budget_used_yuan": "Yuan",
    "budget_yuan": "Yuan",
    "afforested_ha": "ha",
    "forest_ha": "ha",
    "ecological_space_ha": "ha",
    "gardens_built": "gardens",
    "projects_built": "projects",
    "recruited_people": "people",
}


def _fmt_kpi(kpi: str, v: Any) -> str:
    return KPI_FORMAT.get(kpi, _fmt_sig)(v)


# ---------------------------------------------------------------------------
# A small document model rendered to Markdown and HTML
# ---------------------------------------------------------------------------


@dataclass
class _Figure:
    key: str
    path: Path
    caption: str
    width: int
    height: int


@dataclass
class _Doc:
    blocks: list[tuple] = field(default_factory=list)

    def h(self, level: int, text: str) -> None:
        self.blocks.append(("h", level, text))

    def p(self, text: str) -> None:
        self.blocks.append(("p", text))

    def warn(self, text: str) -> None:
        self.blocks.append(("warn", text))

    def note(self, text: str) -> None:
        self.blocks.append(("note", text))

    def items(self, items: Iterable[str]) -> None:
        self.blocks.append(("ul", [str(i) for i in items]))

    def table(self, header: list[str], rows: list[list[Any]], right: Iterable[int] = ()) -> None:
        """``right``: indices of the columns to right-align (numbers)."""
        self.blocks.append(
            ("table", [str(h) for h in header], [[("" if c is None else str(c)) for c in r] for r in rows], set(right))
        )

    def fig(self, f: _Figure) -> None:
        self.blocks.append(("fig", f))


# Characters with a meaning in Markdown or HTML, in text that comes from the user (an
# instance name, ids, labels) as much as in the report's own: HTML is written as entities
# (no tag or script of an input becomes live when report.md is rendered), brackets and
# backticks are escaped (no link or code span), and a line break is a space.
_MD_TEXT = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\\": "\\\\", "[": "\\[", "]": "\\]", "`": "\\`", "\n": " ", "\r": " "}
)


def _md_text(s: Any) -> str:
    """Text for report.md, shown as written: see _MD_TEXT."""
    return str(s).translate(_MD_TEXT)


def _md_cell(s: Any) -> str:
    """A table cell: text, and ``|`` escaped so it cannot end the cell."""
    return _md_text(s).replace("|", "\\|")


def _to_markdown(doc: _Doc, out_dir: Path) -> str:
    out: list[str] = []
    for b in doc.blocks:
        kind = b[0]
        if kind == "h":
            out.append(f"{'#' * b[1]} {_md_text(b[2])}\n")
        elif kind == "p":
            out.append(f"{_md_text(b[1])}\n")
        elif kind == "warn":
            out.append(f"> **Warning:** {_md_text(b[1])}\n")
        elif kind == "note":
            out.append(f"> **Note:** {_md_text(b[1])}\n")
        elif kind == "ul":
            out.append("\n".join(f"- {_md_text(i)}" for i in b[1]) + "\n")
        elif kind == "table":
            header, rows, right = b[1], b[2], b[3]
            lines = [
                "| " + " | ".join(_md_cell(h) for h in header) + " |",
                "|" + "|".join("---:" if i in right else "---" for i in range(len(header))) + "|",
            ]
            lines += ["| " + " | ".join(_md_cell(c) for c in r) + " |" for r in rows]
            out.append("\n".join(lines) + "\n")
        elif kind == "fig":
            f: _Figure = b[1]
            rel = f.path.relative_to(out_dir).as_posix()
            out.append(f"![{_md_cell(f.caption)}]({rel})\n\n*{_md_text(f.caption)}*\n")
    return "\n".join(out)


def _e(text: Any) -> str:
    """Escape for HTML; '://' is written with an entity so no URL appears in the file."""
    return html.escape(str(text)).replace("://", "&#58;//")


CSS = """
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, Helvetica, sans-serif; font-size: 15px; line-height: 1.45;
       color: #1d2329; background: #ffffff; margin: 0; }
main { max-width: 1200px; margin: 0 auto; padding: 24px 32px 48px 32px; }
h1 { font-size: 28px; margin: 8px 0 16px 0; border-bottom: 3px solid #2f6f4f; padding-bottom: 6px; }
h2 { font-size: 22px; margin: 34px 0 10px 0; color: #234f3a; border-bottom: 1px solid #c9d6cf; padding-bottom: 3px; }
h3 { font-size: 17px; margin: 22px 0 8px 0; color: #234f3a; }
p { margin: 8px 0; }
table { border-collapse: collapse; margin: 8px 0 14px 0; font-size: 14px; }
th, td { border: 1px solid #c8ccd0; padding: 4px 9px; vertical-align: top; }
th { background: #e8efeb; text-align: left; font-weight: 600; }
tr:nth-child(even) td { background: #f6f8f7; }
td.num, th.num { text-align: right; white-space: nowrap; }
td.yes { color: #17622f; font-weight: 600; }
td.no { color: #a3171b; font-weight: 600; }
.warn { border: 2px solid #c0392b; background: #fdecea; color: #5c1511; padding: 10px 14px; margin: 12px 0;
        border-radius: 4px; font-weight: 600; }
.note { border-left: 5px solid #3d6f99; background: #eef4fa; padding: 8px 14px; margin: 10px 0; }
figure { margin: 14px 0 22px 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #dde2e6; }
figcaption { font-size: 13px; color: #4a545e; margin-top: 4px; }
ul { margin: 6px 0 12px 0; padding-left: 24px; }
li { margin: 3px 0; }
.wide { overflow-x: auto; }
"""


def _to_html(doc: _Doc, title: str) -> str:
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
    ]
    for b in doc.blocks:
        kind = b[0]
        if kind == "h":
            out.append(f"<h{b[1]}>{_e(b[2])}</h{b[1]}>")
        elif kind == "p":
            out.append(f"<p>{_e(b[1])}</p>")
        elif kind == "warn":
            out.append(f'<div class="warn" role="alert">Warning: {_e(b[1])}</div>')
        elif kind == "note":
            out.append(f'<div class="note">Note: {_e(b[1])}</div>')
        elif kind == "ul":
            out.append("<ul>" + "".join(f"<li>{_e(i)}</li>" for i in b[1]) + "</ul>")
        elif kind == "table":
            header, rows, right = b[1], b[2], b[3]
            t = ['<div class="wide"><table>', "<thead><tr>"]
            hs = [_e(h).replace("_", "_<wbr>") for h in header]
            t += [f'<th class="num">{h}</th>' if i in right else f"<th>{h}</th>" for i, h in enumerate(hs)]
            t.append("</tr></thead><tbody>")
            for r in rows:
                cells = []
                for i, c in enumerate(r):
                    cls = "num" if i in right else ("yes" if c == "yes" else "no" if c == "no" else "")
                    cells.append(f'<td class="{cls}">{_e(c)}</td>' if cls else f"<td>{_e(c)}</td>")
                t.append("<tr>" + "".join(cells) + "</tr>")
            t.append("</tbody></table></div>")
            out.append("".join(t))
        elif kind == "fig":
            f: _Figure = b[1]
            data = base64.b64encode(f.path.read_bytes()).decode("ascii")
            out.append(
                f'<figure id="fig-{_e(f.key)}"><img alt="{_e(f.caption)}" width="{f.width}" height="{f.height}" '
                f'src="data:image/png;base64,{data}"><figcaption>{_e(f.caption)}</figcaption></figure>'
            )
    out += ["</main>", "</body>", "</html>", ""]
    return "\n".join(out)


# ---------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------


def _table(obj: Any, name: str) -> pd.DataFrame:
    tables = getattr(obj, "tables", None) or {}
    df = tables.get(name)
    return df if isinstance(df, pd.DataFrame) else pd.DataFrame()


def _periods(plan) -> list[str]:
    k = _table(plan, "kpis")
    if "period" in k:
        return [str(p) for p in k["period"].tolist()]
    seen: list[str] = []
    for name in ("finance", "allocations", "recruitment"):
        df = _table(plan, name)
        if "period" in df:
            for p in df["period"].astype(str):
                if p not in seen:
                    seen.append(p)
    return sorted(seen)


def _with_str_period(df: pd.DataFrame) -> pd.DataFrame:
    if "period" in df.columns and len(df):
        df = df.copy()
        df["period"] = df["period"].astype(str)
    return df


def _load_instance(plan) -> tuple[Any, str]:
    """(LoadedInstance or None, why not)."""
    try:
        from planner.api import load_instance
        from planner.instance.overrides import split_overrides

        scenario, sets = split_overrides(list(plan.overrides or []))
        return load_instance(plan.instance_path, scenario=scenario, sets=sets), ""
    except Exception as exc:  # noqa: BLE001 - any failure only means "no targets"
        msg = " ".join(str(exc).split())
        return None, (msg[:300] + "...") if len(msg) > 300 else msg


def _village_order(plan, instance) -> list[str]:
    found: list[str] = []
    for name in ("allocations", "gardens", "recruitment", "dividends", "gep"):
        df = _table(plan, name)
        if "village" in df:
            found += [str(v) for v in df["village"].dropna().unique()]
    known = [v.id for v in instance.instance.villages] if instance is not None else []
    order = [v for v in known if v in found] + sorted({v for v in found if v not in known and v != "(township)"})
    return order + (["(township)"] if "(township)" in found else [])


# ---------------------------------------------------------------------------
# Sections
# ---------------------------------------------------------------------------


def _status_section(doc: _Doc, plan) -> None:
    doc.h(2, "Status")
    status = plan.status
    word = {"optimal": "optimal (proved optimal)", "feasible": "feasible, NOT proved optimal"}.get(
        status, f"{status} (no plan)" if not plan.has_solution else status
    )
    obj, bound = _num(plan.objective), _num(plan.objective_bound)
    slack = (bound - obj) if obj is not None and bound is not None else None
    rows = [
        ["Status", word],
        ["Termination", str(plan.termination)],
        [
            "MIP gap",
            _fmt_gap(plan.mip_gap) + (f" (bound − objective: {fmt_money(slack)} Yuan/yr)" if slack is not None else ""),
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
                f"{_fmt_gap(plan.mip_gap)}). Call it 'feasible, not proved optimal', never 'the optimum'.{extra}"
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


KPI_ROWS = [
    ("GEP (Yuan/yr)", "gep_yuan"),
    ("Forestry carbon income (Yuan/yr)", "forestry_carbon_income_yuan"),
    ("Agricultural carbon income (Yuan/yr)", "agricultural_carbon_income_yuan"),
    ("Dividends (Yuan/yr)", "dividends_yuan"),
    ("Budget used of budget (Yuan)", None),
    ("Loans drawn (Yuan)", None),
    ("Vegetation coverage", "vegetation_coverage"),
    ("Forest coverage", "forest_coverage"),
    ("Afforested (ha)", "afforested_ha"),
    ("Gardens built", "gardens_built"),
    ("EOD projects built", "projects_built"),
    ("People recruited", "recruited_people"),
]


def _kpi_section(doc: _Doc, plan, periods: list[str]) -> None:
    doc.h(2, "Headline KPIs per period")
    k = _with_str_period(_table(plan, "kpis"))
    if k.empty:
        doc.p("No KPIs: the run has no plan.")
        return
    k = k.set_index("period")
    fin = _with_str_period(_table(plan, "finance"))
    fin = fin.set_index("period") if "period" in fin else pd.DataFrame()
    rows = []
    for label, col in KPI_ROWS:
        row = [label]
        for t in periods:
            if label.startswith("Budget used"):
                used, budget = (
                    _num(k.at[t, c]) if c in k and t in k.index else None for c in ("budget_used_yuan", "budget_yuan")
                )
                share = f" ({used / budget:.0%})" if used is not None and budget else ""
                row.append(f"{fmt_money(used)} of {fmt_money(budget)}{share}")
            elif label.startswith("Loans"):
                row.append(fmt_money(fin.at[t, "loan_yuan"]) if "loan_yuan" in fin and t in fin.index else "–")
            else:
                row.append(_fmt_kpi(col, k.at[t, col]) if col in k and t in k.index else "–")
        rows.append(row)
    doc.table(["figure", *periods], rows, right=range(1, len(periods) + 1))
    doc.p("Money in Yuan (M = million, bn = billion); annual flows in Yuan/yr. Budget used includes loans drawn.")


def _target_section(doc: _Doc, plan, instance, why: str) -> None:
    doc.h(2, "Plan against targets")
    if instance is None:
        doc.p(f"Targets not shown: the instance could not be loaded ({why}). The report is without targets.")
        return
    targets = list(getattr(instance.instance, "targets", []) or [])
    if not targets:
        doc.p("The instance sets no targets.")
        return
    k = _with_str_period(_table(plan, "kpis"))
    k = k.set_index("period") if "period" in k else pd.DataFrame()
    rows = []
    for tg in targets:
        val = _num(k.at[str(tg.period), tg.kpi]) if tg.kpi in k and str(tg.period) in k.index else None
        lo, hi = _num(tg.min), _num(tg.max)
        if lo is not None and hi is not None:
            want = f"{_fmt_kpi(tg.kpi, lo)} to {_fmt_kpi(tg.kpi, hi)}"
        elif lo is not None:
            want = f"≥ {_fmt_kpi(tg.kpi, lo)}"
        else:
            want = f"≤ {_fmt_kpi(tg.kpi, hi)}"
        tol = 1e-9 * max(1.0, abs(val or 0.0))
        met = val is not None and (lo is None or val >= lo - tol) and (hi is None or val <= hi + tol)
        unit = KPI_UNIT.get(tg.kpi, "")
        rows.append(
            [
                tg.label or tg.kpi,
                str(tg.period),
                _fmt_kpi(tg.kpi, val) if val is not None else "n/a",
                want,
                "yes" if met else "no",
                f"{tg.kpi} ({unit})" if unit else tg.kpi,
                tg.source,
            ]
        )
    doc.table(["target", "period", "plan value", "target", "met", "figure", "source"], rows, right=(2, 3))
    n = sum(r[4] == "yes" for r in rows)
    doc.p(f"{n} of {len(rows)} targets met. Targets are figures the plan is reported against, not rules of the model.")


def _village_section(doc: _Doc, plan, instance, periods: list[str]) -> None:
    doc.h(2, "Per village")
    if not plan.has_solution:
        doc.p("No plan: nothing per village.")
        return
    last = periods[-1] if periods else ""
    villages = _village_order(plan, instance)
    alloc = _with_str_period(_table(plan, "allocations"))
    doc.h(3, f"Land in each use by {last} (ha)")
    if alloc.empty:
        doc.p("No land in new uses.")
    else:
        a = alloc[alloc["period"] == last]
        pv = a.pivot_table(index="village", columns="use", values="area_ha", aggfunc="sum", fill_value=0.0)
        uses = pv.sum().sort_values(ascending=False).index.tolist()
        rows = []
        for v in [x for x in villages if x in pv.index]:
            rows.append(
                [v, *[(_fmt_ha(pv.at[v, u]) if pv.at[v, u] > 1e-9 else "") for u in uses], _fmt_ha(pv.loc[v].sum())]
            )
        rows.append(["total", *[_fmt_ha(pv[u].sum()) for u in uses], _fmt_ha(pv.values.sum())])
        doc.table(["village", *uses, "total"], rows, right=range(1, len(uses) + 2))
        doc.p("Areas are states at the end of the period (they include what was established earlier).")

    doc.h(3, "Gardens, recruits and dividends per village")
    gardens = _with_str_period(_table(plan, "gardens"))
    recr = _with_str_period(_table(plan, "recruitment"))
    div = _with_str_period(_table(plan, "dividends"))
    if "counts_as_dividend" in div:
        div = div[div["counts_as_dividend"].astype(bool)]
    header = [
        "village",
        f"garden {last}",
        "garden area (ha)",
        *[f"recruits {t}" for t in periods],
        *[f"dividends {t} (Yuan/yr)" for t in periods],
    ]
    rows = []
    for v in [x for x in villages if x != "(township)"]:
        g = gardens[(gardens["village"] == v) & (gardens["period"] == last)] if not gardens.empty else gardens
        built = ("yes" if bool(g["built"].iloc[0]) else "no") if len(g) else "–"
        area = _fmt_ha(g["area_ha"].iloc[0]) if len(g) and bool(g["built"].iloc[0]) else ""
        rc = [
            _fmt_int(recr.loc[(recr["village"] == v) & (recr["period"] == t), "count"].sum()) if not recr.empty else "0"
            for t in periods
        ]
        dv = [
            fmt_money(div.loc[(div["village"] == v) & (div["period"] == t), "yuan_per_yr"].sum())
            if not div.empty
            else "0"
            for t in periods
        ]
        rows.append([v, built, area, *rc, *dv])
    doc.table(header, rows, right=range(2, len(header)))
    doc.p(
        "Garden: '–' for the central town (no village garden rule). Dividends: income of the recipients that count as "
        "dividends (objective.dividend_recipients)."
    )

    proj = _with_str_period(_table(plan, "projects"))
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


# ---------------------------------------------------------------------------
# Charts
# ---------------------------------------------------------------------------


def _new_figure(w: float, h: float):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(w, h), dpi=DPI)
    return fig


def _empty(ax, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=13, color="#555555", transform=ax.transAxes)
    ax.set_xticks([])
    ax.set_yticks([])


def _colors(n: int) -> list:
    from matplotlib import colormaps

    cmap = colormaps["tab20"] if n > 10 else colormaps["tab10"]
    return [cmap(i % cmap.N) for i in range(n)]


def _save(fig, out: Path, key: str, caption: str) -> _Figure:
    path = out / f"{key}.png"
    fig.savefig(path, dpi=DPI, facecolor="white")
    w, h = fig.get_size_inches()
    return _Figure(key, path, caption, round(w * DPI), round(h * DPI))


def _style(ax) -> None:
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)
    ax.grid(axis="y", color="#dddddd", linewidth=0.8)
    ax.set_axisbelow(True)
    ax.tick_params(labelsize=10)


def _rotate(ax, n: int) -> None:
    if n > 4:
        for lab in ax.get_xticklabels():
            lab.set_rotation(35)
            lab.set_horizontalalignment("right")
            lab.set_rotation_mode("anchor")


def _stacked(
    ax,
    frame: pd.DataFrame,
    colors: list,
    legend_title: str,
    horizontal: bool = False,
    hatches: dict[str, str] | None = None,
) -> None:
    """frame: index = bars, columns = stacks."""
    import numpy as np

    base = np.zeros(len(frame))
    pos = np.arange(len(frame))
    for c, col in zip(colors, frame.columns):
        vals = frame[col].to_numpy(dtype=float)
        kw = {"color": c, "edgecolor": "white", "linewidth": 0.5, "label": str(col)}
        if hatches and col in hatches:
            kw.update(hatch=hatches[col], edgecolor="#333333")
        if horizontal:
            ax.barh(pos, vals, left=base, **kw)
        else:
            ax.bar(pos, vals, bottom=base, **kw)
        base = base + vals
    if horizontal:
        ax.set_yticks(pos, [str(i) for i in frame.index])
        ax.invert_yaxis()
    else:
        ax.set_xticks(pos, [str(i) for i in frame.index])
    ax.legend(
        title=legend_title, fontsize=9, title_fontsize=10, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False
    )


def _chart_area(out: Path, plan, villages: list[str], last: str) -> _Figure:
    alloc = _with_str_period(_table(plan, "allocations"))
    fig = _new_figure(12, 5.6)
    ax = fig.add_subplot(111)
    a = alloc[alloc["period"] == last] if "period" in alloc else alloc
    if a.empty:
        _empty(ax, f"no land in new uses by {last}")
    else:
        pv = a.pivot_table(index="village", columns="use", values="area_ha", aggfunc="sum", fill_value=0.0)
        pv = pv[pv.sum().sort_values(ascending=False).index]
        pv = pv.reindex([v for v in villages if v in pv.index])
        _stacked(ax, pv, _colors(len(pv.columns)), "use")
        ax.set_ylabel("area (ha)", fontsize=11)
        _rotate(ax, len(pv))
        _style(ax)
    ax.set_title(f"Area by village and use, end of {last} (ha)", fontsize=13, loc="left")
    fig.tight_layout()
    return _save(fig, out, "area_by_village_use", f"(a) Area in each new use by village at the end of {last} (ha).")


def _chart_gep(out: Path, plan, villages: list[str], last: str) -> _Figure:
    from matplotlib.ticker import FuncFormatter

    gep = _with_str_period(_table(plan, "gep"))
    fig = _new_figure(12, 6.2)
    ax = fig.add_subplot(111)
    g = gep[gep["period"] == last].copy() if "period" in gep else gep
    if g.empty:
        _empty(ax, f"no GEP rows for {last}")
    else:
        g["service"] = g["service"].astype(str).map(lambda s: "EOD projects" if s.startswith("project:") else s)
        pv = g.pivot_table(index="village", columns="service", values="gep_yuan", aggfunc="sum", fill_value=0.0)
        pv = pv[pv.sum().sort_values(ascending=False).index]
        pv = pv.reindex([v for v in villages if v in pv.index])
        _stacked(ax, pv, _colors(len(pv.columns)), "ecosystem service", horizontal=True)
        ax.xaxis.set_major_formatter(FuncFormatter(_short_money))
        ax.set_xlabel("GEP (Yuan/yr)", fontsize=11)
        _style(ax)
        ax.grid(axis="y", visible=False)
        ax.grid(axis="x", color="#dddddd", linewidth=0.8)
        total = pv.sum(axis=1)
        for i, v in enumerate(total):
            ax.text(v, i, f" {fmt_money(v)}", va="center", fontsize=9, color="#333333")
        ax.set_xlim(0, float(total.max()) * 1.12 if total.max() > 0 else 1)
    ax.set_title(f"GEP by village and ecosystem service, {last} (Yuan/yr)", fontsize=13, loc="left")
    fig.tight_layout()
    return _save(
        fig,
        out,
        "gep_by_service_village",
        f"(b) GEP by ecosystem service and village in {last} (Yuan/yr); "
        "EOD projects' added cultural GEP counted at the host village.",
    )


def _chart_dividends(out: Path, plan, villages: list[str], periods: list[str], last: str) -> _Figure:
    from matplotlib.ticker import FuncFormatter

    div = _with_str_period(_table(plan, "dividends"))
    fig = _new_figure(12, 5.6)
    if div.empty:
        _empty(fig.add_subplot(111), "no dividends or incomes in this plan")
    else:
        recips = div.groupby("recipient")["yuan_per_yr"].sum().sort_values(ascending=False).index.tolist()
        colors = _colors(len(recips))
        counts = (
            div.groupby("recipient")["counts_as_dividend"].first().astype(bool) if "counts_as_dividend" in div else None
        )
        hatches = {r: "//" for r in recips if counts is not None and not counts.get(r, True)}
        gs = fig.add_gridspec(1, 2, width_ratios=[1, 2.6])
        ax1 = fig.add_subplot(gs[0, 0])
        by_p = div.pivot_table(index="period", columns="recipient", values="yuan_per_yr", aggfunc="sum", fill_value=0.0)
        by_p = by_p.reindex(index=[t for t in periods if t in by_p.index], columns=recips, fill_value=0.0)
        _stacked(ax1, by_p, colors, "recipient", hatches=hatches)
        ax1.get_legend().remove()
        ax1.set_title("township total, by period", fontsize=11, loc="left")
        ax2 = fig.add_subplot(gs[0, 1])
        d = div[div["period"] == last]
        by_v = d.pivot_table(index="village", columns="recipient", values="yuan_per_yr", aggfunc="sum", fill_value=0.0)
        by_v = by_v.reindex(index=[v for v in villages if v in by_v.index], columns=recips, fill_value=0.0)
        _stacked(ax2, by_v, colors, "recipient (hatched: not a dividend)" if hatches else "recipient", hatches=hatches)
        ax2.set_title(f"by village, {last}", fontsize=11, loc="left")
        _rotate(ax2, len(by_v))
        for ax in (ax1, ax2):
            ax.yaxis.set_major_formatter(FuncFormatter(_short_money))
            _style(ax)
        ax1.set_ylabel("Yuan/yr", fontsize=11)
    fig.suptitle("Dividends and incomes by recipient and village (Yuan/yr)", fontsize=13, x=0.01, ha="left")
    fig.tight_layout()
    return _save(
        fig,
        out,
        "dividends_by_recipient",
        "(c) Income by recipient per period, and by village and recipient in "
        f"{last} (Yuan/yr); hatched recipients do not count as dividends.",
    )


def _chart_recruitment(out: Path, plan, instance, periods: list[str]) -> _Figure:
    import numpy as np
    from matplotlib.patches import Rectangle

    recr = _with_str_period(_table(plan, "recruitment"))
    roles = list(instance.instance.roles) if instance is not None else []
    ranges_on = bool(instance.instance.policies.recruitment_ranges) if instance is not None else False
    ids = [r.id for r in roles] or sorted(recr["role"].unique().tolist() if "role" in recr else [])
    if not ids:
        fig = _new_figure(12, 3)
        _empty(fig.add_subplot(111), "no recruitment roles")
    else:
        ncol = min(4, len(ids))
        nrow = math.ceil(len(ids) / ncol)
        fig = _new_figure(12, 0.6 + 2.9 * nrow)
        tot = recr.groupby(["role", "period"])["count"].sum() if not recr.empty else pd.Series(dtype=float)
        by_id = {r.id: r for r in roles}
        colors = _colors(max(len(periods), 1))
        for i, rid in enumerate(ids):
            ax = fig.add_subplot(nrow, ncol, i + 1)
            vals = [float(tot.get((rid, t), 0)) for t in periods]
            x = np.arange(len(periods))
            r = by_id.get(rid)
            top = max(vals + [1.0])
            if r is not None and ranges_on:
                applies = r.periods if r.periods is not None else periods
                for j, t in enumerate(periods):
                    if t not in applies:
                        continue
                    ax.add_patch(
                        Rectangle(
                            (j - 0.42, r.min), 0.84, r.max - r.min, facecolor="#d9d9d9", edgecolor="none", zorder=0
                        )
                    )
                    ax.plot([j - 0.42, j + 0.42], [r.max, r.max], color="#222222", linewidth=1.8, zorder=3)
                    ax.plot(
                        [j - 0.42, j + 0.42],
                        [r.min, r.min],
                        color="#222222",
                        linewidth=1.8,
                        zorder=3,
                        linestyle=(0, (2, 1.5)) if r.min_when_active else "-",
                    )
                top = max(top, r.max)
            ax.bar(x, vals, color=[colors[j] for j in range(len(periods))], width=0.5, zorder=2)
            for j, v in enumerate(vals):
                ax.text(
                    j,
                    v + top * 0.02,
                    f"{v:,.0f}",
                    ha="center",
                    va="bottom",
                    fontsize=9,
                    zorder=4,
                    bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 1},
                )
            ax.set_ylim(0, top * 1.22)
            ax.set_xticks(x, periods)
            name = r.name if r is not None and r.name else rid
            ax.set_title("\n".join(textwrap.wrap(name, 32, max_lines=2, placeholder=" …")), fontsize=10, loc="left")
            _style(ax)
        if ranges_on:
            fig.text(
                0.01,
                0.005,
                "Grey band with black lines: the role's range (min to max, township total) in the periods "
                "it applies; dashed min: applies only while its project is active.",
                fontsize=9,
                color="#333333",
            )
    fig.suptitle("Recruitment per role and period (people) against each role's range", fontsize=13, x=0.01, ha="left")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    cap = "(d) People recruited per role and period (township total)"
    cap += (
        ", with the role's range."
        if ranges_on
        else (
            "; ranges not shown (no instance)."
            if instance is None
            else "; recruitment ranges are off in this instance."
        )
    )
    return _save(fig, out, "recruitment_by_role", cap)


def _chart_budget(out: Path, plan, periods: list[str]) -> _Figure:
    import numpy as np
    from matplotlib.ticker import FuncFormatter

    fin = _with_str_period(_table(plan, "finance"))
    fig = _new_figure(12, 5.2)
    ax = fig.add_subplot(111)
    if fin.empty:
        _empty(ax, "no finance table")
    else:
        fin = fin.set_index("period").reindex([t for t in periods if t in set(fin["period"])])
        x = np.arange(len(fin))
        w = 0.36
        budget = fin["budget_yuan"].astype(float).to_numpy()
        loan = fin["loan_yuan"].astype(float).fillna(0).to_numpy() if "loan_yuan" in fin else np.zeros(len(fin))
        ax.bar(x - w / 2, budget, w, color="#9ecae1", label="budget")
        ax.bar(
            x - w / 2, loan, w, bottom=budget, color="#fdae6b", hatch="//", edgecolor="#7f4f24", label="GEP-value loan"
        )
        parts = [
            ("establishment_yuan", "establishment", "#31a354"),
            ("project_capex_yuan", "project capital", "#756bb1"),
            ("wages_yuan", "wages", "#e6550d"),
        ]
        used = fin["budget_used_yuan"].astype(float).to_numpy()
        if all(c in fin for c, _, _ in parts):
            base = np.zeros(len(fin))
            for c, lab, col in parts:
                v = fin[c].astype(float).fillna(0).to_numpy()
                ax.bar(x + w / 2, v, w, bottom=base, color=col, label=f"used: {lab}")
                base += v
        else:
            ax.bar(x + w / 2, used, w, color="#31a354", label="used")
        for j in range(len(fin)):
            ax.text(
                x[j] - w / 2,
                budget[j] + loan[j],
                f"{fmt_money(budget[j])}" + (f"\n+ {fmt_money(loan[j])} loan" if loan[j] > 0 else ""),
                ha="center",
                va="bottom",
                fontsize=9,
            )
            ax.text(x[j] + w / 2, used[j], f"{fmt_money(used[j])}", ha="center", va="bottom", fontsize=9)
        ax.set_xticks(x, [str(t) for t in fin.index])
        ax.yaxis.set_major_formatter(FuncFormatter(_short_money))
        ax.set_ylabel("Yuan", fontsize=11)
        ax.set_ylim(0, float(max((budget + loan).max(), used.max())) * 1.18 or 1)
        ax.legend(fontsize=9, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
        _style(ax)
    ax.set_title(
        "Budget use per period (Yuan): budget and loans (left bar) against spending (right bar)",
        fontsize=13,
        loc="left",
    )
    fig.tight_layout()
    return _save(
        fig,
        out,
        "budget_by_period",
        "(e) Budget and GEP-value loans available per period against spending (establishment, project capital, wages).",
    )


def _charts_section(doc: _Doc, plan, instance, periods: list[str], fig_dir: Path) -> None:
    doc.h(2, "Charts")
    if not plan.has_solution:
        doc.p("No charts: the run has no plan.")
        return
    try:
        import matplotlib
    except ImportError:
        doc.p("No charts: matplotlib is not installed (pip install 'planner[plot]').")
        return
    matplotlib.use("Agg")
    fig_dir.mkdir(parents=True, exist_ok=True)
    for key in FIGURES + MAP_FIGURES:
        (fig_dir / f"{key}.png").unlink(missing_ok=True)
    villages = _village_order(plan, instance)
    last = periods[-1] if periods else ""
    makers = [
        lambda: _chart_area(fig_dir, plan, villages, last),
        lambda: _chart_gep(fig_dir, plan, villages, last),
        lambda: _chart_dividends(fig_dir, plan, villages, periods, last),
        lambda: _chart_recruitment(fig_dir, plan, instance, periods),
        lambda: _chart_budget(fig_dir, plan, periods),
    ]
    # labels are user text (village ids, uses, roles): a '$' in them is not TeX math
    with matplotlib.rc_context({"text.parse_math": False}):
        for key, make in zip(FIGURES, makers):
            try:
                doc.fig(make())
            except Exception as exc:  # noqa: BLE001 - one bad chart must not lose the report
                doc.p(f"Chart {key} could not be drawn: {type(exc).__name__}: {exc}")
        if instance is not None and getattr(instance, "geometry", None) is not None:
            _maps_section(doc, plan, instance, fig_dir)


def _maps_section(doc: _Doc, plan, instance, fig_dir: Path) -> None:
    """The plan on the map (instances with parcel geometry only)."""
    doc.h(3, "Maps")
    try:
        from planner.report import maps
    except ImportError as exc:
        doc.p(f"No maps: {exc}")
        return
    for key, make in zip(MAP_FIGURES, (maps.use_map, maps.gep_change_map)):
        try:
            fig, caption = make(plan, instance)
            doc.fig(_save(fig, fig_dir, key, caption))
        except Exception as exc:  # noqa: BLE001 - one bad map must not lose the report
            doc.p(f"Map {key} could not be drawn: {type(exc).__name__}: {exc}")


# ---------------------------------------------------------------------------
# Explanation
# ---------------------------------------------------------------------------


def _ex_table(ex, name: str) -> pd.DataFrame | None:
    df = _table(ex, name)
    return None if df.empty else df


def _explanation_section(doc: _Doc, plan, ex, why: str = "") -> None:
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
        _num(ex.plan_objective) is not None
        and _num(plan.objective) is not None
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
            s = s.assign(_abs=s["max_shadow_price"].map(lambda v: abs(_num(v) or 0.0))).sort_values(
                "_abs", ascending=False, kind="stable"
            )
        rows, idle = [], []
        for _, r in s.iterrows():
            name = str(r.get("rule", r.get("constraint", "")))
            if "binding" in s and "priced" in s and not (_num(r.get("binding")) or _num(r.get("priced"))):
                idle.append(name)
                continue
            price = _num(r.get("max_shadow_price"))
            priced = price is not None and (_num(r.get("priced")) is None or (_num(r.get("priced")) or 0) > 0)
            rows.append(
                [
                    name,
                    _fmt_int(r.get("rows")),
                    _fmt_int(r.get("binding")),
                    _fmt_int(r.get("priced")),
                    _fmt_sig(price, unit_of.get(str(r.get("constraint")), "")) if priced else "–",
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
        r = rules[rules["shadow_price"].map(_num).notna()]
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
                        _fmt_sig(x["shadow_price"], str(x.get("price_unit") or "")),
                        _fmt_sig(x.get("loosen_by"), unit),
                        _fmt_sig(x.get("tighten_by"), unit),
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
            nt = nt.assign(_n=nt["needs_yuan_per_ha_yr"].map(lambda v: _num(v) if _num(v) is not None else math.inf))
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
            imp = imp.assign(_l=imp["loss_yuan"].map(lambda v: _num(v) if _num(v) is not None else -math.inf))
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
    from planner.explain.rows import row_info

    try:
        return bool(row_info(str(constraint)).hard)
    except KeyError:
        return False


def write_report(plan, out_dir: str | Path, *, explanation=None, instance=None) -> tuple[Path, Path]:
    """Write ``report.md`` and ``report.html`` (and ``figures/*.png``) into ``out_dir``.

    ``plan``: a :class:`planner.plan.plan.Plan`, or a directory holding ``plan.json`` (or the
    path of a ``plan.json``); from a directory, ``explanation.json`` beside it is used
    when ``explanation`` is None. ``instance``: the plan's
    :class:`planner.instance.load.LoadedInstance` (for targets, role ranges and village order); when
    None it is loaded from the plan's recorded path and overrides, and if that fails the
    report is written without targets. Returns ``(md_path, html_path)``.
    """
    from planner.plan.plan import Plan

    ex_why = ""
    if not isinstance(plan, Plan):
        src = Path(plan)
        plan_file = src / "plan.json" if src.is_dir() else src
        plan = Plan.from_json(plan_file)
        ex_file = plan_file.parent / "explanation.json"
        if explanation is None and ex_file.exists():
            try:
                from planner.explain.result import Explanation

                explanation = Explanation.from_json(ex_file)
            except Exception as exc:  # noqa: BLE001 - a broken explanation only loses its section
                ex_why = f"{ex_file} could not be read ({type(exc).__name__}: {exc})"
    why = ""
    if instance is None:
        instance, why = _load_instance(plan)

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    periods = _periods(plan)
    title = f"Plan report: {plan.instance_name}"
    doc = _Doc()
    doc.h(1, title)
    if instance is not None and getattr(instance.instance, "title", ""):
        doc.p(str(instance.instance.title))
    sections: list[tuple[str, Callable[[], None]]] = [
        ("status", lambda: _status_section(doc, plan)),
        ("KPIs", lambda: _kpi_section(doc, plan, periods)),
        ("targets", lambda: _target_section(doc, plan, instance, why)),
        ("villages", lambda: _village_section(doc, plan, instance, periods)),
        ("charts", lambda: _charts_section(doc, plan, instance, periods, out / "figures")),
        ("explanation", lambda: _explanation_section(doc, plan, explanation, ex_why)),
    ]
    for name, make in sections:
        try:
            make()
        except Exception as exc:  # noqa: BLE001 - say what failed, keep the rest of the report
            doc.warn(f"The {name} section could not be written: {type(exc).__name__}: {exc}")
    md_path, html_path = out / "report.md", out / "report.html"
    from planner.plan.plan import atomic_write_text  # a stopped run never leaves half a report

    atomic_write_text(md_path, _to_markdown(doc, out))
    atomic_write_text(html_path, _to_html(doc, title))
    return md_path, html_path


def find_chromium(chromium: str | Path | None = None) -> str:
    """The Chromium (or Google Chrome) binary to use; RuntimeError with the install hint if none."""
    if chromium is not None:
        p = shutil.which(str(chromium)) or (str(chromium) if Path(chromium).is_file() else None)
        if p is None:
            raise RuntimeError(f"Chromium not found at {chromium!r}: {INSTALL_HINT}")
        return p
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    for name in ("chromium", "chromium-browser", "google-chrome"):
        p = shutil.which(name)
        if p:
            return p
    raise RuntimeError(
        f"Chromium not found (looked for /usr/bin/chromium, chromium, chromium-browser, google-chrome): {INSTALL_HINT}"
    )


def _chromium_cmd(binary: str, profile: str, width: int, height: int) -> list[str]:
    return [
        binary,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--hide-scrollbars",
        f"--window-size={width},{height}",
    ]


def _measure_height(binary: str, html_path: Path, width: int, timeout: float) -> int | None:
    """The page's height at ``width``, from a copy of the page that writes it into the DOM."""
    text = html_path.read_text(encoding="utf-8")
    probe = (
        "<script>document.body.setAttribute('data-report-height', "
        "String(Math.ceil(document.documentElement.scrollHeight)));</script>"
    )
    text = text.replace("</body>", probe + "</body>", 1) if "</body>" in text else text + probe
    with tempfile.TemporaryDirectory(prefix="planner-report-") as tmp:
        copy = Path(tmp) / "measure.html"
        copy.write_text(text, encoding="utf-8")
        cmd = _chromium_cmd(binary, str(Path(tmp) / "profile"), width, 900) + ["--dump-dom", copy.resolve().as_uri()]
        try:
            res = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=timeout)
        except (subprocess.TimeoutExpired, OSError):
            return None
    m = re.search(r'data-report-height="(\d+)"', res.stdout or "")
    return int(m.group(1)) if m else None


def _estimate_height(html_path: Path, width: int) -> int:
    """A generous guess from the page's tables, paragraphs and images."""
    text = html_path.read_text(encoding="utf-8")
    h = 300 + 34 * text.count("<tr") + 40 * (text.count("<p>") + text.count("<li>") + text.count('class="note"'))
    h += 60 * len(re.findall(r"<h[1-3]>", text)) + 60 * text.count('class="warn"')
    content = min(width, 1200) - 64
    for w, hh in re.findall(r'<img[^>]*width="(\d+)" height="(\d+)"', text):
        h += int(int(hh) * min(1.0, content / max(int(w), 1))) + 60
    return int(h * 1.25)


def _crop_bottom(png: Path, keep_margin: int = 40) -> None:
    """Trim the blank white band under the content of a screenshot taken with a guessed height."""
    try:
        from PIL import Image, ImageOps
    except ImportError:
        return
    with Image.open(png) as im:
        rgb = im.convert("RGB")
    box = ImageOps.invert(rgb).getbbox()
    if box and box[3] + keep_margin < rgb.height:
        rgb.crop((0, 0, rgb.width, box[3] + keep_margin)).save(png)


def screenshot(
    html_path: str | Path,
    png_path: str | Path,
    *,
    width: int = 1280,
    height: int | None = None,
    chromium: str | Path | None = None,
) -> Path:
    """Render ``html_path`` in headless Chromium into ``png_path`` (full page unless ``height``).

    Without ``height`` the page is measured first (a second headless run of a copy with a
    one-line script that reports its height; the report itself has no script), or, if
    that fails, a generous height is guessed from the content and the blank band below
    is trimmed. Raises RuntimeError when no Chromium is installed (``apt-get install
    chromium``) or when it fails.
    """
    binary = find_chromium(chromium)
    src = Path(html_path).resolve()
    if not src.is_file():
        raise FileNotFoundError(src)
    dst = Path(png_path).resolve()
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.unlink(missing_ok=True)
    guessed = False
    if height is None:
        height = _measure_height(binary, src, width, timeout=120)
        if height is None:
            height, guessed = _estimate_height(src, width), True
        height = max(600, min(int(height), 16000))
    with tempfile.TemporaryDirectory(prefix="planner-report-") as profile:
        cmd = _chromium_cmd(binary, profile, width, int(height)) + [f"--screenshot={dst}", src.as_uri()]
        try:
            res = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=120)
        except subprocess.TimeoutExpired as exc:
            raise RuntimeError(f"Chromium did not finish the screenshot of {src} within 120 s") from exc
    if not dst.is_file() or dst.stat().st_size == 0:
        tail = "\n".join((res.stderr or "").strip().splitlines()[-8:])
        raise RuntimeError(f"Chromium ({binary}) wrote no screenshot of {src} (exit code {res.returncode}):\n{tail}")
    if guessed:
        _crop_bottom(dst)
    return dst
