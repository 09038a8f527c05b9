"""Benchmark of the general MILP path: PuLP + HiGHS, PuLP + CBC and HiGHS direct from arrays.

For each size and engine: model build time, solve time (for PuLP this includes PuLP's hand-over
to the solver: HiGHS column by column, or CBC's MPS file, and reading the solution back), the
solver's own run time, wall time of the whole call, and the status and gap reached within the
time limit (``None`` where the outside deadline ended the solver before it could report). Instances:
``benchmarks.instances.make_instance(n_zones, n_options, seed=0, correlated=True)`` with a budget and
a site soil-loss row.

    python -m benchmarks.bench_milp          # quick: 200 x 10
    python -m benchmarks.bench_milp --full   # 1,000 x 50 and 10,000 x 50, 120 s per solve
"""

from __future__ import annotations

import math
import sys

QUICK_SIZES = ((200, 10),)
FULL_SIZES = ((1_000, 50), (10_000, 50), (100_000, 50))
ENGINES_AT = {100_000: ("highs-direct",)}   # PuLP models of 5 M binaries are not built here
TIME_LIMIT_S = {True: 30.0, False: 120.0}   # [s] per solve, keyed by quick
GAP_REL = 1e-4
SEED = 0
ENGINES = ("pulp+highs", "pulp+cbc", "highs-direct")


def _solve(engine: str, core, time_limit_s: float):
    from optimizer.solve.milp import solve_highs_direct, solve_milp

    if engine == "highs-direct":
        return solve_highs_direct(core, time_limit_s=time_limit_s, gap_rel=GAP_REL)
    return solve_milp(core, solver=engine.split("+")[1], time_limit_s=time_limit_s,
                      gap_rel=GAP_REL)


def _finite(x):
    return float(x) if x is not None and math.isfinite(x) else None


def run(quick: bool) -> list[dict]:
    """Rows ``{benchmark, size, metric, value, unit, target}``; ``value`` None when not reached."""
    from benchmarks.instances import make_instance, to_core  # written alongside; import late

    limit = TIME_LIMIT_S[quick]
    rows: list[dict] = []
    for n_zones, n_options in (QUICK_SIZES if quick else FULL_SIZES):
        core = to_core(make_instance(n_zones, n_options, SEED, correlated=True))
        size = f"{n_zones}x{n_options}"
        # the certified fast engine on the same instance, for the ratios (warm kernels first)
        from optimizer.solve.mckp import solve_mckp
        solve_mckp(to_core(make_instance(100, 5, 1, correlated=True)), gap_tol=GAP_REL)
        fast = solve_mckp(core, gap_tol=GAP_REL, time_limit_s=limit)
        rows += [{"benchmark": "milp.fast-engine", "size": size, "metric": m, "value": v, "unit": u,
                  "target": None} for m, v, u in (("wall_time", fast.runtime_s, "s"),
                                                  ("status", fast.status.value, ""), ("gap", _finite(fast.gap), "-"))]
        for engine in ENGINES_AT.get(n_zones, ENGINES):
            res = _solve(engine, core, limit)
            bench = f"milp.{engine}"

            def row(metric, value, unit, rows=rows, bench=bench, size=size):
                rows.append({"benchmark": bench, "size": size, "metric": metric, "value": value,
                             "unit": unit, "target": None})

            row("build_time", _finite(res.info.get("build_s")), "s")
            row("solve_time", _finite(res.info.get("solve_s")), "s")
            row("solver_time", _finite(res.info.get("solver_runtime_s")), "s")  # solver's own clock
            row("wall_time", _finite(res.runtime_s), "s")
            row("time_limit", limit, "s")
            row("status", res.status.value + (" (outside deadline)" if res.info.get("deadline_hit")
                                              else ""), "")
            row("gap", _finite(res.gap), "-")
            row("objective", _finite(res.objective), "t C (minimised: -carbon)")
            row("bound", _finite(res.bound), "t C")
            limited = res.status.value != "optimal"
            row("wall time / fast engine" + (" (≥: not optimal)" if limited else ""),
                res.runtime_s / max(fast.runtime_s, 1e-9), "×")
    return rows


def _print(rows: list[dict]) -> None:
    for r in rows:
        value = r["value"]
        text = f"{value:.4g}" if isinstance(value, float) else str(value)
        print(f"{r['benchmark']:<18} {r['size']:>9} {r['metric']:<11} {text:>14} {r['unit']}")


if __name__ == "__main__":
    _print(run(quick="--full" not in sys.argv[1:]))
