"""How a diagnosis is worded (:func:`planner.explain.diagnose.diagnose`): a row named as
its rule and place, amounts in planner units (whole counts without decimals, money in
Yuan or million Yuan), and the statement of each relaxation: which field to raise or
lower, and by how much.
"""

from __future__ import annotations

import math

import pandas as pd

from planner.explain.elastic import TOL, Elastic, row_info_or_none
from planner.explain.result import fmt
from planner.explain.rows import describe, field_of

# rows whose limit is a number in the row's own unit: "raise/lower <field> by <amount>"
NUMERIC_LIMIT = {
    "budget",
    "loan_cap",
    "recruit_min",
    "recruit_min_active",
    "recruit_max",
    "labour_pool",
    "garden_size_max",
    "garden_size_min",
    "dividend_floor",
    "street_green_min",
}

RELAXATION_COLUMNS = [
    "family",
    "constraint",
    "rule",
    "where",
    "index",
    "sense",
    "unit",
    "amount",
    "cost_per_unit",
    "cost",
    "field",
    "statement",
]


def rule_label(name: str) -> str:
    """The rule's label of constraint ``name`` (its name when unknown)."""
    i = row_info_or_none(name)
    return i.label if i else name


def row_where(name: str, key: tuple) -> str:
    """Row ``key`` of constraint ``name`` as its rule and place, e.g. ``budget (period 2025)``."""
    if row_info_or_none(name) is None:
        return f"{name}[{', '.join(map(str, key))}]" if key else name
    return describe(name, key)


def row_field(name: str, key: tuple) -> str:
    """The instance field that sets the limit of the row ('' when none or unknown)."""
    return field_of(name, key) if row_info_or_none(name) else ""


COUNT_UNITS = ("garden", "project", "street green space", "scenic spot")

# minimums whose row has decisions on both sides (``area >= min x garden``): the model stores them
# as ``min x garden - area <= 0``, so their slack loosens an upper bound; in planner words they are
# minimums, relaxed by lowering them
MINIMUMS_STORED_AS_UPPER = {"garden_size_min", "garden_vegetation", "recruit_min_active"}


def number_text(v: float, unit: str = "") -> str:
    """fmt, but whole counts without decimals: '2 people', not '2.00 people'; '2 gardens'."""
    if unit in COUNT_UNITS and abs(v - 1.0) > 1e-9:
        unit += "s"
    if abs(v - round(v)) <= 1e-6 and abs(v) < 1e15:
        return f"{round(v):,d} {unit}".strip()
    return fmt(v, unit)


def amount_text(amount: float, unit: str) -> str:
    """An amount in planner units: money in Yuan, or million Yuan from a million up."""
    if unit == "Yuan":
        return f"{fmt(amount / 1e6)} million Yuan" if abs(amount) >= 1e6 else fmt(amount, "Yuan")
    if unit == "Yuan/yr":
        return fmt(amount, "Yuan/yr")
    return number_text(amount, unit)


def _by(amount: float, unit: str) -> str:
    """The amount for 'raise <field> by at least ...': money rounded up to whole Yuan."""
    if unit.startswith("Yuan"):
        return f"{math.ceil(amount - 1e-6):,.0f}"
    return number_text(amount, unit)


SHARE_OF_TOWNSHIP = ("vegetation_coverage", "forest_coverage")  # limit = share x township area


def _relax_statement(name: str, key: tuple, sense: str, amount: float, unit: str, total_area: float) -> str:
    where, fld = row_where(name, key), row_field(name, key)
    amt = amount_text(amount, unit)
    if name in SHARE_OF_TOWNSHIP and sense == ">=" and total_area > 0:
        return (
            f"{where} cannot be met (short by {amt}): lower {fld} by at least {amount / total_area:.4g} "
            f"({amt} of the township's {fmt(total_area, 'ha')}), or relax what limits it"
        )
    if name == "budget":
        return f"{where} short by {amt}: raise {fld} by at least {_by(amount, unit)}"
    if sense == "<=":
        if name in NUMERIC_LIMIT and fld:
            return f"{where} exceeded by {amt}: raise {fld} by at least {_by(amount, unit)}, or relax what pushes it"
        return f"{where} cannot be kept (over by {amt}): relax {fld or 'the rule'}, or relax what pushes it"
    if sense == ">=":
        if name in NUMERIC_LIMIT and fld:
            return f"{where} cannot be met: lower {fld} by {_by(amount, unit)}, or relax what limits it"
        return f"{where} cannot be met (short by {amt}): relax {fld or 'the rule'}, or relax what limits it"
    return f"{where} cannot hold exactly (off by {amt}): change {fld or 'the rule'}"


def relaxation_table(el: Elastic, svals: dict[int, float], total_area: float) -> pd.DataFrame:
    """The relaxations (RELAXATION_COLUMNS): every slack of ``svals`` above TOL in planner
    units, with its statement; by family and constraint."""
    out = []
    for i, (name, key, family) in enumerate(el.items):
        for kind, sense in ((el.lo, ">="), (el.up, "<=")):
            k = kind.get(i)
            if k is None:
                continue
            v = svals.get(k, 0.0)
            if v <= TOL:
                continue
            info = row_info_or_none(name)
            scale, unit = (info.scale, info.unit) if info else (1.0, "")
            if name in MINIMUMS_STORED_AS_UPPER and sense == "<=":
                sense = ">="
            amount = v * scale
            per = el.cost[i] if el.cost else 1.0
            out.append(
                {
                    "family": family,
                    "constraint": name,
                    "rule": rule_label(name),
                    "where": row_where(name, key),
                    "index": key,
                    "sense": sense,
                    "unit": unit,
                    "amount": amount,
                    "cost_per_unit": per,
                    "cost": per * amount,
                    "field": row_field(name, key),
                    "statement": _relax_statement(name, key, sense, amount, unit, total_area),
                }
            )
    df = pd.DataFrame(out, columns=RELAXATION_COLUMNS)
    return df.sort_values(["family", "constraint"], kind="stable").reset_index(drop=True)
