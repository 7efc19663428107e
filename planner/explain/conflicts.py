"""The conflicts search of :func:`planner.explain.diagnose.diagnose` (step 3 of its method):
with the elastic solution's whole-number and yes/no decisions held by their bounds, the
elastic LP's duals name the rows that push against the relaxed rules; each dual is
checked by loosening its row in a warm-started LP, and each held decision with a
reduced cost is probed, to find the rules that hold it.

:func:`find_conflicts` runs the search: :func:`_hold_decisions` fixes the decisions,
:class:`_Search` reads the solved LP and does the probing (:meth:`_Search.check_duals`,
then :meth:`_Search.probe_held`), and :func:`_conflict_table` words what it found.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from planner.explain.elastic import ELASTIC, SLACK, TOL, Elastic, highs_solve, is_optimal
from planner.explain.fixed import arrays
from planner.explain.wording import number_text, row_where, rule_label
from planner.solver import highs

DUAL_TOL = 1e-7  # dual / reduced cost below this is zero
PER_CONSTRAINT = 10  # rows of one constraint checked one by one
DELTA = 1e-2  # how far (row units) a rule with a dual is loosened to see which relaxed rows it pushes

CONFLICT_COLUMNS = ["family", "constraint", "rule", "where", "index", "role", "dual", "how", "against", "statement"]


def find_conflicts(
    m,
    el: Elastic,
    int_bounds: dict[int, tuple[float | None, float | None]],
    time_limit,
    max_probes: int,
    notes: list[str],
) -> tuple[pd.DataFrame | None, dict[int, float], dict[str, float]]:
    """Fix the integers by bounds, solve the elastic LP, read its duals and probe.
    Returns (conflict rows or None, {slack index: value} of the LP, timings)."""
    t0 = time.perf_counter()
    _hold_decisions(m, int_bounds)
    opt, res = highs_solve(m, time_limit, mip=False)
    timings = {"conflicts_lp": time.perf_counter() - t0}
    if not is_optimal(res):
        notes.append(
            f"The elastic LP with the decisions held did not solve ({res.termination_condition.name}); "
            "no conflicting rules are given."
        )
        return None, {}, timings
    res.solution_loader.load_vars()
    search = _Search(opt, m, el, int_bounds)

    t1 = time.perf_counter()
    not_probed, degenerate = search.check_duals(max_probes)
    skipped = search.probe_held(max_probes)
    timings["probes"] = time.perf_counter() - t1
    timings["probe_count"] = float(search.n_probes)
    _probe_notes(notes, degenerate, not_probed, skipped, max_probes)
    return _conflict_table(search.found, search.relaxed, el), search.svals, timings


def _hold_decisions(m, int_bounds: dict[int, tuple[float | None, float | None]]) -> None:
    """Make every whole-number and yes/no decision continuous, held by its bounds at its
    (rounded) elastic value: the model becomes an LP with duals."""
    for v in m.component_data_objects(pyo.Var, descend_into=True):
        if id(v) in int_bounds:
            val = float(round(v.value)) if v.value is not None else 0.0
            v.domain = pyo.Reals
            v.setlb(val)
            v.setub(val)


class _Search:
    """The solved elastic LP (held in HiGHS, warm) and what probing it found.

    ``found`` maps (constraint, index) to a record of the row: its dual, how it conflicts
    and the relaxed rules it pushes against; ``n_probes`` counts the LPs run."""

    def __init__(self, opt, m, el: Elastic, int_bounds: dict[int, tuple[float | None, float | None]]) -> None:
        """Read rows, columns, slacks and duals of the LP just solved by ``opt``."""
        self.el = el
        self.int_bounds = int_bounds
        self.rows, self.cols = arrays(opt, m)
        h = self.h = opt._solver_model
        h.setOptionValue("output_flag", False)
        self.vmap = opt._pyomo_var_to_solver_var_map
        slack_var = getattr(m, SLACK)
        self.slack_col = {k: self.vmap[id(slack_var[k])] for k in slack_var if id(slack_var[k]) in self.vmap}
        self.slack_to_el = {k: i for i, k in el.lo.items()} | {k: i for i, k in el.up.items()}
        self.base = self.cols["value"].to_numpy(dtype=float)
        self.svals = svals = {k: float(self.base[j]) for k, j in self.slack_col.items()}
        el_slack = {
            i: svals.get(el.lo.get(i, -1), 0.0) + svals.get(el.up.get(i, -1), 0.0) for i in range(len(el.items))
        }
        self.relaxed = {i for i, v in el_slack.items() if v > TOL}
        self.all_relaxed = sorted({rule_label(el.items[i][0]) for i in self.relaxed})

        # LP row -> (constraint, index, family, elastic row or None)
        self.ident: list[tuple[str, tuple, str, int | None]] = []
        for nm, k, f in zip(self.rows["constraint"], self.rows["index"], self.rows["family"]):
            if nm == ELASTIC:
                i = int(k[0]) - 1  # ConstraintList indices start at 1
                self.ident.append((*el.items[i], i))
            else:
                self.ident.append((nm, k, f, None))
        self.row_of_el = {self.ident[r][3]: r for r in range(len(self.ident)) if self.ident[r][3] is not None}
        self.dual = self.rows["dual"].to_numpy(dtype=float)
        self.lo_b, self.up_b, self.act = (self.rows[c].to_numpy(dtype=float) for c in ("lower", "upper", "value"))
        self.obj0 = h.getInfo().objective_function_value
        self.obj_tol = 1e-9 * max(1.0, abs(self.obj0))
        self.found: dict[tuple[str, tuple], dict[str, Any]] = {}
        self.n_probes = 0

    def record(self, r: int, how: str, against: list[str], dual: float | None = None) -> None:
        """Note LP row ``r`` as part of the conflict: ``how`` it takes part, the relaxed
        rules it is ``against`` (its own rule left out) and its ``dual`` if known."""
        nm, k, f, i = self.ident[r]
        e = self.found.setdefault(
            (nm, k), {"family": f, "constraint": nm, "index": k, "elastic": i, "dual": None, "how": [], "against": []}
        )
        if dual is not None:
            e["dual"] = dual
        if how not in e["how"]:
            e["how"].append(how)
        e["against"] += [a for a in against if a not in e["against"] and a != rule_label(nm)]

    def moved_slacks(self) -> tuple[list[int], list[int]]:
        """Elastic rows whose slack grew / shrank against the base solution."""
        sol = np.asarray(self.h.getSolution().col_value, dtype=float)
        grew, shrank = [], []
        for k, j in self.slack_col.items():
            dlt = sol[j] - self.base[j]
            if dlt > 1e-9:
                grew.append(self.slack_to_el[k])
            elif dlt < -1e-9:
                shrank.append(self.slack_to_el[k])
        return list(dict.fromkeys(grew)), list(dict.fromkeys(shrank))

    def optimal(self) -> bool:
        """Whether the last HiGHS run ended optimal."""
        return str(self.h.getModelStatus()) == "HighsModelStatus.kOptimal"

    def relaxed_labels(self, elastic_rows: list[int]) -> list[str]:
        """The rules of those ``elastic_rows`` that are relaxed, sorted, each once."""
        return sorted({rule_label(self.el.items[i][0]) for i in elastic_rows if i in self.relaxed})

    def check_duals(self, max_probes: int) -> tuple[int, int]:
        """Record the relaxed rows, then check the rows with a non-zero dual by loosening them,
        within ``max_probes`` LPs. Returns (rows not checked one by one, rows whose loosening
        did not confirm their dual)."""
        # 1. rows with a non-zero dual. Duals of this LP are often degenerate (a rule with a zero slack can show a dual
        #    of -1 although loosening it changes nothing), so each is checked: loosened by DELTA, does the relaxation
        #    shrink, and which relaxed rows shrink? First all rows of a constraint together (loosening more never
        #    helps less, so a constraint whose rows together change nothing has none that would), then row by row,
        #    the largest duals first, at most PER_CONSTRAINT rows of a constraint; the others take their
        #    constraint's answer.
        dual = self.dual
        groups = self._dual_groups()
        not_probed, degenerate = 0, 0
        for rs in groups.values():
            if self.n_probes >= max_probes:
                not_probed += len(rs)
                for r in rs:
                    self.record(r, "dual (not checked)", self.all_relaxed, float(dual[r]))
                continue
            g, against_all = self.gain(rs)
            if g <= self.obj_tol:
                degenerate += len(rs)
                continue
            rs = sorted(rs, key=lambda r: -abs(dual[r]))
            for k, r in enumerate(rs):
                if k >= PER_CONSTRAINT or self.n_probes >= max_probes:
                    self.record(r, "dual (its constraint checked)", against_all or self.all_relaxed, float(dual[r]))
                    not_probed += 1
                    continue
                g, against = self.gain([r])
                if g <= self.obj_tol:
                    degenerate += 1
                else:
                    self.record(r, "dual", against or against_all or self.all_relaxed, float(dual[r]))
        return not_probed, degenerate

    def _dual_groups(self) -> dict[str, list[int]]:
        """Record every relaxed elastic row; group the other rows with a non-zero dual by
        constraint, in row order."""
        dual = self.dual
        groups: dict[str, list[int]] = {}
        for r in range(len(self.rows)):
            i = self.ident[r][3]
            if i is not None and i in self.relaxed:
                self.record(r, "relaxed", [], float(dual[r]))
            elif abs(dual[r]) > DUAL_TOL:
                groups.setdefault(self.ident[r][0], []).append(r)
        return groups

    def loosen(self, rs: list[int]) -> None:
        """Move the bounds of rows ``rs`` that are active by DELTA, the way their dual gains."""
        for r in rs:
            step = -math.copysign(DELTA, self.dual[r])
            lo, up = self.lo_b[r], self.up_b[r]
            at_lo = math.isfinite(lo) and abs(self.act[r] - lo) <= 1e-7 * max(1.0, abs(lo))
            at_up = math.isfinite(up) and abs(self.act[r] - up) <= 1e-7 * max(1.0, abs(up))
            self.h.changeRowBounds(r, lo + step if at_lo else lo, up + step if at_up else up)

    def restore(self, rs: list[int]) -> None:
        """Put the bounds of rows ``rs`` back."""
        for r in rs:
            self.h.changeRowBounds(r, self.lo_b[r], self.up_b[r])

    def gain(self, rs: list[int]) -> tuple[float, list[str]]:
        """Loosen rows ``rs`` by DELTA: how much the relaxation shrinks, and which relaxed rules shrink."""
        self.n_probes += 1
        self.loosen(rs)
        highs.run(self.h)
        ok = self.optimal()
        g = self.obj0 - self.h.getInfo().objective_function_value if ok else 0.0
        shrank = self.moved_slacks()[1] if ok else []
        self.restore(rs)
        return g, self.relaxed_labels(shrank)

    def probe_held(self, max_probes: int) -> int:
        """Probe the held decisions with a non-zero reduced cost, the largest first, with what
        is left of ``max_probes`` LPs but at least half of them. Returns how many were not
        probed."""
        # 2. held decisions with a non-zero reduced cost: move each one step the way that would shrink the relaxation;
        #    the rows whose slack grows (or, if the move breaks a definition, the rows of the dual ray) hold it
        cols = self.cols
        rc = cols["rc"].to_numpy(dtype=float)
        col_of = {j: vid for vid, j in self.vmap.items()}
        cand = [j for j in range(len(cols)) if col_of.get(j) in self.int_bounds and abs(rc[j]) > DUAL_TOL]
        cand.sort(key=lambda j: -abs(rc[j]))
        skipped = max(len(cand) - max(max_probes - self.n_probes, max_probes // 2), 0)
        cand = cand[: len(cand) - skipped]
        self.n_probes += len(cand)
        a = self.h.getLp().a_matrix_
        for j in cand:
            self._probe_column(j, self.int_bounds[col_of[j]], rc[j], a)
        return skipped

    def _probe_column(self, j: int, bounds: tuple[float | None, float | None], rc: float, a) -> None:
        """Move held column ``j`` one step against its reduced cost ``rc`` (unless its own
        ``bounds`` forbid it), record the rows that hold it, and put it back. ``a`` is the
        LP's column-wise matrix, for the rows of a dual ray that touch the column."""
        h = self.h
        lb0, ub0 = bounds
        v0 = float(self.base[j])
        new = v0 + (-1.0 if rc > 0 else 1.0)
        if (lb0 is not None and new < lb0 - 1e-9) or (ub0 is not None and new > ub0 + 1e-9):
            return  # held by its own domain (a yes/no already at 1, say), not by a rule
        name = f"{self.cols.at[j, 'var']}[{', '.join(map(str, self.cols.at[j, 'index']))}]"
        how = f"holds {name} at {number_text(v0)}"
        h.changeColBounds(j, new, new)
        highs.run(h)
        if self.optimal():
            grew, shrank = self.moved_slacks()
            against = self.relaxed_labels(shrank)
            # no relaxed row shrinks: the reduced cost was degenerate, nothing holds the decision against one
            for i in grew if against else []:
                self.record(self.row_of_el[i], how, against)
        elif str(h.getModelStatus()) == "HighsModelStatus.kInfeasible":
            _st, has, ray = h.getDualRay()
            if has:
                ray = np.asarray(ray, dtype=float)
                on_col = {int(x) for x in a.index_[a.start_[j] : a.start_[j + 1]]}
                hit = [r for r in np.flatnonzero(np.abs(ray) > DUAL_TOL) if self.ident[r][3] is None]
                for r in [r for r in hit if r in on_col] or hit:
                    self.record(r, how, self.all_relaxed)
        h.changeColBounds(j, v0, v0)


def _probe_notes(notes: list[str], degenerate: int, not_probed: int, skipped: int, max_probes: int) -> None:
    """Say how many duals were not confirmed and what the probe limit left unchecked."""
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


def _statement(e: dict[str, Any], is_relaxed: bool, el: Elastic) -> str:
    """One sentence for found row ``e``: relaxed (and what it holds), holding decisions
    against the relaxed rules, or pushing against them (an alternative when its dual equals
    its relaxation weight)."""
    nm, k = e["constraint"], e["index"]
    hows = [x for x in e["how"] if x.startswith("holds")]
    if len(hows) > 3:
        hows = hows[:3] + [f"{len(hows) - 3} more decisions"]
    against = "; ".join(e["against"]) or "the rest"
    if is_relaxed:
        return f"{row_where(nm, k)} is relaxed" + (" and " + "; ".join(hows) if hows else "")
    if hows:
        return f"{row_where(nm, k)} " + "; ".join(hows) + f", against the {against}"
    stmt = f"{row_where(nm, k)} pushes against the {against}"
    if e["elastic"] is not None and abs(abs(e["dual"] or 0.0) - el.weight[e["elastic"]]) <= 1e-6:
        stmt += " (relaxing it instead would need as much relaxation in all: an alternative)"
    return stmt


def _conflict_table(found: dict[tuple[str, tuple], dict[str, Any]], relaxed: set[int], el: Elastic) -> pd.DataFrame:
    """The found rows as a table (CONFLICT_COLUMNS): relaxed rows first, then rows holding
    decisions, then by the size of the dual."""
    out = []
    for e in found.values():
        nm, k = e["constraint"], e["index"]
        is_relaxed = e["elastic"] is not None and e["elastic"] in relaxed
        out.append(
            {
                "family": e["family"],
                "constraint": nm,
                "rule": rule_label(nm),
                "where": row_where(nm, k),
                "index": k,
                "role": "relaxed" if is_relaxed else "conflicting",
                "dual": e["dual"],
                "how": "; ".join(e["how"]),
                "against": "; ".join(e["against"]),
                "statement": _statement(e, is_relaxed, el),
            }
        )
    df = pd.DataFrame(out, columns=CONFLICT_COLUMNS)
    if df.empty:
        return df
    df["_r"] = (df["role"] != "relaxed").astype(int)
    df["_h"] = (~df["how"].str.contains("holds")).astype(int)
    df["_d"] = -df["dual"].abs().fillna(0.0)
    df = df.sort_values(["_r", "_h", "_d", "family", "constraint"], kind="stable").drop(columns=["_r", "_h", "_d"])
    return df.reset_index(drop=True)
