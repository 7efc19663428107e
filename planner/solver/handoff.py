"""Hand the Pyomo model to HiGHS as arrays, solve, and read the solution back in bulk.

Pyomo's persistent HiGHS interface adds the model row by row (solver-notes: 30-37 s at
100,000 parcels, more than HiGHS's own solve). Here each row is walked once by Pyomo's
linear-expression visitor into plain arrays (no scipy: importing it through Pyomo costs
about 2 s) and passed to ``highspy`` with one ``passModel``; the solution comes back as one array, written to the
variables in one
pass. Three timed stages: ``handoff_s`` (compile + pass), ``time_s`` (HiGHS's run),
``readback_s``.

Termination words are Pyomo's (``convergenceCriteriaSatisfied``, ``maxTimeLimit``,
``provenInfeasible`` ...; planner.core.status.HIGHS_TERMINATION), so results read the same
whichever interface solved them.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyomo.environ as pyo

from planner.core import faults
from planner.core.status import HIGHS_TERMINATION
from planner.solver import highs, start

INF = float("inf")


@dataclass
class Compiled:
    lp: Any  # highspy.HighsLp
    columns: list  # Pyomo VarData per column
    maximize: bool
    mip: bool
    compile_s: float


def available() -> bool:
    try:
        import highspy  # noqa: F401
    except ImportError:
        return False
    return True


class TriviallyInfeasible(Exception):
    """A row whose variables are all fixed is violated."""


CONSTANT_ROW_TOL = 1e-6  # a row with no free variables may miss its bound by this (relative) before it is infeasible


def compile_model(m: pyo.ConcreteModel) -> Compiled:
    """The active objective and constraints as a row-wise ``HighsLp`` (fixed variables are
    constants). One pass of Pyomo's linear-expression walker per row, arrays built once.

    Raises :class:`TriviallyInfeasible` when a row without free variables misses its bound
    by more than ``CONSTANT_ROW_TOL``."""
    import highspy
    from pyomo.repn.linear import LinearRepnVisitor
    from pyomo.repn.util import VarRecorder

    t0 = time.perf_counter()
    var_map: dict[int, Any] = {}
    visitor = LinearRepnVisitor({}, var_recorder=VarRecorder(var_map, None))
    col_of: dict[int, int] = {}
    cols: list = []
    index: list[int] = []
    value: list[float] = []
    starts = [0]
    row_lo: list[float] = []
    row_up: list[float] = []

    def column(vid: int) -> int:
        j = col_of.get(vid)
        if j is None:
            j = col_of[vid] = len(cols)
            cols.append(var_map[vid])
        return j

    for con in m.component_data_objects(pyo.Constraint, active=True, descend_into=True):
        lb, ub = con.lb, con.ub
        if lb is None and ub is None:
            continue
        repn = visitor.walk_expression(con.body)
        k = float(repn.constant)
        lin = repn.linear
        if not lin:
            bad = (lb is not None and k < lb - CONSTANT_ROW_TOL * max(1.0, abs(lb))) or (
                ub is not None and k > ub + CONSTANT_ROW_TOL * max(1.0, abs(ub))
            )
            if bad:
                raise TriviallyInfeasible(con.name)
            continue
        for vid, coef in lin.items():
            if coef:
                index.append(column(vid))
                value.append(coef)
        starts.append(len(index))
        row_lo.append(-INF if lb is None else float(lb) - k)
        row_up.append(INF if ub is None else float(ub) - k)
    obj = next(m.component_data_objects(pyo.Objective, active=True, descend_into=True), None)
    cost_of: dict[int, float] = {}
    offset = 0.0
    if obj is not None:
        repn = visitor.walk_expression(obj.expr)
        offset = float(repn.constant)
        for vid, coef in repn.linear.items():
            cost_of[column(vid)] = cost_of.get(column(vid), 0.0) + coef
    n, nrow = len(cols), len(row_lo)
    lo = np.empty(n)
    up = np.empty(n)
    integ = np.zeros(n, dtype=bool)
    for j, v in enumerate(cols):
        vlb, vub = v.bounds
        lo[j] = -INF if vlb is None else vlb
        up[j] = INF if vub is None else vub
        integ[j] = v.is_integer()
    cost = np.zeros(n)
    if cost_of:
        cost[np.fromiter(cost_of.keys(), dtype=np.int64)] = np.fromiter(cost_of.values(), dtype=float)
    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = nrow
    lp.col_cost_ = cost
    lp.col_lower_ = lo
    lp.col_upper_ = up
    lp.row_lower_ = np.asarray(row_lo, dtype=float)
    lp.row_upper_ = np.asarray(row_up, dtype=float)
    lp.offset_ = offset
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.num_col_ = n
    lp.a_matrix_.num_row_ = nrow
    lp.a_matrix_.start_ = np.asarray(starts, dtype=np.int32)
    lp.a_matrix_.index_ = np.asarray(index, dtype=np.int32)
    lp.a_matrix_.value_ = np.asarray(value, dtype=float)
    if integ.any():
        lp.integrality_ = [highspy.HighsVarType.kInteger if k else highspy.HighsVarType.kContinuous for k in integ]
    maximize = obj is not None and obj.sense == pyo.maximize
    lp.sense_ = highspy.ObjSense.kMaximize if maximize else highspy.ObjSense.kMinimize
    return Compiled(lp=lp, columns=cols, maximize=maximize, mip=bool(integ.any()), compile_s=time.perf_counter() - t0)


def highs_options(opts: dict[str, Any], rel_gap: float, abs_gap: float) -> dict[str, Any]:
    o: dict[str, Any] = {"output_flag": False, "mip_rel_gap": float(rel_gap), "mip_abs_gap": float(abs_gap)}
    if opts.get("time_limit") is not None:
        o["time_limit"] = float(opts["time_limit"])
    if opts.get("threads") is not None:
        o["threads"] = int(opts["threads"])
    o.update(opts.get("highs_options") or {})
    return o


def run(
    m: pyo.ConcreteModel, options: dict[str, Any], on_mip: highs.MipProgress | None = None, *, first_plan: bool = False
) -> dict[str, Any]:
    """Compile, solve with HiGHS and load the solution into ``m``'s variables. ``on_mip``
    receives the MIP's progress while HiGHS runs (:func:`planner.solver.highs.run`).
    With ``first_plan``, a MIP is solved from the plan :func:`planner.solver.start.first_plan`
    finds (``start_s`` is its time, included in ``time_s``); a Ctrl-C during it keeps that
    plan, with the LP relaxation's bound.

    Returns status (HiGHS's model status name, e.g. ``kOptimal``), termination, objective, bound,
    has_solution, HiGHS's warnings and
    errors (``messages``) and the stage times. Raises :class:`planner.solver.highs.HighsRunError`
    when HiGHS refuses to run."""
    t0 = time.perf_counter()
    try:
        c = compile_model(m)
    except TriviallyInfeasible:
        return {
            "status": "kInfeasible",
            "termination": HIGHS_TERMINATION["kInfeasible"],
            "objective": None,
            "bound": None,
            "has_solution": False,
            "handoff_s": time.perf_counter() - t0,
            "time_s": 0.0,
            "readback_s": 0.0,
        }
    if c.lp.num_col_ == 0:  # nothing to decide (every row was constant and held): the objective is its constant
        return {
            "status": "kOptimal",
            "termination": HIGHS_TERMINATION["kOptimal"],
            "objective": c.lp.offset_,
            "bound": c.lp.offset_,
            "has_solution": True,
            "handoff_s": time.perf_counter() - t0,
            "time_s": 0.0,
            "readback_s": 0.0,
            "columns": 0,
            "rows": 0,
            "nonzeros": 0,
        }
    handoff = time.perf_counter() - t0
    t1 = time.perf_counter()
    faults.reached("solver-run")
    begun = start.first_plan(c.lp, options) if first_plan and c.mip else None
    try:
        if begun is not None and begun.x is not None:
            faults.reached("first-plan")
        if begun is not None and begun.interrupted:
            return _kept_start(c, begun, handoff, time.perf_counter() - t1)
        run_options = dict(options)
        if begun is not None and options.get("time_limit") is not None:  # the first plan's time counts
            run_options["time_limit"] = max(float(options["time_limit"]) - (time.perf_counter() - t1), 0.0)
        h = highs.new(run_options)
        h.passModel(c.lp)
        if begun is not None and begun.x is not None:
            import highspy

            given = highspy.HighsSolution()
            given.col_value = list(begun.x)
            given.value_valid = True
            if h.setSolution(given) == highspy.HighsStatus.kOk:
                for k, v in start.proof_options(begun, options).items():
                    h.setOptionValue(k, v)
    except KeyboardInterrupt:  # between the first plan and HiGHS's run: keep the first plan
        if begun is None:
            raise
        highs.mark_interrupted()
        return _kept_start(c, begun, handoff, time.perf_counter() - t1)
    highs.run(h, keep_interrupted=True, on_mip=on_mip)  # a Ctrl-C keeps HiGHS's best plan (status kInterrupt)
    wall = time.perf_counter() - t1
    t2 = time.perf_counter()
    ms = h.getModelStatus()
    info = h.getInfo()
    name = ms.name if hasattr(ms, "name") else str(ms).split(".")[-1]
    has = info.primal_solution_status == 2
    if has:
        x = h.getSolution().col_value
        for v, val in zip(c.columns, x):
            v.set_value(val, skip_validation=True)
    readback = time.perf_counter() - t2
    obj = float(info.objective_function_value) if has else None
    if c.mip:
        b = float(info.mip_dual_bound)
        bound = b if math.isfinite(b) else None
        if bound is None and has and begun is not None and begun.lp_bound is not None:
            bound = begun.lp_bound  # HiGHS stopped before its root: the LP relaxation still bounds every plan
    else:
        bound = obj if name == "kOptimal" else None
    return {
        "status": name,
        "termination": HIGHS_TERMINATION.get(name, "unknown"),
        "objective": obj,
        "bound": bound,
        "has_solution": has,
        "handoff_s": handoff,
        "time_s": wall,
        "readback_s": readback,
        "columns": c.lp.num_col_,
        "rows": c.lp.num_row_,
        "nonzeros": int(len(c.lp.a_matrix_.value_)),
        "messages": highs.messages(h),
        **(begun.summary() if begun is not None else {}),
    }


def _kept_start(c: Compiled, begun: start.Start, handoff: float, wall: float) -> dict[str, Any]:
    """A Ctrl-C stopped the search for a first plan: keep that plan if there is one, with
    the LP relaxation's bound (a bound on every plan)."""
    t2 = time.perf_counter()
    has = begun.x is not None
    if has:
        for v, val in zip(c.columns, begun.x):
            v.set_value(float(val), skip_validation=True)
    return {
        "status": "kInterrupt",
        "termination": HIGHS_TERMINATION["kInterrupt"],
        "objective": begun.objective if has else None,
        "bound": begun.lp_bound,
        "has_solution": has,
        "handoff_s": handoff,
        "time_s": wall,
        "readback_s": time.perf_counter() - t2,
        "columns": c.lp.num_col_,
        "rows": c.lp.num_row_,
        "nonzeros": int(len(c.lp.a_matrix_.value_)),
        "messages": [],
        **begun.summary(),
    }


def write_mps(m: pyo.ConcreteModel, path: str) -> None:
    """Write the model exactly as it is handed to HiGHS (for the benchmark's HiGHS-only floor)."""
    c = compile_model(m)
    h = highs.new()
    h.passModel(c.lp)
    h.writeModel(str(path))
