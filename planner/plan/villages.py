"""A plan's figures per village: the land in each new use, GEP, dividends, recruits and gardens.

The report's village tables and charts (``planner.report``) and the villages layer of
``plan.gpkg`` (``planner.report.gpkg``) both show these; they are summed here, once, from
the plan's tables, so the two always agree.

Village and period ids are compared as text. Areas are states at the end of the period
(what exists then, including what was established earlier), as in the plan's
``allocations`` table.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = ["FIGURES", "use_areas", "village_figures"]

#: The columns of :func:`village_figures`.
FIGURES = ("gep_yuan", "dividends_yuan_per_yr", "recruited", "has_garden", "garden_built", "garden_ha", "new_ha")


def _table(plan: Any, name: str, text: tuple[str, ...] = ("village", "period")) -> pd.DataFrame:
    """The plan's table ``name`` (empty when missing), with the ``text`` columns as text."""
    df = (getattr(plan, "tables", None) or {}).get(name)
    if not isinstance(df, pd.DataFrame):
        return pd.DataFrame()
    df = df.copy()
    for c in text:
        if c in df:
            df[c] = df[c].astype(str)
    return df


def use_areas(plan: Any, period: str) -> pd.DataFrame:
    """Hectares of each village (rows) in each new use (columns) at the end of ``period``;
    the uses largest first (by their township total). Empty when the plan has no land in
    new uses then."""
    alloc = _table(plan, "allocations")
    a = alloc[alloc["period"] == str(period)] if "period" in alloc else alloc
    if a.empty:
        return pd.DataFrame()
    pv = a.pivot_table(index="village", columns="use", values="area_ha", aggfunc="sum", fill_value=0.0)
    return pv[pv.sum().sort_values(ascending=False).index]


def village_figures(plan: Any, villages: list[str], periods: list[str]) -> dict[str, pd.DataFrame]:
    """Per period, a frame indexed by ``villages`` (in that order) with :data:`FIGURES`:

    - ``gep_yuan``: GEP (Yuan/yr), the plan's ``gep`` table summed over services, EOD
      projects' GEP at the host village;
    - ``dividends_yuan_per_yr``: income to the recipients that count as dividends
      (``objective.dividend_recipients``);
    - ``recruited``: people recruited;
    - ``has_garden``: the village has a garden row in the plan (the central town has none);
      ``garden_built``: its garden is built; ``garden_ha``: the built garden's area (0 without);
    - ``new_ha``: land in new uses.

    A village without rows in a table gets 0 (``has_garden`` and ``garden_built``: False).
    """
    idx = pd.Index([str(v) for v in villages], name="village")
    gep = _table(plan, "gep")
    div = _table(plan, "dividends")
    if "counts_as_dividend" in div:
        div = div[div["counts_as_dividend"].astype(bool)]
    rec = _table(plan, "recruitment")
    gard = _table(plan, "gardens")
    built = gard[gard["built"].astype(bool)] if "built" in gard else gard
    alloc = _table(plan, "allocations")

    def per(df: pd.DataFrame, value: str, t: str) -> pd.Series:
        if df.empty or value not in df:
            return pd.Series(0.0, index=idx)
        d = df[df["period"] == t]
        return d.groupby("village")[value].sum().reindex(idx).fillna(0.0)

    def rows_of(df: pd.DataFrame, t: str) -> pd.Series:
        if df.empty or "village" not in df:
            return pd.Series(False, index=idx)
        return pd.Series(idx.isin(df.loc[df["period"] == t, "village"]), index=idx, dtype=bool)

    out: dict[str, pd.DataFrame] = {}
    for t in map(str, periods):
        out[t] = pd.DataFrame(
            {
                "gep_yuan": per(gep, "gep_yuan", t).astype(float),
                "dividends_yuan_per_yr": per(div, "yuan_per_yr", t).astype(float),
                "recruited": per(rec, "count", t).astype(float),
                "has_garden": rows_of(gard, t),
                "garden_built": rows_of(built, t),
                "garden_ha": per(built, "area_ha", t).astype(float),
                "new_ha": per(alloc, "area_ha", t).astype(float),
            },
            index=idx,
        )
    return out
