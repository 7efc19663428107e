"""What the app holds while it runs: the instances opened and the scenarios of each, with
their solves. One app serves one planner on one machine, so this state is shared by the
browser tabs they open (a page reload, e.g. to switch language, keeps everything).

Every scenario is also a file: its overlay YAML is written to the working folder's
``scenarios/`` before it is solved, and the child process solves exactly that file
(:mod:`planner.app.jobs`), the way ``planner solve INSTANCE --scenario FILE`` would.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from planner.api import load_instance
from planner.app import jobs, sweeps
from planner.app.scenario import overlay, relaxed, to_yaml
from planner.app.workspace import Workspace
from planner.core.errors import InputError
from planner.core.labels import known, term
from planner.core.paths import bundled_dir
from planner.instance.load import LoadedInstance

BASE = "base"

#: what a planner may tick as "may give" under a diagnosis: the repair classes and three rule
#: families a planner thinks of on their own (planner.explain.repair); unticked ones are kept
REPAIR_CHOICES = (
    "money",
    "dividends",
    "targets",
    "people",
    "land",
    "decisions",
    "bans",
    "gardens",
    "projects",
    "street_green",
)


def repair_choice_label(key: str, lang: str = "en") -> str:
    """A repair choice in words: a class's own word, else the rule family's."""
    return term("word", f"repair_{key}", lang) if known("word", f"repair_{key}") else term("rule", key, lang)


@dataclass
class Scenario:
    name: str
    values: dict[str, Any] = field(default_factory=dict)  # setting path -> value as typed
    force: list[str] = field(default_factory=list)
    forbid: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)  # an overlay made for it (the relaxation of a diagnosis)
    job: jobs.Job | None = None
    file: Path | None = None
    note: list[str] = field(default_factory=list)  # what a relaxation could not set, to relax by hand

    @property
    def plan(self) -> Any:
        return None if self.job is None else self.job.plan

    @property
    def diagnosis(self) -> Any:
        return None if self.job is None else self.job.diagnosis

    @property
    def explanation(self) -> Any:
        return None if self.job is None else self.job.explanation


@dataclass
class Opened:
    """An instance the app has loaded: the bundled ones, those named on the command line,
    and uploads (``root``: the upload's folder, which its files must stay in)."""

    key: str
    path: Path
    li: LoadedInstance
    root: Path | None
    scenarios: dict[str, Scenario] = field(default_factory=dict)
    cache: dict[str, Any] = field(default_factory=dict)  # map data, made once
    token: str = field(default_factory=lambda: secrets.token_hex(8))  # names its map data in URLs
    sweep: sweeps.Sweep | None = None  # the last sweep started on it

    def __post_init__(self) -> None:
        self.scenarios.setdefault(BASE, Scenario(BASE))

    def overlay_of(self, sc: Scenario) -> dict:
        over = overlay(self.li, sc.values, sc.force, sc.forbid)
        if sc.extra:
            merged = dict(sc.extra)
            for k, v in over.items():
                merged[k] = v if not isinstance(v, dict) else {**merged.get(k, {}), **v}
            over = merged
        return over

    def instance_file(self) -> str:
        return self.path.name if self.root is not None else str(self.path)


class AppState:
    """The instances, their scenarios and solves, and the working folder."""

    def __init__(self, workspace: Workspace, time_limit: float | None = None):
        self.ws = workspace
        self.time_limit = time_limit
        self.opened: dict[str, Opened] = {}
        #: instances that can be opened by name: the bundled ones (loaded when first chosen)
        self.available: dict[str, Path] = {p.stem: p for p in self.bundled()}
        self.lock = threading.Lock()
        self.version = 0

    def bump(self) -> None:
        with self.lock:
            self.version += 1

    # ---- opening ---------------------------------------------------------
    @staticmethod
    def bundled() -> list[Path]:
        return sorted(bundled_dir("instances").glob("*.yaml"))

    def open(self, path: str | Path, root: Path | None = None, key: str | None = None) -> Opened:
        """Load ``path`` (InputError with the loader's messages); kept under ``key``."""
        path = Path(path)
        li = load_instance(path, root=root)
        key = key or li.instance.name
        base, n = key, 2
        while (key in self.opened and self.opened[key].path != path.resolve()) or (
            key in self.available and self.available[key].resolve() != path.resolve()
        ):
            key, n = f"{base}-{n}", n + 1
        if key not in self.opened:
            self.opened[key] = Opened(key, path.resolve(), li, root)
        self.bump()
        return self.opened[key]

    def ensure(self, key: str) -> Opened | None:
        """The opened instance ``key``, loading an available one on first use (InputError)."""
        if key in self.opened:
            return self.opened[key]
        if key in self.available:
            return self.open(self.available[key], key=key)
        return None

    def choices(self) -> list[str]:
        return list(dict.fromkeys([*self.opened, *self.available]))

    def open_upload(self, files: list[tuple[str, bytes]]) -> Opened:
        """Save uploaded files in a new folder and open the YAML among them, confined to it."""
        paths = self.ws.save_upload(files)
        yamls = [p for p in paths if p.suffix.lower() in (".yaml", ".yml")]
        if len(yamls) != 1:
            raise InputError.one(
                "upload",
                "(files)",
                f"{len(yamls)} YAML files among the uploaded files",
                "upload one instance YAML together with its parcel table (CSV, Parquet, Excel or GIS layer)",
            )
        return self.open(yamls[0], root=yamls[0].parent)

    # ---- scenarios -------------------------------------------------------
    def new_scenario(self, op: Opened, name: str, copy_of: str | None) -> Scenario:
        name = name.strip()
        if not name or name in op.scenarios or not all(c.isalnum() or c in "_-" for c in name):
            raise InputError.one(
                "scenario",
                "name",
                f"{name!r} is empty, taken or has characters other than letters, digits, _ and -",
                "choose another name",
            )
        src = op.scenarios.get(copy_of or BASE)
        sc = Scenario(name)
        if src is not None:
            sc.values, sc.force, sc.forbid, sc.extra = dict(src.values), list(src.force), list(src.forbid), src.extra
        op.scenarios[name] = sc
        self.bump()
        return sc

    def save(self, op: Opened, sc: Scenario) -> Path:
        """Write the scenario's overlay YAML to the working folder (InputError on a bad value)."""
        text = to_yaml(f"{op.key}-{sc.name}", op.instance_file(), op.overlay_of(sc))
        sc.file = self.ws.write_scenario(f"{op.key}-{sc.name}", text)
        return sc.file

    def solve(self, op: Opened, sc: Scenario) -> jobs.Job:
        if sc.job is not None and sc.job.state == "running":
            return sc.job
        file = self.save(op, sc)
        sc.job = jobs.start(sc.name, op.path, file, op.root, self.time_limit)
        self.bump()
        return sc.job

    def start_sweep(self, op: Opened, sc: Scenario, **options: Any) -> sweeps.Sweep:
        """``planner sweep`` of the scenario (its overlay saved first) into a new run folder."""
        if op.sweep is not None and op.sweep.state == "running":
            return op.sweep
        file = self.save(op, sc)
        op.sweep = sweeps.start(op.path, file, self.ws.new_folder("runs"), time_limit=self.time_limit, **options)
        self.bump()
        return op.sweep

    def repair_again(self, op: Opened, sc: Scenario, keep: list[str]) -> jobs.Job:
        """Solve ``sc`` again with the rules in ``keep`` kept from giving in its diagnosis
        (the overlay's ``repair.keep``): the diagnosis then repairs with the others only."""
        extra = dict(sc.extra)
        rep = dict(extra.get("repair") or {})
        rep["keep"] = list(keep)
        if not rep["keep"]:
            rep.pop("keep")
        extra["repair"] = rep
        if not rep:
            extra.pop("repair")
        sc.extra = extra
        if sc.job is not None and sc.job.state == "running":
            return sc.job
        return self.solve(op, sc)

    def relaxation(self, op: Opened, sc: Scenario) -> Scenario:
        """A new scenario: ``sc`` with its diagnosis's smallest relaxation applied."""
        over, left = relaxed(op.li, sc.diagnosis, op.overlay_of(sc))
        name, n = f"{sc.name}-relaxed", 2
        while name in op.scenarios:
            name, n = f"{sc.name}-relaxed{n}", n + 1
        new = Scenario(name, force=list(sc.force), forbid=list(sc.forbid), extra=over, note=left)
        op.scenarios[name] = new
        self.bump()
        return new

    def poll(self) -> bool:
        changed = False
        for op in list(self.opened.values()):
            for sc in op.scenarios.values():
                if sc.job is not None and sc.job.poll():
                    changed = True
        if changed:
            self.bump()
        return changed

    def running(self) -> bool:
        if any(op.sweep is not None and op.sweep.state == "running" for op in self.opened.values()):
            return True
        return any(
            sc.job is not None and sc.job.state == "running"
            for op in self.opened.values()
            for sc in op.scenarios.values()
        )


__all__ = ["BASE", "AppState", "Opened", "Scenario"]
