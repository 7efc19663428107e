"""Required targets: a figure the plan reports, required as a floor or a cap in a period.

Requirements §3 and the paper's targets [P §4.1, §4.4]: GEP of 65.6 billion Yuan by 2025,
forestry carbon income above 6 M Yuan/yr, vegetation coverage above 85%, one garden per
village. An instance lists them under ``targets``; those with ``required: true`` are rules
every plan must meet (the others are only reported against the plan).

A target names a KPI of the plan (``planner.core.kpis``, every KPI that can be a target), a
period, ``min`` and/or ``max``, and optionally a village (the village's own figure) and, for
GEP, a service or a GEP category. The rows read the same quantities the plan's KPIs are
computed from (:mod:`planner.plan.tables`), as model expressions:

- GEP (``m._expr["gep"]``, or by village and service rebuilt here from the same
  coefficients as the plan's ``gep`` table), forestry and agricultural carbon income
  (``m._expr["forestry_carbon"]``, ``"agricultural_carbon"``, by village from
  ``m._expr["carbon_to"]``), dividends (``m._expr["dividends"]``, by village from
  ``m._expr["income_to"]``), Yuan/yr: rows ``target_income``;
- budget used (``m._expr["spend"]``), Yuan: rows ``target_budget``;
- afforested, forest and ecological-space area, vegetation and forest coverage (a share of
  the township's or the village's area, stated in ha: share x area), ha: rows
  ``target_area``;
- gardens built, projects built (hosted in the village) and people recruited: rows
  ``target_gardens``, ``target_projects``, ``target_people``.

Constraint ``target_<unit>[target, period]``: min <= figure <= max (the sides given). The
index names the target by its ``id``, else by its position in ``targets``. A target no
decision can move is kept only if it can never be met (``planner.model.terms.add_rows``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyomo.environ as pyo

from planner.core.kpis import TARGET_KPIS
from planner.core.units import MONEY
from planner.instance.schema import ServiceCategory, Target
from planner.model.data import ModelData
from planner.model.rows import HA, PEOPLE, RowInfo
from planner.model.terms import add_rows, xsum

FAMILY = "targets"
SENTENCE = (
    "Targets a plan must meet: GEP 65.6 billion Yuan by 2025, carbon income above 6 M Yuan/yr, vegetation "
    "coverage above 85% [P §4.1, §4.4(2)], as floors or caps the instance requires."
)

# the model expressions (``m._expr``) this family defines and the ones it reads, which families
# added before it must define (tests/test_rule_names.py checks the order of families())
DEFINES: tuple[str, ...] = ()
READS: tuple[str, ...] = (
    "agricultural_carbon",
    "carbon_to",
    "dividends",
    "forestry_carbon",
    "gep",
    "income_to",
    "spend",
)

_INDEX = ("target", "period")
_FIELD = "targets.{target}"

# what each constraint means to a planner (explanations, diagnosis, docs)
ROWS: dict[str, RowInfo] = {
    "target_income": RowInfo("required target", "Yuan/yr", _INDEX, scale=MONEY, field=_FIELD),
    "target_budget": RowInfo("required target", "Yuan", _INDEX, scale=MONEY, field=_FIELD),
    "target_area": RowInfo("required target", HA, _INDEX, field=_FIELD),
    "target_gardens": RowInfo("required target", "garden", _INDEX, field=_FIELD),
    "target_projects": RowInfo("required target", "project", _INDEX, field=_FIELD),
    "target_people": RowInfo("required target", PEOPLE, _INDEX, field=_FIELD),
}

#: The rows each target KPI is required in, and the model units of its limits: the limit is
#: divided by MONEY (money) or multiplied by the area of the scope (shares), else taken as it is.
COMPONENT: dict[str, str] = {
    "gep_yuan": "target_income",
    "forestry_carbon_income_yuan": "target_income",
    "agricultural_carbon_income_yuan": "target_income",
    "dividends_yuan": "target_income",
    "budget_used_yuan": "target_budget",
    "afforested_ha": "target_area",
    "forest_ha": "target_area",
    "ecological_space_ha": "target_area",
    "vegetation_coverage": "target_area",
    "forest_coverage": "target_area",
    "gardens_built": "target_gardens",
    "projects_built": "target_projects",
    "recruited_people": "target_people",
}
SHARES = ("vegetation_coverage", "forest_coverage")
assert set(COMPONENT) == set(TARGET_KPIS), "planner.model.rules.targets.COMPONENT: one entry per target KPI"


def limit_scale(kpi: str, area_ha: float) -> float:
    """What a target's limits are multiplied by to be in the model's units: 1/MONEY for
    money, the area of the scope (ha) for a coverage, else 1."""
    if kpi in SHARES:
        return area_ha
    return 1.0 / MONEY if COMPONENT[kpi] in ("target_income", "target_budget") else 1.0


def in_kpi_units(kpi: str, value: float, area_ha: float) -> float:
    """A figure in the model's units (million Yuan, ha, counts; a coverage as covered ha)
    in the KPI's unit: Yuan, a share of ``area_ha`` (0 without area), or as it is."""
    if kpi in SHARES:
        return value / area_ha if area_ha > 0 else 0.0
    return value * MONEY if COMPONENT[kpi] in ("target_income", "target_budget") else value


def key(i: int, tg: Target) -> str:
    """The index of target ``i`` in the rows: its id, else its position in ``targets``."""
    return tg.id if tg.id else str(i)


def required(d: ModelData) -> list[tuple[int, Target]]:
    """The instance's required targets, with their positions in ``targets``."""
    return [(i, tg) for i, tg in enumerate(d.inst.targets) if tg.required]


def scope_area(d: ModelData, village: str | None) -> float:
    """The area (ha) a coverage target of ``village`` (None: the township) is a share of."""
    par = d.parcels
    return float(par.loc[par["village"] == village, "area_ha"].sum()) if village else d.total_area


def add(m: pyo.ConcreteModel, d: ModelData) -> None:
    need = required(d)
    m._targets = {key(i, tg): (i, tg) for i, tg in need}
    if not need:
        return
    rows: dict[str, dict[Any, Any]] = {c: {} for c in ROWS}
    for i, tg in need:
        t = tg.period
        e = figure(m, d, tg)
        scale = limit_scale(tg.kpi, scope_area(d, tg.village) if tg.kpi in SHARES else 0.0)
        lo = None if tg.min is None else tg.min * scale
        hi = None if tg.max is None else tg.max * scale
        rows[COMPONENT[tg.kpi]][(key(i, tg), t)] = between(lo, e, hi)
    add_rows(m, FAMILY, "target_income", rows["target_income"])
    add_rows(m, FAMILY, "target_budget", rows["target_budget"])
    add_rows(m, FAMILY, "target_area", rows["target_area"])
    add_rows(m, FAMILY, "target_gardens", rows["target_gardens"])
    add_rows(m, FAMILY, "target_projects", rows["target_projects"])
    add_rows(m, FAMILY, "target_people", rows["target_people"])


def between(lo: float | None, e: Any, hi: float | None) -> Any:
    """lo <= e <= hi (a side that is None left out); a plain bool when ``e`` holds no decision."""
    if isinstance(e, (int, float)):
        return (lo is None or e >= lo - 1e-9 * max(1.0, abs(lo))) and (hi is None or e <= hi + 1e-9 * max(1.0, abs(hi)))
    if lo is not None and hi is not None:
        return pyo.inequality(lo, e, hi)
    return e >= lo if lo is not None else e <= hi


def figure(m: pyo.ConcreteModel, d: ModelData, tg: Target) -> Any:
    """The model expression of a target's figure, in model units (million Yuan, ha, counts;
    coverage as the vegetated or forest ha of the scope)."""
    t, v, kpi = tg.period, tg.village, tg.kpi
    if kpi == "gep_yuan":
        return m._expr["gep"][t] if v is None and tg.service is None else _gep(m, d, t, v, tg.service)
    if kpi in ("forestry_carbon_income_yuan", "agricultural_carbon_income_yuan"):
        agri = kpi.startswith("agricultural")
        if v is None:
            return m._expr["agricultural_carbon"][t] if agri else m._expr["forestry_carbon"][t]
        terms = [
            x
            for (vv, rec, tt), xs in m._expr["carbon_to"].items()
            if vv == v and tt == t and rec.endswith("|agri") == agri
            for x in xs
        ]
        return _sum(terms)
    if kpi == "dividends_yuan":
        if v is None:
            return m._expr["dividends"][t]
        recips = set(d.inst.objective.dividend_recipients)
        return _sum([x for (vv, rec, tt), x in m._expr["income_to"].items() if vv == v and tt == t and rec in recips])
    if kpi == "budget_used_yuan":
        return m._expr["spend"][t]
    if kpi in ("afforested_ha", "forest_ha", "ecological_space_ha", "vegetation_coverage", "forest_coverage"):
        return _land(m, d, kpi, t, v)
    if kpi == "gardens_built":
        return _sum([m.garden[g, t] for g in d.garden_villages if v is None or g == v])
    if kpi == "projects_built":
        return _sum([m.built[j.id, t] for j in d.inst.projects if v is None or j.host_village == v])
    if kpi == "recruited_people":
        return _sum([m.recruit[w, r.id, t] for w in d.villages if v is None or w == v for r in d.inst.roles])
    raise KeyError(kpi)  # pragma: no cover - COMPONENT lists every target KPI


def _sum(terms: list[Any]) -> Any:
    """The sum of model terms; a plain 0.0 when there are none (no decision moves it)."""
    return pyo.quicksum(terms) if terms else 0.0


def _land(m: pyo.ConcreteModel, d: ModelData, kpi: str, t: str, v: str | None) -> Any:
    """An area figure of the land at the end of period t (township, or village v): the land
    left as it is plus the change each use makes, as the plan's ``kpis`` table counts it."""
    par = d.parcels
    pu = d.pu
    if v is not None:
        par = par[par["village"] == v]
        pu = pu[pu["village"] == v]
    if kpi == "afforested_ha":
        return xsum(m, pu[pu["kind"] == "forest"], t) if len(pu) else 0.0
    col = {
        "forest_ha": "is_forest",
        "forest_coverage": "is_forest",
        "vegetation_coverage": "vegetation_cover",
        "ecological_space_ha": "ecological_space",
    }[kpi]
    base = float((par["area_ha"] * par[col].astype(float)).sum())
    if not len(pu):
        return base
    pu = pu.copy()
    pu["_d"] = pu[col].astype(float).to_numpy() - d.parcels[col].astype(float).reindex(pu["parcel"]).to_numpy()
    return base + xsum(m, pu, t, "_d")


def _gep(m: pyo.ConcreteModel, d: ModelData, t: str, v: str | None, service: str | None) -> Any:
    """GEP (million Yuan/yr) of village v (None: all) and of one service or category (None:
    all services) in period t, as the plan's ``gep`` table counts it: the land left as it is,
    the land in each use, and (for all services or the cultural category) the projects."""
    lib = d.lib
    cats = {c.value for c in ServiceCategory}
    if service is None:
        wanted = {s.id for s in lib.services}
    elif service in {s.id for s in lib.services}:
        wanted = {service}
    else:
        wanted = {s.id for s in lib.services if s.category.value == service}
    projects = service is None or (service in cats and service == ServiceCategory.cultural.value)

    def per_ha(k: str, group: str) -> float:
        return sum(val for s, val in d.gep_by_service(k, group).items() if s in wanted)

    par = d.parcels
    pu = d.pu
    if v is not None:
        par = par[par["village"] == v]
        pu = pu[pu["village"] == v]
    idx = d.period[t].gep_price_index
    cover_val = {c: per_ha(c, "cover") for c in set(d.parcels["cover"])}
    base = float((par["area_ha"] * par["cover"].map(cover_val).astype(float)).sum())
    terms: list[Any] = []
    if len(pu):
        use_val = {u: per_ha(u, "use") for u in set(pu["use"])}
        coef = pu["use"].map(use_val).to_numpy(dtype=float) - pu["cover"].map(cover_val).to_numpy(dtype=float)
        if np.any(coef != 0):
            terms.append(xsum(m, pu.index.to_numpy(), t, coef, 1 / MONEY))
    if projects:
        terms += [
            j.gep_yuan_per_yr / MONEY * m.built[j.id, t]
            for j in d.inst.projects
            if j.gep_yuan_per_yr and (v is None or j.host_village == v)
        ]
    if not terms:
        return idx * base / MONEY
    return idx * (base / MONEY + pyo.quicksum(terms))
