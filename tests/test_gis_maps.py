"""The report's maps (planner.report.maps): drawn for an instance with parcel geometry, in
report.md and report.html like the other charts; absent for a CSV instance; a map that
fails to draw costs only itself."""

from __future__ import annotations

from pathlib import Path

import pytest
from geohelpers import write_tiny_geo

import planner  # noqa: E402
from planner.core.labels import term  # noqa: E402
from planner.core.paths import bundled_dir  # noqa: E402
from planner.report import (  # noqa: E402
    MAP_FIGURES,
    maps,  # noqa: E402
    write_report,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def li(tmp_path_factory):
    return planner.load_instance(write_tiny_geo(tmp_path_factory.mktemp("tiny_geo")))


@pytest.fixture(scope="module")
def plan(li):
    p = planner.solve(li)
    assert p.status == "optimal"
    return p


def _check_maps(out: Path, md: str, html: str) -> None:
    for key in MAP_FIGURES:
        png = out / "figures" / f"{key}.png"
        assert png.read_bytes()[:8] == PNG_MAGIC
        assert png.stat().st_size > 15_000, (key, png.stat().st_size)  # a drawn map, not an empty frame
        assert f"](figures/{key}.png)" in md
        assert f'id="fig-{key}"' in html
    assert "### Maps" in md and "could not be drawn" not in md


def test_report_of_a_geometry_instance_has_both_maps(plan, li, tmp_path):
    md, html = (p.read_text(encoding="utf-8") for p in write_report(plan, tmp_path, instance=li))
    _check_maps(tmp_path, md, html)
    assert "at 2035 prices" in md  # the GEP map says which change it shows


def test_planner_report_reloads_the_geometry_from_the_saved_plan(plan, tmp_path):
    """`planner report DIR` reloads the instance from the plan's recorded path: the maps come too."""
    plan.write(tmp_path)
    md, html = (p.read_text(encoding="utf-8") for p in write_report(tmp_path, tmp_path))
    _check_maps(tmp_path, md, html)


def test_report_of_a_csv_instance_has_no_maps(tmp_path):
    li = planner.load_instance(bundled_dir("instances") / "tiny.yaml")
    plan = planner.solve(li)
    fig = tmp_path / "figures"
    fig.mkdir()
    for key in MAP_FIGURES:  # a stale map from an earlier report must not survive
        (fig / f"{key}.png").write_bytes(PNG_MAGIC)
    md, html = (p.read_text(encoding="utf-8") for p in write_report(plan, tmp_path, instance=li))
    for key in MAP_FIGURES:
        assert not (fig / f"{key}.png").exists()
        assert key not in md and key not in html
    assert "Maps" not in md
    assert (fig / "area_by_village_use.png").exists()  # the ordinary charts are still there


def test_a_map_that_fails_costs_only_itself(plan, li, tmp_path, monkeypatch):
    def boom(*a, **k):
        raise RuntimeError("no map today")

    monkeypatch.setattr(maps, "use_map", boom)
    md = write_report(plan, tmp_path, instance=li)[0].read_text(encoding="utf-8")
    assert "Map map_new_use could not be drawn: RuntimeError: no map today" in md
    assert "](figures/map_gep_change.png)" in md and "](figures/area_by_village_use.png)" in md


def test_use_map_legend_names_the_dominant_uses(plan, li):
    fig, caption = maps.use_map(plan, li)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    alloc = plan.allocations.astype({"period": str})
    last = alloc[alloc["period"] == "2035"].groupby(["parcel", "use"])["area_ha"].sum()
    top = last.reset_index().sort_values(["area_ha", "use"], ascending=[False, True]).drop_duplicates("parcel")["use"]
    for use in set(top):  # named by the registry's label, not the id
        assert any(lab.startswith(f"{term('use', use)} (") for lab in labels), (use, labels)
    assert any(lab.startswith("Unchanged") for lab in labels) and "Village boundary" in labels
    assert "2035" in caption


def test_gep_map_colours_follow_the_change(plan, li):
    """The village with the larger GEP change gets the darker green; the colour bar spans the changes."""
    from matplotlib.colors import to_rgb

    from planner.report.gpkg import village_figures

    fig, _ = maps.gep_change_map(plan, li)
    vf = village_figures(plan, li)["gep_change_2025_to_2035_at_2035_prices_yuan_per_yr"]
    ax, cax = fig.axes[0], fig.axes[1]
    faces = [to_rgb(c) for c in ax.collections[0].get_facecolors()]
    order = sorted(vf.index)  # dissolve sorts the villages by id
    lum = {v: sum(faces[i]) for i, v in enumerate(order)}
    hi, lo = vf.idxmax(), vf.idxmin()
    if vf[hi] > vf[lo]:
        assert lum[hi] < lum[lo]
    assert cax.get_ylim()[1] == pytest.approx(max(vf.max(), 0.0), rel=1e-9)


def test_a_use_keeps_its_colour_whatever_its_rank(plan, li):
    """Colours follow the library's order of uses, not the plan's ranking by area: the
    legend's patch for each use has the colour of that use's place in the library."""
    from matplotlib.colors import to_hex

    from planner.report.outlines import use_colors

    fig, _ = maps.use_map(plan, li)
    fixed = {term("use", u): c for u, c in use_colors(list(li.library.uses)).items()}
    legend = fig.legends[0] if fig.legends else fig.axes[0].get_legend()
    shown = {
        t.get_text().split(" (")[0]: to_hex(h.get_facecolor())
        for t, h in zip(legend.get_texts(), legend.legend_handles)
        if t.get_text().split(" (")[0] in fixed
    }
    assert len(shown) >= 2, shown  # the plan takes several new uses
    assert shown == {u: fixed[u] for u in shown}


def test_village_outlines_fill_slivers_and_keep_real_holes():
    """Village a: a 100 m square with a 0.2 m x 0.2 m gap (0.04 m2) where its parcels do
    not meet, and a 30 m x 30 m enclave (900 m2) of village b. The gap is filled; the
    enclave stays a hole of 900 m2."""
    import geopandas as gpd
    import shapely

    from planner.report.outlines import village_outlines

    outer = shapely.box(0, 0, 100, 100)
    gap = shapely.box(10, 10, 10.2, 10.2)
    enclave = shapely.box(50, 50, 80, 80)
    left = shapely.box(0, 0, 10, 100).union(shapely.box(0, 0, 100, 10)).difference(gap)
    right = outer.difference(shapely.box(0, 0, 10, 100)).difference(shapely.box(0, 0, 100, 10))
    right = right.difference(enclave).difference(gap)
    parcels = gpd.GeoDataFrame({"village": ["a", "a", "b"]}, geometry=[left, right, enclave], crs="EPSG:4546")
    out = village_outlines(parcels)
    holes = [shapely.Polygon(r).area for r in out.loc["a", "geometry"].interiors]
    assert holes == [pytest.approx(900.0)]
    assert out.loc["a", "geometry"].area == pytest.approx(100 * 100 - 900)


def test_village_outlines_close_notches_and_work_in_degrees():
    """Village a: two 50 m x 100 m parcels with a 0.1 m gap between them running the whole
    height (a notch open at both ends, not a hole: filling holes alone would leave the
    outline in two pieces). Closed, the outline is one 100.1 m x 100 m rectangle
    (10,010 m2) with four corners. The same layer in EPSG:4490 degrees: one polygon too."""
    import geopandas as gpd
    import shapely

    from planner.report.outlines import village_outlines

    x, y = 500_000, 4_430_000
    geoms = [shapely.box(x, y, x + 50, y + 100), shapely.box(x + 50.1, y, x + 100.1, y + 100)]
    parcels = gpd.GeoDataFrame({"village": ["a", "a"]}, geometry=geoms, crs="EPSG:4546")
    out = village_outlines(parcels).loc["a", "geometry"]
    assert out.geom_type == "Polygon" and not list(out.interiors)
    assert out.area == pytest.approx(100.1 * 100, abs=1e-6)
    assert len(shapely.get_coordinates(shapely.simplify(out.exterior, 0.001))) == 5  # a closed ring of 4 corners
    deg = village_outlines(parcels.to_crs("EPSG:4490"))
    assert deg.crs == "EPSG:4490" and deg.loc["a", "geometry"].geom_type == "Polygon"


def _with_strip(plan, parcel: str, use: str, ha: float):
    """``plan`` with ``ha`` hectares of ``use`` added on ``parcel`` in 2035."""
    import dataclasses

    import pandas as pd

    a = plan.allocations
    extra = pd.DataFrame(
        [{"village": "east", "parcel": parcel, "cover": "x", "use": use, "kind": "x", "period": "2035", "area_ha": ha}]
    )
    return dataclasses.replace(plan, tables={**plan.tables, "allocations": pd.concat([a, extra], ignore_index=True)})


def test_a_small_strip_does_not_paint_its_parcel(plan, li):
    """E3 (5 ha, unchanged in the plan) gets a 0.1 ha garden strip: its main new use is
    then the garden, but only 0.1 / 5 = 2% of it changes, so it is drawn as the grey of
    unchanged land mixed with 2% of the garden colour, not in the garden colour; E1 (10 ha,
    all ecological forest) keeps the full colour of its use. The legend's hectares are
    the hectares in each use (the allocations summed), E3's 0.1 ha of garden included, not
    the areas of the parcels each use dominates."""
    import re

    from matplotlib.colors import to_rgb

    from planner.report.outlines import UNCHANGED_COLOR, mix, use_colors

    strip = _with_strip(plan, "E3", "garden_shrub", 0.1)
    fig, _ = maps.use_map(strip, li)
    ax = fig.axes[0]
    faces = ax.collections[0].get_facecolors()[:, :3]
    ids = li.parcels["id"].astype(str).tolist()
    colors = use_colors(list(li.library.uses))
    e3 = faces[ids.index("E3")]
    assert e3 == pytest.approx(mix(colors["garden_shrub"], 0.02), abs=1e-6)
    assert max(abs(x - y) for x, y in zip(e3, to_rgb(colors["garden_shrub"]))) > 0.3  # far from the full colour
    assert max(abs(x - y) for x, y in zip(e3, to_rgb(UNCHANGED_COLOR))) < 0.02  # close to unchanged grey
    assert faces[ids.index("E1")] == pytest.approx(to_rgb(colors["ecological_forest"]), abs=1e-6)

    alloc = strip.allocations.astype({"period": str})
    want = alloc[alloc["period"] == "2035"].groupby("use")["area_ha"].sum()
    shown = {}
    for t in ax.get_legend().get_texts():
        m = re.fullmatch(r"(.+) \(([\d,.]+) ha\)", t.get_text())
        if m:
            shown[m.group(1)] = float(m.group(2).replace(",", ""))
    for use, ha in want.items():
        assert shown[term("use", use)] == pytest.approx(round(ha, 1), abs=1e-9), use
    area = li.parcels["area_ha"].sum()
    assert shown["Unchanged: keeps its cover"] == pytest.approx(round(area - want.sum(), 1), abs=1e-9)


def test_use_map_in_chinese(plan, li):
    fig, _ = maps.use_map(plan, li, lang="zh")
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert any(lab.startswith("生态林（") and lab.endswith("公顷）") for lab in labels) and "村界" in labels
    assert fig.axes[0].get_legend().get_title().get_text() == "新用途（该用途面积）"


def test_use_map_hatches_the_gardens_at_their_area(plan, li):
    """The gardens are drawn on the use map as hatched shapes of the plan's garden hectares
    (not the parcels they touch), and the legend gives those hectares."""
    from planner.model.data import GARDEN_KINDS
    from planner.report.gpkg import garden_shapes

    fig, caption = maps.use_map(plan, li)
    alloc = plan.allocations.astype({"period": str})
    g = alloc[(alloc["period"] == "2035") & alloc["kind"].isin(GARDEN_KINDS)]
    assert len(g)
    want = float(g["area_ha"].sum())
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert f"Village gardens, drawn at their area ({want:,.1f} ha)" in labels
    shapes = garden_shapes(plan, li, "2035")
    assert set(shapes) == set(g["village"])
    drawn = sum(s.area for s in shapes.values()) / 1e4
    assert drawn == pytest.approx(want, rel=2e-3)
    hatched = [c for c in fig.axes[0].collections if c.get_hatch() == "////"]
    assert len(hatched) == 1 and len(hatched[0].get_paths()) >= len(shapes)
    assert "drawn at their area" in caption
