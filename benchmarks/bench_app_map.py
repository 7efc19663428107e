#!/usr/bin/env python
"""How the web app's map (``planner serve``) copes with a county: load, pan and zoom,
and a plan's colours, measured in headless Chromium.

    python benchmarks/bench_app_map.py --parcels 100000 --villages 100      # about 3 minutes

1. ``planner generate`` writes the county (its parcel table has no geometry);
2. each parcel gets a made-up polygon (villages on a grid of square blocks, a village's
   parcels a grid of jittered octagons inside its block, in a projected CRS), attached
   to the loaded instance as a GIS layer's geometry would be;
3. the app serves it on 127.0.0.1 (in this process), Chromium opens the page with every
   other request blocked, and the page measures with ``performance.now()``:
   - *ready*: from navigation to the map's first ``idle`` with the parcels drawn (the
     GeoJSON fetched, parsed and tiled in MapLibre's worker);
   - *pan* and *zoom*: frame intervals (``requestAnimationFrame``) while the map pans
     across and zooms in and out in animated steps: median, 95th percentile and the
     longest frame, and the time until ``idle`` after each gesture;
   - *plan*: setting a plan's value (feature state) on every parcel until ``idle``.

Chromium runs headless with SwiftShader (WebGL on the CPU), so frames here are slower
than in a planner's browser with a GPU: treat the figures as an upper bound.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import planner  # noqa: E402
from planner.app.server import build, free_port  # noqa: E402
from planner.app.state import AppState, Opened  # noqa: E402
from planner.app.workspace import Workspace  # noqa: E402
from planner.report.chromium import find_chromium  # noqa: E402

ARGS = ["--no-sandbox", "--enable-unsafe-swiftshader", "--use-angle=swiftshader", "--disable-gpu-sandbox"]

MEASURE = """
async () => {
  const map = window.plannerMap.map();
  const frames = async (run) => {
    const gaps = []; let last = performance.now(); let going = true;
    const tick = (t) => { gaps.push(t - last); last = t; if (going) requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
    const t0 = performance.now();
    await run();
    const moved = performance.now() - t0;
    await new Promise((r) => {
      map.once('idle', r);
      map.triggerRepaint();
    });
    going = false;
    return { gaps, moved, idle: performance.now() - t0 };
  };
  const ease = (opts) => new Promise((r) => { map.once('moveend', r); map.easeTo({ ...opts, duration: 800 }); });
  const out = {};
  const settle = () => new Promise((r) => { map.once('idle', r); map.triggerRepaint(); });
  await gestures(out, 'county_');
  // a village's view, where a planner works: one village block fills the map
  const b = window.plannerBenchVillage;
  const t1 = performance.now();
  map.fitBounds(b, { duration: 0 });
  await settle();
  out.village_view_ms = performance.now() - t1;
  await gestures(out, 'village_');
  return out;
  async function gestures(out, prefix) {
  out[prefix + 'pan'] = await frames(async () => {
    const c = map.getCanvas();
    for (const dx of [300, 300, -300, -300]) await ease({ center: map.unproject([c.width / 2 + dx, c.height / 2]) });
  });
  out[prefix + 'zoom'] = await frames(async () => {
    for (const dz of [1, 1, -1, -1]) await ease({ zoom: map.getZoom() + dz });
  });
  const t0 = performance.now();
  const count = window.plannerBenchCount;
  for (let i = 0; i < count; i++) map.setFeatureState({ source: 'parcels', id: i }, { s: (i % 100) / 100 });
  const set = performance.now() - t0;
  const share = ['coalesce', ['feature-state', 's'], 0];
  map.setPaintProperty('parcel-fill', 'fill-color', ['interpolate', ['linear'], share, 0, '#f2f2f2', 1, '#00441b']);
  await new Promise((r) => map.once('idle', r));
  out[prefix + 'plan'] = { set, idle: performance.now() - t0 };
  }
}
"""


def polygons(li, seed: int = 1):
    """A made-up polygon per parcel: villages on a grid of blocks, each village's parcels a
    grid of jittered octagons in its block (EPSG:4546, metres)."""
    import geopandas as gpd
    import shapely

    rng = np.random.default_rng(seed)
    p = li.parcels
    villages = list(dict.fromkeys(p["village"].astype(str)))
    side = math.ceil(math.sqrt(len(villages)))
    block = 4000.0
    geoms = [None] * len(p)
    order = {v: np.flatnonzero(p["village"].astype(str).to_numpy() == v) for v in villages}
    ang = np.linspace(0, 2 * np.pi, 9)[:-1]
    for k, v in enumerate(villages):
        idx = order[v]
        m = math.ceil(math.sqrt(len(idx)))
        cell = block / m
        x0, y0 = 500000 + (k % side) * block, 4400000 + (k // side) * block
        for j, i in enumerate(idx):
            cx, cy = x0 + (j % m + 0.5) * cell, y0 + (j // m + 0.5) * cell
            r = cell * 0.5 * (1 + 0.25 * rng.random(8))
            geoms[i] = shapely.Polygon(np.c_[cx + r * np.cos(ang), cy + r * np.sin(ang)]).intersection(
                shapely.box(cx - cell / 2, cy - cell / 2, cx + cell / 2, cy + cell / 2)
            )
    return gpd.GeoSeries(geoms, index=p["id"].astype(str).tolist(), crs="EPSG:4546")


def stats(gaps: list[float]) -> dict[str, float]:
    a = np.asarray(gaps[1:] or [0.0])
    return {"median_ms": float(np.median(a)), "p95_ms": float(np.percentile(a, 95)), "max_ms": float(a.max()),
            "frames": int(len(a))}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--parcels", type=int, default=100_000)
    ap.add_argument("--villages", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args(argv)
    import uvicorn
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="bench-app-map-"))
    gen = work / "county"
    subprocess.run([sys.executable, "-m", "planner", "generate", "--villages", str(a.villages), "--parcels",
                    str(a.parcels), "--seed", str(a.seed), "--out", str(gen)], check=True)  # fmt: skip
    t = time.perf_counter()
    li = planner.load_instance(gen / "instance.yaml")
    load_s = time.perf_counter() - t
    li = dataclasses.replace(li, geometry=polygons(li, a.seed))
    state = AppState(Workspace(work / "app"))
    state.available = {}
    state.opened["county"] = Opened("county", gen / "instance.yaml", li, None)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(build(state), host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    blocked: list[str] = []
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=find_chromium(), args=ARGS)
        page = b.new_page(viewport={"width": 1280, "height": 800})
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1",
                   "data:", "blob:")) else (blocked.append(r.request.url), r.abort()))  # fmt: skip
        t = time.perf_counter()
        page.goto(f"http://127.0.0.1:{port}/")
        page.wait_for_selector('#planner-map[data-ready="1"]', timeout=900_000)
        ready_s = time.perf_counter() - t
        page.evaluate(f"window.plannerBenchCount = {len(li.parcels)}")
        first = li.geometry[(li.parcels["village"].astype(str) == str(li.instance.villages[1].id)).to_numpy()].to_crs(
            4326
        )
        x0, y0, x1, y1 = (float(v) for v in first.total_bounds)
        page.evaluate(f"window.plannerBenchVillage = [[{x0}, {y0}], [{x1}, {y1}]]")
        got = page.evaluate(MEASURE)
        version = b.version
        b.close()
    server.should_exit = True
    size = len(state.opened["county"].cache.get("parcels.geojson", b""))
    result = {
        "parcels": len(li.parcels),
        "villages": len(li.instance.villages),
        "geojson_mb": round(size / 1e6, 1),
        "load_instance_s": round(load_s, 1),
        "ready_s": round(ready_s, 1),
        **{
            f"{view}_{g}": {**stats(got[f"{view}_{g}"]["gaps"]), "idle_ms": round(got[f"{view}_{g}"]["idle"])}
            for view in ("county", "village")
            for g in ("pan", "zoom")
        },
        **{
            f"{view}_plan_values": {k: round(v) for k, v in got[f"{view}_plan"].items()}
            for view in ("county", "village")
        },
        "village_view_ms": round(got["village_view_ms"]),
        "chromium": version,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {__import__('os').cpu_count()} cores",
        "blocked_requests": blocked,
    }
    print(json.dumps(result, indent=1))
    return 0 if not blocked else 1


if __name__ == "__main__":
    raise SystemExit(main())
