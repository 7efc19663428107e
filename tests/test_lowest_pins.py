"""scripts/check_lowest_pins.py derives the right constraints from pyproject.toml (its
venv + install + pytest run is what CI does; here only the pin logic, no installs)."""

from __future__ import annotations

import importlib.util
import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("check_lowest_pins", ROOT / "scripts" / "check_lowest_pins.py")
clp = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(clp)

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _pins(text: str) -> list[tuple[str, str]]:
    out = []
    for line in text.splitlines():
        m = re.fullmatch(r"([a-z0-9-]+)==([0-9][0-9a-z.]*)", line)
        assert m, f"not a name==version pin: {line!r}"
        out.append((m[1], m[2]))
    return out


def test_one_exact_pin_per_direct_dependency_at_its_lower_bound():
    """Every requirement of dependencies + the test, geo and app extras (the test extra's
    planner[geo] and planner[app] are those extras, not packages to pin) gets exactly one
    name==lower line."""
    project = PYPROJECT["project"]
    extras = project["optional-dependencies"]
    reqs = project["dependencies"] + extras["test"] + extras["geo"] + extras["app"]
    want: dict[str, str] = {}
    for r in reqs:
        name = re.match(r"[A-Za-z0-9._-]+", r)[0]
        if name == "planner":
            assert r in ("planner[geo]", "planner[app]")
            continue
        lower = re.search(r">=\s*([0-9][0-9A-Za-z.]*)", r)
        assert lower, f"{r!r} has no >= lower bound"
        key = re.sub(r"[-_.]+", "-", name).lower()
        assert want.get(key, lower[1]) == lower[1], f"{key} listed twice with different bounds"
        want[key] = lower[1]
    pins = _pins(clp.constraints_text(PYPROJECT))
    names = [n for n, _ in pins]
    assert len(names) == len(set(names)), names
    assert dict(pins) == want
    assert "planner" not in names and {"geopandas", "pyogrio", "highspy", "pytest"} <= set(names)


def test_self_references_are_followed_transitively_and_not_pinned():
    pp = {
        "project": {
            "name": "My_Pkg",
            "dependencies": ["core>=1.0"],
            "optional-dependencies": {
                "test": ["my-pkg[geo, extra2]", "pytest>=8"],
                "geo": ["Shapely>=2.1"],
                "extra2": ["my.pkg[geo]", "zz>=0.1"],
                "unused": ["never>=9"],
            },
        }
    }
    assert clp.lowest_pins(pp, ("test",)) == {"core": "1.0", "pytest": "8", "shapely": "2.1", "zz": "0.1"}


def test_extras_markers_and_names_are_read_and_normalized():
    pp = {
        "project": {
            "name": "p",
            "dependencies": [
                "PyYAML >= 6.0.1 ; python_version >= '3.8'",
                "pyyaml>=6.0",
                "uvicorn[standard]>=0.30,!=0.31.0",
                "a_b.c>=1.2",
            ],
        }
    }
    assert clp.constraints_text(pp, ()) == "a-b-c==1.2\npyyaml==6.0.1\nuvicorn==0.30\n"


@pytest.mark.parametrize("req", ["nobound", "capped<2", "two>=1,>=2", "url @ https://example.org/x.whl"])
def test_a_requirement_without_one_lower_bound_is_refused(req):
    pp = {"project": {"name": "p", "dependencies": [req]}}
    with pytest.raises(ValueError, match="lower bound|cannot read"):
        clp.constraints_text(pp, ())


def test_an_unknown_extra_is_refused():
    pp = {"project": {"name": "p", "dependencies": [], "optional-dependencies": {"test": ["p[nope]"]}}}
    with pytest.raises(ValueError, match="nope"):
        clp.lowest_pins(pp, ("test",))
