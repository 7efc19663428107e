"""The verifier reads the map itself (planner.verify.geometry): which parcels form one
connected site, from the polygons, every part of a multipart parcel a node of its own."""

from __future__ import annotations

import shapely

from planner.verify.geometry import connected_sites

TOL, MIN = 0.5, 1.0


def test_a_hairline_gap_joins_and_a_corner_does_not():
    """A and B are 100 m boxes 0.1 m apart along a 100 m side: within the 0.5 m tolerance
    they share 100 - 2 x 0.5 = 99 m >= 1 m, one site. C touches B only at a corner: it
    shares 0 m, a site of its own."""
    a = shapely.box(0, 0, 100, 100)
    b = shapely.box(100.1, 0, 200.1, 100)
    c = shapely.box(200.1, 100, 300.1, 200)
    assert connected_sites({"A": a, "B": b, "C": c}, TOL, MIN) == [["A", "B"], ["C"]]


def test_the_parts_of_a_multipart_parcel_are_no_bridge():
    """P has two parts 20 m apart; Q borders the first part, R the second. Q and R are not
    connected through P: two sites, P on both. Joined by a 10 m strip S (a parcel of its
    own touching both parts along 10 m), the three are one site."""
    p = shapely.MultiPolygon([shapely.box(0, 0, 50, 50), shapely.box(70, 0, 120, 50)])
    q = shapely.box(0, 50, 50, 100)
    r = shapely.box(70, 50, 120, 100)
    assert connected_sites({"P": p, "Q": q, "R": r}, TOL, MIN) == [["P", "Q"], ["P", "R"]]
    s = shapely.box(50, 0, 70, 10)
    assert connected_sites({"P": p, "Q": q, "R": r, "S": s}, TOL, MIN) == [["P", "Q", "R", "S"]]


def test_holdings_are_measured_on_the_map(tmp_path):
    """Holder H1 owns F1 and F2 (0.1 m apart along 100 m: one holding) and F3 (10 m off
    F2: not adjacent); H2 owns F4, which borders F3. The verifier's own pairs are F1-F2
    only: another holder's parcel never joins a holding."""
    from geohelpers import X0, Y0, write_geo_instance
    from helpers import P

    import planner
    from planner.verify.geometry import holder_edges

    geoms = {
        "F1": shapely.box(X0, Y0, X0 + 100, Y0 + 100),
        "F2": shapely.box(X0 + 100.1, Y0, X0 + 200.1, Y0 + 100),
        "F3": shapely.box(X0 + 210.1, Y0, X0 + 310.1, Y0 + 100),
        "F4": shapely.box(X0 + 310.1, Y0, X0 + 410.1, Y0 + 100),
    }
    own = {"F1": "H1", "F2": "H1", "F3": "H1", "F4": "H2"}
    parcels = [P(p, "grassland", 1, ownership="individual", owner=h) for p, h in own.items()]
    li = planner.load_instance(write_geo_instance(tmp_path, parcels, geoms, uses=["ecological_forest"]))
    assert holder_edges(li).values.tolist() == [["F1", "F2"]]
