"""The loop of the genetic search around the fused kernel of :mod:`.fused`: mating selection,
offspring without duplicates, and survival.

Survival is pymoo's own: NSGA-II's rank and crowding (Deb et al. 2002) for up to three objectives,
NSGA-III's reference directions (Deb & Jain 2014) beyond. The loop itself is ours rather than
pymoo's ``Algorithm.next``: pymoo hands operators one ``Individual`` object per plan and asks the
problem to evaluate plans it did not make, so a child could not carry its parent's sums into its
own evaluation, and the object traffic alone cost about a fifth of a generation at 10⁴ zones.
Mating selection is pymoo's binary tournament written over arrays (NSGA-II: domination, then
crowding, then a coin; NSGA-III: a coin — every plan is feasible after repair).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..evaluate import _nonlinear
from .encoding import GENE, Encoding
from .fused import BLOCK, RELINK, UNIFORM, _generation
from .repair import MAX_REPAIR_ROUNDS

MAX_MATING_ROUNDS = 100   # rounds of mating to fill the offspring with new plans (pymoo's n_max_iterations)


@dataclass
class Pop:
    """Plans (pop, zones), their coefficient sums (pop, k), hashes, objective values (minimisation
    sense) and the survival's crowding (NSGA-II; zeros otherwise)."""

    X: np.ndarray
    T: np.ndarray
    H: np.ndarray
    F: np.ndarray
    crowding: np.ndarray


class Survival:
    """pymoo's NSGA-II (≤ 3 objectives) or NSGA-III survival over arrays."""

    def __init__(self, compiled, pop_size: int):
        from pymoo.core.problem import Problem as PymooProblem

        n_obj = len(compiled.objectives)
        self.problem = PymooProblem(n_var=compiled.n_zones, n_obj=n_obj)
        if n_obj <= 3:
            from pymoo.algorithms.moo.nsga2 import RankAndCrowding
            self.survival = RankAndCrowding()
            self.name, self.crowded = "NSGA-II", True
        else:
            from pymoo.algorithms.moo.nsga3 import ReferenceDirectionSurvival
            from pymoo.util.ref_dirs import get_reference_directions
            self.survival = ReferenceDirectionSurvival(get_reference_directions("energy", n_obj, pop_size, seed=1))
            self.name, self.crowded = "NSGA-III", False

    def select(self, X, T, H, F, n_survive: int, rng: np.random.Generator) -> Pop:
        from pymoo.core.population import Population

        pop = Population.new(F=F, index=np.arange(len(F)))
        kept = self.survival.do(self.problem, pop, n_survive=min(n_survive, len(F)), random_state=rng)
        k = np.asarray(kept.get("index"), dtype=np.int64)
        cd = np.asarray(kept.get("crowding"), dtype=float) if self.crowded else np.zeros(len(k))
        return Pop(X=X[k], T=T[k], H=H[k], F=F[k], crowding=cd)

    def tournament(self, pop: Pop, n_mat: int, rng: np.random.Generator) -> np.ndarray:
        """Parent pairs (n_mat, 2): pymoo's binary tournament (random permutations, pressure 2)."""
        n = len(pop.F)
        n_random = n_mat * 2 * 2
        P = np.concatenate([rng.permutation(n) for _ in range(math.ceil(n_random / n))])[:n_random].reshape(-1, 2)
        a, b = P[:, 0], P[:, 1]
        coin = rng.random(len(a)) < 0.5
        if not self.crowded:
            return np.where(coin, a, b).reshape(n_mat, 2)
        Fa, Fb = pop.F[a], pop.F[b]
        a_dom = np.all(Fa <= Fb, axis=1) & np.any(Fa < Fb, axis=1)
        b_dom = np.all(Fb <= Fa, axis=1) & np.any(Fb < Fa, axis=1)
        ca, cb = pop.crowding[a], pop.crowding[b]
        win = np.where(a_dom, a, np.where(b_dom, b, np.where(ca > cb, a, np.where(cb > ca, b, np.where(coin, a, b)))))
        return win.reshape(n_mat, 2)


@dataclass
class Kids:
    X: np.ndarray
    T: np.ndarray
    H: np.ndarray
    F: np.ndarray
    status: np.ndarray


class Generation:
    """Offspring of a population by the fused kernel: crossover (block with probability
    ``p_block``, else path relinking with ``p_relink``, else uniform at a swap rate U(0.05, 0.5)),
    ``1 + Poisson(zones_per_child − 1)`` mutations per child (reset; step with ``p_step``;
    neighbour's type with ``p_neighbour``), repair; children already in the population or made
    twice are dropped and more are made (up to :data:`MAX_MATING_ROUNDS` rounds)."""

    def __init__(self, enc: Encoding, zones_per_child: float = 2.0, p_block: float = 0.3, p_relink: float = 0.3,
                 p_step: float = 0.4, p_neighbour: float = 0.2):
        self.enc = enc
        c = enc.compiled
        self.compiled = c
        self.zones_per_child = zones_per_child
        self.p_block = p_block
        self.p_relink = p_relink if enc.linear_objectives else 0.0
        self.p_step, self.p_neighbour = p_step, p_neighbour
        self.lin = np.array(enc.linear_objectives, dtype=np.int64)
        self.nonlinear = [(k, o) for k, o in enumerate(c.objectives) if not o.linear]
        self.has_nbr = enc.nbr_ptr is not None and enc.veg_code is not None
        empty = np.zeros(1, dtype=np.int64)
        self.nbr_ptr = enc.nbr_ptr.astype(np.int64) if self.has_nbr and enc.nbr_ptr is not None else empty
        self.nbr_idx = enc.nbr_idx.astype(np.int64) if self.has_nbr and enc.nbr_idx is not None else empty
        self.veg_code = enc.veg_code if enc.veg_code is not None else empty
        self.nearest = np.ascontiguousarray(enc.nearest, dtype=np.int64) if enc.veg_code is not None else \
            np.zeros((1, 1), dtype=np.int64)
        self.order = np.ascontiguousarray(enc.order, dtype=np.int64)
        self.n_options = np.ascontiguousarray(enc.n_options, dtype=np.int64)
        self.bound = enc.b + enc.ftol                    # rows_hold's rule

    def score(self, X: np.ndarray, T: np.ndarray) -> np.ndarray:
        """Objective values (pop, n_obj), minimisation sense: linear ones from the sums ``T``,
        non-linear ones by :mod:`optimizer.evaluate`."""
        c = self.compiled
        F = np.empty((len(X), len(c.objectives)))
        F[:, self.lin] = T[:, :len(self.lin)]
        if self.nonlinear:
            loc = c.zone_ptr[:-1][None, :] + X
            for k, o in self.nonlinear:
                F[:, k] = o.sense * _nonlinear(c, loc, o.name)
        return F

    def feasible(self, T: np.ndarray) -> np.ndarray:
        return np.all(T[:, self.enc.col0:] <= self.bound[None, :], axis=1)

    def _make(self, pop: Pop, pairs: np.ndarray, rng: np.random.Generator) -> Kids:
        e = self.enc
        n_mat = len(pairs)
        n_var = e.n_zones
        u = rng.random(n_mat)
        kind = np.where(u < self.p_block, BLOCK, np.where(u < self.p_block + (1 - self.p_block) * self.p_relink,
                                                          RELINK, UNIFORM)).astype(np.int64)
        param = np.empty((n_mat, 2))
        param[:, 0] = rng.uniform(0.05, 0.5, n_mat)                  # uniform: swap rate
        rel = kind == RELINK
        param[rel] = rng.random((int(rel.sum()), 2))                  # relinking: share of the way, each child
        blk = kind == BLOCK
        nb = int(blk.sum())
        param[blk, 0] = rng.integers(0, n_var, nb)                    # block: start and length in spatial order
        param[blk, 1] = rng.integers(1, max(2, n_var // 2 + 1), nb)
        counts = 1 + rng.poisson(max(0.0, self.zones_per_child - 1.0), 2 * n_mat)
        seeds = rng.integers(0, 2**63 - 1, 2 * n_mat, dtype=np.int64).astype(np.uint64)
        anchor = e.anchor if e.anchor is not None else np.zeros(n_var, dtype=GENE)
        X, T, H, status = _generation(
            pop.X, pop.T, pop.H, np.ascontiguousarray(pairs, dtype=np.int64), kind, param, counts.astype(np.int64),
            seeds, e.zone_ptr, e.coef, e.hash_w, self.order, e.relink_a, e.relink_b, self.n_options, e.rank_of,
            e.by_rank, self.p_step, self.p_neighbour, self.has_nbr, self.nbr_ptr, self.nbr_idx, self.veg_code,
            self.nearest, e.col0, e.limit, e.trigger, e.scale, e.tgt, e.ratio, anchor, e.anchor is not None,
            MAX_REPAIR_ROUNDS, e.value)
        return Kids(X=X, T=T, H=H, F=np.zeros((len(X), 0)), status=status)

    def offspring(self, pop: Pop, survival: Survival, n_off: int, rng: np.random.Generator) -> Kids | None:
        """``n_off`` new plans (fewer if no more can be found), scored; None when none is new."""
        parts: list[Kids] = []
        seen = set(pop.H.tolist())
        have = 0
        for _ in range(MAX_MATING_ROUNDS):
            n_mat = math.ceil((n_off - have) / 2)
            k = self._make(pop, survival.tournament(pop, n_mat, rng), rng)
            keep = []
            for i, h in enumerate(k.H.tolist()):
                if h not in seen:
                    seen.add(h)
                    keep.append(i)
            keep = keep[:n_off - have]
            if keep:
                idx = np.array(keep, dtype=np.int64)
                parts.append(Kids(X=k.X[idx], T=k.T[idx], H=k.H[idx], F=k.F[idx], status=k.status[idx]))
                have += len(idx)
            if have >= n_off:
                break
        if not parts:
            return None
        X = np.vstack([p.X for p in parts])
        T = np.vstack([p.T for p in parts])
        return Kids(X=X, T=T, H=np.concatenate([p.H for p in parts]), F=self.score(X, T),
                    status=np.concatenate([p.status for p in parts]))
