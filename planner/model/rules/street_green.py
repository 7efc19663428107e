"""Street green spaces in the central town.

Paper [P §4.4(1)]: "the existing park green spaces and tourist landscapes in the central
town area of Nuanshui will be renovated and upgraded, and 1-2 new street green spaces
will be added."

Constraints
- ``street_green_area[t]``: street-green area in the town = size_ha x street_green[t].
- ``street_green_min``: street_green[by_period] >= count_min (count_max is the variable's bound).
- ``street_green_cumulative[t]``: street_green[t] >= street_green[t-1].
"""

from __future__ import annotations

import pyomo.environ as pyo

from planner.model.data import ModelData
from planner.model.rows import HA, RowInfo
from planner.model.terms import add_rows, xsum

FAMILY = "street_green"
SENTENCE = "1-2 new street green spaces in the central town [P §4.4(1)]."

# the model expressions (``m._expr``) this family defines and the ones it reads, which families
# added before it must define (tests/test_rule_names.py checks the order of families())
DEFINES: tuple[str, ...] = ()
READS: tuple[str, ...] = ()

# what each constraint means to a planner (explanations, diagnosis, docs)
ROWS: dict[str, RowInfo] = {
    "street_green_area": RowInfo("street green area matches the spaces built", HA, ("period",), hard=True),
    "street_green_min": RowInfo(
        "street green spaces, fewest", "street green space", ("which",), field="policies.street_green.count_min"
    ),
    "street_green_cumulative": RowInfo("street green spaces accumulate", "street green space", ("period",), hard=True),
}


def add(m: pyo.ConcreteModel, d: ModelData) -> None:
    sg = d.inst.policies.street_green
    pu = d.pu
    sel = pu[pu["kind"] == "street_green"]
    area = {t: sg.size_ha * m.street_green[t] if sg else 0 for t in d.periods}
    add_rows(
        m, FAMILY, "street_green_area", {t: xsum(m, sel, t) == area[t] for t in d.periods} if len(sel) or sg else {}
    )
    if sg is None or d.town is None:
        return
    add_rows(m, FAMILY, "street_green_min", {"min": m.street_green[sg.by_period or d.periods[0]] >= sg.count_min})
    add_rows(
        m, FAMILY, "street_green_cumulative", {t: m.street_green[t] >= m.street_green[d.prev[t]] for t in d.periods[1:]}
    )
