"""A registry layer as a county bureau hands it over: CGCS2000 3-degree Gauss-Kruger
coordinates (EPSG:4546, CM 111E), parcels that do not share vertices, and the cover column
in GB/T 21010-2017 survey codes. It solves without recoding, and plan.gpkg comes back in
the layer's own coordinate system."""

from __future__ import annotations

import pyogrio
import shapely
from geohelpers import X0, Y0, write_geo_instance
from helpers import P

import planner
from planner.report.gpkg import write_plan_gpkg


def test_gauss_kruger_layer_with_survey_codes_solves_and_keeps_its_crs(tmp_path):
    """Three 100 m tall boxes side by side, the middle one 0.1 m off its neighbours (a
    hairline gap, within the 0.5 m default tolerance). Covers as survey codes: 0404
    (其他草地, other grassland) -> grassland, 0103 (旱地, dry land) -> scattered_farmland,
    0301K (乔木林地, arbor forest, working class) -> forest. Derived by hand from
    GB/T 21010-2017 and models/land_classes/gbt21010.yaml; the middle box borders both."""
    geoms = {
        "A1": shapely.box(X0, Y0, X0 + 200, Y0 + 100),
        "A2": shapely.box(X0 + 200.1, Y0, X0 + 350.1, Y0 + 100),
        "A3": shapely.box(X0 + 350.2, Y0, X0 + 750.2, Y0 + 100),
    }
    parcels = [P("A1", "0404", 2), P("A2", "0103", 1.5), P("A3", "0301K", 4)]
    path = write_geo_instance(
        tmp_path, parcels, geoms, uses=["ecological_forest"], parcels_extra={"cover_classes": "gbt21010"}
    )
    li = planner.load_instance(path)
    assert li.parcels.set_index("id")["cover"].to_dict() == {
        "A1": "grassland",
        "A2": "scattered_farmland",
        "A3": "forest",
    }
    pairs = {tuple(sorted(r)) for r in li.adjacency.iloc[:, :2].itertuples(index=False)}
    assert pairs == {("A1", "A2"), ("A2", "A3")}
    plan = planner.solve(li)
    assert plan.status == "optimal" and plan.verification["passed"]
    out = write_plan_gpkg(plan, li, tmp_path / "plan.gpkg")
    assert pyogrio.read_info(out, layer="parcels")["crs"] == "EPSG:4546"
