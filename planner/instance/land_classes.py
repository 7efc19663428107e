"""Land classes in the parcel table's cover column (``parcels.cover_classes``): a table
that maps survey class codes and names (GB/T 21010-2017 third-survey codes, their ``K``
working classes, GB/T 21010-2007 second-survey codes; bundled as ``models/land_classes/gbt21010.yaml``,
or the user's own YAML table) to the library's cover classes.

A value is looked up as: a cover of the library (passes through unchanged, so a parcel
inside permanent basic farmland can say ``permanent_farmland``), a class code, a code with
``K`` (the base class: the land as it is now), a class name, or ``可调整`` + a class name.
Every value not found is listed in one problem, with its count of parcels.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd

from planner.core.errors import InputError, Problem
from planner.core.paths import bundled_dir
from planner.instance.safe_yaml import path_exists, read_yaml
from planner.instance.schema import Library

#: Bundled tables, by the name ``parcels.cover_classes`` gives.
BUNDLED = ("gbt21010",)
#: How many unmapped classes the one problem names before counting the rest.
MAX_SHOWN = 20
FIELD = "parcels.cover_classes"


def resolve_table(ref: str, inst_file: str) -> Path:
    """The YAML file of ``parcels.cover_classes``: a bundled name, or a path relative to
    the instance file."""
    if ref in BUNDLED:
        return bundled_dir("models") / "land_classes" / f"{ref}.yaml"
    p = Path(inst_file).parent / ref
    if path_exists(p) and not p.is_dir():
        return p
    raise InputError.one(
        inst_file,
        FIELD,
        f"land-class table {ref!r} not found (looked for {p})",
        f"use a bundled table {list(BUNDLED)} or the path of a YAML table relative to the instance file "
        "(same shape as models/land_classes/gbt21010.yaml)",
        ref,
    )


def read_table(path: Path) -> dict[str, tuple[str, str]]:
    """``classes`` of a land-class table: code -> (name, cover); every malformed entry named."""
    file = str(path)
    raw = read_yaml(path)
    classes = raw.get("classes") if isinstance(raw, dict) else None
    if not isinstance(classes, dict) or not classes:
        raise InputError.one(
            file,
            "classes",
            "a land-class table needs a mapping `classes` of class code -> {name, cover}",
            "see models/land_classes/gbt21010.yaml for the shape",
        )
    out: dict[str, tuple[str, str]] = {}
    problems = []
    for code, entry in classes.items():
        cover = entry.get("cover") if isinstance(entry, dict) else entry
        name = entry.get("name", "") if isinstance(entry, dict) else ""
        if not isinstance(cover, str) or not cover.strip():
            problems.append(
                Problem(file, f"classes.{code}", "no cover given", "write {name: ..., cover: <a planner cover>}", entry)
            )
            continue
        out[str(code).strip().upper()] = (str(name or "").strip(), cover.strip())
    by_name: dict[str, set[str]] = {}
    for name, cover in out.values():
        if name:
            by_name.setdefault(name, set()).add(cover)
    for name, covers in by_name.items():
        if len(covers) > 1:
            codes = [c for c, (n, _) in out.items() if n == name]
            problems.append(
                Problem(
                    file,
                    "classes",
                    f"name {name!r} (codes {codes}) maps to different covers {sorted(covers)}",
                    "map classes of one name to one cover, or rename one",
                    name,
                )
            )
    if problems:
        raise InputError(problems)
    return out


def lookup(table: dict[str, tuple[str, str]], covers: set[str]) -> dict[str, str]:
    """Every key a cover value may take -> the class code it stands for, or the cover
    itself for a library cover (marked by the key mapping to itself)."""
    keys: dict[str, str] = {}
    for code, (name, _cover) in table.items():
        keys[code] = code
        if not code.endswith("K"):
            keys.setdefault(code + "K", code)
        if name:
            keys.setdefault(name, code)
            keys.setdefault("可调整" + name, code)
    for c in covers:
        keys[c] = c
    return keys


def map_covers(
    cover: pd.Series,
    ref: str,
    lib: Library,
    inst_file: str,
    file: str,
    column: str,
) -> tuple[pd.Series, pd.Series]:
    """The cover column mapped through the table ``ref`` (``parcels.cover_classes``):
    (the planner's covers, the class codes as found). Unmapped values, and classes whose
    cover the library lacks, are one problem each."""
    path = resolve_table(ref, inst_file)
    table = read_table(path)
    if cover.dtype.kind in "iuf":
        raise InputError.one(
            file,
            f"column {column}",
            "the land classes are stored as numbers, so the leading zeros of their codes are lost "
            "(0103 reads as 103, the 2007 code of street land)",
            "store the class code as text in the file (e.g. '0103')",
            cover.iloc[0] if len(cover) else None,
        )
    text = cover.astype(object).where(cover.notna(), "").astype(str).str.strip()
    keys = lookup(table, set(lib.covers))
    norm = text.str.upper().where(text.str.fullmatch(r"[0-9]+[kK]") | text.str.fullmatch(r"[0-9]+"), text)
    code = norm.map(keys)
    missing = code.isna()
    problems = []
    if missing.any():
        counts = Counter(text[missing])
        shown = ", ".join(f"{v!r} ({n} parcel{'s' * (n != 1)})" for v, n in counts.most_common(MAX_SHOWN))
        more = len(counts) - MAX_SHOWN
        problems.append(
            Problem(
                file,
                f"column {column}",
                f"{len(counts)} land class{'es' * (len(counts) != 1)} of {int(missing.sum())} parcels not in "
                f"the land-class table {ref!r} ({path}): {shown}" + (f" and {more} more" if more > 0 else ""),
                "give the class code (e.g. 0103, 0307K) or name (e.g. 旱地) of the table, the planner's cover "
                f"name ({sorted(lib.covers)}), or map them in your own table ({FIELD}: path to a YAML file "
                "shaped like models/land_classes/gbt21010.yaml)",
            )
        )
    cov = code.map(lambda k: k if k in lib.covers else table[k][1] if isinstance(k, str) else None)
    used = sorted(k for k in code.dropna().unique() if k not in lib.covers)
    lacking = [(k, table[k][1]) for k in used if table[k][1] not in lib.covers]
    for k, c in lacking:
        problems.append(
            Problem(
                str(path),
                f"classes.{k}.cover",
                f"class {k} ({table[k][0]}) maps to cover {c!r}, which library {lib.name!r} does not have",
                f"map it to one of {sorted(lib.covers)} in your own table ({FIELD}), or add the cover to the library",
                c,
            )
        )
    if problems:
        raise InputError(problems)
    return cov.astype(str), text
