"""Sweep designs, sensitivity analysis and plots on synthetic results (no solving)."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from planner.core.errors import InputError
from planner.sweep.analysis import morris_indices, oat_effects, sobol_indices, sobol_second_order
from planner.sweep.design import Parameter, grid, load_design, morris, one_at_a_time, salib_problem, sobol
from planner.sweep.plots import morris_plot, response_curves, short_labels, sobol_bars, tornado

CARBON = "prices.forestry_carbon_yuan_per_t"
BUDGET = "periods.2025.budget_yuan"
RANGERS = "roles.forest_rangers.max"


def _solved(design: pd.DataFrame, **outputs) -> pd.DataFrame:
    """A results frame as the runner writes it: inputs, status and outputs."""
    r = design.copy()
    r["status"] = "optimal"
    r["termination"] = "convergenceCriteriaSatisfied"
    r["error"] = ""
    for k, f in outputs.items():
        r[k] = f(design)
    return r


# ---------------------------------------------------------------------------
# Parameter.parse
# ---------------------------------------------------------------------------


def test_parse_range_levels_values_and_integer_inference():
    p = Parameter.parse(f"{CARBON}=20:80")
    assert (p.path, p.low, p.high, p.levels, p.integer, p.values) == (CARBON, 20.0, 80.0, None, False, None)
    p = Parameter.parse(f" {BUDGET} = 1e6:3e6:4 ")
    assert (p.low, p.high, p.levels) == (1e6, 3e6, 4)
    p = Parameter.parse("prices.gep_multipliers.ecological_forest=0.8,1.0,1.3")
    assert p.values == (0.8, 1.0, 1.3) and (p.low, p.high) == (0.8, 1.3)
    assert Parameter.parse(f"{RANGERS}=0:6").integer  # last part 'max' holds people
    assert not Parameter.parse(f"{RANGERS}=0:6", integer=False).integer
    assert Parameter.parse("policies.x=-5:-1").low == -5.0


@pytest.mark.parametrize(
    "text",
    [
        "prices.forestry_carbon_yuan_per_t",  # no '='
        "=1:2",  # no path
        "bad path=1:2",  # not a dotted path
        f"{CARBON}=80:20",  # low > high
        f"{CARBON}=5:5",  # low == high
        f"{CARBON}=a:2",  # not a number
        f"{CARBON}=1:nan",  # not finite
        f"{CARBON}=1",  # no range
        f"{CARBON}=1:2:3:4",  # too many parts
        f"{CARBON}=1:2:1",  # fewer than 2 levels
        f"{CARBON}=1:2:2.5",  # fractional levels
        f"{CARBON}=3,3",  # one distinct value
        f"{CARBON}=1,x",  # bad value
    ],
)
def test_parse_rejects_bad_text(text):
    with pytest.raises(InputError) as ei:
        Parameter.parse(text)
    prob = ei.value.problems[0]
    assert prob.file == "--param" and prob.field == text and prob.fix


def test_parameter_constructor_checks():
    with pytest.raises(ValueError):
        Parameter("a", 2, 1)
    with pytest.raises(ValueError):
        Parameter("a", 0, 1, levels=1)
    with pytest.raises(ValueError):
        Parameter("a", 0, 1, values=(0.5, 2.0))  # a value outside low..high


# ---------------------------------------------------------------------------
# designs
# ---------------------------------------------------------------------------

PARAMS = [Parameter(CARBON, 20, 80), Parameter(BUDGET, 1e6, 3e6), Parameter(RANGERS, 0, 6, integer=True)]
BASE = {CARBON: 50, BUDGET: 2e6, RANGERS: 3}


def _in_bounds(df, params):
    for p in params:
        assert df[p.path].between(p.low, p.high).all(), p.path


def test_one_at_a_time_size_order_and_base():
    d = one_at_a_time(PARAMS, BASE, levels=4)
    assert len(d) == 1 + 3 * 4
    assert list(d.columns) == ["scenario", CARBON, BUDGET, RANGERS]
    assert list(d["scenario"]) == list(range(len(d)))
    assert d.iloc[0][[CARBON, BUDGET, RANGERS]].tolist() == [50, 2e6, 3]
    info = d.attrs["design"]
    assert info["name"] == "one_at_a_time" and info["varied"][:2] == [None, CARBON]
    carbon_rows = d[d["scenario"].between(1, 4)]
    assert carbon_rows[CARBON].tolist() == [20, 40, 60, 80]
    assert (carbon_rows[BUDGET] == 2e6).all() and (carbon_rows[RANGERS] == 3).all()
    json.dumps(info)  # the runner records it in sweep.json


def test_one_at_a_time_explicit_values_and_missing_base():
    ps = [Parameter.parse(f"{CARBON}=20,35,80"), Parameter.parse(f"{BUDGET}=1e6:3e6:3")]
    d = one_at_a_time(ps, BASE)
    assert len(d) == 1 + 3 + 3
    assert d[CARBON].tolist()[1:4] == [20, 35, 80]
    with pytest.raises(ValueError, match=BUDGET):
        one_at_a_time(ps, {CARBON: 50})


def test_grid_is_full_factorial():
    ps = [Parameter(CARBON, 20, 80, levels=3), Parameter(BUDGET, 1e6, 3e6), Parameter.parse(f"{RANGERS}=1,2")]
    d = grid(ps, levels=4)
    assert len(d) == 3 * 4 * 2
    assert len(d.drop(columns="scenario").drop_duplicates()) == len(d)
    _in_bounds(d, ps)


def test_morris_size_bounds_and_integer_rounding():
    d = morris(PARAMS, trajectories=6, num_levels=4, seed=3)
    assert len(d) == 6 * (3 + 1)
    _in_bounds(d, PARAMS)
    assert d[RANGERS].dtype.kind == "i" and set(d[RANGERS]) <= {0, 2, 4, 6}  # 4 levels on 0..6: whole
    assert d.attrs["design"]["problem"] == salib_problem(PARAMS)
    assert d.equals(morris(PARAMS, trajectories=6, num_levels=4, seed=3))  # seeded
    with pytest.warns(UserWarning, match="rounding"):
        m = morris([Parameter("a", 0, 1), Parameter("n", 0, 4, integer=True)], trajectories=4, num_levels=4)
    assert (m["n"] == m["n"].round()).all() and "X_unrounded" in m.attrs["design"]


def test_sobol_size_power_of_two_and_rounding():
    d = sobol(PARAMS, n=16, seed=1)
    assert len(d) == 16 * (3 + 2)
    _in_bounds(d, PARAMS)
    assert d[RANGERS].dtype.kind == "i"
    assert len(sobol(PARAMS, n=8, second_order=True)) == 8 * (2 * 3 + 2)
    with pytest.warns(UserWarning, match="power of 2"):
        assert len(sobol(PARAMS, n=10)) == 16 * 5


def test_load_design_from_sweep_json(tmp_path):
    d = morris(PARAMS, trajectories=2)
    spec = {
        "parameters": [p.path for p in PARAMS],
        "design": d.attrs["design"],
        "scenarios": d.to_dict(orient="records"),
    }
    (tmp_path / "sweep.json").write_text(json.dumps(spec))
    back = load_design(tmp_path)
    assert back.attrs["design"]["name"] == "morris"
    pd.testing.assert_frame_equal(back, d, check_dtype=False)


# ---------------------------------------------------------------------------
# analysis
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("num_levels", [4, 6])
def test_morris_known_answer(num_levels):
    """SALib divides each output step by the unit-cube step delta = p / (2 (p - 1)),
    while the input moves by delta * (high - low). So for y = 3 a, a in [0, 10], every
    elementary effect of a is 3 * (10 - 0) = 30 whatever the number of levels:
    mu = mu_star = 30, sigma = 0; b (ignored) has mu_star = 0."""
    d = morris([Parameter("a", 0, 10), Parameter("b", -5, 5)], trajectories=8, num_levels=num_levels, seed=0)
    res = _solved(d, y=lambda x: 3 * x["a"] + 0 * x["b"])
    ix = morris_indices(d, res, ["y"]).set_index("parameter")
    assert list(morris_indices(d, res, ["y"]).columns) == [
        "output",
        "parameter",
        "mu",
        "mu_star",
        "sigma",
        "mu_star_conf",
    ]
    assert ix.loc["a", "mu_star"] == pytest.approx(30.0)
    assert ix.loc["a", "mu"] == pytest.approx(30.0)
    assert ix.loc["a", "sigma"] == pytest.approx(0.0, abs=1e-9)
    assert ix.loc["b", "mu_star"] == 0.0


def test_sobol_known_answer():
    d = sobol([Parameter("a", 0, 1), Parameter("b", 0, 1)], n=256, seed=0)
    res = _solved(d, y=lambda x: x["a"])
    ix = sobol_indices(d, res, ["y"]).set_index("parameter")
    assert abs(ix.loc["a", "S1"] - 1) <= max(ix.loc["a", "S1_conf"], 0.05)
    assert abs(ix.loc["a", "ST"] - 1) <= max(ix.loc["a", "ST_conf"], 0.05)
    assert abs(ix.loc["b", "ST"]) <= max(ix.loc["b", "ST_conf"], 1e-9)
    assert abs(ix.loc["b", "S1"]) <= max(ix.loc["b", "S1_conf"], 1e-9)


def test_sobol_second_order_interaction():
    d = sobol([Parameter("a", -1, 1), Parameter("b", -1, 1)], n=256, second_order=True, seed=0)
    res = _solved(d, y=lambda x: x["a"] * x["b"])  # pure interaction: S1 = 0, S2 = 1
    s2 = sobol_second_order(d, res, ["y"])
    assert s2.loc[0, ["parameter_1", "parameter_2"]].tolist() == ["a", "b"]
    assert abs(s2.loc[0, "S2"] - 1) <= max(s2.loc[0, "S2_conf"], 0.2)
    with pytest.raises(ValueError, match="second_order"):
        sobol_indices(d, res, ["y"], second_order=False)


def test_failed_scenario_is_named():
    d = morris([Parameter("a", 0, 10), Parameter("b", -5, 5)], trajectories=4)
    res = _solved(d, y=lambda x: x["a"])
    res.loc[res["scenario"] == 5, ["status", "error"]] = ["infeasible", ""]
    res = res[res["scenario"] != 7]  # never finished
    with pytest.raises(ValueError, match=r"2 of 12 scenario\(s\) have no solution: 5 \(infeasible\), 7 \(missing\)"):
        morris_indices(d, res, ["y"])
    s = sobol([Parameter("a", 0, 1), Parameter("b", 0, 1)], n=4)
    rs = _solved(s, y=lambda x: x["a"])
    rs.loc[rs["scenario"] == 3, ["status", "error"]] = ["error", "solver crashed"]
    with pytest.raises(ValueError, match=r"3 \(error: solver crashed\)"):
        sobol_indices(s, rs, ["y"])


def test_unknown_output_and_wrong_design():
    d = morris([Parameter("a", 0, 10), Parameter("b", -5, 5)], trajectories=2)
    res = _solved(d, gep_yuan_2025=lambda x: x["a"])
    with pytest.raises(ValueError, match="gep_yuan_2025"):
        morris_indices(d, res, ["gep_yuan_2052"])
    with pytest.raises(ValueError, match="not 'sobol'"):
        sobol_indices(d, res, ["gep_yuan_2025"])


def test_oat_effects_swing_and_failed_level():
    ps = [Parameter("a", 0, 10), Parameter("b", -5, 5)]
    d = one_at_a_time(ps, {"a": 5, "b": 0}, levels=3)  # 0: base; 1-3: a = 0,5,10; 4-6: b = -5,0,5
    res = _solved(d, y=lambda x: 3 * x["a"] - x["b"])
    res.loc[res["scenario"] == 6, "status"] = "infeasible"
    eff = oat_effects(d, res, ["y"])
    assert eff["parameter"].tolist() == ["a", "b"]  # largest swing first
    a, b = eff.iloc[0], eff.iloc[1]
    assert (a["low"], a["high"], a["base"]) == (0, 10, 5)
    assert (a["value_low"], a["value_high"], a["value_base"], a["swing"], a["change"]) == (0, 30, 15, 30, 30)
    assert b["value_low"] == 20 and np.isnan(b["value_high"]) and b["unsolved"] == 1 and b["swing"] == 5
    # the same without attrs: the varied parameter is detected (levels equal to the base count as the base)
    plain = d.copy()
    plain.attrs = {}
    pd.testing.assert_frame_equal(oat_effects(plain, res, ["y"]).drop(columns="levels"), eff.drop(columns="levels"))
    res.loc[res["scenario"] == 0, "status"] = "no_solution"
    with pytest.raises(ValueError, match="base scenario 0"):
        oat_effects(d, res, ["y"])


# ---------------------------------------------------------------------------
# plots
# ---------------------------------------------------------------------------


def _png(path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 2000
    return path


def test_plots_write_pngs(tmp_path):
    gep = "gep_yuan_2025"

    def f(x):
        return 2e6 + 5e3 * x[CARBON] + 0.3 * x[BUDGET] + 2e4 * x[RANGERS]

    o = one_at_a_time(PARAMS, BASE, levels=3)
    ro = _solved(o, **{gep: f})
    ro.loc[ro["scenario"] == 4, "status"] = "infeasible"
    _png(tornado(oat_effects(o, ro, [gep]), gep, tmp_path / "t.png"))
    _png(response_curves(o, ro, gep, tmp_path / "oat.png", title="OAT"))
    g = grid(PARAMS[:2], levels=3)
    _png(response_curves(g, _solved(g, **{gep: lambda x: 5e3 * x[CARBON] + 0.3 * x[BUDGET]}), gep, tmp_path / "g.png"))
    m = morris(PARAMS, trajectories=4)
    _png(morris_plot(morris_indices(m, _solved(m, **{gep: f}), [gep]), gep, tmp_path / "sub" / "m.png"))
    s = sobol(PARAMS, n=16)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ix = sobol_indices(s, _solved(s, **{gep: f}), [gep])
    _png(sobol_bars(ix, gep, tmp_path / "s.png"))
    with pytest.raises(ValueError, match="no Sobol indices"):
        sobol_bars(ix, "dividends_yuan_2025", tmp_path / "x.png")


def test_short_labels():
    lab = short_labels(["prices.gep_multipliers.ecological_forest", "periods.2025.budget_yuan", "a.x.max", "b.x.max"])
    assert lab["periods.2025.budget_yuan"] == "2025.budget_yuan"
    assert lab["a.x.max"] == "a.x.max" and lab["b.x.max"] == "b.x.max"  # clash: more parts
    assert lab["prices.gep_multipliers.ecological_forest"].replace("\n", "") == "gep_multipliers.ecological_forest"
