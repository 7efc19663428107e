"""planner: optimization-based land-use and investment planning for rural ecological
revitalisation (Pyomo + HiGHS).

Python API::

    import planner
    inst = planner.load_instance("instances/nuanshui.yaml")
    plan = planner.solve(inst, time_limit=60)
    plan.status, plan.mip_gap, plan.kpis
    plan.to_json("plan.json")
"""

__version__ = "0.4.0"

from .errors import InputError, Problem, SolveError, SolverFailure  # noqa: E402
from .io import LoadedInstance, load_instance  # noqa: E402
from .plan import Plan  # noqa: E402
from .solve import solve  # noqa: E402
from . import examples  # noqa: E402

__all__ = ["load_instance", "solve", "Plan", "LoadedInstance", "InputError", "Problem", "SolveError", "SolverFailure", "examples", "__version__"]
