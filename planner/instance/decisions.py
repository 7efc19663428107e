"""Decisions forced or forbidden, written ``KIND:WHAT[OP NUMBER][@PERIOD]``:

- ``garden:VILLAGE`` - the village's garden (force: built by the period; forbid: never);
- ``project:PROJECT`` - an EOD project (force: built by the period; forbid: never);
- ``scenic:PARCEL`` - a scenic spot on a mature fruit forest;
- ``area:VILLAGE:USE>=HA`` (or ``<=HA``, ``=HA``) - the village's area in a use by the period;
  forbidding ``area:VILLAGE:USE`` keeps the use out of the village;
- ``parcel:PARCEL:USE>=HA`` - the same for one parcel;
- ``recruit:ROLE>=N`` or ``recruit:VILLAGE:ROLE>=N`` - people recruited in the period;
- ``street_green>=N`` - new street green spaces in the central town.

The period defaults to the last one for forcing (what exists by the end of the plan) and
to every period for forbidding.

They come from two places: ``planner why-not --force/--forbid`` (a counterfactual,
:mod:`planner.explain.whatif`) and an instance's ``decisions`` section (a scenario's own
choices, e.g. saved by ``planner serve``; :func:`instance_decisions`), which every model
of the instance honours (:mod:`planner.model.decisions` adds their rows).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from planner.core.errors import InputError, Problem
from planner.instance.load import LoadedInstance

KINDS = ("garden", "project", "scenic", "area", "parcel", "recruit", "street_green")
_SPEC = re.compile(r"^(?P<body>[^<>=@]+?)\s*(?:(?P<op>>=|<=|=)\s*(?P<num>[-+0-9.eE]+))?\s*(?:@(?P<period>[^@]+))?$")


@dataclass(frozen=True)
class Decision:
    text: str
    action: str  # "force" or "forbid"
    kind: str
    parts: tuple[str, ...]
    op: str | None = None
    value: float | None = None
    period: str | None = None

    def describe(self) -> str:
        what = ":".join((self.kind,) + self.parts)
        lim = f" {self.op} {self.value:g}" if self.op else ""
        when = f" in {self.period}" if self.period else ""
        return f"{self.action} {what}{lim}{when}"


def parse(text: str, action: str, li: LoadedInstance, where: tuple[str, str] | None = None) -> Decision:
    """Parse and check one ``--force`` / ``--forbid`` value against the instance.

    ``where``: the (file, field) a problem names; default the option and the value itself."""
    opt, place = where if where is not None else (f"--{action}", text)
    m = _SPEC.match(text.strip())
    if not m:
        raise InputError.one(
            opt,
            place,
            "not a decision",
            "write KIND:WHAT[>=N][@PERIOD], e.g. garden:hanjiata or area:hanjiata:ecological_forest>=10",
        )
    body, op, num, period = m["body"].strip(), m["op"], m["num"], m["period"]
    kind, *parts = [p.strip() for p in body.split(":")]
    inst = li.instance
    periods = [p.id for p in inst.periods]
    villages = [v.id for v in inst.villages]
    uses = sorted(li.library.uses)
    problems = []

    def need(ok: bool, what: str, fix: str, value: Any = None) -> None:
        if not ok:
            problems.append((what, fix, value))

    if kind not in KINDS:
        raise InputError.one(opt, place, f"unknown kind {kind!r}", f"use one of {', '.join(KINDS)}", kind)
    if period is not None:
        period = period.strip()
        need(period in periods, f"unknown period {period!r}", f"use one of {periods}", period)
    value = None
    if num is not None:
        try:
            value = float(num)
            need(
                math.isfinite(value), f"{num!r} is not a finite number", "write a finite number after the operator", num
            )
        except ValueError:
            need(False, f"{num!r} is not a number", "write a number after the operator", num)
    arity = {"garden": 1, "project": 1, "scenic": 1, "area": 2, "parcel": 2, "recruit": (1, 2), "street_green": 0}[kind]
    ok_arity = len(parts) in arity if isinstance(arity, tuple) else len(parts) == arity
    need(ok_arity, f"{kind} takes {arity} name(s) after the kind, got {len(parts)}", "see planner why-not --help", body)
    if ok_arity:
        if kind == "garden":
            need(parts[0] in villages, f"unknown village {parts[0]!r}", f"use one of {villages}", parts[0])
        elif kind == "project":
            ids = [j.id for j in inst.projects]
            need(parts[0] in ids, f"unknown project {parts[0]!r}", f"use one of {ids}", parts[0])
        elif kind in ("scenic", "parcel"):
            need(
                parts[0] in set(li.parcels["id"]),
                f"unknown parcel {parts[0]!r}",
                "use an id of the parcel table",
                parts[0],
            )
        if kind == "area":
            need(parts[0] in villages, f"unknown village {parts[0]!r}", f"use one of {villages}", parts[0])
        if kind in ("area", "parcel"):
            need(parts[1] in uses, f"unknown use {parts[1]!r}", f"use one of {uses}", parts[1])
        if kind == "recruit":
            roles = [r.id for r in inst.roles]
            need(parts[-1] in roles, f"unknown role {parts[-1]!r}", f"use one of {roles}", parts[-1])
            if len(parts) == 2:
                need(parts[0] in villages, f"unknown village {parts[0]!r}", f"use one of {villages}", parts[0])
    numeric = kind in ("area", "parcel", "recruit", "street_green")
    if action == "force" and numeric and op is None:
        need(False, f"forcing {kind} needs a size", f"add >=N, <=N or =N, e.g. {text}>=10")
    if action == "forbid" and op is not None:
        need(False, "a forbidden decision takes no size", f"force {text} instead to set a limit")
    if not numeric and op is not None:
        need(False, f"{kind} is yes/no and takes no size", f"write {kind}:{':'.join(parts)}")
    if problems:
        raise InputError([Problem(opt, place, *p) for p in problems])
    return Decision(text=text, action=action, kind=kind, parts=tuple(parts), op=op, value=value, period=period)


def named_parcels(decisions: Iterable[Decision]) -> set[str]:
    """Parcels the decisions name: they stay their own land units (planner.model.aggregate)."""
    return {dec.parts[0] for dec in decisions if dec.kind in ("parcel", "scenic")}


def instance_decisions(li: LoadedInstance, file: str | None = None) -> list[Decision]:
    """The instance's own ``decisions`` (forced, then forbidden), parsed and checked;
    InputError naming ``file`` (default the instance's) and ``decisions.force`` /
    ``decisions.forbid`` (the value: the entry) lists every problem."""
    file = file or str(li.path)
    out: list[Decision] = []
    problems: list[Problem] = []
    spec = li.instance.decisions
    for action, texts in (("force", spec.force), ("forbid", spec.forbid)):
        for text in texts:
            try:
                out.append(parse(text, action, li, where=(file, f"decisions.{action}")))
            except InputError as exc:
                problems += exc.problems
    if problems:
        raise InputError(problems)
    return out


def named_in_instance(li: LoadedInstance) -> frozenset[str]:
    """Parcels the instance's ``decisions`` name (without checking them: the loader's
    checks do, :func:`instance_decisions`)."""
    spec = li.instance.decisions
    out = set()
    for text in (*spec.force, *spec.forbid):
        kind, _, rest = text.partition(":")
        if kind.strip() in ("parcel", "scenic") and rest:
            out.add(re.split(r"[:<>=@]", rest)[0].strip())
    return frozenset(out)
