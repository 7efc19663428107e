"""Contiguity: the parcels a choice uses must be connected through shared boundaries.

Used by the garden rule (each village garden on one contiguous site) and the carbon rule
(a villager's holding counts as one stand only when its forested parcels touch). Not a
rule family of its own: the rows are recorded under the caller's family.

Formulation (single-commodity flow; e.g. the connectivity constraints of reserve-design
models). For a group of n parcels with the adjacency arcs between them, per period t:

- ``sel[g, p, t]`` (yes/no) parcel p is part of the site, ``root[g, p, t]`` (yes/no) p is
  the site's root, ``flow[g, p, q, t]`` >= 0 on each direction of each arc;
- ``{name}_root_one[g, t]``: sum_p root = active[g, t] (one root when the site exists);
- ``{name}_root_sel[g, p, t]``: root <= sel;
- ``{name}_balance[g, p, t]``: inflow - outflow >= sel - n x root - n x (1 - active):
  every chosen parcel other than the root consumes one unit;
- ``{name}_flow_from`` / ``{name}_flow_to`` ``[g, p, q, t]``: flow <= (n - 1) x sel of
  either end: flow only runs between chosen parcels;
- ``{name}_in_site[g, p, t]``: sel <= active, and ``{name}_grows[g, p, t]``: sel[t] <=
  sel[t+1] (sites only grow: land decisions accumulate), and ``{name}_root_stays``: root[t]
  <= root[t+1] (a grown site keeps its root: no choice among equal roots). These follow from the rows above
  and the callers' links; stated, they tighten the relaxation (the solve is several times
  faster on the Nuanshui map).

Flow can only come from the root, and reaches a chosen parcel only through chosen
parcels, so the chosen parcels are connected; any connected choice has such a flow (a
spanning tree from the root). With ``active`` = 0 the rows are void.
"""

from __future__ import annotations

from typing import Any

import pyomo.environ as pyo

from planner.model.rows import RowInfo
from planner.model.terms import add_rows

#: The row names ``connected`` adds, after its ``name`` and an underscore.
PARTS = ("root_one", "root_sel", "balance", "flow_from", "flow_to", "in_site", "grows", "root_stays")


def connected(
    m: pyo.ConcreteModel,
    family: str,
    name: str,
    groups: dict[Any, tuple[list, list]],
    active: dict[tuple, Any],
    periods: list[str],
) -> dict[tuple, Any]:
    """Add contiguity rows for each group {key: (parcels, arcs)} with two or more parcels;
    ``active[(key, t)]`` is a 0/1 expression (the site exists). Returns the selection
    binaries ``{(key, parcel, t): var}`` the caller links to its areas."""
    groups = {k: (list(n), list(a)) for k, (n, a) in groups.items() if len(n) >= 2}
    node_idx = [(k, p, t) for k, (nodes, _) in groups.items() for p in nodes for t in periods]
    arc_idx = [
        (k, p, q, t) for k, (_, arcs) in groups.items() for a, b in arcs for p, q in ((a, b), (b, a)) for t in periods
    ]
    if not node_idx:
        return {}
    nodes_set = pyo.Set(initialize=node_idx, dimen=3, ordered=True)
    arcs_set = pyo.Set(initialize=arc_idx, dimen=4, ordered=True)
    setattr(m, f"{name}_nodes", nodes_set)
    setattr(m, f"{name}_arcs", arcs_set)
    sel = pyo.Var(nodes_set, domain=pyo.Binary)
    root = pyo.Var(nodes_set, domain=pyo.Binary)
    flow = pyo.Var(arcs_set, domain=pyo.NonNegativeReals)
    setattr(m, f"{name}_sel", sel)
    setattr(m, f"{name}_root", root)
    setattr(m, f"{name}_flow", flow)
    inflow: dict[tuple, list] = {}
    outflow: dict[tuple, list] = {}
    for k, p, q, t in arc_idx:
        outflow.setdefault((k, p, t), []).append(flow[k, p, q, t])
        inflow.setdefault((k, q, t), []).append(flow[k, p, q, t])
    one, rsel, bal, ffrom, fto, ins, grows, stays = {}, {}, {}, {}, {}, {}, {}, {}
    for k, (nodes, _) in groups.items():
        n = len(nodes)
        for t in periods:
            one[(k, t)] = pyo.quicksum(root[k, p, t] for p in nodes) == active[(k, t)]
            for p in nodes:
                rsel[(k, p, t)] = root[k, p, t] <= sel[k, p, t]
                ins[(k, p, t)] = sel[k, p, t] <= active[(k, t)]
                if t != periods[-1]:
                    nxt = periods[periods.index(t) + 1]
                    grows[(k, p, t)] = sel[k, p, t] <= sel[k, p, nxt]
                    stays[(k, p, t)] = root[k, p, t] <= root[k, p, nxt]
                net = pyo.quicksum(inflow.get((k, p, t), [])) - pyo.quicksum(outflow.get((k, p, t), []))
                bal[(k, p, t)] = net >= sel[k, p, t] - n * root[k, p, t] - n * (1 - active[(k, t)])
    for k, p, q, t in arc_idx:
        n = len(groups[k][0])
        ffrom[(k, p, q, t)] = flow[k, p, q, t] <= (n - 1) * sel[k, p, t]
        fto[(k, p, q, t)] = flow[k, p, q, t] <= (n - 1) * sel[k, q, t]
    add_rows(m, family, f"{name}_root_one", one)
    add_rows(m, family, f"{name}_root_sel", rsel)
    add_rows(m, family, f"{name}_balance", bal)
    add_rows(m, family, f"{name}_flow_from", ffrom)
    add_rows(m, family, f"{name}_flow_to", fto)
    add_rows(m, family, f"{name}_in_site", ins)
    add_rows(m, family, f"{name}_grows", grows)
    add_rows(m, family, f"{name}_root_stays", stays)
    return {key: sel[key] for key in node_idx}


def site_rows(site: str, what: str, key: str) -> dict[str, RowInfo]:
    """The rows :func:`connected` adds for a site named ``site`` (``garden_site``), in a
    planner's words: definitions of a connected site, never relaxed."""
    parts = (
        ("root_one", "one root parcel", (key, "period")),
        ("root_sel", "root is a site parcel", (key, "parcel", "period")),
        ("balance", "connection flow reaches each site parcel", (key, "parcel", "period")),
        ("flow_from", "connection flow leaves only site parcels", (key, "parcel", "to", "period")),
        ("flow_to", "connection flow enters only site parcels", (key, "parcel", "to", "period")),
        ("in_site", "site parcels only while the site exists", (key, "parcel", "period")),
        ("grows", "site parcels stay in the site", (key, "parcel", "period")),
        ("root_stays", "a grown site keeps its root parcel", (key, "parcel", "period")),
    )
    return {f"{site}_{part}": RowInfo(f"{what}: {label}", "parcel", index, hard=True) for part, label, index in parts}
