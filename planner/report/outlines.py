"""Village outlines and the colour of each use, the same in every map and file.

Village outlines are the village's parcels dissolved. A registry layer's neighbouring
parcels rarely share every vertex, so the dissolve leaves hair-thin holes where two
parcels leave a gap of a few centimetres; drawn, they scatter "village boundary"
fragments over the map. Holes smaller than :data:`SLIVER_M2` are filled; real holes (an
enclave of another village, a lake left out of the layer) are far larger and kept.

Uses are coloured by their place in the valuation library, not by their rank in one
plan, so a use has the same colour in every report and map made with that library.
"""

from __future__ import annotations

from typing import Any

SLIVER_M2 = 100.0  # holes below this (m2, in the layer's projected units) are gaps between parcels, filled
OTHER_COLOR = "#8c564b"  # "other new uses", when a map has more uses than it can draw apart


def fill_slivers(geom: Any, max_m2: float = SLIVER_M2) -> Any:
    """``geom`` (a polygon or multipolygon) with its interior rings smaller than
    ``max_m2`` filled."""
    import shapely  # the geo extra: only when the instance has geometry

    if geom is None or geom.is_empty:
        return geom
    parts = list(getattr(geom, "geoms", [geom]))
    kept = [shapely.Polygon(p.exterior, [r for r in p.interiors if shapely.Polygon(r).area >= max_m2]) for p in parts]
    return kept[0] if len(kept) == 1 and geom.geom_type == "Polygon" else shapely.MultiPolygon(kept)


def village_outlines(parcels, by: str = "village"):
    """One outline per village: the GeoDataFrame ``parcels`` dissolved by ``by``, with the
    sliver holes between parcels filled (:func:`fill_slivers`); a degree layer keeps
    its holes (areas in degrees are not m2)."""
    out = parcels[[by, "geometry"]].dissolve(by=by)
    crs = out.crs
    if crs is None or crs.is_projected:
        out["geometry"] = [fill_slivers(g) for g in out.geometry]
    return out


def use_colors(library_uses: list[str]) -> dict[str, str]:
    """A fixed colour per use of the library, in the library's order (tab20 without its
    greys, then tab20b): the same use, the same colour, in every plan."""
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    palette = [colormaps["tab20"](i) for i in range(20) if i not in (14, 15)]  # greys are for "unchanged"
    palette += [colormaps["tab20b"](i) for i in range(20)]
    return {u: to_hex(palette[i % len(palette)]) for i, u in enumerate(library_uses)}
