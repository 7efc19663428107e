"""carbon_application: forestry carbon 0.7 t/mu/yr x 15 mu/ha x 58 Yuan/t = 609 Yuan/ha/yr,
agricultural carbon 0.43 t/mu/yr x 15 x 10 Yuan/t = 64.5 Yuan/ha/yr; a villager applies
individually only for >= 0.67 ha of arbor forest on own land, otherwise the collective
applies and receives the income."""

from __future__ import annotations

import pytest
from helpers import (
    AGRICULTURAL_YUAN_PER_HA,
    FORESTRY_YUAN_PER_HA,
    P,
    approx,
    area,
    income,
    kpi,
    period,
    solve,
    solve_model,
)

# carbon forest worth exactly what grassland is worth (1,000 Yuan/ha/yr): only carbon moves the plan
CARBON_FOREST = {
    "ecological_forest": {
        "equivalents": {"eco": 1},
        "forestry_carbon": True,
        "from_covers": ["grassland", "scattered_farmland"],
    }
}
CROPS = {"scattered_farmland": {"agricultural_carbon": True}}
# A spare 1 ha of bare mine with a worthless, carbon-free option, so that instances whose point is
# "no land use" still have one land decision (the no-option case has its own test in test_land_use).
SPARE = P("M0", "reclaimed_mine", 1)
SPARE_USE = {"ornamental_forest": {"equivalents": {}, "from_covers": ["reclaimed_mine"]}}


def test_carbon_rates_from_the_paper():
    assert FORESTRY_YUAN_PER_HA == approx(609)
    assert AGRICULTURAL_YUAN_PER_HA == approx(64.5)


def test_forestry_carbon_609_yuan_per_ha(build):
    """Collective grassland 10 ha; a carbon forest is worth the same GEP, so the plan plants it
    for the carbon: 10 x 609 = 6,090 Yuan/yr to the collective; objective 10,000 + 6,090."""
    plan = solve(build([P("A1", "grassland", 10)], uses=CARBON_FOREST))
    assert plan.status == "optimal"
    assert area(plan, use="ecological_forest") == approx(10)
    assert kpi(plan, "forestry_carbon_income_yuan") == approx(6_090)
    assert income(plan, village="a", recipient="village_collective") == approx(6_090)
    assert plan.objective == approx(16_090)


def test_forestry_carbon_price_moves_the_income(build):
    """At 80 Yuan/t: 0.7 x 15 x 80 = 840 Yuan/ha/yr -> 8,400 Yuan/yr."""
    li = build([P("A1", "grassland", 10)], uses=CARBON_FOREST, prices={"forestry_carbon_yuan_per_t": 80})
    plan = solve(li)
    assert plan.status == "optimal"
    assert kpi(plan, "forestry_carbon_income_yuan") == approx(8_400)
    assert plan.objective == approx(18_400)


def test_agricultural_carbon_64_5_yuan_per_ha(build):
    """Scattered farmland declared for agricultural carbon: collective 10 ha -> 645 Yuan/yr to the
    collective; a villager's own 2 ha -> 129 Yuan/yr to villagers. No land use (the spare mine has a
    worthless option only): objective
    12,000 (GEP) + 774."""
    li = build(
        [P("F1", "scattered_farmland", 10), P("F2", "scattered_farmland", 2, ownership="individual"), SPARE],
        covers=CROPS,
        uses=SPARE_USE,
    )
    plan = solve(li)
    assert plan.status == "optimal"
    assert kpi(plan, "agricultural_carbon_income_yuan") == approx(774)
    assert income(plan, recipient="village_collective") == approx(645)
    assert income(plan, recipient="villagers") == approx(129)
    assert plan.objective == approx(12_774)


def test_agricultural_carbon_participation(build):
    """Half the cropland declared (participation 0.5): 387 Yuan/yr."""
    li = build(
        [P("F1", "scattered_farmland", 10), P("F2", "scattered_farmland", 2, ownership="individual"), SPARE],
        covers=CROPS,
        uses=SPARE_USE,
        prices={"agricultural_carbon_participation": 0.5},
    )
    plan = solve(li)
    assert plan.status == "optimal"
    assert kpi(plan, "agricultural_carbon_income_yuan") == approx(387)


def test_forest_on_cropland_trades_agricultural_for_forestry_carbon(build):
    """Collective farmland 10 ha -> carbon forest (same GEP): 609 > 64.5 per ha, so all of it is
    planted: forestry 6,090, agricultural 0; objective 10,000 + 6,090."""
    li = build([P("F1", "scattered_farmland", 10)], uses=CARBON_FOREST, covers=CROPS)
    plan = solve(li)
    assert plan.status == "optimal"
    assert area(plan, use="ecological_forest") == approx(10)
    assert kpi(plan, "agricultural_carbon_income_yuan") == approx(0)
    assert kpi(plan, "forestry_carbon_income_yuan") == approx(6_090)
    assert plan.objective == approx(16_090)


def _who_applies(build, **pol):
    parcels = [
        P("I1", "grassland", 1.0, ownership="individual"),
        P("I2", "grassland", 0.5, ownership="individual"),
        P("C1", "grassland", 2.0),
    ]
    return build(parcels, uses=CARBON_FOREST, policies=pol)


def test_individual_application_needs_0_67_ha(build):
    """All three grassland parcels become carbon forest (3.5 ha x 609 = 2,131.5 Yuan/yr).
    I1: a villager's 1.0 ha forest (> 0.67 ha) -> the villager applies: 609 to villagers.
    I2: a villager's 0.5 ha (< 0.67) -> transferred, the collective applies: 304.5.
    C1: collective land 2 ha -> collective: 1,218. Collective total 1,522.5."""
    plan = solve(_who_applies(build))
    assert plan.status == "optimal"
    assert kpi(plan, "forestry_carbon_income_yuan") == approx(2_131.5)
    assert income(plan, recipient="villagers") == approx(609)
    assert income(plan, recipient="village_collective") == approx(1_522.5)
    apps = plan.carbon_applications.set_index("parcel")
    assert bool(apps.loc["I1", "individual"]) and apps.loc["I1", "individual_ha"] == approx(1.0)
    assert "I2" not in apps.index or not bool(apps.loc["I2", "individual"])
    assert plan.objective == approx(3_500 + 2_131.5)


def test_lower_individual_threshold(build):
    """individual_carbon_min_ha 0.4: I2's 0.5 ha now qualifies: villagers 609 + 304.5 = 913.5,
    collective 1,218."""
    plan = solve(_who_applies(build, individual_carbon_min_ha=0.4))
    assert plan.status == "optimal"
    assert income(plan, recipient="villagers") == approx(913.5)
    assert income(plan, recipient="village_collective") == approx(1_218)


def test_large_parcel_with_small_forest_goes_to_the_collective(build):
    """A villager's 1.0 ha parcel, but the budget (500 Yuan at 1,000 Yuan/ha) plants only 0.5 ha:
    the forest is below 0.67 ha, so the collective applies: 304.5 Yuan/yr to the collective.
    The collective's 0.5 ha is the whole carbon forest: individual + collective ha = forest ha.
    Constraint: `carbon_split`.
    """
    li = build(
        [P("I1", "grassland", 1.0, ownership="individual")],
        uses={"ecological_forest": {**CARBON_FOREST["ecological_forest"], "establishment_cost_yuan_per_ha": 1000}},
        periods=[period("2025", budget=500)],
    )
    plan = solve(li)
    assert plan.status == "optimal"
    assert area(plan, use="ecological_forest") == approx(0.5)
    assert income(plan, recipient="village_collective") == approx(304.5)
    assert income(plan, recipient="villagers") == approx(0)
    apps = plan.carbon_applications.set_index("parcel")
    assert not bool(apps.loc["I1", "individual"])
    assert apps.loc["I1", "collective_ha"] == approx(0.5)


def test_registered_existing_forest(build):
    """Existing forest already registered for carbon (5,000 Yuan/ha/yr GEP): a villager's 1 ha
    -> villagers 609; a villager's 0.5 ha -> collective 304.5; collective 2 ha -> 1,218.
    Objective 17,500 + 2,131.5 = 19,631.5 Yuan/yr."""
    parcels = [
        P("R1", "forest", 1.0, ownership="individual", carbon_registered=True),
        P("R2", "forest", 0.5, ownership="individual", carbon_registered=True),
        P("R3", "forest", 2.0, carbon_registered=True),
        P("R4", "forest", 3.0, carbon_registered=False),
        SPARE,
    ]
    plan = solve(build(parcels, uses=SPARE_USE))
    assert plan.status == "optimal"
    assert kpi(plan, "forestry_carbon_income_yuan") == approx(2_131.5)
    assert income(plan, recipient="villagers") == approx(609)
    assert income(plan, recipient="village_collective") == approx(1_522.5)
    assert plan.objective == approx(5_000 * 6.5 + 2_131.5)


SPARSE_CARBON = {"ecological_forest": {**CARBON_FOREST["ecological_forest"], "canopy_density": 0.1}}


def test_sparse_stand_earns_no_forestry_carbon(build):
    """A carbon forest at canopy density 0.1 does not count as forest (minimum 0.2), so it is not
    a carbon-sequestration forest: no carbon income, nothing gained by planting; objective
    10,000 Yuan/yr (GEP only)."""
    plan = solve(build([P("A1", "grassland", 10)], uses=SPARSE_CARBON))
    assert plan.status == "optimal"
    assert kpi(plan, "forestry_carbon_income_yuan") == approx(0)
    assert plan.objective == approx(10_000)


def test_sparse_stand_earns_carbon_at_lower_canopy_threshold(build):
    """forest_canopy_min 0.1: the stand counts, 6,090 Yuan/yr of carbon; objective 16,090."""
    plan = solve(build([P("A1", "grassland", 10)], uses=SPARSE_CARBON, policies={"forest_canopy_min": 0.1}))
    assert plan.status == "optimal"
    assert kpi(plan, "forestry_carbon_income_yuan") == approx(6_090)
    assert plan.objective == approx(16_090)


def test_agricultural_carbon_of_a_cropping_use(build):
    """``agricultural_carbon`` is a coefficient of land classes, i.e. of covers *and* uses
    (schema ``LandClass``). A courtyard use growing crops (2,000 Yuan/ha/yr GEP) flagged
    ``agricultural_carbon: true`` on 10 ha of collective homestead earns 10 x 64.5 = 645
    Yuan/yr of agricultural carbon for the collective: objective 20,000 + 645 = 20,645."""
    li = build([P("H1", "settlement", 10)], uses={"courtyard_economy": {"agricultural_carbon": True}})
    plan = solve(li)
    assert plan.status == "optimal"
    assert area(plan, use="courtyard_economy") == approx(10)
    assert kpi(plan, "agricultural_carbon_income_yuan") == approx(645)
    assert plan.objective == approx(20_645)


def _one_villager_ha(build, recipients, eco, cost=0, budget=1e9):
    """A villager's own 1 ha of grassland; a carbon forest worth ``eco`` x 1,000 Yuan/ha/yr; only
    the income of ``recipients`` counts as dividends."""
    forest = {**CARBON_FOREST["ecological_forest"], "equivalents": {"eco": eco}, "establishment_cost_yuan_per_ha": cost}
    return build(
        [P("I1", "grassland", 1.0, ownership="individual")],
        uses={"ecological_forest": forest},
        periods=[period("2025", budget=budget)],
        objective={"dividend_recipients": recipients},
    )


def test_no_individual_application_below_0_67_ha(build):
    """A villager's 1 ha grassland (1,000 Yuan/ha/yr). Carbon forest 2,000 Yuan/ha/yr at 1,000
    Yuan/ha; budget 500 -> 0.5 ha of forest (+500 GEP). Only the villagers' income counts in the
    objective, so the plan would like the villager to apply for the 609 x 0.5 = 304.5 Yuan/yr.

    The forest is below 0.67 ha, so the villager cannot apply (individual = 0), and with
    individual = 0 no hectare may be credited to the villager: the collective applies and gets
    the 304.5 Yuan/yr, which does not count. Objective = GEP 0.5 x 2,000 + 0.5 x 1,000 = 1,500
    Yuan/yr (dropping either row would let the villager take the 304.5: 1,804.5).
    Constraint: `carbon_individual_min`.
    Constraint: `carbon_individual_only`.
    """
    li = _one_villager_ha(build, ["villagers"], eco=2, cost=1000, budget=500)
    plan = solve(li)
    assert plan.status == "optimal"
    assert area(plan, use="ecological_forest") == approx(0.5)
    apps = plan.carbon_applications.set_index("parcel")
    assert not bool(apps.loc["I1", "individual"])
    assert apps.loc["I1", "individual_ha"] == approx(0)
    assert apps.loc["I1", "collective_ha"] == approx(0.5)
    assert income(plan, recipient="villagers") == approx(0)
    assert income(plan, recipient="village_collective") == approx(304.5)
    assert kpi(plan, "dividends_yuan") == approx(0)
    assert plan.objective == approx(1_500)
    for rule in ("carbon_individual_min", "carbon_individual_only"):
        status, objective = solve_model(li, drop=(rule,))
        assert status == "optimal"
        assert objective == approx(1_804.5), rule


def test_forest_above_0_67_ha_is_the_villagers(build):
    """A villager's 1 ha grassland (1,000 Yuan/ha/yr); a free carbon forest worth 3,000 Yuan/ha/yr.
    Only the collective's income counts in the objective.

    Forest f ha with the collective applying needs f <= 0.67 (a larger forest must be applied
    for by the villager): best 1,000 + 0.67 x 2,000 + 0.67 x 609 = 2,748.03. With the villager
    applying, nothing may be credited to the collective: best f = 1, GEP 3,000, dividends 0.
    So the whole parcel is forest, the villager applies, the collective gets nothing:
    objective 3,000 Yuan/yr (dropping either row would hand the collective the 609: 3,609).
    Constraint: `carbon_individual_when_large`.
    Constraint: `carbon_collective_only`.
    """
    li = _one_villager_ha(build, ["village_collective"], eco=3)
    plan = solve(li)
    assert plan.status == "optimal"
    assert area(plan, use="ecological_forest") == approx(1)
    apps = plan.carbon_applications.set_index("parcel")
    assert bool(apps.loc["I1", "individual"])
    assert apps.loc["I1", "individual_ha"] == approx(1)
    assert apps.loc["I1", "collective_ha"] == approx(0)
    assert income(plan, recipient="villagers") == approx(609)
    assert income(plan, recipient="village_collective") == approx(0)
    assert kpi(plan, "dividends_yuan") == approx(0)
    assert plan.objective == approx(3_000)
    for rule in ("carbon_individual_when_large", "carbon_collective_only"):
        status, objective = solve_model(li, drop=(rule,))
        assert status == "optimal"
        assert objective == approx(3_609), rule


def test_exactly_0_67_ha_is_the_villagers(build):
    """The paper: "0.67 hectares or more" on a villager's land -> the villager applies.
    A villager's 1.0 ha parcel; the budget (670 Yuan at 1,000 Yuan/ha) can plant 0.67 ha of
    carbon forest (worth the grassland's GEP, so carbon decides), and only the collective's
    income counts as dividends. The collective may apply only for a forest below 0.67 ha
    (less the 1 m2 margin), so the plan plants 0.6699 ha, not 0.67: 0.6699 x 609 = 407.97
    Yuan/yr to the collective. At exactly 0.67 ha the forest would be the villager's.
    Constraint: `carbon_individual_when_large`.
    """
    li = build(
        [P("I1", "grassland", 1.0, ownership="individual")],
        uses={"ecological_forest": {**CARBON_FOREST["ecological_forest"], "establishment_cost_yuan_per_ha": 1000}},
        periods=[period("2025", budget=670)],
        objective={"dividend_recipients": ["village_collective"]},
    )
    plan = solve(li)
    assert plan.status == "optimal"
    assert area(plan, use="ecological_forest") == pytest.approx(0.67 - 1e-4, abs=1e-7)
    assert income(plan, recipient="village_collective") == pytest.approx((0.67 - 1e-4) * 609, abs=1e-4)
    assert income(plan, recipient="villagers") == approx(0)


def test_threshold_counts_the_whole_arbor_forest(build):
    """The paper's test is on the parcel's continuous artificial arbor forest, not only its
    carbon-forest part. A villager's 1.0 ha parcel must be all arbor forest (forest coverage
    target 100%), split in any way between ecological (carbon) forest and ornamental forest
    (no carbon), both worth the grassland's GEP. Only the collective's income counts, yet
    the collective gets nothing: the 1.0 ha of arbor forest is >= 0.67 ha, so the villager
    applies for whatever carbon forest there is (609 Yuan/ha/yr to the villagers); the
    collective cannot take it by splitting the parcel between forest uses.
    Constraint: `carbon_individual_min`.
    """
    uses = {
        "ecological_forest": {**CARBON_FOREST["ecological_forest"], "establishment_cost_yuan_per_ha": 1000},
        "ornamental_forest": {
            "equivalents": {"eco": 1},
            "from_covers": ["grassland"],
            "forestry_carbon": False,
            "establishment_cost_yuan_per_ha": 1000,
        },
    }
    li = build(
        [P("I1", "grassland", 1.0, ownership="individual")],
        uses=uses,
        periods=[period("2025", budget=1000)],
        objective={"dividend_recipients": ["village_collective"]},
        policies={"forest_coverage_min": 1.0},
    )
    plan = solve(li)
    assert plan.status == "optimal"
    arbor = area(plan, use="ecological_forest") + area(plan, use="ornamental_forest")
    assert arbor == approx(1.0)
    assert income(plan, recipient="village_collective") == approx(0)
    assert income(plan, recipient="villagers") == approx(area(plan, use="ecological_forest") * 609)


# ---------------------------------------------------------------------------
# Holdings: with parcel geometry, a holder's adjacent parcels apply as one site, and the
# forest applied for is one stand (planner.model.contiguity). Boxes 100 m tall (geohelpers.row).
# ---------------------------------------------------------------------------

import shapely  # noqa: E402
from geohelpers import X0, Y0, row, write_geo_instance  # noqa: E402
from helpers import write_instance  # noqa: E402

import planner  # noqa: E402
from planner.verify import verify_plan  # noqa: E402


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
    Optimum: 1,200 (base GEP) + 1,207.97 = 2,407.9691, the carbon to the collective.
    Constraint: `carbon_stand`.
    Constraint: `carbon_stand_min`."""
    uses = {**CARBON_FOREST, "fruit_expansion": {"from_covers": ["scattered_farmland"]}}
    li = _holding(tmp_path, ["H1", "H1", "H1"], uses=uses, covers=("grassland", "scattered_farmland", "grassland"))
    plan = solve(li)
    assert plan.status == "optimal"
    assert plan.objective == approx(1_200 + 800 + (0.67 - 1e-4) * 609)
    assert income(plan, recipient="villagers") == approx(0)
    assert verify_plan(plan, li)["passed"]
    # the same parcels without geometry: 1,200 + 1,287.2
    parcels = [
        P(f"I{i}", c, 0.4, ownership="individual", owner="H1")
        for i, c in zip((1, 2, 3), ("grassland", "scattered_farmland", "grassland"))
    ]
    (tmp_path / "csv").mkdir()
    plain = solve(planner.load_instance(write_instance(tmp_path / "csv", parcels, uses=uses)))
    assert plain.objective == approx(1_200 + 1_287.2)
