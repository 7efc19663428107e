"""County (and prefecture) instances: several townships in one file, with optional
county-level rules.

A county instance is a YAML mapping with ``townships:``, a list of ``{id, file}`` (each
``file`` a township instance YAML as today, relative to the county file) and an optional
``county:`` section::

    name: demo_county
    townships:
      - {id: north, file: north/instance.yaml}
      - {id: south, file: south/instance.yaml}
    county:
      budget_pool_yuan: {"2025": 1000000, "2035": 500000}

``county.budget_pool_yuan`` is a county budget pool per period, shared by the townships:
each township may spend, beyond its own budget and loans, an allocation from the pool,
and the allocations of a period sum to at most the pool (formulation §9).
``county.targets`` are targets of the county's figures (the sum over the townships, or a
coverage of the county's whole area), written as a township's ``targets`` without
``village``; those with ``required: true`` are rules across the townships. Without a pool
or a required county target the townships are independent. A township instance stays valid as it is;
:func:`is_county` tells the two apart by the ``townships`` key.

Every problem found in the county file is reported at once, naming the file and field;
each township file is loaded by the ordinary loader (its problems name that file).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import Field, ValidationError

from planner.core.errors import InputError, Problem
from planner.instance.checks import pydantic_problems
from planner.instance.load import Check, LoadedInstance, load_instance
from planner.instance.overrides import deep_merge, parse_set, set_path
from planner.instance.safe_yaml import path_exists, read_yaml
from planner.instance.schema import ServiceCategory, Target, _Strict

#: The key that makes a YAML a county instance.
COUNTY_KEY = "townships"


class TownshipRef(_Strict):
    """A township of the county: its id and its instance file."""

    id: str = Field(min_length=1, description="Township id, unique in the county (tables carry it).")
    file: str = Field(min_length=1, description="The township instance YAML, relative to the county file.")


class CountyTarget(Target):
    """A target of the county's figure: the sum over its townships, or a coverage of the
    county's whole area; `required: true` makes it a rule across the townships (family `county`)."""

    id: str | None = Field(
        None,
        description="Identifier, for `--set county.targets.<id>.required=true` on the county and scenario files "
        "(null: the target is addressed by its position, `county.targets.0`).",
    )
    village: str | None = Field(
        None, description="Not for a county target (refused): a village's target goes in its township's file."
    )
    required: bool = Field(
        False,
        description="A rule across the townships: every county plan must meet it (rows `county_target`; the county "
        "is then solved as one model). false: only reported against the plan.",
    )


class CountyRules(_Strict):
    """Rules across the townships; none: the townships are independent."""

    budget_pool_yuan: dict[str, float] | None = Field(
        None,
        description="County budget pool per period id, shared by the townships beyond their own budgets.",
        json_schema_extra={"unit": "Yuan"},
    )
    targets: list[CountyTarget] = Field(
        default_factory=list,
        description="Targets of the county's figures: the sum over the townships (GEP, carbon income, dividends, "
        "budget used, areas, gardens, projects, people) or a coverage of the county's whole area. Written as a "
        "township's targets, without village; required: true makes one a rule across the townships.",
    )


class County(_Strict):
    """A county (or prefecture) instance (YAML): townships and county rules."""

    name: str = Field(min_length=1, description="County name, shown in plans.")
    description: str = Field("", description="What the county instance is.")
    townships: list[TownshipRef] = Field(min_length=1, description="The townships, in the order plans list them.")
    county: CountyRules = Field(default_factory=CountyRules, description="County rules.")


@dataclass(frozen=True)
class LoadedCounty:
    """A validated county: its townships (each a :class:`LoadedInstance`, in file order)
    and its county rules."""

    county: County
    path: Path
    townships: tuple[tuple[str, LoadedInstance], ...]
    overrides: tuple[str, ...] = field(default_factory=tuple)

    @property
    def name(self) -> str:
        return self.county.name

    @property
    def periods(self) -> list[str]:
        return [p.id for p in self.townships[0][1].instance.periods]

    @property
    def pool(self) -> dict[str, float] | None:
        """The county budget pool per period (Yuan), every period present (0 where not given);
        None without a pool."""
        given = self.county.county.budget_pool_yuan
        if given is None:
            return None
        return {t: float(given.get(t, 0.0)) for t in self.periods}

    @property
    def targets(self) -> list[tuple[str, Target]]:
        """The county targets with their keys (the id, else the position in ``county.targets``)."""
        return [(tg.id if tg.id else str(i), tg) for i, tg in enumerate(self.county.county.targets)]

    @property
    def required_targets(self) -> list[tuple[str, Target]]:
        """The county targets that are rules across the townships."""
        return [(k, tg) for k, tg in self.targets if tg.required]

    @property
    def linked(self) -> bool:
        """True when county rules link the townships (else each is solved on its own, exactly)."""
        return self.pool is not None or bool(self.required_targets)


def is_county(path: str | Path) -> bool:
    """True when ``path`` is a county instance (a YAML mapping with ``townships``)."""
    p = Path(path)
    if not path_exists(p) or p.is_dir() or p.suffix.lower() not in (".yaml", ".yml"):
        return False
    try:
        raw = read_yaml(p)
    except InputError:
        return False
    return isinstance(raw, dict) and COUNTY_KEY in raw


def load_county(
    path: str | Path,
    scenario: str | Path | None = None,
    sets: list[str] | None = None,
    *,
    checks: Sequence[Check] = (),
    township_loader: Callable[[Path], LoadedInstance] | None = None,
) -> LoadedCounty:
    """Load and validate a county instance and every township it names.

    ``scenario`` and ``sets`` override fields of the county file (``county.*``, ``name``);
    ``checks`` are passed to each township's loader (:func:`planner.instance.load.load_instance`).
    Raises :class:`InputError` listing every problem of the county file, or a township's."""
    path = Path(path)
    file = str(path)
    raw = read_yaml(path)
    if not isinstance(raw, dict):
        raise InputError.one(
            file, "(top level)", "a county instance must be a YAML mapping", "see docs/instance-format.md"
        )
    applied: list[str] = []
    if scenario is not None:
        over = read_yaml(Path(scenario))
        if not isinstance(over, dict):
            raise InputError.one(
                str(scenario), "(top level)", "a scenario must be a YAML mapping of fields to override", ""
            )
        raw = deep_merge(raw, over, str(scenario))
        applied.append(f"scenario={Path(scenario).resolve()}")
    for s in sets or []:
        key, value = parse_set(s)
        if key.split(".")[0] == COUNTY_KEY:
            raise InputError.one(
                "--set",
                key,
                "a county's --set changes the county file; a township's fields are in its own file",
                "change the township file, or give it a scenario of its own and solve it alone",
                s,
            )
        set_path(raw, key, value)
        applied.append(f"{key}={value!r}")
    try:
        county = County.model_validate(raw)
    except ValidationError as exc:
        raise InputError(pydantic_problems(exc, file, raw)) from None
    problems: list[Problem] = []
    seen: set[str] = set()
    for i, t in enumerate(county.townships):
        if t.id in seen:
            problems.append(Problem(file, f"townships.{i}.id", "duplicate township id", "make ids unique", t.id))
        seen.add(t.id)
        f = path.parent / t.file
        if not path_exists(f) or f.is_dir():
            problems.append(
                Problem(
                    file,
                    f"townships.{i}.file",
                    "township instance not found",
                    "give the path of the township's YAML, relative to the county file",
                    t.file,
                )
            )
    if problems:
        raise InputError(problems)
    load = township_loader or (lambda f: load_instance(f, checks=checks))
    townships = tuple((t.id, load(path.parent / t.file)) for t in county.townships)
    periods = [p.id for p in townships[0][1].instance.periods]
    for i, (tid, li) in enumerate(townships):
        mine = [p.id for p in li.instance.periods]
        if mine != periods:
            problems.append(
                Problem(
                    file,
                    f"townships.{i}",
                    f"township {tid!r} has periods {mine}, the first township {periods}",
                    "give every township of a county the same period ids, in the same order",
                    county.townships[i].file,
                )
            )
    pool = county.county.budget_pool_yuan
    if pool is not None:
        for t, v in pool.items():
            if t not in periods:
                problems.append(
                    Problem(
                        file,
                        f"county.budget_pool_yuan.{t}",
                        "not a period of the townships",
                        f"use one of the period ids {periods}",
                        t,
                    )
                )
            elif v < 0:
                problems.append(
                    Problem(file, f"county.budget_pool_yuan.{t}", "a pool cannot be negative", "give 0 or more", v)
                )
    problems += _target_problems(file, county, townships, periods)
    if pool is not None or any(tg.required for tg in county.county.targets):
        for i, (tid, li) in enumerate(townships):
            if li.instance.objective.mode != "weighted":
                problems.append(
                    Problem(
                        file,
                        f"townships.{i}",
                        f"township {tid!r} has objective.mode {li.instance.objective.mode}; "
                        "county rules (a budget pool, a required target) need every township's objective weighted",
                        "set objective.mode: weighted in the township file, or remove the county rule",
                        county.townships[i].file,
                    )
                )
    if problems:
        raise InputError(problems)
    return LoadedCounty(county, path.resolve(), townships, tuple(applied))


def _target_problems(
    file: str, county: County, townships: tuple[tuple[str, LoadedInstance], ...], periods: list[str]
) -> list[Problem]:
    """What is wrong with the county targets: a village named (a county target is the
    county's figure), a period the townships lack, a GEP service some township's
    valuation library lacks, two targets of one key (an id, or an unnamed one's position)."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for i, tg in enumerate(county.county.targets):
        at = f"county.targets.{i}"
        key = tg.id if tg.id else str(i)  # what the rows and tables call it (LoadedCounty.targets)
        if key in seen:
            problems.append(
                Problem(
                    file,
                    f"{at}.id",
                    f"two county targets are called {key!r} (an id, or the position of a target without one)",
                    "give every county target its own id",
                    tg.id,
                )
            )
        seen.add(key)
        if tg.village is not None:
            problems.append(
                Problem(
                    file,
                    f"{at}.village",
                    "a county target is the county's figure, summed over its townships",
                    "remove village; a village's target goes in its township's file",
                    tg.village,
                )
            )
        if tg.period not in periods:
            problems.append(
                Problem(file, f"{at}.period", "not a period of the townships", f"use one of {periods}", tg.period)
            )
        if tg.service is not None and tg.service not in {c.value for c in ServiceCategory}:
            lacking = [tid for tid, li in townships if tg.service not in {s.id for s in li.library.services}]
            if lacking:
                problems.append(
                    Problem(
                        file,
                        f"{at}.service",
                        f"not a service or category of the valuation library of township(s) {', '.join(lacking)}",
                        "use a service id or category every township's library has",
                        tg.service,
                    )
                )
    return problems


__all__ = ["County", "CountyRules", "CountyTarget", "LoadedCounty", "TownshipRef", "is_county", "load_county"]
