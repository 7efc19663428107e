"""The "what each village does" block of `planner solve` (planner.cli.show.village_lines):
one line per village sheet with something to do, hectares by use at the end of the last
period, the first reason; villages without change named once at the end."""

from __future__ import annotations

import subprocess
import sys

from planner.cli.show import village_lines
from planner.explain.sheets import ParcelChange, Reason, VillageSheet


def _sheet(village, names, parcels=(), reasons=()):
    return VillageSheet(
        village=village,
        names=names,
        lang="en",
        periods=["2025", "2035"],
        status="optimal",
        termination="convergenceCriteriaSatisfied",
        mip_gap=0.0,
        parcels=list(parcels),
        reasons=list(reasons),
    )


def test_lines_sum_hectares_by_use_at_the_last_period_and_name_the_unchanged():
    """East: E1 3 ha and E2 2 ha of ecological forest by 2035 (1 and 2 ha in 2025), G1 1 ha
    of garden: "Ecological forest 5.0 ha" first (largest), then the garden 1.0 ha, then the
    first of two reasons. West changes nothing: one closing line naming it."""
    east = _sheet(
        "east",
        {"en": "East", "zh": "东村"},
        [
            ParcelChange("E1", "grassland", "ecological_forest", {"2025": 1.0, "2035": 3.0}),
            ParcelChange("E2", "grassland", "ecological_forest", {"2025": 2.0, "2035": 2.0}),
            ParcelChange("G1", "grassland", "garden_shrub", {"2025": 1.0, "2035": 1.0}),
        ],
        [Reason("garden", {"en": "First reason.", "zh": "第一个原因。"}), Reason("x", {"en": "Second.", "zh": "二"})],
    )
    west = _sheet("west", {"en": "West", "zh": "西村"})
    en = village_lines([east, west], "en")
    assert en == [
        "East: Ecological forest 5.0 ha; Village garden: shrub planting 1.0 ha; Why: First reason.",
        "No change: the village keeps its land as it is. (West)",
    ]
    zh = village_lines([east, west], "zh")
    assert zh[0] == "东村：生态林 5.0公顷；村庄游园（灌木种植） 1.0公顷；原因：第一个原因。"
    assert zh[1].endswith("（西村）")


def test_solve_prints_what_each_village_does(tmp_path):
    """tiny.yaml: the block follows the summary and names both villages (east, west)."""
    done = subprocess.run(
        [sys.executable, "-m", "planner", "solve", "instances/tiny.yaml", "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        env={"COLUMNS": "100", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    text = done.stdout
    block = text[text.index("What each village does") :]
    assert "East" in block or "east" in block
    assert "West" in block or "west" in block
