"""``sinkplan simulate`` and :func:`optimizer.options.simulate.simulate`: trajectories per zone, option and
year that add up to the option table, stocks checked by hand against the cited model functions, the
baseline beside every option, bad input refused, and the command end to end."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from conftest import make_site
from optimizer.catalog import load_catalog
from optimizer.cli import main
from optimizer.errors import ProblemsError, SinkPlanError
from optimizer.models import climate
from optimizer.options.simulate import (
    OUTPUT_COLUMNS,
    VALUE_COLUMNS,
    iter_simulate,
    parse_option_specs,
    simulate,
)


@pytest.fixture(scope="module")
def tiny_traj(tiny_table):
    return simulate(tiny_table)


def test_one_row_per_zone_option_and_year(tiny_table, tiny_traj):
    T = tiny_table.settings.horizon_yr
    assert tuple(tiny_traj.columns) == OUTPUT_COLUMNS
    assert len(tiny_traj) == tiny_table.n_rows * (T + 1)
    years = tiny_traj["year"].to_numpy().reshape(tiny_table.n_rows, T + 1)
    assert (years == np.arange(T + 1)).all()
    assert not tiny_traj.duplicated(["zone_id", "option_id", "year"]).any()
    assert (tiny_traj["calendar_year"] == tiny_table.settings.start_year + tiny_traj["year"]).all()


def test_net_removals_over_the_years_are_the_option_tables_removals(tiny_table, tiny_traj):
    table = tiny_table.to_frame().set_index(["zone_id", "option_id"])
    summed = tiny_traj.groupby(["zone_id", "option_id"], sort=False)["net_removals_tco2e"].sum()
    np.testing.assert_allclose(summed.to_numpy(), table.loc[summed.index, "removals_tco2e"].to_numpy(),
                               rtol=1e-12, atol=1e-9)
    # and the soil lost per ha, times the area, averages to the table's mean loss per year
    loss = (tiny_traj["soil_loss_t_per_ha"] * tiny_traj["area_ha"]).groupby(
        [tiny_traj["zone_id"], tiny_traj["option_id"]], sort=False).sum() / tiny_table.settings.horizon_yr
    np.testing.assert_allclose(loss.to_numpy(), table.loc[loss.index, "soil_loss_t_per_yr"].to_numpy(), rtol=1e-12)


def test_baseline_columns_are_the_natural_regeneration_option(tiny_traj):
    for zone, g in tiny_traj.groupby("zone_id"):
        base_id = g["option_id_baseline"].iloc[0]
        assert (g["option_id_baseline"] == base_id).all()
        if zone != "F":            # F is a pool: natural regeneration where it is offered, else no works
            assert base_id == "natural_regeneration"
        own = g[g["option_id"] == base_id].set_index("year")
        for _, opt in g.groupby("option_id"):
            opt = opt.set_index("year")
            for c in VALUE_COLUMNS:
                np.testing.assert_array_equal(opt[f"{c}_baseline"].to_numpy(), own[c].to_numpy())


def test_year_zero_is_the_state_before_works(tiny_table, tiny_traj):
    y0 = tiny_traj[tiny_traj["year"] == 0]
    assert (y0["biomass_c_t_per_ha"] == 0).all() and (y0["cover_pct"] == 0).all()
    s = tiny_table.settings
    spoil_only = s.spoil_soc_g_per_kg * s.soil_bulk_density_t_per_m3 * s.soc_depth_cm / 10   # no soil over the spoil
    assert (y0["soc_c_t_per_ha"] >= spoil_only - 1e-9).all()
    assert y0["net_removals_tco2e"].isna().all() and y0["soil_loss_t_per_ha"].isna().all()
    assert tiny_traj.loc[tiny_traj["year"] > 0, ["net_removals_tco2e", "soil_loss_t_per_ha"]].notna().all().all()
    assert (tiny_traj["soc_depth_cm"] == tiny_table.settings.soc_depth_cm).all() and s.soc_depth_cm == 30.0


def test_stocks_by_hand_on_one_flat_zone():
    """1 ha of bare platform at 430 mm and 7 °C (semi-arid), mixed stand: the stocks are the cited
    model functions (docs/science.md §2.1–§2.3), by hand."""
    site = make_site([dict(zone_id="Z")])
    s = site.settings
    assert s.climate == "semi_arid"
    df = simulate(site, {"Z": "tree_shrub_herb"}, years=20).set_index("year")
    g = load_catalog().growth.loc[("tree_shrub_herb", "semi_arid")]
    t = np.arange(21.0)
    ratio = climate.productivity_index(430.0, 7.0) / climate.productivity_index(g["ref_rainfall_mm"],
                                                                                 g["ref_temperature_c"])
    c_max = g["c_max_t_c_per_ha"] * ratio ** g["beta_c_max"]
    k = g["k_per_yr"] * ratio ** g["gamma_k"]
    cat = load_catalog()
    growth = cat.param("cover_depth_min_multiplier")        # bare spoil: no cover soil
    biomass = growth * c_max * (1 - np.exp(-k * t)) ** g["m"]
    soc_0 = s.spoil_soc_g_per_kg * s.soil_bulk_density_t_per_m3 * 30 / 10
    rate = g["soc_rate_t_c_per_ha_yr"] * ratio ** g["beta_soc"]
    soc_no_erosion = soc_0 + rate * g["soc_tau_yr"] * (1 - np.exp(-t / g["soc_tau_yr"]))
    np.testing.assert_allclose(df["biomass_c_t_per_ha"], biomass, rtol=1e-10, atol=1e-12)
    assert df.loc[0, "soc_c_t_per_ha"] == pytest.approx(soc_0)
    # erosion on a 2° platform takes a little of the pool: below the no-erosion path, never above
    assert (df["soc_c_t_per_ha"] <= soc_no_erosion + 1e-9).all()
    np.testing.assert_allclose(df["soc_c_t_per_ha"], soc_no_erosion, rtol=0.02)
    np.testing.assert_allclose(df["ecosystem_c_t_per_ha"], biomass + df["soc_c_t_per_ha"], rtol=1e-10)
    # the cover C sees: each year's mean of 85·(1 − e^(−0.2·s)) over [t − 1, t] (measures.csv), 0 before works
    mean_cover = 85.0 - 85.0 * np.exp(-0.2 * (t - 1)) * (1 - np.exp(-0.2)) / 0.2
    np.testing.assert_allclose(df["cover_pct"], np.where(t == 0, 0.0, mean_cover), rtol=1e-12)
    # a flat, vegetated zone far from tolerance limits still loses some soil, most in year 1
    assert df.loc[1, "soil_loss_t_per_ha"] == df["soil_loss_t_per_ha"].max()


def test_several_options_of_one_zone_and_the_horizon(tiny_table):
    df = simulate(tiny_table, [("C", "natural_regeneration"), ("C", "tree_shrub_herb")], years=5)
    assert list(df["option_id"].unique()) == ["natural_regeneration", "tree_shrub_herb"]
    assert sorted(df["year"].unique()) == list(range(6))
    full = simulate(tiny_table, {"C": "tree_shrub_herb"})
    a = df[df["option_id"] == "tree_shrub_herb"].set_index("year")
    b = full.set_index("year").loc[:5]
    for c in VALUE_COLUMNS:
        np.testing.assert_allclose(a[c], b[c], rtol=1e-12)
    assert len(simulate(tiny_table, [])) == 0


def test_chunks_add_up_to_the_whole(tiny_table, tiny_traj):
    parts = list(iter_simulate(tiny_table, chunk_rows=7))
    assert len(parts) == math.ceil(tiny_table.n_rows / 7)
    pd.testing.assert_frame_equal(pd.concat(parts, ignore_index=True), tiny_traj)


def test_bad_input_is_a_sinkplan_error(tiny_table):
    with pytest.raises(ProblemsError) as e:
        simulate(tiny_table, [("Q", "robinia"), ("A", "poplar"), ("A", "terrace+tree_shrub_herbb")])
    msg = str(e.value)
    assert "3 problems" in msg and "'Q'" in msg and "no such zone" in msg
    assert "'poplar' is not an option of the catalog" in msg         # switched off in the tiny catalog
    assert "not an option of the catalog" in msg and "nearest: 'terrace+tree_shrub_herb'" in msg
    with pytest.raises(ProblemsError, match="not feasible for this zone"):
        simulate(tiny_table, {"F": "tree_shrub_herb"})                 # open water takes no trees
    for years in (0, -3, 2.5, True, 201):
        with pytest.raises(SinkPlanError, match="--years"):
            simulate(tiny_table, {"C": "tree_shrub_herb"}, years=years)
    with pytest.raises(SinkPlanError, match="not ZONE=OPTION"):
        parse_option_specs(["C=grassland", "robinia"])
    assert parse_option_specs(["S=1=robinia"]) == [("S=1", "robinia")]


def test_cli_writes_the_trajectories(tiny_gdf, write_site, tmp_path):
    site = write_site(tiny_gdf)
    out = tmp_path / "traj.csv"
    assert main(["simulate", str(site), "--option", "P-1=tree_shrub_herb", "--option", "S-1=natural_regeneration",
                 "--years", "3", "-o", str(out)]) == 0
    df = pd.read_csv(out)
    assert tuple(df.columns) == OUTPUT_COLUMNS
    assert len(df) == 2 * 4 and list(df["zone_id"].unique()) == ["P-1", "S-1"]
    assert df.loc[df["year"] == 0, "net_removals_tco2e"].isna().all()
    every = tmp_path / "every.csv"
    assert main(["simulate", str(site), "--years", "2", "-o", str(every)]) == 0
    assert pd.read_csv(every).groupby(["zone_id", "option_id"]).size().eq(3).all()


@pytest.mark.parametrize("args, message", [
    (["--option", "Z-9=robinia"], "no such zone"),
    (["--option", "P-1=robinnia"], "not an option of the catalog"),
    (["--option", "P-1"], "not ZONE=OPTION"),
    (["--years", "0"], "--years 0"),
    (["-o", "traj.xlsx"], "traj.xlsx"),
])
def test_cli_refuses_bad_input_with_exit_2(tiny_gdf, write_site, tmp_path, capsys, args, message):
    site = write_site(tiny_gdf)
    argv = ["simulate", str(site), *args]
    if "-o" not in args:
        argv += ["-o", str(tmp_path / "traj.csv")]
    assert main(argv) == 2
    assert message in capsys.readouterr().err.replace("\n", " ")
    assert not (tmp_path / "traj.csv").exists()


@pytest.mark.slow
def test_cli_end_to_end_in_a_fresh_interpreter(tiny_gdf, write_site, tmp_path):
    site = write_site(tiny_gdf)
    run = [sys.executable, "-c", "from optimizer.cli import entry; entry()", "simulate", str(site)]
    env = {"COLUMNS": "120", "PATH": "/usr/bin:/bin"}
    heap = "H-1=fire_capping+lime_phosphate_organic+shrub"     # a burning, contaminated heap
    ok = subprocess.run([*run, "--option", heap, "--years", "4", "-o", str(tmp_path / "t.csv")],
                        capture_output=True, text=True, env=env)
    bad = subprocess.run([*run, "--option", "H-1=tree_shrub_herb", "-o", str(tmp_path / "u.csv")],
                         capture_output=True, text=True, env=env)
    assert ok.returncode == 0, ok.stderr
    assert len(pd.read_csv(tmp_path / "t.csv")) == 5
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and "H-1" in bad.stderr


@pytest.mark.parametrize("rainfall, temperature, expected_class", [(430.0, 7.0, "semi_arid"), (650.0, 8.0, "sub_humid"),
                                                                   (1500.0, 20.0, "humid_subtropical")])
def test_natural_regeneration_cover_follows_the_climate(rainfall, temperature, expected_class):
    """Spontaneous cover closes within 10–15 yr where it is humid (Chuman 2015) and stays sparse where
    it is semi-arid: the cover path of natural regeneration, and so of the no-works baseline, is the
    climate class's (parameters natural_cover_*, docs/science.md §3.5)."""
    site = make_site([dict(zone_id="Z")], overrides={"annual_rainfall_mm": rainfall,
                                                                 "mean_temperature_c": temperature})
    assert site.settings.climate == expected_class
    cat = load_catalog()
    f_max = cat.param(f"natural_cover_max_pct_{expected_class}")
    rate = cat.param(f"natural_cover_rate_per_yr_{expected_class}")
    df = simulate(site, {"Z": "natural_regeneration"}, years=15).set_index("year")
    t = np.arange(1.0, 16.0)
    mean_cover = f_max - f_max * np.exp(-rate * (t - 1)) * (1 - np.exp(-rate)) / rate
    np.testing.assert_allclose(df.loc[1:, "cover_pct"], mean_cover, rtol=1e-12)
    np.testing.assert_allclose(df.loc[1:, "cover_pct_baseline"], mean_cover, rtol=1e-12)
    if expected_class == "semi_arid":
        assert df.loc[15, "cover_pct"] < 31.0
    else:           # Chuman 2015: (near) full cover within 10–15 years on humid spoil
        assert df.loc[13, "cover_pct"] > 0.9 * 95.0
