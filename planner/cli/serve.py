"""``planner serve``: the local web app (:mod:`planner.app`)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import typer

from planner.cli.app import app, err, exit_bad_input, out
from planner.core.errors import InputError


@app.command(short_help="The planning table in a browser: map, scenarios, solve, compare, downloads.")
def serve(
    instances: list[str] = typer.Argument(None, help="Instance YAML files to open (default: the bundled ones)."),
    host: str = typer.Option(
        "127.0.0.1",
        "--host",
        help="Address to listen on; other than 127.0.0.1 is reachable from other machines (a warning is printed).",
    ),
    port: int = typer.Option(8765, "--port", help="Port to listen on."),
    no_browser: bool = typer.Option(False, "--no-browser", help="Do not open a browser."),
    folder: str = typer.Option(
        None, "--folder", help="Working folder for uploads, scenarios and downloads (default: a new temporary folder)."
    ),
    time_limit: float = typer.Option(None, "--time-limit", help="Solver time limit (s) of each solve."),
) -> None:
    """Start the planner's web app on this machine and open it in the browser.

    Planners open an instance (bundled, named here, or uploaded), see it on a map, edit a
    scenario, force or forbid decisions by clicking, solve (with a cancel that keeps the
    best plan), read and compare plans in English or Chinese, and download plan.json,
    plan.gpkg, the report and the scenario YAML (which `planner solve --scenario` reads).
    """
    try:
        from planner.app import new_state, open_instances, run
        from planner.app.state import AppState
    except ImportError as exc:
        err.print(f"error: the web app needs the app extra ({exc.name} is missing): pip install 'planner[app]'")
        raise typer.Exit(2) from None
    if host != "127.0.0.1":
        err.print(
            f"warning: listening on {host}: anyone who can reach this machine on port {port} can use the app "
            "and read the instances opened in it"
        )
    work = Path(folder) if folder else Path(tempfile.mkdtemp(prefix="planner-serve-"))
    state = new_state(work, time_limit=time_limit)
    try:
        open_instances(state, list(instances) if instances else [str(p) for p in AppState.bundled()])
    except InputError as exc:
        exit_bad_input(exc)
    out.print(f"planner serve: http://{host}:{port}/  (working folder {work}; Ctrl-C to stop)")
    run(state, host=host, port=port, browser=not no_browser)
