"""Climate of a site: its class and a productivity index that scales growth (docs/science.md §2.2).

Two inputs, mean annual rainfall P [mm] and mean annual temperature T [°C], decide

* the **climate class** (:func:`climate_class`), which picks a growth curve per vegetation type
  (``vegetation_growth.csv`` holds one row per type × class) and which measures a zone may take
  (``measures.csv`` ``climates``); and
* the **productivity index** (:func:`productivity_index`): the Miami model's net primary
  production, ``NPP = min(NPP_T, NPP_P)`` with ``NPP_T = 3000 / (1 + e^(1.315 − 0.119 T))`` and
  ``NPP_P = 3000 (1 − e^(−0.000664 P))`` g dry matter/m²/yr (Lieth 1975, in Lieth & Whittaker
  (eds.) *Primary Productivity of the Biosphere*, Springer, pp. 237–263) [B]. Within a class the
  model scales a curve's asymptote and rate by ``(I / I_ref)^β`` and ``(I / I_ref)^γ``, with β and γ
  fitted to the field chronosequences (``benchmarks/fit_growth.py``), not clipped. Outside the range
  of the data the fit saw (:data:`FIT_RAINFALL_RANGE_MM`, :data:`FIT_TEMPERATURE_RANGE_C`) the
  response is extrapolated and :func:`out_of_range` says so.
"""

from __future__ import annotations

import numpy as np

from ..i18n import _

#: Climate classes, in order from cold and dry to warm and wet (docs/science.md §2.2).
CLASSES = ("cold", "semi_arid", "sub_humid", "humid_temperate", "humid_subtropical")

#: Thresholds of :func:`climate_class`. Rainfall bands as the field data's classes (semi-arid
#: 250–500 mm, sub-humid 500–800 mm, humid ≥ 800 mm; benchmarks/data/README.md); warm where the
#: mean temperature reaches 16 °C (China's warm-temperate/subtropical boundary, the Qinling–Huaihe
#: line, runs near the 15–16 °C isotherm) [C]; cold below 3 °C (boreal and cold steppe: Athabasca
#: about 1 °C, Xilinhot about 2.6 °C) [C].
SUB_HUMID_MIN_MM = 500.0
HUMID_MIN_MM = 800.0
WARM_MIN_C = 16.0
COLD_MAX_C = 3.0

#: Old class names (SinkPlan ≤ 0.x) and the class each now means.
ALIASES = {"cold_semiarid": "cold", "temperate_semiarid": "semi_arid", "warm_humid": "humid_temperate"}

#: Rainfall and temperature of the field rows the growth fit used (benchmarks/fit_growth.py);
#: outside them the climate response is an extrapolation.
FIT_RAINFALL_RANGE_MM = (290.0, 2300.0)
FIT_TEMPERATURE_RANGE_C = (1.0, 27.0)

MIAMI_MAX_G_DM_PER_M2_YR = 3000.0
MIAMI_T_A, MIAMI_T_B = 1.315, 0.119
MIAMI_P_K = 0.000664


def climate_class(annual_rainfall_mm, mean_temperature_c):
    """The climate class of each (P, T) pair (numpy string array, or a str for scalars).

    ``cold`` below 3 °C; otherwise by rainfall: ``semi_arid`` below 500 mm, ``sub_humid`` below
    800 mm, then ``humid_subtropical`` at 16 °C or warmer and ``humid_temperate`` below.
    """
    p = np.asarray(annual_rainfall_mm, dtype=float)
    t = np.asarray(mean_temperature_c, dtype=float)
    out = np.select(
        [t < COLD_MAX_C, p < SUB_HUMID_MIN_MM, p < HUMID_MIN_MM, t >= WARM_MIN_C],
        ["cold", "semi_arid", "sub_humid", "humid_subtropical"], "humid_temperate")
    return str(out) if out.ndim == 0 else out


def productivity_index(annual_rainfall_mm, mean_temperature_c):
    """Miami-model NPP [g dry matter/(m²·yr)]: the smaller of its temperature and rainfall limits.

    Examples: Pingshuo (430 mm, 7 °C) 744; Sokolov (650 mm, 7 °C) 1,051; Ohio (1,000 mm,
    10.5 °C) 1,451 (temperature-limited); Jharkhand (1,300 mm, 26 °C) 1,735.
    """
    p = np.asarray(annual_rainfall_mm, dtype=float)
    t = np.asarray(mean_temperature_c, dtype=float)
    npp_t = MIAMI_MAX_G_DM_PER_M2_YR / (1.0 + np.exp(MIAMI_T_A - MIAMI_T_B * t))
    npp_p = MIAMI_MAX_G_DM_PER_M2_YR * -np.expm1(-MIAMI_P_K * p)
    return np.minimum(npp_t, npp_p)


def climate_scale(annual_rainfall_mm, mean_temperature_c, ref_rainfall_mm, ref_temperature_c, exponent):
    """``(I(P, T) / I(P_ref, T_ref))^exponent``: how a curve stated at a reference climate scales."""
    ratio = productivity_index(annual_rainfall_mm, mean_temperature_c) / productivity_index(
        ref_rainfall_mm, ref_temperature_c)
    return ratio ** np.asarray(exponent, dtype=float)


def out_of_range(annual_rainfall_mm, mean_temperature_c) -> list[str]:
    """What lies outside the climates the growth fit saw, in words (empty when inside)."""
    out = []
    lo, hi = FIT_RAINFALL_RANGE_MM
    p = float(annual_rainfall_mm)
    if not lo <= p <= hi:
        out.append(_("annual rainfall {value} mm is outside the fitted {lo}–{hi} mm").format(
            value=f"{p:g}", lo=f"{lo:g}", hi=f"{hi:g}"))
    lo, hi = FIT_TEMPERATURE_RANGE_C
    t = float(mean_temperature_c)
    if not lo <= t <= hi:
        out.append(_("mean temperature {value} °C is outside the fitted {lo}–{hi} °C").format(
            value=f"{t:g}", lo=f"{lo:g}", hi=f"{hi:g}"))
    return out
