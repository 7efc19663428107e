"""Write ``nuanshui_parcels.csv``: the synthetic parcel table of the calibrated
Nuanshui Township instance (``nuanshui.yaml``).

No parcel map of Nuanshui was available, so the table is generated: per village and
cover class an assumed area (``AREA_HA`` below, hectares) is split into parcels with a
seeded random generator. The output is deterministic (fixed numpy seed, no network);
re-running the script reproduces the committed CSV byte for byte.

What is taken from the paper and what is assumed (see also ``nuanshui.yaml``
``assumptions`` and ``docs/nuanshui.md``):

- existing forest 46,666.67 ha = 700,000 mu afforested by the end of 2021 [P §4.1];
- vegetation coverage above 85% at baseline [P §4.1] (the table gives about 90.8%);
- grassland, scattered farmland and reclaimed mine land concentrated in the six
  starting villages [P §4.4(1)]; large mature fruit forests (apricot, apple) in
  Shuiquangou and Desheng Youliang [P §4.2, §4.4(1)];
- township total 65,000 ha (assumption: the area was not found; coefficients.md gives
  about 600-700 km2 as a placeholder); every other area below is an assumption.

Usage::

    python instances/make_nuanshui_parcels.py            # writes instances/nuanshui_parcels.csv
    python instances/make_nuanshui_parcels.py --check    # prints the summary only
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20250611
OUT = Path(__file__).resolve().parent / "nuanshui_parcels.csv"

VILLAGES = [
    "deshengxi",
    "hanjiata",
    "kenmuken",
    "changhanbula",
    "geqiugou",
    "shuiquangou",
    "desheng_youliang",
    "nuanshui",
    "yushuhao",
    "central_town",
]
CODE = {
    "deshengxi": "DSX",
    "hanjiata": "HJT",
    "kenmuken": "KMK",
    "changhanbula": "CHB",
    "geqiugou": "GQG",
    "shuiquangou": "SQG",
    "desheng_youliang": "DYL",
    "nuanshui": "NSV",
    "yushuhao": "YSH",
    "central_town": "TWN",
}
STARTING = {"deshengxi", "hanjiata", "kenmuken", "changhanbula", "geqiugou", "shuiquangou"}  # [P §4.4(1)]
ORNAMENTAL = {"desheng_youliang", "shuiquangou", "nuanshui", "yushuhao"}  # [P §4.4(1)]

# Assumed area (ha) of each cover class per village, in VILLAGES order.
FOREST_HA = 700_000 / 15  # 700,000 mu [P §4.1]; 15 mu = 1 ha [P §4.4(2)]
AREA_HA: dict[str, list[float]] = {
    #                  DSX   HJT   KMK   CHB   GQG   SQG   DYL   NSV   YSH   TWN
    "forest": [5000, 5200, 5300, 5000, 5500, 4800, 4200, 5300, 5500, FOREST_HA - 45800],
    "grassland": [900, 1000, 1000, 1000, 800, 800, 350, 400, 350, 100],
    "scattered_farmland": [250, 300, 250, 250, 200, 250, 150, 180, 120, 50],
    "permanent_farmland": [400, 450, 400, 350, 300, 350, 350, 400, 300, 100],
    "reclaimed_mine": [150, 200, 100, 350, 0, 0, 0, 0, 0, 0],
    "fruit_forest": [30, 30, 30, 30, 80, 400, 400, 100, 90, 10],
    "shrub": [200, 200, 200, 200, 500, 200, 200, 200, 200, 100],
    "bare_pisha": [100, 100, 300, 100, 200, 50, 50, 50, 50, 0],
    "settlement": [60, 70, 60, 60, 55, 70, 65, 80, 60, 120],
    "water": [30, 30, 30, 30, 40, 30, 30, 40, 30, 1000 / 3 - 290],
}
TOTAL_HA = 65_000.0
CARBON_REGISTERED_HA = 6_000.0  # existing forest already declared as carbon-sequestration forest (assumption)
RED_LINE_FOREST_SHARE = 0.55  # share of existing-forest parcels in the conservation-oriented red line (assumption)


def split(rng: np.random.Generator, total: float, n: int, alpha: float = 2.0) -> list[float]:
    """Split ``total`` ha into ``n`` parcels (2-decimal ha) that add up exactly."""
    if n <= 1:
        return [round(total, 2)]
    shares = rng.dirichlet(np.full(n, alpha))
    shares = 0.15 / n + 0.85 * shares  # no sliver parcels
    parts = [round(float(total * s), 2) for s in shares[:-1]]
    parts.append(round(total - sum(parts), 2))
    return parts


def small_parcels(rng: np.random.Generator, n: int, lo: float, hi: float) -> list[float]:
    """``n`` individually owned parcels between lo and hi ha, log-uniform; always one
    below and one above the 0.67 ha individual carbon threshold [P §4.4(2)] when lo < 0.67."""
    sizes = np.exp(rng.uniform(np.log(lo), np.log(hi), n))
    if lo < 0.67 and n >= 2:
        sizes[0] = rng.uniform(lo, 0.6)
        sizes[1] = rng.uniform(0.75, min(hi, 2.0))
    return [round(float(s), 2) for s in sizes]


def build() -> pd.DataFrame:
    rng = np.random.default_rng(SEED)
    rows: list[dict] = []
    count: dict[str, int] = {}

    def add(
        v: str,
        area: float,
        cover: str,
        *,
        red_line=False,
        eco="none",
        owner="collective",
        along_road=False,
        mature=False,
        carbon=False,
    ) -> None:
        count[v] = count.get(v, 0) + 1
        rows.append(
            {
                "id": f"{CODE[v]}{count[v]:03d}",
                "village": v,
                "area": area,
                "cover": cover,
                "red_line": red_line,
                "eco_space": eco,
                "ownership": owner,
                "along_road": along_road,
                "mature": mature,
                "carbon_registered": carbon,
            }
        )

    for i, v in enumerate(VILLAGES):
        a = {c: AREA_HA[c][i] for c in AREA_HA}
        town = v == "central_town"

        # Existing forest: large collective stands; a conservation-oriented red-line
        # core and integrated plantations; a few small individually owned woodlots.
        woodlots = small_parcels(rng, 3, 0.3, 3.0) if v in STARTING else []
        for area in split(rng, a["forest"] - sum(woodlots), max(2, round(a["forest"] / 650))):
            core = rng.random() < RED_LINE_FOREST_SHARE
            add(v, area, "forest", red_line=core, eco="conservation" if core else "integrated")
        for area in woodlots:
            add(v, area, "forest", eco="integrated", owner="individual")

        # Grassland (natural grazing): collective pastures, some in the red line;
        # contracted individual pastures in the starting villages.
        ind = small_parcels(rng, 4, 0.4, 8.0) if v in STARTING else []
        for k, area in enumerate(split(rng, a["grassland"] - sum(ind), max(1, round(a["grassland"] / 110)))):
            core = rng.random() < 0.15
            add(
                v,
                area,
                "grassland",
                red_line=core and k > 0,
                eco="conservation" if core and k > 0 else "cultivation",
                along_road=(v in ORNAMENTAL and (k == 0 or rng.random() < 0.45)),
            )
        for area in ind:
            add(
                v,
                area,
                "grassland",
                eco="cultivation",
                owner="individual",
                along_road=(v in ORNAMENTAL and rng.random() < 0.45),
            )

        # Scattered low-yield farmland: collective plots and household plots on both
        # sides of the 0.67 ha threshold.
        ind = small_parcels(rng, 6 if v in STARTING else 3, 0.3, 4.0)
        for k, area in enumerate(
            split(rng, a["scattered_farmland"] - sum(ind), max(1, round(a["scattered_farmland"] / 45)))
        ):
            add(v, area, "scattered_farmland", along_road=(v in ORNAMENTAL and (k == 0 or rng.random() < 0.5)))
        for area in ind:
            add(v, area, "scattered_farmland", owner="individual", along_road=(v in ORNAMENTAL and rng.random() < 0.5))

        # Permanent basic farmland: contracted fields, half collective, half household.
        for k, area in enumerate(split(rng, a["permanent_farmland"], max(1, round(a["permanent_farmland"] / 100)))):
            add(v, area, "permanent_farmland", owner="individual" if k % 2 else "collective")

        if a["reclaimed_mine"]:
            for area in split(rng, a["reclaimed_mine"], max(1, round(a["reclaimed_mine"] / 50))):
                add(v, area, "reclaimed_mine", eco="restoration")

        # Fruit forest: large mature collective orchards in Shuiquangou and Desheng
        # Youliang; small household orchards elsewhere (some mature but below the
        # scenic-spot size).
        if v in ("shuiquangou", "desheng_youliang"):
            ind = small_parcels(rng, 4, 1.0, 12.0)
            for area in split(rng, a["fruit_forest"] - sum(ind), 4, alpha=4.0):
                add(v, area, "fruit_forest", mature=True)
            for area in ind:
                add(v, area, "fruit_forest", owner="individual", mature=rng.random() < 0.5)
        elif v in ("nuanshui", "yushuhao", "geqiugou"):
            parts = split(rng, a["fruit_forest"], 3, alpha=4.0)
            for k, area in enumerate(parts):
                add(v, area, "fruit_forest", owner="collective" if k == 0 else "individual", mature=k == 0)
        else:
            for k, area in enumerate(split(rng, a["fruit_forest"], 2)):
                add(v, area, "fruit_forest", owner="individual", mature=k == 0)

        for area in split(rng, a["shrub"], max(1, round(a["shrub"] / 90))):
            core = rng.random() < 0.4
            add(v, area, "shrub", red_line=core, eco="conservation" if core else "integrated")

        if a["bare_pisha"]:
            for area in split(rng, a["bare_pisha"], max(1, round(a["bare_pisha"] / 45))):
                add(v, area, "bare_pisha", eco="restoration")

        # Settlement and homestead land; the town's are smaller blocks (street green).
        n = 6 if town else 3
        for area in split(rng, a["settlement"], n):
            add(v, area, "settlement")

        for area in split(rng, a["water"], 1 if a["water"] < 50 else 2):
            add(v, area, "water", red_line=True, eco="conservation")

    df = pd.DataFrame(rows)

    # Carbon-registered existing forest: integrated (plantation) stands of the six
    # starting villages, the ecological-forest carbon villages [P §4.4(1)], in a seeded
    # random order until CARBON_REGISTERED_HA; plus half the individual woodlots.
    cand = df[
        (df["cover"] == "forest") & df["village"].isin(STARTING) & (df["ownership"] == "collective") & ~df["red_line"]
    ]
    order = rng.permutation(cand.index.to_numpy())
    got = 0.0
    for k in order:
        if got >= CARBON_REGISTERED_HA:
            break
        df.at[k, "carbon_registered"] = True
        got += df.at[k, "area"]
    lots = df[(df["cover"] == "forest") & (df["ownership"] == "individual")].index
    df.loc[lots[::2], "carbon_registered"] = True
    return df


def summary(df: pd.DataFrame) -> str:
    veg = {
        "forest": 1.0,
        "grassland": 0.85,
        "scattered_farmland": 0.6,
        "permanent_farmland": 0.6,
        "reclaimed_mine": 0.2,
        "fruit_forest": 0.9,
        "shrub": 0.9,
        "bare_pisha": 0.1,
        "settlement": 0.1,
        "water": 0.0,
    }  # models/xie2015.yaml
    total = df["area"].sum()
    can_forest = (df["ownership"] == "individual") & df["cover"].isin(["grassland", "scattered_farmland"])
    lines = [
        f"{len(df)} parcels, {total:,.2f} ha",
        df.pivot_table(index="cover", columns="village", values="area", aggfunc="sum", fill_value=0)
        .round(0)
        .astype(int)
        .to_string(),
        f"vegetation coverage {(df['area'] * df['cover'].map(veg)).sum() / total:.4f}",
        f"forest {df.loc[df['cover'] == 'forest', 'area'].sum():,.2f} ha",
        f"carbon-registered forest {df.loc[df['carbon_registered'], 'area'].sum():,.2f} ha",
        f"red line {df.loc[df['red_line'], 'area'].sum() / total:.4f} of the township",
        f"individual parcels that can carry forest: "
        f"{(can_forest & (df['area'] < 0.67)).sum()} "
        f"below 0.67 ha, "
        f"{(can_forest & (df['area'] >= 0.67)).sum()} "
        f"at or above",
    ]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="print the summary without writing the CSV")
    args = ap.parse_args()
    df = build()
    assert abs(df["area"].sum() - TOTAL_HA) < 0.05, df["area"].sum()
    assert (df["area"] > 0).all()
    if not args.check:
        out = df.copy()
        for c in ("red_line", "along_road", "mature", "carbon_registered"):
            out[c] = out[c].map({True: "true", False: "false"})
        out["area"] = out["area"].map(lambda x: f"{x:.2f}")
        out.to_csv(OUT, index=False, lineterminator="\n")
        print(f"wrote {OUT}")
    print(summary(df))


if __name__ == "__main__":
    main()
