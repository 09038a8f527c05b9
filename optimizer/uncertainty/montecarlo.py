"""Monte Carlo of plans: every plan evaluated under every sample, reduced to intervals,
probabilities and fan charts (docs/science.md §7.4)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..options import OptionTable
from ..problem.objectives import OBJECTIVES
from .sample import Rescorer, Samples

#: Plan totals summarised, option-table columns [t CO2e, CNY, t/yr].
METRICS = ("removals_tco2e", "credits_tco2e", "credit_value_cny", "cost_cny", "soil_loss_t_per_yr")
QUANTILES = (0.05, 0.50, 0.95)


@dataclass(frozen=True, eq=False)
class MonteCarlo:
    """Plan numbers under every sample. ``totals``: metric → (S, P); ``central``: metric → (P,)
    at the catalog's values; ``cumulative``: (S, P, T) cumulative net removals [t CO2e];
    ``within``: (P, Z) share of samples in which each zone is within its soil-loss tolerance."""

    labels: tuple[str, ...]
    samples: Samples
    central: dict
    totals: dict
    cumulative: np.ndarray
    central_cumulative: np.ndarray
    within: np.ndarray
    zone_ids: np.ndarray
    years: np.ndarray


def monte_carlo(table: OptionTable, plan_rows: np.ndarray, samples: Samples, labels=None,
                rescorer: Rescorer | None = None) -> MonteCarlo:
    """Evaluate plans given as option-table rows (P, Z) under every sample: the union of their rows
    is re-scored once per sample (by the compiled kernel, :meth:`Rescorer.totals`) and each plan's
    totals gathered from it."""
    plan_rows = np.atleast_2d(np.asarray(plan_rows, dtype=np.int64))
    P, Z = plan_rows.shape
    labels = tuple(labels or (f"plan {i}" for i in range(P)))
    rs = rescorer or Rescorer(table, samples.ranges)
    union, pos = np.unique(plan_rows, return_inverse=True)
    pos = pos.reshape(P, Z)
    S, T = samples.n, len(table.settings.years)
    totals = {m: np.empty((S, P)) for m in METRICS}
    cumulative = np.empty((S, P, T))
    within = np.zeros((P, Z))

    def consume(k, sc):
        for m in METRICS:
            totals[m][k] = sc[m][pos].sum(axis=1)
        cumulative[k] = np.cumsum(sc["series"]["net_removals_tco2e"][pos].sum(axis=1), axis=1)
        within[:] += sc["within_tolerance"][pos]

    rs.run(union, samples, consume, series=True, columns=(*METRICS, "within_tolerance"))
    central_series = table.annual(union)["net_removals_tco2e"][pos].sum(axis=1)
    return MonteCarlo(labels=labels, samples=samples,
                      central={m: table.data[m][plan_rows].sum(axis=1) for m in METRICS},
                      totals=totals, cumulative=cumulative, central_cumulative=np.cumsum(central_series, axis=1),
                      within=within / S, zone_ids=table.zones["zone_id"].to_numpy(dtype=object),
                      years=table.settings.years)


def interval_table(mc: MonteCarlo) -> pd.DataFrame:
    """One row per plan and metric: ``plan, metric, central, mean, p5, p50, p95``."""
    out = []
    for m in METRICS:
        q = np.quantile(mc.totals[m], QUANTILES, axis=0)
        for i, label in enumerate(mc.labels):
            out.append((label, m, mc.central[m][i], mc.totals[m][:, i].mean(), *q[:, i]))
    return pd.DataFrame(out, columns=["plan", "metric", "central", "mean", "p5", "p50", "p95"])


def fan_table(mc: MonteCarlo) -> pd.DataFrame:
    """Fan chart of cumulative net removals: per plan and year, central, P5, P50, P95 [t CO2e]."""
    q = np.quantile(mc.cumulative, QUANTILES, axis=0)           # (3, P, T)
    out = []
    for i, label in enumerate(mc.labels):
        out.append(pd.DataFrame({"plan": label, "year": mc.years, "central": mc.central_cumulative[i],
                                 "p5": q[0, i], "p50": q[1, i], "p95": q[2, i]}))
    return pd.concat(out, ignore_index=True)


def probability_at_least(mc: MonteCarlo, metric: str, target: float) -> np.ndarray:
    """(P,) share of samples in which a plan's ``metric`` total is ≥ ``target``."""
    return (mc.totals[metric] >= target).mean(axis=0)


def probability_dominated(mc: MonteCarlo, objectives) -> np.ndarray:
    """(P,) share of samples in which each plan (front point) is dominated by another plan of the
    set on the linear ``objectives`` (names of :data:`optimizer.problem.objectives.OBJECTIVES`):
    no worse on every one and better on one, the values of the same sample."""
    cols = [OBJECTIVES[o] for o in objectives if OBJECTIVES[o].linear]
    cols = [o for o in cols if o.column in mc.totals]
    F = np.stack([o.sense * mc.totals[o.column] for o in cols], axis=2) if cols \
        else np.zeros((mc.samples.n, len(mc.labels), 0))                  # (S, P, k) minimise
    a, b = F[:, None, :, :], F[:, :, None, :]                              # j dominates i: F[j] ≤ F[i]
    dom = np.all(a <= b, axis=3) & np.any(a < b, axis=3)                  # (S, i, j)
    return dom.any(axis=2).mean(axis=0)


def zone_tolerance_table(mc: MonteCarlo) -> pd.DataFrame:
    """P(zone within its soil-loss tolerance), one row per plan and zone."""
    P, Z = mc.within.shape
    return pd.DataFrame({"plan": np.repeat(mc.labels, Z), "zone_id": np.tile(mc.zone_ids, P),
                         "p_within_tolerance": mc.within.ravel()})
