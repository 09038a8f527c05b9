"""The option table: suitability rules (data, not code), crediting eligibility, and options
scored by hand from the published figures."""

from __future__ import annotations

import math

import numpy as np
import pytest

from conftest import make_site
from optimizer.catalog import load_catalog
from optimizer.options import evaluate_options


def measure(cat, measure_id):
    """A measure's catalog row: hand calculations read the figures where the pipeline does."""
    return cat.measures.set_index("measure_id").loc[measure_id]


def options_of(table, zone_id):
    df = table.to_frame()
    return df[df["zone_id"] == zone_id].set_index("option_id")


def has(ids, *measures):
    return [o for o in ids if all(m in o.split("+") for m in measures)]


@pytest.fixture(scope="module")
def table():
    site = make_site([
        dict(zone_id="steep", zone_type="slope", slope_deg=30.0, slope_length_m=25.0),
        dict(zone_id="gentle", zone_type="slope", slope_deg=15.0, slope_length_m=25.0),
        dict(zone_id="flat", land_designation="planned_afforestation_land", area_ha=2.0),
        dict(zone_id="tiny", land_designation="planned_afforestation_land", area_ha=0.03),
        dict(zone_id="fire", zone_type="waste_heap", slope_deg=25.0, slope_length_m=20.0, burning="high"),
        dict(zone_id="dirty", contaminated=True),
        dict(zone_id="shallow", zone_type="subsidence_pool", water_depth_m=1.0, slope_deg=np.nan),
        dict(zone_id="deep", zone_type="subsidence_pool", water_depth_m=5.0, slope_deg=np.nan),
    ])
    return evaluate_options(site)


def test_trees_need_terraces_on_steep_slopes(table):
    steep = options_of(table, "steep").index
    woody_trees = [o for o in steep if any(v in o.split("+") for v in ("tree_shrub_herb", "robinia", "conifer"))]
    assert woody_trees, "trees must be offered on a 30° slope once terraced or regraded"
    assert all(("terrace" in o.split("+")) or ("regrade_20" in o.split("+")) for o in woody_trees)
    assert not has(steep, "poplar")                                  # poplar: platforms only
    gentle = options_of(table, "gentle").index
    assert has(gentle, "tree_shrub_herb") and [o for o in gentle if o == "tree_shrub_herb"]
    assert not has(gentle, "regrade_20")                             # regrading needs > 22°


def test_natural_regeneration_always_offered(table):
    for z in ("steep", "gentle", "flat", "fire", "dirty"):
        assert "natural_regeneration" in options_of(table, z).index
    for z in ("shallow", "deep"):                                    # open water: the untreated pool
        assert "no_works" in options_of(table, z).index
    assert "no_works" not in options_of(table, "flat").index         # land always regenerates


def test_burning_heap_needs_fire_suppression_before_planting(table):
    fire = options_of(table, "fire").index
    planted = [o for o in fire if any(v in o.split("+") for v in ("shrub", "grassland", "robinia"))]
    assert planted
    assert all(("fire_capping" in o) or ("fire_full_treatment" in o) for o in planted)
    assert not has(options_of(table, "flat").index, "fire_capping")  # nothing to put out


def test_contaminated_zone_needs_stabilization(table):
    dirty = options_of(table, "dirty").index
    planted = [o for o in dirty if any(v in o.split("+") for v in ("grassland", "shrub", "tree_shrub_herb"))]
    assert planted and all("lime_phosphate_organic" in o for o in planted)
    assert not has(dirty, "gangue_conditioner")
    assert not has(options_of(table, "flat").index, "lime_phosphate_organic")


def test_pools(table):
    shallow = options_of(table, "shallow").index
    deep = options_of(table, "deep").index
    assert has(shallow, "constructed_wetland") and not has(deep, "constructed_wetland")
    assert has(deep, "pv_floating") and not has(shallow, "pv_floating")
    assert has(shallow, "gangue_backfill", "grassland")            # backfill turns a pool into land
    assert not has(deep, "gangue_backfill")
    assert not [o for o in shallow if "grassland" in o and "gangue_backfill" not in o]


def test_climate_rules():
    site = make_site([dict(zone_id="p")], overrides={"annual_rainfall_mm": 1500, "mean_temperature_c": 20})
    assert site.settings.climate == "humid_subtropical"
    ids = options_of(evaluate_options(site), "p").index
    assert not has(ids, "conifer") and not has(ids, "poplar") and has(ids, "eucalyptus_acacia")
    site = make_site([dict(zone_id="p")], overrides={"climate": "cold_semiarid"})   # an old name
    assert site.settings.climate == "cold"
    ids = options_of(evaluate_options(site), "p").index
    assert has(ids, "conifer") and not has(ids, "poplar") and not has(ids, "tree_shrub_herb")
    assert not has(ids, "eucalyptus_acacia")


def test_ccer_eligibility(table):
    flat = options_of(table, "flat")
    assert "CCER" in flat.loc["robinia", "eligible_standards"]
    assert "CCER" not in flat.loc["grassland", "eligible_standards"]     # not afforestation
    steep = options_of(table, "steep")
    assert all("CCER" not in s for s in steep["eligible_standards"])    # mining land
    assert any("VCS" in s for s in steep["eligible_standards"])
    tiny = options_of(table, "tiny")                                       # 300 m² < 400 m²
    assert all("CCER" not in s for s in tiny["eligible_standards"])
    for z in ("shallow", "deep"):                                          # wetlands never
        assert all("CCER" not in s for s in options_of(table, z)["eligible_standards"])
    assert "VM0044" in flat.loc["biochar_20+grassland", "eligible_standards"]
    assert flat.loc["robinia", "credits_tco2e"] > 0
    assert flat.loc["grassland", "credits_tco2e"] == 0


def test_catalog_override(tmp_path):
    f = tmp_path / "mine.csv"
    f.write_text("measure_id,enabled,capex_cny_per_ha\nrobinia,false,\ngrassland,,99999\n", encoding="utf-8")
    site = make_site([dict(zone_id="p")])
    ids = options_of(evaluate_options(site, catalog=str(f)), "p")
    assert not has(ids.index, "robinia")
    base_table = evaluate_options(site)
    base = options_of(base_table, "p")
    cat = base_table.catalog
    on_costs = 1 + cat.param("management_fraction") + cat.param("contingency_fraction")   # 1.2
    assert ids.loc["grassland", "capex_cny"] == pytest.approx(99999 * on_costs)
    assert base.loc["grassland", "capex_cny"] == pytest.approx(measure(cat, "grassland")["capex_cny_per_ha"] * on_costs)


def test_catalog_errors_name_file_and_row(tmp_path):
    from optimizer.errors import CatalogError
    f = tmp_path / "bad.csv"
    f.write_text("measure_id,group,name,zone_types,source,confidence,capex_cny_per_hectare\n"
                 "x,vegetaton,X,platform,me,P,1\n", encoding="utf-8")
    with pytest.raises(CatalogError) as e:
        load_catalog(f)
    assert "capex_cny_per_hectare" in str(e.value) and "capex_cny_per_ha" in str(e.value)


def test_wetland_option_by_hand(table):
    """Constructed wetland on 1 ha of shallow pool, worked by hand from the catalog's figures."""
    s, cat = table.settings, table.catalog
    row = options_of(table, "shallow").loc["constructed_wetland"]
    w = measure(cat, "constructed_wetland")
    burial_t_co2_per_ha = w["wetland_burial_g_c_per_m2_yr"] * 1e4 / 1e6 * 44 / 12   # 242 g C/m²/yr → 8.873
    ch4_t_co2e_per_ha = w["wetland_ch4_kg_per_ha_yr"] * 27 / 1000                   # 235 kg CH4 × GWP 27 → 6.345
    assert row["removals_tco2e"] == pytest.approx(40 * (burial_t_co2_per_ha - ch4_t_co2e_per_ha), rel=1e-9)
    d = (1 + s.discount_rate) ** -np.arange(1, 41)
    works = w["capex_cny_per_ha"]                                                  # ¥262,400 (Mengcheng 2019)
    capex = works * (1 + cat.param("management_fraction") + cat.param("contingency_fraction"))
    monitoring = float(cat.monitoring.at[s.monitoring_level, "cost_cny_per_ha_yr"])
    cost = (capex + w["upkeep_cny_per_ha_yr"] * d.sum() + cat.param("maintenance_fraction") * works * d[0]
            + monitoring * d.sum())  # upkeep 40 yr, maintenance, monitoring
    assert row["capex_cny"] == pytest.approx(capex)
    assert row["cost_cny"] == pytest.approx(cost, rel=1e-9)
    assert row["soil_loss_t_per_yr"] == 0 and row["credits_tco2e"] == 0


def test_open_water_is_a_source():
    """An untreated pool counted as open water emits more than it buries (docs/science.md §2.5)."""
    site = make_site([dict(zone_id="w", zone_type="subsidence_pool", water_depth_m=4.0)],
                     overrides={"subsidence_water_as": "open_water"})
    t = evaluate_options(site)
    row = options_of(t, "w").loc["no_works"]
    burial, ch4 = (t.catalog.param(f"pool_open_water_{k}") for k in ("burial_g_c_per_m2_yr", "ch4_kg_per_ha_yr"))
    per_yr = burial * 1e4 / 1e6 * 44 / 12 - ch4 * 27 / 1000                     # 49.9 g C/m², 77.5 kg CH4
    assert per_yr < 0
    assert row["removals_tco2e"] == pytest.approx(40 * per_yr)


def test_grassland_option_by_hand():
    """Maintained grassland on a flat 2-ha platform with 10 cm of soil, every term by hand."""
    site = make_site([dict(zone_id="g", slope_deg=0.0, slope_length_m=50.0, soil_depth_cm=10.0, area_ha=2.0)])
    t = evaluate_options(site)
    row = options_of(t, "g").loc["grassland+grass_maintenance"]
    s, cat = t.settings, t.catalog
    g = cat.growth.loc[("grassland", s.climate)]
    years = np.arange(1, 41)
    # climate: the class row is stated at its reference climate, scaled by the Miami index ratio
    from optimizer.models.climate import productivity_index
    ratio = productivity_index(430.0, 7.0) / productivity_index(g.ref_rainfall_mm, g.ref_temperature_c)
    # growth multiplier: cover depth 10 of the full depth
    bare, full = cat.param("cover_depth_min_multiplier"), cat.param("cover_depth_full_cm")
    mult = bare + (1 - bare) * 10.0 / full
    k = g.k_per_yr * ratio ** g.gamma_k
    biomass_40 = g.c_max_t_c_per_ha * ratio ** g.beta_c_max * mult * (1 - math.exp(-k * 40)) ** g.m
    # SOC on 0–30 cm: 10 cm of soil over 20 cm of spoil at the start, then first-order accrual
    bd = s.soil_bulk_density_t_per_m3
    soc_0 = bd * (s.soil_soc_g_per_kg * 10 + s.spoil_soc_g_per_kg * 20) / 10
    rate = g.soc_rate_t_c_per_ha_yr * ratio ** g.beta_soc
    gain = rate * g.soc_tau_yr * (1 - np.exp(-years / g.soc_tau_yr))
    # RUSLE at 0°: S = 10.8·sin0 + 0.03 = 0.03, L = (50/22.13)^m with β = 0 → m = 0 → L = 1
    R, K = s.rainfall_erosivity_mj_mm_per_ha_h_yr, s.soil_erodibility_t_ha_h_per_ha_mj_mm
    g_m = measure(cat, "grassland")                         # cover 80 %, 0.5/yr
    # C sees each year's MEAN cover, from bare ground at the start of year 1: the mean of
    # 80·(1 − e^(−0.5 s)) over [t − 1, t]; C never falls below grass's floor 0.003 (AH 537 Table 10)
    r, fmax = g_m["cover_rate_per_yr"], g_m["cover_max_pct"]
    cover = fmax - fmax * np.exp(-r * (years - 1)) * (1 - np.exp(-r)) / r
    assert cover[0] == pytest.approx(80 * (1 - (1 - math.exp(-0.5)) / 0.5))    # 17.0 %, not 31.5 % at year's end
    C = np.maximum(np.where(cover < 78.3, 0.6508 - 0.3436 * np.log10(np.maximum(cover, 0.1)), 0.0), 0.003)
    A = R * K * 0.03 * C                                   # t/ha/yr
    # the pool, year by year: erosion takes the pool's concentration at the start of the year
    pool, prev = soc_0, 0.0
    for j in range(40):
        eroded = A[j] * pool * 10 / (bd * 30) / 1000
        pool += gain[j] - prev - eroded
        prev = gain[j]
    from optimizer.models.carbon import (
        DIESEL_KG_CO2_PER_L,
        GWP100_N2O,
        N2O_EF1_KG_N2O_N_PER_KG_N,
    )
    diesel_l, n_kg = (measure(cat, "grassland")[c] + measure(cat, "grass_maintenance")[c]
                      for c in ("diesel_l_per_ha", "n_fertilizer_kg_per_ha"))
    assert (diesel_l, n_kg) == (20.0, 20.0)
    emissions = (diesel_l * DIESEL_KG_CO2_PER_L / 1000                         # 20 L · 2.68 kg/L
                 + n_kg * N2O_EF1_KG_N2O_N_PER_KG_N * 44 / 28 * GWP100_N2O / 1000)   # 20 kg N · 0.01 · 44/28 · 273
    expect = 2.0 * (44 / 12 * (biomass_40 + pool - soc_0) - emissions)
    assert row["removals_tco2e"] == pytest.approx(expect, rel=1e-9)
    assert row["soil_loss_t_per_yr"] == pytest.approx(2.0 * A.mean(), rel=1e-9)
    assert row["soil_loss_first_year_t"] == pytest.approx(2.0 * A[0], rel=1e-9)
    assert row["within_tolerance"]
    # without maintenance the grassland degrades from year 10 (Yang et al. 2015) and stores less
    assert options_of(t, "g").loc["grassland", "removals_tco2e"] < 0.75 * row["removals_tco2e"]


def test_annual_series_add_up(table):
    rows = np.arange(0, table.n_rows, 7)
    series = table.annual(rows)
    np.testing.assert_allclose(series["net_removals_tco2e"].sum(axis=1), table.data["removals_tco2e"][rows],
                               rtol=1e-10, atol=1e-9)
    np.testing.assert_allclose(series["credits_tco2e"].sum(axis=1), table.data["credits_tco2e"][rows],
                               rtol=1e-10, atol=1e-9)
    assert series["net_removals_tco2e"].shape == (len(rows), 40)


def test_table_is_arrays_not_objects(table):
    assert isinstance(table.data["removals_tco2e"], np.ndarray)
    assert table.combo.dtype == np.int32 and len(table.combo) == table.n_rows
    required = ["zone_id", "option_id", "zone_type", "measures", "area_ha", "removals_tco2e", "avoided_tco2e",
                "credits_tco2e", "credit_value_cny", "cost_cny", "capex_cny", "soil_loss_t_per_yr",
                "soil_loss_first_year_t", "topsoil_m3", "gangue_m3", "within_tolerance", "eligible_standards",
                "placeholder_params"]
    assert set(required) <= set(table.to_frame().columns)


def test_fire_suppression_avoided_emissions_by_hand(table):
    """1 ha heap burning 'high': 10 % of its surface burning [P] at 2,763 kg CO2e/m²/yr (the high
    band of Carras et al. 2009's 12–8,200 range [P]); loess capping avoids 80 % [P] for the 15 years
    the heap would have burnt on [P]. Avoided emissions are kept apart from removals."""
    row = options_of(table, "fire").loc["fire_capping+natural_regeneration"]
    cat = table.catalog
    burning, years = cat.param("burning_area_fraction"), cat.param("fire_burnout_yr")          # 0.1, 15
    avoided = measure(cat, "fire_capping")["fire_avoided_fraction"]                            # 0.8
    from optimizer.models.carbon import GANGUE_FIRE_KG_CO2E_PER_M2_YR
    assert (burning, years, avoided, GANGUE_FIRE_KG_CO2E_PER_M2_YR["high"]) == (0.1, 15, 0.8, 2763.0)
    assert row["avoided_tco2e"] == pytest.approx(1e4 * burning * avoided * 2763.0 / 1000 * years, rel=1e-9)
    assert options_of(table, "fire").loc["natural_regeneration", "avoided_tco2e"] == 0


def test_combination_parameters_are_typed_arrays(table):
    """Per-combination inputs travel as a frozen dataclass of (C,) arrays; plan shares read them by name."""
    from dataclasses import FrozenInstanceError, fields

    from optimizer.options import ComboParams

    p = table.combos.params
    assert isinstance(p, ComboParams)
    for f in fields(p):
        assert getattr(p, f.name).shape == (len(table.combos),), f.name
    assert p["veg_type"] is p.veg_type and p["woody"] is p.woody
    with pytest.raises(FrozenInstanceError):
        p.c_max = p.c_max
    rows = np.array([0, 3, 5])
    np.testing.assert_array_equal(p.take(table.combo[rows]).c_max, p.c_max[table.combo[rows]])


def test_scoring_sums_net_removals_with_the_carbon_model(table):
    """The table's removals are models.carbon's net of its terms; no second formula."""
    from optimizer.models import carbon

    rows = np.arange(0, table.n_rows, 11)
    series = table.annual(rows)
    terms = {k: series[k] for k in carbon.NET_REMOVAL_TERMS}
    np.testing.assert_array_equal(carbon.net_of_terms(terms), series["net_removals_tco2e"])
    np.testing.assert_array_equal(series["net_removals_tco2e"].sum(axis=1), table.data["removals_tco2e"][rows])
