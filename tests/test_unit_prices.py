"""Prices per person and per whole decision (planner.explain.units): each binding rule of
whole units re-solved one unit looser and one tighter, on instances whose optimum with
each limit is derived by hand in the docstring."""

from __future__ import annotations

import pytest
from helpers import approx, solve
from test_projects import SHARES, USES, project
from test_recruitment import COSTLY, _planting, role

from planner.explain import explain
from planner.explain.units import UNIT_COLUMNS, unit_prices


def test_role_maximum_priced_per_person(build):
    """A1 grassland 9 ha; forest +3,000 Yuan/ha/yr; a planter plants 2 ha a year; at most 3
    planters: 6 ha, 9,000 + 6 x 3,000 = 27,000 Yuan/yr. At most 4: 8 ha, 33,000 (+6,000);
    at most 2: 4 ha, 21,000 (-6,000). So each planter the maximum withholds is worth 6,000
    Yuan/yr both ways."""
    li = _planting(build, [role(max=3)])
    plan = solve(li)
    assert plan.objective == approx(27_000)
    df = unit_prices(li, plan, ["recruitment"], workers=1)
    assert list(df.columns) == UNIT_COLUMNS
    assert list(df["constraint"]) == ["recruit_max"]
    r = df.iloc[0]
    assert r["limit"] == 3 and r["loosened_limit"] == 4 and r["tightened_limit"] == 2
    assert r["loosen_status"] == "optimal" and r["tighten_status"] == "optimal"
    assert r["loosen_gain_yuan"] == approx(6_000)
    assert r["tighten_cost_yuan"] == approx(6_000)
    assert r["price_unit"] == "Yuan/yr per person"
    assert r["statement"] == (
        "The role's maximum of 3 planters in 2025 holds the plan back: with 4 allowed the plan would be worth "
        "6,000 Yuan/yr more. With 2 it would be worth 6,000 Yuan/yr less."
    )


def test_role_minimum_priced_per_person(build):
    """Forest costs 1,000 Yuan/ha, a planter 1,000 Yuan/yr, budget 5,000 (thousands below):
    f <= 2p and f + p <= 5. At least 4 planters: f <= 1, 9,000 + 3,000 = 12,000 Yuan/yr.
    At least 3: p = 3, f = 2 (p = 3 is also best above it: p = 2 is not allowed), 15,000:
    +3,000. At least 5: f = 0, 9,000: -3,000. Each of the 4 planters costs 3,000 Yuan/yr
    (the hectare of forest its wage would have paid for). Only the minimum binds (max 100)."""
    li = _planting(build, [role(min=4, wage_yuan_per_yr=1000)], budget=5000, uses=COSTLY)
    plan = solve(li)
    assert plan.objective == approx(12_000)
    df = unit_prices(li, plan, ["recruitment"], workers=1)
    assert list(df["constraint"]) == ["recruit_min"]
    r = df.iloc[0]
    assert (r["limit"], r["loosened_limit"], r["tightened_limit"]) == (4, 3, 5)
    assert r["loosen_gain_yuan"] == approx(3_000)
    assert r["tighten_cost_yuan"] == approx(3_000)
    assert r["statement"].startswith(
        "Each of the 4 planters the role's minimum requires in 2025 costs 3,000 Yuan/yr: with 3 the plan would "
        "be worth 3,000 Yuan/yr more."
    )


def test_required_project_priced_and_not_tightened(build):
    """A1 grassland 10 ha; fruit 2,000 Yuan/ha/yr, forest 1,000. Project P earns 10,000 Yuan/yr
    (80% counted as dividends) and needs 9 ha of forest; it is required. With P: GEP 9,000 +
    2,000 + dividends 8,000 = 19,000. Without the requirement P is not built: fruit 10 ha,
    20,000: the requirement costs 1,000 Yuan/yr. ``built >= 2`` is impossible for a yes/no
    project, so the tighter rule is not re-solved (status ``impossible``)."""
    pre = [{"min_area_ha": 9, "uses": ["ecological_forest"]}]
    li = build(
        [{"id": "A1", "village": "a", "cover": "grassland", "area": 10}],
        uses=USES,
        policies={"ecological_space_no_decrease": False},
        projects=[project(shares=SHARES, prerequisites=pre, required=True)],
    )
    plan = solve(li)
    assert plan.objective == approx(19_000)
    ex = explain(li, plan, importance=(), parameters=[], unit_prices=["projects", "recruitment"])
    df = ex.tables["unit_prices"]
    assert list(df["constraint"]) == ["project_required"]
    r = df.iloc[0]
    assert r["loosen_gain_yuan"] == approx(1_000)
    assert r["tighten_status"] == "impossible"
    assert pd_isna(r["tighten_cost_yuan"])
    assert r["statement"] == (
        "Requiring project P costs 1,000 Yuan/yr: without the requirement the plan would be worth 1,000 Yuan/yr more."
    )
    # the table travels in explanation.json
    assert ex.to_dict()["unit_prices"][0]["loosen_gain_yuan"] == pytest.approx(1_000, abs=1e-3)


def test_unknown_kind_is_refused(build):
    li = _planting(build, [role(max=3)])
    plan = solve(li)
    with pytest.raises(ValueError, match="unknown unit-price kind"):
        unit_prices(li, plan, ["roles"])


def pd_isna(v) -> bool:
    import pandas as pd

    return bool(pd.isna(v))


def test_village_sheet_gives_the_price_of_the_minimum(build):
    """The role-minimum instance above: the township's 4 planters (all in village a) are the
    role's minimum while the planting needs 1 (1 ha at 2 ha a planter); the sheet's reason
    names the minimum and, with the explanation's unit prices, what each of them costs:
    3,000 Yuan/yr, in English and Chinese."""
    from planner.explain.sheets import village_sheets

    li = _planting(build, [role(min=4, wage_yuan_per_yr=1000)], budget=5000, uses=COSTLY)
    plan = solve(li)
    ex = explain(li, plan, importance=(), parameters=[], unit_prices=["recruitment"])
    (sheet,) = village_sheets(li, plan, ex)
    (reason,) = [r for r in sheet.reasons if r.kind == "recruitment"]
    assert reason.text["en"].endswith(
        "Each of them costs 3,000 Yuan/yr: with one fewer the plan would be worth that much more (re-solved)."
    )
    assert "每人代价3,000元/年" in reason.text["zh"]
    plain = village_sheets(li, plan, explain(li, plan, importance=(), parameters=[]))
    assert "Each of them costs" not in [r for r in plain[0].reasons if r.kind == "recruitment"][0].text["en"]


def test_minimum_per_project_priced_in_its_host_village(build):
    """test_recruitment's two projects with ``min_per_project: {P: 3, Q: 2}``: only Q stands
    (village a has 2 people, too few for P's 3), staffed by its 2 in b; 13,000 Yuan/yr, wages
    being charged to no objective. With 1 person required in b the plan is worth the same
    (Q's dividends do not depend on its staff), and with 3 the same: each of the 2 costs
    nothing at the margin. Village a's row binds at 0 (P does not stand) and is no minimum
    of anybody: it is not priced."""
    from test_recruitment import _two_projects

    li = _two_projects(build, min=5, min_when_active=True, min_per_project={"P": 3, "Q": 2})
    plan = solve(li)
    assert plan.objective == approx(13_000)
    df = unit_prices(li, plan, ["recruitment"], workers=1)
    assert list(df["constraint"]) == ["recruit_min_project"]
    r = df.iloc[0]
    assert tuple(r["index"]) == ("b", "ops", "2025")
    assert (r["limit"], r["loosened_limit"], r["tightened_limit"]) == (2, 1, 3)
    assert r["loosen_gain_yuan"] == approx(0) and r["tighten_cost_yuan"] == approx(0)
    assert r["statement"].startswith(
        "The 2 ops the projects in b need in 2025 cost nothing at the margin: with 1 the plan would be worth no more."
    )
