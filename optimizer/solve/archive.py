"""The external archive of the genetic search: every non-dominated feasible plan seen, thinned.

pymoo's ``res.opt`` is only the last population's best, and crowding truncation drops good plans;
the archive keeps every non-dominated feasible plan (minimisation sense) up to a capacity. Thinning
(:func:`thin`) drops, with two objectives, the plan adding least hypervolume (normalised,
reference point 1.1) one at a time; with more, the most crowded plans (crowding distance,
Deb et al. 2002) at once; protected plans (those weakly dominating a seed) always stay.
"""

from __future__ import annotations

import numpy as np

from ..jit import kernel
from . import pareto as pa

ARCHIVE_CAPACITY = 2000


class Archive:
    """Non-dominated feasible plans seen so far (minimisation sense), at most ``capacity``:
    beyond it the archive is thinned to 80 % of it, dropping the plans adding least hypervolume
    (two objectives) or the most crowded (more). Plans live in a preallocated buffer (rows reused),
    so adding a generation copies only the plans that enter."""

    def __init__(self, n_zones: int, n_obj: int, capacity: int = ARCHIVE_CAPACITY, dtype=np.int32):
        self.capacity = int(capacity)
        self._buf = np.zeros((0, n_zones), dtype=dtype)
        self._free = np.zeros(0, dtype=np.int64)
        self.slot = np.zeros(0, dtype=np.int64)
        self.F = np.zeros((0, n_obj))

    def __len__(self) -> int:
        return len(self.F)

    @property
    def X(self) -> np.ndarray:
        return self._buf[self.slot]

    def add(self, X: np.ndarray, F: np.ndarray) -> int:
        """Add feasible plans; returns how many entered the archive."""
        if not len(F):
            return 0
        n_old = len(self.F)
        F_all = np.vstack([self.F, F])
        keep = _nondominated_unique(F_all)
        new = keep[keep >= n_old] - n_old
        if not len(new):
            return 0
        old_kept = np.zeros(n_old, dtype=bool)
        old_kept[keep[keep < n_old]] = True
        self._free = np.concatenate([self._free, self.slot[~old_kept]])
        if len(self._free) < len(new):
            grow = max(len(new) - len(self._free), len(self._buf) // 2, 64)
            self._free = np.concatenate([self._free, np.arange(len(self._buf), len(self._buf) + grow)])
            self._buf = np.vstack([self._buf, np.zeros((grow, self._buf.shape[1]), dtype=self._buf.dtype)])
        slots, self._free = self._free[:len(new)], self._free[len(new):]
        self._buf[slots] = X[new]
        slot_all = np.concatenate([self.slot, np.full(len(F), -1, dtype=np.int64)])
        slot_all[n_old + new] = slots
        self.slot, self.F = slot_all[keep], F_all[keep]
        if len(self.F) > self.capacity:
            k = thin(self.F, int(0.8 * self.capacity))
            gone = np.ones(len(self.F), dtype=bool)
            gone[k] = False
            self._free = np.concatenate([self._free, self.slot[gone]])
            self.slot, self.F = self.slot[k], self.F[k]
        return len(new)


def _nondominated_unique(F: np.ndarray) -> np.ndarray:
    if F.shape[1] == 1:
        return np.array([int(np.argmin(F[:, 0]))])
    if F.shape[1] == 2:
        return pa.nondominated_2d(F)
    keep = pa.nondominated(F)
    _, first = np.unique(F[keep], axis=0, return_index=True)
    return np.sort(keep[first])


def thin(F: np.ndarray, k: int, protect: np.ndarray | None = None) -> np.ndarray:
    """Indices of at most ``k`` rows of a non-dominated ``F`` to keep (protected rows always
    kept): two objectives, the point adding least hypervolume (normalised, reference point 1.1)
    is dropped one at a time; more objectives, the most crowded ones (crowding distance) at once."""
    n = len(F)
    prot = np.zeros(n, dtype=bool)
    if protect is not None and len(protect):
        prot[np.asarray(protect, dtype=np.int64)] = True
    k = max(int(k), int(prot.sum()))
    if n <= k:
        return np.arange(n)
    ideal, nadir = pa.bounds(F)
    Z = pa.normalise(F, ideal, nadir)
    if F.shape[1] == 2:
        o = np.lexsort((Z[:, 1], Z[:, 0]))
        alive = _thin_2d(np.ascontiguousarray(Z[o]), prot[o], k, pa.HV_REF_POINT)
        return np.sort(o[alive])
    score = _crowding(Z)
    score[prot] = np.inf
    drop = np.argsort(score, kind="stable")[:n - k]
    keep = np.ones(n, dtype=bool)
    keep[drop] = False
    return np.flatnonzero(keep)


@kernel("(float64[:, ::1], boolean[::1], int64, float64)")
def _thin_2d(Z, prot, k, ref):  # pragma: no cover - compiled
    """Drop the least hypervolume contributor of a sorted 2-D front until k are left (the two
    extremes and protected points stay)."""
    n = Z.shape[0]
    prev = np.arange(n) - 1
    nxt = np.arange(n) + 1
    alive = np.ones(n, dtype=np.bool_)
    contrib = np.empty(n)

    def c(i):
        if prot[i] or prev[i] < 0 or nxt[i] >= n:
            return np.inf
        return (Z[nxt[i], 0] - Z[i, 0]) * (Z[prev[i], 1] - Z[i, 1])

    for i in range(n):
        contrib[i] = c(i)
    left = n
    while left > k:
        j = -1
        best = np.inf
        for i in range(n):
            if alive[i] and contrib[i] < best:
                best, j = contrib[i], i
        if j < 0:
            break
        alive[j] = False
        left -= 1
        p, q = prev[j], nxt[j]
        if p >= 0:
            nxt[p] = q
        if q < n:
            prev[q] = p
        if p >= 0:
            contrib[p] = c(p)
        if q < n:
            contrib[q] = c(q)
    return np.flatnonzero(alive)


def _crowding(Z: np.ndarray) -> np.ndarray:
    n, p = Z.shape
    d = np.zeros(n)
    for j in range(p):
        o = np.argsort(Z[:, j])
        v = Z[o, j]
        gap = np.empty(n)
        gap[1:-1] = v[2:] - v[:-2]
        gap[0] = gap[-1] = np.inf
        d[o] += gap
    return d
