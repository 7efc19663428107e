"""What each constraint of the model means to a planner: its readable name, the unit of
one row, the names of its index, which instance field sets its limit, and whether it is
a policy a township could relax or a definition of the model (land is used once,
decisions accumulate, carbon areas are split), which the infeasibility diagnosis never
relaxes.

Model rows are in model units: hectares, people, counts of yes/no decisions, or money
in million Yuan (``planner.core.units.MONEY``). ``scale`` converts one row unit into the
planner unit named by ``unit`` (1 million Yuan = 1e6 Yuan), so a dual of the model
(million Yuan/yr of objective per row unit) becomes ``dual * MONEY / scale`` Yuan/yr per
planner unit.

``tests/test_explain_rows.py`` fails if a constraint of any rule family has no entry.
"""

from __future__ import annotations

from dataclasses import dataclass

from planner.core.units import MONEY


@dataclass(frozen=True)
class RowInfo:
    label: str  # readable rule name, as in docs/formulation.md
    unit: str  # planner unit of one row: ha, people, Yuan, Yuan/yr, garden, project, ...
    index: tuple[str, ...]  # names of the index positions
    scale: float = 1.0  # planner units per model row unit
    hard: bool = False  # a definition of the model, never relaxed by the diagnosis
    field: str = ""  # the instance field that sets the limit ({name} placeholders from the index)


HA = "ha"
PEOPLE = "people"

ROWS: dict[str, RowInfo] = {
    # land use: definitions
    "land_use_once": RowInfo(
        "each parcel's area used at most once",
        HA,
        ("parcel", "period"),
        hard=True,
        field="parcels table: area_ha of {parcel}",
    ),
    "land_use_cumulative": RowInfo(
        "land decisions accumulate over periods", HA, ("parcel", "use", "period"), hard=True
    ),
    "farmland_protection": RowInfo(
        "permanent basic farmland unchanged", HA, ("parcel", "use"), field="policies.farmland_protection"
    ),
    "red_line_type": RowInfo(
        "red-line space types unchanged", HA, ("parcel", "use"), field="policies.red_line_type_unchanged"
    ),
    "red_line_share": RowInfo("red-line ecological space share", HA, ("period",), field="policies.red_line_min_share"),
    "eco_space_no_decrease": RowInfo(
        "ecological space does not decrease", HA, ("period",), field="policies.ecological_space_no_decrease"
    ),
    "eco_space_measures": RowInfo(
        "measures allowed per ecological space", HA, ("parcel", "use"), field="policies.eco_space_measures"
    ),
    "village_permission": RowInfo(
        "use permitted only in listed villages", HA, ("parcel", "use"), field="uses.{use}.villages"
    ),
    "siting": RowInfo(
        "use sited only on parcels with the required attribute",
        HA,
        ("parcel", "use"),
        field="uses.{use}.require_attribute",
    ),
    "interactive_with_garden": RowInfo(
        "interactive forest combined with gardens",
        HA,
        ("village", "period"),
        field="policies.interactive_forest_per_garden_ha",
    ),
    "use_share_cap": RowInfo(
        "use capped at a share of its source cover",
        HA,
        ("village", "use", "period"),
        field="uses.{use}.max_share_of_cover",
    ),
    "scenic_whole": RowInfo("a scenic spot transforms a whole fruit forest", HA, ("parcel", "period"), hard=True),
    "scenic_eligible": RowInfo(
        "scenic spots only on eligible fruit forests",
        "scenic spot",
        ("parcel", "period"),
        field="policies.scenic_min_parcel_ha",
    ),
    "garden_size_max": RowInfo(
        "village garden at most the cap", HA, ("village", "period"), field="policies.garden_max_ha"
    ),
    "garden_size_min": RowInfo(
        "village garden at least the minimum", HA, ("village", "period"), field="policies.garden_min_ha"
    ),
    "garden_vegetation": RowInfo(
        "garden vegetation coverage", HA, ("village", "period"), field="policies.garden_vegetation_min"
    ),
    "garden_one_per_village": RowInfo(
        "one garden in every village", "garden", ("village",), field="policies.one_garden_per_village"
    ),
    "street_green_area": RowInfo("street green area matches the spaces built", HA, ("period",), hard=True),
    "street_green_min": RowInfo(
        "street green spaces, fewest", "street green space", ("which",), field="policies.street_green.count_min"
    ),
    "street_green_cumulative": RowInfo("street green spaces accumulate", "street green space", ("period",), hard=True),
    "vegetation_coverage": RowInfo(
        "vegetation coverage target", HA, ("period",), field="policies.vegetation_coverage_min"
    ),
    "forest_coverage": RowInfo("forest coverage target", HA, ("period",), field="policies.forest_coverage_min"),
    "project_cumulative": RowInfo("projects stay built", "project", ("project", "period"), hard=True),
    "project_earliest": RowInfo(
        "project not before its earliest period",
        "project",
        ("project", "period"),
        field="projects.{project}.earliest_period",
    ),
    "project_required": RowInfo("required project built", "project", ("project",), field="projects.{project}.required"),
    "project_prerequisite": RowInfo(
        "project prerequisite in place",
        "ha or project",
        ("project", "prerequisite", "period"),
        field="projects.{project}.prerequisites",
    ),
    "recruit_village": RowInfo(
        "role recruited only in its villages", PEOPLE, ("village", "role", "period"), field="roles.{role}.villages"
    ),
    "recruit_min": RowInfo("role minimum", PEOPLE, ("role", "period"), field="roles.{role}.min"),
    "recruit_min_active": RowInfo(
        "role minimum while its project works", PEOPLE, ("role", "project", "period"), field="roles.{role}.min"
    ),
    "recruit_max": RowInfo("role maximum", PEOPLE, ("role", "period"), field="roles.{role}.max"),
    "recruit_work_township": RowInfo(
        "work norm of a township role", "ha or people", ("role", "period"), hard=True, field="roles.{role}.norm"
    ),
    "recruit_work_village": RowInfo(
        "work norm of a village role",
        "ha or people",
        ("village", "role", "period"),
        hard=True,
        field="roles.{role}.norm",
    ),
    "labour_assign": RowInfo("recruits drawn from the role's groups", PEOPLE, ("village", "role", "period"), hard=True),
    "labour_pool": RowInfo(
        "village labour pool", PEOPLE, ("village", "group", "period"), field="villages.{village}.labour_pool.{group}"
    ),
    "carbon_split": RowInfo("carbon forest split between villager and collective", HA, ("parcel", "period"), hard=True),
    "carbon_individual_min": RowInfo(
        "individual carbon application only from 0.67 ha", HA, ("site", "period"), hard=True
    ),
    "carbon_individual_only": RowInfo("individual applicant's area", HA, ("parcel", "period"), hard=True),
    "carbon_collective_only": RowInfo("collective applicant's area", HA, ("parcel", "period"), hard=True),
    "carbon_individual_when_large": RowInfo(
        "villager applies individually from 0.67 ha", HA, ("site", "period"), hard=True
    ),
    # contiguity with parcel geometry (planner.model.contiguity): definitions of a site
    "carbon_stand": RowInfo("holding's forest parcel is part of its stand", HA, ("parcel", "period"), hard=True),
    "carbon_stand_min": RowInfo(
        "holding's stand uses at least a strip of each of its parcels",
        HA,
        ("parcel", "period"),
        hard=True,
        field="policies.contiguity_min_ha",
    ),
    "garden_site_parcel": RowInfo("garden parcel is part of the garden's site", HA, ("parcel", "period"), hard=True),
    "garden_site_parcel_min": RowInfo(
        "garden site uses at least a strip of each of its parcels",
        HA,
        ("parcel", "period"),
        hard=True,
        field="policies.contiguity_min_ha",
    ),
    **{
        f"{site}_{part}": RowInfo(f"{what}: {label}", unit, index, hard=True)
        for site, what, key in (
            ("garden_site", "garden on one contiguous site", "village"),
            ("carbon_stand", "holding's forest as one stand", "holding"),
        )
        for part, label, unit, index in (
            ("root_one", "one root parcel", "parcel", (key, "period")),
            ("root_sel", "root is a site parcel", "parcel", (key, "parcel", "period")),
            ("balance", "connection flow reaches each site parcel", "parcel", (key, "parcel", "period")),
            ("flow_from", "connection flow leaves only site parcels", "parcel", (key, "parcel", "to", "period")),
            ("flow_to", "connection flow enters only site parcels", "parcel", (key, "parcel", "to", "period")),
            ("in_site", "site parcels only while the site exists", "parcel", (key, "parcel", "period")),
            ("grows", "site parcels stay in the site", "parcel", (key, "parcel", "period")),
            ("root_stays", "a grown site keeps its root parcel", "parcel", (key, "parcel", "period")),
        )
    },
    "loan_gep": RowInfo(
        "GEP-value loan within its share of GEP", "Yuan", ("period",), scale=MONEY, field="finance.loan_to_gep"
    ),
    "loan_cap": RowInfo("GEP-value loan cap", "Yuan", ("period",), scale=MONEY, field="finance.loan_cap_yuan"),
    "budget": RowInfo("budget", "Yuan", ("period",), scale=MONEY, field="periods.{period}.budget_yuan"),
    "dividend_floor": RowInfo(
        "dividend floor per village",
        "Yuan/yr",
        ("village", "period"),
        scale=MONEY,
        field="policies.dividend_floor_yuan",
    ),
}

# rows added by the solve stages and by explanations, not by rule families
STAGE_ROWS: dict[str, RowInfo] = {
    "lexicographic_keep": RowInfo("earlier lexicographic goal held", "Yuan/yr", ("goal",), scale=MONEY, hard=True),
    "tie_break_keep": RowInfo("objective held during the tie-break", "Yuan/yr", (), scale=MONEY, hard=True),
    "whatif": RowInfo("forced or forbidden decision", "", ("spec",), hard=True),
}


def row_info(name: str) -> RowInfo:
    """The :class:`RowInfo` of a constraint component name (``lexicographic_keep_gep`` -> its stage row)."""
    if name in ROWS:
        return ROWS[name]
    for key, info in STAGE_ROWS.items():
        if name.startswith(key):
            return info
    raise KeyError(f"constraint {name!r} has no entry in planner.explain.rows.ROWS")


def index_dict(name: str, index: tuple) -> dict[str, object]:
    """{index name: value} for a row of constraint ``name``."""
    names = row_info(name).index
    return {n: v for n, v in zip(names, index)}


def describe(name: str, index: tuple) -> str:
    """A row in words: ``budget (period 2025)``."""
    info = row_info(name)
    parts = ", ".join(f"{k} {v}" for k, v in index_dict(name, index).items())
    return f"{info.label} ({parts})" if parts else info.label


def field_of(name: str, index: tuple) -> str:
    info = row_info(name)
    try:
        return info.field.format(**index_dict(name, index))
    except (KeyError, IndexError):
        return info.field
