"""Errors a planner can act on.

Every problem with user input is raised as :class:`InputError`, which carries one or
more :class:`Problem` records naming the file, the field (a dotted key path or a table
row and column), the offending value and what to change. The CLI prints them and exits
with code 2, without a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input."""

    file: str
    field: str
    message: str
    fix: str = ""
    value: Any = None

    def __str__(self) -> str:
        val = "" if self.value is None else f" (got {self.value!r})"
        fix = f" -> {self.fix}" if self.fix else ""
        return f"{self.file}: {self.field}: {self.message}{val}{fix}"


@dataclass
class InputError(Exception):
    """Bad input; carries every problem found in one pass."""

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in the input:"
        return "\n".join([head] + [f"  - {p}" for p in self.problems])

    @classmethod
    def one(cls, file: str, field: str, message: str, fix: str = "", value: Any = None) -> "InputError":
        return cls([Problem(str(file), field, message, fix, value)])


class SolveError(Exception):
    """A plan could not be solved or explained (a plan without a solution, an old plan
    file). The CLI prints the message and exits with 1."""

    def __init__(self, message: str, *, fix: str = ""):
        self.message = message
        self.fix = fix
        super().__init__(message + (f" -> {fix}" if fix else ""))


class SolverFailure(SolveError):
    """The MIP solver itself refused or failed without a plan: a rejected option, out of
    memory, over its licence's size limit, a crash. ``message`` carries the solver's own
    words where it gave any, ``solver`` its name and ``fix`` what to try. The CLI prints
    them and exits with 4; nothing is written."""

    def __init__(self, message: str, *, solver: str, fix: str = ""):
        self.solver = solver
        super().__init__(message, fix=fix)
