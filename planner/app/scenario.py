"""A scenario as the app edits it: the instance's numbers a planner may change (each with
its unit, range and the schema's description), forced and forbidden decisions, and the
overlay YAML the command line reads (``planner solve INSTANCE --scenario FILE``).

An overlay names only what differs from the instance: periods by id
(``periods: {"2025": {budget_yuan: ...}}``), roles by id, and ``decisions``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import yaml
from pydantic.fields import FieldInfo

from planner.core.errors import InputError
from planner.explain.diagnose import Diagnosis
from planner.explain.wording import NUMERIC_LIMIT, SHARE_OF_TOWNSHIP
from planner.instance.load import LoadedInstance
from planner.instance.overrides import get_value
from planner.instance.schema import Period, Policies, Prices, Role


@dataclass(frozen=True)
class Setting:
    """One number of the instance the app lets a planner change."""

    path: str  # dotted path, list elements by id: periods.2025.budget_yuan
    group: str  # budgets, prices, policies, recruitment
    label: str
    unit: str
    description: str
    lo: float | None  # inclusive
    hi: float | None
    integer: bool
    value: float | None  # the instance's (None: the rule is off)


def _bounds(info: FieldInfo) -> tuple[float | None, float | None]:
    lo = hi = None
    for m in info.metadata:
        lo = getattr(m, "ge", None) if getattr(m, "ge", None) is not None else lo
        lo = getattr(m, "gt", None) if getattr(m, "gt", None) is not None else lo
        hi = getattr(m, "le", None) if getattr(m, "le", None) is not None else hi
    return lo, hi


def _unit(info: FieldInfo, path: str) -> str:
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    unit = extra.get("unit")
    if unit:
        return str(unit)
    if path.endswith(("_share", "_min")) and "coverage" in path or path.endswith("red_line_min_share"):
        return "share 0-1"
    return "Yuan" if "yuan" in path.split(".")[-1] else ""


def _setting(model: type, name: str, path: str, group: str, label: str, value: Any) -> Setting:
    info = model.model_fields[name]
    lo, hi = _bounds(info)
    return Setting(
        path=path,
        group=group,
        label=label,
        unit=_unit(info, path),
        description=info.description or "",
        lo=lo,
        hi=hi,
        integer=info.annotation in (int, "int", int | None),
        value=None if value is None else float(value),
    )


PRICE_FIELDS = (
    "forestry_carbon_yuan_per_t",
    "agricultural_carbon_yuan_per_t",
    "gep_scale",
    "establishment_cost_multiplier",
)
POLICY_FIELDS = (
    "garden_max_ha",
    "garden_min_ha",
    "vegetation_coverage_min",
    "forest_coverage_min",
    "red_line_min_share",
    "dividend_floor_yuan",
)


def settings(li: LoadedInstance) -> list[Setting]:
    """The numbers the app shows for editing, in the order a planner meets them."""
    inst = li.instance
    out = [
        _setting(Period, "budget_yuan", f"periods.{p.id}.budget_yuan", "budgets", f"budget {p.id}", p.budget_yuan)
        for p in inst.periods
    ]
    out += [
        _setting(Prices, f, f"prices.{f}", "prices", f.replace("_", " "), getattr(inst.prices, f)) for f in PRICE_FIELDS
    ]
    out += [
        _setting(Policies, f, f"policies.{f}", "policies", f.replace("_", " "), getattr(inst.policies, f))
        for f in POLICY_FIELDS
    ]
    if inst.policies.contiguous_gardens and li.geometry is not None:  # it shapes only sites of mapped parcels
        out.append(
            _setting(
                Policies,
                "garden_bridge_width_ratio",
                "policies.garden_bridge_width_ratio",
                "policies",
                "garden bridge width ratio",
                inst.policies.garden_bridge_width_ratio,
            )
        )
    for r in inst.roles:
        if r.min_per_project is None:
            out.append(_setting(Role, "min", f"roles.{r.id}.min", "recruitment", f"{r.id} min", r.min))
        else:  # the minimum per project (``min`` is their sum, written with them: see overlay)
            for j, n in r.min_per_project.items():
                path = f"roles.{r.id}.{PER_PROJECT}.{j}"
                out.append(_per_project_setting(path, f"{r.id} min {j}", n))
        out.append(_setting(Role, "max", f"roles.{r.id}.max", "recruitment", f"{r.id} max", r.max))
    return out


PER_PROJECT = "min_per_project"


def _per_project_setting(path: str, label: str, value: int | None) -> Setting:
    """A role's minimum for one project (``roles.<id>.min_per_project.<project>``): whole people."""
    info = Role.model_fields[PER_PROJECT]
    return Setting(
        path=path,
        group="recruitment",
        label=label,
        unit="people",
        description=info.description or "",
        lo=0.0,
        hi=None,
        integer=True,
        value=None if value is None else float(value),
    )


def _per_project_roles(li: LoadedInstance, out: dict) -> None:
    """A role whose per-project minimums the overlay changes gets all of them and ``min``, their
    sum (the schema wants ``min`` to be the sum), so the overlay loads as it is."""
    for r in li.instance.roles:
        node = out.get("roles", {}).get(r.id, {})
        if r.min_per_project is None or PER_PROJECT not in node:
            continue
        mins = {j: int(node[PER_PROJECT].get(j, n)) for j, n in r.min_per_project.items()}
        node[PER_PROJECT] = mins
        node["min"] = sum(mins.values())


def check(setting: Setting, value: Any) -> str | None:
    """What is wrong with ``value`` for ``setting`` (None: it is fine; an empty value turns an
    optional rule off, or keeps the instance's value for a required one)."""
    if value is None or value == "":
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        return f"{value!r} is not a number"
    if not math.isfinite(v):
        return f"{value!r} is not a finite number"
    if setting.integer and v != int(v):
        return "must be a whole number"
    if setting.lo is not None and v < setting.lo:
        return f"must be at least {setting.lo:g}"
    if setting.hi is not None and v > setting.hi:
        return f"must be at most {setting.hi:g}"
    return None


def _put(tree: dict, path: str, value: Any) -> None:
    parts = path.split(".")
    node = tree
    for p in parts[:-1]:
        node = node.setdefault(p, {})
    node[parts[-1]] = value


def overlay(li: LoadedInstance, values: dict[str, Any], force: list[str], forbid: list[str]) -> dict:
    """The overlay of a scenario: each setting whose value differs from the instance's, and
    the decisions. InputError (file ``scenario``) naming each bad value."""
    problems = []
    out: dict = {}
    by_path = {s.path: s for s in settings(li)}
    for path, raw in values.items():
        s = by_path.get(path)
        if s is None:
            problems.append(InputError.one("scenario", path, "not a setting the app can change", "").problems[0])
            continue
        bad = check(s, raw)
        if bad:
            problems.append(InputError.one("scenario", path, bad, s.description, raw).problems[0])
            continue
        v = None if raw in (None, "") else float(raw)
        if v is None and s.value is not None and path.startswith(("periods.", "roles.", "prices.")):
            continue  # a required number left empty keeps the instance's value
        if v == s.value:
            continue
        _put(out, path, int(v) if v is not None and (s.integer or v.is_integer()) else v)
    if problems:
        raise InputError(problems)
    _per_project_roles(li, out)
    if force or forbid:
        out["decisions"] = {k: list(v) for k, v in (("force", force), ("forbid", forbid)) if v}
    return out


def to_yaml(name: str, instance_file: str, over: dict) -> str:
    """The overlay as YAML with a header saying how to use it."""
    head = (
        f"# scenario {name!r}, saved by planner serve\n"
        f"# instance: {instance_file}\n"
        f"# solve it: planner solve {instance_file} --scenario {name}.yaml\n"
    )
    return head + (yaml.safe_dump(over, allow_unicode=True, sort_keys=False) if over else "{}\n")


def relaxed(li: LoadedInstance, dg: Diagnosis, base: dict) -> tuple[dict, list[str]]:
    """The diagnosis's smallest relaxation as a scenario: ``base`` with each relaxed number
    moved by the amount the diagnosis found (budgets and limits raised, coverage floors
    lowered), and the statements it could not turn into a number (relax them by hand)."""
    over = yaml.safe_load(yaml.safe_dump(base)) or {}
    left: list[str] = []
    area = float(li.parcels["area_ha"].sum())
    for _, r in dg.relaxations.iterrows():
        name, fld, amount = str(r["constraint"]), str(r["field"] or ""), float(r["amount"])
        try:
            current = get_value(li, fld) if fld else None
        except InputError:
            current = None
        if current is None or not (name in NUMERIC_LIMIT or name in SHARE_OF_TOWNSHIP):
            left.append(str(r["statement"]))
            continue
        if name in SHARE_OF_TOWNSHIP and area > 0:
            new = max(0.0, current - amount / area)
        else:
            new = current + amount if r["sense"] == "<=" or name == "budget" else current - amount
        if r["unit"].startswith("Yuan"):
            new = float(math.ceil(new - 1e-6))
        elif r["unit"] == "people":
            new = float(math.ceil(new - 1e-9) if r["sense"] == "<=" else math.floor(new + 1e-9))
        _put(over, fld, int(new) if new.is_integer() else round(new, 6))
    for text in dg.impossible:
        left.append(text)
    return over, left


__all__ = ["Setting", "check", "overlay", "relaxed", "settings", "to_yaml"]
