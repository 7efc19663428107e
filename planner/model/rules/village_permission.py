"""Village permissions and siting of each forest and fruit type.

Paper [P §4.4(1)]: ecological forests "are located in the six administrative villages
within the artificial afforestation starting areas" (Deshengxi, Hanjiata, Kenmuken,
Changhanbula, Geqiugou, Shuiquangou); ornamental forests "are primarily distributed in
the four villages of Desheng Youliang, Shuiquangou, Nuanshui, and Yushuhao, often
combined with fruit forests and along transit roads"; fruit planting is expanded "in
villages other than Desheng Youliang".

Constraints
- ``village_permission[parcel, use]``: a use listed with ``uses.<use>.villages`` is not
  allowed in other villages.
- ``siting[parcel, use]``: a use with ``uses.<use>.require_attribute`` is allowed only on
  parcels whose attribute is true (ornamental forest: ``along_road``).
"""

from __future__ import annotations

import pyomo.environ as pyo

from planner.model.data import ModelData
from planner.model.rows import HA, RowInfo
from planner.model.terms import add_rows

FAMILY = "village_permission"
SENTENCE = (
    "Ecological forest only in the six starting villages; ornamental forest only in Desheng Youliang, "
    "Shuiquangou, Nuanshui and Yushuhao, along transit roads and beside fruit forests; fruit expansion "
    "in villages other than Desheng Youliang [P §4.4(1)]."
)

# the model expressions (``m._expr``) this family defines and the ones it reads, which families
# added before it must define (tests/test_rule_names.py checks the order of families())
DEFINES: tuple[str, ...] = ()
READS: tuple[str, ...] = ()

# what each constraint means to a planner (explanations, diagnosis, docs)
ROWS: dict[str, RowInfo] = {
    "village_permission": RowInfo(
        "use permitted only in listed villages", HA, ("parcel", "use"), field="uses.{use}.villages"
    ),
    "siting": RowInfo(
        "use sited only on parcels with the required attribute",
        HA,
        ("parcel", "use"),
        field="uses.{use}.require_attribute",
    ),
}


def add(m: pyo.ConcreteModel, d: ModelData) -> None:
    pu = d.pu
    parcels = d.parcels
    perm, site = {}, {}
    for u, pol in d.inst.uses.items():
        sel = pu[pu["use"] == u]
        if sel.empty:
            continue
        if pol.villages is not None:
            bad = sel[~sel["village"].isin(pol.villages)]
            perm.update({(p, u): m.x[p, u, d.last] <= 0 for p in bad["parcel"]})
        if pol.require_attribute:
            ok = parcels[pol.require_attribute].astype(bool)
            bad = sel[~sel["parcel"].map(ok).astype(bool)]
            site.update({(p, u): m.x[p, u, d.last] <= 0 for p in bad["parcel"]})
    add_rows(m, FAMILY, "village_permission", perm)
    add_rows(m, FAMILY, "siting", site)
