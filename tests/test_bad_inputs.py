"""Bad inputs: every one is refused with one SinkPlanError naming the file, the field (and the zone
or catalog row), and nothing is written. A few go through the command line too (exit status 2, no
traceback). Also: output-folder checks, stale-output clearing, and the report's embedded JSON.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, Polygon, box

from optimizer.catalog import load_catalog, schema, standard_ids
from optimizer.errors import (
    CatalogError,
    InputFileError,
    OutputPathError,
    ProblemsError,
    SettingsError,
    SinkPlanError,
    SiteError,
    TextEncodingWarning,
)
from optimizer.io.paths import check_input_file, check_output_dir, check_output_file, clear_stale
from optimizer.options import evaluate_options
from optimizer.settings import load_settings, schema_table
from optimizer.site import read_site

OX, OY = 400_000.0, 4_370_000.0


def sq(i: int, dx: float = 0.0) -> Polygon:
    return box(OX + 100 * i + dx, OY, OX + 100 * i + dx + 100, OY + 100)


def zones_gdf() -> gpd.GeoDataFrame:
    """Four 1-ha zones in UTM 49N: a platform, two slopes, a burning heap (valid as it is)."""
    return gpd.GeoDataFrame({
        "zone_id": ["P-1", "S-1", "S-2", "H-1"],
        "zone_type": ["platform", "slope", "slope", "waste_heap"],
        "slope_deg": [2.0, 30.0, 18.0, 28.0],
        "slope_length_m": [50.0, 25.0, 30.0, 20.0],
        "soil_depth_cm": [10.0, 0.0, 0.0, 0.0],
        "water_depth_m": [np.nan] * 4,
        "burning": ["none", "none", "none", "medium"],
        "contaminated": ["false", "false", "false", "true"],
        "land_designation": ["planned_afforestation_land", "mining_land", "mining_land", "mining_land"],
    }, geometry=[sq(i) for i in range(4)], crs="EPSG:32649")


def zones_csv_frame() -> pd.DataFrame:
    df = pd.DataFrame(zones_gdf().drop(columns="geometry")).astype(object)
    df["water_depth_m"] = ""
    df["area_ha"] = "1.0"
    return df


# ----------------------------------------------------------------------------------------------
# builders: each writes its inputs into a folder and returns the library call to make
# ----------------------------------------------------------------------------------------------
def geo(name: str, change: Callable[[gpd.GeoDataFrame], None]):
    def build(d: Path):
        g = zones_gdf()
        change(g)
        path = d / name
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")          # Shapefile field-name laundering
            g.to_file(path, engine="pyogrio")
        return lambda: read_site(path)
    return build


def csv(change: Callable[[pd.DataFrame], None], name: str = "zones.csv", encoding: str = "utf-8"):
    def build(d: Path):
        df = zones_csv_frame()
        change(df)
        path = d / name
        df.to_csv(path, index=False, encoding=encoding)
        return lambda: read_site(path)
    return build


def raw_zoning(name: str, data: bytes | None):
    """A zoning path holding raw bytes (None: make it a folder with a zoning file inside)."""
    def build(d: Path):
        path = d / name
        if data is None:
            path.mkdir()
            zones_csv_frame().to_csv(path / "zones.csv", index=False)
        else:
            path.write_bytes(data)
        return lambda: read_site(path)
    return build


def settings(text: str | None, encoding: str = "utf-8", name: str = "s.toml"):
    """A good CSV site read with a settings file holding ``text`` (None: the path is a folder)."""
    def build(d: Path):
        zpath = d / "site.csv"
        zones_csv_frame().to_csv(zpath, index=False)
        spath = d / name
        if text is None:
            spath.mkdir()
        else:
            spath.write_bytes(text.encode(encoding))
        return lambda: read_site(zpath, spath)
    return build


def catalog(rows: dict | bytes | None, name: str = "mine.csv", encoding: str = "utf-8", through_options=True):
    """A good CSV site scored with a planner's catalog file (None: the path is a folder)."""
    def build(d: Path):
        zpath = d / "site.csv"
        zones_csv_frame().to_csv(zpath, index=False)
        cpath = d / name
        if rows is None:
            cpath.mkdir()
        elif isinstance(rows, bytes):
            cpath.write_bytes(rows)
        else:
            pd.DataFrame(rows).to_csv(cpath, index=False, encoding=encoding)
        if through_options:
            return lambda: evaluate_options(read_site(zpath), str(cpath))
        return lambda: load_catalog(cpath)
    return build


def set_(col, i, v):
    def change(g):
        if isinstance(v, str) and g[col].dtype != object:
            g[col] = g[col].astype(object)
        g.loc[i, col] = v
    return change


def _mixed(g):
    g.loc[0, "zone_type"] = "platfrom"
    g.loc[1, "slope_deg"] = 120.0
    g.loc[2, "geometry"] = Polygon([(OX + 200, OY), (OX + 300, OY + 100), (OX + 300, OY), (OX + 200, OY + 100)])
    g.loc[3, "geometry"] = sq(0, dx=50)            # overlaps P-1 and S-1


def _point(g):
    g.loc[1, "geometry"] = Point(OX + 150, OY + 50)


def _overlap(g):
    g.loc[1, "geometry"] = sq(0, dx=50)


@dataclass
class Case:
    id: str
    build: Callable[[Path], Callable]
    error: type
    expect: tuple[str, ...]          # all in one problem line: file, field, zone/row, value …


# '平台' is an alias of platform (issue 15); '平地' is not a zone type
GBK_ZONES = "zone_id,zone_type,area_ha\n平1,platform,1\n平2,平地,2\n".encode("gbk")
UTF16_ZONES = "zone_id,zone_type,area_ha\nA,platform,1\n".encode("utf-16")
LATIN1_ZONES = "zone_id,zone_type,area_ha\nZoné,platform,1\n".encode("latin-1")
GOOD_SETTINGS = "[site]\nname = 'x'\n"

CASES = [
    # --- zoning files: GeoPackage, GeoJSON, Shapefile, CSV -----------------------------------
    Case("gpkg-zone-type-typo", geo("zones.gpkg", set_("zone_type", 0, "platfrom")), SiteError,
         ("zones.gpkg", "zone 'P-1'", "'zone_type'", "did you mean 'platform'")),
    Case("gpkg-slope-out-of-range", geo("zones.gpkg", set_("slope_deg", 1, 120.0)), SiteError,
         ("zones.gpkg", "zone 'S-1'", "'slope_deg'", "120", "0–90")),
    Case("gpkg-slope-inf", geo("zones.gpkg", set_("slope_deg", 1, np.inf)), SiteError,
         ("zones.gpkg", "zone 'S-1'", "'slope_deg'", "not a finite number")),
    Case("gpkg-water-depth-inf", geo("zones.gpkg", set_("water_depth_m", 0, np.inf)), SiteError,
         ("zones.gpkg", "zone 'P-1'", "'water_depth_m'", "not a finite number")),
    Case("gpkg-invalid-polygon", geo("zones.gpkg", set_("geometry", 2, Polygon(
        [(OX + 200, OY), (OX + 300, OY + 100), (OX + 300, OY), (OX + 200, OY + 100)]))), SiteError,
         ("zones.gpkg", "zone 'S-2'", "'geometry'", "invalid polygon")),
    Case("gpkg-overlap", geo("zones.gpkg", _overlap), SiteError,
         ("zones.gpkg", "zone 'P-1'", "'geometry'", "overlaps zone 'S-1'")),
    Case("gpkg-point-not-polygon", geo("zones.gpkg", _point), SiteError,
         ("zones.gpkg", "zone 'S-1'", "'geometry'", "Point")),
    Case("gpkg-mixed-overlap-with-typo", geo("zones.gpkg", _mixed), SiteError,
         ("zones.gpkg", "zone 'P-1'", "'geometry'", "overlaps zone 'H-1'")),
    Case("geojson-slope-length-text-inf", geo("zones.geojson", set_("slope_length_m", 2, "inf")), SiteError,
         ("zones.geojson", "zone 'S-2'", "'slope_length_m'", "not a finite number")),
    Case("geojson-soil-negative", geo("zones.geojson", set_("soil_depth_cm", 0, -5.0)), SiteError,
         ("zones.geojson", "zone 'P-1'", "'soil_depth_cm'", "-5", "0–500")),
    Case("shp-burning-unknown", geo("zones.shp", set_("burning", 3, "very hot")), SiteError,
         ("zones.shp", "zone 'H-1'", "'burning'", "very hot")),
    Case("shp-slope-length-neg-inf", geo("zones.shp", set_("slope_length_m", 1, -np.inf)), SiteError,
         ("zones.shp", "zone 'S-1'", "'slope_length_m'", "not a finite number")),
    Case("csv-slope-nan-text", csv(set_("slope_deg", 1, "nan")), SiteError,
         ("zones.csv", "zone 'S-1'", "'slope_deg'", "nan is not a finite number")),
    Case("csv-slope-length-inf", csv(set_("slope_length_m", 2, "inf")), SiteError,
         ("zones.csv", "zone 'S-2'", "'slope_length_m'", "inf")),
    Case("csv-soil-minus-inf", csv(set_("soil_depth_cm", 0, "-inf")), SiteError,
         ("zones.csv", "zone 'P-1'", "'soil_depth_cm'", "-inf")),
    Case("csv-water-NaN", csv(set_("water_depth_m", 3, "NaN")), SiteError,
         ("zones.csv", "zone 'H-1'", "'water_depth_m'", "NaN")),
    Case("csv-area-inf", csv(set_("area_ha", 0, "inf")), SiteError,
         ("zones.csv", "zone 'P-1'", "'area_ha'", "not a finite number")),
    Case("csv-area-negative", csv(set_("area_ha", 1, "-3")), SiteError,
         ("zones.csv", "zone 'S-1'", "'area_ha'", "-3")),
    Case("csv-slope-pct-overflow", csv(lambda df: df.insert(3, "slope_pct", ["", "1e999", "", ""])), SiteError,
         ("zones.csv", "zone 'S-1'", "'slope_pct'", "not a finite number")),
    Case("csv-slope-not-a-number", csv(set_("slope_deg", 2, "steep")), SiteError,
         ("zones.csv", "zone 'S-2'", "'slope_deg'", "'steep' is not a number")),
    Case("csv-contaminated-not-bool", csv(set_("contaminated", 0, "maybe")), SiteError,
         ("zones.csv", "zone 'P-1'", "'contaminated'", "maybe")),
    Case("csv-duplicate-id", csv(set_("zone_id", 1, "P-1")), SiteError,
         ("zones.csv", "zone 'P-1'", "'zone_id'", "duplicate")),
    Case("csv-no-area-column", csv(lambda df: df.pop("area_ha")), SiteError,
         ("zones.csv", "'area_ha'", "needs an area_ha column")),
    Case("csv-no-zone-type-column", csv(lambda df: df.pop("zone_type")), SiteError,
         ("zones.csv", "'zone_type'", "required column is missing")),
    Case("csv-gbk-with-typo", raw_zoning("zones.csv", GBK_ZONES), SiteError,
         ("zones.csv", "zone '平2'", "'zone_type'", "'平地'")),
    Case("csv-latin1", raw_zoning("zones.csv", LATIN1_ZONES), SiteError,
         ("zones.csv", "not UTF-8", "0xe9", "line 2", "CSV UTF-8")),
    Case("csv-utf16", raw_zoning("zones.csv", UTF16_ZONES), SiteError, ("zones.csv", "UTF-16", "CSV UTF-8")),
    Case("csv-is-an-xlsx", raw_zoning("zones.csv", b"PK\x03\x04\x14\x00\x06\x00rest"), SiteError,
         ("zones.csv", "Excel", "not text")),
    Case("csv-empty", raw_zoning("zones.csv", b""), SiteError, ("zones.csv", "empty")),
    Case("zoning-is-a-folder", raw_zoning("zones.gpkg", None), SiteError,
         ("zones.gpkg", "is a folder; give the zoning file, e.g. zones.gpkg", "zones.csv")),
    Case("zoning-missing", lambda d: (lambda: read_site(d / "nope.gpkg")), SiteError, ("nope.gpkg", "file not found")),
    Case("zoning-unsupported-suffix", raw_zoning("zones.txt", b"zone_id\nA\n"), SiteError,
         ("zones.txt", "unsupported format", ".gpkg")),
    # --- settings TOML --------------------------------------------------------------------------
    Case("settings-is-a-folder", settings(None), SettingsError,
         ("s.toml", "is a folder; give the settings file, e.g. settings.toml")),
    Case("settings-missing", lambda d: (lambda: load_settings(d / "gone.toml")), SettingsError,
         ("gone.toml", "file not found")),
    Case("settings-gbk", settings("[site]\nname = '平朔安家岭露天矿'\n", encoding="gbk"), SettingsError,
         ("s.toml", "GBK/GB18030", "must be UTF-8", "save it as UTF-8")),
    Case("settings-utf16", settings("[site]\nname = 'x'\n", encoding="utf-16"), SettingsError, ("s.toml", "UTF-16")),
    Case("settings-not-toml", settings("[resources\nbudget_cny = 1\n"), SettingsError, ("s.toml", "not valid TOML")),
    Case("settings-budget-nan", settings("[resources]\nbudget_cny = nan\n"), SettingsError,
         ("s.toml", "'resources.budget_cny'", "nan is not a number", "≥ 0 CNY, or inf for no limit")),
    Case("settings-budget-negative", settings("[resources]\nbudget_cny = -1e6\n"), SettingsError,
         ("s.toml", "'resources.budget_cny'", "-1e+06", "≥ 0 CNY")),
    Case("settings-budget-minus-inf", settings("[resources]\nbudget_cny = -inf\n"), SettingsError,
         ("s.toml", "'resources.budget_cny'", "-inf is not a finite number")),
    Case("settings-topsoil-negative", settings("[resources]\ntopsoil_stock_m3 = -5\n"), SettingsError,
         ("s.toml", "'resources.topsoil_stock_m3'", "-5", "≥ 0 m³")),
    Case("settings-gangue-nan", settings("[resources]\ngangue_stock_m3 = nan\n"), SettingsError,
         ("s.toml", "'resources.gangue_stock_m3'", "nan")),
    Case("settings-discount-inf", settings("[accounting]\ndiscount_rate = inf\n"), SettingsError,
         ("s.toml", "'accounting.discount_rate'", "inf is not a finite number", "0–0.5")),
    Case("settings-discount-negative", settings("[accounting]\ndiscount_rate = -0.1\n"), SettingsError,
         ("s.toml", "'accounting.discount_rate'", "-0.1", "0–0.5")),
    Case("settings-horizon-zero", settings("[accounting]\nhorizon_yr = 0\n"), SettingsError,
         ("s.toml", "'accounting.horizon_yr'", "0 is outside", "1–200 yr")),
    Case("settings-horizon-fraction", settings("[accounting]\nhorizon_yr = 2.5\n"), SettingsError,
         ("s.toml", "'accounting.horizon_yr'", "2.5 is not a whole number")),
    Case("settings-horizon-nan", settings("[accounting]\nhorizon_yr = nan\n"), SettingsError,
         ("s.toml", "'accounting.horizon_yr'", "nan")),
    Case("settings-start-price-nan", settings("[carbon_price]\nstart_cny_per_t = nan\n"), SettingsError,
         ("s.toml", "'carbon_price.start_cny_per_t'", "nan")),
    Case("settings-price-table-negative", settings("[carbon_price]\npath = 'table'\n[carbon_price.table]\n"
                                                  "2026 = 60\n2030 = -5\n"), SettingsError,
         ("s.toml", "'carbon_price.table.2030'", "-5", "0–10000")),
    Case("settings-price-table-nan", settings("[carbon_price]\npath = 'table'\n[carbon_price.table]\n2030 = nan\n"),
         SettingsError, ("s.toml", "'carbon_price.table.2030'", "nan")),
    Case("settings-price-table-bad-year", settings("[carbon_price.table]\nsoon = 80\n"), SettingsError,
         ("s.toml", "'carbon_price.table.soon'", "not a calendar year")),
    Case("settings-soc-inf", settings("[soil]\ninitial_soc_t_per_ha = inf\n"), SettingsError,
         ("s.toml", "'soil.initial_soc_t_per_ha'", "inf")),
    Case("settings-unknown-standard", settings("[accounting]\nstandards = ['CCER', 'GoldStandard']\n"),
         SettingsError, ("s.toml", "'accounting.standards'", "unknown standard 'GoldStandard'", "CCER, VCS")),
    Case("settings-standard-typo", settings("[accounting]\nstandards = ['VSC']\n"), SettingsError,
         ("s.toml", "'accounting.standards'", "'VSC'", "did you mean 'VCS'")),
    Case("settings-standard-twice", settings("[accounting]\nstandards = ['VCS', 'VCS']\n"), SettingsError,
         ("s.toml", "'accounting.standards'", "more than once")),
    # --- a planner's catalog file ------------------------------------------------------------------
    Case("catalog-capex-negative", catalog({"measure_id": ["fire_capping"], "capex_cny_per_ha": ["-1e9"]}),
         CatalogError, ("mine.csv", "row 'fire_capping'", "'capex_cny_per_ha'", "-1e9", "≥ 0 CNY/ha")),
    Case("catalog-capex-inf", catalog({"measure_id": ["fire_capping"], "capex_cny_per_ha": ["inf"]}),
         CatalogError, ("mine.csv", "row 'fire_capping'", "'capex_cny_per_ha'", "not a finite number")),
    Case("catalog-capex-nan", catalog({"measure_id": ["fire_capping"], "capex_cny_per_ha": ["nan"]}),
         CatalogError, ("mine.csv", "row 'fire_capping'", "'capex_cny_per_ha'", "'nan'")),
    Case("catalog-p-factor-above-1", catalog({"measure_id": ["fire_capping"], "p_factor": ["1.5"]}),
         CatalogError, ("mine.csv", "row 'fire_capping'", "'p_factor'", "0–1")),
    Case("catalog-fraction-negative", catalog({"measure_id": ["fire_capping"], "fire_avoided_fraction": ["-0.2"]}),
         CatalogError, ("mine.csv", "row 'fire_capping'", "'fire_avoided_fraction'", "-0.2")),
    Case("catalog-slope-not-a-number", catalog({"measure_id": ["fire_capping"], "max_slope_deg": ["steep"]}),
         CatalogError, ("mine.csv", "row 'fire_capping'", "'max_slope_deg'", "'steep' is not a number")),
    Case("catalog-enabled-not-bool", catalog({"measure_id": ["fire_capping"], "enabled": ["perhaps"]}),
         CatalogError, ("mine.csv", "row 'fire_capping'", "'enabled'", "perhaps")),
    Case("catalog-new-row-incomplete", catalog({"measure_id": ["my_measure"], "capex_cny_per_ha": ["100"]}),
         CatalogError, ("mine.csv", "row 'my_measure'", "group", "must give")),
    Case("catalog-unknown-column", catalog({"measure_id": ["fire_capping"], "capex_cny": ["100"]}),
         CatalogError, ("mine.csv", "'capex_cny'", "did you mean 'capex_cny_per_ha'")),
    Case("catalog-row-twice", catalog({"measure_id": ["fire_capping", "fire_capping"], "capex_cny_per_ha": ["1", "2"]}),
         CatalogError, ("mine.csv", "row 'fire_capping'", "'measure_id'", "appears twice")),
    Case("catalog-parameter-money-negative", catalog({"parameter": ["earthworks_cny_per_m3"], "value": ["-16"]}),
         CatalogError, ("mine.csv", "row 'earthworks_cny_per_m3'", "'value'", "-16", "≥ 0")),
    Case("catalog-parameter-fraction-above-1", catalog({"parameter": ["management_fraction"], "value": ["1.5"]}),
         CatalogError, ("mine.csv", "row 'management_fraction'", "'value'", "0–1")),
    Case("catalog-parameter-nan", catalog({"parameter": ["fire_burnout_yr"], "value": ["nan"]}), CatalogError,
         ("mine.csv", "row 'fire_burnout_yr'", "'value'", "not a finite number")),
    Case("catalog-gbk-with-bad-value", catalog({"measure_id": ["fire_capping"], "name": ["黄土覆盖灭火"],
                                                "capex_cny_per_ha": ["-1"]}, encoding="gbk"), CatalogError,
         ("mine.csv", "row 'fire_capping'", "'capex_cny_per_ha'", "-1")),
    Case("catalog-latin1", catalog("measure_id,name\nfire_capping,Capé\n".encode("latin-1")), CatalogError,
         ("mine.csv", "not UTF-8", "CSV UTF-8")),
    Case("catalog-is-a-folder", catalog(None), CatalogError,
         ("mine.csv", "is a folder; give the catalog file")),
    Case("catalog-is-a-folder-load", catalog(None, through_options=False), CatalogError,
         ("mine.csv", "is a folder; give the catalog file")),
    Case("catalog-missing", lambda d: (lambda: load_catalog(d / "none.csv")), CatalogError,
         ("none.csv", "file not found")),
    Case("catalog-no-key-column", catalog({"id": ["fire_capping"], "capex_cny_per_ha": ["1"]}), CatalogError,
         ("mine.csv", "needs a 'measure_id' column")),
]


def snapshot(root: Path) -> dict:
    return {p.relative_to(root).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in root.rglob("*") if p.is_file()}


def problem_lines(exc: SinkPlanError) -> list[str]:
    if isinstance(exc, ProblemsError):
        return [str(p) for p in exc.problems]
    return [str(exc)]


def test_the_battery_is_big_enough():
    assert len(CASES) >= 40
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_one_clear_error_and_writes_nothing(case, tmp_path, monkeypatch):
    d = tmp_path / "in"
    d.mkdir()
    call = case.build(d)
    monkeypatch.chdir(tmp_path)                  # anything written relative to the working folder shows up
    before = snapshot(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TextEncodingWarning)
        with pytest.raises(case.error) as e:
            call()
    assert isinstance(e.value, SinkPlanError)
    assert e.value.exit_code == 2
    lines = problem_lines(e.value)
    assert any(all(s in line for s in case.expect) for line in lines), \
        f"no problem line has all of {case.expect}:\n" + "\n".join(lines)
    assert snapshot(tmp_path) == before, "a refused input wrote or changed files"


def test_mixed_file_reports_typo_range_invalid_polygon_and_overlap_at_once(tmp_path):
    call = geo("zones.gpkg", _mixed)(tmp_path)
    with pytest.raises(SiteError) as e:
        call()
    text = "\n".join(problem_lines(e.value))
    for piece in ("zone 'P-1', field 'zone_type': unknown zone type 'platfrom'",
                  "zone 'S-1', field 'slope_deg': 120 ° is outside 0–90 °",
                  "zone 'S-2', field 'geometry': invalid polygon",
                  "zone 'P-1', field 'geometry': overlaps zone 'H-1'"):
        assert piece in text


def test_overlaps_are_the_pairs_whose_shared_area_passes_the_tolerance():
    """Neighbours sharing an edge or a corner, a zone inside another, slivers on both sides of the
    1 m² tolerance: the reported pairs are exactly those a brute-force intersection of every pair
    finds over the tolerance."""
    from optimizer.site.geometry import OVERLAP_TOLERANCE_M2, _geometry

    geoms = [box(0, 0, 100, 100), box(100, 0, 200, 100),           # A, and B sharing its edge
             box(200, 100, 300, 200),                               # C touching B at a corner
             box(20, 20, 40, 40),                                   # D inside A
             box(199.995, 50, 250, 60),                             # E: 0.05 m² into B (noise)
             box(150, 100 - 0.05, 160, 120),                        # F: 0.5 m² into B (noise)
             box(0, 99.9, 30, 130),                                 # G: 3 m² into A
             box(300, 0, 400, 100)]                                 # H: alone but for C's corner
    ids = list("ABCDEFGH")
    raw = gpd.GeoDataFrame({"zone_id": ids}, geometry=geoms, crs="EPSG:32649")
    problems: list = []
    _geometry(raw, raw.drop(columns="geometry"), "z.gpkg", None, False, OVERLAP_TOLERANCE_M2, problems, [])
    found = {(p.zone_id, re.search(r"overlaps zone '(\w)'", p.message).group(1)) for p in problems}
    brute = {(ids[i], ids[j]) for i in range(len(geoms)) for j in range(i + 1, len(geoms))
             if geoms[i].intersection(geoms[j]).area > OVERLAP_TOLERANCE_M2}
    assert brute == {("A", "D"), ("A", "G")}
    assert found == brute


def test_gbk_zoning_csv_is_decoded_and_warned_about(tmp_path):
    path = tmp_path / "zones.csv"
    path.write_bytes(GBK_ZONES.replace("平地".encode("gbk"), "平台".encode("gbk")))
    with pytest.warns(TextEncodingWarning) as w:
        site = read_site(path)
    assert list(site.zones["zone_id"]) == ["平1", "平2"]
    assert list(site.zones["zone_type"].astype(str)) == ["platform", "platform"]   # 平台: a Chinese alias
    assert str(path) in str(w[0].message) and "GB18030" in str(w[0].message)


def test_gbk_catalog_is_decoded_and_applied(tmp_path):
    path = tmp_path / "mine.csv"
    pd.DataFrame({"measure_id": ["fire_capping"], "name": ["黄土覆盖灭火"], "capex_cny_per_ha": ["123"]}).to_csv(
        path, index=False, encoding="gbk")
    with pytest.warns(TextEncodingWarning, match="mine.csv"):
        cat = load_catalog(path)
    row = cat.measures.set_index("measure_id").loc["fire_capping"]
    assert row["name"] == "黄土覆盖灭火" and row["capex_cny_per_ha"] == 123.0


def test_every_settings_problem_is_reported_at_once(tmp_path):
    s = tmp_path / "s.toml"
    s.write_text("[resources]\nbudget_cny = nan\ntopsoil_stock_m3 = -1\n[accounting]\ndiscount_rate = inf\n"
                 "standards = ['Gold']\n[carbon_price.table]\n2030 = -5\n", encoding="utf-8")
    with pytest.raises(SettingsError) as e:
        load_settings(s)
    fields = {p.field for p in e.value.problems}
    assert fields == {"resources.budget_cny", "resources.topsoil_stock_m3", "accounting.discount_rate",
                      "accounting.standards", "carbon_price.table.2030"}
    assert all(p.file == str(s) for p in e.value.problems)


def test_inf_means_no_limit_for_resources_only(tmp_path):
    s = tmp_path / "s.toml"
    s.write_text("[resources]\nbudget_cny = inf\ntopsoil_stock_m3 = inf\ngangue_stock_m3 = inf\n", encoding="utf-8")
    got = load_settings(s)
    assert got.budget_cny == got.topsoil_stock_m3 == got.gangue_stock_m3 == float("inf")
    desc = schema_table().set_index("key")["description"]
    assert "inf" in desc["budget_cny"] and "no limit" in desc["budget_cny"] and "nan never" in desc["budget_cny"]
    assert "0–0.5" in desc["discount_rate"]


def test_settings_accept_exactly_the_catalogs_standards(tmp_path):
    for std in standard_ids():
        s = tmp_path / f"{std}.toml"
        s.write_text(f"[accounting]\nstandards = ['{std}']\n", encoding="utf-8")
        assert load_settings(s).standards == (std,)
    assert set(standard_ids()) == set(load_catalog().standards.index)


def test_utf8_settings_with_bom_are_read(tmp_path):
    s = tmp_path / "s.toml"
    s.write_bytes(b"\xef\xbb\xbf" + "[site]\nname = '平朔'\n".encode())
    assert load_settings(s).name == "平朔"


def test_bundled_catalog_is_within_the_schema_and_checked(monkeypatch):
    load_catalog()                                           # the bundled numbers pass their own ranges
    sch = schema()
    assert {"min", "max"} <= set(sch.columns)
    import optimizer.catalog as C
    real = C._bundled

    def broken(name):
        df, raw = real(name)
        if name == "measures":
            df = df.copy()
            df.loc[df["measure_id"] == "fire_capping", "capex_cny_per_ha"] = "nan"
        return df, raw

    monkeypatch.setattr(C, "_bundled", broken)
    with pytest.raises(CatalogError) as e:
        load_catalog()
    assert any(p.file == "measures.csv" and p.row == "fire_capping" and p.field == "capex_cny_per_ha"
               for p in e.value.problems)


# ----------------------------------------------------------------------------------------------
# input paths and output folders (optimizer.io.paths)
# ----------------------------------------------------------------------------------------------
def test_check_input_file(tmp_path):
    f = tmp_path / "a.csv"
    f.write_text("x\n")
    assert check_input_file(f, "catalog file") == f
    with pytest.raises(InputFileError, match="is a folder; give the catalog file, e.g. mine.csv"):
        check_input_file(tmp_path, "catalog file", example="mine.csv")
    with pytest.raises(SettingsError, match="file not found"):
        check_input_file(tmp_path / "none.toml", "settings file", error=SettingsError)


def test_check_output_dir_refuses_a_file_and_a_path_through_a_file(tmp_path):
    f = tmp_path / "front.csv"
    f.write_text("x\n")
    with pytest.raises(OutputPathError, match=re.escape(str(f)) + ": is a file, not a folder"):
        check_output_dir(f)
    with pytest.raises(OutputPathError, match="cannot be created because .*front.csv is a file"):
        check_output_dir(f / "run")


def test_check_output_dir_leaves_nothing_unless_asked(tmp_path):
    target = tmp_path / "a" / "b" / "run"
    assert check_output_dir(target) == target
    assert not (tmp_path / "a").exists()                      # the test folders are removed again
    check_output_dir(target, create=True)
    assert target.is_dir() and list(target.iterdir()) == []   # the write test leaves no file


def test_check_output_dir_refuses_an_unwritable_folder(tmp_path, monkeypatch):
    import optimizer.io.paths as P

    def denied(folder):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(P, "_test_write", denied)
    with pytest.raises(OutputPathError, match=re.escape(str(tmp_path)) + ": the folder is not writable"):
        check_output_dir(tmp_path)


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes into read-only folders")
def test_check_output_dir_refuses_a_read_only_folder(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        with pytest.raises(OutputPathError, match="not writable"):
            check_output_dir(ro)
        with pytest.raises(OutputPathError, match="cannot be created"):
            check_output_dir(ro / "run")
    finally:
        ro.chmod(0o755)


def test_check_output_file(tmp_path):
    with pytest.raises(OutputPathError, match="is a folder"):
        check_output_file(tmp_path, suffixes=(".csv", ".parquet"))
    with pytest.raises(OutputPathError, match="use one of .csv, .parquet"):
        check_output_file(tmp_path / "o.xlsx", suffixes=(".csv", ".parquet"))
    assert check_output_file(tmp_path / "new" / "o.csv", suffixes=(".csv",)) == tmp_path / "new" / "o.csv"
    assert not (tmp_path / "new").exists()


def _touch(p: Path) -> Path:
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text("x\n")
    return p


def test_clear_stale_removes_old_points_and_nothing_else(tmp_path):
    out = tmp_path / "front"
    for k in range(20):                                            # an earlier front of 20 points
        for ext in (".csv", ".gpkg", "_trajectories.csv"):
            _touch(out / "plans" / f"point_{k:03d}{ext}")
    _touch(out / "supported_front.csv")
    _touch(out / "plans" / ".point_013.abcd_123.gpkg")             # an interrupted atomic write
    mine = [_touch(out / "plans" / "notes.txt"), _touch(out / "plans" / "point_notes.csv"),
            _touch(out / "my_front.csv"), _touch(out / "plans" / "point_12.csv"), _touch(out / "front.csv.bak")]
    written = [_touch(out / "front.csv"), _touch(out / "manifest.json")]
    written += [out / "plans" / f"point_{k:03d}{ext}" for k in range(8)
                for ext in (".csv", ".gpkg", "_trajectories.csv")]
    removed = clear_stale(out, written)
    names = sorted(p.relative_to(out).as_posix() for p in removed)
    assert names == sorted([f"plans/point_{k:03d}{ext}" for k in range(8, 20)
                            for ext in (".csv", ".gpkg", "_trajectories.csv")]
                           + ["supported_front.csv", "plans/.point_013.abcd_123.gpkg"])
    assert all(p.exists() for p in written + mine)
    assert clear_stale(out, written) == []                          # idempotent


def test_clear_stale_after_optimize_over_an_old_front(tmp_path):
    out = tmp_path / "run"
    old = [_touch(out / "front.csv"), _touch(out / "plans" / "point_000.csv")]
    written = [_touch(out / "plan.csv"), _touch(out / "plan.gpkg"), _touch(out / "summary.json"),
               _touch(out / "manifest.json")]
    clear_stale(out, written)
    assert not any(p.exists() for p in old) and not (out / "plans").exists()
    assert all(p.exists() for p in written)
    assert clear_stale(tmp_path / "nowhere", []) == []


# ----------------------------------------------------------------------------------------------
# the report's embedded data
# ----------------------------------------------------------------------------------------------
EVIL = "A<!--1</script><script>alert(1)</script>&"


def _script_bodies(html: str) -> list[str]:
    return re.findall(r'<script type="application/json" id="sinkplan-data">(.*?)</script>', html, re.S)


def test_json_script_escapes_markup():
    from optimizer.report.html import json_script

    html = json_script({"zones": [{"id": EVIL}], "note": "x\u2028y"}, "sinkplan-data")
    body = _script_bodies(html)
    assert len(body) == 1 and not re.search(r"[<>&]", body[0])
    assert json.loads(body[0]) == {"zones": [{"id": EVIL}], "note": "x\u2028y"}


def test_report_with_markup_in_a_zone_id(tmp_path):
    """A zone id containing ``<!--`` and ``</script>`` survives into the report's data intact and
    cannot end the data element (JSON.parse on the element's text gives the id back)."""
    from optimizer.io.plans import METRIC_COLUMNS, TEXT_COLUMNS
    from optimizer.report.build import build_report

    df = pd.DataFrame({"zone_id": [EVIL, "B"], "option_id": ["none", "none"], "zone_type": ["platform", "slope"]})
    for c in METRIC_COLUMNS:
        df[c] = [1.0, 2.0]
    for c in TEXT_COLUMNS:
        if c not in df:
            df[c] = ""
    df.to_csv(tmp_path / "plan.csv", index=False)
    out = tmp_path / "report.html"
    build_report(tmp_path / "plan.csv", out, None)
    html = out.read_text(encoding="utf-8")
    bodies = _script_bodies(html)
    assert len(bodies) == 1
    data = json.loads(bodies[0])
    assert [z["id"] for z in data["zones"]] == [EVIL, "B"]
    assert "<!--1" not in html and "alert(1)</script>" not in html


# ----------------------------------------------------------------------------------------------
# through the command line: exit status 2, the message, no traceback, nothing written
# ----------------------------------------------------------------------------------------------
def run(*args, cwd):
    return subprocess.run([sys.executable, "-c", "from optimizer.cli import entry; entry()", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd,
                          env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "PYTHONIOENCODING": "utf-8"})


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("make, args, expect", [
    (lambda d: (geo("zones.gpkg", _mixed)(d), d / "zones.gpkg")[1], ("validate", "{p}"),
     ("platfrom", "120 ° is outside", "invalid polygon", "overlaps zone 'H-1'")),
    (lambda d: (raw_zoning("zones.gpkg", None)(d), d / "zones.gpkg")[1], ("validate", "{p}"),
     ("is a folder; give the zoning file",)),
    (lambda d: (settings("[site]\nname = '平朔'\n", encoding="gbk")(d), d / "site.csv")[1],
     ("validate", "{p}", "--settings", "{d}/s.toml"), ("s.toml", "GBK/GB18030", "UTF-8")),
    (lambda d: (settings("[resources]\nbudget_cny = nan\n")(d), d / "site.csv")[1],
     ("options", "{p}", "--settings", "{d}/s.toml", "-o", "{d}/out.csv"), ("s.toml", "resources.budget_cny", "nan")),
    (lambda d: (catalog({"measure_id": ["fire_capping"], "capex_cny_per_ha": ["-1e9"]})(d), d / "site.csv")[1],
     ("options", "{p}", "--catalog", "{d}/mine.csv", "-o", "{d}/out.csv"),
     ("mine.csv", "fire_capping", "capex_cny_per_ha", "-1e9")),
], ids=["validate-mixed", "validate-folder", "validate-gbk-settings", "options-nan-budget", "options-bad-catalog"])
def test_command_line_exits_2_without_traceback(tmp_path, make, args, expect):
    d = tmp_path / "in"
    d.mkdir()
    p = make(d)
    before = snapshot(tmp_path)
    r = run(*[a.format(p=p, d=d) for a in args], cwd=tmp_path)
    assert r.returncode == 2, r.stdout + r.stderr
    assert "Traceback" not in r.stdout + r.stderr
    text = flat(r.stderr + r.stdout)
    for piece in expect:
        assert piece in text, text
    assert snapshot(tmp_path) == before and not (d / "out.csv").exists()


@pytest.mark.parametrize("cell, value, problem", [
    (" 7 ", 7.0, None), ("+.5", 0.5, None), ("5.", 5.0, None), ("1E3", 1000.0, None),
    ("1_000", None, "'1_000' is not a number"), ("٣", None, "'٣' is not a number"),
    ("0x10", None, "'0x10' is not a number"), ("1,5", None, "'1,5' is not a number"),
    ("1e400", None, "'1e400' is too large"), ("inf", None, "'inf' is not a finite number"),
    ("-3", -3.0, "-3 is outside the allowed range"),
])
def test_how_a_catalog_cell_is_read_as_a_number(cell, value, problem):
    """Catalog cells are read with a plain-number pattern (ASCII digits, optional sign, point and
    exponent) and anything else as pandas reads it: Python's own float() would take '1_000' and
    Arabic-Indic digits, which no spreadsheet writes as numbers."""
    from optimizer.catalog import _bundled, _typed

    df = _bundled("measures")[0]
    df.loc[0, "capex_cny_per_ha"] = cell
    problems: list = []
    out = _typed(df, "measures", "mine.csv", problems, "measure_id")
    got = out.loc[0, "capex_cny_per_ha"]
    assert np.isnan(got) if value is None else got == value
    if problem is None:
        assert problems == []
    else:        # the run stops on any problem; the value is what was read, nan when it is not one
        assert len(problems) == 1 and problem in str(problems[0]) and "capex_cny_per_ha" in str(problems[0])
