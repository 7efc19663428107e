"""Ranging of prices and coefficients: how far a parameter of the instance (a carbon
price, the GEP scale or a use's GEP multiplier, a cost multiplier, a wage...) can move
before the plan's fixed LP changes its plan, in the parameter's own unit.

A parameter usually enters many coefficients at once (a carbon price is in the income of
every carbon parcel), so HiGHS's per-column cost ranging does not answer it. Instead:

1. the plan's fixed LP is built twice, at the parameter's value ``p`` and at ``p + h``,
   and the difference of the two LPs (costs, bounds and matrix) is the LP's direction per
   unit of the parameter (the parameters listed enter linearly);
2. the LP at ``p + t`` is solved from the plan's basis for growing, then bisected, ``t``
   up and down until its solution is no longer the plan's (to a relative 1e-3).

The range holds for the fixed LP: the yes/no and whole-number decisions stay as they are;
beyond the range the LP plan changes, and perhaps the discrete decisions would too.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd

from planner.core.errors import InputError
from planner.core.units import MONEY
from planner.explain.fixed import FixedLP, decisions_of, fix_decisions, fix_shares, main_objective
from planner.explain.result import fmt
from planner.instance.overrides import get_value
from planner.model.build import build_model
from planner.model.data import ModelData
from planner.solver import highs
from planner.solver import lparrays as lpa

DEFAULT_PARAMETERS = (
    "prices.forestry_carbon_yuan_per_t",
    "prices.agricultural_carbon_yuan_per_t",
    "prices.gep_scale",
    "prices.establishment_cost_multiplier",
)
UNITS = {
    "prices.forestry_carbon_yuan_per_t": "Yuan/t",
    "prices.agricultural_carbon_yuan_per_t": "Yuan/t",
    "prices.gep_scale": "x",
    "prices.establishment_cost_multiplier": "x",
    "finance.loan_interest_rate": "1/yr",
}
REL_TOL = 1e-3
MAX_STEPS = 40


def unit_of(path: str) -> str:
    """The unit of a parameter, from its name (the schema's naming: ``_yuan_per_yr``, ``_yuan``, ``_ha``...)."""
    if path in UNITS:
        return UNITS[path]
    last = path.rsplit(".", 1)[-1]
    if "multiplier" in path:
        return "x"
    for suffix, unit in (
        ("_yuan_per_ha_yr", "Yuan/ha/yr"),
        ("_yuan_per_yr", "Yuan/yr"),
        ("_yuan_per_ha", "Yuan/ha"),
        ("_yuan_per_t", "Yuan/t"),
        ("_yuan", "Yuan"),
        ("_ha", "ha"),
        ("_share", "share"),
        ("_min", ""),
        ("_rate", "1/yr"),
    ):
        if last.endswith(suffix):
            return unit
    return ""


def _lp_of(li, plan):

    d = ModelData(li)
    m = build_model(d)
    main_objective(m, d, plan.stages)
    fix_decisions(m, decisions_of(plan))
    fix_shares(m, plan)
    opt = highs.pyomo_solver()
    opt.set_instance(m)
    return opt._solver_model.getLp()


class _Base:
    """The plan's fixed LP as HiGHS arrays, solved once for its basis and solution."""

    def __init__(self, f: FixedLP, plan):
        import highspy

        self.lp = _lp_of(f.li, plan)
        self.fields = lpa.arrays(self.lp)
        h = highs.new()
        h.passModel(self.lp)
        highs.run(h)
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            raise RuntimeError(f"the plan's fixed LP did not solve: {h.getModelStatus()}")
        self.basis = h.getBasis()
        sol = h.getSolution()
        self.x0 = np.array(sol.col_value, dtype=float)
        self.y = np.array(sol.row_dual, dtype=float)
        self.rc = np.array(sol.col_dual, dtype=float)
        self.act = np.array(sol.row_value, dtype=float)
        self.rows_of_nz, self.cols_of_nz = lpa.nonzeros(self.lp)


class _Prober:
    """Solves the LP at p + t from the plan's basis and says whether its plan is the plan's."""

    def __init__(self, base: _Base, direction: dict[str, np.ndarray]):
        import highspy

        self.highspy = highspy
        self.lp = base.lp
        self.f0 = base.fields
        self.d = direction
        self.basis = base.basis
        self.x0 = base.x0
        self.base = base

    def _plan_still_optimal(self, t: float, objective: float) -> bool:
        """The plan's own solution is feasible and as good as the LP's optimum at p + t."""
        f, d, x0 = self.f0, self.d, self.x0
        tol = 1e-7
        lo, hi = f["col_lower_"] + t * d["col_lower_"], f["col_upper_"] + t * d["col_upper_"]
        if np.any(x0 < lo - tol * (1 + np.abs(lo))) or np.any(x0 > hi + tol * (1 + np.abs(hi))):
            return False
        vals = f["a"] + t * d["a"]
        act = np.bincount(self.base.rows_of_nz, weights=vals * x0[self.base.cols_of_nz], minlength=len(f["row_lower_"]))
        rlo, rhi = f["row_lower_"] + t * d["row_lower_"], f["row_upper_"] + t * d["row_upper_"]
        if np.any(act < rlo - 1e-6 * (1 + np.abs(rlo))) or np.any(act > rhi + 1e-6 * (1 + np.abs(rhi))):
            return False
        at_plan = float((f["col_cost_"] + t * d["col_cost_"]) @ x0 + f["offset"][0] + t * d["offset"][0])
        return objective <= at_plan + 1e-9 * max(1.0, abs(at_plan))

    def same(self, t: float) -> bool:
        lp = lpa.load(self.lp, {k: self.f0[k] + t * self.d[k] for k in self.f0})
        h = highs.new()
        h.passModel(lp)
        h.setBasis(self.basis)
        highs.run(h)
        if h.getModelStatus() != self.highspy.HighsModelStatus.kOptimal:
            return False
        if h.getInfo().simplex_iteration_count == 0:
            return True  # the plan's basis is still optimal
        return self._plan_still_optimal(t, h.getInfo().objective_function_value)


def _per_unit(base: _Base, d: dict[str, np.ndarray]) -> float:
    """d(objective)/d(parameter) at the plan, model units: the cost change at the plan's
    solution plus the duals times the change of each binding limit (a coefficient change
    dA moves a row's activity by dA x, like moving its limit by -dA x)."""
    f, x0 = base.fields, base.x0
    dax = np.bincount(base.rows_of_nz, weights=d["a"] * x0[base.cols_of_nz], minlength=len(base.act))
    at_up = np.abs(base.act - f["row_upper_"]) <= np.abs(base.act - f["row_lower_"])
    db = np.where(at_up, d["row_upper_"], d["row_lower_"])
    col_up = np.abs(x0 - f["col_upper_"]) <= np.abs(x0 - f["col_lower_"])
    dcb = np.where(col_up, d["col_upper_"], d["col_lower_"])
    return float(d["col_cost_"] @ x0 + d["offset"][0] + base.y @ (db - dax) + base.rc @ dcb)


def _search(probe: _Prober, v0: float, sign: int, lo_limit: float | None, step0: float) -> tuple[float, bool]:
    """Largest move ``t`` (>= 0) in direction ``sign`` keeping the plan; (t, hit_limit)."""
    room = math.inf if lo_limit is None or sign > 0 else max(v0 - lo_limit, 0.0)
    if room == 0.0:
        return 0.0, True
    good, step = 0.0, step0
    bad = None
    for _ in range(MAX_STEPS):
        t = min(step, room)
        if probe.same(sign * t):
            good = t
            if t >= room:
                return good, True
            if t > 1e6 * max(abs(v0), 1.0):
                return math.inf, False
            step *= 4
        else:
            bad = t
            break
    if bad is None:
        return good, False
    for _ in range(MAX_STEPS):
        if bad - good <= REL_TOL * max(abs(v0), step0):
            break
        mid = 0.5 * (good + bad)
        if probe.same(sign * mid):
            good = mid
        else:
            bad = mid
    return good, False


def parameter_ranges(
    f: FixedLP, plan, params: Iterable[str], *, progress: Callable[[str, int, int], Any] | None = None
) -> pd.DataFrame:
    """Range each dotted instance path in ``params`` on the plan's fixed LP."""
    params = list(params)
    if not params:
        return pd.DataFrame()
    for path in params:
        get_value(f.li, path)  # an unknown path is bad input before any work is done
    if f.d.inst.objective.mode != "weighted":
        # the earlier goals are held at their optimum, which itself moves with a parameter:
        # the fixed LP's range would hold them at the old value and mislead
        return pd.DataFrame(
            [
                {
                    "parameter": p,
                    "value": get_value(f.li, p),
                    "unit": unit_of(p),
                    "low": math.nan,
                    "high": math.nan,
                    "objective_per_unit": math.nan,
                    "affects_plan_lp": False,
                    "statement": f"{p}: not ranged in lexicographic mode (the earlier goal's optimum moves "
                    f"with the parameter); compare re-solves with --set instead.",
                }
                for p in params
            ]
        )
    base = _Base(f, plan)
    base_lp, f0 = base.lp, base.fields
    rows = []
    for k, path in enumerate(params, 1):
        v0 = get_value(f.li, path)
        unit = unit_of(path)
        h = max(abs(v0) * 0.01, 1e-3)
        row: dict[str, Any] = {
            "parameter": path,
            "value": v0,
            "unit": unit,
            "low": math.nan,
            "high": math.nan,
            "objective_per_unit": math.nan,
            "affects_plan_lp": False,
            "statement": "",
        }
        try:
            lp1 = _lp_of(f.li.replace(**{path: v0 + h}), plan)
        except InputError as exc:  # e.g. a whole-number field, or a bound the step crosses
            row["statement"] = f"{path}: not ranged ({exc.problems[0].message})."
            rows.append(row)
            continue
        if not lpa.same_structure(base_lp, lp1):
            row["statement"] = f"{path}: changing it changes which rows and decisions the model has; not ranged."
            rows.append(row)
            continue
        d = lpa.direction(f0, lpa.arrays(lp1), h)
        row["objective_per_unit"] = _per_unit(base, d) * MONEY
        if not any(np.any(np.abs(v) > 1e-12) for v in d.values()):
            row.update(
                low=-math.inf,
                high=math.inf,
                statement=f"{path} does not enter the plan's LP: any value keeps the plan.",
            )
            rows.append(row)
            continue
        row["affects_plan_lp"] = True
        probe = _Prober(base, d)
        up, _ = _search(probe, v0, +1, None, h)
        dn, at_floor = _search(probe, v0, -1, 0.0, h)
        row["high"] = v0 + up
        row["low"] = v0 - dn
        row["statement"] = _statement(path, v0, unit, row["low"], row["high"], row["objective_per_unit"], at_floor)
        rows.append(row)
        if progress:
            progress("ranging", k, len(params))
    return pd.DataFrame(
        rows,
        columns=["parameter", "value", "unit", "low", "high", "objective_per_unit", "affects_plan_lp", "statement"],
    )


def _statement(path: str, v0: float, unit: str, low: float, high: float, per_unit: float, at_floor: bool) -> str:
    hi = "any higher value" if math.isinf(high) else fmt(high, unit)
    lo = fmt(low, unit) + (" (its lowest possible value)" if at_floor else "")
    return (
        f"{path} = {fmt(v0, unit)}: the plan stays optimal for its LP from {lo} to {hi}; inside that range "
        f"one unit more is worth {fmt(per_unit, 'Yuan/yr')} of objective (decisions held fixed)."
    )
