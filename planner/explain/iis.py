"""The irreducible infeasible set of :func:`planner.explain.diagnose.diagnose` (step 4 of
its method): the LP relaxation (whole numbers dropped, planning objective kept) is solved,
and when it is infeasible HiGHS's ``getIis`` gives a set of rows and decision bounds of
which dropping any one makes it feasible.

:func:`compute_iis` runs it: :func:`_lp_relaxation` builds the model without whole numbers,
:func:`_iis_wanted` decides from the LP's end whether an IIS is asked for,
:func:`_get_iis` asks HiGHS, and :func:`_iis_records` names its rows and bounds.
"""

from __future__ import annotations

import time
from typing import Any

import pandas as pd
import pyomo.environ as pyo

from planner.explain.elastic import highs_solve, index_key, int_vars, is_infeasible, is_optimal
from planner.explain.wording import row_where, rule_label
from planner.model.build import build_model
from planner.model.data import ModelData
from planner.solver import highs

IIS_COLUMNS = ["kind", "family", "constraint", "rule", "where", "index", "bound"]


def compute_iis(
    d: ModelData, modify, iis: bool | None, iis_max_rows: int, time_limit, notes: list[str], timings: dict[str, float]
) -> pd.DataFrame | None:
    """The IIS of the LP relaxation as a table (IIS_COLUMNS), or None with a note saying why
    there is none (the LP relaxation is feasible or too large, HiGHS failed). ``iis``: True
    always, False never (not called), None up to ``iis_max_rows`` rows."""
    t0 = time.perf_counter()
    m = _lp_relaxation(d, modify)
    opt, res = highs_solve(m, time_limit, mip=False)
    timings["lp_relaxation"] = time.perf_counter() - t0
    h = opt._solver_model
    if not _iis_wanted(res, h, iis, iis_max_rows, notes):
        return None
    t1 = time.perf_counter()
    st, res_iis = _get_iis(h, time_limit)
    timings["iis"] = time.perf_counter() - t1
    if str(st) == "HighsStatus.kError" or not res_iis.valid_:
        notes.append(f"HiGHS could not compute an IIS ({st}).")
        return None
    out = _iis_records(m, opt, res_iis)
    notes.append(
        f"IIS of the LP relaxation: {sum(o['kind'] == 'row' for o in out)} rows and "
        f"{sum(o['kind'] == 'bound' for o in out)} decision bounds (HiGHS getIis, {timings['iis']:.2f} s); "
        "dropping any one of them makes the LP relaxation feasible."
    )
    return pd.DataFrame(out, columns=IIS_COLUMNS)


def _lp_relaxation(d: ModelData, modify) -> pyo.ConcreteModel:
    """The model of ``d`` (with ``modify`` applied) with its whole-number and yes/no
    decisions made continuous within their bounds; planning objective kept."""
    m = build_model(d)
    if modify is not None:
        modify(d, m)
    for v in int_vars(m):
        lb, ub = v.lb, v.ub  # a domain's own bounds (Binary: [0, 1]) go with it: keep them explicitly
        v.domain = pyo.Reals
        v.setlb(lb)
        v.setub(ub)
    return m


def _iis_wanted(res, h, iis: bool | None, iis_max_rows: int, notes: list[str]) -> bool:
    """Whether to ask HiGHS ``h`` for an IIS after the LP relaxation ended as ``res``: only
    if it is infeasible, and (unless ``iis`` is True) small enough; else note why not."""
    if not is_infeasible(res) and not is_optimal(res):
        notes.append(f"The LP relaxation ended {res.termination_condition.name}: no IIS.")
        return False
    if not is_infeasible(res):
        notes.append(
            "The LP relaxation (whole numbers dropped) is feasible: the instance is infeasible only because "
            "of whole-number or yes/no decisions, so no IIS can be given; the elastic result stands."
        )
        return False
    nrow = h.getNumRow()
    if iis is None and nrow > iis_max_rows:
        notes.append(
            f"The LP relaxation is infeasible too, but it has {nrow:,} rows (> {iis_max_rows:,}): no IIS was "
            "computed (pass iis=True to compute it anyway; it can take minutes)."
        )
        return False
    return True


def _get_iis(h, time_limit) -> tuple[Any, Any]:
    """Run HiGHS's ``getIis`` on ``h`` with the irreducible strategy (the only one that gave
    a true IIS) within ``time_limit``; returns (status, IIS)."""
    import highspy

    h.setOptionValue("output_flag", False)
    h.setOptionValue("iis_strategy", int(highspy.IisStrategy.kIisStrategyIrreducible))
    if time_limit is not None:
        h.setOptionValue("iis_time_limit", float(time_limit))
    with highs.scheduler(highs.threads_of(h)):
        return h.getIis()


def _bound_word(b) -> str:
    """A HiGHS IIS bound status in a word: lower, upper, both, free or dropped."""
    return {
        "kIisBoundStatusLower": "lower",
        "kIisBoundStatusUpper": "upper",
        "kIisBoundStatusBoxed": "both",
        "kIisBoundStatusFree": "free",
        "kIisBoundStatusDropped": "dropped",
    }.get(getattr(b, "name", str(b)), str(b))


def _iis_records(m: pyo.ConcreteModel, opt, res_iis) -> list[dict[str, Any]]:
    """The rows of IIS ``res_iis`` named as rules and places, then the decision bounds in it
    (a column whose own bounds are not part of the conflict is left out)."""
    import highspy

    fam = {name: f for f, names in m._families.items() for name in names}
    row_con: dict[int, Any] = {i: c for c, i in opt._pyomo_con_to_solver_con_map.items()}
    by_id = {id(v): v for v in m.component_data_objects(pyo.Var, descend_into=True)}
    col_var: dict[int, Any] = {j: by_id.get(vid) for vid, j in opt._pyomo_var_to_solver_var_map.items()}
    out = []
    for r, b in zip(res_iis.row_index_, res_iis.row_bound_):
        c = row_con.get(int(r))
        nm = c.parent_component().local_name if c is not None else f"row {r}"
        k = index_key(c.index()) if c is not None and c.parent_component().is_indexed() else ()
        out.append(
            {
                "kind": "row",
                "family": fam.get(nm, ""),
                "constraint": nm,
                "rule": rule_label(nm),
                "where": row_where(nm, k),
                "index": k,
                "bound": _bound_word(highspy.IisBoundStatus(int(b))),
            }
        )
    for j, b in zip(res_iis.col_index_, res_iis.col_bound_):
        word = _bound_word(highspy.IisBoundStatus(int(b)))
        if word not in ("lower", "upper", "both"):
            continue  # a column of the IIS rows whose own bounds are not part of the conflict
        v = col_var.get(int(j))
        nm = v.parent_component().local_name if v is not None else f"column {j}"
        k = index_key(v.index()) if v is not None and v.parent_component().is_indexed() else ()
        out.append(_bound_record(nm, k, word))
    return out


def _bound_record(nm: str, k: tuple, word: str) -> dict[str, Any]:
    """The IIS record of a decision bound (``word``) of variable ``nm[k]``; the impossible
    rows' ``zero`` is named as such."""
    if nm == "zero":  # the variable fixed at 0 that carries the impossible rows (rules.add_rows)
        return {
            "kind": "bound",
            "family": "impossible",
            "constraint": nm,
            "rule": "a rule no plan can meet",
            "where": "the impossible rows' zero (see impossible)",
            "index": k,
            "bound": word,
        }
    return {
        "kind": "bound",
        "family": "decision bounds",
        "constraint": nm,
        "rule": f"bounds of {nm}",
        "where": f"{nm}[{', '.join(map(str, k))}]" if k else nm,
        "index": k,
        "bound": word,
    }
