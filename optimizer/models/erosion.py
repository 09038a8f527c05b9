"""Soil erosion by water: the RUSLE factors, as plain numpy functions (docs/science.md §3).

``A = R · K · LS · C · P`` gives the mean annual soil loss A in t/ha/yr, with

- R, rainfall-runoff erosivity, MJ·mm/(ha·h·yr);
- K, soil erodibility, t·ha·h/(ha·MJ·mm);
- LS, the topographic factor (slope length L times slope steepness S), dimensionless;
- C, cover-management, and P, support practice, both dimensionless ratios in [0, 1].

Every function takes arrays (or scalars) and broadcasts them with numpy's rules; a scalar input
gives a numpy scalar back. Inputs that make no physical sense (a negative slope, a cover of
120 %) raise :class:`ValueError` with every offending value named at once. Slopes are in degrees
and lengths in metres here; percent and feet are settled by the readers, not in the models.

Sources carry the confidence classes of docs/science.md §1.4: [A] read in the primary text,
[B] read in an abstract or a secondary source that quotes it, [C] a commonly cited default not
re-checked, [P] placeholder with no published source.
"""

from __future__ import annotations

import math
from types import MappingProxyType

import numpy as np

from .checks import _as_float, _raise_if, _range_problems
from .erosion_ls import (
    CALIBRATED_MAX_SLOPE_DEG,
    SLOPE_STEEPNESS_METHODS,
    UNIT_PLOT_LENGTH_M,  # noqa: F401 - importable from here as before the split
    beyond_calibrated_slope,
    ls_factor,
    slope_length_exponent,
    slope_length_factor,
    slope_steepness,
)

__all__ = [
    "CALIBRATED_MAX_SLOPE_DEG",
    "COVER_TYPE_OF_VEGETATION",
    "C_FLOOR_BY_COVER_TYPE",
    "DISTURBED_K_MULTIPLIER",
    "EROSION_GRADES",
    "GRASS_COVER_C_TABLE",
    "K_CHINA_FIELD_PLOT_RATIO",
    "K_LOESS_ANSAI_RANGE",
    "K_US_TO_SI",
    "R_RAINFALL_A",
    "R_RAINFALL_B",
    "R_US_TO_SI",
    "SLOPE_STEEPNESS_METHODS",
    "TOLERABLE_SOIL_LOSS_T_PER_KM2_YR",
    "T_PER_HA_TO_T_PER_KM2",
    "beyond_calibrated_slope",
    "c_floor_of_vegetation",
    "cover_factor_grass_wischmeier",
    "cover_management_factor",
    "cover_management_factor_floored",
    "erosion_intensity_grade",
    "ls_factor",
    "rainfall_erosivity_from_rainfall",
    "slope_length_exponent",
    "slope_length_factor",
    "slope_steepness",
    "soil_loss",
    "TOLERANCE_RULES",
    "tolerance_tests",
    "vegetation_cover_series",
    "within_tolerance",
    "year_mean_cover",
]

# --------------------------------------------------------------------------------------------
# Unit conversions
# --------------------------------------------------------------------------------------------

#: R in US customary units, hundreds of ft·tonf·in/(acre·h·yr), times this gives
#: MJ·mm/(ha·h·yr). Foster et al. 1981, as used in Renard et al. 1997 (USDA AH 703) [C].
R_US_TO_SI = 17.02

#: K in US customary units, ton·acre·h/(hundreds of acre·ft·tonf·in), times this gives
#: t·ha·h/(ha·MJ·mm). Foster et al. 1981, as used in Renard et al. 1997 (USDA AH 703) [C].
K_US_TO_SI = 0.1317

#: Soil loss in t/ha/yr times this gives t/km²/yr (1 km² = 100 ha), the unit of SL 190-2007.
T_PER_HA_TO_T_PER_KM2 = 100.0

# --------------------------------------------------------------------------------------------
# K: soil erodibility
# --------------------------------------------------------------------------------------------

#: Multiplier on K for disturbed (excavated, dumped, graded) ground, dimensionless.
#: Chinese standard SL 773-2018 [B]. NOT applied by the region presets any more: RUSLE's K is by
#: definition the loss of the unit plot kept in clean-tilled continuous fallow (Renard et al. 1997,
#: AH 703, ch. 3) [A], which is already loose bare ground, and with it the bare 30° Loess Plateau
#: dump came out about 9× the measured dump losses (docs/science.md §3.3). Kept for reference.
DISTURBED_K_MULTIPLIER = 2.13

#: Ratio of K measured on Chinese natural-runoff plots to K of the US nomograph-based database:
#: "the average K factor for soils in the US is two to three times greater than that in China"
#: (Reliability of soil erodibility estimation in areas outside the US: a comparison of
#: erodibility for main agricultural soils in the US and China, abstract) [B]; 1/2.5, the middle of
#: that range, is our reading [P]. The region presets multiply an estimated (nomograph-type) soil K
#: by it (docs/science.md §3.3).
K_CHINA_FIELD_PLOT_RATIO = 0.4

#: K of loess soils at Ansai (Loess Plateau), t·ha·h/(ha·MJ·mm), (low, high) [A] (docs/science.md §3.3).
K_LOESS_ANSAI_RANGE = (0.042, 0.049)

# --------------------------------------------------------------------------------------------
# LS: topography (RUSLE, Renard et al. 1997, USDA Agriculture Handbook 703, chapter 4): the
# functions live in optimizer.models.erosion_ls and are imported above
# --------------------------------------------------------------------------------------------

# --------------------------------------------------------------------------------------------
# R: rainfall erosivity
# --------------------------------------------------------------------------------------------

#: R = a · P^b with P the annual rainfall in mm and R in MJ·mm/(ha·h·yr); fitted for Shanxi,
#: where R spans 663–2810 (mean 1629). Ning et al. 2020 [B]. The region presets of
#: ``optimizer/settings.py`` call :func:`rainfall_erosivity_from_rainfall` (docs/science.md §3.2).
R_RAINFALL_A = 0.0068
R_RAINFALL_B = 1.99

#: P^b with the C library's pow, element by element: numpy's vectorised power may differ from it
#: in the last bit on some CPUs, and a site's R (a setting) must not depend on the machine.
_libm_pow = np.frompyfunc(math.pow, 2, 1)


def rainfall_erosivity_from_rainfall(annual_rainfall_mm):
    """Rainfall erosivity R in MJ·mm/(ha·h·yr) from mean annual rainfall in mm.

    ``R = 0.0068 · P^1.99`` (Ning et al. 2020, fitted for Shanxi) [B]. About 1,180 at Pingshuo
    (P ≈ 430 mm). Use it within the rainfall range of Shanxi; elsewhere prefer a local R.
    """
    rainfall = _as_float(annual_rainfall_mm)
    _raise_if(_range_problems("annual_rainfall_mm", rainfall, 0.0, np.inf, "≥ 0 mm"))
    return (R_RAINFALL_A * np.asarray(_libm_pow(rainfall, R_RAINFALL_B), dtype=float))[()]


# --------------------------------------------------------------------------------------------
# C: cover-management
# --------------------------------------------------------------------------------------------

#: Wischmeier & Smith 1978 (AH 537) Table 10 [B]: C of permanent pasture, range and idle land
#: with grass and grasslike plants as ground cover and no appreciable canopy.
#: Keys: ground cover in %; values: C.
GRASS_COVER_C_TABLE = MappingProxyType(
    {0.0: 0.45, 20.0: 0.20, 40.0: 0.10, 60.0: 0.042, 80.0: 0.013, 95.0: 0.003}
)

#: Cai et al. 2000 [B] (used on Chinese coal mines): C = 0.6508 − 0.3436·log10(f), f in %.
_CAI_A, _CAI_B = 0.6508, 0.3436
_CAI_BARE_PCT = 0.1  # C = 1 at or below this cover
_CAI_FULL_PCT = 78.3  # C = 0 at or above this cover


def cover_management_factor(cover_pct):
    """Cover-management factor C from fractional vegetation cover f in %, 0–100.

    Cai et al. 2000 [B], used on Chinese coal mines::

        C = 1                          f ≤ 0.1 %
        C = 0.6508 − 0.3436 · lg f     0.1 % < f < 78.3 %
        C = 0                          f ≥ 78.3 %

    (10 % → 0.307, 40 % → 0.100.) The relation jumps from 1 to 0.994 at 0.1 % and reaches
    0.0001 at 78.3 %, as published.
    """
    cover = _as_float(cover_pct)
    _raise_if(_range_problems("cover_pct", cover, 0.0, 100.0, "between 0 and 100 %"))
    fitted = _CAI_A - _CAI_B * np.log10(np.maximum(cover, _CAI_BARE_PCT))
    c = np.where(cover <= _CAI_BARE_PCT, 1.0, np.where(cover < _CAI_FULL_PCT, fitted, 0.0))
    return c[()]


#: C at full cover, the floor C never falls below, per cover type (docs/science.md §3.5):
#:
#: - ``forest``: 0.001, the upper end of 0.0001–0.001 for undisturbed forest land with 75–100 %
#:   canopy and 90–100 % litter (Wischmeier & Smith 1978, AH 537, Table 11) [B]; upper end because
#:   young stands on spoil carry little litter.
#: - ``shrub`` and ``grass``: 0.003, AH 537 Table 10, 95–100 % ground cover of grass and grasslike
#:   plants ("G"), any canopy [B].
#: - ``natural_regeneration``: 0.011, AH 537 Table 10, 95–100 % ground cover of broadleaf
#:   herbaceous plants ("W", weeds with little lateral root network) [B]: spontaneous cover on spoil
#:   starts as forbs.
#: - ``cropland``: 0.233, the mean C of arable land in the EU (Panagos et al. 2015, Land Use Policy
#:   48: 38–50) [B]: tilled every year, cropland never reaches a permanent cover's C.
C_FLOOR_BY_COVER_TYPE = MappingProxyType(
    {"forest": 0.001, "shrub": 0.003, "grass": 0.003, "natural_regeneration": 0.011, "cropland": 0.233}
)

#: Cover type of each vegetation type of ``vegetation_growth.csv`` (and of types announced for it).
#: A type not listed takes the most conservative floor (the highest of :data:`C_FLOOR_BY_COVER_TYPE`).
COVER_TYPE_OF_VEGETATION = MappingProxyType({
    "tree_shrub_herb": "forest", "robinia": "forest", "poplar": "forest", "conifer": "forest",
    "eucalyptus_acacia": "forest", "shrub": "shrub", "grassland": "grass", "grass_legume": "grass",
    "natural_regeneration": "natural_regeneration", "cropland": "cropland",
})


def c_floor_of_vegetation(vegetation_type):
    """C floor per vegetation type (array of str), via :data:`COVER_TYPE_OF_VEGETATION` and
    :data:`C_FLOOR_BY_COVER_TYPE`; unknown types get the highest (most conservative) floor. An empty
    type (no vegetation) gets 1.0: bare ground."""
    types = np.asarray(vegetation_type, dtype=object)
    worst = max(C_FLOOR_BY_COVER_TYPE.values())
    lookup = {v: C_FLOOR_BY_COVER_TYPE[c] for v, c in COVER_TYPE_OF_VEGETATION.items()}
    lookup[""] = 1.0
    flat = [lookup.get(str(v), worst) for v in types.ravel()]
    return np.asarray(flat, dtype=float).reshape(types.shape)[()]


def cover_management_factor_floored(cover_pct, c_floor):
    """C from cover (:func:`cover_management_factor`, Cai et al. 2000 [B]) held at or above the
    cover type's floor: ``C = max(C_Cai(f), C_floor)`` (docs/science.md §3.5). ``c_floor`` in
    [0, 1] broadcasts against ``cover_pct``."""
    floor = _as_float(c_floor)
    _raise_if(_range_problems("c_floor", floor, 0.0, 1.0, "between 0 and 1"))
    return np.maximum(cover_management_factor(cover_pct), floor)[()]


def cover_factor_grass_wischmeier(cover_pct):
    """C of grass ground cover with no canopy, from Wischmeier & Smith 1978 Table 10 [B].

    Table points (cover % → C): 0 → 0.45, 20 → 0.20, 40 → 0.10, 60 → 0.042, 80 → 0.013,
    95 → 0.003. Between points C is interpolated linearly in cover (our choice [P]); above 95 %
    it is held at 0.003. Bare graded spoil with no cover at all is C = 1.0 (docs/science.md §3.5),
    not this table's 0.45, which assumes a grass sod's root and residue effects.
    """
    cover = _as_float(cover_pct)
    _raise_if(_range_problems("cover_pct", cover, 0.0, 100.0, "between 0 and 100 %"))
    xs = np.fromiter(GRASS_COVER_C_TABLE.keys(), dtype=float)
    ys = np.fromiter(GRASS_COVER_C_TABLE.values(), dtype=float)
    return np.interp(cover, xs, ys)[()]


def vegetation_cover_series(years, cover_max_pct, rate_per_yr, cover_initial_pct=0.0):
    """Vegetation cover in % over the years since works, growing towards a maximum.

    ``f(t) = f_max − (f_max − f_0) · exp(−r · t)``. This saturating form and any rate r used with
    it are placeholders [P]: no published growth curve for mine spoil is cited yet.

    Parameters
    ----------
    years : array_like, 1-D
        Years since the works, t ≥ 0 (usually 1, 2, …, horizon).
    cover_max_pct : array_like
        f_max, the cover the vegetation tends to, %, 0–100.
    rate_per_yr : array_like
        r, 1/yr, ≥ 0.
    cover_initial_pct : array_like
        f_0, cover at t = 0, %, 0–100 (default 0: bare after works). If f_0 > f_max the cover
        decays towards f_max.

    Returns
    -------
    numpy.ndarray
        Cover in %, the numpy broadcast of all four inputs, with years on the last axis: scalar
        parameters give shape (T,); per-zone parameters of shape (n, 1) give (n, T).
    """
    t = _as_float(years)
    f_max, rate = _as_float(cover_max_pct), _as_float(rate_per_yr)
    f_0 = _as_float(cover_initial_pct)
    problems = []
    if t.ndim != 1:
        problems.append(f"years must be 1-D; got shape {t.shape}")
    else:
        problems += _range_problems("years", t, 0.0, np.inf, "≥ 0")
    problems += _range_problems("cover_max_pct", f_max, 0.0, 100.0, "between 0 and 100 %")
    problems += _range_problems("cover_initial_pct", f_0, 0.0, 100.0, "between 0 and 100 %")
    problems += _range_problems("rate_per_yr", rate, 0.0, np.inf, "≥ 0 per year")
    _raise_if(problems)
    try:
        np.broadcast_shapes(f_max.shape, rate.shape, f_0.shape, t.shape)
    except ValueError:
        raise ValueError(
            "cover_max_pct, rate_per_yr and cover_initial_pct must broadcast against years "
            f"(shape {t.shape}); got shapes {f_max.shape}, {rate.shape}, {f_0.shape}. "
            "Give per-zone parameters a trailing axis of length 1, e.g. shape (n, 1)."
        ) from None
    return f_max - (f_max - f_0) * np.exp(-rate * t)


def year_mean_cover(years, cover_max_pct, rate_per_yr, cover_initial_pct=0.0):
    """Mean vegetation cover in % over each year of works, year t spanning [t − 1, t].

    The mean of :func:`vegetation_cover_series` over the year, in closed form::

        f̄(t) = f_max − (f_max − f_0) · e^(−r·(t−1)) · (1 − e^(−r)) / r      (r > 0)
        f̄(t) = f_0                                                           (r = 0)

    so year 1 starts from f_0 (bare ground after works: 0 %) rather than from its end-of-year
    cover. Same arguments and shapes as :func:`vegetation_cover_series` (years ≥ 1).
    """
    t = _as_float(years)
    end = vegetation_cover_series(t, cover_max_pct, rate_per_yr, cover_initial_pct)  # checks inputs
    _raise_if(_range_problems("years", t, 1.0, np.inf, "≥ 1 (year t spans [t − 1, t])"))
    f_max, rate = _as_float(cover_max_pct), _as_float(rate_per_yr)
    f_0 = _as_float(cover_initial_pct)
    safe = np.where(rate > 0, rate, 1.0)
    share = np.where(rate > 0, -np.expm1(-safe) / safe, 1.0)      # (1 − e^(−r)) / r, → 1 as r → 0
    mean = f_max - (f_max - f_0) * np.exp(-rate * (t - 1.0)) * share
    return np.broadcast_to(mean, end.shape).copy()


# --------------------------------------------------------------------------------------------
# P: support practice
# --------------------------------------------------------------------------------------------
# P factors are measure data: ``p_factor`` in ``optimizer/catalog/measures.csv`` (contour
# ridges 0.52 and terraces 0.28 from Xiong, Sun & Chen 2019 [B]; docs/science.md §3.6), the one
# place the option scoring reads them. No support practice is P = 1 (RUSLE definition).


# --------------------------------------------------------------------------------------------
# A: soil loss, and its grading
# --------------------------------------------------------------------------------------------


def soil_loss(R, K, LS, C, P):  # noqa: N803 - the RUSLE symbols are the clearest names
    """Mean annual soil loss A = R · K · LS · C · P in t/ha/yr (RUSLE, Renard et al. 1997 [A]).

    Parameters
    ----------
    R : array_like
        Rainfall erosivity, MJ·mm/(ha·h·yr) (US units × :data:`R_US_TO_SI`).
    K : array_like
        Soil erodibility, t·ha·h/(ha·MJ·mm) (US units × :data:`K_US_TO_SI`).
    LS, C, P : array_like
        Dimensionless factors.

    All must be finite and ≥ 0; they broadcast together.
    """
    factors = {"R": R, "K": K, "LS": LS, "C": C, "P": P}
    arrays = {name: _as_float(value) for name, value in factors.items()}
    problems = []
    for name, value in arrays.items():
        problems += _range_problems(name, value, 0.0, np.inf, "≥ 0")
    _raise_if(problems)
    a = arrays
    return (a["R"] * a["K"] * a["LS"] * a["C"] * a["P"])[()]


#: Tolerable soil loss, t/km²/yr, by region; SL 190-2007 [B].
TOLERABLE_SOIL_LOSS_T_PER_KM2_YR = MappingProxyType(
    {
        "loess_plateau": 1000.0,
        "northeast_black_soil": 200.0,
        "northern_rocky_mountains": 200.0,
        "southern_red_soil": 500.0,
        "southwest_rocky_mountains": 500.0,
    }
)

#: Rules for testing a soil-loss series against the tolerable loss (docs/science.md §3.8).
TOLERANCE_RULES = ("mean", "mean_and_early")


def tolerance_tests(soil_loss_t_per_ha_yr, tolerable_t_per_ha_yr, early_years=3, early_factor=5.0, slack=0.0):
    """The two soil-loss tests of docs/science.md §3.8 on annual series (years on the last axis).

    ``mean_ok``: the mean over all years ≤ tolerable + slack. ``early_ok``: the worst of the first
    ``early_years`` years ≤ early_factor × tolerable + slack. Returns ``(mean_ok, early_ok, mean,
    worst_early)``, each over the leading axes, losses in t/(ha·yr).
    """
    loss = _as_float(soil_loss_t_per_ha_yr)
    if loss.ndim < 1 or loss.shape[-1] < 1:
        raise ValueError(f"soil_loss_t_per_ha_yr needs years on its last axis; got shape {loss.shape}")
    n_early = int(early_years)
    if n_early < 1 or not early_factor >= 1.0:
        raise ValueError(f"early_years must be ≥ 1 and early_factor ≥ 1; got {early_years!r}, {early_factor!r}")
    mean = loss.mean(axis=-1)
    worst = loss[..., :n_early].max(axis=-1)
    return (mean <= tolerable_t_per_ha_yr + slack, worst <= early_factor * tolerable_t_per_ha_yr + slack,
            mean, worst)


def within_tolerance(soil_loss_t_per_ha_yr, tolerable_t_per_ha_yr, rule="mean_and_early", early_years=3,
                     early_factor=5.0, slack=0.0):
    """Whether each annual soil-loss series [t/(ha·yr)] (years on the last axis) passes ``rule``:
    ``"mean"`` tests the mean over the years; ``"mean_and_early"`` (default) also the worst of the
    first ``early_years`` years against ``early_factor`` × the tolerable loss (docs/science.md §3.8)."""
    if rule not in TOLERANCE_RULES:
        raise ValueError(f"unknown tolerance rule {rule!r}; valid: {', '.join(TOLERANCE_RULES)}")
    mean_ok, early_ok, _, _ = tolerance_tests(soil_loss_t_per_ha_yr, tolerable_t_per_ha_yr, early_years,
                                              early_factor, slack)
    return mean_ok if rule == "mean" else mean_ok & early_ok


#: Water erosion intensity grades of SL 190-2007 [B]: (label, upper bound in t/km²/yr). A value
#: equal to a bound belongs to the lower grade. "none" (微度) ends at the regional tolerable loss.
EROSION_GRADES = (
    ("none", None),  # 微度, at or below the tolerable loss
    ("slight", 2500.0),  # 轻度
    ("moderate", 5000.0),  # 中度
    ("intense", 8000.0),  # 强烈
    ("very intense", 15000.0),  # 极强烈
    ("severe", np.inf),  # 剧烈
)


def erosion_intensity_grade(soil_loss_t_per_km2_yr,
                            tolerable_t_per_km2_yr=TOLERABLE_SOIL_LOSS_T_PER_KM2_YR["loess_plateau"]):
    """SL 190-2007 water erosion intensity grade of a soil loss in t/km²/yr [B].

    Grades: "none" up to the tolerable loss (default 1000, the Loess Plateau), "slight" up to
    2500, "moderate" up to 5000, "intense" up to 8000, "very intense" up to 15000, "severe"
    above. A value on a bound takes the lower grade. Convert t/ha/yr with
    :data:`T_PER_HA_TO_T_PER_KM2` (× 100).

    Returns
    -------
    numpy.ndarray of str
        Labels, same shape as the input (a 0-d array for a scalar input).
    """
    loss = _as_float(soil_loss_t_per_km2_yr)
    tolerable = float(tolerable_t_per_km2_yr)
    problems = _range_problems("soil_loss_t_per_km2_yr", loss, 0.0, np.inf, "≥ 0 t/km²/yr")
    if not 0.0 < tolerable < 2500.0:
        problems.append(f"tolerable_t_per_km2_yr must be between 0 and 2500; got {tolerable:g}")
    _raise_if(problems)
    bounds = np.array([tolerable] + [upper for _, upper in EROSION_GRADES[1:-1]])
    labels = np.array([label for label, _ in EROSION_GRADES])
    return labels[np.digitize(loss, bounds, right=True)]
