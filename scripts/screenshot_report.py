#!/usr/bin/env python
"""Screenshot a plan report with headless Chromium (Debian package ``chromium``).

    python scripts/screenshot_report.py out/nuanshui/report.html out/nuanshui/report.png
    python scripts/screenshot_report.py out/nuanshui            # writes the report first if missing

A directory argument holding plan.json gets report.md/report.html written into it
(when there is no report.html yet) and its screenshot saved as DIR/report.png.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from planner.report import screenshot, write_report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("html", help="report.html, or a plan directory (with plan.json)")
    ap.add_argument("png", nargs="?", help="output PNG (default: report.png beside the HTML)")
    ap.add_argument("--width", type=int, default=1280, help="window width in px (default 1280)")
    ap.add_argument("--height", type=int, default=None, help="window height in px (default: the whole page)")
    ap.add_argument("--chromium", default=None, help="Chromium/Chrome binary (default: /usr/bin/chromium or on PATH)")
    a = ap.parse_args(argv)
    src = Path(a.html)
    if src.is_dir():
        html = src / "report.html"
        if not html.exists():
            write_report(src, src)
    else:
        html = src
    png = Path(a.png) if a.png else html.with_name("report.png")
    try:
        out = screenshot(html, png, width=a.width, height=a.height, chromium=a.chromium)
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
