"""What the app's map draws, as compact JSON for MapLibre GL JS.

The parcels go to the browser once per instance, as GeoJSON that MapLibre fetches and
cuts into tiles in a web worker (so the page stays responsive while it loads): geometry
in WGS 84 simplified to about 0.5 m and rounded to 1e-5 degrees (about 1 m), and four small codes per
parcel (village, current cover, red line, ecological-space type) as indexes into the
legend. A plan, or the difference of two plans, is then a short list of numbers per
parcel in the same order (:func:`plan_values`, :func:`difference_values`), which the page
applies as feature state: the geometry is never sent again.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd

from planner.core.labels import name_of, term
from planner.instance.load import LoadedInstance
from planner.instance.schema import ECO_SPACE_TYPES
from planner.report.gpkg import UNCHANGED, geo_modules, parcel_figures, parcel_geometry, period_suffix, plan_periods
from planner.report.outlines import use_colors, village_outlines

#: Degrees: coordinates are rounded to this grid (about 1 m; a parcel is tens of metres across).
GRID = 1e-5
COVER_COLORS = (
    "#8fbf6a",
    "#2e7d32",
    "#c9b458",
    "#e0c27a",
    "#9ecae1",
    "#bdbdbd",
    "#a1887f",
    "#80cbc4",
    "#f48fb1",
    "#ce93d8",
    "#ffcc80",
    "#b0bec5",
)
ECO_COLORS = {
    "conservation": "#1b5e20",
    "integrated": "#66bb6a",
    "cultivation": "#d4e157",
    "restoration": "#ffa726",
    "none": "#eeeeee",
}


def has_map(li: LoadedInstance) -> bool:
    return getattr(li, "geometry", None) is not None


def _codes(li: LoadedInstance) -> dict[str, list[str]]:
    p = li.parcels
    return {
        "village": [v.id for v in li.instance.villages],
        "cover": sorted(set(p["cover"].astype(str))),
        "eco": list(ECO_SPACE_TYPES),
    }


def parcels_geojson(li: LoadedInstance) -> bytes:
    """The parcels as a GeoJSON FeatureCollection (feature id = row number)."""
    import shapely  # the geo extra, present whenever the instance has geometry

    geom = parcel_geometry(li)
    crs = li.geometry.crs
    if crs is not None and crs.is_projected:
        geom = geom.simplify(0.5)
    geom = geom.to_crs(4326) if crs is not None else geom
    texts = shapely.to_geojson(shapely.set_precision(np.asarray(geom.values), GRID))
    codes = _codes(li)
    p = li.parcels
    v = p["village"].astype(str).map({k: i for i, k in enumerate(codes["village"])}).to_numpy()
    c = p["cover"].astype(str).map({k: i for i, k in enumerate(codes["cover"])}).to_numpy()
    r = p["red_line"].astype(bool).astype(int).to_numpy()
    e = p["eco_space"].astype(str).map({k: i for i, k in enumerate(codes["eco"])}).fillna(len(codes["eco"]) - 1)
    e = e.astype(int).to_numpy()
    feats = [
        f'{{"type":"Feature","id":{i},"geometry":{t},"properties":{{"v":{v[i]},"c":{c[i]},"r":{r[i]},"e":{e[i]}}}}}'
        for i, t in enumerate(texts)
    ]
    return ('{"type":"FeatureCollection","features":[' + ",".join(feats) + "]}").encode()


def villages_geojson(li: LoadedInstance, lang: str = "en") -> bytes:
    """Village outlines (lines) and one label point per village with its name."""
    import shapely

    gpd, _ = geo_modules()
    geom = parcel_geometry(li)
    frame = gpd.GeoDataFrame(
        {"village": li.parcels["village"].astype(str).to_numpy()}, geometry=geom.values, crs=li.geometry.crs
    )
    out = village_outlines(frame)
    names = {v.id: name_of(v, lang) for v in li.instance.villages}
    labels = out.geometry.representative_point()
    if out.crs is not None:
        out = out.to_crs(4326)
        labels = labels.to_crs(4326)
    lines = shapely.to_geojson(shapely.set_precision(np.asarray(out.geometry.boundary.values), GRID))
    feats = []
    for (vid, line), pt in zip(zip(out.index, lines), labels.values):
        feats.append({"type": "Feature", "geometry": json.loads(line), "properties": {"village": str(vid)}})
        feats.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(pt.x, 6), round(pt.y, 6)]},
                "properties": {"village": str(vid), "name": names.get(str(vid), str(vid)), "label": 1},
            }
        )
    return json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False).encode()


def legend(li: LoadedInstance, lang: str = "en") -> dict[str, Any]:
    """Colours and words of each map mode, in the order of the codes in the GeoJSON."""
    codes = _codes(li)
    uses = list(li.library.uses)
    ucol = use_colors(uses)
    return {
        "cover": [[term("cover", k, lang), COVER_COLORS[i % len(COVER_COLORS)]] for i, k in enumerate(codes["cover"])],
        "red_line": [[term("word", "outside_red_line", lang), "#eeeeee"], [term("word", "red_line", lang), "#d32f2f"]],
        "eco": [[term("word", f"eco_{k}", lang), ECO_COLORS[k]] for k in codes["eco"]],
        "use": [[term("use", u, lang), ucol[u]] for u in uses],
        "bounds": bounds(li),
    }


def bounds(li: LoadedInstance) -> list[float]:
    g = parcel_geometry(li)
    if li.geometry.crs is not None:
        g = g.to_crs(4326)
    x0, y0, x1, y1 = (float(x) for x in g.total_bounds)
    return [x0, y0, x1, y1]


def _shares(plan, li) -> tuple[np.ndarray, np.ndarray]:
    """Per parcel: share of its area that changes use by the last period, and the index of
    its main new use in the library (-1: unchanged)."""
    periods = plan_periods(plan, li)
    fig = parcel_figures(plan, li, periods[-1:])
    s = period_suffix(periods[-1])
    area = li.parcels["area_ha"].astype(float).to_numpy()
    share = np.clip(fig[f"new_ha_{s}"].to_numpy(dtype=float) / np.where(area > 0, area, 1.0), 0.0, 1.0)
    index = {u: i for i, u in enumerate(li.library.uses)}
    use = fig[f"use_{s}"].map(lambda u: -1 if u == UNCHANGED else index.get(u, -1)).to_numpy(dtype=int)
    return share, use


def plan_values(plan, li) -> dict[str, list]:
    """``share`` (0-1, two decimals) and ``use`` (library index, -1 unchanged) per parcel."""
    share, use = _shares(plan, li)
    return {"share": np.round(share, 2).tolist(), "use": use.tolist()}


def difference_values(a, b, li) -> dict[str, list]:
    """``delta``: the changed share in ``b`` minus that in ``a`` (two decimals), and
    ``moved``: 1 where the main new use differs, per parcel."""
    sa, ua = _shares(a, li)
    sb, ub = _shares(b, li)
    return {"delta": np.round(sb - sa, 2).tolist(), "moved": (ua != ub).astype(int).tolist()}


def parcel_rows(li: LoadedInstance, index: int, plan, lang: str = "en") -> list[tuple[str, str]]:
    """(label, value) lines of one parcel for its popup: attributes, then its plan."""
    p = li.parcels.iloc[index]
    villages = {v.id: v for v in li.instance.villages}
    rows = [
        (term("word", "parcel", lang), str(p["id"])),
        (term("word", "village", lang), name_of(villages.get(str(p["village"]), str(p["village"])), lang)),
        (term("word", "area_ha", lang), f"{float(p['area_ha']):,.2f}"),
        (term("word", "cover", lang), term("cover", str(p["cover"]), lang)),
        (term("word", "red_line", lang), term("word", "yes" if bool(p["red_line"]) else "no", lang)),
        (term("word", "eco_space", lang), term("word", f"eco_{p['eco_space']}", lang)),
    ]
    if plan is not None and plan.has_solution:
        alloc = plan.tables.get("allocations", pd.DataFrame())
        mine = alloc[alloc["parcel"].astype(str) == str(p["id"])] if len(alloc) else alloc
        for t, g in mine.groupby("period", sort=False) if len(mine) else []:
            text = "; ".join(f"{term('use', u, lang)} {a:,.2f} ha" for u, a in zip(g["use"], g["area_ha"]) if a > 1e-6)
            rows.append((f"{term('word', 'plan_for', lang)} {t}", text or term("word", "unchanged", lang)))
        if not len(mine):
            rows.append((term("word", "plan_for", lang), term("word", "unchanged", lang)))
    return rows


__all__ = [
    "difference_values",
    "has_map",
    "legend",
    "parcel_rows",
    "parcels_geojson",
    "plan_values",
    "villages_geojson",
]
