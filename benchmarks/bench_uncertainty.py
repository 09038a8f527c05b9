"""Monte Carlo of plans and robust plans: time and memory (``python -m benchmarks.bench_uncertainty``).

Three cases (issue 13's benchmarks):

- ``loess``: 500 samples × the Loess site's removals plan (the Monte Carlo alone, under tracemalloc).
- ``robust``: robust plans on the Loess site over 200 scenarios: the scenario matrix (removals of
  every row some plan can take, per scenario), the expected-removals plan and the CVaR₁₀ plan with
  its certified gap (target: within 1 % in ≤ 60 s).
- ``large``: 1,000 samples × one plan of 10,000 zones × ~50 options (Loess zones resampled, the
  catalog of ~50 options per zone of ``bench_options``; target ≤ 60 s, ≤ 4 GiB). Run in a spawned
  child so that its peak RSS (``resource.getrusage``) is its own. Memory plan: the Monte Carlo
  re-scores the plan's rows one sample at a time through the compiled kernel
  (``optimizer/uncertainty/kernel.py``: per-row scalars, ~10 × 8 B per row and baseline, the
  combinations' series, and the rows' annual net removals, rows × 40 years, ~3 MB for 10⁴ rows)
  and keeps only their reductions (samples × plans totals, samples × plans × years cumulative
  removals, plans × zones tolerance counts), so memory does not grow with samples × options; no
  samples × options matrix exists in the Monte Carlo. (The robust plans' scenario matrix does:
  scenarios × rows, 24 MB for the Loess site at 200 scenarios.)

Wall and process CPU time are both given: on the shared machine the wall time of a run can be
several times its CPU time. Quick (CI): 8 samples × the Loess plan, 20 robust scenarios, 200
zones × 8 samples. Results go to benchmarks/RESULTS.md by hand.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import tempfile
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def _loess():
    from optimizer.options import evaluate_options
    from optimizer.problem import Problem
    from optimizer.site import read_site

    site = read_site(ROOT / "sites" / "loess_dump" / "zones.gpkg", None)
    table = evaluate_options(site)
    return table, Problem.from_settings(site.settings, objectives=("removals",)).compile(table)


def loess_plan(samples: int, seed: int = 1) -> dict:
    from optimizer.solve.exact import solve
    from optimizer.uncertainty.montecarlo import monte_carlo
    from optimizer.uncertainty.sample import Rescorer, latin_hypercube

    table, compiled = _loess()
    rows = compiled.table_rows(solve(compiled).choice)
    rs = Rescorer(table)
    smp = latin_hypercube(rs.ranges, samples, seed, rs.n_draws)
    tracemalloc.start()
    t0 = time.perf_counter()
    mc = monte_carlo(table, rows[None, :], smp, ["loess"], rescorer=rs)
    wall = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    r = mc.totals["removals_tco2e"][:, 0]
    return {"case": f"Loess plan × {samples} samples", "wall_s": round(wall, 2), "peak_mib": round(peak / 2**20, 1),
            "p5": round(float(np.quantile(r, 0.05))), "p95": round(float(np.quantile(r, 0.95)))}


def robust(scenarios: int, seed: int = 2, alpha: float = 0.1) -> dict:
    """Robust plans on the Loess site, timed as ``sinkplan uncertainty --robust`` runs them."""
    from optimizer.uncertainty.robust import cvar_plan, expected_plan, possible_rows, scenario_matrix
    from optimizer.uncertainty.sample import Rescorer, latin_hypercube

    table, compiled = _loess()
    rs = Rescorer(table)
    scen = latin_hypercube(rs.ranges, scenarios, seed, rs.n_draws)
    t0, c0 = time.perf_counter(), time.process_time()
    R = scenario_matrix(compiled, scen, rescorer=rs, only=possible_rows(compiled))
    t1 = time.perf_counter()
    exp = expected_plan(compiled, R)
    t2 = time.perf_counter()
    cv = cvar_plan(compiled, R, alpha, gap=0.01, time_limit_s=60.0)
    t3, c3 = time.perf_counter(), time.process_time()
    return {"case": f"Loess robust plans, {scenarios} scenarios", "scenarios_s": t1 - t0, "expected_s": t2 - t1,
            "cpu_s": c3 - c0,
            "cvar_s": t3 - t2, "total_s": t3 - t0, "cvar_gap": cv.gap, "cvar_status": cv.status,
            "cvar_tco2e": cv.objective, "expected_gap": exp.gap, "rows": R.shape[1],
            "scored_rows": int(possible_rows(compiled).sum())}


def _large_child(n_zones: int, samples: int, q) -> None:
    warnings.simplefilter("ignore")
    from benchmarks.bench_options import restricted_catalog, synthetic_site
    from optimizer.options import evaluate_options
    from optimizer.uncertainty.montecarlo import monte_carlo
    from optimizer.uncertainty.sample import Rescorer, latin_hypercube

    site = synthetic_site(n_zones)
    with tempfile.TemporaryDirectory() as tmp:
        table = evaluate_options(site, str(restricted_catalog(Path(tmp) / "fifty.csv")))
    r = table.data["removals_tco2e"]
    starts = table.zone_ptr[:-1]
    # one plan: each zone's option with the most central removals
    rows = np.array([s + int(np.argmax(r[s:e])) for s, e in zip(starts, table.zone_ptr[1:], strict=True)])
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    rs = Rescorer(table)
    smp = latin_hypercube(rs.ranges, samples, 1, rs.n_draws)
    t0, c0 = time.perf_counter(), time.process_time()
    mc = monte_carlo(table, rows[None, :], smp, ["plan"], rescorer=rs)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    tot = mc.totals["removals_tco2e"][:, 0]
    q.put({"wall_s": wall, "cpu_s": cpu, "options_per_zone": table.n_rows / n_zones, "peak_rss_gib": resource.getrusage(
        resource.RUSAGE_SELF).ru_maxrss / 1024**2, "rss_before_mc_gib": rss_before,
        "p5": float(np.quantile(tot, 0.05)), "p95": float(np.quantile(tot, 0.95))})


def large(n_zones: int, samples: int) -> dict:
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_large_child, args=(n_zones, samples, q))
    p.start()
    out = q.get()
    p.join()
    return {"case": f"{n_zones} zones × ~{out['options_per_zone']:.0f} options, one plan × {samples} samples", **out}


def run(quick: bool = False) -> list[dict]:
    """Rows for ``python -m benchmarks.run`` (quick: the tiny sizes CI runs; full: the issue's)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = loess_plan(8 if quick else 500)
        rb = robust(20 if quick else 200)
    big = large(200, 8) if quick else large(10_000, 1_000)
    size = r["case"]
    return [
        {"benchmark": "uncertainty", "size": size, "metric": "wall_s (traced)", "value": r["wall_s"], "unit": "s",
         "target": None if quick else "<= 30"},
        {"benchmark": "uncertainty", "size": size, "metric": "peak_traced_MiB", "value": r["peak_mib"], "unit": "MiB",
         "target": None},
        {"benchmark": "uncertainty", "size": size, "metric": "removals_p5_p95", "value": f"{r['p5']}–{r['p95']}",
         "unit": "t CO2e", "target": None},
        {"benchmark": "uncertainty", "size": rb["case"], "metric": "scenarios + expected + CVaR plans",
         "value": rb["total_s"], "unit": "s", "target": None if quick else "<= 60"},
        {"benchmark": "uncertainty", "size": rb["case"], "metric": "CPU time (process)", "value": rb["cpu_s"],
         "unit": "s", "target": None},
        {"benchmark": "uncertainty", "size": rb["case"], "metric": "of which scenario matrix",
         "value": rb["scenarios_s"], "unit": "s", "target": None},
        {"benchmark": "uncertainty", "size": rb["case"], "metric": "of which CVaR plan", "value": rb["cvar_s"],
         "unit": "s", "target": None},
        {"benchmark": "uncertainty", "size": rb["case"], "metric": "CVaR certified gap", "value": rb["cvar_gap"],
         "unit": "", "target": None if quick else "<= 0.01"},
        {"benchmark": "uncertainty", "size": big["case"], "metric": "Monte Carlo wall", "value": big["wall_s"],
         "unit": "s", "target": None if quick else "<= 60"},
        {"benchmark": "uncertainty", "size": big["case"], "metric": "CPU time (process)", "value": big["cpu_s"],
         "unit": "s", "target": None},
        {"benchmark": "uncertainty", "size": big["case"], "metric": "peak memory (process max RSS)",
         "value": big["peak_rss_gib"], "unit": "GiB", "target": None if quick else "<= 4"},
    ]


def main(argv=None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("case", choices=["loess", "robust", "large"])
    ap.add_argument("--samples", type=int, default=None, help="samples (loess, large) or scenarios (robust)")
    ap.add_argument("--zones", type=int, default=10_000, help="zones of the large case")
    a = ap.parse_args(argv)
    warnings.simplefilter("ignore")
    if a.case == "loess":
        print(loess_plan(a.samples or 500))
    elif a.case == "robust":
        print(robust(a.samples or 200))
    else:
        print(large(a.zones, a.samples or 1_000))


if __name__ == "__main__":
    main()
