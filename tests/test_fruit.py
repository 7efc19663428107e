"""fruit: a moderate courtyard economy (use_share_cap), and scenic transformation of
whole, mature, large fruit forests (scenic_whole, scenic_eligible)."""

from __future__ import annotations

from helpers import P, approx, area, period, solve


def _courtyards(build, share):
    parcels = [
        P("A1", "settlement", 6, village="a"),
        P("A2", "settlement", 4, village="a"),
        P("B1", "settlement", 10, village="b"),
    ]
    return build(parcels, uses=["courtyard_economy"], use_policies={"courtyard_economy": {"max_share_of_cover": share}})


def test_courtyard_economy_capped_by_share_of_homestead(build):
    """Village a has 6 + 4 = 10 ha of homestead, village b 10 ha (GEP 0). Courtyard economy is
    worth 2,000 Yuan/ha/yr, capped at 30% of each village's homestead: 3 ha in a (over both
    parcels together) and 3 ha in b: GEP = 6 x 2,000 = 12,000 Yuan/yr.
    Constraint: `use_share_cap`.
    """
    plan = solve(_courtyards(build, 0.3))
    assert plan.status == "optimal"
    assert area(plan, village="a", use="courtyard_economy") == approx(3)
    assert area(plan, village="b", use="courtyard_economy") == approx(3)
    assert plan.objective == approx(12_000)


def test_courtyard_cap_relaxed(build):
    """Cap 0.5: 5 ha per village, 20,000 Yuan/yr; no cap: all 20 ha, 40,000 Yuan/yr."""
    li = _courtyards(build, 0.5)
    half = solve(li)
    assert half.status == "optimal"
    assert area(half, village="a", use="courtyard_economy") == approx(5)
    assert half.objective == approx(20_000)
    free = solve(li.replace(**{"uses.courtyard_economy.max_share_of_cover": None}))
    assert free.status == "optimal"
    assert free.objective == approx(40_000)


def _scenic_whole(build, budget):
    return build(
        [P("O1", "fruit_forest", 6, mature=True)],
        uses={"scenic_fruit": {"establishment_cost_yuan_per_ha": 1000}},
        periods=[period("2025", budget=budget)],
    )


def test_scenic_spot_takes_the_whole_fruit_forest(build):
    """O1 mature fruit forest 6 ha (2,000 Yuan/ha/yr); scenic spot 3,000 Yuan/ha/yr, costs
    1,000 Yuan/ha. Budget 5,000 would pay for 5 ha, but a scenic spot takes the whole 6 ha, so
    none is built: GEP 12,000 Yuan/yr.
    Constraint: `scenic_whole`.
    """
    plan = solve(_scenic_whole(build, 5000))
    assert plan.status == "optimal"
    assert area(plan, use="scenic_fruit") == approx(0)
    assert plan.objective == approx(12_000)


def test_scenic_spot_with_enough_budget(build):
    """Budget 6,000: the whole 6 ha become a scenic spot: GEP 18,000 Yuan/yr."""
    plan = solve(_scenic_whole(build, 6000))
    assert plan.status == "optimal"
    assert area(plan, use="scenic_fruit") == approx(6)
    assert plan.objective == approx(18_000)


def _scenic_eligible(build, attr="mature", **pol):
    parcels = [
        P("O1", "fruit_forest", 6, **{attr: True}),
        P("O2", "fruit_forest", 4, **{attr: False}),
        P("O3", "fruit_forest", 2, **{attr: True}),
    ]
    return build(
        parcels, uses=["scenic_fruit"], policies={"scenic_min_parcel_ha": 3, "scenic_require_attribute": attr, **pol}
    )


def test_only_large_mature_fruit_forests_become_scenic(build):
    """O1 mature 6 ha, O2 not mature 4 ha, O3 mature but 2 ha < the 3 ha minimum.
    Only O1 is eligible: GEP = 6 x 3,000 + 4 x 2,000 + 2 x 2,000 = 30,000 Yuan/yr.
    Constraint: `scenic_eligible`.
    """
    plan = solve(_scenic_eligible(build))
    assert plan.status == "optimal"
    assert area(plan, parcel="O1", use="scenic_fruit") == approx(6)
    assert area(plan, parcel="O2") == approx(0)
    assert area(plan, parcel="O3") == approx(0)
    assert plan.objective == approx(30_000)


def test_scenic_eligibility_relaxed(build):
    """No attribute required and no minimum size: all 12 ha scenic, 36,000 Yuan/yr."""
    plan = solve(_scenic_eligible(build, scenic_min_parcel_ha=0, scenic_require_attribute=None))
    assert plan.status == "optimal"
    assert area(plan, use="scenic_fruit") == approx(12)
    assert plan.objective == approx(36_000)


def test_scenic_eligibility_on_a_custom_boolean_column(build):
    """``scenic_require_attribute`` may name any boolean parcel column, e.g. ``profitable``
    ("extensive, profitable, and mature fruit forests"). Same land as above with the flag in
    that column: only O1 is eligible, 30,000 Yuan/yr."""
    plan = solve(_scenic_eligible(build, attr="profitable"))
    assert plan.status == "optimal"
    assert area(plan, parcel="O2") == approx(0), "a parcel whose profitable is 'false' became a scenic spot"
    assert plan.objective == approx(30_000)
