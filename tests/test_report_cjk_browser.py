"""A Chinese report in a real browser (headless Chromium, as tests/test_report.py's
screenshot): every Chinese character of the page is drawn with a glyph, not an empty box.

The charts are PNGs whose glyphs tests/test_charts_cjk.py checks; here the page's own text.
A probe script, added to a temporary copy of the page (planner.report.chromium.dump_dom;
the report has no script), waits for the fonts, then draws each distinct Chinese
character of the page on a canvas in the page's font and compares the pixels with those
of an unassigned code point (U+0378), which every font draws as its missing-glyph box.
A character drawn the same as that box is missing. It also draws each character in the
embedded font alone ("Planner CJK"): the same pixels show the embedded font is what draws
it, whatever fonts the machine has.
"""

from __future__ import annotations

import html
import inspect
import json
import re

import pytest
from cjkhelpers import chromium_or_fail_in_ci, tiny_zh

import planner
from planner.core import labels
from planner.report import chromium, fonts, write_report
from planner.report.charts import charts_section
from planner.report.document import Doc, to_html
from planner.report.inputs import period_ids

PROBE = r"""
(async () => {
  const out = {};
  try {
    await document.fonts.ready;
    const cjk = /[\u2E80-\u9FFF\uF900-\uFAFF\uFF00-\uFFEF]/;
    const chars = [...new Set([...document.body.innerText].filter(c => cjk.test(c)))];
    await document.fonts.load('40px "FAMILY"', chars.join('') || '\u6751');
    out.faces = [...document.fonts].map(f => [f.family.replace(/"/g, ''), f.status]);
    out.check = document.fonts.check('16px "FAMILY"', '\u6696\u6c34\u6751');
    const page = getComputedStyle(document.body).fontFamily;
    const c = document.createElement('canvas');
    c.width = 56; c.height = 56;
    const ctx = c.getContext('2d', {willReadFrequently: true});
    const draw = (ch, font) => {
      ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, 56, 56); ctx.fillStyle = '#000';
      ctx.font = '40px ' + font; ctx.textBaseline = 'alphabetic'; ctx.fillText(ch, 4, 44);
      const d = ctx.getImageData(0, 0, 56, 56).data;
      let h = 0, ink = 0;
      for (let i = 0; i < d.length; i += 4) { h = (h * 31 + d[i]) >>> 0; if (d[i] < 128) ink++; }
      return h + ':' + ink;
    };
    const box = draw('\u0378', page);
    out.chars = chars.join('');
    out.missing = chars.filter(ch => draw(ch, page) === box).join('');
    out.blank = chars.filter(ch => draw(ch, page).endsWith(':0')).join('');
    out.not_embedded = chars.filter(ch => draw(ch, page) !== draw(ch, '"FAMILY"')).join('');
    out.control_missing = ['\uE000', '\u0378'].filter(ch => draw(ch, page) === box).length;
  } catch (e) { out.error = String(e); }
  document.body.setAttribute('data-glyphs', JSON.stringify(out));
})();
""".replace("FAMILY", fonts.CSS_FAMILY)


def _probe(page) -> dict:
    dom = chromium.dump_dom(page, script=PROBE, wait_ms=10_000)
    m = re.search(r'data-glyphs="([^"]*)"', dom)
    assert m, "the probe did not run"
    result = json.loads(html.unescape(m.group(1)))
    assert "error" not in result, result
    return result


@pytest.fixture(scope="module")
def chinese_page(tmp_path_factory):
    """A Chinese report of tiny with 暖水村 and 圪秋沟村: the full report when write_report
    takes a language, else the Chinese charts with every Chinese word of the registry."""
    out = tmp_path_factory.mktemp("zh")
    li = tiny_zh()
    plan = planner.solve(li)
    if "lang" in inspect.signature(write_report).parameters:
        write_report(plan, out, instance=li, lang="zh")
        page = out / "report.html"
    else:
        doc = Doc()
        doc.h(1, "暖水村、圪秋沟村规划方案")
        charts_section(doc, plan, li, period_ids(plan), out / "figures", lang="zh")
        page = out / "report.html"
        page.write_text(to_html(doc, "规划方案"), encoding="utf-8")
    text = page.read_text(encoding="utf-8")
    # and every Chinese word the registry has, so each can be checked in the browser
    words = [zh for kind in labels.TERMS.values() for _, zh in kind.values()]
    doc = Doc()
    doc.items(words)
    words_html = to_html(doc, "词表")
    body = words_html[words_html.index("<main>") + len("<main>") : words_html.index("</main>")]
    words_page = out / "words.html"
    words_page.write_text(words_html, encoding="utf-8")
    return page, text, words_page, body


def test_every_chinese_character_of_the_report_is_drawn_with_a_glyph(chinese_page):
    chromium_or_fail_in_ci()
    page, text, _, _ = chinese_page
    r = _probe(page)
    assert [fonts.CSS_FAMILY, "loaded"] in r["faces"] and r["check"] is True
    assert len(r["chars"]) > 50 and "暖" in r["chars"] and "村" in r["chars"]
    assert r["missing"] == "" and r["blank"] == ""
    assert r["not_embedded"] == ""  # each drawn by the font report.html carries
    assert r["control_missing"] == 2  # the probe does see a missing glyph when there is one
    assert set(r["chars"]) <= set(text)


def test_every_chinese_word_of_the_registry_is_drawn_with_a_glyph(chinese_page):
    chromium_or_fail_in_ci()
    _, _, words_page, body = chinese_page
    r = _probe(words_page)
    assert len(r["chars"]) > 200
    assert r["missing"] == "" and r["blank"] == "" and r["not_embedded"] == ""
    assert set(r["chars"]) == set(fonts.cjk_chars(html.unescape(re.sub(r"<[^>]+>", "", body))))
