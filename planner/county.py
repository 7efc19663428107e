"""Solve a county (or prefecture): its townships in one model, or decomposed into one
subproblem per township solved in parallel (local processes or a Dask cluster), with a
proved bound and an honest status (formulation §9).

:func:`solve_county` chooses by ``method``:

- ``monolithic``: one model, one block per township plus the county rows
  (:func:`planner.model.county.build_county_model`), solved by HiGHS;
- ``decomposed``: each township apart. Without county rules the townships are
  independent: each is solved as it would be alone and the county's objective, bound and
  gap are the sums (exact: ``optimal`` when every township is). County rules (the budget
  pool, required county targets) are priced (Lagrangian relaxation). Each is written as
  "what the townships take together <= cap": the pool per period (a township takes its
  allocation), and each side of a required target (a township takes minus its figure
  for a minimum, its figure for a maximum; the cap is minus the minimum, or the
  maximum). At prices ``lam[r] >= 0`` each township maximises its objective minus
  ``sum_r lam[r] * take_k[r]``, and

      UB(lam) = sum_k bound_k(lam) + sum_r lam[r] * cap[r]

  bounds every county plan (``bound_k``: the solver's proved bound of township k's priced
  problem). The prices move by projected subgradient steps on the rows' excess takes.
  Each round gives a county plan: its own plans when their takes fit every row and leave
  nothing another township asked for; else each township re-solved with a share of each
  row held (what it may take of the pool, the least of a target's figure it must reach),
  the shares from the best mix of the plans found so far (:func:`_master`), else from the
  round's takes scaled to the rows (:func:`_split`). When no round gives a plan, the
  townships are planned one after another (:func:`_one_by_one`).
  The best plan's status is ``optimal`` only when its gap to the least bound meets the
  default gap (``planner.solver.run.OPTIMAL_REL_GAP`` or 1 Yuan/yr), else ``feasible`` with
  that gap.
- ``auto`` (default): ``decomposed`` when the townships are independent (exact, in
  parallel), ``monolithic`` when county rules link them (HiGHS proves the optimum; a price
  bound cannot close the gap that whole numbers leave, typically 1e-4 to 1e-2 here, so
  ``decomposed`` there gives a plan with a proved gap, for counties too large to solve whole).

Workers: ``workers`` local processes (1: in this process) or ``scheduler``, a Dask
scheduler address (``tcp://host:8786``) or a ``distributed.Client``; each worker keeps the
township models it built for the rounds of one solve.
"""

from __future__ import annotations

import hashlib
import math
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pyomo.environ as pyo

from planner.api import load_instance
from planner.core import parallel
from planner.core.errors import InputError
from planner.core.labels import LANGS, term
from planner.core.status import RANK, WITH_PLAN
from planner.core.units import MONEY
from planner.instance.county import LoadedCounty
from planner.instance.county import load_county as _load_county
from planner.instance.load import LoadedInstance
from planner.model.build import build_model
from planner.model.county import add_allocation, build_county_model, target_part, used_allocation
from planner.model.data import ModelData
from planner.model.rules import targets as target_rules
from planner.plan.county import CountyPlan, targets_table
from planner.plan.plan import Plan
from planner.solver.run import (
    OPTIMAL_ABS_GAP,
    OPTIMAL_REL_GAP,
    SolveResult,
    check_solver,
    run_solver,
    solve_model,
    solver_options,
)
from planner.verify import county_target_parts, verify_county, verify_plan

METHODS = ("auto", "monolithic", "decomposed")
MAX_ITERATIONS = 40  # price rounds of the decomposition with a budget pool
EPS = 1e-7  # million Yuan = 0.1 Yuan: a pool met to this is met
STALL_ROUNDS = 8  # price rounds without the bound improving by STALL_REL (relative) end the rounds
STALL_REL = 1e-7

#: township models built in this process, per solve: {(run, township path): (li, d, m)}
_CACHE: dict[tuple[str, str], tuple[LoadedInstance, ModelData, pyo.ConcreteModel]] = {}


def load_county(path: str | Path, scenario: str | Path | None = None, sets: list[str] | None = None) -> LoadedCounty:
    """Load a county instance and its townships (each with :func:`planner.load_instance`'s checks)."""
    return _load_county(path, scenario, sets, township_loader=load_instance)


# ----------------------------------------------------------------------------- workers
def _model(task: dict[str, Any]) -> tuple[LoadedInstance, ModelData, pyo.ConcreteModel]:
    key = (task["run"], task["path"])
    hit = _CACHE.get(key)
    if hit is not None:
        return hit
    li = task.get("li") or load_instance(task["path"])
    d = ModelData(li)
    m = build_model(d)
    pool = task["pool"]
    links = task.get("target_links") or []
    if pool is not None or links:
        # what the township takes from each county row (``used``), priced in ``priced`` and,
        # for a target, held to its share in ``county_share_row``
        uses: dict[str, Any] = {}
        if pool is not None:
            add_allocation(m, d, pool)
            m._county_structural = {t for t in d.periods if m.county_alloc[t].fixed}
            uses.update({t: m.county_alloc[t] for t in d.periods})
        else:
            m._county_structural = set()
        targets = dict(task["targets"])
        m.zero.set_value(0.0)  # it carries a target figure that no decision moves
        for lk, tkey, sign in links:
            uses[lk] = sign * (m.zero + target_rules.figure(m, d, targets[tkey]))
        m._county_uses = uses
        m._county_links = [lk for lk, _, _ in links]
        m.county_price = pyo.Param(list(uses), mutable=True, initialize=0.0)
        m.county_share = pyo.Param(m._county_links, mutable=True, initialize=0.0)
        m.county_share_row = pyo.Constraint(m._county_links, rule=lambda _m, k: uses[k] <= m.county_share[k])
        m.county_share_row.deactivate()
        m.objective.deactivate()
        m.priced = pyo.Objective(
            expr=m.objective.expr - pyo.quicksum(m.county_price[k] * uses[k] for k in uses),
            sense=pyo.maximize,
        )
    _CACHE[key] = (li, d, m)
    return li, d, m


def forget(run: str) -> None:
    """Drop this process's township models of solve ``run``."""
    for key in [k for k in _CACHE if k[0] == run]:
        del _CACHE[key]


def solve_township(task: dict[str, Any]) -> dict[str, Any]:
    """One township's subproblem (runs in a worker). ``task``: ``run``, ``path`` (the
    township YAML; ``li``: the loaded instance when run in the caller's process), ``pool``
    (Yuan per period, None without a pool), ``target_links`` (the required county
    targets' rows: (row key, target key, sign), see :func:`_links`), ``prices`` (per row
    key: objective per unit taken; the pool's keyed by period, per million Yuan),
    ``fixed`` (per row key: the allocation held, million Yuan per period, and the most of
    each target row the township may take; or None),
    ``opts`` (solver options), ``final`` (return the :class:`Plan`), ``targets`` (the
    county targets, whose parts a final plan returns), ``verify`` (an independent
    township's ``{"county", "township"}``: verify its final plan here, in parallel)."""
    li, d, m = _model(task)
    opts = task["opts"]
    t0 = time.perf_counter()
    if task["pool"] is None and not task.get("target_links"):
        res = solve_model(d, m, opts)
        out = {
            "status": res.status,
            "termination": res.termination,
            "objective": res.objective,
            "bound": res.bound,
            "used": {t: 0.0 for t in d.periods},
        }
        result = res
    else:
        fixed = task["fixed"]
        for k in m.county_price:
            m.county_price[k] = task["prices"].get(k, 0.0) if fixed is None else 0.0
        if task["pool"] is not None:
            for t in d.periods:
                if t in m._county_structural:
                    continue
                if fixed is None:
                    m.county_alloc[t].unfix()
                else:  # within its bounds: a share computed from plans' takes may carry rounding
                    m.county_alloc[t].fix(min(max(fixed[t], 0.0), m.county_alloc[t].ub))
        for k in m._county_links:
            if fixed is None:
                m.county_share_row[k].deactivate()
            else:
                m.county_share[k] = fixed[k]
                m.county_share_row[k].activate()
        r = run_solver(m, opts)
        has = r["status"] in WITH_PLAN
        objective = pyo.value(m.objective.expr) if has else None
        used = {}
        if has:
            used = used_allocation(m, d) if task["pool"] is not None else {}
            used.update({k: float(pyo.value(m._county_uses[k])) for k in m._county_links})
        out = {
            "status": r["status"],
            "termination": r["termination"],
            "objective": objective,
            "bound": r["bound"],
            "used": used,
        }
        result = SolveResult(
            status=r["status"],
            termination=r["termination"],
            objective=objective,
            bound=None,
            mip_gap=None,
            solve_time_s=r["time_s"],
            solver=opts["solver"],
            stages=[
                {
                    "goal": "weighted",
                    **{k: r[k] for k in ("status", "termination", "time_s") if k in r},
                    "objective": objective,
                    "bound": None,
                    "mip_gap": None,
                    "note": "one township of a county, its share of the county rows held",
                }
            ],
        )
    out["time_s"] = time.perf_counter() - t0
    if task["final"]:
        out["plan"] = Plan.from_model(li, d, m, result, build_time_s=0.0, options=opts)
        if out["status"] in WITH_PLAN:
            out["target_parts"] = {k: target_part(m, d, tg) for k, tg in task.get("targets", [])}
            if task.get("verify") is not None:  # independent townships: verified where they were solved
                out["plan"].county = {**task["verify"], "allocation_yuan": {}}
                out["verification"] = verify_plan(out["plan"], li)
                if task.get("targets"):
                    try:
                        parts = county_target_parts(out["plan"], li, task["targets"])
                    except Exception:  # noqa: BLE001 - the caller recomputes them and reports what fails
                        parts = None
                    if parts is not None:
                        out["verification"] = {**out["verification"], "county_target_parts": parts}
                out["instance_hash"] = instance_hash(li)
    return out


def instance_hash(li: LoadedInstance) -> str:
    """A digest of the township instance as loaded (its validated YAML fields and parcel
    table): a worker's verification is used only when its instance has the same digest as
    the caller's, so a worker reading other files at the same path is verified again."""
    h = hashlib.sha256(li.instance.model_dump_json().encode("utf-8"))
    h.update(pd.util.hash_pandas_object(li.parcels, index=True).to_numpy().tobytes())
    return h.hexdigest()


# ----------------------------------------------------------------------------- runners
class _Runner:
    """Runs township tasks: in this process, in local processes, or on a Dask cluster."""

    def __init__(self, workers: int, scheduler: Any) -> None:
        self.client = None
        self.own_client = False
        self.pool = None
        if scheduler is not None:
            self.client = _client(scheduler)
            self.own_client = self.client is not scheduler
        elif workers > 1 and parallel.can_spawn():
            self.pool = parallel.process_pool(workers)

    @property
    def in_process(self) -> bool:
        return self.client is None and self.pool is None

    def map(self, fn: Callable[[dict[str, Any]], Any], tasks: list[dict[str, Any]]) -> list[Any]:
        if self.client is not None:
            return self.client.gather(self.client.map(fn, tasks, pure=False))
        if self.pool is not None:
            return list(self.pool.map(fn, tasks))
        return [fn(t) for t in tasks]

    def close(self, run: str) -> None:
        forget(run)
        if self.client is not None:
            try:
                self.client.run(forget, run)
            finally:
                if self.own_client:
                    self.client.close()
        if self.pool is not None:
            self.pool.shutdown(wait=True)


def _client(scheduler: Any) -> Any:
    try:
        from distributed import Client
    except ImportError as e:
        raise InputError.one(
            "--scheduler", "--scheduler", "Dask distributed is not installed", "pip install 'planner[dask]'"
        ) from e
    if isinstance(scheduler, Client):
        return scheduler
    try:
        return Client(scheduler, timeout="15s")
    except (OSError, ValueError, TimeoutError) as e:
        raise InputError.one(
            "--scheduler",
            "--scheduler",
            f"cannot reach the Dask scheduler: {e}",
            "give the address the scheduler printed, e.g. tcp://host:8786",
            scheduler,
        ) from None


# ----------------------------------------------------------------------------- solve
def _note(word: str, /, **args: Any) -> tuple[str, str]:
    """A county note of the word registry in English and Chinese; an argument given as a
    pair is the pair's English or Chinese text."""
    en, zh = (
        term("word", word, lang).format(**{k: (v[i] if isinstance(v, tuple) else v) for k, v in args.items()})
        for i, lang in enumerate(LANGS)
    )
    return en, zh


def _meets_default(objective: float, bound: float) -> bool:
    gap = bound - objective
    return gap <= OPTIMAL_ABS_GAP * (1 + 1e-9) or gap <= OPTIMAL_REL_GAP * max(abs(objective), 1e-10)


def _rel_gap(objective: float | None, bound: float | None) -> float | None:
    if objective is None or bound is None or not math.isfinite(bound):
        return None
    return max(0.0, bound - objective) / max(abs(objective), 1e-10)


def solve_county(
    lc: LoadedCounty,
    *,
    method: str = "auto",
    time_limit: float | None = None,
    mip_gap: float | None = None,
    threads: int | None = None,
    solver: str | None = None,
    workers: int = 1,
    scheduler: Any = None,
    max_iterations: int = MAX_ITERATIONS,
    verify: bool = True,
) -> CountyPlan:
    """Solve a county; see the module docstring. ``mip_gap`` (relative) stops the price
    rounds once the gap is met (the status is ``optimal`` only at the default gap);
    ``time_limit`` (s) is for the whole solve."""
    if method not in METHODS:
        raise InputError.one("--method", "--method", f"unknown method {method!r}", f"use one of {', '.join(METHODS)}")
    first = lc.townships[0][1]
    opts = solver_options(first, time_limit, mip_gap, threads, solver)
    check_solver(opts["solver"], "--solver" if solver else str(first.path))
    t0 = time.perf_counter()
    deadline = None if opts["time_limit"] is None else t0 + float(opts["time_limit"])
    if method == "auto":
        method = "monolithic" if lc.linked else "decomposed"
    if opts["solver"] != "highs" and method == "decomposed" and lc.linked:
        raise InputError.one(
            "--solver",
            "--solver",
            "the decomposition with county rules (a pool, required targets) uses HiGHS's bounds",
            "use --solver highs",
        )
    done: dict[str, Any] = {}  # township -> its verification, run where it was solved
    if method == "monolithic":
        cp = _monolithic(lc, opts)
    else:
        run = uuid.uuid4().hex
        runner = _Runner(workers, scheduler)
        try:
            if lc.linked:
                cp = _priced(lc, opts, runner, run, deadline, max_iterations, mip_gap)
            else:
                cp = _independent(lc, opts, runner, run, done if verify else None)
        finally:
            runner.close(run)
    cp.solve_time_s = time.perf_counter() - t0
    cp.options = {**opts, "method": cp.method, "workers": workers, "scheduler": None if scheduler is None else "dask"}
    if verify and cp.has_solution:
        cp.verification = verify_county(cp.townships, lc, cp.objective, cp.targets, done)
        if not cp.verification["passed"]:
            cp.status_note, cp.status_note_zh = _note("county_note_unverified")
    return cp


def _task(lc: LoadedCounty, k: int, runner: _Runner, run: str, opts: dict[str, Any], **kw: Any) -> dict[str, Any]:
    tid, li = lc.townships[k]
    pool = None if lc.pool is None else lc.pool
    task = {
        "run": run,
        "path": str(li.path),
        "pool": pool,
        "prices": {},
        "fixed": None,
        "opts": opts,
        "final": False,
        "targets": lc.targets,
    }
    if runner.in_process:
        task["li"] = li
    task.update(kw)
    return task


def _remaining(opts: dict[str, Any], deadline: float | None) -> dict[str, Any]:
    if deadline is None:
        return opts
    return {**opts, "time_limit": max(deadline - time.perf_counter(), 1e-3)}


def _county_plan(
    lc: LoadedCounty,
    method: str,
    results: list[dict[str, Any]],
    status: str,
    termination: str,
    objective: float | None,
    bound: float | None,
    allocations: dict[str, dict[str, float]],
    coordination: dict[str, Any],
    note: tuple[str, str],
    own_status: bool = False,
) -> CountyPlan:
    """The county plan from each township's final result (its ``plan``): the township plans
    carry their allocation and, unless ``own_status`` (independent townships, each solved to
    its own optimum), the county's status and gap."""
    gap = _rel_gap(objective, bound)
    townships = []
    parts = {tid: r.get("target_parts", {}) for (tid, _), r in zip(lc.townships, results)}
    area = _area(lc)
    for (tid, _), r in zip(lc.townships, results):
        p: Plan = r["plan"]
        if not own_status and p.has_solution:
            p.status, p.termination, p.mip_gap = status, termination, gap
            p.objective_bound = None
            p.status_note = p.status_note or (
                f"township {tid} of {lc.name}: the status and gap are the county plan's ({method})"
            )
        p.county = {"county": lc.name, "township": tid, "allocation_yuan": allocations.get(tid, {})}
        townships.append((tid, p))
    return CountyPlan(
        name=lc.name,
        path=str(lc.path),
        overrides=list(lc.overrides),
        status=status,
        termination=termination,
        objective=None if objective is None else objective * MONEY,
        objective_bound=None if bound is None or not math.isfinite(bound) else bound * MONEY,
        mip_gap=gap,
        method=method,
        townships=townships,
        pool=lc.pool,
        allocations=allocations,
        coordination=coordination,
        status_note=note[0],
        status_note_zh=note[1],
        targets=targets_table(lc.targets, parts, area) if status in WITH_PLAN else None,
    )


def _area(lc: LoadedCounty) -> float:
    """The county's whole area (ha): what a county coverage is a share of."""
    return float(sum(li.parcels["area_ha"].sum() for _, li in lc.townships))


def _monolithic(lc: LoadedCounty, opts: dict[str, Any]) -> CountyPlan:
    datas = [ModelData(li) for _, li in lc.townships]
    big = build_county_model(datas, lc.periods, lc.pool, lc.required_targets)
    r = run_solver(big, opts)
    has = r["status"] in WITH_PLAN
    results = []
    allocations: dict[str, dict[str, float]] = {}
    for (tid, li), d, m in zip(lc.townships, datas, big._blocks):
        obj = pyo.value(m.objective.expr) if has else None
        res = SolveResult(r["status"], r["termination"], obj, None, None, r["time_s"], opts["solver"], [])
        done = {"plan": Plan.from_model(li, d, m, res, build_time_s=0.0, options=opts)}
        if has:
            done["target_parts"] = {k: target_part(m, d, tg) for k, tg in lc.targets}
        results.append(done)
        if has and lc.pool is not None:
            allocations[tid] = {t: v * MONEY for t, v in used_allocation(m, d).items()}
    objective = r["objective"] if has else None
    bound = r["bound"]
    status = r["status"]
    if status == "optimal" and objective is not None and bound is not None and not _meets_default(objective, bound):
        status = "feasible"
    note = ("", "")
    if status == "infeasible" and lc.linked:
        rules = ([_note("county_note_pool")] if lc.pool is not None else []) + [
            _note("county_note_target", key=k, name=tg.name, period=tg.period) for k, tg in lc.required_targets
        ]
        joined = tuple(term("word", "county_note_and", lang).join(r[i] for r in rules) for i, lang in enumerate(LANGS))
        note = _note("county_note_infeasible", rules=joined)
    return _county_plan(
        lc,
        "monolithic",
        results,
        status,
        r["termination"],
        objective,
        bound,
        allocations,
        {"townships": len(lc.townships)},
        note,
    )


def _independent(
    lc: LoadedCounty, opts: dict[str, Any], runner: _Runner, run: str, done: dict[str, Any] | None
) -> CountyPlan:
    """Each township solved as it would be alone; with ``done`` (a dict), each is also
    verified by the worker that solved it, and its result goes in ``done``."""
    tasks = [
        _task(
            lc,
            k,
            runner,
            run,
            opts,
            final=True,
            verify=None if done is None else {"county": lc.name, "township": lc.townships[k][0]},
        )
        for k in range(len(lc.townships))
    ]
    results = runner.map(solve_township, tasks)
    if done is not None:  # a worker's check counts only if it read the instance this process did
        done.update(
            {
                tid: r["verification"]
                for (tid, li), r in zip(lc.townships, results)
                if "verification" in r and r.get("instance_hash") == instance_hash(li)
            }
        )
    worst = max(results, key=lambda r: RANK[r["status"]])
    status, termination = worst["status"], worst["termination"]
    has = all(r["status"] in WITH_PLAN for r in results)
    objective = sum(r["objective"] for r in results) if has else None
    bounds = [r["bound"] for r in results]
    bound = sum(bounds) if has and all(b is not None and math.isfinite(b) for b in bounds) else None
    if status == "optimal" and (bound is None or objective is None or not _meets_default(objective, bound)):
        status = "feasible"
    cp = _county_plan(
        lc,
        "decomposed",
        results,
        status,
        termination,
        objective,
        bound,
        {},
        {"townships": len(lc.townships), "linked": False},
        ("", ""),
        own_status=True,
    )
    return cp


def _links(lc: LoadedCounty) -> tuple[dict[str, float], list[tuple[str, str, float]]]:
    """The county rows the prices coordinate, each written as "what the townships take
    together <= cap" (model units): the pool per period (key: the period; a township takes
    its allocation) and each side of a required county target (key ``target|period|min``
    or ``...|max``; a township "takes" minus its figure for a minimum, its figure for a
    maximum). Returns the caps and the target rows as (key, target key, sign)."""
    cap: dict[str, float] = {}
    if lc.pool is not None:
        cap.update({t: lc.pool[t] / MONEY for t in lc.periods})
    links = []
    area = _area(lc)
    for key, tg in lc.required_targets:
        scale = target_rules.limit_scale(tg.kpi, area)
        for side, limit, sign in (("min", tg.min, -1.0), ("max", tg.max, 1.0)):
            if limit is not None:
                lk = f"{key}|{tg.period}|{side}"
                cap[lk] = sign * limit * scale
                links.append((lk, key, sign))
    return cap, links


def _priced(
    lc: LoadedCounty,
    opts: dict[str, Any],
    runner: _Runner,
    run: str,
    deadline: float | None,
    max_iterations: int,
    user_gap: float | None,
) -> CountyPlan:
    """Lagrangian price coordination on the county rows (the pool, required county
    targets); see the module docstring."""
    cap, links = _links(lc)
    keys = list(cap)
    pool_keys = [t for t in lc.periods if lc.pool is not None]
    n = len(lc.townships)
    ids = [tid for tid, _ in lc.townships]
    sub_opts = {**opts, "mip_gap": None}  # subproblems to the default gap: their bounds make the county's

    def task(k: int, o: dict[str, Any], **kw: Any) -> dict[str, Any]:
        return _task(lc, k, runner, run, o, target_links=links, **kw)

    lam = {r: 0.0 for r in keys}
    upper = math.inf
    best: tuple[float, dict[str, dict[str, float]]] | None = None
    theta, stale = 1.0, 0
    # row -> township -> the latest takes that fit every row / exceed some row
    under: dict[str, dict[str, float]] = {}
    within: dict[str, dict[str, float]] = {}  # row -> township -> the latest takes within that row
    over: dict[str, dict[str, float]] = {}
    stalled_since, stall_mark = 0, math.inf
    history: list[dict[str, Any]] = []
    termination = "iterationLimit"
    # township -> the plans the rounds found: (objective, takes)
    columns: dict[str, list[tuple[float, dict[str, float]]]] = {tid: [] for tid in ids}

    def keep(results: list[dict[str, Any]]) -> None:
        for k, x in enumerate(results):
            if x["status"] in WITH_PLAN:
                columns[ids[k]].append((x["objective"], dict(x["used"])))

    least_takes: list[dict[str, dict[str, float]] | None] = []

    def least(dual: float) -> dict[str, dict[str, float]] | None:
        """The least each township takes of each row (row -> township -> take): its take at
        prices no township would pay for more (one plan of its own; computed once). Rows
        that pull apart get no least of both at once: the pool against a target minimum,
        or a target's minimum against its maximum (whose prices net out on the figure)."""
        if not least_takes:
            high = {r: 10.0 * max(abs(dual), 1.0) / max(abs(cap[r]), 1e-3) for r in keys}
            need = runner.map(solve_township, [task(k, _remaining(sub_opts, deadline), prices=high) for k in range(n)])
            keep(need)
            ok = all(x["status"] in WITH_PLAN for x in need)
            least_takes.append({r: {ids[k]: need[k]["used"][r] for k in range(n)} for r in keys} if ok else None)
        return least_takes[0]

    for it in range(max_iterations):
        if deadline is not None and time.perf_counter() >= deadline:
            termination = "maxTimeLimit"
            break
        t_it = time.perf_counter()
        o = _remaining(sub_opts, deadline)
        res = runner.map(solve_township, [task(k, o, prices=dict(lam)) for k in range(n)])
        keep(res)
        if any(r["status"] not in WITH_PLAN for r in res):
            if it == 0 and any(r["status"] == "infeasible" for r in res):
                # at price 0 each township may take the whole pool: one that cannot plan even so leaves none
                bad = [ids[k] for k, r in enumerate(res) if r["status"] == "infeasible"]
                whole = _note("county_note_whole_pool") if lc.pool is not None else ("", "")
                note = _note("county_note_township_infeasible", townships=", ".join(bad), pool=whole)
                return _no_plan(lc, "infeasible", "provenInfeasible", note)
            termination = next(r["termination"] for r in res if r["status"] not in WITH_PLAN)
            break
        bounds = [r["bound"] for r in res]
        dual = (
            sum(bounds) + sum(lam[r] * cap[r] for r in keys)
            if all(b is not None and math.isfinite(b) for b in bounds)
            else math.inf
        )
        improved = dual < upper - 1e-12
        upper = min(upper, dual)
        demand = {r: sum(x["used"][r] for x in res) for r in keys}
        fits = all(demand[r] <= cap[r] + EPS for r in keys)
        column = {r: {ids[k]: res[k]["used"][r] for k in range(n)} for r in keys}
        for r in keys:  # per row, the latest takes within it
            if demand[r] <= cap[r] + EPS:
                within[r] = column[r]
        if fits:
            under = column
        else:
            over = column
            if it == 0 and math.isfinite(dual) and any(r not in within for r in keys):
                needed = least(dual)
                if needed is not None:
                    for r in keys:
                        if r not in within and sum(needed[r].values()) <= cap[r] + EPS:
                            within[r] = needed[r]
                    if all(sum(needed[r].values()) <= cap[r] + EPS for r in keys):
                        under = needed
        value = None
        share = _split(ids, keys, cap, {**under, **within}, over, pool_keys)
        if share is not None and all(abs(share[ids[k]][r] - res[k]["used"][r]) <= EPS for k in range(n) for r in keys):
            value = sum(x["objective"] for x in res)  # the takes fit the county rows as they are
        else:
            # the best mix of the plans found so far; failing that, the split of the latest takes
            # within each row; failing that, of the latest takes that fit every row (those are one
            # round's, so each township can plan with them)
            splits = (
                lambda: _master(ids, keys, cap, columns, pool_keys, opts),
                lambda: _split(ids, keys, cap, {**under, **within}, over, pool_keys),
                lambda: _split(ids, keys, cap, under, over, pool_keys),
            )
            for make in splits:
                split = make()
                if split is None:
                    continue
                o = _remaining(sub_opts, deadline)
                fixed = runner.map(solve_township, [task(k, o, fixed=split[ids[k]]) for k in range(n)])
                keep(fixed)
                if all(x["status"] in WITH_PLAN for x in fixed):
                    value = sum(x["objective"] for x in fixed)
                    share = {ids[k]: dict(fixed[k]["used"]) for k in range(n)}  # what each really takes
                    break
        if value is not None and (best is None or value > best[0]):
            best = (value, share)
        history.append(
            {
                "iteration": it + 1,
                "prices": {t: lam[t] for t in pool_keys},
                "demand_yuan": {t: demand[t] * MONEY for t in pool_keys},
                **(
                    {
                        "target_prices": {lk: lam[lk] for lk, _, _ in links},
                        "target_figures": {lk: sign * demand[lk] for lk, _, sign in links},
                    }
                    if links
                    else {}
                ),
                "bound": None if not math.isfinite(dual) else dual * MONEY,
                "plan": None if value is None else value * MONEY,
                "time_s": time.perf_counter() - t_it,
            }
        )
        if best is not None and math.isfinite(upper):
            if _meets_default(best[0], upper):
                termination = "convergenceCriteriaSatisfied"
                break
            if user_gap is not None and (_rel_gap(best[0], upper) or 0.0) <= user_gap:
                termination = "gapLimit"
                break
        # projected subgradient step on the prices: excess takes raise a price, slack lowers it to 0
        s = {r: demand[r] - cap[r] for r in keys}
        s = {r: (0.0 if lam[r] <= 0 and s[r] < 0 else s[r]) for r in keys}
        norm = sum(v * v for v in s.values())
        if norm <= EPS * EPS:
            termination = "convergenceCriteriaSatisfied" if best is not None else termination
            break
        if upper < stall_mark - STALL_REL * max(abs(upper), 1.0):
            stall_mark, stalled_since = upper, it
        elif it - stalled_since >= STALL_ROUNDS:
            termination = "iterationLimit"  # the bound stopped moving: the prices cannot prove more
            break
        if not improved:
            stale += 1
            if stale >= 3:
                theta, stale = theta / 2, 0
        goal = best[0] if best is not None else dual - 0.01 * abs(dual)
        step = theta * max(dual - goal, 1e-9 * max(abs(dual), 1.0)) / norm if math.isfinite(dual) else 0.0
        lam = {r: max(0.0, lam[r] + step * s[r]) for r in keys}
    if best is None and math.isfinite(upper) and (deadline is None or time.perf_counter() < deadline):
        needed = least(upper)
        if needed is not None:
            best = _one_by_one(
                ids,
                keys,
                cap,
                needed,
                pool_keys,
                lambda k, limit: runner.map(solve_township, [task(k, _remaining(sub_opts, deadline), fixed=limit)])[0],
            )
    if best is None:
        return _no_plan(lc, "no_solution", termination, _note("county_note_no_round_plan"))
    # the best split, each township re-solved with its share held: the plans
    final = runner.map(solve_township, [task(k, sub_opts, fixed=best[1][ids[k]], final=True) for k in range(n)])
    if not all(r["status"] in WITH_PLAN for r in final):
        return _no_plan(lc, "no_solution", termination, _note("county_note_no_share_plan"))
    objective = sum(r["objective"] for r in final)
    upper = max(upper, objective)  # a bound below a plan can only be rounding
    status = "optimal" if _meets_default(objective, upper) else "feasible"
    if status == "optimal":
        termination = "convergenceCriteriaSatisfied"
    allocations = (
        {tid: {t: r["used"][t] * MONEY for t in pool_keys} for tid, r in zip(ids, final)} if lc.pool is not None else {}
    )
    gap = _rel_gap(objective, upper)
    note = ("", "") if status == "optimal" else _note("county_note_gap", gap=f"{gap:.2e}", n=len(history))
    coord = {
        "townships": n,
        "linked": True,
        "iterations": len(history),
        "prices": {t: lam[t] for t in pool_keys},
        **({"target_prices": {lk: lam[lk] for lk, _, _ in links}} if links else {}),
        "history": history,
    }
    return _county_plan(lc, "decomposed", final, status, termination, objective, upper, allocations, coord, note)


def _within(row: str, share: float, cap: dict[str, float], pool_keys: list[str]) -> float:
    """A township's share of a county row as it can be held: a pool share between 0 and the
    pool (an allocation's bounds); a target share as it is."""
    return min(cap[row], max(0.0, share)) if row in pool_keys else share


def _master(
    ids: list[str],
    keys: list[str],
    cap: dict[str, float],
    columns: dict[str, list[tuple[float, dict[str, float]]]],
    pool_keys: list[str],
    opts: dict[str, Any],
) -> dict[str, dict[str, float]] | None:
    """A split of the county rows from the plans the rounds found (Dantzig-Wolfe's
    restricted master): each township's share is the mix of its own plans (weights >= 0
    summing to 1) that, with the other townships' mixes, fits every row and is worth the
    most. Each township's takes are then one plan's or between its plans in every row at
    once, unlike a row-by-row split. None when no mix fits."""
    mm = pyo.ConcreteModel()
    cols = [(tid, c) for tid in ids for c in range(len(columns[tid]))]
    mm.w = pyo.Var(cols, bounds=(0.0, 1.0))
    mm.one = pyo.Constraint(ids, rule=lambda _m, tid: sum(mm.w[tid, c] for c in range(len(columns[tid]))) == 1)

    def fit(_m: Any, r: str) -> Any:
        take = sum(columns[tid][c][1][r] * mm.w[tid, c] for tid, c in cols)
        return take <= cap[r]

    mm.fit = pyo.Constraint(keys, rule=fit)
    mm.objective = pyo.Objective(expr=sum(columns[tid][c][0] * mm.w[tid, c] for tid, c in cols), sense=pyo.maximize)
    r = run_solver(mm, {**opts, "time_limit": None, "mip_gap": None})
    if r["status"] not in WITH_PLAN:
        return None
    out: dict[str, dict[str, float]] = {}
    for tid in ids:
        weights = [max(0.0, mm.w[tid, c].value or 0.0) for c in range(len(columns[tid]))]
        out[tid] = {}
        for key in keys:
            share = sum(wt * columns[tid][c][1][key] for c, wt in enumerate(weights))
            out[tid][key] = _within(key, share, cap, pool_keys)
    return out


def _one_by_one(
    ids: list[str],
    keys: list[str],
    cap: dict[str, float],
    least: dict[str, dict[str, float]],
    pool_keys: list[str],
    solve: Callable[[int, dict[str, float]], dict[str, Any]],
) -> tuple[float, dict[str, dict[str, float]]] | None:
    """A county plan found one township after another, when the price rounds found none:
    township k may take what the townships before it left, less the least the townships
    after it take (``least``). If those least takes fit every row, each township can at
    worst take its least again, so every step has a plan and the rows hold at the end.
    Returns (objective, takes per township), or None (the least takes do not fit, or a
    township finds no plan)."""
    if any(sum(least[r].values()) > cap[r] + EPS for r in keys):
        return None
    taken = {r: 0.0 for r in keys}
    value, share = 0.0, {}
    for k, tid in enumerate(ids):
        # never below its own least (a row the least takes fill to within EPS is met to EPS)
        limit = {r: max(least[r][tid], cap[r] - taken[r] - sum(least[r][t] for t in ids[k + 1 :])) for r in keys}
        limit = {r: _within(r, v, cap, pool_keys) for r, v in limit.items()}
        x = solve(k, limit)
        if x["status"] not in WITH_PLAN:
            return None
        value += x["objective"]
        share[tid] = dict(x["used"])
        taken = {r: taken[r] + x["used"][r] for r in keys}
    return value, share


def _split(
    ids: list[str],
    keys: list[str],
    cap: dict[str, float],
    under: dict[str, dict[str, float]],
    over: dict[str, dict[str, float]],
    pool_keys: list[str],
) -> dict[str, dict[str, float]] | None:
    """A split of each county row (township -> row -> the most it may take) from the
    latest takes within the row (``under``) and beyond it (``over``): each township keeps
    its take within the row, and what is left of the row goes to the townships that took
    more at the lower price, in proportion to the more they took (between two prices, the
    optimal split of a linear relaxation is such a mix). Without takes within a row, a pool
    row starts from nothing taken and a target row cannot be split yet (None)."""
    out: dict[str, dict[str, float]] = {tid: {} for tid in ids}
    for r in keys:
        if r in under:
            base = under[r]
        elif r in pool_keys:
            base = {tid: 0.0 for tid in ids}
        else:
            return None
        want = {tid: max(0.0, over.get(r, {}).get(tid, base[tid]) - base[tid]) for tid in ids}
        left = max(0.0, cap[r] - sum(base.values()))
        total = sum(want.values())
        scale = min(1.0, left / total) if total > 0 else 0.0
        for tid in ids:
            share = base[tid] + want[tid] * scale
            out[tid][r] = _within(r, share, cap, pool_keys)
    return out


def _no_plan(lc: LoadedCounty, status: str, termination: str, note: tuple[str, str]) -> CountyPlan:
    return CountyPlan(
        name=lc.name,
        path=str(lc.path),
        overrides=list(lc.overrides),
        status=status,
        termination=termination,
        objective=None,
        objective_bound=None,
        mip_gap=None,
        method="decomposed",
        townships=[],
        pool=lc.pool,
        allocations={},
        coordination={"townships": len(lc.townships)},
        status_note=note[0],
        status_note_zh=note[1],
    )


__all__ = ["METHODS", "load_county", "solve_county", "solve_township"]
