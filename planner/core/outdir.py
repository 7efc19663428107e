"""A result folder changes in one step.

A command that writes a plan (or alternatives, or a frontier) into ``--out`` writes every
file into a staging folder beside it (``.NAME.new-PID-XXXX``), then swaps the staging
folder in: on Linux with one ``renameat2(RENAME_EXCHANGE)`` (the old and the new folder
trade places atomically), elsewhere with two renames and a recovery step that puts the
old folder back if a run died between them. So at every instant (a kill, a full disk, an
exception) ``--out`` holds the whole old result or the whole new one:

- files the planner wrote for the old result (``OWNED``: the plan's tables, its
  explanation, report, figures, GeoPackage ...) never mix with the new one;
- anything else a user keeps in the folder (notes, their own spreadsheets) is copied
  into the new folder before the swap, so it is never lost;
- the check "is there a result already? (then only with ``--force``)" and the swap are
  made under a lock on the parent folder, so of two runs into one folder without
  ``--force`` one wins and the other is told, with its staged result kept for the user
  (:class:`OutTaken`).

Every file inside is written whole (:mod:`planner.core.files`).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from fnmatch import fnmatch
from pathlib import Path

from planner.core import faults
from planner.core.files import is_temporary

# what the planner writes into a plan folder (a new plan replaces all of them)
PLAN_FILES = (
    "plan.json",
    "run.json",
    "*.csv",
    "explanation.json",
    "diagnosis.json",
    "whatif.json",
    "report.md",
    "report.html",
    "report.png",
    "plan.gpkg",
    "plan.xlsx",
    "figures",
)
ALTERNATIVES_FILES = ("alternatives.json", "plan", "alternative_*")
FRONTIER_FILES = ("frontier.json", "frontier.csv", "frontier.png")


class OutTaken(Exception):
    """Another run wrote a result into the folder while this one was working, and this one
    has no ``--force``: its own result is kept at ``kept``."""

    def __init__(self, out: Path, marker: str, kept: Path):
        self.out, self.marker, self.kept = out, marker, kept
        super().__init__(
            f"{out} already holds a result ({marker}), written by another run while this one worked; "
            f"this run's result is kept in {kept}"
        )


def holds(out: str | Path, marker: str = "plan.json") -> bool:
    """``out`` holds a result whose marker file is ``marker``."""
    return (Path(out) / marker).exists()


@contextmanager
def replacing(
    out: str | Path, *, force: bool, marker: str = "plan.json", owned: Iterable[str] = PLAN_FILES
) -> Iterator[Path]:
    """Yield an empty staging folder; when the block ends normally, swap it in as ``out``.

    Raises :class:`OutTaken` at the swap when ``out`` holds ``marker`` and ``force`` is
    false (the caller checks before working too; this catches a run that finished in the
    meantime). If the block raises (or the process dies), ``out`` is untouched."""
    out = Path(out)
    parent = out.parent if str(out.parent) else Path(".")
    parent.mkdir(parents=True, exist_ok=True)
    recover(out)
    stage = Path(tempfile.mkdtemp(dir=parent, prefix=f".{out.name}.new-{os.getpid()}-"))
    keep_stage = False
    try:
        yield stage
        faults.reached("folder-swap")
        with _locked(parent):
            if not force and holds(out, marker):
                kept = Path(tempfile.mkdtemp(dir=parent, prefix=f"{out.name}.not-replaced-"))
                os.rmdir(kept)
                os.rename(stage, kept)  # a visible name, which no later run cleans up
                keep_stage = True
                raise OutTaken(out, marker, kept)
            if out.exists() and not out.is_dir():
                raise NotADirectoryError(f"{out} exists and is not a folder")
            if out.is_dir():
                _carry_user_files(out, stage, owned)
            _swap(stage, out)
    finally:
        if not keep_stage:
            shutil.rmtree(stage, ignore_errors=True)  # the staging folder, or the old result after the swap


def recover(out: str | Path) -> None:
    """Put back a folder that a run moved aside and died before moving the new one in, and
    remove staging folders of runs that are no longer alive."""
    out = Path(out)
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        return
    pat = re.compile(rf"^\.{re.escape(out.name)}\.(new|old)-(\d+)-")
    for p in sorted(parent.iterdir()):
        m = pat.match(p.name)
        if not m or _alive(int(m.group(2))):
            continue
        if m.group(1) == "old" and not out.exists():
            os.rename(p, out)
        else:
            shutil.rmtree(p, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _owned(name: str, owned: Iterable[str]) -> bool:
    return any(fnmatch(name, pat) for pat in owned)


def _carry_user_files(old: Path, new: Path, owned: Iterable[str]) -> None:
    """Copy what the user keeps in the old folder (anything the planner did not write)."""
    owned = tuple(owned)
    for p in old.iterdir():
        if _owned(p.name, owned) or (new / p.name).exists() or is_temporary(p.name):
            continue
        if p.is_dir() and not p.is_symlink():
            shutil.copytree(p, new / p.name, symlinks=True)
        else:
            shutil.copy2(p, new / p.name, follow_symlinks=False)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _renameat2():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn


def _swap(stage: Path, out: Path) -> None:
    """Make ``stage`` the folder ``out``; afterwards ``stage`` holds the old folder (if any)."""
    if not out.exists():
        os.rename(stage, out)
        return
    fn = _renameat2()
    if fn is not None and fn(_AT_FDCWD, os.fsencode(stage), _AT_FDCWD, os.fsencode(out), _RENAME_EXCHANGE) == 0:
        return
    # no atomic exchange here (not Linux, or a file system without it): two renames; recover() undoes a half swap
    aside = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.old-{os.getpid()}-"))
    os.rmdir(aside)
    os.rename(out, aside)
    os.rename(stage, out)
    os.rename(aside, stage)


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """An exclusive lock on ``folder`` (flock on the directory itself: no lock file left
    behind) for the check-and-swap; a no-op where flock is missing."""
    try:
        import fcntl
    except ImportError:  # not POSIX
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


__all__ = [
    "replacing",
    "recover",
    "holds",
    "OutTaken",
    "PLAN_FILES",
    "ALTERNATIVES_FILES",
    "FRONTIER_FILES",
]
