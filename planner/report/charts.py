"""The report's charts: five PNG figures of a plan, and the maps of an instance with geometry.

(a) area by village and use, (b) GEP by ecosystem service and village, (c) dividends and
incomes by recipient, (d) recruitment per role against each role's range and (e) budget
use per period (:data:`FIGURES`); with parcel geometry also the maps of
:mod:`planner.report.maps` (:data:`MAP_FIGURES`). Each is a matplotlib figure (no pyplot,
no global state) saved in ``out_dir/figures/``; matplotlib is imported only when the
charts are drawn (``pip install 'planner[plot]'``).

Every title, axis label, legend entry and caption comes from :mod:`planner.core.labels` in
the report's language (``lang``: villages by name, uses, services and roles by label);
Chinese text is set in the CJK font of :mod:`planner.report.fonts`.
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import pandas as pd

from planner.core.labels import known, name_of, term
from planner.plan.villages import use_areas
from planner.report import fonts, maps
from planner.report.document import Doc, Figure
from planner.report.formats import fmt_money, short_money
from planner.report.inputs import table_of, village_order, with_str_period

__all__ = ["DPI", "FIGURES", "MAP_FIGURES", "charts_section"]

FIGURES = (
    "area_by_village_use",
    "gep_by_service_village",
    "dividends_by_recipient",
    "recruitment_by_role",
    "budget_by_period",
)
# drawn only when the instance has parcel geometry (planner.report.maps)
MAP_FIGURES = ("map_new_use", "map_gep_change")
DPI = 110


TOWNSHIP_ROWS = "(township)"


def _w(word: str, lang: str, /, **values: str) -> str:
    """A word or sentence of the charts (``TERMS["word"]``) with its ``{placeholders}`` filled."""
    text = term("word", word, lang)
    return text.format(**values) if values else text


def _village_names(instance, villages: list[str], lang: str) -> dict[str, str]:
    """Village id -> its name in ``lang``; the township-wide rows under the township's name."""
    objs = {str(v.id): v for v in instance.instance.villages} if instance is not None else {}
    names = {v: name_of(objs[v], lang) if v in objs else v for v in villages}
    town = instance.instance.township if instance is not None else None
    names[TOWNSHIP_ROWS] = name_of(town, lang) if town is not None else _w("township", lang)
    return names


def _recipient(r: str, lang: str) -> str:
    """A recipient of income (``villagers``, ``social_capital`` ...) in words."""
    return term("word", f"recipient_{r}", lang) if known("word", f"recipient_{r}") else str(r)


def _new_figure(w: float, h: float):
    from matplotlib.figure import Figure as MplFigure

    return MplFigure(figsize=(w, h), dpi=DPI)


def _empty(ax, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=13, color="#555555", transform=ax.transAxes)
    ax.set_xticks([])
    ax.set_yticks([])


def _colors(n: int) -> list:
    from matplotlib import colormaps

    cmap = colormaps["tab20"] if n > 10 else colormaps["tab10"]
    return [cmap(i % cmap.N) for i in range(n)]


def _save(fig, out: Path, key: str, caption: str) -> Figure:
    path = out / f"{key}.png"
    fig.savefig(path, dpi=DPI, facecolor="white")
    w, h = fig.get_size_inches()
    return Figure(key, path, caption, round(w * DPI), round(h * DPI))


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


def _chart_area(out: Path, plan, villages: list[str], last: str, lang: str, names: dict[str, str]) -> Figure:
    fig = _new_figure(12, 5.6)
    ax = fig.add_subplot(111)
    pv = use_areas(plan, last)
    if pv.empty:
        _empty(ax, _w("chart_area_empty", lang, period=last))
    else:
        pv = pv.reindex([v for v in villages if v in pv.index])
        pv = pv.rename(index=names, columns=lambda u: term("use", str(u), lang))
        _stacked(ax, pv, _colors(len(pv.columns)), term("word", "use", lang))
        ax.set_ylabel(term("word", "area_ha", lang), fontsize=11)
        _rotate(ax, len(pv))
        _style(ax)
    ax.set_title(_w("chart_area_title", lang, period=last), fontsize=13, loc="left")
    fig.tight_layout()
    return _save(fig, out, "area_by_village_use", _w("chart_area_caption", lang, period=last))


def _chart_gep(out: Path, plan, villages: list[str], last: str, lang: str, names: dict[str, str]) -> Figure:
    from matplotlib.ticker import FuncFormatter

    gep = with_str_period(table_of(plan, "gep"))
    fig = _new_figure(12, 6.2)
    ax = fig.add_subplot(111)
    g = gep[gep["period"] == last].copy() if "period" in gep else gep
    if g.empty:
        _empty(ax, _w("chart_gep_empty", lang, period=last))
    else:
        eod = _w("eod_projects", lang)
        g["service"] = (
            g["service"].astype(str).map(lambda s: eod if s.startswith("project:") else term("service", s, lang))
        )
        pv = g.pivot_table(index="village", columns="service", values="gep_yuan", aggfunc="sum", fill_value=0.0)
        pv = pv[pv.sum().sort_values(ascending=False).index]
        pv = pv.reindex([v for v in villages if v in pv.index]).rename(index=names)
        _stacked(ax, pv, _colors(len(pv.columns)), _w("ecosystem_service", lang), horizontal=True)
        ax.xaxis.set_major_formatter(FuncFormatter(short_money))
        ax.set_xlabel(term("word", "gep", lang), fontsize=11)
        _style(ax)
        ax.grid(axis="y", visible=False)
        ax.grid(axis="x", color="#dddddd", linewidth=0.8)
        total = pv.sum(axis=1)
        for i, v in enumerate(total):
            ax.text(v, i, f" {fmt_money(v)}", va="center", fontsize=9, color="#333333")
        ax.set_xlim(0, float(total.max()) * 1.12 if total.max() > 0 else 1)
    ax.set_title(_w("chart_gep_title", lang, period=last), fontsize=13, loc="left")
    fig.tight_layout()
    return _save(fig, out, "gep_by_service_village", _w("chart_gep_caption", lang, period=last))


def _chart_dividends(
    out: Path, plan, villages: list[str], periods: list[str], last: str, lang: str, names: dict[str, str]
) -> Figure:
    from matplotlib.ticker import FuncFormatter

    div = with_str_period(table_of(plan, "dividends"))
    fig = _new_figure(12, 5.6)
    if div.empty:
        _empty(fig.add_subplot(111), _w("chart_div_empty", lang))
    else:
        recips = div.groupby("recipient")["yuan_per_yr"].sum().sort_values(ascending=False).index.tolist()
        colors = _colors(len(recips))
        counts = (
            div.groupby("recipient")["counts_as_dividend"].first().astype(bool) if "counts_as_dividend" in div else None
        )
        words = {r: _recipient(r, lang) for r in recips}
        hatches = {words[r]: "//" for r in recips if counts is not None and not counts.get(r, True)}
        gs = fig.add_gridspec(1, 2, width_ratios=[1, 2.6])
        ax1 = fig.add_subplot(gs[0, 0])
        by_p = div.pivot_table(index="period", columns="recipient", values="yuan_per_yr", aggfunc="sum", fill_value=0.0)
        by_p = by_p.reindex(index=[t for t in periods if t in by_p.index], columns=recips, fill_value=0.0)
        _stacked(ax1, by_p.rename(columns=words), colors, _w("recipient", lang), hatches=hatches)
        ax1.get_legend().remove()
        ax1.set_title(_w("chart_div_by_period", lang), fontsize=11, loc="left")
        ax2 = fig.add_subplot(gs[0, 1])
        d = div[div["period"] == last]
        by_v = d.pivot_table(index="village", columns="recipient", values="yuan_per_yr", aggfunc="sum", fill_value=0.0)
        by_v = by_v.reindex(index=[v for v in villages if v in by_v.index], columns=recips, fill_value=0.0)
        by_v = by_v.rename(index=names, columns=words)
        _stacked(ax2, by_v, colors, _w("recipient_hatched" if hatches else "recipient", lang), hatches=hatches)
        ax2.set_title(_w("chart_div_by_village", lang, period=last), fontsize=11, loc="left")
        _rotate(ax2, len(by_v))
        for ax in (ax1, ax2):
            ax.yaxis.set_major_formatter(FuncFormatter(short_money))
            _style(ax)
        ax1.set_ylabel(_w("yuan_per_yr", lang), fontsize=11)
    fig.suptitle(_w("chart_div_title", lang), fontsize=13, x=0.01, ha="left")
    fig.tight_layout()
    return _save(fig, out, "dividends_by_recipient", _w("chart_div_caption", lang, period=last))


def _chart_recruitment(out: Path, plan, instance, periods: list[str], lang: str) -> Figure:
    import numpy as np
    from matplotlib.patches import Rectangle

    recr = with_str_period(table_of(plan, "recruitment"))
    roles = list(instance.instance.roles) if instance is not None else []
    ranges_on = bool(instance.instance.policies.recruitment_ranges) if instance is not None else False
    ids = [r.id for r in roles] or sorted(recr["role"].unique().tolist() if "role" in recr else [])
    if not ids:
        fig = _new_figure(12, 3)
        _empty(fig.add_subplot(111), _w("chart_recr_empty", lang))
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
            name = name_of(r, lang) if r is not None else term("role", rid, lang)
            # Chinese has no spaces to break at: wrap by characters (a CJK character is about two Latin ones wide)
            width = 16 if fonts.cjk_chars(name) else 32
            lines = textwrap.wrap(name, width, max_lines=2, placeholder=" …") if " " in name else _cut(name, width)
            ax.set_title("\n".join(lines), fontsize=10, loc="left")
            _style(ax)
        if ranges_on:
            fig.text(0.01, 0.005, _w("chart_recr_note", lang), fontsize=9, color="#333333")
    fig.suptitle(_w("chart_recr_title", lang), fontsize=13, x=0.01, ha="left")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    why = "chart_recr_ranges" if ranges_on else ("chart_recr_no_instance" if instance is None else "chart_recr_off")
    return _save(fig, out, "recruitment_by_role", _w("chart_recr_caption", lang) + _w(why, lang))


def _cut(text: str, width: int) -> list[str]:
    """``text`` in lines of ``width`` characters, at most two (the second ends in … when cut)."""
    lines = [text[i : i + width] for i in range(0, len(text), width)] or [""]
    return lines if len(lines) <= 2 else [lines[0], lines[1][: width - 1] + "…"]


def _chart_budget(out: Path, plan, periods: list[str], lang: str) -> Figure:
    import numpy as np
    from matplotlib.ticker import FuncFormatter

    fin = with_str_period(table_of(plan, "finance"))
    fig = _new_figure(12, 5.2)
    ax = fig.add_subplot(111)
    if fin.empty:
        _empty(ax, _w("chart_budget_empty", lang))
    else:
        fin = fin.set_index("period").reindex([t for t in periods if t in set(fin["period"])])
        x = np.arange(len(fin))
        w = 0.36
        budget = fin["budget_yuan"].astype(float).to_numpy()
        loan = fin["loan_yuan"].astype(float).fillna(0).to_numpy() if "loan_yuan" in fin else np.zeros(len(fin))
        ax.bar(x - w / 2, budget, w, color="#9ecae1", label=_w("budget", lang))
        ax.bar(
            x - w / 2,
            loan,
            w,
            bottom=budget,
            color="#fdae6b",
            hatch="//",
            edgecolor="#7f4f24",
            label=_w("gep_loan", lang),
        )
        parts = [
            ("establishment_yuan", "establishment", "#31a354"),
            ("project_capex_yuan", "project_capital", "#756bb1"),
            ("wages_yuan", "wages", "#e6550d"),
        ]
        if "debt_service_yuan" in fin and fin["debt_service_yuan"].astype(float).fillna(0).abs().max() > 0.5:
            parts.append(("debt_service_yuan", "loan_service", "#8c6d31"))  # interest and instalments (issue 19)
        used = fin["budget_used_yuan"].astype(float).to_numpy()
        if all(c in fin for c, _, _ in parts):
            base = np.zeros(len(fin))
            for c, key, col in parts:
                v = fin[c].astype(float).fillna(0).to_numpy()
                ax.bar(x + w / 2, v, w, bottom=base, color=col, label=_w("used_part", lang, part=_w(key, lang)))
                base += v
        else:
            ax.bar(x + w / 2, used, w, color="#31a354", label=_w("used", lang))
        for j in range(len(fin)):
            ax.text(
                x[j] - w / 2,
                budget[j] + loan[j],
                f"{fmt_money(budget[j])}"
                + ("\n" + _w("loan_amount", lang, amount=fmt_money(loan[j])) if loan[j] > 0 else ""),
                ha="center",
                va="bottom",
                fontsize=9,
            )
            ax.text(x[j] + w / 2, used[j], f"{fmt_money(used[j])}", ha="center", va="bottom", fontsize=9)
        ax.set_xticks(x, [str(t) for t in fin.index])
        ax.yaxis.set_major_formatter(FuncFormatter(short_money))
        ax.set_ylabel(_w("yuan", lang), fontsize=11)
        ax.set_ylim(0, float(max((budget + loan).max(), used.max())) * 1.18 or 1)
        ax.legend(fontsize=9, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
        _style(ax)
    ax.set_title(_w("chart_budget_title", lang), fontsize=13, loc="left")
    fig.tight_layout()
    return _save(fig, out, "budget_by_period", _w("chart_budget_caption", lang))


def charts_section(doc: Doc, plan, instance, periods: list[str], fig_dir: Path, lang: str = "en") -> None:
    """The five charts (:data:`FIGURES`) and, for an instance with parcel geometry, the two maps,
    saved in ``fig_dir``, with their words in ``lang`` ("en" or "zh"); a chart that fails
    costs only itself."""
    doc.h(2, _w("charts", lang))
    if not plan.has_solution:
        doc.p(_w("charts_no_plan", lang))
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
    villages = village_order(plan, instance)
    names = _village_names(instance, villages, lang)
    last = periods[-1] if periods else ""
    makers = [
        lambda: _chart_area(fig_dir, plan, villages, last, lang, names),
        lambda: _chart_gep(fig_dir, plan, villages, last, lang, names),
        lambda: _chart_dividends(fig_dir, plan, villages, periods, last, lang, names),
        lambda: _chart_recruitment(fig_dir, plan, instance, periods, lang),
        lambda: _chart_budget(fig_dir, plan, periods, lang),
    ]
    if fonts.cjk_family() is None and (lang == "zh" or any(fonts.cjk_chars(n) for n in names.values())):
        doc.note(_w("charts_no_cjk_font", lang, package=fonts.CJK_PACKAGE, env=fonts.ENV_FONT))
    # Latin text in DejaVu Sans, Chinese in the CJK font; labels are user text: a '$' is not TeX math
    with matplotlib.rc_context(fonts.chart_rc()):
        for key, make in zip(FIGURES, makers):
            try:
                doc.fig(make())
            except Exception as exc:  # noqa: BLE001 - one bad chart must not lose the report
                doc.p(_w("chart_failed", lang, key=key, error=f"{type(exc).__name__}: {exc}"))
        if instance is not None and getattr(instance, "geometry", None) is not None:
            _maps_section(doc, plan, instance, fig_dir, lang)


def _maps_section(doc: Doc, plan, instance, fig_dir: Path, lang: str = "en") -> None:
    """The plan on the map (instances with parcel geometry only)."""
    doc.h(3, _w("maps", lang))
    for key, make in zip(MAP_FIGURES, (maps.use_map, maps.gep_change_map)):
        try:
            fig, caption = make(plan, instance)
            doc.fig(_save(fig, fig_dir, key, caption))
        except Exception as exc:  # noqa: BLE001 - one bad map must not lose the report
            doc.p(_w("map_failed", lang, key=key, error=f"{type(exc).__name__}: {exc}"))
