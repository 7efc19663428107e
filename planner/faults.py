"""Named points where a test can stop the planner, so that a kill or an interrupt lands at
a known place whatever the speed of the machine.

With the environment variable ``PLANNER_STOP_AT`` set to a point's name, the process stops
itself (``SIGSTOP``) when it reaches that point. The test that started it waits for the
stop (``os.waitpid(pid, os.WUNTRACED)``: a state, not a number of seconds), then kills it
or lets it go on (``SIGCONT``). Without the variable, or where there is no ``SIGSTOP``,
nothing happens.

Points:

- ``solver-run``: HiGHS is about to run (the model has been built and handed over).
"""

from __future__ import annotations

import os
import signal


def reached(point: str) -> None:
    """Stop here if ``PLANNER_STOP_AT`` names this point."""
    if os.environ.get("PLANNER_STOP_AT") == point and hasattr(signal, "SIGSTOP"):
        os.kill(os.getpid(), signal.SIGSTOP)
