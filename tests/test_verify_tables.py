"""`planner verify` checks every table a planner can edit: the CSV tables beside plan.json
must equal it, every derived table is recomputed, malformed rows are reported (never a
traceback), and a plan made for another instance is refused (exit 2)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pandas as pd
import pytest
from helpers import P

import planner
from planner.core.paths import bundled_dir
from planner.plan.plan import Plan
from planner.verify import verify_plan

TINY = str(bundled_dir("instances") / "tiny.yaml")
NUANSHUI = str(bundled_dir("instances") / "nuanshui.yaml")


def run(*args: str):
    return subprocess.run([sys.executable, "-m", "planner", *args], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """The tiny plan written by Plan.write (plan.json and the thirteen CSV tables)."""
    li = planner.examples.tiny()
    plan = planner.solve(li, threads=1)
    assert plan.status == "optimal" and plan.verification["passed"]
    return plan.write(tmp_path_factory.mktemp("tiny") / "plan")


@pytest.fixture
def plan_dir(written, tmp_path):
    out = tmp_path / "plan"
    shutil.copytree(written, out)
    return out


def check(folder, tables_dir=True, li=None):
    plan = Plan.from_json(folder / "plan.json")
    return verify_plan(plan, li or planner.examples.tiny(), tables_dir=folder if tables_dir else None)


def rules(res, rule):
    return [v for v in res["violations"] if v["rule"] == rule]


def edit_json(folder, fn):
    data = json.loads((folder / "plan.json").read_text())
    fn(data)
    (folder / "plan.json").write_text(json.dumps(data, indent=1))


def edit_csv(folder, name, fn):
    df = pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)
    df = fn(df)
    (folder / f"{name}.csv").write_text(df.to_csv(index=False))


# --- the CSV tables against plan.json ------------------------------------------------


def test_unedited_tables_pass_and_are_compared(plan_dir):
    res = check(plan_dir)
    assert res["passed"], res["violations"]
    assert {"csv_tables", "table_rows", "derived_tables"} <= set(res["checks"])


def test_hand_edited_allocations_csv_is_reported(plan_dir):
    """A spreadsheet edit of one area: the file, the row as a spreadsheet numbers it, the
    row's keys, the column and both values are named; the CLI exits 1."""
    edit_csv(
        plan_dir,
        "allocations",
        lambda df: df.assign(area_ha=[("11.0" if i == 0 else v) for i, v in enumerate(df["area_ha"])]),
    )
    res = check(plan_dir)
    bad = rules(res, "csv_tables")
    assert [v["where"] for v in bad] == [
        "allocations.csv row 2 (parcel E1, use ecological_forest, period 2025), column area_ha"
    ]
    assert bad[0]["message"] == "11.0 in allocations.csv but 10.0 in plan.json"
    r = run("verify", str(plan_dir), TINY)
    assert r.returncode == 1 and "allocations.csv row 2" in r.stdout and "Traceback" not in r.stderr


def test_hand_edited_recruitment_csv_is_reported(plan_dir):
    edit_csv(
        plan_dir, "recruitment", lambda df: df.assign(count=[("7" if i == 0 else v) for i, v in enumerate(df["count"])])
    )
    bad = rules(check(plan_dir), "csv_tables")
    assert len(bad) == 1 and bad[0]["where"].startswith(
        "recruitment.csv row 2 (village east, role afforestation_workers"
    )
    assert bad[0]["where"].endswith("column count") and bad[0]["message"] == "7 in recruitment.csv but 1 in plan.json"


def test_added_removed_and_reordered_rows(plan_dir):
    """Rows are matched on their keys: a re-sorted table is the same table; a row added or
    removed in the CSV is reported."""
    edit_csv(plan_dir, "gep", lambda df: df.iloc[::-1])
    assert check(plan_dir)["passed"]
    extra = {"village": "east", "role": "afforestation_workers", "period": "2025", "count": "3"}
    n = len(pd.read_csv(plan_dir / "recruitment.csv")) + 2  # the new last row, counted as a spreadsheet does (header 1)
    edit_csv(plan_dir, "recruitment", lambda df: pd.concat([df, pd.DataFrame([extra])], ignore_index=True))
    edit_csv(plan_dir, "kpis", lambda df: df.iloc[1:])
    where = [(v["where"], v["message"]) for v in rules(check(plan_dir), "csv_tables")]
    assert (
        f"recruitment.csv row {n} (village east, role afforestation_workers, period 2025)",
        "row that plan.json does not have",
    ) in where
    assert ("kpis.csv (period 2025)", "row of plan.json (its kpis[0]) missing from kpis.csv") in where
    assert len(where) == 2


def test_missing_csv_table_and_column_are_reported(plan_dir):
    (plan_dir / "finance.csv").unlink()
    edit_csv(plan_dir, "gardens", lambda df: df.drop(columns=["vegetated_ha"]))
    where = [v["where"] for v in rules(check(plan_dir), "csv_tables")]
    assert where == ["gardens.csv, column vegetated_ha", "finance.csv"]


def test_unreadable_emptied_and_unexpected_csv_tables_are_reported(plan_dir):
    """A CSV that is not a table, an emptied one, and rows in a table plan.json has as []
    (tiny's street green policy is off): each reported, no traceback."""
    (plan_dir / "gep.csv").write_text('a,b\n"unterminated\n')
    (plan_dir / "kpis.csv").write_text("")
    (plan_dir / "street_green.csv").write_text("period,count,area_ha\n2025,1,0.5\n")
    res = check(plan_dir)
    got = {(v["where"], v["message"].split(":")[0]) for v in rules(res, "csv_tables")}
    assert ("gep.csv", "not a readable CSV table") in got
    assert ("street_green.csv row 2", "row that plan.json does not have") in got
    assert ("kpis.csv (row 1)", "row of plan.json (its kpis[0]) missing from kpis.csv") in got
    assert not rules(res, "verifier")
    r = run("verify", str(plan_dir), TINY)
    assert r.returncode == 1 and "Traceback" not in r.stdout + r.stderr


def test_plan_json_alone_is_checked_without_csv_tables(plan_dir):
    for f in plan_dir.glob("*.csv"):
        f.unlink()
    res = check(plan_dir)
    assert res["passed"] and "csv_tables" not in res["checks"]


# --- derived tables recomputed --------------------------------------------------------


def test_doubled_dividends_are_reported(plan_dir):
    """Every value of the dividends table doubled, in plan.json and dividends.csv alike: each
    row differs from the recomputation from the decisions and the instance."""

    def double(data):
        for r in data["dividends"]:
            r["yuan_per_yr"] *= 2

    edit_json(plan_dir, double)
    edit_csv(plan_dir, "dividends", lambda df: df.assign(yuan_per_yr=(df["yuan_per_yr"].astype(float) * 2).map(repr)))
    res = check(plan_dir)
    assert not rules(res, "csv_tables")
    bad = rules(res, "derived_tables")
    n = len(json.loads((plan_dir / "plan.json").read_text())["dividends"])
    assert n >= 4 and len(bad) == n
    assert all(v["where"].startswith("dividends: ") and v["where"].endswith("column yuan_per_yr") for v in bad)
    assert all(v["value"] == pytest.approx(2 * v["limit"]) for v in bad)
    r = run("verify", str(plan_dir), TINY)
    assert r.returncode == 1


@pytest.mark.parametrize(
    "table, column, change",
    [
        ("gep", "gep_yuan", lambda v: v * 1.5),
        ("gep", "category", lambda v: "provisioning" if v != "provisioning" else "cultural"),
        ("finance", "wages_yuan", lambda v: v + 1000),
        ("finance", "interest_yuan_per_yr", lambda v: v + 10),
        ("gardens", "area_ha", lambda v: v + 0.5),
        ("projects", "capex_yuan", lambda v: v + 1),
        ("projects", "name", lambda v: v + "!"),
        ("carbon_applications", "individual_ha", lambda v: v + 1),
        ("allocations", "village", lambda v: "west" if v == "east" else "east"),
        ("allocations", "kind", lambda v: "fruit"),
    ],
)
def test_derived_columns_are_recomputed(plan_dir, table, column, change):
    """A derived value changed consistently (plan.json and its CSV) is still caught."""
    edit_json(plan_dir, lambda data: data[table][0].update({column: change(data[table][0][column])}))
    rows = json.loads((plan_dir / "plan.json").read_text())[table]
    (plan_dir / f"{table}.csv").write_text(pd.DataFrame(rows).to_csv(index=False))
    res = check(plan_dir)
    assert not rules(res, "csv_tables")
    bad = rules(res, "derived_tables")
    assert bad and bad[0]["where"].startswith(f"{table}: ") and bad[0]["where"].endswith(f"column {column}")


@pytest.mark.parametrize("column", ["gardens_built", "projects_built", "recruited_people", "budget_yuan"])
def test_every_kpi_is_recomputed(plan_dir, column):
    step = 1000 if column == "budget_yuan" else 1  # money is compared to a relative 1e-6
    edit_json(plan_dir, lambda data: data["kpis"][1].update({column: data["kpis"][1][column] + step}))
    bad = rules(check(plan_dir, tables_dir=False), "kpis")
    assert [v["where"] for v in bad] == [f"{column}, 2035"]


# --- malformed rows: reported, never a traceback ----------------------------------------


def test_duplicate_rows_are_reported(plan_dir):
    edit_json(plan_dir, lambda data: data["allocations"].append(dict(data["allocations"][3])))
    res = check(plan_dir, tables_dir=False)
    bad = rules(res, "table_rows")
    assert len(bad) == 1 and bad[0]["where"].startswith("plan.json allocations[19] (parcel ")
    assert bad[0]["message"] == "duplicate row: plan.json allocations[3] has the same parcel, use, period"
    assert not res["passed"]


@pytest.mark.parametrize(
    "column, value, message",
    [
        ("parcel", "ZZ9", "column parcel: parcel not in the parcel table ('ZZ9')"),
        ("use", "moon_base", "column use: use not in the valuation library ('moon_base')"),
        ("period", "2099", "column period: period not in the instance ('2099')"),
        ("area_ha", "ten", "column area_ha: not a finite number ('ten')"),
        ("area_ha", None, "column area_ha: missing value"),
        ("parcel", "", "column parcel: missing"),
    ],
)
def test_malformed_allocation_rows_are_reported(plan_dir, column, value, message):
    edit_json(plan_dir, lambda data: data["allocations"][0].update({column: value}))
    res = check(plan_dir, tables_dir=False)
    bad = rules(res, "table_rows")
    assert [v["message"] for v in bad] == [message]
    assert bad[0]["where"].startswith("plan.json allocations[0]")
    assert not rules(res, "verifier")  # every check still ran on the other rows


def test_unknown_ids_in_other_tables_are_reported(plan_dir):
    def edit(data):
        data["recruitment"][0]["role"] = "astronaut"
        data["projects"][0]["project"] = "spaceport"
        data["dividends"][0]["recipient"] = "pirates"
        data["gardens"][0]["built"] = "maybe"

    edit_json(plan_dir, edit)
    msgs = [v["message"] for v in rules(check(plan_dir, tables_dir=False), "table_rows")]
    assert msgs == [
        "column built: not true or false ('maybe')",  # tables in plan.json order
        "column project: project not in the instance ('spaceport')",
        "column role: role not in the instance ('astronaut')",
        "column recipient: recipient not in the instance ('pirates')",
    ]


def test_malformed_rows_through_the_cli_exit_1_without_traceback(plan_dir):
    def edit(data):
        data["allocations"].append(dict(data["allocations"][0]))
        data["allocations"][1]["parcel"] = "ZZ9"
        data["allocations"][2]["area_ha"] = "NaN"

    edit_json(plan_dir, edit)
    for f in plan_dir.glob("*.csv"):
        f.unlink()
    r = run("verify", str(plan_dir), TINY)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "Traceback" not in r.stdout + r.stderr and "table_rows" in r.stdout


# --- a plan of another instance -----------------------------------------------------------


@pytest.fixture(scope="module")
def nuanshui_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("nuanshui")
    r = run("solve", NUANSHUI, "--out", str(out))
    assert r.returncode == 0, r.stdout + r.stderr
    return out


def test_nuanshui_plan_against_tiny_is_refused(nuanshui_dir):
    r = run("verify", str(nuanshui_dir), TINY)
    assert r.returncode == 2, r.stdout + r.stderr
    err = " ".join(r.stderr.split())
    assert "Traceback" not in r.stdout + r.stderr and "KeyError" not in err
    assert "the plan was made for instance 'nuanshui'" in err and "not for 'tiny'" in err
    res = verify_plan(Plan.from_json(nuanshui_dir / "plan.json"), planner.examples.tiny())
    assert not res["passed"] and [v["rule"] for v in res["violations"]] == ["instance"]


def test_plan_without_fingerprint_reports_ids_the_instance_lacks(nuanshui_dir, tmp_path):
    """An older plan (no fingerprint) renamed to the instance's name: its parcels and villages
    that tiny does not have are reported row by row (the first 50 per table, then a count)."""
    data = json.loads((nuanshui_dir / "plan.json").read_text())
    data["instance"]["name"] = "tiny"
    data["instance"].pop("fingerprint")
    (tmp_path / "plan.json").write_text(json.dumps(data))
    r = run("verify", str(tmp_path), TINY)
    assert r.returncode == 1 and "Traceback" not in r.stdout + r.stderr
    res = verify_plan(Plan.from_json(tmp_path / "plan.json"), planner.examples.tiny())
    rows = rules(res, "table_rows")
    assert any("parcel not in the parcel table" in v["message"] for v in rows)
    assert any("village not in the instance" in v["message"] for v in rows)
    assert any(v["where"] == "plan.json allocations" and "more of these" in v["message"] for v in rows)
    assert not rules(res, "verifier")


def test_other_land_under_the_same_name_is_refused(build_path, tmp_path):
    """Same instance name, one parcel's area changed: the fingerprint differs, exit 2."""
    uses = ["ecological_forest"]
    a = build_path([P("A1", "grassland", 10), P("A2", "grassland", 5)], uses=uses, name="same")
    b = build_path([P("A1", "grassland", 10), P("A2", "grassland", 6)], uses=uses, name="same")
    out = planner.solve(planner.load_instance(a), threads=1).write(tmp_path / "plan")
    assert json.loads((out / "plan.json").read_text())["instance"]["fingerprint"].startswith("sha256:")
    assert run("verify", str(out), str(a)).returncode == 0
    r = run("verify", str(out), str(b))
    assert r.returncode == 2 and "other land" in " ".join(r.stderr.split()) and "Traceback" not in r.stderr
    # rules may differ (--set): the fingerprint is of the land only
    r = run("verify", str(out), str(a), "--set", "periods.2025.budget_yuan=1")
    assert r.returncode in (0, 1) and "other land" not in r.stderr


# --- thresholds in messages come from the instance -----------------------------------------


def test_carbon_threshold_message_uses_the_instance_value(build):
    """With individual_carbon_min_ha 0.4, a villager's 0.5 ha forest left without an individual
    application is reported with 0.4 ha, not the paper's 0.67."""
    forest = {
        "ecological_forest": {
            "equivalents": {"eco": 1},
            "forestry_carbon": True,
            "from_covers": ["grassland", "scattered_farmland"],
        }
    }
    li = build(
        [P("I1", "grassland", 0.5, ownership="individual"), P("C1", "grassland", 2.0)],
        uses=forest,
        policies={"individual_carbon_min_ha": 0.4},
    )
    plan = planner.solve(li, threads=1)
    assert plan.verification["passed"]
    broken = Plan.from_json(plan.to_json())
    ca = broken.tables["carbon_applications"]
    ca["individual"] = False
    ca["collective_ha"], ca["individual_ha"] = ca["individual_ha"], 0.0
    bad = rules(verify_plan(broken, li), "carbon_application")
    assert [v["message"] for v in bad] == [
        "arbor forest of 0.4 ha or more on a villager's land not applied for individually"
    ]
    assert bad[0]["limit"] == 0.4
