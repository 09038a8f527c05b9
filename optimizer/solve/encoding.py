"""The plan encoding of the genetic solver, precomputed once per run.

A chromosome is a plan: the local option index of each zone (``0 … n_options[z] − 1``; every zone
has its own number of options), stored as :data:`GENE`. :class:`Encoding` holds the arrays the
operators (:mod:`.operators`) and the repair (:mod:`.repair`) share: the coupling rows and their
tolerances, the value traded against them, value order within zones, vegetation types and
neighbours.
"""

from __future__ import annotations

import numpy as np

from ..adjacency import neighbours_csr, spatial_order
from ..evaluate import FEAS_RTOL  # the one definition of feasible (evaluate.rows_hold)
from ..jit import kernel
from .repair import MAX_REPAIR_ROUNDS, REPAIR_MARGIN, _gather_totals, _repair_pop, _repair_tables

GENE = np.int32           # chromosome dtype (local option indices): half the memory traffic of int64
HASH_SEED = 0x5EED        # the fixed odd weights of the plan hash are drawn from this seed


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
        # every coefficient a plan sums, one row per option (linear objectives, then the coupling
        # rows): the compiled loops gather an option's numbers in one cache line, not one per array
        self.col0 = len(lin)
        n_rows = len(self.zone_of_row)
        self.coef = np.ascontiguousarray(np.vstack([np.asarray(c.F, dtype=np.float64)[lin].reshape(len(lin), n_rows),
                                                    self.A.reshape(self.m, n_rows)]).T)
        self.coef_rows = np.ascontiguousarray(self.coef[:, self.col0:])     # the rows alone (first repair)
        # duplicates: a 64-bit random linear hash Σ w_z x_z mod 2⁶⁴ (fixed odd weights), kept up to
        # date gene by gene in the compiled loops
        self.hash_w = np.random.default_rng(HASH_SEED).integers(1, 2**63 - 1, self.n_zones,
                                                                dtype=np.uint64) | np.uint64(1)
        self.tgt: np.ndarray
        self.ratio: np.ndarray
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
        self.nbr_ptr: np.ndarray | None
        self.nbr_idx: np.ndarray | None
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

    def totals(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Sums (pop, len(linear objectives) + m) of :attr:`coef` over plans ``X`` and their hashes."""
        return _gather_totals(np.ascontiguousarray(X, dtype=GENE), self.zone_ptr, self.coef, self.hash_w)

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
        return np.stack([_zone_argmin(self.zone_ptr, np.ascontiguousarray(w @ F))
                         for w in np.atleast_2d(W)]).astype(GENE)

    def repair(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Feasible copies of plans ``X`` and how each was treated (0 already feasible, 1 greedy,
        2 reverted towards the anchor, 3 could not be repaired: no anchor)."""
        X = np.array(X, dtype=GENE, copy=True)
        if not self.m or not len(X):
            return X, np.zeros(len(X), dtype=np.int8)
        has_anchor = self.anchor is not None
        anchor = self.anchor if has_anchor else np.zeros(self.n_zones, dtype=GENE)
        # only the rows' sums are followed here (callers gather the plans' totals afterwards)
        status = _repair_pop(X, self.zone_ptr, self.coef_rows, self.hash_w, 0, self.limit, self.trigger,
                             self.scale, self.tgt, self.ratio, anchor, has_anchor, MAX_REPAIR_ROUNDS, self.value)
        return X, status


# ----------------------------------------------------------------------------------------------
# compiled loops
# ----------------------------------------------------------------------------------------------
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
