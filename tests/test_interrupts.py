"""Interrupts keep what was found: Ctrl-C (or SIGTERM) while HiGHS solves keeps its best
plan, labelled 'feasible' with its gap, exit 3; before any plan, exit 1 and nothing is
written; during the explanation of --report, the finished plan stays and the message says
how to finish; a sweep stopped by Ctrl-C or killed with -9 leaves no worker behind.

Each interrupt lands at a named point (``PLANNER_STOP_AT``, planner.core.faults): the process
stops itself there, the test waits for that state, queues SIGINT (or SIGTERM) and lets
it go on. At the solver's points HiGHS waits inside its callback until the main thread
has seen the interrupt, so what HiGHS has found at that moment is fixed."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys

import pytest
from helpers import stopped_at

from planner.core.paths import bundled_dir

TINY = str(bundled_dir("instances") / "tiny.yaml")
NUANSHUI = str(bundled_dir("instances") / "nuanshui.yaml")


def start(args: list[str], point: str) -> subprocess.Popen:
    return stopped_at([sys.executable, "-m", "planner", *args], point)


def interrupt(p: subprocess.Popen, sig: int = signal.SIGINT) -> tuple[str, str]:
    os.kill(p.pid, sig)
    os.kill(p.pid, signal.SIGCONT)
    try:
        out, err = p.communicate(timeout=300)
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
    return out, " ".join(err.split())


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupt_with_a_plan_keeps_it_as_feasible_exit_3(tmp_path, sig):
    """Interrupted at HiGHS's first improving plan of Nuanshui (in the search for a first
    plan, planner.solver.start: a plan of the restricted model is a plan): that plan is
    written, 'feasible', termination 'interrupted', with its gap; no tie-break stage ran;
    --report was skipped and the message names the command that explains it."""
    out = tmp_path / "o"
    p = start(["solve", NUANSHUI, "--out", str(out), "--report"], "solver-solution")
    stdout, err = interrupt(p, sig)
    assert p.returncode == 3, err
    data = json.loads((out / "plan.json").read_text())
    assert data["status"] == "feasible" and data["termination"] == "interrupted"
    assert data["mip_gap"] is not None and data["mip_gap"] > 1e-6
    assert [s["goal"] for s in data["stages"]] == ["weighted"]
    assert data["verification"]["passed"]
    assert "interrupted" in err and f"--plan {out}" in err and "Traceback" not in err
    assert not (out / "report.md").exists()


@pytest.mark.parametrize("point", ["first-plan", "solver-check#4"])
def test_interrupt_after_the_first_plan_keeps_it(tmp_path, point):
    """Ctrl-C once the first plan is found (planner.solver.start), before HiGHS's own run
    (``first-plan``, between HiGHS runs) or at the first check of that run
    (``solver-check#4``: the LP, the restricted MIP and the repair checked first): the
    first plan is written, 'feasible' and 'interrupted', verified, with a gap above 0
    against the LP relaxation's bound (Nuanshui's LP bound is above its optimum), never
    'optimal'."""
    out = tmp_path / "o"
    p = start(["solve", NUANSHUI, "--out", str(out)], point)
    _, err = interrupt(p)
    assert p.returncode == 3, err
    data = json.loads((out / "plan.json").read_text())
    assert data["status"] == "feasible" and data["termination"] == "interrupted"
    assert data["mip_gap"] is not None and data["mip_gap"] > 0
    assert data["verification"]["passed"]
    assert "Traceback" not in err


def test_interrupt_before_any_plan_writes_nothing_exit_1(tmp_path):
    """Interrupted at HiGHS's first check for an interrupt (no plan yet): exit 1, a message,
    and an earlier plan in --out stays as it was."""
    out = tmp_path / "o"
    first = subprocess.run([sys.executable, "-m", "planner", "solve", TINY, "--out", str(out)], capture_output=True)
    assert first.returncode == 0
    before = (out / "plan.json").read_bytes()
    p = start(["solve", NUANSHUI, "--out", str(out), "--force"], "solver-check")
    _, err = interrupt(p)
    assert p.returncode == 1
    assert "before the solver found any plan" in err and "Traceback" not in err
    assert (out / "plan.json").read_bytes() == before


def test_interrupt_while_explaining_keeps_the_plan(tmp_path):
    """Ctrl-C when the explanation of `solve --report` starts: the plan is complete in
    --out, no report, exit 130, and the message says how to finish."""
    out = tmp_path / "o"
    p = start(["solve", TINY, "--out", str(out), "--report"], "explain")
    _, err = interrupt(p)
    assert p.returncode == 130
    assert json.loads((out / "plan.json").read_text())["status"] == "optimal"
    assert not (out / "report.md").exists()
    assert "the plan in" in err and "is complete" in err and "--report" in err


def _children(pid: int) -> list[int]:
    kids = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                kids.append(int(d))
    return kids


def _wait_gone(pids: list[int]) -> list[int]:
    """Wait (on pidfds: a state, not a time; 60 s guard) until these processes have ended;
    return those still alive."""
    alive = []
    for pid in pids:
        try:
            fd = os.pidfd_open(pid)
        except ProcessLookupError:
            continue
        try:
            if not select.select([fd], [], [], 60)[0]:
                alive.append(pid)
        finally:
            os.close(fd)
    return alive


@pytest.mark.parametrize("how", ["ctrl-c", "kill-9"])
def test_stopped_sweep_leaves_no_process_behind(tmp_path, how):
    """A 2-worker sweep stopped after its first result: by Ctrl-C (exit 130) or by kill -9
    of the main process only. Its worker processes and multiprocessing's resource tracker
    end with it, and the first result is on disk for --resume."""
    out = tmp_path / "sw"
    p = start(
        [
            "sweep",
            TINY,
            "--param",
            "prices.forestry_carbon_yuan_per_t=10:100",
            "--design",
            "oat",
            "--levels",
            "7",
            "--out",
            str(out),
            "--workers",
            "2",
            "--rebuild",
        ],
        "sweep-result#1",
    )
    kids = _children(p.pid)
    assert len(kids) >= 2  # two workers (and the resource tracker)
    if how == "ctrl-c":
        _, err = interrupt(p)
        assert p.returncode == 130 and "--resume" in err
    else:
        os.kill(p.pid, signal.SIGKILL)
        os.kill(p.pid, signal.SIGCONT)
        p.wait()
    assert _wait_gone(kids) == []
    assert len((out / "results.jsonl").read_text().splitlines()) >= 1
