"""What the commands print about a result: a plan's summary and its gap in words, the
progress of a running solve, an explanation, a diagnosis, plans compared. Printing only;
the commands decide what to run and write.

Everything here reads at 80 columns and when piped: figures are lists or narrow tables
whose cells fold instead of being cut ("1…"), a table too wide for the terminal is printed
as lines instead, and long statements wrap. Numbers carry their unit and thousands
separators (``1,360 people``, ``65.6 bn Yuan/yr``; in Chinese ``1,360人``, ``656亿元/年``);
the words come from the registry (:mod:`planner.core.labels`) in the language asked for
(``--lang``), and a plan's status word (``optimal``, ``feasible`` ...) is always printed
as it is, so that a script can look for it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import pandas as pd
import typer
from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from planner.cli.app import err, out
from planner.core.kpis import HEADLINE_KPIS, KPI
from planner.core.labels import term
from planner.core.status import STATUSES
from planner.core.terminal import styled

# ---------------------------------------------------------------------------------------
# words and numbers
# ---------------------------------------------------------------------------------------


def word(key: str, lang: str = "en", **values: Any) -> str:
    """A common word or sentence of the registry (``TERMS["word"]``) in ``lang``, its
    ``{placeholders}`` filled."""
    return term("word", key, lang).format(**values)


def paren(text: str, lang: str) -> str:
    """`` (text)`` in English, ``（text）`` in Chinese."""
    return f"（{text}）" if lang == "zh" else f" ({text})"


def sig3(x: float, digits: int = 3) -> str:
    """About three significant digits, thousands separators, never scientific:
    2.4615 -> ``2.46``, 65.6 -> ``65.6``, 133.9 -> ``134``, 0.15238 -> ``0.152``,
    99.996 -> ``100``."""
    a = abs(x)
    if a >= 10 ** (digits - 1) or a == 0:
        return f"{x:,.0f}"
    e = math.floor(math.log10(a))
    r = round(x, digits - 1 - e)
    if abs(r) >= 10 ** (e + 1):  # rounding carried into the next digit: 99.996 -> 100
        e += 1
    return f"{r:,.{max(digits - 1 - e, 0)}f}"


#: Large amounts of money: millions and billions in English, 万 and 亿 in Chinese.
MONEY_SCALES: dict[str, tuple[tuple[float, str], ...]] = {
    "en": ((1e9, " bn"), (1e6, " M")),
    "zh": ((1e8, "亿"), (1e4, "万")),
}


def money_number(v: float, lang: str = "en", digits: int = 3) -> str:
    """An amount of Yuan without its unit: ``65.6 bn``, ``8.44 M``, ``906,572``, ``0.152``
    (Chinese: ``656亿``, ``844万``, ``7,939``)."""
    for scale, suffix in MONEY_SCALES[lang]:
        if abs(round(v)) >= scale:  # 999,999.99 Yuan is 1.00 M, not 1,000,000
            return f"{sig3(v / scale, digits)}{suffix}"
    return f"{v:,.0f}" if abs(v) >= 1000 else sig3(v, digits)


#: The registry's words for a unit after a number (a KPI's ``unit``, a rule's unit):
#: (one, several).
UNIT_WORDS: dict[str, tuple[str, str]] = {
    "Yuan/yr": ("n_yuan_per_yr", "n_yuan_per_yr"),
    "Yuan": ("n_yuan", "n_yuan"),
    "ha": ("n_ha", "n_ha"),
    "garden": ("n_garden", "n_gardens"),
    "gardens": ("n_garden", "n_gardens"),
    "project": ("n_project", "n_projects"),
    "projects": ("n_project", "n_projects"),
    "person": ("n_person", "n_people"),
    "people": ("n_person", "n_people"),
    "plans": ("n_plan", "n_plans"),
}


def with_unit(n: str, unit: str, lang: str = "en", count: float | None = None) -> str:
    """``n`` (a number as written) followed by ``unit`` in ``lang``: ``1,360 people``,
    ``1 project``, ``65.6 bn Yuan/yr``; a unit the registry does not know follows as it is."""
    keys = UNIT_WORDS.get(unit)
    if keys is None:
        return f"{n} {unit}".strip()
    return word(keys[0] if count is not None and abs(count) == 1 else keys[1], lang, n=n)


def unit_word(unit: str, lang: str = "en") -> str:
    """A unit on its own, as in "per ha" (``公顷``)."""
    keys = UNIT_WORDS.get(unit)
    return unit if keys is None else word(keys[0], lang, n="").strip()


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def fmt_kpi(kpi: str, v: Any, lang: str = "en") -> str:
    """A KPI's value with its unit (planner.core.kpis gives the kind and the unit)."""
    if _missing(v):
        return "–"
    k = KPI[kpi]
    v = float(v)
    if k.fmt == "share":
        return f"{v * 100:.1f}%"
    if k.fmt == "money":
        return with_unit(money_number(v, lang), k.unit, lang)
    if k.fmt == "count":
        return with_unit(f"{round(v):,}", k.unit, lang, count=round(v))
    return with_unit(sig3(v), k.unit, lang)


def fmt_kpi_change(kpi: str, d: Any, lang: str = "en") -> str:
    """A difference of a KPI between two plans, signed: ``+18,912 Yuan/yr``, ``-2 people``,
    ``+0.7 points`` for a share; ``0`` for none (below a Yuan, 0.005 ha, 0.05 points)."""
    if _missing(d):
        return "–"
    k = KPI[kpi]
    d = float(d)
    tiny = {"money": 0.5, "ha": 0.005, "share": 0.0005, "count": 0.5}[k.fmt]
    if abs(d) < tiny:
        return "0"
    sign = "+" if d > 0 else "-"
    if k.fmt == "share":
        return sign + word("n_points", lang, n=f"{abs(d) * 100:.1f}")
    return sign + fmt_kpi(kpi, abs(d), lang)


def pct_words(g: float, lang: str = "en") -> str:
    """A relative gap as a percentage: two decimals from 0.01%, two significant figures
    down to 0.0001% (never a bare "0.00%"), "less than 0.0001%" below, and "0%" for a gap
    that is zero up to rounding (below 1e-12)."""
    if g < 1e-12:
        return "0%"
    if g < 1e-6:
        return word("less_than", lang, x="0.0001%")
    return f"{g:.2%}" if g >= 1e-4 else f"{g * 100:.2g}%"


def gap_words(plan: Any, lang: str = "en") -> str:
    """How far a plan may be from the best possible, in words: the relative gap
    (:func:`pct_words`) and, when the bound is known, in Yuan/yr (a small share of a large
    GEP is still a lot of money): ``0.07% (3,962 Yuan/yr)``."""
    g = plan.mip_gap
    if g is None:
        return word("gap_unknown", lang)
    pct = pct_words(g, lang)
    if plan.objective is None or plan.objective_bound is None:
        return pct
    d = abs(plan.objective_bound - plan.objective)
    yuan = word("under_1_yuan", lang) if d < 0.5 else word("n_yuan_per_yr", lang, n=money_number(d, lang))
    return pct + paren(yuan, lang)


def status_words(status: str, lang: str = "en") -> str:
    """A status with its meaning, the status word kept as it is: ``optimal (proved
    optimal)``, ``feasible, NOT proved optimal``, ``no_solution (no plan found ...)``;
    Chinese ``最优（已证明）（optimal）``."""
    s = STATUSES.get(status)
    if s is None:
        return status
    if lang == "zh":
        return s.zh + paren(status, lang)
    return s.en if s.en.startswith(status) else status + paren(s.en, lang)


STATUS_STYLE = {"optimal": "bold green", "feasible": "bold yellow"}


def styled_words(template: str, **parts: Any) -> Text:
    """A registry sentence as a styled line: ``{name}`` placeholders filled with text or with
    ``(text, style)`` pairs, everything shown as text (:func:`planner.core.terminal.styled`)."""
    pieces: list[Any] = []
    for i, piece in enumerate(re.split(r"\{(\w+)\}", template)):
        if i % 2 == 0:
            if piece:
                pieces.append(piece)
        else:
            pieces.append(parts[piece])
    return styled(*pieces)


# ---------------------------------------------------------------------------------------
# tables that fit
# ---------------------------------------------------------------------------------------


def print_table(
    console: Console,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    title: str | None = None,
    right: Sequence[bool] | None = None,
) -> None:
    """A narrow table (a rule under the header, no frame, two spaces between columns) whose
    figures keep their width and whose first column wraps between words if it must; when
    even that would not fit the console, the rows as lines instead (``first: header value;
    header value``). No cell ever loses characters."""
    right = right or [False] + [True] * (len(headers) - 1)
    widths = [max([cell_len(str(h))] + [cell_len(str(r[i])) for r in rows]) for i, h in enumerate(headers)]
    longest_word = max([cell_len(w) for r in [headers, *rows] for w in str(r[0]).split()] or [1])
    if longest_word + sum(widths[1:]) + 2 * (len(widths) - 1) <= console.width:
        if title:
            console.print(styled((title, "bold")))
        t = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 0, 0, 1))
        for i, (h, r) in enumerate(zip(headers, right)):
            if i == 0:
                t.add_column(h, justify="right" if r else "left", overflow="fold")
            else:
                t.add_column(h, justify="right" if r else "left", no_wrap=True, min_width=widths[i])
        for row in rows:
            t.add_row(*row)
        console.print(t)
        return
    if title:
        console.print(styled((title, "bold")))
    for row in rows:
        rest = "; ".join(f"{h} {v}" for h, v in zip(headers[1:], row[1:]) if v)
        console.print(styled(f"  {row[0]}: {rest}" if rest else f"  {row[0]}"))


def bullet(console: Console, text: str, indent: int = 2) -> None:
    """``  - text``, its continuation lines indented under the text (a hanging indent)."""
    head = " " * indent + "- "
    lines = styled(text).wrap(console, max(console.width - len(head), 20), overflow="fold")
    for i, line in enumerate(lines):
        line.rstrip()
        console.print(Text(head if i == 0 else " " * len(head)) + line, crop=False)


# ---------------------------------------------------------------------------------------
# a plan
# ---------------------------------------------------------------------------------------


def key_figures(plan: Any, lang: str = "en") -> tuple[list[str], list[list[str]]]:
    """The headline KPIs per period (planner.core.kpis), formatted: (headers, rows)."""
    k = plan.tables["kpis"]
    headers = [word("key_figures", lang)] + [str(p) for p in k["period"]]
    rows: list[list[str]] = []
    for kpi in (KPI[i] for i in HEADLINE_KPIS):
        label = term("kpi", kpi.id, lang)
        if kpi.id == "budget_used_yuan":  # budget used of budget; the loans drawn on a row of their own
            rows.append(
                [label]
                + [
                    word(
                        "of_budget",
                        lang,
                        used=money_number(u, lang),
                        budget=with_unit(money_number(b, lang), "Yuan", lang),
                    )
                    for u, b in zip(k["budget_used_yuan"], k["budget_yuan"])
                ]
            )
            loans = plan.tables["finance"]["loan_yuan"] if "finance" in plan.tables else pd.Series([0.0] * len(k))
            if (loans > 0.5).any():
                rows.append(
                    [word("loans_drawn", lang)]
                    + [with_unit(money_number(x, lang), "Yuan", lang) if x > 0.5 else "0" for x in loans]
                )
        else:
            rows.append([label] + [fmt_kpi(kpi.id, v, lang) for v in k[kpi.id]])
    return headers, rows


def print_status_head(plan: Any, name: str, lang: str = "en", console: Console | None = None) -> None:
    """The first two lines of every summary (a township's plan or a county's): the status in
    words, the status word kept, and the gap."""
    c = console or out
    colour = STATUS_STYLE.get(plan.status, "bold red")
    c.print(
        styled_words(
            word("status_of", lang, name="{name}", status="{status}"),
            name=(name, "bold"),
            status=(status_words(plan.status, lang), colour),
        )
    )
    gap = gap_words(plan, lang) if plan.has_solution else word("gap_no_plan", lang)
    c.print(styled("  ", word("gap_is", lang, gap=gap)))


def print_verification(res: dict[str, Any], what: str) -> None:
    """``planner verify``'s verdict (``what``: the plan named, with its status and gap), then
    exit 0 when it passed, else list the violations and exit 1."""
    if res["passed"]:
        out.print(styled(("no violations", "green"), f": {len(res['checks'])} rule checks passed for {what}"))
        raise typer.Exit(0)
    out.print(styled((f"{len(res['violations'])} violation(s)", "red")))
    for x in res["violations"]:
        vals = "" if x["value"] is None and x["limit"] is None else f" (plan {x['value']}, limit {x['limit']})"
        out.print(f"  - [{x['rule']}] {x['where']}: {x['message']}{vals}")
    raise typer.Exit(1)


def print_summary(plan: Any, lang: str = "en", console: Console | None = None) -> None:
    """The status in words (the status word kept), the gap, the key figures per period and
    the independent verification of a plan."""
    c = console or out
    print_status_head(plan, plan.instance_name, lang, c)
    c.print(
        styled(
            "  ",
            word(
                "solver_run",
                lang,
                termination=plan.termination,
                solve=f"{plan.solve_time_s:.2f}",
                build=f"{plan.build_time_s:.2f}",
            ),
        )
    )
    if plan.status_note:
        c.print(styled((plan.status_note, "bold red")))
    for w in getattr(plan, "warnings", []) or []:
        err.print(styled(("warning:", "yellow"), f" {w}"))
    hint = {
        "infeasible": word("infeasible_hint", lang),
        "no_solution": word("no_solution_hint", lang, termination=plan.termination),
        "feasible": word("feasible_hint", lang, termination=plan.termination, gap=gap_words(plan, lang)),
    }.get(plan.status)
    if plan.status in ("error", "unbounded"):
        hint = word("failed_hint", lang, status=plan.status, termination=plan.termination)
    if hint:
        c.print(styled((hint, "yellow" if plan.status == "feasible" else "red")))
    if not plan.has_solution:
        return
    headers, rows = key_figures(plan, lang)
    c.print()
    print_table(c, headers, rows)
    v = plan.verification
    if v is not None:
        if v["passed"]:
            c.print(styled((word("checked_passed", lang, n=len(v["checks"])), "green")))
        else:
            c.print(styled((word("checked_failed", lang, n=len(v["violations"])), "red")))
            for x in v["violations"][:20]:
                bullet(c, f"[{x['rule']}] {x['where']}: {x['message']} (plan {x['value']}, limit {x['limit']})")


# ---------------------------------------------------------------------------------------
# a running solve
# ---------------------------------------------------------------------------------------


def village_lines(sheets: Sequence[Any], lang: str = "en") -> list[str]:
    """One line per village sheet (planner.explain.sheets) that has something to do: its
    name, the hectares it changes by use at the end of the last period, and the first reason
    that decided it; villages without change in one closing line."""
    lines, unchanged = [], []
    sep, semi = ("：", "；") if lang == "zh" else (": ", "; ")
    for sh in sheets:
        name = sh.names.get(lang) or sh.village
        if sh.nothing_to_do:
            unchanged.append(name)
            continue
        last = sh.periods[-1] if sh.periods else ""
        by_use: dict[str, float] = {}
        for c in sh.parcels:
            by_use[c.use] = by_use.get(c.use, 0.0) + c.ha.get(last, 0.0)
        what = [
            f"{term('use', u, lang)} {ha:,.1f}{'' if lang == 'zh' else ' '}{term('word', 'unit_ha', lang)}"
            for u, ha in sorted(by_use.items(), key=lambda kv: -kv[1])
            if ha > 0.05
        ]
        reasons = sh.reason_texts(lang)
        text = name + sep + (semi.join(what) if what else word("sh_no_change", lang))
        if reasons:
            text += f"{semi}{word('reasons', lang)}{sep}{reasons[0]}"
        lines.append(text)
    if unchanged:
        lines.append(word("sh_no_change", lang) + paren(("、" if lang == "zh" else ", ").join(unchanged), lang))
    return lines


def print_villages(sheets: Sequence[Any], lang: str = "en", console: Console | None = None) -> None:
    """The "what each village does" block of a solve's summary (:func:`village_lines`)."""
    console = console or out
    lines = village_lines(sheets, lang)
    if not lines:
        return
    console.print(styled((word("what_each_village", lang), "bold")))
    for line in lines:
        bullet(console, line)


def progress_words(p: Any, lang: str = "en") -> str:
    """One update of a running solve (:class:`planner.solver.progress.SolveProgress`) in
    words: the best plan so far in Yuan/yr and the gap, as HiGHS reports them."""
    if p.goal in ("least_cost", "least_wages"):
        return word("solving_tie_break", lang)
    if p.objective_yuan is None:
        return word("solving", lang)
    goal = "" if p.goal == "weighted" else word("solving_for", lang, goal=term("rule", p.goal, lang))
    gap = word("gap_not_yet", lang) if p.gap is None else pct_words(p.gap, lang)
    return word(
        "solving_best",
        lang,
        goal=goal,
        objective=word("n_yuan_per_yr", lang, n=money_number(p.objective_yuan, lang, digits=4)),
        gap=gap,
    )


@contextmanager
def solving(lang: str = "en", console: Console | None = None) -> Iterator[Any]:
    """A status line while a solve runs: spinner, elapsed time, and the best plan and gap as
    HiGHS reports them. Yields the ``progress`` function for :func:`planner.solve` (None
    when the console is not a terminal: nothing would be shown)."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    c = console or out
    if not c.is_terminal:
        yield None
        return
    with Progress(
        SpinnerColumn(), TimeElapsedColumn(), TextColumn("{task.description}"), console=c, transient=True
    ) as bar:
        task = bar.add_task(word("solving", lang), total=None)

        def progress(p: Any) -> None:
            bar.update(task, description=progress_words(p, lang))

        yield progress


# ---------------------------------------------------------------------------------------
# an explanation, a diagnosis
# ---------------------------------------------------------------------------------------


def print_diagnosis(dg, console: Console | None = None) -> None:
    c = console or out
    c.print(styled(("diagnosis", "bold red"), ": why no plan exists, and the smallest relaxation that gives one"))
    for line in dg.summary_lines(15):
        bullet(c, str(line))


def binding_rule_lines(summ: pd.DataFrame, k: int, lang: str = "en") -> tuple[list[str], int, int]:
    """The policy rules that bind with the highest price, in words (at most ``k``), how many
    rules bind in all, and how many of those bind without a price."""
    binding = summ[summ["binding"] > 0]
    price = binding["max_shadow_price"].astype(float).fillna(0.0)
    priced = binding[(~binding["hard"].astype(bool)) & (binding["priced"] > 0) & (price.abs() > 1e-6)]
    priced = priced.assign(_p=priced["max_shadow_price"].astype(float).abs()).sort_values("_p", ascending=False)
    lines = []
    for r in priced.head(k).itertuples():
        fam = term("rule", r.family, lang)
        rule = fam if str(r.rule).lower() == fam.lower() else f"{fam}{paren(str(r.rule), lang)}"
        where = str(r.max_where or "")
        if where.startswith(f"{r.rule} (") and where.endswith(")"):
            where = where[len(str(r.rule)) + 2 : -1]
        line = word(
            "rule_price",
            lang,
            rule=rule,
            price=word("n_yuan_per_yr", lang, n=money_number(float(r.max_shadow_price), lang)),
            unit=unit_word(str(r.unit), lang),
        )
        lines.append(line + (paren(where, lang) if where else ""))
    unpriced = int(((binding["priced"] == 0) | (price.abs() <= 1e-6)).sum())
    return lines, len(binding), unpriced


def print_explanation(ex, n: int = 12, lang: str = "en", console: Console | None = None) -> None:
    """The explanation's notes, then the few rules that bind with the highest price in
    words (all of them are in explanation.json and the report), why options were not taken,
    what gardens and projects are worth, and the ranging of prices."""
    c = console or out
    for note in ex.notes:
        c.print(styled((note, "italic")))
    summ = ex.tables.get("rule_summary")
    if summ is not None and not summ.empty:
        k = min(n, 5)
        lines, total, unpriced = binding_rule_lines(summ, k, lang)
        c.print(styled((word("rules_that_bind", lang, k=len(lines), n=total), "bold")))
        for line in lines:
            bullet(c, line)
        if unpriced:
            bullet(c, word("rules_without_price", lang, n=unpriced))
    for key, table, k in (
        ("why_not", "options", n),
        ("importance", "importance", n),
        ("unit_prices", "unit_prices", n),
        ("ranging", "parameters", n),
    ):
        df = ex.tables.get(table)
        if df is None or df.empty:
            continue
        extra = []
        if table == "options":
            ties = df[(df["status"] == "not taken") & (df["needs_yuan_per_ha_yr"].fillna(0) <= 1e-6)]
            df = df[
                df["status"].isin(["forbidden", "held out"])
                | ((df["status"] == "not taken") & (df["needs_yuan_per_ha_yr"] > 1e-6))
            ]
            # a few of each kind: closest to entering first, then held out by decisions, then forbidden
            each = max(3, k // 3)
            parts = []
            for status in ("not taken", "held out", "forbidden"):
                g = df[df["status"] == status].sort_values("needs_yuan_per_ha_yr")
                parts.append(g.head(each))
                if len(g) > each:
                    extra.append(f"{len(g) - each} more {status} (see explain_options.csv)")
            df = pd.concat(parts)
            k = len(df)
            if len(ties):
                extra.append(
                    f"{len(ties)} more options not taken could enter at no loss (ties with the plan): "
                    + ", ".join(f"{u} in {v}" for v, u in zip(ties["village"], ties["use"]))
                )
        if table == "importance":
            stuck = df[df["status"] == "infeasible"]
            df = df[df["status"] != "infeasible"]
            if len(stuck):
                extra.append(
                    f"{len(stuck)} cannot be removed or added without breaking a rule: "
                    + ", ".join(f"{k} {i}" for k, i in zip(stuck["kind"], stuck["item"]))
                )
        c.print(styled((word(key, lang), "bold")))
        for s_ in list(df["statement"].head(k)) + extra:
            bullet(c, str(s_))


# ---------------------------------------------------------------------------------------
# plans compared
# ---------------------------------------------------------------------------------------


def _named(kind: str, id_: str, names: dict[tuple[str, str], str], lang: str, fallback: str = "") -> str:
    """``id (Name)`` for a village, project or role (the name from the instance when known,
    else the plan's, else the registry's)."""
    if kind == "role":
        return term("role", id_, lang)
    name = names.get((kind, id_)) or fallback
    return id_ if not name or name == id_ else f"{id_}{paren(name, lang)}"


def change_lines(ch: pd.DataFrame, plans: list[str], names: dict[tuple[str, str], str], lang: str = "en") -> list[str]:
    """Which gardens, projects and recruitment differ between each plan and the first, in
    words: ``projects built only in b: mine_park (Mine Park) in 2035``."""
    if ch.empty:
        return [word("nothing_changed", lang)]
    first = plans[0]
    lines: list[str] = []
    for other in plans[1:]:
        for kind, what in (("project", "projects_built"), ("garden", "gardens_built")):
            sub = ch[ch["kind"] == kind]
            for a, b in ((other, first), (first, other)):
                has = sub[(sub[a] > 0.5) & (sub[b] <= 0.5)]
                if has.empty:
                    continue
                items = []
                for id_, g in has.groupby("id", sort=False):
                    label = _named(
                        "village" if kind == "garden" else kind, str(id_), names, lang, str(g["name"].iloc[0])
                    )
                    items.append(word("item_in", lang, item=label, periods=", ".join(g["period"].astype(str))))
                key = "only_in" if len(plans) == 2 else "in_not_in"
                lines.append(word(key, lang, what=word(what, lang), plan=a, other=b, items="; ".join(items)))
        roles = ch[(ch["kind"] == "role") & ((ch[other] - ch[first]).abs() > 1e-6)]
        if not roles.empty:
            items = []
            for r in roles.to_dict(orient="records"):
                va, vb = float(r[first]), float(r[other])
                counts = ", ".join(
                    word("n_in_plan", lang, n=f"{v:,.0f}", plan=p) for v, p in ((va, first), (vb, other))
                )
                d = with_unit(f"{vb - va:+,.0f}", "people", lang, count=vb - va)
                items.append(
                    word("item_in", lang, item=term("role", str(r["id"]), lang), periods=str(r["period"]))
                    + f": {counts}{paren(d, lang)}"
                )
            lines.append(f"{word('recruited_differently', lang)}: " + "; ".join(items))
    return lines


def print_comparison(
    cmp: dict[str, pd.DataFrame],
    plans: list[str],
    *,
    names: dict[tuple[str, str], str] | None = None,
    lang: str = "en",
    top: int = 20,
    console: Console | None = None,
) -> None:
    """Plans side by side (:func:`planner.sweep.compare.compare_plans`): each plan's status,
    gap and objective, the key figures with each plan's difference from the first, what
    changed (gardens, projects, recruitment) and the largest differences of area."""
    from types import SimpleNamespace

    from planner.sweep.compare import difference_column

    c = console or out
    names = names or {}
    first = plans[0]
    c.print(styled((word("plans_compared", lang, first=first), "bold")))
    for r in cmp["summary"].itertuples(index=False):
        p = SimpleNamespace(mip_gap=r.mip_gap, objective=r.objective_yuan, objective_bound=r.objective_bound_yuan)
        obj = "–" if _missing(r.objective_yuan) else word("n_yuan_per_yr", lang, n=money_number(r.objective_yuan, lang))
        if not _missing(r.objective_change_yuan):
            d = float(r.objective_change_yuan)
            sign = "+" if d > 0 else "-"
            obj += paren(
                "0" if abs(d) < 0.5 else sign + word("n_yuan_per_yr", lang, n=money_number(abs(d), lang)), lang
            )
        c.print(
            styled_words(
                word("status_of", lang, name="{name}", status="{status}"),
                name=(str(r.plan), "bold"),
                status=(status_words(r.status, lang), STATUS_STYLE.get(r.status, "bold red")),
            )
        )
        sep = "；" if lang == "zh" else "; "
        c.print(styled("  ", word("gap_is", lang, gap=gap_words(p, lang)), f"{sep}{word('objective', lang)} {obj}"))
        if r.overrides:
            c.print(styled(f"  {r.overrides}"))
    k = cmp["kpis"]
    cols = [n for n in plans if n in k.columns]
    diffs = [difference_column(n, first) for n in cols[1:] if difference_column(n, first) in k.columns]
    for period, g in k.groupby("period", sort=False):
        headers = [str(period)] + cols + [word("difference", lang, b=n, a=first) for n in cols[1:]][: len(diffs)]
        rows = [
            [term("kpi", r["kpi"], lang)]
            + [fmt_kpi(r["kpi"], r[n], lang) for n in cols]
            + [fmt_kpi_change(r["kpi"], r[d], lang) for d in diffs]
            for r in g.to_dict(orient="records")
        ]
        c.print()
        print_table(c, headers, rows)
    c.print()
    c.print(styled((word("what_changed", lang), "bold")))
    for line in change_lines(cmp["changes"], plans, names, lang):
        bullet(c, line)
    a = cmp["areas"]
    if len(a):
        acols = [n for n in plans if n in a.columns]
        adiffs = [difference_column(n, first) for n in acols[1:] if difference_column(n, first) in a.columns]
        shown = a[a["spread"] > 0.005].head(top) if "spread" in a else a.head(top)
        if len(shown):
            headers = [term("word", "village", lang), term("word", "use", lang)] + acols
            headers += [word("difference", lang, b=n, a=first) for n in acols[1:]][: len(adiffs)]
            rows = [
                [_named("village", str(r["village"]), names, lang), term("use", str(r["use"]), lang)]
                + [sig3(float(r[n])) for n in acols]
                + [("+" if float(r[d]) > 0 else "") + sig3(float(r[d])) for d in adiffs]
                for r in shown.to_dict(orient="records")
            ]
            c.print()
            print_table(
                c, headers, rows, title=word("areas_compared", lang), right=[False, False] + [True] * (len(headers) - 2)
            )
    pr = cmp["prices"]
    if len(pr):
        n = len([p for p in plans if p in pr.columns])
        c.print(word("prices_compared", lang, plans=with_unit(str(n), "plans", lang, count=n)))
