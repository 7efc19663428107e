"""Infeasibility diagnosis (planner.explain.diagnose): impossible rules, the smallest
relaxation under the documented costs (planner.explain.repair: Yuan-equivalents per unit,
money first; some tests set the costs), the conflicting rules and the IIS of the LP relaxation, on
hand-made instances whose answer is derived in each docstring. Every infeasible instance
is first shown to be infeasible by planner.solve."""

from __future__ import annotations

import json

import pytest
from helpers import P, period, solve

from planner.explain.diagnose import Diagnosis, diagnose

# a land option worth what grassland is worth: gives the model a land decision, changes nothing
NEUTRAL = {"ecological_forest": {"equivalents": {"eco": 1}}}
POOL = {"a": {"labour_pool": {"residents": 100}}}


def project(capex, required=True, id="P"):
    return {
        "id": id,
        "channel": "forest",
        "host_village": "a",
        "capex_yuan": capex,
        "required": required,
        "income_yuan_per_yr": {"cultural_tourism": 1000},
        "shares": {"villagers": 1.0},
    }


def role(min=0, max=100, wage=0, norm="plant2"):
    return {"id": "planters", "channel": "forest", "min": min, "max": max, "norm": norm, "wage_yuan_per_yr": wage}


def _infeasible(li):
    plan = solve(li)
    assert plan.status == "infeasible"


def _json_safe(dg: Diagnosis) -> dict:
    d = dg.to_dict()
    json.dumps(d, allow_nan=False)
    return d


def _rules(dg: Diagnosis) -> set[str]:
    return set(dg.relaxations["constraint"]) | set(dg.conflicts["constraint"])


def test_budget_too_small_for_a_required_project(build):
    """One 1-year period with budget B = 100,000 Yuan; project P (capex C = 300,000 Yuan) is
    required; nothing else costs money. Every plan builds P in 2025 and spends 300,000 > B:
    infeasible. Two ways out: raise the budget by C - B = 200,000 Yuan (0.2 row units of a
    million Yuan) or drop the requirement (1 project = 1 unit): 0.2 < 1, so exactly the
    budget is relaxed, by 200,000 Yuan. The rule that holds the spending is the requirement:
    moving built[P, 2025] from 1 to 0 would empty the budget's slack and open the
    requirement's. The LP relaxation is infeasible too (built >= 1 and 0.3 built <= 0.1):
    IIS = {budget, project_required}.
    """
    li = build(
        [P("A1", "grassland", 9)], uses=NEUTRAL, projects=[project(300_000)], periods=[period("2025", budget=100_000)]
    )
    _infeasible(li)
    dg = diagnose(li)
    assert dg.status == "infeasible"
    r = dg.relaxations
    assert list(r["constraint"]) == ["budget"]
    row = r.iloc[0]
    assert row["amount"] == pytest.approx(200_000, rel=1e-3)
    assert row["unit"] == "Yuan" and row["sense"] == "<="
    assert row["field"] == "periods.2025.budget_yuan"
    assert "raise periods.2025.budget_yuan by at least 200,000" in row["statement"]
    c = dg.conflicts
    held = c[(c["constraint"] == "project_required") & (c["role"] == "conflicting")]
    assert len(held) == 1 and "built[P, 2025]" in held["how"].iloc[0]
    assert "budget" in held["against"].iloc[0]
    assert set(dg.iis["constraint"]) == {"budget", "project_required"}
    lines = dg.summary_lines()
    assert lines[0].startswith("relax: budget (period 2025) short by 200,000 Yuan")
    assert any(
        line.startswith("conflicting rules: the budget conflicts with: required project built") for line in lines
    )
    d = _json_safe(dg)
    assert d["status"] == "infeasible" and d["relaxations"][0]["index"] == ["2025"]


def test_requirement_dropped_when_the_shortfall_exceeds_its_cost(build):
    """As above with C = 1,600,000 and a project costing 1,000,000 Yuan-equivalents when
    dropped (``costs: {decisions: 1e6}``): raising the budget would cost 1,500,000, dropping
    the requirement 1,000,000: the costs pick the requirement, short by 1 project (total
    1,000,000), and the budget is named as what it conflicts with. With the default costs (a
    project dropped: 100 M) the budget is raised by 1,500,000 instead."""
    li = build(
        [P("A1", "grassland", 9)], uses=NEUTRAL, projects=[project(1_600_000)], periods=[period("2025", budget=100_000)]
    )
    _infeasible(li)
    default = diagnose(li, iis=False)
    assert list(default.relaxations["constraint"]) == ["budget"]
    assert default.relaxations["amount"].iloc[0] == pytest.approx(1_500_000, rel=1e-6)
    assert default.total_relaxation == pytest.approx(1_500_000, rel=1e-6)
    dg = diagnose(li, iis=False, repair={"costs": {"decisions": 1e6}})
    assert dg.total_relaxation == pytest.approx(1_000_000, rel=1e-6)
    r = dg.relaxations
    assert list(r["constraint"]) == ["project_required"]
    assert r["amount"].iloc[0] == pytest.approx(1.0)
    assert r["field"].iloc[0] == "projects.P.required"
    assert "budget" in set(dg.conflicts.loc[dg.conflicts["role"] == "conflicting", "constraint"])
    assert dg.iis is None and any("IIS skipped" in n for n in dg.notes)


def test_role_minimum_above_the_village_labour_pool(build):
    """Planters: at least 5 (roles.planters.min); village a has 3 residents and no one else
    (labour pools of people living outside and returning are 0). recruit = assign and
    assign <= 3: at most 3 planters, infeasible. Relaxing either the minimum or the pool by
    2 people makes it feasible, at the same weight (2 people); whichever is relaxed, the
    other rule holds the recruits and is listed against it."""
    li = build(
        [P("A1", "grassland", 9)],
        uses={"ecological_forest": None},
        villages={"a": {"labour_pool": {"residents": 3}}},
        roles=[role(min=5)],
    )
    _infeasible(li)
    dg = diagnose(li)
    assert dg.status == "infeasible"
    r = dg.relaxations
    assert len(r) == 1 and r["constraint"].iloc[0] in ("recruit_min", "labour_pool")
    assert r["amount"].iloc[0] == pytest.approx(2.0)
    assert r["unit"].iloc[0] == "people"
    assert {"recruit_min", "labour_pool"} <= _rules(dg)
    if r["constraint"].iloc[0] == "recruit_min":
        assert "lower roles.planters.min by 2 people" in r["statement"].iloc[0]
    else:
        assert "raise villages.a.labour_pool.residents by at least 2 people" in r["statement"].iloc[0]
    # the LP relaxation is infeasible as well: the IIS holds the minimum and the pool rows
    assert {"recruit_min", "labour_pool"} <= set(dg.iis["constraint"])


@pytest.mark.parametrize("case", ["coverage", "dividend_floor"])
def test_impossible_rows_are_reported_first(build, case):
    """coverage: 10 ha of bare mine and 1 ha of homestead (no vegetation) and no land-use
    option: vegetation coverage is 0 whatever is decided, below 50% of 11 ha. The row has no
    decision (a plain False), so add_rows records it in m._impossible.
    dividend_floor: village c has only bare mine and no option that earns anything; a floor
    of 1,000 Yuan/yr per village can never be met there."""
    if case == "coverage":
        li = build(
            [P("A1", "reclaimed_mine", 10), P("S1", "settlement", 1)],
            uses=[],
            policies={"vegetation_coverage_min": 0.5},
        )
        where, fld = "vegetation coverage target (period 2025)", "policies.vegetation_coverage_min"
    else:
        parcels = [
            P("A1", "fruit_forest", 1, village="a"),
            P("B1", "grassland", 10, village="b"),
            P("C1", "reclaimed_mine", 5, village="c"),
        ]
        li = build(
            parcels,
            uses={"fruit_expansion": {"equivalents": {"eco": 0.6}, "income_yuan_per_ha_yr": 200}},
            covers={"fruit_forest": {"income_yuan_per_ha_yr": 2000}},
            policies={"ecological_space_no_decrease": False, "dividend_floor_yuan": 1000},
        )
        where, fld = "dividend floor per village (village c, period 2025)", "policies.dividend_floor_yuan"
    _infeasible(li)
    dg = diagnose(li)
    assert dg.status == "infeasible"
    assert len(dg.impossible) == 1
    assert dg.impossible[0].startswith(where) and fld in dg.impossible[0]
    assert dg.relaxations.empty  # nothing else needs relaxing
    assert dg.summary_lines()[0] == f"impossible: {dg.impossible[0]}"
    assert where in set(dg.iis["where"])
    _json_safe(dg)


def test_feasible_instance(build):
    """Budget 1,000,000 for a required project of 300,000: a plan exists. The elastic
    re-solve needs no slack: status feasible, nothing relaxed, nothing in conflict."""
    li = build(
        [P("A1", "grassland", 9)], uses=NEUTRAL, projects=[project(300_000)], periods=[period("2025", budget=1_000_000)]
    )
    assert solve(li).status == "optimal"
    dg = diagnose(li)
    assert dg.status == "feasible"
    assert dg.relaxations.empty and dg.conflicts.empty and dg.impossible == [] and dg.iis is None
    assert dg.total_relaxation == pytest.approx(0.0, abs=1e-9)
    assert dg.summary_lines()[0].startswith("the instance has a plan")
    assert _json_safe(dg)["status"] == "feasible"


def test_iis_of_a_budget_against_a_required_project_and_role_wages(build):
    """Budget 100,000 Yuan (one 1-year period); project P (capex 60,000) required; at least 5
    planters at 10,000 Yuan/yr each (50,000); 100 residents. Spending is at least
    60,000 + 50,000 = 110,000 > 100,000, also with whole numbers dropped (built >= 1,
    recruits >= 5), so the LP relaxation is infeasible. Its IIS is the three rows {budget,
    project_required, recruit_min}: without the budget anything goes; without the
    requirement 50,000 fits; without the minimum 60,000 fits. No decision bound is needed.
    The elastic re-solve raises the budget by 10,000 Yuan (0.01 units, less than 1 project or
    1 person), and both the requirement and the minimum hold decisions against it."""
    li = build(
        [P("A1", "grassland", 9)],
        uses=NEUTRAL,
        villages=POOL,
        projects=[project(60_000)],
        roles=[role(min=5, wage=10_000)],
        periods=[period("2025", budget=100_000)],
    )
    _infeasible(li)
    dg = diagnose(li, iis=True)
    assert dg.status == "infeasible"
    rows = dg.iis[dg.iis["kind"] == "row"]
    assert set(rows["constraint"]) == {"budget", "project_required", "recruit_min"}
    assert len(rows) == 3 and len(dg.iis) <= 4
    assert dg.timings["iis"] < 5.0
    r = dg.relaxations
    assert list(r["constraint"]) == ["budget"] and r["amount"].iloc[0] == pytest.approx(10_000, rel=1e-3)
    conflicting = set(dg.conflicts.loc[dg.conflicts["role"] == "conflicting", "constraint"])
    assert {"project_required", "recruit_min"} <= conflicting
    assert any(line.startswith("irreducible infeasible set: 3 rules") for line in dg.summary_lines())


def test_infeasible_only_in_whole_numbers_gives_no_iis(build):
    """Forest coverage at least 50% of 10 ha of grassland: 5 ha of forest in the one 1-year
    period. Planters plant 2 ha a year and cost 1,000 Yuan/yr; budget 2,500. The LP relaxation
    is feasible (2.5 planters, 2,500 Yuan), but whole planters are 3 (3,000 Yuan): no plan.
    The elastic re-solve raises the budget by 500 Yuan (0.0005 units) rather than lowering
    the coverage by 1 ha (1 unit); the coverage target holds the planters against it. No IIS
    exists for the LP relaxation, and the notes say so."""
    li = build(
        [P("A1", "grassland", 10)],
        uses={"ecological_forest": None},
        villages=POOL,
        roles=[role(wage=1000)],
        policies={"forest_coverage_min": 0.5},
        periods=[period("2025", budget=2_500)],
    )
    _infeasible(li)
    dg = diagnose(li)
    assert dg.status == "infeasible"
    r = dg.relaxations
    assert list(r["constraint"]) == ["budget"] and r["amount"].iloc[0] == pytest.approx(500, rel=1e-3)
    assert "forest_coverage" in set(dg.conflicts["constraint"])
    assert dg.iis is None
    assert any("LP relaxation" in n and "whole-number" in n for n in dg.notes)


def test_modify_hook_forced_decisions_are_never_relaxed(build):
    """A counterfactual forbids P (``built[P, 2025] <= 0``, added by a ``modify(d, m)`` hook as
    in planner.explain.whatif) while P is required (capex 0, ample budget): no plan. The
    forced row is a definition of the question (``whatif`` is hard), so the requirement is
    relaxed, by 1 project, and the forced row is named as what holds built[P] at 0. A hook
    that adds a row no plan can meet (``zero >= 1``, recorded in m._impossible) is reported
    as impossible and left out of the elastic re-solve."""
    import pyomo.environ as pyo

    li = build([P("A1", "grassland", 9)], uses=NEUTRAL, projects=[project(0)])
    assert solve(li).status == "optimal"

    def forbid(d, m):
        m.whatif = pyo.ConstraintList()
        m.whatif.add(m.built["P", "2025"] <= 0)
        m._families.setdefault("whatif", []).append("whatif")

    dg = diagnose(li, modify=forbid)
    assert dg.status == "infeasible"
    assert list(dg.relaxations["constraint"]) == ["project_required"]
    assert dg.relaxations["amount"].iloc[0] == pytest.approx(1.0)
    assert "whatif" in set(dg.conflicts.loc[dg.conflicts["role"] == "conflicting", "constraint"])
    assert {"whatif", "project_required"} <= set(dg.iis["constraint"])

    def impossible(d, m):
        m.whatif = pyo.ConstraintList()
        m.whatif.add(m.zero >= 1)
        m._impossible.append(("whatif", "whatif", ()))
        m._families.setdefault("whatif", []).append("whatif")

    dg = diagnose(li, modify=impossible, iis=False)
    assert dg.status == "infeasible" and dg.relaxations.empty
    assert dg.impossible == ["forced or forbidden decision can never be met, whatever is decided: drop it [whatif]"]


def test_hard_rows_alone_in_conflict(build):
    """Two forced rows that contradict each other (built[P] >= 1 and <= 0, both ``whatif``,
    never relaxed): even the elastic model has no solution. The diagnosis says so and the
    IIS holds the two forced rows."""
    import pyomo.environ as pyo

    li = build([P("A1", "grassland", 9)], uses=NEUTRAL, projects=[project(0, required=False)])

    def both(d, m):
        m.whatif = pyo.ConstraintList()
        m.whatif.add(m.built["P", "2025"] >= 1)
        m.whatif.add(m.built["P", "2025"] <= 0)
        m._families.setdefault("whatif", []).append("whatif")

    dg = diagnose(li, modify=both)
    assert dg.status == "infeasible" and dg.relaxations.empty
    assert any("definitions" in n for n in dg.notes)
    assert list(dg.iis.loc[dg.iis["kind"] == "row", "constraint"]) == ["whatif", "whatif"]
    _json_safe(dg)


# ---------------------------------------------------------------------------------------
# repairs the planner chooses (planner.explain.repair): which rules may give, their costs
# ---------------------------------------------------------------------------------------


def test_keeping_money_drops_the_requirement_instead(build):
    """The first instance (budget 100,000, required project of 300,000): by default money
    gives first (200,000 Yuan at 1 each < 1 project at 100 M). With ``keep: [money]`` the
    budget may not give, so the requirement is dropped: 1 project, 100,000,000
    Yuan-equivalents. With ``may_give: [budget]`` the budget is raised again, and with
    nothing that may give (``keep: [money, projects]``) there is no repair: the elastic
    model is infeasible, which the notes say, naming the kept rules."""
    li = build(
        [P("A1", "grassland", 9)], uses=NEUTRAL, projects=[project(300_000)], periods=[period("2025", budget=100_000)]
    )
    dg = diagnose(li, iis=False, repair={"keep": ["money"]})
    assert list(dg.relaxations["constraint"]) == ["project_required"]
    assert dg.total_relaxation == pytest.approx(1e8, rel=1e-9)
    assert dg.relaxations["cost"].iloc[0] == pytest.approx(1e8)
    assert "budget" in dg.kept
    line = next(x for x in dg.summary_lines() if x.startswith("repair cost:"))
    assert line.startswith("repair cost: 100,000,000 Yuan-equivalents in all; per unit: a Yuan of budget or loan 1;")
    assert line.endswith("; may not give: budget")
    only = diagnose(li, iis=False, repair={"may_give": ["budget"]})
    assert list(only.relaxations["constraint"]) == ["budget"]
    assert only.total_relaxation == pytest.approx(200_000, rel=1e-6)
    none = diagnose(li, iis=False, repair={"keep": ["money", "projects"]})
    assert none.status == "infeasible" and none.relaxations.empty
    assert any("Even with every rule that may give loosened there is no plan" in n for n in none.notes)


def test_repair_settings_from_the_instance_and_bad_names(build):
    """The instance's ``repair`` section is the default; an unknown rule name is refused with
    the field named and what to use instead."""
    from planner.core.errors import InputError

    li = build(
        [P("A1", "grassland", 9)],
        uses=NEUTRAL,
        projects=[project(300_000)],
        periods=[period("2025", budget=100_000)],
        repair={"keep": ["budget"]},
    )
    dg = diagnose(li, iis=False)
    assert list(dg.relaxations["constraint"]) == ["project_required"]
    assert dg.to_dict()["repair"]["keep"] == ["budget"]
    with pytest.raises(InputError) as e:
        diagnose(li, iis=False, repair={"keep": ["garden"]})
    text = str(e.value)
    assert "repair.keep" in text and "unknown rule name(s) ['garden']" in text and "gardens" in text


def _coverage(build, target):
    costly = {"ecological_forest": {"establishment_cost_yuan_per_ha": 1000}}
    return build(
        [P("G", "grassland", 10)],
        uses=costly,
        periods=[period("2025", budget=5000)],
        policies={"ecological_space_no_decrease": False, "forest_coverage_min": target},
    )


def test_single_target_reports_the_most_the_land_allows(build):
    """G grassland 10 ha; ecological forest (arbor, canopy above the 0.2 floor) costs 1,000
    Yuan/ha; budget 5,000: at most 5 ha of forest, 50% coverage. A target of 60% (6 ha) is
    short by 1 ha. By default the budget gives: 1,000 Yuan at 1 each, less than 1 ha of
    target at 1,000,000. Kept money, the target gives 1 ha, and the target alone is then
    optimised with every other rule held: forest coverage can reach at most 50% of the
    township, so set policies.forest_coverage_min to 0.5 or less."""
    li = _coverage(build, 0.6)
    _infeasible(li)
    dg = diagnose(li, iis=False)
    assert list(dg.relaxations["constraint"]) == ["budget"]
    assert dg.relaxations["amount"].iloc[0] == pytest.approx(1_000, rel=1e-6)
    assert dg.attainable == []
    kept = diagnose(li, iis=False, repair={"keep": ["money"]})
    assert list(kept.relaxations["constraint"]) == ["forest_coverage"]
    assert kept.relaxations["amount"].iloc[0] == pytest.approx(1.0, rel=1e-6)
    (a,) = kept.attainable
    assert a["best_share"] == pytest.approx(0.5, abs=1e-9) and a["asked_share"] == pytest.approx(0.6)
    assert a["statement"] == (
        "forest coverage target (period 2025) can reach at most 50.00% of the township (asked: 60.00%); "
        "set policies.forest_coverage_min to 0.5 or less"
    )
    assert f"most the land allows: {a['statement']}" in kept.summary_lines()
    assert kept.to_dict()["attainable"][0]["best"] == pytest.approx(5.0)


def test_impossible_why_not_names_the_rules_that_block_it(tmp_path):
    """On the bundled ``tiny`` instance: parcel W1 is red-line grassland (conservation space)
    and fruit expansion would change its space type, which ``red_line_type`` forbids: forcing
    a hectare of fruit there is infeasible and the diagnosis relaxes exactly that ban, so the
    why-not names it. E3 is permanent basic farmland, and the library makes ecological
    forest only from grassland, scattered farmland and reclaimed mine: both are named."""
    import planner
    from planner.explain.whatif import parse, why_not

    li = planner.load_instance("instances/tiny.yaml")
    plan = solve(li)
    w = why_not(li, plan, [parse("parcel:W1:fruit_expansion>=1", "force", li)])
    assert w.status == "infeasible"
    assert w.blocked_by == [
        "red-line space types unchanged (parcel W1, use fruit_expansion) (policies.red_line_type_unchanged)"
    ]
    assert w.statement().endswith("blocked by: " + w.blocked_by[0] + ".")
    assert w.to_dict()["blocked_by"] == w.blocked_by
    e3 = why_not(li, plan, [parse("parcel:E3:ecological_forest>=1", "force", li)])
    assert e3.status == "infeasible"
    assert e3.blocked_by[:2] == [
        "parcel E3 is permanent basic farmland, which keeps its use (policies.farmland_protection)",
        "the library makes ecological_forest only from grassland, scattered_farmland, reclaimed_mine, "
        "not from parcel E3's permanent_farmland",
    ]
