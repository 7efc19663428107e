"""The ``planner`` command line's frame: the typer app, the two consoles, the two ways a
command fails, and ``main``.

Every command module registers its commands on ``app``; they print through ``out`` and
``err`` only. A command ends on bad input with :func:`exit_bad_input` (exit 2: the message
names the file, the field and what to change; no traceback) and on a failed or pointless
solve with :func:`exit_solve_error` (exit 4 when the solver failed, else 1). ``main`` turns
what slips through (bad input met deep inside a command, a re-solve that fails, Ctrl-C or
SIGTERM, a path that cannot be written) into the same messages and exit codes.
"""

from __future__ import annotations

import sys

import typer

from planner.core.errors import InputError, SolveError, SolverFailure
from planner.core.terminal import SafeConsole, styled

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


def exit_bad_input(e: InputError) -> None:
    err.print(styled(("error:", "bold red"), f" {e.count:,} problem(s) in the input{e.capped_note()}"))
    for p in e.problems:
        err.print(styled(f"  - {p}"))
    raise typer.Exit(2)


def exit_solve_error(e: SolveError, what: str = "cannot solve") -> None:
    """The solver failed (exit 4: its own message, what to try, nothing written) or there
    was nothing to solve or explain (exit 1)."""
    head = f"the MIP solver {e.solver} failed" if isinstance(e, SolverFailure) else what
    err.print(styled((f"{head}:", "bold red"), " ", e.message))
    if e.fix:
        err.print(styled("  -> ", e.fix))
    if isinstance(e, SolverFailure):
        err.print("  nothing was written.")
    raise typer.Exit(4 if isinstance(e, SolverFailure) else 1)


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
            exit_solve_error(e)
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
