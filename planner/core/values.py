"""Values as JSON can hold them.

Tables come back from pandas and numpy with NaN, infinities and numpy scalars; plan
files, explanations and sweep results are strict JSON (``allow_nan=False``). One
conversion serves them all.
"""

from __future__ import annotations

import math
from typing import Any


def json_value(v: Any) -> Any:
    """``v`` as JSON can hold it: NaN and infinities become None (JSON null), numpy
    scalars Python numbers, tuples lists; anything else as it is."""
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    if isinstance(v, tuple):
        return list(v)
    if hasattr(v, "item"):
        return json_value(v.item())
    return v
