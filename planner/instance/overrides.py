"""Overrides of an instance: a scenario overlay merged on it, ``--set PATH=VALUE`` fields,
and dotted paths to read a value back (``prices.forestry_carbon_yuan_per_t``,
``projects.forest_park.capex_yuan``: list elements by their ``id``).

A problem found in an overridden value is attributed to the ``--set`` option or the
scenario file it came from (:func:`attribute_problem`), not to the instance file.
"""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

from planner.core.errors import InputError, Problem
from planner.instance.safe_yaml import parse_yaml


def _find_in_list(lst: list, key: str, file: str, path: str) -> int:
    for i, item in enumerate(lst):
        if isinstance(item, dict) and str(item.get("id")) == key:
            return i
    if key.isdigit() and int(key) < len(lst):
        return int(key)
    ids = [item.get("id") for item in lst if isinstance(item, dict)]
    raise InputError.one(file, path, f"no list element with id {key!r}", f"use one of {ids}")


def set_path(raw: dict, dotted: str, value: Any, file: str = "--set") -> None:
    """Set a field of a raw instance dict by dotted path. List elements are addressed
    by their ``id`` (``projects.forest_park.capex_yuan``) or index."""
    parts = dotted.split(".")
    node: Any = raw
    for i, part in enumerate(parts[:-1]):
        here = ".".join(parts[: i + 1])
        if isinstance(node, list):
            node = node[_find_in_list(node, part, file, here)]
        elif isinstance(node, dict):
            if part not in node or node[part] is None:
                node[part] = {}
            node = node[part]
        else:
            raise InputError.one(file, here, "cannot descend into a scalar", "check the path")
    last = parts[-1]
    if isinstance(node, list):
        node[_find_in_list(node, last, file, dotted)] = value
    elif isinstance(node, dict):
        node[last] = value
    else:
        raise InputError.one(file, dotted, "cannot set a field of a scalar", "check the path")


def deep_merge(base: Any, over: Any, file: str, path: str = "") -> Any:
    """Overlay ``over`` on ``base``. Dicts merge; a list of objects with ids merges by
    id when the overlay is a dict keyed by id or a list of objects with ids."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            out[k] = deep_merge(base.get(k), v, file, f"{path}.{k}" if path else str(k))
        return out
    if isinstance(base, list) and base and all(isinstance(x, dict) and "id" in x for x in base):
        items = (
            over.items()
            if isinstance(over, dict)
            else (
                [(x.get("id"), x) for x in over]
                if isinstance(over, list) and all(isinstance(x, dict) and "id" in x for x in over)
                else None
            )
        )
        if items is None:
            return copy.deepcopy(over)
        out = [dict(x) for x in base]
        for key, v in items:
            idx = next((i for i, x in enumerate(out) if str(x["id"]) == str(key)), None)
            if idx is None:
                out.append(v if "id" in v else {"id": key, **v})
            else:
                out[idx] = deep_merge(out[idx], v, file, f"{path}.{key}")
        return out
    return copy.deepcopy(over)


def parse_set(expr: str) -> tuple[str, Any]:
    """Parse ``path=value``; the value is read as YAML (numbers, true/false, lists) with
    the limits of :func:`parse_yaml`; text that is not YAML is taken as it is, unless it
    opens a list or mapping (``[``, ``{``), which must then be valid."""
    if "=" not in expr:
        raise InputError.one(
            "--set", expr, "expected PATH=VALUE", "write e.g. --set prices.forestry_carbon_yuan_per_t=80"
        )
    key, _, val = expr.partition("=")
    key = key.strip()
    try:
        value = parse_yaml(val, f"--set {key}")
    except InputError as exc:
        if val.lstrip().startswith(("[", "{")) or not all(p.message.startswith("not valid YAML") for p in exc.problems):
            raise
        value = val
    return key, value


def split_overrides(overrides: list[str] | tuple[str, ...]) -> tuple[str | None, list[str]]:
    """Split a plan's recorded overrides into (scenario path, ["key=value", ...])."""
    scenario, sets = None, []
    for o in overrides:
        if o.startswith("scenario="):
            scenario = o.partition("=")[2]
        else:
            sets.append(o)
    return scenario, sets


def get_value(li, path: str) -> float:
    """The instance's current value at a dotted path (list elements by id); a missing
    multiplier in a ``..._multipliers`` mapping is 1."""
    node: Any = li.instance
    parts = path.split(".")
    for i, part in enumerate(parts):
        if isinstance(node, list):
            node = next((x for x in node if getattr(x, "id", None) == part), None)
        elif isinstance(node, dict):
            if part not in node and parts[i - 1].endswith("multipliers") and i == len(parts) - 1:
                return 1.0
            node = node.get(part)
        else:
            node = getattr(node, part, None)
        if node is None:
            raise InputError.one(
                "--range",
                path,
                f"no such field ({'.'.join(parts[: i + 1])})",
                "give a dotted path to a number of the instance, e.g. prices.forestry_carbon_yuan_per_t",
            )
    if isinstance(node, bool) or not isinstance(node, (int, float)):
        raise InputError.one("--range", path, "not a number", "give the path of a numeric field")
    return float(node)


def _flat_keys(d: Any, prefix: str = "") -> set[str]:
    out: set[str] = set()
    if isinstance(d, dict):
        for k, v in d.items():
            key = f"{prefix}.{k}" if prefix else str(k)
            out.add(key)
            out |= _flat_keys(v, key)
    return out


def attribute_problem(pr: Problem, over: Any, scenario: Any, set_keys: list[str]) -> Problem:
    """Name the --set option or scenario file a bad value came from, not the instance."""
    for k in set_keys:  # problem fields name list elements by id, as --set paths do
        if pr.field == k or pr.field.startswith(k + ".") or k.startswith(pr.field + "."):
            return dataclasses.replace(pr, file=f"--set {k}")
    if over is not None and pr.field in _flat_keys(over):
        return dataclasses.replace(pr, file=str(scenario))
    return pr
