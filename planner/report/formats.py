"""Numbers as the report writes them: money in Yuan, shares, hectares, counts, MIP gaps.

The same formats are used by the report's tables and charts, the maps
(:mod:`planner.report.maps`) and the terminal (``planner.cli``). A KPI's format is chosen
by its kind in the KPI registry (:mod:`planner.core.kpis`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from planner.core.kpis import KPIS

__all__ = [
    "FORMATTERS",
    "KPI_FORMAT",
    "KPI_UNIT",
    "fmt_gap",
    "fmt_ha",
    "fmt_int",
    "fmt_kpi",
    "fmt_money",
    "fmt_pct",
    "fmt_sig",
    "num",
    "short_money",
]


def num(v: Any) -> float | None:
    """``v`` as a float; None when it is missing, not a number or NaN."""
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def fmt_money(v: Any) -> str:
    """Yuan: thousands separators below a million, then ``8.44 M`` and ``65.60 bn``."""
    f = num(v)
    if f is None:
        return "–"
    if math.isinf(f):
        return "no limit"
    a = abs(f)
    if a >= 1e9:
        return f"{f / 1e9:,.2f} bn"
    if a >= 1e6:
        return f"{f / 1e6:,.2f} M"
    return f"{f:,.0f}"


def fmt_pct(v: Any, digits: int = 1) -> str:
    """A fraction as a percentage: 0.9133 -> ``91.3%``."""
    f = num(v)
    return "–" if f is None else f"{f * 100:.{digits}f}%"


def fmt_sig(v: Any, unit: str = "", digits: int = 3) -> str:
    """About ``digits`` significant digits with thousands separators (the explanations' style)."""
    f = num(v)
    if f is None:
        return "n/a"
    if math.isinf(f):
        return "no limit"
    a = abs(f)
    if a >= 10**digits or a == 0:
        s = f"{f:,.0f}"
    else:
        s = f"{f:,.{max(digits - 1 - math.floor(math.log10(a)), 0)}f}"
    return f"{s} {unit}".strip()


def fmt_ha(v: Any) -> str:
    """Hectares: about three significant digits."""
    return fmt_sig(v)


def fmt_int(v: Any) -> str:
    """A count, rounded, with thousands separators."""
    f = num(v)
    return "–" if f is None else f"{f:,.0f}"


def fmt_gap(v: Any) -> str:
    """A MIP gap: three significant digits, scientific below 0.001."""
    f = num(v)
    if f is None:
        return "n/a"
    if f == 0:
        return "0"
    return f"{f:.3g}" if abs(f) >= 1e-3 else f"{f:.2e}"


def short_money(v: float, _pos: Any = None) -> str:
    """Axis ticks: 0, 500 k, 8.4 M, 65 bn."""
    a = abs(v)
    if a >= 1e9:
        return f"{v / 1e9:g} bn"
    if a >= 1e6:
        return f"{v / 1e6:g} M"
    if a >= 1e3:
        return f"{v / 1e3:g} k"
    return f"{v:g}"


#: A KPI's number format (planner.core.kpis ``Kpi.fmt``) as a function.
FORMATTERS: dict[str, Callable[[Any], str]] = {"money": fmt_money, "ha": fmt_ha, "share": fmt_pct, "count": fmt_int}
KPI_FORMAT: dict[str, Callable[[Any], str]] = {k.id: FORMATTERS[k.fmt] for k in KPIS}
#: Units of the KPIs that have one (not the shares).
KPI_UNIT: dict[str, str] = {k.id: k.unit for k in KPIS if k.unit}


def fmt_kpi(kpi: str, v: Any) -> str:
    """A KPI's value in its format (a figure that is not a KPI: about three significant digits)."""
    return KPI_FORMAT.get(kpi, fmt_sig)(v)
