"""The linear core every exact solver works on: a multiple-choice knapsack with coupling rows.

    minimise    c · x
    subject to  Σ_{o in zone z} x[o] = 1            for every zone z   (GUB rows)
                A x <= b                            (coupling rows: budget, site soil loss, stocks, shares)
                x binary

Options are stored flat, zone after zone: the options of zone ``z`` are rows
``zone_ptr[z]:zone_ptr[z+1]``. Options removed before solving (intolerable soil loss, forbidden,
zones locked to another option) are simply absent. Coefficients are expected to be scaled to
sensible units (t, kCNY, ha) by the problem compiler so that they span < ~1e6.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import indices


@dataclass(frozen=True)
class LinearCore:
    zone_ptr: np.ndarray          # int64, (n_zones + 1,), zone_ptr[0] == 0, non-decreasing
    c: np.ndarray                 # float64, (n_rows,), objective to minimise
    A: np.ndarray                 # float64, (m, n_rows), coupling rows (m may be 0)
    b: np.ndarray                 # float64, (m,)
    row_names: tuple[str, ...] = ()

    @property
    def n_zones(self) -> int:
        return len(self.zone_ptr) - 1

    @property
    def n_rows(self) -> int:
        return len(self.c)

    @property
    def n_coupling(self) -> int:
        return self.A.shape[0]

    @property
    def zone_of_row(self) -> np.ndarray:
        """Zone index of every flat row ((n_rows,); int32 below 2³¹ rows, :mod:`optimizer.indices`)."""
        return indices.zone_of_row(self.zone_ptr)

    def check(self) -> None:
        """Raise ``ValueError`` if the arrays do not fit together (a programming error)."""
        zp = np.asarray(self.zone_ptr)
        if zp.ndim != 1 or zp[0] != 0 or zp[-1] != len(self.c) or np.any(np.diff(zp) < 1):
            raise ValueError("zone_ptr must start at 0, end at n_rows and give every zone ≥ 1 option")
        if self.A.ndim != 2 or self.A.shape[1] != len(self.c) or self.A.shape[0] != len(self.b):
            raise ValueError(f"A {self.A.shape} does not fit c ({len(self.c)},) and b ({len(self.b)},)")
        if not (np.all(np.isfinite(self.c)) and np.all(np.isfinite(self.A))):
            raise ValueError("c and A must be finite")

    def rows_of(self, choice: np.ndarray) -> np.ndarray:
        """Flat row index of a plan given as local option indices per zone."""
        return self.zone_ptr[:-1] + np.asarray(choice, dtype=np.int64)

    def value(self, choice: np.ndarray) -> float:
        return float(self.c[self.rows_of(choice)].sum())

    def lhs(self, choice: np.ndarray) -> np.ndarray:
        """A x for a plan (m,)."""
        return self.A[:, self.rows_of(choice)].sum(axis=1)

    def is_feasible(self, choice: np.ndarray, tol: float | None = None) -> bool:
        """Whether a plan meets every coupling row, by the one definition of feasible
        (:func:`optimizer.evaluate.rows_hold`: ``A x <= b + tol·max(1, |b|)``, here in the core's
        scaled units); ``tol`` defaults to :data:`optimizer.evaluate.FEAS_RTOL`."""
        from .evaluate import FEAS_RTOL, rows_hold

        return bool(rows_hold(self.lhs(choice), self.b, FEAS_RTOL if tol is None else tol))
