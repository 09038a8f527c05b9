"""Plain-numpy twins of the engine's first passes, for tables small enough that loading numba
would cost more than the solve.

On the bundled sites (about 10⁴ options) a whole solve often ends right after the Lagrangian
dual: the multipliers' own plan meets every row and is certified. Its passes are a few
microseconds of compiled code, but importing numba and loading the compiled kernels from the
cache costs about 0.4 s a process, a fifth of ``sinkplan optimize`` end to end (benchmarks/
RESULTS.md, run V). Up to :data:`NUMPY_MAX_OPTIONS` options these functions do the same work in
numpy, with the same floating-point operations in the same order (per option
``c + λ_0·A_0 + λ_1·A_1 …``, sums over zones accumulated in zone order), so their results are the
kernels' to the last bit and every later decision of the solve is the same; numba is loaded only
if the solve goes on to the local search or the core search (:mod:`optimizer.jit`).

- :func:`zone_spans` — :func:`.kernels._zone_spans`;
- :func:`lagrangian_pass` — :func:`.kernels._lagrangian_pass` and the results of
  :func:`.kernels._lagrangian_pass_screened` (the screened pass gives the full pass's results);
- :func:`zone_least` — :func:`.kernels._zone_least`.

Each is used only when every zone has an option (an empty zone is left to the kernels).
"""

from __future__ import annotations

import numpy as np

#: tables of at most this many options (and no empty zone) take the numpy passes
NUMPY_MAX_OPTIONS = 50_000


def use_numpy(zp: np.ndarray) -> bool:
    """True when the table is small enough for the numpy passes and no zone is empty."""
    n = int(zp[-1])
    return n <= NUMPY_MAX_OPTIONS and len(zp) > 1 and bool(np.all(zp[1:] > zp[:-1]))


def _priced(c: np.ndarray, A: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """c + λ·A per option, row by row: ``v = c; v += λ_i·A_i`` as the kernels compute it."""
    v = c.copy()
    for i in range(A.shape[0]):
        v += lam[i] * A[i]
    return v


def _in_zone_order(x: np.ndarray) -> np.ndarray:
    """Sum along the last axis accumulated from 0.0 in order, as a kernel's loop over zones does
    (numpy's own sum adds pairwise, which rounds differently)."""
    pad = np.zeros(x.shape[:-1] + (1,))
    return np.cumsum(np.concatenate((pad, x), axis=-1), axis=-1)[..., -1]


def zone_spans(zp: np.ndarray, c: np.ndarray, A: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per zone: the span (max − min) of ``c`` (n_z,), the least and the most of every row
    ((m, n_z) each)."""
    starts = zp[:-1]
    c_span = np.maximum.reduceat(c, starts) - np.minimum.reduceat(c, starts)
    if A.shape[0] == 0:
        empty = np.zeros((0, len(starts)))
        return c_span, empty, empty.copy()
    return (c_span, np.ascontiguousarray(np.minimum.reduceat(A, starts, axis=1)),
            np.ascontiguousarray(np.maximum.reduceat(A, starts, axis=1)))


def lagrangian_pass(zp: np.ndarray, c: np.ndarray, A: np.ndarray, lam: np.ndarray
                    ) -> tuple[np.ndarray, float, float, np.ndarray]:
    """Per-zone argmin of c + λ·A (the first least option of each zone): local choice, Σ min,
    c·x and A x of that plan."""
    starts = zp[:-1]
    v = _priced(c, A, lam)
    least = np.minimum.reduceat(v, starts)
    hit = np.flatnonzero(v == np.repeat(least, np.diff(zp)))
    first = hit[np.searchsorted(hit, starts)]
    total = float(_in_zone_order(least))
    cx = float(_in_zone_order(c[first]))
    ax = _in_zone_order(A[:, first]) if A.shape[0] else np.zeros(0)
    return (first - starts).astype(np.int64), total, cx, ax


def zone_least(zp: np.ndarray, c: np.ndarray, A: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """Per zone, the least ``c + λ·A`` over its options."""
    return np.minimum.reduceat(_priced(c, A, lam), zp[:-1])
