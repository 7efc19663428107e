"""Rules that no plan can meet whatever is decided, found from the model's data alone,
so the message names the village or project instead of a bare "infeasible": a village
with no parcel a garden can be built on (when every village must have one), an area
prerequisite whose matching land can never reach ``min_area_ha``, a ``garden_in``
prerequisite naming a village that can never have a garden.

They need the land units and the (parcel, use) table of :class:`ModelData`, so they live
in the model layer; :func:`planner.load_instance` runs them after the instance layer's own
checks and refuses the instance with an :class:`InputError` like any other input problem.
"""

from __future__ import annotations

from planner.core.errors import Problem
from planner.model.data import GARDEN_KINDS, ModelData
from planner.model.rules.projects import prerequisite_rows


def never_met(d: ModelData, file: str) -> list[Problem]:
    """Rules that no plan can meet whatever is decided, found from the model data ``d`` alone
    (``file``: the instance file the problems name)."""
    inst = d.inst
    p: list[Problem] = []
    pol = inst.policies
    if pol.one_garden_per_village:
        can = set(d.pu.loc[d.pu["kind"].isin(GARDEN_KINDS), "village"])
        for v in d.villages:
            if v != d.town and v not in can:
                p.append(
                    Problem(
                        file,
                        "policies.one_garden_per_village",
                        f"village {v!r} has no parcel a garden can be built on",
                        "add garden-eligible parcels for it, or set policies.one_garden_per_village: false",
                    )
                )
    for j in inst.projects:
        for k, pre in enumerate(j.prerequisites):
            where = f"projects.{j.id}.prerequisites.{k}"
            if pre.min_area_ha is not None and pre.min_area_ha > 0:
                rows = prerequisite_rows(d, pre)
                most = float(rows.drop_duplicates("parcel")["area_ha"].sum())
                if most < pre.min_area_ha - 1e-9:
                    p.append(
                        Problem(
                            file,
                            where,
                            f"at most {most:,.2f} ha can ever match (uses, villages, covers), "
                            f"below min_area_ha {pre.min_area_ha:,.2f}: project {j.id!r} could never be built",
                            "widen the uses/villages/covers or lower min_area_ha",
                            pre.min_area_ha,
                        )
                    )
            if pre.garden_in is not None and pre.garden_in not in d.garden_villages:
                p.append(
                    Problem(
                        file,
                        where + ".garden_in",
                        f"village {pre.garden_in!r} can never have a garden",
                        "name a village with garden-eligible parcels",
                    )
                )
    return p
