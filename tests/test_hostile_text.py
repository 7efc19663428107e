"""User text is shown as text: instance names, ids, labels and paths are never read as
console markup, highlighted or sent to the terminal with their control characters
(planner.core.terminal), and never become live HTML or Markdown in report.md.

Found by probing: ``--out 'out/run[/]x'``, an instance named ``tiny[/]`` or a project id
``orchard[/]park`` crashed ``planner solve`` with rich's MarkupError after the plan was
written (an optimal plan exited 1, --report never ran); ``tiny [draft v2]`` printed as
``tiny``; ESC in a name reached the terminal; the summary's highlighter took minutes on a
200 kB name; report.md carried the names' <script>/onerror payloads."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

import planner
from planner.core.paths import bundled_dir
from planner.core.terminal import SafeConsole, styled, visible


def run(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "planner", *args], capture_output=True, text=True, timeout=timeout)


def tiny_copy(
    directory: Path, edit: Callable[[dict], Any] | None = None, csv: Callable[[str], str] | None = None
) -> Path:
    """tiny.yaml and its parcel table copied into ``directory``, the YAML passed through
    ``edit`` and the CSV text through ``csv``."""
    src = bundled_dir("instances")
    data = yaml.safe_load((src / "tiny.yaml").read_text(encoding="utf-8"))
    if edit:
        edit(data)
    text = (src / "tiny_parcels.csv").read_text(encoding="utf-8")
    (directory / "tiny_parcels.csv").write_text(csv(text) if csv else text, encoding="utf-8")
    path = directory / "tiny.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def rename_project(data: dict, old: str, new: str) -> None:
    for x in data["projects"]:
        if x["id"] == old:
            x["id"] = new
    for r in data["roles"]:
        r["projects"] = [new if p == old else p for p in r.get("projects", [])]


# --- the terminal -------------------------------------------------------------------


def test_solve_prints_markup_like_names_and_paths_as_text(tmp_path):
    """An instance named tiny[/], a project orchard[/]park and --out run[/]x: the plan is
    optimal (exit 0), the summary names them as written and --report still runs."""
    path = tiny_copy(
        tmp_path, lambda d: (d.update(name="tiny[/]"), rename_project(d, "orchard_park", "orchard[/]park"))
    )
    out = tmp_path / "run[/]x"
    r = run("solve", str(path), "--out", str(out), "--report")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Traceback" not in r.stderr and "MarkupError" not in r.stderr
    assert r.stdout.startswith("tiny[/]: status optimal")
    assert "orchard[/]park" in r.stdout  # the explanation's statements name the project
    assert f"wrote {out / 'plan.json'}" in r.stdout.replace("\n", "")
    assert (out / "report.md").is_file() and (out / "report.html").is_file()


def test_square_brackets_in_a_name_are_kept(tmp_path):
    path = tiny_copy(tmp_path, lambda d: d.update(name="tiny [draft v2] [bold]x[/bold] :smile:"))
    r = run("validate", str(path))
    assert r.returncode == 0, r.stderr
    assert "valid: tiny [draft v2] [bold]x[/bold] :smile: - 2 villages" in r.stdout.replace("\n", " ")


def test_control_characters_are_shown_escaped(tmp_path):
    """ESC (a colour or cursor sequence), BEL, CR and a right-to-left override in a name:
    printed as \\x1b, \\x07, \\x0d and \\u202e; none reaches the terminal."""
    name = "tiny\x1b[31m red\x07\r\u202eevil"
    path = tiny_copy(tmp_path, lambda d: d.update(name=name))
    r = run("validate", str(path))
    assert r.returncode == 0, r.stderr
    assert "valid: tiny\\x1b[31m red\\x07\\x0d\\u202eevil - 2 villages" in r.stdout
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f\u202e]", r.stdout + r.stderr)


def test_control_characters_in_an_input_error_are_shown_escaped(tmp_path):
    """A misspelt key with ESC in it: the problem line shows it escaped (exit 2)."""
    path = tiny_copy(tmp_path, lambda d: d["policies"].update({"garden\x1b[2Jmax": 1}))
    r = run("validate", str(path))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "policies.garden\\x1b[2Jmax: unknown key" in r.stderr.replace("\n", "")
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f]", r.stdout + r.stderr)


def test_a_200_kB_name_prints_as_its_escaped_text(tmp_path):
    """A 200 kB name of '<' (which made rich's highlighter quadratic: minutes), markup,
    backslashes and ESC is printed in full, escaped, by the summary of a solve. The console
    output is the escaped text itself (no highlighting, no markup: linear)."""
    name = "<[/]\\\x1b[b" * 25_000
    assert len(name) == 200_000
    path = tiny_copy(tmp_path, lambda d: d.update(name=name))
    r = run("solve", str(path), "--out", str(tmp_path / "out"), timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    first = r.stdout.split(": status optimal")[0]
    assert "".join(first.splitlines()) == visible(name) == name.replace("\x1b", "\\x1b")


def test_safe_console_shows_any_string_as_text():
    """Whatever reaches the consoles as a str (print arguments, table cells) is shown as
    text: no markup, emoji codes or highlighting (no styled spans at all), control
    characters other than line breaks escaped."""
    c = SafeConsole(width=200)
    t = c.render_str(
        "[bold red]x[/] :smile: 3.14 'q' None https://x.org <tag>\x1b[31m\nnext", markup=True, highlight=True
    )
    assert t.plain == "[bold red]x[/] :smile: 3.14 'q' None https://x.org <tag>\\x1b[31m\nnext"
    assert t.spans == [] and not t.style
    with c.capture() as cap:
        c.print("[/]", "a\x1bb", markup=True)
    assert cap.get() == "[/] a\\x1bb\n"


def test_styled_lines_style_only_their_own_parts():
    t = styled(("error:", "bold red"), " in [bold]x\x1b[/]\n")
    assert t.plain == "error: in [bold]x\\x1b[/]\\x0a"
    assert [(s.start, s.end, str(s.style)) for s in t.spans] == [(0, 6, "bold red")]


# --- report.md ----------------------------------------------------------------------


NAME = "<script>alert('name')</script>"
VILLAGE = "<img src=x onerror=alert('village')>"
PROJECT = "<svg onload=alert('project')> | x"
LABEL = "<iframe src=javascript:alert('target')>"
SOURCE = "[click](javascript:alert('source'))"


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory):
    """tiny with HTML in its name, the east village's id, the orchard park's name and a
    target's label, a Markdown link in the target's source, and TeX-like '$' in the west
    village's id; solved, explained and reported."""
    from planner.api import solve
    from planner.explain import explain
    from planner.report import write_report

    d = tmp_path_factory.mktemp("hostile")

    def edit(data: dict) -> None:
        data["name"] = NAME
        for v in data["villages"]:
            v["id"] = {"east": VILLAGE, "west": "w$\\frac$"}[v["id"]]
        for u in data["uses"].values():
            if "villages" in u:
                u["villages"] = [{"east": VILLAGE, "west": "w$\\frac$"}[v] for v in u["villages"]]
        for x in data["projects"]:
            x["name"] = PROJECT
            x["host_village"] = {"east": VILLAGE, "west": "w$\\frac$"}[x["host_village"]]
            for pre in x.get("prerequisites", []):
                if "villages" in pre:
                    pre["villages"] = [{"east": VILLAGE, "west": "w$\\frac$"}[v] for v in pre["villages"]]
                if "garden_in" in pre:
                    pre["garden_in"] = {"east": VILLAGE, "west": "w$\\frac$"}[pre["garden_in"]]
        data["targets"] = [{"kpi": "gep_yuan", "period": "2025", "min": 1, "label": LABEL, "source": SOURCE}]

    path = tiny_copy(d, edit, lambda t: t.replace(",east,", f",{VILLAGE},").replace(",west,", ",w$\\frac$,"))
    li = planner.load_instance(path)
    plan = solve(li)
    assert plan.status == "optimal"
    ex = explain(li, plan, importance=("projects",), parameters=[])
    md, html = write_report(plan, d / "report", explanation=ex, instance=li)
    return md.read_text(encoding="utf-8"), html.read_text(encoding="utf-8")


def test_report_md_has_no_live_html_from_user_text(hostile_report):
    md, _ = hostile_report
    assert not re.search(r"<[A-Za-z/!?]", md), re.search(r".{40}<[A-Za-z/!?].{40}", md)
    for text in (NAME, VILLAGE, PROJECT.split(" |")[0], LABEL):  # every one is there, escaped
        assert text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") in md, text
    assert not re.search(r"(?<!\\)\]\(javascript:", md) and "\\[click\\](javascript:alert('source'))" in md


def test_report_md_table_cells_keep_a_pipe(hostile_report):
    """'|' in a project name is escaped: the project table keeps its five columns."""
    md, _ = hostile_report
    rows = [line for line in md.splitlines() if line.startswith("| &lt;svg")]
    assert rows and all(len(re.split(r"(?<!\\)\|", r)) == 7 for r in rows), rows


def test_report_charts_take_dollar_signs_as_text(hostile_report):
    """A '$' in a village id is not TeX math for matplotlib: every chart is drawn."""
    md, html = hostile_report
    assert "could not be drawn" not in md and "ParseException" not in md
    assert md.count("](figures/") == 5


def test_report_html_stays_escaped(hostile_report):
    _, html = hostile_report
    for text in (NAME, VILLAGE, LABEL):
        assert text not in html
    assert "&lt;script&gt;" in html
