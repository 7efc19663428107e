"""The per-village split of recruits, by one rule, the same on every machine.

A township-scope role has one whole number of people per period (``recruit_total``); which
villages they come from is a continuous split (:mod:`planner.model.rules.recruitment`) that
rules read only where a village's share matters: its labour pools, the role's villages,
per-village minimums and forced decisions. A village-scope role's people beyond what each
village's own work needs (a range minimum above the work) can be anywhere too. Many splits
are equally good, and the solver's pick among them changes with its version, options and
seed. The plan reports this one instead, for every role, its people per period as solved:

1. each village's own minimum first: what the rows that read the village's people alone
   need with the plan's land and projects (a village role's work, a forced decision, a
   project host's minimum; ``recruit_village`` gives 0);
2. the rest in proportion to each village's labour pool of the role's groups (all groups'
   pools when the role lists none; equal shares when every pool is empty), as whole people
   by largest remainders, ties to the village listed first;
3. where the pools cannot take those shares (other roles draw on the same people), the
   people left are moved, in the instance's order of roles and villages, to villages with
   people to spare; the recruits of every role are then assigned to the groups the same way.

Steps 2-3 are a maximum flow (roles -> villages -> groups -> pools) started from the
proportional shares; it finds a split whenever one exists, and the model's whole-number
data (pools, limits) makes it whole. The split is checked against every row of the model
that reads recruitment; if any row would be broken (a rule this module does not know),
the solver's split is kept (:func:`apply_split` returns False).
"""

from __future__ import annotations

import math
from collections import deque
from typing import Any

import pyomo.environ as pyo
from pyomo.repn import generate_standard_repn

from planner.model.data import ModelData

GROUPS = ("residents", "outside", "returning")
TOL = 1e-6
BIG = 10**12

# families whose rows never read recruitment (every other family's rows are checked)
RECRUIT_FREE = frozenset(
    {
        "land_use",
        "farmland_protection",
        "red_line",
        "eco_space",
        "village_permission",
        "interactive_forest",
        "fruit",
        "gardens",
        "street_green",
        "coverage",
        "projects",
        "carbon_application",
        "loans",
        "dividend_floor",
    }
)


class _Flow:
    """Dinic's maximum flow on integer capacities; arcs and nodes in insertion order, so the
    flow found depends on the data only."""

    def __init__(self, n: int):
        self.n = n
        self.adj: list[list[int]] = [[] for _ in range(n)]
        self.to: list[int] = []
        self.cap: list[int] = []

    def arc(self, a: int, b: int, cap: int) -> int:
        self.adj[a].append(len(self.to))
        self.to.append(b)
        self.cap.append(cap)
        self.adj[b].append(len(self.to))
        self.to.append(a)
        self.cap.append(0)
        return len(self.to) - 2

    def flow(self, e: int) -> int:
        return self.cap[e ^ 1]

    def raise_cap(self, e: int, cap: int) -> None:
        self.cap[e] = cap - self.flow(e)

    def run(self, s: int, t: int) -> int:
        total = 0
        while True:
            level = [-1] * self.n
            level[s] = 0
            q = deque([s])
            while q:
                a = q.popleft()
                for e in self.adj[a]:
                    if self.cap[e] > 0 and level[self.to[e]] < 0:
                        level[self.to[e]] = level[a] + 1
                        q.append(self.to[e])
            if level[t] < 0:
                return total
            it = [0] * self.n

            def push(a: int, f: int) -> int:
                if a == t:
                    return f
                while it[a] < len(self.adj[a]):
                    e = self.adj[a][it[a]]
                    b = self.to[e]
                    if self.cap[e] > 0 and level[b] == level[a] + 1:
                        got = push(b, min(f, self.cap[e]))
                        if got:
                            self.cap[e] -= got
                            self.cap[e ^ 1] += got
                            return got
                    it[a] += 1
                return 0

            while True:
                f = push(s, BIG)
                if not f:
                    break
                total += f


def _shares(total: int, weights: list[float]) -> list[int]:
    """``total`` whole people in proportion to ``weights`` (largest remainders, ties to the first)."""
    if total <= 0 or not weights:
        return [0] * len(weights)
    w = weights if sum(weights) > 0 else [1.0] * len(weights)
    s = sum(w)
    exact = [total * x / s for x in w]
    out = [int(e) for e in exact]
    left = total - sum(out)
    order = sorted(range(len(w)), key=lambda i: (-(exact[i] - out[i]), i))
    for i in order[:left]:
        out[i] += 1
    return out


def _bounds(m: pyo.ConcreteModel, split: set[int]) -> tuple[dict[int, float], dict[int, float]]:
    """Lower and upper bounds on single village shares from the rows that read one share alone
    (the other decisions at their values), e.g. ``recruit_village``, forced decisions."""
    lo: dict[int, float] = {}
    hi: dict[int, float] = {}
    for fam, names in m._families.items():
        if fam in RECRUIT_FREE:
            continue
        for name in names:
            comp = m.component(name)
            if comp is None or not isinstance(comp, pyo.Constraint | pyo.ConstraintList):
                continue
            for c in comp.values():
                if not c.active:
                    continue
                repn = generate_standard_repn(c.body, compute_values=True, quadratic=False)
                if repn.nonlinear_expr is not None:
                    continue
                mine = [(v, k) for v, k in zip(repn.linear_vars, repn.linear_coefs) if id(v) in split]
                if len(mine) != 1 or any(
                    v.parent_component().local_name in ("recruit", "recruit_total", "assign") and id(v) not in split
                    for v in repn.linear_vars
                ):
                    continue
                rest = float(repn.constant) + sum(
                    k * (v.value or 0.0) for v, k in zip(repn.linear_vars, repn.linear_coefs) if id(v) not in split
                )
                v, k = mine[0]
                if abs(k) < 1e-12:
                    continue
                for bound, is_lower in ((c.lower, True), (c.upper, False)):
                    if bound is None:
                        continue
                    val = (pyo.value(bound) - rest) / k
                    if (k > 0) == is_lower:
                        lo[id(v)] = max(lo.get(id(v), 0.0), val)
                    else:
                        hi[id(v)] = min(hi.get(id(v), float("inf")), val)
    return lo, hi


def _checked_rows(m: pyo.ConcreteModel) -> list[Any]:
    out = []
    for fam, names in m._families.items():
        if fam in RECRUIT_FREE:
            continue
        for name in names:
            comp = m.component(name)
            if comp is not None and isinstance(comp, pyo.Constraint | pyo.ConstraintList):
                out.extend(c for c in comp.values() if c.active)
    return out


def _violation(c) -> float:
    body = pyo.value(c.body, exception=False)
    if body is None:
        return float("inf")
    worst = 0.0
    if c.lower is not None:
        lb = pyo.value(c.lower)
        worst = max(worst, (lb - body) / max(1.0, abs(lb)))
    if c.upper is not None:
        ub = pyo.value(c.upper)
        worst = max(worst, (body - ub) / max(1.0, abs(ub)))
    return worst


def _total(m: pyo.ConcreteModel, d: ModelData, role, t: str) -> int:
    if role.scope == "township" and hasattr(m, "recruit_total"):
        return int(round(pyo.value(m.recruit_total[role.id, t]) or 0))
    return int(round(sum(pyo.value(m.recruit[v, role.id, t]) or 0 for v in d.villages)))


def canonical_split(d: ModelData, m: pyo.ConcreteModel) -> list[tuple[Any, float]] | None:
    """The values the rule of the module docstring gives ``recruit`` and ``assign``, as
    (variable, value) pairs, for every role: its people per period as the plan has them, its
    villages' own minimums (the rows that read one village's people alone, the other decisions as
    planned: a village role's work, a forced decision, ``recruit_village``), the rest shared by the
    rule; None when no split meets those rows and the pools (then the solver's split stands)."""
    roles = list(d.inst.roles)
    if not roles:
        return None
    pools = {v.id: v.labour_pool for v in d.inst.villages}
    use_pools = bool(d.inst.policies.labour_pools) and hasattr(m, "assign")
    lo, hi = _bounds(m, {id(v) for v in m.recruit.values()})
    out: list[tuple[Any, float]] = []
    for t in d.periods:
        # nodes: 0 source, 1 sink, roles, (village, role), (village, group)
        role_node = {r.id: 2 + i for i, r in enumerate(roles)}
        n_nodes = 2 + len(roles)
        vr_node = {}
        for v in d.villages:
            for r in roles:
                vr_node[(v, r.id)] = n_nodes
                n_nodes += 1
        vg_node = {}
        if use_pools:
            for v in d.villages:
                for g in GROUPS:
                    vg_node[(v, g)] = n_nodes
                    n_nodes += 1
        f = _Flow(n_nodes)
        need = 0
        flexible: dict[tuple[str, str], tuple[int, int]] = {}  # (v, role) -> (arc, most above the minimum)
        base: dict[tuple[str, str], int] = {}
        for r in roles:
            mins, maxs = [], []
            for v in d.villages:
                var = id(m.recruit[v, r.id, t])
                a = max(0, math.ceil(lo[var] - TOL)) if var in lo else 0
                b = math.floor(hi[var] + TOL) if var in hi and math.isfinite(hi[var]) else BIG
                mins.append(a)
                maxs.append(b)
            if any(b < a for a, b in zip(mins, maxs)):
                return None
            rest = _total(m, d, r, t) - sum(mins)
            if rest < 0:
                return None
            allowed = [b > a for a, b in zip(mins, maxs)]
            groups = list(r.groups or GROUPS)
            weights = [
                float(sum(getattr(pools[v], g) for g in groups)) if ok else 0.0 for v, ok in zip(d.villages, allowed)
            ]
            if not any(weights):
                weights = [1.0 if ok else 0.0 for ok in allowed]
            share = _shares(rest, weights)
            f.arc(0, role_node[r.id], rest)
            need += rest
            for v, a, b, s, ok in zip(d.villages, mins, maxs, share, allowed):
                if a:
                    f.arc(0, vr_node[(v, r.id)], a)
                    need += a
                base[(v, r.id)] = a
                if ok:
                    flexible[(v, r.id)] = (f.arc(role_node[r.id], vr_node[(v, r.id)], min(s, b - a)), b - a)
        group_arc: dict[tuple[str, str, str], int] = {}
        for v in d.villages:
            for r in roles:
                if use_pools:
                    for g in r.groups:
                        group_arc[(v, r.id, g)] = f.arc(vr_node[(v, r.id)], vg_node[(v, g)], BIG)
                else:
                    f.arc(vr_node[(v, r.id)], 1, BIG)
            if use_pools:
                for g in GROUPS:
                    f.arc(vg_node[(v, g)], 1, int(getattr(pools[v], g)))
        got = f.run(0, 1)
        if got < need:  # the shares do not fit the pools: let villages take more than their share
            for e, most in flexible.values():
                f.raise_cap(e, most)
            got += f.run(0, 1)
        if got < need:
            return None
        for r in roles:
            for v in d.villages:
                e = flexible.get((v, r.id))
                out.append((m.recruit[v, r.id, t], float(base[(v, r.id)] + (f.flow(e[0]) if e else 0))))
        for (v, role, g), e in group_arc.items():
            out.append((m.assign[v, role, g, t], float(f.flow(e))))
    return out


def apply_split(d: ModelData, m: pyo.ConcreteModel) -> bool:
    """Set the township roles' village shares and every role's groups to :func:`canonical_split`
    when it keeps every row the solver's plan kept; True if it did, False if the solver's split
    stands (nothing to split, or a row the rule does not know)."""
    if not len(m.recruit) or any(v.value is None for v in m.recruit.values()):
        return False
    new = canonical_split(d, m)
    if new is None:
        return False
    rows = _checked_rows(m)
    before = [_violation(c) for c in rows]
    old = [(v, v.value) for v, _ in new]
    for v, val in new:
        v.set_value(val, skip_validation=True)
    if any(_violation(c) > max(b, 0.0) + TOL for c, b in zip(rows, before)):
        for v, val in old:
            v.set_value(val, skip_validation=True)
        return False
    return True
