"""Where the bundled libraries (models/) and instances (instances/) live: inside the
installed wheel as ``planner._models`` / ``planner._instances``, or beside the package
in a source checkout."""

from __future__ import annotations

import importlib.util
from pathlib import Path


def bundled_dir(kind: str) -> Path:
    """``kind`` is ``models`` or ``instances``. The installed wheel maps them to the
    namespace packages ``planner._models`` / ``planner._instances``; a source checkout
    has them beside the package."""
    here = Path(__file__).resolve().parents[1]  # the planner package
    try:
        spec = importlib.util.find_spec(f"planner._{kind}")
    except (ModuleNotFoundError, ValueError):
        spec = None
    for loc in (spec.submodule_search_locations or []) if spec else []:
        if Path(loc).is_dir():
            return Path(loc)
    return here.parent / kind
