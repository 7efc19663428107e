"""Run many scenarios of one base instance: in local worker processes (default: one per
core) or on a Dask distributed cluster (``scheduler="tcp://host:8786"``, or a
``distributed.Client``).

Each scenario is a set of ``--set`` overrides (dotted instance path -> value) applied to
the base instance. Its result is one row: ``scenario``, the inputs (one column per
path), ``status``, ``termination``, ``mip_gap``, ``objective`` (Yuan/yr), ``error``,
``time_s``, ``mode`` (``rebuild`` or ``fast``) and the KPIs per period
(``<kpi>_<period>``, :data:`SWEEP_KPIS`).

Results are written as each scenario finishes: one JSON line per scenario in
``results.jsonl`` (written by this process only, flushed and synced), so a sweep that is
killed keeps every finished scenario; run it again with ``resume=True`` and only the
missing ones run. ``results.parquet`` (and ``results.csv``) hold the whole table at the
end. ``sweep.json`` records what the sweep is (instance, overrides, scenarios); a resume
must match it. A scenario that fails is recorded with ``status = "error"`` and its
message, and the sweep goes on.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from planner.api import load_instance, solve
from planner.core import faults
from planner.core.cells import csv_text
from planner.core.errors import InputError
from planner.core.files import write_text, written
from planner.core.parallel import run_each
from planner.core.values import json_value
from planner.instance.overrides import split_overrides
from planner.sweep.fast import FastModel

SWEEP_KPIS = (
    "gep_yuan",
    "forestry_carbon_income_yuan",
    "agricultural_carbon_income_yuan",
    "dividends_yuan",
    "budget_used_yuan",
    "vegetation_coverage",
    "forest_coverage",
    "gardens_built",
    "projects_built",
    "recruited_people",
)
SWEEP_FORMAT = "planner.sweep"


# ---------------------------------------------------------------------------
# one scenario (runs in a worker)
# ---------------------------------------------------------------------------

_CACHE: dict[Any, Any] = {}  # per worker process: the fast models built so far


def run_one(task: dict[str, Any]) -> dict[str, Any]:
    """Solve one scenario; never raises (a failure is a row with status ``error``)."""
    t0 = time.perf_counter()
    row: dict[str, Any] = {
        "scenario": task["scenario"],
        **({"name": task["name"]} if task.get("name") else {}),
        **task["sets"],
        "status": "error",
        "termination": "",
        "mip_gap": None,
        "objective": None,
        "error": "",
        "mode": "rebuild",
    }
    try:
        sets = task["sets"]
        swept_only = set(sets) <= set(task["ranges"]) and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in sets.values()
        )
        if task.get("fast") and not task.get("plan_dir") and swept_only:
            import threading

            # one model per worker thread (a Dask worker may run several scenarios at once) and
            # per sweep (a reused worker must not keep a model of an instance since edited)
            key = (threading.get_ident(), task.get("token"))
            fm = _CACHE.get(key)
            if fm is None:
                for k in [k for k in _CACHE if k[0] == key[0]]:
                    del _CACHE[k]
                fm = _CACHE[key] = _fast_model(task)
            if fm is not None and fm.exact:
                row.update(fm.solve(task["sets"], time_limit=task.get("time_limit"), mip_gap=task.get("mip_gap")))
                row["mode"] = "fast"
                row["time_s"] = time.perf_counter() - t0
                return row
        row.update(rebuild_and_solve(task))
    except InputError as e:
        row["error"] = "; ".join(f"{p.field}: {p.message}" for p in e.problems)
    except Exception as e:  # noqa: BLE001 - a failed scenario is recorded and the sweep goes on
        row["error"] = f"{type(e).__name__}: {e}"
    row["time_s"] = time.perf_counter() - t0
    return row


def _fast_model(task: dict[str, Any]):
    """The worker's fast model, or None when it cannot be built (then every scenario is rebuilt)."""

    try:
        return FastModel.from_path(task["instance"], task["overrides"], task["ranges"])
    except Exception:  # noqa: BLE001 - the rebuild path reports the scenario's own problem
        return None


def rebuild_and_solve(task: dict[str, Any]) -> dict[str, Any]:

    scenario, sets = split_overrides(task["overrides"])
    sets = sets + [f"{k}={json.dumps(v)}" for k, v in task["sets"].items()]
    li = load_instance(task["instance"], scenario=scenario, sets=sets)
    plan = solve(
        li, time_limit=task.get("time_limit"), mip_gap=task.get("mip_gap"), threads=1, verify=task.get("verify", False)
    )
    out = {"status": plan.status, "termination": plan.termination, "mip_gap": plan.mip_gap, "objective": plan.objective}
    if plan.verification is not None and not plan.verification["passed"]:
        out["error"] = "the independent verifier found violations"
    if plan.has_solution:
        out.update(kpi_columns(plan.tables["kpis"]))
    if task.get("plan_dir"):
        plan.write(task["plan_dir"])
    return out


def kpi_columns(kpis: pd.DataFrame) -> dict[str, float]:
    """{``<kpi>_<period>``: value} from a plan's kpis table."""
    out = {}
    for r in kpis.to_dict(orient="records"):
        for k in SWEEP_KPIS:
            if k in r:
                out[f"{k}_{r['period']}"] = float(r[k])
    return out


# ---------------------------------------------------------------------------
# the sweep
# ---------------------------------------------------------------------------


def read_results(out_dir: str | Path) -> pd.DataFrame:
    """The rows written so far (a last line cut by a kill is ignored)."""
    path = Path(out_dir) / "results.jsonl"
    rows = []
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                continue  # a line cut short by a kill: its scenario runs again
    return pd.DataFrame(rows)


def run_scenarios(
    instance: str | Path,
    scenarios: pd.DataFrame,
    out_dir: str | Path,
    *,
    overrides: Iterable[str] = (),
    workers: int | None = None,
    scheduler: Any = None,
    resume: bool = False,
    fast: bool = False,
    time_limit: float | None = None,
    mip_gap: float | None = None,
    verify: bool = False,
    save_plans: bool = False,
    sets_by_scenario: dict[int, dict[str, Any]] | None = None,
    meta: dict[str, Any] | None = None,
    progress: Callable[[int, int], Any] | None = None,
) -> pd.DataFrame:
    """Run every scenario (a frame with ``scenario`` and one column per dotted path) and
    return the results table. ``sets_by_scenario`` ({scenario: {path: value}}) gives the
    exact overrides of named scenarios (a ``None`` value sets the field to null). See the
    module docstring for files, resume and failures."""
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise InputError.one(
            "--out", "--out", f"cannot create {str(out)!r}: {e.strerror or e}", "give a directory you can write to"
        ) from None
    client = _client(scheduler) if scheduler is not None else None
    paths = [c for c in scenarios.columns if c not in ("scenario", "name")]
    ids = [int(s) for s in scenarios["scenario"]]
    if len(set(ids)) != len(ids):
        raise InputError.one("scenarios", "scenario", "scenario ids repeat", "give each scenario its own id")
    spec = {
        "format": SWEEP_FORMAT,
        "version": "1.0",
        "instance": str(Path(instance).resolve()),
        "overrides": list(overrides),
        "parameters": paths,
        "scenarios": [{k: json_value(v) for k, v in r.items()} for r in scenarios.to_dict(orient="records")],
        **(meta or {}),
    }
    spec_path = out / "sweep.json"
    done = read_results(out)
    if resume:
        if not spec_path.exists():
            raise InputError.one(
                str(spec_path), "(file)", "nothing to resume here", "run the sweep without --resume first"
            )
        old = json.loads(spec_path.read_text(encoding="utf-8"))
        if {k: old.get(k) for k in ("instance", "overrides", "parameters", "scenarios")} != {
            k: spec[k] for k in ("instance", "overrides", "parameters", "scenarios")
        }:
            raise InputError.one(
                str(spec_path),
                "(file)",
                "this directory holds a different sweep",
                "resume with the same instance, overrides and design, or use a new --out",
            )
    elif len(done) or spec_path.exists():
        raise InputError.one(
            str(out), "--out", "the directory already holds a sweep", "add --resume to finish it, or give a new --out"
        )
    else:
        write_text(spec_path, json.dumps(spec, indent=1))
    finished = set(int(s) for s in done["scenario"]) if len(done) else set()
    todo = [r for r in scenarios.to_dict(orient="records") if int(r["scenario"]) not in finished]
    ranges = {
        p: (float(scenarios[p].min()), float(scenarios[p].max()))
        for p in paths
        if pd.api.types.is_numeric_dtype(scenarios[p])
    }
    # a missing value (a named scenario that does not set this path) is not applied; the
    # overrides of named scenarios are taken as given (a null sets the field to null)
    import uuid

    token = uuid.uuid4().hex
    exact = {int(k): v for k, v in (sets_by_scenario or {}).items()}
    tasks = [
        {
            "scenario": int(r["scenario"]),
            "sets": exact[int(r["scenario"])]
            if int(r["scenario"]) in exact
            else {p: json_value(r[p]) for p in paths if json_value(r[p]) is not None},
            "instance": str(Path(instance).resolve()),
            "overrides": list(overrides),
            "fast": fast,
            "ranges": ranges,
            "token": token,
            "time_limit": time_limit,
            "mip_gap": mip_gap,
            "verify": verify,
            "name": r.get("name"),
            "plan_dir": str(out / "plans" / str(r.get("name") or r["scenario"])) if save_plans else None,
        }
        for r in todo
    ]
    total, count = len(ids), len(finished)
    if progress:
        progress(count, total)
    _repair(out / "results.jsonl")
    with (out / "results.jsonl").open("a", encoding="utf-8") as fh:

        def record(row: dict[str, Any]) -> None:
            nonlocal count
            fh.write(json.dumps({k: json_value(v) for k, v in row.items()}, allow_nan=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
            count += 1
            faults.reached("sweep-result")
            if progress:
                progress(count, total)

        if not tasks:
            pass
        elif client is not None:
            _run_dask(tasks, client, record, close=client is not scheduler)
        else:
            _run_local(tasks, workers, record)
    if client is not None and client is not scheduler and not tasks:
        client.close()
    table = finish(out)
    return table


def _run_local(tasks: list[dict[str, Any]], workers: int | None, record: Callable[[dict[str, Any]], None]) -> None:
    run_each(run_one, tasks, workers or os.cpu_count() or 1, lambda _i, row: record(row), _failed)


def _failed(task: dict[str, Any], e: BaseException) -> dict[str, Any]:
    """The row of a scenario whose worker died: the scenario's error, not the sweep's."""
    return {
        "scenario": task["scenario"],
        **task["sets"],
        "status": "error",
        "termination": "",
        "mip_gap": None,
        "objective": None,
        "error": f"the worker failed: {type(e).__name__}: {e}",
        "mode": "rebuild",
        "time_s": None,
    }


def _repair(path: Path) -> None:
    """Cut a last line left unfinished by a kill, so the next row starts on its own line."""
    if not path.exists() or path.stat().st_size == 0:
        return
    data = path.read_bytes()
    if not data.endswith(b"\n"):
        path.write_bytes(data[: data.rfind(b"\n") + 1])


def _client(scheduler: Any):
    try:
        from distributed import Client
    except ImportError as e:
        raise InputError.one(
            "--scheduler",
            "--scheduler",
            "Dask distributed is not installed",
            "pip install 'planner[dask]' (or distributed)",
        ) from e
    if isinstance(scheduler, Client):
        return scheduler
    try:
        return Client(scheduler, timeout="15s")
    except (OSError, ValueError, TimeoutError) as e:
        raise InputError.one(
            "--scheduler",
            "--scheduler",
            f"cannot reach the Dask scheduler: {e}",
            "give the address the scheduler printed, e.g. tcp://host:8786",
            scheduler,
        ) from None


def _run_dask(tasks: list[dict[str, Any]], client: Any, record: Callable[[dict[str, Any]], None], close: bool) -> None:
    from distributed import as_completed as dask_completed

    try:
        futs = client.map(run_one, tasks, pure=False)
        by = {f.key: t for f, t in zip(futs, tasks)}
        for fut in dask_completed(futs):
            try:
                row = fut.result()
            except Exception as e:  # noqa: BLE001 - KilledWorker and the like
                row = _failed(by[fut.key], e)
            record(row)
    finally:
        if close:
            client.close()


def finish(out_dir: str | Path) -> pd.DataFrame:
    """Consolidate results.jsonl into results.parquet and results.csv, one row per scenario,
    in scenario order."""
    out = Path(out_dir)
    df = read_results(out)
    if df.empty:
        return df
    df = df.drop_duplicates("scenario", keep="first").sort_values("scenario").reset_index(drop=True)
    with written(out / "results.parquet") as tmp:  # results.jsonl stays the record; these are its tidy copies
        df.to_parquet(tmp, index=False)
    write_text(out / "results.csv", csv_text(df))
    return df


def sweep(instance: str | Path, design: pd.DataFrame, out_dir: str | Path, **kw: Any) -> pd.DataFrame:
    """Run a design (``planner.sweep.design``: a frame with ``scenario`` and one column per
    parameter path) on ``instance``; keyword arguments as :func:`run_scenarios`."""
    meta = {
        "design": {
            k: json_value(v) if not isinstance(v, dict) else v for k, v in design.attrs.get("design", {}).items()
        }
    }
    return run_scenarios(instance, design, out_dir, meta=json.loads(json.dumps(meta, default=str)), **kw)
