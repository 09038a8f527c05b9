"""Reduced-cost fixing and the exact search of a core that expands until the gap is certified.

Any plan x with c·x < L + t uses only options of reduced cost < t (c·x >= L + Σ_z extra_z
+ λ·(b − A x)), so if R = {options with extra <= t} and B_R bounds the best plan in R, the optimum
is >= min(L + t, B_R). Zones left with one option in R are fixed and moved to the right-hand side.
The core expands (Pisinger 1995): the first holds about ``_FIRST_CORE_ZONES`` zones of nearest ties
and mostly improves the incumbent; t then grows (×4 a round) towards U − L − τ/2, which certifies
the gap τ. Exact search time grows steeply with the core, so small steps pay (docs/science.md §6.5).

Each core is solved exactly by the compiled depth-first enumeration (:func:`.kernels._enumerate_core`,
resumable); after ``_ENUM_SOLO_NODES`` nodes alone it is raced against the HiGHS MILP built from CSC
arrays with highspy (one thread) in a child process ended at the deadline (``start_in_child``), and
the first to finish answers. ``max_nodes`` caps the enumeration's nodes in all.
"""

from __future__ import annotations

import math
import os
import sys
import time
from typing import Any

import numpy as np

from ...evaluate import FEAS_RTOL
from ...indices import index_dtype
from ..deadline import start_in_child
from ..status import SolveResult, Status
from . import run as _run_clock
from .dual import _Dual
from .kernels import _enumerate_core, _undominated
from .reduced import ReducedCosts
from .run import Run, _certified

_ACCEPT_RTOL = FEAS_RTOL    # a MILP plan is accepted if it is feasible by evaluate.rows_hold
_MILP_MARGIN_S = 0.15       # HiGHS is asked to stop this long before the deadline (to hand back its plan)
_KILL_GRACE_S = 0.25        # the MILP child is ended this long after the deadline
_ENUM_NODES_PER_S = 5e7     # compiled core enumeration, nodes/s (measured 0.4-1.4e8 with 2 rows)
_ENUM_MAX_NODES = 2e8       # beyond this the HiGHS MILP takes over
_ENUM_FIND_NODES = 1e6      # enumeration budget when looking for a first plan
_ENUM_SOLO_NODES = 1_000_000      # nodes the enumeration runs alone before the HiGHS MILP joins (~0.02 s)
_ENUM_SLICE_NODES = 200_000     # nodes between two looks at the racing MILP child
_FIRST_CORE_ZONES = 40      # zones in the first (smallest) core


def first_threshold(run: Run, dual: _Dual, extra: ReducedCosts, best, U: float) -> float:
    """Reduced-cost threshold t of the first core: a sixteenth of the way to certifying the gap,
    and at most what lets about ``_FIRST_CORE_ZONES`` zones keep a second option (inf: no plan)."""
    if best is None:
        return math.inf
    L = dual.bound
    t = max(0.0, (U - L - 0.5 * run.tol * max(1.0, abs(U))) / 16)
    second = extra.second_least(dual.choice)
    if np.isfinite(second).sum() > _FIRST_CORE_ZONES:
        t = min(t, float(np.partition(second, _FIRST_CORE_ZONES)[_FIRST_CORE_ZONES]))
    return t


def search_core(run: Run, dual: _Dual, extra: ReducedCosts, best, U: float,
                max_nodes: float = _ENUM_MAX_NODES, strengthen=None) -> SolveResult:
    """Exact rounds over expanding cores from the incumbent ``best`` (value ``U``, or None/inf),
    until the gap is certified, the clock runs out or the core stops growing. ``max_nodes``: the
    enumeration's node budget per core before the HiGHS MILP takes over.

    ``strengthen(best, U)`` (optional) is called once, after the first round the enumeration did
    not close alone: it returns a certified result, or (plan, value, fixing) with ``fixing`` =
    (mask, T, B) from :mod:`.rowdp` or None. Then only options in ``mask`` (None: all) enter the
    cores, every plan through another costs at least T, B is a proven bound, and a core's bound is
    min(L + t, T, B_R)."""
    zp, c, A, b, ftol, m = run.zp, run.c, run.A, run.b, run.ftol, run.m
    starts, tol, info, names = run.starts, run.tol, run.info, run.names
    result = run.result
    L = dual.bound
    mask, fixed_at, bound = None, math.inf, L
    rounds = 0
    t = first_threshold(run, dual, extra, best, U)
    while True:
        rounds += 1
        remaining = run.deadline - time.perf_counter()
        if remaining <= 0.0:
            return result(Status.TIME_LIMIT, best, bound, "stopped by the time limit before the core MILP")
        keep = extra.below(t * (1 + 1e-9) + 1e-9 * max(1.0, abs(U))) if math.isfinite(t) else \
            np.ones(len(c), dtype=bool)
        if mask is not None:
            keep &= mask
        if best is not None:
            keep[starts + best] = True
        find_only = best is None and rounds == 1          # first look for any plan, cheaply
        rnd = _core_round(zp, c, A, b, keep, best, tol, U, remaining, dual.lam, ftol,
                          find_only=find_only, max_nodes=max_nodes)
        info.update(n_core_zones=rnd["n_core_zones"], n_core_options=rnd["n_core_options"],
                    milp_status=rnd["status"], milp_nodes=rnd.get("nodes"),
                    enumeration_nodes=rnd.get("enum_nodes"), core_rounds=rounds,
                    core_threshold=t)
        run.mark(f"core_round_{rounds}")
        if rnd["error"] is not None:
            if best is None:
                return result(Status.ERROR, None, bound, "core MILP failed:\n" + rnd["error"])
            return result(Status.FEASIBLE, best, bound,
                          "core MILP failed; heuristic plan kept:\n" + rnd["error"])
        if rnd["plan"] is not None and rnd["value"] < U:
            best, U = rnd["plan"], rnd["value"]
        if rnd["infeasible"] and best is None:             # R was every option: proven
            lo = [float(np.minimum.reduceat(A[i], starts).sum()) for i in range(m)]
            msg = ("no plan meets rows " + ", ".join(repr(x) for x in names) + " together (proven by "
                   "exhaustive search of the core); each alone can be met: " +
                   ", ".join(f"least {names[i]!r} = {lo[i]:.6g} <= {b[i]:.6g}" for i in range(m)))
            info["infeasible_rows"] = list(names)
            return result(Status.INFEASIBLE, None, math.inf, msg, "milp")
        if rnd["finished"]:
            new = min(L + t, rnd["bound"], fixed_at)
            if new > bound:
                bound = new
                info["bound_source"] = "milp"
        if best is None:
            status = Status.TIME_LIMIT if rnd["time_limit"] else Status.ERROR
            return result(status, None, bound, f"core MILP ended '{rnd['status']}' without a plan")
        if _certified(U, bound, tol):
            return result(Status.OPTIMAL, best, bound)
        if rnd["time_limit"]:
            return result(Status.TIME_LIMIT, best, bound, "stopped by the time limit during the core MILP")
        if strengthen is not None and rnd.get("raced"):
            kept = strengthen(best, U)
            strengthen = None
            if isinstance(kept, SolveResult):
                return kept
            best, U, fixing = kept
            if fixing is not None:
                mask, fixed_at, relaxed = fixing
                if relaxed > bound:
                    bound = relaxed
                    info["bound_source"] = "row relaxation"
                if _certified(U, bound, tol):
                    return result(Status.OPTIMAL, best, bound)
        t_next = min(U - L - 0.5 * tol * max(1.0, abs(U)), 4.0 * t)
        if find_only and not rnd["finished"]:            # a plan found: now expand a core round it
            t = max(0.0, (U - L - 0.5 * tol * max(1.0, abs(U))) / 16)
            continue
        if not rnd["finished"] or t_next <= t or rounds >= 8:
            return result(Status.FEASIBLE, best, bound, f"core MILP ended '{rnd['status']}'")
        t = t_next


def _core_round(zp, c, A, b, keep, best, tol, U, remaining_s, lam, ftol,
                find_only=False, max_nodes=_ENUM_MAX_NODES) -> dict:
    """One exact solve over the options in ``keep`` (zones left with one option fixed), bounded by
    the wall clock: first the compiled enumeration with a node budget (at most ``max_nodes``), then
    (if it ran out) the HiGHS MILP. ``finished`` means ``bound`` is a proven lower bound on the best
    plan in R. ``find_only``: a small enumeration budget, and no MILP once a plan is found."""
    t_start = time.perf_counter()
    compile_start = _run_clock.compile_seconds()                     # compiling kernels is not search time
    starts = zp[:-1]
    keep, dom_by = _undominated(zp, keep, c, A, np.empty(len(c), index_dtype(len(c))))   # int32 below 2³¹
    n_keep = _kept_per_zone(zp, keep)
    core_zone = n_keep >= 2
    core_row = np.repeat(core_zone, np.diff(zp))
    fixed_rows = np.flatnonzero(keep & ~core_row)     # the only option left in its zone
    cols = np.flatnonzero(keep & core_row)
    del core_row
    gub_ptr = np.zeros(int(core_zone.sum()) + 1, dtype=np.int64)
    np.cumsum(n_keep[core_zone], out=gub_ptr[1:])
    out: dict = {"n_core_zones": int(core_zone.sum()), "n_core_options": int(len(cols)), "plan": None,
                 "value": math.inf, "bound": -math.inf, "finished": False, "infeasible": False,
                 "time_limit": False, "error": None, "status": ""}
    plan = np.zeros(len(starts), dtype=np.int64)
    fixed_zone = np.searchsorted(zp, fixed_rows, side="right") - 1
    plan[fixed_zone] = fixed_rows - starts[fixed_zone]
    offset = float(c[fixed_rows].sum())
    b_core = b - A[:, fixed_rows].sum(axis=1)
    accept = b + _ACCEPT_RTOL * np.maximum(1.0, np.abs(b))
    if len(cols) == 0:                                   # R holds a single plan
        feasible = bool(np.all(A[:, starts + plan].sum(axis=1) <= accept))
        out.update(finished=True, status="single plan", infeasible=not feasible,
                   bound=offset if feasible else math.inf)
        if feasible:
            out.update(plan=plan, value=offset)
        return out
    core_zones = np.flatnonzero(core_zone)
    start = None
    if best is not None:
        inc_rows = starts + best
        inc_rows = np.where(keep[inc_rows], inc_rows, dom_by[inc_rows])
        start = np.searchsorted(cols, inc_rows[core_zone]) - gub_ptr[:-1]
    abs_gap = 0.99 * tol * max(1.0, abs(U)) if best is not None else 0.0

    def set_plan(local):
        plan[core_zones] = cols[gub_ptr[:-1] + local] - starts[core_zone]
        value = float(c[starts + plan].sum())
        if value < out["value"] and np.all(A[:, starts + plan].sum(axis=1) <= accept):
            out.update(plan=plan.copy(), value=value)     # the better of the enumeration's and the MILP's

    # compiled enumeration: zones with the widest λ-weighted resource range first, options by w
    Ac = A[:, cols]
    w = c[cols] + lam @ Ac
    g_of = np.repeat(np.arange(len(core_zones)), np.diff(gub_ptr))
    width = (lam[:, None] * (np.maximum.reduceat(Ac, gub_ptr[:-1], axis=1)
                             - np.minimum.reduceat(Ac, gub_ptr[:-1], axis=1))).sum(axis=0)
    zone_order = np.argsort(-width, kind="stable")
    rank = np.empty_like(zone_order)
    rank[zone_order] = np.arange(len(zone_order))
    perm = np.lexsort((w, rank[g_of]))                   # by zone rank, then by w
    e_ptr = np.zeros_like(gub_ptr)
    np.cumsum(np.diff(gub_ptr)[zone_order], out=e_ptr[1:])
    local_of = np.arange(len(cols)) - gub_ptr[g_of]      # local index within the core zone
    e_best = math.inf
    e_choice = np.zeros(len(core_zones), dtype=np.int64)
    if start is not None:
        e_best = float(c[cols[gub_ptr[:-1] + start]].sum())
        inv = np.empty_like(perm)
        inv[perm] = np.arange(len(perm))
        e_choice = (inv[gub_ptr[:-1] + start] - e_ptr[rank])[zone_order]
    budget = int(min(max_nodes, max(1e5, _ENUM_NODES_PER_S * 0.5 * remaining_s)))
    if find_only:
        budget = min(budget, int(_ENUM_FIND_NODES))       # an int always: one compiled specialisation
    n_g = len(core_zones)
    args = (e_ptr, np.ascontiguousarray(w[perm]), np.ascontiguousarray(Ac[:, perm]), b_core, ftol,
            np.asarray(lam, dtype=np.float64))
    state = (np.zeros(n_g, dtype=np.int64), np.zeros(n_g + 1, dtype=np.int64), np.zeros((n_g + 1, len(b))),
             np.zeros(n_g + 1), np.zeros(2, dtype=np.int64))
    enum: dict[str, Any] = {"val": e_best, "choice": e_choice, "lb": math.inf, "nodes": 0, "done": False}

    def enumerate_more(n: int) -> None:
        """Go on with the enumeration for at most ``n`` nodes; keep its plan if it has a better one."""
        val, ch, lb, nodes, done = _enumerate_core(*args, enum["val"], enum["choice"], abs_gap, int(n), *state)
        found = val < enum["val"]
        enum.update(val=val, choice=ch, lb=min(enum["lb"], lb), nodes=enum["nodes"] + int(nodes), done=done)
        out["enum_nodes"] = enum["nodes"]
        if found or (done and math.isfinite(val) and out["plan"] is None):
            local = np.empty(n_g, dtype=np.int64)
            local[zone_order] = local_of[perm[e_ptr[:-1] + ch]]
            set_plan(local)

    def enumeration_complete() -> dict:
        val = enum["val"]
        bound = math.inf                                 # R is empty: proven infeasible
        if math.isfinite(val):                           # R's optimum >= min(val, lb), in its sums
            bound = min(out["value"], offset + enum["lb"])
        out.update(finished=True, status="enumeration complete", infeasible=not math.isfinite(val), bound=bound)
        return out

    # the enumeration alone for a moment: most cores of real sites and of the benchmarks end here
    enumerate_more(min(budget, _ENUM_SOLO_NODES))
    if enum["done"]:
        return enumeration_complete()
    if find_only and out["plan"] is not None:
        out["status"] = "enumeration found a plan"
        return out
    if out["plan"] is not None:
        start = _local_of_plan(out["plan"], core_zones, cols, gub_ptr, starts)
    remaining_s -= time.perf_counter() - t_start - (_run_clock.compile_seconds() - compile_start)
    if remaining_s <= 0.0:
        out.update(status="enumeration ran out of time", time_limit=True)
        return out

    # then a race: the HiGHS MILP in a child process against the enumeration going on here, slice by
    # slice; the first to finish answers. Enumeration wins on cores with few ties (thousands to
    # millions of nodes); HiGHS on cores of many alike zones (real sites), where it needs a fraction
    # of a second and the enumeration more than 10⁸ nodes (benchmarks/RESULTS.md, issue 11).
    t_race = time.perf_counter()
    out["raced"] = True
    child = start_in_child(_milp_core, c[cols], A[:, cols], b_core, gub_ptr, offset, start,
                           0.99 * tol, abs_gap, remaining_s - _MILP_MARGIN_S)
    try:
        while not child.ready():
            if time.perf_counter() - t_race > remaining_s + _KILL_GRACE_S:
                out.update(status="ended at the deadline", time_limit=True)
                return out
            if enum["nodes"] < budget:
                enumerate_more(min(_ENUM_SLICE_NODES, budget - enum["nodes"]))
                if enum["done"]:
                    return enumeration_complete()
            else:
                time.sleep(0.002)
        res = child.wait(max(0.0, remaining_s + _KILL_GRACE_S - (time.perf_counter() - t_race)))
    finally:
        child.close()
    if not res.finished and res.error is None:
        out.update(status="ended at the deadline", time_limit=True)
        return out
    if res.error is not None:                            # raised, or the child died
        out.update(status="error", error=res.error)
        return out
    r = res.value
    out.update(status=r["status"], nodes=r["nodes"], time_limit=r["time_limit"],
               infeasible=r["infeasible"] and out["plan"] is None,
               finished=r["optimal"] or r["infeasible"] or r["time_limit"])
    out["bound"] = math.inf if r["infeasible"] else r["dual_bound"]
    if r["choice"] is not None:
        set_plan(r["choice"])
    return out


def _kept_per_zone(zp: np.ndarray, keep: np.ndarray, chunk_options: int = 1 << 20) -> np.ndarray:
    """Kept options per zone (int64), counted over slices of about ``chunk_options`` options:
    ``np.add.reduceat`` of a boolean mask with an int64 result makes an int64 copy of the whole
    mask first (8 bytes an option; 400 MB at 10⁶ × 50)."""
    n_z = len(zp) - 1
    out = np.empty(n_z, dtype=np.int64)
    step = max(1, int(chunk_options * n_z // max(1, int(zp[-1]))))
    for lo in range(0, n_z, step):
        hi = min(n_z, lo + step)
        out[lo:hi] = np.add.reduceat(keep[zp[lo]:zp[hi]], zp[lo:hi] - zp[lo], dtype=np.int64)
    return out


def _local_of_plan(plan, core_zones, cols, gub_ptr, starts) -> np.ndarray:
    """Local index within each core zone of ``plan`` (local option per zone of the whole problem)."""
    rows = starts[core_zones] + plan[core_zones]
    return np.searchsorted(cols, rows) - gub_ptr[:-1]


def _milp_core(cost, A, b, gub_ptr, offset, start, rel_gap, abs_gap, time_limit_s):
    """Solve the core MILP with highspy (runs in the deadline child). Local choice per GUB zone."""
    import highspy

    devnull = os.open(os.devnull, os.O_WRONLY)          # HiGHS prints a banner on construction;
    sys.stdout.flush()                                   # this is the child, so fd 1 can go
    os.dup2(devnull, 1)
    os.close(devnull)
    # a forked child inherits HiGHS's thread scheduler but not its worker threads: a parent that
    # ran HiGHS with several threads would leave the child's MIP unable to start ("Not Set")
    highspy.Highs.resetGlobalScheduler(True)

    n = len(cost)
    n_g = len(gub_ptr) - 1
    m = A.shape[0]
    scale = np.maximum(1.0, np.abs(b))                     # rows scaled to |b| ~ 1
    idx = np.empty((n, 1 + m), dtype=np.int32)
    idx[:, 0] = np.repeat(np.arange(n_g, dtype=np.int32), np.diff(gub_ptr))
    idx[:, 1:] = n_g + np.arange(m, dtype=np.int32)
    val = np.empty((n, 1 + m))
    val[:, 0] = 1.0
    val[:, 1:] = (A / scale[:, None]).T
    keep = val != 0.0
    keep[:, 0] = True
    a_start = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(keep.sum(axis=1), out=a_start[1:])
    a_index, a_value = idx[keep], val[keep]
    row_lo = np.concatenate([np.ones(n_g), np.full(m, -highspy.kHighsInf)])
    row_hi = np.concatenate([np.ones(n_g), b / scale])

    h = highspy.Highs()
    for k, v in (("output_flag", False), ("threads", 1), ("random_seed", 0),
                 ("time_limit", float(max(time_limit_s, 0.05))), ("mip_rel_gap", float(rel_gap)),
                 ("mip_abs_gap", float(abs_gap)), ("mip_feasibility_tolerance", 1e-9),
                 ("primal_feasibility_tolerance", 1e-9)):
        h.setOptionValue(k, v)
    h.passModel(n, n_g + m, len(a_index), int(highspy.MatrixFormat.kColwise),
                int(highspy.ObjSense.kMinimize), float(offset), cost, np.zeros(n), np.ones(n),
                row_lo, row_hi, a_start, a_index, a_value, np.ones(n, dtype=np.int32))
    if start is not None:
        x0 = np.zeros(n)
        x0[gub_ptr[:-1] + start] = 1.0
        h.setSolution(n, np.arange(n, dtype=np.int32), x0)
    h.run()
    status = h.getModelStatus()
    info = h.getInfo()
    out = {"status": h.modelStatusToString(status), "optimal": status == highspy.HighsModelStatus.kOptimal,
           "infeasible": status == highspy.HighsModelStatus.kInfeasible,
           "time_limit": status == highspy.HighsModelStatus.kTimeLimit,
           "dual_bound": float(info.mip_dual_bound), "nodes": int(info.mip_node_count), "choice": None}
    if info.primal_solution_status == 2:                 # kSolutionStatusFeasible
        x = np.asarray(h.getSolution().col_value)
        on = np.flatnonzero(x > 0.5)                     # one column per GUB row when integral
        if len(on) == n_g and np.all(np.searchsorted(gub_ptr, on, side="right") - 1 == np.arange(n_g)):
            out["choice"] = (on - gub_ptr[:-1]).astype(np.int64)
    return out

