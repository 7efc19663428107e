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

The threshold min_ha is ``policies.individual_carbon_min_ha`` (0.67 ha in the paper).
Constraints, for each site where a villager may apply individually (s: an individually
owned parcel of at least min_ha that can carry a carbon forest, or, with parcel geometry,
a holding: one holder's adjacent such parcels, together at least min_ha; F_p = parcel p's
carbon-forest ha, A = the site's whole artificial arbor forest ha, every forest use that
counts as forest; I_p/C_p = the ha of p applied for individually / by the collective):
- ``carbon_split[p, t]``: I_p + C_p = F_p.
- ``carbon_individual_min[s, t]``: A >= min_ha x individual[s,t] (individual only from min_ha of arbor forest).
- ``carbon_individual_only[p, t]``: I_p <= area_p x individual[s,t].
- ``carbon_collective_only[p, t]``: C_p <= area_p x (1 - individual[s,t]).
- ``carbon_individual_when_large[s, t]``: A <= (min_ha - 1e-4) + (area_s - min_ha + 1e-4) x individual[s,t]
  (a forest of min_ha or more is applied for by the villager; the 1e-4 ha = 1 m2 margin
  makes "or more" exact for a solver that cannot state a strict inequality).
- Holdings only: ``carbon_stand[p, t]``: A_p <= area_p x (stand[p,t] + 1 - individual[s,t]); ``carbon_stand_min[p, t]``:
  A_p >= min(contiguity_min_ha, area_p) x stand[p,t]; and the parcels with
  stand = 1 are connected through shared boundaries while individual[s,t] = 1
  (``carbon_stand_*`` rows, :mod:`planner.model.contiguity`): the forest applied for is
  one continuously distributed stand. A holding's forest of min_ha or more in separate
  pieces is therefore not allowed (it would have to be applied for individually, and
  cannot be as one stand): a restriction of the model, stated in docs/gis.md.
Smaller or collective parcels' carbon goes to the village collective.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyomo.environ as pyo

from planner.core.units import MONEY
from planner.instance.adjacency import arcs_within
from planner.model.contiguity import connected, site_rows
from planner.model.data import ModelData
from planner.model.rows import HA, RowInfo
from planner.model.terms import add_rows, xsum

FAMILY = "carbon_application"
BOUNDARY_HA = 1e-4
SENTENCE = (
    "Villagers apply individually for carbon-sequestration forest on contiguous artificial arbor forest of "
    ">= 0.67 ha on their own land; otherwise the collective applies [P §4.4(2)]."
)

# the model expressions (``m._expr``) this family defines and the ones it reads, which families
# added before it must define (tests/test_rule_names.py checks the order of families())
DEFINES: tuple[str, ...] = ("agricultural_carbon", "carbon_to", "forestry_carbon")
READS: tuple[str, ...] = ()

# what each constraint means to a planner (explanations, diagnosis, docs)
ROWS: dict[str, RowInfo] = {
    "carbon_split": RowInfo("carbon forest split between villager and collective", HA, ("parcel", "period"), hard=True),
    "carbon_individual_min": RowInfo(
        "individual carbon application only from the minimum area",
        HA,
        ("site", "period"),
        hard=True,
        field="policies.individual_carbon_min_ha",
    ),
    "carbon_individual_only": RowInfo("individual applicant's area", HA, ("parcel", "period"), hard=True),
    "carbon_collective_only": RowInfo("collective applicant's area", HA, ("parcel", "period"), hard=True),
    "carbon_individual_when_large": RowInfo(
        "villager applies individually from the minimum area",
        HA,
        ("site", "period"),
        hard=True,
        field="policies.individual_carbon_min_ha",
    ),
    "carbon_stand": RowInfo("holding's forest parcel is part of its stand", HA, ("parcel", "period"), hard=True),
    "carbon_stand_min": RowInfo(
        "holding's stand uses at least a strip of each of its parcels",
        HA,
        ("parcel", "period"),
        hard=True,
        field="policies.contiguity_min_ha",
    ),
    **site_rows("carbon_stand", "holding's forest as one stand", "holding"),
}


def owner(ownership: str, area: float, min_ha: float, forest: bool = False) -> str:
    if ownership == "individual" and (not forest or area >= min_ha):
        return "villagers"
    return "village_collective"


def add(m: pyo.ConcreteModel, d: ModelData) -> None:
    pol = d.inst.policies
    min_ha = pol.individual_carbon_min_ha
    pu = d.pu
    par = d.parcels
    fc = d.forestry_carbon_yuan_per_ha / MONEY
    ac = d.agricultural_carbon_yuan_per_ha / MONEY
    sites = d.carbon_sites
    site_of = {p: sk for sk, ps in sites.items() for p in ps}
    ic = set(site_of)
    m.ICP = pyo.Set(initialize=list(site_of), ordered=True)
    m.IC_F = pyo.Var(m.ICP, m.T, domain=pyo.NonNegativeReals)  # ha applied individually
    m.IC_C = pyo.Var(m.ICP, m.T, domain=pyo.NonNegativeReals)  # ha applied by the collective
    carbon_pu = pu[pu["forestry_carbon"]]
    # the threshold is on the site's whole contiguous artificial arbor forest (every forest use
    # that counts as forest), not only its carbon-forest part
    arbor = pu[(pu["kind"] == "forest") & pu["is_forest"] & pu["parcel"].isin(ic)]
    arbor_by = {p: g.index.to_numpy() for p, g in arbor.groupby("parcel", sort=False)}
    carbon_by = {
        p: g.index.to_numpy() for p, g in carbon_pu[carbon_pu["parcel"].isin(ic)].groupby("parcel", sort=False)
    }
    area_of = par["area_ha"].to_dict()
    split, imin, ionly, conly, large, stand = {}, {}, {}, {}, {}, {}
    for sk, ps in sites.items():
        site_area = float(sum(area_of[p] for p in ps))
        rows = np.concatenate([arbor_by.get(p, carbon_by.get(p, np.zeros(0, dtype=np.int64))) for p in ps])
        for t in d.periods:
            w = m.individual[sk, t]
            a = xsum(m, rows, t)
            imin[(sk, t)] = a >= min_ha * w
            # min_ha "or more" is the villager's: the collective applies only below min_ha - 1 m2
            large[(sk, t)] = a <= (min_ha - BOUNDARY_HA) + (site_area - min_ha + BOUNDARY_HA) * w
            for p in ps:
                split[(p, t)] = m.IC_F[p, t] + m.IC_C[p, t] == xsum(m, carbon_by.get(p), t)
                ionly[(p, t)] = m.IC_F[p, t] <= area_of[p] * w
                conly[(p, t)] = m.IC_C[p, t] <= area_of[p] * (1 - w)
    add_rows(m, FAMILY, "carbon_split", split)
    add_rows(m, FAMILY, "carbon_individual_min", imin)
    add_rows(m, FAMILY, "carbon_individual_only", ionly)
    add_rows(m, FAMILY, "carbon_collective_only", conly)
    add_rows(m, FAMILY, "carbon_individual_when_large", large)
    # a holding's forest applied for is one stand: its forested parcels connected
    held = {sk: ps for sk, ps in sites.items() if len(ps) > 1}
    if held:
        groups = {sk: (ps, arcs_within(ps, d.li.adjacency)) for sk, ps in held.items()}
        sel = connected(
            m,
            FAMILY,
            "carbon_stand",
            groups,
            {(sk, t): m.individual[sk, t] for sk in held for t in d.periods},
            d.periods,
        )
        lo = d.inst.policies.contiguity_min_ha
        least = {}
        for (sk, p, t), y in sel.items():
            rows_p = arbor_by.get(p, carbon_by.get(p))
            # forest on p is in the stand whenever the villager applies (void for the collective)
            stand[(p, t)] = xsum(m, rows_p, t) <= area_of[p] * y + area_of[p] * (1 - m.individual[sk, t])
            least[(p, t)] = xsum(m, rows_p, t) >= min(lo, area_of[p]) * y
        add_rows(m, FAMILY, "carbon_stand", stand)
        add_rows(m, FAMILY, "carbon_stand_min", least)

    # Income by (village, recipient, t) and totals, in million Yuan/yr.
    to: dict[tuple[str, str, str], list[Any]] = {}

    def put(v: str, rec: str, t: str, term: Any) -> None:
        to.setdefault((v, rec, t), []).append(term)

    # pu row numbers per parcel: every use, and the carbon-forest uses
    uses_of = pu.groupby("parcel", sort=False).indices
    carbon_of = {p: carbon_pu.index.to_numpy()[ix] for p, ix in carbon_pu.groupby("parcel", sort=False).indices.items()}
    village_of = dict(zip(par["id"].tolist(), par["village"].tolist()))
    none = np.zeros(0, dtype=np.int64)
    reg = par[par["carbon_registered"] & par["is_forest"]]
    agri = par[par["agricultural_carbon"]]
    # the threshold is per parcel: a merged land unit's largest parcel (planner.model.aggregate)
    reg_rows = list(
        zip(
            reg["id"].tolist(),
            reg["village"].tolist(),
            reg["ownership"].tolist(),
            reg["area_ha"].tolist(),
            reg["parcel_max_ha"].tolist(),
        )
    )
    agri_rows = list(
        zip(agri["id"].tolist(), agri["village"].tolist(), agri["ownership"].tolist(), agri["area_ha"].tolist())
    )
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
