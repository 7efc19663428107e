"""What a solve reports while it runs: the best plan found so far, the bound and the gap.

``planner.solve(li, progress=fn)`` calls ``fn(SolveProgress(...))`` from the solver's
thread each time HiGHS finds a better plan or writes a line of its MIP log (typically
every few seconds on a large instance, a few times on a small one). The command line
shows the updates on its status line (elapsed time, best plan, gap); a program that
embeds the planner can log them or update a progress bar of its own.

A progress function should be quick and must not raise: it runs inside the solver. If it
raises, the planner stops calling it for the rest of the solve, warns once
(``RuntimeWarning``) and the solve goes on. Only HiGHS reports progress; other MIP
solvers (``--solver cbc`` ...) solve without updates.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass

from planner.core.units import MONEY


@dataclass(frozen=True)
class SolveProgress:
    """One update of a running solve.

    ``goal``: the stage being solved (``weighted``; ``gep`` or ``dividends`` in
    lexicographic mode; ``least_cost`` or ``least_wages`` for the tie-break, whose
    objective is spending in Yuan, minimised); ``elapsed_s``: seconds since the solve
    started (building the model excluded); ``objective_yuan``: the best plan found so
    far in this stage (Yuan/yr; None before the first); ``bound_yuan``: the best the
    stage can still reach (None when not yet known); ``gap``: their relative distance
    (None while either is unknown); ``event``: ``improved`` (a better plan) or ``log`` (a
    line of HiGHS's MIP log)."""

    goal: str
    elapsed_s: float
    objective_yuan: float | None
    bound_yuan: float | None
    gap: float | None
    event: str


#: A function that receives the updates of a solve.
ProgressFn = Callable[[SolveProgress], None]


def _finite(v: float) -> float | None:
    return float(v) if v is not None and math.isfinite(v) else None


def guarded(fn: ProgressFn) -> ProgressFn:
    """``fn`` for one solve: once it raises, it is not called again (one ``RuntimeWarning``
    says so) and the solve goes on."""
    live = [True]

    def call(update: SolveProgress) -> None:
        if not live[0]:
            return
        try:
            fn(update)
        except Exception as e:  # noqa: BLE001 - a failing display must not lose the solve
            live[0] = False
            warnings.warn(
                f"the progress function raised {type(e).__name__}: {e}; it is not called again in this solve",
                RuntimeWarning,
                stacklevel=2,
            )

    return call


class Reporter:
    """Turns HiGHS's callback figures for one stage (model units: million Yuan) into
    :class:`SolveProgress` for ``fn`` (a :func:`guarded` function)."""

    def __init__(self, fn: ProgressFn, goal: str, clock: Callable[[], float]) -> None:
        self.fn = fn
        self.goal = goal
        self.clock = clock

    def __call__(self, event: str, primal: float, dual: float, gap: float) -> None:
        obj, bound = _finite(primal), _finite(dual)
        g = _finite(gap) if obj is not None and bound is not None else None
        self.fn(
            SolveProgress(
                goal=self.goal,
                elapsed_s=self.clock(),
                objective_yuan=None if obj is None else obj * MONEY,
                bound_yuan=None if bound is None else bound * MONEY,
                gap=g,
                event=event,
            )
        )


__all__ = ["ProgressFn", "Reporter", "SolveProgress", "guarded"]
