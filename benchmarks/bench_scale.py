"""Township to prefecture: every stage of the planner, its peak memory, the HiGHS-only floor
and a naive parcel-level Pyomo formulation, for each scale, in one run.

    python benchmarks/bench_scale.py                       # 1e3, 1e4, 1e5, 1e6 parcels
    python benchmarks/bench_scale.py --scales 1000 10000   # a subset
    python benchmarks/bench_scale.py --json out.json       # also write the figures

Each scale is generated (``planner generate``, seed 1) and then measured in fresh
processes, so each peak memory (``ru_maxrss``) is that run's own:

- **planner**: load and validate, aggregate (land units), build, hand-off to HiGHS, the
  HiGHS solve of the main objective, the tie-break stage (hand-off + solve), read back,
  plan tables (split back to parcels), verify, explain (rule prices and why-not, no
  re-solves, no ranging). ``total`` is everything ``planner solve`` does (load to verify);
  explain is printed on its own.
- **floor**: the very model the planner handed to HiGHS for the main objective, written
  once to MPS, read by a fresh ``highspy`` process and solved with the same options; the
  floor is HiGHS's ``run`` time.
- **naive**: the same instance as a parcel-level Pyomo model (no aggregation) handed to
  HiGHS through Pyomo's persistent interface (``pyomo.contrib.solver`` HiGHS: the
  idiomatic path measured in solver-notes), main objective only; build + hand-off + solve
  + load. Skipped above ``--naive-max`` parcels (default 100,000).

Ratios printed: total / floor, and naive / planner for the main objective (the naive
path's time against the planner's load-to-read-back time for the same objective).

**Counties and prefectures** (``--townships N``): each scale is a generated county of N
townships of ten villages (``planner generate --townships N``, seed 1), measured in
fresh processes:

- **planner**: ``solve_county`` as ``planner solve`` runs it (decomposed: the townships in
  parallel, each verified where it was solved, then the county's check) on a Dask
  ``LocalCluster`` of 1 and of 2 workers; load apart;
- **floor**: the monolithic county model (one block per township and the county rows,
  :func:`planner.model.county.build_county_model`) written to MPS and solved by a fresh
  ``highspy`` with the planner's options;
- **naive**: the monolithic county at parcel level (no aggregation) through Pyomo's
  persistent HiGHS interface, up to ``--naive-max`` parcels.

    python benchmarks/bench_scale.py --townships 18 --scales 100000 --time-limit 600
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

VILLAGES = {1_000: 10, 10_000: 46, 100_000: 181, 1_000_000: 1_000}


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_planner(path: str, mps: str, time_limit: float | None, explain: bool, mip_gap: float | None = None) -> dict:
    from planner.api import load_instance
    from planner.model.build import build_model
    from planner.model.data import ModelData
    from planner.plan.plan import Plan
    from planner.solver import handoff
    from planner.solver.run import SolveResult, solve_model, solver_options
    from planner.verify import verify_plan

    out: dict = {}
    t = time.perf_counter()
    li = load_instance(path)
    out["load_s"] = time.perf_counter() - t
    t = time.perf_counter()
    d = ModelData(li)
    units = len(d.land.units)
    out["aggregate_s"] = time.perf_counter() - t
    t = time.perf_counter()
    m = build_model(d)
    out["build_s"] = time.perf_counter() - t
    # the floor's model: exactly what the main stage hands to HiGHS (written outside the timings)
    handoff.write_mps(m, mps)
    opts = solver_options(li, time_limit, mip_gap, None, None)
    res: SolveResult = solve_model(d, m, opts)
    main, rest = res.stages[0], res.stages[1:]
    out["handoff_s"] = main["handoff_s"]
    out["solve_s"] = main["time_s"]
    out["tie_break_s"] = sum(s.get("handoff_s", 0) + s["time_s"] + s.get("readback_s", 0) for s in rest)
    out["readback_s"] = main["readback_s"]
    t = time.perf_counter()
    plan = Plan.from_model(li, d, m, res, build_time_s=out["build_s"], options=opts)
    out["tables_s"] = time.perf_counter() - t
    t = time.perf_counter()
    ver = verify_plan(plan, li) if plan.has_solution else {"passed": None}
    out["verify_s"] = time.perf_counter() - t
    out["total_s"] = sum(
        out[k]
        for k in (
            "load_s",
            "aggregate_s",
            "build_s",
            "handoff_s",
            "solve_s",
            "tie_break_s",
            "readback_s",
            "tables_s",
            "verify_s",
        )
    )
    out["main_s"] = sum(out[k] for k in ("load_s", "aggregate_s", "build_s", "handoff_s", "solve_s", "readback_s"))
    out["peak_mb"] = peak_mb()
    if explain and plan.has_solution:
        from planner.explain import explain as explain_plan

        t = time.perf_counter()
        explain_plan(li, plan, importance=(), parameters=())
        out["explain_s"] = time.perf_counter() - t
        out["peak_with_explain_mb"] = peak_mb()
    out.update(
        parcels=len(li.parcels),
        units=units,
        status=plan.status,
        termination=plan.termination,
        mip_gap=plan.mip_gap,
        objective=plan.objective,
        verified=ver.get("passed"),
    )
    return out


def run_floor(mps: str, opts_json: str) -> dict:
    import highspy

    opts = json.loads(opts_json)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    t = time.perf_counter()
    h.readModel(mps)
    read = time.perf_counter() - t
    for k, v in opts.items():
        h.setOptionValue(k, v)
    t = time.perf_counter()
    h.run()
    run = time.perf_counter() - t
    info = h.getInfo()
    return {
        "floor_read_s": read,
        "floor_s": run,
        "floor_status": h.getModelStatus().name,
        "floor_objective": info.objective_function_value,
        "floor_peak_mb": peak_mb(),
        "floor_columns": h.getNumCol(),
        "floor_rows": h.getNumRow(),
        # whole-number and yes/no columns the MIP branches on (issue 20: one per township role, not per village)
        "floor_integers": int(sum(1 for k in h.getLp().integrality_ if int(k) != 0)),
    }


def naive_solve(m, build_s: float, time_limit: float | None, mip_gap: float | None = None) -> dict:
    """Solve a parcel-level Pyomo model ``m`` (built in ``build_s``) through Pyomo's
    persistent HiGHS interface (main objective only) and time it."""
    from pyomo.contrib.solver.solvers.highs import Highs

    from planner.solver.run import DEFAULT_ABS_GAP, DEFAULT_REL_GAP

    kw = {
        "load_solutions": False,
        "raise_exception_on_nonoptimal_result": False,
        "rel_gap": mip_gap if mip_gap else DEFAULT_REL_GAP,
        "abs_gap": 0.0 if mip_gap else DEFAULT_ABS_GAP,
    }
    if time_limit:
        kw["time_limit"] = time_limit
    t = time.perf_counter()
    res = Highs().solve(m, **kw)
    solve = time.perf_counter() - t
    t = time.perf_counter()
    has = res.incumbent_objective is not None
    if has:
        res.solution_loader.load_vars()
    load = time.perf_counter() - t
    return {
        "naive_build_s": build_s,
        "naive_solve_s": solve,
        "naive_load_s": load,
        "naive_s": build_s + solve + load,
        "naive_objective": res.incumbent_objective,
        "naive_termination": res.termination_condition.name,
        "naive_found_plan": has,
        "naive_peak_mb": peak_mb(),
    }


def run_naive(path: str, time_limit: float | None, mip_gap: float | None = None) -> dict:
    """Parcel-level model through Pyomo's persistent HiGHS interface (main objective only)."""
    from planner.api import load_instance
    from planner.model.build import build_model
    from planner.model.data import ModelData

    li = load_instance(path)
    t = time.perf_counter()
    d = ModelData(li, aggregate=False)
    m = build_model(d)
    return naive_solve(m, time.perf_counter() - t, time_limit, mip_gap)


def county_model(path: str, aggregate: bool):
    from planner.county import load_county
    from planner.model.county import build_county_model
    from planner.model.data import ModelData

    lc = load_county(path)
    datas = [ModelData(li, aggregate=aggregate) for _, li in lc.townships]
    return lc, build_county_model(datas, lc.periods, lc.pool, lc.required_targets)


def run_county_floor_model(path: str, mps: str) -> dict:
    """Build the monolithic county model and write it to MPS (the floor's model)."""
    from planner.solver import handoff

    t = time.perf_counter()
    _, big = county_model(path, aggregate=True)
    build = time.perf_counter() - t
    handoff.write_mps(big, mps)
    return {"monolithic_build_s": build, "monolithic_build_peak_mb": peak_mb()}


def run_county_naive(path: str, time_limit: float | None) -> dict:
    """The monolithic county at parcel level through Pyomo's persistent HiGHS interface."""
    t = time.perf_counter()
    _, big = county_model(path, aggregate=False)
    return naive_solve(big, time.perf_counter() - t, time_limit)


def measure_county(
    parcels: int, townships: int, work: Path, time_limit: float | None, naive_max: int, pool_share: float
) -> dict:
    """One county scale: generate, the planner on Dask 1 and 2 workers, the floor, the naive model."""
    from planner.generate import write_county
    from planner.solver.handoff import highs_options
    from planner.solver.run import DEFAULT_ABS_GAP, DEFAULT_REL_GAP

    t = time.perf_counter()
    info = write_county(townships, parcels, 1, work / f"c{townships}_{parcels}", pool_share=pool_share, force=True)
    path = str(info["path"])
    row: dict = {"parcels_asked": parcels, "townships": townships, "generate_s": time.perf_counter() - t}
    county_script = str(Path(__file__).resolve().parent / "bench_county.py")
    limit = "-" if time_limit is None else str(time_limit)
    for workers in (1, 2):  # bench_county's measurement: decomposed on a Dask LocalCluster
        r = child(path, "decomposed", str(workers), "1", limit, script=county_script)
        row.update({f"dask{workers}_{k}": v for k, v in r.items() if k not in ("method", "workers", "dask")})
    mps = str(work / f"c{townships}_{parcels}.mps")
    row.update(child("county_floor_model", path, mps))
    opts = highs_options({"time_limit": time_limit}, DEFAULT_REL_GAP, DEFAULT_ABS_GAP)
    opts.pop("output_flag", None)
    row.update(child("floor", mps, json.dumps(opts)))
    if parcels <= naive_max:
        row.update(child("county_naive", path, str(time_limit or 0)))
    planner_s = row.get("dask2_solve_s")
    if planner_s:
        if row.get("floor_s"):
            row["floor_over_planner"] = row["floor_s"] / planner_s
        if row.get("naive_s"):
            row["naive_over_planner"] = row["naive_s"] / planner_s
    if row.get("dask1_solve_s") and planner_s:
        row["dask_speedup"] = row["dask1_solve_s"] / planner_s
    return row


def child(kind: str, *args: str, script: str = __file__) -> dict:
    """Run one measurement (``script --child kind args``) in a fresh Python process and return its JSON."""
    r = subprocess.run([sys.executable, script, "--child", kind, *args], capture_output=True, text=True)
    if r.returncode != 0:
        return {"error": (r.stderr or r.stdout).strip().splitlines()[-1:] or ["failed"]}
    return json.loads(r.stdout.strip().splitlines()[-1])


def measure(
    parcels: int, work: Path, time_limit: float | None, naive_max: int, explain: bool, mip_gap: float | None = None
) -> dict:
    from planner.api import load_instance
    from planner.generate import generate
    from planner.solver.handoff import highs_options
    from planner.solver.run import DEFAULT_ABS_GAP, DEFAULT_REL_GAP, solver_options

    villages = VILLAGES.get(parcels, max(2, parcels // 550))
    path = generate(villages, parcels, 1, work / f"p{parcels}")
    mps = str(work / f"p{parcels}.mps")
    row = {"parcels_asked": parcels, "villages": villages}
    row.update(child("planner", str(path), mps, str(time_limit or 0), "1" if explain else "0", str(mip_gap or 0)))
    li = load_instance(path)
    opts = highs_options(
        solver_options(li, time_limit, mip_gap, None, None),
        mip_gap or DEFAULT_REL_GAP,
        0.0 if mip_gap else DEFAULT_ABS_GAP,
    )
    opts.pop("output_flag", None)
    row.update(child("floor", mps, json.dumps(opts)))
    if parcels <= naive_max:
        row.update(child("naive", str(path), str(time_limit or 0), str(mip_gap or 0)))
    if "total_s" in row and row.get("floor_s"):
        row["total_over_floor"] = row["total_s"] / row["floor_s"]
    if "naive_s" in row and "main_s" in row:
        row["naive_over_planner"] = row["naive_s"] / row["main_s"]
    return row


def fmt(v, unit: str = "") -> str:
    if v is None:
        return "-"
    if isinstance(v, str):
        return v
    if isinstance(v, float):
        return f"{v:,.2f}{unit}" if abs(v) < 100 else f"{v:,.0f}{unit}"
    return f"{v:,}{unit}"


STAGES = (
    "load_s",
    "aggregate_s",
    "build_s",
    "handoff_s",
    "solve_s",
    "tie_break_s",
    "readback_s",
    "tables_s",
    "verify_s",
    "total_s",
    "explain_s",
    "peak_mb",
    "floor_s",
    "total_over_floor",
    "naive_s",
    "naive_over_planner",
    "naive_peak_mb",
    "naive_termination",
    "naive_found_plan",
)


COUNTY_KEYS = (
    "townships",
    "generate_s",
    "dask1_load_s",
    "dask1_solve_s",
    "dask1_status",
    "dask1_peak_mb",
    "dask2_load_s",
    "dask2_solve_s",
    "dask2_status",
    "dask2_mip_gap",
    "dask2_verified",
    "dask2_peak_mb",
    "dask_speedup",
    "monolithic_build_s",
    "floor_columns",
    "floor_rows",
    "floor_s",
    "floor_status",
    "floor_peak_mb",
    "floor_over_planner",
    "naive_s",
    "naive_termination",
    "naive_found_plan",
    "naive_peak_mb",
    "naive_over_planner",
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scales", type=int, nargs="+", default=[1_000, 10_000, 100_000, 1_000_000])
    ap.add_argument("--time-limit", type=float, default=None, help="seconds per solve (default: none)")
    ap.add_argument(
        "--mip-gap", type=float, default=None, help="relative MIP gap (default: the planner's exact default)"
    )
    ap.add_argument("--naive-max", type=int, default=100_000, help="largest scale to run the naive formulation on")
    ap.add_argument("--no-explain", action="store_true")
    ap.add_argument("--json", help="also write the figures here")
    ap.add_argument("--work", help="directory for the generated instances and MPS files (default: a temporary one)")
    ap.add_argument("--townships", type=int, help="measure counties of this many townships (see above)")
    ap.add_argument("--pool-share", type=float, default=0.0, help="with --townships: a county pool (planner generate)")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        kind, *args = a.child
        if kind == "planner":
            r = run_planner(args[0], args[1], float(args[2]) or None, args[3] == "1", float(args[4]) or None)
        elif kind == "floor":
            r = run_floor(args[0], args[1])
        elif kind == "county_floor_model":
            r = run_county_floor_model(args[0], args[1])
        elif kind == "county_naive":
            r = run_county_naive(args[0], float(args[1]) or None)
        else:
            r = run_naive(args[0], float(args[1]) or None, float(args[2]) or None)
        print(json.dumps(r, default=str))
        return
    work = Path(a.work) if a.work else Path(tempfile.mkdtemp(prefix="planner-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(
        f"# {time.strftime('%Y-%m-%d')} on {platform.node()} ({platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores), Python {platform.python_version()}"
    )
    rows = []
    for n in a.scales:
        print(f"## {n:,} parcels ...", flush=True)
        if a.townships:
            row = measure_county(n, a.townships, work, a.time_limit, a.naive_max, a.pool_share)
        else:
            row = measure(n, work, a.time_limit, a.naive_max, not a.no_explain, a.mip_gap)
        rows.append(row)
        print(json.dumps(row, default=str), flush=True)
    print()
    if a.townships:
        print("| measure | " + " | ".join(f"{r['parcels_asked']:,}" for r in rows) + " |")
        print("|---|" + "---:|" * len(rows))
        for key in COUNTY_KEYS:
            print(f"| {key} | " + " | ".join(fmt(r.get(key)) for r in rows) + " |")
        if a.json:
            Path(a.json).write_text(json.dumps(rows, indent=1, default=str))
        return
    print("| stage | " + " | ".join(f"{r['parcels_asked']:,}" for r in rows) + " |")
    print("|---|" + "---:|" * len(rows))
    for key in (
        "villages",
        "units",
        "floor_columns",
        "floor_rows",
        "floor_integers",
        "status",
        "mip_gap",
        "verified",
        *STAGES,
    ):
        print(f"| {key} | " + " | ".join(fmt(r.get(key)) for r in rows) + " |")
    if a.json:
        Path(a.json).write_text(json.dumps(rows, indent=1, default=str))


if __name__ == "__main__":
    main()
