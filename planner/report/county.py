"""The county report: ``report.md`` and ``report.html`` for a county (or prefecture) plan,
in English or Chinese.

It reads like a township's report, for the county as a whole: the status (with
termination, gap and the verification), the county's headline figures per period (the
townships' figures summed; coverage as the covered land of all townships over the
county's area), the county targets, the county budget pool, and one line per township
(its objective, GEP, dividends, what it takes from the pool, and the folder with its own
plan). Each township's plan, with its tables and workbook, is in ``townships/<id>/``;
``planner report townships/<id>`` writes that township's own report. A part that fails is
replaced by a warning saying why; the rest is still written.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd

from planner.core.files import write_text
from planner.core.kpis import KPI
from planner.core.labels import LANGS
from planner.instance.county import load_county
from planner.model.rules.targets import SHARES
from planner.plan.county import CountyPlan
from planner.report.document import Doc, to_html, to_markdown
from planner.report.formats import fmt_money
from planner.report.inputs import table_of, with_str_period
from planner.report.sections import kpi_section, status_section, target_section, word

__all__ = ["county_kpis", "write_county_report"]


def county_kpis(cp: CountyPlan, areas: dict[str, float] | None = None) -> pd.DataFrame:
    """The county's ``kpis`` table: per period, each township's figure summed; a coverage
    as the covered ha of all townships over the county's area (``areas``: township ->
    ha; without it a coverage is left out)."""
    parts = []
    for tid, p in cp.townships:
        k = with_str_period(table_of(p, "kpis"))
        if not k.empty:
            parts.append(k.assign(_township=tid))
    if not parts:
        return pd.DataFrame()
    k = pd.concat(parts, ignore_index=True)
    sums = [c for c in k.columns if c in KPI and c not in SHARES]
    out = k.groupby("period", sort=False)[sums].sum().reset_index()
    for c in SHARES:
        if c not in k or not areas:
            continue
        ha = k[c].astype(float) * k["_township"].map(areas).astype(float)
        total = sum(areas.get(tid, 0.0) for tid, _ in cp.townships)
        out[c] = (ha.groupby(k["period"], sort=False).sum() / total).reindex(out["period"]).to_numpy()
    return out


def _finance(cp: CountyPlan) -> pd.DataFrame:
    """The loans drawn per period, summed over the townships (the KPI table's loan row)."""
    parts = [with_str_period(table_of(p, "finance")) for _, p in cp.townships]
    parts = [f for f in parts if "loan_yuan" in f]
    if not parts:
        return pd.DataFrame()
    f = pd.concat(parts, ignore_index=True)
    return f.groupby("period", sort=False)[["loan_yuan"]].sum().reset_index()


def _as_plan(cp: CountyPlan, kpis: pd.DataFrame, lang: str = "en") -> SimpleNamespace:
    """The county plan with the attributes the township report's sections read."""
    return SimpleNamespace(
        status=cp.status,
        termination=cp.termination,
        mip_gap=cp.mip_gap,
        objective=cp.objective,
        objective_bound=cp.objective_bound,
        verification=cp.verification,
        status_note=cp.note(lang),
        has_solution=cp.has_solution,
        solver=str(cp.options.get("solver", "highs")),
        solve_time_s=cp.solve_time_s,
        build_time_s=None,
        instance_name=cp.name,
        instance_path=cp.path,
        overrides=cp.overrides,
        warnings=[],
        tables={"kpis": kpis, "finance": _finance(cp), "targets": cp.targets if cp.targets is not None else None},
    )


def _townships(doc: Doc, cp: CountyPlan, periods: list[str], lang: str) -> None:
    doc.h(2, word("rp_county_townships", lang, n=len(cp.townships)))
    pool = list(cp.pool) if cp.pool else []
    header = [word("county_township", lang), word("rp_county_name", lang), word("county_objective", lang)]
    header += [word("rp_county_gep", lang, period=t) for t in periods]
    header += [word("rp_county_dividends", lang, period=t) for t in periods]
    header += [word("county_from_pool", lang, period=t) for t in pool]
    header.append(word("rp_county_folder", lang))
    rows = []
    for tid, p in cp.townships:
        k = with_str_period(table_of(p, "kpis"))
        k = k.set_index("period") if "period" in k else pd.DataFrame()

        def fig(col: str, t: str, k: pd.DataFrame = k) -> str:
            return fmt_money(k.at[t, col]) if col in k and t in k.index else "–"

        rows.append(
            [tid, p.instance_name, fmt_money(p.objective)]
            + [fig("gep_yuan", t) for t in periods]
            + [fig("dividends_yuan", t) for t in periods]
            + [fmt_money(cp.allocations.get(tid, {}).get(t, 0.0)) for t in pool]
            + [f"townships/{tid}/"]
        )
    doc.table(header, rows, right=range(2, len(header) - 1))
    doc.p(word("rp_county_folders", lang))


def _pool(doc: Doc, cp: CountyPlan, lang: str) -> None:
    if not cp.pool:
        return
    doc.h(2, word("rp_county_pool", lang))
    rows = [[str(r.period), fmt_money(r.used_yuan), fmt_money(r.limit_yuan)] for r in cp.county_rows().itertuples()]
    doc.table(
        [word("period", lang), word("rp_county_allocated", lang), word("rp_county_pool", lang)], rows, right=(1, 2)
    )


def write_county_report(
    cp: CountyPlan | str | Path,
    out_dir: str | Path | None = None,
    *,
    county=None,
    lang: str = "en",
    paper: str = "a4",
) -> tuple[Path, Path]:
    """Write ``report.md`` and ``report.html`` for a county plan into ``out_dir`` (default:
    the plan's folder when ``cp`` is one).

    ``cp``: a :class:`CountyPlan`, or its folder. ``county``: the
    :class:`planner.instance.county.LoadedCounty` (the county targets and the townships'
    areas, for coverage); when None it is loaded from the plan's recorded path, and if that
    fails the report leaves out the targets and the county's coverage. Returns
    ``(md_path, html_path)``."""
    if lang not in LANGS:
        raise ValueError(f"language {lang!r}: use one of {', '.join(LANGS)}")
    if not isinstance(cp, CountyPlan):
        folder = Path(cp)
        cp = CountyPlan.from_json(folder)
        out_dir = out_dir if out_dir is not None else (folder if folder.is_dir() else folder.parent)
    if out_dir is None:
        raise ValueError("give out_dir when cp is a CountyPlan")
    why = ""
    if county is None:
        try:
            county = load_county(cp.path)
        except Exception as exc:  # noqa: BLE001 - only the targets and coverage are lost
            why = f"{cp.path} could not be loaded ({type(exc).__name__}: {exc})"
    areas = None
    if county is not None:
        areas = {tid: float(li.parcels["area_ha"].sum()) for tid, li in county.townships}
    kpis = county_kpis(cp, areas)
    periods = [str(t) for t in kpis["period"]] if "period" in kpis else []
    plan: Any = _as_plan(cp, kpis, lang)
    targets = (
        None
        if county is None
        else SimpleNamespace(instance=SimpleNamespace(targets=[t for _, t in county.targets], villages=[]))
    )
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    title = word("rp_county_title", lang, name=cp.name)
    doc = Doc(lang=lang)
    doc.h(1, title)
    doc.p(word("rp_county_intro", lang, n=len(cp.townships), method=word(f"county_method_{cp.method}", lang)))
    sections: list[tuple[str, Callable[[], None]]] = [
        ("rp_status", lambda: status_section(doc, plan, lang)),
        ("rp_kpis", lambda: kpi_section(doc, plan, periods, lang)),
        ("rp_targets", lambda: target_section(doc, plan, targets, why, lang)),
        ("rp_county_pool", lambda: _pool(doc, cp, lang)),
        ("rp_county_townships_word", lambda: _townships(doc, cp, periods, lang)),
    ]
    for name, make in sections:
        try:
            make()
        except Exception as exc:  # noqa: BLE001 - say what failed, keep the rest of the report
            doc.warn(word("rp_section_failed", lang, name=word(name, lang), error=f"{type(exc).__name__}: {exc}"))
    md_path, html_path = out / "report.md", out / "report.html"
    write_text(md_path, to_markdown(doc, out))
    write_text(html_path, to_html(doc, title, paper=paper))
    return md_path, html_path
