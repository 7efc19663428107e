"""red_line: inside the ecological protection red line the type of space stays
unchanged; the red line keeps at least a minimum share of the territory."""

from __future__ import annotations

from helpers import P, approx, area, kpi, solve

# fruit (3,000 Yuan/ha/yr, not ecological space) vs ecological forest (2,500, ecological space)
USES = {"fruit_expansion": None, "ecological_forest": {"equivalents": {"eco": 2.5}}}
NO_ECO = {"ecological_space_no_decrease": False}


def _two_grass(build, **pol):
    return build(
        [P("R", "grassland", 10, red_line=True, eco_space="conservation"), P("N", "grassland", 10)],
        uses=USES,
        policies={**NO_ECO, **pol},
    )


def test_red_line_keeps_the_type_of_space(build):
    """R (red line) and N (outside), grassland 10 ha each (ecological space).
    Fruit (not ecological space) is worth 3,000 Yuan/ha/yr, ecological forest 2,500.

    Inside the red line the space type must stay ecological: R -> forest (25,000), N -> fruit
    (30,000): GEP 55,000 Yuan/yr.
    Constraint: `red_line_type`.
    """
    plan = solve(_two_grass(build))
    assert plan.status == "optimal"
    assert area(plan, parcel="R", use="fruit_expansion") == approx(0)
    assert area(plan, parcel="R", use="ecological_forest") == approx(10)
    assert area(plan, parcel="N", use="fruit_expansion") == approx(10)
    assert plan.objective == approx(55_000)


def test_red_line_type_rule_switched_off(build):
    """``red_line_type_unchanged: false``: R goes to fruit as well, GEP 60,000 Yuan/yr."""
    plan = solve(_two_grass(build, red_line_type_unchanged=False))
    assert plan.status == "optimal"
    assert area(plan, parcel="R", use="fruit_expansion") == approx(10)
    assert plan.objective == approx(60_000)


def _share(build, share):
    return build(
        [P("R", "grassland", 10, red_line=True, eco_space="conservation"), P("M", "reclaimed_mine", 10)],
        uses=["fruit_expansion"],
        policies={**NO_ECO, "red_line_type_unchanged": False, "red_line_min_share": share},
    )


def test_red_line_min_share_binds(build):
    """R grassland 10 ha inside the red line, M bare mine 10 ha outside (no use): territory 20 ha.
    Fruit on R (3,000 vs 1,000 Yuan/ha/yr) removes ecological space from the red line.

    Share 0.3: ecological space in the red line >= 6 ha -> fruit 4 ha:
    GEP = 4 x 3,000 + 6 x 1,000 = 18,000 Yuan/yr.
    Constraint: `red_line_share`.
    """
    plan = solve(_share(build, 0.3))
    assert plan.status == "optimal"
    assert area(plan, parcel="R", use="fruit_expansion") == approx(4)
    assert kpi(plan, "ecological_space_ha") == approx(6)
    assert plan.objective == approx(18_000)


def test_red_line_share_relaxed_and_tightened(build):
    """No share (null): all 10 ha of R to fruit, 30,000 Yuan/yr. Share 0.5 (10 ha): R stays
    grassland, 10,000 Yuan/yr."""
    li = _share(build, 0.3)
    off = solve(li.replace(**{"policies.red_line_min_share": None}))
    assert off.status == "optimal"
    assert area(off, use="fruit_expansion") == approx(10)
    assert off.objective == approx(30_000)
    tight = solve(li.replace(**{"policies.red_line_min_share": 0.5}))
    assert tight.status == "optimal"
    assert area(tight, use="fruit_expansion") == approx(0)
    assert tight.objective == approx(10_000)


def test_unreachable_red_line_share_is_reported_infeasible(build):
    """Red line: grassland R 2 ha; outside: mine M 8 ha with a forest option. A red-line share of
    0.5 of the 10 ha territory needs 5 ha of ecological space inside the red line, but the red
    line holds only 2 ha: infeasible (not an 'optimal' plan that ignores the share)."""
    li = build(
        [P("R", "grassland", 2, red_line=True, eco_space="conservation"), P("M", "reclaimed_mine", 8)],
        uses=["ecological_forest"],
        policies={"red_line_min_share": 0.5},
    )
    plan = solve(li)
    assert plan.status == "infeasible"
