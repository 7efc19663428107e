"""Synthetic instances from township to prefecture scale, built from the bundled
Nuanshui case (``planner generate``).

The generated township has ``V - 1`` ordinary villages and one central town. Ordinary
village ``i`` (0-based) is a clone of Nuanshui's non-town village ``TPL[i % 9]`` (the
nine villages in ``nuanshui.yaml`` order) in cluster ``k = i // 9`` and is called
``f"{tpl}_{k + 1:03d}"`` (``deshengxi_001``); the town is a clone of ``central_town``
and keeps that id. Each village's parcels are the template village's parcels of
``nuanshui_parcels.csv`` split into pieces (with fewer parcels than template rows, rows
of identical attributes are merged first; with fewer than that, classes are sampled and
rescaled), so every village has the template village's area, cover mix and attributes.
The YAML is ``nuanshui.yaml`` with village lists expanded to the clones, the six
village-hosted EOD projects cloned per cluster, and the township-wide figures
(budgets, loan cap, recruitment ranges, money targets) scaled by ``r = (V - 1) / 9``.
Everything is seeded: the same arguments give byte-identical files.

See ``docs/generate.md`` for the reasoning behind each choice. The data are synthetic
and the scaling rules are assumptions, not the paper's.
"""

from __future__ import annotations

import copy
import math
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from planner.api import load_instance
from planner.core.cells import write_csv
from planner.core.errors import InputError, Problem
from planner.core.files import write_text, written
from planner.core.kpis import SCALED_KPIS
from planner.core.paths import bundled_dir

TEMPLATE = "nuanshui"  # bundled instance the generator clones
TOWN_ID = "central_town"  # the template's town (its id is kept)
SMALL_ROW_HA = 5.0  # template rows below this stay one piece (woodlots, small plots)
PARQUET_FROM = 200_000  # parcel tables this large are written as Parquet
MAX_VILLAGES = 20_000  # the instance YAML must stay under the loader's size limits
GAMMA_SHAPE = 4.0  # Dirichlet-like noise of the pieces of one row
WEIGHT_SCALE = 1 << 20  # weights are made integers so the area split is exact
BOOL_COLS = ("red_line", "along_road", "mature", "carbon_registered")
ATTRS = ("cover", "red_line", "eco_space", "ownership", "along_road", "mature", "carbon_registered")
COLUMNS = ("id", "village", "area", "cover", "red_line", "eco_space", "ownership", *BOOL_COLS[1:])
# Nuanshui assumptions whose figures the generated instance copies unchanged.
KEPT_ASSUMPTIONS = (
    "gep_scale",
    "gep_price_index_2035",
    "agricultural_carbon_participation",
    "period_lengths",
    "loans",
    "red_line_min_share",
    "eco_space_types",
    "eco_space_measures",
    "forest_coverage_min",
    "garden_min_ha",
    "interactive_forest_per_garden_ha",
    "courtyard_max_share",
    "street_green_size_ha",
    "scenic_min_parcel_ha",
    "role_groups",
    "role_scope",
    "recruitment_periods",
    "complex_roles_projects",
    "project_hosts",
    "project_capex_yuan",
    "project_income_yuan_per_yr",
    "project_shares",
    "project_gep_yuan_per_yr",
    "central_town_park_renovation",
    "objective",
)


# ---------------------------------------------------------------------------
# Templates and the village plan
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Templates:
    raw: dict  # nuanshui.yaml as plain data
    parcels: pd.DataFrame  # nuanshui_parcels.csv, typed, with integer ``cents`` (0.01 ha)
    villages: list[str]  # the nine non-town template villages, in YAML order
    rows: dict[str, np.ndarray]  # template village -> its row positions in ``parcels``
    classes: dict[str, tuple[np.ndarray, np.ndarray]]  # template village -> (first row, cents) per attribute class


def load_templates() -> Templates:
    """The bundled Nuanshui instance and parcel table (read only)."""
    folder = bundled_dir("instances")
    raw = yaml.safe_load((folder / f"{TEMPLATE}.yaml").read_text(encoding="utf-8"))
    df = pd.read_csv(folder / raw["parcels"]["file"], dtype=str, keep_default_na=False)
    for c in BOOL_COLS:
        df[c] = df[c].str.strip().str.lower().isin(("true", "1", "yes"))
    df["cents"] = np.rint(df["area"].astype(float) * 100).astype(np.int64)
    villages = [v["id"] for v in raw["villages"] if not v.get("is_town")]
    rows = {v: np.flatnonzero(df["village"].to_numpy() == v) for v in [*villages, TOWN_ID]}
    key = df[list(ATTRS)].astype(str).agg("|".join, axis=1).to_numpy()
    classes = {}
    for v, r in rows.items():
        _, first, inv = np.unique(key[r], return_index=True, return_inverse=True)
        order = np.argsort(first, kind="stable")  # classes in template order
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        merged = np.bincount(rank[inv], weights=df["cents"].to_numpy()[r], minlength=len(order))
        classes[v] = (r[first[order]], np.rint(merged).astype(np.int64))
    return Templates(raw, df, villages, rows, classes)


@dataclass(frozen=True)
class GenVillage:
    id: str
    template: str
    cluster: int | None  # None for the town
    name: str
    is_town: bool = False


def village_plan(n_villages: int, tpl: Templates) -> list[GenVillage]:
    """The ``n_villages - 1`` ordinary villages in order, then the town."""
    names = {v["id"]: v.get("name", v["id"]) for v in tpl.raw["villages"]}
    out = []
    for i in range(n_villages - 1):
        t, k = tpl.villages[i % len(tpl.villages)], i // len(tpl.villages)
        out.append(GenVillage(f"{t}_{k + 1:03d}", t, k, f"{names[t]} {k + 1:03d}"))
    out.append(GenVillage(TOWN_ID, TOWN_ID, None, names[TOWN_ID], True))
    return out


def parcels_per_village(n_parcels: int, n_villages: int) -> np.ndarray:
    """``n_parcels`` split as evenly as possible, the first villages taking the remainder."""
    base, extra = divmod(n_parcels, n_villages)
    return np.full(n_villages, base, dtype=np.int64) + (np.arange(n_villages) < extra)


# ---------------------------------------------------------------------------
# Parcels
# ---------------------------------------------------------------------------


def piece_counts(cents: np.ndarray, n: int) -> np.ndarray:
    """Pieces per template row (``cents``: row areas in 0.01 ha) adding up to exactly ``n``
    (``n`` >= number of rows). Rows under ``SMALL_ROW_HA`` stay one piece; the others get
    pieces in proportion to their area, the rounding settled on the largest rows; no piece
    is smaller than 0.01 ha."""
    small = cents < SMALL_ROW_HA * 100
    large = ~small if (~small).any() else np.ones_like(small)
    counts = np.ones(len(cents), dtype=np.int64)
    m = n - int((~large).sum())
    idx = np.flatnonzero(large)
    share = m * cents[idx] / cents[idx].sum()
    counts[idx] = np.clip(np.floor(share).astype(np.int64), 1, cents[idx])
    order = idx[np.argsort(-cents[idx], kind="stable")]  # largest rows first
    diff = m - int(counts[idx].sum())
    while diff:
        room = order[counts[order] < cents[order]] if diff > 0 else order[counts[order] > 1]
        if not len(room):  # cannot happen when n <= total cents (checked by the caller)
            raise ValueError("cannot split the rows into that many pieces of at least 0.01 ha")
        step = room[: abs(diff)]
        counts[step] += 1 if diff > 0 else -1
        diff -= len(step) if diff > 0 else -len(step)
    return counts


def _split_cents(total: np.ndarray, n: np.ndarray, weights: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Split each segment's ``total`` cents into its ``n`` pieces in proportion to the
    pieces' integer ``weights``, every piece at least 1 cent, the segment total exact."""
    seg = np.repeat(np.arange(len(n)), n)
    wsum = np.add.reduceat(weights, starts)
    free = total - n
    cents = 1 + (free[seg] * weights) // wsum[seg]
    residual = total - np.add.reduceat(cents, starts)  # 0 <= residual < n
    pos = np.arange(len(weights)) - starts[seg]
    return cents + (pos < residual[seg])


def _sample_rows(
    cents: np.ndarray, cover: np.ndarray, n: int, m: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """For ``m`` villages of one template with ``n`` parcels each, fewer than its units
    (``cents``, ``cover``): ``n`` units per village drawn without replacement with
    probability weighted by area (Efraimidis-Spirakis keys), and their areas rescaled so
    each sampled cover keeps its template area and the village its total. Returns the
    (m, n) unit positions (template order) and their areas in cents."""
    area = cents.astype(float)
    keys = np.log(rng.random((m, len(cents)))) / area  # Efraimidis-Spirakis keys
    pick = np.sort(np.argsort(-keys, axis=1, kind="stable")[:, :n], axis=1)
    codes, cov = np.unique(cover, return_inverse=True)
    onehot = np.eye(len(codes))[cov]  # rows x covers
    cover_total = area @ onehot
    chosen = area[pick]  # m x n
    sampled = np.einsum("mn,mnc->mc", chosen, onehot[pick])  # sampled area per cover
    present_total = (cover_total * (sampled > 0)).sum(axis=1, keepdims=True)
    factor = np.where(sampled > 0, cover_total / np.where(sampled > 0, sampled, 1), 0) * (cents.sum() / present_total)
    target = chosen * np.take_along_axis(factor, cov[pick], axis=1)
    out = np.floor(target).astype(np.int64)
    short = cents.sum() - out.sum(axis=1)  # 0 <= short < n
    rank = np.argsort(np.argsort(-(target - out), axis=1, kind="stable"), axis=1, kind="stable")
    return pick, out + (rank < short[:, None])


def units(tpl: Templates, template: str, n: int) -> tuple[np.ndarray, np.ndarray, str]:
    """What a village of ``n`` parcels is built from: (template row giving the attributes,
    area in cents, mode) per unit. ``split``: the template rows themselves (``n`` >= rows);
    ``merge``: rows with identical attributes merged into one unit per attribute class
    (classes <= ``n`` < rows; every attribute's area is kept, so what can be built is
    unchanged); ``sample``: the classes, to be sampled (``n`` < classes)."""
    rows = tpl.rows[template]
    if n >= len(rows):
        return rows, tpl.parcels["cents"].to_numpy()[rows], "split"
    first, merged = tpl.classes[template]
    return first, merged, ("merge" if n >= len(first) else "sample")


def min_classes(tpl: Templates) -> int:
    """Parcels per village from which no village is sampled (each attribute class kept)."""
    return max(len(units(tpl, t, 1)[0]) for t in tpl.rows)


def make_parcels(plan: list[GenVillage], n_parcels: int, tpl: Templates, rng: np.random.Generator) -> pd.DataFrame:
    """The generated parcel table (areas in ha, two decimals), village after village,
    pieces in template-row order."""
    counts_v = parcels_per_village(n_parcels, len(plan))
    offsets = np.concatenate([[0], np.cumsum(counts_v)])
    total = int(offsets[-1])
    src = tpl.parcels
    cover_all = src["cover"].to_numpy()
    row = np.empty(total, dtype=np.int64)  # template row whose attributes each piece has
    vix = np.empty(total, dtype=np.int64)  # generated village of each piece
    seg_start = np.zeros(total, dtype=bool)  # first piece of a unit
    seg_cents = np.empty(total, dtype=np.int64)  # area of the piece's unit (cents)
    groups: dict[tuple[str, int], list[int]] = {}
    for i, v in enumerate(plan):
        groups.setdefault((v.template, int(counts_v[i])), []).append(i)
    for (t, n), members in groups.items():  # at most 2 per template: a few dozen groups
        mem = np.asarray(members)
        pos = offsets[mem][:, None] + np.arange(n)[None, :]
        vix[pos] = mem[:, None]
        rep, cents, mode = units(tpl, t, n)
        if mode == "sample":
            pick, area = _sample_rows(cents, cover_all[rep], n, len(mem), rng)
            row[pos] = rep[pick]
            seg_start[pos] = True
            seg_cents[pos] = area
        else:
            cnt = piece_counts(cents, n)
            first = np.zeros(n, dtype=bool)
            first[np.concatenate([[0], np.cumsum(cnt)[:-1]])] = True
            row[pos] = np.repeat(rep, cnt)[None, :]
            seg_start[pos] = first[None, :]
            seg_cents[pos] = np.repeat(cents, cnt)[None, :]
    weights = np.floor(rng.gamma(GAMMA_SHAPE, size=total) * WEIGHT_SCALE).astype(np.int64) + 1
    starts = np.flatnonzero(seg_start)
    n_seg = np.diff(np.concatenate([starts, [total]]))
    cents = _split_cents(seg_cents[starts], n_seg, weights, starts)
    ids = np.array([v.id for v in plan], dtype=object)
    number = pd.Series(np.arange(total) - offsets[vix] + 1).astype(str).str.zfill(6)
    vcol = pd.Series(ids[vix])
    df = pd.DataFrame(
        {
            "id": (vcol + "_" + number).to_numpy(),
            "village": vcol.to_numpy(),
            "area": cents / 100.0,
        }
    )
    for c in ATTRS:
        df[c] = src[c].to_numpy()[row]
    return df


def write_parcels(df: pd.DataFrame, path: Path) -> None:
    """CSV (true/false, areas to 0.01 ha) or Parquet, written whole (:mod:`planner.core.files`)."""
    with written(path) as tmp:
        if path.suffix == ".parquet":
            df.to_parquet(tmp, index=False, engine="pyarrow", compression="zstd")
        else:
            out = df.copy()
            for c in BOOL_COLS:
                out[c] = np.where(out[c].to_numpy(), "true", "false")
            write_csv(out, tmp, float_format="%.2f", lineterminator="\n")


# ---------------------------------------------------------------------------
# The instance YAML
# ---------------------------------------------------------------------------


def _round(x: float) -> int:
    return math.floor(x + 0.5)


def _cluster_projects(raw: dict) -> tuple[list[dict], list[dict]]:
    """(projects hosted by ordinary villages: cloned per cluster, projects of the town: kept once)."""
    town = [p for p in raw["projects"] if p["host_village"] == TOWN_ID]
    return [p for p in raw["projects"] if p["host_village"] != TOWN_ID], town


def build_yaml(
    tpl: Templates,
    plan: list[GenVillage],
    n_parcels: int,
    seed: int,
    name: str,
    parcel_file: str,
    drop: set[tuple[str, int]] = frozenset(),
    total_ha: float | None = None,
) -> tuple[dict, list[str]]:
    """The instance as plain data, and the cluster projects left out (``drop``: pairs of
    template project id and cluster that can never be built, found by :func:`generate`)."""
    raw = copy.deepcopy(tpl.raw)
    n_villages = len(plan)
    r = (n_villages - 1) / len(tpl.villages)
    n_clusters = plan[-2].cluster + 1 if n_villages > 1 else 0
    clone = {(v.template, v.cluster): v.id for v in plan if not v.is_town}

    def expand(ids: list[str]) -> list[str]:
        keep = set(ids)
        return [v.id for v in plan if v.template in keep]

    args = f"--villages {n_villages} --parcels {n_parcels} --seed {seed}"
    raw["name"] = name
    raw["description"] = (
        f"Synthetic instance generated by `planner generate {args}` from the bundled Nuanshui case: "
        f"{n_villages - 1} villages cloned from Nuanshui's nine in {n_clusters} cluster(s) of nine, plus the central "
        "town; "
        f"{n_parcels:,} parcels split from Nuanshui's parcel table. Township-wide figures are Nuanshui's scaled by "
        f"r = (V - 1) / 9 = {r:.6g}. Not a real township and not the paper's figures."
    )
    raw["township"] = {"name": f"Synthetic township {name}"}
    raw["parcels"] = {"file": parcel_file, "area_unit": "ha"}
    raw["valuation"] = tpl.raw["valuation"]  # a bundled library name resolves from any directory (io._resolve_library)
    for per in raw["periods"]:
        per["budget_yuan"] = _round(per["budget_yuan"] * r)
    tv = {v["id"]: v for v in tpl.raw["villages"]}
    villages = []
    for v in plan:
        item = {"id": v.id, "name": v.name}
        if v.is_town:
            item["is_town"] = True
        item["labour_pool"] = copy.deepcopy(tv[v.template].get("labour_pool", {}))
        villages.append(item)
    raw["villages"] = villages
    for pol in (raw.get("uses") or {}).values():
        if pol.get("villages") is not None:
            pol["villages"] = expand(pol["villages"])
    if raw.get("finance", {}).get("loan_cap_yuan") is not None:
        raw["finance"]["loan_cap_yuan"] = _round(raw["finance"]["loan_cap_yuan"] * r)

    # Projects: the village-hosted ones per cluster, where their host's clone exists.
    cluster_projects, town_projects = _cluster_projects(tpl.raw)
    cluster_ids = {p["id"] for p in cluster_projects}
    permitted = {u: pol.get("villages") for u, pol in (tpl.raw.get("uses") or {}).items()}
    projects, clones_of, dropped = [], {}, []
    for k in range(n_clusters):
        for p in cluster_projects:
            if (p["host_village"], k) not in clone:
                continue
            new_id = f"{p['id']}_{k + 1:03d}"
            q = copy.deepcopy(p)
            q["id"] = new_id
            q["name"] = f"{p.get('name', p['id'])} (cluster {k + 1:03d})"
            q["host_village"] = clone[(p["host_village"], k)]
            ok = (p["id"], k) not in drop
            pres = []
            for pre in q.get("prerequisites", []):
                if pre.get("villages") is not None:
                    pre["villages"] = [clone[(t, k)] for t in pre["villages"] if (t, k) in clone]
                    ok &= bool(pre["villages"])
                elif pre.get("min_area_ha") is not None:
                    # Township-wide in the template: here the cluster's own area counts, in the
                    # villages where the counted uses are permitted (the ornamental-forest
                    # villages for the forest park), else in all of the cluster's villages.
                    allowed = {x for u in pre.get("uses") or [] for x in permitted.get(u) or []}
                    order = [t for t in tpl.villages if t in allowed] or tpl.villages
                    pre["villages"] = [clone[(t, k)] for t in order if (t, k) in clone]
                    ok &= bool(pre["villages"])
                if pre.get("garden_in") is not None:
                    ok &= (pre["garden_in"], k) in clone
                    pre["garden_in"] = clone.get((pre["garden_in"], k))
                if pre.get("project") is not None and pre["project"] in cluster_ids:
                    ok &= (pre["project"], k) not in drop
                    pre["project"] = f"{pre['project']}_{k + 1:03d}"
                pres.append(pre)
            q["prerequisites"] = pres
            if ok:
                projects.append(q)
                clones_of.setdefault(p["id"], []).append(new_id)
            else:
                dropped.append(new_id)
    for p in town_projects:
        q = copy.deepcopy(p)
        for pre in q.get("prerequisites", []):
            if pre.get("villages") is not None:
                pre["villages"] = expand(pre["villages"])
            if pre.get("garden_in") is not None and pre["garden_in"] != TOWN_ID:
                pre["garden_in"] = clone.get((pre["garden_in"], 0), pre["garden_in"])
        projects.append(q)
        clones_of.setdefault(p["id"], []).append(q["id"])
    while True:  # a project whose prerequisite project is missing goes too
        existing = {q["id"] for q in projects}
        gone = [
            q
            for q in projects
            if any(pre.get("project") not in (None, *existing) for pre in q.get("prerequisites", []))
        ]
        if not gone:
            break
        dropped += [q["id"] for q in gone]
        projects = [q for q in projects if q not in gone]
    raw["projects"] = projects

    # Roles: ranges are township totals (recruitment.py sums them over villages), so all scale.
    roles, dropped_roles = [], []
    for role in raw.get("roles", []):
        role["min"] = max(0, _round(role["min"] * r))
        role["max"] = max(1, _round(role["max"] * r), role["min"])
        if role.get("villages") is not None:
            role["villages"] = expand(role["villages"])
        if role.get("projects"):
            role["projects"] = [c for j in role["projects"] for c in clones_of.get(j, []) if c in existing]
            if not role["projects"]:
                dropped_roles.append(role["id"])
                continue
        if role.get("min_per_project"):  # per project, not scaled: each clone keeps its project's minimum
            per = {c: n for j, n in role["min_per_project"].items() for c in clones_of.get(j, []) if c in existing}
            role["min_per_project"] = per
            role["min"] = sum(per.values())
            role["max"] = max(role["max"], role["min"])
        roles.append(role)
    raw["roles"] = roles

    targets = []
    for tg in raw.get("targets", []):
        tg = dict(tg)
        if tg["kpi"] == "gardens_built":
            for side in ("min", "max"):
                if tg.get(side) is not None:
                    tg[side] = n_villages - 1
            tg["label"] = f"One garden in each of the {n_villages - 1} villages"
        elif tg["kpi"] in SCALED_KPIS:
            for side in ("min", "max"):
                if tg.get(side) is not None:
                    tg[side] = _round(tg[side] * r)
            tg["label"] = f"{tg.get('label', tg['kpi'])} - Nuanshui's figure scaled by r = {r:.6g}"
        elif tg["kpi"] == "projects_built":
            continue  # depends on how many clusters there are: no meaningful scaled figure
        tg["source"] = f"{tg.get('source', '')} (Nuanshui target; synthetic instance)".strip()
        targets.append(tg)
    raw["targets"] = targets

    old = tpl.raw.get("assumptions", {})
    area = f"{total_ha:,.2f} ha" if total_ha is not None else "the template villages' areas"
    assumptions = {
        "synthetic": (
            f"synthetic: generated by `planner generate {args}` (planner/generate.py, numpy seed {seed}) from "
            "the bundled Nuanshui case (instances/nuanshui.yaml, instances/nuanshui_parcels.csv, itself "
            "synthetic). Not a real township; no figure here was observed."
        ),
        "villages": (
            f"generated: {n_villages - 1} ordinary villages; village i (from 0) is a clone, with its labour "
            f"pool, of Nuanshui's village number i mod 9 in the order {', '.join(tpl.villages)}, in cluster "
            f"i div 9 ({n_clusters} cluster(s)), named after it with the cluster number; plus "
            "the central town (a clone of central_town). Village permissions and role village lists name "
            "every clone of the villages the template names."
        ),
        "parcels": (
            f"generated: {n_parcels:,} parcels, as even a share per village as possible. Each template parcel of "
            f"{SMALL_ROW_HA:g} ha or more is split into pieces in proportion to its area with gamma({GAMMA_SHAPE:g}) "
            f"noise; smaller ones (household woodlots and plots) stay whole; every piece keeps the row's cover, red "
            "line, ecological space, ownership and flags. With fewer parcels per village than template parcels, "
            "parcels with identical attributes are merged first; with fewer than attribute classes, classes are "
            "sampled by area and rescaled per cover. Every village has its template's area; the township adds up "
            f"to {area}. township.stated_area_ha is left unset."
        ),
        "scaling": (
            f"assumption: r = (V - 1) / 9 = {r:.6g}, the number of ordinary villages over Nuanshui's nine. Scaled "
            "by r (rounded to whole Yuan or people): period budgets, finance.loan_cap_yuan, every recruitment "
            "range (the ranges bind township totals, also for village-scope roles), and the money, area and "
            "people targets; gardens_built target = V - 1. Copied: labour pools, policies, prices, the "
            "library, project capex, income, GEP and prerequisite thresholds (per cluster)."
        ),
        "projects": (
            "assumption: the six village-hosted EOD projects are cloned in each cluster of nine villages where "
            "their host village's clone exists, their prerequisites naming that cluster's clones (the forest "
            "park's tourism-forest area counts in the cluster's ornamental-forest villages); the central-town "
            "park renovation stays once, required."
            + (
                f" Left out because their prerequisites can never be met in this township: {dropped}."
                if dropped
                else ""
            )
            + (f" Roles dropped with no project left to staff: {dropped_roles}." if dropped_roles else "")
        ),
        "valuation_library": (
            "as in nuanshui.yaml: library xie2015 (Xie et al. 2015 equivalents, carbon methods, "
            "establishment costs, labour norms; models/xie2015.yaml lists each figure's source)."
        ),
    }
    for key in KEPT_ASSUMPTIONS:
        if key in old:
            assumptions[key] = f"as in nuanshui.yaml (figure copied; the text describes Nuanshui): {old[key]}"
    raw["assumptions"] = assumptions
    return raw, dropped


def dump_yaml(raw: dict, args: str) -> str:
    head = (
        f"# Synthetic instance written by `planner generate {args}` (planner/generate.py).\n"
        "# Built from the bundled Nuanshui case; see docs/generate.md. Not real data.\n"
    )
    # libyaml's emitter when present (a 20,000-village instance is about 10 MB of YAML)
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    body = {k: v for k, v in raw.items() if k != "assumptions"}
    text = yaml.dump(body, Dumper=dumper, sort_keys=False, allow_unicode=True, width=100, default_flow_style=None)
    if "assumptions" in raw:  # one entry per block, not one flow mapping
        text += yaml.dump(
            {"assumptions": raw["assumptions"]},
            Dumper=dumper,
            sort_keys=False,
            allow_unicode=True,
            width=100,
            default_flow_style=False,
        )
    return head + text


# ---------------------------------------------------------------------------
# Never-met prerequisites (found with the loader on a small probe)
# ---------------------------------------------------------------------------

_PRE = re.compile(r"^projects\.([^.]+)\.prerequisites")


def _never_met(
    tpl: Templates, n_villages: int, parcels: pd.DataFrame | None, seed: int, name: str, drop: set[tuple[str, int]]
) -> list[Problem]:
    """Load a probe of the instance; return the loader's problems. ``parcels`` None: the
    probe has each template row whole (a split keeps every row's area and attributes,
    so what can be built is the same as at full resolution)."""

    plan = village_plan(n_villages, tpl)
    if parcels is None:
        rows = np.concatenate([tpl.rows[v.template] for v in plan])
        vil = np.concatenate([[v.id] * len(tpl.rows[v.template]) for v in plan])
        parcels = tpl.parcels.iloc[rows][list(COLUMNS)].copy()
        parcels["village"] = vil
        parcels["id"] = [f"p{i}" for i in range(len(parcels))]
        parcels["area"] = tpl.parcels["cents"].to_numpy()[rows] / 100.0
    raw, _ = build_yaml(tpl, plan, len(parcels), seed, name, "parcels.parquet", drop)
    with tempfile.TemporaryDirectory(prefix="planner-generate-") as d:
        folder = Path(d)
        parcels.to_parquet(folder / "parcels.parquet", index=False)
        (folder / "instance.yaml").write_text(dump_yaml(raw, "probe"), encoding="utf-8")
        try:
            load_instance(folder / "instance.yaml")
        except InputError as exc:
            return exc.problems
    return []


def _find_drops(
    tpl: Templates, n_villages: int, parcels: pd.DataFrame | None, seed: int, name: str
) -> set[tuple[str, int]]:
    """Cluster projects (template id, cluster) that can never be built. Without ``parcels``
    the probe is one full cluster and the last partial one, mapped back to every cluster."""
    per = len(tpl.villages)
    n_ord = n_villages - 1
    if parcels is None and n_ord > per:
        rem = n_ord % per
        probe_v = per + rem + 1 if rem else per + 1
        mapping = {0: [k for k in range(n_ord // per)], 1: [n_ord // per] if rem else []}
    else:
        probe_v, mapping = n_villages, None
    cluster_ids = {p["id"] for p in _cluster_projects(tpl.raw)[0]}
    drop: set[tuple[str, int]] = set()
    while True:
        problems = _never_met(tpl, probe_v, parcels, seed, "probe", drop)
        new, other = set(), []
        for pr in problems:
            m = _PRE.match(pr.field)
            base, _, k = m.group(1).rpartition("_") if m else ("", "", "")
            if m and base in cluster_ids and k.isdigit() and (base, int(k) - 1) not in drop:
                new.add((base, int(k) - 1))
            else:
                other.append(pr)
        if other:
            fix = (
                f"give more parcels: at least {min_classes(tpl)} per village (--parcels "
                f"{min_classes(tpl) * n_villages} "
                "or more) keeps every kind of land in every village"
                if parcels is not None
                else "this is a bug in planner generate (the template cannot be cloned): please report it"
            )
            raise InputError(
                [
                    Problem(
                        "planner generate",
                        pr.field,
                        f"the generated instance would not load: {pr.message}",
                        fix,
                        pr.value,
                    )
                    for pr in other
                ]
            )
        if not new:
            break
        drop |= new
    if mapping is None:
        return drop
    return {(j, k) for j, probe_k in drop for k in mapping.get(probe_k, [])}


# ---------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------


def check_arguments(villages: int, parcels: int, seed: int, out: Path, force: bool) -> None:
    """Raise :class:`InputError` naming every bad argument."""
    p: list[Problem] = []
    if villages < 2:
        p.append(
            Problem(
                "--villages",
                "--villages",
                "at least 2 villages are needed (one village and the central town)",
                "give --villages 2 or more",
                villages,
            )
        )
    elif villages > MAX_VILLAGES:
        p.append(
            Problem(
                "--villages",
                "--villages",
                f"more than {MAX_VILLAGES:,} villages would make the instance YAML too large to load",
                f"give at most {MAX_VILLAGES:,}",
                villages,
            )
        )
    if parcels < max(villages, 1):
        p.append(
            Problem(
                "--parcels",
                "--parcels",
                "fewer parcels than villages; every village needs at least one",
                f"give --parcels {max(villages, 1)} or more",
                parcels,
            )
        )
    if seed < 0:
        p.append(Problem("--seed", "--seed", "the seed must be >= 0", "give a non-negative integer", seed))
    if not p and 2 <= villages <= MAX_VILLAGES:
        tpl = load_templates()
        plan = village_plan(villages, tpl)
        counts = parcels_per_village(parcels, villages)
        for v, n in zip(plan, counts):
            cents = tpl.parcels["cents"].to_numpy()[tpl.rows[v.template]]
            small = cents < SMALL_ROW_HA * 100
            cap = int(small.sum() + cents[~small].sum())
            if n > cap:
                p.append(
                    Problem(
                        "--parcels",
                        "--parcels",
                        f"{n:,} parcels in village {v.id!r} ({cents.sum() / 100:,.2f} ha) would "
                        "leave pieces smaller than 0.01 ha",
                        "give fewer parcels or more villages",
                        parcels,
                    )
                )
                break
    out = Path(out)
    if out.exists() and not out.is_dir():
        p.append(Problem("--out", "--out", f"{str(out)!r} is a file, not a directory", "give a directory", str(out)))
    elif (out / "instance.yaml").exists() and not force:
        p.append(
            Problem(
                "--out",
                "--out",
                f"{str(out)!r} already holds an instance (instance.yaml)",
                "add --force to replace it, or give a new --out",
                str(out),
            )
        )
    if p:
        raise InputError(p)


def generate(
    villages: int, parcels: int, seed: int, out: Path, name: str | None = None, *, force: bool = False
) -> Path:
    """Write ``out/instance.yaml`` and ``out/parcels.csv`` (``parcels.parquet`` from
    ``PARQUET_FROM`` parcels) for a synthetic township of ``villages`` villages (the
    last one the central town) and ``parcels`` parcels; return the YAML's path.

    The same arguments give byte-identical files. Raises :class:`InputError` for bad
    arguments, or when ``out`` already holds an instance and ``force`` is false."""
    return write_instance(villages, parcels, seed, out, name, force=force)["path"]


def write_instance(
    villages: int, parcels: int, seed: int, out: Path, name: str | None = None, *, force: bool = False
) -> dict[str, Any]:
    """:func:`generate`, returning what was written: ``path``, ``parcel_file``, ``name``,
    ``villages``, ``parcels``, ``total_ha``, ``clusters``, ``projects`` and the cluster
    projects left out (``dropped``)."""
    for what, val in (("villages", villages), ("parcels", parcels), ("seed", seed)):
        if isinstance(val, bool) or not isinstance(val, (int, np.integer)):
            raise InputError.one(f"--{what}", f"--{what}", "must be a whole number", "give an integer", val)
    villages, parcels, seed = int(villages), int(parcels), int(seed)
    out = Path(out)
    check_arguments(villages, parcels, seed, out, force)
    name = name or f"generated_v{villages}_p{parcels}_s{seed}"
    tpl = load_templates()
    plan = village_plan(villages, tpl)
    rng = np.random.default_rng(seed)
    table = make_parcels(plan, parcels, tpl, rng)
    sampled = any(
        units(tpl, t, int(n))[2] == "sample"
        for t, n in {(v.template, n) for v, n in zip(plan, parcels_per_village(parcels, villages))}
    )
    drop = _find_drops(tpl, villages, table if sampled else None, seed, name)
    parcel_file = "parcels.parquet" if parcels >= PARQUET_FROM else "parcels.csv"
    total_ha = int(np.rint(table["area"].to_numpy() * 100).sum()) / 100
    raw, dropped = build_yaml(tpl, plan, parcels, seed, name, parcel_file, drop, total_ha)
    out.mkdir(parents=True, exist_ok=True)
    write_parcels(table, out / parcel_file)
    write_text(out / "instance.yaml", dump_yaml(raw, f"--villages {villages} --parcels {parcels} --seed {seed}"))
    return {
        "path": out / "instance.yaml",
        "parcel_file": out / parcel_file,
        "name": name,
        "villages": villages,
        "parcels": parcels,
        "total_ha": total_ha,
        "clusters": plan[-2].cluster + 1,
        "projects": len(raw["projects"]),
        "dropped": dropped,
    }


# ---------------------------------------------------------------------------
# Counties and prefectures: several generated townships in one county instance
# ---------------------------------------------------------------------------

MAX_TOWNSHIPS = 2_000
TOWNSHIP_VILLAGES = 10  # villages per township by default (nine and the central town), as Nuanshui


def township_seed(seed: int, k: int) -> int:
    """The seed of township ``k`` (0-based) of a county generated with ``seed``."""
    return seed * 100_003 + k


def write_county(
    townships: int,
    parcels: int,
    seed: int,
    out: Path,
    name: str | None = None,
    *,
    villages: int = TOWNSHIP_VILLAGES,
    pool_share: float = 0.0,
    force: bool = False,
) -> dict[str, Any]:
    """Write a county (or prefecture) instance: ``out/instance.yaml`` listing ``townships``
    generated townships of ``villages`` villages each (``out/townships/tNNN/``, each a
    :func:`write_instance` township with seed :func:`township_seed`), the ``parcels``
    split among them as evenly as whole numbers allow (the first ones get one more).
    ``pool_share`` (0 to 1) moves that share of every township's budget per period into a
    county budget pool (``county.budget_pool_yuan``, the sum of what was moved), so the
    county has the same money in all; 0 (default): no county rules, townships independent.

    Returns ``path``, ``name``, ``townships``, ``villages`` (in all), ``parcels``,
    ``total_ha`` and ``pool`` (Yuan per period, or None)."""
    for what, val in (("townships", townships), ("parcels", parcels), ("seed", seed), ("villages", villages)):
        if isinstance(val, bool) or not isinstance(val, (int, np.integer)):
            raise InputError.one(f"--{what}", f"--{what}", "must be a whole number", "give an integer", val)
    out = Path(out)
    p: list[Problem] = []
    if not 1 <= townships <= MAX_TOWNSHIPS:
        p.append(Problem("--townships", "--townships", f"give 1 to {MAX_TOWNSHIPS:,} townships", "", townships))
    if isinstance(pool_share, bool) or not isinstance(pool_share, (int, float)) or not 0 <= pool_share <= 1:
        p.append(Problem("--pool-share", "--pool-share", "must be a share from 0 to 1", "give e.g. 0.2", pool_share))
    if townships >= 1 and parcels < townships * max(villages, 1):
        p.append(
            Problem(
                "--parcels",
                "--parcels",
                f"fewer parcels than the {townships * villages:,} villages of {townships} townships",
                f"give --parcels {townships * villages} or more",
                parcels,
            )
        )
    if (out / "instance.yaml").exists() and not force:
        p.append(
            Problem(
                "--out",
                "--out",
                f"{str(out)!r} already holds an instance (instance.yaml)",
                "add --force to replace it, or give a new --out",
                str(out),
            )
        )
    if p:
        raise InputError(p)
    name = name or f"generated_t{townships}_p{parcels}_s{seed}"
    base, extra = divmod(parcels, townships)
    refs = []
    pool: dict[str, float] = {}
    total_ha = 0.0
    for k in range(townships):
        tid = f"t{k + 1:03d}"
        folder = out / "townships" / tid
        info = write_instance(
            villages, base + (1 if k < extra else 0), township_seed(seed, k), folder, f"{name}_{tid}", force=force
        )
        total_ha += info["total_ha"]
        if pool_share:
            raw = yaml.safe_load(info["path"].read_text(encoding="utf-8"))
            for per in raw["periods"]:
                moved = _round(per["budget_yuan"] * pool_share)
                per["budget_yuan"] -= moved
                pool[per["id"]] = pool.get(per["id"], 0) + moved
            raw.setdefault("assumptions", {})["county_pool_share"] = (
                f"assumption: {pool_share:g} of this township's budget per period is in its county's budget pool "
                "(planner generate --pool-share); the county has the same money in all"
            )
            args = f"--villages {villages} --parcels {info['parcels']} --seed {township_seed(seed, k)}"
            write_text(info["path"], dump_yaml(raw, args + f" (township {tid} of {name})"))
        refs.append({"id": tid, "file": f"townships/{tid}/instance.yaml"})
    county: dict[str, Any] = {
        "name": name,
        "description": (
            f"Synthetic county of {townships} generated townships of {villages} villages "
            "(planner generate; not real data)."
        ),
        "townships": refs,
    }
    if pool_share:
        county["county"] = {"budget_pool_yuan": pool}
    head = (
        f"# Synthetic county written by `planner generate --townships {townships} --parcels {parcels} "
        f"--seed {seed}` (planner/generate.py).\n# Each township is a generated Nuanshui-like township; "
        "see docs/generate.md. Not real data.\n"
    )
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    text = yaml.dump(county, Dumper=dumper, sort_keys=False, allow_unicode=True, width=100, default_flow_style=None)
    write_text(out / "instance.yaml", head + text)
    return {
        "path": out / "instance.yaml",
        "name": name,
        "townships": townships,
        "villages": townships * villages,
        "parcels": parcels,
        "total_ha": round(total_ha, 2),
        "pool": pool or None,
    }
