"""Write test instances whose parcel table is a GIS layer (GeoPackage by default).

``write_geo_instance(dir, parcels, geoms, ...)`` writes the instance with
``helpers.write_instance`` and then replaces its CSV by a layer with the same attributes
and the given polygons. ``row(*widths)`` lays out boxes 100 m tall side by side, so a
parcel of w metres wide is w/100 ha and neighbours share a 100 m boundary."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from helpers import write_instance

from planner.core.paths import bundled_dir

X0, Y0 = 500_000.0, 4_430_000.0  # metres in EPSG:4546 (CGCS2000 / 3-degree GK CM 111E), near 111E 40N


def row(areas: dict[str, float], y: float = 0.0) -> dict[str, Any]:
    """Boxes 100 m tall, side by side from the left in the given order; ``areas`` in ha."""
    import shapely

    out, x = {}, X0
    for pid, ha in areas.items():
        w = ha * 10_000 / 100
        out[pid] = shapely.box(x, Y0 + y, x + w, Y0 + y + 100)
        x += w
    return out


def write_geo_instance(
    directory: Path,
    parcels: list[dict[str, Any]],
    geoms: dict[str, Any],
    *,
    crs: str = "EPSG:4546",
    fmt: str = "gpkg",
    keep_area: bool = True,
    columns: dict[str, str] | None = None,
    parcels_extra: dict[str, Any] | None = None,
    **kw: Any,
) -> Path:
    """The instance path. ``columns``: rename attributes in the file (planner field ->
    file name) and map them back in ``parcels.columns``; ``keep_area``: False drops the
    area attribute (area from geometry); ``parcels_extra``: more keys of the ``parcels``
    section (area_crs, layer, ...)."""
    import geopandas as gpd

    Path(directory).mkdir(parents=True, exist_ok=True)
    path = write_instance(directory, parcels, **kw)
    inst = yaml.safe_load(path.read_text(encoding="utf-8"))
    csv = directory / inst["parcels"]["file"]
    df = pd.read_csv(csv, dtype=str, keep_default_na=False)
    df["area"] = df["area"].astype(float)
    if not keep_area:
        df = df.drop(columns="area")
    columns = columns or {}
    df = df.rename(columns={f: a for f, a in columns.items()})
    ids = df[columns.get("id", "id")].tolist()
    gdf = gpd.GeoDataFrame(df, geometry=[geoms[i] for i in ids], crs="EPSG:4546")
    if crs != "EPSG:4546":
        gdf = gdf.to_crs(crs)
    name = csv.with_suffix({"gpkg": ".gpkg", "geojson": ".geojson", "shp": ".shp"}[fmt])
    gdf.to_file(name, **({"layer": "parcels"} if fmt == "gpkg" else {}))
    csv.unlink()
    inst["parcels"] = {
        "file": name.name,
        "area_unit": inst["parcels"]["area_unit"],
        **({"columns": columns} if columns else {}),
        **(parcels_extra or {}),
    }
    path.write_text(yaml.safe_dump(inst, sort_keys=False), encoding="utf-8")
    return path


def write_tiny_geo(directory: Path) -> Path:
    """tiny.yaml with its seven parcels in a GeoPackage (EPSG:4546): east's parcels
    E1 E2 E3 E4 side by side in a row of 100 m tall boxes, west's W1 W2 W3 in a row above;
    each box's area is the parcel's area_ha."""
    import geopandas as gpd
    import shapely
    import yaml

    src = bundled_dir("instances")
    inst = yaml.safe_load((src / "tiny.yaml").read_text(encoding="utf-8"))
    df = pd.read_csv(src / inst["parcels"]["file"])
    geoms, x = [], {"east": 0.0, "west": 0.0}
    for v, ha in zip(df["village"], df["area"]):
        y, w = (0.0 if v == "east" else 100.0), ha * 100.0
        geoms.append(shapely.box(X0 + x[v], Y0 + y, X0 + x[v] + w, Y0 + y + 100))
        x[v] += w
    gpd.GeoDataFrame(df, geometry=geoms, crs="EPSG:4546").to_file(directory / "tiny_parcels.gpkg", layer="parcels")
    inst["name"] = "tiny_geo"
    inst["parcels"] = {"file": "tiny_parcels.gpkg", "area_unit": "ha"}
    path = directory / "tiny_geo.yaml"
    path.write_text(yaml.safe_dump(inst, sort_keys=False), encoding="utf-8")
    return path
