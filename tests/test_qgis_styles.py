"""The QGIS styles inside plan.gpkg (planner.report.qgis): the ``layer_styles`` table QGIS
reads, one default style per spatial layer, QML that parses, the use colours of the
report's map, and the share of each parcel that changes driving the fill."""

from __future__ import annotations

import sqlite3
import xml.etree.ElementTree as ET

import pyogrio
import pytest
from geohelpers import write_tiny_geo

import planner
from planner.report.gpkg import use_hectares, write_plan_gpkg
from planner.report.outlines import UNCHANGED_COLOR, use_colors
from planner.report.qgis import qgis_color

#: the columns of QGIS's layer_styles table (QgsOgrUtils::saveStyle), in its order
COLUMNS = [
    "id",
    "f_table_catalog",
    "f_table_schema",
    "f_table_name",
    "f_geometry_column",
    "styleName",
    "styleQML",
    "styleSLD",
    "useAsDefault",
    "description",
    "owner",
    "ui",
    "update_time",
]


@pytest.fixture(scope="module")
def li(tmp_path_factory):
    return planner.load_instance(write_tiny_geo(tmp_path_factory.mktemp("tiny_geo")))


@pytest.fixture(scope="module")
def plan(li):
    p = planner.solve(li)
    assert p.status == "optimal"
    return p


@pytest.fixture(scope="module")
def gpkg(plan, li, tmp_path_factory):
    return write_plan_gpkg(plan, li, tmp_path_factory.mktemp("out") / "plan.gpkg")


def _styles(path) -> dict[str, tuple]:
    con = sqlite3.connect(path)
    try:
        rows = con.execute(
            "SELECT f_table_name, f_geometry_column, styleQML, useAsDefault, f_table_schema FROM layer_styles"
        ).fetchall()
    finally:
        con.close()
    return {r[0]: r[1:] for r in rows}


def _categories(qml: str) -> dict[str, tuple[str, str, str | None]]:
    """value -> (label, fill colour, data-defined fill expression) of a categorised style."""
    root = ET.fromstring(qml)
    symbols = {}
    for sym in root.find("renderer-v2/symbols"):
        layer = sym.find("layer")
        color = next(o.get("value") for o in layer.find("Option") if o.get("name") == "color")
        expr = None
        for o in layer.iter("Option"):
            if o.get("name") == "expression":
                expr = o.get("value")
        symbols[sym.get("name")] = (color, expr)
    return {c.get("value"): (c.get("label"), *symbols[c.get("symbol")]) for c in root.find("renderer-v2/categories")}


def test_the_table_is_qgis_layer_styles_with_one_default_per_layer(gpkg):
    con = sqlite3.connect(gpkg)
    try:
        cols = [r[1] for r in con.execute("PRAGMA table_info(layer_styles)")]
        contents = dict(con.execute("SELECT table_name, data_type FROM gpkg_contents").fetchall())
        geom = dict(con.execute("SELECT table_name, column_name FROM gpkg_geometry_columns").fetchall())
        defaults = con.execute(
            "SELECT f_table_name, COUNT(*) FROM layer_styles WHERE useAsDefault GROUP BY f_table_name"
        ).fetchall()
    finally:
        con.close()
    assert cols == COLUMNS
    assert contents["layer_styles"] == "attributes"  # registered, as GDAL registers the table QGIS makes
    assert dict(defaults) == {"parcels": 1, "villages": 1, "gardens": 1}
    for layer, (column, _, default, schema) in _styles(gpkg).items():
        assert column == geom[layer] and default == 1 and schema == ""  # what QGIS matches on
    # the layers still read as before, and GDAL reads the styles table too
    assert len(pyogrio.read_dataframe(gpkg, layer="parcels")) == 7
    assert len(pyogrio.read_dataframe(gpkg, layer="layer_styles")) == 3


def test_parcels_style_uses_the_report_maps_colours_and_the_changed_share(gpkg, plan, li):
    """A category per new use of the plan's last period, in the use's fixed colour
    (use_colors of the library, as the report's map), its fill mixed with the unchanged
    grey by the parcel's changed_share_2035; unchanged parcels light grey; the legend gives
    the hectares in each use (the allocations summed, to 0.1 ha)."""
    qml = _styles(gpkg)["parcels"][1]
    root = ET.fromstring(qml)
    assert root.tag == "qgis" and root.find("renderer-v2").get("type") == "categorizedSymbol"
    assert root.find("renderer-v2").get("attr") == "use_2035"
    cats = _categories(qml)
    colors = use_colors(list(li.library.uses))
    ha = use_hectares(plan, "2035")
    alloc = plan.allocations.astype({"period": str})
    assert set(cats) == {*ha.index, "unchanged"} and len(ha) >= 3
    for use, (label, color, expr) in cats.items():
        if use == "unchanged":
            assert color == qgis_color(UNCHANGED_COLOR) == "228,228,228,255" and expr is None
            continue
        assert color == qgis_color(colors[use]), use
        assert colors[use] in expr and '"changed_share_2035"' in expr and expr.startswith("color_mix_rgb('#e4e4e4'")
        want = alloc.loc[(alloc["period"] == "2035") & (alloc["use"] == use), "area_ha"].sum()
        assert label.endswith(f"({want:,.1f} ha)"), (label, want)


def test_villages_are_outlined_and_labelled_and_gardens_hatched(gpkg, li):
    villages = ET.fromstring(_styles(gpkg)["villages"][1])
    assert villages.get("labelsEnabled") == "1"
    assert villages.find("labeling/settings/text-style").get("fieldName") == "name"
    layer = villages.find("renderer-v2/symbols/symbol/layer")
    props = {p.get("k"): p.get("v") for p in layer.findall("prop")}
    assert props["style"] == "no"  # outline only
    gardens = ET.fromstring(_styles(gpkg)["gardens"][1])
    props = {p.get("k"): p.get("v") for p in gardens.find("renderer-v2/symbols/symbol/layer").findall("prop")}
    assert props["style"] == "b_diagonal" and props["color"] == qgis_color(
        use_colors(list(li.library.uses))["garden_shrub"]
    )


def test_styles_follow_short_names_and_the_language(plan, li, tmp_path):
    out = write_plan_gpkg(plan, li, tmp_path / "plan.gpkg", short_names=True, lang="zh")
    qml = _styles(out)["parcels"][1]
    assert ET.fromstring(qml).find("renderer-v2").get("attr") == "use_2035"
    cats = _categories(qml)
    assert '"shr_2035"' in cats["ecological_forest"][2]  # the field as written
    assert cats["ecological_forest"][0].startswith("生态林（") and cats["ecological_forest"][0].endswith("公顷）")
    assert cats["unchanged"][0] == "不变：保持现状地类"
    fields = pyogrio.read_info(out, layer="parcels")["fields"]
    assert "shr_2035" in fields and "changed_share_2035" not in fields


def test_rewriting_keeps_one_default_per_layer(plan, li, gpkg, tmp_path):
    target = tmp_path / "plan.gpkg"
    write_plan_gpkg(plan, li, target)
    write_plan_gpkg(plan, li, target)
    con = sqlite3.connect(target)
    try:
        n = con.execute("SELECT COUNT(*) FROM layer_styles").fetchone()[0]
    finally:
        con.close()
    assert n == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.gpkg"]
