"""Numbers written for people carry no binary noise: the CSV tables and plan.gpkg write
12 significant digits (planner.core.cells.round_sig), so 16.869999999999997 is written
16.87, and a value read back is within 1e-9 (relative) of plan.json's."""

from __future__ import annotations

import dataclasses
import io
import math

import numpy as np
import pandas as pd
import pyogrio
import pytest
from geohelpers import write_tiny_geo

import planner
from planner.core.cells import csv_text, round_sig
from planner.report.gpkg import write_plan_gpkg

NOISY = 16.869999999999997  # 16.87 after a sum: 0.1 + ... in binary


def test_round_sig_drops_noise_and_keeps_figures():
    """12 significant digits: noise in the 16th-17th digit goes, a real 12-digit figure
    stays; NaN, infinities, zero and tiny values keep their kind."""
    assert repr(NOISY) == "16.869999999999997"
    got = round_sig([NOISY, 0.1 + 0.2, 1234567.89012, 65_599_986_948.123, 1e-300, 0.0, math.inf, math.nan])
    assert got[0] == 16.87 and got[1] == 0.3 and got[2] == 1234567.89012
    assert got[3] == 65_599_986_948.1  # 12 digits of a GEP in Yuan: a tenth of a Yuan
    assert got[4] == 1e-300 and got[5] == 0.0 and math.isinf(got[6]) and math.isnan(got[7])


def test_csv_text_writes_clean_numbers_and_reads_back_close():
    df = pd.DataFrame(
        {
            "parcel": ["=A1", "E2", "E3"],
            "area_ha": [NOISY, 3.0353653771032, np.nan],
            "count": [1, 2, 3],
            "yuan": [2_500_000.0, 906_571.6399999999, -0.30000000000000004],
        }
    )
    text = csv_text(df)
    assert "16.87," in text and "16.869999999999997" not in text
    assert "906571.64" in text and "-0.3\n" in text.replace("\r\n", "\n")
    assert "'=A1" in text  # the formula guard is still there
    back = pd.read_csv(io.StringIO(text))
    for col in ("area_ha", "yuan"):
        a, b = df[col].to_numpy(), back[col].to_numpy()
        ok = np.isnan(a) == np.isnan(b)
        close = np.abs(a - b) <= 1e-9 * np.maximum(1.0, np.abs(a))
        assert (ok & (np.isnan(a) | close)).all(), col
    assert back["count"].tolist() == [1, 2, 3] and back["count"].dtype.kind == "i"


def test_plan_csv_and_gpkg_carry_no_noise(tmp_path):
    """A plan whose W1 allocation holds 7.869999999999997 ha (noise of 7.87) is written as
    7.87 in allocations.csv and as new_ha_2035 = 7.87 in plan.gpkg; planner verify's
    comparison of the CSV tables with plan.json still passes (1e-9)."""
    from planner.verify.tables import compare_csv_tables

    (tmp_path / "geo").mkdir()
    li = planner.load_instance(write_tiny_geo(tmp_path / "geo"))
    plan = planner.solve(li)
    a = plan.allocations.copy()
    w1 = (a["parcel"] == "W1") & (a["period"].astype(str) == "2035")
    assert w1.sum() == 1
    a.loc[w1, "area_ha"] = 7.869999999999997
    noisy = dataclasses.replace(plan, tables={**plan.tables, "allocations": a})
    out = tmp_path / "plan"
    noisy.write(out)
    text = (out / "allocations.csv").read_text(encoding="utf-8")
    assert ",7.87\n" in text.replace("\r\n", "\n") and "7.869999999999997" not in text
    problems: list = []
    assert compare_csv_tables(planner.Plan.from_json(out / "plan.json").tables, out, lambda *x: problems.append(x))
    assert problems == []
    gpkg = write_plan_gpkg(noisy, li, tmp_path / "plan.gpkg")
    par = pyogrio.read_dataframe(gpkg, layer="parcels").set_index("id")
    assert par.at["W1", "new_ha_2035"] == 7.87
    assert par.at["W1", "changed_share_2035"] == pytest.approx(7.87 / 8.0, rel=1e-11)
