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
   depth-first enumeration (Lagrangian bound plus slack and row-feasibility pruning) with a node
   budget, and past that budget by the HiGHS MILP built from CSC arrays with highspy (one
   thread), in a child process ended at the deadline (``run_with_deadline``).

Every bound reported is proven: ``max(L(λ), min(L + t, B_core))`` with B_core the core's proven
bound.
"""

from __future__ import annotations

import math
import os
import sys
import time
from dataclasses import dataclass

import numpy as np

from ..jit import kernel
from .core import LinearCore
from .deadline import run_with_deadline
from .status import SolveResult, Status, relative_gap

EXACT_GAP = 1e-6            # relative gap that ``exact=True`` proves
_FEAS_RTOL = 5e-10          # our plans meet A x <= b + _FEAS_RTOL·max(1, |b|) (LinearCore allows 1e-9)
_ACCEPT_RTOL = 1e-9         # a MILP plan is accepted if it meets LinearCore.is_feasible's tolerance
_MILP_MARGIN_S = 0.15       # HiGHS is asked to stop this long before the deadline (to hand back its plan)
_KILL_GRACE_S = 0.25        # the MILP child is ended this long after the deadline
_ENUM_NODES_PER_S = 5e7     # compiled core enumeration, nodes/s (measured 0.4-1.4e8 with 2 rows)
_ENUM_MAX_NODES = 2e8       # beyond this the HiGHS MILP takes over
_REPAIR_SCANS = 200         # scans of the candidate moves in one greedy repair
_ENUM_FIND_NODES = 1e6      # enumeration budget when looking for a first plan
_FIRST_CORE_ZONES = 40      # zones in the first (smallest) core
_GAP_EPS = 1e-13            # relative rounding of sums over zones, ignored when certifying a gap
_SOLVER = "mckp"


# ----------------------------------------------------------------------------------------------
# compiled kernels
# ----------------------------------------------------------------------------------------------

@kernel("(int64[::1], float64[::1], float64[:, ::1], float64[::1])")
def _lagrangian_pass(zone_ptr, c, A, lam):
    """Per-zone argmin of c + λ·A: local choice, Σ min, c·x and A x of that plan."""
    n_z = zone_ptr.shape[0] - 1
    m = A.shape[0]
    choice = np.empty(n_z, np.int64)
    ax = np.zeros(m)
    total = 0.0
    cx = 0.0
    for z in range(n_z):
        lo = zone_ptr[z]
        hi = zone_ptr[z + 1]
        best = np.inf
        bj = lo
        for j in range(lo, hi):
            v = c[j]
            for i in range(m):
                v += lam[i] * A[i, j]
            if v < best:
                best = v
                bj = j
        choice[z] = bj - lo
        total += best
        cx += c[bj]
        for i in range(m):
            ax[i] += A[i, bj]
    return choice, total, cx, ax


@kernel("(int64[::1], float64[::1], float64[:, ::1], float64[::1])")
def _reduced_extra(zone_ptr, c, A, lam):
    """Reduced cost of every option above its zone's minimum, at multipliers λ (>= 0)."""
    n_z = zone_ptr.shape[0] - 1
    m = A.shape[0]
    extra = np.empty(c.shape[0])
    for z in range(n_z):
        lo = zone_ptr[z]
        hi = zone_ptr[z + 1]
        best = np.inf
        for j in range(lo, hi):
            v = c[j]
            for i in range(m):
                v += lam[i] * A[i, j]
            extra[j] = v
            if v < best:
                best = v
        for j in range(lo, hi):
            extra[j] -= best
    return extra


@kernel("(int64[::1], float64[::1], float64[::1])")
def _lower_hulls(zone_ptr, a, c):
    """Per zone, the options on the lower-left convex hull of the points (a, c).

    Vertices run from the least-``a`` option (cheapest ``c`` among ties) to the least-``c`` option,
    with ``a`` strictly increasing, ``c`` strictly decreasing and slopes strictly increasing
    (dominated, LP-dominated and collinear options dropped). Returns ``vert_ptr`` (n_z + 1,) and
    the flat option index of every vertex.
    """
    n_z = zone_ptr.shape[0] - 1
    vert = np.empty(a.shape[0], np.int64)
    vert_ptr = np.empty(n_z + 1, np.int64)
    vert_ptr[0] = 0
    nv = 0
    for z in range(n_z):
        lo = zone_ptr[z]
        hi = zone_ptr[z + 1]
        order = np.argsort(a[lo:hi]) + lo
        start = nv
        for t in range(hi - lo):
            j = order[t]
            aj = a[j]
            cj = c[j]
            if nv > start:
                last = vert[nv - 1]
                if aj == a[last]:
                    if cj < c[last]:
                        nv -= 1          # same a, cheaper c: replaces the last vertex
                    else:
                        continue
                elif cj >= c[last]:
                    continue             # more a and no less c: dominated
            while nv - start >= 2:
                # slopes computed exactly as the sort key of _hull_increments, so that the kept
                # slopes strictly increase in floating point too (within-zone order survives)
                j0 = vert[nv - 2]
                j1 = vert[nv - 1]
                if (c[j1] - c[j0]) / (a[j1] - a[j0]) >= (cj - c[j1]) / (aj - a[j1]):
                    nv -= 1
                else:
                    break
            vert[nv] = j
            nv += 1
        vert_ptr[z + 1] = nv
    return vert_ptr, vert[:nv].copy()


@kernel("(int64[::1], int64[::1], int64[::1], int64)")
def _apply_steps(base, step_zone, step_opt, k):
    out = base.copy()
    for t in range(k):
        out[step_zone[t]] = step_opt[t]
    return out


@kernel("(float64[::1], float64[::1], float64[::1])")
def _viol(r, ftol, w):
    v = 0.0
    for i in range(r.shape[0]):
        if r[i] > ftol[i]:
            v += w[i] * (r[i] - ftol[i])
    return v


@kernel("(int64[::1], int64[::1], float64[::1], float64[:, ::1], float64[::1], float64[::1], float64[::1],"
        " float64[::1], int64[::1], int64[::1], int64)")
def _repair(zone_ptr, zone_of, c, A, b, ftol, w, lam, choice, cand, max_scans):
    """Greedy repair: moves of least reduced-cost increase (c + λ·A) per unit of weighted
    violation removed. One scan scores every candidate move; the moves are then applied best
    first (one per zone, each only while it still removes violation) before the next scan.

    ``choice`` (local indices) is changed in place. Returns True when every row is met.
    """
    m = A.shape[0]
    r = -b.copy()
    for z in range(zone_ptr.shape[0] - 1):
        j = zone_ptr[z] + choice[z]
        for i in range(m):
            r[i] += A[i, j]
    n_c = cand.shape[0]
    score = np.empty(n_c)
    moved = np.zeros(zone_ptr.shape[0] - 1, np.bool_)
    for _ in range(max_scans):
        viol = _viol(r, ftol, w)
        if viol == 0.0:
            return True
        for t in range(n_c):
            j = cand[t]
            z = zone_of[j]
            k = zone_ptr[z] + choice[z]
            score[t] = np.inf
            if j == k:
                continue
            va = 0.0
            drc = c[j] - c[k]
            for i in range(m):
                da = A[i, j] - A[i, k]
                drc += lam[i] * da
                nr = r[i] + da
                if nr > ftol[i]:
                    va += w[i] * (nr - ftol[i])
            dv = viol - va
            if dv > 1e-12 * viol:
                score[t] = drc / dv
        live = np.flatnonzero(score < np.inf)            # sort only the useful moves
        order = live[np.argsort(score[live])]
        applied = 0
        for q in range(order.shape[0]):
            t = order[q]
            j = cand[t]
            z = zone_of[j]
            if moved[z]:
                continue
            k = zone_ptr[z] + choice[z]
            va = 0.0
            for i in range(m):
                nr = r[i] + A[i, j] - A[i, k]
                if nr > ftol[i]:
                    va += w[i] * (nr - ftol[i])
            if viol - va <= 1e-12 * viol:
                continue
            for i in range(m):
                r[i] += A[i, j] - A[i, k]
            choice[z] = j - zone_ptr[z]
            moved[z] = True
            applied += 1
            viol = va
            if viol == 0.0:
                return True
        for q in range(order.shape[0]):
            moved[zone_of[cand[order[q]]]] = False
        if applied == 0:
            return False
    return _viol(r, ftol, w) == 0.0


@kernel("(int64[::1], int64[::1], float64[::1], float64[:, ::1], float64[::1], float64[::1], int64[::1],"
        " int64[::1], int64[::1], float64, int64)")
def _improve(zone_ptr, zone_of, c, A, b, ftol, choice, cand, pair_cand, eps, max_rounds):
    """Local search from a feasible plan: improving single swaps, best first (one scan scores
    them all, then they are applied in that order while each still fits), until none is left;
    then the best improving pair of swaps in two zones; repeat. ``choice`` is changed in place;
    returns the number of moves."""
    m = A.shape[0]
    r = -b.copy()
    for z in range(zone_ptr.shape[0] - 1):
        j = zone_ptr[z] + choice[z]
        for i in range(m):
            r[i] += A[i, j]
    d = np.empty(m)
    n_c = cand.shape[0]
    score = np.empty(n_c)
    moved = np.zeros(zone_ptr.shape[0] - 1, np.bool_)
    moves = 0
    for _ in range(max_rounds):
        for _scan in range(1000):
            for t in range(n_c):
                j = cand[t]
                z = zone_of[j]
                k = zone_ptr[z] + choice[z]
                score[t] = np.inf
                dc = c[j] - c[k]
                if j == k or dc >= -eps:
                    continue
                ok = True
                for i in range(m):
                    if r[i] + A[i, j] - A[i, k] > ftol[i]:
                        ok = False
                        break
                if ok:
                    score[t] = dc
            live = np.flatnonzero(score < np.inf)        # sort only the improving moves
            order = live[np.argsort(score[live])]
            applied = 0
            for q in range(order.shape[0]):
                t = order[q]
                j = cand[t]
                z = zone_of[j]
                if moved[z]:
                    continue
                k = zone_ptr[z] + choice[z]
                ok = True
                for i in range(m):
                    if r[i] + A[i, j] - A[i, k] > ftol[i]:
                        ok = False
                        break
                if not ok:
                    continue
                for i in range(m):
                    r[i] += A[i, j] - A[i, k]
                choice[z] = j - zone_ptr[z]
                moved[z] = True
                applied += 1
            for q in range(order.shape[0]):
                moved[zone_of[cand[order[q]]]] = False
            moves += applied
            if applied == 0:
                break
        best = -eps
        bp = -1
        bq = -1
        n_p = pair_cand.shape[0]
        for p in range(n_p):
            jp = pair_cand[p]
            zp = zone_of[jp]
            kp = zone_ptr[zp] + choice[zp]
            if jp == kp:
                continue
            dcp = c[jp] - c[kp]
            for i in range(m):
                d[i] = r[i] + A[i, jp] - A[i, kp]
            for q in range(p + 1, n_p):
                jq = pair_cand[q]
                zq = zone_of[jq]
                if zq == zp:
                    continue
                kq = zone_ptr[zq] + choice[zq]
                if jq == kq:
                    continue
                dc = dcp + c[jq] - c[kq]
                if dc >= best:
                    continue
                ok = True
                for i in range(m):
                    if d[i] + A[i, jq] - A[i, kq] > ftol[i]:
                        ok = False
                        break
                if ok:
                    best = dc
                    bp = jp
                    bq = jq
        if bp < 0:
            break
        for j in (bp, bq):
            z = zone_of[j]
            k = zone_ptr[z] + choice[z]
            for i in range(m):
                r[i] += A[i, j] - A[i, k]
            choice[z] = j - zone_ptr[z]
        moves += 2
    return moves


@kernel("(int64[::1], boolean[::1], float64[::1], float64[:, ::1])")
def _undominated(zone_ptr, keep, c, A):
    """Within each zone, drop kept options dominated by another kept one (no more c and no more
    of any row; ties broken by index). Returns the new mask and, for every dropped option, an
    undominated option of its zone that dominates it (-1 elsewhere)."""
    m = A.shape[0]
    out = keep.copy()
    dom_by = np.full(c.shape[0], -1, np.int64)
    for z in range(zone_ptr.shape[0] - 1):
        lo = zone_ptr[z]
        hi = zone_ptr[z + 1]
        for p in range(lo, hi):
            if not keep[p]:
                continue
            for q in range(lo, hi):
                if q == p or not keep[q] or c[q] > c[p]:
                    continue
                dominates = True
                equal = c[q] == c[p]
                for i in range(m):
                    if A[i, q] > A[i, p]:
                        dominates = False
                        break
                    if A[i, q] != A[i, p]:
                        equal = False
                if dominates and (not equal or q < p):
                    out[p] = False
                    break
        for p in range(lo, hi):
            if keep[p] and not out[p]:
                for q in range(lo, hi):
                    if not out[q] or c[q] > c[p]:
                        continue
                    ok = True
                    for i in range(m):
                        if A[i, q] > A[i, p]:
                            ok = False
                            break
                    if ok:
                        dom_by[p] = q
                        break
    return out, dom_by


@kernel("(int64[::1], float64[::1], float64[:, ::1], float64[::1], float64[::1], float64[::1], float64,"
        " int64[::1], float64, int64)")
def _enumerate_core(gptr, w, A, b, ftol, lam, best_val, best_choice, tau, max_nodes):
    """Depth-first branch and bound over the core zones (in the given order, options by w).

    ``w = c + λ·A`` per option. For any completion of a node, Σ c = Σ w − λ·b + λ·(b − A x) with
    b − A x >= 0, so Σ w(fixed) + Σ min w(free) − λ·b + Σ_i λ_i·max(0, b_i − P_i − Σ max A_i(free))
    is a lower bound; a node is also dropped when even the least of a row over the free zones
    breaks it. Nodes whose bound is >= best − tau are pruned. Returns the best value and choice,
    the least bound among pruned nodes, the nodes visited and whether the search completed.
    """
    n_g = gptr.shape[0] - 1
    m = A.shape[0]
    wmin = np.zeros(n_g + 1)
    rmin = np.zeros((n_g + 1, m))
    rmax = np.zeros((n_g + 1, m))
    for g in range(n_g - 1, -1, -1):
        lo = gptr[g]
        hi = gptr[g + 1]
        wm = np.inf
        for j in range(lo, hi):
            wm = min(wm, w[j])
        wmin[g] = wmin[g + 1] + wm
        for i in range(m):
            amin = np.inf
            amax = -np.inf
            for j in range(lo, hi):
                amin = min(amin, A[i, j])
                amax = max(amax, A[i, j])
            rmin[g, i] = rmin[g + 1, i] + amin
            rmax[g, i] = rmax[g + 1, i] + amax
    lam_b = 0.0
    for i in range(m):
        lam_b += lam[i] * b[i]
    best_choice = best_choice.copy()
    cur = np.zeros(n_g, np.int64)
    pos = np.zeros(n_g + 1, np.int64)
    P = np.zeros((n_g + 1, m))
    W = np.zeros(n_g + 1)
    lb_pruned = np.inf
    nodes = 0
    d = 0
    while d >= 0:
        if pos[d] >= gptr[d + 1] - gptr[d]:
            d -= 1
            continue
        j = gptr[d] + pos[d]
        pos[d] += 1
        nodes += 1
        if nodes > max_nodes:
            return best_val, best_choice, lb_pruned, nodes, False
        wn = W[d] + w[j]
        bound = wn + wmin[d + 1] - lam_b
        ok = True
        for i in range(m):
            pn = P[d, i] + A[i, j]
            if pn + rmin[d + 1, i] > b[i] + ftol[i]:
                ok = False
                break
            s = b[i] - pn - rmax[d + 1, i]
            if s > 0.0:
                bound += lam[i] * s
        if not ok:
            continue
        if bound >= best_val - tau:
            lb_pruned = min(lb_pruned, bound)
            continue
        cur[d] = j - gptr[d]
        W[d + 1] = wn
        for i in range(m):
            P[d + 1, i] = P[d, i] + A[i, j]
        if d + 1 == n_g:
            val = wn
            for i in range(m):
                val -= lam[i] * P[d + 1, i]
            if val < best_val:
                best_val = val
                for g in range(n_g):             # a loop: slice assignment costs seconds to compile
                    best_choice[g] = cur[g]
            continue
        d += 1
        pos[d] = 0
    return best_val, best_choice, lb_pruned, nodes, True


# ----------------------------------------------------------------------------------------------
# convex-hull increments: the one-row LP and the supported front
# ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Increments:
    base: np.ndarray        # flat option index of every zone's least-a hull vertex (n_z,)
    step_zone: np.ndarray   # zone of every increment, in greedy order (most efficient first)
    step_opt: np.ndarray    # flat option index the increment moves its zone to
    da: np.ndarray          # a added by each increment (> 0)
    dc: np.ndarray          # c added by each increment (< 0)


def _hull_increments(zone_ptr: np.ndarray, a: np.ndarray, c: np.ndarray) -> _Increments:
    """Hull increments of every zone, sorted by efficiency −Δc/Δa (stable: within a zone the
    efficiencies strictly decrease, so every prefix of the order is a valid integer plan)."""
    vert_ptr, vert = _lower_hulls(zone_ptr, a, c)
    n_z = len(zone_ptr) - 1
    not_first = np.ones(len(vert), dtype=bool)
    not_first[vert_ptr[:-1]] = False
    pos = np.flatnonzero(not_first)
    to = vert[pos]
    frm = vert[pos - 1]
    da = a[to] - a[frm]
    dc = c[to] - c[frm]
    zone = np.repeat(np.arange(n_z, dtype=np.int64), np.diff(vert_ptr))[pos]
    order = np.argsort(dc / da, kind="stable")          # = −efficiency, ascending
    return _Increments(vert[vert_ptr[:-1]], zone[order], to[order], da[order], dc[order])


@dataclass(frozen=True)
class SupportedFront:
    """The supported (convex-hull) front of (minimise cost, maximise value) under GUB rows only.

    Vertex ``k`` is the integer plan reached from ``base_choice`` by the first ``k`` steps; vertex
    0 is the cheapest plan (most value among the cheapest), the last the most valuable one.
    ``cost`` and ``value`` both increase strictly along the front; every extreme point of the
    convex hull of all plans' (cost, value) on the efficient side is a vertex here.
    """

    cost: np.ndarray          # (n_vertices,) total cost of each vertex plan
    value: np.ndarray         # (n_vertices,) total value of each vertex plan
    base_choice: np.ndarray   # (n_zones,) local option index of every zone at vertex 0
    step_zone: np.ndarray     # (n_vertices − 1,) zone changed by step k (vertex k → k + 1)
    step_option: np.ndarray   # (n_vertices − 1,) local option index that zone takes

    @property
    def n_vertices(self) -> int:
        return len(self.cost)

    @property
    def slope(self) -> np.ndarray:
        """Marginal value per unit of cost of each step (decreasing), (n_vertices − 1,)."""
        return np.diff(self.value) / np.diff(self.cost)


def supported_front(cost, value, zone_ptr) -> SupportedFront:
    """Every supported Pareto vertex of (minimise Σ cost, maximise Σ value), one option per zone.

    One pass over the per-zone convex hulls and one sort of their increments (docs/science.md §6.7).
    ``cost`` and ``value`` are flat per option, zone after zone as in ``zone_ptr``. Recover the
    plan of vertex ``i`` with :func:`front_plan`.
    """
    zone_ptr = np.ascontiguousarray(zone_ptr, dtype=np.int64)
    cost = np.ascontiguousarray(cost, dtype=np.float64)
    value = np.ascontiguousarray(value, dtype=np.float64)
    if len(zone_ptr) < 2 or zone_ptr[0] != 0 or zone_ptr[-1] != len(cost) or np.any(np.diff(zone_ptr) < 1):
        raise ValueError("zone_ptr must start at 0, end at len(cost) and give every zone >= 1 option")
    if len(value) != len(cost) or not (np.all(np.isfinite(cost)) and np.all(np.isfinite(value))):
        raise ValueError("cost and value must be finite and of the same length")
    inc = _hull_increments(zone_ptr, cost, -value)
    starts = zone_ptr[:-1]
    f_cost = np.empty(len(inc.da) + 1)
    f_value = np.empty(len(inc.da) + 1)
    f_cost[0] = cost[inc.base].sum()
    f_value[0] = value[inc.base].sum()
    np.cumsum(inc.da, out=f_cost[1:])
    np.cumsum(-inc.dc, out=f_value[1:])
    f_cost[1:] += f_cost[0]
    f_value[1:] += f_value[0]
    return SupportedFront(cost=f_cost, value=f_value, base_choice=inc.base - starts,
                          step_zone=inc.step_zone, step_option=inc.step_opt - starts[inc.step_zone])


def front_plan(front: SupportedFront, i: int) -> np.ndarray:
    """Local option index per zone of the plan at vertex ``i`` of a :class:`SupportedFront`."""
    i = int(i)
    if not 0 <= i < front.n_vertices:
        raise IndexError(f"vertex {i} outside 0..{front.n_vertices - 1}")
    return _apply_steps(*(np.ascontiguousarray(x, dtype=np.int64)
                          for x in (front.base_choice, front.step_zone, front.step_option)), i)


# ----------------------------------------------------------------------------------------------
# Lagrangian dual
# ----------------------------------------------------------------------------------------------

@dataclass
class _Dual:
    lam: np.ndarray                 # best multipliers (m,)
    bound: float                    # L(lam), a proven lower bound
    choice: np.ndarray              # per-zone argmin plan at lam (local indices)
    passes: int                     # Lagrangian passes (per-zone argmins over all options)
    source: str
    plan: np.ndarray | None = None  # a feasible plan met on the way (local indices), if any
    timed_out: bool = False


def _evaluate(zp, c, A, b, lam):
    choice, total, cx, ax = _lagrangian_pass(zp, c, A, lam)
    return total - float(lam @ b), choice, cx, ax


def _dual_one_row(zp, c, A, b, ftol) -> _Dual:
    """Exact LP dual of one coupling row by the greedy on sorted hull increments."""
    inc = _hull_increments(zp, A[0], c)
    avail = b[0] - A[0, inc.base].sum()
    cum = np.cumsum(inc.da)
    k = int(np.searchsorted(cum, max(avail, 0.0), side="right"))
    lam = np.array([-inc.dc[k] / inc.da[k]]) if k < len(cum) else np.zeros(1)
    chosen = _apply_steps(inc.base, inc.step_zone, inc.step_opt, k)
    bound, choice, _, _ = _evaluate(zp, c, A, b, lam)
    return _Dual(lam=lam, bound=bound, choice=choice, passes=1, source="lp-greedy",
                 plan=chosen - zp[:-1])


def _dual_bundle(zp, c, A, b, ftol, deadline, max_iter=400) -> _Dual:
    """Maximise L(λ) over λ >= 0 by a box-stabilised cutting-plane (bundle) method.

    λ is scaled so that one unit of every scaled multiplier trades the whole objective range for
    the whole range of its row. The master problem (m + 1 variables, one cut per pass) is a tiny
    LP solved by scipy's own copy of HiGHS (about 1 ms): highspy is not run in this process, so
    its one-per-process thread scheduler stays untouched for the caller and for forked children.
    """
    from scipy.optimize import linprog

    m = len(b)
    starts = zp[:-1]
    c_range = float((np.maximum.reduceat(c, starts) - np.minimum.reduceat(c, starts)).sum())
    r_range = np.array([(np.maximum.reduceat(A[i], starts) - np.minimum.reduceat(A[i], starts)).sum()
                        for i in range(m)])
    unit = max(c_range, 1e-300) / np.where(r_range > 0, r_range, 1.0)   # λ = μ · unit

    def evaluate(mu):
        lam = mu * unit
        g, choice, cx, ax = _evaluate(zp, c, A, b, lam)
        return g, (ax - b) * unit, choice, cx, ax

    mu_hat = np.zeros(m)
    g_hat, sub, choice_hat, cx, ax = evaluate(mu_hat)
    passes = 1
    best_plan, best_val = None, math.inf
    if np.all(ax - b <= ftol):
        return _Dual(lam=np.zeros(m), bound=g_hat, choice=choice_hat, passes=1, source="lagrangian",
                     plan=choice_hat.copy())

    # cut j: θ <= g_j + s_j·(μ − μ_j). The master is written around the centre μ̂ (μ = μ̂ + d,
    # θ = g_hat + φ) so its numbers stay small near the optimum; φ is the predicted ascent.
    cut_mu: list[np.ndarray] = [mu_hat]
    cut_g: list[float] = [g_hat]
    cut_s: list[np.ndarray] = [sub]
    objective = np.r_[np.zeros(m), -1.0]         # maximise φ
    stop_abs = 1e-10 * max(1.0, abs(g_hat), c_range)
    delta = 1.0
    timed_out = False
    for _ in range(max_iter):
        if time.perf_counter() > deadline:
            timed_out = True
            break
        S = np.array(cut_s)
        rhs = np.array(cut_g) - g_hat + np.einsum("ji,ji->j", S, mu_hat - np.array(cut_mu))
        lo = np.maximum(-delta, -mu_hat)
        master = linprog(objective, A_ub=np.hstack([-S, np.ones((len(rhs), 1))]), b_ub=rhs,
                         bounds=[(lo[i], delta) for i in range(m)] + [(None, None)],
                         method="highs-ds")
        if master.status != 0:
            break
        x = master.x
        d, pred = x[:m], x[m]
        if pred <= stop_abs:
            break                                 # the model's maximum is at μ̂: dual optimum
        mu_new = np.maximum(mu_hat + d, 0.0)
        g_new, sub_new, choice_new, cx, ax = evaluate(mu_new)
        passes += 1
        if np.all(ax - b <= ftol) and cx < best_val:
            best_val, best_plan = cx, choice_new.copy()
        cut_mu.append(mu_new)
        cut_g.append(g_new)
        cut_s.append(sub_new)
        if g_new >= g_hat + 0.1 * pred:           # serious step
            on_box = np.any((np.abs(d) >= delta * (1 - 1e-9)) & ~((d < 0) & (mu_new == 0.0)))
            mu_hat, g_hat, choice_hat = mu_new, g_new, choice_new
            if on_box:
                delta *= 2.0
        elif g_new < g_hat:
            delta = max(delta * 0.5, 1e-14)
    return _Dual(lam=mu_hat * unit, bound=g_hat, choice=choice_hat, passes=passes,
                 source="lagrangian", plan=best_plan, timed_out=timed_out)


# ----------------------------------------------------------------------------------------------
# primal: repair, improve, reduced-cost fixing, core MILP
# ----------------------------------------------------------------------------------------------

def _lowest(extra: np.ndarray, mask: np.ndarray | None, k: int) -> np.ndarray:
    """Flat indices of the (at most) k options of smallest reduced cost, among ``mask``."""
    idx = np.flatnonzero(mask) if mask is not None else np.arange(len(extra))
    if len(idx) > k:
        idx = idx[np.argpartition(extra[idx], k - 1)[:k]]
    return np.sort(idx)


def _local_search(zp, zone_of, c, A, b, ftol, price, start, extra, bound, deadline,
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
        other = np.ones(n, dtype=bool)           # moves go to options not chosen now
        other[zp[:-1] + choice] = False
        for cap in (2_000, 20_000, n):
            cand = _lowest(extra, other, min(cap, n))
            ok = _repair(zp, zone_of, c, A, b, ftol, w, price, choice, cand, _REPAIR_SCANS)
            if ok or cap >= n or time.perf_counter() > deadline:
                break
        if not ok:
            return None
    for _ in range(12):                          # a few rounds per call, then the clock is read
        value = float(c[zp[:-1] + choice].sum())
        thr = value - bound
        if thr <= 0 or m == 0:
            break
        mask = extra <= thr * (1 + 1e-9) + 1e-12 * max(1.0, abs(value))
        mask[zp[:-1] + choice] = False
        cand = _lowest(extra, mask, cand_cap)
        pairs = _lowest(extra, mask, pair_cap)
        moves = _improve(zp, zone_of, c, A, b, ftol, choice, cand, pairs,
                         1e-12 * max(1.0, abs(value)), 4)
        if moves == 0 or time.perf_counter() > deadline:
            break
    return choice


def _feasible(zp, A, b, ftol, choice) -> bool:
    if len(b) == 0:
        return True
    return bool(np.all(A[:, zp[:-1] + choice].sum(axis=1) - b <= ftol))


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


# ----------------------------------------------------------------------------------------------
# the solver
# ----------------------------------------------------------------------------------------------

def _certified(incumbent: float, bound: float, tol: float) -> bool:
    """Gap within ``tol``, allowing for the rounding of sums (1e-13 relative)."""
    return relative_gap(incumbent, bound) <= tol + _GAP_EPS


def _row_names(core: LinearCore) -> list[str]:
    names = list(core.row_names)
    return [names[i] if i < len(names) else f"row {i}" for i in range(core.n_coupling)]


def solve_mckp(core: LinearCore, *, gap_tol: float = 1e-4, time_limit_s: float = 60.0,
               exact: bool = False, core_milp: bool = True) -> SolveResult:
    """Minimise c·x with one option per zone and A x <= b; certified gap, bounded wall clock.

    Status is OPTIMAL when the certified relative gap is <= ``gap_tol`` (``exact=True``: <= 1e-6),
    FEASIBLE with a plan of larger gap, TIME_LIMIT when the clock stopped the search (a plan, if
    any, travels with its gap), INFEASIBLE only when proven (the message names the row(s)).
    ``core_milp=False`` skips the exact search of the core zones (enumeration and MILP).

    ``info`` carries ``bound_source`` ("lp-greedy", "lagrangian", "milp" for the core search, …),
    ``n_core_zones`` (of the last core searched), ``iterations`` (Lagrangian passes),
    ``multipliers`` (λ per coupling row, objective units per row unit), ``lagrangian_bound``,
    ``heuristic_objective``, and when the core was searched ``core_rounds``, ``core_threshold``,
    ``enumeration_nodes``, ``milp_status``, ``milp_nodes``; ``runtime_phases_s`` (cumulative).
    Times include loading the compiled kernels (a few tenths of a second once per process; compiling them
    after an install or an edit takes a few seconds more and is not bounded by ``time_limit_s``;
    ``optimizer.jit.warm_up(groups="mckp")`` compiles them ahead).
    """
    t0 = time.perf_counter()
    deadline = t0 + float(time_limit_s)
    core.check()
    zp = np.ascontiguousarray(core.zone_ptr, dtype=np.int64)
    c = np.ascontiguousarray(core.c, dtype=np.float64)
    A = np.ascontiguousarray(core.A, dtype=np.float64)
    b = np.ascontiguousarray(core.b, dtype=np.float64)
    m = len(b)
    names = _row_names(core)
    tol = min(gap_tol, EXACT_GAP) if exact else float(gap_tol)
    ftol = _FEAS_RTOL * np.maximum(1.0, np.abs(b))
    starts = zp[:-1]
    info: dict = {"bound_source": None, "n_core_zones": 0, "iterations": 0, "multipliers": [],
                  "gap_tol": tol}

    def result(status, choice, bound, message="", source=None):
        obj = float(c[starts + choice].sum()) if choice is not None else math.inf
        if choice is not None:
            bound = min(bound, obj)                     # a bound above a feasible value is no bound
        info["bound_source"] = source or info["bound_source"]
        info["runtime_phases_s"] = phases
        return SolveResult(status=status, choice=choice, objective=obj, bound=float(bound),
                           runtime_s=time.perf_counter() - t0, solver=_SOLVER, message=message,
                           info=info)

    phases: dict = {}

    # 1. single rows that no plan can meet
    if m:
        row_min = np.array([np.minimum.reduceat(A[i], starts).sum() for i in range(m)])
        over = row_min - b > ftol
        if np.any(over):
            msg = "; ".join(f"row {names[i]!r}: the plan using least of it still needs {row_min[i]:.6g}, "
                            f"the limit is {b[i]:.6g} (over by {row_min[i] - b[i]:.6g})"
                            for i in np.flatnonzero(over))
            info["infeasible_rows"] = [names[i] for i in np.flatnonzero(over)]
            return result(Status.INFEASIBLE, None, math.inf, "no plan meets the constraints: " + msg,
                          "row minimum")

    # 2. Lagrangian dual
    if m == 0:
        choice, total, _, _ = _lagrangian_pass(zp, c, A, np.zeros(0))
        info["iterations"] = 1
        return result(Status.OPTIMAL, choice, total, source="exact (no coupling rows)")
    if m == 1:
        dual = _dual_one_row(zp, c, A, b, ftol)
    else:
        # leave a quarter of the clock for the plan: the dual's passes are the cheap part
        dual = _dual_bundle(zp, c, A, b, ftol, t0 + 0.75 * float(time_limit_s))
    phases["dual"] = time.perf_counter() - t0
    L = dual.bound
    info.update(iterations=dual.passes, multipliers=[float(x) for x in dual.lam],
                lagrangian_bound=float(L), bound_source=dual.source)

    # 3. feasible plan
    zone_of = np.ascontiguousarray(core.zone_of_row, dtype=np.int64)
    extra = _reduced_extra(zp, c, A, dual.lam)
    tries = [(dual.choice, dual.lam), (dual.choice, np.zeros(m))]
    if dual.plan is not None:   # feasible already: first for one row (the greedy's rounded LP
        tries.insert(0 if dual.timed_out or m == 1 else 2, (dual.plan, dual.lam))   # plan) or in a hurry
    best, U = None, math.inf
    for k, (s, price) in enumerate(tries):       # both repairs of x(λ) (neither wins always)
        if k >= 1 and time.perf_counter() > deadline:
            break
        plan = _local_search(zp, zone_of, c, A, b, ftol, price, s, extra, L, deadline)
        if plan is not None:
            v = float(c[starts + plan].sum())
            if v < U:
                best, U = plan, v
        if k >= 1 and best is not None and _certified(U, L, tol):
            break
    phases["primal"] = time.perf_counter() - t0
    info["heuristic_objective"] = U
    if best is not None and _certified(U, L, tol):
        return result(Status.OPTIMAL, best, L)
    timed_out = dual.timed_out or time.perf_counter() > deadline
    if timed_out or not core_milp:
        if best is None:
            status = Status.TIME_LIMIT if timed_out else Status.ERROR
            msg = ("stopped by the time limit before a feasible plan was found" if timed_out else
                   "no feasible plan found by the heuristics; run with core_milp=True to decide")
            return result(status, None, L, msg)
        return result(Status.TIME_LIMIT if timed_out else Status.FEASIBLE, best, L,
                      "stopped by the time limit" if timed_out else "")

    # 4-5. reduced-cost fixing and an exact MILP on the core, the core expanded until certified.
    # Any plan x with c·x < L + t uses only options of reduced cost < t (c·x >= L + Σ_z extra_z
    # + λ·(b − A x)), so if R = {options with extra <= t} and B_R bounds the best plan in R,
    # the optimum is >= min(L + t, B_R). The core expands (Pisinger 1995): the first holds about
    # _FIRST_CORE_ZONES zones of nearest ties and mostly improves the incumbent; t then grows (×4
    # a round) towards U − L − τ/2, which certifies the gap τ. Exact search time grows steeply with
    # the core, so small steps pay.
    bound, rounds = L, 0
    t = math.inf
    if best is not None:
        t = max(0.0, (U - L - 0.5 * tol * max(1.0, abs(U))) / 16)
        second = np.where(np.arange(len(c)) == (starts + dual.choice)[zone_of], np.inf, extra)
        second = np.minimum.reduceat(second, starts)
        if np.isfinite(second).sum() > _FIRST_CORE_ZONES:
            t = min(t, float(np.partition(second, _FIRST_CORE_ZONES)[_FIRST_CORE_ZONES]))
    while True:
        rounds += 1
        remaining = deadline - time.perf_counter()
        if remaining <= 0.0:
            return result(Status.TIME_LIMIT, best, bound, "stopped by the time limit before the core MILP")
        keep = extra <= t * (1 + 1e-9) + 1e-9 * max(1.0, abs(U)) if math.isfinite(t) else \
            np.ones(len(c), dtype=bool)
        if best is not None:
            keep[starts + best] = True
        find_only = best is None and rounds == 1          # first look for any plan, cheaply
        rnd = _core_round(zp, zone_of, c, A, b, keep, best, tol, U, remaining, dual.lam, ftol,
                          find_only=find_only)
        info.update(n_core_zones=rnd["n_core_zones"], n_core_options=rnd["n_core_options"],
                    milp_status=rnd["status"], milp_nodes=rnd.get("nodes"),
                    enumeration_nodes=rnd.get("enum_nodes"), core_rounds=rounds,
                    core_threshold=t)
        phases[f"core_round_{rounds}"] = time.perf_counter() - t0
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
            new = min(L + t, rnd["bound"])
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
        t_next = min(U - L - 0.5 * tol * max(1.0, abs(U)), 4.0 * t)
        if find_only and not rnd["finished"]:            # a plan found: now expand a core round it
            t = max(0.0, (U - L - 0.5 * tol * max(1.0, abs(U))) / 16)
            continue
        if not rnd["finished"] or t_next <= t or rounds >= 8:
            return result(Status.FEASIBLE, best, bound, f"core MILP ended '{rnd['status']}'")
        t = t_next


def _core_round(zp, zone_of, c, A, b, keep, best, tol, U, remaining_s, lam, ftol,
                find_only=False) -> dict:
    """One exact solve over the options in ``keep`` (zones left with one option fixed), bounded by
    the wall clock: first the compiled enumeration with a node budget, then (if it ran out) the
    HiGHS MILP. ``finished`` means ``bound`` is a proven lower bound on the best plan in R.
    ``find_only``: a small enumeration budget, and no MILP once a plan is found."""
    t_start = time.perf_counter()
    starts = zp[:-1]
    keep, dom_by = _undominated(zp, keep, c, A)
    n_keep = np.add.reduceat(keep.astype(np.int64), starts)
    core_zone = n_keep >= 2
    fixed_rows = np.flatnonzero(keep & ~core_zone[zone_of])     # the only option left in its zone
    cols = np.flatnonzero(keep & core_zone[zone_of])
    gub_ptr = np.zeros(int(core_zone.sum()) + 1, dtype=np.int64)
    np.cumsum(n_keep[core_zone], out=gub_ptr[1:])
    out = {"n_core_zones": int(core_zone.sum()), "n_core_options": int(len(cols)), "plan": None,
           "value": math.inf, "bound": -math.inf, "finished": False, "infeasible": False,
           "time_limit": False, "error": None, "status": ""}
    plan = np.zeros(len(starts), dtype=np.int64)
    plan[zone_of[fixed_rows]] = fixed_rows - starts[zone_of[fixed_rows]]
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
        if np.all(A[:, starts + plan].sum(axis=1) <= accept):
            out.update(plan=plan.copy(), value=float(c[starts + plan].sum()))

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
    budget = int(min(_ENUM_MAX_NODES, max(1e5, _ENUM_NODES_PER_S * 0.5 * remaining_s)))
    if find_only:
        budget = min(budget, int(_ENUM_FIND_NODES))       # an int always: one compiled specialisation
    val, ch, lb, nodes, done = _enumerate_core(
        e_ptr, np.ascontiguousarray(w[perm]), np.ascontiguousarray(Ac[:, perm]), b_core,
        ftol, np.asarray(lam, dtype=np.float64), e_best, e_choice, abs_gap, budget)
    out["enum_nodes"] = int(nodes)
    if math.isfinite(val):                               # the incumbent or a better plan
        local = np.empty(len(core_zones), dtype=np.int64)
        local[zone_order] = local_of[perm[e_ptr[:-1] + ch]]
        set_plan(local)
        start = local
    if done:
        core_val = val if math.isfinite(val) else math.inf
        bound = math.inf                                 # R is empty: proven infeasible
        if math.isfinite(val):                           # R's optimum >= min(val, lb), in its sums
            bound = min(out["value"], offset + lb)
        out.update(finished=True, status="enumeration complete", infeasible=not math.isfinite(val),
                   bound=bound)
        return out
    if find_only and out["plan"] is not None:
        out["status"] = "enumeration found a plan"
        return out
    remaining_s -= time.perf_counter() - t_start
    if remaining_s <= 0.0:
        out.update(status="enumeration ran out of time", time_limit=True)
        return out

    res = run_with_deadline(_milp_core, c[cols], A[:, cols], b_core, gub_ptr, offset, start,
                            0.99 * tol, abs_gap, remaining_s - _MILP_MARGIN_S,
                            timeout_s=max(remaining_s, 0.0) + _KILL_GRACE_S)
    if not res.finished and res.error is None:
        out.update(status="ended at the deadline", time_limit=True)
        return out
    if res.error is not None:                            # raised, or the child died
        out.update(status="error", error=res.error)
        return out
    r = res.value
    out.update(status=r["status"], nodes=r["nodes"], time_limit=r["time_limit"],
               infeasible=r["infeasible"], finished=r["optimal"] or r["infeasible"] or r["time_limit"])
    out["bound"] = math.inf if r["infeasible"] else r["dual_bound"]
    if r["choice"] is not None:
        set_plan(r["choice"])
    return out
