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
cells and not ``P``: see :func:`expected_pairs`."""

from __future__ import annotations

from typing import Any

from geohelpers import X0, Y0

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
