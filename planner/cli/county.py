"""``planner solve``, ``validate`` and ``verify`` on a county instance (several townships,
county rules): what the commands of one instance do, for a county (:mod:`planner.county`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from planner.cli.app import err, exit_bad_input, exit_solve_error, out
from planner.cli.common import check_out, check_time_limit
from planner.cli.show import (
    bullet,
    fmt_kpi,
    gap_words,
    money_number,
    print_status_head,
    print_table,
    print_verification,
    word,
)
from planner.core.errors import InputError, SolveError
from planner.core.labels import term
from planner.core.status import EXIT
from planner.core.terminal import styled


def _load(instance: str, scenario: str | None, set_: list[str] | None):
    from planner.county import load_county

    try:
        return load_county(instance, scenario, set_)
    except InputError as e:
        exit_bad_input(e)


def load_county_arg(instance: str):
    """The county instance at ``instance``; bad input exits 2 with the problems."""
    return _load(instance, None, None)


def validate_county(instance: str, scenario: str | None, set_: list[str] | None) -> None:
    lc = _load(instance, scenario, set_)
    villages = sum(len(li.instance.villages) for _, li in lc.townships)
    parcels = sum(len(li.parcels) for _, li in lc.townships)
    pool = lc.pool
    rules = (
        ", ".join(
            (["county budget pool"] if pool is not None else [])
            + ([f"{len(lc.required_targets)} required county target(s)"] if lc.required_targets else [])
        )
        or "no county rules (townships independent)"
    )
    out.print(
        styled(
            ("valid", "green"),
            f": {lc.name} - county of {len(lc.townships)} townships, {villages} villages, {parcels} parcels, "
            f"periods {lc.periods}, {rules}",
        )
    )
    rows = [[tid, li.instance.name, str(len(li.instance.villages)), f"{len(li.parcels):,}"] for tid, li in lc.townships]
    print_table(out, ["township", "instance", "villages", "parcels"], rows)


def solve_county_command(
    instance: str,
    scenario: str | None,
    set_: list[str] | None,
    out_dir: str,
    time_limit: float | None,
    mip_gap: float | None,
    threads: int | None,
    solver: str | None,
    verify: bool,
    method: str,
    workers: int,
    scheduler: str | None,
    force: bool,
    lang: str,
    report: bool = False,
) -> None:
    from planner.core.outdir import OutTaken
    from planner.county import METHODS, solve_county

    if method not in METHODS:
        exit_bad_input(
            InputError.one("--method", "--method", f"unknown method {method!r}", f"use one of {', '.join(METHODS)}")
        )
    if workers < 1:
        exit_bad_input(InputError.one("--workers", "--workers", "must be 1 or more", "give e.g. 2", workers))
    lc = _load(instance, scenario, set_)
    check_time_limit(time_limit, mip_gap, threads)
    check_out(out_dir, force)
    try:
        cp = solve_county(
            lc,
            method=method,
            time_limit=time_limit,
            mip_gap=mip_gap,
            threads=threads,
            solver=solver,
            workers=workers,
            scheduler=scheduler,
            verify=verify,
        )
    except InputError as e:
        exit_bad_input(e)
    except SolveError as e:
        exit_solve_error(e)
    path = Path(out_dir)
    written = False
    if cp.has_solution:
        try:
            cp.write(path, force=force)
            written = True
        except OutTaken as e:
            exit_bad_input(
                InputError.one(
                    "--out",
                    "--out",
                    f"{out_dir!r} received a plan from another run while this one was solving",
                    f"this run's plan is kept in {e.kept}: move it where you want it, or solve again with --force",
                    out_dir,
                )
            )
        except OSError as e:
            exit_bad_input(
                InputError.one(
                    "--out",
                    "--out",
                    f"cannot write the plan to {out_dir!r}: {e.strerror or e}",
                    "give a writable folder",
                )
            )
    print_county_summary(cp, lang)
    if written:
        out.print(
            word(
                "county_wrote",
                lang,
                plan=str(path / "plan.json"),
                n=len(cp.tables()) + 3,
                k=len(cp.townships),
                folder=str(path),
            )
        )
    if written and report:
        from planner.report.county import write_county_report

        md, html = write_county_report(cp, path, county=lc, lang=lang)
        out.print(word("county_wrote_report", lang, md=str(md), html=str(html)))
    code = EXIT.get(cp.status, 1)
    if cp.verification is not None and not cp.verification["passed"]:
        code = 1
    raise typer.Exit(code)


#: townships listed in the terminal; the rest are in townships.csv
MAX_TOWNSHIP_LINES = 20


def print_county_summary(cp: Any, lang: str = "en") -> None:
    """Status, gap, method, one line per township, the county rows and the verification."""
    c = out
    print_status_head(cp, cp.name, lang, c)
    c.print(
        styled(
            "  ",
            word(
                "county_method",
                lang,
                method=word(f"county_method_{cp.method}", lang),
                n=len(cp.townships) or cp.coordination.get("townships", 0),
                solve=f"{cp.solve_time_s:.2f}",
            ),
        )
    )
    rounds = cp.coordination.get("iterations")
    if rounds:
        bound = "n/a" if cp.objective_bound is None else money_number(cp.objective_bound, lang)
        c.print(styled("  ", word("county_rounds", lang, n=rounds, bound=bound)))
    if cp.status_note:
        c.print(styled((cp.note(lang), "bold red" if not cp.has_solution else "yellow")))
    if not cp.has_solution:
        return
    periods = list(cp.pool) if cp.pool else []
    headers = [word("county_township", lang), word("county_objective", lang)] + [
        word("county_from_pool", lang, period=t) for t in periods
    ]
    rows = [
        [tid, money_number(p.objective or 0.0, lang)]
        + [money_number(cp.allocations.get(tid, {}).get(t, 0.0), lang) for t in periods]
        for tid, p in cp.townships
    ]
    c.print()
    shown = rows if len(rows) <= MAX_TOWNSHIP_LINES else rows[:MAX_TOWNSHIP_LINES]
    print_table(c, headers, shown)
    if len(shown) < len(rows):
        c.print(word("county_more_townships", lang, n=len(rows) - len(shown)))
    for r in cp.county_rows().itertuples():
        c.print(
            word(
                "county_pool_line",
                lang,
                period=r.period,
                used=money_number(r.used_yuan, lang),
                limit=money_number(r.limit_yuan, lang),
            )
        )
    print_county_targets(cp, lang)
    v = cp.verification
    if v is not None:
        if v["passed"]:
            c.print(styled((word("checked_passed", lang, n=len(v["checks"])), "green")))
        else:
            c.print(styled((word("checked_failed", lang, n=len(v["violations"])), "red")))
            for x in v["violations"][:20]:
                bullet(c, f"[{x['rule']}] {x['where']}: {x['message']} (plan {x['value']}, limit {x['limit']})")


def print_county_targets(cp: Any, lang: str = "en") -> None:
    """One line per county target: its name, the plan's value, its limits, required or
    reported, met or not."""
    t = cp.targets
    if t is None or not len(t):
        return
    out.print(word("county_targets", lang))
    for r in t.itertuples():
        limits = []
        if r.min is not None and r.min == r.min:
            limits.append(f">= {fmt_kpi(r.kpi, r.min, lang)}")
        if r.max is not None and r.max == r.max:
            limits.append(f"<= {fmt_kpi(r.kpi, r.max, lang)}")
        name = r.label or term("kpi", r.kpi, lang) + (f" [{r.service}]" if r.service else "")
        bullet(
            out,
            word(
                "county_target_line",
                lang,
                name=name,
                period=r.period,
                value=fmt_kpi(r.kpi, r.value, lang),
                limits=", ".join(limits),
                kind=word("target_required" if r.required else "target_reported", lang),
                met=word("county_target_met" if r.met else "county_target_missed", lang),
            ),
        )


def verify_county_command(plan_path: str, instance: str) -> None:
    from planner.plan.county import CountyPlan
    from planner.verify import verify_county

    try:
        cp = CountyPlan.from_json(plan_path)
    except (OSError, ValueError, KeyError) as e:
        exit_bad_input(InputError.one(plan_path, "(file)", f"cannot read the county plan: {e}", "give its folder"))
    lc = _load(instance, None, None)
    if lc.name != cp.name:
        exit_bad_input(
            InputError.one(
                plan_path,
                "county",
                f"the plan is of county {cp.name!r}",
                f"give the instance the plan was made for ({cp.path})",
            )
        )
    res = verify_county(cp.townships, lc, cp.objective, cp.targets)
    print_verification(res, f"{cp.name} ({len(cp.townships)} townships; plan status {cp.status}, gap {gap_words(cp)})")


__all__ = [
    "print_county_summary",
    "print_county_targets",
    "solve_county_command",
    "validate_county",
    "verify_county_command",
    "err",
]
