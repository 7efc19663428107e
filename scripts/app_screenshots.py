#!/usr/bin/env python
"""Screenshots of ``planner serve`` for docs/app.md, made by driving the app in headless
Chromium (Debian package ``chromium``) with Playwright, every request not to 127.0.0.1
blocked.

    python scripts/app_screenshots.py docs/img          # Nuanshui (the GIS layer), about 3 minutes

It starts ``planner serve instances/nuanshui_geo.yaml`` on a free port, then: the map by
current cover (English); the base solved and the map by share of each parcel changed;
a scenario with the 2025 budget cut and the mine park forbidden on the map (a click on a
parcel of its village), solved; the comparison; the plan in Chinese. Each step waits for a state of the page.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import planner  # noqa: E402
from planner.report.chromium import find_chromium  # noqa: E402

LONG = 600_000
ARGS = ["--no-sandbox", "--enable-unsafe-swiftshader", "--use-angle=swiftshader", "--disable-gpu-sandbox"]


def start(instance: Path, folder: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [
        sys.executable,
        "-m",
        "planner",
        "serve",
        str(instance),
        "--no-browser",
        "--port",
        str(port),
        "--time-limit",
        "300",
        "--folder",
    ]
    p = subprocess.Popen([*cmd, str(folder)], start_new_session=True)
    end = time.monotonic() + 300
    while time.monotonic() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return p, f"http://127.0.0.1:{port}/"
        except OSError:
            if p.poll() is not None:
                raise SystemExit("planner serve ended") from None
            time.sleep(0.2)
    raise SystemExit("planner serve did not start")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", help="folder for the PNGs")
    ap.add_argument("--instance", default=str(ROOT / "instances" / "nuanshui_geo.yaml"))
    ap.add_argument("--forbid", default="mine_park", help="the project forbidden on the map (default mine_park)")
    a = ap.parse_args(argv)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    proc, url = start(Path(a.instance), Path(tempfile.mkdtemp(prefix="planner-shots-")))
    blocked: list[str] = []
    try:
        with sync_playwright() as pw:
            b = pw.chromium.launch(executable_path=find_chromium(), args=ARGS)
            page = b.new_page(viewport={"width": 1280, "height": 820})

            def route(r):
                if r.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")):
                    r.continue_()
                else:
                    blocked.append(r.request.url)
                    r.abort()

            page.route("**/*", route)
            page.goto(url)
            page.wait_for_selector('#planner-map[data-ready="1"]', timeout=LONG)
            page.screenshot(path=out / "app-map-cover.png")

            page.click("#solve")
            page.wait_for_selector('#status[data-state="done"]', timeout=LONG)
            page.check("input[name='mode'][value='share']")
            page.wait_for_selector('#planner-map[data-shown="share:base/plan"]', timeout=LONG)
            page.screenshot(path=out / "app-map-plan.png")

            page.fill("#new_name", "budget-cut")
            page.click("#new_scenario")
            page.wait_for_function("document.querySelector('#scenario').value === 'budget-cut'", timeout=LONG)
            page.fill("#set_0", "420000000")
            li = planner.load_instance(a.instance)
            host = next(j.host_village for j in li.instance.projects if j.id == a.forbid)
            i = int((li.parcels["village"] == host).to_numpy().nonzero()[0][0])
            page.wait_for_function(f"window.plannerMap.parcelPoint({i}) !== null", timeout=LONG)
            pt = page.evaluate(f"window.plannerMap.parcelPoint({i})")
            page.mouse.click(pt["x"], pt["y"])
            button = f"#selected-card button[data-action='forbid'][data-decision='project:{a.forbid}']"
            page.wait_for_selector(button, timeout=LONG)
            page.click(button)
            page.wait_for_selector("#decision-list li", timeout=LONG)
            page.screenshot(path=out / "app-forbid.png")
            page.click("#solve")
            page.wait_for_selector('#status[data-state="done"]', timeout=LONG)
            page.click("a[data-value='Compare']")
            page.check("input[name='compare'][value='budget-cut']")
            page.wait_for_selector("#compare-table", timeout=LONG)
            page.screenshot(path=out / "app-compare.png", full_page=False)

            page.goto(url + "?lang=zh")
            page.wait_for_selector('#planner-map[data-ready="1"]', timeout=LONG)
            page.click("a[data-value='方案']")
            page.wait_for_selector("#kpi-table", timeout=LONG)
            page.wait_for_function("document.body.dataset.cjk === '1'", timeout=LONG)  # the Chinese font is in
            page.screenshot(path=out / "app-plan-zh.png")
            b.close()
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    if blocked:
        print(f"requests left the machine: {blocked}", file=sys.stderr)
        return 1
    print(f"wrote {len(list(out.glob('app-*.png')))} screenshots to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
