"""Parcels from GIS layers (planner.instance.gis, planner.instance.adjacency): GeoPackage, GeoJSON
and Shapefile; the attribute mapping; area from geometry in a projected system; a layer
in degrees without an area attribute is refused with the projection to use; stated and
geometric areas compared; adjacency from shared boundaries."""

from __future__ import annotations

import subprocess
import sys

import pytest
import shapely
import yaml
from geohelpers import X0, Y0, row, write_geo_instance
from helpers import P, write_instance

import planner
from planner.core.errors import InputError

PARCELS = [P("A1", "grassland", 2), P("A2", "scattered_farmland", 1.5), P("A3", "forest", 4)]
GEOMS = row({"A1": 2, "A2": 1.5, "A3": 4})
MAPPING = {"id": "PARCEL_NO", "area": "AREA", "cover": "LANDCOVER", "village": "CUN"}


def _load(tmp_path, **kw):
    return planner.load_instance(write_geo_instance(tmp_path, PARCELS, GEOMS, uses=["ecological_forest"], **kw))


def _problems(tmp_path, **kw) -> str:
    with pytest.raises(InputError) as exc:
        _load(tmp_path, **kw)
    return str(exc.value)


@pytest.mark.parametrize("fmt", ["gpkg", "geojson", "shp"])
def test_formats_read_the_same_table(tmp_path, fmt):
    """The same three parcels from each format: ids, villages, areas and covers as given,
    geometry kept in the projected system, and A1-A2, A2-A3 adjacent (100 m each)."""
    li = _load(tmp_path, fmt=fmt)
    assert li.parcels["id"].tolist() == ["A1", "A2", "A3"]
    assert li.parcels["area_ha"].tolist() == pytest.approx([2, 1.5, 4])
    assert li.parcels["cover"].tolist() == ["grassland", "scattered_farmland", "forest"]
    assert li.geometry.crs.to_epsg() == 4546
    assert list(li.geometry.index) == ["A1", "A2", "A3"]
    assert list(zip(li.adjacency["a"], li.adjacency["b"])) == [("A1", "A2"), ("A2", "A3")]
    assert li.adjacency["shared_m"].tolist() == pytest.approx([100, 100])


def test_attribute_mapping(tmp_path):
    """Registry names mapped back to planner fields through parcels.columns."""
    li = _load(tmp_path, columns=MAPPING)
    assert li.parcels["id"].tolist() == ["A1", "A2", "A3"]
    assert li.parcels["area_ha"].sum() == pytest.approx(7.5)


def test_mapping_to_a_missing_attribute_names_the_field(tmp_path):
    path = write_geo_instance(tmp_path, PARCELS, GEOMS, uses=["ecological_forest"], columns=MAPPING)
    inst = yaml.safe_load(path.read_text())
    inst["parcels"]["columns"]["cover"] = "DLMC"
    path.write_text(yaml.safe_dump(inst))
    with pytest.raises(InputError) as exc:
        planner.load_instance(path)
    msg = str(exc.value)
    assert "parcels.columns.cover" in msg and "'DLMC'" in msg and "LANDCOVER" in msg


def test_area_from_projected_geometry(tmp_path):
    """No area attribute: the area is the polygon's, 2 / 1.5 / 4 ha (the boxes are 100 m tall)."""
    li = _load(tmp_path, keep_area=False)
    assert li.parcels["area_ha"].tolist() == pytest.approx([2, 1.5, 4])
    assert li.warnings == []


def test_area_from_geometry_in_mu(tmp_path):
    """area_unit mu with no area attribute: the geometry's area is used, in ha all the same."""
    li = _load(tmp_path, keep_area=False, area_unit="mu")
    assert li.parcels["area_ha"].tolist() == pytest.approx([2, 1.5, 4])


@pytest.mark.parametrize("crs, projection", [("EPSG:4490", "EPSG:4546"), ("EPSG:4326", "EPSG:32649")])
def test_degrees_without_area_is_an_error_naming_the_projection(tmp_path, crs, projection):
    """The boxes lie near 111 E 40 N: in CGCS2000 degrees the suggestion is the CGCS2000 3-degree
    Gauss-Kruger zone CM 111E (EPSG:4546); in WGS 84 degrees, UTM zone 49N (EPSG:32649)."""
    msg = _problems(tmp_path, keep_area=False, crs=crs)
    assert "geographic coordinates" in msg and "no area attribute" in msg
    assert f"parcels.area_crs: {projection}" in msg


def test_degrees_with_area_crs(tmp_path):
    """parcels.area_crs: EPSG:4546 measures a CGCS2000-degree layer in metres: areas as drawn."""
    li = _load(tmp_path, keep_area=False, crs="EPSG:4490", parcels_extra={"area_crs": "EPSG:4546"})
    assert li.parcels["area_ha"].tolist() == pytest.approx([2, 1.5, 4], rel=1e-6)
    assert len(li.adjacency) == 2


def test_degrees_with_an_area_attribute_is_read(tmp_path):
    """A layer in degrees that states its areas is fine: the stated areas are used and the
    geometry is measured in its UTM zone for adjacency and the area check."""
    li = _load(tmp_path, crs="EPSG:4326")
    assert li.parcels["area_ha"].tolist() == [2, 1.5, 4]
    assert li.geometry.crs.is_projected
    assert len(li.adjacency) == 2


def test_geographic_area_crs_is_refused(tmp_path):
    assert "is not projected" in _problems(tmp_path, parcels_extra={"area_crs": "EPSG:4326"})


def test_stated_area_mismatch_is_reported(tmp_path):
    """A2 drawn 1.5 ha but stated 1.8 ha (+20%): a warning naming A2 and both areas; the stated
    area is kept. A1 and A3 match and are not named."""
    parcels = [P("A1", "grassland", 2), P("A2", "scattered_farmland", 1.8), P("A3", "forest", 4)]
    li = planner.load_instance(write_geo_instance(tmp_path, parcels, GEOMS, uses=["ecological_forest"]))
    assert li.parcels.set_index("id").at["A2", "area_ha"] == 1.8
    text = [str(w) for w in li.warnings]
    assert len(text) == 1
    assert "'A2'" in text[0] and "1.8000 ha" in text[0] and "1.5000 ha" in text[0]


def test_mismatch_within_tolerance_is_quiet(tmp_path):
    """The same 20% difference with parcels.area_tolerance 0.25: no warning."""
    parcels = [P("A1", "grassland", 2), P("A2", "scattered_farmland", 1.8), P("A3", "forest", 4)]
    li = planner.load_instance(
        write_geo_instance(tmp_path, parcels, GEOMS, uses=["ecological_forest"], parcels_extra={"area_tolerance": 0.25})
    )
    assert li.warnings == []


def test_overlapping_parcels_are_reported(tmp_path):
    """A2 drawn 20 m into A1 (2,000 m2 of overlap): a warning names both."""
    geoms = dict(GEOMS)
    geoms["A2"] = shapely.box(X0 + 180, Y0, X0 + 330, Y0 + 100)
    li = planner.load_instance(
        write_geo_instance(tmp_path, PARCELS, geoms, uses=["ecological_forest"], parcels_extra={"area_tolerance": 1.0})
    )
    text = " ".join(str(w) for w in li.warnings)
    assert "'A1' and 'A2'" in text and "overlap by 2,000 m2" in text


def test_a_point_is_not_a_parcel(tmp_path):
    geoms = dict(GEOMS)
    geoms["A2"] = shapely.Point(X0, Y0)
    # GeoPackage layers hold one geometry type; GeoJSON may mix them
    path = write_geo_instance(tmp_path, PARCELS, geoms, uses=["ecological_forest"], fmt="geojson")
    with pytest.raises(InputError) as exc:
        planner.load_instance(path)
    assert "feature 2 (parcel 'A2'), geometry" in str(exc.value) and "not a polygon" in str(exc.value)


def test_invalid_polygon_names_the_fix(tmp_path):
    geoms = dict(GEOMS)
    geoms["A1"] = shapely.Polygon([(X0, Y0), (X0 + 200, Y0 + 100), (X0 + 200, Y0), (X0, Y0 + 100)])  # a bow tie
    path = write_geo_instance(tmp_path, PARCELS, geoms, uses=["ecological_forest"])
    with pytest.raises(InputError) as exc:
        planner.load_instance(path)
    assert "parcel 'A1'" in str(exc.value) and "Fix Geometries" in str(exc.value)


def test_unknown_layer_lists_the_layers(tmp_path):
    msg = _problems(tmp_path, parcels_extra={"layer": "plots"})
    assert "parcels.layer" in msg and "'plots'" in msg and "['parcels']" in msg


def test_bad_attribute_value_names_the_feature_and_the_mapped_name(tmp_path):
    """An unknown cover in feature 2, read through the mapping: the message names the feature
    (not a CSV row) and the file's attribute name."""
    parcels = [P("A1", "grassland", 2), P("A2", "meadow", 1.5), P("A3", "forest", 4)]
    path = write_geo_instance(tmp_path, parcels, GEOMS, uses=["ecological_forest"], columns=MAPPING)
    with pytest.raises(InputError) as exc:
        planner.load_instance(path)
    assert "feature 2 (parcel 'A2'), column cover (LANDCOVER)" in str(exc.value)


def test_csv_tables_take_the_mapping_too(tmp_path):
    path = write_instance(tmp_path, PARCELS, uses=["ecological_forest"])
    inst = yaml.safe_load(path.read_text())
    csv = tmp_path / inst["parcels"]["file"]
    csv.write_text(csv.read_text().replace("id,", "PARCEL_NO,", 1))
    inst["parcels"]["columns"] = {"id": "PARCEL_NO"}
    path.write_text(yaml.safe_dump(inst))
    li = planner.load_instance(path)
    assert li.parcels["id"].tolist() == ["A1", "A2", "A3"]
    assert li.geometry is None and li.adjacency is None


def test_missing_geo_extra_says_how_to_install(tmp_path, monkeypatch):
    import planner.instance.gis as read

    path = write_geo_instance(tmp_path, PARCELS, GEOMS, uses=["ecological_forest"])
    monkeypatch.setattr(read, "_geo_modules", lambda: None)
    with pytest.raises(InputError) as exc:
        planner.load_instance(path)
    assert "pip install 'planner[geo]'" in str(exc.value)


def test_cli_bad_gis_input_exits_2_without_traceback(tmp_path):
    path = write_geo_instance(tmp_path, PARCELS, GEOMS, uses=["ecological_forest"], keep_area=False, crs="EPSG:4490")
    r = subprocess.run(
        [sys.executable, "-m", "planner", "solve", str(path), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 2
    assert "EPSG:4546" in r.stderr + r.stdout and "Traceback" not in r.stderr
