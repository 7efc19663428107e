"""planner: optimization-based land-use and investment planning for rural ecological
revitalisation (Pyomo + HiGHS).

Python API::

    import planner
    inst = planner.load_instance("instances/nuanshui.yaml")
    plan = planner.solve(inst, time_limit=60)
    plan.status, plan.mip_gap, plan.kpis
    plan.to_json("plan.json")
"""

from planner import examples
from planner.api import SolveProgress, load_instance, solve
from planner.core.errors import InputError, Problem, SolveError, SolverFailure
from planner.core.version import __version__
from planner.explain.sheets import village_sheets
from planner.instance.load import LoadedInstance
from planner.plan.plan import Plan

__all__ = [
    "load_instance",
    "solve",
    "village_sheets",
    "SolveProgress",
    "Plan",
    "LoadedInstance",
    "InputError",
    "Problem",
    "SolveError",
    "SolverFailure",
    "examples",
    "__version__",
]
