"""Counties: the decomposed and the monolithic solve of a generated county, in one run.

    python benchmarks/bench_county.py --townships 18 --parcels 100000      # the issue's county
    python benchmarks/bench_county.py --townships 2 --villages 2 --parcels 80 --pool-share 0.2   # seconds
    python benchmarks/bench_county.py ... --json out.json                  # also write the figures

The county is generated (``planner generate --townships N``, seed 1) and each
configuration runs in a fresh process, so its peak memory (``ru_maxrss`` of the process
and, for local workers, its children) is its own:

- ``decomposed``, 1 worker (in the process) and 2 local worker processes;
- ``decomposed`` on a Dask ``LocalCluster`` of 1 and of 2 worker processes (``--dask``);
- ``monolithic`` (``--monolithic``; skipped by default above 20,000 parcels).

For each: wall time of ``solve_county`` (load excluded, printed apart), status, gap,
objective and bound, the price rounds, and whether the independent verifier passed.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024.0


def child(path: str, method: str, workers: int, dask: bool, time_limit: float | None) -> dict:
    from planner.county import load_county, solve_county

    t = time.perf_counter()
    lc = load_county(path)
    load_s = time.perf_counter() - t
    cluster = None
    scheduler = None
    if dask:
        from distributed import LocalCluster

        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
        scheduler = cluster.scheduler_address
    try:
        t = time.perf_counter()
        cp = solve_county(lc, method=method, workers=1 if dask else workers, scheduler=scheduler, time_limit=time_limit)
        solve_s = time.perf_counter() - t
    finally:
        if cluster is not None:
            cluster.close()
    return {
        "method": method,
        "workers": workers,
        "dask": dask,
        "load_s": load_s,
        "solve_s": solve_s,
        "status": cp.status,
        "mip_gap": cp.mip_gap,
        "objective": cp.objective,
        "bound": cp.objective_bound,
        "rounds": cp.coordination.get("iterations"),
        "verified": None if cp.verification is None else cp.verification["passed"],
        "peak_mb": peak_mb(),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--townships", type=int, default=18)
    ap.add_argument("--parcels", type=int, default=100_000)
    ap.add_argument("--villages", type=int, default=10, help="villages per township")
    ap.add_argument("--pool-share", type=float, default=0.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dask", action="store_true", help="also on a Dask LocalCluster of 1 and 2 workers")
    ap.add_argument("--monolithic", action="store_true", help="also the monolithic model, whatever the size")
    ap.add_argument("--time-limit", type=float, default=None)
    ap.add_argument("--json", help="also write the figures here")
    ap.add_argument("--work", help="directory for the generated county (default: a temporary one)")
    ap.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        path, method, workers, dask, limit = a.child
        print(json.dumps(child(path, method, int(workers), dask == "1", None if limit == "-" else float(limit))))
        return
    from planner.generate import write_county

    work = Path(a.work or tempfile.mkdtemp(prefix="bench_county_"))
    t = time.perf_counter()
    info = write_county(
        a.townships, a.parcels, a.seed, work / "county", villages=a.villages, pool_share=a.pool_share, force=True
    )
    gen_s = time.perf_counter() - t
    runs = [("decomposed", 1, False), ("decomposed", 2, False)]
    if a.dask:
        runs += [("decomposed", 1, True), ("decomposed", 2, True)]
    if a.monolithic or a.parcels <= 20_000:
        runs.append(("monolithic", 1, False))
    from importlib.metadata import version

    rows = []
    for method, workers, dask in runs:
        limit = "-" if a.time_limit is None else str(a.time_limit)
        args = [
            sys.executable,
            __file__,
            "--child",
            str(info["path"]),
            method,
            str(workers),
            "1" if dask else "0",
            limit,
        ]
        r = subprocess.run(args, capture_output=True, text=True, check=True)
        row = json.loads(r.stdout.strip().splitlines()[-1])
        rows.append(row)
        gap = "n/a" if row["mip_gap"] is None else f"{row['mip_gap']:.1e}"
        print(
            f"{method:10s} workers {workers}{' (dask)' if dask else '':7s} solve {row['solve_s']:7.1f} s  "
            f"load {row['load_s']:5.1f} s  {row['status']:8s} gap {gap}  rounds {row['rounds']}  "
            f"verified {row['verified']}  peak {row['peak_mb']:,.0f} MB",
            flush=True,
        )
    result = {
        "county": {k: (str(v) if isinstance(v, Path) else v) for k, v in info.items()},
        "generate_s": gen_s,
        "runs": rows,
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "highspy": version("highspy"),
        },
        "date": time.strftime("%Y-%m-%d"),
    }
    if a.json:
        Path(a.json).write_text(json.dumps(result, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
