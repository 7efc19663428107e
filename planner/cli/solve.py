"""The commands of one instance and its plan: ``validate``, ``solve``, ``verify``."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from planner.cli.app import app, err, exit_bad_input, exit_solve_error, out
from planner.cli.common import (
    KEEP_HELP,
    LANG_HELP,
    MAY_GIVE_HELP,
    REPAIR_COST_HELP,
    check_lang,
    check_out,
    check_time_limit,
    diagnose_plan,
    interrupted_after_plan,
    interrupted_with_plan,
    interrupted_without_plan,
    load_instance_arg,
    load_plan_arg,
    run_explanation,
    with_repair,
    write_plan_folder,
    write_report_files,
)
from planner.cli.show import gap_words, print_explanation, print_verification, solving
from planner.core.errors import InputError, SolveError
from planner.core.status import EXIT
from planner.core.terminal import styled


@app.command(short_help="Check an instance (YAML, parcel table, valuation library) and summarise it.")
def validate(
    instance: str = typer.Argument(..., help="Instance YAML."),
    scenario: str | None = typer.Option(None, "--scenario", help="Overlay YAML overriding instance fields."),
    set_: list[str] | None = typer.Option(None, "--set", help="PATH=VALUE override, repeatable."),
) -> None:
    """Check an instance (YAML, parcel table, valuation library) and summarise it."""
    from planner.instance.county import is_county

    if is_county(instance):
        from planner.cli.county import validate_county

        validate_county(instance, scenario, set_)
        return
    try:
        li = load_instance_arg(instance, scenario, set_)
    except InputError as e:
        exit_bad_input(e)
    inst = li.instance
    par = li.parcels
    for w in getattr(li, "warnings", []) or []:
        err.print(styled(("warning:", "yellow"), f" {w}"))
    out.print(
        styled(
            ("valid", "green"),
            f": {inst.name} - {len(inst.villages)} villages, {len(par)} parcels, "
            f"{par['area_ha'].sum():,.1f} ha, periods {[p.id for p in inst.periods]}, library {li.library.name!r}, "
            f"{len(inst.roles)} roles, {len(inst.projects)} projects",
        )
    )
    t = Table(title="Area by cover (ha)")
    t.add_column("cover")
    t.add_column("ha", justify="right")
    for c, ha in par.groupby("cover")["area_ha"].sum().sort_values(ascending=False).items():
        t.add_row(c, f"{ha:,.1f}")
    out.print(t)


@app.command(short_help="Solve an instance, verify the plan, write plan.json and the CSV tables.")
def solve(
    instance: str = typer.Argument(..., help="Instance YAML (e.g. instances/nuanshui.yaml)."),
    scenario: str | None = typer.Option(None, "--scenario", help="Overlay YAML overriding instance fields."),
    set_: list[str] | None = typer.Option(None, "--set", help="PATH=VALUE override, repeatable."),
    out_dir: str = typer.Option("out", "--out", help="Directory for plan.json and the CSV tables."),
    time_limit: float | None = typer.Option(None, "--time-limit", help="Solver time limit (s)."),
    mip_gap: float | None = typer.Option(None, "--mip-gap", help="Relative MIP gap at which to stop."),
    threads: int | None = typer.Option(None, "--threads", help="Solver threads."),
    solver: str | None = typer.Option(None, "--solver", help="MIP solver (highs, cbc, glpk, gurobi, ...)."),
    no_verify: bool = typer.Option(False, "--no-verify", help="Skip the independent verification."),
    aggregate: bool = typer.Option(
        True,
        "--aggregate/--no-aggregate",
        help="Merge interchangeable parcels into land units before solving (the same optimum; the plan is per parcel).",
    ),
    explain_: bool = typer.Option(
        False,
        "--explain",
        help="Also explain the plan (binding rules, prices, why-not for "
        "gardens and projects, ranging) into explanation.json.",
    ),
    report: bool = typer.Option(False, "--report", help="Also write report.md and report.html (implies --explain)."),
    diagnose: bool = typer.Option(
        True,
        "--diagnose/--no-diagnose",
        help="Diagnose an infeasible instance (rules in conflict, smallest relaxation) into diagnosis.json.",
    ),
    may_give: str | None = typer.Option(None, "--may-give", help=MAY_GIVE_HELP),
    keep: str | None = typer.Option(None, "--keep", help=KEEP_HELP),
    repair_cost: list[str] | None = typer.Option(None, "--repair-cost", help=REPAIR_COST_HELP),
    force: bool = typer.Option(False, "--force", help="Replace a plan already in --out."),
    lang: str = typer.Option("en", "--lang", help=LANG_HELP),
    method: str = typer.Option(
        "auto",
        "--method",
        help="County instances: monolithic (one model), decomposed (township by township), or auto "
        "(decomposed when the townships are independent, else monolithic).",
    ),
    workers: int = typer.Option(1, "--workers", help="County instances: local worker processes for the townships."),
    scheduler: str | None = typer.Option(
        None, "--scheduler", help="County instances: solve the townships on this Dask scheduler (tcp://HOST:8786)."
    ),
) -> None:
    """Solve an instance, verify the plan, write plan.json and CSV tables, print a summary.
    While HiGHS runs, the status line shows the elapsed time, the best plan found so far
    (Yuan/yr) and its gap. A county instance (``townships:``) is solved as one county plan."""
    from planner.api import solve as _solve
    from planner.instance.county import is_county
    from planner.solver.run import check_solver

    check_lang(lang)
    if is_county(instance):
        from planner.cli.county import solve_county_command

        if explain_:
            exit_bad_input(
                InputError.one(
                    instance,
                    "--explain",
                    "county plans are not explained yet",
                    "leave out --explain; --report writes the county's report",
                )
            )
        solve_county_command(
            instance,
            scenario,
            set_,
            out_dir,
            time_limit,
            mip_gap,
            threads,
            solver,
            not no_verify,
            method,
            workers,
            scheduler,
            force,
            lang,
            report,
        )
        return
    if method != "auto" or workers != 1 or scheduler is not None:
        given = "--method" if method != "auto" else ("--workers" if workers != 1 else "--scheduler")
        exit_bad_input(
            InputError.one(instance, given, "is for county instances (a YAML with townships:)", f"leave out {given}")
        )
    try:
        li = load_instance_arg(instance, scenario, set_)
        check_solver(solver or li.instance.solver.name, "--solver" if solver else instance)
    except InputError as e:
        exit_bad_input(e)
    li = with_repair(li, may_give, keep, repair_cost)
    check_time_limit(time_limit, mip_gap, threads)
    check_out(out_dir, force)
    try:
        with solving(lang) as progress:
            plan = _solve(
                li,
                time_limit=time_limit,
                mip_gap=mip_gap,
                threads=threads,
                solver=solver,
                verify=not no_verify,
                aggregate=aggregate,
                progress=progress,
            )
    except SolveError as e:
        exit_solve_error(e)
    if interrupted_without_plan(plan):
        raise typer.Exit(1)
    path = write_plan_folder(plan, li, out_dir, force, lang)
    if interrupted_with_plan(plan, path, instance):
        raise typer.Exit(EXIT.get(plan.status, 1))
    try:
        if plan.status == "infeasible" and diagnose:
            diagnose_plan(li, path, time_limit)
        ex = None
        if plan.has_solution and (explain_ or report):
            ex = run_explanation(li, plan, ("gardens", "projects"), None, None)
            ex.write(path)
            print_explanation(ex, n=8, lang=lang)
            out.print(f"wrote {path / 'explanation.json'}")
        if report:
            write_report_files(plan, path, ex, li, lang)
    except KeyboardInterrupt:
        interrupted_after_plan(path, instance)
    code = EXIT.get(plan.status, 1)
    if plan.verification is not None and not plan.verification["passed"]:
        code = 1
    raise typer.Exit(code)


@app.command(short_help="Recompute every rule and table of a saved plan; list the violations.")
def verify(
    plan_path: str = typer.Argument(..., help="plan.json (or a directory holding one)."),
    instance: str = typer.Argument(..., help="The instance YAML the plan was made for."),
    scenario: str | None = typer.Option(
        None, "--scenario", help="Overlay YAML; default: the one recorded in the plan."
    ),
    set_: list[str] | None = typer.Option(
        None, "--set", help="PATH=VALUE overrides; default: those recorded in the plan."
    ),
) -> None:
    """Recompute every rule from the plan's tables and the instance (pandas only); list violations.
    The CSV tables beside plan.json must equal its tables; a plan made for another instance is refused."""
    from planner.instance.overrides import split_overrides
    from planner.plan.county import is_county_plan
    from planner.verify import verify_plan
    from planner.verify.tables import instance_mismatch

    if is_county_plan(plan_path):
        from planner.cli.county import verify_county_command

        verify_county_command(plan_path, instance)
        return

    plan = load_plan_arg(plan_path)
    rec_sc, rec_sets = split_overrides(plan.overrides)
    try:
        li = load_instance_arg(instance, scenario if scenario is not None else rec_sc, set_ if set_ else rec_sets)
    except InputError as e:
        exit_bad_input(e)
    given = Path(plan_path)
    # the CSV tables Plan.write put beside plan.json (another .json file has none of its own)
    folder = given if given.is_dir() else (given.parent if given.name == "plan.json" else None)
    why = instance_mismatch(plan, li)
    if why is not None:
        exit_bad_input(
            InputError.one(
                str(given / "plan.json" if given.is_dir() else given),
                "instance",
                why,
                f"give the instance the plan was made for ({plan.instance_path})",
            )
        )
    res = verify_plan(plan, li, tables_dir=folder)
    print_verification(res, f"{plan.instance_name} (plan status {plan.status}, gap {gap_words(plan)})")
