"""The plan: one object with status, termination, objective, MIP gap, solve time and
tidy pandas tables in planner words (village, parcel, use, period, role, recipient).

``Plan.to_json()`` writes the versioned format documented in ``docs/plan-format.md``;
``Plan.from_json()`` reads it back (the verifier and later stages use it).
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyomo.environ as pyo

from planner.core.cells import csv_text
from planner.core.files import write_text
from planner.core.outdir import replacing
from planner.core.plan_format import TABLES, land_fingerprint
from planner.core.status import has_plan
from planner.core.units import MONEY
from planner.core.version import __version__
from planner.model.split import apply_split
from planner.plan.tables import build_tables

PLAN_FORMAT = "planner.plan.plan"
PLAN_VERSION = "1.4"

# the tables (TABLES) are listed, with their keys and column types, in planner.core.plan_format;
# they are built from a solved model in planner.plan.tables


@dataclass
class Plan:
    instance_name: str
    instance_path: str
    overrides: list[str]
    status: str
    termination: str
    objective: float | None  # Yuan/yr: the weighted objective, or the last lexicographic goal reached
    objective_bound: float | None
    mip_gap: float | None
    solve_time_s: float
    build_time_s: float
    solver: str
    options: dict[str, Any]
    stages: list[dict[str, Any]]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    verification: dict[str, Any] | None = None
    status_note: str = ""
    # every whole-number and yes/no decision that is not zero: {variable: [[*index, value], ...]};
    # the explanations fix these to re-solve the LP of the plan
    decisions: dict[str, list[list[Any]]] = field(default_factory=dict)
    # suspicious inputs and badly scaled rules found before solving (planner.solver.scaling), as sentences
    warnings: list[str] = field(default_factory=list)
    # what this plan is: {"what": "optimum"} (solved for the instance's objective; the status says
    # whether it is proved), {"what": "alternative", ...} (a near-optimal alternative: its distance
    # and loss against the optimum) or {"what": "pareto_point", ...} (a point of the GEP-dividends
    # frontier: its goal and bound)
    kind: dict[str, Any] = field(default_factory=lambda: {"what": "optimum"})
    # the land the plan was made for (planner.core.plan_format.land_fingerprint); None in plans before 1.3
    instance_fingerprint: str | None = None
    # a township's plan within a county plan (planner.plan.county): {"county": name, "township": id,
    # "allocation_yuan": {period: Yuan from the county budget pool}}; None for a township solved alone
    county: dict[str, Any] | None = None

    # ------------------------------------------------------------------
    @property
    def has_solution(self) -> bool:
        return has_plan(self.status)

    @property
    def is_optimal(self) -> bool:
        return self.status == "optimal"

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)

    def kpi(self, name: str, period: str) -> float:
        k = self.tables["kpis"]
        return float(k.loc[k["period"] == period, name].iloc[0])

    # ------------------------------------------------------------------
    @classmethod
    def from_model(
        cls, li, d, m, res, build_time_s: float, options: dict[str, Any], warnings: list[str] | None = None
    ) -> Plan:
        plan = cls(
            instance_name=li.instance.name,
            instance_path=str(li.path),
            overrides=list(li.overrides),
            instance_fingerprint=land_fingerprint(li.parcels),
            status=res.status,
            termination=res.termination,
            objective=None if res.objective is None else res.objective * MONEY,
            objective_bound=None if res.bound is None or not math.isfinite(res.bound) else res.bound * MONEY,
            mip_gap=res.mip_gap,
            solve_time_s=res.solve_time_s,
            build_time_s=build_time_s,
            solver=res.solver,
            options=options,
            stages=[
                {
                    **s,
                    "objective": None if s["objective"] is None else s["objective"] * MONEY,
                    "bound": None if s["bound"] is None or not math.isfinite(s["bound"]) else s["bound"] * MONEY,
                }
                for s in res.stages
            ],
            warnings=list(warnings or []),
        )
        if plan.has_solution:
            # township roles' people per village by one rule, not the solver's pick (planner.model.split)
            apply_split(d, m)
            plan.tables = build_tables(li, d, m)
            plan.decisions = integer_decisions(m)
        elif getattr(m, "_impossible", None):
            rows = [f"{name}[{', '.join(map(str, key))}]" for _, name, key in m._impossible]
            plan.status_note = (
                "no plan can meet these rules whatever is decided: "
                + "; ".join(rows[:10])
                + (f" and {len(rows) - 10} more" if len(rows) > 10 else "")
            )
        return plan

    def with_verification(self, verification: dict[str, Any]) -> Plan:
        """This plan with the independent verifier's result; a plan that fails it says so
        in ``status_note`` (:func:`planner.verify.verify_plan`)."""
        note = self.status_note
        if not verification["passed"]:
            note = "the independent verifier found violations; do not use this plan"
        return dataclasses.replace(self, verification=verification, status_note=note)

    # ------------------------------------------------------------------
    def timings(self) -> dict[str, Any]:
        """What varies from run to run (written to run.json, not plan.json): times per stage."""
        return {
            "format": "planner.run",
            "solve_time_s": self.solve_time_s,
            "build_time_s": self.build_time_s,
            "stages": [{"goal": s.get("goal"), **{k: s[k] for k in STAGE_TIMES if k in s}} for s in self.stages],
        }

    def to_dict(self, timings: bool = False) -> dict[str, Any]:
        """The plan as plain data. Without ``timings`` (as in plan.json) it holds nothing that
        varies between runs of the same instance and options, so plan.json is byte-identical."""

        def rows(df: pd.DataFrame) -> list[dict[str, Any]]:
            out = json.loads(df.to_json(orient="records", double_precision=10))
            return out

        stages = (
            self.stages if timings else [{k: v for k, v in st.items() if k not in STAGE_TIMES} for st in self.stages]
        )
        times = {"solve_time_s": self.solve_time_s, "build_time_s": self.build_time_s} if timings else {}
        return {
            "format": PLAN_FORMAT,
            "version": PLAN_VERSION,
            "planner_version": __version__,
            "instance": {
                "name": self.instance_name,
                "path": self.instance_path,
                "overrides": self.overrides,
                "fingerprint": self.instance_fingerprint,
            },
            "kind": self.kind,
            "status": self.status,
            "status_note": self.status_note,
            "termination": self.termination,
            "objective": self.objective,
            "objective_bound": self.objective_bound,
            "mip_gap": self.mip_gap,
            **times,
            "solver": {"name": self.solver, "options": self.options},
            "stages": stages,
            "verification": self.verification,
            "warnings": self.warnings,
            "decisions": self.decisions,
            **({"county": self.county} if self.county is not None else {}),
            **{t: rows(self.tables[t]) if t in self.tables else [] for t in TABLES},
        }

    def to_json(self, path: str | Path | None = None, indent: int = 1, timings: bool = False) -> str:
        text = json.dumps(self.to_dict(timings=timings), indent=indent, allow_nan=False, default=_json_default)
        if path is not None:
            write_text(path, text)
        return text

    def write(self, out_dir: str | Path, *, force: bool = True, extra: Callable[[Path], None] | None = None) -> Path:
        """Write the plan into ``out_dir`` in one step: one CSV per table, run.json (times)
        and plan.json are written into a staging folder beside it, ``extra(folder)`` may add
        more (the CLI adds plan.gpkg), then the staging folder replaces ``out_dir``
        (:func:`planner.core.outdir.replacing`). At every instant ``out_dir`` holds the whole old
        plan or the whole new one; the old plan's explanation, report and other companions
        go with it, files a user keeps there are carried over.

        ``force=False`` refuses to replace a plan (raises :class:`planner.core.outdir.OutTaken`)."""
        out = Path(out_dir)
        with replacing(out, force=force) as stage:
            self.write_files(stage)
            if extra is not None:
                extra(stage)
        return out

    def write_files(self, folder: str | Path) -> None:
        """The plan's files into an existing (new, empty) folder, plan.json last."""
        folder = Path(folder)
        for name, df in self.tables.items():
            write_text(folder / f"{name}.csv", csv_text(df, index=False))
        write_text(folder / "run.json", json.dumps(self.timings(), indent=1, default=_json_default))
        self.to_json(folder / "plan.json")

    @classmethod
    def from_json(cls, path_or_text: str | Path) -> Plan:
        p = Path(path_or_text) if not str(path_or_text).lstrip().startswith("{") else None
        data = json.loads(p.read_text(encoding="utf-8") if p else str(path_or_text))
        if data.get("format") != PLAN_FORMAT:
            raise ValueError(f"not a planner plan (format {data.get('format')!r})")
        times = {}
        if p is not None and (p.parent / "run.json").exists():
            try:
                times = json.loads((p.parent / "run.json").read_text(encoding="utf-8"))
            except (ValueError, OSError):
                times = {}
        stage_times = [{k: st[k] for k in STAGE_TIMES if k in st} for st in times.get("stages", [])]
        stages = [
            {**(stage_times[i] if i < len(stage_times) else {}), **st} for i, st in enumerate(data.get("stages", []))
        ]
        plan = cls(
            instance_name=data["instance"]["name"],
            instance_path=data["instance"]["path"],
            overrides=data["instance"].get("overrides", []),
            instance_fingerprint=data["instance"].get("fingerprint"),
            status=data["status"],
            termination=data["termination"],
            objective=data["objective"],
            objective_bound=data.get("objective_bound"),
            mip_gap=data["mip_gap"],
            solve_time_s=data.get("solve_time_s", times.get("solve_time_s", 0.0)),
            build_time_s=data.get("build_time_s", times.get("build_time_s", 0.0)),
            solver=data["solver"]["name"],
            options=data["solver"].get("options", {}),
            stages=stages,
            verification=data.get("verification"),
            status_note=data.get("status_note", ""),
            decisions=data.get("decisions", {}),
            warnings=data.get("warnings", []),
            kind=data.get("kind") or {"what": "optimum"},
            county=data.get("county"),
        )
        plan.tables = {t: pd.DataFrame(data.get(t, [])) for t in TABLES}
        return plan

    def summary(self) -> pd.DataFrame:
        """KPIs per period, for printing."""
        return self.tables.get("kpis", pd.DataFrame())


def integer_decisions(m: pyo.ConcreteModel) -> dict[str, list[list[Any]]]:
    """The model's whole-number and yes/no decisions that are not zero, rounded."""
    out: dict[str, list[list[Any]]] = {}
    for comp in m.component_objects(pyo.Var):
        rows = []
        for idx, v in comp.items():
            if not (v.is_integer() or v.is_binary()) or v.value is None:
                continue
            val = int(round(v.value))
            if val:
                rows.append([*(idx if isinstance(idx, tuple) else (idx,)), val])
        if rows:
            out[comp.local_name] = rows
    return out


def _json_default(o: Any) -> Any:
    if hasattr(o, "item"):
        return o.item()
    return str(o)


# per-stage times (run.json, never plan.json): hand-off to the solver, the solver's run, reading back
STAGE_TIMES = ("handoff_s", "time_s", "readback_s")
