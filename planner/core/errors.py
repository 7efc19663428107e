"""Errors a planner can act on.

Every problem with user input is raised as :class:`InputError`, which carries one or
more :class:`Problem` records naming the file, the field (a dotted key path or a table
row and column), the offending value and what to change. The CLI prints them and exits
with code 2, without a traceback.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

#: At most this many problems of one kind (the same complaint about the same file, at
#: the same kind of place: a column of a table, a field of every period) are listed;
#: the rest are counted in one line ("and K more problems of this kind"), and at most
#: MAX_LISTED are listed in all. A broken table of a million rows is then reported in a
#: screenful, not in millions of lines, and the loader stops building messages once a
#: kind is full (:func:`first_problems`). 20 of a kind show the pattern of a mistake;
#: 50 lines fit on a screen or two.
MAX_PER_KIND = 20
MAX_LISTED = 50
#: The field of the line counting the problems of kinds beyond the first MAX_PER_KIND
#: counted ones (its ``value``: how many kinds).
OTHERS = "(other problems)"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input."""

    file: str
    field: str
    message: str
    fix: str = ""
    value: Any = None
    #: Non-zero for a line that stands for ``more`` problems of this one's kind (file,
    #: message, fix, place) that were counted but not listed (see :data:`MAX_PER_KIND`).
    more: int = 0

    def __str__(self) -> str:
        fix = f" -> {self.fix}" if self.fix else ""
        if self.more and self.field == OTHERS:
            return f"{self.file}: and {self.more:,} more problem{'s' if self.more != 1 else ''} of {self.message}{fix}"
        if self.more:
            return (
                f"{self.file}: {_place(self.field)}: and {self.more:,} more problem{'s' if self.more != 1 else ''} "
                f"of this kind ({self.message}){fix}"
            )
        value = self.value.item() if hasattr(self.value, "item") else self.value  # a numpy scalar as Python's
        val = "" if value is None else f" (got {value!r})"
        return f"{self.file}: {self.field}: {self.message}{val}{fix}"


_NUMBERS_AND_QUOTES = re.compile(r"\d+|'[^']*'|\"[^\"]*\"")


def _place(field: str) -> str:
    """The kind of place a field names: a table's column (``row 7 (parcel 'x'), column
    area`` -> ``column area``), else the field with numbers and quoted names as ``#``."""
    return field[field.rindex("column ") :] if "column " in field else _NUMBERS_AND_QUOTES.sub("#", field)


def _kind(p: Problem) -> tuple[str, str, str, str]:
    return p.file, _NUMBERS_AND_QUOTES.sub("#", p.message), p.fix, _place(p.field)


def first_problems(indices: Iterable[int], total: int, make: Callable[[int], Problem]) -> list[Problem]:
    """Problems of one kind found at ``total`` places: built by ``make(i)`` for the first
    :data:`MAX_PER_KIND` of ``indices``, and the rest counted in the last one's copy with
    ``more`` set, so a check over a million rows builds at most ``MAX_PER_KIND + 1``."""
    out: list[Problem] = []
    for i in indices:
        if len(out) == MAX_PER_KIND:
            break
        out.append(make(i))
    if total > len(out) and out:
        out.append(dataclasses.replace(out[-1], value=None, more=total - len(out)))
    return out


def cap_problems(problems: list[Problem]) -> list[Problem]:
    """At most :data:`MAX_PER_KIND` problems of each kind and :data:`MAX_LISTED` in all, in
    their order; then one line per kind counting the rest of it, for at most
    ``MAX_PER_KIND`` kinds, and one line counting the problems of all other kinds
    (idempotent: capping a capped list changes nothing)."""
    out: list[Problem] = []
    listed: dict[tuple, int] = {}
    hidden: dict[tuple, list] = {}
    others: set[tuple] = set()
    other_n = other_kinds = 0
    other_files: set[str] = set()
    for p in problems:
        if p.more and p.field == OTHERS:
            other_n, other_kinds = other_n + p.more, other_kinds + int(p.value or 0)
            other_files.add(p.file)
            continue
        k = _kind(p)
        if not p.more and listed.get(k, 0) < MAX_PER_KIND and len(out) < MAX_LISTED:
            out.append(p)
            listed[k] = listed.get(k, 0) + 1
        elif k in hidden or len(hidden) < MAX_PER_KIND:
            entry = hidden.setdefault(k, [p, 0])
            entry[1] += p.more or 1
        else:
            if k not in others:
                others.add(k)
                other_kinds += 1
            other_n += p.more or 1
            other_files.add(p.file)
    out += [dataclasses.replace(example, value=None, more=n) for example, n in hidden.values()]
    if other_n:
        file = other_files.pop() if len(other_files) == 1 else "(several files)"
        out.append(
            Problem(
                file,
                OTHERS,
                f"{other_kinds:,} other kind{'s' if other_kinds != 1 else ''}",
                "correct the problems listed, then check again",
                other_kinds,
                more=other_n,
            )
        )
    return out


@dataclass
class InputError(Exception):
    """Bad input; carries every problem found in one pass: at most :data:`MAX_PER_KIND`
    of each kind and :data:`MAX_LISTED` in all in detail, the rest counted by kind
    (:attr:`Problem.more`); :attr:`count` is the number found."""

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.problems = cap_problems(list(self.problems))
        super().__init__(str(self))

    @property
    def count(self) -> int:
        """How many problems were found, those only counted included."""
        return sum(p.more or 1 for p in self.problems)

    def capped_note(self) -> str:
        """`` (41 listed, the rest counted by kind)`` when some problems are only counted, else ``""``."""
        if not any(p.more for p in self.problems):
            return ""
        return f" ({sum(1 for p in self.problems if not p.more)} listed, the rest counted by kind)"

    def headline(self) -> str:
        n = self.count
        return f"{n:,} problem{'s' if n != 1 else ''} in the input{self.capped_note()}:"

    def __str__(self) -> str:
        return "\n".join([self.headline()] + [f"  - {p}" for p in self.problems])

    @classmethod
    def one(cls, file: str, field: str, message: str, fix: str = "", value: Any = None) -> InputError:
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
