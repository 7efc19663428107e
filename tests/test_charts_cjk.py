"""Charts and maps in Chinese (planner.report.fonts, planner.report.charts with lang="zh").

matplotlib warns "Glyph NNNNN (\\N{CJK UNIFIED IDEOGRAPH-...}) missing from font(s) DejaVu
Sans" for every character it draws as an empty box; here that warning is an error, so a
chart that would show boxes fails. The font the planner registers must really have the
glyphs (its character map, read with FreeType), and every word on the charts comes from
the registry: villages by name, uses, services, recipients and roles by label, no ids."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from cjkhelpers import VILLAGES_ZH, tiny_zh
from matplotlib.ft2font import FT2Font
from matplotlib.text import Text

import planner
from planner.core import labels
from planner.report import FIGURES, MAP_FIGURES, charts, fonts, maps
from planner.report.charts import charts_section
from planner.report.document import Doc
from planner.report.inputs import period_ids

# matplotlib 3.8 says "missing from current font", 3.9+ "missing from font(s) X"
GLYPH_MISSING = r"Glyph .* missing from (current )?font"


@pytest.fixture(scope="module")
def li():
    """tiny with Chinese village and township names (Nuanshui's 暖水村 and 圪秋沟村)."""
    return tiny_zh()


@pytest.fixture(scope="module")
def plan(li):
    p = planner.solve(li)
    assert p.status == "optimal"
    return p


def _drawn(plan, li, lang, out: Path, monkeypatch) -> tuple[Doc, dict[str, list[str]]]:
    """The charts section in ``lang``, with every text each figure draws (title, axes,
    ticks, legend) read from the matplotlib figure as it is saved."""
    texts: dict[str, list[str]] = {}
    save = charts._save

    def spy(fig, out_dir, key, caption):
        texts[key] = [t.get_text() for t in fig.findobj(Text) if t.get_text()]
        return save(fig, out_dir, key, caption)

    monkeypatch.setattr(charts, "_save", spy)
    doc = Doc()
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=GLYPH_MISSING)
        charts_section(doc, plan, li, period_ids(plan), out, lang=lang)
    return doc, texts


def test_the_planner_font_has_every_chinese_character_it_prints():
    """The font found (the packaged Noto Sans SC) maps every Chinese character of the
    registry's words and of Nuanshui's village and township names to a glyph (index 0 is
    the missing glyph)."""
    path = fonts.cjk_font()
    assert path is not None and path.is_file(), f"no CJK font: pip install {fonts.CJK_PACKAGE}"
    font = FT2Font(str(path))
    nuanshui = planner.load_instance("instances/nuanshui.yaml").instance
    text = "".join(zh for kind in labels.TERMS.values() for _, zh in kind.values())
    text += "".join(v.name_zh for v in nuanshui.villages) + nuanshui.township.name_zh
    chars = fonts.cjk_chars(text)
    assert len(chars) > 200 and "村" in chars and "暖" in chars
    missing = [c for c in chars if font.get_char_index(ord(c)) == 0]
    assert missing == []
    # the check can fail: DejaVu Sans, matplotlib's own font, has none of them
    from matplotlib import font_manager

    dejavu = FT2Font(font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans")))
    assert all(dejavu.get_char_index(ord(c)) == 0 for c in "暖水村")


def test_without_the_fallback_matplotlib_warns_about_missing_glyphs(tmp_path):
    """The control: Chinese drawn in DejaVu Sans alone raises the warning the chart tests
    turn into an error (so those tests would fail if the fallback were lost)."""
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context({"font.family": ["DejaVu Sans"]}):
        fig = Figure()
        fig.text(0.5, 0.5, "暖水村")
        with pytest.warns(UserWarning, match=GLYPH_MISSING):
            fig.savefig(tmp_path / "boxes.png")


def test_chinese_charts_draw_every_glyph_and_only_registry_words(plan, li, tmp_path, monkeypatch):
    doc, texts = _drawn(plan, li, "zh", tmp_path / "figures", monkeypatch)
    figs = [b[1] for b in doc.blocks if b[0] == "fig"]
    assert [f.key for f in figs] == list(FIGURES)
    assert doc.blocks[0] == ("h", 2, "图表")
    assert not [b for b in doc.blocks if b[0] in ("p", "note")]  # no chart failed, no font missing
    everything = "\n".join(t for ts in texts.values() for t in ts)
    # villages by their Chinese names, the township-wide rows under the township's
    for word in ("暖水村", "圪秋沟村", "小乡"):
        assert word in everything
    # uses, services, recipients and roles by their Chinese labels
    for kind, key in (("use", "ecological_forest"), ("service", "climate_regulation"), ("role", "fruit_farmers")):
        assert labels.term(kind, key, "zh") in everything
    for r in ("villagers", "village_collective", "social_capital"):
        assert labels.term("word", f"recipient_{r}", "zh") in everything
    # no id and no English word of the charts is left
    for raw in ("ecological_forest", "climate_regulation", "village_collective", "fruit_farmers", "east", "(township)"):
        assert raw not in everything
    assert not [t for t in everything.split("\n") if any(w in t for w in ("Area", "GEP by", "Budget", "recipient"))]
    for f in figs:
        assert fonts.cjk_chars(f.caption) and f.path.is_file()


def test_english_charts_name_villages_and_uses_in_words(plan, li, tmp_path, monkeypatch):
    doc, texts = _drawn(plan, li, "en", tmp_path / "figures", monkeypatch)
    everything = "\n".join(t for ts in texts.values() for t in ts)
    assert "East" in everything and "West" in everything and "Ecological forest" in everything
    assert "Village collective" in everything and "Fruit farmers" in everything
    assert "ecological_forest" not in everything and "village_collective" not in everything
    assert not fonts.cjk_chars(everything)
    assert doc.blocks[0] == ("h", 2, "Charts")


def test_without_a_chinese_font_a_chinese_report_says_how_to_get_one(plan, li, tmp_path, monkeypatch):
    monkeypatch.setattr(fonts, "cjk_family", lambda: None)
    doc = Doc()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the boxes this test is about
        charts_section(doc, plan, li, period_ids(plan), tmp_path, lang="zh")
    notes = [b[1] for b in doc.blocks if b[0] == "note"]
    assert len(notes) == 1 and f"pip install {fonts.CJK_PACKAGE}" in notes[0] and fonts.ENV_FONT in notes[0]


def test_a_font_file_named_in_the_environment_is_used_only_if_it_has_the_glyphs(tmp_path, monkeypatch):
    """PLANNER_CJK_FONT wins when it is a font with Chinese; a file without them (DejaVu
    Sans) or that is no font is passed over for the packaged one."""
    from matplotlib import font_manager

    packaged = Path(__import__("pylopdf_fonts_zh_cn").sans_path())
    dejavu = font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans"))
    not_a_font = tmp_path / "x.otf"
    not_a_font.write_text("not a font")
    copy = tmp_path / "mine.otf"
    copy.write_bytes(packaged.read_bytes())
    try:
        for env, want in ((str(copy), copy), (dejavu, packaged), (str(not_a_font), packaged)):
            monkeypatch.setenv(fonts.ENV_FONT, env)
            fonts.cjk_font.cache_clear()
            assert fonts.cjk_font() == want, env
    finally:
        monkeypatch.delenv(fonts.ENV_FONT)
        fonts.cjk_font.cache_clear()


def test_maps_set_chinese_village_names_in_the_cjk_font(tmp_path):
    """The maps label villages by name: Chinese names are drawn without a missing glyph."""
    from geohelpers import write_tiny_geo

    geo = planner.load_instance(write_tiny_geo(tmp_path)).replace(
        villages=[{**v, "name": v["name_zh"]} for v in VILLAGES_ZH]
    )
    plan = planner.solve(geo)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=GLYPH_MISSING)
        for key, make in zip(MAP_FIGURES, (maps.use_map, maps.gep_change_map)):
            fig, _ = make(plan, geo)
            names = [t.get_text() for t in fig.findobj(Text)]
            assert any("暖水村" in n for n in names), key
            fig.savefig(tmp_path / f"{key}.png")
