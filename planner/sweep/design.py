"""Sweep designs: which scenarios to run.

A *parameter* is one numeric instance field addressed by dotted path (the ``--set``
grammar: ``prices.forestry_carbon_yuan_per_t``, ``periods.2025.budget_yuan``,
``prices.gep_multipliers.ecological_forest``, ``roles.forest_rangers.max``) with a
range ``low..high`` or an explicit list of values.

A *design* is a :class:`pandas.DataFrame` with a column ``scenario`` (0..n-1) and one
column per parameter path holding the value each scenario sets. It carries a
description in ``df.attrs["design"]`` (JSON-serialisable: ``name``, ``seed``,
``parameters``, the SALib ``problem`` for Morris and Sobol, ...), which
:mod:`planner.sweep.analysis` reads to compute sensitivity indices. Nothing else is in
the frame, so it can be handed to the sweep runner as it is.

=====================  =============================================  =====================
design                 scenarios                                      for
=====================  =============================================  =====================
:func:`one_at_a_time`  ``1 + sum(levels)``: the base, then each       tornado, response
                       parameter's levels with the others at base     curves
:func:`grid`           ``prod(levels)`` (full factorial)              response surfaces
:func:`morris`         ``trajectories * (k + 1)``                     screening (mu*, sigma)
:func:`sobol`          ``n * (k + 2)`` (first order) or               variance shares
                       ``n * (2k + 2)`` (second order)                (S1, ST)
=====================  =============================================  =====================

Integer parameters (``integer=True``: recruitment bounds, street-green counts,
labour pools) are rounded to whole numbers in every design. :meth:`Parameter.parse`
marks a path integer when its last part is one of :data:`INTEGER_FIELDS`.
"""

from __future__ import annotations

import json
import math
import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import product
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from planner.core.errors import InputError

#: Last path parts of the instance fields that hold whole numbers (people, counts).
INTEGER_FIELDS = frozenset({"min", "max", "count_min", "count_max", "residents", "outside", "returning"})

_PATH_RE = re.compile(r"^[A-Za-z0-9_\-]+(\.[A-Za-z0-9_\-]+)*$")
_PARSE_FIX = (
    "write PATH=LOW:HIGH, PATH=LOW:HIGH:LEVELS or PATH=V1,V2,V3 (e.g. prices.forestry_carbon_yuan_per_t=20:80:4)"
)


@dataclass(frozen=True)
class Parameter:
    """One swept instance field.

    ``low``/``high`` bound the range (``low < high``). ``levels`` (>= 2) is how many
    evenly spaced values :func:`one_at_a_time` and :func:`grid` use; ``None`` takes the
    design's default. ``values`` lists explicit values instead (then ``low``/``high`` are
    their minimum and maximum, which Morris and Sobol sample between). ``integer``
    rounds every value to a whole number.
    """

    path: str
    low: float
    high: float
    levels: int | None = None
    integer: bool = False
    values: tuple[float, ...] | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.path, str) or not _PATH_RE.match(self.path):
            raise ValueError(f"parameter path {self.path!r} is not a dotted instance path")
        for name in ("low", "high"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)) or not math.isfinite(v):
                raise ValueError(f"{self.path}: {name} must be a finite number, got {v!r}")
        object.__setattr__(self, "low", float(self.low))
        object.__setattr__(self, "high", float(self.high))
        if self.values is not None:
            vals = tuple(float(v) for v in self.values)
            if not vals or not all(math.isfinite(v) for v in vals):
                raise ValueError(f"{self.path}: values must be finite numbers, got {self.values!r}")
            object.__setattr__(self, "values", vals)
            if min(vals) < self.low or max(vals) > self.high:
                raise ValueError(f"{self.path}: values {vals} lie outside low..high ({self.low:g}..{self.high:g})")
        if not self.low < self.high:
            raise ValueError(f"{self.path}: low ({self.low:g}) must be below high ({self.high:g})")
        if self.levels is not None:
            if isinstance(self.levels, bool) or int(self.levels) != self.levels or self.levels < 2:
                raise ValueError(f"{self.path}: levels must be a whole number >= 2, got {self.levels!r}")
            object.__setattr__(self, "levels", int(self.levels))

    @classmethod
    def parse(cls, text: str, *, integer: bool | None = None) -> Parameter:
        """Parse a CLI string: ``PATH=LOW:HIGH``, ``PATH=LOW:HIGH:LEVELS`` or
        ``PATH=V1,V2,V3``.

        ``integer=None`` marks the parameter integer when the path's last part is in
        :data:`INTEGER_FIELDS` (e.g. ``roles.forest_rangers.max``). Bad syntax, a
        non-numeric bound, ``low >= high``, fewer than two distinct values or fewer than
        two levels raise :class:`planner.core.errors.InputError` (file ``--param``, field =
        the text).
        """

        def bad(message: str, fix: str = _PARSE_FIX) -> InputError:
            return InputError.one("--param", str(text), message, fix)

        if not isinstance(text, str) or "=" not in text:
            raise bad("expected PATH=RANGE")
        path, _, spec = (s.strip() for s in text.partition("="))
        if not path or not _PATH_RE.match(path):
            raise bad(
                f"{path!r} is not a dotted instance path",
                "name the field like --set does, e.g. periods.2025.budget_yuan",
            )
        if integer is None:
            integer = path.rsplit(".", 1)[-1] in INTEGER_FIELDS

        def num(s: str, what: str) -> float:
            try:
                v = float(s)
            except ValueError:
                raise bad(f"{what} {s.strip()!r} is not a number") from None
            if not math.isfinite(v):
                raise bad(f"{what} {s.strip()!r} is not a finite number")
            return v

        if "," in spec:
            vals = tuple(num(s, "value") for s in spec.split(","))
            if integer:
                vals = tuple(dict.fromkeys(float(round(v)) for v in vals))
            if len(set(vals)) < 2:
                raise bad("give at least two different values", "e.g. PATH=20,50,80")
            return cls(path, min(vals), max(vals), None, bool(integer), vals)
        parts = spec.split(":")
        if len(parts) not in (2, 3):
            raise bad(f"range {spec!r} is not LOW:HIGH or LOW:HIGH:LEVELS")
        low, high = num(parts[0], "low"), num(parts[1], "high")
        if not low < high:
            raise bad(f"low ({low:g}) must be below high ({high:g})", "swap the bounds or widen the range")
        levels = None
        if len(parts) == 3:
            lv = num(parts[2], "levels")
            if lv != int(lv) or lv < 2:
                raise bad(f"levels {parts[2].strip()!r} must be a whole number >= 2", "e.g. PATH=20:80:4")
            levels = int(lv)
        return cls(path, low, high, levels, bool(integer))

    def level_values(self, levels: int | None = None) -> list[float]:
        """The values this parameter takes in a one-at-a-time or grid design: ``values``
        if given, else ``self.levels`` (else ``levels``, else 3) evenly spaced from
        ``low`` to ``high``. Integer parameters are rounded and repeated values dropped."""
        if self.values is not None:
            vals = list(self.values)
        else:
            n = self.levels or levels or 3
            if n < 2:
                raise ValueError(f"{self.path}: levels must be >= 2, got {n}")
            vals = [float(v) for v in np.linspace(self.low, self.high, int(n))]
        if self.integer:
            vals = [float(round(v)) for v in vals]
        return list(dict.fromkeys(vals))

    def round(self, v: float) -> float:
        return float(np.round(v)) if self.integer else float(v)


def _as_params(params: Iterable[Parameter | str]) -> list[Parameter]:
    out = [p if isinstance(p, Parameter) else Parameter.parse(p) for p in params]
    if not out:
        raise ValueError("a design needs at least one parameter")
    paths = [p.path for p in out]
    dup = sorted({p for p in paths if paths.count(p) > 1})
    if dup:
        raise ValueError(f"parameters repeat: {dup}")
    return out


def salib_problem(params: Iterable[Parameter | str]) -> dict[str, Any]:
    """The SALib problem dict: ``{'num_vars': k, 'names': [paths], 'bounds': [[low, high], ...]}``."""
    ps = _as_params(params)
    return {"num_vars": len(ps), "names": [p.path for p in ps], "bounds": [[p.low, p.high] for p in ps]}


def _param_info(ps: list[Parameter]) -> list[dict[str, Any]]:
    return [
        {
            "path": p.path,
            "low": p.low,
            "high": p.high,
            "levels": p.levels,
            "integer": p.integer,
            "values": list(p.values) if p.values is not None else None,
        }
        for p in ps
    ]


def _frame(ps: list[Parameter], X: np.ndarray, info: dict[str, Any]) -> pd.DataFrame:
    X = np.asarray(X, dtype=float).reshape(-1, len(ps))
    df = pd.DataFrame({"scenario": np.arange(len(X), dtype=int)})
    for j, p in enumerate(ps):
        col = X[:, j]
        df[p.path] = np.round(col).astype("int64") if p.integer else col
    df.attrs["design"] = {
        "parameters": [p.path for p in ps],
        "parameter_info": _param_info(ps),
        "scenarios": len(df),
        **info,
    }
    return df


def one_at_a_time(params: Iterable[Parameter | str], base: dict[str, float], levels: int = 5) -> pd.DataFrame:
    """The base scenario (scenario 0, every parameter at ``base[path]``), then for each
    parameter in turn its levels (:meth:`Parameter.level_values`: explicit values, or
    ``levels`` evenly spaced values from low to high) with the others at base.

    ``1 + sum(levels)`` scenarios (``1 + k * levels`` when no integer rounding merges
    levels). A level equal to the base value is run again rather than skipped, to keep
    the design simple; it costs one solve per parameter at most. ``base`` must give a
    value for every parameter (the instance's current values); it may lie outside the
    range. ``attrs['design']['varied']`` names the parameter each scenario varies
    (``None`` for the base).
    """
    ps = _as_params(params)
    missing = [p.path for p in ps if p.path not in base]
    if missing:
        raise ValueError(f"one_at_a_time needs a base value for {missing}")
    b = [p.round(float(base[p.path])) for p in ps]
    rows, varied = [list(b)], [None]
    for j, p in enumerate(ps):
        for v in p.level_values(levels):
            r = list(b)
            r[j] = v
            rows.append(r)
            varied.append(p.path)
    return _frame(
        ps,
        np.array(rows),
        {
            "name": "one_at_a_time",
            "seed": None,
            "levels": levels,
            "base": {p.path: b[j] for j, p in enumerate(ps)},
            "varied": varied,
        },
    )


def grid(params: Iterable[Parameter | str], levels: int | None = None) -> pd.DataFrame:
    """Full factorial over each parameter's levels (:meth:`Parameter.level_values`:
    explicit values, else ``Parameter.levels``, else ``levels``, else 3). The last
    parameter varies fastest. ``prod(levels)`` scenarios: mind the size."""
    ps = _as_params(params)
    lv = [p.level_values(levels) for p in ps]
    X = np.array(list(product(*lv)), dtype=float)
    return _frame(ps, X, {"name": "grid", "seed": None, "levels": {p.path: len(v) for p, v in zip(ps, lv)}})


def morris(
    params: Iterable[Parameter | str], trajectories: int = 10, num_levels: int = 4, seed: int = 0
) -> pd.DataFrame:
    """Morris elementary-effects screening design (``SALib.sample.morris.sample``):
    ``trajectories * (k + 1)`` scenarios on a ``num_levels`` grid over each [low, high].

    Integer parameters are rounded; when that moves a point (the grid
    ``low + i*(high-low)/(num_levels-1)`` is not whole) a warning says so, and the
    unrounded sample is kept in ``attrs['design']['X_unrounded']`` so the analysis still
    sees each trajectory's one-at-a-time steps. Choose ``num_levels - 1`` dividing
    ``high - low`` to avoid it.
    """
    from SALib.sample import morris as morris_sample

    ps = _as_params(params)
    if int(trajectories) < 2:
        raise ValueError(f"morris needs at least 2 trajectories, got {trajectories}")
    if int(num_levels) < 2:
        raise ValueError(f"morris needs num_levels >= 2, got {num_levels}")
    problem = salib_problem(ps)
    X = morris_sample.sample(dict(problem), int(trajectories), num_levels=int(num_levels), seed=seed)  # SALib adds keys
    info: dict[str, Any] = {
        "name": "morris",
        "seed": seed,
        "problem": problem,
        "trajectories": int(trajectories),
        "num_levels": int(num_levels),
    }
    moved = [p.path for j, p in enumerate(ps) if p.integer and not np.allclose(X[:, j], np.round(X[:, j]))]
    if moved:
        warnings.warn(
            f"morris: rounding moves integer parameter(s) {moved} off the {num_levels}-level grid; "
            f"elementary effects are approximate (pick num_levels - 1 dividing high - low)",
            stacklevel=2,
        )
        info["X_unrounded"] = X.tolist()
    return _frame(ps, X, info)


def sobol(params: Iterable[Parameter | str], n: int = 64, seed: int = 0, second_order: bool = False) -> pd.DataFrame:
    """Sobol'/Saltelli design (``SALib.sample.sobol.sample``, scrambled): ``n * (k + 2)``
    scenarios, or ``n * (2k + 2)`` with ``second_order``. ``n`` must be a power of 2 for
    the Sobol' sequence to balance; any other ``n`` is rounded up with a warning."""
    from SALib.sample import sobol as sobol_sample

    ps = _as_params(params)
    n = int(n)
    if n < 1:
        raise ValueError(f"sobol needs n >= 1, got {n}")
    if n & (n - 1):
        n2 = 1 << (n - 1).bit_length()
        warnings.warn(f"sobol: n={n} is not a power of 2; using n={n2}", stacklevel=2)
        n = n2
    problem = salib_problem(ps)
    X = sobol_sample.sample(dict(problem), n, calc_second_order=bool(second_order), seed=seed)  # SALib adds keys
    return _frame(
        ps, X, {"name": "sobol", "seed": seed, "problem": problem, "n": n, "second_order": bool(second_order)}
    )


def design_info(design: pd.DataFrame) -> dict[str, Any]:
    """``design.attrs['design']`` (empty dict when the frame carries none)."""
    return dict(design.attrs.get("design") or {})


def parameter_columns(design: pd.DataFrame) -> list[str]:
    """The parameter paths of a design: from its attrs, else every column but
    ``scenario`` and ``name``."""
    info = design_info(design)
    cols = info.get("parameters") or [c for c in design.columns if c not in ("scenario", "name")]
    missing = [c for c in cols if c not in design.columns]
    if missing:
        raise ValueError(f"the design has no column for parameter(s) {missing}")
    return list(cols)


def load_design(path: str | Path) -> pd.DataFrame:
    """Rebuild a design (with its attrs) from a sweep directory's ``sweep.json`` (or
    that file), as written by the sweep runner: its ``scenarios`` and ``parameters``
    and the ``design`` description."""
    p = Path(path)
    if p.is_dir():
        p = p / "sweep.json"
    spec = json.loads(p.read_text(encoding="utf-8"))
    params: Sequence[str] = spec.get("parameters") or []
    df = pd.DataFrame(spec.get("scenarios") or [])
    if df.empty:
        df = pd.DataFrame(columns=["scenario", *params])
    df = df[["scenario", *params]].sort_values("scenario").reset_index(drop=True)
    info = dict(spec.get("design") or {})
    info.setdefault("parameters", list(params))
    df.attrs["design"] = info
    return df


__all__ = [
    "INTEGER_FIELDS",
    "Parameter",
    "design_info",
    "grid",
    "load_design",
    "morris",
    "one_at_a_time",
    "parameter_columns",
    "salib_problem",
    "sobol",
]
