"""The plan's tables as data: their names, key columns and column types, and the
fingerprint of the land a plan was made for.

Shared by :mod:`planner.plan.tables` (which builds the tables) and :mod:`planner.verify`
(which checks them); pandas and the standard library only, so the verifier stays
independent of the model.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

TABLES = (
    "allocations",
    "gardens",
    "street_green",
    "projects",
    "recruitment",
    "recruitment_groups",
    "carbon_applications",
    "finance",
    "gep",
    "dividends",
    "kpis",
    "loans",
    "targets",
)


@dataclass(frozen=True)
class TableSpec:
    """One plan table: ``keys`` identify a row (no two rows share them); ``text``,
    ``numbers`` and ``flags`` (true/false) are the columns every row must have, by type;
    ``nullable`` numbers may be empty; ``optional`` columns may be absent."""

    keys: tuple[str, ...]
    text: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    nullable: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.keys + self.text + self.numbers + self.flags))


SPECS: dict[str, TableSpec] = {
    "allocations": TableSpec(("parcel", "use", "period"), text=("village", "cover", "kind"), numbers=("area_ha",)),
    "gardens": TableSpec(
        ("village", "period"),
        numbers=("area_ha", "vegetated_ha", "vegetation_coverage"),
        flags=("built",),
        nullable=("vegetation_coverage",),
    ),
    "street_green": TableSpec(("period",), numbers=("count", "area_ha")),
    "projects": TableSpec(
        ("project", "period"),
        text=("name", "channel", "host_village"),
        numbers=("capex_yuan", "income_yuan_per_yr"),
        flags=("built", "newly_built"),
    ),
    "recruitment": TableSpec(("village", "role", "period"), numbers=("count",)),
    "recruitment_groups": TableSpec(("village", "role", "group", "period"), numbers=("count",)),
    "carbon_applications": TableSpec(
        ("parcel", "period"),
        text=("village", "holding"),
        numbers=("individual_ha", "collective_ha"),
        flags=("individual",),
        optional=("holding",),
    ),
    "finance": TableSpec(
        ("period",),
        numbers=(
            "budget_yuan",
            "loan_yuan",
            "interest_yuan_per_yr",
            "budget_used_yuan",
            "establishment_yuan",
            "project_capex_yuan",
            "wages_yuan",
            "debt_service_yuan",
        ),
        optional=("debt_service_yuan",),
    ),
    "gep": TableSpec(("village", "service", "period"), text=("category",), numbers=("gep_yuan",)),
    "dividends": TableSpec(("village", "recipient", "period"), numbers=("yuan_per_yr",), flags=("counts_as_dividend",)),
    "kpis": TableSpec(
        ("period",),
        numbers=(
            "gep_yuan",
            "forestry_carbon_income_yuan",
            "agricultural_carbon_income_yuan",
            "dividends_yuan",
            "budget_used_yuan",
            "budget_yuan",
            "afforested_ha",
            "forest_ha",
            "vegetation_coverage",
            "forest_coverage",
            "ecological_space_ha",
            "gardens_built",
            "projects_built",
            "recruited_people",
        ),
    ),
    "loans": TableSpec(
        ("loan", "period"),
        numbers=("principal_yuan", "interest_yuan", "repaid_yuan", "outstanding_yuan", "paid_off_year"),
    ),
    "targets": TableSpec(
        ("target",),
        text=("kpi", "period", "village", "service", "label"),
        numbers=("min", "max", "value"),
        flags=("required", "met"),
        nullable=("min", "max"),
    ),
}
assert tuple(SPECS) == TABLES


def land_fingerprint(parcels: pd.DataFrame) -> str:
    """``sha256:<hex>`` of the land a plan is made for: each parcel's id, village, cover and
    area (ha, to 1e-6), in id order. The rules, prices and budgets (what ``--scenario`` and
    ``--set`` change) are not part of it, so a plan can be checked against other rules but
    not against other land."""
    ids = parcels["id"].astype(str).to_numpy(dtype=object)
    order = np.argsort(ids, kind="stable")
    h = hashlib.sha256()
    for col in ("id", "village", "cover"):
        vals = parcels[col].astype(str).to_numpy(dtype=object)[order]
        h.update(("\x1f".join(vals.tolist()) + "\x1e").encode("utf-8"))
    area = np.rint(parcels["area_ha"].to_numpy(dtype=float)[order] * 1e6).astype("<i8")
    h.update(area.tobytes())
    return "sha256:" + h.hexdigest()


__all__ = ["TABLES", "TableSpec", "SPECS", "land_fingerprint"]
