"""The plan report (planner.report): report.md and a self-contained report.html with five
embedded charts, status first, targets, per-village tables, the explanation's findings,
and a headless-Chromium screenshot."""

from __future__ import annotations

import base64
import dataclasses
import io
import re
from html import escape as html_escape

import pandas as pd
import pytest
from apphelpers import chromium_or_fail_in_ci

from planner import examples
from planner.api import solve
from planner.explain.result import LP_NOTE, Explanation
from planner.report import FIGURES, find_chromium, fmt_money, fmt_pct, screenshot, write_report

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
TARGETS = [
    {"kpi": "gep_yuan", "period": "2025", "min": 1_000_000, "label": "GEP <above> 1 M & more", "source": "test"},
    {"kpi": "dividends_yuan", "period": "2035", "min": 1e9, "label": "Dividends above 1 bn", "source": "test"},
    {"kpi": "vegetation_coverage", "period": "2025", "max": 0.5, "label": "Vegetation at most 50%"},
    {"kpi": "forest_coverage", "period": "2035", "min": 0.5, "max": 0.7, "label": "Forest between 50 and 70%"},
]
EXPECTED_MET = {
    "GEP <above> 1 M & more": "yes",
    "Dividends above 1 bn": "no",
    "Vegetation at most 50%": "no",
    "Forest between 50 and 70%": "yes",
}


@pytest.fixture(scope="module")
def instance():
    return examples.tiny().replace(targets=TARGETS)


@pytest.fixture(scope="module")
def plan(instance):
    p = solve(instance)
    assert p.status == "optimal"
    return p


@pytest.fixture(scope="module")
def report(plan, instance, tmp_path_factory):
    """The plan written to a directory, and its report without an explanation."""
    out = tmp_path_factory.mktemp("report")
    plan.write(out)
    md, html = write_report(plan, out, instance=instance)
    return out, md.read_text(encoding="utf-8"), html.read_text(encoding="utf-8")


def _images(html: str) -> list[bytes]:
    return [base64.b64decode(b) for b in re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)]


def _md_row(md: str, first_cell: str) -> list[str]:
    for line in md.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells and cells[0] == first_cell:
            return cells
    raise AssertionError(f"no table row starting with {first_cell!r}")


def _fake_explanation(plan, n_rules: int = 20) -> Explanation:
    rules = pd.DataFrame(
        {
            "family": ["land_use"] * n_rules,
            "constraint": ["land_use_once"] * n_rules,
            "rule": ["each parcel's area used at most once"] * n_rules,
            "where": [f"parcel P{i}" for i in range(n_rules)],
            "unit": ["ha"] * n_rules,
            "binding": [True] * n_rules,
            # prices 1000, 2000, ... in shuffled order; row P3 has no price
            "shadow_price": [None if i == 3 else 1000.0 * ((i * 7) % n_rules + 1) for i in range(n_rules)],
            "price_unit": ["Yuan/yr per ha"] * n_rules,
            "loosen_by": [2.5] * n_rules,
            "tighten_by": [float("inf")] * n_rules,
        }
    )
    summary = pd.DataFrame(
        [
            {
                "family": "land_use",
                "constraint": "land_use_once",
                "rule": "each parcel's area used at most once",
                "rows": 25,
                "binding": 20,
                "priced": 19,
                "max_shadow_price": 20000.0,
                "max_where": "parcel P_TOP",
            },
            {
                "family": "budget",
                "constraint": "budget",
                "rule": "budget",
                "rows": 2,
                "binding": 0,
                "priced": 0,
                "max_shadow_price": 0.0,
                "max_where": "",
            },
        ]
    )
    options = pd.DataFrame(
        [
            {
                "village": "east",
                "use": "u_far",
                "status": "not taken",
                "needs_yuan_per_ha_yr": 900.0,
                "statement": "WHYNOT far",
            },
            {
                "village": "east",
                "use": "u_near",
                "status": "not taken",
                "needs_yuan_per_ha_yr": 10.0,
                "statement": "WHYNOT near",
            },
            {
                "village": "west",
                "use": "u_taken",
                "status": "taken",
                "needs_yuan_per_ha_yr": None,
                "statement": "TAKEN x",
            },
            {
                "village": "west",
                "use": "u_forb",
                "status": "forbidden",
                "needs_yuan_per_ha_yr": None,
                "statement": "FORBIDDEN y",
            },
        ]
    )
    importance = pd.DataFrame(
        {
            "kind": ["gardens"] * 12,
            "item": [f"item{i:02d}" for i in range(12)],
            "status": ["optimal"] * 12,
            "loss_yuan": [float(i * 1000) for i in range(12)],
            "statement": [f"IMPORTANCE {i:02d}" for i in range(12)],
        }
    )
    parameters = pd.DataFrame(
        {
            "parameter": ["prices.forestry_carbon_yuan_per_t"],
            "statement": ["RANGING carbon price holds from 40 to 80 Yuan/t"],
        }
    )
    return Explanation(
        instance_name=plan.instance_name,
        plan_status=plan.status,
        plan_termination=plan.termination,
        plan_mip_gap=plan.mip_gap,
        plan_objective=plan.objective,
        lp_status="optimal",
        lp_objective=plan.objective,
        notes=[LP_NOTE],
        tables={
            "rules": rules,
            "rule_summary": summary,
            "options": options,
            "importance": importance,
            "parameters": parameters,
        },
    )


# ---------------------------------------------------------------------------


def test_money_and_percent_formatting():
    assert fmt_money(65.6e9) == "65.60 bn"
    assert fmt_money(8_443_943) == "8.44 M"
    assert fmt_money(272_942.44) == "272,942"
    assert fmt_money(None) == "–"
    assert fmt_pct(0.91337) == "91.3%"


def test_files_and_self_contained_html(report):
    out, md, html = report
    assert (out / "report.md").is_file() and (out / "report.html").is_file()
    assert "http://" not in html and "https://" not in html
    srcs = re.findall(r"""\bsrc\s*=\s*["']([^"']*)""", html)
    assert srcs and all(s.startswith("data:") for s in srcs), [s[:40] for s in srcs if not s.startswith("data:")]
    assert "<script" not in html and "<link" not in html and "url(" not in html and "@import" not in html
    images = _images(html)
    assert html.count("data:image/png;base64,") >= 5 and len(images) >= 5
    import matplotlib.image as mpimg

    for raw in images:
        assert raw[:8] == PNG_MAGIC
        assert mpimg.imread(io.BytesIO(raw), format="png").shape[0] > 100
    for key in FIGURES:  # each of the five charts is embedded, and linked from the Markdown
        assert f'id="fig-{key}"' in html
        assert (out / "figures" / f"{key}.png").read_bytes()[:8] == PNG_MAGIC
        assert f"](figures/{key}.png)" in md


def test_status_termination_and_gap_come_first(report, plan):
    _, md, html = report
    for text in (md, html):
        kpis = text.index("Headline KPIs")
        for word in (
            "Plan status",
            "Termination",
            "Optimality gap",
            "convergenceCriteriaSatisfied",
            "optimal",
            "passed",
        ):
            assert text.index(word) < kpis, word
    assert 'class="warn"' not in html and "not proved optimal" not in md
    assert "Plan report: tiny" in html


def test_not_optimal_plan_shows_the_warning(plan, instance, tmp_path):
    bad = dataclasses.replace(plan, status="feasible", termination="maxTimeLimit", mip_gap=0.05)
    md, html = (p.read_text(encoding="utf-8") for p in write_report(bad, tmp_path, instance=instance))
    warn = re.search(r'<div class="warn"[^>]*>(.*?)</div>', html, re.DOTALL)
    assert warn and "not proved optimal" in warn.group(1) and "maxTimeLimit" in warn.group(1)
    assert html.index('class="warn"') < html.index("Headline KPIs")
    assert "> **Warning:**" in md and "not proved optimal" in md
    assert "0.05" in _md_row(md, "Optimality gap")[1]
    assert _md_row(md, "Plan status")[1].startswith("feasible, NOT proved optimal")


def test_no_plan_is_reported_without_failing(plan, instance, tmp_path):
    none = dataclasses.replace(
        plan,
        status="infeasible",
        termination="provenInfeasible",
        mip_gap=None,
        objective=None,
        objective_bound=None,
        verification=None,
        tables={k: df.iloc[0:0] for k, df in plan.tables.items()},
    )
    md, html = (p.read_text(encoding="utf-8") for p in write_report(none, tmp_path, instance=instance))
    assert "not proved optimal" in html and "No plan" in md and "could not be written" not in md


def test_targets_met_and_not_met(report):
    _, md, html = report
    for label, met in EXPECTED_MET.items():
        row = _md_row(md, html_escape(label, quote=False))
        assert row[4] == met, (label, row)
    assert "2 of 4 targets met" in md
    # text is escaped in the HTML and in the Markdown (which renderers turn into HTML)
    assert "GEP &lt;above&gt; 1 M &amp; more" in html and "<above>" not in html
    assert "GEP &lt;above&gt; 1 M &amp; more" in md and "<above>" not in md


def test_tables_per_village(report, plan):
    _, md, _ = report
    last = plan.tables["kpis"]["period"].iloc[-1]
    area = plan.tables["allocations"]
    east = area[(area["village"] == "east") & (area["period"] == last)]["area_ha"].sum()
    row = _md_row(md, "East")  # first row of village east (by its name): the land table; its last cell is the total
    assert row[-1] == f"{east:,.1f}" or float(row[-1].replace(",", "")) == pytest.approx(east, rel=1e-2)
    assert "Gardens, recruits and dividends per village" in md
    assert "| GEP (Yuan/yr) | 2.46 M | 2.48 M |" in md
    assert "Vegetation coverage | 91.3% |" in md


def test_without_explanation_says_not_computed(report):
    _, md, html = report
    sec = md[md.index("## Appendix for analysts") :]
    assert "not computed" in sec and "not computed" in html


def test_with_explanation(plan, instance, tmp_path):
    ex = _fake_explanation(plan)
    md, html = (p.read_text(encoding="utf-8") for p in write_report(plan, tmp_path, explanation=ex, instance=instance))
    sec = md[md.index("## Appendix for analysts") :]
    # the LP note sits next to the price tables
    assert LP_NOTE in sec and sec.index(LP_NOTE) < sec.index("| rule | rows |")
    assert "LP with every yes/no" in html
    # rule summary with the largest price and where; non-binding rules listed apart
    row = _md_row(sec, "each parcel's area used at most once")
    assert row[1:6] == ["25", "20", "19", "20,000 Yuan/yr per ha", "parcel P_TOP"]
    assert "Not binding anywhere (1): budget." in sec
    # the 15 largest shadow prices, with units; the rest and the unpriced row are left out
    prices = sec[sec.index("### Largest shadow prices") : sec.index("### Why not")]
    shown = re.findall(r"^\| parcel P(\d+) \|", prices, re.MULTILINE)
    assert shown[0] == "17" and len(shown) == 15 and not {"0", "3", "6", "9", "12"} & set(shown)
    assert _md_row(prices, "parcel P17")[1:] == ["20,000 Yuan/yr per ha", "2.50 ha", "no limit"]
    # why-not: not taken by what it needs, ascending; forbidden; not the taken ones
    assert sec.index("WHYNOT near") < sec.index("WHYNOT far") and "FORBIDDEN y" in sec and "TAKEN x" not in sec
    # importance: top 10 by loss, descending
    assert sec.index("IMPORTANCE 11") < sec.index("IMPORTANCE 10") and "IMPORTANCE 01" not in sec
    assert "RANGING carbon price" in sec
    assert "not computed" not in sec


def test_missing_explanation_tables_say_not_computed(plan, instance, tmp_path):
    ex = _fake_explanation(plan)
    del ex.tables["importance"]
    ex.tables["parameters"] = pd.DataFrame()
    md = write_report(plan, tmp_path, explanation=ex, instance=instance)[0].read_text(encoding="utf-8")
    assert "Replacement importance: not computed" in md and "Parameter ranging: not computed" in md


def test_from_plan_directory_loads_instance_and_explanation(plan, tmp_path):
    plan.write(tmp_path)
    _fake_explanation(plan).write(tmp_path)
    md, html = (p.read_text(encoding="utf-8") for p in write_report(tmp_path, tmp_path / "rep"))
    # the instance came back from the plan's path and overrides (targets were set by override)
    assert _md_row(md, "Dividends above 1 bn")[4] == "no"
    assert "WHYNOT near" in md and len(_images(html)) >= 5


def test_instance_that_cannot_be_loaded(plan, tmp_path):
    lost = dataclasses.replace(plan, instance_path=str(tmp_path / "gone.yaml"))
    md, html = (p.read_text(encoding="utf-8") for p in write_report(lost, tmp_path))
    assert "could not be loaded" in md and "without targets" in md
    assert len(_images(html)) >= 5 and "could not be drawn" not in md


def test_real_explanation(plan, instance, tmp_path):
    from planner.explain import explain

    ex = explain(instance, plan, importance=(), parameters=())
    md = write_report(plan, tmp_path, explanation=ex, instance=instance)[0].read_text(encoding="utf-8")
    sec = md[md.index("## Appendix for analysts") :]
    assert "LP with every yes/no" in sec and "| rule | rows |" in sec and "could not be written" not in md


def _chromium_or_skip() -> None:
    """Chromium is a system package, not a pip one: skipped without it, failed under CI=true
    (.ci/run installs it), by the rule every browser test shares."""
    chromium_or_fail_in_ci()


def test_screenshot(report, tmp_path):
    _chromium_or_skip()
    out, _, _ = report
    png = screenshot(out / "report.html", tmp_path / "report.png")
    assert png.is_file() and png.stat().st_size > 20_000
    import matplotlib.image as mpimg

    img = mpimg.imread(png)
    assert img.shape[1] == 1280 and img.shape[0] > 3000  # the whole page, charts included
    assert float(img[..., :3].std()) > 0.05


def test_missing_chromium_names_the_install_command(tmp_path):
    with pytest.raises(RuntimeError, match="apt-get install chromium"):
        find_chromium(tmp_path / "no-such-chromium")
