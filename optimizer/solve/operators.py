"""Operators of the genetic solver for SinkPlan's encoding (pymoo 0.6 operator classes).

A chromosome is a plan: the local option index of each zone (``0 … n_options[z] − 1``; every zone
has its own number of options). Written after pymoo's own operator protocol
(``pymoo.core.sampling``, ``crossover``, ``mutation``, ``repair``, ``duplicate``): each ``_do``
works on the whole batch with array operations and draws only from the ``random_state`` pymoo
passes in, so a run is reproduced by its seed.

- :class:`PlanSampling`: given plans first (e.g. an exact front), then crossings and mutations of
  them, or random plans plus weighted-sum plans (per zone, the option minimising a weighted sum of
  the normalised linear objectives) when none are given.
- :class:`ZoneCrossover`: uniform crossover (each zone from either parent, with a swap rate drawn
  per mating), block crossover (a run of the spatial order — a patch of neighbouring zones —
  from the other parent) or path relinking (Glover 1997): from one parent, take the other's
  option in a random number of the zones where they differ, best trade-off first — the zone
  moves sorted by the angle of their change in the first two linear objectives, which walks the
  lower-left boundary between the parents (the greedy order of the LP relaxation when one
  parent's plan is the other's with some zones upgraded).
- :class:`ZoneMutation`: a few zones per child get a random option (reset), the next cheaper or
  dearer option in value order (step), or an option with the vegetation type of a random
  neighbour (neighbour-aware; needs the adjacency).
- :class:`FeasibilityRepair`: every child meets ``A x <= b`` (budget, site soil loss, stocks,
  shares): greedy moves in the most violated row, least loss of value per unit of the row saved
  first (the greedy of the LP relaxation, Sinha & Zoltners 1979), in compiled loops; when rows
  fight each other, zones are reverted to a known feasible plan (the anchor) in the same order
  until the plan is feasible, so repair always succeeds when a feasible plan exists.
- :class:`HashDuplicates`: duplicates found by a 64-bit random linear hash of the chromosome.
"""

from __future__ import annotations

import numpy as np
from pymoo.core.crossover import Crossover
from pymoo.core.duplicate import DuplicateElimination
from pymoo.core.mutation import Mutation
from pymoo.core.problem import Problem as PymooProblem
from pymoo.core.repair import Repair
from pymoo.core.sampling import Sampling

from ..adjacency import neighbours_csr, spatial_order
from ..evaluate import evaluate
from ..jit import kernel

FEAS_RTOL = 1e-9          # a plan is feasible when A x <= b + FEAS_RTOL·max(1, |b|) (as LinearCore.is_feasible)
REPAIR_MARGIN = 1e-10     # repaired plans reach A x <= b − REPAIR_MARGIN·max(1, |b|): feasible on any reading
MAX_REPAIR_ROUNDS = 12    # greedy rounds (one violated row each) before reverting towards the anchor
GENE = np.int32           # chromosome dtype (local option indices): half the memory traffic of int64


# ----------------------------------------------------------------------------------------------
# the encoding, precomputed once per run
# ----------------------------------------------------------------------------------------------
class Encoding:
    """Arrays the operators share, built once from a compiled problem (no work per generation).

    ``value`` (per flat row, minimisation sense) is what repair and step mutation trade against
    the constraint rows: the first maximised linear objective (removals, credit value …), else the
    first linear objective, scaled to its range.
    """

    def __init__(self, compiled, anchor: np.ndarray | None = None):
        c = compiled
        self.compiled = c
        self.zone_ptr = np.ascontiguousarray(c.zone_ptr, dtype=np.int64)
        self.n_zones = c.n_zones
        self.n_options = np.diff(self.zone_ptr)
        self.zone_of_row = np.repeat(np.arange(self.n_zones), self.n_options)
        self.A = np.ascontiguousarray(c.A, dtype=np.float64)
        self.b = np.asarray(c.b, dtype=np.float64)
        self.m = len(self.b)
        self.ftol = FEAS_RTOL * np.maximum(1.0, np.abs(self.b))
        # repaired plans aim a hair below b, but never below what the row can reach (b = 0 stocks)
        least = np.minimum.reduceat(self.A, self.zone_ptr[:-1], axis=1).sum(axis=1) if self.m else np.zeros(0)
        self.limit = np.maximum(self.b - REPAIR_MARGIN * np.maximum(1.0, np.abs(self.b)), np.minimum(self.b, least))
        self.trigger = self.b + self.ftol
        spans = (np.maximum.reduceat(self.A, self.zone_ptr[:-1], axis=1)
                 - np.minimum.reduceat(self.A, self.zone_ptr[:-1], axis=1)).sum(axis=1) if self.m else np.zeros(0)
        self.scale = np.maximum(np.maximum(np.abs(self.b), spans), 1e-12)
        lin = [k for k, o in enumerate(c.objectives) if o.linear]
        self.linear_objectives = lin
        pick = [k for k in lin if c.objectives[k].sense < 0] or lin
        if pick:
            f = np.asarray(c.F[pick[0]], dtype=np.float64)
            span = float(np.ptp(f)) or 1.0
            self.value = f / span
            self.has_value = True
        else:
            self.value = np.zeros(len(c.rows))
            self.has_value = False
        self.tgt, self.ratio = _repair_tables(self.zone_ptr, self.A, self.value, self.has_value) if self.m else \
            (np.zeros((0, len(c.rows)), np.int64), np.zeros((0, len(c.rows))))
        # path relinking trades the first two linear objectives (each scaled to its range)
        fl = [np.asarray(c.F[k], dtype=np.float64) for k in lin[:2]]
        fl = [f / (float(np.ptp(f)) or 1.0) for f in fl] + [np.zeros(len(c.rows))] * (2 - len(fl[:2]))
        self.relink_a, self.relink_b = np.ascontiguousarray(fl[0]), np.ascontiguousarray(fl[1])
        # value order within each zone (step mutation): by_rank[zone_ptr[z] + k] = local index of rank k
        order = np.lexsort((self.value, self.zone_of_row))
        self.by_rank = (order - self.zone_ptr[self.zone_of_row[order]]).astype(np.int64)
        self.rank_of = np.empty(len(order), dtype=np.int64)
        self.rank_of[order] = np.arange(len(order)) - self.zone_ptr[self.zone_of_row[order]]
        # vegetation types and neighbours (neighbour-aware mutation, block crossover)
        nl = getattr(c, "nonlinear", None)
        self.veg_code = None if nl is None else np.asarray(nl.veg_code, dtype=np.int64)
        adj = None if nl is None else nl.adjacency
        if self.veg_code is not None:
            self.K = int(self.veg_code.max()) + 1 if len(self.veg_code) else 1
            # nearest[r, k]: local index of the option of vegetation type k closest in value to row r
            # (same zone; -1 if the zone has no such option)
            self.nearest = _nearest_of_type(self.zone_ptr, self.veg_code, self.value, self.K)
        if adj is not None and len(adj[0]):
            self.nbr_ptr, self.nbr_idx = neighbours_csr(self.n_zones, adj[0], adj[1])
            self.order = spatial_order(self.n_zones, adj[0], adj[1])
        else:
            self.nbr_ptr = self.nbr_idx = None
            self.order = np.arange(self.n_zones)
        self.anchor = None if anchor is None else np.asarray(anchor, dtype=GENE)

    # ------------------------------------------------------------------------------------------
    def lhs(self, X: np.ndarray) -> np.ndarray:
        """A x of plans (pop, m)."""
        loc = self.zone_ptr[:-1][None, :] + np.asarray(X)
        return np.stack([a[loc].sum(axis=1) for a in self.A], axis=1) if self.m else np.zeros((len(loc), 0))

    def is_feasible(self, X: np.ndarray) -> np.ndarray:
        """Plans meeting A x <= b + FEAS_RTOL·max(1, |b|) (the exact solvers' rule)."""
        return np.all(self.lhs(X) <= self.b + self.ftol, axis=1)

    def random_plans(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return np.floor(rng.random((n, self.n_zones)) * self.n_options[None, :]).astype(GENE)

    def weighted_plans(self, W: np.ndarray) -> np.ndarray:
        """Per zone, the option minimising ``w · F_lin / range`` for each weight row of ``W``."""
        c = self.compiled
        lin = self.linear_objectives
        F = np.asarray(c.F[lin], dtype=np.float64)
        span = np.ptp(F, axis=1)
        F = F / np.where(span > 0, span, 1.0)[:, None]
        return np.stack([_zone_argmin(self.zone_ptr, np.ascontiguousarray(w @ F)) for w in np.atleast_2d(W)]).astype(GENE)

    def repair(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Feasible copies of plans ``X`` and how each was treated (0 already feasible, 1 greedy,
        2 reverted towards the anchor, 3 could not be repaired: no anchor)."""
        X = np.array(X, dtype=GENE, copy=True)
        if not self.m or not len(X):
            return X, np.zeros(len(X), dtype=np.int8)
        has_anchor = self.anchor is not None
        anchor = self.anchor if has_anchor else np.zeros(self.n_zones, dtype=GENE)
        status = _repair_pop(X, self.zone_ptr, self.A, self.limit, self.trigger, self.scale, self.tgt, self.ratio,
                             anchor, has_anchor, MAX_REPAIR_ROUNDS, self.value)
        return X, status


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


@kernel("(int64[::1], int64[::1], float64[::1], int64)")
def _nearest_of_type(zone_ptr, veg, value, K):  # pragma: no cover - compiled
    n = len(veg)
    out = np.full((n, K), -1, dtype=np.int64)
    for z in range(len(zone_ptr) - 1):
        lo, hi = zone_ptr[z], zone_ptr[z + 1]
        for r in range(lo, hi):
            for o in range(lo, hi):
                k = veg[o]
                cur = out[r, k]
                if cur < 0 or abs(value[o] - value[r]) < abs(value[lo + cur] - value[r]):
                    out[r, k] = o - lo
    return out


@kernel("(int32[:, ::1], int32[:, ::1], int64[::1], float64[::1], float64[::1], float64[::1])")
def _relink(Xa, Xb, zone_ptr, fa, fb, u):  # pragma: no cover - compiled
    """Children: Xa with Xb's option in the first ⌈u·d⌉ of the d differing zones, zones ordered
    by the angle of their move (Δfa, Δfb), clockwise from "down" (improving both first)."""
    n, nz = Xa.shape
    out = Xa.copy()
    for p in range(n):
        diff = np.flatnonzero(Xa[p] != Xb[p])
        nd = len(diff)
        if nd < 2:
            continue
        key = np.empty(nd)
        for q in range(nd):
            z = diff[q]
            ra, rb = zone_ptr[z] + Xa[p, z], zone_ptr[z] + Xb[p, z]
            theta = np.arctan2(fb[rb] - fb[ra], fa[rb] - fa[ra])
            key[q] = (-0.5 * np.pi - theta) % (2.0 * np.pi)
        order = np.argsort(key, kind="mergesort")
        k = min(max(int(np.ceil(u[p] * nd)), 1), nd - 1)
        for q in range(k):
            z = diff[order[q]]
            out[p, z] = Xb[p, z]
    return out


@kernel("(int64[::1], float64[::1])")
def _zone_argmin(zone_ptr, score):  # pragma: no cover - compiled
    nz = len(zone_ptr) - 1
    out = np.zeros(nz, dtype=np.int64)
    for z in range(nz):
        lo, hi = zone_ptr[z], zone_ptr[z + 1]
        best = lo
        for r in range(lo + 1, hi):
            if score[r] < score[best]:
                best = r
        out[z] = best - lo
    return out


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


# ----------------------------------------------------------------------------------------------
# pymoo operators
# ----------------------------------------------------------------------------------------------
class PlanProblem(PymooProblem):
    """The compiled problem as pymoo sees it: every population scored at once by
    :func:`optimizer.evaluate.evaluate`; constraints ``(A x − b − tol) / scale <= 0``."""

    def __init__(self, compiled, enc: Encoding):
        super().__init__(n_var=compiled.n_zones, n_obj=len(compiled.objectives), n_ieq_constr=enc.m,
                         xl=np.zeros(compiled.n_zones), xu=(enc.n_options - 1).astype(float), vtype=int)
        self.compiled = compiled
        self.enc = enc

    def _evaluate(self, X, out, *args, **kwargs):
        ev = evaluate(self.compiled, X, totals=False)
        out["F"] = ev.F
        if self.enc.m:
            out["G"] = (ev.G - self.enc.ftol[None, :]) / self.enc.scale[None, :]


class PlanSampling(Sampling):
    """Initial plans: ``seeds`` first (a spread subset if there are more than the population), the
    rest crossings and mutations of seeds; without seeds, random plans and ``weighted`` share of
    weighted-sum plans."""

    def __init__(self, enc: Encoding, seeds: np.ndarray | None = None, weighted: float = 0.1):
        super().__init__()
        self.enc = enc
        self.seeds = None if seeds is None or not len(seeds) else np.asarray(seeds, dtype=GENE)
        self.weighted = weighted

    def _do(self, problem, n_samples, *args, random_state=None, **kwargs):
        rng = random_state
        enc = self.enc
        if self.seeds is not None:
            S = self.seeds
            if len(S) >= n_samples:
                return S[np.unique(np.round(np.linspace(0, len(S) - 1, n_samples)).astype(int))]
            n_more = n_samples - len(S)
            a, b = rng.integers(0, len(S), n_more), rng.integers(0, len(S), n_more)
            mask = rng.random((n_more, enc.n_zones), dtype=np.float32) < rng.uniform(0.05, 0.5, (n_more, 1))
            kids = np.where(mask, S[b], S[a])
            kids = _mutate(enc, kids, rng, 2.0)
            return np.vstack([S, kids])
        n_w = int(round(self.weighted * n_samples)) if enc.linear_objectives else 0
        X = enc.random_plans(n_samples - n_w, rng)
        if n_w:
            p = len(enc.linear_objectives)
            W = np.vstack([np.eye(p), rng.dirichlet(np.ones(p), max(0, n_w - p))])[:n_w]
            X = np.vstack([enc.weighted_plans(W), X])
        return X


class ZoneCrossover(Crossover):
    """Two parents, two children: with probability ``p_block`` a block of the spatial zone order
    from the other parent; else with probability ``p_relink`` path relinking (both directions);
    else uniform (swap rate U(0.05, 0.5) per mating)."""

    def __init__(self, enc: Encoding, p_block: float = 0.2, p_relink: float = 0.3, prob: float = 1.0):
        super().__init__(2, 2, prob=prob)
        self.enc = enc
        self.p_block = p_block
        self.p_relink = p_relink if enc.linear_objectives else 0.0

    def _do(self, problem, X, *args, random_state=None, **kwargs):
        rng = random_state
        _, n_mat, n_var = X.shape
        mask = rng.random((n_mat, n_var), dtype=np.float32) < rng.uniform(0.05, 0.5, (n_mat, 1)).astype(np.float32)
        block = rng.random(n_mat) < self.p_block
        nb = int(block.sum())
        if nb and n_var > 1:
            start = rng.integers(0, n_var, nb)
            length = rng.integers(1, max(2, n_var // 2 + 1), nb)
            pos = np.arange(n_var)
            inside = ((pos[None, :] - start[:, None]) % n_var) < length[:, None]
            m2 = np.empty((nb, n_var), dtype=bool)
            m2[:, self.enc.order] = inside
            mask[block] = m2
        Y = np.empty((2, n_mat, n_var), dtype=X.dtype)
        Y[0] = np.where(mask, X[1], X[0])
        Y[1] = np.where(mask, X[0], X[1])
        relink = np.flatnonzero((rng.random(n_mat) < self.p_relink) & ~block)
        if len(relink):
            e = self.enc
            a, b = (np.ascontiguousarray(X[k, relink], dtype=GENE) for k in (0, 1))   # one compiled type
            Y[0, relink] = _relink(a, b, e.zone_ptr, e.relink_a, e.relink_b, rng.random(len(relink)))
            Y[1, relink] = _relink(b, a, e.zone_ptr, e.relink_a, e.relink_b, rng.random(len(relink)))
        return Y


def _mutate(enc: Encoding, X: np.ndarray, rng: np.random.Generator, zones_per_child: float,
            p_step: float = 0.4, p_neighbour: float = 0.2, copy: bool = True) -> np.ndarray:
    X = np.array(X, dtype=GENE, copy=True) if copy or X.dtype != GENE else X
    n, nz = X.shape
    counts = 1 + rng.poisson(max(0.0, zones_per_child - 1.0), n)      # at least one zone changes
    p = np.repeat(np.arange(n), counts)
    z = rng.integers(0, nz, len(p))
    kind = rng.random(len(p))
    n_opt = enc.n_options[z]
    new = np.floor(rng.random(len(p)) * n_opt).astype(np.int64)                 # reset
    step = kind < p_step
    if step.any():
        ps, zs = p[step], z[step]
        rank = enc.rank_of[enc.zone_ptr[zs] + X[ps, zs]] + np.where(rng.random(len(ps)) < 0.5, -1, 1)
        rank = np.clip(rank, 0, enc.n_options[zs] - 1)
        new[step] = enc.by_rank[enc.zone_ptr[zs] + rank]
    nbr = (kind >= p_step) & (kind < p_step + p_neighbour)
    spread = None
    if nbr.any() and enc.nbr_ptr is not None and enc.veg_code is not None:
        pn, zn = p[nbr], z[nbr]
        deg = enc.nbr_ptr[zn + 1] - enc.nbr_ptr[zn]
        has = deg > 0
        # half: take a random neighbour's vegetation type; half: give this zone's type to every neighbour
        take = has & (rng.random(len(zn)) < 0.5)
        j = enc.nbr_idx[np.minimum(enc.nbr_ptr[zn] + np.floor(rng.random(len(zn)) * deg).astype(np.int64),
                                   max(len(enc.nbr_idx) - 1, 0))] if len(enc.nbr_idx) else np.zeros(len(zn), np.int64)
        k = enc.veg_code[enc.zone_ptr[j] + X[pn, j]]
        cand = enc.nearest[enc.zone_ptr[zn] + X[pn, zn], k]
        ok = take & (cand >= 0)
        new_n = new[nbr]
        new_n[ok] = cand[ok]
        keep_n = has & ~take                           # spreading: this zone keeps its option
        new_n[keep_n] = X[pn[keep_n], zn[keep_n]]
        new[nbr] = new_n
        if keep_n.any():
            ps, zs = pn[keep_n], zn[keep_n]
            d = deg[keep_n]
            sp = np.repeat(ps, d)
            src = np.repeat(zs, d)
            starts = np.repeat(enc.nbr_ptr[zs], d)
            offs = np.arange(d.sum()) - np.repeat(np.cumsum(d) - d, d)
            tz = enc.nbr_idx[starts + offs]
            kk = enc.veg_code[enc.zone_ptr[src] + X[sp, src]]
            cand = enc.nearest[enc.zone_ptr[tz] + X[sp, tz], kk]
            good = cand >= 0
            spread = (sp[good], tz[good], cand[good])
    X[p, z] = new
    if spread is not None:
        X[spread[0], spread[1]] = spread[2]
    return X


class ZoneMutation(Mutation):
    """About ``zones_per_child`` zones per child (Poisson) get a new option: reset, step in value
    order, or a neighbour's vegetation type."""

    def __init__(self, enc: Encoding, zones_per_child: float = 2.0, p_step: float = 0.4, p_neighbour: float = 0.2):
        super().__init__(prob=1.0)
        self.enc = enc
        self.zones_per_child = zones_per_child
        self.p_step = p_step
        self.p_neighbour = p_neighbour

    def _do(self, problem, X, *args, random_state=None, **kwargs):
        # pymoo hands over a fresh array (Population.get), so it is changed in place
        return _mutate(self.enc, X, random_state, self.zones_per_child, self.p_step, self.p_neighbour, copy=False)


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


class HashDuplicates(DuplicateElimination):
    """Duplicate plans by a 64-bit random linear hash (Σ w_z x_z mod 2^64 with fixed odd w):
    O(pop × zones), no pairwise distances."""

    def __init__(self, n_var: int):
        super().__init__()
        self.w = np.random.default_rng(0x5EED).integers(1, 2**63 - 1, n_var, dtype=np.uint64) | np.uint64(1)
        self._cache_key, self._cache = None, None

    def hash(self, X: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            return (np.asarray(X).astype(np.uint64) * self.w[None, :]).sum(axis=1, dtype=np.uint64)

    def _other_hash(self, other) -> np.ndarray:
        # the current population is compared with again and again within a generation: hash it once
        key = (id(other), len(other), id(other[0]) if len(other) else 0, id(other[-1]) if len(other) else 0)
        if self._cache_key != key:
            self._cache_key, self._cache = key, self.hash(other.get("X"))
        return self._cache

    def _do(self, pop, other, is_duplicate):
        H = self.hash(pop.get("X"))
        if other is None:
            _, first = np.unique(H, return_index=True)
            dup = np.ones(len(H), dtype=bool)
            dup[first] = False
            is_duplicate |= dup
        else:
            is_duplicate |= np.isin(H, self._other_hash(other))
        return is_duplicate
