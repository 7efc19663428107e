"""Parcel tables as planners save them from Excel on Chinese Windows (issue 17): CSV in
GBK/GB18030 or UTF-8 with a byte-order mark, .xlsx workbooks (``parcels.sheet``), 是/否
for true/false, thousands separators; and the warnings that catch areas in the wrong
unit (a whole table, one parcel)."""

from __future__ import annotations

import math
import re
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml
from geohelpers import row, write_geo_instance
from helpers import P, write_instance

import planner
from planner.core.errors import InputError
from planner.core.paths import bundled_dir
from planner.instance.tables import excel_text, to_bool, to_numbers

INSTANCES = bundled_dir("instances")
# tiny's covers as GB/T 21010 names (cover_classes: gbt21010) and its villages in Chinese
CLASSES = {
    "E1": "天然牧草地",  # grassland
    "E2": "旱地",  # scattered_farmland
    "E3": "permanent_farmland",  # a designation, not a survey class: passes through
    "E4": "村庄",  # settlement
    "W1": "其他草地",  # grassland
    "W2": "果园",  # fruit_forest
    "W3": "采矿用地",  # reclaimed_mine
}
VILLAGES = {"east": "东村", "west": "西村"}


def _problems(path: Path, **kw) -> list:
    with pytest.raises(InputError) as exc:
        planner.load_instance(path, **kw)
    return exc.value.problems


def _tiny_chinese(tmp_path: Path, encoding: str) -> tuple[Path, Path]:
    """tiny with Chinese village ids and GB/T 21010 class names, its CSV written in
    ``encoding``: (instance, CSV)."""
    tmp_path.mkdir(exist_ok=True)
    text = (INSTANCES / "tiny.yaml").read_text(encoding="utf-8")
    for en, zh in VILLAGES.items():
        text = re.sub(rf"\b{en}\b", zh, text)
    raw = yaml.safe_load(text)
    raw["parcels"] = {"file": "parcels.csv", "area_unit": "ha", "cover_classes": "gbt21010"}
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    df = pd.read_csv(INSTANCES / "tiny_parcels.csv", dtype=str, keep_default_na=False)
    df["village"] = df["village"].map(VILLAGES)
    df["cover"] = df["id"].map(CLASSES)
    csv = tmp_path / "parcels.csv"
    csv.write_bytes(df.to_csv(index=False).encode(encoding))
    return path, csv


# --- encodings --------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig"])
def test_gbk_and_bom_csv_load_like_utf8(tmp_path, encoding):
    """The same table (Chinese village ids, GB/T 21010 names such as 旱地) saved in UTF-8
    and in ``encoding`` (GBK: Excel's "CSV (逗号分隔)" on Chinese Windows; UTF-8 with the
    byte-order mark: Excel's "CSV UTF-8") loads to the same parcels: E2 (旱地) in 东村 is
    scattered_farmland with land_class 旱地."""
    utf8, _ = _tiny_chinese(tmp_path / "utf8", "utf-8")
    other, csv = _tiny_chinese(tmp_path / "other", encoding)
    if encoding == "gbk":
        with pytest.raises(UnicodeDecodeError):
            csv.read_bytes().decode("utf-8")  # the file really is not UTF-8
    a, b = planner.load_instance(utf8), planner.load_instance(other)
    pd.testing.assert_frame_equal(a.parcels, b.parcels, check_exact=True)
    e2 = b.parcels.set_index("id").loc["E2"]
    assert (e2["village"], e2["cover"], e2["land_class"]) == ("东村", "scattered_farmland", "旱地")
    assert b.warnings == []


def test_undecodable_csv_names_the_encodings_tried(tmp_path):
    """0x80 is a continuation byte without a lead (not UTF-8) and a lone 0x80 or 0xff is
    not a GB18030 sequence: the message names the file, both encodings and the fix."""
    path, csv = _tiny_chinese(tmp_path, "utf-8")
    csv.write_bytes(csv.read_bytes().replace(b"E1,", b"E\x80\xff1,"))
    [p] = _problems(path)
    assert p.file == str(csv) and p.field == "(file)"
    assert "UTF-8:" in p.message and "GB18030 (GBK):" in p.message
    assert 'save the table as "CSV UTF-8"' in p.fix


def test_xlsx_under_a_csv_name_is_recognised(tmp_path):
    """A workbook renamed to .csv starts with the zip signature PK\\x03\\x04: said so."""
    path, csv = _tiny_chinese(tmp_path, "utf-8")
    openpyxl.Workbook().save(csv)
    [p] = _problems(path)
    assert "Excel .xlsx workbook?" in p.message and "rename it to .xlsx" in p.fix


# --- true/false ---------------------------------------------------------------------


def test_shi_and_fou_are_true_and_false():
    """是/否 with spaces around (ASCII or the ideographic space U+3000) read as true/false;
    对 is not a true/false word and is a problem naming its row."""
    s = pd.Series(["是", " 否 ", "\u3000是", "否", "对"])
    problems: list = []
    out = to_bool(s, "parcels.csv", "red_line", problems, pd.Series(list("ABCDE")))
    assert out.tolist()[:4] == [True, False, True, False]
    assert [p.field for p in problems] == ["row 6 (parcel 'E'), column red_line"]
    assert "是 or 否" in problems[0].fix


def test_shi_fou_columns_load_like_true_false(tmp_path):
    """tiny with red_line, along_road and mature written 是/否 loads to the same parcels."""
    path, csv = _tiny_chinese(tmp_path, "gbk")
    base = planner.load_instance(path)
    df = pd.read_csv(csv, dtype=str, keep_default_na=False, encoding="gbk")
    for c in ("red_line", "along_road", "mature"):
        df[c] = df[c].map({"true": "是", "false": "否"})
    csv.write_bytes(df.to_csv(index=False).encode("gbk"))
    pd.testing.assert_frame_equal(planner.load_instance(path).parcels, base.parcels, check_exact=True)


# --- Excel workbooks -----------------------------------------------------------------


def _add_noise(target: Path) -> None:
    """Store column C's numbers of the first sheet as Excel may: 17 significant digits,
    here the next double above each (10 -> 10.000000000000002), as a formula's binary
    noise leaves them (openpyxl itself writes 15 digits)."""
    entries = {}
    with zipfile.ZipFile(target) as z:
        for name in z.namelist():
            entries[name] = z.read(name)
    sheet = "xl/worksheets/sheet1.xml"
    entries[sheet] = re.sub(
        rb'(<c r="C\d+" t="n"><v>)([^<]+)(</v>)',
        lambda m: m[1] + f"{math.nextafter(float(m[2]), math.inf):.17g}".encode() + m[3],
        entries[sheet],
    )
    with zipfile.ZipFile(target, "w") as z:
        for name, data in entries.items():
            z.writestr(name, data)


def _xlsx_of(csv: Path, target: Path, *, first_sheet: str | None = None, noise: bool = False) -> None:
    """The CSV's rows into sheet 地块 of ``target``, as Excel keeps them: areas as numbers,
    true/false as Excel booleans. ``first_sheet``: an empty sheet before it; ``noise``: the
    areas stored with binary noise in the 16th-17th digits (:func:`_add_noise`)."""
    df = pd.read_csv(csv, dtype=str, keep_default_na=False)
    book = openpyxl.Workbook()
    sheet = book.active
    if first_sheet:
        sheet.title = first_sheet
        sheet = book.create_sheet("地块")
    else:
        sheet.title = "地块"
    sheet.append(list(df.columns))
    for rec in df.to_dict("records"):
        cells = []
        for c, v in rec.items():
            if c == "area":
                cells.append(float(v))
            elif v in ("true", "false"):
                cells.append(v == "true")
            else:
                cells.append(v)
        sheet.append(cells)
    book.save(target)
    if noise:
        _add_noise(target)


def _with_parcels(path: Path, **fields) -> Path:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["parcels"].update(fields)
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_excel_numbers_read_as_excel_shows_them():
    """15 significant digits: 16.87 (stored by Excel as 16.870000000000001) stays 16.87;
    1.1 + 2.2 = 3.3000000000000003 in binary is the 3.3 Excel shows; a whole number loses
    its .0 (an id 1001); TRUE is true; an empty cell is ""."""
    assert excel_text(float("16.870000000000001")) == "16.87"
    assert excel_text(1.1 + 2.2) == "3.3"
    assert excel_text(1001.0) == "1001" and excel_text(1001) == "1001"
    assert excel_text(True) == "true" and excel_text(None) == ""


@pytest.mark.parametrize("noise", [False, True])
def test_xlsx_loads_like_the_csv(tmp_path, noise):
    """tiny's parcels in an .xlsx (areas as numbers, with and without a formula's binary
    noise; true/false as Excel booleans) load to the same parcels frame as the UTF-8 CSV."""
    path, csv = _tiny_chinese(tmp_path, "utf-8")
    base = planner.load_instance(path)
    _xlsx_of(csv, tmp_path / "parcels.xlsx", noise=noise)
    stored = [c.value for c in openpyxl.load_workbook(tmp_path / "parcels.xlsx")["地块"]["C"][1:]]
    assert (stored != base.parcels["area_ha"].tolist()) == noise  # the noise is really there
    li = planner.load_instance(_with_parcels(path, file="parcels.xlsx"))
    pd.testing.assert_frame_equal(li.parcels, base.parcels, check_exact=True)


def test_area_16_87_stays_16_87(tmp_path):
    """A parcel of 16.87 ha in a workbook is 16.87 ha exactly, as in the CSV."""
    path = write_instance(tmp_path, [P("A1", "grassland", 16.87), P("A2", "grassland", 2)])
    csv = tmp_path / yaml.safe_load(path.read_text())["parcels"]["file"]
    _xlsx_of(csv, tmp_path / "p.xlsx")
    li = planner.load_instance(_with_parcels(path, file="p.xlsx"))
    assert li.parcels["area_ha"].tolist() == [16.87, 2.0]


@pytest.mark.parametrize("sheet", ["地块", 2])
def test_sheet_by_name_or_position(tmp_path, sheet):
    """The table on the second sheet, after a notes sheet: parcels.sheet 地块 or 2 reads it."""
    path, csv = _tiny_chinese(tmp_path, "utf-8")
    base = planner.load_instance(path)
    _xlsx_of(csv, tmp_path / "parcels.xlsx", first_sheet="说明")
    li = planner.load_instance(_with_parcels(path, file="parcels.xlsx", sheet=sheet))
    pd.testing.assert_frame_equal(li.parcels, base.parcels, check_exact=True)


def test_default_sheet_is_the_first(tmp_path):
    """Without parcels.sheet the first sheet, here the empty notes sheet, is read: the error
    says it is empty and names the sheets to choose from."""
    path, csv = _tiny_chinese(tmp_path, "utf-8")
    _xlsx_of(csv, tmp_path / "parcels.xlsx", first_sheet="说明")
    [p] = _problems(_with_parcels(path, file="parcels.xlsx"))
    assert p.field == "sheet '说明'" and "empty" in p.message and "['说明', '地块']" in p.fix


def test_bad_cell_names_sheet_row_and_column(tmp_path):
    """Header on Excel row 1, E1..E4 on rows 2-5, an empty row 6, W1 on row 7: W1's area
    ``x`` is reported at sheet '地块', row 7 (Excel's number, the empty row counted), column
    area; E2's red_line 也许 (not a true/false word) at row 3."""
    path, csv = _tiny_chinese(tmp_path, "utf-8")
    target = tmp_path / "parcels.xlsx"
    _xlsx_of(csv, target)
    book = openpyxl.load_workbook(target)
    ws = book["地块"]
    ws.insert_rows(6)
    assert ws["A7"].value == "W1" and ws["C7"].value == 8
    ws["C7"] = "x"
    assert ws["A3"].value == "E2"
    ws["E3"] = "也许"
    book.save(target)
    problems = _problems(_with_parcels(path, file="parcels.xlsx"))
    got = {(p.file, p.field, p.value) for p in problems}
    assert got == {
        (str(target), "sheet '地块', row 7 (parcel 'W1'), column area", "x"),
        (str(target), "sheet '地块', row 3 (parcel 'E2'), column red_line", "也许"),
    }


def test_unknown_sheet_lists_the_sheets(tmp_path):
    path, csv = _tiny_chinese(tmp_path, "utf-8")
    _xlsx_of(csv, tmp_path / "parcels.xlsx")
    [p] = _problems(_with_parcels(path, file="parcels.xlsx", sheet="Sheet1"))
    assert (p.file, p.field) == (str(path), "parcels.sheet") and "['地块']" in p.fix


@pytest.mark.parametrize("sheet, words", [(3, "no sheet 3"), (0, "count from 1"), (True, "not true/false")])
def test_sheet_position_out_of_range_or_invalid(tmp_path, sheet, words):
    path, csv = _tiny_chinese(tmp_path, "utf-8")
    _xlsx_of(csv, tmp_path / "parcels.xlsx")
    [p] = _problems(_with_parcels(path, file="parcels.xlsx", sheet=sheet))
    assert p.field == "parcels.sheet" and words in p.message


def test_sheet_of_a_csv_is_refused(tmp_path):
    """parcels.sheet would be silently ignored for a CSV table: it is refused instead."""
    path, _ = _tiny_chinese(tmp_path, "utf-8")
    [p] = _problems(_with_parcels(path, sheet="地块"))
    assert p.field == "parcels.sheet" and "remove parcels.sheet" in p.fix


def test_xls_is_refused_with_the_fix(tmp_path):
    path, _ = _tiny_chinese(tmp_path, "utf-8")
    (tmp_path / "parcels.xls").write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 60)
    [p] = _problems(_with_parcels(path, file="parcels.xls"))
    assert p.file == str(tmp_path / "parcels.xls") and ".xls" in p.message and ".xlsx" in p.fix


# --- thousands separators ---------------------------------------------------------------


def _csv_with_areas(tmp_path: Path, areas: list[str]) -> Path:
    """Grassland parcels A1.. of village a with the area cells as written (quoted, since
    they hold commas)."""
    path = write_instance(tmp_path, [P(f"A{k + 1}", "grassland", 1) for k in range(len(areas))])
    csv = tmp_path / yaml.safe_load(path.read_text())["parcels"]["file"]
    df = pd.read_csv(csv, dtype=str, keep_default_na=False)
    df["area"] = areas
    df.to_csv(csv, index=False)
    assert '"1,' in csv.read_text()  # the commas are inside quoted cells
    return path


def test_thousands_separators_are_read(tmp_path):
    """1,113.66 -> 1113.66, 2,500 -> 2500, 1,234.5 -> 1234.5: a spreadsheet's display of
    the numbers, read without a problem or a warning."""
    li = planner.load_instance(_csv_with_areas(tmp_path, ["1,113.66", "2,500", "1,234.5", "7"]))
    assert li.parcels["area_ha"].tolist() == [1113.66, 2500.0, 1234.5, 7.0]
    assert li.warnings == []


def test_comma_decimal_is_refused_with_the_reason(tmp_path):
    """1,5 can only be 1.5 with a decimal comma: refused, saying to write 1.5. Once the
    column has a decimal comma, 1,113 may be 1113 or 1.113: refused too, naming both.
    1,113.66 has a point, so it is 1113.66 whatever the other cells say."""
    problems = _problems(_csv_with_areas(tmp_path, ["1,5", "1,113", "1,113.66"]))
    by_row = {p.field.split(" (")[0]: p for p in problems}
    assert set(by_row) == {"row 2", "row 3"}
    assert by_row["row 2"].message == "a comma decimal separator?" and by_row["row 2"].fix.startswith("write 1.5 ")
    assert "decimal comma" in by_row["row 3"].message and by_row["row 3"].fix.startswith("write 1113 or 1.113 ")


def test_to_numbers_keeps_other_text_unread():
    """Neither a grouping of threes nor a decimal comma (1,00,000; 12,34.5) is not a number
    and carries no comma reason: it gets the usual 'positive number' message."""
    values, refused = to_numbers(pd.Series(["1,00,000", "12,34.5", "3"]))
    assert values.isna().tolist() == [True, True, False] and refused == {}


# --- areas in the wrong unit ------------------------------------------------------------

GEOMS5 = row({"A1": 2, "A2": 1.5, "A3": 4, "A4": 1, "A5": 3})


def test_gis_layer_in_mu_declared_ha_is_one_warning(tmp_path):
    """Drawn 2, 1.5, 4, 1 and 3 ha (11.5 ha); A1-A3 state 15 times that (30, 22.5, 60: mu
    read as ha), A4 states its 1 ha, A5 3.6 ha (+20%). 3 of 5 fit the mu factor: one
    warning naming parcels.area_unit: mu with the totals, 30 + 22.5 + 60 + 1 + 3.6 = 117.1
    ha stated against 11.5 ha drawn; A1-A3 are not listed one by one, A5 still is."""
    stated = {"A1": 30, "A2": 22.5, "A3": 60, "A4": 1, "A5": 3.6}
    parcels = [P(k, "grassland", v) for k, v in stated.items()]
    li = planner.load_instance(write_geo_instance(tmp_path, parcels, GEOMS5))
    unit = [w for w in li.warnings if w.field == "parcels.area_unit"]
    assert len(unit) == 1
    assert "3 of 5 parcels are 15 times" in unit[0].message
    assert "117.1 ha as stated against 11.5 ha drawn" in unit[0].message
    assert unit[0].fix.startswith("set parcels.area_unit: mu")
    others = [w for w in li.warnings if w.field != "parcels.area_unit"]
    assert [w.field.split(", ")[0] for w in others] == ["feature 5 (parcel 'A5')"]


def test_gis_layer_in_m2_declared_ha(tmp_path):
    """Every parcel states 10,000 times its drawn area (m2 read as ha): one warning naming
    m2; the 40,000 ha parcel A3 (over 10,000 ha) gets no warning of its own."""
    drawn = {"A1": 2, "A2": 1.5, "A3": 4, "A4": 1, "A5": 3}
    parcels = [P(k, "grassland", v * 10_000) for k, v in drawn.items()]
    li = planner.load_instance(write_geo_instance(tmp_path, parcels, GEOMS5))
    assert [w.field for w in li.warnings] == ["parcels.area_unit"]
    assert "5 of 5 parcels are 10,000 times" in li.warnings[0].message
    assert "parcels.area_unit: m2" in li.warnings[0].fix


def test_half_the_parcels_is_not_the_table(tmp_path):
    """A1 and A2 of four state 15 times their area, A3 and A4 match: 2 of 4 is not more
    than half, so no unit warning; A1 and A2 are listed one by one."""
    geoms = row({"A1": 2, "A2": 1.5, "A3": 4, "A4": 1})
    parcels = [P("A1", "grassland", 30), P("A2", "grassland", 22.5), P("A3", "grassland", 4), P("A4", "grassland", 1)]
    li = planner.load_instance(write_geo_instance(tmp_path, parcels, geoms))
    assert [w.field.split(", ")[0] for w in li.warnings] == ["feature 1 (parcel 'A1')", "feature 2 (parcel 'A2')"]


def test_many_huge_parcels_are_one_warning(build):
    """A table in m2 declared ha: five parcels of 20,000-60,000 'ha' (2-6 ha in m2), all
    over 10,000 ha: one warning for the table with their total, 200,000 ha, not five."""
    li = build([P(f"A{k}", "grassland", k * 10_000 + 10_000) for k in range(1, 6)])
    assert len(li.warnings) == 1
    w = li.warnings[0]
    assert w.field == "column area" and "5 of 5 parcels are larger than 10,000 ha" in w.message
    assert "together 200,000 ha" in w.message and "mu (15 mu = 1 ha) or m2" in w.fix


def test_one_parcel_entered_in_mu_is_named(build):
    """Forest parcels of village a: 50, 40, 60, 45, 55 ha and A6 750 ha (50 ha entered in
    mu). The others' median is 50 and their largest 60: 750 = 15 x 50 >= 10 x 50 and
    750 = 12.5 x 60 >= 3 x 60, so A6 is named; the others are not."""
    areas = [50, 40, 60, 45, 55, 750]
    li = build([P(f"A{k + 1}", "forest", a) for k, a in enumerate(areas)])
    [w] = li.warnings
    assert w.field == "row 7 (parcel 'A6'), column area"
    assert w.message == (
        "750 ha: 15 times the median forest parcel of village 'a' (50 ha) and 12.5 times the next largest (60 ha); "
        "entered in mu (15 mu = 1 ha)?"
    )


def test_a_large_parcel_close_to_the_next_is_quiet(build):
    """Forest 50, 40, 60, 45, 55, 200 and 550 ha: 550 is 10.5 times the others' median
    (52.5) but only 2.75 times the next largest (200), below the gap of 3: a skewed group,
    not a slip; no warning."""
    li = build([P(f"A{k + 1}", "forest", a) for k, a in enumerate([50, 40, 60, 45, 55, 200, 550])])
    assert li.warnings == []


def test_outlier_in_a_small_village_is_compared_with_the_township(build):
    """Village b has two forest parcels (48 and B2 720 ha), too few to compare; the
    township's other forest parcels are 50, 40, 60, 45, 55, 48 (median 49, largest 60), and
    720 >= 10 x 49 and >= 3 x 60: B2 is named against the township."""
    parcels = [P(f"A{k + 1}", "forest", a) for k, a in enumerate([50, 40, 60, 45, 55])]
    parcels += [P("B1", "forest", 48, village="b"), P("B2", "forest", 720, village="b")]
    [w] = build(parcels).warnings
    assert w.field == "row 8 (parcel 'B2'), column area"
    assert "15 times the median forest parcel of the township (49 ha)" in w.message


def test_outlier_message_in_mu_asks_about_m2(build):
    """The same group in a table in mu (750 mu and the rest): the slip asked about is m2."""
    areas = [50, 40, 60, 45, 55, 750]
    [w] = build([P(f"A{k + 1}", "forest", a) for k, a in enumerate(areas)], area_unit="mu").warnings
    assert w.message.startswith("750 mu: 15 times") and w.message.endswith("entered in m2 (666.7 m2 = 1 mu)?")
