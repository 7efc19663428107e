"""farmland_protection: permanent basic farmland stays unchanged."""

from __future__ import annotations

from helpers import P, approx, area, solve

PERM = {"ecological_forest": {"from_covers": ["scattered_farmland", "permanent_farmland"]}}


def test_permanent_farmland_stays_unchanged(build):
    """F1 permanent farmland 10 ha, F2 scattered farmland 5 ha, both 1,000 Yuan/ha/yr.
    Ecological forest (4,000 Yuan/ha/yr) may be planted on either cover.

    Protected: only F2 becomes forest. GEP = 10 x 1,000 + 5 x 4,000 = 30,000 Yuan/yr.
    Constraint: `farmland_protection`.
    """
    li = build([P("F1", "permanent_farmland", 10), P("F2", "scattered_farmland", 5)], uses=PERM)
    plan = solve(li)
    assert plan.status == "optimal"
    assert area(plan, parcel="F1") == approx(0)
    assert area(plan, parcel="F2", use="ecological_forest") == approx(5)
    assert plan.objective == approx(30_000)


def test_switching_protection_off_releases_the_farmland(build):
    """Same land with ``farmland_protection: false``: both parcels become forest,
    GEP = 15 x 4,000 = 60,000 Yuan/yr (the rule was worth 30,000 Yuan/yr of GEP)."""
    li = build(
        [P("F1", "permanent_farmland", 10), P("F2", "scattered_farmland", 5)],
        uses=PERM,
        policies={"farmland_protection": False},
    )
    plan = solve(li)
    assert plan.status == "optimal"
    assert area(plan, parcel="F1", use="ecological_forest") == approx(10)
    assert plan.objective == approx(60_000)


def test_protected_cover_list_is_the_policy(build):
    """Protecting scattered farmland too (``protected_farmland_covers`` lists both)
    leaves no land to convert: GEP = 15 x 1,000 = 15,000 Yuan/yr."""
    li = build(
        [P("F1", "permanent_farmland", 10), P("F2", "scattered_farmland", 5)],
        uses=PERM,
        policies={"protected_farmland_covers": ["permanent_farmland", "scattered_farmland"]},
    )
    plan = solve(li)
    assert plan.status == "optimal"
    assert area(plan, use="ecological_forest") == approx(0)
    assert plan.objective == approx(15_000)
