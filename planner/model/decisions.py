"""The rows of forced and forbidden decisions (:mod:`planner.instance.decisions`): a
counterfactual's (``planner why-not``) and the instance's own ``decisions`` section, which
:func:`planner.model.build.build_model` adds to every model of the instance."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import pyomo.environ as pyo

from planner.instance.decisions import Decision
from planner.model.terms import xsum


def _rel(lhs, op: str, rhs: float):
    return lhs >= rhs if op == ">=" else (lhs <= rhs if op == "<=" else lhs == rhs)


def apply(decisions: Iterable[Decision], name: str = "whatif") -> Callable[[Any, pyo.ConcreteModel], None]:
    """A ``modify(d, m)`` hook for :func:`planner.api.solve` adding the decisions as rows,
    in the constraint list ``name`` (a counterfactual's ``whatif``; the instance's own
    ``decisions``, added by :func:`planner.model.build.build_model`)."""
    decisions = list(decisions)

    def modify(d, m: pyo.ConcreteModel) -> None:
        rows: list[Any] = []
        for dec in decisions:
            periods = [dec.period] if dec.period else ([d.last] if dec.action == "force" else d.periods)
            for t in periods:
                rows.extend(_rows(d, m, dec, t))
        rows_of = pyo.ConstraintList()
        m.add_component(name, rows_of)
        for r in rows:
            if r is True:
                continue
            if r is False:
                rows_of.add(m.zero >= 1)
                m._impossible.append((name, name, ()))
                continue
            rows_of.add(r)
        m._families.setdefault(name, []).append(name)

    return modify


def _whole(op: str, value: float) -> float | None:
    """People are whole: the same limit on a whole number (a township role's share of a village is
    continuous in the model, and must keep the meaning a whole count gives the limit); None: no whole
    number equals the value."""
    if op == ">=":
        return float(math.ceil(value - 1e-9))
    if op == "<=":
        return float(math.floor(value + 1e-9))
    return float(round(value)) if abs(value - round(value)) <= 1e-9 else None


def _rows(d, m, dec: Decision, t: str) -> list[Any]:
    force = dec.action == "force"
    if dec.kind in ("garden", "project", "scenic"):
        var = {"garden": getattr(m, "garden", None), "project": m.built, "scenic": getattr(m, "scenic", None)}[dec.kind]
        key = (dec.parts[0], t)
        if var is None or key not in var:
            return [not force]  # the option does not exist: forcing it is impossible, forbidding it is free
        return [var[key] >= 1] if force else [var[key] <= 0]
    if dec.kind in ("area", "parcel"):
        pu = d.pu
        sel = pu[(pu["village"] if dec.kind == "area" else pu["parcel"]) == dec.parts[0]]
        sel = sel[sel["use"] == dec.parts[1]]
        lhs = xsum(m, sel, t) if len(sel) else 0.0
        if not force:
            return [lhs <= 0] if len(sel) else []
        if not len(sel):
            return [_rel(0.0, dec.op, dec.value)]
        return [_rel(lhs, dec.op, dec.value)]
    if dec.kind == "recruit":
        vs = [dec.parts[0]] if len(dec.parts) == 2 else d.villages
        lhs = pyo.quicksum(m.recruit[v, dec.parts[-1], t] for v in vs)
        if not force:
            return [lhs <= 0]
        rhs = _whole(dec.op, dec.value)
        return [False] if rhs is None else [_rel(lhs, dec.op, rhs)]
    lhs = m.street_green[t]
    return [_rel(lhs, dec.op, dec.value)] if force else [lhs <= 0]
