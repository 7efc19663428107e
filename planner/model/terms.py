"""Terms the rule families build rows from: sums of land decisions (``xsum``, ``added``)
and named, indexed rows recorded under their family (``add_rows``)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyomo.environ as pyo
from pyomo.core.expr.numeric_expr import LinearExpression, MonomialTermExpression

from planner.model.data import ModelData


def xsum(m: pyo.ConcreteModel, rows, t: str, coef=None, scale: float = 1.0) -> Any:
    """Sum of ``x[parcel, use, t]`` over rows of ``d.pu``, optionally weighted.

    ``rows``: a frame taken from ``d.pu`` (filtered or copied: its index is the pu row
    number) or an array of pu row numbers; ``coef``: a column of that frame, or an array
    aligned with ``rows``. Built as one linear expression from the variables in pu order
    (``m._xv``), without Python arithmetic per term."""
    if rows is None or len(rows) == 0:
        return 0.0
    if isinstance(rows, pd.DataFrame):
        pos = rows.index.to_numpy()
        c = None if coef is None else rows[coef].to_numpy(dtype=float)
    else:
        pos = np.asarray(rows, dtype=np.int64)
        c = None if coef is None else np.asarray(coef, dtype=float)
    xv = m._xv[t]
    if c is None and scale == 1.0:
        return LinearExpression([xv[i] for i in pos.tolist()])
    c = (np.ones(len(pos)) if c is None else c) * scale
    nz = c != 0
    if not nz.any():
        return 0.0
    return LinearExpression([MonomialTermExpression((k, xv[i])) for k, i in zip(c[nz].tolist(), pos[nz].tolist())])


def added(
    m: pyo.ConcreteModel, d: ModelData, rows: pd.DataFrame, t: str, coef: str | None = None, scale: float = 1.0
) -> Any:
    """Area (or coefficient-weighted area) established during period t."""
    prev = d.prev[t]
    now = xsum(m, rows, t, coef, scale)
    return now if prev is None else now - xsum(m, rows, prev, coef, scale)


def add_rows(m: pyo.ConcreteModel, family: str, name: str, rows: dict[Any, Any]) -> None:
    """Add an indexed constraint ``name`` made of ``rows`` {index: relation} and record
    it under ``family``.

    A row without decisions is a plain bool: True is dropped; False (a target no plan
    can meet, e.g. a coverage target above what the land can give) is kept as the
    row ``zero >= 1`` on a variable fixed by its bounds at 0, so the solver reports the
    instance infeasible instead of the rule being silently dropped. Such rows are listed
    in ``m._impossible`` for the diagnosis."""
    clean = {}
    for k, rel in rows.items():
        key = k if isinstance(k, tuple) else (k,)
        if rel is True or rel is pyo.Constraint.Feasible:
            continue
        if rel is False or rel is pyo.Constraint.Infeasible:
            clean[key] = m.zero >= 1
            m._impossible.append((family, name, key))
            continue
        clean[key] = rel
    if not clean:
        return
    keys = list(clean)
    dim = len(keys[0])
    idx = pyo.Set(initialize=keys, dimen=dim, ordered=True)
    setattr(m, f"{name}_index", idx)
    con = pyo.Constraint(idx, rule=lambda _m, *k: clean[k])
    setattr(m, name, con)
    m._families.setdefault(family, []).append(name)
