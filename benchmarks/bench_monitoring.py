"""Monitoring (issue 14): recalibration and zonal statistics, time and memory.

``run(quick)`` returns rows ``benchmark, size, metric, value, unit, target``:

1. **recalibration**: :func:`optimizer.monitoring.calibrate.calibrate` (the conjugate hierarchical
   posterior, then once more with each campaign's error inflated) over ``zones`` zones in 20
   vegetation × climate groups, 5 campaigns each measuring biomass and cover of every zone (one
   campaign 4× noisier than its declared method), from a known truth (seeded): wall clock (target
   ≤ 10 s at 10,000 zones × 5 campaigns), peak Python memory, and the share of true multipliers
   inside their 90 % intervals (a check that the timed run is the right computation);
2. (full size only) **zonal statistics**: :func:`optimizer.monitoring.zonal.zonal_mean` of a
   10,000 × 10,000 pixel raster over 10,000 square zones, in a fresh interpreter so its peak
   resident memory is the run's (targets ≤ 60 s, ≤ 4 GiB).

Quick (CI): 200 zones × 5 campaigns. Run alone: ``python -m benchmarks.bench_monitoring [--quick]``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
TARGET_CALIBRATE_S = 10.0
TARGET_ZONAL_S, TARGET_ZONAL_GIB = 60.0, 4.0


def _row(benchmark, size, metric, value, unit, target=None):
    return {"benchmark": benchmark, "size": size, "metric": metric, "value": value, "unit": unit, "target": target}


def synthetic_campaigns(zones: int, campaigns: int = 5, groups: int = 20, seed: int = 0):
    """Arrays for :func:`calibrate` from a known truth: (args, campaign labels, true θ)."""
    rng = np.random.default_rng(seed)
    group = rng.integers(0, groups, zones)
    se = np.full(zones, 0.25)
    theta = rng.normal(0, 0.1, groups)[group] + rng.normal(0, 0.3, zones)
    zone_idx = np.tile(np.repeat(np.arange(zones), 2), campaigns)         # biomass and cover per visit
    camp = np.repeat(np.arange(campaigns), 2 * zones)
    sd_declared = np.full(len(zone_idx), 0.15)
    sd_true = np.where(camp == 1, 0.6, 0.15)
    y = theta[zone_idx] + rng.normal(0, 1, len(zone_idx)) * sd_true
    ids = np.array([f"Z{i:06d}" for i in range(zones)], dtype=object)
    return (ids, group.astype(str), se, zone_idx, y, sd_declared), camp.astype(str), theta


def recalibration(zones: int, campaigns: int = 5) -> list[dict]:
    from optimizer.monitoring.calibrate import Z90, calibrate

    args, camp, theta = synthetic_campaigns(zones, campaigns)
    tracemalloc.start()
    t0 = time.perf_counter()
    post, _ = calibrate(*args, camp)
    wall = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    inside = np.abs(theta - post.mean_log) <= Z90 * post.sd_log
    size = f"{zones:,} zones × {campaigns} campaigns ({len(args[3]):,} observations)"
    return [_row("monitoring", size, "recalibration wall", round(wall, 3), "s", f"<= {TARGET_CALIBRATE_S}"),
            _row("monitoring", size, "recalibration peak memory", round(peak / 2**20, 1), "MiB"),
            _row("monitoring", size, "true multipliers inside 90 % intervals", round(float(inside.mean()), 3), "",
                 ">= 0.9")]


_ZONAL_CHILD = """
import json, resource, sys, time
import numpy as np, geopandas as gpd, shapely
from rasterio.transform import from_origin
from optimizer.monitoring.zonal import zonal_mean
n, k = int(sys.argv[1]), int(sys.argv[2])           # n × n pixels of 10 m, k × k square zones
rng = np.random.default_rng(0)
values = rng.random((n, n), dtype=np.float32)
side = n * 10.0 / k
x0, y0 = 500000.0, 4000000.0
boxes = [shapely.box(x0 + i * side + 3, y0 - (j + 1) * side + 3, x0 + (i + 1) * side - 3, y0 - j * side - 3)
         for j in range(k) for i in range(k)]
zones = gpd.GeoDataFrame({"zone_id": range(len(boxes))}, geometry=boxes, crs="EPSG:32649")
t = time.perf_counter()
out = zonal_mean(values, from_origin(x0, y0, 10.0, 10.0), "EPSG:32649", zones)
wall = time.perf_counter() - t
print(json.dumps({"wall_s": wall, "maxrss_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20,
                  "finite": int(np.isfinite(out).sum())}))
"""


def zonal(pixels: int = 10_000, zones_side: int = 100) -> list[dict]:
    r = subprocess.run([sys.executable, "-c", _ZONAL_CHILD, str(pixels), str(zones_side)], cwd=ROOT,
                       capture_output=True, text=True, timeout=1800, check=True)
    d = json.loads(r.stdout.strip().splitlines()[-1])
    size = f"{pixels:,} × {pixels:,} pixels, {zones_side ** 2:,} zones"
    return [_row("monitoring", size, "zonal statistics wall", round(d["wall_s"], 2), "s", f"<= {TARGET_ZONAL_S}"),
            _row("monitoring", size, "zonal statistics peak resident memory", round(d["maxrss_gib"], 2), "GiB",
                 f"<= {TARGET_ZONAL_GIB}"),
            _row("monitoring", size, "zones with a mean", d["finite"], "", f">= {zones_side ** 2}")]


def run(quick: bool = False) -> list[dict]:
    if quick:
        return recalibration(200)
    return recalibration(10_000) + zonal()


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    for row in run(ap.parse_args().quick):
        print(row)
