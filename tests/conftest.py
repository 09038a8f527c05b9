"""Shared fixtures: small hand-drawn sites written in real GIS formats."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Polygon, box

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
