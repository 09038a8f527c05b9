"""How promptly a wall-clock limit is held — measured here, never asserted in a test (a loaded
machine must still pass CI).

- ``deadline.mckp``: the fast engine asked for a zero gap on a 10⁴ × 50 instance (minutes of exact
  search) under limits of 0 s and 1 s: the overrun past the limit.
- ``deadline.milp``: PuLP + HiGHS with *no* limit of its own (as when HiGHS overruns its limit),
  ended by the outside deadline of :mod:`optimizer.solve.deadline` at 1 s: the overrun past the
  limit, which includes the designed grace (``milp.run.deadline_grace_s``) and ending the child.

    python -m benchmarks.run --only deadline
"""

from __future__ import annotations

import time

OVERRUN_TARGET_S = 0.5          # the fast engine checks its clock between passes
MILP_OVERRUN_MARGIN_S = 1.0     # beyond the designed grace: ending the child, collecting its incumbent


def run(quick: bool) -> list[dict]:
    from benchmarks.instances import make_instance, to_core
    from optimizer.solve import milp
    from optimizer.solve.mckp import solve_mckp
    from optimizer.solve.milp import run as milp_run  # where the child looks the limit up

    rows: list[dict] = []
    n = 10_000                       # a zero gap here takes the exact search minutes
    core = to_core(make_instance(n, 50, 0))
    solve_mckp(to_core(make_instance(200, 10, 0)), exact=True)     # kernels loaded, not timed
    for limit in ((1.0,) if quick else (0.0, 1.0)):
        t0 = time.perf_counter()
        r = solve_mckp(core, gap_tol=0.0, time_limit_s=limit)
        over = time.perf_counter() - t0 - limit
        size = f"{n}x50 limit {limit:g} s"
        rows += [dict(benchmark="deadline.mckp", size=size, metric="overrun_s", value=over, unit="s",
                      target=OVERRUN_TARGET_S),
                 dict(benchmark="deadline.mckp", size=size, metric="status", value=r.status.value, unit="",
                      target=None)]
    milp_core = to_core(make_instance(1_000, 10, 1))
    real = milp_run._time_left
    milp_run._time_left = lambda deadline: 1e6        # the solver gets no limit: only the outside deadline
    try:
        t0 = time.perf_counter()
        r = milp.solve_milp(milp_core, solver="highs", time_limit_s=1.0, gap_rel=0.0)
        over = time.perf_counter() - t0 - 1.0
    finally:
        milp_run._time_left = real
    grace = milp_run.deadline_grace_s(1.0)      # the outside deadline waits this long by design
    rows += [dict(benchmark="deadline.milp", size="1000x10 limit 1 s", metric="overrun_s", value=over, unit="s",
                  target=f"<= {grace + MILP_OVERRUN_MARGIN_S:.2f}"),
             dict(benchmark="deadline.milp", size="1000x10 limit 1 s", metric="deadline_hit",
                  value=bool(r.info.get("deadline_hit")), unit="", target=None)]
    return rows
