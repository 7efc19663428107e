"""The command line: exit codes, files written, messages without tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys

from planner.paths import bundled_dir

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
