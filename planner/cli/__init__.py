"""The ``planner`` command line.

Exit codes: 0 optimal (or check passed), 1 infeasible / no plan / violations found,
2 bad input (the message names the file, the field and what to change; no traceback),
3 stopped by a limit with a feasible plan (the status says so), 4 the MIP solver failed
(its own message and what to try; nothing written).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import typer
from rich.table import Table

from planner.core.cells import write_csv
from planner.core.errors import InputError, SolveError, SolverFailure
from planner.core.terminal import SafeConsole, styled
from planner.report import fmt_money as _fmt_money

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Optimization-based land-use and investment planner for rural ecological revitalisation.",
)
# Every str printed is shown as text (no markup, highlighting or emoji codes; control
# characters escaped): user text cannot restyle or break the output. Styles: styled().
out = SafeConsole()
err = SafeConsole(stderr=True)

EXIT = {"optimal": 0, "feasible": 3, "infeasible": 1, "no_solution": 1, "unbounded": 1, "error": 1}


def _input_error(e: InputError) -> None:
    err.print(styled(("error:", "bold red"), f" {e.count:,} problem(s) in the input{e.capped_note()}"))
    for p in e.problems:
        err.print(styled(f"  - {p}"))
    raise typer.Exit(2)


def _solve_error(e: SolveError, what: str = "cannot solve") -> None:
    """The solver failed (exit 4: its own message, what to try, nothing written) or there
    was nothing to solve or explain (exit 1)."""
    head = f"the MIP solver {e.solver} failed" if isinstance(e, SolverFailure) else what
    err.print(styled((f"{head}:", "bold red"), " ", e.message))
    if e.fix:
        err.print(styled("  -> ", e.fix))
    if isinstance(e, SolverFailure):
        err.print("  nothing was written.")
    raise typer.Exit(4 if isinstance(e, SolverFailure) else 1)


def _load(instance: str, scenario: str | None, sets: list[str] | None):
    from planner.api import load_instance

    return load_instance(instance, scenario=scenario, sets=sets or [])


def gap_words(plan) -> str:
    """How far a plan may be from the best possible, in words: the relative gap with two
    significant figures when it is below 0.01% (never a bare "0.00%"), and in Yuan/yr when
    the bound is known (a small share of a large GEP is still a lot of money)."""
    g = plan.mip_gap
    if g is None:
        return "an unknown gap"
    pct = f"{g:.2%}" if g >= 1e-4 else f"{g * 100:.2g}%"
    if plan.objective is None or plan.objective_bound is None:
        return pct
    return f"{pct} ({_fmt_money(abs(plan.objective_bound - plan.objective))} Yuan/yr)"


def print_summary(plan) -> None:
    gap = "n/a" if plan.mip_gap is None else f"{plan.mip_gap:.2e}"
    colour = {"optimal": "green", "feasible": "yellow"}.get(plan.status, "red")
    out.print(
        styled(
            (plan.instance_name, "bold"),
            ": status ",
            (plan.status, f"bold {colour}"),
            f" (termination {plan.termination}, MIP gap {gap}, solve {plan.solve_time_s:.2f} s, "
            f"build {plan.build_time_s:.2f} s)",
        )
    )
    if plan.status_note:
        out.print(styled((plan.status_note, "bold red")))
    for w in getattr(plan, "warnings", []) or []:
        err.print(styled(("warning:", "yellow"), f" {w}"))
    if plan.status == "infeasible":
        out.print(
            "No plan satisfies every rule. Relax a budget, target, range or policy (e.g. --set "
            "periods.2025.budget_yuan=...) and solve again."
        )
    if plan.status == "no_solution":
        out.print(
            f"No plan was found before the solver stopped ({plan.termination}). Give it more time "
            "(--time-limit) or accept a looser gap (--mip-gap); plan.json records the run, without a plan."
        )
    if plan.status == "feasible":
        out.print(
            styled(
                ("Not proved optimal", "yellow"),
                f": the solver stopped ({plan.termination}) with a plan within {gap_words(plan)} of the best possible.",
            )
        )
    if plan.status in ("error", "unbounded"):
        out.print(styled((f"The solver reported {plan.status}", "red"), f" ({plan.termination}): no plan."))
    if not plan.has_solution:
        return
    k = plan.tables["kpis"]
    t = Table(title="Key figures per period (Yuan, Yuan/yr, ha)")
    t.add_column("figure")
    for p in k["period"]:
        t.add_column(str(p), justify="right")
    rows = [
        ("GEP (Yuan/yr)", "gep_yuan", _fmt_money),
        ("forestry carbon income", "forestry_carbon_income_yuan", _fmt_money),
        ("agricultural carbon income", "agricultural_carbon_income_yuan", _fmt_money),
        ("dividends to villagers + collectives", "dividends_yuan", _fmt_money),
        ("budget used / budget + loan", None, None),
        ("afforested (ha)", "afforested_ha", lambda v: f"{v:,.0f}"),
        ("vegetation coverage", "vegetation_coverage", lambda v: f"{v:.1%}"),
        ("forest coverage", "forest_coverage", lambda v: f"{v:.1%}"),
        ("gardens built", "gardens_built", lambda v: f"{int(v)}"),
        ("projects built", "projects_built", lambda v: f"{int(v)}"),
        ("people recruited", "recruited_people", lambda v: f"{int(v)}"),
    ]
    for label, col, f in rows:
        if col is None:
            loans = plan.tables["finance"]["loan_yuan"] if "finance" in plan.tables else [0.0] * len(k)
            t.add_row(
                label,
                *[
                    f"{_fmt_money(u)} / {_fmt_money(b)}" + (f" + {_fmt_money(ln)}" if ln > 0.5 else "")
                    for u, b, ln in zip(k["budget_used_yuan"], k["budget_yuan"], loans)
                ],
            )
        else:
            t.add_row(label, *[f(v) for v in k[col]])
    out.print(t)
    v = plan.verification
    if v is not None:
        if v["passed"]:
            out.print(styled("independent verification: ", ("passed", "green"), f" ({len(v['checks'])} rule checks)"))
        else:
            out.print(styled("independent verification: ", (f"{len(v['violations'])} violation(s)", "red")))
            for x in v["violations"][:20]:
                out.print(f"  - [{x['rule']}] {x['where']}: {x['message']} (plan {x['value']}, limit {x['limit']})")


@app.command(short_help="Check an instance (YAML, parcel table, valuation library) and summarise it.")
def validate(
    instance: str = typer.Argument(..., help="Instance YAML."),
    scenario: str | None = typer.Option(None, "--scenario", help="Overlay YAML overriding instance fields."),
    set_: list[str] | None = typer.Option(None, "--set", help="PATH=VALUE override, repeatable."),
) -> None:
    """Check an instance (YAML, parcel table, valuation library) and summarise it."""
    try:
        li = _load(instance, scenario, set_)
    except InputError as e:
        _input_error(e)
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
    force: bool = typer.Option(False, "--force", help="Replace a plan already in --out."),
) -> None:
    """Solve an instance, verify the plan, write plan.json and CSV tables, print a summary."""
    from planner.api import solve as _solve
    from planner.solver.run import check_solver

    try:
        li = _load(instance, scenario, set_)
        check_solver(solver or li.instance.solver.name, "--solver" if solver else instance)
    except InputError as e:
        _input_error(e)
    _check_time_limit(time_limit, mip_gap, threads)
    _check_out(out_dir, force)
    try:
        with out.status("solving ..."):
            plan = _solve(
                li,
                time_limit=time_limit,
                mip_gap=mip_gap,
                threads=threads,
                solver=solver,
                verify=not no_verify,
                aggregate=aggregate,
            )
    except SolveError as e:
        _solve_error(e)
    if _interrupted_without_plan(plan):
        raise typer.Exit(1)
    path = _write_plan(plan, li, out_dir, force)
    if _interrupted_with_plan(plan, path, instance):
        raise typer.Exit(EXIT.get(plan.status, 1))
    try:
        if plan.status == "infeasible" and diagnose:
            _diagnose(li, path, time_limit)
        if plan.has_solution and (explain_ or report):
            ex = _explain(li, plan, ("gardens", "projects"), None, None)
            ex.write(path)
            print_explanation(ex, n=8)
            out.print(f"wrote {path / 'explanation.json'}")
            if report:
                _report(plan, path, ex, li)
        elif report:
            _report(plan, path, None, li)
    except KeyboardInterrupt:
        _interrupted_after_plan(path, instance)
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
    from planner.verify import verify_plan
    from planner.verify.tables import instance_mismatch

    plan = _load_plan(plan_path)
    rec_sc, rec_sets = split_overrides(plan.overrides)
    try:
        li = _load(instance, scenario if scenario is not None else rec_sc, set_ if set_ else rec_sets)
    except InputError as e:
        _input_error(e)
    given = Path(plan_path)
    # the CSV tables Plan.write put beside plan.json (another .json file has none of its own)
    folder = given if given.is_dir() else (given.parent if given.name == "plan.json" else None)
    why = instance_mismatch(plan, li)
    if why is not None:
        _input_error(
            InputError.one(
                str(given / "plan.json" if given.is_dir() else given),
                "instance",
                why,
                f"give the instance the plan was made for ({plan.instance_path})",
            )
        )
    res = verify_plan(plan, li, tables_dir=folder)
    if res["passed"]:
        out.print(
            styled(
                ("no violations", "green"),
                f": {len(res['checks'])} rule checks passed for {plan.instance_name} "
                f"(plan status {plan.status}, MIP gap {plan.mip_gap})",
            )
        )
        raise typer.Exit(0)
    out.print(styled((f"{len(res['violations'])} violation(s)", "red")))
    for x in res["violations"]:
        vals = "" if x["value"] is None and x["limit"] is None else f" (plan {x['value']}, limit {x['limit']})"
        out.print(f"  - [{x['rule']}] {x['where']}: {x['message']}{vals}")
    raise typer.Exit(1)


def _diagnose(li, path: Path | None, time_limit: float | None):
    from planner.explain.diagnose import diagnose as run

    with out.status("diagnosing the infeasibility (elastic re-solve) ..."):
        dg = run(li, time_limit=time_limit)
    print_diagnosis(dg)
    if path is not None:
        import json

        from planner.plan.plan import atomic_write_text

        atomic_write_text(path / "diagnosis.json", json.dumps(dg.to_dict(), indent=1, allow_nan=False))
        out.print(f"wrote {path / 'diagnosis.json'}")
    return dg


def print_diagnosis(dg) -> None:
    out.print(styled(("diagnosis", "bold red"), ": why no plan exists, and the smallest relaxation that gives one"))
    for line in dg.summary_lines(15):
        out.print(f"  - {line}")


def _progress_bar():
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )


def _explain(li, plan, importance, parameters, time_limit, all_rows: bool = False):
    from planner.explain import explain as run

    with _progress_bar() as bar:
        tasks: dict[str, int] = {}

        def progress(stage: str, done: int, total: int) -> None:
            label = {"importance": "re-solving without each option", "ranging": "ranging prices"}.get(stage, stage)
            if stage not in tasks:
                tasks[stage] = bar.add_task(label, total=total)
            bar.update(tasks[stage], completed=done)

        tasks["lp"] = bar.add_task("solving the plan's LP with decisions fixed", total=None)
        ex = run(
            li,
            plan,
            importance=importance,
            parameters=parameters,
            time_limit=time_limit,
            progress=progress,
            all_rows=all_rows,
        )
        bar.update(tasks["lp"], total=1, completed=1)
    return ex


def print_explanation(ex, n: int = 12) -> None:
    from planner.explain.result import fmt

    for note in ex.notes:
        out.print(styled((note, "italic")))
    summ = ex.tables.get("rule_summary")
    if summ is not None and not summ.empty:
        t = Table(title="Rules that bind, by rule (shadow price: Yuan/yr of objective per unit loosened)")
        for c in ("family", "rule", "unit", "binding rows", "largest price", "where"):
            t.add_column(c, justify="right" if c in ("binding rows", "largest price") else "left")
        for r in summ[summ["binding"] > 0].itertuples():
            t.add_row(
                r.family,
                r.rule,
                r.unit,
                f"{r.binding} of {r.rows}",
                fmt(r.max_shadow_price) if r.priced else "-",
                r.max_where or "",
            )
        out.print(t)
    for title, table, k in (
        ("Top shadow prices", "rules", n),
        ("Why not: options not taken", "options", n),
        ("Replacement importance (re-solves)", "importance", n),
        ("Ranging of prices", "parameters", n),
    ):
        df = ex.tables.get(table)
        if df is None or df.empty:
            continue
        extra = []
        if table == "rules":
            # the policy rules first, one line per rule (the largest price); the per-parcel rows are in the CSV
            df = df[df["shadow_price"].abs().fillna(0) > 1e-6]
            hard = set(ex.tables["rule_summary"].loc[ex.tables["rule_summary"]["hard"], "constraint"])
            df = df.drop_duplicates("constraint")
            df = pd.concat([df[~df["constraint"].isin(hard)], df[df["constraint"].isin(hard)]])
        if table == "options":
            ties = df[(df["status"] == "not taken") & (df["needs_yuan_per_ha_yr"].fillna(0) <= 1e-6)]
            df = df[
                df["status"].isin(["forbidden", "held out"])
                | ((df["status"] == "not taken") & (df["needs_yuan_per_ha_yr"] > 1e-6))
            ]
            # a few of each kind: closest to entering first, then held out by decisions, then forbidden
            each = max(3, k // 3)
            parts = []
            for status in ("not taken", "held out", "forbidden"):
                g = df[df["status"] == status].sort_values("needs_yuan_per_ha_yr")
                parts.append(g.head(each))
                if len(g) > each:
                    extra.append(f"{len(g) - each} more {status} (see explain_options.csv)")
            df = pd.concat(parts)
            k = len(df)
            if len(ties):
                extra.append(
                    f"{len(ties)} more options not taken could enter at no loss (ties with the plan): "
                    + ", ".join(f"{u} in {v}" for v, u in zip(ties["village"], ties["use"]))
                )
        if table == "importance":
            stuck = df[df["status"] == "infeasible"]
            df = df[df["status"] != "infeasible"]
            if len(stuck):
                extra.append(
                    f"{len(stuck)} cannot be removed or added without breaking a rule: "
                    + ", ".join(f"{k} {i}" for k, i in zip(stuck["kind"], stuck["item"]))
                )
        out.print(styled((title, "bold")))
        for s_ in list(df["statement"].head(k)) + extra:
            out.print(f"  - {s_}")


def _write_gpkg(plan, li, path: Path, shown: Path | None = None) -> bool:
    """plan.gpkg (planner.report.gpkg) beside a plan, when the instance has parcel geometry
    (``shown``: the folder to name in messages, when ``path`` is a staging folder). A
    failure here is a warning, not an error: the map layers are a companion of the plan."""
    if getattr(li, "geometry", None) is None or not plan.has_solution:
        return False
    shown = shown or path
    try:
        from planner.report.gpkg import write_plan_gpkg

        write_plan_gpkg(plan, li, path / "plan.gpkg")
    except Exception as e:  # noqa: BLE001 - the map layers are a companion of the plan
        err.print(styled(("warning:", "yellow"), f" {shown / 'plan.gpkg'} not written: {type(e).__name__}: {e}"))
        return False
    return True


def _write_plan(plan, li, out_dir: str | Path, force: bool) -> Path:
    """Write the plan (and plan.gpkg) into ``out_dir`` in one step, print the summary and
    what was written. Another run that wrote a plan there meanwhile (without --force) is
    bad input: this run's plan is kept aside and named."""
    from planner.core.outdir import OutTaken

    path = Path(out_dir)
    gpkg: list[bool] = []
    try:
        plan.write(path, force=force, extra=lambda stage: gpkg.append(_write_gpkg(plan, li, stage, shown=path)))
    except OutTaken as e:
        print_summary(plan)
        _input_error(
            InputError.one(
                "--out",
                "--out",
                f"{str(out_dir)!r} received a plan from another run while this one was solving",
                f"this run's plan is kept in {e.kept}: move it where you want it, or solve again with --force",
                str(out_dir),
            )
        )
    except OSError as e:
        print_summary(plan)
        _input_error(
            InputError.one(
                "--out",
                "--out",
                f"cannot write the plan to {str(out_dir)!r}: {e.strerror or e}",
                "give a directory you can write to",
            )
        )
    print_summary(plan)
    out.print(f"wrote {path / 'plan.json'} and {len(plan.tables)} CSV tables to {path}/")
    if gpkg and gpkg[0]:
        out.print(f"wrote {path / 'plan.gpkg'} (GIS layers parcels, gardens, villages and run)")
    return path


def _interrupted_without_plan(plan) -> bool:
    """Ctrl-C (or SIGTERM) stopped the solver before it found a plan: say so, write nothing."""
    from planner.solver.highs import interrupted

    if not interrupted() or plan.has_solution:
        return False
    err.print(
        styled(
            ("interrupted", "bold red"),
            " before the solver found any plan: nothing was written (an earlier plan in --out is untouched).",
        )
    )
    return True


def _interrupted_with_plan(plan, path: Path, instance: str) -> bool:
    """Ctrl-C stopped the solver with a plan: it is written (feasible, with its gap); what
    was asked after it (explanation, report) is skipped, with the command that does it."""
    from planner.solver.highs import interrupted

    if not interrupted():
        return False
    found = (
        "the solver had already proved it optimal"
        if plan.status == "optimal"
        else f"status {plan.status}: not proved optimal, within {gap_words(plan)} of the best possible"
    )
    err.print(
        styled(
            ("interrupted", "bold yellow"),
            f": the best plan found so far is written to {path}/ ({found}). "
            f"Nothing else was done; `planner explain {instance} --plan {path}` explains it.",
        )
    )
    return True


def _interrupted_after_plan(path: Path, instance: str) -> None:
    err.print(
        styled(
            ("interrupted", "bold yellow"),
            f" while explaining or reporting: the plan in {path}/ is complete. "
            f"Finish with `planner explain {instance} --plan {path} --report`.",
        )
    )
    raise typer.Exit(130)


def _report(plan, path: Path, ex, li) -> None:
    from planner.report import write_report

    md, html = write_report(plan, path, explanation=ex, instance=li)
    out.print(f"wrote {md} and {html}")


def _load_plan(plan_path: str):
    from planner.plan.plan import Plan

    p = Path(plan_path)
    if p.is_dir():
        p = p / "plan.json"
    if not p.exists():
        _input_error(
            InputError.one(
                str(p), "(file)", "plan file not found", "give the directory or plan.json written by `planner solve`"
            )
        )
    try:
        return Plan.from_json(p)
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        _input_error(
            InputError.one(
                str(p), "(file)", f"not a readable plan: {e}", "give the plan.json written by `planner solve`"
            )
        )


def _instance_for(plan, instance: str | None, scenario: str | None, sets: list[str] | None):
    """The instance of a saved plan: the one given (with the plan's recorded overrides unless
    others are given), else the one recorded in the plan."""
    from planner.instance.overrides import split_overrides

    rec_sc, rec_sets = split_overrides(plan.overrides)
    return _load(
        instance or plan.instance_path, scenario if scenario is not None else rec_sc, sets if sets else rec_sets
    )


def _plan_and_instance(plan_path: str | None, instance: str | None, scenario: str | None, sets: list[str] | None):
    """(the saved plan and its instance) with --plan, else (None, the instance)."""
    if plan_path:
        plan = _load_plan(plan_path)
        return plan, _instance_for(plan, instance, scenario, sets)
    return None, _load(instance, scenario, sets)


def _check_out(out_dir: str, force: bool, marker: str = "plan.json", what: str = "a plan") -> None:
    """An output directory that already holds a result is not silently overwritten."""
    from planner.core.outdir import holds, recover

    try:
        recover(out_dir)  # a folder a killed run moved aside is put back first
    except OSError:
        pass
    if not force and holds(out_dir, marker):
        _input_error(
            InputError.one(
                "--out",
                "--out",
                f"{out_dir!r} already holds {what} ({marker})",
                "add --force to replace it, or give a new --out",
                out_dir,
            )
        )


def _mkdir(p: Path) -> Path:
    p.mkdir(parents=True, exist_ok=True)
    return p


def _replace_out(path: Path, force: bool, marker: str, owned, files) -> None:
    """``files(stage)`` writes a whole result; the staging folder then replaces ``path`` in one step."""
    from planner.core.outdir import OutTaken, replacing

    try:
        with replacing(path, force=force, marker=marker, owned=owned) as stage:
            files(stage)
    except OutTaken as e:
        _input_error(
            InputError.one(
                "--out",
                "--out",
                f"{str(path)!r} received a result from another run while this one was working",
                f"this run's result is kept in {e.kept}: move it, or run again with --force",
                str(path),
            )
        )
    except OSError as e:
        _input_error(
            InputError.one(
                "--out",
                "--out",
                f"cannot write to {str(path)!r}: {e.strerror or e}",
                "give a directory you can write to",
            )
        )


def _check_time_limit(time_limit: float | None, mip_gap: float | None = None, threads: int | None = None) -> None:
    from planner.solver.run import check_limits

    try:
        check_limits(time_limit, mip_gap, threads, cli=True)
    except InputError as e:
        _input_error(e)


def _parse_importance(text: str) -> tuple[str, ...]:
    from planner.explain import IMPORTANCE_KINDS

    if text in ("all", ""):
        return IMPORTANCE_KINDS if text == "all" else ()
    if text == "none":
        return ()
    kinds = tuple(k.strip() for k in text.split(",") if k.strip())
    bad = [k for k in kinds if k not in IMPORTANCE_KINDS]
    if bad:
        _input_error(
            InputError.one(
                "--importance",
                "--importance",
                f"unknown kind(s) {bad}",
                f"use all, none or a comma list of {', '.join(IMPORTANCE_KINDS)}",
                text,
            )
        )
    return kinds


def _solve_or_load(li, plan_path: str | None, time_limit: float | None):
    from planner.api import solve as _solve

    if plan_path:
        return _load_plan(plan_path)
    try:
        with out.status("solving ..."):
            return _solve(li, time_limit=time_limit)
    except SolveError as e:
        _solve_error(e)


@app.command(short_help="Explain a plan: binding rules, prices, why not, importance, ranging.")
def explain(
    instance: str = typer.Argument(..., help="Instance YAML."),
    scenario: str | None = typer.Option(None, "--scenario", help="Overlay YAML overriding instance fields."),
    set_: list[str] | None = typer.Option(None, "--set", help="PATH=VALUE override, repeatable."),
    plan_path: str | None = typer.Option(
        None,
        "--plan",
        help="Explain this saved plan (directory or plan.json) "
        "instead of solving; its recorded overrides apply unless --scenario/--set are given.",
    ),
    out_dir: str | None = typer.Option(
        None,
        "--out",
        help="Directory for explanation.json and explain_*.csv (default: the --plan directory, else out).",
    ),
    importance: str = typer.Option(
        "gardens,projects",
        "--importance",
        help="Re-solves for replacement importance: "
        "all, none, or a comma list of gardens, projects, allocations (allocations: "
        "one re-solve per village and use taken, minutes on Nuanshui).",
    ),
    range_: list[str] | None = typer.Option(
        None,
        "--range",
        help="Also range this instance parameter (dotted "
        "path, e.g. prices.gep_multipliers.ecological_forest); repeatable.",
    ),
    no_ranging: bool = typer.Option(False, "--no-ranging", help="Skip the ranging of prices."),
    time_limit: float | None = typer.Option(None, "--time-limit", help="Time limit (s) of each re-solve."),
    all_rows: bool = typer.Option(False, "--all-rows", help="List every rule row, not only binding or priced ones."),
    report: bool = typer.Option(False, "--report", help="Also write report.md and report.html."),
    top: int = typer.Option(12, "--top", help="Statements to print per section."),
    force: bool = typer.Option(False, "--force", help="Replace a plan already in --out (without --plan)."),
) -> None:
    """Explain the optimal plan: binding rules and shadow prices, why options were not taken, what each garden, project
    and allocation is worth, and ranging; or, for an instance with no plan, which rules conflict and the smallest
    relaxation."""
    from planner.explain.ranging import DEFAULT_PARAMETERS

    kinds = _parse_importance(importance)
    _check_time_limit(time_limit)
    if not plan_path:
        _check_out(out_dir or "out", force)
    try:
        plan, li = _plan_and_instance(plan_path, instance, scenario, set_)
        if plan is None:
            plan = _solve_or_load(li, None, None)
        params = (
            [] if no_ranging else list(DEFAULT_PARAMETERS) + [r for r in (range_ or []) if r not in DEFAULT_PARAMETERS]
        )
        from planner.instance.overrides import get_value

        for r in params:
            get_value(li, r)
    except InputError as e:
        _input_error(e)
    if out_dir is None:
        out_dir = str(Path(plan_path) if Path(plan_path).is_dir() else Path(plan_path).parent) if plan_path else "out"
    path = Path(out_dir)
    if not plan_path and plan.has_solution:  # a plan solved here is written first: an interrupted explanation keeps it
        if _interrupted_with_plan(_write_plan(plan, li, path, force), path, instance):
            raise typer.Exit(EXIT.get(plan.status, 1))
        plan_path = str(path)
    else:
        print_summary(plan)
    if _interrupted_without_plan(plan):
        raise typer.Exit(1)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        _input_error(
            InputError.one(
                "--out", "--out", f"cannot create {out_dir!r}: {e.strerror or e}", "give a directory you can write to"
            )
        )
    if plan.status == "infeasible":
        _diagnose(li, path, time_limit)
        raise typer.Exit(1)
    if not plan.has_solution:
        err.print(styled(("no plan to explain", "red"), f" (status {plan.status}, termination {plan.termination})"))
        raise typer.Exit(1)
    try:
        ex = _explain(li, plan, kinds, params, time_limit, all_rows=all_rows)
    except SolveError as e:
        _solve_error(e, "cannot explain")
    except KeyboardInterrupt:
        _interrupted_after_plan(path, instance)
    if ex.lp_status != "optimal":
        for note in ex.notes[1:]:
            err.print(note)
        err.print(
            styled(
                (
                    "the plan's LP does not solve with this instance: does the plan belong to it (and to these "
                    "--scenario/--set overrides)?",
                    "red",
                )
            )
        )
        raise typer.Exit(1)
    ex.write(path)
    print_explanation(ex, n=top)
    out.print(f"wrote {path / 'explanation.json'} and {len(ex.tables)} explain_*.csv tables to {path}/")
    if report:
        _report(plan, path, ex, li)
    raise typer.Exit(EXIT.get(plan.status, 1))


@app.command("why-not", short_help="What a forced or forbidden decision would cost.")
def why_not(
    instance: str = typer.Argument(..., help="Instance YAML."),
    force: list[str] | None = typer.Option(
        None,
        "--force",
        help="Decision to force, e.g. garden:hanjiata, "
        "project:mine_park, area:hanjiata:ecological_forest>=100, "
        "recruit:forest_rangers>=50, street_green>=2 (@PERIOD to choose the period).",
    ),
    forbid: list[str] | None = typer.Option(
        None,
        "--forbid",
        help="Decision to forbid, e.g. project:mine_park, garden:hanjiata, area:hanjiata:fruit_expansion.",
    ),
    scenario: str | None = typer.Option(None, "--scenario", help="Overlay YAML overriding instance fields."),
    set_: list[str] | None = typer.Option(None, "--set", help="PATH=VALUE override, repeatable."),
    plan_path: str | None = typer.Option(None, "--plan", help="Compare with this saved plan instead of solving."),
    out_dir: str = typer.Option("out", "--out", help="Directory for whatif.json and whatif_differences.csv."),
    time_limit: float | None = typer.Option(None, "--time-limit", help="Time limit (s) of each solve."),
    top: int = typer.Option(15, "--top", help="Differences to print."),
) -> None:
    """What a forced or forbidden decision would cost: re-solve with it and compare with the optimal plan."""
    from planner.explain.whatif import parse
    from planner.explain.whatif import why_not as run

    _check_time_limit(time_limit)
    if not force and not forbid:
        _input_error(
            InputError.one(
                "--force/--forbid",
                "(options)",
                "nothing to force or forbid",
                "give at least one --force or --forbid, e.g. --force garden:hanjiata",
            )
        )
    try:
        plan, li = _plan_and_instance(plan_path, instance, scenario, set_)
    except InputError as e:
        _input_error(e)
    decisions, problems = [], []
    for action, texts in (("force", force or []), ("forbid", forbid or [])):
        for x in texts:
            try:
                decisions.append(parse(x, action, li))
            except InputError as e:  # report every bad decision at once
                problems.extend(e.problems)
    if problems:
        _input_error(InputError(problems))
    if not plan_path:
        plan = _solve_or_load(li, None, time_limit)
    if not plan.has_solution:
        print_summary(plan)
        err.print(styled(("the instance has no plan to compare with", "red")))
        raise typer.Exit(1)
    with out.status(styled("re-solving with " + " and ".join(d.describe() for d in decisions) + " ...")):
        w = run(li, plan, decisions, time_limit=time_limit)
    out.print(
        f"plan: {plan.status}, objective {plan.objective:,.0f} Yuan/yr; alternative: {w.status} "
        f"({w.termination}, MIP gap {w.mip_gap if w.mip_gap is not None else 'n/a'})"
        + (f", objective {w.objective:,.0f} Yuan/yr" if w.objective is not None else "")
    )
    out.print(styled((w.statement(), "bold")))
    if not w.differences.empty:
        t = Table(title="Main differences from the plan")
        for c in ("what", "where", "period", "plan", "alternative", "change", "unit"):
            t.add_column(c, justify="right" if c in ("plan", "alternative", "change") else "left")
        for r in w.differences.head(top).itertuples():
            t.add_row(
                r.what,
                str(r.where),
                str(r.period),
                f"{r.plan:,.2f}",
                f"{r.alternative:,.2f}",
                f"{r.change:+,.2f}",
                r.unit,
            )
        out.print(t)
    if w.diagnosis is not None:
        print_diagnosis(w.diagnosis)
    path = Path(out_dir)
    try:
        path.mkdir(parents=True, exist_ok=True)
        import json

        from planner.plan.plan import atomic_write_text

        atomic_write_text(path / "whatif.json", json.dumps(w.to_dict(), indent=1, allow_nan=False, default=str))
        write_csv(w.differences, path / "whatif_differences.csv")
    except OSError as e:
        _input_error(
            InputError.one(
                "--out", "--out", f"cannot write to {out_dir!r}: {e.strerror or e}", "give a directory you can write to"
            )
        )
    out.print(f"wrote {path / 'whatif.json'}")
    raise typer.Exit(EXIT.get(w.status, 1))


@app.command("report", short_help="Write report.md and a self-contained report.html for a solved plan.")
def report_cmd(
    plan_dir: str = typer.Argument(
        ..., help="Directory written by `planner solve` (plan.json; explanation.json if `planner explain` ran)."
    ),
    instance: str | None = typer.Option(
        None, "--instance", help="Instance YAML (default: the one recorded in the plan)."
    ),
    out_dir: str | None = typer.Option(None, "--out", help="Where to write the report (default: PLAN_DIR)."),
    screenshot_png: str | None = typer.Option(
        None, "--screenshot", help="Also render report.html in headless Chromium and save this PNG."
    ),
) -> None:
    """Write report.md and a self-contained report.html for a solved plan."""
    from planner.explain.result import Explanation

    plan = _load_plan(plan_dir)
    base = Path(plan_dir) if Path(plan_dir).is_dir() else Path(plan_dir).parent
    ex = None
    if (base / "explanation.json").exists():
        try:
            ex = Explanation.from_json(base / "explanation.json")
        except (ValueError, KeyError, AttributeError, TypeError) as e:
            _input_error(
                InputError.one(
                    str(base / "explanation.json"),
                    "(file)",
                    f"not a readable explanation: {e}",
                    "run `planner explain` again or delete the file",
                )
            )
    try:
        li = _instance_for(plan, instance, None, None)
    except InputError as e:
        if instance:  # the user named it: a bad instance is bad input
            _input_error(e)
        li = None
        err.print(
            styled(("the plan's instance could not be loaded: the report has no targets or role ranges", "yellow"))
        )
    path = Path(out_dir) if out_dir else base
    try:
        path.mkdir(parents=True, exist_ok=True)
        _report(plan, path, ex, li)
    except OSError as e:
        _input_error(
            InputError.one(
                "--out",
                "--out",
                f"cannot write the report to {str(path)!r}: {e.strerror or e}",
                "give a directory you can write to",
            )
        )
    if screenshot_png:
        from planner.report import screenshot

        try:
            png = screenshot(path / "report.html", screenshot_png)
        except RuntimeError as e:
            err.print(styled(("screenshot failed:", "red"), f" {e}"))
            raise typer.Exit(1) from None
        except OSError as e:
            _input_error(
                InputError.one(
                    "--screenshot",
                    "--screenshot",
                    f"cannot write this file: {e.strerror or e}",
                    "give a PNG path in a directory you can write to",
                    screenshot_png,
                )
            )
        out.print(f"wrote {png}")
    raise typer.Exit(0)


DESIGNS = ("morris", "sobol", "oat", "grid")


@app.command(short_help="Run many scenarios (Morris, Sobol, one-at-a-time, grid, scenario sets).")
def sweep(
    instance: str | None = typer.Argument(
        None, help="Base instance YAML (not needed with --scenarios, whose file names its base)."
    ),
    param: list[str] | None = typer.Option(
        None,
        "--param",
        help="PATH=LOW:HIGH[:LEVELS] or PATH=V1,V2,...; any numeric instance field by dotted path; repeatable.",
    ),
    design: str = typer.Option("morris", "--design", help="morris, sobol, oat (one at a time) or grid."),
    n: int = typer.Option(10, "--n", help="Morris trajectories, or Sobol base samples (a power of 2)."),
    levels: int = typer.Option(4, "--levels", help="Levels per parameter (Morris grid levels; OAT/grid points)."),
    seed: int = typer.Option(0, "--seed", help="Random seed of the Morris/Sobol sample."),
    scenarios_file: str | None = typer.Option(
        None, "--scenarios", help="Scenario-set YAML (named overrides on a base instance) instead of a design."
    ),
    scenario: str | None = typer.Option(None, "--scenario", help="Overlay YAML applied to every scenario."),
    set_: list[str] | None = typer.Option(None, "--set", help="PATH=VALUE applied to every scenario."),
    out_dir: str = typer.Option(
        "out/sweep", "--out", help="Directory for sweep.json, results.jsonl/.parquet, indices and plots."
    ),
    workers: int | None = typer.Option(None, "--workers", help="Local worker processes (default: every core)."),
    scheduler: str | None = typer.Option(
        None, "--scheduler", help="Dask scheduler address (tcp://host:8786): run the scenarios on that cluster."
    ),
    resume: bool = typer.Option(
        False, "--resume", help="Finish a sweep that was stopped: run only the scenarios not yet in results.jsonl."
    ),
    fast: bool = typer.Option(
        True,
        "--fast/--rebuild",
        help="Re-solve the built model when only the swept parameters change (checked exact; else rebuilt).",
    ),
    save_plans: bool = typer.Option(
        False, "--save-plans", help="Also write each scenario's plan to OUT/plans/NAME (rebuilds every scenario)."
    ),
    output: list[str] | None = typer.Option(
        None,
        "--output",
        help="Result column to analyse (default: objective and the last period's GEP and dividends); repeatable.",
    ),
    time_limit: float | None = typer.Option(None, "--time-limit", help="Solver time limit per scenario (s)."),
    mip_gap: float | None = typer.Option(None, "--mip-gap", help="Relative MIP gap per scenario."),
) -> None:
    """Run many scenarios of one instance (a Morris, Sobol, one-at-a-time or grid design over dotted instance paths, or
    a scenario-set file), in local processes or on a Dask cluster, then write the results table (Parquet),
    sensitivity indices and plots."""
    import json

    from planner.sweep import design as dz
    from planner.sweep.runner import run_scenarios

    _check_time_limit(time_limit, mip_gap)
    sets_by_scenario = None
    if design not in DESIGNS:
        _input_error(
            InputError.one(
                "--design", "--design", f"unknown design {design!r}", f"use one of {', '.join(DESIGNS)}", design
            )
        )
    try:
        if scenarios_file:
            from planner.sweep.scenarios import load_scenario_set

            sset = load_scenario_set(scenarios_file, base=instance)
            base_path, table, kind = str(sset.base), sset.table(), "scenarios"
            sets_by_scenario = dict(enumerate(sset.scenarios.values()))
            li = _load(base_path, scenario, set_)
        else:
            if not instance:
                _input_error(
                    InputError.one(
                        "INSTANCE", "(argument)", "no instance", "give the base instance YAML, or --scenarios FILE"
                    )
                )
            if not param:
                _input_error(
                    InputError.one(
                        "--param",
                        "(options)",
                        "nothing to sweep",
                        "give --param PATH=LOW:HIGH, e.g. --param prices.forestry_carbon_yuan_per_t=10:100",
                    )
                )
            li = _load(instance, scenario, set_)
            params = [dz.Parameter.parse(p) for p in param]
            from planner.instance.overrides import get_value

            base = {p.path: get_value(li, p.path) for p in params} if design == "oat" else {}
            for p in params:  # every path must load at both ends of its range
                for v in (p.low, p.high):
                    li.replace(**{p.path: int(round(v)) if p.integer else v})
            table = {
                "morris": lambda: dz.morris(params, trajectories=n, num_levels=levels, seed=seed),
                "sobol": lambda: dz.sobol(params, n=n, seed=seed),
                "oat": lambda: dz.one_at_a_time(params, base, levels=levels),
                "grid": lambda: dz.grid(params, levels=levels),
            }[design]()
            base_path, kind = str(li.path), design
    except InputError as e:
        _input_error(e)
    except ValueError as e:
        _input_error(InputError.one("--param", "(options)", str(e), "check the ranges and the design size"))
    out.print(f"sweep: {len(table)} scenarios ({kind}) of {li.instance.name}; results in {out_dir}/")
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn("scenarios"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
        console=err,
    ) as bar:
        task = bar.add_task("sweep", total=len(table))

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        try:
            meta = {"design": json.loads(json.dumps(table.attrs.get("design", {"name": kind}), default=str))}
            res = run_scenarios(
                base_path,
                table,
                out_dir,
                overrides=li.overrides,
                workers=workers,
                scheduler=scheduler,
                resume=resume,
                fast=fast and not save_plans,
                time_limit=time_limit,
                mip_gap=mip_gap,
                save_plans=save_plans,
                sets_by_scenario=sets_by_scenario,
                meta=meta,
                progress=progress,
            )
        except InputError as e:
            _input_error(e)
        except KeyboardInterrupt:
            err.print(
                styled(
                    ("interrupted", "bold yellow"),
                    f": the scenarios that finished are in "
                    f"{Path(out_dir) / 'results.jsonl'}; the same command with --resume runs the rest.",
                )
            )
            raise typer.Exit(130) from None
    counts = res["status"].value_counts().to_dict() if len(res) else {}
    out.print(
        "status: "
        + ", ".join(f"{k} {v}" for k, v in counts.items())
        + (f"; mode: {res['mode'].value_counts().to_dict()}" if "mode" in res else "")
    )
    bad = res[res["status"].isin(["error"])] if len(res) else res
    for r in bad.head(5).itertuples():
        out.print(f"  scenario {r.scenario}: error: {r.error}")
    out.print(f"wrote {Path(out_dir) / 'results.parquet'} ({len(res)} rows)")
    if kind != "scenarios" and len(res):
        _sensitivity(table, res, Path(out_dir), kind, output, li)
    failed = int((res["status"] == "error").sum()) if len(res) else 0
    if failed:
        err.print(styled((f"{failed} scenario(s) failed", "red"), " (status error; see results.csv)"))
    raise typer.Exit(0 if len(res) == len(table) and not failed else 1)


def _sensitivity(design_df, res, out_path: Path, kind: str, outputs, li) -> None:
    from planner.sweep import analysis, plots

    last = li.instance.periods[-1].id
    outs = list(outputs or ["objective", f"gep_yuan_{last}", f"dividends_yuan_{last}"])
    missing = [o for o in outs if o not in res.columns]
    if missing:
        err.print(styled((f"not analysed: no result column {missing}", "yellow")))
        outs = [o for o in outs if o in res.columns]
    try:
        if kind == "morris":
            idx = analysis.morris_indices(design_df, res, outs)
            figs = [plots.morris_plot(idx, o, out_path / f"morris_{o}.png") for o in outs]
        elif kind == "sobol":
            idx = analysis.sobol_indices(design_df, res, outs)
            figs = [plots.sobol_bars(idx, o, out_path / f"sobol_{o}.png") for o in outs]
        elif kind == "oat":
            idx = analysis.oat_effects(design_df, res, outs)
            figs = [plots.tornado(idx, o, out_path / f"tornado_{o}.png") for o in outs]
            figs += [plots.response_curves(design_df, res, o, out_path / f"response_{o}.png") for o in outs]
        else:
            idx = None
            figs = [plots.response_curves(design_df, res, o, out_path / f"response_{o}.png") for o in outs]
    except ValueError as e:
        err.print(styled(("sensitivity not computed:", "yellow"), f" {e}"))
        return
    if idx is not None:
        write_csv(idx, out_path / "indices.csv")
        idx.to_parquet(out_path / "indices.parquet", index=False)
        t = Table(title=f"Sensitivity ({kind})")
        for c in idx.columns:
            t.add_column(str(c))
        for r in idx.head(30).itertuples(index=False):
            t.add_row(*[f"{v:,.4g}" if isinstance(v, float) else str(v) for v in r])
        out.print(t)
        out.print(f"wrote {out_path / 'indices.parquet'}")
    out.print("plots: " + ", ".join(str(f) for f in figs))


@app.command(short_help="Put two or more plans side by side.")
def compare(
    plans: list[str] = typer.Argument(..., help="Two or more plan directories (or plan.json files)."),
    out_file: str | None = typer.Option(None, "--out", help="Write the comparison tables here (a directory)."),
    top: int = typer.Option(20, "--top", help="Allocation differences to print."),
) -> None:
    """Put two or more plans side by side: KPIs, area by village and use, and rule prices (when `planner explain` has
    written explanation.json beside a plan)."""
    from planner.sweep.compare import compare_plans

    if len(plans) < 2:
        _input_error(
            InputError.one("PLANS", "(arguments)", "need at least two plans", "give two or more plan directories")
        )
    if len({str(Path(p).resolve()) for p in plans}) < len(plans):
        _input_error(
            InputError.one("PLANS", "(arguments)", "the same plan is given twice", "give different plan directories")
        )
    loaded = {}
    for p in plans:
        plan = _load_plan(p)
        name = Path(p).name if Path(p).is_dir() else Path(p).parent.name
        loaded[name if name not in loaded else p] = (plan, Path(p) if Path(p).is_dir() else Path(p).parent)
    cmp = compare_plans(loaded)
    for title, key in (("Status and objective", "summary"), ("KPIs", "kpis")):
        df = cmp[key]
        t = Table(title=title)
        for c in df.columns:
            t.add_column(str(c), justify="left" if df[c].dtype == object else "right")
        for r in df.itertuples(index=False):
            t.add_row(*[f"{v:,.4g}" if isinstance(v, float) else str(v) for v in r])
        out.print(t)
    df = cmp["areas"]
    if len(df):
        t = Table(title="Area by village and use, last period (ha): largest differences")
        for c in df.columns:
            t.add_column(str(c))
        for r in df.head(top).itertuples(index=False):
            t.add_row(*[f"{v:,.1f}" if isinstance(v, float) else str(v) for v in r])
        out.print(t)
    if len(cmp["prices"]):
        out.print(f"rule prices compared for {cmp['prices'].shape[1] - 2} plan(s) with an explanation")
    if out_file:
        path = Path(out_file)
        try:
            path.mkdir(parents=True, exist_ok=True)
            for k, df in cmp.items():
                write_csv(df, path / f"compare_{k}.csv")
        except OSError as e:
            _input_error(
                InputError.one(
                    "--out",
                    "--out",
                    f"cannot write to {out_file!r}: {e.strerror or e}",
                    "give a directory you can write to",
                )
            )
        out.print(f"wrote compare_*.csv to {path}/")


@app.command(short_help="The Pareto frontier of GEP against dividends, with its plot.")
def pareto(
    instance: str = typer.Argument(..., help="Instance YAML."),
    n: int = typer.Option(7, "--n", help="Points on the frontier (both ends included), >= 2."),
    scenario: str | None = typer.Option(None, "--scenario", help="Overlay YAML overriding instance fields."),
    set_: list[str] | None = typer.Option(None, "--set", help="PATH=VALUE override, repeatable."),
    out_dir: str = typer.Option(
        "out/pareto", "--out", help="Directory for frontier.json, frontier.csv and frontier.png."
    ),
    time_limit: float | None = typer.Option(None, "--time-limit", help="Time limit per point (s)."),
    mip_gap: float | None = typer.Option(None, "--mip-gap", help="Relative MIP gap per stage."),
    force: bool = typer.Option(False, "--force", help="Replace a frontier already in --out."),
) -> None:
    """The Pareto frontier of GEP against dividends (epsilon-constraint, exact), with its plot."""
    from planner.core.outdir import FRONTIER_FILES
    from planner.tradeoffs import pareto as run

    _check_time_limit(time_limit, mip_gap)
    if n < 2:
        _input_error(InputError.one("--n", "--n", "a frontier needs at least 2 points", "give --n 2 or more", n))
    _check_out(out_dir, force, "frontier.json", "a frontier")
    try:
        li = _load(instance, scenario, set_)
    except InputError as e:
        _input_error(e)
    path = Path(out_dir)
    with _progress_bar() as bar:
        task = bar.add_task("frontier points", total=n)
        fr = run(
            li,
            n=n,
            time_limit=time_limit,
            mip_gap=mip_gap,
            progress=lambda *a: bar.update(task, completed=a[-2] if len(a) >= 2 else None),
        )
    pts = fr.points
    t = Table(title="Pareto frontier: GEP against dividends (Yuan/yr, weighted over periods)")
    for c in ("point", "kind", "gep_yuan", "dividends_yuan", "status", "mip_gap", "dominated"):
        t.add_column(c, justify="right" if c in ("gep_yuan", "dividends_yuan", "mip_gap") else "left")
    for r in pts.itertuples():
        t.add_row(
            str(r.point),
            r.kind,
            f"{r.gep_yuan:,.0f}",
            f"{r.dividends_yuan:,.0f}",
            r.status,
            "n/a" if r.mip_gap is None or r.mip_gap != r.mip_gap else f"{r.mip_gap:.1e}",
            str(r.dominated),
        )
    out.print(t)

    def files(stage: Path) -> None:
        fr.plot(stage / "frontier.png")
        write_csv(pts, stage / "frontier.csv")
        fr.to_json(stage / "frontier.json")

    _replace_out(path, force, "frontier.json", FRONTIER_FILES, files)
    out.print(f"wrote {path / 'frontier.json'}, frontier.csv and frontier.png")
    if not pts["status"].isin(["optimal", "feasible"]).any():
        err.print(styled(("no point of the frontier has a plan", "red"), " (see the statuses above)"))
        raise typer.Exit(1)
    raise typer.Exit(0 if fr.all_optimal else 3)


@app.command(short_help="Near-optimal plans that differ most from the optimum.")
def alternatives(
    instance: str = typer.Argument(..., help="Instance YAML."),
    slack: float = typer.Option(
        0.01, "--slack", help="How far below the optimum an alternative may be (relative: 0.01 = 1%)."
    ),
    n: int = typer.Option(3, "--n", help="Alternatives to look for."),
    scenario: str | None = typer.Option(None, "--scenario", help="Overlay YAML overriding instance fields."),
    set_: list[str] | None = typer.Option(None, "--set", help="PATH=VALUE override, repeatable."),
    out_dir: str = typer.Option("out/alternatives", "--out", help="Directory for the plans and alternatives.json."),
    time_limit: float | None = typer.Option(None, "--time-limit", help="Time limit per solve (s)."),
    top: int = typer.Option(8, "--top", help="Differences to print per alternative."),
    force: bool = typer.Option(False, "--force", help="Replace alternatives already in --out."),
) -> None:
    """Near-optimal alternatives: plans within --slack of the optimum that differ most from it (modelling to generate
    alternatives, Hop-Skip-Jump), and how they differ."""
    import json

    from planner.api import solve as _solve
    from planner.core.outdir import ALTERNATIVES_FILES
    from planner.tradeoffs import alternatives as run

    _check_time_limit(time_limit)
    if n < 1:
        _input_error(InputError.one("--n", "--n", "must be at least 1", "give the number of alternatives wanted", n))
    if not 0 <= slack < 1:
        _input_error(InputError.one("--slack", "--slack", "must be in [0, 1)", "give e.g. 0.01 for 1%", slack))
    _check_out(out_dir, force, "alternatives.json", "alternatives")
    try:
        li = _load(instance, scenario, set_)
    except InputError as e:
        _input_error(e)
    with out.status("solving ..."):
        plan = _solve(li, time_limit=time_limit)
    print_summary(plan)
    if not plan.has_solution:
        raise typer.Exit(1)
    path = Path(out_dir)
    with out.status(f"looking for {n} alternatives within {slack:.1%} ..."):
        alts = run(li, plan, slack=slack, n=n, time_limit=time_limit)
    for a in alts:
        out.print(
            styled(
                (a.statement, "bold"),
                f" (status {a.status}, distance {a.distance if a.distance is not None else 'n/a'})",
            )
        )
        if a.differences is not None and len(a.differences):
            for r in a.differences.head(top).itertuples():
                out.print(f"    {r.what} {r.where} {r.period}: {r.plan:,.1f} -> {r.alternative:,.1f} {r.unit}")

    def files(stage: Path) -> None:
        plan.write_files(_mkdir(stage / "plan"))
        _write_gpkg(plan, li, stage / "plan", shown=path / "plan")
        for a in alts:
            if a.plan is not None and a.plan.has_solution:
                a.plan.write_files(_mkdir(stage / f"alternative_{a.index}"))
                _write_gpkg(a.plan, li, stage / f"alternative_{a.index}", shown=path / f"alternative_{a.index}")
        from planner.plan.plan import atomic_write_text

        atomic_write_text(stage / "alternatives.json", json.dumps([a.to_dict() for a in alts], indent=1, default=str))

    _replace_out(path, force, "alternatives.json", ALTERNATIVES_FILES, files)
    out.print(f"wrote {path / 'alternatives.json'} and the plans to {path}/")
    raise typer.Exit(0)


@app.command(short_help="Write a synthetic instance with the structure of the Nuanshui case.")
def generate(
    villages: int = typer.Option(..., "--villages", help="Villages including the central town (>= 2)."),
    parcels: int = typer.Option(..., "--parcels", help="Parcels in all (>= villages)."),
    seed: int = typer.Option(..., "--seed", help="Random seed (>= 0); the same seed gives byte-identical files."),
    out_dir: str = typer.Option(..., "--out", help="Directory for instance.yaml and the parcel table."),
    name: str | None = typer.Option(None, "--name", help="Instance name (default generated_vV_pP_sS)."),
    force: bool = typer.Option(False, "--force", help="Replace an instance already in --out."),
) -> None:
    """Write a synthetic instance with the structure of the Nuanshui case, from township to prefecture scale."""
    from planner.generate import write_instance

    try:
        s = write_instance(villages, parcels, seed, Path(out_dir), name, force=force)
    except InputError as e:
        _input_error(e)
    except OSError as e:
        _input_error(
            InputError.one(
                "--out", "--out", f"cannot write to {out_dir!r}: {e.strerror or e}", "give a directory you can write to"
            )
        )
    out.print(f"wrote {s['path']} and {s['parcel_file']}")
    out.print(
        f"{s['name']}: {s['villages']:,} villages ({s['villages'] - 1:,} + the central town), "
        f"{s['parcels']:,} parcels, {s['total_ha']:,.2f} ha, {s['clusters']:,} cluster(s) of nine, "
        f"{s['projects']:,} projects"
    )


@app.command(short_help="Write the instance JSON Schema and/or the instance-format reference.")
def schema(
    json_path: str | None = typer.Option(None, "--json", help="Write the instance JSON Schema here."),
    md_path: str | None = typer.Option(None, "--markdown", help="Write the reference page here."),
) -> None:
    """Write the instance JSON Schema and/or the instance-format reference (generated from the schema)."""
    from planner.instance.reference import json_schema, write

    if not json_path and not md_path:
        import json

        out.print_json(json.dumps(json_schema()))
        return
    for option, target, kw in (
        ("--json", json_path, {"json_path": json_path}),
        ("--markdown", md_path, {"md_path": md_path}),
    ):
        if target:
            try:
                write(**kw)
            except (OSError, ValueError) as e:  # ValueError: a NUL byte in the path
                _input_error(
                    InputError.one(
                        option,
                        option,
                        f"cannot write this file: {getattr(e, 'strerror', None) or e}",
                        "give a file path in a directory that exists and that you can write to",
                        target,
                    )
                )


def _sigterm(signum, frame) -> None:
    raise KeyboardInterrupt  # SIGTERM is handled like Ctrl-C: the solver stops and keeps its best plan


def main() -> None:
    import signal

    try:
        signal.signal(signal.SIGTERM, _sigterm)
    except ValueError:  # not the main thread (an embedding program calling main())
        pass
    try:
        app()
    except InputError as e:  # anything that slipped through
        err.print(styled(e.headline()))
        for p in e.problems:
            err.print(styled(f"  - {p}"))
        sys.exit(2)
    except SolverFailure as e:  # a re-solve deep inside a command: same message and code as at the top
        try:
            _solve_error(e)
        except typer.Exit as ex:
            sys.exit(ex.exit_code)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
    except OSError as e:  # a path that cannot be written or read, met deep inside a command
        where = f" {e.filename!r}" if e.filename else ""
        err.print(styled(("error:", "bold red"), f" cannot use{where}: {e.strerror or e}"))
        err.print(
            styled("  -> check the paths given (--out and the like): their directories must exist and be writable")
        )
        sys.exit(2)


if __name__ == "__main__":
    main()
