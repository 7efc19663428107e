"""Shared fixtures: ``build`` writes a purpose-built instance (YAML + CSV parcel table +
valuation library) into pytest's ``tmp_path`` and returns ``planner.load_instance(path)``.

Usage::

    def test_x(build):
        li = build([P("A1", "grassland", 10)], uses=["ecological_forest"],
                   policies={"forest_coverage_min": 0.5})
        plan = solve(li)

See ``helpers.py`` for the library (one service, 1,000 Yuan per equivalent) and the
plan readers.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

# Output that is not a terminal wraps at 80 columns (rich); under pytest-xdist the temporary
# paths are longer and a message's path would be cut across lines. Tests read whole messages:
# 200 columns for every console of the tests and of the commands they run (the docs test sets
# its own 100).
os.environ["COLUMNS"] = "200"

sys.path.insert(0, str(Path(__file__).resolve().parent))

from helpers import write_instance  # noqa: E402

import planner  # noqa: E402


@pytest.fixture
def build(tmp_path):
    """``build(parcels, *, uses, covers, norms, periods, villages, policies, use_policies, **instance_fields)``
    -> a validated :class:`planner.LoadedInstance`."""

    def _build(parcels, **kw):
        return planner.load_instance(write_instance(tmp_path, parcels, **kw))

    return _build


@pytest.fixture
def build_path(tmp_path):
    """Like ``build`` but returns the instance path (for tests of the loader)."""

    def _build(parcels, **kw):
        return write_instance(tmp_path, parcels, **kw)

    return _build
