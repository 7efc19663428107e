"""Rule families of the planning paper, one module each, named after its family.

A rule is known by one name everywhere: ``planner/model/rules/<family>.py`` adds its rows,
``planner/verify/<family>.py`` checks a plan against it, ``tests/test_<family>.py`` shows
each of its constraints binding, and docs/formulation.md §4 states it.

Every module exposes ``FAMILY`` (its own module name: the name used in docs, verification
and explanations), ``SENTENCE`` (what the paper says), and ``add(m, d)``, which adds its
constraints to the Pyomo model ``m`` built from :class:`planner.model.data.ModelData` ``d``
with :func:`planner.model.terms.add_rows`, recorded under ``FAMILY`` in ``m._families``.
Two modules add no constraint and only define expressions that later families and the
objective use: ``gep`` (``m._expr["gep"]``) and ``dividends`` (``m._expr["income_to"]``,
``m._expr["dividends"]``).

:func:`families` gives the order the modules are added in, which matters: ``loans`` reads
the GEP, ``dividends`` the carbon income of ``carbon_application``, ``budget`` the loan service
of ``loans``, ``dividend_floor`` the income of ``dividends``, and ``targets`` (last) reads the
figures of all of them.
"""

from __future__ import annotations

from types import ModuleType

from planner.model.rules import (
    budget,
    carbon_application,
    coverage,
    dividend_floor,
    dividends,
    eco_space,
    farmland_protection,
    fruit,
    gardens,
    gep,
    interactive_forest,
    labour_pool,
    land_use,
    loans,
    projects,
    recruitment,
    recruitment_work,
    red_line,
    street_green,
    targets,
    village_permission,
)


def families() -> list[ModuleType]:
    """The rules modules in the order their rows are added to the model."""
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
        recruitment_work,
        labour_pool,
        gep,
        carbon_application,
        dividends,
        loans,
        budget,
        dividend_floor,
        targets,
    ]
