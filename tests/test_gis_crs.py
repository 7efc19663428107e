"""Coordinate systems of GIS parcel layers (planner.instance.gis, planner.report.gpkg):
``parcels.crs`` declares the system of a layer that has none; a GeoJSON without a ``crs``
member in metres (read by GDAL as EPSG:4326 degrees) is named, not crashed on; a layer in
CGCS2000 degrees is measured in its Gauss-Kruger zone; plan.gpkg comes back in the
input layer's own system.

The layers are the boxes of tests/geohelpers.py: 100 m tall, side by side, A1 200 m wide
(2 ha), A2 150 m (1.5 ha), A3 400 m (4 ha), drawn in EPSG:4546 (CGCS2000 / 3-degree
Gauss-Kruger CM 111E) near 111 E 40 N."""

from __future__ import annotations

import json
import subprocess
import sys

import pyogrio
import pytest
import shapely
import yaml
from geohelpers import X0, Y0, row, write_geo_instance
from helpers import P
from pyproj import CRS, Geod

import planner
from planner.core.errors import InputError
from planner.report.gpkg import write_plan_gpkg

PARCELS = [P("A1", "grassland", 2), P("A2", "scattered_farmland", 1.5), P("A3", "forest", 4)]
GEOMS = row({"A1": 2, "A2": 1.5, "A3": 4})
#: by hand: width x 100 m / 10,000 m2 per ha
BOX_HA = [200 * 100 / 10_000, 150 * 100 / 10_000, 400 * 100 / 10_000]


def _write(tmp_path, **kw):
    return write_geo_instance(tmp_path, PARCELS, GEOMS, uses=["ecological_forest"], **kw)


def _strip_geojson_crs(inst_path):
    """Remove the GeoJSON's ``crs`` member, as many exporters write it; the coordinates
    stay in EPSG:4546 metres."""
    inst = yaml.safe_load(inst_path.read_text(encoding="utf-8"))
    layer = inst_path.parent / inst["parcels"]["file"]
    doc = json.loads(layer.read_text(encoding="utf-8"))
    assert "crs" in doc  # GDAL wrote one for EPSG:4546
    del doc["crs"]
    layer.write_text(json.dumps(doc), encoding="utf-8")
    return layer


def _set_parcels(inst_path, **fields):
    inst = yaml.safe_load(inst_path.read_text(encoding="utf-8"))
    inst["parcels"].update(fields)
    inst_path.write_text(yaml.safe_dump(inst, sort_keys=False), encoding="utf-8")


def _problem(path):
    with pytest.raises(InputError) as exc:
        planner.load_instance(path)
    assert len(exc.value.problems) == 1
    return exc.value.problems[0]


def _plan_gpkg(li, tmp_path):
    plan = planner.solve(li)
    assert plan.status == "optimal"
    return write_plan_gpkg(plan, li, tmp_path / "out" / "plan.gpkg")


@pytest.mark.parametrize("keep_area", [True, False])
def test_geojson_in_metres_without_crs_is_named(tmp_path, keep_area):
    """Coordinates x ~500,000, y ~4,430,000 read as degrees: the problem names the layer
    file, the field parcels.crs and systems to set (was: 'Unable to determine UTM CRS' with a
    traceback, or 'area must be a positive number (got nan)' per parcel)."""
    path = _write(tmp_path, fmt="geojson", keep_area=keep_area)
    layer = _strip_geojson_crs(path)
    p = _problem(path)
    assert p.file == str(path) and p.field == "parcels.crs"
    assert str(layer) in p.message and "not degrees" in p.message and "without a `crs` member" in p.message
    assert "EPSG:4546" in p.fix and "parcels.crs" in p.fix


def test_geojson_eastings_with_zone_number_name_the_zone(tmp_path):
    """Eastings 37,500,000 m: the zone-numbered CGCS2000 3-degree Gauss-Kruger zone 37,
    EPSG:4525 (pyproj's name is checked independently)."""
    assert CRS.from_epsg(4525).name == "CGCS2000 / 3-degree Gauss-Kruger zone 37"
    geoms = {k: shapely.affinity.translate(g, xoff=37_000_000) for k, g in GEOMS.items()}
    path = write_geo_instance(tmp_path, PARCELS, geoms, uses=["ecological_forest"], fmt="geojson")
    _strip_geojson_crs(path)
    assert "EPSG:4525" in _problem(path).fix


def test_cli_geojson_without_crs_exits_2_without_traceback(tmp_path):
    path = _write(tmp_path, fmt="geojson", keep_area=False)
    _strip_geojson_crs(path)
    r = subprocess.run(
        [sys.executable, "-m", "planner", "solve", str(path), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 2
    assert "parcels.crs" in r.stderr + r.stdout and "Traceback" not in r.stderr


def test_parcels_crs_declares_the_geojson_system(tmp_path):
    """parcels.crs: EPSG:4546 on the same file: it loads, the areas are the boxes' (by hand
    2, 1.5, 4 ha), A1-A2 and A2-A3 share 100 m, and plan.gpkg comes back in EPSG:4546
    with the boxes as drawn."""
    path = _write(tmp_path, fmt="geojson", keep_area=False)
    _strip_geojson_crs(path)
    _set_parcels(path, crs="EPSG:4546")
    li = planner.load_instance(path)
    assert li.parcels["area_ha"].tolist() == pytest.approx(BOX_HA)
    assert li.geometry.crs.to_epsg() == 4546
    assert li.adjacency["shared_m"].tolist() == pytest.approx([100, 100])
    par = pyogrio.read_dataframe(_plan_gpkg(li, tmp_path), layer="parcels").set_index("id")
    assert par.crs.to_epsg() == 4546
    for pid, g in GEOMS.items():
        assert par.geometry[pid].equals_exact(g, tolerance=1e-6)


def test_parcels_crs_contradicting_the_layer_is_refused(tmp_path):
    """A GeoPackage declaring EPSG:4546 with parcels.crs: EPSG:4490: the layer's own system
    is not overridden; the problem names both."""
    path = _write(tmp_path, parcels_extra={"crs": "EPSG:4490"})
    p = _problem(path)
    assert p.field == "parcels.crs" and p.value == "EPSG:4490"
    assert "EPSG:4546" in p.message and "EPSG:4490" in p.message and "remove parcels.crs" in p.fix


def test_parcels_crs_agreeing_with_the_layer_is_fine(tmp_path):
    li = planner.load_instance(_write(tmp_path, parcels_extra={"crs": "EPSG:4546"}))
    assert li.parcels["area_ha"].tolist() == pytest.approx(BOX_HA)


def test_parcels_crs_unknown_is_refused(tmp_path):
    p = _problem(_write(tmp_path, parcels_extra={"crs": "EPSG:999999"}))
    assert p.field == "parcels.crs" and "EPSG:4546" in p.fix


def test_shapefile_without_prj_and_parcels_crs(tmp_path):
    """A Shapefile whose .prj is missing loads once parcels.crs names its system."""
    path = _write(tmp_path, fmt="shp", keep_area=False, parcels_extra={"crs": "EPSG:4546"})
    next(tmp_path.glob("*.prj")).unlink()
    li = planner.load_instance(path)
    assert li.parcels["area_ha"].tolist() == pytest.approx(BOX_HA)


def test_layer_declaring_degrees_with_metre_coordinates_is_named(tmp_path):
    """A GeoPackage that declares EPSG:4326 but holds the EPSG:4546 metres: named at the layer."""
    import geopandas as gpd

    path = _write(tmp_path)
    layer = next(tmp_path.glob("*.gpkg"))
    gdf = gpd.read_file(layer).set_crs("EPSG:4326", allow_override=True)
    gdf.to_file(layer, layer="parcels")
    p = _problem(path)
    assert p.file == str(layer) and p.field == "(coordinate system)"
    assert "not degrees" in p.message and "EPSG:4326" in p.message


def test_cgcs2000_degrees_measured_in_gauss_kruger_and_written_back(tmp_path):
    """The boxes in CGCS2000 degrees (EPSG:4490) with their stated areas, A1 stated 2.5 ha
        (its box is 2 ha): the geometry is measured in the CGCS2000 3-degree Gauss-Kruger zone of
        the centre, CM 111E (EPSG:4546), named in the area warning; the measured areas agree
        within 0.5% with geodesic areas on the CGCS2000 ellipsoid (pyproj.Geod, independent of
        the projection); plan.gpkg comes back in EPSG:4490 with the input's polygons, its layer
    descriptions naming the projection the areas were measured in."""
    import geopandas as gpd

    parcels = [P("A1", "grassland", 2.5), *PARCELS[1:]]
    path = write_geo_instance(tmp_path, parcels, GEOMS, uses=["ecological_forest"], crs="EPSG:4490")
    li = planner.load_instance(path)
    assert li.geometry.crs.to_epsg() == 4546
    (w,) = [w for w in li.warnings if "A1" in w.field]
    assert "measured in EPSG:4546" in w.message

    src = gpd.read_file(next(tmp_path.glob("*.gpkg"))).set_index("id")
    assert src.crs.to_epsg() == 4490
    cgcs = CRS.from_epsg(4490).ellipsoid
    geod = Geod(a=cgcs.semi_major_metre, rf=cgcs.inverse_flattening)
    for pid in GEOMS:
        want_ha = abs(geod.geometry_area_perimeter(src.geometry[pid])[0]) / 10_000
        assert li.geometry[pid].area / 10_000 == pytest.approx(want_ha, rel=0.005)

    out = _plan_gpkg(li, tmp_path)
    par = pyogrio.read_dataframe(out, layer="parcels").set_index("id")
    assert par.crs.to_epsg() == 4490
    desc = pyogrio.read_info(out, layer="parcels")["layer_metadata"]["DESCRIPTION"]
    assert "measured in EPSG:4546" in desc
    for pid in GEOMS:
        assert par.geometry[pid].equals_exact(src.geometry[pid], tolerance=1e-8)
    vil = pyogrio.read_dataframe(tmp_path / "out" / "plan.gpkg", layer="villages")
    assert vil.crs.to_epsg() == 4490
    x0, y0, x1, y1 = vil.total_bounds
    assert 110 < x0 < x1 < 112 and 39 < y0 < y1 < 41


def test_gauss_kruger_layer_round_trip(tmp_path):
    """A layer in EPSG:4546 (projected, metres) is measured as it is and plan.gpkg is in
    EPSG:4546 with the same boxes (corner X0, Y0 of A1 unchanged)."""
    li = planner.load_instance(_write(tmp_path, keep_area=False))
    assert li.parcels["area_ha"].tolist() == pytest.approx(BOX_HA)
    par = pyogrio.read_dataframe(_plan_gpkg(li, tmp_path), layer="parcels").set_index("id")
    assert par.crs.to_epsg() == 4546
    assert tuple(par.total_bounds) == pytest.approx((X0, Y0, X0 + 750, Y0 + 100))
    for pid, g in GEOMS.items():
        assert par.geometry[pid].equals_exact(g, tolerance=1e-6)
