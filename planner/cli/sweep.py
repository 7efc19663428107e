"""The ``sweep`` command: many scenarios of one instance (a sampling design or a scenario
set), run locally or on a Dask cluster, then the sensitivity indices and plots."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from planner.cli.app import app, err, exit_bad_input, out
from planner.cli.common import check_time_limit, load_instance_arg
from planner.core.cells import write_csv
from planner.core.errors import InputError
from planner.core.terminal import styled

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

    check_time_limit(time_limit, mip_gap)
    sets_by_scenario = None
    if design not in DESIGNS:
        exit_bad_input(
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
            li = load_instance_arg(base_path, scenario, set_)
        else:
            if not instance:
                exit_bad_input(
                    InputError.one(
                        "INSTANCE", "(argument)", "no instance", "give the base instance YAML, or --scenarios FILE"
                    )
                )
            if not param:
                exit_bad_input(
                    InputError.one(
                        "--param",
                        "(options)",
                        "nothing to sweep",
                        "give --param PATH=LOW:HIGH, e.g. --param prices.forestry_carbon_yuan_per_t=10:100",
                    )
                )
            li = load_instance_arg(instance, scenario, set_)
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
        exit_bad_input(e)
    except ValueError as e:
        exit_bad_input(InputError.one("--param", "(options)", str(e), "check the ranges and the design size"))
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
            exit_bad_input(e)
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
