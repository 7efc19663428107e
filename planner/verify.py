"""Independent verification of a plan.

Recomputes every rule of the formulation from the plan's tables and the instance
(parcel table, instance YAML, valuation library) with pandas alone. It does not use
the Pyomo model nor :mod:`planner.data`, so a modelling error shows up as a
violation or a KPI mismatch instead of being checked against itself.

``verify_plan(plan, instance)`` returns ``{"passed": bool, "violations": [...],
"checks": [...]}``; each violation names the rule family, where (village, parcel,
period, ...), what is wrong, the plan's value and the limit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

AREA_TOL = 1e-4      # ha
REL_TOL = 1e-6       # relative, for money and KPI comparisons
MU_PER_HA = 15.0
GARDEN = ("garden_vegetation", "garden_facility")


@dataclass
class _Report:
    violations: list[dict[str, Any]] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)

    def check(self, name: str) -> None:
        self.checks.append(name)

    def bad(self, rule: str, where: str, message: str, value: Any = None, limit: Any = None) -> None:
        self.violations.append({"rule": rule, "where": where, "message": message,
                                "value": None if value is None else float(value),
                                "limit": None if limit is None else float(limit)})


def _close(a: float, b: float, rel: float = REL_TOL, abs_: float = 1e-3) -> bool:
    return abs(a - b) <= max(abs_, rel * max(abs(a), abs(b)))


_COLUMNS = {
    "allocations": ["village", "parcel", "cover", "use", "kind", "period", "area_ha"],
    "gardens": ["village", "period", "built", "area_ha", "vegetated_ha", "vegetation_coverage"],
    "street_green": ["period", "count", "area_ha"],
    "projects": ["project", "period", "built"],
    "recruitment": ["village", "role", "period", "count"],
    "recruitment_groups": ["village", "role", "group", "period", "count"],
    "carbon_applications": ["parcel", "village", "period", "individual", "individual_ha", "collective_ha"],
    "finance": ["period", "loan_yuan"],
    "kpis": ["period"],
}
_TEXT = {"village", "parcel", "cover", "use", "kind", "period", "project", "role", "group", "built", "individual"}


class _Ctx:
    """Everything the checks need, computed from the instance and the plan tables."""

    def __init__(self, plan, li) -> None:
        self.inst = li.instance
        self.lib = li.library
        self.par = li.parcels.set_index("id", drop=False)
        self.periods = [p.id for p in self.inst.periods]
        self.period = {p.id: p for p in self.inst.periods}
        self.prev = {t: (self.periods[i - 1] if i else None) for i, t in enumerate(self.periods)}
        self.town = next((v.id for v in self.inst.villages if v.is_town), None)
        self.total = float(self.par["area_ha"].sum())
        t = plan.tables
        a = t["allocations"].copy() if "allocations" in t else pd.DataFrame()
        if a.empty:
            a = pd.DataFrame({c: pd.Series(dtype=object if c in _TEXT else float) for c in _COLUMNS["allocations"]})
        a["period"] = a["period"].astype(str)
        a["area_ha"] = a["area_ha"].astype(float)
        uses = self.lib.uses
        a["kind"] = a["use"].map(lambda u: uses[u].kind.value if u in uses else None).astype(object)
        a["village"] = a["parcel"].map(self.par["village"])
        a["cover"] = a["parcel"].map(self.par["cover"])
        self.alloc = a
        self.tables = {k: (v.copy() if isinstance(v, pd.DataFrame) else pd.DataFrame(v)) for k, v in t.items()}
        for k, cols in _COLUMNS.items():
            df = self.tables.get(k)
            if df is None or df.empty:
                self.tables[k] = pd.DataFrame({c: pd.Series(dtype=object if c in _TEXT else float) for c in cols})
        for k, df in self.tables.items():
            if "period" in df.columns:
                df["period"] = df["period"].astype(str)

    # per-hectare coefficients straight from the library and the instance prices
    def equiv_yuan(self) -> float:
        return self.lib.standard_equivalent_yuan_per_ha * self.lib.regional_scale * self.inst.prices.gep_scale

    def gep_ha(self, key: str, cover: bool) -> float:
        obj = self.lib.covers[key] if cover else self.lib.uses[key]
        return sum(obj.equivalents.values()) * self.equiv_yuan() * self.inst.prices.gep_multipliers.get(key, 1.0)

    def used(self, t: str) -> pd.Series:
        a = self.alloc[self.alloc["period"] == t]
        return a.groupby("parcel")["area_ha"].sum().reindex(self.par.index).fillna(0.0)

    def at(self, t: str | None) -> pd.DataFrame:
        if t is None:
            return self.alloc.iloc[0:0]
        return self.alloc[self.alloc["period"] == t]

    def is_forest_cover(self, c: str) -> bool:
        x = self.lib.covers[c]
        return x.forest and x.canopy_density >= self.inst.policies.forest_canopy_min

    def is_forest_use(self, u: str) -> bool:
        x = self.lib.uses[u]
        return x.forest and x.canopy_density >= self.inst.policies.forest_canopy_min


def verify_plan(plan, li) -> dict[str, Any]:
    """Check a plan against every rule of its instance; see the module docstring."""
    rep = _Report()
    if not plan.has_solution:
        return {"passed": False, "violations": [{"rule": "status", "where": "plan", "message": f"no plan to verify (status {plan.status})",
                                                 "value": None, "limit": None}], "checks": []}
    c = _Ctx(plan, li)
    for fn in (_land_use, _protection, _permissions, _fruit, _gardens, _street_green, _coverage, _projects, _recruitment):
        fn(c, rep)
    parts = _carbon_and_money(c, rep)
    rep.check("objective")
    ob = c.inst.objective
    if ob.mode == "weighted":
        expect = parts["weighted"]
    else:  # the last lexicographic goal that found a plan
        reached = [st["goal"] for st in plan.stages if st.get("goal") in ("gep", "dividends")
                   and st.get("status") in ("optimal", "feasible")]
        expect = parts[reached[-1]] if reached else None
    if plan.objective is not None and expect is not None and not _close(plan.objective, expect):
        rep.bad("objective", "plan", "reported objective does not match the recomputation", plan.objective, expect)
    return {"passed": not rep.violations, "violations": rep.violations, "checks": list(dict.fromkeys(rep.checks))}


# ---------------------------------------------------------------------------


def _land_use(c: _Ctx, rep: _Report) -> None:
    a = c.alloc
    rep.check("land_use")
    for _, r in a.iterrows():
        if r["parcel"] not in c.par.index:
            rep.bad("land_use", f"parcel {r['parcel']}", "allocation on a parcel not in the parcel table")
            continue
        if r["use"] not in c.lib.uses:
            rep.bad("land_use", f"parcel {r['parcel']}", f"unknown use {r['use']!r}")
            continue
        use = c.lib.uses[r["use"]]
        pol = c.inst.uses.get(r["use"])
        if r["cover"] not in use.from_covers:
            rep.bad("land_use", f"parcel {r['parcel']}, {r['use']}, {r['period']}", f"use cannot be established on {r['cover']}")
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
            rep.bad("land_use", f"parcel {p}, {t}", "more area used than the parcel has", used[p], c.par.at[p, "area_ha"])
        if c.prev[t]:
            now = c.at(t).set_index(["parcel", "use"])["area_ha"]
            before = c.at(c.prev[t]).set_index(["parcel", "use"])["area_ha"]
            diff = now.reindex(before.index).fillna(0.0) - before
            for (p, u) in diff[diff < -AREA_TOL].index:
                rep.bad("land_use", f"parcel {p}, {u}, {t}", "area shrinks between periods (decisions are cumulative)",
                        now.get((p, u), 0.0), before[(p, u)])


def _eco_area(c: _Ctx, t: str | None, parcels: pd.Index | None = None) -> float:
    par = c.par if parcels is None else c.par.loc[parcels]
    used = (c.used(t) if t else pd.Series(0.0, index=c.par.index)).reindex(par.index)
    eco_c = par["cover"].map(lambda x: c.lib.covers[x].ecological_space).astype(float)
    a = c.at(t)
    a = a[a["parcel"].isin(par.index)]
    eco_u = a["use"].map(lambda u: c.lib.uses[u].ecological_space).astype(float)
    return float(((par["area_ha"] - used) * eco_c).sum() + (a["area_ha"] * eco_u).sum())


def _protection(c: _Ctx, rep: _Report) -> None:
    pol = c.inst.policies
    a = c.alloc
    if pol.farmland_protection:
        rep.check("farmland_protection")
        bad = a[a["cover"].isin(pol.protected_farmland_covers) & (a["area_ha"] > AREA_TOL)]
        for _, r in bad.iterrows():
            rep.bad("farmland_protection", f"parcel {r['parcel']}, {r['use']}, {r['period']}",
                    "permanent basic farmland changed", r["area_ha"], 0)
    if pol.red_line_type_unchanged:
        rep.check("red_line_type")
        for _, r in a[a["parcel"].map(c.par["red_line"]).astype(bool) & (a["area_ha"] > AREA_TOL)].iterrows():
            if c.lib.uses[r["use"]].ecological_space != c.lib.covers[r["cover"]].ecological_space:
                rep.bad("red_line", f"parcel {r['parcel']}, {r['use']}, {r['period']}", "space type changed inside the red line", r["area_ha"], 0)
    if pol.red_line_min_share is not None:
        rep.check("red_line_share")
        red = c.par.index[c.par["red_line"].astype(bool)]
        for t in c.periods:
            eco = _eco_area(c, t, red)
            need = pol.red_line_min_share * c.total
            if eco < need - AREA_TOL:
                rep.bad("red_line", f"period {t}", "ecological space inside the red line below its minimum share", eco, need)
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
        for _, r in a[a["area_ha"] > AREA_TOL].iterrows():
            typ = c.par.at[r["parcel"], "eco_space"]
            if typ in pol.eco_space_measures and r["use"] not in pol.eco_space_measures[typ]:
                rep.bad("eco_space", f"parcel {r['parcel']}, {r['use']}, {r['period']}", f"use not among the measures for {typ} space", r["area_ha"], 0)


def _permissions(c: _Ctx, rep: _Report) -> None:
    a = c.alloc[c.alloc["area_ha"] > AREA_TOL]
    rep.check("village_permission")
    for u, pol in c.inst.uses.items():
        sel = a[a["use"] == u]
        if pol.villages is not None:
            for _, r in sel[~sel["village"].isin(pol.villages)].iterrows():
                rep.bad("village_permission", f"parcel {r['parcel']} ({r['village']}), {u}, {r['period']}", "use not permitted in this village", r["area_ha"], 0)
        if pol.require_attribute:
            ok = sel["parcel"].map(c.par[pol.require_attribute]).astype(bool)
            for _, r in sel[~ok].iterrows():
                rep.bad("village_permission", f"parcel {r['parcel']}, {u}, {r['period']}", f"parcel lacks {pol.require_attribute}", r["area_ha"], 0)
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
                    rep.bad("interactive_forest", f"{v}, {t}", "interactive forest exceeds its garden-linked limit", ha, lim)


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
    for _, r in sc[sc["area_ha"] > AREA_TOL].iterrows():
        area = c.par.at[r["parcel"], "area_ha"]
        if abs(r["area_ha"] - area) > AREA_TOL:
            rep.bad("fruit", f"parcel {r['parcel']}, {r['period']}", "scenic transformation must take the whole fruit forest", r["area_ha"], area)
        ok = area >= pol.scenic_min_parcel_ha - 1e-9
        if pol.scenic_require_attribute:
            ok = ok and bool(c.par.at[r["parcel"], pol.scenic_require_attribute]) if pol.scenic_require_attribute in c.par.columns else False
        if not ok:
            rep.bad("fruit", f"parcel {r['parcel']}, {r['period']}", "fruit forest not eligible for scenic transformation (size or maturity)")


def _gardens(c: _Ctx, rep: _Report) -> None:
    pol = c.inst.policies
    rep.check("gardens")
    g = c.tables.get("gardens", pd.DataFrame())
    built = {(r["village"], r["period"]): bool(r["built"]) for _, r in g.iterrows()} if not g.empty else {}
    by = pol.garden_by_period or c.periods[0]
    for v in [x.id for x in c.inst.villages if not x.is_town]:
        prev_b = False
        for t in c.periods:
            at = c.at(t)
            sel = at[(at["village"] == v) & at["kind"].isin(GARDEN)]
            area = float(sel["area_ha"].sum())
            veg = float((sel["area_ha"] * sel["use"].map(lambda u: c.lib.uses[u].vegetation_cover).astype(float)).sum())
            b = built.get((v, t), area > AREA_TOL)
            if area > pol.garden_max_ha + AREA_TOL:
                rep.bad("gardens", f"{v}, {t}", "garden larger than the maximum", area, pol.garden_max_ha)
            if area > AREA_TOL and not b:
                rep.bad("gardens", f"{v}, {t}", "garden area without a garden built", area, 0)
            if b and area < pol.garden_min_ha - AREA_TOL:
                rep.bad("gardens", f"{v}, {t}", "garden smaller than the minimum", area, pol.garden_min_ha)
            if area > AREA_TOL and veg < pol.garden_vegetation_min * area - AREA_TOL:
                rep.bad("gardens", f"{v}, {t}", "vegetation coverage inside the garden below the minimum", veg / area, pol.garden_vegetation_min)
            if prev_b and not b:
                rep.bad("gardens", f"{v}, {t}", "garden removed after it was built")
            if pol.one_garden_per_village and t == by and not b:
                rep.bad("gardens", f"{v}, {t}", "village has no garden (one garden per village)")
            prev_b = b


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
    count = {r["period"]: int(r["count"]) for _, r in tab.iterrows()} if not tab.empty else {}
    by = sg.by_period or c.periods[0]
    prev = 0
    for t in c.periods:
        area = float(a[(a["kind"] == "street_green") & (a["period"] == t)]["area_ha"].sum())
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
    for t in c.periods:
        used = c.used(t)
        remain = c.par["area_ha"] - used
        at = c.at(t)
        veg = float((remain * c.par["cover"].map(lambda x: c.lib.covers[x].vegetation_cover)).sum()
                    + (at["area_ha"] * at["use"].map(lambda u: c.lib.uses[u].vegetation_cover).astype(float)).sum())
        forest = float((remain * c.par["cover"].map(c.is_forest_cover).astype(float)).sum() + (at["area_ha"] * at["use"].map(c.is_forest_use).astype(float)).sum())
        if pol.vegetation_coverage_min is not None and veg < pol.vegetation_coverage_min * c.total - AREA_TOL:
            rep.bad("coverage", t, "vegetation coverage below target", veg / c.total, pol.vegetation_coverage_min)
        if pol.forest_coverage_min is not None and forest < pol.forest_coverage_min * c.total - AREA_TOL:
            rep.bad("coverage", t, "forest coverage below target", forest / c.total, pol.forest_coverage_min)
        eco = _eco_area(c, t)
        afforested = float(at.loc[at["kind"] == "forest", "area_ha"].sum())
        k = c.tables.get("kpis")
        if k is not None and not k.empty:
            row = k[k["period"] == t]
            for name, val, tol in (("vegetation_coverage", veg / c.total, 1e-7), ("forest_coverage", forest / c.total, 1e-7),
                                   ("forest_ha", forest, 1e-4), ("ecological_space_ha", eco, 1e-4), ("afforested_ha", afforested, 1e-4)):
                if name in row.columns and not row.empty and not _close(float(row[name].iloc[0]), val, 1e-6, tol):
                    rep.bad("kpis", f"{name}, {t}", "reported KPI does not match the allocations", float(row[name].iloc[0]), val)


def _built(c: _Ctx) -> dict[tuple[str, str], bool]:
    p = c.tables.get("projects", pd.DataFrame())
    return {(r["project"], r["period"]): bool(r["built"]) for _, r in p.iterrows()} if not p.empty else {}


def _projects(c: _Ctx, rep: _Report) -> None:
    rep.check("projects")
    built = _built(c)
    g = c.tables.get("gardens", pd.DataFrame())
    garden = {(r["village"], r["period"]): bool(r["built"]) for _, r in g.iterrows()} if not g.empty else {}
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
                        at = c.at(t)
                        sel = at
                        if pre.uses:
                            sel = sel[sel["use"].isin(pre.uses)]
                        if pre.use_kinds:
                            sel = sel[sel["kind"].isin([x.value for x in pre.use_kinds])]
                        if pre.villages:
                            sel = sel[sel["village"].isin(pre.villages)]
                        if pre.covers:
                            sel = sel[sel["cover"].isin(pre.covers)]
                        got = float(sel["area_ha"].sum())
                        if got < pre.min_area_ha - AREA_TOL:
                            rep.bad("projects", f"{j.id}, {t}, prerequisite {k}", "not enough area for the project", got, pre.min_area_ha)
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
    for _, r in rec.iterrows():
        allowed = roles_by_id[r["role"]].villages if r["role"] in roles_by_id else None
        if allowed is not None and r["village"] not in allowed and r["count"] > 0:
            rep.bad("recruitment", f"{r['village']}, {r['role']}, {r['period']}", "recruited in a village not allowed for the role", r["count"], 0)
        if abs(r["count"] - round(r["count"])) > 1e-6 or r["count"] < 0:
            rep.bad("recruitment", f"{r['village']}, {r['role']}, {r['period']}", "recruitment is not a whole, non-negative number", r["count"])
    built = _built(c)
    for role in c.inst.roles:
        periods = role.periods if role.periods is not None else c.periods
        norm = c.lib.labour_norms[role.norm]
        for t in c.periods:
            sel = rec[(rec["role"] == role.id) & (rec["period"] == t)]
            n = float(sel["count"].sum())
            kind = norm.kind.value

            def active(j: str) -> bool:
                now = built.get((j, t), False)
                if kind == "per_project_built" and c.prev[t] is not None:
                    return now and not built.get((j, c.prev[t]), False)
                return now
            need_min = role.min if (not role.min_when_active or any(active(j) for j in role.projects)) else 0
            if pol.recruitment_ranges and t in periods and not (need_min - 1e-6 <= n <= role.max + 1e-6):
                rep.bad("recruitment", f"{role.id}, {t}", f"recruitment outside its range {need_min}-{role.max}", n,
                        need_min if n < need_min else role.max)
            if kind == "fixed":
                continue
            scopes = [x.id for x in c.inst.villages] if role.scope == "village" else [None]
            for v in scopes:
                people = float(sel[sel["village"] == v]["count"].sum()) if v else n
                where = f"{role.id}, {t}" + (f", {v}" if v else "")
                kinds = [k.value for k in norm.use_kinds]
                if kind in ("planting", "area_managed"):
                    if norm.value <= 0:
                        continue
                    now = c.at(t)
                    now = now[now["kind"].isin(kinds) & ((now["village"] == v) if v else True)]
                    if kind == "planting":
                        bef = c.at(c.prev[t])
                        bef = bef[bef["kind"].isin(kinds) & ((bef["village"] == v) if v else True)]
                        work = float(now["area_ha"].sum() - bef["area_ha"].sum())
                        cap = norm.value * c.period[t].years * people
                    else:
                        work = float(now["area_ha"].sum())
                        cap = norm.value * people
                    if work > cap + AREA_TOL:
                        rep.bad("recruitment_work", where, f"too few people for the work ({kind})", work, cap)
                else:
                    projs = [j for j in c.inst.projects if j.id in role.projects and (v is None or j.host_village == v)]
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
        for _, r in grp.iterrows():
            if r["group"] not in roles[r["role"]].groups:
                rep.bad("labour_pool", f"{r['village']}, {r['role']}, {r['period']}", f"recruited from group {r['group']} the role does not draw on", r["count"])
        tot = grp.groupby(["village", "role", "period"])["count"].sum()
        for _, r in rec.iterrows():
            got = float(tot.get((r["village"], r["role"], r["period"]), 0.0))
            if abs(got - r["count"]) > 1e-4:
                rep.bad("labour_pool", f"{r['village']}, {r['role']}, {r['period']}", "recruits not matched to labour-pool groups", got, r["count"])
        pools = {v.id: v.labour_pool for v in c.inst.villages}
        for (v, g, t), n in grp.groupby(["village", "group", "period"])["count"].sum().items():
            lim = getattr(pools[v], g)
            if n > lim + 1e-4:
                rep.bad("labour_pool", f"{v}, {g}, {t}", "more recruits than the village's labour pool", n, lim)


def _carbon_and_money(c: _Ctx, rep: _Report) -> dict[str, float]:
    inst, lib = c.inst, c.lib
    pol = inst.policies
    min_ha = pol.individual_carbon_min_ha
    fc = lib.carbon_methods["forestry"].t_per_mu_per_yr * MU_PER_HA * inst.prices.forestry_carbon_yuan_per_t
    ac = (lib.carbon_methods["agricultural"].t_per_mu_per_yr * MU_PER_HA * inst.prices.agricultural_carbon_yuan_per_t
          * inst.prices.agricultural_carbon_participation)
    par = c.par
    built = _built(c)
    fin = c.tables.get("finance", pd.DataFrame())
    loans = {r["period"]: float(r["loan_yuan"]) for _, r in fin.iterrows()} if not fin.empty else {}
    apps = c.tables.get("carbon_applications", pd.DataFrame())
    app = {(r["parcel"], r["period"]): bool(r["individual"]) for _, r in apps.iterrows()} if not apps.empty else {}
    rep.check("carbon_application")
    kpis = c.tables.get("kpis", pd.DataFrame())
    kp = {r["period"]: r for _, r in kpis.iterrows()} if not kpis.empty else {}
    recips = set(inst.objective.dividend_recipients)
    objective = {"weighted": 0.0, "gep": 0.0, "dividends": 0.0}
    cum_loan = 0.0
    for t in c.periods:
        at = c.at(t)
        used = c.used(t)
        remain = par["area_ha"] - used
        # forestry carbon by parcel and recipient
        income: dict[tuple[str, str], float] = {}

        def put(v: str, r: str, y: float) -> None:
            income[(v, r)] = income.get((v, r), 0.0) + y

        cf = at[at["use"].map(lambda u: lib.uses[u].forestry_carbon and c.is_forest_use(u)).astype(bool)]
        forest_by_parcel = cf.groupby("parcel")["area_ha"].sum()
        arbor = at[at["use"].map(lambda u: lib.uses[u].kind.value == "forest" and c.is_forest_use(u)).astype(bool)]
        arbor_by_parcel = arbor.groupby("parcel")["area_ha"].sum()
        forestry = 0.0
        for p, ha in forest_by_parcel.items():
            v = par.at[p, "village"]
            whole = float(arbor_by_parcel.get(p, ha))  # the parcel's whole artificial arbor forest
            individual_ok = par.at[p, "ownership"] == "individual" and par.at[p, "area_ha"] >= min_ha
            if individual_ok and whole >= min_ha and not app.get((p, t), False):
                rep.bad("carbon_application", f"parcel {p}, {t}", "arbor forest of 0.67 ha or more on a villager's land not applied for individually", whole, min_ha)
            if app.get((p, t), False) and whole < min_ha - AREA_TOL:
                rep.bad("carbon_application", f"parcel {p}, {t}", "individual application below the minimum contiguous area", whole, min_ha)
            who = "villagers" if (individual_ok and app.get((p, t), whole >= min_ha)) else "village_collective"
            put(v, who, ha * fc)
            forestry += ha * fc
        reg = par[par["carbon_registered"].astype(bool) & par["cover"].map(c.is_forest_cover).astype(bool)]
        for p, r in reg.iterrows():
            who = "villagers" if (r["ownership"] == "individual" and r["area_ha"] >= min_ha) else "village_collective"
            put(r["village"], who, remain[p] * fc)
            forestry += remain[p] * fc
        agri_p = par[par["cover"].map(lambda x: lib.covers[x].agricultural_carbon).astype(bool)]
        agri = 0.0
        for p, r in agri_p.iterrows():
            who = "villagers" if r["ownership"] == "individual" else "village_collective"
            put(r["village"], who, remain[p] * ac)
            agri += remain[p] * ac
        for _, r in at[at["use"].map(lambda u: lib.uses[u].agricultural_carbon).astype(bool)].iterrows():
            who = "villagers" if par.at[r["parcel"], "ownership"] == "individual" else "village_collective"
            put(r["village"], who, r["area_ha"] * ac)
            agri += r["area_ha"] * ac
        # land income and subsidies to the owner
        val_c = par["cover"].map(lambda x: lib.covers[x].income_yuan_per_ha_yr + lib.covers[x].subsidy_yuan_per_ha_yr)
        for p, r in par.iterrows():
            y = remain[p] * val_c[p]
            if y:
                put(r["village"], "villagers" if r["ownership"] == "individual" else "village_collective", y)
        for _, r in at.iterrows():
            u = lib.uses[r["use"]]
            y = r["area_ha"] * (u.income_yuan_per_ha_yr + u.subsidy_yuan_per_ha_yr)
            if y:
                put(r["village"], "villagers" if par.at[r["parcel"], "ownership"] == "individual" else "village_collective", y)
        for j in inst.projects:
            if built.get((j.id, t), False):
                inc = sum(j.income_yuan_per_yr.values())
                for r, s in j.shares.items():
                    put(j.host_village if r in ("villagers", "village_collective") else "(township)", r, inc * s)
        dividends = sum(y for (v, r), y in income.items() if r in recips)
        # GEP
        idx = c.period[t].gep_price_index
        gep = idx * (float((remain * par["cover"].map(lambda x: c.gep_ha(x, True))).sum())
                     + float((at["area_ha"] * at["use"].map(lambda u: c.gep_ha(u, False)).astype(float)).sum()))
        gep += idx * sum(j.gep_yuan_per_yr for j in inst.projects if built.get((j.id, t), False))
        # spending
        prev = c.at(c.prev[t]).set_index(["parcel", "use"])["area_ha"]
        now = at.set_index(["parcel", "use"])["area_ha"]
        add = now.sub(prev.reindex(now.index).fillna(0.0))
        cost = pd.Series([lib.uses[u].establishment_cost_yuan_per_ha * inst.prices.establishment_cost_multiplier for _, u in add.index],
                         index=add.index, dtype=float)
        spend = float((add * cost).sum())
        prev_t = c.prev[t]
        spend += sum(j.capex_yuan for j in inst.projects if built.get((j.id, t), False) and not (prev_t and built.get((j.id, prev_t), False)))
        rec = c.tables.get("recruitment", pd.DataFrame(columns=["village", "role", "period", "count"]))
        wage = {r.id: r.wage_yuan_per_yr for r in inst.roles}
        rr = rec[rec["period"] == t] if not rec.empty else rec
        spend += float((rr["count"].astype(float) * rr["role"].map(wage).astype(float)).sum()) * c.period[t].years if len(rr) else 0.0
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
        if pol.dividend_floor_yuan is not None:
            rep.check("dividend_floor")
            vr = [r for r in ("villagers", "village_collective") if r in recips] or ["villagers", "village_collective"]
            for v in inst.villages:
                if v.is_town:
                    continue
                got = sum(income.get((v.id, r), 0.0) for r in vr)
                if got < pol.dividend_floor_yuan - max(1.0, REL_TOL * pol.dividend_floor_yuan):
                    rep.bad("dividend_floor", f"{v.id}, {t}", "village dividend below the floor", got, pol.dividend_floor_yuan)
        # KPIs as reported
        rep.check("kpis")
        if t in kp:
            for name, val in (("gep_yuan", gep), ("forestry_carbon_income_yuan", forestry),
                              ("agricultural_carbon_income_yuan", agri), ("dividends_yuan", dividends),
                              ("budget_used_yuan", spend)):
                got = float(kp[t][name])
                if not _close(got, val):
                    rep.bad("kpis", f"{name}, {t}", "reported KPI does not match the recomputation", got, val)
        else:
            rep.bad("kpis", t, "no KPI row for the period")
        w = c.period[t].weight
        objective["weighted"] += w * (inst.objective.gep_weight * gep + inst.objective.dividend_weight * (dividends - interest))
        objective["gep"] += w * gep
        objective["dividends"] += w * (dividends - interest)
    return objective


def recompute_objective(plan, li) -> float:
    """The weighted objective (Yuan/yr) recomputed from the plan's tables (``verify_plan``
    also recomputes the lexicographic goals)."""
    return _carbon_and_money(_Ctx(plan, li), _Report())["weighted"]


__all__ = ["verify_plan", "recompute_objective"]
