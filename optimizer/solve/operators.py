"""Sampling of the genetic solver's first population, for SinkPlan's encoding.

A chromosome is a plan: the local option index of each zone (:mod:`.encoding`).
:class:`PlanSampling` gives the given plans first (e.g. an exact front), then crossings and
mutations of them, or random plans plus weighted-sum plans (per zone, the option minimising a
weighted sum of the normalised linear objectives) when none are given. It draws only from the
generator it is handed, so a run is reproduced by its seed.

The operators of later generations — uniform, block and path-relinking crossover, reset, step and
neighbour-aware mutation, the repair and the duplicate hash — run in one compiled pass per
generation (:mod:`.fused`).
"""

from __future__ import annotations

import numpy as np

from .encoding import FEAS_RTOL, GENE, Encoding
from .encoding import _zone_argmin as _zone_argmin
from .repair import MAX_REPAIR_ROUNDS, REPAIR_MARGIN
from .repair import _kth_smallest as _kth_smallest

__all__ = ["FEAS_RTOL", "GENE", "MAX_REPAIR_ROUNDS", "REPAIR_MARGIN", "Encoding", "PlanSampling"]


class PlanSampling:
    """Initial plans: ``seeds`` first (a spread subset if there are more than the population), the
    rest crossings and mutations of seeds; without seeds, random plans and ``weighted`` share of
    weighted-sum plans."""

    def __init__(self, enc: Encoding, seeds: np.ndarray | None = None, weighted: float = 0.1):
        self.enc = enc
        self.seeds = None if seeds is None or not len(seeds) else np.asarray(seeds, dtype=GENE)
        self.weighted = weighted

    def sample(self, n_samples: int, rng: np.random.Generator) -> np.ndarray:
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
