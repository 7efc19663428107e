"""Nothing lost, nothing overstated: plan files written atomically and never silently
replaced, a killed solve leaves no plan, a time-limited solve says so, and the same
instance and options give a byte-identical plan.json."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import planner
from planner.paths import bundled_dir

TINY = str(bundled_dir("instances") / "tiny.yaml")
NUANSHUI = str(bundled_dir("instances") / "nuanshui.yaml")


def run(*args: str, **kw):
    return subprocess.run([sys.executable, "-m", "planner", *args], capture_output=True, text=True, timeout=300, **kw)


def test_two_runs_give_identical_plan_json(tmp_path):
    """plan.json holds no times (they go to run.json): two solves write the same bytes."""
    for d in ("a", "b"):
        assert run("solve", TINY, "--out", str(tmp_path / d)).returncode == 0
    a, b = (tmp_path / "a" / "plan.json").read_bytes(), (tmp_path / "b" / "plan.json").read_bytes()
    assert a == b
    t = json.loads((tmp_path / "a" / "run.json").read_text())
    assert t["solve_time_s"] > 0 and t["stages"]
    back = planner.Plan.from_json(tmp_path / "a" / "plan.json")
    assert back.solve_time_s == t["solve_time_s"] and back.stages[0]["time_s"] == t["stages"][0]["time_s"]


def test_nuanshui_plan_json_is_deterministic(tmp_path):
    li = planner.examples.nuanshui()
    p1, p2 = planner.solve(li), planner.solve(li)
    assert p1.to_json() == p2.to_json()


def test_existing_plan_is_not_overwritten_without_force(tmp_path):
    assert run("solve", TINY, "--out", str(tmp_path)).returncode == 0
    before = (tmp_path / "plan.json").read_bytes()
    r = run("solve", TINY, "--out", str(tmp_path), "--set", "periods.2025.budget_yuan=1500000")
    assert r.returncode == 2 and "--force" in r.stderr and "Traceback" not in r.stderr
    assert (tmp_path / "plan.json").read_bytes() == before
    r = run("solve", TINY, "--out", str(tmp_path), "--set", "periods.2025.budget_yuan=1500000", "--force")
    assert r.returncode == 0
    assert json.loads((tmp_path / "plan.json").read_text())["instance"]["overrides"]


def test_killed_solve_leaves_no_plan(tmp_path):
    """Killed while solving Nuanshui (about 5 s): no plan.json, and no half-written file."""
    out = tmp_path / "k"
    p = subprocess.Popen([sys.executable, "-m", "planner", "solve", NUANSHUI, "--out", str(out)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    time.sleep(2.5)
    os.killpg(p.pid, signal.SIGKILL)
    p.wait()
    assert not (out / "plan.json").exists()
    assert not list(out.glob(".*.tmp")) if out.exists() else True


def test_replacing_a_plan_removes_the_old_one_first(tmp_path, monkeypatch):
    """With --force the old plan.json goes before any new table is written, and the new
    plan.json is written last: an interruption in between leaves no plan.json at all."""
    plan = planner.solve(planner.examples.tiny())
    plan.write(tmp_path)
    calls = []
    import planner.plan as pp
    real = pp.atomic_write_text

    def spy(path, text):
        calls.append((path.name, (tmp_path / "plan.json").exists()))
        return real(path, text)

    monkeypatch.setattr(pp, "atomic_write_text", spy)
    plan.write(tmp_path)
    assert calls[-1][0] == "plan.json"
    assert all(not had_plan for _, had_plan in calls)


def test_time_limited_solve_is_labelled(tmp_path):
    """A tiny time limit on Nuanshui: the plan (if any) is 'feasible' with its gap and exit 3,
    or there is none ('no_solution', exit 1); never 'optimal'."""
    r = run("solve", NUANSHUI, "--out", str(tmp_path), "--time-limit", "0.5")
    data = json.loads((tmp_path / "plan.json").read_text())
    assert data["status"] in ("feasible", "no_solution")
    assert r.returncode == (3 if data["status"] == "feasible" else 1)
    if data["status"] == "feasible":
        assert data["mip_gap"] is None or data["mip_gap"] > 0
        assert "feasible" in r.stdout


def test_badly_scaled_rule_is_named_before_solving():
    """A 2025 budget typed in 0.01 Yuan (1e17) makes the budget row's limit 1e11 million
    Yuan: the plan carries a warning naming the budget rule; the normal case has none."""
    li = planner.examples.tiny()
    assert planner.solve(li, verify=False).warnings == []
    plan = planner.solve(li.replace(**{"periods.2025.budget_yuan": 1e17}), verify=False)
    assert any("rule budget" in w and "1e+11" in w for w in plan.warnings)
    assert "warnings" in json.loads(plan.to_json())
