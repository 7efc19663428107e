"""eco_space: ecological space only increases; targeted measures per space type."""

from __future__ import annotations

from helpers import P, approx, area, kpi, period, solve

USES = {
    "fruit_expansion": None,
    "ecological_forest": {
        "from_covers": ["reclaimed_mine"],
        "equivalents": {"eco": 2},
        "establishment_cost_yuan_per_ha": 1000,
    },
}


def _land(build, **pol):
    return build(
        [P("G", "grassland", 10), P("M", "reclaimed_mine", 10)],
        uses=USES,
        periods=[period("2025", budget=5000)],
        policies=pol,
    )


def test_ecological_space_never_decreases(build):
    """G grassland 10 ha (ecological space, 1,000 Yuan/ha/yr), M mine 10 ha (not ecological, 0).
    Fruit on G: 3,000 Yuan/ha/yr, not ecological space. Forest on M: 2,000 Yuan/ha/yr,
    ecological space, 1,000 Yuan/ha; budget 5,000 -> forest 5 ha.

    No decrease: fruit f <= forest added (5) -> f = 5.
    GEP = G: 5 x 3,000 + 5 x 1,000 = 20,000; M: 5 x 2,000 = 10,000; total 30,000 Yuan/yr.
    Ecological space: 5 (grass) + 5 (forest) = 10 ha, as before.
    Constraint: `eco_space_no_decrease`.
    """
    plan = solve(_land(build))
    assert plan.status == "optimal"
    assert area(plan, use="ecological_forest") == approx(5)
    assert area(plan, use="fruit_expansion") == approx(5)
    assert kpi(plan, "ecological_space_ha") == approx(10)
    assert plan.objective == approx(30_000)


def test_no_decrease_switched_off(build):
    """``ecological_space_no_decrease: false``: fruit on all of G:
    GEP = 30,000 + 10,000 = 40,000 Yuan/yr, ecological space 5 ha."""
    plan = solve(_land(build, ecological_space_no_decrease=False))
    assert plan.status == "optimal"
    assert area(plan, use="fruit_expansion") == approx(10)
    assert kpi(plan, "ecological_space_ha") == approx(5)
    assert plan.objective == approx(40_000)


def test_no_decrease_between_periods(build):
    """Two periods, fruit only (no forest use): G grassland 10 ha, M mine 10 ha with no use.
    Ecological space must not fall below the current 10 ha in either period, so no fruit:
    objective = 10,000 + 10,000 = 20,000 Yuan/yr.
    Constraint: `eco_space_no_decrease`.
    """
    li = build(
        [P("G", "grassland", 10), P("M", "reclaimed_mine", 10)],
        uses=["fruit_expansion"],
        periods=[period("2025"), period("2035")],
    )
    plan = solve(li)
    assert plan.status == "optimal"
    assert area(plan, use="fruit_expansion", period="2035") == approx(0)
    assert plan.objective == approx(20_000)


MEASURES_USES = {"ecological_forest": None, "fruit_expansion": None}  # 4,000 and 3,000 Yuan/ha/yr


def _measures(build, measures):
    return build(
        [P("C", "grassland", 10, eco_space="conservation"), P("R", "grassland", 10, eco_space="restoration")],
        uses=MEASURES_USES,
        policies={"ecological_space_no_decrease": False, "eco_space_measures": measures},
    )


def test_targeted_measures_per_space_type(build):
    """C (conservation) and R (restoration), grassland 10 ha each. Measures allow only fruit
    on conservation space; restoration is not listed, so unrestricted.
    C -> fruit 30,000; R -> ecological forest 40,000: 70,000 Yuan/yr.
    Constraint: `eco_space_measures`.
    """
    plan = solve(_measures(build, {"conservation": ["fruit_expansion"]}))
    assert plan.status == "optimal"
    assert area(plan, parcel="C", use="ecological_forest") == approx(0)
    assert area(plan, parcel="C", use="fruit_expansion") == approx(10)
    assert area(plan, parcel="R", use="ecological_forest") == approx(10)
    assert plan.objective == approx(70_000)


def test_targeted_measures_relaxed(build):
    """Without measures (null) both parcels take ecological forest: 80,000 Yuan/yr.
    With an empty list for restoration, R must stay grassland: 30,000 + 10,000 = 40,000."""
    free = solve(_measures(build, None))
    assert free.status == "optimal"
    assert free.objective == approx(80_000)
    none = solve(_measures(build, {"conservation": ["fruit_expansion"], "restoration": []}))
    assert none.status == "optimal"
    assert area(none, parcel="R") == approx(0)
    assert none.objective == approx(40_000)
