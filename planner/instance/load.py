"""Loading an instance: YAML + parcel table + valuation library -> a validated,
frozen :class:`LoadedInstance`.

Every shape of input is funnelled into one canonical form here (areas in ha, parcel
columns typed and checked, references resolved), so the model never sees raw input.
All problems of a file are collected and raised together as one :class:`InputError`.

The pieces live beside this module: safe YAML (:mod:`planner.instance.safe_yaml`), the
scenario overlay and ``--set`` overrides (:mod:`planner.instance.overrides`), the valuation
library (:mod:`planner.instance.library`), the parcel table (:mod:`planner.instance.tables`,
and :mod:`planner.instance.gis` for a GIS layer; per-parcel service quantities,
:mod:`planner.instance.quantities`) and the checks across them
(:mod:`planner.instance.checks`). :func:`load_instance` ties them together; the public
loader, :func:`planner.load_instance`, adds the checks that need the model's data.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from planner.core.errors import InputError, Problem
from planner.core.paths import bundled_dir
from planner.instance.adjacency import adjacency
from planner.instance.checks import cross_check, duplicate_ids, instance_warnings, validate_instance
from planner.instance.gis import is_gis, read_layer
from planner.instance.library import load_library, resolve_library
from planner.instance.overrides import attribute_problem, deep_merge, parse_set, set_path, split_overrides
from planner.instance.quantities import read_parcel_quantities
from planner.instance.safe_yaml import path_exists, read_yaml
from planner.instance.schema import Instance, Library
from planner.instance.tables import load_parcels, read_table

#: A further check of a loaded instance, run once every check of this layer has passed:
#: ``check(instance, file)`` returns its problems (``file``: the instance file to name).
Check = Callable[["LoadedInstance", str], list[Problem]]


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
    #: The further checks it was loaded with (:func:`load_instance`'s ``checks``), run again by
    #: :meth:`replace`: :func:`planner.load_instance` adds the rules no plan can ever meet.
    checks: tuple[Check, ...] = field(default=(), compare=False, repr=False)

    @property
    def name(self) -> str:
        return self.instance.name

    def replace(self, **changes: Any) -> LoadedInstance:
        """Return a copy with instance fields changed by dotted path, e.g.
        ``inst.replace(**{"prices.forestry_carbon_yuan_per_t": 80})``.

        The instance is loaded again through the full loader (schema, parcel table,
        library, cross-checks and the checks it was loaded with) with the recorded overrides
        plus these, so a change of ``valuation`` or ``parcels`` takes effect and every check
        runs."""
        scenario, sets = split_overrides(self.overrides)
        sets = sets + [f"{key}={json.dumps(value)}" for key, value in changes.items()]
        return load_instance(self.path, scenario=scenario, sets=sets, checks=self.checks)


def read_parcel_table(
    path: Path, inst: Instance, inst_file: str
) -> tuple[pd.DataFrame, Any, Callable[[int], str] | None]:
    """The parcel table as a frame under planner column names (``parcels.columns`` applied),
    for a GIS layer its :class:`planner.instance.gis.GisTable` (else None), and how
    messages name its row i (None: a CSV line, ``row i+2``)."""
    if not path_exists(path) or path.is_dir():
        what = "is a directory" if path_exists(path) else "not found"
        raise InputError.one(
            inst_file,
            "parcels.file",
            f"parcel table {path} {what}",
            "give the path of the CSV, Excel (.xlsx), Parquet or GIS (GeoPackage, GeoJSON, Shapefile) file, "
            "relative to the instance file",
            str(inst.parcels.file),
        )
    if is_gis(path):
        if inst.parcels.sheet is not None:
            raise InputError.one(
                inst_file,
                "parcels.sheet",
                f"only Excel workbooks (.xlsx) have sheets, and {path} is a GIS layer",
                "remove parcels.sheet (parcels.layer names a GIS file's layer)",
                inst.parcels.sheet,
            )
        gis = read_layer(path, inst.parcels, inst_file)
        return gis.frame, gis, lambda i: f"feature {i + 1}"
    table, row_label = read_table(path, inst.parcels.columns, inst_file, inst.parcels.sheet)
    return table, None, row_label


def confine(path: Path, root: str | Path, file: str, field: str, value: Any, allowed: Sequence[Path] = ()) -> None:
    """InputError unless ``path`` (links followed) lies inside ``root`` or one of ``allowed``."""
    real = Path(path).resolve()
    for folder in (Path(root), *allowed):
        if real.is_relative_to(Path(folder).resolve()):
            return
    raise InputError.one(
        file,
        field,
        "names a file outside the working folder",
        "upload the file with the instance and name it relative to the instance file (no absolute path, no '..')",
        str(value),
    )


def load_instance(
    path: str | Path,
    scenario: str | Path | None = None,
    sets: list[str] | dict[str, Any] | None = None,
    *,
    checks: Sequence[Check] = (),
    root: str | Path | None = None,
) -> LoadedInstance:
    """Load, overlay and validate an instance.

    Parameters
    ----------
    path: the instance YAML.
    scenario: optional overlay YAML whose fields override the instance's.
    sets: ``["path=value", ...]`` or ``{path: value}`` single-field overrides, applied last.
    checks: further checks, run on the loaded instance once every check here has passed
        (their problems are attributed to ``--set`` options and the scenario like the rest);
        the instance keeps them for :meth:`LoadedInstance.replace`.
    root: when given, the files the instance names (``parcels.file``, a ``valuation`` path)
        must lie inside this folder (after following links); a bundled library name is
        always allowed. ``planner serve`` loads uploaded instances this way, so that an
        uploaded file cannot make the loader read a file outside the app's working folder.

    Raises :class:`InputError` listing every problem found.
    """
    path = Path(path)
    file = str(path)
    raw = read_yaml(path)
    if not isinstance(raw, dict):
        raise InputError.one(file, "(top level)", "the instance must be a YAML mapping", "see docs/instance-format.md")
    if "townships" in raw:  # planner.instance.county.COUNTY_KEY (that module imports this one)
        raise InputError.one(
            file,
            "townships",
            "this is a county instance (several townships); this command plans one township",
            "plan the county with planner solve / validate / verify, or give one township's instance file",
        )
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

    def attribute(prs: list[Problem]) -> list[Problem]:
        return [
            attribute_problem(pr, over if scenario is not None else None, scenario, [k for k, _ in items]) for pr in prs
        ]

    try:
        inst = validate_instance(raw, file)
    except InputError as exc:
        raise InputError(attribute(exc.problems)) from None
    duplicates = duplicate_ids(inst, file)
    try:
        lib_path = resolve_library(inst.valuation, path)
        if root is not None:
            confine(lib_path, root, file, "valuation", inst.valuation, allowed=(bundled_dir("models"),))
        lib = load_library(lib_path)
        parcel_path = path.parent / inst.parcels.file
        if root is not None:
            confine(parcel_path, root, file, "parcels.file", inst.parcels.file)
        table, gis, row_label = read_parcel_table(parcel_path, inst, file)
        parcels = load_parcels(
            parcel_path,
            inst.parcels.area_unit,
            inst,
            lib,
            file,
            table=table,
            row_label=row_label,
        )
        # per-parcel quantities of a quantity_price library (parcels.quantities)
        parcels = read_parcel_quantities(parcels, inst, lib, file, str(parcel_path), row_label)
    except InputError as exc:
        # a parcels.* field given by --set or the scenario is named as such
        raise InputError(attribute(duplicates + exc.problems)) from None
    geometry = adjacent = None
    geo_warnings: list[Problem] = []
    geo_errors: list[Problem] = []
    if gis is not None:
        geometry = gis.geometry.set_axis(pd.Index(parcels["id"].tolist(), name="id"))
        found = adjacency(
            geometry,
            parcels["id"].tolist(),
            inst.parcels.adjacency_min_shared_m,
            inst.parcels.adjacency_tolerance_m,
            str(parcel_path),
        )
        adjacent, geo_warnings = found.pairs, gis.warnings + found.warnings
        geo_errors = found.errors
        if inst.policies.contiguous_gardens or inst.policies.contiguous_holdings:
            geo_errors = geo_errors + found.disconnected
    problems = duplicates + geo_errors + cross_check(inst, lib, parcels, file)
    if problems:
        raise InputError(attribute(problems))
    loaded = LoadedInstance(
        inst,
        lib,
        parcels,
        path.resolve(),
        lib_path.resolve(),
        tuple(applied),
        attribute(
            instance_warnings(
                inst, parcels, file, str(parcel_path), row_label, unit_slip=gis.unit_slip if gis is not None else None
            )
            + geo_warnings
        ),
        geometry=geometry,
        adjacency=adjacent,
        checks=tuple(checks),
    )
    problems = [pr for check in checks for pr in check(loaded, file)]
    if problems:
        raise InputError(attribute(problems))
    return loaded


def bundled_instance_path(name: str) -> Path:
    """Path of a bundled instance (``nuanshui``, ``tiny``)."""
    p = bundled_dir("instances") / f"{name}.yaml"
    if not p.exists():
        raise InputError.one(name, "(instance)", "no bundled instance of that name", "use nuanshui or tiny")
    return p
