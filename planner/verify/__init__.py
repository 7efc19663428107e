"""Independent verification of a plan.

Recomputes every rule of the formulation from the plan's tables and the instance
(parcel table, instance YAML, valuation library) with pandas alone. It does not use
the Pyomo model nor :mod:`planner.model.data` (it imports only :mod:`planner.core` and
:mod:`planner.instance`), so a modelling error shows up as a violation or a KPI mismatch
instead of being checked against itself.

``verify_plan(plan, instance)`` returns a :class:`Verification`: ``{"passed": bool,
"violations": [...], "checks": [...]}``; each :class:`Violation` names the rule family,
where (village, parcel, period, ...), what is wrong, the plan's value and the limit.

Before the rules (:mod:`planner.verify.tables`): a plan made for another instance is
refused; the CSV tables beside plan.json must equal it (``tables_dir``); malformed rows
(duplicates, ids the instance lacks, missing or non-numeric values) are reported and left
out. Then each rule family is checked by ``check(c, rep)`` of the module of its name,
``planner/verify/<family>.py`` (as ``planner/model/rules/<family>.py`` states it), on a
shared :class:`planner.verify.context.Context`; the money is recomputed
(:mod:`planner.verify.money`) for the budget, loans, dividend-floor and targets checks and
the objective. Last, every derived table (GEP, dividends, finance, gardens, projects, carbon
applications, KPIs) is recomputed from the decisions and the instance and compared
(:mod:`planner.verify.derived`). A check that cannot run on the data is itself a
violation, never a traceback.

Every check is vectorised (one pass over the allocations per period, coefficients looked
up per distinct use and cover, groupby sums per village), so plans of a million parcels
verify in seconds. Where a rule is checked row by row, the rows that can break it are
found with one vector mask and only those go through the per-row wording, in table order.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from planner.core.status import has_plan
from planner.verify import (
    budget,
    carbon_application,
    county,
    coverage,
    derived,
    dividend_floor,
    eco_space,
    farmland_protection,
    fruit,
    gardens,
    interactive_forest,
    labour_pool,
    land_use,
    loans,
    money,
    projects,
    recruitment,
    recruitment_work,
    red_line,
    street_green,
    targets,
    village_permission,
)
from planner.verify.context import Context, Report, Verification, Violation, close
from planner.verify.tables import clean_tables, compare_csv_tables, instance_mismatch

#: The rule families checked on the allocations and the decision tables, in this order.
RULES: tuple[ModuleType, ...] = (
    land_use,
    farmland_protection,
    red_line,
    eco_space,
    village_permission,
    interactive_forest,
    fruit,
    gardens,
    street_green,
    coverage,
    projects,
    recruitment,
    recruitment_work,
    labour_pool,
    carbon_application,
)
#: The rule families checked on the recomputed money (:mod:`planner.verify.money`), in this order.
MONEY_RULES: tuple[ModuleType, ...] = (budget, loans, dividend_floor, targets)


def verify_plan(plan, li, tables_dir: str | Path | None = None) -> Verification:
    """Check a plan against every rule of its instance; see the module docstring.

    A plan made for another instance (name, or land fingerprint) gets the single violation
    ``instance`` and nothing else is checked. With ``tables_dir`` (the directory of
    plan.json) the CSV tables there are compared with plan.json's (rule ``csv_tables``).
    Malformed rows are reported (rule ``table_rows``) and left out of the rule checks;
    every derived column is recomputed from the decisions and the instance
    (``derived_tables``, and ``kpis``)."""
    rep = Report()
    why = instance_mismatch(plan, li)
    if why is not None:
        rep.bad("instance", "plan", why)
        return {"passed": False, "violations": rep.violations, "checks": ["instance"]}
    if not plan.has_solution:
        status: Violation = {
            "rule": "status",
            "where": "plan",
            "message": f"no plan to verify (status {plan.status})",
            "value": None,
            "limit": None,
        }
        return {"passed": False, "violations": [status], "checks": []}
    if tables_dir is not None:
        if compare_csv_tables(plan.tables, Path(tables_dir), rep.capped):
            rep.check("csv_tables")
        rep.capped.close()
    rep.check("table_rows")
    tables = clean_tables(plan.tables, li, rep.capped)
    rep.capped.close()
    c = Context(tables, li)
    c.county_allocation = county.allocation(plan, c, rep)
    for family in RULES:
        _guarded(rep, _name(family), family.check, c, rep)
    parts = _guarded(rep, "money", money.recompute, c)
    if parts is not None:
        for family in MONEY_RULES:
            _guarded(rep, _name(family), family.check, c, rep)
        _guarded(rep, "money", money.check_kpis, c, rep)
    rep.check("objective")
    ob = c.inst.objective
    if parts is None:
        expect = None
    elif ob.mode == "weighted":
        expect = parts["weighted"]
    else:  # the last lexicographic goal that found a plan
        reached = [
            st["goal"]
            for st in plan.stages
            if st.get("goal") in ("gep", "dividends") and has_plan(str(st.get("status")))
        ]
        expect = parts[reached[-1]] if reached else None
    if plan.objective is not None and expect is not None and not close(plan.objective, expect):
        rep.bad("objective", "plan", "reported objective does not match the recomputation", plan.objective, expect)
    if parts is not None:
        _guarded(rep, "derived", derived.check, c, rep)
    rep.capped.close()
    return {"passed": not rep.violations, "violations": rep.violations, "checks": list(dict.fromkeys(rep.checks))}


def verify_county(
    townships: list[tuple[str, Any]],
    lc,
    objective: float | None = None,
    targets_table: Any = None,
    done: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Check a county plan: each township's plan against its own instance (:func:`verify_plan`,
    its budget raised by the allocation it states), then the county rules across them
    (:func:`planner.verify.county.check_pool`) and, given ``objective`` (Yuan/yr), that it is
    the sum of the townships' objectives, and the county targets
    (:func:`planner.verify.county.check_targets`; ``targets_table``: the plan's
    ``county_targets`` table, checked against the recomputation when given).
    ``townships``: (township id, plan) in county order; ``lc``: the
    :class:`planner.instance.county.LoadedCounty`. ``done``: township id -> the result of
    :func:`verify_plan` on that township's plan, already run (by the worker that solved it),
    with, under ``county_target_parts``, what :func:`county_target_parts` gave there; those
    townships are not checked again.

    Returns ``{"passed", "violations", "checks", "townships": {id: {"passed", "checks"}}}``;
    a township's violations are named ``township <id>: ...`` in ``where``."""
    rep = Report()
    per: dict[str, Any] = {}
    instances = dict(lc.townships)
    allocations: dict[str, dict[str, float]] = {}
    parts: dict[str, dict[str, float]] = {}
    total = 0.0
    for tid, plan in townships:
        li = instances.get(tid)
        if li is None:
            rep.bad("county", tid, "a township the county does not have")
            continue
        pre = (done or {}).get(tid)
        res = pre or verify_plan(plan, li)
        per[tid] = {"passed": res["passed"], "checks": len(res["checks"])}
        for v in res["violations"]:
            rep.violations.append({**v, "where": f"township {tid}: {v['where']}"})
        rep.checks.extend(res["checks"])
        info = getattr(plan, "county", None) or {}
        if info and (info.get("township") != tid or info.get("county") != lc.name):
            rep.bad("county", tid, f"the plan is of township {info.get('township')!r} of county {info.get('county')!r}")
        alloc = info.get("allocation_yuan") if isinstance(info, dict) else None
        allocations[tid] = {str(t): float(v) for t, v in (alloc or {}).items() if county._number(v) and v >= 0}
        total += plan.objective or 0.0
        if lc.targets and plan.has_solution:
            given = (pre or {}).get("county_target_parts")
            parts[tid] = (
                given if given is not None else _guarded(rep, "county", county_target_parts, plan, li, lc.targets) or {}
            )
    missing = [tid for tid, _ in lc.townships if tid not in dict(townships)]
    for tid in missing:
        rep.bad("county", tid, "the county plan has no plan for this township")
    county.check_pool(allocations, lc.pool, rep)
    area = float(sum(li.parcels["area_ha"].sum() for _, li in lc.townships))
    _guarded(rep, "county", county.check_targets, lc.targets, parts, area, targets_table, rep)
    rep.check("objective")
    if objective is not None and not close(objective, total):
        rep.bad("objective", "county", "the county objective is not the sum of the townships'", objective, total)
    rep.capped.close()
    return {
        "passed": not rep.violations,
        "violations": rep.violations,
        "checks": list(dict.fromkeys(rep.checks)),
        "townships": per,
    }


def county_target_parts(plan: Any, li: Any, targets: list[tuple[str, Any]]) -> dict[str, float]:
    """A township plan's parts of the county targets ((key, target) pairs), recomputed from
    its tables (:func:`planner.verify.county.target_parts`)."""
    rep = Report()
    c = Context(clean_tables(plan.tables, li, rep.capped), li)
    c.county_allocation = county.allocation(plan, c, rep)
    money.recompute(c)
    return county.target_parts(c, targets)


def _name(family: ModuleType) -> str:
    """The rule family a check module is named after (``planner.verify.red_line``: ``red_line``)."""
    return family.__name__.rsplit(".", 1)[-1]


def _guarded(rep: Report, name: str, fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)``; a check that fails on data it cannot read is itself a violation
    (rule ``verifier``, where: ``name``), never a traceback and never a pass."""
    try:
        return fn(*args)
    except Exception as exc:  # noqa: BLE001 - reported, so the plan cannot pass
        rep.bad("verifier", name, f"could not be checked: {type(exc).__name__}: {exc}")
        return None


def recompute_objective(plan, li) -> float:
    """The weighted objective (Yuan/yr) recomputed from the plan's tables (``verify_plan``
    also recomputes the lexicographic goals)."""
    rep = Report()
    return money.recompute(Context(clean_tables(plan.tables, li, rep.capped), li))["weighted"]


__all__ = ["county_target_parts", "verify_county", "verify_plan", "recompute_objective", "Verification", "Violation"]
