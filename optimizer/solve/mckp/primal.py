"""A feasible plan from the Lagrangian plan: greedy repair, then single and paired option swaps.

Repair and improvement are compiled local searches (:func:`.kernels._repair`,
:func:`.kernels._improve`) over the options of smallest reduced cost: a plan better than
``L + t`` uses only options whose reduced cost is below ``t`` (docs/science.md §6.5).
"""

from __future__ import annotations

import math
import time

import numpy as np

from .dual import _Dual
from .kernels import _improve, _repair
from .reduced import ReducedCosts
from .run import Run, _certified

_REPAIR_SCANS = 200         # scans of the candidate moves in one greedy repair


def heuristic_plan(run: Run, dual: _Dual, start=None) -> tuple[np.ndarray | None, float, ReducedCosts]:
    """The best plan of repairing and improving x(λ) (with the multipliers as prices and with none),
    the dual's own feasible plan and the warm ``start`` (if given, tried first): (plan or None, its
    c·x or inf, the reduced costs at λ)."""
    zp, c, A, b, ftol, m = run.zp, run.c, run.A, run.b, run.ftol, run.m
    L = dual.bound

    def deadline() -> float:                     # read again: a first call may compile a kernel
        return run.deadline
    extra = ReducedCosts(zp, c, A, dual.lam)
    tries = [(dual.choice, dual.lam), (dual.choice, np.zeros(m))]
    if dual.plan is not None:   # feasible already: first for one row (the greedy's rounded LP
        tries.insert(0 if dual.timed_out or m == 1 else 2, (dual.plan, dual.lam))   # plan) or in a hurry
    if start is not None:
        tries.insert(0, (np.asarray(start, dtype=np.int64), dual.lam))
    best, U = None, math.inf
    for k, (s, price) in enumerate(tries):       # both repairs of x(λ) (neither wins always)
        if k >= 1 and time.perf_counter() > deadline():
            break
        plan = _local_search(zp, c, A, b, ftol, price, s, extra, L, deadline)
        if plan is not None:
            v = run.value(plan)
            if v < U:
                best, U = plan, v
        if k >= 1 and best is not None and _certified(U, L, run.tol):
            break
    run.mark("primal")
    run.info["heuristic_objective"] = U
    run.info["candidate_full_passes"] = extra.full_passes
    return best, U, extra


def _local_search(zp, c, A, b, ftol, price, start, extra, bound, deadline,
                  cand_cap=60_000, pair_cap=400):
    """A feasible plan from ``start`` (repaired if needed, then improved), or None.

    Repair moves are ranked by (Δc + price·ΔA) per unit of weighted violation removed: with the
    Lagrangian multipliers as ``price`` they follow the LP's exchange rates, with zero price the
    plain objective loss. Improvement uses options whose reduced cost is below incumbent − bound
    (the only ones a better plan can use).
    """
    m = len(b)
    n = len(c)
    choice = start.astype(np.int64).copy()
    w = 1.0 / np.maximum(1.0, np.abs(b))
    price = np.ascontiguousarray(price, dtype=np.float64)
    if not _feasible(zp, A, b, ftol, choice):
        ok = False
        for cap in (2_000, 20_000, n):           # moves go to options not chosen now
            cand, cand_zone, _ = extra.lowest_below(choice, math.inf, min(cap, n))
            ok = _repair(zp, c, A, b, ftol, w, price, choice, cand, cand_zone, _REPAIR_SCANS)
            if ok or cap >= n or time.perf_counter() > deadline():
                break
        if not ok:
            return None
    for _ in range(12):                          # a few rounds per call, then the clock is read
        value = float(c[zp[:-1] + choice].sum())
        thr = value - bound
        if thr <= 0 or m == 0:
            break
        below = thr * (1 + 1e-9) + 1e-12 * max(1.0, abs(value))
        cand, cand_zone, cand_rc = extra.lowest_below(choice, below, cand_cap)
        first = np.sort(np.argsort(cand_rc, kind="stable")[:pair_cap])    # the pair_cap smallest of them
        pairs, pair_zone = cand[first], cand_zone[first]
        moves = _improve(zp, c, A, b, ftol, choice, cand, cand_zone, pairs, pair_zone,
                         1e-12 * max(1.0, abs(value)), 4)
        if moves == 0 or time.perf_counter() > deadline():
            break
    return choice


def _feasible(zp, A, b, ftol, choice) -> bool:
    if len(b) == 0:
        return True
    return bool(np.all(A[:, zp[:-1] + choice].sum(axis=1) - b <= ftol))

