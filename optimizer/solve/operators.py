"""Operators of the genetic solver for SinkPlan's encoding (pymoo 0.6 operator classes).

A chromosome is a plan: the local option index of each zone (:mod:`.encoding`). Written after
pymoo's own operator protocol (``pymoo.core.sampling``, ``crossover``, ``mutation``, ``repair``,
``duplicate``): each ``_do`` works on the whole batch with array operations and draws only from the
``random_state`` pymoo passes in, so a run is reproduced by its seed.

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
- :class:`~optimizer.solve.repair.FeasibilityRepair` (:mod:`.repair`): every child meets
  ``A x <= b``.
- :class:`HashDuplicates`: duplicates found by a 64-bit random linear hash of the chromosome.
"""

from __future__ import annotations

import numpy as np
from pymoo.core.crossover import Crossover
from pymoo.core.duplicate import DuplicateElimination
from pymoo.core.mutation import Mutation
from pymoo.core.problem import Problem as PymooProblem
from pymoo.core.sampling import Sampling

from ..evaluate import evaluate
from ..jit import kernel
from .encoding import FEAS_RTOL, GENE, Encoding
from .encoding import _zone_argmin as _zone_argmin
from .repair import MAX_REPAIR_ROUNDS, REPAIR_MARGIN, FeasibilityRepair
from .repair import _kth_smallest as _kth_smallest

__all__ = ["FEAS_RTOL", "GENE", "MAX_REPAIR_ROUNDS", "REPAIR_MARGIN", "Encoding", "FeasibilityRepair",
           "HashDuplicates", "PlanProblem", "PlanSampling", "ZoneCrossover", "ZoneMutation"]


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
    if nbr.any() and enc.nbr_ptr is not None and enc.nbr_idx is not None and enc.veg_code is not None:
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



class HashDuplicates(DuplicateElimination):
    """Duplicate plans by a 64-bit random linear hash (Σ w_z x_z mod 2^64 with fixed odd w):
    O(pop × zones), no pairwise distances."""

    def __init__(self, n_var: int):
        super().__init__()
        self.w = np.random.default_rng(0x5EED).integers(1, 2**63 - 1, n_var, dtype=np.uint64) | np.uint64(1)
        self._cache_key: tuple | None = None
        self._cache = np.zeros(0, dtype=np.uint64)   # the hashes of the population keyed by _cache_key

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


# ----------------------------------------------------------------------------------------------
# compiled loops
# ----------------------------------------------------------------------------------------------
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
