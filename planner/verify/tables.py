"""What ``planner verify`` checks before the rules: that the plan is the instance's, that
each table's rows are well formed, and that the CSV tables beside plan.json say what
plan.json says.

The rule is simple: **plan.json is the record, and every CSV table beside it must equal
the plan.json table of the same name** (same columns; the same rows, matched by their key
columns, in any order; the same values, numbers to 1e-9 absolute or relative). A
spreadsheet edit of allocations.csv is therefore reported, naming the file, the row (as a
spreadsheet numbers it: the header is row 1), the column and both values; it is never
taken as the plan. Text cells are read back through :func:`planner.core.cells.restore`, so the
quote the planner put before a formula-like id is not a difference.

pandas and the standard library only (no model), like :mod:`planner.verify`.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from planner.core.cells import restore_frame
from planner.core.plan_format import SPECS, TABLES, land_fingerprint
from planner.instance.schema import RECIPIENTS, LabourPool

#: Violations of one kind listed per table before the rest are counted in one line.
CAP = 50
CSV_REL = 1e-9  # CSV numbers against plan.json: 1e-9, absolute below 1, relative above


def instance_mismatch(plan, li) -> str | None:
    """Why ``plan`` was not made for the loaded instance ``li`` (another instance name, or
    other land than the fingerprint recorded in plan.json), or None."""
    name = li.instance.name
    if plan.instance_name != name:
        return (
            f"the plan was made for instance {plan.instance_name!r} ({plan.instance_path}), "
            f"not for {name!r} ({li.path})"
        )
    fp = getattr(plan, "instance_fingerprint", None)
    if fp:
        here = land_fingerprint(li.parcels)
        if fp != here:
            return (
                f"the plan was made for other land than the parcel table of {li.path} (parcel ids, villages, "
                f"covers or areas differ: fingerprint {fp[:19]}... in the plan, {here[:19]}... here)"
            )
    return None


class Capped:
    """Calls ``bad(rule, where, message, value, limit)`` for the first :data:`CAP`
    violations of each group and counts the others; :meth:`close` reports the counts."""

    def __init__(self, bad: Callable[..., None]) -> None:
        self._bad = bad
        self.seen: dict[tuple[str, str], int] = {}

    def __call__(self, group: tuple[str, str], where: str, message: str, value: Any = None, limit: Any = None) -> None:
        n = self.seen.get(group, 0) + 1
        self.seen[group] = n
        if n <= CAP:
            self._bad(group[0], where, message, value, limit)

    def close(self) -> None:
        for (rule, what), n in self.seen.items():
            if n > CAP:
                self._bad(rule, what, f"{n - CAP} more of these ({n} in all) not listed")
        self.seen.clear()


def _num(v: Any) -> float | None:
    """A finite float for a numeric cell, None for anything else (text, bool, NaN, inf)."""
    if isinstance(v, (bool, np.bool_)) or v is None:
        return None
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def _is_null(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA or v is pd.NaT


def _text(v: Any) -> str:
    """A cell as text, as a CSV would hold it."""
    if _is_null(v):
        return ""
    if isinstance(v, (bool, np.bool_)):
        return "True" if v else "False"
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v)


def _show(v: Any, csv: bool = False) -> str:
    """A cell for a message: numbers as they are (also a CSV cell holding one), text
    quoted, a missing value as (empty)."""
    if _is_null(v) or (isinstance(v, str) and v.strip() == ""):
        return "(empty)"
    if isinstance(v, str):
        return v.strip() if csv and _num(v) is not None else repr(v)
    return str(v)


def _flag(v: Any) -> bool | None:
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v in (0, 1):
        return bool(v)
    if isinstance(v, str) and v.strip().lower() in ("true", "false"):
        return v.strip().lower() == "true"
    return None


def _key_label(spec, row: dict[str, Any]) -> str:
    return ", ".join(f"{k} {_text(row.get(k))}" for k in spec.keys)


def known_ids(li) -> dict[str, pd.Index]:
    """The ids a plan may name, by column (each an index of unique strings, for hash lookups)."""
    inst, lib = li.instance, li.library

    def index(*parts) -> pd.Index:
        vals = np.concatenate([np.asarray(p, dtype=object) for p in parts]) if parts else np.zeros(0, dtype=object)
        return pd.Index(pd.unique(vals), dtype=object)

    par = li.parcels
    return {
        "parcel": index(par["id"].astype(str).to_numpy(dtype=object)),
        "use": index(list(lib.uses)),
        "period": index([p.id for p in inst.periods]),
        "village": index([v.id for v in inst.villages], par["village"].astype(str).to_numpy(dtype=object)),
        "role": index([r.id for r in inst.roles]),
        "group": index(list(LabourPool.model_fields)),
        "project": index([j.id for j in inst.projects]),
        "service": index([s.id for s in lib.services], [f"project:{j.id}" for j in inst.projects]),
        "recipient": index(list(RECIPIENTS)),
        "loan": index([p.id for p in inst.periods]),  # a loan is named by the period it is drawn in
        "target": index([tg.id if tg.id else str(i) for i, tg in enumerate(inst.targets)]),
    }


#: Which key columns are checked against which id set, per table (the village of an
#: allocation or carbon application is the parcel's, checked as a derived value).
_ID_COLUMNS = {
    "allocations": ("parcel", "use", "period"),
    "gardens": ("village", "period"),
    "street_green": ("period",),
    "projects": ("project", "period"),
    "recruitment": ("village", "role", "period"),
    "recruitment_groups": ("village", "role", "group", "period"),
    "carbon_applications": ("parcel", "period"),
    "finance": ("period",),
    "gep": ("village", "service", "period"),
    "dividends": ("village", "recipient", "period"),
    "kpis": ("period",),
    "loans": ("loan", "period"),
    "targets": ("target",),
}
_TOWNSHIP = "(township)"


def clean_tables(tables: dict[str, pd.DataFrame], li, bad: Capped) -> dict[str, pd.DataFrame]:
    """The plan's tables with their malformed rows reported (rule ``table_rows``) and left
    out: a missing or empty key, an id the instance does not have, a missing, non-numeric or
    infinite number, a true/false cell holding something else, a row repeating another's
    keys. A table lacking a column is reported once and checked as empty. The rest come
    back typed: text as str, numbers as float, flags as bool."""
    ids = known_ids(li)
    out: dict[str, pd.DataFrame] = {}
    for name in TABLES:
        spec = SPECS[name]
        df = tables.get(name)
        df = pd.DataFrame() if df is None else pd.DataFrame(df)
        if not len(df):
            out[name] = _empty(spec)
            continue
        missing = [c for c in spec.columns if c not in df.columns and c not in spec.optional]
        if missing:
            for c in missing:
                bad(
                    ("table_rows", f"plan.json {name}"),
                    f"plan.json {name}",
                    f"column {c} missing: the table is not checked",
                )
            out[name] = _empty(spec)
            continue
        df = df.reset_index(drop=True)
        keep = np.ones(len(df), dtype=bool)

        def row(i: int) -> dict[str, Any]:
            return df.iloc[int(i)].to_dict()

        def report(mask: np.ndarray, what: str, col: str) -> None:
            for i in np.flatnonzero(mask & keep):
                r = row(i)
                bad(
                    ("table_rows", f"plan.json {name}"),
                    f"plan.json {name}[{i}] ({_key_label(spec, r)})",
                    f"column {col}: {what}" + ("" if _text(r.get(col)) == "" else f" ({_text(r.get(col))!r})"),
                )
            keep[mask] = False

        typed = pd.DataFrame(index=df.index)
        for c in spec.keys + spec.text:
            if c not in df.columns:  # an optional column
                continue
            txt = _texts(df[c])
            if c in spec.keys:
                report(txt == "", "missing", c)
            typed[c] = txt
        for c in spec.numbers:
            x, null, not_num = _numbers(df[c])
            if c not in spec.nullable:
                report(null, "missing value", c)
            report(not_num, "not a finite number", c)
            typed[c] = x
        for c in spec.flags:
            f, not_flag = _flags(df[c])
            report(not_flag, "not true or false", c)
            typed[c] = f
        for c in _ID_COLUMNS[name]:
            allowed = ids[c]
            if c == "village" and name in ("gep", "dividends"):
                allowed = pd.Index(pd.unique(np.append(allowed.to_numpy(dtype=object), _TOWNSHIP)), dtype=object)
            # a hash lookup (Series.isin on pandas' Arrow strings converts every allowed id one by one)
            found = allowed.get_indexer(pd.Index(typed[c].to_numpy(dtype=object))) >= 0
            unknown = ~found & (typed[c] != "").to_numpy(dtype=bool)
            noun = {
                "parcel": "parcel not in the parcel table",
                "use": "use not in the valuation library",
                "period": "period not in the instance",
                "service": "service not in the valuation library",
                "loan": "loan drawn in a period not in the instance",
                "target": "target not in the instance's targets",
            }.get(c, f"{c} not in the instance")
            report(unknown, noun, c)
        dup = typed[list(spec.keys)].duplicated(keep="first").to_numpy(dtype=bool) & keep
        if dup.any():
            first = {}
            for i, k in enumerate(zip(*(typed[k].tolist() for k in spec.keys))):
                if keep[i] and not dup[i]:
                    first.setdefault(k, i)
            for i in np.flatnonzero(dup):
                k = tuple(typed.loc[i, list(spec.keys)])
                bad(
                    ("table_rows", f"plan.json {name}"),
                    f"plan.json {name}[{i}] ({_key_label(spec, row(i))})",
                    f"duplicate row: plan.json {name}[{first.get(k, '?')}] has the same {', '.join(spec.keys)}",
                )
            keep &= ~dup
        # extra columns (e.g. the holding of a plan without geometry) travel along
        for c in df.columns:
            if c not in typed.columns:
                typed[c] = df[c]
        out[name] = typed[keep].reset_index(drop=True)
    return out


def _texts(s: pd.Series) -> np.ndarray | pd.Series:
    """A column as text (str; "" for a missing cell)."""
    if isinstance(s.dtype, pd.StringDtype) and not s.isna().any():  # the usual case: left as it is
        return s.reset_index(drop=True)
    vals = s.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(vals, skipna=False) == "string":  # the usual case, tested in C
        return vals
    return np.array([_text(v) for v in vals.tolist()], dtype=object)


def _numbers(s: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(values as float, NaN where not usable; missing cells; cells that are not finite numbers)."""
    if (pd.api.types.is_float_dtype(s) or pd.api.types.is_integer_dtype(s)) and not pd.api.types.is_bool_dtype(s):
        x = s.to_numpy(dtype=float)
        null = np.isnan(x)
        bad = np.isinf(x)
        x = np.where(bad, np.nan, x)
        return x, null, bad
    vals = s.to_numpy(dtype=object).tolist()
    xs = [_num(v) for v in vals]
    null = np.array([_is_null(v) for v in vals], dtype=bool)
    bad = np.array([x is None for x in xs], dtype=bool) & ~null
    return np.array([np.nan if x is None else x for x in xs], dtype=float), null, bad


def _flags(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(values as bool; cells that are not true/false)."""
    if pd.api.types.is_bool_dtype(s):
        return s.to_numpy(dtype=bool), np.zeros(len(s), dtype=bool)
    f = [_flag(v) for v in s.to_numpy(dtype=object).tolist()]
    return np.array([bool(v) for v in f], dtype=bool), np.array([v is None for v in f], dtype=bool)


def empty_table(name: str) -> pd.DataFrame:
    """Table ``name`` with its columns (typed) and no rows."""
    return _empty(SPECS[name])


def _empty(spec) -> pd.DataFrame:
    cols = {c: pd.Series(dtype=object) for c in spec.keys + spec.text}
    cols.update({c: pd.Series(dtype=float) for c in spec.numbers})
    cols.update({c: pd.Series(dtype=bool) for c in spec.flags})
    return pd.DataFrame(cols)


# ---------------------------------------------------------------------------
# CSV tables against plan.json
# ---------------------------------------------------------------------------


def read_csv_table(path: Path) -> tuple[pd.DataFrame | None, str | None]:
    """A CSV table as text cells (empty cells ""), with the planner's formula quotes
    removed; or (None, why it cannot be read)."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, f"not UTF-8 text ({exc.reason} at byte {exc.start})"
    except OSError as exc:
        return None, f"cannot be read: {exc.strerror or exc}"
    if not text.strip():
        return pd.DataFrame(), None
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, index_col=False)
    except Exception as exc:  # noqa: BLE001 - pandas raises many parser errors
        return None, f"not a readable CSV table: {exc}"
    return restore_frame(df), None


def _same_cell(j: Any, s: str) -> bool:
    """plan.json's value ``j`` against the CSV text ``s``."""
    if _is_null(j):
        return s.strip() == ""
    if isinstance(j, (bool, np.bool_)):
        return s.strip().lower() == ("true" if j else "false")
    if isinstance(j, (int, float, np.integer, np.floating)):
        try:
            x = float(s)
        except ValueError:
            return False
        y = float(j)
        if not (math.isfinite(x) and math.isfinite(y)):
            return x == y
        return abs(x - y) <= CSV_REL * max(1.0, abs(x), abs(y))
    return s == str(j)


def compare_csv_tables(tables: dict[str, pd.DataFrame], folder: Path, bad: Capped) -> bool:
    """Compare each ``<table>.csv`` in ``folder`` with plan.json's table (``tables``, as
    read from plan.json); report every difference as rule ``csv_tables``. Returns whether
    there were CSV tables to compare (none at all is not a violation: plan.json alone)."""
    folder = Path(folder)
    present = [t for t in TABLES if (folder / f"{t}.csv").is_file()]
    if not present:
        return False
    for name in TABLES:
        file = f"{name}.csv"
        grp = ("csv_tables", file)
        if name not in present:
            bad(grp, file, "missing beside plan.json (every table is written as a CSV; write the plan again)")
            continue
        csv_df, why = read_csv_table(folder / file)
        if csv_df is None:
            bad(grp, file, why)
            continue
        js = tables.get(name)
        js = pd.DataFrame() if js is None else js.reset_index(drop=True)
        try:
            _compare(name, js, csv_df, grp, bad)
        except Exception as exc:  # noqa: BLE001 - a table the comparison cannot read is a difference too
            bad(grp, file, f"could not be compared with plan.json: {type(exc).__name__}: {exc}")
    return True


def _compare(name: str, js: pd.DataFrame, cs: pd.DataFrame, grp: tuple[str, str], bad: Capped) -> None:
    file = grp[1]
    spec = SPECS[name]
    if len(js):
        for c in js.columns:
            if c not in cs.columns:
                bad(grp, f"{file}, column {c}", "column missing (plan.json has it)")
        for c in cs.columns:
            if c not in js.columns:
                bad(grp, f"{file}, column {c}", "column that plan.json does not have")
    if not len(js) and not len(cs):
        return
    if not len(js):  # plan.json's table is [] (it has no columns either)
        for i in range(len(cs)):
            bad(grp, f"{file} row {i + 2}", "row that plan.json does not have")
        return
    keys = (
        [k for k in spec.keys if k in js.columns and k in cs.columns]
        if len(js)
        else [k for k in spec.keys if k in cs.columns]
    )

    def keyed(df: pd.DataFrame) -> pd.DataFrame:
        k = (
            pd.DataFrame({c: _texts(df[c].reset_index(drop=True)) for c in keys})
            if keys
            else pd.DataFrame(index=df.index)
        )
        k.index = df.index
        k["_n"] = k.groupby(keys, sort=False).cumcount() if keys else np.arange(len(df))
        k["_row"] = np.arange(len(df))
        return k

    kj, kc = keyed(js), keyed(cs)
    on = keys + ["_n"]
    m = kj.merge(kc, on=on, how="outer", suffixes=("_j", "_c"), indicator=True, sort=False)

    def label(r) -> str:
        return ", ".join(f"{k} {r[k]}" for k in keys) or f"row {int(r['_n']) + 1}"

    common = [c for c in js.columns if c in cs.columns and c not in keys]
    both = m[m["_merge"] == "both"]
    # one vector pass per column finds the differing rows; only those are worded
    for c in common:
        jcol = js[c].iloc[both["_row_j"].to_numpy(dtype=np.int64)]
        cv = cs[c].to_numpy(dtype=object)[both["_row_c"].to_numpy(dtype=np.int64)]
        jv = jcol.to_numpy(dtype=object)
        diff = _differs(jcol, cv)
        for i in np.flatnonzero(diff):
            r = both.iloc[int(i)]
            a, b = jv[i], cv[i]
            bad(
                grp,
                f"{file} row {int(r['_row_c']) + 2} ({label(r)}), column {c}",
                f"{_show(b, csv=True)} in {file} but {_show(a)} in plan.json",
            )
    for _, r in m[m["_merge"] == "right_only"].sort_values("_row_c").iterrows():
        bad(grp, f"{file} row {int(r['_row_c']) + 2} ({label(r)})", "row that plan.json does not have")
    for _, r in m[m["_merge"] == "left_only"].sort_values("_row_j").iterrows():
        bad(grp, f"{file} ({label(r)})", f"row of plan.json (its {name}[{int(r['_row_j'])}]) missing from {file}")


def _differs(j: pd.Series, c: np.ndarray) -> np.ndarray:
    """Which plan.json values ``j`` differ from the CSV texts ``c`` (same length)."""
    if not len(j):
        return np.zeros(0, dtype=bool)
    cs = pd.Series(c, dtype=object).astype(str)
    if pd.api.types.is_bool_dtype(j):
        low = cs.str.strip().str.lower().to_numpy(dtype=object)
        return low != np.where(j.to_numpy(dtype=bool), "true", "false")
    if pd.api.types.is_float_dtype(j) or pd.api.types.is_integer_dtype(j):
        y = j.to_numpy(dtype=float)
        blank = (cs.str.strip() == "").to_numpy(dtype=bool)
        x = pd.to_numeric(cs.where(~blank, "nan"), errors="coerce").to_numpy(dtype=float)
        unparsed = np.isnan(x) & ~blank & ~cs.str.strip().str.lower().isin(["nan"]).to_numpy(dtype=bool)
        with np.errstate(invalid="ignore"):
            close = np.abs(x - y) <= CSV_REL * np.maximum(1.0, np.maximum(np.abs(x), np.abs(y)))
        same = np.where(np.isnan(y), blank, close | (x == y))
        return ~same | unparsed
    vals = j.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(vals, skipna=False) == "string":
        return vals != cs.to_numpy(dtype=object)
    return np.array([not _same_cell(a, b) for a, b in zip(vals.tolist(), cs.tolist())], dtype=bool)


__all__ = [
    "instance_mismatch",
    "clean_tables",
    "empty_table",
    "compare_csv_tables",
    "read_csv_table",
    "known_ids",
    "Capped",
    "CAP",
]
