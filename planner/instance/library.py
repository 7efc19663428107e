"""The valuation library: found from the instance's ``valuation`` (a bundled name, or a
path to a YAML file), read safely, validated, and its cross-references checked (the
services of equivalents, the covers a use may come from)."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from planner.core.errors import InputError, Problem
from planner.core.paths import bundled_dir
from planner.instance.checks import pydantic_problems
from planner.instance.safe_yaml import path_exists, read_yaml
from planner.instance.schema import Library


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
