"""Every constraint component the model can build has a test of its own (the calliope habit:
"a test fails if any constraint has no test of its own").

A rule family lives in ``planner/model/rules/<module>.py`` and adds its constraint components with
``add_rows(m, FAMILY, "<name>", rows)``. Its tests live in the mirror module
``tests/test_<module>.py``, and for every component ``<name>`` the module has at least one
test that shows the component binding (the optimum derived by hand, and different without
it) and says so in its docstring with the line::

    Constraint: `<name>`.

This module reads the rules' source (no solve), so adding a constraint without a test that
names it, renaming one, or adding a rules module without a mirror test module fails here.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pyomo.environ as pyo
import pytest

import planner
import planner.model.rules
from planner.model.build import build_model
from planner.model.data import ModelData

RULES = Path(planner.model.rules.__file__).resolve().parent
TESTS = Path(__file__).resolve().parent

# rules modules with no mirror test module, and why; each must add no constraint component
NO_MIRROR = {
    "__init__": "defines the family order",
    "gep": "defines the GEP expression only (tested through every objective and in test_objective.py)",
    "dividends": (
        "defines the income and dividends expressions only (tested through the dividends in test_objective.py, "
        "test_projects.py, test_carbon_application.py and test_dividend_floor.py)"
    ),
}

# components a mirror test module names although another rules module adds them, and why: a test
# may show a second family's row binding together with its own; the component still needs a test
# of its own in its own mirror module
ALSO_NAMED = {
    ("recruitment", "recruit_work_township"): (
        "test_range_max_limits_planting: the range maximum and the planting norm bind together"
    ),
}

NAMED = re.compile(r"^\s*Constraint: `([A-Za-z0-9_]+)`", re.MULTILINE)


def _modules() -> list[str]:
    return sorted(p.stem for p in RULES.glob("*.py"))


def _call_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _calls(module: str, name: str) -> list[ast.Call]:
    tree = ast.parse((RULES / f"{module}.py").read_text(encoding="utf-8"))
    return [n for n in ast.walk(tree) if isinstance(n, ast.Call) and _call_name(n.func) == name]


def _scan(module: str) -> tuple[list[str], list[str]]:
    """(component names, add_rows calls whose name is not a string literal) of a rules module."""
    names, opaque = [], []
    for call in _calls(module, "add_rows"):
        arg = call.args[2] if len(call.args) >= 3 else None
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            names.append(arg.value)
        else:
            opaque.append(f"planner/model/rules/{module}.py line {call.lineno}")
    return names, opaque


def components(module: str) -> list[str]:
    """The component names a rules module adds: the third argument of its add_rows calls."""
    return _scan(module)[0]


def _all_components() -> dict[str, str]:
    """{component name: rules module}."""
    return {name: mod for mod in _modules() for name in components(mod)}


def mirror(module: str) -> Path:
    return TESTS / f"test_{module}.py"


def named_in_tests(module: str) -> dict[str, list[str]]:
    """{component: [test functions whose docstring has 'Constraint: `component`']} in the mirror module."""
    path = mirror(module)
    if not path.exists():
        return {}
    out: dict[str, list[str]] = {}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"):
            for name in NAMED.findall(ast.get_docstring(node) or ""):
                out.setdefault(name, []).append(node.name)
    return out


COMPONENTS = [(mod, name) for mod in _modules() for name in components(mod)]


def test_components_are_found():
    """The source scan sees the components a model actually records (a sanity check of the
    scan itself: if it found nothing, every other test here would pass vacuously)."""
    found = _all_components()
    assert len(found) >= 40
    for name in (
        "land_use_once",
        "garden_size_max",
        "recruit_village",
        "loan_gep",
        "carbon_individual_when_large",
        "street_green_cumulative",
        "labour_assign",
        "dividend_floor",
    ):
        assert name in found


def test_component_names_are_string_literals():
    """A name computed at run time could not be matched to its test."""
    opaque = [where for m in _modules() for where in _scan(m)[1]]
    assert not opaque, f"add_rows needs the component name as a string literal (third argument): {opaque}"


def test_component_names_are_unique():
    """A component is known by its name alone (duals, violations, these tests), so no two
    add_rows calls may share one."""
    seen: dict[str, str] = {}
    dup = []
    for mod, name in COMPONENTS:
        if name in seen:
            dup.append(f"{name} ({seen[name]}, {mod})")
        seen[name] = mod
    assert not dup, f"component names added twice: {dup}"


def test_every_rules_module_has_a_mirror_test_module():
    missing = [
        f"planner/model/rules/{m}.py -> tests/test_{m}.py"
        for m in _modules()
        if m not in NO_MIRROR and not mirror(m).exists()
    ]
    assert not missing, f"rules modules without a mirror test module: {missing}"


def test_modules_without_mirror_add_no_constraints():
    """The exemptions are real modules and add no constraint component (gep only defines an
    expression); a constraint added to one of them needs a mirror test module."""
    for m, why in NO_MIRROR.items():
        assert (RULES / f"{m}.py").exists(), f"stale exemption {m!r} ({why})"
        assert components(m) == [], (
            f"planner/model/rules/{m}.py now adds constraints {components(m)}: give it tests/test_{m}.py"
        )


def test_rules_add_constraints_only_through_add_rows():
    """A constraint built directly (pyo.Constraint, add_component) would escape the name
    registry (``m._families``) and this coverage check."""
    bad = []
    for m in _modules():
        if m == "__init__":
            continue
        for fn in ("Constraint", "ConstraintList", "add_component"):
            bad += [f"planner/model/rules/{m}.py line {c.lineno}: {fn}" for c in _calls(m, fn)]
    assert not bad, f"add constraints with add_rows(m, FAMILY, name, rows): {bad}"


def test_built_model_has_no_constraint_unknown_to_the_scan():
    """Every constraint of a built model (the bundled tiny instance) is a component the
    scan found, so no constraint reaches the model some other way (model.py, a helper)."""
    found = _all_components()
    m = build_model(ModelData(planner.examples.tiny()))
    on_model = {c.local_name for c in m.component_objects(pyo.Constraint)}
    assert on_model, "the tiny instance built no constraint at all"
    assert on_model <= set(found), (
        f"constraints not added through add_rows in planner/model/rules: {sorted(on_model - set(found))}"
    )
    recorded = {n for names in m._families.values() for n in names}
    assert recorded == on_model


@pytest.mark.parametrize("module, name", COMPONENTS, ids=[n for _, n in COMPONENTS])
def test_component_has_a_test_of_its_own(module, name):
    """tests/test_<module>.py has a test whose docstring says "Constraint: `<name>`"."""
    tests = named_in_tests(module).get(name)
    assert tests, (
        f"constraint component `{name}` (planner/model/rules/{module}.py) has no test of its own: add to "
        f"tests/test_{module}.py a test that shows it binding, with 'Constraint: `{name}`.' in its docstring"
    )


@pytest.mark.parametrize("module", [m for m in _modules() if m not in NO_MIRROR])
def test_named_components_exist(module):
    """Every 'Constraint: `x`' in a mirror test module names a component its rules module adds
    (catches renames and typos that would leave a component silently untested)."""
    own = set(components(module)) | {name for mod, name in ALSO_NAMED if mod == module}
    stale = {name: tests for name, tests in named_in_tests(module).items() if name not in own}
    assert not stale, f"tests/test_{module}.py names components planner/model/rules/{module}.py does not add: {stale}"


def test_also_named_exemptions_are_real():
    """Each ALSO_NAMED entry is a component of another rules module, still named in that module's
    mirror (so the exemption never stands in for the component's own test)."""
    found = _all_components()
    for (module, name), why in ALSO_NAMED.items():
        assert name in found and found[name] != module, f"stale exemption {module!r}, {name!r} ({why})"
        assert name in named_in_tests(module), f"stale exemption {module!r}, {name!r} ({why})"
        assert named_in_tests(found[name]).get(name), f"`{name}` has no test in tests/test_{found[name]}.py"
