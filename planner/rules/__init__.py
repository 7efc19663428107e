"""Rule families of the planning paper, one module each.

Every module exposes ``FAMILY`` (the name used in docs, verification and
explanations), ``SENTENCE`` (what the paper says), and ``add(m, d)``, which adds its
constraints to the Pyomo model ``m`` built from :class:`planner.data.ModelData` ``d``.
Constraints are named ``<family>_<what>[index]`` so a dual or a violation can be traced
back to the rule a planner knows.
"""

from __future__ import annotations

from typing import Any

import pyomo.environ as pyo


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


def families() -> list[Any]:
    from . import (carbon, coverage, eco_space, farmland, finance, forests, fruit, gardens, gep, land_use,
                   permissions, projects, recruitment, red_line, street_green)
    return [land_use, farmland, red_line, eco_space, permissions, forests, fruit, gardens, street_green,
            coverage, projects, recruitment, gep, carbon, finance]

