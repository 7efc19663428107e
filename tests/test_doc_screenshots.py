"""scripts/doc_screenshots.py, which makes docs/img/ (the Chinese report's screenshots):
run on tiny here (docs/img itself is made from Nuanshui), and its crop of one village
sheet on a page made for the purpose."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
from cjkhelpers import chromium_or_fail_in_ci
from PIL import Image

import planner
from planner.report.document import Doc, to_html

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("doc_screenshots", ROOT / "scripts" / "doc_screenshots.py")
shots = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(shots)


def _pixels(png: Path) -> np.ndarray:
    with Image.open(png) as im:
        return np.asarray(im.convert("RGB"), dtype=float) / 255.0


def test_screenshots_of_the_chinese_report_of_tiny(tmp_path):
    chromium_or_fail_in_ci()
    plan_dir = tmp_path / "plan"
    li = planner.examples.tiny()
    planner.solve(li).write(plan_dir)
    made = shots.make_screenshots(plan_dir, tmp_path / "img", report_dir=tmp_path / "zh")
    html = (tmp_path / "zh" / "report.html").read_text(encoding="utf-8")
    assert "图表" in html  # the Chinese report
    assert (shots.SHEET in made) == ('class="village-sheet"' in html)
    first = made[shots.FIRST_PAGE]
    img = _pixels(first)
    assert img.shape[:2] == (round(1200 * shots.A4_RATIO), 1200)  # one A4 page at 1200 px
    assert img.std() > 0.1 and (img < 0.5).mean() > 0.01  # not blank: ink on the page
    for png in made.values():
        assert png.stat().st_size < 300_000


def test_the_sheet_screenshot_shows_the_first_village_sheet_alone(tmp_path):
    """Two sheets, red then blue, after a green block: the picture has red, and neither
    the green block nor the blue sheet."""
    chromium_or_fail_in_ci()
    doc = Doc()
    doc.h(1, "Plan")
    page = to_html(doc, "Plan").replace(
        "</main>",
        '<div style="background:#00c000;height:300px"></div>'
        '<section class="village-sheet"><h2>暖水村</h2><div style="background:#ff0000;height:400px"></div></section>'
        '<section class="village-sheet"><h2>East</h2><div style="background:#0000ff;height:400px"></div></section>'
        "</main>",
    )
    html = tmp_path / "page.html"
    html.write_text(page, encoding="utf-8")
    png = shots.sheet_screenshot(html, tmp_path / "sheet.png")
    img = _pixels(png)
    r, g, b = img[..., 0], img[..., 1], img[..., 2]
    red = (r > 0.9) & (g < 0.1) & (b < 0.1)
    blue = (b > 0.9) & (r < 0.1) & (g < 0.1)
    green = (g > 0.6) & (r < 0.1) & (b < 0.1)
    assert red.sum() > 1200 * 300 and blue.sum() == 0 and green.sum() == 0
    doc_without = tmp_path / "none.html"
    doc_without.write_text(to_html(doc, "Plan"), encoding="utf-8")
    assert shots.sheet_screenshot(doc_without, tmp_path / "none.png") is None
