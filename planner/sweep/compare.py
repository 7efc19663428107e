"""Plans side by side: status and objective, KPIs per period, area by village and use in
the last period, and the rules' largest shadow prices when an explanation was written
beside a plan (``planner explain``).

Each table has one column per plan, named as given; the areas and prices also carry the
largest difference between the plans (``spread``), largest first.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from planner.core.kpis import HEADLINE_KPIS
from planner.explain.result import Explanation

#: The KPIs compared, one row per KPI and period (planner.core.kpis).
KPIS = HEADLINE_KPIS


def compare_plans(plans: dict[str, Any]) -> dict[str, pd.DataFrame]:
    """``plans``: {name: Plan or (Plan, directory)}. Returns ``summary``, ``kpis``, ``areas``
    and ``prices`` frames."""
    items = {k: (v if isinstance(v, tuple) else (v, None)) for k, v in plans.items()}
    names = list(items)
    summary = pd.DataFrame(
        [
            {
                "plan": n,
                "status": p.status,
                "termination": p.termination,
                "mip_gap": p.mip_gap,
                "objective_yuan": p.objective,
                "instance": p.instance_name,
                "overrides": "; ".join(p.overrides),
            }
            for n, (p, _) in items.items()
        ]
    )
    rows = []
    for n, (p, _) in items.items():
        k = p.tables.get("kpis")
        if k is None or k.empty:
            continue
        for r in k.to_dict(orient="records"):
            for c in KPIS:
                if c in r:
                    rows.append({"kpi": c, "period": r["period"], "plan": n, "value": r[c]})
    kpis = _wide(pd.DataFrame(rows, columns=["kpi", "period", "plan", "value"]), ["kpi", "period"], names, spread=False)
    rows = []
    for n, (p, _) in items.items():
        a = p.tables.get("allocations")
        if a is None or a.empty:
            continue
        last = a["period"].iloc[-1] if "period" in a else None
        periods = list(p.tables["kpis"]["period"]) if "kpis" in p.tables and len(p.tables["kpis"]) else [last]
        sel = a[a["period"] == periods[-1]].groupby(["village", "use"])["area_ha"].sum()
        rows += [{"village": v, "use": u, "plan": n, "value": ha} for (v, u), ha in sel.items()]
    areas = _wide(pd.DataFrame(rows, columns=["village", "use", "plan", "value"]), ["village", "use"], names, fill=0.0)
    rows = []
    for n, (_p, d) in items.items():
        if d is None or not (Path(d) / "explanation.json").exists():
            continue
        try:
            s = Explanation.from_json(Path(d) / "explanation.json").tables.get("rule_summary")
        except (ValueError, KeyError, AttributeError, TypeError):
            continue
        if s is None or s.empty:
            continue
        rows += [
            {"rule": r["rule"], "unit": r["unit"], "plan": n, "value": r["max_shadow_price"]}
            for r in s.to_dict(orient="records")
        ]
    prices = _wide(pd.DataFrame(rows, columns=["rule", "unit", "plan", "value"]), ["rule", "unit"], names)
    return {"summary": summary, "kpis": kpis, "areas": areas, "prices": prices}


def _wide(
    long: pd.DataFrame, keys: list[str], names: list[str], spread: bool = True, fill: float | None = None
) -> pd.DataFrame:
    if long.empty:
        return pd.DataFrame(columns=[*keys, *names] + (["spread"] if spread else []))
    w = long.pivot_table(index=keys, columns="plan", values="value", aggfunc="sum", sort=False)
    w = w.reindex(columns=[n for n in names if n in w.columns])
    if fill is not None:
        w = w.fillna(fill)
    w = w.reset_index()
    cols = [n for n in names if n in w.columns]
    if spread and len(cols) > 1:
        w["spread"] = w[cols].max(axis=1) - w[cols].min(axis=1)
        w = w.sort_values("spread", ascending=False)
    return w.reset_index(drop=True)
