"""Named points where a test can stop the planner, so that a kill or an interrupt lands at
a known place whatever the speed of the machine.

With the environment variable ``PLANNER_STOP_AT`` set to a point's name (``NAME``, or
``NAME#N`` for the N-th time the point is reached), the process stops itself
(``SIGSTOP``) there. The test that started it waits for the stop
(``os.waitpid(pid, os.WUNTRACED)``: a state, not a number of seconds), then kills it or
lets it go on (``SIGCONT``). Without the variable, or where there is no ``SIGSTOP``,
nothing happens.

Points:

- ``solver-run``: HiGHS is about to run (the model has been built and handed over);
- ``first-plan``: the planner found a first plan (planner.solver.start) and is about to
  hand it to HiGHS;
- ``solver-check``: HiGHS checks for an interrupt for the first time in a run;
- ``solver-solution``: HiGHS found an improving plan;
- ``file-write``: a file is about to be written (every file write of a result);
- ``folder-swap``: a staged result folder is about to replace ``--out``;
- ``explain``: an explanation starts;
- ``sweep-result``: a sweep has written one more scenario to ``results.jsonl``.

At ``solver-check`` and ``solver-solution`` (inside HiGHS's callbacks), a test that
resumes the process with a ``SIGINT`` gets a deterministic interrupt: HiGHS waits there
until the main thread has seen the Ctrl-C.
"""

from __future__ import annotations

import os
import signal

_count: dict[str, int] = {}


def armed(point: str) -> bool:
    """``PLANNER_STOP_AT`` names this point (so a caller may set up what reaching it needs)."""
    want = os.environ.get("PLANNER_STOP_AT")
    return bool(want) and want.partition("#")[0] == point and hasattr(signal, "SIGSTOP")


def reached(point: str) -> bool:
    """Stop here if ``PLANNER_STOP_AT`` names this point (and this is its N-th time); True
    when the process stopped here (and has been resumed)."""
    if not armed(point):
        return False
    nth = os.environ["PLANNER_STOP_AT"].partition("#")[2]
    _count[point] = _count.get(point, 0) + 1
    if _count[point] != (int(nth) if nth.isdigit() else 1):
        return False
    os.kill(os.getpid(), signal.SIGSTOP)
    return True
