"""LS, the topographic factor of RUSLE (slope length L times slope steepness S), dimensionless,
as plain numpy functions (Renard et al. 1997, USDA Agriculture Handbook 703, chapter 4;
docs/science.md §3). Re-exported by :mod:`optimizer.models.erosion`, the home of the other factors.

Slopes are in degrees and horizontal lengths in metres; sources carry the confidence classes of
docs/science.md §1.4.
"""

from __future__ import annotations

import numpy as np

from .checks import _as_float, _raise_if, _range_problems

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

#: Steepest slope, in degrees, each S relation was calibrated on. McCool: the last row of USDA
#: AH 703 Table 4-3, 60 % (30.96°) [A]; Liu et al. 1994: their plots spanned 9–55 % (28.81°) [B].
#: Beyond these the relations are extrapolated (docs/science.md §3.4).
CALIBRATED_MAX_SLOPE_DEG = {
    "mccool": float(np.degrees(np.arctan(0.60))),
    "liu": float(np.degrees(np.arctan(0.55))),
}


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


def beyond_calibrated_slope(slope_deg, method="mccool"):
    """Boolean mask of the slopes steeper than the range ``method``'s S relation was calibrated on
    (:data:`CALIBRATED_MAX_SLOPE_DEG`); NaN slopes are not flagged."""
    _check_method(method)
    slope = _as_float(slope_deg)
    return (np.nan_to_num(slope, nan=0.0) > CALIBRATED_MAX_SLOPE_DEG[method])[()]


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
