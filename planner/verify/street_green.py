"""Street green (family ``street_green``): none while the policy is off; otherwise the
central town's street green is a whole number of spaces of ``size_ha``, at most
``count_max``, at least ``count_min`` by its period, never fewer than before.

That street green lies only in the central town is a row check of
:mod:`planner.verify.land_use`.
"""

from __future__ import annotations

import pandas as pd

from planner.verify.context import AREA_TOL, Context, Report


def check(c: Context, rep: Report) -> None:
    sg = c.inst.policies.street_green
    a = c.alloc
    if sg is None:
        if (a["kind"] == "street_green").any():
            rep.bad("street_green", "plan", "street green planned while the policy is off")
        return
    if c.town is None:
        return
    rep.check("street_green")
    tab = c.tables.get("street_green", pd.DataFrame())
    count = dict(zip(tab["period"].tolist(), (int(x) for x in tab["count"].tolist()))) if not tab.empty else {}
    by = sg.by_period or c.periods[0]
    prev = 0
    for t in c.periods:
        at = c.at(t)
        area = float(at[at["kind"] == "street_green"]["area_ha"].sum())
        n = count.get(t, round(area / sg.size_ha))
        if abs(area - n * sg.size_ha) > AREA_TOL:
            rep.bad("street_green", t, "street green area is not a whole number of spaces", area, n * sg.size_ha)
        if n > sg.count_max:
            rep.bad("street_green", t, "too many street green spaces", n, sg.count_max)
        if t == by and n < sg.count_min:
            rep.bad("street_green", t, "too few street green spaces", n, sg.count_min)
        if n < prev:
            rep.bad("street_green", t, "street green spaces removed", n, prev)
        prev = n
