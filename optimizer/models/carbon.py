"""Carbon over time as plain numpy functions (docs/science.md §2).

Conventions
-----------
* Time: ``t_yr`` is years since works (1..H for an annual series). Functions broadcast, so a
  1-D ``years`` array of shape ``(T,)`` with per-option parameters of shape ``(n, 1)`` gives
  ``(n, T)``. Negative times are treated as "not planted yet" (stock 0, factor 1).
* Units: carbon in t C (per ha unless the argument says otherwise), gases in t CO2e.
  1 Mg = 1 t. C -> CO2: x 44/12.
* Sources: each constant carries its source and confidence class (docs/science.md §1.4):
  [A] primary text, [B] abstract or secondary source, [C] common default not re-checked,
  [P] placeholder (engineering estimate, no published source; reports must say so).

Fitted growth parameters live in ``optimizer/catalog/vegetation_growth.csv``, one row per
vegetation type × climate class, written by ``python -m benchmarks.fit_growth`` (docs/science.md
§2.1–§2.3); the climate response is :mod:`optimizer.models.climate`. This module reads no file.
"""

from __future__ import annotations

import math

import numpy as np

# --- conversion factors and global warming potentials ---------------------------------------

C_TO_CO2 = 44.0 / 12.0
"""t CO2 per t C (molar masses)."""

N2O_N_TO_N2O = 44.0 / 28.0
"""t N2O per t N2O-N (molar masses)."""

GWP100_CH4 = 27.0
"""GWP-100 of methane, non-fossil (IPCC AR6 WG1 Ch 7 Table 7.15: 27.0; fossil CH4 is 29.8) [A]."""

GWP100_N2O = 273.0
"""GWP-100 of nitrous oxide (IPCC AR6 WG1 Ch 7 Table 7.15) [A]."""

# --- biomass ----------------------------------------------------------------------------------

CARBON_FRACTION_DRY_MATTER = 0.47
"""t C per t dry matter of woody biomass (IPCC 2006 Vol 4 Table 4.3 default) [C]."""

ROOT_SHOOT_PLANTED_BROADLEAF_TEMPERATE_ASIA = 0.303
"""Below-/above-ground biomass ratio, planted broadleaf, temperate Asia
(IPCC 2019 Refinement Vol 4 Table 4.4) [A]."""

ROOT_SHOOT_PLANTED_CONIFER_CHINA = 0.224
"""Below-/above-ground biomass ratio, planted conifer, Chinese data
(IPCC 2019 Refinement Vol 4 Table 4.4) [A]."""


def chapman_richards(t_yr, c_max, k, m):
    """Chapman–Richards growth curve ``C(t) = c_max · (1 − e^(−k t))^m`` (docs/science.md §2.1).

    Parameters
    ----------
    t_yr : array_like
        Age in years; negative ages give 0 (not planted yet).
    c_max : array_like
        Asymptote, in the unit of the result (here t C/ha).
    k : array_like
        Rate parameter [1/yr], > 0.
    m : array_like
        Shape parameter [-], >= 1 for a sigmoid with an inflection at ``ln(m)/k``.

    Returns
    -------
    numpy.ndarray
        Stock at age ``t_yr``, broadcast over all arguments.
    """
    t = np.maximum(np.asarray(t_yr, dtype=float), 0.0)
    return np.asarray(c_max, dtype=float) * (-np.expm1(-np.asarray(k, dtype=float) * t)) ** np.asarray(m, dtype=float)


def chapman_richards_rate(t_yr, c_max, k, m):
    """Growth rate ``dC/dt = c_max · m · k · e^(−k t) · (1 − e^(−k t))^(m−1)``, unit of c_max per yr.

    Zero for negative ages. Its maximum lies at the inflection ``ln(m)/k`` (for m >= 1).
    """
    t = np.asarray(t_yr, dtype=float)
    k = np.asarray(k, dtype=float)
    m = np.asarray(m, dtype=float)
    e = np.exp(-k * np.maximum(t, 0.0))
    rate = np.asarray(c_max, dtype=float) * m * k * e * (1.0 - e) ** (m - 1.0)
    return np.where(t < 0.0, 0.0, rate)


def chapman_richards_inflection_yr(k, m):
    """Age of the inflection (peak growth rate) of Chapman–Richards, ``ln(m)/k`` [yr]; 0 if m <= 1."""
    return np.log(np.maximum(np.asarray(m, dtype=float), 1.0)) / np.asarray(k, dtype=float)


def biomass_carbon_stock(t_yr, c_max_t_c_per_ha, k_per_yr, m, growth_multiplier=1.0):
    """Total (above- + below-ground) biomass carbon stock [t C/ha] at age ``t_yr``.

    Chapman–Richards with the per-vegetation-type parameters of
    ``optimizer/catalog/vegetation_growth.csv`` (fitted by ``benchmarks/fit_growth.py`` to the
    chronosequences of ``chronosequences.csv``, docs/science.md §2.1; below-ground by root:shoot
    0.303 broadleaf / 0.224 conifer, IPCC 2019 Refinement Vol 4 Table 4.4 [A]; carbon fraction
    0.47 [C]).

    ``growth_multiplier`` (site quality: rainfall, cover-soil depth, amendments; catalog
    multipliers are [P] unless sourced) scales the asymptote, not the timing. The catalog
    curves are stated at the reference rainfall of ``rainfall_growth.csv``, so a rainfall
    multiplier belongs in ``growth_multiplier``.
    """
    return np.asarray(growth_multiplier, dtype=float) * chapman_richards(t_yr, c_max_t_c_per_ha, k_per_yr, m)


def cover_depth_multiplier(soil_depth_cm, full_depth_cm, bare_multiplier):
    """Growth multiplier [-] of the cover soil's depth (docs/science.md §2.4)::

        m_depth = m_bare + (1 − m_bare) · min(d, d_full) / d_full

    ``soil_depth_cm`` d is the zone's soil plus the topsoil the option places [cm];
    ``full_depth_cm`` d_full, the depth from which growth is unrestricted, and
    ``bare_multiplier`` m_bare, growth on bare spoil, are ``parameters.csv`` rows
    (``cover_depth_full_cm``, ``cover_depth_min_multiplier``) [P].
    """
    depth = np.minimum(np.asarray(soil_depth_cm, dtype=float), full_depth_cm)
    return bare_multiplier + (1 - bare_multiplier) * (depth / full_depth_cm)


# --- soil organic carbon ---------------------------------------------------------------------


def soc_stock(t_yr, soc_0, soc_eq, tau_yr):
    """Soil organic carbon stock [t C/ha], first-order approach to equilibrium (docs/science.md §2.3).

    ``SOC(t) = SOC_eq − (SOC_eq − SOC_0) · e^(−t/τ)``; ``soc_0`` at t <= 0.

    Only biogenic SOC counts: coal carbon in spoil is not a removal. Catalog values
    (``soc_gain_eq_t_c_per_ha`` = SOC_eq − SOC_0 and ``soc_tau_yr``) come from the Heidaigou
    dump 15-yr gains, 0–100 cm (Li et al. 2014, 环境科学 35(10) 3842–3850 [B]).
    """
    t = np.maximum(np.asarray(t_yr, dtype=float), 0.0)
    soc_eq = np.asarray(soc_eq, dtype=float)
    return soc_eq - (soc_eq - np.asarray(soc_0, dtype=float)) * np.exp(-t / np.asarray(tau_yr, dtype=float))


#: Share of the SOC formed since the works found above depth d: ``F(d) = 1 − β^d`` (d in cm), the
#: cumulative form of Jobbágy & Jackson 2000 (Ecol Appl 10(2) 423–436). β = 0.95 matches the
#: depth pattern of SOC accrual on reclaimed mine soils in the meta-analysis of Baier et al. 2022
#: (0.6 Mg C/ha/yr in 0–10 cm, 1.0 in 0–20 cm, 0.4 more in 20–40 cm, 0.1 in 40–80 cm: F(10)/F(80)
#: = 0.41, F(20)/F(80) = 0.65, F(40)/F(80) = 0.89 against 0.40, 0.67, 0.93 read) [B].
NEW_SOC_DEPTH_BETA = 0.95

#: Depth [cm] the SOC accrual rates of ``vegetation_growth.csv`` are stated on (docs/science.md §2.3).
SOC_RATE_DEPTH_CM = 30.0


def soc_depth_fraction(depth_cm, beta=NEW_SOC_DEPTH_BETA):
    """Share of new SOC [-] above ``depth_cm``: ``1 − β^d`` (→ 1 deep down, 0 at the surface)."""
    return -np.expm1(np.asarray(depth_cm, dtype=float) * math.log(beta))


def soc_depth_scale(depth_cm, beta=NEW_SOC_DEPTH_BETA):
    """New SOC above ``depth_cm`` relative to 0–30 cm [-]: ``F(d) / F(30)`` (0–10 cm: 0.51,
    0–15 cm: 0.68, 0–80 cm: 1.25)."""
    return soc_depth_fraction(depth_cm, beta) / soc_depth_fraction(SOC_RATE_DEPTH_CM, beta)


def initial_soc_t_per_ha(soil_cm, depth_cm, soil_g_per_kg, spoil_g_per_kg, bulk_density_t_per_m3):
    """Biogenic SOC at the start [t C/ha] in the accounting layer 0–``depth_cm`` (docs/science.md §2.3)::

        SOC_0 = ρ_b · (c_soil · min(s, D) + c_spoil · max(D − s, 0)) / 10

    ``soil_cm`` s is the soil over the spoil (the zone's soil plus any cover soil placed), D the
    accounting depth [cm], c in g C/kg (coal carbon excluded), ρ_b in t/m³; g/kg · t/m³ · cm / 10
    = t C/ha. Example: 30 cm of cover soil at 6 g/kg over spoil, D = 30, ρ_b = 1.4: 25.2 t C/ha.
    """
    s = np.minimum(np.asarray(soil_cm, dtype=float), depth_cm)
    return np.asarray(bulk_density_t_per_m3, dtype=float) * (
        np.asarray(soil_g_per_kg, dtype=float) * s
        + np.asarray(spoil_g_per_kg, dtype=float) * (np.asarray(depth_cm, dtype=float) - s)) / 10.0


def soc_accrual(t_yr, rate_t_c_per_ha_yr, tau_yr, k_per_yr=None, m=None):
    """SOC formed since the works [t C/ha], driven by the stand's development (docs/science.md §2.3)::

        dX/dt = b(t) − X/τ,   X(0) = 0,   ΔSOC(t) = r · X(t),   b(t) = (1 − e^(−k t))^m

    ``r`` is the accrual rate under a developed stand and ``r·τ`` the equilibrium gain; b is the
    stand's biomass curve relative to its asymptote (Chapman–Richards with the type's k and m), so
    SOC forms slowly while a slow stand is young and at once under a fast one. Without ``k_per_yr``
    (b = 1) this is ``r · τ · (1 − e^(−t/τ))``. Solved exactly on whole years with b at the middle
    of each year, linear in between; 0 for t <= 0. ``t_yr`` is a scalar or 1-D (T,); with
    parameters (n, 1) the result is (n, T).
    """
    t = np.maximum(np.asarray(t_yr, dtype=float), 0.0)
    rate = np.asarray(rate_t_c_per_ha_yr, dtype=float)
    tau = np.asarray(tau_yr, dtype=float)
    if k_per_yr is None:
        return rate * tau * -np.expm1(-t / tau)
    k = np.asarray(k_per_yr, dtype=float)
    m_ = np.asarray(m, dtype=float)
    steps = int(np.ceil(t.max())) if t.size else 0
    shape = np.broadcast_shapes(rate.shape, tau.shape, k.shape, m_.shape)
    decay = np.exp(-1.0 / tau)
    # years go on the last axis: parameters (n, 1) give a grid (n, steps + 1); scalars (steps + 1,)
    cols = [np.zeros(shape if shape else (1,))]
    for j in range(1, steps + 1):
        b = (-np.expm1(-k * (j - 0.5))) ** m_
        cols.append(np.broadcast_to(cols[-1] * decay + b * tau * (1.0 - decay), cols[0].shape))
    x = np.concatenate(cols, axis=-1) if shape and shape[-1] == 1 else np.stack(cols, axis=-1)
    if not shape:
        x = x[0]
    if steps == 0:
        return rate * np.zeros(np.broadcast_shapes(shape, t.shape))
    lo = np.minimum(np.floor(t).astype(int), steps - 1)      # t is a scalar or (T,): years on the last axis
    frac = t - lo
    at = x[..., lo] * (1.0 - frac) + x[..., lo + 1] * frac
    return rate * at


def soc_pool_with_erosion(soc_series, soc_0, soil_loss_t_per_ha_yr, depth_cm, bulk_density_t_per_m3,
                          enrichment_ratio=1.0):
    """The SOC pool year by year when erosion carries part of it away (docs/science.md §2.8).

    ``soc_series`` (n, T) is the stock [t C/ha] without erosion at the end of years 1..T and
    ``soc_0`` (n,) at the start. Each year the soil lost takes the surface layer's concentration
    of the pool at the start of the year, ``c = SOC · 10 / (ρ_b · D)`` g C/kg, times the
    enrichment ratio; it can never take more than the pool holds. Returns ``(pool, eroded)``,
    both (n, T): the stock after erosion and the carbon eroded each year [t C/ha].
    """
    s = np.asarray(soc_series, dtype=float)
    loss = np.broadcast_to(np.asarray(soil_loss_t_per_ha_yr, dtype=float), s.shape)
    per_t = 10.0 / (np.asarray(bulk_density_t_per_m3, dtype=float) * np.asarray(depth_cm, dtype=float)) / 1000.0
    pool = np.empty_like(s)
    eroded = np.empty_like(s)
    before = np.broadcast_to(np.asarray(soc_0, dtype=float), s[:, 0].shape).astype(float)
    prev_model = before
    for j in range(s.shape[1]):
        available = np.maximum(before + (s[:, j] - prev_model), 0.0)
        e = np.minimum(loss[:, j] * before * per_t * enrichment_ratio, available)
        eroded[:, j] = e
        pool[:, j] = available - e
        before, prev_model = pool[:, j], s[:, j]
    return pool, eroded


YANG2015_ONSET_YR = 10.0
YANG2015_OVER_YR = 10.0
YANG2015_BIOMASS_LOSS_FRACTION = 0.462
"""Unmaintained artificial grassland on a Loess Plateau mine: biomass (above + below) fell 46.2 %
from year 10 to year 20 (Yang et al. 2015, J Soil Sci Plant Nutr 15(3) 629–638) [B]."""
YANG2015_SOC_LOSS_FRACTION = 0.670
"""Same study: SOC content 0–30 cm fell 67.0 % from year 10 to year 20 [B]."""


def degradation_factor(t_yr, onset_yr=YANG2015_ONSET_YR, loss_fraction=YANG2015_BIOMASS_LOSS_FRACTION,
                       over_yr=YANG2015_OVER_YR):
    """Multiplier series [-] for a stand that degrades without maintenance.

    1 before ``onset_yr``, falling linearly to ``1 − loss_fraction`` at ``onset_yr + over_yr``,
    then held there. Defaults: Yang et al. 2015 (unmaintained grassland, biomass −46.2 % from
    year 10 to 20) [B]; use ``loss_fraction=YANG2015_SOC_LOSS_FRACTION`` for SOC (−67.0 %).
    The study has two dates only, so the linear path between them and the plateau after year 20
    are assumptions [P].

    Yang et al.'s losses are relative to the year-10 stock (growth stopped there), so apply the
    factor to the stock frozen at onset, e.g. for an unmaintained grassland::

        biomass = biomass_carbon_stock(np.minimum(years, onset), ...) * degradation_factor(years)
        soc = soc_0 + (soc_stock(np.minimum(years, onset), soc_0, soc_eq, tau) - soc_0) \\
              * degradation_factor(years, loss_fraction=YANG2015_SOC_LOSS_FRACTION)

    Applying the SOC loss to the carbon accrued since works, not to SOC_0, is a reading [P]:
    only accrued biogenic SOC was ever counted as a removal.
    """
    t = np.asarray(t_yr, dtype=float)
    over = np.asarray(over_yr, dtype=float)
    progress = np.clip((t - np.asarray(onset_yr, dtype=float)) / np.where(over > 0, over, 1.0), 0.0, 1.0)
    progress = np.where(over > 0, progress, (t >= onset_yr).astype(float))
    return 1.0 - np.asarray(loss_fraction, dtype=float) * progress


# --- biochar ---------------------------------------------------------------------------------

def biochar_carbon(mass_t, f_c, f_perm):
    """Carbon stored by applied biochar [t C]: ``ΔC = mass · F_C · F_perm``
    (IPCC 2019 Refinement Vol 4 Ch 2 App 4 [B]). Counted once, in the year of application.

    ``mass_t`` is dry biochar [t]; ``f_c`` the organic carbon fraction by feedstock and
    ``f_perm`` the fraction left after 100 yr by production temperature, both per measure in
    ``measures.csv`` (``biochar_f_c``, ``biochar_f_perm``; the IPCC values are in
    docs/science.md §2.4). Example: 10 t herbaceous biochar made at 450–600 °C (F_C 0.65,
    F_perm 0.80) stores 10 · 0.65 · 0.80 = 5.2 t C = 19.07 t CO2.
    """
    return np.asarray(mass_t, dtype=float) * np.asarray(f_c, dtype=float) * np.asarray(f_perm, dtype=float)


# --- wetlands --------------------------------------------------------------------------------

def wetland_net_removal_co2e(burial_g_c_per_m2_yr, ch4_kg_per_ha_yr, gwp_ch4=GWP100_CH4):
    """Net removal of a wetland [t CO2e/ha/yr]: carbon burial minus methane (docs/science.md §2.5).

    ``burial · 10⁴ m²/ha · 44/12 / 10⁶ g/t − CH4 · GWP / 1000 kg/t``. Negative means a net
    source. The fluxes are catalog data: a constructed wetland's in ``measures.csv``
    (``wetland_burial_g_c_per_m2_yr``, ``wetland_ch4_kg_per_ha_yr``), an untreated pool's in
    ``parameters.csv`` (``pool_wetland_*``, ``pool_open_water_*``). Example: 242 g C/m²/yr and
    235 kg CH4/ha/yr give 8.873 − 6.345 = 2.528 t CO2e/ha/yr; at a burial of 118 the same pool is
    a source of 2.018.
    """
    burial_t_co2 = np.asarray(burial_g_c_per_m2_yr, dtype=float) * 1.0e4 / 1.0e6 * C_TO_CO2
    ch4_t_co2e = np.asarray(ch4_kg_per_ha_yr, dtype=float) * np.asarray(gwp_ch4, dtype=float) / 1000.0
    return burial_t_co2 - ch4_t_co2e


# --- erosion ---------------------------------------------------------------------------------


def erosion_carbon_loss(soil_loss_t_per_ha_yr, soc_g_per_kg, enrichment_ratio=1.0):
    """Soil organic carbon carried off by erosion [t C/ha/yr] (docs/science.md §2.8).

    ``soil loss [t/ha/yr] · SOC of the surface soil [g C/kg] / 1000``; e.g. 10 t/ha/yr of soil at
    5 g C/kg carries off 0.05 t C/ha/yr. ``enrichment_ratio`` (eroded sediment is often richer in
    SOC than the soil it leaves) defaults to 1.0 [P]. Counts against the zone's removals.
    """
    return (np.asarray(soil_loss_t_per_ha_yr, dtype=float) * np.asarray(soc_g_per_kg, dtype=float) / 1000.0
            * np.asarray(enrichment_ratio, dtype=float))


# --- project emissions -----------------------------------------------------------------------

DIESEL_KG_CO2_PER_L = 2.68
"""Diesel combustion [kg CO2/L] [B]; primary source not recorded (docs/science.md §2.9, §7.1)."""
LIMESTONE_T_C_PER_T = 0.12
"""Carbon released by liming [t C/t limestone] (IPCC 2006 Vol 4 Ch 11 EF for limestone) [B]."""
N2O_EF1_KG_N2O_N_PER_KG_N = 0.01
"""Direct N2O emission factor EF1 [kg N2O-N/kg N applied] (IPCC 2006 Vol 4 Ch 11) [B]."""


def diesel_co2_t(litres):
    """CO2 from burning diesel [t CO2]: litres · 2.68 kg/L / 1000 [B]."""
    return np.asarray(litres, dtype=float) * DIESEL_KG_CO2_PER_L / 1000.0


def limestone_co2_t(t_limestone):
    """CO2 from applied limestone [t CO2]: t · 0.12 t C/t · 44/12 (= 0.44 t CO2/t) [B]."""
    return np.asarray(t_limestone, dtype=float) * LIMESTONE_T_C_PER_T * C_TO_CO2


def n2o_fertilizer_co2e_t(kg_n):
    """Direct N2O from nitrogen fertiliser [t CO2e]: kg N · 0.01 · 44/28 · 273 / 1000 [B]."""
    return np.asarray(kg_n, dtype=float) * N2O_EF1_KG_N2O_N_PER_KG_N * N2O_N_TO_N2O * GWP100_N2O / 1000.0


# --- avoided emissions (reported separately, never added to removals) ------------------------

CARRAS2009_RANGE_KG_CO2E_PER_M2_YR = (12.0, 8200.0)
"""Emissions from burning coal-waste surfaces, low to high intensity (Carras et al. 2009) [B]."""


def _log_band_centres(lo, hi, n):
    """Geometric centres of ``n`` equal-width bands of ``[lo, hi]`` on a log scale."""
    width = math.log(hi / lo) / n
    return [lo * math.exp(width * (i + 0.5)) for i in range(n)]


GANGUE_FIRE_KG_CO2E_PER_M2_YR = dict(
    zip(("low", "medium", "high"), (round(v, 1) for v in _log_band_centres(*CARRAS2009_RANGE_KG_CO2E_PER_M2_YR, 3))),
    none=0.0,
)
"""Burning-gangue emission by intensity [kg CO2e/m² of burning surface/yr] — PLACEHOLDER [P].

Carras et al. 2009's range 12–8,200 is cut into three equal bands on a log scale and each
intensity takes its band's geometric centre: low 35.6, medium 313.7, high 2763.0. The mapping
of the zoning file's ``burning`` levels onto these bands has no published source.
"""
GANGUE_FIRE_CONFIDENCE = "P"


def gangue_fire_avoided_co2e_t_per_yr(area_m2, intensity):
    """Emissions avoided by suppressing a gangue fire [t CO2e/yr] — uses a PLACEHOLDER [P] mapping.

    ``area_m2`` is the burning surface [m²]; ``intensity`` one of ``none/low/medium/high``
    (a string, or an array of them), mapped by :data:`GANGUE_FIRE_KG_CO2E_PER_M2_YR`. Assumes
    suppression stops the whole emission. Reported separately from removals (docs/science.md §2.7).
    """
    rate = np.vectorize(GANGUE_FIRE_KG_CO2E_PER_M2_YR.__getitem__, otypes=[float])(intensity)
    return np.asarray(area_m2, dtype=float) * rate / 1000.0


PV_YIELD_GLOBAL_MEAN_KWH_PER_KWP_YR = 1480.0
"""Global mean PV specific yield [kWh/kWp/yr], for reference [P] (docs/science.md §2.6)."""
PV_MW_PER_HA_RANGE = (0.30, 0.54)
"""Installed PV capacity per hectare [MW/ha], range from project news [B] (docs/science.md §2.6)."""
GRID_T_CO2_PER_MWH_NORTH_CHINA_2022 = 0.6776
"""North China regional grid emission factor 2022 [t CO2/MWh] [B]."""
GRID_T_CO2_PER_MWH_NATIONAL_2023 = 0.5306
"""China national grid emission factor 2023 [t CO2/MWh] [B]."""


def pv_avoided_co2e_t_per_yr(area_ha, mw_per_ha, yield_kwh_per_kwp, grid_t_co2_per_mwh):
    """Grid emissions displaced by photovoltaics [t CO2e/yr].

    ``area_ha · mw_per_ha`` [MW] · ``yield`` [kWh/kWp/yr = MWh/MW/yr] · grid factor [t CO2/MWh].
    Reported separately from removals (docs/science.md §2.6).
    """
    mwh_per_yr = np.asarray(area_ha, dtype=float) * np.asarray(mw_per_ha, dtype=float) * np.asarray(
        yield_kwh_per_kwp, dtype=float)
    return mwh_per_yr * np.asarray(grid_t_co2_per_mwh, dtype=float)


# --- assembling annual series ----------------------------------------------------------------


def annual_increments(stock_series, initial=0.0):
    """Yearly change of a stock series along the last axis.

    ``stock_series[..., j]`` is the stock at the end of year ``j+1`` (years 1..H); ``initial`` is
    the stock at t = 0 (0 for biomass of a new planting; SOC_0 for soil), broadcast against
    ``stock_series[..., :1]``. Returns an array of the same shape: ``[s1 − s0, s2 − s1, …]``.
    """
    s = np.asarray(stock_series, dtype=float)
    s0 = np.broadcast_to(np.asarray(initial, dtype=float), s[..., :1].shape)
    return np.diff(s, axis=-1, prepend=s0)


#: The signed terms of net removals, in the order they are summed (docs/science.md §2); the
#: option table keeps each as an annual series under these names.
NET_REMOVAL_TERMS = ("biomass_tco2e", "soc_tco2e", "biochar_tco2e", "wetland_tco2e", "erosion_tco2e",
                     "project_emissions_tco2e")


def net_removal_terms_co2e(d_biomass_c, d_soc_c, biochar_c, wetland_co2e, erosion_c, project_emissions_co2e,
                           area_ha=1.0) -> dict[str, np.ndarray]:
    """The terms of :func:`net_removals_co2e` [t CO2e per year], signed so that they add up.

    Keys :data:`NET_REMOVAL_TERMS`: ``44/12 · ΔC_biomass``, ``44/12 · ΔC_soil``,
    ``44/12 · ΔC_biochar``, the wetland flux, ``−44/12 · C_eroded`` and ``−E_project``, each
    times ``area_ha`` (1 gives per-hectare terms; per-zone areas of shape ``(n, 1)`` give zone
    totals). Arguments as for :func:`net_removals_co2e`.
    """
    k = C_TO_CO2
    area = np.asarray(area_ha, dtype=float)
    return {
        "biomass_tco2e": k * np.asarray(d_biomass_c, dtype=float) * area,
        "soc_tco2e": k * np.asarray(d_soc_c, dtype=float) * area,
        "biochar_tco2e": k * np.asarray(biochar_c, dtype=float) * area,
        "wetland_tco2e": np.asarray(wetland_co2e, dtype=float) * area,
        "erosion_tco2e": -k * np.asarray(erosion_c, dtype=float) * area,
        # 0 − E rather than −E: a year without emissions is +0.0, not −0.0, in every output
        "project_emissions_tco2e": (0.0 - np.asarray(project_emissions_co2e, dtype=float)) * area,
    }


def net_of_terms(terms) -> np.ndarray:
    """Net removals [t CO2e]: the sum of the terms of :func:`net_removal_terms_co2e`, in the
    order of :data:`NET_REMOVAL_TERMS` (so that every caller gets the same bits)."""
    return sum(terms[name] for name in NET_REMOVAL_TERMS)


def net_removals_co2e(d_biomass_c, d_soc_c, biochar_c, wetland_co2e, erosion_c, project_emissions_co2e,
                      area_ha=1.0):
    """Net removals [t CO2e per year] (docs/science.md §2)::

        net(t) = 44/12 · [ΔC_biomass + ΔC_soil + ΔC_biochar − C_eroded] + wetland_CO2e − E_project

    Carbon terms in t C, the wetland term already in t CO2e (burial minus CH4, see
    :func:`wetland_net_removal_co2e`), project emissions in t CO2e; all per hectare and year,
    broadcast together, and scaled by ``area_ha``. Eroded carbon counts against removals. Avoided
    emissions (gangue fire, PV) are not part of this sum. A caller that also needs the terms
    takes them from :func:`net_removal_terms_co2e` and sums them with :func:`net_of_terms`.
    """
    return net_of_terms(net_removal_terms_co2e(d_biomass_c, d_soc_c, biochar_c, wetland_co2e, erosion_c,
                                               project_emissions_co2e, area_ha))
