"""Printing on the terminal: user text is shown as text, never interpreted.

Instance names, ids, labels, paths and the messages that quote them are printed as
they are written: no console markup (``[bold]``, ``[/]``), no emoji codes, no syntax
highlighting, and control characters (ESC, BEL, CR, the bidirectional overrides, ...)
shown as escapes (``\\x1b``) so nothing in an input can move the cursor, recolour the
terminal or hide text. Everything is linear in the length of the text.

The one mechanism: :class:`SafeConsole` renders every ``str`` it is given (print
arguments, table cells, titles) that way, and styled lines are :class:`rich.text.Text`
built with :func:`styled`, whose parts are shown as text too.
"""

from __future__ import annotations

import re
from typing import Any, Union

from rich.console import Console
from rich.text import Text

# C0 controls, DEL, C1 controls, the Unicode bidirectional controls (which can reorder
# what a line shows) and the line/paragraph separators.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")
_CONTROL_BUT_NEWLINE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")


def _escape(m: re.Match) -> str:
    c = ord(m.group())
    return f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}"


def visible(value: Any, *, newlines: bool = False) -> str:
    """``value`` as a string with every control character written as an escape
    (``"a\\x1bb"`` for ``"a<ESC>b"``); with ``newlines``, line breaks are kept."""
    s = value if isinstance(value, str) else str(value)
    return (_CONTROL_BUT_NEWLINE if newlines else _CONTROL).sub(_escape, s)


Part = Union[str, Any, "tuple[Any, str]"]


def styled(*parts: Part) -> Text:
    """One line for the console from parts shown as text (control characters escaped,
    line breaks too); a ``(text, style)`` pair is styled, e.g.
    ``styled(("error:", "bold red"), f" {n} problems")``."""
    out = Text()
    for p in parts:
        if isinstance(p, tuple):
            out.append(visible(p[0]), style=p[1])
        else:
            out.append(visible(p))
    return out


class SafeConsole(Console):
    """A rich console for output that carries user text: a ``str`` is always shown as
    text, without markup, emoji codes or highlighting, its control characters (other
    than line breaks) escaped. Styles come only from :class:`~rich.text.Text` parts."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.update(markup=False, emoji=False, highlight=False)
        super().__init__(**kwargs)

    def render_str(self, text: str, **kwargs: Any) -> Text:  # type: ignore[override]
        kwargs.update(markup=False, emoji=False, highlight=False, highlighter=None)
        return super().render_str(visible(text, newlines=True), **kwargs)
