"""Loading an instance: YAML + parcel table + valuation library -> a validated,
frozen :class:`LoadedInstance`.

Every shape of input is funnelled into one canonical form here (areas in ha, parcel
columns typed and checked, references resolved), so the model never sees raw input.
All problems of a file are collected and raised together as one :class:`InputError`.
"""

from __future__ import annotations

import copy
import csv
import dataclasses
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from pydantic import ValidationError

from planner.core.cells import restore_frame
from planner.core.errors import MAX_PER_KIND, InputError, Problem, first_problems
from planner.core.paths import bundled_dir
from planner.core.units import AREA_UNITS_PER_HA, MU_PER_HA
from planner.instance.schema import (
    ECO_SPACE_TYPES,
    MAX_PARCEL_HA,
    PARCEL_COLUMNS,
    PARCEL_OPTIONAL_BOOL,
    PARCEL_OPTIONAL_TEXT,
    RECIPIENTS,
    Instance,
    Library,
)


@dataclass(frozen=True)
class LoadedInstance:
    """A validated instance with its library and canonical parcel table (areas in ha)."""

    instance: Instance
    library: Library
    parcels: pd.DataFrame
    path: Path
    library_path: Path
    overrides: tuple[str, ...] = field(default_factory=tuple)
    #: Suspicious but legal inputs found at load (a zero budget, a huge parcel...): the
    #: instance is valid; a caller should print them (``str(problem)``) before solving.
    warnings: list[Problem] = field(default_factory=list, compare=False)
    #: Parcel geometry when the parcel table is a GIS layer (``planner[geo]``): a
    #: ``geopandas.GeoSeries`` indexed by parcel id in ``parcels`` order, in a projected
    #: coordinate system (metres); ``None`` for CSV/Parquet tables.
    geometry: Any = field(default=None, compare=False, repr=False)
    #: Adjacency from shared boundaries (:func:`planner.instance.adjacency`): a frame with
    #: columns ``a``, ``b`` (parcel ids, a < b) and ``shared_m``; ``None`` without geometry.
    adjacency: Any = field(default=None, compare=False, repr=False)

    @property
    def name(self) -> str:
        return self.instance.name

    def replace(self, **changes: Any) -> LoadedInstance:
        """Return a copy with instance fields changed by dotted path, e.g.
        ``inst.replace(**{"prices.forestry_carbon_yuan_per_t": 80})``.

        The instance is loaded again through the full loader (schema, parcel table,
        library, cross-checks) with the recorded overrides plus these, so a change of
        ``valuation`` or ``parcels`` takes effect and every check runs."""
        scenario, sets = split_overrides(self.overrides)
        sets = sets + [f"{key}={json.dumps(value)}" for key, value in changes.items()]
        return load_instance(self.path, scenario=scenario, sets=sets)


# ---------------------------------------------------------------------------
# YAML and overlays
# ---------------------------------------------------------------------------


MAX_YAML_BYTES = 20_000_000  # an instance, overlay or library is a few kB; parcels belong in the table
MAX_YAML_DEPTH = 40  # the schema nests about 6 deep
MAX_YAML_NODES = 2_000_000  # bounds what aliases ("billion laughs") can expand to


def _depth_and_size(obj: Any) -> tuple[int, int]:
    """Nesting depth and node count of loaded YAML, without recursion (stops early when over the limits)."""
    stack, depth, nodes = [(obj, 1)], 0, 0
    while stack:
        o, dpt = stack.pop()
        nodes += 1
        depth = max(depth, dpt)
        if depth > MAX_YAML_DEPTH or nodes > MAX_YAML_NODES:
            break
        if isinstance(o, dict):
            stack.extend((v, dpt + 1) for v in o.values())
            stack.extend((k, dpt + 1) for k in o.keys() if isinstance(k, (tuple, dict, list)))
        elif isinstance(o, list):
            stack.extend((v, dpt + 1) for v in o)
    return depth, nodes


def _exists(path: Path) -> bool:
    """``path.exists()``, but False (not an exception) for a name the OS cannot even look up
    (an embedded NUL byte, a name too long for the file system)."""
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


# libyaml's safe loader when PyYAML was built with it (about 10x faster on large instances)
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _node_id(node: Any) -> str | None:
    """The ``id`` of a composed YAML mapping, if it has a plain one (to name list elements)."""
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == "id" and isinstance(v, yaml.ScalarNode):
                return v.value
    return None


def _duplicate_keys(root: Any, file: str) -> list[Problem]:
    """Keys given twice in one mapping of a composed YAML document. YAML keeps the last
    value silently, so an edit of the first one would have no effect. Iterative (no
    recursion), each node visited once (aliases cannot multiply the work)."""
    problems: list[tuple[int, Problem]] = []
    seen: set[int] = set()
    stack: list[tuple[Any, str, int]] = [(root, "", 1)]
    while stack:
        node, path, depth = stack.pop()
        if node is None or id(node) in seen or depth > MAX_YAML_DEPTH:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first: dict[tuple[str, str], int] = {}
            for k, v in node.value:
                if not isinstance(k, yaml.ScalarNode) or k.tag == "tag:yaml.org,2002:merge":
                    continue  # a merged mapping's keys may be overridden: that is what merging is for
                here = f"{path}.{k.value}" if path else str(k.value)
                line = k.start_mark.line + 1
                key = (k.tag, k.value)
                if key in first:
                    problems.append(
                        (
                            line,
                            Problem(
                                file,
                                here,
                                f"key given twice (lines {first[key]} and {line}): YAML "
                                "would silently keep only the last value",
                                "keep one of them: delete the other, or merge the two",
                                k.value,
                            ),
                        )
                    )
                else:
                    first[key] = line
                stack.append((v, here, depth + 1))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                name = _node_id(item) or str(i)
                stack.append((item, f"{path}.{name}" if path else name, depth + 1))
    return [p for _, p in sorted(problems, key=lambda lp: lp[0])]


def parse_yaml(text: str, file: str) -> Any:
    """Parse YAML text safely: plain data only (a safe loader: no objects are
    constructed), at most ``MAX_YAML_DEPTH`` levels and ``MAX_YAML_NODES`` values
    (aliases cannot blow it up), and no key given twice in one mapping. Problems are
    raised as :class:`InputError` naming ``file``."""
    loader = _SAFE_LOADER(text)
    try:
        node = loader.get_single_node()
        duplicates = _duplicate_keys(node, file)
        if duplicates:
            raise InputError(duplicates)
        data = loader.construct_document(node) if node is not None else None
    except RecursionError:
        raise InputError.one(
            file, "(file)", "nested too deeply to read", f"keep nesting under {MAX_YAML_DEPTH} levels"
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(file)"
        problem = str(getattr(exc, "problem", None) or exc)
        if "nesting depth" in problem:  # libyaml's own limit (1,000 levels)
            raise InputError.one(
                file,
                where,
                f"nested more than {MAX_YAML_DEPTH} levels deep",
                "check the brackets and the indentation; the format nests about 6 levels",
            ) from None
        raise InputError.one(
            file, where, f"not valid YAML: {problem}", "fix the YAML syntax (indentation, colons, quotes)"
        ) from None
    finally:
        loader.dispose()
    depth, nodes = _depth_and_size(data)
    if depth > MAX_YAML_DEPTH:
        raise InputError.one(
            file,
            "(file)",
            f"nested more than {MAX_YAML_DEPTH} levels deep",
            "check the indentation; the format nests about 6 levels",
        )
    if nodes > MAX_YAML_NODES:
        raise InputError.one(
            file,
            "(file)",
            f"more than {MAX_YAML_NODES:,} values (after expanding aliases)",
            "remove the repeated aliases; put parcels in the parcel table",
        )
    return data


def read_yaml(path: Path) -> Any:
    """Read a YAML file safely (:func:`parse_yaml`): UTF-8, at most ``MAX_YAML_BYTES``."""
    if not _exists(path):
        raise InputError.one(str(path), "(file)", "file not found", "check the path")
    if path.is_dir():
        raise InputError.one(str(path), "(file)", "is a directory, not a YAML file", "give the YAML file's path")
    size = path.stat().st_size
    if size > MAX_YAML_BYTES:
        raise InputError.one(
            str(path),
            "(file)",
            f"{size:,} bytes: too large for an instance, overlay or library (limit {MAX_YAML_BYTES:,})",
            "put parcels in the parcel table (CSV or Parquet), not in YAML",
        )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError.one(
            str(path), "(file)", f"not UTF-8 text ({exc.reason} at byte {exc.start})", "save the file as UTF-8"
        ) from None
    except OSError as exc:
        raise InputError.one(
            str(path), "(file)", f"cannot be read: {exc.strerror or exc}", "check the file's permissions"
        ) from None
    return parse_yaml(text, str(path))


def _find_in_list(lst: list, key: str, file: str, path: str) -> int:
    for i, item in enumerate(lst):
        if isinstance(item, dict) and str(item.get("id")) == key:
            return i
    if key.isdigit() and int(key) < len(lst):
        return int(key)
    ids = [item.get("id") for item in lst if isinstance(item, dict)]
    raise InputError.one(file, path, f"no list element with id {key!r}", f"use one of {ids}")


def set_path(raw: dict, dotted: str, value: Any, file: str = "--set") -> None:
    """Set a field of a raw instance dict by dotted path. List elements are addressed
    by their ``id`` (``projects.forest_park.capex_yuan``) or index."""
    parts = dotted.split(".")
    node: Any = raw
    for i, part in enumerate(parts[:-1]):
        here = ".".join(parts[: i + 1])
        if isinstance(node, list):
            node = node[_find_in_list(node, part, file, here)]
        elif isinstance(node, dict):
            if part not in node or node[part] is None:
                node[part] = {}
            node = node[part]
        else:
            raise InputError.one(file, here, "cannot descend into a scalar", "check the path")
    last = parts[-1]
    if isinstance(node, list):
        node[_find_in_list(node, last, file, dotted)] = value
    elif isinstance(node, dict):
        node[last] = value
    else:
        raise InputError.one(file, dotted, "cannot set a field of a scalar", "check the path")


def deep_merge(base: Any, over: Any, file: str, path: str = "") -> Any:
    """Overlay ``over`` on ``base``. Dicts merge; a list of objects with ids merges by
    id when the overlay is a dict keyed by id or a list of objects with ids."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            out[k] = deep_merge(base.get(k), v, file, f"{path}.{k}" if path else str(k))
        return out
    if isinstance(base, list) and base and all(isinstance(x, dict) and "id" in x for x in base):
        items = (
            over.items()
            if isinstance(over, dict)
            else (
                [(x.get("id"), x) for x in over]
                if isinstance(over, list) and all(isinstance(x, dict) and "id" in x for x in over)
                else None
            )
        )
        if items is None:
            return copy.deepcopy(over)
        out = [dict(x) for x in base]
        for key, v in items:
            idx = next((i for i, x in enumerate(out) if str(x["id"]) == str(key)), None)
            if idx is None:
                out.append(v if "id" in v else {"id": key, **v})
            else:
                out[idx] = deep_merge(out[idx], v, file, f"{path}.{key}")
        return out
    return copy.deepcopy(over)


def parse_set(expr: str) -> tuple[str, Any]:
    """Parse ``path=value``; the value is read as YAML (numbers, true/false, lists) with
    the limits of :func:`parse_yaml`; text that is not YAML is taken as it is, unless it
    opens a list or mapping (``[``, ``{``), which must then be valid."""
    if "=" not in expr:
        raise InputError.one(
            "--set", expr, "expected PATH=VALUE", "write e.g. --set prices.forestry_carbon_yuan_per_t=80"
        )
    key, _, val = expr.partition("=")
    key = key.strip()
    try:
        value = parse_yaml(val, f"--set {key}")
    except InputError as exc:
        if val.lstrip().startswith(("[", "{")) or not all(p.message.startswith("not valid YAML") for p in exc.problems):
            raise
        value = val
    return key, value


# ---------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------


def _id_path(raw: Any, loc: tuple) -> str:
    """Name list elements by their id where they have one: periods.0.x -> periods.2025.x."""
    out, node = [], raw
    for part in loc:
        if isinstance(node, list) and isinstance(part, int) and part < len(node):
            el = node[part]
            out.append(str(el["id"]) if isinstance(el, dict) and "id" in el else str(part))
            node = el
        else:
            out.append(str(part))
            node = node.get(part) if isinstance(node, dict) else None
    return ".".join(out)


def _pydantic_problems(exc: ValidationError, file: str, raw: Any = None) -> list[Problem]:
    out = []
    for err in exc.errors():
        loc = _id_path(raw, err["loc"]) or "(top level)"
        typ = err["type"]
        msg = err["msg"]
        if typ == "extra_forbidden":
            fix = "remove the key or correct its spelling (see docs/instance-format.md)"
            msg = "unknown key"
        elif typ == "missing":
            fix = "add this required field"
        elif (
            typ == "string_type"
            and isinstance(err.get("input"), (int, float))
            and not isinstance(err.get("input"), bool)
        ):
            fix = f'quote it to make it text: "{err["input"]}"'
        elif typ == "finite_number":
            fix = "give a finite number (not .nan or .inf)"
        elif typ == "number_not_bool":
            fix = "write the number itself (true and false are not numbers)"
        elif typ == "too_large":
            fix = (err.get("ctx") or {}).get("fix", "give the value in its unit (see docs/instance-format.md)")
        else:
            fix = "correct the value (see docs/instance-format.md)"
        msg = msg.removeprefix("Value error, ")
        value = err.get("input") if typ != "missing" else None
        if isinstance(value, (dict, list)):
            value = None
        out.append(Problem(file, loc, msg, fix, value))
    return out


def _validate_instance(raw: Any, file: str) -> Instance:
    if not isinstance(raw, dict):
        raise InputError.one(
            file, "(top level)", "the instance must be a YAML mapping", "start the file with `name: ...` etc."
        )
    try:
        return Instance.model_validate(raw)
    except ValidationError as exc:
        raise InputError(_pydantic_problems(exc, file, raw)) from None


def _resolve_library(ref: str, inst_path: Path) -> Path:
    cand: list[Path] = []
    if ref.endswith((".yaml", ".yml")) or "/" in ref:
        try:
            cand.append((inst_path.parent / ref).resolve())
        except (OSError, ValueError):
            cand.append(inst_path.parent / ref)
    else:
        cand.append(inst_path.parent / "models" / f"{ref}.yaml")
        cand.append(inst_path.parent.parent / "models" / f"{ref}.yaml")
        cand.append(bundled_dir("models") / f"{ref}.yaml")
    for c in cand:
        if _exists(c) and not c.is_dir():
            return c
    bundled = sorted(p.stem for p in bundled_dir("models").glob("*.yaml"))
    raise InputError.one(
        str(inst_path),
        "valuation",
        f"valuation library {ref!r} not found (looked in {[str(c) for c in cand]})",
        f"use a bundled library name {bundled} or a path to a YAML file",
    )


def load_library(path: Path) -> Library:
    raw = read_yaml(path)
    if not isinstance(raw, dict):
        raise InputError.one(str(path), "(top level)", "a library must be a YAML mapping", "see models/")
    try:
        lib = Library.model_validate(raw)
    except ValidationError as exc:
        raise InputError(_pydantic_problems(exc, str(path), raw)) from None
    problems = []
    svc = {s.id for s in lib.services}
    for group, items in (("covers", lib.covers), ("uses", lib.uses)):
        for k, c in items.items():
            for s in c.equivalents:
                if s not in svc:
                    problems.append(
                        Problem(
                            str(path), f"{group}.{k}.equivalents.{s}", "unknown service", f"use one of {sorted(svc)}"
                        )
                    )
    for k, u in lib.uses.items():
        for c in u.from_covers:
            if c not in lib.covers:
                problems.append(
                    Problem(
                        str(path), f"uses.{k}.from_covers", f"unknown cover {c!r}", f"use one of {sorted(lib.covers)}"
                    )
                )
    if problems:
        raise InputError(problems)
    return lib


def _to_bool(series: pd.Series, file: str, col: str, problems: list[Problem], ids: pd.Series, row=None) -> pd.Series:
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


def read_parcel_table(path: Path, inst: Instance, inst_file: str) -> tuple[pd.DataFrame, Any]:
    """The parcel table as a frame under planner column names (``parcels.columns`` applied)
    and, for a GIS layer, its :class:`planner.instance.gis.GisTable` (else None)."""
    from planner.instance.gis import is_gis, read_layer

    file = str(path)
    if not _exists(path) or path.is_dir():
        what = "is a directory" if _exists(path) else "not found"
        raise InputError.one(
            inst_file,
            "parcels.file",
            f"parcel table {file} {what}",
            "give the path of the CSV, Parquet or GIS (GeoPackage, GeoJSON, Shapefile) file, relative to the "
            "instance file",
            str(inst.parcels.file),
        )
    if is_gis(path):
        gis = read_layer(path, inst.parcels, inst_file)
        return gis.frame, gis
    if path.suffix.lower() == ".parquet":
        try:
            df = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises many kinds of errors for a damaged file
            raise InputError.one(
                file, "(file)", f"cannot read the Parquet table: {exc}", "write it again, or give a CSV table"
            ) from None
    else:
        df = _read_csv(path)
    return map_columns(df, inst.parcels.columns, inst_file, file, "column"), None


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
    table: pd.DataFrame | None = None,
    row_label=None,
) -> pd.DataFrame:
    """Check and convert the parcel table (read from ``path``, or ``table`` already read):
    areas in ha, true/false columns as booleans, every problem listed. ``row_label(i)``
    names row i in messages (default: the CSV line, ``row i+2``)."""
    file = str(path)
    df = read_parcel_table(path, inst, inst_file)[0] if table is None else table
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
    df["red_line"] = _to_bool(df["red_line"], file, shown.get("red_line", "red_line"), problems, ids, row)
    for col in PARCEL_OPTIONAL_BOOL:
        if col in df.columns:
            df[col] = _to_bool(df[col].replace("", "false"), file, shown.get(col, col), problems, ids, row)
        else:
            df[col] = False
    referenced = {pol.require_attribute for pol in inst.uses.values() if pol.require_attribute}
    referenced.add(inst.policies.scenic_require_attribute)
    for col in sorted(a for a in referenced if a and a in df.columns and a not in PARCEL_OPTIONAL_BOOL):
        df[col] = _to_bool(df[col].replace("", "false"), file, shown.get(col, col), problems, ids, row)
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


def _never_met(li: LoadedInstance, file: str) -> list[Problem]:
    """Rules that no plan can meet whatever is decided, found from the data alone, so the
    message names the village or project instead of a bare 'infeasible'."""
    from planner.model.data import GARDEN_KINDS, ModelData
    from planner.model.rules.projects import prerequisite_rows

    d = ModelData(li)
    inst = li.instance
    p: list[Problem] = []
    pol = inst.policies
    if pol.one_garden_per_village:
        can = set(d.pu.loc[d.pu["kind"].isin(GARDEN_KINDS), "village"])
        for v in d.villages:
            if v != d.town and v not in can:
                p.append(
                    Problem(
                        file,
                        "policies.one_garden_per_village",
                        f"village {v!r} has no parcel a garden can be built on",
                        "add garden-eligible parcels for it, or set policies.one_garden_per_village: false",
                    )
                )
    for j in inst.projects:
        for k, pre in enumerate(j.prerequisites):
            where = f"projects.{j.id}.prerequisites.{k}"
            if pre.min_area_ha is not None and pre.min_area_ha > 0:
                rows = prerequisite_rows(d, pre)
                most = float(rows.drop_duplicates("parcel")["area_ha"].sum())
                if most < pre.min_area_ha - 1e-9:
                    p.append(
                        Problem(
                            file,
                            where,
                            f"at most {most:,.2f} ha can ever match (uses, villages, covers), "
                            f"below min_area_ha {pre.min_area_ha:,.2f}: project {j.id!r} could never be built",
                            "widen the uses/villages/covers or lower min_area_ha",
                            pre.min_area_ha,
                        )
                    )
            if pre.garden_in is not None and pre.garden_in not in d.garden_villages:
                p.append(
                    Problem(
                        file,
                        where + ".garden_in",
                        f"village {pre.garden_in!r} can never have a garden",
                        "name a village with garden-eligible parcels",
                    )
                )
    return p


def _area_fix(total_ha: float, stated_ha: float, unit: str) -> str:
    """What to change when parcel areas do not add up to a stated area: name the unit when
    the ratio is (close to) 15, the mu/ha factor."""
    ratio = total_ha / stated_ha if stated_ha else 0.0
    if unit == "ha" and abs(ratio / MU_PER_HA - 1) < 0.05:
        return (
            f"the parcels add up to {ratio:.1f} x the stated area: did you mean parcels.area_unit: mu? "
            "(check parcels.area_unit, mu vs ha, or the stated area)"
        )
    if unit == "mu" and abs(ratio * MU_PER_HA - 1) < 0.05:
        return (
            f"the parcels add up to 1/{1 / ratio:.1f} of the stated area: did you mean parcels.area_unit: ha? "
            "(check parcels.area_unit, mu vs ha, or the stated area)"
        )
    return "check parcels.area_unit (mu vs ha), the parcel areas, or the stated area"


# Thresholds of the load-time warnings: legal, but more likely a slip than intended.
WARN_GARDEN_MAX_HA = 100.0
WARN_CARBON_PRICE_YUAN_PER_T = 10_000.0
WARN_PARCEL_HA = 10_000.0


def _warnings(inst: Instance, parcels: pd.DataFrame, file: str, parcel_file: str) -> list[Problem]:
    """Suspicious but legal inputs: returned as :attr:`LoadedInstance.warnings`, not raised."""
    w: list[Problem] = []
    for per in inst.periods:
        if per.budget_yuan == 0:
            w.append(
                Problem(
                    file,
                    f"periods.{per.id}.budget_yuan",
                    "budget of 0: nothing can be established, built or paid (wages) in this period",
                    "give the period's budget in Yuan, if 0 was not meant",
                    0,
                )
            )
    for r in inst.roles:
        if r.max == 0:
            w.append(
                Problem(
                    file,
                    f"roles.{r.id}.max",
                    "max 0: nobody can be recruited for this role, so work tied to its norm cannot be done",
                    "raise max, or remove the role",
                    0,
                )
            )
    pol = inst.policies
    if pol.garden_max_ha > WARN_GARDEN_MAX_HA:
        w.append(
            Problem(
                file,
                "policies.garden_max_ha",
                f"a village garden of more than {WARN_GARDEN_MAX_HA:g} ha is unusually "
                "large (the paper's limit is 20 ha)",
                "check the unit (ha, not mu or m2)",
                pol.garden_max_ha,
            )
        )
    for key in ("forestry_carbon_yuan_per_t", "agricultural_carbon_yuan_per_t"):
        price = getattr(inst.prices, key)
        if price > WARN_CARBON_PRICE_YUAN_PER_T:
            w.append(
                Problem(
                    file,
                    f"prices.{key}",
                    f"carbon price above {WARN_CARBON_PRICE_YUAN_PER_T:,.0f} Yuan/t (market "
                    "prices are tens of Yuan per tonne)",
                    "give the price in Yuan per tonne",
                    price,
                )
            )
    big = parcels.index[parcels["area_ha"] > WARN_PARCEL_HA]
    for i in big:
        w.append(
            Problem(
                parcel_file,
                f"row {i + 2} (parcel {parcels.at[i, 'id']!r}), column area",
                f"parcel of {parcels.at[i, 'area_ha']:,.0f} ha (more than {WARN_PARCEL_HA:,.0f} ha)",
                f"check the area and parcels.area_unit ({inst.parcels.area_unit})",
                float(parcels.at[i, "area_ha"]),
            )
        )
    return w


def _duplicate_ids(inst: Instance, file: str) -> list[Problem]:
    """Ids given twice among the villages, periods, roles or projects. Checked before the
    parcel table is read: a village id given twice (for another village) would otherwise
    show only as that village's parcels having an unknown village."""
    p: list[Problem] = []
    for dup_group, ids in (
        ("villages", [v.id for v in inst.villages]),
        ("periods", [x.id for x in inst.periods]),
        ("roles", [r.id for r in inst.roles]),
        ("projects", [x.id for x in inst.projects]),
    ):
        seen = set()
        for i in ids:
            if i in seen:
                p.append(Problem(file, dup_group, "duplicate id", "make ids unique", i))
            seen.add(i)
    return p


def _cross_check(inst: Instance, lib: Library, parcels: pd.DataFrame, file: str) -> list[Problem]:
    p: list[Problem] = []
    villages = {v.id for v in inst.villages}
    periods = [x.id for x in inst.periods]
    projects = {x.id for x in inst.projects}
    towns = [v.id for v in inst.villages if v.is_town]
    for i, tg in enumerate(inst.targets):
        if tg.period not in periods:
            p.append(
                Problem(
                    file, f"targets[{i}].period", f"unknown period {tg.period!r}", f"use one of {periods}", tg.period
                )
            )
    if len(towns) > 1:
        p.append(
            Problem(file, "villages", f"more than one village is marked is_town: {towns}", "mark only the central town")
        )
    for u, pol in inst.uses.items():
        if u not in lib.uses:
            p.append(Problem(file, f"uses.{u}", "unknown use", f"use one of library {lib.name!r}: {sorted(lib.uses)}"))
        for v in pol.villages or []:
            if v not in villages:
                p.append(
                    Problem(file, f"uses.{u}.villages", f"unknown village {v!r}", f"use one of {sorted(villages)}")
                )
        if pol.require_attribute and pol.require_attribute not in parcels.columns:
            p.append(
                Problem(
                    file,
                    f"uses.{u}.require_attribute",
                    f"parcel table has no column {pol.require_attribute!r}",
                    "add the column to the parcel table or remove the rule",
                )
            )
    pol = inst.policies
    if pol.scenic_require_attribute and pol.scenic_require_attribute not in parcels.columns:
        p.append(
            Problem(
                file,
                "policies.scenic_require_attribute",
                f"parcel table has no column {pol.scenic_require_attribute!r}",
                "add the column to the parcel table, correct the name, or set it to null",
            )
        )
    for c in pol.protected_farmland_covers:
        if c not in lib.covers:
            p.append(
                Problem(
                    file,
                    "policies.protected_farmland_covers",
                    f"unknown cover {c!r}",
                    f"use one of {sorted(lib.covers)}",
                )
            )
    for t, uses in (pol.eco_space_measures or {}).items():
        if t not in ECO_SPACE_TYPES:
            p.append(
                Problem(
                    file,
                    f"policies.eco_space_measures.{t}",
                    "unknown ecological-space type",
                    f"use one of {list(ECO_SPACE_TYPES)}",
                )
            )
        for u in uses:
            if u not in lib.uses:
                p.append(
                    Problem(
                        file, f"policies.eco_space_measures.{t}", f"unknown use {u!r}", f"use one of {sorted(lib.uses)}"
                    )
                )
    for key in ("garden_by_period",):
        val = getattr(pol, key)
        if val is not None and val not in periods:
            p.append(Problem(file, f"policies.{key}", f"unknown period {val!r}", f"use one of {periods}"))
    if pol.street_green and pol.street_green.by_period and pol.street_green.by_period not in periods:
        p.append(
            Problem(
                file,
                "policies.street_green.by_period",
                "unknown period",
                f"use one of {periods}",
                pol.street_green.by_period,
            )
        )
    if pol.street_green and pol.street_green.count_min > 0 and not any(v.is_town for v in inst.villages):
        p.append(
            Problem(
                file,
                "policies.street_green",
                "street green spaces need a central town",
                "mark one village `is_town: true` or set policies.street_green: null",
            )
        )
    if pol.interactive_forest_per_garden_ha is not None and pol.interactive_forest_use not in lib.uses:
        p.append(
            Problem(
                file,
                "policies.interactive_forest_use",
                "unknown use",
                f"use one of {sorted(lib.uses)}",
                pol.interactive_forest_use,
            )
        )
    for k in inst.prices.gep_multipliers:
        if k not in lib.covers and k not in lib.uses:
            p.append(
                Problem(file, f"prices.gep_multipliers.{k}", "not a cover or use of the library", "check the spelling")
            )
    for r in inst.roles:
        if r.norm not in lib.labour_norms:
            p.append(
                Problem(
                    file,
                    f"roles.{r.id}.norm",
                    f"unknown labour norm {r.norm!r}",
                    f"use one of {sorted(lib.labour_norms)}",
                )
            )
        else:
            norm = lib.labour_norms[r.norm]
            if norm.kind.value in ("per_project", "per_project_built") and not r.projects:
                p.append(
                    Problem(
                        file,
                        f"roles.{r.id}.projects",
                        f"a {norm.kind.value} norm needs the projects it staffs",
                        "list project ids",
                    )
                )
            if norm.kind.value in ("planting", "area_managed") and not norm.use_kinds:
                p.append(
                    Problem(
                        file,
                        f"roles.{r.id}.norm",
                        f"labour norm {r.norm!r} ({norm.kind.value}) lists no use_kinds, so it "
                        "would tie the role to no work",
                        f"add use_kinds to labour_norms.{r.norm} in the library",
                    )
                )
        for j in r.projects:
            if j not in projects:
                p.append(
                    Problem(file, f"roles.{r.id}.projects", f"unknown project {j!r}", f"use one of {sorted(projects)}")
                )
        for v in r.villages or []:
            if v not in villages:
                p.append(
                    Problem(file, f"roles.{r.id}.villages", f"unknown village {v!r}", f"use one of {sorted(villages)}")
                )
        for t in r.periods or []:
            if t not in periods:
                p.append(Problem(file, f"roles.{r.id}.periods", f"unknown period {t!r}", f"use one of {periods}"))
    for x in inst.projects:
        if x.host_village not in villages:
            p.append(
                Problem(
                    file,
                    f"projects.{x.id}.host_village",
                    f"unknown village {x.host_village!r}",
                    f"use one of {sorted(villages)}",
                )
            )
        if x.earliest_period is not None and x.earliest_period not in periods:
            p.append(
                Problem(
                    file,
                    f"projects.{x.id}.earliest_period",
                    "unknown period",
                    f"use one of {periods}",
                    x.earliest_period,
                )
            )
        for k, pre in enumerate(x.prerequisites):
            where = f"projects.{x.id}.prerequisites.{k}"
            for u in pre.uses or []:
                if u not in lib.uses:
                    p.append(Problem(file, where + ".uses", f"unknown use {u!r}", f"use one of {sorted(lib.uses)}"))
            for v in (pre.villages or []) + ([pre.garden_in] if pre.garden_in else []):
                if v not in villages:
                    p.append(Problem(file, where, f"unknown village {v!r}", f"use one of {sorted(villages)}"))
            for c in pre.covers or []:
                if c not in lib.covers:
                    p.append(
                        Problem(file, where + ".covers", f"unknown cover {c!r}", f"use one of {sorted(lib.covers)}")
                    )
            if pre.project is not None and pre.project not in projects:
                p.append(
                    Problem(
                        file, where + ".project", f"unknown project {pre.project!r}", f"use one of {sorted(projects)}"
                    )
                )
    for key in inst.objective.dividend_recipients:
        if key not in RECIPIENTS:
            p.append(
                Problem(
                    file,
                    "objective.dividend_recipients",
                    f"unknown recipient {key!r}",
                    f"use some of {list(RECIPIENTS)}",
                )
            )
    # Areas add up (a sign of mu/ha confusion when they do not).
    unit = inst.parcels.area_unit
    total = float(parcels["area_ha"].sum())
    if inst.township.stated_area_ha and abs(total - inst.township.stated_area_ha) > 0.01 * inst.township.stated_area_ha:
        p.append(
            Problem(
                file,
                "township.stated_area_ha",
                f"parcels add up to {total:,.1f} ha, not the stated {inst.township.stated_area_ha:,.1f} ha",
                _area_fix(total, inst.township.stated_area_ha, unit),
                inst.township.stated_area_ha,
            )
        )
    by_v = parcels.groupby("village")["area_ha"].sum()
    for v in inst.villages:
        got = float(by_v.get(v.id, 0.0))
        if v.stated_area_ha and abs(got - v.stated_area_ha) > 0.01 * v.stated_area_ha:
            p.append(
                Problem(
                    file,
                    f"villages.{v.id}.stated_area_ha",
                    f"parcels of village {v.id!r} add up to {got:,.1f} ha, not the stated {v.stated_area_ha:,.1f} ha",
                    _area_fix(got, v.stated_area_ha, unit),
                    v.stated_area_ha,
                )
            )
    return p


def _flat_keys(d: Any, prefix: str = "") -> set[str]:
    out: set[str] = set()
    if isinstance(d, dict):
        for k, v in d.items():
            key = f"{prefix}.{k}" if prefix else str(k)
            out.add(key)
            out |= _flat_keys(v, key)
    return out


def _attribute(pr: Problem, over: Any, scenario: Any, set_keys: list[str]) -> Problem:
    """Name the --set option or scenario file a bad value came from, not the instance."""
    for k in set_keys:  # problem fields name list elements by id, as --set paths do
        if pr.field == k or pr.field.startswith(k + ".") or k.startswith(pr.field + "."):
            return dataclasses.replace(pr, file=f"--set {k}")
    if over is not None and pr.field in _flat_keys(over):
        return dataclasses.replace(pr, file=str(scenario))
    return pr


def load_instance(
    path: str | Path, scenario: str | Path | None = None, sets: list[str] | dict[str, Any] | None = None
) -> LoadedInstance:
    """Load, overlay and validate an instance.

    Parameters
    ----------
    path: the instance YAML.
    scenario: optional overlay YAML whose fields override the instance's.
    sets: ``["path=value", ...]`` or ``{path: value}`` single-field overrides, applied last.

    Raises :class:`InputError` listing every problem found.
    """
    path = Path(path)
    file = str(path)
    raw = read_yaml(path)
    if not isinstance(raw, dict):
        raise InputError.one(file, "(top level)", "the instance must be a YAML mapping", "see docs/instance-format.md")
    applied: list[str] = []
    over: Any = None
    if scenario is not None:
        sc_path = Path(scenario)
        over = read_yaml(sc_path)
        if not isinstance(over, dict):
            raise InputError.one(
                str(sc_path),
                "(top level)",
                "a scenario must be a YAML mapping of fields to override",
                "see docs/quickstart.md",
            )
        raw = deep_merge(raw, over, str(sc_path))
        applied.append(f"scenario={sc_path.resolve()}")
    items = list(sets.items()) if isinstance(sets, dict) else [parse_set(s) for s in (sets or [])]
    for key, value in items:
        set_path(raw, key, value)
        applied.append(f"{key}={json.dumps(value)}")
    try:
        inst = _validate_instance(raw, file)
    except InputError as exc:
        raise InputError(
            [
                _attribute(pr, over if scenario is not None else None, scenario, [k for k, _ in items])
                for pr in exc.problems
            ]
        ) from None

    def attribute(prs: list[Problem]) -> list[Problem]:
        return [_attribute(pr, over if scenario is not None else None, scenario, [k for k, _ in items]) for pr in prs]

    duplicates = _duplicate_ids(inst, file)
    try:
        lib_path = _resolve_library(inst.valuation, path)
        lib = load_library(lib_path)
        parcel_path = path.parent / inst.parcels.file
        table, gis = read_parcel_table(parcel_path, inst, file)
        parcels = load_parcels(
            parcel_path,
            inst.parcels.area_unit,
            inst,
            lib,
            file,
            table=table,
            row_label=(lambda i: f"feature {i + 1}") if gis is not None else None,
        )
    except InputError as exc:
        if duplicates:
            raise InputError(attribute(duplicates) + exc.problems) from None
        raise
    geometry = adjacent = None
    geo_warnings: list[Problem] = []
    if gis is not None:
        from planner.instance.adjacency import adjacency

        geometry = gis.geometry.set_axis(pd.Index(parcels["id"].tolist(), name="id"))
        adjacent, overlaps = adjacency(geometry, parcels["id"].tolist(), inst.parcels.adjacency_min_shared_m)
        geo_warnings = gis.warnings + overlaps
    problems = duplicates + _cross_check(inst, lib, parcels, file)
    if not problems:
        problems = _never_met(
            LoadedInstance(
                inst,
                lib,
                parcels,
                path.resolve(),
                lib_path.resolve(),
                tuple(applied),
                geometry=geometry,
                adjacency=adjacent,
            ),
            file,
        )
    if problems:
        raise InputError(attribute(problems))
    warnings = attribute(_warnings(inst, parcels, file, str(parcel_path)) + geo_warnings)
    return LoadedInstance(
        inst,
        lib,
        parcels,
        path.resolve(),
        lib_path.resolve(),
        tuple(applied),
        warnings,
        geometry=geometry,
        adjacency=adjacent,
    )


def split_overrides(overrides: list[str] | tuple[str, ...]) -> tuple[str | None, list[str]]:
    """Split a plan's recorded overrides into (scenario path, ["key=value", ...])."""
    scenario, sets = None, []
    for o in overrides:
        if o.startswith("scenario="):
            scenario = o.partition("=")[2]
        else:
            sets.append(o)
    return scenario, sets


def bundled_instance_path(name: str) -> Path:
    """Path of a bundled instance (``nuanshui``, ``tiny``)."""
    p = bundled_dir("instances") / f"{name}.yaml"
    if not p.exists():
        raise InputError.one(name, "(instance)", "no bundled instance of that name", "use nuanshui or tiny")
    return p
