"""``planner serve``: the planning table as a local web app.

A planner opens an instance, sees it on a map, edits a scenario (budgets, prices,
policies, decisions forced or forbidden on the map), solves it in the background,
reads and compares the plans and downloads them, without YAML or a terminal. The app
calls the same API as the command line (load, solve, diagnose, report) and saves every
scenario as overlay YAML that ``planner solve --scenario`` reads.

Modules: :mod:`~planner.app.workspace` (the working folder and upload confinement),
:mod:`~planner.app.scenario` (editable settings and overlay YAML),
:mod:`~planner.app.jobs` (solves in child processes), :mod:`~planner.app.state`,
:mod:`~planner.app.mapdata` (what the map draws), :mod:`~planner.app.ui` (the page, Shiny
for Python) and :mod:`~planner.app.server` (uvicorn, the map's data routes). Needs the
``app`` extra (``pip install 'planner[app]'``).
"""

from __future__ import annotations

from planner.app.server import LOCAL, build, free_port, new_state, open_instances, run

__all__ = ["LOCAL", "build", "free_port", "new_state", "open_instances", "run"]
