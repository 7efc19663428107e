"""Sweeps for analysts, started from the app: ``planner sweep`` itself, run as a child
process on the scenario's overlay file, in local processes or on the Dask scheduler
the command line uses (``--scheduler``). The app watches its folder: ``sweep.json``
lists the scenarios, ``results.jsonl`` grows by one line per finished scenario, and the
indices and plots appear when it ends.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from planner.core.errors import InputError

DESIGNS = ("oat", "grid", "morris", "sobol")
_SCHEDULER = re.compile(r"^tcp://[A-Za-z0-9.\-\[\]:]+:\d{1,5}$")


@dataclass
class Sweep:
    out: Path
    proc: subprocess.Popen
    param: str
    started: float = field(default_factory=time.monotonic)

    @property
    def state(self) -> str:
        code = self.proc.poll()
        return "running" if code is None else ("done" if code in (0, 3) else "failed")

    def total(self) -> int | None:
        try:
            return len(json.loads((self.out / "sweep.json").read_text(encoding="utf-8"))["scenarios"])
        except (OSError, ValueError, KeyError):
            return None

    def results(self) -> pd.DataFrame:
        path = self.out / "results.jsonl"
        if not path.exists():
            return pd.DataFrame()
        rows = []
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                rows.append(json.loads(line))
            except ValueError:
                continue  # a line being written
        return pd.DataFrame(rows)

    def plots(self) -> list[Path]:
        return sorted(self.out.glob("*.png")) if self.state != "running" else []

    def indices(self) -> pd.DataFrame:
        path = self.out / "indices.csv"
        return pd.read_csv(path) if self.state != "running" and path.exists() else pd.DataFrame()

    def log(self) -> str:
        path = self.out / "sweep.log"
        return path.read_text(encoding="utf-8", errors="replace")[-3000:] if path.exists() else ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)


def start(
    instance: Path,
    scenario: Path,
    out: Path,
    param: str,
    low: float,
    high: float,
    design: str = "oat",
    levels: int = 4,
    workers: int = 1,
    scheduler: str = "",
    time_limit: float | None = None,
) -> Sweep:
    """Start ``planner sweep`` on ``instance`` with the overlay ``scenario`` into ``out``."""
    problems = []
    if design not in DESIGNS:
        problems.append(("design", f"unknown design {design!r}", f"use one of {', '.join(DESIGNS)}", design))
    if not (low < high):
        problems.append(("low", f"low ({low:g}) is not below high ({high:g})", "give a low value below the high", low))
    if scheduler and not _SCHEDULER.match(scheduler):
        problems.append(("scheduler", "not a Dask scheduler address", "write tcp://HOST:PORT", scheduler))
    if problems:
        raise InputError([InputError.one("sweep", *p).problems[0] for p in problems])
    out.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "planner", "sweep", str(instance), "--scenario", str(scenario), "--param",
           f"{param}={low:g}:{high:g}", "--design", design, "--levels", str(levels), "--n", str(levels), "--out",
           str(out), "--workers", str(workers)]  # fmt: skip
    if scheduler:
        cmd += ["--scheduler", scheduler]
    if time_limit:
        cmd += ["--time-limit", str(time_limit)]
    log = open(out / "sweep.log", "w", encoding="utf-8")  # noqa: SIM115 - the child writes it while it runs
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                            env={**os.environ, "COLUMNS": "120"})  # fmt: skip
    log.close()
    return Sweep(out=out, proc=proc, param=param)


__all__ = ["DESIGNS", "Sweep", "start"]
