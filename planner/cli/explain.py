"""The commands that say why a plan is what it is: ``explain`` (binding rules, prices, why
not, importance, ranging; a diagnosis when there is no plan) and ``why-not`` (the cost of
a forced or forbidden decision)."""

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
    plan_and_instance,
    run_explanation,
    solve_or_load,
    with_repair,
    write_plan_folder,
    write_report_files,
)
from planner.cli.show import pct_words, print_diagnosis, print_explanation, print_summary
from planner.core.cells import write_csv
from planner.core.errors import InputError, SolveError
from planner.core.status import EXIT
from planner.core.terminal import styled


def _parse_kinds(text: str, option: str, known: tuple[str, ...]) -> tuple[str, ...]:
    """``all``, ``none`` (or nothing) or a comma list of ``known`` kinds; an unknown kind
    exits 2 naming ``option``."""
    if text == "all":
        return known
    if text in ("none", ""):
        return ()
    kinds = tuple(k.strip() for k in text.split(",") if k.strip())
    bad = [k for k in kinds if k not in known]
    if bad:
        exit_bad_input(
            InputError.one(
                option, option, f"unknown kind(s) {bad}", f"use all, none or a comma list of {', '.join(known)}", text
            )
        )
    return kinds


def _parse_importance(text: str) -> tuple[str, ...]:
    from planner.explain import IMPORTANCE_KINDS

    return _parse_kinds(text, "--importance", tuple(IMPORTANCE_KINDS))


def _parse_unit_prices(text: str) -> tuple[str, ...]:
    from planner.explain import UNIT_KINDS

    return _parse_kinds(text, "--unit-prices", tuple(UNIT_KINDS))


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
    unit_prices: str = typer.Option(
        "none",
        "--unit-prices",
        help="Price the binding rules of whole units per person or unit by re-solves one unit looser and "
        "tighter: all, none, or a comma list of recruitment, gardens, street_green, projects (two re-solves per "
        "binding rule, minutes on Nuanshui).",
    ),
    may_give: str | None = typer.Option(None, "--may-give", help=MAY_GIVE_HELP),
    keep: str | None = typer.Option(None, "--keep", help=KEEP_HELP),
    repair_cost: list[str] | None = typer.Option(None, "--repair-cost", help=REPAIR_COST_HELP),
    force: bool = typer.Option(False, "--force", help="Replace a plan already in --out (without --plan)."),
    lang: str = typer.Option("en", "--lang", help=LANG_HELP),
) -> None:
    """Explain the optimal plan: binding rules and shadow prices, why options were not taken, what each garden, project
    and allocation is worth, and ranging; or, for an instance with no plan, which rules conflict and the smallest
    relaxation."""
    from planner.explain.ranging import DEFAULT_PARAMETERS

    check_lang(lang)
    kinds = _parse_importance(importance)
    units = _parse_unit_prices(unit_prices)
    check_time_limit(time_limit)
    if not plan_path:
        check_out(out_dir or "out", force)
    try:
        plan, li = plan_and_instance(plan_path, instance, scenario, set_)
        li = with_repair(li, may_give, keep, repair_cost)
        if plan is None:
            plan = solve_or_load(li, None, None, lang)
        params = (
            [] if no_ranging else list(DEFAULT_PARAMETERS) + [r for r in (range_ or []) if r not in DEFAULT_PARAMETERS]
        )
        from planner.instance.overrides import get_value

        for r in params:
            get_value(li, r)
    except InputError as e:
        exit_bad_input(e)
    if out_dir is None:
        out_dir = str(Path(plan_path) if Path(plan_path).is_dir() else Path(plan_path).parent) if plan_path else "out"
    path = Path(out_dir)
    if not plan_path and plan.has_solution:  # a plan solved here is written first: an interrupted explanation keeps it
        if interrupted_with_plan(write_plan_folder(plan, li, path, force, lang), path, instance):
            raise typer.Exit(EXIT.get(plan.status, 1))
        plan_path = str(path)
    else:
        print_summary(plan, lang)
    if interrupted_without_plan(plan):
        raise typer.Exit(1)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        exit_bad_input(
            InputError.one(
                "--out", "--out", f"cannot create {out_dir!r}: {e.strerror or e}", "give a directory you can write to"
            )
        )
    if plan.status == "infeasible":
        diagnose_plan(li, path, time_limit)
        raise typer.Exit(1)
    if not plan.has_solution:
        err.print(styled(("no plan to explain", "red"), f" (status {plan.status}, termination {plan.termination})"))
        raise typer.Exit(1)
    try:
        ex = run_explanation(li, plan, kinds, params, time_limit, all_rows=all_rows, unit_prices=units)
    except SolveError as e:
        exit_solve_error(e, "cannot explain")
    except KeyboardInterrupt:
        interrupted_after_plan(path, instance)
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
    print_explanation(ex, n=top, lang=lang)
    out.print(f"wrote {path / 'explanation.json'} and {len(ex.tables)} explain_*.csv tables to {path}/")
    if report:
        write_report_files(plan, path, ex, li, lang)
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
    may_give: str | None = typer.Option(None, "--may-give", help=MAY_GIVE_HELP),
    keep: str | None = typer.Option(None, "--keep", help=KEEP_HELP),
    repair_cost: list[str] | None = typer.Option(None, "--repair-cost", help=REPAIR_COST_HELP),
) -> None:
    """What a forced or forbidden decision would cost: re-solve with it and compare with the optimal plan."""
    from planner.explain.whatif import parse
    from planner.explain.whatif import why_not as run

    check_time_limit(time_limit)
    if not force and not forbid:
        exit_bad_input(
            InputError.one(
                "--force/--forbid",
                "(options)",
                "nothing to force or forbid",
                "give at least one --force or --forbid, e.g. --force garden:hanjiata",
            )
        )
    try:
        plan, li = plan_and_instance(plan_path, instance, scenario, set_)
    except InputError as e:
        exit_bad_input(e)
    li = with_repair(li, may_give, keep, repair_cost)
    decisions, problems = [], []
    for action, texts in (("force", force or []), ("forbid", forbid or [])):
        for x in texts:
            try:
                decisions.append(parse(x, action, li))
            except InputError as e:  # report every bad decision at once
                problems.extend(e.problems)
    if problems:
        exit_bad_input(InputError(problems))
    if not plan_path:
        plan = solve_or_load(li, None, time_limit)
    if not plan.has_solution:
        print_summary(plan)
        err.print(styled(("the instance has no plan to compare with", "red")))
        raise typer.Exit(1)
    with out.status(styled("re-solving with " + " and ".join(d.describe() for d in decisions) + " ...")):
        w = run(li, plan, decisions, time_limit=time_limit)
    out.print(
        f"plan: {plan.status}, objective {plan.objective:,.0f} Yuan/yr; alternative: {w.status} "
        f"({w.termination}, gap {pct_words(w.mip_gap) if w.mip_gap is not None else 'n/a'})"
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

        from planner.core.files import write_text

        write_text(path / "whatif.json", json.dumps(w.to_dict(), indent=1, allow_nan=False, default=str))
        write_csv(w.differences, path / "whatif_differences.csv")
    except OSError as e:
        exit_bad_input(
            InputError.one(
                "--out", "--out", f"cannot write to {out_dir!r}: {e.strerror or e}", "give a directory you can write to"
            )
        )
    out.print(f"wrote {path / 'whatif.json'}")
    raise typer.Exit(EXIT.get(w.status, 1))
