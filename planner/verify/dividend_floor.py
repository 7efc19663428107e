"""Dividend floor (family ``dividend_floor``): with ``dividend_floor_yuan`` set, every
village (not the central town) receives at least that much a year in each period, counting
the income of the villagers and the village collective that count as dividends (both,
if neither is a dividend recipient); the income is :mod:`planner.verify.money`'s."""

from __future__ import annotations

from planner.verify.context import REL_TOL, Context, Report


def check(c: Context, rep: Report) -> None:
    floor = c.inst.policies.dividend_floor_yuan
    if floor is None:
        return
    recips = set(c.inst.objective.dividend_recipients)
    vr = [r for r in ("villagers", "village_collective") if r in recips] or ["villagers", "village_collective"]
    for t in c.periods:
        income = c.money[t]["income"]
        rep.check("dividend_floor")
        for v in c.inst.villages:
            if v.is_town:
                continue
            got = sum(income.get((v.id, r), 0.0) for r in vr)
            if got < floor - max(1.0, REL_TOL * floor):
                rep.bad("dividend_floor", f"{v.id}, {t}", "village dividend below the floor", got, floor)
