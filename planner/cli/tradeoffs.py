"""The commands that look beyond the one optimum: ``pareto`` (the frontier of GEP against
dividends) and ``alternatives`` (near-optimal plans that differ most from it)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from planner.cli.app import app, err, exit_bad_input, out
from planner.cli.common import (
    LANG_HELP,
    check_lang,
    check_out,
    check_time_limit,
    load_instance_arg,
    make_dir,
    progress_bar,
    replace_out,
    write_gpkg,
    write_xlsx,
)
from planner.cli.show import print_summary
from planner.core.cells import write_csv
from planner.core.errors import InputError
from planner.core.status import WITH_PLAN
from planner.core.terminal import styled


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

    check_time_limit(time_limit, mip_gap)
    if n < 2:
        exit_bad_input(InputError.one("--n", "--n", "a frontier needs at least 2 points", "give --n 2 or more", n))
    check_out(out_dir, force, "frontier.json", "a frontier")
    try:
        li = load_instance_arg(instance, scenario, set_)
    except InputError as e:
        exit_bad_input(e)
    path = Path(out_dir)
    with progress_bar() as bar:
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

    replace_out(path, force, "frontier.json", FRONTIER_FILES, files)
    out.print(f"wrote {path / 'frontier.json'}, frontier.csv and frontier.png")
    if not pts["status"].isin(WITH_PLAN).any():
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
    lang: str = typer.Option("en", "--lang", help=LANG_HELP),
) -> None:
    """Near-optimal alternatives: plans within --slack of the optimum that differ most from it (modelling to generate
    alternatives, Hop-Skip-Jump), and how they differ."""
    import json

    from planner.api import solve as _solve
    from planner.core.outdir import ALTERNATIVES_FILES
    from planner.tradeoffs import alternatives as run

    check_time_limit(time_limit)
    check_lang(lang)
    if n < 1:
        exit_bad_input(InputError.one("--n", "--n", "must be at least 1", "give the number of alternatives wanted", n))
    if not 0 <= slack < 1:
        exit_bad_input(InputError.one("--slack", "--slack", "must be in [0, 1)", "give e.g. 0.01 for 1%", slack))
    check_out(out_dir, force, "alternatives.json", "alternatives")
    try:
        li = load_instance_arg(instance, scenario, set_)
    except InputError as e:
        exit_bad_input(e)
    with out.status("solving ..."):
        plan = _solve(li, time_limit=time_limit)
    print_summary(plan, lang)
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
        folders = [("plan", plan)] + [
            (f"alternative_{a.index}", a.plan) for a in alts if a.plan is not None and a.plan.has_solution
        ]
        for name, p in folders:  # each plan as planner solve writes it: tables, plan.xlsx, plan.gpkg
            p.write_files(make_dir(stage / name))
            write_xlsx(p, li, stage / name, shown=path / name, lang=lang)
            write_gpkg(p, li, stage / name, shown=path / name, lang=lang)
        from planner.core.files import write_text

        write_text(stage / "alternatives.json", json.dumps([a.to_dict() for a in alts], indent=1, default=str))

    replace_out(path, force, "alternatives.json", ALTERNATIVES_FILES, files)
    out.print(f"wrote {path / 'alternatives.json'} and the plans to {path}/")
    raise typer.Exit(0)
