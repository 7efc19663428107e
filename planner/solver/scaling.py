"""A check of the model's numbers before solving: a rule whose coefficients span many
orders of magnitude, or are tiny or huge, makes the solver's tolerances meaningless for
it (solver-notes: raw Yuan slowed HiGHS more than tenfold; the model works in million
Yuan). The check names the rule, so a planner knows which input to look at."""

from __future__ import annotations

import math
from typing import Any

import pyomo.environ as pyo
from pyomo.repn.standard_repn import generate_standard_repn

MAX_RATIO = 1e9  # largest / smallest non-zero coefficient within one rule
MAX_ABS = 1e9  # a coefficient or limit this large (model units: ha, people, million Yuan)
MIN_ABS = 1e-9  # a non-zero coefficient this small


def check(m: pyo.ConcreteModel) -> list[str]:
    """Warnings, one per rule (constraint component) or objective with badly scaled numbers."""
    fam = {name: f for f, names in getattr(m, "_families", {}).items() for name in names}
    out: list[str] = []
    comps: list[tuple[str, Any]] = [
        (c.local_name, list(c.values())) for c in m.component_objects(pyo.Constraint, active=True)
    ]
    comps += [("objective", [o]) for o in m.component_objects(pyo.Objective, active=True)]
    for name, datas in comps:
        lo, hi, big_rhs = math.inf, 0.0, 0.0
        for c in datas:
            body = c.expr if name == "objective" else c.body
            repn = generate_standard_repn(body, compute_values=True, quadratic=False)
            for a in repn.linear_coefs:
                a = abs(float(a))
                if a > 0:
                    lo, hi = min(lo, a), max(hi, a)
            if name != "objective":
                if repn.constant is not None and math.isfinite(float(repn.constant)):
                    big_rhs = max(big_rhs, abs(float(repn.constant)))
                for b in (c.lower, c.upper):
                    v = pyo.value(b) if b is not None else None
                    if v is not None and math.isfinite(v):
                        big_rhs = max(big_rhs, abs(v))
        if hi == 0.0:
            continue
        where = f"rule {fam.get(name, '?')} ({name})" if name != "objective" else "the objective"
        if hi / lo > MAX_RATIO:
            out.append(
                f"{where}: coefficients range from {lo:.3g} to {hi:.3g} (ratio {hi / lo:.1e}); "
                "results may be inaccurate: check the inputs of this rule for a unit mistake (Yuan vs million, mu vs "
                "ha)"
            )
        elif hi > MAX_ABS or lo < MIN_ABS:
            out.append(
                f"{where}: coefficients as {'large' if hi > MAX_ABS else 'small'} as "
                f"{hi if hi > MAX_ABS else lo:.3g}; check the inputs of this rule for a unit mistake"
            )
        if big_rhs > MAX_ABS:
            out.append(f"{where}: a limit of {big_rhs:.3g} (model units: ha, people, million Yuan); check its unit")
    return out
