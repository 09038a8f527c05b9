"""`sinkplan catalog --placeholders`: which [P] values are listed, and whether moving one changes a
plan's choices on a designed site where the answer is known by hand."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from optimizer.analysis.placeholders import (
    cell_class,
    list_placeholders,
    perturbation_range,
    rank_placeholders,
)
from optimizer.catalog import load_catalog
from optimizer.errors import SinkPlanError

# every measure but the three-layer stand, grassland and natural regeneration is switched off
KEEP = ("tree_shrub_herb", "grassland", "natural_regeneration")


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def keys(phs):
    return {(p.table, p.row, p.column) for p in phs}


def test_source_text_says_which_values_are_placeholders():
    src = "capex: Otog Banner 2016 ¥9.7/m² [A]; capping 2000 m³/ha and 1000 L diesel/ha [P]; 80 % avoided [P]"
    assert cell_class(src, "capex_cny_per_ha", "P") == ("A", True)
    assert cell_class(src, "diesel_l_per_ha", "P") == ("P", True)
    assert cell_class(src, "earthworks_m3_per_ha", "P") == ("P", True)
    assert cell_class(src, "fire_avoided_fraction", "P") == ("P", True)
    # a value the text does not name takes the row's class
    assert cell_class(src, "cover_max_pct", "B") == ("B", False)
    # a clause with a [P] tag is [P] even when it also cites a sourced unit price
    assert cell_class("earthworks 1500 m³/ha [P] at ¥16/m³ (Helin 2021) [A]", "earthworks_m3_per_ha", "B")[0] == "P"


def test_listing_finds_the_known_placeholders_and_not_the_sourced_values(catalog):
    found = keys(list_placeholders(catalog))
    for k in [("measures", "tree_shrub_herb", "capex_cny_per_ha"),       # capex [P] between published bounds
              ("measures", "fire_capping", "diesel_l_per_ha"),           # capping diesel [P] in an A-capex row
              ("measures", "amf", "capex_cny_per_ha"),                   # no inoculant price found
              ("measures", "amf", "soc_multiplier")]:                    # 1.0 until sourced, named [P]
        assert k in found, k
    for k in [("interactions", "amf×grass_legume", "growth_multiplier"),
              ("interactions", "biochar_20×amf", "soc_multiplier"),
              ("parameters", "fire_burnout_yr", "value")]:
        assert k in found, k
    # growth curves: only the classes of the sites' settings, and only cells without data (P)
    from optimizer.settings import resolve_settings
    semi = keys(list_placeholders(catalog, [resolve_settings({})], ["s"]))
    assert ("vegetation_growth", "poplar@semi_arid", "c_max_t_c_per_ha") in semi        # no poplar data
    assert ("vegetation_growth", "conifer@semi_arid", "c_max_t_c_per_ha") not in semi   # fitted to stands
    assert not any(k[1].endswith("@humid_subtropical") for k in semi)
    for k in [("measures", "amf", "growth_multiplier"),                  # ×1.16, Zhang et al. 2019 [B]
              ("measures", "biochar_20", "growth_multiplier"),           # ×1.10, Jeffery et al. 2011 [B]
              ("measures", "fire_capping", "capex_cny_per_ha"),          # Otog Banner [A]
              ("measures", "grassland", "capex_cny_per_ha"),             # Colorado 2020 [A]
              ("measures", "fire_capping", "growth_multiplier"),         # empty cell: no effect, not a value
              ("interactions", "biochar_20×amf", "growth_multiplier"),   # no synergy, Sun et al. 2022 [B]
              ("parameters", "cover_depth_min_multiplier", "value"),     # Bowen et al. 2005 [B]
              ("parameters", "cover_depth_full_cm", "value"),
              ("measures", "biochar_20", "diesel_l_per_ha"),             # a B row's value its text does not name
              ("measures", "sewage_sludge", "capex_cny_per_ha")]:        # disabled: no plan can use it
        assert k not in found, k


def test_listing_takes_the_sites_placeholder_settings_and_monitoring_level(catalog):
    from optimizer.settings import resolve_settings
    s = resolve_settings({"site": {"region": "eastern_plain"}})
    found = keys(list_placeholders(catalog, [s], ["east"]))
    assert ("settings", "east", "rainfall_erosivity_mj_mm_per_ha_h_yr") in found
    assert ("settings", "east", "discount_rate") in found                  # default 0.05 [P]
    assert ("monitoring", "standard", "uncertainty_deduction") in found
    assert not any(t == "monitoring" and r != "standard" for t, r, _ in found)


def test_ranges_halve_and_add_half_multipliers_move_by_a_step_within_the_schema():
    assert perturbation_range(60000.0, "capex_cny_per_ha") == (30000.0, 90000.0)
    assert perturbation_range(1.0, "growth_multiplier") == pytest.approx((0.85, 1.15))
    assert perturbation_range(85.0, "cover_max_pct", 0.0, 100.0) == (42.5, 100.0)


@pytest.fixture
def designed_site(tmp_path):
    """One flat 1-ha platform, 20 cm of soil; only the three-layer stand, grassland and natural
    regeneration are offered. The budget, 50,000 CNY, is below the stand's capital cost
    (60,000 CNY/ha works + 20 % management and contingency = 72,000) and above grassland's, so the
    plan that maximises removals takes grassland; at half the stand's capex (36,000) it takes the
    stand, at 1.5 times it still takes grassland."""
    cat = load_catalog()
    off = [m for m in cat.measures["measure_id"] if m not in KEEP]
    catalog_file = tmp_path / "catalog.csv"
    pd.DataFrame({"measure_id": off, "enabled": "false"}).to_csv(catalog_file, index=False)
    zones = tmp_path / "site" / "zones.csv"
    zones.parent.mkdir()
    pd.DataFrame([dict(zone_id="Z1", zone_type="platform", slope_deg=2.0, slope_length_m=40.0, soil_depth_cm=20.0,
                       burning="none", contaminated=False, land_designation="mining_land", area_ha=1.0)]
                 ).to_csv(zones, index=False)
    (zones.parent / "settings.toml").write_text("[resources]\nbudget_cny = 50000\n")
    return zones, catalog_file


def test_a_value_that_must_change_the_choice_does_and_one_that_cannot_does_not(designed_site):
    zones, catalog_file = designed_site
    df = rank_placeholders([zones], catalog=catalog_file, workers=1).set_index(["table", "row", "column"])
    capex = df.loc[("measures", "tree_shrub_herb", "capex_cny_per_ha")]
    assert (capex["low"], capex["high"]) == (30000.0, 90000.0)
    assert (capex["zones_changed_low"], capex["zones_changed_high"], capex["zones_changed"]) == (1, 0, 1)
    assert capex["sites"] == "site 1"
    # the site has no gangue heap and every zone gives its slope: the default heap slope cannot matter
    heap = df.loc[("parameters", "default_slope_waste_heap_deg", "value")]
    assert (heap["zones_changed_low"], heap["zones_changed_high"], heap["zones_changed"]) == (0, 0, 0)
    assert heap["sites"] == "" and heap["infeasible"] == ""
    assert df["zones_changed"].iloc[0] == df["zones_changed"].max()    # ranked, most changes first
    assert set(df.index.get_level_values("table")) <= {"measures", "interactions", "vegetation_growth",
                                                       "parameters", "monitoring", "settings"}


def test_api_refuses_unknown_objective_and_no_site():
    with pytest.raises(SinkPlanError, match="objective 'carbon'"):
        rank_placeholders(["x.gpkg"], objective="carbon")
    with pytest.raises(SinkPlanError, match="no site"):
        rank_placeholders([])


# ------------------------------------------------------------------------------------------ the CLI

def run(*args):
    return subprocess.run([sys.executable, "-c", "from optimizer.cli import entry; entry()", *args],
                          capture_output=True, text=True, env={"COLUMNS": "160", "PATH": "/usr/bin:/bin"})


@pytest.mark.parametrize("args", [
    ["catalog", "--placeholders", "--objective", "carbon"],
    ["catalog", "sites/loess_dump"],                        # SITES without --placeholders
    ["catalog", "--csv", "{tmp}/r.csv"],
    ["catalog", "--placeholders", "--csv", "{tmp}/r.txt"],
    ["catalog", "--placeholders", "--workers", "0"],
    ["catalog", "--placeholders", "{tmp}/nope.gpkg"],
], ids=["unknown objective", "sites without flag", "csv without flag", "csv suffix", "zero workers",
        "missing site"])
def test_catalog_usage_mistakes_exit_2_with_one_error_line(tmp_path, args):
    r = run(*[a.format(tmp=tmp_path) for a in args])
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert r.stderr.startswith("error: ") and "Traceback" not in r.stderr + r.stdout
    assert not (tmp_path / "r.csv").exists()


def test_catalog_without_flag_prints_the_tables_by_class():
    r = run("catalog")
    assert r.returncode == 0, r.stderr
    assert "measures" in r.stdout and "interactions" in r.stdout and "parameters" in r.stdout


@pytest.mark.slow
def test_catalog_placeholders_writes_the_ranking(designed_site, tmp_path):
    zones, catalog_file = designed_site
    r = run("catalog", "--placeholders", str(zones.parent), "--catalog", str(catalog_file), "--workers", "1",
            "--csv", str(tmp_path / "r.csv"), "--top", "3")
    assert r.returncode == 0, r.stderr
    df = pd.read_csv(tmp_path / "r.csv", keep_default_na=False)
    assert list(df.columns) == ["table", "row", "column", "value", "confidence", "low", "high", "zones_changed_low",
                                "zones_changed_high", "zones_changed", "sites", "infeasible"]
    assert (df["confidence"] == "P").all()
    top = df.iloc[0]
    assert top["zones_changed"] == 1 and "tree_shrub_herb" in r.stdout and "placeholder values" in r.stdout
