"""Scoring options at scale: 10,000 zones × the bundled catalog (issue 2 target: ≤ 10 s and
≤ 2 GiB peak for 10,000 zones × about 50 options on this 2-core machine).

Zones are drawn from the example Loess Plateau dump (types, slopes, lengths, soils, burning) with
areas resampled, so the option mix is realistic; the run reports the options per zone it got, and
a second run with a catalog restricted to about 50 options per zone for the target as stated.
Peak memory is measured in a child process (``resource.getrusage`` max RSS).
"""

from __future__ import annotations

import multiprocessing as mp
import resource
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def synthetic_site(n_zones: int, seed: int = 0):
    from optimizer.site import Site, read_site

    base = read_site(ROOT / "sites/loess_dump/zones.gpkg")
    rng = np.random.default_rng(seed)
    z = pd.DataFrame(base.zones.drop(columns="geometry"))
    pick = rng.integers(0, len(z), n_zones)
    zones = z.iloc[pick].reset_index(drop=True)
    zones["zone_id"] = [f"Z{i:06d}" for i in range(n_zones)]
    zones["area_ha"] = rng.uniform(0.5, 5.0, n_zones)
    return Site(zones=zones, settings=base.settings, path="synthetic", sha256="")


def _run(n_zones, catalog, q):
    from optimizer.options import evaluate_options

    site = synthetic_site(n_zones)
    t0 = time.perf_counter()
    table = evaluate_options(site, catalog)
    dt = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # KiB → GiB
    q.put((dt, table.n_rows, rss))


def measure(n_zones: int, catalog=None):
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_run, args=(n_zones, catalog, q))
    p.start()
    out = q.get()
    p.join()
    return out


def restricted_catalog(path: Path) -> Path:
    """A planner's catalog file switching measures off, for about 50 options per zone."""
    off = ["gangue_conditioner", "amf", "contour_ridges", "poplar", "grass_legume", "pv_ground"]
    pd.DataFrame({"measure_id": off, "enabled": ["false"] * len(off)}).to_csv(path, index=False)
    return path


def run(quick: bool) -> list[dict]:
    import tempfile

    sizes = [200] if quick else [1_000, 10_000]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        small = restricted_catalog(Path(tmp) / "fifty.csv")
        for n in sizes:
            for label, cat in (("bundled catalog", None), ("catalog of ~50 options", small)):
                dt, n_rows, rss = measure(n, cat)
                size = f"{n} zones, {label}"
                target_t = "<= 10" if (n == 10_000 and cat is not None) else None
                target_m = "<= 2" if (n == 10_000 and cat is not None) else None
                rows += [
                    dict(benchmark="options", size=size, metric="options per zone", value=n_rows / n, unit="",
                         target=None),
                    dict(benchmark="options", size=size, metric="scoring time", value=dt, unit="s", target=target_t),
                    dict(benchmark="options", size=size, metric="rows per second", value=n_rows / dt, unit="1/s",
                         target=None),
                    dict(benchmark="options", size=size, metric="peak memory", value=rss, unit="GiB", target=target_m),
                ]
    return rows
