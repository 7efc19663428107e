"""What every check of the verifier shares: the report it writes to, the context it reads
(the instance and the plan's cleaned tables, with cached per-period slices and per-use
coefficients), the tolerances, and a few small helpers.

The checks themselves live one module per rule family (``planner/verify/<family>.py``,
named as in ``planner/model/rules``); :func:`planner.verify.verify_plan` runs them in
order. Like the rest of :mod:`planner.verify` this module reads only :mod:`planner.core`
and :mod:`planner.instance`, never the model, so a modelling error cannot be checked
against itself.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, TypedDict

import numpy as np
import pandas as pd

from planner.core.plan_format import TABLES
from planner.verify.tables import Capped, empty_table

AREA_TOL = 1e-4  # ha
REL_TOL = 1e-6  # relative, for money and KPI comparisons


class Violation(TypedDict):
    """One broken rule: the rule family, where (village, parcel, period, ...), what is
    wrong, the plan's value and the limit (either may be None)."""

    rule: str
    where: str
    message: str
    value: float | None
    limit: float | None


class Verification(TypedDict):
    """What :func:`planner.verify.verify_plan` returns: whether the plan passed, every
    violation, and the names of the checks that ran, in order."""

    passed: bool
    violations: list[Violation]
    checks: list[str]


@dataclass
class Report:
    """The violations found and the checks run so far."""

    violations: list[Violation] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.capped = Capped(self.bad)  # for row-by-row reports that can run long: the first 50 per table

    def check(self, name: str) -> None:
        self.checks.append(name)

    def bad(self, rule: str, where: str, message: str, value: Any = None, limit: Any = None) -> None:
        self.violations.append(
            {
                "rule": rule,
                "where": where,
                "message": message,
                "value": None if value is None else float(value),
                "limit": None if limit is None else float(limit),
            }
        )


def close(a: float, b: float, rel: float = REL_TOL, abs_: float = 1e-3) -> bool:
    """Whether ``a`` and ``b`` agree to ``abs_`` absolute or ``rel`` relative."""
    return abs(a - b) <= max(abs_, rel * max(abs(a), abs(b)))


class Context:
    """Everything the checks need, computed from the instance and the plan tables.

    The allocations get four helper columns: ``kind``, ``village`` and ``cover`` (from the
    library and the parcel table), ``_u`` (the row's use as a code into ``self.uses_seen``)
    and ``_p`` (the row's parcel as a position in the parcel table, -1 if it is not there).
    Per-period slices and sums are computed once and cached."""

    def __init__(self, tables: dict[str, pd.DataFrame], li) -> None:
        self.inst = li.instance
        self.lib = li.library
        self.par = li.parcels.set_index("id", drop=False)
        self.periods = [p.id for p in self.inst.periods]
        self.period = {p.id: p for p in self.inst.periods}
        self.prev = {t: (self.periods[i - 1] if i else None) for i, t in enumerate(self.periods)}
        self.town = next((v.id for v in self.inst.villages if v.is_town), None)
        self.total = float(self.par["area_ha"].sum())
        self.li = li
        self.adjacency = li.adjacency  # parcel geometry: the contiguity checks run
        # a township of a county plan: its allocation from the county budget pool per period (Yuan),
        # which the budget check adds to the township's budget (planner.verify.county)
        self.county_allocation: dict[str, float] = {}
        t = tables
        a = t["allocations"].copy() if "allocations" in t else pd.DataFrame()
        if a.empty:
            a = empty_table("allocations")
        a["period"] = a["period"].astype(str)
        a["area_ha"] = a["area_ha"].astype(float)
        uses = self.lib.uses
        codes, seen = pd.factorize(a["use"], use_na_sentinel=False)
        self.uses_seen: list[Any] = list(seen)
        kinds = np.array([uses[u].kind.value if u in uses else None for u in self.uses_seen], dtype=object)
        a["kind"] = pd.Series(kinds[codes], index=a.index, dtype=object)
        pos = self.par.index.get_indexer(a["parcel"])
        known = pos >= 0
        for col in ("village", "cover"):  # the parcel's, NaN for a parcel not in the table
            vals = np.full(len(a), np.nan, dtype=object)
            vals[known] = self.par[col].to_numpy(dtype=object)[pos[known]]
            a[col] = pd.Series(vals, index=a.index, dtype=object)
        a["_u"] = codes
        a["_p"] = pos
        self.alloc = a
        self.tables = {k: (v.copy() if isinstance(v, pd.DataFrame) else pd.DataFrame(v)) for k, v in t.items()}
        for k in TABLES:  # every table with its columns, also when it has no rows
            df = self.tables.get(k)
            if df is None or df.empty:
                self.tables[k] = empty_table(k)
        for df in self.tables.values():
            if "period" in df.columns:
                df["period"] = df["period"].astype(str)
        self._at: dict[str, pd.DataFrame] = {}
        self._used: dict[str, pd.Series] = {}
        self._pu: dict[str | None, pd.Series] = {}
        self._utab: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._pcoef: dict[str, pd.Series] = {}
        self._pcodes: np.ndarray | None = None
        self._pcovers: list[Any] = []
        self._memo: dict[Hashable, Any] = {}
        # per period, from planner.verify.money.recompute: income, GEP, spending, loans
        self.money: dict[str, dict[str, Any]] = {}
        # (loan's period, period) -> interest, repaid, owed (Yuan): planner.verify.money.loan_ledger
        self.loan_ledger: dict[tuple[str, str], dict[str, float]] = {}

    def memo(self, key: Hashable, make: Callable[[], Any]) -> Any:
        """``make()``, computed once per context: for what one check works out and
        another reads (the carbon forest by parcel, for the applications and the money)."""
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]

    # per-hectare coefficients straight from the library and the instance prices
    def equiv_yuan(self) -> float:
        return self.lib.standard_equivalent_yuan_per_ha * self.lib.regional_scale * self.inst.prices.gep_scale

    def gep_ha(self, key: str, cover: bool) -> float:
        obj = self.lib.covers[key] if cover else self.lib.uses[key]
        return sum(obj.equivalents.values()) * self.equiv_yuan() * self.inst.prices.gep_multipliers.get(key, 1.0)

    def used(self, t: str) -> pd.Series:
        """Hectares of each parcel under a use in period ``t`` (cached; do not modify)."""
        if t not in self._used:
            a = self.at(t)
            pos = a["_p"].to_numpy(dtype=np.int64)
            ha = np.nan_to_num(a["area_ha"].to_numpy(dtype=float), nan=0.0)  # a sum skips NaN
            known = pos >= 0
            self._used[t] = pd.Series(
                np.bincount(pos[known], weights=ha[known], minlength=len(self.par)), index=self.par.index, dtype=float
            )
        return self._used[t]

    def at(self, t: str | None) -> pd.DataFrame:
        """The allocations of period ``t`` (cached; do not modify)."""
        if t is None:
            return self.alloc.iloc[0:0]
        if t not in self._at:
            self._at[t] = self.alloc[self.alloc["period"] == t]
        return self._at[t]

    def by_parcel_use(self, t: str | None) -> pd.Series:
        """Hectares of period ``t`` indexed by (parcel, use) (cached; do not modify)."""
        if t not in self._pu:
            self._pu[t] = self.at(t).set_index(["parcel", "use"])["area_ha"]
        return self._pu[t]

    def use_table(self, name: str, fn) -> tuple[np.ndarray, np.ndarray]:
        """``fn(use)`` as a float for every use in the allocations (indexed by ``_u``), and
        which uses ``fn`` fails on (unknown to the library)."""
        if name not in self._utab:
            vals = np.full(len(self.uses_seen), np.nan)
            bad = np.zeros(len(self.uses_seen), dtype=bool)
            for i, u in enumerate(self.uses_seen):
                try:
                    vals[i] = float(fn(u))
                except Exception:  # noqa: BLE001 - raised again by ucoef where a row needs this use
                    bad[i] = True
            self._utab[name] = (vals, bad)
        return self._utab[name]

    def ucoef(self, rows: pd.DataFrame, name: str, fn) -> pd.Series:
        """``fn(use)`` for each allocation row of ``rows`` (a slice of ``self.alloc``); fails
        as a per-row lookup would when a row's use is unknown."""
        vals, bad = self.use_table(name, fn)
        codes = rows["_u"].to_numpy(dtype=np.int64)
        if bad.any():
            hit = bad[codes]
            if hit.any():
                fn(self.uses_seen[codes[int(np.argmax(hit))]])  # raises the lookup error
        return pd.Series(vals[codes], index=rows.index, dtype=float)

    def pcoef(self, name: str, fn) -> pd.Series:
        """``fn(cover)`` for every parcel, indexed like ``self.par`` (cached; do not modify)."""
        if name not in self._pcoef:
            if self._pcodes is None:
                codes, covers = pd.factorize(self.par["cover"], use_na_sentinel=False)
                self._pcodes, self._pcovers = codes, list(covers)
            vals = np.array([float(fn(x)) for x in self._pcovers], dtype=float)
            self._pcoef[name] = pd.Series(
                vals[self._pcodes] if len(vals) else np.zeros(len(self.par)), index=self.par.index, dtype=float
            )
        return self._pcoef[name]

    def need_parcels(self, rows: pd.DataFrame) -> np.ndarray:
        """Parcel positions of ``rows``; fails as a per-row parcel lookup would when a row's
        parcel is not in the parcel table."""
        pos = rows["_p"].to_numpy(dtype=np.int64)
        if (pos < 0).any():
            self.par.at[rows["parcel"].to_numpy(dtype=object)[int(np.argmax(pos < 0))], "area_ha"]  # raises KeyError
        return pos

    def is_forest_cover(self, c: str) -> bool:
        x = self.lib.covers[c]
        return x.forest and x.canopy_density >= self.inst.policies.forest_canopy_min

    def is_forest_use(self, u: str) -> bool:
        x = self.lib.uses[u]
        return x.forest and x.canopy_density >= self.inst.policies.forest_canopy_min


def records(df: pd.DataFrame, mask: Any = None) -> list[dict[str, Any]]:
    """Rows of ``df`` (those where ``mask`` holds) as dicts, in table order."""
    sel = df if mask is None else df[np.asarray(mask, dtype=bool)]
    return sel.to_dict("records") if len(sel) else []


def flags(df: pd.DataFrame, keys: list[str], col: str) -> dict[Any, bool]:
    """``{(key, ...): bool(col)}`` from a small table; the last row wins."""
    if df.empty:
        return {}
    return dict(zip(zip(*(df[k].tolist() for k in keys)), (bool(x) for x in df[col].tolist())))


def built_projects(c: Context) -> dict[tuple[str, str], bool]:
    """``{(project, period): built}`` as the plan's projects table says."""
    return flags(c.tables.get("projects", pd.DataFrame()), ["project", "period"], "built")


def eco_area(c: Context, t: str | None, inside: np.ndarray | None = None) -> float:
    """Hectares of ecological space in period ``t`` (``None``: before any decision), over
    all parcels or those where the boolean array ``inside`` (by parcel position) holds."""
    area = c.par["area_ha"].to_numpy(dtype=float)
    used = c.used(t).to_numpy(dtype=float) if t else np.zeros(len(c.par))
    eco_c = c.pcoef("ecological_space", lambda x: c.lib.covers[x].ecological_space).to_numpy(dtype=float)
    a = c.at(t)
    pos = a["_p"].to_numpy(dtype=np.int64)
    keep = pos >= 0  # allocations on the parcels counted
    if inside is not None:
        keep &= inside[np.maximum(pos, 0)] if len(inside) else False
    a = a[keep]
    eco_u = c.ucoef(a, "ecological_space", lambda u: c.lib.uses[u].ecological_space)
    left = (area - used) * eco_c
    if inside is not None:
        left = left[inside]
    return float(pd.Series(left).sum() + (a["area_ha"] * eco_u).sum())
