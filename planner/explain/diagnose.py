"""Why an instance has no plan: the rules that can never be met, the smallest relaxation
of the rules that makes a plan possible, the rules in conflict with it, and (for small
LP-infeasible models) an irreducible infeasible set.

Method
------
1. **Impossible rows.** A rule with no decision in it that is false whatever is decided
   (a coverage target above what the land can give, a dividend floor for a village with
   no income) is recorded by :func:`planner.model.terms.add_rows` in ``m._impossible``. These
   are listed first. Their shortfall is not known to the model (the rule was a plain
   ``False``), so they are taken out of the elastic re-solve below, not relaxed in it.
2. **Elastic re-solve.** The model is rebuilt and every active row of a rule a township
   could relax (``RowInfo.hard`` false in :mod:`planner.explain.rows`; the model's
   definitions - land used once, decisions accumulate, work norms, carbon splits,
   objective holds - are never relaxed) gets non-negative slacks: ``body <= ub`` becomes
   ``body - s <= ub``, ``body >= lb`` becomes ``body + s >= lb``, an equality gets one of
   each. The planning objective is replaced by *minimise the sum of slacks*, each with
   weight 1 per row unit, and the model is solved as a MIP with HiGHS. Row units are the
   model's: 1 ha, 1 person, 1 yes/no decision (a project, a garden, a scenic spot), 1
   street green space, 1 million Yuan (``planner.core.units.MONEY``). So relaxing a budget by 1
   million Yuan costs as much as one person more in a labour pool, one hectare, or one
   required project dropped: a required project costing more than a million Yuan above
   the budget is dropped rather than the budget raised. The weights are a choice, not a
   truth; the result is *a* smallest relaxation under them (another may exist with the
   same total). One tie-break: a ban (a use not permitted on a parcel or in a village,
   farmland or red-line land that must not change) weighs 1.001 per ha, so that when
   opening one more hectare to a use gains exactly a hectare of a target, the target is
   relaxed, not the ban. Every slack above 1e-6 is reported in planner units (money in
   Yuan).
3. **Conflicting rules.** The elastic solution's whole-number and yes/no decisions are held
   by their bounds (as in :mod:`planner.explain.fixed`) and the elastic model is solved
   again as an LP. Rows (hard or not) with a non-zero dual push against the relaxed rows,
   but this LP is highly degenerate (a rule with nothing to give can show a dual of -1),
   so each dual is checked: the row is loosened by ``DELTA`` (0.01 row unit) in a
   warm-started LP; it is a conflict only if the relaxation then shrinks, and it is
   paired with the relaxed rules whose slack shrinks. All rows of a constraint are tried
   together first (loosening more never gains less, so a constraint whose rows together
   gain nothing has no row that would), then its rows one by one, the largest duals
   first, at most ``PER_CONSTRAINT``; the rest take their constraint's answer. A decision
   held by its bounds hides the rule that holds it (a required project's ``built >= 1``
   row gets no dual: the bound takes it), so every held decision with a non-zero reduced
   cost is *probed*: moved one step in the direction that would shrink the relaxation;
   the rows whose slack grows (or, if the move breaks a model definition, the rows of
   HiGHS's dual ray) are the rules that hold it, against the relaxed rows whose slack
   shrinks. At most ``max_probes`` LPs in all (about 1-3 ms each on Nuanshui).
4. **IIS.** The LP relaxation (integrality dropped, planning objective kept) is solved;
   if it is infeasible and small enough (``iis_max_rows``), or when ``iis=True``, HiGHS's
   ``getIis`` with ``iis_strategy`` = ``highspy.IisStrategy.kIisStrategyIrreducible``
   gives an irreducible infeasible set of rows and decision bounds (the solver notes:
   only that strategy gave a true IIS; the option's help text numbers the strategies
   differently from the enum, the enum is right). It took about 23 s on a 1,000-parcel
   model and 25 s on Nuanshui (3,453 rows), a few ms on the test instances, hence the
   limit and ``iis=False``. If the LP relaxation is feasible, the infeasibility comes from
   whole numbers alone and no IIS exists for it: the elastic result stands.

Limits
------
- ``time_limit`` bounds the elastic MIP (and ``getIis`` through ``iis_time_limit``). If
  the MIP stops early, the relaxation found is reported but is not proved smallest; the
  status is ``infeasible`` only if the MIP's bound proves some slack is needed, else
  ``unknown``.
- ``feasible`` means the elastic MIP found a plan that needs no relaxation: solve the
  instance again (a time limit, not a conflict, may have stopped it).
- Conflicts are local explanations of *this* relaxation, not every reason; the IIS is the
  exact statement for LP-infeasible models.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyomo.environ as pyo
from pyomo.core.expr.visitor import identify_variables

from planner.core.errors import SolveError
from planner.core.status import PYOMO_INFEASIBLE, pyomo_status
from planner.explain.fixed import arrays
from planner.explain.result import fmt, frame_records
from planner.explain.rows import describe, field_of, row_info
from planner.instance.load import LoadedInstance
from planner.model.build import build_model
from planner.model.data import ModelData
from planner.solver import highs

TOL = 1e-6  # slack (model units) below this is no relaxation
DUAL_TOL = 1e-7  # dual / reduced cost below this is zero
PER_CONSTRAINT = 10  # rows of one constraint checked one by one
DELTA = 1e-2  # how far (row units) a rule with a dual is loosened to see which relaxed rows it pushes
HARD_PREFIXES = ("lexicographic_keep", "tie_break_keep")
SLACK = "diagnose_slack"
ELASTIC = "diagnose_elastic"

# bans (a use not allowed on a parcel or in a village, land that must not change) are relaxed in hectares like
# the targets they hold back; when relaxing either gains the same, relax the target: weight 1.001, not 1
BAN_ROWS = ("farmland_protection", "red_line_type", "eco_space_measures", "village_permission", "siting")
BAN_WEIGHT = 1.001

# rows whose limit is a number in the row's own unit: "raise/lower <field> by <amount>"
NUMERIC_LIMIT = {
    "budget",
    "loan_cap",
    "recruit_min",
    "recruit_min_active",
    "recruit_max",
    "labour_pool",
    "garden_size_max",
    "garden_size_min",
    "dividend_floor",
    "street_green_min",
}

RELAXATION_COLUMNS = ["family", "constraint", "rule", "where", "index", "sense", "unit", "amount", "field", "statement"]
CONFLICT_COLUMNS = ["family", "constraint", "rule", "where", "index", "role", "dual", "how", "against", "statement"]
IIS_COLUMNS = ["kind", "family", "constraint", "rule", "where", "index", "bound"]


@dataclass
class Diagnosis:
    """What :func:`diagnose` found. Amounts are in planner units (Yuan, ha, people, ...)."""

    instance_name: str
    status: str  # infeasible | feasible | unknown
    termination: str  # of the elastic MIP
    relaxations: pd.DataFrame
    conflicts: pd.DataFrame
    iis: pd.DataFrame | None
    impossible: list[str]
    notes: list[str] = field(default_factory=list)
    total_relaxation: float | None = None  # the elastic objective: weighted sum of slacks in row units
    timings: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        def num(v):
            return None if v is None or (isinstance(v, float) and not math.isfinite(v)) else v

        return {
            "format": "planner.diagnosis",
            "version": "1.0",
            "instance": self.instance_name,
            "status": self.status,
            "termination": self.termination,
            "total_relaxation": num(self.total_relaxation),
            "impossible": list(self.impossible),
            "relaxations": frame_records(self.relaxations),
            "conflicts": frame_records(self.conflicts),
            "iis": None if self.iis is None else frame_records(self.iis),
            "notes": list(self.notes),
            "timings_s": {k: num(float(v)) for k, v in self.timings.items()},
        }

    def conflict_summary(self, n: int = 8) -> list[str]:
        """One sentence per relaxed rule: ``the budget conflicts with: role minimum, ...``; the
        rules found holding a decision come first, then by the size of their duals."""
        c = self.conflicts
        if c is None or c.empty:
            return []
        out = []
        for rule in dict.fromkeys(c.loc[c["role"] == "relaxed", "rule"]):
            sel = c[(c["rule"] != rule) & c["against"].map(lambda a, r=rule: r in [x.strip() for x in a.split(";")])]
            if sel.empty:
                continue
            score = (
                sel.assign(_h=sel["how"].str.contains("holds"), _d=sel["dual"].abs().fillna(0.0))
                .groupby("rule", sort=False)
                .agg(h=("_h", "max"), d=("_d", "max"), k=("_h", "size"))
            )
            labels = score.sort_values(["h", "d", "k"], ascending=False, kind="stable").index.tolist()
            more = f" and {len(labels) - n} more" if len(labels) > n else ""
            out.append(f"the {rule} conflicts with: {', '.join(labels[:n])}{more}")
        return out

    def summary_lines(self, n: int = 10) -> list[str]:
        """Short lines for a terminal: impossible rules, relaxations (rules relaxed in more than
        three places on one line), then the conflicting rules."""
        lines: list[str] = []
        if self.status == "feasible":
            lines.append("the instance has a plan: every rule can be met together (nothing to relax)")
        elif self.status == "unknown":
            lines.append("the diagnosis stopped at a limit before it could prove what is needed")
        lines += [f"impossible: {s}" for s in self.impossible[:n]]
        if len(self.impossible) > n:
            lines.append(f"... and {len(self.impossible) - n} more impossible rules")
        relax: list[str] = []
        r = self.relaxations
        for _con, g in r.groupby("constraint", sort=False) if not r.empty else []:
            if len(g) <= 3:
                relax += g["statement"].tolist()
                continue
            rule = g["rule"].iloc[0]
            places = ", ".join(w[len(rule) + 2 : -1] if w.startswith(rule + " (") else w for w in g["where"].head(3))
            fields = ", ".join(dict.fromkeys(f for f in g["field"] if f)) or "the rule"
            unit = g["unit"].iloc[0]
            relax.append(
                f"{rule} relaxed in {len(g)} places, {_amount_text(float(g['amount'].sum()), unit)} "
                f"in all ({places}, ...): relax {fields}"
            )
        lines += [f"relax: {s}" for s in relax[:n]]
        if len(relax) > n:
            lines.append(f"... and {len(relax) - n} more relaxations (see the relaxations table)")
        lines += [f"conflicting rules: {s}" for s in self.conflict_summary()[:n]]
        if self.iis is not None and not self.iis.empty:
            rows = self.iis[self.iis["kind"] == "row"]
            lines.append(
                f"irreducible infeasible set: {len(rows)} rules and {len(self.iis) - len(rows)} decision bounds: "
                + "; ".join(rows["where"].tolist()[:n])
                + ("; ..." if len(rows) > n else "")
            )
        return lines


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


def _key(idx: Any) -> tuple:
    if idx is None:
        return ()
    return idx if isinstance(idx, tuple) else (idx,)


def _is_hard(name: str) -> bool:
    if name.startswith(HARD_PREFIXES):
        return True
    try:
        return row_info(name).hard
    except KeyError:
        return True  # a row the explanations do not know is never relaxed (noted)


def _info(name: str):
    try:
        return row_info(name)
    except KeyError:
        return None


def _label(name: str) -> str:
    i = _info(name)
    return i.label if i else name


def _where(name: str, key: tuple) -> str:
    if _info(name) is None:
        return f"{name}[{', '.join(map(str, key))}]" if key else name
    return describe(name, key)


def _field(name: str, key: tuple) -> str:
    return field_of(name, key) if _info(name) else ""


def _int_vars(m: pyo.ConcreteModel) -> list[Any]:
    return [
        v
        for v in m.component_data_objects(pyo.Var, descend_into=True)
        if not v.fixed and (v.is_integer() or v.is_binary())
    ]


def _highs_solve(m: pyo.ConcreteModel, time_limit: float | None, mip: bool):
    opt = highs.pyomo_solver()
    if not opt.available():
        raise SolveError("HiGHS (highspy) is not available; pip install highspy")
    kw: dict[str, Any] = {"load_solutions": False, "raise_exception_on_nonoptimal_result": False}
    if mip:
        kw.update(rel_gap=1e-9, abs_gap=TOL)
    if time_limit is not None:
        kw["time_limit"] = float(time_limit)
    with highs.scheduler(None):
        res = opt.solve(m, **kw)
    return opt, res


def _has_solution(res) -> bool:
    from pyomo.contrib.solver.common.results import SolutionStatus

    return res.solution_status in (SolutionStatus.optimal, SolutionStatus.feasible)


def _optimal(res) -> bool:
    return pyomo_status(res.termination_condition.name, res.solution_status.name) == "optimal"


def _infeasible(res) -> bool:
    return res.termination_condition.name in PYOMO_INFEASIBLE


# ---------------------------------------------------------------------------
# the elastic model
# ---------------------------------------------------------------------------


@dataclass
class _Elastic:
    items: list[tuple[str, tuple, str]]  # per elastic row: (constraint, index, family)
    lo: dict[int, int]  # elastic row -> slack index loosening its lower bound
    up: dict[int, int]  # elastic row -> slack index loosening its upper bound
    weight: list[float]  # per elastic row: objective weight of one row unit of slack
    skipped_unknown: list[str]


def _make_elastic(m: pyo.ConcreteModel) -> _Elastic:
    fam = {name: f for f, names in m._families.items() for name in names}
    # the impossible rows (``zero >= 1``): reported as impossible, their shortfall is unknown to the model
    for name in {name for _f, name, _k in m._impossible}:
        comp = m.find_component(name)
        for c in comp.values() if comp is not None else []:
            if c.active and all(v is m.zero for v in identify_variables(c.body)):
                c.deactivate()
    rows, unknown = [], set()
    for comp in m.component_objects(pyo.Constraint, active=True, descend_into=True):
        name = comp.local_name
        if _info(name) is None and not name.startswith(HARD_PREFIXES):
            unknown.add(name)
        hard = _is_hard(name)
        for idx, c in comp.items():
            key = _key(idx) if comp.is_indexed() else ()
            if c.active and not hard:
                rows.append((name, key, fam.get(name, ""), c))
    n_slack = sum(int(c.has_lb()) + int(c.has_ub()) for *_r, c in rows)
    m.add_component(SLACK, pyo.Var(range(n_slack), domain=pyo.NonNegativeReals))
    m.add_component(ELASTIC, pyo.ConstraintList())
    s, el = getattr(m, SLACK), getattr(m, ELASTIC)
    lo, up, items = {}, {}, []
    k = 0
    for i, (name, key, family, c) in enumerate(rows):
        body = c.body
        if c.has_lb():
            lo[i] = k
            body = body + s[k]
            k += 1
        if c.has_ub():
            up[i] = k
            body = body - s[k]
            k += 1
        lower = pyo.value(c.lower) if c.has_lb() else None
        upper = pyo.value(c.upper) if c.has_ub() else None
        if c.equality:
            el.add(body == lower)
        else:
            el.add(
                pyo.inequality(lower, body, upper)
                if lower is not None and upper is not None
                else (body >= lower if lower is not None else body <= upper)
            )
        c.deactivate()
        items.append((name, key, family))
    for obj in m.component_data_objects(pyo.Objective, active=True):
        obj.deactivate()
    weight = [BAN_WEIGHT if name in BAN_ROWS else 1.0 for name, _k, _f in items]
    w = {k: weight[i] for i, k in lo.items()} | {k: weight[i] for i, k in up.items()}
    m.diagnose_objective = pyo.Objective(expr=pyo.quicksum(w[j] * s[j] for j in range(n_slack)), sense=pyo.minimize)
    return _Elastic(items=items, lo=lo, up=up, weight=weight, skipped_unknown=sorted(unknown))


# ---------------------------------------------------------------------------
# statements
# ---------------------------------------------------------------------------


COUNT_UNITS = ("garden", "project", "street green space", "scenic spot")


def _num(v: float, unit: str = "") -> str:
    """fmt, but whole counts without decimals: '2 people', not '2.00 people'; '2 gardens'."""
    if unit in COUNT_UNITS and abs(v - 1.0) > 1e-9:
        unit += "s"
    if abs(v - round(v)) <= 1e-6 and abs(v) < 1e15:
        return f"{round(v):,d} {unit}".strip()
    return fmt(v, unit)


def _amount_text(amount: float, unit: str) -> str:
    if unit == "Yuan":
        return f"{fmt(amount / 1e6)} million Yuan" if abs(amount) >= 1e6 else fmt(amount, "Yuan")
    if unit == "Yuan/yr":
        return fmt(amount, "Yuan/yr")
    return _num(amount, unit)


def _by(amount: float, unit: str) -> str:
    """The amount for 'raise <field> by at least ...': money rounded up to whole Yuan."""
    if unit.startswith("Yuan"):
        return f"{math.ceil(amount - 1e-6):,.0f}"
    return _num(amount, unit)


SHARE_OF_TOWNSHIP = ("vegetation_coverage", "forest_coverage")  # limit = share x township area


def _relax_statement(name: str, key: tuple, sense: str, amount: float, unit: str, total_area: float) -> str:
    where, fld = _where(name, key), _field(name, key)
    amt = _amount_text(amount, unit)
    if name in SHARE_OF_TOWNSHIP and sense == ">=" and total_area > 0:
        return (
            f"{where} cannot be met (short by {amt}): lower {fld} by at least {amount / total_area:.4g} "
            f"({amt} of the township's {fmt(total_area, 'ha')}), or relax what limits it"
        )
    if name == "budget":
        return f"{where} short by {amt}: raise {fld} by at least {_by(amount, unit)}"
    if sense == "<=":
        if name in NUMERIC_LIMIT and fld:
            return f"{where} exceeded by {amt}: raise {fld} by at least {_by(amount, unit)}, or relax what pushes it"
        return f"{where} cannot be kept (over by {amt}): relax {fld or 'the rule'}, or relax what pushes it"
    if sense == ">=":
        if name in NUMERIC_LIMIT and fld:
            return f"{where} cannot be met: lower {fld} by {_by(amount, unit)}, or relax what limits it"
        return f"{where} cannot be met (short by {amt}): relax {fld or 'the rule'}, or relax what limits it"
    return f"{where} cannot hold exactly (off by {amt}): change {fld or 'the rule'}"


# ---------------------------------------------------------------------------
# conflicts: duals and probes of the fixed elastic LP
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# IIS of the LP relaxation
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# entry point
# ---------------------------------------------------------------------------


def diagnose(
    instance: LoadedInstance,
    *,
    time_limit: float | None = None,
    iis: bool | None = None,
    iis_max_rows: int = 5000,
    max_probes: int = 500,
    modify: Callable[[ModelData, pyo.ConcreteModel], None] | None = None,
) -> Diagnosis:
    """Diagnose an instance with no feasible plan (see the module docstring for the method).

    ``time_limit``: seconds for the elastic MIP (and for ``getIis``). ``iis``: True to
    always compute an IIS of the LP relaxation, False never, None when the LP relaxation is
    infeasible and has at most ``iis_max_rows`` rows. ``max_probes``: LPs spent checking
    duals and probing held decisions for the conflicting rules. ``modify(d, m)``: called on
    every model built, as in :func:`planner.api.solve` (the forced decisions of a
    counterfactual; rows it adds are relaxed only if :mod:`planner.explain.rows` says so).
    """
    if isinstance(instance, str) or hasattr(instance, "__fspath__"):
        from planner.instance.load import load_instance

        instance = load_instance(instance)
    timings: dict[str, float] = {}
    notes: list[str] = []
    t0 = time.perf_counter()
    d = ModelData(instance)
    m = build_model(d)
    if modify is not None:
        modify(d, m)
    impossible = [
        f"{_where(name, key)} can never be met, whatever is decided: "
        f"{'change ' + _field(name, key) if _field(name, key) else 'drop it'} [{fam}]"
        for fam, name, key in m._impossible
    ]
    el = _make_elastic(m)
    timings["build"] = time.perf_counter() - t0
    if el.skipped_unknown:
        notes.append(
            "Rows unknown to planner.explain.rows were treated as definitions (never relaxed): "
            + ", ".join(el.skipped_unknown)
        )
    int_bounds = {id(v): (v.lb, v.ub) for v in _int_vars(m)}

    t1 = time.perf_counter()
    _opt, res = _highs_solve(m, time_limit, mip=True)
    timings["elastic_mip"] = time.perf_counter() - t1
    term = res.termination_condition.name
    total = None
    relax = pd.DataFrame(columns=RELAXATION_COLUMNS)
    conflicts = pd.DataFrame(columns=CONFLICT_COLUMNS)
    iis_df = None

    if _has_solution(res):
        res.solution_loader.load_vars()
        total = float(res.incumbent_objective)
        bound = res.objective_bound
        slack = getattr(m, SLACK)
        svals = {k: float(slack[k].value or 0.0) for k in slack}
        needs = any(v > TOL for v in svals.values())
        if not needs and not impossible:
            status = "feasible"
            notes.append(
                "The elastic re-solve met every rule without relaxing any: the instance has a plan "
                "(solve it again, perhaps with a longer time limit)."
            )
        elif impossible or _optimal(res) or (bound is not None and math.isfinite(bound) and bound > TOL):
            status = "infeasible"
        else:
            status = "unknown"
        if needs and not _optimal(res):
            notes.append(
                f"The elastic MIP stopped at a limit ({term}): the relaxation below is one that works, "
                "not proved the smallest."
            )
        if needs:
            cdf, lp_svals, ct = _conflicts(m, el, int_bounds, time_limit, max_probes, notes)
            timings.update(ct)
            if lp_svals:
                svals = lp_svals
            if cdf is not None:
                conflicts = cdf
            relax = _relaxations(el, svals, float(d.total_area))
    elif _infeasible(res):
        status = "infeasible"
        notes.append(
            "Even with every relaxable rule loosened there is no plan: the model's definitions (land used "
            "once, work norms, decisions accumulating) and the decisions' bounds conflict by themselves; "
            "see the IIS."
        )
    else:
        status = "infeasible" if impossible else "unknown"
        notes.append(f"The elastic MIP found no solution ({term}); raise the time limit.")

    if status != "feasible" and iis is not False:
        iis_df = _iis(d, modify, iis, iis_max_rows, time_limit, notes, timings)
    elif status != "feasible":
        notes.append("IIS skipped (iis=False).")
    return Diagnosis(
        instance_name=instance.instance.name,
        status=status,
        termination=term,
        relaxations=relax,
        conflicts=conflicts,
        iis=iis_df,
        impossible=impossible,
        notes=notes,
        total_relaxation=total,
        timings=timings,
    )


def _relaxations(el: _Elastic, svals: dict[int, float], total_area: float) -> pd.DataFrame:
    out = []
    for i, (name, key, family) in enumerate(el.items):
        for kind, sense in ((el.lo, ">="), (el.up, "<=")):
            k = kind.get(i)
            if k is None:
                continue
            v = svals.get(k, 0.0)
            if v <= TOL:
                continue
            info = _info(name)
            scale, unit = (info.scale, info.unit) if info else (1.0, "")
            amount = v * scale
            out.append(
                {
                    "family": family,
                    "constraint": name,
                    "rule": _label(name),
                    "where": _where(name, key),
                    "index": key,
                    "sense": sense,
                    "unit": unit,
                    "amount": amount,
                    "field": _field(name, key),
                    "statement": _relax_statement(name, key, sense, amount, unit, total_area),
                }
            )
    df = pd.DataFrame(out, columns=RELAXATION_COLUMNS)
    return df.sort_values(["family", "constraint"], kind="stable").reset_index(drop=True)


__all__ = ["Diagnosis", "diagnose"]
