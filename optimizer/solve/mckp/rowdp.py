"""One coupling row kept whole: a stronger bound, a better plan and fewer core options.

Pricing every coupling row but one, ``k``, with the Lagrangian multipliers λ leaves a
multiple-choice knapsack with a single row (a partial Lagrangian relaxation; Geoffrion 1974):

    B_k(λ) = min { Σ_z w'[z, x_z] : Σ_z A_k[z, x_z] <= b_k + ftol_k } − Σ_{i≠k} λ_i b_i,
    w' = c + Σ_{i≠k} λ_i A_i.

Any plan x meeting every row has c·x >= Σ w'(x) − Σ_{i≠k} λ_i b_i (each priced row has
b_i − A_i x >= 0) and meets row k, so B_k is a lower bound on the optimum; and B_k >= L(λ), the
bound with every row priced, since λ_k (A_k x − b_k) <= 0 on row k's plans. Where the LP's gap
comes from the integrality of one row (a lumpy stock that a few zones use up), B_k closes most of
it: on the eastern site's removals problem the gangue row's B_k lies 1.35·10⁻⁴ below the optimum,
the LP 1.50·10⁻³ (``python -m benchmarks.eastern_core``).

The single-row knapsack is solved exactly by dynamic programming over the zones on Pareto fronts
of (row-k use, w') (Kellerer, Pferschy & Pisinger 2004, §11.3's states, without their core); a row
whose fronts outgrow :data:`MAX_STATES` is not used. Three uses, all in numpy:

1. **bound**: B_k, for the row that gives the largest;
2. **a plan**: a beam search over the zones (:data:`BEAM` partial plans kept, ranked by w' so far
   plus the exact front of the remaining zones at the remaining capacity of row k; a partial plan
   whose least completion breaks any row is dropped), then improved by the engine's local search;
3. **fixing options**: option j of zone z is in some plan of relaxed value below T only if
   w'_j + min { f.w + g.w : f.a + A_k[j] + g.a <= b_k + ftol_k } − Σ_{i≠k} λ_i b_i < T, with f over
   the front of the zones before z and g over the front of those after it. Options that fail are
   left out of the core search (:func:`.core_search.search_core`), which then proves
   ``min(T, its own bound)``: every plan through a dropped option costs at least T.

On the eastern site the fixed core is 61 zones and 164 options instead of 124 and 475, and its
enumeration ends in 1.8·10⁶ nodes instead of racing HiGHS (benchmarks/RESULTS.md, run W).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from .run import Run

MAX_ZONES = 2_000       # more zones: not tried (one numpy step per zone)
MAX_STATES = 4_096      # a front with more states: the row is not used
BEAM = 32               # partial plans the beam search keeps


def applies(run: Run, best) -> bool:
    """Worth trying: several coupling rows, a plan to beat, at most :data:`MAX_ZONES` zones."""
    return run.m >= 2 and best is not None and len(run.zp) - 1 <= MAX_ZONES


def _pareto(a: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Indices of the points (a, w) that no other point beats (a no larger and w smaller), by a
    ascending (so w strictly decreasing)."""
    s = np.lexsort((w, a))
    ws = w[s]
    keep = np.ones(len(s), dtype=bool)
    if len(s) > 1:
        keep[1:] = ws[1:] < np.minimum.accumulate(ws)[:-1]
    return s[keep]


def _extend(fa, fw, a, w, room, below):
    """The front of (a front) ⊕ (one of a zone's options): states using at most ``room`` of the
    row and of value below ``below``, Pareto; None when more than :data:`MAX_STATES`."""
    na = (fa[:, None] + a[None, :]).ravel()
    nw = (fw[:, None] + w[None, :]).ravel()
    ok = (na <= room) & (nw < below)
    na, nw = na[ok], nw[ok]
    keep = _pareto(na, nw)
    if len(keep) > MAX_STATES:
        return None
    return na[keep], nw[keep]


def _fronts(run: Run, zones, pareto: list[np.ndarray], a, wp, room, below) -> list[Any] | None:
    """Fronts of the first 0, 1, … ``len(zones)`` of ``zones``: the i-th step keeps states using at
    most ``room[i]`` of the row and of value below ``below[i]``, over each zone's ``pareto`` options.
    None when a front outgrows :data:`MAX_STATES` or the solve's time is up."""
    fronts: list[Any] = [(np.zeros(1), np.zeros(1))]
    for i, z in enumerate(zones):
        idx = pareto[z]
        f = _extend(fronts[-1][0], fronts[-1][1], a[idx], wp[idx], room[i], below[i])
        if f is None or time.perf_counter() > run.deadline:
            return None
        fronts.append(f)
    return fronts


@dataclass
class RowRelaxation:
    """Row ``k`` kept, the others priced at ``lam``; zones taken in ``order``."""

    k: int
    wp: np.ndarray          # c + Σ_{i≠k} λ_i A_i, every option
    cap: float              # b_k + ftol_k
    off: float              # −Σ_{i≠k} λ_i b_i
    order: np.ndarray       # zone of every position
    pareto: list[np.ndarray]  # per zone, its options no other beats in (row k, w') (flat indices)
    g_ptr: np.ndarray       # fronts of the zones order[p:], flattened: states g_ptr[p]..g_ptr[p+1]
    g_a: np.ndarray
    g_w: np.ndarray
    bound: float            # B_k (inf: no plan meets row k)

    def rest(self, p: int, room: np.ndarray) -> np.ndarray:
        """Least w' of the zones order[p:] within ``room`` of row k, per entry (inf: none fits)."""
        lo, hi = self.g_ptr[p], self.g_ptr[p + 1]
        if hi == lo:
            return np.full(np.shape(room), np.inf)
        j = np.searchsorted(self.g_a[lo:hi], room, side="right") - 1
        return np.where(j >= 0, self.g_w[lo:hi][np.maximum(j, 0)], np.inf)


def relax_row(run: Run, lam: np.ndarray, k: int, order: np.ndarray) -> RowRelaxation | None:
    """Row ``k`` kept whole: its exact suffix fronts and bound B_k, or None when a front outgrows
    :data:`MAX_STATES` or the solve's time is up."""
    zp, A = run.zp, run.A
    others = [i for i in range(run.m) if i != k]
    wp = run.c + lam[others] @ A[others]
    a = A[k]
    cap = float(run.b[k] + run.ftol[k])
    pareto = [zp[z] + _pareto(a[zp[z]:zp[z + 1]], wp[zp[z]:zp[z + 1]]) for z in range(len(zp) - 1)]
    before = np.concatenate([[0.0], np.cumsum(run.zone_spans()[1][k][order])])   # least use of order[:p]
    n = len(order)
    # the zones backwards: the i-th step adds zone order[n-1-i]; the zones before it must still fit
    rev = _fronts(run, order[::-1], pareto, a, wp, (cap - before[:n])[::-1], np.full(n, math.inf))
    if rev is None:
        return None
    fronts = rev[::-1]                                       # fronts[p]: the zones order[p:]
    g_ptr = np.zeros(n + 2, dtype=np.int64)
    np.cumsum([len(f[0]) for f in fronts], out=g_ptr[1:])
    off = -float(lam[others] @ run.b[others])
    bound = float(fronts[0][1][-1]) + off if len(fronts[0][0]) else math.inf
    return RowRelaxation(k=k, wp=wp, cap=cap, off=off, order=order, pareto=pareto, g_ptr=g_ptr,
                         g_a=np.concatenate([f[0] for f in fronts]), g_w=np.concatenate([f[1] for f in fronts]),
                         bound=bound)


def strongest(run: Run, lam: np.ndarray) -> RowRelaxation | None:
    """The kept row with the largest bound (rows whose fronts outgrow the limit skipped), zones
    with the widest λ-weighted spread of the rows first; None if no row can be kept."""
    lo, hi = run.zone_spans()[1:]
    order = np.argsort(-(lam[:, None] * (hi - lo)).sum(axis=0), kind="stable")
    best = None
    for k in range(run.m):
        r = relax_row(run, lam, k, order)
        if r is not None and (best is None or r.bound > best.bound):
            best = r
    return best


def beam_plan(run: Run, rel: RowRelaxation, width: int = BEAM) -> np.ndarray | None:
    """A plan meeting every row (local option per zone) from a beam search ranked by the
    relaxation, or None if the beam lost every feasible completion."""
    zp, c, A, b, ftol, m = run.zp, run.c, run.A, run.b, run.ftol, run.m
    order, k = rel.order, rel.k
    least = run.zone_spans()[1][:, order]                    # (m, n) least use of each zone
    after = np.concatenate([np.cumsum(least[:, ::-1], axis=1)[:, ::-1], np.zeros((m, 1))], axis=1)
    limit = b + ftol
    s_c, s_w, s_p = np.zeros(1), np.zeros(1), np.zeros((1, m))
    steps = []
    for p, z in enumerate(order):
        lo, hi = zp[z], zp[z + 1]
        nz = hi - lo
        n_c = (s_c[:, None] + c[None, lo:hi]).ravel()
        n_w = (s_w[:, None] + rel.wp[None, lo:hi]).ravel()
        n_p = (s_p[:, None, :] + A[:, lo:hi].T[None, :, :]).reshape(-1, m)
        ok = np.all(n_p + after[:, p + 1] <= limit, axis=1)
        rank = n_w + rel.rest(p + 1, rel.cap - n_p[:, k])
        ok &= np.isfinite(rank)
        keep = np.flatnonzero(ok)
        if len(keep) == 0:
            return None
        if len(keep) > width:
            keep = np.sort(keep[np.argsort(rank[keep], kind="stable")[:width]])
        steps.append((keep // nz, keep % nz))
        s_c, s_w, s_p = n_c[keep], n_w[keep], n_p[keep]
    i = int(np.argmin(s_c))
    plan = np.empty(len(order), dtype=np.int64)
    for p in range(len(order) - 1, -1, -1):
        parent, option = steps[p]
        plan[order[p]] = option[i]
        i = int(parent[i])
    return plan


def fixing_mask(run: Run, rel: RowRelaxation, target: float) -> np.ndarray | None:
    """Options that can be in a plan of relaxed value below ``target`` (every plan through
    another costs at least ``target``); None when a front outgrows the limit or time is up."""
    zp, a, wp = run.zp, run.A[rel.k], rel.wp
    order, cap = rel.order, rel.cap
    below = target - rel.off
    n = len(order)
    wmin = np.minimum.reduceat(wp, zp[:-1])[order]
    amin = run.zone_spans()[1][rel.k][order]
    w_before = np.concatenate([[0.0], np.cumsum(wmin)])      # least of the zones order[:p]
    a_before = np.concatenate([[0.0], np.cumsum(amin)])
    w_after = np.concatenate([np.cumsum(wmin[::-1])[::-1], [0.0]])   # least of the zones order[p:]
    a_after = np.concatenate([np.cumsum(amin[::-1])[::-1], [0.0]])
    # states that cannot end below target (even with the least of the other zones) are dropped
    fwd = _fronts(run, order, rel.pareto, a, wp, cap - a_after[1:], below - w_after[1:])
    rev = _fronts(run, order[::-1], rel.pareto, a, wp, (cap - a_before[:n])[::-1], (below - w_before[:n])[::-1])
    if fwd is None or rev is None:
        return None
    bwd = rev[::-1]                                           # fwd[p]: the zones order[:p]; bwd[p]: order[p:]
    mask = np.zeros(len(wp), dtype=bool)
    for p in range(n):
        lo, hi = zp[order[p]], zp[order[p] + 1]
        fa, fw = fwd[p]
        ba, bw = bwd[p + 1]
        if len(fa) == 0 or len(ba) == 0:
            continue                                         # no plan below target passes here
        room = cap - fa[None, :] - a[lo:hi, None]            # (options, forward states)
        j = np.searchsorted(ba, room, side="right") - 1
        total = np.where(j >= 0, fw[None, :] + bw[np.maximum(j, 0)], np.inf).min(axis=1)
        mask[lo:hi] = wp[lo:hi] + total < below
    return mask
