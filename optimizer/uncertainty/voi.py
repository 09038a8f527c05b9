"""What to measure next: the expected value of partial perfect information (EVPPI) of each
parameter group, by regression on the Monte Carlo samples (Strong, Oakley & Brennan 2014, Med.
Decis. Making 34:311: E[V(d) | θ_g] fitted by least squares on the group's inputs).

``EVPPI_g = E_θg[max_d E[V(d) | θ_g]] − max_d E[V(d)]`` over the decisions ``d`` (the plans
evaluated), with V a plan's value in its own unit (CNY: credit value − cost). Linear terms in the
group's inputs: a lower bound where V is far from linear in them, and biased up by chance fits
when a group has many inputs and few samples (the estimate is clipped at 0).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def evppi(values: np.ndarray, covariates: np.ndarray) -> float:
    """EVPPI of the inputs ``covariates`` (S, k) for decisions with ``values`` (S, P)."""
    S = len(values)
    X = np.column_stack([np.ones(S), covariates])
    beta, *_ = np.linalg.lstsq(X, values, rcond=None)
    fitted = X @ beta
    return float(max(0.0, fitted.max(axis=1).mean() - values.mean(axis=0).max()))


def evppi_by_group(values: np.ndarray, u: np.ndarray, groups: np.ndarray,
                   max_inputs: int | None = None) -> pd.DataFrame:
    """EVPPI per group: ``u`` (S, D) the samples' inputs (unit cube), ``groups`` (D,) their group.
    A group with more than ``max_inputs`` inputs (default S // 10) keeps those most correlated
    with the decisions' values. Sorted, largest first."""
    S = len(values)
    cap = max_inputs or max(1, S // 10)
    rows = []
    for g in pd.unique(groups):
        X = u[:, groups == g]
        if X.shape[1] > cap:
            c = np.abs(np.nan_to_num(np.corrcoef(np.column_stack([X, values]), rowvar=False)[:X.shape[1], X.shape[1]:]))
            X = X[:, np.argsort(-c.max(axis=1))[:cap]]
        rows.append((g, int((groups == g).sum()), evppi(values, X)))
    return pd.DataFrame(rows, columns=["group", "n_inputs", "evppi"]).sort_values("evppi", ascending=False,
                                                                                  ignore_index=True)
