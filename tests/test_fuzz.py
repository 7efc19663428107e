"""Fuzzing the loader: whatever is wrong with an instance, its parcel table or its
valuation library, ``planner.load_instance`` either succeeds or raises
:class:`planner.core.errors.InputError` - never another exception (which the CLI would show
as a traceback).

Each example starts from the bundled tiny instance (YAML, parcel CSV and a copy of the
library it references), applies a few random mutations and loads the result from a
fresh temporary directory. Crashes found here are kept as regression tests in
``test_bad_inputs.py``.
"""

from __future__ import annotations

import copy
import math
import os
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import planner  # noqa: E402
from planner.core.errors import InputError  # noqa: E402
from planner.core.paths import bundled_dir  # noqa: E402

INSTANCES = bundled_dir("instances")
BASE_YAML: dict = yaml.safe_load((INSTANCES / "tiny.yaml").read_text(encoding="utf-8"))
BASE_CSV: str = (INSTANCES / "tiny_parcels.csv").read_text(encoding="utf-8")
BASE_LIB: dict = yaml.safe_load((bundled_dir("models") / f"{BASE_YAML['valuation']}.yaml").read_text(encoding="utf-8"))

SETTINGS = dict(
    deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow], database=None
)
# PLANNER_FUZZ_SCALE=20 pytest tests/test_fuzz.py runs twenty times as many examples (a longer hunt).
SCALE = float(os.environ.get("PLANNER_FUZZ_SCALE", "1"))


def _n(k: int) -> int:
    return max(1, int(k * SCALE))


# Values a field may be replaced with: every YAML type, and numbers at the edges.
EDGE_NUMBERS = [0, -1, -0.5, 1e-12, 1e30, 10**30, float("nan"), float("inf"), float("-inf"), 15, 1e308]
ANY_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**25), max_value=10**25),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(EDGE_NUMBERS),
    st.text(max_size=8),
    st.sampled_from(
        [
            "",
            "east",
            "west",
            "2025",
            "2035",
            "grassland",
            "mu",
            "ha",
            "x" * 300,
            "../nope.csv",
            "models",
            "\x00",
            "a\tb",
        ]
    ),
    st.lists(st.one_of(st.integers(), st.text(max_size=4), st.none()), max_size=3),
    st.dictionaries(st.text(max_size=6), st.one_of(st.integers(), st.text(max_size=4), st.none()), max_size=3),
)


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every key path into a nested dict/list (not the root)."""
    out: list[tuple] = []
    if isinstance(node, dict):
        for k, v in node.items():
            out.append(prefix + (k,))
            out += _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out.append(prefix + (i,))
            out += _paths(v, prefix + (i,))
    return out


def _get(node: Any, path: tuple) -> Any:
    for p in path:
        node = node[p]
    return node


@st.composite
def mutated_tree(draw, base: dict) -> Any:
    """``base`` with 1-4 structural mutations: drop a key, duplicate a list element, change a
    value's type, perturb a number, or swap in a new key."""
    tree = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 4))):
        paths = _paths(tree)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent, key = _get(tree, path[:-1]), path[-1]
        op = draw(st.sampled_from(["drop", "dup", "retype", "number", "add_key"]))
        if op == "drop":
            del parent[key]
        elif op == "dup":
            if isinstance(parent, list):
                parent.insert(key, copy.deepcopy(parent[key]))
            else:
                parent[key] = [copy.deepcopy(parent[key])] * 2
        elif op == "retype":
            parent[key] = draw(ANY_VALUE)
        elif op == "number":
            value = parent[key]
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                parent[key] = draw(st.sampled_from(EDGE_NUMBERS + [-value, value * 15, value / 15]))
            else:
                parent[key] = draw(st.sampled_from(EDGE_NUMBERS))
        elif op == "add_key" and isinstance(parent[key], dict):
            parent[key][draw(st.one_of(st.text(max_size=6), st.integers(), st.none(), st.booleans()))] = draw(ANY_VALUE)
    return tree


@st.composite
def mutated_csv(draw) -> str:
    """The tiny parcel table with rows deleted or duplicated, cells blanked or changed,
    columns dropped or rows made ragged."""
    rows = [line.split(",") for line in BASE_CSV.splitlines()]
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["del_row", "dup_row", "blank", "cell", "del_col", "ragged", "header"]))
        if len(rows) < 2 and op != "header":
            break
        r = draw(st.integers(1, len(rows) - 1)) if len(rows) > 1 else 0
        c = draw(st.integers(0, len(rows[0]) - 1)) if rows[0] else 0
        if op == "del_row":
            del rows[r]
        elif op == "dup_row":
            rows.insert(r, list(rows[r]))
        elif op == "blank" and c < len(rows[r]):
            rows[r][c] = ""
        elif op == "cell" and c < len(rows[r]):
            rows[r][c] = draw(
                st.one_of(
                    st.sampled_from(
                        [
                            "nan",
                            "NaN",
                            "NA",
                            "inf",
                            "-1",
                            "0",
                            "1e400",
                            "true",
                            "  ",
                            '"',
                            "E1",
                            "east",
                            "15",
                            "yes",
                            "None",
                        ]
                    ),
                    st.text(alphabet=st.characters(blacklist_characters=",\n\r"), max_size=6),
                )
            )
        elif op == "del_col":
            for row in rows:
                if c < len(row):
                    del row[c]
        elif op == "ragged":
            rows[r] = rows[r] + ["extra"] * draw(st.integers(1, 3)) if draw(st.booleans()) else rows[r][: max(0, c)]
        elif op == "header":
            rows[0] = [
                draw(st.sampled_from(["id", "area", "ID", " area", "area", ""])) if i == c else h
                for i, h in enumerate(rows[0])
            ]
    return "\n".join(",".join(row) for row in rows) + "\n"


def _write(d: Path, inst: Any, csv_text: str | bytes, lib: Any) -> Path:
    """Write the instance (pointing at a local copy of the library) into ``d``."""
    if isinstance(inst, dict) and inst.get("valuation") == BASE_YAML["valuation"]:
        inst = {**inst, "valuation": "lib.yaml"}
    for name, obj in (("tiny.yaml", inst), ("lib.yaml", lib)):
        (d / name).write_bytes(
            obj if isinstance(obj, bytes) else yaml.safe_dump(obj, sort_keys=False, allow_unicode=True).encode()
        )
    (d / "tiny_parcels.csv").write_bytes(csv_text if isinstance(csv_text, bytes) else csv_text.encode("utf-8"))
    return d / "tiny.yaml"


def _load_or_input_error(inst: Any, csv_text: str | bytes = BASE_CSV, lib: Any = BASE_LIB) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(Path(tmp), inst, csv_text, lib)
        try:
            li = planner.load_instance(path)
        except InputError as exc:
            assert exc.problems, "an InputError must name at least one problem"
            for p in exc.problems:
                assert p.file and p.field and p.message
            str(exc)  # printable, as the CLI prints it
        else:
            assert (li.parcels["area_ha"] > 0).all() and li.parcels["area_ha"].map(math.isfinite).all()
            assert all(w.file and w.message for w in li.warnings)


def test_unmutated_copy_loads():
    _load_or_input_error(BASE_YAML)


@settings(max_examples=_n(110), **SETTINGS)
@given(mutated_tree(BASE_YAML))
def test_mutated_instance_yaml(inst):
    _load_or_input_error(inst)


@settings(max_examples=_n(50), **SETTINGS)
@given(mutated_tree(BASE_LIB))
def test_mutated_library(lib):
    _load_or_input_error(BASE_YAML, lib=lib)


@settings(max_examples=_n(70), **SETTINGS)
@given(mutated_csv(), st.sampled_from(["ha", "mu"]))
def test_mutated_parcel_table(csv_text, unit):
    _load_or_input_error({**BASE_YAML, "parcels": {**BASE_YAML["parcels"], "area_unit": unit}}, csv_text)


def _raw_bytes(obj: Any, csv_text: str) -> tuple[bytes, bytes]:
    return yaml.safe_dump(obj, sort_keys=False).encode(), csv_text.encode()


@settings(max_examples=_n(60), **SETTINGS)
@given(
    st.sampled_from(["yaml", "csv", "lib"]),
    st.sampled_from(["truncate", "bad_utf8", "garbage"]),
    st.floats(0, 1),
    st.binary(min_size=1, max_size=6),
)
def test_damaged_files(which, op, where, junk):
    """Truncated files, invalid UTF-8 and random bytes in any of the three files."""
    texts = {
        "yaml": yaml.safe_dump({**BASE_YAML, "valuation": "lib.yaml"}, sort_keys=False).encode(),
        "csv": BASE_CSV.encode(),
        "lib": yaml.safe_dump(BASE_LIB, sort_keys=False).encode(),
    }
    data = texts[which]
    cut = int(where * len(data))
    if op == "truncate":
        data = data[:cut]
    elif op == "bad_utf8":
        data = data[:cut] + b"\xff\xfe" + junk + data[cut:]
    else:
        data = data[:cut] + junk + data[cut:]
    texts[which] = data
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        (d / "tiny.yaml").write_bytes(texts["yaml"])
        (d / "tiny_parcels.csv").write_bytes(texts["csv"])
        (d / "lib.yaml").write_bytes(texts["lib"])
        try:
            planner.load_instance(d / "tiny.yaml")
        except InputError as exc:
            assert exc.problems


@settings(max_examples=_n(30), **SETTINGS)
@given(ANY_VALUE)
def test_top_level_of_any_type(value):
    """A YAML document that is a scalar, list or odd mapping instead of an instance."""
    _load_or_input_error(value)
    _load_or_input_error(BASE_YAML, lib=value)
