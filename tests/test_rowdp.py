"""One coupling row kept whole (optimizer/solve/mckp/rowdp.py): the bound, the beam plan and the
fixed options against brute force, and whole solves that take this path against brute force."""

from __future__ import annotations

import math

import numpy as np
import pytest

from optimizer.solve.mckp import rowdp, solve_mckp
from optimizer.solve.mckp.dual import lagrangian_dual
from optimizer.solve.mckp.run import Run
from optimizer.solve.status import Status
from test_mckp import all_plans, brute_force, check_result, tiny_core


def _run_and_dual(core):
    run = Run.start(core, 1e-4, 30.0, False)
    return run, lagrangian_dual(run)


def _plans(core, run):
    """Every plan: its cost, its use of every row, and whether it meets every row (engine's slack)."""
    plans = all_plans(core)
    rows = core.zone_ptr[:-1] + plans
    cost = core.c[rows].sum(axis=1)
    use = core.A[:, rows].sum(axis=2)                          # (m, n_plans)
    ok = np.all(use <= (run.b + run.ftol)[:, None], axis=0)
    return plans, rows, cost, use, ok


CASES = [(seed, m) for m in (2, 3) for seed in range(40)]


@pytest.mark.parametrize("seed, m", CASES)
def test_kept_row_bound_is_the_brute_force_relaxation_and_bounds_the_optimum(seed, m):
    core = tiny_core(31_000 + 100 * m + seed, m)
    run, dual = _run_and_dual(core)
    plans, rows, cost, use, ok = _plans(core, run)
    order = np.arange(len(core.zone_ptr) - 1)[::-1]
    for k in range(m):
        rel = rowdp.relax_row(run, dual.lam, k, order)
        assert rel is not None                                  # tiny: fronts never outgrow the limit
        others = [i for i in range(m) if i != k]
        relaxed = (core.c + dual.lam[others] @ core.A[others])[rows].sum(axis=1) - dual.lam[others] @ core.b[others]
        meets_k = use[k] <= run.b[k] + run.ftol[k]
        exact = relaxed[meets_k].min() if meets_k.any() else math.inf
        assert rel.bound == pytest.approx(exact, rel=1e-12, abs=1e-9)          # the DP is exact
        if ok.any():
            opt = cost[ok].min()
            assert rel.bound <= opt + 1e-9 * max(1.0, abs(opt))                  # a lower bound
            assert rel.bound >= dual.bound - 1e-9 * max(1.0, abs(opt))           # at least the Lagrangian's


@pytest.mark.parametrize("seed, m", CASES)
def test_fixed_options_are_only_those_no_plan_below_the_target_uses(seed, m):
    core = tiny_core(32_000 + 100 * m + seed, m)
    run, dual = _run_and_dual(core)
    plans, rows, cost, use, ok = _plans(core, run)
    if not ok.any():
        return
    rel = rowdp.strongest(run, dual.lam)
    assert rel is not None
    relaxed = rel.wp[rows].sum(axis=1) + rel.off
    meets_k = use[rel.k] <= rel.cap
    for target in np.quantile(cost[ok], [0.0, 0.3, 1.0]) + np.array([1e-9, 0.0, 1.0]):
        mask = rowdp.fixing_mask(run, rel, float(target))
        assert mask is not None
        # an option is kept exactly when some row-k plan through it has relaxed value below target
        below = meets_k & (relaxed < target)
        used = np.zeros(len(core.c), dtype=bool)
        used[rows[below].ravel()] = True
        assert np.array_equal(mask, used), (target, np.flatnonzero(mask != used))
        # so every plan meeting the rows through a dropped option costs at least the target
        through_dropped = ok & ~mask[rows].all(axis=1)
        assert np.all(cost[through_dropped] >= target - 1e-9 * max(1.0, abs(target)))


@pytest.mark.parametrize("seed, m", CASES)
def test_beam_plan_meets_every_row(seed, m):
    core = tiny_core(33_000 + 100 * m + seed, m)
    run, dual = _run_and_dual(core)
    rel = rowdp.strongest(run, dual.lam)
    plan = rowdp.beam_plan(run, rel, width=2)
    feasible = brute_force(core)[0] is not None
    if plan is None:
        return                                                   # the beam may lose every completion
    assert feasible and core.is_feasible(plan)
    wide = rowdp.beam_plan(run, rel, width=10_000)               # wide enough to keep every state
    opt = brute_force(core)[0]
    assert wide is not None and core.value(wide) == pytest.approx(opt, rel=1e-12, abs=1e-9)


@pytest.mark.parametrize("m", [2, 3])
def test_solves_through_the_row_relaxation_match_brute_force(monkeypatch, m):
    """Every core races (no enumeration alone), so every solve with a plan to beat takes the row
    relaxation: results against brute force, default and exact gaps."""
    import optimizer.solve.mckp.core_search as cs

    monkeypatch.setattr(cs, "_ENUM_SOLO_NODES", 1)
    monkeypatch.setattr(cs, "_ENUM_SLICE_NODES", 1)
    took = 0
    for seed in range(40):
        core = tiny_core(34_000 + 100 * m + seed, m)
        opt = brute_force(core)[0]
        for exact, tol in ((False, 1e-4), (True, 1e-6)):
            r = solve_mckp(core, exact=exact, time_limit_s=60)
            check_result(core, r, opt, tol)
            took += "row_relaxation" in r.info
    assert took >= 20                                            # the path was exercised


def test_the_eastern_site_is_certified_through_the_gangue_row():
    """The bundled eastern site's removals problem: the gangue row kept whole bounds the optimum
    far closer than the LP, and the core search closes the gap on a fixed core without HiGHS."""
    from benchmarks.eastern_core import eastern_core

    core = eastern_core()
    r = solve_mckp(core, gap_tol=1e-4, time_limit_s=600)
    assert r.status is Status.OPTIMAL and core.is_feasible(r.choice) and r.gap <= 1e-4
    rel = r.info["row_relaxation"]
    assert rel["row"] == "gangue stock"
    assert rel["bound"] > r.info["lagrangian_bound"] + 0.1 and rel["bound"] <= r.objective
    assert rel["options_kept"] < len(core.c) / 10
    assert r.info["milp_status"] == "enumeration complete"
