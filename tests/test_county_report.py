"""The county report (planner.report.county): report.md and report.html for a county
plan, from `planner solve COUNTY --report` and `planner report COUNTY_PLAN_DIR`."""

from __future__ import annotations

import pytest
from test_county_targets import SPEND_CAP, county
from typer.testing import CliRunner

from planner.cli import app
from planner.county import load_county, solve_county
from planner.report.county import county_kpis


def test_county_figures_sum_the_townships_and_weigh_coverage_by_area(tmp_path):
    """The capped county of test_county_targets: North plants 2 ha of its 10, South none of
    its 10. County GEP 16,000 + 10,000 = 26,000 Yuan/yr, spending 2,000 Yuan, afforested
    2 ha, forest coverage 2 / 20 ha = 10% (North's 20% and South's 0% weighed by area).
    Without the areas, coverage is left out rather than averaged."""
    lc = load_county(county(tmp_path, [SPEND_CAP]))
    cp = solve_county(lc)
    areas = {tid: float(li.parcels["area_ha"].sum()) for tid, li in lc.townships}
    k = county_kpis(cp, areas).set_index("period")
    assert k.at["2025", "gep_yuan"] == pytest.approx(26_000)
    assert k.at["2025", "budget_used_yuan"] == pytest.approx(2_000)
    assert k.at["2025", "afforested_ha"] == pytest.approx(2.0)
    assert k.at["2025", "forest_coverage"] == pytest.approx(0.10)
    assert "forest_coverage" not in county_kpis(cp, None).columns


def test_solve_report_and_report_command_write_the_county_report(tmp_path):
    """`planner solve COUNTY --report` writes report.md and report.html in the county folder,
    with the status, the county figures, the county target (required, met) and a line per
    township; `planner report DIR --lang zh` writes it again in Chinese."""
    path = county(tmp_path, [SPEND_CAP])
    out = tmp_path / "out"
    r = CliRunner().invoke(app, ["solve", str(path), "--out", str(out), "--report"])
    assert r.exit_code == 0, r.output
    assert f"wrote {out / 'report.md'} and {out / 'report.html'}" in r.output.replace("\n", "")
    md = (out / "report.md").read_text(encoding="utf-8")
    assert md.startswith("# County plan report: tc")
    assert "| Plan status | optimal (proved optimal) |" in md
    assert "| Solver | highs, " in md and " s in all |" in md and "build" not in md
    assert "| GEP (Yuan/yr) | 26,000 |" in md
    assert "| Budget used of budget (Yuan) | 2,000 of 4,000 (50%) |" in md
    assert "| Forest coverage | 10.0% |" in md
    assert "| Budget used (Yuan) | 2025 | 2,000 | ≤ 2,000 | yes |" in md
    assert "| north | test" in md and "| townships/south/ |" in md
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<table" in html and "townships/north/" in html
    zh = tmp_path / "zh"
    r = CliRunner().invoke(app, ["report", str(out), "--out", str(zh), "--lang", "zh"])
    assert r.exit_code == 0, r.output
    assert (zh / "report.md").read_text(encoding="utf-8").startswith("# 县级规划方案报告：tc")


def test_explain_is_still_refused_for_a_county(tmp_path):
    r = CliRunner().invoke(app, ["solve", str(county(tmp_path, [])), "--out", str(tmp_path / "o"), "--explain"])
    assert r.exit_code == 2
    assert "county plans are not explained yet" in r.output


def test_report_that_cannot_be_written_exits_2_with_the_reason(tmp_path):
    """`planner report` with --out naming a file (not a folder), for a county plan folder
    and for one of its township plans: exit 2, naming --out, no traceback."""
    path = county(tmp_path, [])
    out = tmp_path / "out"
    assert CliRunner().invoke(app, ["solve", str(path), "--out", str(out)]).exit_code == 0
    blocker = tmp_path / "a_file"
    blocker.write_text("x", encoding="utf-8")
    for plan_dir in (out, out / "townships" / "north"):
        r = CliRunner().invoke(app, ["report", str(plan_dir), "--out", str(blocker)])
        assert r.exit_code == 2, r.output
        assert "--out" in r.output and "cannot write the report" in r.output
        assert "Traceback" not in r.output
