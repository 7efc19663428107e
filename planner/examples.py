"""Bundled example instances, reused by tests, docs and the CLI."""

from __future__ import annotations

from planner.api import load_instance
from planner.instance.load import LoadedInstance, bundled_instance_path


def tiny(**sets) -> LoadedInstance:
    """The two-village teaching instance; keyword overrides by dotted path use ``__`` for dots."""
    li = load_instance(bundled_instance_path("tiny"))
    return li.replace(**{k.replace("__", "."): v for k, v in sets.items()}) if sets else li


def nuanshui(**sets) -> LoadedInstance:
    """The calibrated Nuanshui Township case."""
    li = load_instance(bundled_instance_path("nuanshui"))
    return li.replace(**{k.replace("__", "."): v for k, v in sets.items()}) if sets else li


def path(name: str):
    return bundled_instance_path(name)
