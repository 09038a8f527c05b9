"""Timings of the fast MCKP engine (optimizer/solve/mckp/) on the generator of docs/science.md §6.9.

``run(quick)`` returns one dict per measurement with keys ``benchmark, size, metric, value, unit,
target`` (target None when there is none). ``quick=True`` runs only the smallest size of each
benchmark (a few seconds). Timings are warm: compiled kernels are loaded by a first call on a small
instance (reported once as ``first_call_s``); instance generation is not timed.

Run alone: ``python -m benchmarks.bench_mckp [--quick]`` from the repository root.
"""

from __future__ import annotations

import resource
import statistics
import sys
import time

from benchmarks.instances import make_instance, to_core
from optimizer.solve.mckp import solve_mckp, supported_front

SOLVE_SIZES = [(1_000, 50), (10_000, 50), (100_000, 50)]
SOLVE_TARGET_S = {10_000: 1.0, 100_000: 10.0}
FRONT_SIZES = [(1_000, 50), (10_000, 50), (100_000, 50)]
FRONT_TARGET_S = {10_000: 1.0}
EXACT_SIZES = [(200, 20), (1_000, 20)]
EXACT_SEEDS = (0, 1, 2, 3, 4)
FOUR_ROWS_SIZES = [(200, 20), (1_000, 20)]     # issue 11: 10³ × 20, four coupling rows, gap 1e-6 ≤ 60 s
FOUR_ROWS_TARGET_S = {1_000: 60.0}
GAP_TOL = 1e-4
MEMORY_TARGET_MIB = 2048.0


def _row(benchmark, size, metric, value, unit, target=None):
    return {"benchmark": benchmark, "size": size, "metric": metric, "value": value, "unit": unit,
            "target": target}


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0   # Linux: KiB


def run(quick: bool = False) -> list[dict]:
    rows: list[dict] = []
    t = time.perf_counter()
    solve_mckp(to_core(make_instance(200, 10, 0)), exact=True)       # load compiled kernels
    supported_front(*(make_instance(50, 5, 0)[k] for k in ("cost", "carbon_t", "zone_ptr")))
    rows.append(_row("mckp warm-up", "200x10", "first_call_s", time.perf_counter() - t, "s"))

    pick = (lambda sizes: sizes[:1]) if quick else (lambda sizes: sizes)

    for n_z, n_o in pick(SOLVE_SIZES):
        size = f"{n_z}x{n_o}"
        core = to_core(make_instance(n_z, n_o, seed=1))
        t = time.perf_counter()
        r = solve_mckp(core, gap_tol=GAP_TOL, time_limit_s=60.0)
        elapsed = time.perf_counter() - t
        name = "mckp budget+erosion"
        rows += [
            _row(name, size, "runtime_s", elapsed, "s", SOLVE_TARGET_S.get(n_z)),
            _row(name, size, "gap", r.gap, "rel", GAP_TOL),
            _row(name, size, "status", r.status.value, ""),
            _row(name, size, "n_core_zones", r.info.get("n_core_zones", 0), "zones"),
            _row(name, size, "lagrangian_passes", r.info.get("iterations", 0), "passes"),
            _row(name, size, "feasible", bool(core.is_feasible(r.choice)), ""),
            _row(name, size, "peak_rss_mib", _peak_rss_mib(), "MiB",
                 MEMORY_TARGET_MIB if n_z == 100_000 else None),
        ]
        del core

    for n_z, n_o in pick(FRONT_SIZES):
        inst = make_instance(n_z, n_o, seed=1)
        t = time.perf_counter()
        f = supported_front(inst["cost"], inst["carbon_t"], inst["zone_ptr"])
        elapsed = time.perf_counter() - t
        size = f"{n_z}x{n_o}"
        rows += [_row("supported front", size, "runtime_s", elapsed, "s", FRONT_TARGET_S.get(n_z)),
                 _row("supported front", size, "n_vertices", f.n_vertices, "vertices")]
        del inst, f

    for n_z, n_o in (EXACT_SIZES[:1] if quick else EXACT_SIZES[1:]):
        size = f"{n_z}x{n_o}"
        times, gaps, cores = [], [], []
        for seed in EXACT_SEEDS[:1] if quick else EXACT_SEEDS:
            core = to_core(make_instance(n_z, n_o, seed))
            t = time.perf_counter()
            r = solve_mckp(core, exact=True, time_limit_s=300.0)
            times.append(time.perf_counter() - t)
            gaps.append(r.gap)
            cores.append(r.info.get("n_core_zones", 0))
        name = "mckp exact budget+erosion"
        rows += [_row(name, size, "runtime_median_s", statistics.median(times), "s"),
                 _row(name, size, "runtime_max_s", max(times), "s"),
                 _row(name, size, "gap_max", max(gaps), "rel", 1e-6),
                 _row(name, size, "n_core_zones_max", max(cores), "zones")]

    from optimizer.solve.exact import solve
    for n_z, n_o in (FOUR_ROWS_SIZES[:1] if quick else FOUR_ROWS_SIZES[1:]):
        size = f"{n_z}x{n_o}"
        times, gaps, statuses = [], [], []
        for seed in EXACT_SEEDS[:1] if quick else EXACT_SEEDS[:3]:
            compiled = four_row_instance(n_z, n_o, seed)
            t = time.perf_counter()
            r = solve(compiled, gap=1e-6, time_limit_s=300.0)
            times.append(time.perf_counter() - t)
            gaps.append(r.gap)
            statuses.append(r.status.value)
        name = "exact, budget + erosion + 2 more rows"
        rows += [_row(name, size, "runtime_max_s", max(times), "s", FOUR_ROWS_TARGET_S.get(n_z)),
                 _row(name, size, "gap_max", max(gaps), "rel", 1e-6),
                 _row(name, size, "all_optimal", all(x == "optimal" for x in statuses), "")]
    return rows


def four_row_instance(n_zones: int, n_options: int, seed: int):
    """``make_instance`` with its budget and erosion rows plus two sparse random resource rows
    (half the options use each, capacity 40 % of the sum of each zone's largest use): four coupling
    rows, as issue 11 measures exact mode on."""
    import dataclasses

    import numpy as np

    from benchmarks.bench_genetic import compiled_from_instance

    c = compiled_from_instance(make_instance(n_zones, n_options, seed), rows=("budget", "erosion"))
    rng = np.random.default_rng(100 + seed)
    n = c.A.shape[1]
    extra = rng.uniform(0.0, 1.0, (2, n)) * (rng.uniform(0.0, 1.0, (2, n)) < 0.5)
    caps = np.array([0.4 * np.maximum.reduceat(r, c.zone_ptr[:-1]).sum() for r in extra])
    return dataclasses.replace(c, A=np.vstack([c.A, extra]), b=np.r_[c.b, caps],
                               con_names=c.con_names + ("resource 1", "resource 2"),
                               con_units=c.con_units + ("-", "-"))


if __name__ == "__main__":
    for row in run(quick="--quick" in sys.argv):
        print(row)
