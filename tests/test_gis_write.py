"""plan.gpkg (planner.report.gpkg): the plan written back as GIS layers, read back with
pyogrio and checked against the plan's own tables."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import pandas as pd
import pyogrio  # noqa: E402
import pytest
from geohelpers import write_tiny_geo

import planner  # noqa: E402
from planner.core.paths import bundled_dir  # noqa: E402
from planner.model.data import GARDEN_KINDS  # noqa: E402
from planner.report.gpkg import UNCHANGED, gep_change_field, write_plan_gpkg  # noqa: E402

PERIODS = ("2025", "2035")
#: plan.gpkg writes numbers to 12 significant digits (planner.core.cells.round_sig): a
#: written figure is within 5e-12 (relative) of the plan's, so compare within 1e-9
REL = 1e-9


@pytest.fixture(scope="module")
def geo_path(tmp_path_factory):
    return write_tiny_geo(tmp_path_factory.mktemp("tiny_geo"))


@pytest.fixture(scope="module")
def li(geo_path):
    li = planner.load_instance(geo_path)
    assert li.geometry is not None and len(li.geometry) == len(li.parcels)
    return li


@pytest.fixture(scope="module")
def plan(li):
    p = planner.solve(li)
    assert p.status == "optimal"
    return p


@pytest.fixture(scope="module")
def gpkg(plan, li, tmp_path_factory):
    return write_plan_gpkg(plan, li, tmp_path_factory.mktemp("out") / "plan.gpkg")


def _read(path, layer):
    return pyogrio.read_dataframe(path, layer=layer)


def _types(path, layer) -> dict[str, str]:
    info = pyogrio.read_info(path, layer=layer)
    return dict(zip(info["fields"], info["ogr_types"]))


def test_layers_crs_and_one_feature_per_parcel(gpkg, li):
    layers = dict(pyogrio.list_layers(gpkg))
    assert set(layers) == {"parcels", "gardens", "villages", "run", "layer_styles"}
    assert layers["run"] is None and layers["layer_styles"] is None  # tables without geometry
    par = _read(gpkg, "parcels")
    assert par["id"].tolist() == li.parcels["id"].tolist()
    assert par.crs == li.geometry.crs
    got = par.set_index("id").geometry.area
    want = li.geometry.area
    assert (got - want.reindex(got.index)).abs().max() < 1e-6
    assert (par.set_index("id")["area_ha"] - li.parcels.set_index("id")["area_ha"]).abs().max() < 1e-9
    assert _read(gpkg, "villages").crs == li.geometry.crs


def test_field_names_and_types(gpkg):
    t = _types(gpkg, "parcels")
    for p in PERIODS:
        assert t[f"use_{p}"] == "OFTString" and t[f"uses_{p}"] == "OFTString" and t[f"new_ha_{p}"] == "OFTReal"
    assert t["area_ha"] == "OFTReal" and t["id"] == "OFTString" and t["red_line"] == "OFTInteger"
    v = _types(gpkg, "villages")
    for p in PERIODS:
        assert v[f"gep_yuan_per_yr_{p}"] == "OFTReal" and v[f"dividends_yuan_per_yr_{p}"] == "OFTReal"
        assert v[f"recruited_{p}"] in ("OFTInteger", "OFTInteger64") and v[f"garden_ha_{p}"] == "OFTReal"
    g = _types(gpkg, "gardens")
    assert (
        g["garden_ha"] == "OFTReal"
        and g["drawn_ha"] == "OFTReal"
        and g["parcels_ha"] == "OFTReal"
        and g["parcels"] in ("OFTInteger", "OFTInteger64")
        and g["contiguous"] == "OFTInteger"
    )
    for layer in ("parcels", "gardens", "villages", "run"):
        for name in _types(gpkg, layer):
            assert name[0].isalpha() and name == name.lower() and " " not in name, (layer, name)


def test_parcels_new_area_and_dominant_use_match_the_plan(gpkg, plan):
    par = _read(gpkg, "parcels").set_index("id")
    alloc = plan.allocations.astype({"period": str})
    for p in PERIODS:
        a = alloc[alloc["period"] == p].groupby(["parcel", "use"])["area_ha"].sum()
        new = a.groupby("parcel").sum()
        assert (par[f"new_ha_{p}"] - new.reindex(par.index).fillna(0.0)).abs().max() < 1e-9
        for pid, row in par.iterrows():
            on = a.get(pid, pd.Series(dtype=float))
            if on.empty:
                assert row[f"use_{p}"] == UNCHANGED
                continue
            # the largest use; among uses tied within 1e-6 ha, the first alphabetically
            tied = sorted(u for u, ha in on.items() if ha >= on.max() - 1e-6)
            assert row[f"use_{p}"] == tied[0], (p, pid)
            for use, ha in on.items():
                assert f"{use} {ha:.2f} ha" in row[f"uses_{p}"]
        w3 = a.get("W3", pd.Series(dtype=float))
        if len(w3) == 2 and abs(w3.iloc[0] - w3.iloc[1]) < 1e-6:  # today's plan: half garden, half interactive forest
            assert par.at["W3", f"use_{p}"] == min(w3.index)
        # the instance has both kinds: parcels left as they are, parcels with several new uses
        assert (par[f"use_{p}"] == UNCHANGED).any() and (par[f"new_ha_{p}"] > 0).any()
        assert par[f"uses_{p}"].str.contains("; ").any()
        assert (par.loc[par[f"use_{p}"] == UNCHANGED, f"uses_{p}"] == "").all()
    assert (par["plan_status"] == "optimal").all()


def test_villages_match_gep_dividends_recruits_and_gardens(gpkg, plan):
    vil = _read(gpkg, "villages").set_index("village")
    assert sorted(vil.index) == ["east", "west"]
    gep = plan.gep.astype({"period": str}).groupby(["village", "period"])["gep_yuan"].sum()
    div = plan.dividends.astype({"period": str})
    div = div[div["counts_as_dividend"].astype(bool)].groupby(["village", "period"])["yuan_per_yr"].sum()
    rec = plan.recruitment.astype({"period": str}).groupby(["village", "period"])["count"].sum()
    gard = plan.gardens.astype({"period": str})
    gard = gard[gard["built"]].set_index(["village", "period"])["area_ha"]
    for v in vil.index:
        for p in PERIODS:
            assert vil.at[v, f"gep_yuan_per_yr_{p}"] == pytest.approx(gep[(v, p)], rel=REL)
            assert vil.at[v, f"dividends_yuan_per_yr_{p}"] == pytest.approx(div.get((v, p), 0.0), rel=REL)
            assert vil.at[v, f"recruited_{p}"] == rec.get((v, p), 0)
            assert vil.at[v, f"garden_ha_{p}"] == pytest.approx(gard.get((v, p), 0.0), rel=REL)
        change = vil.at[v, "gep_yuan_per_yr_2035"] - vil.at[v, "gep_yuan_per_yr_2025"]
        assert vil.at[v, "gep_change_2025_to_2035_yuan_per_yr"] == pytest.approx(change, rel=REL, abs=1e-6)
        # tiny's periods share one price index: re-pricing changes nothing
        assert vil.at[v, "gep_change_2025_to_2035_at_2035_prices_yuan_per_yr"] == pytest.approx(
            change, rel=REL, abs=1e-6
        )
    # the village outline is its parcels dissolved
    par = _read(gpkg, "parcels")
    for v in vil.index:
        assert vil.geometry[v].area == pytest.approx(par.loc[par["village"] == v].geometry.area.sum(), rel=1e-9)


def test_gardens_layer_matches_plan_gardens(gpkg, plan, li):
    g = _read(gpkg, "gardens")
    built = plan.gardens[plan.gardens["built"]].astype({"period": str})
    assert len(g) == len(built) > 0
    g = g.set_index(["village", "period"])
    alloc = plan.allocations.astype({"period": str})
    for r in built.itertuples():
        row = g.loc[(r.village, r.period)]
        assert row["garden_ha"] == pytest.approx(r.area_ha, rel=REL)
        assert row["vegetated_ha"] == pytest.approx(r.vegetated_ha, rel=REL)
        used = alloc[(alloc["village"] == r.village) & (alloc["period"] == r.period) & alloc["kind"].isin(GARDEN_KINDS)]
        assert row["parcels"] == used["parcel"].nunique() >= 1
        # drawn at its area (not the parcels it touches), each parcel's hectares on that parcel
        parcels = li.geometry.loc[used["parcel"].unique()]
        assert row["parcels_ha"] == pytest.approx(parcels.area.sum() / 1e4, rel=REL)
        assert row["drawn_ha"] == pytest.approx(r.area_ha, rel=1e-3)
        assert row.geometry.area / 1e4 == pytest.approx(r.area_ha, rel=1e-3)
        assert row.geometry.difference(parcels.union_all()).area < 1.0  # m2
        for pid, ha in used.groupby("parcel")["area_ha"].sum().items():
            assert row.geometry.intersection(li.geometry[pid]).area / 1e4 == pytest.approx(ha, rel=2e-3), pid
        assert bool(row["contiguous"]) is True


def test_garden_on_parcels_apart_is_not_contiguous(plan, li, tmp_path):
    """A garden on E1 and E4 (not neighbours) is two pieces; on E3 and E4 (neighbours) one."""

    def with_extra(parcel: str):
        a = plan.allocations
        extra = pd.DataFrame(
            [
                {
                    "village": "east",
                    "parcel": parcel,
                    "cover": "x",
                    "use": "garden_shrub",
                    "kind": "garden_vegetation",
                    "period": "2035",
                    "area_ha": 0.1,
                }
            ]
        )
        return dataclasses.replace(
            plan, tables={**plan.tables, "allocations": pd.concat([a, extra], ignore_index=True)}
        )

    for parcel, contiguous in (("E1", False), ("E3", True)):
        out = write_plan_gpkg(with_extra(parcel), li, tmp_path / f"{parcel}.gpkg")
        g = _read(out, "gardens").set_index(["village", "period"])
        row = g.loc[("east", "2035")]
        assert row["parcels"] == 2 and bool(row["contiguous"]) is contiguous


def test_status_travels_with_the_layers(gpkg, plan):
    run = _read(gpkg, "run")
    assert len(run) == 1
    r = run.iloc[0]
    assert r["status"] == plan.status and r["termination"] == plan.termination
    assert r["mip_gap"] == pytest.approx(plan.mip_gap) and bool(r["proved_optimal"]) is True
    assert r["objective_yuan_per_yr"] == pytest.approx(plan.objective, rel=REL)
    assert r["verification"].startswith("passed")
    for layer in ("parcels", "gardens", "villages", "run"):
        desc = pyogrio.read_info(gpkg, layer=layer)["layer_metadata"]["DESCRIPTION"]
        assert "status optimal" in desc and "MIP gap" in desc
    for layer in ("parcels", "gardens", "villages"):
        assert set(_read(gpkg, layer)["plan_status"]) == {"optimal"}
        assert set(_read(gpkg, layer)["plan_verification"]) == {"passed"}


def test_a_feasible_plan_says_not_proved_optimal(plan, li, tmp_path):
    bad = dataclasses.replace(plan, status="feasible", termination="maxTimeLimit", mip_gap=0.05)
    out = write_plan_gpkg(bad, li, tmp_path / "plan.gpkg")
    r = _read(out, "run").iloc[0]
    assert r["status"] == "feasible" and r["mip_gap"] == pytest.approx(0.05) and not bool(r["proved_optimal"])
    assert "NOT proved optimal" in pyogrio.read_info(out, layer="parcels")["layer_metadata"]["DESCRIPTION"]
    assert set(_read(out, "parcels")["plan_status"]) == {"feasible"}
    failed = dataclasses.replace(plan, verification={"passed": False, "violations": [{"rule": "x"}], "checks": []})
    out = write_plan_gpkg(failed, li, tmp_path / "failed.gpkg")
    assert set(_read(out, "villages")["plan_verification"]) == {"FAILED"}
    assert _read(out, "run")["verification"].iloc[0] == "FAILED: 1 violation(s)"


def test_change_at_last_prices_removes_the_price_index(geo_path, tmp_path):
    li = planner.load_instance(geo_path, sets=["periods.2035.gep_price_index=2"])
    plan = planner.solve(li)
    vil = _read(write_plan_gpkg(plan, li, tmp_path / "plan.gpkg"), "villages").set_index("village")
    first, last = vil["gep_yuan_per_yr_2025"], vil["gep_yuan_per_yr_2035"]
    assert ((last - first) > 0.5 * first).all()  # doubled prices: the nominal change is mostly price
    assert ((vil[gep_change_field(list(PERIODS))] - (last - first)).abs() < REL * last.abs()).all()
    real = vil[gep_change_field(list(PERIODS), at_last_prices=True)]
    assert ((real - (last - 2 * first)).abs() < REL * last.abs()).all()
    assert (real.abs() < 0.1 * first).all()


def test_saved_plan_gives_the_same_layers(plan, li, gpkg, tmp_path):
    plan.write(tmp_path)
    again = write_plan_gpkg(planner.Plan.from_json(tmp_path / "plan.json"), li, tmp_path / "plan.gpkg")
    for layer in ("parcels", "villages", "gardens"):
        a, b = _read(gpkg, layer), _read(again, layer)
        pd.testing.assert_frame_equal(
            pd.DataFrame(a.drop(columns="geometry")), pd.DataFrame(b.drop(columns="geometry"))
        )
        assert a.geometry.geom_equals(b.geometry).all()


def test_overwrites_atomically_without_leftovers(plan, li, tmp_path):
    target = tmp_path / "plan.gpkg"
    target.write_text("not a geopackage")
    write_plan_gpkg(plan, li, target)
    write_plan_gpkg(plan, li, target)
    assert len(_read(target, "parcels")) == len(li.parcels)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.gpkg"]


def test_refuses_instances_without_geometry_and_plans_without_solution(plan, li, tmp_path):
    csv = planner.load_instance(bundled_dir("instances") / "tiny.yaml")
    with pytest.raises(ValueError, match="no parcel geometry"):
        write_plan_gpkg(plan, csv, tmp_path / "a.gpkg")
    with pytest.raises(ValueError, match="no plan to map: status infeasible"):
        write_plan_gpkg(dataclasses.replace(plan, status="infeasible"), li, tmp_path / "b.gpkg")
    assert not list(tmp_path.iterdir())


def test_without_geopandas_the_error_says_what_to_install(plan, li, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "geopandas", None)
    with pytest.raises(ImportError, match=r"pip install 'planner\[geo\]'"):
        write_plan_gpkg(plan, li, tmp_path / "plan.gpkg")


def test_import_planner_needs_no_geopandas():
    code = (
        "import sys; sys.modules['geopandas'] = None; sys.modules['pyogrio'] = None; "
        "import planner, planner.cli, planner.report, planner.report.gpkg, planner.report.maps; print('ok')"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "ok" in r.stdout, r.stderr


# ---------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------


def _cli(*args: str):
    return subprocess.run([sys.executable, "-m", "planner", *args], capture_output=True, text=True, timeout=300)


def test_cli_solve_writes_plan_gpkg_and_an_infeasible_rerun_removes_it(geo_path, tmp_path):
    out = tmp_path / "out"
    r = _cli("solve", str(geo_path), "--out", str(out))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "plan.gpkg" in r.stdout
    layers = dict(pyogrio.list_layers(out / "plan.gpkg"))
    assert set(layers) == {"parcels", "gardens", "villages", "run", "layer_styles"}
    assert _read(out / "plan.gpkg", "run")["status"].tolist() == [json.loads((out / "plan.json").read_text())["status"]]
    # a new plan in the same directory without a solution leaves no map of the old one
    r = _cli(
        "solve", str(geo_path), "--out", str(out), "--force", "--no-diagnose", "--set", "periods.2025.budget_yuan=1000"
    )
    assert r.returncode == 1 and "infeasible" in r.stdout
    assert not (out / "plan.gpkg").exists()


def test_cli_solve_of_a_csv_instance_writes_no_gpkg(tmp_path):
    r = _cli("solve", str(bundled_dir("instances") / "tiny.yaml"), "--out", str(tmp_path))
    assert r.returncode == 0, r.stdout + r.stderr
    assert (tmp_path / "plan.json").exists() and not (tmp_path / "plan.gpkg").exists()
    assert "plan.gpkg" not in r.stdout
