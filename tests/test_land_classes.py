"""Land classes in the cover column (``parcels.cover_classes``): survey codes and names
mapped to the planner's covers by the bundled GB/T 21010 table (models/land_classes/gbt21010.yaml).

Expected covers, derived by hand from the standards and the paper's covers
(models/xie2015.yaml), not from the table:

- GB/T 21010-2017 (third survey): 0103 旱地 is cultivated dry land -> scattered_farmland
  (farmland not designated permanent basic farmland); 0201 果园 orchard -> fruit_forest;
  0301 乔木林地 arbor forest -> forest; 0305 灌木林地 shrubland -> shrub; 0307 其他林地
  (sparse woodland, canopy < 0.2, below the forest cover's threshold) -> shrub; 0401 天然牧草地
  and 0404 其他草地 -> grassland; 0602 采矿用地 -> reclaimed_mine; 0702 农村宅基地 ->
  settlement; 1101 河流水面, 1103 水库水面 -> water; 1206 裸土地, 1207 裸岩石砾地 ->
  bare_pisha (the paper's only bare cover).
- K working classes are the base class as the land is now: 0307K -> as 0307 -> shrub,
  0201K -> fruit_forest, 0103K -> scattered_farmland.
- Names: 旱地 -> as 0103; 可调整果园 (the name of 0201K) -> fruit_forest.
- GB/T 21010-2007 (second survey): 013 旱地 -> scattered_farmland, 021 果园 -> fruit_forest,
  031 有林地 (canopy >= 0.2) -> forest, 032 灌木林地 -> shrub, 043 其他草地 -> grassland,
  127 裸地 -> bare_pisha.
- A planner cover name passes through: permanent_farmland stays permanent_farmland (a
  protection designation, not a survey class: no code maps to it).
"""

from __future__ import annotations

import fnmatch
import json
import tomllib
from pathlib import Path

import pandas as pd
import pytest
import yaml

import planner
from planner.core.errors import InputError
from planner.core.paths import bundled_dir

ROOT = Path(__file__).resolve().parent.parent
INSTANCES = ROOT / "instances"

EXPECTED = {
    "0103": "scattered_farmland",
    "0201": "fruit_forest",
    "0301": "forest",
    "0305": "shrub",
    "0307": "shrub",
    "0401": "grassland",
    "0404": "grassland",
    "0602": "reclaimed_mine",
    "0702": "settlement",
    "1101": "water",
    "1103": "water",
    "1206": "bare_pisha",
    "1207": "bare_pisha",
    "0307K": "shrub",
    "0201K": "fruit_forest",
    "0103K": "scattered_farmland",
    "0307k": "shrub",
    "旱地": "scattered_farmland",
    "灌木林地": "shrub",
    "可调整果园": "fruit_forest",
    "农村宅基地": "settlement",
    "013": "scattered_farmland",
    "021": "fruit_forest",
    "031": "forest",
    "032": "shrub",
    "043": "grassland",
    "127": "bare_pisha",
    "permanent_farmland": "permanent_farmland",
}

# tiny_parcels.csv's covers written as survey classes (by hand: each class maps back to
# the cover it replaces, so the instance is the same and its optimum is tiny's).
TINY_AS_CLASSES = {
    "E1": "0404",  # grassland
    "E2": "013",  # scattered_farmland (second-survey code)
    "E3": "permanent_farmland",  # the designation, kept as the planner's name
    "E4": "农村宅基地",  # settlement (name)
    "W1": "天然牧草地",  # grassland (name)
    "W2": "0201K",  # fruit_forest (K working class)
    "W3": "0602",  # reclaimed_mine
}


def _instance(tmp_path: Path, covers: dict[str, str], cover_classes: str | None = "gbt21010", suffix=".csv") -> Path:
    df = pd.read_csv(INSTANCES / "tiny_parcels.csv", dtype=str, keep_default_na=False)
    df["cover"] = df["id"].map(covers)
    table = tmp_path / f"parcels{suffix}"
    if suffix == ".parquet":
        df.to_parquet(table)
    else:
        df.to_csv(table, index=False)
    raw = yaml.safe_load((INSTANCES / "tiny.yaml").read_text(encoding="utf-8"))
    raw["parcels"] = {"file": table.name, "area_unit": "ha"}
    if cover_classes is not None:
        raw["parcels"]["cover_classes"] = cover_classes
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def _covers_of(tmp_path: Path, values: list[str]) -> dict[str, str]:
    """Load a 7-parcel tiny whose first parcel takes each value in turn (one load per value
    keeps the rest of tiny valid)."""
    out = {}
    base = dict(TINY_AS_CLASSES)
    for k, v in enumerate(values):
        d = tmp_path / f"v{k}"
        d.mkdir()
        li = planner.load_instance(_instance(d, {**base, "W3": v}))
        row = li.parcels.set_index("id").loc["W3"]
        out[v] = row["cover"]
        assert row["land_class"] == v.strip()
    return out


def test_survey_codes_k_codes_names_and_2007_codes_map_to_the_papers_covers(tmp_path):
    assert _covers_of(tmp_path, list(EXPECTED)) == EXPECTED


def test_tiny_with_survey_classes_loads_as_tiny_and_solves_to_the_same_optimum(tmp_path):
    li = planner.load_instance(_instance(tmp_path, TINY_AS_CLASSES))
    tiny = planner.load_instance(INSTANCES / "tiny.yaml")
    assert li.parcels["cover"].tolist() == tiny.parcels["cover"].tolist()
    assert li.parcels["land_class"].tolist() == list(TINY_AS_CLASSES.values())
    plan, ref = planner.solve(li), planner.solve(tiny)
    assert plan.status == "optimal" and ref.status == "optimal"
    assert plan.objective == pytest.approx(ref.objective, rel=1e-9)


def test_parquet_table_with_codes_as_text(tmp_path):
    li = planner.load_instance(_instance(tmp_path, TINY_AS_CLASSES, suffix=".parquet"))
    assert li.parcels.set_index("id")["cover"].to_dict()["W2"] == "fruit_forest"


def test_codes_stored_as_numbers_are_refused_with_the_reason(tmp_path):
    """0103 stored as the integer 103 is the 2007 code of street land: refused, not guessed."""
    df = pd.read_csv(INSTANCES / "tiny_parcels.csv")
    df["cover"] = [404, 103, 103, 702, 401, 201, 602]
    df.to_parquet(tmp_path / "parcels.parquet")
    raw = yaml.safe_load((INSTANCES / "tiny.yaml").read_text(encoding="utf-8"))
    raw["parcels"] = {"file": "parcels.parquet", "area_unit": "ha", "cover_classes": "gbt21010"}
    (tmp_path / "tiny.yaml").write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        planner.load_instance(tmp_path / "tiny.yaml")
    assert len(exc.value.problems) == 1
    assert "leading zeros" in exc.value.problems[0].message and "as text" in exc.value.problems[0].fix


def test_unmapped_classes_are_one_problem_with_counts(tmp_path):
    covers = {**TINY_AS_CLASSES, "E1": "9999", "E2": "9999", "W3": "荒地"}
    with pytest.raises(InputError) as exc:
        planner.load_instance(_instance(tmp_path, covers))
    (pr,) = exc.value.problems
    assert pr.field == "column cover" and pr.file.endswith("parcels.csv")
    assert "2 land classes of 3 parcels" in pr.message
    assert "'9999' (2 parcels)" in pr.message and "'荒地' (1 parcel)" in pr.message
    assert "parcels.cover_classes" in pr.fix and "0307K" in pr.fix


def test_without_cover_classes_codes_are_unknown_covers_as_before(tmp_path):
    with pytest.raises(InputError) as exc:
        planner.load_instance(_instance(tmp_path, TINY_AS_CLASSES, cover_classes=None))
    assert all("unknown cover" in p.message for p in exc.value.problems)


def test_own_table(tmp_path):
    (tmp_path / "classes.yaml").write_text(
        yaml.safe_dump({"classes": {"DL1": {"name": "草", "cover": "grassland"}, "DL2": {"cover": "reclaimed_mine"}}}),
        encoding="utf-8",
    )
    covers = {**TINY_AS_CLASSES, "E1": "DL1", "W1": "草", "W3": "DL2", "E2": "scattered_farmland"}
    covers.update(E4="settlement", W2="fruit_forest")
    li = planner.load_instance(_instance(tmp_path, covers, cover_classes="classes.yaml"))
    assert li.parcels.set_index("id")["cover"].to_dict() == {
        "E1": "grassland",
        "E2": "scattered_farmland",
        "E3": "permanent_farmland",
        "E4": "settlement",
        "W1": "grassland",
        "W2": "fruit_forest",
        "W3": "reclaimed_mine",
    }


def test_own_table_errors_name_the_table(tmp_path):
    (tmp_path / "classes.yaml").write_text(yaml.safe_dump({"classes": {"DL1": {"cover": "wetland"}}}), encoding="utf-8")
    tiny = pd.read_csv(INSTANCES / "tiny_parcels.csv", dtype=str).set_index("id")["cover"].to_dict()
    covers = {**tiny, "E1": "DL1"}
    with pytest.raises(InputError) as exc:
        planner.load_instance(_instance(tmp_path, covers, cover_classes="classes.yaml"))
    (pr,) = exc.value.problems
    assert pr.file.endswith("classes.yaml") and pr.field == "classes.DL1.cover" and "wetland" in pr.message
    with pytest.raises(InputError) as exc:
        planner.load_instance(_instance(tmp_path, covers, cover_classes="nowhere.yaml"))
    assert exc.value.problems[0].field == "parcels.cover_classes"


def test_gis_attribute_table(tmp_path):
    pytest.importorskip("geopandas")
    gj = json.loads((INSTANCES / "tiny_parcels.geojson").read_text(encoding="utf-8"))
    for f in gj["features"]:
        f["properties"]["cover"] = TINY_AS_CLASSES[f["properties"]["id"]]
    (tmp_path / "parcels.geojson").write_text(json.dumps(gj, ensure_ascii=False), encoding="utf-8")
    raw = yaml.safe_load((INSTANCES / "tiny_geo.yaml").read_text(encoding="utf-8"))
    raw["parcels"] = {**raw["parcels"], "file": "parcels.geojson", "cover_classes": "gbt21010"}
    (tmp_path / "geo.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    li = planner.load_instance(tmp_path / "geo.yaml")
    tiny = planner.load_instance(INSTANCES / "tiny_geo.yaml")
    assert li.parcels["cover"].tolist() == tiny.parcels["cover"].tolist()


def test_bundled_table_covers_exist_and_the_wheel_ships_it():
    table = yaml.safe_load((bundled_dir("models") / "land_classes" / "gbt21010.yaml").read_text(encoding="utf-8"))
    lib = yaml.safe_load((bundled_dir("models") / "xie2015.yaml").read_text(encoding="utf-8"))
    assert {e["cover"] for e in table["classes"].values()} <= set(lib["covers"])
    assert "permanent_farmland" not in {e["cover"] for e in table["classes"].values()}
    assert all(e["reason"] and isinstance(e["exact"], bool) for e in table["classes"].values())
    assert all(("ASSUMPTION" in e["reason"]) != e["exact"] for e in table["classes"].values())
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    assert any(fnmatch.fnmatch("gbt21010.yaml", pat) for pat in data["planner._models.land_classes"])
