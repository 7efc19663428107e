"""The verifier stays independent of the model, and has one check module per rule family.

`planner verify` is worth something only if it does not share code with what it checks:
every module of planner/verify may import planner.core, planner.instance and its own
modules, nothing else of the package (no model, solver or plan). And a newcomer looking
for how a rule is verified finds it under the rule's own name: planner/verify/<family>.py
beside planner/model/rules/<family>.py.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VERIFY = ROOT / "planner" / "verify"
RULES = ROOT / "planner" / "model" / "rules"

#: The planner packages the verifier may read.
ALLOWED = ("planner.core", "planner.instance", "planner.verify")

#: The rule families (gep and dividends are expressions of the objective, no rule to check).
FAMILIES = (
    "land_use",
    "farmland_protection",
    "red_line",
    "eco_space",
    "village_permission",
    "interactive_forest",
    "fruit",
    "gardens",
    "street_green",
    "coverage",
    "projects",
    "recruitment",
    "recruitment_work",
    "labour_pool",
    "carbon_application",
    "budget",
    "loans",
    "dividend_floor",
    "targets",
)
EXPRESSIONS = ("gep", "dividends")


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import in a file, functions included."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path.name}:{node.lineno}: relative import"
            mod = node.module or ""
            if mod == "planner":  # from planner import x: the module planner.x
                out += [(node.lineno, f"planner.{a.name}") for a in node.names]
            else:
                out.append((node.lineno, mod))
    return out


def _within(mod: str, package: str) -> bool:
    return mod == package or mod.startswith(package + ".")


def test_verifier_imports_only_core_and_instance():
    bad = [
        f"{path.relative_to(ROOT)}:{line} imports {mod}"
        for path in sorted(VERIFY.glob("*.py"))
        for line, mod in _imports(path)
        if _within(mod, "planner") and not any(_within(mod, p) for p in ALLOWED)
    ]
    assert not bad, "the verifier must not read the model it checks:\n" + "\n".join(bad)


def _family(path: Path) -> str | None:
    """The module's ``FAMILY = "..."``, or None."""
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "FAMILY" for t in node.targets)
            and isinstance(node.value, ast.Constant)
        ):
            return node.value.value
    return None


def _has_check(path: Path) -> bool:
    return any(isinstance(n, ast.FunctionDef) and n.name == "check" for n in ast.parse(path.read_text()).body)


def test_every_rule_family_has_its_check_module():
    missing = [f for f in FAMILIES if not (VERIFY / f"{f}.py").is_file() or not _has_check(VERIFY / f"{f}.py")]
    assert not missing, f"no planner/verify/<family>.py with check(c, rep) for: {missing}"


def test_model_rule_modules_have_a_verify_module_of_their_name():
    """Each rule module of the model, where it exists, is a family of the list and has
    its check module; a module named after a family states that family."""
    for f in FAMILIES:
        path = RULES / f"{f}.py"
        if path.is_file():
            assert _family(path) == f, f"{path.relative_to(ROOT)} states FAMILY {_family(path)!r}"
    for path in sorted(RULES.glob("*.py")):
        fam = _family(path)
        if fam is None or fam in EXPRESSIONS:
            continue
        assert fam in FAMILIES, f"{path.relative_to(ROOT)}: rule family {fam!r} is not in the list"
        assert (VERIFY / f"{fam}.py").is_file(), f"{path.relative_to(ROOT)}: no planner/verify/{fam}.py"
