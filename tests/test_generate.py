"""`planner generate`: synthetic instances cloned from the Nuanshui case (planner/generate.py)."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

import planner.generate as gen
from planner.api import load_instance, solve
from planner.cli import app
from planner.core.errors import InputError
from planner.core.paths import bundled_dir

NUANSHUI = yaml.safe_load((bundled_dir("instances") / "nuanshui.yaml").read_text(encoding="utf-8"))
TEMPLATE = pd.read_csv(bundled_dir("instances") / "nuanshui_parcels.csv")
TPL_VILLAGES = [v["id"] for v in NUANSHUI["villages"] if not v.get("is_town")]


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def template_of(village: str) -> str:
    return village if village == "central_town" else village.rsplit("_", 1)[0]


@pytest.fixture(scope="module")
def township(tmp_path_factory):
    """V=10, P=1000, seed 1: the township-scale instance, shared by the read-only tests."""
    out = tmp_path_factory.mktemp("township")
    path = gen.generate(10, 1000, 1, out)
    return path, pd.read_csv(out / "parcels.csv"), yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    """V=20, P=2000: two full clusters of nine and a third holding one village."""
    out = tmp_path_factory.mktemp("county")
    path = gen.generate(20, 2000, 5, out)
    return path, pd.read_csv(out / "parcels.csv"), yaml.safe_load(path.read_text(encoding="utf-8"))


def test_same_seed_identical_bytes_other_seed_differs(tmp_path, township):
    path, _, _ = township
    again = gen.generate(10, 1000, 1, tmp_path / "a")
    assert sha(again) == sha(path)
    assert sha(again.parent / "parcels.csv") == sha(path.parent / "parcels.csv")
    other = gen.generate(10, 1000, 2, tmp_path / "b")
    assert sha(other.parent / "parcels.csv") != sha(path.parent / "parcels.csv")


def test_counts_villages_town_and_even_split(county):
    _, df, raw = county
    assert len(df) == 2000
    assert len(raw["villages"]) == 20
    towns = [v["id"] for v in raw["villages"] if v.get("is_town")]
    assert towns == ["central_town"]
    assert set(df["village"]) == {v["id"] for v in raw["villages"]}
    per = df.groupby("village").size()
    assert per.min() == per.max() == 100
    assert [v["id"] for v in raw["villages"][:10]] == [f"{t}_001" for t in TPL_VILLAGES] + ["deshengxi_002"]


def test_each_village_has_its_template_area(county):
    _, df, _ = county
    tpl_area = TEMPLATE.groupby("village")["area"].sum()
    got = df.groupby("village")["area"].sum()
    for v, ha in got.items():
        assert ha == pytest.approx(tpl_area[template_of(v)], abs=0.005), v
    # 19 villages: two clones of each template plus a third Deshengxi, and the town
    expected = 2 * tpl_area.drop("central_town").sum() + tpl_area["deshengxi"] + tpl_area["central_town"]
    assert df["area"].sum() == pytest.approx(expected, abs=0.01)


def test_cover_mix_close_to_nuanshui(township, county):
    want = TEMPLATE.groupby("cover")["area"].sum() / TEMPLATE["area"].sum()
    for _, df, _ in (township, county):
        got = df.groupby("cover")["area"].sum() / df["area"].sum()
        assert set(got.index) == set(want.index)
        assert (got - want).abs().max() < 0.03
    _, df, _ = township  # nine full templates: exactly Nuanshui's areas
    assert (df.groupby("cover")["area"].sum() - TEMPLATE.groupby("cover")["area"].sum()).abs().max() < 0.01


def test_ids_unique_areas_positive_two_decimals(county):
    _, df, _ = county
    assert df["id"].is_unique
    assert (df["area"] >= 0.01).all()
    assert np.allclose(df["area"] * 100, np.rint(df["area"] * 100))
    assert all(i.startswith(v + "_") for i, v in zip(df["id"], df["village"]))


def test_small_individual_parcels_survive(township):
    _, df, _ = township
    small = TEMPLATE[(TEMPLATE["ownership"] == "individual") & (TEMPLATE["area"] < gen.SMALL_ROW_HA)]
    assert (small["area"] < 0.67).sum() > 10  # the template has them, so this checks something
    gen_small = df[(df["ownership"] == "individual")]
    for _, r in small.iterrows():
        clone = "central_town" if r["village"] == "central_town" else f"{r['village']}_001"
        hit = gen_small[
            (gen_small["village"] == clone)
            & (gen_small["cover"] == r["cover"])
            & ((gen_small["area"] - r["area"]).abs() < 0.005)
        ]
        assert len(hit) >= 1, r["id"]
    assert (gen_small["area"] < 0.67).sum() >= (small["area"] < 0.67).sum()


def test_pieces_keep_attributes_and_split_large_rows(township):
    _, df, _ = township
    assert df["ownership"].value_counts().to_dict().keys() == {"collective", "individual"}
    for col in ("red_line", "along_road", "mature", "carbon_registered"):
        share = df.groupby(col)["area"].sum() / df["area"].sum()
        want = TEMPLATE.groupby(col)["area"].sum() / TEMPLATE["area"].sum()
        assert abs(share.get(True, 0) - want.get(True, 0)) < 1e-6, col
    assert df["area"].max() < TEMPLATE["area"].max() / 2  # the 1,729 ha stand was split


def test_piece_counts_exact_small_rows_whole():
    cents = np.array([30, 450, 120_000, 60_000, 499, 20_000])
    counts = gen.piece_counts(cents, 40)
    assert counts.sum() == 40
    assert (counts[cents < 500] == 1).all()
    assert counts[2] > counts[3] > counts[5] >= 1
    assert (gen.piece_counts(cents, len(cents)) == 1).all()


def test_yaml_scaled_and_expanded(county):
    _, _, raw = county
    r = 19 / 9
    assert [p["budget_yuan"] for p in raw["periods"]] == [round(p["budget_yuan"] * r) for p in NUANSHUI["periods"]]
    assert raw["finance"]["loan_cap_yuan"] == round(NUANSHUI["finance"]["loan_cap_yuan"] * r)
    roles = {x["id"]: x for x in raw["roles"]}
    assert (roles["afforestation_workers"]["min"], roles["afforestation_workers"]["max"]) == (1689, 2111)
    assert roles["forest_park_staff"]["projects"] == ["nuanshui_forest_park_001", "nuanshui_forest_park_002"]
    assert (
        len(roles["garden_maintenance"]["villages"]) == 19
        and "central_town" not in roles["garden_maintenance"]["villages"]
    )
    assert raw["uses"]["ecological_forest"]["villages"][-1] == "deshengxi_003"
    ids = [p["id"] for p in raw["projects"]]
    assert len(ids) == 13 and ids[-1] == "central_town_park_renovation"  # 6 per full cluster; none in the third
    park2 = next(p for p in raw["projects"] if p["id"] == "nuanshui_forest_park_002")
    assert park2["host_village"] == "nuanshui_002"
    assert park2["prerequisites"][0]["villages"] == [
        "shuiquangou_002",
        "desheng_youliang_002",
        "nuanshui_002",
        "yushuhao_002",
    ]
    bot = next(p for p in raw["projects"] if p["id"] == "geqiugou_botanical_garden_002")
    assert bot["prerequisites"][0]["garden_in"] == "geqiugou_002"
    gardens = next(t for t in raw["targets"] if t["kpi"] == "gardens_built")
    assert gardens["min"] == 19
    assert raw["valuation"] == "xie2015" and "stated_area_ha" not in raw["township"]
    assert "synthetic" in raw["assumptions"] and "synthetic" in raw["description"].lower()


def test_loads_without_errors(county):
    path, df, _ = county
    li = load_instance(path)
    assert len(li.parcels) == 2000 and len(li.instance.villages) == 20
    assert li.parcels["area_ha"].sum() == pytest.approx(df["area"].sum())
    assert not li.warnings


def test_parquet_table_loads_and_is_deterministic(tmp_path, monkeypatch):
    monkeypatch.setattr(gen, "PARQUET_FROM", 500)
    a = gen.generate(4, 600, 3, tmp_path / "a")
    b = gen.generate(4, 600, 3, tmp_path / "b")
    assert (tmp_path / "a" / "parcels.parquet").exists() and not (tmp_path / "a" / "parcels.csv").exists()
    assert sha(tmp_path / "a" / "parcels.parquet") == sha(tmp_path / "b" / "parcels.parquet") and sha(a) == sha(b)
    li = load_instance(a)
    assert len(li.parcels) == 600 and li.parcels["red_line"].dtype == bool


def test_few_parcels_merge_classes_or_refuse(tmp_path):
    path = gen.generate(10, 200, 1, tmp_path / "merged")  # 20 a village: fewer than rows, one per class
    li = load_instance(path)
    assert len(li.parcels) == 200
    with pytest.raises(InputError, match="garden"):
        gen.generate(2, 2, 0, tmp_path / "too_few")  # one parcel per village: no garden land


def test_township_scale_solves_optimal(township):
    path, _, _ = township
    plan = solve(load_instance(path))
    assert plan.status == "optimal"
    assert plan.verification is None or plan.verification["passed"]
    k = plan.tables["kpis"]
    assert (k["gardens_built"] == 9).all()


runner = CliRunner()


def test_cli_writes_instance_exit_0(tmp_path):
    r = runner.invoke(app, ["generate", "--villages", "3", "--parcels", "120", "--seed", "4", "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "instance.yaml").exists() and (tmp_path / "parcels.csv").exists()
    assert "120 parcels" in r.output and "3 villages" in r.output
    again = runner.invoke(
        app, ["generate", "--villages", "3", "--parcels", "120", "--seed", "4", "--out", str(tmp_path)]
    )
    assert again.exit_code == 2 and "--force" in again.output
    forced = runner.invoke(
        app, ["generate", "--villages", "3", "--parcels", "120", "--seed", "4", "--out", str(tmp_path), "--force"]
    )
    assert forced.exit_code == 0


@pytest.mark.parametrize(
    "args, word",
    [
        (["--villages", "1", "--parcels", "100", "--seed", "0"], "--villages"),
        (["--villages", "10", "--parcels", "9", "--seed", "0"], "--parcels"),
        (["--villages", "10", "--parcels", "100", "--seed", "-1"], "--seed"),
    ],
)
def test_cli_bad_arguments_exit_2(tmp_path, args, word):
    r = runner.invoke(app, ["generate", *args, "--out", str(tmp_path / "x")])
    assert r.exit_code == 2
    assert word in r.output and "Traceback" not in r.output
    assert not (tmp_path / "x" / "instance.yaml").exists()
