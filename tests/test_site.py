"""Reading zoning files: formats, CRS handling, aliases, and every class of validation problem."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Polygon

from conftest import SITES, square
from optimizer.errors import SiteError
from optimizer.site import read_site


def problems_of(excinfo):
    return [str(p) for p in excinfo.value.problems]


@pytest.mark.parametrize("name", ["zones.gpkg", "zones.geojson", "zones.shp"])
def test_round_trip_formats(tiny_gdf, write_site, name):
    path = write_site(tiny_gdf, name)
    site = read_site(path)
    z = site.zones
    assert list(z["zone_id"]) == ["P-1", "S-1", "S-2", "H-1"]
    assert z.crs.to_epsg() == 32649
    np.testing.assert_allclose(z["area_ha"], 1.0, rtol=1e-9)          # 100 m × 100 m
    np.testing.assert_allclose(z["slope_deg"], [2, 30, 18, 28])
    assert list(z["burning"].astype(str)) == ["none", "none", "none", "medium"]
    assert list(z["contaminated"]) == [False, False, False, True]
    assert len(site.sha256) == 64


def test_csv_without_geometry(tiny_gdf, write_site):
    df = pd.DataFrame(tiny_gdf.drop(columns="geometry"))
    df["area_ha"] = [1.5, 2.0, 0.5, 3.0]
    path = write_site(df, "zones.csv")
    site = read_site(path)
    assert not site.has_geometry
    assert site.zones["area_ha"].sum() == pytest.approx(7.0)


def test_csv_needs_area(tiny_gdf, write_site):
    path = write_site(pd.DataFrame(tiny_gdf.drop(columns="geometry")), "zones.csv")
    with pytest.raises(SiteError) as e:
        read_site(path)
    assert any("area_ha" in p for p in problems_of(e))


def test_lonlat_reprojected_to_utm_with_true_area(tiny_gdf, write_site):
    ll = tiny_gdf.to_crs("EPSG:4326")
    site = read_site(write_site(ll, "zones.geojson"))
    assert site.zones.crs.to_epsg() == 32649          # 112°E → UTM zone 49N
    np.testing.assert_allclose(site.zones["area_ha"], 1.0, rtol=1e-4)
    assert any("reprojected" in n for n in site.notes)


def test_percent_slopes_and_aliases(tiny_gdf, write_site):
    g = tiny_gdf.drop(columns=["slope_deg"]).rename(columns={"slope_length_m": "Slope_Length", "zone_type": "Type"})
    g["slope_pct"] = [100.0 * math.tan(math.radians(a)) for a in (2, 30, 18, 28)]
    site = read_site(write_site(g))
    np.testing.assert_allclose(site.zones["slope_deg"], [2, 30, 18, 28], atol=1e-9)
    np.testing.assert_allclose(site.zones["slope_length_m"], [50, 25, 30, 20])


def test_shapefile_truncated_names(tiny_gdf, write_site):
    """Shapefile cuts names to 10 characters: slope_leng, land_desig, contaminat."""
    site = read_site(write_site(tiny_gdf, "zones.shp"))
    assert site.zones["land_designation"].iloc[0] == "planned_afforestation_land"
    assert site.zones["contaminated"].iloc[3]


def test_no_crs_is_an_error_unless_given(tiny_gdf, write_site):
    g = tiny_gdf.set_crs(None, allow_override=True)
    path = write_site(g, "zones.geojson")
    # GeoJSON without a CRS is read as WGS 84 by GDAL; use a GeoPackage without CRS instead
    path = write_site(g, "nocrs.gpkg")
    with pytest.raises(SiteError) as e:
        read_site(path)
    assert any("--crs" in p for p in problems_of(e))
    site = read_site(path, crs="EPSG:32649")
    assert site.zones.crs.to_epsg() == 32649
    np.testing.assert_allclose(site.zones["area_ha"], 1.0)


def test_many_mistakes_reported_at_once(tiny_gdf, write_site):
    g = pd.concat([tiny_gdf] * 2, ignore_index=True)
    g = gpd.GeoDataFrame(g, geometry=[square(400_000 + 100 * i, 4_370_000) for i in range(8)], crs=tiny_gdf.crs)
    g["zone_id"] = ["A", "B", "C", "D", "E", "E", "G", "H"]                 # duplicate E
    g.loc[0, "zone_type"] = "platfrom"                                     # typo → suggest platform
    g.loc[1, "slope_deg"] = 95.0                                           # out of range
    g.loc[2, "slope_length_m"] = np.nan                                    # slope needs a length
    g.loc[3, "burning"] = "very hot"                                       # unknown burning level
    g.loc[6, "zone_type"] = None                                           # missing type
    g.loc[7, "soil_depth_cm"] = -5                                         # negative depth
    with pytest.raises(SiteError) as e:
        read_site(write_site(g))
    msgs = problems_of(e)
    text = "\n".join(msgs)
    assert "zone 'A', field 'zone_type': unknown zone type 'platfrom'; did you mean 'platform'?" in text
    assert "zone 'B', field 'slope_deg': 95 ° is outside 0–90 °" in text
    assert "zone 'C', field 'slope_length_m'" in text
    assert "zone 'D', field 'burning'" in text
    assert "zone 'E', field 'zone_id': duplicate id" in text
    assert "zone 'G', field 'zone_type': missing" in text
    assert "zone 'H', field 'soil_depth_cm'" in text
    assert all("zones.gpkg" in m for m in msgs)                            # every message names the file


def test_slope_deg_and_pct_disagreeing(tiny_gdf, write_site):
    g = tiny_gdf.copy()
    g["slope_pct"] = [3.5, 10.0, 32.5, 53.2]     # S-1: 30° is 57.7 %, not 10 %
    with pytest.raises(SiteError) as e:
        read_site(write_site(g))
    msgs = problems_of(e)
    assert len(msgs) == 1 and "zone 'S-1'" in msgs[0] and "disagrees" in msgs[0]


def test_invalid_geometry_reported_and_fixed(tiny_gdf, write_site):
    bowtie = Polygon([(400_000, 4_370_000), (400_100, 4_370_100), (400_100, 4_370_000), (400_000, 4_370_100)])
    g = tiny_gdf.copy()
    g.loc[0, "geometry"] = bowtie
    path = write_site(g)
    with pytest.raises(SiteError) as e:
        read_site(path)
    msg = problems_of(e)[0]
    assert "zone 'P-1'" in msg and "Self-intersection" in msg and "--fix-geometry" in msg
    site = read_site(path, fix_geometry=True)
    assert site.zones.geometry.is_valid.all()
    assert site.zones["area_ha"].iloc[0] == pytest.approx(0.5)   # two triangles of 0.25 ha
    assert any("P-1" in n and "repaired" in n for n in site.notes)


def test_overlaps_reported_with_area(tiny_gdf, write_site):
    g = tiny_gdf.copy()
    g.loc[1, "geometry"] = square(400_050, 4_370_000)            # S-1 overlaps P-1 by 50 × 100 m
    g.loc[2, "geometry"] = square(400_200.5, 4_370_000)          # S-2 overlaps H-1 by 0.5 × 100 = 50 m²
    with pytest.raises(SiteError) as e:
        read_site(write_site(g))
    msgs = problems_of(e)
    assert any("zone 'P-1'" in m and "'S-1'" in m and "5,000.0 m²" in m for m in msgs)
    assert any("'S-2'" in m and "'H-1'" in m and "50.0 m²" in m for m in msgs)
    assert not any("'S-1'" in m and "'S-2'" in m for m in msgs)  # S-1 and S-2 touch (overlap 0)? check
    # a tiny overlap under the tolerance is accepted
    g2 = tiny_gdf.copy()
    g2.loc[1, "geometry"] = square(400_099.995, 4_370_000)        # 0.5 m² overlap
    read_site(write_site(g2, "ok.gpkg"))


def test_empty_file(tiny_gdf, write_site):
    with pytest.raises(SiteError) as e:
        read_site(write_site(tiny_gdf.iloc[:0], "empty.gpkg"))
    assert "empty" in problems_of(e)[0]


def test_missing_required_column(tiny_gdf, write_site):
    with pytest.raises(SiteError) as e:
        read_site(write_site(tiny_gdf.drop(columns="zone_type")))
    assert "zone_type" in problems_of(e)[0]


def test_layer_choice(tiny_gdf, tmp_path):
    path = tmp_path / "two.gpkg"
    tiny_gdf.to_file(path, layer="a", engine="pyogrio")
    tiny_gdf.iloc[:2].to_file(path, layer="b", engine="pyogrio")
    with pytest.raises(SiteError) as e:
        read_site(path)
    assert "--layer" in problems_of(e)[0] and "a, b" in problems_of(e)[0]
    assert len(read_site(path, layer="b").zones) == 2
    with pytest.raises(SiteError) as e:
        read_site(path, layer="c")
    assert "no layer 'c'" in problems_of(e)[0]


@pytest.mark.parametrize("path", [SITES / "loess_dump/zones.gpkg", SITES / "eastern_subsidence/zones.gpkg",
                                  SITES / "inner_mongolia_grassland/zones.geojson"])
def test_example_sites_are_valid(path):
    site = read_site(path)
    assert 30 <= len(site.zones) <= 300
    assert site.zones.crs.is_projected
    assert site.settings.file.endswith("settings.toml")


def test_geometry_and_attribute_problems_reported_together(tiny_gdf, write_site):
    """A typo, an out-of-range value, an invalid polygon and two overlapping zones: one error, all four."""
    bowtie = Polygon([(400_200, 4_370_000), (400_300, 4_370_100), (400_300, 4_370_000), (400_200, 4_370_100)])
    g = tiny_gdf.copy()
    g.loc[0, "zone_type"] = "platfrom"                               # attribute typo
    g.loc[1, "slope_deg"] = 120.0                                    # out of range
    g.loc[2, "geometry"] = bowtie                                    # invalid (self-intersection), left out of overlaps
    g.loc[3, "geometry"] = square(400_050, 4_370_000)                # H-1 overlaps P-1 and S-1 by 50 × 100 m each
    with pytest.raises(SiteError) as e:
        read_site(write_site(g))
    msgs = problems_of(e)
    text = "\n".join(msgs)
    assert "zone 'P-1', field 'zone_type': unknown zone type 'platfrom'" in text
    assert "zone 'S-1', field 'slope_deg': 120 ° is outside 0–90 °" in text
    assert "zone 'S-2', field 'geometry': invalid polygon" in text
    assert "zone 'P-1', field 'geometry': overlaps zone 'H-1' by 5,000.0 m²" in text
    assert "zone 'S-1', field 'geometry': overlaps zone 'H-1' by 5,000.0 m²" in text
    assert not any("overlaps" in m and "S-2" in m for m in msgs)    # the invalid polygon is not compared
    assert len(msgs) == 5 and all("zones.gpkg" in m for m in msgs)


@pytest.mark.parametrize("name", ["zones.gpkg", "zones.shp"])
def test_infinite_numbers_in_geo_formats_are_problems(tiny_gdf, write_site, name):
    g = tiny_gdf.copy()
    g["water_depth_m"] = [np.nan, np.nan, np.nan, np.inf]            # NaN is a NULL: no value; inf is a mistake
    g.loc[1, "slope_length_m"] = -np.inf
    with pytest.raises(SiteError) as e:
        read_site(write_site(g, name))
    msgs = problems_of(e)
    assert any("zone 'H-1'" in m and "'water_depth_m'" in m and "not a finite number" in m for m in msgs), msgs
    assert any("zone 'S-1'" in m and "'slope_length_m'" in m and "not a finite number" in m for m in msgs), msgs
    assert not any("zone 'P-1'" in m for m in msgs)                  # missing water depth is fine on a platform


def test_nan_text_in_csv_is_a_problem_and_reported_once(tiny_gdf, write_site):
    df = pd.DataFrame(tiny_gdf.drop(columns="geometry")).astype(object)
    df["area_ha"] = pd.Series(["1.0"] * 4, dtype=object)
    df.loc[1, "slope_deg"] = "nan"                                    # a slope zone: not also "needs slope_deg"
    df.loc[2, "slope_length_m"] = "Infinity"
    df.loc[3, "area_ha"] = "inf"
    with pytest.raises(SiteError) as e:
        read_site(write_site(df, "zones.csv"))
    msgs = problems_of(e)
    assert len(msgs) == 3, msgs
    assert "zones.csv, zone 'S-1', field 'slope_deg': nan is not a finite number" in msgs[0]
    assert any("zone 'S-2', field 'slope_length_m'" in m for m in msgs)
    assert any("zone 'H-1', field 'area_ha'" in m for m in msgs)


def test_gbk_csv_is_read_with_a_warning(tiny_gdf, tmp_path):
    from optimizer.errors import TextEncodingWarning

    df = pd.DataFrame(tiny_gdf.drop(columns="geometry"))
    df["area_ha"] = 1.0
    df["name"] = ["排土场平台", "北帮边坡", "南帮边坡", "矸石山"]
    path = tmp_path / "zones.csv"
    df.to_csv(path, index=False, encoding="gbk")
    with pytest.warns(TextEncodingWarning, match=r"zones\.csv.*GB18030"):
        site = read_site(path)
    assert list(site.zones["name"]) == ["排土场平台", "北帮边坡", "南帮边坡", "矸石山"]
    assert any("GB18030" in n for n in site.notes)


def test_short_gbk_text_valid_as_utf8_by_accident_is_read_as_gbk(tmp_path):
    """'平台' in GBK (C6 BD CC A8) is also valid UTF-8 ('ƽ̨'); without a BOM it is read as GBK."""
    from optimizer.errors import TextEncodingWarning

    path = tmp_path / "zones.csv"
    path.write_bytes("zone_id,zone_type,area_ha\n平台,platform,1\n".encode("gbk"))
    with pytest.warns(TextEncodingWarning, match="by accident"):
        site = read_site(path)
    assert site.zones["zone_id"].iloc[0] == "平台"
    path.write_bytes("zone_id,zone_type,area_ha\nKhu vực Sơn,platform,1\n".encode())   # real UTF-8 stays
    assert read_site(path).zones["zone_id"].iloc[0] == "Khu vực Sơn"


def test_a_folder_is_not_a_zoning_file(tmp_path, tiny_gdf, write_site):
    write_site(tiny_gdf, "zones.gpkg")
    with pytest.raises(SiteError) as e:
        read_site(tmp_path)
    msg = problems_of(e)[0]
    assert msg.startswith(str(tmp_path)) and "is a folder; give the zoning file, e.g. zones.gpkg" in msg
    assert str(tmp_path / "zones.gpkg") in msg                            # what the folder holds


# --- the steps of read_site, each on its own ---------------------------------------------------


def test_canonical_frame_renames_aliases_and_names_missing_columns():
    from optimizer.site import canonical_frame

    problems, notes = [], []
    raw = pd.DataFrame({"ID": ["a"], "Type": ["platform"], "Slope_PC": [10.0], "hectares": [1.0], "owner": ["x"]})
    df = canonical_frame(raw, "z.csv", problems, notes)
    assert list(df.columns) == ["zone_id", "zone_type", "slope_pct", "area_ha", "owner"]
    assert "column 'ID' read as 'zone_id'" in notes and not problems
    canonical_frame(pd.DataFrame({"zone": ["a"], "kind": ["platform"]}), "z.csv", problems, [])   # zone = zone_id
    assert [str(p) for p in problems] == ["z.csv, field 'zone_type': required column is missing; is 'zone' it?"]


def test_parse_attributes_gathers_every_problem_and_default():
    from optimizer.site import assemble_zones, csv_area, parse_attributes

    df = pd.DataFrame({"zone_id": [1.0, None, 3.0], "zone_type": ["Slope", "pit floor", "pool"],
                       "slope_pct": [100.0, None, None], "slope_length_m": [20.0, None, None],
                       "burning": [None, "Low", "no"], "contaminated": ["yes", None, "0"],
                       "area_ha": [1.0, 0.0, 2.0], "owner": ["x", "y", "z"]})
    problems, notes = [], []
    a = parse_attributes(df, "z.csv", problems, notes)
    assert list(a.zone_id) == ["1", "<row 2>", "3"]
    assert list(a.zone_type) == ["slope", "pit_floor", "pool"]
    np.testing.assert_allclose(a.slope_deg[:1], [45.0])                   # 100 % = 45°
    assert list(a.burning) == ["none", "low", "none"] and list(a.contaminated) == [True, False, False]
    assert list(a.land_designation) == ["mining_land"] * 3
    assert [str(p) for p in problems] == [
        "z.csv, zone '<row 2>', field 'zone_id': missing zone_id",
        "z.csv, zone '3', field 'zone_type': unknown zone type 'pool'; did you mean 'pit_floor'?",
    ]
    assert notes == ["slope_pct converted to degrees (θ = atan(pct/100))"]
    zones = csv_area(df, assemble_zones(df, a), a, "z.csv", problems)
    assert list(zones.columns)[-2:] == ["owner", "area_ha"]
    assert zones["zone_type"].isna().tolist() == [False, False, True]    # unknown: reported, left empty
    assert str(problems[-1]) == "z.csv, zone '<row 2>', field 'area_ha': missing or zero area"
