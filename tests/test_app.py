"""The web app's pieces without a browser: the working folder keeps uploads and their
file references inside it, every value shown is escaped, a scenario saved by the app is
what ``planner solve --scenario`` solves, and an infeasible scenario's diagnosis becomes
a scenario that has a plan."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import planner
from planner.app import jobs
from planner.app.scenario import check, overlay, relaxed, settings, to_yaml
from planner.app.state import AppState, Scenario
from planner.app.ui import plan_view, status_line, table
from planner.app.workspace import Workspace, safe_name
from planner.core.errors import InputError
from planner.explain.diagnose import diagnose

ROOT = Path(__file__).resolve().parent.parent
INST = ROOT / "instances"
HOSTILE = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


def tiny_geo_copy(folder: Path, edit=None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    data = yaml.safe_load((INST / "tiny_geo.yaml").read_text(encoding="utf-8"))
    if edit:
        edit(data)
    shutil.copy(INST / "tiny_parcels.geojson", folder / "tiny_parcels.geojson")
    path = folder / "tiny_geo.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


# ---------------------------------------------------------------------------
# the working folder
# ---------------------------------------------------------------------------


def test_upload_names_lose_their_folders_and_leading_dots():
    assert safe_name("../../etc/cron.d/x.yaml") == "x.yaml"
    assert safe_name("C:\\Users\\me\\..\\.hidden.csv") == "hidden.csv"
    assert safe_name("村 规划.yaml") == "村规划.yaml"
    for bad in ("..", "/", "script.sh", "x.yaml/"):
        with pytest.raises(InputError):
            safe_name(bad)


def test_uploads_are_written_inside_the_folder(tmp_path):
    ws = Workspace(tmp_path / "work")
    paths = ws.save_upload([("../../evil.yaml", b"a: 1\n"), ("/etc/parcels.csv", b"id\n")])
    assert all(p.is_relative_to(ws.root / "uploads") for p in paths)
    assert not (tmp_path / "evil.yaml").exists()
    with pytest.raises(InputError, match="outside the app's working folder"):
        ws.inside("../outside.txt")
    link = ws.root / "uploads" / "link.yaml"
    link.symlink_to(tmp_path)  # a link out of the folder is followed and refused
    with pytest.raises(InputError, match="outside"):
        ws.inside(link / "x.yaml")


@pytest.mark.parametrize(
    "field, value",
    [
        ("parcels.file", "ABSOLUTE"),
        ("parcels.file", "../../../outside/tiny_parcels.geojson"),
        ("valuation", "../../../outside/lib.yaml"),
    ],
)
def test_an_uploaded_instance_cannot_reach_files_outside_its_folder(tmp_path, field, value):
    """The upload folder is the root: an absolute path or ``..`` in ``parcels.file`` or a
    ``valuation`` path is refused, naming the field (the file exists, so only the
    confinement can refuse it)."""
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copy(INST / "tiny_parcels.geojson", outside / "tiny_parcels.geojson")
    shutil.copy(ROOT / "models" / "xie2015.yaml", outside / "lib.yaml")

    def edit(d):
        if field == "parcels.file":
            d["parcels"]["file"] = str(outside / "tiny_parcels.geojson") if value == "ABSOLUTE" else value
        else:
            d["valuation"] = value

    up = tmp_path / "work" / "uploads" / "u1"
    path = tiny_geo_copy(up, edit)
    planner.load_instance(path)  # without a root the reference loads (the CLI's behaviour)
    with pytest.raises(InputError) as exc:
        planner.load_instance(path, root=up)
    assert [p.field for p in exc.value.problems] == [field]
    assert "outside the working folder" in str(exc.value)


def test_the_app_opens_an_upload_and_shows_the_loaders_errors(tmp_path):
    state = AppState(Workspace(tmp_path / "work"))
    good = tiny_geo_copy(tmp_path / "src")
    op = state.open_upload([(p.name, p.read_bytes()) for p in good.parent.iterdir()])
    assert op.root is not None and op.li.path.is_relative_to(op.root)
    broken = tiny_geo_copy(tmp_path / "bad", lambda d: d["periods"][0].update(budget_yuan=-5))
    with pytest.raises(InputError) as exc:
        state.open_upload([(p.name, p.read_bytes()) for p in broken.parent.iterdir()])
    assert "periods" in str(exc.value) and "budget_yuan" in str(exc.value)


# ---------------------------------------------------------------------------
# escaping
# ---------------------------------------------------------------------------


def test_every_value_shown_is_escaped(tmp_path):
    """A village and a project named with HTML, and a failed job's message, reach the page
    as text: no tag survives in the HTML the server sends."""

    def edit(d):
        d["villages"][1]["name"] = HOSTILE
        d["projects"][0]["name"] = HOSTILE

    path = tiny_geo_copy(tmp_path / "i", edit)
    state = AppState(Workspace(tmp_path / "work"))
    op = state.open(path)
    plan = planner.solve(op.li)
    sc = op.scenarios["base"]
    sc.job = jobs.Job("base", process=None, conn=None, state="done", plan=plan)
    html = str(plan_view(op, sc, "en"))
    assert "&lt;img src=x" in html and "&lt;script&gt;" in html
    assert "<script>" not in html and "<img" not in html
    failed = Scenario("x", job=jobs.Job("x", process=None, conn=None, state="failed", error=HOSTILE))
    html = str(status_line(failed, "en")) + str(table([HOSTILE], [[HOSTILE]]))
    assert "<script>" not in html and "<img" not in html and html.count("&lt;script&gt;") == 3


# ---------------------------------------------------------------------------
# scenarios
# ---------------------------------------------------------------------------


def test_settings_carry_the_schemas_units_ranges_and_descriptions():
    li = planner.load_instance(INST / "tiny_geo.yaml")
    by = {s.path: s for s in settings(li)}
    b = by["periods.2025.budget_yuan"]
    assert (b.unit, b.lo, b.value) == ("Yuan", 0, 2_500_000)
    assert "Money available" in b.description
    cov = by["policies.vegetation_coverage_min"]
    assert (cov.lo, cov.hi) == (0, 1)
    ratio = by["policies.garden_bridge_width_ratio"]  # tiny_geo: contiguous gardens on a map
    assert (ratio.lo, ratio.value) == (0, 0.5) and "strip" in ratio.description
    plain = {s.path for s in settings(planner.load_instance(INST / "tiny.yaml"))}  # no map: no bridges
    assert "policies.garden_bridge_width_ratio" not in plain
    assert check(cov, 1.5) == "must be at most 1"
    assert check(by["roles.fruit_farmers.max"], 2.5) == "must be a whole number"
    assert check(b, "abc") == "'abc' is not a number"
    with pytest.raises(InputError) as exc:
        overlay(li, {"periods.2025.budget_yuan": -1}, [], [])
    assert exc.value.problems[0].field == "periods.2025.budget_yuan"


def test_a_saved_scenario_is_what_the_cli_solves(tmp_path):
    """The app's overlay (budget of 2025 cut to 2.0 M, the orchard park forbidden) saved as
    YAML: ``planner solve --scenario`` reads it, and its plan is the API's for the same
    file. The park is built in the base plan (it pays), so forbidding it changes the plan."""
    li = planner.load_instance(INST / "tiny_geo.yaml")
    over = overlay(li, {"periods.2025.budget_yuan": 2_000_000}, [], ["project:orchard_park"])
    assert over == {"periods": {"2025": {"budget_yuan": 2000000}}, "decisions": {"forbid": ["project:orchard_park"]}}
    file = tmp_path / "no-park.yaml"
    file.write_text(to_yaml("no-park", "tiny_geo.yaml", over), encoding="utf-8")
    base = planner.solve(li)
    assert base.tables["projects"]["built"].max() == 1
    out = tmp_path / "out"
    r = subprocess.run(
        [sys.executable, "-m", "planner", "solve", str(INST / "tiny_geo.yaml"), "--scenario", str(file), "--out",
         str(out)],
        capture_output=True, text=True, timeout=300, env={**os.environ, "COLUMNS": "200"},
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    cli = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    api = planner.solve(planner.load_instance(INST / "tiny_geo.yaml", scenario=file))
    assert cli["status"] == api.status == "optimal"
    assert cli["objective"] == pytest.approx(api.objective, rel=1e-6)
    assert api.tables["projects"]["built"].max() == 0
    assert api.objective < base.objective
    fin = api.tables["finance"].set_index("period")
    assert fin.at["2025", "budget_yuan"] == 2_000_000


def test_an_infeasible_scenarios_smallest_relaxation_has_a_plan(tmp_path):
    """Forcing the orchard park (capex 300,000 Yuan) with no budget at all in either period
    leaves no plan; the diagnosis raises a budget by what is short, and the relaxed
    scenario the app makes from it solves."""
    li = planner.load_instance(INST / "tiny_geo.yaml")
    values = {"periods.2025.budget_yuan": 0, "periods.2035.budget_yuan": 0}
    over = overlay(li, values, ["project:orchard_park"], [])
    file = tmp_path / "broke.yaml"
    file.write_text(to_yaml("broke", "tiny_geo.yaml", over), encoding="utf-8")
    broke = planner.load_instance(INST / "tiny_geo.yaml", scenario=file)
    assert planner.solve(broke).status == "infeasible"
    dg = diagnose(broke, iis=False)
    fixed, left = relaxed(broke, dg, over)
    raised = [fixed["periods"][t]["budget_yuan"] for t in ("2025", "2035")]
    assert max(raised) >= 300_000
    file2 = tmp_path / "relaxed.yaml"
    file2.write_text(yaml.safe_dump(fixed), encoding="utf-8")
    plan = planner.solve(planner.load_instance(INST / "tiny_geo.yaml", scenario=file2))
    assert plan.has_solution, (plan.status, left)
    assert plan.tables["projects"]["built"].max() == 1


def test_a_per_project_minimum_is_set_per_project(tmp_path):
    """Nuanshui's complex builders have their minimum per complex (25 each, min 50): the app
    offers one setting per complex and none for the role's min, and the overlay of one
    changed complex (30) writes both complexes and the role's min, their sum 55, so the
    scenario loads (the schema wants min to be the sum) and a sweep is not offered on them."""
    li = planner.load_instance(INST / "nuanshui.yaml")
    by = {s.path: s for s in settings(li)}
    role = "roles.rural_complex_construction"
    assert f"{role}.min" not in by and f"{role}.max" in by
    apricot = by[f"{role}.min_per_project.shuiquangou_apricot_village"]
    assert (apricot.value, apricot.unit, apricot.integer, apricot.lo) == (25, "people", True, 0)
    assert check(apricot, 2.5) == "must be a whole number"
    over = overlay(li, {apricot.path: 30}, [], [])
    mins = {"desheng_youliang_rural_complex": 25, "shuiquangou_apricot_village": 30}
    assert over == {"roles": {"rural_complex_construction": {"min_per_project": mins, "min": 55}}}
    file = tmp_path / "more-builders.yaml"
    file.write_text(to_yaml("more-builders", "nuanshui.yaml", over), encoding="utf-8")
    r = {x.id: x for x in planner.load_instance(INST / "nuanshui.yaml", scenario=file).instance.roles}
    assert r["rural_complex_construction"].min == 55 and r["rural_complex_construction"].min_per_project == mins
    assert r["rural_complex_operators"].min == 50


def test_targets_are_shown_required_first_with_their_own_figure(tmp_path):
    """A required target on West's GEP and a reported township target: the app's table lists
    the required one first, marked required, with West's own GEP (the sum of the plan's gep
    table for west in 2025), not the township's."""
    from planner.report.formats import fmt_kpi

    def edit(d):
        d["targets"] = [
            {"kpi": "afforested_ha", "period": "2025", "min": 1, "label": "Some forest"},
            {"id": "gep_west", "kpi": "gep_yuan", "period": "2025", "village": "west", "min": 1, "required": True},
        ]

    state = AppState(Workspace(tmp_path / "work"))
    op = state.open(tiny_geo_copy(tmp_path / "i", edit))
    plan = planner.solve(op.li)
    sc = op.scenarios["base"]
    sc.job = jobs.Job("base", process=None, conn=None, state="done", plan=plan)
    from planner.app.ui import target_rows

    rows = target_rows(op, plan, "en")
    gep = plan.tables["gep"]
    west = gep[(gep["village"] == "west") & (gep["period"].astype(str) == "2025")]["gep_yuan"].sum()
    township = float(plan.kpis.set_index(plan.kpis["period"].astype(str)).at["2025", "gep_yuan"])
    assert rows[0][0] == "GEP [West]" and rows[0][5] == "required" and rows[0][4] == "yes"
    assert rows[0][2] == fmt_kpi("gep_yuan", west) != fmt_kpi("gep_yuan", township)
    assert rows[1][0] == "Some forest" and rows[1][5] == "reported"
    assert 'id="target-table"' in str(plan_view(op, sc, "en"))


def test_the_planner_chooses_the_rules_a_repair_may_relax(tmp_path):
    """The broke scenario above (no budget, the orchard park forced): by default the
    diagnosis raises money. Unticking money in the app (``repair_again`` with keep
    ``[money]``) saves ``repair: {keep: [money]}`` in the scenario's file and solves it again:
    budgets and the loan cap may not give, so the new diagnosis relaxes no money rule, says
    so in its cost line, and the page shows money unticked."""
    state = AppState(Workspace(tmp_path / "work"))
    op = state.open(INST / "tiny_geo.yaml")
    sc = op.scenarios["base"]
    sc.values.update({"periods.2025.budget_yuan": 0, "periods.2035.budget_yuan": 0})
    sc.force.append("project:orchard_park")
    job = state.solve(op, sc)
    assert job.wait(600) and job.state == "done", job.error
    assert "budget" in set(sc.diagnosis.relaxations["constraint"])
    job = state.repair_again(op, sc, ["money"])
    assert job.wait(600) and job.state == "done", job.error
    assert yaml.safe_load(sc.file.read_text(encoding="utf-8"))["repair"] == {"keep": ["money"]}
    dg = sc.diagnosis
    assert dg.status == "infeasible" and not dg.relaxations.empty
    assert not {"budget", "loan_cap"} & set(dg.relaxations["constraint"])
    assert any(line.startswith("repair cost:") and "may not give: budget" in line for line in dg.summary_lines())
    html = str(plan_view(op, sc, "en"))
    assert 'name="may_give" value="money"' in html and 'name="may_give" value="money" checked' not in html
    assert 'name="may_give" value="gardens" checked' in html


CANCEL = r"""
import os, signal, sys, time
os.environ["PLANNER_STOP_AT"] = "solver-solution"
from planner.app import jobs

def stopped(pid):
    with open(f"/proc/{pid}/stat") as fh:
        return fh.read().rsplit(")", 1)[1].split()[0] == "T"

job = jobs.start("base", sys.argv[1], None, None, None)
end = time.monotonic() + 600
while not (job.process.pid and stopped(job.process.pid)):  # a state: the child stopped at its first plan
    assert time.monotonic() < end and job.process.is_alive(), "the solve ended before its first plan"
    time.sleep(0.05)
job.cancel()
os.kill(job.process.pid, signal.SIGCONT)
assert job.wait(600)
print(job.state, job.cancelled, job.plan.status, job.plan.termination, job.plan.has_solution)
"""


def test_cancel_keeps_the_best_plan_found():
    """A cancel while HiGHS holds its first plan (the child stopped there by
    ``PLANNER_STOP_AT=solver-solution``) ends the job with that plan, ``feasible`` and
    ``interrupted``: not lost, and not called optimal."""
    r = subprocess.run([sys.executable, "-c", CANCEL, str(INST / "tiny_geo.yaml")], capture_output=True, text=True,
                       timeout=900)  # fmt: skip
    assert r.returncode == 0, r.stderr[-3000:]
    assert r.stdout.split() == ["done", "True", "feasible", "interrupted", "True"]


def test_a_sweep_started_from_the_app_is_planner_sweep(tmp_path):
    """Two carbon prices (20 and 100 Yuan/t, one at a time) of the tiny instance: the
    app's sweep runs ``planner sweep`` on the scenario's overlay and reads its results."""
    from planner.app import sweeps

    with pytest.raises(InputError) as exc:
        sweeps.start(INST / "tiny.yaml", tmp_path / "s.yaml", tmp_path / "o", "prices.gep_scale", 2, 1,
                     scheduler="http://evil")  # fmt: skip
    assert {p.field for p in exc.value.problems} == {"low", "scheduler"}
    state = AppState(Workspace(tmp_path / "work"))
    op = state.open(INST / "tiny.yaml")
    sw = state.start_sweep(op, op.scenarios["base"], param="prices.forestry_carbon_yuan_per_t", low=20, high=100,
                           design="oat", levels=2, workers=1)  # fmt: skip
    sw.proc.wait(600)
    assert sw.state == "done", sw.log()
    res = sw.results()
    assert sorted(res["prices.forestry_carbon_yuan_per_t"]) == [20.0, 58.0, 100.0]  # the base's 58 and the two ends
    assert set(res["status"]) == {"optimal"}
    assert sw.total() == 3 and sw.plots()


def test_serve_warns_when_it_listens_beyond_127_0_0_1(tmp_path):
    """``--host`` other than 127.0.0.1 prints a warning before serving (here 127.0.0.2, a
    loopback address, so nothing leaves the machine); a bad instance named on the command
    line is bad input: exit 2 with the loader's message, no traceback."""
    import signal
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.2", 0))
        port = s.getsockname()[1]
    p = subprocess.Popen(
        [sys.executable, "-m", "planner", "serve", str(INST / "tiny_geo.yaml"), "--host", "127.0.0.2", "--port",
         str(port), "--no-browser", "--folder", str(tmp_path / "w")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        env={**os.environ, "COLUMNS": "200"},
    )  # fmt: skip
    try:
        line = p.stderr.readline()  # a state: the first line the command writes to stderr
        assert "warning: listening on 127.0.0.2" in line and "anyone who can reach" in line
        assert "127.0.0.2" in p.stdout.readline()  # then it says where it serves
    finally:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
    bad = tiny_geo_copy(tmp_path / "bad", lambda d: d["periods"][0].update(budget_yuan="lots"))
    r = subprocess.run([sys.executable, "-m", "planner", "serve", str(bad), "--no-browser"], capture_output=True,
                       text=True, timeout=300, env={**os.environ, "COLUMNS": "200"})  # fmt: skip
    assert r.returncode == 2 and "budget_yuan" in r.stderr and "Traceback" not in r.stderr


def test_a_scenarios_bad_decision_names_the_scenario_file_and_field(tmp_path):
    """An unknown project and a size on a forbidden garden in a scenario's ``decisions``:
    both are reported at load, against the scenario file and ``decisions.forbid``."""
    file = tmp_path / "bad.yaml"
    file.write_text("decisions:\n  forbid: [project:nope, 'garden:west>=3']\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        planner.load_instance(INST / "tiny_geo.yaml", scenario=file)
    probs = exc.value.problems
    assert {(p.file, p.field) for p in probs} == {(str(file), "decisions.forbid")}
    assert any("unknown project 'nope'" in p.message for p in probs)
    assert any("takes no size" in p.message for p in probs)
