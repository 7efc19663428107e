"""land_use: each unit's area is used at most once; land decisions are cumulative."""

from __future__ import annotations

from helpers import P, approx, area, kpi, period, solve


def test_area_used_at_most_once(build):
    """Mine parcel M (10 ha, GEP 0). Ecological forest: 4,000 Yuan/ha/yr, costs 1,000 Yuan/ha;
    ornamental forest: 3,000 Yuan/ha/yr, free. Budget 6,000 Yuan.

    Budget -> ecological forest <= 6 ha. Without `land_use_once` the free ornamental forest
    would also take all 10 ha (GEP 24,000 + 30,000). With it: eco 6 ha and ornamental on the
    remaining 4 ha: GEP = 6 x 4,000 + 4 x 3,000 = 36,000 Yuan/yr; the parcel is fully used.
    Constraint: `land_use_once`.
    """
    li = build(
        [P("M", "reclaimed_mine", 10)],
        uses={"ecological_forest": {"establishment_cost_yuan_per_ha": 1000}, "ornamental_forest": None},
        periods=[period("2025", budget=6000)],
    )
    plan = solve(li)
    assert plan.status == "optimal"
    assert area(plan, use="ecological_forest") == approx(6)
    assert area(plan, use="ornamental_forest") == approx(4)
    assert area(plan, parcel="M") == approx(10)
    assert plan.objective == approx(36_000)
    assert kpi(plan, "gep_yuan") == approx(36_000)


def test_bigger_parcel_relaxes_the_area_limit(build):
    """Same as above on a 12 ha parcel: eco 6 ha (budget) + ornamental 6 ha
    -> 24,000 + 18,000 = 42,000 Yuan/yr (the extra 2 ha go to the free use)."""
    li = build(
        [P("M", "reclaimed_mine", 12)],
        uses={"ecological_forest": {"establishment_cost_yuan_per_ha": 1000}, "ornamental_forest": None},
        periods=[period("2025", budget=6000)],
    )
    plan = solve(li)
    assert plan.status == "optimal"
    assert area(plan, use="ornamental_forest") == approx(6)
    assert plan.objective == approx(42_000)


def test_areas_in_mu_are_converted(build):
    """A 150 mu mine parcel is 10 ha (15 mu = 1 ha); all of it becomes ecological forest:
    GEP = 10 x 4,000 = 40,000 Yuan/yr."""
    li = build([P("M", "reclaimed_mine", 150)], uses=["ecological_forest"], area_unit="mu")
    plan = solve(li)
    assert plan.status == "optimal"
    assert area(plan, use="ecological_forest") == approx(10)
    assert plan.objective == approx(40_000)


def test_decisions_are_cumulative_over_periods(build):
    """Mine M 10 ha. Periods 2025 (budget 0) and 2035 (ample budget), weights 1 and 1.
    Ecological forest 4,000 Yuan/ha/yr costs 1,000 Yuan/ha; ornamental 3,000 is free.

    Let a = ornamental ha planted in 2025 (nothing else is affordable). It stays in 2035
    (`land_use_cumulative`), so 2035 can add at most 10 - a ha of ecological forest:
    objective = 3,000a + (3,000a + 4,000(10 - a)) = 40,000 + 2,000a -> a = 10,
    objective 60,000 Yuan/yr, and no ecological forest in 2035 (a myopic 2035 plan would
    replace the ornamental forest by ecological forest).
    Constraint: `land_use_cumulative`.
    """
    li = build(
        [P("M", "reclaimed_mine", 10)],
        uses={"ecological_forest": {"establishment_cost_yuan_per_ha": 1000}, "ornamental_forest": None},
        periods=[period("2025", budget=0), period("2035")],
    )
    plan = solve(li)
    assert plan.status == "optimal"
    assert area(plan, use="ornamental_forest", period="2025") == approx(10)
    assert area(plan, use="ornamental_forest", period="2035") == approx(10)
    assert area(plan, use="ecological_forest", period="2035") == approx(0)
    assert plan.objective == approx(60_000)


def test_cumulative_with_heavier_later_period(build):
    """As above with the 2035 weight raised to 4:
    objective = 3,000a + 4(3,000a + 4,000(10 - a)) = 160,000 - 1,000a -> a = 0:
    2025 is left bare so 2035 can hold 10 ha of ecological forest; objective 160,000."""
    li = build(
        [P("M", "reclaimed_mine", 10)],
        uses={"ecological_forest": {"establishment_cost_yuan_per_ha": 1000}, "ornamental_forest": None},
        periods=[period("2025", budget=0), period("2035", weight=4)],
    )
    plan = solve(li)
    assert plan.status == "optimal"
    assert area(plan, use="ornamental_forest", period="2025") == approx(0)
    assert area(plan, use="ecological_forest", period="2035") == approx(10)
    assert plan.objective == approx(160_000)


def test_no_land_use_option_keeps_the_current_land(build):
    """Every use switched off (``uses.<use>.enabled: false``) leaves the land as it is:
    grassland 10 ha at 1,000 Yuan/ha/yr -> GEP 10,000 Yuan/yr, no allocation. (A scenario that
    disables every option must still solve, not crash while building the model.)"""
    li = build(
        [P("G", "grassland", 10)], uses=["ecological_forest"], use_policies={"ecological_forest": {"enabled": False}}
    )
    plan = solve(li)
    assert plan.status == "optimal"
    assert len(plan.allocations) == 0
    assert plan.objective == approx(10_000)
