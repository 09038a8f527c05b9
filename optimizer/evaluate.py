"""The one place a plan is scored: objectives, constraint violations and totals.

A plan is a local option index per zone (into :class:`~optimizer.problem.Compiled`'s allowed
rows); a batch of plans is an integer array (population × zones). Everything is array gathers and
sums — no Python loop over zones — so the genetic solver evaluates a whole population at once and
every exact solver reports numbers computed here, to the last digit the same.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .options import COLUMNS

TOTALS = tuple(c for c in COLUMNS if c != "within_tolerance")


@dataclass(frozen=True)
class Evaluation:
    F: np.ndarray               # (pop, n_obj) minimisation sense, natural units
    objectives: np.ndarray      # (pop, n_obj) natural sign (removals positive)
    G: np.ndarray               # (pop, m) A·x − b; ≤ 0 is feasible
    totals: dict                # column → (pop,) site totals of the option-table columns
    names: tuple[str, ...]      # objective names
    con_names: tuple[str, ...]

    @property
    def feasible(self) -> np.ndarray:
        return np.all(self.G <= 1e-9 * np.maximum(1.0, np.abs(self.G)), axis=1) if self.G.size else \
            np.ones(len(self.F), dtype=bool)

    @property
    def violation(self) -> np.ndarray:
        """Sum of positive constraint violations per plan (natural units, 0 when feasible)."""
        return np.clip(self.G, 0, None).sum(axis=1) if self.G.size else np.zeros(len(self.F))


def local_rows(compiled, X: np.ndarray) -> np.ndarray:
    """Flat indices into the compiled arrays of plans X (pop, zones)."""
    X = np.atleast_2d(np.asarray(X, dtype=np.int64))
    if X.shape[1] != compiled.n_zones:
        raise ValueError(f"plans have {X.shape[1]} zones, the problem {compiled.n_zones}")
    if np.any(X < 0) or np.any(X >= compiled.n_options[None, :]):
        raise ValueError("an option index is outside its zone's options")
    return compiled.zone_ptr[:-1][None, :] + X


def evaluate(compiled, X: np.ndarray, totals: bool = True) -> Evaluation:
    """Score plans ``X`` (zones,) or (pop, zones) of a compiled problem."""
    loc = local_rows(compiled, X)                                   # (pop, zones)
    F = np.stack([f[loc].sum(axis=1) for f in compiled.F], axis=1) if len(compiled.F) else \
        np.zeros((len(loc), 0))
    G = (np.stack([a[loc].sum(axis=1) for a in compiled.A], axis=1) - compiled.b[None, :]) if len(compiled.A) \
        else np.zeros((len(loc), 0))
    tot = {}
    if totals:
        rows = compiled.rows[loc]
        tot = {c: compiled.table.data[c][rows].sum(axis=1) for c in TOTALS}
    return Evaluation(F=F, objectives=compiled.natural(F), G=G, totals=tot,
                      names=tuple(o.name for o in compiled.objectives), con_names=compiled.con_names)
