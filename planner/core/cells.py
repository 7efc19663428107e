"""CSV cells that a spreadsheet would run as a formula (CSV injection, OWASP rule).

Every CSV the planner writes for people goes through :func:`csv_text` (or
:func:`write_csv`): a **text** cell (and a column name) that starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return gets a leading single quote ``'``, so a
spreadsheet shows it as text instead of evaluating it (``=HYPERLINK(...)``,
``@SUM(A1)``, ``-1+1``). Numbers are never touched: a negative area or loan stays a
number. A text cell that already starts with ``'`` gets one more, so the quote is
reversible: :func:`restore` removes exactly the quote :func:`neutralise` added and
``restore(neutralise(s)) == s`` for every string ``s``. The planner reads its own CSVs
back through :func:`restore_frame` (``planner verify``, the instance loader).

A CSV field holding a carriage return is written quoted (with every text field quoted),
so that a reader does not take it for the end of a row.

Numbers are written to :data:`SIGNIFICANT` significant digits (:func:`round_sig`), so the
binary noise of a sum (``16.869999999999997``) is written as the number people mean
(``16.87``); a value read back is within 1e-11 (relative) of the one written, far inside
the 1e-9 the verifier allows between a CSV table and plan.json.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

#: Significant digits of the numbers the planner writes for people (CSV tables, plan.gpkg):
#: enough for any area, sum of money or share, few enough to drop binary noise.
SIGNIFICANT = 12

#: First characters that make a spreadsheet evaluate a cell.
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
_NEEDS_QUOTE = TRIGGERS + (QUOTE,)


def neutralise(value: Any) -> Any:
    """``value`` as written to a CSV for people: a string starting with a formula trigger
    (or with ``'``) gets a leading ``'``; anything else (numbers, booleans, None) is returned
    unchanged."""
    if isinstance(value, str) and value.startswith(_NEEDS_QUOTE):
        return QUOTE + value
    return value


def restore(value: Any) -> Any:
    """The inverse of :func:`neutralise`: drop one leading ``'`` when what follows starts
    with a formula trigger or ``'``; anything else is returned unchanged."""
    if isinstance(value, str) and len(value) > 1 and value[0] == QUOTE and value[1:].startswith(_NEEDS_QUOTE):
        return value[1:]
    return value


def _text_columns(df: pd.DataFrame) -> list[Any]:
    return [c for c in df.columns if not (pd.api.types.is_numeric_dtype(df[c]) or pd.api.types.is_bool_dtype(df[c]))]


def _map_text(df: pd.DataFrame, fn, prefixes: tuple[str, ...]) -> pd.DataFrame:
    """``df`` with ``fn`` applied to its column names and to the text cells that start
    with one of ``prefixes`` (found with one vector test per column)."""
    out = None
    for c in _text_columns(df):
        s = df[c]
        if isinstance(s.dtype, pd.CategoricalDtype):
            s = s.astype(object)
        hit = _text_test(s, lambda x: x.str.startswith(prefixes, na=False), lambda v: v.startswith(prefixes))
        if hit.any():
            if out is None:
                out = df.copy()
            col = s.astype(object).copy()
            col[hit] = [fn(v) for v in col[hit].tolist()]
            out[c] = col
    names = [fn(c) for c in df.columns]
    if names != list(df.columns):
        out = df.copy() if out is None else out
        out.columns = names
    return df if out is None else out


def _text_test(s: pd.Series, vector, one) -> np.ndarray:
    """A boolean array: ``vector(s)`` (a ``.str`` test; non-strings give False), or ``one(v)``
    per string cell where pandas refuses ``.str`` (a column without any string)."""
    if not len(s):
        return np.zeros(0, dtype=bool)
    if isinstance(s.dtype, pd.StringDtype):  # pandas' own string columns: tested as they are
        return vector(s).fillna(False).to_numpy(dtype=bool)
    s = s.astype(object)
    try:
        return vector(s).to_numpy(dtype=bool)
    except (AttributeError, TypeError):
        return np.array([isinstance(v, str) and bool(one(v)) for v in s.tolist()], dtype=bool)


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with :func:`neutralise` applied to every text cell and column name (a copy
    when anything changes; numeric and boolean columns are left alone)."""
    return _map_text(df, neutralise, _NEEDS_QUOTE)


def restore_frame(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` (read from a CSV) with :func:`restore` applied to every text cell and column
    name."""
    return _map_text(df, restore, (QUOTE,))


def round_sig(values: Any, digits: int = SIGNIFICANT) -> np.ndarray:
    """``values`` (floats) rounded to ``digits`` significant digits, as ``float(f"{v:.12g}")``
    does: ``16.869999999999997`` -> ``16.87``; NaN and infinities are kept."""
    a = np.asarray(values, dtype=float)
    if not a.size:
        return a.copy()
    return np.char.mod(f"%.{int(digits)}g", a).astype(float)


def round_floats(df: pd.DataFrame, digits: int = SIGNIFICANT) -> pd.DataFrame:
    """``df`` with its float columns rounded by :func:`round_sig` (a copy when it has any;
    other columns are left alone)."""
    cols = [c for c in df.columns if pd.api.types.is_float_dtype(df[c]) and df[c].dtype.kind == "f"]
    if not cols:
        return df
    out = df.copy()
    for c in cols:
        out[c] = round_sig(df[c].to_numpy(), digits)
    return out


def csv_text(df: pd.DataFrame, **kw: Any) -> str:
    """``df.to_csv(**kw)`` (index off unless asked) with the cells neutralised and the
    floats rounded to :data:`SIGNIFICANT` significant digits (:func:`round_sig`); fields are
    quoted when a text cell or a column name holds a carriage return."""
    safe = round_floats(neutralise_frame(df))
    kw.setdefault("index", False)
    if _has_cr(safe):
        kw.setdefault("quoting", csv.QUOTE_NONNUMERIC)
    return safe.to_csv(**kw)


def write_csv(df: pd.DataFrame, path: str | Path, **kw: Any) -> None:
    """Write ``df`` to ``path`` as :func:`csv_text` does (UTF-8)."""
    Path(path).write_text(csv_text(df, **kw), encoding="utf-8", newline="")


def _has_cr(df: pd.DataFrame) -> bool:
    if any("\r" in str(c) for c in df.columns):
        return True
    return any(
        _text_test(df[c], lambda x: x.str.contains("\r", regex=False, na=False), lambda v: "\r" in v).any()
        for c in _text_columns(df)
    )


__all__ = [
    "SIGNIFICANT",
    "TRIGGERS",
    "neutralise",
    "restore",
    "neutralise_frame",
    "restore_frame",
    "round_sig",
    "round_floats",
    "csv_text",
    "write_csv",
]
