"""Exact aggregation (planner.model.aggregate): interchangeable parcels are merged into land units
before building and the plan is split back per parcel, with the optimum unchanged."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest
from helpers import P, period
from pytest import approx

from planner.api import solve
from planner.model.aggregate import aggregate, identity_needed
from planner.model.data import ModelData


def frame(rows):
    return pd.DataFrame(rows, columns=["id", "village", "area_ha", "cover", "red_line", "eco_space", "ownership"])


def test_merges_only_parcels_alike_and_keeps_identity_where_needed():
    """Five parcels: A1, A2 collective grassland in village a (alike: one unit of 5 ha);
    A3 the same but red line (its own unit); A4 individually owned 2 ha (>= 0.67 ha: keeps its
    identity for the individual carbon application); A5 fruit forest (can become a scenic spot:
    keeps its identity). So 4 units from 5 parcels, and A1's share of its unit is 2/5."""
    df = frame(
        [
            ("A1", "a", 2.0, "grassland", False, "none", "collective"),
            ("A2", "a", 3.0, "grassland", False, "none", "collective"),
            ("A3", "a", 4.0, "grassland", True, "none", "collective"),
            ("A4", "a", 2.0, "grassland", False, "none", "individual"),
            ("A5", "a", 40.0, "fruit_forest", False, "none", "collective"),
        ]
    )
    need = identity_needed(df, {"fruit_forest"}, 0.67)
    assert need.tolist() == [False, False, False, True, True]
    agg = aggregate(df, need)
    u = agg.units.set_index("id")
    assert list(agg.units["id"]) == ["A1+1", "A3", "A4", "A5"]
    assert u.at["A1+1", "area_ha"] == approx(5.0) and u.at["A1+1", "n_parcels"] == 2
    assert u.at["A1+1", "parcel_max_ha"] == approx(3.0)
    assert agg.units["area_ha"].sum() == approx(df["area_ha"].sum())
    share = agg.members.set_index("parcel")["share"]
    assert share["A1"] == approx(0.4) and share["A2"] == approx(0.6)


def test_small_individual_parcels_merge_but_never_count_as_large():
    """Three individually owned 0.4 ha woodlots alike merge into one 1.2 ha unit, but the
    0.67 ha rule is per parcel: the unit's largest parcel is 0.4 ha, so it is not a unit
    for an individual carbon application."""
    df = frame([(f"W{i}", "a", 0.4, "grassland", False, "none", "individual") for i in range(3)])
    agg = aggregate(df, identity_needed(df, set(), 0.67))
    assert len(agg.units) == 1 and agg.units.at[0, "area_ha"] == approx(1.2)
    assert agg.units.at[0, "parcel_max_ha"] == approx(0.4)


def test_split_gives_each_parcel_its_share():
    """A unit of 2 + 3 ha with 4 ha planted: 1.6 ha on the 2 ha parcel and 2.4 ha on the 3 ha
    one; a one-parcel unit's row is unchanged."""
    df = frame(
        [
            ("A1", "a", 2.0, "grassland", False, "none", "collective"),
            ("A2", "a", 3.0, "grassland", False, "none", "collective"),
            ("B1", "b", 1.0, "grassland", False, "none", "collective"),
        ]
    )
    agg = aggregate(df, np.zeros(3, dtype=bool))
    alloc = pd.DataFrame(
        {"parcel": ["A1+1", "B1"], "use": ["f", "f"], "period": ["2025", "2025"], "area_ha": [4.0, 0.5]}
    )
    out = agg.split(alloc).set_index("parcel")["area_ha"]
    assert out.to_dict() == approx({"A1": 1.6, "A2": 2.4, "B1": 0.5})


def test_unit_names_never_clash_with_parcel_ids():
    """A table whose ids already look like unit names ('A1+1' is a real parcel): merged units
    get a '~' prefix instead."""
    df = frame(
        [
            ("A1", "a", 2.0, "grassland", False, "none", "collective"),
            ("A2", "a", 3.0, "grassland", False, "none", "collective"),
            ("A1+1", "b", 1.0, "forest", False, "none", "collective"),
        ]
    )
    agg = aggregate(df, np.zeros(3, dtype=bool))
    assert set(agg.units["id"]) == {"~A1+1", "A1+1"}


CARBON_USES = {
    "ecological_forest": {
        "equivalents": {"eco": 4},
        "forestry_carbon": True,
        "establishment_cost_yuan_per_ha": 20_000,
        "income_yuan_per_ha_yr": 300,
    },
    "interactive_forest": {
        "equivalents": {"eco": 3},
        "establishment_cost_yuan_per_ha": 5_000,
        "income_yuan_per_ha_yr": 900,
    },
    "fruit_expansion": {"establishment_cost_yuan_per_ha": 10_000, "income_yuan_per_ha_yr": 1_500},
    "scenic_fruit": None,
    "garden_shrub": None,
}


def random_instance(build, seed: int):
    """Random parcels drawn from few attribute combinations (so many are alike), with small and
    large individually owned parcels, registered forest, red line, fruit forests, a budget
    that binds, a vegetation-coverage floor, and carbon income to villagers or collectives."""
    rng = random.Random(seed)
    parcels = []
    for i in range(rng.randint(25, 45)):
        cover = rng.choice(["grassland", "grassland", "scattered_farmland", "forest", "fruit_forest"])
        own = rng.choice(["collective", "individual"])
        area = rng.choice([0.3, 0.5, 0.6, 1.0, 2.5, 12.0, 35.0])
        parcels.append(
            P(
                f"P{i:03d}",
                cover,
                area,
                village=rng.choice(["a", "b"]),
                ownership=own,
                red_line=rng.choice(["true", "false"]) if cover == "grassland" else "false",
                carbon_registered=rng.choice(["true", "false"]) if cover == "forest" else "false",
                mature="true" if cover == "fruit_forest" else "false",
            )
        )
    # and always a few alike (collective grassland in village a, outside the red line)
    parcels += [P(f"Q{i}", "grassland", rng.choice([0.5, 3.0, 8.0])) for i in range(4)]
    return build(
        parcels,
        uses=CARBON_USES,
        periods=[
            period("2025", budget=rng.choice([1e5, 3e5, 1e6])),
            period("2035", budget=rng.choice([1e5, 5e5]), years=10),
        ],
        policies={
            "vegetation_coverage_min": round(rng.uniform(0.3, 0.8), 2),
            "scenic_min_parcel_ha": 30,
            "red_line_type_unchanged": True,
            "individual_carbon_min_ha": 0.67,
        },
        objective={"tie_break": "none"},
    )


@pytest.mark.parametrize("seed", range(6))
def test_random_instances_have_the_same_optimum_with_and_without_aggregation(build, seed):
    """The aggregated model is the parcel model summed over interchangeable parcels, so both
    reach the same optimum; the split plan passes the independent verifier per parcel, and its
    areas per village, use and period equal the parcel-level plan's sums wherever the optimum
    is unique in them (checked: totals per period)."""
    li = random_instance(build, seed)
    agg = ModelData(li)
    assert len(agg.land.units) < len(li.parcels)  # something was merged
    a = solve(li)
    b = solve(li, aggregate=False)
    assert a.status == b.status == "optimal"
    assert a.objective == approx(b.objective, rel=1e-9, abs=1e-3)
    assert a.verification["passed"], a.verification
    assert set(a.allocations["parcel"]) <= set(li.parcels["id"])
    for t in ("2025", "2035"):
        assert a.kpi("gep_yuan", t) == approx(b.kpi("gep_yuan", t), rel=1e-6)
    used = a.allocations.groupby(["parcel", "period"])["area_ha"].sum()
    area = li.parcels.set_index("id")["area_ha"]
    assert (used <= area.reindex(used.index.get_level_values(0)).to_numpy() + 1e-9).all()


def test_small_woodlots_income_goes_to_the_collective_when_merged(build):
    """Three individually owned registered forest woodlots of 0.4 ha each (below 0.67 ha): their
    carbon income (3 x 0.4 x 609 = 730.8 Yuan/yr) goes to the village collective, not to the
    villagers, whether or not they are merged into one 1.2 ha unit."""
    parcels = [P(f"W{i}", "forest", 0.4, ownership="individual", carbon_registered="true") for i in range(3)]
    li = build(parcels, uses={"garden_shrub": None})
    for agg in (True, False):
        plan = solve(li, aggregate=agg)
        dv = plan.dividends.groupby("recipient")["yuan_per_yr"].sum()
        assert dv.get("village_collective", 0.0) == approx(730.8)
        assert dv.get("villagers", 0.0) == approx(0.0)
