"""Safe YAML: the instance, a scenario overlay and the valuation library are read here.

Plain data only (a safe loader constructs no objects), with limits on size, nesting and
what aliases may expand to, and no key given twice in one mapping (YAML would silently
keep the last one). Every problem is an :class:`InputError` naming the file and where.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from planner.core.errors import InputError, Problem

MAX_YAML_BYTES = 20_000_000  # an instance, overlay or library is a few kB; parcels belong in the table
MAX_YAML_DEPTH = 40  # the schema nests about 6 deep
MAX_YAML_NODES = 2_000_000  # bounds what aliases ("billion laughs") can expand to


def _depth_and_size(obj: Any) -> tuple[int, int]:
    """Nesting depth and node count of loaded YAML, without recursion (stops early when over the limits)."""
    stack, depth, nodes = [(obj, 1)], 0, 0
    while stack:
        o, dpt = stack.pop()
        nodes += 1
        depth = max(depth, dpt)
        if depth > MAX_YAML_DEPTH or nodes > MAX_YAML_NODES:
            break
        if isinstance(o, dict):
            stack.extend((v, dpt + 1) for v in o.values())
            stack.extend((k, dpt + 1) for k in o.keys() if isinstance(k, (tuple, dict, list)))
        elif isinstance(o, list):
            stack.extend((v, dpt + 1) for v in o)
    return depth, nodes


def path_exists(path: Path) -> bool:
    """``path.exists()``, but False (not an exception) for a name the OS cannot even look up
    (an embedded NUL byte, a name too long for the file system)."""
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


# libyaml's safe loader when PyYAML was built with it (about 10x faster on large instances)
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _node_id(node: Any) -> str | None:
    """The ``id`` of a composed YAML mapping, if it has a plain one (to name list elements)."""
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == "id" and isinstance(v, yaml.ScalarNode):
                return v.value
    return None


def _duplicate_keys(root: Any, file: str) -> list[Problem]:
    """Keys given twice in one mapping of a composed YAML document. YAML keeps the last
    value silently, so an edit of the first one would have no effect. Iterative (no
    recursion), each node visited once (aliases cannot multiply the work)."""
    problems: list[tuple[int, Problem]] = []
    seen: set[int] = set()
    stack: list[tuple[Any, str, int]] = [(root, "", 1)]
    while stack:
        node, path, depth = stack.pop()
        if node is None or id(node) in seen or depth > MAX_YAML_DEPTH:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first: dict[tuple[str, str], int] = {}
            for k, v in node.value:
                if not isinstance(k, yaml.ScalarNode) or k.tag == "tag:yaml.org,2002:merge":
                    continue  # a merged mapping's keys may be overridden: that is what merging is for
                here = f"{path}.{k.value}" if path else str(k.value)
                line = k.start_mark.line + 1
                key = (k.tag, k.value)
                if key in first:
                    problems.append(
                        (
                            line,
                            Problem(
                                file,
                                here,
                                f"key given twice (lines {first[key]} and {line}): YAML "
                                "would silently keep only the last value",
                                "keep one of them: delete the other, or merge the two",
                                k.value,
                            ),
                        )
                    )
                else:
                    first[key] = line
                stack.append((v, here, depth + 1))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                name = _node_id(item) or str(i)
                stack.append((item, f"{path}.{name}" if path else name, depth + 1))
    return [p for _, p in sorted(problems, key=lambda lp: lp[0])]


def parse_yaml(text: str, file: str) -> Any:
    """Parse YAML text safely: plain data only (a safe loader: no objects are
    constructed), at most ``MAX_YAML_DEPTH`` levels and ``MAX_YAML_NODES`` values
    (aliases cannot blow it up), and no key given twice in one mapping. Problems are
    raised as :class:`InputError` naming ``file``."""
    loader = _SAFE_LOADER(text)
    try:
        node = loader.get_single_node()
        duplicates = _duplicate_keys(node, file)
        if duplicates:
            raise InputError(duplicates)
        data = loader.construct_document(node) if node is not None else None
    except RecursionError:
        raise InputError.one(
            file, "(file)", "nested too deeply to read", f"keep nesting under {MAX_YAML_DEPTH} levels"
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(file)"
        problem = str(getattr(exc, "problem", None) or exc)
        if "nesting depth" in problem:  # libyaml's own limit (1,000 levels)
            raise InputError.one(
                file,
                where,
                f"nested more than {MAX_YAML_DEPTH} levels deep",
                "check the brackets and the indentation; the format nests about 6 levels",
            ) from None
        raise InputError.one(
            file, where, f"not valid YAML: {problem}", "fix the YAML syntax (indentation, colons, quotes)"
        ) from None
    finally:
        loader.dispose()
    depth, nodes = _depth_and_size(data)
    if depth > MAX_YAML_DEPTH:
        raise InputError.one(
            file,
            "(file)",
            f"nested more than {MAX_YAML_DEPTH} levels deep",
            "check the indentation; the format nests about 6 levels",
        )
    if nodes > MAX_YAML_NODES:
        raise InputError.one(
            file,
            "(file)",
            f"more than {MAX_YAML_NODES:,} values (after expanding aliases)",
            "remove the repeated aliases; put parcels in the parcel table",
        )
    return data


def read_yaml(path: Path) -> Any:
    """Read a YAML file safely (:func:`parse_yaml`): UTF-8, at most ``MAX_YAML_BYTES``."""
    if not path_exists(path):
        raise InputError.one(str(path), "(file)", "file not found", "check the path")
    if path.is_dir():
        raise InputError.one(str(path), "(file)", "is a directory, not a YAML file", "give the YAML file's path")
    size = path.stat().st_size
    if size > MAX_YAML_BYTES:
        raise InputError.one(
            str(path),
            "(file)",
            f"{size:,} bytes: too large for an instance, overlay or library (limit {MAX_YAML_BYTES:,})",
            "put parcels in the parcel table (CSV or Parquet), not in YAML",
        )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError.one(
            str(path), "(file)", f"not UTF-8 text ({exc.reason} at byte {exc.start})", "save the file as UTF-8"
        ) from None
    except OSError as exc:
        raise InputError.one(
            str(path), "(file)", f"cannot be read: {exc.strerror or exc}", "check the file's permissions"
        ) from None
    return parse_yaml(text, str(path))
