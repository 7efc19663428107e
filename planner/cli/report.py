"""The commands that present saved plans: ``report`` (report.md and report.html) and
``compare`` (two or more plans side by side)."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer

from planner.cli.app import app, err, exit_bad_input, out
from planner.cli.common import LANG_HELP, check_lang, instance_for, load_plan_arg, write_report_files
from planner.cli.show import print_comparison
from planner.core.cells import write_csv
from planner.core.errors import InputError
from planner.core.terminal import styled


class Paper(str, Enum):
    """The paper report.html prints on (portrait)."""

    a4 = "a4"
    a3 = "a3"


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
    lang: str = typer.Option("en", "--lang", help=LANG_HELP),
    pdf: bool = typer.Option(
        False, "--pdf", help="Also print report.html to report.pdf with headless Chromium (Chrome or Edge)."
    ),
    paper: Paper = typer.Option(Paper.a4, "--paper", case_sensitive=False, help="Paper the report prints on."),
) -> None:
    """Write report.md and a self-contained report.html for a solved plan."""
    from planner.report import chromium

    if pdf:  # before anything is written: without a browser there is no PDF to print
        try:
            chromium.find_chromium()
        except chromium.ChromiumNotFound as e:
            exit_bad_input(
                InputError.one("--pdf", "--pdf", f"report.pdf is printed by a browser: {e.what}", chromium.INSTALL_HINT)
            )

    check_lang(lang)
    from planner.plan.county import is_county_plan

    base = Path(plan_dir) if Path(plan_dir).is_dir() else Path(plan_dir).parent
    if is_county_plan(plan_dir):
        path = _county_report(plan_dir, instance, out_dir, lang, paper.value)
    else:
        path = _township_report(plan_dir, base, instance, out_dir, lang, paper.value)
    if screenshot_png:
        from planner.report import screenshot

        try:
            png = screenshot(path / "report.html", screenshot_png)
        except RuntimeError as e:
            err.print(styled(("screenshot failed:", "red"), f" {e}"))
            raise typer.Exit(1) from None
        except OSError as e:
            exit_bad_input(
                InputError.one(
                    "--screenshot",
                    "--screenshot",
                    f"cannot write this file: {e.strerror or e}",
                    "give a PNG path in a directory you can write to",
                    screenshot_png,
                )
            )
        out.print(f"wrote {png}")
    if pdf:
        try:
            out.print(f"wrote {chromium.print_pdf(path / 'report.html', path / 'report.pdf')}")
        except RuntimeError as e:
            err.print(styled(("printing report.pdf failed:", "red"), f" {e}"))
            raise typer.Exit(1) from None
    raise typer.Exit(0)


def _cannot_write(path: Path, e: OSError) -> None:
    """Exit 2: the report cannot be written to ``path``."""
    exit_bad_input(
        InputError.one(
            "--out",
            "--out",
            f"cannot write the report to {str(path)!r}: {e.strerror or e}",
            "give a directory you can write to",
        )
    )


def _township_report(
    plan_dir: str, base: Path, instance: str | None, out_dir: str | None, lang: str, paper: str
) -> Path:
    """report.md and report.html of a township's plan; returns the folder written."""
    from planner.explain.result import Explanation

    plan = load_plan_arg(plan_dir)
    ex = None
    if (base / "explanation.json").exists():
        try:
            ex = Explanation.from_json(base / "explanation.json")
        except (ValueError, KeyError, AttributeError, TypeError) as e:
            exit_bad_input(
                InputError.one(
                    str(base / "explanation.json"),
                    "(file)",
                    f"not a readable explanation: {e}",
                    "run `planner explain` again or delete the file",
                )
            )
    try:
        li = instance_for(plan, instance, None, None)
    except InputError as e:
        if instance:  # the user named it: a bad instance is bad input
            exit_bad_input(e)
        li = None
        err.print(
            styled(("the plan's instance could not be loaded: the report has no targets or role ranges", "yellow"))
        )
    path = Path(out_dir) if out_dir else base
    try:
        path.mkdir(parents=True, exist_ok=True)
        write_report_files(plan, path, ex, li, lang, paper=paper)
    except OSError as e:
        _cannot_write(path, e)
    return path


def _county_report(plan_dir: str, instance: str | None, out_dir: str | None, lang: str, paper: str) -> Path:
    """report.md and report.html of a county plan folder; returns the folder written."""
    from planner.cli.county import load_county_arg
    from planner.plan.county import CountyPlan
    from planner.report.county import write_county_report

    base = Path(plan_dir) if Path(plan_dir).is_dir() else Path(plan_dir).parent
    try:
        cp = CountyPlan.from_json(base)
    except (OSError, ValueError, KeyError, TypeError) as e:
        exit_bad_input(
            InputError.one(str(base / "plan.json"), "(file)", f"not a readable county plan: {e}", "give its folder")
        )
    lc = load_county_arg(instance) if instance else None
    path = Path(out_dir) if out_dir else base
    try:
        md, html = write_county_report(cp, path, county=lc, lang=lang, paper=paper)
    except OSError as e:
        _cannot_write(path, e)
    out.print(f"wrote {md} and {html}")
    return path


@app.command(short_help="Put two or more plans side by side.")
def compare(
    plans: list[str] = typer.Argument(..., help="Two or more plan directories (or plan.json files)."),
    out_file: str | None = typer.Option(None, "--out", help="Write the comparison tables here (a directory)."),
    top: int = typer.Option(20, "--top", help="Area differences to print."),
    lang: str = typer.Option("en", "--lang", help=LANG_HELP),
) -> None:
    """Put two or more plans side by side: status and objective, the key figures with each plan's difference from
    the first, which gardens, projects and recruitment changed, area by village and use, and rule prices (when
    `planner explain` has written explanation.json beside a plan)."""
    from planner.sweep.compare import compare_plans

    check_lang(lang)
    if len(plans) < 2:
        exit_bad_input(
            InputError.one("PLANS", "(arguments)", "need at least two plans", "give two or more plan directories")
        )
    if len({str(Path(p).resolve()) for p in plans}) < len(plans):
        exit_bad_input(
            InputError.one("PLANS", "(arguments)", "the same plan is given twice", "give different plan directories")
        )
    loaded = {}
    for p in plans:
        plan = load_plan_arg(p)
        name = Path(p).name if Path(p).is_dir() else Path(p).parent.name
        loaded[name if name not in loaded else p] = (plan, Path(p) if Path(p).is_dir() else Path(p).parent)
    cmp = compare_plans(loaded)
    print_comparison(cmp, list(loaded), names=instance_names(loaded, lang), lang=lang, top=top)
    if out_file:
        path = Path(out_file)
        try:
            path.mkdir(parents=True, exist_ok=True)
            for k, df in cmp.items():
                write_csv(df, path / f"compare_{k}.csv")
        except OSError as e:
            exit_bad_input(
                InputError.one(
                    "--out",
                    "--out",
                    f"cannot write to {out_file!r}: {e.strerror or e}",
                    "give a directory you can write to",
                )
            )
        out.print(f"wrote compare_*.csv to {path}/")


def instance_names(loaded: dict, lang: str) -> dict[tuple[str, str], str]:
    """The names of the villages and projects of the plans' instances in ``lang`` (the
    recorded instance of each plan, as far as it loads: a plan whose instance moved is
    compared by ids)."""
    from planner.core.labels import name_of

    names: dict[tuple[str, str], str] = {}
    seen: set[tuple[str, tuple[str, ...]]] = set()
    for plan, _ in loaded.values():
        key = (plan.instance_path, tuple(plan.overrides))
        if key in seen:
            continue
        seen.add(key)
        try:
            inst = instance_for(plan, None, None, None).instance
        except (InputError, OSError):
            continue
        for kind, objs in (("village", inst.villages), ("project", inst.projects)):
            for o in objs:
                names.setdefault((kind, o.id), name_of(o, lang))
    return names
