"""Time and memory of each explanation stage on an instance (default: Nuanshui):
the plan's fixed LP, binding rules and prices, why-not entry prices, parameter ranging,
replacement importance (gardens + projects; ``--allocations`` adds village allocations),
one counterfactual, the prices per person and per whole decision (two re-solves per
binding rule of whole units), the infeasibility diagnosis of a budget-starved copy (with
and without the IIS, and with gardens kept from giving), the most a target can reach
(forest coverage 86% on Nuanshui), and the report with its screenshot.

Run: ``python benchmarks/bench_explain.py [--allocations] [--only STAGES] [instance]``
(``--only unit_prices,repair``: just those groups). Prints markdown rows for
docs/performance.md. Measured, not asserted.
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
from planner.explain.units import unit_prices
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
    ap.add_argument("--unit-prices", default="all", help="kinds priced per unit (all, or a comma list)")
    ap.add_argument("--target", default="policies.forest_coverage_min=0.86", help="--set of one infeasible target")
    ap.add_argument(
        "--only", default="", help="comma list of stage groups: base, unit_prices, repair, report (default: all)"
    )
    a = ap.parse_args()
    only = set(a.only.split(",")) if a.only else {"base", "unit_prices", "repair", "report"}
    rows: list = []
    li = planner.load_instance(a.instance)
    plan = timed(rows, "solve (for reference)", lambda: planner.solve(li))
    if "unit_prices" in only:
        kinds = None if a.unit_prices == "all" else a.unit_prices.split(",")
        up = timed(
            rows,
            f"unit prices: {a.unit_prices}",
            lambda: unit_prices(li, plan, *(() if kinds is None else (kinds,))),
        )
        n = int(up["tighten_status"].ne("impossible").sum() + len(up))
        rows[-1] = (rows[-1][0], rows[-1][1], f"{len(up)} binding rules, {n} re-solves, 2 worker processes")
    if "repair" in only:
        key, value = a.starve.split("=", 1)
        starved = li.replace(**{key: float(value)})
        timed(
            rows,
            "diagnosis, no IIS, gardens kept",
            lambda: diagnose(starved, iis=False, repair={"keep": ["gardens"]}),
            a.starve,
        )
        key, value = a.target.split("=", 1)
        target = li.replace(**{key: float(value)})
        dg = timed(rows, "diagnosis, no IIS, one target", lambda: diagnose(target, iis=False), a.target)
        rows[-1] = (
            rows[-1][0],
            rows[-1][1],
            f"{a.target}; of it the most the land allows: {dg.timings.get('attainable', float('nan')):.2f} s",
        )
    if "base" not in only:
        _print(li, rows)
        return
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
    if "report" not in only:
        _print(li, rows)
        return
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
    _print(li, rows)


def _print(li, rows: list) -> None:
    print(
        f"{li.instance.name}, {len(li.parcels)} parcels; {platform.processor() or platform.machine()}, "
        f"{date.today()}, peak RSS {peak_mb():.0f} MB"
    )
    print("| stage | s | note |\n|---|---|---|")
    for stage, s, note in rows:
        print(f"| {stage} | {s:.2f} | {note} |")


if __name__ == "__main__":
    main()
