"""The parcel table: reading a CSV or Parquet table, mapping the file's column names to
planner fields (``parcels.columns``; a GIS layer's attributes go through the same
mapping, :mod:`planner.instance.gis`), and checking and converting every column into the
canonical table (areas in ha, true/false columns as booleans, ids and classes checked).

Every check is over whole columns, with messages for the first rows of each kind only,
so a broken table of a million rows answers in seconds.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from pathlib import Path

import numpy as np
import pandas as pd

from planner.core.cells import restore_frame
from planner.core.errors import MAX_PER_KIND, InputError, Problem, first_problems
from planner.core.units import AREA_UNITS_PER_HA
from planner.instance.land_classes import map_covers
from planner.instance.schema import (
    ECO_SPACE_TYPES,
    MAX_PARCEL_HA,
    PARCEL_COLUMNS,
    PARCEL_OPTIONAL_BOOL,
    PARCEL_OPTIONAL_TEXT,
    Instance,
    Library,
)


def to_bool(series: pd.Series, file: str, col: str, problems: list[Problem], ids: pd.Series, row=None) -> pd.Series:
    if series.dtype == bool:
        return series.astype(bool)
    # whole-column string operations (no fillna on a mixed or float column: pandas
    # deprecates its downcasting); True/False values read as "true"/"false"
    key = series.astype(object).astype(str).str.strip().str.lower()
    true = key.isin(("true", "1", "yes", "1.0")).to_numpy()
    bad = np.flatnonzero(~(true | key.isin(("false", "0", "no", "0.0")).to_numpy()))
    where = row or (lambda i: f"row {i + 2}")
    problems.extend(
        first_problems(
            bad,
            len(bad),
            lambda i: Problem(
                file,
                f"{where(i)} (parcel {ids.iloc[i]!r}), column {col}",
                "not a true/false value",
                "write true or false",
                series.iloc[i],
            ),
        )
    )
    return pd.Series(true, index=series.index, dtype=bool)


def _read_csv(path: Path) -> pd.DataFrame:
    """Read a CSV parcel table as strings (empty cells stay ""), refusing rows with more
    fields than the header (pandas would silently turn the first column into an index or
    drop the extra values)."""
    file = str(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError.one(
            file, "(file)", f"not UTF-8 text ({exc.reason} at byte {exc.start})", "save the table as UTF-8 CSV"
        ) from None
    except OSError as exc:
        raise InputError.one(
            file, "(file)", f"cannot be read: {exc.strerror or exc}", "check the file's permissions"
        ) from None
    if "\x00" in text:
        raise InputError.one(file, "(file)", "contains NUL bytes: not a text table", "save the table as UTF-8 CSV")
    # One pass over the rows, keeping none of them (a table may have millions): the
    # header, and the first rows with more values than it (all of them counted).
    header: list[str] | None = None
    long_rows: list[Problem] = []
    n_long = 0
    try:
        for line, row in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            if header is None:
                if any(c.strip() for c in row):
                    header, first = row, line
                continue
            if len(row) > len(header):
                n_long += 1
                if len(long_rows) < MAX_PER_KIND:
                    long_rows.append(
                        Problem(
                            file,
                            f"row {line - first + 1}",
                            f"{len(row)} values but the header has {len(header)} columns",
                            "remove the extra values (or quote a value that contains a comma)",
                            ",".join(row)[:200],
                        )
                    )
    except csv.Error as exc:
        raise InputError.one(
            file, "(file)", f"not a readable CSV table: {exc}", "check the quotes and commas"
        ) from None
    if header is None:
        raise InputError.one(
            file,
            "(file)",
            "the table is empty",
            f"write a header row ({', '.join(PARCEL_COLUMNS)}) and one row per parcel",
        )
    problems = []
    counts: dict[str, int] = {}
    for h in header:
        counts[h] = counts.get(h, 0) + 1
    for name in dict.fromkeys(h for h in header if h.strip() and counts[h] > 1):
        problems.append(
            Problem(
                file,
                f"column {name}",
                "column appears more than once in the header",
                "keep one column of each name",
                name,
            )
        )
    problems += long_rows
    if n_long > len(long_rows):
        problems.append(dataclasses.replace(long_rows[-1], value=None, more=n_long - len(long_rows)))
    if problems:
        raise InputError(problems)
    try:
        # the quote the planner puts before a formula-like cell (planner.core.cells) is not part of the value
        return restore_frame(
            pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, index_col=False, skip_blank_lines=True)
        )
    except Exception as exc:  # pandas raises many parser errors
        raise InputError.one(
            file, "(file)", f"cannot read the table: {exc}", "save it as CSV with a header row, or Parquet"
        ) from None


def read_table(path: Path, mapping: dict[str, str], inst_file: str) -> pd.DataFrame:
    """A CSV or Parquet parcel table as a frame under planner column names (``mapping``:
    ``parcels.columns``, applied by :func:`map_columns`)."""
    file = str(path)
    if path.suffix.lower() == ".parquet":
        try:
            df = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises many kinds of errors for a damaged file
            raise InputError.one(
                file, "(file)", f"cannot read the Parquet table: {exc}", "write it again, or give a CSV table"
            ) from None
    else:
        df = _read_csv(path)
    return map_columns(df, mapping, inst_file, file, "column")


def map_columns(df: pd.DataFrame, mapping: dict[str, str], inst_file: str, where: str, noun: str) -> pd.DataFrame:
    """Rename the table's columns to planner fields by ``parcels.columns`` (field -> the
    file's name); a mapped name the table lacks is an error naming the field. A column
    already named like a mapped field gives way to the mapped one."""
    absent = [(f, a) for f, a in mapping.items() if a not in df.columns]
    if absent:
        raise InputError(
            [
                Problem(
                    inst_file,
                    f"parcels.columns.{f}",
                    f"{noun} {a!r} is not in {where}",
                    f"map {f} to one of its {noun}s: {list(df.columns)}",
                    a,
                )
                for f, a in absent
            ]
        )
    clash = [c for c in df.columns if c in mapping and c not in mapping.values()]
    return df.drop(columns=clash).rename(columns={a: f for f, a in mapping.items()})


def load_parcels(
    path: Path,
    area_unit: str,
    inst: Instance,
    lib: Library,
    inst_file: str,
    table: pd.DataFrame,
    row_label=None,
) -> pd.DataFrame:
    """Check and convert the parcel table ``table`` read from ``path`` (under planner column
    names): areas in ha, true/false columns as booleans, every problem listed.
    ``row_label(i)`` names row i in messages (default: the CSV line, ``row i+2``)."""
    file = str(path)
    df = table
    shown = {f: f"{f} ({a})" for f, a in inst.parcels.columns.items()}
    row = row_label or (lambda i: f"row {i + 2}")
    problems: list[Problem] = []
    missing = [c for c in PARCEL_COLUMNS if c not in df.columns]
    if missing:
        raise InputError(
            [
                Problem(
                    file,
                    f"column {shown.get(c, c)}",
                    "required column missing",
                    PARCEL_COLUMNS[c]
                    + (f" Or map the file's name for it in parcels.columns.{c}." if c not in shown else ""),
                )
                for c in missing
            ]
        )
    if inst.parcels.cover_classes is not None:
        # survey land classes (codes, K codes, names) -> the library's covers; the class as
        # found is kept in land_class (unless the table has a column of that name)
        df = df.copy()
        df["cover"], found = map_covers(
            df["cover"], inst.parcels.cover_classes, lib, inst_file, file, shown.get("cover", "cover")
        )
        if "land_class" not in df.columns:
            df["land_class"] = found
    df = df.astype({c: str for c in ("id", "village", "cover", "eco_space", "ownership")})
    # Every check is over whole columns; messages are built for the first MAX_PER_KIND
    # rows of each kind only (first_problems), so a broken table of a million rows
    # answers in seconds.
    ids = df["id"].str.strip()
    df["id"] = ids
    empty = np.flatnonzero(((ids == "") | (ids.str.lower() == "nan")).to_numpy())
    problems += first_problems(
        empty,
        len(empty),
        lambda i: Problem(
            file, f"{row(i)}, column {shown.get('id', 'id')}", "empty parcel id", "give every parcel a unique id"
        ),
    )
    dup = ids[ids.duplicated() & (ids != "")].unique()
    problems += first_problems(
        range(len(dup)),
        len(dup),
        lambda k: Problem(file, "column id", "duplicate parcel id", "make parcel ids unique", dup[k]),
    )
    area = pd.to_numeric(df["area"], errors="coerce").astype(float)
    a = area.to_numpy()
    with np.errstate(invalid="ignore"):
        bad_area = np.flatnonzero(~(np.isfinite(a) & (a > 0)))
    problems += first_problems(
        bad_area,
        len(bad_area),
        lambda i: Problem(
            file,
            f"{row(i)} (parcel {ids.iloc[i]!r}), column {shown.get('area', 'area')}",
            "area must be a positive number",
            f"give the area in {area_unit}",
            df["area"].iloc[i],
        ),
    )
    with np.errstate(invalid="ignore"):
        huge = np.flatnonzero(np.isfinite(a) & (a / AREA_UNITS_PER_HA[area_unit] > MAX_PARCEL_HA))
    problems += first_problems(
        huge,
        len(huge),
        lambda i: Problem(
            file,
            f"{row(i)} (parcel {ids.iloc[i]!r}), column {shown.get('area', 'area')}",
            f"area larger than the land area of the Earth ({MAX_PARCEL_HA:.1e} ha)",
            f"give the area in {area_unit}",
            df["area"].iloc[i],
        ),
    )
    df["area_ha"] = area / AREA_UNITS_PER_HA[area_unit]
    villages = {v.id for v in inst.villages}
    for col, allowed, fix in (
        ("village", villages, f"use a village id from the instance: {sorted(villages)}"),
        ("cover", set(lib.covers), f"use a cover class of library {lib.name!r}: {sorted(lib.covers)}"),
        ("eco_space", set(ECO_SPACE_TYPES), f"use one of {list(ECO_SPACE_TYPES)}"),
        ("ownership", {"collective", "individual"}, "use collective or individual"),
    ):
        df[col] = df[col].str.strip()
        bad = np.flatnonzero((~df[col].isin(allowed)).to_numpy())
        problems += first_problems(
            bad,
            len(bad),
            lambda i: Problem(
                file,
                f"{row(i)} (parcel {ids.iloc[i]!r}), column {shown.get(col, col)}",
                f"unknown {col}",
                fix,
                df[col].iloc[i],
            ),
        )
    df["red_line"] = to_bool(df["red_line"], file, shown.get("red_line", "red_line"), problems, ids, row)
    for col in PARCEL_OPTIONAL_BOOL:
        if col in df.columns:
            df[col] = to_bool(df[col].replace("", "false"), file, shown.get(col, col), problems, ids, row)
        else:
            df[col] = False
    referenced = {pol.require_attribute for pol in inst.uses.values() if pol.require_attribute}
    referenced.add(inst.policies.scenic_require_attribute)
    for col in sorted(a for a in referenced if a and a in df.columns and a not in PARCEL_OPTIONAL_BOOL):
        df[col] = to_bool(df[col].replace("", "false"), file, shown.get(col, col), problems, ids, row)
    for col in PARCEL_OPTIONAL_TEXT:
        df[col] = (
            df[col].fillna("").astype(str).str.strip().replace({"nan": "", "None": ""}) if col in df.columns else ""
        )
    if problems:
        raise InputError(problems)
    known = {*PARCEL_COLUMNS, *PARCEL_OPTIONAL_BOOL, *PARCEL_OPTIONAL_TEXT, "area_ha"}
    extra = [c for c in df.columns if c not in known]
    df = df[
        [
            "id",
            "village",
            "area_ha",
            "cover",
            "red_line",
            "eco_space",
            "ownership",
            *PARCEL_OPTIONAL_BOOL,
            *PARCEL_OPTIONAL_TEXT,
            *extra,
        ]
    ]
    return df.reset_index(drop=True)
