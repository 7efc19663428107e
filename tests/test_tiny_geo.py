"""instances/tiny_geo.yaml: the tiny instance on a made-up map (GeoJSON), the quick GIS
example of the README and docs/gis.md."""

from __future__ import annotations

import subprocess
import sys

import planner
from planner.core.paths import bundled_dir

INSTANCES = bundled_dir("instances")


def test_files_are_what_the_script_writes():
    r = subprocess.run([sys.executable, str(INSTANCES / "make_tiny_geo.py"), "--check"], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_reads_the_layer_with_its_map():
    li = planner.load_instance(INSTANCES / "tiny_geo.yaml")
    tiny = planner.examples.tiny()
    assert li.geometry is not None and len(li.geometry) == 7
    assert sorted(li.parcels["id"]) == sorted(tiny.parcels["id"])
    assert li.parcels.set_index("id")["area_ha"].to_dict() == tiny.parcels.set_index("id")["area_ha"].to_dict()
    pairs = {tuple(sorted(p)) for p in li.adjacency[["a", "b"]].itertuples(index=False)}
    assert ("E1", "E2") in pairs and ("W1", "W2") in pairs and ("E1", "W1") in pairs and ("E1", "E3") not in pairs
