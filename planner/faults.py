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
- ``sweep-result``: a sweep has written one more scenario to ``results.jsonl``.
"""

from __future__ import annotations

import os
import signal

_count: dict[str, int] = {}


def reached(point: str) -> None:
    """Stop here if ``PLANNER_STOP_AT`` names this point (and this is its N-th time)."""
    want = os.environ.get("PLANNER_STOP_AT")
    if not want or not hasattr(signal, "SIGSTOP"):
        return
    name, _, nth = want.partition("#")
    if name != point:
        return
    _count[point] = _count.get(point, 0) + 1
    if _count[point] == (int(nth) if nth.isdigit() else 1):
        os.kill(os.getpid(), signal.SIGSTOP)
