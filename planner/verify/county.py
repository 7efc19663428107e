"""County rules (family ``county``): the townships' allocations from the county budget pool.

A township's plan within a county plan states its allocation from the pool per period
(``plan.county["allocation_yuan"]``). :func:`allocation` reads it for the township's own
budget check (:mod:`planner.verify.budget` adds it to the budget) and reports a malformed
one; :func:`check_pool` checks, across the townships, that every allocation is one of a
pool the county has and that a period's allocations sum to at most its pool. The
township's spending is recomputed from its tables by :mod:`planner.verify.money`, so an
allocation too small for what a township spends shows as a budget violation.

:func:`check_targets` checks the county targets (``county.targets``): each township's part
of a figure is recomputed from its tables by :func:`planner.verify.targets.value` (a
coverage as the township's covered ha), the parts are summed (a coverage over the
county's area), a required target must be met (violation ``county``), and the plan's
``county_targets`` table must give the recomputed value and flag (``derived_tables``).
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from planner.core.kpis import KPI
from planner.instance.schema import Target
from planner.verify import targets as target_checks
from planner.verify.context import AREA_TOL, REL_TOL, Context, Report, close
from planner.verify.derived import gep_rows

FAMILY = "county"


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def allocation(plan: Any, c: Context, rep: Report) -> dict[str, float]:
    """The allocation per period a township's plan states (Yuan), or {} for a plan solved
    alone; a value that is not a number >= 0, or a period the instance lacks, is a violation
    and counts as 0."""
    info = getattr(plan, "county", None)
    if not info:
        return {}
    rep.check("county")
    given = info.get("allocation_yuan") if isinstance(info, dict) else None
    if not isinstance(given, dict):
        rep.bad("county", "plan", "the county section has no allocation_yuan mapping")
        return {}
    out: dict[str, float] = {}
    for t, v in given.items():
        if str(t) not in c.period:
            rep.bad("county", str(t), "an allocation for a period the township does not have")
        elif not _number(v) or v < 0:
            rep.bad("county", str(t), "an allocation must be a number of Yuan >= 0", v if _number(v) else None, 0)
        else:
            out[str(t)] = float(v)
    return out


def check_pool(allocations: dict[str, dict[str, float]], pool: dict[str, float] | None, rep: Report) -> None:
    """Across the townships (``allocations``: township -> period -> Yuan): without a pool no
    township may take an allocation; with one, each period's allocations sum to at most
    the pool."""
    rep.check("county")
    if pool is None:
        for tid, alloc in allocations.items():
            if any(v > 0 for v in alloc.values()):
                rep.bad("county", tid, "an allocation from a county budget pool the county does not have", None, 0)
        return
    for t, limit in pool.items():
        used = sum(alloc.get(t, 0.0) for alloc in allocations.values())
        if used > limit + max(1.0, REL_TOL * limit):
            rep.bad("county", t, "the townships' allocations exceed the county budget pool", used, limit)
    for tid, alloc in allocations.items():
        for t in alloc:
            if t not in pool:
                rep.bad("county", f"{tid} {t}", "an allocation for a period the county pool does not have", None, None)


def target_parts(c: Context, targets: list[tuple[str, Target]]) -> dict[str, float]:
    """A township's part of each county target's figure (key -> value), recomputed from its
    tables in context ``c`` (whose money is recomputed): in the KPI's unit, a coverage as
    the covered ha of the township."""
    gep = gep_rows(c) if any(tg.kpi == "gep_yuan" for _, tg in targets) else None
    out = {}
    for key, tg in targets:
        v = target_checks.value(c, tg, gep)
        out[key] = v * c.total if tg.kpi in target_checks.SHARES else v
    return out


def _tol(tg: Target, area: float, limit: float) -> float:
    fmt = KPI[tg.kpi].fmt
    if fmt == "money":
        base = 1.0
    elif fmt == "ha":
        base = AREA_TOL
    elif tg.kpi in target_checks.SHARES:
        base = AREA_TOL / max(area, 1e-9)
    else:
        base = 1e-6
    return max(base, 1e-6 * abs(limit))


def check_targets(
    targets: list[tuple[str, Target]],
    parts: dict[str, dict[str, float]],
    area: float,
    table: pd.DataFrame | None,
    rep: Report,
) -> None:
    """The county targets (key, target) against the townships' recomputed ``parts``
    (township -> key -> value), ``area`` the county's ha; ``table``: the plan's
    ``county_targets`` table, or None or empty when the plan states none (then only the
    required targets are checked)."""
    if not targets:
        return
    rep.check("county")
    rows = {str(r["target"]): r for _, r in table.iterrows()} if table is not None and len(table) else {}
    for key, tg in targets:
        total = sum(p.get(key, 0.0) for p in parts.values())
        val = total / area if tg.kpi in target_checks.SHARES and area > 0 else total
        where = f"county target {key} ({tg.name}), {tg.period}"
        tol = target_checks.abs_tol(tg.kpi, area)
        lo_ok, hi_ok = target_checks.within(tg, val, tol)
        if tg.required and not lo_ok:
            rep.bad("county", where, "required county target not met: below its minimum", val, tg.min)
        if tg.required and not hi_ok:
            rep.bad("county", where, "required county target not met: above its maximum", val, tg.max)
        if not rows:  # the plan states no county targets (a county plan before format 1.1)
            continue
        r = rows.get(key)
        if r is None:
            rep.bad("derived_tables", f"county_targets: {key}", "the county targets table has no row for this target")
            continue
        if not close(float(r["value"]), val, 1e-6, tol):
            rep.bad(
                "derived_tables",
                f"county_targets: {key}, column value",
                "value does not match the recomputation",
                r["value"],
                val,
            )
        met = target_checks.table_met(tg, val)
        if bool(r["met"]) != met:
            rep.bad(
                "derived_tables",
                f"county_targets: {key}, column met",
                "met does not match the recomputation",
                float(bool(r["met"])),
                float(met),
            )
