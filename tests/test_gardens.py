"""gardens: at most 20 ha each, a smallest size worth building, >= 90% vegetation
coverage inside, one garden per village (not the town) by the target period."""

from __future__ import annotations

import pytest
from helpers import P, approx, area, garden_built, period, solve

import planner

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
    return build(
        [P("A1", "grassland", 10)],
        uses={"garden_shrub": {"establishment_cost_yuan_per_ha": 1000}},
        periods=[period("2025", budget=4000)],
        policies={"garden_min_ha": min_ha},
    )


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
    return build(
        [P("A1", "grassland", 10)],
        uses=["garden_shrub", "garden_facility"],
        policies={**NO_ECO, "garden_max_ha": 10, "garden_vegetation_min": share},
    )


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
    parcels = [
        P("A1", "grassland", 10, village="a"),
        P("B1", "grassland", 10, village="b"),
        P("T1", "grassland", 10, village="t"),
    ]
    return build(
        parcels,
        uses={"garden_shrub": {"equivalents": {"eco": 0.5}}},
        villages={"t": {"is_town": True}},
        periods=periods,
        policies={"one_garden_per_village": on, "garden_by_period": by},
    )


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


# ---------------------------------------------------------------------------
# One contiguous site per garden, with parcel geometry (planner.model.contiguity). Boxes 100 m
# tall (geohelpers.row): w metres wide = w/100 ha, neighbours share a 100 m boundary.
# ---------------------------------------------------------------------------

import shapely  # noqa: E402
from geohelpers import X0, Y0, row, write_geo_instance  # noqa: E402
from helpers import write_instance  # noqa: E402

from planner.verify import verify_plan  # noqa: E402

GARDEN_POL = {"garden_max_ha": 2, "garden_min_ha": 1.5}
# G3 | G1 | F | G2 : G1 and G2 (bare mine, the best garden land) are not neighbours
GARDEN_PARCELS = [
    P("G3", "grassland", 2),
    P("G1", "reclaimed_mine", 1),
    P("F", "forest", 5),
    P("G2", "reclaimed_mine", 1),
]


def _garden_parcels(plan) -> set[str]:
    a = plan.allocations
    return set(a.loc[a["kind"] == "garden_vegetation", "parcel"])


def _garden_instance(tmp_path, geoms=None, policies=None, **parcels_extra):
    geoms = geoms or row({"G3": 2, "G1": 1, "F": 5, "G2": 1})
    path = write_geo_instance(
        tmp_path,
        GARDEN_PARCELS,
        geoms,
        uses=["garden_shrub"],
        policies={**GARDEN_POL, **(policies or {})},
        parcels_extra=parcels_extra or None,
    )
    return planner.load_instance(path)


def test_garden_without_geometry_takes_the_two_best_parcels(tmp_path):
    """CSV table, no geometry: the 2 ha garden goes on G1 and G2 (bare mine: +3,000 Yuan/ha
    each, against +2,000 on grassland G3). Objective = base GEP (G3 2,000 + F 25,000) + 6,000
    = 33,000."""
    plan = solve(
        planner.load_instance(write_instance(tmp_path, GARDEN_PARCELS, uses=["garden_shrub"], policies=GARDEN_POL))
    )
    assert plan.status == "optimal"
    assert _garden_parcels(plan) == {"G1", "G2"}
    assert plan.objective == approx(33_000)


def test_garden_on_one_contiguous_site(tmp_path):
    """Same parcels as a map: G1 and G2 are separated by the forest F, so the garden cannot
    use both. Connected choices of >= 1.5 ha: {G3, G1} -> 1 ha of G1 (+3,000) + 1 ha of G3
    (+2,000) = +5,000; G3 alone -> 2 ha x 2,000 = +4,000; G2 alone is 1 ha < 1.5. Optimum
    27,000 + 5,000 = 32,000, on G1 and G3.
    Constraint: `garden_site_parcel`."""
    li = _garden_instance(tmp_path)
    assert li.adjacency is not None
    plan = solve(li)
    assert plan.status == "optimal"
    assert _garden_parcels(plan) == {"G1", "G3"}
    assert plan.objective == approx(32_000)
    v = verify_plan(plan, li)
    assert v["passed"], v["violations"]
    assert "garden_contiguity" in v["checks"]
    # on the map: the garden's parcels form one polygon
    union = shapely.union_all([li.geometry[p] for p in _garden_parcels(plan)])
    assert union.geom_type == "Polygon"


def test_garden_contiguity_can_be_switched_off(tmp_path):
    """policies.contiguous_gardens: false -> back to G1 + G2 and 33,000."""
    plan = solve(_garden_instance(tmp_path, policies={"contiguous_gardens": False}))
    assert _garden_parcels(plan) == {"G1", "G2"}
    assert plan.objective == approx(33_000)


def _diagonal(shared: float):
    """G1 and G2 1 ha squares; G2 sits on G1's right side shifted up so that they share
    ``shared`` metres of boundary (0: touching at a corner only); G3 left of G1; F apart."""
    s = 100.0
    return {
        "G3": shapely.box(X0 - 200, Y0, X0, Y0 + s),
        "G1": shapely.box(X0, Y0, X0 + s, Y0 + s),
        "G2": shapely.box(X0 + s, Y0 + s - shared, X0 + 2 * s, Y0 + 2 * s - shared),
        "F": shapely.box(X0 + 1000, Y0, X0 + 1500, Y0 + s),
    }


def test_touching_at_a_corner_is_not_adjacent(tmp_path):
    """G1 and G2 touch at one point: not one site, so the optimum is 32,000 as when apart."""
    li = _garden_instance(tmp_path, geoms=_diagonal(0.0))
    assert not ((li.adjacency["a"] == "G1") & (li.adjacency["b"] == "G2")).any()
    assert solve(li).objective == approx(32_000)


def test_shared_boundary_threshold(tmp_path):
    """G1 and G2 share 0.5 m: below the default 1 m they are not adjacent (32,000); with
    parcels.adjacency_min_shared_m 0.4 they are, and the garden takes both (33,000)."""
    assert solve(_garden_instance(tmp_path / "a", geoms=_diagonal(0.5))).objective == approx(32_000)
    li = _garden_instance(tmp_path / "b", geoms=_diagonal(0.5), adjacency_min_shared_m=0.4)
    edge = li.adjacency[(li.adjacency["a"] == "G1") & (li.adjacency["b"] == "G2")]
    assert edge["shared_m"].tolist() == [approx(0.5)]
    plan = solve(li)
    assert _garden_parcels(plan) == {"G1", "G2"}
    assert plan.objective == approx(33_000)


def test_a_site_cannot_pass_through_a_parcel_it_does_not_use(tmp_path):
    """G1 | M | G2: G1 and G2 bare mine 1 ha (+3,000/ha as garden), M grassland 1 ha between
    them (+2,000/ha); garden at most 2 ha. A garden on G1 + G2 (+6,000) would pass through M
    without using it; M must carry at least contiguity_min_ha = 0.1 ha of the garden, so the
    best site is G1 1 + M 0.1 + G2 0.9: 3,000 + 200 + 2,700 = +5,900 (G1 + M alone: +5,000).
    Objective 1,000 (M's grassland) + 5,900 = 6,900. The compact-site rule is off here
    (garden_bridge_width_ratio 0; it has its own tests below).
    Constraint: `garden_site_parcel_min`."""
    parcels = [P("G1", "reclaimed_mine", 1), P("M", "grassland", 1), P("G2", "reclaimed_mine", 1)]
    path = write_geo_instance(
        tmp_path,
        parcels,
        row({"G1": 1, "M": 1, "G2": 1}),
        uses=["garden_shrub"],
        policies={**GARDEN_POL, "garden_bridge_width_ratio": 0},
    )
    li = planner.load_instance(path)
    plan = solve(li)
    a = plan.allocations.set_index("parcel")["area_ha"]
    assert plan.objective == approx(6_900)
    assert a["M"] == approx(0.1)
    assert verify_plan(plan, li)["passed"]


# ---------------------------------------------------------------------------
# A compact site (policies.garden_bridge_width_ratio, default 0.5): a garden that joins two of
# its parcels through a third takes at least ratio x gap^2 of the third (gap: the distance
# between the stretches of boundary it joins), or all of it. G1 | M | G2 in a row, boxes
# 100 m tall: G1 and G2 bare mine 1 ha (+3,000 Yuan/ha as garden), M grassland (1,000
# Yuan/ha; +2,000 as garden) w metres wide, so the gap across M is w; garden 1.5-2 ha.
# ---------------------------------------------------------------------------


def _bridge_instance(tmp_path, m_ha: float, geoms=None, **policies):
    parcels = [P("G1", "reclaimed_mine", 1), P("M", "grassland", m_ha), P("G2", "reclaimed_mine", 1)]
    geoms = geoms or row({"G1": 1, "M": m_ha, "G2": 1})
    path = write_geo_instance(tmp_path, parcels, geoms, uses=["garden_shrub"], policies={**GARDEN_POL, **policies})
    return planner.load_instance(path)


@pytest.mark.parametrize(
    ("ratio", "m_on_garden", "objective"),
    [
        # 0: only contiguity_min_ha (0.1 ha of M): G1 1 + M 0.1 + G2 0.9 = +5,900 -> 6,900
        (0.0, 0.1, 6_900),
        # 0.5 (default): M is 100 m across, so at least 0.5 x 100^2 m2 = 0.5 ha of M:
        # G1 1 + M 0.5 + G2 0.5 = 3,000 + 1,000 + 1,500 = +5,500 (G1 + M 1: +5,000) -> 6,500
        (0.5, 0.5, 6_500),
        # 2: 2 x 100^2 m2 = 2 ha, more than M: all of M (1 ha), and G1 1 + M 1 fills the 2 ha
        # cap, so G2 is left out: +5,000 -> 6,000
        (2.0, 1.0, 6_000),
    ],
)
def test_a_garden_crosses_a_parcel_only_with_a_compact_piece(tmp_path, ratio, m_on_garden, objective):
    """G1 | M | G2 with M 1 ha (100 m across): the piece of M the garden must take grows with
    garden_bridge_width_ratio; the objective (M's 1,000 of grassland + the garden's gain)
    falls by 400 and then 500 Yuan/yr (hand-computed in the parameters).
    Constraint: `garden_site_bridge`."""
    li = _bridge_instance(tmp_path, 1, garden_bridge_width_ratio=ratio)
    plan = solve(li)
    assert plan.status == "optimal"
    a = plan.allocations.set_index("parcel")["area_ha"]
    assert a["M"] == approx(m_on_garden)
    assert plan.objective == approx(objective)
    v = verify_plan(plan, li)
    assert v["passed"], v["violations"]
    assert ("garden_compact" in v["checks"]) == (ratio > 0)


def test_a_site_joined_through_a_sliver_is_refused(tmp_path):
    """M 3 ha (300 m across) between G1 and G2. Joining them through M would need
    min(3, 0.5 x 300^2 m2 = 4.5 ha) = all 3 ha of M, more than the 2 ha garden: the site
    G1 + M + G2 is refused. Best: G1 1 + M 1 (or M 1 + G2 1) = +5,000; objective 3,000 (M's
    grassland) + 5,000 = 8,000. With the rule off, the 0.1 ha sliver of M joins them:
    G1 1 + M 0.1 + G2 0.9 = +5,900 -> 8,900, 900 Yuan/yr more."""
    plan = solve(_bridge_instance(tmp_path / "on", 3))
    assert plan.status == "optimal"
    assert plan.objective == approx(8_000)
    assert not {"G1", "G2"} <= _garden_parcels(plan)
    off = solve(_bridge_instance(tmp_path / "off", 3, garden_bridge_width_ratio=0))
    assert off.objective == approx(8_900)
    assert _garden_parcels(off) == {"G1", "M", "G2"}


def test_joining_at_a_corner_of_the_parcel_needs_no_more(tmp_path):
    """G1 left of M and G2 above it (M 1 ha, 100 m square): the stretches of M's boundary
    along G1 and along G2 meet at M's corner (gap 0), so a strip of M joins them, as with
    the rule off: G1 1 + M 0.1 + G2 0.9 = +5,900 -> 6,900 (G1 and G2 touch only at that
    corner, so they are no neighbours)."""
    s = 100.0
    geoms = {
        "G1": shapely.box(X0 - s, Y0, X0, Y0 + s),
        "M": shapely.box(X0, Y0, X0 + s, Y0 + s),
        "G2": shapely.box(X0, Y0 + s, X0 + s, Y0 + 2 * s),
    }
    li = _bridge_instance(tmp_path, 1, geoms=geoms)
    plan = solve(li)
    assert plan.objective == approx(6_900)
    assert plan.allocations.set_index("parcel")["area_ha"]["M"] == approx(0.1)
    assert verify_plan(plan, li)["passed"]


def test_verifier_flags_a_garden_joined_through_a_strip(tmp_path):
    """The plan made with the rule off (G1 1 + M 0.1 + G2 0.9 with M 3 ha) checked against
    the instance with the rule on: the verifier measures the 300 m gap across M on the map
    and asks for all 3 ha of M."""
    on = _bridge_instance(tmp_path, 3)
    off = solve(on.replace(**{"policies.garden_bridge_width_ratio": 0}))
    v = verify_plan(off, on)
    assert [x["rule"] for x in v["violations"]] == ["garden_compact"]
    bad = v["violations"][0]
    assert "through a strip of M" in bad["message"] and "300 m" in bad["message"]
    assert bad["value"] == approx(0.1) and bad["limit"] == approx(3.0)


def test_gardens_layer_draws_the_garden_at_its_area(tmp_path):
    """plan.gpkg's gardens layer for the rule-off plan of G1 1 + M 0.1 + G2 0.9 (or G1 0.9 +
    M 0.1 + G2 1: the same value) with M 3 ha: the garden is drawn at its 2 ha (not the 5 ha
    of its parcels), in one piece that reaches across M, inside its parcels, with each
    parcel's hectares of it on that parcel."""
    from planner.report.gpkg import plan_layers

    li = _bridge_instance(tmp_path, 3, garden_bridge_width_ratio=0)
    plan = solve(li)
    g = plan_layers(plan, li)["gardens"].iloc[0]
    assert g["garden_ha"] == approx(2.0)
    assert g["drawn_ha"] == pytest.approx(2.0, rel=1e-3)
    assert g["parcels_ha"] == approx(5.0)
    assert g["parcels"] == 3 and bool(g["contiguous"])
    shape = g.geometry
    assert shape.geom_type == "Polygon"
    assert shape.area / 1e4 == pytest.approx(2.0, rel=1e-3)
    assert shape.difference(shapely.union_all(list(li.geometry))).area < 1.0  # m2: inside the parcels
    on = plan.allocations.groupby("parcel")["area_ha"].sum()
    assert on["M"] == approx(0.1) and on["G1"] + on["G2"] == approx(1.9)
    for p in ("G1", "M", "G2"):
        assert shape.intersection(li.geometry[p]).area / 1e4 == pytest.approx(on[p], rel=2e-3), p
