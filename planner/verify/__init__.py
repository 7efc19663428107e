"""Independent verification of a plan.

Recomputes every rule of the formulation from the plan's tables and the instance
(parcel table, instance YAML, valuation library) with pandas alone. It does not use
the Pyomo model nor :mod:`planner.model.data`, so a modelling error shows up as a
violation or a KPI mismatch instead of being checked against itself.

``verify_plan(plan, instance)`` returns ``{"passed": bool, "violations": [...],
"checks": [...]}``; each violation names the rule family, where (village, parcel,
period, ...), what is wrong, the plan's value and the limit.

Before the rules (:mod:`planner.verify.tables`): a plan made for another instance is
refused; the CSV tables beside plan.json must equal it (``tables_dir``); malformed rows
(duplicates, ids the instance lacks, missing or non-numeric values) are reported and left
out. After them, every derived table (GEP, dividends, finance, gardens, projects, carbon
applications, KPIs) is recomputed from the decisions and the instance and compared.
A check that cannot run on the data is itself a violation, never a traceback.

Every check is vectorised (one pass over the allocations per period, coefficients looked
up per distinct use and cover, groupby sums per village), so plans of a million parcels
verify in seconds. Where a rule is checked row by row, the rows that can break it are
found with one vector mask and only those go through the per-row wording, in table order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from planner.core.plan_format import TABLES
from planner.core.units import MU_PER_HA
from planner.instance.adjacency import carbon_holdings, components, is_connected
from planner.verify.tables import Capped, clean_tables, compare_csv_tables, empty_table, instance_mismatch

AREA_TOL = 1e-4  # ha
REL_TOL = 1e-6  # relative, for money and KPI comparisons
GARDEN = ("garden_vegetation", "garden_facility")


@dataclass
class _Report:
    violations: list[dict[str, Any]] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.capped = Capped(self.bad)  # for row-by-row reports that can run long: the first 50 per table

    def check(self, name: str) -> None:
        self.checks.append(name)

    def bad(self, rule: str, where: str, message: str, value: Any = None, limit: Any = None) -> None:
        self.violations.append(
            {
                "rule": rule,
                "where": where,
                "message": message,
                "value": None if value is None else float(value),
                "limit": None if limit is None else float(limit),
            }
        )


def _close(a: float, b: float, rel: float = REL_TOL, abs_: float = 1e-3) -> bool:
    return abs(a - b) <= max(abs_, rel * max(abs(a), abs(b)))


class _Ctx:
    """Everything the checks need, computed from the instance and the plan tables.

    The allocations get four helper columns: ``kind``, ``village`` and ``cover`` (from the
    library and the parcel table), ``_u`` (the row's use as a code into ``self.uses_seen``)
    and ``_p`` (the row's parcel as a position in the parcel table, -1 if it is not there).
    Per-period slices and sums are computed once and cached."""

    def __init__(self, tables: dict[str, pd.DataFrame], li) -> None:
        self.inst = li.instance
        self.lib = li.library
        self.par = li.parcels.set_index("id", drop=False)
        self.periods = [p.id for p in self.inst.periods]
        self.period = {p.id: p for p in self.inst.periods}
        self.prev = {t: (self.periods[i - 1] if i else None) for i, t in enumerate(self.periods)}
        self.town = next((v.id for v in self.inst.villages if v.is_town), None)
        self.total = float(self.par["area_ha"].sum())
        self.li = li
        self.adjacency = li.adjacency  # parcel geometry: the contiguity checks run
        t = tables
        a = t["allocations"].copy() if "allocations" in t else pd.DataFrame()
        if a.empty:
            a = empty_table("allocations")
        a["period"] = a["period"].astype(str)
        a["area_ha"] = a["area_ha"].astype(float)
        uses = self.lib.uses
        codes, seen = pd.factorize(a["use"], use_na_sentinel=False)
        self.uses_seen: list[Any] = list(seen)
        kinds = np.array([uses[u].kind.value if u in uses else None for u in self.uses_seen], dtype=object)
        a["kind"] = pd.Series(kinds[codes], index=a.index, dtype=object)
        pos = self.par.index.get_indexer(a["parcel"])
        known = pos >= 0
        for col in ("village", "cover"):  # the parcel's, NaN for a parcel not in the table
            vals = np.full(len(a), np.nan, dtype=object)
            vals[known] = self.par[col].to_numpy(dtype=object)[pos[known]]
            a[col] = pd.Series(vals, index=a.index, dtype=object)
        a["_u"] = codes
        a["_p"] = pos
        self.alloc = a
        self.tables = {k: (v.copy() if isinstance(v, pd.DataFrame) else pd.DataFrame(v)) for k, v in t.items()}
        for k in TABLES:  # every table with its columns, also when it has no rows
            df = self.tables.get(k)
            if df is None or df.empty:
                self.tables[k] = empty_table(k)
        for df in self.tables.values():
            if "period" in df.columns:
                df["period"] = df["period"].astype(str)
        self._at: dict[str, pd.DataFrame] = {}
        self._used: dict[str, pd.Series] = {}
        self._pu: dict[str | None, pd.Series] = {}
        self._utab: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._pcoef: dict[str, pd.Series] = {}
        self._pcodes: np.ndarray | None = None
        self._pcovers: list[Any] = []
        self.money: dict[str, dict[str, Any]] = {}  # per period, from _carbon_and_money: income, GEP, spending

    # per-hectare coefficients straight from the library and the instance prices
    def equiv_yuan(self) -> float:
        return self.lib.standard_equivalent_yuan_per_ha * self.lib.regional_scale * self.inst.prices.gep_scale

    def gep_ha(self, key: str, cover: bool) -> float:
        obj = self.lib.covers[key] if cover else self.lib.uses[key]
        return sum(obj.equivalents.values()) * self.equiv_yuan() * self.inst.prices.gep_multipliers.get(key, 1.0)

    def used(self, t: str) -> pd.Series:
        """Hectares of each parcel under a use in period ``t`` (cached; do not modify)."""
        if t not in self._used:
            a = self.at(t)
            pos = a["_p"].to_numpy(dtype=np.int64)
            ha = np.nan_to_num(a["area_ha"].to_numpy(dtype=float), nan=0.0)  # a sum skips NaN
            known = pos >= 0
            self._used[t] = pd.Series(
                np.bincount(pos[known], weights=ha[known], minlength=len(self.par)), index=self.par.index, dtype=float
            )
        return self._used[t]

    def at(self, t: str | None) -> pd.DataFrame:
        """The allocations of period ``t`` (cached; do not modify)."""
        if t is None:
            return self.alloc.iloc[0:0]
        if t not in self._at:
            self._at[t] = self.alloc[self.alloc["period"] == t]
        return self._at[t]

    def by_parcel_use(self, t: str | None) -> pd.Series:
        """Hectares of period ``t`` indexed by (parcel, use) (cached; do not modify)."""
        if t not in self._pu:
            self._pu[t] = self.at(t).set_index(["parcel", "use"])["area_ha"]
        return self._pu[t]

    def use_table(self, name: str, fn) -> tuple[np.ndarray, np.ndarray]:
        """``fn(use)`` as a float for every use in the allocations (indexed by ``_u``), and
        which uses ``fn`` fails on (unknown to the library)."""
        if name not in self._utab:
            vals = np.full(len(self.uses_seen), np.nan)
            bad = np.zeros(len(self.uses_seen), dtype=bool)
            for i, u in enumerate(self.uses_seen):
                try:
                    vals[i] = float(fn(u))
                except Exception:  # noqa: BLE001 - raised again by ucoef where a row needs this use
                    bad[i] = True
            self._utab[name] = (vals, bad)
        return self._utab[name]

    def ucoef(self, rows: pd.DataFrame, name: str, fn) -> pd.Series:
        """``fn(use)`` for each allocation row of ``rows`` (a slice of ``self.alloc``); fails
        as a per-row lookup would when a row's use is unknown."""
        vals, bad = self.use_table(name, fn)
        codes = rows["_u"].to_numpy(dtype=np.int64)
        if bad.any():
            hit = bad[codes]
            if hit.any():
                fn(self.uses_seen[codes[int(np.argmax(hit))]])  # raises the lookup error
        return pd.Series(vals[codes], index=rows.index, dtype=float)

    def pcoef(self, name: str, fn) -> pd.Series:
        """``fn(cover)`` for every parcel, indexed like ``self.par`` (cached; do not modify)."""
        if name not in self._pcoef:
            if self._pcodes is None:
                codes, covers = pd.factorize(self.par["cover"], use_na_sentinel=False)
                self._pcodes, self._pcovers = codes, list(covers)
            vals = np.array([float(fn(x)) for x in self._pcovers], dtype=float)
            self._pcoef[name] = pd.Series(
                vals[self._pcodes] if len(vals) else np.zeros(len(self.par)), index=self.par.index, dtype=float
            )
        return self._pcoef[name]

    def need_parcels(self, rows: pd.DataFrame) -> np.ndarray:
        """Parcel positions of ``rows``; fails as a per-row parcel lookup would when a row's
        parcel is not in the parcel table."""
        pos = rows["_p"].to_numpy(dtype=np.int64)
        if (pos < 0).any():
            self.par.at[rows["parcel"].to_numpy(dtype=object)[int(np.argmax(pos < 0))], "area_ha"]  # raises KeyError
        return pos

    def is_forest_cover(self, c: str) -> bool:
        x = self.lib.covers[c]
        return x.forest and x.canopy_density >= self.inst.policies.forest_canopy_min

    def is_forest_use(self, u: str) -> bool:
        x = self.lib.uses[u]
        return x.forest and x.canopy_density >= self.inst.policies.forest_canopy_min


def _records(df: pd.DataFrame, mask: Any = None) -> list[dict[str, Any]]:
    """Rows of ``df`` (those where ``mask`` holds) as dicts, in table order."""
    sel = df if mask is None else df[np.asarray(mask, dtype=bool)]
    return sel.to_dict("records") if len(sel) else []


def verify_plan(plan, li, tables_dir: str | Path | None = None) -> dict[str, Any]:
    """Check a plan against every rule of its instance; see the module docstring.

    A plan made for another instance (name, or land fingerprint) gets the single violation
    ``instance`` and nothing else is checked. With ``tables_dir`` (the directory of
    plan.json) the CSV tables there are compared with plan.json's (rule ``csv_tables``).
    Malformed rows are reported (rule ``table_rows``) and left out of the rule checks;
    every derived column is recomputed from the decisions and the instance
    (``derived_tables``, and ``kpis``)."""
    rep = _Report()
    why = instance_mismatch(plan, li)
    if why is not None:
        rep.bad("instance", "plan", why)
        return {"passed": False, "violations": rep.violations, "checks": ["instance"]}
    if not plan.has_solution:
        return {
            "passed": False,
            "violations": [
                {
                    "rule": "status",
                    "where": "plan",
                    "message": f"no plan to verify (status {plan.status})",
                    "value": None,
                    "limit": None,
                }
            ],
            "checks": [],
        }
    if tables_dir is not None:
        if compare_csv_tables(plan.tables, Path(tables_dir), rep.capped):
            rep.check("csv_tables")
        rep.capped.close()
    rep.check("table_rows")
    tables = clean_tables(plan.tables, li, rep.capped)
    rep.capped.close()
    c = _Ctx(tables, li)
    for fn in (
        _land_use,
        _protection,
        _permissions,
        _fruit,
        _gardens,
        _street_green,
        _coverage,
        _projects,
        _recruitment,
    ):
        _guarded(fn, c, rep)
    parts = _guarded(_carbon_and_money, c, rep)
    rep.check("objective")
    ob = c.inst.objective
    if parts is None:
        expect = None
    elif ob.mode == "weighted":
        expect = parts["weighted"]
    else:  # the last lexicographic goal that found a plan
        reached = [
            st["goal"]
            for st in plan.stages
            if st.get("goal") in ("gep", "dividends") and st.get("status") in ("optimal", "feasible")
        ]
        expect = parts[reached[-1]] if reached else None
    if plan.objective is not None and expect is not None and not _close(plan.objective, expect):
        rep.bad("objective", "plan", "reported objective does not match the recomputation", plan.objective, expect)
    if parts is not None:
        _guarded(_derived, c, rep)
    rep.capped.close()
    return {"passed": not rep.violations, "violations": rep.violations, "checks": list(dict.fromkeys(rep.checks))}


def _guarded(fn, c: _Ctx, rep: _Report) -> Any:
    """``fn(c, rep)``; a check that fails on data it cannot read is itself a violation
    (rule ``verifier``), never a traceback and never a pass."""
    try:
        return fn(c, rep)
    except Exception as exc:  # noqa: BLE001 - reported, so the plan cannot pass
        rep.bad("verifier", fn.__name__.lstrip("_"), f"could not be checked: {type(exc).__name__}: {exc}")
        return None


# ---------------------------------------------------------------------------


def _land_use(c: _Ctx, rep: _Report) -> None:
    a = c.alloc
    rep.check("land_use")
    uses = c.lib.uses
    # rows that can break a row rule: found with vector masks, then worded row by row
    n_u = len(c.uses_seen)
    ucodes = a["_u"].to_numpy(dtype=np.int64)
    ccodes, covers = pd.factorize(a["cover"], use_na_sentinel=False)
    known_u = np.array([u in uses for u in c.uses_seen], dtype=bool)
    fits = np.array(
        [[u in uses and cv in uses[u].from_covers for cv in covers] for u in c.uses_seen], dtype=bool
    ).reshape(n_u, len(covers))
    disabled = np.array([(u in c.inst.uses and not c.inst.uses[u].enabled) for u in c.uses_seen], dtype=bool)
    flag = (a["_p"].to_numpy() < 0) | (a["area_ha"].to_numpy() < -AREA_TOL)
    if len(a):
        flag |= ~known_u[ucodes] | ~fits[ucodes, ccodes] | disabled[ucodes]
    flag |= ((a["kind"] == "street_green") & (a["village"] != c.town)).to_numpy(dtype=bool)
    flag |= (a["kind"].isin(GARDEN) & (a["village"] == c.town)).to_numpy(dtype=bool)
    for r in _records(a, flag):
        if r["parcel"] not in c.par.index:
            rep.bad("land_use", f"parcel {r['parcel']}", "allocation on a parcel not in the parcel table")
            continue
        if r["use"] not in c.lib.uses:
            rep.bad("land_use", f"parcel {r['parcel']}", f"unknown use {r['use']!r}")
            continue
        use = c.lib.uses[r["use"]]
        pol = c.inst.uses.get(r["use"])
        if r["cover"] not in use.from_covers:
            rep.bad(
                "land_use",
                f"parcel {r['parcel']}, {r['use']}, {r['period']}",
                f"use cannot be established on {r['cover']}",
            )
        if pol is not None and not pol.enabled:
            rep.bad("land_use", f"parcel {r['parcel']}, {r['use']}", "use is disabled in the instance")
        if r["area_ha"] < -AREA_TOL:
            rep.bad("land_use", f"parcel {r['parcel']}, {r['use']}, {r['period']}", "negative area", r["area_ha"], 0)
        if use.kind.value == "street_green" and r["village"] != c.town:
            rep.bad("street_green", f"parcel {r['parcel']}", "street green outside the central town")
        if use.kind.value in GARDEN and r["village"] == c.town:
            rep.bad("gardens", f"parcel {r['parcel']}", "village garden in the central town")
    for t in c.periods:
        used = c.used(t)
        over = used - c.par["area_ha"]
        for p in over[over > AREA_TOL].index:
            rep.bad(
                "land_use", f"parcel {p}, {t}", "more area used than the parcel has", used[p], c.par.at[p, "area_ha"]
            )
        if c.prev[t]:
            now = c.by_parcel_use(t)
            before = c.by_parcel_use(c.prev[t])
            diff = now.reindex(before.index).fillna(0.0) - before
            for p, u in diff[diff < -AREA_TOL].index:
                rep.bad(
                    "land_use",
                    f"parcel {p}, {u}, {t}",
                    "area shrinks between periods (decisions are cumulative)",
                    now.get((p, u), 0.0),
                    before[(p, u)],
                )


def _eco_area(c: _Ctx, t: str | None, inside: np.ndarray | None = None) -> float:
    """Hectares of ecological space in period ``t`` (``None``: before any decision), over
    all parcels or those where the boolean array ``inside`` (by parcel position) holds."""
    area = c.par["area_ha"].to_numpy(dtype=float)
    used = c.used(t).to_numpy(dtype=float) if t else np.zeros(len(c.par))
    eco_c = c.pcoef("ecological_space", lambda x: c.lib.covers[x].ecological_space).to_numpy(dtype=float)
    a = c.at(t)
    pos = a["_p"].to_numpy(dtype=np.int64)
    keep = pos >= 0  # allocations on the parcels counted
    if inside is not None:
        keep &= inside[np.maximum(pos, 0)] if len(inside) else False
    a = a[keep]
    eco_u = c.ucoef(a, "ecological_space", lambda u: c.lib.uses[u].ecological_space)
    left = (area - used) * eco_c
    if inside is not None:
        left = left[inside]
    return float(pd.Series(left).sum() + (a["area_ha"] * eco_u).sum())


def _protection(c: _Ctx, rep: _Report) -> None:
    pol = c.inst.policies
    a = c.alloc
    if pol.farmland_protection:
        rep.check("farmland_protection")
        bad = a[a["cover"].isin(pol.protected_farmland_covers) & (a["area_ha"] > AREA_TOL)]
        for r in _records(bad):
            rep.bad(
                "farmland_protection",
                f"parcel {r['parcel']}, {r['use']}, {r['period']}",
                "permanent basic farmland changed",
                r["area_ha"],
                0,
            )
    if pol.red_line_type_unchanged:
        rep.check("red_line_type")
        pos = a["_p"].to_numpy(dtype=np.int64)
        red = c.par["red_line"].to_numpy(dtype=object)
        in_red = np.ones(len(a), dtype=bool)  # a parcel not in the table counts as inside (as NaN does)
        in_red[pos >= 0] = red[pos[pos >= 0]].astype(bool)
        sel = a[in_red & (a["area_ha"] > AREA_TOL).to_numpy(dtype=bool)]
        pos = sel["_p"].to_numpy(dtype=np.int64)
        eco_u, bad_u = c.use_table("ecological_space", lambda u: c.lib.uses[u].ecological_space)
        eco_c = c.pcoef("ecological_space", lambda x: c.lib.covers[x].ecological_space).to_numpy()
        codes = sel["_u"].to_numpy(dtype=np.int64)
        flag = (pos < 0) | bad_u[codes]
        flag |= np.where(pos >= 0, eco_u[codes] != (eco_c[np.maximum(pos, 0)] if len(eco_c) else np.nan), True)
        for r in _records(sel, flag):
            if c.lib.uses[r["use"]].ecological_space != c.lib.covers[r["cover"]].ecological_space:
                rep.bad(
                    "red_line",
                    f"parcel {r['parcel']}, {r['use']}, {r['period']}",
                    "space type changed inside the red line",
                    r["area_ha"],
                    0,
                )
    if pol.red_line_min_share is not None:
        rep.check("red_line_share")
        red = c.par["red_line"].astype(bool).to_numpy(dtype=bool)
        for t in c.periods:
            eco = _eco_area(c, t, red)
            need = pol.red_line_min_share * c.total
            if eco < need - AREA_TOL:
                rep.bad(
                    "red_line", f"period {t}", "ecological space inside the red line below its minimum share", eco, need
                )
    if pol.ecological_space_no_decrease:
        rep.check("eco_space_no_decrease")
        before = _eco_area(c, None)
        for t in c.periods:
            now = _eco_area(c, t)
            if now < before - AREA_TOL:
                rep.bad("eco_space", f"period {t}", "ecological space decreased", now, before)
            before = now
    if pol.eco_space_measures is not None:
        rep.check("eco_space_measures")
        sel = a[a["area_ha"] > AREA_TOL]
        pos = sel["_p"].to_numpy(dtype=np.int64)
        typ = pd.Series(
            c.par["eco_space"].to_numpy(dtype=object)[np.maximum(pos, 0)] if len(c.par) else np.full(len(sel), None),
            index=sel.index,
            dtype=object,
        )
        flag = pos < 0
        for kind, allowed in pol.eco_space_measures.items():
            flag |= ((typ == kind) & ~sel["use"].isin(list(allowed))).to_numpy(dtype=bool)
        for r in _records(sel, flag):
            typ_r = c.par.at[r["parcel"], "eco_space"]
            if typ_r in pol.eco_space_measures and r["use"] not in pol.eco_space_measures[typ_r]:
                rep.bad(
                    "eco_space",
                    f"parcel {r['parcel']}, {r['use']}, {r['period']}",
                    f"use not among the measures for {typ_r} space",
                    r["area_ha"],
                    0,
                )


def _permissions(c: _Ctx, rep: _Report) -> None:
    a = c.alloc[c.alloc["area_ha"] > AREA_TOL]
    rep.check("village_permission")
    by_use = {u: g for u, g in a.groupby("use", sort=False)} if len(a) else {}
    for u, pol in c.inst.uses.items():
        sel = by_use.get(u, a.iloc[0:0])
        if pol.villages is not None:
            for r in _records(sel, ~sel["village"].isin(pol.villages)):
                rep.bad(
                    "village_permission",
                    f"parcel {r['parcel']} ({r['village']}), {u}, {r['period']}",
                    "use not permitted in this village",
                    r["area_ha"],
                    0,
                )
        if pol.require_attribute:
            ok = sel["parcel"].map(c.par[pol.require_attribute]).astype(bool)
            for r in _records(sel, ~ok):
                rep.bad(
                    "village_permission",
                    f"parcel {r['parcel']}, {u}, {r['period']}",
                    f"parcel lacks {pol.require_attribute}",
                    r["area_ha"],
                    0,
                )
    pol = c.inst.policies
    k = pol.interactive_forest_per_garden_ha
    if k is not None:
        rep.check("interactive_forest")
        for t in c.periods:
            at = c.at(t)
            inter = at[at["use"] == pol.interactive_forest_use].groupby("village")["area_ha"].sum()
            gard = at[at["kind"].isin(GARDEN)].groupby("village")["area_ha"].sum()
            for v, ha in inter.items():
                lim = k * gard.get(v, 0.0)
                if ha > lim + AREA_TOL:
                    rep.bad(
                        "interactive_forest", f"{v}, {t}", "interactive forest exceeds its garden-linked limit", ha, lim
                    )


def _fruit(c: _Ctx, rep: _Report) -> None:
    rep.check("fruit")
    for u, pol in c.inst.uses.items():
        if pol.max_share_of_cover is None:
            continue
        src = c.par[c.par["cover"].isin(c.lib.uses[u].from_covers)].groupby("village")["area_ha"].sum()
        for t in c.periods:
            at = c.at(t)
            for v, ha in at[at["use"] == u].groupby("village")["area_ha"].sum().items():
                lim = pol.max_share_of_cover * src.get(v, 0.0)
                if ha > lim + AREA_TOL:
                    rep.bad("fruit", f"{v}, {u}, {t}", "exceeds its share of the source cover", ha, lim)
    pol = c.inst.policies
    sc = c.alloc[c.alloc["kind"] == "scenic_fruit"]
    sc = sc[sc["area_ha"] > AREA_TOL]
    pos = sc["_p"].to_numpy(dtype=np.int64)
    known = pos >= 0
    p_ok = np.maximum(pos, 0)
    area = c.par["area_ha"].to_numpy(dtype=float)[p_ok] if len(c.par) else np.full(len(sc), np.nan)
    ok = area >= pol.scenic_min_parcel_ha - 1e-9
    if pol.scenic_require_attribute:
        if pol.scenic_require_attribute in c.par.columns:
            attr = c.par[pol.scenic_require_attribute].to_numpy(dtype=object)
            ok = ok & np.array([bool(attr[i]) for i in p_ok], dtype=bool)
        else:
            ok = np.zeros(len(sc), dtype=bool)
    flag = ~known | (np.abs(sc["area_ha"].to_numpy(dtype=float) - area) > AREA_TOL) | ~ok
    for r in _records(sc, flag):
        area_r = c.par.at[r["parcel"], "area_ha"]
        if abs(r["area_ha"] - area_r) > AREA_TOL:
            rep.bad(
                "fruit",
                f"parcel {r['parcel']}, {r['period']}",
                "scenic transformation must take the whole fruit forest",
                r["area_ha"],
                area_r,
            )
        ok_r = area_r >= pol.scenic_min_parcel_ha - 1e-9
        if pol.scenic_require_attribute:
            ok_r = (
                ok_r and bool(c.par.at[r["parcel"], pol.scenic_require_attribute])
                if pol.scenic_require_attribute in c.par.columns
                else False
            )
        if not ok_r:
            rep.bad(
                "fruit",
                f"parcel {r['parcel']}, {r['period']}",
                "fruit forest not eligible for scenic transformation (size or maturity)",
            )


def _flags(df: pd.DataFrame, keys: list[str], col: str) -> dict[Any, bool]:
    """``{(key, ...): bool(col)}`` from a small table; the last row wins."""
    if df.empty:
        return {}
    return dict(zip(zip(*(df[k].tolist() for k in keys)), (bool(x) for x in df[col].tolist())))


def _gardens(c: _Ctx, rep: _Report) -> None:
    pol = c.inst.policies
    rep.check("gardens")
    g = c.tables.get("gardens", pd.DataFrame())
    built = _flags(g, ["village", "period"], "built")
    by = pol.garden_by_period or c.periods[0]
    sums: dict[str, tuple[dict, dict]] = {}
    for t in c.periods:
        at = c.at(t)
        sel = at[at["kind"].isin(GARDEN)]
        veg = sel["area_ha"] * c.ucoef(sel, "vegetation_cover", lambda u: c.lib.uses[u].vegetation_cover)
        sums[t] = (sel.groupby("village")["area_ha"].sum().to_dict(), veg.groupby(sel["village"]).sum().to_dict())
    for v in [x.id for x in c.inst.villages if not x.is_town]:
        prev_b = False
        for t in c.periods:
            area = float(sums[t][0].get(v, 0.0))
            veg = float(sums[t][1].get(v, 0.0))
            b = built.get((v, t), area > AREA_TOL)
            if area > pol.garden_max_ha + AREA_TOL:
                rep.bad("gardens", f"{v}, {t}", "garden larger than the maximum", area, pol.garden_max_ha)
            if area > AREA_TOL and not b:
                rep.bad("gardens", f"{v}, {t}", "garden area without a garden built", area, 0)
            if b and area < pol.garden_min_ha - AREA_TOL:
                rep.bad("gardens", f"{v}, {t}", "garden smaller than the minimum", area, pol.garden_min_ha)
            if area > AREA_TOL and veg < pol.garden_vegetation_min * area - AREA_TOL:
                rep.bad(
                    "gardens",
                    f"{v}, {t}",
                    "vegetation coverage inside the garden below the minimum",
                    veg / area,
                    pol.garden_vegetation_min,
                )
            if prev_b and not b:
                rep.bad("gardens", f"{v}, {t}", "garden removed after it was built")
            if pol.one_garden_per_village and t == by and not b:
                rep.bad("gardens", f"{v}, {t}", "village has no garden (one garden per village)")
            prev_b = b
    if c.adjacency is not None and pol.contiguous_gardens:
        rep.check("garden_contiguity")
        for t in c.periods:
            at = c.at(t)
            sel = at[at["kind"].isin(GARDEN) & (at["area_ha"] > AREA_TOL)]
            for v, g in sel.groupby("village"):
                parts = components(dict.fromkeys(g["parcel"].tolist()), c.adjacency)
                if len(parts) > 1:
                    rep.bad(
                        "garden_contiguity",
                        f"{v}, {t}",
                        "garden on separate sites (parcels not connected through "
                        "shared boundaries): " + " | ".join(", ".join(map(str, p)) for p in parts),
                        len(parts),
                        1,
                    )


def _street_green(c: _Ctx, rep: _Report) -> None:
    sg = c.inst.policies.street_green
    a = c.alloc
    if sg is None:
        if (a["kind"] == "street_green").any():
            rep.bad("street_green", "plan", "street green planned while the policy is off")
        return
    if c.town is None:
        return
    rep.check("street_green")
    tab = c.tables.get("street_green", pd.DataFrame())
    count = dict(zip(tab["period"].tolist(), (int(x) for x in tab["count"].tolist()))) if not tab.empty else {}
    by = sg.by_period or c.periods[0]
    prev = 0
    for t in c.periods:
        at = c.at(t)
        area = float(at[at["kind"] == "street_green"]["area_ha"].sum())
        n = count.get(t, round(area / sg.size_ha))
        if abs(area - n * sg.size_ha) > AREA_TOL:
            rep.bad("street_green", t, "street green area is not a whole number of spaces", area, n * sg.size_ha)
        if n > sg.count_max:
            rep.bad("street_green", t, "too many street green spaces", n, sg.count_max)
        if t == by and n < sg.count_min:
            rep.bad("street_green", t, "too few street green spaces", n, sg.count_min)
        if n < prev:
            rep.bad("street_green", t, "street green spaces removed", n, prev)
        prev = n


def _coverage(c: _Ctx, rep: _Report) -> None:
    pol = c.inst.policies
    rep.check("coverage")
    veg_c = c.pcoef("vegetation_cover", lambda x: c.lib.covers[x].vegetation_cover)
    forest_c = c.pcoef("forest", c.is_forest_cover)
    for t in c.periods:
        used = c.used(t)
        remain = c.par["area_ha"] - used
        at = c.at(t)
        veg = float(
            (remain * veg_c).sum()
            + (at["area_ha"] * c.ucoef(at, "vegetation_cover", lambda u: c.lib.uses[u].vegetation_cover)).sum()
        )
        forest = float((remain * forest_c).sum() + (at["area_ha"] * c.ucoef(at, "forest", c.is_forest_use)).sum())
        if pol.vegetation_coverage_min is not None and veg < pol.vegetation_coverage_min * c.total - AREA_TOL:
            rep.bad("coverage", t, "vegetation coverage below target", veg / c.total, pol.vegetation_coverage_min)
        if pol.forest_coverage_min is not None and forest < pol.forest_coverage_min * c.total - AREA_TOL:
            rep.bad("coverage", t, "forest coverage below target", forest / c.total, pol.forest_coverage_min)
        eco = _eco_area(c, t)
        afforested = float(at.loc[at["kind"] == "forest", "area_ha"].sum())
        k = c.tables.get("kpis")
        if k is not None and not k.empty:
            row = k[k["period"] == t]
            for name, val, tol in (
                ("vegetation_coverage", veg / c.total, 1e-7),
                ("forest_coverage", forest / c.total, 1e-7),
                ("forest_ha", forest, 1e-4),
                ("ecological_space_ha", eco, 1e-4),
                ("afforested_ha", afforested, 1e-4),
            ):
                if name in row.columns and not row.empty and not _close(float(row[name].iloc[0]), val, 1e-6, tol):
                    rep.bad(
                        "kpis",
                        f"{name}, {t}",
                        "reported KPI does not match the allocations",
                        float(row[name].iloc[0]),
                        val,
                    )


def _built(c: _Ctx) -> dict[tuple[str, str], bool]:
    return _flags(c.tables.get("projects", pd.DataFrame()), ["project", "period"], "built")


def _projects(c: _Ctx, rep: _Report) -> None:
    rep.check("projects")
    built = _built(c)
    garden = _flags(c.tables.get("gardens", pd.DataFrame()), ["village", "period"], "built")
    # hectares per (use, kind, village, cover) and period, by village, summed per prerequisite
    cells: dict[str, dict[Any, list[tuple[Any, Any, Any, float]]]] = {}

    def cells_at(t: str) -> dict[Any, list[tuple[Any, Any, Any, float]]]:
        if t not in cells:
            at = c.at(t)
            s = at.groupby(["village", "use", "kind", "cover"], dropna=False, sort=False)["area_ha"].sum()
            by_v: dict[Any, list[tuple[Any, Any, Any, float]]] = {}
            for (v, u, kd, cv), ha in s.items():
                by_v.setdefault(v, []).append((u, kd, cv, float(ha)))
            cells[t] = by_v
        return cells[t]

    for j in c.inst.projects:
        prev = False
        for i, t in enumerate(c.periods):
            b = built.get((j.id, t), False)
            if prev and not b:
                rep.bad("projects", f"{j.id}, {t}", "project un-built after it was built")
            if b and j.earliest_period and i < c.periods.index(j.earliest_period):
                rep.bad("projects", f"{j.id}, {t}", f"built before its earliest period {j.earliest_period}")
            if b:
                for k, pre in enumerate(j.prerequisites):
                    if pre.min_area_ha is not None:
                        by_v = cells_at(t)
                        uses = set(pre.uses) if pre.uses else None
                        kinds = {x.value for x in pre.use_kinds} if pre.use_kinds else None
                        covers = set(pre.covers) if pre.covers else None
                        groups = (
                            [by_v.get(v, []) for v in dict.fromkeys(pre.villages)]
                            if pre.villages
                            else list(by_v.values())
                        )
                        got = float(
                            sum(
                                ha
                                for cl in groups
                                for (u, kd, cv, ha) in cl
                                if (uses is None or u in uses)
                                and (kinds is None or kd in kinds)
                                and (covers is None or cv in covers)
                            )
                        )
                        if got < pre.min_area_ha - AREA_TOL:
                            rep.bad(
                                "projects",
                                f"{j.id}, {t}, prerequisite {k}",
                                "not enough area for the project",
                                got,
                                pre.min_area_ha,
                            )
                    elif pre.garden_in is not None and not garden.get((pre.garden_in, t), False):
                        rep.bad("projects", f"{j.id}, {t}, prerequisite {k}", f"needs the garden of {pre.garden_in}")
                    elif pre.project is not None and not built.get((pre.project, t), False):
                        rep.bad("projects", f"{j.id}, {t}, prerequisite {k}", f"needs project {pre.project}")
            prev = b
        if j.required and not built.get((j.id, c.periods[-1]), False):
            rep.bad("projects", j.id, "required project not built")


def _recruitment(c: _Ctx, rep: _Report) -> None:
    pol = c.inst.policies
    rep.check("recruitment")
    rec = c.tables.get("recruitment", pd.DataFrame(columns=["village", "role", "period", "count"]))
    if rec.empty:
        rec = pd.DataFrame(columns=["village", "role", "period", "count"])
    rec["count"] = rec["count"].astype(float)
    roles_by_id = {r.id: r for r in c.inst.roles}
    cnt = rec["count"].to_numpy(dtype=float)
    flag = ~(np.abs(cnt - np.round(cnt)) <= 1e-6) | (cnt < 0)
    for rid, role in roles_by_id.items():
        if role.villages is not None:
            flag |= ((rec["role"] == rid) & ~rec["village"].isin(list(role.villages))).to_numpy(dtype=bool) & (cnt > 0)
    for r in _records(rec, flag):
        allowed = roles_by_id[r["role"]].villages if r["role"] in roles_by_id else None
        if allowed is not None and r["village"] not in allowed and r["count"] > 0:
            rep.bad(
                "recruitment",
                f"{r['village']}, {r['role']}, {r['period']}",
                "recruited in a village not allowed for the role",
                r["count"],
                0,
            )
        if abs(r["count"] - round(r["count"])) > 1e-6 or r["count"] < 0:
            rep.bad(
                "recruitment",
                f"{r['village']}, {r['role']}, {r['period']}",
                "recruitment is not a whole, non-negative number",
                r["count"],
            )
    built = _built(c)
    # hectares of some use kinds in a period: in total and by village
    work_cache: dict[tuple[str | None, tuple[str, ...]], tuple[float, dict[Any, float]]] = {}

    def kind_area(t: str | None, kinds: list[str]) -> tuple[float, dict[Any, float]]:
        key = (t, tuple(kinds))
        if key not in work_cache:
            at = c.at(t)
            sel = at[at["kind"].isin(kinds)]
            work_cache[key] = (float(sel["area_ha"].sum()), sel.groupby("village")["area_ha"].sum().to_dict())
        return work_cache[key]

    for role in c.inst.roles:
        periods = role.periods if role.periods is not None else c.periods
        norm = c.lib.labour_norms[role.norm]
        kind = norm.kind.value
        kinds = [k.value for k in norm.use_kinds]
        role_projs = [j for j in c.inst.projects if j.id in role.projects]
        projs_in: dict[Any, list[Any]] = {}
        for j in role_projs:
            projs_in.setdefault(j.host_village, []).append(j)
        for t in c.periods:
            sel = rec[(rec["role"] == role.id) & (rec["period"] == t)]
            n = float(sel["count"].sum())
            by_v = sel.groupby("village")["count"].sum().to_dict() if len(sel) else {}

            def active(j: str) -> bool:
                now = built.get((j, t), False)
                if kind == "per_project_built" and c.prev[t] is not None:
                    return now and not built.get((j, c.prev[t]), False)
                return now

            need_min = role.min if (not role.min_when_active or any(active(j) for j in role.projects)) else 0
            if pol.recruitment_ranges and t in periods and not (need_min - 1e-6 <= n <= role.max + 1e-6):
                rep.bad(
                    "recruitment",
                    f"{role.id}, {t}",
                    f"recruitment outside its range {need_min}-{role.max}",
                    n,
                    need_min if n < need_min else role.max,
                )
            if kind == "fixed":
                continue
            scopes = [x.id for x in c.inst.villages] if role.scope == "village" else [None]
            for v in scopes:
                people = float(by_v.get(v, 0.0)) if v else n
                where = f"{role.id}, {t}" + (f", {v}" if v else "")
                if kind in ("planting", "area_managed"):
                    if norm.value <= 0:
                        continue
                    now_tot, now_v = kind_area(t, kinds)
                    now_ha = float(now_v.get(v, 0.0)) if v else now_tot
                    if kind == "planting":
                        bef_tot, bef_v = kind_area(c.prev[t], kinds)
                        bef_ha = float(bef_v.get(v, 0.0)) if v else bef_tot
                        work = float(now_ha - bef_ha)
                        cap = norm.value * c.period[t].years * people
                    else:
                        work = float(now_ha)
                        cap = norm.value * people
                    if work > cap + AREA_TOL:
                        rep.bad("recruitment_work", where, f"too few people for the work ({kind})", work, cap)
                else:
                    projs = projs_in.get(v, []) if v is not None else role_projs
                    need = norm.value * sum(active(j.id) for j in projs)
                    if people < need - 1e-6:
                        rep.bad("recruitment_work", where, "too few staff for the projects built", people, need)
    if pol.labour_pools and c.inst.roles:
        rep.check("labour_pool")
        grp = c.tables.get("recruitment_groups", pd.DataFrame())
        if grp.empty:
            grp = pd.DataFrame(columns=["village", "role", "group", "period", "count"])
        grp["count"] = grp["count"].astype(float)
        roles = {r.id: r for r in c.inst.roles}
        gflag = ~grp["role"].isin(list(roles)).to_numpy(dtype=bool)
        for rid, role in roles.items():
            gflag |= ((grp["role"] == rid) & ~grp["group"].isin(list(role.groups))).to_numpy(dtype=bool)
        for r in _records(grp, gflag):
            if r["group"] not in roles[r["role"]].groups:
                rep.bad(
                    "labour_pool",
                    f"{r['village']}, {r['role']}, {r['period']}",
                    f"recruited from group {r['group']} the role does not draw on",
                    r["count"],
                )
        tot = grp.groupby(["village", "role", "period"])["count"].sum().to_dict()
        got_all = np.array(
            [
                float(tot.get(k, 0.0))
                for k in zip(rec["village"].tolist(), rec["role"].tolist(), rec["period"].tolist())
            ],
            dtype=float,
        )
        rflag = np.abs(got_all - rec["count"].to_numpy(dtype=float)) > 1e-4
        for r in _records(rec, rflag):
            got = float(tot.get((r["village"], r["role"], r["period"]), 0.0))
            if abs(got - r["count"]) > 1e-4:
                rep.bad(
                    "labour_pool",
                    f"{r['village']}, {r['role']}, {r['period']}",
                    "recruits not matched to labour-pool groups",
                    got,
                    r["count"],
                )
        pools = {v.id: v.labour_pool for v in c.inst.villages}
        for (v, g, t), n in grp.groupby(["village", "group", "period"])["count"].sum().items():
            lim = getattr(pools[v], g)
            if n > lim + 1e-4:
                rep.bad("labour_pool", f"{v}, {g}, {t}", "more recruits than the village's labour pool", n, lim)


def _holding_sites(c: _Ctx, min_ha: float) -> dict[str, str]:
    """parcel -> holding for the holdings that may apply individually (planner.instance.adjacency):
    a holder's adjacent parcels that can carry a carbon forest, together at least ``min_ha``."""
    out = {}
    for h, ps in carbon_holdings(c.li).items():
        if float(c.par.loc[ps, "area_ha"].sum()) >= min_ha:
            out.update({p: h for p in ps})
    return out


def _carbon_and_money(c: _Ctx, rep: _Report) -> dict[str, float]:
    inst, lib = c.inst, c.lib
    pol = inst.policies
    min_ha = pol.individual_carbon_min_ha
    fc = lib.carbon_methods["forestry"].t_per_mu_per_yr * MU_PER_HA * inst.prices.forestry_carbon_yuan_per_t
    ac = (
        lib.carbon_methods["agricultural"].t_per_mu_per_yr
        * MU_PER_HA
        * inst.prices.agricultural_carbon_yuan_per_t
        * inst.prices.agricultural_carbon_participation
    )
    par = c.par
    built = _built(c)
    fin = c.tables.get("finance", pd.DataFrame())
    loans = dict(zip(fin["period"].tolist(), (float(x) for x in fin["loan_yuan"].tolist()))) if not fin.empty else {}
    apps = c.tables.get("carbon_applications", pd.DataFrame())
    # individual applications per period: parcel -> bool (the last row wins)
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
    rep.check("carbon_application")
    kpis = c.tables.get("kpis", pd.DataFrame())
    kp = {r["period"]: r for _, r in kpis.iterrows()} if not kpis.empty else {}
    recips = set(inst.objective.dividend_recipients)
    objective = {"weighted": 0.0, "gep": 0.0, "dividends": 0.0}
    cum_loan = 0.0
    # income is summed by (village, recipient) codes: villages as in the parcel table, then any
    # other host (and "(township)") as projects name them; recipients in order of first use
    p_vcode, vil_seen = pd.factorize(par["village"], use_na_sentinel=False)
    vnames: list[Any] = list(vil_seen)
    vindex = {v: i for i, v in enumerate(vnames)}
    rnames: list[Any] = ["villagers", "village_collective"]
    rindex = {r: i for i, r in enumerate(rnames)}

    def code(names: list[Any], index: dict[Any, int], x: Any) -> int:
        if x not in index:
            index[x] = len(names)
            names.append(x)
        return index[x]

    # per parcel: whether a villager owns it, and whether it is also large enough for an individual application
    p_indiv = (par["ownership"] == "individual").to_numpy(dtype=bool)
    p_ind_ok = p_indiv & (par["area_ha"].to_numpy(dtype=float) >= min_ha)
    # with parcel geometry: holdings (a holder's adjacent parcels) apply as one site
    site_of = _holding_sites(c, min_ha) if c.adjacency is not None and pol.contiguous_holdings else {}
    if site_of:
        p_ind_ok = p_ind_ok | par.index.isin(list(site_of))
    VIL, COL = rindex["villagers"], rindex["village_collective"]
    reg = (par["carbon_registered"].astype(bool) & c.pcoef("forest", c.is_forest_cover).astype(bool)).to_numpy(
        dtype=bool
    )
    agri_c = (
        c.pcoef("agricultural_carbon", lambda x: lib.covers[x].agricultural_carbon).astype(bool).to_numpy(dtype=bool)
    )
    val_c = c.pcoef("land_income", lambda x: lib.covers[x].income_yuan_per_ha_yr + lib.covers[x].subsidy_yuan_per_ha_yr)
    gep_c = c.pcoef("gep", lambda x: c.gep_ha(x, True))
    # one period's income flows, gathered as arrays and summed once
    vs: list[np.ndarray] = []
    rs: list[np.ndarray] = []
    ys: list[np.ndarray] = []

    def put(v: Any, r: Any, y: Any) -> None:
        """Add Yuan/yr ``y`` to village code(s) ``v`` and recipient code(s) ``r``."""
        y = np.atleast_1d(np.asarray(y, dtype=float))
        vs.append(np.broadcast_to(np.asarray(v, dtype=np.int64), y.shape))
        rs.append(np.broadcast_to(np.asarray(r, dtype=np.int64), y.shape))
        ys.append(y)

    for t in c.periods:
        at = c.at(t)
        used = c.used(t)
        remain = par["area_ha"] - used
        rem = remain.to_numpy(dtype=float)
        vs.clear()
        rs.clear()
        ys.clear()
        # forestry carbon by parcel and recipient
        cf = at[
            c.ucoef(at, "forestry_carbon", lambda u: lib.uses[u].forestry_carbon and c.is_forest_use(u)).astype(bool)
        ]
        forest_by_parcel = cf.groupby("parcel")["area_ha"].sum()
        arbor = at[
            c.ucoef(at, "arbor", lambda u: lib.uses[u].kind.value == "forest" and c.is_forest_use(u)).astype(bool)
        ]
        arbor_by_parcel = arbor.groupby("parcel")["area_ha"].sum()
        forestry = 0.0
        if len(forest_by_parcel):
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
            if t in app_at:
                ki = app_at[t].index.get_indexer(pids)
                has_app = ki >= 0
                app_val[has_app] = app_at[t].to_numpy(dtype=bool)[ki[has_app]]
            if (
                site_of
            ):  # a holding's parcels: the holding's whole arbor forest, which must be one stand when applied for
                site = pd.Series([site_of.get(p) for p in pids], dtype=object)
                held = site.notna().to_numpy()
                if held.any():  # every arbor forest of the holding, also on parcels without carbon forest
                    ab = arbor_by_parcel[arbor_by_parcel.index.isin(list(site_of))]
                    tot = ab.groupby([site_of[p] for p in ab.index]).sum()
                    whole[held] = tot.reindex(site[held].to_numpy()).fillna(0.0).to_numpy()
                    for h, g in arbor_by_parcel[arbor_by_parcel > AREA_TOL].groupby(lambda p: site_of.get(p)):
                        ps = list(g.index)
                        ind = app_at.get(t, pd.Series(dtype=bool))
                        if (
                            len(ps) > 1
                            and any(bool(ind.get(p, False)) for p in ps)
                            and not is_connected(ps, c.adjacency)
                        ):
                            rep.bad(
                                "carbon_application",
                                f"holding {h}, {t}",
                                "individual application on forest that is not "
                                "one contiguous stand: " + ", ".join(map(str, ps)),
                                len(components(ps, c.adjacency)),
                                1,
                            )
            applied = has_app & app_val  # app.get((p, t), False)
            applied_or_big = np.where(has_app, app_val, whole >= min_ha)  # app.get((p, t), whole >= min_ha)
            ind_ok = p_ind_ok[pos]
            flag = (ind_ok & (whole >= min_ha) & ~applied) | (applied & (whole < min_ha - AREA_TOL))
            for i in np.flatnonzero(flag):
                p = pids[i]
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
            y = ha * fc
            put(p_vcode[pos], np.where(ind_ok & applied_or_big, VIL, COL), y)
            forestry += float(y.sum())
        # registered carbon forest still under its cover
        y = rem[reg] * fc
        put(p_vcode[reg], np.where(p_ind_ok[reg], VIL, COL), y)
        forestry += float(y.sum())
        # agricultural carbon: cropland left as it is, and uses that keep it
        y = rem[agri_c] * ac
        put(p_vcode[agri_c], np.where(p_indiv[agri_c], VIL, COL), y)
        agri = float(y.sum())
        ag = at[c.ucoef(at, "agricultural_carbon", lambda u: lib.uses[u].agricultural_carbon).astype(bool)]
        pos = c.need_parcels(ag)
        y = ag["area_ha"].to_numpy(dtype=float) * ac
        put(p_vcode[pos], np.where(p_indiv[pos], VIL, COL), y)
        agri += float(y.sum())
        # land income and subsidies to the owner
        put(p_vcode, np.where(p_indiv, VIL, COL), rem * val_c.to_numpy(dtype=float))
        y = (
            at["area_ha"].to_numpy(dtype=float)
            * c.ucoef(
                at, "land_income", lambda u: lib.uses[u].income_yuan_per_ha_yr + lib.uses[u].subsidy_yuan_per_ha_yr
            ).to_numpy()
        )
        paid = at[y != 0]
        pos = c.need_parcels(paid)
        put(p_vcode[pos], np.where(p_indiv[pos], VIL, COL), y[y != 0])
        for j in inst.projects:
            if built.get((j.id, t), False):
                inc = sum(j.income_yuan_per_yr.values())
                for r, s in j.shares.items():
                    host = j.host_village if r in ("villagers", "village_collective") else "(township)"
                    put(code(vnames, vindex, host), code(rnames, rindex, r), inc * s)
        nr = len(rnames)
        key = np.concatenate(vs) * nr + np.concatenate(rs)
        total = np.bincount(key, weights=np.concatenate(ys), minlength=len(vnames) * nr)
        seen = np.bincount(key, minlength=len(vnames) * nr)
        income = {(vnames[k // nr], rnames[k % nr]): float(total[k]) for k in np.flatnonzero(seen)}
        dividends = sum(y for (v, r), y in income.items() if r in recips)
        # GEP
        idx = c.period[t].gep_price_index
        gep = idx * (
            float((remain * gep_c).sum())
            + float((at["area_ha"] * c.ucoef(at, "gep", lambda u: c.gep_ha(u, False))).sum())
        )
        gep += idx * sum(j.gep_yuan_per_yr for j in inst.projects if built.get((j.id, t), False))
        # spending
        prev = c.by_parcel_use(c.prev[t])
        now = c.by_parcel_use(t)
        add = now.sub(prev.reindex(now.index).fillna(0.0))
        cost = (
            c.ucoef(at, "establishment_cost", lambda u: lib.uses[u].establishment_cost_yuan_per_ha).to_numpy()
            * inst.prices.establishment_cost_multiplier
        )
        land = float((add * cost).sum())
        prev_t = c.prev[t]
        capex = float(
            sum(
                j.capex_yuan
                for j in inst.projects
                if built.get((j.id, t), False) and not (prev_t and built.get((j.id, prev_t), False))
            )
        )
        rec = c.tables.get("recruitment", pd.DataFrame(columns=["village", "role", "period", "count"]))
        wage = {r.id: r.wage_yuan_per_yr for r in inst.roles}
        rr = rec[rec["period"] == t] if not rec.empty else rec
        wages = (
            float((rr["count"].astype(float) * rr["role"].map(wage).astype(float)).sum()) * c.period[t].years
            if len(rr)
            else 0.0
        )
        spend = land + capex + wages
        loan = loans.get(t, 0.0)
        cum_loan += loan
        fin_cfg = inst.finance
        rep.check("budget")
        if spend > c.period[t].budget_yuan + loan + max(1.0, REL_TOL * spend):
            rep.bad("budget", t, "spending exceeds the budget plus loans", spend, c.period[t].budget_yuan + loan)
        if loan > 1e-6:
            if not fin_cfg.loans_enabled:
                rep.bad("loans", t, "loan drawn while loans are not enabled", loan, 0)
            if loan > fin_cfg.loan_cap_yuan + 1.0:
                rep.bad("loans", t, "loan above its cap", loan, fin_cfg.loan_cap_yuan)
            if loan > fin_cfg.loan_to_gep * gep + 1.0:
                rep.bad("loans", t, "loan above its share of GEP", loan, fin_cfg.loan_to_gep * gep)
        interest = fin_cfg.loan_interest_rate * cum_loan if fin_cfg.loans_enabled else 0.0
        c.money[t] = {
            "income": income,
            "gep": gep,
            "spend": spend,
            "establishment": land,
            "capex": capex,
            "wages": wages,
            "interest": interest,
        }
        if pol.dividend_floor_yuan is not None:
            rep.check("dividend_floor")
            vr = [r for r in ("villagers", "village_collective") if r in recips] or ["villagers", "village_collective"]
            for v in inst.villages:
                if v.is_town:
                    continue
                got = sum(income.get((v.id, r), 0.0) for r in vr)
                if got < pol.dividend_floor_yuan - max(1.0, REL_TOL * pol.dividend_floor_yuan):
                    rep.bad(
                        "dividend_floor",
                        f"{v.id}, {t}",
                        "village dividend below the floor",
                        got,
                        pol.dividend_floor_yuan,
                    )
        # KPIs as reported
        rep.check("kpis")
        if t in kp:
            for name, val in (
                ("gep_yuan", gep),
                ("forestry_carbon_income_yuan", forestry),
                ("agricultural_carbon_income_yuan", agri),
                ("dividends_yuan", dividends),
                ("budget_used_yuan", spend),
            ):
                got = float(kp[t][name])
                if not _close(got, val):
                    rep.bad("kpis", f"{name}, {t}", "reported KPI does not match the recomputation", got, val)
        else:
            rep.bad("kpis", t, "no KPI row for the period")
        w = c.period[t].weight
        objective["weighted"] += w * (
            inst.objective.gep_weight * gep + inst.objective.dividend_weight * (dividends - interest)
        )
        objective["gep"] += w * gep
        objective["dividends"] += w * (dividends - interest)
    return objective


# ---------------------------------------------------------------------------
# Derived tables: every column that is not a decision, recomputed and compared


_DERIVED = "reported value does not match the recomputation from the decisions and the instance"


def _against(
    rep: _Report,
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


def _derived(c: _Ctx, rep: _Report) -> None:
    rep.check("derived_tables")
    inst, lib = c.inst, c.lib
    money = (1e-3, REL_TOL)  # Yuan, as the KPI checks
    area = (AREA_TOL, 1e-6)  # ha
    bad = rep.capped

    # allocations: village and cover are the parcel's, kind the use's
    orig = c.tables["allocations"]
    if len(orig):
        for col in ("village", "cover", "kind"):
            want = c.alloc[col].astype(object).where(c.alloc[col].notna(), "").astype(str).to_numpy(dtype=object)
            got = orig[col].astype(object).where(orig[col].notna(), "").astype(str).to_numpy(dtype=object)
            for i in np.flatnonzero(got != want):
                r = orig.iloc[int(i)]
                bad(
                    ("derived_tables", "allocations"),
                    f"allocations: parcel {r['parcel']}, {r['use']}, {r['period']}, column {col}",
                    f"{got[i]!r} but the {'library' if col == 'kind' else 'parcel table'} gives {want[i]!r}",
                )

    # gardens: area, vegetated area and coverage of each village's garden uses
    g = c.tables["gardens"]
    garden_uses = [
        u for u, x in lib.uses.items() if x.kind.value in GARDEN and not (u in inst.uses and not inst.uses[u].enabled)
    ]
    can = set(c.par.loc[c.par["cover"].isin({cv for u in garden_uses for cv in lib.uses[u].from_covers}), "village"])
    gvill = [v.id for v in inst.villages if not v.is_town and (v.id in can or inst.policies.one_garden_per_village)]
    rows = []
    for t in c.periods:
        at = c.at(t)
        sel = at[at["kind"].isin(GARDEN)]
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
        {"area_ha": area, "vegetated_ha": area, "vegetation_coverage": (1e-6, 1e-6)},
        every_row=True,
    )

    # street green: area of the spaces
    sg = inst.policies.street_green
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
            {"area_ha": area},
            every_row=sg is not None and c.town is not None,
        )

    # projects: the instance's name, channel and host; capital cost when first built; income while built
    built = _built(c)
    rows = []
    for j in inst.projects:
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
        {"newly_built": (0.5, 0.0), "capex_yuan": money, "income_yuan_per_yr": money},
        text=("name", "channel", "host_village"),
        every_row=True,
    )

    # carbon applications: the parcel's village; its carbon forest, to the villager or the collective
    ca = c.tables["carbon_applications"]
    if len(ca):
        rows = []
        hold = _holding_names(c)
        for t in c.periods:
            at = c.at(t)
            cf = at[
                c.ucoef(at, "forestry_carbon", lambda u: lib.uses[u].forestry_carbon and c.is_forest_use(u)).astype(
                    bool
                )
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
            {"individual_ha": area, "collective_ha": area},
            text=("village", "holding") if "holding" in ca.columns else ("village",),
        )

    # finance, GEP and dividends per period, from the recomputation of the money
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
            k: money
            for k in (
                "budget_yuan",
                "interest_yuan_per_yr",
                "budget_used_yuan",
                "establishment_yuan",
                "project_capex_yuan",
                "wages_yuan",
            )
        },
        every_row=True,
    )
    _against(
        rep,
        "gep",
        c.tables["gep"],
        _gep_rows(c),
        ["village", "service", "period"],
        {"gep_yuan": money},
        text=("category",),
    )
    recips = set(inst.objective.dividend_recipients)
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
        {"yuan_per_yr": money, "counts_as_dividend": (0.5, 0.0)},
    )

    # the KPIs not recomputed with the money and coverage checks
    k = c.tables["kpis"]
    if len(k):
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
            ("budget_yuan", money),
            ("gardens_built", (1e-6, 0.0)),
            ("projects_built", (1e-6, 0.0)),
            ("recruited_people", (1e-6, 0.0)),
        ):
            m = k[["period", col]].merge(want[["period", col]], on="period", suffixes=("", "_want"))
            for r in m.itertuples(index=False):
                got, exp = float(getattr(r, col)), float(getattr(r, f"{col}_want"))
                if not _close(got, exp, tol[1], tol[0]):
                    rep.bad("kpis", f"{col}, {r.period}", "reported KPI does not match the recomputation", got, exp)


def _gep_rows(c: _Ctx) -> pd.DataFrame:
    """GEP by village, service and period (Yuan/yr): the covers left, the uses, and the
    projects built (``project:<id>``, cultural)."""
    lib, inst = c.lib, c.inst
    equiv = c.equiv_yuan()
    mult = inst.prices.gep_multipliers
    cat = {s.id: s.category.value for s in lib.services}
    built = _built(c)
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
        for (v, cv), ha in left.items():
            for s, e in lib.covers[cv].equivalents.items():
                acc[(v, s, t)] = acc.get((v, s, t), 0.0) + ha * e * equiv * mult.get(cv, 1.0) * idx
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


def _holding_names(c: _Ctx) -> dict[str, str]:
    """parcel -> the name of its holding's carbon site, for the parcels of holdings of two
    or more parcels (as the carbon_applications table names them); others are ''."""
    pol = c.inst.policies
    if c.adjacency is None or not pol.contiguous_holdings:
        return {}
    min_ha = pol.individual_carbon_min_ha
    held = {
        h: ps
        for h, ps in carbon_holdings(c.li).items()
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


def recompute_objective(plan, li) -> float:
    """The weighted objective (Yuan/yr) recomputed from the plan's tables (``verify_plan``
    also recomputes the lexicographic goals)."""
    rep = _Report()
    return _carbon_and_money(_Ctx(clean_tables(plan.tables, li, rep.capped), li), rep)["weighted"]


__all__ = ["verify_plan", "recompute_objective"]
