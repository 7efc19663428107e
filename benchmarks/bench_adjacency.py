"""Neighbour computation on large parcel layers: how long ``planner.instance.adjacency``
takes with and without the boundary tolerance, on a layer whose neighbours share vertices
exactly (noded, as a generated or topology-cleaned layer) and one whose do not (every inner
boundary leaves a 0.1 m gap or a 0.2 m overlap, as hand-digitised or reprojected layers).

    python benchmarks/bench_adjacency.py                    # 10,000 and 100,000 parcels
    python benchmarks/bench_adjacency.py --sizes 1000       # a quick run

Each layer is a square grid of 100 m x 80 m cells, so the true neighbour pairs are known:
``2 * n - cols - rows`` for ``n = cols * rows`` cells. The script checks the count found
against it and prints seconds per configuration (best of ``--repeat``)."""

from __future__ import annotations

import argparse
import math
import platform
import time

import numpy as np


def grid(n: int, noded: bool):
    """A GeoSeries of about ``n`` cells (a square grid) in EPSG:4546 metres, and its shape."""
    import geopandas as gpd
    import shapely

    cols = int(math.ceil(math.sqrt(n)))
    rows = int(math.ceil(n / cols))
    c, r = np.meshgrid(np.arange(cols), np.arange(rows), indexing="ij")
    c, r = c.ravel(), r.ravel()
    x0, y0, w, h = 38_400_000.0, 3_000_000.0, 100.0, 80.0
    lo_x, hi_x = x0 + c * w, x0 + (c + 1) * w
    lo_y, hi_y = y0 + r * h, y0 + (r + 1) * h
    if not noded:  # alternate a 0.1 m gap and a 0.2 m overlap along every inner line

        def shift(k, other):
            gap = (k + other) % 2 == 1
            return np.where(gap, 0.05, -0.1)

        lo_x = lo_x + np.where(c > 0, shift(c, r), 0.0)
        hi_x = hi_x - np.where(c < cols - 1, shift(c + 1, r), 0.0)
        lo_y = lo_y + np.where(r > 0, shift(r + 1, c), 0.0)
        hi_y = hi_y - np.where(r < rows - 1, shift(r + 2, c), 0.0)
    geoms = shapely.box(lo_x, lo_y, hi_x, hi_y)
    return gpd.GeoSeries(geoms, crs="EPSG:4546"), cols, rows


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args(argv)

    import shapely

    from planner.instance.adjacency import adjacency

    print(f"# {platform.machine()} Python {platform.python_version()} shapely {shapely.__version__}")
    print("| parcels | layer | tolerance m | pairs found | pairs expected | seconds |")
    print("|---|---|---|---|---|---|")
    for n in args.sizes:
        for noded in (True, False):
            geoms, cols, rows = grid(n, noded)
            ids = [f"p{k}" for k in range(len(geoms))]
            expected = 2 * cols * rows - cols - rows
            for tol in (0.0, 0.5):
                best, found = math.inf, -1
                for _ in range(args.repeat):
                    t = time.perf_counter()
                    found = len(adjacency(geoms, ids, tolerance_m=tol).pairs)
                    best = min(best, time.perf_counter() - t)
                kind = "noded" if noded else "not noded"
                print(f"| {len(geoms):,} | {kind} | {tol:g} | {found:,} | {expected:,} | {best:.2f} |", flush=True)


if __name__ == "__main__":
    main()
