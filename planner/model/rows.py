"""What each constraint of the model means to a planner, declared beside the constraint.

Every rule module (:mod:`planner.model.rules`) lists its constraint components in
``ROWS``: a readable name, the unit of one row, the names of its index, which instance
field sets its limit, and whether it is a policy a township could relax or a definition
of the model (land is used once, decisions accumulate, carbon areas are split), which the
infeasibility diagnosis never relaxes. Explanations, the diagnosis and the docs read them
from there (:mod:`planner.explain.rows`).

Model rows are in model units: hectares, people, counts of yes/no decisions, or money
in million Yuan (``planner.core.units.MONEY``). ``scale`` converts one row unit into the
planner unit named by ``unit`` (1 million Yuan = 1e6 Yuan), so a dual of the model
(million Yuan/yr of objective per row unit) becomes ``dual * MONEY / scale`` Yuan/yr per
planner unit.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RowInfo:
    label: str  # readable rule name, as in docs/formulation.md
    unit: str  # planner unit of one row: ha, people, Yuan, Yuan/yr, garden, project, ...
    index: tuple[str, ...]  # names of the index positions
    scale: float = 1.0  # planner units per model row unit
    hard: bool = False  # a definition of the model, never relaxed by the diagnosis
    field: str = ""  # the instance field that sets the limit ({name} placeholders from the index)


HA = "ha"
PEOPLE = "people"
