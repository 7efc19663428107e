"""The Python API: load an instance, solve it, and get a verified plan.

``planner.load_instance`` and ``planner.solve`` are these functions; everything a
script needs goes through here (:mod:`planner.explain`, :mod:`planner.sweep` and the
command line build on it).

:func:`load_instance` is the instance layer's loader plus the checks that need the model's
data (:mod:`planner.model.checks`: rules no plan can ever meet). The model data those
checks build is kept for the next :func:`solve` of that same instance (same land units:
``aggregate`` on, no ``keep_parcels``), so a load and a solve build it once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pyomo.environ as pyo

from planner.core.errors import InputError, Problem
from planner.instance import load as instance_load
from planner.instance.decisions import instance_decisions
from planner.instance.load import LoadedInstance
from planner.model.build import build_model
from planner.model.checks import never_met
from planner.model.data import ModelData
from planner.plan.plan import Plan
from planner.solver import scaling
from planner.solver.highs import clear_interrupt
from planner.solver.progress import ProgressFn, SolveProgress
from planner.solver.run import check_solver, solve_model, solver_options
from planner.verify import verify_plan

#: The model data built by the last load's checks, until that instance is solved; taken
#: under a lock, so of two threads solving one instance only one reuses it.
_prepared: ModelData | None = None
_prepared_lock = threading.Lock()


def _never_met(instance: LoadedInstance, file: str) -> list[Problem]:
    """The loader's check of the rules no plan can meet; its model data is kept for
    :func:`solve` when the instance passes."""
    global _prepared
    try:
        instance_decisions(instance, file)
    except InputError as exc:
        return exc.problems
    d = ModelData(instance)
    problems = never_met(d, file)
    with _prepared_lock:
        _prepared = None if problems else d
    return problems


def _take_prepared(instance: LoadedInstance) -> ModelData | None:
    """The model data the checks built for ``instance`` (default land units), once."""
    global _prepared
    with _prepared_lock:
        d = _prepared
        if d is None or d.li is not instance:
            return None
        _prepared = None
    return d


def load_instance(
    path: str | Path,
    scenario: str | Path | None = None,
    sets: list[str] | dict[str, Any] | None = None,
    *,
    root: str | Path | None = None,
) -> LoadedInstance:
    """Load, overlay and validate an instance.

    Parameters
    ----------
    path: the instance YAML.
    scenario: optional overlay YAML whose fields override the instance's.
    sets: ``["path=value", ...]`` or ``{path: value}`` single-field overrides, applied last.
    root: the folder the instance's files (``parcels.file``, a ``valuation`` path) must lie
        in (:func:`planner.instance.load.load_instance`); None: anywhere.

    Raises :class:`~planner.core.errors.InputError` listing every problem found: in the
    files and overrides (:func:`planner.instance.load.load_instance`), and then rules that
    no plan can meet whatever is decided (:func:`planner.model.checks.never_met`).
    """
    return instance_load.load_instance(path, scenario, sets, checks=(_never_met,), root=root)


def solve(
    instance: LoadedInstance,
    *,
    time_limit: float | None = None,
    mip_gap: float | None = None,
    threads: int | None = None,
    solver: str | None = None,
    verify: bool = True,
    modify: Callable[[ModelData, pyo.ConcreteModel], None] | None = None,
    aggregate: bool = True,
    keep_parcels: Iterable[str] = (),
    progress: ProgressFn | None = None,
):
    """Solve an instance and return a :class:`~planner.plan.plan.Plan`.

    ``modify(d, m)``, if given, is called on the built model before solving (the
    counterfactuals of :mod:`planner.explain.whatif` add their forced decisions this way).

    ``aggregate`` (default): interchangeable parcels are solved as merged land units and
    the plan is split back per parcel (:mod:`planner.model.aggregate`; the optimum is the same);
    ``keep_parcels`` stay their own units (a ``modify`` that names a parcel needs it).

    ``progress``, if given, is called with a :class:`~planner.solver.progress.SolveProgress`
    (stage, elapsed seconds, best plan so far and bound in Yuan/yr, relative gap) each time
    HiGHS finds a better plan or logs a line of its search; it runs in the solver's
    thread, should return quickly, and is dropped (with a ``RuntimeWarning``) if it raises.

    Options override the instance's ``solver`` section. The plan carries status,
    termination, objective (Yuan/yr: the weighted objective, or in lexicographic mode the
    last goal reached), MIP gap and solve time; when it has a
    solution and ``verify`` is true the independent verifier has checked every rule
    (``plan.verification``).
    """
    if isinstance(instance, (str,)) or hasattr(instance, "__fspath__"):
        instance = load_instance(instance)
    opts = solver_options(instance, time_limit, mip_gap, threads, solver)
    check_solver(opts["solver"], "--solver" if solver else str(instance.path))
    clear_interrupt()
    t0 = time.perf_counter()
    keep = frozenset(keep_parcels)
    d = _take_prepared(instance) if aggregate and not keep else None
    if d is None:
        d = ModelData(instance, aggregate=aggregate, keep=keep)
    m = build_model(d)
    if modify is not None:
        modify(d, m)
    warnings = [str(w) for w in getattr(instance, "warnings", [])] + scaling.check(m)
    build_s = time.perf_counter() - t0
    res = solve_model(d, m, opts, progress)
    plan = Plan.from_model(instance, d, m, res, build_time_s=build_s, options=opts, warnings=warnings)
    if verify and plan.has_solution:
        plan = plan.with_verification(verify_plan(plan, instance))
    return plan


__all__ = ["SolveProgress", "load_instance", "solve"]
