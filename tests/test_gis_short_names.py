"""plan.gpkg with Shapefile-safe field names (write_plan_gpkg(..., short_names=True)): every
name at most 10 characters and unique in its layer, a ``fields`` table from each long name
to its short one, and a parcels layer that a Shapefile keeps without truncating a name."""

from __future__ import annotations

import warnings

import pyogrio
import pytest
from geohelpers import write_tiny_geo

import planner
from planner.report.gpkg import LAYERS, short_field_names, write_plan_gpkg


@pytest.fixture(scope="module")
def li(tmp_path_factory):
    return planner.load_instance(write_tiny_geo(tmp_path_factory.mktemp("tiny_geo")))


@pytest.fixture(scope="module")
def plan(li):
    p = planner.solve(li)
    assert p.status == "optimal"
    return p


@pytest.fixture(scope="module")
def both(plan, li, tmp_path_factory):
    d = tmp_path_factory.mktemp("out")
    return write_plan_gpkg(plan, li, d / "long.gpkg"), write_plan_gpkg(plan, li, d / "short.gpkg", short_names=True)


def test_every_name_is_short_and_unique(both):
    long, short = both
    assert "fields" in dict(pyogrio.list_layers(short)) and "fields" not in dict(pyogrio.list_layers(long))
    for layer in LAYERS:
        names = list(pyogrio.read_info(short, layer=layer)["fields"])
        assert all(len(n) <= 10 for n in names), (layer, names)
        assert len({n.lower() for n in names}) == len(names), (layer, names)  # dBASE ignores case
        assert len(names) == len(pyogrio.read_info(long, layer=layer)["fields"])
    # the long layer has the names a Shapefile would cut to the same 10 characters
    long_names = list(pyogrio.read_info(long, layer="parcels")["fields"])
    assert "new_ha_2025" in long_names and "new_ha_2035" in long_names


def test_the_fields_table_maps_long_names_to_short_ones_and_values_agree(both):
    long, short = both
    fields = pyogrio.read_dataframe(short, layer="fields")
    assert list(fields.columns) == ["layer", "name", "short_name", "description"]
    m = {(r.layer, r.name): r.short_name for r in fields.itertuples()}
    assert m[("parcels", "new_ha_2025")] == "nha_2025" and m[("parcels", "new_ha_2035")] == "nha_2035"
    assert m[("parcels", "changed_share_2035")] == "shr_2035" and m[("parcels", "use_2035")] == "use_2035"
    assert m[("villages", "gep_change_2025_to_2035_at_2035_prices_yuan_per_yr")] == "gep_chg_lp"
    assert (fields["description"] != "").all()
    for layer in ("parcels", "villages"):
        a = pyogrio.read_dataframe(long, layer=layer)
        b = pyogrio.read_dataframe(short, layer=layer)
        for name in a.columns.drop("geometry"):
            assert a[name].tolist() == b[m[(layer, name)]].tolist(), (layer, name)


def test_the_parcels_layer_goes_to_a_shapefile_with_its_names(both, tmp_path):
    """GDAL truncates (and warns about) a Shapefile field name above 10 characters: the
    short names come back as written, without a warning."""
    _, short = both
    par = pyogrio.read_dataframe(short, layer="parcels")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a laundered or truncated name would raise here
        pyogrio.write_dataframe(par, tmp_path / "parcels.shp")
    back = pyogrio.read_dataframe(tmp_path / "parcels.shp")
    assert list(back.columns) == list(par.columns)


def test_long_period_ids_still_give_unique_short_names():
    """Period ids whose suffixes share their last 6 characters ("a_long_2025",
    "b_long_2025") fall back to the period's number; names stay within 10 characters."""
    periods = ["a_long_2025", "b_long_2025", "2035"]
    cols = [f"{stem}{p}" for p in periods for stem in ("use_", "uses_", "new_ha_", "changed_share_")]
    names = short_field_names(cols, periods)
    short = [n for n, _ in names.values()]
    assert all(len(n) <= 10 for n in short) and len({n.lower() for n in short}) == len(short)
    assert names["new_ha_a_long_2025"][0] == "nha_g_2025" and names["new_ha_b_long_2025"][0] == "nha_p2"
    assert names["new_ha_2035"][0] == "nha_2035"
    assert names["new_ha_b_long_2025"][1] == "hectares in new uses by the end of b_long_2025"
