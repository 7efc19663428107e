"""Explain a plan in a planner's words and units.

- :func:`explain` - binding rules and shadow prices, why-not in reduced costs, ranging of
  rule limits and of prices, and the replacement importance of what the plan took
  (re-solves), from the plan's LP with its discrete decisions fixed
  (:mod:`planner.explain.fixed`);
- :func:`planner.explain.whatif.why_not` - a counterfactual: re-solve with decisions
  forced or forbidden and compare with the plan;
- :func:`planner.explain.diagnose.diagnose` - for an instance with no plan: the rules in
  conflict and the smallest relaxation that makes it feasible.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from planner.core import faults
from planner.core.units import MONEY
from planner.explain.fixed import FixedLP, build_fixed_lp
from planner.explain.prices import options_table, rule_summary, rule_table
from planner.explain.ranging import DEFAULT_PARAMETERS, parameter_ranges
from planner.explain.result import LP_NOTE, Explanation
from planner.explain.units import UNIT_KINDS
from planner.explain.units import unit_prices as units_table
from planner.explain.whatif import replacement_importance
from planner.instance.load import LoadedInstance

IMPORTANCE_KINDS = ("gardens", "projects", "allocations")


def explain(
    instance: LoadedInstance,
    plan,
    *,
    importance: Iterable[str] = IMPORTANCE_KINDS,
    parameters: Iterable[str] | None = None,
    time_limit: float | None = None,
    progress: Callable[[str, int, int], Any] | None = None,
    all_rows: bool = False,
    unit_prices: Iterable[str] = (),
) -> Explanation:
    """Explain an optimal (or feasible) plan of ``instance``.

    ``importance``: which re-solves to run (``gardens``, ``projects``, ``allocations``;
    empty for none). ``parameters``: dotted instance paths to range (None: the default
    set of :data:`planner.explain.ranging.DEFAULT_PARAMETERS`; empty for none).
    ``time_limit``: seconds for each re-solve. ``progress(stage, done, total)`` is called
    as re-solves finish. ``all_rows``: list every rule row, not only binding or priced ones.
    ``unit_prices``: kinds of :data:`planner.explain.units.UNIT_KINDS` (``recruitment``,
    ``gardens``, ``street_green``, ``projects``) whose binding rules are priced per person
    or per unit by re-solves, one unit looser and one tighter (table ``unit_prices``).
    """
    faults.reached("explain")
    f = build_fixed_lp(instance, plan)
    ex = Explanation(
        instance_name=instance.instance.name,
        plan_status=plan.status,
        plan_termination=plan.termination,
        plan_mip_gap=plan.mip_gap,
        plan_objective=plan.objective,
        lp_status=f.status,
        lp_objective=f.objective_yuan,
        notes=[LP_NOTE],
    )
    if plan.status != "optimal":
        ex.notes.append(
            f"The plan is {plan.status} ({plan.termination}, MIP gap {plan.mip_gap}), not proved optimal: "
            "its prices describe this plan, not the best one."
        )
    if f.status != "optimal":
        ex.notes.append(f"The plan's fixed LP did not solve to optimality ({f.status}); no prices are given.")
        return ex
    gap = abs((f.objective - plan.objective / MONEY) * MONEY) if plan.objective is not None else 0.0
    if gap > max(1.0, 1e-6 * abs(plan.objective or 0.0)):
        ex.notes.append(
            f"The fixed LP's objective differs from the plan's by {gap:,.0f} Yuan/yr: the plan's continuous "
            "decisions were not optimal for its discrete ones."
        )
    rules = rule_table(f, all_rows=all_rows)
    ex.tables["rules"] = rules
    ex.tables["rule_summary"] = rule_summary(rules, f)
    ex.tables["options"] = options_table(f)
    params = list(DEFAULT_PARAMETERS if parameters is None else parameters)
    if params:
        ex.tables["parameters"] = parameter_ranges(f, plan, params, progress=progress)
    units = [k for k in unit_prices]
    if units:
        ex.tables["unit_prices"] = units_table(instance, plan, units, fixed=f, time_limit=time_limit, progress=progress)
    kinds = [k for k in importance]
    if kinds:
        ex.tables["importance"] = replacement_importance(
            instance, plan, kinds, time_limit=time_limit, progress=progress
        )
    return ex


__all__ = ["explain", "Explanation", "FixedLP", "build_fixed_lp", "IMPORTANCE_KINDS", "UNIT_KINDS"]
