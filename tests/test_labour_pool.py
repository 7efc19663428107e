"""labour_pool: recruits are drawn from the village labour pools of residents, people living
outside and returning residents, each role from its own groups."""

from __future__ import annotations

from helpers import P, approx, area, built, recruits, solve
from test_recruitment import FOREST, NEUTRAL, role


def _returning(build, returning):
    proj = {
        "id": "P",
        "channel": "fruit",
        "host_village": "a",
        "capex_yuan": 0,
        "income_yuan_per_yr": {"cultural_tourism": 10_000},
        "shares": {"villagers": 1.0},
    }
    return build(
        [P("A1", "grassland", 9)],
        uses=NEUTRAL,
        villages={"a": {"labour_pool": {"residents": 50, "returning": returning}}},
        projects=[proj],
        roles=[role("operators", "staff2", groups=["returning"], projects=["P"])],
    )


def test_returning_only_role_draws_on_returning_residents(build):
    """P needs 2 operators, recruited only from returning residents. With 1 returning resident
    (and 50 residents who may not take the role) P cannot be run: 9,000 Yuan/yr.
    The role's recruits are the sum of its allowed groups' assignments, so the residents
    cannot stand in for returning residents.
    Constraint: `labour_assign`.
    """
    plan = solve(_returning(build, 1))
    assert plan.status == "optimal"
    assert not built(plan, "P")
    assert plan.objective == approx(9_000)


def test_returning_pool_large_enough(build):
    """With 2 returning residents P is built, staffed by them: 19,000 Yuan/yr."""
    plan = solve(_returning(build, 2))
    assert plan.status == "optimal"
    assert built(plan, "P")
    g = plan.recruitment_groups
    assert set(g.loc[g["role"] == "operators", "group"]) == {"returning"}
    assert g.loc[g["role"] == "operators", "count"].sum() == approx(2)
    assert plan.objective == approx(19_000)


def _shared_pool(build, income, pools=True):
    proj = {
        "id": "P",
        "channel": "fruit",
        "host_village": "a",
        "capex_yuan": 0,
        "income_yuan_per_yr": {"cultural_tourism": income},
        "shares": {"villagers": 1.0},
    }
    return build(
        [P("A1", "grassland", 9)],
        uses=FOREST,
        villages={"a": {"labour_pool": {"residents": 3}}},
        projects=[proj],
        roles=[role(), role("staff", "staff2", projects=["P"])],
        policies={"labour_pools": pools},
    )


def test_roles_compete_for_the_same_pool(build):
    """3 residents: either 3 planters (6 ha, +18,000) or 2 staff for P and 1 planter
    (2 ha, +6,000, + P's income). P earning 10,000: planting wins, 9,000 + 18,000 = 27,000.
    P earning 13,000: 6,000 + 13,000 = 19,000 > 18,000: P wins, 28,000 Yuan/yr.
    The two roles' assignments share the village's 3 residents.
    Constraint: `labour_pool`.
    """
    low = solve(_shared_pool(build, 10_000))
    assert low.status == "optimal"
    assert not built(low, "P") and recruits(low, role="planters") == 3
    assert low.objective == approx(27_000)
    high = solve(_shared_pool(build, 13_000))
    assert high.status == "optimal"
    assert built(high, "P") and recruits(high, role="staff") == 2
    assert area(high, use="ecological_forest") == approx(2)
    assert high.objective == approx(28_000)


def test_labour_pools_switched_off(build):
    """``labour_pools: false``: both are staffed: 9,000 + 27,000 + 10,000 = 46,000 Yuan/yr."""
    plan = solve(_shared_pool(build, 10_000, pools=False))
    assert plan.status == "optimal"
    assert built(plan, "P")
    assert area(plan, use="ecological_forest") == approx(9)
    assert plan.objective == approx(46_000)
