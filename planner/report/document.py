"""A small document model for the report, rendered to Markdown (``report.md``) and to one
self-contained HTML page (``report.html``) laid out for print on A4 (or A3) paper.

The sections add headings, paragraphs, warnings, notes, lists, tables and figures to a
:class:`Doc`; :func:`to_markdown` and :func:`to_html` write it out. Text from the user (an
instance name, ids, labels) is escaped in both, so nothing in an input becomes a live tag,
link or script. The HTML embeds each figure as a ``data:`` URI and loads nothing from
anywhere; its Chinese text is set in the planner's CJK font, cut down to the page's
characters and embedded too (:func:`planner.report.fonts.font_face_css`), so the page,
its print-out and ``report.pdf`` show Chinese on a machine without a Chinese font.

Print (:data:`PRINT_CSS`): A4 portrait with 15 mm margins by default (``paper="a3"``: A3),
each village sheet (``<section class="village-sheet">``) on a new page, figures, images,
notes and table rows never split across pages, table headers repeated on each page, and
navigation left out.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from planner.core.labels import term
from planner.report.fonts import CSS_CJK_STACK, CSS_FAMILY, font_face_css

__all__ = ["CSS", "PAPERS", "PRINT_CSS", "Doc", "Figure", "to_html", "to_markdown"]


@dataclass
class Figure:
    """A chart saved as a PNG file, with its caption and its size in pixels."""

    key: str
    path: Path
    caption: str
    width: int
    height: int


@dataclass
class Doc:
    """The report as a list of blocks, in order, in a language (``en`` or ``zh``: the words
    the renderers add, such as "Warning", and the HTML page's ``lang``)."""

    blocks: list[tuple] = field(default_factory=list)
    lang: str = "en"

    def page(self, cls: str = "village-sheet") -> None:
        """Start a part that can begin a new printed page: ``<section class="CLS">`` in HTML (the
        print style sheet breaks the page before it), a horizontal rule in Markdown. End it with
        :meth:`end_page`."""
        self.blocks.append(("page", cls))

    def end_page(self) -> None:
        self.blocks.append(("end_page",))

    def h(self, level: int, text: str) -> None:
        self.blocks.append(("h", level, text))

    def p(self, text: str) -> None:
        self.blocks.append(("p", text))

    def warn(self, text: str) -> None:
        self.blocks.append(("warn", text))

    def note(self, text: str) -> None:
        self.blocks.append(("note", text))

    def items(self, items: Iterable[str]) -> None:
        self.blocks.append(("ul", [str(i) for i in items]))

    def table(self, header: list[str], rows: list[list[Any]], right: Iterable[int] = ()) -> None:
        """``right``: indices of the columns to right-align (numbers)."""
        self.blocks.append(
            ("table", [str(h) for h in header], [[("" if c is None else str(c)) for c in r] for r in rows], set(right))
        )

    def fig(self, f: Figure) -> None:
        self.blocks.append(("fig", f))


# Characters with a meaning in Markdown or HTML, in text that comes from the user (an
# instance name, ids, labels) as much as in the report's own: HTML is written as entities
# (no tag or script of an input becomes live when report.md is rendered), brackets and
# backticks are escaped (no link or code span), and a line break is a space.
_MD_TEXT = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\\": "\\\\", "[": "\\[", "]": "\\]", "`": "\\`", "\n": " ", "\r": " "}
)


def _md_text(s: Any) -> str:
    """Text for report.md, shown as written: see _MD_TEXT."""
    return str(s).translate(_MD_TEXT)


def _md_cell(s: Any) -> str:
    """A table cell: text, and ``|`` escaped so it cannot end the cell."""
    return _md_text(s).replace("|", "\\|")


def to_markdown(doc: Doc, out_dir: Path) -> str:
    """``report.md``: figures linked relative to ``out_dir``."""
    out: list[str] = []
    warning, note = (term("word", w, doc.lang) for w in ("warning", "note"))
    for b in doc.blocks:
        kind = b[0]
        if kind == "page":
            out.append("---\n")
        elif kind == "end_page":
            continue
        elif kind == "h":
            out.append(f"{'#' * b[1]} {_md_text(b[2])}\n")
        elif kind == "p":
            out.append(f"{_md_text(b[1])}\n")
        elif kind == "warn":
            out.append(f"> **{warning}:** {_md_text(b[1])}\n")
        elif kind == "note":
            out.append(f"> **{note}:** {_md_text(b[1])}\n")
        elif kind == "ul":
            out.append("\n".join(f"- {_md_text(i)}" for i in b[1]) + "\n")
        elif kind == "table":
            header, rows, right = b[1], b[2], b[3]
            lines = [
                "| " + " | ".join(_md_cell(h) for h in header) + " |",
                "|" + "|".join("---:" if i in right else "---" for i in range(len(header))) + "|",
            ]
            lines += ["| " + " | ".join(_md_cell(c) for c in r) + " |" for r in rows]
            out.append("\n".join(lines) + "\n")
        elif kind == "fig":
            f: Figure = b[1]
            rel = f.path.relative_to(out_dir).as_posix()
            out.append(f"![{_md_cell(f.caption)}]({rel})\n\n*{_md_text(f.caption)}*\n")
    return "\n".join(out)


def _e(text: Any) -> str:
    """Escape for HTML; '://' is written with an entity so no URL appears in the file."""
    return html.escape(str(text)).replace("://", "&#58;//")


# Chinese characters in the embedded CJK font (CSS_FAMILY, for those characters only), else
# in a Chinese font of the reader's system (CSS_CJK_STACK); the rest as before
FONT_FAMILY = f'"{CSS_FAMILY}", "DejaVu Sans", "Liberation Sans", Arial, Helvetica, {CSS_CJK_STACK}, sans-serif'

CSS = (
    "\nbody { font-family: "
    + FONT_FAMILY
    + """;
       font-size: 15px; line-height: 1.45; color: #1d2329; background: #ffffff; margin: 0; }
main { max-width: 1200px; margin: 0 auto; padding: 24px 32px 48px 32px; }
h1 { font-size: 28px; margin: 8px 0 16px 0; border-bottom: 3px solid #2f6f4f; padding-bottom: 6px; }
h2 { font-size: 22px; margin: 34px 0 10px 0; color: #234f3a; border-bottom: 1px solid #c9d6cf; padding-bottom: 3px; }
h3 { font-size: 17px; margin: 22px 0 8px 0; color: #234f3a; }
p { margin: 8px 0; }
table { border-collapse: collapse; margin: 8px 0 14px 0; font-size: 14px; }
th, td { border: 1px solid #c8ccd0; padding: 4px 9px; vertical-align: top; }
th { background: #e8efeb; text-align: left; font-weight: 600; }
tr:nth-child(even) td { background: #f6f8f7; }
td.num, th.num { text-align: right; white-space: nowrap; }
td.yes { color: #17622f; font-weight: 600; }
td.no { color: #a3171b; font-weight: 600; }
.warn { border: 2px solid #c0392b; background: #fdecea; color: #5c1511; padding: 10px 14px; margin: 12px 0;
        border-radius: 4px; font-weight: 600; }
.note { border-left: 5px solid #3d6f99; background: #eef4fa; padding: 8px 14px; margin: 10px 0; }
figure { margin: 14px 0 22px 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #dde2e6; }
figcaption { font-size: 13px; color: #4a545e; margin-top: 4px; }
ul { margin: 6px 0 12px 0; padding-left: 24px; }
li { margin: 3px 0; }
.wide { overflow-x: auto; }
"""
)

#: ``paper`` of :func:`to_html` -> the CSS page size (portrait).
PAPERS = {"a4": "A4", "a3": "A3"}

# Print: the page size comes from @page (PAPERS, set in to_html); colours of warnings and
# table heads are kept (print-color-adjust), nothing is cut off at the page's edge (.wide
# scrolls on screen only), and nothing that belongs together is split across two pages.
PRINT_CSS = """
@media print {
  body { font-size: 10pt; line-height: 1.35; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  main { max-width: none; margin: 0; padding: 0; }
  h1 { font-size: 18pt; margin-top: 0; }
  h2 { font-size: 14pt; margin: 14pt 0 6pt 0; }
  h3 { font-size: 11.5pt; margin: 10pt 0 4pt 0; }
  h1, h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
  p, li { orphans: 3; widows: 3; }
  table { font-size: 8.5pt; }
  th, td { padding: 2px 5px; }
  thead { display: table-header-group; }
  tfoot { display: table-footer-group; }
  tr, td, th, img, figure, .warn, .note { break-inside: avoid; page-break-inside: avoid; }
  figure img { max-width: 100%; max-height: 240mm; width: auto; border: none; }
  .wide { overflow: visible; }
  .village-sheet { break-before: page; page-break-before: always; }
  nav, .toc, .no-print, .screen-only { display: none !important; }
  a { color: inherit; text-decoration: none; }
}
"""


#: The HTML page's ``lang`` for the report's language: simplified Chinese for ``zh``, so that a
#: browser picks the mainland glyph forms.
HTML_LANG = {"en": "en", "zh": "zh-CN"}


def to_html(doc: Doc, title: str, *, paper: str = "a4") -> str:
    """``report.html``: one page, styles inline, figures and the Chinese font embedded;
    printed on ``paper`` ("a4" or "a3", :data:`PAPERS`)."""
    if paper not in PAPERS:
        raise ValueError(f"paper {paper!r}: use one of {', '.join(PAPERS)}")
    warning, note = (_e(term("word", w, doc.lang)) for w in ("warning", "note"))
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{_e(HTML_LANG.get(doc.lang, doc.lang))}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title>",
        f"<style>{CSS}@page {{ size: {PAPERS[paper]} portrait; margin: 15mm; }}{PRINT_CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
    ]
    for b in doc.blocks:
        kind = b[0]
        if kind == "page":
            out.append(f'<section class="{_e(b[1])}">')
        elif kind == "end_page":
            out.append("</section>")
        elif kind == "h":
            out.append(f"<h{b[1]}>{_e(b[2])}</h{b[1]}>")
        elif kind == "p":
            out.append(f"<p>{_e(b[1])}</p>")
        elif kind == "warn":
            out.append(f'<div class="warn" role="alert">{warning}: {_e(b[1])}</div>')
        elif kind == "note":
            out.append(f'<div class="note">{note}: {_e(b[1])}</div>')
        elif kind == "ul":
            out.append("<ul>" + "".join(f"<li>{_e(i)}</li>" for i in b[1]) + "</ul>")
        elif kind == "table":
            header, rows, right = b[1], b[2], b[3]
            t = ['<div class="wide"><table>', "<thead><tr>"]
            hs = [_e(h).replace("_", "_<wbr>") for h in header]
            t += [f'<th class="num">{h}</th>' if i in right else f"<th>{h}</th>" for i, h in enumerate(hs)]
            t.append("</tr></thead><tbody>")
            for r in rows:
                cells = []
                for i, c in enumerate(r):
                    cls = "num" if i in right else ("yes" if c == "yes" else "no" if c == "no" else "")
                    cells.append(f'<td class="{cls}">{_e(c)}</td>' if cls else f"<td>{_e(c)}</td>")
                t.append("<tr>" + "".join(cells) + "</tr>")
            t.append("</tbody></table></div>")
            out.append("".join(t))
        elif kind == "fig":
            f: Figure = b[1]
            data = base64.b64encode(f.path.read_bytes()).decode("ascii")
            out.append(
                f'<figure id="fig-{_e(f.key)}"><img alt="{_e(f.caption)}" width="{f.width}" height="{f.height}" '
                f'src="data:image/png;base64,{data}"><figcaption>{_e(f.caption)}</figcaption></figure>'
            )
    out += ["</main>", "</body>", "</html>", ""]
    page = "\n".join(out)
    # the page's Chinese characters, in the CJK font cut down to them (none: no font embedded)
    face = font_face_css(page)
    return page.replace("</style>", f"{face}\n</style>", 1) if face else page
