"""Parcel adjacency from shared boundaries, and the connected groups the contiguity
rules use (village garden sites, villagers' holdings).

Two parcels are adjacent when their boundaries share a line of at least
``parcels.adjacency_min_shared_m`` metres; parcels touching at a corner only are not
(a garden or a stand of forest cannot continue through a point). Only
:func:`adjacency` needs geopandas; the graph functions work on plain frames.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import numpy as np
import pandas as pd

from planner.core.errors import Problem

#: Overlaps smaller than this (m2) are drawing noise, not a registry error.
OVERLAP_M2 = 1.0


def adjacency(geometry, ids: Iterable[str], min_shared_m: float = 1.0) -> tuple[pd.DataFrame, list[Problem]]:
    """Adjacent parcel pairs ``a < b`` with the length of boundary they share (m), and
    warnings for parcels that overlap (their area would be counted twice).

    ``geometry``: a GeoSeries in a projected system (metres), row-aligned with ``ids``."""
    import shapely

    ids = np.asarray(list(ids), dtype=object)
    geoms = geometry.to_numpy()
    left, right = geometry.sindex.query(geoms, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    bounds = shapely.boundary(geoms)
    shared = shapely.length(shapely.intersection(bounds[left], bounds[right]))
    overlap = shapely.area(shapely.intersection(geoms[left], geoms[right]))
    warnings = [
        Problem(
            "(parcel geometry)",
            f"parcels {ids[i]!r} and {ids[j]!r}",
            f"overlap by {o:,.0f} m2: their area is counted twice",
            "fix the boundaries so that parcels do not overlap (QGIS: Vector > Geometry Tools > "
            "Check Validity, or the Topology Checker)",
        )
        for i, j, o in zip(left, right, overlap)
        if o > OVERLAP_M2
    ]
    adj = shared >= min_shared_m
    a, b = ids[left[adj]], ids[right[adj]]
    swap = a > b
    a, b = np.where(swap, b, a), np.where(swap, a, b)
    out = pd.DataFrame({"a": a.astype(object), "b": b.astype(object), "shared_m": shared[adj].astype(float)})
    return out.sort_values(["a", "b"]).reset_index(drop=True), warnings


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


def carbon_holdings(li) -> dict[str, list[str]]:
    """:func:`holdings` of the parcels whose cover can carry a carbon-sequestration forest
    (an enabled use flagged ``forestry_carbon`` that counts as forest), for the loaded
    instance ``li``; empty without parcel geometry."""
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
    return holdings(pr, li.adjacency, pr.loc[pr["cover"].isin(covers), "id"])
