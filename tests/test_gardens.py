"""gardens: at most 20 ha each, a smallest size worth building, >= 90% vegetation
coverage inside, one garden per village (not the town) by the target period."""

from __future__ import annotations

import pytest

import planner
from helpers import P, approx, area, garden_built, period, solve

NO_ECO = {"ecological_space_no_decrease": False}


def test_garden_at_most_20_ha(build):
    """A1 grassland 30 ha (1,000 Yuan/ha/yr); garden shrub 3,000 Yuan/ha/yr. The garden is
    capped at 20 ha: GEP = 20 x 3,000 + 10 x 1,000 = 70,000 Yuan/yr.
    Constraint: `garden_size_max`.
    """
    plan = solve(build([P("A1", "grassland", 30)], uses=["garden_shrub"]))
    assert plan.status == "optimal"
    assert area(plan, use="garden_shrub") == approx(20)
    assert plan.gardens["area_ha"].iloc[0] == approx(20)
    assert plan.objective == approx(70_000)


def test_bigger_garden_limit(build):
    """garden_max_ha 25: 25 x 3,000 + 5 x 1,000 = 80,000 Yuan/yr."""
    plan = solve(build([P("A1", "grassland", 30)], uses=["garden_shrub"], policies={"garden_max_ha": 25}))
    assert plan.status == "optimal"
    assert area(plan, use="garden_shrub") == approx(25)
    assert plan.objective == approx(80_000)


def _small(build, min_ha):
    return build([P("A1", "grassland", 10)], uses={"garden_shrub": {"establishment_cost_yuan_per_ha": 1000}},
                 periods=[period("2025", budget=4000)], policies={"garden_min_ha": min_ha})


def test_garden_below_minimum_size_is_not_built(build):
    """Budget 4,000 at 1,000 Yuan/ha pays for 4 ha of garden, below garden_min_ha = 5:
    no garden, GEP 10,000 Yuan/yr.
    Constraint: `garden_size_min`.
    """
    plan = solve(_small(build, 5))
    assert plan.status == "optimal"
    assert not garden_built(plan, "a")
    assert area(plan, use="garden_shrub") == approx(0)
    assert plan.objective == approx(10_000)


def test_smaller_minimum_lets_the_garden_in(build):
    """garden_min_ha = 1: a 4 ha garden: 4 x 3,000 + 6 x 1,000 = 18,000 Yuan/yr."""
    plan = solve(_small(build, 1))
    assert plan.status == "optimal"
    assert garden_built(plan, "a")
    assert area(plan, use="garden_shrub") == approx(4)
    assert plan.objective == approx(18_000)


def _veg(build, share):
    return build([P("A1", "grassland", 10)], uses=["garden_shrub", "garden_facility"],
                 policies={**NO_ECO, "garden_max_ha": 10, "garden_vegetation_min": share})


def test_garden_vegetation_at_least_90_percent(build):
    """A1 grassland 10 ha, garden up to 10 ha: shrub S (3,000 Yuan/ha/yr, 100% vegetated),
    facility F (10,000 Yuan/ha/yr, 0% vegetated). S >= 0.9 (S + F) -> F <= S / 9, S + F <= 10:
    S = 9, F = 1: GEP = 27,000 + 10,000 = 37,000 Yuan/yr; coverage exactly 0.9.
    Constraint: `garden_vegetation`.
    """
    plan = solve(_veg(build, 0.9))
    assert plan.status == "optimal"
    assert area(plan, use="garden_shrub") == approx(9)
    assert area(plan, use="garden_facility") == approx(1)
    assert plan.gardens["vegetation_coverage"].iloc[0] == approx(0.9)
    assert plan.objective == approx(37_000)


def test_lower_vegetation_share_admits_more_facilities(build):
    """garden_vegetation_min 0.5: S = F = 5: 15,000 + 50,000 = 65,000 Yuan/yr."""
    plan = solve(_veg(build, 0.5))
    assert plan.status == "optimal"
    assert area(plan, use="garden_facility") == approx(5)
    assert plan.objective == approx(65_000)


def _one_per_village(build, on, periods=None, by=None):
    parcels = [P("A1", "grassland", 10, village="a"), P("B1", "grassland", 10, village="b"),
               P("T1", "grassland", 10, village="t")]
    return build(parcels, uses={"garden_shrub": {"equivalents": {"eco": 0.5}}},
                 villages={"t": {"is_town": True}}, periods=periods,
                 policies={"one_garden_per_village": on, "garden_by_period": by})


def test_one_garden_per_village(build):
    """Villages a, b and the town t, grassland 10 ha each. A garden (500 Yuan/ha/yr) is worth
    less than grassland (1,000), but every village (not the town) must have one of at least
    1 ha: GEP = 30,000 - 2 x 500 = 29,000 Yuan/yr.
    Constraint: `garden_one_per_village`.
    """
    plan = solve(_one_per_village(build, True))
    assert plan.status == "optimal"
    assert garden_built(plan, "a") and garden_built(plan, "b")
    assert area(plan, village="a", use="garden_shrub") == approx(1)
    assert area(plan, village="t") == approx(0)
    assert plan.objective == approx(29_000)


def test_one_garden_per_village_switched_off(build):
    """Policy off: no garden, 30,000 Yuan/yr."""
    plan = solve(_one_per_village(build, False))
    assert plan.status == "optimal"
    assert area(plan, use="garden_shrub") == approx(0)
    assert plan.objective == approx(30_000)


def test_one_garden_per_village_by_a_later_period(build):
    """Periods 2025 and 2035. Target in the first period (default): both periods carry the
    two 1 ha gardens: 2 x 29,000 = 58,000. Target by 2035: 2025 keeps all grassland
    (30,000) and 2035 has the gardens (29,000): 59,000 Yuan/yr."""
    periods = [period("2025"), period("2035")]
    first = solve(_one_per_village(build, True, periods))
    assert first.status == "optimal"
    assert garden_built(first, "a", "2025")
    assert first.objective == approx(58_000)
    later = solve(_one_per_village(build, True, periods, by="2035"))
    assert later.status == "optimal"
    assert not garden_built(later, "a", "2025") and garden_built(later, "a", "2035")
    assert later.objective == approx(59_000)


def test_garden_min_must_be_positive(build):
    """A garden counted by 'one garden per village' must have area: garden_min_ha = 0 is
    refused with a message naming the field (an empty garden would satisfy the rule)."""
    with pytest.raises(planner.InputError) as e:
        build([P("A1", "grassland", 10)], policies={"garden_min_ha": 0})
    assert any(p.field == "policies.garden_min_ha" for p in e.value.problems)
