"""County rules (family ``county``): the townships' allocations from the county budget pool.

A township's plan within a county plan states its allocation from the pool per period
(``plan.county["allocation_yuan"]``). :func:`allocation` reads it for the township's own
budget check (:mod:`planner.verify.budget` adds it to the budget) and reports a malformed
one; :func:`check_pool` checks, across the townships, that every allocation is one of a
pool the county has and that a period's allocations sum to at most its pool. The
township's spending is recomputed from its tables by :mod:`planner.verify.money`, so an
allocation too small for what a township spends shows as a budget violation.
"""

from __future__ import annotations

import math
from typing import Any

from planner.verify.context import REL_TOL, Context, Report

FAMILY = "county"


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def allocation(plan: Any, c: Context, rep: Report) -> dict[str, float]:
    """The allocation per period a township's plan states (Yuan), or {} for a plan solved
    alone; a value that is not a number >= 0, or a period the instance lacks, is a violation
    and counts as 0."""
    info = getattr(plan, "county", None)
    if not info:
        return {}
    rep.check("county")
    given = info.get("allocation_yuan") if isinstance(info, dict) else None
    if not isinstance(given, dict):
        rep.bad("county", "plan", "the county section has no allocation_yuan mapping")
        return {}
    out: dict[str, float] = {}
    for t, v in given.items():
        if str(t) not in c.period:
            rep.bad("county", str(t), "an allocation for a period the township does not have")
        elif not _number(v) or v < 0:
            rep.bad("county", str(t), "an allocation must be a number of Yuan >= 0", v if _number(v) else None, 0)
        else:
            out[str(t)] = float(v)
    return out


def check_pool(allocations: dict[str, dict[str, float]], pool: dict[str, float] | None, rep: Report) -> None:
    """Across the townships (``allocations``: township -> period -> Yuan): without a pool no
    township may take an allocation; with one, each period's allocations sum to at most
    the pool."""
    rep.check("county")
    if pool is None:
        for tid, alloc in allocations.items():
            if any(v > 0 for v in alloc.values()):
                rep.bad("county", tid, "an allocation from a county budget pool the county does not have", None, 0)
        return
    for t, limit in pool.items():
        used = sum(alloc.get(t, 0.0) for alloc in allocations.values())
        if used > limit + max(1.0, REL_TOL * limit):
            rep.bad("county", t, "the townships' allocations exceed the county budget pool", used, limit)
    for tid, alloc in allocations.items():
        for t in alloc:
            if t not in pool:
                rep.bad("county", f"{tid} {t}", "an allocation for a period the county pool does not have", None, None)
