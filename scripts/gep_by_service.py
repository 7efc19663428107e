#!/usr/bin/env python3
"""GEP of solved plans side by side: by category and service, the total, and the value
per hectare of the township.

    python scripts/gep_by_service.py out/nuanshui out/nuanshui-national
    python scripts/gep_by_service.py --library models/gep_national.yaml

Each argument is a plan folder (or its plan.json) written by ``planner solve``. For each
plan and period: GEP by service in million Yuan/yr (the projects' cultural GEP in one
row), the total in billion Yuan/yr, and the total divided by the area of the parcels of
the instance the plan was solved from (read again from the path the plan records, with
its --scenario and --set overrides), in Yuan/ha/yr. The plan's status and MIP gap head
its columns: a plan that is not optimal says so.

With ``--library FILE``: the GEP a hectare of each cover and use of a valuation library
is worth (Yuan/ha/yr, by category), as the model reads it (quantity x price for a
``quantity_price`` library, equivalents x the standard equivalent otherwise), before an
instance's gep_scale, multipliers and price index.

Exit code 2 when an argument is not a plan or a library (the message names it).
"""

from __future__ import annotations

import sys
from pathlib import Path

import planner
from planner.cli.show import pct_words
from planner.instance.library import load_library
from planner.instance.overrides import split_overrides
from planner.plan.plan import Plan

CATEGORIES = ("provisioning", "regulating", "cultural")
WIDTH = 11


def _plan_file(arg: str) -> Path:
    p = Path(arg)
    return p / "plan.json" if p.is_dir() else p


def _area_ha(plan: Plan) -> float:
    scenario, sets = split_overrides(list(plan.overrides or []))
    li = planner.load_instance(plan.instance_path, scenario=scenario, sets=sets)
    return float(li.parcels["area_ha"].sum())


def library_table(path: str) -> int:
    """Print the value of a hectare of each cover and use of the library at ``path``."""
    try:
        lib = load_library(Path(path))
    except planner.InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    cat = {s.id: s.category.value for s in lib.services}
    scale = float(lib.standard_equivalent_yuan_per_ha or 1.0) * lib.regional_scale
    out = [f"GEP per hectare of library {lib.name!r} (method {lib.method}), Yuan/ha/yr", ""]
    out.append(f"{'':<28}" + "".join(f"{c:>13}" for c in ("total", *CATEGORIES)))
    for group, items in (("cover", lib.covers), ("use", lib.uses)):
        for k, c in items.items():
            by = {x: 0.0 for x in CATEGORIES}
            for sid, e in c.equivalents.items():
                by[cat[sid]] += e * scale
            cells = [sum(by.values()), *by.values()]
            out.append(f"{group + ' ' + k:<28}" + "".join(f"{v:>13,.0f}" for v in cells))
    print("\n".join(out))
    return 0


def main(argv: list[str]) -> int:
    if not argv or any(a in ("-h", "--help") for a in argv):
        print(__doc__.strip())
        return 0 if argv else 2
    if argv[0] == "--library":
        if len(argv) != 2:
            print("error: --library takes one YAML file", file=sys.stderr)
            return 2
        return library_table(argv[1])
    plans: list[tuple[str, Plan, float]] = []
    for arg in argv:
        f = _plan_file(arg)
        if not f.is_file():
            print(f"error: {arg}: no plan.json there -> give a folder written by planner solve", file=sys.stderr)
            return 2
        try:
            plan = Plan.from_json(f)
        except (ValueError, KeyError) as exc:
            print(f"error: {f}: not a plan ({exc}) -> give a folder written by planner solve", file=sys.stderr)
            return 2
        try:
            area = _area_ha(plan)
        except planner.InputError as exc:
            print(f"error: {f}: its instance cannot be read again:\n{exc}", file=sys.stderr)
            return 2
        plans.append((arg, plan, area))
    cols: list[tuple[int, str]] = []
    for i, (_, plan, _) in enumerate(plans):
        cols += [(i, str(t)) for t in plan.kpis["period"].astype(str)]
    rows: dict[tuple[str, str], dict[tuple[int, str], float]] = {}
    for i, (_, plan, _) in enumerate(plans):
        g = plan.gep.copy()
        g["period"] = g["period"].astype(str)
        g["service"] = g["service"].where(~g["service"].str.startswith("project:"), "EOD projects")
        for (cat, svc, t), y in g.groupby(["category", "service", "period"])["gep_yuan"].sum().items():
            rows.setdefault((cat, svc), {})[(i, t)] = float(y)

    def line(label: str, cells: list[str]) -> str:
        return f"{label:<37}" + "".join(f"{c:>{WIDTH}}" for c in cells)

    out = ["GEP by service (million Yuan/yr), total (billion Yuan/yr) and per hectare (Yuan/ha/yr)", ""]
    for i, (arg, plan, _) in enumerate(plans):
        gap = "n/a" if plan.mip_gap is None else pct_words(abs(plan.mip_gap))  # 2e-16 is 0%, as the CLI says
        out.append(f"[{i + 1}] {arg}: {plan.instance_name}, status {plan.status}, MIP gap {gap}")
    out += ["", line("", [f"[{i + 1}] {t}" for i, t in cols])]
    for cat in CATEGORIES:
        keys = sorted((k for k in rows if k[0] == cat), key=lambda k: (k[1] == "EOD projects", k[1]))
        if keys:
            out.append(cat)
        for _, svc in keys:
            vals = rows[(cat, svc)]
            out.append(line(f"  {svc}", [f"{vals[c] / 1e6:,.1f}" if c in vals else "-" for c in cols]))
    totals = {(i, t): plan.kpi("gep_yuan", t) for (i, t) in cols for plan in [plans[i][1]]}
    out.append(line("total (billion Yuan/yr)", [f"{totals[c] / 1e9:,.2f}" for c in cols]))
    out.append(line("per ha of the township (Yuan/ha/yr)", [f"{totals[c] / plans[c[0]][2]:,.0f}" for c in cols]))
    out.append(line("township area (ha)", [f"{plans[i][2]:,.0f}" for i, _ in cols]))
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
