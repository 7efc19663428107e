"""The verifier's contiguity check against the map. The contiguity rules' own tests are in
test_gardens.py (one contiguous site per village garden) and test_carbon_application.py (holdings).

Contiguity from parcel geometry: one contiguous site per village garden
(``contiguous_gardens``) and a villager's holding of adjacent parcels as one stand for the
0.67 ha individual carbon application (``contiguous_holdings``).

Geometry: boxes 100 m tall (``geohelpers.row``), so w metres wide = w/100 ha and
neighbours in a row share a 100 m boundary. Library: helpers.py (1,000 Yuan per
equivalent; garden shrub 3,000 Yuan/ha/yr; grassland and scattered farmland 1,000;
reclaimed mine 0; forest cover 5,000)."""

from __future__ import annotations

from geohelpers import row, write_geo_instance
from helpers import P, solve

import planner
from planner.verify import verify_plan

GARDEN_POL = {"garden_max_ha": 2, "garden_min_ha": 1.5}
# G3 | G1 | F | G2 : G1 and G2 (bare mine, the best garden land) are not neighbours
GARDEN_PARCELS = [
    P("G3", "grassland", 2),
    P("G1", "reclaimed_mine", 1),
    P("F", "forest", 5),
    P("G2", "reclaimed_mine", 1),
]


def _garden_instance(tmp_path, policies=None):
    geoms = row({"G3": 2, "G1": 1, "F": 5, "G2": 1})
    path = write_geo_instance(
        tmp_path, GARDEN_PARCELS, geoms, uses=["garden_shrub"], policies={**GARDEN_POL, **(policies or {})}
    )
    return planner.load_instance(path)


def test_verifier_flags_a_garden_on_two_sites(tmp_path):
    """A plan solved without contiguity (garden on G1 + G2) checked against the map: the
    verifier reports garden_contiguity."""
    li = _garden_instance(tmp_path)
    plan = solve(li.replace(**{"policies.contiguous_gardens": False}))
    v = verify_plan(plan, li)
    assert not v["passed"]
    assert [x["rule"] for x in v["violations"]] == ["garden_contiguity"]


def test_verifier_reads_the_map_not_the_neighbour_list(tmp_path):
    """The same garden on G1 + G2, checked against an instance whose neighbour list wrongly
    says G1 and G2 are neighbours: the verifier measures the polygons itself (G1 and G2 are
    5 m of forest apart), so it still reports garden_contiguity."""
    import dataclasses

    import pandas as pd

    li = _garden_instance(tmp_path)
    plan = solve(li.replace(**{"policies.contiguous_gardens": False}))
    wrong = pd.concat([li.adjacency, pd.DataFrame([{c: v for c, v in zip(li.adjacency.columns, ("G1", "G2"))}])])
    fooled = dataclasses.replace(li, adjacency=wrong.reset_index(drop=True))
    v = verify_plan(plan, fooled)
    assert [x["rule"] for x in v["violations"]] == ["garden_contiguity"]
