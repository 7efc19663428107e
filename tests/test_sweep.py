"""Sweeps: the runner (local processes, Dask, results as they finish, resume after a kill,
failures recorded), fast re-solves against rebuilding, scenario-set files and plan
comparison."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest
from helpers import P, approx, kill_group, period, solve, stopped_at

from planner.core.errors import InputError
from planner.core.paths import bundled_dir
from planner.sweep.runner import read_results, run_scenarios

TINY = str(bundled_dir("instances") / "tiny.yaml")
CARBON = "prices.forestry_carbon_yuan_per_t"
BUDGET = "periods.2025.budget_yuan"


def _table(values):
    return pd.DataFrame(
        {"scenario": range(len(values)), CARBON: [v[0] for v in values], BUDGET: [v[1] for v in values]}
    )


def test_budget_sweep_known_answers(build, tmp_path):
    """A1 grassland 10 ha; forest +3,000 Yuan/ha/yr for 1,000 Yuan/ha. Budget B plants
    min(B / 1,000, 10) ha: objective 10,000 + 3 min(B, 10,000). Scenarios B = 0, 2,000,
    4,000, 20,000 -> 10,000, 16,000, 22,000, 40,000 Yuan/yr, fast and rebuilt alike."""
    li = build(
        [P("A1", "grassland", 10)],
        uses={"ecological_forest": {"establishment_cost_yuan_per_ha": 1000}},
        periods=[period("2025", budget=1000)],
    )
    design = pd.DataFrame({"scenario": range(4), "periods.2025.budget_yuan": [0.0, 2000.0, 4000.0, 20000.0]})
    for fast in (True, False):
        res = run_scenarios(li.path, design, tmp_path / f"s{fast}", workers=1, fast=fast)
        assert list(res["objective"]) == [approx(10_000), approx(16_000), approx(22_000), approx(40_000)]
        assert (res["status"] == "optimal").all()
        assert set(res["mode"]) == {"fast" if fast else "rebuild"}
        assert res.loc[2, "budget_used_yuan_2025"] == approx(4000)


def test_fast_equals_rebuild_on_tiny(tmp_path):
    """The fast path (one built model, parameter directions, warm starts) gives the same
    status, objective and KPIs as rebuilding every scenario, including an infeasible one."""
    t = _table([(10, 1e6), (58, 2.5e6), (100, 4e6), (30, 1000.0)])
    a = run_scenarios(TINY, t, tmp_path / "fast", workers=1, fast=True)
    b = run_scenarios(TINY, t, tmp_path / "rebuild", workers=1, fast=False)
    assert set(a["mode"]) == {"fast"} and set(b["mode"]) == {"rebuild"}
    assert list(a["status"]) == list(b["status"]) == ["optimal", "optimal", "optimal", "infeasible"]
    kpi = [c for c in b.columns if c.endswith(("_2025", "_2035"))] + ["objective"]
    ok = b["status"] == "optimal"
    for c in kpi:
        assert a.loc[ok, c].to_numpy() == pytest.approx(b.loc[ok, c].to_numpy(), rel=1e-7, abs=1e-3), c


def test_nonlinear_parameters_fall_back_to_rebuilding(tmp_path):
    """gep_scale and a use's GEP multiplier multiply each other: the model is not linear in
    the pair, the exactness check sees it, and every scenario is rebuilt."""
    t = pd.DataFrame(
        {"scenario": [0, 1], "prices.gep_scale": [1.0, 2.0], "prices.gep_multipliers.ecological_forest": [1.0, 1.5]}
    )
    res = run_scenarios(TINY, t, tmp_path, workers=1, fast=True)
    assert set(res["mode"]) == {"rebuild"} and (res["status"] == "optimal").all()


def test_failing_scenario_is_recorded_and_the_sweep_goes_on(tmp_path):
    """A negative budget is bad input for that scenario only: status error, message kept."""
    res = run_scenarios(TINY, _table([(58, 2.5e6), (58, -5.0), (80, 2.5e6)]), tmp_path, workers=1, fast=False)
    assert list(res["status"]) == ["optimal", "error", "optimal"]
    assert "budget_yuan" in res.loc[1, "error"]
    assert (tmp_path / "results.parquet").exists()


def test_local_processes_and_files(tmp_path):
    t = _table([(c, 2.5e6) for c in (10, 40, 70, 100)])
    res = run_scenarios(TINY, t, tmp_path, workers=2, fast=False)
    assert sorted(res["scenario"]) == [0, 1, 2, 3] and (res["status"] == "optimal").all()
    back = pd.read_parquet(tmp_path / "results.parquet")
    assert list(back["scenario"]) == [0, 1, 2, 3]
    spec = json.loads((tmp_path / "sweep.json").read_text())
    assert spec["parameters"] == [CARBON, BUDGET] and len(spec["scenarios"]) == 4


def test_existing_sweep_needs_resume_and_the_same_design(tmp_path):
    t = _table([(10, 2.5e6), (20, 2.5e6)])
    run_scenarios(TINY, t, tmp_path, workers=1)
    with pytest.raises(InputError, match="already holds a sweep"):
        run_scenarios(TINY, t, tmp_path, workers=1)
    with pytest.raises(InputError, match="different sweep"):
        run_scenarios(TINY, _table([(10, 2.5e6), (30, 2.5e6)]), tmp_path, workers=1, resume=True)
    again = run_scenarios(TINY, t, tmp_path, workers=1, resume=True)  # nothing left to run
    assert len(again) == 2 and len(read_results(tmp_path)) == 2


def test_kill_and_resume_runs_every_scenario_exactly_once(tmp_path):
    """A 24-scenario sweep (one-at-a-time: the base and 23 levels; rebuilt, one process) is
    killed right after its 5th result is written (it stops itself there, planner.core.faults,
    and the test waits for that state); --resume finishes it. Every scenario appears
    exactly once in results.jsonl."""
    out = tmp_path / "sw"
    cmd = [
        sys.executable,
        "-m",
        "planner",
        "sweep",
        TINY,
        "--param",
        f"{CARBON}=10:100",
        "--design",
        "oat",
        "--levels",
        "23",
        "--out",
        str(out),
        "--workers",
        "1",
        "--rebuild",
    ]
    kill_group(stopped_at(cmd, "sweep-result#5"))
    first = read_results(out)
    assert len(first) == 5, len(first)
    r = subprocess.run(cmd + ["--resume"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    lines = [json.loads(x) for x in (out / "results.jsonl").read_text().splitlines() if x.strip()]
    ids = [x["scenario"] for x in lines]
    assert sorted(ids) == list(range(24)), ids
    assert pd.read_parquet(out / "results.parquet")["scenario"].tolist() == list(range(24))


def test_dask_local_cluster(tmp_path):
    """The same sweep runs unchanged on a Dask LocalCluster (by scheduler address)."""
    import distributed

    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None)
    try:
        t = _table([(10, 2.5e6), (58, 2.5e6), (100, 2.5e6)])
        res = run_scenarios(TINY, t, tmp_path, scheduler=cluster.scheduler_address, fast=True)
        local = run_scenarios(TINY, t, tmp_path / "local", workers=1, fast=True)
    finally:
        cluster.close()
    assert list(res["objective"]) == pytest.approx(list(local["objective"]), rel=1e-9)


def test_scenario_set_file_and_compare(tmp_path):
    """A scenario-set file names overrides on a base; a bad path is reported per scenario;
    compare puts the saved plans side by side."""
    from planner.sweep.compare import compare_plans
    from planner.sweep.scenarios import load_scenario_set

    f = tmp_path / "set.yaml"
    f.write_text(f"base: {TINY}\nscenarios:\n  baseline: {{}}\n  poor:\n    periods.2025.budget_yuan: 1500000\n")
    sset = load_scenario_set(f)
    table = sset.table()
    assert list(table["name"]) == ["baseline", "poor"]
    res = run_scenarios(sset.base, table, tmp_path / "out", workers=1, save_plans=True)
    assert list(res["name"]) == ["baseline", "poor"]
    assert pd.isna(res.loc[0, BUDGET])  # baseline does not set the budget
    from planner.plan.plan import Plan

    plans = {
        n: (Plan.from_json(tmp_path / "out" / "plans" / n / "plan.json"), tmp_path / "out" / "plans" / n)
        for n in ("baseline", "poor")
    }
    cmp = compare_plans(plans)
    k = cmp["kpis"].set_index(["kpi", "period"])
    assert k.loc[("budget_used_yuan", "2025"), "poor"] <= 1_500_000 + 1e-6
    assert k.loc[("gep_yuan", "2025"), "baseline"] >= k.loc[("gep_yuan", "2025"), "poor"]
    assert set(cmp["summary"]["plan"]) == {"baseline", "poor"}
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"base: {TINY}\nscenarios:\n  x:\n    prices.no_such_price: 1\n")
    with pytest.raises(InputError) as e:
        load_scenario_set(bad)
    assert "scenarios.x" in e.value.problems[0].field


def test_solve_helper_matches_sweep(build, tmp_path):
    """The sweep's row equals a direct solve of the same overrides."""
    li = build([P("A1", "grassland", 10)], uses=["ecological_forest"])
    res = run_scenarios(li.path, pd.DataFrame({"scenario": [0], "prices.gep_scale": [2.0]}), tmp_path, workers=1)
    direct = solve(li.replace(**{"prices.gep_scale": 2.0}))
    assert res.loc[0, "objective"] == approx(direct.objective)


def test_bundled_nuanshui_scenario_set_loads():
    from planner.sweep.scenarios import load_scenario_set

    s = load_scenario_set(bundled_dir("instances") / "nuanshui_whatif.yaml")
    assert list(s.scenarios) == ["baseline", "carbon_80", "half_budget", "forest_gep_minus_30"]
    assert s.base.name == "nuanshui.yaml" and s.base.exists()


def test_product_hidden_at_the_plain_corners_is_caught(tmp_path):
    """gep_scale over 1..2 and a GEP multiplier over 0.5..1 (the base value at one end): the
    low and high corners change only one of them each, so only the far point (2, 0.5) shows
    the product. The sweep rebuilds, and (2, 0.5) equals a direct solve."""
    import planner

    t = pd.DataFrame(
        {
            "scenario": [0, 1, 2],
            "prices.gep_scale": [1.0, 2.0, 2.0],
            "prices.gep_multipliers.ecological_forest": [1.0, 1.0, 0.5],
        }
    )
    res = run_scenarios(TINY, t, tmp_path, workers=1, fast=True)
    assert set(res["mode"]) == {"rebuild"}
    li = planner.examples.tiny().replace(**{"prices.gep_scale": 2.0, "prices.gep_multipliers.ecological_forest": 0.5})
    assert res.loc[2, "objective"] == approx(planner.solve(li, verify=False).objective)


def test_named_overrides_are_applied_exactly(tmp_path):
    """A named scenario that sets a field the others do not (or sets it to null) is solved
    with exactly its overrides: not through the fast path, and null is applied as null."""
    import planner

    t = pd.DataFrame({"scenario": [0, 1, 2], "name": ["base", "no_target", "lex"]})
    sets = {0: {}, 1: {"policies.vegetation_coverage_min": None}, 2: {"objective.mode": "lexicographic"}}
    res = run_scenarios(TINY, t, tmp_path, workers=1, fast=True, sets_by_scenario=sets)
    assert (res["status"] == "optimal").all() and list(res["mode"][1:]) == ["rebuild", "rebuild"]
    direct = planner.solve(planner.examples.tiny().replace(**{"objective.mode": "lexicographic"}), verify=False)
    assert res.loc[2, "objective"] == approx(direct.objective)


def test_resume_repairs_a_cut_line(tmp_path):
    """A kill that cut the last line: the resume drops the fragment, reruns that scenario and
    appends the next rows on lines of their own."""
    t = _table([(10, 2.5e6), (40, 2.5e6), (70, 2.5e6)])
    run_scenarios(TINY, t, tmp_path, workers=1)
    lines = (tmp_path / "results.jsonl").read_text().splitlines()
    (tmp_path / "results.jsonl").write_text(lines[0] + "\n" + lines[1][: len(lines[1]) // 2])
    res = run_scenarios(TINY, t, tmp_path, workers=1, resume=True)
    assert sorted(res["scenario"]) == [0, 1, 2]
    ids = [json.loads(x)["scenario"] for x in (tmp_path / "results.jsonl").read_text().splitlines()]
    assert sorted(ids) == [0, 1, 2]
