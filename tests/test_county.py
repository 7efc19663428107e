"""county: townships in one instance, the county budget pool, the monolithic and the
decomposed solves (formulation §9)."""

from __future__ import annotations

from pathlib import Path

import distributed
import pytest
import yaml
from helpers import P, approx, period, write_instance

from planner.core.errors import InputError
from planner.county import load_county, solve_county
from planner.plan.county import CountyPlan
from planner.verify import verify_county

# ecological forest +3,000 Yuan/ha/yr over grassland (test library: eco 4 against 1)
CHEAP = {"ecological_forest": {"establishment_cost_yuan_per_ha": 1000}}  # 3 Yuan/yr per Yuan
DEAR = {"ecological_forest": {"establishment_cost_yuan_per_ha": 2000}}  # 1.5 Yuan/yr per Yuan


def county_file(folder: Path, townships: dict[str, Path], pool: dict[str, float] | None, name="test_county") -> Path:
    raw: dict = {"name": name, "townships": [{"id": k, "file": Path(v).name} for k, v in townships.items()]}
    if pool is not None:
        raw["county"] = {"budget_pool_yuan": pool}
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def two_townships(tmp_path: Path, pool: float | None) -> Path:
    north = write_instance(tmp_path, [P("N1", "grassland", 10)], uses=CHEAP, periods=[period("2025", budget=2000)])
    south = write_instance(tmp_path, [P("S1", "grassland", 10)], uses=DEAR, periods=[period("2025", budget=0)])
    return county_file(tmp_path, {"north": north, "south": south}, None if pool is None else {"2025": pool})


@pytest.mark.parametrize("method", ["monolithic", "decomposed"])
def test_county_pool_goes_where_a_yuan_buys_most(tmp_path, method):
    """Two townships of 10 ha grassland each (GEP 1,000 Yuan/ha/yr), ecological forest
    +3,000 Yuan/ha/yr. North's forest costs 1,000 Yuan/ha (3 Yuan/yr per Yuan), its
    budget is 2,000 Yuan; South's costs 2,000 Yuan/ha (1.5 Yuan/yr per Yuan), budget 0.
    County pool 10,000 Yuan.

    A Yuan of the pool is worth more in North, up to its 10 ha: North needs 10 x 1,000 =
    10,000 Yuan, has 2,000, takes 8,000 from the pool. The other 2,000 buy South 1 ha.
    GEP: North 10 x 4,000 = 40,000; South 9 x 1,000 + 1 x 4,000 = 13,000; county 53,000.
    (Any other split moves Yuan from 3 to 1.5 Yuan/yr each, or leaves some unspent.)
    The county price of the pool is 1.5 Yuan/yr per Yuan (South's), so the Lagrangian bound
    at that price is 53,000 too: the decomposition proves the optimum.
    Constraints: `budget`, `county_pool`."""
    lc = load_county(two_townships(tmp_path, 10_000))
    cp = solve_county(lc, method=method)
    assert cp.status == "optimal", cp.status_note
    assert cp.objective == approx(53_000)
    assert cp.objective_bound == approx(53_000)
    assert cp.allocations["north"]["2025"] == approx(8_000)
    assert cp.allocations["south"]["2025"] == approx(2_000)
    plans = dict(cp.townships)
    assert plans["north"].objective == approx(40_000)
    assert plans["south"].objective == approx(13_000)
    assert cp.verification is not None and cp.verification["passed"], cp.verification


def test_without_county_rules_townships_are_independent(tmp_path):
    """No pool: North buys 2 ha (its 2,000 Yuan) -> 10,000 + 2 x 3,000 = 16,000; South
    nothing -> 10,000. County 26,000, each township optimal on its own, so the county is."""
    lc = load_county(two_townships(tmp_path, None))
    assert not lc.linked
    cp = solve_county(lc)
    assert cp.status == "optimal"
    assert cp.objective == approx(26_000)
    assert {tid: p.status for tid, p in cp.townships} == {"north": "optimal", "south": "optimal"}


def test_county_plan_folder_round_trip_and_verifier_catches_a_taken_pool(tmp_path):
    """The written county plan reads back and verifies; a township that claims more of the
    pool than there is (North 9,000 + South 2,000 > 10,000) is a `county` violation."""
    lc = load_county(two_townships(tmp_path, 10_000))
    cp = solve_county(lc, method="monolithic")
    out = cp.write(tmp_path / "out")
    back = CountyPlan.from_json(out)
    assert [tid for tid, _ in back.townships] == ["north", "south"]
    assert verify_county(back.townships, lc, back.objective)["passed"]
    table = (out / "allocations.csv").read_text(encoding="utf-8").splitlines()
    assert table[0].startswith("township,")
    north = dict(back.townships)["north"]
    north.county = {**north.county, "allocation_yuan": {"2025": 9_000.0}}
    res = verify_county(back.townships, lc, back.objective)
    assert any(v["rule"] == "county" and "exceed" in v["message"] for v in res["violations"])


def test_bad_county_file_names_the_field(tmp_path):
    """A pool for a period the townships lack, and a missing township file, are reported
    together, naming the county file and the fields."""
    north = write_instance(tmp_path, [P("N1", "grassland", 10)], uses=CHEAP)
    path = county_file(tmp_path, {"north": north, "gone": tmp_path / "gone.yaml"}, {"2099": 5})
    with pytest.raises(InputError) as e:
        load_county(path)
    assert "townships.1.file" in str(e.value)
    path = county_file(tmp_path, {"north": north}, {"2099": 5}, name="c2")
    with pytest.raises(InputError) as e:
        load_county(path)
    assert "county.budget_pool_yuan.2099" in str(e.value) and "c2.yaml" in str(e.value)


TINY = Path(__file__).resolve().parent.parent / "instances" / "tiny.yaml"


def random_county(folder: Path, seed: int) -> Path:
    """Two or three copies of the tiny township (gardens, a project, whole people: a MIP)
    with random budgets, and a random county pool per period."""
    import random

    rng = random.Random(seed)
    raw = yaml.safe_load(TINY.read_text(encoding="utf-8"))
    (folder / "tiny_parcels.csv").write_text((TINY.parent / "tiny_parcels.csv").read_text(encoding="utf-8"))
    towns = {}
    for k in range(rng.choice([2, 3])):
        r = {**raw, "name": f"t{k}", "valuation": str(TINY.parent.parent / "models" / "xie2015.yaml")}
        r["periods"] = [{**p, "budget_yuan": round(p["budget_yuan"] * rng.uniform(0.05, 0.6))} for p in raw["periods"]]
        path = folder / f"t{k}.yaml"
        path.write_text(yaml.safe_dump(r, sort_keys=False), encoding="utf-8")
        towns[f"t{k}"] = path
    pool = {p["id"]: round(rng.uniform(0, 1.5e6)) for p in raw["periods"]}
    return county_file(folder, towns, pool, name=f"random_{seed}")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_decomposed_and_monolithic_agree(tmp_path, seed):
    """On random small counties the monolithic optimum lies between the decomposition's
    plan and its bound (both proved: the plan is feasible, the bound holds for every plan);
    when the decomposition says optimal, the two objectives agree to the default gap."""
    lc = load_county(random_county(tmp_path, seed))
    mono = solve_county(lc, method="monolithic")
    dec = solve_county(lc, method="decomposed", max_iterations=12)
    assert mono.status == "optimal"
    assert dec.status in ("optimal", "feasible")
    assert mono.verification["passed"] and dec.verification["passed"]
    tol = 1.0 + 1e-6 * abs(mono.objective)
    assert dec.objective <= mono.objective + tol
    assert mono.objective <= dec.objective_bound + tol
    if dec.status == "optimal":
        assert dec.objective == pytest.approx(mono.objective, rel=1e-6, abs=1.0)
    else:
        assert dec.mip_gap is not None and dec.mip_gap > 1e-6
        assert "not proved optimal" in dec.status_note


@pytest.mark.parametrize("seed", [4, 5, 7, 9])
def test_decomposed_and_monolithic_agree_with_a_required_county_target(tmp_path, seed):
    """Random small counties with a pool and a required county target: the county's forest
    area in the last period at least 2% above what the county plans without it. Where the
    monolithic model proves an optimum, the decomposition either finds a plan that meets
    the target, with the monolithic optimum between its plan and its bound, or says it found
    none (never a plan called optimal or feasible that is not). On seeds 4 and 7 the
    decomposition finds a plan (a round's plans, or a mix of them, meet the target within
    the pool); on seed 5 no plan exists (the target asks more forest than the townships
    can plant); on seed 9 the pool and the target pull apart and the rounds may find none."""
    path = random_county(tmp_path, seed)
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    last = yaml.safe_load(TINY.read_text(encoding="utf-8"))["periods"][-1]["id"]
    raw["county"]["targets"] = [{"id": "forest", "kpi": "forest_ha", "period": last, "min": 0}]
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    free = solve_county(load_county(path), method="monolithic")
    assert free.status == "optimal"
    area = float(free.targets.set_index("target").loc["forest", "value"])
    raw["county"]["targets"] = [
        {"id": "forest", "kpi": "forest_ha", "period": last, "min": round(area * 1.02 + 0.01, 4), "required": True}
    ]
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    lc = load_county(path)
    mono = solve_county(lc, method="monolithic")
    dec = solve_county(lc, method="decomposed")
    assert mono.status in ("optimal", "infeasible")
    if mono.status == "optimal" and seed != 9:
        assert dec.has_solution, dec.status_note
    if seed == 5:
        assert mono.status == "infeasible"
    if not dec.has_solution:
        assert dec.status not in ("optimal", "feasible")
        assert "--method monolithic" in dec.status_note
        return
    assert mono.status == "optimal"  # the decomposition's plan is a plan
    assert dec.status in ("optimal", "feasible"), dec.status_note
    assert mono.verification["passed"] and dec.verification["passed"]
    assert bool(dec.targets.set_index("target").loc["forest", "met"])
    tol = 1.0 + 1e-6 * abs(mono.objective)
    assert dec.objective <= mono.objective + tol
    assert mono.objective <= dec.objective_bound + tol
    assert mono.objective <= free.objective + tol  # the target can only cost


def test_decomposition_on_a_dask_local_cluster(tmp_path):
    """The pooled county of the first test, its townships solved on a Dask LocalCluster
    (by scheduler address): the same proved optimum, 53,000 Yuan/yr."""
    lc = load_county(two_townships(tmp_path, 10_000))
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        cp = solve_county(lc, method="decomposed", scheduler=cluster.scheduler_address)
    assert cp.status == "optimal"
    assert cp.objective == approx(53_000)
    assert cp.options["scheduler"] == "dask"


def test_independent_townships_in_local_processes(tmp_path):
    """Two worker processes solve the independent townships: 16,000 + 10,000 Yuan/yr."""
    lc = load_county(two_townships(tmp_path, None))
    cp = solve_county(lc, workers=2)
    assert cp.status == "optimal"
    assert cp.objective == approx(26_000)


def run(*args: str):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "planner", *args], capture_output=True, text=True, timeout=600)


def test_cli_solve_and_verify_a_county(tmp_path):
    """`planner solve` on the pooled county of the first test writes the county plan
    (53,000 Yuan/yr, optimal, exit 0) and `planner verify` passes it; a township plan
    whose allocation is raised beyond the pool fails it (exit 1)."""
    import json

    county = two_townships(tmp_path, 10_000)
    out = tmp_path / "plan"
    r = run("solve", str(county), "--out", str(out))
    assert r.returncode == 0, r.stdout + r.stderr
    data = json.loads((out / "plan.json").read_text())
    assert data["format"] == "planner.plan.county" and data["status"] == "optimal"
    assert data["objective"] == approx(53_000) and data["method"] == "monolithic"
    assert [t["id"] for t in data["townships"]] == ["north", "south"]
    assert data["county_rows"][0]["used_yuan"] == approx(10_000)
    assert "County budget pool 2025: 10,000 of 10,000 Yuan allocated" in r.stdout
    assert run("verify", str(out), str(county)).returncode == 0
    north = out / "townships" / "north" / "plan.json"
    plan = json.loads(north.read_text())
    plan["county"]["allocation_yuan"]["2025"] = 9_000
    north.write_text(json.dumps(plan))
    v = run("verify", str(out), str(county))
    assert v.returncode == 1 and "[county]" in v.stdout


def test_cli_bad_county_input_exit_2(tmp_path):
    """Bad input on the county path: a missing township file, an unknown --method, and
    the county options on a township instance: exit 2, the field named, no traceback."""
    north = write_instance(tmp_path, [P("N1", "grassland", 10)], uses=CHEAP)
    missing = county_file(tmp_path, {"north": north, "gone": tmp_path / "gone.yaml"}, None, name="missing")
    for args, field in (
        (("solve", str(missing), "--out", str(tmp_path / "o1")), "townships.1.file"),
        (("solve", str(two_townships(tmp_path, 5)), "--method", "nope", "--out", str(tmp_path / "o2")), "--method"),
        (("solve", str(north), "--workers", "2", "--out", str(tmp_path / "o3")), "--workers"),
    ):
        r = run(*args)
        assert r.returncode == 2, r.stdout + r.stderr
        assert field in r.stderr and "Traceback" not in r.stderr


def test_generate_county_with_a_pool(tmp_path):
    """`generate --townships 2 --pool-share 0.25`: two townships of ten villages, each
    budget cut by a quarter, the pool the sum of the quarters; the same seed writes the
    same files; the county loads."""
    from planner.generate import write_county

    a = write_county(2, 400, 7, tmp_path / "a", pool_share=0.25)
    write_county(2, 400, 7, tmp_path / "b", pool_share=0.25)
    full = write_county(2, 400, 7, tmp_path / "full")
    assert full["pool"] is None
    for rel in ("instance.yaml", "townships/t001/instance.yaml", "townships/t002/parcels.csv"):
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes()
    lc = load_county(a["path"])
    lfull = load_county(full["path"])
    assert [tid for tid, _ in lc.townships] == ["t001", "t002"]
    assert all(len(li.instance.villages) == 10 for _, li in lc.townships)
    for t in lc.periods:
        before = sum(li.instance.periods[lc.periods.index(t)].budget_yuan for _, li in lfull.townships)
        after = sum(li.instance.periods[lc.periods.index(t)].budget_yuan for _, li in lc.townships)
        assert lc.pool[t] == approx(before - after)
        assert lc.pool[t] == approx(0.25 * before)


def test_a_county_given_to_a_township_command_is_named(tmp_path):
    """`planner explain` (a one-township command) on a county file: exit 2, the message
    says it is a county and which commands plan one."""
    r = run("explain", str(two_townships(tmp_path, None)))
    assert r.returncode == 2
    assert "townships: this is a county instance" in r.stderr and "Traceback" not in r.stderr


def test_independent_townships_are_verified_where_they_were_solved(tmp_path, monkeypatch):
    """Without county rules each township's plan is verified by the worker that solved it
    (in parallel), and the county check does not verify it again: with the main process's
    verify_plan made to fail, the county still passes, with every township's checks."""
    import planner.verify

    def fail(*_a, **_k):
        raise AssertionError("verified twice")

    monkeypatch.setattr(planner.verify, "verify_plan", fail)
    cp = solve_county(load_county(two_townships(tmp_path, None)))
    assert cp.verification["passed"], cp.verification
    assert set(cp.verification["townships"]) == {"north", "south"}
    assert all(t["passed"] and t["checks"] > 10 for t in cp.verification["townships"].values())
    assert "county" in cp.verification["checks"]


def test_terminal_lists_at_most_the_first_townships(tmp_path, monkeypatch):
    """A prefecture's 100 townships would be 100 lines: the summary lists the first
    MAX_TOWNSHIP_LINES (1 here) and says how many more are in townships.csv."""
    from typer.testing import CliRunner

    import planner.cli.county
    from planner.cli import app

    monkeypatch.setattr(planner.cli.county, "MAX_TOWNSHIP_LINES", 1)
    path = two_townships(tmp_path, None)
    r = CliRunner().invoke(app, ["solve", str(path), "--out", str(tmp_path / "out")])
    assert r.exit_code == 0, r.output
    assert "... and 1 more townships (every township: townships.csv)" in r.output
    lines = r.output.splitlines()
    assert any(x.startswith("north ") for x in lines) and not any(x.startswith("south ") for x in lines)
