"""A Chinese (CJK) font the report can count on, for its charts, maps and pages.

matplotlib draws with DejaVu Sans, which has no Chinese: a village called 暖水村 came out
as three empty boxes ("Glyph ... missing from font(s) DejaVu Sans"), even on a machine
with Noto CJK installed, because matplotlib never falls back to it by itself. The
planner depends on the pip package ``pylopdf-fonts-zh-cn`` (Noto Sans SC Regular, the
Simplified Chinese subset of Noto Sans CJK, 8 MB, SIL Open Font License 1.1), so every
machine that installs the planner has a font with the Chinese glyphs.

- :func:`cjk_font`: the font file: ``PLANNER_CJK_FONT`` when set, else the packaged Noto
  Sans SC, else a Chinese font matplotlib finds on the system (Noto Sans CJK SC, Source
  Han Sans SC, WenQuanYi, Microsoft YaHei, PingFang SC, SimHei); None when there is none.
- :func:`chart_rc` / :func:`cjk_text`: matplotlib settings (and a decorator applying them)
  that register the font and make the font family the list ``["DejaVu Sans", <CJK
  family>]``: Latin text stays in DejaVu Sans, and each character DejaVu lacks falls
  back to the Chinese font (matplotlib >= 3.6).
- :func:`font_face_css`: an ``@font-face`` rule for ``report.html`` with the font cut
  down to the Chinese characters of the page (a few kB to a few hundred kB) and embedded as
  a ``data:`` URI, so the page, its print-out and its PDF show Chinese on any machine,
  even one without a Chinese font, and still load nothing from anywhere.

matplotlib and fontTools are imported only when a function here is called.
"""

from __future__ import annotations

import base64
import functools
import io
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

__all__ = [
    "CJK_PACKAGE",
    "CSS_CJK_STACK",
    "CSS_FAMILY",
    "ENV_FONT",
    "LATIN_FAMILY",
    "chart_rc",
    "cjk_chars",
    "cjk_family",
    "cjk_font",
    "cjk_text",
    "font_face_css",
    "has_glyphs",
]

#: The pip package that ships the font (a core dependency of the planner).
CJK_PACKAGE = "pylopdf-fonts-zh-cn"
#: A font file to use instead (an .otf or .ttf with Chinese glyphs).
ENV_FONT = "PLANNER_CJK_FONT"
LATIN_FAMILY = "DejaVu Sans"
#: Chinese fonts matplotlib may find on a system, in order of preference.
SYSTEM_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "PingFang SC",
    "SimHei",
)
#: The name report.html gives its embedded font.
CSS_FAMILY = "Planner CJK"
#: Chinese fonts a reader's system may have, after the embedded one (CSS font-family list).
CSS_CJK_STACK = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", "SimHei"'
#: Code points set in the Chinese font: CJK radicals, symbols and punctuation, kana, the
#: unified ideographs and their extensions, compatibility ideographs, vertical and
#: full-width forms (，：（）).
CJK_RANGES = (
    (0x2E80, 0x2FDF),
    (0x3000, 0x30FF),
    (0x3100, 0x31BF),
    (0x31F0, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0xFE10, 0xFE1F),
    (0xFE30, 0xFE4F),
    (0xFF00, 0xFFEF),
    (0x20000, 0x3134F),
)
PROBE = "暖水村"

F = TypeVar("F", bound=Callable[..., Any])


def _is_cjk(c: str) -> bool:
    o = ord(c)
    return any(lo <= o <= hi for lo, hi in CJK_RANGES)


def cjk_chars(text: str) -> str:
    """The distinct CJK characters of ``text``, in order of code point."""
    return "".join(sorted({c for c in text if _is_cjk(c)}))


def has_glyphs(path: str | Path, text: str = PROBE) -> bool:
    """Whether the font file at ``path`` has a glyph for every character of ``text``."""
    try:
        from matplotlib.ft2font import FT2Font

        font = FT2Font(str(path))
    except (OSError, RuntimeError, ValueError):
        return False
    return all(font.get_char_index(ord(c)) != 0 for c in text)


def _packaged() -> Path | None:
    try:
        import pylopdf_fonts_zh_cn
    except ImportError:
        return None
    return Path(pylopdf_fonts_zh_cn.sans_path())


def _system() -> Path | None:
    from matplotlib import font_manager

    for family in SYSTEM_FAMILIES:
        try:
            found = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
        except ValueError:
            continue
        if has_glyphs(found):
            return Path(found)
    return None


@functools.cache
def cjk_font() -> Path | None:
    """The file of a font with Chinese glyphs (see the module's text), or None."""
    env = os.environ.get(ENV_FONT, "").strip()
    if env and Path(env).is_file() and has_glyphs(env):
        return Path(env)
    p = _packaged()
    if p is not None and p.is_file() and has_glyphs(p):
        return p
    return _system()


@functools.cache
def cjk_family() -> str | None:
    """Register :func:`cjk_font` with matplotlib and return its family name (None without one)."""
    path = cjk_font()
    if path is None:
        return None
    from matplotlib import font_manager

    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def chart_rc() -> dict[str, Any]:
    """matplotlib settings for the report's figures: Latin text in DejaVu Sans, anything
    it lacks in the Chinese font; labels are user text, so a ``$`` is not TeX math."""
    family = cjk_family()
    return {
        "font.family": [LATIN_FAMILY] + ([family] if family else []),
        "text.parse_math": False,
    }


def cjk_text(func: F) -> F:
    """Run ``func`` (a function that builds a matplotlib figure) under :func:`chart_rc`.

    Text takes its font family when it is created, so the figure keeps the fallback to
    the Chinese font when it is saved later, outside the function."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        import matplotlib

        with matplotlib.rc_context(chart_rc()):
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _unicode_range() -> str:
    return ", ".join(f"U+{lo:X}-{hi:X}" for lo, hi in CJK_RANGES)


def font_face_css(text: str) -> str:
    """An ``@font-face`` rule naming :data:`CSS_FAMILY`: :func:`cjk_font` cut down to the
    CJK characters of ``text`` (those it has), as a WOFF file in a ``data:`` URI, for
    those characters only (``unicode-range``). Empty when ``text`` has none, when there is
    no font, or when it cannot be cut (a font collection: the reader's system fonts of
    :data:`CSS_CJK_STACK` serve then)."""
    chars = cjk_chars(text)
    path = cjk_font()
    if not chars or path is None or path.suffix.lower() not in (".otf", ".ttf"):
        return ""
    try:
        from fontTools import subset
        from fontTools.ttLib import TTFont

        opts = subset.Options()
        opts.layout_features = ["*"]
        opts.notdef_outline = True
        opts.name_IDs = ["*"]
        opts.name_languages = ["*"]
        font = TTFont(str(path), lazy=True)
        sub = subset.Subsetter(opts)
        sub.populate(text=chars)
        sub.subset(font)
        font.flavor = "woff"  # zlib-compressed (WOFF 2 would need brotli)
        buf = io.BytesIO()
        font.save(buf)
    except Exception:  # noqa: BLE001 - a font that cannot be cut only loses the embedding
        return ""
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return (
        f'@font-face {{ font-family: "{CSS_FAMILY}"; font-style: normal; font-weight: 400; '
        f'src: url(data:font/woff;base64,{data}) format("woff"); unicode-range: {_unicode_range()}; }}'
    )
