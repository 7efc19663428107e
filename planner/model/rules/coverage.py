"""Vegetation and forest coverage targets.

Paper [P §4.1]: "By the end of 2021, the township's ecological afforestation area had
reached 700,000 mu ..., with vegetation coverage exceeding 85%." [P §4.4(1)]: grassland
is turned into "arbor forests with a canopy density of no less than 0.2".

Constraints
- ``vegetation_coverage[t]``: sum of area x vegetation_cover >= target x township area.
- ``forest_coverage[t]``: forest area (forest covers and uses with canopy density >=
  ``policies.forest_canopy_min``) >= target x township area.
"""

from __future__ import annotations

import pyomo.environ as pyo

from planner.model.data import ModelData
from planner.model.rows import HA, RowInfo
from planner.model.terms import add_rows, xsum

FAMILY = "coverage"
SENTENCE = "Vegetation coverage above 85% [P §4.1]; arbor forests count as forest at canopy density >= 0.2 [P §4.4(1)]."

# the model expressions (``m._expr``) this family defines and the ones it reads, which families
# added before it must define (tests/test_rule_names.py checks the order of families())
DEFINES: tuple[str, ...] = ()
READS: tuple[str, ...] = ()

# what each constraint means to a planner (explanations, diagnosis, docs)
ROWS: dict[str, RowInfo] = {
    "vegetation_coverage": RowInfo(
        "vegetation coverage target", HA, ("period",), field="policies.vegetation_coverage_min"
    ),
    "forest_coverage": RowInfo("forest coverage target", HA, ("period",), field="policies.forest_coverage_min"),
}


def add(m: pyo.ConcreteModel, d: ModelData) -> None:
    pol = d.inst.policies
    par = d.parcels
    pu = d.pu.copy()
    cov_p = par["vegetation_cover"].reindex(pu["parcel"]).to_numpy()
    pu["d_veg"] = pu["vegetation_cover"].to_numpy() - cov_p
    pu["d_forest"] = (
        pu["is_forest"].astype(float).to_numpy() - par["is_forest"].astype(float).reindex(pu["parcel"]).to_numpy()
    )
    if pol.vegetation_coverage_min is not None:
        base = float((par["area_ha"] * par["vegetation_cover"]).sum())
        add_rows(
            m,
            FAMILY,
            "vegetation_coverage",
            {t: base + xsum(m, pu, t, "d_veg") >= pol.vegetation_coverage_min * d.total_area for t in d.periods},
        )
    if pol.forest_coverage_min is not None:
        base = float((par["area_ha"] * par["is_forest"]).sum())
        add_rows(
            m,
            FAMILY,
            "forest_coverage",
            {t: base + xsum(m, pu, t, "d_forest") >= pol.forest_coverage_min * d.total_area for t in d.periods},
        )
