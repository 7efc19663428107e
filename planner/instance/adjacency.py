"""Parcel adjacency from shared boundaries, and the connected groups the contiguity
rules use (village garden sites, villagers' holdings).

Two parcels are adjacent when their boundaries run within ``parcels.adjacency_tolerance_m``
of each other for at least ``parcels.adjacency_min_shared_m`` metres. The tolerance
absorbs what real layers carry: neighbours digitised by hand or reprojected do not share
vertices, so their boundaries leave hairline gaps and small overlaps. The shared length
of a pair is measured on each parcel's boundary: the stretches of it within the tolerance
of the other's boundary, each shortened by twice the tolerance (what the tolerance adds
at the two ends of a stretch; a closed ring, an enclave's, keeps its length), and the
smaller of the two sides. Parcels touching at a corner therefore share nothing (a garden
or a stand of forest cannot continue through a point). Only :func:`adjacency` needs
shapely; the graph functions work on plain frames.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import NamedTuple

import numpy as np
import pandas as pd

from planner.core.errors import Problem, first_problems

#: Overlaps smaller than this (m2) are drawing noise, not a registry error.
OVERLAP_M2 = 1.0
#: Two parcels whose common area is at least this share of each one's area are the same
#: land drawn twice (a duplicate geometry under a new id): an error.
DUPLICATE_SHARE = 0.99
#: The default of ``parcels.adjacency_tolerance_m`` (m).
TOLERANCE_M = 0.5
_GEOMETRY = "(parcel geometry)"
_FIX_OVERLAP = (
    "fix the boundaries so that parcels do not overlap (QGIS: Vector > Geometry Tools > Check Validity, "
    "or the Topology Checker)"
)


class Neighbours(NamedTuple):
    """What :func:`adjacency` finds."""

    #: Adjacent pairs ``a < b`` with the length of boundary they share (``shared_m``).
    pairs: pd.DataFrame
    #: Overlaps beyond the tolerance (their area counts twice), capped per kind.
    warnings: list[Problem]
    #: Duplicate or near-duplicate geometries under different ids.
    errors: list[Problem]
    #: Multipart parcels whose parts do not connect (within the tolerance): a contiguous
    #: site could use them as a bridge. The loader refuses them when a contiguity rule is on.
    disconnected: list[Problem]


def _candidates(geoms: np.ndarray, tol: float) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs ``i < j`` of geometries within ``tol`` of each other (an STRtree query)."""
    import shapely

    tree = shapely.STRtree(geoms)
    if tol > 0:
        left, right = tree.query(geoms, predicate="dwithin", distance=tol)
    else:
        left, right = tree.query(geoms, predicate="intersects")
    keep = left < right
    return left[keep], right[keep]


def _stretches(lines: np.ndarray, tol: float) -> np.ndarray:
    """Per element of ``lines`` (pieces of a boundary near another), the summed length of
    its connected stretches, each less ``2 * tol`` (not below 0) unless it is a closed ring."""
    import shapely

    out = np.zeros(len(lines))
    if not len(lines):
        return out
    parts, idx = shapely.get_parts(lines, return_index=True)
    line = np.isin(shapely.get_type_id(parts), (1, 2))  # LineString, LinearRing (not points)
    if not line.any():
        return out
    merged = shapely.multilinestrings(parts[line], indices=idx[line], out=np.empty(len(lines), dtype=object))
    merged = shapely.line_merge(merged)
    pieces, pidx = shapely.get_parts(merged, return_index=True)
    length = shapely.length(pieces)
    keep = np.where(shapely.is_closed(pieces), length, np.maximum(length - 2 * tol, 0.0))
    return np.bincount(pidx, weights=keep, minlength=len(lines))


def _shared(geoms: np.ndarray, left: np.ndarray, right: np.ndarray, tol: float, min_shared_m: float) -> np.ndarray:
    """Shared boundary length (m) of each pair (``left[k]``, ``right[k]``), as in the module
    docstring; with ``tol`` 0, the length of the boundaries' common line.

    Pairs whose boundaries already share at least ``min_shared_m`` of line exactly (noded
    layers: generated, or cleaned in a topology tool) keep that length and skip the
    tolerance computation, which cannot find less: each exactly shared stretch lies within
    the tolerance and extends by at least ``tol`` at both ends, which the correction removes."""
    import shapely

    bounds = shapely.boundary(geoms)
    exact = shapely.length(shapely.intersection(bounds[left], bounds[right]))
    if tol <= 0:
        return exact
    shared = exact.copy()
    rest = np.flatnonzero(exact < min_shared_m)
    if not len(rest):
        return shared
    left, right = left[rest], right[rest]
    used = np.unique(np.concatenate([left, right]))
    zone = np.empty(len(geoms), dtype=object)
    zone[used] = shapely.buffer(bounds[used], tol, quad_segs=4)
    near = _stretches(shapely.intersection(bounds[left], zone[right]), tol)
    # the other side only where this one leaves something to share
    some = near > 0
    near[some] = np.minimum(near[some], _stretches(shapely.intersection(bounds[right[some]], zone[left[some]]), tol))
    shared[rest] = near
    return shared


def adjacency(
    geometry,
    ids: Iterable[str],
    min_shared_m: float = 1.0,
    tolerance_m: float = TOLERANCE_M,
    source: str = _GEOMETRY,
) -> Neighbours:
    """Adjacent parcel pairs and the geometry problems found on the way (:class:`Neighbours`).

    ``geometry``: a GeoSeries in a projected system (metres), row-aligned with ``ids``;
    ``source``: the layer's file, named in the problems.
    All steps are vectorised (an STRtree query, then shapely on arrays of pairs)."""
    import shapely

    ids = np.asarray(list(ids), dtype=object)
    geoms = np.asarray(geometry.to_numpy(), dtype=object)
    tol = float(tolerance_m)
    left, right = _candidates(geoms, tol)
    shared = _shared(geoms, left, right, tol, min_shared_m)
    adj = shared >= min_shared_m

    # overlaps: common area, and whether it is thicker than the tolerance
    # (only pairs whose interiors meet: a relate is cheaper than an intersection)
    shapely.prepare(geoms)
    meet = np.flatnonzero(shapely.relate_pattern(geoms[left], geoms[right], "T********"))
    inter = np.full(len(left), None, dtype=object)
    inter[meet] = shapely.intersection(geoms[left[meet]], geoms[right[meet]])
    overlap = np.nan_to_num(shapely.area(inter))
    area = shapely.area(geoms)
    duplicate = overlap >= DUPLICATE_SHARE * np.maximum(area[left], area[right])
    big = (overlap > OVERLAP_M2) & ~duplicate
    if tol > 0 and big.any():
        thick = np.zeros(len(big), dtype=bool)
        thick[big] = ~shapely.is_empty(shapely.buffer(inter[big], -tol / 2, quad_segs=2))
        big &= thick
    adj &= ~duplicate

    errors = first_problems(
        np.flatnonzero(duplicate),
        int(duplicate.sum()),
        lambda k: Problem(
            source,
            f"parcels {ids[left[k]]!r} and {ids[right[k]]!r}",
            f"the same land drawn twice: they have {overlap[k]:,.0f} m2 in common, at least "
            f"{DUPLICATE_SHARE:.0%} of each; their area would be counted twice",
            "delete one of the two features, or redraw it if it is a different parcel",
        ),
    )
    warnings: list[Problem] = []
    for treated, sel in (("adjacent", big & adj), ("not adjacent", big & ~adj)):
        warnings += first_problems(
            np.flatnonzero(sel),
            int(sel.sum()),
            lambda k, treated=treated: Problem(
                source,
                f"parcels {ids[left[k]]!r} and {ids[right[k]]!r}",
                f"overlap by {overlap[k]:,.0f} m2, more than the {tol:g} m tolerance wide: their area is counted "
                f"twice; the planner treats them as {treated}",
                _FIX_OVERLAP,
            ),
        )

    a, b = ids[left[adj]], ids[right[adj]]
    swap = a > b
    a, b = np.where(swap, b, a), np.where(swap, a, b)
    out = pd.DataFrame({"a": a.astype(object), "b": b.astype(object), "shared_m": shared[adj].astype(float)})
    out = out.sort_values(["a", "b"]).reset_index(drop=True)
    return Neighbours(out, warnings, errors, _disconnected(geoms, ids, min_shared_m, tol, source))


def _disconnected(geoms: np.ndarray, ids: np.ndarray, min_shared_m: float, tol: float, source: str) -> list[Problem]:
    """Multipart parcels whose parts are not all connected, under the same neighbour rule
    as parcels (boundaries within ``tol`` for at least ``min_shared_m``)."""
    import shapely

    multi = np.flatnonzero(shapely.get_num_geometries(geoms) > 1)
    if not len(multi):
        return []
    parts, owner = shapely.get_parts(geoms[multi], return_index=True)
    left, right = _candidates(parts, tol)
    same = owner[left] == owner[right]
    left, right = left[same], right[same]
    linked = _shared(parts, left, right, tol, min_shared_m) >= min_shared_m
    edges = pd.DataFrame({"a": left[linked], "b": right[linked]})
    # edges join parts of one parcel only, so each component lies within one parcel
    firsts = [c[0] for c in components(range(len(parts)), edges)]
    pieces = np.bincount(owner[firsts], minlength=len(multi))
    bad = [(int(multi[m]), int(pieces[m])) for m in np.flatnonzero(pieces > 1)]
    return first_problems(
        range(len(bad)),
        len(bad),
        lambda k: Problem(
            source,
            f"parcel {ids[bad[k][0]]!r}",
            f"a multipart parcel in {bad[k][1]} separate pieces (not joined along {min_shared_m:g} m within "
            f"{tol:g} m): a village garden or a villager's holding could use it as a bridge between them",
            "split it into single parts, each with its own id and area (QGIS: Vector > Geometry Tools > "
            "Multipart to Singleparts, then renumber the copies), or set policies.contiguous_gardens and "
            "policies.contiguous_holdings to false",
        ),
    )


def components(nodes: Iterable[str], edges: pd.DataFrame | None) -> list[list[str]]:
    """Connected components of ``nodes`` under the edges (columns a, b) between them, in
    the nodes' order (each component listed in that order too)."""
    nodes = list(nodes)
    parent = {n: n for n in nodes}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    if edges is not None and len(edges):
        for a, b in zip(edges["a"].tolist(), edges["b"].tolist()):
            if a in parent and b in parent:
                ra, rb = find(a), find(b)
                if ra != rb:
                    parent[rb] = ra
    groups: dict[str, list[str]] = defaultdict(list)
    for n in nodes:
        groups[find(n)].append(n)
    return list(groups.values())


def arcs_within(nodes: Iterable[str], edges: pd.DataFrame | None) -> list[tuple[str, str]]:
    """The edges (a, b) with both ends among ``nodes``."""
    s = set(nodes)
    if edges is None or not len(edges):
        return []
    return [(a, b) for a, b in zip(edges["a"].tolist(), edges["b"].tolist()) if a in s and b in s]


def is_connected(nodes: Iterable[str], edges: pd.DataFrame | None) -> bool:
    nodes = list(nodes)
    return len(nodes) <= 1 or len(components(nodes, edges)) == 1


def holdings(parcels: pd.DataFrame, edges: pd.DataFrame | None, eligible: Iterable[str]) -> dict[str, list[str]]:
    """Villagers' holdings of two or more parcels: individually owned ``eligible`` parcels of
    one ``owner`` (same village) connected through shared boundaries. Keyed ``owner`` (or
    ``owner#k`` when a holder has several separate holdings); single parcels are not listed."""
    if edges is None or "owner" not in parcels.columns:
        return {}
    ok = set(eligible)
    sel = parcels[(parcels["ownership"] == "individual") & parcels["id"].isin(ok)]
    sel = sel[sel["owner"].astype(str).str.strip() != ""]
    out: dict[str, list[str]] = {}
    for (_v, owner), g in sel.groupby(["village", "owner"], sort=True):
        comps = [c for c in components(g["id"].tolist(), edges) if len(c) > 1]
        for k, c in enumerate(comps):
            key = owner if len(comps) == 1 else f"{owner}#{k + 1}"
            while key in out:  # one holder in two villages
                key = f"{key}@{_v}"
            out[key] = c
    return out


def carbon_holdings(li, edges: pd.DataFrame | None = None) -> dict[str, list[str]]:
    """:func:`holdings` of the parcels whose cover can carry a carbon-sequestration forest
    (an enabled use flagged ``forestry_carbon`` that counts as forest), for the loaded
    instance ``li``; empty without parcel geometry. ``edges``: the neighbour pairs to use
    (default: the instance's neighbour list; the verifier passes its own)."""
    if li.adjacency is None:
        return {}
    enabled = li.instance.uses
    canopy = li.instance.policies.forest_canopy_min
    covers = {
        c
        for u, use in li.library.uses.items()
        if use.forestry_carbon
        and use.forest
        and use.canopy_density >= canopy
        and (enabled.get(u) is None or enabled[u].enabled)
        for c in use.from_covers
    }
    pr = li.parcels
    return holdings(pr, li.adjacency if edges is None else edges, pr.loc[pr["cover"].isin(covers), "id"])


def bridge_gaps(geometry, arcs: Iterable[tuple[str, str]], tolerance_m: float = TOLERANCE_M) -> pd.DataFrame:
    """For each parcel ``p`` and each two of its neighbours ``q < r`` along ``arcs``, the
    distance (m) between the stretch of ``p``'s boundary it shares with ``q`` and the one it
    shares with ``r``: how far a site continuing through ``p`` from ``q`` to ``r`` must
    reach across ``p`` (0 where the two stretches meet). A stretch is ``p``'s boundary
    within ``tolerance_m`` of the neighbour's, which runs ``tolerance_m`` past each end of
    the shared line, so a positive distance is lengthened by twice the tolerance (as the
    shared length is shortened). Columns ``parcel``, ``a``, ``b``, ``gap_m``;
    only pairs whose gap is positive. ``geometry`` is indexed by parcel id, in metres."""
    import shapely  # the geo extra: only with parcel geometry

    nbrs: dict[str, set[str]] = defaultdict(set)
    for a, b in arcs:
        nbrs[a].add(b)
        nbrs[b].add(a)
    rows = []
    for p, ns in nbrs.items():
        if len(ns) < 2:
            continue
        ring = geometry.loc[p].boundary
        stretch = {q: shapely.intersection(ring, geometry.loc[q].boundary.buffer(max(tolerance_m, 1e-6))) for q in ns}
        order = sorted(ns)
        for i, q in enumerate(order):
            for r in order[i + 1 :]:
                gap = float(stretch[q].distance(stretch[r]))
                if gap > 0:
                    rows.append((p, q, r, gap + 2 * tolerance_m))
    return pd.DataFrame(rows, columns=["parcel", "a", "b", "gap_m"])
