"""The app's working folder: uploads, saved scenarios and the files a download is made
from all live in it, and nothing the app is sent can be written or read outside it.

- :func:`safe_name` turns a browser's file name into a plain one (no folders, no leading
  dot, no control characters); :meth:`Workspace.inside` refuses any path that resolves
  (links followed) outside the folder;
- an uploaded instance is loaded with ``root=`` the folder of its upload
  (:func:`planner.instance.load.load_instance`), so its ``parcels.file`` and a
  ``valuation`` path cannot name a file elsewhere (an absolute path or ``../`` is refused
  with the field named).
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from pathlib import Path

from planner.core.errors import InputError
from planner.core.files import write_bytes, write_text

#: Largest file a browser may upload (bytes): a county's parcel layer fits.
MAX_UPLOAD_BYTES = 512 * 1024 * 1024
#: File kinds an upload may have: the instance, its parcel table or GIS layer, a library, a scenario.
UPLOAD_SUFFIXES = (
    ".yaml",
    ".yml",
    ".csv",
    ".parquet",
    ".xlsx",
    ".gpkg",
    ".geojson",
    ".json",
    ".shp",
    ".shx",
    ".dbf",
    ".prj",
    ".cpg",
)


def safe_name(name: str) -> str:
    """A browser's file name as a plain file name: the last path part, letters, digits,
    ``.-_`` and CJK characters only, no leading dot; InputError if nothing is left or the
    kind of file is not one an instance is made of."""
    base = re.split(r"[\\/]", str(name))[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(c for c in base if c.isalnum() or c in "._-")
    base = base.lstrip(".")
    if not base or base in (".", ".."):
        raise InputError.one(str(name), "(file name)", "not a usable file name", "rename the file, e.g. instance.yaml")
    if not base.lower().endswith(UPLOAD_SUFFIXES):
        raise InputError.one(
            base,
            "(file name)",
            "not a kind of file an instance is made of",
            f"upload {', '.join(UPLOAD_SUFFIXES)} files",
        )
    return base


class Workspace:
    """The working folder (``root``): ``uploads/<batch>/`` for each upload, ``scenarios/``
    for saved scenario YAML, ``runs/<id>/`` for the files of a plan (downloads)."""

    def __init__(self, root: str | Path):
        self.root = Path(root).resolve()
        for sub in ("uploads", "scenarios", "runs"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)

    def inside(self, path: str | Path) -> Path:
        """``path`` (relative to the folder, or absolute) resolved; InputError if it lies outside."""
        p = Path(path)
        real = (p if p.is_absolute() else self.root / p).resolve()
        if not real.is_relative_to(self.root):
            raise InputError.one(str(path), "(path)", "lies outside the app's working folder", "use a file inside it")
        return real

    def new_folder(self, kind: str) -> Path:
        """A fresh folder under ``kind`` (``uploads`` or ``runs``) with a random name."""
        folder = self.inside(Path(kind) / secrets.token_hex(6))
        folder.mkdir(parents=True)
        return folder

    def save_upload(self, files: list[tuple[str, bytes]]) -> list[Path]:
        """Write uploaded ``(name, data)`` files into one new upload folder; their paths."""
        for name, data in files:
            if len(data) > MAX_UPLOAD_BYTES:
                raise InputError.one(
                    safe_name(name), "(file)", f"{len(data):,} bytes: too large", f"at most {MAX_UPLOAD_BYTES:,} bytes"
                )
        names = [safe_name(n) for n, _ in files]
        folder = self.new_folder("uploads")
        out = []
        for name, (_, data) in zip(names, files):
            target = self.inside(folder / name)
            write_bytes(target, data)
            out.append(target)
        return out

    def scenario_path(self, name: str) -> Path:
        """Where the scenario ``name`` is saved (``scenarios/<name>.yaml``)."""
        stem = safe_name(f"{name}.yaml")
        return self.inside(Path("scenarios") / stem)

    def write_scenario(self, name: str, text: str) -> Path:
        path = self.scenario_path(name)
        write_text(path, text)
        return path


__all__ = ["MAX_UPLOAD_BYTES", "UPLOAD_SUFFIXES", "Workspace", "safe_name"]
