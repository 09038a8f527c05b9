"""Scenario sweeps on the Dask runner: the Loess site over price × discount × budget × standard,
at 1 and 2 local workers; scenarios/s per worker and the parallel efficiency (docs/runner.md).

The time counted is the runner's (tables scored once per standard on the cluster, every scenario
re-weighted and solved); the local cluster's start-up (a few seconds) is reported apart.
"""

from __future__ import annotations

import tempfile
import time
import warnings
from pathlib import Path

SITE = Path(__file__).resolve().parents[1] / "sites" / "loess_dump" / "zones.gpkg"


def _grid(quick: bool) -> list[str]:
    if quick:
        return ["price=40,80", "budget=2e7,2.9e7"]
    return ["price=40,60,80", "discount=0.03,0.08", "budget=1.5e7:2.9e7:3", "standard=CCER,VCS"]


def run(quick: bool) -> list[dict]:
    from optimizer.runner import cluster
    from optimizer.sweep import parse_grid, sweep_site

    grid = parse_grid(_grid(quick))
    n_scen = 1
    for v in grid.values():
        n_scen *= len(v)
    rows, rate = [], {}
    for workers in ((1,) if quick else (1, 2)):
        with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t0 = time.perf_counter()
            with cluster(workers=workers) as client:
                start_s = time.perf_counter() - t0
                res = sweep_site(SITE, grid, objective="removals", out_dir=tmp, client=client)
        s = res.summary
        rate[workers] = s.ok / s.runtime_s
        size = f"{n_scen} scenarios, {workers} worker(s)"
        rows += [
            dict(benchmark="sweep", size=size, metric="cluster start", value=start_s, unit="s", target=None),
            dict(benchmark="sweep", size=size, metric="sweep wall", value=s.runtime_s, unit="s", target=None),
            dict(benchmark="sweep", size=size, metric="scenarios/s per worker", value=rate[workers] / workers,
                 unit="1/s", target=None),
            dict(benchmark="sweep", size=size, metric="failed", value=s.failed, unit="", target="<= 0"),
        ]
    if 2 in rate:
        rows.append(dict(benchmark="sweep", size=f"{n_scen} scenarios", metric="parallel efficiency at 2 workers",
                         value=rate[2] / (2 * rate[1]), unit="", target=None))
    return rows
