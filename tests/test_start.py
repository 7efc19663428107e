"""The first plan found before HiGHS's search (planner.solver.start), by hand."""

from __future__ import annotations

import pyomo.environ as pyo
import pytest

from planner.solver import handoff, start

GAPS = handoff.highs_options({}, 1e-9, 1e-6)


def crew_model(offset: float = 0.0) -> pyo.ConcreteModel:
    """Orchard ``y`` ha (at most 7.5) earns 10 per ha; each of ``n`` whole workers manages
    3 ha and costs 4; a project ``p`` (yes/no) earns 2 and costs 5; the budget is 14.

    By hand: the LP takes y = 7.5, n = 2.5 (cost 10) and p = 0.8 (the 4 left), so its
    bound is 75 - 10 + 1.6 = 66.6. Whole workers: n = 3 (cost 12) leaves 2, too little
    for p: 75 - 12 = 63; n = 2 with p (cost 13) gives y = 6: 60 - 8 + 2 = 54; so the
    optimum is 63 at n = 3, y = 7.5, p = 0. The first plan holds p at its LP value
    rounded down (0) and y at its bound (7.5, a nonzero reduced cost) and finds n = 3:
    the optimum itself."""
    m = pyo.ConcreteModel()
    m.y = pyo.Var(bounds=(0, 7.5))
    m.n = pyo.Var(domain=pyo.NonNegativeIntegers, bounds=(0, 5))
    m.p = pyo.Var(domain=pyo.Binary)
    m.work = pyo.Constraint(expr=m.y <= 3 * m.n)
    m.budget = pyo.Constraint(expr=4 * m.n + 5 * m.p <= 14)
    m.obj = pyo.Objective(expr=offset + 10 * m.y - 4 * m.n + 2 * m.p, sense=pyo.maximize)
    return m


def test_first_plan_by_hand():
    m = crew_model()
    c = handoff.compile_model(m)
    s = start.first_plan(c.lp, GAPS)
    assert s.lp_bound == pytest.approx(66.6)
    assert s.objective == pytest.approx(63.0)
    values = dict(zip((v.name for v in c.columns), s.x))
    assert values["n"] == 3 and values["p"] == 0 and values["y"] == pytest.approx(7.5)
    # 3.6 from the LP bound on 63 is far above PROOF_GAP: HiGHS keeps its own search
    assert start.proof_options(s, GAPS) == {}


def test_solve_from_first_plan_is_proved():
    """The full solve from that plan proves 63 optimal: the bound HiGHS reports is 63,
    not the LP's 66.6, and the model's variables hold the plan."""
    m = crew_model()
    r = handoff.run(m, GAPS, first_plan=True)
    assert r["status"] == "kOptimal"
    assert r["objective"] == pytest.approx(63.0) and r["bound"] == pytest.approx(63.0)
    assert r["start_gap"] == pytest.approx((66.6 - 63.0) / 63.0)
    assert pyo.value(m.n) == pytest.approx(3) and pyo.value(m.p) == pytest.approx(0)


def test_proof_options_only_near_the_bound_and_never_over_the_users():
    """With 1,000,000 added to the objective, the first plan's gap is 3.6 / 1,000,063
    (3.6e-6, within PROOF_GAP): HiGHS proves it with its own plan search and restarts off,
    except an option the user set."""
    m = crew_model(offset=1e6)
    c = handoff.compile_model(m)
    s = start.first_plan(c.lp, GAPS)
    assert s.gap() == pytest.approx(3.6 / 1_000_063)
    assert start.proof_options(s, GAPS) == start.PROOF_OPTIONS
    mine = {**GAPS, "mip_allow_restart": True}
    assert "mip_allow_restart" not in start.proof_options(s, mine)
    r = handoff.run(m, GAPS, first_plan=True)
    assert r["status"] == "kOptimal" and r["objective"] == pytest.approx(1_000_063.0)


def test_no_first_plan_for_an_infeasible_model():
    """Budget 14 cannot pay for at least 4 workers (16): the LP has no solution, so there is
    no first plan and HiGHS alone reports the model infeasible."""
    m = crew_model()
    m.at_least = pyo.Constraint(expr=m.n >= 4)
    c = handoff.compile_model(m)
    s = start.first_plan(c.lp, GAPS)
    assert s.x is None and s.lp_bound is None
    r = handoff.run(m, GAPS, first_plan=True)
    assert r["status"] == "kInfeasible" and not r["has_solution"]


def test_minimising_gives_the_same_plan():
    """The same model minimising minus the objective: the LP bound is -66.6, the first plan
    -63, and the gap 3.6 / 63 as before."""
    m = crew_model()
    m.obj.sense = pyo.minimize
    m.obj.expr = -m.obj.expr
    c = handoff.compile_model(m)
    s = start.first_plan(c.lp, GAPS)
    assert s.lp_bound == pytest.approx(-66.6) and s.objective == pytest.approx(-63.0)
    assert s.gap() == pytest.approx(3.6 / 63.0)
    r = handoff.run(m, GAPS, first_plan=True)
    assert r["status"] == "kOptimal" and r["objective"] == pytest.approx(-63.0)


def test_an_earlier_interrupt_does_not_stop_the_next_first_plan():
    """A Ctrl-C left over from an earlier solve in the process (the flag still set) does
    not cut the next first plan short: it still finds 63."""
    from planner.solver import highs

    highs.mark_interrupted()
    try:
        s = start.first_plan(handoff.compile_model(crew_model()).lp, GAPS)
    finally:
        highs.clear_interrupt()
    assert not s.interrupted and s.objective == pytest.approx(63.0)
