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
