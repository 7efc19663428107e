"""Sensitivity of sweep results to the swept parameters.

Every function takes the *design* (the frame from :mod:`planner.sweep.design`:
``scenario`` + one column per parameter path, with ``attrs['design']``) and the
*results* (the sweep's tidy table: one row per ``scenario`` with ``status`` and the
output columns such as ``objective``, ``gep_yuan_2025``, ``dividends_yuan_2035``), joins
them on ``scenario`` and returns a long table, one row per (output, parameter).

- :func:`morris_indices`: Morris screening (``mu``, ``mu_star``, ``sigma``,
  ``mu_star_conf``);
- :func:`sobol_indices`: Sobol' first-order and total indices (``S1``, ``ST`` and their
  confidence half-widths), :func:`sobol_second_order` the pairs;
- :func:`oat_effects`: low/high/base values and swing per parameter of a one-at-a-time
  design, for a tornado chart.

A scenario "has a solution" when its ``status`` is ``optimal`` or ``feasible`` (a
``feasible`` plan was stopped by a limit: its outputs are those of a good plan, not a
proved optimum). Morris and Sobol estimates need the output of *every* scenario of the
design, in the design's order: if any scenario has no solution (``infeasible``,
``no_solution``, ``error``, or is missing from the results), they raise
:class:`ValueError` naming how many and which, with their status and error. Narrow the
ranges (an infeasible corner is a finding in itself: a one-at-a-time sweep shows where it
starts) or give the solver more time and run those scenarios again. The one-at-a-time
effects tolerate failed levels (their values are NaN and counted in ``unsolved``); only a
failed base scenario raises.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from difflib import get_close_matches
from typing import Any

import numpy as np
import pandas as pd

from planner.core.status import WITH_PLAN
from planner.sweep.design import design_info, parameter_columns

SOLVED = WITH_PLAN  # the statuses whose scenarios have results
_NOT_OUTPUTS = {"scenario", "name", "status", "termination", "mip_gap", "error", "time_s", "mode"}


def _results_frame(results: pd.DataFrame) -> pd.DataFrame:
    if "scenario" not in results.columns:
        if results.index.name == "scenario":
            results = results.reset_index()
        else:
            raise ValueError("the results have no 'scenario' column")
    if "status" not in results.columns:
        raise ValueError("the results have no 'status' column")
    ids = results["scenario"].astype(int)
    dup = sorted(set(ids[ids.duplicated()]))
    if dup:
        raise ValueError(f"the results repeat scenario id(s) {dup[:20]}")
    return results.assign(scenario=ids)


def _check_outputs(results: pd.DataFrame, outputs: Iterable[str], params: list[str]) -> list[str]:
    outs = [outputs] if isinstance(outputs, str) else list(outputs)
    if not outs:
        raise ValueError("name at least one output column")
    avail = [c for c in results.columns if c not in _NOT_OUTPUTS and c not in params]
    for o in outs:
        if o not in results.columns:
            close = get_close_matches(o, avail, n=3)
            hint = f"; did you mean {close}?" if close else ""
            raise ValueError(f"output {o!r} is not a column of the results{hint} (outputs: {avail})")
    return outs


def aligned(
    design: pd.DataFrame, results: pd.DataFrame, outputs: Iterable[str]
) -> tuple[pd.DataFrame, list[str], list[str]]:
    """Design rows in scenario order joined with status, error and outputs."""
    params = parameter_columns(design)
    results = _results_frame(results)
    outs = _check_outputs(results, outputs, params)
    d = design[["scenario", *params]].assign(scenario=design["scenario"].astype(int)).sort_values("scenario")
    keep = [
        "scenario",
        "status",
        *(["error"] if "error" in results.columns else []),
        *[o for o in outs if o not in params],
    ]
    merged = d.merge(results[list(dict.fromkeys(keep))], on="scenario", how="left").reset_index(drop=True)
    merged["status"] = merged["status"].where(merged["status"].notna(), "missing")
    if "error" not in merged.columns:
        merged["error"] = ""
    return merged, params, outs


def _describe(rows: pd.DataFrame, limit: int = 20) -> str:
    parts = []
    for r in rows.head(limit).itertuples(index=False):
        err = str(getattr(r, "error", "") or "")
        err = "" if err in ("", "nan", "None") else f": {err.splitlines()[0][:80]}"
        parts.append(f"{int(r.scenario)} ({r.status}{err})")
    more = f", ... and {len(rows) - limit} more" if len(rows) > limit else ""
    return ", ".join(parts) + more


def _require_solved(merged: pd.DataFrame, outs: list[str], method: str) -> None:
    failed = merged[~merged["status"].isin(SOLVED)]
    if len(failed):
        raise ValueError(
            f"{method} needs the output of every scenario of the design, but {len(failed)} of {len(merged)} "
            f"scenario(s) have no solution: {_describe(failed)}. Narrow the parameter ranges or give the solver "
            f"more time and run them again (a one-at-a-time sweep shows where the plan stops being feasible)"
        )
    for o in outs:
        bad = merged[pd.to_numeric(merged[o], errors="coerce").isna()]
        if len(bad):
            raise ValueError(
                f"{method}: output {o!r} is missing for {len(bad)} solved scenario(s): "
                f"{sorted(int(s) for s in bad['scenario'])[:20]}"
            )


def _problem(design: pd.DataFrame, params: list[str]) -> dict[str, Any]:
    prob = design_info(design).get("problem")
    if prob and list(prob.get("names", [])) == params:
        return {"num_vars": len(params), "names": list(params), "bounds": [list(map(float, b)) for b in prob["bounds"]]}
    bounds = [[float(design[p].min()), float(design[p].max())] for p in params]
    return {"num_vars": len(params), "names": list(params), "bounds": bounds}


def _check_kind(design: pd.DataFrame, kind: str) -> dict[str, Any]:
    info = design_info(design)
    name = info.get("name")
    if name is not None and name != kind:
        raise ValueError(f"the design is a {name!r} design, not {kind!r}: {kind} indices need a {kind} design")
    return info


def morris_indices(
    design_df: pd.DataFrame,
    results_df: pd.DataFrame,
    outputs: Iterable[str],
    *,
    num_levels: int | None = None,
    conf_level: float = 0.95,
    num_resamples: int = 1000,
    seed: int | None = 0,
) -> pd.DataFrame:
    """Morris elementary-effect statistics per output and parameter
    (``SALib.analyze.morris.analyze``, unscaled).

    Columns: ``output, parameter, mu, mu_star, sigma, mu_star_conf``. An elementary
    effect is the change of the output over one trajectory step divided by the step
    *in the unit cube*, ``delta = num_levels / (2 (num_levels - 1))``; one step moves
    a parameter by ``delta * (high - low)`` in its own units. So effects are in output
    units per *full range* of the parameter: for ``y = 3 a`` with ``a`` in ``[0, 10]``
    every effect of ``a`` is ``3 * 10 = 30`` (whatever ``num_levels``), and
    ``mu_star = 30``; a parameter the output ignores has ``mu_star = sigma = 0``.
    ``mu_star`` ranks importance, ``sigma`` flags non-linearity or interaction,
    ``mu`` far below ``mu_star`` means effects of both signs.

    ``num_levels`` defaults to the design's. Raises :class:`ValueError` if any scenario
    has no solution (see the module docstring) or the design is not a Morris design.
    """
    from SALib.analyze import morris as morris_analyze

    info = _check_kind(design_df, "morris")
    merged, params, outs = aligned(design_df, results_df, outputs)
    _require_solved(merged, outs, "Morris analysis")
    k = len(params)
    if len(merged) % (k + 1):
        raise ValueError(f"a Morris design over {k} parameters has a multiple of {k + 1} scenarios, not {len(merged)}")
    levels = int(num_levels or info.get("num_levels") or 4)
    X = merged[params].to_numpy(dtype=float)
    raw = info.get("X_unrounded")
    if raw is not None and np.shape(raw) == X.shape:
        X = np.asarray(raw, dtype=float)  # rows are in scenario order, as sampled
    problem = _problem(design_df, params)
    rows = []
    for o in outs:
        Y = pd.to_numeric(merged[o]).to_numpy(dtype=float)
        si = morris_analyze.analyze(
            problem, X, Y, num_resamples=num_resamples, conf_level=conf_level, num_levels=levels, seed=seed
        )
        for j, p in enumerate(params):
            rows.append(
                {
                    "output": o,
                    "parameter": p,
                    "mu": float(si["mu"][j]),
                    "mu_star": float(si["mu_star"][j]),
                    "sigma": float(si["sigma"][j]),
                    "mu_star_conf": float(si["mu_star_conf"][j]),
                }
            )
    return pd.DataFrame(rows, columns=["output", "parameter", "mu", "mu_star", "sigma", "mu_star_conf"])


def _sobol_raw(design_df, results_df, outputs, second_order, conf_level, num_resamples, seed):
    from SALib.analyze import sobol as sobol_analyze

    info = _check_kind(design_df, "sobol")
    merged, params, outs = aligned(design_df, results_df, outputs)
    _require_solved(merged, outs, "Sobol analysis")
    designed = info.get("second_order")
    if second_order is None:
        second_order = bool(designed)
    elif designed is not None and bool(designed) != bool(second_order):
        raise ValueError(f"the design was sampled with second_order={bool(designed)}; analyse it the same way")
    k = len(params)
    step = 2 * k + 2 if second_order else k + 2
    if len(merged) % step:
        raise ValueError(
            f"a Sobol design over {k} parameters (second_order={second_order}) has a multiple of "
            f"{step} scenarios, not {len(merged)}"
        )
    problem = _problem(design_df, params)
    out = {}
    for o in outs:
        Y = pd.to_numeric(merged[o]).to_numpy(dtype=float)
        if np.ptp(Y) == 0:  # a constant output: variance shares are undefined
            nan = np.full(k, np.nan)
            out[o] = {
                "S1": nan,
                "S1_conf": nan,
                "ST": nan,
                "ST_conf": nan,
                "S2": np.full((k, k), np.nan),
                "S2_conf": np.full((k, k), np.nan),
            }
            continue
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            out[o] = sobol_analyze.analyze(
                problem,
                Y,
                calc_second_order=bool(second_order),
                conf_level=conf_level,
                num_resamples=num_resamples,
                seed=seed,
            )
    return params, outs, out


def sobol_indices(
    design_df: pd.DataFrame,
    results_df: pd.DataFrame,
    outputs: Iterable[str],
    second_order: bool | None = None,
    *,
    conf_level: float = 0.95,
    num_resamples: int = 1000,
    seed: int | None = 0,
) -> pd.DataFrame:
    """Sobol' indices per output and parameter (``SALib.analyze.sobol.analyze``).

    Columns: ``output, parameter, S1, S1_conf, ST, ST_conf``. ``S1`` is the share of
    the output's variance due to the parameter alone, ``ST`` including its interactions;
    the ``_conf`` columns are bootstrap confidence half-widths (``conf_level``). Small
    ``n`` gives wide intervals and indices slightly below 0 or above 1. An output that is
    the same in every scenario has NaN indices (no variance to share).

    ``second_order`` defaults to the design's and must match it (the sample layout
    differs). Raises :class:`ValueError` if any scenario has no solution (see the module
    docstring) or the design is not a Sobol design.
    """
    params, outs, res = _sobol_raw(design_df, results_df, outputs, second_order, conf_level, num_resamples, seed)
    rows = [
        {
            "output": o,
            "parameter": p,
            "S1": float(res[o]["S1"][j]),
            "S1_conf": float(res[o]["S1_conf"][j]),
            "ST": float(res[o]["ST"][j]),
            "ST_conf": float(res[o]["ST_conf"][j]),
        }
        for o in outs
        for j, p in enumerate(params)
    ]
    return pd.DataFrame(rows, columns=["output", "parameter", "S1", "S1_conf", "ST", "ST_conf"])


def sobol_second_order(
    design_df: pd.DataFrame,
    results_df: pd.DataFrame,
    outputs: Iterable[str],
    *,
    conf_level: float = 0.95,
    num_resamples: int = 1000,
    seed: int | None = 0,
) -> pd.DataFrame:
    """Second-order Sobol' indices of a ``sobol(..., second_order=True)`` design:
    ``output, parameter_1, parameter_2, S2, S2_conf``, one row per pair."""
    params, outs, res = _sobol_raw(design_df, results_df, outputs, True, conf_level, num_resamples, seed)
    rows = [
        {
            "output": o,
            "parameter_1": p,
            "parameter_2": q,
            "S2": float(res[o]["S2"][i][j]),
            "S2_conf": float(res[o]["S2_conf"][i][j]),
        }
        for o in outs
        for i, p in enumerate(params)
        for j, q in enumerate(params)
        if j > i
    ]
    return pd.DataFrame(rows, columns=["output", "parameter_1", "parameter_2", "S2", "S2_conf"])


def oat_varied(design_df: pd.DataFrame, base_scenario: int = 0) -> pd.Series:
    """The parameter each scenario of a one-at-a-time design varies (``None`` for the
    base and for rows equal to it), indexed by scenario: from ``attrs['design']['varied']``
    when present, else detected as the one column that differs from the base row.
    Raises :class:`ValueError` for a row that differs in two or more parameters."""
    params = parameter_columns(design_df)
    d = design_df.assign(scenario=design_df["scenario"].astype(int)).sort_values("scenario").set_index("scenario")
    info = design_info(design_df)
    varied = info.get("varied")
    if varied is not None and len(varied) == len(d) and info.get("name") == "one_at_a_time" and base_scenario == 0:
        return pd.Series(list(varied), index=d.index, dtype=object)
    if base_scenario not in d.index:
        raise ValueError(f"base scenario {base_scenario} is not in the design")
    base = d.loc[base_scenario, params].astype(float)
    vals = d[params].astype(float)
    diff = ~np.isclose(vals.to_numpy(), base.to_numpy()[None, :], rtol=1e-12, atol=0.0)
    out = []
    for sid, row in zip(d.index, diff):
        n = int(row.sum())
        if n > 1:
            changed = [p for p, c in zip(params, row) if c]
            raise ValueError(
                f"not a one-at-a-time design: scenario {sid} differs from base scenario {base_scenario} in {changed}"
            )
        out.append(params[int(np.argmax(row))] if n == 1 else None)
    return pd.Series(out, index=d.index, dtype=object)


def oat_effects(
    design_df: pd.DataFrame, results_df: pd.DataFrame, outputs: Iterable[str], base_scenario: int = 0
) -> pd.DataFrame:
    """One-at-a-time effects, one row per output and parameter, largest swing first
    within each output, for a tornado chart.

    Which parameter a scenario varies comes from ``attrs['design']['varied']``
    (:func:`planner.sweep.design.one_at_a_time` records it; :func:`load_design` restores
    it). Without it, it is detected (:func:`oat_varied`): then a level equal to the base
    value is indistinguishable from the base and counts as the base, not as a level.

    Columns: ``output, parameter``; the parameter's ``low`` and ``high`` (lowest and
    highest level run) and ``base`` value; the output there: ``value_low``,
    ``value_high``, ``value_base``; ``value_min``/``value_max`` over all its solved
    levels and the base; ``swing = value_max - value_min`` (>= 0); ``change =
    value_high - value_low`` (signed: the output rises with the parameter when > 0);
    ``levels`` run and ``unsolved`` (levels without a solution; their values are NaN).

    The base scenario must have a solution (else :class:`ValueError`).
    """
    merged, params, outs = aligned(design_df, results_df, outputs)
    varied = oat_varied(design_df, base_scenario)
    merged = merged.assign(varied=merged["scenario"].map(varied))
    bmask = merged["scenario"] == base_scenario
    if not bmask.any():
        raise ValueError(f"base scenario {base_scenario} is not in the design")
    brow = merged[bmask].iloc[0]
    if brow["status"] not in SOLVED:
        raise ValueError(
            f"the base scenario {base_scenario} has no solution ({_describe(merged[bmask])}): "
            "one-at-a-time effects are measured from it"
        )
    solved = merged["status"].isin(SOLVED)
    rows = []
    for o in outs:
        y = pd.to_numeric(merged[o], errors="coerce").where(solved)
        vb = float(y[bmask].iloc[0])
        for p in params:
            m = merged["varied"] == p
            if not m.any():
                continue
            x = merged.loc[m, p].astype(float)
            ys = y[m]
            lo_i, hi_i = x.idxmin(), x.idxmax()
            allv = pd.concat([ys.dropna(), pd.Series([vb])])
            rows.append(
                {
                    "output": o,
                    "parameter": p,
                    "low": float(x[lo_i]),
                    "high": float(x[hi_i]),
                    "base": float(brow[p]),
                    "value_low": float(ys[lo_i]),
                    "value_high": float(ys[hi_i]),
                    "value_base": vb,
                    "value_min": float(allv.min()),
                    "value_max": float(allv.max()),
                    "swing": float(allv.max() - allv.min()),
                    "change": float(ys[hi_i] - ys[lo_i]),
                    "levels": int(m.sum()),
                    "unsolved": int((~solved[m]).sum()),
                }
            )
    cols = [
        "output",
        "parameter",
        "low",
        "high",
        "base",
        "value_low",
        "value_high",
        "value_base",
        "value_min",
        "value_max",
        "swing",
        "change",
        "levels",
        "unsolved",
    ]
    df = pd.DataFrame(rows, columns=cols)
    if len(df):
        order = {o: i for i, o in enumerate(outs)}
        df = (
            df.assign(_o=df["output"].map(order))
            .sort_values(["_o", "swing"], ascending=[True, False], kind="stable")
            .drop(columns="_o")
            .reset_index(drop=True)
        )
    return df


__all__ = ["SOLVED", "morris_indices", "oat_effects", "oat_varied", "sobol_indices", "sobol_second_order"]
