"""Messages about a GIS layer name what the planner reads in it: the feature (not a CSV
row) and the layer's own attribute name; values print as plain numbers."""

from __future__ import annotations

import numpy as np
from geohelpers import row, write_geo_instance
from helpers import P

import planner
from planner.core.errors import Problem

MAPPING = {"id": "PARCEL_NO", "area": "AREA_HA", "cover": "LANDCOVER", "village": "CUN"}


def test_a_very_large_parcel_is_named_by_feature_and_attribute(tmp_path):
    """Feature 2 of the layer is 12,000 ha, above the 10,000 ha a parcel is expected to
    stay under: the warning names ``feature 2 (parcel 'A2'), column area (AREA_HA)``."""
    parcels = [P("A1", "grassland", 2), P("A2", "grassland", 12_000), P("A3", "forest", 4)]
    geoms = row({"A1": 2, "A2": 12_000, "A3": 4})
    li = planner.load_instance(
        write_geo_instance(tmp_path, parcels, geoms, uses=["ecological_forest"], columns=MAPPING)
    )
    big = [w for w in li.warnings if "more than 10,000 ha" in w.message]
    assert [w.field for w in big] == ["feature 2 (parcel 'A2'), column area (AREA_HA)"]


def test_a_numpy_value_prints_as_a_number():
    """pandas hands over numpy scalars; the message shows ``7054.14``, not
    ``np.float64(7054.14)``."""
    p = Problem("parcels.gpkg", "villages.a.stated_area_ha", "parcels add up to less", "check", np.float64(7054.14))
    assert str(p) == "parcels.gpkg: villages.a.stated_area_ha: parcels add up to less (got 7054.14) -> check"
