"""Malformed inputs: every kind gets an InputError whose problems name the file, the key
path or parcel row, the offending value and what to change (the CLI prints them and
exits with code 2, no traceback); all problems of a file come together. Suspicious but
legal inputs load, with ``LoadedInstance.warnings``.

The regression tests at the end are minimal inputs that crashed the loader under
``test_fuzz.py``."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import P, period

import planner
from planner.core.errors import InputError, Problem

PARCELS = [P("A1", "grassland", 10), P("A2", "scattered_farmland", 5), P("B1", "forest", 3, village="b")]


def _edit_yaml(path: Path, fn: Callable[[dict], Any]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    fn(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def _csv_of(path: Path) -> Path:
    return path.parent / yaml.safe_load(path.read_text())["parcels"]["file"]


def _lib_of(path: Path) -> Path:
    return path.parent / yaml.safe_load(path.read_text())["valuation"]


def _problems(path: Path, **kw: Any) -> list[Problem]:
    with pytest.raises(InputError) as e:
        planner.load_instance(path, **kw)
    probs = e.value.problems
    assert probs
    for p in probs:  # every problem says where and what to do
        assert p.file and p.field and p.message and p.fix, p
    return probs


def _one(probs: list[Problem], field: str) -> Problem:
    hits = [p for p in probs if p.field == field]
    assert hits, f"no problem at {field!r}: {[str(p) for p in probs]}"
    return hits[0]


CSV = """id,village,area,cover,red_line,eco_space,ownership
A1,a,10,grassland,false,none,collective
A2,a,5,scattered_farmland,false,none,collective
B1,b,3,forest,false,none,collective
"""


@pytest.fixture
def inst(build_path):
    """A valid instance whose parcel table is ``CSV`` (the columns in the documented order)."""
    path = build_path(PARCELS, uses=["ecological_forest"])
    _csv_of(path).write_text(CSV, encoding="utf-8")
    return path


def test_builder_instance_is_valid(inst):
    li = planner.load_instance(inst)
    assert len(li.parcels) == 3 and li.warnings == []


# --- the instance YAML --------------------------------------------------------------


def test_missing_key(inst):
    _edit_yaml(inst, lambda d: d["township"].pop("name"))
    p = _one(_problems(inst), "township.name")
    assert p.file == str(inst) and "required" in p.message.lower() and "add" in p.fix


def test_missing_top_level_key(inst):
    _edit_yaml(inst, lambda d: d.pop("periods"))
    assert "required" in _one(_problems(inst), "periods").message.lower()


def test_misspelt_key(inst):
    _edit_yaml(inst, lambda d: d["policies"].update(garden_max_hectares=5))
    p = _one(_problems(inst), "policies.garden_max_hectares")
    assert p.message == "unknown key" and "spelling" in p.fix and p.value == 5


def test_wrong_type(inst):
    _edit_yaml(inst, lambda d: d["periods"][0].update(budget_yuan="lots"))
    p = _one(_problems(inst), "periods.2025.budget_yuan")
    assert p.value == "lots" and "number" in p.message


def test_unquoted_period_id_is_told_to_quote(inst):
    _edit_yaml(inst, lambda d: d["periods"][0].update(id=2025))
    p = _one(_problems(inst), "periods.2025.id")
    assert p.value == 2025 and "quote" in p.fix


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf"])
def test_nan_or_infinite_figure(inst, value):
    """Found by fuzzing: .nan passed fields without a bound (e.g. project income) and .inf any
    lower bound, and reached the model."""
    inst.write_text(inst.read_text().replace("budget_yuan: 1000000000.0", f"budget_yuan: {value}"))
    p = _one(_problems(inst), "periods.2025.budget_yuan")
    assert "finite" in p.message and ".nan" in p.fix


def test_role_min_above_max(build_path):
    path = build_path(
        PARCELS,
        uses=["ecological_forest"],
        norms=["fixed"],
        roles=[{"id": "rangers", "channel": "forest", "min": 5, "max": 2, "norm": "fixed"}],
    )
    p = _one(_problems(path), "roles.rangers")
    assert "min (5) is above max (2)" in p.message


def test_garden_min_above_max(build_path):
    path = build_path(PARCELS, policies={"garden_min_ha": 5, "garden_max_ha": 2})
    assert "garden_min_ha (5) is above garden_max_ha (2)" in _one(_problems(path), "policies").message


def test_target_min_above_max(build_path):
    path = build_path(PARCELS, targets=[{"kpi": "gep_yuan", "period": "2025", "min": 9, "max": 3}])
    assert "min (9) is above max (3)" in _one(_problems(path), "targets.0").message


def test_periods_out_of_order(build_path):
    path = build_path(PARCELS, periods=[period("2035"), period("2025")])
    p = _one(_problems(path), "periods")
    assert "increasing year order" in p.message and "[2035, 2025]" in p.message


def test_duplicate_village_ids(build_path):
    path = build_path(PARCELS, villages=[{"id": "a"}, {"id": "b"}, {"id": "a", "name": "again"}])
    p = _one(_problems(path), "villages")
    assert p.message == "duplicate id" and p.value == "a"


def test_unknown_references_in_the_instance(build_path):
    path = build_path(
        PARCELS,
        uses=["ecological_forest"],
        norms=["staff3"],
        use_policies={"ecological_forest": {"villages": ["a", "c"]}, "eco_forest": {}},
        roles=[{"id": "guides", "channel": "bank", "min": 0, "max": 3, "norm": "staff9", "projects": ["park"]}],
        projects=[
            {
                "id": "hall",
                "channel": "other",
                "host_village": "zz",
                "capex_yuan": 0,
                "income_yuan_per_yr": {},
                "shares": {"villagers": 1},
                "prerequisites": [{"min_area_ha": 1, "uses": ["ecological_forest"], "covers": ["lava"]}],
            }
        ],
    )
    probs = _problems(path)
    assert "unknown village 'c'" in _one(probs, "uses.ecological_forest.villages").message
    assert _one(probs, "uses.eco_forest").message == "unknown use"
    assert "unknown labour norm 'staff9'" in _one(probs, "roles.guides.norm").message
    assert "unknown project 'park'" in _one(probs, "roles.guides.projects").message
    assert "unknown village 'zz'" in _one(probs, "projects.hall.host_village").message
    assert "unknown cover 'lava'" in _one(probs, "projects.hall.prerequisites.0.covers").message


def test_several_errors_in_one_file_reported_together(inst):
    def bad(d):
        d["township"].pop("name")
        d["policies"]["garden_max_hectares"] = 5
        d["periods"][0]["years"] = -1
        d["objective"]["mode"] = "best"

    _edit_yaml(inst, bad)
    fields = {p.field for p in _problems(inst)}
    assert {"township.name", "policies.garden_max_hectares", "periods.2025.years", "objective.mode"} <= fields


@pytest.mark.parametrize("text", ["", "- a\n- b\n", "42\n", "just words\n"])
def test_instance_not_a_mapping(tmp_path, text):
    path = tmp_path / "x.yaml"
    path.write_text(text)
    assert _one(_problems(path), "(top level)").file == str(path)


# --- the parcel table ---------------------------------------------------------------


def _edit_csv(path: Path, old: str, new: str) -> Path:
    csv = _csv_of(path)
    text = csv.read_text()
    assert old in text
    csv.write_text(text.replace(old, new, 1))
    return csv


@pytest.mark.parametrize("area", ["-3", "0", "nan", "NaN", "", "ten", "inf", "1e400"])
def test_bad_parcel_area(inst, area):
    csv = _edit_csv(inst, "A2,a,5,", f"A2,a,{area},")
    p = _one(_problems(inst), "row 3 (parcel 'A2'), column area")
    assert p.file == str(csv) and "positive number" in p.message and p.value == area and "ha" in p.fix


def test_empty_cells(inst):
    csv = _edit_csv(inst, "A2,a,5,scattered_farmland,false", "A2,,5,,")
    probs = _problems(inst)
    assert _one(probs, "row 3 (parcel 'A2'), column village").value == ""
    assert _one(probs, "row 3 (parcel 'A2'), column cover").value == ""
    assert "true/false" in _one(probs, "row 3 (parcel 'A2'), column red_line").message
    assert all(p.file == str(csv) for p in probs)


def test_empty_parcel_id(inst):
    _edit_csv(inst, "A2,", ",")
    assert "empty parcel id" in _one(_problems(inst), "row 3, column id").message


def test_duplicate_parcel_ids(inst):
    _edit_csv(inst, "A2,", "A1,")
    p = _one(_problems(inst), "column id")
    assert p.message == "duplicate parcel id" and p.value == "A1"


def test_unknown_village_and_cover_in_table(inst):
    _edit_csv(inst, "A2,a,5,scattered_farmland", "A2,c,5,lava")
    probs = _problems(inst)
    v = _one(probs, "row 3 (parcel 'A2'), column village")
    c = _one(probs, "row 3 (parcel 'A2'), column cover")
    assert v.value == "c" and "'a'" in v.fix and c.value == "lava" and "grassland" in c.fix


def test_missing_column(inst):
    csv = _csv_of(inst)
    lines = [",".join(x for i, x in enumerate(line.split(",")) if i != 3) for line in csv.read_text().splitlines()]
    csv.write_text("\n".join(lines) + "\n")
    assert _one(_problems(inst), "column cover").message == "required column missing"


def test_missing_parcel_table(inst):
    _csv_of(inst).unlink()
    p = _one(_problems(inst), "parcels.file")
    assert p.file == str(inst) and "not found" in p.message


def test_parcel_table_not_utf8(inst):
    csv = _csv_of(inst)
    csv.write_bytes(csv.read_bytes().replace(b"A2", b"A\xe92"))
    p = _one(_problems(inst), "(file)")
    assert p.file == str(csv) and "UTF-8" in p.message


# --- areas and units ----------------------------------------------------------------


def test_areas_in_mu_declared_as_ha_against_township_area(build_path):
    """The table is in mu (18 ha = 270 mu) but says ha: 15 x the stated township area."""
    path = build_path(
        [P("A1", "grassland", 150), P("A2", "grassland", 120)], township={"name": "T", "stated_area_ha": 18}
    )
    p = _one(_problems(path), "township.stated_area_ha")
    assert "270.0 ha" in p.message and p.value == 18 and "did you mean parcels.area_unit: mu?" in p.fix


def test_areas_in_ha_declared_as_mu_against_village_area(build_path):
    path = build_path(
        [P("A1", "grassland", 10), P("B1", "grassland", 8, village="b")],
        area_unit="mu",
        villages={"a": {"stated_area_ha": 10}},
    )
    p = _one(_problems(path), "villages.a.stated_area_ha")
    assert "village 'a'" in p.message and p.value == 10 and "did you mean parcels.area_unit: ha?" in p.fix


def test_areas_not_adding_up_without_unit_slip(build_path):
    path = build_path([P("A1", "grassland", 10)], township={"name": "T", "stated_area_ha": 12})
    p = _one(_problems(path), "township.stated_area_ha")
    assert "did you mean" not in p.fix and "mu vs ha" in p.fix


def test_areas_adding_up_in_mu_load(build_path):
    li = planner.load_instance(
        build_path([P("A1", "grassland", 150)], area_unit="mu", township={"name": "T", "stated_area_ha": 10})
    )
    assert li.parcels["area_ha"].sum() == pytest.approx(10)


# --- the valuation library ----------------------------------------------------------


def test_missing_library(inst):
    _lib_of(inst).unlink()
    p = _one(_problems(inst), "valuation")
    assert p.file == str(inst) and "not found" in p.message and "bundled" in p.fix


def test_library_lacks_a_cover_the_parcels_use(inst):
    _edit_yaml(_lib_of(inst), lambda d: d["covers"].pop("forest"))
    p = _one(_problems(inst), "row 4 (parcel 'B1'), column cover")
    assert p.value == "forest" and "grassland" in p.fix


def test_library_errors_name_the_library(inst):
    lib = _lib_of(inst)
    _edit_yaml(
        lib, lambda d: (d.pop("standard_equivalent_yuan_per_ha"), d["covers"]["grassland"].update(vegetation_cover=2))
    )
    probs = _problems(inst)
    assert {p.file for p in probs} == {str(lib)}
    assert {"standard_equivalent_yuan_per_ha", "covers.grassland.vegetation_cover"} <= {p.field for p in probs}


# --- the CLI: exit code 2, no traceback ---------------------------------------------


def _validate_cli(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "planner", "validate", str(path)], capture_output=True, text=True, timeout=120
    )


def test_cli_exit_2_without_traceback_for_bad_yaml_and_table(inst):
    _edit_yaml(inst, lambda d: d["policies"].update(garden_max_hectares=5))
    _edit_csv(inst, "A2,a,5,", "A2,a,-5,")
    r = _validate_cli(inst)
    out = r.stdout + r.stderr
    assert r.returncode == 2 and "Traceback" not in out
    assert "garden_max_hectares" in out and "unknown key" in out


def test_cli_exit_2_without_traceback_for_ragged_csv(inst):
    _edit_csv(inst, "A1,a,10,grassland,false,none,collective", "A1,a,10,grassland,false,none,collective,extra")
    r = _validate_cli(inst)
    assert r.returncode == 2 and "Traceback" not in r.stdout + r.stderr and "row 2" in r.stderr


# --- warnings: suspicious but legal -------------------------------------------------


def test_warnings_for_suspicious_but_legal_inputs(build_path):
    path = build_path(
        [P("A1", "grassland", 12_000), P("A2", "grassland", 5)],
        norms=["fixed"],
        periods=[period("2025", budget=0), period("2030")],
        roles=[{"id": "rangers", "channel": "forest", "min": 0, "max": 0, "norm": "fixed"}],
        policies={"garden_max_ha": 150},
        prices={"forestry_carbon_yuan_per_t": 20_000},
    )
    li = planner.load_instance(path)
    by_field = {w.field: w for w in li.warnings}
    assert set(by_field) == {
        "periods.2025.budget_yuan",
        "roles.rangers.max",
        "policies.garden_max_ha",
        "prices.forestry_carbon_yuan_per_t",
        "row 2 (parcel 'A1'), column area",
    }
    assert all(w.fix and w.file for w in li.warnings)
    assert by_field["row 2 (parcel 'A1'), column area"].file == str(_csv_of(path))
    assert by_field["policies.garden_max_ha"].value == 150


def test_no_warnings_for_the_bundled_instances():
    assert planner.load_instance(planner.instance.load.bundled_instance_path("tiny")).warnings == []
    assert planner.load_instance(planner.instance.load.bundled_instance_path("nuanshui")).warnings == []


def test_warning_from_a_set_names_the_option():
    li = planner.load_instance(planner.instance.load.bundled_instance_path("tiny"), sets=["periods.2035.budget_yuan=0"])
    assert [w.file for w in li.warnings] == ["--set periods.2035.budget_yuan"]


# --- regressions found by test_fuzz.py ----------------------------------------------


def test_fuzz_extra_value_in_first_data_row(inst):
    """A first data row with one value more than the header made pandas take the id column
    as the index: TypeError ("can only concatenate str") instead of an InputError."""
    csv = _edit_csv(inst, "A1,a,10,grassland,false,none,collective", "A1,a,10,grassland,false,none,collective,extra")
    p = _one(_problems(inst), "row 2")
    assert p.file == str(csv) and "8 values but the header has 7 columns" in p.message


def test_duplicate_column_name(inst):
    csv = _csv_of(inst)
    csv.write_text(csv.read_text().replace("ownership\n", "area\n", 1))
    p = _one(_problems(inst), "column area")
    assert "more than once" in p.message and p.file == str(csv)


def test_trailing_commas_everywhere_are_harmless(inst):
    """Spreadsheet exports end every line, the header too, with a comma: an unnamed empty column."""
    csv = _csv_of(inst)
    csv.write_text("".join(line + ",\n" for line in csv.read_text().splitlines()))
    assert len(planner.load_instance(inst).parcels) == 3


def test_fuzz_short_rows_are_blank_cells(inst):
    _edit_csv(inst, "A2,a,5,scattered_farmland,false,none,collective", "A2,a,5")
    fields = {p.field for p in _problems(inst)}
    assert {"row 3 (parcel 'A2'), column cover", "row 3 (parcel 'A2'), column red_line"} <= fields


@pytest.mark.parametrize("name", ["a\x00b.csv", "x" * 5000 + ".csv", ".", ""])
def test_fuzz_unusable_parcel_file_names(inst, name):
    """A NUL byte or a name too long for the OS made Path.exists() raise ValueError/OSError;
    '.' and '' named the directory."""
    _edit_yaml(inst, lambda d: d["parcels"].update(file=name))
    assert _one(_problems(inst), "parcels.file").file == str(inst)


@pytest.mark.parametrize("name", ["a\x00b.yaml", "x" * 5000 + ".yaml", "./", "models"])
def test_fuzz_unusable_library_names(inst, name):
    _edit_yaml(inst, lambda d: d.update(valuation=name))
    assert _one(_problems(inst), "valuation").file == str(inst)


def test_fuzz_nan_project_income(build_path):
    """.nan passed the 'every income value must be >= 0' check (NaN < 0 is False)."""
    path = build_path(
        PARCELS,
        projects=[
            {
                "id": "hall",
                "channel": "other",
                "host_village": "a",
                "capex_yuan": 0,
                "income_yuan_per_yr": {"other": float("nan")},
                "shares": {"villagers": 1},
            }
        ],
    )
    assert "finite" in _one(_problems(path), "projects.hall.income_yuan_per_yr.other").message


# --- absurd input (issue 14): refused at load, exit 2, never a traceback -------------


def test_negative_gep_multiplier(inst):
    """A negative multiplier turned GEP into a cost and solved."""
    p = _one(_problems(inst, sets=["prices.gep_multipliers.ecological_forest=-5"]), "prices.gep_multipliers")
    assert p.file == "--set prices.gep_multipliers.ecological_forest" and ">= 0" in p.message
    assert "ecological_forest" in p.message


@pytest.mark.parametrize(
    "key, field",
    [
        ("periods.2025.budget_yuan", "periods.2025.budget_yuan"),
        ("villages.a.labour_pool.residents", "villages.a.labour_pool.residents"),
        ("prices.gep_multipliers.ecological_forest", "prices.gep_multipliers"),
    ],
)
def test_true_false_is_not_a_number(inst, key, field):
    """budget_yuan: true was 1 Yuan and residents: true 1 person."""
    p = _one(_problems(inst, sets=[f"{key}=true"]), field)
    assert "true/false" in p.message and "true and false are not numbers" in p.fix


def test_true_false_in_the_library_is_not_a_number(inst):
    _edit_yaml(_lib_of(inst), lambda d: d["covers"]["grassland"].update(vegetation_cover=True))
    p = _one(_problems(inst), "covers.grassland.vegetation_cover")
    assert p.file == str(_lib_of(inst)) and "true/false" in p.message


def test_key_given_twice_in_the_yaml(inst):
    """YAML keeps the last of two equal keys silently: an edit of the first did nothing."""
    text = inst.read_text()
    m = re.search(r"^( *)budget_yuan: .*$", text, flags=re.M)
    inst.write_text(text[: m.end()] + f"\n{m.group(1)}budget_yuan: 5" + text[m.end() :])
    p = _one(_problems(inst), "periods.2025.budget_yuan")
    assert p.file == str(inst) and "given twice" in p.message and p.value == "budget_yuan" and "keep one" in p.fix


def test_key_given_twice_in_a_set_value(inst):
    p = _one(
        _problems(inst, sets=["prices.gep_multipliers={ecological_forest: 1, ecological_forest: 2}"]),
        "ecological_forest",
    )
    assert p.file == "--set prices.gep_multipliers" and "given twice" in p.message


def test_merge_keys_may_be_overridden(inst):
    """An anchor merged with '<<' and one of its keys set again is not a key given twice."""
    _edit_yaml(inst, lambda d: d.update(assumptions={"x": "y"}))
    text = inst.read_text()
    inst.write_text(text.replace("assumptions:\n", "assumptions: &a\n") + "description: d\n")
    planner.load_instance(inst)
    inst.write_text(
        inst.read_text()
        .replace("description: d\n", "township: {<<: {name: A}, name: B}\n")
        .replace("township:\n  name: Test Township\n", "")
    )
    assert planner.load_instance(inst).instance.township.name == "B"


@pytest.mark.parametrize(
    "key, value, field, money",
    [
        ("projects.hall.capex_yuan", "1.0e300", "projects.hall.capex_yuan", True),
        ("periods.2025.budget_yuan", "2.0e13", "periods.2025.budget_yuan", True),
        ("projects.hall.income_yuan_per_yr.other", "1.0e14", "projects.hall.income_yuan_per_yr", True),
        ("prices.gep_scale", "1.0e300", "prices.gep_scale", False),
        ("villages.a.labour_pool.residents", "2.0e+15", "villages.a.labour_pool.residents", False),
    ],
)
def test_astronomically_large_figures(build_path, key, value, field, money):
    """capex_yuan=1e300 reached HiGHS, which refuses coefficients of 1e15 and more."""
    path = build_path(
        PARCELS,
        projects=[
            {
                "id": "hall",
                "channel": "other",
                "host_village": "a",
                "capex_yuan": 0,
                "income_yuan_per_yr": {"other": 1},
                "shares": {"villagers": 1},
            }
        ],
    )
    p = _one(_problems(path, sets=[f"{key}={value}"]), field)
    assert "astronomically large" in p.message
    assert ("1e13" in p.fix and "Yuan" in p.message) if money else "unit" in p.fix


def test_largest_money_loads(build_path):
    path = build_path(PARCELS, periods=[period("2025", budget=1e13)])
    assert planner.load_instance(path).instance.periods[0].budget_yuan == 1e13


@pytest.mark.parametrize(
    "key",
    ["prices.gep_multipliers.ecological_forest", "roles.r.wage_yuan_per_yr", "targets.0.min", "finance.loan_to_gep"],
)
@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf", "nan", "inf"])
def test_nan_and_infinity_are_refused_everywhere(build_path, key, value):
    path = build_path(
        PARCELS,
        norms=["fixed"],
        roles=[{"id": "r", "channel": "forest", "min": 0, "max": 1, "norm": "fixed"}],
        targets=[{"kpi": "gep_yuan", "period": "2025", "min": 1}],
    )
    probs = _problems(path, sets=[f"{key}={value}"])
    assert any("finite" in p.message for p in probs), [str(p) for p in probs]


def test_huge_parcel_area(inst):
    _edit_csv(inst, "A2,a,5,", "A2,a,1e300,")
    p = _one(_problems(inst), "row 3 (parcel 'A2'), column area")
    assert "land area of the Earth" in p.message and p.value == "1e300"


@pytest.mark.parametrize("depth", [100, 3000])
def test_set_value_nested_too_deep(inst, depth):
    """--set description=[[[...]]] 3,000 deep raised RecursionError."""
    probs = _problems(inst, sets=["description=" + "[" * depth + "]" * depth])
    assert all(p.file == "--set description" for p in probs)
    assert any("nested more than" in p.message for p in probs)


def test_set_value_that_opens_a_list_must_be_valid_yaml(inst):
    p = _problems(inst, sets=["policies.protected_farmland_covers=[a, b"])[0]
    assert p.file == "--set policies.protected_farmland_covers" and "not valid YAML" in p.message


def test_set_value_that_is_not_yaml_is_text(inst):
    li = planner.load_instance(inst, sets=["description=a: b: c"])
    assert li.instance.description == "a: b: c"


def test_duplicate_village_id_is_named_beside_the_table_problems(build_path):
    """Village 'b' given the id 'a' again: the duplicate id was not reported, only B1's
    'unknown village b' in the parcel table."""
    path = build_path(PARCELS, villages=[{"id": "a"}, {"id": "a", "name": "Bee"}])
    probs = _problems(path)
    dup = _one(probs, "villages")
    assert dup.message == "duplicate id" and dup.value == "a" and dup.file == str(path)
    assert _one(probs, "row 4 (parcel 'B1'), column village").value == "b"


def test_empty_geojson_layer_says_it_has_no_features(inst):
    """An empty layer (no features) gave 'set parcels.area_crs: the in the instance'."""
    empty = inst.parent / "empty.geojson"
    empty.write_text('{"type": "FeatureCollection", "features": []}')
    _edit_yaml(inst, lambda d: d["parcels"].update(file="empty.geojson"))
    p = _problems(inst)[0]
    assert p.file == str(empty) and "no features" in p.message and "area_crs" not in p.fix


# --- long lists of problems -----------------------------------------------------------


def test_problems_of_one_kind_are_capped_and_counted():
    from planner.core.errors import MAX_PER_KIND

    rows = [
        Problem("t.csv", f"row {i + 2} (parcel 'p{i}'), column area", "area must be a positive number", "give it", "x")
        for i in range(1000)
    ]
    other = [
        Problem("t.csv", f"row {i + 2} (parcel 'p{i}'), column cover", "unknown cover", "use one", "lava")
        for i in range(30)
    ]
    e = InputError(rows + other + [Problem("i.yaml", "name", "required", "add it")])
    assert e.count == 1031
    listed = [p for p in e.problems if not p.more]
    assert [p.field.rpartition(", ")[2] for p in listed] == ["column area"] * MAX_PER_KIND + [
        "column cover"
    ] * MAX_PER_KIND + ["name"]
    counted = {str(p).split(": ")[1]: p.more for p in e.problems if p.more}
    assert counted == {"column area": 1000 - MAX_PER_KIND, "column cover": 30 - MAX_PER_KIND}
    assert "t.csv: column area: and 980 more problems of this kind (area must be a positive number) -> give it" in str(
        e
    )
    assert e.headline().startswith("1,031 problems in the input (41 listed")
    assert InputError(e.problems).problems == e.problems  # capping again changes nothing


def test_many_kinds_of_problems_are_capped_and_counted():
    """A YAML with 10,000 misspelt keys: 50 listed, at most 20 counted kinds, then one line."""
    from planner.core.errors import MAX_LISTED, MAX_PER_KIND

    probs = [
        Problem(
            "i.yaml",
            f"policies.{chr(97 + i % 26)}{chr(97 + i // 26 % 26)}{chr(97 + i // 676)}",
            "unknown key",
            "remove it",
        )
        for i in range(10_000)
    ]
    e = InputError(probs)
    assert e.count == 10_000 and len(e.problems) == MAX_LISTED + MAX_PER_KIND + 1
    assert str(e.problems[-1]) == (
        "i.yaml: and 9,930 more problems of 9,930 other kinds -> correct the problems listed, then check again"
    )
    assert InputError(e.problems).problems == e.problems


def test_a_million_row_junk_table_answers_briefly(inst, tmp_path):
    """A junk table of 1,000,000 rows printed 2,082,326 problems (421 MB on stderr, 2.1 GB
    of memory, 4-5 minutes). Now: exit 2, a short message with the counts, in seconds."""
    csv = _csv_of(inst)
    with csv.open("w", encoding="utf-8") as fh:
        fh.write("id,village,area,cover,red_line,eco_space,ownership\n")
        fh.writelines(f"p{i},v{i % 97},x{i},c{i % 13},maybe,none,collective\n" for i in range(1_000_000))
    r = _validate_cli(inst)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert len(r.stderr) < 20_000, len(r.stderr)
    err = " ".join(r.stderr.split())
    assert "4,000,000 problem(s) in the input" in err
    for column in ("area", "village", "cover", "red_line"):
        assert f"column {column}: and " in err and " more problems of this kind" in err


@pytest.mark.parametrize("args", [["schema", "--json", "{bad}/s.json"], ["schema", "--markdown", "{bad}/s.md"]])
def test_unwritable_output_paths_exit_2(tmp_path, args):
    """`planner schema --json /no/such/dir/s.json` gave a traceback."""
    bad = tmp_path / "no" / "such" / "dir"
    r = subprocess.run(
        [sys.executable, "-m", "planner", *[a.replace("{bad}", str(bad)) for a in args]],
        capture_output=True,
        text=True,
        timeout=120,
    )
    err = " ".join(r.stderr.split())
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert f"{args[1]}: cannot write this file: No such file or directory" in err and str(bad) in err
