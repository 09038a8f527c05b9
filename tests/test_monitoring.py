"""Monitoring (issue 14): zonal statistics against brute force, the conjugate recalibration against a
known truth, observation files with mistakes, and the whole loop on a bundled site (slow)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from optimizer.monitoring.calibrate import Z90, calibrate
from optimizer.monitoring.observations import ObservationError, read_observations
from optimizer.monitoring.zonal import dimidiate_cover, end_members

gpd = pytest.importorskip("geopandas")
shapely = pytest.importorskip("shapely")
pytest.importorskip("rasterio")
pytest.importorskip("exactextract")


def _brute_force(values, transform, polygon):
    """Σ value·(pixel ∩ polygon area) / Σ (pixel ∩ polygon area), pixel by pixel."""
    num = den = 0.0
    for r in range(values.shape[0]):
        for c in range(values.shape[1]):
            x0, y0 = transform @ (c, r)
            x1, y1 = transform @ (c + 1, r + 1)
            a = shapely.box(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)).intersection(polygon).area
            if a > 0 and np.isfinite(values[r, c]):
                num += a * values[r, c]
                den += a
    return num / den if den else np.nan


@pytest.mark.parametrize("raster_crs", ["EPSG:32649", "EPSG:4326", "EPSG:3857"])
def test_zonal_mean_matches_brute_force_in_any_crs(raster_crs):
    from rasterio.transform import from_origin

    from optimizer.monitoring.zonal import zonal_mean

    zones = gpd.GeoDataFrame({"zone_id": ["big", "tiny", "tri"]}, crs="EPSG:32649", geometry=[
        shapely.box(500012, 3999850, 500093, 3999955),
        shapely.box(500041.2, 3999941.5, 500043.9, 3999944.1),            # well inside one pixel
        shapely.Polygon([(500100, 3999900), (500250, 3999990), (500200, 3999820)])])
    in_raster = zones.to_crs(raster_crs)
    minx, miny, maxx, maxy = in_raster.total_bounds
    step = (maxx - minx) / 23.0
    transform = from_origin(minx - 2 * step, maxy + 2 * step, step, step * 1.3)
    rng = np.random.default_rng(3)
    values = rng.random((int((maxy - miny) / (step * 1.3)) + 5, 28))
    values[0, 0] = np.nan
    got = zonal_mean(values, transform, raster_crs, zones)
    want = [_brute_force(values, transform, g) for g in in_raster.geometry]
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-6)
    assert in_raster.geometry.iloc[1].area < step * step * 1.3 / 4    # a zone smaller than a pixel


def test_dimidiate_pixel_model_end_members_from_the_image():
    ndvi = np.concatenate([np.full(100, 0.1), np.full(100, 0.8), np.linspace(0.1, 0.8, 50), [np.nan]])
    soil, veg = end_members(ndvi)
    assert soil == pytest.approx(0.1) and veg == pytest.approx(0.8)
    fvc = dimidiate_cover(np.array([0.0, 0.1, 0.45, 0.8, 0.9, np.nan]), soil, veg)
    np.testing.assert_allclose(fvc[:5], [0, 0, 0.5, 1, 1])
    assert np.isnan(fvc[5])


def _hierarchical(n_zones, campaigns, seed, obs_sd=0.2):
    rng = np.random.default_rng(seed)
    group = np.where(np.arange(n_zones) % 3 == 0, "robinia|semi_arid", "conifer|semi_arid")
    se = np.where(group == "robinia|semi_arid", 0.45, 0.54)
    mu = {g: rng.normal(0, 0.3) for g in np.unique(group)}
    theta = np.array([mu[g] for g in group]) + rng.normal(0, 0.3, n_zones)
    zi = np.repeat(np.arange(n_zones), campaigns)
    camp = np.tile(np.arange(campaigns), n_zones).astype(str)
    y = theta[zi] + rng.normal(0, obs_sd, len(zi))
    return group, se, theta, zi, y, np.full(len(zi), obs_sd), camp


def test_recalibration_recovers_a_known_truth_and_intervals_shrink():
    covered, widths = [], []
    for campaigns in (1, 3, 5):
        group, se, theta, zi, y, sd, camp = _hierarchical(400, campaigns, seed=11)
        post, _ = calibrate(np.arange(400).astype(str), group, se, zi, y, sd, camp)
        lo, hi = post.mean_log - Z90 * post.sd_log, post.mean_log + Z90 * post.sd_log
        covered.append(np.mean((theta >= lo) & (theta <= hi)))
        widths.append(np.mean(hi - lo))
    assert min(covered) >= 0.85 and np.mean(covered) >= 0.9
    assert widths[0] > widths[1] > widths[2]


def test_a_noisy_campaign_is_down_weighted():
    group, se, theta, zi, y, sd, camp = _hierarchical(300, 3, seed=5)
    noisy = camp == "1"
    y = y.copy()
    y[noisy] = theta[zi[noisy]] + np.random.default_rng(1).normal(0, 0.8, noisy.sum())
    post, used = calibrate(np.arange(300).astype(str), group, se, zi, y, sd, camp)
    assert used[noisy].min() > 2.0 * sd[noisy].max()
    assert np.allclose(used[~noisy], sd[~noisy], rtol=0.3)
    lo, hi = post.mean_log - Z90 * post.sd_log, post.mean_log + Z90 * post.sd_log
    assert np.mean((theta >= lo) & (theta <= hi)) >= 0.88


def test_observation_file_mistakes_are_reported_at_once(tmp_path):
    f = tmp_path / "obs.csv"
    f.write_text("zone_id,date,biomass_c_t_per_ha,cover_pct,soc_c_t_per_ha,soc_depth_cm,method\n"
                 "Z1,2030-07-01,1.2,40,,,plot\n"
                 "Z9,2030-07-01,1.2,,,,\n"            # unknown zone
                 "Z1,2024-07-01,1.2,,,,\n"            # before the works
                 "Z2,yesterday,1.2,,,,\n"             # not a date
                 "Z2,2030,abc,130,,,\n"               # not a number; cover > 100
                 "Z2,2030,,,45,,\n"                   # SOC without depth
                 "Z2,2030,1,,,,guess\n"               # unknown method
                 "Z2,2030,,,,,\n", encoding="utf-8")  # nothing measured
    with pytest.raises(ObservationError) as e:
        read_observations(f, ["Z1", "Z2", "Z3"], 2026)
    msg = str(e.value)
    for part in ("zone 'Z9', row '2', field 'zone_id'", "row '3', field 'date'", "row '4', field 'date'",
                 "field 'biomass_c_t_per_ha'", "field 'cover_pct': 130 is outside", "field 'soc_depth_cm'",
                 "field 'method'", "row '8'"):
        assert part in msg, part
    assert len(e.value.problems) == 8


def test_tree_measurements_become_biomass_carbon_by_the_catalogs_allometry(tmp_path):
    """dbh and height of the mean tree × stems → t C/ha by allometry.csv: Jenkins et al. 2003's pine
    equation worked by hand for a conifer zone, Chave et al. 2014 Eq. 4 for a eucalyptus zone;
    the row's observation error is the equation's."""
    from optimizer.catalog import load_catalog

    allometry = load_catalog().allometry
    f = tmp_path / "obs.csv"
    f.write_text("zone_id,date,dbh_cm,height_m,stems_per_ha\n"
                 "P1,2031-07-01,12,7.5,1600\n"
                 "E1,2031-07-01,10,12,1100\n", encoding="utf-8")
    obs = read_observations(f, ["P1", "E1"], 2026, vegetation_type={"P1": "conifer", "E1": "eucalyptus_acacia"},
                            allometry=allometry)
    assert list(obs["quantity"]) == ["biomass_c_t_per_ha"] * 2 and set(obs["method"]) == {"allometry"}
    # pine: exp(-2.5356 + 2.4349 ln 12) = 33.61 kg a tree; × 1600 / 1000 × (1 + 0.224) × 0.47
    pine_kg = np.exp(-2.5356 + 2.4349 * np.log(12.0))
    assert pine_kg == pytest.approx(33.61, abs=0.01)
    assert obs["value"].iloc[0] == pytest.approx(1600 * pine_kg / 1000 * 1.224 * 0.47, rel=1e-12)
    # eucalyptus: 0.0673 × (0.60 × 10² × 12)^0.976 = 41.38 kg a tree; × 1100 / 1000 × 1.25 × 0.47
    euc_kg = 0.0673 * (0.60 * 100 * 12) ** 0.976
    assert euc_kg == pytest.approx(41.38, abs=0.01)
    assert obs["value"].iloc[1] == pytest.approx(1100 * euc_kg / 1000 * 1.25 * 0.47, rel=1e-12)
    np.testing.assert_allclose(obs["sd_log"], allometry.loc[["conifer", "eucalyptus_acacia"], "sd_log"])


#: Jenkins et al. 2003 (For. Sci. 49(1):12-35) Table 4 group coefficients (beta0, beta1), as reproduced by
#: independent secondary sources (allometry.csv's source column says which); Chave et al. 2014 Eq. 4.
PUBLISHED = {
    "conifer": ("jenkins2003", -2.5356, 2.4349),            # pine
    "robinia": ("jenkins2003", -2.4800, 2.4835),            # mixed hardwood
    "poplar": ("jenkins2003", -2.2094, 2.3867),             # aspen/alder/cottonwood/willow
    "tree_shrub_herb": ("jenkins2003", -2.4800, 2.4835),    # mixed hardwood
    "eucalyptus_acacia": ("chave2014", 0.0673, 0.976),      # Eq. 4, with height
}


def test_allometry_coefficients_are_the_published_ones_and_say_how_they_were_read():
    """Every row of allometry.csv carries its paper's coefficients, its source says how they were
    read (secondary, which), page numbers unchecked say so, and the placeholder wood density is P."""
    from optimizer.catalog import load_catalog

    a = load_catalog().allometry
    assert set(a.index) == set(PUBLISHED)
    for veg, (form, b0, b1) in PUBLISHED.items():
        row = a.loc[veg]
        assert (row["form"], float(row["a"]), float(row["b"])) == (form, b0, b1), veg
        assert "secondary" in row["source"] and "not checked" in row["page"], veg
    euc = a.loc["eucalyptus_acacia"]
    assert "PLACEHOLDER" in euc["source"] and euc["confidence"] == "P"


def test_tree_measurement_mistakes_name_file_row_and_field(tmp_path):
    from optimizer.catalog import load_catalog

    f = tmp_path / "trees.csv"
    f.write_text("zone_id,date,dbh_cm,height_m,stems_per_ha\n"
                 "P1,2031,12,-3,1600\n"           # negative height
                 "P1,2031,12,nan,1600\n"          # nan height
                 "P1,2031,12,7,\n"                # no stems
                 "S1,2031,3,1.5,5000\n"           # a shrub zone: no allometry
                 "E1,2031,10,,1100\n"             # chave2014 needs the height
                 "P1,2031,,,1600\n", encoding="utf-8")   # stems alone
    with pytest.raises(ObservationError) as e:
        read_observations(f, ["P1", "S1", "E1"], 2026, allometry=load_catalog().allometry,
                          vegetation_type={"P1": "conifer", "S1": "shrub", "E1": "eucalyptus_acacia"})
    msg = str(e.value)
    for part in ("trees.csv, zone 'P1', row '1', field 'height_m': -3 is outside",
                 "row '2', field 'height_m': 'nan' is not a number",
                 "row '3', field 'stems_per_ha'", "zone 'S1', row '4', field 'dbh_cm': no allometry",
                 "zone 'E1', row '5', field 'height_m': the chave2014 allometry", "row '6', field 'stems_per_ha'"):
        assert part in msg, part
    assert len(e.value.problems) == 6


def test_observations_read_long(tmp_path):
    f = tmp_path / "obs.csv"
    f.write_text("zone,date,biomass_c,cover_pct,soc_c_t_per_ha,soc_depth_cm\nZ1,2030-07-01,1.5,40,20,20\n",
                 encoding="utf-8")
    df = read_observations(f, ["Z1"], 2026)
    assert sorted(df["quantity"]) == ["biomass_c_t_per_ha", "cover_pct", "soc_c_t_per_ha"]
    assert set(df["campaign"]) == {"2030"}


def test_monitor_command_exits_2_on_a_bad_file(tmp_path):
    from optimizer.cli import main

    assert main(["monitor", str(tmp_path / "nope"), "--observations", str(tmp_path / "x.csv"),
                 "--out", str(tmp_path / "o")]) == 2


@pytest.mark.slow
def test_monitoring_loop_recovers_the_synthetic_truth(tmp_path):
    import json

    from optimizer.cli import main
    from optimizer.monitoring.synthetic import write_synthetic

    run, syn, mon = tmp_path / "run", tmp_path / "syn", tmp_path / "mon"
    assert main(["optimize", "sites/loess_dump/zones.gpkg", "--maximize", "removals", "--out", str(run)]) == 0
    files = write_synthetic(run, syn, seed=0, crs="EPSG:4326")
    assert main(["monitor", str(run), "--observations", str(files["observations"]), "--raster",
                 str(files["ndvi_6"]), "--out", str(mon)]) == 0
    zones = pd.read_csv(mon / "zones.csv", dtype={"zone_id": str})
    truth = pd.read_csv(files["truth"], dtype={"zone_id": str}).merge(zones, on="zone_id")
    m = truth.true_multiplier
    inside = (m >= truth.growth_multiplier_p5) & (m <= truth.growth_multiplier_p95)
    assert inside.mean() >= 0.9
    failing = truth.truth.fillna("") == "failing"
    assert truth.loc[failing, "flagged"].all()
    assert not truth.loc[truth.truth.fillna("") == "", "flagged"].any()
    doc = json.loads((mon / "manifest.json").read_text())
    assert {"zones.csv", "trajectories.csv", "site.csv"} <= set(doc["outputs"])
    # credits issuable to date, one row per assessed standard, beside the forecast to the same year
    mrv = pd.read_csv(mon / "mrv.csv")
    summary = json.loads((mon / "summary.json").read_text())
    assert "mrv.csv" in doc["outputs"] and len(mrv) == len(summary["credits_to_date_by_standard"]) >= 1
    assert (mrv["to_date_year"] == summary["to_date_year"]).all()
    assert (mrv["credits_issuable_tco2e"] >= 0).all() and (mrv["credits_issuable_tco2e"] > 0).any()
    np.testing.assert_allclose(mrv["difference_tco2e"], mrv["credits_issuable_tco2e"] - mrv["credits_forecast_tco2e"])

    # tree measurements enter the update as observations of biomass carbon, with their allometry's error
    obs = pd.read_csv(files["observations"], dtype=str)
    trees = pd.DataFrame({"zone_id": ["P-004"], "date": ["2035-08-15"], "campaign": ["trees-2035"],
                          "dbh_cm": ["4.0"], "height_m": ["3.1"], "stems_per_ha": ["1650"]})
    with_trees = tmp_path / "with_trees.csv"
    pd.concat([obs, trees], ignore_index=True).to_csv(with_trees, index=False)
    mon2 = tmp_path / "mon2"
    assert main(["monitor", str(run), "--observations", str(with_trees), "--out", str(mon2)]) == 0
    used = pd.read_csv(mon2 / "observations_used.csv", dtype={"zone_id": str})
    tree = used[used["method"] == "allometry"]
    assert len(tree) == 1 and bool(tree["used"].iloc[0]) and tree["quantity"].iloc[0] == "biomass_c_t_per_ha"
    assert tree["sd_log"].iloc[0] == pytest.approx(0.357)
    assert np.isfinite(tree["sd_log_used"].iloc[0])
