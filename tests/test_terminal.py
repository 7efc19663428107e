"""What the terminal shows: the summary of a plan and its explanation at 80 columns and
piped, in English and Chinese (--lang), the progress of a running solve, and plans
compared. Printed through a rich console of a given width, as the commands print."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import warnings

import pytest
from rich.cells import cell_len

import planner
from planner.cli.show import (
    binding_rule_lines,
    gap_words,
    pct_words,
    print_comparison,
    print_explanation,
    print_summary,
    progress_words,
)
from planner.core.paths import bundled_dir
from planner.core.terminal import SafeConsole
from planner.solver.progress import SolveProgress
from planner.sweep.compare import compare_plans

TINY = str(bundled_dir("instances") / "tiny.yaml")
SCIENTIFIC = re.compile(r"\d\.?\d*e[-+]\d")


def console(width: int = 80) -> SafeConsole:
    """A console as the commands print when piped: not a terminal, ``width`` columns."""
    return SafeConsole(width=width, file=io.StringIO(), force_terminal=False, record=True)


def text_of(c: SafeConsole) -> str:
    return c.export_text()


def check_fits(text: str, width: int = 80) -> None:
    """Every line fits the width (a Chinese character takes two cells), nothing is cut."""
    for line in text.splitlines():
        assert cell_len(line.rstrip()) <= width, line
    assert "…" not in text
    assert not SCIENTIFIC.search(text), SCIENTIFIC.search(text)


@pytest.fixture(scope="module")
def tiny():
    return planner.load_instance(TINY)


@pytest.fixture(scope="module")
def plan(tiny):
    return planner.solve(tiny)


@pytest.fixture(scope="module")
def poorer(tiny):
    """Tiny with a 2025 budget of 1.5 M Yuan instead of 2.5 M."""
    return planner.solve(planner.load_instance(TINY, sets=["periods.2025.budget_yuan=1500000"]))


# --- progress -----------------------------------------------------------------------


def test_progress_reports_best_plan_and_gap_as_highs_finds_them(tiny):
    """HiGHS finds tiny's optimum after a first plan (its log shows an improving solution
    with a gap of 0.07%, then the gap closes): the progress function hears of plans with a
    gap, in Yuan/yr (not the model's million Yuan), and the last update of the main stage
    is the plan returned, with the gap closed."""
    got: list[SolveProgress] = []
    p = planner.solve(tiny, progress=got.append)
    main = [u for u in got if u.goal == "weighted"]
    with_gap = [u for u in main if u.gap is not None and u.objective_yuan is not None]
    assert any(u.event == "improved" for u in main)
    assert with_gap, got
    for u in with_gap:
        assert u.objective_yuan <= u.bound_yuan + 1e-6  # a maximisation: the bound is above every plan
        assert u.gap == pytest.approx(abs(u.bound_yuan - u.objective_yuan) / abs(u.objective_yuan), abs=1e-9)
        assert u.elapsed_s >= 0
    assert main[-1].gap == pytest.approx(0.0, abs=1e-9)
    assert main[-1].objective_yuan == pytest.approx(p.objective, abs=1.0)
    # the tie-break stage (tiny's objective.tie_break) reports under its own name, after the main stage
    assert {u.goal for u in got} <= {"weighted", tiny.instance.objective.tie_break}
    assert [u.goal for u in got] == sorted((u.goal for u in got), key=lambda g: g != "weighted")


def test_a_progress_function_that_raises_is_dropped_and_the_solve_goes_on(tiny):
    calls = []

    def broken(u):
        calls.append(u)
        raise ValueError("display gone")

    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        p = planner.solve(tiny, progress=broken, verify=False)
    assert p.status == "optimal"
    assert len(calls) == 1
    assert any(issubclass(x.category, RuntimeWarning) and "display gone" in str(x.message) for x in w)


def test_progress_in_words():
    """Nuanshui's optimum 199,649,259,586.6 Yuan/yr is 199.6 bn with four significant
    digits; a gap of 1.7e-4 is 0.02%; in Chinese 1,996亿 (1e8 Yuan each)."""
    u = SolveProgress("weighted", 3.0, 199_649_259_586.6, 199_683_000_000.0, 1.7e-4, "improved")
    assert progress_words(u) == "solving: best plan so far 199.6 bn Yuan/yr, gap 0.02%"
    assert progress_words(u, "zh") == "正在求解：当前最佳方案 1,996亿元/年，间隙 0.02%"
    first = SolveProgress("gep", 1.0, 5_493_638.0, None, None, "improved")
    assert (
        progress_words(first)
        == "solving for Gross Ecosystem Product: best plan so far 5.494 M Yuan/yr, gap not yet known"
    )


# --- numbers and the gap --------------------------------------------------------------


def test_gap_in_words_never_scientific():
    """A gap of 1.46e-16 (rounding) is 0%; 5e-8 is below what two decimals of a percent
    show; 7.21e-4 with a bound 3,962 Yuan/yr above the plan is 0.07% (3,962 Yuan/yr)."""
    from types import SimpleNamespace

    assert pct_words(1.4581458982369623e-16) == "0%"
    assert pct_words(5e-8) == "less than 0.0001%"
    assert pct_words(5e-8, "zh") == "小于0.0001%"
    p = SimpleNamespace(mip_gap=7.21e-4, objective=5_493_638.0, objective_bound=5_497_600.0)
    assert gap_words(p, "zh") == "0.07%（3,962元/年）"
    p = SimpleNamespace(mip_gap=1.4581458982369623e-16, objective=1.9e11, objective_bound=1.9e11)
    assert gap_words(p) == "0% (under 1 Yuan/yr)"


# --- the summary ----------------------------------------------------------------------


def test_summary_reads_at_80_columns_with_units_and_separators(plan):
    c = console(80)
    print_summary(plan, "en", c)
    text = text_of(c)
    check_fits(text)
    assert text.startswith("tiny: status optimal (proved optimal)")
    k = plan.tables["kpis"].iloc[0]
    assert f"{round(k['forestry_carbon_income_yuan']):,} Yuan/yr" in text
    assert f"{round(k['gardens_built'])} gardens" in text and f"{round(k['recruited_people'])} people" in text
    assert "Optimality gap: 0%" in text
    assert f"Checked independently: passed ({len(plan.verification['checks'])} rule checks)" in text


def test_summary_in_chinese_keeps_the_status_word(plan):
    c = console(80)
    print_summary(plan, "zh", c)
    text = text_of(c)
    check_fits(text)
    assert text.startswith("tiny：方案状态 最优（已证明）（optimal）")
    assert "生态产品总值（GEP）" in text and "元/年" in text and "最优性间隙" in text
    assert "Yuan" not in text and "GEP (" not in text


def test_a_table_too_wide_for_the_terminal_becomes_lines(plan):
    """At 40 columns the key figures do not fit as a table: each figure is a line, whole."""
    c = console(40)
    print_summary(plan, "en", c)
    text = " ".join(text_of(c).split())
    assert "…" not in text
    k = plan.tables["kpis"]
    assert f"Forestry carbon income: {k['period'][0]} {round(k['forestry_carbon_income_yuan'][0]):,} Yuan/yr" in text


def test_piped_summary_is_not_cut(tmp_path):
    """`planner solve` piped into a 60-column reader: no cell cut to "1…"."""
    import os

    r = subprocess.run(
        [sys.executable, "-m", "planner", "solve", TINY, "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "60"},
    )
    assert r.returncode == 0, r.stderr
    check_fits(r.stdout.split("wrote ")[0], 60)
    assert "status optimal" in r.stdout and "Running HiGHS" not in r.stdout + r.stderr


@pytest.mark.parametrize("command", ["solve", "explain", "report", "compare"])
def test_lang_must_be_en_or_zh(tmp_path, command):
    args = {
        "solve": ["solve", TINY, "--out", str(tmp_path / "o")],
        "explain": ["explain", TINY, "--out", str(tmp_path / "o")],
        "report": ["report", str(tmp_path)],
        "compare": ["compare", str(tmp_path / "a"), str(tmp_path / "b")],
    }[command]
    r = subprocess.run([sys.executable, "-m", "planner", *args, "--lang", "fr"], capture_output=True, text=True)
    assert r.returncode == 2
    assert "--lang" in r.stderr and "'fr'" in r.stderr and "zh" in r.stderr
    assert "Traceback" not in r.stderr
    assert not (tmp_path / "o").exists()


# --- the explanation ------------------------------------------------------------------


@pytest.fixture(scope="module")
def explanation(tiny, plan):
    from planner.explain import explain

    return explain(tiny, plan, importance=(), parameters=[])


def test_rules_that_bind_are_a_short_list_at_80_columns(explanation):
    """The few policy rules with the highest price, one line each (wrapped), the highest
    first; the others are in the files."""
    c = console(80)
    print_explanation(explanation, n=12, lang="en", console=c)
    text = text_of(c)
    check_fits(text)
    s = explanation.tables["rule_summary"]
    policy = s[(s["binding"] > 0) & ~s["hard"].astype(bool) & (s["priced"] > 0)]
    top = policy.sort_values("max_shadow_price", ascending=False).iloc[0]
    n = (s["binding"] > 0).sum()
    head = f"Rules that bind: the 5 with the highest price, in Yuan/yr of objective per unit loosened ({n} bind in all"
    assert head in " ".join(text.split())
    after = text.split("Rules that bind")[1]
    bullets = [ln for ln in after.split("\nWhy not")[0].splitlines() if ln.startswith("  - ")]
    assert len(bullets) == 6  # five rules and the line on the rules without a price
    assert bullets[0].startswith(f"  - {planner.core.labels.term('rule', top['family'])}")
    lines, total, unpriced = binding_rule_lines(s, 5, "zh")
    assert len(lines) == 5 and "公顷" in lines[0] and "元/年" in lines[0]


# --- compare --------------------------------------------------------------------------


def test_compare_gives_differences_from_the_first_plan(plan, poorer):
    """Both budgets of 2025 bind (tiny's 2025 budget has a positive shadow price, and a
    smaller one binds too), so the budget used differs by exactly the budgets' difference:
    1,500,000 - 2,500,000 = -1,000,000 Yuan. With a third plan (the first again), each plan
    is measured against the first: its difference is zero everywhere."""
    cmp = compare_plans({"a": plan, "b": poorer, "c": plan})
    k = cmp["kpis"].set_index(["kpi", "period"])
    assert k.loc[("budget_used_yuan", "2025"), "b - a"] == pytest.approx(-1_000_000, abs=1)
    assert (k["c - a"].abs() < 1e-9).all()
    assert (k["b - a"] == k["b"] - k["a"]).all()
    s = cmp["summary"].set_index("plan")
    assert s.loc["b", "objective_change_yuan"] == pytest.approx(poorer.objective - plan.objective)


def test_compare_names_what_changed(plan, poorer, tiny):
    """The projects and gardens built in one plan and not the other, from the plans' own
    tables, are listed by id and name; counts of plans with an explanation are right."""
    cmp = compare_plans({"a": plan, "b": poorer})

    def built(p, table, key):
        t = p.tables[table]
        return {(r[key], str(r["period"])) for r in t.to_dict(orient="records") if r["built"]}

    only_a = built(plan, "projects", "project") - built(poorer, "projects", "project")
    only_b = built(poorer, "projects", "project") - built(plan, "projects", "project")
    ch = cmp["changes"]
    got = {(r["id"], r["period"]) for r in ch[ch["kind"] == "project"].to_dict(orient="records")}
    assert got == only_a | only_b
    assert only_a or only_b  # a third less budget in 2025 changes when a project is built
    names = {("project", p.id): p.name for p in tiny.instance.projects}
    c = console(80)
    print_comparison(cmp, ["a", "b"], names={**names}, lang="en", console=c)
    text = " ".join(text_of(c).split())
    check_fits(text_of(c))
    for plan_name, items in (("a", only_a), ("b", only_b)):
        for pid, period in items:
            assert f"projects built only in {plan_name}: {pid} ({names[('project', pid)]}) in" in text
            assert period in text
    assert "b − a" in text and "Budget used" in text
    assert "KPI" not in text and "budget_used_yuan" not in text


def test_compare_counts_plans_with_rule_prices(tmp_path, plan, poorer, tiny, explanation):
    """Two plans, one with explanation.json beside it: prices of 1 plan; both: 2 plans."""
    from planner.explain import explain

    da, db = tmp_path / "a", tmp_path / "b"
    plan.write(da)
    poorer.write(db)
    explanation.write(da)

    def said(plans):
        c = console(80)
        cmp = compare_plans(plans)
        print_comparison(cmp, list(plans), lang="en", console=c)
        return " ".join(text_of(c).split())

    assert "rule prices compared for 1 plan with an explanation" in said({"a": (plan, da), "b": (poorer, db)})
    explain(
        planner.load_instance(TINY, sets=["periods.2025.budget_yuan=1500000"]), poorer, importance=(), parameters=[]
    ).write(db)
    assert "rule prices compared for 2 plans with an explanation" in said({"a": (plan, da), "b": (poorer, db)})


def test_compare_in_chinese(plan, poorer):
    c = console(80)
    print_comparison(compare_plans({"a": plan, "b": poorer}), ["a", "b"], lang="zh", console=c)
    text = text_of(c)
    check_fits(text)
    assert "方案对比" in text and "已用预算" in text and "万元" in text and "Yuan" not in text
