"""Dividends: the income each village's villagers and collective (and the township's
other recipients) receive, and the ecological dividends the objective counts.

Paper [P §4.4(2)]: the Two Mountains Bank releases "ecological dividends" (carbon
trading, EOD operating income, fruit) to villagers and collectives through carbon
accounts.

Income (million Yuan/yr) reaches a village's villagers and collective from: forestry
and agricultural carbon (``m._expr["carbon_to"]``, from ``carbon_application``), net land
income and subsidies of their land (fruit, crops, public-welfare forest), and their shares
of the EOD projects' income. Other recipients' project shares are booked under the
pseudo-village ``(township)``.

No constraints; defines ``m._expr["income_to"][v, recipient, t]`` and
``m._expr["dividends"][t]`` (the recipients in ``objective.dividend_recipients``), which
``dividend_floor`` and the objective use.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from planner.core.units import MONEY
from planner.model.data import ModelData
from planner.model.rows import RowInfo
from planner.model.rules.carbon_application import owner
from planner.model.terms import xsum

FAMILY = "dividends"
SENTENCE = (
    "Ecological dividends from carbon trading, EOD operating income and fruit reach villagers and collectives "
    "[P §4.4(2)]."
)

# the model expressions (``m._expr``) this family defines and the ones it reads, which families
# added before it must define (tests/test_rule_names.py checks the order of families())
DEFINES: tuple[str, ...] = ("dividends", "income_to")
READS: tuple[str, ...] = ("carbon_to",)

ROWS: dict[str, RowInfo] = {}  # an expression, no constraint rows

#: The recipients booked under the village itself; any other recipient's share goes to ``(township)``.
VILLAGE_RECIPIENTS = ("villagers", "village_collective")


def add(m: pyo.ConcreteModel, d: ModelData) -> None:
    inst = d.inst
    pu = d.pu.copy()
    par = d.parcels
    min_ha = inst.policies.individual_carbon_min_ha
    to: dict[tuple[Any, ...], list[Any]] = {}
    for (v, rec, t), terms in m._expr["carbon_to"].items():
        to.setdefault((v, rec.split("|")[0], t), []).extend(terms)
    # land income and subsidies to the owner
    par_val = par["income_yuan_per_ha_yr"] + par["subsidy_yuan_per_ha_yr"]
    pu["d_val"] = (pu["income_yuan_per_ha_yr"] + pu["subsidy_yuan_per_ha_yr"]).to_numpy() - par_val.reindex(
        pu["parcel"]
    ).to_numpy()
    # land income goes to the owner (carbon's threshold plays no part here: owner(..., forest=False))
    par_rec = pd.Series(
        np.where(
            par["ownership"].to_numpy() == "individual",
            owner("individual", 0.0, min_ha),
            owner("collective", 0.0, min_ha),
        ),
        index=par.index,
    )
    base = (par["area_ha"] * par_val).groupby([par["village"], par_rec]).sum()
    pu["rec"] = pu["parcel"].map(par_rec)
    nz = pu[pu["d_val"] != 0]
    changed = [
        (v, rec, g.index.to_numpy(), (g["d_val"] / MONEY).to_numpy())
        for (v, rec), g in nz.groupby(["village", "rec"], sort=False)
    ]
    for t in d.periods:
        for (v, rec), val in base.items():
            if val:
                to.setdefault((v, rec, t), []).append(val / MONEY)
        for v, rec, rows, coef in changed:
            to.setdefault((v, rec, t), []).append(xsum(m, rows, t, coef))
        for j in inst.projects:
            income = sum(j.income_yuan_per_yr.values()) / MONEY
            for rec, share in j.shares.items():
                if share:
                    v = j.host_village if rec in VILLAGE_RECIPIENTS else "(township)"
                    to.setdefault((v, rec, t), []).append(income * share * m.built[j.id, t])
    income_to = {k: pyo.quicksum(v) for k, v in to.items()}
    m._expr["income_to"] = income_to
    recips = set(inst.objective.dividend_recipients)
    m._expr["dividends"] = {
        t: pyo.quicksum(e for (v, rec, tt), e in income_to.items() if tt == t and rec in recips) for t in d.periods
    }
