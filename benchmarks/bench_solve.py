"""Time and memory of each stage (load, build, solve, tables + verification) on the
bundled instances. Run: ``python benchmarks/bench_solve.py [--repeat N] [instance ...]``.

Prints one markdown table row per instance and repeat, ready for docs/performance.md.
Measured, not asserted: the test suite never times anything.
"""

from __future__ import annotations

import argparse
import platform
import resource
import sys
import time
from datetime import date

import planner
from planner.core.paths import bundled_dir
from planner.model.build import build_model
from planner.model.data import ModelData
from planner.plan.plan import Plan
from planner.solver.run import solve_model, solver_options
from planner.verify import verify_plan


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def bench(path: str, threads: int | None) -> dict:
    t = time.perf_counter()
    li = planner.load_instance(path)
    t_load = time.perf_counter() - t
    t = time.perf_counter()
    d = ModelData(li)
    m = build_model(d)
    t_build = time.perf_counter() - t
    n_var = sum(len(v) for v in m.component_objects(__import__("pyomo.environ", fromlist=["Var"]).Var, active=True))
    n_con = sum(
        len(c)
        for c in m.component_objects(__import__("pyomo.environ", fromlist=["Constraint"]).Constraint, active=True)
    )
    t = time.perf_counter()
    res = solve_model(d, m, solver_options(li, None, None, threads, None))
    t_solve = time.perf_counter() - t
    t = time.perf_counter()
    plan = Plan.from_model(li, d, m, res, build_time_s=t_build, options={})
    ver = verify_plan(plan, li) if plan.has_solution else {"passed": False}
    t_post = time.perf_counter() - t
    return {
        "instance": li.name,
        "parcels": len(li.parcels),
        "vars": n_var,
        "cons": n_con,
        "load_s": t_load,
        "build_s": t_build,
        "solve_s": t_solve,
        "tables_verify_s": t_post,
        "status": res.status,
        "gap": res.mip_gap,
        "verified": ver["passed"],
        "peak_mb": peak_mb(),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument(
        "instances",
        nargs="*",
        default=[str(bundled_dir("instances") / "tiny.yaml"), str(bundled_dir("instances") / "nuanshui.yaml")],
    )
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads", type=int, default=None)
    a = ap.parse_args()
    print(
        f"<!-- {date.today()} {platform.node()} {platform.processor() or platform.machine()} "
        f"python {sys.version.split()[0]} planner {planner.__version__} -->"
    )
    print(
        "| instance | parcels | variables | constraints | load s | build s | solve s | tables+verify s | status | "
        "gap | verified | peak RSS MB |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for path in a.instances:
        for _ in range(a.repeat):
            r = bench(path, a.threads)
            gap = "n/a" if r["gap"] is None else f"{r['gap']:.1e}"
            print(
                f"| {r['instance']} | {r['parcels']} | {r['vars']} | {r['cons']} | {r['load_s']:.2f} | "
                f"{r['build_s']:.2f} | "
                f"{r['solve_s']:.2f} | {r['tables_verify_s']:.2f} | {r['status']} | {gap} | {r['verified']} | "
                f"{r['peak_mb']:.0f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
