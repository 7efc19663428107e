"""CSV injection (OWASP): text cells that a spreadsheet would run as a formula are written
with a leading quote in every CSV the planner writes for people, and read back unchanged."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys

import pandas as pd
import pytest
from helpers import USES, P

import planner
from planner.verify import verify_plan

# planner.core.cells is imported inside the tests, so that this file runs (and fails where it
# should) on a planner without it


def cells():
    import planner.core.cells as c

    return c


HOSTILE = ["=1+1", "@SUM(A1)", '=HYPERLINK("http://x","y")', "+1", "-1+1", "\tA1"]
# the parcel table strips spaces and tabs around ids, so the tab-led id is a use (a library key)
PARCELS = HOSTILE[:-1]
TAB_USE = "\tforest"


def run(*args: str):
    return subprocess.run([sys.executable, "-m", "planner", *args], capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("cell", HOSTILE + ["\rA1", "-", "'=x", "'"])
def test_formula_like_text_gets_a_quote_and_comes_back(cell):
    c = cells()
    assert c.neutralise(cell) == "'" + cell
    assert c.restore(c.neutralise(cell)) == cell


@pytest.mark.parametrize("cell", ["A1", "", "2025", "a=b", "x-1", "'abc", "(township)"])
def test_other_text_round_trips(cell):
    c = cells()
    assert c.restore(c.neutralise(cell)) == cell
    if not cell.startswith("'"):
        assert c.neutralise(cell) == cell


def test_numbers_stay_numbers():
    """A negative number is a number, not a formula: it is written as it is."""
    df = pd.DataFrame({"id": ["-1+1", "A"], "loan_yuan": [-1.5, 2.0], "count": [-3, 4], "built": [True, False]})
    text = cells().csv_text(df)
    assert text.splitlines() == ["id,loan_yuan,count,built", "'-1+1,-1.5,-3,True", "A,2.0,4,False"]
    assert cells().neutralise(-1.5) == -1.5 and cells().neutralise(None) is None


def test_csv_round_trip_of_hostile_cells_and_names():
    """Every hostile cell (a carriage return too, which forces quoting) and a hostile column
    name are neutralised in the file and restored exactly when read back."""
    values = HOSTILE + ["\rA1", "'=x", "plain"]
    df = pd.DataFrame({"id": values, "=name": range(len(values)), "area_ha": [-1.0] * len(values)})
    c = cells()
    text = c.csv_text(df)
    raw = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    assert list(raw.columns) == ["id", "'=name", "area_ha"]
    assert all(v.startswith("'") for v in raw["id"][:-1]) and raw["id"].iloc[-1] == "plain"
    back = c.restore_frame(raw)
    assert back["id"].tolist() == values and list(back.columns) == ["id", "=name", "area_ha"]
    assert c.neutralise_frame(df.iloc[:, 1:]).equals(
        pd.DataFrame({"'=name": range(len(values)), "area_ha": [-1.0] * len(values)})
    )


@pytest.fixture(scope="module")
def hostile_plan(tmp_path_factory):
    """A solved plan whose parcel ids and one village id would be formulas in a spreadsheet,
    written by Plan.write."""
    from helpers import write_instance

    root = tmp_path_factory.mktemp("hostile")
    parcels = [
        P(pid, "grassland", 2.0 + i, village="=cmd|' /C calc'!A0" if i % 2 else "a") for i, pid in enumerate(PARCELS)
    ]
    path = write_instance(root, parcels, uses={TAB_USE: USES["ecological_forest"]})
    li = planner.load_instance(path)
    plan = planner.solve(li, threads=1)
    assert plan.status == "optimal" and plan.verification["passed"]
    out = plan.write(root / "plan")
    return li, path, out


def test_plan_tables_are_written_neutralised(hostile_plan):
    li, _, out = hostile_plan
    for name in ("allocations", "carbon_applications", "gep", "dividends"):
        raw = pd.read_csv(out / f"{name}.csv", dtype=str, keep_default_na=False)
        for col in raw.columns:
            cells = raw[col].tolist()
            assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")], (name, col)
    alloc = pd.read_csv(out / "allocations.csv", dtype=str, keep_default_na=False)
    assert sorted(alloc["parcel"].unique()) == sorted("'" + p for p in PARCELS)
    assert set(alloc["use"]) == {"'" + TAB_USE}
    assert "'=cmd|' /C calc'!A0" in set(alloc["village"])


def test_hostile_ids_verify_and_read_back_exactly(hostile_plan):
    """solve -> write -> verify: the CSV tables equal plan.json once the quotes are removed,
    the verifier passes (CLI and API), and the ids read back are the original ones."""
    li, path, out = hostile_plan
    res = verify_plan(planner.Plan.from_json(out / "plan.json"), li, tables_dir=out)
    assert res["passed"], res["violations"]
    assert "csv_tables" in res["checks"]
    r = run("verify", str(out), str(path))
    assert r.returncode == 0 and "no violations" in r.stdout, r.stdout + r.stderr
    from planner.verify.tables import read_csv_table

    alloc, why = read_csv_table(out / "allocations.csv")
    assert why is None and sorted(alloc["parcel"].unique()) == sorted(PARCELS) and set(alloc["use"]) == {TAB_USE}
    assert json.loads((out / "plan.json").read_text())["allocations"][0]["parcel"] in PARCELS


def test_instance_loader_reads_a_neutralised_parcel_table_back(tmp_path):
    """A parcel table with the planner's quotes (as `planner generate` writes it) loads with the
    original ids."""
    import yaml
    from helpers import write_instance

    path = write_instance(tmp_path, [P(pid, "grassland", 1.0) for pid in PARCELS], uses=["ecological_forest"])
    table = tmp_path / yaml.safe_load(path.read_text())["parcels"]["file"]
    raw = pd.read_csv(table, dtype=str, keep_default_na=False)
    table.write_text(cells().csv_text(raw), encoding="utf-8")
    assert "'=1+1" in table.read_text()
    assert sorted(planner.load_instance(path).parcels["id"]) == sorted(PARCELS)


def test_compare_tables_are_neutralised(tmp_path, hostile_plan):
    """Another CSV the planner writes for people: `planner compare` names its columns and rows
    after the plan directories."""
    _, _, out = hostile_plan
    for name in ("=a", "@b"):
        shutil.copytree(out, tmp_path / name)
    r = run("compare", str(tmp_path / "=a"), str(tmp_path / "@b"), "--out", str(tmp_path / "cmp"))
    assert r.returncode == 0, r.stdout + r.stderr
    summary = (tmp_path / "cmp" / "compare_summary.csv").read_text().splitlines()
    assert [line.split(",")[0] for line in summary[1:]] == ["'=a", "'@b"]
    header = (tmp_path / "cmp" / "compare_kpis.csv").read_text().splitlines()[0].split(",")
    assert "'=a" in header and "'@b" in header
