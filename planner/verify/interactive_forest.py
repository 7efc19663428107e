"""Interactive forest (family ``interactive_forest``): in each village and period, the
interactive forest use covers at most ``interactive_forest_per_garden_ha`` times the
village's garden area."""

from __future__ import annotations

from planner.instance.schema import GARDEN_KINDS
from planner.verify.context import AREA_TOL, Context, Report


def check(c: Context, rep: Report) -> None:
    pol = c.inst.policies
    k = pol.interactive_forest_per_garden_ha
    if k is None:
        return
    rep.check("interactive_forest")
    for t in c.periods:
        at = c.at(t)
        inter = at[at["use"] == pol.interactive_forest_use].groupby("village")["area_ha"].sum()
        gard = at[at["kind"].isin(GARDEN_KINDS)].groupby("village")["area_ha"].sum()
        for v, ha in inter.items():
            lim = k * gard.get(v, 0.0)
            if ha > lim + AREA_TOL:
                rep.bad(
                    "interactive_forest", f"{v}, {t}", "interactive forest exceeds its garden-linked limit", ha, lim
                )
