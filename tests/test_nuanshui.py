"""Regression of the calibrated Nuanshui case against the paper's figures
(requirements §5; docs/nuanshui.md sets each beside the model's output).

Tolerances: GEP is calibrated (prices.gep_scale, the 2035 gep_price_index) to the paper's
65.6 bn and 133.9 bn, so it must land within 0.5%; the carbon figures are the paper's
lower bounds ("exceed"); the land-use totals are regression values with 2% tolerance, so
a change to the model or the data that moves the plan materially is noticed.
"""

from __future__ import annotations

import pytest

import planner


@pytest.fixture(scope="module")
def plan():
    return planner.solve(planner.examples.nuanshui())


@pytest.fixture(scope="module")
def inst():
    return planner.examples.nuanshui().instance


def test_optimal_and_verified(plan):
    assert plan.status == "optimal"
    assert plan.mip_gap is not None and plan.mip_gap <= 1e-6
    assert plan.verification["passed"], plan.verification["violations"][:5]


def test_gep_matches_paper(plan):
    """GEP 65.6 bn Yuan by 2025 and 133.9 bn by 2035 [P §4.4(2)] (calibrated, see docs/nuanshui.md)."""
    assert plan.kpi("gep_yuan", "2025") == pytest.approx(65.6e9, rel=5e-3)
    assert plan.kpi("gep_yuan", "2035") == pytest.approx(133.9e9, rel=5e-3)


def test_carbon_income_exceeds_paper_targets(plan):
    """Forestry carbon > 6 M Yuan/yr and agricultural carbon > 200,000 Yuan/yr by 2025 [P §4.4(2)]."""
    assert plan.kpi("forestry_carbon_income_yuan", "2025") > 6e6
    assert plan.kpi("agricultural_carbon_income_yuan", "2025") > 2e5


def test_vegetation_coverage_above_85(plan):
    """Vegetation coverage above 85% [P §4.1], in every period."""
    assert (plan.kpis["vegetation_coverage"] > 0.85).all()


def test_one_garden_per_village_at_most_20_ha(plan, inst):
    g = plan.gardens[plan.gardens["period"] == "2025"]
    villages = {v.id for v in inst.villages if not v.is_town}
    assert set(g.loc[g["built"], "village"]) == villages
    assert (g["area_ha"] <= 20 + 1e-6).all()
    assert (g.loc[g["built"], "vegetation_coverage"] >= 0.9 - 1e-9).all()


def test_recruitment_inside_the_eleven_ranges(plan, inst):
    """Each role inside the paper's range [P §4.4(3)] where the range applies: in the role's
    `periods` (all when unset); for `min_when_active` roles the minimum only while one of
    its projects is active (standing for per_project norms, being built in the period for
    per_project_built norms), and for `min_per_project` roles each active project's
    minimum in its host village; the maximum always."""
    assert len(inst.roles) == 11
    lib = planner.examples.nuanshui().library
    tot = plan.recruitment.groupby(["role", "period"])["count"].sum()
    pj = plan.projects.set_index(["project", "period"])
    periods = [p.id for p in inst.periods]
    checked_min = 0
    for r in inst.roles:
        for t in r.periods if r.periods is not None else periods:
            n = tot.get((r.id, t), 0)
            assert n <= r.max, (r.id, t, n)
            col = "newly_built" if lib.labour_norms[r.norm].kind.value == "per_project_built" else "built"
            if r.min_per_project is not None:
                host = {j.id: j.host_village for j in inst.projects}
                for j, need in r.min_per_project.items():
                    if bool(pj.loc[(j, t), col]):
                        there = plan.recruitment
                        there = there[(there["role"] == r.id) & (there["period"] == t)]
                        assert there.loc[there["village"] == host[j], "count"].sum() >= need, (r.id, j, t)
                checked_min += 1
                continue
            if r.min_when_active:
                active = any(bool(pj.loc[(j, t), col]) for j in r.projects)
            else:
                active = True
            if active:
                assert n >= r.min, (r.id, t, n)
                checked_min += 1
    assert checked_min >= 11  # every role's minimum is checked at least once


def test_complex_staff_follow_the_complexes(plan, inst):
    """The rural-complex roles' minimum is 25 per complex, in the complex's village
    (roles[].min_per_project): nobody is recruited for them in a village without a complex,
    and a period without a complex being built recruits no builders."""
    hosts = {j.id: j.host_village for j in inst.projects}
    roles = {r.id: r for r in inst.roles}
    rec = plan.recruitment
    for rid in ("rural_complex_construction", "rural_complex_operators"):
        assert roles[rid].min_per_project == {"desheng_youliang_rural_complex": 25, "shuiquangou_apricot_village": 25}
        villages = set(rec.loc[(rec["role"] == rid) & (rec["count"] > 0), "village"])
        assert villages <= {hosts[j] for j in roles[rid].projects}, (rid, villages)
    built = plan.projects.set_index(["project", "period"])["newly_built"]
    for t in ("2025", "2035"):
        if not any(built[(j, t)] for j in roles["rural_complex_construction"].projects):
            assert rec.loc[(rec["role"] == "rural_complex_construction") & (rec["period"] == t), "count"].sum() == 0


def test_loan_repaid_within_the_horizon(plan, inst):
    """The 2025 GEP-value loan is repaid over 2026-2030 (5 years, finance.loan_term_years), so
    nothing is owed after 2035; the 2035 budget pays its instalments and their interest."""
    assert inst.finance.loans_enabled and inst.finance.loan_term_years == 5
    sched = plan.loans
    assert len(sched) and set(sched["loan"]) == {"2025"}
    last = sched[sched["period"] == "2035"]
    assert last["outstanding_yuan"].sum() == pytest.approx(0, abs=1)
    assert last["repaid_yuan"].sum() == pytest.approx(sched["principal_yuan"].iloc[0], rel=1e-9)
    fin = plan.finance.set_index("period")
    assert fin.loc["2035", "debt_service_yuan"] == pytest.approx(last[["interest_yuan", "repaid_yuan"]].sum().sum())


def test_range_timing(plan, inst):
    """Crews are recruited for the first push, project staff while their project is active:
    no forest-park staff before the park stands, no 800 planters in 2035 (docs/nuanshui.md)."""
    roles = {r.id: r for r in inst.roles}
    assert roles["afforestation_workers"].periods == ["2025"]
    assert roles["garden_construction_workers"].periods == ["2025"]
    assert all(
        roles[r].min_when_active for r in ("forest_park_staff", "rural_complex_construction", "rural_complex_operators")
    )
    tot = plan.recruitment.groupby(["role", "period"])["count"].sum()
    park = plan.projects.set_index(["project", "period"])["built"]
    for t in ("2025", "2035"):
        if not park[("nuanshui_forest_park", t)]:
            assert tot.get(("forest_park_staff", t), 0) == 0
    assert tot.get(("afforestation_workers", "2035"), 0) < 100


def test_projects_by_2035(plan):
    """The six EOD projects [P Table 1] and the required central-town park renovation [P §4.4(1)]."""
    p = plan.projects[plan.projects["period"] == "2035"]
    assert len(p) == 7 and p["built"].all()
    assert "central_town_park_renovation" in set(p["project"])


def test_project_income_not_double_counted(inst):
    """Carbon and fruit income is credited through the land (per ha, to the land's owner);
    the projects carry only tourism, parking and supporting facilities (docs/nuanshui.md)."""
    for j in inst.projects:
        assert not {"carbon_trading", "fruit"} & set(j.income_yuan_per_yr), j.id


def test_land_use_regression(plan):
    """Regression values of this model version (docs/nuanshui.md): about 9,120 ha afforested by 2025."""
    assert plan.kpi("afforested_ha", "2025") == pytest.approx(9120, rel=0.02)
    assert plan.kpi("forest_coverage", "2025") == pytest.approx(0.858, abs=0.01)


# ---------------------------------------------------------------------------
# Explaining the Nuanshui plan (docs/explaining.md walks through the same figures)
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def explanation(plan):
    from planner.explain import explain

    return explain(planner.examples.nuanshui(), plan, importance=(), parameters=())


def test_explain_names_every_binding_rule_with_a_price(plan, explanation):
    """The fixed LP reproduces the plan's objective; every constraint with a binding row is
    in the summary; every priced row has a price unit in Yuan/yr per its rule's unit."""
    ex = explanation
    assert ex.lp_status == "optimal"
    assert ex.lp_objective == pytest.approx(plan.objective, rel=1e-9)
    rules = ex.rules
    binding = set(rules.loc[rules["binding"], "constraint"])
    summ = ex.rule_summary.set_index("constraint")
    assert binding <= set(summ.index)
    assert all(summ.loc[c, "binding"] > 0 for c in binding)
    priced = rules[rules["shadow_price"].abs() > 1e-6]
    assert (priced["price_unit"] == "Yuan/yr per " + priced["unit"]).all()
    assert not priced["unit"].str.contains(" or ").any()
    # the garden cap binds in 2035 for every village with a 20 ha garden, priced per ha
    cap = rules[(rules["constraint"] == "garden_size_max") & (rules["shadow_price"] > 0)]
    assert len(cap) >= 1 and (cap["unit"] == "ha").all()
    # prices of inequality rules are never negative (value of loosening)
    ineq = priced[priced["sense"] != "=="]
    assert (ineq["shadow_price"] > 0).all()


def test_why_not_forbidden_project_and_forced_garden(plan):
    """Forbidding the Mine Park re-solves to a worse optimal plan (it earns tourism income and
    GEP); a garden for Hanjiata is already in the plan, so forcing it costs nothing."""
    from planner.explain.whatif import parse, why_not

    li = planner.examples.nuanshui()
    w = why_not(li, plan, [parse("project:mine_park", "forbid", li)], diagnose=False)
    assert w.status == "optimal" and w.change is not None and w.change < -1e5
    assert (w.differences["what"] == "project built").any()
    g = why_not(li, plan, [parse("garden:hanjiata", "force", li)], diagnose=False)
    assert g.status == "optimal" and abs(g.change) <= 1.0


def test_starved_budget_is_diagnosed():
    """With 1 million Yuan for 2025 (the required crews' wages and the gardens cost far more)
    Nuanshui has no plan; the diagnosis relaxes the 2025 budget and names the rules that
    push against it. The IIS is skipped here (about 20 s; see docs/performance.md)."""
    from planner.explain.diagnose import diagnose

    li = planner.examples.nuanshui().replace(**{"periods.2025.budget_yuan": 1_000_000})
    assert planner.solve(li, verify=False).status == "infeasible"
    dg = diagnose(li, iis=False)
    assert dg.status == "infeasible"
    relaxed = dg.relaxations
    budget = relaxed[relaxed["constraint"] == "budget"]
    assert len(budget) == 1 and budget["field"].iloc[0] == "periods.2025.budget_yuan" and budget["amount"].iloc[0] > 0
    assert len(dg.conflicts) and dg.summary_lines(5)


def test_starved_budget_repair_raises_money_when_gardens_may_not_give():
    """Issue 19's case: 1 million Yuan for 2025. A garden dropped frees about 1 million Yuan
    of the 2025 budget on this plan (the money-only repair asks 69,533,256 Yuan, the one that
    drops the nine gardens 60,533,256), so at 1 million Yuan-equivalents a garden the two
    tie; when a garden dropped weighs half a million (``costs: {gardens: 5e5}``) the repair
    drops gardens; told that gardens may not give (``keep: [gardens]``), with the same costs,
    it raises money only (the budget or the loan cap), at a higher cost. The default costs
    (a garden 100 M) raise money too."""
    from planner.explain.diagnose import diagnose
    from planner.explain.repair import class_of
    from planner.explain.rows import row_info

    li = planner.examples.nuanshui().replace(**{"periods.2025.budget_yuan": 1_000_000})
    cheap = diagnose(li, iis=False, repair={"costs": {"gardens": 5e5}})
    assert "garden_one_per_village" in set(cheap.relaxations["constraint"])
    kept = diagnose(li, iis=False, repair={"keep": ["gardens"], "costs": {"gardens": 5e5}})
    assert kept.status == "infeasible" and len(kept.relaxations)
    assert {class_of(c, row_info(c)) for c in kept.relaxations["constraint"]} == {"money"}
    assert kept.total_relaxation > cheap.total_relaxation


def test_forest_coverage_86_reports_the_most_the_land_allows():
    """Issue 19's case: a forest coverage target of 86% is short by about 111 ha of the
    township's 65,000 ha in both periods. Money cannot plant forest where no rule lets it
    grow, so the repair lowers the target (a hectare of target at 1 M Yuan-equivalents,
    against 10 M for a hectare of another land rule and 100 M for a ban), and the forest
    area is then maximised with every other rule held: 85.83% is the most the land allows,
    short of the 86% asked (and above the instance's 75%, which the plan exceeds)."""
    from planner.explain.diagnose import diagnose

    li = planner.examples.nuanshui().replace(**{"policies.forest_coverage_min": 0.86})
    dg = diagnose(li, iis=False)
    assert set(dg.relaxations["constraint"]) == {"forest_coverage"}
    assert len(dg.attainable) == 2
    for a in dg.attainable:
        assert 0.75 < a["best_share"] < 0.86 and a["proved"]
        assert "can reach at most 85.83% of the township (asked: 86.00%)" in a["statement"]


def test_price_of_the_800_worker_minimum(plan):
    """Issue 19: the paper's minimum of 800 afforestation workers in 2025 binds (the planting
    needs about 608). A worker earns 30,000 Yuan/yr for the 3-year period: 90,000 Yuan of
    2025 budget, which binds and is topped up by GEP-value loan. A Yuan of loan costs 0.04
    Yuan/yr in 2025 (4%/yr) and 0.012 in 2035 (its 0.12 Yuan of interest over the five
    repayment years, spread over the period's ten), and 12% of it pays its own 2025 interest,
    so a Yuan of budget is worth 0.052 / 0.88 Yuan/yr (docs/explaining.md §2). One worker fewer frees
    90,000 Yuan of loan: 90,000 x 0.052 / 0.88 = 5,318.18 Yuan/yr; one more costs the same
    (the loan is far from its cap). The statement gives it per person."""
    from planner.explain.units import unit_prices

    li = planner.examples.nuanshui()
    df = unit_prices(
        li, plan, ["recruitment"], select=lambda c, i: c == "recruit_min" and i == ("afforestation_workers", "2025")
    )
    (r,) = df.to_dict("records")
    assert r["limit"] == 800 and r["loosen_status"] == r["tighten_status"] == "optimal"
    price = 90_000 * 0.052 / 0.88
    assert r["loosen_gain_yuan"] == pytest.approx(price, abs=1.0)
    assert r["tighten_cost_yuan"] == pytest.approx(price, abs=1.0)
    assert r["statement"].startswith(
        "Each of the 800 afforestation workers the role's minimum requires in 2025 costs 5,318 Yuan/yr: "
        "with 799 the plan would be worth 5,318 Yuan/yr more."
    )
