"""Carbon applications (family ``carbon_application``): artificial arbor forest of at least
``individual_carbon_min_ha`` on a villager's land is applied for individually, and no
individual application is for less; with parcel geometry and ``contiguous_holdings``, a
holder's adjacent parcels apply as one site, whose forest must be one contiguous stand.

Who applies also decides who earns the forestry carbon income, so the carbon forest by
parcel worked out here (:func:`forest`, once per period) is read again by
:mod:`planner.verify.money`; :func:`holding_names` names the sites for
:mod:`planner.verify.derived`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner.instance.adjacency import carbon_holdings, components, is_connected
from planner.verify.context import AREA_TOL, Context, Report
from planner.verify.geometry import holder_edges


@dataclass(frozen=True)
class Owners:
    """Who may apply for carbon income, per parcel (arrays by position in the parcel
    table), and the plan's individual applications."""

    min_ha: float  # the smallest area an individual application may cover
    individual: np.ndarray  # a villager owns the parcel
    may_apply: np.ndarray  # ... and it (or its holding) is large enough for an individual application
    site_of: dict[str, str]  # parcel -> holding, for holdings that apply as one site
    applications: dict[str, pd.Series]  # period -> parcel -> applied individually (the last row wins)


@dataclass(frozen=True)
class CarbonForest:
    """One period's carbon forest on the parcels that have some (arrays by that order)."""

    parcels: pd.Index
    pos: np.ndarray  # position in the parcel table
    ha: np.ndarray  # carbon forest on the parcel
    whole: np.ndarray  # the whole artificial arbor forest of the parcel (or of its holding)
    applied: np.ndarray  # applied for individually
    may_apply: np.ndarray  # Owners.may_apply of the parcel
    to_villager: np.ndarray  # the income goes to the villager (else to the collective)
    arbor: pd.Series  # artificial arbor forest by parcel, all parcels of the period
    held: bool  # some of the parcels belong to a holding that applies as one site


def holding_sites(c: Context, min_ha: float) -> dict[str, str]:
    """parcel -> holding for the holdings that may apply individually (planner.instance.adjacency):
    a holder's adjacent parcels that can carry a carbon forest, together at least ``min_ha``."""
    out = {}
    for h, ps in carbon_holdings(c.li, c.memo("holder_edges", lambda: holder_edges(c.li))).items():
        if float(c.par.loc[ps, "area_ha"].sum()) >= min_ha:
            out.update({p: h for p in ps})
    return out


def holding_names(c: Context) -> dict[str, str]:
    """parcel -> the name of its holding's carbon site, for the parcels of holdings of two
    or more parcels (as the carbon_applications table names them); others are ''."""
    pol = c.inst.policies
    if c.adjacency is None or not pol.contiguous_holdings:
        return {}
    min_ha = pol.individual_carbon_min_ha
    held = {
        h: ps
        for h, ps in carbon_holdings(c.li, c.memo("holder_edges", lambda: holder_edges(c.li))).items()
        if len(ps) > 1 and float(c.par.loc[ps, "area_ha"].sum()) >= min_ha
    }
    inside = {p for ps in held.values() for p in ps}
    capable = set(
        c.par.index[
            c.pcoef(
                "forest_carbon_cover",
                lambda x: any(
                    x in u.from_covers
                    and u.forestry_carbon
                    and c.is_forest_use(k)
                    and not (k in c.inst.uses and not c.inst.uses[k].enabled)
                    for k, u in c.lib.uses.items()
                ),
            ).astype(bool)
        ]
    )
    own = c.par[(c.par["ownership"] == "individual") & (c.par["area_ha"] >= min_ha)].index
    singles = {p for p in own if p in capable and p not in inside}
    return {p: (f"holding {h}" if h in singles else h) for h, ps in held.items() for p in ps}


def owners(c: Context) -> Owners:
    """:class:`Owners` of the plan (computed once per context)."""
    return c.memo("carbon_owners", lambda: _owners(c))


def _owners(c: Context) -> Owners:
    pol = c.inst.policies
    par = c.par
    min_ha = pol.individual_carbon_min_ha
    apps = c.tables.get("carbon_applications", pd.DataFrame())
    app_at: dict[str, pd.Series] = {}
    if not apps.empty:
        ap = pd.DataFrame(
            {
                "parcel": apps["parcel"].to_numpy(dtype=object),
                "period": apps["period"].to_numpy(dtype=object),
                "individual": [bool(x) for x in apps["individual"].tolist()],
            }
        )
        for t, g in ap.groupby("period", sort=False):
            g = g.drop_duplicates("parcel", keep="last")
            app_at[t] = pd.Series(
                g["individual"].to_numpy(dtype=bool), index=pd.Index(g["parcel"].to_numpy(dtype=object))
            )
    p_indiv = (par["ownership"] == "individual").to_numpy(dtype=bool)
    p_ind_ok = p_indiv & (par["area_ha"].to_numpy(dtype=float) >= min_ha)
    # with parcel geometry: holdings (a holder's adjacent parcels) apply as one site
    site_of = holding_sites(c, min_ha) if c.adjacency is not None and pol.contiguous_holdings else {}
    if site_of:
        p_ind_ok = p_ind_ok | par.index.isin(list(site_of))
    return Owners(min_ha, p_indiv, p_ind_ok, site_of, app_at)


def forest(c: Context, t: str) -> CarbonForest:
    """:class:`CarbonForest` of period ``t`` (computed once per context)."""
    return c.memo(("carbon_forest", t), lambda: _forest(c, t))


def _forest(c: Context, t: str) -> CarbonForest:
    lib, par = c.lib, c.par
    o = owners(c)
    min_ha, site_of = o.min_ha, o.site_of
    at = c.at(t)
    cf = at[c.ucoef(at, "forestry_carbon", lambda u: lib.uses[u].forestry_carbon and c.is_forest_use(u)).astype(bool)]
    forest_by_parcel = cf.groupby("parcel")["area_ha"].sum()
    arbor = at[c.ucoef(at, "arbor", lambda u: lib.uses[u].kind.value == "forest" and c.is_forest_use(u)).astype(bool)]
    arbor_by_parcel = arbor.groupby("parcel")["area_ha"].sum()
    pids = forest_by_parcel.index
    pos = par.index.get_indexer(pids)
    if (pos < 0).any():
        par.at[pids[int(np.argmax(pos < 0))], "village"]  # raises KeyError, as the per-parcel lookup did
    ha = forest_by_parcel.to_numpy(dtype=float)
    whole = ha.copy()  # the parcel's whole artificial arbor forest
    ai = arbor_by_parcel.index.get_indexer(pids)
    whole[ai >= 0] = arbor_by_parcel.to_numpy(dtype=float)[ai[ai >= 0]]
    has_app = np.zeros(len(pids), dtype=bool)
    app_val = np.zeros(len(pids), dtype=bool)
    if t in o.applications:
        ki = o.applications[t].index.get_indexer(pids)
        has_app = ki >= 0
        app_val[has_app] = o.applications[t].to_numpy(dtype=bool)[ki[has_app]]
    held_any = False
    if site_of and len(pids):  # a holding's parcels: the holding's whole arbor forest
        site = pd.Series([site_of.get(p) for p in pids], dtype=object)
        held = site.notna().to_numpy()
        held_any = bool(held.any())
        if held_any:  # every arbor forest of the holding, also on parcels without carbon forest
            ab = arbor_by_parcel[arbor_by_parcel.index.isin(list(site_of))]
            tot = ab.groupby([site_of[p] for p in ab.index]).sum()
            whole[held] = tot.reindex(site[held].to_numpy()).fillna(0.0).to_numpy()
    applied = has_app & app_val  # app.get((p, t), False)
    applied_or_big = np.where(has_app, app_val, whole >= min_ha)  # app.get((p, t), whole >= min_ha)
    ind_ok = o.may_apply[pos]
    return CarbonForest(pids, pos, ha, whole, applied, ind_ok, ind_ok & applied_or_big, arbor_by_parcel, held_any)


def check(c: Context, rep: Report) -> None:
    o = owners(c)
    rep.check("carbon_application")
    min_ha = o.min_ha
    for t in c.periods:
        f = forest(c, t)
        if f.held:  # a holding applied for individually must be one stand
            ind = o.applications.get(t, pd.Series(dtype=bool))
            for h, g in f.arbor[f.arbor > AREA_TOL].groupby(lambda p: o.site_of.get(p)):
                ps = list(g.index)
                if len(ps) > 1 and any(bool(ind.get(p, False)) for p in ps) and not is_connected(ps, c.adjacency):
                    rep.bad(
                        "carbon_application",
                        f"holding {h}, {t}",
                        "individual application on forest that is not one contiguous stand: " + ", ".join(map(str, ps)),
                        len(components(ps, c.adjacency)),
                        1,
                    )
        whole, applied, ind_ok = f.whole, f.applied, f.may_apply
        flag = (ind_ok & (whole >= min_ha) & ~applied) | (applied & (whole < min_ha - AREA_TOL))
        for i in np.flatnonzero(flag):
            p = f.parcels[i]
            if ind_ok[i] and whole[i] >= min_ha and not applied[i]:
                rep.bad(
                    "carbon_application",
                    f"parcel {p}, {t}",
                    f"arbor forest of {min_ha:g} ha or more on a villager's land not applied for individually",
                    whole[i],
                    min_ha,
                )
            if applied[i] and whole[i] < min_ha - AREA_TOL:
                rep.bad(
                    "carbon_application",
                    f"parcel {p}, {t}",
                    "individual application below the minimum contiguous area",
                    whole[i],
                    min_ha,
                )
