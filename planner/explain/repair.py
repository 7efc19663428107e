"""Which rules a repair may relax and what each unit of relaxation costs, in Yuan-equivalents
(issue 19, item 3). The diagnosis (:mod:`planner.explain.diagnose`) minimises the sum of
these costs over the rules that may give.

Every relaxable row belongs to one *class* below; a planner names rules by class, by rule
family (``gardens``, ``budget``, ``recruitment``: :func:`planner.model.rules.families`) or by
constraint (``garden_one_per_village``), in the instance (``repair: {may_give: [...], keep:
[...], costs: {...}}``), on the command line (``--may-give``, ``--keep``, ``--repair-cost``)
or from Python (:class:`RepairSettings`). A cost named for a constraint beats one named
for its family, which beats the class default.

The defaults (Yuan-equivalents per unit of relaxation; docs/explaining.md §7 justifies
them) put money first: a repair raises a budget or a loan cap before it lowers a target,
drops a person, reshapes the land or drops a garden, and breaks a ban (permanent farmland,
red line, permissions) last. They are a planner's preference, not a measurement.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from planner.core.errors import InputError, Problem
from planner.model.rows import RowInfo
from planner.model.rules import families

#: class -> (constraints, Yuan-equivalent per planner unit, what the unit is, why)
CLASSES: dict[str, tuple[tuple[str, ...], float, str, str]] = {
    "money": (
        ("budget", "loan_cap"),
        1.0,
        "Yuan of budget or loan",
        "a Yuan is a Yuan",
    ),
    "dividends": (
        ("dividend_floor",),
        1.0,
        "Yuan/yr of a village's dividend floor",
        "a Yuan a year less for the village, valued like a Yuan of budget",
    ),
    "targets": (
        ("vegetation_coverage", "forest_coverage", "red_line_share", "eco_space_no_decrease"),
        1e6,
        "ha of a coverage, red-line or ecological-space target",
        "about a year of a hectare's GEP (Nuanshui: 65.6 bn Yuan/yr over 65,000 ha)",
    ),
    "people": (
        ("recruit_min", "recruit_min_active", "recruit_max", "recruit_village", "labour_pool"),
        1e6,
        "person of a recruitment range or labour pool",
        "more than a decade of the highest wage (80,000 Yuan/yr): money first",
    ),
    "land": (
        (),
        1e7,
        "ha of another land rule (garden size, use caps, prerequisites, carbon)",
        "the land's shape gives after its targets: ten times a target hectare",
    ),
    "decisions": (
        (
            "garden_one_per_village",
            "project_required",
            "project_earliest",
            "street_green_min",
            "scenic_eligible",
            "decisions",
        ),
        1e8,
        "garden, project, street green space or scenario decision dropped",
        "more than a township's yearly budget: a requirement gives only when money cannot",
    ),
    "bans": (
        ("farmland_protection", "red_line_type", "eco_space_measures", "village_permission", "siting"),
        1e8,
        "ha opened to a use a ban forbids (permanent farmland, red line, permissions)",
        "the law gives last",
    ),
}
CLASS_OF: dict[str, str] = {name: cls for cls, (names, *_r) in CLASSES.items() for name in names}
#: a required target's rows in another unit than ha (planner.model.rules.targets): their default cost per
#: unit follows what the unit is elsewhere, so a Yuan/yr of a GEP target is not priced like a hectare
TARGET_UNIT_COSTS: dict[str, float] = {
    "target_income": 1.0,  # per Yuan/yr, as a dividend floor
    "target_budget": 1.0,  # per Yuan, as a budget
    "target_people": 1e6,  # per person, as a recruitment range
    "target_gardens": 1e8,  # per garden, as a required garden
    "target_projects": 1e8,  # per project, as a required project
}
#: target rules whose attainable value a diagnosis reports (the most the land allows)
TARGET_ROWS = ("vegetation_coverage", "forest_coverage", "red_line_share", "dividend_floor")
#: the elastic objective's unit: a million Yuan-equivalents (keeps HiGHS's coefficients near 1)
OBJECTIVE_UNIT = 1e6


def class_of(name: str, info: RowInfo | None) -> str:
    """The class of constraint ``name`` (rows not listed are ``land`` when in ha, else by unit)."""
    if name in CLASS_OF:
        return CLASS_OF[name]
    if name.startswith("target"):
        return "targets"
    unit = info.unit if info else ""
    if unit.startswith("Yuan/yr"):
        return "dividends"
    if unit.startswith("Yuan"):
        return "money"
    if unit == "people":
        return "people"
    if unit in ("garden", "project", "street green space", "scenic spot", ""):
        return "decisions"
    return "land"


def is_target(name: str) -> bool:
    return name in TARGET_ROWS or name.startswith("target")


@dataclass
class RepairSettings:
    """Which rules may give and what a unit of each costs (Yuan-equivalents per planner unit).

    ``may_give``: names (classes, families, constraints) of the rules that may give; None:
    every rule a township could relax. ``keep``: names of rules that may not give (applied
    after ``may_give``). ``costs``: {name: Yuan-equivalent per unit}, overriding the defaults.
    """

    may_give: list[str] | None = None
    keep: list[str] = field(default_factory=list)
    costs: dict[str, float] = field(default_factory=dict)

    @classmethod
    def of(cls, value: Any) -> RepairSettings:
        if value is None:
            return cls()
        if isinstance(value, RepairSettings):
            return value
        if isinstance(value, Mapping):
            get = value.get
        else:
            get = lambda k, d=None: getattr(value, k, d)  # noqa: E731 - a pydantic model
        return cls(
            may_give=None if get("may_give") is None else [str(x) for x in get("may_give")],
            keep=[str(x) for x in get("keep") or []],
            costs={str(k): float(v) for k, v in (get("costs") or {}).items()},
        )

    def merged(self, may_give: Iterable[str] | None = None, keep: Iterable[str] = (), costs=None) -> RepairSettings:
        """These settings with command-line choices on top."""
        return RepairSettings(
            may_give=list(may_give) if may_give is not None else self.may_give,
            keep=[*self.keep, *keep],
            costs={**self.costs, **dict(costs or {})},
        )

    def check(self, families: Mapping[str, str], file: str = "(options)", where: str = "repair") -> None:
        """Raise InputError naming each unknown name (``families``: constraint -> family);
        ``file`` and ``where`` name the instance file and field (or the CLI option)."""
        known = set(CLASSES) | set(families) | set(families.values()) | set(CLASS_OF)
        problems = []
        for key, names in (("may_give", self.may_give or []), ("keep", self.keep), ("costs", list(self.costs))):
            bad = [n for n in names if n not in known and not n.startswith("target")]
            if bad:
                problems.append(
                    Problem(
                        file,
                        f"{where}.{key}" if where == "repair" else where,
                        f"unknown rule name(s) {bad}",
                        f"use a class ({', '.join(CLASSES)}), a rule family (e.g. gardens, budget) "
                        "or a constraint name (e.g. garden_one_per_village)",
                    )
                )
        bad_cost = [k for k, v in self.costs.items() if not v > 0]
        if bad_cost:
            problems.append(
                Problem(
                    file,
                    f"{where}.costs" if where == "repair" else where,
                    f"costs must be above 0: {bad_cost}",
                    "give a positive number of Yuan-equivalents per unit",
                )
            )
        if problems:
            raise InputError(problems)

    def gives(self, name: str, family: str, info: RowInfo | None) -> bool:
        """Whether constraint ``name`` (of ``family``) may give."""
        names = {name, family, class_of(name, info)}
        if self.may_give is not None and not names & set(self.may_give):
            return False
        return not names & set(self.keep)

    def cost(self, name: str, family: str, info: RowInfo | None) -> float:
        """Yuan-equivalents per planner unit of relaxing constraint ``name``."""
        for key in (name, family, class_of(name, info)):
            if key in self.costs:
                return self.costs[key]
        if name in TARGET_UNIT_COSTS:
            return TARGET_UNIT_COSTS[name]
        return CLASSES[class_of(name, info)][1]

    def describe(self, used: Iterable[tuple[str, str, RowInfo | None]] = ()) -> list[str]:
        """The costs in words, one per class (and per named override), and what may not give."""
        out = []
        for cls, (_n, default, _what, _why) in CLASSES.items():
            out.append(f"{SHORT[cls]} {_yuan(self.costs.get(cls, default))}")
        for k, v in self.costs.items():
            if k not in CLASSES:
                out.append(f"{k} {_yuan(v)}")
        return out


#: the classes' units in a few words, for the line a diagnosis prints
SHORT = {
    "money": "a Yuan of budget or loan",
    "dividends": "a Yuan/yr of dividend floor",
    "targets": "a ha of a coverage target",
    "people": "a person",
    "land": "a ha of another land rule",
    "decisions": "a garden, project, street green space or decision",
    "bans": "a ha against a ban",
}


def _yuan(v: float) -> str:
    """1, 250,000, 1 M, 2.5 M, 100 M."""
    if abs(v) >= 1e6:
        return f"{v / 1e6:,.6g} M"
    return f"{v:,.6g}"


def repair_field_names() -> dict[str, str]:
    """constraint -> family of every rule family's rows (for :meth:`RepairSettings.check`)."""
    return {name: f.FAMILY for f in families() for name in f.ROWS} | {"decisions": "decisions"}


__all__ = ["CLASSES", "OBJECTIVE_UNIT", "RepairSettings", "TARGET_ROWS", "TARGET_UNIT_COSTS", "class_of", "is_target"]
