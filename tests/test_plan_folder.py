"""A plan folder changes in one step (planner.core.outdir): killed at each file write, the
folder holds the whole old plan; a failed write (a full disk) leaves it as it was; the old
plan's companions never mix with the new plan; a user's own files survive; two runs into
one folder without --force cannot both win; results of pareto and alternatives are never
replaced without --force, and every plan file says what it is.

Kills land at named points (``PLANNER_STOP_AT``, planner.core.faults): the process stops
itself there, the test waits for that state and kills it."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import kill_group as kill
from helpers import stopped_at

import planner
from planner.core import files
from planner.core.paths import bundled_dir

TINY = str(bundled_dir("instances") / "tiny.yaml")


def run(*args: str, env: dict | None = None):
    return subprocess.run(
        [sys.executable, "-m", "planner", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def two_plans(tmp_path_factory):
    """Two different plans of tiny (the 2025 budget differs), as saved plan.json files."""
    base = tmp_path_factory.mktemp("plans")
    li = planner.examples.tiny()
    old = planner.solve(li)
    new = planner.solve(li.replace(**{"periods.2025.budget_yuan": 2.0e6}))
    assert old.to_json() != new.to_json()
    old.to_json(base / "old.json")
    new.to_json(base / "new.json")
    return old, base / "new.json"


WRITE = "import sys, planner; planner.Plan.from_json(sys.argv[1]).write(sys.argv[2], force=True)"
N_WRITES = 15  # 13 tables, run.json and plan.json


@pytest.mark.parametrize("k", range(1, N_WRITES + 1))
def test_killed_at_each_file_write_leaves_the_whole_old_plan(tmp_path, two_plans, k):
    """Killed just before the k-th file write of a --force write: every file of the old plan
    is there, byte for byte, and nothing of the new one."""
    old, new_json = two_plans
    out = tmp_path / "plan"
    old.write(out)
    (out / "notes.txt").write_text("my notes")
    before = snapshot(out)
    p = stopped_at([sys.executable, "-c", WRITE, str(new_json), str(out)], f"file-write#{k}")
    kill(p)
    assert snapshot(out) == before


def test_killed_at_the_swap_leaves_the_old_plan_and_the_next_run_cleans_up(tmp_path, two_plans):
    old, new_json = two_plans
    out = tmp_path / "plan"
    old.write(out)
    before = snapshot(out)
    kill(stopped_at([sys.executable, "-c", WRITE, str(new_json), str(out)], "folder-swap"))
    assert snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".plan.new-")]  # the dead run's staging folder
    planner.Plan.from_json(new_json).write(out)
    assert json.loads((out / "plan.json").read_text()) == json.loads(new_json.read_text())
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".plan.")]


def test_every_write_completes_the_new_plan(tmp_path, two_plans):
    """Without a kill the same write replaces the plan: the folder is exactly the new plan's
    15 files, plus the user's notes (the old plan's report figures are gone)."""
    old, new_json = two_plans
    out = tmp_path / "plan"
    old.write(out)
    (out / "figures").mkdir()
    (out / "figures" / "old_chart.png").write_bytes(b"png")
    (out / "report.md").write_text("old report")
    (out / "notes.txt").write_text("my notes")
    r = subprocess.run([sys.executable, "-c", WRITE, str(new_json), str(out)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    names = sorted(snapshot(out))
    assert len(names) == N_WRITES + 1 and "notes.txt" in names and "report.md" not in names
    assert not (out / "figures").exists()
    assert (out / "notes.txt").read_text() == "my notes"
    assert json.loads((out / "plan.json").read_text()) == json.loads(new_json.read_text())


def test_a_failed_write_leaves_the_old_plan(tmp_path, two_plans, monkeypatch):
    """A full disk at the 5th file: the error reaches the caller, the old plan is untouched
    and no staging folder is left behind."""
    old, new_json = two_plans
    out = tmp_path / "plan"
    old.write(out)
    before = snapshot(out)
    real = files.write_bytes
    calls = []

    def full_disk(path, data):
        calls.append(path)
        if len(calls) == 5:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(path, data)

    monkeypatch.setattr(files, "write_bytes", full_disk)
    with pytest.raises(OSError):
        planner.Plan.from_json(new_json).write(out)
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan"]


def test_two_runs_into_one_folder_cannot_both_win(tmp_path):
    """Run A is stopped just before its swap (its plan staged); run B writes a plan into the
    same empty folder; A resumes: it is refused (exit 2, no --force), names where its own plan
    was kept, and B's plan is intact."""
    out = tmp_path / "o"
    a = stopped_at([sys.executable, "-m", "planner", "solve", TINY, "--out", str(out)], "folder-swap")
    try:
        b = run("solve", TINY, "--out", str(out), "--set", "periods.2025.budget_yuan=2000000")
        assert b.returncode == 0, b.stderr
        b_plan = (out / "plan.json").read_bytes()
        os.kill(a.pid, signal.SIGCONT)
        stdout, stderr = a.communicate(timeout=300)
    finally:
        if a.poll() is None:
            kill(a)
    assert a.returncode == 2
    said = " ".join(stderr.split())
    assert "received a plan from another run" in said and "Traceback" not in stderr
    kept = Path(said.split("kept in ")[1].split(":")[0])
    assert (kept / "plan.json").exists()
    assert (out / "plan.json").read_bytes() == b_plan


def test_pareto_and_alternatives_refuse_to_overwrite_and_force_works(tmp_path):
    out_p, out_a = tmp_path / "p", tmp_path / "a"
    assert run("pareto", TINY, "--n", "2", "--out", str(out_p)).returncode in (0, 3)
    r = run("pareto", TINY, "--n", "2", "--out", str(out_p))
    assert r.returncode == 2 and "--force" in r.stderr
    assert run("pareto", TINY, "--n", "2", "--out", str(out_p), "--force").returncode in (0, 3)
    fr = json.loads((out_p / "frontier.json").read_text())
    assert fr["kind"]["what"] == "pareto_frontier"

    assert run("alternatives", TINY, "--n", "1", "--slack", "0.05", "--out", str(out_a)).returncode == 0
    r = run("alternatives", TINY, "--n", "1", "--slack", "0.05", "--out", str(out_a))
    assert r.returncode == 2 and "--force" in r.stderr
    assert run("alternatives", TINY, "--n", "1", "--slack", "0.05", "--out", str(out_a), "--force").returncode == 0


def test_alternative_plan_file_says_what_it_is(tmp_path):
    """An alternative within 5% of tiny's optimum is a plan of the instance below its
    optimum: its plan.json says 'feasible' (never 'optimal'), kind 'alternative' with its
    distance and loss, and a gap measured against the optimum's bound."""
    from planner.tradeoffs import alternatives

    li = planner.examples.tiny()
    best = planner.solve(li)
    alts = alternatives(li, best, slack=0.05, n=1)
    assert alts and alts[0].plan is not None and alts[0].plan.has_solution
    data = json.loads(alts[0].plan.to_json())
    assert best.to_dict()["kind"] == {"what": "optimum"}
    assert data["status"] == "feasible" and data["kind"]["what"] == "alternative"
    assert data["kind"]["optimum_objective"] == pytest.approx(best.objective)
    assert data["kind"]["distance"] == pytest.approx(alts[0].distance)
    loss = (best.objective - data["objective"]) / abs(best.objective) * 100
    assert data["kind"]["below_optimum_pct"] == pytest.approx(loss, abs=1e-6)
    assert 0 <= loss <= 5 + 1e-6
    assert data["mip_gap"] == pytest.approx((best.objective_bound - data["objective"]) / abs(data["objective"]))


def test_written_files_get_the_permissions_of_any_new_file(tmp_path, two_plans):
    """Files are written under a temporary name and renamed; they still get the
    permissions the user's umask gives a new file (0644 under umask 022), not the 0600 of
    a temporary file, like plan.gpkg and the files a user makes."""
    import os
    import stat

    old, _ = two_plans
    out = tmp_path / "plan"
    old.write(out)
    mask = os.umask(0)
    os.umask(mask)
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in out.iterdir() if p.is_file()}
    assert "plan.json" in modes and set(modes.values()) == {0o666 & ~mask}, modes
