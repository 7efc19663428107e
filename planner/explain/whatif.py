"""Counterfactuals: re-solve with decisions forced or forbidden, and compare with the plan.

A decision is written ``KIND:WHAT[OP NUMBER][@PERIOD]`` (:mod:`planner.instance.decisions`
parses them, :mod:`planner.model.decisions` adds their rows):

- ``garden:VILLAGE`` - the village's garden (force: built by the period; forbid: never);
- ``project:PROJECT`` - an EOD project (force: built by the period; forbid: never);
- ``scenic:PARCEL`` - a scenic spot on a mature fruit forest;
- ``area:VILLAGE:USE>=HA`` (or ``<=HA``, ``=HA``) - the village's area in a use by the period;
  ``--forbid area:VILLAGE:USE`` keeps the use out of the village;
- ``parcel:PARCEL:USE>=HA`` - the same for one parcel;
- ``recruit:ROLE>=N`` or ``recruit:VILLAGE:ROLE>=N`` - people recruited in the period;
- ``street_green>=N`` - new street green spaces in the central town.

The period defaults to the last one for forcing (what exists by the end of the plan) and
to every period for forbidding.

:func:`why_not` solves one counterfactual; :func:`replacement_importance` forbids, one
at a time, each garden, project and village allocation the plan took (and forces each
garden and project it did not take) and reports the objective lost.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, cast

import pandas as pd

from planner.api import load_instance, solve
from planner.core.parallel import run_each
from planner.core.values import json_value
from planner.explain.diagnose import diagnose as run_diagnosis
from planner.explain.result import fmt, frame_records
from planner.instance.decisions import KINDS, Decision, named_parcels, parse  # noqa: F401  (parse, KINDS: the why-not CLI's)
from planner.instance.load import LoadedInstance
from planner.instance.overrides import split_overrides
from planner.model.decisions import apply

# ---------------------------------------------------------------------------
# comparing plans
# ---------------------------------------------------------------------------


def differences(base, alt, n: int | None = None) -> pd.DataFrame:
    """What changes from ``base`` to ``alt`` (two Plans): area by village and use in each
    period, gardens, projects, recruits by role, and the money KPIs; largest first."""
    out = []

    def put(what, where, period, a, b, unit):
        a, b = float(a or 0.0), float(b or 0.0)
        if abs(b - a) > 1e-6 * max(1.0, abs(a)):
            out.append(
                {
                    "what": what,
                    "where": where,
                    "period": period,
                    "plan": a,
                    "alternative": b,
                    "change": b - a,
                    "unit": unit,
                }
            )

    def pivot(p, table, keys, col, agg="sum"):
        df = p.tables.get(table)
        if df is None or df.empty:
            return {}
        return df.groupby(keys)[col].agg(agg).to_dict()

    for table, keys, col, what, unit in (
        ("allocations", ["village", "use", "period"], "area_ha", "area", "ha"),
        ("recruitment", ["role", "period"], "count", "recruits", "people"),
    ):
        a, b = pivot(base, table, keys, col), pivot(alt, table, keys, col)
        for k in sorted(set(a) | set(b), key=str):
            where = ":".join(k[:-1])
            put(what, where, k[-1], a.get(k), b.get(k), unit)
    for table, keys, what in (
        ("gardens", ["village", "period"], "garden"),
        ("projects", ["project", "period"], "project"),
    ):
        a = pivot(base, table, keys, "built", "max")
        b = pivot(alt, table, keys, "built", "max")
        for k in sorted(set(a) | set(b), key=str):
            put(what + " built", k[0], k[1], a.get(k), b.get(k), "yes/no")
    ka, kb = base.tables.get("kpis"), alt.tables.get("kpis")
    if ka is not None and kb is not None and not ka.empty and not kb.empty:
        for col, unit in (
            ("gep_yuan", "Yuan/yr"),
            ("dividends_yuan", "Yuan/yr"),
            ("forestry_carbon_income_yuan", "Yuan/yr"),
            ("agricultural_carbon_income_yuan", "Yuan/yr"),
            ("budget_used_yuan", "Yuan"),
        ):
            for t in ka["period"]:
                put(
                    col.replace("_yuan", ""),
                    "township",
                    t,
                    ka.loc[ka["period"] == t, col].iloc[0],
                    kb.loc[kb["period"] == t, col].iloc[0] if (kb["period"] == t).any() else 0.0,
                    unit,
                )
    df = pd.DataFrame(out, columns=["what", "where", "period", "plan", "alternative", "change", "unit"])
    order = {"garden built": 0, "project built": 0, "area": 1, "recruits": 2}
    df["_o"] = df["what"].map(order).fillna(3)
    df["_a"] = -df["change"].abs()
    df = df.sort_values(["_o", "_a"]).drop(columns=["_o", "_a"]).reset_index(drop=True)
    return df if n is None else df.head(n)


GOALS = ("gep", "dividends")


def compare(
    base_stages: list[dict[str, Any]], base_objective: float | None, alt
) -> tuple[str, float | None, float | None]:
    """(goal, change, change bound) of an alternative against a plan, Yuan/yr.

    Weighted: the objective. Lexicographic: goal by goal in the plan's order, the first
    goal whose value differs (an alternative that loses GEP is worse whatever it gains in
    dividends); the bound is that goal's stage bound."""
    lex = [s for s in base_stages if s.get("goal") in GOALS and s.get("objective") is not None]
    if not lex:
        if alt.objective is None or base_objective is None:
            return "objective", None, None
        bound = None if alt.objective_bound is None else alt.objective_bound - base_objective
        return "objective", alt.objective - base_objective, bound
    alt_by = {s.get("goal"): s for s in alt.stages if s.get("goal") in GOALS}
    change, bound, goal = None, None, lex[-1]["goal"]
    for s in lex:
        a = alt_by.get(s["goal"])
        if a is None or a.get("objective") is None:
            return s["goal"], None, None
        change = a["objective"] - s["objective"]
        bound = None if a.get("bound") is None else a["bound"] - s["objective"]
        goal = s["goal"]
        if abs(change) > max(1.0, 1e-9 * abs(s["objective"])):
            break
    return goal, change, bound


@dataclass
class WhatIf:
    decisions: list[Decision]
    base_status: str
    base_objective: float | None  # Yuan/yr
    status: str
    termination: str
    objective: float | None  # Yuan/yr
    mip_gap: float | None
    bound: float | None
    plan: Any = None  # the alternative Plan
    differences: pd.DataFrame = field(default_factory=pd.DataFrame)
    diagnosis: Any = None  # a Diagnosis when the alternative is infeasible
    goal: str = "objective"  # what is compared: the objective, or a lexicographic goal
    change: float | None = None  # Yuan/yr: the alternative minus the plan, in ``goal``
    change_bound: float | None = None  # the best the alternative could reach (its bound), as a change
    blocked_by: list[str] = field(default_factory=list)  # when infeasible: the rules that block the decisions

    def statement(self) -> str:
        what = " and ".join(d.describe() for d in self.decisions)
        if self.status == "infeasible":
            tail = f"; blocked by: {'; '.join(self.blocked_by)}" if self.blocked_by else ""
            return f"{what}: no plan satisfies every rule with this decision{tail}."
        if self.change is None:
            return f"{what}: no plan found ({self.status}, {self.termination})."
        of = (
            "of objective"
            if self.goal == "objective"
            else f"of {'GEP' if self.goal == 'gep' else 'dividends'} (the first lexicographic goal that changes)"
        )
        tail = (
            ""
            if self.status == "optimal"
            else (
                f" (the alternative is not proved optimal: {self.status}, {self.termination}; "
                f"the change is between {fmt(self.change, 'Yuan/yr')} and "
                f"{fmt(self.change_bound, 'Yuan/yr')})"
            )
        )
        if self.base_status != "optimal":
            sign = "better" if self.change > 0 else "worse"
            return (
                f"{what}: the alternative is {fmt(abs(self.change), 'Yuan/yr')} {of} {sign} than this plan, which is "
                f"itself not proved optimal ({self.base_status}), so this is not the cost of the decision{tail}."
            )
        if abs(self.change) <= max(1.0, 1e-9 * abs(self.base_objective or 0)):
            return f"{what}: costs nothing: an equally good plan exists{tail}."
        word = "costs" if self.change < 0 else "gains"
        return f"{what} {word} {fmt(abs(self.change), 'Yuan/yr')} {of}{tail}."

    def to_dict(self) -> dict[str, Any]:

        return {
            "decisions": [d.describe() for d in self.decisions],
            "base_status": self.base_status,
            "base_objective": json_value(self.base_objective),
            "status": self.status,
            "termination": self.termination,
            "objective": json_value(self.objective),
            "mip_gap": json_value(self.mip_gap),
            "goal": self.goal,
            "change": json_value(self.change),
            "change_bound": json_value(self.change_bound),
            "statement": self.statement(),
            "blocked_by": list(self.blocked_by),
            "differences": frame_records(self.differences),
            "diagnosis": self.diagnosis.to_dict() if self.diagnosis is not None else None,
        }


def why_not(
    li: LoadedInstance,
    plan,
    decisions: list[Decision],
    *,
    time_limit: float | None = None,
    mip_gap: float | None = None,
    diagnose: bool = True,
) -> WhatIf:
    """Re-solve ``li`` with ``decisions`` added and compare with ``plan`` (its optimum)."""

    alt = solve(
        li, time_limit=time_limit, mip_gap=mip_gap, modify=apply(decisions), keep_parcels=named_parcels(decisions)
    )
    w = WhatIf(
        decisions=decisions,
        base_status=plan.status,
        base_objective=plan.objective,
        status=alt.status,
        termination=alt.termination,
        objective=alt.objective,
        mip_gap=alt.mip_gap,
        bound=alt.objective_bound,
        plan=alt,
    )
    w.goal, w.change, w.change_bound = compare(plan.stages, plan.objective, alt)
    if alt.has_solution:
        w.differences = differences(plan, alt)
    elif alt.status == "infeasible" and diagnose:
        try:
            w.diagnosis = run_diagnosis(li, time_limit=time_limit, modify=apply(decisions))
        except (ImportError, TypeError):  # diagnosis unavailable for counterfactuals
            w.diagnosis = None
    if alt.status == "infeasible":
        w.blocked_by = blockers(li, decisions, w.diagnosis)
    return w


def blockers(li: LoadedInstance, decisions: list[Decision], diagnosis=None) -> list[str]:
    """The rules that block forced decisions, in words: a use the library does not make from
    the parcel's cover (checked here), then the rules the diagnosis relaxed to let the
    decisions through (permanent farmland, red line, permissions, budgets ...)."""
    out: list[str] = []
    par = li.parcels.set_index("id") if "id" in li.parcels else li.parcels
    for d in decisions:
        if d.action != "force" or d.kind not in ("parcel", "area"):
            continue
        use = li.library.uses.get(d.parts[-1])
        if use is None:
            continue
        froms = [str(c) for c in use.from_covers]
        pol = li.instance.policies
        if d.kind == "parcel" and d.parts[0] in par.index:
            cover = str(par.loc[d.parts[0], "cover"])
            if pol.farmland_protection and cover in pol.protected_farmland_covers:
                out.append(
                    f"parcel {d.parts[0]} is permanent basic farmland, which keeps its use "
                    "(policies.farmland_protection)"
                )
            if cover not in froms:
                out.append(
                    f"the library makes {d.parts[-1]} only from {', '.join(froms)}, not from parcel {d.parts[0]}'s "
                    f"{cover}"
                )
        elif d.kind == "area":
            covers = set(par.loc[par["village"] == d.parts[0], "cover"].astype(str))
            if covers and not covers & set(froms):
                out.append(
                    f"the library makes {d.parts[-1]} only from {', '.join(froms)}, which village {d.parts[0]} "
                    f"does not have"
                )
    if diagnosis is not None:
        r = diagnosis.relaxations
        if r is not None and not r.empty:
            for field_, g in r.groupby("field", sort=False):
                places = list(dict.fromkeys(g["where"]))
                more = f" and {len(places) - 3} more" if len(places) > 3 else ""
                out.append("; ".join(places[:3]) + more + (f" ({field_})" if field_ else ""))
    return list(dict.fromkeys(out))


# ---------------------------------------------------------------------------
# replacement importance
# ---------------------------------------------------------------------------


def importance_candidates(li: LoadedInstance, plan, kinds: Iterable[str]) -> list[tuple[str, str, bool, Decision]]:
    """(kind, item, in_plan, decision) for every garden, project and village allocation."""
    kinds = set(kinds)
    inst = li.instance
    last = inst.periods[-1].id
    out = []

    def table(name: str, *cols: str) -> pd.DataFrame:
        df = plan.tables.get(name)
        return (
            df if df is not None and not df.empty and all(c in df for c in cols) else pd.DataFrame(columns=list(cols))
        )

    if "gardens" in kinds:
        g = table("gardens", "village", "period", "built")
        for v in g["village"].drop_duplicates():
            built = bool(g.loc[(g["village"] == v) & (g["period"] == last), "built"].any())
            out.append(("garden", v, built, Decision(f"garden:{v}", "forbid" if built else "force", "garden", (v,))))
    if "projects" in kinds:
        pr = table("projects", "project", "period", "built")
        for j in inst.projects:
            built = bool(pr.loc[(pr["project"] == j.id) & (pr["period"] == last), "built"].any())
            out.append(
                (
                    "project",
                    j.id,
                    built,
                    Decision(f"project:{j.id}", "forbid" if built else "force", "project", (j.id,)),
                )
            )
    if "allocations" in kinds:
        a = table("allocations", "village", "use", "period", "area_ha")
        a = a[a["period"] == last].groupby(["village", "use"])["area_ha"].sum()
        for (v, u), ha in a.items():
            if ha > 1e-6:
                out.append(("allocation", f"{v}:{u}", True, Decision(f"area:{v}:{u}", "forbid", "area", (v, u))))
    return out


def _one(args: tuple) -> dict[str, Any]:
    path, overrides, decision, time_limit = args

    scenario, sets = split_overrides(overrides)
    li = load_instance(path, scenario=scenario, sets=sets + ['objective.tie_break="none"'])
    p = solve(li, time_limit=time_limit, verify=False, modify=apply([decision]), keep_parcels=named_parcels([decision]))
    return resolve_record(p)


def resolve_record(p) -> dict[str, Any]:
    """What the explanations keep of one re-solve (why-not, importance, unit prices)."""
    return {
        "status": p.status,
        "termination": p.termination,
        "objective": p.objective,
        "bound": p.objective_bound,
        "mip_gap": p.mip_gap,
        "time_s": p.solve_time_s + p.build_time_s,
        "stages": p.stages,
    }


def safely(one: Callable[[tuple], dict[str, Any]], args: tuple) -> dict[str, Any]:
    """One re-solve; an error is recorded as its status instead of ending the explanation."""
    try:
        return one(args)
    except Exception as exc:  # noqa: BLE001 - a failed re-solve must not lose the others
        return {
            "status": "error",
            "termination": f"{type(exc).__name__}: {exc}",
            "objective": None,
            "bound": None,
            "mip_gap": None,
            "time_s": 0.0,
            "stages": [],
        }


def _safe_one(args: tuple) -> dict[str, Any]:
    return safely(_one, args)


def resolve_all(
    fn: Callable[[tuple], dict[str, Any]],
    jobs: list[tuple],
    stage: str,
    workers: int | None,
    progress: Callable[[str, int, int], Any] | None,
) -> list[dict[str, Any]]:
    """``fn(job)`` for every job, in worker processes (``workers``; default 2 when there are
    more than three jobs, else 1), in job order; ``progress(stage, done, total)`` after each.
    A job whose worker died is run again in this process."""
    n = len(jobs)
    results: list[dict[str, Any] | None] = [None] * n
    done = 0

    def finished(i: int, result: dict[str, Any]) -> None:
        nonlocal done
        results[i] = result
        done += 1
        if progress:
            progress(stage, done, n)

    run_each(fn, jobs, workers if workers is not None else (2 if n > 3 else 1), finished, lambda job, _e: fn(job))
    assert all(r is not None for r in results), "a re-solve left no result"
    return cast(list[dict[str, Any]], results)


def replacement_importance(
    li: LoadedInstance,
    plan,
    kinds: Iterable[str],
    *,
    time_limit: float | None = None,
    workers: int | None = None,
    progress: Callable[[str, int, int], Any] | None = None,
) -> pd.DataFrame:
    """Forbid each garden, project and village allocation the plan took (force each garden
    and project it did not take), re-solve, and report the objective change.

    Re-solves skip the tie-break and the verifier (only the objective is compared; in
    lexicographic mode the first goal that changes, named in ``goal``). With a
    ``time_limit`` a re-solve may stop before its optimum; its ``loss_yuan`` (from the plan
    it found) is then an upper bound on what forbidding costs and ``loss_bound_yuan`` (from
    its bound) the lower one. A re-solve that fails is recorded with status ``error``.
    """
    cands = importance_candidates(li, plan, kinds)
    if not cands:
        return pd.DataFrame()
    jobs = [(str(li.path), list(li.overrides), dec, time_limit) for _, _, _, dec in cands]
    results = resolve_all(_safe_one, jobs, "importance", workers, progress)
    from types import SimpleNamespace

    rows = []
    exact = plan.status == "optimal"
    for (kind, item, in_plan, dec), r in zip(cands, results):
        alt = SimpleNamespace(objective=r["objective"], objective_bound=r["bound"], stages=r["stages"])
        goal, change, bound_change = compare(plan.stages, plan.objective, alt)
        rows.append(
            {
                "kind": kind,
                "item": item,
                "in_plan": in_plan,
                "action": dec.action,
                "status": r["status"],
                "objective_yuan": r["objective"],
                "goal": goal,
                "change_yuan": change,
                "loss_yuan": None if change is None else max(-change, 0.0),
                "loss_bound_yuan": None if bound_change is None else max(-bound_change, 0.0),
                "mip_gap": r["mip_gap"],
                "time_s": r["time_s"],
                "statement": _importance_statement(kind, item, in_plan, r["status"], change, bound_change, exact, goal),
            }
        )
    df = pd.DataFrame(rows)
    df["_k"] = df["loss_yuan"].fillna(math.inf)
    return df.sort_values(["in_plan", "_k"], ascending=[False, False]).drop(columns="_k").reset_index(drop=True)


def _importance_statement(
    kind: str,
    item: str,
    in_plan: bool,
    status: str,
    change,
    bound_change,
    exact_base: bool = True,
    goal: str = "objective",
) -> str:
    if kind == "allocation":
        village, use = item.split(":", 1)
        name = f"{use} in {village}"
    else:
        name = f"the garden in {item}" if kind == "garden" else f"project {item}"
    if status == "infeasible":
        return (
            f"{name.capitalize()} cannot be {'removed' if in_plan else 'added'}: no plan satisfies every rule "
            f"{'without' if in_plan else 'with'} it (a rule requires {'it' if in_plan else 'otherwise'})."
        )
    if change is None:
        return f"{name.capitalize()}: the re-solve found no plan ({status})."
    of = (
        ""
        if goal == "objective"
        else f" of {'GEP' if goal == 'gep' else 'dividends'} (the first lexicographic goal that changes)"
    )
    if not exact_base:
        sign = "better" if change > 0 else "worse"
        return (
            f"{'Without' if in_plan else 'With'} {name} the re-solve is {fmt(abs(change), 'Yuan/yr')}{of} {sign} than "
            f"this plan, which is not proved optimal: not the value of {name}."
        )
    approx = (
        ""
        if status == "optimal"
        else f" (re-solve {status}: between {fmt(-change, 'Yuan/yr')} and {fmt(-(bound_change or change), 'Yuan/yr')})"
    )
    if in_plan:
        if -change <= 1.0:
            return f"{name.capitalize()} can be replaced at no loss: an equally good plan exists without it{approx}."
        return f"Without {name} the best plan is worth {fmt(-change, 'Yuan/yr')}{of} less{approx}."
    if change >= -1.0:
        return f"{name.capitalize()} could be added at no loss{approx}."
    return f"{name.capitalize()} is not in the plan: forcing it costs {fmt(-change, 'Yuan/yr')}{of}{approx}."
