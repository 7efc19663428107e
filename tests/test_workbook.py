"""plan.xlsx (planner.report.workbook): the plan as an Excel workbook, read back with
openpyxl and checked against the plan's own tables."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import openpyxl
import pytest

import planner
from planner.core.paths import bundled_dir
from planner.report.workbook import sheet_title, write_workbook

SHEETS_EN = ["Summary", "Key figures", "East", "West", "Recruitment", "Projects", "Finance"]


@pytest.fixture(scope="module")
def li():
    return planner.load_instance(bundled_dir("instances") / "tiny.yaml")


@pytest.fixture(scope="module")
def plan(li):
    p = planner.solve(li)
    assert p.status == "optimal" and p.verification["passed"]
    return p


@pytest.fixture(scope="module")
def book(plan, li, tmp_path_factory):
    return openpyxl.load_workbook(write_workbook(plan, li, tmp_path_factory.mktemp("xlsx") / "plan.xlsx"))


def _rows(ws, first: int = 1) -> list[tuple]:
    return [r for r in ws.iter_rows(min_row=first, values_only=True)]


def _find(ws, text: str) -> int:
    """The row whose first cell is ``text``."""
    for i, r in enumerate(ws.iter_rows(values_only=True), start=1):
        if r[0] == text:
            return i
    raise AssertionError(f"{text!r} not in column A of {ws.title}")


def test_sheets_and_the_status_on_each(book):
    assert book.sheetnames == SHEETS_EN
    for ws in book.worksheets:
        a1 = ws["A1"].value
        assert a1.startswith("Plan status: optimal (proved optimal)"), (ws.title, a1)
        assert "proved optimal, no better plan exists" in a1 and "passed" in a1
        assert ws.freeze_panes in ("A3", "A4"), ws.title  # the header rows stay in view


def test_summary_says_status_gap_check_and_objective(book, plan, li):
    ws = book["Summary"]
    rows = {r[0]: r[1] for r in _rows(ws, 3)}
    assert rows["Plan status"] == "optimal (proved optimal)" and rows["Status code"] == "optimal"
    assert rows["How the solver ended"] == plan.termination
    assert rows["Optimality gap"] == "0: proved optimal, no better plan exists"
    assert rows["Checked independently"] == f"passed ({len(plan.verification['checks'])} rule checks)"
    assert rows["Objective (Yuan/yr)"] == round(plan.objective)  # a whole number of Yuan, as a number
    assert rows["Township"] == li.instance.township.name and rows["Instance"] == plan.instance_name


def test_key_figures_equal_the_plans_kpis(book, plan):
    """Each KPI's value per period is plan.kpis's, rounded as it is meant: GEP to the Yuan,
    hectares to 0.01 ha, shares kept as fractions shown as percentages."""
    ws = book["Key figures"]
    head = _rows(ws)[1]
    assert head[:4] == ("Key figure", "Unit", "2025", "2035")
    k = plan.kpis.astype({"period": str}).set_index("period")
    gep = _rows(ws)[_find(ws, "GEP") - 1]
    assert (
        gep[1] == "Yuan/yr" and gep[2] == round(k.at["2025", "gep_yuan"]) and gep[3] == round(k.at["2035", "gep_yuan"])
    )
    r = _find(ws, "Afforested")
    assert ws.cell(r, 3).value == round(k.at["2025", "afforested_ha"], 2) and ws.cell(r, 3).number_format == "#,##0.00"
    r = _find(ws, "Vegetation coverage")
    cell = ws.cell(r, 4)
    assert cell.value == pytest.approx(k.at["2035", "vegetation_coverage"], abs=5e-5) and cell.value < 1
    assert cell.number_format == "0.0%" and isinstance(cell.value, float)


def test_a_villages_hectares_and_costs_add_up(book, plan, li):
    """East's sheet lists each (parcel, new use); the column "In the use by the end of 2025
    (ha)" adds up to East's 2025 allocations, and the establishment costs of East and West
    together are the plan's establishment spending (finance.establishment_yuan) per period:
    cost = hectares added in the period x the use's establishment_cost_yuan_per_ha."""
    alloc = plan.allocations.astype({"period": str})
    fin = plan.finance.astype({"period": str}).set_index("period")["establishment_yuan"]
    cost = {"2025": 0.0, "2035": 0.0}
    for village in ("East", "West"):
        ws = book[village]
        head = _rows(ws)[2]
        assert head[:4] == ("Parcel", "Current cover", "Parcel area (ha)", "New use")
        c25 = head.index("In the use by the end of 2025 (ha)")
        k25, k35 = head.index("Establishment cost 2025 (Yuan)"), head.index("Establishment cost 2035 (Yuan)")
        total = _find(ws, "Total")
        rows = _rows(ws)[3 : total - 1]
        vid = village.lower()
        want = alloc[(alloc["village"] == vid) & (alloc["period"] == "2025")]["area_ha"].sum()
        assert sum(r[c25] for r in rows) == pytest.approx(want, abs=0.005 * len(rows))
        assert ws.cell(total, c25 + 1).value == round(want, 2)
        assert {r[0] for r in rows} == set(alloc.loc[alloc["village"] == vid, "parcel"])
        cost["2025"] += ws.cell(total, k25 + 1).value
        cost["2035"] += ws.cell(total, k35 + 1).value
    for t in ("2025", "2035"):
        assert cost[t] == pytest.approx(fin[t], abs=2)
    # one row by hand: E1 is 10 ha of ecological forest from 2025 on
    ws = book["East"]
    e1 = _rows(ws)[_find(ws, "E1") - 1]
    per_ha = li.library.uses["ecological_forest"].establishment_cost_yuan_per_ha
    assert e1[3] == "Ecological forest" and e1[4] == 10.0 and e1[6] == round(10 * per_ha) and e1[7] == 0


def test_recruits_dividends_projects_and_finance(book, plan):
    rec = plan.recruitment.astype({"period": str})
    ws = book["Recruitment"]
    total = _rows(ws)[_find(ws, "Total") - 1]
    assert total[2] == rec.loc[rec["period"] == "2025", "count"].sum()
    assert total[3] == rec.loc[rec["period"] == "2035", "count"].sum()
    ws = book["West"]
    r = _find(ws, "Villagers")
    div = plan.dividends.astype({"period": str})
    want = div[(div["village"] == "west") & (div["recipient"] == "villagers") & (div["period"] == "2025")]
    assert ws.cell(r, 2).value == round(want["yuan_per_yr"].sum())
    ws = book["Projects"]
    row = _rows(ws)[2]
    assert row == ("West orchard park", "West", "2025", 300000, 120000)
    ws = book["Finance"]
    head = _rows(ws)[1]
    r25 = _rows(ws)[_find(ws, "2025") - 1]
    fin = plan.finance.astype({"period": str}).set_index("period")
    assert r25[head.index("Budget (Yuan)")] == round(fin.at["2025", "budget_yuan"])
    assert r25[head.index("Spent (Yuan)")] == round(fin.at["2025", "budget_used_yuan"])
    share = r25[head.index("Share of budget and loan spent")]
    assert share == pytest.approx(fin.at["2025", "budget_used_yuan"] / fin.at["2025", "budget_yuan"], abs=5e-5)


def test_chinese_workbook_names_sheets_in_chinese(plan, li, tmp_path):
    """With lang="zh" the sheets, headers and labels are Chinese, villages by name_zh;
    a village name with characters Excel refuses in sheet names ([ ] / ...) gets them
    replaced."""
    zh = li.replace(**{"villages.east.name_zh": "东村", "villages.west.name_zh": "西村[试点]/二组"})
    wb = openpyxl.load_workbook(write_workbook(plan, zh, tmp_path / "plan.xlsx", lang="zh"))
    assert wb.sheetnames == ["概要", "主要指标", "东村", "西村_试点__二组", "招聘", "项目", "资金"]
    for ws in wb.worksheets:
        assert ws["A1"].value.startswith("方案状态：最优（已证明）"), ws.title
    ws = wb["东村"]
    assert ws["A2"].value == "东村：需变更的地块" and ws["A3"].value == "地块" and ws["C3"].value == "地块面积（公顷）"
    assert _rows(ws)[_find(ws, "E1") - 1][3] == "生态林"


def test_sheet_names_follow_excels_rules():
    """31 characters at most, no [ ] : * ? / \\, no apostrophe at either end, unique
    without regard to case, "History" reserved."""
    taken: set[str] = set()
    assert sheet_title("a" * 40, taken) == "a" * 31
    assert sheet_title("A" * 40, taken) == "A" * 27 + " (2)"
    assert sheet_title("x:y*z?", taken) == "x_y_z_"
    assert sheet_title("'quoted'", taken) == "quoted"
    assert sheet_title("History", taken) == "History (1)"
    assert sheet_title("", taken) == "Sheet"
    assert all(len(t) <= 31 for t in taken)


def test_a_plan_not_proved_optimal_says_so_on_every_sheet(plan, li, tmp_path):
    bad = dataclasses.replace(
        plan, status="feasible", termination="maxTimeLimit", mip_gap=0.05, objective_bound=plan.objective * 1.05
    )
    wb = openpyxl.load_workbook(write_workbook(bad, li, tmp_path / "plan.xlsx"))
    for ws in wb.worksheets:
        a1 = ws["A1"]
        assert "NOT proved optimal" in a1.value and "at most 5.00%" in a1.value, ws.title
        assert a1.fill.fgColor.rgb.endswith("F8CBAD")  # red, where an optimal plan's is green
    none = dataclasses.replace(plan, status="infeasible", termination="provenInfeasible", mip_gap=None, tables={})
    wb = openpyxl.load_workbook(write_workbook(none, li, tmp_path / "none.xlsx"))
    assert wb.sheetnames == ["Summary"] and "infeasible" in wb["Summary"]["A1"].value


def test_planner_solve_writes_plan_xlsx(tmp_path):
    out = tmp_path / "out"
    tiny = str(bundled_dir("instances") / "tiny.yaml")
    r = subprocess.run(
        [sys.executable, "-m", "planner", "solve", tiny, "--out", str(out)], capture_output=True, text=True, timeout=300
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"wrote {out / 'plan.json'}, plan.xlsx and 13 CSV tables" in r.stdout
    assert openpyxl.load_workbook(out / "plan.xlsx").sheetnames == SHEETS_EN
    # an infeasible plan in the same folder replaces the workbook: its summary says so
    r = subprocess.run(
        [sys.executable, "-m", "planner", "solve", tiny, "--out", str(out), "--force", "--no-diagnose"]
        + ["--set", "periods.2025.budget_yuan=1000"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 1, r.stdout + r.stderr
    wb = openpyxl.load_workbook(out / "plan.xlsx")
    assert wb.sheetnames == ["Summary"] and "infeasible" in wb["Summary"]["A1"].value
