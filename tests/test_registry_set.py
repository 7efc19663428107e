"""The script-made registry set (tests/realistic_layers.py, issue 16): a grid whose
neighbours share no vertex (0.1 m gaps and 0.2 m overlaps), an enclave, a corner contact,
two villages, GB/T 21010 survey codes (one a K working class) in a bureau's attribute names,
in CGCS2000 Gauss-Kruger metres and in CGCS2000 degrees. Each loads without recoding, finds
the neighbours known by construction, solves with contiguous gardens, passes the verifier's
own geometric check and comes back in its own coordinate system with clean village outlines."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyogrio
import pytest
from helpers import approx, solve
from realistic_layers import expected_pairs, write_set

import planner
from planner.report.gpkg import write_plan_gpkg

HERE = Path(__file__).parent
GARDEN = {"garden_max_ha": 1.5, "garden_min_ha": 1.0}


def test_the_script_writes_both_layers(tmp_path):
    """``python tests/realistic_layers.py DIR`` writes an instance per coordinate system."""
    done = subprocess.run(
        [sys.executable, str(HERE / "realistic_layers.py"), str(tmp_path)], capture_output=True, text=True, check=True
    )
    paths = [Path(p) for p in done.stdout.split()]
    assert [p.parent.name for p in paths] == ["gauss_kruger", "degrees"]
    crs = [pyogrio.read_info(next(p.parent.glob("*.gpkg")))["crs"] for p in paths]
    assert crs == ["EPSG:4546", "EPSG:4490"]


@pytest.mark.parametrize("crs", ["EPSG:4546", "EPSG:4490"])
def test_registry_set_solves_with_contiguous_gardens_and_keeps_its_crs(tmp_path, crs):
    """Cells are 100 m x 80 m (0.8 ha, give or take 0.002 ha for the gaps and overlaps);
    c2r1 and c3r1 are mining land (0602 -> reclaimed_mine, 0 Yuan/ha), the rest other
    grassland (0404 -> grassland, 1,000 Yuan/ha) but c0r2 (0301K -> forest). The one use is
    the shrub garden (3,000 Yuan/ha), 1.0-1.5 ha per village, on one connected site.

    With the 0.5 m tolerance, c2r1 and c3r1 are neighbours (their boundary is a 0.2 m
    overlap crossing, no shared line), so 西村's garden takes 1.5 ha of them: +1.5 x 3,000 =
    +4,500 Yuan/yr over the land as it is; 东村 has only grassland and forest, so its garden
    takes 1.5 ha of connected grassland: +1.5 x (3,000 - 1,000) = +3,000. Without the
    tolerance no parcel has a neighbour and no single cell reaches 1.0 ha: no garden, +0.
    The difference is 7,500."""
    li = planner.load_instance(write_set(tmp_path / "tol", crs, policies=GARDEN))
    covers = li.parcels.set_index("id")["cover"]
    assert covers["c2r1"] == covers["c3r1"] == "reclaimed_mine"
    assert covers["c0r2"] == "forest" and covers["E"] == "grassland"
    assert set(zip(li.adjacency["a"], li.adjacency["b"])) == expected_pairs(multipart=False)

    plan = solve(li)
    assert plan.status == "optimal" and plan.verification["passed"]
    a = plan.allocations
    garden = a[a["kind"] == "garden_vegetation"]
    west = garden[garden["village"] == "西村"]
    assert set(west["parcel"]) == {"c2r1", "c3r1"} and west["area_ha"].sum() == approx(1.5)
    east = garden[garden["village"] == "东村"]
    assert east["area_ha"].sum() == approx(1.5) and set(covers[east["parcel"]]) == {"grassland"}

    no_tol = {"adjacency_tolerance_m": 0}
    exact = solve(planner.load_instance(write_set(tmp_path / "exact", crs, policies=GARDEN, parcels_extra=no_tol)))
    assert exact.status == "optimal" and not (exact.allocations["kind"] == "garden_vegetation").any()
    assert plan.objective - exact.objective == approx(7_500)

    out = write_plan_gpkg(plan, li, tmp_path / "plan.gpkg")
    for layer in ("parcels", "villages"):
        assert pyogrio.read_info(out, layer=layer)["crs"] == crs
    villages = pyogrio.read_dataframe(out, layer="villages").set_index("village").to_crs("EPSG:4546")
    assert sorted(villages.index) == ["东村", "西村"]
    # gaps closed and E's ring filled: no holes; 东村 one piece, 西村 two (P meets c3r2 at a
    # corner only, 0.05 m off: a separate piece of 400 m2)
    parts = {v: list(getattr(g, "geoms", [g])) for v, g in villages.geometry.items()}
    assert not [p for ps in parts.values() for p in ps if list(p.interiors)]
    assert len(parts["东村"]) == 1
    assert sorted(p.area for p in parts["西村"])[0] == pytest.approx(400, rel=1e-3) and len(parts["西村"]) == 2
