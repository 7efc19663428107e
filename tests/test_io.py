"""Loading, overlays, unit conversion and input errors (the loader's contract)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import planner
from planner.core.errors import InputError
from planner.core.paths import bundled_dir

TINY = bundled_dir("instances") / "tiny.yaml"


def copy_tiny(tmp_path: Path) -> Path:
    for f in ("tiny.yaml", "tiny_parcels.csv"):
        shutil.copy(bundled_dir("instances") / f, tmp_path / f)
    return tmp_path / "tiny.yaml"


def test_tiny_loads_with_areas_in_ha():
    li = planner.load_instance(TINY)
    assert len(li.parcels) == 7
    assert li.parcels["area_ha"].sum() == pytest.approx(38.0)
    assert li.library.name == "xie2015"


def test_mu_areas_are_converted(tmp_path):
    """15 mu = 1 ha: the same table given in mu loads to the same hectares."""
    path = copy_tiny(tmp_path)
    csv = (tmp_path / "tiny_parcels.csv").read_text().splitlines()
    rows = [csv[0]] + [
        ",".join(c if i != 2 else str(float(c) * 15) for i, c in enumerate(line.split(","))) for line in csv[1:]
    ]
    (tmp_path / "tiny_parcels.csv").write_text("\n".join(rows) + "\n")
    li = planner.load_instance(path, sets=["parcels.area_unit=mu"])
    assert li.parcels["area_ha"].sum() == pytest.approx(38.0)


def test_stated_area_mismatch_hints_at_mu(tmp_path):
    """Giving ha figures but declaring mu makes the parcels add up to 38/15 ha, not the stated 38."""
    path = copy_tiny(tmp_path)
    with pytest.raises(InputError) as e:
        planner.load_instance(path, sets=["parcels.area_unit=mu"])
    assert any("mu vs ha" in p.fix for p in e.value.problems)


def test_unknown_key_is_an_error_naming_file_and_field(tmp_path):
    path = copy_tiny(tmp_path)
    path.write_text(path.read_text().replace("policies:\n", "policies:\n  garden_max_hectares: 5\n"))
    with pytest.raises(InputError) as e:
        planner.load_instance(path)
    p = e.value.problems[0]
    assert p.file == str(path) and p.field == "policies.garden_max_hectares" and "unknown key" in p.message


def test_all_errors_reported_together(tmp_path):
    path = copy_tiny(tmp_path)
    bad = (tmp_path / "tiny_parcels.csv").read_text().replace("E1,east,10,grassland", "E1,nowhere,-3,lava")
    (tmp_path / "tiny_parcels.csv").write_text(bad)
    with pytest.raises(InputError) as e:
        planner.load_instance(path)
    fields = " ".join(p.field for p in e.value.problems)
    assert "column area" in fields and "column village" in fields and "column cover" in fields


def test_duplicate_parcel_ids(tmp_path):
    path = copy_tiny(tmp_path)
    (tmp_path / "tiny_parcels.csv").write_text((tmp_path / "tiny_parcels.csv").read_text().replace("\nE2,", "\nE1,"))
    with pytest.raises(InputError, match="duplicate parcel id"):
        planner.load_instance(path)


def test_range_min_above_max(tmp_path):
    with pytest.raises(InputError, match="above max"):
        planner.load_instance(TINY, sets=["roles.afforestation_workers.min=50"])


def test_periods_out_of_order():
    with pytest.raises(InputError, match="increasing year order"):
        planner.load_instance(TINY, sets=["periods.2035.year=2020"])


def test_unknown_reference_in_project():
    with pytest.raises(InputError, match="unknown village"):
        planner.load_instance(TINY, sets=["projects.orchard_park.host_village=north"])


def test_scenario_overlay_and_set(tmp_path):
    sc = tmp_path / "sc.yaml"
    sc.write_text('periods: {"2025": {budget_yuan: 1000000}}\nprices: {forestry_carbon_yuan_per_t: 80}\n')
    li = planner.load_instance(TINY, scenario=sc, sets=["periods.2035.budget_yuan=5"])
    assert li.instance.periods[0].budget_yuan == 1e6
    assert li.instance.periods[1].budget_yuan == 5
    assert li.instance.prices.forestry_carbon_yuan_per_t == 80
    assert li.overrides[0].startswith("scenario=") and li.overrides[1] == "periods.2035.budget_yuan=5"
    # everything else is kept as given
    assert li.instance.periods[0].years == 3


def test_scenario_error_names_the_scenario_file(tmp_path):
    sc = tmp_path / "sc.yaml"
    sc.write_text("prices: {forestry_carbon_yuan_per_t: -1}\n")
    with pytest.raises(InputError) as e:
        planner.load_instance(TINY, scenario=sc)
    assert e.value.problems[0].file == str(sc)


def test_missing_library_is_named():
    with pytest.raises(InputError) as e:
        planner.load_instance(TINY, sets=["valuation=nonexistent_lib"])
    assert e.value.problems[0].field == "valuation"


def test_replace_records_override():
    li = planner.examples.tiny()
    li2 = li.replace(**{"prices.forestry_carbon_yuan_per_t": 70})
    assert li2.instance.prices.forestry_carbon_yuan_per_t == 70 and li.instance.prices.forestry_carbon_yuan_per_t == 58
    assert "prices.forestry_carbon_yuan_per_t=70" in li2.overrides


def test_bad_yaml_syntax(tmp_path):
    p = tmp_path / "x.yaml"
    p.write_text("name: [unclosed\n")
    with pytest.raises(InputError) as e:
        planner.load_instance(p)
    assert "YAML" in e.value.problems[0].message


def test_reference_doc_is_generated_from_schema():
    """docs/instance-format.md must be regenerated when the schema changes."""
    from planner.instance.reference import markdown

    doc = Path(__file__).resolve().parent.parent / "docs" / "instance-format.md"
    assert doc.read_text() == markdown(), (
        "run: planner schema --json docs/instance.schema.json --markdown docs/instance-format.md"
    )


def test_village_without_garden_land_is_named():
    """One garden per village, but no garden use can be established anywhere: each village is
    named, with the fix."""
    with pytest.raises(InputError) as e:
        planner.load_instance(
            TINY,
            sets=[
                "uses.garden_shrub.enabled=false",
                "uses.garden_facility.enabled=false",
                "policies.interactive_forest_per_garden_ha=null",
            ],
        )
    msgs = [p.message for p in e.value.problems if p.field == "policies.one_garden_per_village"]
    assert len(msgs) == 2 and any("'east'" in m for m in msgs) and any("'west'" in m for m in msgs)


def test_only_one_central_town():
    with pytest.raises(InputError, match="more than one village is marked is_town"):
        planner.load_instance(TINY, sets=["villages.east.is_town=true", "villages.west.is_town=true"])


def test_planting_norm_without_use_kinds_is_refused(tmp_path):
    """A planting norm that lists no use kinds would tie afforestation workers to no work."""
    import yaml

    lib = yaml.safe_load((bundled_dir("models") / "xie2015.yaml").read_text())
    lib["labour_norms"]["afforestation"]["use_kinds"] = []
    (tmp_path / "lib.yaml").write_text(yaml.safe_dump(lib))
    path = copy_tiny(tmp_path)
    with pytest.raises(InputError) as e:
        planner.load_instance(path, sets=["valuation=lib.yaml"])
    assert any(p.field == "roles.afforestation_workers.norm" and "use_kinds" in p.fix for p in e.value.problems)


@pytest.mark.parametrize("values", [[True, "maybe", None], [1.0, float("nan"), 0.0], ["yes", "no", "TRUE"]])
def test_true_false_column_reads_without_pandas_deprecations(values):
    """A true/false column with a bad or missing cell (an object column of True/False and
    NaN, or a float column): each bad cell is a problem naming its row, the rest read as
    given, and pandas emits no FutureWarning or DeprecationWarning (pandas 2.2 warned that
    ``fillna(False)`` downcasting will raise in pandas 3)."""
    import warnings

    import pandas as pd

    from planner.instance.tables import to_bool

    s = pd.Series(values)
    problems: list = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = to_bool(s, "parcels.csv", "individual", problems, pd.Series(["A", "B", "C"]))
    good = {"yes": True, "no": False, "true": True, True: True, 0.0: False}  # 1.0 == True: the same key
    expect_bad = [i for i, v in enumerate(values) if not (isinstance(v, str) and v.lower() in good) and v not in good]
    assert [p.field for p in problems] == [f"row {i + 2} (parcel {'ABC'[i]!r}), column individual" for i in expect_bad]
    assert out.dtype == bool
    assert [bool(out[i]) for i in range(3) if i not in expect_bad] == [
        good[v.lower() if isinstance(v, str) else v] for i, v in enumerate(values) if i not in expect_bad
    ]
