"""Write a scaled copy of the tiny instance (its seven parcels repeated N times, limits
raised to match) for build/solve scaling measurements.

    python benchmarks/make_scaled.py 700 /tmp/scaled   # 4,900 parcels
    python benchmarks/bench_solve.py --repeat 1 /tmp/scaled/scaled.yaml
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from planner.core.paths import bundled_dir


def main(n: int, out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    src = pd.read_csv(bundled_dir("instances") / "tiny_parcels.csv")
    df = pd.concat([src.assign(id=src["id"] + f"_{k}") for k in range(n)])
    df.to_csv(out / "parcels.csv", index=False)
    y = (bundled_dir("instances") / "tiny.yaml").read_text()
    for a, b in (
        ("tiny_parcels.csv", "parcels.csv"),
        ("stated_area_ha: 38", f"stated_area_ha: {38 * n}"),
        ("budget_yuan: 2500000", f"budget_yuan: {2500000 * n}"),
        ("budget_yuan: 2000000", f"budget_yuan: {2000000 * n}"),
        ("garden_max_ha: 2", "garden_max_ha: 20"),
        ("min: 1, max: 10,", f"min: 1, max: {10 * n},"),
        ("min: 0, max: 5,", f"min: 0, max: {5 * n},"),
        ("residents: 20", f"residents: {20 * n}"),
        ("residents: 10", f"residents: {20 * n}"),
        ("valuation: xie2015", f"valuation: {bundled_dir('models') / 'xie2015.yaml'}"),
    ):
        y = y.replace(a, b)
    (out / "scaled.yaml").write_text(y.replace("name: tiny", f"name: tiny_x{n}"))
    return out / "scaled.yaml"


if __name__ == "__main__":
    print(main(int(sys.argv[1]), Path(sys.argv[2])))
