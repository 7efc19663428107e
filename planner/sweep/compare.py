"""Plans side by side: status and objective, KPIs per period, area by village and use in
the last period, which gardens, projects and recruitment differ, and the rules' largest
shadow prices when an explanation was written beside a plan (``planner explain``).

Each table has one column per plan, named as given, and a difference column per plan
after the first: ``"B - A"`` is plan B's value minus plan A's (A, the first plan, is the
one every other is measured against). The areas and prices are sorted by the largest
difference between any two plans (``spread``), largest first.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from planner.core.kpis import HEADLINE_KPIS
from planner.explain.result import Explanation

#: The KPIs compared, one row per KPI and period (planner.core.kpis).
KPIS = HEADLINE_KPIS


def difference_column(name: str, first: str) -> str:
    """The column of ``name``'s value minus the first plan's: ``"B - A"``."""
    return f"{name} - {first}"


def compare_plans(plans: dict[str, Any]) -> dict[str, pd.DataFrame]:
    """``plans``: {name: Plan or (Plan, directory)}, the first the one the others are
    measured against. Returns the frames ``summary`` (one row per plan: status, gap,
    objective and its difference from the first), ``kpis``, ``areas``, ``changes`` (gardens,
    projects and recruitment that differ) and ``prices``."""
    items = {k: (v if isinstance(v, tuple) else (v, None)) for k, v in plans.items()}
    names = list(items)
    first_obj = items[names[0]][0].objective
    summary = pd.DataFrame(
        [
            {
                "plan": n,
                "status": p.status,
                "termination": p.termination,
                "mip_gap": p.mip_gap,
                "objective_yuan": p.objective,
                "objective_bound_yuan": p.objective_bound,
                "objective_change_yuan": None
                if i == 0 or p.objective is None or first_obj is None
                else p.objective - first_obj,
                "instance": p.instance_name,
                "overrides": "; ".join(p.overrides),
            }
            for i, (n, (p, _)) in enumerate(items.items())
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
    return {
        "summary": summary,
        "kpis": kpis,
        "areas": areas,
        "changes": changes(items, names),
        "prices": prices,
    }


#: The columns of the ``changes`` frame before the plans' own.
CHANGE_KEYS = ["kind", "id", "name", "village", "period"]


def changes(items: dict[str, tuple[Any, Any]], names: list[str]) -> pd.DataFrame:
    """The gardens, projects and recruitment that are not the same in every plan, one row
    per item and period: ``kind`` (``garden``: 1 built, 0 not, per village; ``project``: 1
    built, 0 not; ``role``: people recruited, all villages together), ``id`` (the village,
    project or role), ``name`` (a project's name as the plan records it), ``village`` (a
    garden's village, a project's host), ``period``, then one column per plan and the
    differences from the first plan. A plan without the table counts as nothing built or
    recruited."""
    rows: list[dict[str, Any]] = []
    for n, (p, _) in items.items():
        g = p.tables.get("gardens")
        if g is not None and not g.empty:
            for r in g.itertuples():
                rows.append(
                    {
                        "kind": "garden",
                        "id": r.village,
                        "name": "",
                        "village": r.village,
                        "period": str(r.period),
                        "plan": n,
                        "value": float(bool(r.built)),
                    }
                )
        pr = p.tables.get("projects")
        if pr is not None and not pr.empty:
            for r in pr.itertuples():
                rows.append(
                    {
                        "kind": "project",
                        "id": r.project,
                        "name": str(r.name or ""),
                        "village": r.host_village,
                        "period": str(r.period),
                        "plan": n,
                        "value": float(bool(r.built)),
                    }
                )
        rc = p.tables.get("recruitment")
        if rc is not None and not rc.empty:
            for (role, period), count in rc.groupby(["role", "period"], sort=False)["count"].sum().items():
                rows.append(
                    {
                        "kind": "role",
                        "id": role,
                        "name": "",
                        "village": "",
                        "period": str(period),
                        "plan": n,
                        "value": float(count),
                    }
                )
    long = pd.DataFrame(rows, columns=[*CHANGE_KEYS, "plan", "value"])
    if long.empty:
        return pd.DataFrame(columns=CHANGE_KEYS + names)
    names_of = long.groupby(["kind", "id"], sort=False)["name"].agg(lambda s: next((x for x in s if x), ""))
    long["name"] = [names_of[(k, i)] for k, i in zip(long["kind"], long["id"])]
    w = _wide(long, CHANGE_KEYS, names, spread=False, fill=0.0)
    cols = [n for n in names if n in w.columns]
    differs = (w[cols].max(axis=1) - w[cols].min(axis=1)).abs() > 1e-6
    return w[differs].reset_index(drop=True)


def _wide(
    long: pd.DataFrame, keys: list[str], names: list[str], spread: bool = True, fill: float | None = None
) -> pd.DataFrame:
    """One row per key and one column per plan (missing: ``fill``), then the difference of
    each plan after the first from the first (``"B - A"``) and, with ``spread``, the largest
    difference between any two plans, largest first."""
    if long.empty:
        return pd.DataFrame(columns=[*keys, *names] + (["spread"] if spread else []))
    w = long.pivot_table(index=keys, columns="plan", values="value", aggfunc="sum", sort=False)
    w = w.reindex(columns=[n for n in names if n in w.columns])
    if fill is not None:
        w = w.fillna(fill)
    w = w.reset_index()
    cols = [n for n in names if n in w.columns]
    if cols and cols[0] == names[0]:
        for n in cols[1:]:
            w[difference_column(n, cols[0])] = w[n] - w[cols[0]]
    if spread and len(cols) > 1:
        w["spread"] = w[cols].max(axis=1) - w[cols].min(axis=1)
        w = w.sort_values("spread", ascending=False)
    return w.reset_index(drop=True)
