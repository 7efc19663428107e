"""One solved and explained Nuanshui plan per test process, shared by the tests of the
village sheets and of the report's languages (tests/test_village_sheets.py,
tests/test_report_lang.py): the solve and the explanation take a few seconds, once."""

from __future__ import annotations

from functools import lru_cache

import planner
from planner.explain import explain


@lru_cache(maxsize=1)
def nuanshui_explained():
    """(LoadedInstance, Plan, Explanation) of the Nuanshui case; the explanation without the
    re-solves (importance) and the ranging."""
    li = planner.examples.nuanshui()
    plan = planner.solve(li)
    assert plan.status == "optimal", plan.status
    return li, plan, explain(li, plan, importance=(), parameters=())
