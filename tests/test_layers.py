"""The package runs one way: each layer imports only the layers before it, no module
takes part in an import cycle, and no planner module is imported inside a function to
hide one (outside the command line, which imports its commands' machinery late so that
``planner --help`` starts fast).

The order of the layers is the pipeline (README, "Layout"):

    core -> instance -> model -> solver -> plan -> verify -> api -> explain -> tradeoffs
         -> sweep -> generate -> report -> app -> cli

Imports are read from the source with ``ast`` (every import statement, at any depth), so
the test sees what a reader sees. import-linter would check the same contracts, but its
current releases require rich>=14.2, above the lower bound this project keeps for rich.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "planner"

# (layer, module prefixes): a module belongs to the first layer one of whose prefixes it
# equals or lies under
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("core", ("planner.core",)),
    ("instance", ("planner.instance",)),
    ("model", ("planner.model",)),
    ("solver", ("planner.solver",)),
    ("plan", ("planner.plan",)),
    ("verify", ("planner.verify",)),
    ("api", ("planner.api", "planner.examples", "planner.county")),
    ("explain", ("planner.explain",)),
    ("tradeoffs", ("planner.tradeoffs",)),
    ("sweep", ("planner.sweep",)),
    ("generate", ("planner.generate",)),
    ("report", ("planner.report",)),
    ("app", ("planner.app",)),  # planner serve: the web app, beside the command line that starts it
    ("cli", ("planner.cli", "planner.__main__")),
    ("package", ("planner",)),  # planner/__init__.py: the public names, re-exported
]
LATE_IMPORTS_ALLOWED = ("planner.cli",)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py") if "_models" not in p.parts and "_instances" not in p.parts}


def layer_of(module: str) -> int:
    for i, (_, prefixes) in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return i
    raise AssertionError(f"{module} belongs to no layer: add it to LAYERS in tests/test_layers.py and the README")


def imports_of(module: str) -> list[tuple[str, int, bool]]:
    """(imported planner module, line, inside a function or class) for every import in ``module``.

    ``from planner.a import b`` is an import of ``planner.a.b`` when that is a module,
    else of ``planner.a``."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_pkg = path.name == "__init__.py"
    out = []
    for node in ast.walk(tree):
        nested = getattr(node, "col_offset", 0) > 0
        if isinstance(node, ast.Import):
            out += [(a.name, node.lineno, nested) for a in node.names if a.name.split(".")[0] == "planner"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")[: len(module.split(".")) - node.level + (1 if is_pkg else 0)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "planner":
                continue
            for a in node.names:
                sub = f"{target}.{a.name}"
                out.append((sub if sub in MODULES else target, node.lineno, nested))
    return [(t, line, nested) for t, line, nested in out if t in MODULES]


GRAPH = {m: imports_of(m) for m in MODULES}


def test_every_module_has_a_layer():
    for m in MODULES:
        layer_of(m)


def test_each_layer_imports_only_layers_before_it():
    bad = {
        f"{m} ({LAYERS[layer_of(m)][0]}) imports {t} ({LAYERS[layer_of(t)][0]}) at line {line}"
        for m, edges in GRAPH.items()
        for t, line, _ in edges
        if layer_of(t) > layer_of(m)
    }
    assert not bad, "imports against the pipeline:\n" + "\n".join(sorted(bad))


def _cycles() -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), plus self-imports."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in {t for t, _, _ in GRAPH[v]}:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1 or any(t == v for t, _, _ in GRAPH[v]):
                found.append(sorted(comp))

    for v in sorted(GRAPH):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles():
    cycles = _cycles()
    assert not cycles, "modules that import each other (directly or through others): " + "; ".join(
        " <-> ".join(c) for c in cycles
    )


def test_no_planner_module_is_imported_inside_a_function():
    late = {
        f"{MODULES[m].relative_to(ROOT)}:{line} imports {t}"
        for m, edges in GRAPH.items()
        if not m.startswith(LATE_IMPORTS_ALLOWED)
        for t, line, nested in edges
        if nested
    }
    assert not late, "imports inside functions (move them to the top of the module):\n" + "\n".join(sorted(late))


def test_the_cycle_finder_finds_a_cycle():
    """The test above could pass by finding nothing: a two-module cycle and a
    self-import must be found."""
    global GRAPH
    saved = GRAPH
    try:
        GRAPH = {"a": [("b", 1, False)], "b": [("a", 1, True)], "c": [("c", 1, False)], "d": []}
        assert sorted(_cycles()) == [["a", "b"], ["c"]]
    finally:
        GRAPH = saved


def test_files_are_replaced_only_through_core_files():
    """One way to write a file whole: only planner/core/files.py (files) and
    planner/core/outdir.py (result folders) rename things into place or make temporary
    files beside a result."""
    allowed = {"planner.core.files", "planner.core.outdir"}
    calls = {"replace", "rename", "mkstemp", "NamedTemporaryFile"}
    found = []
    for m, path in MODULES.items():
        if m in allowed:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in calls:
                owner = node.func.value
                if isinstance(owner, ast.Name) and owner.id in ("os", "tempfile"):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} {owner.id}.{node.func.attr}")
    assert not found, "write through planner.core.files instead:\n" + "\n".join(found)


def test_the_package_works_without_the_geo_extra():
    """geopandas, shapely, pyogrio and pyproj come with the optional ``geo`` extra: every
    module imports without them, and the README's first command (a CSV instance solved,
    verified and reported) needs none of them. Run in a child where importing them fails."""
    import subprocess
    import sys

    modules = sorted(m for m in MODULES if m != "planner.__main__")
    code = f"""
import importlib, sys
class NoGeo:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("geopandas", "shapely", "pyogrio", "pyproj"):
            raise ImportError("no " + name + " (the geo extra is not installed)")
sys.meta_path.insert(0, NoGeo())
for m in {modules!r}:
    importlib.import_module(m)
import planner
from planner.report import write_report
plan = planner.solve(planner.examples.tiny())
assert plan.status == "optimal" and plan.verification["passed"], plan.status
write_report(plan, sys.argv[1], instance=planner.examples.tiny())
print("ok")
"""
    with __import__("tempfile").TemporaryDirectory() as out:
        r = subprocess.run([sys.executable, "-c", code, out], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0 and r.stdout.strip().endswith("ok"), r.stderr[-3000:]
