"""QGIS styles stored inside plan.gpkg, so the plan opens in QGIS already coloured.

QGIS keeps the styles of a GeoPackage's layers in a table ``layer_styles`` (the QGIS
GeoPackage styling extension: the table QGIS itself creates through GDAL when a user
saves a style "in the database"). A row whose ``f_table_name`` and ``f_geometry_column``
name a layer and whose ``useAsDefault`` is true is applied when the layer is opened.
:func:`write_styles` writes that table with :mod:`sqlite3` into a GeoPackage that GDAL
has written (and registers it in ``gpkg_contents`` as an attributes table, as GDAL
does), one default style per layer.

The styles (QML, the XML of a ``.qml`` file):

- :func:`parcels_qml`: parcels categorised by their main new use at the end of the last
  period, each use in its fixed colour (:func:`planner.report.outlines.use_colors`, the
  colours of the report's map) mixed with the grey of unchanged land in proportion to
  the share of the parcel that changes (a data-defined fill colour:
  ``color_mix_rgb(grey, colour, share)``), so a large parcel with a small strip in a new
  use stays nearly grey, as on the report's map; unchanged parcels light grey. The
  legend gives the hectares in each use.
- :func:`villages_qml`: the village outlines without fill, labelled with the village's name.
- :func:`gardens_qml`: village gardens hatched in the garden colour (drawn at their
  area, ``garden_ha``, on the parcels they use).

The QML is written for QGIS 3 (each symbol layer's properties both as ``Option`` maps,
which QGIS 3.26 and later read, and as ``prop`` elements, which earlier 3.x versions
read).
"""

from __future__ import annotations

import sqlite3
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

from matplotlib.colors import to_rgba

__all__ = ["STYLE_TABLE", "parcels_qml", "villages_qml", "gardens_qml", "write_styles", "qgis_color"]

STYLE_TABLE = "layer_styles"
QGIS_VERSION = "3.28.0-Firenze"  # the QML dialect written (read by every QGIS 3)
DOCTYPE = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>"

# the table as QGIS creates it through GDAL (QgsOgrUtils::saveStyle: FID "id", these fields)
CREATE_TABLE = """
CREATE TABLE "layer_styles" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  "f_table_catalog" TEXT(256),
  "f_table_schema" TEXT(256),
  "f_table_name" TEXT(256),
  "f_geometry_column" TEXT(256),
  "styleName" TEXT(30),
  "styleQML" TEXT,
  "styleSLD" TEXT,
  "useAsDefault" BOOLEAN,
  "description" TEXT,
  "owner" TEXT(30),
  "ui" TEXT(30),
  "update_time" DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
)
"""


def qgis_color(color: str) -> str:
    """A matplotlib colour (``#1f77b4``) as QGIS writes colours: ``31,119,180,255``."""
    r, g, b, a = (round(x * 255) for x in to_rgba(color))
    return f"{r},{g},{b},{a}"


def _hex(color: str) -> str:
    r, g, b, _ = (round(x * 255) for x in to_rgba(color))
    return f"#{r:02x}{g:02x}{b:02x}"


def _root(labels: bool) -> ET.Element:
    return ET.Element(
        "qgis",
        {
            "version": QGIS_VERSION,
            "styleCategories": "Symbology|Labeling",
            "labelsEnabled": "1" if labels else "0",
        },
    )


def _option_map(parent: ET.Element, name: str | None = None) -> ET.Element:
    attrs = {"type": "Map"}
    if name is not None:
        attrs["name"] = name
    return ET.SubElement(parent, "Option", attrs)


def _data_defined(parent: ET.Element, props: dict[str, str]) -> None:
    """``<data_defined_properties>`` with an expression per property (type 3: expression)."""
    dd = ET.SubElement(parent, "data_defined_properties")
    top = _option_map(dd)
    ET.SubElement(top, "Option", {"type": "QString", "name": "name", "value": ""})
    if props:
        pm = _option_map(top, "properties")
        for key, expression in props.items():
            p = _option_map(pm, key)
            ET.SubElement(p, "Option", {"type": "bool", "name": "active", "value": "true"})
            ET.SubElement(p, "Option", {"type": "QString", "name": "expression", "value": expression})
            ET.SubElement(p, "Option", {"type": "int", "name": "type", "value": "3"})
    else:
        ET.SubElement(top, "Option", {"name": "properties"})
    ET.SubElement(top, "Option", {"type": "QString", "name": "type", "value": "collection"})


def _fill_symbol(
    parent: ET.Element,
    name: str,
    fill: str,
    outline: str,
    outline_mm: float,
    style: str = "solid",
    dd: dict[str, str] | None = None,
) -> ET.Element:
    """A fill symbol with one SimpleFill layer; ``style``: ``solid``, ``no`` (outline only),
    ``b_diagonal`` (hatched) ..."""
    sym = ET.SubElement(
        parent,
        "symbol",
        {"type": "fill", "name": name, "alpha": "1", "clip_to_extent": "1", "force_rhr": "0"},
    )
    _data_defined(sym, {})
    layer = ET.SubElement(sym, "layer", {"class": "SimpleFill", "enabled": "1", "locked": "0", "pass": "0"})
    props = {
        "border_width_map_unit_scale": "3x:0,0,0,0,0,0",
        "color": qgis_color(fill),
        "joinstyle": "bevel",
        "offset": "0,0",
        "offset_map_unit_scale": "3x:0,0,0,0,0,0",
        "offset_unit": "MM",
        "outline_color": qgis_color(outline),
        "outline_style": "solid",
        "outline_width": f"{outline_mm:g}",
        "outline_width_unit": "MM",
        "style": style,
    }
    opts = _option_map(layer)
    for k, v in props.items():
        ET.SubElement(opts, "Option", {"type": "QString", "name": k, "value": v})
    for k, v in props.items():
        ET.SubElement(layer, "prop", {"k": k, "v": v})
    _data_defined(layer, dd or {})
    return sym


def _text(root: ET.Element) -> str:
    ET.indent(root, space=" ")
    return DOCTYPE + "\n" + ET.tostring(root, encoding="unicode") + "\n"


def _quoted_field(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _quoted_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def parcels_qml(
    use_field: str,
    share_field: str,
    uses: list[tuple[str, str, str]],
    unchanged: tuple[str, str, str],
    edge: str = "#ffffff",
) -> str:
    """The parcels' style: categories on ``use_field``; ``uses``: ``(value, label, colour)``
    per new use, each symbol's fill ``color_mix_rgb(unchanged colour, colour, share)`` with
    the share from ``share_field`` (0-1; a parcel without a share counts as wholly
    changed); ``unchanged``: ``(value, label, colour)`` of land that keeps its cover."""
    root = _root(labels=False)
    r = ET.SubElement(
        root,
        "renderer-v2",
        {
            "type": "categorizedSymbol",
            "attr": use_field,
            "symbollevels": "0",
            "enableorderby": "0",
            "forceraster": "0",
            "referencescale": "-1",
        },
    )
    cats = ET.SubElement(r, "categories")
    syms = ET.SubElement(r, "symbols")
    grey = unchanged[2]
    share = f"coalesce(max(0, min(1, {_quoted_field(share_field)})), 1)"
    for i, (value, label, color) in enumerate([*uses, unchanged]):
        ET.SubElement(
            cats, "category", {"type": "string", "value": value, "label": label, "symbol": str(i), "render": "true"}
        )
        dd = (
            {}
            if value == unchanged[0]
            else {"fillColor": f"color_mix_rgb({_quoted_text(_hex(grey))}, {_quoted_text(_hex(color))}, {share})"}
        )
        _fill_symbol(syms, str(i), color, edge, 0.1, dd=dd)
    src = ET.SubElement(r, "source-symbol")
    _fill_symbol(src, "0", grey, edge, 0.1)
    ET.SubElement(root, "layerGeometryType").text = "2"
    return _text(root)


def villages_qml(label_field: str, color: str = "#222222") -> str:
    """Village outlines (no fill), labelled with ``label_field`` on a white halo."""
    root = _root(labels=True)
    r = ET.SubElement(
        root,
        "renderer-v2",
        {"type": "singleSymbol", "symbollevels": "0", "enableorderby": "0", "forceraster": "0", "referencescale": "-1"},
    )
    syms = ET.SubElement(r, "symbols")
    _fill_symbol(syms, "0", color, color, 0.6, style="no")
    lab = ET.SubElement(root, "labeling", {"type": "simple"})
    settings = ET.SubElement(lab, "settings", {"calloutType": "simple"})
    ts = ET.SubElement(
        settings,
        "text-style",
        {
            "fieldName": label_field,
            "isExpression": "0",
            "fontSize": "10",
            "fontSizeUnit": "Point",
            "textColor": qgis_color("#111111"),
            "textOpacity": "1",
            "fontWeight": "75",
            "fontItalic": "0",
            "fontUnderline": "0",
            "fontStrikeout": "0",
            "multilineHeight": "1",
            "blendMode": "0",
        },
    )
    ET.SubElement(
        ts,
        "text-buffer",
        {
            "bufferDraw": "1",
            "bufferSize": "1",
            "bufferSizeUnits": "MM",
            "bufferColor": qgis_color("#ffffff"),
            "bufferOpacity": "1",
            "bufferNoFill": "1",
            "bufferJoinStyle": "128",
            "bufferBlendMode": "0",
        },
    )
    # placement 1: over the centroid (inside the polygon); every village's label shown
    ET.SubElement(settings, "placement", {"placement": "1", "centroidInside": "1", "centroidWhole": "0"})
    ET.SubElement(settings, "rendering", {"obstacle": "1", "displayAll": "1", "upsidedownLabels": "0"})
    ET.SubElement(root, "layerGeometryType").text = "2"
    return _text(root)


def gardens_qml(color: str) -> str:
    """Gardens hatched (diagonal lines) in ``color`` with an outline of the same colour."""
    root = _root(labels=False)
    r = ET.SubElement(
        root,
        "renderer-v2",
        {"type": "singleSymbol", "symbollevels": "0", "enableorderby": "0", "forceraster": "0", "referencescale": "-1"},
    )
    syms = ET.SubElement(r, "symbols")
    _fill_symbol(syms, "0", color, color, 0.5, style="b_diagonal")
    ET.SubElement(root, "layerGeometryType").text = "2"
    return _text(root)


def write_styles(path: str | Path, styles: dict[str, tuple[str, str]], style_name: str = "planner") -> None:
    """Write ``styles`` (layer -> (QML, description)) into the GeoPackage at ``path`` as
    the default style of each layer, in the ``layer_styles`` table (created and
    registered in ``gpkg_contents`` when missing; an earlier default of the layer stops
    being the default). The layers must exist; ``path`` is written in place (call it on
    the temporary file of :func:`planner.core.files.written`)."""
    con = sqlite3.connect(str(path))
    try:
        with con:
            geom = dict(con.execute("SELECT table_name, column_name FROM gpkg_geometry_columns").fetchall())
            missing = sorted(set(styles) - set(geom))
            if missing:
                raise ValueError(f"no spatial layer {', '.join(missing)} in {path} to style")
            have = con.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (STYLE_TABLE,)
            ).fetchone()
            if not have:
                con.execute(CREATE_TABLE)
                con.execute(
                    "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change, srs_id) "
                    "VALUES (?, 'attributes', ?, '', strftime('%Y-%m-%dT%H:%M:%fZ','now'), 0)",
                    (STYLE_TABLE, STYLE_TABLE),
                )
            now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
            for layer, (qml, description) in styles.items():
                con.execute(
                    f'UPDATE "{STYLE_TABLE}" SET useAsDefault = 0 WHERE f_table_name = ? AND f_geometry_column = ?',
                    (layer, geom[layer]),
                )
                con.execute(
                    f'INSERT INTO "{STYLE_TABLE}" (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, '
                    "styleName, styleQML, styleSLD, useAsDefault, description, owner, ui, update_time) "
                    "VALUES ('', '', ?, ?, ?, ?, '', 1, ?, '', NULL, ?)",
                    (layer, geom[layer], f"{style_name} {layer}", qml, description, now),
                )
            ogr = con.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'gpkg_ogr_contents'"
            ).fetchone()
            if ogr:  # GDAL's cache of feature counts: keep it right for the new table
                n = con.execute(f'SELECT COUNT(*) FROM "{STYLE_TABLE}"').fetchone()[0]
                con.execute("DELETE FROM gpkg_ogr_contents WHERE lower(table_name) = lower(?)", (STYLE_TABLE,))
                con.execute("INSERT INTO gpkg_ogr_contents (table_name, feature_count) VALUES (?, ?)", (STYLE_TABLE, n))
    finally:
        con.close()
