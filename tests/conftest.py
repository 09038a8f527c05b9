"""Shared fixtures: small hand-drawn sites written in real GIS formats."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

ROOT = Path(__file__).resolve().parents[1]
SITES = ROOT / "sites"


def square(x, y, side=100.0):
    return box(x, y, x + side, y + side)


@pytest.fixture
def tiny_gdf():
    """Four 1-ha zones side by side in UTM 49N (Shanxi): a platform, two slopes, a heap."""
    ox, oy = 400_000.0, 4_370_000.0
    return gpd.GeoDataFrame(
        {
            "zone_id": ["P-1", "S-1", "S-2", "H-1"],
            "zone_type": ["platform", "slope", "slope", "waste_heap"],
            "slope_deg": [2.0, 30.0, 18.0, 28.0],
            "slope_length_m": [50.0, 25.0, 30.0, 20.0],
            "soil_depth_cm": [10.0, 0.0, 0.0, 0.0],
            "burning": ["none", "none", "none", "medium"],
            "contaminated": [False, False, False, True],
            "land_designation": ["planned_afforestation_land", "mining_land", "mining_land", "mining_land"],
        },
        geometry=[square(ox + 100 * i, oy) for i in range(4)],
        crs="EPSG:32649",
    )


@pytest.fixture
def write_site(tmp_path):
    """Write a GeoDataFrame in a format and return the path."""

    def _write(gdf, name="zones.gpkg", **kw):
        path = tmp_path / name
        if path.suffix == ".csv":
            df = gdf.drop(columns="geometry") if "geometry" in gdf else gdf
            df.to_csv(path, index=False)
        else:
            gdf.to_file(path, engine="pyogrio", **kw)
        return path

    return _write


def make_site(rows, settings=None, overrides=None):
    """A Site from a list of zone dicts (defaults: 1-ha flat mining-land platform), no geometry."""
    from optimizer.settings import resolve_settings
    from optimizer.site import Site

    cols = dict(zone_id="Z", zone_type="platform", slope_deg=2.0, slope_length_m=40.0, soil_depth_cm=0.0,
                burning="none", water_depth_m=np.nan, contaminated=False, land_designation="mining_land",
                area_ha=1.0)
    df = pd.DataFrame([{**cols, **r} for r in rows])
    df["burning"] = pd.Categorical(df["burning"], categories=("none", "low", "medium", "high"))
    s = settings or resolve_settings({"accounting": {"standards": ["CCER", "VCS", "VM0044"]}}, overrides=overrides)
    return Site(zones=df, settings=s, path="test", sha256="")



# measures switched off to keep the tiny site small enough for brute force (≤ ~10⁵ plans)
SMALL = ["gangue_conditioner", "amf", "contour_ridges", "poplar", "grass_legume", "pv_ground", "biochar_20",
         "lime_phosphate_organic", "fire_full_treatment", "regrade_20", "conifer", "levelling", "robinia",
         "grass_maintenance"]


@pytest.fixture(scope="session")
def tiny_table(tmp_path_factory):
    """Option table of a six-zone site (slopes, platforms, a burning heap, a pool) small enough to
    enumerate every plan."""
    from optimizer.options import evaluate_options

    f = tmp_path_factory.mktemp("cat") / "small.csv"
    pd.DataFrame({"measure_id": SMALL, "enabled": "false"}).to_csv(f, index=False)
    site = make_site([
        dict(zone_id="A", zone_type="slope", slope_deg=28.0, slope_length_m=30.0, area_ha=2.0),
        dict(zone_id="B", zone_type="slope", slope_deg=16.0, slope_length_m=20.0, area_ha=1.5),
        dict(zone_id="C", area_ha=3.0, land_designation="planned_afforestation_land"),
        dict(zone_id="D", area_ha=1.0, soil_depth_cm=20.0),
        dict(zone_id="E", zone_type="waste_heap", slope_deg=30.0, slope_length_m=25.0, burning="low", area_ha=1.2),
        dict(zone_id="F", zone_type="subsidence_pool", water_depth_m=1.0, area_ha=2.5),
    ])
    return evaluate_options(site, catalog=str(f))


def pulp_site(m, k: int, inst: dict, erosion: bool = True) -> list:
    """One ``make_instance`` site written into the PuLP model ``m``: a binary per option, one
    option per zone and (``erosion``) its soil-loss cap; returns the site's variables. The
    independent solver the portfolio tests check the engine against."""
    import pulp

    zp = inst["zone_ptr"]
    x = [m.add_variable(f"x_{k}_{j}", cat="Binary") for j in range(len(inst["carbon_t"]))]
    for z in range(len(zp) - 1):
        m += pulp.lpSum(x[zp[z]:zp[z + 1]]) == 1
    if erosion:
        m += pulp.lpDot(inst["erosion_t"], x) <= inst["erosion_cap"]
    return x


def refused_naming_field(r, path, field: str, says: str, what: str = "", out: Path | None = None) -> None:
    """``r`` (a finished ``sinkplan`` process) refused a bad input file: exit status 2, no traceback,
    an ``error:`` naming ``path`` and its ``field``, saying ``says``; ``out`` (if given) left empty."""
    assert r.returncode == 2, (what, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    assert r.stderr.startswith("error: ") and str(path) in r.stderr and f"field {field!r}" in r.stderr, r.stderr
    assert says in r.stderr, r.stderr
    if out is not None:
        assert not out.exists() or not any(out.iterdir())


def kill_after_first_part(proc, parts: Path, limit_s: float) -> None:
    """SIGKILL ``proc`` as soon as its journal folder ``parts`` holds a first ``part-*.parquet``
    (a sweep killed mid-run); fails if the process ends first or writes none in ``limit_s`` (a
    limit far above need, not a timing assertion)."""
    import signal
    import time

    try:
        end = time.monotonic() + limit_s
        while not list(parts.glob("part-*.parquet")):
            assert proc.poll() is None, "the process ended before writing a part"
            assert time.monotonic() < end, f"no part written in {limit_s:.0f} s"
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
