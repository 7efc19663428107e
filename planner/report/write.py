"""Writing the report: ``report.md`` and ``report.html`` for one plan, in English or Chinese.

:func:`write_report` reads the plan (and its explanation and instance when not given),
adds the sections in order to one document and writes it as Markdown and HTML. The plan
part comes first: status (with termination and optimality gap), KPIs, targets, the loans'
repayment schedule, villages,
charts and one printable page per village (the village plan sheets, with their reasons in
plain words); then the appendix for analysts with the optimisation's own terms (rule
prices, ranging, the model's rows), which the plan part points to in one line. A section
that fails is replaced by a warning saying why; the rest of the report is still written.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from planner.core.files import write_text
from planner.core.labels import LANGS
from planner.explain.result import Explanation
from planner.plan.plan import Plan
from planner.report.charts import charts_section
from planner.report.document import Doc, to_html, to_markdown
from planner.report.explanation import explanation_section
from planner.report.inputs import load_plan_instance, period_ids
from planner.report.sections import kpi_section, loan_section, status_section, target_section, village_section, word
from planner.report.sheets import sheets_section

__all__ = ["write_report"]

#: The report's parts by the registry word naming them, for the warning of a part that could not be written.
SECTION_WORDS = {
    "status": "rp_status",
    "pointer": "rp_status",
    "KPIs": "rp_kpis",
    "targets": "rp_targets",
    "loans": "rp_loan_title",
    "villages": "rp_villages",
    "charts": "rp_charts",
    "sheets": "sh_title",
    "explanation": "ax_title",
}


def write_report(
    plan, out_dir: str | Path, *, explanation=None, instance=None, lang: str = "en", paper: str = "a4"
) -> tuple[Path, Path]:
    """Write ``report.md`` and ``report.html`` (and ``figures/*.png``) into ``out_dir``.

    ``plan``: a :class:`planner.plan.plan.Plan`, or a directory holding ``plan.json`` (or the
    path of a ``plan.json``); from a directory, ``explanation.json`` beside it is used
    when ``explanation`` is None. ``instance``: the plan's
    :class:`planner.instance.load.LoadedInstance` (for targets, role ranges, village order and
    names, and the village sheets); when None it is loaded from the plan's recorded path and
    overrides, and if that fails the report is written without targets and sheets.
    ``lang``: ``en`` or ``zh``, the language of every heading, table header and label (uses,
    covers, roles, KPIs, statuses from the registry; villages and projects by their names).
    ``paper``: the paper ``report.html`` prints on, "a4" (default) or "a3".
    Returns ``(md_path, html_path)``.
    """
    if lang not in LANGS:
        raise ValueError(f"language {lang!r}: use one of {', '.join(LANGS)}")
    ex_why = ""
    if not isinstance(plan, Plan):
        src = Path(plan)
        plan_file = src / "plan.json" if src.is_dir() else src
        plan = Plan.from_json(plan_file)
        ex_file = plan_file.parent / "explanation.json"
        if explanation is None and ex_file.exists():
            try:
                explanation = Explanation.from_json(ex_file)
            except Exception as exc:  # noqa: BLE001 - a broken explanation only loses its section
                ex_why = f"{ex_file} could not be read ({type(exc).__name__}: {exc})"
    why = ""
    if instance is None:
        instance, why = load_plan_instance(plan)

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    periods = period_ids(plan)
    title = word("rp_title", lang, name=plan.instance_name)
    doc = Doc(lang=lang)
    doc.h(1, title)
    if instance is not None and getattr(instance.instance, "title", ""):
        doc.p(str(instance.instance.title))
    sections: list[tuple[str, Callable[[], None]]] = [
        ("status", lambda: status_section(doc, plan, lang)),
        ("pointer", lambda: doc.p(word("rp_pointer", lang))),
        ("KPIs", lambda: kpi_section(doc, plan, periods, lang)),
        ("targets", lambda: target_section(doc, plan, instance, why, lang)),
        ("loans", lambda: loan_section(doc, plan, instance, lang)),
        ("villages", lambda: village_section(doc, plan, instance, periods, lang)),
        ("charts", lambda: charts_section(doc, plan, instance, periods, out / "figures", lang=lang)),
        ("sheets", lambda: sheets_section(doc, plan, instance, explanation, why, lang)),
        ("explanation", lambda: explanation_section(doc, plan, explanation, ex_why, lang)),
    ]
    for name, make in sections:
        try:
            make()
        except Exception as exc:  # noqa: BLE001 - say what failed, keep the rest of the report
            part = word(SECTION_WORDS[name], lang)
            doc.warn(word("rp_section_failed", lang, name=part, error=f"{type(exc).__name__}: {exc}"))
    md_path, html_path = out / "report.md", out / "report.html"
    # written under a temporary name and renamed: a stopped run never leaves half a report
    write_text(md_path, to_markdown(doc, out))
    write_text(html_path, to_html(doc, title, paper=paper))
    return md_path, html_path
