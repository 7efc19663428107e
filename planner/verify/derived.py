"""Derived tables (check ``derived_tables``): every column of the plan's tables that is not
a decision, recomputed from the decisions and the instance and compared, row by row: the
allocations' village, cover and kind; gardens; street green; projects; carbon
applications; finance, GEP and dividends (from :mod:`planner.verify.money`, which must
have run); and the KPIs the money and coverage checks do not recompute.

Each difference is one violation of rule ``derived_tables`` naming the table, the row and
the column; the first 50 per table are listed and the rest counted.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from planner.instance.quantities import cover_values
from planner.instance.schema import GARDEN_KINDS
from planner.verify.carbon_application import holding_names
from planner.verify.context import AREA_TOL, REL_TOL, Context, Report, built_projects, close

_DERIVED = "reported value does not match the recomputation from the decisions and the instance"


def _against(
    rep: Report,
    table: str,
    got: pd.DataFrame,
    want: pd.DataFrame,
    keys: list[str],
    numbers: dict[str, tuple[float, float]],
    text: tuple[str, ...] = (),
    every_row: bool = False,
) -> None:
    """Compare the plan's ``got`` with the recomputed ``want`` (one row per key), row by
    row on ``keys``. ``numbers``: column -> (absolute, relative) tolerance; a NaN in
    ``want`` means the cell must be empty. A row of ``got`` that ``want`` lacks is compared
    with zeros; a row of ``want`` that ``got`` lacks is reported when ``every_row`` or when
    its first number is not zero."""
    bad = rep.capped
    g = got[[k for k in keys] + [c for c in list(numbers) + list(text) if c in got.columns]].copy()
    g["_row"] = np.arange(len(g))
    w = want.copy()
    for k in keys:
        g[k] = g[k].astype(object)
        w[k] = w[k].astype(object)
    m = g.merge(w, on=keys, how="outer", suffixes=("", "_want"), indicator=True, sort=False)
    present = (m["_merge"] != "right_only").to_numpy(dtype=bool)
    lost = ~present
    for col, (abs_, rel) in numbers.items():
        if col not in got.columns:
            continue
        x = m[col].to_numpy(dtype=float)
        y = m[f"{col}_want"].to_numpy(dtype=float)
        y0 = np.where(m["_merge"].to_numpy() == "left_only", 0.0, y)
        with np.errstate(invalid="ignore"):
            off = np.abs(x - y0) > np.maximum(abs_, rel * np.maximum(np.abs(x), np.abs(y0)))
        off = np.where(np.isnan(y0), ~np.isnan(x), off | (np.isnan(x) & ~np.isnan(y0)))
        flag = present & off
        for i in np.flatnonzero(flag):
            r = m.iloc[int(i)]
            bad(
                ("derived_tables", table),
                f"{table}: {', '.join(str(r[k]) for k in keys)}, column {col}",
                _DERIVED,
                None if np.isnan(x[i]) else x[i],
                None if np.isnan(y0[i]) else y0[i],
            )
    for col in text:
        if col not in got.columns:
            continue
        x = m[col].astype(object).where(m[col].notna(), "").astype(str).to_numpy(dtype=object)
        y = m[f"{col}_want"].astype(object).where(m[f"{col}_want"].notna(), "").astype(str).to_numpy(dtype=object)
        for i in np.flatnonzero(present & (x != y)):
            r = m.iloc[int(i)]
            bad(
                ("derived_tables", table),
                f"{table}: {', '.join(str(r[k]) for k in keys)}, column {col}",
                f"{x[i]!r} but the instance gives {y[i]!r}",
            )
    if lost.any():
        first = next(iter(numbers))  # without every_row, a missing row matters when this is not zero
        col = f"{first}_want" if f"{first}_want" in m.columns else first
        for i in np.flatnonzero(lost):
            r = m.iloc[int(i)]
            if not every_row and not abs(float(r[col])) > numbers[first][0]:
                continue
            bad(
                ("derived_tables", table),
                f"{table}: {', '.join(str(r[k]) for k in keys)}",
                "row missing from the plan's table",
                None,
                None if every_row else float(r[col]),
            )


#: Tolerances (absolute, relative) of the compared columns: money in Yuan, as the KPI
#: checks; areas in ha.
_MONEY = (1e-3, REL_TOL)
_AREA = (AREA_TOL, 1e-6)


def check(c: Context, rep: Report) -> None:
    """Recompute every derived table of the plan and compare it with the plan's, one table
    after the other; the order fixes the order of the violations."""
    rep.check("derived_tables")
    _allocations(c, rep)
    _gardens(c, rep)
    _street_green(c, rep)
    _projects(c, rep)
    _carbon_applications(c, rep)
    _finance(c, rep)
    _gep(c, rep)
    _dividends(c, rep)
    _kpis(c, rep)


def _allocations(c: Context, rep: Report) -> None:
    """Allocations: the village and cover are the parcel's, the kind is the use's (from
    the library)."""
    orig = c.tables["allocations"]
    if not len(orig):
        return
    for col in ("village", "cover", "kind"):
        want = c.alloc[col].astype(object).where(c.alloc[col].notna(), "").astype(str).to_numpy(dtype=object)
        got = orig[col].astype(object).where(orig[col].notna(), "").astype(str).to_numpy(dtype=object)
        for i in np.flatnonzero(got != want):
            r = orig.iloc[int(i)]
            rep.capped(
                ("derived_tables", "allocations"),
                f"allocations: parcel {r['parcel']}, {r['use']}, {r['period']}, column {col}",
                f"{got[i]!r} but the {'library' if col == 'kind' else 'parcel table'} gives {want[i]!r}",
            )


def _gardens(c: Context, rep: Report) -> None:
    """Gardens: area, vegetated area and vegetation coverage of each village's garden uses,
    for every village that can have a garden and every village the plan's table names."""
    inst, lib = c.inst, c.lib
    g = c.tables["gardens"]
    garden_uses = [
        u
        for u, x in lib.uses.items()
        if x.kind.value in GARDEN_KINDS and not (u in inst.uses and not inst.uses[u].enabled)
    ]
    can = set(c.par.loc[c.par["cover"].isin({cv for u in garden_uses for cv in lib.uses[u].from_covers}), "village"])
    gvill = [v.id for v in inst.villages if not v.is_town and (v.id in can or inst.policies.one_garden_per_village)]
    rows = []
    for t in c.periods:
        at = c.at(t)
        sel = at[at["kind"].isin(GARDEN_KINDS)]
        veg = sel["area_ha"] * c.ucoef(sel, "vegetation_cover", lambda u: lib.uses[u].vegetation_cover)
        ha = sel.groupby("village")["area_ha"].sum()
        vh = veg.groupby(sel["village"]).sum()
        for v in dict.fromkeys(gvill + g.loc[g["period"] == t, "village"].tolist()):
            a_, v_ = float(ha.get(v, 0.0)), float(vh.get(v, 0.0))
            rows.append(
                {
                    "village": v,
                    "period": t,
                    "area_ha": a_,
                    "vegetated_ha": v_,
                    "vegetation_coverage": v_ / a_ if a_ > 1e-6 else np.nan,
                }
            )
    want = pd.DataFrame(rows, columns=["village", "period", "area_ha", "vegetated_ha", "vegetation_coverage"])
    _against(
        rep,
        "gardens",
        g,
        want,
        ["village", "period"],
        {"area_ha": _AREA, "vegetated_ha": _AREA, "vegetation_coverage": (1e-6, 1e-6)},
        every_row=True,
    )


def _street_green(c: Context, rep: Report) -> None:
    """Street green: the area of the spaces in each period; every period must have its row
    when the instance asks for street green and has a central town."""
    sg = c.inst.policies.street_green
    tab = c.tables["street_green"]
    if sg is not None and c.town is not None or len(tab):
        want = pd.DataFrame(
            {
                "period": c.periods,
                "area_ha": [float(c.at(t).loc[c.at(t)["kind"] == "street_green", "area_ha"].sum()) for t in c.periods],
            }
        )
        _against(
            rep,
            "street_green",
            tab,
            want,
            ["period"],
            {"area_ha": _AREA},
            every_row=sg is not None and c.town is not None,
        )


def _projects(c: Context, rep: Report) -> None:
    """Projects: the instance's name, channel and host; the capital cost in the period a
    project is first built; its income while built."""
    built = built_projects(c)
    rows = []
    for j in c.inst.projects:
        prev = False
        for t in c.periods:
            b = built.get((j.id, t), False)
            rows.append(
                {
                    "project": j.id,
                    "period": t,
                    "name": j.name,
                    "channel": j.channel,
                    "host_village": j.host_village,
                    "newly_built": float(b and not prev),
                    "capex_yuan": j.capex_yuan if (b and not prev) else 0.0,
                    "income_yuan_per_yr": float(sum(j.income_yuan_per_yr.values())) if b else 0.0,
                }
            )
            prev = b
    want = pd.DataFrame(
        rows,
        columns=[
            "project",
            "period",
            "name",
            "channel",
            "host_village",
            "newly_built",
            "capex_yuan",
            "income_yuan_per_yr",
        ],
    )
    pj = c.tables["projects"].copy()
    pj["newly_built"] = pj["newly_built"].astype(float)
    _against(
        rep,
        "projects",
        pj,
        want,
        ["project", "period"],
        {"newly_built": (0.5, 0.0), "capex_yuan": _MONEY, "income_yuan_per_yr": _MONEY},
        text=("name", "channel", "host_village"),
        every_row=True,
    )


def _carbon_applications(c: Context, rep: Report) -> None:
    """Carbon applications: the parcel's village and its carbon forest, to the villager
    (an individual application) or to the collective; the holding it belongs to."""
    lib = c.lib
    ca = c.tables["carbon_applications"]
    if not len(ca):
        return
    rows = []
    hold = holding_names(c)
    for t in c.periods:
        at = c.at(t)
        cf = at[
            c.ucoef(at, "forestry_carbon", lambda u: lib.uses[u].forestry_carbon and c.is_forest_use(u)).astype(bool)
        ]
        by = cf.groupby("parcel")["area_ha"].sum()
        sub = ca[ca["period"] == t]
        ha = by.reindex(sub["parcel"]).fillna(0.0).to_numpy(dtype=float)
        ind = sub["individual"].to_numpy(dtype=bool)
        rows.append(
            pd.DataFrame(
                {
                    "parcel": sub["parcel"].to_numpy(dtype=object),
                    "period": t,
                    "village": c.par["village"].reindex(sub["parcel"]).to_numpy(dtype=object),
                    "individual_ha": np.where(ind, ha, 0.0),
                    "collective_ha": np.where(ind, 0.0, ha),
                    "holding": [hold.get(p, "") for p in sub["parcel"].tolist()],
                }
            )
        )
    want = pd.concat(rows, ignore_index=True)
    _against(
        rep,
        "carbon_applications",
        ca,
        want,
        ["parcel", "period"],
        {"individual_ha": _AREA, "collective_ha": _AREA},
        text=("village", "holding") if "holding" in ca.columns else ("village",),
    )


def _finance(c: Context, rep: Report) -> None:
    """Finance per period, from the recomputation of the money (:mod:`planner.verify.money`)."""
    want = pd.DataFrame(
        [
            {
                "period": t,
                "budget_yuan": c.period[t].budget_yuan,
                "interest_yuan_per_yr": c.money[t]["interest"],
                "budget_used_yuan": c.money[t]["spend"],
                "establishment_yuan": c.money[t]["establishment"],
                "project_capex_yuan": c.money[t]["capex"],
                "wages_yuan": c.money[t]["wages"],
                "debt_service_yuan": c.money[t]["debt_service"],
            }
            for t in c.periods
        ]
    )
    _against(
        rep,
        "finance",
        c.tables["finance"],
        want,
        ["period"],
        {
            k: _MONEY
            for k in (
                "budget_yuan",
                "interest_yuan_per_yr",
                "budget_used_yuan",
                "establishment_yuan",
                "project_capex_yuan",
                "wages_yuan",
                "debt_service_yuan",
            )
        },
        every_row=True,
    )


def _gep(c: Context, rep: Report) -> None:
    """GEP by village, service and period, and each service's category (see :func:`gep_rows`)."""
    _against(
        rep,
        "gep",
        c.tables["gep"],
        gep_rows(c),
        ["village", "service", "period"],
        {"gep_yuan": _MONEY},
        text=("category",),
    )


def _dividends(c: Context, rep: Report) -> None:
    """Dividends: each village's and recipient's income per period, from the recomputation
    of the money, and whether the objective counts it as a dividend."""
    recips = set(c.inst.objective.dividend_recipients)
    want = pd.DataFrame(
        [
            {"village": v, "recipient": r, "period": t, "yuan_per_yr": y, "counts_as_dividend": float(r in recips)}
            for t in c.periods
            for (v, r), y in c.money[t]["income"].items()
        ],
        columns=["village", "recipient", "period", "yuan_per_yr", "counts_as_dividend"],
    )
    dv = c.tables["dividends"].copy()
    dv["counts_as_dividend"] = dv["counts_as_dividend"].astype(float)
    _against(
        rep,
        "dividends",
        dv,
        want,
        ["village", "recipient", "period"],
        {"yuan_per_yr": _MONEY, "counts_as_dividend": (0.5, 0.0)},
    )


def _kpis(c: Context, rep: Report) -> None:
    """The KPIs the money and coverage checks do not recompute: the budget, and the
    gardens, projects and people counted from the plan's tables. Reported under rule
    ``kpis``, as the other KPI checks."""
    k = c.tables["kpis"]
    if not len(k):
        return
    gd, pj_, rc = c.tables["gardens"], c.tables["projects"], c.tables["recruitment"]
    want = pd.DataFrame(
        [
            {
                "period": t,
                "budget_yuan": c.period[t].budget_yuan,
                "gardens_built": float(gd.loc[gd["period"] == t, "built"].astype(bool).sum()),
                "projects_built": float(pj_.loc[pj_["period"] == t, "built"].astype(bool).sum()),
                "recruited_people": float(rc.loc[rc["period"] == t, "count"].astype(float).sum()),
            }
            for t in c.periods
        ]
    )
    for col, tol in (
        ("budget_yuan", _MONEY),
        ("gardens_built", (1e-6, 0.0)),
        ("projects_built", (1e-6, 0.0)),
        ("recruited_people", (1e-6, 0.0)),
    ):
        m = k[["period", col]].merge(want[["period", col]], on="period", suffixes=("", "_want"))
        for r in m.itertuples(index=False):
            got, exp = float(getattr(r, col)), float(getattr(r, f"{col}_want"))
            if not close(got, exp, tol[1], tol[0]):
                rep.bad("kpis", f"{col}, {r.period}", "reported KPI does not match the recomputation", got, exp)


def gep_rows(c: Context) -> pd.DataFrame:
    """GEP by village, service and period (Yuan/yr): the covers left, the uses, and the
    projects built (``project:<id>``, cultural)."""
    lib, inst = c.lib, c.inst
    equiv = c.equiv_yuan()
    mult = inst.prices.gep_multipliers
    cat = {s.id: s.category.value for s in lib.services}
    built = built_projects(c)
    own = cover_values(c.par, lib)  # per-parcel quantities (parcels.quantities), Yuan/ha/yr
    if own is not None:
        own = own.mul(equiv * c.par["cover"].map(lambda x: mult.get(x, 1.0)), axis=0)
    acc: dict[tuple[Any, str, str], float] = {}
    for t in c.periods:
        idx = c.period[t].gep_price_index
        remain = c.par["area_ha"] - c.used(t)
        left = (
            pd.DataFrame(
                {
                    "village": c.par["village"].to_numpy(dtype=object),
                    "cover": c.par["cover"].to_numpy(dtype=object),
                    "ha": remain.to_numpy(dtype=float),
                }
            )
            .groupby(["village", "cover"], sort=False)["ha"]
            .sum()
        )
        if own is None:
            for (v, cv), ha in left.items():
                for s, e in lib.covers[cv].equivalents.items():
                    acc[(v, s, t)] = acc.get((v, s, t), 0.0) + ha * e * equiv * mult.get(cv, 1.0) * idx
        else:  # per-parcel quantities: each parcel's own value of its cover
            for (v, s), y in own.mul(remain * idx, axis=0).groupby(c.par["village"]).sum().stack().items():
                if y:
                    acc[(v, s, t)] = acc.get((v, s, t), 0.0) + y
        at = c.at(t)
        for (v, u), ha in at.groupby(["village", "use"], sort=False)["area_ha"].sum().items():
            for s, e in lib.uses[u].equivalents.items():
                acc[(v, s, t)] = acc.get((v, s, t), 0.0) + ha * e * equiv * mult.get(u, 1.0) * idx
        for j in inst.projects:
            if built.get((j.id, t), False) and j.gep_yuan_per_yr:
                key = (j.host_village, f"project:{j.id}", t)
                acc[key] = acc.get(key, 0.0) + j.gep_yuan_per_yr * idx
    return pd.DataFrame(
        [
            {
                "village": v,
                "service": s,
                "period": t,
                "gep_yuan": y,
                "category": "cultural" if s.startswith("project:") else cat.get(s, ""),
            }
            for (v, s, t), y in acc.items()
        ],
        columns=["village", "service", "period", "gep_yuan", "category"],
    )
