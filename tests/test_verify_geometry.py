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
