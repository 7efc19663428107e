"""The report's village plan sheets: one printable page per village.

Each sheet (:func:`planner.explain.sheets.village_sheets`) is wrapped in
:meth:`planner.report.document.Doc.page` with the class ``village-sheet``, so that the print
style sheet starts it on a new page (a horizontal rule in Markdown). A sheet carries the
plan's status, the parcels to change and what to do on each (hectares by period), the
establishment cost, jobs by role and dividends per period, the garden, the projects the
village hosts and the reasons, in the report's language.
"""

from __future__ import annotations

from planner.core.labels import term
from planner.core.status import label as status_label
from planner.explain.sheets import VillageSheet, project_text, village_sheets
from planner.report.document import Doc
from planner.report.formats import fmt_gap, fmt_ha, fmt_int, fmt_money
from planner.report.sections import word

__all__ = ["SHEET_CLASS", "sheet_page", "sheets_section"]

#: The HTML class of a sheet's section; the print style sheet breaks the page before it.
SHEET_CLASS = "village-sheet"


def sheets_section(doc: Doc, plan, instance, explanation=None, why: str = "", lang: str = "en") -> None:
    """One page per village of ``instance`` (:func:`sheet_page`), in the instance's order."""
    doc.h(2, word("sh_title", lang))
    if not plan.has_solution:
        doc.p(word("sh_no_plan", lang))
        return
    if instance is None:
        doc.p(word("sh_no_instance", lang, why=why))
        return
    doc.p(word("sh_intro", lang))
    for sheet in village_sheets(instance, plan, explanation, lang=lang):
        sheet_page(doc, sheet, lang)


def sheet_page(doc: Doc, s: VillageSheet, lang: str) -> None:
    """One village's sheet as one printable page."""
    doc.page(SHEET_CLASS)
    doc.h(3, word("sh_sheet", lang, name=s.names.get(lang, s.village)))
    doc.p(
        word(
            "sh_status",
            lang,
            status=status_label(s.status, lang),
            termination=s.termination,
            gap=fmt_gap(s.mip_gap),
        )
    )
    if s.nothing_to_do:
        doc.p(word("sh_no_change", lang))
        doc.end_page()
        return
    periods = s.periods
    if s.parcels:
        doc.h(4, word("sh_parcels", lang))
        rows = [
            [
                c.parcel,
                term("cover", c.cover, lang),
                term("use", c.use, lang),
                *[fmt_ha(c.ha.get(t, 0.0)) if c.ha.get(t, 0.0) > 1e-6 else "–" for t in periods],
            ]
            for c in s.parcels
        ]
        total = s.ha_by_period()
        rows.append([word("total", lang), "", "", *[fmt_ha(total[t]) for t in periods]])
        header = [word("parcel", lang), word("cover", lang), word("what_to_do", lang)]
        header += [word("sh_ha_in", lang, period=t) for t in periods]
        doc.table(header, rows, right=range(3, 3 + len(periods)))
    else:
        doc.p(word("sh_no_change", lang))

    doc.h(4, word("sh_money_jobs", lang))
    rows = [[word("cost_yuan", lang), *[fmt_money(s.cost_yuan.get(t, 0.0)) for t in periods]]]
    for role, by in s.jobs.items():
        name = s.role_names.get(role, {}).get(lang, role)
        rows.append([word("sh_jobs_role", lang, role=name), *[fmt_int(by[t]) if t in by else "–" for t in periods]])
    rows.append([word("dividends_villagers", lang), *[fmt_money(s.dividends_villagers.get(t)) for t in periods]])
    rows.append([word("dividends_collective", lang), *[fmt_money(s.dividends_collective.get(t)) for t in periods]])
    doc.table([word("sh_item", lang), *periods], rows, right=range(1, 1 + len(periods)))

    if s.garden_ha:
        last = periods[-1]
        ha = fmt_ha(s.garden_ha.get(last, 0.0))
        where = word("sh_garden_on", lang, ha=ha, period=last, parcels=", ".join(s.garden_parcels))
        doc.p(f"{word('garden', lang)}{': ' if lang == 'en' else '：'}{where}")
    if s.projects:
        doc.p(word("sh_projects", lang) + (":" if lang == "en" else "："))
        doc.items(project_text(p, lang) for p in s.projects)
    if s.reasons:
        doc.h(4, word("reasons", lang))
        doc.items(s.reason_texts(lang))
    doc.end_page()
