"""Parcel layers drawn as real registry layers are: neighbours that do not share vertices.

``grid_layer()`` lays out ``cols x rows`` cells of 100 m x 80 m (id ``c{col}r{row}``). No
two cells share a boundary line exactly: along each inner boundary, the two cells either
leave a gap of 0.1 m or overlap by 0.2 m (alternating), and each cell's edges carry extra
vertices at positions its neighbour's do not (non-noded). Extras, each optional:

- ``E``: an enclave, a 20 m square inside a hole of ``c1r1`` with a 0.1 m gap all round;
- ``M``: a multipart parcel, two 30 m squares 0.1 m below ``c0r0`` and below the last
  column's bottom cell (they are far apart: a bridge);
- ``P``: a 20 m square that meets the top-right cell only at a corner (0.05 m apart).

By construction the neighbours are the grid's four-neighbours (shared stretches of about
80 m and 100 m), ``E`` with ``c1r1``, ``M`` with both cells above its parts; no diagonal
cells and not ``P``: see :func:`expected_pairs`.

``write_set(directory)`` writes the grid as a county bureau hands a registry layer over,
and an instance for it: two villages (columns 0-1 东村, 2-3 西村), a survey-coded attribute
table (BSM ids, DLBM GB/T 21010-2017 codes with DLMC names, CUN villages, TBMJ areas in m2),
once in CGCS2000 Gauss-Kruger metres (EPSG:4546) and once in CGCS2000 degrees (EPSG:4490).
Run it to look at the layers in QGIS::

    python tests/realistic_layers.py out/registry_layers
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from geohelpers import X0, Y0, write_geo_instance
from helpers import P

W, H = 100.0, 80.0
GAP, OVERLAP = 0.1, 0.2


def _offsets(kind_gap: bool) -> tuple[float, float]:
    """(end of the lower/left cell, start of the upper/right cell) relative to the line."""
    return (-GAP / 2, GAP / 2) if kind_gap else (OVERLAP / 2, -OVERLAP / 2)


def _edge(p, q, fractions):
    """Points from p towards q (q excluded) with extra vertices at the given fractions."""
    (x0, y0), (x1, y1) = p, q
    return [p] + [(x0 + f * (x1 - x0), y0 + f * (y1 - y0)) for f in fractions]


def _cell(x0: float, x1: float, y0: float, y1: float, odd: bool, hole=None):
    import shapely

    fr = (0.3, 0.55) if odd else (0.2, 0.7)
    corners = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
    ring = []
    for k in range(4):
        ring += _edge(corners[k], corners[(k + 1) % 4], fr)
    return shapely.Polygon(ring, holes=[hole] if hole is not None else None)


def grid_layer(
    cols: int = 4, rows: int = 3, *, enclave: bool = True, multipart: bool = True, point: bool = True
) -> dict[str, Any]:
    """id -> polygon in EPSG:4546 metres (see the module docstring)."""
    import shapely

    out: dict[str, Any] = {}
    for c in range(cols):
        for r in range(rows):
            # inner vertical line i between columns i-1 and i: gap when i + r is odd
            x0 = X0 + c * W + (_offsets((c + r) % 2 == 1)[1] if c > 0 else 0.0)
            x1 = X0 + (c + 1) * W + (_offsets((c + 1 + r) % 2 == 1)[0] if c < cols - 1 else 0.0)
            # inner horizontal line j between rows j-1 and j: gap when j + c is even
            y0 = Y0 + r * H + (_offsets((r + c) % 2 == 0)[1] if r > 0 else 0.0)
            y1 = Y0 + (r + 1) * H + (_offsets((r + 1 + c) % 2 == 0)[0] if r < rows - 1 else 0.0)
            hole = None
            if enclave and (c, r) == (1, 1):
                cx, cy = X0 + 1.5 * W, Y0 + 1.5 * H
                hole = [(cx - 10.1, cy - 10.1), (cx + 10.1, cy - 10.1), (cx + 10.1, cy + 10.1), (cx - 10.1, cy + 10.1)]
            out[f"c{c}r{r}"] = _cell(x0, x1, y0, y1, (c + r) % 2 == 1, hole)
    if enclave:
        cx, cy = X0 + 1.5 * W, Y0 + 1.5 * H
        out["E"] = _cell(cx - 10, cx + 10, cy - 10, cy + 10, True)
    if multipart:
        last = X0 + (cols - 1) * W
        out["M"] = shapely.MultiPolygon(
            [
                _cell(X0 + 10, X0 + 40, Y0 - 30.1, Y0 - 0.1, False),
                _cell(last + 10, last + 40, Y0 - 30.1, Y0 - 0.1, True),
            ]
        )
    if point:
        x, y = X0 + cols * W + 0.05, Y0 + rows * H + 0.05
        out["P"] = shapely.box(x, y, x + 20, y + 20)
    return out


def expected_pairs(cols: int = 4, rows: int = 3, *, enclave=True, multipart=True) -> set[tuple[str, str]]:
    """The neighbour pairs by construction (sorted ids)."""
    pairs = set()
    for c in range(cols):
        for r in range(rows):
            if c + 1 < cols:
                pairs.add(tuple(sorted((f"c{c}r{r}", f"c{c + 1}r{r}"))))
            if r + 1 < rows:
                pairs.add(tuple(sorted((f"c{c}r{r}", f"c{c}r{r + 1}"))))
    if enclave:
        pairs.add(("E", "c1r1"))
    if multipart:
        pairs |= {("M", "c0r0"), ("M", f"c{cols - 1}r0")}
    return pairs


#: Survey classes of the set: (code, name); everything else is 0404 其他草地 (other grassland).
MINE = ("0602", "采矿用地")  # mining land -> reclaimed_mine
GRASS = ("0404", "其他草地")
FOREST = ("0301K", "可调整乔木林地")  # a working class: arbor forest -> forest
#: c2r1 and c3r1: mining land, joined across a non-noded boundary (an overlap crossing);
#: c0r2: arbor forest (working class); E: other grassland.
CLASSES = {"c2r1": MINE, "c3r1": MINE, "c0r2": FOREST}
COLUMNS = {"id": "BSM", "cover": "DLBM", "village": "CUN", "area": "TBMJ"}


def write_set(directory: Path | str, crs: str = "EPSG:4546", cols: int = 4, rows: int = 3, **extra: Any) -> Path:
    """The registry set (see the module docstring) in ``crs``; returns the instance path.
    The grid keeps its enclave and corner parcel; no multipart (it is tested on its own:
    with the contiguity rules on, it is refused). ``extra``: more keys for the instance
    (``policies``, ``uses``, ``parcels_extra``)."""
    import shapely

    geoms = grid_layer(cols, rows, multipart=False)
    parcels = []
    for pid, g in geoms.items():
        code, name = CLASSES.get(pid, GRASS)
        col = int(pid[1]) if pid.startswith("c") else (1 if pid == "E" else cols - 1)
        village = "东村" if col < cols // 2 else "西村"
        parcels.append(P(pid, code, round(shapely.area(g), 2), village=village, DLMC=name))
    extra.setdefault("uses", ["garden_shrub"])
    parcels_extra = {"cover_classes": "gbt21010", **extra.pop("parcels_extra", {})}
    return write_geo_instance(
        Path(directory), parcels, geoms, crs=crs, area_unit="m2", columns=COLUMNS, parcels_extra=parcels_extra, **extra
    )


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "out/registry_layers")
    for name, crs in (("gauss_kruger", "EPSG:4546"), ("degrees", "EPSG:4490")):
        print(write_set(out / name, crs))
