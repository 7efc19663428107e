"""The page and its server logic (Shiny for Python).

The page is built per request, in the language of ``?lang=`` (``en`` or ``zh``); every
word comes from :mod:`planner.core.labels`. Every value shown goes through htmltools,
which escapes it, or through the map script, which sets text with ``textContent``.
"""

from __future__ import annotations

import asyncio
import base64
import importlib.resources
import io
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
from htmltools import Tag, TagList
from shiny import App, Inputs, Outputs, Session, reactive, render, ui

from planner.api import load_instance
from planner.app import mapdata, sweeps
from planner.app.scenario import check, settings
from planner.app.state import BASE, REPAIR_CHOICES, AppState, Opened, Scenario, repair_choice_label
from planner.app.workspace import UPLOAD_SUFFIXES
from planner.core.errors import InputError
from planner.core.kpis import KPI
from planner.core.labels import LANGS, name_of, term
from planner.explain.sheets import sheet_lines, village_sheets
from planner.explain.whatif import differences
from planner.instance.decisions import parse
from planner.report.fonts import CJK_RANGES, CSS_CJK_STACK, CSS_FAMILY
from planner.report.formats import fmt_kpi, fmt_money
from planner.report.gpkg import village_figures, write_plan_gpkg
from planner.report.workbook import gap_words, write_workbook
from planner.report.write import write_report

WWW = Path(__file__).resolve().parent / "www"

#: MapLibre GL JS as the ``maplibre`` pip package ships it (its ``srcjs`` folder), served as is.
MAPLIBRE = Path(str(importlib.resources.files("maplibre") / "srcjs"))
#: Chinese text in the planner's packaged font (served by the app, fetched only for CJK characters)
FONT_CSS = (
    f'@font-face {{ font-family: "{CSS_FAMILY}"; src: url("font/cjk.otf") format("opentype"); font-display: block; '
    "unicode-range: "
    + ", ".join(f"U+{lo:X}-{hi:X}" for lo, hi in CJK_RANGES)
    + '; } body, .village-label, .maplibregl-popup { font-family: system-ui, "Segoe UI", Roboto, "Noto Sans", '
    + f'"DejaVu Sans", {CSS_CJK_STACK}, "{CSS_FAMILY}", sans-serif; }}'
)
MODES = ("cover", "red_line", "eco", "share", "use", "diff")


def words(lang: str):
    return lambda key: term("word", key, lang)


def page(request) -> Tag:
    lang = request.query_params.get("lang", "en")
    lang = lang if lang in LANGS else "en"
    w = words(lang)
    other = "zh" if lang == "en" else "en"
    sidebar = ui.sidebar(
        ui.input_select("instance", w("app_instance"), choices=[]),
        ui.input_file(
            "upload",
            w("app_upload"),
            multiple=True,
            accept=list(UPLOAD_SUFFIXES),
        ),
        ui.output_ui("loader_messages"),
        ui.input_select("scenario", w("app_scenario"), choices=[BASE]),
        ui.div(
            ui.input_text("new_name", w("app_new_scenario"), placeholder="budget-cut"),
            ui.input_action_button("new_scenario", w("app_copy_scenario"), class_="btn-sm"),
        ),
        ui.hr(),
        ui.output_ui("settings_form"),
        ui.output_ui("decisions"),
        ui.input_action_button("solve", w("app_solve"), class_="btn-primary"),
        ui.input_action_button("cancel", w("app_cancel"), class_="btn-warning"),
        ui.output_ui("save_messages"),
        width=360,
        open="always",
    )
    main = ui.navset_tab(
        ui.nav_panel(
            w("app_map"),
            ui.input_radio_buttons("mode", None, {m: w(f"map_{m}") for m in MODES}, inline=True),
            ui.div(id="planner-map"),
            ui.div(id="planner-legend"),
            ui.output_ui("selected"),
        ),
        ui.nav_panel(w("app_plan"), ui.output_ui("plan_view")),
        ui.nav_panel(
            w("app_compare"),
            ui.input_checkbox_group("compare", w("app_compare_which"), choices=[BASE], inline=True),
            ui.output_ui("compare_view"),
        ),
        ui.nav_panel(
            w("app_downloads"),
            ui.p(w("app_downloads_note")),
            ui.download_button("dl_plan", "plan.json"),
            ui.download_button("dl_scenario", w("app_scenario_yaml")),
            ui.download_button("dl_workbook", w("app_workbook")),
            ui.download_button("dl_tables", w("app_tables")),
            ui.download_button("dl_gpkg", "plan.gpkg"),
            ui.download_button("dl_report", "report.html"),
        ),
        ui.nav_panel(
            w("app_sweep"),
            ui.p(w("app_sweep_note"), class_="setting-help"),
            ui.output_ui("sweep_form"),
            ui.input_action_button("sweep_start", w("app_sweep_start"), class_="btn-primary"),
            ui.input_action_button("sweep_stop", w("app_sweep_stop"), class_="btn-warning"),
            ui.output_ui("sweep_view"),
        ),
        id="tabs",
    )
    return ui.page_sidebar(
        sidebar,
        ui.head_content(
            ui.tags.link(rel="stylesheet", href="maplibre/maplibre-gl.css"),
            # Shiny's page loads require.js; MapLibre's bundle would then register as an AMD
            # module instead of the global `maplibregl`, so `define` is hidden while it loads
            ui.tags.script("window.plannerDefine = window.define; window.define = undefined;"),
            ui.tags.script(src="maplibre/maplibre-gl.js"),
            ui.tags.script("window.define = window.plannerDefine;"),
            ui.tags.link(rel="stylesheet", href="planner-www/app.css"),
            ui.tags.style(FONT_CSS),
            # a Chinese page needs the font at once: text laid out before it arrives can stay as boxes
            ui.tags.link(rel="preload", href="font/cjk.otf", as_="font", type="font/otf", crossorigin="")
            if lang == "zh"
            else None,
            ui.tags.script(src="planner-www/map.js", defer=True),
            ui.tags.title("planner"),
        ),
        ui.div(
            ui.a("中文" if other == "zh" else "English", href=f"?lang={other}", id="lang-link"),
            ui.div(ui.input_text("lang", None, value=lang), style="display:none"),
            style="float:right",
        ),
        ui.output_ui("status_bar"),
        main,
        title=w("app_title"),
        lang="zh-CN" if lang == "zh" else "en",
    )


# ---------------------------------------------------------------------------
# pieces of the page
# ---------------------------------------------------------------------------


def status_line(sc: Scenario | None, lang: str) -> Tag:
    """The scenario's honest status: not solved, solving (stage, seconds), failed, or the
    plan's status word with its termination, MIP gap and verification."""
    w = words(lang)
    if sc is None or sc.job is None:
        return ui.div(w("app_not_solved"), class_="status-bar status-idle", id="status")
    job = sc.job
    if job.state == "running":
        stage = w(f"app_stage_{job.stage}")
        text = f"{sc.name}: {stage} {job.elapsed:,.0f} s"
        if job.stage == "solving" and job.best is not None:
            gap = "n/a" if job.gap is None else f"{job.gap:.2%}"
            goal = w("solving_for").format(goal=job.goal) if job.goal not in ("", "weighted") else ""
            text = f"{sc.name}: " + w("solving_best").format(goal=goal, objective=fmt_money(job.best), gap=gap)
            text += f" · {job.elapsed:,.0f} s"
        if job.cancelled:
            text += f" ({w('app_cancelling')})"
        return ui.div(text, class_="status-bar status-running", id="status", **{"data-state": "running"})
    if job.state == "failed":
        return ui.div(
            f"{sc.name}: {job.error}", class_="status-bar status-none", id="status", **{"data-state": "failed"}
        )
    plan = job.plan
    gap = gap_words(plan, lang)
    parts = [
        f"{sc.name}: {term('status', plan.status, lang)}" + (f" ({plan.status})" if lang != "en" else ""),
        f"{w('app_termination')} {plan.termination}",
        f"{w('mip_gap')}: {gap}",
    ]
    if plan.has_solution:
        v = plan.verification or {}
        parts.append(f"{w('verified')}: {w('passed') if v.get('passed') else w('failed')}")
    if job.cancelled:
        parts.append(w("app_cancelled_kept"))
    parts += job.notes
    cls = "status-optimal" if plan.status == "optimal" else ("status-feasible" if plan.has_solution else "status-none")
    return ui.div(
        " · ".join(parts), class_=f"status-bar {cls}", id="status", **{"data-state": "done", "data-status": plan.status}
    )


def table(head: list[str], rows: list[list[Any]], num: tuple[int, ...] = (), id: str | None = None) -> Tag:
    return ui.tags.table(
        ui.tags.thead(ui.tags.tr(*[ui.tags.th(h) for h in head])),
        ui.tags.tbody(
            *[
                ui.tags.tr(*[ui.tags.td(str(c), class_="num" if i in num else None) for i, c in enumerate(r)])
                for r in rows
            ]
        ),
        class_="planner-table",
        id=id,
    )


def kpi_rows(plan, lang: str) -> tuple[list[str], list[list[str]]]:
    k = plan.tables.get("kpis", pd.DataFrame())
    periods = [str(p) for p in k["period"]] if len(k) else []
    rows = []
    for col in k.columns:
        if col == "period" or col not in KPI:
            continue
        rows.append([term("kpi", col, lang)] + [fmt_kpi(col, float(v)) for v in k[col]])
    return [term("word", "app_figure", lang)] + periods, rows


def target_rows(op: Opened, plan, lang: str) -> list[list[str]]:
    """The plan against each target, required ones (rules of the model) first: the plan's own
    figure from its ``targets`` table (a village's or a service's), else the township's KPI."""
    k = plan.tables.get("kpis", pd.DataFrame())
    k = k.assign(period=k["period"].astype(str)).set_index("period") if len(k) else k
    tt = plan.tables.get("targets", pd.DataFrame())
    own = {str(r["target"]): (float(r["value"]), bool(r["met"])) for _, r in tt.iterrows()} if len(tt) else {}
    villages = {str(v.id): v for v in op.li.instance.villages}
    targets = list(op.li.instance.targets)
    out = []
    for i in sorted(range(len(targets)), key=lambda i: not targets[i].required):
        tg = targets[i]
        lo, hi = tg.min, tg.max
        want = " – ".join(fmt_kpi(tg.kpi, x) for x in (lo, hi) if x is not None)
        want = want if lo is not None and hi is not None else (f"≥ {want}" if lo is not None else f"≤ {want}")
        name = tg.id if tg.id else str(i)
        if name in own:
            val, met = own[name]
        else:
            val = float(k.at[str(tg.period), tg.kpi]) if len(k) and tg.kpi in k and str(tg.period) in k.index else None
            tol = 1e-9 * max(1.0, abs(val or 0.0))
            met = val is not None and (lo is None or val >= lo - tol) and (hi is None or val <= hi + tol)
        label = tg.label or term("kpi", tg.kpi, lang)
        scope = [name_of(villages[str(tg.village)], lang) if str(tg.village) in villages else tg.village]
        scope += [term("service", tg.service, lang)] if tg.service else []
        label += "".join(f" [{x}]" for x in scope if x)
        out.append(
            [
                label,
                str(tg.period),
                "n/a" if val is None else fmt_kpi(tg.kpi, val),
                want,
                term("word", "yes" if met else "no", lang),
                term("word", "target_required" if tg.required else "target_reported", lang),
            ]
        )
    return out


def plan_view(op: Opened, sc: Scenario, lang: str) -> TagList:
    w = words(lang)
    out = TagList()
    plan = sc.plan
    if plan is None:
        return TagList(ui.p(w("app_not_solved")))
    if not plan.has_solution:
        out.append(ui.h4(w("app_no_plan")))
        dg = sc.diagnosis
        if dg is not None:
            out.append(ui.p(w("app_diagnosis")))
            out.append(ui.tags.ul(*[ui.tags.li(line) for line in dg.summary_lines()], id="diagnosis"))
            if not dg.relaxations.empty:
                out.append(ui.input_action_button("relax", w("app_relax"), class_="btn-primary"))
            # the planner's choice of rules that may give: unticked ones are kept (repair.keep) in a new diagnosis
            keep = set((sc.extra.get("repair") or {}).get("keep") or [])
            choices = {k: repair_choice_label(k, lang) for k in REPAIR_CHOICES}
            out.append(
                ui.input_checkbox_group(
                    "may_give",
                    w("app_may_give"),
                    choices=choices,
                    selected=[k for k in REPAIR_CHOICES if k not in keep],
                    inline=True,
                )
            )
            out.append(ui.input_action_button("rediagnose", w("app_rediagnose")))
        return out
    head, rows = kpi_rows(plan, lang)
    out.append(ui.h4(w("app_kpis")))
    out.append(table(head, rows, num=tuple(range(1, len(head))), id="kpi-table"))
    targets = target_rows(op, plan, lang)
    if targets:
        out.append(ui.h4(w("app_targets")))
        out.append(
            table(
                [w("app_target"), w("period"), w("app_plan_value"), w("app_target"), w("app_met"), w("rp_kind")],
                targets,
                num=(2, 3),
                id="target-table",
            )
        )
    vf = village_figures(plan, op.li)
    last = [c for c in vf.columns if c.startswith("gep_yuan_per_yr_")][-1:]
    div = [c for c in vf.columns if c.startswith("dividends_yuan_per_yr_")][-1:]
    villages = {v.id: v for v in op.li.instance.villages}
    vrows = [
        [name_of(villages.get(str(v), v), lang), f"{r['area_ha']:,.1f}"] + [f"{r[c]:,.0f}" for c in last + div]
        for v, r in vf.iterrows()
    ]
    out.append(ui.h4(w("app_villages")))
    out.append(table([w("village"), w("area_ha"), w("gep"), w("dividends_villagers")], vrows, num=(1, 2, 3)))
    ex = sc.explanation
    summary = ex.tables.get("rule_summary") if ex is not None else None
    if summary is not None and len(summary):
        top = summary.assign(_p=summary["max_shadow_price"].abs().fillna(0.0)).sort_values("_p", ascending=False)
        out.append(ui.h4(w("app_explanation")))
        out.append(ui.tags.ul(*[ui.tags.li(str(t)) for t in top["statement"].head(12)], id="explanation"))
    out.append(ui.h4(w("app_sheets")))
    for sheet in village_sheets(op.li, plan, explanation=ex, lang=lang):
        lines = sheet_lines(sheet, lang)
        out.append(ui.tags.details(ui.tags.summary(lines[0] if lines else sheet.name), ui.tags.ul(
            *[ui.tags.li(line) for line in lines[1:]]), class_="village-sheet"))  # fmt: skip
    return out


def compare_view(op: Opened, names: list[str], lang: str) -> TagList:
    w = words(lang)
    plans = [(n, op.scenarios[n].plan) for n in names if n in op.scenarios and op.scenarios[n].plan is not None]
    plans = [(n, p) for n, p in plans if p.has_solution]
    if len(plans) < 2:
        return TagList(ui.p(w("app_compare_need_two")))
    base_name, base = plans[0]
    k0 = base.tables["kpis"].assign(period=lambda d: d["period"].astype(str)).set_index("period")
    head = [w("app_figure"), w("period"), base_name]
    for n, _ in plans[1:]:
        head += [n, f"{w('app_difference')} ({n})"]
    rows = []
    for col in [c for c in k0.columns if c in KPI]:
        for t in k0.index:
            r = [term("kpi", col, lang), t, fmt_kpi(col, float(k0.at[t, col]))]
            for _, p in plans[1:]:
                k = p.tables["kpis"].assign(period=lambda d: d["period"].astype(str)).set_index("period")
                v = float(k.at[t, col]) if t in k.index else float("nan")
                d = v - float(k0.at[t, col])
                r += [fmt_kpi(col, v), ("+" if d > 0 else "") + fmt_kpi(col, d) if abs(d) > 1e-9 else "0"]
            rows.append(r)
    out = TagList(ui.h4(w("app_kpis")), table(head, rows, num=tuple(range(2, len(head))), id="compare-table"))
    for n, p in plans[1:]:
        diff = differences(base, p, 40)
        diff = diff[diff["what"].isin(["garden built", "project built", "recruits", "area"])]
        out.append(ui.h4(f"{base_name} → {n}: {w('app_changes')}"))
        if diff.empty:
            out.append(ui.p(w("app_no_changes")))
            continue
        out.append(
            table(
                [w("app_what"), w("app_where"), w("period"), base_name, n],
                [[r.what, r.where, r.period, f"{r.plan:,.2f}", f"{r.alternative:,.2f}"] for r in diff.itertuples()],
                num=(3, 4),
                id=f"changes-{n}",
            )
        )
    return out


# ---------------------------------------------------------------------------
# the server
# ---------------------------------------------------------------------------


def make_app(state: AppState) -> App:
    def server(input: Inputs, output: Outputs, session: Session) -> None:
        tick = reactive.value(0)
        form = reactive.value(0)
        loader = reactive.value(("", ""))
        saved = reactive.value(("", ""))
        picked = reactive.value(None)

        def lang() -> str:
            v = input.lang() or "en"
            return v if v in LANGS else "en"

        def current() -> tuple[Opened | None, Scenario | None]:
            op = state.opened.get(input.instance() or "")
            if op is None:
                return None, None
            return op, op.scenarios.get(input.scenario() or BASE) or op.scenarios[BASE]

        @reactive.effect
        def _poll() -> None:
            reactive.invalidate_later(0.5 if state.running() else 2.0)
            state.poll()
            with reactive.isolate():
                if tick() != state.version:
                    tick.set(state.version)

        # The lists of instances and scenarios change on the server (an upload, a new scenario,
        # another tab); they are sent only when they change, with the choice the server made
        # last (``chosen``), so that an older value still on its way from the browser never
        # undoes a choice the server just made.
        sent: dict[str, Any] = {"instance": None, "scenario": None}
        chosen: dict[str, str | None] = {"instance": None, "scenario": None}

        def choose(what: str, value: str) -> None:
            chosen[what] = value
            sent[what] = None  # send the list again, with this choice, now
            tick.set(state.version)

        @reactive.effect
        def _arrived() -> None:
            """A choice the server made is done once the browser reports it."""
            for what, now in (("instance", input.instance()), ("scenario", input.scenario())):
                if now is not None and now == chosen[what]:
                    chosen[what] = None

        @reactive.effect
        def _instances() -> None:
            tick()
            with reactive.isolate():
                keys = state.choices()
                if keys == sent["instance"]:
                    return
                first = next(iter(state.opened), keys[0] if keys else None)
                now = input.instance()
                sel = chosen["instance"] if chosen["instance"] in keys else (now if now in keys else first)
            sent["instance"] = keys
            ui.update_select("instance", choices=keys, selected=sel)

        @reactive.effect
        def _scenarios() -> None:
            tick()
            input.instance()
            op, sc = current()
            if op is None:
                return
            names = list(op.scenarios)
            if (op.key, names) == sent["scenario"]:
                return
            with reactive.isolate():
                now = input.scenario()
                sel = chosen["scenario"] if chosen["scenario"] in names else (now if now in names else BASE)
                ticked = [n for n in (input.compare() or ()) if n in names] or names[:2]
            sent["scenario"] = (op.key, names)
            ui.update_select("scenario", choices=names, selected=sel)
            ui.update_checkbox_group("compare", choices=names, selected=ticked)

        @reactive.effect
        @reactive.event(input.instance)
        async def _open_map() -> None:
            key = input.instance() or ""
            if key and key not in state.opened and key in state.available:
                loader.set(("", f"{term('word', 'app_loading', lang())} {key} ..."))
                try:
                    op = await asyncio.to_thread(state.ensure, key)
                except InputError as exc:
                    loader.set(("error", str(exc)))
                    return
                warn = "\n".join(str(p) for p in op.li.warnings) if op else ""
                loader.set(("ok", f"{term('word', 'app_opened', lang())}: {key}" + (f"\n{warn}" if warn else "")))
            op, _ = current()
            if op is None:
                return
            lg = lang()
            if not mapdata.has_map(op.li):
                await session.send_custom_message(
                    "planner-map-init", {"parcels": None, "none": term("word", "app_no_geometry", lg), "legend": None}
                )
                return
            if f"legend:{lg}" not in op.cache:
                op.cache[f"legend:{lg}"] = await asyncio.to_thread(mapdata.legend, op.li, lg)
            legend = dict(op.cache[f"legend:{lg}"])
            legend["share"] = [["0", "#f2f2f2"], ["50%", "#5aae61"], ["100%", "#00441b"]]
            legend["diff"] = [
                [term("word", "app_less_change", lg), "#b2182b"],
                ["0", "#f7f7f7"],
                [term("word", "app_more_change", lg), "#2166ac"],
            ]
            await session.send_custom_message(
                "planner-map-init",
                {
                    "parcels": f"data/{op.token}/parcels.geojson",
                    "villages": f"data/{op.token}/villages.geojson?lang={lg}",
                    "legend": legend,
                },
            )
            form.set(form() + 1)

        @reactive.effect
        async def _map_values() -> None:
            tick()
            mode = input.mode()
            op, sc = current()
            if op is None or not mapdata.has_map(op.li):
                return
            data: dict[str, list] | None = None
            if mode in ("share", "use") and sc.plan is not None and sc.plan.has_solution:
                v = mapdata.plan_values(sc.plan, op.li)
                data = {"s": v["share"], "u": v["use"]}
            elif mode == "diff":
                names = list(input.compare() or ())
                base = op.scenarios.get(names[0] if names else BASE)
                if (
                    base is not None
                    and base.plan is not None
                    and sc.plan is not None
                    and sc is not base
                    and base.plan.has_solution
                    and sc.plan.has_solution
                ):
                    d = mapdata.difference_values(base.plan, sc.plan, op.li)
                    data = {"d": d["delta"], "m": d["moved"]}
            if data is None:
                n = len(op.li.parcels)
                data = {"s": [0] * n, "u": [-1] * n, "d": [0] * n}
            shown = f"{sc.name}/{'plan' if sc.plan is not None and sc.plan.has_solution else 'none'}"
            await session.send_custom_message("planner-map-values", {"mode": mode, "data": data, "version": shown})

        @reactive.effect
        @reactive.event(input.map_click)
        async def _click() -> None:
            op, sc = current()
            click = input.map_click()
            if op is None or not isinstance(click, dict):
                return
            try:
                i = int(click.get("id"))
            except (TypeError, ValueError):
                return
            if not 0 <= i < len(op.li.parcels):
                return
            picked.set(i)
            rows = mapdata.parcel_rows(op.li, i, sc.plan, lang())
            await session.send_custom_message(
                "planner-popup", {"rows": rows, "lng": float(click.get("lng", 0)), "lat": float(click.get("lat", 0))}
            )

        @render.ui
        def selected() -> Any:
            tick()
            i = selected_parcel()
            op, sc = current()
            if op is None or i is None or i >= len(op.li.parcels):
                return ui.p(term("word", "app_click_hint", lang()), class_="setting-help")
            w = words(lang())
            p = op.li.parcels.iloc[i]
            vid = str(p["village"])
            vil = next((v for v in op.li.instance.villages if v.id == vid), vid)

            def pair(label: str, decision: str) -> Tag:
                return ui.div(
                    ui.span(label, style="margin-right:0.6em"),
                    ui.tags.button(
                        w("app_force"),
                        class_="btn btn-sm btn-outline-success",
                        **{"data-action": "force", "data-decision": decision},
                    ),
                    ui.tags.button(
                        w("app_forbid"),
                        class_="btn btn-sm btn-outline-danger",
                        **{"data-action": "forbid", "data-decision": decision},
                    ),
                    style="margin:0.2em 0",
                )

            items = [ui.h5(f"{w('parcel')} {p['id']} · {name_of(vil, lang())}")]
            if not getattr(vil, "is_town", False):
                items.append(pair(f"{w('garden')} ({name_of(vil, lang())})", f"garden:{vid}"))
            for j in op.li.instance.projects:
                if j.host_village == vid:
                    items.append(pair(f"{w('project')}: {name_of(j, lang())}", f"project:{j.id}"))
            alloc = sc.plan.tables.get("allocations") if sc.plan is not None and sc.plan.has_solution else None
            if alloc is not None and len(alloc):
                mine = alloc[(alloc["parcel"].astype(str) == str(p["id"])) & (alloc["area_ha"] > 1e-6)]
                for u in dict.fromkeys(mine["use"].astype(str)):
                    items.append(
                        ui.div(
                            ui.span(f"{term('use', u, lang())} ({w('parcel')} {p['id']})", style="margin-right:0.6em"),
                            ui.tags.button(w("app_forbid"), class_="btn btn-sm btn-outline-danger",
                                           **{"data-action": "forbid", "data-decision": f"parcel:{p['id']}:{u}"}),
                            style="margin:0.2em 0",
                        )
                    )  # fmt: skip
            return ui.div(*items, id="selected-card")

        def selected_parcel() -> int | None:
            return picked()

        @reactive.effect
        @reactive.event(input.decide)
        def _decide() -> None:
            op, sc = current()
            d = input.decide()
            if op is None or not isinstance(d, dict):
                return
            action, text = str(d.get("action", "")), str(d.get("decision", ""))
            if action == "undo":
                for lst in (sc.force, sc.forbid):
                    if text in lst:
                        lst.remove(text)
                state.bump()
                return
            if action not in ("force", "forbid"):
                return
            try:
                parse(text, action, op.li)
            except InputError as exc:
                saved.set(("error", str(exc)))
                return
            mine, other = (sc.force, sc.forbid) if action == "force" else (sc.forbid, sc.force)
            if text in other:
                other.remove(text)
            if text not in mine:
                mine.append(text)
            state.bump()

        @render.ui
        def decisions() -> Any:
            tick()
            op, sc = current()
            if op is None:
                return None
            w = words(lang())
            items = [
                ui.tags.li(
                    f"{w('app_' + a)}: {t} ",
                    ui.tags.button(
                        "×",
                        class_="btn btn-sm btn-link",
                        title=w("app_undo"),
                        **{"data-action": "undo", "data-decision": t},
                    ),
                )
                for a, lst in (("force", sc.force), ("forbid", sc.forbid))
                for t in lst
            ]
            return ui.div(
                ui.strong(w("app_decisions")),
                ui.tags.ul(*items, id="decision-list") if items else ui.p(w("app_click_hint"), class_="setting-help"),
            )

        @render.ui
        def settings_form() -> Any:
            form()
            input.scenario()
            op, sc = current()
            if op is None:
                return None
            w = words(lang())
            out = []
            group = None
            roles = {r.id: r for r in op.li.instance.roles}
            projects = {j.id: j for j in op.li.instance.projects}
            for i, s in enumerate(settings(op.li)):
                if s.group != group:
                    group = s.group
                    out.append(ui.h6(w(f"app_group_{group}")))
                value = sc.values.get(s.path, s.value)
                if isinstance(value, float) and value.is_integer():
                    value = int(value)
                if s.lo is not None and s.hi is not None:
                    rng = f"{s.lo:g} – {s.hi:g}"
                else:
                    rng = f"≥ {s.lo:g}" if s.lo is not None else (f"≤ {s.hi:g}" if s.hi is not None else "")
                parts = s.path.split(".")
                per_project = s.group == "recruitment" and len(parts) == 4
                label = term("word", "set_min" if per_project else "set_" + parts[-1], lang())
                if s.group == "budgets":
                    label += f" {parts[1]}"
                elif s.group == "recruitment":
                    label += f": {name_of(roles.get(parts[1], parts[1]), lang())}"
                if per_project:  # roles.<id>.min_per_project.<project>: the minimum while that project is active
                    label += f", {name_of(projects.get(parts[3], parts[3]), lang())}"
                unit = f" ({s.unit})" if s.unit else ""
                out.append(ui.input_numeric(f"set_{i}", label + unit, value=value, min=s.lo, max=s.hi))
                out.append(
                    ui.div(f"{s.description}" + (f" [{w('app_range')} {rng}]" if rng else ""), class_="setting-help")
                )
            return ui.div(*out, id="settings")

        def read_form(op: Opened, sc: Scenario) -> list[str]:
            """The form's values into the scenario; the problems found (empty: fine)."""
            bad = []
            for i, s in enumerate(settings(op.li)):
                try:
                    v = input[f"set_{i}"]()
                except Exception:  # noqa: BLE001 - the form is not shown yet
                    continue
                msg = check(s, v)
                if msg:
                    bad.append(f"{s.path}: {msg}")
                elif v is None and s.value is not None:
                    if s.group == "policies":
                        sc.values[s.path] = None  # an emptied policy limit turns the rule off
                    else:
                        sc.values.pop(s.path, None)  # a required number left empty keeps the instance's
                elif v is not None and (s.value is None or float(v) != s.value):
                    sc.values[s.path] = v
                else:
                    sc.values.pop(s.path, None)
            return bad

        @reactive.effect
        @reactive.event(input.solve)
        def _solve() -> None:
            op, sc = current()
            if op is None:
                return
            bad = read_form(op, sc)
            if bad:
                saved.set(("error", "\n".join(bad)))
                return
            try:
                state.solve(op, sc)
                saved.set(("ok", f"{term('word', 'app_saved', lang())}: {sc.file.name}"))
            except InputError as exc:
                saved.set(("error", str(exc)))

        @reactive.effect
        @reactive.event(input.cancel)
        def _cancel() -> None:
            _, sc = current()
            if sc is not None and sc.job is not None:
                sc.job.cancel()
                state.bump()

        @reactive.effect
        @reactive.event(input.new_scenario)
        def _new() -> None:
            op, sc = current()
            if op is None:
                return
            read_form(op, sc)
            try:
                new = state.new_scenario(op, input.new_name() or "", sc.name)
            except InputError as exc:
                saved.set(("error", str(exc)))
                return
            choose("scenario", new.name)

        @reactive.effect
        @reactive.event(input.rediagnose)
        def _rediagnose() -> None:
            op, sc = current()
            if op is None or sc.diagnosis is None:
                return
            chosen = list(input.may_give() or [])
            try:
                state.repair_again(op, sc, [k for k in REPAIR_CHOICES if k not in chosen])
                saved.set(("ok", f"{term('word', 'app_saved', lang())}: {sc.file.name}"))
            except InputError as exc:
                saved.set(("error", str(exc)))

        @reactive.effect
        @reactive.event(input.relax)
        def _relax() -> None:
            op, sc = current()
            if op is None or sc.diagnosis is None:
                return
            new = state.relaxation(op, sc)
            choose("scenario", new.name)
            saved.set(("ok", "\n".join([f"{term('word', 'app_relaxed', lang())}: {new.name}"] + new.note)))

        @reactive.effect
        @reactive.event(input.upload)
        async def _upload() -> None:
            files = input.upload() or []
            data = [(f["name"], Path(f["datapath"]).read_bytes()) for f in files]
            try:
                op = await asyncio.to_thread(state.open_upload, data)
            except InputError as exc:
                loader.set(("error", str(exc)))
                return
            warn = "\n".join(str(p) for p in op.li.warnings)
            loader.set(("ok", f"{term('word', 'app_opened', lang())}: {op.key}" + (f"\n{warn}" if warn else "")))
            choose("instance", op.key)
            choose("scenario", BASE)

        @render.ui
        def loader_messages() -> Any:
            kind, text = loader()
            return ui.div(text, class_=f"messages {kind}", id="loader-messages") if text else None

        @render.ui
        def save_messages() -> Any:
            kind, text = saved()
            return ui.div(text, class_=f"messages {kind}", id="save-messages") if text else None

        @render.ui
        def status_bar() -> Any:
            tick()
            if state.running():
                reactive.invalidate_later(1.0)  # the seconds go on between the solver's messages
            _, sc = current()
            return status_line(sc, lang())

        @output(id="plan_view")
        @render.ui
        def _plan_view() -> Any:
            tick()
            op, sc = current()
            return None if op is None else plan_view(op, sc, lang())

        @output(id="compare_view")
        @render.ui
        def _compare_view() -> Any:
            tick()
            op, _ = current()
            return None if op is None else compare_view(op, list(input.compare() or ()), lang())

        # ---- sweeps (analysts) ----------------------------------------------
        @render.ui
        def sweep_form() -> Any:
            input.instance()
            op, _ = current()
            if op is None:
                return None
            w = words(lang())
            # a sweep sets one number: not a per-project minimum, whose role's min must stay their sum
            paths = {
                s.path: s.path for s in settings(op.li) if s.value is not None and ".min_per_project." not in s.path
            }
            first = next(iter(paths), "")
            return ui.div(
                ui.input_select("sweep_param", w("app_sweep_param"), choices=paths, selected=first),
                ui.input_numeric("sweep_low", w("app_sweep_low"), value=None),
                ui.input_numeric("sweep_high", w("app_sweep_high"), value=None),
                ui.input_select("sweep_design", w("app_sweep_design"), choices=list(sweeps.DESIGNS)),
                ui.input_numeric("sweep_levels", w("app_sweep_levels"), value=4, min=2, max=50),
                ui.input_numeric("sweep_workers", w("app_sweep_workers"), value=1, min=1, max=64),
                ui.input_text("sweep_scheduler", w("app_sweep_scheduler"), placeholder="tcp://host:8786"),
                style="display:grid; grid-template-columns: repeat(4, minmax(10em, 1fr)); gap: 0 1em;",
            )

        @reactive.effect
        @reactive.event(input.sweep_start)
        def _sweep() -> None:
            op, sc = current()
            if op is None:
                return
            read_form(op, sc)
            try:
                lo, hi = input.sweep_low(), input.sweep_high()
                if lo is None or hi is None:
                    raise InputError.one("sweep", "low/high", "give the low and high values", "type two numbers")
                state.start_sweep(
                    op,
                    sc,
                    param=input.sweep_param(),
                    low=float(lo),
                    high=float(hi),
                    design=input.sweep_design(),
                    levels=int(input.sweep_levels() or 4),
                    workers=int(input.sweep_workers() or 1),
                    scheduler=(input.sweep_scheduler() or "").strip(),
                )
                saved.set(("", ""))
            except InputError as exc:
                saved.set(("error", str(exc)))

        @reactive.effect
        @reactive.event(input.sweep_stop)
        def _sweep_stop() -> None:
            op, _ = current()
            if op is not None and op.sweep is not None:
                op.sweep.stop()

        @render.ui
        def sweep_view() -> Any:
            tick()
            op, _ = current()
            if op is None or op.sweep is None:
                return None
            sw, w = op.sweep, words(lang())
            res = sw.results()
            total = sw.total()
            head = f"{w('app_sweep_' + sw.state)}: {len(res)} / {total if total is not None else '?'}"
            out = [ui.h5(head, id="sweep-progress", **{"data-state": sw.state})]
            if len(res):
                cols = [c for c in ("scenario", sw.param, "status", "mip_gap", "objective") if c in res]
                rows = [[("" if pd.isna(v) else (f"{v:,.6g}" if isinstance(v, float) else v)) for v in r]
                        for r in res[cols].tail(50).itertuples(index=False)]  # fmt: skip
                out.append(table(cols, rows, num=tuple(range(len(cols))), id="sweep-table"))
            ind = sw.indices()
            if len(ind):
                out.append(ui.h5(w("app_sweep_indices")))
                out.append(table(list(ind.columns), ind.astype(str).values.tolist(), id="sweep-indices"))
            for png in sw.plots():
                out.append(ui.img(src="data:image/png;base64," + base64.b64encode(png.read_bytes()).decode(),
                                  alt=png.stem, style="max-width: 48%; margin: 0.3em"))  # fmt: skip
            if sw.state == "failed":
                out.append(ui.pre(sw.log(), class_="messages error"))
            return ui.div(*out)

        # ---- downloads ------------------------------------------------------
        def need_plan() -> tuple[Opened, Scenario]:
            op, sc = current()
            if op is None or sc.plan is None:
                raise ValueError(term("word", "app_not_solved", lang()))
            return op, sc

        @render.download_button(filename=lambda: f"{current()[1].name}-plan.json")
        def dl_plan():
            _, sc = need_plan()
            yield sc.plan.to_json()

        @render.download_button(filename=lambda: f"{current()[0].key}-{current()[1].name}.yaml")
        def dl_scenario():
            op, sc = current()
            read_form(op, sc)
            yield state.save(op, sc).read_text(encoding="utf-8")

        @render.download_button(filename=lambda: f"{current()[1].name}-tables.zip")
        def dl_tables():
            _, sc = need_plan()
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
                for name, df in sc.plan.tables.items():
                    z.writestr(f"{name}.csv", df.to_csv(index=False))
                z.writestr("plan.json", sc.plan.to_json())
            yield buf.getvalue()

        @render.download_button(filename=lambda: f"{current()[1].name}-plan.gpkg")
        async def dl_gpkg():
            op, sc = need_plan()
            folder = state.ws.new_folder("runs")
            li = await asyncio.to_thread(scenario_instance, op, sc)
            path = await asyncio.to_thread(write_plan_gpkg, sc.plan, li, folder / "plan.gpkg")
            yield Path(path).read_bytes()

        @render.download_button(filename=lambda: f"{current()[1].name}-report.html")
        async def dl_report():
            op, sc = need_plan()
            folder = state.ws.new_folder("runs")
            li = await asyncio.to_thread(scenario_instance, op, sc)
            _md, html = await asyncio.to_thread(
                write_report, sc.plan, folder / "report", explanation=sc.explanation, instance=li, lang=lang()
            )
            yield Path(html).read_bytes()

        @render.download_button(filename=lambda: f"{current()[1].name}-plan.xlsx")
        async def dl_workbook():
            op, sc = need_plan()
            folder = state.ws.new_folder("runs")
            li = await asyncio.to_thread(scenario_instance, op, sc)
            path = await asyncio.to_thread(write_workbook, sc.plan, li, folder / "plan.xlsx", lang())
            yield Path(path).read_bytes()

    return App(page, server, static_assets={"/planner-www": str(WWW), "/maplibre": str(MAPLIBRE)})


def scenario_instance(op: Opened, sc: Scenario):
    """The instance with the scenario's overlay, as its solve loaded it."""
    return load_instance(op.path, scenario=sc.file, root=op.root) if sc.file else op.li


__all__ = ["make_app", "page", "status_line"]
