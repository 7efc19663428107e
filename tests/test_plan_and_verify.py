"""The Plan object, its JSON, and the independent verifier catching broken plans."""

from __future__ import annotations

import json

import pytest

import planner
from planner.plan.plan import Plan
from planner.verify import verify_plan


@pytest.fixture(scope="module")
def tiny_plan():
    return planner.solve(planner.examples.tiny())


def test_status_gap_and_verification_travel(tiny_plan):
    assert tiny_plan.status == "optimal"
    assert tiny_plan.mip_gap is not None and tiny_plan.mip_gap <= 1e-6
    assert tiny_plan.verification["passed"], tiny_plan.verification["violations"]


def test_json_top_level_contract(tiny_plan, tmp_path):
    data = json.loads(tiny_plan.to_json())
    for key in (
        "status",
        "objective",
        "mip_gap",
        "allocations",
        "gardens",
        "recruitment",
        "projects",
        "kpis",
        "termination",
        "version",
    ):
        assert key in data
    assert set(data["allocations"][0]) >= {"village", "parcel", "use", "period", "area_ha"}
    assert set(data["gardens"][0]) >= {"village", "period", "area_ha", "vegetation_coverage"}
    assert set(data["recruitment"][0]) >= {"village", "role", "period", "count"}
    assert set(data["projects"][0]) >= {"project", "period", "built"}
    assert set(data["kpis"][0]) >= {
        "period",
        "gep_yuan",
        "forestry_carbon_income_yuan",
        "agricultural_carbon_income_yuan",
        "dividends_yuan",
        "budget_used_yuan",
    }
    back = Plan.from_json(tiny_plan.to_json())
    assert back.status == tiny_plan.status and len(back.allocations) == len(tiny_plan.allocations)
    assert verify_plan(back, planner.examples.tiny())["passed"]


def _broken(plan, edit):
    q = Plan.from_json(plan.to_json())
    edit(q.tables)
    return verify_plan(q, planner.examples.tiny())


def test_verifier_catches_overused_parcel(tiny_plan):
    def edit(t):
        a = t["allocations"]
        a.loc[(a["parcel"] == "E1") & (a["period"] == "2025"), "area_ha"] += 1.0

    res = _broken(tiny_plan, edit)
    assert not res["passed"]
    assert any(v["rule"] == "land_use" and "E1" in v["where"] for v in res["violations"])


def test_verifier_catches_forbidden_village(tiny_plan):
    """Ecological forest is permitted only in east; moving W1's forest to ecological_forest must be caught."""

    def edit(t):
        a = t["allocations"]
        a.loc[a["parcel"] == "W1", "use"] = "ecological_forest"

    res = _broken(tiny_plan, edit)
    assert any(v["rule"] == "village_permission" for v in res["violations"])


def test_verifier_catches_recruitment_outside_range(tiny_plan):
    def edit(t):
        t["recruitment"].loc[t["recruitment"]["role"] == "afforestation_workers", "count"] = 40

    res = _broken(tiny_plan, edit)
    assert any(v["rule"] == "recruitment" for v in res["violations"])


def test_verifier_catches_misreported_kpi(tiny_plan):
    def edit(t):
        t["kpis"].loc[0, "gep_yuan"] *= 1.01

    res = _broken(tiny_plan, edit)
    assert any(v["rule"] == "kpis" and "gep_yuan" in v["where"] for v in res["violations"])


def test_verifier_catches_garden_without_enough_vegetation(tiny_plan):
    def edit(t):
        a = t["allocations"]
        a.loc[(a["use"] == "garden_shrub") & (a["village"] == "west"), "use"] = "garden_facility"

    res = _broken(tiny_plan, edit)
    assert any(v["rule"] == "gardens" and "vegetation" in v["message"] for v in res["violations"])


def test_verifier_reports_each_broken_row_once_in_table_order(tiny_plan):
    """Row rules are screened with vector masks; every broken row is still reported, once,
    in the order of the allocations table."""

    def edit(t):
        a = t["allocations"]
        a.loc[(a["parcel"] == "W1") & (a["period"] == "2025"), "area_ha"] = -1.0
        a.loc[(a["parcel"] == "E1") & (a["period"] == "2035"), "area_ha"] = -2.0
        a.loc[(a["parcel"] == "W2") & (a["period"] == "2035"), "area_ha"] = 3.0

    res = _broken(tiny_plan, edit)
    neg = [v["where"] for v in res["violations"] if v["message"] == "negative area"]
    assert neg == ["parcel W1, ornamental_forest, 2025", "parcel E1, ecological_forest, 2035"]
    scenic = [v for v in res["violations"] if v["message"] == "scenic transformation must take the whole fruit forest"]
    assert [(v["where"], v["value"], v["limit"]) for v in scenic] == [("parcel W2, 2035", 3.0, 6.0)]


def test_verifier_catches_missing_individual_carbon_application(tiny_plan):
    """E2 is a villager's parcel with more than 0.67 ha of arbor forest: without an individual
    application in a period, that period is reported."""

    def edit(t):
        c = t["carbon_applications"]
        c.loc[c["period"] == "2035", "individual"] = False

    res = _broken(tiny_plan, edit)
    bad = [v["where"] for v in res["violations"] if v["rule"] == "carbon_application"]
    assert bad == ["parcel E2, 2035"]


def test_infeasible_instance_reports_status_and_no_tables():
    plan = planner.solve(planner.examples.tiny(**{"periods__2025__budget_yuan": 1000}))
    assert plan.status == "infeasible" and not plan.has_solution and plan.objective is None
    assert json.loads(plan.to_json())["status"] == "infeasible"


def test_time_limit_never_reported_as_optimal():
    """A time limit too short to prove optimality yields 'feasible' or 'no_solution', never 'optimal'
    unless the gap really is closed."""
    plan = planner.solve(planner.examples.tiny(), time_limit=1e-6)
    assert plan.status in ("optimal", "feasible", "no_solution")
    if plan.status == "optimal":
        assert plan.mip_gap is not None and plan.mip_gap <= 1e-6
    else:
        assert plan.status != "optimal"


def test_another_pyomo_solver_gives_the_same_plan(tiny_plan):
    """Any MIP solver Pyomo knows can be named; `appsi_highs` goes through Pyomo's legacy
    solver interface (the path used for cbc, glpk, gurobi, ...) and must reach the same optimum."""
    other = planner.solve(planner.examples.tiny(), solver="appsi_highs")
    assert other.status == "optimal" and other.solver == "appsi_highs"
    assert other.objective == pytest.approx(tiny_plan.objective, rel=1e-9)
    assert other.verification["passed"]
    infeasible = planner.solve(planner.examples.tiny(**{"periods__2025__budget_yuan": 1000}), solver="appsi_highs")
    assert infeasible.status == "infeasible"


def _fail_stage(monkeypatch, when):
    """Make the solver stage selected by ``when(model)`` end without a plan (as a time limit
    would), after wiping the variable values, so a lost plan would show."""
    import sys as _sys

    S = _sys.modules["planner.solver.run"]
    real = S.run_solver

    def fake(m, opts, report=None):
        if when(m):
            for v in m.component_data_objects(__import__("pyomo.environ", fromlist=["Var"]).Var):
                v.set_value(None, skip_validation=True)
            return {
                "status": "no_solution",
                "termination": "maxTimeLimit",
                "objective": None,
                "bound": None,
                "mip_gap": None,
                "time_s": 0.0,
            }
        return real(m, opts, report)

    monkeypatch.setattr(S, "run_solver", fake)


def test_failed_tie_break_keeps_the_optimal_plan(monkeypatch, tiny_plan):
    """A tie-break stage stopped by the time limit must not discard the proved optimum:
    same status (optimal), same objective, verified plan."""
    _fail_stage(monkeypatch, lambda m: hasattr(m, "objective_least_cost") and m.objective_least_cost.active)
    plan = planner.solve(planner.examples.tiny())
    assert plan.status == "optimal"
    assert plan.objective == pytest.approx(tiny_plan.objective, rel=1e-8)  # the tie-break may give up 1e-9
    assert plan.verification["passed"]
    assert plan.stages[-1]["goal"] == "least_wages" and "main stage's plan" in plan.stages[-1]["note"]


def test_failed_second_lexicographic_goal_returns_first_goal_plan_as_feasible(monkeypatch):
    """Lexicographic GEP then dividends; the dividends stage ends without a plan: the GEP
    stage's plan comes back, marked feasible (not proved lexicographically optimal), verified."""
    _fail_stage(monkeypatch, lambda m: hasattr(m, "objective_dividends") and m.objective_dividends.active)
    plan = planner.solve(planner.examples.tiny(**{"objective__mode": "lexicographic"}))
    assert plan.status == "feasible" and plan.termination == "maxTimeLimit"
    assert plan.has_solution and plan.verification["passed"]
    assert [s["goal"] for s in plan.stages][:2] == ["gep", "dividends"]
