"""Why an instance has no plan: the rules that can never be met, the smallest relaxation
of the rules that makes a plan possible, the rules in conflict with it, and (for small
LP-infeasible models) an irreducible infeasible set.

Method
------
1. **Impossible rows.** A rule with no decision in it that is false whatever is decided
   (a coverage target above what the land can give, a dividend floor for a village with
   no income) is recorded by :func:`planner.model.terms.add_rows` in ``m._impossible``. These
   are listed first. Their shortfall is not known to the model (the rule was a plain
   ``False``), so they are taken out of the elastic re-solve below, not relaxed in it.
2. **Elastic re-solve.** The model is rebuilt and every active row of a rule a township
   could relax (``RowInfo.hard`` false in :mod:`planner.explain.rows`; the model's
   definitions - land used once, decisions accumulate, work norms, carbon splits,
   objective holds - are never relaxed) gets non-negative slacks: ``body <= ub`` becomes
   ``body - s <= ub``, ``body >= lb`` becomes ``body + s >= lb``, an equality gets one of
   each. The planning objective is replaced by *minimise the cost of the slacks*, and the
   model is solved as a MIP with HiGHS. Which rules may give and what a unit of each costs,
   in Yuan-equivalents, are the planner's (:mod:`planner.explain.repair`: the instance's
   ``repair`` section, the CLI's ``--may-give``, ``--keep`` and ``--repair-cost``, or
   ``repair=`` here); the defaults put money first (a Yuan of budget or loan costs 1, a
   hectare of a coverage target or a person 1 million, a hectare of another land rule 10
   million, a garden, project or street green space dropped and a hectare of a ban 100
   million). The costs are a choice, not a truth; the result is *a* smallest relaxation
   under them (another may exist with the same total), and the output states them. Every
   slack above 1e-6 is reported in planner units (money in Yuan) with its cost. A rule
   that may not give is held like a definition; if nothing that may give can repair the
   instance, the elastic model is infeasible and the notes say which rules were kept.
   **Most the land allows.** When every relaxed row is a target (coverage, red-line share,
   a dividend floor), each such row is taken out and its quantity optimised with every
   other rule held (:func:`most_attainable`): "forest coverage can reach at most 85.83%".
3. **Conflicting rules.** The elastic solution's whole-number and yes/no decisions are held
   by their bounds (as in :mod:`planner.explain.fixed`) and the elastic model is solved
   again as an LP. Rows (hard or not) with a non-zero dual push against the relaxed rows,
   but this LP is highly degenerate (a rule with nothing to give can show a dual of -1),
   so each dual is checked: the row is loosened by ``DELTA`` (0.01 row unit) in a
   warm-started LP; it is a conflict only if the relaxation then shrinks, and it is
   paired with the relaxed rules whose slack shrinks. All rows of a constraint are tried
   together first (loosening more never gains less, so a constraint whose rows together
   gain nothing has no row that would), then its rows one by one, the largest duals
   first, at most ``PER_CONSTRAINT``; the rest take their constraint's answer. A decision
   held by its bounds hides the rule that holds it (a required project's ``built >= 1``
   row gets no dual: the bound takes it), so every held decision with a non-zero reduced
   cost is *probed*: moved one step in the direction that would shrink the relaxation;
   the rows whose slack grows (or, if the move breaks a model definition, the rows of
   HiGHS's dual ray) are the rules that hold it, against the relaxed rows whose slack
   shrinks. At most ``max_probes`` LPs in all (about 1-3 ms each on Nuanshui).
4. **IIS.** The LP relaxation (integrality dropped, planning objective kept) is solved;
   if it is infeasible and small enough (``iis_max_rows``), or when ``iis=True``, HiGHS's
   ``getIis`` with ``iis_strategy`` = ``highspy.IisStrategy.kIisStrategyIrreducible``
   gives an irreducible infeasible set of rows and decision bounds (the solver notes:
   only that strategy gave a true IIS; the option's help text numbers the strategies
   differently from the enum, the enum is right). It took about 23 s on a 1,000-parcel
   model and 25 s on Nuanshui (3,453 rows), a few ms on the test instances, hence the
   limit and ``iis=False``. If the LP relaxation is feasible, the infeasibility comes from
   whole numbers alone and no IIS exists for it: the elastic result stands.

Limits
------
- ``time_limit`` bounds the elastic MIP (and ``getIis`` through ``iis_time_limit``). If
  the MIP stops early, the relaxation found is reported but is not proved smallest; the
  status is ``infeasible`` only if the MIP's bound proves some slack is needed, else
  ``unknown``.
- ``feasible`` means the elastic MIP found a plan that needs no relaxation: solve the
  instance again (a time limit, not a conflict, may have stopped it).
- Conflicts are local explanations of *this* relaxation, not every reason; the IIS is the
  exact statement for LP-infeasible models.

Modules: the elastic model and the HiGHS solves (:mod:`planner.explain.elastic`), the
conflicts search (:mod:`planner.explain.conflicts`), the IIS (:mod:`planner.explain.iis`)
and the wording of rows, amounts and relaxations (:mod:`planner.explain.wording`); this
module runs the steps and holds the result, :class:`Diagnosis`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import pyomo.environ as pyo

from planner.api import load_instance
from planner.explain.conflicts import CONFLICT_COLUMNS, find_conflicts
from planner.explain.elastic import (
    SLACK,
    TOL,
    has_solution,
    highs_solve,
    int_vars,
    is_infeasible,
    is_optimal,
    make_elastic,
)
from planner.explain.iis import compute_iis
from planner.explain.repair import OBJECTIVE_UNIT, RepairSettings, is_target, repair_field_names
from planner.explain.result import fmt, frame_records
from planner.explain.rows import row_info
from planner.explain.wording import (
    RELAXATION_COLUMNS,
    SHARE_OF_TOWNSHIP,
    amount_text,
    relaxation_table,
    row_field,
    row_where,
    rule_label,
)
from planner.instance.load import LoadedInstance
from planner.instance.overrides import get_value
from planner.model.build import build_model
from planner.model.data import ModelData
from planner.model.rules import targets as target_rules


@dataclass
class Diagnosis:
    """What :func:`diagnose` found. Amounts are in planner units (Yuan, ha, people, ...)."""

    instance_name: str
    status: str  # infeasible | feasible | unknown
    termination: str  # of the elastic MIP
    relaxations: pd.DataFrame
    conflicts: pd.DataFrame
    iis: pd.DataFrame | None
    impossible: list[str]
    notes: list[str] = field(default_factory=list)
    total_relaxation: float | None = None  # the elastic objective: the repair's cost in Yuan-equivalents
    timings: dict[str, float] = field(default_factory=dict)
    repair: RepairSettings = field(default_factory=RepairSettings)  # which rules may give, what a unit costs
    kept: list[str] = field(default_factory=list)  # relaxable rules the settings kept from giving
    attainable: list[dict[str, Any]] = field(default_factory=list)  # the most the land allows, per target

    def cost_words(self) -> str:
        """The costs the repair used, in words (one line)."""
        return "; ".join(self.repair.describe())

    def to_dict(self) -> dict[str, Any]:
        def num(v):
            return None if v is None or (isinstance(v, float) and not math.isfinite(v)) else v

        return {
            "format": "planner.diagnosis",
            "version": "1.1",
            "instance": self.instance_name,
            "status": self.status,
            "termination": self.termination,
            "total_relaxation": num(self.total_relaxation),
            "total_relaxation_unit": "Yuan-equivalent",
            "repair": {
                "may_give": self.repair.may_give,
                "keep": list(self.repair.keep),
                "costs": dict(self.repair.costs),
                "cost_words": self.cost_words(),
                "kept": list(self.kept),
            },
            "attainable": [{k: num(v) for k, v in a.items()} for a in self.attainable],
            "impossible": list(self.impossible),
            "relaxations": frame_records(self.relaxations),
            "conflicts": frame_records(self.conflicts),
            "iis": None if self.iis is None else frame_records(self.iis),
            "notes": list(self.notes),
            "timings_s": {k: num(float(v)) for k, v in self.timings.items()},
        }

    def conflict_summary(self, n: int = 8) -> list[str]:
        """One sentence per relaxed rule: ``the budget conflicts with: role minimum, ...``; the
        rules found holding a decision come first, then by the size of their duals."""
        c = self.conflicts
        if c is None or c.empty:
            return []
        out = []
        for rule in dict.fromkeys(c.loc[c["role"] == "relaxed", "rule"]):
            sel = c[(c["rule"] != rule) & c["against"].map(lambda a, r=rule: r in [x.strip() for x in a.split(";")])]
            if sel.empty:
                continue
            score = (
                sel.assign(_h=sel["how"].str.contains("holds"), _d=sel["dual"].abs().fillna(0.0))
                .groupby("rule", sort=False)
                .agg(h=("_h", "max"), d=("_d", "max"), k=("_h", "size"))
            )
            labels = score.sort_values(["h", "d", "k"], ascending=False, kind="stable").index.tolist()
            more = f" and {len(labels) - n} more" if len(labels) > n else ""
            out.append(f"the {rule} conflicts with: {', '.join(labels[:n])}{more}")
        return out

    def summary_lines(self, n: int = 10) -> list[str]:
        """Short lines for a terminal: impossible rules, relaxations (rules relaxed in more than
        three places on one line), then the conflicting rules."""
        lines: list[str] = []
        if self.status == "feasible":
            lines.append("the instance has a plan: every rule can be met together (nothing to relax)")
        elif self.status == "unknown":
            lines.append("the diagnosis stopped at a limit before it could prove what is needed")
        lines += [f"impossible: {s}" for s in self.impossible[:n]]
        if len(self.impossible) > n:
            lines.append(f"... and {len(self.impossible) - n} more impossible rules")
        relax: list[str] = []
        r = self.relaxations
        for _con, g in r.groupby("constraint", sort=False) if not r.empty else []:
            if len(g) <= 3:
                relax += g["statement"].tolist()
                continue
            rule = g["rule"].iloc[0]
            places = ", ".join(w[len(rule) + 2 : -1] if w.startswith(rule + " (") else w for w in g["where"].head(3))
            fields = ", ".join(dict.fromkeys(f for f in g["field"] if f)) or "the rule"
            unit = g["unit"].iloc[0]
            relax.append(
                f"{rule} relaxed in {len(g)} places, {amount_text(float(g['amount'].sum()), unit)} "
                f"in all ({places}, ...): relax {fields}"
            )
        lines += [f"relax: {s}" for s in relax[:n]]
        if len(relax) > n:
            lines.append(f"... and {len(relax) - n} more relaxations (see the relaxations table)")
        lines += [f"most the land allows: {a['statement']}" for a in self.attainable]
        if self.status != "feasible" and (not r.empty or self.kept):
            total = "" if self.total_relaxation is None else f"{self.total_relaxation:,.0f} Yuan-equivalents in all; "
            kept = f"; may not give: {', '.join(rule_label(k) for k in self.kept)}" if self.kept else ""
            lines.append(f"repair cost: {total}per unit: {self.cost_words()}{kept}")
        lines += [f"conflicting rules: {s}" for s in self.conflict_summary()[:n]]
        if self.iis is not None and not self.iis.empty:
            rows = self.iis[self.iis["kind"] == "row"]
            lines.append(
                f"irreducible infeasible set: {len(rows)} rules and {len(self.iis) - len(rows)} decision bounds: "
                + "; ".join(rows["where"].tolist()[:n])
                + ("; ..." if len(rows) > n else "")
            )
        return lines


def diagnose(
    instance: LoadedInstance,
    *,
    time_limit: float | None = None,
    iis: bool | None = None,
    iis_max_rows: int = 5000,
    max_probes: int = 500,
    modify: Callable[[ModelData, pyo.ConcreteModel], None] | None = None,
    repair: RepairSettings | dict | None = None,
) -> Diagnosis:
    """Diagnose an instance with no feasible plan (see the module docstring for the method).

    ``time_limit``: seconds for the elastic MIP (and for ``getIis``). ``iis``: True to
    always compute an IIS of the LP relaxation, False never, None when the LP relaxation is
    infeasible and has at most ``iis_max_rows`` rows. ``max_probes``: LPs spent checking
    duals and probing held decisions for the conflicting rules. ``modify(d, m)``: called on
    every model built, as in :func:`planner.api.solve` (the forced decisions of a
    counterfactual; rows it adds are relaxed only if :mod:`planner.explain.rows` says so).
    ``repair``: which rules may give and what a unit of each costs
    (:class:`planner.explain.repair.RepairSettings` or a dict ``{may_give, keep, costs}``);
    default: the instance's ``repair`` section. Unknown rule names raise InputError.
    """
    if isinstance(instance, str) or hasattr(instance, "__fspath__"):
        instance = load_instance(instance)
    timings: dict[str, float] = {}
    notes: list[str] = []
    settings = RepairSettings.of(repair if repair is not None else getattr(instance.instance, "repair", None))
    settings.check(repair_field_names(), file=str(instance.path) if repair is None else "(options)")
    t0 = time.perf_counter()
    d = ModelData(instance)
    m = build_model(d)
    if modify is not None:
        modify(d, m)
    impossible = [
        _impossible_target(m, key)
        if fam == target_rules.FAMILY and key and key[0] in getattr(m, "_targets", {})
        else f"{row_where(name, key)} can never be met, whatever is decided: "
        f"{'change ' + row_field(name, key) if row_field(name, key) else 'drop it'} [{fam}]"
        for fam, name, key in m._impossible
    ]
    el = make_elastic(m, settings)
    timings["build"] = time.perf_counter() - t0
    if el.skipped_unknown:
        notes.append(
            "Rows unknown to planner.explain.rows were treated as definitions (never relaxed): "
            + ", ".join(el.skipped_unknown)
        )
    int_bounds = {id(v): (v.lb, v.ub) for v in int_vars(m)}

    t1 = time.perf_counter()
    _opt, res = highs_solve(m, time_limit, mip=True)
    timings["elastic_mip"] = time.perf_counter() - t1
    term = res.termination_condition.name
    total = None
    relax = pd.DataFrame(columns=RELAXATION_COLUMNS)
    conflicts = pd.DataFrame(columns=CONFLICT_COLUMNS)
    iis_df = None
    attainable: list[dict[str, Any]] = []

    if has_solution(res):
        res.solution_loader.load_vars()
        total = float(res.incumbent_objective) * OBJECTIVE_UNIT
        bound = res.objective_bound
        slack = getattr(m, SLACK)
        svals = {k: float(slack[k].value or 0.0) for k in slack}
        needs = any(v > TOL for v in svals.values())
        if not needs and not impossible:
            status = "feasible"
            notes.append(
                "The elastic re-solve met every rule without relaxing any: the instance has a plan "
                "(solve it again, perhaps with a longer time limit)."
            )
        elif impossible or is_optimal(res) or (bound is not None and math.isfinite(bound) and bound > TOL):
            status = "infeasible"
        else:
            status = "unknown"
        if needs and not is_optimal(res):
            notes.append(
                f"The elastic MIP stopped at a limit ({term}): the relaxation below is one that works, "
                "not proved the smallest."
            )
        if needs:
            cdf, lp_svals, ct = find_conflicts(m, el, int_bounds, time_limit, max_probes, notes)
            timings.update(ct)
            if lp_svals:
                svals = lp_svals
            if cdf is not None:
                conflicts = cdf
            relax = name_targets(relaxation_table(el, svals, float(d.total_area)), d, m)
            targets = relax[relax["constraint"].map(is_target)] if not relax.empty else relax
            if not relax.empty and len(targets) == len(relax) and len(relax) <= 4:
                t2 = time.perf_counter()
                attainable = most_attainable(instance, modify, targets, float(d.total_area), time_limit, notes)
                timings["attainable"] = time.perf_counter() - t2
    elif is_infeasible(res):
        status = "infeasible"
        if el.kept:
            notes.append(
                "Even with every rule that may give loosened there is no plan: let more rules give (kept: "
                + ", ".join(el.kept)
                + "), or see the IIS."
            )
        else:
            notes.append(
                "Even with every relaxable rule loosened there is no plan: the model's definitions (land used "
                "once, work norms, decisions accumulating) and the decisions' bounds conflict by themselves; "
                "see the IIS."
            )
    else:
        status = "infeasible" if impossible else "unknown"
        notes.append(f"The elastic MIP found no solution ({term}); raise the time limit.")

    if status != "feasible" and iis is not False:
        iis_df = compute_iis(d, modify, iis, iis_max_rows, time_limit, notes, timings)
    elif status != "feasible":
        notes.append("IIS skipped (iis=False).")
    return Diagnosis(
        instance_name=instance.instance.name,
        status=status,
        termination=term,
        relaxations=relax,
        conflicts=conflicts,
        iis=iis_df,
        impossible=impossible,
        notes=notes,
        total_relaxation=total,
        timings=timings,
        repair=settings,
        kept=el.kept,
        attainable=attainable,
    )


def _impossible_target(m: pyo.ConcreteModel, key: tuple) -> str:
    """A required target no decision can move, and that does not hold, in its own words."""
    name = key[0]
    _i, tg = m._targets[name]
    scope = f" in {tg.village}" if tg.village else ""
    return (
        f"required target '{tg.name}' ({tg.kpi}{scope}, period {tg.period}) can never be met, whatever is "
        f"decided: change targets.{name}.min or .max, or set targets.{name}.required: false [{target_rules.FAMILY}]"
    )


def name_targets(relax: pd.DataFrame, d: ModelData, m: pyo.ConcreteModel) -> pd.DataFrame:
    """The relaxations of required targets (family ``targets``) in the target's own words:
    its label, KPI, period and limit, how far the plan falls short (or over), the value the
    plan then reaches (a coverage as a share, in percentage points), and the fields to change."""
    if relax.empty:
        return relax
    relax = relax.copy()
    held = getattr(m, "_targets", {})
    for k, r in relax.iterrows():
        if r["family"] != target_rules.FAMILY or not r["index"] or r["index"][0] not in held:
            continue
        name = r["index"][0]
        _i, tg = held[name]
        unit = r["unit"]
        low = r["sense"] == ">="
        limit = tg.min if low else tg.max
        side = "min" if low else "max"
        if tg.kpi in target_rules.SHARES:
            area = target_rules.scope_area(d, tg.village)
            points = r["amount"] / area * 100 if area > 0 else float("nan")
            reach = (limit or 0.0) + (-1 if low else 1) * r["amount"] / area if area > 0 else float("nan")
            gap = f"{amount_text(r['amount'], unit)}, {points:.3g} percentage points of {fmt(area, 'ha')}"
            reached = f"{reach:.2%}".replace(".00%", "%")
            want = f"{limit:.2%}".replace(".00%", "%")
        else:
            gap = amount_text(r["amount"], unit)
            value = (limit or 0.0) + (-1 if low else 1) * r["amount"]
            reached, want = amount_text(value, unit), amount_text(limit or 0.0, unit)
        scope = f" in {tg.village}" if tg.village else ""
        what = f"{tg.kpi}{' [' + tg.service + ']' if tg.service else ''}{scope} {'≥' if low else '≤'} {want}"
        relax.at[k, "statement"] = (
            f"required target '{tg.name}' ({what}, period {tg.period}) cannot be met: "
            f"{'short by' if low else 'over by'} {gap}; with the relaxations listed the plan can reach "
            f"{'at most' if low else 'no less than'} {reached}: "
            f"{'lower' if low else 'raise'} targets.{name}.{side}, or set targets.{name}.required: false"
        )
    return relax


def most_attainable(
    instance: LoadedInstance,
    modify: Callable[[ModelData, pyo.ConcreteModel], None] | None,
    targets: pd.DataFrame,
    total_area: float,
    time_limit: float | None,
    notes: list[str],
) -> list[dict[str, Any]]:
    """For each relaxed target row (rows of ``targets``, a relaxation table): the most (for a
    floor; the least for a cap) its quantity can be with every other rule held, by taking
    out the relaxed target rows and optimising the row's quantity (a MIP)."""
    out = []
    for _, r in targets.iterrows():
        name, key, sense = str(r["constraint"]), tuple(r["index"]), str(r["sense"])
        d = ModelData(instance)
        m = build_model(d)
        if modify is not None:
            modify(d, m)
        for _, o in targets.iterrows():
            comp = m.find_component(str(o["constraint"]))
            k = tuple(o["index"])
            comp[k if len(k) != 1 else k[0]].deactivate()
        c = m.find_component(name)[key if len(key) != 1 else key[0]]
        for obj in m.component_data_objects(pyo.Objective, active=True):
            obj.deactivate()
        m.diagnose_attain = pyo.Objective(expr=c.body, sense=pyo.maximize if sense == ">=" else pyo.minimize)
        _opt, res = highs_solve(m, time_limit, mip=True)
        if not has_solution(res):
            notes.append(
                f"{row_where(name, key)}: with it taken out the other rules still have no plan "
                f"({res.termination_condition.name}), so no most attainable value is given."
            )
            continue
        res.solution_loader.load_vars()
        best = float(pyo.value(c.body))
        limit = float(pyo.value(c.lower) if sense == ">=" else pyo.value(c.upper))
        info = row_info(name)
        exact = is_optimal(res)
        item: dict[str, Any] = {
            "constraint": name,
            "where": row_where(name, key),
            "sense": sense,
            "unit": info.unit,
            "asked": limit * info.scale,
            "best": best * info.scale,
            "field": row_field(name, key),
            "proved": exact,
        }
        fld = item["field"]
        bound = "at most" if sense == ">=" else "at least"
        if name in SHARE_OF_TOWNSHIP and total_area > 0:
            asked_share = get_value(instance, fld)
            share = asked_share + (best - limit) / total_area
            # the share rounded toward feasibility at 4 decimals: 0.858345 -> 0.8583
            safe = math.floor(share * 1e4 + 1e-9) / 1e4 if sense == ">=" else math.ceil(share * 1e4 - 1e-9) / 1e4
            item |= {"asked_share": asked_share, "best_share": share}
            item["statement"] = (
                f"{item['where']} can reach {bound} {share:.2%} of the township (asked: {asked_share:.2%}); "
                f"set {fld} to {safe:g} or {'less' if sense == '>=' else 'more'}"
            )
        else:
            item["statement"] = (
                f"{item['where']} can reach {bound} {amount_text(best * info.scale, info.unit)} "
                f"(asked: {amount_text(limit * info.scale, info.unit)}); change {fld or 'the rule'}"
            )
        if not exact:
            item["statement"] += f" (not proved: the solve stopped at a limit, {res.termination_condition.name})"
        out.append(item)
    return out


__all__ = ["Diagnosis", "diagnose", "most_attainable", "name_targets"]
