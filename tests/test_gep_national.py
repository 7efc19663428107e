"""GEP by the national accounting method: libraries with ``method: quantity_price``
(each service a physical quantity per ha x a price, models/gep_national.yaml) and
per-parcel quantities read from the parcel table or GIS layer (``parcels.quantities``).

The small instances use two services: ``water`` (m3, 2 Yuan/m3) and ``carbon`` (tCO2,
50 Yuan/t). Grassland holds 100 m3 and 1 t per ha per yr, so it is worth
100 x 2 + 1 x 50 = 250 Yuan/ha/yr; forest cover and the ecological forest use hold 300
m3 and 10 t: 300 x 2 + 10 x 50 = 1,100 Yuan/ha/yr. Every other cover is worth nothing.
"""

from __future__ import annotations

import copy
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import COVERS, P, approx, area, kpi, period, solve, write_instance

import planner
from planner.core import labels
from planner.core.errors import InputError, Problem
from planner.core.paths import bundled_dir
from planner.model.data import ModelData

SERVICES = [
    {
        "id": "water",
        "category": "regulating",
        "unit": "m3",
        "price_yuan_per_unit": 2.0,
        "source": "test figure",
        "status": "seen",
    },
    {
        "id": "carbon",
        "category": "regulating",
        "unit": "tCO2",
        "price_yuan_per_unit": 50.0,
        "source": "test figure",
        "status": "seen",
    },
]
GRASS = {"water": 100, "carbon": 1}  # 250 Yuan/ha/yr
ARBOR = {"water": 300, "carbon": 10}  # 1,100 Yuan/ha/yr


def _qp(uses: dict[str, dict[str, Any]] | None = None, **kw: Any) -> dict[str, Any]:
    """write_instance keywords for a quantity_price library: the helpers' covers and the
    given uses with their equivalents replaced by quantities (grassland GRASS, forest ARBOR)."""
    quantities = {"grassland": GRASS, "forest": ARBOR}
    covers = {c: {"equivalents": {}, "quantities": quantities.get(c, {}), "source": "test figures"} for c in COVERS}
    over = {u: {"equivalents": {}, "source": "test figures", **o} for u, o in (uses or {}).items()}
    extra = {"method": "quantity_price", "standard_equivalent_yuan_per_ha": None, "services": SERVICES}
    return {"covers": covers, "uses": over, "library_extra": extra, **kw}


def _write(directory: Path, parcels: list[dict[str, Any]], quantities: dict | None = None, **kw: Any) -> Path:
    """write_instance, then ``parcels.quantities`` set to ``quantities`` (if given)."""
    path = write_instance(directory, parcels, **kw)
    if quantities is not None:
        _edit(path, lambda d: d["parcels"].update(quantities=quantities))
    return path


def _forest(cost: float = 0.0) -> dict[str, dict[str, Any]]:
    return {"ecological_forest": {"quantities": ARBOR, "establishment_cost_yuan_per_ha": cost}}


def _problems(path: Path) -> list[Problem]:
    with pytest.raises(InputError) as e:
        planner.load_instance(path)
    for p in e.value.problems:  # every problem says where and what to do
        assert p.file and p.field and p.message and p.fix, p
    return e.value.problems


def _one(probs: list[Problem], field: str) -> Problem:
    hits = [p for p in probs if p.field == field]
    assert hits, f"no problem at {field!r}: {[str(p) for p in probs]}"
    return hits[0]


def _edit(path: Path, fn) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    fn(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def _lib(inst: Path) -> Path:
    return inst.parent / yaml.safe_load(inst.read_text(encoding="utf-8"))["valuation"]


# --- quantities x prices: known answers ----------------------------------------------


def test_quantity_times_price_known_answer(build):
    """Two parcels, two services. G: 10 ha of grassland (250 Yuan/ha/yr); F: 4 ha of
    forest (1,100). Ecological forest (1,100 Yuan/ha/yr) may go on G at 100 Yuan/ha.
    2025 has no budget, 2035 an ample one; weights 1 and 1.

    2025: nothing can be planted: GEP = 10 x 250 + 4 x 1,100 = 2,500 + 4,400 = 6,900.
    2035: G becomes forest (+850 Yuan/ha/yr): GEP = 14 x 1,100 = 15,400, of which water
    14 x 300 x 2 = 8,400 and carbon 14 x 10 x 50 = 7,000.
    Objective = 6,900 + 15,400 = 22,300 Yuan/yr."""
    li = build(
        [P("G", "grassland", 10), P("F", "forest", 4)],
        **_qp(_forest(100), periods=[period("2025", budget=0), period("2035")]),
    )
    assert li.library.method == "quantity_price"
    plan = solve(li)
    assert plan.status == "optimal"
    assert kpi(plan, "gep_yuan", "2025") == approx(6_900)
    assert kpi(plan, "gep_yuan", "2035") == approx(15_400)
    assert area(plan, use="ecological_forest", parcel="G") == approx(10)
    g = plan.gep[plan.gep["period"] == "2035"].groupby("service")["gep_yuan"].sum()
    assert g["water"] == approx(8_400) and g["carbon"] == approx(7_000)
    assert plan.objective == approx(22_300)


def test_library_values_are_quantity_times_price(build):
    """The loader turns quantities into the per-ha Yuan the model reads: grassland
    100 m3 x 2 + 1 t x 50 = 250 Yuan/ha/yr, forest 300 x 2 + 10 x 50 = 1,100; with
    prices.gep_scale 2 and a gep_multipliers of 0.5 on forest: grassland 500, forest 1,100."""
    li = build([P("G", "grassland", 10), P("F", "forest", 4)], **_qp())
    d = ModelData(li)
    assert d.gep_per_ha_of("grassland", "cover") == approx(250)
    assert d.gep_per_ha_of("forest", "cover") == approx(1_100)
    assert d.gep_by_service("forest", "cover") == {"water": approx(600), "carbon": approx(500)}
    li2 = li.replace(**{"prices.gep_scale": 2, "prices.gep_multipliers": {"forest": 0.5}})
    d2 = ModelData(li2)
    assert d2.gep_per_ha_of("grassland", "cover") == approx(500)
    assert d2.gep_per_ha_of("forest", "cover") == approx(1_100)


# --- per-parcel quantities -----------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "per"),
    [(50, "ha"), (" 50 ", "ha"), (500, "parcel")],  # 50 m3/ha (also as text with spaces), or 500 m3 over 10 ha
)
def test_parcel_quantity_overrides_the_cover(tmp_path, cell, per):
    """G1 and G2: 10 ha of grassland each. G1's own water is 50 m3/ha (column q_water,
    per ha, or 500 m3 for the parcel), G2's cell is empty (the cover's 100 m3/ha). So G1 is
    worth 50 x 2 + 1 x 50 = 150 Yuan/ha/yr and G2 250. Ecological forest (1,100) costs 100
    Yuan/ha; budget 500 Yuan: 5 ha.

    Planting on G1 gains 950 Yuan/ha/yr, on G2 850: all 5 ha go on G1.
    GEP = 5 x 1,100 + 5 x 150 + 10 x 250 = 5,500 + 750 + 2,500 = 8,750 Yuan/yr;
    water 5 x 600 + 5 x 100 + 10 x 200 = 5,500, carbon 5 x 500 + 15 x 50 = 3,250."""
    path = _write(
        tmp_path,
        [P("G1", "grassland", 10, q_water=cell), P("G2", "grassland", 10, q_water="")],
        {"water": {"column": "q_water", "per": per}},
        **_qp(_forest(100), periods=[period("2025", budget=500)]),
    )
    li = planner.load_instance(path)
    q = li.parcels.set_index("id")["quantity_water_per_ha"]
    assert q["G1"] == approx(50) and pytest.approx(float("nan"), nan_ok=True) == q["G2"]
    plan = solve(li)
    assert plan.status == "optimal"
    assert area(plan, use="ecological_forest", parcel="G1") == approx(5)
    assert area(plan, use="ecological_forest", parcel="G2") == approx(0)
    assert plan.objective == approx(8_750)
    g = plan.gep.groupby("service")["gep_yuan"].sum()
    assert g["water"] == approx(5_500) and g["carbon"] == approx(3_250)


def test_without_parcel_quantities_the_cover_applies(build):
    """The same two parcels without the column: both are worth 250 Yuan/ha/yr, and the 5 ha
    of forest gain 850 each wherever they go: GEP = 5 x 1,100 + 15 x 250 = 9,250."""
    li = build(
        [P("G1", "grassland", 10), P("G2", "grassland", 10)],
        **_qp(_forest(100), periods=[period("2025", budget=500)]),
    )
    plan = solve(li)
    assert plan.status == "optimal"
    assert area(plan, use="ecological_forest") == approx(5)
    assert plan.objective == approx(9_250)


def test_parcel_quantities_from_a_gis_layer(tmp_path):
    """As test_parcel_quantity_overrides_the_cover, with the parcels in a GeoPackage layer
    whose attribute Q_WATER holds G1's 50 m3/ha: GEP 8,750 Yuan/yr, the forest on G1."""
    from geohelpers import row, write_geo_instance

    path = write_geo_instance(
        tmp_path,
        [P("G1", "grassland", 10, Q_WATER=50), P("G2", "grassland", 10, Q_WATER="")],
        row({"G1": 10, "G2": 10}),
        parcels_extra={"quantities": {"water": "Q_WATER"}},
        **_qp(_forest(100), periods=[period("2025", budget=500)]),
    )
    plan = solve(planner.load_instance(path))
    assert plan.status == "optimal"
    assert area(plan, use="ecological_forest", parcel="G1") == approx(5)
    assert plan.objective == approx(8_750)


# --- bad library input: the file and the field named ---------------------------------


@pytest.fixture
def qp_inst(build_path):
    """A valid quantity_price instance (parcels G and F)."""
    return build_path([P("G", "grassland", 10), P("F", "forest", 4)], **_qp(_forest()))


def test_missing_price(qp_inst):
    lib = _lib(qp_inst)
    _edit(lib, lambda d: d["services"][0].pop("price_yuan_per_unit"))
    p = _one(_problems(qp_inst), "services.water.price_yuan_per_unit")
    assert p.file == str(lib) and "missing price" in p.message and "m3" in p.fix


def test_unknown_service_in_quantities(qp_inst):
    lib = _lib(qp_inst)
    _edit(lib, lambda d: d["covers"]["grassland"]["quantities"].update(rain=5))
    p = _one(_problems(qp_inst), "covers.grassland.quantities.rain")
    assert p.file == str(lib) and p.message == "unknown service" and "water" in p.fix


def test_a_figure_must_say_where_it_comes_from(qp_inst):
    """An estimate without its reasoning, a derived figure without its arithmetic, a bare
    quantity of a cover with no source and a price with no status: each is named."""
    lib = _lib(qp_inst)

    def edit(d):
        d["covers"]["grassland"]["quantities"]["water"] = {"amount": 100, "status": "estimate"}
        d["covers"]["grassland"]["quantities"]["carbon"] = {"amount": 1, "status": "derived", "source": "x"}
        d["covers"]["forest"]["source"] = ""
        del d["services"][1]["status"], d["services"][1]["source"]

    _edit(lib, edit)
    probs = _problems(qp_inst)
    assert {p.file for p in probs} == {str(lib)}
    assert "reasoning" in _one(probs, "covers.grassland.quantities.water.reason").message
    assert "arithmetic" in _one(probs, "covers.grassland.quantities.carbon.reason").message
    assert "no source" in _one(probs, "covers.forest.quantities.water").message
    assert "no source" in _one(probs, "services.carbon").message


def test_methods_are_not_mixed(qp_inst):
    """Equivalents and a standard equivalent in a quantity_price library are refused; so
    are quantities in an equivalent_factor library."""
    lib = _lib(qp_inst)
    _edit(lib, lambda d: d["covers"]["grassland"].update(equivalents={"water": 1}))
    p = _one(_problems(qp_inst), "covers.grassland.equivalents")
    assert "quantities" in p.fix
    _edit(lib, lambda d: d.update(standard_equivalent_yuan_per_ha=3406.5))
    p = _one(_problems(qp_inst), "standard_equivalent_yuan_per_ha")
    assert "not used with method quantity_price" in p.message
    _edit(lib, lambda d: (d.pop("method"), d["covers"]["grassland"].pop("equivalents")))
    p = _one(_problems(qp_inst), "covers.grassland.quantities")
    assert "quantity_price" in p.message and "method: quantity_price" in p.fix


def test_missing_price_exits_2_without_traceback(qp_inst):
    _edit(_lib(qp_inst), lambda d: d["services"][1].pop("price_yuan_per_unit"))
    r = subprocess.run(
        [sys.executable, "-m", "planner", "validate", str(qp_inst)], capture_output=True, text=True, timeout=120
    )
    out = r.stdout + r.stderr
    assert r.returncode == 2 and "Traceback" not in out
    assert "services.carbon.price_yuan_per_unit" in out and "missing price" in out


# --- bad parcel quantities: the instance field, or the table's row and column ---------


def _with_column(directory: Path, quantities: dict, cell: Any = 50) -> Path:
    return _write(
        directory,
        [P("G1", "grassland", 10, q_water=cell), P("G2", "grassland", 10, q_water="")],
        quantities,
        **_qp(_forest()),
    )


def test_parcel_quantities_unknown_service_and_missing_column(tmp_path):
    path = _with_column(tmp_path, {"rain": "q_water", "water": "q_wtr"})
    probs = _problems(path)
    p = _one(probs, "parcels.quantities.rain")
    assert p.file == str(path) and p.message == "unknown service" and "water" in p.fix
    p = _one(probs, "parcels.quantities.water.column")
    assert "'q_wtr' is not in" in p.message and "q_water" in p.fix


@pytest.mark.parametrize("cell", ["lots", -5])
def test_parcel_quantity_cell_must_be_a_number(tmp_path, cell):
    path = _with_column(tmp_path, {"water": "q_water"}, cell)
    p = _one(_problems(path), "row 2 (parcel 'G1'), column q_water")
    assert p.file.endswith(".csv") and "number >= 0" in p.message and "m3 per ha" in p.fix


def test_parcel_quantities_need_a_quantity_price_library(tmp_path):
    path = _write(tmp_path, [P("G1", "grassland", 10, q_water=50)], {"water": "q_water"}, uses=["ecological_forest"])
    p = _one(_problems(path), "parcels.quantities")
    assert p.file == str(path) and "quantity_price" in p.message and "gep_national" in p.fix


# --- the bundled library and the Nuanshui instance ----------------------------------


MODELS = bundled_dir("models")
INSTANCES = bundled_dir("instances")


def _raw(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_national_forest_value_by_hand():
    """Existing forest in models/gep_national.yaml, quantity x price per service:
    water 300 m3 x 7.06 = 2,118; soil 97 t x 4.63 = 449.11; sand 28 t x 11.98 = 335.44;
    carbon 10.5 tCO2 x 95.96 = 1,007.58; oxygen 7.636 t x 727 = 5,551.372; SO2 0.152 t x
    1,200 = 182.4; climate 45,370 kWh x 0.5 = 22,685. Sum 32,328.902 Yuan/ha/yr, and no
    gep_scale in nuanshui_national.yaml."""
    li = planner.load_instance(INSTANCES / "nuanshui_national.yaml")
    d = ModelData(li)
    assert li.instance.prices.gep_scale == 1.0
    assert d.gep_per_ha_of("forest", "cover") == pytest.approx(32_328.902, abs=1e-6)
    assert d.gep_by_service("forest", "cover")["oxygen_release"] == pytest.approx(5_551.372, abs=1e-6)


def test_oxygen_is_carbon_times_32_over_44():
    """Every oxygen quantity is derived from its cover's or use's carbon: one O2 (32 g) per
    CO2 (44 g) fixed, to the third decimal."""
    lib = _raw(MODELS / "gep_national.yaml")
    for group in ("covers", "uses"):
        for k, c in lib[group].items():
            q = c.get("quantities") or {}
            carbon = q.get("carbon_sequestration", {}).get("amount", 0.0)
            oxygen = q.get("oxygen_release", {}).get("amount", 0.0)
            assert oxygen == pytest.approx(carbon * 32 / 44, abs=5e-4), (group, k)


def test_national_library_differs_from_xie2015_only_in_gep():
    """Same covers and uses with the same non-GEP fields (vegetation, forest, ecological
    space, incomes, costs...), carbon methods and labour norms: the two routes value the
    same choices differently and nothing else."""
    xie, nat = _raw(MODELS / "xie2015.yaml"), _raw(MODELS / "gep_national.yaml")
    gep_fields = {"equivalents", "quantities", "source", "description"}
    for group in ("covers", "uses"):
        assert list(nat[group]) == list(xie[group])
        for k in xie[group]:
            a = {f: v for f, v in xie[group][k].items() if f not in gep_fields}
            b = {f: v for f, v in nat[group][k].items() if f not in gep_fields}
            assert a == b, (group, k)
    assert nat["carbon_methods"] == xie["carbon_methods"]
    assert nat["labour_norms"] == xie["labour_norms"]


def test_nuanshui_national_is_nuanshui_but_its_gep():
    """nuanshui_national.yaml is nuanshui.yaml with the valuation gep_national, no
    gep_scale and no fitted 2035 price index; only the name, the description and the
    assumptions about GEP differ besides."""
    base, nat = _raw(INSTANCES / "nuanshui.yaml"), _raw(INSTANCES / "nuanshui_national.yaml")
    assert (base["valuation"], nat["valuation"]) == ("xie2015", "gep_national")
    assert "gep_scale" not in nat["prices"] and all("gep_price_index" not in p for p in nat["periods"])
    b, n = copy.deepcopy(base), copy.deepcopy(nat)
    for x in (b, n):
        for k in ("name", "description", "valuation"):
            x.pop(k)
        x["prices"].pop("gep_scale", None)
        for p in x["periods"]:
            p.pop("gep_price_index", None)
        for k in ("gep_scale", "gep_national", "gep_price_index_2035", "project_gep_yuan_per_yr", "objective"):
            x["assumptions"].pop(k, None)
    assert n == b


def test_nuanshui_national_solves_optimal_and_verified():
    """The Nuanshui case by the national route solves to proved optimality and passes the
    independent verification; its GEP KPI is the sum of the GEP table (by village and
    service) in each period, and the 2025 value per ha is of the order of Inner
    Mongolia's 2019 average (37,800 Yuan/ha, coefficients.md): between a half and twice it."""
    li = planner.load_instance(INSTANCES / "nuanshui_national.yaml")
    plan = planner.solve(li)
    assert plan.status == "optimal" and plan.mip_gap == pytest.approx(0, abs=1e-6)
    assert plan.verification["passed"], plan.verification["violations"][:5]
    for t in ("2025", "2035"):
        table = float(plan.gep.loc[plan.gep["period"] == t, "gep_yuan"].sum())
        assert plan.kpi("gep_yuan", t) == pytest.approx(table, rel=1e-9)
    per_ha = plan.kpi("gep_yuan", "2025") / float(li.parcels["area_ha"].sum())
    assert 37_800 / 2 < per_ha < 37_800 * 2


def test_xie2015_stays_the_default_method():
    """A library that names no method is valued by equivalent factors (xie2015 unchanged)."""
    li = planner.load_instance(INSTANCES / "nuanshui.yaml")
    assert li.library.method == "equivalent_factor" and "method" not in _raw(MODELS / "xie2015.yaml")
    assert li.library.standard_equivalent_yuan_per_ha == 3406.5


def test_national_services_have_english_and_chinese_labels():
    """Every service of models/gep_national.yaml has a label in both languages in the one
    registry (planner.core.labels), so reports in Chinese name them (水源涵养, 固碳 ...)."""
    cjk = re.compile(r"[\u4e00-\u9fff]")
    for s in _raw(MODELS / "gep_national.yaml")["services"]:
        assert labels.known("service", s["id"]), s["id"]
        assert cjk.search(labels.term("service", s["id"], "zh")), s["id"]
        assert not cjk.search(labels.term("service", s["id"], "en")), s["id"]
    assert labels.term("service", "water_conservation", "zh") == "水源涵养"
