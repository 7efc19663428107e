"""Village outlines and the colour of each use, the same in every map and file.

Village outlines are the village's parcels dissolved. A registry layer's neighbouring
parcels rarely share every vertex, so the dissolve leaves hair-thin holes where two
parcels leave a gap of a few centimetres; drawn, they scatter "village boundary"
fragments over the map. Gaps narrower than twice :data:`CLOSE_M` (holes and notches open
to the edge alike) are closed, then holes smaller than :data:`SLIVER_M2` are filled; real
holes (an enclave of another village, a lake left out of the layer) are far larger and kept.

Uses are coloured by their place in the valuation library, not by their rank in one
plan, so a use has the same colour in every report and map made with that library (and in
the QGIS styles of plan.gpkg). Land that keeps its cover is light grey
(:data:`UNCHANGED_COLOR`); a parcel of which only a share changes is drawn in its use's
colour mixed with that grey in proportion to the share (:func:`mix`), in the report's map
as in QGIS (``color_mix_rgb``).
"""

from __future__ import annotations

from typing import Any

SLIVER_M2 = 100.0  # holes below this (m2, in the layer's projected units) are gaps between parcels, filled
CLOSE_M = 0.5  # gaps narrower than twice this (m) are closed: the neighbour tolerance's default
OTHER_COLOR = "#8c564b"  # "other new uses", when a map has more uses than it can draw apart
UNCHANGED_COLOR = "#e4e4e4"  # land that keeps its cover


def fill_slivers(geom: Any, max_m2: float = SLIVER_M2) -> Any:
    """``geom`` (a polygon or multipolygon) with its interior rings smaller than
    ``max_m2`` filled."""
    import shapely  # the geo extra: only when the instance has geometry

    if geom is None or geom.is_empty:
        return geom
    parts = list(getattr(geom, "geoms", [geom]))
    kept = [shapely.Polygon(p.exterior, [r for r in p.interiors if shapely.Polygon(r).area >= max_m2]) for p in parts]
    return kept[0] if len(kept) == 1 and geom.geom_type == "Polygon" else shapely.MultiPolygon(kept)


def close_gaps(geom: Any, width_m: float = CLOSE_M) -> Any:
    """``geom`` with gaps narrower than ``2 * width_m`` closed (a morphological closing:
    grown by ``width_m``, then shrunk by it, with mitred corners so square corners stay square)."""
    if geom is None or geom.is_empty or width_m <= 0:
        return geom
    grown = geom.buffer(width_m, join_style="mitre", mitre_limit=10.0)
    return grown.buffer(-width_m, join_style="mitre", mitre_limit=10.0)


def village_outlines(parcels, by: str = "village"):
    """One outline per village: the GeoDataFrame ``parcels`` (in metres) dissolved by
    ``by``, with the hairline gaps between its parcels closed (:func:`close_gaps`) and the
    sliver holes filled (:func:`fill_slivers`). A layer in degrees is measured in its UTM
    zone for this and returned in degrees."""
    out = parcels[[by, "geometry"]].dissolve(by=by)
    crs = out.crs
    work = out if crs is None or crs.is_projected else out.to_crs(out.estimate_utm_crs())
    geoms = [fill_slivers(close_gaps(g)) for g in work.geometry]
    work = work.set_geometry(type(work.geometry)(geoms, index=work.index, crs=work.crs))
    return work if work.crs == crs else work.to_crs(crs)


def use_colors(library_uses: list[str]) -> dict[str, str]:
    """A fixed colour per use of the library, in the library's order (tab20 without its
    greys, then tab20b): the same use, the same colour, in every plan."""
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    palette = [colormaps["tab20"](i) for i in range(20) if i not in (14, 15)]  # greys are for "unchanged"
    palette += [colormaps["tab20b"](i) for i in range(20)]
    return {u: to_hex(palette[i % len(palette)]) for i, u in enumerate(library_uses)}


def mix(color: str, share: float, base: str = UNCHANGED_COLOR) -> tuple[float, float, float]:
    """``color`` mixed with ``base`` (RGB, 0-1): ``share`` 1 gives ``color``, 0 gives
    ``base``, in between the straight line, as QGIS's ``color_mix_rgb(base, color, share)``."""
    from matplotlib.colors import to_rgb

    s = min(max(float(share), 0.0), 1.0)
    c, b = to_rgb(color), to_rgb(base)
    return (b[0] + (c[0] - b[0]) * s, b[1] + (c[1] - b[1]) * s, b[2] + (c[2] - b[2]) * s)


def with_figure(label: str, figure: str, lang: str = "en") -> str:
    """``label (figure)``, with Chinese full-width brackets in ``zh``: ``生态林（13.0 公顷）``."""
    return f"{label}（{figure}）" if lang == "zh" else f"{label} ({figure})"
