"""Build the Pyomo model: decisions, the rule families (``planner.model.rules``), the
KPI expressions and the objective.

Decisions. Land, gardens, street green, scenic spots, projects and carbon applications
are cumulative (what exists by the end of period t); recruitment and loans are per
period (people employed in period t, money borrowed in period t):

- ``x[parcel, use, t]`` ha of a parcel in a use;
- ``garden[v, t]`` village v has its garden (yes/no);
- ``street_green[t]`` number of new street green spaces in the central town (whole);
- ``scenic[parcel, t]`` a whole mature fruit forest transformed into a scenic spot (yes/no);
- ``built[j, t]`` EOD project j built (yes/no);
- ``recruit[v, role, t]`` people recruited in village v for a role (whole for a village-scope
  role; for a township-scope role the split of ``recruit_total``, see
  :mod:`planner.model.rules.recruitment`);
- ``recruit_total[role, t]`` people recruited for a township-scope role, all villages (whole);
- ``individual[site, t]`` the villager applies individually for forestry carbon on a parcel or a
  holding of adjacent parcels (yes/no);
- ``loan[t]`` GEP-value loan drawn in period t (million Yuan).
"""

from __future__ import annotations

import pyomo.environ as pyo

from planner.core.units import MONEY
from planner.instance.decisions import instance_decisions
from planner.model.data import ModelData
from planner.model.decisions import apply
from planner.model.rules import families


def build_model(d: ModelData) -> pyo.ConcreteModel:
    m = pyo.ConcreteModel(name=d.inst.name)
    m._d = d
    m._families = {}
    m._expr = {}
    m._impossible = []
    m.zero = pyo.Var(bounds=(0.0, 0.0))  # carries rows that no plan can satisfy (see terms.add_rows)
    m.T = pyo.Set(initialize=d.periods, ordered=True)
    area = dict(zip(d.pu_keys, d.pu["area_ha"].tolist()))
    m.PU = pyo.Set(initialize=d.pu_keys, dimen=2, ordered=True)
    m.x = pyo.Var(m.PU, m.T, domain=pyo.NonNegativeReals, bounds=lambda _m, p, u, t: (0.0, area[p, u]))
    # x's variables per period in pu row order, for xsum (the product set iterates t fastest)
    xs = list(m.x.values())
    m._xv = {t: xs[k :: len(d.periods)] for k, t in enumerate(d.periods)}
    if xs:
        assert m._xv[d.last][-1].index() == (*d.pu_keys[-1], d.last)
    m.GV = pyo.Set(initialize=d.garden_villages, ordered=True)
    m.garden = pyo.Var(m.GV, m.T, domain=pyo.Binary)
    m.SC = pyo.Set(initialize=d.scenic_parcels, ordered=True)
    m.scenic = pyo.Var(m.SC, m.T, domain=pyo.Binary)
    m.J = pyo.Set(initialize=[j.id for j in d.inst.projects], ordered=True)
    m.built = pyo.Var(m.J, m.T, domain=pyo.Binary)
    sg = d.inst.policies.street_green
    m.street_green = pyo.Var(m.T, domain=pyo.NonNegativeIntegers, bounds=(0, sg.count_max if sg and d.town else 0))
    m.R = pyo.Set(initialize=[r.id for r in d.inst.roles], ordered=True)
    m.V = pyo.Set(initialize=d.villages, ordered=True)
    # a township-scope role's people are one whole number per period (recruit_total); its per-village
    # split is continuous: the rows that read a village's share (labour pools, villages, per-village
    # minimums) have whole-number data, so a whole split exists whenever any does (docs/formulation.md
    # §4.12), and the plan reports one rule's split (planner.model.split)
    township = {r.id for r in d.inst.roles if r.scope == "township"}
    m.recruit = pyo.Var(
        m.V,
        m.R,
        m.T,
        domain=lambda _m, v, r, t: pyo.NonNegativeReals if r in township else pyo.NonNegativeIntegers,
    )
    m.RT = pyo.Set(initialize=[r.id for r in d.inst.roles if r.id in township], ordered=True)
    m.recruit_total = pyo.Var(m.RT, m.T, domain=pyo.NonNegativeIntegers)
    m.IC = pyo.Set(initialize=list(d.carbon_sites), ordered=True)  # parcels and holdings (rules.carbon_application)
    m.individual = pyo.Var(m.IC, m.T, domain=pyo.Binary)
    m.loan = pyo.Var(m.T, domain=pyo.NonNegativeReals)

    for fam in families():
        fam.add(m, d)
    decided = instance_decisions(d.li)
    if decided:  # the scenario's own forced and forbidden decisions (instance field `decisions`)
        apply(decided, name="decisions")(d, m)

    _objective(m, d)
    return m


def _objective(m: pyo.ConcreteModel, d: ModelData) -> None:
    ob = d.inst.objective
    e = m._expr
    weight = {t: d.period[t].weight for t in d.periods}
    m.obj_gep = pyo.Expression(expr=pyo.quicksum(weight[t] * e["gep"][t] for t in d.periods))
    m.obj_dividends = pyo.Expression(
        expr=pyo.quicksum(weight[t] * (e["dividends"][t] - e["interest"][t]) for t in d.periods)
    )
    m.objective = pyo.Objective(
        expr=ob.gep_weight * m.obj_gep + ob.dividend_weight * m.obj_dividends, sense=pyo.maximize
    )


def to_yuan(v: float) -> float:
    return float(v) * MONEY
