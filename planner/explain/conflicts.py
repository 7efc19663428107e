"""The conflicts search of :func:`planner.explain.diagnose.diagnose` (step 3 of its method):
with the elastic solution's whole-number and yes/no decisions held by their bounds, the
elastic LP's duals name the rows that push against the relaxed rules; each dual is
checked by loosening its row in a warm-started LP, and each held decision with a
reduced cost is probed, to find the rules that hold it.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from planner.explain.elastic import ELASTIC, SLACK, TOL, _Elastic, _highs_solve, _optimal
from planner.explain.fixed import arrays
from planner.explain.wording import _label, _num, _where
from planner.solver import highs

DUAL_TOL = 1e-7  # dual / reduced cost below this is zero
PER_CONSTRAINT = 10  # rows of one constraint checked one by one
DELTA = 1e-2  # how far (row units) a rule with a dual is loosened to see which relaxed rows it pushes

CONFLICT_COLUMNS = ["family", "constraint", "rule", "where", "index", "role", "dual", "how", "against", "statement"]


def _conflicts(
    m,
    el: _Elastic,
    int_bounds: dict[int, tuple[float | None, float | None]],
    time_limit,
    max_probes: int,
    notes: list[str],
) -> tuple[pd.DataFrame | None, dict[int, float], dict[str, float]]:
    """Fix the integers by bounds, solve the elastic LP, read its duals and probe.
    Returns (conflict rows or None, {slack index: value} of the LP, timings)."""
    t0 = time.perf_counter()
    for v in m.component_data_objects(pyo.Var, descend_into=True):
        if id(v) in int_bounds:
            val = float(round(v.value)) if v.value is not None else 0.0
            v.domain = pyo.Reals
            v.setlb(val)
            v.setub(val)
    opt, res = _highs_solve(m, time_limit, mip=False)
    timings = {"conflicts_lp": time.perf_counter() - t0}
    if not _optimal(res):
        notes.append(
            f"The elastic LP with the decisions held did not solve ({res.termination_condition.name}); "
            "no conflicting rules are given."
        )
        return None, {}, timings
    res.solution_loader.load_vars()
    rows, cols = arrays(opt, m)
    h = opt._solver_model
    h.setOptionValue("output_flag", False)
    vmap = opt._pyomo_var_to_solver_var_map
    slack_var = getattr(m, SLACK)
    slack_col = {k: vmap[id(slack_var[k])] for k in slack_var if id(slack_var[k]) in vmap}
    slack_to_el = {k: i for i, k in el.lo.items()} | {k: i for i, k in el.up.items()}
    base = cols["value"].to_numpy(dtype=float)
    svals = {k: float(base[j]) for k, j in slack_col.items()}
    el_slack = {i: svals.get(el.lo.get(i, -1), 0.0) + svals.get(el.up.get(i, -1), 0.0) for i in range(len(el.items))}
    relaxed = {i for i, v in el_slack.items() if v > TOL}
    all_relaxed = sorted({_label(el.items[i][0]) for i in relaxed})

    # LP row -> (constraint, index, family, elastic row or None)
    ident: list[tuple[str, tuple, str, int | None]] = []
    for nm, k, f in zip(rows["constraint"], rows["index"], rows["family"]):
        if nm == ELASTIC:
            i = int(k[0]) - 1  # ConstraintList indices start at 1
            ident.append((*el.items[i], i))
        else:
            ident.append((nm, k, f, None))
    row_of_el = {ident[r][3]: r for r in range(len(ident)) if ident[r][3] is not None}

    found: dict[tuple[str, tuple], dict[str, Any]] = {}

    def record(r: int, how: str, against: list[str], dual: float | None = None) -> None:
        nm, k, f, i = ident[r]
        e = found.setdefault(
            (nm, k), {"family": f, "constraint": nm, "index": k, "elastic": i, "dual": None, "how": [], "against": []}
        )
        if dual is not None:
            e["dual"] = dual
        if how not in e["how"]:
            e["how"].append(how)
        e["against"] += [a for a in against if a not in e["against"] and a != _label(nm)]

    def moved_slacks() -> tuple[list[int], list[int]]:
        """Elastic rows whose slack grew / shrank against the base solution."""
        sol = np.asarray(h.getSolution().col_value, dtype=float)
        grew, shrank = [], []
        for k, j in slack_col.items():
            dlt = sol[j] - base[j]
            if dlt > 1e-9:
                grew.append(slack_to_el[k])
            elif dlt < -1e-9:
                shrank.append(slack_to_el[k])
        return list(dict.fromkeys(grew)), list(dict.fromkeys(shrank))

    def optimal() -> bool:
        return str(h.getModelStatus()) == "HighsModelStatus.kOptimal"

    t1 = time.perf_counter()
    # 1. rows with a non-zero dual. Duals of this LP are often degenerate (a rule with a zero slack can show a dual
    #    of -1 although loosening it changes nothing), so each is checked: loosened by DELTA, does the relaxation
    #    shrink, and which relaxed rows shrink? First all rows of a constraint together (loosening more never
    #    helps less, so a constraint whose rows together change nothing has none that would), then row by row,
    #    the largest duals first, at most PER_CONSTRAINT rows of a constraint; the others take their
    #    constraint's answer.
    dual = rows["dual"].to_numpy(dtype=float)
    lo_b, up_b, act = (rows[c].to_numpy(dtype=float) for c in ("lower", "upper", "value"))
    obj0 = h.getInfo().objective_function_value
    obj_tol = 1e-9 * max(1.0, abs(obj0))
    groups: dict[str, list[int]] = {}
    for r in range(len(rows)):
        i = ident[r][3]
        if i is not None and i in relaxed:
            record(r, "relaxed", [], float(dual[r]))
        elif abs(dual[r]) > DUAL_TOL:
            groups.setdefault(ident[r][0], []).append(r)

    def loosen(rs: list[int]) -> None:
        for r in rs:
            step = -math.copysign(DELTA, dual[r])
            lo, up = lo_b[r], up_b[r]
            at_lo = math.isfinite(lo) and abs(act[r] - lo) <= 1e-7 * max(1.0, abs(lo))
            at_up = math.isfinite(up) and abs(act[r] - up) <= 1e-7 * max(1.0, abs(up))
            h.changeRowBounds(r, lo + step if at_lo else lo, up + step if at_up else up)

    def restore(rs: list[int]) -> None:
        for r in rs:
            h.changeRowBounds(r, lo_b[r], up_b[r])

    def gain(rs: list[int]) -> tuple[float, list[str]]:
        """Loosen rows ``rs`` by DELTA: how much the relaxation shrinks, and which relaxed rules shrink."""
        nonlocal n_probes
        n_probes += 1
        loosen(rs)
        highs.run(h)
        ok = optimal()
        g = obj0 - h.getInfo().objective_function_value if ok else 0.0
        shrank = moved_slacks()[1] if ok else []
        restore(rs)
        return g, sorted({_label(el.items[i][0]) for i in shrank if i in relaxed})

    n_probes, not_probed, degenerate = 0, 0, 0
    for rs in groups.values():
        if n_probes >= max_probes:
            not_probed += len(rs)
            for r in rs:
                record(r, "dual (not checked)", all_relaxed, float(dual[r]))
            continue
        g, against_all = gain(rs)
        if g <= obj_tol:
            degenerate += len(rs)
            continue
        rs = sorted(rs, key=lambda r: -abs(dual[r]))
        for k, r in enumerate(rs):
            if k >= PER_CONSTRAINT or n_probes >= max_probes:
                record(r, "dual (its constraint checked)", against_all or all_relaxed, float(dual[r]))
                not_probed += 1
                continue
            g, against = gain([r])
            if g <= obj_tol:
                degenerate += 1
            else:
                record(r, "dual", against or against_all or all_relaxed, float(dual[r]))

    # 2. held decisions with a non-zero reduced cost: move each one step the way that would shrink the relaxation;
    #    the rows whose slack grows (or, if the move breaks a definition, the rows of the dual ray) hold it
    a = h.getLp().a_matrix_
    rc = cols["rc"].to_numpy(dtype=float)
    col_of = {j: vid for vid, j in vmap.items()}
    cand = [j for j in range(len(cols)) if col_of.get(j) in int_bounds and abs(rc[j]) > DUAL_TOL]
    cand.sort(key=lambda j: -abs(rc[j]))
    skipped = max(len(cand) - max(max_probes - n_probes, max_probes // 2), 0)
    cand = cand[: len(cand) - skipped]
    n_probes += len(cand)
    degenerate_cols = 0
    for j in cand:
        lb0, ub0 = int_bounds[col_of[j]]
        v0 = float(base[j])
        new = v0 + (-1.0 if rc[j] > 0 else 1.0)
        if (lb0 is not None and new < lb0 - 1e-9) or (ub0 is not None and new > ub0 + 1e-9):
            continue  # held by its own domain (a yes/no already at 1, say), not by a rule
        name = f"{cols.at[j, 'var']}[{', '.join(map(str, cols.at[j, 'index']))}]"
        how = f"holds {name} at {_num(v0)}"
        h.changeColBounds(j, new, new)
        highs.run(h)
        if optimal():
            grew, shrank = moved_slacks()
            against = sorted({_label(el.items[i][0]) for i in shrank if i in relaxed})
            if not against:
                degenerate_cols += 1  # the move shrinks no relaxed row: the reduced cost was degenerate
            for i in grew if against else []:
                record(row_of_el[i], how, against)
        elif str(h.getModelStatus()) == "HighsModelStatus.kInfeasible":
            _st, has, ray = h.getDualRay()
            if has:
                ray = np.asarray(ray, dtype=float)
                on_col = {int(x) for x in a.index_[a.start_[j] : a.start_[j + 1]]}
                hit = [r for r in np.flatnonzero(np.abs(ray) > DUAL_TOL) if ident[r][3] is None]
                for r in [r for r in hit if r in on_col] or hit:
                    record(r, how, all_relaxed)
        h.changeColBounds(j, v0, v0)
    timings["probes"] = time.perf_counter() - t1
    timings["probe_count"] = float(n_probes)
    if degenerate:
        notes.append(
            f"{degenerate} rows had a non-zero dual that loosening them did not confirm (a degenerate LP): "
            "they are not listed as conflicts."
        )
    if not_probed or skipped:
        notes.append(
            f"Probe limit ({max_probes} LPs, {PER_CONSTRAINT} rows per rule): {not_probed} rows with a dual "
            f"were not checked one by one and {skipped} held decisions were not probed."
        )
    out = []
    for e in found.values():
        nm, k = e["constraint"], e["index"]
        is_relaxed = e["elastic"] is not None and e["elastic"] in relaxed
        hows = [x for x in e["how"] if x.startswith("holds")]
        if len(hows) > 3:
            hows = hows[:3] + [f"{len(hows) - 3} more decisions"]
        against = "; ".join(e["against"]) or "the rest"
        if is_relaxed:
            stmt = f"{_where(nm, k)} is relaxed" + (" and " + "; ".join(hows) if hows else "")
        elif hows:
            stmt = f"{_where(nm, k)} " + "; ".join(hows) + f", against the {against}"
        else:
            stmt = f"{_where(nm, k)} pushes against the {against}"
            if e["elastic"] is not None and abs(abs(e["dual"] or 0.0) - el.weight[e["elastic"]]) <= 1e-6:
                stmt += " (relaxing it instead would need as much relaxation in all: an alternative)"
        out.append(
            {
                "family": e["family"],
                "constraint": nm,
                "rule": _label(nm),
                "where": _where(nm, k),
                "index": k,
                "role": "relaxed" if is_relaxed else "conflicting",
                "dual": e["dual"],
                "how": "; ".join(e["how"]),
                "against": "; ".join(e["against"]),
                "statement": stmt,
            }
        )
    df = pd.DataFrame(out, columns=CONFLICT_COLUMNS)
    if df.empty:
        return df, svals, timings
    df["_r"] = (df["role"] != "relaxed").astype(int)
    df["_h"] = (~df["how"].str.contains("holds")).astype(int)
    df["_d"] = -df["dual"].abs().fillna(0.0)
    df = df.sort_values(["_r", "_h", "_d", "family", "constraint"], kind="stable").drop(columns=["_r", "_h", "_d"])
    return df.reset_index(drop=True), svals, timings
