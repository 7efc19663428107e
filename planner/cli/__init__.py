"""The ``planner`` command line.

Exit codes: 0 optimal (or check passed), 1 infeasible / no plan / violations found,
2 bad input (the message names the file, the field and what to change; no traceback),
3 stopped by a limit with a feasible plan (the status says so), 4 the MIP solver failed
(its own message and what to try; nothing written). The code of each plan status is in
planner.core.status (``EXIT``).

The package, one module per command group:

- ``app``: the typer ``app``, the consoles ``out`` and ``err``, the two ways a command
  fails (``exit_bad_input``: exit 2; ``exit_solve_error``: exit 4 or 1), SIGTERM and ``main``;
- ``show``: what is printed about a plan (its summary and the status line of a running
  solve), an explanation, a diagnosis and plans compared, at 80 columns and piped, in the
  language of ``--lang`` (the words from planner.core.labels);
- ``common``: helpers several commands share (loading, checking ``--out`` and limits,
  writing a plan in one step, interrupted runs, the explain/diagnose/report steps);
- ``solve`` (validate, solve, verify), ``explain`` (explain, why-not), ``report`` (report,
  compare), ``sweep``, ``tradeoffs`` (pareto, alternatives), ``tools`` (generate, schema).

Each module imports only those before it in this list (``app`` <- ``show`` <- ``common``
<- the command modules); the planner's later layers (solver, explain, sweep, report ...)
are imported inside the command functions, so that ``planner --help`` starts quickly.

A new command goes in the module of its group (or a new module for a new group):
a function decorated with ``@app.command(short_help=...)``, whose options are
``typer.Option``s and whose docstring is its ``--help``; it fails through
``exit_bad_input`` / ``exit_solve_error`` and ends with ``raise typer.Exit(code)``. Then name it
in ``HELP_ORDER`` below, at the place it should have in ``planner --help`` (a new module
is also imported below). A command missing from ``HELP_ORDER`` stops the import.
"""

from __future__ import annotations

import typer

from planner.cli import explain, report, serve, solve, sweep, tools, tradeoffs  # noqa: F401  (they register the commands)
from planner.cli.app import app, err, main, out
from planner.cli.show import gap_words, print_diagnosis, print_explanation, print_summary
from planner.core.status import EXIT

# The commands in `planner --help`, in the order a planner meets them.
HELP_ORDER = (
    "validate",
    "solve",
    "verify",
    "explain",
    "why-not",
    "report",
    "sweep",
    "compare",
    "pareto",
    "alternatives",
    "serve",
    "generate",
    "schema",
)


def _name(info: typer.models.CommandInfo) -> str:
    """A command's name as typer gives it: its own, else its function's (``_`` as ``-``)."""
    return info.name or typer.main.get_command_name(getattr(info.callback, "__name__", ""))


_unlisted = [_name(c) for c in app.registered_commands if _name(c) not in HELP_ORDER]
if _unlisted:
    raise RuntimeError(f"planner.cli: add the command(s) {_unlisted} to HELP_ORDER")
app.registered_commands.sort(key=lambda c: HELP_ORDER.index(_name(c)))

__all__ = [
    "EXIT",
    "HELP_ORDER",
    "app",
    "err",
    "gap_words",
    "main",
    "out",
    "print_diagnosis",
    "print_explanation",
    "print_summary",
]
