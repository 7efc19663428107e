"""Scenario sets, sweeps and global sensitivity.

- :mod:`planner.sweep.scenarios` - scenario-set files (named overrides on a base instance);
- :mod:`planner.sweep.design` - one-at-a-time, grid, Morris and Sobol designs over any
  numeric instance field addressed by dotted path;
- :mod:`planner.sweep.runner` - run scenarios in local processes or on a Dask cluster,
  writing each result as it finishes (``--resume`` repeats none);
- :mod:`planner.sweep.fast` - re-solve the built model when only parameters change;
- :mod:`planner.sweep.analysis` and :mod:`planner.sweep.plots` - sensitivity indices and plots.

:func:`sweep` is the one-call entry for scripts.
"""

from __future__ import annotations

from planner.sweep.runner import sweep

__all__ = ["sweep"]
