"""Time and memory of each explanation stage on an instance (default: Nuanshui):
the plan's fixed LP, binding rules and prices, why-not entry prices, parameter ranging,
replacement importance (gardens + projects; ``--allocations`` adds village allocations),
one counterfactual, the infeasibility diagnosis of a budget-starved copy (with and
without the IIS), and the report with its screenshot.

Run: ``python benchmarks/bench_explain.py [--allocations] [instance]``. Prints markdown
rows for docs/performance.md. Measured, not asserted.
"""

from __future__ import annotations

import argparse
import platform
import resource
import shutil
import tempfile
import time
from datetime import date
from pathlib import Path

import planner
from planner.core.paths import bundled_dir
from planner.explain.diagnose import diagnose
from planner.explain.fixed import build_fixed_lp
from planner.explain.prices import options_table, rule_summary, rule_table
from planner.explain.ranging import DEFAULT_PARAMETERS, parameter_ranges
from planner.explain.whatif import parse, replacement_importance, why_not


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def timed(rows: list, stage: str, fn, note: str = ""):
    t = time.perf_counter()
    out = fn()
    rows.append((stage, time.perf_counter() - t, note))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("instance", nargs="?", default=str(bundled_dir("instances") / "nuanshui.yaml"))
    ap.add_argument("--allocations", action="store_true", help="also time the allocation importance (minutes)")
    ap.add_argument("--starve", default="periods.2025.budget_yuan=1000000", help="--set making the instance infeasible")
    a = ap.parse_args()
    rows: list = []
    li = planner.load_instance(a.instance)
    plan = timed(rows, "solve (for reference)", lambda: planner.solve(li))
    f = timed(rows, "fixed LP: build + solve", lambda: build_fixed_lp(li, plan))
    rows[-1] = (rows[-1][0], rows[-1][1], f"{len(f.cols)} columns, {len(f.rows)} rows")
    rules = timed(rows, "binding rules + row ranging", lambda: rule_table(f))
    timed(rows, "rule summary", lambda: rule_summary(rules, f))
    opts = timed(rows, "why-not entry prices", lambda: options_table(f), "")
    rows[-1] = (rows[-1][0], rows[-1][1], f"{len(opts)} village-use options")
    timed(
        rows,
        "parameter ranging",
        lambda: parameter_ranges(f, plan, DEFAULT_PARAMETERS),
        f"{len(DEFAULT_PARAMETERS)} parameters",
    )
    imp = timed(
        rows, "importance: gardens + projects", lambda: replacement_importance(li, plan, ["gardens", "projects"])
    )
    rows[-1] = (rows[-1][0], rows[-1][1], f"{len(imp)} re-solves, 2 worker processes")
    if a.allocations:
        imp = timed(rows, "importance: allocations", lambda: replacement_importance(li, plan, ["allocations"]))
        rows[-1] = (rows[-1][0], rows[-1][1], f"{len(imp)} re-solves, 2 worker processes")
    built = (
        sorted(plan.projects.loc[plan.projects["built"].astype(bool), "project"].unique()) if len(plan.projects) else []
    )
    if built:  # Nuanshui's mine_park, or the first project another instance's plan builds
        spec = "project:mine_park" if "mine_park" in built else f"project:{built[0]}"
        timed(rows, f"why-not --forbid {spec}", lambda: why_not(li, plan, [parse(spec, "forbid", li)]))
    key, value = a.starve.split("=", 1)
    starved = li.replace(**{key: float(value)})
    timed(rows, "diagnosis, no IIS", lambda: diagnose(starved, iis=False), a.starve)
    timed(rows, "diagnosis with IIS", lambda: diagnose(starved), a.starve)
    from planner.explain import explain
    from planner.report import find_chromium, screenshot, write_report

    ex = explain(li, plan, importance=(), parameters=())
    out = Path(tempfile.mkdtemp())
    plan.write(out)
    timed(rows, "report.md + report.html", lambda: write_report(plan, out, explanation=ex, instance=li))
    try:
        find_chromium()
        timed(rows, "screenshot (headless Chromium)", lambda: screenshot(out / "report.html", out / "report.png"))
    except RuntimeError as e:
        rows.append(("screenshot", float("nan"), str(e)))
    shutil.rmtree(out, ignore_errors=True)
    print(
        f"{li.instance.name}, {len(li.parcels)} parcels; {platform.processor() or platform.machine()}, "
        f"{date.today()}, peak RSS {peak_mb():.0f} MB"
    )
    print("| stage | s | note |\n|---|---|---|")
    for stage, s, note in rows:
        print(f"| {stage} | {s:.2f} | {note} |")


if __name__ == "__main__":
    main()
