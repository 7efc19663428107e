"""County rows: townships in one model, linked by the county budget pool (formulation §9).

Each township is today's township model (:func:`planner.model.build.build_model`),
unchanged but for one thing when the county has a budget pool: its ``budget[t]`` rows
gain the township's allocation from the pool,

    spend[t] <= budget_yuan[t] + loan[t] + county_alloc[t],   0 <= county_alloc[t] <= pool[t],

(:func:`add_allocation`). The monolithic county model (:func:`build_county_model`) holds
one Pyomo block per township, named ``township_<k>``, and the linking rows

    county_pool[t]:  sum over townships k of county_alloc_k[t] <= pool[t],

and, for each required county target (``county.targets``), the rows

    county_target[target, t]:  min <= sum over townships k of F_k <= max,

where F_k is township k's figure as its own targets read it
(:func:`planner.model.rules.targets.figure`: million Yuan, ha, counts; a coverage as
the covered ha, its limits times the county's whole area), with the objective the sum
of the townships' objectives. The decomposition
(:mod:`planner.county`) solves the township blocks apart, with prices on
``county_alloc`` and on the townships' figures F_k instead of the linking rows.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyomo.environ as pyo

from planner.core.units import MONEY
from planner.instance.schema import Target
from planner.model.build import build_model
from planner.model.data import ModelData
from planner.model.rules import targets as target_rules

FAMILY = "county"
SENTENCE = "A county budget pool per period, shared by the townships beyond their own budgets."


def add_allocation(m: pyo.ConcreteModel, d: ModelData, pool_yuan: dict[str, float]) -> None:
    """Give township model ``m`` its allocation from the county pool: the variable
    ``county_alloc[t]`` (million Yuan, at most the pool) added to the right side of its
    ``budget[t]`` rows. A period without a budget row (nothing costs money) gets none."""
    m.county_alloc = pyo.Var(m.T, domain=pyo.NonNegativeReals, bounds=lambda _m, t: (0.0, pool_yuan[t] / MONEY))
    rows = getattr(m, "budget", None)
    for t in d.periods:
        if rows is None or t not in rows:
            m.county_alloc[t].fix(0.0)
            continue
        rows[t].set_value(m._expr["spend"][t] <= d.period[t].budget_yuan / MONEY + m.loan[t] + m.county_alloc[t])


def used_allocation(m: pyo.ConcreteModel, d: ModelData) -> dict[str, float]:
    """What township model ``m``'s solution takes from the pool per period (million Yuan):
    its spending beyond its own budget and loan, at least 0 (the allocation variable may
    be larger where the pool costs nothing)."""
    out = {}
    for t in d.periods:
        spend = pyo.value(m._expr["spend"][t])
        over = spend - d.period[t].budget_yuan / MONEY - (m.loan[t].value or 0.0)
        out[t] = max(0.0, over)
    return out


def block_name(k: int) -> str:
    return f"township_{k}"


def target_part(m: pyo.ConcreteModel, d: ModelData, tg: Target) -> float:
    """Township model ``m``'s part of a county target's figure in its solution, in the
    model's units (million Yuan, ha, counts; a coverage as the covered ha)."""
    return float(pyo.value(target_rules.figure(m, d, tg)))


def build_county_model(
    datas: Sequence[ModelData],
    periods: Sequence[str],
    pool_yuan: dict[str, float] | None,
    targets: Sequence[tuple[str, Target]] = (),
):
    """The monolithic county model: one block per township (``township_<k>``, in county
    order), the ``county_pool[t]`` rows when there is a pool, the ``county_target`` rows of
    the required county ``targets`` ((key, target) pairs), and the objective the sum of the
    townships' objectives (each township's own objective is deactivated)."""
    big = pyo.ConcreteModel(name="county")
    blocks = []
    for k, d in enumerate(datas):
        m = build_model(d)
        m.objective.deactivate()
        if pool_yuan is not None:
            add_allocation(m, d, pool_yuan)
        big.add_component(block_name(k), m)
        blocks.append(m)
    if pool_yuan is not None:
        big.T = pyo.Set(initialize=list(periods), ordered=True)
        big.county_pool = pyo.Constraint(
            big.T, rule=lambda _b, t: pyo.quicksum(m.county_alloc[t] for m in blocks) <= pool_yuan[t] / MONEY
        )
    if targets:
        area = sum(d.total_area for d in datas)
        # a term that is always 0, so a target no decision moves is still a row (met or never met)
        big.county_zero = pyo.Var(bounds=(0.0, 0.0), initialize=0.0)
        rows = {}
        for key, tg in targets:
            scale = target_rules.limit_scale(tg.kpi, area)
            body = big.county_zero + pyo.quicksum(target_rules.figure(m, d, tg) for m, d in zip(blocks, datas))
            lo = None if tg.min is None else tg.min * scale
            hi = None if tg.max is None else tg.max * scale
            rows[(key, tg.period)] = target_rules.between(lo, body, hi)
        big.county_target = pyo.Constraint(list(rows), rule=lambda _b, k, t: rows[(k, t)])
    big.objective = pyo.Objective(expr=pyo.quicksum(m.objective.expr for m in blocks), sense=pyo.maximize)
    big._blocks = blocks
    return big


__all__ = ["add_allocation", "block_name", "build_county_model", "target_part", "used_allocation"]
