"""Compiled kernels of the MCKP engine (numba, declared with :func:`optimizer.jit.kernel`).

Each works on the flat option arrays of a :class:`~optimizer.solve.core.LinearCore`: ``zone_ptr``
(int64, n_zones + 1), the objective ``c`` and the coupling rows ``A`` (float64, C-contiguous).
Local indices run ``0 … n_options[z] − 1`` within a zone; flat indices over all options.

- :func:`_lagrangian_pass`, :func:`_lagrangian_pass_screened`, :func:`_zone_spans`: the per-zone
  argmin of ``c + λ·A`` (the Lagrangian bound, docs/science.md §6.4), the screened form the
  bundle uses, and the per-zone spans it needs;
- :func:`_reduced_extra` (the stored reference), :func:`_rc`, :func:`_zone_least`,
  :func:`_pool_sample`, :func:`_below_sample`, :func:`_below_collect` (the passes of the plain
  Python :func:`_pool_below` and :func:`_lowest_below_of`, which sort in numpy so that numba
  compiles no sort for them), :func:`_second_least`, :func:`_mask_below`: reduced costs computed
  where needed (:mod:`.reduced`);
- :func:`_lower_hulls`, :func:`_apply_steps`: per-zone convex hulls and the plans along sorted
  hull increments (the one-row LP and the supported front, §6.4 and §6.7);
- :func:`_viol`, :func:`_repair`, :func:`_improve`: greedy repair and swap improvement of a plan;
- :func:`_undominated`, :func:`_enumerate_core`: dominance within zones and the depth-first
  search of a core (§6.5).
"""

from __future__ import annotations

import math

import numpy as np

from ...indices import index_dtype
from ...jit import kernel


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


@kernel("(int64[::1], float64[::1], float64[:, ::1])")
def _zone_spans(zone_ptr, c, A):
    """Per zone, in one pass over every option: the span (max − min) of ``c`` (n_z,), and the least
    and most of every row ((m, n_z) each, a row contiguous)."""
    n_z = zone_ptr.shape[0] - 1
    m = A.shape[0]
    c_span = np.zeros(n_z)
    row_min = np.zeros((m, n_z))
    row_max = np.zeros((m, n_z))
    for z in range(n_z):
        lo = zone_ptr[z]
        hi = zone_ptr[z + 1]
        if hi == lo:
            continue
        cmin = c[lo]
        cmax = c[lo]
        for j in range(lo + 1, hi):
            cmin = min(cmin, c[j])
            cmax = max(cmax, c[j])
        c_span[z] = cmax - cmin
        for i in range(m):
            amin = A[i, lo]
            amax = A[i, lo]
            for j in range(lo + 1, hi):
                amin = min(amin, A[i, j])
                amax = max(amax, A[i, j])
            row_min[i, z] = amin
            row_max[i, z] = amax
    return c_span, row_min, row_max


@kernel("(int64[::1], float64[::1], float64[:, ::1], float64[::1], float64[:, ::1], int64[::1],"
        " float64[::1], float64[:, ::1], float64[::1], float64[:, ::1])")
def _lagrangian_pass_screened(zone_ptr, c, A, lam, span, best_j, gap, ref, best_c, best_a):
    """:func:`_lagrangian_pass` (the same four results, bit for bit) that skips the zones whose argmin
    cannot have moved since they were last scanned.

    Zone z was last scanned at multipliers ``ref[:, z]``, where its least option was ``best_j[z]``
    (flat) and the next least lay ``gap[z]`` above it. For any other option j, at λ
    (c + λ·A)_j − (c + λ·A)_best = gap-or-more + Σ_i (λ_i − ref_i)(A_ij − A_i,best)
    >= gap[z] − Σ_i |λ_i − ref_i| · span[i, z], with ``span`` the row's max − min in the zone; so
    while that stays positive (with a margin of 10⁻⁹ for rounding) ``best_j[z]`` is still the unique
    least option is read — from ``best_c[z]`` and ``best_a[:, z]``, copies of its ``c`` and ``A``
    kept in zone order so that a settled pass reads a few numbers per zone, in sequence. Other
    zones are scanned, and their record renewed. Start with ``gap`` = −inf (every zone scanned);
    ``best_j``, ``gap``, ``ref``, ``best_c`` and ``best_a`` are updated in place.
    """
    n_z = zone_ptr.shape[0] - 1
    m = A.shape[0]
    choice = np.empty(n_z, np.int64)
    ax = np.zeros(m)
    total = 0.0
    cx = 0.0
    for z in range(n_z):
        lo = zone_ptr[z]
        hi = zone_ptr[z + 1]
        bj = best_j[z]
        drift = 0.0
        for i in range(m):
            d = abs(lam[i] - ref[i, z])
            drift += d * (span[i, z] * (1.0 + 1e-9) + 1e-9 * abs(best_a[i, z]))
        if drift < gap[z]:
            best = best_c[z]
            for i in range(m):
                best += lam[i] * best_a[i, z]
            choice[z] = bj - lo
            total += best
            cx += best_c[z]
            for i in range(m):
                ax[i] += best_a[i, z]
        else:
            best = np.inf
            second = np.inf
            bj = lo
            for j in range(lo, hi):
                v = c[j]
                for i in range(m):
                    v += lam[i] * A[i, j]
                if v < best:
                    second = best
                    best = v
                    bj = j
                elif v < second:
                    second = v
            best_j[z] = bj
            # rounding of the values themselves: 10⁻⁹ of their size
            gap[z] = (second - best) - 1e-9 * (abs(best) + abs(second)) if second < np.inf else np.inf
            best_c[z] = c[bj]
            for i in range(m):
                ref[i, z] = lam[i]
                best_a[i, z] = A[i, bj]
            choice[z] = bj - lo
            total += best
            cx += c[bj]
            for i in range(m):
                ax[i] += A[i, bj]
    return choice, total, cx, ax

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


@kernel("(int64[::1], float64[::1], float64[:, ::1], float64[::1], float64[::1], float64[::1], float64[::1],"
        " int64[::1], int64[::1], int64[::1], float64[::1], boolean[::1], float64, boolean)")
def _move_scan(zone_ptr, c, A, r, ftol, w, lam, choice, cand, cand_zone, score, moved, eps, repair):
    """One scan of the single-option moves to the candidates ``cand`` (zones ``cand_zone``), then
    the moves applied best first, one per zone, each only while it still helps: the step that
    :func:`_repair` and :func:`_improve` share.

    ``repair``: a move scores its reduced-cost increase (Δc + λ·ΔA) per unit of weighted violation
    it removes, and helps while it removes violation. Otherwise (improve): a move scores Δc <
    −``eps`` and helps while every row still holds. ``r`` (A x − b) and ``choice`` are updated in
    place; ``score`` (one per candidate) and ``moved`` (False per zone) are work arrays, ``moved``
    left all False. Returns the moves applied and (repair) the weighted violation left, as tracked
    move by move (0.0 exactly when the last move met every row)."""
    m = A.shape[0]
    viol = _viol(r, ftol, w) if repair else 0.0
    for t in range(cand.shape[0]):
        j = cand[t]
        z = cand_zone[t]
        k = zone_ptr[z] + choice[z]
        score[t] = np.inf
        if j == k:
            continue
        if repair:
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
        else:
            dc = c[j] - c[k]
            if dc >= -eps:
                continue
            ok = True
            for i in range(m):
                if r[i] + A[i, j] - A[i, k] > ftol[i]:
                    ok = False
                    break
            if ok:
                score[t] = dc
    live = np.flatnonzero(score < np.inf)                # sort only the useful moves
    order = live[np.argsort(score[live])]
    applied = 0
    for q in range(order.shape[0]):
        t = order[q]
        j = cand[t]
        z = cand_zone[t]
        if moved[z]:
            continue
        k = zone_ptr[z] + choice[z]
        va = 0.0
        ok = True
        for i in range(m):
            nr = r[i] + A[i, j] - A[i, k]
            if nr > ftol[i]:
                if repair:
                    va += w[i] * (nr - ftol[i])
                else:
                    ok = False
                    break
        if not ok or (repair and viol - va <= 1e-12 * viol):
            continue
        for i in range(m):
            r[i] += A[i, j] - A[i, k]
        choice[z] = j - zone_ptr[z]
        moved[z] = True
        applied += 1
        if repair:
            viol = va
            if viol == 0.0:
                break
    for q in range(order.shape[0]):
        moved[cand_zone[order[q]]] = False
    return applied, viol


@kernel("(int64[::1], float64[::1], float64[:, ::1], float64[::1], float64[::1], float64[::1],"
        " float64[::1], int64[::1], int64[::1], int64[::1], int64)")
def _repair(zone_ptr, c, A, b, ftol, w, lam, choice, cand, cand_zone, max_scans):
    """Greedy repair: moves of least reduced-cost increase (c + λ·A) per unit of weighted
    violation removed. One scan scores every candidate move; the moves are then applied best
    first (one per zone, each only while it still removes violation) before the next scan
    (:func:`_move_scan`).

    ``choice`` (local indices) is changed in place. Returns True when every row is met.
    """
    m = A.shape[0]
    r = -b.copy()
    for z in range(zone_ptr.shape[0] - 1):
        j = zone_ptr[z] + choice[z]
        for i in range(m):
            r[i] += A[i, j]
    score = np.empty(cand.shape[0])
    moved = np.zeros(zone_ptr.shape[0] - 1, np.bool_)
    for _ in range(max_scans):
        if _viol(r, ftol, w) == 0.0:
            return True
        applied, viol = _move_scan(zone_ptr, c, A, r, ftol, w, lam, choice, cand, cand_zone, score, moved,
                                   0.0, True)
        if viol == 0.0:
            return True
        if applied == 0:
            return False
    return _viol(r, ftol, w) == 0.0


@kernel("(int64[::1], float64[::1], float64[:, ::1], float64[::1], float64[::1], int64[::1],"
        " int64[::1], int64[::1], int64[::1], int64[::1], float64, int64)")
def _improve(zone_ptr, c, A, b, ftol, choice, cand, cand_zone, pair_cand, pair_zone, eps, max_rounds):
    """Local search from a feasible plan: improving single swaps, best first (one scan scores
    them all, then they are applied in that order while each still fits: :func:`_move_scan`),
    until none is left; then the best improving pair of swaps in two zones; repeat. ``choice`` is
    changed in place; returns the number of moves."""
    m = A.shape[0]
    r = -b.copy()
    for z in range(zone_ptr.shape[0] - 1):
        j = zone_ptr[z] + choice[z]
        for i in range(m):
            r[i] += A[i, j]
    d = np.empty(m)
    score = np.empty(cand.shape[0])
    moved = np.zeros(zone_ptr.shape[0] - 1, np.bool_)
    no_w = np.zeros(m)
    moves = 0
    for _ in range(max_rounds):
        for _scan in range(1000):
            applied, _ = _move_scan(zone_ptr, c, A, r, ftol, no_w, no_w, choice, cand, cand_zone, score, moved,
                                    eps, False)
            moves += applied
            if applied == 0:
                break
        best = -eps
        bp = -1
        bq = -1
        bzp = -1
        bzq = -1
        n_p = pair_cand.shape[0]
        for p in range(n_p):
            jp = pair_cand[p]
            zp = pair_zone[p]
            kp = zone_ptr[zp] + choice[zp]
            if jp == kp:
                continue
            dcp = c[jp] - c[kp]
            for i in range(m):
                d[i] = r[i] + A[i, jp] - A[i, kp]
            for q in range(p + 1, n_p):
                jq = pair_cand[q]
                zq = pair_zone[q]
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
                    bzp = zp
                    bzq = zq
        if bp < 0:
            break
        for j, z in ((bp, bzp), (bq, bzq)):
            k = zone_ptr[z] + choice[z]
            for i in range(m):
                r[i] += A[i, j] - A[i, k]
            choice[z] = j - zone_ptr[z]
        moves += 2
    return moves


@kernel("(int64[::1], boolean[::1], float64[::1], float64[:, ::1], int32[::1])",
        "(int64[::1], boolean[::1], float64[::1], float64[:, ::1], int64[::1])")
def _undominated(zone_ptr, keep, c, A, dom_by):
    """Within each zone, drop kept options dominated by another kept one (no more c and no more
    of any row; ties broken by index). Returns the new mask and ``dom_by`` (one entry per option,
    int32 or int64 as :func:`optimizer.indices.index_dtype` chose) filled with, for every dropped
    option, an undominated option of its zone that dominates it (-1 elsewhere)."""
    m = A.shape[0]
    out = keep.copy()
    dom_by[:] = -1
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
        " int64[::1], float64, int64, int64[::1], int64[::1], float64[:, ::1], float64[::1], int64[::1])")
def _enumerate_core(gptr, w, A, b, ftol, lam, best_val, best_choice, tau, max_nodes, cur, pos, P, W, state):
    """Depth-first branch and bound over the core zones (in the given order, options by w).

    ``w = c + λ·A`` per option. For any completion of a node, Σ c = Σ w − λ·b + λ·(b − A x) with
    b − A x >= 0, so Σ w(fixed) + Σ min w(free) − λ·b + Σ_i λ_i·max(0, b_i − P_i − Σ max A_i(free))
    is a lower bound; a node is also dropped when even the least of a row over the free zones
    breaks it. Nodes whose bound is >= best − tau are pruned. Returns the best value and choice,
    the least bound among pruned nodes (in this call), the nodes visited (in this call) and whether
    the search completed.

    Resumable: the search's position lives in ``cur``, ``pos`` (n_g + 1), ``P`` ((n_g + 1, m)),
    ``W`` (n_g + 1) and ``state`` = [depth, started]; a call that stops at ``max_nodes`` leaves
    them so that the next call (with the returned best value and choice) goes on where it stopped.
    Start a search with ``state = [0, 0]``.
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
    if state[1] == 0:
        state[0] = 0
        state[1] = 1
        pos[0] = 0
        W[0] = 0.0
        for i in range(m):
            P[0, i] = 0.0
    lb_pruned = np.inf
    nodes = 0
    d = state[0]
    while d >= 0:
        if pos[d] >= gptr[d + 1] - gptr[d]:
            d -= 1
            continue
        if nodes >= max_nodes:
            state[0] = d
            return best_val, best_choice, lb_pruned, nodes, False
        j = gptr[d] + pos[d]
        pos[d] += 1
        nodes += 1
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
    state[0] = -1
    return best_val, best_choice, lb_pruned, nodes, True


@kernel("(int64, int64, float64[::1], float64[::1], float64[:, ::1], float64[::1], float64[::1])", inline=True)
def _rc(j, z, extra, c, A, lam, zmin):
    """Reduced cost of option ``j`` (of zone ``z``): ``extra[j]`` when ``extra`` is given (not
    empty), else computed from ``c`` and ``A`` exactly as :func:`_reduced_extra` does (the same
    operations in the same order, so the same number to the last bit) with ``zmin`` its zone's least
    ``c + λ·A``."""
    if extra.shape[0] > 0:
        return extra[j]
    v = c[j]
    for i in range(A.shape[0]):
        v += lam[i] * A[i, j]
    return v - zmin[z]


@kernel("(int64[::1], float64[::1], float64[:, ::1], float64[::1])")
def _zone_least(zone_ptr, c, A, lam):
    """Per zone, the least ``c + λ·A`` over its options (as :func:`_reduced_extra` computes it)."""
    n_z = zone_ptr.shape[0] - 1
    m = A.shape[0]
    out = np.empty(n_z)
    for z in range(n_z):
        best = np.inf
        for j in range(zone_ptr[z], zone_ptr[z + 1]):
            v = c[j]
            for i in range(m):
                v += lam[i] * A[i, j]
            if v < best:
                best = v
        out[z] = best
    return out


@kernel("(float64[::1], float64[::1], float64[:, ::1], float64[::1], float64[::1], int64[::1], int64[::1])")
def _reduced_of(extra, c, A, lam, zmin, idx, zone):
    """Reduced costs (:func:`_rc`) of the options ``idx`` of zones ``zone``."""
    out = np.empty(idx.shape[0])
    for t in range(idx.shape[0]):
        out[t] = _rc(idx[t], zone[t], extra, c, A, lam, zmin)
    return out


@kernel("(int64[::1], float64[::1], float64[:, ::1], float64[::1], float64[::1], int64[::1])")
def _second_least(zone_ptr, c, A, lam, zmin, choice):
    """Per zone, the least reduced cost (:func:`_rc`) among options other than ``choice`` (inf: none)."""
    n_z = zone_ptr.shape[0] - 1
    out = np.full(n_z, np.inf)
    none = np.empty(0)
    for z in range(n_z):
        skip = zone_ptr[z] + choice[z]
        for j in range(zone_ptr[z], zone_ptr[z + 1]):
            if j != skip:
                out[z] = min(out[z], _rc(j, z, none, c, A, lam, zmin))
    return out


@kernel("(int64[::1], float64[::1], float64[:, ::1], float64[::1], float64[::1], float64)")
def _mask_below(zone_ptr, c, A, lam, zmin, t):
    """Options whose reduced cost (:func:`_rc`) is <= ``t``."""
    n_z = zone_ptr.shape[0] - 1
    out = np.zeros(zone_ptr[n_z], np.bool_)
    none = np.empty(0)
    for z in range(n_z):
        for j in range(zone_ptr[z], zone_ptr[z + 1]):
            out[j] = _rc(j, z, none, c, A, lam, zmin) <= t
    return out


@kernel("(int64[::1], float64[::1], float64[:, ::1], float64[::1], float64[::1])")
def _pool_sample(zone_ptr, c, A, lam, zmin):
    """Reduced costs (:func:`_rc`, from ``c`` and ``A``) of every option of about 2,000 zones
    spread over the table (every k-th): :func:`_pool_below` reads its cut from them."""
    n_z = zone_ptr.shape[0] - 1
    none = np.empty(0)
    step = max(1, n_z // 2000)
    got = 0
    for z in range(step // 2, n_z, step):
        got += zone_ptr[z + 1] - zone_ptr[z]
    sample = np.empty(got)
    got = 0
    for z in range(step // 2, n_z, step):
        for j in range(zone_ptr[z], zone_ptr[z + 1]):
            sample[got] = _rc(j, z, none, c, A, lam, zmin)
            got += 1
    return sample


@kernel("(float64[::1], float64[::1], float64[:, ::1], float64[::1], float64[::1], int64[::1], int64[::1],"
        " float64, int32[::1], int32[::1])",
        "(float64[::1], float64[::1], float64[:, ::1], float64[::1], float64[::1], int64[::1], int64[::1],"
        " float64, int64[::1], int64[::1])")
def _below_collect(extra, c, A, lam, zmin, zone_ptr, choice, cut, idx, zone):
    """The options (flat indices, zones, reduced costs :func:`_rc`) with reduced cost ``<= cut``
    that are not their zone's ``choice``, in flat order, at most ``cap = len(idx)`` of them kept
    (``idx`` and ``zone``: room given by the caller, int32 or int64 as
    :func:`optimizer.indices.index_dtype` chose); and how many there are in all (more than ``cap``:
    call again with room for them)."""
    nz = zone_ptr.shape[0] - 1
    cap = idx.shape[0]
    vals = np.empty(cap)
    total = 0
    for z in range(nz):
        skip = zone_ptr[z] + choice[z]
        for j in range(zone_ptr[z], zone_ptr[z + 1]):
            if j != skip:
                v = _rc(j, z, extra, c, A, lam, zmin)
                if v <= cut:
                    if total < cap:
                        idx[total] = j
                        zone[total] = z
                        vals[total] = v
                    total += 1
    if total >= cap:
        return idx, zone, vals, total
    return idx[:total].copy(), zone[:total].copy(), vals[:total].copy(), total     # not the room left


@kernel("(float64[::1], float64[::1], float64[:, ::1], float64[::1], float64[::1], int64[::1], int64[::1],"
        " float64)")
def _below_sample(extra, c, A, lam, zmin, zone_ptr, choice, thr):
    """How many options have reduced cost (:func:`_rc`) ``<= thr`` and are not their zone's
    ``choice``, and the reduced costs of about 8,192 of them, picked by a hash of their index (not
    a stride, which would follow the order within zones)."""
    nz = zone_ptr.shape[0] - 1
    n = zone_ptr[nz]
    stride = max(1, n // 8192)
    pick = (1 << 32) // stride
    sample = np.empty(min(n, 2 * (n // stride) + 64))
    count = 0
    got = 0
    for z in range(nz):
        skip = zone_ptr[z] + choice[z]
        for j in range(zone_ptr[z], zone_ptr[z + 1]):
            if j != skip:
                v = _rc(j, z, extra, c, A, lam, zmin)
                if v <= thr:
                    count += 1
                    if ((j * 2654435761) & 0xFFFFFFFF) < pick and got < sample.shape[0]:     # Knuth's hash
                        sample[got] = v
                        got += 1
    return count, sample[:got].copy()


def _pool_below(zone_ptr, c, A, lam, zmin, k):
    """About ``k`` (at least ``min(k, n)``) options of least reduced cost (:func:`_rc`, from ``c``
    and ``A``), found in about one pass: flat indices (sorted), zones, values and the cut — every
    option with reduced cost ``<= cut`` is among them (cut = inf: every option). The cut is read
    from every option of about 2,000 zones spread over the table (a quarter more than ``k``
    expected below it, and some). Plain Python around compiled passes (sorting stays in numpy:
    nothing more for numba to compile)."""
    n = int(zone_ptr[-1])
    k = int(k)
    dtype = index_dtype(n)                                            # int32 below 2³¹ options
    everything = np.full(len(zone_ptr) - 1, -1, dtype=np.int64)      # skips nothing
    none = np.empty(0)
    cut = math.inf
    if k < n:
        sample = np.sort(_pool_sample(zone_ptr, c, A, lam, zmin))
        q = int(1.25 * k / n * len(sample)) + 4
        if q < len(sample) - 1:
            cut = float(sample[q])
    cap = n if cut == math.inf else min(n, 2 * int(1.25 * k) + 1024)
    while True:
        idx, zone, vals, total = _below_collect(none, c, A, lam, zmin, zone_ptr, everything, cut,
                                                np.empty(cap, dtype), np.empty(cap, dtype))
        if total < min(k, n) and cut < math.inf:          # the sample misled: everything
            cut, cap = math.inf, n
        elif total > cap:                                  # more than room: now the exact count
            cap = int(total)
        else:
            return idx, zone, vals, cut


def _lowest_below(extra, zone_ptr, choice, thr, k):
    """:func:`_lowest_below_of` over a stored array of reduced costs: (flat indices, zones). Plain
    Python (nothing more to compile)."""
    none = np.empty(0)
    idx, zone, _ = _lowest_below_of(np.ascontiguousarray(extra, dtype=np.float64), none, np.empty((0, 0)),
                                    none, none, zone_ptr, choice, float(thr), int(k))
    return idx, zone


def _lowest_below_of(extra, c, A, lam, zmin, zone_ptr, choice, thr, k):
    """Flat indices (sorted), zones and reduced costs of the at most ``k`` options of smallest
    reduced cost (:func:`_rc`: stored in ``extra``, or computed on the fly from ``c``, ``A``, ``lam``
    and ``zmin`` when ``extra`` is empty) among those with reduced cost ``<= thr`` that are not their
    zone's ``choice`` (a ``choice`` past the zone's end, or −1, skips nothing), ties going to the
    lower index — without a temporary the size of the option table. One pass counts them and
    samples about 8,192 of the options (:func:`_below_sample`); when there are more than ``k``,
    the sample sets a cut that keeps a little over ``k`` and a second pass collects those below it
    (:func:`_below_collect`; more passes only when ties at the cut overflow the room made, or the
    sample misled), and the few kept are ranked. Plain Python around the compiled passes: the
    sorting is numpy's (stable where ties matter), so numba compiles no sort for it."""
    thr, k = float(thr), int(k)
    dtype = index_dtype(int(zone_ptr[-1]))                           # int32 below 2³¹ options
    count, sample = _below_sample(extra, c, A, lam, zmin, zone_ptr, choice, thr)
    got = len(sample)
    cut, cap = thr, int(count)
    if count > k and got > 0:
        sample = np.sort(sample)
        q = int(1.25 * k / count * got) + 4                   # a quarter more than k, and some
        if q < got - 1:
            cut = float(sample[q])
            cap = min(count, int(2.0 * (q + 2) / got * count) + k + 1024)     # room for twice the estimate
    while True:
        idx, zone, vals, total = _below_collect(extra, c, A, lam, zmin, zone_ptr, choice, cut,
                                                np.empty(cap, dtype), np.empty(cap, dtype))
        if total > cap:                    # more below the cut than room (ties at the cut)
            cap = int(total)
        elif len(idx) >= min(k, count) or cut >= thr:
            break
        else:
            cut, cap = thr, int(count)     # the sample misled: keep everything below thr
    if len(idx) > k:
        keep = np.sort(np.argsort(vals, kind="stable")[:k])
        idx, zone, vals = idx[keep], zone[keep], vals[keep]
    return idx, zone, vals
