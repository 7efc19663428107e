"""Test helpers: a small hand-solvable valuation library, an instance builder that
writes YAML + CSV into a temporary directory, and readers of the Plan tables.

The library has round coefficients: one standard equivalent is 1,000 Yuan/ha/yr and
there is a single service (``eco``), so a cover or use with ``eco: k`` is worth
k x 1,000 Yuan/ha/yr of GEP. Nothing earns income, subsidy or carbon unless a test
says so. Tests pick the uses they need from ``USES`` so every parcel has only the
options its docstring reasons about.
"""

from __future__ import annotations

import copy
import csv
import itertools
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

import planner

# ---------------------------------------------------------------------------
# Library
# ---------------------------------------------------------------------------

COVERS: dict[str, dict[str, Any]] = {
    # GEP 1,000 Yuan/ha/yr, 80% vegetated, ecological space
    "grassland": {"equivalents": {"eco": 1}, "vegetation_cover": 0.8, "ecological_space": True},
    # GEP 1,000 Yuan/ha/yr, half vegetated, not ecological space
    "scattered_farmland": {"equivalents": {"eco": 1}, "vegetation_cover": 0.5, "ecological_space": False},
    "permanent_farmland": {"equivalents": {"eco": 1}, "vegetation_cover": 0.5, "ecological_space": False},
    # bare: no GEP, no vegetation
    "reclaimed_mine": {"equivalents": {}, "vegetation_cover": 0.0, "ecological_space": False},
    # GEP 5,000 Yuan/ha/yr, forest at canopy 0.5
    "forest": {
        "equivalents": {"eco": 5},
        "vegetation_cover": 1.0,
        "forest": True,
        "canopy_density": 0.5,
        "ecological_space": True,
    },
    # GEP 2,000 Yuan/ha/yr
    "fruit_forest": {"equivalents": {"eco": 2}, "vegetation_cover": 0.9, "ecological_space": False},
    # homestead: no GEP
    "settlement": {"equivalents": {}, "vegetation_cover": 0.0, "ecological_space": False},
}

_FOREST = {
    "kind": "forest",
    "from_covers": ["grassland", "scattered_farmland", "reclaimed_mine"],
    "vegetation_cover": 1.0,
    "forest": True,
    "canopy_density": 0.5,
    "ecological_space": True,
    "establishment_cost_yuan_per_ha": 0,
}
_GARDEN_COVERS = ["grassland", "scattered_farmland", "reclaimed_mine", "settlement"]

USES: dict[str, dict[str, Any]] = {
    "ecological_forest": {**_FOREST, "equivalents": {"eco": 4}},  # 4,000 Yuan/ha/yr
    "ornamental_forest": {**_FOREST, "equivalents": {"eco": 3}},  # 3,000 Yuan/ha/yr
    "interactive_forest": {**_FOREST, "equivalents": {"eco": 4}},  # 4,000 Yuan/ha/yr
    "fruit_expansion": {
        "kind": "fruit",
        "from_covers": ["grassland", "scattered_farmland"],
        "equivalents": {"eco": 3},
        "vegetation_cover": 0.9,
        "ecological_space": False,
        "establishment_cost_yuan_per_ha": 0,
    },  # 3,000 Yuan/ha/yr
    "courtyard_economy": {
        "kind": "courtyard",
        "from_covers": ["settlement"],
        "equivalents": {"eco": 2},
        "vegetation_cover": 0.5,
        "ecological_space": False,
        "establishment_cost_yuan_per_ha": 0,
    },  # 2,000 Yuan/ha/yr
    "scenic_fruit": {
        "kind": "scenic_fruit",
        "from_covers": ["fruit_forest"],
        "equivalents": {"eco": 3},
        "vegetation_cover": 0.9,
        "ecological_space": False,
        "establishment_cost_yuan_per_ha": 0,
    },  # 3,000 Yuan/ha/yr
    "garden_shrub": {
        "kind": "garden_vegetation",
        "from_covers": _GARDEN_COVERS,
        "equivalents": {"eco": 3},
        "vegetation_cover": 1.0,
        "ecological_space": True,
        "establishment_cost_yuan_per_ha": 0,
    },  # 3,000 Yuan/ha/yr
    "garden_facility": {
        "kind": "garden_facility",
        "from_covers": _GARDEN_COVERS,
        "equivalents": {"eco": 10},
        "vegetation_cover": 0.0,
        "ecological_space": False,
        "establishment_cost_yuan_per_ha": 0,
    },  # 10,000 Yuan/ha/yr
    "street_green": {
        "kind": "street_green",
        "from_covers": ["settlement"],
        "equivalents": {"eco": 2},
        "vegetation_cover": 1.0,
        "ecological_space": True,
        "establishment_cost_yuan_per_ha": 0,
    },  # 2,000 Yuan/ha/yr
}

NORMS: dict[str, dict[str, Any]] = {
    "plant2": {"kind": "planting", "value": 2.0, "use_kinds": ["forest"]},  # 2 ha planted / person / yr
    "manage5": {"kind": "area_managed", "value": 5.0, "use_kinds": ["forest"]},  # 5 ha looked after / person
    "staff3": {"kind": "per_project", "value": 3.0},  # 3 people / project
    "staff2": {"kind": "per_project", "value": 2.0},
    "crew3": {"kind": "per_project_built", "value": 3.0},  # 3 people / project being built
    "fixed": {"kind": "fixed"},
}

FORESTRY_YUAN_PER_HA = 0.7 * 15 * 58  # 609 Yuan/ha/yr
AGRICULTURAL_YUAN_PER_HA = 0.43 * 15 * 10  # 64.5 Yuan/ha/yr


def _merge(base: dict, over: dict | None) -> dict:
    """Deep-merge ``over`` on ``base``; an ``equivalents`` mapping is replaced whole."""
    out = copy.deepcopy(base)
    for k, v in (over or {}).items():
        if isinstance(v, dict) and isinstance(out.get(k), dict) and k != "equivalents":
            out[k] = _merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def library(
    uses: dict[str, dict | None] | list[str],
    covers: dict[str, dict] | None = None,
    norms: list[str] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A Library dict. ``uses``: names from ``USES`` (a list) or {name: overrides or None}
    (a name not in ``USES`` must give the whole use). ``covers``: overrides merged on ``COVERS``."""
    if isinstance(uses, (list, tuple)):
        uses = {u: None for u in uses}
    lib = {
        "name": "testlib",
        "standard_equivalent_yuan_per_ha": 1000.0,
        "services": [{"id": "eco", "category": "regulating"}],
        "covers": {
            k: _merge(COVERS.get(k, {}), over) for k, over in {**{c: None for c in COVERS}, **(covers or {})}.items()
        },
        "uses": {u: _merge(USES.get(u, {}), over) for u, over in uses.items()},
        "carbon_methods": {"forestry": {"t_per_mu_per_yr": 0.7}, "agricultural": {"t_per_mu_per_yr": 0.43}},
        "labour_norms": {n: NORMS[n] for n in (norms or NORMS)},
    }
    lib.update(extra)
    return lib


# ---------------------------------------------------------------------------
# Instance
# ---------------------------------------------------------------------------

PARCEL_DEFAULTS = {"village": "a", "red_line": "false", "eco_space": "none", "ownership": "collective"}
_counter = itertools.count()


def P(id: str, cover: str, area: float, **kw: Any) -> dict[str, Any]:
    """A parcel row; defaults: village a, outside the red line, no space type, collective."""
    return {"id": id, "cover": cover, "area": area, **kw}


def period(id: str, budget: float = 1e9, years: float = 1, **kw: Any) -> dict[str, Any]:
    return {"id": id, "year": int(id), "years": years, "budget_yuan": budget, **kw}


def write_instance(
    directory: Path,
    parcels: list[dict[str, Any]],
    *,
    uses: Any = (),
    covers: dict | None = None,
    norms: list[str] | None = None,
    library_extra: dict | None = None,
    periods: list[dict] | None = None,
    villages: list[dict] | dict | None = None,
    policies: dict | None = None,
    use_policies: dict | None = None,
    area_unit: str = "ha",
    objective: dict | None = None,
    **fields: Any,
) -> Path:
    """Write lib_N.yaml, parcels_N.csv and instance_N.yaml into ``directory``; return the instance path.

    Defaults: one period ``2025`` of one year with an ample budget; villages are those the
    parcels name (empty labour pools); policies switch off the street-green and
    one-garden-per-village targets unless ``policies`` says otherwise; the objective has no
    least-cost tie-break stage (``tie_break: none``) unless ``objective`` asks for it, so each rule
    family is tested on the main optimisation alone (the tie-break has its own tests in
    test_objective.py)."""
    n = next(_counter)
    directory = Path(directory)
    lib = library(uses, covers, norms, **(library_extra or {}))
    lib_file = directory / f"lib_{n}.yaml"
    lib_file.write_text(yaml.safe_dump(lib, sort_keys=False), encoding="utf-8")

    rows = [{**PARCEL_DEFAULTS, **p} for p in parcels]
    cols: list[str] = []
    for r in rows:
        cols += [c for c in r if c not in cols]
    csv_file = directory / f"parcels_{n}.csv"
    with csv_file.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=cols)
        w.writeheader()
        for r in rows:
            w.writerow({c: _csv(r.get(c, "")) for c in cols})

    vids = list(dict.fromkeys(r["village"] for r in rows))
    if villages is None:
        vlist = [{"id": v} for v in vids]
    elif isinstance(villages, dict):
        vlist = [{"id": v, **villages.get(v, {})} for v in dict.fromkeys(vids + list(villages))]
    else:
        vlist = villages
    pol = {"street_green": None, "one_garden_per_village": False, **(policies or {})}
    inst = {
        "name": f"test{n}",
        "township": {"name": "Test Township"},
        "valuation": lib_file.name,
        "periods": periods or [period("2025")],
        "villages": vlist,
        "parcels": {"file": csv_file.name, "area_unit": area_unit},
        "uses": use_policies or {},
        "policies": pol,
        "objective": {"tie_break": "none", **(objective or {})},
        **fields,
    }
    path = directory / f"instance_{n}.yaml"
    path.write_text(yaml.safe_dump(inst, sort_keys=False), encoding="utf-8")
    return path


def _csv(v: Any) -> Any:
    if isinstance(v, bool):
        return "true" if v else "false"
    return v


# ---------------------------------------------------------------------------
# Solving and reading plans
# ---------------------------------------------------------------------------


VERIFY = os.environ.get("PLANNER_TEST_VERIFY", "1") not in ("", "0")


def solve(li: planner.LoadedInstance, **kw: Any) -> planner.Plan:
    """Solve single-threaded. Every plan with a solution must also pass the independent
    verifier (planner/verify/), so each hand-derived instance cross-checks it too
    (PLANNER_TEST_VERIFY=0 switches that off when debugging the model alone)."""
    plan = planner.solve(li, verify=VERIFY, threads=1, **kw)
    if VERIFY and plan.has_solution:
        assert plan.verification["passed"], plan.verification["violations"]
    return plan


def solve_model(
    li: planner.LoadedInstance, *, fix: dict[tuple[str, tuple], float] | None = None, drop: tuple[str, ...] = ()
) -> tuple[str, float | None]:
    """Build the Pyomo model of ``li``, fix some decisions (``{("garden", ("a", "2035")): 0}``),
    deactivate the constraint components named in ``drop`` (each must exist), and solve it
    single-threaded. Returns (status, objective in Yuan/yr or None).

    For the few rules that the rest of the model already implies (no instance can make them
    change an optimum), this is how a test shows that the component itself holds the line:
    with the decisions fixed to a plan that breaks the rule, the model is infeasible, and
    dropping the component (plus whatever else implies it) makes it feasible."""
    import importlib

    from planner.core.units import MONEY
    from planner.model.build import build_model
    from planner.model.data import ModelData

    solve_mod = importlib.import_module("planner.solver.run")  # the package re-exports solve() over the module name
    d = ModelData(li)
    m = build_model(d)
    for (var, idx), val in (fix or {}).items():
        getattr(m, var)[idx].fix(val)
    for name in drop:
        getattr(m, name).deactivate()
    res = solve_mod.solve_model(d, m, {"solver": "highs", "time_limit": None, "mip_gap": None, "threads": 1})
    return res.status, (None if res.objective is None else res.objective * MONEY)


def _last(plan: planner.Plan) -> str:
    return str(plan.kpis["period"].iloc[-1])


def area(plan: planner.Plan, *, period: str | None = None, **eq: str) -> float:
    """Allocated ha in ``period`` (default: the last) matching column=value filters
    (use, parcel, village, kind, cover)."""
    a = plan.allocations
    a = a[a["period"] == (period or _last(plan))]
    for col, val in eq.items():
        a = a[a[col] == val]
    return float(a["area_ha"].sum())


def kpi(plan: planner.Plan, name: str, period: str | None = None) -> float:
    return plan.kpi(name, period or _last(plan))


def income(plan: planner.Plan, *, period: str | None = None, **eq: str) -> float:
    """Yuan/yr in the dividends table matching column=value filters (village, recipient)."""
    d = plan.dividends
    d = d[d["period"] == (period or _last(plan))]
    for col, val in eq.items():
        d = d[d[col] == val]
    return float(d["yuan_per_yr"].sum())


def recruits(plan: planner.Plan, *, period: str | None = None, **eq: str) -> int:
    r = plan.recruitment
    r = r[r["period"] == (period or _last(plan))]
    for col, val in eq.items():
        r = r[r[col] == val]
    return int(r["count"].sum())


def built(plan: planner.Plan, project: str, period: str | None = None) -> bool:
    p = plan.projects
    return bool(p.loc[(p["project"] == project) & (p["period"] == (period or _last(plan))), "built"].iloc[0])


def garden_built(plan: planner.Plan, village: str, period: str | None = None) -> bool:
    g = plan.gardens
    sel = g[(g["village"] == village) & (g["period"] == (period or _last(plan)))]
    return bool(len(sel)) and bool(sel["built"].iloc[0])


def approx(x: float) -> Any:
    """Exact to a hundredth of a Yuan (or ha)."""
    return pytest.approx(x, rel=1e-7, abs=1e-2)


# ---------------------------------------------------------------------------
# Processes stopped at a named point (planner.core.faults)
# ---------------------------------------------------------------------------


def stopped_at(args: list[str], point: str) -> subprocess.Popen:
    """Start ``args`` (in a session of its own, output captured, wide lines) with
    ``PLANNER_STOP_AT=point`` and wait until it has stopped there: a state, not a time.
    Fails if the process ends before reaching the point. Ctrl-C is restored to its default
    in the child, as in a terminal: a test run started in the background (``nohup ... &``
    from a script) ignores SIGINT, and a child would inherit that and never be interrupted."""
    import signal

    p = subprocess.Popen(
        args,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={**os.environ, "PLANNER_STOP_AT": point, "COLUMNS": "1000"},
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    _, status = os.waitpid(p.pid, os.WUNTRACED)
    if not os.WIFSTOPPED(status):
        os.killpg(p.pid, signal.SIGKILL)
        raise AssertionError(f"the process ended before reaching {point}")
    return p


def kill_group(p: subprocess.Popen) -> None:
    """SIGKILL the process and everything it started."""
    import signal

    os.killpg(p.pid, signal.SIGKILL)
    p.wait()
