"""Scenario-set files: named overrides on one base instance.

.. code-block:: yaml

    base: nuanshui.yaml            # the base instance, relative to this file
    scenarios:
      baseline: {}
      carbon_80:
        prices.forestry_carbon_yuan_per_t: 80
      half_budget:
        periods.2025.budget_yuan: 225000000
        periods.2035.budget_yuan: 350000000

Each scenario maps dotted instance paths (list elements by id, as ``--set``) to values.
:func:`load_scenario_set` checks every scenario against the instance (the full loader
runs on each), so a misspelt path is bad input before anything is solved.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from planner.api import load_instance
from planner.core.errors import InputError, Problem
from planner.instance.safe_yaml import read_yaml


@dataclass(frozen=True)
class ScenarioSet:
    path: Path
    base: Path
    scenarios: dict[str, dict[str, Any]]

    def table(self) -> pd.DataFrame:
        """One row per scenario: ``scenario`` (0..), ``name`` and one column per path set anywhere."""
        rows = [{"scenario": i, "name": name, **sets} for i, (name, sets) in enumerate(self.scenarios.items())]
        return pd.DataFrame(rows)


def load_scenario_set(path: str | Path, base: str | Path | None = None, check: bool = True) -> ScenarioSet:
    """Read and check a scenario-set file. ``base`` overrides the file's ``base``."""
    path = Path(path)
    raw = read_yaml(path)
    file = str(path)
    if not isinstance(raw, dict):
        raise InputError.one(
            file, "(top level)", "a scenario set must be a mapping with base and scenarios", "see docs/sensitivity.md"
        )
    problems = []
    unknown = set(raw) - {"base", "scenarios", "description"}
    for k in sorted(unknown):
        problems.append(Problem(file, k, "unknown key", "use base, scenarios and description"))
    b = base or raw.get("base")
    if b is None:
        problems.append(Problem(file, "base", "missing", "name the base instance YAML (relative to this file)"))
    sc = raw.get("scenarios")
    if not isinstance(sc, dict) or not sc:
        problems.append(Problem(file, "scenarios", "missing or empty", "map scenario names to {path: value} overrides"))
    if problems:
        raise InputError(problems)
    base_path = Path(b) if base is not None or Path(b).is_absolute() else (path.parent / b)
    scenarios: dict[str, dict[str, Any]] = {}
    for name, sets in sc.items():
        if sets is None:
            sets = {}
        if not isinstance(sets, dict):
            problems.append(Problem(file, f"scenarios.{name}", "not a mapping", "map dotted paths to values"))
            continue
        scenarios[str(name)] = {str(k): v for k, v in sets.items()}
    if problems:
        raise InputError(problems)
    if check:
        for name, sets in scenarios.items():
            try:
                load_instance(base_path, sets=[f"{k}={json.dumps(v)}" for k, v in sets.items()])
            except InputError as e:
                problems.extend(
                    Problem(
                        file,
                        f"scenarios.{name}.{p.field}" if p.file == "--set" else f"scenarios.{name}: {p.field}",
                        p.message,
                        p.fix,
                        p.value,
                    )
                    for p in e.problems
                )
        if problems:
            raise InputError(problems)
    return ScenarioSet(path=path, base=base_path, scenarios=scenarios)
