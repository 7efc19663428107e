"""Many independent solves in worker processes: the re-solves of an explanation
(:mod:`planner.explain.whatif`) and the scenarios of a sweep (:mod:`planner.sweep.runner`).

Workers are started with ``spawn`` (HiGHS and fork do not mix) without re-running the
caller's main module (a plain script, a notebook or another program's process runs once),
each task's result comes back as soon as it finishes, a worker that dies costs only its
own task, and Ctrl-C stops at once, cancelling what has not started."""

from __future__ import annotations

import multiprocessing.context as mp_context
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

_local = threading.local()
_patched = False


def _install_prep_filter() -> None:
    """Wrap ``multiprocessing.spawn.get_preparation_data`` once: for the planner's own
    workers (and only while one of them is being started, in the starting thread) the
    instructions to re-run the caller's main module are left out."""
    global _patched
    if _patched:
        return
    import multiprocessing.spawn as spawn

    real = spawn.get_preparation_data

    def prep(name: str) -> dict[str, Any]:
        data = real(name)
        if getattr(_local, "no_main", False):
            data.pop("init_main_from_path", None)
            data.pop("init_main_from_name", None)
        return data

    spawn.get_preparation_data = prep
    _patched = True


class _Process(mp_context.SpawnProcess):
    """A spawned worker that does not re-run the caller's script: the planner's tasks are
    functions of the planner package, so nothing of ``__main__`` is needed in the worker, and
    a script without an ``if __name__ == "__main__":`` guard (or a notebook, or another
    program's process) runs once."""

    @staticmethod
    def _Popen(process_obj: Any) -> Any:
        _install_prep_filter()
        _local.no_main = True
        try:
            return mp_context.SpawnProcess._Popen(process_obj)
        finally:
            _local.no_main = False


class _Context(mp_context.SpawnContext):
    Process = _Process


def can_spawn() -> bool:
    """Not inside a worker (no pools inside pools)."""
    import multiprocessing as mp

    return mp.parent_process() is None


def run_each(
    fn: Callable[[Any], Any],
    tasks: Sequence[Any],
    workers: int,
    on_done: Callable[[int, Any], None],
    on_failure: Callable[[Any, BaseException], Any],
) -> None:
    """Call ``fn(task)`` for every task, in ``workers`` spawned processes (here, in order,
    when ``workers <= 1``, there is one task, or spawning is not possible), and
    ``on_done(index, result)`` as each finishes. A task whose worker failed (it died, or the
    pool could not start) gets ``on_failure(task, error)`` as its result."""
    if workers <= 1 or len(tasks) <= 1 or not can_spawn():
        for i, t in enumerate(tasks):
            on_done(i, fn(t))
        return
    try:
        pool = ProcessPoolExecutor(
            max_workers=workers, mp_context=_Context(), initializer=_die_with_parent, initargs=(os.getpid(),)
        )
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
        # Ctrl-C or a kill: stop now, workers too (a task can run for minutes); what finished has been handed over
        _stop_workers(pool)
        raise
    pool.shutdown(wait=True)


def process_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` spawned processes that do not re-run the caller's script and
    end with the caller (for work that sends many rounds of tasks, e.g. a county's
    decomposition: the workers keep what they built between rounds)."""
    return ProcessPoolExecutor(
        max_workers=workers, mp_context=_Context(), initializer=_die_with_parent, initargs=(os.getpid(),)
    )


def _die_with_parent(parent: int) -> None:
    """In each worker: end when the planner's process ends, even by ``kill -9`` (Linux's
    parent-death signal), so no worker is left solving for nobody."""
    import signal

    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: workers end when they next talk to the pool
        return
    if os.getppid() != parent:  # the parent died before the signal was set up
        os._exit(1)


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """Cancel what has not started and end the running workers now."""
    procs = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for p in procs:
        if p.is_alive():
            p.terminate()
    for p in procs:
        p.join(5)
        if p.is_alive():
            p.kill()
