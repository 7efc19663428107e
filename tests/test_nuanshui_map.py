"""The Nuanshui case on its map (instances/nuanshui_geo.yaml, the synthetic GeoPackage of
instances/make_nuanshui_gpkg.py): the same 440 parcels as the CSV case, so without the
contiguity rules the optimum is the CSV case's; with them every garden lies on one
contiguous site and every individual application on a holding is one stand, on the map."""

from __future__ import annotations

import pytest
import shapely

import planner
from planner.core.paths import bundled_dir
from planner.verify import verify_plan

GARDEN = ("garden_vegetation", "garden_facility")


@pytest.fixture(scope="module")
def geo():
    li = planner.load_instance(bundled_dir("instances") / "nuanshui_geo.yaml")
    return li, planner.solve(li)


def test_same_parcels_as_the_csv_case(geo):
    li, _ = geo
    csv = planner.load_instance(bundled_dir("instances") / "nuanshui.yaml")
    a = li.parcels.set_index("id")
    b = csv.parcels.set_index("id")
    assert list(a.index) == list(b.index)
    assert a["area_ha"].to_numpy() == pytest.approx(b["area_ha"].to_numpy(), rel=1e-12)
    assert (a["cover"] == b["cover"]).all() and (a["ownership"] == b["ownership"]).all()
    assert li.warnings == []  # stated and drawn areas agree, no overlaps


def test_without_contiguity_the_optimum_is_the_csv_cases(geo):
    """Switching both contiguity rules off leaves the CSV model: the same optimum."""
    li, _ = geo
    off = planner.solve(li.replace(**{"policies.contiguous_gardens": False, "policies.contiguous_holdings": False}))
    csv = planner.solve(planner.load_instance(bundled_dir("instances") / "nuanshui.yaml"))
    assert off.status == csv.status == "optimal"
    assert off.objective == pytest.approx(csv.objective, rel=1e-9)


def test_gardens_are_contiguous_on_the_map(geo):
    """Each village's garden parcels, per period, union to one polygon; the plan verifies
    (including the verifier's own contiguity check) and can only be worth less than or as
    much as the unconstrained optimum."""
    li, plan = geo
    assert plan.status == "optimal"
    a = plan.allocations
    g = a[a["kind"].isin(GARDEN) & (a["area_ha"] > 1e-6)]
    assert g["village"].nunique() == 9
    for (_v, _t), rows in g.groupby(["village", "period"]):
        union = shapely.union_all([li.geometry[p] for p in set(rows["parcel"])])
        assert union.geom_type == "Polygon", (_v, _t, sorted(set(rows["parcel"])))
    v = verify_plan(plan, li)
    assert v["passed"], v["violations"][:3]
    assert "garden_contiguity" in v["checks"] and "garden_compact" in v["checks"]


def test_gardens_are_drawn_at_their_area(geo):
    """plan.gpkg's gardens layer: every garden drawn at its hectares (issue 19: Kenmuken's
    20 ha garden was drawn as the 204.6 ha of the parcels it touched), in one piece."""
    from planner.report.gpkg import plan_layers

    li, plan = geo
    g = plan_layers(plan, li)["gardens"]
    assert len(g) == 18  # 9 villages x 2 periods
    assert (g.geometry.area / 1e4 - g["garden_ha"]).abs().max() < 2e-3 * g["garden_ha"].max()
    assert (g.geometry.geom_type == "Polygon").all()
