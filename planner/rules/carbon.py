"""Carbon trading through the Two Mountains Bank, and who applies for it.

Paper [P §4.4(2)]: "Based on the estimated annual emission reduction of 0.7t per mu ...
and a price of 58 Yuan per ton for afforestation projects, and ... 0.43t per mu and a
price of 10 Yuan per ton for agricultural carbon sequestration projects ... for
artificial arbor forests with a continuously distributed area of 0.67 hectares or more
on villagers' individual land, villagers are encouraged to apply for carbon
sequestration forests individually. Otherwise, villagers are encouraged to transfer
their woodland to the village collective, and the village collective will apply".

Income (million Yuan/yr): forestry = 0.7 t/mu x 15 mu/ha x price x carbon-forest ha
(new forests of ``forestry_carbon`` uses plus existing forest flagged
``carbon_registered``); agricultural = 0.43 t/mu x 15 x price x participation x
remaining cropland ha plus the ha of uses flagged ``agricultural_carbon``.

Constraints, for each individually owned parcel of at least 0.67 ha that can carry a
carbon forest (F = its carbon-forest ha, A = its whole artificial arbor forest ha, every
forest use that counts as forest; I/C = the ha applied for individually / by the collective):
- ``carbon_split[p, t]``: I + C = F.
- ``carbon_individual_min[p, t]``: A >= 0.67 x individual[p,t] (individual only from 0.67 ha of arbor forest).
- ``carbon_individual_only[p, t]``: I <= area x individual[p,t].
- ``carbon_collective_only[p, t]``: C <= area x (1 - individual[p,t]).
- ``carbon_individual_when_large[p, t]``: A <= (0.67 - 1e-4) + (area - 0.67 + 1e-4) x individual[p,t]
  (a forest of 0.67 ha or more is applied for by the villager; the 1e-4 ha = 1 m2 margin
  makes "or more" exact for a solver that cannot state a strict inequality).
Smaller or collective parcels' carbon goes to the village collective.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from ..data import MONEY
from ..model import xsum
from . import add_rows

FAMILY = "carbon_application"
BOUNDARY_HA = 1e-4
SENTENCE = ("Villagers apply individually for carbon-sequestration forest on contiguous artificial arbor forest of "
            ">= 0.67 ha on their own land; otherwise the collective applies [P §4.4(2)].")


def owner(ownership: str, area: float, min_ha: float, forest: bool = False) -> str:
    if ownership == "individual" and (not forest or area >= min_ha):
        return "villagers"
    return "village_collective"


def add(m, d) -> None:
    pol = d.inst.policies
    min_ha = pol.individual_carbon_min_ha
    pu = d.pu
    par = d.parcels
    fc = d.forestry_carbon_yuan_per_ha / MONEY
    ac = d.agricultural_carbon_yuan_per_ha / MONEY
    ic = set(d.individual_carbon_parcels)
    m.IC_F = pyo.Var(m.IC, m.T, domain=pyo.NonNegativeReals)  # ha applied individually
    m.IC_C = pyo.Var(m.IC, m.T, domain=pyo.NonNegativeReals)  # ha applied by the collective
    carbon_pu = pu[pu["forestry_carbon"]]
    # the threshold is on the parcel's whole contiguous artificial arbor forest (every forest use
    # that counts as forest), not only its carbon-forest part
    arbor = pu[(pu["kind"] == "forest") & pu["is_forest"] & pu["parcel"].isin(ic)]
    arbor_by = {p: g for p, g in arbor.groupby("parcel", sort=False)}
    split, imin, ionly, conly, large = {}, {}, {}, {}, {}
    for p, grp in carbon_pu[carbon_pu["parcel"].isin(ic)].groupby("parcel", sort=False):
        area = float(grp["area_ha"].iloc[0])
        for t in d.periods:
            f = xsum(m, grp, t)
            a = xsum(m, arbor_by.get(p, grp), t)
            w = m.individual[p, t]
            split[(p, t)] = m.IC_F[p, t] + m.IC_C[p, t] == f
            imin[(p, t)] = a >= min_ha * w
            ionly[(p, t)] = m.IC_F[p, t] <= area * w
            conly[(p, t)] = m.IC_C[p, t] <= area * (1 - w)
            # 0.67 ha "or more" is the villager's: the collective applies only below min_ha - 1 m2
            large[(p, t)] = a <= (min_ha - BOUNDARY_HA) + (area - min_ha + BOUNDARY_HA) * w
    add_rows(m, FAMILY, "carbon_split", split)
    add_rows(m, FAMILY, "carbon_individual_min", imin)
    add_rows(m, FAMILY, "carbon_individual_only", ionly)
    add_rows(m, FAMILY, "carbon_collective_only", conly)
    add_rows(m, FAMILY, "carbon_individual_when_large", large)

    # Income by (village, recipient, t) and totals, in million Yuan/yr.
    to: dict[tuple, list] = {}

    def put(v, rec, t, term):
        to.setdefault((v, rec, t), []).append(term)

    # pu row numbers per parcel: every use, and the carbon-forest uses
    uses_of = pu.groupby("parcel", sort=False).indices
    carbon_of = {p: carbon_pu.index.to_numpy()[ix] for p, ix in carbon_pu.groupby("parcel", sort=False).indices.items()}
    village_of = dict(zip(par["id"].tolist(), par["village"].tolist()))
    none = np.zeros(0, dtype=np.int64)
    reg = par[par["carbon_registered"] & par["is_forest"]]
    agri = par[par["agricultural_carbon"]]
    # the threshold is per parcel: a merged land unit's largest parcel (planner.aggregate)
    reg_rows = list(zip(reg["id"].tolist(), reg["village"].tolist(), reg["ownership"].tolist(), reg["area_ha"].tolist(),
                        reg["parcel_max_ha"].tolist()))
    agri_rows = list(zip(agri["id"].tolist(), agri["village"].tolist(), agri["ownership"].tolist(), agri["area_ha"].tolist()))
    au = pu[pu["agricultural_carbon"]]
    agri_use_rows = list(zip(au.index.tolist(), au["village"].tolist(), au["ownership"].tolist()))
    forestry, agricultural = {}, {}
    for t in d.periods:
        f_terms, a_terms = [], []
        # new carbon forests
        for p, us in carbon_of.items():
            v = village_of[p]
            if p in ic:
                terms = [(v, "villagers", fc * m.IC_F[p, t]), (v, "village_collective", fc * m.IC_C[p, t])]
            else:
                terms = [(v, "village_collective", fc * xsum(m, us, t))]
            for v_, r_, e_ in terms:
                put(v_, r_, t, e_)
                f_terms.append(e_)
        # existing registered forest that stays forest
        for p, v, own, area, largest in reg_rows:
            rec = owner(own, largest, min_ha, forest=True)
            e_ = fc * (area - xsum(m, uses_of.get(p, none), t))
            put(v, rec, t, e_)
            f_terms.append(e_)
        # cropland that stays cropland
        for p, v, own, area in agri_rows:
            rec = owner(own, area, min_ha)
            e_ = ac * (area - xsum(m, uses_of.get(p, none), t))
            put(v, rec + "|agri", t, e_)
            a_terms.append(e_)
        # cropping uses declared for agricultural carbon
        xv = m._xv[t]
        for i, v, own in agri_use_rows:
            e_ = ac * xv[i]
            put(v, owner(own, 0.0, min_ha) + "|agri", t, e_)
            a_terms.append(e_)
        forestry[t] = pyo.quicksum(f_terms)
        agricultural[t] = pyo.quicksum(a_terms)
    m._expr["forestry_carbon"] = forestry
    m._expr["agricultural_carbon"] = agricultural
    m._expr["carbon_to"] = to
