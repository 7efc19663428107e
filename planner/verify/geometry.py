"""The verifier's own reading of the map: which of a few parcels form one connected site.

The model's contiguity rows use the neighbour list the loader computed
(:mod:`planner.instance.adjacency`); checking a plan against that same list would only
check the model against itself. Here every polygon part of the parcels in question is a
node of its own (so the parts of a multipart parcel are connected only where they meet),
and two parts are linked when the length of one's boundary that runs within
``parcels.adjacency_tolerance_m`` of the other's, less the tolerance at each end, is at
least ``parcels.adjacency_min_shared_m``: pair by pair with plain shapely operations, no
spatial index, no precomputed list. :func:`bridges` measures, on the same polygons, how
far a garden joining two parcels through a third must reach across it.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import combinations
from typing import Any

import pandas as pd


def _parts(geom: Any) -> list[Any]:
    return [g for g in getattr(geom, "geoms", [geom]) if not g.is_empty]


def _shared_m(a: Any, b: Any, tolerance_m: float) -> float:
    """Length of ``a``'s boundary within ``tolerance_m`` of ``b``'s, less the tolerance at
    both ends (a corner contact shares nothing)."""
    import shapely  # the geo extra: only when the instance has geometry

    if tolerance_m <= 0:
        return float(shapely.intersection(a.boundary, b.boundary).length)
    near = shapely.intersection(a.boundary, b.boundary.buffer(tolerance_m)).length
    return max(0.0, float(near) - 2 * tolerance_m)


def connected_sites(geoms: dict[str, Any], tolerance_m: float, min_shared_m: float) -> list[list[str]]:
    """The parcels of ``geoms`` {parcel id: polygon} grouped into connected sites, each a
    sorted list of parcel ids; a parcel whose parts lie on two sites is on both."""
    nodes = [(pid, part) for pid, geom in geoms.items() for part in _parts(geom)]
    root = list(range(len(nodes)))

    def find(i: int) -> int:
        while root[i] != i:
            root[i] = root[root[i]]
            i = root[i]
        return i

    for i in range(len(nodes)):
        for j in range(i + 1, len(nodes)):
            a, b = nodes[i][1], nodes[j][1]
            if a.distance(b) > tolerance_m:
                continue
            if min(_shared_m(a, b, tolerance_m), _shared_m(b, a, tolerance_m)) >= min_shared_m:
                root[find(i)] = find(j)
    groups: dict[int, set[str]] = {}
    for i, (pid, _) in enumerate(nodes):
        groups.setdefault(find(i), set()).add(pid)
    return sorted(sorted(g) for g in groups.values())


def sites_of(li, parcels: Iterable[str]) -> list[list[str]]:
    """:func:`connected_sites` of ``parcels`` on the instance's map, with its tolerance and
    minimum shared length."""
    geom = li.geometry
    src = li.instance.parcels
    ids = list(dict.fromkeys(str(p) for p in parcels))
    return connected_sites({p: geom.loc[p] for p in ids}, src.adjacency_tolerance_m, src.adjacency_min_shared_m)


def bridges(geoms: dict[str, Any], tolerance_m: float, min_shared_m: float) -> list[tuple[str, str, str, float]]:
    """Among the parcels of ``geoms`` {parcel id: polygon}, each parcel ``p`` with two
    neighbours ``q < r`` (by the rule of :func:`connected_sites`) and the distance in metres
    between the stretch of ``p``'s boundary along ``q`` and the stretch along ``r``: how far
    a site joining ``q`` and ``r`` through ``p`` reaches across ``p``, with the tolerance
    added back at both ends (as :func:`_shared_m` takes it off). Only positive gaps."""
    import shapely  # the geo extra: only when the instance has geometry

    ids = sorted(geoms)
    near: dict[str, list[str]] = {p: [] for p in ids}
    for a, b in combinations(ids, 2):
        ga, gb = geoms[a], geoms[b]
        if ga.distance(gb) > tolerance_m:
            continue
        if min(_shared_m(ga, gb, tolerance_m), _shared_m(gb, ga, tolerance_m)) >= min_shared_m:
            near[a].append(b)
            near[b].append(a)
    out = []
    for p in ids:
        ring = geoms[p].boundary
        along = {q: shapely.intersection(ring, geoms[q].boundary.buffer(max(tolerance_m, 1e-6))) for q in near[p]}
        for q, r in combinations(near[p], 2):
            gap = float(along[q].distance(along[r]))
            if gap > 0:  # each stretch runs the tolerance past the shared line's ends
                out.append((p, q, r, gap + 2 * tolerance_m))
    return out


def bridges_of(li, parcels: Iterable[str]) -> list[tuple[str, str, str, float]]:
    """:func:`bridges` of ``parcels`` on the instance's map."""
    geom = li.geometry
    src = li.instance.parcels
    ids = list(dict.fromkeys(str(p) for p in parcels))
    return bridges({p: geom.loc[p] for p in ids}, src.adjacency_tolerance_m, src.adjacency_min_shared_m)


def holder_edges(li) -> pd.DataFrame:
    """Neighbour pairs (columns ``a``, ``b``) among the parcels of each villager, measured on
    the map pair by pair (:func:`connected_sites`): the holdings the carbon check needs,
    without the loader's neighbour list."""
    pr = li.parcels
    if "owner" not in pr.columns:
        return pd.DataFrame(columns=["a", "b"])
    sel = pr[(pr["ownership"] == "individual") & (pr["owner"].astype(str).str.strip() != "")]
    src = li.instance.parcels
    rows = []
    for _, g in sel.groupby(["village", "owner"], sort=True):
        for a, b in combinations(g["id"].astype(str).tolist(), 2):
            pair = {a: li.geometry.loc[a], b: li.geometry.loc[b]}
            if len(connected_sites(pair, src.adjacency_tolerance_m, src.adjacency_min_shared_m)) == 1:
                rows.append((a, b))
    return pd.DataFrame(rows, columns=["a", "b"])
