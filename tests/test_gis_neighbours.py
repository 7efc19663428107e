"""Neighbours across imperfect boundaries (issue 16): parcels.adjacency_tolerance_m.

The layers (tests/realistic_layers.py) are drawn as real registry layers are: no two
neighbours share a vertex or a line; they leave 0.1 m gaps or overlap by 0.2 m. The
planner's neighbours are compared with the pairs known by construction and with an
independent computation written here (sampling each boundary every 5 cm, no spatial
index, no buffers), under the same rule: the stretches of a boundary within the tolerance
of the other's boundary, each less twice the tolerance (a closed ring keeps its length),
the smaller side at least adjacency_min_shared_m."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import shapely
from geohelpers import X0, Y0, row, write_geo_instance
from helpers import P, approx, solve
from realistic_layers import expected_pairs, grid_layer

import planner
from planner.core.errors import MAX_PER_KIND, InputError

TOL, MIN_SHARED = 0.5, 1.0
NO_CONTIGUITY = {"contiguous_gardens": False, "contiguous_holdings": False}


def _load(tmp_path, geoms, policies=None, **parcels_extra):
    parcels = [P(pid, "grassland", shapely.area(g) / 10_000) for pid, g in geoms.items()]
    path = write_geo_instance(
        tmp_path,
        parcels,
        geoms,
        uses=["ecological_forest"],
        keep_area=False,
        policies=policies,
        parcels_extra=parcels_extra or None,
    )
    return planner.load_instance(path)


def _pairs(li) -> set[tuple[str, str]]:
    return set(zip(li.adjacency["a"], li.adjacency["b"]))


def _near_length(a, b, tol: float, step: float = 0.05) -> float:
    """Sampled: the length of a's boundary within tol of b's boundary, per run of
    consecutive samples less 2 * tol (a whole ring: its length)."""
    total = 0.0
    line = a.boundary
    for ring in getattr(line, "geoms", [line]):
        n = int(np.ceil(ring.length / step))
        seg = ring.length / n
        mids = (np.arange(n) + 0.5) * seg
        near = shapely.distance(shapely.line_interpolate_point(ring, mids), b.boundary) <= tol
        if near.all():
            total += ring.length
            continue
        near = np.roll(near, -int(np.argmin(near)))  # start outside a run (rings are closed)
        run = 0
        for x in list(near) + [False]:
            if x:
                run += 1
            elif run:
                total += max(run * seg - 2 * tol, 0.0)
                run = 0
    return total


def _independent(geoms: dict, tol: float) -> dict[tuple[str, str], float]:
    out = {}
    for (i, a), (j, b) in itertools.combinations(sorted(geoms.items()), 2):
        if a.distance(b) > tol:
            continue
        shared = min(_near_length(a, b, tol), _near_length(b, a, tol))
        if shared >= MIN_SHARED:
            out[(i, j)] = shared
    return out


def test_neighbours_equal_an_independent_computation(tmp_path):
    """4 x 3 grid (17 four-neighbour pairs), enclave E in c1r1, multipart M under c0r0 and
    c3r0, P touching c3r2 at a corner: 20 pairs by construction; the sampled computation
    finds the same, and the planner too, with shared lengths within 0.1 m of the sampled
    ones (about 80 m and 100 m; E's whole 80 m ring; M's 30 m square 0.1 m below c0r0:
    its top 30 m, plus 0.4 m of each side within 0.5 m of c0r0, less 2 x 0.5 m = 29.8 m)."""
    geoms = grid_layer()
    truth = expected_pairs()
    assert len(truth) == 20
    ref = _independent(geoms, TOL)
    assert set(ref) == truth
    li = _load(tmp_path, geoms, policies=NO_CONTIGUITY)
    assert _pairs(li) == truth
    got = {(a, b): s for a, b, s in li.adjacency.itertuples(index=False)}
    for pair, shared in ref.items():
        assert got[pair] == pytest.approx(shared, abs=0.1), pair
    assert got[("E", "c1r1")] == pytest.approx(80, abs=0.1)
    assert got[("M", "c0r0")] == pytest.approx(29.8, abs=0.01)
    assert not [w for w in li.warnings if "overlap" in str(w)]  # 0.2 m overlaps are noise


def test_without_the_tolerance_the_neighbours_are_lost(tmp_path):
    """parcels.adjacency_tolerance_m: 0 -> only exactly shared lines: the grid's gaps and
    crossing overlaps share none, so no pair at all is found (the issue's bug)."""
    li = _load(tmp_path, grid_layer(), policies=NO_CONTIGUITY, adjacency_tolerance_m=0)
    assert _pairs(li) == set()


def test_a_garden_uses_neighbours_across_a_gap(tmp_path):
    """G3 | G1 | G2 | F as boxes 100 m tall (test_gardens' parcels, G2 moved next to G1),
    with a 0.1 m gap between G1 and G2: G1 + G2 (bare mine, +3,000/ha each) are one site,
    so the 2 ha garden takes them: 2,000 (G3) + 25,000 (F) + 6,000 = 33,000, as when they
    share a line exactly. With adjacency_tolerance_m 0 they are not neighbours and the
    garden is G1 + 1 ha of G3: 2,000 (G3) + 25,000 (F) + 3,000 + 2,000 = 32,000."""
    geoms = row({"G3": 2, "G1": 1})
    geoms["G2"] = shapely.box(X0 + 300.1, Y0, X0 + 400.1, Y0 + 100)
    geoms["F"] = shapely.box(X0 + 400.1, Y0, X0 + 900.1, Y0 + 100)
    parcels = [P("G3", "grassland", 2), P("G1", "reclaimed_mine", 1), P("F", "forest", 5), P("G2", "reclaimed_mine", 1)]

    def garden(directory, **extra):
        li = planner.load_instance(
            write_geo_instance(
                directory,
                parcels,
                geoms,
                uses=["garden_shrub"],
                policies={"garden_max_ha": 2, "garden_min_ha": 1.5},
                parcels_extra=extra or None,
            )
        )
        plan = solve(li)
        a = plan.allocations
        return _pairs(li), set(a.loc[a["kind"] == "garden_vegetation", "parcel"]), plan.objective

    pairs, used, objective = garden(tmp_path / "tol")
    assert ("G1", "G2") in pairs and used == {"G1", "G2"} and objective == approx(33_000)
    pairs, used, objective = garden(tmp_path / "exact", adjacency_tolerance_m=0)
    assert ("G1", "G2") not in pairs and used == {"G3", "G1"} and objective == approx(32_000)


def test_the_multipart_bridge_is_refused(tmp_path):
    """M's two parts are 270 m apart: with the contiguity rules on (the default) the layer
    is refused, naming M and how to split it."""
    geoms = grid_layer(enclave=False, point=False)
    with pytest.raises(InputError) as exc:
        _load(tmp_path, geoms)
    text = str(exc.value)
    assert "parcel 'M'" in text and "2 separate pieces" in text and "Multipart to Singleparts" in text
    assert "'c" not in text  # the grid's cells are single parts


def test_a_multipart_parcel_whose_parts_touch_is_accepted(tmp_path):
    """Two 50 m x 100 m parts with a 0.1 m gap between them: connected within the tolerance."""
    geoms = row({"A": 1})
    geoms["B"] = shapely.MultiPolygon(
        [shapely.box(X0 + 100, Y0, X0 + 150, Y0 + 100), shapely.box(X0 + 150.1, Y0, X0 + 200.1, Y0 + 100)]
    )
    li = _load(tmp_path, geoms)
    assert _pairs(li) == {("A", "B")}


def test_duplicate_geometry_is_an_error_naming_both(tmp_path):
    """DUP: c0r1 shifted by 5 cm (over 99% of either's area in common)."""
    geoms = grid_layer(enclave=False, multipart=False, point=False)
    geoms["DUP"] = shapely.affinity.translate(geoms["c0r1"], 0.05, 0.0)
    with pytest.raises(InputError) as exc:
        _load(tmp_path, geoms)
    assert "parcels 'c0r1' and 'DUP'" in str(exc.value) and "the same land drawn twice" in str(exc.value)


def test_overlap_warnings_are_capped_and_say_what_is_done(tmp_path):
    """30 pairs of 100 m squares overlapping by 5 m (500 m2 each, wider than 0.5 m): each
    pair's boundaries run together along the overlap's top and bottom (5 m each, plus 0.5 m
    at each crossing, less 2 x 0.5 m: 10 m), so they are treated as adjacent;
    MAX_PER_KIND warnings and one counting the other 10. C and D overlap over one corner
    (D's corner 5 m into C: 25 m2): their boundaries only cross, at right angles (1 m
    within 0.5 m around each crossing, less 2 x 0.5 m: nothing shared), so they are
    treated as not adjacent, in a warning of its own."""
    geoms = {}
    for k in range(30):
        y = Y0 + 200 * k
        geoms[f"A{k:02d}"] = shapely.box(X0, y, X0 + 100, y + 100)
        geoms[f"B{k:02d}"] = shapely.box(X0 + 95, y, X0 + 195, y + 100)
    geoms["C"] = shapely.box(X0 + 1000, Y0, X0 + 1100, Y0 + 100)
    geoms["D"] = shapely.box(X0 + 1095, Y0 + 95, X0 + 1195, Y0 + 195)
    li = _load(tmp_path, geoms, policies=NO_CONTIGUITY)
    over = [w for w in li.warnings if "overlap by" in w.message and "treats them as adjacent" in w.message]
    assert len(over) == MAX_PER_KIND + 1
    assert over[-1].more == 10
    assert all("500 m2" in w.message for w in over)
    apart = [w for w in li.warnings if "treats them as not adjacent" in w.message]
    assert [(w.field, w.message.split(",")[0]) for w in apart] == [("parcels 'C' and 'D'", "overlap by 25 m2")]
    assert len(_pairs(li)) == 30 and ("C", "D") not in _pairs(li)
    assert li.adjacency["shared_m"].tolist() == pytest.approx([10] * 30)


def test_noded_boundaries_keep_their_exact_shared_length(tmp_path):
    """A | B | C as boxes 100 m tall sharing their lines exactly (a noded layer), and D
    above A and B sharing 0.6 m of A's top (a stub below the 1 m minimum) and all of B's:
    with the tolerance the pairs are those sharing at least 1 m of exact line, each with
    that exact length (A-B 100, B-C 100, B-D 100 m); A-D's 0.6 m plus what the tolerance
    adds at the stub's ends (0.5 m at most, less 2 x 0.5 m) stays below 1 m: not adjacent,
    as without the tolerance."""
    geoms = row({"A": 1, "B": 1, "C": 1})
    geoms["D"] = shapely.box(X0 + 99.4, Y0 + 100, X0 + 200, Y0 + 150)
    tol = _load(tmp_path / "tol", geoms, policies=NO_CONTIGUITY)
    exact = _load(tmp_path / "exact", geoms, policies=NO_CONTIGUITY, adjacency_tolerance_m=0)
    got = {(a, b): s for a, b, s in tol.adjacency.itertuples(index=False)}
    assert got == {("A", "B"): 100.0, ("B", "C"): 100.0, ("B", "D"): 100.0}
    assert {(a, b): s for a, b, s in exact.adjacency.itertuples(index=False)} == got
