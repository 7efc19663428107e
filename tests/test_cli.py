"""The command line: exit codes, files written, messages without tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys

import openpyxl

from planner.core.paths import bundled_dir

TINY = str(bundled_dir("instances") / "tiny.yaml")


def run(*args: str):
    return subprocess.run([sys.executable, "-m", "planner", *args], capture_output=True, text=True, timeout=300)


def test_solve_writes_plan_and_tables_exit_0(tmp_path):
    r = run("solve", TINY, "--out", str(tmp_path))
    assert r.returncode == 0, r.stdout + r.stderr
    data = json.loads((tmp_path / "plan.json").read_text())
    assert data["status"] == "optimal" and data["verification"]["passed"]
    assert (tmp_path / "allocations.csv").exists() and (tmp_path / "kpis.csv").exists()
    assert "optimal" in r.stdout
    v = run("verify", str(tmp_path / "plan.json"), TINY)
    assert v.returncode == 0 and "no violations" in v.stdout


def test_verify_reports_tampered_plan_exit_1(tmp_path):
    run("solve", TINY, "--out", str(tmp_path))
    data = json.loads((tmp_path / "plan.json").read_text())
    data["allocations"][0]["area_ha"] += 100
    (tmp_path / "plan.json").write_text(json.dumps(data))
    v = run("verify", str(tmp_path), TINY)
    assert v.returncode == 1 and "violation" in v.stdout


def test_bad_input_exit_2_without_traceback(tmp_path):
    r = run("solve", TINY, "--out", str(tmp_path), "--set", "policies.garden_max_ha=-1")
    assert r.returncode == 2
    assert "Traceback" not in r.stderr + r.stdout
    assert "policies.garden_max_ha" in r.stderr and "--set" in r.stderr


def test_missing_instance_exit_2():
    r = run("validate", "does/not/exist.yaml")
    assert r.returncode == 2 and "not found" in r.stderr and "Traceback" not in r.stderr


def test_infeasible_exit_1(tmp_path):
    r = run("solve", TINY, "--out", str(tmp_path), "--set", "periods.2025.budget_yuan=1000")
    assert r.returncode == 1 and "infeasible" in r.stdout
    assert json.loads((tmp_path / "plan.json").read_text())["status"] == "infeasible"


def test_infeasible_diagnosis_names_the_smallest_budget_relaxation(tmp_path):
    """A 2025 budget of 1,000 Yuan cannot pay the tiny case's required worker and gardens.
    The diagnosis (stdout and diagnosis.json) relaxes only the 2025 budget, by an amount R
    that is the smallest that works: a budget of 1,000 + R solves, 1,000 + R - 1,000 does not."""
    r = run("solve", TINY, "--out", str(tmp_path), "--set", "periods.2025.budget_yuan=1000")
    assert r.returncode == 1 and "diagnosis" in r.stdout and "budget (period 2025)" in r.stdout
    dg = json.loads((tmp_path / "diagnosis.json").read_text())
    assert dg["status"] == "infeasible"
    relax = dg["relaxations"]
    assert [x["constraint"] for x in relax] == ["budget"] and relax[0]["field"] == "periods.2025.budget_yuan"
    need = relax[0]["amount"]
    assert need > 0 and dg["conflicts"]
    ok = run("solve", TINY, "--out", str(tmp_path / "ok"), "--set", f"periods.2025.budget_yuan={1000 + need + 1}")
    assert ok.returncode == 0, ok.stdout
    short = run(
        "solve", TINY, "--out", str(tmp_path / "short"), "--set", f"periods.2025.budget_yuan={need}", "--no-diagnose"
    )
    assert short.returncode == 1 and not (tmp_path / "short" / "diagnosis.json").exists()
    ex = run("explain", TINY, "--out", str(tmp_path / "ex"), "--set", "periods.2025.budget_yuan=1000")
    assert ex.returncode == 1 and (tmp_path / "ex" / "diagnosis.json").exists()


def test_validate_ok():
    r = run("validate", TINY)
    assert r.returncode == 0 and "valid" in r.stdout


def test_unavailable_solver_is_bad_input(tmp_path):
    r = run("solve", TINY, "--out", str(tmp_path), "--solver", "no_such_solver")
    assert r.returncode == 2 and "no_such_solver" in r.stderr and "Traceback" not in r.stderr


def test_unwritable_out_dir_is_bad_input(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    r = run("solve", TINY, "--out", str(blocker / "sub"))
    assert r.returncode == 2 and "--out" in r.stderr and "Traceback" not in r.stderr + r.stdout


# ---------------------------------------------------------------------------
# explain, why-not, report
# ---------------------------------------------------------------------------


def test_explain_writes_explanation_exit_0(tmp_path):
    r = run("explain", TINY, "--out", str(tmp_path), "--importance", "gardens,projects")
    assert r.returncode == 0, r.stdout + r.stderr
    data = json.loads((tmp_path / "explanation.json").read_text())
    assert data["format"] == "planner.explanation" and data["plan"]["status"] == "optimal"
    assert data["lp"]["status"] == "optimal"
    assert abs(data["lp"]["objective"] - data["plan"]["objective"]) <= 1.0
    assert data["rules"] and data["rule_summary"] and data["importance"] and data["parameters"]
    assert (tmp_path / "plan.json").exists() and (tmp_path / "explain_rules.csv").exists()
    assert "Rules that bind" in r.stdout and "Traceback" not in r.stderr


def test_explain_saved_plan_and_bad_importance(tmp_path):
    assert run("solve", TINY, "--out", str(tmp_path)).returncode == 0
    r = run("explain", TINY, "--plan", str(tmp_path), "--out", str(tmp_path), "--importance", "none", "--no-ranging")
    assert r.returncode == 0, r.stdout + r.stderr
    assert json.loads((tmp_path / "explanation.json").read_text())["rules"]
    bad = run("explain", TINY, "--importance", "villages")
    assert bad.returncode == 2 and "--importance" in bad.stderr and "Traceback" not in bad.stderr
    bad = run("explain", TINY, "--range", "prices.nope", "--out", str(tmp_path / "x"))
    assert bad.returncode == 2 and "prices.nope" in bad.stderr
    again = run("explain", TINY, "--out", str(tmp_path))  # holds a plan: not silently replaced
    assert again.returncode == 2 and "--force" in again.stderr


def test_why_not_cli(tmp_path):
    r = run("why-not", TINY, "--forbid", "project:orchard_park", "--out", str(tmp_path))
    assert r.returncode in (0, 1), r.stdout + r.stderr
    data = json.loads((tmp_path / "whatif.json").read_text())
    assert data["decisions"] == ["forbid project:orchard_park"] and data["statement"]
    assert "orchard_park" in r.stdout
    bad = run("why-not", TINY, "--force", "garden:nowhere")
    assert bad.returncode == 2 and "unknown village" in bad.stderr and "Traceback" not in bad.stderr
    none = run("why-not", TINY)
    assert none.returncode == 2 and "--force" in none.stderr


def test_solve_report_and_report_command(tmp_path):
    r = run("solve", TINY, "--out", str(tmp_path), "--report")
    assert r.returncode == 0, r.stdout + r.stderr
    for f in ("plan.json", "explanation.json", "report.md", "report.html"):
        assert (tmp_path / f).exists(), f
    (tmp_path / "report.html").unlink()
    r = run("report", str(tmp_path))
    assert r.returncode == 0, r.stdout + r.stderr
    html = (tmp_path / "report.html").read_text()
    assert "optimal" in html and "data:image/png;base64," in html


def test_new_plan_removes_stale_explanation_and_diagnosis(tmp_path):
    """A diagnosis or explanation of an earlier run must not sit beside a new plan."""
    for name in ("diagnosis.json", "explanation.json", "explain_rules.csv", "report.html"):
        (tmp_path / name).write_text("{}")
    assert run("solve", TINY, "--out", str(tmp_path)).returncode == 0
    left = {p.name for p in tmp_path.iterdir()}
    assert not {"diagnosis.json", "explanation.json", "explain_rules.csv", "report.html"} & left


def test_why_not_reports_every_bad_decision(tmp_path):
    r = run("why-not", TINY, "--force", "area:east:fruit_expansion", "--forbid", "garden:north")
    assert r.returncode == 2 and "2 problem(s)" in r.stderr
    assert "needs a size" in r.stderr and "unknown village 'north'" in r.stderr


# ---------------------------------------------------------------------------
# sweep, compare, pareto, alternatives
# ---------------------------------------------------------------------------


def test_sweep_morris_cli_writes_results_indices_and_plots(tmp_path):
    out = tmp_path / "sw"
    r = run(
        "sweep",
        TINY,
        "--param",
        "prices.forestry_carbon_yuan_per_t=10:100",
        "--param",
        "periods.2025.budget_yuan=1500000:4000000",
        "--design",
        "morris",
        "--n",
        "3",
        "--out",
        str(out),
    )
    assert r.returncode == 0, r.stdout + r.stderr
    import pandas as pd

    res = pd.read_parquet(out / "results.parquet")
    assert len(res) == 9 and (res["status"] == "optimal").all()  # 3 trajectories x (2 + 1)
    idx = pd.read_parquet(out / "indices.parquet")
    assert {"output", "parameter", "mu_star", "sigma"} <= set(idx.columns)
    assert (out / "morris_objective.png").exists()
    bad = run("sweep", TINY, "--param", "prices.nope=1:2", "--out", str(tmp_path / "bad"))
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    bad = run("sweep", TINY, "--param", "prices.forestry_carbon_yuan_per_t=100:10", "--out", str(tmp_path / "bad2"))
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_compare_cli(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert run("solve", TINY, "--out", str(a)).returncode == 0
    assert run("solve", TINY, "--out", str(b), "--set", "periods.2025.budget_yuan=1500000").returncode == 0
    r = run("compare", str(a), str(b), "--out", str(tmp_path / "cmp"))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Plans compared" in r.stdout and (tmp_path / "cmp" / "compare_kpis.csv").exists()
    one = run("compare", str(a))
    assert one.returncode == 2


def test_pareto_and_alternatives_cli(tmp_path):
    r = run("pareto", TINY, "--n", "3", "--out", str(tmp_path / "p"))
    assert r.returncode == 0, r.stdout + r.stderr
    data = json.loads((tmp_path / "p" / "frontier.json").read_text())
    assert (tmp_path / "p" / "frontier.png").exists() and data
    r = run("alternatives", TINY, "--slack", "0.02", "--n", "1", "--out", str(tmp_path / "alt"), "--lang", "zh")
    assert r.returncode == 0, r.stdout + r.stderr
    assert (tmp_path / "alt" / "alternatives.json").exists()
    found = json.loads((tmp_path / "alt" / "alternatives.json").read_text())
    folders = ["plan"] + [f"alternative_{a['index']}" for a in found if a.get("status") in ("optimal", "feasible")]
    assert len(folders) == 2, found  # tiny has an alternative within 2%
    for name in folders:  # each plan with its workbook, in the language asked
        book = openpyxl.load_workbook(tmp_path / "alt" / name / "plan.xlsx", read_only=True)
        assert "概要" in book.sheetnames, book.sheetnames
    assert run("alternatives", TINY, "--slack", "2").returncode == 2
    assert run("alternatives", TINY, "--lang", "fr").returncode == 2


def test_generated_instance_same_optimum_with_and_without_aggregation(tmp_path):
    """A generated 10-village, 400-parcel instance (pieces of the Nuanshui template's parcels,
    so many are alike) solved as merged land units and parcel by parcel: the aggregated model
    is the parcel model summed over interchangeable parcels, so the objective is the same, the
    plan is reported per parcel of the instance and both verify."""
    g = run("generate", "--villages", "10", "--parcels", "400", "--seed", "2", "--out", str(tmp_path / "inst"))
    assert g.returncode == 0, g.stdout + g.stderr
    inst = str(tmp_path / "inst" / "instance.yaml")
    plans = {}
    for flag in ("--aggregate", "--no-aggregate"):
        r = run("solve", inst, "--out", str(tmp_path / flag), flag)
        assert r.returncode == 0, r.stdout + r.stderr
        plans[flag] = json.loads((tmp_path / flag / "plan.json").read_text())
    a, b = plans["--aggregate"], plans["--no-aggregate"]
    assert a["status"] == b["status"] == "optimal"
    assert abs(a["objective"] - b["objective"]) <= 1e-9 * abs(b["objective"]) + 1.0
    assert a["verification"]["passed"] and b["verification"]["passed"]
    import pandas as pd

    ids = set(pd.read_csv(tmp_path / "inst" / "parcels.csv")["id"])
    assert {r["parcel"] for r in a["allocations"]} <= ids


def test_repair_options_bad_names_and_costs_exit_2(tmp_path):
    """``--keep garden`` (the family is ``gardens``) and ``--repair-cost gardens=cheap`` are
    bad input: exit 2, the option and what to write instead named, no traceback, nothing
    solved or written; ``--unit-prices roles`` likewise."""
    r = run("solve", TINY, "--out", str(tmp_path / "a"), "--keep", "garden")
    assert r.returncode == 2 and "Traceback" not in r.stderr + r.stdout
    assert "--may-give/--keep/--repair-cost" in r.stderr and "unknown rule name(s) ['garden']" in r.stderr
    assert not (tmp_path / "a").exists()
    r = run("solve", TINY, "--out", str(tmp_path / "b"), "--repair-cost", "gardens=cheap")
    assert r.returncode == 2 and "--repair-cost" in r.stderr and "gardens=1000000" in r.stderr
    r = run("explain", TINY, "--out", str(tmp_path / "c"), "--unit-prices", "roles")
    assert r.returncode == 2 and "unknown kind(s) ['roles']" in r.stderr and "recruitment" in r.stderr


def test_keep_money_changes_the_repair(tmp_path):
    """``tiny`` with a 2025 budget of 100,000 Yuan: by default the repair raises the budget by
    460,000 Yuan (docs/explaining.md §7); with ``--keep money`` no money rule is relaxed and
    ``diagnosis.json`` records the choice."""
    r = run("solve", TINY, "--set", "periods.2025.budget_yuan=100000", "--out", str(tmp_path), "--keep", "money")
    assert r.returncode == 1, r.stderr
    d = json.loads((tmp_path / "diagnosis.json").read_text())
    assert d["repair"]["keep"] == ["money"] and "budget" in d["repair"]["kept"]
    assert d["relaxations"] and not {x["constraint"] for x in d["relaxations"]} & {"budget", "loan_cap"}
    assert d["total_relaxation_unit"] == "Yuan-equivalent"
