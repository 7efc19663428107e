"""A county plan: the townships' plans, one status, bound and gap for the county, and the
county rows (``docs/plan-format.md``, county plans).

A county plan folder holds ``plan.json`` (format ``planner.plan.county``: status,
termination, objective, bound, gap, how it was solved, the county rows, one line per
township), ``townships.csv``, ``county_rows.csv``, ``county_targets.csv`` (the county
targets: required or reported, the plan's value and whether it is met), every table of the township plans
with a ``township`` column first (``allocations.csv``, ``kpis.csv``, ...), and each
township's own plan folder under ``townships/<id>/``. A township's ``plan.json`` carries the
county's status and gap (its own optimum is not the point: the county's is) and its
allocation from the county budget pool (``county``).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from planner.core.cells import csv_text
from planner.core.files import write_text
from planner.core.outdir import replacing
from planner.core.status import has_plan
from planner.core.version import __version__
from planner.instance.schema import Target
from planner.model.rules import targets as target_rules
from planner.plan.plan import Plan
from planner.plan.tables import target_met

COUNTY_FORMAT = "planner.plan.county"
COUNTY_VERSION = "1.1"  # 1.1: county_targets
#: per-iteration figures that vary between runs (run.json, not plan.json)
RUN_KEYS = ("time_s",)
TARGET_COLUMNS = ["target", "kpi", "period", "service", "label", "required", "min", "max", "value", "met"]


def targets_table(
    targets: list[tuple[str, Target]], parts: dict[str, dict[str, float]], area_ha: float
) -> pd.DataFrame:
    """The county targets against the plan: ``targets`` (key, target), ``parts`` (township ->
    key -> the township's part of the figure in model units, as
    :func:`planner.model.county.target_part` gives it), ``area_ha`` the county's area. The
    value is in the KPI's unit: the sum over the townships (Yuan/yr, Yuan, ha, counts), or
    for a coverage the covered ha of all townships over the county's area."""
    rows = []
    for key, tg in targets:
        value = target_rules.in_kpi_units(tg.kpi, sum(p.get(key, 0.0) for p in parts.values()), area_ha)
        rows.append(
            {
                "target": key,
                "kpi": tg.kpi,
                "period": tg.period,
                "service": tg.service or "",
                "label": tg.label,
                "required": tg.required,
                "min": tg.min,
                "max": tg.max,
                "value": value,
                "met": target_met(value, tg.min, tg.max),
            }
        )
    return pd.DataFrame(rows, columns=TARGET_COLUMNS)


@dataclass
class CountyPlan:
    name: str
    path: str
    overrides: list[str]
    status: str
    termination: str
    objective: float | None  # Yuan/yr, the sum of the townships' objectives
    objective_bound: float | None  # Yuan/yr, proved: no county plan does better
    mip_gap: float | None
    method: str  # "monolithic" or "decomposed"
    townships: list[tuple[str, Plan]]
    pool: dict[str, float] | None  # Yuan per period
    allocations: dict[str, dict[str, float]]  # township -> period -> Yuan from the pool
    coordination: dict[str, Any] = field(default_factory=dict)  # iterations, prices, history
    options: dict[str, Any] = field(default_factory=dict)
    solve_time_s: float = 0.0
    status_note: str = ""
    status_note_zh: str = ""  # the same note in Chinese (planner --lang zh)
    verification: dict[str, Any] | None = None
    # the county targets against the plan (TARGET_COLUMNS); None without a plan
    targets: pd.DataFrame | None = None

    @property
    def has_solution(self) -> bool:
        return has_plan(self.status)

    @property
    def is_optimal(self) -> bool:
        return self.status == "optimal"

    def county_rows(self) -> pd.DataFrame:
        """The county rows per period: what the townships take from the pool and the pool."""
        if self.pool is None:
            return pd.DataFrame(columns=["row", "period", "used_yuan", "limit_yuan"])
        return pd.DataFrame(
            [
                {
                    "row": "county_pool",
                    "period": t,
                    "used_yuan": sum(a.get(t, 0.0) for a in self.allocations.values()),
                    "limit_yuan": limit,
                }
                for t, limit in self.pool.items()
            ]
        )

    def township_rows(self) -> pd.DataFrame:
        rows = []
        for tid, p in self.townships:
            row: dict[str, Any] = {
                "township": tid,
                "name": p.instance_name,
                "objective_yuan": p.objective,
                "folder": f"townships/{tid}",
            }
            for t, v in self.allocations.get(tid, {}).items():
                row[f"allocation_{t}_yuan"] = v
            rows.append(row)
        return pd.DataFrame(rows)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table of the township plans, concatenated with a ``township`` column first."""
        out: dict[str, pd.DataFrame] = {}
        names = list(dict.fromkeys(n for _, p in self.townships for n in p.tables))
        for n in names:
            parts = [p.tables[n].assign(township=tid) for tid, p in self.townships if n in p.tables]
            df = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
            out[n] = df[["township", *[c for c in df.columns if c != "township"]]]
        return out

    def note(self, lang: str = "en") -> str:
        """The status note in ``lang`` (Chinese where the plan has it, else English)."""
        return (self.status_note_zh if lang == "zh" else "") or self.status_note

    def to_dict(self) -> dict[str, Any]:
        history = [{k: v for k, v in h.items() if k not in RUN_KEYS} for h in self.coordination.get("history", [])]
        return {
            "format": COUNTY_FORMAT,
            "version": COUNTY_VERSION,
            "planner_version": __version__,
            "county": {"name": self.name, "path": self.path, "overrides": self.overrides},
            "status": self.status,
            "status_note": self.status_note,
            "status_note_zh": self.status_note_zh,
            "termination": self.termination,
            "objective": self.objective,
            "objective_bound": self.objective_bound,
            "mip_gap": self.mip_gap,
            "method": self.method,
            "coordination": {**{k: v for k, v in self.coordination.items() if k != "history"}, "history": history},
            "solver": {"options": self.options},
            "county_rows": json.loads(self.county_rows().to_json(orient="records", double_precision=10)),
            "county_targets": []
            if self.targets is None
            else json.loads(self.targets.to_json(orient="records", double_precision=15)),
            "townships": [
                {
                    "id": tid,
                    "name": p.instance_name,
                    "instance": p.instance_path,
                    "folder": f"townships/{tid}",
                    "objective": p.objective,
                    "allocation_yuan": self.allocations.get(tid, {}),
                }
                for tid, p in self.townships
            ],
            "verification": self.verification,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=1, allow_nan=False, default=_default)

    def write(self, out_dir: str | Path, *, force: bool = True) -> Path:
        """The county plan folder in one step (:func:`planner.core.outdir.replacing`): the
        township folders, the tables with a township column, run.json and plan.json last."""
        out = Path(out_dir)
        with replacing(out, force=force) as stage:
            for tid, p in self.townships:
                folder = Path(stage) / "townships" / tid
                folder.mkdir(parents=True)
                p.write_files(folder)
            for n, df in self.tables().items():
                write_text(Path(stage) / f"{n}.csv", csv_text(df, index=False))
            write_text(Path(stage) / "townships.csv", csv_text(self.township_rows(), index=False))
            write_text(Path(stage) / "county_rows.csv", csv_text(self.county_rows(), index=False))
            targets = self.targets if self.targets is not None else pd.DataFrame(columns=TARGET_COLUMNS)
            write_text(Path(stage) / "county_targets.csv", csv_text(targets, index=False))
            run = {
                "format": "planner.run",
                "solve_time_s": self.solve_time_s,
                "history": [
                    {k: h[k] for k in ("iteration", *RUN_KEYS) if k in h} for h in self.coordination.get("history", [])
                ],
            }
            write_text(Path(stage) / "run.json", json.dumps(run, indent=1, default=_default))
            write_text(Path(stage) / "plan.json", self.to_json())
        return out

    @classmethod
    def from_json(cls, path: str | Path) -> CountyPlan:
        """Read a county plan folder (``plan.json`` or its folder) with its township plans."""
        p = Path(path)
        folder = p if p.is_dir() else p.parent
        data = json.loads((folder / "plan.json").read_text(encoding="utf-8"))
        if data.get("format") != COUNTY_FORMAT:
            raise ValueError(f"not a county plan (format {data.get('format')!r})")
        townships = [(t["id"], Plan.from_json(folder / t["folder"] / "plan.json")) for t in data["townships"]]
        rows = data.get("county_rows") or []
        pool = {r["period"]: r["limit_yuan"] for r in rows} if rows else None
        return cls(
            name=data["county"]["name"],
            path=data["county"]["path"],
            overrides=data["county"].get("overrides", []),
            status=data["status"],
            termination=data["termination"],
            objective=data["objective"],
            objective_bound=data.get("objective_bound"),
            mip_gap=data.get("mip_gap"),
            method=data.get("method", ""),
            townships=townships,
            pool=pool,
            allocations={t["id"]: t.get("allocation_yuan", {}) for t in data["townships"]},
            coordination=data.get("coordination", {}),
            options=data.get("solver", {}).get("options", {}),
            status_note=data.get("status_note", ""),
            status_note_zh=data.get("status_note_zh", ""),
            verification=data.get("verification"),
            targets=pd.DataFrame(data.get("county_targets") or [], columns=TARGET_COLUMNS),
            solve_time_s=_run_time(folder / "run.json"),
        )


def _run_time(path: Path) -> float:
    """The solve time recorded in a county plan folder's run.json (0 when it has none)."""
    try:
        return float(json.loads(path.read_text(encoding="utf-8")).get("solve_time_s", 0.0))
    except (OSError, ValueError, TypeError, AttributeError):
        return 0.0


def is_county_plan(path: str | Path) -> bool:
    p = Path(path)
    f = p / "plan.json" if p.is_dir() else p
    try:
        return json.loads(f.read_text(encoding="utf-8")).get("format") == COUNTY_FORMAT
    except (OSError, ValueError, AttributeError):
        return False


def _default(o: Any) -> Any:
    if hasattr(o, "item"):
        return o.item()
    if isinstance(o, float) and not math.isfinite(o):
        return None
    return str(o)
