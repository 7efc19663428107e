"""targets: a KPI of the plan required as a floor or a cap in a period, for the township or
one village, GEP also by service or category; the plan's ``targets`` table; the diagnosis
of a required target no plan can meet; on Nuanshui, requiring the paper's 2025 GEP and
carbon targets changes nothing."""

from __future__ import annotations

import pytest
from helpers import FORESTRY_YUAN_PER_HA, P, approx, area, period, recruits, solve

import planner
from planner.core.kpis import TARGET_KPIS
from planner.model.rules import targets as target_rules
from planner.verify import verify_plan

COSTLY = {"ecological_forest": {"establishment_cost_yuan_per_ha": 1000}}


def _target(kpi, period="2025", **kw):
    return {"kpi": kpi, "period": period, "required": True, **kw}


def _row(plan, target):
    t = plan.targets.set_index("target")
    return t.loc[target]


def test_every_target_kpi_has_rows():
    """Every KPI an instance may set a target on (planner.core.kpis) can be required: it has a
    component of the targets family, and a coverage target is a share of an area."""
    assert set(target_rules.COMPONENT) == set(TARGET_KPIS)
    assert set(target_rules.COMPONENT.values()) == set(target_rules.ROWS)
    assert set(target_rules.SHARES) <= set(TARGET_KPIS)


def _two_villages(build, targets, budget=10_000):
    """A1 (village a) and B1 (village b), 10 ha of grassland each (GEP 1,000 Yuan/ha/yr).
    Ecological forest (4,000/ha) only in a, ornamental forest (3,000/ha) only in b, both
    1,000 Yuan/ha to plant; budget 10,000 Yuan plants 10 ha."""
    cost = {"establishment_cost_yuan_per_ha": 1000}
    return build(
        [P("A1", "grassland", 10, village="a"), P("B1", "grassland", 10, village="b")],
        uses={"ecological_forest": cost, "ornamental_forest": cost},
        use_policies={"ecological_forest": {"villages": ["a"]}, "ornamental_forest": {"villages": ["b"]}},
        periods=[period("2025", budget=budget)],
        targets=targets,
    )


def test_village_gep_floor(build):
    """Ecological forest in a gains 3,000 Yuan/ha/yr, ornamental in b 2,000: the 10 ha the
    budget plants go to a (GEP 20,000 + 30,000 = 50,000). Village b's GEP required at least
    18,000 = 10 x 1,000 + 4 x 2,000: 4 ha in b, 6 in a:
    GEP = 20,000 + 6 x 3,000 + 4 x 2,000 = 46,000 Yuan/yr.
    Constraint: `target_income`.
    """
    free = solve(_two_villages(build, []))
    assert free.objective == approx(50_000)
    assert area(free, village="b") == approx(0)
    plan = solve(_two_villages(build, [_target("gep_yuan", village="b", min=18_000, id="gep_b")]))
    assert plan.status == "optimal"
    assert area(plan, use="ornamental_forest") == approx(4)
    assert area(plan, use="ecological_forest") == approx(6)
    assert plan.objective == approx(46_000)
    row = _row(plan, "gep_b")
    assert row["value"] == approx(18_000) and bool(row["met"]) and bool(row["required"])
    assert row["village"] == "b"


def test_reported_target_is_not_a_rule(build):
    """The same target without ``required`` changes nothing (50,000 Yuan/yr) and is reported as
    not met: village b's GEP stays 10,000."""
    plan = solve(_two_villages(build, [{"kpi": "gep_yuan", "period": "2025", "village": "b", "min": 18_000}]))
    assert plan.objective == approx(50_000)
    row = _row(plan, "0")
    assert row["value"] == approx(10_000) and not bool(row["met"]) and not bool(row["required"])


TWO_SERVICES = {
    "services": [{"id": "eco", "category": "regulating"}, {"id": "food", "category": "provisioning"}],
}


@pytest.mark.parametrize("service", ["food", "provisioning"])
def test_gep_by_service_floor(build, service):
    """Two services: scattered farmland has 1 eco equivalent (1,000 Yuan/ha/yr, regulating); ecological
    forest 4 eco (4,000); fruit 3 food (3,000, provisioning). 10 ha: forest everywhere gives
    40,000. Provisioning GEP (service food, or the category) required at least 9,000: 3 ha of
    fruit, 7 of forest: 7 x 4,000 + 3 x 3,000 = 37,000 Yuan/yr.
    Constraint: `target_income`.
    """
    li = build(
        [P("A1", "scattered_farmland", 10)],
        uses={"ecological_forest": None, "fruit_expansion": {"equivalents": {"food": 3}}},
        library_extra=TWO_SERVICES,
        targets=[_target("gep_yuan", service=service, min=9_000)],
    )
    plan = solve(li)
    assert plan.status == "optimal"
    assert area(plan, use="fruit_expansion") == approx(3)
    assert plan.objective == approx(37_000)
    assert _row(plan, "0")["value"] == approx(9_000)


def test_village_forestry_carbon_floor(build):
    """Village a: 5 ha of forest registered for carbon (5 x 5,000 GEP, 5 x 609 = 3,045 Yuan/yr
    forestry carbon to its collective). Village b: 10 ha of grassland, where ornamental forest
    (5 equivalents: +4,000 Yuan/ha/yr, no carbon) beats ecological forest (+3,000 and 609 Yuan/ha/yr
    of carbon to the collective: +3,609). Unconstrained: all ornamental,
    25,000 + 50,000 + 3,045 = 78,045. b's forestry carbon required at least 4 x 609 = 2,436
    (the township's 3,045 already exceeds it): 4 ha of ecological forest,
    25,000 + 4 x 4,000 + 6 x 5,000 + 3,045 + 2,436 = 76,481 Yuan/yr.
    Constraint: `target_income`.
    """

    def inst(targets):
        return build(
            [P("A1", "forest", 5, village="a", carbon_registered=True), P("B1", "grassland", 10, village="b")],
            uses={"ecological_forest": {"forestry_carbon": True}, "ornamental_forest": {"equivalents": {"eco": 5}}},
            use_policies={"ecological_forest": {"villages": ["b"]}, "ornamental_forest": {"villages": ["b"]}},
            targets=targets,
        )

    floor = 4 * FORESTRY_YUAN_PER_HA
    free = solve(inst([_target("forestry_carbon_income_yuan", min=floor)]))  # township: met already
    assert free.objective == approx(78_045)
    plan = solve(inst([_target("forestry_carbon_income_yuan", village="b", min=floor)]))
    assert plan.status == "optimal"
    assert area(plan, use="ecological_forest") == approx(4)
    assert plan.objective == approx(76_481)
    assert _row(plan, "0")["value"] == approx(floor)


def test_budget_used_cap(build):
    """A1 10 ha of grassland, forest +3,000 Yuan/ha/yr at 1,000 Yuan/ha, budget 10,000. Budget
    used required at most 3,000: 3 ha, 10,000 + 9,000 = 19,000 Yuan/yr (40,000 without).
    Constraint: `target_budget`.
    """
    li = build(
        [P("A1", "grassland", 10)],
        uses=COSTLY,
        periods=[period("2025", budget=10_000)],
        targets=[_target("budget_used_yuan", max=3_000)],
    )
    plan = solve(li)
    assert plan.status == "optimal"
    assert area(plan, use="ecological_forest") == approx(3)
    assert plan.objective == approx(19_000)


def test_afforested_cap(build):
    """Afforested area required at most 4 ha of the 10: 10,000 + 4 x 3,000 = 22,000 Yuan/yr.
    Constraint: `target_area`.
    """
    li = build([P("A1", "grassland", 10)], uses=["ecological_forest"], targets=[_target("afforested_ha", max=4)])
    plan = solve(li)
    assert plan.status == "optimal"
    assert area(plan, use="ecological_forest") == approx(4)
    assert plan.objective == approx(22_000)


def test_village_forest_coverage_floor(build):
    """As test_village_gep_floor, with village b's forest coverage required at least 30% of its
    10 ha: 3 ha of ornamental forest in b, 7 ha of ecological forest in a:
    20,000 + 7 x 3,000 + 3 x 2,000 = 47,000 Yuan/yr; the township's forest coverage is 50%.
    Constraint: `target_area`.
    """
    plan = solve(_two_villages(build, [_target("forest_coverage", village="b", min=0.3)]))
    assert plan.status == "optimal"
    assert area(plan, use="ornamental_forest") == approx(3)
    assert plan.objective == approx(47_000)
    assert _row(plan, "0")["value"] == approx(0.3)
    assert plan.kpi("forest_coverage", "2025") == approx(0.5)


def _gardens(build, targets):
    """Villages a and b, 2 ha of settlement each (no GEP). A garden is 1-20 ha, at least 90%
    vegetated: 1.8 ha of shrub (3,000 Yuan/ha/yr) and 0.2 ha of facility (10,000) = 7,400."""
    return build(
        [P("A1", "settlement", 2, village="a"), P("B1", "settlement", 2, village="b")],
        uses=["garden_shrub", "garden_facility"],
        targets=targets,
    )


def test_gardens_cap(build):
    """Each garden adds 7,400 Yuan/yr: two gardens, 14,800. Gardens built required at most 1:
    7,400 Yuan/yr.
    Constraint: `target_gardens`.
    """
    assert solve(_gardens(build, [])).objective == approx(14_800)
    plan = solve(_gardens(build, [_target("gardens_built", max=1)]))
    assert plan.status == "optimal"
    assert plan.kpi("gardens_built", "2025") == 1
    assert plan.objective == approx(7_400)


def test_projects_floor(build):
    """Project P costs 5,000 Yuan and pays its host village's villagers 1,000 Yuan/yr; the same
    5,000 Yuan plant 5 ha of forest (+15,000 Yuan/yr), so P is not built (40,000). Projects
    built required at least 1: 5 ha of forest and P, 10,000 + 15,000 + 1,000 = 26,000 Yuan/yr.
    Constraint: `target_projects`.
    """
    proj = {
        "id": "P",
        "channel": "forest",
        "host_village": "a",
        "capex_yuan": 5000,
        "income_yuan_per_yr": {"cultural_tourism": 1000},
        "shares": {"villagers": 1.0},
    }

    def inst(targets):
        return build(
            [P("A1", "grassland", 10)],
            uses=COSTLY,
            periods=[period("2025", budget=10_000)],
            projects=[proj],
            targets=targets,
        )

    assert solve(inst([])).objective == approx(40_000)
    plan = solve(inst([_target("projects_built", village="a", min=1)]))
    assert plan.status == "optimal"
    assert plan.kpi("projects_built", "2025") == 1
    assert area(plan, use="ecological_forest") == approx(5)
    assert plan.objective == approx(26_000)


def test_people_floor(build):
    """A role with no work norm (fixed), 0-100 people at 1,000 Yuan/yr; forest at 1,000 Yuan/ha,
    budget 10,000: nobody is recruited (40,000). People recruited required at least 3: 3,000 Yuan
    of wages, 7 ha of forest: 10,000 + 21,000 = 31,000 Yuan/yr.
    Constraint: `target_people`.
    """
    role = {"id": "guides", "channel": "forest", "min": 0, "max": 100, "norm": "fixed", "wage_yuan_per_yr": 1000}
    li = build(
        [P("A1", "grassland", 10)],
        uses=COSTLY,
        villages={"a": {"labour_pool": {"residents": 100}}},
        roles=[role],
        periods=[period("2025", budget=10_000)],
        targets=[_target("recruited_people", min=3)],
    )
    plan = solve(li)
    assert plan.status == "optimal"
    assert recruits(plan, role="guides") == 3
    assert plan.objective == approx(31_000)


def test_two_sided_target_in_one_period(build):
    """Afforested area required between 2 and 3 ha in 2025 (two one-year periods, forest +3,000):
    3 ha in 2025, all 10 in 2035 (the target is 2025's only):
    (10,000 + 9,000) + (10,000 + 30,000) = 59,000 Yuan/yr."""
    li = build(
        [P("A1", "grassland", 10)],
        uses=["ecological_forest"],
        periods=[period("2025"), period("2035")],
        targets=[_target("afforested_ha", min=2, max=3)],
    )
    plan = solve(li)
    assert area(plan, use="ecological_forest", period="2025") == approx(3)
    assert area(plan, use="ecological_forest", period="2035") == approx(10)
    assert plan.objective == approx(59_000)


def test_target_that_cannot_be_met_is_named_with_its_shortfall(build):
    """Afforested area required at least 12 ha on 10 ha of grassland: no plan. The diagnosis
    relaxes the target by 2 ha and names it by its label, the period and the field to change."""
    from planner.explain.diagnose import diagnose

    li = build(
        [P("A1", "grassland", 10)],
        uses=["ecological_forest"],
        targets=[_target("afforested_ha", min=12, id="forest_push", label="Afforest 12 ha")],
    )
    plan = solve(li)
    assert plan.status == "infeasible"
    dg = diagnose(li, iis=False)
    assert dg.status == "infeasible"
    r = dg.relaxations
    row = r[r["constraint"] == "target_area"].iloc[0]
    assert row["amount"] == approx(2)
    assert "Afforest 12 ha" in row["statement"]
    assert "targets.forest_push.min" in row["statement"]
    assert "short by 2 ha" in row["statement"]


def test_coverage_target_shortfall_as_a_share(build):
    """Forest coverage of the township required at least 80% where at most 10 of the 20 ha can
    be forest (B1 is settlement): short by 6 ha, 30 percentage points."""
    from planner.explain.diagnose import diagnose

    li = build(
        [P("A1", "grassland", 10), P("B1", "settlement", 10)],
        uses=["ecological_forest"],
        targets=[_target("forest_coverage", min=0.8)],
    )
    dg = diagnose(li, iis=False)
    row = dg.relaxations[dg.relaxations["constraint"] == "target_area"].iloc[0]
    assert row["amount"] == approx(6)
    assert "30 percentage points" in row["statement"]
    assert "at most 50%" in row["statement"]


def test_target_no_decision_can_meet_is_impossible(build):
    """A garden target for a village with no land a garden can use: no decision moves it, so the
    model records it as impossible and the diagnosis says so."""
    from planner.explain.diagnose import diagnose

    li = build(
        [P("A1", "grassland", 10)],
        uses=["ecological_forest"],
        targets=[_target("gardens_built", village="a", min=1, id="garden_a")],
    )
    dg = diagnose(li, iis=False)
    assert dg.status == "infeasible"
    assert any("garden_a" in s and "can never be met" in s for s in dg.impossible)


def test_verifier_finds_a_required_target_not_met(build):
    """A plan that meets the target, checked against the instance with the target raised: the
    verifier reports it (rule ``targets``) and that the plan's met flag is wrong."""
    li = build([P("A1", "grassland", 10)], uses=["ecological_forest"], targets=[_target("afforested_ha", max=4)])
    plan = solve(li)
    stricter = li.replace(**{"targets.0.max": 3})
    ver = verify_plan(plan, stricter)
    rules = {v["rule"] for v in ver["violations"]}
    assert not ver["passed"]
    assert "targets" in rules and "derived_tables" in rules


def test_bad_target_fields_are_refused(build_path):
    """An unknown village or service, and a service on a non-GEP target, name the field."""
    from planner.core.errors import InputError

    path = build_path(
        [P("A1", "grassland", 10)],
        uses=["ecological_forest"],
        targets=[_target("gep_yuan", village="zz", service="nope", min=1)],
    )
    with pytest.raises(InputError) as e:
        planner.load_instance(path)
    text = str(e.value)
    assert "targets[0].village" in text and "unknown village 'zz'" in text
    assert "targets[0].service" in text and "unknown service 'nope'" in text
    path = build_path([P("A1", "grassland", 10)], targets=[_target("afforested_ha", service="eco", min=1)])
    with pytest.raises(InputError, match="service is for gep_yuan targets only"):
        planner.load_instance(path)


def test_nuanshui_paper_targets_required_leave_the_plan_unchanged():
    """Requiring the paper's 2025 GEP (65.55 bn, the paper's 65.6 bn to its 0.1 bn) and carbon
    targets (forestry above 6 M, agricultural above 200,000 Yuan/yr) changes nothing, because
    the optimum meets them with room to spare (65.60 bn, 8.44 M, 222,686 Yuan/yr):

    - the plan of the instance as it is, unchanged, satisfies every rule of the instance with
      the three targets required (the independent verifier checks it against that instance)
      and is worth exactly that instance's optimum: it is an optimal plan of both;
    - the plan HiGHS returns with the targets required may be another plan of equal value
      (Nuanshui has ties: how the 2025 garden and interactive-forest hectares are shared among
      villages, and where the recruits beyond the work's needs live), and it satisfies the
      instance as it is, with the same GEP, carbon income, dividends, gardens and projects.
    """
    base_li = planner.examples.nuanshui()
    base = planner.solve(base_li)
    req = {f"targets.{t}.required": True for t in ("gep_2025", "forestry_carbon_2025", "agricultural_carbon_2025")}
    req_li = planner.examples.nuanshui(**req)
    plan = planner.solve(req_li)
    assert base.status == "optimal" and plan.status == "optimal" and plan.verification["passed"]
    assert plan.objective == pytest.approx(base.objective, rel=1e-9)
    assert verify_plan(base, req_li)["passed"]
    assert verify_plan(plan, base_li)["passed"]
    a, b = base.kpis.set_index("period"), plan.kpis.set_index("period")
    for col in ("gep_yuan", "forestry_carbon_income_yuan", "agricultural_carbon_income_yuan", "dividends_yuan"):
        assert b[col].to_list() == pytest.approx(a[col].to_list(), rel=1e-9), col
    assert b["gardens_built"].to_list() == a["gardens_built"].to_list()
    built = lambda p: sorted(map(tuple, p.projects.loc[p.projects["built"], ["project", "period"]].values))  # noqa: E731
    assert built(plan) == built(base)
    t = plan.targets.set_index("target")
    for name in ("gep_2025", "forestry_carbon_2025", "agricultural_carbon_2025"):
        assert bool(t.loc[name, "required"]) and bool(t.loc[name, "met"])
    assert not bool(base.targets.set_index("target").loc["gep_2025", "required"])


def test_report_shows_required_targets_apart(build, tmp_path):
    """The report's targets table marks each target required or reported, lists the required
    ones first, and shows a village target's own figure: village b's GEP, 18,000 Yuan/yr, not
    the township's 46,000 (test_village_gep_floor)."""
    from planner.report.formats import fmt_kpi
    from planner.report.write import write_report

    li = _two_villages(
        build,
        [
            {"kpi": "afforested_ha", "period": "2025", "min": 1, "label": "Some forest"},
            _target("gep_yuan", village="b", min=18_000, label="GEP of b"),
        ],
    )
    plan = solve(li)
    md, _html = (p.read_text(encoding="utf-8") for p in write_report(plan, tmp_path / "rep", instance=li))
    rows = [
        [c.strip() for c in line.strip().strip("|").split("|")]
        for line in md.splitlines()
        if line.startswith("| GEP of b") or line.startswith("| Some forest")
    ]
    assert [r[0] for r in rows] == ["GEP of b", "Some forest"]
    assert rows[0][-1] == "required" and rows[1][-1] == "reported"
    assert rows[0][4] == "yes" and rows[0][2] != fmt_kpi("gep_yuan", 46_000)
    assert rows[0][2] == fmt_kpi("gep_yuan", 18_000)
    assert "Required targets (1, listed first) are rules of the model: every plan meets them." in md


def test_workbook_lists_targets_required_first(build, tmp_path):
    """plan.xlsx's Targets sheet: the required village target first with village b's own GEP,
    18,000 Yuan/yr (test_village_gep_floor), then the reported township target; the Key figures
    sheet sets only the township's target against the township's KPI (not b's 18,000 against
    the township's GEP)."""
    import openpyxl

    from planner.report.workbook import write_workbook

    li = _two_villages(
        build,
        [
            {"kpi": "afforested_ha", "period": "2025", "min": 1, "label": "Some forest"},
            _target("gep_yuan", village="b", min=18_000, label="GEP of b"),
        ],
    )
    plan = solve(li)
    book = openpyxl.load_workbook(write_workbook(plan, li, tmp_path / "plan.xlsx"))
    rows = list(book["Targets"].iter_rows(values_only=True))
    assert rows[1][:6] == ("Target", "Period", "Key figure", "Whose figure", "Kind", "Unit")
    assert rows[2] == ("GEP of b", "2025", "GEP", "b", "required", "Yuan/yr", 18_000, None, 18_000, "yes")
    assert rows[3][:5] == ("Some forest", "2025", "Afforested", "Township", "reported")
    assert rows[3][6] == 1 and rows[3][9] == "yes"
    kf = {r[0]: r for r in book["Key figures"].iter_rows(values_only=True)}
    assert kf["GEP"][-2] in ("", None)
    assert kf["Afforested"][-2] == "2025: ≥ 1.00"


def test_repair_lowers_a_money_target_rather_than_raise_the_budget(build):
    """10 ha of grassland (GEP 1,000 Yuan/ha/yr); ecological forest +3,000 Yuan/ha/yr at
    10,000 Yuan/ha; no budget. GEP required at least 10,300 Yuan/yr: 0.1 ha of forest would
    do, so the two repairs are +1,000 Yuan of budget (1,000 Yuan-equivalents) or the target
    300 Yuan/yr lower (a Yuan/yr of a money target costs 1, as a dividend floor: 300). The
    repair lowers the target by 300. (Priced like a hectare, 1 M per Yuan/yr, it would raise
    the budget instead.)"""
    from planner.explain.diagnose import diagnose

    li = build(
        [P("A1", "grassland", 10)],
        uses={"ecological_forest": {"establishment_cost_yuan_per_ha": 10_000}},
        periods=[period("2025", budget=0)],
        targets=[_target("gep_yuan", min=10_300, id="gep_push")],
    )
    assert solve(li).status == "infeasible"
    r = diagnose(li, iis=False).relaxations
    assert list(r["constraint"]) == ["target_income"]
    assert r.iloc[0]["amount"] == approx(300)
    assert r.iloc[0]["cost"] == approx(300)
    assert "short by 300 Yuan/yr" in r.iloc[0]["statement"]
