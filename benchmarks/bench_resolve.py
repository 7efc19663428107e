"""Re-solving the built model (planner.sweep.fast) against rebuilding it, per scenario,
on one instance (default: Nuanshui), one process, the same scenarios both ways.

Run: ``python benchmarks/bench_resolve.py [--n 10] [instance]``. Prints markdown rows for
docs/performance.md (measured, not asserted). The scenarios move the forestry carbon
price and the 2025 budget over the given ranges; both paths must give the same
objective, which the script checks.
"""

from __future__ import annotations

import argparse
import platform
import time
from datetime import date

import numpy as np

import planner
from planner.core.paths import bundled_dir
from planner.instance.overrides import get_value
from planner.sweep.fast import FastModel
from planner.sweep.runner import rebuild_and_solve


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("instance", nargs="?", default=str(bundled_dir("instances") / "nuanshui.yaml"))
    ap.add_argument("--n", type=int, default=10)
    a = ap.parse_args()
    li = planner.load_instance(a.instance)
    b0 = get_value(li, "periods.2025.budget_yuan")
    ranges = {"prices.forestry_carbon_yuan_per_t": (10.0, 100.0), "periods.2025.budget_yuan": (0.75 * b0, 1.5 * b0)}
    rng = np.random.default_rng(0)
    scen = [{p: float(lo + (hi - lo) * rng.random()) for p, (lo, hi) in ranges.items()} for _ in range(a.n)]
    t = time.perf_counter()
    fm = FastModel(li, ranges)
    t_init = time.perf_counter() - t
    assert fm.exact, fm.note
    fast, rebuild = [], []
    for s in scen:
        t = time.perf_counter()
        r1 = fm.solve(s)
        fast.append(time.perf_counter() - t)
        t = time.perf_counter()
        r2 = rebuild_and_solve({"instance": str(li.path), "overrides": [], "sets": s})
        rebuild.append(time.perf_counter() - t)
        assert r1["status"] == r2["status"], (r1["status"], r2["status"])
        if r2["objective"] is not None:
            assert abs(r1["objective"] - r2["objective"]) <= 1e-6 * abs(r2["objective"]) + 1, (
                r1["objective"],
                r2["objective"],
            )
    print(f"{li.instance.name}: {a.n} scenarios, {platform.machine()}, {date.today()}")
    print("| path | set-up s (once) | mean s / scenario | median s | total s |\n|---|---|---|---|---|")
    print(
        f"| rebuild (load + build + solve + tables) | 0 | {np.mean(rebuild):.2f} | {np.median(rebuild):.2f} | "
        f"{sum(rebuild):.1f} |"
    )
    print(
        f"| fast (built model, warm start) | {t_init:.2f} | {np.mean(fast):.2f} | {np.median(fast):.2f} | "
        f"{t_init + sum(fast):.1f} |"
    )
    print(
        f"speed-up per scenario: {np.mean(rebuild) / np.mean(fast):.2f}x; over the {a.n} scenarios incl. set-up: "
        f"{sum(rebuild) / (t_init + sum(fast)):.2f}x"
    )


if __name__ == "__main__":
    main()
