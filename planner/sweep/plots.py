"""Charts of a sweep: tornado, response curves, Sobol' bars and the Morris plane.

Each function draws one PNG with matplotlib's Agg renderer (a bare
:class:`matplotlib.figure.Figure`: no pyplot, no display, safe in worker threads),
writes it to ``out_path`` (creating the directory) and returns the path. ``title``
defaults to a description of the chart. Parameters are labelled by the last two parts
of their path (``periods.2025.budget_yuan`` -> ``2025.budget_yuan``), or more when two
would clash.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from planner.sweep.analysis import SOLVED, aligned, oat_varied
from planner.sweep.design import design_info

DPI = 120
_LOW, _HIGH, _BASE, _FAIL = "#4C72B0", "#DD8452", "#333333", "#C44E52"


def short_labels(paths: Iterable[str], parts: int = 2, width: int = 28) -> dict[str, str]:
    """{path: label}: the last ``parts`` dotted parts, more where labels would clash,
    wrapped at ``width`` characters."""
    paths = list(dict.fromkeys(paths))
    n = {p: parts for p in paths}
    for _ in range(10):
        lab = {p: ".".join(p.split(".")[-n[p] :]) for p in paths}
        clash = [p for p in paths if list(lab.values()).count(lab[p]) > 1 and n[p] < len(p.split("."))]
        if not clash:
            break
        for p in clash:
            n[p] += 1
    return {p: _wrap(lab[p], width) for p in paths}


def _wrap(label: str, width: int) -> str:
    """Break a dotted/underscored name into lines of at most ``width`` characters,
    after a ``.`` or ``_`` where possible."""
    lines, cur = [], ""
    for tok in re.findall(r"[^._]+[._]?|[._]", label):
        if cur and len(cur) + len(tok) > width:
            lines.append(cur)
            cur = ""
        cur += tok
    lines.append(cur)
    return "\n".join(lines)


def _fmt(v: float) -> str:
    if v is None or not math.isfinite(v):
        return "n/a"
    a = abs(v)
    for div, suf in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if a >= div:
            return f"{v / div:.3g}{suf}"
    return f"{v:.3g}"


def _formatter():
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda v, _pos: _fmt(v))


def _figure(w: float, h: float):
    from matplotlib.figure import Figure

    return Figure(figsize=(w, h), dpi=DPI)


def _save(fig, out_path: str | Path) -> Path:
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, format="png", bbox_inches="tight")
    return out


def _rows(df: pd.DataFrame, output: str, what: str) -> pd.DataFrame:
    sub = df[df["output"] == output]
    if sub.empty:
        have = sorted(df["output"].unique()) if "output" in df.columns else []
        raise ValueError(f"no {what} for output {output!r} (outputs: {have})")
    return sub


def _empty(ax, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=11, color="#555555", transform=ax.transAxes)
    ax.set_xticks([])
    ax.set_yticks([])


def tornado(oat_effects_df: pd.DataFrame, output: str, out_path: str | Path, title: str | None = None) -> Path:
    """Tornado chart of :func:`planner.sweep.analysis.oat_effects` for one output: per
    parameter (largest swing on top) a bar from the base value to the output at the
    parameter's low level and one to its high level; levels without a solution are
    marked."""
    sub = _rows(oat_effects_df, output, "one-at-a-time effects").sort_values("swing", ascending=True, kind="stable")
    labels = short_labels(sub["parameter"])
    k = len(sub)
    fig = _figure(8.5, 1.2 + 0.55 * k)
    ax = fig.add_subplot(1, 1, 1)
    base = float(sub["value_base"].iloc[0])
    y = np.arange(k)
    for i, r in enumerate(sub.itertuples(index=False)):
        for val, color, dy in ((r.value_low, _LOW, -0.18), (r.value_high, _HIGH, 0.18)):
            if math.isfinite(val):
                ax.barh(i + dy, val - base, left=base, height=0.36, color=color)
            else:
                ax.text(base, i + dy, "  no solution", va="center", ha="left", fontsize=8, color=_FAIL)
    ax.axvline(base, color=_BASE, lw=1)
    ax.set_yticks(
        y,
        [f"{labels[p]}\n({_fmt(lo)} .. {_fmt(hi)})" for p, lo, hi in zip(sub["parameter"], sub["low"], sub["high"])],
        fontsize=8,
    )
    ax.xaxis.set_major_formatter(_formatter())
    ax.set_xlabel(f"{output} (base {_fmt(base)})")
    from matplotlib.patches import Patch

    ax.legend(
        handles=[Patch(color=_LOW, label="parameter at low"), Patch(color=_HIGH, label="parameter at high")],
        loc="lower right",
        fontsize=8,
        frameon=False,
    )
    ax.set_title(title or f"One-at-a-time sensitivity of {output}")
    ax.grid(axis="x", alpha=0.3)
    return _save(fig, out_path)


def response_curves(
    design_df: pd.DataFrame, results_df: pd.DataFrame, output: str, out_path: str | Path, title: str | None = None
) -> Path:
    """One small panel per parameter: the output against the parameter's value.

    For a one-at-a-time design only the base and the rows varying that parameter are
    drawn (a line; the base point ringed); for other designs every scenario is a dot,
    with the mean per distinct value joined when values repeat (grids). Scenarios
    without a solution are marked with a red x along the bottom of their panel."""
    merged, params, _ = aligned(design_df, results_df, [output])
    solved = merged["status"].isin(SOLVED)
    yall = pd.to_numeric(merged[output], errors="coerce").where(solved)
    oat = design_info(design_df).get("name") == "one_at_a_time"
    varied = merged["scenario"].map(oat_varied(design_df)) if oat else None
    k = len(params)
    ncols = min(3, k)
    nrows = math.ceil(k / ncols)
    fig = _figure(3.6 * ncols, 2.9 * nrows + 0.5)
    labels = short_labels(params, width=40)
    from matplotlib.ticker import MaxNLocator
    from matplotlib.transforms import blended_transform_factory

    for j, p in enumerate(params):
        ax = fig.add_subplot(nrows, ncols, j + 1)
        if oat:
            m = (varied == p) | (merged["scenario"] == 0)
        else:
            m = pd.Series(True, index=merged.index)
        x = merged.loc[m, p].astype(float)
        yy = yall[m]
        ok = yy.notna()
        if not ok.any():
            _empty(ax, "no solution")
        elif oat:
            order = np.argsort(x[ok].to_numpy(), kind="stable")
            ax.plot(x[ok].to_numpy()[order], yy[ok].to_numpy()[order], "-o", color=_LOW, ms=4)
            b = merged["scenario"] == 0
            ax.plot(merged.loc[b, p].astype(float), yall[b], "o", mfc="none", mec=_BASE, ms=9, label="base")
        else:
            ax.plot(x[ok], yy[ok], "o", color=_LOW, ms=3, alpha=0.45)
            if x[ok].nunique() < ok.sum():
                means = yy[ok].groupby(x[ok]).mean()
                ax.plot(means.index, means.to_numpy(), "-", color=_HIGH, lw=1.5, label="mean")
        bad = ~ok
        if bad.any():
            tr = blended_transform_factory(ax.transData, ax.transAxes)
            ax.plot(
                x[bad],
                np.full(int(bad.sum()), 0.03),
                "x",
                color=_FAIL,
                ms=6,
                transform=tr,
                clip_on=False,
                label="no solution",
            )
        ax.set_xlabel(labels[p], fontsize=8)
        ax.tick_params(labelsize=7)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
        ax.xaxis.set_major_formatter(_formatter())
        ax.yaxis.set_major_formatter(_formatter())
        if ax.get_legend_handles_labels()[0] and (j == 0 or bad.any()):
            ax.legend(fontsize=7, frameon=False)
        if j % ncols == 0:
            ax.set_ylabel(output, fontsize=8)
        ax.grid(alpha=0.3)
    fig.suptitle(title or f"{output} against each parameter" + (" (others at base)" if oat else ""))
    fig.tight_layout()
    return _save(fig, out_path)


def sobol_bars(indices_df: pd.DataFrame, output: str, out_path: str | Path, title: str | None = None) -> Path:
    """First-order (S1) and total (ST) Sobol' indices of one output per parameter, with
    their confidence half-widths as error bars."""
    sub = _rows(indices_df, output, "Sobol indices").sort_values("ST", ascending=False, kind="stable")
    labels = short_labels(sub["parameter"], width=22)
    k = len(sub)
    fig = _figure(max(5.0, 1.1 * k + 2), 4.6)
    ax = fig.add_subplot(1, 1, 1)
    x = np.arange(k)
    if sub[["S1", "ST"]].isna().all().all():
        _empty(ax, f"{output} does not vary: no variance to share")
    else:
        ax.bar(
            x - 0.2, sub["S1"].fillna(0), 0.4, yerr=sub["S1_conf"].fillna(0), capsize=3, color=_LOW, label="S1 (alone)"
        )
        ax.bar(
            x + 0.2,
            sub["ST"].fillna(0),
            0.4,
            yerr=sub["ST_conf"].fillna(0),
            capsize=3,
            color=_HIGH,
            label="ST (with interactions)",
        )
        ax.set_xticks(
            x,
            [labels[p] for p in sub["parameter"]],
            rotation=30 if k > 3 else 0,
            ha="right" if k > 3 else "center",
            fontsize=8,
        )
        ax.axhline(0, color=_BASE, lw=0.8)
        ax.set_ylabel("share of variance")
        ax.legend(fontsize=8, frameon=False)
        ax.grid(axis="y", alpha=0.3)
    ax.set_title(title or f"Sobol' indices of {output}")
    return _save(fig, out_path)


def morris_plot(indices_df: pd.DataFrame, output: str, out_path: str | Path, title: str | None = None) -> Path:
    """Morris plane of one output: ``mu_star`` (importance) against ``sigma``
    (non-linearity / interaction), each parameter labelled, ``mu_star_conf`` as
    horizontal error bars; the dashed line is ``sigma = mu_star``."""
    sub = _rows(indices_df, output, "Morris indices")
    labels = short_labels(sub["parameter"], width=30)
    fig = _figure(7.5, 5.5)
    ax = fig.add_subplot(1, 1, 1)
    ax.errorbar(
        sub["mu_star"], sub["sigma"], xerr=sub["mu_star_conf"], fmt="o", color=_LOW, ecolor="#9bb0d3", capsize=3
    )
    top = float(np.nanmax([sub["mu_star"].max(), 0.0]))
    top = top * 1.15 if top > 0 else 1.0
    stop = float(np.nanmax([sub["sigma"].max(), 0.0]))
    stop = max(stop * 1.3, top * 0.15)
    ax.plot([0, top], [0, top], "--", color="#999999", lw=1, label="sigma = mu*")
    placed: list[tuple[float, float]] = []
    for r in sub.sort_values("mu_star", kind="stable").itertuples(index=False):
        # stagger labels of points close together (in axes fractions) so they stay readable
        fx, fy = r.mu_star / top, r.sigma / stop
        dy = 4
        for px, py in placed:
            if abs(px - fx) < 0.18 and abs(py - fy) < 0.06:
                dy += 14
        placed.append((fx, fy + (dy - 4) / 300))
        ax.annotate(
            labels[r.parameter],
            (r.mu_star, r.sigma),
            xytext=(5, dy),
            textcoords="offset points",
            fontsize=8,
            arrowprops={"arrowstyle": "-", "color": "#bbbbbb", "lw": 0.6} if dy > 4 else None,
        )
    ax.set_xlim(0, top)
    ax.set_ylim(0, stop)
    ax.xaxis.set_major_formatter(_formatter())
    ax.yaxis.set_major_formatter(_formatter())
    ax.set_xlabel(f"mu* (mean |effect| on {output} over each full range)")
    ax.set_ylabel("sigma (spread of effects)")
    ax.legend(fontsize=8, frameon=False, loc="upper left")
    ax.grid(alpha=0.3)
    ax.set_title(title or f"Morris screening of {output}")
    return _save(fig, out_path)


__all__ = ["morris_plot", "response_curves", "short_labels", "sobol_bars", "tornado"]
