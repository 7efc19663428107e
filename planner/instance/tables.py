"""The parcel table: reading a CSV, Excel or Parquet table, mapping the file's column names
to planner fields (``parcels.columns``; a GIS layer's attributes go through the same
mapping, :mod:`planner.instance.gis`), and checking and converting every column into the
canonical table (areas in ha, true/false columns as booleans, ids and classes checked).

What planners save from Excel on Chinese Windows is read as it is: a CSV in UTF-8 (with
or without the byte-order mark) or in GBK/GB18030 (:data:`CSV_ENCODINGS`); an ``.xlsx``
workbook (``parcels.sheet``), its cells read as the text Excel shows so the same checks
apply; ``是``/``否`` for true/false (:data:`TRUE_WORDS`); numbers with thousands
separators (``1,113.66``), while a decimal comma (``1,5``) is refused with the reason
(:func:`to_numbers`).

Every check is over whole columns, with messages for the first rows of each kind only,
so a broken table of a million rows answers in seconds.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime
import io
import math
from collections.abc import Callable
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

#: The cell texts read as true and as false (after trimming spaces, any case). 是/否 are
#: what Chinese registries and forms write for yes/no; Excel's TRUE/FALSE and 0/1 columns
#: read as true/false and 1/0.
TRUE_WORDS = ("true", "1", "yes", "1.0", "是")
FALSE_WORDS = ("false", "0", "no", "0.0", "否")


def to_bool(series: pd.Series, file: str, col: str, problems: list[Problem], ids: pd.Series, row=None) -> pd.Series:
    if series.dtype == bool:
        return series.astype(bool)
    # whole-column string operations (no fillna on a mixed or float column: pandas
    # deprecates its downcasting); True/False values read as "true"/"false"
    key = series.astype(object).astype(str).str.strip().str.lower()
    true = key.isin(TRUE_WORDS).to_numpy()
    bad = np.flatnonzero(~(true | key.isin(FALSE_WORDS).to_numpy()))
    where = row or (lambda i: f"row {i + 2}")
    problems.extend(
        first_problems(
            bad,
            len(bad),
            lambda i: Problem(
                file,
                f"{where(i)} (parcel {ids.iloc[i]!r}), column {col}",
                "not a true/false value",
                "write true or false (or 是 or 否)",
                series.iloc[i],
            ),
        )
    )
    return pd.Series(true, index=series.index, dtype=bool)


# A number as a spreadsheet shows it with thousands separators: 1,113.66, 12,345, -1,000.5.
_GROUPED = r"[+-]?\d{1,3}(?:,\d{3})+"
_GROUPED_POINT = _GROUPED + r"\.\d*"
# A decimal comma: 1,5 / 0,25 / ,5 (one comma, digits after it) and 1.113,66 (points
# grouping thousands, a comma before the decimals).
_DECIMAL_COMMA = r"[+-]?\d*,\d+|[+-]?\d{1,3}(?:\.\d{3})+,\d+"


def to_numbers(series: pd.Series) -> tuple[pd.Series, dict[int, tuple[str, str]]]:
    """The cells of ``series`` as floats (NaN where a cell is not a number), and the cells
    a comma makes ambiguous: position -> (what is wrong, what to write).

    Text with thousands separators in groups of three is read without them (``1,113.66``
    is 1113.66: a spreadsheet's display of the number). A comma that can only be a decimal
    separator (``1,5``, ``0,25``, ``1.113,66``) is refused with the number written with a
    point. When any cell of the column has a decimal comma, the cells grouped in threes
    without a point (``1,113``) are refused too: in such a column they may be 1.113."""
    refused: dict[int, tuple[str, str]] = {}
    if series.dtype != object and not pd.api.types.is_string_dtype(series):
        return pd.to_numeric(series, errors="coerce").astype(float), refused
    text = series.astype(object).astype(str).str.strip()
    comma = text.str.contains(",", regex=False).to_numpy(dtype=bool)
    if not comma.any():
        return pd.to_numeric(text, errors="coerce").astype(float), refused
    grouped = comma & text.str.fullmatch(_GROUPED).to_numpy(dtype=bool)
    grouped_point = comma & text.str.fullmatch(_GROUPED_POINT).to_numpy(dtype=bool)
    decimal = comma & text.str.fullmatch(_DECIMAL_COMMA).to_numpy(dtype=bool) & ~grouped
    ok = grouped_point | (grouped & (not decimal.any()))
    read = text.where(~comma, "").where(~ok, text.str.replace(",", "", regex=False))
    separators = " (the decimal separator is a point; commas may only group thousands, as in 1,113.66)"
    for i in np.flatnonzero(decimal):
        t = text.iloc[i]
        refused[int(i)] = ("a comma decimal separator?", f"write {t.replace('.', '').replace(',', '.')}" + separators)
    if decimal.any():
        for i in np.flatnonzero(grouped):
            t = text.iloc[i]
            refused[int(i)] = (
                "a thousands separator or a decimal comma? other cells of this column have a decimal comma",
                f"write {t.replace(',', '')} or {t.replace(',', '.')}" + separators,
            )
    return pd.to_numeric(read, errors="coerce").astype(float), refused


#: Encodings a CSV table is read in, tried in this order: UTF-8 (Excel's "CSV UTF-8"
#: starts the file with a byte-order mark, which is dropped), then GB18030, a superset of
#: GBK and GB2312: what Excel writes as "CSV (逗号分隔)" on Chinese Windows. UTF-8 goes
#: first because a UTF-8 file almost never decodes as GBK would, while GB18030 decodes
#: nearly any bytes.
CSV_ENCODINGS = ("utf-8-sig", "gb18030")
_ENCODING_NAMES = {"utf-8-sig": "UTF-8", "gb18030": "GB18030 (GBK)"}
SAVE_AS_UTF8 = 'save the table as "CSV UTF-8" (Excel: File > Save As > CSV UTF-8 (Comma delimited) (*.csv))'


def decode_table(data: bytes, file: str) -> str:
    """The text of a CSV table's bytes, in the first of :data:`CSV_ENCODINGS` that decodes
    them; else an input error naming the file and the encodings tried."""
    if data.startswith(b"PK\x03\x04"):
        raise InputError.one(
            file,
            "(file)",
            "a zip file (an Excel .xlsx workbook?) under a CSV name, not a CSV table",
            "rename it to .xlsx, or " + SAVE_AS_UTF8,
        )
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError.one(
            file,
            "(file)",
            "an Excel 97-2003 workbook (.xls) under a CSV name, not a CSV table",
            "save it in Excel as Excel Workbook (.xlsx), or " + SAVE_AS_UTF8,
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError.one(file, "(file)", 'UTF-16 text (Excel\'s "Unicode Text"), not a CSV table', SAVE_AS_UTF8)
    failed = []
    for encoding in CSV_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as exc:
            failed.append(f"{_ENCODING_NAMES[encoding]}: {exc.reason} at byte {exc.start}")
    raise InputError.one(
        file,
        "(file)",
        f"not text in any encoding tried ({'; '.join(failed)})",
        SAVE_AS_UTF8,
    )


def _read_csv(path: Path) -> pd.DataFrame:
    """Read a CSV parcel table as strings (empty cells stay ""), refusing rows with more
    fields than the header (pandas would silently turn the first column into an index or
    drop the extra values)."""
    file = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError.one(
            file, "(file)", f"cannot be read: {exc.strerror or exc}", "check the file's permissions"
        ) from None
    text = decode_table(data, file)
    if "\x00" in text:
        raise InputError.one(file, "(file)", "contains NUL bytes: not a text table", SAVE_AS_UTF8)
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


#: Excel workbooks read with openpyxl; .xls (Excel 97-2003) is refused with the fix.
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
#: Significant digits of an Excel number: Excel keeps and shows 15, and a cell typed as
#: 16.87 is stored as 16.870000000000001 or, from a formula, may carry binary noise in
#: the 16th and 17th digits (3.3000000000000003); read to 15 it is the number shown.
EXCEL_DIGITS = 15


def is_excel(path: Path) -> bool:
    return path.suffix.lower() in EXCEL_SUFFIXES


def excel_text(value: object) -> str:
    """An Excel cell as the text a CSV saved from the sheet would hold: numbers to 15
    significant digits (:data:`EXCEL_DIGITS`), whole numbers without a decimal point (a
    parcel id 1001, not 1001.0), TRUE/FALSE as true/false, an empty cell as ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        if value == int(value) and abs(value) < 10**EXCEL_DIGITS:
            return str(int(value))
        return f"{value:.{EXCEL_DIGITS}g}"
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def _column_letter(k: int) -> str:
    """Excel's name of the ``k``-th column (0-based): A, B, ..., Z, AA, ..."""
    name = ""
    k += 1
    while k:
        k, r = divmod(k - 1, 26)
        name = chr(ord("A") + r) + name
    return name


def _read_excel(path: Path, sheet: str | int | None, inst_file: str) -> tuple[pd.DataFrame, Callable[[int], str]]:
    """A sheet of an Excel workbook as a table of text cells (:func:`excel_text`) and the
    label of each row in messages: the sheet and Excel's row number (the header is row 1
    when it is the first row). Empty rows are skipped, as in a CSV table."""
    import openpyxl  # only for workbooks: the CLI starts without it

    file = str(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - zipfile, XML and openpyxl errors alike
        raise InputError.one(
            file,
            "(file)",
            f"cannot be read as an Excel workbook: {exc}",
            "open it in Excel and save it again as Excel Workbook (.xlsx), or " + SAVE_AS_UTF8,
        ) from None
    name = ""
    try:
        names = list(book.sheetnames)
        if sheet is None:
            name = names[0]
        elif isinstance(sheet, int):
            if sheet > len(names):
                raise InputError.one(
                    inst_file,
                    "parcels.sheet",
                    f"{file} has {len(names)} sheet{'s' if len(names) != 1 else ''}, so there is no sheet {sheet}",
                    f"give a position from 1 to {len(names)}, or a sheet's name: {names}",
                    sheet,
                )
            name = names[sheet - 1]
        elif sheet in names:
            name = sheet
        else:
            raise InputError.one(
                inst_file,
                "parcels.sheet",
                f"sheet {sheet!r} is not in {file}",
                f"use one of its sheets: {names}",
                sheet,
            )
        ws = book[name]
        if not hasattr(ws, "iter_rows"):
            raise InputError.one(
                inst_file if sheet is not None else file,
                "parcels.sheet" if sheet is not None else f"sheet {name!r}",
                f"sheet {name!r} of {file} is a chart, not a table",
                f"name the sheet that holds the parcel table in parcels.sheet (the sheets: {names})",
                sheet,
            )
        header: list[str] | None = None
        rows: list[list[str]] = []
        numbers: list[int] = []
        for number, cells in enumerate(ws.iter_rows(values_only=True), start=1):
            texts = [excel_text(v) for v in cells]
            if not any(t.strip() for t in texts):
                continue
            if header is None:
                header = texts
            else:
                rows.append(texts)
                numbers.append(number)
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - a damaged sheet
        raise InputError.one(
            file,
            f"sheet {name!r}" if name else "(file)",
            f"cannot be read: {exc}",
            "open it in Excel and save it again as .xlsx",
        ) from None
    finally:
        book.close()
    where = f"sheet {name!r}"
    if header is None:
        raise InputError.one(
            file,
            where,
            "the sheet is empty",
            f"write a header row ({', '.join(PARCEL_COLUMNS)}) and one row per parcel"
            + (f", or name the sheet that holds them in parcels.sheet (the sheets: {names})" if len(names) > 1 else ""),
        )
    width = max([len(header), *(len(r) for r in rows)])
    header += [""] * (width - len(header))
    # a column without a header is kept under its letter when it holds values; a blank
    # one (a formatted but empty column) is dropped
    keep = [k for k in range(width) if header[k].strip() or any(k < len(r) and r[k].strip() for r in rows)]
    names_out = [header[k] if header[k].strip() else f"({_column_letter(k)})" for k in keep]
    counts: dict[str, int] = {}
    for h in names_out:
        counts[h] = counts.get(h, 0) + 1
    dup = [h for h in dict.fromkeys(names_out) if counts[h] > 1]
    if dup:
        raise InputError(
            [
                Problem(
                    file,
                    f"{where}, column {h}",
                    "column appears more than once in the header",
                    "keep one column of each name",
                    h,
                )
                for h in dup
            ]
        )
    frame = pd.DataFrame(
        [[r[k] if k < len(r) else "" for k in keep] for r in rows], columns=pd.Index(names_out), dtype=object
    )
    return frame, lambda i: f"{where}, row {numbers[i]}"


def read_table(
    path: Path, mapping: dict[str, str], inst_file: str, sheet: str | int | None = None
) -> tuple[pd.DataFrame, Callable[[int], str] | None]:
    """A CSV, Excel or Parquet parcel table as a frame under planner column names
    (``mapping``: ``parcels.columns``, applied by :func:`map_columns`), and how messages
    name its row i (None: the CSV line, ``row i+2``; a sheet's row for a workbook)."""
    file = str(path)
    suffix = path.suffix.lower()
    row_label: Callable[[int], str] | None = None
    if sheet is not None and not is_excel(path):
        raise InputError.one(
            inst_file,
            "parcels.sheet",
            f"only Excel workbooks (.xlsx) have sheets, and {file} is not one",
            "remove parcels.sheet",
            sheet,
        )
    if suffix == ".xls":
        raise InputError.one(
            file,
            "(file)",
            "an Excel 97-2003 workbook (.xls) cannot be read",
            "save it in Excel as Excel Workbook (.xlsx) and name that file in parcels.file, or " + SAVE_AS_UTF8,
        )
    if suffix == ".parquet":
        try:
            df = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises many kinds of errors for a damaged file
            raise InputError.one(
                file, "(file)", f"cannot read the Parquet table: {exc}", "write it again, or give a CSV table"
            ) from None
    elif is_excel(path):
        df, row_label = _read_excel(path, sheet, inst_file)
    else:
        df = _read_csv(path)
    return map_columns(df, mapping, inst_file, file, "column"), row_label


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
    area, refused = to_numbers(df["area"])
    a = area.to_numpy()
    for kind in dict.fromkeys(m for m, _ in refused.values()):
        at = [i for i, (m, _) in refused.items() if m == kind]
        problems += first_problems(
            at,
            len(at),
            lambda i: Problem(
                file,
                f"{row(i)} (parcel {ids.iloc[i]!r}), column {shown.get('area', 'area')}",
                refused[i][0],
                refused[i][1],
                df["area"].iloc[i],
            ),
        )
    with np.errstate(invalid="ignore"):
        bad_area = np.flatnonzero(~(np.isfinite(a) & (a > 0)) & ~np.isin(np.arange(len(a)), list(refused)))
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
