"""The checks of a loaded instance beyond its parcel table: schema errors worded as
problems (list elements named by id), ids given twice, cross-references between the
instance, the valuation library and the parcel table (villages, periods, uses, covers,
labour norms, projects), stated areas that the parcels must add up to, and the warnings
about suspicious but legal values.

Rules that no plan can meet whatever is decided need the model's data, so they are
checked in the model layer (:mod:`planner.model.checks`).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from pydantic import ValidationError

from planner.core.errors import InputError, Problem
from planner.core.units import AREA_UNITS_PER_HA, MU_PER_HA
from planner.instance.schema import ECO_SPACE_TYPES, RECIPIENTS, Instance, Library, ServiceCategory


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


def pydantic_problems(exc: ValidationError, file: str, raw: Any = None) -> list[Problem]:
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


def validate_instance(raw: Any, file: str) -> Instance:
    if not isinstance(raw, dict):
        raise InputError.one(
            file, "(top level)", "the instance must be a YAML mapping", "start the file with `name: ...` etc."
        )
    try:
        return Instance.model_validate(raw)
    except ValidationError as exc:
        raise InputError(pydantic_problems(exc, file, raw)) from None


def duplicate_ids(inst: Instance, file: str) -> list[Problem]:
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


def cross_check(inst: Instance, lib: Library, parcels: pd.DataFrame, file: str) -> list[Problem]:
    """The cross-references of a validated instance with itself, its library and its
    parcel table, and the stated areas, subject by subject; the order fixes the order in
    which the problems are reported."""
    return [
        *_targets(inst, lib, file),
        *_towns(inst, file),
        *_uses(inst, lib, parcels, file),
        *_policies(inst, lib, parcels, file),
        *_prices(inst, lib, file),
        *_roles(inst, lib, file),
        *_projects(inst, lib, file),
        *_objective(inst, file),
        *_stated_areas(inst, parcels, file),
    ]


def _targets(inst: Instance, lib: Library, file: str) -> list[Problem]:
    """Each target's period and village are the instance's, its service the library's (or a
    GEP category), and no two targets share an id."""
    p: list[Problem] = []
    periods = [x.id for x in inst.periods]
    villages = [v.id for v in inst.villages]
    services = [s.id for s in lib.services] + [c.value for c in ServiceCategory]
    seen: set[str] = set()
    for i, tg in enumerate(inst.targets):
        where = f"targets[{i}]"
        if tg.period not in periods:
            p.append(
                Problem(file, f"{where}.period", f"unknown period {tg.period!r}", f"use one of {periods}", tg.period)
            )
        if tg.village is not None and tg.village not in villages:
            p.append(
                Problem(
                    file, f"{where}.village", f"unknown village {tg.village!r}", f"use one of {villages}", tg.village
                )
            )
        if tg.service is not None and tg.service not in services:
            p.append(
                Problem(
                    file,
                    f"{where}.service",
                    f"unknown service {tg.service!r}",
                    f"use a service of library {lib.name!r} or a category: {services}",
                    tg.service,
                )
            )
        if tg.id is not None:
            if tg.id in seen:
                p.append(Problem(file, f"{where}.id", "duplicate id", "make target ids unique", tg.id))
            seen.add(tg.id)
    return p


def _towns(inst: Instance, file: str) -> list[Problem]:
    """At most one village is the central town."""
    towns = [v.id for v in inst.villages if v.is_town]
    if len(towns) > 1:
        return [
            Problem(file, "villages", f"more than one village is marked is_town: {towns}", "mark only the central town")
        ]
    return []


def _uses(inst: Instance, lib: Library, parcels: pd.DataFrame, file: str) -> list[Problem]:
    """The use policies: each use is the library's, its villages the instance's, and the
    parcel attribute it requires a column of the parcel table."""
    p: list[Problem] = []
    villages = {v.id for v in inst.villages}
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
    return p


def _policies(inst: Instance, lib: Library, parcels: pd.DataFrame, file: str) -> list[Problem]:
    """The policies: the scenic attribute is a parcel column; the protected covers, the
    ecological-space measures and the interactive-forest use are the library's; the periods
    named are the instance's; street green needs a central town."""
    p: list[Problem] = []
    periods = [x.id for x in inst.periods]
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
    return p


def _prices(inst: Instance, lib: Library, file: str) -> list[Problem]:
    """Each GEP multiplier names a cover or a use of the library."""
    p: list[Problem] = []
    for k in inst.prices.gep_multipliers:
        if k not in lib.covers and k not in lib.uses:
            p.append(
                Problem(file, f"prices.gep_multipliers.{k}", "not a cover or use of the library", "check the spelling")
            )
    return p


def _roles(inst: Instance, lib: Library, file: str) -> list[Problem]:
    """The roles: each norm is a labour norm of the library that ties the role to some work
    (the projects it staffs, or the kinds of use it plants or manages); its projects,
    villages and periods are the instance's."""
    p: list[Problem] = []
    villages = {v.id for v in inst.villages}
    periods = [x.id for x in inst.periods]
    projects = {x.id for x in inst.projects}
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
        hosts = {x.id: x.host_village for x in inst.projects}
        for j, n in (r.min_per_project or {}).items():
            host = hosts.get(j)
            if n > 0 and host is not None and r.villages is not None and host not in r.villages:
                p.append(
                    Problem(
                        file,
                        f"roles.{r.id}.min_per_project.{j}",
                        f"project {j!r} is hosted in {host!r}, where the role may not recruit (roles.{r.id}.villages)",
                        f"add {host!r} to roles.{r.id}.villages, or set the project's minimum to 0",
                    )
                )
        for t in r.periods or []:
            if t not in periods:
                p.append(Problem(file, f"roles.{r.id}.periods", f"unknown period {t!r}", f"use one of {periods}"))
    return p


def _projects(inst: Instance, lib: Library, file: str) -> list[Problem]:
    """The projects: each host village and earliest period is the instance's, and each
    prerequisite names uses and covers of the library and villages and projects of the
    instance."""
    p: list[Problem] = []
    villages = {v.id for v in inst.villages}
    periods = [x.id for x in inst.periods]
    projects = {x.id for x in inst.projects}
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
    return p


def _objective(inst: Instance, file: str) -> list[Problem]:
    """Each dividend recipient of the objective is one of :data:`RECIPIENTS`."""
    p: list[Problem] = []
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
    return p


def _stated_areas(inst: Instance, parcels: pd.DataFrame, file: str) -> list[Problem]:
    """The parcels add up to the township's and each village's stated area, within 1 % (a
    sign of mu/ha confusion when they do not)."""
    p: list[Problem] = []
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
#: Parcels above WARN_PARCEL_HA named one by one; more are one warning about the table
#: (a whole table in the wrong unit, not a few slips).
WARN_PARCELS_LISTED = 3
# One parcel entered in a smaller unit than the rest of the table (mu in a table in ha is
# 15 times too large) stands out from the parcels of its cover in its village. It is named
# when its area is at least OUTLIER_TIMES_MEDIAN times the median of the others and at
# least OUTLIER_GAP times the largest of them, with at least OUTLIER_MIN_OTHERS others to
# compare with (else the parcels of its cover in the whole township). 10 times the median
# leaves room for a slipped parcel that was smaller than the median (15 x 0.7); the gap
# keeps quiet the skewed groups of real registries, where a few large parcels are 10 to 60
# times the median but the largest is within 3 times the next: in the bundled Nuanshui
# table no parcel 10 times its group's median is more than 2.7 times the next largest.
OUTLIER_TIMES_MEDIAN = 10.0
OUTLIER_GAP = 3.0
OUTLIER_MIN_OTHERS = 5
#: The unit a parcel's area may have been entered in by mistake, by the table's unit.
_SMALLER_UNIT = {"ha": "mu (15 mu = 1 ha)", "mu": "m2 (666.7 m2 = 1 mu)"}


def _outlier(areas: pd.Series) -> tuple[Any, float, float] | None:
    """(label, median of the others, largest of the others) of the largest of ``areas`` when
    it stands out by :data:`OUTLIER_TIMES_MEDIAN` and :data:`OUTLIER_GAP`, else None."""
    if len(areas) < OUTLIER_MIN_OTHERS + 1:
        return None
    top = areas.idxmax()
    others = areas.drop(top)
    med, second = float(others.median()), float(others.max())
    a = float(areas[top])
    if a >= OUTLIER_TIMES_MEDIAN * med and a >= OUTLIER_GAP * second:
        return top, med, second
    return None


def area_outliers(inst: Instance, parcels: pd.DataFrame, parcel_file: str, row_label=None) -> list[Problem]:
    """Parcels whose area stands out from those of their cover in their village (or, with
    too few there, the township) as a unit slip would (:data:`OUTLIER_TIMES_MEDIAN`)."""
    unit = inst.parcels.area_unit
    per = AREA_UNITS_PER_HA[unit]
    row = row_label or (lambda i: f"row {i + 2}")
    attr = inst.parcels.columns.get("area")
    area_column = f"area ({attr})" if attr else "area"
    area = parcels["area_ha"]
    found: list[tuple[Any, float, float, str]] = []
    sizes = parcels.groupby(["village", "cover"])["area_ha"].transform("size")
    in_village = parcels[(sizes > OUTLIER_MIN_OTHERS).to_numpy()]
    for (village, _), group in in_village.groupby(["village", "cover"], sort=False)["area_ha"]:
        hit = _outlier(group)
        if hit:
            found.append((*hit, f"of village {village!r}"))
    for _, group in parcels.groupby("cover", sort=False)["area_ha"]:
        hit = _outlier(group)
        if hit and sizes[hit[0]] <= OUTLIER_MIN_OTHERS:  # else checked in its village
            found.append((*hit, "of the township"))
    w: list[Problem] = []
    for i, med, second, among in sorted(found, key=lambda f: f[0]):
        a = float(area[i])
        slip = f"; entered in {_SMALLER_UNIT[unit]}?" if unit in _SMALLER_UNIT else ""
        w.append(
            Problem(
                parcel_file,
                f"{row(i)} (parcel {parcels.at[i, 'id']!r}), column {area_column}",
                f"{a * per:,.6g} {unit}: {a / med:,.0f} times the median {parcels.at[i, 'cover']} parcel {among} "
                f"({med * per:,.6g} {unit}) and {a / second:,.1f} times the next largest ({second * per:,.6g} {unit})"
                + slip,
                f"check the area: parcels.area_unit ({unit}) applies to every row",
                float(a * per),
            )
        )
    return w


def instance_warnings(
    inst: Instance, parcels: pd.DataFrame, file: str, parcel_file: str, row_label=None, unit_slip: str | None = None
) -> list[Problem]:
    """Suspicious but legal inputs: returned as :attr:`LoadedInstance.warnings`, not raised.

    ``row_label(i)`` names parcel row i as the parcel table's messages do (``row 7`` of a
    CSV file, ``feature 6`` of a GIS layer). ``unit_slip``: the unit a GIS layer's stated
    areas look like being in, already reported (:func:`planner.instance.gis.unit_slip`), which
    explains parcels that look too large."""
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
    row = row_label or (lambda i: f"row {i + 2}")
    attr = inst.parcels.columns.get("area")
    area_column = f"area ({attr})" if attr else "area"
    unit = inst.parcels.area_unit
    if unit_slip is not None:
        pass  # the table's unit is reported once; its parcels are large because of it
    elif len(big) > WARN_PARCELS_LISTED:
        # many: a unit slip of the table, reported once with the total
        named = "; ".join(
            f"{row(i)} (parcel {parcels.at[i, 'id']!r}) {parcels.at[i, 'area_ha']:,.0f} ha"
            for i in big[:WARN_PARCELS_LISTED]
        )
        w.append(
            Problem(
                parcel_file,
                f"column {area_column}",
                f"{len(big):,} of {len(parcels):,} parcels are larger than {WARN_PARCEL_HA:,.0f} ha, together "
                f"{parcels.loc[big, 'area_ha'].sum():,.0f} ha of the table's {parcels['area_ha'].sum():,.0f} ha "
                f"({named}; ...)",
                f"check parcels.area_unit ({unit}): are the areas in "
                + ("mu (15 mu = 1 ha) or m2" if unit == "ha" else "m2" if unit == "mu" else "a smaller unit")
                + "?",
                len(big),
            )
        )
    else:
        for i in big:
            w.append(
                Problem(
                    parcel_file,
                    f"{row(i)} (parcel {parcels.at[i, 'id']!r}), column {area_column}",
                    f"parcel of {parcels.at[i, 'area_ha']:,.0f} ha (more than {WARN_PARCEL_HA:,.0f} ha)",
                    f"check the area and parcels.area_unit ({unit})",
                    float(parcels.at[i, "area_ha"]),
                )
            )
    return w + area_outliers(inst, parcels, parcel_file, row_label)
