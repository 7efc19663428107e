"""Fast re-solves: build the model once, then re-solve it for new parameter values
without rebuilding.

The swept parameters enter the model's coefficients (a carbon price is in every carbon
parcel's income, a budget in a row's limit, a multiplier in GEP per hectare). The model
is built once at the base values and once more per parameter at a step ``h``; the
difference of the two solver models (costs, bounds, matrix, objective constant) is the
model's direction per unit of that parameter. A scenario's model is then the base plus
the sum of each parameter's change times its direction, handed to a persistent HiGHS
model, with the previous scenario's plan as the MIP start (warm start).

That is exact when every parameter enters linearly and no two swept parameters multiply
each other. It is checked, not assumed: the model is also built at the low and at the
high corner of the swept ranges and compared with the prediction; on any difference (or
a change in which coefficients exist, a whole-number field, a lexicographic objective,
the ``least_cost`` tie-break) ``exact`` is False and the sweep rebuilds every scenario.

The KPIs are read from the solver: each money KPI of each period is an auxiliary column
defined by an equality row (so its constant moves with the parameters too); coverage and
counts are sums over the plan's columns. The default ``least_wages`` tie-break is done as
in :func:`planner.solver.run.solve_model`: every decision but recruitment held, the objective
kept, total spending minimised.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyomo.environ as pyo

from planner.api import load_instance
from planner.core.errors import InputError
from planner.core.status import HIGHS_TERMINATION, highs_status
from planner.core.units import MONEY
from planner.instance.load import LoadedInstance
from planner.instance.overrides import get_value, split_overrides
from planner.model.build import build_model
from planner.model.data import ModelData
from planner.solver import highs
from planner.solver import lparrays as lpa
from planner.solver.run import DEFAULT_ABS_GAP, DEFAULT_REL_GAP, OPTIMAL_ABS_GAP, OPTIMAL_REL_GAP, TIE_BREAK_GAP

MONEY_KPIS = {
    "gep": "gep_yuan",
    "forestry_carbon": "forestry_carbon_income_yuan",
    "agricultural_carbon": "agricultural_carbon_income_yuan",
    "dividends": "dividends_yuan",
    "spend": "budget_used_yuan",
}


class _Built:
    """The solver model of an instance (with KPI columns) as HiGHS arrays and named columns."""

    def __init__(self, li: LoadedInstance):
        d = ModelData(li)
        m = build_model(d)
        keys = [(k, t) for k in MONEY_KPIS for t in d.periods]
        m.kpi = pyo.Var(keys, domain=pyo.Reals)
        m.kpi_def = pyo.Constraint(keys, rule=lambda _m, k, t: _m.kpi[k, t] == _m._expr[k][t])
        opt = highs.pyomo_solver()
        opt.set_instance(m)
        h = opt._solver_model
        self.lp = h.getLp()
        self.numbers = lpa.arrays(self.lp)  # copies: the fast model loads each scenario into self.lp
        self.d, self.m = d, m
        by_id = {id(v): v for v in m.component_data_objects(pyo.Var)}
        self.cols: dict[tuple, int] = {}
        for vid, j in opt._pyomo_var_to_solver_var_map.items():
            v = by_id[vid]
            idx = v.index()
            self.cols[(v.parent_component().local_name, *(idx if isinstance(idx, tuple) else (idx,)))] = j

    def same_structure(self, other: _Built) -> bool:
        return lpa.same_structure(self.lp, other.lp)


def _close(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> bool:
    for k in a:
        x, y = a[k], b[k]
        fin = np.isfinite(x)
        if not np.array_equal(fin, np.isfinite(y)):
            return False
        if not np.allclose(x[fin], y[fin], rtol=1e-9, atol=1e-9):
            return False
    return True


class FastModel:
    """One built model re-solved for many parameter values (see the module docstring)."""

    def __init__(self, li: LoadedInstance, ranges: dict[str, tuple[float, float]]):
        import highspy

        self.li = li
        self.paths = sorted(ranges)
        self.base = _Built(li)
        self.note = ""
        self.exact = True
        self.directions: dict[str, dict[str, np.ndarray]] = {}
        ob = li.instance.objective
        if ob.mode != "weighted" or ob.tie_break == "least_cost" or li.instance.solver.name != "highs":
            self.exact, self.note = False, "lexicographic objective, least_cost tie-break or another solver: rebuilt"
            return
        try:
            self.base_values = {p: get_value(li, p) for p in self.paths}
            for p in self.paths:
                v0 = self.base_values[p]
                h = max(abs(v0) * 0.01, 1e-3)
                other = _Built(li.replace(**{p: v0 + h}))
                if not self.base.same_structure(other):
                    raise ValueError(f"{p} changes which coefficients exist")
                self.directions[p] = lpa.direction(self.base.numbers, other.numbers, h, strict=True)
            # the low corner, the high corner, and every parameter at the end farther from its
            # base value (where a product of two parameters cannot hide behind a zero change)
            far = {p: max(ranges[p], key=lambda v: abs(v - self.base_values[p])) for p in self.paths}
            for values in ({p: ranges[p][0] for p in self.paths}, {p: ranges[p][1] for p in self.paths}, far):
                built = _Built(li.replace(**values))
                if not self.base.same_structure(built) or not _close(self._vector(values), built.numbers):
                    raise ValueError(f"the model is not linear in the swept parameters (checked at {values})")
        except (ValueError, InputError, TypeError) as e:
            msg = e.problems[0].message if isinstance(e, InputError) else str(e)
            self.exact, self.note = False, f"rebuilt per scenario: {msg}"
            return
        self.highspy = highspy
        self.h = highs.new({"threads": 1})
        self.last_solution = None
        self._kpi_meta()

    @classmethod
    def from_path(cls, instance: str, overrides: list[str], ranges: dict[str, tuple[float, float]]) -> FastModel:
        scenario, sets = split_overrides(overrides)
        return cls(load_instance(instance, scenario=scenario, sets=sets), ranges)

    # ------------------------------------------------------------------
    def _vector(self, values: dict[str, float]) -> dict[str, np.ndarray]:
        v = {k: x.copy() for k, x in self.base.numbers.items()}
        for p in self.paths:
            dt = float(values.get(p, self.base_values[p])) - self.base_values[p]
            if dt:
                for k, dk in self.directions[p].items():
                    fin = np.isfinite(v[k])
                    v[k][fin] += dt * dk[fin]
        return v

    def _kpi_meta(self) -> None:
        d, cols = self.base.d, self.base.cols
        ncol = len(self.base.numbers["col_cost_"])
        self.kpi_col = {(k, t): cols[("kpi", k, t)] for k in MONEY_KPIS for t in d.periods}
        par, pu = d.parcels, d.pu
        self.cover = {}
        for name, col, pcol in (
            ("vegetation_coverage", "vegetation_cover", "vegetation_cover"),
            ("forest_coverage", "is_forest", "is_forest"),
        ):
            base = float((par["area_ha"] * par[pcol].astype(float)).sum())
            delta = pu[col].astype(float).to_numpy() - par[pcol].astype(float).reindex(pu["parcel"]).to_numpy()
            per_t = {}
            for t in d.periods:
                c = np.zeros(ncol)
                for (p, u), dv in zip(d.pu_keys, delta):
                    c[cols[("x", p, u, t)]] = dv
                per_t[t] = c
            self.cover[name] = (base, per_t)
        self.count_cols = {}
        for name, var in (("gardens_built", "garden"), ("projects_built", "built"), ("recruited_people", "recruit")):
            self.count_cols[name] = {
                t: [j for key, j in cols.items() if key[0] == var and key[-1] == t] for t in d.periods
            }
        self.free_in_tie_break = np.array(
            sorted(j for key, j in cols.items() if key[0] in ("recruit", "recruit_total", "assign", "kpi"))
        )
        self.spend_cols = [self.kpi_col[("spend", t)] for t in d.periods]
        integ = self.base.lp.integrality_
        self.integrality = np.array([int(v) for v in integ]) if len(integ) else None

    # ------------------------------------------------------------------
    def solve(
        self, values: dict[str, float], *, time_limit: float | None = None, mip_gap: float | None = None
    ) -> dict[str, Any]:
        """Solve for these parameter values; returns status, termination, mip_gap, objective
        (Yuan/yr) and the KPI columns ``<kpi>_<period>``."""
        hs, h = self.highspy, self.h
        so = self.li.instance.solver  # the instance's own limits, as planner.solver.run uses them
        time_limit = time_limit if time_limit is not None else so.time_limit
        mip_gap = mip_gap if mip_gap is not None else so.mip_gap
        v = self._vector(values)
        h.passModel(lpa.load(self.base.lp, v))
        h.setOptionValue("mip_rel_gap", mip_gap if mip_gap is not None else DEFAULT_REL_GAP)
        h.setOptionValue("mip_abs_gap", DEFAULT_ABS_GAP if mip_gap is None else 0.0)
        h.setOptionValue("time_limit", float(time_limit) if time_limit else hs.kHighsInf)
        if self.last_solution is not None:
            h.setSolution(
                _solution(hs, self.last_solution)
            )  # the previous plan as a MIP start (used if still feasible)
        highs.run(h)
        ms = h.getModelStatus()
        info = h.getInfo()
        has = info.primal_solution_status == 2  # kSolutionStatusFeasible
        name = ms.name if hasattr(ms, "name") else str(ms).split(".")[-1]
        status = highs_status(name, has)
        # Pyomo's word for it, as planner.solver.handoff records it; a failure, or a status without
        # such a word, keeps HiGHS's own name
        termination = name if status == "error" else HIGHS_TERMINATION.get(name, name)
        out: dict[str, Any] = {"status": status, "termination": termination, "mip_gap": None, "objective": None}
        if not has:
            return out
        obj = float(info.objective_function_value)
        is_mip = self.integrality is not None and bool(np.any(self.integrality == 1))
        bound = float(info.mip_dual_bound) if is_mip else obj  # an LP's optimum is its own bound
        gap = abs(bound - obj) / max(abs(obj), 1e-10) if math.isfinite(bound) else None
        if (
            status == "optimal"
            and gap is not None
            and abs(bound - obj) > OPTIMAL_ABS_GAP * (1 + 1e-9)
            and gap > OPTIMAL_REL_GAP
        ):
            status, termination = "feasible", "gapLimit"
        x = np.array(h.getSolution().col_value, dtype=float)
        self.last_solution = x.copy()
        if self.li.instance.objective.tie_break == "least_wages":
            x = self._least_wages(v, x, obj, hs)
        out.update(status=status, termination=termination, mip_gap=gap, objective=obj * MONEY)
        out.update(self._kpis(x))
        return out

    def _least_wages(self, v: dict[str, np.ndarray], x: np.ndarray, obj: float, hs) -> np.ndarray:
        """The tie-break of :func:`planner.solver.run.solve_model`: hold all but recruitment at the
        plan, keep the objective, minimise total spending."""
        h = self.h
        lo, hi = v["col_lower_"].copy(), v["col_upper_"].copy()
        held = np.ones(len(x), dtype=bool)
        held[self.free_in_tie_break] = False
        xv = x.copy()
        if self.integrality is not None:
            ints = (self.integrality == 1) & held
            xv[ints] = np.round(xv[ints])
        xv = np.clip(xv, lo, hi)
        lo[held], hi[held] = xv[held], xv[held]
        cost = v["col_cost_"]
        keep = obj - max(DEFAULT_REL_GAP * abs(obj), 1e-9) - float(v["offset"][0])
        nz = np.flatnonzero(cost)
        h.changeColsBounds(len(x), np.arange(len(x), dtype=np.int32), lo, hi)
        h.addRow(keep, hs.kHighsInf, len(nz), nz.astype(np.int32), cost[nz])
        new_cost = np.zeros(len(x))
        new_cost[self.spend_cols] = 1.0
        h.changeColsCost(len(x), np.arange(len(x), dtype=np.int32), new_cost)
        h.changeObjectiveSense(hs.ObjSense.kMinimize)
        h.setOptionValue("mip_rel_gap", TIE_BREAK_GAP)
        h.setSolution(_solution(hs, xv))
        highs.run(h)
        info = h.getInfo()
        if info.primal_solution_status == 2:
            return np.array(h.getSolution().col_value, dtype=float)
        return x  # no tie-break plan in time: the main plan stands, as in solve_model

    def _kpis(self, x: np.ndarray) -> dict[str, float]:
        d = self.base.d
        out = {}
        for t in d.periods:
            for k, name in MONEY_KPIS.items():
                out[f"{name}_{t}"] = float(x[self.kpi_col[(k, t)]]) * MONEY
            for name, (base, per_t) in self.cover.items():
                out[f"{name}_{t}"] = (base + float(per_t[t] @ x)) / d.total_area
            for name, cols_t in self.count_cols.items():
                # a sum of whole numbers (a township role's village shares are not, their total is)
                out[f"{name}_{t}"] = float(np.round(x[cols_t[t]].sum())) if cols_t[t] else 0.0
        return out


def _solution(hs, x: np.ndarray):
    sol = hs.HighsSolution()
    sol.col_value = list(x)
    sol.value_valid = True
    return sol


__all__ = ["FastModel", "MONEY_KPIS"]
