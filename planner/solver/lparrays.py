"""The model as HiGHS arrays, for work that moves a model along a parameter without
rebuilding it: ranging a parameter of a plan's LP (:mod:`planner.explain.ranging`) and
re-solving a sweep's scenarios (:mod:`planner.sweep.fast`).

A model's numbers are a dict of arrays: the column costs and bounds, the row bounds
(``ARRAYS``), the matrix values ``a`` and the objective constant ``offset``. Two builds of
the same instance at parameter values ``p`` and ``p + h`` with the same structure give the
model's direction per unit of the parameter (:func:`direction`).
"""

from __future__ import annotations

import numpy as np

ARRAYS = ("col_cost_", "col_lower_", "col_upper_", "row_lower_", "row_upper_")


def arrays(lp) -> dict[str, np.ndarray]:
    """Copies of an ``highspy.HighsLp``'s numbers (the LP object may be changed in place later)."""
    return {
        **{k: np.array(getattr(lp, k), dtype=float) for k in ARRAYS},
        "a": np.array(lp.a_matrix_.value_, dtype=float),
        "offset": np.array([lp.offset_], dtype=float),
    }


def same_structure(a, b) -> bool:
    """Two LPs with the same columns, rows and matrix pattern (so their numbers can be subtracted)."""
    return (
        a.num_col_ == b.num_col_
        and a.num_row_ == b.num_row_
        and np.array_equal(np.asarray(a.a_matrix_.start_), np.asarray(b.a_matrix_.start_))
        and np.array_equal(np.asarray(a.a_matrix_.index_), np.asarray(b.a_matrix_.index_))
    )


def direction(
    a: dict[str, np.ndarray], b: dict[str, np.ndarray], h: float, strict: bool = False
) -> dict[str, np.ndarray]:
    """(b - a) / h where both are finite, 0 elsewhere; ``strict``: a bound that appears or
    vanishes between the two is a ValueError (the model is not linear in the parameter)."""
    out = {}
    for k in a:
        x, y = a[k], b[k]
        if strict and not np.array_equal(np.isfinite(x), np.isfinite(y)):
            raise ValueError(f"{k}: a bound appears or vanishes")
        fin = np.isfinite(x) & np.isfinite(y)
        dk = np.zeros_like(x)
        dk[fin] = (y[fin] - x[fin]) / h
        out[k] = dk
    return out


def load(lp, numbers: dict[str, np.ndarray]):
    """Put ``numbers`` into ``lp`` (in place) and return it."""
    for k in ARRAYS:
        setattr(lp, k, numbers[k])
    lp.a_matrix_.value_ = numbers["a"]
    lp.offset_ = float(numbers["offset"][0])
    return lp


def nonzeros(lp) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) of each matrix value, in the order of ``lp.a_matrix_.value_``."""
    a = lp.a_matrix_
    counts = np.diff(np.asarray(a.start_))
    if str(a.format_) == "MatrixFormat.kRowwise":
        return np.repeat(np.arange(lp.num_row_), counts), np.array(a.index_)
    return np.array(a.index_), np.repeat(np.arange(lp.num_col_), counts)
