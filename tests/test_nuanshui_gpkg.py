"""The synthetic Nuanshui GeoPackage (instances/make_nuanshui_gpkg.py): a fresh build keeps
the CSV's parcels and attributes, tiles the township without overlaps, gives each parcel
its stated area, lays the multi-parcel holdings side by side, and matches the committed
files. Checked with geopandas/shapely directly, not through the planner's loader."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely
import yaml

INSTANCES = Path(__file__).resolve().parents[1] / "instances"
SCRIPT = INSTANCES / "make_nuanshui_gpkg.py"
# The registry-style names the instance maps (nuanshui_geo.yaml), file name -> CSV column.
BACK = {
    "PARCEL_NO": "id",
    "VILLAGE": "village",
    "AREA_MU": "area",
    "LANDCOVER": "cover",
    "REDLINE": "red_line",
    "ECOSPACE": "eco_space",
    "TENURE": "ownership",
    "ROADSIDE": "along_road",
    "MATURE": "mature",
    "C_REG": "carbon_registered",
}
FLAGS = ["red_line", "along_road", "mature", "carbon_registered"]
STARTING = {"deshengxi", "hanjiata", "kenmuken", "changhanbula", "geqiugou", "shuiquangou"}


def shared(a: shapely.Geometry, b: shapely.Geometry) -> float:
    """Length of the boundary two polygons share (0 for a corner)."""
    return float(shapely.intersection(a.boundary, b.boundary).length)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict:
    spec = importlib.util.spec_from_file_location("make_nuanshui_gpkg", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.build(tmp_path_factory.mktemp("nuanshui_gpkg"))


@pytest.fixture(scope="module")
def layer(built) -> gpd.GeoDataFrame:
    return gpd.read_file(built["gpkg"], layer="parcels")


@pytest.fixture(scope="module")
def csv() -> pd.DataFrame:
    return pd.read_csv(INSTANCES / "nuanshui_parcels.csv")


def test_layer_holds_the_csv_parcels_and_attributes(layer, csv):
    assert len(layer) == 440 and layer["PARCEL_NO"].tolist() == csv["id"].tolist()
    assert layer.crs == pyproj.CRS("EPSG:4546")
    back = layer.rename(columns=BACK)
    np.testing.assert_allclose(back["area"] / 15, csv["area"], rtol=0, atol=1e-9)
    for c in FLAGS:
        assert set(back[c].unique()) <= {0, 1}, c
        assert (back[c].astype(bool) == csv[c]).all(), c
    for c in ("village", "cover", "eco_space", "ownership"):
        assert back[c].tolist() == csv[c].tolist(), c


def test_holders_only_on_individual_land(layer):
    individual = layer["TENURE"] == "individual"
    assert (layer["HOLDER"].notna() == individual).all()
    for pid, holder in zip(layer.loc[individual, "PARCEL_NO"], layer.loc[individual, "HOLDER"]):
        assert re.fullmatch(rf"H-{pid[:3]}-\d{{3}}", holder), (pid, holder)


def test_polygons_valid_with_their_stated_area(layer, csv):
    geoms = layer.geometry.to_numpy()
    assert shapely.is_valid(geoms).all() and (shapely.get_type_id(geoms) == 3).all()  # 3: Polygon
    rel = np.abs(shapely.area(geoms) / 10_000 / csv["area"].to_numpy() - 1)
    assert rel.max() < 1e-6, csv["id"][rel.argmax()]


def test_polygons_do_not_overlap(layer):
    geoms = layer.geometry.to_numpy()
    total = shapely.area(geoms).sum()
    assert abs(shapely.union_all(geoms).area / total - 1) < 1e-6
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    pairs = left < right
    assert pairs.sum() > len(geoms)  # neighbours touch...
    assert shapely.area(shapely.intersection(geoms[left[pairs]], geoms[right[pairs]])).max() < 1e-3  # ...m2, no more


def test_village_parcels_union_to_the_village_polygon(built, layer, csv):
    villages = gpd.read_file(built["gpkg"], layer="villages")
    assert sorted(villages["VILLAGE"]) == sorted(csv["village"].unique())
    for name, poly in zip(villages["VILLAGE"], villages.geometry):
        union = shapely.union_all(layer.geometry[layer["VILLAGE"] == name].to_numpy())
        assert shapely.symmetric_difference(union, poly).area < 1e-6 * poly.area, name
        assert abs(poly.area / 10_000 - csv.loc[csv["village"] == name, "area"].sum()) < 1e-3, name


def test_township_lower_left_near_110_3_e_40_0_n(layer):
    x0, y0 = layer.total_bounds[:2]
    lon, lat = pyproj.Transformer.from_crs("EPSG:4546", "EPSG:4490", always_xy=True).transform(x0, y0)
    assert abs(lon - 110.3) < 0.01 and abs(lat - 40.0) < 0.01, (lon, lat)


def test_multi_parcel_holdings_small_parcels_adjacent(layer):
    multi = layer[layer["HOLDER"].notna() & layer["HOLDER"].duplicated(keep=False)]
    assert STARTING <= set(multi["VILLAGE"])
    for holder, h in multi.groupby("HOLDER"):
        ha = h["AREA_MU"] / 15
        assert 2 <= len(h) <= 3 and h["VILLAGE"].nunique() == 1, holder
        assert h["LANDCOVER"].isin(["grassland", "scattered_farmland"]).all(), holder
        assert (ha < 0.67).all() and ha.sum() >= 0.67, holder
        geoms = h.geometry.to_list()
        reached, frontier = {0}, [0]
        while frontier:
            a = frontier.pop()
            for b in range(len(geoms)):
                if b not in reached and shared(geoms[a], geoms[b]) >= 1.0:
                    reached.add(b)
                    frontier.append(b)
        assert reached == set(range(len(geoms))), (holder, h["PARCEL_NO"].tolist())


def test_shared_boundary_ignores_corners():
    assert shared(shapely.box(0, 0, 1, 1), shapely.box(1, 1, 2, 2)) == 0
    assert shared(shapely.box(0, 0, 1, 1), shapely.box(1, 0.5, 2, 2)) == 0.5


def test_committed_gpkg_matches_a_fresh_build(built):
    for name in ("parcels", "villages"):
        fresh = gpd.read_file(built["gpkg"], layer=name)
        committed = gpd.read_file(INSTANCES / "nuanshui_parcels.gpkg", layer=name)
        pd.testing.assert_frame_equal(
            pd.DataFrame(committed.drop(columns="geometry")), pd.DataFrame(fresh.drop(columns="geometry"))
        )
        assert committed.crs == fresh.crs
        assert shapely.equals_exact(committed.geometry.to_numpy(), fresh.geometry.to_numpy(), tolerance=1e-6).all(), (
            name
        )


def test_committed_geo_yaml_matches_a_fresh_build(built):
    text = built["yaml"].read_text(encoding="utf-8")
    assert (INSTANCES / "nuanshui_geo.yaml").read_text(encoding="utf-8") == text
    geo, base = yaml.safe_load(text), yaml.safe_load((INSTANCES / "nuanshui.yaml").read_text(encoding="utf-8"))
    assert {k for k in base if geo[k] != base[k]} == {"name", "description", "parcels"}
    assert geo["parcels"]["file"] == "nuanshui_parcels.gpkg" and geo["parcels"]["area_unit"] == "mu"
    assert set(geo["parcels"]["columns"].values()) <= set(gpd.read_file(built["gpkg"], layer="parcels").columns)
