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

__all__ = [
    "DISTURBED_K_MULTIPLIER",
    "EROSION_GRADES",
    "GRASS_COVER_C_TABLE",
    "K_LOESS_ANSAI_RANGE",
    "K_US_TO_SI",
    "R_RAINFALL_A",
    "R_RAINFALL_B",
    "R_US_TO_SI",
    "SLOPE_STEEPNESS_METHODS",
    "TOLERABLE_SOIL_LOSS_T_PER_KM2_YR",
    "T_PER_HA_TO_T_PER_KM2",
    "cover_factor_grass_wischmeier",
    "cover_management_factor",
    "erosion_intensity_grade",
    "ls_factor",
    "rainfall_erosivity_from_rainfall",
    "slope_length_exponent",
    "slope_length_factor",
    "slope_steepness",
    "soil_loss",
    "vegetation_cover_series",
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
#: Chinese standard SL 773-2018 [B]. The region presets' K (``optimizer/settings.py``) use it.
DISTURBED_K_MULTIPLIER = 2.13

#: K of loess soils at Ansai (Loess Plateau), t·ha·h/(ha·MJ·mm), (low, high) [A] (docs/science.md §3.3).
K_LOESS_ANSAI_RANGE = (0.042, 0.049)

# --------------------------------------------------------------------------------------------
# LS: topography (RUSLE, Renard et al. 1997, USDA Agriculture Handbook 703, chapter 4)
# --------------------------------------------------------------------------------------------

#: Length of the USLE unit plot, m (72.6 ft). Wischmeier & Smith 1978; McCool et al. 1989 [A].
UNIT_PLOT_LENGTH_M = 22.13

#: tanθ at which McCool et al. 1987 switch S equations (a 9 % slope) [A].
_S_BREAK_TAN = 0.09
_S_BREAK_RAD = float(np.arctan(_S_BREAK_TAN))

#: AH 703 treats slopes shorter than 15 ft (4.572 m) as "short": rills have not formed, and S
#: follows the short-slope relation of McCool et al. 1987 below [B]. The table's shortest
#: column is "< 3 ft" (0.9144 m).
_SHORT_SLOPE_M = 15 * 0.3048
_SHORTEST_SLOPE_M = 3 * 0.3048

SLOPE_STEEPNESS_METHODS = ("liu", "mccool")


def slope_steepness(slope_deg, method="mccool"):
    """Slope steepness factor S of RUSLE, dimensionless, for slopes of 15 ft (4.6 m) or longer.

    Parameters
    ----------
    slope_deg : array_like
        Slope angle θ in degrees, 0 ≤ θ ≤ 90.
    method : {"mccool", "liu"}
        ``"mccool"``: McCool et al. 1987 [A], the RUSLE / AH 703 relation::

            S = 10.8 sinθ + 0.03   when tanθ < 0.09
            S = 16.8 sinθ − 0.50   when tanθ ≥ 0.09

        ``"liu"``: Liu et al. 1994 [B], ``S = 21.91 sinθ − 0.96``, fitted on natural-runoff plots
        of 9–55 % slope; it gives higher S on steep spoil slopes (30°: 9.99 against McCool's
        7.90). Liu et al. fitted no slope under 9 %, so below tanθ = 0.09 this method uses
        McCool's gentle-slope equation ``10.8 sinθ + 0.03`` (the two meet almost exactly at 9 %:
        1.000 against 1.004). The choice of method is a setting and should be reported.

    Returns
    -------
    numpy.ndarray or numpy scalar
        S, same shape as ``slope_deg``.

    Raises
    ------
    ValueError
        Unknown ``method``, or a slope outside 0–90° or not finite.
    """
    _check_method(method)
    slope = _as_float(slope_deg)
    _raise_if(_slope_problems(slope))
    return _slope_steepness(np.deg2rad(slope), method)[()]


def slope_length_exponent(slope_deg):
    """Slope length exponent m of RUSLE, dimensionless, for a moderate rill:interrill ratio.

    McCool et al. 1989 [A] (AH 703 eq. 4-3, 4-4)::

        β = (sinθ / 0.0896) / (3 sin^0.8 θ + 0.56),    m = β / (1 + β)

    m is 0 on a flat slope, 0.50 at 9 % (5.14°) and 0.76 at 90°.
    """
    slope = _as_float(slope_deg)
    _raise_if(_slope_problems(slope))
    return _length_exponent(np.deg2rad(slope))[()]


def slope_length_factor(slope_deg, slope_length_m):
    """Slope length factor L of RUSLE, dimensionless: ``L = (λ / 22.13)^m``.

    McCool et al. 1989 [A], "moderate ratio of rill to interrill erosion"; m from
    :func:`slope_length_exponent`. L = 1 at λ = 22.13 m (the unit plot) and on a flat slope.

    Parameters
    ----------
    slope_deg : array_like
        Slope angle θ in degrees, 0 ≤ θ ≤ 90.
    slope_length_m : array_like
        λ, the HORIZONTAL projection of the slope length, in metres, > 0 (not the distance
        measured along the surface).

    This is the plain formula for every λ > 0. :func:`ls_factor` additionally applies the
    Handbook's treatment of slopes shorter than 15 ft (4.572 m); use it for L·S.
    """
    slope, length = _as_float(slope_deg), _as_float(slope_length_m)
    _raise_if(_slope_problems(slope) + _length_problems(length))
    return _length_factor(np.deg2rad(slope), length)[()]


def ls_factor(slope_deg, slope_length_m, method="mccool"):
    """Topographic factor LS of RUSLE, dimensionless, as in USDA AH 703 Table 4-3.

    For λ ≥ 15 ft (4.572 m), ``LS = L · S`` with L from :func:`slope_length_factor` (McCool et
    al. 1989 [A]) and S from :func:`slope_steepness` with the chosen ``method``. With
    ``method="mccool"`` this reproduces every cell of AH 703 Table 4-3 ("moderate ratio of rill
    to interrill erosion") that we could check, to its two decimals (tests/test_erosion.py).

    Slopes shorter than 15 ft (AH 703 columns "< 3" to 12 ft), as on terrace risers:

    - L is held at its 15 ft value (the table does not vary L below 15 ft);
    - on slopes of 9 % or steeper, S at λ ≤ 3 ft is the short-slope relation of McCool et al.
      1987, ``S = 3.0 sin^0.8 θ + 0.56`` [B] (AH 703 eq. 4-5); below 9 % S is unchanged;
    - between 3 and 15 ft, LS is interpolated log-log (a power law in λ) between its 3 ft and
      15 ft values. This interpolation rule is ours [P]: it is inferred from the table, not read
      in the Handbook, and reproduces all 15 tabulated short cells on the 10, 12 and 14 % rows
      to their two decimals.

    Parameters
    ----------
    slope_deg : array_like
        Slope angle θ in degrees, 0 ≤ θ ≤ 90. A flat slope gives a small positive LS (0.03).
    slope_length_m : array_like
        λ, horizontal projected slope length in metres, > 0.
    method : {"mccool", "liu"}
        S relation, see :func:`slope_steepness`.

    Returns
    -------
    numpy.ndarray or numpy scalar
        LS, with the broadcast shape of the inputs.

    Raises
    ------
    ValueError
        Unknown ``method``; slope outside 0–90° or not finite; length not positive or not
        finite. Every bad value is listed in one message.
    """
    _check_method(method)
    slope, length = _as_float(slope_deg), _as_float(slope_length_m)
    _raise_if(_slope_problems(slope) + _length_problems(length))
    theta, length = np.broadcast_arrays(np.deg2rad(slope), length)

    length_factor = _length_factor(theta, np.maximum(length, _SHORT_SLOPE_M))
    s_long = _slope_steepness(theta, method)
    s_short = np.where(theta < _S_BREAK_RAD, s_long, 3.0 * np.sin(theta) ** 0.8 + 0.56)
    # weight of the long-slope S: 0 at λ ≤ 3 ft, 1 at λ ≥ 15 ft, linear in ln λ between.
    weight = np.clip(np.log(length / _SHORTEST_SLOPE_M) / np.log(5.0), 0.0, 1.0)
    # S > 0 whenever the short-slope branch is used (tanθ ≥ 0.09 gives S ≥ 1.0), so the
    # geometric blend is safe; where it cannot change S, s_long is returned exactly.
    steepness = np.where(
        (weight >= 1.0) | (theta < _S_BREAK_RAD),
        s_long,
        np.abs(s_short) ** (1.0 - weight) * np.abs(s_long) ** weight,
    )
    return (length_factor * steepness)[()]


def _slope_steepness(theta_rad, method):
    sin = np.sin(theta_rad)
    gentle = 10.8 * sin + 0.03  # McCool et al. 1987 [A], tanθ < 0.09
    if method == "mccool":
        steep = 16.8 * sin - 0.50  # McCool et al. 1987 [A], tanθ ≥ 0.09
    else:
        steep = 21.91 * sin - 0.96  # Liu et al. 1994 [B], fitted on 9–55 % slopes
    return np.where(theta_rad < _S_BREAK_RAD, gentle, steep)


def _length_exponent(theta_rad):
    sin = np.sin(theta_rad)
    # McCool et al. 1989 [A]: 0.0896 = sin of a 9 % slope; moderate rill:interrill ratio.
    beta = (sin / 0.0896) / (3.0 * sin**0.8 + 0.56)
    return beta / (1.0 + beta)


def _length_factor(theta_rad, length_m):
    return (length_m / UNIT_PLOT_LENGTH_M) ** _length_exponent(theta_rad)


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


# --------------------------------------------------------------------------------------------
# validation helpers: gather every problem, then speak once
# --------------------------------------------------------------------------------------------


def _as_float(value):
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"expected numbers, got {value!r}") from exc


def _check_method(method):
    if method not in SLOPE_STEEPNESS_METHODS:
        valid = ", ".join(repr(m) for m in SLOPE_STEEPNESS_METHODS)
        raise ValueError(f"unknown slope steepness method {method!r}; valid methods: {valid}")


def _slope_problems(slope):
    return _range_problems("slope_deg", slope, 0.0, 90.0, "between 0 and 90 degrees")


def _length_problems(length):
    return _range_problems(
        "slope_length_m", length, 0.0, np.inf, "> 0 m (horizontal length)", low_inclusive=False
    )


def _range_problems(name, values, low, high, requirement, low_inclusive=True):
    """A one-item list describing the values outside [low, high] (or NaN), else []."""
    too_low = values < low if low_inclusive else values <= low
    bad = ~np.isfinite(values) | too_low | (values > high)
    if not bad.any():
        return []
    where = np.argwhere(bad)
    shown = []
    for index in where[:5]:
        text = f"{values[tuple(index)]:g}"
        if values.ndim == 1:
            text += f" at index {int(index[0])}"
        elif values.ndim > 1:
            text += f" at index {tuple(int(i) for i in index)}"
        shown.append(text)
    more = f" and {len(where) - 5} more" if len(where) > 5 else ""
    return [f"{name} must be {requirement}; got {', '.join(shown)}{more}"]


def _raise_if(problems):
    if problems:
        raise ValueError("; ".join(problems))
