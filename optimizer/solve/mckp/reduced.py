"""Reduced costs at the dual's multipliers, computed where they are needed instead of stored.

The reduced cost of option j of zone z is ``extra_j = (c + λ·A)_j − min over z's options`` (>= 0;
docs/science.md §6.5): a plan better than ``L + t`` uses only options with ``extra < t``. Storing
it for every option took 8 bytes an option, most of the engine's memory beyond its data at large
N (benchmarks/RESULTS.md, run E). :class:`ReducedCosts` keeps only each zone's least
``c + λ·A`` (8 bytes a zone) and computes ``extra`` from ``c`` and ``A`` with the same
operations, in the same order, as a stored array had them — so every value, and every decision
taken on them, is the same to the last bit.

The local search asks many times for "the k options of least reduced cost below t, not their
zone's choice" (:meth:`ReducedCosts.lowest_below`). The first question builds a **pool**: about
``n_zones + min(_POOL_EXTRA, n_options / _POOL_SHARE)`` options of least reduced cost (every
zone's least is among them), with their values — every option of reduced cost up to the pool's
``cut``. A question is answered from the pool when the pool provably holds the answer — when
``t <= cut``, or when k eligible options up to ``cut`` are found (every option outside lies above
them) — and by a pass over every option otherwise.
"""

from __future__ import annotations

import numpy as np

from . import small
from .kernels import _lowest_below_of, _mask_below, _pool_below, _reduced_of, _second_least, _zone_least

_POOL_EXTRA = 250_000        # pool options beyond one per zone (the local search asks for <= 60,000),
_POOL_SHARE = 8              # and at most an eighth of the options (small tables: passes are cheap)
_EMPTY = np.empty(0)
_EMPTY2 = np.empty((0, 0))


class ReducedCosts:
    """Reduced costs of a solve's options at multipliers ``lam`` (see the module's docstring)."""

    def __init__(self, zp: np.ndarray, c: np.ndarray, A: np.ndarray, lam: np.ndarray) -> None:
        self.zp, self.c, self.A = zp, c, A
        self.lam = np.ascontiguousarray(lam, dtype=np.float64)
        least = small.zone_least if small.use_numpy(zp) else _zone_least
        self.zmin = least(zp, c, A, self.lam)            # one pass over every option
        self._pool: tuple | None = None
        self.full_passes = 0                             # questions answered from every option

    @property
    def n(self) -> int:
        return len(self.c)

    def of(self, idx: np.ndarray, zone: np.ndarray | None = None) -> np.ndarray:
        """Reduced costs of the flat options ``idx`` (their zones, if known)."""
        idx = np.ascontiguousarray(idx, dtype=np.int64)
        if zone is None:
            zone = np.searchsorted(self.zp, idx, side="right") - 1
        return _reduced_of(_EMPTY, self.c, self.A, self.lam, self.zmin, idx,
                           np.ascontiguousarray(zone, dtype=np.int64))

    def _everything(self, choice: np.ndarray, thr: float, k: int):
        self.full_passes += 1
        return _lowest_below_of(_EMPTY, self.c, self.A, self.lam, self.zmin, self.zp, choice, float(thr), int(k))

    def pool(self):
        """(flat indices, zones, values, per-zone pointers into them, cut): options of least
        reduced cost, every option of reduced cost <= cut among them (cut = inf: every option)."""
        if self._pool is None:
            n_z = len(self.zp) - 1
            size = n_z + min(_POOL_EXTRA, self.n // _POOL_SHARE)
            idx, zone, vals, cut = _pool_below(self.zp, self.c, self.A, self.lam, self.zmin, size)
            ptr = np.zeros(n_z + 1, dtype=np.int64)
            np.cumsum(np.bincount(zone, minlength=n_z), out=ptr[1:])
            self._pool = (idx, zone, vals, ptr, float(cut))
        return self._pool

    def lowest_below(self, choice: np.ndarray, thr: float, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Flat indices (sorted), zones and reduced costs of the at most ``k`` options of least
        reduced cost ``<= thr`` that are not their zone's ``choice`` (local indices), ties to the
        lower index: the same answer as a pass over every option. The few returned are int64 (the
        kernels' type); the pool holds int32 below 2³¹ options (:mod:`optimizer.indices`)."""
        choice = np.ascontiguousarray(choice, dtype=np.int64)
        k = int(min(k, self.n))
        idx, _, vals, ptr, cut = self.pool()
        i, z, v = _lowest_below_of(vals, _EMPTY, _EMPTY2, _EMPTY, _EMPTY, ptr, self._pool_choice(choice),
                                   min(float(thr), cut), k)
        if thr <= cut or len(i) == k:
            # every option of reduced cost <= cut is in the pool: either every eligible option
            # <= thr is, or the k found (all <= cut) precede every option outside it (> cut)
            return idx[i].astype(np.int64), z.astype(np.int64), v
        i, z, v = self._everything(choice, thr, k)
        return i.astype(np.int64), z.astype(np.int64), v

    def _pool_choice(self, choice: np.ndarray) -> np.ndarray:
        """Each zone's chosen option as a local index into its pool slice (past the slice's end
        when the choice is not in the pool)."""
        idx, _, _, ptr, _ = self._pool  # type: ignore[misc]
        flat = self.zp[:-1] + choice
        pos = np.searchsorted(idx, flat)
        pos_c = np.minimum(pos, len(idx) - 1)
        found = (pos < len(idx)) & (idx[pos_c] == flat)
        return np.where(found, pos - ptr[:-1], ptr[1:] - ptr[:-1]).astype(np.int64)

    def second_least(self, choice: np.ndarray) -> np.ndarray:
        """Per zone, the least reduced cost among options other than ``choice`` (inf: none)."""
        return _second_least(self.zp, self.c, self.A, self.lam, self.zmin,
                             np.ascontiguousarray(choice, dtype=np.int64))

    def below(self, t: float) -> np.ndarray:
        """Boolean mask of the options with reduced cost <= t (one byte an option)."""
        return _mask_below(self.zp, self.c, self.A, self.lam, self.zmin, float(t))
