"""Village plan sheets (planner.village_sheets): per village the parcels to change by the
parcel table's ids, what to do on each and its hectares per period, the money, jobs,
garden and projects, and two or three reasons in the planner's words in English and
Chinese, never in the solver's."""

from __future__ import annotations

import dataclasses
import json
import re

import pandas as pd
import pytest
from nuanshui_explained import nuanshui_explained

import planner
from planner.explain.sheets import registry_parcels, sheet_lines
from planner.model.data import ModelData

CJK = re.compile(r"[\u4e00-\u9fff]")
#: The solver's words the sheets must not use, in English and in Chinese.
SOLVER_WORDS = re.compile(
    r"shadow price|\bduals?\b|\bbasis\b|degenera|\bLP\b|reduced cost|\bbinding\b|影子价格|对偶|退化",
    re.IGNORECASE,
)


@pytest.fixture(scope="module")
def tiny():
    li = planner.examples.tiny()
    plan = planner.solve(li)
    assert plan.status == "optimal"
    return li, plan


@pytest.fixture(scope="module")
def nuanshui():
    return nuanshui_explained()


def _by_village(sheets):
    return {s.village: s for s in sheets}


def test_tiny_west_sheet_by_hand(tiny):
    """West of instances/tiny.yaml, derived by hand (GEP per ha from the xie2015 library at
    price index 1: grassland 17,271, reclaimed mine 681, ornamental forest 81,790, fruit
    expansion 51,847, interactive forest 85,401, garden shrubs 59,716 Yuan/yr):

    - W2, the 6 ha mature orchard, is the only fruit forest; the orchard park (120,000 Yuan/yr)
      needs 6 ha of scenic fruit forest in West, so all of W2 turns scenic (which also earns
      more than the orchard): 6 ha in both periods;
    - W3 (3 ha of reclaimed mine, not along the road) can take only the garden or interactive
      forest, and its own cover is worth 681 Yuan/ha/yr, far below W1's 81,790 as ornamental
      forest: the garden and its interactive forest go on W3. Interactive forest is at most
      1 ha per ha of garden and costs 35,000 Yuan/ha against the garden's 500,000 (the 2025
      budget is spent in full), so W3 splits 1.5 ha garden shrubs + 1.5 ha interactive forest
      (the garden between its 0.5 and 2 ha limits);
    - W1 (8 ha of grassland in the red line, along the road) becomes ornamental forest, the
      only forest West allows there; fruit would leave the ecological space the red line keeps.

    Establishment, all in 2025: 8 x 30,000 + 6 x 30,000 + 1.5 x 500,000 + 1.5 x 35,000 =
    1,222,500 Yuan; nothing is added in 2035. The sheet's choice reason: ornamental rather
    than fruit forest on grassland, 81,790 - 51,847 = 29,943 Yuan/yr more GEP per ha."""
    li, plan = tiny
    west = _by_village(planner.village_sheets(li, plan))["west"]
    got = {(c.parcel, c.cover, c.use): {t: round(v, 6) for t, v in c.ha.items()} for c in west.parcels}
    assert got == {
        ("W1", "grassland", "ornamental_forest"): {"2025": 8.0, "2035": 8.0},
        ("W2", "fruit_forest", "scenic_fruit"): {"2025": 6.0, "2035": 6.0},
        ("W3", "reclaimed_mine", "garden_shrub"): {"2025": 1.5, "2035": 1.5},
        ("W3", "reclaimed_mine", "interactive_forest"): {"2025": 1.5, "2035": 1.5},
    }
    assert west.cost_yuan == pytest.approx({"2025": 1_222_500.0, "2035": 0.0})
    assert west.ha_by_period() == pytest.approx({"2025": 17.0, "2035": 17.0})
    assert west.garden_ha == pytest.approx({"2025": 1.5, "2035": 1.5}) and west.garden_parcels == ["W3"]
    assert [(p.project, p.built_by) for p in west.projects] == [("orchard_park", "2025")]
    kinds = [r.kind for r in west.reasons]
    assert 2 <= len(kinds) <= 3 and "project" in kinds and "use_choice" in kinds
    choice = west.reasons[kinds.index("use_choice")].text
    assert "29,943" in choice["en"] and "29,943" in choice["zh"]
    assert "fruit forest expansion" in choice["en"] and "果林扩种" in choice["zh"]


def test_tiny_east_keeps_its_permanent_farmland(tiny):
    """E3 is permanent basic farmland (farmland protection): never on the sheet. The
    courtyard economy stays within 30% of East's 2 ha of settlement (E4): at most 0.6 ha."""
    li, plan = tiny
    east = _by_village(planner.village_sheets(li, plan))["east"]
    assert "E3" not in {c.parcel for c in east.parcels} and east.changed
    court = sum(c.ha["2035"] for c in east.parcels if c.use == "courtyard_economy")
    assert 0 < court <= 0.6 + 1e-9


def test_costs_of_the_villages_add_up_to_the_plans_establishment(tiny, nuanshui):
    """The villages' establishment costs per period sum to the plan's ``finance`` table,
    which the plan computes on the model's land units (merged parcels) and the sheets on
    the parcels: the split keeps every sum."""
    for li, plan, *_ in (tiny, nuanshui):
        sheets = planner.village_sheets(li, plan)
        fin = plan.tables["finance"].set_index("period")["establishment_yuan"]
        for t, want in fin.items():
            assert sum(s.cost_yuan[str(t)] for s in sheets) == pytest.approx(want, rel=1e-9, abs=1e-3)


def test_a_village_with_nothing_to_do_is_listed_as_no_change(tiny):
    """West's rows taken out of the plan: West keeps its sheet, saying "no change", with no
    parcels, jobs or reasons; the villages stay in the instance's order."""
    li, plan = tiny
    tables = {}
    for name, df in plan.tables.items():
        col = "host_village" if name == "projects" else "village"
        tables[name] = df[df[col] != "west"].reset_index(drop=True) if col in df else df
    bare = dataclasses.replace(plan, tables=tables)
    sheets = planner.village_sheets(li, bare, lang="zh")
    assert [s.village for s in sheets] == ["east", "west"]
    west = sheets[1]
    assert west.nothing_to_do and not west.parcels and not west.jobs and west.reasons == []
    lines = sheet_lines(west)
    assert lines[-1] == "无变更：本村土地保持现状。" and "West" in lines[0]
    assert sheet_lines(west, "en")[-1].startswith("No change")
    assert west.to_dict()["no_change"] is True


def test_sheet_lines_and_json(tiny):
    """The terminal rendering names every parcel with its change and the status; the JSON
    form round-trips through json with labels in the sheet's language."""
    li, plan = tiny
    east = _by_village(planner.village_sheets(li, plan, lang="zh"))["east"]
    lines = sheet_lines(east)
    assert "最优" in lines[1] and "最优性间隙" in lines[1]
    for c in east.parcels:
        assert any(line.strip().startswith(c.parcel) for line in lines), c.parcel
    assert not any(re.search(r"\b[a-z]+_[a-z_]+\b", line) for line in lines), lines
    data = json.loads(json.dumps(east.to_dict()))
    assert data["name"] == "East" and data["lang"] == "zh"
    assert all(CJK.search(p["action"]) and CJK.search(p["cover_label"]) for p in data["parcels"])
    en = sheet_lines(east, "en")
    assert en[0] == "Village plan sheet: East" and not any(CJK.search(x) for x in en)


def test_unknown_language_is_named(tiny):
    li, plan = tiny
    with pytest.raises(ValueError, match="language 'fr'"):
        planner.village_sheets(li, plan, lang="fr")


def test_merged_land_units_come_back_as_registry_parcels(nuanshui):
    """A table that still names a merged land unit (``DSX003+36``) is shared among the unit's
    parcels in proportion to their area: every id is then one of the parcel table's, and the
    hectares add up to the unit's."""
    li, *_ = nuanshui
    land = ModelData(li).land
    unit = land.members["unit"].iloc[0]
    members = land.members[land.members["unit"] == unit]
    alloc = pd.DataFrame({"village": ["x"], "parcel": [unit], "use": ["ecological_forest"], "area_ha": [10.0]})
    out = registry_parcels(li, alloc)
    assert set(out["parcel"]) == set(members["parcel"]) and len(out) == len(members) > 1
    assert out["area_ha"].sum() == pytest.approx(10.0)
    assert set(out["parcel"]) <= set(li.parcels["id"].astype(str))


def test_nuanshui_sheets_name_parcels_and_give_reasons_in_plain_words(nuanshui):
    """Every village of Nuanshui has a sheet; the parcels are the parcel table's ids (no
    merged unit names); each village that changes land has two or three reasons, in English
    and Chinese, without the solver's words."""
    li, plan, ex = nuanshui
    ids = set(li.parcels["id"].astype(str))
    for lang in ("en", "zh"):
        sheets = planner.village_sheets(li, plan, ex, lang=lang)
        assert [s.village for s in sheets] == [v.id for v in li.instance.villages]
        for s in sheets:
            parcels = {c.parcel for c in s.parcels} | set(s.garden_parcels)
            assert parcels <= ids, sorted(parcels - ids)[:5]
            assert not any("+" in p for p in parcels)
            if s.changed:
                assert 2 <= len(s.reasons) <= 3, (s.village, s.reason_texts())
            text = "\n".join(sheet_lines(s, "en") + sheet_lines(s, "zh"))
            assert not SOLVER_WORDS.search(text), (s.village, SOLVER_WORDS.search(text))
            for r in s.reasons:
                assert CJK.search(r.text["zh"]) and not CJK.search(r.text["en"]), r.text


def test_nuanshui_reasons_from_the_explanation(nuanshui):
    """With the explanation: Nuanshui's garden is at the policy's 20 ha cap and the sheet says
    what one more ha would be worth (the explanation's price of the village's garden cap in
    2035); the afforestation workers are the role's minimum of 800 in 2025, more than the
    planting needs. Without it, the garden reason names the cap but no value."""
    li, plan, ex = nuanshui
    rules = ex.tables["rules"]
    row = rules[(rules["constraint"] == "garden_size_max") & (rules["index"].map(tuple) == ("nuanshui", "2035"))]
    price = float(row["shadow_price"].iloc[0])
    s = _by_village(planner.village_sheets(li, plan, ex))["nuanshui"]
    garden = next(r for r in s.reasons if r.kind == "garden").text
    assert "20.0 ha" in garden["en"] and f"{price:,.0f}" in garden["en"] and f"{price:,.0f}" in garden["zh"]
    rec = next(r for r in s.reasons if r.kind == "recruitment").text["en"]
    assert "800 afforestation workers in 2025" in rec
    need = int(re.search(r"the work needs ([\d,]+)", rec).group(1).replace(",", ""))
    assert 0 < need < 800
    plain = _by_village(planner.village_sheets(li, plan))["nuanshui"]
    g = next(r for r in plain.reasons if r.kind == "garden").text["en"]
    assert "cap" in g and "worth" not in g
