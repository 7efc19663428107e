"""Model data: the validated instance turned into the index sets and per-hectare
coefficients the rule families use. Pure pandas; no Pyomo here.

Money inside the model is in million Yuan (``MONEY``) so coefficients sit near 1
(solver-notes: raw Yuan slowed HiGHS's LP more than tenfold); everything reported to
the user is converted back to Yuan.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from planner.core.units import MU_PER_HA
from planner.instance.adjacency import arcs_within, bridge_gaps, carbon_holdings
from planner.instance.decisions import named_in_instance
from planner.instance.load import LoadedInstance
from planner.instance.quantities import cover_values
from planner.instance.schema import GARDEN_KINDS, UseKind
from planner.model.aggregate import Aggregation, aggregate, identity_needed, no_aggregation


@dataclass(frozen=True)
class ModelData:
    """The model's data. ``aggregate`` (default): interchangeable parcels are merged into
    land units (:mod:`planner.model.aggregate`; the optimum is unchanged and plans are split back
    per parcel); ``keep``: parcel ids that must stay their own unit."""

    li: LoadedInstance
    aggregate: bool = True
    keep: frozenset = frozenset()

    # ---- basic sets -------------------------------------------------------
    @property
    def inst(self):
        return self.li.instance

    @property
    def lib(self):
        return self.li.library

    @cached_property
    def periods(self) -> list[str]:
        return [p.id for p in self.inst.periods]

    @cached_property
    def period(self) -> dict:
        return {p.id: p for p in self.inst.periods}

    @cached_property
    def prev(self) -> dict[str, str | None]:
        return {t: (self.periods[i - 1] if i else None) for i, t in enumerate(self.periods)}

    @property
    def last(self) -> str:
        return self.periods[-1]

    @cached_property
    def villages(self) -> list[str]:
        return [v.id for v in self.inst.villages]

    @cached_property
    def town(self) -> str | None:
        return next((v.id for v in self.inst.villages if v.is_town), None)

    @cached_property
    def garden_villages(self) -> list[str]:
        """Villages (not the central town) that can host a garden."""
        have = set(self.pu.loc[self.pu["kind"].isin(GARDEN_KINDS), "village"])
        return [v for v in self.villages if v != self.town and (v in have or self.inst.policies.one_garden_per_village)]

    @cached_property
    def land(self) -> Aggregation:
        """The land units the model decides on (parcels, or merged parcels)."""
        pr = self.li.parcels
        if not self.aggregate:
            return no_aggregation(pr)
        pol = self.inst.policies
        scenic = {c for u in self.lib.uses.values() if u.kind == UseKind.scenic_fruit for c in u.from_covers}
        return aggregate(
            pr,
            identity_needed(
                pr, scenic, pol.individual_carbon_min_ha, self.keep | self._contiguity_keep | named_in_instance(self.li)
            ),
        )

    # ---- contiguity (parcel geometry) ---------------------------------------
    @cached_property
    def _contiguity_keep(self) -> frozenset:
        """Parcels a contiguity rule looks at one by one: they are not merged into land units."""
        if self.li.adjacency is None:
            return frozenset()
        pr = self.li.parcels
        keep: set[str] = set()
        pol = self.inst.policies
        if pol.contiguous_gardens:
            enabled = self.inst.uses
            covers = {
                c
                for u, use in self.lib.uses.items()
                if use.kind.value in GARDEN_KINDS and (enabled.get(u) is None or enabled[u].enabled)
                for c in use.from_covers
            }
            keep |= set(pr.loc[pr["cover"].isin(covers) & (pr["village"] != self.town), "id"])
        if pol.contiguous_holdings:
            keep |= {p for ps in self._raw_holdings.values() for p in ps}
        return frozenset(keep)

    @cached_property
    def _raw_holdings(self) -> dict[str, list[str]]:

        return carbon_holdings(self.li) if self.inst.policies.contiguous_holdings else {}

    @cached_property
    def holdings(self) -> dict[str, list[str]]:
        """Villagers' holdings of adjacent parcels that can carry a carbon forest and are
        together at least ``individual_carbon_min_ha``: one site for the individual application."""
        area = self.li.parcels.set_index("id")["area_ha"]
        carbon = set(self.pu.loc[self.pu["forestry_carbon"], "parcel"])
        out = {}
        for h, ps in self._raw_holdings.items():
            ps = [p for p in ps if p in carbon]
            if len(ps) > 1 and float(area[ps].sum()) >= self.inst.policies.individual_carbon_min_ha:
                out[h] = ps
        return out

    @cached_property
    def carbon_sites(self) -> dict[str, list[str]]:
        """Where a villager may apply individually: each holding, and each other individually
        owned parcel of at least ``individual_carbon_min_ha``; {site: parcels}. A single
        parcel's site is named after the parcel."""
        held = {p for ps in self.holdings.values() for p in ps}
        sites = {p: [p] for p in self.individual_carbon_parcels if p not in held}
        clash = set(sites) & set(self.holdings)
        sites.update({(f"holding {h}" if h in clash else h): ps for h, ps in self.holdings.items()})
        return sites

    @cached_property
    def garden_sites(self) -> dict[str, tuple[list[str], list[tuple[str, str]]]]:
        """Per garden village, the parcels a garden can use and the adjacency arcs between
        them (only with parcel geometry and ``contiguous_gardens``)."""

        if self.li.adjacency is None or not self.inst.policies.contiguous_gardens:
            return {}
        gard = self.pu[self.pu["kind"].isin(GARDEN_KINDS)]
        out = {}
        for v, g in gard.groupby("village", sort=False):
            if v in self.garden_villages:
                nodes = list(dict.fromkeys(g["parcel"].tolist()))
                out[v] = (nodes, arcs_within(nodes, self.li.adjacency))
        return out

    @cached_property
    def garden_bridges(self) -> pd.DataFrame:
        """Where a garden site can continue through a parcel from one neighbour to another,
        and how far it must reach across it (:func:`bridge_gaps`): columns ``village``,
        ``parcel``, ``a``, ``b``, ``gap_m``; empty without garden sites or with
        ``garden_bridge_width_ratio`` 0."""
        cols = ["village", "parcel", "a", "b", "gap_m"]
        if not self.garden_sites or self.inst.policies.garden_bridge_width_ratio <= 0:
            return pd.DataFrame(columns=cols)
        tol = self.inst.parcels.adjacency_tolerance_m
        frames = [
            bridge_gaps(self.li.geometry, arcs, tol).assign(village=v) for v, (_, arcs) in self.garden_sites.items()
        ]
        return pd.concat(frames, ignore_index=True)[cols] if frames else pd.DataFrame(columns=cols)

    @cached_property
    def parcels(self) -> pd.DataFrame:
        """The land units with their per-hectare coefficients, indexed by id."""
        df = self.land.units.copy()
        covers = self.lib.covers
        df["gep_per_ha"] = df["cover"].map(lambda c: self.gep_per_ha_of(c, "cover"))
        own = cover_values(df, self.lib)  # per-parcel quantities (parcels.quantities) replace the cover's
        if own is not None:
            mult = df["cover"].map(lambda c: self.inst.prices.gep_multipliers.get(c, 1.0))
            df["gep_per_ha"] = own.sum(axis=1) * self.gep_equiv_yuan() * mult
        for attr in (
            "vegetation_cover",
            "ecological_space",
            "agricultural_carbon",
            "income_yuan_per_ha_yr",
            "subsidy_yuan_per_ha_yr",
        ):
            df[attr] = df["cover"].map(lambda c, a=attr: getattr(covers[c], a))
        df["is_forest"] = df["cover"].map(
            lambda c: covers[c].forest and covers[c].canopy_density >= self.inst.policies.forest_canopy_min
        )
        df["protected_farmland"] = df["cover"].isin(self.inst.policies.protected_farmland_covers)
        return df.set_index("id", drop=False)

    @cached_property
    def total_area(self) -> float:
        return float(self.parcels["area_ha"].sum())

    # ---- coefficients -----------------------------------------------------
    def gep_equiv_yuan(self) -> float:
        return self.lib.standard_equivalent_yuan_per_ha * self.lib.regional_scale * self.inst.prices.gep_scale

    def gep_per_ha_of(self, key: str, group: str) -> float:
        """Yuan/ha/yr of a cover or use at price index 1."""
        obj = self.lib.covers[key] if group == "cover" else self.lib.uses[key]
        mult = self.inst.prices.gep_multipliers.get(key, 1.0)
        return sum(obj.equivalents.values()) * self.gep_equiv_yuan() * mult

    def gep_by_service(self, key: str, group: str) -> dict[str, float]:
        obj = self.lib.covers[key] if group == "cover" else self.lib.uses[key]
        mult = self.inst.prices.gep_multipliers.get(key, 1.0)
        return {s: e * self.gep_equiv_yuan() * mult for s, e in obj.equivalents.items()}

    @property
    def forestry_carbon_yuan_per_ha(self) -> float:
        m = self.lib.carbon_methods["forestry"]
        return m.t_per_mu_per_yr * MU_PER_HA * self.inst.prices.forestry_carbon_yuan_per_t

    @property
    def agricultural_carbon_yuan_per_ha(self) -> float:
        m = self.lib.carbon_methods["agricultural"]
        p = self.inst.prices
        return m.t_per_mu_per_yr * MU_PER_HA * p.agricultural_carbon_yuan_per_t * p.agricultural_carbon_participation

    # ---- parcel x use pairs ------------------------------------------------
    @cached_property
    def pu(self) -> pd.DataFrame:
        """Every (parcel, use) pair the use can physically be established on."""
        rows = []
        pol = self.inst.uses
        pr = self.land.units
        for u, use in self.lib.uses.items():
            up = pol.get(u)
            if up is not None and not up.enabled:
                continue
            sel = pr[pr["cover"].isin(use.from_covers)]
            if sel.empty:
                continue
            part = sel[["id", "village", "area_ha", "cover", "red_line", "eco_space", "ownership"]].copy()
            part["use"] = u
            rows.append(part)
        if not rows:  # no use can be established anywhere: an empty frame with every column
            part = pr[["id", "village", "area_ha", "cover", "red_line", "eco_space", "ownership"]].iloc[0:0].copy()
            part["use"] = pd.Series(dtype=str)
            rows = [part]
        df = pd.concat(rows, ignore_index=True).rename(columns={"id": "parcel"})
        uses = self.lib.uses
        cm = self.inst.prices.establishment_cost_multiplier
        df["kind"] = df["use"].map(lambda u: uses[u].kind.value).astype(object)
        df["gep_per_ha"] = df["use"].map(lambda u: self.gep_per_ha_of(u, "use"))
        df["cost_per_ha"] = df["use"].map(lambda u: uses[u].establishment_cost_yuan_per_ha * cm)
        for attr, typ in (
            ("vegetation_cover", float),
            ("ecological_space", bool),
            ("income_yuan_per_ha_yr", float),
            ("subsidy_yuan_per_ha_yr", float),
            ("forestry_carbon", bool),
            ("agricultural_carbon", bool),
        ):
            df[attr] = df["use"].map(lambda u, a=attr: getattr(uses[u], a)).astype(typ)
        df["gep_per_ha"] = df["gep_per_ha"].astype(float)
        df["cost_per_ha"] = df["cost_per_ha"].astype(float)
        df["is_forest"] = (
            df["use"]
            .map(lambda u: uses[u].forest and uses[u].canopy_density >= self.inst.policies.forest_canopy_min)
            .astype(bool)
        )
        # only a stand that counts as forest (canopy density >= the minimum) can be a carbon-sequestration forest
        df["forestry_carbon"] = df["forestry_carbon"] & df["is_forest"]
        df["cover_ecological_space"] = df["cover"].map(lambda c: self.lib.covers[c].ecological_space).astype(bool)
        # street green only in the central town; gardens not in the town
        is_town = df["village"] == self.town
        df = df[~((df["kind"] == UseKind.street_green.value) & ~is_town)]
        df = df[~(df["kind"].isin(GARDEN_KINDS) & (df["village"] == self.town))]
        return df.reset_index(drop=True)

    def pu_column(self, name: str) -> pd.Series:
        """A text column of ``pu`` as a categorical (fast to compare and filter)."""
        cache = self.__dict__.setdefault("_pu_cat", {})
        if name not in cache:
            cache[name] = self.pu[name].astype("category")
        return cache[name]

    @cached_property
    def pu_keys(self) -> list[tuple[str, str]]:
        return list(zip(self.pu["parcel"], self.pu["use"]))

    @cached_property
    def scenic_parcels(self) -> list[str]:
        return sorted(set(self.pu.loc[self.pu["kind"] == UseKind.scenic_fruit.value, "parcel"]))

    @cached_property
    def individual_carbon_parcels(self) -> list[str]:
        """Individually owned parcels large enough for an individual carbon application."""
        pu = self.pu
        sel = pu[
            pu["forestry_carbon"]
            & (pu["ownership"] == "individual")
            & (pu["parcel"].map(self.parcels["parcel_max_ha"]) >= self.inst.policies.individual_carbon_min_ha)
            & (pu["parcel"].map(self.parcels["n_parcels"]) == 1)
        ]
        return sorted(set(sel["parcel"]))

    def role_periods(self, role) -> list[str]:
        return role.periods if role.periods is not None else self.periods
