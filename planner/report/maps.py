"""Map figures of a plan, for instances with parcel geometry (the report's maps).

- :func:`use_map`: each parcel coloured by its main planned new use at the end of the
  last period (the new use with most area on it), mixed with the grey of unchanged land
  in proportion to the share of the parcel that changes, so that a 127.8 ha parcel with
  a 0.1 ha garden strip stays grey instead of being painted as garden; unchanged parcels
  grey. The legend gives the hectares actually in each use (the plan's allocations
  summed), not the areas of the parcels the use dominates. The village gardens are
  hatched on top, drawn at their area (:func:`planner.report.gpkg.garden_shapes`), not
  as the parcels they touch. Village boundaries are drawn
  on top and labelled, with a scale bar and a north arrow (grid north of the projected
  coordinate system). The colours are those of plan.gpkg's QGIS style.
- :func:`gep_change_map`: villages coloured by the change in GEP from the first period
  to the last at the last period's prices (Yuan/yr; the first period's GEP re-priced with
  the periods' ``gep_price_index``, so price changes do not count; a diverging scale
  when there are gains and losses), with a colour
  bar and each village's name and change. The plan has no status-quo (no-plan) GEP, so
  this is the change between the plan's first and last periods, not the plan's effect
  against today. With a single period, the map shows that period's GEP instead.

Each function returns ``(figure, caption)``: a :class:`matplotlib.figure.Figure` (no
pyplot, no global state) that the report saves through its own machinery. Both need
``li.geometry`` (``pip install 'planner[geo]'``).
"""

from __future__ import annotations

import math

import pandas as pd

from planner.core.labels import term
from planner.model.data import GARDEN_KINDS
from planner.report.fonts import cjk_text
from planner.report.formats import fmt_money, short_money
from planner.report.gpkg import (
    UNCHANGED,
    garden_shapes,
    geo_modules,
    gep_change_field,
    parcel_figures,
    parcel_geometry,
    period_suffix,
    plan_periods,
    use_hectares,
    village_figures,
)
from planner.report.outlines import OTHER_COLOR, UNCHANGED_COLOR, mix, use_colors, village_outlines, with_figure

__all__ = ["use_map", "gep_change_map"]

DPI = 110
BOUNDARY_COLOR = "#222222"
#: more new uses than this: the smallest (by area) are drawn together as "other new uses"
MAX_USES = 16


def _frames(plan, li):
    gpd, _ = geo_modules()
    if not plan.has_solution:
        raise ValueError(f"no plan to map: status {plan.status}")
    geom = parcel_geometry(li)
    crs = li.geometry.crs
    parcels = gpd.GeoDataFrame(
        {
            "village": li.parcels["village"].astype(str).to_numpy(),
            "area_ha": li.parcels["area_ha"].astype(float).to_numpy(),
        },
        geometry=gpd.GeoSeries(geom.to_numpy(), crs=crs),
        crs=crs,
    )
    return gpd, parcels, village_outlines(parcels)


BOTTOM_IN = 0.75  # room under the map for the scale bar and the north arrow (inches)
TOP_IN = 0.7  # room above it for the title


def _figure(bounds, legend_in: float):
    """A 12-inch-wide figure whose height follows the map's shape, and the map's axes
    rectangle (figure fractions) leaving ``legend_in`` inches on the right."""
    from matplotlib.figure import Figure

    x0, y0, x1, y1 = bounds
    dx, dy = max(x1 - x0, 1.0), max(y1 - y0, 1.0)
    map_w = 12.0 - legend_in - 0.3
    map_h = min(max(map_w * dy / dx, 3.0), 10.0)
    h = map_h + BOTTOM_IN + TOP_IN
    fig = Figure(figsize=(12.0, h), dpi=DPI)
    return fig, (0.15 / 12.0, BOTTOM_IN / h, map_w / 12.0, map_h / h)


def _nice_length(extent_m: float) -> float:
    """A round scale-bar length near a fifth of the map's width: 1, 2 or 5 x 10^k metres."""
    target = max(extent_m / 5.0, 1.0)
    k = 10 ** math.floor(math.log10(target))
    for m in (5, 2, 1):
        if m * k <= target:
            return float(m * k)
    return float(k)


def _north_arrow():
    from matplotlib.offsetbox import DrawingArea
    from matplotlib.patches import Polygon
    from matplotlib.text import Text

    da = DrawingArea(22, 40, 0, 0)
    da.add_artist(Polygon([(11, 38), (3, 14), (11, 19)], closed=True, facecolor="black", edgecolor="black", lw=0.8))
    da.add_artist(Polygon([(11, 38), (19, 14), (11, 19)], closed=True, facecolor="white", edgecolor="black", lw=0.8))
    da.add_artist(Text(11, 5, "N", ha="center", va="center", fontsize=11, fontweight="bold"))
    return da


def _decorate(ax, bounds) -> None:
    """Scale bar (under the map, left) and north arrow (grid north; under the map, right);
    no tick labels: projected metres mean little to a reader."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.offsetbox import AnchoredOffsetbox
    from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar

    x0, _, x1, _ = bounds
    length = _nice_length(x1 - x0)
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    bar = AnchoredSizeBar(
        ax.transData,
        length,
        label,
        "upper left",
        pad=0.2,
        borderpad=0.3,
        sep=3,
        frameon=False,
        size_vertical=0,
        color="black",
        fontproperties=FontProperties(size=9),
        bbox_to_anchor=(0, 0),
        bbox_transform=ax.transAxes,
    )
    bar.size_bar.get_children()[0].set_linewidth(3)
    ax.add_artist(bar)
    ax.add_artist(
        AnchoredOffsetbox(
            "upper right",
            child=_north_arrow(),
            pad=0.0,
            borderpad=0.2,
            frameon=False,
            bbox_to_anchor=(1, 0),
            bbox_transform=ax.transAxes,
        )
    )
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    for sp in ax.spines.values():
        sp.set_color("#bbbbbb")


def _halo():
    from matplotlib import patheffects

    return [patheffects.withStroke(linewidth=3, foreground="white")]


def _label_villages(ax, villages, names: dict[str, str], extra: dict[str, str] | None = None, size: int = 9) -> None:
    halo = _halo()
    for v, geom in villages.geometry.items():
        if geom is None or geom.is_empty:
            continue
        pt = geom.representative_point()
        text = names.get(v, v) + (f"\n{extra[v]}" if extra and v in extra else "")
        ax.text(pt.x, pt.y, text, ha="center", va="center", fontsize=size, color="#111111", path_effects=halo, zorder=5)


@cjk_text  # Chinese names in the CJK font
def use_map(plan, li, period: str | None = None, lang: str = "en"):
    """Parcels by their main planned new use at the end of ``period`` (default: the
    last), paler where only part of the parcel changes; legend and title in ``lang``."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    gpd, parcels, villages = _frames(plan, li)
    periods = plan_periods(plan, li)
    t = str(period) if period is not None else periods[-1]
    s = period_suffix(t)
    figs = parcel_figures(plan, li, [t])
    parcels["use"] = figs[f"use_{s}"].to_numpy()
    parcels["share"] = figs[f"changed_share_{s}"].to_numpy()
    ha = use_hectares(plan, t)  # hectares in each use, not the areas of the parcels it dominates
    uses = [str(u) for u in ha.index]
    other = "other new uses"
    shown = {u: term("use", u, lang) for u in uses}
    if len(uses) > MAX_USES:
        keep = uses[: MAX_USES - 1]
        rest = float(ha[uses[MAX_USES - 1 :]].sum())
        parcels.loc[(parcels["use"] != UNCHANGED) & ~parcels["use"].isin(keep), "use"] = other
        ha = pd.concat([ha[keep], pd.Series({other: rest})])
        uses = [*keep, other]
        shown[other] = term("word", "map_other_uses", lang)
    colors = {**use_colors(list(li.library.uses)), other: OTHER_COLOR, UNCHANGED: UNCHANGED_COLOR}
    face = [
        mix(colors.get(u, OTHER_COLOR), sh) if u != UNCHANGED else mix(UNCHANGED_COLOR, 1.0)
        for u, sh in zip(parcels["use"], parcels["share"])
    ]

    bounds = parcels.total_bounds
    fig, rect = _figure(bounds, legend_in=3.8)
    ax = fig.add_axes(rect)
    n = len(parcels)
    lw = 0.4 if n <= 500 else 0.15 if n <= 5000 else 0.0
    parcels.plot(ax=ax, color=face, edgecolor="white", linewidth=lw)
    # the village gardens at their area, not the parcels they touch
    gardens = garden_shapes(plan, li, t)
    garden_use = next((u for u in li.library.uses if li.library.uses[u].kind.value in GARDEN_KINDS), None)
    gcolor = colors.get(garden_use, OTHER_COLOR) if garden_use else OTHER_COLOR
    if gardens:
        gpd.GeoSeries(list(gardens.values()), crs=parcels.crs).plot(
            ax=ax, facecolor="none", edgecolor=gcolor, hatch="////", linewidth=0.8, zorder=3
        )
    villages.boundary.plot(ax=ax, color=BOUNDARY_COLOR, linewidth=1.3, zorder=4)
    names = {str(v.id): (getattr(v, "name", None) or str(v.id)) for v in li.instance.villages}
    _label_villages(ax, villages, names)
    _decorate(ax, bounds)

    unit = term("word", "unit_ha", lang)
    unchanged_ha = max(float(parcels["area_ha"].sum()) - float(figs[f"new_ha_{s}"].sum()), 0.0)
    handles = [
        Patch(
            facecolor=colors.get(u, OTHER_COLOR),
            edgecolor="none",
            label=with_figure(shown[u], f"{ha[u]:,.1f} {unit}", lang),
        )
        for u in uses
    ]
    if uses:
        handles.append(
            Patch(
                facecolor=mix(colors.get(uses[0], OTHER_COLOR), 0.35),
                edgecolor="none",
                label=term("word", "map_partial", lang),
            )
        )
    handles.append(
        Patch(
            facecolor=UNCHANGED_COLOR,
            edgecolor="#999999",
            linewidth=0.5,
            label=with_figure(term("word", "map_unchanged", lang), f"{unchanged_ha:,.1f} {unit}", lang),
        )
    )
    if gardens:
        a = plan.allocations
        at = a[(a["period"].astype(str) == t) & a["kind"].isin(GARDEN_KINDS)]
        garden_ha = float(at["area_ha"].sum())  # the plan's hectares (the drawing matches them to 0.1%)
        handles.append(
            Patch(
                facecolor="none",
                edgecolor=gcolor,
                hatch="////",
                linewidth=0.8,
                label=with_figure(term("word", "map_gardens", lang), f"{garden_ha:,.1f} {unit}", lang),
            )
        )
    handles.append(Line2D([0], [0], color=BOUNDARY_COLOR, linewidth=1.3, label=term("word", "map_boundary", lang)))
    ax.legend(
        handles=handles,
        title=term("word", "map_legend_title", lang),
        loc="upper left",
        bbox_to_anchor=(1.03, 1.0),
        fontsize=9,
        title_fontsize=10,
        frameon=False,
        borderaxespad=0,
    )
    fig.suptitle(term("word", "map_use_title", lang).format(period=t), fontsize=13, x=0.01, ha="left")
    status = "" if plan.status == "optimal" else f" Plan status {plan.status}: NOT proved optimal."
    caption = (
        f"(f) Map of the plan at the end of {t}: each parcel in the colour of its main new use (most area on it), "
        f"paler in proportion to the share of the parcel that keeps its cover (plan.gpkg, field changed_share_{s}); "
        f"the legend gives the hectares in each use across the township. A parcel may carry several new uses "
        f"(plan.gpkg, field uses_{s}). Village gardens hatched, drawn at their area on the parcels they use "
        f"(plan.gpkg, layer gardens; where on a parcel is indicative). Village boundaries in black.{status}"
    )
    return fig, caption


@cjk_text  # Chinese names in the CJK font
def gep_change_map(plan, li):
    """Villages coloured by their GEP change from the first period to the last (Yuan/yr)."""
    from matplotlib import colormaps
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize, TwoSlopeNorm, to_hex
    from matplotlib.ticker import FuncFormatter

    _, parcels, villages = _frames(plan, li)
    periods = plan_periods(plan, li)
    vf = village_figures(plan, li, periods)
    field = gep_change_field(periods, at_last_prices=True)
    if field:
        values = vf[field].astype(float)
        what = f"GEP change, {periods[0]} to {periods[-1]}, at {periods[-1]} prices (Yuan/yr)"
    else:
        values = vf[f"gep_yuan_per_yr_{period_suffix(periods[-1])}"].astype(float)
        what = f"GEP, {periods[-1]} (Yuan/yr)"
    values = values.reindex(villages.index)
    lo, hi = float(values.min()), float(values.max())
    if not field:
        cmap, norm = colormaps["Greens"], Normalize(0.0, max(hi, 1.0))
    elif lo < 0 < hi:
        cmap, norm = colormaps["RdYlGn"], TwoSlopeNorm(0.0, lo, hi)
    elif hi > 0:
        cmap, norm = colormaps["Greens"], Normalize(0.0, hi)
    elif lo < 0:
        cmap, norm = colormaps["Reds_r"], Normalize(lo, 0.0)
    else:  # no change anywhere
        cmap, norm = colormaps["RdYlGn"], Normalize(-1.0, 1.0)

    bounds = parcels.total_bounds
    fig, rect = _figure(bounds, legend_in=2.2)
    ax = fig.add_axes(rect)
    cax = fig.add_axes((rect[0] + rect[2] + 0.7 / 12.0, rect[1] + 0.1 * rect[3], 0.25 / 12.0, 0.8 * rect[3]))
    face = [to_hex(cmap(norm(v))) if pd.notna(v) else UNCHANGED_COLOR for v in values]
    villages.plot(ax=ax, color=face, edgecolor=BOUNDARY_COLOR, linewidth=1.1)

    def signed(v: float) -> str:
        return ("+" if v > 0 else "") + fmt_money(v) if field else fmt_money(v)

    names = {str(v.id): (getattr(v, "name", None) or str(v.id)) for v in li.instance.villages}
    _label_villages(ax, villages, names, {v: signed(x) for v, x in values.items() if pd.notna(x)})
    _decorate(ax, bounds)
    cb = fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), cax=cax, format=FuncFormatter(short_money))
    cb.set_label(what, fontsize=10)
    cb.ax.tick_params(labelsize=9)
    title = (
        f"GEP change per village, {periods[0]} to {periods[-1]}, at {periods[-1]} prices (Yuan/yr)"
        if field
        else f"GEP per village, {periods[-1]} (Yuan/yr)"
    )
    fig.suptitle(title, fontsize=13, x=0.01, ha="left")
    status = "" if plan.status == "optimal" else f" Plan status {plan.status}: NOT proved optimal."
    if field:
        caption = (
            f"(g) Change in GEP per village from the end of {periods[0]} to the end of {periods[-1]}, with "
            f"{periods[0]}'s GEP re-priced at {periods[-1]} prices so price changes (gep_price_index) do not count "
            f"(Yuan/yr; EOD projects' GEP at the host village). The plan has no status-quo GEP, so this is the "
            f"change between its own first and last periods, not its effect against today "
            f"(plan.gpkg, layer villages, field {field}).{status}"
        )
    else:
        caption = (
            f"(g) GEP per village in {periods[-1]} (Yuan/yr); the plan has one period, so no change to show.{status}"
        )
    return fig, caption
