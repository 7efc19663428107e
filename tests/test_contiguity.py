"""Contiguity from parcel geometry: one contiguous site per village garden
(``contiguous_gardens``) and a villager's holding of adjacent parcels as one stand for the
0.67 ha individual carbon application (``contiguous_holdings``).

Geometry: boxes 100 m tall (``geohelpers.row``), so w metres wide = w/100 ha and
neighbours in a row share a 100 m boundary. Library: helpers.py (1,000 Yuan per
equivalent; garden shrub 3,000 Yuan/ha/yr; grassland and scattered farmland 1,000;
reclaimed mine 0; forest cover 5,000)."""

from __future__ import annotations

import shapely
from geohelpers import X0, Y0, row, write_geo_instance
from helpers import P, approx, income, solve, write_instance

import planner
from planner.verify import verify_plan

GARDEN_POL = {"garden_max_ha": 2, "garden_min_ha": 1.5}
# G3 | G1 | F | G2 : G1 and G2 (bare mine, the best garden land) are not neighbours
GARDEN_PARCELS = [P("G3", "grassland", 2), P("G1", "reclaimed_mine", 1), P("F", "forest", 5), P("G2", "reclaimed_mine", 1)]


def _garden_parcels(plan) -> set[str]:
    a = plan.allocations
    return set(a.loc[a["kind"] == "garden_vegetation", "parcel"])


def _garden_instance(tmp_path, geoms=None, policies=None, **parcels_extra):
    geoms = geoms or row({"G3": 2, "G1": 1, "F": 5, "G2": 1})
    path = write_geo_instance(tmp_path, GARDEN_PARCELS, geoms, uses=["garden_shrub"], policies={**GARDEN_POL, **(policies or {})},
                              parcels_extra=parcels_extra or None)
    return planner.load_instance(path)


def test_garden_without_geometry_takes_the_two_best_parcels(tmp_path):
    """CSV table, no geometry: the 2 ha garden goes on G1 and G2 (bare mine: +3,000 Yuan/ha
    each, against +2,000 on grassland G3). Objective = base GEP (G3 2,000 + F 25,000) + 6,000
    = 33,000."""
    plan = solve(planner.load_instance(write_instance(tmp_path, GARDEN_PARCELS, uses=["garden_shrub"], policies=GARDEN_POL)))
    assert plan.status == "optimal"
    assert _garden_parcels(plan) == {"G1", "G2"}
    assert plan.objective == approx(33_000)


def test_garden_on_one_contiguous_site(tmp_path):
    """Same parcels as a map: G1 and G2 are separated by the forest F, so the garden cannot
    use both. Connected choices of >= 1.5 ha: {G3, G1} -> 1 ha of G1 (+3,000) + 1 ha of G3
    (+2,000) = +5,000; G3 alone -> 2 ha x 2,000 = +4,000; G2 alone is 1 ha < 1.5. Optimum
    27,000 + 5,000 = 32,000, on G1 and G3. Rows: ``garden_site_*``."""
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
    return {"G3": shapely.box(X0 - 200, Y0, X0, Y0 + s), "G1": shapely.box(X0, Y0, X0 + s, Y0 + s),
            "G2": shapely.box(X0 + s, Y0 + s - shared, X0 + 2 * s, Y0 + 2 * s - shared),
            "F": shapely.box(X0 + 1000, Y0, X0 + 1500, Y0 + s)}


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
    """G1 | M | G2 with M bare mine 1 ha but garden max 2 ha: a garden on G1 + G2 (2 ha) would
    pass through M without using it. M must carry at least contiguity_min_ha (0.1) of the
    garden, so the best connected garden is 2 ha over G1, M and G2 (all bare mine):
    +6,000; the verifier finds the garden connected."""
    parcels = [P("G1", "reclaimed_mine", 1), P("M", "reclaimed_mine", 1), P("G2", "reclaimed_mine", 1)]
    path = write_geo_instance(tmp_path, parcels, row({"G1": 1, "M": 1, "G2": 1}), uses=["garden_shrub"], policies=GARDEN_POL)
    li = planner.load_instance(path)
    plan = solve(li)
    a = plan.allocations.set_index("parcel")["area_ha"]
    assert plan.objective == approx(6_000)
    used = {p for p, ha in a.items() if ha > 1e-6}
    # either one or two neighbouring parcels, or all three with M >= 0.1 ha; never G1 and G2 without M
    assert used != {"G1", "G2"}
    if {"G1", "G2"} <= used:
        assert a["M"] >= 0.1 - 1e-6
    assert verify_plan(plan, li)["passed"]


# ---------------------------------------------------------------------------
# Holdings and the 0.67 ha individual carbon application
# ---------------------------------------------------------------------------

# carbon forest worth exactly what grassland is worth: only carbon (609 Yuan/ha/yr) moves the plan
CARBON_FOREST = {"ecological_forest": {"equivalents": {"eco": 1}, "forestry_carbon": True}}


def _holding(tmp_path, owners, geoms=None, uses=CARBON_FOREST, covers=("grassland", "grassland"), **kw):
    ids = [f"I{i + 1}" for i in range(len(owners))]
    parcels = [P(i, c, 0.4, ownership="individual", owner=o) for i, o, c in zip(ids, owners, covers)]
    geoms = geoms or row({i: 0.4 for i in ids})
    return planner.load_instance(write_geo_instance(tmp_path, parcels, geoms, uses=uses, **kw))


def test_adjacent_parcels_of_one_holder_apply_together(tmp_path):
    """I1, I2: 0.4 ha each, one holder H1, neighbours. Each alone is below 0.67 ha, together
    0.8 ha of contiguous arbor forest: the villager applies individually, 0.8 x 609 = 487.2
    Yuan/yr to villagers, nothing to the collective."""
    li = _holding(tmp_path, ["H1", "H1"])
    plan = solve(li)
    assert plan.status == "optimal"
    assert income(plan, recipient="villagers") == approx(487.2)
    assert income(plan, recipient="village_collective") == approx(0)
    apps = plan.carbon_applications
    assert set(apps["holding"]) == {"H1"} and apps["individual"].all()
    assert verify_plan(plan, li)["passed"]


def test_different_holders_do_not_add_up(tmp_path):
    """Same map, holders H1 and H2: each 0.4 ha < 0.67, so the collective applies: 487.2 Yuan/yr
    to the collective."""
    plan = solve(_holding(tmp_path, ["H1", "H2"]))
    assert income(plan, recipient="village_collective") == approx(487.2)
    assert income(plan, recipient="villagers") == approx(0)


def test_one_holder_apart_does_not_add_up(tmp_path):
    """One holder, but the parcels are 50 m apart: not contiguous, collective 487.2."""
    geoms = {"I1": shapely.box(X0, Y0, X0 + 40, Y0 + 100), "I2": shapely.box(X0 + 90, Y0, X0 + 130, Y0 + 100)}
    li = _holding(tmp_path, ["H1", "H1"], geoms=geoms)
    assert li.adjacency.empty
    assert income(solve(li), recipient="village_collective") == approx(487.2)


def test_holding_forest_is_one_stand(tmp_path):
    """I1 | I2 | I3, 0.4 ha each, one holder. I2 is scattered farmland where fruit expansion
    gains 2,000 Yuan/ha over forest's carbon 609, so without contiguity the plan would be
    forest on I1 and I3 (0.8 ha, individual, +487.2) and fruit on I2 (+800): +1,287.2.
    With contiguity that forest is two stands of 0.4 ha: the villager cannot apply for it as
    one >= 0.67 ha stand, and it is 0.67 ha or more in all, which is the villager's. The
    best plans left:
    - fruit on all of I2, forest below 0.67 ha on I1 + I3 (collective): 800 + 0.6699 x 609
      = 1,207.97 (0.6699 = 0.67 less the 1 m2 margin of carbon_individual_when_large);
    - forest across I2 to join the stand (at least contiguity_min_ha = 0.1 ha of it),
      fruit on 0.3: 600 + 0.9 x 609 = 1,148.1.
    Optimum: 1,200 (base GEP) + 1,207.97 = 2,407.9691, the carbon to the collective."""
    uses = {**CARBON_FOREST, "fruit_expansion": {"from_covers": ["scattered_farmland"]}}
    li = _holding(tmp_path, ["H1", "H1", "H1"], uses=uses, covers=("grassland", "scattered_farmland", "grassland"))
    plan = solve(li)
    assert plan.status == "optimal"
    assert plan.objective == approx(1_200 + 800 + (0.67 - 1e-4) * 609)
    assert income(plan, recipient="villagers") == approx(0)
    assert verify_plan(plan, li)["passed"]
    # the same parcels without geometry: 1,200 + 1,287.2
    parcels = [P(f"I{i}", c, 0.4, ownership="individual", owner="H1")
               for i, c in zip((1, 2, 3), ("grassland", "scattered_farmland", "grassland"))]
    (tmp_path / "csv").mkdir()
    plain = solve(planner.load_instance(write_instance(tmp_path / "csv", parcels, uses=uses)))
    assert plain.objective == approx(1_200 + 1_287.2)


def test_verifier_flags_a_garden_on_two_sites(tmp_path):
    """A plan solved without contiguity (garden on G1 + G2) checked against the map: the
    verifier reports garden_contiguity."""
    li = _garden_instance(tmp_path)
    plan = solve(li.replace(**{"policies.contiguous_gardens": False}))
    v = verify_plan(plan, li)
    assert not v["passed"]
    assert [x["rule"] for x in v["violations"]] == ["garden_contiguity"]
