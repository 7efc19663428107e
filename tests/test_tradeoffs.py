"""tradeoffs: the exact Pareto frontier of GEP against dividends (epsilon-constraint with
lexicographic clean-up) and modelling to generate alternatives (Hop-Skip-Jump).

The library of ``helpers.py``: one equivalent is 1,000 Yuan/ha/yr of GEP; grassland is worth
1,000 Yuan/ha/yr. Land income on a collectively owned parcel goes to the village collective,
a dividend recipient, so it counts in the dividends goal (see test_dividend_floor.py)."""

from __future__ import annotations

import json

import pytest
from helpers import P, approx, area, built, kpi, solve

import planner
from planner.tradeoffs import alternatives, pareto

NO_ECO = {"ecological_space_no_decrease": False}

# per ha: ecological forest 4,000 GEP; ornamental forest 4,000 GEP + 200 income; fruit 3,000 GEP + 1,000 income
LINE_USES = {
    "ecological_forest": {"equivalents": {"eco": 4}},
    "ornamental_forest": {"equivalents": {"eco": 4}, "income_yuan_per_ha_yr": 200},
    "fruit_expansion": {"equivalents": {"eco": 3}, "income_yuan_per_ha_yr": 1000},
}


def _points(front):
    return [(r.gep_yuan, r.dividends_yuan) for r in front.points.itertuples()]


def _dominated(p, q):
    """q dominates p (both goals at least as good, one better by more than 1 Yuan/yr)."""
    return q[0] >= p[0] - 1 and q[1] >= p[1] - 1 and (q[0] > p[0] + 1 or q[1] > p[1] + 1)


def test_linear_frontier_endpoints_and_interior_points_on_the_line(build):
    """A1 grassland 10 ha; with f ha of fruit and the rest ornamental forest (which is as good
    as ecological forest in GEP and better in dividends):
    GEP = 40,000 - 1,000 f, dividends = 2,000 + 800 f.

    GEP end: GEP alone is 40,000 with any mix of the two forests; dividends with GEP held pick
    ornamental forest everywhere -> (40,000; 2,000). A plain GEP maximisation may return
    ecological forest (40,000; 0), which that point dominates.
    Dividends end: all fruit -> (30,000; 10,000).
    n = 5: dividend floors 2,000 + k x 2,000 = 4,000, 6,000, 8,000 -> f = 2.5, 5, 7.5 ha ->
    GEP 37,500, 35,000, 32,500. Every point lies on GEP = 40,000 - 1.25 (dividends - 2,000),
    none dominates another, and all are optimal."""
    li = build([P("A1", "grassland", 10)], uses=LINE_USES, policies=NO_ECO)
    front = pareto(li, n=5, threads=1)
    pts = _points(front)
    expect = [(40_000, 2_000), (37_500, 4_000), (35_000, 6_000), (32_500, 8_000), (30_000, 10_000)]
    assert len(pts) == 5
    for (g, d), (eg, ed) in zip(pts, expect):
        assert g == approx(eg) and d == approx(ed)
        assert g == approx(40_000 - 1.25 * (d - 2_000))
    assert list(front.points["kind"]) == ["gep_end", "epsilon", "epsilon", "epsilon", "dividends_end"]
    assert list(front.points["epsilon_yuan"].iloc[1:4]) == [approx(4_000), approx(6_000), approx(8_000)]
    assert (front.points["status"] == "optimal").all() and front.all_optimal
    assert not front.points["dominated"].any()
    assert front.points["verified"].all()
    for p in pts:
        assert not any(_dominated(p, q) for q in pts)
    # each point keeps its plan and KPIs per period
    gep_end, div_end = front.plans[0], front.plans[-1]
    assert area(gep_end, use="ornamental_forest") == approx(10)
    assert area(div_end, use="fruit_expansion") == approx(10)
    assert area(front.plans[2], use="fruit_expansion") == approx(5)
    assert kpi(front.plans[2], "gep_yuan") == approx(35_000)
    assert list(front.kpis["point"]) == [0, 1, 2, 3, 4]
    assert front.kpis.loc[front.kpis["point"] == 3, "dividends_yuan"].iloc[0] == approx(8_000)
    # weights 1 and 1: GEP + dividends = 42,000 at the GEP end, falling by 200 per ha of fruit
    assert front.points["weighted_yuan"].iloc[0] == approx(42_000)


def test_frontier_plot_and_dict(build, tmp_path):
    """The two ends only (n = 2): (40,000; 2,000) and (30,000; 10,000) as above; the plot is a
    PNG and the dictionary is JSON with each point's KPIs by period."""
    li = build([P("A1", "grassland", 10)], uses=LINE_USES, policies=NO_ECO)
    front = pareto(li, n=2, threads=1)
    assert _points(front) == [(approx(40_000), approx(2_000)), (approx(30_000), approx(10_000))]
    png = front.plot(tmp_path / "frontier.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    data = json.loads(json.dumps(front.to_dict(), allow_nan=False))
    assert [p["status"] for p in data["points"]] == ["optimal", "optimal"]
    assert data["points"][1]["kpis"]["2025"]["dividends_yuan"] == approx(10_000)


def test_binary_project_gives_non_convex_frontier(build):
    """A1 grassland 10 ha: ecological forest 4,000 GEP/ha; fruit 3,000 GEP + 1,000 income/ha.
    Project Q pays villagers 5,000 Yuan/yr and needs 8 ha of fruit. With f ha of fruit:
    without Q (40,000 - 1,000 f; 1,000 f), with Q (f >= 8) (40,000 - 1,000 f; 1,000 f + 5,000).
    Ends: (40,000; 0) and, with all fruit and Q, (30,000; 15,000).
    n = 6: floors 3,000, 6,000, 9,000, 12,000.
    - 3,000: f = 3 without Q (37,000) beats Q's best 32,000 -> (37,000; 3,000);
    - 6,000: f = 6 -> (34,000; 6,000);
    - 9,000: without Q f = 9 gives 31,000, with Q f = 8 gives 32,000 -> (32,000; 13,000)
      (dividends with GEP held: the 8 ha with Q);
    - 12,000: with Q f >= 8 already gives 13,000 -> (32,000; 13,000) again: kept once.
    So 5 points. (37,000; 3,000) and (34,000; 6,000) lie strictly below the chord from
    (40,000; 0) to (32,000; 13,000) (38,154 and 36,308 there): they are not on the convex
    hull, and no weighted sum of GEP and dividends finds them; the epsilon method does."""
    project = {
        "id": "Q",
        "channel": "fruit",
        "host_village": "a",
        "capex_yuan": 0,
        "income_yuan_per_yr": {"fruit": 5000},
        "shares": {"villagers": 1.0},
        "prerequisites": [{"min_area_ha": 8, "uses": ["fruit_expansion"]}],
    }
    li = build(
        [P("A1", "grassland", 10)],
        uses={k: LINE_USES[k] for k in ("ecological_forest", "fruit_expansion")},
        policies=NO_ECO,
        projects=[project],
    )
    front = pareto(li, n=6, threads=1)
    pts = _points(front)
    expect = [(40_000, 0), (37_000, 3_000), (34_000, 6_000), (32_000, 13_000), (30_000, 15_000)]
    assert len(pts) == len(expect)
    for (g, d), (eg, ed) in zip(pts, expect):
        assert g == approx(eg) and d == approx(ed)
    assert front.all_optimal
    assert not front.points["dominated"].any()
    for p in pts:
        assert not any(_dominated(p, q) for q in pts)
    assert [built(p, "Q") for p in front.plans] == [False, False, False, True, True]

    def chord(div):
        return 40_000 - 8_000 * div / 13_000

    for g, d in pts[1:3]:
        assert g < chord(d) - 1_000
    # a weighted sum (weights 1 and 1) jumps to the project: 45,000 at (32,000; 13,000) or (30,000; 15,000)
    weighted = solve(li)
    assert weighted.objective == approx(45_000)


def test_non_optimal_stage_travels_with_its_point(build, monkeypatch, tmp_path):
    """If a stage stops short (here the solver's report for the first stage of the GEP end is
    replaced by a time-limit 'feasible' with a 5% gap), that point is 'feasible' with the gap,
    never 'optimal'; the other points are unaffected; the plot names the status."""
    import planner.tradeoffs as tr

    real = tr.run_solver
    calls = []

    def fake(m, opts):
        r = real(m, opts)
        calls.append(r)
        if len(calls) == 1:
            r = {**r, "status": "feasible", "termination": "maxTimeLimit", "mip_gap": 0.05}
        return r

    monkeypatch.setattr(tr, "run_solver", fake)
    li = build([P("A1", "grassland", 10)], uses=LINE_USES, policies=NO_ECO)
    front = pareto(li, n=3, threads=1)
    first = front.points.iloc[0]
    assert first["status"] == "feasible" and first["termination"] == "maxTimeLimit"
    assert first["mip_gap"] == approx(0.05)
    assert front.plans[0].status == "feasible" and not front.plans[0].is_optimal
    assert (front.points["status"].iloc[1:] == "optimal").all()
    assert not front.all_optimal
    front.plot(tmp_path / "f.png")


def test_pareto_rejects_fewer_than_two_points(build):
    li = build([P("A1", "grassland", 10)], uses=LINE_USES, policies=NO_ECO)
    with pytest.raises(ValueError):
        pareto(li, n=1)


# ---------------------------------------------------------------------------
# alternatives (Hop-Skip-Jump)
# ---------------------------------------------------------------------------


def test_tied_uses_give_the_other_tie_at_zero_slack(build):
    """A1 and B1 grassland 10 ha each; ecological and interactive forest are both worth 4,000
    GEP/ha: the optimum is 80,000 Yuan/yr with every ha in one of them. With slack 0 the
    alternative must stay at 80,000 and avoid each (parcel, use) the plan took: each parcel
    switches to the other forest, so nothing the plan decided is used (overlap 0) and all
    20 ha move (distance 1)."""
    li = build(
        [P("A1", "grassland", 10), P("B1", "grassland", 10)],
        uses={"ecological_forest": {"equivalents": {"eco": 4}}, "interactive_forest": {"equivalents": {"eco": 4}}},
    )
    plan = solve(li)
    assert plan.status == "optimal" and plan.objective == approx(80_000)
    alts = alternatives(li, plan, slack=0.0, n=1, threads=1)
    assert len(alts) == 1
    alt = alts[0]
    assert alt.status == "optimal"
    assert alt.objective == approx(80_000)
    assert alt.below_optimum_pct == pytest.approx(0, abs=1e-5)  # the hold allows 0.001 Yuan of numerical slack
    assert alt.overlap == pytest.approx(0, abs=1e-6)
    assert alt.distance == approx(1.0)
    assert alt.plan.verification["passed"]
    for parcel in ("A1", "B1"):
        before = plan.allocations[(plan.allocations["parcel"] == parcel)]
        after = alt.plan.allocations[(alt.plan.allocations["parcel"] == parcel)]
        assert float(after["area_ha"].sum()) == approx(10)
        assert set(before["use"]).isdisjoint(set(after["use"]))
    assert alt.statement.startswith("alternative 1: as good as the optimum")


def test_unique_optimum_with_ten_percent_slack(build):
    """A1 grassland 10 ha: ecological forest 4,000 GEP/ha, ornamental 3,000. The unique optimum
    is all ecological forest: 40,000 Yuan/yr. Slack 0.1 holds the objective >= 36,000.
    Alternative 1 minimises the share of A1 in ecological forest, e/10: with o = 10 - e of
    ornamental, 10,000 + 3,000 e + 2,000 o = 30,000 + 1,000 e >= 36,000 -> e = 6, o = 4:
    objective 36,000 (10% below), 4 of the plan's 10 ha moved (distance 0.4).
    Alternative 2 minimises (e + o)/10 (both used before): per ha, e adds 3,000 over grassland
    and o 2,000, so only e: 10,000 + 3,000 e >= 36,000 -> e = 26/3 ha, the rest stays grassland;
    overlap 26/30, distance (10 - 26/3)/10 = 2/15."""
    li = build(
        [P("A1", "grassland", 10)],
        uses={"ecological_forest": {"equivalents": {"eco": 4}}, "ornamental_forest": {"equivalents": {"eco": 3}}},
    )
    plan = solve(li)
    assert plan.status == "optimal" and plan.objective == approx(40_000)
    alts = alternatives(li, plan, slack=0.1, n=2, threads=1)
    assert [a.status for a in alts] == ["optimal", "optimal"]
    a1, a2 = alts
    assert a1.objective >= 0.9 * plan.objective - 0.01
    assert a1.objective == approx(36_000)
    assert a1.below_optimum_pct == pytest.approx(10, abs=1e-5)
    assert area(a1.plan, use="ecological_forest") == approx(6)
    assert area(a1.plan, use="ornamental_forest") == approx(4)
    assert a1.distance == approx(0.4)
    assert a1.overlap == approx(0.6)
    assert "10% below the optimum" in a1.statement
    assert "moves 4.00 ha from ecological_forest to ornamental_forest" in a1.statement
    diff = a1.differences.set_index(["what", "where"])
    assert diff.loc[("area", "a:ornamental_forest"), "change"] == approx(4)
    assert a2.objective == approx(36_000)
    assert area(a2.plan, use="ecological_forest") == approx(26 / 3)
    assert area(a2.plan, use="ornamental_forest") == approx(0)
    assert a2.overlap == approx(26 / 30)
    assert a2.distance == approx(2 / 15)
    assert json.loads(json.dumps(a1.to_dict(), allow_nan=False))["statement"] == a1.statement


def test_alternatives_swap_a_project(build):
    """A1 grassland 10 ha with ecological forest (no gain over grassland: 1,000 GEP/ha). Projects
    R and S each pay villagers 10,000 Yuan/yr, cost nothing and need nothing, so the optimum
    builds both (20,000 Yuan/yr of dividends + 10,000 GEP = 30,000). With
    slack 0.4 the objective is held >= 18,000: one project (20,000) suffices, none (10,000)
    does not, so the alternative builds exactly one of them (overlap 1 of the two used)."""

    def project(pid):
        return {
            "id": pid,
            "channel": "other",
            "host_village": "a",
            "capex_yuan": 0,
            "income_yuan_per_yr": {"other": 10_000},
            "shares": {"villagers": 1.0},
        }

    li = build(
        [P("A1", "grassland", 10)],
        uses={"ecological_forest": {"equivalents": {"eco": 1}}},
        projects=[project("R"), project("S")],
    )
    plan = solve(li)
    assert plan.objective == approx(30_000)
    assert built(plan, "R") and built(plan, "S")
    (alt,) = alternatives(li, plan, slack=0.4, n=1, threads=1)
    assert alt.status == "optimal"
    assert alt.objective == approx(20_000)
    assert alt.overlap == approx(1)
    assert built(alt.plan, "R") != built(alt.plan, "S")
    assert "does not build project" in alt.statement


def test_alternatives_hold_each_lexicographic_goal(build):
    """Lexicographic GEP then dividends on A1 grassland 10 ha with the three uses of the
    frontier tests: GEP 40,000 (any forest), then dividends 2,000 (all ornamental forest).
    Slack 0.1 holds GEP >= 36,000 and dividends >= 1,800. Avoiding ornamental forest entirely
    (overlap 0) is possible: f ha of fruit and the rest ecological forest give
    GEP 40,000 - 1,000 f >= 36,000 and dividends 1,000 f >= 1,800 for 1.8 <= f <= 4.
    Slack 0 holds both at the plan's values: only all-ornamental does that, so the search
    repeats the plan and returns no alternative."""
    li = build(
        [P("A1", "grassland", 10)],
        uses=LINE_USES,
        policies=NO_ECO,
        objective={"mode": "lexicographic", "order": ["gep", "dividends"], "lexicographic_tolerance": 0},
    )
    plan = solve(li)
    assert [s["objective"] for s in plan.stages] == [approx(40_000), approx(2_000)]
    (alt,) = alternatives(li, plan, slack=0.1, n=1, threads=1)
    assert alt.status == "optimal"
    assert alt.overlap == pytest.approx(0, abs=1e-6)
    assert area(alt.plan, use="ornamental_forest") == approx(0)
    assert set(alt.goals) == {"gep", "dividends"}
    assert alt.goals["gep"]["alternative"] >= 36_000 - 0.01
    assert alt.goals["dividends"]["alternative"] >= 1_800 - 0.01
    assert 1.8 - 1e-6 <= area(alt.plan, use="fruit_expansion") <= 4 + 1e-6
    assert alt.distance == approx(1.0)
    assert alt.plan.verification["passed"]
    assert alternatives(li, plan, slack=0.0, n=2, threads=1) == []


def test_alternatives_need_a_plan(build):
    li = build([P("A1", "grassland", 10)], uses=LINE_USES, policies=NO_ECO)
    bad = planner.Plan(
        instance_name="x",
        instance_path="",
        overrides=[],
        status="infeasible",
        termination="x",
        objective=None,
        objective_bound=None,
        mip_gap=None,
        solve_time_s=0,
        build_time_s=0,
        solver="highs",
        options={},
        stages=[],
    )
    with pytest.raises(ValueError):
        alternatives(li, bad)
    plan = solve(li)
    with pytest.raises(ValueError):
        alternatives(li, plan, slack=-0.1)
