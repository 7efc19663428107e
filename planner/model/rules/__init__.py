"""Rule families of the planning paper, one module each.

Every module exposes ``FAMILY`` (the name used in docs, verification and
explanations), ``SENTENCE`` (what the paper says), and ``add(m, d)``, which adds its
constraints to the Pyomo model ``m`` built from :class:`planner.model.data.ModelData` ``d``.
Constraints are named ``<family>_<what>[index]`` so a dual or a violation can be traced
back to the rule a planner knows.
"""

from __future__ import annotations

from typing import Any

from planner.model.rules import (
    carbon_application,
    coverage,
    eco_space,
    farmland_protection,
    finance,
    fruit,
    gardens,
    gep,
    interactive_forest,
    land_use,
    projects,
    recruitment,
    red_line,
    street_green,
    village_permission,
)


def families() -> list[Any]:
    return [
        land_use,
        farmland_protection,
        red_line,
        eco_space,
        village_permission,
        interactive_forest,
        fruit,
        gardens,
        street_green,
        coverage,
        projects,
        recruitment,
        gep,
        carbon_application,
        finance,
    ]
