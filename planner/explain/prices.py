"""Binding rules, shadow prices, reduced costs and ranges of a plan's fixed LP, in
planner units (see :mod:`planner.explain.fixed` for what the LP is).

Sign convention of the solver (maximisation): a row's dual is the change of the
objective per unit increase of its limit, a column's reduced cost the change per unit
increase of the variable. Here a rule's ``shadow_price`` is the objective gained per unit
the rule is *loosened* (more budget, a higher cap, a lower minimum), so it is >= 0 for
every inequality at an optimum.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from planner.core.units import MONEY
from planner.explain.fixed import FixedLP
from planner.explain.result import fmt
from planner.explain.rows import describe, field_of, row_info
from planner.solver import highs

BAN_ROWS = ("farmland_protection", "red_line_type", "eco_space_measures", "village_permission", "siting")
TOL = 1e-7


def _sense(lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    out = np.full(len(lower), "range", dtype=object)
    out[np.isinf(lower) & ~np.isinf(upper)] = "<="
    out[~np.isinf(lower) & np.isinf(upper)] = ">="
    out[lower == upper] = "=="
    return out


def rule_table(f: FixedLP, all_rows: bool = False) -> pd.DataFrame:
    """Every row that binds or has a price (``all_rows``: every row), in planner units."""
    r = f.rows.copy()
    if r.empty:
        return r
    rg = f.ranging()
    n = len(r)
    up = np.asarray(rg.row_bound_up.value_, dtype=float)[:n]
    dn = np.asarray(rg.row_bound_dn.value_, dtype=float)[:n]
    lo, hi, val, dual = (r[c].to_numpy(dtype=float) for c in ("lower", "upper", "value", "dual"))
    sense = _sense(lo, hi)
    # a ranged row acts at the bound it sits on
    near_hi = np.abs(hi - val) <= np.abs(val - lo)
    sense = np.where(sense == "range", np.where(near_hi, "<=", ">="), sense)
    le = sense == "<="
    ge = sense == ">="
    slack = np.where(le, hi - val, np.where(ge, val - lo, 0.0))
    bound = np.where(le | (sense == "=="), hi, lo)
    price = np.where(ge, -dual, dual)
    loosen = np.where(le, up - hi, np.where(ge, lo - dn, up - hi))
    tighten = np.where(le, hi - dn, np.where(ge, up - lo, hi - dn))
    infos = [row_info(c) for c in r["constraint"]]
    scale = np.array([i.scale for i in infos])
    r["sense"] = sense
    r["unit"] = [_unit(f.d, i, c, k) for i, c, k in zip(infos, r["constraint"], r["index"])]
    r["rule"] = [i.label for i in infos]
    r["slack"] = np.maximum(slack, 0.0) * scale
    r["binding"] = slack <= TOL * np.maximum(1.0, np.abs(bound))
    r["shadow_price"] = np.where(r["decision_only"], np.nan, price * MONEY / scale)
    r["price_unit"] = [f"Yuan/yr per {u}" for u in r["unit"]]
    r["loosen_by"] = np.maximum(loosen, 0.0) * scale
    r["tighten_by"] = np.maximum(tighten, 0.0) * scale
    r["where"] = [describe(c, i) for c, i in zip(r["constraint"], r["index"])]
    r["field"] = [field_of(c, i) for c, i in zip(r["constraint"], r["index"])]
    priced = r["shadow_price"].abs().fillna(0.0) > 1e-6
    if not all_rows:
        r = r[r["binding"] | priced].copy()
    r["statement"] = [_statement(row) for row in r.itertuples()]
    r = r.assign(_abs=r["shadow_price"].abs().fillna(-1.0)).sort_values(
        ["_abs", "family", "constraint"], ascending=[False, True, True]
    )
    cols = [
        "family",
        "constraint",
        "rule",
        "where",
        "index",
        "sense",
        "unit",
        "slack",
        "binding",
        "shadow_price",
        "price_unit",
        "decision_only",
        "loosen_by",
        "tighten_by",
        "field",
        "statement",
    ]
    return r[cols].reset_index(drop=True)


def _unit(d, info, name: str, index: tuple) -> str:
    """The unit of one row, where a constraint mixes units (work norms, prerequisites)."""
    if name.startswith("recruit_work"):
        role = next((r for r in d.inst.roles if r.id == index[-2]), None)
        if role is not None:
            kind = d.lib.labour_norms[role.norm].kind.value
            return "ha" if kind in ("planting", "area_managed") else "people"
    if name == "project_prerequisite":
        proj = next((j for j in d.inst.projects if j.id == index[0]), None)
        if proj is not None and int(index[1]) < len(proj.prerequisites):
            return "ha" if proj.prerequisites[int(index[1])].min_area_ha is not None else "project"
    return info.unit


def _statement(row) -> str:
    """The row in words. The LP's value function is concave in a limit, so a dual is an
    upper bound on the gain per unit of loosening and a lower bound on the loss per unit of
    tightening; it is exact only inside the range (``loosen_by`` / ``tighten_by`` > 0)."""
    unit = row.unit
    if not row.binding:
        return f"{row.where} does not bind (slack {fmt(row.slack, unit)}): a small change of its limit changes nothing."
    if row.decision_only:
        return (
            f"{row.where} binds on yes/no or whole-number decisions alone; the fixed LP cannot price it "
            f"(see the re-solves in 'importance')."
        )
    p = row.shadow_price
    if abs(p) <= 1e-6:
        return f"{row.where} binds, but loosening it would not change the objective (other rules hold the plan too)."
    if row.sense == "==":
        return (
            f"{row.where} holds with equality: raising its limit by one {unit} changes the objective by "
            f"{fmt(p, 'Yuan/yr')} (while it moves by at most {fmt(row.loosen_by, unit)} up or "
            f"{fmt(row.tighten_by, unit)} down)."
        )
    verb = "raising" if row.sense == "<=" else "lowering"
    if row.loosen_by <= 1e-9:
        value = (
            f"{verb} it by one {unit} is worth at most {fmt(p, 'Yuan/yr')} of objective (degenerate here: "
            f"the LP's price holds only for tightening, where each {unit} costs at least that much)"
        )
    else:
        value = (
            f"{verb} it by one {unit} is worth {fmt(p, 'Yuan/yr')} of objective; the price holds while the "
            f"limit is loosened by up to {fmt(row.loosen_by, unit)}"
            + (
                f" or tightened by up to {fmt(row.tighten_by, unit)}"
                if row.tighten_by > 1e-9
                else " (tightening it costs at least that much per unit)"
            )
        )
    return f"{row.where} binds: {value}."


def rule_summary(rules: pd.DataFrame, f: FixedLP) -> pd.DataFrame:
    """Per constraint: rows, binding rows, priced rows and the largest price."""
    counts = f.rows.groupby("constraint").size().rename("rows")
    out = []
    for name, n in counts.items():
        info = row_info(name)
        sel = rules[rules["constraint"] == name]
        priced = sel[sel["shadow_price"].abs().fillna(0.0) > 1e-6]
        top = priced.iloc[0] if len(priced) else None
        fam = f.rows.loc[f.rows["constraint"] == name, "family"].iloc[0]
        stmt = f"{info.label}: {int(sel['binding'].sum())} of {n} rows bind; " + (
            f"largest price {fmt(top['shadow_price'], 'Yuan/yr')} per {info.unit} at {top['where']}."
            if top is not None
            else "no row has a price."
        )
        out.append(
            {
                "family": fam,
                "constraint": name,
                "rule": info.label,
                "unit": info.unit,
                "hard": info.hard,
                "rows": int(n),
                "binding": int(sel["binding"].sum()),
                "priced": int(len(priced)),
                "max_shadow_price": float(top["shadow_price"]) if top is not None else 0.0,
                "max_where": top["where"] if top is not None else "",
                "statement": stmt,
            }
        )
    df = pd.DataFrame(out)
    return df.sort_values(["max_shadow_price", "binding"], ascending=False).reset_index(drop=True)


class _EntryPrice:
    """The exact objective lost per hectare forced into a group of columns: the plan's LP
    with the row ``sum(x) >= 1e-6`` added, its dual read, then the row removed (HiGHS
    warm-starts each re-solve). ``None`` when no hectare can enter (the LP is infeasible:
    fixed decisions hold the columns at zero)."""

    DELTA = 1e-6

    def __init__(self, f: FixedLP):
        import highspy

        self.hs = highspy
        self.h = highs.new()
        self.h.passModel(f.highs.getLp())
        highs.run(self.h)

    def price(self, cols: np.ndarray) -> tuple[float | None, int | None]:
        """(objective lost per ha forced into ``cols``, the column that takes it), model units."""
        h = self.h
        n = h.getNumRow()
        cols = np.asarray(cols, dtype=np.int32)
        h.addRow(self.DELTA, self.hs.kHighsInf, len(cols), cols, np.ones(len(cols)))
        highs.run(h)
        ok = h.getModelStatus() == self.hs.HighsModelStatus.kOptimal
        if ok:
            sol = h.getSolution()
            dual = float(sol.row_dual[n])
            best = int(cols[np.argmax(np.asarray(sol.col_value)[cols])])
        h.deleteRows(1, np.array([n], dtype=np.int32))
        if not ok:
            highs.run(h)
            return None, None
        return -dual, best  # the dual of a >= row in a maximisation is <= 0: the loss per ha forced in


def options_table(f: FixedLP) -> pd.DataFrame:
    """Why-not: per village and use in the last period, what the plan took; for what it did
    not take, how much more a hectare would have to be worth per year to enter (the exact
    entry price of the group's parcels: the reduced cost of the best one, made robust to
    the LP's degeneracy), whether fixed decisions hold it out, or which rule forbids it."""
    d = f.d
    t = d.last
    w = d.period[t].weight
    if not w:
        return pd.DataFrame()  # the last period carries no weight: nothing has a per-year value in it
    rg = f.ranging()
    cols = f.cols
    x = cols[cols["var"] == "x"].copy()
    if x.empty:
        return pd.DataFrame()
    x["cost_dn"] = np.asarray(rg.col_cost_dn.value_, dtype=float)[: len(cols)][x.index.to_numpy()]
    x[["parcel", "use", "period"]] = pd.DataFrame(x["index"].tolist(), index=x.index)
    x = x[x["period"] == t]
    meta = d.pu.set_index(["parcel", "use"])[["village", "kind"]]
    x = x.join(meta, on=["parcel", "use"])
    bans = f.rows[f.rows["constraint"].isin(BAN_ROWS)]
    ban_of: dict[tuple, list[tuple[str, float]]] = {}
    for c, i, dl in zip(bans["constraint"], bans["index"], bans["dual"]):
        ban_of.setdefault(tuple(i), []).append((c, dl))
    x["forbidden_by"] = [
        ", ".join(sorted({c for c, _ in ban_of.get((p, u), [])})) for p, u in zip(x["parcel"], x["use"])
    ]
    x["ban_dual"] = [sum(dl for _, dl in ban_of.get((p, u), [])) for p, u in zip(x["parcel"], x["use"])]
    x["taken"] = x["value"] > 1e-6
    # Yuan per ha per year of the last period: how much less a taken hectare could earn before the
    # LP's basis changes (HiGHS cost ranging; 0 at a degenerate vertex, where some parcel ties)
    x["margin"] = (x["cost"] - x["cost_dn"]) * MONEY / w
    entry = _EntryPrice(f)
    out = []
    for (v, u), g in x.groupby(["village", "use"], sort=True):
        taken_ha = float(g.loc[g["taken"], "value"].sum())
        free = g[(g["forbidden_by"] == "") & ~g["taken"]]
        row = {
            "village": v,
            "use": u,
            "kind": g["kind"].iloc[0],
            "period": t,
            "parcels": int(len(g)),
            "taken_ha": taken_ha,
            "needs_yuan_per_ha_yr": math.nan,
            "best_parcel": "",
            "margin_yuan_per_ha_yr": math.nan,
            "forbidden_by": "",
        }
        if taken_ha > 1e-6:
            row["status"] = "taken"
            tk = g[g["taken"] & np.isfinite(g["margin"])]
            if len(tk):
                row["margin_yuan_per_ha_yr"] = float(max(tk["margin"].min(), 0.0))
            row["statement"] = f"{u} in {v}: {fmt(taken_ha, 'ha')} by {t}" + (
                f"; a hectare could be worth {fmt(row['margin_yuan_per_ha_yr'], 'Yuan/yr')} less before "
                f"any parcel's allocation changes."
                if not math.isnan(row["margin_yuan_per_ha_yr"])
                else "."
            )
        elif len(free):
            rate, best_col = entry.price(free.index.to_numpy())
            if rate is None:
                row.update(status="held out", needs_yuan_per_ha_yr=math.inf)
                row["statement"] = (
                    f"{u} in {v} is not in the plan and cannot enter while the plan's yes/no decisions stay "
                    f"as they are (a garden, scenic spot, project or recruit would have to change): ask "
                    f"`planner why-not --force area:{v}:{u}>=...`."
                )
            else:
                best = free.loc[best_col, "parcel"]
                row.update(status="not taken", needs_yuan_per_ha_yr=max(rate * MONEY / w, 0.0), best_parcel=best)
                row["statement"] = (
                    f"{u} in {v} is not in the plan: a hectare would have to be worth "
                    f"{fmt(row['needs_yuan_per_ha_yr'], 'Yuan/yr')} more (by {t}) to enter, on its best "
                    f"parcel {best}."
                    if row["needs_yuan_per_ha_yr"] > 1e-6
                    else f"{u} in {v} is not in the plan but could enter at no loss on parcel {best} "
                    f"(a tie with the plan)."
                )
        else:
            rules = sorted({r for fb in g["forbidden_by"] for r in fb.split(", ") if r})
            row.update(status="forbidden", forbidden_by=", ".join(rules))
            worth = float((g["ban_dual"] * MONEY / w).max())
            row["statement"] = f"{u} in {v} is forbidden by {' and '.join(row_info(r).label for r in rules)}" + (
                f"; lifting it on the best parcel would be worth at most {fmt(worth, 'Yuan/yr')} per ha."
                if worth > 1e-6
                else "; lifting it would not raise the objective."
            )
        out.append(row)
    cols_out = [
        "village",
        "use",
        "kind",
        "period",
        "status",
        "parcels",
        "taken_ha",
        "needs_yuan_per_ha_yr",
        "best_parcel",
        "margin_yuan_per_ha_yr",
        "forbidden_by",
        "statement",
    ]
    return pd.DataFrame(out, columns=cols_out)
