"""Many independent solves in worker processes: the re-solves of an explanation
(:mod:`planner.explain.whatif`) and the scenarios of a sweep (:mod:`planner.sweep.runner`).

Workers are started with ``spawn`` (HiGHS and fork do not mix), each task's result comes
back as soon as it finishes, a worker that dies costs only its own task, and Ctrl-C stops
at once, cancelling what has not started."""

from __future__ import annotations

import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any, Callable, Sequence


def can_spawn() -> bool:
    """Worker processes are started with 'spawn', which re-imports the main module: not
    possible when the main program came from standard input or an interactive prompt,
    nor wanted inside a worker (no pools inside pools)."""
    import multiprocessing as mp
    if mp.parent_process() is not None:
        return False
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    return bool(path) and not str(path).startswith("<")


def run_each(fn: Callable[[Any], Any], tasks: Sequence[Any], workers: int,
             on_done: Callable[[int, Any], None], on_failure: Callable[[Any, BaseException], Any]) -> None:
    """Call ``fn(task)`` for every task, in ``workers`` spawned processes (here, in order,
    when ``workers <= 1``, there is one task, or spawning is not possible), and
    ``on_done(index, result)`` as each finishes. A task whose worker failed (it died, or the
    pool could not start) gets ``on_failure(task, error)`` as its result."""
    if workers <= 1 or len(tasks) <= 1 or not can_spawn():
        for i, t in enumerate(tasks):
            on_done(i, fn(t))
        return
    import multiprocessing as mp
    try:
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn"))
    except OSError as e:
        for i, t in enumerate(tasks):
            on_done(i, on_failure(t, e))
        return
    try:
        futs = {pool.submit(fn, t): i for i, t in enumerate(tasks)}
        for fut in as_completed(futs):
            i = futs[fut]
            try:
                result = fut.result()
            except Exception as e:  # noqa: BLE001 - BrokenProcessPool and the like: this task's failure
                result = on_failure(tasks[i], e)
            on_done(i, result)
    except BaseException:
        # Ctrl-C or a kill: stop now; what finished has been handed over
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
