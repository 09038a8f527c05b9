"""Certified fast engine for the linear core: a multiple-choice knapsack with a few coupling rows.

    minimise c · x   over one option per zone,   subject to   A x <= b   (m coupling rows)

Method (docs/science.md §6.4–§6.5; Sinha & Zoltners 1979; Pisinger 1995; Kellerer, Pferschy & Pisinger 2004,
ch. 11):

1. **Proven infeasibility of single rows.** If even the plan that uses least of row ``i`` exceeds
   ``b[i]``, no plan exists; the message names the row and the excess.
2. **Lower bound by Lagrangian relaxation** of the coupling rows. For any ``λ >= 0``
   ``L(λ) = Σ_z min_o (c + λ·A)[z, o] − λ·b`` is a lower bound on the optimum, and its maximum is
   the LP bound. One row: the LP is solved exactly by the greedy on sorted convex-hull increments
   (dominated and LP-dominated options dropped per zone), and ``λ`` is the efficiency of the break
   increment. Several rows: a box-stabilised cutting-plane (bundle) ascent on ``λ``; every pass is
   one compiled per-zone argmin of ``c + λ·A``.
3. **Feasible plan**: the Lagrangian (or greedy) plan, repaired row by row and improved by single
   and paired option swaps (compiled local search over options of small reduced cost).
4. **Reduced-cost fixing**: for any plan x, c·x >= L(λ) + Σ_z extra_z(x_z), where extra is an
   option's reduced cost above its zone's least; so a plan better than L + t uses only options
   with extra < t. Zones left with one option are fixed and moved to the right-hand side.
5. **Exact search of the core** when the gap is still above the tolerance (or ``exact=True``),
   over a core that expands (Pisinger 1995): about 40 zones of nearest ties first, then t grows
   until t >= incumbent − L − τ/2 certifies the gap τ. Each core is solved exactly by a compiled
   depth-first enumeration (Lagrangian bound plus slack and row-feasibility pruning), raced after
   10⁶ nodes against the HiGHS MILP built from CSC arrays with highspy (one thread), in a child
   process ended at the deadline (``start_in_child``); the first to finish answers.

6. **One row kept whole** (:mod:`.rowdp`), once per solve, after the first core the enumeration
   did not close alone (several rows, at most 2,000 zones): the other rows priced at λ, the
   single-row knapsack solved exactly on Pareto fronts gives a bound B >= L(λ), a beam-search plan
   and the options that can still be in a plan better than T = incumbent − τ/2; later cores take
   only those.

Every bound reported is proven: ``max(L(λ), B, min(L + t, T, B_core))`` with B_core the core's
proven bound (B and T only after step 6).

The package, by job: :mod:`.kernels` (the compiled loops), :mod:`.dual` (step 2), :mod:`.primal`
(step 3), :mod:`.core_search` (steps 4–5), :mod:`.rowdp` (step 6), :mod:`.front` (convex-hull
increments: the one-row LP and :func:`supported_front`), :mod:`.run` (one solve's arrays, clock
and result).
"""

from __future__ import annotations

import math
import time

import numpy as np

from ..core import LinearCore
from ..status import SolveResult, Status
from . import rowdp, small
from .core_search import _ENUM_MAX_NODES, search_core
from .dual import _Dual, lagrangian_dual
from .front import SupportedFront, front_plan, supported_front
from .kernels import _lagrangian_pass
from .primal import _local_search, heuristic_plan
from .run import EXACT_GAP, Run, _certified

__all__ = ["EXACT_GAP", "SupportedFront", "front_plan", "solve_mckp", "supported_front"]


def solve_mckp(core: LinearCore, *, gap_tol: float = 1e-4, time_limit_s: float = 60.0,
               exact: bool = False, core_milp: bool = True, start=None) -> SolveResult:
    """Minimise c·x with one option per zone and A x <= b; certified gap, bounded wall clock.

    Status is OPTIMAL when the certified relative gap is <= ``gap_tol`` (``exact=True``: <= 1e-6),
    FEASIBLE with a plan of larger gap, TIME_LIMIT when the clock stopped the search (a plan, if
    any, travels with its gap), INFEASIBLE only when proven (the message names the row(s)).
    ``core_milp=False`` skips the exact search of the core zones (enumeration and MILP).
    ``start`` (local option index per zone, or None) is a warm start: a plan known to be good (the
    first stage of a lexicographic solve, the neighbouring point of a front), repaired if it breaks
    a row and improved like the engine's own plans; it changes how fast, never what is proved.

    ``info`` carries ``bound_source`` ("lp-greedy", "lagrangian", "milp" for the core search, …),
    ``n_core_zones`` (of the last core searched), ``iterations`` (Lagrangian passes),
    ``multipliers`` (λ per coupling row, objective units per row unit), ``lagrangian_bound``,
    ``heuristic_objective``, and when the core was searched ``core_rounds``, ``core_threshold``,
    ``enumeration_nodes``, ``milp_status``, ``milp_nodes``; ``runtime_phases_s`` (cumulative);
    ``compile_s``. Times include loading the compiled kernels (a few tenths of a second once per
    process). Compiling them after an install or an edit (tens of seconds on a loaded machine) is
    in ``runtime_s`` and ``compile_s`` but not counted against ``time_limit_s``: the limit bounds
    the search, so a cold cache never turns a solve into a time-limited one;
    ``optimizer.jit.warm_up(groups="mckp")`` compiles them ahead.
    """
    run = Run.start(core, gap_tol, time_limit_s, exact)
    # 1. single rows that no plan can meet
    stop = _rows_no_plan_meets(run)
    if stop is not None:
        return stop
    # 2. Lagrangian dual (exact without coupling rows)
    if run.m == 0:
        one_pass = small.lagrangian_pass if small.use_numpy(run.zp) else _lagrangian_pass
        choice, total, _, _ = one_pass(run.zp, run.c, run.A, np.zeros(0))
        run.info["iterations"] = 1
        return run.result(Status.OPTIMAL, choice, total, source="exact (no coupling rows)")
    dual = lagrangian_dual(run)
    # 3. feasible plan
    best, U, extra = heuristic_plan(run, dual, start)
    stop = _stop_after_heuristics(run, dual, best, U, core_milp)
    if stop is not None:
        return stop
    # 4-5. reduced-cost fixing and an exact search of the core, the core expanded until certified;
    # once a core needs the race (the enumeration alone did not close it), one coupling row kept
    # whole gives a stronger bound, a better plan and fewer core options (.rowdp).
    # The node budget is read here, at call time, so that it can be set on this package
    def strengthen(best, U):
        return _row_relaxation(run, dual, extra, best, U)

    return search_core(run, dual, extra, best, U, max_nodes=_ENUM_MAX_NODES,
                       strengthen=strengthen if rowdp.applies(run, best) else None)


def _row_relaxation(run: Run, dual: _Dual, extra, best, U: float):
    """:mod:`.rowdp`, once per solve, when a core needed the race: the strongest row kept whole
    gives a bound B (>= the Lagrangian bound), a beam plan (improved by the local search) and the
    options that can still be in a plan better than T = incumbent − τ/2. Returns the certified
    result, or (plan, value, fixing) with ``fixing`` = (mask or None, T, B) for the core search
    (None when no row can be kept)."""
    L = dual.bound
    rel = rowdp.strongest(run, dual.lam)
    if rel is None:
        run.mark("row_relaxation")
        return best, U, None
    record: dict[str, object] = {"row": run.names[rel.k], "bound": rel.bound}
    run.info["row_relaxation"] = record
    if time.perf_counter() < run.deadline:
        plan = rowdp.beam_plan(run, rel)
        if plan is not None:
            plan = _local_search(run.zp, run.c, run.A, run.b, run.ftol, dual.lam, plan, extra, L,
                                 lambda: run.deadline)
        if plan is not None:
            value = run.value(plan)
            record["beam_objective"] = value
            if value < U:
                best, U = plan, value
    bound = max(L, rel.bound)
    if _certified(U, bound, run.tol):
        run.mark("row_relaxation")
        return run.result(Status.OPTIMAL, best, bound, source="row relaxation")
    target = U - 0.5 * run.tol * max(1.0, abs(U))
    mask = rowdp.fixing_mask(run, rel, target) if time.perf_counter() < run.deadline else None
    if mask is not None:
        record["options_kept"] = int(mask.sum())
    run.mark("row_relaxation")
    return best, U, (mask, target if mask is not None else math.inf, bound)


def _rows_no_plan_meets(run: Run) -> SolveResult | None:
    """INFEASIBLE, naming every row that even the plan using least of it breaks; else None."""
    if not run.m:
        return None
    b, names = run.b, run.names
    row_min = run.zone_spans()[1].sum(axis=1)       # the least of every row in each zone, summed
    over = row_min - b > run.ftol
    if not np.any(over):
        return None
    msg = "; ".join(f"row {names[i]!r}: the plan using least of it still needs {row_min[i]:.6g}, "
                    f"the limit is {b[i]:.6g} (over by {row_min[i] - b[i]:.6g})"
                    for i in np.flatnonzero(over))
    run.info["infeasible_rows"] = [names[i] for i in np.flatnonzero(over)]
    return run.result(Status.INFEASIBLE, None, math.inf, "no plan meets the constraints: " + msg,
                      "row minimum")


def _stop_after_heuristics(run: Run, dual: _Dual, best, U: float, core_milp: bool) -> SolveResult | None:
    """The result when the heuristic plan is certified, the clock ran out or the core search is
    off; None when the core search goes on."""
    L = dual.bound
    if best is not None and _certified(U, L, run.tol):
        return run.result(Status.OPTIMAL, best, L)
    timed_out = dual.timed_out or time.perf_counter() > run.deadline
    if core_milp and not timed_out:
        return None
    if best is None:
        status = Status.TIME_LIMIT if timed_out else Status.ERROR
        msg = ("stopped by the time limit before a feasible plan was found" if timed_out else
               "no feasible plan found by the heuristics; run with core_milp=True to decide")
        return run.result(status, None, L, msg)
    return run.result(Status.TIME_LIMIT if timed_out else Status.FEASIBLE, best, L,
                      "stopped by the time limit" if timed_out else "")
