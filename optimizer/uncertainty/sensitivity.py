"""Global sensitivity: Morris screening of each plan's removals by parameter group (SALib;
Morris 1991, Technometrics 33:161; groups and μ* as in Campolongo, Cariboni & Saltelli 2007,
Environ. Model. Softw. 22:1509).

The inputs are the unit cube of :func:`~optimizer.uncertainty.sample.latin_hypercube` (one
dimension per row of the ranges, mapped to values by :func:`~optimizer.uncertainty.sample.to_values`,
so triangular ranges and the growth curves' joint draws keep their meaning), grouped by the ranges'
``group`` column. A trajectory moves one group at a time by Δ = 2/3 of its range (4 levels), so
``mu_star`` [t CO2e] is the mean absolute change of the plan's removals when a group moves across
two thirds of its low–high range, ``mu_star_conf`` its 95 % bootstrap half-width. Cost: ``r × (G + 1)``
re-scorings of the plans' rows for ``r`` trajectories and ``G`` groups. Seeded: the same seed gives
the same table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..options import OptionTable
from .sample import Rescorer, Samples, to_values

MORRIS_LEVELS = 4


def morris_problem(ranges: pd.DataFrame) -> dict:
    """SALib problem of the unit cube, one variable per range row, grouped by ``group``."""
    return {"num_vars": len(ranges), "names": list(ranges["key"].astype(str)),
            "bounds": [[0.0, 1.0]] * len(ranges), "groups": list(ranges["group"].astype(str))}


def morris_samples(ranges: pd.DataFrame, trajectories: int, seed: int | None, n_draws: int) -> Samples:
    """Morris trajectories (SALib ``morris.sample``) as :class:`Samples` (``u`` the unit-cube points)."""
    from SALib.sample import morris as morris_sample

    u = morris_sample.sample(morris_problem(ranges), trajectories, num_levels=MORRIS_LEVELS, seed=seed)
    return Samples(ranges=ranges, u=u, values=to_values(ranges, u, n_draws), seed=seed, n_draws=n_draws)


def morris_indices(ranges: pd.DataFrame, samples: Samples, outputs: np.ndarray, labels, seed: int | None,
                   metric: str = "removals_tco2e") -> pd.DataFrame:
    """Morris indices of ``outputs`` (S, P) per plan and group: ``plan, metric, group, n_inputs,
    mu_star, mu_star_conf, rank`` (rank 1: the group that moves the plan most)."""
    from SALib.analyze import morris as morris_analyze

    problem = morris_problem(ranges)
    sizes = ranges["group"].astype(str).value_counts()
    out = []
    for i, label in enumerate(labels):
        res = morris_analyze.analyze(problem, samples.u, np.asarray(outputs[:, i], dtype=float),
                                     num_levels=MORRIS_LEVELS, seed=seed, print_to_console=False)
        d = pd.DataFrame({"group": list(res["names"]), "mu_star": np.asarray(res["mu_star"], dtype=float),
                          "mu_star_conf": np.asarray(res["mu_star_conf"], dtype=float)})
        d = d.sort_values("mu_star", ascending=False, kind="stable", ignore_index=True)
        d.insert(0, "metric", metric)
        d.insert(0, "plan", label)
        d.insert(3, "n_inputs", d["group"].map(sizes).astype(int))
        d["rank"] = np.arange(1, len(d) + 1)
        out.append(d)
    return pd.concat(out, ignore_index=True)


def morris_screening(table: OptionTable, plan_rows: np.ndarray, ranges: pd.DataFrame, trajectories: int = 10,
                     seed: int | None = 1, labels=None, rescorer: Rescorer | None = None,
                     metric: str = "removals_tco2e") -> pd.DataFrame:
    """Morris screening of the plans given as option-table rows (P, Z): their ``metric`` totals
    re-scored at every trajectory point (one array pass per point), then :func:`morris_indices`."""
    plan_rows = np.atleast_2d(np.asarray(plan_rows, dtype=np.int64))
    labels = tuple(labels or (f"plan {i}" for i in range(len(plan_rows))))
    rs = rescorer or Rescorer(table, ranges)
    smp = morris_samples(ranges, trajectories, seed, rs.n_draws)
    union, pos = np.unique(plan_rows, return_inverse=True)
    pos = pos.reshape(plan_rows.shape)
    y = np.empty((smp.n, len(plan_rows)))

    def consume(k, sc):
        y[k] = sc[metric][pos].sum(axis=1)

    rs.run(union, smp, consume, columns=(metric,))
    return morris_indices(ranges, smp, y, labels, seed, metric)
