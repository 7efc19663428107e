"""Village plan sheets: per village, the parcels to change and what to do on each, what it
costs and brings, and two or three reasons in the planner's words.

:func:`village_sheets` makes one :class:`VillageSheet` per village of the instance, in its
order (a village with nothing to do is listed too, as "no change"); :func:`sheet_lines`
renders one for the terminal, and the report prints one page per village
(:mod:`planner.report`).

What a sheet holds, from the plan's tables:

- the parcels to change, by the parcel table's own ids (a plan whose tables still name
  merged land units, ``DSX040+2``, is split back to its parcels first:
  :mod:`planner.model.aggregate`), each with its current cover, the use it takes and its
  hectares at the end of each period;
- the establishment cost of the village's changes per period (the area added to each use
  since the period before, at the use's cost per ha), jobs by role, dividends to villagers
  and to the village collective, the village garden (area and parcels) and the projects it
  hosts;
- the reasons: from the explanation when one is given (the value of one more hectare of
  garden, of one more Yuan of budget, how much more another use would have to bring, what
  the plan loses without the village's garden), else from the plan alone (caps and
  minimums reached, what the land was, GEP per ha of the use chosen against another one
  the village allows). Every sentence is in English and in Chinese, from the registry's
  ``why_*`` words (:mod:`planner.core.labels`).

The plan's status, termination and optimality gap travel with every sheet.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from planner.core.labels import LANGS, name_of, term
from planner.core.status import label as status_label
from planner.explain.result import fmt
from planner.explain.rows import row_info
from planner.instance.load import LoadedInstance
from planner.instance.schema import GARDEN_KINDS
from planner.model.data import ModelData

__all__ = ["HostedProject", "ParcelChange", "Reason", "VillageSheet", "sheet_lines", "village_sheets"]

TOL = 1e-6
#: Reasons a sheet gives at most.
MAX_REASONS = 3
#: The recipients of a village's dividends a sheet shows.
VILLAGERS, COLLECTIVE = "villagers", "village_collective"


@dataclass
class ParcelChange:
    """One parcel taking one use: its current cover and its hectares at the end of each period."""

    parcel: str
    cover: str
    use: str
    ha: dict[str, float]


@dataclass
class Reason:
    """One reason of a sheet: what it is about (``kind``) and its sentence in each language."""

    kind: str
    text: dict[str, str]


@dataclass
class HostedProject:
    """A project the village hosts; ``built_by`` is the first period it stands (None: not built)."""

    project: str
    names: dict[str, str]
    built_by: str | None
    capex_yuan: float
    income_yuan_per_yr: float


@dataclass
class VillageSheet:
    """What one village does in the plan. Ids (parcels, covers, uses, roles) are kept as
    ids; :meth:`to_dict` and :func:`sheet_lines` give their labels in a language."""

    village: str
    names: dict[str, str]
    lang: str
    periods: list[str]
    status: str
    termination: str
    mip_gap: float | None
    is_town: bool = False
    parcels: list[ParcelChange] = field(default_factory=list)
    cost_yuan: dict[str, float] = field(default_factory=dict)
    jobs: dict[str, dict[str, int]] = field(default_factory=dict)  # role -> period -> people
    role_names: dict[str, dict[str, str]] = field(default_factory=dict)  # role -> lang -> name
    dividends_villagers: dict[str, float] = field(default_factory=dict)
    dividends_collective: dict[str, float] = field(default_factory=dict)
    garden_ha: dict[str, float] = field(default_factory=dict)
    garden_parcels: list[str] = field(default_factory=list)
    projects: list[HostedProject] = field(default_factory=list)
    reasons: list[Reason] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.names.get(self.lang) or self.village

    @property
    def changed(self) -> bool:
        """The village changes land."""
        return bool(self.parcels)

    @property
    def nothing_to_do(self) -> bool:
        """No land changes, no jobs and no project built: the sheet says "no change"."""
        return not self.parcels and not self.jobs and not any(p.built_by for p in self.projects)

    def ha_by_period(self) -> dict[str, float]:
        """Hectares in new uses at the end of each period."""
        return {t: sum(c.ha.get(t, 0.0) for c in self.parcels) for t in self.periods}

    def reason_texts(self, lang: str | None = None) -> list[str]:
        lang = lang or self.lang
        return [r.text[lang] for r in self.reasons]

    def to_dict(self) -> dict[str, Any]:
        """The sheet as plain data (JSON), labels in the sheet's language."""
        lang = self.lang
        return {
            "village": self.village,
            "name": self.name,
            "lang": lang,
            "status": self.status,
            "termination": self.termination,
            "mip_gap": self.mip_gap,
            "periods": list(self.periods),
            "no_change": self.nothing_to_do,
            "parcels": [
                {
                    "parcel": c.parcel,
                    "cover": c.cover,
                    "cover_label": term("cover", c.cover, lang),
                    "use": c.use,
                    "action": term("use", c.use, lang),
                    "ha": {t: round(v, 6) for t, v in c.ha.items()},
                }
                for c in self.parcels
            ],
            "ha": {t: round(v, 6) for t, v in self.ha_by_period().items()},
            "establishment_cost_yuan": {t: round(v, 2) for t, v in self.cost_yuan.items()},
            "jobs": [
                {"role": r, "label": self.role_names.get(r, {}).get(lang, r), "people": dict(by)}
                for r, by in self.jobs.items()
            ],
            "dividends_yuan_per_yr": {
                VILLAGERS: {t: round(v, 2) for t, v in self.dividends_villagers.items()},
                COLLECTIVE: {t: round(v, 2) for t, v in self.dividends_collective.items()},
            },
            "garden": {"ha": {t: round(v, 6) for t, v in self.garden_ha.items()}, "parcels": list(self.garden_parcels)},
            "projects": [
                {
                    "project": p.project,
                    "name": p.names.get(lang, p.project),
                    "built_by": p.built_by,
                    "capex_yuan": p.capex_yuan,
                    "income_yuan_per_yr": p.income_yuan_per_yr,
                }
                for p in self.projects
            ],
            "reasons": [{"kind": r.kind, "text": r.text[lang]} for r in self.reasons],
        }


# ---------------------------------------------------------------------------
# words
# ---------------------------------------------------------------------------


def _w(key: str, lang: str, **values: Any) -> str:
    """The registry's word ``key`` in ``lang``, its ``{placeholders}`` filled in."""
    return term("word", key, lang).format(**values)


def _lc(label: str) -> str:
    """An English label inside a sentence: ``Fruit forest expansion`` -> ``fruit forest expansion``;
    a name (``Two Mountains Bank: ...``) or an acronym (``GEP``) stays as it is."""
    words = label.split()
    if not words or not words[0][:1].isupper() or words[0].isupper():
        return label
    if len(words) > 1 and words[1][:1].isupper():
        return label
    return label[:1].lower() + label[1:]


def _ha(v: float) -> str:
    return fmt(float(v))


def _money(v: float) -> str:
    return f"{float(v):,.0f}" if abs(v) >= 1 else fmt(float(v))


def _both(kind: str, make: Callable[[str], str]) -> Reason:
    return Reason(kind, {lang: make(lang) for lang in LANGS})


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise ValueError(f"language {lang!r}: use one of {', '.join(LANGS)}")


# ---------------------------------------------------------------------------
# the plan's tables, read once
# ---------------------------------------------------------------------------


def _table(obj: Any, name: str) -> pd.DataFrame:
    df = (getattr(obj, "tables", None) or {}).get(name)
    if not isinstance(df, pd.DataFrame):
        return pd.DataFrame()
    df = df.copy()
    for c in ("village", "period", "parcel", "role", "use", "project", "host_village", "recipient"):
        if c in df and len(df):
            df[c] = df[c].astype(str)
    return df


def registry_parcels(li: LoadedInstance, alloc: pd.DataFrame) -> pd.DataFrame:
    """``alloc`` (rows with a ``parcel`` and an ``area_ha``) on the parcel table's ids: a row
    that names a merged land unit (``DSX040+2``) is shared among its parcels in proportion to
    their area, as the plan's tables do (:meth:`planner.model.aggregate.Aggregation.split`)."""
    if alloc.empty or "parcel" not in alloc:
        return alloc
    ids = set(li.parcels["id"].astype(str))
    if set(alloc["parcel"].astype(str)) <= ids:
        return alloc
    return ModelData(li).land.split(alloc)


class _Plan:
    """What the sheets read from the plan, the instance and the explanation."""

    def __init__(self, li: LoadedInstance, plan: Any, ex: Any):
        self.li = li
        self.inst = li.instance
        self.lib = li.library
        self.plan = plan
        self.periods = [str(p.id) for p in self.inst.periods]
        self.last = self.periods[-1]
        self.prev = {t: (self.periods[i - 1] if i else None) for i, t in enumerate(self.periods)}
        alloc = registry_parcels(li, _table(plan, "allocations"))
        if not alloc.empty and "kind" not in alloc:
            alloc["kind"] = alloc["use"].map(lambda u: self.use_kind(u))
        self.alloc = alloc
        self.gardens = _table(plan, "gardens")
        self.recruitment = _table(plan, "recruitment")
        self.projects = _table(plan, "projects")
        self.dividends = _table(plan, "dividends")
        self.finance = _table(plan, "finance")
        self.roles = {r.id: r for r in self.inst.roles}
        self.ex = ex if _matches(ex, plan) else None
        self._d: ModelData | None = None

    @property
    def d(self) -> ModelData:
        if self._d is None:
            self._d = ModelData(self.li)
        return self._d

    def use_kind(self, u: str) -> str:
        use = self.lib.uses.get(u)
        return use.kind.value if use is not None else ""

    def cost_per_ha(self, u: str) -> float:
        use = self.lib.uses.get(u)
        if use is None:
            return 0.0
        return float(use.establishment_cost_yuan_per_ha) * float(self.inst.prices.establishment_cost_multiplier)

    def ex_table(self, name: str, *cols: str) -> pd.DataFrame:
        df = _table(self.ex, name) if self.ex is not None else pd.DataFrame()
        return df if not df.empty and all(c in df for c in cols) else pd.DataFrame()

    def price(self, constraint: str, index: tuple) -> tuple[float, bool] | None:
        """(Yuan/yr per unit the rule is loosened, whether that is only an upper bound) of the
        explanation's row ``constraint[index]``, when it binds and has a price."""
        r = self.ex_table("rules", "constraint", "index", "shadow_price")
        if r.empty:
            return None
        key = tuple(str(i) for i in index)
        sel = r[r["constraint"] == constraint]
        for _, row in sel.iterrows():
            idx = row["index"]
            idx = tuple(str(i) for i in (idx if isinstance(idx, (list, tuple)) else [idx]))
            if idx != key:
                continue
            p = _num(row.get("shadow_price"))
            if p is None or abs(p) <= TOL or ("binding" in row and not bool(row["binding"])):
                return None
            loosen = _num(row.get("loosen_by"))
            return p, loosen is not None and loosen <= 1e-9
        return None

    def unit_price(self, constraints: tuple[str, ...], role: str, period: str) -> float | None:
        """Yuan/yr one person fewer in role ``role``'s range would gain in ``period``: the
        explanation's re-solve (table ``unit_prices``), when it was optimal."""
        r = self.ex_table("unit_prices", "constraint", "index", "loosen_gain_yuan", "loosen_status")
        if r.empty:
            return None
        for _, row in r[r["constraint"].isin(constraints)].iterrows():
            idx = row["index"]
            idx = [str(i) for i in (idx if isinstance(idx, (list, tuple)) else [idx])]
            if idx[0] == role and idx[-1] == period and row["loosen_status"] == "optimal":
                return _num(row["loosen_gain_yuan"])
        return None


def _num(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def _matches(ex: Any, plan: Any) -> bool:
    """Whether explanation ``ex`` was made for ``plan`` (same status and objective)."""
    if ex is None:
        return False
    if getattr(ex, "plan_status", None) != plan.status:
        return False
    a, b = _num(getattr(ex, "plan_objective", None)), _num(plan.objective)
    return a is None or b is None or abs(a - b) <= max(1.0, 1e-6 * abs(b))


# ---------------------------------------------------------------------------
# the sheets
# ---------------------------------------------------------------------------


def village_sheets(li: LoadedInstance, plan: Any, explanation: Any = None, lang: str = "en") -> list[VillageSheet]:
    """One :class:`VillageSheet` per village of ``li``, in the instance's order, for ``plan``
    (a :class:`planner.plan.plan.Plan` of ``li``). ``explanation`` (from
    :func:`planner.explain.explain`, for this plan) adds the reasons that need prices; without
    it the reasons come from the plan alone. ``lang``: ``en`` or ``zh``, the language of the
    sheets' labels (each reason carries both). A plan without a solution has no sheets."""
    _check_lang(lang)
    if not plan.has_solution:
        return []
    ctx = _Plan(li, plan, explanation)
    return [_sheet(ctx, v, lang) for v in li.instance.villages]


def _sheet(ctx: _Plan, village: Any, lang: str) -> VillageSheet:
    v = str(village.id)
    plan = ctx.plan
    sheet = VillageSheet(
        village=v,
        names={lg: name_of(village, lg) for lg in LANGS},
        lang=lang,
        periods=list(ctx.periods),
        status=plan.status,
        termination=plan.termination,
        mip_gap=plan.mip_gap,
        is_town=bool(getattr(village, "is_town", False)),
    )
    a = ctx.alloc[ctx.alloc["village"] == v] if not ctx.alloc.empty else ctx.alloc
    if not a.empty:
        for (p, u), g in a.groupby(["parcel", "use"], sort=False):
            ha = {t: float(g.loc[g["period"] == t, "area_ha"].sum()) for t in ctx.periods}
            if max(ha.values()) > TOL:
                sheet.parcels.append(ParcelChange(str(p), str(g["cover"].iloc[0]), str(u), ha))
        order = {t: i for i, t in enumerate(ctx.periods)}
        sheet.parcels.sort(key=lambda c: (min((order[t] for t in c.ha if c.ha[t] > TOL), default=0), c.parcel, c.use))
        garden = a[a["kind"].isin(GARDEN_KINDS)]
        sheet.garden_parcels = sorted(garden["parcel"].unique().tolist())
    for t in ctx.periods:
        sheet.cost_yuan[t] = sum(
            max(c.ha.get(t, 0.0) - (c.ha.get(ctx.prev[t], 0.0) if ctx.prev[t] else 0.0), 0.0) * ctx.cost_per_ha(c.use)
            for c in sheet.parcels
        )
    rec = ctx.recruitment
    if not rec.empty:
        for _, r in rec[rec["village"] == v].iterrows():
            n = int(r["count"])
            if n > 0:
                sheet.jobs.setdefault(str(r["role"]), {})[str(r["period"])] = n
        for role in sheet.jobs:
            obj = ctx.roles.get(role, role)
            sheet.role_names[role] = {lg: name_of(obj, lg) for lg in LANGS}
    div = ctx.dividends
    if not div.empty:
        dv = div[div["village"] == v]
        for t in ctx.periods:
            sel = dv[dv["period"] == t]
            sheet.dividends_villagers[t] = float(sel.loc[sel["recipient"] == VILLAGERS, "yuan_per_yr"].sum())
            sheet.dividends_collective[t] = float(sel.loc[sel["recipient"] == COLLECTIVE, "yuan_per_yr"].sum())
    gard = ctx.gardens
    if not gard.empty:
        gv = gard[(gard["village"] == v) & gard["built"].astype(bool)]
        sheet.garden_ha = {t: float(gv.loc[gv["period"] == t, "area_ha"].sum()) for t in ctx.periods}
        if not any(x > TOL for x in sheet.garden_ha.values()):
            sheet.garden_ha = {}
    sheet.projects = _hosted(ctx, v)
    sheet.reasons = _reasons(ctx, sheet)
    return sheet


def _hosted(ctx: _Plan, v: str) -> list[HostedProject]:
    out = []
    pr = ctx.projects
    for j in ctx.inst.projects:
        if str(j.host_village) != v:
            continue
        rows = pr[(pr["project"] == j.id) & pr["built"].astype(bool)] if not pr.empty else pr
        built = [t for t in ctx.periods if not rows.empty and (rows["period"] == t).any()]
        out.append(
            HostedProject(
                project=j.id,
                names={lg: name_of(j, lg) for lg in LANGS},
                built_by=built[0] if built else None,
                capex_yuan=float(j.capex_yuan),
                income_yuan_per_yr=float(sum(j.income_yuan_per_yr.values())),
            )
        )
    return out


# ---------------------------------------------------------------------------
# reasons
# ---------------------------------------------------------------------------


def _reasons(ctx: _Plan, sheet: VillageSheet) -> list[Reason]:
    """Up to :data:`MAX_REASONS` reasons, the most telling first: the use chosen, the garden,
    the projects hosted, recruitment ranges, policy caps, what the plan loses without the
    village's choices, the budget, and what the land was."""
    if sheet.nothing_to_do:
        return []
    makers = (
        _use_choice,
        _garden,
        _project,
        _recruitment,
        _share_cap,
        _interactive,
        _without,
        _budget,
        _land_was,
        _rule_limits,
    )
    out: list[Reason] = []
    for make in makers:
        for r in make(ctx, sheet):
            if len(out) < MAX_REASONS and r.kind not in {x.kind for x in out}:
                out.append(r)
    return out


def _join(lang: str, *sentences: str) -> str:
    """Sentences one after the other: a space between them in English, none in Chinese."""
    return (" " if lang == "en" else "").join(x for x in sentences if x)


def _worth(p: tuple[float, bool] | None, unit: str) -> Callable[[str], str]:
    """'One more <unit> would be worth ...' in a language ('' without a price); 'up to' when
    the price holds only for tightening the rule."""

    def say(lang: str) -> str:
        if p is None:
            return ""
        price, upto = p
        if unit == "ha":
            return _w("why_one_more_ha_upto" if upto else "why_one_more_ha", lang, amount=_money(price))
        if unit == "Yuan":
            return _w("why_one_more_yuan_upto" if upto else "why_one_more_yuan", lang, amount=fmt(price))
        key = "why_one_more_unit_upto" if upto else "why_one_more_unit"
        return _w(key, lang, unit=_unit(unit, lang), amount=_money(price))

    return say


def _unit(unit: str, lang: str) -> str:
    key = {"ha": "unit_ha", "people": "unit_people", "Yuan": "unit_yuan", "Yuan/yr": "unit_yuan_yr"}.get(unit)
    return term("word", key, lang) if key else unit


def _main_use(sheet: VillageSheet) -> tuple[str, float] | None:
    """The village's largest new use by the last period, gardens aside."""
    last = sheet.periods[-1]
    by: dict[str, float] = {}
    for c in sheet.parcels:
        by[c.use] = by.get(c.use, 0.0) + c.ha.get(last, 0.0)
    cands = [(u, ha) for u, ha in by.items() if ha > TOL and not u.startswith("garden")]
    return max(cands, key=lambda x: x[1]) if cands else None


def _use_choice(ctx: _Plan, sheet: VillageSheet) -> list[Reason]:
    """The village's main new use against the closest use it did not take: how much more that
    one would have to bring per ha (explanation), or the GEP per ha between the two (plan)."""
    main = _main_use(sheet)
    if main is None:
        return []
    u = main[0]
    covers = {c.cover for c in sheet.parcels if c.use == u}
    opts = ctx.ex_table("options", "village", "use", "status", "needs_yuan_per_ha_yr")
    if not opts.empty:
        nt = opts[(opts["village"] == sheet.village) & (opts["status"] == "not taken")].copy()
        near = [_shares_cover(ctx, o, covers) and ctx.use_kind(o) not in GARDEN_KINDS for o in nt["use"]]
        nt = nt.loc[pd.Series(near, index=nt.index, dtype=bool)]
        nt["_n"] = nt["needs_yuan_per_ha_yr"].map(_num)
        nt = nt[nt["_n"].notna()].sort_values("_n", kind="stable")
        if len(nt):
            other, need = str(nt["use"].iloc[0]), float(nt["_n"].iloc[0])
            if need <= TOL:
                return [
                    _both(
                        "use_choice",
                        lambda lg: _w("why_tie", lg, use=term("use", u, lg), other_lc=_label_lc("use", other, lg)),
                    )
                ]
            return [
                _both(
                    "use_choice",
                    lambda lg: _w(
                        "why_needs_more",
                        lg,
                        use=term("use", u, lg),
                        other=term("use", other, lg),
                        other_lc=_label_lc("use", other, lg),
                        amount=_money(need),
                    ),
                )
            ]
    # from the plan alone: GEP per ha of the use chosen against another the village allows on that cover
    taken = {c.use for c in sheet.parcels}
    cover = max(covers, key=lambda c: sum(x.ha.get(sheet.periods[-1], 0.0) for x in sheet.parcels if x.cover == c))
    idx = float(next(p.gep_price_index for p in ctx.inst.periods if str(p.id) == ctx.last))
    try:
        mine = ctx.d.gep_per_ha_of(u, "use") * idx
    except KeyError:
        return []
    best: tuple[float, str] | None = None
    for o, use in ctx.lib.uses.items():
        if o in taken or use.kind.value in GARDEN_KINDS or cover not in use.from_covers:
            continue
        if not _allowed(ctx, o, sheet.village):
            continue
        gep = ctx.d.gep_per_ha_of(o, "use") * idx
        if gep < mine - 1.0 and (best is None or gep > best[0]):
            best = (gep, o)
    if best is None:
        return []
    gep, other = best
    return [
        _both(
            "use_choice",
            lambda lg: _w(
                "why_more_gep",
                lg,
                use=term("use", u, lg),
                other=term("use", other, lg) if lg != "en" else _lc(term("use", other, lg)),
                cover=_label_lc("cover", cover, lg),
                amount=_money(mine - gep),
            ),
        )
    ]


def _label_lc(kind: str, key: str, lang: str) -> str:
    label = term(kind, key, lang)
    return _lc(label) if lang == "en" else label


def _shares_cover(ctx: _Plan, use: str, covers: set[str]) -> bool:
    u = ctx.lib.uses.get(use)
    return u is not None and bool(covers & set(u.from_covers))


def _allowed(ctx: _Plan, use: str, village: str) -> bool:
    pol = ctx.inst.uses.get(use)
    if pol is None:
        return True
    if not pol.enabled:
        return False
    return pol.villages is None or village in pol.villages


def _garden(ctx: _Plan, sheet: VillageSheet) -> list[Reason]:
    """The garden at the policy's cap (with what one more ha would be worth) or at its minimum."""
    if not sheet.garden_ha:
        return []
    pol = ctx.inst.policies
    for t in reversed(ctx.periods):
        ha = sheet.garden_ha.get(t, 0.0)
        if ha <= TOL:
            continue
        if pol.garden_max_ha is not None and ha >= pol.garden_max_ha - 1e-6:
            worth = _worth(ctx.price("garden_size_max", (sheet.village, t)), "ha")
            return [
                _both("garden", lambda lg: _join(lg, _w("why_garden_cap", lg, ha=_ha(pol.garden_max_ha)), worth(lg)))
            ]
        if pol.garden_min_ha and ha <= pol.garden_min_ha + 1e-6:
            return [_both("garden", lambda lg: _w("why_garden_min", lg, ha=_ha(pol.garden_min_ha)))]
        break
    return []


def _project(ctx: _Plan, sheet: VillageSheet) -> list[Reason]:
    """A project built here: the area it needs in the village against the plan's."""
    out = []
    for hp in sheet.projects:
        if hp.built_by is None:
            continue
        j = next(x for x in ctx.inst.projects if x.id == hp.project)
        t = hp.built_by
        for pre in j.prerequisites:
            if pre.min_area_ha is None or not pre.min_area_ha:
                continue
            have = _prerequisite_area(ctx, pre, t)
            out.append(
                _both(
                    "project",
                    lambda lg, hp=hp, pre=pre, have=have, t=t: _w(
                        "why_project_area",
                        lg,
                        project=hp.names[lg],
                        period=t,
                        need=_ha(pre.min_area_ha),
                        what=_uses_text(ctx, pre, lg),
                        where=_where(ctx, pre.villages, sheet.village, lg),
                        have=_ha(have),
                    ),
                )
            )
            break
        else:
            out.append(
                _both(
                    "project",
                    lambda lg, hp=hp, t=t: _w(
                        "why_project", lg, project=hp.names[lg], period=t, income=_money(hp.income_yuan_per_yr)
                    ),
                )
            )
    return out


def _uses_text(ctx: _Plan, pre: Any, lang: str) -> str:
    """The uses a prerequisite counts, in words; "village garden" for the garden's uses together."""
    uses = [str(u) for u in pre.uses or []]
    kinds = {k.value for k in pre.use_kinds or []}
    uses += [u for u, use in ctx.lib.uses.items() if use.kind.value in kinds and u not in uses]
    gardens = [u for u in uses if ctx.use_kind(u) in GARDEN_KINDS]
    words = [term("word", "garden", lang)] if gardens else []
    words += [term("use", u, lang) for u in uses if u not in gardens]
    words = [_lc(x) for x in words] if lang == "en" else words
    return (" / " if lang == "en" else "或").join(words)


def _where(ctx: _Plan, villages: list[str] | None, village: str, lang: str) -> str:
    """Where a prerequisite's area counts: the village, the township, or the villages named."""
    if villages is None:
        return term("word", "sh_in_township", lang)
    if [str(x) for x in villages] == [village]:
        return term("word", "sh_in_village", lang)
    byid = {str(v.id): v for v in ctx.inst.villages}
    names = (", " if lang == "en" else "、").join(name_of(byid.get(str(x), x), lang) for x in villages)
    return _w("sh_in_villages", lang, names=names)


def _prerequisite_area(ctx: _Plan, pre: Any, t: str) -> float:
    a = ctx.alloc
    if a.empty:
        return 0.0
    a = a[a["period"] == t]
    keep = pd.Series(True, index=a.index)
    for col, values in (
        ("use", pre.uses),
        ("kind", [k.value for k in pre.use_kinds or []]),
        ("village", pre.villages),
        ("cover", pre.covers),
    ):
        if values:
            keep &= a[col].isin([str(x) for x in values])
    return float(a.loc[keep, "area_ha"].sum())


def _recruitment(ctx: _Plan, sheet: VillageSheet) -> list[Reason]:
    """A role the village recruits for whose township total sits at the role's minimum (or
    maximum) while the work needs fewer (more): the range, not the work, sets the number."""
    rec = ctx.recruitment
    if rec.empty or not sheet.jobs or not ctx.inst.policies.recruitment_ranges:
        return []
    totals = rec.groupby(["role", "period"])["count"].sum()
    best: tuple[int, Reason] | None = None
    for role_id, by in sheet.jobs.items():
        role = ctx.roles.get(role_id)
        if role is None:
            continue
        applies = role.periods if role.periods is not None else ctx.periods
        for t, here in by.items():
            if t not in [str(x) for x in applies]:
                continue
            total = int(totals.get((role_id, t), 0))
            need = _work_need(ctx, role, t)
            names = sheet.role_names[role_id]
            low = _minimum(ctx, role, t)
            if low > 0 and total <= low:
                if need is not None and need >= total:
                    continue  # the work, not the minimum, sets the number
                key = "why_recruit_min" if need is not None else "why_recruit_min_nowork"
                each = ctx.unit_price(("recruit_min", "recruit_min_active"), role_id, t)
            elif total >= role.max and need is not None and need > total:
                key = "why_recruit_max"
                each = ctx.unit_price(("recruit_max",), role_id, t)
            else:
                continue
            price_key = "why_recruit_price_max" if key == "why_recruit_max" else "why_recruit_price_min"
            r = _both(
                "recruitment",
                lambda lg, key=key, names=names, total=total, t=t, here=here, need=need, each=each, pk=price_key: _join(
                    lg,
                    _w(
                        key,
                        lg,
                        total=f"{total:,d}",
                        role=names[lg],
                        role_lc=_lc(names[lg]) if lg == "en" else names[lg],
                        period=t,
                        here=f"{here:,d}",
                        need=f"{need:,d}" if need is not None else "",
                    ),
                    _w(pk, lg, amount=_money(each)) if each is not None and abs(each) > 1.0 else "",
                ),
            )
            if best is None or here > best[0]:
                best = (here, r)
    return [best[1]] if best else []


def _active(ctx: _Plan, role: Any, t: str, projects: list[str] | None = None) -> bool:
    """One of the role's projects (or of ``projects``) standing (or being built, for a
    construction crew) in ``t``."""
    pr = ctx.projects
    if pr.empty:
        return False
    norm = ctx.lib.labour_norms.get(role.norm)
    col = "newly_built" if norm is not None and norm.kind.value == "per_project_built" else "built"
    sel = pr[(pr["period"] == t) & pr["project"].isin(role.projects if projects is None else projects)]
    return bool(sel[col].astype(bool).any()) if col in sel else False


def _minimum(ctx: _Plan, role: Any, t: str) -> int:
    """The township's minimum of the role in ``t``: its ``min``; with ``min_when_active`` 0
    while none of its projects is active; with ``min_per_project`` the sum of the active
    projects' minimums."""
    if role.min_per_project is not None:
        return sum(n for j, n in role.min_per_project.items() if _active(ctx, role, t, [j]))
    if role.min_when_active and not _active(ctx, role, t):
        return 0
    return int(role.min)


def _work_need(ctx: _Plan, role: Any, t: str) -> int | None:
    """People the role's work needs in period ``t`` (township-wide for a township role; the
    sum of the villages' needs for a village role), by its labour norm; None for a fixed norm."""
    norm = ctx.lib.labour_norms.get(role.norm)
    if norm is None:
        return None
    kind = norm.kind.value
    a = ctx.alloc
    kinds = [k.value for k in norm.use_kinds]
    villages = [str(v.id) for v in ctx.inst.villages] if role.scope == "village" else [None]
    total = 0.0
    for v in villages:
        sel = a[a["kind"].isin(kinds)] if not a.empty else a
        if v is not None and not sel.empty:
            sel = sel[sel["village"] == v]
        if kind == "planting":
            if norm.value <= 0:
                return None
            years = float(next(p.years for p in ctx.inst.periods if str(p.id) == t))
            added = _added(sel, t, ctx.prev[t])
            work = added / (norm.value * years)
        elif kind == "area_managed":
            if norm.value <= 0:
                return None
            work = float(sel.loc[sel["period"] == t, "area_ha"].sum()) / norm.value if not sel.empty else 0.0
        elif kind in ("per_project", "per_project_built"):
            col = "newly_built" if kind == "per_project_built" else "built"
            pr = ctx.projects
            if pr.empty:
                work = 0.0
            else:
                sel_p = pr[(pr["period"] == t) & pr["project"].isin(role.projects)]
                if v is not None:
                    sel_p = sel_p[sel_p["host_village"] == v]
                work = norm.value * float(sel_p[col].astype(bool).sum())
        else:
            return None
        total += math.ceil(work - 1e-6) if work > 1e-6 else 0
    return int(total)


def _added(sel: pd.DataFrame, t: str, prev: str | None) -> float:
    """Hectares added to the uses of ``sel`` (allocation rows) in period ``t``, parcel by parcel."""
    if sel.empty:
        return 0.0
    now = sel[sel["period"] == t].groupby(["parcel", "use"])["area_ha"].sum()
    if prev is None:
        return float(now.clip(lower=0.0).sum())
    before = sel[sel["period"] == prev].groupby(["parcel", "use"])["area_ha"].sum().reindex(now.index).fillna(0.0)
    return float((now - before).clip(lower=0.0).sum())


def _share_cap(ctx: _Plan, sheet: VillageSheet) -> list[Reason]:
    """A use at its cap as a share of the village's source cover (a moderate courtyard economy)."""
    last = ctx.last
    out = []
    for u, pol in ctx.inst.uses.items():
        if pol.max_share_of_cover is None:
            continue
        ha = sum(c.ha.get(last, 0.0) for c in sheet.parcels if c.use == u)
        if ha <= TOL:
            continue
        use = ctx.lib.uses.get(u)
        if use is None:
            continue
        par = ctx.li.parcels
        base = float(
            par.loc[(par["village"].astype(str) == sheet.village) & par["cover"].isin(use.from_covers), "area_ha"].sum()
        )
        if base <= 0 or ha < pol.max_share_of_cover * base - 1e-6:
            continue
        worth = _worth(ctx.price("use_share_cap", (sheet.village, u, last)), "ha")
        share = f"{pol.max_share_of_cover:.0%}"
        covers = list(use.from_covers)
        out.append(
            _both(
                "share_cap",
                lambda lg, u=u, ha=ha, covers=covers, worth=worth, share=share: _join(
                    lg,
                    _w(
                        "why_share_cap",
                        lg,
                        use=term("use", u, lg),
                        ha=_ha(ha),
                        share=share,
                        cover="、".join(term("cover", c, lg) for c in covers),
                        cover_lc=" or ".join(_label_lc("cover", c, lg) for c in covers),
                    ),
                    worth(lg),
                ),
            )
        )
    return out


def _interactive(ctx: _Plan, sheet: VillageSheet) -> list[Reason]:
    """The interactive forest at its ratio to the village garden (with an explanation's price)."""
    k = ctx.inst.policies.interactive_forest_per_garden_ha
    use = ctx.inst.policies.interactive_forest_use
    if k is None or not sheet.garden_ha:
        return []
    for t in reversed(ctx.periods):
        ha = sum(c.ha.get(t, 0.0) for c in sheet.parcels if c.use == use)
        g = sheet.garden_ha.get(t, 0.0)
        if ha > TOL and ha >= k * g - 1e-6:
            worth = _worth(ctx.price("interactive_with_garden", (sheet.village, t)), "ha")
            return [
                _both(
                    "interactive",
                    lambda lg, ha=ha, worth=worth: _join(
                        lg, _w("why_interactive", lg, ha=_ha(ha), k=_ha(k)), worth(lg)
                    ),
                )
            ]
    return []


def _without(ctx: _Plan, sheet: VillageSheet) -> list[Reason]:
    """What the best plan loses without the village's garden or its main use (the
    explanation's re-solves), when the plan is proved optimal and the re-solve too."""
    imp = ctx.ex_table("importance", "kind", "item", "loss_yuan", "status")
    if imp.empty or ctx.plan.status != "optimal":
        return []
    imp = imp[imp["status"] == "optimal"]
    out = []
    g = imp[(imp["kind"] == "garden") & (imp["item"] == sheet.village)]
    if "in_plan" in g:
        g = g[g["in_plan"].astype(bool)]
    loss = _num(g["loss_yuan"].iloc[0]) if len(g) else None
    if loss is not None and loss > 1.0:
        out.append(_both("without_garden", lambda lg: _w("why_without_garden", lg, amount=_money(loss))))
    main = _main_use(sheet)
    if main is not None:
        al = imp[(imp["kind"] == "allocation") & (imp["item"] == f"{sheet.village}:{main[0]}")]
        aloss = _num(al["loss_yuan"].iloc[0]) if len(al) else None
        if aloss is not None and aloss > 1.0:
            u = main[0]
            out.append(
                _both(
                    "without_use",
                    lambda lg: _w(
                        "why_without_use",
                        lg,
                        use=term("use", u, lg),
                        use_lc=_label_lc("use", u, lg),
                        amount=_money(aloss),
                    ),
                )
            )
    return out


def _budget(ctx: _Plan, sheet: VillageSheet) -> list[Reason]:
    """A period whose budget (and loans) is spent in full while the village spends in it."""
    fin = ctx.finance
    if fin.empty or not {"budget_yuan", "budget_used_yuan"} <= set(fin.columns):
        return []
    for t in ctx.periods:
        if sheet.cost_yuan.get(t, 0.0) <= 0:
            continue
        row = fin[fin["period"] == t]
        if row.empty:
            continue
        budget = float(row["budget_yuan"].iloc[0]) + float(row["loan_yuan"].iloc[0] if "loan_yuan" in row else 0.0)
        used = float(row["budget_used_yuan"].iloc[0])
        if used >= budget - max(1.0, 1e-9 * budget):
            worth = _worth(ctx.price("budget", (t,)), "Yuan")
            return [_both("budget", lambda lg, t=t, worth=worth: _join(lg, _w("why_budget", lg, period=t), worth(lg)))]
    return []


def _land_was(ctx: _Plan, sheet: VillageSheet) -> list[Reason]:
    """What the land changed was: its main cover and how much of it."""
    last = ctx.last
    by: dict[str, float] = {}
    for c in sheet.parcels:
        by[c.cover] = by.get(c.cover, 0.0) + c.ha.get(last, 0.0)
    total = sum(by.values())
    if total <= TOL:
        return []
    cover, ha = max(by.items(), key=lambda x: x[1])
    return [
        _both(
            "land_was",
            lambda lg: _w(
                "why_land_was",
                lg,
                cover=term("cover", cover, lg),
                cover_lc=_label_lc("cover", cover, lg),
                ha=_ha(ha),
                total=_ha(total),
            ),
        )
    ]


def _rule_limits(ctx: _Plan, sheet: VillageSheet) -> list[Reason]:
    """Any other priced rule of the village (the explanation's rows with a village index),
    named by its rule family and valued per unit loosened."""
    r = ctx.ex_table("rules", "family", "constraint", "index", "shadow_price", "unit")
    if r.empty:
        return []
    done = {"garden_size_max", "garden_size_min", "use_share_cap", "interactive_with_garden"}
    best: tuple[float, Reason] | None = None
    for _, row in r.iterrows():
        c = str(row["constraint"])
        if c in done:
            continue
        try:
            names = row_info(c).index
        except KeyError:
            continue
        if "village" not in names:
            continue
        idx = row["index"]
        idx = list(idx) if isinstance(idx, (list, tuple)) else [idx]
        if len(idx) != len(names) or str(idx[names.index("village")]) != sheet.village:
            continue
        p = _num(row["shadow_price"])
        if p is None or p <= TOL or ("binding" in row and not bool(row["binding"])):
            continue
        upto = (_num(row.get("loosen_by")) or 0.0) <= 1e-9
        unit, family = str(row["unit"]), str(row["family"])
        worth = _worth((p, upto), unit)
        reason = _both(
            "rule_limit",
            lambda lg, family=family, worth=worth: _join(
                lg, _w("why_rule_limit", lg, rule=term("rule", family, lg)), worth(lg)
            ),
        )
        if best is None or p > best[0]:
            best = (p, reason)
    return [best[1]] if best else []


# ---------------------------------------------------------------------------
# the terminal
# ---------------------------------------------------------------------------


def sheet_lines(sheet: VillageSheet, lang: str | None = None) -> list[str]:
    """A short plain-text rendering of ``sheet`` in ``lang`` (default: the sheet's), for the
    terminal: the status, each parcel's change with its hectares per period, money, jobs,
    dividends, garden, projects and the reasons."""
    lang = lang or sheet.lang
    _check_lang(lang)
    w = lambda key, **kv: _w(key, lang, **kv)  # noqa: E731
    sep = ": " if lang == "en" else "："
    out = [w("sh_sheet", name=sheet.names.get(lang, sheet.village))]
    out.append(
        w(
            "sh_status",
            status=status_label(sheet.status, lang),
            termination=sheet.termination,
            gap=_gap(sheet.mip_gap),
        )
    )
    if sheet.nothing_to_do:
        out.append(w("sh_no_change"))
        return out
    unit = term("word", "unit_ha", lang)
    semi = "; " if lang == "en" else "；"

    def has(values: dict[str, float]) -> str:
        return "  ".join(f"{t} {_ha(values[t]) if values.get(t, 0.0) > TOL else '–'} {unit}" for t in sheet.periods)

    if sheet.parcels:
        out.append(term("word", "sh_parcels", lang) + sep.rstrip())
        width = max(len(c.parcel) for c in sheet.parcels)
        for c in sheet.parcels:
            change = w("sh_from_to", cover=term("cover", c.cover, lang), use=term("use", c.use, lang))
            out.append(f"  {c.parcel:<{width}}  {change}  {has(c.ha)}")
        out.append(f"  {term('word', 'total', lang)}{sep}{has(sheet.ha_by_period())}")
    else:
        out.append(w("sh_no_change"))

    def per(values: dict[str, float]) -> str:
        return semi.join(f"{t} {_money(values.get(t, 0.0))}" for t in sheet.periods)

    out.append(term("word", "cost_yuan", lang) + sep + per(sheet.cost_yuan))
    for role, by in sheet.jobs.items():
        name = sheet.role_names.get(role, {}).get(lang, role)
        out.append(w("sh_jobs_role", role=name) + sep + semi.join(f"{t} {n:,d}" for t, n in sorted(by.items())))
    out.append(term("word", "dividends_villagers", lang) + sep + per(sheet.dividends_villagers))
    out.append(term("word", "dividends_collective", lang) + sep + per(sheet.dividends_collective))
    if sheet.garden_ha:
        t = sheet.periods[-1]
        out.append(
            term("word", "garden", lang)
            + sep
            + w("sh_garden_on", ha=_ha(sheet.garden_ha.get(t, 0.0)), period=t, parcels=", ".join(sheet.garden_parcels))
        )
    for p in sheet.projects:
        out.append(term("word", "project", lang) + sep + project_text(p, lang))
    if sheet.reasons:
        out.append(term("word", "reasons", lang) + sep.rstrip())
        out += [f"  - {r.text[lang]}" for r in sheet.reasons]
    return out


def project_text(p: HostedProject, lang: str) -> str:
    """One line on a hosted project: built by when, its capital cost and income (or not built)."""
    name = p.names.get(lang, p.project)
    if p.built_by is None:
        return _w("sh_project_not_built", lang, name=name)
    return _w(
        "sh_project_built",
        lang,
        name=name,
        period=p.built_by,
        capex=_money(p.capex_yuan),
        income=_money(p.income_yuan_per_yr),
    )


def _gap(v: float | None) -> str:
    if v is None:
        return "n/a"
    if v == 0:
        return "0"
    return f"{v:.3g}" if abs(v) >= 1e-3 else f"{v:.2e}"
