"""The ``planner`` command line.

Exit codes: 0 optimal (or check passed), 1 infeasible / no plan / violations found,
2 bad input (the message names the file, the field and what to change; no traceback),
3 stopped by a limit with a feasible plan (the status says so).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from .errors import InputError, SolveError

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Optimization-based land-use and investment planner for rural ecological revitalisation.")
out = Console()
err = Console(stderr=True)

EXIT = {"optimal": 0, "feasible": 3, "infeasible": 1, "no_solution": 1, "unbounded": 1, "error": 1}


def _input_error(e: InputError) -> None:
    err.print(f"[bold red]error:[/] {len(e.problems)} problem(s) in the input", highlight=False)
    for p in e.problems:
        err.print(f"  - {p}", highlight=False, markup=False)
    raise typer.Exit(2)


def _load(instance: str, scenario: Optional[str], sets: list[str] | None):
    from .io import load_instance
    return load_instance(instance, scenario=scenario, sets=sets or [])


def _fmt_money(v: float) -> str:
    a = abs(v)
    if a >= 1e9:
        return f"{v / 1e9:,.2f} bn"
    if a >= 1e6:
        return f"{v / 1e6:,.2f} M"
    return f"{v:,.0f}"


def print_summary(plan) -> None:
    gap = "n/a" if plan.mip_gap is None else f"{plan.mip_gap:.2e}"
    colour = {"optimal": "green", "feasible": "yellow"}.get(plan.status, "red")
    out.print(f"[bold]{plan.instance_name}[/]: status [bold {colour}]{plan.status}[/] "
              f"(termination {plan.termination}, MIP gap {gap}, solve {plan.solve_time_s:.2f} s, build {plan.build_time_s:.2f} s)")
    if plan.status_note:
        out.print(f"[bold red]{plan.status_note}[/]")
    if plan.status == "infeasible":
        out.print("No plan satisfies every rule. Relax a budget, target, range or policy (e.g. --set "
                  "periods.2025.budget_yuan=...) and solve again.")
    if not plan.has_solution:
        return
    k = plan.tables["kpis"]
    t = Table(title="Key figures per period (Yuan, Yuan/yr, ha)")
    t.add_column("figure")
    for p in k["period"]:
        t.add_column(str(p), justify="right")
    rows = [("GEP (Yuan/yr)", "gep_yuan", _fmt_money), ("forestry carbon income", "forestry_carbon_income_yuan", _fmt_money),
            ("agricultural carbon income", "agricultural_carbon_income_yuan", _fmt_money),
            ("dividends to villagers + collectives", "dividends_yuan", _fmt_money),
            ("budget used / budget + loan", None, None), ("afforested (ha)", "afforested_ha", lambda v: f"{v:,.0f}"),
            ("vegetation coverage", "vegetation_coverage", lambda v: f"{v:.1%}"), ("forest coverage", "forest_coverage", lambda v: f"{v:.1%}"),
            ("gardens built", "gardens_built", lambda v: f"{int(v)}"), ("projects built", "projects_built", lambda v: f"{int(v)}"),
            ("people recruited", "recruited_people", lambda v: f"{int(v)}")]
    for label, col, f in rows:
        if col is None:
            loans = plan.tables["finance"]["loan_yuan"] if "finance" in plan.tables else [0.0] * len(k)
            t.add_row(label, *[f"{_fmt_money(u)} / {_fmt_money(b)}" + (f" + {_fmt_money(ln)}" if ln > 0.5 else "")
                               for u, b, ln in zip(k["budget_used_yuan"], k["budget_yuan"], loans)])
        else:
            t.add_row(label, *[f(v) for v in k[col]])
    out.print(t)
    v = plan.verification
    if v is not None:
        if v["passed"]:
            out.print(f"independent verification: [green]passed[/] ({len(v['checks'])} rule checks)")
        else:
            out.print(f"independent verification: [red]{len(v['violations'])} violation(s)[/]")
            for x in v["violations"][:20]:
                out.print(f"  - [{x['rule']}] {x['where']}: {x['message']} (plan {x['value']}, limit {x['limit']})", markup=False)


@app.command()
def validate(instance: str = typer.Argument(..., help="Instance YAML."),
             scenario: Optional[str] = typer.Option(None, "--scenario", help="Overlay YAML overriding instance fields."),
             set_: Optional[list[str]] = typer.Option(None, "--set", help="PATH=VALUE override, repeatable.")) -> None:
    """Check an instance (YAML, parcel table, valuation library) and summarise it."""
    try:
        li = _load(instance, scenario, set_)
    except InputError as e:
        _input_error(e)
    inst = li.instance
    par = li.parcels
    out.print(f"[green]valid[/]: {inst.name} - {len(inst.villages)} villages, {len(par)} parcels, "
              f"{par['area_ha'].sum():,.1f} ha, periods {[p.id for p in inst.periods]}, library {li.library.name!r}, "
              f"{len(inst.roles)} roles, {len(inst.projects)} projects")
    t = Table(title="Area by cover (ha)")
    t.add_column("cover")
    t.add_column("ha", justify="right")
    for c, ha in par.groupby("cover")["area_ha"].sum().sort_values(ascending=False).items():
        t.add_row(c, f"{ha:,.1f}")
    out.print(t)


@app.command()
def solve(instance: str = typer.Argument(..., help="Instance YAML (e.g. instances/nuanshui.yaml)."),
          scenario: Optional[str] = typer.Option(None, "--scenario", help="Overlay YAML overriding instance fields."),
          set_: Optional[list[str]] = typer.Option(None, "--set", help="PATH=VALUE override, repeatable."),
          out_dir: str = typer.Option("out", "--out", help="Directory for plan.json and the CSV tables."),
          time_limit: Optional[float] = typer.Option(None, "--time-limit", help="Solver time limit (s)."),
          mip_gap: Optional[float] = typer.Option(None, "--mip-gap", help="Relative MIP gap at which to stop."),
          threads: Optional[int] = typer.Option(None, "--threads", help="Solver threads."),
          solver: Optional[str] = typer.Option(None, "--solver", help="MIP solver (highs, cbc, glpk, gurobi, ...)."),
          no_verify: bool = typer.Option(False, "--no-verify", help="Skip the independent verification.")) -> None:
    """Solve an instance, verify the plan, write plan.json and CSV tables, print a summary."""
    from .solve import check_solver, solve as _solve
    try:
        li = _load(instance, scenario, set_)
        check_solver(solver or li.instance.solver.name, "--solver" if solver else instance)
    except InputError as e:
        _input_error(e)
    if time_limit is not None and time_limit <= 0:
        _input_error(InputError.one("--time-limit", "--time-limit", "must be positive", "give seconds > 0", time_limit))
    if mip_gap is not None and mip_gap < 0:
        _input_error(InputError.one("--mip-gap", "--mip-gap", "must be >= 0", "give e.g. 0.001", mip_gap))
    try:
        with out.status("solving ..."):
            plan = _solve(li, time_limit=time_limit, mip_gap=mip_gap, threads=threads, solver=solver, verify=not no_verify)
    except SolveError as e:
        err.print(f"[bold red]solver error:[/] {e}")
        raise typer.Exit(1)
    try:
        path = plan.write(out_dir)
    except OSError as e:
        print_summary(plan)
        _input_error(InputError.one("--out", "--out", f"cannot write the plan to {out_dir!r}: {e.strerror or e}",
                                    "give a directory you can write to"))
    print_summary(plan)
    out.print(f"wrote {path / 'plan.json'} and {len(plan.tables)} CSV tables to {path}/")
    code = EXIT.get(plan.status, 1)
    if plan.verification is not None and not plan.verification["passed"]:
        code = 1
    raise typer.Exit(code)


@app.command()
def verify(plan_path: str = typer.Argument(..., help="plan.json (or a directory holding one)."),
           instance: str = typer.Argument(..., help="The instance YAML the plan was made for."),
           scenario: Optional[str] = typer.Option(None, "--scenario", help="Overlay YAML; default: the one recorded in the plan."),
           set_: Optional[list[str]] = typer.Option(None, "--set", help="PATH=VALUE overrides; default: those recorded in the plan.")) -> None:
    """Recompute every rule from the plan's tables and the instance (pandas only); list violations."""
    from .io import split_overrides
    from .plan import Plan
    from .verify import verify_plan
    p = Path(plan_path)
    if p.is_dir():
        p = p / "plan.json"
    if not p.exists():
        _input_error(InputError.one(str(p), "(file)", "plan file not found", "give the plan.json written by `planner solve`"))
    try:
        plan = Plan.from_json(p)
    except (ValueError, KeyError) as e:
        _input_error(InputError.one(str(p), "(file)", f"not a readable plan: {e}", "give the plan.json written by `planner solve`"))
    rec_sc, rec_sets = split_overrides(plan.overrides)
    try:
        li = _load(instance, scenario if scenario is not None else rec_sc, set_ if set_ else rec_sets)
    except InputError as e:
        _input_error(e)
    res = verify_plan(plan, li)
    if res["passed"]:
        out.print(f"[green]no violations[/]: {len(res['checks'])} rule checks passed for {plan.instance_name} "
                  f"(plan status {plan.status}, MIP gap {plan.mip_gap})")
        raise typer.Exit(0)
    out.print(f"[red]{len(res['violations'])} violation(s)[/]")
    for x in res["violations"]:
        out.print(f"  - [{x['rule']}] {x['where']}: {x['message']} (plan {x['value']}, limit {x['limit']})", markup=False)
    raise typer.Exit(1)


@app.command()
def schema(json_path: Optional[str] = typer.Option(None, "--json", help="Write the instance JSON Schema here."),
           md_path: Optional[str] = typer.Option(None, "--markdown", help="Write the reference page here.")) -> None:
    """Write the instance JSON Schema and/or the instance-format reference (generated from the schema)."""
    from .reference import json_schema, write
    if not json_path and not md_path:
        import json
        out.print_json(json.dumps(json_schema()))
        return
    write(json_path, md_path)


def main() -> None:
    try:
        app()
    except InputError as e:  # anything that slipped through
        err.print(str(e), markup=False)
        sys.exit(2)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()
