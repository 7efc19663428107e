"""The plan: one object with status, termination, objective, MIP gap, solve time and
tidy pandas tables in planner words (village, parcel, use, period, role, recipient).

``Plan.to_json()`` writes the versioned format documented in ``docs/plan-format.md``;
``Plan.from_json()`` reads it back (the verifier and later stages use it).
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyomo.environ as pyo

from planner.core.cells import csv_text
from planner.core.files import write_text
from planner.core.outdir import replacing
from planner.core.plan_format import TABLES, land_fingerprint
from planner.core.status import has_plan
from planner.core.units import MONEY
from planner.core.version import __version__
from planner.model.data import GARDEN_KINDS

PLAN_FORMAT = "planner.plan.plan"
PLAN_VERSION = "1.3"
TOL = 1e-6

# the tables (TABLES) are listed, with their keys and column types, in planner.core.plan_format


def _val(x: Any) -> float:
    v = pyo.value(x, exception=False)
    return 0.0 if v is None else float(v)


@dataclass
class Plan:
    instance_name: str
    instance_path: str
    overrides: list[str]
    status: str
    termination: str
    objective: float | None  # Yuan/yr: the weighted objective, or the last lexicographic goal reached
    objective_bound: float | None
    mip_gap: float | None
    solve_time_s: float
    build_time_s: float
    solver: str
    options: dict[str, Any]
    stages: list[dict[str, Any]]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    verification: dict[str, Any] | None = None
    status_note: str = ""
    # every whole-number and yes/no decision that is not zero: {variable: [[*index, value], ...]};
    # the explanations fix these to re-solve the LP of the plan
    decisions: dict[str, list[list[Any]]] = field(default_factory=dict)
    # suspicious inputs and badly scaled rules found before solving (planner.solver.scaling), as sentences
    warnings: list[str] = field(default_factory=list)
    # what this plan is: {"what": "optimum"} (solved for the instance's objective; the status says
    # whether it is proved), {"what": "alternative", ...} (a near-optimal alternative: its distance
    # and loss against the optimum) or {"what": "pareto_point", ...} (a point of the GEP-dividends
    # frontier: its goal and bound)
    kind: dict[str, Any] = field(default_factory=lambda: {"what": "optimum"})
    # the land the plan was made for (planner.core.plan_format.land_fingerprint); None in plans before 1.3
    instance_fingerprint: str | None = None

    # ------------------------------------------------------------------
    @property
    def has_solution(self) -> bool:
        return has_plan(self.status)

    @property
    def is_optimal(self) -> bool:
        return self.status == "optimal"

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)

    def kpi(self, name: str, period: str) -> float:
        k = self.tables["kpis"]
        return float(k.loc[k["period"] == period, name].iloc[0])

    # ------------------------------------------------------------------
    @classmethod
    def from_model(
        cls, li, d, m, res, build_time_s: float, options: dict[str, Any], warnings: list[str] | None = None
    ) -> Plan:
        plan = cls(
            instance_name=li.instance.name,
            instance_path=str(li.path),
            overrides=list(li.overrides),
            instance_fingerprint=land_fingerprint(li.parcels),
            status=res.status,
            termination=res.termination,
            objective=None if res.objective is None else res.objective * MONEY,
            objective_bound=None if res.bound is None or not math.isfinite(res.bound) else res.bound * MONEY,
            mip_gap=res.mip_gap,
            solve_time_s=res.solve_time_s,
            build_time_s=build_time_s,
            solver=res.solver,
            options=options,
            stages=[
                {
                    **s,
                    "objective": None if s["objective"] is None else s["objective"] * MONEY,
                    "bound": None if s["bound"] is None or not math.isfinite(s["bound"]) else s["bound"] * MONEY,
                }
                for s in res.stages
            ],
            warnings=list(warnings or []),
        )
        if plan.has_solution:
            plan.tables = _tables(li, d, m)
            plan.decisions = integer_decisions(m)
        elif getattr(m, "_impossible", None):
            rows = [f"{name}[{', '.join(map(str, key))}]" for _, name, key in m._impossible]
            plan.status_note = (
                "no plan can meet these rules whatever is decided: "
                + "; ".join(rows[:10])
                + (f" and {len(rows) - 10} more" if len(rows) > 10 else "")
            )
        return plan

    def with_verification(self, verification: dict[str, Any]) -> Plan:
        """This plan with the independent verifier's result; a plan that fails it says so
        in ``status_note`` (:func:`planner.verify.verify_plan`)."""
        note = self.status_note
        if not verification["passed"]:
            note = "the independent verifier found violations; do not use this plan"
        return dataclasses.replace(self, verification=verification, status_note=note)

    # ------------------------------------------------------------------
    def timings(self) -> dict[str, Any]:
        """What varies from run to run (written to run.json, not plan.json): times per stage."""
        return {
            "format": "planner.run",
            "solve_time_s": self.solve_time_s,
            "build_time_s": self.build_time_s,
            "stages": [{"goal": s.get("goal"), **{k: s[k] for k in STAGE_TIMES if k in s}} for s in self.stages],
        }

    def to_dict(self, timings: bool = False) -> dict[str, Any]:
        """The plan as plain data. Without ``timings`` (as in plan.json) it holds nothing that
        varies between runs of the same instance and options, so plan.json is byte-identical."""

        def rows(df: pd.DataFrame) -> list[dict[str, Any]]:
            out = json.loads(df.to_json(orient="records", double_precision=10))
            return out

        stages = (
            self.stages if timings else [{k: v for k, v in st.items() if k not in STAGE_TIMES} for st in self.stages]
        )
        times = {"solve_time_s": self.solve_time_s, "build_time_s": self.build_time_s} if timings else {}
        return {
            "format": PLAN_FORMAT,
            "version": PLAN_VERSION,
            "planner_version": __version__,
            "instance": {
                "name": self.instance_name,
                "path": self.instance_path,
                "overrides": self.overrides,
                "fingerprint": self.instance_fingerprint,
            },
            "kind": self.kind,
            "status": self.status,
            "status_note": self.status_note,
            "termination": self.termination,
            "objective": self.objective,
            "objective_bound": self.objective_bound,
            "mip_gap": self.mip_gap,
            **times,
            "solver": {"name": self.solver, "options": self.options},
            "stages": stages,
            "verification": self.verification,
            "warnings": self.warnings,
            "decisions": self.decisions,
            **{t: rows(self.tables[t]) if t in self.tables else [] for t in TABLES},
        }

    def to_json(self, path: str | Path | None = None, indent: int = 1, timings: bool = False) -> str:
        text = json.dumps(self.to_dict(timings=timings), indent=indent, allow_nan=False, default=_json_default)
        if path is not None:
            write_text(path, text)
        return text

    def write(self, out_dir: str | Path, *, force: bool = True, extra: Callable[[Path], None] | None = None) -> Path:
        """Write the plan into ``out_dir`` in one step: one CSV per table, run.json (times)
        and plan.json are written into a staging folder beside it, ``extra(folder)`` may add
        more (the CLI adds plan.gpkg), then the staging folder replaces ``out_dir``
        (:func:`planner.core.outdir.replacing`). At every instant ``out_dir`` holds the whole old
        plan or the whole new one; the old plan's explanation, report and other companions
        go with it, files a user keeps there are carried over.

        ``force=False`` refuses to replace a plan (raises :class:`planner.core.outdir.OutTaken`)."""
        out = Path(out_dir)
        with replacing(out, force=force) as stage:
            self.write_files(stage)
            if extra is not None:
                extra(stage)
        return out

    def write_files(self, folder: str | Path) -> None:
        """The plan's files into an existing (new, empty) folder, plan.json last."""
        folder = Path(folder)
        for name, df in self.tables.items():
            write_text(folder / f"{name}.csv", csv_text(df, index=False))
        write_text(folder / "run.json", json.dumps(self.timings(), indent=1, default=_json_default))
        self.to_json(folder / "plan.json")

    @classmethod
    def from_json(cls, path_or_text: str | Path) -> Plan:
        p = Path(path_or_text) if not str(path_or_text).lstrip().startswith("{") else None
        data = json.loads(p.read_text(encoding="utf-8") if p else str(path_or_text))
        if data.get("format") != PLAN_FORMAT:
            raise ValueError(f"not a planner plan (format {data.get('format')!r})")
        times = {}
        if p is not None and (p.parent / "run.json").exists():
            try:
                times = json.loads((p.parent / "run.json").read_text(encoding="utf-8"))
            except (ValueError, OSError):
                times = {}
        stage_times = [{k: st[k] for k in STAGE_TIMES if k in st} for st in times.get("stages", [])]
        stages = [
            {**(stage_times[i] if i < len(stage_times) else {}), **st} for i, st in enumerate(data.get("stages", []))
        ]
        plan = cls(
            instance_name=data["instance"]["name"],
            instance_path=data["instance"]["path"],
            overrides=data["instance"].get("overrides", []),
            instance_fingerprint=data["instance"].get("fingerprint"),
            status=data["status"],
            termination=data["termination"],
            objective=data["objective"],
            objective_bound=data.get("objective_bound"),
            mip_gap=data["mip_gap"],
            solve_time_s=data.get("solve_time_s", times.get("solve_time_s", 0.0)),
            build_time_s=data.get("build_time_s", times.get("build_time_s", 0.0)),
            solver=data["solver"]["name"],
            options=data["solver"].get("options", {}),
            stages=stages,
            verification=data.get("verification"),
            status_note=data.get("status_note", ""),
            decisions=data.get("decisions", {}),
            warnings=data.get("warnings", []),
            kind=data.get("kind") or {"what": "optimum"},
        )
        plan.tables = {t: pd.DataFrame(data.get(t, [])) for t in TABLES}
        return plan

    def summary(self) -> pd.DataFrame:
        """KPIs per period, for printing."""
        return self.tables.get("kpis", pd.DataFrame())


def integer_decisions(m: pyo.ConcreteModel) -> dict[str, list[list[Any]]]:
    """The model's whole-number and yes/no decisions that are not zero, rounded."""
    out: dict[str, list[list[Any]]] = {}
    for comp in m.component_objects(pyo.Var):
        rows = []
        for idx, v in comp.items():
            if not (v.is_integer() or v.is_binary()) or v.value is None:
                continue
            val = int(round(v.value))
            if val:
                rows.append([*(idx if isinstance(idx, tuple) else (idx,)), val])
        if rows:
            out[comp.local_name] = rows
    return out


def _json_default(o: Any) -> Any:
    if hasattr(o, "item"):
        return o.item()
    return str(o)


# ---------------------------------------------------------------------------
# Tables from a solved model
# ---------------------------------------------------------------------------


# per-stage times (run.json, never plan.json): hand-off to the solver, the solver's run, reading back
STAGE_TIMES = ("handoff_s", "time_s", "readback_s")


def _tables(li, d, m) -> dict[str, pd.DataFrame]:
    inst = li.instance
    periods = d.periods
    pu = d.pu
    par = d.parcels

    # allocations
    rec = []
    for (p, u, t), var in m.x.items():
        v = var.value or 0.0
        if v > TOL:
            rec.append((p, u, t, v))
    alloc = pd.DataFrame(rec, columns=["parcel", "use", "period", "area_ha"]).astype({"area_ha": float})
    meta = pu.set_index(["parcel", "use"])[["village", "kind", "cover"]]
    alloc = alloc.join(meta, on=["parcel", "use"])
    alloc = alloc[["village", "parcel", "cover", "use", "kind", "period", "area_ha"]]
    alloc = alloc.sort_values(["period", "village", "parcel", "use"], key=_period_key(periods)).reset_index(drop=True)

    # gardens
    g_rows = []
    gard = alloc[alloc["kind"].isin(GARDEN_KINDS)].copy()
    veg = {u: d.lib.uses[u].vegetation_cover for u in d.lib.uses}
    gard["veg_ha"] = gard["area_ha"].astype(float) * gard["use"].map(veg).astype(float)
    for v in d.garden_villages:
        for t in periods:
            sel = gard[(gard["village"] == v) & (gard["period"] == t)]
            area = float(sel["area_ha"].sum())
            vha = float(sel["veg_ha"].sum())
            built = round(_val(m.garden[v, t])) == 1
            g_rows.append(
                {
                    "village": v,
                    "period": t,
                    "built": built,
                    "area_ha": area,
                    "vegetated_ha": vha,
                    "vegetation_coverage": (vha / area) if area > TOL else None,
                }
            )
    gardens = pd.DataFrame(
        g_rows, columns=["village", "period", "built", "area_ha", "vegetated_ha", "vegetation_coverage"]
    )

    sg = inst.policies.street_green
    street = (
        pd.DataFrame(
            [
                {
                    "period": t,
                    "count": int(round(_val(m.street_green[t]))),
                    "area_ha": float(
                        alloc.loc[(alloc["kind"] == "street_green") & (alloc["period"] == t), "area_ha"].sum()
                    ),
                }
                for t in periods
            ]
        )
        if sg
        else pd.DataFrame(columns=["period", "count", "area_ha"])
    )

    # projects
    p_rows = []
    for j in inst.projects:
        prev = 0
        for t in periods:
            b = int(round(_val(m.built[j.id, t])))
            p_rows.append(
                {
                    "project": j.id,
                    "name": j.name,
                    "channel": j.channel,
                    "host_village": j.host_village,
                    "period": t,
                    "built": bool(b),
                    "newly_built": bool(b and not prev),
                    "capex_yuan": j.capex_yuan if (b and not prev) else 0.0,
                    "income_yuan_per_yr": sum(j.income_yuan_per_yr.values()) if b else 0.0,
                }
            )
            prev = b
    projects = pd.DataFrame(
        p_rows,
        columns=[
            "project",
            "name",
            "channel",
            "host_village",
            "period",
            "built",
            "newly_built",
            "capex_yuan",
            "income_yuan_per_yr",
        ],
    )

    # recruitment
    r_rows = [
        {"village": v, "role": r, "period": t, "count": int(round(var.value or 0))}
        for (v, r, t), var in m.recruit.items()
    ]
    recruitment = pd.DataFrame(r_rows, columns=["village", "role", "period", "count"])
    recruitment = recruitment[recruitment["count"] > 0].reset_index(drop=True)
    g_rows = []
    if hasattr(m, "assign"):
        for (v, r, g, t), var in m.assign.items():
            if (var.value or 0) > TOL:
                g_rows.append({"village": v, "role": r, "group": g, "period": t, "count": float(var.value)})
    groups = pd.DataFrame(g_rows, columns=["village", "role", "group", "period", "count"])

    # carbon applications (individually owned parcels >= 0.67 ha)
    c_rows = []
    for site, ps in d.carbon_sites.items():
        for t in periods:
            ind = bool(round(_val(m.individual[site, t])))
            for p in ps:
                c_rows.append(
                    {
                        "parcel": p,
                        "village": par.at[p, "village"],
                        "period": t,
                        "individual": ind,
                        "individual_ha": max(_val(m.IC_F[p, t]), 0.0),
                        "collective_ha": max(_val(m.IC_C[p, t]), 0.0),
                        "holding": site if len(ps) > 1 else "",
                    }
                )
    carbon_apps = pd.DataFrame(
        c_rows, columns=["parcel", "village", "period", "individual", "individual_ha", "collective_ha", "holding"]
    )

    # finance
    e = m._expr
    f_rows = []
    for t in periods:
        spend = _val(e["spend"][t]) * MONEY
        f_rows.append(
            {
                "period": t,
                "budget_yuan": d.period[t].budget_yuan,
                "loan_yuan": _val(m.loan[t]) * MONEY,
                "interest_yuan_per_yr": _val(e["interest"][t]) * MONEY,
                "budget_used_yuan": spend,
                **_spend_parts(d, alloc, projects, recruitment, t),
            }
        )
    finance = pd.DataFrame(f_rows)

    # GEP by village and service
    gep = _gep_table(d, alloc, projects)

    # dividends by recipient
    dv = [
        {"village": v, "recipient": r, "period": t, "yuan_per_yr": _val(x) * MONEY}
        for (v, r, t), x in e["income_to"].items()
    ]
    dividends = pd.DataFrame(dv, columns=["village", "recipient", "period", "yuan_per_yr"])
    dividends["counts_as_dividend"] = dividends["recipient"].isin(inst.objective.dividend_recipients)
    dividends = (
        dividends[dividends["yuan_per_yr"].abs() > 1e-6]
        .sort_values(["period", "village", "recipient"])
        .reset_index(drop=True)
    )

    # KPIs
    k_rows = []
    for t in periods:
        state = _state(d, alloc, t)
        k_rows.append(
            {
                "period": t,
                "gep_yuan": _val(e["gep"][t]) * MONEY,
                "forestry_carbon_income_yuan": _val(e["forestry_carbon"][t]) * MONEY,
                "agricultural_carbon_income_yuan": _val(e["agricultural_carbon"][t]) * MONEY,
                "dividends_yuan": _val(e["dividends"][t]) * MONEY,
                "budget_used_yuan": _val(e["spend"][t]) * MONEY,
                "budget_yuan": d.period[t].budget_yuan,
                "afforested_ha": float(
                    alloc.loc[(alloc["kind"] == "forest") & (alloc["period"] == t), "area_ha"].sum()
                ),
                "forest_ha": state["forest_ha"],
                "vegetation_coverage": state["vegetation_ha"] / d.total_area,
                "forest_coverage": state["forest_ha"] / d.total_area,
                "ecological_space_ha": state["eco_ha"],
                "gardens_built": int(gardens.loc[gardens["period"] == t, "built"].sum()),
                "projects_built": int(projects.loc[projects["period"] == t, "built"].sum()),
                "recruited_people": int(recruitment.loc[recruitment["period"] == t, "count"].sum()),
            }
        )
    kpis = pd.DataFrame(k_rows)
    if d.land.merged:  # land units back to parcels, in proportion to area (planner.model.aggregate)
        alloc = d.land.split(alloc).sort_values(["period", "village", "parcel", "use"], key=_period_key(periods))
        alloc = alloc.reset_index(drop=True)
    return {
        "allocations": alloc,
        "gardens": gardens,
        "street_green": street,
        "projects": projects,
        "recruitment": recruitment,
        "recruitment_groups": groups,
        "carbon_applications": carbon_apps,
        "finance": finance,
        "gep": gep,
        "dividends": dividends,
        "kpis": kpis,
    }


def _period_key(periods: list[str]):
    order = {t: i for i, t in enumerate(periods)}

    def key(col: pd.Series) -> pd.Series:
        return col.map(order) if col.name == "period" else col

    return key


def _spend_parts(d, alloc, projects, recruitment, t) -> dict[str, float]:
    prev = d.prev[t]
    cost = d.pu.set_index(["parcel", "use"])["cost_per_ha"]
    now = alloc[alloc["period"] == t].set_index(["parcel", "use"])["area_ha"]
    before = alloc[alloc["period"] == prev].set_index(["parcel", "use"])["area_ha"] if prev else now * 0.0
    add = now.sub(before, fill_value=0.0).clip(lower=0)
    land = float((add.astype(float) * cost.reindex(add.index).fillna(0).astype(float)).sum())
    capex = float(projects.loc[projects["period"] == t, "capex_yuan"].sum())
    wage = {r.id: r.wage_yuan_per_yr for r in d.inst.roles}
    rr = recruitment[recruitment["period"] == t]
    wages = float((rr["count"].astype(float) * rr["role"].map(wage).astype(float)).sum()) * d.period[t].years
    return {"establishment_yuan": land, "project_capex_yuan": capex, "wages_yuan": wages}


def _state(d, alloc, t) -> dict[str, float]:
    par = d.parcels
    a = alloc[alloc["period"] == t]
    used = a.groupby("parcel")["area_ha"].sum().reindex(par.index).fillna(0.0)
    remain = par["area_ha"] - used
    uses = d.lib.uses
    area = a["area_ha"].astype(float)

    def per_use(f) -> pd.Series:
        return a["use"].map(f).astype(float)

    umin = d.inst.policies.forest_canopy_min
    veg = float((remain * par["vegetation_cover"]).sum() + (area * per_use(lambda u: uses[u].vegetation_cover)).sum())
    forest = float(
        (remain * par["is_forest"].astype(float)).sum()
        + (area * per_use(lambda u: uses[u].forest and uses[u].canopy_density >= umin)).sum()
    )
    eco = float(
        (remain * par["ecological_space"].astype(float)).sum()
        + (area * per_use(lambda u: uses[u].ecological_space)).sum()
    )
    return {"vegetation_ha": veg, "forest_ha": forest, "eco_ha": eco}


def _gep_table(d, alloc, projects) -> pd.DataFrame:
    par = d.parcels
    cat = {s.id: s.category.value for s in d.lib.services}
    rows = []
    for t in d.periods:
        idx = d.period[t].gep_price_index
        a = alloc[alloc["period"] == t]
        used = a.groupby("parcel")["area_ha"].sum().reindex(par.index).fillna(0.0)
        remain = par["area_ha"] - used
        acc: dict[tuple[str, str], float] = {}
        for cover, grp in par.assign(remain=remain).groupby("cover"):
            per = d.gep_by_service(cover, "cover")
            by_v = grp.groupby("village")["remain"].sum()
            for v, ha in by_v.items():
                for s, val in per.items():
                    acc[(v, s)] = acc.get((v, s), 0.0) + ha * val * idx
        for (v, u), ha in a.groupby(["village", "use"])["area_ha"].sum().items():
            for s, val in d.gep_by_service(u, "use").items():
                acc[(v, s)] = acc.get((v, s), 0.0) + ha * val * idx
        for (v, s), val in acc.items():
            rows.append({"village": v, "service": s, "category": cat[s], "period": t, "gep_yuan": val})
        pj = projects[(projects["period"] == t) & projects["built"]]
        for _, r in pj.iterrows():
            j = next(x for x in d.inst.projects if x.id == r["project"])
            if j.gep_yuan_per_yr:
                rows.append(
                    {
                        "village": j.host_village,
                        "service": f"project:{j.id}",
                        "category": "cultural",
                        "period": t,
                        "gep_yuan": j.gep_yuan_per_yr * idx,
                    }
                )
    return pd.DataFrame(rows, columns=["village", "service", "category", "period", "gep_yuan"])
