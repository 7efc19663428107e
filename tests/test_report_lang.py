"""The report in English or Chinese (``write_report(..., lang=)``): every heading, table
header and label from the registry, villages and projects by their names; one printable
page per village (``<section class="village-sheet">``); the solver's vocabulary only in the
appendix for analysts at the end, which the plan part points to; the status, termination
and optimality gap first in both languages."""

from __future__ import annotations

import dataclasses
import re

import pytest
from nuanshui_explained import nuanshui_explained

import planner
from planner.core.labels import name_of
from planner.report import write_report
from planner.report.document import Doc, to_html, to_markdown

CJK = re.compile(r"[\u4e00-\u9fff]")
SOLVER_WORDS = re.compile(
    r"shadow price|\bduals?\b|\bbasis\b|degenera|\bLP\b|reduced cost|\bbinding\b|影子价格|对偶|退化",
    re.IGNORECASE,
)
APPENDIX = {"en": "## Appendix for analysts", "zh": "## 附录（供分析人员）"}
SHEET = '<section class="village-sheet">'


def _read(paths) -> tuple[str, str]:
    md, html = paths
    return md.read_text(encoding="utf-8"), html.read_text(encoding="utf-8")


def _plan_part(md: str, lang: str) -> str:
    """The report before its appendix, which must be its last h2 section."""
    i = md.index(APPENDIX[lang])
    assert "\n## " not in md[i + 3 :], "the appendix is not the last section"
    return md[:i]


def _without_charts(md: str) -> str:
    """The report without its charts section (the h2 section that links the figures; its
    words are the charts' own module's)."""
    parts = re.split(r"(?m)^(?=## )", md)
    return "".join(p for p in parts if "](figures/" not in p)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    li = planner.examples.tiny()
    plan = planner.solve(li)
    assert plan.status == "optimal"
    out = tmp_path_factory.mktemp("tiny-lang")
    return li, plan, {lang: _read(write_report(plan, out / lang, instance=li, lang=lang)) for lang in ("en", "zh")}


@pytest.fixture(scope="module")
def nuanshui(tmp_path_factory):
    li, plan, ex = nuanshui_explained()
    out = tmp_path_factory.mktemp("nuanshui-lang")
    reports = {
        lang: _read(write_report(plan, out / lang, explanation=ex, instance=li, lang=lang)) for lang in ("en", "zh")
    }
    return li, plan, reports


def test_page_blocks_are_sections_in_html_and_rules_in_markdown(tmp_path):
    doc = Doc()
    doc.p("before")
    doc.page("village-sheet")
    doc.p("inside")
    doc.end_page()
    html, md = to_html(doc, "t"), to_markdown(doc, tmp_path)
    assert '<section class="village-sheet">\n<p>inside</p>\n</section>' in html
    assert md.index("before") < md.index("---") < md.index("inside")


def test_chinese_headings_headers_and_status_first(tiny):
    """In Chinese every heading and table header is Chinese (a period column is its year);
    the status table leads, with the status, termination and optimality gap."""
    li, plan, reports = tiny
    md, html = reports["zh"]
    body = _without_charts(md)
    heads = re.findall(r"(?m)^#+ (.*)$", body)
    assert heads and [h for h in heads if not CJK.search(h)] == []
    periods = {p.id for p in li.instance.periods}
    for line in body.splitlines():
        if line.startswith("|") and not line.startswith("|---"):
            nxt = body.split(line, 1)[1].lstrip("\n")
            if nxt.startswith("|---"):  # a header row
                cells = [c.strip() for c in line.strip("|").split("|")]
                assert all(CJK.search(c) or c in periods for c in cells), cells
    kpis = md.index("## 各规划期主要指标")
    for word in ("方案状态", "最优（已证明）", "求解终止原因", "convergenceCriteriaSatisfied", "最优性间隙", "通过"):
        assert md.index(word) < kpis, word
    assert html.startswith('<!DOCTYPE html>\n<html lang="zh-CN">')


def test_not_optimal_warning_in_chinese(tiny, tmp_path):
    li, plan, _ = tiny
    bad = dataclasses.replace(plan, status="feasible", termination="maxTimeLimit", mip_gap=0.05)
    md, html = _read(write_report(bad, tmp_path, instance=li, lang="zh"))
    warn = re.search(r'<div class="warn"[^>]*>(.*?)</div>', html, re.DOTALL)
    assert warn and "未证明最优" in warn.group(1) and "maxTimeLimit" in warn.group(1) and "0.05" in warn.group(1)
    assert warn.group(1).startswith("警告")
    assert html.index('class="warn"') < html.index("各规划期主要指标")


def test_one_printable_page_per_village(tiny):
    """One village-sheet section per village in the HTML, each closed, in the instance's
    order; a horizontal rule before each in the Markdown."""
    li, _, reports = tiny
    for lang, (md, html) in reports.items():
        assert html.count(SHEET) == len(li.instance.villages) == html.count("</section>")
        names = [name_of(v, lang) for v in li.instance.villages]
        at = [
            html.index(SHEET + f"\n<h3>{'Village plan sheet: ' if lang == 'en' else '村级实施方案：'}{n}")
            for n in names
        ]
        assert at == sorted(at)
        sheets = md[
            md.index("## " + ("Village plan sheets" if lang == "en" else "村级实施方案")) : md.index(APPENDIX[lang])
        ]
        assert sheets.count("\n---\n") == len(names)


def test_the_plan_part_points_to_the_appendix_at_the_end(tiny):
    for lang, (md, _) in tiny[2].items():
        part = _plan_part(md, lang)
        pointer = "appendix for analysts at the end" if lang == "en" else "文末的附录（供分析人员）"
        assert pointer in part and part.index(pointer) < part.index("\n## ", part.index(pointer))
        assert not SOLVER_WORDS.search(part), SOLVER_WORDS.search(part)


def test_nuanshui_in_chinese_names_villages_and_no_ids(nuanshui):
    """The Chinese report names every Nuanshui village by its Chinese name (暖水村 ...), and
    before the appendix shows no snake_case id of a use, cover or role, nor a solver word, in
    either language."""
    li, _, reports = nuanshui
    ids = {u for u in li.library.uses} | {c for c in li.library.covers} | {r.id for r in li.instance.roles}
    snake = sorted(i for i in ids if "_" in i)
    assert "ecological_forest" in snake and "afforestation_workers" in snake
    for lang, (md, _) in reports.items():
        part = _plan_part(md, lang)
        found = [i for i in snake if re.search(rf"\b{re.escape(i)}\b", part)]
        assert found == [], (lang, found)
        assert not SOLVER_WORDS.search(part), (lang, SOLVER_WORDS.search(part))
        assert "could not be written" not in md and "无法生成" not in md
    zh = _plan_part(reports["zh"][0], "zh")
    for v in li.instance.villages:
        assert v.name_zh and v.name_zh in zh, v.id
    assert "暖水村" in zh and "村级实施方案：暖水村" in zh
    # the appendix names merged land units (the explanation's rows) and says what they are
    for lang, said in (("en", "is a land unit of the optimisation"), ("zh", "合并用地单元")):
        appendix = reports[lang][0][reports[lang][0].index(APPENDIX[lang]) :]
        assert re.search(r"\b[A-Z]{3}\d{3}\+\d+\b", appendix) and said in appendix
    assert "rule prices" not in zh and "shadow" not in reports["zh"][0][: reports["zh"][0].index(APPENDIX["zh"])]


def test_unknown_language_is_named(tiny, tmp_path):
    li, plan, _ = tiny
    with pytest.raises(ValueError, match="language 'fr'"):
        write_report(plan, tmp_path, instance=li, lang="fr")
