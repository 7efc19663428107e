"""The report on paper: report.html's print style sheet (A4 or A3, page breaks, repeated
table heads), the Chinese font embedded in it, and report.pdf printed by headless
Chromium (`planner report DIR --pdf`), which exits 2 and says what to install when there
is no browser."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import pytest
from cjkhelpers import chromium_or_fail_in_ci
from fontTools.ttLib import TTFont
from typer.testing import CliRunner

import planner
from planner import examples
from planner.cli import app
from planner.report import chromium, fonts, write_report
from planner.report.document import Doc, to_html

# A4 and A3 in PDF points (1/72 inch): 210 x 297 mm and 297 x 420 mm
A4_PT = (595.3, 841.9)
A3_PT = (841.9, 1190.6)


@pytest.fixture(scope="module")
def solved(tmp_path_factory):
    """tiny, solved and written (plan.json) with its English report."""
    out = tmp_path_factory.mktemp("tiny")
    li = examples.tiny()
    plan = planner.solve(li)
    assert plan.status == "optimal"
    plan.write(out)
    write_report(plan, out, instance=li)
    return out, plan, li


def _pages(pdf: bytes) -> list[tuple[float, float]]:
    """The (width, height) in points of each page object of a PDF (``/Type /Page``, not ``/Pages``)."""
    sizes = []
    for m in re.finditer(rb"/Type\s*/Page(?![a-zA-Z])", pdf):
        obj = pdf[pdf.rfind(b" obj", 0, m.start()) : pdf.find(b"endobj", m.end())]
        box = re.search(rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]", obj)
        assert box, obj[:200]
        x0, y0, x1, y1 = (float(v) for v in box.groups())
        sizes.append((x1 - x0, y1 - y0))
    return sizes


def _close(size: tuple[float, float], want: tuple[float, float]) -> bool:
    return abs(size[0] - want[0]) < 2 and abs(size[1] - want[1]) < 2


# --- the print style sheet ----------------------------------------------------------


def test_print_css_a4_by_default_a3_on_request():
    doc = Doc()
    doc.h(1, "Plan")
    a4, a3 = to_html(doc, "t"), to_html(doc, "t", paper="a3")
    assert "@page { size: A4 portrait; margin: 15mm; }" in a4 and "A3" not in a4
    assert "@page { size: A3 portrait; margin: 15mm; }" in a3
    css = a4[a4.index("@media print") :]
    for rule in (
        "thead { display: table-header-group; }",
        ".village-sheet { break-before: page;",
        "figure, .warn, .note { break-inside: avoid;",
        "nav, .toc, .no-print, .screen-only { display: none !important; }",
    ):
        assert rule in css, rule
    with pytest.raises(ValueError, match="paper 'a5'"):
        to_html(doc, "t", paper="a5")


def test_an_english_page_embeds_no_font_a_chinese_one_its_characters_only():
    """No Chinese on the page: no @font-face (the page stays free of url()). With Chinese:
    one @font-face whose data: URI is a WOFF font holding a glyph for each Chinese
    character of the page, cut down to those (the full Noto Sans SC has 31,036 glyphs)."""
    doc = Doc()
    doc.h(1, "Plan for Nuanshui")
    doc.p("No Chinese here.")
    html_en = to_html(doc, "Plan")
    assert "@font-face" not in html_en and "url(" not in html_en
    doc.p("暖水村：生态林 12.5 公顷（2035）")
    html_zh = to_html(doc, "Plan")
    assert html_zh.count("@font-face") == 1 and f'font-family: "{fonts.CSS_FAMILY}"' in html_zh
    urls = re.findall(r"url\(([^)]{0,40})", html_zh)
    assert len(urls) == 1 and urls[0].startswith("data:font/woff;base64,")
    assert "http://" not in html_zh and "https://" not in html_zh and "<script" not in html_zh
    data = base64.b64decode(re.search(r"url\(data:font/woff;base64,([A-Za-z0-9+/=]+)\)", html_zh).group(1))
    assert data[:4] == b"wOFF" and len(data) < 60_000
    font = TTFont(io.BytesIO(data))
    cmap = font.getBestCmap()
    chars = fonts.cjk_chars("暖水村：生态林 公顷（）")
    assert all(ord(c) in cmap for c in chars), [c for c in chars if ord(c) not in cmap]
    assert ord("乡") not in cmap and len(font.getGlyphOrder()) < 40


# --- report.pdf ---------------------------------------------------------------------


def test_print_pdf_of_the_tiny_report_has_several_a4_pages(solved, tmp_path):
    chromium_or_fail_in_ci()
    out, _, _ = solved
    pdf = chromium.print_pdf(out / "report.html", tmp_path / "report.pdf")
    data = pdf.read_bytes()
    assert data[:5] == b"%PDF-"
    pages = _pages(data)
    assert len(pages) > 1 and all(_close(p, A4_PT) for p in pages), pages
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"]  # no temporary file left


def test_each_village_sheet_starts_a_new_page(tmp_path):
    """Three short sheets after a short page: four pages; the same sections without the
    class fit on one."""
    chromium_or_fail_in_ci()
    doc = Doc()
    doc.h(1, "Plan")
    base = to_html(doc, "Plan")
    for cls, want in (("village-sheet", 4), ("other", 1)):
        sheets = "".join(f'<section class="{cls}"><h2>Village {i}</h2><p>One line.</p></section>' for i in range(3))
        page = tmp_path / f"{cls}.html"
        page.write_text(base.replace("</main>", sheets + "</main>"), encoding="utf-8")
        pdf = chromium.print_pdf(page, tmp_path / f"{cls}.pdf")
        assert len(_pages(pdf.read_bytes())) == want, cls


def _invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def test_planner_report_pdf_writes_report_pdf_on_a3_when_asked(solved, tmp_path):
    chromium_or_fail_in_ci()
    out, _, _ = solved
    r = _invoke("report", str(out), "--out", str(tmp_path), "--pdf", "--paper", "a3")
    assert r.exit_code == 0, r.output
    pdf = tmp_path / "report.pdf"
    assert f"wrote {pdf}" in r.output.replace("\n", "")
    pages = _pages(pdf.read_bytes())
    assert len(pages) >= 1 and all(_close(p, A3_PT) for p in pages), pages
    assert "size: A3 portrait" in (tmp_path / "report.html").read_text(encoding="utf-8")


def test_planner_report_pdf_without_a_browser_exits_2_and_says_what_to_install(solved, tmp_path, monkeypatch):
    out, _, _ = solved

    def none(chromium_path=None):
        raise chromium.ChromiumNotFound("Chromium not found (looked nowhere)")

    monkeypatch.setattr(chromium, "find_chromium", none)
    r = _invoke("report", str(out), "--out", str(tmp_path / "r"), "--pdf")
    assert r.exit_code == 2
    text = " ".join(r.output.split())
    assert "--pdf" in text and "apt-get install chromium" in text and "Chrome or Microsoft Edge" in text
    assert chromium.ENV_CHROMIUM in text and "Traceback" not in text
    assert not (tmp_path / "r").exists()  # nothing written: the check comes first


def test_a_browser_named_in_the_environment_must_exist(monkeypatch, tmp_path):
    monkeypatch.setenv(chromium.ENV_CHROMIUM, str(tmp_path / "no-such-browser"))
    with pytest.raises(chromium.ChromiumNotFound, match=f"no-such-browser.*{chromium.ENV_CHROMIUM}"):
        chromium.find_chromium()
    fake = tmp_path / "my-chrome"
    fake.write_text("#!/bin/sh\n")
    monkeypatch.setenv(chromium.ENV_CHROMIUM, str(fake))
    assert Path(chromium.find_chromium()) == fake
