"""Repair of the genetic solver: every child meets ``A x <= b`` (budget, site soil loss, stocks,
shares).

Greedy moves in the most violated row, least loss of value per unit of the row saved first (the
greedy of the LP relaxation, Sinha & Zoltners 1979), in compiled loops; when rows fight each
other, zones are reverted to a known feasible plan (the anchor) in the same order until the plan is
feasible, so repair always succeeds when a feasible plan exists. The tables are built once per run
by :class:`~optimizer.solve.encoding.Encoding`, which repairs the first population
(:meth:`Encoding.repair`); later children are repaired inside the generation's compiled pass
(:mod:`.fused`). A plan's coefficient sums and hash follow every changed gene (:func:`_set_gene`).
"""

from __future__ import annotations

import numpy as np

from ..jit import kernel

REPAIR_MARGIN = 1e-10     # repaired plans reach A x <= b − REPAIR_MARGIN·max(1, |b|): feasible on any reading
MAX_REPAIR_ROUNDS = 12    # greedy rounds (one violated row each) before reverting towards the anchor


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


@kernel("(int32[::1], float64[::1], uint64[::1], int64, int64, int64[::1], float64[:, ::1], uint64[::1])", inline=True)
def _set_gene(x, t, h, z, new, zone_ptr, C, W):  # pragma: no cover - compiled
    """Zone ``z`` of plan ``x`` takes local option ``new``; its totals ``t`` (the plan's sums of the
    coefficient columns ``C``) and hash ``h[0]`` (Σ W_z x_z mod 2⁶⁴) follow by the difference of the
    two options' rows: one gather of each row, nothing recomputed over the other zones."""
    old = x[z]
    if old == new:
        return
    r, s = zone_ptr[z] + old, zone_ptr[z] + new
    for j in range(C.shape[1]):
        t[j] += C[s, j] - C[r, j]
    h[0] = h[0] - W[z] * np.uint64(old) + W[z] * np.uint64(new)
    x[z] = new


@kernel("(int32[:, ::1], int64[::1], float64[:, ::1], uint64[::1])")
def _gather_totals(X, zone_ptr, C, W):  # pragma: no cover - compiled
    """Totals (pop, k) of the coefficient columns ``C`` and hashes (pop,) of plans ``X``, from scratch."""
    pop, nz = X.shape
    k = C.shape[1]
    T = np.zeros((pop, k))
    H = np.zeros(pop, dtype=np.uint64)
    for p in range(pop):
        h = np.uint64(0)
        for z in range(nz):
            r = zone_ptr[z] + X[p, z]
            for j in range(k):
                T[p, j] += C[r, j]
            h += W[z] * np.uint64(X[p, z])
        H[p] = h
    return T, H


@kernel("(int32[::1], float64[::1], uint64[::1], int64[::1], float64[:, ::1], uint64[::1], int64, float64[::1],"
        " float64[::1], float64[::1], int64[:, ::1], float64[:, ::1], int32[::1], boolean, int64, float64[::1],"
        " float64[::1], float64[::1])")
def _repair_plan(x, t, h, zone_ptr, C, W, col0, limit, trigger, scale, tgt, ratio, anchor, has_anchor, max_rounds,
                 value, rr, scratch):  # pragma: no cover - compiled
    """Repair one plan ``x`` in place, its totals ``t`` and hash ``h`` kept up to date (the row
    ``i``'s left-hand side is ``t[col0 + i]``). Returns 0 (already feasible), 1 (greedy), 2
    (reverted towards the anchor) or 3 (not repaired: no anchor). ``rr`` and ``scratch``: work
    arrays of one float per zone."""
    nz = x.shape[0]
    m = len(limit)
    bad = False
    for i in range(m):
        if t[col0 + i] > trigger[i]:
            bad = True
    if not bad:
        return 0
    done = False
    for _round in range(max_rounds):
        worst, wv = -1, 0.0
        for i in range(m):
            d = (t[col0 + i] - limit[i]) / scale[i]
            if d > wv:
                worst, wv = i, d
        if worst < 0:
            done = True
            break
        i = worst
        n_finite = 0
        for z in range(nz):
            rr[z] = ratio[i, zone_ptr[z] + x[z]]
            if np.isfinite(rr[z]):
                n_finite += 1
        need = t[col0 + i] - limit[i]
        k = 8
        # least value lost per unit of row i saved first, in batches of the k best (k growing ×4)
        while need > 0.0 and n_finite > 0:
            kk = min(k, n_finite)
            kth = _kth_smallest(rr, kk - 1, scratch)        # = np.partition(rr, kk - 1)[kk - 1]
            cand = np.flatnonzero(rr <= kth)
            cand = cand[np.argsort(rr[cand], kind="mergesort")]
            for z in cand:
                if not np.isfinite(rr[z]):
                    continue
                r = zone_ptr[z] + x[z]
                tg = tgt[i, r]
                need -= C[r, col0 + i] - C[tg, col0 + i]
                _set_gene(x, t, h, np.int64(z), np.int64(tg - zone_ptr[z]), zone_ptr, C, W)
                rr[z] = ratio[i, tg]
                if not np.isfinite(rr[z]):
                    n_finite -= 1
                if need <= 0.0:
                    break
            k *= 4
    if not done:
        done = True
        for i in range(m):
            if t[col0 + i] > limit[i]:
                done = False
    if done:
        return 1
    if not has_anchor:
        return 3
    # revert towards the anchor: zones that cut the weighted violation at least value first
    diff = np.flatnonzero(x != anchor)
    key = np.empty(len(diff))
    for q in range(len(diff)):
        z = diff[q]
        r, a = zone_ptr[z] + x[z], zone_ptr[z] + anchor[z]
        cut = 0.0
        for i in range(m):
            if t[col0 + i] > limit[i]:
                cut += (C[r, col0 + i] - C[a, col0 + i]) / scale[i]
        if cut > 0.0:
            key[q] = (value[a] - value[r]) / cut
        else:
            key[q] = np.inf
    diff = diff[np.argsort(key, kind="mergesort")]
    for z in diff:
        _set_gene(x, t, h, np.int64(z), np.int64(anchor[z]), zone_ptr, C, W)
        ok = True
        for i in range(m):
            if t[col0 + i] > limit[i]:
                ok = False
        if ok:
            break
    return 2


@kernel("(int32[:, ::1], int64[::1], float64[:, ::1], uint64[::1], int64, float64[::1], float64[::1], float64[::1],"
        " int64[:, ::1], float64[:, ::1], int32[::1], boolean, int64, float64[::1])")
def _repair_pop(X, zone_ptr, C, W, col0, limit, trigger, scale, tgt, ratio, anchor, has_anchor, max_rounds,
                value):  # pragma: no cover - compiled
    """:func:`_repair_plan` over a population whose totals are not known (gathered here)."""
    pop, nz = X.shape
    T, H = _gather_totals(X, zone_ptr, C, W)
    status = np.zeros(pop, dtype=np.int8)
    rr = np.empty(nz)
    scratch = np.empty(nz)
    h = np.zeros(1, dtype=np.uint64)
    for p in range(pop):
        h[0] = H[p]
        status[p] = _repair_plan(X[p], T[p], h, zone_ptr, C, W, col0, limit, trigger, scale, tgt, ratio, anchor,
                                 has_anchor, max_rounds, value, rr, scratch)
    return status
