"""Every file the planner writes is written whole: to a temporary name beside it, flushed
to disk, then renamed into place. A reader (or a run killed half-way, or a full disk)
sees the old file or the whole new one, never a part.

- :func:`write_text` / :func:`write_bytes`: text or bytes the planner has in memory;
- :func:`written`: a library writes the file itself (Parquet, GeoPackage, a CSV through
  pandas): it writes to the temporary path this yields, which is renamed into place when
  the block ends normally and removed (with any sidecar files) when it does not.

Each passes the fault point ``file-write`` (:mod:`planner.core.faults`), so tests can stop
a run at every write. New files get the permissions the user's umask gives any new file.
Whole result folders change in one step on top of this (:mod:`planner.core.outdir`).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from planner.core import faults

TMP = ".tmp"  # temporary files are hidden (a leading dot) and end in .tmp (or .tmp.EXT)
SIDECARS = ("-journal", "-wal", "-shm")  # SQLite files GDAL may leave beside a GeoPackage


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def written(path: str | Path, *, create: bool = True, suffix: str = TMP) -> Iterator[Path]:
    """Yield a temporary path beside ``path`` to write; rename it to ``path`` when the block
    ends normally. ``create=False``: the temporary file does not exist yet (for writers
    such as GDAL that refuse to open an existing file); ``suffix`` for writers that choose
    a format by the file's ending (``.tmp.gpkg``)."""
    path = Path(path)
    faults.reached("file-write")
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=suffix)
    os.close(fd)
    tmp = Path(name)
    if not create:
        tmp.unlink()
    try:
        yield tmp
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp made it 0600; a writer may also have made it anew
        os.replace(tmp, path)
    except BaseException:
        for p in (tmp, *(Path(f"{tmp}{s}") for s in SIDECARS)):
            p.unlink(missing_ok=True)
        raise


def write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole (temporary name, fsync, rename)."""
    with written(path) as tmp, open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def is_temporary(name: str) -> bool:
    """A temporary file :func:`written` left behind (a run killed before its rename)."""
    return name.startswith(".") and (name.endswith(TMP) or f"{TMP}." in name)


def write_text(path: str | Path, text: str) -> None:
    """Write ``text`` (UTF-8, newlines as given) to ``path`` whole."""
    write_bytes(path, text.encode("utf-8"))


__all__ = ["written", "write_bytes", "write_text", "is_temporary"]
