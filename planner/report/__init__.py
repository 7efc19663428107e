"""The plan report: ``report.md`` and a self-contained ``report.html`` for one plan.

:func:`write_report` puts the status, termination and MIP gap first (with a warning when
the plan is not proved optimal or failed verification), then the headline figures per
period, the plan against the instance's targets, per-village tables, five charts (and,
when the instance has parcel geometry, two maps: :mod:`planner.report.maps`) and,
when an explanation is given, its binding rules, shadow prices and why-not findings.

The charts are PNG files in ``out_dir/figures/`` (linked from ``report.md``) and are
embedded in ``report.html`` as ``data:`` URIs: the HTML loads nothing from anywhere.

:func:`screenshot` renders the HTML in headless Chromium (Debian package ``chromium``).

The package in parts: :mod:`~planner.report.formats` (numbers), :mod:`~planner.report.document`
(the document model, Markdown and HTML), :mod:`~planner.report.inputs` (what is read from the
plan), :mod:`~planner.report.sections` (status, KPIs, targets, villages),
:mod:`~planner.report.charts`, :mod:`~planner.report.explanation`, :mod:`~planner.report.write`
(:func:`write_report`) and :mod:`~planner.report.chromium` (:func:`screenshot`); beside them
:mod:`~planner.report.maps` and :mod:`~planner.report.gpkg` (``plan.gpkg``).
"""

from __future__ import annotations

from planner.report import maps
from planner.report.charts import FIGURES, MAP_FIGURES
from planner.report.chromium import INSTALL_HINT, find_chromium, screenshot
from planner.report.formats import fmt_money, fmt_pct
from planner.report.write import write_report

__all__ = [
    "FIGURES",
    "INSTALL_HINT",
    "MAP_FIGURES",
    "find_chromium",
    "fmt_money",
    "fmt_pct",
    "maps",
    "screenshot",
    "write_report",
]
