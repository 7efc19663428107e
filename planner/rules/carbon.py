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
remaining cropland ha.

Constraints, for each individually owned parcel of at least 0.67 ha that can carry a
carbon forest (F = its carbon-forest ha, I/C = the ha applied for individually / by the
collective):
- ``carbon_split[p, t]``: I + C = F.
- ``carbon_individual_min[p, t]``: F >= 0.67 x individual[p,t] (individual only from 0.67 ha).
- ``carbon_individual_only[p, t]``: I <= area x individual[p,t].
- ``carbon_collective_only[p, t]``: C <= area x (1 - individual[p,t]).
- ``carbon_individual_when_large[p, t]``: F <= 0.67 + (area - 0.67) x individual[p,t]
  (a forest above 0.67 ha is applied for by the villager).
Smaller or collective parcels' carbon goes to the village collective.
"""

from __future__ import annotations

import pyomo.environ as pyo

from ..data import MONEY
from ..model import xsum
from . import add_rows

FAMILY = "carbon_application"
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
    split, imin, ionly, conly, large = {}, {}, {}, {}, {}
    for p, grp in carbon_pu[carbon_pu["parcel"].isin(ic)].groupby("parcel", sort=False):
        area = float(grp["area_ha"].iloc[0])
        for t in d.periods:
            f = xsum(m, grp, t)
            w = m.individual[p, t]
            split[(p, t)] = m.IC_F[p, t] + m.IC_C[p, t] == f
            imin[(p, t)] = f >= min_ha * w
            ionly[(p, t)] = m.IC_F[p, t] <= area * w
            conly[(p, t)] = m.IC_C[p, t] <= area * (1 - w)
            large[(p, t)] = f <= min_ha + (area - min_ha) * w
    add_rows(m, FAMILY, "carbon_split", split)
    add_rows(m, FAMILY, "carbon_individual_min", imin)
    add_rows(m, FAMILY, "carbon_individual_only", ionly)
    add_rows(m, FAMILY, "carbon_collective_only", conly)
    add_rows(m, FAMILY, "carbon_individual_when_large", large)

    # Income by (village, recipient, t) and totals, in million Yuan/yr.
    to: dict[tuple, list] = {}

    def put(v, rec, t, term):
        to.setdefault((v, rec, t), []).append(term)

    reg = par[par["carbon_registered"] & par["is_forest"]]
    agri = par[par["agricultural_carbon"]]
    forestry, agricultural = {}, {}
    pu_by_parcel = {p: g for p, g in pu.groupby("parcel", sort=False)}
    for t in d.periods:
        # new carbon forests
        for p, grp in carbon_pu.groupby("parcel", sort=False):
            v = grp["village"].iloc[0]
            if p in ic:
                put(v, "villagers", t, fc * m.IC_F[p, t])
                put(v, "village_collective", t, fc * m.IC_C[p, t])
            else:
                put(v, "village_collective", t, fc * xsum(m, grp, t))
        # existing registered forest that stays forest
        for p, row in reg.iterrows():
            rec = owner(row["ownership"], row["area_ha"], min_ha, forest=True)
            g = pu_by_parcel.get(p)
            put(row["village"], rec, t, fc * (row["area_ha"] - xsum(m, g, t)))
        # cropland that stays cropland
        for p, row in agri.iterrows():
            rec = owner(row["ownership"], row["area_ha"], min_ha)
            g = pu_by_parcel.get(p)
            put(row["village"], rec + "|agri", t, ac * (row["area_ha"] - xsum(m, g, t)))
        forestry[t] = pyo.quicksum(pyo.quicksum(v) for (vv, rec, tt), v in to.items() if tt == t and not rec.endswith("|agri"))
        agricultural[t] = pyo.quicksum(pyo.quicksum(v) for (vv, rec, tt), v in to.items() if tt == t and rec.endswith("|agri"))
    m._expr["forestry_carbon"] = forestry
    m._expr["agricultural_carbon"] = agricultural
    m._expr["carbon_to"] = to
