"""Why the eastern site's `sinkplan optimize` is slow: its problem, its bounds and its proof.

A study, not a benchmark with a target (the runner does not call it): it prints the figures that
``benchmarks/RESULTS.md`` (run W) quotes about the eastern subsidence site's removals problem —
134 zones, 9,758 options, three coupling rows (capital budget, topsoil and gangue stocks):

1. the fast engine's solve: status, objective, certified bound, time per phase, core rounds, and
   what keeping one row whole (``optimizer/solve/mckp/rowdp.py``) gave;
2. the LP bound (HiGHS's simplex on the whole LP; the engine's Lagrangian dual reaches it) and the
   optimum (HiGHS's MIP at gap 1e-7), so the LP's gap to the optimum;
3. **partial Lagrangian relaxations** at the LP's multipliers: every proper subset of the rows kept
   as constraints (solved exactly by HiGHS), the others priced. Each is a valid lower bound on the
   optimum (Geoffrion 1974) at least as strong as the LP's; the question is whether one closes the
   gap to 1e-4 by itself;
4. the engine again, warm-started from the optimum: what the proof alone costs once the best plan
   is known.

Run from the repository root: ``python -m benchmarks.eastern_core`` (about 10 s).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import sys
import time

import numpy as np

SITE = "sites/eastern_subsidence/zones.gpkg"


@contextlib.contextmanager
def _quiet_fd1():
    """HiGHS prints its banner on file descriptor 1 when constructed: sent to the null device."""
    sys.stdout.flush()
    saved = os.dup(1)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    try:
        yield
    finally:
        os.dup2(saved, 1)
        os.close(null)
        os.close(saved)


def eastern_core():
    """The eastern site's linear core for maximising removals (as ``sinkplan optimize SITE
    --maximize removals --allow-intolerable`` builds it) and its compiled problem."""
    from optimizer.workflows import Constraints, SiteInput, _read_and_score, declare_problem

    site, table = _read_and_score(SiteInput(SITE), None)
    compiled = declare_problem(site, ["removals"], Constraints(allow_intolerable=True)).compile(table)
    core, _scale = compiled.core(0)
    return core


def _highs(core, cost, rows, integer, gap=1e-7):
    """HiGHS on one-option-per-zone plus ``rows`` of ``core.A`` (<= ``core.b``); (value, bound, s)."""
    import highspy

    zp, A, b = core.zone_ptr, core.A, core.b
    n, nz, m = len(cost), len(zp) - 1, len(rows)
    with _quiet_fd1():
        h = highspy.Highs()
    for k, v in (("output_flag", False), ("threads", 1), ("random_seed", 0), ("mip_rel_gap", gap),
                 ("mip_abs_gap", 1e-9), ("mip_feasibility_tolerance", 1e-9),
                 ("primal_feasibility_tolerance", 1e-9)):
        h.setOptionValue(k, v)
    idx = np.empty((n, 1 + m), dtype=np.int32)
    idx[:, 0] = np.repeat(np.arange(nz, dtype=np.int32), np.diff(zp))
    idx[:, 1:] = nz + np.arange(m, dtype=np.int32)
    val = np.empty((n, 1 + m))
    val[:, 0] = 1.0
    val[:, 1:] = A[list(rows)].T
    start = np.arange(0, n * (1 + m) + 1, 1 + m, dtype=np.int32)
    lo = np.concatenate([np.ones(nz), np.full(m, -highspy.kHighsInf)])
    hi = np.concatenate([np.ones(nz), b[list(rows)]])
    h.passModel(n, nz + m, n * (1 + m), int(highspy.MatrixFormat.kColwise), int(highspy.ObjSense.kMinimize),
                0.0, np.ascontiguousarray(cost), np.zeros(n), np.ones(n), lo, hi, start, idx.ravel(), val.ravel(),
                np.full(n, 1 if integer else 0, dtype=np.int32))
    t = time.perf_counter()
    h.run()
    s = time.perf_counter() - t
    info = h.getInfo()
    value = float(info.objective_function_value)
    return value, (float(info.mip_dual_bound) if integer else value), s


def main() -> None:
    from optimizer.solve.mckp import solve_mckp

    core = eastern_core()
    zp, c, A, b = core.zone_ptr, core.c, core.A, core.b
    m = A.shape[0]
    print(f"eastern removals core: {len(zp) - 1} zones, {len(c)} options, rows {list(core.row_names)}")
    solve_mckp(core, gap_tol=1e-4)                  # load the kernels: not part of the figures
    runs = []
    for _ in range(3):
        t = time.perf_counter()
        r = solve_mckp(core, gap_tol=1e-4)
        runs.append(time.perf_counter() - t)
    info = r.info
    lam = np.asarray(info["multipliers"], dtype=float)
    print(f"1. engine: {r.status.value}, objective {r.objective:.6f}, bound {r.bound:.6f}, gap {r.gap:.2e}; "
          f"solve {min(runs):.3f}-{max(runs):.3f} s (3 warm runs)")
    print(f"   phases (cumulative s): { {k: round(v, 3) for k, v in info['runtime_phases_s'].items()} }")
    if "row_relaxation" in info:
        print(f"   row kept whole (optimizer/solve/mckp/rowdp.py): {info['row_relaxation']}")
    print(f"   heuristic plan {info['heuristic_objective']:.6f}, Lagrangian bound {info['lagrangian_bound']:.6f}, "
          f"{info.get('core_rounds')} core rounds, last core {info.get('n_core_zones')} zones / "
          f"{info.get('n_core_options')} options, won by: {info.get('milp_status')}, "
          f"enumeration nodes {info.get('enumeration_nodes')}")
    lp, _, lp_s = _highs(core, c, range(m), integer=False)
    opt, opt_bound, opt_s = _highs(core, c, range(m), integer=True)
    print(f"2. LP bound {lp:.6f} (HiGHS simplex {lp_s:.3f} s); optimum {opt:.6f} (HiGHS MIP, gap 1e-7, "
          f"{opt_s:.2f} s); LP gap {(opt - lp) / abs(opt):.2e} of the optimum; the 1e-4 target needs a bound "
          f">= {opt - 1e-4 * abs(opt):.6f}")
    print(f"3. partial Lagrangian relaxations at the LP multipliers {np.round(lam, 6).tolist()}:")
    print("   rows kept | bound | gap to the optimum | HiGHS s")
    for k in range(1, m):
        for kept in itertools.combinations(range(m), k):
            priced = [i for i in range(m) if i not in kept]
            cost = c + lam[priced] @ A[priced]
            value, _, s = _highs(core, cost, kept, integer=True, gap=1e-9)
            bound = value - float(lam[priced] @ b[priced])
            names = ", ".join(core.row_names[i] for i in kept)
            print(f"   {names} | {bound:.6f} | {(opt - bound) / abs(opt):.2e} | {s:.3f}")
    warm = []
    for _ in range(3):
        t = time.perf_counter()
        w = solve_mckp(core, gap_tol=1e-4, start=r.choice)
        warm.append(time.perf_counter() - t)
    print(f"4. engine warm-started from its own optimum: {w.status.value}, {min(warm):.3f}-{max(warm):.3f} s, "
          f"enumeration nodes {w.info.get('enumeration_nodes')}, won by: {w.info.get('milp_status')}")


if __name__ == "__main__":
    main()
