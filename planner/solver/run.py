"""Solve an instance: build the model, run the MIP solver, turn the solution into a
:class:`~planner.plan.plan.Plan`, and verify it independently before calling it a plan.

The status words travel with every result:

- ``optimal``: proved optimal, to a relative MIP gap of at most 1e-6 or within 1 Yuan/yr
  (``OPTIMAL_REL_GAP``, ``OPTIMAL_ABS_GAP``); the gap reached is in ``mip_gap``;
- ``feasible``: a limit (time, or a looser ``--mip-gap``: termination ``gapLimit``) stopped
  the solver with a plan whose gap is reported;
- ``infeasible``: no plan satisfies every rule;
- ``no_solution``: a limit stopped the solver before any plan was found;
- ``unbounded`` / ``error``: something is wrong with the instance or the solver.
"""

from __future__ import annotations

import io
import logging
import math
import numbers
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pyomo.environ as pyo

from planner.core.errors import InputError, Problem, SolveError, SolverFailure
from planner.core.status import RANK, WITH_PLAN, highs_status, legacy_status
from planner.core.units import MONEY
from planner.instance.load import LoadedInstance
from planner.model.data import ModelData
from planner.solver import handoff
from planner.solver.handoff import available
from planner.solver.highs import fix_for
from planner.solver.progress import ProgressFn, Reporter, guarded

DEFAULT_REL_GAP = 1e-9  # exact by default: GEP is large, dividends would hide inside a looser gap
DEFAULT_ABS_GAP = 1e-6  # million Yuan = 1 Yuan/yr
TIE_BREAK_GAP = 1e-6  # relative gap of the least-cost tie-break stage


@dataclass
class SolveResult:
    status: str
    termination: str
    objective: float | None  # million Yuan (model units)
    bound: float | None
    mip_gap: float | None
    solve_time_s: float
    solver: str
    stages: list[dict[str, Any]]


def check_limits(
    time_limit: float | None = None, mip_gap: float | None = None, threads: int | None = None, *, cli: bool = False
) -> None:
    """Refuse solver limits that cannot mean anything, naming the option (``--threads`` from
    the command line, ``threads`` from Python): a time limit must be a finite number of
    seconds above 0, a MIP gap a finite number >= 0, threads a whole number >= 1."""

    def name(k: str) -> str:
        return f"--{k.replace('_', '-')}" if cli else k

    def number(v: Any, kind: type) -> bool:
        return not isinstance(v, bool) and isinstance(v, kind) and math.isfinite(v)

    checks = [  # (option, value, acceptable, what it must be, what to give)
        (
            "time_limit",
            time_limit,
            lambda v: number(v, numbers.Real) and v > 0,
            "must be a finite number of seconds above 0",
            "give e.g. 60, or leave it out for no limit",
        ),
        (
            "mip_gap",
            mip_gap,
            lambda v: number(v, numbers.Real) and v >= 0,
            "must be a finite number >= 0",
            "give e.g. 0.001 for 0.1%, or leave it out for the exact optimum",
        ),
        (
            "threads",
            threads,
            lambda v: number(v, numbers.Integral) and v >= 1,
            "must be a whole number of threads, 1 or more",
            "give e.g. 1 or 2, or leave it out for the solver's default",
        ),
    ]
    problems = [
        Problem(name(k), name(k), must, fix, v) for k, v, ok, must, fix in checks if v is not None and not ok(v)
    ]
    if problems:
        raise InputError(problems)


def solver_options(li: LoadedInstance, time_limit, mip_gap, threads, solver) -> dict[str, Any]:
    check_limits(time_limit, mip_gap, threads)
    s = li.instance.solver
    return {
        "solver": solver or s.name,
        "time_limit": time_limit if time_limit is not None else s.time_limit,
        "mip_gap": mip_gap if mip_gap is not None else s.mip_gap,
        "threads": threads if threads is not None else s.threads,
    }


def _gap(obj: float | None, bound: float | None) -> float | None:
    if (
        obj is None
        or bound is None
        or any(isinstance(v, float) and (math.isnan(v) or math.isinf(v)) for v in (obj, bound))
    ):
        return None
    return abs(bound - obj) / max(abs(obj), 1e-10)


def _run_highs(m: pyo.ConcreteModel, opts: dict[str, Any], report: Reporter | None = None) -> dict[str, Any]:
    """HiGHS through :mod:`planner.solver.handoff` (the model passed as arrays, read back in bulk);
    ``report`` receives the MIP's progress."""

    if not handoff.available():
        raise SolveError("HiGHS (highspy) is not available; pip install highspy")
    hopts = handoff.highs_options(
        opts,
        opts["mip_gap"] if opts["mip_gap"] is not None else DEFAULT_REL_GAP,
        DEFAULT_ABS_GAP if opts["mip_gap"] is None else 0.0,
    )

    r = handoff.run(
        m, hopts, on_mip=report, first_plan=opts.get("first_plan", True)
    )  # raises SolverFailure (HighsRunError) with HiGHS's words when HiGHS refuses to run
    has = r["has_solution"]
    name = r["status"]
    status = highs_status(name, has)
    if status == "error":  # kSolveError, kMemoryLimit, kModelError, kPostsolveError ...: no plan, and HiGHS says why
        said = "; ".join(r["messages"]) or "no message"
        raise SolverFailure(
            f"HiGHS stopped with model status {name} and no plan ({said})", solver="highs", fix=fix_for(r["messages"])
        )
    obj = r["objective"] if has else None
    return _gap_status(
        {
            "status": status,
            "termination": r["termination"],
            "objective": obj,
            "bound": r["bound"],
            "mip_gap": _gap(obj, r["bound"]) if has else None,
            "time_s": r["time_s"],
            "handoff_s": r["handoff_s"],
            "readback_s": r["readback_s"],
        }
    )


@contextmanager
def _pyomo_said() -> Iterator[io.StringIO]:
    """What Pyomo logs while creating or running a solver (warnings with tracebacks, for an
    unknown name) is kept for the message instead of printed."""
    from pyomo.common.log import LoggingIntercept

    buf = io.StringIO()
    with LoggingIntercept(buf, "pyomo", logging.WARNING):
        yield buf


def _first_lines(e: BaseException, n: int = 3) -> str:
    lines = [ln.strip() for ln in str(e).splitlines() if ln.strip()]
    return " ".join(lines[:n]) or type(e).__name__


def _said(buf: io.StringIO) -> str:
    lines = [
        ln.strip()
        for ln in buf.getvalue().splitlines()
        if ln.strip() and not ln.startswith((" ", "Traceback")) and not ln.strip().startswith("^")
    ]
    return f" (Pyomo: {' '.join(lines[:2])})" if lines else ""


def _legacy_fix(text: str) -> str:
    low = text.lower()
    if "license" in low or "licence" in low:
        return (
            "the solver's licence does not allow this model (a size-limited or expired licence): install a full "
            "licence, or use --solver highs (bundled, no limits)"
        )
    return "check that the solver is installed and working, or use --solver highs (bundled)"


def _run_legacy(m: pyo.ConcreteModel, opts: dict[str, Any]) -> dict[str, Any]:
    """Any other MIP solver Pyomo knows (cbc, glpk, gurobi, cplex, ...)."""
    from pyomo.opt import SolverStatus
    from pyomo.opt import TerminationCondition as TC

    name = opts["solver"]
    with _pyomo_said() as said:
        opt = pyo.SolverFactory(name)
        ok = opt is not None and opt.available(exception_flag=False)
    if not ok:
        raise SolverFailure(
            f"solver {name!r} is not available{_said(said)}", solver=name, fix="install it, or use --solver highs"
        )
    options: dict[str, Any] = {}
    gap_key = {"cbc": "ratioGap", "glpk": "mipgap", "gurobi": "MIPGap", "cplex": "mipgap"}.get(name, "mipgap")
    time_key = {"cbc": "seconds", "glpk": "tmlim", "gurobi": "TimeLimit", "cplex": "timelimit"}.get(name, "timelimit")
    options[gap_key] = opts["mip_gap"] if opts["mip_gap"] is not None else DEFAULT_REL_GAP
    if opts["time_limit"] is not None:
        options[time_key] = opts["time_limit"]
    t0 = time.perf_counter()
    try:
        with _pyomo_said() as said:
            res = opt.solve(m, options=options, load_solutions=False)
    except Exception as e:  # noqa: BLE001 - a licence limit, a crashed executable ...: the solver's words, no traceback
        raise SolverFailure(
            f"{_first_lines(e)}{_said(said)}", solver=name, fix=_legacy_fix(f"{e} {said.getvalue()}")
        ) from None
    wall = time.perf_counter() - t0
    tc = res.solver.termination_condition
    has = len(res.solution) > 0
    if has:
        m.solutions.load_from(res)
    status = legacy_status(str(tc), has, stopped=res.solver.status == SolverStatus.aborted or tc == TC.maxTimeLimit)
    active = next(m.component_data_objects(pyo.Objective, active=True))
    obj = pyo.value(active) if has else None
    raw = res.problem.upper_bound if active.sense == pyo.maximize else res.problem.lower_bound
    bound = float(raw) if raw is not None and math.isfinite(float(raw)) else None
    return _gap_status(
        {
            "status": status,
            "termination": str(tc),
            "objective": obj,
            "bound": bound,
            "mip_gap": _gap(obj, bound) if has else None,
            "time_s": wall,
        }
    )


OPTIMAL_REL_GAP = 1e-6  # a plan further from its bound than this (and than OPTIMAL_ABS_GAP) is not called optimal
OPTIMAL_ABS_GAP = 1e-6  # million Yuan = 1 Yuan/yr


def _gap_status(r: dict[str, Any]) -> dict[str, Any]:
    """A solver 'optimal' reached only within a user-requested gap (e.g. --mip-gap 0.01) is
    reported as 'feasible' with termination 'gapLimit': never call a plan optimal that is not."""
    if r["status"] == "optimal" and r["objective"] is not None and r["bound"] is not None and math.isfinite(r["bound"]):
        absgap = abs(r["bound"] - r["objective"])
        if absgap > OPTIMAL_ABS_GAP * (1 + 1e-9) and (r["mip_gap"] or 0.0) > OPTIMAL_REL_GAP:
            return {**r, "status": "feasible", "termination": "gapLimit"}
    return r


def run_solver(m: pyo.ConcreteModel, opts: dict[str, Any], report: Reporter | None = None) -> dict[str, Any]:
    """One solve of ``m``; ``report`` receives HiGHS's progress (other solvers report none)."""
    return _run_highs(m, opts, report) if opts["solver"] == "highs" else _run_legacy(m, opts)


def _keep(m: pyo.ConcreteModel, name: str, expr, best: float, rel: float) -> None:
    """Hold an objective at (nearly) its optimum while a later stage optimises something else."""
    keep = best - max(rel * abs(best), 1e-9)  # 1e-9 million Yuan = 0.001 Yuan
    m.add_component(name, pyo.Constraint(expr=expr >= keep))
    m._families.setdefault("objective_keep", []).append(name)


def snapshot_values(m: pyo.ConcreteModel) -> list[tuple[Any, float | None]]:
    return [(v, v.value) for v in m.component_data_objects(pyo.Var)]


def restore_values(snap: list[tuple[Any, float | None]]) -> None:
    for v, val in snap:
        v.set_value(val, skip_validation=True)


def _hold_all_but_recruitment(m: pyo.ConcreteModel) -> list[Any]:
    """Fix every decision except recruitment (``recruit``, ``recruit_total``, ``assign``) at its current value,
    snapped into its bounds (and to whole numbers for integers); return what was fixed."""
    held = []
    for comp in m.component_objects(pyo.Var):
        if comp.local_name in ("recruit", "recruit_total", "assign"):
            continue
        for v in comp.values():
            if v.fixed or v.value is None:
                continue
            val = round(v.value) if v.is_integer() or v.is_binary() else v.value
            lb, ub = v.lb, v.ub
            val = max(val, lb) if lb is not None else val
            val = min(val, ub) if ub is not None else val
            v.fix(val)
            held.append(v)
    return held


def solve_model(
    d: ModelData, m: pyo.ConcreteModel, opts: dict[str, Any], progress: ProgressFn | None = None
) -> SolveResult:
    """Solve weighted or lexicographically, then (``objective.tie_break``) pick the
    least-cost plan among the optimal ones. ``progress`` receives each stage's
    :class:`~planner.solver.progress.SolveProgress` while HiGHS runs.

    A stage that ends without a plan (a time limit, typically) never discards the plan of
    an earlier stage: the last plan found is restored. Status rules:

    - the main stages decide the status (the worst of them); if a later lexicographic goal
      found no plan, the earlier goal's plan is returned as ``feasible`` (not proved
      lexicographically optimal);
    - the tie-break never changes the status: without it the plan is optimal but perhaps
      not the least-cost one among the optima (the stage record says so).
    """
    ob = d.inst.objective
    stages: list[dict[str, Any]] = []
    started = time.perf_counter()
    deadline = None if opts["time_limit"] is None else started + float(opts["time_limit"])

    tell = None if progress is None else guarded(progress)

    def report(goal: str) -> Reporter | None:
        return None if tell is None else Reporter(tell, goal, lambda: time.perf_counter() - started)

    def remaining(o: dict[str, Any]) -> dict[str, Any]:
        """The time limit is for the whole solve: each stage gets what is left."""
        if deadline is None:
            return o
        return {**o, "time_limit": max(deadline - time.perf_counter(), 1e-3)}

    snap, snap_objective, snap_stage = None, None, None
    if ob.mode == "weighted":
        r = run_solver(m, remaining(opts), report("weighted"))
        stages.append({"goal": "weighted", **r})
        main_expr = m.objective.expr
        if r["status"] in WITH_PLAN:
            snap, snap_objective, snap_stage = snapshot_values(m), r["objective"], r
    else:
        m.objective.deactivate()
        goals = {"gep": m.obj_gep, "dividends": m.obj_dividends}
        main_expr = goals[ob.order[0]]
        for i, goal in enumerate(ob.order):
            obj = pyo.Objective(expr=goals[goal], sense=pyo.maximize)
            m.add_component(f"objective_{goal}", obj)
            r = run_solver(m, remaining(opts), report(goal))
            stages.append({"goal": goal, **r})
            obj.deactivate()
            if r["status"] not in WITH_PLAN:
                break
            main_expr = goals[goal]
            snap, snap_objective, snap_stage = snapshot_values(m), r["objective"], r
            if r["termination"] == "interrupted":  # Ctrl-C: keep this plan, start no further stage
                break
            if i < len(ob.order) - 1:
                _keep(m, f"lexicographic_keep_{goal}", goals[goal], r["objective"], ob.lexicographic_tolerance)
    main = list(stages)
    worst = max(main, key=lambda s: RANK[s["status"]])
    status, termination = worst["status"], worst["termination"]
    if snap is not None and main[-1]["status"] not in WITH_PLAN:
        # a later lexicographic goal found no plan: return the earlier goal's plan, not proved optimal
        restore_values(snap)
        status, termination = "feasible", main[-1]["termination"]
    objective = snap_objective
    gaps = [s["mip_gap"] for s in main if s["mip_gap"] is not None]
    out_of_time = deadline is not None and time.perf_counter() >= deadline
    stopped = any(s["termination"] == "interrupted" for s in main)
    if stopped and status == "optimal" and ob.mode != "weighted" and len(main) < len(ob.order):
        status, termination = "feasible", "interrupted"  # a later lexicographic goal was never solved
    if ob.tie_break != "none" and status in WITH_PLAN and not out_of_time and not stopped:
        for c in m.component_objects(pyo.Objective, active=True):
            c.deactivate()
        held = _hold_all_but_recruitment(m) if ob.tie_break == "least_wages" else []
        # hold the main objective at the incumbent (not at the user's gap, which would let the plan lose up to that gap)
        _keep(m, "tie_break_keep", main_expr, objective, DEFAULT_REL_GAP)
        m.objective_least_cost = pyo.Objective(expr=pyo.quicksum(m._expr["spend"].values()), sense=pyo.minimize)
        # a tie-break: the main objective is held by a constraint, so a 1e-6 gap on spending is plenty
        r = run_solver(
            m, remaining({**opts, "mip_gap": max(opts["mip_gap"] or 0.0, TIE_BREAK_GAP)}), report(ob.tie_break)
        )
        for v in held:
            v.unfix()
        stages.append({"goal": ob.tie_break, **r})
        if r["status"] in WITH_PLAN:
            objective = pyo.value(main_expr)
        else:  # no least-cost plan in time: keep the main stage's plan as it was
            restore_values(snap)
            stages[-1]["note"] = "tie-break found no plan; the main stage's plan is returned"
    return SolveResult(
        status=status,
        termination=termination,
        objective=objective,
        bound=snap_stage["bound"] if snap_stage else main[-1]["bound"],
        mip_gap=max(gaps) if gaps and status in WITH_PLAN else None,
        solve_time_s=sum(s["time_s"] for s in stages),
        solver=opts["solver"],
        stages=stages,
    )


def check_solver(name: str, file: str) -> None:
    """Raise an InputError naming the option if the MIP solver cannot be used here."""

    if name == "highs":
        if available():
            return
        raise InputError.one(file, "solver.name", "HiGHS (highspy) is not installed", "pip install highspy")
    try:
        with _pyomo_said():
            opt = pyo.SolverFactory(name)
            ok = opt is not None and opt.available(exception_flag=False)
    except Exception:  # noqa: BLE001 - a plugin that fails to load is a solver that is not available
        ok = False
    if not ok:
        raise InputError.one(
            file,
            "solver.name",
            f"MIP solver {name!r} is not available on this machine",
            "install it, or use highs (bundled through highspy)",
            name,
        )


__all__ = ["SolveResult", "solve_model", "run_solver", "check_solver", "check_limits", "MONEY"]
