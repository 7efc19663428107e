#!/usr/bin/env python3
"""Run the test suite with every direct dependency at its declared lower bound.

    python scripts/check_lowest_pins.py              # the whole suite
    python scripts/check_lowest_pins.py -x tests/test_io.py   # arguments go to pytest

Reads pyproject.toml, takes each direct dependency of the core ``dependencies`` and of
the ``test`` and ``geo`` extras (the test extra's ``planner[geo]`` is followed), writes a
constraints file pinning each to exactly its lower bound (``name==lower``), installs
``.[test]`` with it into a fresh virtual environment in a temporary directory, prints
the installed versions and runs ``python -m pytest -q`` there. Transitive dependencies
are left to pip (the newest it allows): that is what a user asking for the oldest
supported versions gets.

Exit code: pytest's; 2 when pyproject.toml cannot be turned into pins, 3 when the
virtual environment or the install fails. Standard library only.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXTRAS = ("test", "geo")
KEY_PACKAGES = ("highspy", "pyomo", "pandas", "numpy")

# name, optional [extras], version specifiers, optional ; marker (PEP 508, without URLs)
_REQ = re.compile(
    r"^\s*(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[(?P<extras>[^\]]*)\])?\s*"
    r"(?P<spec>[^;]*?)\s*(?:;(?P<marker>.*))?$"
)
_LOWER = re.compile(r"^(>=|==|~=)\s*([0-9][A-Za-z0-9.+!-]*)$")


def normalize(name: str) -> str:
    """PEP 503 name: lower case, runs of ``-_.`` as one ``-``."""
    return re.sub(r"[-_.]+", "-", name).lower()


def parse_requirement(req: str) -> tuple[str, list[str], str]:
    """``'planner[geo]'`` -> ``('planner', ['geo'], '')``; ``'pyomo>=6.8'`` -> ``('pyomo', [], '>=6.8')``."""
    m = _REQ.match(req)
    if not m or "@" in req:
        raise ValueError(f"cannot read requirement {req!r} (expected NAME[EXTRAS]SPECIFIERS)")
    extras = [e.strip() for e in (m["extras"] or "").split(",") if e.strip()]
    return m["name"], extras, m["spec"].strip()


def lower_bound(req: str) -> str:
    """The version a requirement's ``>=`` (or ``==``/``~=``) clause names; ValueError if none."""
    name, _, spec = parse_requirement(req)
    found = [m[2] for m in (_LOWER.match(c.strip()) for c in spec.split(",") if c.strip()) if m]
    if len(found) != 1:
        raise ValueError(f"requirement {req!r} needs exactly one lower bound (>=, == or ~=) to be pinned")
    return found[0]


def direct_requirements(pyproject: dict, extras: tuple[str, ...] = EXTRAS) -> list[str]:
    """Core dependencies plus those of ``extras``, following self-references such as
    ``planner[geo]`` (which are not themselves returned)."""
    project = pyproject["project"]
    me = normalize(project["name"])
    optional = project.get("optional-dependencies", {})
    out: list[str] = list(project.get("dependencies", []))
    todo, seen = list(extras), set()
    while todo:
        extra = todo.pop(0)
        if extra in seen:
            continue
        seen.add(extra)
        if extra not in optional:
            raise ValueError(f"pyproject.toml has no optional-dependencies extra {extra!r}")
        for req in optional[extra]:
            name, sub, _ = parse_requirement(req)
            if normalize(name) == me:
                todo.extend(sub)
            else:
                out.append(req)
    return out


def _version_key(v: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", v.split("+")[0]))


def lowest_pins(pyproject: dict, extras: tuple[str, ...] = EXTRAS) -> dict[str, str]:
    """{normalized name: lower bound}; a name listed twice keeps its higher lower bound."""
    pins: dict[str, str] = {}
    for req in direct_requirements(pyproject, extras):
        name = normalize(parse_requirement(req)[0])
        low = lower_bound(req)
        if name not in pins or _version_key(low) > _version_key(pins[name]):
            pins[name] = low
    return pins


def constraints_text(pyproject: dict, extras: tuple[str, ...] = EXTRAS) -> str:
    return "".join(f"{name}=={low}\n" for name, low in sorted(lowest_pins(pyproject, extras).items()))


def _run(cmd: list[str], **kw) -> int:
    print("+ " + " ".join(cmd), flush=True)
    return subprocess.run(cmd, **kw).returncode


def main(argv: list[str] | None = None) -> int:
    pytest_args = list(sys.argv[1:] if argv is None else argv)
    try:
        pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
        constraints = constraints_text(pyproject)
    except (OSError, KeyError, ValueError, tomllib.TOMLDecodeError) as exc:
        print(f"check_lowest_pins: cannot derive pins from {ROOT / 'pyproject.toml'}: {exc}", file=sys.stderr)
        return 2
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="lowest-pins-") as tmp:
        cfile = Path(tmp) / "constraints.txt"
        cfile.write_text(constraints, encoding="utf-8")
        print(f"lowest pins ({cfile}):\n{constraints}", flush=True)
        venv = Path(tmp) / "venv"
        py = str(venv / "bin" / "python")
        env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
        env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
        steps = [
            ([sys.executable, "-m", "venv", str(venv)], "could not create a virtual environment"),
            ([py, "-m", "pip", "install", "--quiet", "--upgrade", "pip"], "could not upgrade pip in the new venv"),
            (
                [py, "-m", "pip", "install", "--quiet", "-c", str(cfile), ".[test]"],
                "FAILED to install .[test] with every direct dependency at its lower bound: a lower bound in "
                f"pyproject.toml is not installable on Python {sys.version.split()[0]} (no wheel, or it conflicts with "
                "another requirement). See pip's message above, and raise that bound",
            ),
        ]
        for cmd, why in steps:
            if _run(cmd, cwd=ROOT, env=env, stdin=subprocess.DEVNULL) != 0:
                print(f"check_lowest_pins: {why}.", file=sys.stderr)
                return 3
        t_install = time.monotonic() - t0
        freeze = subprocess.run([py, "-m", "pip", "freeze"], capture_output=True, text=True, env=env).stdout
        print("installed (pip freeze):\n" + freeze, flush=True)
        key = {normalize(line.split("==")[0]): line for line in freeze.splitlines() if "==" in line}
        print("key packages: " + ", ".join(key.get(k, f"{k} missing") for k in KEY_PACKAGES), flush=True)
        rc = _run([py, "-m", "pytest", "-q", *pytest_args], cwd=ROOT, env=env, stdin=subprocess.DEVNULL)
    total = time.monotonic() - t0
    print(f"check_lowest_pins: pytest exit {rc}; install {t_install:.0f} s, install + tests {total:.0f} s", flush=True)
    return rc


if __name__ == "__main__":
    sys.exit(main())
