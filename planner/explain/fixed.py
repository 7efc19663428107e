"""The LP of a plan: the model rebuilt from the instance, every whole-number and yes/no
decision fixed at the plan's value, solved again as a linear programme.

Duals, reduced costs and ranges of a mixed-integer model are not prices; those of this
LP are, for the plan's discrete choices held as they are (the report says so).
Decisions are fixed by their bounds (lower = upper = value), not with Pyomo's ``fix``,
so that rows holding only such decisions stay in the LP (solver-notes: fixing in Pyomo
turns them into constants and loses their duals).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from planner.core.errors import SolveError
from planner.core.status import pyomo_status
from planner.core.units import MONEY
from planner.explain.rows import row_info
from planner.instance.load import LoadedInstance
from planner.model.build import build_model
from planner.model.data import ModelData
from planner.solver import highs


@dataclass
class FixedLP:
    """The solved LP of a plan and its arrays, in model units (see :mod:`planner.explain.rows`)."""

    li: LoadedInstance
    d: ModelData
    m: pyo.ConcreteModel
    highs: Any  # highspy.Highs holding the solved LP
    status: str  # "optimal", or what went wrong
    objective: float | None  # million Yuan/yr
    rows: pd.DataFrame  # one per LP row: constraint, index, family, lower, upper, value, dual, decision_only
    cols: pd.DataFrame  # one per LP column: var, index, lower, upper, value, cost, rc, fixed

    @property
    def objective_yuan(self) -> float | None:
        return None if self.objective is None else self.objective * MONEY

    def ranging(self):
        """HiGHS's cost and bound ranging of this LP (``highspy.HighsRanging``)."""
        with highs.scheduler(highs.threads_of(self.highs)):
            status, rg = self.highs.getRanging()
        if str(status) != "HighsStatus.kOk":
            raise SolveError(f"HiGHS ranging failed: {status}")
        return rg


def _family_of(m: pyo.ConcreteModel) -> dict[str, str]:
    return {name: fam for fam, names in m._families.items() for name in names}


def decisions_of(plan) -> dict[str, dict[tuple, int]]:
    """{variable: {index: value}} of the plan's non-zero whole-number decisions."""
    out: dict[str, dict[tuple, int]] = {}
    for var, rows in (plan.decisions or {}).items():
        out[var] = {tuple(str(x) if not isinstance(x, (int, float)) else x for x in r[:-1]): int(r[-1]) for r in rows}
    return out


def fix_decisions(m: pyo.ConcreteModel, decisions: dict[str, dict[tuple, int]]) -> int:
    """Hold every whole-number and yes/no variable at the given value (0 if absent) by its
    bounds and make it continuous; return how many were fixed."""
    n = 0
    for comp in m.component_objects(pyo.Var):
        vals = decisions.get(comp.local_name, {})
        for idx, v in comp.items():
            if not (v.is_integer() or v.is_binary()):
                continue
            key = idx if isinstance(idx, tuple) else (idx,)
            val = float(vals.get(tuple(str(k) for k in key), vals.get(key, 0)))
            v.domain = pyo.Reals
            v.setlb(val)
            v.setub(val)
            n += 1
    return n


def fix_shares(m: pyo.ConcreteModel, plan) -> int:
    """Hold the village shares of the township-scope roles (continuous in the model, their total
    whole: ``recruit_split``) at the plan's ``recruitment`` table, and their totals at its sums, as
    :func:`fix_decisions` holds the whole-number decisions; return how many shares were held. A plan
    written before ``recruit_total`` existed is read the same way."""
    if not hasattr(m, "recruit_total") or not len(m.recruit_total):
        return 0
    counts: dict[tuple[str, str, str], float] = {}
    rec = plan.tables.get("recruitment")
    if rec is not None:
        for v, r, t, c in zip(rec["village"], rec["role"], rec["period"], rec["count"]):
            counts[(str(v), str(r), str(t))] = float(c)
    township = set(m.RT)
    totals: dict[tuple[str, str], float] = {}
    n = 0
    for (v, r, t), var in m.recruit.items():
        if r in township:
            c = counts.get((v, r, t), 0.0)
            # held by its bounds, as fix_decisions does, not by fix(): a fixed variable leaves
            # the rows (its value moves into their limits), and the rows' limits are read as
            # the rules' own (recruit_min's 800 would read 0)
            var.setlb(c)
            var.setub(c)
            totals[(r, t)] = totals.get((r, t), 0.0) + c
            n += 1
    for (r, t), var in m.recruit_total.items():
        var.domain = pyo.Reals
        var.setlb(totals.get((r, t), 0.0))
        var.setub(totals.get((r, t), 0.0))
    return n


def main_objective(m: pyo.ConcreteModel, d: ModelData, stages: list[dict[str, Any]]) -> None:
    """Make the plan's main objective the active one. Lexicographic: the last goal reached,
    with each earlier goal held at its stage's value (within the instance's tolerance)."""
    ob = d.inst.objective
    if ob.mode == "weighted":
        return
    m.objective.deactivate()
    goals = {"gep": m.obj_gep, "dividends": m.obj_dividends}
    reached = [s for s in stages if s.get("goal") in goals and s.get("objective") is not None]
    if not reached:
        raise SolveError("the plan records no lexicographic stage with a plan")
    for s in reached[:-1]:
        best = s["objective"] / MONEY
        keep = best - max(ob.lexicographic_tolerance * abs(best), 1e-9)
        m.add_component(f"lexicographic_keep_{s['goal']}", pyo.Constraint(expr=goals[s["goal"]] >= keep))
        m._families.setdefault("objective_keep", []).append(f"lexicographic_keep_{s['goal']}")
    m.explain_objective = pyo.Objective(expr=goals[reached[-1]["goal"]], sense=pyo.maximize)


def solve_lp(m: pyo.ConcreteModel, time_limit: float | None = None):
    """Solve ``m`` (an LP once decisions are fixed) with Pyomo's HiGHS interface; return
    (solver, status word, objective)."""
    opt = highs.pyomo_solver()
    kw: dict[str, Any] = {"load_solutions": False, "raise_exception_on_nonoptimal_result": False}
    if time_limit is not None:
        kw["time_limit"] = float(time_limit)
    with highs.scheduler(None):
        res = opt.solve(m, **kw)
    tc = res.termination_condition
    status = pyomo_status(tc.name, res.solution_status.name)
    if status == "optimal":
        res.solution_loader.load_vars()
        return opt, "optimal", res.incumbent_objective
    if status == "infeasible":
        return opt, "infeasible", None
    return opt, tc.name, None


def arrays(opt, m: pyo.ConcreteModel) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows and columns of the LP held by a solved Pyomo HiGHS interface, named."""
    h = opt._solver_model
    lp = h.getLp()
    sol = h.getSolution()
    ncol, nrow = h.getNumCol(), h.getNumRow()
    by_id = {id(v): v for v in m.component_data_objects(pyo.Var, descend_into=True)}
    col_var = [None] * ncol
    for vid, j in opt._pyomo_var_to_solver_var_map.items():
        col_var[j] = by_id.get(vid)
    lower = np.asarray(lp.col_lower_, dtype=float)
    upper = np.asarray(lp.col_upper_, dtype=float)
    cols = pd.DataFrame(
        {
            "var": [v.parent_component().local_name if v is not None else "" for v in col_var],
            "index": [_key(v.index()) if v is not None else () for v in col_var],
            "lower": lower,
            "upper": upper,
            "value": np.asarray(sol.col_value, dtype=float)[:ncol] if sol.value_valid else np.nan,
            "cost": np.asarray(lp.col_cost_, dtype=float),
            "rc": np.asarray(sol.col_dual, dtype=float)[:ncol] if sol.dual_valid else np.nan,
        }
    )
    cols["fixed"] = (upper - lower) <= 1e-12
    fam = _family_of(m)
    row_con = [None] * nrow
    for con, i in opt._pyomo_con_to_solver_con_map.items():
        row_con[i] = con
    names = [c.parent_component().local_name for c in row_con]
    rows = pd.DataFrame(
        {
            "constraint": names,
            "index": [_key(c.index()) for c in row_con],
            "family": [fam.get(n, "") for n in names],
            "lower": np.asarray(lp.row_lower_, dtype=float),
            "upper": np.asarray(lp.row_upper_, dtype=float),
            "value": np.asarray(sol.row_value, dtype=float)[:nrow] if sol.value_valid else np.nan,
            "dual": np.asarray(sol.row_dual, dtype=float)[:nrow] if sol.dual_valid else np.nan,
        }
    )
    # rows whose every column is a fixed decision (or that have none): the LP cannot price them
    a = lp.a_matrix_
    start, index = np.asarray(a.start_), np.asarray(a.index_)
    free_rows = np.zeros(nrow, dtype=bool)
    free_cols = np.flatnonzero(~cols["fixed"].to_numpy())
    if len(index):
        counts = start[1:] - start[:-1]
        col_of_nz = np.repeat(np.arange(ncol), counts)
        free_rows[np.unique(index[np.isin(col_of_nz, free_cols)])] = True
    rows["decision_only"] = ~free_rows
    return rows, cols


def _key(idx: Any) -> tuple:
    if idx is None:
        return ()
    return idx if isinstance(idx, tuple) else (idx,)


def build_fixed_lp(li: LoadedInstance, plan, *, time_limit: float | None = None) -> FixedLP:
    """Rebuild the plan's model, fix its discrete decisions and solve the LP."""
    if not plan.has_solution:
        raise SolveError(f"the plan has no solution (status {plan.status}); there is nothing to explain")
    if not plan.decisions and plan.tables.get("recruitment") is not None and len(plan.tables["recruitment"]):
        raise SolveError("the plan file has no 'decisions' (written by planner < 0.2?); solve the instance again")
    d = ModelData(li)
    m = build_model(d)
    main_objective(m, d, plan.stages)
    fix_decisions(m, decisions_of(plan))
    fix_shares(m, plan)
    opt, status, obj = solve_lp(m, time_limit)
    h = opt._solver_model
    rows, cols = arrays(opt, m) if status == "optimal" else (pd.DataFrame(), pd.DataFrame())
    for name in set(rows.get("constraint", [])):
        row_info(name)  # every row must be known to the explanations (raises KeyError naming it)
    return FixedLP(li=li, d=d, m=m, highs=h, status=status, objective=obj, rows=rows, cols=cols)
