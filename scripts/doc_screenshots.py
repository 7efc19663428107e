#!/usr/bin/env python
"""The screenshots of the Chinese report in docs/img/, made with headless Chromium.

    python scripts/doc_screenshots.py out/nuanshui                  # the pictures of docs/report.md
    python scripts/doc_screenshots.py out/tiny-report --out out/shots

SOURCE is a plan directory (plan.json, as `planner solve` writes it) or an instance YAML,
which is solved first (default: out/nuanshui when it exists, else instances/nuanshui.yaml).
The script writes the plan's report in Chinese into a temporary directory (or --report-dir)
and saves into --out (default docs/img):

- ``report_zh_first_page.png``: the top of the Chinese report, one A4 page high;
- ``report_zh_village_sheet.png``: the first village sheet (``<section
  class="village-sheet">``) alone, when the report has village sheets.

Each is WIDTH px wide (default 1200) and reduced to 256 colours, to stay small (docs/img
keeps each under 300 kB). Needs Chromium (Debian: ``apt-get install chromium``).
"""

from __future__ import annotations

import argparse
import inspect
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from planner.api import load_instance, solve
from planner.core.files import write_text
from planner.plan.plan import Plan
from planner.report import screenshot, write_report
from planner.report.charts import charts_section
from planner.report.document import Doc, to_html
from planner.report.inputs import load_plan_instance, period_ids

ROOT = Path(__file__).resolve().parents[1]
FIRST_PAGE = "report_zh_first_page.png"
SHEET = "report_zh_village_sheet.png"
#: An A4 page (297 x 210 mm) as many px high as WIDTH is wide
A4_RATIO = 297 / 210

# Keeps the first village sheet and hides the rest of the page (a temporary copy only).
ONLY_FIRST_SHEET = """
const sheet = document.querySelector('.village-sheet');
if (sheet) {
  for (let el = sheet; el && el !== document.body; el = el.parentElement) {
    for (const sib of el.parentElement.children) { if (sib !== el) sib.style.display = 'none'; }
  }
  document.body.setAttribute('data-sheet', 'yes');
}
"""


def _plan_and_instance(source: Path):
    if source.suffix in (".yaml", ".yml"):
        li = load_instance(source)
        return solve(li), li
    plan = Plan.from_json(source / "plan.json" if source.is_dir() else source)
    li, why = load_plan_instance(plan)
    if li is None:
        raise SystemExit(f"error: the plan's instance could not be loaded: {why}")
    return plan, li


def chinese_report(plan, li, out: Path) -> Path:
    """The plan's report in Chinese in ``out``; its report.html.

    With a write_report that takes ``lang`` the whole report; before it did, a page of the
    Chinese charts under the township's Chinese name."""
    if "lang" in inspect.signature(write_report).parameters:
        return write_report(plan, out, instance=li, lang="zh")[1]
    out.mkdir(parents=True, exist_ok=True)
    town = li.instance.township
    title = f"{town.name_zh or town.name}规划方案"
    doc = Doc()
    doc.h(1, title)
    charts_section(doc, plan, li, period_ids(plan), out / "figures", lang="zh")
    html = out / "report.html"
    write_text(html, to_html(doc, title))
    return html


def _small_png(png: Path) -> None:
    """256 colours, optimised: a page of text and charts at a fraction of the size."""
    from PIL import Image

    with Image.open(png) as im:
        small = im.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    small.save(png, optimize=True)


def sheet_screenshot(html: Path, png: Path, *, width: int = 1200, chromium: str | None = None) -> Path | None:
    """A screenshot of the first village sheet of ``html`` alone (a copy of the page with a
    script that hides the rest); None when the page has no village sheet."""
    text = html.read_text(encoding="utf-8")
    if 'class="village-sheet"' not in text:
        return None
    with tempfile.TemporaryDirectory(prefix="planner-shots-") as tmp:
        copy = Path(tmp) / "sheet.html"
        copy.write_text(text.replace("</body>", f"<script>{ONLY_FIRST_SHEET}</script></body>", 1), encoding="utf-8")
        screenshot(copy, png, width=width, chromium=chromium)
    _small_png(png)
    return png


def make_screenshots(
    source: str | Path,
    out_dir: str | Path,
    *,
    report_dir: str | Path | None = None,
    width: int = 1200,
    chromium: str | None = None,
) -> dict[str, Path]:
    """Write the Chinese report of ``source`` (a plan directory or an instance YAML) and its
    screenshots into ``out_dir``; returns {file name: path} of the PNGs written."""
    plan, li = _plan_and_instance(Path(source))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="planner-report-zh-") as tmp:
        html = chinese_report(plan, li, Path(report_dir) if report_dir else Path(tmp))
        first = screenshot(html, out / FIRST_PAGE, width=width, height=round(width * A4_RATIO), chromium=chromium)
        _small_png(first)
        made = {FIRST_PAGE: first}
        sheet = sheet_screenshot(html, out / SHEET, width=width, chromium=chromium)
        if sheet is not None:
            made[SHEET] = sheet
    return made


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    solved = (Path("out/nuanshui") / "plan.json").is_file()
    default = "out/nuanshui" if solved else str(ROOT / "instances" / "nuanshui.yaml")
    ap.add_argument("source", nargs="?", default=default, help=f"plan directory or instance YAML (default {default})")
    ap.add_argument("--out", default=str(ROOT / "docs" / "img"), help="where the PNGs go (default docs/img)")
    ap.add_argument("--report-dir", default=None, help="keep the Chinese report here (default: a temporary directory)")
    ap.add_argument("--width", type=int, default=1200, help="width in px (default 1200)")
    ap.add_argument("--chromium", default=None, help="Chromium/Chrome binary (default: found as planner report does)")
    a = ap.parse_args(argv)
    try:
        made = make_screenshots(a.source, a.out, report_dir=a.report_dir, width=a.width, chromium=a.chromium)
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for path in made.values():
        print(f"wrote {path} ({path.stat().st_size // 1024} kB)")
    if SHEET not in made:
        print("the report has no village sheets: no sheet screenshot")
    return 0


if __name__ == "__main__":
    sys.exit(main())
