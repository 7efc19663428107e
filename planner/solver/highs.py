"""Every HiGHS run of the planner goes through here.

HiGHS keeps **one thread scheduler per process** (HiGHS 1.16 and later enforce it):
once any ``Highs`` has run, a ``Highs`` whose ``threads`` option differs fails at
``run()`` with "Option 'threads' is set to 1 but the scheduler has already been
initialized to use 2 threads" (solver-notes, "HiGHS 1.16"). The scheduler can be
rebuilt with ``Highs.resetGlobalScheduler``, but never while another solve in the
process is running. So:

- :func:`scheduler` is held around every run. Runs asking for the same ``threads``
  share the scheduler and may run at once (in several Python threads); a run asking
  for another ``threads`` waits until the others have finished, then rebuilds the
  scheduler for its own size. ``planner.solve(inst)``, then ``solve(inst, threads=1)``,
  then ``solve(inst, threads=2)`` in one process therefore all work.
- :func:`run` runs a ``highspy.Highs`` under the scheduler and keeps HiGHS's own
  warning and error messages; when a run fails, :class:`HighsRunError` carries them
  (if a program around the planner changed the scheduler behind its back, the run is
  retried once on a rebuilt scheduler first).
- :func:`new` makes a silent ``highspy.Highs`` with options set. HiGHS prints its
  banner once per process, at the first ``Highs()`` and before any option can silence
  it; :func:`quiet_banner` spends that banner on ``/dev/null`` so that it does not land
  in the middle of the planner's own output.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from planner.core import faults
from planner.core.errors import SolverFailure

_cv = threading.Condition()
_running = 0  # HiGHS runs in progress in this process (all with threads == _size)
_size: int | None = None  # the `threads` the process-wide scheduler was last built for (None: not by us)
_banner_done = False


class HighsRunError(SolverFailure):
    """HiGHS refused or failed a run; ``messages`` are HiGHS's own words."""

    def __init__(self, status: str, messages: list[str]):
        self.status = status
        self.messages = messages
        text = "; ".join(messages) if messages else f"HiGHS returned {status} without a message"
        super().__init__(f"HiGHS refused to run: {text}", solver="highs", fix=fix_for(messages))


def fix_for(messages: list[str]) -> str:
    """What to try after HiGHS failed with these messages."""
    text = " ".join(messages).lower()
    if "memory" in text:
        return "the model is too large for this machine's memory: solve fewer parcels, or aggregate (the default)"
    if "|value|" in text or "tolerance" in text or "exceed" in text or "large" in text:
        return (
            "a number in the model is too large for the solver: look for an absurd money, price or area value "
            "in the instance (the planner's warnings name badly scaled rules)"
        )
    if "option" in text:
        return "check the solver options (--threads, --time-limit, --mip-gap)"
    return "report this with the instance; try another --threads, or --solver another MIP solver"


def threads_of(h: Any) -> int | None:
    """The ``threads`` option of a ``highspy.Highs``."""
    t = h.getOptionValue("threads")
    return t[1] if isinstance(t, tuple) else t


def _key(threads: int | None) -> int:
    return int(threads) if threads else 0  # None and 0: HiGHS's default size


def _reset() -> None:
    import highspy

    reset = getattr(highspy.Highs, "resetGlobalScheduler", None)
    if reset is not None:
        reset(True)


def quiet_banner() -> None:
    """Let HiGHS print its once-per-process banner to ``/dev/null``."""
    global _banner_done
    if _banner_done:
        return
    with _cv:
        if _banner_done:
            return
        import highspy

        try:
            sys.stdout.flush()
            saved = os.dup(1)
        except (OSError, ValueError, AttributeError):  # no usable standard output: nothing to protect
            saved = None
        if saved is None:
            highspy.Highs()
        else:
            null = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(null, 1)
                highspy.Highs()
            finally:
                os.dup2(saved, 1)
                os.close(saved)
                os.close(null)
        _banner_done = True


@contextmanager
def scheduler(threads: int | None, *, alone: bool = False) -> Iterator[None]:
    """Hold around a HiGHS run that uses ``threads`` (``None`` or 0: HiGHS's default).

    Runs with the same ``threads`` share the scheduler; a run needing another size waits
    until none is running and rebuilds it (also the first time: the scheduler may have been
    built outside the planner). ``alone``: wait until no other run is in progress and
    rebuild in any case (the retry after HiGHS refused the scheduler it found)."""
    global _running, _size
    quiet_banner()
    want = _key(threads)
    with _cv:
        while _running and (alone or _size != want):
            _cv.wait()
        if alone or _size != want:
            _reset()
            _size = want
        _running += 1
    try:
        yield
    finally:
        with _cv:
            _running -= 1
            _cv.notify_all()


class _Log:
    """HiGHS's warnings and errors of one ``Highs``, kept while its console output stays off."""

    def __init__(self, h: Any):
        import highspy

        self.kinds = {highspy.HighsLogType.kWarning: "warning", highspy.HighsLogType.kError: "error"}
        self.lines: list[tuple[str, str]] = []
        h.setOptionValue("output_flag", True)
        h.setOptionValue("log_to_console", False)
        h.cbLogging.subscribe(self._on)

    def _on(self, e: Any) -> None:
        kind = self.kinds.get(e.data_out.log_type)
        if kind is not None:
            text = " ".join(str(e.message).split())
            for head in ("ERROR:", "WARNING:"):
                text = text[len(head) :].strip() if text.startswith(head) else text
            self.lines.append((kind, text))

    def errors(self) -> list[str]:
        return [text for kind, text in self.lines if kind == "error"]


def new(options: dict[str, Any] | None = None) -> Any:
    """A ``highspy.Highs`` with console output off, HiGHS's warnings and errors kept for
    :func:`run`, and ``options`` set (an unknown option or a bad value is refused here,
    with HiGHS's message)."""
    import highspy

    quiet_banner()
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h._planner_log = _Log(h)
    for k, v in (options or {}).items():
        if k == "output_flag":
            continue
        status = h.setOptionValue(k, v)
        if status == highspy.HighsStatus.kError:
            raise HighsRunError("kError", h._planner_log.errors() or [f"HiGHS refused option {k} = {v!r}"])
    return h


def _scheduler_refused(h: Any) -> bool:
    log = getattr(h, "_planner_log", None)
    return log is not None and any("scheduler" in m for m in log.errors())


#: ``on_mip(event, primal, dual, gap)``: a MIP's progress as HiGHS reports it (model units)
MipProgress = Callable[[str, float, float, float], None]


@contextmanager
def _reporting(h: Any, on_mip: MipProgress | None) -> Iterator[None]:
    """While HiGHS runs, hand its improving plans (``improved``) and the lines of its MIP
    log (``log``) to ``on_mip``: best plan (primal bound), dual bound and gap, in the
    model's objective sense and units. The MIP log callback needs ``output_flag`` on,
    which :func:`new` keeps (console output off)."""
    if on_mip is None:
        yield
        return

    def hook(event: str) -> Callable[[Any], None]:
        def fn(e: Any) -> None:
            d = e.data_out
            on_mip(event, d.mip_primal_bound, d.mip_dual_bound, d.mip_gap)

        return fn

    hooks = [
        (cb, hook(event))
        for cb, event in (
            (getattr(h, "cbMipImprovingSolution", None), "improved"),
            (getattr(h, "cbMipLogging", None), "log"),
        )
        if cb is not None
    ]
    for cb, fn in hooks:
        cb.subscribe(fn)
    try:
        yield
    finally:
        for cb, fn in hooks:
            cb.unsubscribe(fn)


def run(h: Any, *, keep_interrupted: bool = False, on_mip: MipProgress | None = None) -> Any:
    """``h.run()`` under the process's scheduler; returns HiGHS's status. Raises
    :class:`HighsRunError` (with HiGHS's messages) when HiGHS returns an error and has
    no model status to show for it.

    A Ctrl-C during the run stops HiGHS; then ``keep_interrupted`` returns what HiGHS has
    (the solve of a plan keeps its best plan), otherwise ``KeyboardInterrupt`` is raised
    once HiGHS has stopped (an explanation or a sweep ends). ``on_mip`` receives the
    MIP's progress (:data:`MipProgress`) from HiGHS's thread while it runs."""
    import highspy

    threads = threads_of(h)
    before = _interrupted.is_set()
    with scheduler(threads), _reporting(h, on_mip):
        status = _run_watched(h)
    if _interrupted.is_set() and not before and not keep_interrupted:
        raise KeyboardInterrupt
    failed = status == highspy.HighsStatus.kError and h.getModelStatus() == highspy.HighsModelStatus.kNotset
    if failed and _scheduler_refused(h):
        # a program around the planner built the scheduler for another size since our last run
        h._planner_log.lines.clear()
        with scheduler(threads, alone=True), _reporting(h, on_mip):
            status = h.run()
        failed = status == highspy.HighsStatus.kError and h.getModelStatus() == highspy.HighsModelStatus.kNotset
    if failed:
        log = getattr(h, "_planner_log", None)
        raise HighsRunError("kError", log.errors() if log is not None else [])
    return status


_interrupted = threading.Event()


def interrupted() -> bool:
    """A Ctrl-C (or SIGTERM, which the CLI turns into one) stopped a HiGHS run of this
    process since :func:`clear_interrupt`: later stages should not start."""
    return _interrupted.is_set()


def clear_interrupt() -> None:
    _interrupted.clear()


def mark_interrupted() -> None:
    """A Ctrl-C reached the planner between HiGHS runs: later stages should not start."""
    _interrupted.set()


def _run_watched(h: Any) -> Any:
    """``h.run()``; in the main thread, HiGHS runs in a helper thread while the main thread
    waits, so that a Ctrl-C reaches Python at once: it asks HiGHS to stop at its next check
    (HiGHS's interrupt callbacks), and HiGHS returns the best plan it has (model status
    ``kInterrupt``) instead of the process dying with it."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(h, "cbMipInterrupt"):
        return h.run()
    stop = threading.Event()
    first = [faults.armed("solver-check")]

    def check(e: Any) -> None:
        if first[0]:
            first[0] = False
            if faults.reached("solver-check"):
                stop.wait(300)  # a test stopped the process here and interrupts it: wait until the main thread saw it
        if stop.is_set():
            e.interrupt()

    def found(e: Any) -> None:
        if faults.reached("solver-solution"):
            stop.wait(300)

    hooks = [(h.cbMipInterrupt, check), (h.cbSimplexInterrupt, check), (h.cbIpmInterrupt, check)]
    if faults.armed("solver-solution"):
        hooks.append((h.cbMipImprovingSolution, found))
    for hook, fn in hooks:
        hook.subscribe(fn)
    box: dict[str, Any] = {}
    done = threading.Event()

    def go() -> None:
        try:
            box["status"] = h.run()
        except BaseException as e:  # noqa: BLE001 - handed to the waiting thread
            box["error"] = e
        finally:
            done.set()

    threading.Thread(target=go, name="planner-highs", daemon=True).start()
    while not done.is_set():
        try:
            # wake up regularly: the OS may hand a Ctrl-C to another thread, and Python runs it here
            # (an Event, not Thread.join, which an interrupt can leave believing the thread has ended)
            done.wait(0.1)
        except KeyboardInterrupt:  # stop HiGHS, keep waiting for it to hand back its best plan
            stop.set()
            _interrupted.set()
    for hook, fn in hooks:
        hook.unsubscribe(fn)
    if "error" in box:
        raise box["error"]
    return box["status"]


def messages(h: Any) -> list[str]:
    """HiGHS's warnings and errors from ``h``'s runs so far (``kind: text``)."""
    log = getattr(h, "_planner_log", None)
    return [f"{kind}: {text}" for kind, text in log.lines] if log is not None else []


_pyomo_fd = threading.RLock()  # its solve may build the instance, under the same lock


def pyomo_solver() -> Any:
    """Pyomo's HiGHS interface (``pyomo.contrib.solver``), banner spent; run its ``solve``
    inside :func:`scheduler` with the ``threads`` it is given.

    Its ``set_instance`` and ``solve`` redirect the process's stdout and stderr file
    descriptors while they work (``capture_output(..., capture_fd=True)``). Two threads
    doing so at once (a Dask worker of threads, e.g. ``LocalCluster(processes=False)``)
    corrupt each other's descriptors and whatever captures the output (Pyomo logs
    "TeeStream: deadlock observed", pytest fails with "Illegal seek"), so the solver
    returned here lets one thread at a time into them."""
    from pyomo.contrib.solver.solvers.highs import Highs

    class OneAtATime(Highs):
        def set_instance(self, model: Any) -> Any:
            with _pyomo_fd:
                return super().set_instance(model)

        def solve(self, model: Any, **kwds: Any) -> Any:
            with _pyomo_fd:
                return super().solve(model, **kwds)

    quiet_banner()
    return OneAtATime()
