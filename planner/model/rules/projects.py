"""EOD projects: yes/no, with prerequisites on the land decisions.

Paper [P §4.4(2), Table 1]: "the EOD-related project for the forest as the construction
of Nuanshui National Forest Park, the EOD-related project for the fruit forest as the
Desheng Youliang Village Rural Complex Project and the Shuiquanggou 'Apricot Village'
... and the EOD-related project for the garden as ... the Mine Park, Pisha Rock
Geological Park, and Gejiugou Botanical Garden."

Constraints
- ``project_cumulative[j, t]``: built[j,t] >= built[j,t-1].
- ``project_earliest[j, t]``: built[j,t] <= 0 before ``earliest_period``.
- ``project_required[j]``: built[j, last] >= 1 for ``required`` projects.
- ``project_prerequisite[j, k, t]``: the k-th prerequisite holds whenever j is built:
  area of listed uses >= min_area_ha x built[j,t]; or built[j,t] <= garden[v,t];
  or built[j,t] <= built[other,t].
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from planner.instance.schema import Prerequisite
from planner.model.data import ModelData
from planner.model.rows import RowInfo
from planner.model.terms import add_rows, xsum

FAMILY = "projects"
SENTENCE = (
    "Six EOD projects (forest park, rural complex, Apricot Village, Mine Park, Pisha Rock Geological Park, "
    "Gejiugou Botanical Garden), each built on the land decisions it needs [P §4.4(2), Table 1]."
)

# the model expressions (``m._expr``) this family defines and the ones it reads, which families
# added before it must define (tests/test_rule_names.py checks the order of families())
DEFINES: tuple[str, ...] = ()
READS: tuple[str, ...] = ()

# what each constraint means to a planner (explanations, diagnosis, docs)
ROWS: dict[str, RowInfo] = {
    "project_cumulative": RowInfo("projects stay built", "project", ("project", "period"), hard=True),
    "project_earliest": RowInfo(
        "project not before its earliest period",
        "project",
        ("project", "period"),
        field="projects.{project}.earliest_period",
    ),
    "project_required": RowInfo("required project built", "project", ("project",), field="projects.{project}.required"),
    "project_prerequisite": RowInfo(
        "project prerequisite in place",
        "ha or project",
        ("project", "prerequisite", "period"),
        field="projects.{project}.prerequisites",
    ),
}


def prerequisite_rows(d: ModelData, pre: Prerequisite) -> pd.DataFrame:
    """The (parcel, use) rows whose area counts toward an area prerequisite."""
    pu = d.pu
    keep = np.ones(len(pu), dtype=bool)
    for col, values in (
        ("use", pre.uses),
        ("kind", [k.value for k in pre.use_kinds or []]),
        ("village", pre.villages),
        ("cover", pre.covers),
    ):
        if values:
            keep &= d.pu_column(col).isin(values).to_numpy()
    return pu[keep]


def add(m: pyo.ConcreteModel, d: ModelData) -> None:
    cum, early, req, pre_rows = {}, {}, {}, {}
    for j in d.inst.projects:
        for i, t in enumerate(d.periods):
            if i:
                cum[(j.id, t)] = m.built[j.id, t] >= m.built[j.id, d.prev[t]]
        if j.earliest_period is not None:
            for t in d.periods[: d.periods.index(j.earliest_period)]:
                early[(j.id, t)] = m.built[j.id, t] <= 0
        if j.required:
            req[j.id] = m.built[j.id, d.last] >= 1
        for k, pre in enumerate(j.prerequisites):
            for t in d.periods:
                b = m.built[j.id, t]
                if pre.min_area_ha is not None:
                    pre_rows[(j.id, k, t)] = xsum(m, prerequisite_rows(d, pre), t) >= pre.min_area_ha * b
                elif pre.garden_in is not None:
                    pre_rows[(j.id, k, t)] = b <= (
                        m.garden[pre.garden_in, t] if pre.garden_in in d.garden_villages else 0
                    )
                else:
                    pre_rows[(j.id, k, t)] = b <= m.built[pre.project, t]
    add_rows(m, FAMILY, "project_cumulative", cum)
    add_rows(m, FAMILY, "project_earliest", early)
    add_rows(m, FAMILY, "project_required", req)
    add_rows(m, FAMILY, "project_prerequisite", pre_rows)
