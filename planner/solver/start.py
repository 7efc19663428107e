"""A first plan for a MIP, found before HiGHS's own search, and the options to prove it.

Why (docs/performance.md, "A first plan before the proof"): on the generated 10,000-parcel
township HiGHS needs about 40 s, yet given the optimum as its starting plan it proves it
in under 2 s with its own primal heuristics and restarts off. Nearly all of the time is
spent finding the plan, in sub-MIPs over a model whose long rows (budget, coverage,
township work) make every cut round slow. The plan is found faster on a smaller model:

1. **LP relaxation** of the model as handed to HiGHS. Its objective is a bound on every
   plan.
2. **Restricted MIP**: every yes/no column is held at its LP value rounded down, and
   every continuous column the LP leaves at a bound with a nonzero reduced cost is held
   there. What is left (whole people, the land the LP is unsure of) is solved by HiGHS
   under a time cap.
3. **Repair**: the whole numbers of that plan are held and the LP over every continuous
   column is solved on the full model, which can only improve the plan (the restricted
   model is the full one with some bounds tightened, so its plan already meets every
   row).

HiGHS then solves the full model from that plan. The plan only speeds the search: the
status, the bound and the gap reported are HiGHS's on the full model (the bound is the
LP's only where HiGHS stopped before it had one), so nothing is called optimal that
HiGHS has not proved. When the plan is within
:data:`PROOF_GAP` of the LP bound, HiGHS's primal heuristics and restarts are turned
off for the proof (:data:`PROOF_OPTIONS`), unless the user set those options. When the
LP is not solved or the restricted MIP has no plan, HiGHS solves the model as before. A
Ctrl-C keeps the best plan found so far (:attr:`Start.interrupted`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from planner.solver import highs

#: a plan within this relative gap of the LP bound is proved with PROOF_OPTIONS (relative
#: to the whole objective with its constant, as HiGHS measures its gap)
PROOF_GAP = 1e-4
#: HiGHS options for proving a given plan: no search for plans of its own, no restarts
PROOF_OPTIONS: dict[str, Any] = {
    "mip_allow_restart": False,
    "mip_heuristic_effort": 0.0,
    "mip_heuristic_run_feasibility_jump": False,
    "mip_heuristic_run_rins": False,
    "mip_heuristic_run_rens": False,
    "mip_heuristic_run_root_reduced_cost": False,
}
#: longest restricted MIP (s); with a time limit, at most a quarter of the time left
RESTRICTED_LIMIT_S = 60.0
BOUND_TOL = 1e-9  # a column this close to a bound is at it
REDUCED_COST_TOL = 1e-6  # a reduced cost above this (model units) holds a continuous column at its bound


@dataclass
class Start:
    x: np.ndarray | None  # the plan (one value per column), None when none was found
    objective: float | None
    lp_bound: float | None  # the LP relaxation's objective: a bound on every plan
    times: dict[str, float] = field(default_factory=dict)
    interrupted: bool = False  # a Ctrl-C stopped it: no later run should start

    def summary(self) -> dict[str, Any]:
        """What a solve result records of the first plan: its time and its gap to the LP bound."""
        return {"start_s": sum(self.times.values()), "start_gap": self.gap()}

    def gap(self) -> float | None:
        if self.objective is None or self.lp_bound is None:
            return None
        return abs(self.lp_bound - self.objective) / max(abs(self.objective), 1e-10)


def _time_left(options: dict[str, Any], t0: float) -> float | None:
    limit = options.get("time_limit")
    if limit is None or not math.isfinite(float(limit)):
        return None
    return max(float(limit) - (time.perf_counter() - t0), 0.0)


def _solve(lp: Any, options: dict[str, Any], limit: float | None, *, relax: bool = False, hold=None) -> Any:
    """HiGHS on ``lp`` with ``options`` and the time ``limit``; ``relax`` drops the
    whole-number rules, ``hold`` = (columns, values) fixes those columns."""
    h = highs.new({k: v for k, v in options.items() if k != "time_limit"})
    if limit is not None:
        h.setOptionValue("time_limit", float(limit))
    if relax:
        h.setOptionValue("solve_relaxation", True)
    h.passModel(lp)
    if hold is not None and len(hold[0]):
        cols, values = hold
        h.changeColsBounds(len(cols), np.asarray(cols, dtype=np.int32), values, values)
    highs.run(h, keep_interrupted=True)
    return h


def first_plan(lp: Any, options: dict[str, Any]) -> Start:
    """A plan for the MIP ``lp`` (a ``highspy.HighsLp``) by the three steps above, with
    HiGHS ``options`` (gaps, threads, time limit). Of a time limit, the LP and the repair
    may take a quarter each of what is left and the restricted MIP a quarter, so HiGHS's
    own run keeps at least a quarter. A Ctrl-C (during a HiGHS run or between them)
    returns the best plan found so far with ``interrupted`` set."""
    t0 = time.perf_counter()
    times: dict[str, float] = {}
    already = highs.interrupted()  # a Ctrl-C of an earlier solve in this process does not stop this one
    found = Start(None, None, None, times)

    def stopped() -> bool:
        return highs.interrupted() and not already

    try:
        _steps(lp, options, t0, found, stopped)
    except KeyboardInterrupt:  # between HiGHS runs: keep what was found
        highs.mark_interrupted()
        found.interrupted = True
    return found


def _quarter(options: dict[str, Any], t0: float) -> float | None:
    left = _time_left(options, t0)
    return None if left is None else left / 4


def _steps(lp: Any, options: dict[str, Any], t0: float, found: Start, stopped: Callable[[], bool]) -> None:
    """The three steps, filling ``found`` as they go (see :func:`first_plan`)."""
    import highspy

    times = found.times
    integer = np.array([int(t) for t in lp.integrality_], dtype=int) == int(highspy.HighsVarType.kInteger)
    lo = np.asarray(lp.col_lower_, dtype=float)
    up = np.asarray(lp.col_upper_, dtype=float)

    r = _solve(lp, options, _quarter(options, t0), relax=True)
    times["lp_s"] = time.perf_counter() - t0
    found.interrupted = stopped()
    if found.interrupted or r.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return
    sol = r.getSolution()
    x = np.asarray(sol.col_value, dtype=float)
    reduced = np.asarray(sol.col_dual, dtype=float)
    found.lp_bound = float(r.getInfo().objective_function_value)

    binary = integer & (lo == 0.0) & (up == 1.0)
    at_bound = (np.abs(x - lo) <= BOUND_TOL) | (np.abs(x - up) <= BOUND_TOL)
    held = np.flatnonzero(binary | (~integer & at_bound & (np.abs(reduced) > REDUCED_COST_TOL)))
    value = np.where(binary[held], np.floor(x[held] + 1e-6), x[held])
    quarter = _quarter(options, t0)
    s = _solve(
        lp, options, RESTRICTED_LIMIT_S if quarter is None else min(RESTRICTED_LIMIT_S, quarter), hold=(held, value)
    )
    times["restricted_s"] = time.perf_counter() - t0 - times["lp_s"]
    found.interrupted = stopped()
    if s.getInfo().primal_solution_status != 2:
        return
    # the restricted model is the full one with some bounds tightened: its plan is a plan
    plan = np.asarray(s.getSolution().col_value, dtype=float)
    found.x, found.objective = plan, float(s.getInfo().objective_function_value)
    if found.interrupted:
        return

    ints = np.flatnonzero(integer)
    whole = np.round(plan[ints])
    p = _solve(lp, options, _quarter(options, t0), relax=True, hold=(ints, whole))
    times["repair_s"] = time.perf_counter() - t0 - times["lp_s"] - times["restricted_s"]
    found.interrupted = stopped()
    if found.interrupted or p.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return
    repaired = np.asarray(p.getSolution().col_value, dtype=float)
    repaired[ints] = whole
    found.x, found.objective = repaired, float(p.getInfo().objective_function_value)


def proof_options(start: Start, options: dict[str, Any]) -> dict[str, Any]:
    """HiGHS options for the full solve from ``start``: :data:`PROOF_OPTIONS` where the
    plan is within :data:`PROOF_GAP` of the LP bound, except any the user set."""
    gap = start.gap()
    if start.x is None or gap is None or gap > PROOF_GAP:
        return {}
    return {k: v for k, v in PROOF_OPTIONS.items() if k not in options}
