"""Targets (family ``targets``): every required target is met, and the plan's ``targets``
table gives each target's value as the plan's other tables and the instance give it.

Each figure is recomputed here from the decisions: GEP by village and service from the
allocations and the projects built (:func:`planner.verify.derived.gep_rows`), carbon
income and dividends from :mod:`planner.verify.money` (by village for a village target),
spending with loan service, the land figures from the allocations and the parcel table
(coverage as a share of the township's or the village's area), and the gardens, projects
(hosted in the village) and people counted from their tables. Violations: ``targets``
(a required target not met) and ``derived_tables`` (a value or flag of the ``targets``
table that differs from the recomputation).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.core.kpis import KPI
from planner.instance.schema import ServiceCategory, Target
from planner.verify.context import AREA_TOL, Context, Report, built_projects, close
from planner.verify.derived import gep_rows

SHARES = ("vegetation_coverage", "forest_coverage")


def check(c: Context, rep: Report) -> None:
    rep.check("targets")
    table = c.tables.get("targets", pd.DataFrame())
    rows = {str(r["target"]): r for _, r in table.iterrows()} if len(table) else {}
    gep = gep_rows(c) if any(tg.kpi == "gep_yuan" for tg in c.inst.targets) else None
    for i, tg in enumerate(c.inst.targets):
        name = tg.id if tg.id else str(i)
        val = value(c, tg, gep)
        lo_ok, hi_ok = within(tg, val, _abs_tol(c, tg))
        where = f"{name} ({tg.name}), {tg.period}"
        if tg.required and not lo_ok:
            rep.bad("targets", where, "required target not met: below its minimum", val, tg.min)
        if tg.required and not hi_ok:
            rep.bad("targets", where, "required target not met: above its maximum", val, tg.max)
        r = rows.get(name)
        if r is None:
            if len(table):
                rep.bad("derived_tables", f"targets: {name}", "the targets table has no row for this target")
            continue
        if not close(float(r["value"]), val, 1e-6, _abs_tol(c, tg)):
            rep.bad(
                "derived_tables",
                f"targets: {name}, column value",
                "value does not match the recomputation",
                r["value"],
                val,
            )
        # the table's flag: within a millionth of the limit (or of 1), as planner.plan.tables says
        met = table_met(tg, val)
        if bool(r["met"]) != met:
            rep.bad(
                "derived_tables",
                f"targets: {name}, column met",
                "met does not match the recomputation",
                float(bool(r["met"])),
                float(met),
            )


def side(val: float, limit: float | None, sign: int) -> bool:
    """``val`` at or above (sign 1) or at or below (sign -1) ``limit``, to a millionth of it (or of 1)."""
    return limit is None or sign * (val - limit) >= -1e-6 * max(1.0, abs(limit))


def abs_tol(kpi: str, area: float) -> float:
    """How far (in the KPI's unit) a figure may be from its limit and still meet it; a
    coverage's is a share of ``area`` (ha, the scope it covers)."""
    fmt = KPI[kpi].fmt
    if fmt == "money":
        return 1.0
    if fmt == "ha":
        return AREA_TOL
    if kpi in SHARES:
        return AREA_TOL / max(area, 1e-9)
    return 1e-6


def _abs_tol(c: Context, tg: Target) -> float:
    return abs_tol(tg.kpi, _area(c, tg.village) if tg.kpi in SHARES else 0.0)


def within(tg: Target, val: float, tol_abs: float) -> tuple[bool, bool]:
    """(at or above min, at or below max), to a tolerance of a millionth or ``tol_abs``."""

    def tol(x: float) -> float:
        return max(tol_abs, 1e-6 * abs(x))

    return (tg.min is None or val >= tg.min - tol(tg.min)), (tg.max is None or val <= tg.max + tol(tg.max))


def table_met(tg: Target, val: float) -> bool:
    """The plan tables' ``met`` flag: within a millionth of each limit (or of 1)."""
    return all(side(val, x, sign) for x, sign in ((tg.min, 1), (tg.max, -1)))


def _area(c: Context, village: str | None) -> float:
    return float(c.par.loc[c.par["village"] == village, "area_ha"].sum()) if village else c.total


def value(c: Context, tg: Target, gep: pd.DataFrame | None = None) -> float:
    """The figure of target ``tg`` in the plan, in the KPI's unit."""
    t, v, kpi = tg.period, tg.village, tg.kpi
    money = c.money[t]
    if kpi == "gep_yuan":
        g = gep_rows(c) if gep is None else gep
        g = g[g["period"] == t]
        if v is not None:
            g = g[g["village"] == v]
        if tg.service is not None:
            if tg.service in {s.id for s in c.lib.services}:
                g = g[g["service"] == tg.service]
            elif tg.service in {x.value for x in ServiceCategory}:
                g = g[g["category"] == tg.service]
        return float(g["gep_yuan"].sum())
    if kpi == "forestry_carbon_income_yuan":
        return money["forestry_carbon"] if v is None else money["forestry_by_village"].get(v, 0.0)
    if kpi == "agricultural_carbon_income_yuan":
        return money["agricultural_carbon"] if v is None else money["agricultural_by_village"].get(v, 0.0)
    if kpi == "dividends_yuan":
        if v is None:
            return money["dividends"]
        recips = set(c.inst.objective.dividend_recipients)
        return float(sum(y for (vv, r), y in money["income"].items() if vv == v and r in recips))
    if kpi == "budget_used_yuan":
        return money["spend"]
    if kpi == "gardens_built":
        g = c.tables.get("gardens", pd.DataFrame())
        if not len(g):
            return 0.0
        sel = g[(g["period"] == t) & ((g["village"] == v) if v is not None else True)]
        return float(sel["built"].astype(bool).sum())
    if kpi == "projects_built":
        built = built_projects(c)
        return float(
            sum(1 for j in c.inst.projects if built.get((j.id, t), False) and (v is None or j.host_village == v))
        )
    if kpi == "recruited_people":
        rec = c.tables.get("recruitment", pd.DataFrame())
        if not len(rec):
            return 0.0
        sel = rec[(rec["period"] == t) & ((rec["village"] == v) if v is not None else True)]
        return float(sel["count"].astype(float).sum())
    return _land(c, kpi, t, v)


def _land(c: Context, kpi: str, t: str, v: str | None) -> float:
    """Afforested, forest and ecological-space ha, or vegetation and forest coverage (a share of
    the scope's area), of the township or of village ``v``, from the allocations."""
    lib = c.lib
    inside = np.ones(len(c.par), dtype=bool) if v is None else (c.par["village"] == v).to_numpy(dtype=bool)
    at = c.at(t)
    pos = at["_p"].to_numpy(dtype=np.int64)
    a = at[(pos >= 0) & (inside[np.maximum(pos, 0)] if len(inside) else False)]
    if kpi == "afforested_ha":
        return float(a.loc[a["kind"] == "forest", "area_ha"].sum())
    remain = (c.par["area_ha"] - c.used(t)).to_numpy(dtype=float)[inside]
    if kpi in ("forest_ha", "forest_coverage"):
        cover = c.pcoef("forest", c.is_forest_cover)
        use = c.ucoef(a, "forest", c.is_forest_use)
    elif kpi == "vegetation_coverage":
        cover = c.pcoef("vegetation_cover", lambda x: lib.covers[x].vegetation_cover)
        use = c.ucoef(a, "vegetation_cover", lambda u: lib.uses[u].vegetation_cover)
    else:  # ecological_space_ha
        cover = c.pcoef("ecological_space", lambda x: lib.covers[x].ecological_space)
        use = c.ucoef(a, "ecological_space", lambda u: lib.uses[u].ecological_space)
    ha = float((remain * cover.to_numpy(dtype=float)[inside]).sum() + (a["area_ha"] * use).sum())
    if kpi in SHARES:
        area = _area(c, v)
        return ha / area if area > 0 else 0.0
    return ha
