"""County targets (``county.targets``): a county's figures required or reported across its
townships (formulation §9), solved as one model, checked by the verifier."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from helpers import P, approx, period, write_instance
from test_county import CHEAP, DEAR

from planner.core.errors import InputError
from planner.county import load_county, solve_county
from planner.plan.county import CountyPlan
from planner.verify import verify_county


def county(tmp_path: Path, targets: list[dict], name: str = "tc") -> Path:
    """North: 10 ha grassland, forest at 1,000 Yuan/ha (+3,000 Yuan/yr per ha: 3 Yuan/yr per
    Yuan), budget 2,000. South: 10 ha grassland, forest at 2,000 Yuan/ha (1.5 Yuan/yr per
    Yuan), budget 2,000. Alone, North plants 2 ha (16,000 Yuan/yr), South 1 ha (13,000)."""
    north = write_instance(tmp_path, [P("N1", "grassland", 10)], uses=CHEAP, periods=[period("2025", budget=2000)])
    south = write_instance(tmp_path, [P("S1", "grassland", 10)], uses=DEAR, periods=[period("2025", budget=2000)])
    raw = {
        "name": name,
        "townships": [{"id": "north", "file": north.name}, {"id": "south", "file": south.name}],
        "county": {"targets": targets},
    }
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


SPEND_CAP = {"id": "spend", "kpi": "budget_used_yuan", "period": "2025", "max": 2000, "required": True}


def test_county_spending_cap_goes_where_a_yuan_buys_most(tmp_path):
    """Required: the two townships together spend at most 2,000 Yuan in 2025. A Yuan
    planted in North is worth 3 Yuan/yr, in South 1.5, so North spends its 2,000 (2 ha)
    and South nothing: 16,000 + 10,000 = 26,000 Yuan/yr (any Yuan moved to South loses
    1.5 Yuan/yr). Alone they would make 29,000. The cap links the townships, so the
    county is solved as one model.
    Constraint: `county_target`."""
    lc = load_county(county(tmp_path, [SPEND_CAP]))
    assert lc.linked
    cp = solve_county(lc)
    assert cp.method == "monolithic"
    assert cp.status == "optimal", cp.status_note
    assert cp.objective == approx(26_000)
    plans = dict(cp.townships)
    assert plans["north"].objective == approx(16_000)
    assert plans["south"].objective == approx(10_000)
    row = cp.targets.set_index("target").loc["spend"]
    assert row["value"] == approx(2_000) and bool(row["met"]) and bool(row["required"])
    assert cp.verification["passed"], cp.verification


def test_reported_county_coverage_is_the_share_of_the_county(tmp_path):
    """Reported (not required): forest coverage of the county in 2025 at least 15%. The
    townships are independent (solved apart): North 2 ha and South 1 ha of forest on 20 ha,
    0.15 of the county, met; 29,000 Yuan/yr."""
    target = {"id": "forest", "kpi": "forest_coverage", "period": "2025", "min": 0.15}
    lc = load_county(county(tmp_path, [target]))
    assert not lc.linked
    cp = solve_county(lc)
    assert cp.method == "decomposed" and cp.status == "optimal"
    assert cp.objective == approx(29_000)
    row = cp.targets.set_index("target").loc["forest"]
    assert row["value"] == pytest.approx(0.15, abs=1e-9) and bool(row["met"])
    assert cp.verification["passed"], cp.verification


def test_county_coverage_no_plan_can_meet_is_infeasible(tmp_path):
    """Required: forest coverage of the county at least 20%, 4 of its 20 ha. North's budget
    buys 2 ha, South's 1: at most 3 ha, so no plan meets it. The note names the target and
    what to do, in English and in Chinese (`--lang zh`)."""
    from typer.testing import CliRunner

    from planner.cli import app

    target = {"id": "forest", "kpi": "forest_coverage", "period": "2025", "min": 0.2, "required": True}
    path = county(tmp_path, [target])
    cp = solve_county(load_county(path))
    assert cp.status == "infeasible"
    assert not cp.has_solution
    assert "county target forest" in cp.status_note and "required: false" in cp.status_note
    assert cp.note("zh").startswith("没有方案能同时满足各乡镇的规则和县级目标 forest（")
    assert cp.note("en") == cp.status_note
    r = CliRunner().invoke(app, ["solve", str(path), "--out", str(tmp_path / "out"), "--lang", "zh"])
    assert r.exit_code != 0
    assert "没有方案能同时满足" in r.output and "no plan meets" not in r.output


def test_verifier_finds_a_county_target_not_met(tmp_path):
    """The independent plan (each township alone: 2,000 + 2,000 = 4,000 Yuan spent) checked
    against the county with the 2,000 Yuan cap required: a `county` violation, 4,000 above
    2,000; and a county targets table that misstates the value is a `derived_tables` one."""
    alone = solve_county(load_county(county(tmp_path, [])))
    capped = load_county(county(tmp_path, [SPEND_CAP], name="tc2"))
    for tid, p in alone.townships:
        p.county = {"county": "tc2", "township": tid, "allocation_yuan": {}}
    res = verify_county(alone.townships, capped, alone.objective)
    bad = [v for v in res["violations"] if v["rule"] == "county"]
    assert len(bad) == 1 and bad[0]["value"] == approx(4_000) and bad[0]["limit"] == 2000
    cp = solve_county(capped)
    table = cp.targets.copy()
    table.loc[0, "value"] = 1_500.0
    res = verify_county(cp.townships, capped, cp.objective, table)
    assert any(v["rule"] == "derived_tables" and "county_targets" in v["where"] for v in res["violations"])


def test_decomposition_prices_a_county_spending_cap(tmp_path):
    """The spending cap above, decomposed: a price lam on each Yuan spent (per Yuan, in
    the objective's units) moves each township's plan. North earns 3 Yuan/yr per Yuan and
    South 1.5, so at any lam between 1.5 and 3 North spends its 2,000 Yuan and South
    nothing: 2,000 in all, the cap, and the plans are worth 16,000 + 10,000 = 26,000 Yuan/yr.
    The bound there is (16,000 - 2,000 lam) + 10,000 + 2,000 lam = 26,000 too (at lam = 1.5
    South is indifferent, and its bound is still 10,000): optimal,
    the monolithic optimum, and each township's plan is its own part of it.
    Constraint: `county_target`."""
    lc = load_county(county(tmp_path, [SPEND_CAP]))
    cp = solve_county(lc, method="decomposed")
    assert cp.method == "decomposed"
    assert cp.status == "optimal", cp.status_note
    assert cp.objective == approx(26_000)
    assert cp.objective_bound == approx(26_000)
    plans = dict(cp.townships)
    assert plans["north"].objective == approx(16_000)
    assert plans["south"].objective == approx(10_000)
    assert 1.5 - 1e-3 <= cp.coordination["target_prices"]["spend|2025|max"] <= 3.0 + 1e-3
    row = cp.targets.set_index("target").loc["spend"]
    assert row["value"] == approx(2_000) and bool(row["met"])
    assert cp.verification["passed"], cp.verification


def test_decomposition_finds_no_plan_for_a_coverage_no_plan_can_meet(tmp_path):
    """The 20% coverage above (4 ha; at most 3 affordable), decomposed: no round's plans
    reach it, so there is no county plan; the decomposition does not call a plan optimal or
    feasible, and says why."""
    target = {"id": "forest", "kpi": "forest_coverage", "period": "2025", "min": 0.2, "required": True}
    cp = solve_county(load_county(county(tmp_path, [target])), method="decomposed", max_iterations=10)
    assert not cp.has_solution
    assert cp.status not in ("optimal", "feasible")
    assert "county rows" in cp.status_note


def test_bad_county_targets_name_the_fields(tmp_path):
    """A village on a county target, a period the townships lack and a GEP service no
    township's library has are reported together, naming the county file and fields."""
    bad = [
        {"kpi": "gep_yuan", "period": "2025", "min": 1, "village": "a"},
        {"kpi": "gep_yuan", "period": "2099", "min": 1},
        {"kpi": "gep_yuan", "period": "2025", "min": 1, "service": "moonlight"},
    ]
    with pytest.raises(InputError) as e:
        load_county(county(tmp_path, bad))
    msg = str(e.value)
    for field in ("county.targets.0.village", "county.targets.1.period", "county.targets.2.service"):
        assert field in msg
    assert "tc.yaml" in msg


def test_cli_prints_writes_and_verifies_county_targets(tmp_path):
    """`planner solve` on the capped county prints the target line, writes
    county_targets.csv, and `planner verify` passes the folder it wrote."""
    from typer.testing import CliRunner

    from planner.cli import app

    path = county(tmp_path, [SPEND_CAP])
    out = tmp_path / "out"
    r = CliRunner().invoke(app, ["solve", str(path), "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "County targets" in r.output
    assert "2,000 Yuan" in r.output and "required" in r.output and ": met" in r.output
    lines = (out / "county_targets.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("target,kpi,period") and lines[1].startswith("spend,budget_used_yuan,2025")
    back = CountyPlan.from_json(out)
    assert back.targets.loc[0, "value"] == approx(2_000)
    r = CliRunner().invoke(app, ["verify", str(out), str(path)])
    assert r.exit_code == 0, r.output


def test_verifier_checks_the_met_flag_and_reads_a_plan_without_the_table(tmp_path):
    """The capped county's plan (2,000 Yuan spent, met): a table saying not met is a
    `derived_tables` violation on column met; a plan stating no county targets (format 1.0,
    an empty table) is checked on the required targets alone and passes."""
    import pandas as pd

    from planner.plan.county import TARGET_COLUMNS

    lc = load_county(county(tmp_path, [SPEND_CAP]))
    cp = solve_county(lc)
    table = cp.targets.copy()
    table["met"] = False
    res = verify_county(cp.townships, lc, cp.objective, table)
    assert [v["where"] for v in res["violations"]] == ["county_targets: spend, column met"]
    empty = pd.DataFrame(columns=TARGET_COLUMNS)
    assert verify_county(cp.townships, lc, cp.objective, empty)["passed"]
    assert verify_county(cp.townships, lc, cp.objective, None)["passed"]


def test_two_county_targets_of_one_key_are_refused(tmp_path):
    """A target with id "1" and an unnamed second target (key "1", its position) would be one
    row: refused, naming the field."""
    two = [{**SPEND_CAP, "id": "1"}, {"kpi": "gep_yuan", "period": "2025", "min": 1}]
    with pytest.raises(InputError, match=r"county.targets.1.id.*two county targets are called '1'"):
        load_county(county(tmp_path, two))


def test_a_worker_check_counts_only_for_the_same_instance(tmp_path):
    """planner.county.instance_hash: the same township loaded twice has one digest; with
    another budget it has another, so a worker that read other files is verified again."""
    from planner.county import instance_hash

    lc = load_county(county(tmp_path, []))
    again = load_county(county(tmp_path, [], name="tc_again"))
    north, north_again = lc.townships[0][1], again.townships[0][1]
    assert instance_hash(north) == instance_hash(north)
    assert instance_hash(north) != instance_hash(lc.townships[1][1])
    richer = north_again.replace(**{"periods.2025.budget_yuan": 3000})
    assert instance_hash(richer) != instance_hash(north)


def test_reported_targets_are_recomputed_where_the_townships_were_solved(tmp_path, monkeypatch):
    """Independent townships with a reported county target: the workers that solved them
    also recompute their parts of it for the verifier, so the county check does not (with
    the main process's recomputation made to fail, the county still passes with the value
    0.15 of test_reported_county_coverage_is_the_share_of_the_county)."""
    import planner.verify

    def fail(*_a, **_k):
        raise AssertionError("recomputed twice")

    monkeypatch.setattr(planner.verify, "county_target_parts", fail)
    target = {"id": "forest", "kpi": "forest_coverage", "period": "2025", "min": 0.15}
    cp = solve_county(load_county(county(tmp_path, [target])))
    assert cp.verification["passed"], cp.verification
    assert cp.targets.loc[0, "value"] == pytest.approx(0.15, abs=1e-9)
