"""End to end in a real browser: ``planner serve`` driven by Playwright in Debian's
Chromium with every request not to 127.0.0.1 blocked (the app must work offline).

The flow of the issue, on the tiny instance with geometry (it solves in about a second):
open -> edit the budget -> forbid a project by clicking its village on the map -> solve
-> compare with the base -> download the workbook. What the page shows is checked against
``planner.solve`` of the same scenario, loaded from the YAML the app saved; a smoke check
opens Nuanshui in Chinese.

Every wait is for a state (a selector, an attribute the page sets), never a fixed time.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
import yaml

import planner
from planner.core.labels import term
from planner.core.status import label as status_label
from planner.report.formats import fmt_kpi
from tests.apphelpers import CHROMIUM_ARGS, chromium_or_fail_in_ci, offline_page, serve

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "instances" / "tiny_geo.yaml"
LONG = 120_000  # ms: an upper bound on a state's arrival on a loaded 2-core machine, not a pause


@pytest.fixture(scope="module")
def browser():
    chromium = chromium_or_fail_in_ci()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    s = serve([str(TINY)], tmp_path_factory.mktemp("serve"))
    yield s
    s.stop()


def _solved(page) -> None:
    page.wait_for_selector('#status[data-state="done"], #status[data-state="failed"]', timeout=LONG)


def test_open_edit_forbid_solve_compare_download(browser, app, tmp_path):
    blocked: list[str] = []
    page = offline_page(browser, blocked, viewport={"width": 1400, "height": 950}, accept_downloads=True)
    page.goto(app.url)
    page.wait_for_selector('#planner-map[data-ready="1"]', timeout=LONG)
    assert page.locator("#instance").input_value() == "tiny_geo"

    # the base plan first, for the comparison
    page.click("#solve")
    _solved(page)
    assert page.get_attribute("#status", "data-status") == "optimal", page.inner_text("#status")

    # a new scenario: budget of the first period cut, the west orchard park forbidden on the map
    page.fill("#new_name", "no-park")
    page.click("#new_scenario")
    page.wait_for_function("document.querySelector('#scenario').value === 'no-park'", timeout=LONG)
    page.wait_for_selector("#status:has-text('Not solved yet')", timeout=LONG)
    page.fill("#set_0", "2000000")
    li = planner.load_instance(TINY)
    west = int((li.parcels["village"] == "west").to_numpy().nonzero()[0][0])
    page.wait_for_function(f"window.plannerMap.parcelPoint({west}) !== null", timeout=LONG)
    pt = page.evaluate(f"window.plannerMap.parcelPoint({west})")
    page.mouse.click(pt["x"], pt["y"])
    page.wait_for_selector(".maplibregl-popup", timeout=LONG)
    assert li.parcels["id"].iloc[west] in page.inner_text(".maplibregl-popup")
    forbid = page.locator('#selected-card button[data-action="forbid"][data-decision="project:orchard_park"]')
    forbid.click()
    page.wait_for_selector("#decision-list li:has-text('project:orchard_park')", timeout=LONG)

    page.click("#solve")
    page.wait_for_selector("#save-messages:has-text('no-park')", timeout=LONG)
    _solved(page)

    # the page's figures are planner.solve's for the scenario YAML the app saved
    saved = sorted((app.folder / "scenarios").glob("*no-park*.yaml"))
    assert len(saved) == 1
    over = yaml.safe_load(saved[0].read_text(encoding="utf-8"))
    assert over["decisions"] == {"forbid": ["project:orchard_park"]}
    assert over["periods"]["2025"]["budget_yuan"] == 2000000
    plan = planner.solve(planner.load_instance(TINY, scenario=saved[0]))
    assert page.get_attribute("#status", "data-status") == plan.status, page.inner_text("#status")
    assert plan.tables["projects"]["built"].max() == 0  # the forbidden project is not built
    page.click("a[data-value='Plan']")
    page.wait_for_selector("#kpi-table", timeout=LONG)
    k = plan.tables["kpis"]
    last = str(k["period"].iloc[-1])
    gep = fmt_kpi("gep_yuan", float(k["gep_yuan"].iloc[-1]))
    row = page.locator("#kpi-table tr", has_text="GEP").first.inner_text()
    assert gep in row, (gep, row, last)

    # compare with the base: the project built in the base, not in this scenario
    page.click("a[data-value='Compare']")
    page.check("input[name='compare'][value='no-park']")
    page.wait_for_selector("#compare-table", timeout=LONG)
    changes = page.inner_text("#changes-no-park")
    assert "orchard_park" in changes
    base = planner.solve(planner.load_instance(TINY))
    d = float(k["gep_yuan"].iloc[-1]) - float(base.tables["kpis"]["gep_yuan"].iloc[-1])
    cmp_row = page.locator("#compare-table tr", has_text="GEP").last.inner_text()
    assert (("+" if d > 0 else "") + fmt_kpi("gep_yuan", d)) in cmp_row or abs(d) < 1e-9

    # download the workbook: its summary sheet carries the plan's honest status
    page.click("a[data-value='Downloads']")
    with page.expect_download(timeout=LONG) as dl:
        page.click("#dl_workbook")
    assert dl.value.suggested_filename == "no-park-plan.xlsx"
    dl.value.save_as(tmp_path / "plan.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "plan.xlsx", read_only=True)
    cells = [str(c) for ws in wb.worksheets[:1] for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    assert any(status_label(plan.status, "en") in c for c in cells), cells[:20]
    assert len(wb.sheetnames) > 3  # summary, key figures, a sheet per village ...

    assert blocked == [], f"requests left the machine: {blocked}"


def test_nuanshui_opens_in_chinese(browser, app):
    """Nuanshui in Chinese: the page's words are the registry's, the map draws its
    villages, and its settings carry the schema's units."""
    blocked: list[str] = []
    page = offline_page(browser, blocked, viewport={"width": 1300, "height": 900})
    page.goto(app.url + "?lang=zh")
    page.wait_for_selector('#planner-map[data-ready="1"]', timeout=LONG)
    page.select_option("#instance", "nuanshui_geo")
    page.wait_for_selector("#loader-messages:has-text('nuanshui_geo')", timeout=LONG)
    page.wait_for_function(
        "document.querySelectorAll('.village-label').length >= 10 && "
        "document.querySelector('#planner-map').dataset.ready === '1'",
        timeout=LONG,
    )
    assert page.inner_text("#status") == term("word", "app_not_solved", "zh")
    assert "预算 2025 (Yuan)" in page.inner_text("#settings")
    assert blocked == []


def test_upload_shows_the_loaders_errors_and_hostile_names_stay_text(browser, app, tmp_path):
    """Uploading an instance whose parcel table is named outside its folder shows the
    loader's message naming ``parcels.file``; an instance whose village is named with HTML
    opens, and the name is shown as text on the map (no element is injected)."""
    import shutil

    import yaml

    data = yaml.safe_load(TINY.read_text(encoding="utf-8"))
    bad = tmp_path / "bad"
    bad.mkdir()
    escaped = dict(data, parcels={**data["parcels"], "file": "../../../etc/passwd"})
    (bad / "escape.yaml").write_text(yaml.safe_dump(escaped), encoding="utf-8")
    hostile = tmp_path / "hostile"
    hostile.mkdir()
    evil = dict(data, name="evil")
    evil["villages"] = [dict(v) for v in data["villages"]]
    evil["villages"][0]["name"] = '<img src=x onerror="window.pwned=1">East'
    (hostile / "evil.yaml").write_text(yaml.safe_dump(evil), encoding="utf-8")
    shutil.copy(ROOT / "instances" / "tiny_parcels.geojson", hostile / "tiny_parcels.geojson")

    blocked: list[str] = []
    page = offline_page(browser, blocked, viewport={"width": 1300, "height": 900})
    page.goto(app.url)
    page.wait_for_selector('#planner-map[data-ready="1"]', timeout=LONG)
    page.set_input_files("#upload", [str(bad / "escape.yaml")])
    page.wait_for_selector("#loader-messages.error", timeout=LONG)
    msg = page.inner_text("#loader-messages")
    assert "parcels.file" in msg and "outside the working folder" in msg

    page.set_input_files("#upload", [str(hostile / "evil.yaml"), str(hostile / "tiny_parcels.geojson")])
    page.wait_for_selector("#loader-messages.ok:has-text('evil')", timeout=LONG)
    page.wait_for_function(
        "[...document.querySelectorAll('.village-label')].some(e => e.textContent.includes('onerror'))", timeout=LONG
    )
    assert page.evaluate("window.pwned") is None
    assert page.locator(".village-label img").count() == 0
    assert blocked == []
