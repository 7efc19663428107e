"""street_green: 1 to 2 new street green spaces (of size_ha each) in the central town."""

from __future__ import annotations

from helpers import P, approx, area, period, solve, solve_model

TOWN = {"t": {"is_town": True}}


def _town(build, sg, uses=None, covers=None, periods=None):
    parcels = [P("S1", "settlement", 3, village="t"), P("A1", "settlement", 3, village="a")]
    return build(
        parcels,
        uses=uses or ["street_green"],
        covers=covers,
        villages=TOWN,
        periods=periods,
        policies={"street_green": sg},
    )


def test_at_most_count_max_street_greens(build):
    """Town homestead S1 3 ha (GEP 0); village homestead A1 3 ha. A street green of 0.5 ha is
    worth 2,000 Yuan/ha/yr; at most 2 -> 1 ha in the town, none in the village:
    GEP 2,000 Yuan/yr.
    Street-green area = 0.5 ha x the count, so the 3 ha parcel carries only 1 ha.
    Constraint: `street_green_area`.
    """
    plan = solve(_town(build, {"count_min": 1, "count_max": 2, "size_ha": 0.5}))
    assert plan.status == "optimal"
    assert int(plan.street_green["count"].iloc[0]) == 2
    assert area(plan, parcel="S1", use="street_green") == approx(1)
    assert area(plan, parcel="A1") == approx(0)
    assert plan.objective == approx(2_000)


def test_more_street_greens_allowed(build):
    """count_max 4: 4 x 0.5 = 2 ha, 4,000 Yuan/yr."""
    plan = solve(_town(build, {"count_min": 1, "count_max": 4, "size_ha": 0.5}))
    assert plan.status == "optimal"
    assert int(plan.street_green["count"].iloc[0]) == 4
    assert plan.objective == approx(4_000)


LOSSY = {"covers": {"settlement": {"equivalents": {"eco": 1}}}, "uses": {"street_green": {"equivalents": {}}}}


def test_at_least_count_min_street_greens(build):
    """Homestead now worth 1,000 Yuan/ha/yr and a street green 0: the planner would build
    none, but count_min = 1 forces one 0.5 ha space: GEP = 6,000 - 500 = 5,500 Yuan/yr.
    Constraint: `street_green_min`.
    """
    plan = solve(_town(build, {"count_min": 1, "count_max": 2, "size_ha": 0.5}, **LOSSY))
    assert plan.status == "optimal"
    assert int(plan.street_green["count"].iloc[0]) == 1
    assert area(plan, use="street_green") == approx(0.5)
    assert plan.objective == approx(5_500)


def test_count_min_zero_relaxes(build):
    """count_min 0: none built, 6,000 Yuan/yr."""
    plan = solve(_town(build, {"count_min": 0, "count_max": 2, "size_ha": 0.5}, **LOSSY))
    assert plan.status == "optimal"
    assert area(plan, use="street_green") == approx(0)
    assert plan.objective == approx(6_000)


def test_count_min_by_a_later_period(build):
    """Two periods. By the first (default): 5,500 + 5,500 = 11,000. By 2035: 6,000 + 5,500 =
    11,500 Yuan/yr, with no street green in 2025."""
    periods = [period("2025"), period("2035")]
    sg = {"count_min": 1, "count_max": 2, "size_ha": 0.5}
    first = solve(_town(build, sg, periods=periods, **LOSSY))
    assert first.status == "optimal"
    assert first.objective == approx(11_000)
    later = solve(_town(build, {**sg, "by_period": "2035"}, periods=periods, **LOSSY))
    assert later.status == "optimal"
    assert int(later.street_green.set_index("period").loc["2025", "count"]) == 0
    assert int(later.street_green.set_index("period").loc["2035", "count"]) == 1
    assert later.objective == approx(11_500)


def test_street_green_spaces_are_never_removed(build):
    """Town homestead S1 3 ha (GEP 0); a 0.5 ha street green is worth 2,000 Yuan/ha/yr, at
    most 2; periods 2025 and 2035.

    Free, the plan builds 2 spaces in 2025 and keeps them: 2 x 1,000 = 2,000 Yuan/yr in each
    period, 4,000 in all. Removing a space is never worth anything, and the area rows already
    forbid it (`street_green_area`: area = 0.5 ha x count; `land_use_cumulative`: area never
    shrinks; street green is ecological space, so `eco_space_no_decrease` would too, and is
    switched off here). So the model is solved with the counts fixed to 2 in 2025 and 1 in 2035:
    infeasible; still infeasible with `land_use_cumulative` lifted, because
    `street_green_cumulative` alone forbids going from 2 to 1; feasible once that component
    is dropped too: 2,000 + 1,000 = 3,000 Yuan/yr.
    Constraint: `street_green_cumulative`.
    """
    li = build(
        [P("S1", "settlement", 3, village="t")],
        uses=["street_green"],
        villages=TOWN,
        periods=[period("2025"), period("2035")],
        policies={
            "street_green": {"count_min": 1, "count_max": 2, "size_ha": 0.5},
            "ecological_space_no_decrease": False,
        },
    )
    plan = solve(li)
    assert plan.status == "optimal"
    assert list(plan.street_green["count"]) == [2, 2]
    assert plan.objective == approx(4_000)
    fix = {("street_green", ("2025",)): 2, ("street_green", ("2035",)): 1}
    status, objective = solve_model(li, fix=fix)
    assert status == "infeasible"
    status, objective = solve_model(li, fix=fix, drop=("land_use_cumulative",))
    assert status == "infeasible"
    assert objective is None
    status, objective = solve_model(li, fix=fix, drop=("land_use_cumulative", "street_green_cumulative"))
    assert status == "optimal"
    assert objective == approx(3_000)
