"""The irreducible infeasible set of :func:`planner.explain.diagnose.diagnose` (step 4 of
its method): the LP relaxation (whole numbers dropped, planning objective kept) is solved,
and when it is infeasible HiGHS's ``getIis`` gives a set of rows and decision bounds of
which dropping any one makes it feasible.
"""

from __future__ import annotations

import time
from typing import Any

import pandas as pd
import pyomo.environ as pyo

from planner.explain.elastic import _highs_solve, _infeasible, _int_vars, _key, _optimal
from planner.explain.wording import _label, _where
from planner.model.build import build_model
from planner.model.data import ModelData
from planner.solver import highs

IIS_COLUMNS = ["kind", "family", "constraint", "rule", "where", "index", "bound"]


def _iis(
    d: ModelData, modify, iis: bool | None, iis_max_rows: int, time_limit, notes: list[str], timings: dict[str, float]
) -> pd.DataFrame | None:
    import highspy

    t0 = time.perf_counter()
    m = build_model(d)
    if modify is not None:
        modify(d, m)
    for v in _int_vars(m):
        lb, ub = v.lb, v.ub  # a domain's own bounds (Binary: [0, 1]) go with it: keep them explicitly
        v.domain = pyo.Reals
        v.setlb(lb)
        v.setub(ub)
    opt, res = _highs_solve(m, time_limit, mip=False)
    timings["lp_relaxation"] = time.perf_counter() - t0
    if not _infeasible(res) and not _optimal(res):
        notes.append(f"The LP relaxation ended {res.termination_condition.name}: no IIS.")
        return None
    if not _infeasible(res):
        notes.append(
            "The LP relaxation (whole numbers dropped) is feasible: the instance is infeasible only because "
            "of whole-number or yes/no decisions, so no IIS can be given; the elastic result stands."
        )
        return None
    h = opt._solver_model
    nrow = h.getNumRow()
    if iis is None and nrow > iis_max_rows:
        notes.append(
            f"The LP relaxation is infeasible too, but it has {nrow:,} rows (> {iis_max_rows:,}): no IIS was "
            "computed (pass iis=True to compute it anyway; it can take minutes)."
        )
        return None
    h.setOptionValue("output_flag", False)
    h.setOptionValue("iis_strategy", int(highspy.IisStrategy.kIisStrategyIrreducible))
    if time_limit is not None:
        h.setOptionValue("iis_time_limit", float(time_limit))
    t1 = time.perf_counter()
    with highs.scheduler(highs.threads_of(h)):
        st, res_iis = h.getIis()
    timings["iis"] = time.perf_counter() - t1
    if str(st) == "HighsStatus.kError" or not res_iis.valid_:
        notes.append(f"HiGHS could not compute an IIS ({st}).")
        return None
    fam = {name: f for f, names in m._families.items() for name in names}
    row_con: dict[int, Any] = {i: c for c, i in opt._pyomo_con_to_solver_con_map.items()}
    by_id = {id(v): v for v in m.component_data_objects(pyo.Var, descend_into=True)}
    col_var: dict[int, Any] = {j: by_id.get(vid) for vid, j in opt._pyomo_var_to_solver_var_map.items()}

    def bound_word(b) -> str:
        return {
            "kIisBoundStatusLower": "lower",
            "kIisBoundStatusUpper": "upper",
            "kIisBoundStatusBoxed": "both",
            "kIisBoundStatusFree": "free",
            "kIisBoundStatusDropped": "dropped",
        }.get(getattr(b, "name", str(b)), str(b))

    out = []
    for r, b in zip(res_iis.row_index_, res_iis.row_bound_):
        c = row_con.get(int(r))
        nm = c.parent_component().local_name if c is not None else f"row {r}"
        k = _key(c.index()) if c is not None and c.parent_component().is_indexed() else ()
        out.append(
            {
                "kind": "row",
                "family": fam.get(nm, ""),
                "constraint": nm,
                "rule": _label(nm),
                "where": _where(nm, k),
                "index": k,
                "bound": bound_word(highspy.IisBoundStatus(int(b))),
            }
        )
    for j, b in zip(res_iis.col_index_, res_iis.col_bound_):
        word = bound_word(highspy.IisBoundStatus(int(b)))
        if word not in ("lower", "upper", "both"):
            continue  # a column of the IIS rows whose own bounds are not part of the conflict
        v = col_var.get(int(j))
        nm = v.parent_component().local_name if v is not None else f"column {j}"
        k = _key(v.index()) if v is not None and v.parent_component().is_indexed() else ()
        if nm == "zero":  # the variable fixed at 0 that carries the impossible rows (rules.add_rows)
            out.append(
                {
                    "kind": "bound",
                    "family": "impossible",
                    "constraint": nm,
                    "rule": "a rule no plan can meet",
                    "where": "the impossible rows' zero (see impossible)",
                    "index": k,
                    "bound": word,
                }
            )
            continue
        out.append(
            {
                "kind": "bound",
                "family": "decision bounds",
                "constraint": nm,
                "rule": f"bounds of {nm}",
                "where": f"{nm}[{', '.join(map(str, k))}]" if k else nm,
                "index": k,
                "bound": word,
            }
        )
    notes.append(
        f"IIS of the LP relaxation: {sum(o['kind'] == 'row' for o in out)} rows and "
        f"{sum(o['kind'] == 'bound' for o in out)} decision bounds (HiGHS getIis, {timings['iis']:.2f} s); "
        "dropping any one of them makes the LP relaxation feasible."
    )
    return pd.DataFrame(out, columns=IIS_COLUMNS)
