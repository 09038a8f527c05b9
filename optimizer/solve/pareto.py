"""Pareto utilities on objective matrices in the minimisation sense (rows = plans).

Non-dominated sorting and hypervolume come from pymoo; nothing here re-implements them.
"""

from __future__ import annotations

import numpy as np


def nondominated(F: np.ndarray) -> np.ndarray:
    """Indices of the non-dominated rows of ``F`` (minimisation), in input order."""
    from pymoo.util.nds.non_dominated_sorting import NonDominatedSorting

    F = np.atleast_2d(np.asarray(F, dtype=float))
    if len(F) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.sort(NonDominatedSorting().do(F, only_non_dominated_front=True)).astype(np.int64)


def dominates(a: np.ndarray, b: np.ndarray, tol: float = 0.0) -> bool:
    """True if ``a`` dominates ``b`` (minimisation): no worse in all, better in one, beyond ``tol``."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    return bool(np.all(a <= b + tol) and np.any(a < b - tol))


def hypervolume(F: np.ndarray, ref: np.ndarray) -> float:
    """Hypervolume of ``F`` (minimisation) with reference point ``ref`` (pymoo's indicator)."""
    from pymoo.indicators.hv import HV

    F = np.atleast_2d(np.asarray(F, dtype=float))
    return float(HV(ref_point=np.asarray(ref, dtype=float))(F)) if len(F) else 0.0


# ----------------------------------------------------------------------------------------------
# quality against a reference front: one normalisation for every indicator
# ----------------------------------------------------------------------------------------------
#: Reference point of normalised hypervolumes: 1.1 in every objective, i.e. 10 % of the reference
#: front's range beyond its nadir, so the extreme points of the front count (a common choice; e.g.
#: Ishibuchi et al. 2017, "Reference point specification in hypervolume calculation", GECCO).
HV_REF_POINT = 1.1


def bounds(F: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ideal and nadir of a front (minimisation): column minima and maxima."""
    F = np.atleast_2d(np.asarray(F, dtype=float))
    return F.min(axis=0), F.max(axis=0)


def normalise(F: np.ndarray, ideal: np.ndarray, nadir: np.ndarray) -> np.ndarray:
    """``(F − ideal) / (nadir − ideal)``; an objective with no range is divided by 1."""
    ideal, nadir = np.asarray(ideal, float), np.asarray(nadir, float)
    span = np.where(nadir - ideal > 0, nadir - ideal, 1.0)
    return (np.atleast_2d(np.asarray(F, dtype=float)) - ideal) / span


def normalised_hypervolume(F: np.ndarray, ideal: np.ndarray, nadir: np.ndarray, ref: float = HV_REF_POINT) -> float:
    """Hypervolume of ``F`` after :func:`normalise`, reference point ``ref`` in every objective
    (pymoo's indicator). Points beyond the reference point add nothing."""
    F = np.atleast_2d(np.asarray(F, dtype=float))
    if not len(F):
        return 0.0
    Z = normalise(F, ideal, nadir)
    return hypervolume(Z, np.full(Z.shape[1], ref))


def igd(F: np.ndarray, F_ref: np.ndarray, ideal=None, nadir=None) -> float:
    """Inverted generational distance of ``F`` to the reference front ``F_ref`` (pymoo's
    indicator): mean distance from each reference point to its nearest point of ``F``, in the
    normalised space of ``F_ref`` (or of the given ideal and nadir). Lower is better; 0 when ``F``
    covers the reference front."""
    from pymoo.indicators.igd import IGD

    F_ref = np.atleast_2d(np.asarray(F_ref, dtype=float))
    if ideal is None or nadir is None:
        ideal, nadir = bounds(F_ref)
    F = np.atleast_2d(np.asarray(F, dtype=float))
    if not len(F):
        return float("inf")
    return float(IGD(normalise(F_ref, ideal, nadir))(normalise(F, ideal, nadir)))


def front_quality(F: np.ndarray, F_ref: np.ndarray | None = None, *, ideal=None, nadir=None) -> dict:
    """Hypervolume and IGD of ``F`` (minimisation sense) against a reference front ``F_ref``.

    Normalisation (documented, the same for every front compared): the ideal and nadir of
    ``F_ref`` when given (the exact front), else the given ``ideal``/``nadir``, else those of ``F``;
    hypervolumes use the reference point :data:`HV_REF_POINT` in every normalised objective.
    Returns ``hv``, ``hv_ref`` (of ``F_ref``), ``hv_ratio`` (hv / hv_ref), ``igd`` and the
    normalisation (``ideal``, ``nadir``, ``ref_point``).
    """
    F = np.atleast_2d(np.asarray(F, dtype=float))
    if ideal is None or nadir is None:
        ideal, nadir = bounds(F_ref if F_ref is not None else F)
    out = {"hv": normalised_hypervolume(F, ideal, nadir), "ideal": np.asarray(ideal, float).tolist(),
           "nadir": np.asarray(nadir, float).tolist(), "ref_point": HV_REF_POINT}
    if F_ref is not None:
        hv_ref = normalised_hypervolume(F_ref, ideal, nadir)
        out.update(hv_ref=hv_ref, hv_ratio=out["hv"] / hv_ref if hv_ref > 0 else float("nan"),
                   igd=igd(F, F_ref, ideal, nadir))
    return out


def nondominated_2d(F: np.ndarray) -> np.ndarray:
    """Indices of the non-dominated rows of a two-objective ``F`` (minimisation), one per distinct
    point, sorted by the first objective: O(n log n)."""
    F = np.asarray(F, dtype=float)
    if not len(F):
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort((F[:, 1], F[:, 0]))
    f2 = F[order, 1]
    best_before = np.minimum.accumulate(np.r_[np.inf, f2[:-1]])
    return order[f2 < best_before].astype(np.int64)


def hv_contributions_2d(Z: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Exclusive hypervolume contribution of each point of a two-objective non-dominated set
    ``Z`` (rows sorted by the first objective, second decreasing) with reference point ``ref``."""
    Z = np.asarray(Z, dtype=float)
    right = np.r_[Z[1:, 0], ref[0]]
    above = np.r_[ref[1], Z[:-1, 1]]
    return np.clip(right - Z[:, 0], 0, None) * np.clip(above - Z[:, 1], 0, None)
