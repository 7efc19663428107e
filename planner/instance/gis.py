"""Read a parcel table from a GIS layer: GeoPackage, GeoJSON or Shapefile.

The layer's attributes become the parcel table (renamed through ``parcels.columns``) and
go through the same checks as a CSV table (:func:`planner.instance.tables.load_parcels`); the
geometry is kept, in a projected coordinate system, for adjacency, plan.gpkg and maps.

Area. When the table has an area attribute it is used as stated, and compared with the
geometry's area: parcels differing by more than ``parcels.area_tolerance`` (a share) are
reported as a warning. Without an area attribute the area is the geometry's, measured in
the file's coordinate system, which must then be projected (metres), or in
``parcels.area_crs``. A layer in degrees with neither is an error naming a projection
to use: the CGCS2000 3-degree Gauss-Kruger zone of the layer's centre when the layer is
in CGCS2000 (Chinese land registries), else its UTM zone. A layer in degrees with an area
attribute is measured in that projection (named in the area warnings).

Coordinate system. The layer's own (declared) system, or ``parcels.crs`` for a layer that
declares none (a GeoJSON without a ``crs`` member counts as declaring none: GDAL's EPSG:4326
is only its default); a declared system contradicting ``parcels.crs`` is an error, as are
coordinates outside +-180/+-90 in a geographic system (metres read as degrees). The
geometry is kept in the projection it is measured in; its ``attrs[SOURCE_CRS]`` is the
layer's own system, in which plan.gpkg is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from planner.core.errors import InputError, Problem
from planner.core.units import AREA_UNITS_PER_HA, M2_PER_HA
from planner.instance.tables import map_columns, to_numbers

SUFFIXES = (".gpkg", ".geojson", ".json", ".shp")
#: Key in ``geometry.attrs`` of the layer's own coordinate system (the geometry itself is
#: in the projected system it is measured in).
SOURCE_CRS = "source_crs"
#: Key in ``geometry.attrs`` of the projection areas are measured in, as text.
MEASURED_IN = "measured_in"
#: How many parcels an area-mismatch warning lists by name before counting the rest.
LIST_AT_MOST = 10
#: A layer whose stated areas are in another unit than ``parcels.area_unit`` says so in one
#: warning, not one per parcel: when more than UNIT_MOST of the parcels with a stated area
#: state UNIT_FACTOR times their drawn area within UNIT_FIT, for the factor between the
#: declared unit and another (ha -> mu 15, ha -> m2 10,000, mu -> m2 666.7, and their
#: inverses). Stated and drawn areas of one registry agree to a few per cent, and the
#: nearest two factors are 15 times apart, so a 10% window cannot take one unit for
#: another; "more than half" is a mistake of the whole table, not of some rows.
UNIT_FIT = 0.10
UNIT_MOST = 0.5
#: How each unit relates to the hectare, for the fix of a unit slip.
UNIT_WORDS = {"ha": "hectares", "mu": "15 mu = 1 ha", "m2": "10,000 m2 = 1 ha"}


def unit_slip(stated_ha: np.ndarray, geometric_ha: np.ndarray, unit: str) -> tuple[str, float, np.ndarray] | None:
    """The unit the stated areas are in when most parcels state another unit's factor
    times their geometry's area (:data:`UNIT_MOST`, :data:`UNIT_FIT`): (that unit, the factor,
    which parcels fit it); None when the areas agree or disagree in no single factor.
    ``stated_ha``: the stated areas converted from ``unit``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        known = np.isfinite(stated_ha) & (stated_ha > 0) & (geometric_ha > 0)
        ratio = np.where(known, stated_ha / np.where(known, geometric_ha, 1.0), np.nan)
        for other, per_ha in AREA_UNITS_PER_HA.items():
            factor = per_ha / AREA_UNITS_PER_HA[unit]
            fit = known & (np.abs(ratio / factor - 1) <= UNIT_FIT)
            if other != unit and fit.sum() > UNIT_MOST * known.sum():
                return other, factor, fit
    return None


def _times(factor: float) -> str:
    """15 -> "15", 10000 -> "10,000", 666.67 -> "666.7", 1/15 -> "1/15"."""
    if factor < 1:
        return "1/" + _times(1 / factor)
    return f"{factor:,.0f}" if abs(factor - round(factor)) < 1e-9 else f"{factor:,.1f}"


def is_gis(path: Path) -> bool:
    return path.suffix.lower() in SUFFIXES


@dataclass
class GisTable:
    """A GIS layer read as a parcel table. ``frame``: attributes under planner names, with
    ``area`` (in ``area_unit``) filled from geometry when the layer has none;
    ``geometry``: a GeoSeries in ``crs`` (projected, metres), row-aligned with ``frame``;
    ``geometric_ha``: each parcel's area from its geometry; ``warnings``: what load should
    report without refusing the file."""

    frame: pd.DataFrame
    geometry: Any
    crs: Any
    area_from_geometry: bool
    geometric_ha: np.ndarray
    warnings: list[Problem]
    #: the layer's own coordinate system (declared, or ``parcels.crs``): plan.gpkg is written in it
    source_crs: Any = None
    #: the projected system areas and boundaries are measured in, e.g. "EPSG:4546 (CGCS2000 / ...)"
    measured_in: str = ""
    #: the unit most stated areas are in when it is not ``parcels.area_unit`` (:func:`unit_slip`), else None
    unit_slip: str | None = None


def _geo_modules():
    try:
        import geopandas
        import pyogrio
    except ImportError:
        return None
    return geopandas, pyogrio


def need_geo(file: str, field: str, what: str) -> tuple[Any, Any]:
    """geopandas and pyogrio, or an input error saying how to install them."""
    mods = _geo_modules()
    if mods is None:
        raise InputError.one(
            file,
            field,
            f"{what} needs the GIS extra (geopandas with pyogrio)",
            "install it: pip install 'planner[geo]' (no system GDAL is needed)",
        )
    return mods


def projection_for(geom) -> tuple[str | None, str]:
    """A projected CRS for a layer in degrees, as (EPSG code or None, the words for it): the
    CGCS2000 3-degree Gauss-Kruger zone of its centre when the layer is CGCS2000
    (EPSG:4490), else its UTM zone; None with the rule when no zone can be estimated."""
    crs = geom.crs
    lon = float(np.mean(geom.total_bounds[[0, 2]]))
    if crs is not None and crs.to_epsg() == 4490:
        cm = int(round(lon / 3.0)) * 3
        if 75 <= cm <= 135:  # EPSG:4534 (CM 75E) ... EPSG:4554 (CM 135E)
            code = f"EPSG:{4534 + (cm - 75) // 3}"
            return code, f"{code} (CGCS2000 / 3-degree Gauss-Kruger CM {cm}E)"
    try:
        utm = geom.estimate_utm_crs()
        code = f"EPSG:{utm.to_epsg()}"
        return code, f"{code} ({utm.name})"
    except Exception:  # noqa: BLE001 - no estimate (empty or odd extent): name the rule instead
        return None, "the UTM zone of the area (EPSG:326NN north, 327NN south)"


def suggest_projection(geom) -> str:
    """:func:`projection_for` in words."""
    return projection_for(geom)[1]


def _crs_label(crs) -> str:
    code = crs.to_epsg()
    return f"EPSG:{code} ({crs.name})" if code else crs.name


def _parse_crs(text: str, inst_file: str, field: str):
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    try:
        return CRS.from_user_input(text)
    except CRSError:
        raise InputError.one(
            inst_file,
            field,
            "not a coordinate system pyproj knows",
            "give an EPSG code such as EPSG:4546 (CGCS2000 / 3-degree Gauss-Kruger CM 111E) or EPSG:4490 (CGCS2000)",
            text,
        ) from None


def _same_crs(a, b) -> bool:
    if a.equals(b, ignore_axis_order=True):
        return True
    ea, eb = a.to_epsg(), b.to_epsg()
    return ea is not None and ea == eb


def _geojson_declares_crs(path: Path) -> bool:
    """Whether a GeoJSON file has a top-level ``crs`` member (GDAL reads one without it as
    EPSG:4326, RFC 7946's WGS 84 degrees)."""
    import json

    try:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
    except (OSError, ValueError):
        return True  # GDAL read it; keep what it says
    return isinstance(doc, dict) and doc.get("crs") is not None


def _projection_hint(geom) -> str:
    """What projected system coordinates in metres may be in, from their eastings."""
    x0, _, x1, _ = (float(v) for v in geom.total_bounds)
    zone = int(((x0 + x1) / 2) // 1_000_000)
    if 25 <= zone <= 45:
        return (
            f"probably EPSG:{4513 + zone - 25} (CGCS2000 / 3-degree Gauss-Kruger zone {zone}: "
            f"eastings start with {zone})"
        )
    if 13 <= zone <= 23:
        return f"probably EPSG:{4491 + zone - 13} (CGCS2000 / Gauss-Kruger zone {zone}: eastings start with {zone})"
    return (
        "e.g. EPSG:4546 (CGCS2000 / 3-degree Gauss-Kruger CM 111E; EPSG:4534-4554 cover CM 75E-135E) "
        "or a UTM zone (EPSG:326NN)"
    )


def _plausible_degrees(geom) -> bool:
    x0, y0, x1, y1 = (float(v) for v in geom.total_bounds)
    return -180.0 <= x0 <= x1 <= 180.0 and -90.0 <= y0 <= y1 <= 90.0


def _source_crs(path: Path, geom, src, inst_file: str, where: str):
    """The layer's geometry in its own coordinate system, and that system: the one it
    declares, or ``parcels.crs`` when it declares none. A declared system contradicting
    ``parcels.crs``, and coordinates that cannot be degrees in a geographic system, are errors."""
    declared = geom.crs
    geojson_default = path.suffix.lower() in (".geojson", ".json") and not _geojson_declares_crs(path)
    if geojson_default:
        declared = None  # GDAL's EPSG:4326 is a default, not the file's word
    if src.crs is not None:
        given = _parse_crs(src.crs, inst_file, "parcels.crs")
        if declared is not None and not _same_crs(declared, given):
            raise InputError.one(
                inst_file,
                "parcels.crs",
                f"says {_crs_label(given)} but the layer {where} declares {_crs_label(declared)}; "
                "parcels.crs is for layers that declare no system and does not override one",
                "remove parcels.crs to use the layer's own system, or fix the layer's system in QGIS "
                "(Layer Properties > Source) if it is wrong",
                src.crs,
            )
        geom = geom.set_crs(given, allow_override=True)
    crs = geom.crs
    if crs is not None and crs.is_geographic and not _plausible_degrees(geom):
        x0, y0, x1, y1 = (float(v) for v in geom.total_bounds)
        span = f"x {x0:,.0f} to {x1:,.0f}, y {y0:,.0f} to {y1:,.0f}"
        if src.crs is not None:
            why = f"parcels.crs says {_crs_label(crs)}, in degrees"
            fix = f"set parcels.crs to the projected system the layer was drawn in, {_projection_hint(geom)}"
            file, field, value = inst_file, "parcels.crs", src.crs
        elif geojson_default:
            why = "a GeoJSON without a `crs` member is read as WGS 84 degrees (EPSG:4326)"
            fix = (
                f"set parcels.crs in the instance to the system the layer was drawn in, {_projection_hint(geom)}; "
                "or export the layer again as GeoPackage, which records its system"
            )
            file, field, value = inst_file, "parcels.crs", None
        else:
            why = f"the layer declares {_crs_label(crs)}, in degrees"
            fix = (
                "assign the layer's true system in QGIS (Layer Properties > Source) and save it again, "
                f"{_projection_hint(geom)}"
            )
            file, field, value = where, "(coordinate system)", None
        raise InputError.one(
            file,
            field,
            f"the coordinates of {where} ({span}) are far outside +-180/+-90, so they are not degrees "
            f"(probably metres), but {why}",
            fix,
            value,
        )
    return geom, crs


def read_layer(path: Path, src, inst_file: str, file_field: str = "parcels.file") -> GisTable:
    """Read the parcel layer ``path`` for the instance's ``parcels`` section ``src``."""
    gpd, pyogrio = need_geo(inst_file, file_field, f"the GIS parcel layer {path}")
    file = str(path)
    try:
        layers = [str(x) for x in pyogrio.list_layers(path)[:, 0]]
    except Exception as exc:  # noqa: BLE001 - GDAL's errors come in many kinds
        raise InputError.one(
            file,
            "(file)",
            f"cannot be read as a GIS layer: {exc}",
            "open it in QGIS to check it, or export the layer again as GeoPackage",
        ) from None
    if not layers:
        raise InputError.one(file, "(file)", "the file has no layers", "export the parcel layer into it")
    if src.layer is not None and src.layer not in layers:
        raise InputError.one(
            inst_file,
            "parcels.layer",
            f"layer {src.layer!r} is not in {file}",
            f"use one of its layers: {layers}",
            src.layer,
        )
    layer = src.layer if src.layer is not None else layers[0]
    try:
        gdf = pyogrio.read_dataframe(path, layer=layer)
    except Exception as exc:  # noqa: BLE001
        raise InputError.one(
            file, f"layer {layer}", f"cannot be read: {exc}", "export the layer again as GeoPackage"
        ) from None
    where = f"{file}, layer {layer}" if len(layers) > 1 or src.layer else file
    if len(gdf) == 0:
        raise InputError.one(
            where,
            "(features)",
            "the layer has no features: there are no parcels to plan",
            "export the parcel polygons into it"
            + (
                f", or name the layer that holds them in parcels.layer (the file's layers: {layers})"
                if len(layers) > 1
                else ""
            ),
        )
    geom = gdf.geometry

    # ---- attribute mapping -------------------------------------------------
    attrs = [c for c in gdf.columns if c != gdf.geometry.name]
    frame = map_columns(pd.DataFrame(gdf[attrs]), src.columns, inst_file, where, "attribute")

    # ---- geometry ----------------------------------------------------------
    problems: list[Problem] = []
    ids = frame["id"].astype(str) if "id" in frame.columns else pd.Series([str(i + 1) for i in range(len(frame))])
    missing = geom.isna() | geom.is_empty
    polygonal = geom.geom_type.isin(["Polygon", "MultiPolygon"])
    for i in np.flatnonzero((missing | ~polygonal).to_numpy()):
        kind = "no geometry" if missing.iloc[i] else f"a {geom.geom_type.iloc[i]}, not a polygon"
        problems.append(
            Problem(
                where,
                f"feature {i + 1} (parcel {ids.iloc[i]!r}), geometry",
                f"the parcel has {kind}",
                "draw the parcel as a polygon, or remove the feature",
            )
        )
    if not problems:
        invalid = ~geom.is_valid
        for i in np.flatnonzero(invalid.to_numpy())[:LIST_AT_MOST]:
            problems.append(
                Problem(
                    where,
                    f"feature {i + 1} (parcel {ids.iloc[i]!r}), geometry",
                    "invalid polygon (self-intersecting or badly nested rings)",
                    "repair it, e.g. in QGIS: Vector > Geometry Tools > Fix Geometries",
                )
            )
        if invalid.sum() > LIST_AT_MOST:
            problems.append(
                Problem(
                    where,
                    "geometry",
                    f"{int(invalid.sum()) - LIST_AT_MOST} more invalid polygons",
                    "repair them, e.g. in QGIS: Vector > Geometry Tools > Fix Geometries",
                )
            )
    if problems:
        raise InputError(problems)

    # ---- coordinate system and area -----------------------------------------
    has_area = "area" in frame.columns
    geom, source = _source_crs(path, geom, src, inst_file, where)
    crs = geom.crs
    measured_in = ""
    if src.area_crs is not None:
        target = _parse_crs(src.area_crs, inst_file, "parcels.area_crs")
        if not target.is_projected:
            raise InputError.one(
                inst_file,
                "parcels.area_crs",
                f"{target.name} is not projected: areas need metres",
                "give a projected system, e.g. " + suggest_projection(geom),
                src.area_crs,
            )
        if crs is None:
            raise InputError.one(
                where,
                "(coordinate system)",
                "the layer has no coordinate system, so it cannot be projected to parcels.area_crs",
                "set parcels.crs in the instance to the system the layer was drawn in (e.g. EPSG:4546), "
                "or assign it in QGIS (Layer Properties > Source) and save the layer again",
            )
        geom = geom.to_crs(target)
        measured_in = _crs_label(target)
    elif crs is None:
        raise InputError.one(
            where,
            "(coordinate system)",
            "the layer has no coordinate system: its areas and shared boundaries cannot be measured",
            "set parcels.crs in the instance to the system the layer was drawn in (e.g. EPSG:4546 for "
            "CGCS2000 / 3-degree Gauss-Kruger CM 111E), or assign it in QGIS (Layer Properties > Source) and "
            "save the layer again",
        )
    elif not crs.is_projected:
        code, proj = projection_for(geom)
        if not has_area:
            raise InputError.one(
                where,
                "(coordinate system)",
                f"the layer is in geographic coordinates ({crs.name}, degrees) and has no area attribute, "
                "so parcel areas cannot be measured",
                (
                    f"set parcels.area_crs: {code} in the instance (that is {proj})"
                    if code
                    else f"set parcels.area_crs in the instance to a projected system: {proj}"
                )
                + ", reproject the layer to it, or map an area attribute in parcels.columns",
            )
        if code is None:
            raise InputError.one(
                where,
                "(coordinate system)",
                f"the layer is in geographic coordinates ({crs.name}, degrees) and no projected system "
                "could be chosen to measure its boundaries and areas in",
                "set parcels.area_crs in the instance to the layer's UTM or Gauss-Kruger zone, "
                "or reproject the layer to it",
            )
        # metres for the boundary lengths and the area check: the named projection
        geom = geom.to_crs(code)
        measured_in = _crs_label(geom.crs)
    unit = geom.crs.axis_info[0].unit_name if geom.crs.axis_info else "metre"
    if unit not in ("metre", "meter"):
        raise InputError.one(
            where,
            "(coordinate system)",
            f"the projected system {geom.crs.name} measures in {unit}, not metres",
            "reproject the layer to a system in metres (e.g. the UTM or Gauss-Kruger zone), or set parcels.area_crs",
        )
    geometric_ha = geom.area.to_numpy(dtype=float) / M2_PER_HA
    warnings: list[Problem] = []
    slipped_to: str | None = None
    if has_area:
        stated = to_numbers(frame["area"])[0].to_numpy(dtype=float)
        stated_ha = stated / AREA_UNITS_PER_HA[src.area_unit]
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = np.abs(stated_ha - geometric_ha) / geometric_ha
        bad = np.flatnonzero(np.nan_to_num(rel, nan=0.0) > src.area_tolerance)
        slip = unit_slip(stated_ha, geometric_ha, src.area_unit)
        if slip is not None:
            # one warning for the table; the parcels that fit the other unit are not listed
            other, factor, fit = slip
            slipped_to = other
            n_known = int((np.isfinite(stated_ha) & (stated_ha > 0) & (geometric_ha > 0)).sum())
            attr = src.columns.get("area", "area")
            warnings.append(
                Problem(
                    inst_file,
                    "parcels.area_unit",
                    f"the stated areas ({where}, attribute {attr}) of {int(fit.sum()):,} of {n_known:,} parcels are "
                    f"{_times(factor)} times their geometry's"
                    f"{f' (measured in {measured_in})' if measured_in else ''}: the parcels add up to "
                    f"{np.nansum(stated):,.1f} {src.area_unit} as stated"
                    f"{f' ({np.nansum(stated_ha):,.1f} ha)' if src.area_unit != 'ha' else ''} against "
                    f"{geometric_ha.sum():,.1f} ha drawn, so the attribute looks like it is in {other}, "
                    f"not {src.area_unit}; the stated areas are used",
                    f"set parcels.area_unit: {other} in the instance ({UNIT_WORDS[other]}), "
                    "or check the area attribute",
                    src.area_unit,
                )
            )
            bad = bad[~fit[bad]]
        for i in bad[:LIST_AT_MOST]:
            warnings.append(
                Problem(
                    where,
                    f"feature {i + 1} (parcel {ids.iloc[i]!r}), {src.columns.get('area', 'area')}",
                    f"stated area {stated_ha[i]:,.4f} ha differs from the geometry's "
                    f"{geometric_ha[i]:,.4f} ha{f' (measured in {measured_in})' if measured_in else ''} "
                    f"by {rel[i]:.1%} (tolerance {src.area_tolerance:.1%}); "
                    "the stated area is used",
                    "check the area attribute, its unit (parcels.area_unit) or the polygon",
                    stated[i],
                )
            )
        if len(bad) > LIST_AT_MOST:
            warnings.append(
                Problem(
                    where,
                    src.columns.get("area", "area"),
                    f"{len(bad) - LIST_AT_MOST} more parcels' stated "
                    f"areas differ from their geometry by more than {src.area_tolerance:.1%}",
                    "check the area attribute, its unit (parcels.area_unit) or the polygons",
                )
            )
    else:
        frame["area"] = geometric_ha * AREA_UNITS_PER_HA[src.area_unit]
    geometry = gpd.GeoSeries(geom.to_numpy(), crs=geom.crs)
    # plan.gpkg writes its layers back in the layer's own system (planner.report.gpkg)
    geometry.attrs[SOURCE_CRS] = source
    geometry.attrs[MEASURED_IN] = measured_in or _crs_label(geom.crs)
    return GisTable(
        frame.reset_index(drop=True),
        geometry,
        geom.crs,
        not has_area,
        geometric_ha,
        warnings,
        source,
        measured_in or _crs_label(geom.crs),
        slipped_to,
    )
