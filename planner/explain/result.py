"""The explanation of a plan: one object with tidy tables, written as explanation.json
(format ``planner.explanation``) and one CSV per table beside the plan.

Tables (every money figure in Yuan, areas in ha, people in people):

- ``rules``: one row per binding constraint (or one with a price): ``family``, ``constraint``,
  ``rule`` (readable), ``where`` (the row in words), ``sense`` (``<=``, ``>=``, ``==``),
  ``unit``, ``slack``, ``binding``, ``shadow_price`` (Yuan/yr of objective per unit the
  rule is loosened; per unit increase for ``==``), ``price_unit``, ``decision_only`` (the
  row holds only fixed decisions: the LP cannot price it), ``loosen_by`` / ``tighten_by``
  (how far the limit moves before the plan's basis changes, in ``unit``), ``field``,
  ``statement``;
- ``rule_summary``: per constraint: rows, binding rows, priced rows, the largest price and
  where, ``statement``;
- ``options``: per village, use and the last period: ``status`` (``taken``; ``not taken``;
  ``held out``: no price brings it in while the plan's yes/no decisions stay; ``forbidden``
  by a rule), ``taken_ha``, ``parcels``, ``needs_yuan_per_ha_yr`` (how much more a
  hectare would have to be worth per year to enter, best parcel), ``best_parcel``,
  ``margin_yuan_per_ha_yr`` (for taken options: how much less a hectare could be worth
  before a parcel's allocation changes), ``forbidden_by``, ``statement``;
- ``importance``: per garden, project and village allocation taken (and the gardens and
  projects not taken): the objective change when it is forbidden (or forced), with the
  re-solve's status and gap;
- ``unit_prices``: per binding rule of whole units (role minimums and maximums, one garden
  in every village, street green spaces, required projects): the objective change when its
  limit is loosened and tightened by one person or unit, re-solved
  (:mod:`planner.explain.units`);
- ``parameters``: ranging of prices and coefficients by dotted instance path;
- ``diagnosis`` tables when the instance is infeasible (see :mod:`planner.explain.diagnose`).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from planner.core.cells import write_csv
from planner.core.files import write_text
from planner.core.values import json_value

EXPLANATION_FORMAT = "planner.explanation"
EXPLANATION_VERSION = "1.0"

LP_NOTE = (
    "Shadow prices, reduced costs and ranges are those of the LP with every yes/no and whole-number "
    "decision (gardens, projects, scenic spots, street green spaces, recruits, carbon applications) "
    "fixed at the plan's values: they price continuous changes around this plan, not a change of those "
    "decisions. What a discrete change costs is measured by re-solving (importance, why-not)."
)

TABLE_NAMES = (
    "rules",
    "rule_summary",
    "options",
    "importance",
    "unit_prices",
    "parameters",
    "relaxations",
    "conflicts",
)


def frame_records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: json_value(v) for k, v in row.items()} for row in df.to_dict(orient="records")]


@dataclass
class Explanation:
    instance_name: str
    plan_status: str
    plan_termination: str
    plan_mip_gap: float | None
    plan_objective: float | None  # Yuan/yr
    lp_status: str = ""  # status of the plan's fixed LP
    lp_objective: float | None = None  # Yuan/yr; equals plan_objective for an exact plan
    notes: list[str] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)

    def statements(self, table: str, n: int | None = None) -> list[str]:
        df = self.tables.get(table)
        if df is None or df.empty or "statement" not in df:
            return []
        s = df["statement"].dropna().tolist()
        return s if n is None else s[:n]

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": EXPLANATION_FORMAT,
            "version": EXPLANATION_VERSION,
            "instance": self.instance_name,
            "plan": {
                "status": self.plan_status,
                "termination": self.plan_termination,
                "mip_gap": json_value(self.plan_mip_gap),
                "objective": json_value(self.plan_objective),
            },
            "lp": {"status": self.lp_status, "objective": json_value(self.lp_objective)},
            "notes": self.notes,
            **{name: frame_records(df) for name, df in self.tables.items()},
        }

    def to_json(self, path: str | Path | None = None) -> str:
        text = json.dumps(self.to_dict(), indent=1, allow_nan=False, default=str)
        if path is not None:
            write_text(path, text)
        return text

    def write(self, out_dir: str | Path) -> Path:
        """Write explanation.json and one ``explain_<table>.csv`` per table into ``out_dir``."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        for name in TABLE_NAMES:
            (out / f"explain_{name}.csv").unlink(missing_ok=True)
        self.to_json(out / "explanation.json")
        for name, df in self.tables.items():
            write_csv(df, out / f"explain_{name}.csv")
        return out

    @classmethod
    def from_json(cls, path_or_text: str | Path) -> Explanation:
        p = Path(path_or_text) if not str(path_or_text).lstrip().startswith("{") else None
        if p is not None and p.is_dir():
            p = p / "explanation.json"
        data = json.loads(p.read_text(encoding="utf-8") if p else str(path_or_text))
        if data.get("format") != EXPLANATION_FORMAT:
            raise ValueError(f"not a planner explanation (format {data.get('format')!r})")
        ex = cls(
            instance_name=data["instance"],
            plan_status=data["plan"]["status"],
            plan_termination=data["plan"]["termination"],
            plan_mip_gap=data["plan"]["mip_gap"],
            plan_objective=data["plan"]["objective"],
            lp_status=data["lp"]["status"],
            lp_objective=data["lp"]["objective"],
            notes=data.get("notes", []),
        )
        ex.tables = {name: pd.DataFrame(data[name]) for name in TABLE_NAMES if name in data}
        return ex


def fmt(v: float | None, unit: str = "", digits: int = 3) -> str:
    """A number for a sentence: thousands separators, about ``digits`` significant digits."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "n/a"
    if isinstance(v, float) and math.isinf(v):
        return "no limit" if v > 0 else "no limit"
    a = abs(v)
    if a >= 10**digits or a == 0:
        s = f"{v:,.0f}"
    else:
        dec = max(digits - 1 - int(math.floor(math.log10(a))), 0)
        s = f"{v:,.{dec}f}"
    return f"{s} {unit}".strip()
