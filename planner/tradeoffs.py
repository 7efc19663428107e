"""Trade-offs: the Pareto frontier of GEP against dividends, and near-optimal alternatives.

:func:`pareto` traces the frontier by the epsilon-constraint method, exactly:

1. the GEP end: maximise GEP (``m.obj_gep``), then maximise dividends (``m.obj_dividends``:
   dividends minus loan interest) with GEP held at its optimum, so the end point is not
   dominated by another plan of the same GEP;
2. the dividends end: maximise dividends, then GEP with dividends held;
3. ``n - 2`` interior points at dividend floors ``eps`` evenly spaced strictly between the
   two ends' dividends: maximise GEP subject to ``dividends >= eps``, then dividends with
   GEP held (so each point is non-dominated, not merely on the floor).

Both goals are the weighted sums over periods that make up the objective (Yuan/yr); the
instance's ``objective`` weights, mode and tie-break play no part (its
``dividend_recipients`` do: they define dividends). Each point keeps its plan, status,
termination and MIP gap (the worst of its two stages): a point whose stages did not both
prove optimality is ``feasible``, never ``optimal``, and may be dominated (the ``dominated``
column says whether another point of the frontier dominates it). Points the solver
returns identical (within 1 Yuan/yr) are kept once.

:func:`alternatives` is modelling to generate alternatives (Hop-Skip-Jump): hold the
plan's objective within ``slack`` (relative) of its value and, repeatedly, minimise the
use of every decision taken by the plan or by an alternative found before: each
allocation ``x[parcel, use, last period]`` counts as its share of the parcel (1 when the
whole parcel is in that use), each garden, project and scenic spot built as 1. Each
alternative is as different as it can be while staying within the slack.

The same model, solver and options as :func:`planner.solver.run` are used (the model is built
once per call and re-solved with different objectives and rows); every plan with a
solution is checked by the independent verifier unless ``verify=False``.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyomo.environ as pyo

from planner.api import load_instance
from planner.core.files import write_text
from planner.core.status import WITH_PLAN, rank
from planner.core.units import MONEY
from planner.core.values import json_value
from planner.explain.result import fmt, frame_records
from planner.explain.whatif import differences
from planner.instance.load import LoadedInstance
from planner.model.build import build_model
from planner.model.data import ModelData
from planner.plan.plan import Plan
from planner.plan.tables import TOL
from planner.solver.run import (
    DEFAULT_REL_GAP,
    SolveResult,
    check_solver,
    restore_values,
    run_solver,
    snapshot_values,
    solver_options,
)
from planner.verify import verify_plan

GOALS = ("gep", "dividends")

Progress = Callable[[str, int, int], Any]
USED_HA = 1e-4  # an allocation below this (numerical dust, e.g. from a held objective) is not a decision taken


# ---------------------------------------------------------------------------
# shared machinery
# ---------------------------------------------------------------------------


def _load(instance) -> LoadedInstance:
    if isinstance(instance, str) or hasattr(instance, "__fspath__"):
        return load_instance(instance)
    return instance


def _held(best: float, rel: float) -> float:
    """The floor that holds a goal at (nearly) ``best`` (million Yuan): ``rel`` of it, and
    never less than 1e-9 million Yuan (0.001 Yuan) so the incumbent itself stays feasible."""
    return best - max(rel * abs(best), 1e-9)


def _remaining(opts: dict[str, Any], deadline: float | None) -> dict[str, Any]:
    if deadline is None:
        return opts
    return {**opts, "time_limit": max(deadline - time.perf_counter(), 1e-3)}


def _deadline(opts: dict[str, Any]) -> float | None:
    return None if opts["time_limit"] is None else time.perf_counter() + float(opts["time_limit"])


def _instance_objective(d: ModelData, m: pyo.ConcreteModel, reached: str | None) -> float | None:
    """The plan's ``objective`` in the meaning :class:`~planner.plan.plan.Plan` gives it (million
    Yuan): the weighted objective, or in lexicographic mode the last goal reached."""
    if d.inst.objective.mode == "weighted":
        return pyo.value(m.objective.expr)
    if reached is None:
        return None
    return pyo.value(m.obj_gep if reached == "gep" else m.obj_dividends)


def _verified_plan(plan: Plan, li: LoadedInstance, verify: bool) -> Plan:
    """``plan`` with the independent verifier's result when asked and there is a plan."""
    return plan.with_verification(verify_plan(plan, li)) if verify and plan.has_solution else plan


def _verified(plan: Plan) -> bool | None:
    return None if plan.verification is None else bool(plan.verification["passed"])


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= max(1.0, 1e-9 * max(abs(a), abs(b)))


# ---------------------------------------------------------------------------
# Pareto frontier
# ---------------------------------------------------------------------------


@dataclass
class Frontier:
    """The GEP-dividends frontier: one row of ``points`` per non-identical point, ordered by
    dividends (the GEP end first), with its plan at the same position of ``plans``.

    ``points`` columns: ``point`` (0, 1, ...), ``kind`` (``gep_end``, ``epsilon``,
    ``dividends_end``), ``epsilon_yuan`` (the dividend floor of an interior point),
    ``gep_yuan`` and ``dividends_yuan`` (the two goals, Yuan/yr, weighted over periods;
    dividends net of loan interest), ``weighted_yuan`` (the instance's weighted objective
    at that point), ``status``, ``termination``, ``mip_gap`` (worst of the point's two
    stages), ``dominated`` (another point of the frontier is at least as good in both goals
    and better in one: only possible for a point that is not optimal), ``verified``,
    ``time_s``. ``kpis``: the plan's KPIs per period, one row per point and period.
    Points without a plan (``no_solution``, ``infeasible``) keep a row with empty goals.
    """

    instance_name: str
    points: pd.DataFrame
    plans: list[Plan]
    kpis: pd.DataFrame
    n: int
    time_s: float
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def all_optimal(self) -> bool:
        return bool(len(self.points)) and bool((self.points["status"] == "optimal").all())

    def plot(self, path: str | Path) -> Path:
        """Write a PNG of GEP against dividends (million Yuan/yr): the points, the line
        through them, and the status beside every point that is not proved optimal."""
        from matplotlib.figure import Figure
        from matplotlib.ticker import FuncFormatter

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fig = Figure(figsize=(7.0, 5.0), dpi=110)
        ax = fig.add_subplot(111)
        pts = self.points.dropna(subset=["gep_yuan", "dividends_yuan"])
        if pts.empty:
            ax.text(0.5, 0.5, "no point of the frontier has a plan", ha="center", va="center", transform=ax.transAxes)
            ax.set_xticks([])
            ax.set_yticks([])
        else:
            x = pts["dividends_yuan"].to_numpy(dtype=float) / MONEY
            y = pts["gep_yuan"].to_numpy(dtype=float) / MONEY
            ax.plot(x, y, "-", color="#1f77b4", linewidth=1.5, zorder=1)
            ok = (pts["status"] == "optimal").to_numpy()
            ax.scatter(x[ok], y[ok], color="#1f77b4", s=36, zorder=2, label="optimal")
            if (~ok).any():
                ax.scatter(
                    x[~ok], y[~ok], facecolor="white", edgecolor="#d62728", s=46, zorder=3, label="not proved optimal"
                )
                for xi, yi, (_, r) in zip(x[~ok], y[~ok], pts[~ok].iterrows()):
                    gap = "" if r["mip_gap"] is None or pd.isna(r["mip_gap"]) else f", gap {r['mip_gap']:.2g}"
                    ax.annotate(
                        f"{r['status']}{gap}",
                        (xi, yi),
                        textcoords="offset points",
                        xytext=(6, 6),
                        fontsize=8,
                        color="#d62728",
                    )
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.6g}"))
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.6g}"))
            ax.set_xlabel("dividends minus loan interest (million Yuan/yr, weighted over periods)")
            ax.set_ylabel("GEP (million Yuan/yr, weighted over periods)")
            ax.grid(True, alpha=0.3)
            ax.legend(loc="best", fontsize=8)
        ax.set_title(f"{self.instance_name}: GEP against dividends ({len(pts)} points)")
        fig.tight_layout()
        fig.savefig(path, facecolor="white")
        return path

    def to_dict(self) -> dict[str, Any]:

        pts = frame_records(self.points)
        by_point: dict[int, dict[str, Any]] = {}
        for r in frame_records(self.kpis):
            p = int(r.pop("point"))
            by_point.setdefault(p, {})[str(r.pop("period"))] = r
        for r in pts:
            r["kpis"] = by_point.get(int(r["point"]), {})
        return {
            "format": "planner.frontier",
            "version": "1.1",
            "instance": self.instance_name,
            "n": self.n,
            "kind": {
                "what": "pareto_frontier",
                "meaning": "each point is a plan optimal for one goal (GEP or "
                "dividends) with the other goal bounded (epsilon_yuan) or optimised second; its status is "
                "that of its own problem, not the optimum of the instance's weighted objective",
            },
            "time_s": self.time_s,
            "options": self.options,
            "points": pts,
        }

    def to_json(self, path: str | Path | None = None) -> str:
        text = json.dumps(self.to_dict(), indent=1, allow_nan=False, default=str)
        if path is not None:
            write_text(path, text)
        return text


def _add_tradeoff_components(m: pyo.ConcreteModel) -> None:
    m.objective.deactivate()
    goal = {"gep": m.obj_gep, "dividends": m.obj_dividends}
    for g in GOALS:
        obj = pyo.Objective(expr=goal[g], sense=pyo.maximize)
        m.add_component(f"tradeoff_max_{g}", obj)
        obj.deactivate()
        hold = pyo.Param(mutable=True, initialize=0.0)
        m.add_component(f"tradeoff_hold_{g}_value", hold)
        row = pyo.Constraint(expr=goal[g] >= hold)
        m.add_component(f"tradeoff_hold_{g}", row)
        row.deactivate()
    m.tradeoff_eps_value = pyo.Param(mutable=True, initialize=0.0)
    m.tradeoff_eps = pyo.Constraint(expr=m.obj_dividends >= m.tradeoff_eps_value)
    m.tradeoff_eps.deactivate()
    m._families.setdefault("tradeoffs", []).extend([f"tradeoff_hold_{g}" for g in GOALS] + ["tradeoff_eps"])


def _lexicographic(li, d, m, opts, order: tuple[str, str], eps: float | None, build_s: float) -> Plan:
    """Maximise ``order[0]`` (subject to dividends >= eps, Yuan/yr), then ``order[1]`` with the
    first held at its optimum; return the plan with both stages recorded."""
    deadline = _deadline(opts)
    if eps is None:
        m.tradeoff_eps.deactivate()
    else:
        m.tradeoff_eps_value.set_value(eps / MONEY)
        m.tradeoff_eps.activate()
    stages: list[dict[str, Any]] = []
    snap = None
    try:
        for i, g in enumerate(order):
            obj = m.component(f"tradeoff_max_{g}")
            obj.activate()
            try:
                r = run_solver(m, _remaining(opts, deadline))
            finally:
                obj.deactivate()
            st = {"goal": g, **r}
            if eps is not None:
                st["epsilon_dividends_yuan"] = eps
            stages.append(st)
            if r["status"] not in WITH_PLAN:
                break
            snap = snapshot_values(m)
            if i == 0:
                m.component(f"tradeoff_hold_{g}_value").set_value(_held(r["objective"], DEFAULT_REL_GAP))
                m.component(f"tradeoff_hold_{g}").activate()
    finally:
        for g in GOALS:
            m.component(f"tradeoff_hold_{g}").deactivate()
        m.tradeoff_eps.deactivate()
    worst = max(stages, key=lambda s: rank(s["status"]))
    status, termination = worst["status"], worst["termination"]
    reached = [s["goal"] for s in stages if s["status"] in WITH_PLAN]
    if snap is not None and stages[-1]["status"] not in WITH_PLAN:
        # the second goal found no plan: the first goal's plan, not proved non-dominated
        restore_values(snap)
        status, termination = "feasible", stages[-1]["termination"]
    has = snap is not None
    gaps = [s["mip_gap"] for s in stages if s["mip_gap"] is not None]
    lex = d.inst.objective.mode != "weighted"
    res = SolveResult(
        status=status,
        termination=termination,
        objective=_instance_objective(d, m, reached[-1] if reached else None) if has else None,
        bound=(next(s["bound"] for s in reversed(stages) if s["status"] in WITH_PLAN) if lex and has else None),
        mip_gap=max(gaps) if gaps and has else None,
        solve_time_s=sum(s["time_s"] for s in stages),
        solver=opts["solver"],
        stages=stages,
    )
    return Plan.from_model(li, d, m, res, build_time_s=build_s, options=opts)


def pareto(
    instance,
    n: int = 7,
    *,
    time_limit: float | None = None,
    mip_gap: float | None = None,
    threads: int | None = None,
    solver: str | None = None,
    verify: bool = True,
    progress: Progress | None = None,
) -> Frontier:
    """The Pareto frontier of GEP against dividends, by the epsilon-constraint method with
    lexicographic clean-up (see the module docstring): ``n`` solves of two stages each (the
    two ends and ``n - 2`` interior dividend floors), fewer if the ends coincide.

    ``time_limit`` (seconds) applies to each point (its two stages share it); ``mip_gap``,
    ``threads`` and ``solver`` override the instance's ``solver`` section as in
    :func:`planner.solver.run`. ``progress(stage, done, total)`` is called after each point.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 2:
        raise ValueError(f"n must be a whole number of at least 2 (the two ends), got {n!r}")
    li = _load(instance)
    opts = solver_options(li, time_limit, mip_gap, threads, solver)
    check_solver(opts["solver"], "--solver" if solver else str(li.path))
    t_all = time.perf_counter()
    t0 = time.perf_counter()
    d = ModelData(li)
    m = build_model(d)
    _add_tradeoff_components(m)
    build_s = time.perf_counter() - t0

    found: list[dict[str, Any]] = []

    def point(kind: str, order: tuple[str, str], eps: float | None) -> dict[str, Any]:
        t = time.perf_counter()
        plan = _lexicographic(li, d, m, opts, order, eps, build_s)
        plan.kind = {
            "what": "pareto_point",
            "point_kind": kind,
            "goal": order[0],
            "then": order[1],
            "dividends_floor_yuan": eps,
            "meaning": "optimal for its goal with the other goal held (a frontier point), "
            "not the optimum of the instance's weighted objective",
        }
        has = plan.has_solution
        plan = _verified_plan(plan, li, verify)
        found.append(
            {
                "kind": kind,
                "epsilon_yuan": eps,
                "plan": plan,
                "gep_yuan": pyo.value(m.obj_gep) * MONEY if has else None,
                "dividends_yuan": pyo.value(m.obj_dividends) * MONEY if has else None,
                "time_s": time.perf_counter() - t,
            }
        )
        if progress:
            progress("pareto", len(found), n)
        return found[-1]

    gep_end = point("gep_end", ("gep", "dividends"), None)
    div_end = point("dividends_end", ("dividends", "gep"), None)
    if gep_end["plan"].has_solution and div_end["plan"].has_solution:
        lo, hi = gep_end["dividends_yuan"], div_end["dividends_yuan"]
        if hi - lo > max(1.0, 1e-9 * abs(hi)):
            for k in range(1, n - 1):
                point("epsilon", ("gep", "dividends"), lo + k * (hi - lo) / (n - 1))
    if progress and len(found) < n:
        progress("pareto", n, n)
    return _frontier(li, found, n, time.perf_counter() - t_all, opts)


def _frontier(li, found, n, total_s, opts) -> Frontier:
    rows, plans = [], []
    ob = li.instance.objective
    for f in found:
        plan, gep, div = f["plan"], f["gep_yuan"], f["dividends_yuan"]
        rows.append(
            {
                "kind": f["kind"],
                "epsilon_yuan": f["epsilon_yuan"],
                "gep_yuan": gep,
                "dividends_yuan": div,
                "weighted_yuan": None if gep is None else ob.gep_weight * gep + ob.dividend_weight * div,
                "status": plan.status,
                "termination": plan.termination,
                "mip_gap": plan.mip_gap,
                "verified": _verified(plan),
                "time_s": f["time_s"],
            }
        )
        plans.append(plan)
    # identical points once: keep the best-status copy (the first of equals)
    keep: list[int] = []
    for i, r in enumerate(rows):
        if r["gep_yuan"] is None:
            keep.append(i)
            continue
        dup = next(
            (
                j
                for j in keep
                if rows[j]["gep_yuan"] is not None
                and _same(rows[j]["gep_yuan"], r["gep_yuan"])
                and _same(rows[j]["dividends_yuan"], r["dividends_yuan"])
            ),
            None,
        )
        if dup is None:
            keep.append(i)
        elif rank(r["status"]) < rank(rows[dup]["status"]):
            keep[keep.index(dup)] = i
    order = sorted(
        keep,
        key=lambda i: (
            rows[i]["dividends_yuan"] is None,
            rows[i]["dividends_yuan"] if rows[i]["dividends_yuan"] is not None else 0.0,
            -(rows[i]["gep_yuan"] or 0.0),
        ),
    )
    rows = [rows[i] for i in order]
    plans = [plans[i] for i in order]
    for r in rows:
        r["dominated"] = (
            None
            if r["gep_yuan"] is None
            else any(
                q is not r
                and q["gep_yuan"] is not None
                and q["gep_yuan"] >= r["gep_yuan"] - 1.0
                and q["dividends_yuan"] >= r["dividends_yuan"] - 1.0
                and (
                    q["gep_yuan"] > r["gep_yuan"] + max(1.0, 1e-9 * abs(r["gep_yuan"]))
                    or q["dividends_yuan"] > r["dividends_yuan"] + max(1.0, 1e-9 * abs(r["dividends_yuan"]))
                )
                for q in rows
            )
        )
    cols = [
        "point",
        "kind",
        "epsilon_yuan",
        "gep_yuan",
        "dividends_yuan",
        "weighted_yuan",
        "status",
        "termination",
        "mip_gap",
        "dominated",
        "verified",
        "time_s",
    ]
    points = pd.DataFrame([{"point": i, **r} for i, r in enumerate(rows)], columns=cols)
    for c in ("epsilon_yuan", "gep_yuan", "dividends_yuan", "weighted_yuan", "mip_gap", "time_s"):
        points[c] = points[c].astype(float)
    kp = [p.tables["kpis"].assign(point=i) for i, p in enumerate(plans) if p.has_solution and "kpis" in p.tables]
    kpis = pd.concat(kp, ignore_index=True) if kp else pd.DataFrame(columns=["point", "period"])
    kpis = kpis[["point"] + [c for c in kpis.columns if c != "point"]]
    return Frontier(
        instance_name=li.instance.name,
        points=points,
        plans=plans,
        kpis=kpis,
        n=n,
        time_s=total_s,
        options={k: v for k, v in opts.items() if k != "highs_options"},
    )


# ---------------------------------------------------------------------------
# Modelling to generate alternatives (Hop-Skip-Jump)
# ---------------------------------------------------------------------------


@dataclass
class Alternative:
    """One alternative plan within ``slack`` of the plan's objective.

    ``objective`` (Yuan/yr) has the plan's meaning (the weighted objective, or the last
    lexicographic goal); ``below_optimum_pct`` is how far below the plan it is, in percent
    of the plan's objective (in lexicographic mode the largest loss over the goals held);
    ``distance`` the share of the plan's last-period allocated area that the alternative
    moved elsewhere (0 to 1); ``overlap`` the Hop-Skip-Jump objective that was minimised
    (decisions used before still used, each counted once, areas as shares of their
    parcel); ``status`` that of this search (``optimal``: the most different plan within the
    slack was proved; ``feasible``: a plan within the slack, perhaps not the most different).
    """

    index: int
    status: str
    termination: str
    slack: float
    objective: float | None
    base_objective: float | None
    base_status: str
    below_optimum_pct: float | None
    distance: float | None
    overlap: float | None
    mip_gap: float | None
    plan: Plan | None = None
    differences: pd.DataFrame = field(default_factory=pd.DataFrame)
    goals: dict[str, dict[str, float | None]] = field(default_factory=dict)
    statement: str = ""

    def to_dict(self) -> dict[str, Any]:

        return {
            "index": self.index,
            "status": self.status,
            "termination": self.termination,
            "slack": self.slack,
            "objective": json_value(self.objective),
            "base_objective": json_value(self.base_objective),
            "base_status": self.base_status,
            "below_optimum_pct": json_value(self.below_optimum_pct),
            "distance": json_value(self.distance),
            "overlap": json_value(self.overlap),
            "mip_gap": json_value(self.mip_gap),
            "goals": {g: {k: json_value(v) for k, v in x.items()} for g, x in self.goals.items()},
            "statement": self.statement,
            "differences": frame_records(self.differences),
        }


def _used(d: ModelData, m: pyo.ConcreteModel, plan: Plan) -> set[tuple[str, Any]]:
    """The decisions a plan takes in the last period: ('x', (parcel, use)), ('garden', v),
    ('built', project), ('scenic', parcel); only those the model has."""
    last = d.last
    out: set[tuple[str, Any]] = set()
    a = plan.tables.get("allocations")
    if a is not None and not a.empty:
        sel = a[(a["period"].astype(str) == last) & (a["area_ha"] > USED_HA)]
        for p, u in zip(sel["parcel"], sel["use"]):
            if (p, u, last) in m.x:
                out.add(("x", (p, u)))
    g = plan.tables.get("gardens")
    if g is not None and not g.empty:
        for v in g.loc[(g["period"].astype(str) == last) & g["built"].astype(bool), "village"]:
            if (v, last) in m.garden:
                out.add(("garden", v))
    pr = plan.tables.get("projects")
    if pr is not None and not pr.empty:
        for j in pr.loc[(pr["period"].astype(str) == last) & pr["built"].astype(bool), "project"]:
            if (j, last) in m.built:
                out.add(("built", j))
    for row in plan.decisions.get("scenic", []):
        p, t, val = row[0], str(row[1]), row[2]
        if t == last and val and (p, last) in m.scenic:
            out.add(("scenic", p))
    return out


def _overlap_expr(d: ModelData, m: pyo.ConcreteModel, used: set[tuple[str, Any]]):
    last = d.last
    terms = []
    for kind, key in sorted(used, key=str):
        if kind == "x":
            ub = m.x[key[0], key[1], last].ub
            terms.append(m.x[key[0], key[1], last] / ub if ub and ub > 0 else m.x[key[0], key[1], last])
        else:
            terms.append(getattr(m, kind)[key, last])
    return pyo.quicksum(terms) if terms else 0.0 * m.zero


def _last_alloc(plan: Plan, last: str) -> pd.Series:
    a = plan.tables.get("allocations")
    if a is None or a.empty:
        return pd.Series(dtype=float)
    a = a[a["period"].astype(str) == last]
    return a.groupby(["parcel", "use"])["area_ha"].sum().astype(float)


def _distance(base: Plan, alt: Plan, last: str) -> float | None:
    a, b = _last_alloc(base, last), _last_alloc(alt, last)
    total = float(a.sum())
    if total <= TOL:
        return None
    moved = (a - b.reindex(a.index).fillna(0.0)).clip(lower=0.0).sum()
    return float(min(max(moved / total, 0.0), 1.0))


def _alloc_all(plan: Plan) -> pd.Series:
    a = plan.tables.get("allocations")
    if a is None or a.empty:
        return pd.Series(dtype=float)
    return a.groupby(["parcel", "use", "period"])["area_ha"].sum().astype(float)


def _same_decisions(a: Plan, b: Plan) -> bool:
    """The same land in every period (to 1e-4 ha) and the same gardens, projects and scenic spots
    (the decisions the search looks at; recruitment and carbon applications follow from them)."""
    x, y = _alloc_all(a), _alloc_all(b)
    idx = x.index.union(y.index)
    if len(idx) and float((x.reindex(idx).fillna(0.0) - y.reindex(idx).fillna(0.0)).abs().max()) > 1e-4:
        return False
    keys = ("garden", "built", "scenic")
    return all(sorted(map(tuple, a.decisions.get(k, []))) == sorted(map(tuple, b.decisions.get(k, []))) for k in keys)


def _builds(plan: Plan, last: str) -> set[tuple[str, str]]:
    """('project', id) and ('garden', village) built by the last period."""
    out: set[tuple[str, str]] = set()
    pr = plan.tables.get("projects")
    if pr is not None and not pr.empty:
        out |= {
            ("project", j) for j in pr.loc[(pr["period"].astype(str) == last) & pr["built"].astype(bool), "project"]
        }
    g = plan.tables.get("gardens")
    if g is not None and not g.empty:
        out |= {("garden", v) for v in g.loc[(g["period"].astype(str) == last) & g["built"].astype(bool), "village"]}
    return out


def _things(items: set[tuple[str, str]]) -> str:
    """'projects a and b and the garden in v'."""
    parts = []
    pj = sorted(j for k, j in items if k == "project")
    gv = sorted(v for k, v in items if k == "garden")
    if pj:
        parts.append(("project " if len(pj) == 1 else "projects ") + _list(pj))
    if gv:
        parts.append(("the garden in " if len(gv) == 1 else "the gardens in ") + _list(gv))
    return " and ".join(parts)


def _pct(p: float) -> str:
    p = round(abs(p), 6)
    return f"{p:.2g}" if p < 0.1 else (f"{p:.1f}" if p < 10 else f"{p:.0f}")


def _list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _statement(alt: Alternative, base: Plan, last: str) -> str:

    head = f"alternative {alt.index}: "
    if alt.plan is None or not alt.plan.has_solution:
        return head + f"no plan found within {alt.slack:.3g} of the plan's objective ({alt.status}, {alt.termination})."
    ref = "the optimum" if alt.base_status == "optimal" else f"this plan (itself not proved optimal: {alt.base_status})"
    pct = alt.below_optimum_pct
    if pct is None:
        value = "objective not comparable"
    elif abs(pct) * abs(alt.base_objective or 0.0) / 100.0 <= 1.0:
        value = f"as good as {ref}"
    elif pct >= 0:
        value = f"{_pct(pct)}% below {ref}"
    else:
        value = f"{_pct(pct)}% above {ref}"
    parts = [value]
    a, b = _last_alloc(base, last), _last_alloc(alt.plan, last)
    by_a = a.groupby(level="use").sum() if len(a) else pd.Series(dtype=float)
    by_b = b.groupby(level="use").sum() if len(b) else pd.Series(dtype=float)
    change = by_b.reindex(by_a.index.union(by_b.index)).fillna(0.0) - by_a.reindex(by_a.index.union(by_b.index)).fillna(
        0.0
    )
    dec = {u: -c for u, c in change.items() if c < -1e-4}
    inc = {u: c for u, c in change.items() if c > 1e-4}
    d_tot, i_tot = sum(dec.values()), sum(inc.values())
    real_dec = d_tot
    if d_tot > i_tot + 1e-4:
        inc["land left in its current cover"] = d_tot - i_tot
    elif i_tot > d_tot + 1e-4:
        dec["land in its current cover"] = i_tot - d_tot
    moved = max(d_tot, i_tot)

    def side(x: dict[str, float]) -> str:
        top = sorted(x.items(), key=lambda kv: -kv[1])
        names = [u if len(top) == 1 else f"{u} ({fmt(ha, 'ha')})" for u, ha in top[:3]]
        if len(top) > 3:
            names.append(f"{len(top) - 3} more")
        return _list(names)

    if moved > 1e-4:
        parts.append(f"moves {fmt(moved, 'ha')} from {side(dec)} to {side(inc)}")
    total = float(a.sum())
    relocated = (alt.distance or 0.0) * total - real_dec
    if relocated > 1e-4:
        parts.append(f"puts {fmt(relocated, 'ha')} of the same uses on other parcels")
    was, now = _builds(base, last), _builds(alt.plan, last)
    new, gone = now - was, was - now
    if new and gone:
        parts.append(f"builds {_things(new)} instead of {_things(gone)}")
    elif new:
        parts.append(f"also builds {_things(new)}")
    elif gone:
        parts.append(f"does not build {_things(gone)}")
    if len(parts) == 1:
        parts.append("the same land, gardens and projects as the plan (see the differences for the rest)")
    tail = ""
    if alt.status != "optimal":
        tail = (
            f" (the search for the most different plan stopped early: {alt.status}, {alt.termination}; this plan is "
            f"within the slack but perhaps not the most different one)"
        )
    return head + "; ".join(parts) + tail + "."


def alternatives(
    instance,
    plan: Plan,
    *,
    slack: float = 0.01,
    n: int = 3,
    time_limit: float | None = None,
    mip_gap: float | None = None,
    threads: int | None = None,
    solver: str | None = None,
    verify: bool = True,
    progress: Progress | None = None,
) -> list[Alternative]:
    """Up to ``n`` plans, each within ``slack`` (relative: 0.01 = 1%) of ``plan``'s objective
    and as different as possible from ``plan`` and from the alternatives before it
    (Hop-Skip-Jump; see the module docstring).

    The objective is held by the row ``objective >= best - slack x |best|`` where ``best`` is
    the plan's objective; in lexicographic mode each goal of the plan's stages is held so.
    ``time_limit`` applies to each alternative. The search stops early at the first
    alternative that finds no plan (it is returned, with its status), and when the most
    different plan left repeats the plan or an earlier alternative (not returned: every
    decision available within the slack has then been used), so fewer than ``n`` may come
    back."""
    if not isinstance(slack, (int, float)) or not math.isfinite(slack) or slack < 0:
        raise ValueError(f"slack must be a non-negative number (0.01 = 1%), got {slack!r}")
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a whole number of at least 1, got {n!r}")
    if not plan.has_solution or plan.objective is None:
        raise ValueError(f"the plan has no solution to hold (status {plan.status})")
    li = _load(instance)
    opts = solver_options(li, time_limit, mip_gap, threads, solver)
    check_solver(opts["solver"], "--solver" if solver else str(li.path))
    t0 = time.perf_counter()
    d = ModelData(li, aggregate=False)  # alternatives differ parcel by parcel: no merged land units
    m = build_model(d)
    m.objective.deactivate()
    build_s = time.perf_counter() - t0
    ob = li.instance.objective
    goal = {"gep": m.obj_gep, "dividends": m.obj_dividends}
    lex = [
        s
        for s in plan.stages
        if s.get("goal") in GOALS and s.get("objective") is not None and s.get("status") in WITH_PLAN
    ]
    if ob.mode == "weighted" or not lex:
        held = {"objective": (m.objective.expr, plan.objective)}
    else:
        held = {s["goal"]: (goal[s["goal"]], s["objective"]) for s in lex}
    m.mga_hold = pyo.ConstraintList()
    for expr, best in held.values():
        m.mga_hold.add(expr >= best / MONEY - max(slack * abs(best / MONEY), 1e-9))
    m._families.setdefault("alternatives", []).append("mga_hold")

    used = _used(d, m, plan)
    out: list[Alternative] = []
    last = d.last
    for i in range(1, n + 1):
        if m.component("mga_overlap") is not None:
            m.del_component("mga_overlap")
        m.mga_overlap = pyo.Objective(expr=_overlap_expr(d, m, used), sense=pyo.minimize)
        r = run_solver(m, opts)
        has = r["status"] in WITH_PLAN
        reached = lex[-1]["goal"] if ob.mode != "weighted" and lex else None
        res = SolveResult(
            status=r["status"],
            termination=r["termination"],
            objective=_instance_objective(d, m, reached) if has else None,
            bound=None,
            mip_gap=r["mip_gap"],
            solve_time_s=r["time_s"],
            solver=opts["solver"],
            stages=[],
        )
        alt_plan = Plan.from_model(li, d, m, res, build_time_s=build_s, options=opts)
        alt_plan.stages = [{"goal": "alternative", "unit": "decisions used before", "slack": slack, **r}]
        alt_plan = _verified_plan(alt_plan, li, verify)
        goals: dict[str, dict[str, float | None]] = {}
        below = None
        if has:
            for name, (expr, best) in held.items():
                val = pyo.value(expr) * MONEY
                pct = (best - val) / abs(best) * 100.0 if abs(best) > 0 else 0.0
                goals[name] = {"plan": best, "alternative": val, "below_pct": pct}
            below = max(g["below_pct"] for g in goals.values())
        if has:
            # the alternative is a plan of the instance below its optimum: never 'optimal' in its own file
            alt_plan.status = "feasible"
            bound = plan.objective_bound if plan.objective_bound is not None else plan.objective
            alt_plan.objective_bound = bound
            alt_plan.mip_gap = (
                abs(bound - alt_plan.objective) / max(abs(alt_plan.objective), 1e-10)
                if alt_plan.objective is not None
                else None
            )
            alt_plan.kind = {
                "what": "alternative",
                "index": i,
                "slack": slack,
                "search_status": r["status"],
                "optimum_objective": plan.objective,
                "optimum_status": plan.status,
                "below_optimum_pct": below,
                "distance": _distance(plan, alt_plan, last),
            }
        alt = Alternative(
            index=i,
            status=r["status"],
            termination=r["termination"],
            slack=slack,
            objective=alt_plan.objective,
            base_objective=plan.objective,
            base_status=plan.status,
            below_optimum_pct=below,
            distance=_distance(plan, alt_plan, last) if has else None,
            overlap=r["objective"] if has else None,
            mip_gap=r["mip_gap"],
            plan=alt_plan,
            goals=goals,
        )
        if has:
            alt.differences = differences(plan, alt_plan)
        if has:
            earlier = [plan] + [a.plan for a in out]
            if any(_same_decisions(p, alt_plan) for p in earlier):
                # every decision within the slack has been used before: the search only repeats itself
                if progress:
                    progress("alternatives", n, n)
                break
        alt.statement = _statement(alt, plan, last)
        out.append(alt)
        if progress:
            progress("alternatives", i, n)
        if not has:
            break
        used |= _used(d, m, alt_plan)
    return out


__all__ = ["Alternative", "Frontier", "alternatives", "pareto"]
