"""Coverage (family ``coverage``): vegetation and forest coverage of all land at least
their targets in every period; the coverage KPIs (vegetation and forest coverage, forest,
ecological space and afforested hectares) as the allocations give them (rule ``kpis``)."""

from __future__ import annotations

from planner.verify.context import AREA_TOL, Context, Report, close, eco_area


def check(c: Context, rep: Report) -> None:
    pol = c.inst.policies
    rep.check("coverage")
    veg_c = c.pcoef("vegetation_cover", lambda x: c.lib.covers[x].vegetation_cover)
    forest_c = c.pcoef("forest", c.is_forest_cover)
    for t in c.periods:
        used = c.used(t)
        remain = c.par["area_ha"] - used
        at = c.at(t)
        veg = float(
            (remain * veg_c).sum()
            + (at["area_ha"] * c.ucoef(at, "vegetation_cover", lambda u: c.lib.uses[u].vegetation_cover)).sum()
        )
        forest = float((remain * forest_c).sum() + (at["area_ha"] * c.ucoef(at, "forest", c.is_forest_use)).sum())
        if pol.vegetation_coverage_min is not None and veg < pol.vegetation_coverage_min * c.total - AREA_TOL:
            rep.bad("coverage", t, "vegetation coverage below target", veg / c.total, pol.vegetation_coverage_min)
        if pol.forest_coverage_min is not None and forest < pol.forest_coverage_min * c.total - AREA_TOL:
            rep.bad("coverage", t, "forest coverage below target", forest / c.total, pol.forest_coverage_min)
        eco = eco_area(c, t)
        afforested = float(at.loc[at["kind"] == "forest", "area_ha"].sum())
        k = c.tables.get("kpis")
        if k is not None and not k.empty:
            row = k[k["period"] == t]
            for name, val, tol in (
                ("vegetation_coverage", veg / c.total, 1e-7),
                ("forest_coverage", forest / c.total, 1e-7),
                ("forest_ha", forest, 1e-4),
                ("ecological_space_ha", eco, 1e-4),
                ("afforested_ha", afforested, 1e-4),
            ):
                if name in row.columns and not row.empty and not close(float(row[name].iloc[0]), val, 1e-6, tol):
                    rep.bad(
                        "kpis",
                        f"{name}, {t}",
                        "reported KPI does not match the allocations",
                        float(row[name].iloc[0]),
                        val,
                    )
