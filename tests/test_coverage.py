"""coverage: township vegetation and forest coverage targets; arbor stands count as
forest only at canopy density >= ``forest_canopy_min`` (0.2)."""

from __future__ import annotations

from helpers import P, approx, area, kpi, solve

NO_ECO = {"ecological_space_no_decrease": False}


def _veg(build, target):
    return build(
        [P("G", "grassland", 10), P("M", "reclaimed_mine", 10)],
        uses={"fruit_expansion": {"vegetation_cover": 0.3}},
        policies={**NO_ECO, "vegetation_coverage_min": target},
    )


def test_vegetation_coverage_target(build):
    """G grassland 10 ha (80% vegetated, 1,000 Yuan/ha/yr), M bare mine 10 ha (0%). Fruit on G:
    3,000 Yuan/ha/yr but only 30% vegetated. Target 0.3 of 20 ha = 6 ha vegetated:
    0.8 (10 - f) + 0.3 f >= 6 -> f <= 4: GEP = 4 x 3,000 + 6 x 1,000 = 18,000 Yuan/yr.
    Constraint: `vegetation_coverage`.
    """
    plan = solve(_veg(build, 0.3))
    assert plan.status == "optimal"
    assert area(plan, use="fruit_expansion") == approx(4)
    assert kpi(plan, "vegetation_coverage") == approx(0.3)
    assert plan.objective == approx(18_000)


def test_vegetation_target_switched_off(build):
    """No target: fruit on all of G, 30,000 Yuan/yr, coverage 3/20 = 0.15."""
    plan = solve(_veg(build, None))
    assert plan.status == "optimal"
    assert kpi(plan, "vegetation_coverage") == approx(0.15)
    assert plan.objective == approx(30_000)


SPARSE = {
    "kind": "forest",
    "from_covers": ["grassland"],
    "equivalents": {"eco": 2.5},
    "vegetation_cover": 1.0,
    "forest": True,
    "canopy_density": 0.1,
    "ecological_space": True,
    "establishment_cost_yuan_per_ha": 0,
}
FOREST_USES = {"fruit_expansion": None, "ecological_forest": {"equivalents": {"eco": 2}}, "sparse_forest": SPARSE}


def _forest(build, canopy_min):
    return build(
        [P("G", "grassland", 20)],
        uses=FOREST_USES,
        policies={**NO_ECO, "forest_coverage_min": 0.25, "forest_canopy_min": canopy_min},
    )


def test_forest_coverage_counts_only_dense_stands(build):
    """G grassland 20 ha. Fruit 3,000, ecological forest 2,000 (canopy 0.5), sparse forest
    2,500 Yuan/ha/yr (canopy 0.1 < 0.2, not forest). Target 0.25 x 20 = 5 ha of forest:
    fruit 15 + ecological forest 5: GEP = 45,000 + 10,000 = 55,000 Yuan/yr.
    Constraint: `forest_coverage`.
    """
    plan = solve(_forest(build, 0.2))
    assert plan.status == "optimal"
    assert area(plan, use="ecological_forest") == approx(5)
    assert area(plan, use="sparse_forest") == approx(0)
    assert area(plan, use="fruit_expansion") == approx(15)
    assert kpi(plan, "forest_coverage") == approx(0.25)
    assert plan.objective == approx(55_000)


def test_lower_canopy_threshold_lets_sparse_stands_count(build):
    """forest_canopy_min 0.1: the sparse stand counts and is worth more:
    fruit 15 + sparse 5: 45,000 + 12,500 = 57,500 Yuan/yr."""
    plan = solve(_forest(build, 0.1))
    assert plan.status == "optimal"
    assert area(plan, use="sparse_forest") == approx(5)
    assert plan.objective == approx(57_500)


def _existing(build, canopy_min):
    return build(
        [P("G", "grassland", 20), P("F", "forest", 5)],
        uses={"fruit_expansion": None, "ecological_forest": {"equivalents": {"eco": 2}}},
        covers={"forest": {"canopy_density": 0.15}},
        policies={**NO_ECO, "forest_coverage_min": 0.2, "forest_canopy_min": canopy_min},
    )


def test_existing_sparse_forest_does_not_count(build):
    """G grassland 20 ha, F existing forest 5 ha at canopy 0.15 (5,000 Yuan/ha/yr). Target
    0.2 x 25 = 5 ha of forest. F does not count at the 0.2 threshold, so 5 ha of G become
    ecological forest: 15 x 3,000 + 5 x 2,000 + 25,000 = 80,000 Yuan/yr."""
    plan = solve(_existing(build, 0.2))
    assert plan.status == "optimal"
    assert area(plan, use="ecological_forest") == approx(5)
    assert plan.objective == approx(80_000)


def test_existing_forest_counts_at_lower_threshold(build):
    """forest_canopy_min 0.1: F counts (5 ha), G goes entirely to fruit:
    60,000 + 25,000 = 85,000 Yuan/yr."""
    plan = solve(_existing(build, 0.1))
    assert plan.status == "optimal"
    assert area(plan, use="ecological_forest") == approx(0)
    assert kpi(plan, "forest_coverage") == approx(0.2)
    assert plan.objective == approx(85_000)


def test_unreachable_vegetation_target_is_reported_infeasible(build):
    """Grassland 10 ha, 80% vegetated; the only option (a stand exactly as vegetated as the
    grass) cannot raise coverage. A 90% target needs 9 ha vegetated but at most 8 ha can be:
    no plan satisfies the rule, and the status must say so rather than drop the target."""
    li = build(
        [P("G", "grassland", 10)],
        uses={"ornamental_forest": {"vegetation_cover": 0.8}},
        policies={"vegetation_coverage_min": 0.9},
    )
    plan = solve(li)
    assert plan.status == "infeasible"
