"""Where the bundled libraries (models/) and instances (instances/) live: inside the
installed wheel as ``planner._models`` / ``planner._instances``, or beside the package
in a source checkout."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def bundled_dir(kind: str) -> Path:
    """``kind`` is ``models`` or ``instances``."""
    try:
        p = Path(str(resources.files(f"planner._{kind}")))
        if p.is_dir():
            return p
    except (ModuleNotFoundError, TypeError):
        pass
    return Path(__file__).resolve().parent.parent / kind
