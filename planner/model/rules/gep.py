"""GEP: Gross Ecosystem Product of the planned land, in million Yuan/yr.

[N §2.1, §3.1]: provisioning, regulating and cultural services. GEP at the end of period
t = price index x (sum over parcels of remaining area x GEP/ha of its cover + sum over
uses of area x GEP/ha of the use + cultural GEP of the EOD projects built). The price index
applies to every term; ``prices.gep_scale`` (regional calibration of the library's
equivalents) does not apply to project GEP, which is given in Yuan/yr directly.
No constraints; defines ``m._expr['gep'][t]``.
"""

from __future__ import annotations

import pyomo.environ as pyo

from planner.core.units import MONEY
from planner.model.data import ModelData
from planner.model.rows import RowInfo
from planner.model.terms import xsum

FAMILY = "gep"
SENTENCE = "GEP of provisioning, regulating and cultural services per hectare of each cover and use [N §2.1, §3.1]."

# the model expressions (``m._expr``) this family defines and the ones it reads, which families
# added before it must define (tests/test_rule_names.py checks the order of families())
DEFINES: tuple[str, ...] = ("gep",)
READS: tuple[str, ...] = ()

ROWS: dict[str, RowInfo] = {}  # an expression, no constraint rows


def add(m: pyo.ConcreteModel, d: ModelData) -> None:
    par = d.parcels
    pu = d.pu.copy()
    pu["d_gep"] = pu["gep_per_ha"].to_numpy() - par["gep_per_ha"].reindex(pu["parcel"]).to_numpy()
    base = float((par["area_ha"] * par["gep_per_ha"]).sum())
    gep = {}
    for t in d.periods:
        idx = d.period[t].gep_price_index
        proj = pyo.quicksum(j.gep_yuan_per_yr / MONEY * m.built[j.id, t] for j in d.inst.projects if j.gep_yuan_per_yr)
        gep[t] = idx * (base / MONEY + xsum(m, pu, t, "d_gep", 1 / MONEY) + proj)
    m._expr["gep"] = gep
