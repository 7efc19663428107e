"""Exact aggregation of interchangeable parcels into land units, and the split back.

Two parcels are interchangeable for the continuous land decisions when every rule sees
them alike: same village, cover, red line, ecological-space type, ownership, siting
attributes and every other column of the parcel table except ``id`` and the area. Every
coefficient the model puts on a parcel's hectares comes from these columns (the cover's
and the use's per-hectare figures, the bans, the recipients), so the model of a merged
unit of area A = sum of its parcels' areas is the parcel-level model summed over them:

- a parcel-level plan summed over each unit is a unit plan with the same objective;
- a unit plan split to its parcels in proportion to area (x_p = x_unit * a_p / A) keeps
  every parcel's rows (each use within its area, areas used at most once, decisions
  accumulating over periods, the bans) and every sum, so it is a parcel plan with the
  same objective.

So the optimum is unchanged, and the plan is reported per parcel
(:meth:`Aggregation.split`). Decisions that need a parcel's identity keep it: the parcel
stays its own unit when

- it can be turned into a scenic spot (a yes/no decision on the whole parcel, with a size
  threshold: ``policies.scenic_min_parcel_ha``);
- it is individually owned and at least ``policies.individual_carbon_min_ha`` (the
  villager's individual carbon application, on the parcel's own arbor forest);
- a caller names it (``keep``: e.g. a counterfactual that forces one parcel's use).

A merged unit carries ``parcel_max_ha``, its largest parcel, for the rules with a
per-parcel size threshold (who receives the carbon income of small individual woodlots);
on a merged unit it is below every such threshold by construction.

Merged units are named after their first parcel in the parcel table: ``"DSX003+36"`` is
parcel DSX003 and 36 parcels like it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

AREA = "area_ha"
NOT_KEYS = ("id", AREA)


@dataclass(frozen=True)
class Aggregation:
    """Land units (``units``: a parcel table with one row per unit, ``n_parcels`` and
    ``parcel_max_ha`` added) and the parcels of every merged unit (``members``: parcel,
    unit, share of the unit's area). Units that are one parcel keep its id and are not in
    ``members``."""

    units: pd.DataFrame
    members: pd.DataFrame

    @property
    def merged(self) -> bool:
        return len(self.members) > 0

    def split(self, alloc: pd.DataFrame, column: str = "parcel", values: Iterable[str] = ("area_ha",)) -> pd.DataFrame:
        """A table per unit (unit ids in ``column``) as a table per parcel: each row of a
        merged unit becomes one row per member parcel, ``values`` multiplied by the
        parcel's share of the unit's area; rows of one-parcel units are unchanged."""
        if not self.merged or alloc.empty:
            return alloc
        values = list(values)
        is_merged = alloc[column].isin(self.members["unit"].unique())
        keep = alloc[~is_merged]
        part = alloc[is_merged].merge(self.members, left_on=column, right_on="unit", how="inner", suffixes=("", "_m"))
        for v in values:
            part[v] = part[v].to_numpy(dtype=float) * part["share"].to_numpy(dtype=float)
        part[column] = part["parcel" if column != "parcel" else "parcel_m"]
        part = part[list(alloc.columns)]
        return pd.concat([keep, part], ignore_index=True)


def identity_needed(
    parcels: pd.DataFrame, scenic_covers: Iterable[str], individual_min_ha: float, keep: Iterable[str] = ()
) -> np.ndarray:
    """Which parcels must stay their own land unit (see the module docstring)."""
    own = parcels["ownership"].astype(str).to_numpy() == "individual"
    big = parcels[AREA].to_numpy(dtype=float) >= individual_min_ha
    need = (own & big) | parcels["cover"].isin(list(scenic_covers)).to_numpy()
    keep = set(keep)
    if keep:
        need |= parcels["id"].isin(keep).to_numpy()
    return need


def aggregate(parcels: pd.DataFrame, identity: np.ndarray) -> Aggregation:
    """Merge the parcels not flagged in ``identity`` by every column but id and area."""
    df = parcels.reset_index(drop=True)
    keys = [c for c in df.columns if c not in NOT_KEYS]
    # one group number per distinct key (NaN is a value of its own); identity parcels get their own
    codes = df.groupby(keys, sort=False, dropna=False).ngroup().to_numpy().astype(np.int64)
    n_groups = int(codes.max()) + 1 if len(codes) else 0
    codes = np.where(identity, n_groups + np.arange(len(df)), codes)
    _, first, inverse, counts = np.unique(codes, return_index=True, return_inverse=True, return_counts=True)
    area = df[AREA].to_numpy(dtype=float)
    unit_area = np.bincount(inverse, weights=area)
    unit_max = np.zeros(len(first))
    np.maximum.at(unit_max, inverse, area)
    order = np.argsort(first, kind="stable")  # units in the parcel table's order
    first_ids = df["id"].to_numpy()[first]
    n = counts
    names = np.where(n == 1, first_ids, np.char.add(np.char.add(first_ids.astype(str), "+"), (n - 1).astype(str)))
    taken = set(df["id"].tolist())
    clash = [nm for nm, k in zip(names, n) if k > 1 and nm in taken]
    if clash:  # a parcel table that already uses 'ID+N' ids: fall back to a prefix no id has
        names = np.where(n == 1, first_ids, np.char.add("~", names.astype(str)))
    units = df.iloc[first].copy()
    units["id"] = names
    units[AREA] = unit_area
    units["n_parcels"] = n
    units["parcel_max_ha"] = unit_max
    units = units.iloc[order].reset_index(drop=True)
    multi = n[inverse] > 1
    members = pd.DataFrame(
        {
            "parcel": df["id"].to_numpy()[multi],
            "unit": names[inverse][multi],
            "share": area[multi] / unit_area[inverse][multi],
        }
    )
    return Aggregation(units=units, members=members)


def no_aggregation(parcels: pd.DataFrame) -> Aggregation:
    units = parcels.reset_index(drop=True).copy()
    units["n_parcels"] = 1
    units["parcel_max_ha"] = units[AREA].astype(float)
    return Aggregation(units=units, members=pd.DataFrame({"parcel": [], "unit": [], "share": []}))
