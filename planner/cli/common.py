"""Helpers the command modules share: loading instances and saved plans, checking options
and output folders, writing a plan (and its map layers) in one step, the messages for an
interrupted run, and the explanation, diagnosis and report steps that several commands
run after a solve.

Modules of later layers (the solver, explain, report ...) are imported inside the helpers
that use them, so that ``planner --help`` starts quickly.
"""

from __future__ import annotations

from pathlib import Path

import typer

from planner.cli.app import err, exit_bad_input, exit_solve_error, out
from planner.cli.show import gap_words, print_diagnosis, print_summary, print_villages, solving
from planner.core.errors import InputError, SolveError
from planner.core.terminal import styled
from planner.explain.sheets import village_sheets


def load_instance_arg(instance: str, scenario: str | None, sets: list[str] | None):
    from planner.api import load_instance

    return load_instance(instance, scenario=scenario, sets=sets or [])


def load_plan_arg(plan_path: str):
    from planner.plan.plan import Plan

    p = Path(plan_path)
    if p.is_dir():
        p = p / "plan.json"
    if not p.exists():
        exit_bad_input(
            InputError.one(
                str(p), "(file)", "plan file not found", "give the directory or plan.json written by `planner solve`"
            )
        )
    try:
        return Plan.from_json(p)
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        exit_bad_input(
            InputError.one(
                str(p), "(file)", f"not a readable plan: {e}", "give the plan.json written by `planner solve`"
            )
        )


def instance_for(plan, instance: str | None, scenario: str | None, sets: list[str] | None):
    """The instance of a saved plan: the one given (with the plan's recorded overrides unless
    others are given), else the one recorded in the plan."""
    from planner.instance.overrides import split_overrides

    rec_sc, rec_sets = split_overrides(plan.overrides)
    return load_instance_arg(
        instance or plan.instance_path, scenario if scenario is not None else rec_sc, sets if sets else rec_sets
    )


def plan_and_instance(plan_path: str | None, instance: str | None, scenario: str | None, sets: list[str] | None):
    """(the saved plan and its instance) with --plan, else (None, the instance)."""
    if plan_path:
        plan = load_plan_arg(plan_path)
        return plan, instance_for(plan, instance, scenario, sets)
    return None, load_instance_arg(instance, scenario, sets)


def solve_or_load(li, plan_path: str | None, time_limit: float | None, lang: str = "en"):
    from planner.api import solve as _solve

    if plan_path:
        return load_plan_arg(plan_path)
    try:
        with solving(lang) as progress:
            return _solve(li, time_limit=time_limit, progress=progress)
    except SolveError as e:
        exit_solve_error(e)


LANG_HELP = "Language of the summary, report and workbook a planner reads: en (English) or zh (Chinese)."


def check_lang(lang: str) -> str:
    """``--lang`` must be a language the registry has (planner.core.labels): exit 2 otherwise."""
    from planner.core.labels import LANGS

    if lang not in LANGS:
        exit_bad_input(
            InputError.one(
                "--lang",
                "--lang",
                "not a language the planner writes",
                "use --lang en (English) or --lang zh (Chinese)",
                lang,
            )
        )
    return lang


def check_out(out_dir: str, force: bool, marker: str = "plan.json", what: str = "a plan") -> None:
    """An output directory that already holds a result is not silently overwritten."""
    from planner.core.outdir import holds, recover

    try:
        recover(out_dir)  # a folder a killed run moved aside is put back first
    except OSError:
        pass
    if not force and holds(out_dir, marker):
        exit_bad_input(
            InputError.one(
                "--out",
                "--out",
                f"{out_dir!r} already holds {what} ({marker})",
                "add --force to replace it, or give a new --out",
                out_dir,
            )
        )


def check_time_limit(time_limit: float | None, mip_gap: float | None = None, threads: int | None = None) -> None:
    from planner.solver.run import check_limits

    try:
        check_limits(time_limit, mip_gap, threads, cli=True)
    except InputError as e:
        exit_bad_input(e)


def make_dir(p: Path) -> Path:
    p.mkdir(parents=True, exist_ok=True)
    return p


def replace_out(path: Path, force: bool, marker: str, owned, files) -> None:
    """``files(stage)`` writes a whole result; the staging folder then replaces ``path`` in one step."""
    from planner.core.outdir import OutTaken, replacing

    try:
        with replacing(path, force=force, marker=marker, owned=owned) as stage:
            files(stage)
    except OutTaken as e:
        exit_bad_input(
            InputError.one(
                "--out",
                "--out",
                f"{str(path)!r} received a result from another run while this one was working",
                f"this run's result is kept in {e.kept}: move it, or run again with --force",
                str(path),
            )
        )
    except OSError as e:
        exit_bad_input(
            InputError.one(
                "--out",
                "--out",
                f"cannot write to {str(path)!r}: {e.strerror or e}",
                "give a directory you can write to",
            )
        )


def progress_bar():
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )


def write_gpkg(plan, li, path: Path, shown: Path | None = None, lang: str = "en") -> bool:
    """plan.gpkg (planner.report.gpkg) beside a plan, when the instance has parcel geometry
    (``shown``: the folder to name in messages, when ``path`` is a staging folder; ``lang``:
    the language of its QGIS legends). A failure here is a warning, not an error: the map
    layers are a companion of the plan."""
    if getattr(li, "geometry", None) is None or not plan.has_solution:
        return False
    shown = shown or path
    try:
        from planner.report.gpkg import write_plan_gpkg

        write_plan_gpkg(plan, li, path / "plan.gpkg", lang=lang)
    except Exception as e:  # noqa: BLE001 - the map layers are a companion of the plan
        err.print(styled(("warning:", "yellow"), f" {shown / 'plan.gpkg'} not written: {type(e).__name__}: {e}"))
        return False
    return True


def write_xlsx(plan, li, path: Path, shown: Path | None = None, lang: str = "en") -> bool:
    """plan.xlsx (planner.report.workbook) beside a plan, in ``lang``. A failure here is a
    warning, not an error: the workbook is a companion of the plan's CSV tables."""
    shown = shown or path
    try:
        from planner.report.workbook import write_workbook

        write_workbook(plan, li, path / "plan.xlsx", lang=lang)
    except Exception as e:  # noqa: BLE001 - the workbook is a companion of the plan
        err.print(styled(("warning:", "yellow"), f" {shown / 'plan.xlsx'} not written: {type(e).__name__}: {e}"))
        return False
    return True


def write_plan_folder(plan, li, out_dir: str | Path, force: bool, lang: str = "en") -> Path:
    """Write the plan (its CSV tables, plan.xlsx in ``lang`` and, with parcel geometry,
    plan.gpkg) into ``out_dir`` in one step, print the summary (in ``lang``) and what was written.
    Another run that wrote a plan there meanwhile (without --force) is bad input: this
    run's plan is kept aside and named."""
    from planner.core.outdir import OutTaken

    path = Path(out_dir)
    gpkg: list[bool] = []
    xlsx: list[bool] = []

    def extra(stage: Path) -> None:
        xlsx.append(write_xlsx(plan, li, stage, shown=path, lang=lang))
        gpkg.append(write_gpkg(plan, li, stage, shown=path, lang=lang))

    try:
        plan.write(path, force=force, extra=extra)
    except OutTaken as e:
        print_summary(plan, lang)
        exit_bad_input(
            InputError.one(
                "--out",
                "--out",
                f"{str(out_dir)!r} received a plan from another run while this one was solving",
                f"this run's plan is kept in {e.kept}: move it where you want it, or solve again with --force",
                str(out_dir),
            )
        )
    except OSError as e:
        print_summary(plan, lang)
        exit_bad_input(
            InputError.one(
                "--out",
                "--out",
                f"cannot write the plan to {str(out_dir)!r}: {e.strerror or e}",
                "give a directory you can write to",
            )
        )
    print_summary(plan, lang)
    if plan.has_solution:
        print_villages(village_sheets(li, plan, None, lang), lang)
    book = ", plan.xlsx" if xlsx and xlsx[0] else ""
    out.print(f"wrote {path / 'plan.json'}{book} and {len(plan.tables)} CSV tables to {path}/")
    if gpkg and gpkg[0]:
        out.print(f"wrote {path / 'plan.gpkg'} (GIS layers parcels, gardens, villages and run)")
    return path


def interrupted_without_plan(plan) -> bool:
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


def interrupted_with_plan(plan, path: Path, instance: str) -> bool:
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


def interrupted_after_plan(path: Path, instance: str) -> None:
    err.print(
        styled(
            ("interrupted", "bold yellow"),
            f" while explaining or reporting: the plan in {path}/ is complete. "
            f"Finish with `planner explain {instance} --plan {path} --report`.",
        )
    )
    raise typer.Exit(130)


MAY_GIVE_HELP = (
    "Repair of an instance with no plan: the only rules that may give, a comma list of classes (money, "
    "dividends, targets, people, land, decisions, bans), rule families (gardens, budget, ...) or constraints."
)
KEEP_HELP = "Repair: rules that may not give (comma list, as --may-give), e.g. --keep gardens."
REPAIR_COST_HELP = (
    "Repair: Yuan-equivalents per unit of relaxing a rule, NAME=YUAN (a class, family or constraint), "
    "repeatable, e.g. --repair-cost people=100000."
)


def with_repair(li, may_give: str | None, keep: str | None, costs: list[str] | None):
    """``li`` with the repair options of the command line on top of its ``repair`` section
    (planner.explain.repair); a bad name or cost exits with code 2."""
    if not (may_give or keep or costs):
        return li
    import dataclasses

    from planner.explain.repair import RepairSettings, repair_field_names
    from planner.instance.schema import Repair

    def names(text: str | None) -> list[str]:
        return [x.strip() for x in (text or "").split(",") if x.strip()]

    parsed: dict[str, float] = {}
    for c in costs or []:
        name, eq, value = c.partition("=")
        try:
            parsed[name.strip()] = float(value)
        except ValueError:
            exit_bad_input(
                InputError.one(
                    "--repair-cost",
                    "--repair-cost",
                    f"not NAME=YUAN: {c!r}" if eq else f"no '=' in {c!r}",
                    "give a rule and its Yuan-equivalents per unit, e.g. --repair-cost gardens=1000000",
                )
            )
    st = RepairSettings.of(li.instance.repair).merged(names(may_give) if may_give else None, names(keep), parsed)
    try:
        st.check(repair_field_names(), file="(options)", where="--may-give/--keep/--repair-cost")
    except InputError as e:
        exit_bad_input(e)
    new = Repair(may_give=st.may_give, keep=st.keep, costs=st.costs)
    return dataclasses.replace(li, instance=li.instance.model_copy(update={"repair": new}))


def diagnose_plan(li, path: Path | None, time_limit: float | None):
    from planner.explain.diagnose import diagnose as run

    with out.status("diagnosing the infeasibility (elastic re-solve) ..."):
        dg = run(li, time_limit=time_limit)
    print_diagnosis(dg)
    if path is not None:
        import json

        from planner.core.files import write_text

        write_text(path / "diagnosis.json", json.dumps(dg.to_dict(), indent=1, allow_nan=False))
        out.print(f"wrote {path / 'diagnosis.json'}")
    return dg


def run_explanation(li, plan, importance, parameters, time_limit, all_rows: bool = False, unit_prices=()):
    from planner.explain import explain as run

    with progress_bar() as bar:
        tasks: dict[str, int] = {}

        def progress(stage: str, done: int, total: int) -> None:
            label = {
                "importance": "re-solving without each option",
                "ranging": "ranging prices",
                "unit prices": "re-solving each binding rule one unit looser and tighter",
            }.get(stage, stage)
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
            unit_prices=unit_prices,
        )
        bar.update(tasks["lp"], total=1, completed=1)
    return ex


def write_report_files(plan, path: Path, ex, li, lang: str = "en", paper: str = "a4") -> None:
    from planner.report import write_report

    md, html = write_report(plan, path, explanation=ex, instance=li, lang=lang, paper=paper)
    out.print(f"wrote {md} and {html}")
