"""Per-parcel physical quantities of ecosystem services (``parcels.quantities``).

A parcel table or GIS layer may carry each parcel's own quantity of a service of a
``method: quantity_price`` library, e.g. InVEST outputs joined to the parcels (water
yield, sediment retention, carbon). :func:`read_parcel_quantities` reads the mapped
columns after the table is read, checks them and adds one canonical column per service,
``quantity_<service>_per_ha`` (float, per ha per yr in the service's unit; NaN where the
cell is empty).

How they apply: a parcel's quantity replaces the library's quantity of the parcel's
*current cover*, for the land left under that cover. Land put to a use takes the use's
quantities from the library (the parcel's measurement describes the cover it was made
on, not the forest or garden that replaces it). An empty cell keeps the cover's quantity.
The value is quantity x the service's price, then scaled as every GEP value of the
library is (``regional_scale``, ``prices.gep_scale``, ``prices.gep_multipliers`` of the
cover, the period's ``gep_price_index``).

:func:`cover_values` gives, for each row of a parcel table (or of the model's merged land
units, which keep these columns), the per-hectare value of its current cover by
service, for the model and, independently of it, the verifier.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from planner.core.errors import InputError, Problem, first_problems
from planner.instance.schema import Instance, Library


def quantity_column(service: str) -> str:
    """The canonical column of a service's per-parcel quantity (per ha per yr)."""
    return f"quantity_{service}_per_ha"


def read_parcel_quantities(
    parcels: pd.DataFrame,
    inst: Instance,
    lib: Library,
    inst_file: str,
    table_file: str,
    row_label: Callable[[int], str] | None = None,
) -> pd.DataFrame:
    """``parcels`` (the canonical parcel table, areas in ha) with a
    ``quantity_<service>_per_ha`` column for every service of ``parcels.quantities``.
    Raises :class:`InputError` naming the instance field or the table's row and column."""
    spec = inst.parcels.quantities
    if not spec:
        return parcels
    row = row_label or (lambda i: f"row {i + 2}")
    if lib.method != "quantity_price":
        raise InputError.one(
            inst_file,
            "parcels.quantities",
            f"per-parcel quantities need a valuation library with method: quantity_price; {lib.name!r} uses "
            f"{lib.method}",
            "set `valuation` to a quantity_price library (e.g. gep_national), or remove parcels.quantities",
            inst.valuation,
        )
    units = {s.id: s.unit for s in lib.services}
    renamed = {a: f for f, a in inst.parcels.columns.items()}  # the file's name -> the planner field
    problems: list[Problem] = []
    found: dict[str, tuple[str, str]] = {}
    for sid, q in spec.items():
        if sid not in units:
            problems.append(
                Problem(
                    inst_file,
                    f"parcels.quantities.{sid}",
                    "unknown service",
                    f"use a service of library {lib.name!r}: {sorted(units)}",
                    sid,
                )
            )
            continue
        col = renamed.get(q.column, q.column)
        if col not in parcels.columns:
            problems.append(
                Problem(
                    inst_file,
                    f"parcels.quantities.{sid}.column",
                    f"column {q.column!r} is not in {table_file}",
                    f"name one of its columns: {[c for c in parcels.columns if c != 'area_ha']}",
                    q.column,
                )
            )
            continue
        found[sid] = (col, q.per)
    if problems:
        raise InputError(problems)
    out = parcels.copy()
    ids = out["id"].astype(str)
    area = out["area_ha"].to_numpy(dtype=float)
    for sid, (col, per) in found.items():
        raw = out[col]
        text = raw.astype(object).where(raw.notna(), "").astype(str).str.strip()
        blank = text.isin(("", "nan", "None", "NaN")).to_numpy()
        # numbers as the GIS layer holds them, or as the CSV's text (spaces around them allowed)
        num = pd.to_numeric(text.where(~blank, np.nan), errors="coerce").to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            bad = np.flatnonzero(~blank & ~(np.isfinite(num) & (num >= 0)))
        unit = units[sid] or "unit"
        problems += first_problems(
            bad,
            len(bad),
            lambda i: Problem(
                table_file,
                f"{row(i)} (parcel {ids.iloc[i]!r}), column {col}",
                f"{sid} quantity must be a number >= 0",
                f"give the {sid} in {unit} per {'parcel' if per == 'parcel' else 'ha'} per yr, or leave the cell "
                "empty to keep the cover's quantity",
                raw.iloc[i],
            ),
        )
        per_ha = num / area if per == "parcel" else num
        out[quantity_column(sid)] = np.where(blank, np.nan, per_ha)
    if problems:
        raise InputError(problems)
    return out


def cover_values(frame: pd.DataFrame, lib: Library) -> pd.DataFrame | None:
    """Per row of ``frame`` (with ``cover`` and any ``quantity_<service>_per_ha``
    columns) and service of ``lib`` (columns, in the library's order): the value per ha
    of the row's current cover in the library's canonical unit (Yuan/ha/yr for a
    quantity_price library, before ``regional_scale`` and the instance's GEP scales): the
    row's own quantity x price where it has one, else the cover's value. None when
    ``frame`` has no per-parcel quantities (every row is then worth its cover's value)."""
    services = [s.id for s in lib.services]
    cols = {s: quantity_column(s) for s in services if quantity_column(s) in frame.columns}
    if not cols:
        return None
    price = {s.id: float(s.price_yuan_per_unit or 0.0) for s in lib.services}
    codes, covers = pd.factorize(frame["cover"])
    table = np.array(
        [[float(lib.covers[c].equivalents.get(s, 0.0)) for s in services] for c in covers], dtype=float
    ).reshape(len(covers), len(services))
    vals = table[codes] if len(frame) else np.zeros((0, len(services)))
    for s, col in cols.items():
        q = frame[col].to_numpy(dtype=float)
        own = ~np.isnan(q)
        j = services.index(s)
        vals[own, j] = q[own] * price[s]
    return pd.DataFrame(vals, index=frame.index, columns=services)
