"""One compiled pass per generation of the genetic search: crossover, mutation, repair, the
children's linear objectives and constraint rows, and their hashes.

A child starts as a copy of a parent together with what the parent already knew: its sums of the
coefficient columns (:attr:`Encoding.coef <optimizer.solve.encoding.Encoding.coef>`: the linear
objectives and the coupling rows, one row per option) and its hash. Every gene that changes moves
those sums by the difference of two option rows (:func:`~optimizer.solve.repair._set_gene`), so a
child costs one pass over the zones to compare its parents plus one gather per changed zone —
instead of crossover masks, copies, a repair that re-gathers the constraint rows, an evaluation
that gathers them again and a hash over every zone.

The operators are those of :mod:`.operators` (Glover 1997 path relinking; uniform and block
crossover; reset, step and neighbour mutation) and the repair of :mod:`.repair`. Random numbers
come from one SplitMix64 stream per child (Steele, Lea & Flood 2014), seeded from the run's numpy
generator, so a run is reproduced by its seed.

Sums kept by differences drift from a fresh sum by rounding (about 1e-16 of the total per change);
:func:`optimizer.solve.genetic.genetic_front` recomputes the population's sums from scratch every
:data:`REFRESH_EVERY` generations and scores the returned plans with :func:`optimizer.evaluate.evaluate`.
"""

from __future__ import annotations

import numpy as np

from ..jit import kernel
from .repair import _kth_smallest, _repair_plan, _set_gene

#: generations between exact recomputations of the population's sums (drift stays ~1e-14 relative,
#: far below the feasibility slack FEAS_RTOL = 1e-9)
REFRESH_EVERY = 25

UNIFORM, BLOCK, RELINK = 0, 1, 2          # crossover kinds

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)   # SplitMix64 constants (Steele, Lea & Flood 2014)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_TO_UNIT = 1.0 / 9007199254740992.0       # 2⁻⁵³


@kernel("(uint64[::1],)", inline=True)
def _uniform(state):  # pragma: no cover - compiled
    """Next U[0, 1) of the SplitMix64 stream ``state[0]`` (53 random bits)."""
    state[0] += _GOLDEN
    z = state[0]
    z = (z ^ (z >> _S30)) * _MIX1
    z = (z ^ (z >> _S27)) * _MIX2
    z = z ^ (z >> _S31)
    return np.float64(z >> _S11) * _TO_UNIT


@kernel("(int32[::1], int32[::1], float64[::1], uint64[::1], int64[::1], float64[:, ::1], uint64[::1],"
        " float64[::1], float64[::1], float64, float64[::1], float64[::1], int64[::1])")
def _relink_child(x, other, t, h, zone_ptr, C, W, fa, fb, u, key, scratch, diff):  # pragma: no cover - compiled
    """Path relinking in place: ``x`` takes ``other``'s option in the first ⌈u·d⌉ (at least 1,
    at most d − 1) of the d zones where they differ, zones ordered by the angle of their move
    (Δfa, Δfb) clockwise from "down" (improving both first); ties in zone order."""
    nz = x.shape[0]
    nd = 0
    for z in range(nz):
        if x[z] != other[z]:
            diff[nd] = z
            nd += 1
    if nd < 2:
        return
    for q in range(nd):
        z = diff[q]
        ra, rb = zone_ptr[z] + x[z], zone_ptr[z] + other[z]
        theta = np.arctan2(fb[rb] - fb[ra], fa[rb] - fa[ra])
        key[q] = (-0.5 * np.pi - theta) % (2.0 * np.pi)
    k = min(max(int(np.ceil(u * nd)), 1), nd - 1)
    kth = _kth_smallest(key[:nd], k - 1, scratch)
    n_below = 0
    for q in range(nd):
        if key[q] < kth:
            n_below += 1
    ties = k - n_below                     # keys equal to the k-th: the first ones in zone order
    for q in range(nd):
        take = key[q] < kth
        if not take and key[q] == kth and ties > 0:
            take = True
            ties -= 1
        if take:
            z = diff[q]
            _set_gene(x, t, h, np.int64(z), np.int64(other[z]), zone_ptr, C, W)


@kernel("(int32[::1], float64[::1], uint64[::1], uint64[::1], int64, int64[::1], float64[:, ::1], uint64[::1],"
        " int64[::1], int64[::1], int64[::1], float64, float64, boolean, int64[::1], int64[::1], int64[::1],"
        " int64[:, ::1])")
def _mutate_child(x, t, h, rng, count, zone_ptr, C, W, n_options, rank_of, by_rank, p_step, p_neighbour, has_nbr,
                  nbr_ptr, nbr_idx, veg_code, nearest):  # pragma: no cover - compiled
    """``count`` zones of ``x`` get a new option: a random one (reset), the next cheaper or dearer
    in value order (step, probability ``p_step``), or (``p_neighbour``, with an adjacency) half the
    time a random neighbour's vegetation type, half the time this zone's type given to every
    neighbour (the option of that type nearest in value; reset when the zone has none)."""
    nz = x.shape[0]
    for _ in range(count):
        z = min(int(_uniform(rng) * nz), nz - 1)
        kind = _uniform(rng)
        lo = zone_ptr[z]
        new = min(int(_uniform(rng) * n_options[z]), n_options[z] - 1)          # reset
        if kind < p_step:
            rank = rank_of[lo + x[z]] + (-1 if _uniform(rng) < 0.5 else 1)
            rank = min(max(rank, 0), n_options[z] - 1)
            new = by_rank[lo + rank]
        elif kind < p_step + p_neighbour and has_nbr:
            deg = nbr_ptr[z + 1] - nbr_ptr[z]
            if deg > 0:
                if _uniform(rng) < 0.5:                     # take a random neighbour's type
                    j = nbr_idx[nbr_ptr[z] + min(int(_uniform(rng) * deg), deg - 1)]
                    cand = nearest[lo + x[z], veg_code[zone_ptr[j] + x[j]]]
                    if cand >= 0:
                        new = cand
                else:                                       # give this zone's type to every neighbour
                    new = x[z]
                    kk = veg_code[lo + x[z]]
                    for q in range(nbr_ptr[z], nbr_ptr[z + 1]):
                        j = nbr_idx[q]
                        cand = nearest[zone_ptr[j] + x[j], kk]
                        if cand >= 0:
                            _set_gene(x, t, h, np.int64(j), np.int64(cand), zone_ptr, C, W)
        _set_gene(x, t, h, np.int64(z), np.int64(new), zone_ptr, C, W)


@kernel("(int32[:, ::1], float64[:, ::1], uint64[::1], int64[:, ::1], int64[::1], float64[:, ::1], int64[::1],"
        " uint64[::1], int64[::1], float64[:, ::1], uint64[::1], int64[::1], float64[::1], float64[::1],"
        " int64[::1], int64[::1], int64[::1], float64, float64, boolean, int64[::1], int64[::1], int64[::1],"
        " int64[:, ::1], int64, float64[::1], float64[::1], float64[::1], int64[:, ::1], float64[:, ::1],"
        " int32[::1], boolean, int64, float64[::1])")
def _generation(PX, PT, PH, pairs, kind, param, counts, seeds, zone_ptr, C, W, order, fa, fb, n_options, rank_of,
                by_rank, p_step, p_neighbour, has_nbr, nbr_ptr, nbr_idx, veg_code, nearest, col0, limit, trigger,
                scale, tgt, ratio, anchor, has_anchor, max_rounds, value):  # pragma: no cover - compiled
    """Two children per mating ``pairs[j]`` of parents ``PX`` (totals ``PT``, hashes ``PH``):

    - ``kind[j]`` UNIFORM: each zone where the parents differ is swapped with probability
      ``param[j, 0]``; BLOCK: the zones at positions ``param[j, 0] … + param[j, 1]`` (cyclic) of the
      spatial ``order`` are swapped; RELINK: each child walks ``param[j, 0]`` / ``param[j, 1]`` of
      the way to the other parent (:func:`_relink_child`);
    - then ``counts[c]`` mutations (:func:`_mutate_child`) and the repair
      (:func:`~optimizer.solve.repair._repair_plan`).

    Returns children (2n, zones), their totals, hashes and repair status."""
    n_mat = pairs.shape[0]
    nz = PX.shape[1]
    k = C.shape[1]
    X = np.empty((2 * n_mat, nz), dtype=np.int32)
    T = np.empty((2 * n_mat, k))
    H = np.empty(2 * n_mat, dtype=np.uint64)
    status = np.zeros(2 * n_mat, dtype=np.int8)
    rng = np.zeros(1, dtype=np.uint64)
    h = np.zeros(1, dtype=np.uint64)
    g = np.zeros(1, dtype=np.uint64)
    key = np.empty(nz)
    scratch = np.empty(nz)
    rr = np.empty(nz)
    diff = np.empty(nz, dtype=np.int64)
    for j in range(n_mat):
        a, b = pairs[j, 0], pairs[j, 1]
        c0, c1 = 2 * j, 2 * j + 1
        x0, x1, t0, t1 = X[c0], X[c1], T[c0], T[c1]
        x0[:] = PX[a]
        x1[:] = PX[b]
        t0[:] = PT[a]
        t1[:] = PT[b]
        h[0], g[0] = PH[a], PH[b]
        rng[0] = seeds[c0]
        if kind[j] == RELINK:
            _relink_child(x0, PX[b], t0, h, zone_ptr, C, W, fa, fb, param[j, 0], key, scratch, diff)
            _relink_child(x1, PX[a], t1, g, zone_ptr, C, W, fa, fb, param[j, 1], key, scratch, diff)
        else:
            if kind[j] == BLOCK:
                lo, n_pos = int(param[j, 0]), int(param[j, 1])
            else:
                lo, n_pos = 0, nz
            rate = param[j, 0]
            for q in range(lo, lo + n_pos):
                z = order[q % nz] if kind[j] == BLOCK else q
                va, vb = x0[z], x1[z]
                if va == vb:
                    continue
                if kind[j] == UNIFORM and _uniform(rng) >= rate:
                    continue
                ra, rb = zone_ptr[z] + va, zone_ptr[z] + vb
                for i in range(k):
                    d = C[rb, i] - C[ra, i]
                    t0[i] += d
                    t1[i] -= d
                dw = W[z] * np.uint64(vb) - W[z] * np.uint64(va)
                h[0] += dw
                g[0] -= dw
                x0[z], x1[z] = vb, va
        for c, x, t, hh in ((c0, x0, t0, h), (c1, x1, t1, g)):
            if c == c1:
                rng[0] = seeds[c1]
            _mutate_child(x, t, hh, rng, counts[c], zone_ptr, C, W, n_options, rank_of, by_rank, p_step,
                          p_neighbour, has_nbr, nbr_ptr, nbr_idx, veg_code, nearest)
            if len(limit):
                status[c] = _repair_plan(x, t, hh, zone_ptr, C, W, col0, limit, trigger, scale, tgt, ratio, anchor,
                                         has_anchor, max_rounds, value, rr, scratch)
            H[c] = hh[0]
    return X, T, H, status
