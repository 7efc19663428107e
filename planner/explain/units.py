"""Prices per person and per whole decision: what one unit of a binding rule of whole
units is worth, by re-solving the whole model with the rule's limit moved by one unit.

The plan's fixed LP (:mod:`planner.explain.fixed`) cannot price a rule that holds only
whole-number and yes/no decisions (a role's minimum, one garden in every village, a
required project, the fewest street green spaces): its rows are ``decision_only``. For
each such row that binds in the plan, :func:`unit_prices` re-solves the mixed-integer
model twice, with the row's limit

- **loosened** by one unit (a minimum one person lower, a maximum one person higher, the
  garden or project no longer required, one street green space fewer), and
- **tightened** by one unit (a minimum one person higher, a maximum one lower, ...),
  unless no value of the row's decisions could meet it (a yes/no requirement cannot be
  tightened: ``garden >= 2`` is impossible, so it is not re-solved),

and reports both objective changes against the plan, in Yuan/yr: the value of the unit
the rule takes (``loosen_gain_yuan``) and what one more unit would cost
(``tighten_cost_yuan``). Unlike a shadow price, each is the exact change for that one
unit, with every other decision free to adapt. The re-solves run like replacement
importance (:func:`planner.explain.whatif.replacement_importance`): without the
tie-break and the verifier, two at a time in worker processes when there are more than
three, each with the ``time_limit`` given.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pyomo.environ as pyo
from pyomo.contrib.fbbt.fbbt import compute_bounds_on_expr

from planner.api import load_instance, solve
from planner.core.labels import known, term
from planner.explain.fixed import build_fixed_lp
from planner.explain.result import fmt
from planner.explain.rows import describe, field_of, row_info
from planner.explain.whatif import compare, resolve_all, resolve_record, safely
from planner.instance.load import LoadedInstance
from planner.instance.overrides import split_overrides
from planner.model.build import build_model
from planner.model.data import ModelData

#: kind -> the constraints of whole units it prices
UNIT_KINDS: dict[str, tuple[str, ...]] = {
    "recruitment": ("recruit_min", "recruit_min_active", "recruit_min_project", "recruit_max"),
    "gardens": ("garden_one_per_village",),
    "street_green": ("street_green_min",),
    "projects": ("project_required", "project_earliest"),
}
TOL = 1e-6
#: rules whose limit is an upper one in planner words (a maximum, "not before"): loosening raises it
UPPER_RULES = ("recruit_max", "project_earliest")

UNIT_COLUMNS = [
    "kind",
    "constraint",
    "rule",
    "where",
    "index",
    "sense",
    "unit",
    "limit",
    "field",
    "loosened_limit",
    "loosen_status",
    "loosen_gain_yuan",
    "loosen_gap",
    "tightened_limit",
    "tighten_status",
    "tighten_cost_yuan",
    "tighten_gap",
    "price_unit",
    "time_s",
    "statement",
]


def _kind_of(name: str) -> str:
    return next(k for k, names in UNIT_KINDS.items() if name in names)


def binding_unit_rows(f, kinds: Iterable[str]) -> pd.DataFrame:
    """The rows of the plan's fixed LP ``f`` that hold only whole units, are of ``kinds``
    (keys of :data:`UNIT_KINDS`) and bind: (constraint, index, sense, lower, upper)."""
    names = [n for k in kinds for n in UNIT_KINDS[k]]
    r = f.rows
    if r is None or r.empty:
        return pd.DataFrame(columns=["constraint", "index", "sense", "lower", "upper", "value"])
    r = r[r["constraint"].isin(names)].copy()
    tol = 1e-6
    at_lo = (r["lower"] > -math.inf) & ((r["value"] - r["lower"]).abs() <= tol)
    at_up = (r["upper"] < math.inf) & ((r["upper"] - r["value"]).abs() <= tol)
    r = r[at_lo | at_up].copy()
    r["sense"] = [
        "==" if lo == up else (">=" if a else "<=") for lo, up, a in zip(r["lower"], r["upper"], at_lo[r.index])
    ]
    return r[r["sense"] != "=="].reset_index(drop=True)


def _shift(name: str, key: tuple, sense: str, step: float) -> Callable[[Any, pyo.ConcreteModel], None]:
    """A ``modify(d, m)`` moving row ``name[key]``'s limit by ``step`` row units: +step
    raises a ``>=`` row's lower bound or a ``<=`` row's upper bound."""

    def modify(_d: Any, m: pyo.ConcreteModel) -> None:
        comp = m.find_component(name)
        c = comp[key if len(key) != 1 else key[0]]
        lo, body, up = c.lower, c.body, c.upper
        if sense == ">=":
            lo = pyo.value(lo) + step
        else:
            up = pyo.value(up) + step
        c.set_value((lo, body, up))

    return modify


def _body_range(m: pyo.ConcreteModel, name: str, key: tuple) -> tuple[float, float]:
    """The least and most the row's body can be in model ``m``, from its decisions' bounds."""
    comp = m.find_component(name)
    c = comp[key if len(key) != 1 else key[0]]
    lo, up = compute_bounds_on_expr(c.body)
    return (-math.inf if lo is None else lo), (math.inf if up is None else up)


def _one(args: tuple) -> dict[str, Any]:
    path, overrides, name, key, sense, step, time_limit = args
    scenario, sets = split_overrides(overrides)
    li = load_instance(path, scenario=scenario, sets=sets + ['objective.tie_break="none"'])
    p = solve(li, time_limit=time_limit, verify=False, modify=_shift(name, key, sense, step))
    return resolve_record(p)


def _safe_one(args: tuple) -> dict[str, Any]:
    return safely(_one, args)


def unit_prices(
    li: LoadedInstance,
    plan,
    kinds: Iterable[str] = tuple(UNIT_KINDS),
    *,
    fixed=None,
    time_limit: float | None = None,
    workers: int | None = None,
    progress: Callable[[str, int, int], Any] | None = None,
    select: Callable[[str, tuple], bool] | None = None,
) -> pd.DataFrame:
    """What one unit of each binding rule of whole units is worth (see the module
    docstring): a table of :data:`UNIT_COLUMNS`, largest value first.

    ``kinds``: keys of :data:`UNIT_KINDS`. ``fixed``: the plan's fixed LP when already
    built (:func:`planner.explain.fixed.build_fixed_lp`). ``select(constraint, index)``: price
    only the binding rows it accepts (default: all)."""
    kinds = [k for k in kinds]
    bad = [k for k in kinds if k not in UNIT_KINDS]
    if bad:
        raise ValueError(f"unknown unit-price kind(s) {bad}: use {', '.join(UNIT_KINDS)}")
    f = fixed if fixed is not None else build_fixed_lp(li, plan)
    rows = binding_unit_rows(f, kinds)
    if select is not None and not rows.empty:
        rows = rows[[bool(select(c, tuple(i))) for c, i in zip(rows["constraint"], rows["index"])]]
    if not rows.empty:  # a village's per-project minimum binds at 0 when none of its projects works
        rows = rows[
            [
                c != "recruit_min_project" or _hosted(plan, tuple(i)) > 0
                for c, i in zip(rows["constraint"], rows["index"])
            ]
        ]
    if rows.empty:
        return pd.DataFrame(columns=UNIT_COLUMNS)
    jobs: list[tuple] = []
    base = (str(li.path), list(li.overrides))
    plans: list[dict[str, Any]] = []
    model = build_model(ModelData(li))  # the rows' bodies, for what a tighter limit can ask
    for r in rows.itertuples():
        key = tuple(r.index)
        lo_b, up_b = _body_range(model, r.constraint, key)
        limit = r.lower if r.sense == ">=" else r.upper
        # loosen: a lower limit down, an upper limit up; tighten the other way, if anything can meet it
        loosen = -1.0 if r.sense == ">=" else 1.0
        tightened = limit - loosen
        can_tighten = (tightened <= up_b + TOL) if r.sense == ">=" else (tightened >= lo_b - TOL)
        item = {"constraint": r.constraint, "index": key, "sense": r.sense, "limit_row": limit}
        item["loosen"] = len(jobs)
        jobs.append((*base, r.constraint, key, r.sense, loosen, time_limit))
        if can_tighten:
            item["tighten"] = len(jobs)
            jobs.append((*base, r.constraint, key, r.sense, -loosen, time_limit))
        plans.append(item)
    results = resolve_all(_safe_one, jobs, "unit prices", workers, progress)

    out = []
    exact = plan.status == "optimal"
    for item in plans:
        name, key, sense = item["constraint"], item["index"], item["sense"]
        info = row_info(name)
        res = {}
        for side in ("loosen", "tighten"):
            j = item.get(side)
            if j is None:
                res[side] = ("impossible", None, None, 0.0)
                continue
            r = results[j]
            alt = SimpleNamespace(objective=r["objective"], objective_bound=r["bound"], stages=r["stages"])
            _goal, change, _b = compare(plan.stages, plan.objective, alt)
            res[side] = (r["status"], change, r["mip_gap"], r["time_s"])
        limit = _limit(li, name, key, item["limit_row"], plan)
        # in planner words a minimum is loosened downwards, a maximum upwards, whatever the row's sense
        step = 1 if name in UPPER_RULES else -1
        unit = info.unit
        gain = res["loosen"][1]
        cost = None if res["tighten"][1] is None else -res["tighten"][1]
        row = {
            "kind": _kind_of(name),
            "constraint": name,
            "rule": info.label,
            "where": describe(name, key),
            "index": key,
            "sense": sense,
            "unit": unit,
            "limit": limit,
            "field": field_of(name, key),
            "loosened_limit": limit + step,
            "loosen_status": res["loosen"][0],
            "loosen_gain_yuan": gain,
            "loosen_gap": res["loosen"][2],
            "tightened_limit": limit - step if item.get("tighten") is not None else None,
            "tighten_status": res["tighten"][0],
            "tighten_cost_yuan": cost,
            "tighten_gap": res["tighten"][2],
            "price_unit": f"Yuan/yr per {_singular(unit)}",
            "time_s": res["loosen"][3] + res["tighten"][3],
        }
        row["statement"] = statement(row, exact=exact)
        out.append(row)
    df = pd.DataFrame(out, columns=UNIT_COLUMNS)
    df["_k"] = df["loosen_gain_yuan"].fillna(-math.inf)
    return df.sort_values("_k", ascending=False, kind="stable").drop(columns="_k").reset_index(drop=True)


def _hosted(plan, key: tuple) -> int:
    """The people of role ``key[1]`` the plan recruits in village ``key[0]`` in period ``key[2]``:
    where the per-project minimum binds, what the village's working projects require."""
    t = plan.tables.get("recruitment")
    if t is None or t.empty:
        return 0
    hit = t[(t["village"] == key[0]) & (t["role"] == key[1]) & (t["period"].astype(str) == str(key[2]))]
    return int(hit["count"].sum())


def _limit(li: LoadedInstance, name: str, key: tuple, row_limit: float, plan=None) -> float:
    """The rule's limit in planner words: a role's minimum (the per-active-project row's limit
    is 0, the per-project row's the people the village's working projects need), else the
    row's own limit."""
    if name == "recruit_min_project" and plan is not None:
        return float(_hosted(plan, key))
    if name == "recruit_min_active":
        role = next((r for r in li.instance.roles if r.id == key[0]), None)
        if role is not None:
            return float(role.min)
    return float(row_limit)


def _singular(unit: str) -> str:
    return "person" if unit == "people" else unit


def _count(v: float) -> str:
    return f"{v:,.0f}" if abs(v - round(v)) < 1e-9 else fmt(v)


def _money(v: float | None) -> str:
    return fmt(abs(v), "Yuan/yr") if v is not None else "n/a"


def statement(row: dict[str, Any], *, exact: bool = True, lang: str = "en") -> str:
    """One sentence in planner words for a row of the unit-price table (``lang`` en or zh)."""

    def w(k: str, **kw: Any) -> str:
        return term("word", k, lang).format(**kw)

    row = {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}
    name, key = row["constraint"], tuple(row["index"])
    gain, cost = row["loosen_gain_yuan"], row["tighten_cost_yuan"]
    sep = "" if lang == "zh" else " "
    lst, tst = row["loosen_status"], row["tighten_status"]
    if name in ("recruit_min", "recruit_min_active", "recruit_max"):
        who = term("role", key[0], lang) if _known_role(key[0]) else key[0]
        subject = dict(n=_count(row["limit"]), role=who if lang == "zh" else _lc(who), period=key[-1])
        head_key = "up_min_person" if name != "recruit_max" else "up_max_person"
        if name == "recruit_min_active":
            subject["project"] = key[1]
            head_key = "up_min_active_person"
    elif name == "recruit_min_project":
        who = term("role", key[1], lang) if _known_role(key[1]) else key[1]
        subject = dict(n=_count(row["limit"]), role=who if lang == "zh" else _lc(who), village=key[0], period=key[-1])
        head_key = "up_min_project_person"
    elif name == "garden_one_per_village":
        subject, head_key = dict(village=key[0]), "up_garden"
    elif name == "street_green_min":
        subject, head_key = dict(n=_count(row["limit"])), "up_street_green"
    elif name == "project_required":
        subject, head_key = dict(project=key[0]), "up_project_required"
    else:  # project_earliest
        subject, head_key = dict(project=key[0], period=key[1]), "up_project_earliest"
    subject["loosened"] = _count(row["loosened_limit"])
    if row["tightened_limit"] is not None:
        subject["tightened"] = _count(row["tightened_limit"])
    if lst != "optimal" or gain is None:
        return w("up_not_solved", what=describe(name, key), status=lst)
    text = w(head_key + ("_free" if gain <= 1.0 else ""), value=_money(gain), **subject)
    if tst == "optimal" and cost is not None:
        text += sep + w("up_tighten" + ("_free" if abs(cost) <= 1.0 else ""), value=_money(cost), **subject)
    elif tst == "infeasible":
        text += sep + w("up_tighten_infeasible", **subject)
    if not exact:
        text += sep + w("up_not_exact")
    return text


def _lc(label: str) -> str:
    """``Forest rangers`` -> ``forest rangers``; a name (``Two Mountains Bank: ...``) stays."""
    words = label.split()
    if not words or words[0].isupper() or (len(words) > 1 and words[1][:1].isupper()):
        return label
    return label[:1].lower() + label[1:]


def _known_role(role: str) -> bool:
    return known("role", role)


__all__ = ["UNIT_COLUMNS", "UNIT_KINDS", "binding_unit_rows", "statement", "unit_prices"]
