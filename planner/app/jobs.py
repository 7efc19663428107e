"""Solves in child processes, so that the web server never waits for one.

:func:`start` loads the instance with the scenario in a fresh process (a fork of a
server that has the planner imported: ``forkserver``), solves it, and for a plan without
a solution diagnoses it, a plan it explains (binding rules and prices, without the
re-solves of importance or ranging). The child sends what happens through a pipe: ``("stage",
words)``, ``("progress", goal, elapsed_s, best_yuan, gap)`` (``planner.solve``'s progress
updates), and one last ``("plan", plan, diagnosis, explanation, seconds)`` or ``("error", message)``.
:meth:`Job.poll` reads them without blocking.

:meth:`Job.cancel` sends the child SIGINT, which the solver turns into "stop and hand
back the best plan found" (:func:`planner.solver.highs.run`): the job then ends with a
``feasible`` plan (termination ``interrupted``) if one was found, else with no plan.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from planner.api import SolveProgress, load_instance, solve
from planner.core.errors import InputError, SolveError
from planner.explain import explain
from planner.explain.diagnose import diagnose

#: The child's modules are imported once, in the fork server.
_PRELOAD = ["planner.api", "planner.explain"]


def _context() -> Any:
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(_PRELOAD)
    return ctx


def _child(conn: Connection, instance: str, scenario: str | None, root: str | None, time_limit: float | None) -> None:
    t0 = time.perf_counter()
    # Ctrl-C is how a cancel reaches the solver (a server started in the background may ignore it)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        conn.send(("stage", "loading"))
        li = load_instance(instance, scenario=scenario, root=root)
        conn.send(("stage", "solving"))

        def progress(u: SolveProgress) -> None:  # from the solver's thread; the main thread waits in solve
            conn.send(("progress", u.goal, u.elapsed_s, u.objective_yuan, u.gap))

        plan = solve(li, time_limit=time_limit, progress=progress)
        dg = ex = None
        if not plan.has_solution and plan.status == "infeasible":
            conn.send(("stage", "diagnosing"))
            dg = diagnose(li, time_limit=time_limit, iis=False)
        elif plan.has_solution:
            conn.send(("stage", "explaining"))  # binding rules and prices only: no re-solves, no ranging
            try:
                ex = explain(li, plan, importance=(), parameters=[], time_limit=time_limit)
            except Exception as exc:  # noqa: BLE001 - the plan stands without its explanation, which says why
                conn.send(("note", f"the plan could not be explained: {type(exc).__name__}: {exc}"))
        conn.send(("plan", plan, dg, ex, time.perf_counter() - t0))
    except InputError as exc:
        conn.send(("error", str(exc)))
    except SolveError as exc:
        conn.send(("error", f"{exc}"))
    except KeyboardInterrupt:
        conn.send(("error", "cancelled before the solver had a plan"))
    except Exception as exc:  # noqa: BLE001 - a planner error is shown on the page, not lost with the process
        conn.send(("error", f"internal error, please report it: {type(exc).__name__}: {exc}"))
    finally:
        conn.close()


@dataclass
class Job:
    """One solve of one scenario, running in a child process."""

    scenario: str
    process: Any
    conn: Connection
    started: float = field(default_factory=time.monotonic)
    stage: str = "starting"
    state: str = "running"  # running | done | failed
    cancelled: bool = False
    plan: Any = None
    diagnosis: Any = None
    explanation: Any = None  # of a plan: binding rules and their prices (planner.explain.explain, no re-solves)
    error: str = ""
    elapsed: float = 0.0
    goal: str = ""  # the stage the solver reports on (weighted, gep, dividends, least_wages ...)
    best: float | None = None  # Yuan/yr: the best plan found so far in that stage
    gap: float | None = None  # its relative distance from the bound
    notes: list[str] = field(default_factory=list)  # what went wrong after the plan was found

    def poll(self) -> bool:
        """Read what the child sent; True if anything changed."""
        if self.state != "running":
            return False
        changed = False
        self.elapsed = time.monotonic() - self.started
        try:
            while self.conn.poll():
                msg = self.conn.recv()
                changed = True
                if msg[0] == "stage":
                    self.stage = msg[1]
                elif msg[0] == "note":
                    self.notes.append(msg[1])
                elif msg[0] == "progress":
                    self.goal, _, self.best, self.gap = msg[1:]
                elif msg[0] == "plan":
                    self.plan, self.diagnosis, self.explanation, self.state = msg[1], msg[2], msg[3], "done"
                elif msg[0] == "error":
                    self.error, self.state = msg[1], "failed"
        except (EOFError, OSError):
            if self.state == "running":
                self.error, self.state, changed = "the solver process ended without an answer", "failed", True
        if self.state != "running":
            self.process.join(5)
        elif not self.process.is_alive() and not self.conn.poll():
            self.error, self.state, changed = "the solver process ended without an answer", "failed", True
        return changed

    def cancel(self) -> None:
        """Ask the solver to stop and keep the best plan it has found."""
        if self.state == "running" and self.process.pid:
            self.cancelled = True
            os.kill(self.process.pid, signal.SIGINT)

    def wait(self, timeout: float) -> bool:
        """Wait (up to ``timeout`` s) for the job to end; True if it has."""
        end = time.monotonic() + timeout
        while self.state == "running" and time.monotonic() < end:
            self.conn.poll(min(0.2, max(0.0, end - time.monotonic())))
            self.poll()
        return self.state != "running"


def start(
    scenario: str, instance: str | Path, overlay: str | Path | None, root: str | Path | None, time_limit: float | None
) -> Job:
    """Start solving ``instance`` with the overlay file ``overlay`` in a child process."""
    ctx = _context()
    parent, child = ctx.Pipe(duplex=False)
    p = ctx.Process(
        target=_child,
        args=(
            child,
            str(instance),
            None if overlay is None else str(overlay),
            None if root is None else str(root),
            time_limit,
        ),
        daemon=True,
    )
    p.start()
    child.close()
    return Job(scenario=scenario, process=p, conn=parent)


__all__ = ["Job", "start"]
