"""What the report reads from a plan: its tables, periods and villages, and its instance.

The plan may come from a file written by another version, or lack tables (a run without
a plan): every reader here returns something empty rather than fail, and the sections
say what is missing.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from planner.api import load_instance
from planner.instance.overrides import split_overrides

__all__ = ["load_plan_instance", "period_ids", "table_of", "village_order", "with_str_period"]


def table_of(obj: Any, name: str) -> pd.DataFrame:
    """The table ``name`` of a plan or an explanation; empty when it has none."""
    tables = getattr(obj, "tables", None) or {}
    df = tables.get(name)
    return df if isinstance(df, pd.DataFrame) else pd.DataFrame()


def period_ids(plan) -> list[str]:
    """The plan's periods, from its KPIs (or, without them, from its other tables), as text."""
    k = table_of(plan, "kpis")
    if "period" in k:
        return [str(p) for p in k["period"].tolist()]
    seen: list[str] = []
    for name in ("finance", "allocations", "recruitment"):
        df = table_of(plan, name)
        if "period" in df:
            for p in df["period"].astype(str):
                if p not in seen:
                    seen.append(p)
    return sorted(seen)


def with_str_period(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with its period column as text (period ids are compared as text)."""
    if "period" in df.columns and len(df):
        df = df.copy()
        df["period"] = df["period"].astype(str)
    return df


def load_plan_instance(plan) -> tuple[Any, str]:
    """(LoadedInstance or None, why not)."""
    try:
        scenario, sets = split_overrides(list(plan.overrides or []))
        return load_instance(plan.instance_path, scenario=scenario, sets=sets), ""
    except Exception as exc:  # noqa: BLE001 - any failure only means "no targets"
        msg = " ".join(str(exc).split())
        return None, (msg[:300] + "...") if len(msg) > 300 else msg


def village_order(plan, instance) -> list[str]:
    """The villages in the plan's tables: the instance's order, then any others by id, then
    ``(township)`` (township-wide rows) last."""
    found: list[str] = []
    for name in ("allocations", "gardens", "recruitment", "dividends", "gep"):
        df = table_of(plan, name)
        if "village" in df:
            found += [str(v) for v in df["village"].dropna().unique()]
    known = [v.id for v in instance.instance.villages] if instance is not None else []
    order = [v for v in known if v in found] + sorted({v for v in found if v not in known and v != "(township)"})
    return order + (["(township)"] if "(township)" in found else [])
