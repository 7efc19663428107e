"""The status words of a plan, defined once, and how each solver's ending maps to them.

A plan's ``status`` is one of six words (docs/plan-format.md, "How to read status,
termination and gap"). Everything said about a status lives here: how bad it is
compared with the others (the worst stage of a run gives the run its status), the
exit code of the command line, whether the run left a plan, and its label in English
and Chinese (Chinese from the team's glossary, spec/glossary-zh.md, where it has the
term). The solvers end in their own words: HiGHS's model status, Pyomo's termination
conditions. The functions below turn those into status words, so that every solver
interface (the array hand-off, the fast sweep re-solve, Pyomo's own interfaces) reads
the same ending as the same status.

This module names solver words only as strings: it imports no solver.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Status:
    """One status word and what the planner says and does about it."""

    word: str
    rank: int  # 0 is best; a run's status is its worst stage's
    exit_code: int  # of `planner solve` and the other commands that end on a plan's status
    has_plan: bool  # the run left a plan (tables filled)
    en: str
    zh: str


STATUSES: dict[str, Status] = {
    s.word: s
    for s in (
        Status("optimal", 0, 0, True, "optimal (proved optimal)", "最优（已证明）"),
        Status("feasible", 1, 3, True, "feasible, NOT proved optimal", "可行（未证明最优）"),
        Status("no_solution", 2, 1, False, "no plan found before the solver stopped", "求解停止前未找到方案"),
        Status("infeasible", 3, 1, False, "infeasible: no plan satisfies every rule", "无可行方案"),
        Status("unbounded", 4, 1, False, "unbounded: no plan", "无界"),
        Status("error", 5, 1, False, "the solver failed: no plan", "求解出错"),
    )
}

WORST = max(s.rank for s in STATUSES.values())
RANK = {w: s.rank for w, s in STATUSES.items()}
EXIT = {w: s.exit_code for w, s in STATUSES.items()}
WITH_PLAN = tuple(w for w, s in STATUSES.items() if s.has_plan)  # ("optimal", "feasible")


def rank(word: str) -> int:
    """How bad a status is (0 best); a word the registry does not know counts as the worst."""
    s = STATUSES.get(word)
    return WORST if s is None else s.rank


def label(word: str, lang: str = "en") -> str:
    """What a status means, in English (``en``) or Chinese (``zh``); an unknown word as it is."""
    s = STATUSES.get(word)
    return word if s is None else getattr(s, lang)


def has_plan(word: str) -> bool:
    s = STATUSES.get(word)
    return s is not None and s.has_plan


# --- HiGHS ------------------------------------------------------------------------------
# HiGHS's model status (HighsModelStatus member names) and the termination word the
# planner records for it: Pyomo's words (pyomo.contrib.solver TerminationCondition), so
# that a plan reads the same whichever interface solved it.
HIGHS_TERMINATION = {
    "kOptimal": "convergenceCriteriaSatisfied",
    "kInfeasible": "provenInfeasible",
    "kUnboundedOrInfeasible": "infeasibleOrUnbounded",
    "kUnbounded": "unbounded",
    "kTimeLimit": "maxTimeLimit",
    "kIterationLimit": "iterationLimit",
    "kSolutionLimit": "iterationLimit",
    "kInterrupt": "interrupted",
    "kHighsInterrupt": "interrupted",
    "kObjectiveBound": "objectiveLimit",
    "kObjectiveTarget": "objectiveLimit",
    "kMemoryLimit": "error",
}
# a limit (or Ctrl-C) stopped HiGHS: without a plan that is no_solution, not a failure
HIGHS_LIMITS = frozenset({"kTimeLimit", "kIterationLimit", "kSolutionLimit", "kInterrupt", "kHighsInterrupt"})


def highs_status(model_status: str, has_solution: bool) -> str:
    """The status word of a HiGHS run ending in ``model_status`` (a HighsModelStatus name),
    with or without a primal solution. ``error`` means HiGHS failed: no plan, and its own
    messages say why."""
    if model_status == "kOptimal" and has_solution:
        return "optimal"
    if model_status in ("kInfeasible", "kUnboundedOrInfeasible"):
        return "infeasible"  # a MIP HiGHS cannot tell from unbounded is, for a planner, one with no plan
    if model_status == "kUnbounded":
        return "unbounded"
    if has_solution:
        return "feasible"
    if model_status in HIGHS_LIMITS:
        return "no_solution"
    return "error"


# --- Pyomo ------------------------------------------------------------------------------
# pyomo.contrib.solver's TerminationCondition names meaning no plan satisfies the rules
PYOMO_INFEASIBLE = frozenset({"provenInfeasible", "infeasibleOrUnbounded", "locallyInfeasible"})


def pyomo_status(termination: str, solution_status: str) -> str | None:
    """The status word of a result of Pyomo's HiGHS interface (pyomo.contrib.solver), from
    the names of its TerminationCondition and SolutionStatus; None for an ending the
    planner has no word for there (a limit, an error: the termination name says it)."""
    if termination == "convergenceCriteriaSatisfied" and solution_status == "optimal":
        return "optimal"
    if termination in PYOMO_INFEASIBLE:
        return "infeasible"
    return None


# Pyomo's legacy solver interface (pyomo.opt.TerminationCondition names; cbc, glpk, gurobi ...)
LEGACY_TERMINATION = {
    "optimal": "optimal",
    "infeasible": "infeasible",
    "infeasibleOrUnbounded": "infeasible",
    "unbounded": "unbounded",
}


def legacy_status(termination: str, has_solution: bool, stopped: bool) -> str:
    """The status word of a legacy Pyomo solver run: ``stopped`` when the solver was
    aborted or hit its time limit (without a plan that is no_solution, not a failure)."""
    word = LEGACY_TERMINATION.get(termination)
    if word is not None:
        return word
    if has_solution:
        return "feasible"
    return "no_solution" if stopped else "error"


__all__ = [
    "EXIT",
    "HIGHS_LIMITS",
    "HIGHS_TERMINATION",
    "LEGACY_TERMINATION",
    "PYOMO_INFEASIBLE",
    "RANK",
    "STATUSES",
    "Status",
    "WITH_PLAN",
    "WORST",
    "has_plan",
    "highs_status",
    "legacy_status",
    "pyomo_status",
    "rank",
]
