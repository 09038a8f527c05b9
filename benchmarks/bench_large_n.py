"""Memory and time of one fast-engine plan at large N (issue 11): budget and site soil loss, gap 1e-4.

``run(quick)`` returns rows ``benchmark, size, metric, value, unit, target``:

- ``extra_peak_over_data``: the most memory the solve allocates beyond its data (``c``, ``A``,
  ``b``, ``zone_ptr``), by ``tracemalloc`` (which sees numpy's buffers), over the data's size;
  issue 11's "peak ≤ 1.3× the data" is ``extra_peak_over_data ≤ 0.3``;
- ``extra_peak_rss_over_data``: the same from the operating system — the process's peak resident
  memory during the solve (Linux ``VmHWM``, reset just before through ``/proc/self/clear_refs``)
  less its resident memory before, over the data's size (absent where that is not available);
- ``solve_over_argsort``: the untraced solve's time over one ``np.argsort`` of its N·M costs, each
  measured ``REPEATS`` times alternately, the median of the ratios (issue 11: ≤ 1.5 at 10⁶ × 50).

Sizes: 2·10⁵ × 50 (quick: 2·10⁴ × 50) and, when ``SINKPLAN_BENCH_1E6=1``, 10⁶ × 50 (about
2 GiB peak for the process, instance included; run T measured 1.8–1.9 GiB).

Run alone: ``python -m benchmarks.bench_large_n [--quick]``. Before/after a change, the same file
can run an older tree: ``git archive <commit> optimizer benchmarks | tar -x -C DIR`` then
``PYTHONPATH=DIR python benchmarks/bench_large_n.py``.
"""

from __future__ import annotations

import gc
import os
import sys
import time
import tracemalloc

import numpy as np

from benchmarks.instances import make_instance, to_core
from optimizer.solve.mckp import solve_mckp

GAP_TOL = 1e-4
REPEATS = 3


def _status_kib(field: str) -> int | None:
    """A ``/proc/self/status`` field in KiB (Linux), or None."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak_rss() -> bool:
    """Reset the process's peak resident memory (Linux >= 4.0); False where it cannot."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _row(benchmark, size, metric, value, unit, target=None):
    return {"benchmark": benchmark, "size": size, "metric": metric, "value": value, "unit": unit, "target": target}


def measure(n_zones: int, n_options: int = 50) -> list[dict]:
    core = to_core(make_instance(n_zones, n_options, seed=1))
    gc.collect()
    data = core.c.nbytes + core.A.nbytes + core.b.nbytes + core.zone_ptr.nbytes
    # the first solve of this instance, so that no freed memory of an earlier one is reused unseen
    rss_before = _status_kib("VmRSS")
    rss_peak = _status_kib("VmHWM") if rss_before is not None and _reset_peak_rss() else None
    if rss_peak is not None:
        solve_mckp(core, gap_tol=GAP_TOL, time_limit_s=600.0)
        rss_peak = _status_kib("VmHWM")
    sorts, solves = [], []
    for _ in range(REPEATS):
        t = time.perf_counter()
        np.argsort(core.c)
        sorts.append(time.perf_counter() - t)
        gc.collect()
        t = time.perf_counter()
        r = solve_mckp(core, gap_tol=GAP_TOL, time_limit_s=600.0)
        solves.append(time.perf_counter() - t)
    ratio = float(np.median(np.array(solves) / np.array(sorts)))
    tracemalloc.start()
    solve_mckp(core, gap_tol=GAP_TOL, time_limit_s=600.0)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    size, name = f"{n_zones}x{n_options}", "fast engine at large N (budget + erosion)"
    rss_rows = [] if rss_peak is None or rss_before is None else [
        _row(name, size, "extra_peak_rss_mib", (rss_peak - rss_before) / 1024, "MiB"),
        _row(name, size, "extra_peak_rss_over_data", (rss_peak - rss_before) * 1024 / data, "", "<= 0.3")]
    return [_row(name, size, "data_mib", data / 2**20, "MiB"),
            _row(name, size, "extra_peak_mib", peak / 2**20, "MiB"),
            _row(name, size, "extra_peak_over_data", peak / data, "", "<= 0.3"),
            *rss_rows,
            _row(name, size, "solve_s", float(np.median(solves)), "s (median)"),
            _row(name, size, "argsort_s", float(np.median(sorts)), "s (median)"),
            _row(name, size, "solve_over_argsort", ratio, "", "<= 1.5" if n_zones >= 10**6 else None),
            _row(name, size, "gap", r.gap, "rel", GAP_TOL),
            _row(name, size, "objective", r.objective, "(minimised)"),
            _row(name, size, "status", r.status.value, "")]


def run(quick: bool = False) -> list[dict]:
    solve_mckp(to_core(make_instance(200, 10, 0)), exact=True)       # load the compiled kernels
    sizes = [20_000] if quick else [200_000] + ([1_000_000] if os.environ.get("SINKPLAN_BENCH_1E6") == "1" else [])
    rows: list[dict] = []
    for n in sizes:
        rows += measure(n)
    return rows


if __name__ == "__main__":
    for row in run(quick="--quick" in sys.argv):
        print(row)
