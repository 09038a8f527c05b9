"""Tests of optimizer.models.erosion against published tables, hand calculations and properties."""

from __future__ import annotations

import math

import numpy as np
import pytest

from optimizer.models import erosion as ero

FT_TO_M = 0.3048


def pct_to_deg(slope_pct):
    return np.degrees(np.arctan(np.asarray(slope_pct, dtype=float) / 100.0))


# ---------------------------------------------------------------------------------------------
# LS against USDA Agriculture Handbook 703 Table 4-3 ("moderate ratio of rill to interrill
# erosion"; λ horizontal, in ft; slope in %).
#
# Tolerance: the table is printed to 2 decimals, and the McCool et al. 1987/1989 formulas are the
# ones the table was computed from, so every cell must agree to within half a unit of the last
# printed digit: |LS − table| ≤ 0.005 (plus 1e-9 for float noise). Checked: the worst cell is off
# by 0.00497. A relative tolerance would be meaningless on the 0.05 cells (±10 % rounding).
# ---------------------------------------------------------------------------------------------

TABLE_TOL = 0.005 + 1e-9

# Six rows of AH 703 Table 4-3 quoted in docs/science.md §3.4: (slope %, λ ft, LS).
SCIENCE_DOC_ROWS = [(4, 100, 0.52), (6, 1000, 2.11), (10, 100, 1.38), (10, 400, 2.84),
                 (12, 1000, 6.28), (14, 50, 1.48)]


@pytest.mark.parametrize(("slope_pct", "length_ft", "expected"), SCIENCE_DOC_ROWS)
def test_ls_matches_model_md_rows(slope_pct, length_ft, expected):
    got = ero.ls_factor(pct_to_deg(slope_pct), length_ft * FT_TO_M)
    assert abs(got - expected) <= TABLE_TOL


# AH 703 Table 4-3 as reproduced by Michigan State University, Institute of Water Research,
# "RUSLE: LS Table", http://www.iwr.msu.edu/rusle/lstable.htm ("Values for Topographic Factor,
# LS, for Moderate Ratio of Rill to Interrill Erosion"), read through the project's search tool.
# The stored copy was cut off in the 14 % row after the 150 ft column, so the 14 % row is partial
# and the 16–60 % rows are missing; nothing below is computed from our own formulas.
# The first column is headed "< 3" ft and is tested at 3 ft (and below, in a separate test).
AH703_LENGTHS_FT = (3, 6, 9, 12, 15, 25, 50, 75, 100, 150, 200, 250, 300, 400, 600, 800, 1000)
AH703_TABLE_4_3 = {
    0.2: (0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05,
          0.06, 0.06, 0.06),
    0.5: (0.07, 0.07, 0.07, 0.07, 0.07, 0.08, 0.08, 0.08, 0.09, 0.09, 0.09, 0.09, 0.09, 0.10,
          0.10, 0.10, 0.10),
    1.0: (0.11, 0.11, 0.11, 0.11, 0.11, 0.12, 0.13, 0.14, 0.14, 0.15, 0.16, 0.17, 0.17, 0.18,
          0.19, 0.20, 0.20),
    2.0: (0.17, 0.17, 0.17, 0.17, 0.17, 0.19, 0.22, 0.25, 0.27, 0.29, 0.31, 0.33, 0.35, 0.37,
          0.41, 0.44, 0.47),
    3.0: (0.22, 0.22, 0.22, 0.22, 0.22, 0.25, 0.32, 0.36, 0.39, 0.44, 0.48, 0.52, 0.55, 0.60,
          0.68, 0.75, 0.80),
    4.0: (0.26, 0.26, 0.26, 0.26, 0.26, 0.31, 0.40, 0.47, 0.52, 0.60, 0.67, 0.72, 0.77, 0.86,
          0.99, 1.10, 1.19),
    5.0: (0.30, 0.30, 0.30, 0.30, 0.30, 0.37, 0.49, 0.58, 0.65, 0.76, 0.85, 0.93, 1.01, 1.13,
          1.33, 1.49, 1.63),
    6.0: (0.34, 0.34, 0.34, 0.34, 0.34, 0.43, 0.58, 0.69, 0.78, 0.93, 1.05, 1.16, 1.25, 1.42,
          1.69, 1.91, 2.11),
    8.0: (0.42, 0.42, 0.42, 0.42, 0.42, 0.53, 0.74, 0.91, 1.04, 1.26, 1.45, 1.62, 1.77, 2.03,
          2.47, 2.83, 3.15),
    10.0: (0.46, 0.48, 0.50, 0.51, 0.52, 0.67, 0.97, 1.19, 1.38, 1.71, 1.98, 2.22, 2.44, 2.84,
           3.50, 4.06, 4.56),
    12.0: (0.47, 0.53, 0.58, 0.61, 0.64, 0.84, 1.23, 1.53, 1.79, 2.23, 2.61, 2.95, 3.26, 3.81,
           4.75, 5.56, 6.28),
    14.0: (0.48, 0.58, 0.65, 0.70, 0.75, 1.00, 1.48, 1.86, 2.19, 2.76),  # rest not retrieved
}


def _check_row(slope_pct, lengths_ft, expected):
    got = ero.ls_factor(pct_to_deg(slope_pct), np.asarray(lengths_ft, float) * FT_TO_M)
    bad = [f"{ft} ft: got {g:.4f}, table {e:.2f}"
           for ft, g, e in zip(lengths_ft, got, expected) if abs(g - e) > TABLE_TOL]
    assert not bad, f"slope {slope_pct} %: " + "; ".join(bad)


@pytest.mark.parametrize("slope_pct", sorted(AH703_TABLE_4_3))
def test_ls_matches_ah703_table_4_3_long_slopes(slope_pct):
    """λ ≥ 15 ft: the plain McCool L·S matches the table (docs/science.md §3.4)."""
    pairs = [(ft, v) for ft, v in zip(AH703_LENGTHS_FT, AH703_TABLE_4_3[slope_pct]) if ft >= 15]
    _check_row(slope_pct, *zip(*pairs))


@pytest.mark.parametrize("slope_pct", sorted(AH703_TABLE_4_3))
def test_ls_matches_ah703_table_4_3_short_slopes(slope_pct):
    """λ < 15 ft: the Handbook's short-slope treatment (see ls_factor's docstring)."""
    pairs = [(ft, v) for ft, v in zip(AH703_LENGTHS_FT, AH703_TABLE_4_3[slope_pct]) if ft < 15]
    _check_row(slope_pct, *zip(*pairs))


@pytest.mark.parametrize("slope_pct", [0.5, 4.0, 10.0, 14.0])
def test_ls_below_3_ft_is_the_lt3_column(slope_pct):
    got = ero.ls_factor(pct_to_deg(slope_pct), np.array([0.01, 1.0, 2.0]) * FT_TO_M)
    assert np.all(np.abs(got - AH703_TABLE_4_3[slope_pct][0]) <= TABLE_TOL)


def test_ls_table_cell_count():
    """At least the six rows of docs/science.md §3.4 plus 15 further cells are checked against the table."""
    assert sum(len(v) for v in AH703_TABLE_4_3.values()) == 11 * 17 + 10


# ---------------------------------------------------------------------------------------------
# LS: hand calculations and properties
# ---------------------------------------------------------------------------------------------


def test_ls_hand_computed_30_deg_50_m():
    # sin30° = 0.5; 0.5^0.8 = 0.574349; β = (0.5/0.0896) / (3·0.574349 + 0.56)
    #   = 5.580357 / 2.283048 = 2.444258; m = β/(1+β) = 0.709662
    # L = (50/22.13)^m = 2.259376^0.709662 = 1.78325; S (McCool, tanθ ≥ 0.09) = 16.8·0.5 − 0.5 = 7.9
    # LS = 1.78325 · 7.9 = 14.0877
    assert ero.slope_length_exponent(30.0) == pytest.approx(0.709662, abs=1e-6)
    assert ero.slope_length_factor(30.0, 50.0) == pytest.approx(1.78325, abs=1e-5)
    assert ero.ls_factor(30.0, 50.0) == pytest.approx(14.0877, abs=1e-4)


def test_slope_length_factor_is_one_on_the_unit_plot_and_on_flat_ground():
    slopes = np.array([0.0, 1.0, 5.0, 20.0, 45.0, 90.0])
    np.testing.assert_allclose(ero.slope_length_factor(slopes, 22.13), 1.0, rtol=1e-12)
    np.testing.assert_allclose(ero.slope_length_factor(0.0, [1.0, 50.0, 500.0]), 1.0)


def test_ls_on_flat_ground_is_small_positive():
    # θ = 0: m = 0 so L = 1, and S = 10.8·0 + 0.03 = 0.03, for any length.
    got = ero.ls_factor(0.0, np.array([0.5, 5.0, 300.0]))
    assert np.all(np.isfinite(got))
    np.testing.assert_allclose(got, 0.03)


def test_ls_is_finite_at_90_degrees():
    assert np.isfinite(ero.ls_factor(90.0, 10.0))


def test_ls_is_monotone_in_slope_and_length():
    slopes = np.linspace(0.0, 60.0, 121)
    lengths = np.geomspace(0.3, 500.0, 80)
    grid = ero.ls_factor(slopes[:, None], lengths[None, :])
    assert np.all(np.diff(grid, axis=0) > 0)  # steeper erodes more
    assert np.all(np.diff(grid, axis=1) >= 0)  # longer never erodes less
    assert np.all(np.diff(grid[slopes > 1, :][:, lengths > 5], axis=1) > 0)


def test_ls_broadcasts_like_scalar_calls():
    slopes = np.array([[2.0], [10.0], [35.0]])
    lengths = np.array([2.0, 20.0, 200.0, 22.13])
    got = ero.ls_factor(slopes, lengths, method="liu")
    assert got.shape == (3, 4)
    for i, s in enumerate(slopes[:, 0]):
        for j, lam in enumerate(lengths):
            assert got[i, j] == pytest.approx(ero.ls_factor(s, lam, method="liu"), rel=1e-12)


def test_ls_is_l_times_s_from_15_ft_up():
    slopes, lengths = np.array([1.0, 8.0, 30.0]), np.array([4.572, 10.0, 100.0])
    np.testing.assert_allclose(
        ero.ls_factor(slopes, lengths),
        ero.slope_length_factor(slopes, lengths) * ero.slope_steepness(slopes),
        rtol=1e-12,
    )


# ---------------------------------------------------------------------------------------------
# S: McCool and Liu
# ---------------------------------------------------------------------------------------------


def test_liu_against_mccool_at_30_degrees():
    # docs/science.md §3.4: 9.99 against 7.90. Liu: 21.91·0.5 − 0.96 = 9.995; McCool: 16.8·0.5 − 0.5 = 7.90.
    assert ero.slope_steepness(30.0, method="liu") == pytest.approx(9.995, abs=1e-9)
    assert ero.slope_steepness(30.0, method="mccool") == pytest.approx(7.90, abs=1e-9)
    assert ero.slope_steepness(30.0) == pytest.approx(7.90, abs=1e-9)


def test_mccool_branches_by_hand():
    # 5 %: tanθ = 0.05 < 0.09, sinθ = 0.05/sqrt(1.0025) = 0.0499376 → 10.8·sinθ + 0.03 = 0.569326
    assert ero.slope_steepness(pct_to_deg(5.0)) == pytest.approx(0.569326, abs=1e-6)
    # 20 %: sinθ = 0.2/sqrt(1.04) = 0.1961161 → 16.8·sinθ − 0.5 = 3.294751 − 0.5 = 2.794751
    assert ero.slope_steepness(pct_to_deg(20.0)) == pytest.approx(2.794751, abs=1e-6)


def test_liu_uses_mccool_below_9_percent():
    gentle = pct_to_deg(np.array([0.0, 2.0, 8.9]))
    np.testing.assert_array_equal(
        ero.slope_steepness(gentle, "liu"), ero.slope_steepness(gentle, "mccool")
    )
    # and the two Liu pieces nearly meet at 9 %: 1.000 against 1.004
    below, above = ero.slope_steepness(pct_to_deg([8.9999, 9.0]), "liu")
    assert abs(above - below) < 0.01


def test_unknown_slope_method_names_the_valid_ones():
    with pytest.raises(ValueError, match=r"'wischmeier'.*'liu', 'mccool'"):
        ero.slope_steepness(10.0, method="wischmeier")
    with pytest.raises(ValueError, match="valid methods"):
        ero.ls_factor(10.0, 20.0, method="Mccool")


# ---------------------------------------------------------------------------------------------
# Input validation
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("slope", "length", "message"),
    [
        (-1.0, 10.0, r"slope_deg must be between 0 and 90 degrees; got -1"),
        (95.0, 10.0, r"slope_deg .* got 95"),
        (np.nan, 10.0, r"slope_deg .* got nan"),
        (10.0, 0.0, r"slope_length_m must be > 0 m .*got 0"),
        (10.0, -5.0, r"slope_length_m .*got -5"),
        (10.0, np.inf, r"slope_length_m .*got inf"),
    ],
)
def test_ls_rejects_bad_inputs(slope, length, message):
    with pytest.raises(ValueError, match=message):
        ero.ls_factor(slope, length)


def test_validation_lists_every_problem_at_once():
    with pytest.raises(ValueError) as info:
        ero.ls_factor(np.array([5.0, -2.0, 91.0]), np.array([10.0, 0.0, 10.0]))
    text = str(info.value)
    assert "-2 at index 1" in text and "91 at index 2" in text and "0 at index 1" in text


def test_slope_functions_reject_bad_slopes():
    for func in (ero.slope_steepness, ero.slope_length_exponent):
        with pytest.raises(ValueError, match="slope_deg"):
            func([10.0, 120.0])
    with pytest.raises(ValueError, match="slope_length_m"):
        ero.slope_length_factor(10.0, [-1.0])


# ---------------------------------------------------------------------------------------------
# R, K, P constants and functions
# ---------------------------------------------------------------------------------------------


def test_rainfall_erosivity_at_pingshuo():
    # 0.0068 · 430^1.99 = 0.0068 · 174021 = 1183 (Ning et al. 2020; docs/science.md §3.2: "1,183 at Pingshuo")
    assert ero.rainfall_erosivity_from_rainfall(430.0) == pytest.approx(1180.0, rel=0.01)
    got = ero.rainfall_erosivity_from_rainfall(np.array([[300.0], [600.0]]))
    assert got.shape == (2, 1) and got[1, 0] > got[0, 0]
    assert ero.rainfall_erosivity_from_rainfall(0.0) == 0.0
    with pytest.raises(ValueError, match="annual_rainfall_mm"):
        ero.rainfall_erosivity_from_rainfall(-10.0)


def test_unit_constants():
    assert ero.R_US_TO_SI == 17.02
    assert ero.K_US_TO_SI == 0.1317
    assert ero.DISTURBED_K_MULTIPLIER == 2.13
    assert ero.T_PER_HA_TO_T_PER_KM2 == 100.0


def test_support_practice_factors_live_in_the_catalog():
    """P factors are measure data (docs/science.md §3.6): the catalog rows the scoring reads hold
    the published values, each with its source; no measure means P = 1 (the RUSLE definition)."""
    from optimizer.catalog import load_catalog, schema

    ms = load_catalog().measures.set_index("measure_id")
    published = {"contour_ridges": 0.52, "terrace": 0.28, "level_terrace": 0.12}
    assert ms.loc[list(published), "p_factor"].to_dict() == published
    for mid in published:
        assert ms.at[mid, "source"] and ms.at[mid, "confidence"] == "B"
    assert "meta-analysis of 196 studies" in ms.at["terrace", "source"]
    p = schema().set_index(["table", "column"]).loc[("measures", "p_factor")]
    assert float(p["default"]) == 1.0 and (float(p["min"]), float(p["max"])) == (0.0, 1.0)
    assert not hasattr(ero, "SUPPORT_PRACTICE_FACTORS")   # one home: the catalog


def test_settings_presets_use_these_constants():
    """The region presets take R, K's field-plot ratio and the tolerable loss from here (the SL 773-2018
    disturbed-ground multiplier is no longer applied: docs/science.md §3.3)."""
    from optimizer.settings import REGIONS, resolve_settings

    s = resolve_settings({"climate": {"annual_rainfall_mm": 430.0}})
    assert s.rainfall_erosivity_mj_mm_per_ha_h_yr == ero.rainfall_erosivity_from_rainfall(430.0)
    assert s.soil_erodibility_t_ha_h_per_ha_mj_mm == pytest.approx(0.045 * ero.K_CHINA_FIELD_PLOT_RATIO)
    assert s.tolerable_soil_loss_t_per_ha_yr * ero.T_PER_HA_TO_T_PER_KM2 \
        == ero.TOLERABLE_SOIL_LOSS_T_PER_KM2_YR["loess_plateau"]
    assert REGIONS["loess_plateau"]["rainfall_erosivity_mj_mm_per_ha_h_yr"][1].startswith("R = 0.0068·P^1.99")
    assert "× 0.4, Chinese field-plot K" in REGIONS["eastern_plain"]["soil_erodibility_t_ha_h_per_ha_mj_mm"][1]
    assert all("2.13" not in r["soil_erodibility_t_ha_h_per_ha_mj_mm"][1] for r in REGIONS.values())


# ---------------------------------------------------------------------------------------------
# C: cover-management
# ---------------------------------------------------------------------------------------------


def test_cai_2000_points():
    # 0.6508 − 0.3436·lg 10 = 0.3072; 0.6508 − 0.3436·lg 40 = 0.6508 − 0.3436·1.60206 = 0.1003
    got = ero.cover_management_factor([10.0, 40.0])
    np.testing.assert_allclose(got, [0.307, 0.100], atol=5e-4)


def test_cai_2000_boundaries():
    got = ero.cover_management_factor([0.0, 0.05, 0.1, 78.3, 90.0, 100.0])
    np.testing.assert_array_equal(got, [1.0, 1.0, 1.0, 0.0, 0.0, 0.0])
    # just above 0.1 %: 0.6508 + 0.3436 = 0.9944; just below 78.3 %: about 0.0001
    assert ero.cover_management_factor(0.1000001) == pytest.approx(0.9944, abs=1e-6)
    assert 0.0 < ero.cover_management_factor(78.29) < 1e-3
    cover = np.linspace(0.0, 100.0, 1001)
    assert np.all(np.diff(ero.cover_management_factor(cover)) <= 0)


def test_cover_factor_rejects_out_of_range():
    for func in (ero.cover_management_factor, ero.cover_factor_grass_wischmeier):
        with pytest.raises(ValueError, match=r"cover_pct must be between 0 and 100 %; got 101"):
            func([50.0, 101.0])
        with pytest.raises(ValueError, match="cover_pct"):
            func(-0.5)


def test_wischmeier_table_10_points_and_interpolation():
    points = {0.0: 0.45, 20.0: 0.20, 40.0: 0.10, 60.0: 0.042, 80.0: 0.013, 95.0: 0.003}
    got = ero.cover_factor_grass_wischmeier(list(points))
    np.testing.assert_allclose(got, list(points.values()), rtol=0, atol=1e-12)
    # midpoints by hand: 10 % → (0.45 + 0.20)/2 = 0.325; 70 % → (0.042 + 0.013)/2 = 0.0275
    np.testing.assert_allclose(ero.cover_factor_grass_wischmeier([10.0, 70.0]), [0.325, 0.0275])
    assert ero.cover_factor_grass_wischmeier(100.0) == 0.003


# ---------------------------------------------------------------------------------------------
# Vegetation cover over time
# ---------------------------------------------------------------------------------------------


def test_vegetation_cover_series_shapes_and_values():
    years = np.arange(1, 11)
    cover_max = np.array([[40.0], [80.0], [95.0]])
    got = ero.vegetation_cover_series(years, cover_max, 0.5)
    assert got.shape == (3, 10)
    # by hand: 80 − 80·e^(−0.5·2) = 80·(1 − 0.367879) = 50.5696
    assert got[1, 1] == pytest.approx(50.5696, abs=1e-4)
    assert np.all(np.diff(got, axis=1) > 0) and np.all(got < cover_max)
    assert ero.vegetation_cover_series(years, 80.0, 0.5).shape == (10,)


def test_vegetation_cover_series_initial_cover_and_rate_zero():
    got = ero.vegetation_cover_series(np.array([0.0, 1.0, 50.0]), 60.0, 0.3, cover_initial_pct=20.0)
    assert got[0] == pytest.approx(20.0) and got[-1] == pytest.approx(60.0, abs=1e-4)
    np.testing.assert_allclose(ero.vegetation_cover_series([1.0, 5.0], 60.0, 0.0, 15.0), 15.0)
    per_zone = ero.vegetation_cover_series(
        [1.0, 2.0], [[50.0], [70.0]], [[0.2], [0.4]], [[0.0], [10.0]]
    )
    assert per_zone.shape == (2, 2)


def test_vegetation_cover_series_rejects_bad_inputs():
    with pytest.raises(ValueError, match="years must be 1-D"):
        ero.vegetation_cover_series([[1.0, 2.0]], 50.0, 0.3)
    with pytest.raises(ValueError, match=r"cover_max_pct .* got 120.*rate_per_yr .* got -0.1"):
        ero.vegetation_cover_series([1.0], 120.0, -0.1)
    with pytest.raises(ValueError, match="trailing axis"):
        ero.vegetation_cover_series(np.arange(1, 4), np.array([50.0, 60.0]), 0.3)


def test_cover_over_time_gives_falling_c():
    cover = ero.vegetation_cover_series(np.arange(1, 6), 80.0, 0.6)
    c = ero.cover_management_factor(cover)
    assert np.all(np.diff(c) < 0)  # the first year after works erodes the most


# ---------------------------------------------------------------------------------------------
# A: soil loss and its grade
# ---------------------------------------------------------------------------------------------


def test_soil_loss_by_hand_and_broadcast():
    # R 1180 · K 0.045 · LS 5 · C 1 · P 1 = 265.5 t/ha/yr
    assert ero.soil_loss(1180.0, 0.045, 5.0, 1.0, 1.0) == pytest.approx(265.5)
    got = ero.soil_loss(1180.0, 0.045, np.array([[1.0], [5.0]]), np.array([1.0, 0.1]), 0.28)
    np.testing.assert_allclose(got, 1180 * 0.045 * 0.28 * np.array([[1.0, 0.1], [5.0, 0.5]]))
    with pytest.raises(ValueError, match=r"K must be ≥ 0; got -0.1.*C must be ≥ 0"):
        ero.soil_loss(1180.0, -0.1, 1.0, np.nan, 1.0)


def test_erosion_intensity_grade_sl190():
    loss = [0.0, 1000.0, 1000.1, 2500.0, 2501.0, 5000.0, 7999.0, 8000.0, 15000.0, 15001.0]
    expected = ["none", "none", "slight", "slight", "moderate", "moderate", "intense", "intense",
                "very intense", "severe"]
    assert ero.erosion_intensity_grade(loss).tolist() == expected
    assert ero.erosion_intensity_grade(300.0, tolerable_t_per_km2_yr=200.0) == "slight"
    # t/ha/yr → t/km²/yr: 265.5 t/ha/yr = 26,550 t/km²·a, "severe" like Antaibao's dumps
    assert ero.erosion_intensity_grade(265.5 * ero.T_PER_HA_TO_T_PER_KM2) == "severe"
    with pytest.raises(ValueError, match="tolerable_t_per_km2_yr"):
        ero.erosion_intensity_grade(100.0, tolerable_t_per_km2_yr=3000.0)


def test_regional_tolerable_losses():
    assert ero.TOLERABLE_SOIL_LOSS_T_PER_KM2_YR["loess_plateau"] == 1000.0
    assert ero.TOLERABLE_SOIL_LOSS_T_PER_KM2_YR["southern_red_soil"] == 500.0
    assert ero.TOLERABLE_SOIL_LOSS_T_PER_KM2_YR["northeast_black_soil"] == 200.0


def test_model_functions_keep_scalars_scalar():
    assert np.ndim(ero.ls_factor(10.0, 20.0)) == 0
    assert isinstance(float(ero.cover_management_factor(30.0)), float)
    assert math.isfinite(ero.slope_steepness(0.0))
