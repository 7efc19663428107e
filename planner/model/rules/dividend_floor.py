"""Dividend floor: every village's villagers and collective receive at least a floor.

Requirements §3 (common prosperity): optionally a floor on each village's dividend. The
floor applies to every village except the central town, to the village recipients
(``villagers``, ``village_collective``) that count as dividends
(``objective.dividend_recipients``; both when neither does), on the income of
``m._expr["income_to"]`` (family ``dividends``).

Constraint ``dividend_floor[v, t]``: that income of village v >= ``policies.dividend_floor_yuan``
(null: off).
"""

from __future__ import annotations

from typing import Any

import pyomo.environ as pyo

from planner.core.units import MONEY
from planner.model.data import ModelData
from planner.model.rows import RowInfo
from planner.model.rules.dividends import VILLAGE_RECIPIENTS
from planner.model.terms import add_rows

FAMILY = "dividend_floor"
SENTENCE = "Optionally, every village's villagers and collective receive at least a floor of dividends."

# the model expressions (``m._expr``) this family defines and the ones it reads, which families
# added before it must define (tests/test_rule_names.py checks the order of families())
DEFINES: tuple[str, ...] = ()
READS: tuple[str, ...] = ("income_to",)

# what each constraint means to a planner (explanations, diagnosis, docs)
ROWS: dict[str, RowInfo] = {
    "dividend_floor": RowInfo(
        "dividend floor per village",
        "Yuan/yr",
        ("village", "period"),
        scale=MONEY,
        field="policies.dividend_floor_yuan",
    ),
}


def add(m: pyo.ConcreteModel, d: ModelData) -> None:
    floor = d.inst.policies.dividend_floor_yuan
    if floor is None:
        return
    income = m._expr["income_to"]
    recips = set(d.inst.objective.dividend_recipients)
    rows: dict[Any, Any] = {}
    village_recips = [r for r in VILLAGE_RECIPIENTS if r in recips] or list(VILLAGE_RECIPIENTS)
    for v in d.villages:
        if v == d.town:
            continue
        for t in d.periods:
            rows[(v, t)] = pyo.quicksum(income.get((v, r, t), 0) for r in village_recips) >= floor / MONEY
    add_rows(m, FAMILY, "dividend_floor", rows)
