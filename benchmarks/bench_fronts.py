"""Pareto fronts at scale (issue 3 targets), each against the generic path in the same run.

- 20-point ε-constraint front of carbon vs cost under the site soil-loss cap at 10⁴ × 50
  (target ≤ 10 s), against PuLP + HiGHS on the same ε-problems: the generic path is timed on a
  few of the points (time limit per point) and its total estimated as mean × K — reported with
  "≥" semantics when a point hit its limit.
- Exact mode (gap ≤ 1e-6) 20-point front at 10³ × 20 (target ≤ 180 s), against PuLP + HiGHS in
  exact mode on a sample of the points likewise.
- The bundled Loess dump (132 zones, 3 coupling rows), 20-point removals–cost front, serial
  (issue 11: ≤ 2 s, every point gap ≤ 1e-4, ≥ 10× PuLP + HiGHS on the same ε-problems in the same
  run; exact mode ≤ 10 s).

Instances: ``benchmarks.instances.make_instance`` (docs/science.md §6.9: carbon correlated with
cost, the hard case).
"""

from __future__ import annotations

import time

import numpy as np

from benchmarks.instances import make_instance, to_compiled


def _generic_points(compiled, front, k_sample: int, time_limit_s: float, exact: bool):
    """Solve a sample of the front's ε-problems with PuLP + HiGHS; (mean s/point, any time-limited)."""
    from optimizer.solve.exact import AUGMENTATION
    from optimizer.solve.milp import solve_milp

    eps_values = front.values[:, 1] * compiled.objectives[1].sense      # min-sense ε of objective 2
    sample = np.unique(np.linspace(0, len(eps_values) - 1, k_sample).round().astype(int))
    times, limited = [], False
    rng = np.abs(compiled.F).sum(axis=1) + 1.0
    w = np.array([1.0, AUGMENTATION * rng[0] / rng[1]])
    for i in sample:
        core, _ = compiled.core(w, extra_A=compiled.F[1:], extra_b=np.array([eps_values[i] * (1 + 1e-9)]),
                                extra_names=("eps",))
        t0 = time.perf_counter()
        res = solve_milp(core, solver="highs", time_limit_s=time_limit_s, gap_rel=1e-6 if exact else 1e-4)
        times.append(time.perf_counter() - t0)
        limited |= res.status.value == "time_limit"
    return float(np.mean(times)), limited, len(sample)


def _loess_compiled():
    """The bundled Loess dump scored with the bundled catalog, removals vs cost, no extra limits."""
    import warnings
    from pathlib import Path

    from optimizer import workflows

    src = workflows.SiteInput(Path(__file__).resolve().parents[1] / "sites" / "loess_dump" / "zones.gpkg")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        site, table = workflows._read_and_score(src, None)
    return workflows.declare_problem(site, ["removals", "cost"], workflows.Constraints()).compile(table)


def _loess_rows(quick: bool) -> list[dict]:
    from optimizer.solve.exact import epsilon_front
    from optimizer.solve.status import Status

    compiled = _loess_compiled()
    epsilon_front(compiled, points=3, workers=1)          # load the compiled kernels first
    rows = []
    for exact, target in ((False, "<= 2"), (True, "<= 10")):
        times = []
        for _ in range(1 if quick else 3):
            t0 = time.perf_counter()
            front = epsilon_front(compiled, points=20, exact=exact, gap=1e-4, time_limit_s=60.0, workers=1)
            times.append(time.perf_counter() - t0)
        dt = float(np.median(times))
        name = "loess eps front" + (" exact" if exact else "")
        size = f"132 zones, {compiled.F.shape[1]} options, K=20"
        rows += [
            dict(benchmark=name, size=size, metric=f"wall time (median of {len(times)}, serial)", value=dt, unit="s",
                 target=target),
            dict(benchmark=name, size=size, metric="max gap, relative to the point", value=float(front.gaps.max()),
                 unit="rel", target="<= 1e-06" if exact else "<= 0.0001"),
            dict(benchmark=name, size=size, metric="points not optimal", unit="", target="<= 0",
                 value=sum(s is not Status.OPTIMAL for s in front.status)),
        ]
        if not quick and not exact:
            per, limited, n = _generic_points(compiled, front, 5, 60.0, exact)
            rows += [
                dict(benchmark=name, size=size, metric=f"PuLP+HiGHS per point (mean of {n})", value=per, unit="s",
                     target=None),
                dict(benchmark=name, size=size, metric="generic / fast (estimated)" + (" ≥" if limited else ""),
                     value=per * len(front) / dt, unit="×", target=">= 10"),
            ]
    return rows


def run(quick: bool) -> list[dict]:
    from optimizer.solve.exact import epsilon_front

    rows = _loess_rows(quick)
    cases = [("eps front", 1_000, 20, 20, False, None)] if quick else [
        ("eps front", 10_000, 50, 20, False, "<= 10"),
        ("exact eps front", 1_000, 20, 20, True, "<= 180"),
    ]
    for name, nz, no, k, exact, target in cases:
        inst = make_instance(nz, no, seed=0, correlated=True)
        compiled = to_compiled(inst)
        epsilon_front(to_compiled(make_instance(50, 5, seed=1)), points=3, workers=1)   # warm the kernels
        t0 = time.perf_counter()
        front = epsilon_front(compiled, points=k, exact=exact, gap=1e-4, time_limit_s=120.0)
        dt = time.perf_counter() - t0
        size = f"{nz}x{no}, K={k}"
        rows += [
            dict(benchmark=name, size=size, metric="wall time", value=dt, unit="s", target=target),
            dict(benchmark=name, size=size, metric="points", value=len(front), unit="", target=None),
            dict(benchmark=name, size=size, metric="max gap, relative to the point", value=float(front.gaps.max()),
                 unit="rel", target="<= 1e-06" if exact else None),
            dict(benchmark=name, size=size, metric="max gap, relative to the front's range",
                 value=float((front.gaps * np.maximum(1.0, np.abs(front.values[:, 0]))).max()
                             / np.ptp(front.values[:, 0])),
                 unit="rel", target=None if exact else "<= 0.0001"),
        ]
        if not quick:
            per, limited, n = _generic_points(compiled, front, 3, 120.0, exact)
            est = per * k
            rows += [
                dict(benchmark=name, size=size, metric=f"PuLP+HiGHS per point (mean of {n})", value=per, unit="s",
                     target=None),
                dict(benchmark=name, size=size, metric="generic / fast (estimated)" + (" ≥" if limited else ""),
                     value=est / dt, unit="×", target=None),
            ]
    return rows
