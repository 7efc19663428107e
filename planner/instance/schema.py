"""The instance and valuation-library schema: the single source of field names,
units, defaults and descriptions.

Validation, the JSON Schema (``planner schema``) and ``docs/instance-format.md`` are
all generated from the pydantic models below. Unknown keys are errors
(``extra="forbid"``), so a misspelt key never silently falls back to a default.

Units: areas in hectares (ha) unless a field says otherwise; money in Yuan; flows in
Yuan per year (Yuan/yr). Parcel tables may give areas in mu (15 mu = 1 ha) and say so
with ``parcels.area_unit``; they are converted on load.
"""

from __future__ import annotations

import functools
import types
import typing
from enum import Enum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from planner.core.kpis import TARGET_KPIS

#: Units of a parcel table's area column, in units per hectare (``parcels.area_unit``).

INCOME_SOURCES = ("carbon_trading", "cultural_tourism", "parking", "fruit", "supporting_facilities", "other")

RECIPIENTS = (
    "villagers",
    "village_collective",
    "township_government",
    "listed_company",
    "social_capital",
)


#: Largest amount of money (fields in Yuan, Yuan/yr, Yuan/ha, Yuan/t): ten trillion
#: Yuan, about a tenth of China's yearly GDP. A larger figure is a slip (extra zeros, a
#: unit), and would reach the solver as a coefficient it cannot work with (HiGHS refuses
#: coefficients of 1e15 and more; the model counts money in million Yuan).
MAX_YUAN = 1e13
#: Largest magnitude of any other number of an instance or library: HiGHS's own limit.
MAX_NUMBER = 1e15
#: Largest parcel: the land area of the Earth (a larger area is a unit slip or junk).
MAX_PARCEL_HA = 1.5e10


@functools.cache
def _number_shape(model: type, name: str) -> str | None:
    """ "number" for a field of ``model`` holding a number (int or float, or null),
    "mapping" for a mapping to numbers, else None."""
    annotation = model.model_fields[name].annotation
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    numbers = (int, float)
    if annotation in numbers or (
        origin in (typing.Union, types.UnionType)
        and any(a in numbers for a in args)
        and all(a in (*numbers, type(None)) for a in args)
    ):
        return "number"
    if origin is dict and len(args) == 2 and args[1] in numbers:
        return "mapping"
    return None


def _known_non_negative(v: dict[str, float], allowed: tuple[str, ...], what: str) -> dict[str, float]:
    """Keys among ``allowed`` and values >= 0, or a message saying which and what to use."""
    bad = [k for k in v if k not in allowed]
    if bad:
        raise ValueError(f"unknown {what}(s) {bad}; use {list(allowed)}")
    if any(x < 0 for x in v.values()):
        raise ValueError(f"every {what} value must be >= 0")
    return v


class _Strict(BaseModel):
    # NaN and infinity are never meaningful figures (a NaN budget or coefficient would
    # reach the solver), so they are refused everywhere: "Input should be a finite number".
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False)

    # Every number field (and mapping to numbers) of every model: true/false is not a
    # number (pydantic would read it as 1 or 0), and no figure is astronomically large.
    @field_validator("*", mode="before")
    @classmethod
    def _numbers_are_not_true_false(cls, v: Any, info: ValidationInfo) -> Any:
        shape = _number_shape(cls, info.field_name) if info.field_name else None
        if shape == "number" and isinstance(v, bool):
            raise PydanticCustomError("number_not_bool", "expected a number, got true/false")
        if shape == "mapping" and isinstance(v, dict):
            keys = [k for k, x in v.items() if isinstance(x, bool)]
            if keys:
                raise PydanticCustomError(
                    "number_not_bool", "expected numbers, got true/false for {keys}", {"keys": str(keys)}
                )
        return v

    @field_validator("*", mode="after")
    @classmethod
    def _not_astronomical(cls, v: Any, info: ValidationInfo) -> Any:
        shape = _number_shape(cls, info.field_name) if info.field_name else None
        if shape is None or v is None:
            return v
        money = "yuan" in (info.field_name or "")
        limit = MAX_YUAN if money else MAX_NUMBER
        values = v.items() if shape == "mapping" else [(None, v)]
        big = [k for k, x in values if abs(x) > limit]
        if big:
            where = "" if shape == "number" else " for {keys}"
            if money:
                raise PydanticCustomError(
                    "too_large",
                    "astronomically large amount of money (more than 1e13 Yuan, ten trillion)" + where,
                    {
                        "keys": str(big),
                        "fix": "give the amount in Yuan, at most 1e13: check for extra zeros or a unit slip",
                    },
                )
            raise PydanticCustomError(
                "too_large",
                "astronomically large (more than 1e15)" + where,
                {"keys": str(big), "fix": "give the value in the field's unit (see docs/instance-format.md)"},
            )
        return v


# ---------------------------------------------------------------------------
# Valuation and norm library (models/*.yaml)
# ---------------------------------------------------------------------------


class ServiceCategory(str, Enum):
    provisioning = "provisioning"
    regulating = "regulating"
    cultural = "cultural"


#: How a library's figure was obtained (``status`` of a price or a quantity): read in the
#: cited source, worked out from cited figures, or an informed guess.
COEFFICIENT_STATUSES = ("seen", "derived", "estimate")


class Service(_Strict):
    id: str = Field(description="Ecosystem service identifier, e.g. `soil_conservation`.")
    category: ServiceCategory = Field(description="GEP category: provisioning, regulating or cultural.")
    name: str = Field("", description="Readable name.")
    unit: str = Field(
        "",
        description="`method: quantity_price` libraries: the unit of the service's physical quantity (m3, t, "
        "tCO2, kWh, visit); quantities are per ha per yr in it.",
    )
    price_yuan_per_unit: float | None = Field(
        None,
        ge=0,
        description="`method: quantity_price` libraries (required there): the price of one unit of the "
        "quantity (market price, or the replacement cost the accounting method names).",
        json_schema_extra={"unit": "Yuan/unit"},
    )
    pricing: str = Field("", description="How the price is set (e.g. 'replacement cost: reservoir construction').")
    source: str = Field("", description="Where the price comes from (a citation).")
    status: Literal["seen", "derived", "estimate"] | None = Field(
        None,
        description="How the price was obtained: seen (read in `source`), derived (worked out from the figures of "
        "`source`, arithmetic in `reason`) or estimate (an informed guess, reasoning in `reason`). "
        "Without it a price with a `source` counts as seen; `method: quantity_price` libraries refuse a price with "
        "neither.",
    )
    reason: str = Field("", description="The arithmetic (derived) or the reasoning (estimate).")


class Quantity(_Strict):
    """A physical quantity per hectare and year of one service, with where it comes from."""

    amount: float = Field(
        ge=0,
        description="Physical quantity per ha per yr, in the service's `unit`.",
        json_schema_extra={"unit": "unit/ha/yr"},
    )
    source: str = Field("", description="Where the figure comes from (a citation).")
    status: Literal["seen", "derived", "estimate"] | None = Field(
        None,
        description="seen, derived or estimate (see Service.status). Without it (and for a bare number instead of "
        "this mapping) the quantity counts as seen in its `source`, else in the cover's or use's `source`; a "
        "quantity with neither is refused.",
    )
    reason: str = Field("", description="The arithmetic (derived) or the reasoning (estimate).")


class LandClass(_Strict):
    """Coefficients shared by a cover class and a land use (per hectare)."""

    description: str = Field("", description="What the class is.")
    equivalents: dict[str, float] = Field(
        default_factory=dict,
        description="Ecosystem-service value equivalents per ha, by service id (Xie et al. 2015 "
        "style). GEP Yuan/ha/yr = equivalent x standard_equivalent_yuan_per_ha x regional_scale.",
        json_schema_extra={"unit": "equivalent/ha"},
    )
    quantities: dict[str, Quantity] = Field(
        default_factory=dict,
        description="`method: quantity_price` libraries: physical quantity per ha per yr by service id, each a "
        "number or {amount, source, status, reason}. GEP Yuan/ha/yr = sum over services of amount x the service's "
        "price_yuan_per_unit x regional_scale. A service left out gives nothing. On load the values are put into "
        "`equivalents` (Yuan/ha/yr, with a standard equivalent of 1 Yuan), the form the model reads.",
    )
    vegetation_cover: float = Field(
        ge=0,
        le=1,
        description="Share of the area that counts as vegetated (vegetation coverage).",
        json_schema_extra={"unit": "fraction"},
    )
    forest: bool = Field(
        False, description="Counts as forest (forest coverage, rangers) if canopy_density >= the policy minimum."
    )
    canopy_density: float = Field(
        0.0, ge=0, le=1, description="Canopy density of the stand.", json_schema_extra={"unit": "fraction"}
    )
    ecological_space: bool = Field(description="Counts as ecological space (red line, 'only increases').")
    agricultural_carbon: bool = Field(
        False, description="Cropland whose crops can be declared for agricultural carbon trading."
    )
    income_yuan_per_ha_yr: float = Field(
        0.0,
        description="Net market income to the land's owner (fruit, crops).",
        json_schema_extra={"unit": "Yuan/ha/yr"},
    )
    subsidy_yuan_per_ha_yr: float = Field(
        0.0,
        ge=0,
        description="Public subsidy to the land's owner (e.g. public-welfare forest).",
        json_schema_extra={"unit": "Yuan/ha/yr"},
    )
    source: str = Field("", description="Where the coefficients come from, and whether seen or estimated.")

    @field_validator("quantities", mode="before")
    @classmethod
    def _bare_amounts(cls, v: Any) -> Any:
        """A bare number is {amount: number}; true/false is not a number."""
        if not isinstance(v, dict):
            return v
        out = {}
        for k, x in v.items():
            if isinstance(x, bool):
                raise PydanticCustomError(
                    "number_not_bool", "expected a number for {key}, got true/false", {"key": str(k)}
                )
            out[k] = {"amount": x} if isinstance(x, (int, float)) else x
        return out


class Cover(LandClass):
    """A current cover class of a parcel."""


class UseKind(str, Enum):
    forest = "forest"
    fruit = "fruit"
    courtyard = "courtyard"
    scenic_fruit = "scenic_fruit"
    garden_vegetation = "garden_vegetation"
    garden_facility = "garden_facility"
    street_green = "street_green"


#: The use kinds that make up a village garden (the gardens rule family); read by the
#: model and by the independent verifier, which may not import the model.
GARDEN_KINDS = (UseKind.garden_vegetation.value, UseKind.garden_facility.value)


class Use(LandClass):
    """A land use the planner may assign to (part of) a parcel."""

    kind: UseKind = Field(
        description="Which rule families apply: forest, fruit, courtyard, scenic_fruit, "
        "garden_vegetation, garden_facility, street_green."
    )
    from_covers: list[str] = Field(description="Cover classes this use can physically be established on.")
    establishment_cost_yuan_per_ha: float = Field(
        ge=0,
        description="One-off cost of establishing one ha, charged to the period's budget.",
        json_schema_extra={"unit": "Yuan/ha"},
    )
    forestry_carbon: bool = Field(
        False, description="Can be registered as a carbon-sequestration forest (forestry carbon)."
    )


class CarbonMethod(_Strict):
    t_per_mu_per_yr: float = Field(
        gt=0, description="Sequestration credited per mu per year.", json_schema_extra={"unit": "t/mu/yr"}
    )
    source: str = Field("", description="Where the figure comes from.")


class LabourNormKind(str, Enum):
    planting = "planting"  # ha established per person per year
    area_managed = "area_managed"  # ha looked after per person
    per_project = "per_project"  # people per project standing (staff, operators)
    per_project_built = "per_project_built"  # people per project being built in the period (construction crews)
    fixed = "fixed"  # only the recruitment range applies


class LabourNorm(_Strict):
    """How many people a role's work needs."""

    kind: LabourNormKind = Field(
        description="planting (ha/person/yr), area_managed (ha/person), per_project (people per project "
        "standing), per_project_built (people per project built during the period) or fixed."
    )
    value: float = Field(0.0, ge=0, description="The norm in the unit its kind implies.")
    use_kinds: list[UseKind] = Field(
        default_factory=list, description="Use kinds whose area drives the norm (planting, area_managed)."
    )
    source: str = Field("", description="Source or reasoning.")


class Library(_Strict):
    """A valuation and norm library (``models/NAME.yaml``)."""

    name: str
    description: str = ""
    method: Literal["equivalent_factor", "quantity_price"] = Field(
        "equivalent_factor",
        description="How GEP per ha is valued. equivalent_factor: each cover's and use's `equivalents` x "
        "`standard_equivalent_yuan_per_ha` (Xie et al. 2015). quantity_price: each cover's and use's physical "
        "`quantities` x the services' `price_yuan_per_unit` (the national GEP accounting specification, "
        "NDRC/NBS 2022, and GB/T 46869-2025); every price and quantity then says where it comes from (`source`, "
        "`status`, `reason`). Parcel tables may then give per-parcel quantities (`parcels.quantities`).",
    )
    standard_equivalent_yuan_per_ha: float | None = Field(
        None,
        gt=0,
        description="Value of one standard equivalent (required with method equivalent_factor; a quantity_price "
        "library leaves it out).",
        json_schema_extra={"unit": "Yuan/ha/yr"},
        validate_default=True,
    )
    regional_scale: float = Field(1.0, gt=0, description="Regional multiplier on all GEP values of the library.")
    services: list[Service]
    covers: dict[str, Cover]
    uses: dict[str, Use]
    carbon_methods: dict[Literal["forestry", "agricultural"], CarbonMethod]
    labour_norms: dict[str, LabourNorm] = Field(default_factory=dict)
    sources: list[str] = Field(default_factory=list)

    @field_validator("standard_equivalent_yuan_per_ha")
    @classmethod
    def _equivalent_with_its_method(cls, v: float | None, info: ValidationInfo) -> float | None:
        method = info.data.get("method")
        if method == "equivalent_factor" and v is None:
            raise ValueError(
                "required with method equivalent_factor: give the value of one standard equivalent in Yuan/ha/yr "
                "(Xie et al. 2015: 3406.5), or set method: quantity_price and give quantities and prices"
            )
        if method == "quantity_price" and v is not None:
            raise ValueError("not used with method quantity_price (GEP is quantity x price): remove it")
        return v


# ---------------------------------------------------------------------------
# Instance
# ---------------------------------------------------------------------------


class Township(_Strict):
    name: str = Field(description="Township name.")
    name_zh: str = Field("", description="Chinese name (中文名称), shown when the output language is Chinese.")
    stated_area_ha: float | None = Field(
        None,
        gt=0,
        description="Township area as stated by the source; parcel areas must add up to it within 1%.",
        json_schema_extra={"unit": "ha"},
    )


class Period(_Strict):
    id: str = Field(description="Period label used everywhere else, e.g. '2025'.")
    year: int = Field(description="Milestone year the period ends in.")
    years: float = Field(
        gt=0, description="Length of the period (planting capacity, wages).", json_schema_extra={"unit": "yr"}
    )
    weight: float = Field(1.0, ge=0, description="Weight of this period's annual flows in the objective.")
    gep_price_index: float = Field(
        1.0,
        gt=0,
        description="Multiplier on GEP unit values in this period (price and accounting growth).",
    )
    budget_yuan: float = Field(
        ge=0,
        description="Money available for establishment, projects and wages in the period.",
        json_schema_extra={"unit": "Yuan"},
    )


class LabourPool(_Strict):
    residents: int = Field(
        0, ge=0, description="People living in the village who can be recruited.", json_schema_extra={"unit": "people"}
    )
    outside: int = Field(
        0, ge=0, description="Villagers living outside who can be recruited.", json_schema_extra={"unit": "people"}
    )
    returning: int = Field(
        0, ge=0, description="Returning residents who can be recruited.", json_schema_extra={"unit": "people"}
    )


class Village(_Strict):
    id: str = Field(description="Village identifier used in the parcel table.")
    name: str = Field("", description="Readable name.")
    name_zh: str = Field("", description="Chinese name (中文名称), shown when the output language is Chinese.")
    is_town: bool = Field(False, description="The central town (street green spaces; no village garden rule).")
    labour_pool: LabourPool = Field(default_factory=LabourPool, description="Recruitable people by group.")
    stated_area_ha: float | None = Field(
        None,
        gt=0,
        description="Stated village area; parcels must add up to it within 1%.",
        json_schema_extra={"unit": "ha"},
    )


class ParcelQuantity(_Strict):
    """Where a parcel table gives one service's quantity (``parcels.quantities``)."""

    column: str = Field(description="The column (GIS: attribute) holding the quantity.")
    per: Literal["ha", "parcel"] = Field(
        "ha",
        description="ha: quantity per ha per yr; parcel: the parcel's whole quantity per yr (divided by its area).",
    )


class ParcelSource(_Strict):
    file: str = Field(
        description="Parcel table, relative to the instance file: CSV (UTF-8 or GBK/GB18030), an Excel workbook "
        "(.xlsx, .xlsm) or Parquet, or a GIS layer "
        "(GeoPackage .gpkg, GeoJSON .geojson/.json, Shapefile .shp; needs `pip install 'planner[geo]'`)."
    )
    area_unit: Literal["ha", "mu", "m2"] = Field(
        "ha",
        description="Unit of the table's `area` column; mu (15 mu = 1 ha) and m2 (10,000 m2 = 1 ha) are converted.",
    )
    layer: str | None = Field(
        None, description="GIS files: the layer to read (null: the file's only layer, or its first)."
    )
    sheet: str | int | None = Field(
        None,
        description="Excel workbooks (.xlsx): the sheet holding the parcel table, by name (`sheet: 地块`) or by "
        "position counting from 1 (`sheet: 2`: the second sheet; a name made of digits goes in quotes, "
        '`sheet: "2024"`). null: the first sheet.',
    )
    columns: dict[str, str] = Field(
        default_factory=dict,
        description="Attribute mapping, planner field -> the file's attribute name, for a registry whose "
        "attributes are named differently (e.g. {id: PARCEL_NO, area: AREA_MU}). Unmapped fields are read under "
        "their own names.",
    )
    crs: str | None = Field(
        None,
        description="GIS files: the layer's own coordinate system (e.g. EPSG:4546, EPSG:4490), for a layer that "
        "declares none: a Shapefile without .prj, or a GeoJSON without a `crs` member (which GDAL would otherwise "
        "read as WGS 84 degrees, EPSG:4326). A layer that declares a different system is refused: its own system "
        "is not overridden. null: the system the layer declares.",
    )
    area_crs: str | None = Field(
        None,
        description="GIS files: the projected coordinate system areas are measured in (e.g. EPSG:4546) when the file "
        "is in geographic coordinates (degrees). null: the file's own system, which must then be projected.",
    )
    cover_classes: str | None = Field(
        None,
        description="What the `cover` column holds. null: the library's cover names. `gbt21010`: land survey "
        "classes, mapped by the bundled table (models/land_classes/gbt21010.yaml): GB/T 21010-2017 codes "
        "(third survey, e.g. "
        "0103), their working classes with a K suffix (0307K), GB/T 21010-2007 codes (second survey, e.g. 013) "
        "or the classes' Chinese names (旱地). Or a path (relative to the instance file) to your own YAML table of "
        "the same shape. A library cover name passes through unchanged (e.g. permanent_farmland, which is a "
        "designation, not a survey class).",
    )
    quantities: dict[str, ParcelQuantity] = Field(
        default_factory=dict,
        description="Per-parcel physical quantities of a `method: quantity_price` library's services (e.g. "
        "InVEST outputs joined to the parcels): service id -> the table's column (a name, or {column, per}; per: "
        "ha (default) or parcel, the parcel's total, divided by its area). A number overrides the library's "
        "quantity for the parcel's current cover, on the land left under that cover; land put to a use takes "
        "the use's quantities. An empty cell keeps the cover's quantity.",
    )
    area_tolerance: float = Field(
        0.01,
        ge=0,
        description="GIS files with an area attribute: a stated area differing from the geometry's area by more "
        "than this share is reported (a warning; the stated area is used).",
    )
    adjacency_min_shared_m: float = Field(
        1.0,
        gt=0,
        description="GIS files: parcels are adjacent when their boundaries share at least this length (m); "
        "touching at a corner is not adjacency.",
        json_schema_extra={"unit": "m"},
    )
    adjacency_tolerance_m: float = Field(
        0.5,
        ge=0,
        description="GIS files: boundaries within this distance (m) of each other count as shared, so parcels whose "
        "boundaries run this close for at least `adjacency_min_shared_m` are adjacent, across hairline gaps and "
        "small overlaps alike. Real layers need it: neighbours digitised by hand or reprojected do not share "
        "vertices, and their common boundaries lie apart by millimetres to decimetres; 0.5 m is below what a "
        "parcel boundary is surveyed to (about 1 m in rural cadastres) and far below a parcel's width. Overlaps "
        "wider than this are reported. 0: only exactly shared lines count.",
        json_schema_extra={"unit": "m"},
    )

    @field_validator("quantities", mode="before")
    @classmethod
    def _column_names(cls, v: Any) -> Any:
        """A bare column name is {column: name} (per ha)."""
        if not isinstance(v, dict):
            return v
        return {k: ({"column": x} if isinstance(x, str) else x) for k, x in v.items()}

    @field_validator("sheet", mode="before")
    @classmethod
    def _sheet(cls, v: Any) -> Any:
        if isinstance(v, bool):
            raise ValueError("a sheet is named, or given by its position counting from 1, not true/false")
        if isinstance(v, int) and v < 1:
            raise ValueError("sheet positions count from 1 (1: the first sheet); give a position or the sheet's name")
        return v


class UsePolicy(_Strict):
    enabled: bool = Field(True, description="Whether the use may be chosen at all.")
    villages: list[str] | None = Field(
        None, description="Village permission: the use is allowed only in these villages (null: all)."
    )
    require_attribute: str | None = Field(
        None,
        description="Siting rule: allowed only on parcels whose boolean attribute of this name is true "
        "(e.g. ornamental forest along transit roads or beside fruit forests).",
    )
    max_share_of_cover: float | None = Field(
        None,
        ge=0,
        le=1,
        description="At most this share of each village's source-cover area (e.g. a 'moderate' courtyard economy).",
    )


class StreetGreen(_Strict):
    count_min: int = Field(1, ge=0, description="Fewest new street green spaces in the central town.")
    count_max: int = Field(2, ge=0, description="Most new street green spaces in the central town.")
    size_ha: float = Field(0.5, gt=0, description="Area of one street green space.", json_schema_extra={"unit": "ha"})
    by_period: str | None = Field(None, description="Period by which the minimum must be met (null: first period).")

    @model_validator(mode="after")
    def _order(self) -> StreetGreen:
        if self.count_min > self.count_max:
            raise ValueError(
                f"count_min ({self.count_min}) is above count_max ({self.count_max}); lower count_min or raise "
                "count_max"
            )
        return self


class Policies(_Strict):
    """Switchable rules ("policy" in the requirements). null switches a target off."""

    farmland_protection: bool = Field(True, description="Permanent basic farmland stays unchanged [P §3.3].")
    protected_farmland_covers: list[str] = Field(
        ["permanent_farmland"], description="Cover classes that are permanent basic farmland."
    )
    red_line_type_unchanged: bool = Field(
        True, description="Inside the red line the type of space stays unchanged [P §3.3]."
    )
    red_line_min_share: float | None = Field(
        None,
        ge=0,
        le=1,
        description="Ecological space inside the red line keeps at least this share of the territory "
        "(national key ecological function areas: 0.7384 [N §2.2]).",
    )
    ecological_space_no_decrease: bool = Field(
        True, description="Ecological space only increases, never decreases [P §3.3]."
    )
    eco_space_measures: dict[str, list[str]] | None = Field(
        None,
        description="Per ecological-space type, the uses allowed on its parcels (targeted measures). "
        "null: no restriction.",
    )
    vegetation_coverage_min: float | None = Field(
        None, ge=0, le=1, description="Township vegetation coverage target [P §4.1]."
    )
    forest_coverage_min: float | None = Field(None, ge=0, le=1, description="Township forest coverage target.")
    forest_canopy_min: float = Field(
        0.2, ge=0, le=1, description="Arbor stands count as forest only at this canopy density or above [P §4.4(1)]."
    )
    garden_max_ha: float = Field(
        20.0, gt=0, description="Largest village garden [P §4.4(1)].", json_schema_extra={"unit": "ha"}
    )
    garden_min_ha: float = Field(
        1.0,
        gt=0,
        description="Smallest garden worth building (assumption); positive, so a garden "
        "counted by 'one garden per village' has area.",
        json_schema_extra={"unit": "ha"},
    )
    garden_vegetation_min: float = Field(
        0.9, ge=0, le=1, description="Vegetation coverage inside each garden [P §4.4(1)]."
    )
    one_garden_per_village: bool = Field(
        True, description="Every village (not the town) has its garden by `garden_by_period` [P §4.4(1)]."
    )
    garden_by_period: str | None = Field(
        None, description="Period of the 'one garden per village' target (null: first period)."
    )
    street_green: StreetGreen | None = Field(
        default_factory=StreetGreen, description="1-2 new street green spaces in the central town [P §4.4(1)]."
    )
    interactive_forest_per_garden_ha: float | None = Field(
        None,
        ge=0,
        description="Interactive forest is combined with gardens: at most this many ha per ha of garden "
        "in the village.",
    )
    interactive_forest_use: str = Field(
        "interactive_forest", description="The use the interactive-forest rule applies to."
    )
    scenic_min_parcel_ha: float = Field(
        0.0,
        ge=0,
        description="Scenic transformation only of fruit forests at least this large.",
        json_schema_extra={"unit": "ha"},
    )
    scenic_require_attribute: str | None = Field(
        "mature", description="Scenic transformation only where this boolean parcel attribute is true."
    )
    individual_carbon_min_ha: float = Field(
        0.67,
        ge=0,
        description="A villager applies individually only for contiguous artificial arbor forest of at least this area "
        "on own land; otherwise the collective applies [P §4.4(2)].",
        json_schema_extra={"unit": "ha"},
    )
    contiguous_gardens: bool = Field(
        True,
        description="With parcel geometry (a GIS parcel layer): each village garden lies on one contiguous site, i.e. "
        "the parcels it uses are connected through shared boundaries [P §4.4(1), 'one garden per village']. No "
        "effect without geometry.",
    )
    contiguous_holdings: bool = Field(
        True,
        description="With parcel geometry and an `owner` column: a holder's adjacent parcels form one holding whose "
        "artificial arbor forest counts together for `individual_carbon_min_ha` [P §4.4(2), 'continuously "
        "distributed']. "
        "No effect without geometry.",
    )
    contiguity_min_ha: float = Field(
        0.1,
        gt=0,
        description="A parcel is part of a contiguous site (garden, forest stand) only with at least this much of it "
        "in the site (or all of it, if smaller), so that a site cannot pass through a parcel it does not use. "
        "Assumption: "
        "0.1 ha is about a 10 m wide strip across a 100 m parcel.",
        json_schema_extra={"unit": "ha"},
    )
    garden_bridge_width_ratio: float = Field(
        0.5,
        ge=0,
        description="With parcel geometry and `contiguous_gardens`: where a garden's site continues through a parcel "
        "to two other parcels of the site, the garden takes at least this ratio times the square of the distance "
        "between the two stretches of boundary it joins (a piece at least this fraction as wide as the gap is long), "
        "or all of the parcel, so that a garden is not joined through a strip. 0 turns it off. Assumption: 0.5 "
        "admits a piece twice as long as it is wide; a 20 ha garden can then bridge at most about 630 m.",
    )
    recruitment_ranges: bool = Field(True, description="Recruitment per role inside its range [P §4.4(3)].")
    labour_pools: bool = Field(True, description="Recruits come from village labour pools [P §3.3].")
    dividend_floor_yuan: float | None = Field(
        None,
        ge=0,
        description="Each village's dividend (villagers + collective) at least this, every period (common prosperity).",
        json_schema_extra={"unit": "Yuan/yr"},
    )

    @model_validator(mode="after")
    def _garden_range(self) -> Policies:
        if self.garden_min_ha > self.garden_max_ha:
            raise ValueError(
                f"garden_min_ha ({self.garden_min_ha:g}) is above garden_max_ha ({self.garden_max_ha:g}); "
                "lower garden_min_ha or raise garden_max_ha"
            )
        return self


class Prices(_Strict):
    forestry_carbon_yuan_per_t: float = Field(
        58.0, ge=0, description="Forestry carbon price [P §4.4(2)].", json_schema_extra={"unit": "Yuan/t"}
    )
    agricultural_carbon_yuan_per_t: float = Field(
        10.0, ge=0, description="Agricultural carbon price [P §4.4(2)].", json_schema_extra={"unit": "Yuan/t"}
    )
    agricultural_carbon_participation: float = Field(
        1.0,
        ge=0,
        le=1,
        description="Share of remaining cropland whose crops are declared for agricultural carbon.",
    )
    gep_scale: float = Field(
        1.0,
        gt=0,
        description="Regional calibration multiplier on every GEP coefficient of the library "
        "(state the reasoning in `assumptions`).",
    )
    gep_multipliers: dict[str, float] = Field(
        default_factory=dict,
        description="Multiplier on the GEP coefficients of a cover or use (sensitivity).",
    )
    establishment_cost_multiplier: float = Field(1.0, ge=0, description="Multiplier on every establishment cost.")

    @field_validator("gep_multipliers")
    @classmethod
    def _multipliers(cls, v: dict[str, float]) -> dict[str, float]:
        negative = [k for k, x in v.items() if x < 0]
        if negative:
            raise ValueError(
                f"multipliers must be >= 0 (a negative one would turn the GEP of {negative} into a cost); "
                "give 0 to count none of their GEP"
            )
        return v


class Finance(_Strict):
    loans_enabled: bool = Field(False, description="Allow GEP-value loans [P §4.4(2)].")
    loan_to_gep: float = Field(0.0, ge=0, description="Loans may reach this share of the period's GEP.")
    loan_cap_yuan: float = Field(
        0.0, ge=0, description="Most that can be borrowed in one period.", json_schema_extra={"unit": "Yuan"}
    )
    loan_interest_rate: float = Field(
        0.04,
        ge=0,
        description="Annual interest on the outstanding balance of each loan, paid from the budget of the period "
        "it falls in.",
        json_schema_extra={"unit": "1/yr"},
    )
    loan_term_years: int = Field(
        5,
        ge=1,
        le=100,
        description="Years over which each loan is repaid, in equal principal instalments at the end of each year, "
        "the first year starting after the period the loan is drawn in. Instalments are paid from the budget of "
        "the period they fall in; what falls after the last period is shown as outstanding (table `loans`). "
        "Default 5: an assumption (state yours in `assumptions`).",
        json_schema_extra={"unit": "yr"},
    )


class Role(_Strict):
    """A recruitment role of the paper's four channels."""

    id: str = Field(description="Role identifier.")
    name: str = Field("", description="Readable name.")
    name_zh: str = Field("", description="Chinese name (中文名称), shown when the output language is Chinese.")
    channel: Literal["forest", "orchard", "garden", "bank"] = Field(description="Recruitment channel [P §4.4(3)].")
    organiser: str = Field("", description="Who organises the recruitment.")
    min: int = Field(ge=0, description="Fewest people for the township.", json_schema_extra={"unit": "people"})
    max: int = Field(ge=0, description="Most people for the township.", json_schema_extra={"unit": "people"})
    groups: list[Literal["residents", "outside", "returning"]] = Field(
        ["residents", "outside", "returning"], description="Labour-pool groups the role recruits from."
    )
    scope: Literal["township", "village"] = Field(
        "township",
        description="village: each village recruits for its own work; township: the norm applies to the total.",
    )
    norm: str = Field(description="Labour norm (library `labour_norms`) tying the role to the work.")
    projects: list[str] = Field(
        default_factory=list, description="For per_project(_built) norms: the projects staffed."
    )
    min_when_active: bool = Field(
        False,
        description="The range minimum applies only in periods when one of `projects` is active (standing for "
        "per_project norms, being built for per_project_built norms); the maximum always applies.",
    )
    min_per_project: dict[str, int] | None = Field(
        None,
        description="With `min_when_active`: the minimum stated per project, {project id: people}, staffed in the "
        "project's host village while the project is active (a village hosting several active projects staffs "
        "the sum). Replaces the township-wide minimum, so a role staffing two complexes needs its people where "
        "each complex is, and only the active complexes' share. `min` must be the sum (the township's minimum "
        "when every project is active). null: the township minimum of `min_when_active`.",
        json_schema_extra={"unit": "people"},
    )
    wage_yuan_per_yr: float = Field(
        0.0, ge=0, description="Pay per person per year, charged to the budget.", json_schema_extra={"unit": "Yuan/yr"}
    )
    periods: list[str] | None = Field(None, description="Periods the range applies in (null: all).")
    villages: list[str] | None = Field(
        None, description="Villages that may recruit for this role (null: all, including the town)."
    )

    @field_validator("min_per_project", mode="before")
    @classmethod
    def _people_not_true_false(cls, v: Any) -> Any:
        if isinstance(v, dict) and any(isinstance(x, bool) for x in v.values()):
            raise PydanticCustomError("number_not_bool", "expected numbers of people, got true/false")
        return v

    @model_validator(mode="after")
    def _order(self) -> Role:
        if self.min > self.max:
            raise ValueError(f"min ({self.min}) is above max ({self.max}); swap or correct them")
        if self.min_when_active and not self.projects:
            raise ValueError("min_when_active needs `projects` (the work whose activity switches the minimum on)")
        if self.min_per_project is not None:
            if not self.min_when_active:
                raise ValueError("min_per_project needs min_when_active: true (the minimum applies per active project)")
            other = [j for j in self.min_per_project if j not in self.projects]
            if other:
                raise ValueError(f"min_per_project names {other}, which are not in `projects` {self.projects}")
            if any(n < 0 for n in self.min_per_project.values()):
                raise ValueError("every min_per_project value must be >= 0")
            total = sum(self.min_per_project.values())
            if total != self.min:
                raise ValueError(
                    f"min ({self.min}) is not the sum of min_per_project ({total}); set min to {total}, the "
                    "township's minimum when every project is active"
                )
        return self


class Prerequisite(_Strict):
    """A condition the plan must meet before a project can be built."""

    min_area_ha: float | None = Field(
        None, ge=0, description="At least this area of the listed uses/kinds.", json_schema_extra={"unit": "ha"}
    )
    uses: list[str] | None = Field(None, description="Uses counted toward min_area_ha.")
    use_kinds: list[UseKind] | None = Field(None, description="Use kinds counted toward min_area_ha.")
    villages: list[str] | None = Field(None, description="Only area in these villages counts (null: all).")
    covers: list[str] | None = Field(
        None, description="Only area established on these cover classes counts (null: all)."
    )
    garden_in: str | None = Field(None, description="The garden of this village must be built.")
    project: str | None = Field(None, description="This other project must be built.")

    @model_validator(mode="after")
    def _one(self) -> Prerequisite:
        kinds = [self.min_area_ha is not None, self.garden_in is not None, self.project is not None]
        if sum(kinds) != 1:
            raise ValueError("give exactly one of min_area_ha (with uses or use_kinds), garden_in or project")
        if self.min_area_ha is not None and not (self.uses or self.use_kinds):
            raise ValueError("min_area_ha needs `uses` or `use_kinds` to say which area counts")
        return self


class Project(_Strict):
    """An EOD (ecology-oriented development) project, built or not."""

    id: str = Field(description="Project identifier.")
    name: str = Field("", description="Readable name.")
    name_zh: str = Field("", description="Chinese name (中文名称), shown when the output language is Chinese.")
    channel: Literal["forest", "fruit", "garden", "other"] = Field(description="EOD channel [P Table 1].")
    host_village: str = Field(description="Village whose collective and villagers receive their shares.")
    capex_yuan: float = Field(
        ge=0,
        description="Capital cost, charged to the budget of the period it is built in.",
        json_schema_extra={"unit": "Yuan"},
    )
    income_yuan_per_yr: dict[str, float] = Field(
        description="Annual operating income by source (carbon_trading, cultural_tourism, parking, fruit, "
        "supporting_facilities, other) [P Table 1]. "
        "It is the project's own operating income, on top of the land's carbon and fruit income.",
        json_schema_extra={"unit": "Yuan/yr"},
    )
    shares: dict[str, float] = Field(
        description=f"Share of income by recipient; keys among {', '.join(RECIPIENTS)}; must sum to 1."
    )
    gep_yuan_per_yr: float = Field(
        0.0, ge=0, description="Cultural-service GEP the project adds.", json_schema_extra={"unit": "Yuan/yr"}
    )
    prerequisites: list[Prerequisite] = Field(
        default_factory=list, description="Conditions on the land decisions; all must hold."
    )
    earliest_period: str | None = Field(None, description="Cannot be built before this period.")
    required: bool = Field(False, description="Must be built by the last period (policy).")

    @field_validator("income_yuan_per_yr")
    @classmethod
    def _sources(cls, v: dict[str, float]) -> dict[str, float]:
        return _known_non_negative(v, INCOME_SOURCES, "income source")

    @field_validator("shares")
    @classmethod
    def _shares(cls, v: dict[str, float]) -> dict[str, float]:
        _known_non_negative(v, RECIPIENTS, "recipient")
        total = sum(v.values())
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"shares sum to {total:g}, not 1; adjust them so they add up to 1")
        return v


class Objective(_Strict):
    mode: Literal["weighted", "lexicographic"] = Field(
        "weighted", description="Weighted sum, or lexicographic in `order`."
    )
    gep_weight: float = Field(1.0, ge=0, description="Weight on GEP (Yuan/yr).")
    dividend_weight: float = Field(
        1.0, ge=0, description="Weight on dividends reaching villagers and collectives (Yuan/yr)."
    )
    order: list[Literal["gep", "dividends"]] = Field(["gep", "dividends"], description="Lexicographic order.")
    lexicographic_tolerance: float = Field(1e-6, ge=0, description="Relative loss allowed on an earlier goal.")
    dividend_recipients: list[str] = Field(
        ["villagers", "village_collective"], description="Recipients whose income counts as dividends."
    )
    tie_break: Literal["least_wages", "least_cost", "none"] = Field(
        "least_wages",
        description="Among plans with the same objective: `least_wages` keeps the optimum's land, yes/no and "
        "loan decisions and recruits the fewest-cost people (fast); `least_cost` re-optimises everything for the "
        "least total "
        "spending (establishment, projects, wages; exact but can take much longer than the main solve); `none` "
        "returns the "
        "solver's first optimum.",
    )


class SolverOptions(_Strict):
    name: str = Field(
        "highs", description="MIP solver: highs (default) or another Pyomo knows (cbc, glpk, gurobi, cplex...)."
    )
    time_limit: float | None = Field(None, gt=0, description="Wall-clock limit.", json_schema_extra={"unit": "s"})
    mip_gap: float | None = Field(None, ge=0, description="Relative MIP gap at which to stop.")
    threads: int | None = Field(None, ge=1, description="Solver threads.")


#: The KPIs a target may name (planner.core.kpis).
KPI_NAMES = TARGET_KPIS


#: Target KPIs that are township figures only (no ``village`` scope): the budget is the township's.
TOWNSHIP_ONLY_KPIS = ("budget_used_yuan",)


class Target(_Strict):
    """A figure the plan is reported against (e.g. the paper's); `required: true` makes it a rule (family `targets`).

    A required target is a floor (`min`) or a cap (`max`) every plan must meet; the others are only
    reported against the plan."""

    id: str | None = Field(
        None,
        description="Identifier, for `--set targets.<id>.required=true` and scenario files (null: the target is "
        "addressed by its position, `targets.0`).",
    )
    kpi: Literal[KPI_NAMES] = Field(description="A column of the plan's `kpis` table.")  # type: ignore[valid-type]
    period: str = Field(description="Period id.")
    village: str | None = Field(
        None,
        description="The figure of one village (its GEP, carbon income, dividends, land, coverage of its own area, "
        "gardens, projects hosted, people recruited there); null: the township's. Not for budget_used_yuan.",
    )
    service: str | None = Field(
        None,
        description="gep_yuan only: the GEP of one ecosystem service (a service id of the valuation library) or of "
        "one category (provisioning, regulating, cultural; cultural includes the projects' GEP); null: all.",
    )
    min: float | None = Field(None, description="The plan meets the target at or above this value (in the KPI's unit).")
    max: float | None = Field(None, description="The plan meets the target at or below this value.")
    required: bool = Field(
        False,
        description="A rule of the model: every plan must meet it (family `targets`; a floor with `min`, a cap with "
        "`max`). false: only reported against the plan.",
    )
    label: str = Field("", description="Readable name, e.g. 'GEP 2035'.")
    source: str = Field("", description="Where the figure comes from, e.g. '[P §4.4]'.")

    @model_validator(mode="after")
    def _one_side(self) -> Target:
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min:g}) is above max ({self.max:g}); swap or correct them")
        if self.service is not None and self.kpi != "gep_yuan":
            raise ValueError(f"service is for gep_yuan targets only; remove it from this {self.kpi} target")
        if self.village is not None and self.kpi in TOWNSHIP_ONLY_KPIS:
            raise ValueError(f"{self.kpi} is a township figure; remove village")
        return self

    @property
    def name(self) -> str:
        """The target in words: its label, or its KPI with the village and service it is about."""
        if self.label:
            return self.label
        what = (
            self.kpi + (f" [{self.service}]" if self.service else "") + (f" in {self.village}" if self.village else "")
        )
        return what


class Decisions(_Strict):
    """Decisions a scenario takes out of the optimiser's hands (written as for ``planner why-not``)."""

    force: list[str] = Field(
        default_factory=list,
        description="Decisions the plan must take, e.g. `garden:hanjiata`, `project:forest_park`, "
        "`area:hanjiata:ecological_forest>=10`, `parcel:P17:fruit_expansion>=1` (`@PERIOD`: by that period; "
        "default the last).",
    )
    forbid: list[str] = Field(
        default_factory=list,
        description="Decisions the plan must not take, e.g. `project:forest_park`, `garden:hanjiata`, "
        "`area:hanjiata:fruit_expansion`, `parcel:P17:fruit_expansion` (`@PERIOD`: in that period; default every "
        "period).",
    )


class Repair(_Strict):
    """How the diagnosis of an instance with no plan repairs it: which rules may give and what
    each unit of relaxation costs, in Yuan-equivalents (planner.explain.repair; names are rule
    classes - money, dividends, targets, people, land, decisions, bans -, rule families such as
    gardens or budget, or constraint names such as garden_one_per_village)."""

    may_give: list[str] | None = Field(
        None, description="Rules that may give (default: every rule a township could relax)."
    )
    keep: list[str] = Field(default_factory=list, description="Rules that may not give, e.g. [gardens].")
    costs: dict[str, float] = Field(
        default_factory=dict,
        description="Yuan-equivalents per unit of relaxation, by rule name, overriding the defaults "
        "(money 1 per Yuan, targets and people 1,000,000 per ha or person, land 10,000,000 per ha, "
        "decisions and bans 100,000,000 per decision or ha).",
    )


class Instance(_Strict):
    """A scenario instance (YAML) plus its parcel table."""

    schema_version: Literal["1"] = Field("1", description="Instance format version.")
    name: str = Field(description="Instance name, shown in plans and reports.")
    description: str = Field("", description="What the scenario is.")
    township: Township = Field(description="The township planned.")
    valuation: str = Field(description="Valuation/norm library: a name in models/ or a path to a YAML file.")
    periods: list[Period] = Field(min_length=1, description="Milestones in year order (decisions are cumulative).")
    villages: list[Village] = Field(min_length=1, description="Villages of the township, and the central town.")
    parcels: ParcelSource = Field(description="The parcel table.")
    uses: dict[str, UsePolicy] = Field(default_factory=dict, description="Per-use policy (permission, siting, caps).")
    policies: Policies = Field(default_factory=Policies, description="Switchable rules and their limits.")
    prices: Prices = Field(default_factory=Prices, description="Carbon prices and coefficient multipliers.")
    finance: Finance = Field(default_factory=Finance, description="GEP-value loans.")
    roles: list[Role] = Field(default_factory=list, description="Recruitment roles [P §4.4(3)].")
    projects: list[Project] = Field(default_factory=list, description="EOD projects [P §4.4(2), Table 1].")
    objective: Objective = Field(default_factory=Objective, description="What to maximise.")
    solver: SolverOptions = Field(default_factory=SolverOptions, description="MIP solver and its limits.")
    assumptions: dict[str, str] = Field(
        default_factory=dict, description="Assumed figures and their reasoning (documentation only)."
    )
    targets: list[Target] = Field(
        default_factory=list,
        description="Figures the report sets the plan against (the paper's); those marked `required` are also rules "
        "every plan must meet.",
    )
    repair: Repair = Field(
        default_factory=Repair,
        description="How a diagnosis repairs an instance with no plan: rules that may give and their costs.",
    )
    decisions: Decisions = Field(
        default_factory=Decisions,
        description="Decisions forced or forbidden in this scenario (a garden, a project, a use on a parcel or in a "
        "village, recruits); every plan of the instance honours them.",
    )

    @field_validator("periods")
    @classmethod
    def _periods(cls, v: list[Period]) -> list[Period]:
        years = [p.year for p in v]
        if years != sorted(years) or len(set(years)) != len(years):
            raise ValueError(
                f"periods must be in strictly increasing year order; got {years}; "
                "list the periods by year, each year once"
            )
        return v


PARCEL_COLUMNS: dict[str, str] = {
    "id": "Parcel identifier, unique.",
    "village": "Village id (must be in `villages`).",
    "area": "Area in `parcels.area_unit` (ha or mu), > 0.",
    "cover": "Current cover class (a key of the library's `covers`).",
    "red_line": "Inside the ecological protection red line (true/false).",
    "eco_space": "Ecological-space type: conservation, integrated, cultivation, restoration, or none.",
    "ownership": "collective or individual (villager's own land).",
}
PARCEL_OPTIONAL_TEXT = {
    "owner": "Holder (household) of individually owned land. With parcel geometry, a holder's adjacent parcels "
    "form one "
    "holding for the 0.67 ha contiguous-arbor-forest rule of individual carbon applications. Blank: the parcel alone.",
}
PARCEL_OPTIONAL_BOOL = {
    "along_road": "Along a transit road or beside fruit forest (ornamental-forest siting).",
    "mature": "A large, mature, profitable fruit forest (scenic transformation).",
    "carbon_registered": "Existing forest already registered as carbon-sequestration forest (earns forestry carbon).",
}
ECO_SPACE_TYPES = ("conservation", "integrated", "cultivation", "restoration", "none")
