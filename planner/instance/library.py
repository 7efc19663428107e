"""The valuation library: found from the instance's ``valuation`` (a bundled name, or a
path to a YAML file), read safely, validated, and its cross-references checked (the
services of equivalents and quantities, the covers a use may come from).

A library values GEP per hectare by one of two methods (``method``):

- ``equivalent_factor`` (the default, ``models/xie2015.yaml``): each cover's and use's
  ``equivalents`` x ``standard_equivalent_yuan_per_ha``;
- ``quantity_price`` (``models/gep_national.yaml``): each cover's and use's physical
  ``quantities`` (m3, t, kWh ... per ha per yr) x the services' ``price_yuan_per_unit``,
  as the national GEP accounting specification (NDRC/NBS 2022) and GB/T 46869-2025 do.
  Every price and quantity says where it comes from (``source``, ``status``, ``reason``).

Both are funnelled into one canonical form here: a ``quantity_price`` library is
returned with each cover's and use's ``equivalents`` set to quantity x price (Yuan/ha/yr)
and a standard equivalent of 1 Yuan/ha/yr, so the model and the verifier read the same
per-hectare Yuan values whichever method the library uses (``regional_scale``,
``prices.gep_scale`` and ``prices.gep_multipliers`` apply alike)."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from planner.core.errors import InputError, Problem
from planner.core.paths import bundled_dir
from planner.instance.checks import pydantic_problems
from planner.instance.safe_yaml import path_exists, read_yaml
from planner.instance.schema import LandClass, Library


def resolve_library(ref: str, inst_path: Path) -> Path:
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
        if path_exists(c) and not c.is_dir():
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
        raise InputError(pydantic_problems(exc, str(path), raw)) from None
    problems = library_problems(lib, str(path))
    if problems:
        raise InputError(problems)
    return canonical(lib)


def library_problems(lib: Library, file: str) -> list[Problem]:
    """The cross-references of a validated library and the rules of its method."""
    problems: list[Problem] = []
    svc = [s.id for s in lib.services]
    seen: set[str] = set()
    for s in svc:
        if s in seen:
            problems.append(Problem(file, f"services.{s}", "duplicate service id", "give each service once", s))
        seen.add(s)
    known = sorted(seen)
    groups: tuple[tuple[str, dict[str, LandClass]], ...] = (("covers", dict(lib.covers)), ("uses", dict(lib.uses)))
    for group, items in groups:
        for k, c in items.items():
            for field in ("equivalents", "quantities"):
                for s in getattr(c, field):
                    if s not in seen:
                        problems.append(
                            Problem(file, f"{group}.{k}.{field}.{s}", "unknown service", f"use one of {known}", s)
                        )
    for k, u in lib.uses.items():
        for c in u.from_covers:
            if c not in lib.covers:
                problems.append(
                    Problem(file, f"uses.{k}.from_covers", f"unknown cover {c!r}", f"use one of {sorted(lib.covers)}")
                )
    if lib.method == "equivalent_factor":
        problems += _equivalent_factor_problems(lib, groups, file)
    else:
        problems += _quantity_price_problems(lib, groups, file)
    return problems


def _equivalent_factor_problems(
    lib: Library, groups: tuple[tuple[str, dict[str, LandClass]], ...], file: str
) -> list[Problem]:
    problems: list[Problem] = []
    for group, items in groups:
        for k, c in items.items():
            if c.quantities:
                problems.append(
                    Problem(
                        file,
                        f"{group}.{k}.quantities",
                        "quantities are read only by a library with method: quantity_price",
                        "set method: quantity_price at the top of the library (then give prices and no "
                        "equivalents), or remove the quantities",
                    )
                )
    return problems


def _provenance(
    file: str, where: str, source: str, status: str | None, reason: str, fallback_source: str = ""
) -> list[Problem]:
    """A price or quantity must say where it comes from: seen (a source), derived (a
    source and the arithmetic) or estimate (the reasoning). A quantity with no status of its
    own is seen in its cover's or use's ``source`` (``fallback_source``)."""
    fix = (
        "give status: seen with source: (the citation), status: derived with source: and reason: (the "
        "arithmetic), or status: estimate with reason: (the reasoning)"
    )
    if status is None:
        if source or fallback_source:
            return []
        return [Problem(file, where, "no source and no status: every figure says where it comes from", fix)]
    if status == "seen" and not (source or fallback_source):
        return [Problem(file, f"{where}.source", "status seen without a source", fix)]
    if status == "derived" and not ((source or fallback_source) and reason):
        return [Problem(file, f"{where}.reason", "status derived needs the source and the arithmetic (reason)", fix)]
    if status == "estimate" and not reason:
        return [Problem(file, f"{where}.reason", "status estimate without the reasoning (reason)", fix)]
    return []


def _quantity_price_problems(
    lib: Library, groups: tuple[tuple[str, dict[str, LandClass]], ...], file: str
) -> list[Problem]:
    problems: list[Problem] = []
    for s in lib.services:
        where = f"services.{s.id}"
        if s.price_yuan_per_unit is None:
            problems.append(
                Problem(
                    file,
                    f"{where}.price_yuan_per_unit",
                    "missing price: method quantity_price values each service as quantity x price",
                    f"give the price in Yuan per {s.unit or 'unit'} of the service's quantity, with its source",
                )
            )
        else:
            problems += _provenance(file, where, s.source, s.status, s.reason)
        if not s.unit:
            problems.append(
                Problem(
                    file,
                    f"{where}.unit",
                    "missing unit: the quantities of covers and uses are per ha per yr in it",
                    "give the unit of the physical quantity (m3, t, tCO2, kWh, visit)",
                )
            )
    for group, items in groups:
        for k, c in items.items():
            if c.equivalents:
                problems.append(
                    Problem(
                        file,
                        f"{group}.{k}.equivalents",
                        "equivalents are not read by a library with method: quantity_price",
                        "give the physical quantities per ha per yr under `quantities` instead",
                    )
                )
            for s, q in c.quantities.items():
                problems += _provenance(file, f"{group}.{k}.quantities.{s}", q.source, q.status, q.reason, c.source)
    return problems


def canonical(lib: Library) -> Library:
    """The library in the form the model reads: for ``quantity_price``, each cover's and
    use's ``equivalents`` = quantity x price (Yuan/ha/yr) and a standard equivalent of 1."""
    if lib.method != "quantity_price":
        return lib
    price = {s.id: float(s.price_yuan_per_unit or 0.0) for s in lib.services}

    def valued(c: LandClass) -> dict[str, float]:
        return {s: q.amount * price[s] for s, q in c.quantities.items()}

    return lib.model_copy(
        update={
            "standard_equivalent_yuan_per_ha": 1.0,
            "covers": {k: c.model_copy(update={"equivalents": valued(c)}) for k, c in lib.covers.items()},
            "uses": {k: u.model_copy(update={"equivalents": valued(u)}) for k, u in lib.uses.items()},
        }
    )
