"""The plan back as GIS layers: ``plan.gpkg``, to open in QGIS beside the parcel layer.

:func:`write_plan_gpkg` writes one GeoPackage with four layers, in the parcel layer's own
coordinate system (as the layer declares it, or ``parcels.crs``; :func:`output_crs`), e.g.
CGCS2000 degrees (EPSG:4490) for a layer in degrees, which the planner measures in its
Gauss-Kruger zone (``li.geometry`` is in that projection):

``parcels`` (one feature per parcel, its own geometry)
    ``id``, ``village``, ``cover``, ``area_ha`` and, when the parcel table has them,
    ``red_line`` (boolean), ``eco_space``, ``ownership``; then per period ``P`` (the
    period id, e.g. ``2025``; characters other than letters and digits become ``_``):

    - ``use_P``: the planned new use with the most area on the parcel by the end of P,
      or ``unchanged`` when the parcel has no land in a new use (uses within 1e-6 ha of
      each other tie; a tie goes to the first alphabetically);
    - ``new_ha_P``: hectares of the parcel in new uses by the end of P (the rest of
      ``area_ha`` keeps its cover);
    - ``changed_share_P``: the share of the parcel in new uses by the end of P,
      ``new_ha_P / area_ha`` (0-1): 0.001 for a 0.1 ha strip of a 100 ha parcel, so a map
      need not paint the whole parcel in its main new use;
    - ``uses_P``: every new use on the parcel, largest first, as text
      (``ecological_forest 3.20 ha; garden_shrub 1.10 ha``), empty when none.

    Areas are states at the end of the period (what exists then, including what was
    established earlier), as in the plan's ``allocations`` table.

``gardens`` (one feature per village and period with a built village garden)
    ``village``, ``period``, ``garden_ha`` (the garden's area: garden vegetation and
    facilities), ``vegetated_ha``, ``vegetation_coverage`` (share of the garden that is
    vegetated), ``drawn_ha`` (the area of the geometry), ``parcels`` (how many parcels the
    garden uses), ``parcels_ha`` (their area) and ``contiguous`` (true when those parcels
    form one piece, with a 1 cm tolerance for digitising gaps). The geometry is the garden
    drawn at its area (:func:`garden_shape`): on each parcel, the hectares the garden takes
    there, placed against the boundaries it shares with the garden's other parcels. The
    plan says how much of each parcel the garden takes, not where, so the placement inside
    a parcel is indicative; ``drawn_ha`` equals ``garden_ha`` to 0.1%.

``villages`` (one feature per village, its parcels dissolved)
    ``village``, ``name``, ``area_ha`` and per period ``P``: ``gep_yuan_per_yr_P`` (GEP,
    the plan's ``gep`` table summed over services, EOD projects' GEP at the host
    village), ``dividends_yuan_per_yr_P`` (income to the recipients that count as
    dividends, ``objective.dividend_recipients``), ``recruited_P`` (people),
    ``garden_ha_P`` (0 without a garden) and ``new_ha_P`` (land in new uses). With more
    than one period F, ..., L:

    - ``gep_change_F_to_L_yuan_per_yr``: GEP of L minus GEP of F, each at its own
      period's prices (the periods' ``gep_price_index``), so it includes price changes;
    - ``gep_change_F_to_L_at_L_prices_yuan_per_yr``: the same with F's GEP re-priced at
      L's prices, so only what the land and projects changed counts (the report's map).

    The plan has no status-quo (no-plan) GEP, so both are changes between the plan's own
    first and last periods, not the plan's effect against today.

``run`` (a table without geometry, one row)
    The plan's ``status``, ``termination``, ``proved_optimal``, ``mip_gap``,
    ``objective_yuan_per_yr`` and ``objective_bound_yuan_per_yr``, the independent
    ``verification``, ``status_note``, instance, overrides, solver, planner version,
    ``periods`` and ``gep_change_basis`` (what the two GEP change fields mean).

Every spatial layer also carries ``plan_status`` (the status word) and
``plan_verification`` (``passed``; ``FAILED``: do not use the plan; or ``not run``), and
each layer's description (``gpkg_contents.description``, shown by QGIS) ends with the
status, termination, MIP gap and verification, so a layer exported on its own still says
whether its plan was proved optimal.

``layer_styles`` (the QGIS styles table, :mod:`planner.report.qgis`)
    One default style per spatial layer, applied when QGIS opens it: parcels by their
    main new use at the end of the last period in the use's fixed colour (the report
    map's), paler in proportion to the share of the parcel that does not change; village
    outlines labelled with their names; gardens hatched.

``fields`` (a table without geometry; only with ``short_names=True``)
    Each layer's field names shortened to at most 10 characters for Shapefiles
    (``new_ha_2025`` -> ``nha_2025``): ``layer``, ``name`` (the long name),
    ``short_name`` and ``description``.

Numbers are rounded to 12 significant digits (:func:`planner.core.cells.round_sig`):
an area is written 16.87, not 16.869999999999997.

Needs ``pip install 'planner[geo]'``; geopandas is imported only when a function here is
called.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from planner.core.cells import round_floats
from planner.core.files import written
from planner.core.labels import term
from planner.core.status import label as status_label
from planner.core.units import M2_PER_HA
from planner.core.version import __version__
from planner.instance.gis import MEASURED_IN, SOURCE_CRS
from planner.model.data import GARDEN_KINDS
from planner.plan import villages as plan_villages
from planner.report import qgis
from planner.report.outlines import OTHER_COLOR, UNCHANGED_COLOR, use_colors, village_outlines, with_figure

__all__ = [
    "LAYERS",
    "UNCHANGED",
    "FIELDS_TABLE",
    "write_plan_gpkg",
    "plan_layers",
    "period_suffix",
    "gep_change_field",
    "short_field_names",
    "use_hectares",
    "garden_shape",
    "garden_shapes",
]

LAYERS = ("parcels", "gardens", "villages", "run")
FIELDS_TABLE = "fields"  # the long -> short field names, with short_names=True
SHORT_MAX = 10  # a Shapefile's (dBASE) field names: at most 10 characters
UNCHANGED = "unchanged"
TOL = 1e-6
#: Gaps narrower than this (metres) between a garden's parcels still count as contiguous.
CONTIGUITY_TOLERANCE_M = 0.01
INSTALL_HINT = "install the GIS extra: pip install 'planner[geo]' (geopandas with pyogrio; no system GDAL is needed)"


def geo_modules():
    """``(geopandas, pyogrio)``, or ImportError saying what to install."""
    try:
        import geopandas
        import pyogrio
    except ImportError as exc:
        raise ImportError(f"plan.gpkg and the plan maps need geopandas and pyogrio: {INSTALL_HINT}") from exc
    return geopandas, pyogrio


# ---------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------


def period_suffix(period: Any) -> str:
    """A period id as a field-name suffix: ``2025`` -> ``2025``, ``Phase 1`` -> ``phase_1``."""
    s = re.sub(r"[^0-9A-Za-z]+", "_", str(period)).strip("_").lower()
    return s or "period"


def gep_change_field(periods: list[str], at_last_prices: bool = False) -> str | None:
    """The villages layer's GEP change field (``at_last_prices``: the one at constant,
    last-period prices), or None with a single period."""
    if len(periods) < 2:
        return None
    f, last = period_suffix(periods[0]), period_suffix(periods[-1])
    return f"gep_change_{f}_to_{last}" + (f"_at_{last}_prices" if at_last_prices else "") + "_yuan_per_yr"


def _price_index(li, periods: list[str]) -> dict[str, float]:
    idx = {
        str(p.id): float(getattr(p, "gep_price_index", 1.0) or 1.0) for p in getattr(li.instance, "periods", []) or []
    }
    return {t: idx.get(t, 1.0) for t in periods}


def plan_periods(plan, li) -> list[str]:
    """The instance's period ids (the plan's ``kpis`` periods when the instance has none)."""
    ids = [str(p.id) for p in getattr(li.instance, "periods", []) or []]
    if ids:
        return ids
    k = plan.tables.get("kpis", pd.DataFrame())
    return [str(p) for p in k["period"]] if "period" in k else []


def _check_suffixes(periods: list[str]) -> None:
    seen: dict[str, str] = {}
    for p in periods:
        s = period_suffix(p)
        if s in seen:
            raise ValueError(f"periods {seen[s]!r} and {p!r} give the same field-name suffix {s!r}; rename one")
        seen[s] = p


def _str_cols(df: pd.DataFrame, cols: tuple[str, ...]) -> pd.DataFrame:
    df = df.copy()
    for c in cols:
        if c in df:
            df[c] = df[c].astype(str)
    return df


def _fmt_area(ha: float) -> str:
    return f"{ha:.2f} ha" if ha >= 0.01 else f"{ha:.3g} ha"


# ---------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------


def parcel_geometry(li):
    """The parcels' geometry as a GeoSeries aligned with ``li.parcels`` (by id)."""
    if getattr(li, "geometry", None) is None:
        raise ValueError(
            f"instance {li.instance.name!r} has no parcel geometry (its parcel table is not a GIS layer): "
            "nothing to map"
        )
    ids = li.parcels["id"].astype(str)
    geom = li.geometry
    geom = geom.set_axis(geom.index.astype(str))
    missing = ids[~ids.isin(geom.index)]
    if len(missing):
        raise ValueError(f"{len(missing)} parcel(s) have no geometry: {', '.join(missing.head(10))}")
    return geom.reindex(ids)


def parcel_figures(plan, li, periods: list[str] | None = None) -> pd.DataFrame:
    """Per parcel (index: parcel id, ``li.parcels`` order) and period: ``use_P``, ``new_ha_P``, ``uses_P``."""
    periods = periods if periods is not None else plan_periods(plan, li)
    ids = li.parcels["id"].astype(str)
    alloc = _str_cols(plan.tables.get("allocations", pd.DataFrame()), ("parcel", "use", "period"))
    if len(alloc):
        unknown = sorted(set(alloc["parcel"]) - set(ids))
        if unknown:
            raise ValueError(
                f"the plan allocates {len(unknown)} parcel(s) the instance does not have "
                f"({', '.join(unknown[:10])}): is it this instance's plan?"
            )
    out = pd.DataFrame(index=pd.Index(ids, name="id"))
    area = pd.Series(li.parcels["area_ha"].astype(float).to_numpy(), index=out.index)
    for t in periods:
        s = period_suffix(t)
        a = alloc[alloc["period"] == t] if len(alloc) else alloc
        if len(a):
            a = a.groupby(["parcel", "use"], as_index=False)["area_ha"].sum()
            a = a[a["area_ha"] > TOL]
        if not len(a):
            out[f"use_{s}"] = UNCHANGED
            out[f"new_ha_{s}"] = 0.0
            out[f"changed_share_{s}"] = 0.0
            out[f"uses_{s}"] = ""
            continue
        a = a.astype({"area_ha": float})
        # areas equal to a millionth of a hectare tie (solver noise), and ties go to the first use alphabetically
        a = a.assign(_key=a["area_ha"].round(6)).sort_values(["parcel", "_key", "use"], ascending=[True, False, True])
        top = a.drop_duplicates("parcel").set_index("parcel")["use"]
        total = a.groupby("parcel")["area_ha"].sum()
        text = (a["use"] + " " + a["area_ha"].map(_fmt_area)).groupby(a["parcel"], sort=False).agg("; ".join)
        out[f"use_{s}"] = top.reindex(out.index).fillna(UNCHANGED).astype(str)
        out[f"new_ha_{s}"] = total.reindex(out.index).fillna(0.0).astype(float)
        out[f"changed_share_{s}"] = _share(out[f"new_ha_{s}"], area)
        out[f"uses_{s}"] = text.reindex(out.index).fillna("").astype(str)
    return out


def _share(new_ha: pd.Series, area: pd.Series) -> pd.Series:
    """``new_ha / area`` within 0-1 (0 for a parcel without area)."""
    a = area.to_numpy(dtype=float)
    n = new_ha.to_numpy(dtype=float)
    share = np.divide(n, a, out=np.zeros_like(n), where=a > 0)
    return pd.Series(np.clip(share, 0.0, 1.0), index=new_ha.index)


def use_hectares(plan, period: str) -> pd.Series:
    """Hectares in each new use at the end of ``period`` across the township (the plan's
    ``allocations`` summed; uses above 1e-6 ha), largest first."""
    alloc = _str_cols(plan.tables.get("allocations", pd.DataFrame()), ("use", "period"))
    if not len(alloc):
        return pd.Series(dtype=float)
    a = alloc[alloc["period"] == str(period)]
    ha = a.groupby("use")["area_ha"].sum().astype(float)
    ha = ha[ha > TOL]
    return ha.sort_values(ascending=False, kind="stable")


def village_figures(plan, li, periods: list[str] | None = None) -> pd.DataFrame:
    """Per village (index: village id, instance order): GEP, dividends, recruits, garden and
    new-use hectares per period (:func:`planner.plan.villages.village_figures`), and the GEP
    change from the first period to the last."""
    periods = periods if periods is not None else plan_periods(plan, li)
    villages = [str(v.id) for v in li.instance.villages]
    names = {str(v.id): (getattr(v, "name", None) or str(v.id)) for v in li.instance.villages}
    idx = pd.Index(villages, name="village")
    par = li.parcels.assign(village=li.parcels["village"].astype(str))
    out = pd.DataFrame(
        {
            "name": [names[v] for v in villages],
            "area_ha": par.groupby("village")["area_ha"].sum().reindex(idx).fillna(0.0).astype(float).to_numpy(),
        },
        index=idx,
    )
    per_period = plan_villages.village_figures(plan, villages, periods)
    for t in periods:
        s, f = period_suffix(t), per_period[str(t)]
        out[f"gep_yuan_per_yr_{s}"] = f["gep_yuan"]
        out[f"dividends_yuan_per_yr_{s}"] = f["dividends_yuan_per_yr"]
        out[f"recruited_{s}"] = f["recruited"].round().astype("int64")
        out[f"garden_ha_{s}"] = f["garden_ha"]
        out[f"new_ha_{s}"] = f["new_ha"]
    field = gep_change_field(periods)
    if field:
        first, last = (
            out[f"gep_yuan_per_yr_{period_suffix(periods[0])}"],
            out[f"gep_yuan_per_yr_{period_suffix(periods[-1])}"],
        )
        price = _price_index(li, periods)
        out[field] = last - first
        # every GEP figure of a period is multiplied by its gep_price_index: re-price the first
        # period's GEP at the last period's prices to leave only what the land (and projects) changed
        out[gep_change_field(periods, at_last_prices=True)] = last - first * (price[periods[-1]] / price[periods[0]])
    return out


def _verification(plan) -> str:
    v = plan.verification
    if v is None:
        return "not run"
    if v.get("passed"):
        return f"passed ({len(v.get('checks') or [])} rule checks)"
    return f"FAILED: {len(v.get('violations') or [])} violation(s)"


def _verified(plan) -> str:
    v = plan.verification
    return "not run" if v is None else "passed" if v.get("passed") else "FAILED"


def _finite(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def status_line(plan) -> str:
    """``status optimal (proved optimal); termination ..., MIP gap 0; verification ...``: the
    status in words (:mod:`planner.core.status`), how the solver ended and the check."""
    gap = _finite(plan.mip_gap)
    return (
        f"plan of {plan.instance_name}: status {status_label(plan.status)}; termination {plan.termination}, "
        f"MIP gap {'n/a' if gap is None else f'{gap:.3g}'}; verification {_verification(plan)}"
    )


def run_table(plan, periods: list[str]) -> pd.DataFrame:
    """The ``run`` layer: one row with the plan's status and how it was made."""
    row = {
        "instance": str(plan.instance_name),
        "instance_path": str(plan.instance_path),
        "overrides": "; ".join(map(str, plan.overrides or [])),
        "status": str(plan.status),
        "termination": str(plan.termination),
        "proved_optimal": bool(plan.status == "optimal"),
        "mip_gap": _finite(plan.mip_gap),
        "objective_yuan_per_yr": _finite(plan.objective),
        "objective_bound_yuan_per_yr": _finite(plan.objective_bound),
        "verification": _verification(plan),
        "status_note": str(plan.status_note or ""),
        "solver": str(plan.solver),
        "planner_version": __version__,
        "periods": ", ".join(periods),
        "gep_change_basis": (
            f"{gep_change_field(periods)}: GEP of period {periods[-1]} minus GEP of period {periods[0]}, "
            f"each at its own prices (gep_price_index); {gep_change_field(periods, True)}: the same with "
            f"{periods[0]}'s GEP re-priced at {periods[-1]} prices, so only changes of land and projects "
            "count. The plan has no status-quo (no-plan) GEP: neither is the plan's effect against today."
            if len(periods) > 1
            else "one period: no GEP change"
        ),
    }
    df = pd.DataFrame([row])
    return df.astype({c: float for c in ("mip_gap", "objective_yuan_per_yr", "objective_bound_yuan_per_yr")})


def _union(geoms):
    import shapely

    arr = [g for g in geoms if g is not None and not g.is_empty]
    if not arr:
        return None, 0
    u = shapely.union_all(arr)
    pieces = shapely.union_all([g.buffer(CONTIGUITY_TOLERANCE_M) for g in arr])
    n = len(getattr(pieces, "geoms", [pieces]))
    return u, n


def _grown(part, seed, ha: float):
    """The part of polygon ``part`` within some distance d of ``seed``, with d found by
    bisection so that its area is ``ha`` hectares (to 0.1%, or 1 m2)."""
    target = ha * M2_PER_HA
    x0, y0, x1, y1 = part.bounds
    lo, hi = 0.0, math.hypot(x1 - x0, y1 - y0) + 1.0
    best = part
    for _ in range(60):
        d = (lo + hi) / 2
        piece = part.intersection(seed.buffer(d))
        a = piece.area
        if abs(a - target) <= max(1.0, 1e-3 * target):
            return piece
        if a < target:
            lo = d
        else:
            hi, best = d, piece
    return best


def garden_shape(geoms: dict[str, Any], ha: dict[str, float], tolerance_m: float = 0.5):
    """The garden drawn at its area: on each parcel ``p`` of ``geoms`` {parcel id: polygon
    in metres}, ``ha[p]`` hectares of it (all of it when the garden takes the whole parcel).
    The plan says how much of each parcel the garden takes, not where, so the piece is
    placed as the model assumes it (docs/gis.md): against the stretches of boundary the
    parcel shares with the garden's other parcels, and along the shortest line between two
    such stretches (a garden joining two parcels through a third reaches across it); a
    garden on one parcel is a round piece around the parcel's inner point. The piece is
    the part of the parcel within a distance of that seed, the distance chosen so that its
    area is the garden's hectares there. Returns ``(shape, hectares drawn)``."""
    import shapely

    pieces = []
    for p, g in geoms.items():
        want = float(ha.get(p, 0.0))
        if g is None or g.is_empty or want <= TOL:
            continue
        if want >= g.area / M2_PER_HA * (1 - 1e-6):
            pieces.append(g)
            continue
        ring = g.boundary
        along = []
        for q, h in geoms.items():
            if q != p and h is not None and not h.is_empty and g.distance(h) <= tolerance_m:
                s = shapely.intersection(ring, h.boundary.buffer(max(tolerance_m, 1e-6)))
                if s.length > 0:
                    along.append(s)
        seeds = list(along)
        for i, a in enumerate(along):
            for b in along[i + 1 :]:
                if a.distance(b) > 0:
                    seeds.append(shapely.shortest_line(a, b))
        seed = shapely.union_all(seeds) if seeds else g.point_on_surface()
        pieces.append(_grown(g, seed, want))
    if not pieces:
        return None, 0.0
    shape = shapely.union_all(pieces)
    return shape, shape.area / M2_PER_HA


def garden_shapes(plan, li, period: str) -> dict[str, Any]:
    """Each village's garden at the end of ``period`` drawn at its area
    (:func:`garden_shape`), {village: shape}; villages without garden land left out."""
    alloc = _str_cols(plan.tables.get("allocations", pd.DataFrame()), ("village", "parcel", "period"))
    if not len(alloc):
        return {}
    geom = parcel_geometry(li)
    tol_m = li.instance.parcels.adjacency_tolerance_m
    sel = alloc[(alloc["period"] == str(period)) & alloc["kind"].isin(GARDEN_KINDS) & (alloc["area_ha"] > TOL)]
    out = {}
    for v, g in sel.groupby("village", sort=True):
        on = g.groupby("parcel")["area_ha"].sum().to_dict()
        shape, _ = garden_shape({p: geom[p] for p in on}, on, tol_m)
        if shape is not None:
            out[str(v)] = shape
    return out


def plan_layers(plan, li) -> dict[str, Any]:
    """The layers of plan.gpkg as GeoDataFrames (``run``: a DataFrame), before writing."""
    gpd, _ = geo_modules()
    if not plan.has_solution:
        raise ValueError(f"no plan to map: status {plan.status} (termination {plan.termination})")
    periods = plan_periods(plan, li)
    _check_suffixes(periods)
    geom = parcel_geometry(li)
    crs = li.geometry.crs
    status, verified = str(plan.status), _verified(plan)

    # parcels
    par = li.parcels
    base = pd.DataFrame(
        {
            "id": par["id"].astype(str).to_numpy(),
            "village": par["village"].astype(str).to_numpy(),
            "cover": par["cover"].astype(str).to_numpy(),
            "area_ha": par["area_ha"].astype(float).to_numpy(),
        }
    )
    if "red_line" in par:
        base["red_line"] = par["red_line"].fillna(False).astype(bool).to_numpy()
    for c in ("eco_space", "ownership"):
        if c in par:
            base[c] = par[c].fillna("").astype(str).to_numpy()
    figs = parcel_figures(plan, li, periods)
    parcels = pd.concat([base, figs.reset_index(drop=True)], axis=1)
    parcels["plan_status"] = status
    parcels["plan_verification"] = verified
    parcels = gpd.GeoDataFrame(parcels, geometry=gpd.GeoSeries(geom.to_numpy(), crs=crs), crs=crs)

    # gardens
    alloc = _str_cols(plan.tables.get("allocations", pd.DataFrame()), ("village", "parcel", "period"))
    gard = _str_cols(plan.tables.get("gardens", pd.DataFrame()), ("village", "period"))
    rows, shapes = [], []
    if len(gard):
        built = gard[gard["built"].astype(bool)] if "built" in gard else gard
        g_alloc = alloc[alloc["kind"].isin(GARDEN_KINDS) & (alloc["area_ha"] > TOL)] if len(alloc) else alloc
        used_by = g_alloc.groupby(["village", "period"])["parcel"].unique() if len(g_alloc) else pd.Series(dtype=object)
        ha_by = g_alloc.groupby(["village", "period", "parcel"])["area_ha"].sum() if len(g_alloc) else pd.Series()
        tol_m = li.instance.parcels.adjacency_tolerance_m
        order = {t: i for i, t in enumerate(periods)}
        for _, g in built.sort_values("period", key=lambda c: c.map(order), kind="stable").iterrows():
            key = (g["village"], g["period"])
            used = sorted(used_by[key]) if key in used_by.index else []
            _, n_pieces = _union(geom.reindex(used).tolist())
            on = {p: float(ha_by[(*key, p)]) for p in used}
            shape, drawn = garden_shape({p: geom[p] for p in used}, on, tol_m)
            cov = _finite(g.get("vegetation_coverage"))
            rows.append(
                {
                    "village": g["village"],
                    "period": g["period"],
                    "garden_ha": float(g["area_ha"]),
                    "vegetated_ha": float(g.get("vegetated_ha", 0.0) or 0.0),
                    "vegetation_coverage": math.nan if cov is None else cov,
                    "drawn_ha": drawn,
                    "parcels": len(used),
                    "parcels_ha": float(sum(geom[p].area for p in used)) / M2_PER_HA,
                    "contiguous": bool(n_pieces == 1),
                    "plan_status": status,
                    "plan_verification": verified,
                }
            )
            shapes.append(shape)
    cols = [
        "village",
        "period",
        "garden_ha",
        "vegetated_ha",
        "vegetation_coverage",
        "drawn_ha",
        "parcels",
        "parcels_ha",
        "contiguous",
        "plan_status",
        "plan_verification",
    ]
    gardens = pd.DataFrame(rows, columns=cols).astype(
        {
            "garden_ha": float,
            "vegetated_ha": float,
            "vegetation_coverage": float,
            "drawn_ha": float,
            "parcels": "int64",
            "parcels_ha": float,
            "contiguous": bool,
            "village": str,
            "period": str,
            "plan_status": str,
            "plan_verification": str,
        }
    )
    gardens = gpd.GeoDataFrame(gardens, geometry=gpd.GeoSeries(shapes, crs=crs), crs=crs)

    # villages
    vf = village_figures(plan, li, periods)
    by_v = gpd.GeoDataFrame({"village": parcels["village"]}, geometry=parcels.geometry, crs=crs)
    shapes_v = village_outlines(by_v).geometry
    villages = vf.reset_index()
    villages["plan_status"] = status
    villages["plan_verification"] = verified
    villages = gpd.GeoDataFrame(
        villages, geometry=gpd.GeoSeries(shapes_v.reindex(vf.index).to_numpy(), crs=crs), crs=crs
    )

    # measured in the working projection (metres) above; written in the layer's own system
    out = output_crs(li)
    if out is not None and crs is not None and not out.equals(crs):
        parcels, gardens, villages = (g.to_crs(out) for g in (parcels, gardens, villages))
    return {"parcels": parcels, "gardens": gardens, "villages": villages, "run": run_table(plan, periods)}


def output_crs(li):
    """The coordinate system plan.gpkg is written in: the parcel layer's own (as declared,
    or ``parcels.crs``), e.g. CGCS2000 EPSG:4490 degrees for a layer in degrees that the
    planner measures in its Gauss-Kruger zone; else the geometry's."""
    geom = getattr(li, "geometry", None)
    if geom is None:
        return None
    return geom.attrs.get(SOURCE_CRS) or geom.crs


LAYER_DOC = {
    "parcels": "each parcel with its main planned new use (use_P), hectares in new uses (new_ha_P), the share of the "
    "parcel they take (changed_share_P) and every new use (uses_P) by the end of period P",
    "gardens": "village gardens per period, drawn at their area: garden_ha of the parcels the garden uses, "
    "placed against the boundaries they share (where on a parcel is indicative; parcels_ha: the parcels' area)",
    "villages": "per village and period: GEP, dividends, recruits, garden and new-use hectares",
    "run": "the plan's status, termination, MIP gap, verification and how it was made",
    FIELDS_TABLE: "the long name of each field shortened for Shapefiles (10 characters at most)",
}

# ---------------------------------------------------------------------------
# Field names for Shapefiles
# ---------------------------------------------------------------------------

#: Fields with a period suffix: (long stem, short stem, description with {p} for the period).
PERIOD_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("changed_share_", "shr", "share of the parcel in new uses by the end of {p} (0-1)"),
    ("new_ha_", "nha", "hectares in new uses by the end of {p}"),
    ("uses_", "uses", "every new use on the parcel and its hectares by the end of {p}"),
    ("use_", "use", "main new use by the end of {p} (unchanged: none)"),
    ("gep_yuan_per_yr_", "gep", "GEP in {p} (Yuan/yr)"),
    ("dividends_yuan_per_yr_", "div", "dividends in {p} (Yuan/yr)"),
    ("recruited_", "rec", "people recruited in {p}"),
    ("garden_ha_", "gdn", "village garden area in {p} (ha; 0 without a garden)"),
)
#: Other fields: long name -> (short name, description).
FIXED_FIELDS: dict[str, tuple[str, str]] = {
    "id": ("id", "parcel id, as in the parcel layer"),
    "village": ("village", "village id"),
    "name": ("name", "village name"),
    "cover": ("cover", "current cover (land class)"),
    "area_ha": ("area_ha", "area (ha)"),
    "red_line": ("red_line", "inside the ecological protection red line"),
    "eco_space": ("eco_space", "ecological space class"),
    "ownership": ("ownership", "collective or individual"),
    "period": ("period", "period id"),
    "garden_ha": ("garden_ha", "garden area: vegetation and facilities (ha)"),
    "vegetated_ha": ("veg_ha", "vegetated part of the garden (ha)"),
    "vegetation_coverage": ("veg_cover", "share of the garden that is vegetated (0-1)"),
    "drawn_ha": ("drawn_ha", "area of the garden as drawn (ha): garden_ha placed on its parcels"),
    "parcels": ("parcels", "how many parcels the garden uses"),
    "parcels_ha": ("parcels_ha", "area of the parcels the garden uses (ha), of which the garden takes garden_ha"),
    "contiguous": ("contiguous", "the garden's parcels form one piece"),
    "plan_status": ("status", "the plan's status (optimal: proved optimal)"),
    "plan_verification": ("verified", "independent check of the plan: passed, FAILED or not run"),
    "instance": ("instance", "instance name"),
    "instance_path": ("inst_path", "instance file"),
    "overrides": ("overrides", "--scenario and --set changes to the instance"),
    "status": ("status", "the plan's status (optimal: proved optimal)"),
    "termination": ("solver_end", "how the solver ended"),
    "proved_optimal": ("proved_opt", "the solver proved the plan optimal"),
    "mip_gap": ("mip_gap", "relative MIP gap"),
    "objective_yuan_per_yr": ("objective", "objective (Yuan/yr)"),
    "objective_bound_yuan_per_yr": ("obj_bound", "best possible objective (Yuan/yr)"),
    "verification": ("verified", "independent check of the plan"),
    "status_note": ("note", "what the status means for this plan"),
    "solver": ("solver", "solver"),
    "planner_version": ("version", "planner version"),
    "periods": ("periods", "the plan's periods"),
    "gep_change_basis": ("gep_basis", "what the GEP change fields mean"),
}


def _unique(name: str, taken: set[str]) -> str:
    """``name`` (at most 10 characters), or with its end replaced by a number, unused in
    ``taken`` (compared without case: dBASE field names ignore it)."""
    name = name[:SHORT_MAX]
    if name.lower() not in taken:
        return name
    for i in range(2, 10_000):
        tail = str(i)
        cand = name[: SHORT_MAX - len(tail)] + tail
        if cand.lower() not in taken:
            return cand
    raise ValueError(f"no short name left for {name!r}")


def short_field_names(columns: Iterable[str], periods: list[str]) -> dict[str, tuple[str, str]]:
    """Each of ``columns`` (a layer's fields) -> (a name of at most 10 characters, unique
    in the layer without regard to case; a description). Period fields keep their period
    (``new_ha_2025`` -> ``nha_2025``; a long period id keeps its last characters, or
    becomes ``p1``, ``p2`` ...), the GEP change fields become ``gep_chg`` and
    ``gep_chg_lp`` (at the last period's prices), others a fixed short name or their first
    10 characters."""
    cols = [str(c) for c in columns]
    suffixes = [(period_suffix(p), str(p), i) for i, p in enumerate(periods, start=1)]
    change = gep_change_field(periods)
    change_lp = gep_change_field(periods, at_last_prices=True)
    out: dict[str, tuple[str, str]] = {}
    taken: set[str] = set()
    wanted: list[tuple[str, str, str, str | None]] = []  # (column, short, description, fallback)
    for c in cols:
        hit = None
        for long_stem, short_stem, doc in PERIOD_FIELDS:
            for s, p, i in suffixes:
                if c == long_stem + s:
                    short = f"{short_stem}_{s}"
                    fallback = f"{short_stem}_p{i}"
                    if len(short) > SHORT_MAX:
                        keep = SHORT_MAX - len(short_stem) - 1
                        short = f"{short_stem}_{s[-keep:]}" if keep > 0 else fallback
                    hit = (c, short, doc.format(p=p), fallback)
                    break
            if hit:
                break
        if hit is None and change and c == change:
            hit = (c, "gep_chg", f"GEP change from {periods[0]} to {periods[-1]}, each at its own prices", None)
        if hit is None and change_lp and c == change_lp:
            hit = (c, "gep_chg_lp", f"GEP change from {periods[0]} to {periods[-1]} at {periods[-1]} prices", None)
        if hit is None:
            short, doc = FIXED_FIELDS.get(c, (c, ""))
            hit = (c, short, doc, None)
        wanted.append(hit)
    for c, short, doc, fallback in wanted:
        if fallback is not None and (len(short) > SHORT_MAX or short.lower() in taken):
            short = fallback
        name = _unique(short, taken)
        taken.add(name.lower())
        out[c] = (name, doc)
    return out


def _fields_table(layers: dict[str, Any], names: dict[str, dict[str, tuple[str, str]]]) -> pd.DataFrame:
    rows = [
        {"layer": layer, "name": long, "short_name": short, "description": doc}
        for layer in LAYERS
        for long, (short, doc) in names[layer].items()
        if long in layers[layer].columns
    ]
    return pd.DataFrame(rows, columns=["layer", "name", "short_name", "description"]).astype(str)


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


def _styles(plan, li, periods: list[str], field: dict[str, str], status: str, lang: str) -> dict[str, tuple[str, str]]:
    """The QGIS default style of each spatial layer (:mod:`planner.report.qgis`), with
    the layers' field names as written (``field``: long -> written)."""
    last = periods[-1]
    s = period_suffix(last)
    library = list(li.library.uses)
    colors = use_colors(library)
    ha = use_hectares(plan, last)
    unit = term("word", "unit_ha", lang)
    uses = [
        (u, with_figure(term("use", u, lang), f"{v:,.1f} {unit}", lang), colors.get(u, OTHER_COLOR))
        for u, v in ha.items()
    ]
    unchanged = (UNCHANGED, term("word", "map_unchanged", lang), UNCHANGED_COLOR)
    garden = next((u for u in library if getattr(li.library.uses[u].kind, "value", None) in GARDEN_KINDS), None)
    gcolor = colors[garden] if garden else OTHER_COLOR
    return {
        "parcels": (
            qgis.parcels_qml(field[f"use_{s}"], field[f"changed_share_{s}"], uses, unchanged),
            f"planner: parcels by their main new use at the end of {last}, paler where only part of the parcel "
            f"changes (field {field[f'changed_share_{s}']}); legend: hectares in each use. {status}",
        ),
        "villages": (
            qgis.villages_qml(field["name"]),
            f"planner: village outlines labelled with their names. {status}",
        ),
        "gardens": (
            qgis.gardens_qml(gcolor),
            f"planner: village gardens, hatched, drawn at their area (garden_ha placed on their parcels). {status}",
        ),
    }


def write_plan_gpkg(plan, li, path: str | Path, *, short_names: bool = False, lang: str = "en") -> Path:
    """Write ``plan`` for instance ``li`` (which must have parcel geometry) as a GeoPackage
    at ``path`` (e.g. ``out/plan.gpkg``), replacing any file there. The layers are
    described in this module's docstring; each spatial layer gets a default QGIS style
    (labels in ``lang``: ``en`` or ``zh``). ``short_names``: field names of at most 10
    characters, unique in each layer, so that the layers can be saved as Shapefiles
    (the ``fields`` table gives each long name). The file is written under a temporary
    name beside ``path`` and renamed into place, so readers never see half a file.
    Raises ValueError for a plan without a solution or an instance without geometry,
    ImportError (saying what to install) without geopandas."""
    _, pyogrio = geo_modules()
    term("word", "unit_ha", lang)  # an unknown language fails before anything is written
    layers = {k: round_floats(v) for k, v in plan_layers(plan, li).items()}
    periods = plan_periods(plan, li)
    names = {k: short_field_names([c for c in v.columns if c != "geometry"], periods) for k, v in layers.items()}
    if short_names:
        fields = _fields_table(layers, names)
        layers = {k: v.rename(columns={c: n for c, (n, _) in names[k].items()}) for k, v in layers.items()}
        layers[FIELDS_TABLE] = fields
        field = {c: n for c, (n, _) in names["parcels"].items()} | {"name": names["villages"]["name"][0]}
    else:
        field = {c: c for c in [*layers["parcels"].columns, "name"]}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    status = status_line(plan)
    out, measured = output_crs(li), li.geometry.attrs.get(MEASURED_IN)
    if measured and out is not None and not out.is_projected:
        status += f" Areas and boundaries measured in {measured}."
    styles = _styles(plan, li, periods, field, status, lang)
    with written(path, create=False, suffix=".tmp.gpkg") as tmp:  # GDAL creates the file itself
        for i, name in enumerate(layers):
            pyogrio.write_dataframe(
                layers[name],
                tmp,
                layer=name,
                driver="GPKG",
                append=i > 0,
                # gpkg_contents.description; no GDAL dataset metadata: reading that back makes
                # GDAL leave a plan.gpkg.aux.xml beside the file
                layer_options={"DESCRIPTION": f"{LAYER_DOC[name]}. {status}"},
            )
        qgis.write_styles(tmp, styles)
    return path
