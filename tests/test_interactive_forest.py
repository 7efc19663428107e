"""interactive_forest: interactive forests are combined with gardens (at most
``interactive_forest_per_garden_ha`` ha of interactive forest per ha of garden in the
village). Village permissions of the other forest types are in test_village_permission.py, the
canopy-density rule in test_coverage.py."""

from __future__ import annotations

from helpers import P, approx, area, garden_built, solve

# interactive forest 4,000 Yuan/ha/yr; garden shrub 2,000 Yuan/ha/yr only on grassland
USES = {"interactive_forest": None, "garden_shrub": {"equivalents": {"eco": 2}, "from_covers": ["grassland"]}}


def _land(build, k):
    return build(
        [P("A1", "grassland", 10, village="a"), P("B1", "reclaimed_mine", 10, village="b")],
        uses=USES,
        policies={"interactive_forest_per_garden_ha": k},
    )


def test_interactive_forest_needs_a_garden(build):
    """A1 grassland 10 ha (1,000 Yuan/ha/yr) in village a; B1 mine 10 ha (0) in village b,
    where no garden can be built. k = 1 ha of interactive forest per ha of garden.

    Village a: gains over grass are 3,000/ha (interactive, I) and 1,000/ha (garden, G),
    I <= G, I + G <= 10 -> I = G = 5: GEP = 5 x 4,000 + 5 x 2,000 = 30,000 Yuan/yr.
    Village b has no garden, so no interactive forest (B1 stays bare, 0).
    Constraint: `interactive_with_garden`.
    """
    plan = solve(_land(build, 1.0))
    assert plan.status == "optimal"
    assert area(plan, village="a", use="interactive_forest") == approx(5)
    assert area(plan, village="a", use="garden_shrub") == approx(5)
    assert garden_built(plan, "a")
    assert area(plan, village="b", use="interactive_forest") == approx(0)
    assert plan.objective == approx(30_000)


def test_looser_ratio_moves_land_to_interactive_forest(build):
    """k = 3: I = 3G, I + G = 10 -> G = 2.5, I = 7.5: GEP = 30,000 + 5,000 = 35,000 Yuan/yr."""
    plan = solve(_land(build, 3.0))
    assert plan.status == "optimal"
    assert area(plan, village="a", use="interactive_forest") == approx(7.5)
    assert area(plan, village="a", use="garden_shrub") == approx(2.5)
    assert plan.objective == approx(35_000)


def test_rule_switched_off(build):
    """k = null: interactive forest everywhere it can grow: A1 and B1 -> 20 ha x 4,000 = 80,000
    Yuan/yr; no garden is needed."""
    plan = solve(_land(build, None))
    assert plan.status == "optimal"
    assert area(plan, use="interactive_forest") == approx(20)
    assert not garden_built(plan, "a")
    assert plan.objective == approx(80_000)
