"""village_permission: which villages may host each forest/fruit type, and siting
(ornamental forest only along transit roads / beside fruit forests)."""

from __future__ import annotations

from helpers import P, approx, area, solve

USES = ["ecological_forest", "ornamental_forest"]  # 4,000 and 3,000 Yuan/ha/yr


def _two_villages(build, **use_pol):
    return build(
        [P("A1", "grassland", 10, village="a"), P("B1", "grassland", 10, village="b")], uses=USES, use_policies=use_pol
    )


def test_ecological_forest_only_in_permitted_villages(build):
    """Ecological forest (4,000) is permitted only in village a; ornamental (3,000) anywhere.
    A1 -> ecological 40,000; B1 -> ornamental 30,000: 70,000 Yuan/yr.
    Constraint: `village_permission`.
    """
    plan = solve(_two_villages(build, ecological_forest={"villages": ["a"]}))
    assert plan.status == "optimal"
    assert area(plan, village="b", use="ecological_forest") == approx(0)
    assert area(plan, village="b", use="ornamental_forest") == approx(10)
    assert area(plan, village="a", use="ecological_forest") == approx(10)
    assert plan.objective == approx(70_000)


def test_permission_relaxed(build):
    """Permission lifted (villages: null): ecological forest everywhere, 80,000 Yuan/yr."""
    plan = solve(_two_villages(build, ecological_forest={"villages": None}))
    assert plan.status == "optimal"
    assert area(plan, use="ecological_forest") == approx(20)
    assert plan.objective == approx(80_000)


def test_disabled_use_is_never_chosen(build):
    """``enabled: false`` on ecological forest: ornamental everywhere, 60,000 Yuan/yr."""
    plan = solve(_two_villages(build, ecological_forest={"enabled": False}))
    assert plan.status == "optimal"
    assert area(plan, use="ecological_forest") == approx(0)
    assert plan.objective == approx(60_000)


def _siting(build, attr, values, **pol):
    parcels = [P("R1", "grassland", 10, **{attr: values[0]}), P("R2", "grassland", 10, **{attr: values[1]})]
    return build(
        parcels,
        uses={"ornamental_forest": None},
        use_policies={"ornamental_forest": {"require_attribute": attr, **pol}},
    )


def test_ornamental_forest_only_along_roads(build):
    """R1 along a road, R2 not; ornamental forest (3,000 vs grass 1,000 Yuan/ha/yr) requires
    ``along_road``. R1 -> forest, R2 stays grassland: 30,000 + 10,000 = 40,000 Yuan/yr.
    Constraint: `siting`.
    """
    plan = solve(_siting(build, "along_road", [True, False]))
    assert plan.status == "optimal"
    assert area(plan, parcel="R1") == approx(10)
    assert area(plan, parcel="R2") == approx(0)
    assert plan.objective == approx(40_000)


def test_siting_relaxed(build):
    """Without the siting rule both parcels take ornamental forest: 60,000 Yuan/yr."""
    li = _siting(build, "along_road", [True, False])
    plan = solve(li.replace(**{"uses.ornamental_forest.require_attribute": None}))
    assert plan.status == "optimal"
    assert area(plan, parcel="R2") == approx(10)
    assert plan.objective == approx(60_000)


def test_siting_on_a_custom_boolean_column(build):
    """The siting rule names any boolean parcel attribute, e.g. ``beside_fruit`` ("beside
    fruit forests"), given in the CSV as true/false. R1 true, R2 false: only R1 may carry
    ornamental forest: 40,000 Yuan/yr, exactly as with ``along_road``."""
    plan = solve(_siting(build, "beside_fruit", [True, False]))
    assert plan.status == "optimal"
    assert area(plan, parcel="R2") == approx(0), "a parcel whose beside_fruit is 'false' got ornamental forest"
    assert area(plan, parcel="R1") == approx(10)
    assert plan.objective == approx(40_000)
