"""Explanations on hand-solvable instances: shadow prices in planner units, their ranges,
why-not in reduced costs, parameter ranging, replacement importance and counterfactuals.

Every expected number is derived in the docstring from the test library (helpers.py:
grassland 1,000 Yuan/ha/yr of GEP, ecological forest 4,000, ornamental forest 3,000,
garden shrub 3,000).
"""

from __future__ import annotations

import math

import pytest
from helpers import P, approx, period, solve

from planner.core.errors import InputError
from planner.explain import explain
from planner.explain.whatif import differences, parse, replacement_importance, why_not

COSTLY = {"ecological_forest": {"establishment_cost_yuan_per_ha": 1000}}
NONE = dict(importance=(), parameters=())


def _budget(build, budget=4000):
    return build([P("A1", "grassland", 10)], uses=COSTLY, periods=[period("2025", budget=budget)])


def _row(ex, constraint):
    r = ex.rules[ex.rules["constraint"] == constraint]
    assert len(r) == 1, ex.rules[["constraint", "where"]]
    return r.iloc[0]


def test_budget_shadow_price_and_range(build):
    """A1 grassland 10 ha; ecological forest +3,000 Yuan/ha/yr over grassland for 1,000 Yuan/ha;
    budget 4,000 Yuan -> 4 ha. One more Yuan plants 1/1,000 ha: worth 3 Yuan/yr per Yuan.
    The price holds until the whole 10 ha are planted (budget 10,000: loosen by 6,000) and
    down to a budget of 0 (tighten by 4,000)."""
    li = _budget(build)
    plan = solve(li)
    ex = explain(li, plan, **NONE)
    assert ex.lp_status == "optimal" and ex.lp_objective == approx(plan.objective)
    b = _row(ex, "budget")
    assert b["binding"] and b["unit"] == "Yuan" and b["sense"] == "<="
    assert b["shadow_price"] == pytest.approx(3.0, rel=1e-6)
    assert b["loosen_by"] == pytest.approx(6000, rel=1e-6)
    assert b["tighten_by"] == pytest.approx(4000, rel=1e-6)
    assert "3.00 Yuan/yr" in b["statement"] and "budget (period 2025)" in b["statement"]
    assert any("LP with every yes/no and whole-number decision" in n for n in ex.notes)


def test_slack_budget_has_no_price(build):
    """Budget 20,000 > the 10,000 that plants everything: the budget is slack by 10,000 Yuan
    and is not listed among the binding rules (all_rows lists it with price 0)."""
    li = _budget(build, 20_000)
    plan = solve(li)
    assert "budget" not in set(explain(li, plan, **NONE).rules["constraint"])
    row = explain(li, plan, all_rows=True, **NONE).rules.set_index("constraint").loc["budget"]
    assert not row["binding"] and row["slack"] == approx(10_000) and row["shadow_price"] == approx(0)


def test_garden_cap_shadow_price(build):
    """A1 grassland 30 ha, garden shrub 3,000 Yuan/ha/yr: the 20 ha cap binds and one more
    ha of cap turns 1 ha of grassland (1,000) into garden (3,000): 2,000 Yuan/yr per ha.
    The price holds until the garden covers the 30 ha parcel (loosen by 10 ha)."""
    li = build([P("A1", "grassland", 30)], uses=["garden_shrub"])
    plan = solve(li)
    ex = explain(li, plan, **NONE)
    cap = _row(ex, "garden_size_max")
    assert cap["unit"] == "ha" and cap["binding"]
    assert cap["shadow_price"] == pytest.approx(2000, rel=1e-6)
    assert cap["loosen_by"] == pytest.approx(10, rel=1e-6)
    summ = ex.rule_summary.set_index("constraint").loc["garden_size_max"]
    assert summ["binding"] == 1 and summ["max_shadow_price"] == pytest.approx(2000, rel=1e-6)


def test_ge_rule_price_is_the_value_of_lowering_it(build):
    """A1 grassland 10 ha; ornamental forest made worth *less* than grassland (eco 0.5 ->
    500 Yuan/ha/yr); forest_coverage_min 0.3. The plan plants exactly 3 ha (30% of 10 ha),
    and each ha the target is lowered keeps 1 ha of grassland: 1,000 - 500 = 500 Yuan/yr.
    The price holds down to no forest (loosen by 3 ha) and up to all 10 ha (tighten by 7)."""
    li = build(
        [P("A1", "grassland", 10)],
        uses={"ornamental_forest": {"equivalents": {"eco": 0.5}}},
        policies={"forest_coverage_min": 0.3},
    )
    plan = solve(li)
    ex = explain(li, plan, **NONE)
    cov = _row(ex, "forest_coverage")
    assert cov["sense"] == ">=" and cov["unit"] == "ha"
    assert cov["shadow_price"] == pytest.approx(500, rel=1e-6)
    assert cov["tighten_by"] == pytest.approx(7, rel=1e-6)  # up to all 10 ha forest
    assert cov["loosen_by"] == pytest.approx(3, rel=1e-6)  # down to no forest


def test_why_not_reduced_cost_and_margin(build):
    """A1 grassland 10 ha; ecological forest 4,000 and ornamental forest 3,000 Yuan/ha/yr.
    The plan takes 10 ha of ecological forest. Ornamental forest would have to be worth
    1,000 Yuan/ha/yr more to enter; ecological forest could be worth 1,000 less before the
    allocation changes."""
    li = build([P("A1", "grassland", 10)], uses=["ecological_forest", "ornamental_forest"])
    plan = solve(li)
    o = explain(li, plan, **NONE).options.set_index("use")
    assert o.loc["ornamental_forest", "status"] == "not taken"
    assert o.loc["ornamental_forest", "needs_yuan_per_ha_yr"] == approx(1000)
    assert o.loc["ornamental_forest", "best_parcel"] == "A1"
    assert o.loc["ecological_forest", "status"] == "taken"
    assert o.loc["ecological_forest", "taken_ha"] == approx(10)
    assert o.loc["ecological_forest", "margin_yuan_per_ha_yr"] == approx(1000)


def test_why_not_names_the_forbidding_rule(build):
    """Ecological forest only in village b: on a's parcel it is forbidden by the village
    permission, and lifting the ban would be worth 4,000 - 1,000 = 3,000 Yuan/yr per ha."""
    li = build(
        [P("A1", "grassland", 10), P("B1", "grassland", 1, village="b")],
        uses=["ecological_forest"],
        use_policies={"ecological_forest": {"villages": ["b"]}},
    )
    plan = solve(li)
    o = explain(li, plan, **NONE).options.set_index(["village", "use"])
    row = o.loc[("a", "ecological_forest")]
    assert row["status"] == "forbidden" and row["forbidden_by"] == "village_permission"
    assert "3,000 Yuan/yr per ha" in row["statement"]


def test_parameter_ranging_of_a_cost_multiplier(build):
    """Budget 4,000, forest at 1,000 m Yuan/ha (m = establishment_cost_multiplier = 1):
    the plan plants 4/m ha, objective 10,000 + 3,000 x 4/m, so one unit more of m is worth
    d/dm = -12,000 Yuan/yr at m = 1. The plan's basis (budget binding, forest between its
    bounds) holds while 4/m <= 10, i.e. for m >= 0.4, with no upper limit."""
    li = _budget(build)
    plan = solve(li)
    ex = explain(li, plan, importance=(), parameters=["prices.establishment_cost_multiplier"])
    r = ex.parameters.iloc[0]
    assert r["affects_plan_lp"]
    assert r["objective_per_unit"] == pytest.approx(-12_000, rel=1e-6)
    assert r["low"] == pytest.approx(0.4, abs=2e-3)
    assert math.isinf(r["high"])


def test_parameter_ranging_of_a_price_that_does_not_enter(build):
    """No parcel earns carbon: the forestry carbon price does not enter the LP; any value keeps the plan."""
    li = _budget(build)
    plan = solve(li)
    r = explain(li, plan, importance=(), parameters=["prices.forestry_carbon_yuan_per_t"]).parameters.iloc[0]
    assert not r["affects_plan_lp"] and math.isinf(r["high"]) and r["objective_per_unit"] == approx(0)


def test_parameter_path_must_exist(build):
    li = _budget(build)
    plan = solve(li)
    with pytest.raises(InputError) as e:
        explain(li, plan, importance=(), parameters=["prices.no_such_price"])
    assert e.value.problems[0].file == "--range"


def _garden(build):
    return build([P("A1", "grassland", 30)], uses=["garden_shrub"])  # one garden per village is off in tests


def test_replacement_importance_of_a_garden(build):
    """The 20 ha garden (3,000 Yuan/ha/yr) on 30 ha of grassland (1,000): 70,000 Yuan/yr.
    Without it all 30 ha stay grassland: 30,000. Forbidding the garden loses 40,000 Yuan/yr."""
    li = _garden(build)
    plan = solve(li)
    imp = replacement_importance(li, plan, ["gardens", "allocations"], workers=1)
    g = imp.set_index("kind").loc["garden"]
    assert g["in_plan"] and g["action"] == "forbid" and g["status"] == "optimal"
    assert g["loss_yuan"] == approx(40_000)
    a = imp.set_index("item").loc["a:garden_shrub"]
    assert a["loss_yuan"] == approx(40_000)
    assert "40,000 Yuan/yr less" in g["statement"]


def test_importance_of_a_required_garden_is_infeasible(build):
    """With one garden per village required, the garden cannot be forbidden: status infeasible."""
    li = build([P("A1", "grassland", 30)], uses=["garden_shrub"], policies={"one_garden_per_village": True})
    plan = solve(li)
    g = replacement_importance(li, plan, ["gardens"], workers=1).iloc[0]
    assert g["status"] == "infeasible" and g["loss_yuan"] is None
    assert "cannot be removed" in g["statement"]


def test_why_not_forced_area(build):
    """Forcing 2 ha of ornamental forest (3,000) instead of ecological forest (4,000) on
    A1 (10 ha) costs 2 x 1,000 = 2,000 Yuan/yr; the differences show -2 ha / +2 ha."""
    li = build([P("A1", "grassland", 10)], uses=["ecological_forest", "ornamental_forest"])
    plan = solve(li)
    w = why_not(li, plan, [parse("area:a:ornamental_forest>=2", "force", li)])
    assert w.status == "optimal" and w.change == approx(-2_000)
    assert "costs 2,000 Yuan/yr" in w.statement()
    d = w.differences.set_index(["what", "where"])
    assert d.loc[("area", "a:ornamental_forest"), "change"] == approx(2)
    assert d.loc[("area", "a:ecological_forest"), "change"] == approx(-2)


def test_why_not_forbidden_garden_and_forced_garden(build):
    """Forbidding the garden: -40,000 Yuan/yr (as above). Forcing it when the plan already
    has it costs nothing."""
    li = _garden(build)
    plan = solve(li)
    w = why_not(li, plan, [parse("garden:a", "forbid", li)])
    assert w.change == approx(-40_000)
    assert w.differences.set_index("what").loc["garden built", "change"] == approx(-1)
    w2 = why_not(li, plan, [parse("garden:a", "force", li)])
    assert w2.change == approx(0) and "costs nothing" in w2.statement()


def test_why_not_infeasible_alternative(build):
    """Forcing 15 ha of ecological forest on a 10 ha parcel: no plan."""
    li = build([P("A1", "grassland", 10)], uses=["ecological_forest"])
    plan = solve(li)
    w = why_not(li, plan, [parse("area:a:ecological_forest>=15", "force", li)], diagnose=False)
    assert w.status == "infeasible" and w.change is None
    assert "no plan satisfies every rule" in w.statement()


@pytest.mark.parametrize(
    "text,action,field_hint",
    [
        ("garden:nowhere", "force", "unknown village"),
        ("area:a:no_use>=1", "force", "unknown use"),
        ("area:a:ecological_forest", "force", "needs a size"),
        ("project:x>=1", "forbid", "unknown project"),
        ("planet:a", "force", "unknown kind"),
        ("area:a:ecological_forest>=1@2099", "force", "unknown period"),
    ],
)
def test_bad_decisions_are_input_errors(build, text, action, field_hint):
    li = build([P("A1", "grassland", 10)], uses=["ecological_forest"])
    with pytest.raises(InputError) as e:
        parse(text, action, li)
    assert e.value.problems[0].file == f"--{action}"
    assert any(field_hint in p.message for p in e.value.problems)


def test_differences_of_identical_plans_are_empty(build):
    li = _budget(build)
    plan = solve(li)
    assert differences(plan, plan).empty


def test_explanation_json_round_trip(build, tmp_path):
    """explanation.json has no NaN/inf (infinite ranges become null) and reads back."""
    from planner.explain.result import Explanation

    li = _budget(build)
    plan = solve(li)
    ex = explain(li, plan, importance=("gardens",), parameters=["prices.establishment_cost_multiplier"])
    ex.write(tmp_path)
    text = (tmp_path / "explanation.json").read_text()
    assert "NaN" not in text and "Infinity" not in text
    back = Explanation.from_json(tmp_path)
    assert back.plan_status == "optimal" and len(back.rules) == len(ex.rules)
    assert back.parameters.iloc[0]["high"] is None or math.isnan(back.parameters.iloc[0]["high"])
    assert (tmp_path / "explain_rules.csv").exists()


def test_ge_rule_statement_says_lowering(build):
    """A >= rule's price is the value of lowering its minimum (the coverage case above)."""
    li = build(
        [P("A1", "grassland", 10)],
        uses={"ornamental_forest": {"equivalents": {"eco": 0.5}}},
        policies={"forest_coverage_min": 0.3},
    )
    cov = _row(explain(li, solve(li), **NONE), "forest_coverage")
    assert "lowering it by one ha is worth 500 Yuan/yr" in cov["statement"]


def test_lexicographic_why_not_compares_the_first_goal(build):
    """Lexicographic GEP then dividends. A1 grassland 10 ha: ecological forest (4,000 GEP) or
    fruit (3,000 GEP plus 500 Yuan/ha/yr of income to the collective). GEP first: 10 ha of
    forest, GEP 40,000. Forbidding the forest: fruit, GEP 30,000 (dividends up by 5,000).
    The first goal that changes is GEP: the decision costs 10,000 Yuan/yr of GEP, not a gain."""
    li = build(
        [P("A1", "grassland", 10)],
        uses={"ecological_forest": None, "fruit_expansion": {"income_yuan_per_ha_yr": 500}},
        objective={"mode": "lexicographic", "order": ["gep", "dividends"]},
        policies={"ecological_space_no_decrease": False},
    )  # fruit (not eco space) may replace grassland
    plan = solve(li)
    w = why_not(li, plan, [parse("area:a:ecological_forest", "forbid", li)])
    assert w.goal == "gep" and w.change == approx(-10_000)
    assert "costs 10,000 Yuan/yr of GEP" in w.statement()
    imp = replacement_importance(li, plan, ["allocations"], workers=1).set_index("item")
    assert imp.loc["a:ecological_forest", "goal"] == "gep"
    assert imp.loc["a:ecological_forest", "loss_yuan"] == approx(10_000)


def test_non_optimal_base_is_never_called_a_gain(build):
    """Against a plan that is not proved optimal the change is stated versus that plan."""
    li = build([P("A1", "grassland", 10)], uses=["ecological_forest", "ornamental_forest"])
    plan = solve(li)
    plan.status, plan.termination, plan.mip_gap = "feasible", "maxTimeLimit", 0.1
    plan.objective -= 5_000  # pretend the incumbent was worse
    w = why_not(li, plan, [parse("area:a:ornamental_forest>=2", "force", li)])
    assert w.change == approx(3_000)
    st = w.statement()
    assert "not proved optimal" in st and "gains" not in st and "better than this plan" in st


def test_importance_without_gardens_or_projects(build, tmp_path):
    """A saved plan with no garden or project rows: nothing to re-solve, no error."""
    from planner.plan.plan import Plan

    li = build([P("A1", "grassland", 10)], uses=["ecological_forest"])
    plan = solve(li)
    plan.write(tmp_path)
    back = Plan.from_json(tmp_path / "plan.json")
    imp = replacement_importance(li, back, ["gardens", "projects"], workers=1)
    assert imp.empty


def test_infinite_sizes_are_refused(build):
    li = build([P("A1", "grassland", 10)], uses=["ecological_forest"])
    with pytest.raises(InputError) as e:
        parse("area:a:ecological_forest>=1e999", "force", li)
    assert "finite" in e.value.problems[0].message
