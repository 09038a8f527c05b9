"""Locks and forbids per zone from the zoning file's columns (``lock_option``, ``forbid``) or a
locks file: a planner fixes zones in QGIS and re-optimises the rest."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from optimizer.cli import main


def _site(path, lock=("", "", "", ""), forbid=("", "", "", "")):
    gdf = gpd.GeoDataFrame(
        {"zone_id": ["P-1", "S-1", "S-2", "P-2"], "zone_type": ["platform", "slope", "slope", "platform"],
         "slope_deg": [2.0, 22.0, 18.0, 3.0], "slope_length_m": [40.0, 20.0, 30.0, 40.0],
         "lock_option": list(lock), "forbid": list(forbid)},
        geometry=[box(400_000 + 100 * i, 4_370_000, 400_100 + 100 * i, 4_370_100) for i in range(4)],
        crs="EPSG:32649")
    gdf.to_file(path, engine="pyogrio")
    return path


def _plan(folder) -> pd.DataFrame:
    return pd.read_csv(folder / "plan.csv").set_index("zone_id")


@pytest.fixture(scope="module")
def free(tmp_path_factory):
    d = tmp_path_factory.mktemp("free")
    site = _site(d / "zones.gpkg")
    assert main(["optimize", str(site), "--maximize", "removals", "--out", str(d / "run"), "-q"]) == 0
    return _plan(d / "run")


def test_lock_and_forbid_columns_of_the_zoning_file(free, tmp_path):
    lock_to = "grassland" if free.at["P-1", "option_id"] != "grassland" else "shrub"
    forbid = free.at["S-1", "vegetation_type"]           # what the free plan grows on S-1
    site = _site(tmp_path / "zones.gpkg", lock=(lock_to, "", "", ""), forbid=("", forbid, "", ""))
    assert main(["optimize", str(site), "--maximize", "removals", "--out", str(tmp_path / "run"), "-q"]) == 0
    p = _plan(tmp_path / "run")
    assert p.at["P-1", "option_id"] == lock_to
    assert forbid not in p.at["S-1", "option_id"].split("+")
    assert p.at["P-1", "lock_option"] == lock_to           # the columns travel into the plan


def test_a_locks_file(free, tmp_path):
    site = _site(tmp_path / "zones.gpkg")
    lock_to = "shrub" if free.at["P-2", "option_id"] != "shrub" else "grassland"
    f = tmp_path / "locks.csv"
    pd.DataFrame({"zone_id": ["P-2", "S-2"], "lock_option": [lock_to, ""],
                  "forbid": ["", free.at["S-2", "vegetation_type"]]}).to_csv(f, index=False)
    assert main(["optimize", str(site), "--maximize", "removals", "--locks-file", str(f),
                 "--out", str(tmp_path / "run"), "-q"]) == 0
    p = _plan(tmp_path / "run")
    assert p.at["P-2", "option_id"] == lock_to
    assert free.at["S-2", "vegetation_type"] not in p.at["S-2", "option_id"].split("+")


@pytest.mark.parametrize("rows, words", [
    ({"zone_id": ["Q-9"], "lock_option": ["grassland"]}, ["Q-9"]),
    ({"zone_id": ["P-1"], "lock_option": ["bogus"]}, ["P-1", "bogus"]),
    ({"zone_id": ["P-1"], "forbid": ["bogus"]}, ["P-1", "bogus"]),
    ({"zone": ["P-1"], "lock": ["grassland"]}, ["zone_id", "lock_option"]),
])
def test_bad_locks_are_named_and_write_nothing(tmp_path, capsys, rows, words):
    site = _site(tmp_path / "zones.gpkg")
    f = tmp_path / "locks.csv"
    pd.DataFrame(rows).to_csv(f, index=False)
    out = tmp_path / "run"
    assert main(["optimize", str(site), "--maximize", "removals", "--locks-file", str(f), "--out", str(out),
                 "-q"]) == 2
    err = capsys.readouterr().err
    assert all(w in err for w in words), err
    assert "Traceback" not in err
    assert not out.exists() or not any(out.iterdir())
