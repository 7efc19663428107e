"""The plan's key figures (KPIs): one entry per column of the plan's ``kpis`` table.

Every list of KPIs in the package is derived from :data:`KPIS`, so a KPI is added,
renamed or relabelled in one place: the instance format's targets
(:data:`TARGET_KPIS`, ``planner.instance.schema``), the report's rows, formats and units
(``planner.report``), the columns compared between plans (:data:`HEADLINE_KPIS`,
``planner.sweep.compare``) and the targets scaled with a synthetic township's size
(:data:`SCALED_KPIS`, ``planner.generate``). Number formatting itself stays with the
report (``planner.report.formats``); an entry only names its kind in :attr:`Kpi.fmt`.

The Chinese labels follow the usual planning terms of the project's glossary
(``spec/glossary-zh.md``: GEP, carbon sequestration trading, dividends, budget,
vegetation and forest coverage, ecological space, village gardens, EOD projects);
``recruited_people`` (招聘人数) is not in the glossary and is the plain word.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Format = Literal["money", "ha", "share", "count"]


@dataclass(frozen=True)
class Kpi:
    """One KPI: a column of the plan's ``kpis`` table and how to show it."""

    id: str  #: the column of the plan's ``kpis`` table, e.g. ``gep_yuan``
    label: str  #: English, as the report's rows start: ``Forestry carbon income``
    label_zh: str  #: Chinese
    unit: str  #: ``Yuan/yr``, ``Yuan``, ``ha``, a counted thing (``gardens``), or "" for a share
    fmt: Format  #: number format: money (Yuan), hectares, a share (as a percentage) or a count
    summary_label: str  #: the terminal summary's row (``planner solve``), shorter and lower case
    target: bool = True  #: a figure the plan makes, so an instance may set a target on it
    headline: bool = True  #: compared between plans and shown in the terminal summary
    scales: bool = False  #: grows with the township's size (a synthetic township scales its target)

    @property
    def money(self) -> bool:
        """An amount of Yuan."""
        return self.fmt == "money"

    @property
    def row_label(self) -> str:
        """The report's row: the label with the unit of a measured figure (``GEP (Yuan/yr)``);
        counts and shares are shown without one (``Gardens built``)."""
        return f"{self.label} ({self.unit})" if self.fmt in ("money", "ha") else self.label


#: In the order of the plan's ``kpis`` table (``planner.core.plan_format``).
KPIS: tuple[Kpi, ...] = (
    Kpi("gep_yuan", "GEP", "生态产品总值（GEP）", "Yuan/yr", "money", "GEP (Yuan/yr)", scales=True),
    Kpi(
        "forestry_carbon_income_yuan",
        "Forestry carbon income",
        "林业碳汇交易收入",
        "Yuan/yr",
        "money",
        "forestry carbon income",
        scales=True,
    ),
    Kpi(
        "agricultural_carbon_income_yuan",
        "Agricultural carbon income",
        "农业碳汇交易收入",
        "Yuan/yr",
        "money",
        "agricultural carbon income",
        scales=True,
    ),
    Kpi(
        "dividends_yuan",
        "Dividends",
        "村民分红与村集体收益",
        "Yuan/yr",
        "money",
        "dividends to villagers + collectives",
        scales=True,
    ),
    Kpi("budget_used_yuan", "Budget used", "已用预算", "Yuan", "money", "budget used / budget + loan", scales=True),
    Kpi("budget_yuan", "Budget", "预算", "Yuan", "money", "budget", target=False, headline=False, scales=True),
    Kpi("afforested_ha", "Afforested", "造林面积", "ha", "ha", "afforested (ha)", scales=True),
    Kpi("forest_ha", "Forest", "森林面积", "ha", "ha", "forest (ha)", headline=False, scales=True),
    Kpi("vegetation_coverage", "Vegetation coverage", "植被覆盖度", "", "share", "vegetation coverage"),
    Kpi("forest_coverage", "Forest coverage", "森林覆盖率", "", "share", "forest coverage"),
    Kpi(
        "ecological_space_ha",
        "Ecological space",
        "生态空间面积",
        "ha",
        "ha",
        "ecological space (ha)",
        headline=False,
        scales=True,
    ),
    Kpi("gardens_built", "Gardens built", "建成村级小游园数", "gardens", "count", "gardens built"),
    Kpi("projects_built", "EOD projects built", "建成EOD项目数", "projects", "count", "projects built"),
    Kpi("recruited_people", "People recruited", "招聘人数", "people", "count", "people recruited", scales=True),
)

#: By id.
KPI: dict[str, Kpi] = {k.id: k for k in KPIS}
#: The KPIs an instance may set a target on (the plan makes them; the budget is an input).
TARGET_KPIS: tuple[str, ...] = tuple(k.id for k in KPIS if k.target)
#: The KPIs compared between plans and shown in the terminal summary, in that order.
HEADLINE_KPIS: tuple[str, ...] = tuple(k.id for k in KPIS if k.headline)
#: Targets that grow with the township's size: a synthetic township scales them by its size.
SCALED_KPIS: tuple[str, ...] = tuple(k.id for k in KPIS if k.target and k.scales)

__all__ = ["Format", "HEADLINE_KPIS", "KPI", "KPIS", "Kpi", "SCALED_KPIS", "TARGET_KPIS"]
