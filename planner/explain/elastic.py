"""The elastic model of :func:`planner.explain.diagnose.diagnose` (step 2 of its method):
every active row of a rule a township could relax gets non-negative slacks, and the
objective becomes the weighted sum of slacks. Also how these models are solved with HiGHS
and how a solve ended, shared by the elastic MIP, the conflicts search and the IIS.

Rows are told apart by :mod:`planner.explain.rows`: a row it marks hard (a model
definition), or does not know, is never relaxed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyomo.environ as pyo
from pyomo.core.expr.visitor import identify_variables

from planner.core.errors import SolveError
from planner.core.status import PYOMO_INFEASIBLE, pyomo_status
from planner.explain.repair import OBJECTIVE_UNIT, RepairSettings
from planner.explain.rows import row_info
from planner.solver import highs

TOL = 1e-6  # slack (model units) below this is no relaxation
HARD_PREFIXES = ("lexicographic_keep", "tie_break_keep")
SLACK = "diagnose_slack"
ELASTIC = "diagnose_elastic"

# what a unit of each rule costs and which rules may give: planner.explain.repair (defaults: money first,
# bans last)


def index_key(idx: Any) -> tuple:
    """A component index as a tuple: () for none, (i,) for a scalar index."""
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


def row_info_or_none(name: str):
    """The :func:`planner.explain.rows.row_info` of constraint ``name``, or None when it is unknown."""
    try:
        return row_info(name)
    except KeyError:
        return None


def int_vars(m: pyo.ConcreteModel) -> list[Any]:
    """The free whole-number and yes/no decisions of ``m``."""
    return [
        v
        for v in m.component_data_objects(pyo.Var, descend_into=True)
        if not v.fixed and (v.is_integer() or v.is_binary())
    ]


def highs_solve(m: pyo.ConcreteModel, time_limit: float | None, mip: bool):
    """Solve ``m`` with HiGHS without loading the solution; returns (solver, results). ``mip``:
    tight gaps, for the elastic MIP. Raises SolveError when HiGHS is missing."""
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


def has_solution(res) -> bool:
    """Whether a solve ``res`` found a solution (optimal or feasible)."""
    from pyomo.contrib.solver.common.results import SolutionStatus

    return res.solution_status in (SolutionStatus.optimal, SolutionStatus.feasible)


def is_optimal(res) -> bool:
    """Whether a solve ``res`` ended optimal, as the planner tells statuses."""
    return pyomo_status(res.termination_condition.name, res.solution_status.name) == "optimal"


def is_infeasible(res) -> bool:
    """Whether a solve ``res`` proved the model infeasible."""
    return res.termination_condition.name in PYOMO_INFEASIBLE


@dataclass
class Elastic:
    """The elastic rows of a model made by :func:`make_elastic` and their slacks."""

    items: list[tuple[str, tuple, str]]  # per elastic row: (constraint, index, family)
    lo: dict[int, int]  # elastic row -> slack index loosening its lower bound
    up: dict[int, int]  # elastic row -> slack index loosening its upper bound
    weight: list[float]  # per elastic row: objective weight of one row unit of slack (million Yuan-equivalents)
    skipped_unknown: list[str]
    cost: list[float] = field(default_factory=list)  # per elastic row: Yuan-equivalents per planner unit
    kept: list[str] = field(default_factory=list)  # relaxable constraints the settings do not let give


def make_elastic(m: pyo.ConcreteModel, settings: RepairSettings | None = None) -> Elastic:
    """Make ``m`` elastic in place (step 2 of the method): slacks on every relaxable active
    row that ``settings`` lets give (:class:`planner.explain.repair.RepairSettings`; default:
    every one), the impossible rows deactivated, the objective the sum of slacks, each
    weighted by its cost in million Yuan-equivalents per row unit."""
    settings = settings or RepairSettings()
    fam = {name: f for f, names in m._families.items() for name in names}
    # the impossible rows (``zero >= 1``): reported as impossible, their shortfall is unknown to the model
    for name in {name for _f, name, _k in m._impossible}:
        comp = m.find_component(name)
        for c in comp.values() if comp is not None else []:
            if c.active and all(v is m.zero for v in identify_variables(c.body)):
                c.deactivate()
    rows, unknown, kept = [], set(), set()
    for comp in m.component_objects(pyo.Constraint, active=True, descend_into=True):
        name = comp.local_name
        info = row_info_or_none(name)
        if info is None and not name.startswith(HARD_PREFIXES):
            unknown.add(name)
        hard = _is_hard(name)
        if not hard and not settings.gives(name, fam.get(name, ""), info):
            hard = True
            kept.add(name)
        for idx, c in comp.items():
            key = index_key(idx) if comp.is_indexed() else ()
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
    cost = []
    for name, _k, family in items:
        info = row_info_or_none(name)
        cost.append(settings.cost(name, family, info))
    weight = [
        c * (row_info_or_none(name).scale if row_info_or_none(name) else 1.0) / OBJECTIVE_UNIT
        for c, (name, _k, _f) in zip(cost, items)
    ]
    w = {k: weight[i] for i, k in lo.items()} | {k: weight[i] for i, k in up.items()}
    m.diagnose_objective = pyo.Objective(expr=pyo.quicksum(w[j] * s[j] for j in range(n_slack)), sense=pyo.minimize)
    return Elastic(
        items=items, lo=lo, up=up, weight=weight, skipped_unknown=sorted(unknown), cost=cost, kept=sorted(kept)
    )
