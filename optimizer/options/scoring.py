"""Scoring zone–option rows: the cited models of :mod:`optimizer.models`, chained over arrays.

Rows are gathered into a :class:`RowInputs` (zone arrays and combination parameters, one entry per
row) and scored in one pass of array operations (:func:`score_rows`): RUSLE soil loss
(docs/science.md §3), carbon terms and net removals (§2), credits (§5), avoided emissions (§2.6,
§2.7) and cost (§4). Every formula is a model function; this module only picks inputs (catalog
parameters, settings, the zone's and the option's arrays) and hands results on.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from ..catalog import Catalog
from ..models import carbon, cost, credits, erosion
from ..settings import Settings
from .combos import ComboParams, Combos
from .feasibility import suitability_slope

#: Per-zone metrics of the option table, one array each over the rows (see ``OptionTable.data``).
COLUMNS = ("area_ha", "removals_tco2e", "avoided_tco2e", "credits_tco2e", "credit_value_cny", "cost_cny",
           "capex_cny", "soil_loss_t_per_yr", "soil_loss_first_year_t", "topsoil_m3", "gangue_m3",
           "within_tolerance")

M2_PER_HA = 1.0e4                 # m² per ha
MIN_SLOPE_LENGTH_M = 0.1          # RUSLE needs λ > 0; zones off slopes may give 0
TOLERANCE_SLACK_T_PER_HA_YR = 1e-12   # a loss equal to its bound is within it


@dataclass(frozen=True)
class ZoneArrays:
    """Per-zone model inputs, with defaults for missing values (each (n_zones,) or gathered (n,))."""

    area_ha: np.ndarray
    zone_type: np.ndarray             # str
    slope_deg: np.ndarray             # suitability slope, defaults filled in
    slope_length_m: np.ndarray        # horizontal λ, the catalog default where missing
    soil_depth_cm: np.ndarray
    water_depth_m: np.ndarray         # 0 where missing
    burning: np.ndarray               # str: none, low, medium, high

    def take(self, z: np.ndarray) -> ZoneArrays:
        """The arrays of zones ``z`` (one per row)."""
        return ZoneArrays(**{f.name: getattr(self, f.name)[z] for f in fields(self)})


@dataclass(frozen=True)
class RowInputs:
    """Everything the models need for a set of rows: the zone's inputs, the option's, which
    carbon pools are credited ((n, 4) bool over :data:`optimizer.models.credits.POOLS`), and the
    net-crediting inputs (docs/science.md §5.5): the zone's no-works baseline of the credited pools
    ((n, T) t CO2e/yr, None: none) and the leakage share ((n,), None: none)."""

    zone: ZoneArrays
    option: ComboParams
    credited: np.ndarray
    baseline_tco2e: np.ndarray | None = None
    leakage_fraction: np.ndarray | None = None


def zone_arrays(zones: pd.DataFrame, catalog: Catalog) -> ZoneArrays:
    """Per-zone model inputs as arrays, computed once per table."""
    return ZoneArrays(
        area_ha=zones["area_ha"].to_numpy(dtype=float),
        zone_type=zones["zone_type"].astype(str).to_numpy(),
        slope_deg=suitability_slope(zones, catalog),
        slope_length_m=np.nan_to_num(zones["slope_length_m"].to_numpy(dtype=float),
                                     nan=catalog.param("default_slope_length_m")),
        soil_depth_cm=zones["soil_depth_cm"].to_numpy(dtype=float),
        water_depth_m=np.nan_to_num(zones["water_depth_m"].to_numpy(dtype=float), nan=0.0),
        burning=zones["burning"].astype(str).to_numpy(),
    )


def row_inputs(zones: ZoneArrays, z: np.ndarray, c: np.ndarray, combos: Combos, credited: np.ndarray,
               baseline_tco2e: np.ndarray | None = None, leakage_fraction: np.ndarray | None = None) -> RowInputs:
    """Model inputs of rows (zone index ``z``, combination ``c``)."""
    return RowInputs(zone=zones.take(z), option=combos.params.take(c), credited=credited,
                     baseline_tco2e=baseline_tco2e, leakage_fraction=leakage_fraction)


def score_rows(x: RowInputs, s: Settings, cat: Catalog, series: bool = False) -> dict:
    """Score rows: per-zone totals over the horizon, one array per name of :data:`COLUMNS`.

    With ``series``, also ``"series"``: the annual series of ``OptionTable.annual``.
    """
    t = s.years.astype(float)                      # (T,)
    d = s.discount_factors()                        # (T,)
    z, o = x.zone, x.option
    pool = z.zone_type == "subsidence_pool"
    water = pool & ~o.backfill                      # still water after the works
    backfill_m3_per_ha = _backfill_m3_per_ha(x)

    soil_loss = _soil_loss_t_per_ha_yr(x, s, cat, t, pool, water)
    terms = _removal_terms(x, s, cat, t, soil_loss, water, backfill_m3_per_ha)
    net = carbon.net_of_terms(terms)
    factor = credits.credit_factor(s.buffer_fraction,
                                   float(cat.monitoring.at[s.monitoring_level, "uncertainty_deduction"]))
    creditable = credits.net_of_baseline_co2e(credits.credited_net_co2e(x.credited, **terms), x.baseline_tco2e,
                                              x.leakage_fraction)        # project − baseline − leakage (§5.5)
    cred_t, cred_total, value = credits.issued_credits(creditable, factor, s.price_path_cny_per_t(), d)
    avoided_t = _avoided_tco2e(x, s, cat, t)
    capex, npv, topsoil_m3_per_ha = _cost_cny(x, s, cat, d, backfill_m3_per_ha)

    area = z.area_ha
    mean_loss = soil_loss.mean(axis=1)
    out = {
        "area_ha": area,
        "removals_tco2e": net.sum(axis=1),
        "avoided_tco2e": avoided_t.sum(axis=1),
        "credits_tco2e": cred_total,
        "credit_value_cny": value,
        "cost_cny": npv,
        "capex_cny": capex,
        "soil_loss_t_per_yr": mean_loss * area,
        "soil_loss_first_year_t": soil_loss[:, 0] * area,
        "topsoil_m3": topsoil_m3_per_ha * area,
        "gangue_m3": (o.gangue_m3_per_ha + backfill_m3_per_ha) * area,
        "within_tolerance": erosion.within_tolerance(
            soil_loss, s.tolerable_soil_loss_t_per_ha_yr, s.tolerance_rule, s.tolerance_early_years,
            s.tolerance_early_factor, slack=TOLERANCE_SLACK_T_PER_HA_YR),
    }
    if series:
        out["series"] = dict(terms, net_removals_tco2e=net, credits_tco2e=cred_t, soil_loss_t=soil_loss * area[:, None],
                             avoided_tco2e=avoided_t)
    return out


def removal_terms_of_rows(x: RowInputs, s: Settings, cat: Catalog) -> dict:
    """The yearly terms of net removals [t CO2e], (n, T) each, the ``series`` terms of
    :func:`score_rows` alone (no credits, costs or tolerance): what a zone's no-works baseline needs
    (docs/science.md §5.5)."""
    t = s.years.astype(float)
    pool = x.zone.zone_type == "subsidence_pool"
    water = pool & ~x.option.backfill
    backfill_m3_per_ha = _backfill_m3_per_ha(x)
    return _removal_terms(x, s, cat, t, _soil_loss_t_per_ha_yr(x, s, cat, t, pool, water), water, backfill_m3_per_ha)


def removals_of_rows(x: RowInputs, s: Settings, cat: Catalog) -> np.ndarray:
    """Net removals over the horizon [t CO2e] per row, the ``removals_tco2e`` of :func:`score_rows`
    alone, without credits, avoided emissions, costs or the tolerance test: what a scenario of
    removals needs (docs/science.md §7.4).

    The yearly terms of :func:`_removal_terms` telescope over the horizon: biomass adds up to its
    stock in the last year, the SOC term and the erosion term to the pool's change
    ``pool(T) − SOC_0``, biochar and the works' emissions are counted once, the wetland flux T
    times. So only the SOC pool (erosion draws on it year by year) needs the annual series. Equal
    to ``score_rows`` up to the rounding of the sum (tests: relative 1e-9).
    """
    t = s.years.astype(float)
    z, o = x.zone, x.option
    pool_zone = z.zone_type == "subsidence_pool"
    water = pool_zone & ~o.backfill
    backfill_m3_per_ha = _backfill_m3_per_ha(x)
    soil_loss = _soil_loss_t_per_ha_yr(x, s, cat, t, pool_zone, water)
    growth = o.growth_mult * carbon.cover_depth_multiplier(
        z.soil_depth_cm + o.topsoil_cm, cat.param("cover_depth_full_cm"), cat.param("cover_depth_min_multiplier"))
    soc_0 = initial_soc_t_per_ha(z.soil_depth_cm, o.topsoil_cm, s)
    soc_rate = _col(o.soc_rate * o.soc_mult) * carbon.soc_depth_scale(s.soc_depth_cm)
    last = t[-1:]

    def bio_at(tt, r=slice(None)):
        return carbon.biomass_carbon_stock(tt, _col(o.c_max[r]), _col(o.k[r]), _col(o.m[r]), _col(growth[r]))[:, -1]

    def soc_of(tt, r=slice(None)):
        return carbon.soc_accrual(tt, soc_rate[r], _col(o.soc_tau[r]), _col(o.soc_onset_k[r]), _col(o.soc_onset_m[r]))

    bio_end, soc = bio_at(last), soc_of(t)
    dg = np.flatnonzero(o.degrades)
    if len(dg):                                     # as in _removal_terms (Yang et al. 2015), on those rows only
        bio_end[dg] = bio_at(np.minimum(last, carbon.YANG2015_ONSET_YR), dg) * carbon.degradation_factor(last)
        soc[dg] = soc_of(np.minimum(t, carbon.YANG2015_ONSET_YR), dg) * carbon.degradation_factor(
            t, loss_fraction=carbon.YANG2015_SOC_LOSS_FRACTION)
    pool, _ = carbon.soc_pool_with_erosion(soc_0[:, None] + soc, soc_0, soil_loss, s.soc_depth_cm,
                                           s.soil_bulk_density_t_per_m3)
    wet = wetland_co2e_per_ha_yr(x, s, cat, water) * len(t)
    emissions = works_emissions_co2e_per_ha(x, cat, backfill_m3_per_ha)
    return z.area_ha * (carbon.C_TO_CO2 * (bio_end + (pool[:, -1] - soc_0) + o.biochar_c_t_per_ha) + wet - emissions)


def cost_of_rows(x: RowInputs, s: Settings, cat: Catalog) -> tuple[np.ndarray, np.ndarray]:
    """(capex, net present cost) [CNY] of rows, the cost part of :func:`score_rows` alone (no
    carbon or erosion model): what a change of discount rate re-weights (docs/science.md §4)."""
    capex, npv, _ = _cost_cny(x, s, cat, s.discount_factors(), _backfill_m3_per_ha(x))
    return capex, npv


def _backfill_m3_per_ha(x: RowInputs) -> np.ndarray:
    """Gangue backfilled into a subsidence pool [m³/ha]: the water depth × 1 ha."""
    pool = x.zone.zone_type == "subsidence_pool"
    return np.where(x.option.backfill & pool, x.zone.water_depth_m * M2_PER_HA, 0.0)


def _col(a) -> np.ndarray:
    """A per-row array as a column, to broadcast against the years."""
    return np.asarray(a, dtype=float)[:, None]


def _soil_loss_t_per_ha_yr(x: RowInputs, s: Settings, cat: Catalog, t, pool, water) -> np.ndarray:
    """RUSLE soil loss A(t) [t/(ha·yr)], (n, T); none on open water (docs/science.md §3)."""
    ls = ls_of_rows(x, s, cat, pool)
    a_t = erosion.soil_loss(s.rainfall_erosivity_mj_mm_per_ha_h_yr, s.soil_erodibility_t_ha_h_per_ha_mj_mm,
                            _col(ls), cover_factor_series(x.option, t), _col(x.option.p_factor))
    return np.where(water[:, None], 0.0, a_t)


def ls_of_rows(x: RowInputs, s: Settings, cat: Catalog, pool) -> np.ndarray:
    """RUSLE LS [-] per row: of the zone's slope, or the slope after regrading or levelling when
    smaller; a backfilled pool is a platform (docs/science.md §3.4)."""
    z, o = x.zone, x.option
    slope = np.where(np.isnan(o.slope_after), z.slope_deg, np.minimum(z.slope_deg, o.slope_after))
    slope = np.where(pool & o.backfill, cat.param("default_slope_platform_deg"), slope)
    return erosion.ls_factor(slope, np.maximum(z.slope_length_m, MIN_SLOPE_LENGTH_M), method=s.slope_steepness_method)


def cover_factor_series(o: ComboParams, t) -> np.ndarray:
    """RUSLE C [-] of each year's mean cover, held at the cover type's floor; no vegetation: bare,
    C = 1 (docs/science.md §3.5), (n, T) for the n entries of ``o`` (rows or combinations)."""
    return erosion.cover_management_factor_floored(annual_cover_pct(o, t),
                                                   _col(erosion.c_floor_of_vegetation(o.veg_type)))


def initial_soc_t_per_ha(soil_depth_cm, topsoil_cm, s: Settings) -> np.ndarray:
    """SOC at the start on the accounting depth [t C/ha] per row: the measured stock when the
    settings give one, else from the soil over the spoil (the zone's soil plus the cover soil the
    option places) and the soil and spoil concentrations (docs/science.md §2.3)."""
    soil = np.nan_to_num(np.asarray(soil_depth_cm, dtype=float), nan=0.0) + np.asarray(topsoil_cm, dtype=float)
    if s.initial_soc_t_per_ha is not None:
        return np.full(soil.shape, float(s.initial_soc_t_per_ha))
    return carbon.initial_soc_t_per_ha(soil, s.soc_depth_cm, s.soil_soc_g_per_kg, s.spoil_soc_g_per_kg,
                                       s.soil_bulk_density_t_per_m3)


def annual_cover_pct(o: ComboParams, t) -> np.ndarray:
    """Mean vegetation cover [%] of each year t = 1…T (spanning [t − 1, t]), (n, T): from bare
    ground after the works (every option, natural regeneration too: zones carry no existing cover),
    towards the measure's mature cover; an unmaintained grassland (``degrades``) keeps its year-10
    cover and loses it as its biomass does, by Yang et al. 2015's decline (docs/science.md §2.10,
    §3.5)."""
    cover = erosion.year_mean_cover(t, _col(o.cover_max), _col(o.cover_rate))
    if np.any(o.degrades):
        onset = carbon.YANG2015_ONSET_YR
        frozen = erosion.vegetation_cover_series(np.array([onset]), _col(o.cover_max), _col(o.cover_rate))
        # whole years after the onset: the factor is linear within each, so its mean is its midpoint value
        after = np.where(t > onset, frozen * carbon.degradation_factor(t - 0.5), cover)
        cover = np.where(o.degrades[:, None], after, cover)
    return np.clip(cover, 0.0, 100.0)


def _removal_terms(x: RowInputs, s: Settings, cat: Catalog, t, soil_loss, water, backfill_m3_per_ha) -> dict:
    """The terms of net removals per zone and year [t CO2e], (n, T) each (docs/science.md §2)."""
    z, o = x.zone, x.option
    n = len(z.area_ha)
    growth = o.growth_mult * carbon.cover_depth_multiplier(
        z.soil_depth_cm + o.topsoil_cm, cat.param("cover_depth_full_cm"), cat.param("cover_depth_min_multiplier"))
    soc_0 = initial_soc_t_per_ha(z.soil_depth_cm, o.topsoil_cm, s)
    soc_rate = _col(o.soc_rate * o.soc_mult) * carbon.soc_depth_scale(s.soc_depth_cm)

    def stocks(tt):
        b = carbon.biomass_carbon_stock(tt, _col(o.c_max), _col(o.k), _col(o.m), _col(growth))
        return b, carbon.soc_accrual(tt, soc_rate, _col(o.soc_tau), _col(o.soc_onset_k), _col(o.soc_onset_m))

    bio, soc = stocks(t)
    if np.any(o.degrades):
        # Yang et al. 2015's losses are relative to the year-10 stock: freeze growth at onset,
        # then apply the decline (carbon.degradation_factor, docs/science.md §2.10) [B]; linear path [P]
        dg = o.degrades[:, None]
        b_frozen, o_frozen = stocks(np.minimum(t, carbon.YANG2015_ONSET_YR))
        bio = np.where(dg, b_frozen * carbon.degradation_factor(t), bio)
        soc = np.where(dg, o_frozen * carbon.degradation_factor(t, loss_fraction=carbon.YANG2015_SOC_LOSS_FRACTION),
                       soc)
    # the SOC pool, tracked year by year: erosion draws from it and never takes more than it holds
    # (docs/science.md §2.8)
    pool, eroded = carbon.soc_pool_with_erosion(soc_0[:, None] + soc, soc_0, soil_loss, s.soc_depth_cm,
                                                s.soil_bulk_density_t_per_m3)
    biochar = np.zeros((n, len(t)))
    biochar[:, 0] = o.biochar_c_t_per_ha            # counted once, in year 1 (docs/science.md §2.4)

    wet = wetland_co2e_per_ha_yr(x, s, cat, water)[:, None] * np.ones(len(t))
    emissions = np.zeros((n, len(t)))                # works' emissions, in year 1 (docs/science.md §2.9)
    emissions[:, 0] = works_emissions_co2e_per_ha(x, cat, backfill_m3_per_ha)
    # the SOC term is the pool's change before erosion, so that it and the erosion term add up to
    # the pool's change
    return carbon.net_removal_terms_co2e(
        carbon.annual_increments(bio), carbon.annual_increments(pool, soc_0[:, None]) + eroded, biochar, wet,
        eroded, emissions, area_ha=_col(z.area_ha))


def wetland_co2e_per_ha_yr(x: RowInputs, s: Settings, cat: Catalog, water) -> np.ndarray:
    """Net removal of the still water of each row [t CO2e/(ha·yr)], 0 where there is none: a
    constructed wetland's fluxes, else an untreated pool's as wetland or open water as the settings
    say (docs/science.md §2.5)."""
    o = x.option
    burial = np.where(o.has_wetland, o.wet_burial, cat.param(f"pool_{s.subsidence_water_as}_burial_g_c_per_m2_yr"))
    ch4 = np.where(o.has_wetland, o.wet_ch4, cat.param(f"pool_{s.subsidence_water_as}_ch4_kg_per_ha_yr"))
    return np.where(water, carbon.wetland_net_removal_co2e(burial, ch4), 0.0)


def works_emissions_co2e_per_ha(x: RowInputs, cat: Catalog, backfill_m3_per_ha) -> np.ndarray:
    """The works' emissions per row [t CO2e/ha], counted in year 1: diesel (the measures' and the
    backfill's earthworks), liming and nitrogen fertiliser (docs/science.md §2.9)."""
    o = x.option
    diesel_l_per_ha = o.diesel_l_per_ha + backfill_m3_per_ha * cat.param("earthworks_diesel_l_per_m3")
    return (carbon.diesel_co2_t(diesel_l_per_ha) + carbon.limestone_co2_t(o.limestone_t_per_ha)
            + carbon.n2o_fertilizer_co2e_t(o.n_kg_per_ha))


def _avoided_tco2e(x: RowInputs, s: Settings, cat: Catalog, t) -> np.ndarray:
    """Avoided emissions per zone and year [t CO2e], (n, T): a gangue fire put out for the years
    it would have burnt on, PV from its first year (docs/science.md §2.6, §2.7)."""
    z, o = x.zone, x.option
    fire_years = (t <= cat.param("fire_burnout_yr")).astype(float)
    burning_m2 = z.area_ha * M2_PER_HA * cat.param("burning_area_fraction")
    fire = carbon.gangue_fire_avoided_co2e_t_per_yr(burning_m2 * o.fire_avoided, z.burning)
    pv = carbon.pv_avoided_co2e_t_per_yr(z.area_ha, o.pv_mw_per_ha, s.pv_yield_kwh_per_kwp,
                                         s.grid_emission_factor_t_per_mwh)
    return fire[:, None] * fire_years + pv[:, None] * (t >= cat.param("pv_first_year"))


def spending_of_rows(x: RowInputs, s: Settings, cat: Catalog, upkeep_cny_per_ha_by_year: np.ndarray) -> np.ndarray:
    """Money paid in each year t = 0..H of rows [CNY, nominal], (n, H + 1): capex in year 0, then
    upkeep, maintenance and monitoring (:func:`optimizer.models.cost.spending_by_year_cny`);
    ``upkeep_cny_per_ha_by_year`` (n, H) per row (:func:`.params.combo_upkeep_by_year`). Discounted
    by (1 + r)^−t it sums to the rows' ``cost_cny`` (docs/science.md §4.2, §4.3)."""
    works, capex, monitoring = _works_capex_monitoring(x, s, cat, _backfill_m3_per_ha(x))
    return cost.spending_by_year_cny(capex, upkeep_cny_per_ha_by_year * x.zone.area_ha[:, None],
                                     works * cat.param("maintenance_fraction"), monitoring * x.zone.area_ha)


def _works_capex_monitoring(x: RowInputs, s: Settings, cat: Catalog, backfill_m3_per_ha):
    """(works [CNY], capex [CNY], monitoring [CNY/(ha·yr)]) per row (docs/science.md §4.1, §4.2)."""
    z, o = x.zone, x.option
    topsoil_m3_per_ha = o.topsoil_cm * cost.M3_PER_HA_CM
    works = cost.works_cny_per_ha(o.capex_cny_per_ha, o.earthworks_m3_per_ha + backfill_m3_per_ha,
                                  topsoil_m3_per_ha, earthworks_cny_per_m3=cat.param("earthworks_cny_per_m3"),
                                  topsoil_cny_per_m3=cat.param("topsoil_placement_cny_per_m3")) * z.area_ha
    capex = cost.capex_cny(works, management_fraction=cat.param("management_fraction"),
                           contingency_fraction=cat.param("contingency_fraction"))
    monitoring = np.where(o.any_works, float(cat.monitoring.at[s.monitoring_level, "cost_cny_per_ha_yr"]), 0.0)
    return works, capex, monitoring


def _cost_cny(x: RowInputs, s: Settings, cat: Catalog, d, backfill_m3_per_ha):
    """(capex, net present cost, topsoil m³/ha) per zone (docs/science.md §4)."""
    z, o = x.zone, x.option
    topsoil_m3_per_ha = o.topsoil_cm * cost.M3_PER_HA_CM
    works, capex, monitoring = _works_capex_monitoring(x, s, cat, backfill_m3_per_ha)
    # upkeep is discounted per combination (each measure over its own years) in params.combo_params
    npv = (cost.npv_cost_cny(capex, 0.0, 0.0, works * cat.param("maintenance_fraction"), monitoring * z.area_ha, d)
           + o.upkeep_npv_cny_per_ha * z.area_ha)
    return capex, npv, topsoil_m3_per_ha
