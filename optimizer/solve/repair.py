"""Repair of the genetic solver: every child meets ``A x <= b`` (budget, site soil loss, stocks,
shares).

Greedy moves in the most violated row, least loss of value per unit of the row saved first (the
greedy of the LP relaxation, Sinha & Zoltners 1979), in compiled loops; when rows fight each
other, zones are reverted to a known feasible plan (the anchor) in the same order until the plan is
feasible, so repair always succeeds when a feasible plan exists. The tables are built once per run
by :class:`~optimizer.solve.encoding.Encoding`, which runs the repair (:meth:`Encoding.repair`);
:class:`FeasibilityRepair` is the pymoo operator around it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from pymoo.core.repair import Repair

from ..jit import kernel

if TYPE_CHECKING:
    from .encoding import Encoding

REPAIR_MARGIN = 1e-10     # repaired plans reach A x <= b − REPAIR_MARGIN·max(1, |b|): feasible on any reading
MAX_REPAIR_ROUNDS = 12    # greedy rounds (one violated row each) before reverting towards the anchor


class FeasibilityRepair(Repair):
    """Every plan meets the coupling rows after this (see :meth:`Encoding.repair`)."""

    def __init__(self, enc: Encoding):
        super().__init__()
        self.enc = enc
        self.counts = np.zeros(4, dtype=np.int64)      # untouched, greedy, anchor, failed

    def _do(self, problem, X, *args, **kwargs):
        Y, status = self.enc.repair(X)
        self.counts += np.bincount(status, minlength=4)
        return Y


# ----------------------------------------------------------------------------------------------
# compiled loops
# ----------------------------------------------------------------------------------------------
@kernel("(int64[::1], float64[:, ::1], float64[::1], boolean)")
def _repair_tables(zone_ptr, A, value, has_value):  # pragma: no cover - compiled
    """For each row i and option r: the option of the same zone that saves some of row i at the
    least value lost per unit saved (tgt, ratio); -1 / inf when none saves."""
    m, n = A.shape
    tgt = np.full((m, n), -1, dtype=np.int64)
    ratio = np.full((m, n), np.inf)
    for i in range(m):
        for z in range(len(zone_ptr) - 1):
            lo, hi = zone_ptr[z], zone_ptr[z + 1]
            for r in range(lo, hi):
                best, bt, bs = np.inf, -1, 0.0
                for o in range(lo, hi):
                    d = A[i, r] - A[i, o]
                    if d > 1e-12 * (abs(A[i, r]) + abs(A[i, o])) and d > 0.0:
                        q = (value[o] - value[r]) / d if has_value else -d
                        if q < best or (q == best and d > bs):
                            best, bt, bs = q, o, d
                tgt[i, r] = bt
                ratio[i, r] = best
    return tgt, ratio


@kernel("(float64[::1], int64, float64[::1])")
def _kth_smallest(a, k, buf):  # pragma: no cover - compiled
    """The ``k``-th smallest value of ``a`` (0-based) in numpy's sort order (NaN last): the value of
    ``np.partition(a, k)[k]``, by Hoare's selection (Wirth 1976, median-of-three pivot) in ``buf``
    (scratch, at least as long as ``a``). Written out because numba's ``np.partition`` takes
    seconds to compile; a value is a value, so callers see no difference."""
    n = a.shape[0]
    for i in range(n):
        buf[i] = a[i]
    lo, hi = 0, n - 1
    while lo < hi:
        mid = (lo + hi) >> 1
        if _before(buf[mid], buf[lo]):
            buf[mid], buf[lo] = buf[lo], buf[mid]
        if _before(buf[hi], buf[mid]):
            buf[hi], buf[mid] = buf[mid], buf[hi]
            if _before(buf[mid], buf[lo]):
                buf[mid], buf[lo] = buf[lo], buf[mid]
        x = buf[mid]
        i, j = lo, hi
        while i <= j:
            while _before(buf[i], x):
                i += 1
            while _before(x, buf[j]):
                j -= 1
            if i <= j:
                buf[i], buf[j] = buf[j], buf[i]
                i += 1
                j -= 1
        if j < k:
            lo = i
        if k < i:
            hi = j
    return buf[k]


@kernel("(float64, float64)")
def _before(x, y):  # pragma: no cover - compiled
    """x sorts before y in numpy's order: by value, NaN after everything."""
    return x < y or (np.isnan(y) and not np.isnan(x))


@kernel("(int32[:, ::1], int64[::1], float64[:, ::1], float64[::1], float64[::1], float64[::1], int64[:, ::1],"
        " float64[:, ::1], int32[::1], boolean, int64, float64[::1])")
def _repair_pop(X, zone_ptr, A, limit, trigger, scale, tgt, ratio, anchor, has_anchor, max_rounds,
                value):  # pragma: no cover - compiled
    pop, nz = X.shape
    m = A.shape[0]
    status = np.zeros(pop, dtype=np.int8)
    lhs = np.zeros(m)
    rr = np.empty(nz)
    scratch = np.empty(nz)
    for p in range(pop):
        lhs[:] = 0.0
        for z in range(nz):
            r = zone_ptr[z] + X[p, z]
            for i in range(m):
                lhs[i] += A[i, r]
        bad = False
        for i in range(m):
            if lhs[i] > trigger[i]:
                bad = True
        if not bad:
            continue
        done = False
        for _round in range(max_rounds):
            worst, wv = -1, 0.0
            for i in range(m):
                d = (lhs[i] - limit[i]) / scale[i]
                if d > wv:
                    worst, wv = i, d
            if worst < 0:
                done = True
                break
            i = worst
            n_finite = 0
            for z in range(nz):
                rr[z] = ratio[i, zone_ptr[z] + X[p, z]]
                if np.isfinite(rr[z]):
                    n_finite += 1
            need = lhs[i] - limit[i]
            k = 8
            while need > 0.0 and n_finite > 0:
                kk = min(k, n_finite)
                kth = _kth_smallest(rr, kk - 1, scratch)        # = np.partition(rr, kk - 1)[kk - 1]
                cand = np.flatnonzero(rr <= kth)
                cand = cand[np.argsort(rr[cand], kind="mergesort")]
                for z in cand:
                    if not np.isfinite(rr[z]):
                        continue
                    r = zone_ptr[z] + X[p, z]
                    t = tgt[i, r]
                    for ii in range(m):
                        lhs[ii] += A[ii, t] - A[ii, r]
                    need -= A[i, r] - A[i, t]
                    X[p, z] = t - zone_ptr[z]
                    rr[z] = ratio[i, t]
                    if not np.isfinite(rr[z]):
                        n_finite -= 1
                    if need <= 0.0:
                        break
                k *= 4
        if not done:
            done = True
            for i in range(m):
                if lhs[i] > limit[i]:
                    done = False
        if done:
            status[p] = 1
            continue
        if not has_anchor:
            status[p] = 3
            continue
        # revert towards the anchor: zones that cut the weighted violation at least value first
        diff = np.flatnonzero(X[p] != anchor)
        key = np.empty(len(diff))
        for q in range(len(diff)):
            z = diff[q]
            r, a = zone_ptr[z] + X[p, z], zone_ptr[z] + anchor[z]
            cut = 0.0
            for i in range(m):
                if lhs[i] > limit[i]:
                    cut += (A[i, r] - A[i, a]) / scale[i]
            if cut > 0.0:
                key[q] = (value[a] - value[r]) / cut
            else:
                key[q] = np.inf
        diff = diff[np.argsort(key, kind="mergesort")]
        for z in diff:
            r, a = zone_ptr[z] + X[p, z], zone_ptr[z] + anchor[z]
            for i in range(m):
                lhs[i] += A[i, a] - A[i, r]
            X[p, z] = anchor[z]
            ok = True
            for i in range(m):
                if lhs[i] > limit[i]:
                    ok = False
            if ok:
                break
        status[p] = 2
    return status
