"""Cost of an option: capital at year 0 plus discounted upkeep, maintenance and monitoring.

Plain numpy functions; money in CNY of 2025, areas in ha, volumes in m³ (docs/science.md §4). The
unit prices and the Queensland ERC on-costs are arguments: their one home is
``optimizer/catalog/parameters.csv``, with their sources.
"""

from __future__ import annotations

import numpy as np

M3_PER_HA_CM = 100.0
"""Volume of a layer 1 cm deep over 1 ha [m³]: 10⁴ m² × 0.01 m."""


def works_cny_per_ha(capex_cny_per_ha, earthworks_m3_per_ha, topsoil_m3_per_ha, *,
                     earthworks_cny_per_m3, topsoil_cny_per_m3):
    """Direct works cost per ha [CNY/ha].

    = fixed capex per ha + earthworks volume × unit cost (``earthworks_cny_per_m3``)
    + topsoil volume × placement cost (``topsoil_placement_cny_per_m3``); both unit costs are
    ``parameters.csv`` rows with their sources (docs/science.md §4.1, §4.4).
    """
    return (np.asarray(capex_cny_per_ha) + np.asarray(earthworks_m3_per_ha) * earthworks_cny_per_m3
            + np.asarray(topsoil_m3_per_ha) * topsoil_cny_per_m3)


def capex_cny(works_cny, *, management_fraction, contingency_fraction):
    """Capital cost at year 0 [CNY]: works plus project management and contingency, as fractions
    of works (``management_fraction``, ``contingency_fraction`` in ``parameters.csv``: the
    Queensland ERC rule [A], docs/science.md §4.1).
    """
    return np.asarray(works_cny) * (1.0 + management_fraction + contingency_fraction)


def annuity_factor(upkeep_years, discount_factors):
    """Σ_{t=1}^{min(years, H)} (1+r)^-t for each element of ``upkeep_years`` [yr].

    ``discount_factors`` are (1+r)^-t for t = 1..H. Fractional years count pro rata.
    """
    d = np.asarray(discount_factors, dtype=float)
    cum = np.concatenate([[0.0], np.cumsum(d)])
    y = np.clip(np.asarray(upkeep_years, dtype=float), 0, len(d))
    lo = np.floor(y).astype(np.int64)
    frac = y - lo
    nxt = np.minimum(lo, len(d) - 1)
    return cum[lo] + np.where(lo < len(d), frac * d[nxt], 0.0)


def npv_cost_cny(capex, upkeep_cny_per_yr, upkeep_years, maintenance_cny_year1, monitoring_cny_per_yr,
                 discount_factors):
    """Net present cost [CNY] = capex (t = 0, undiscounted) + PV of upkeep over its years
    + maintenance in year 1 (``maintenance_fraction`` of works in ``parameters.csv``, Queensland
    ERC rule [A]; timing [P]) + PV of monitoring over the whole horizon (docs/science.md §4.3).
    """
    d = np.asarray(discount_factors, dtype=float)
    return (np.asarray(capex) + np.asarray(upkeep_cny_per_yr) * annuity_factor(upkeep_years, d)
            + np.asarray(maintenance_cny_year1) * d[0] + np.asarray(monitoring_cny_per_yr) * d.sum())


def upkeep_share_by_year(upkeep_years, horizon_yr: int) -> np.ndarray:
    """The share of a full year's upkeep paid in each year t = 1..H [−], (n, H): 1 in every whole
    year of ``upkeep_years`` [yr], the fraction in the year a fractional span ends, 0 after — the
    pro rata rule of :func:`annuity_factor`, undiscounted (docs/science.md §4.2)."""
    y = np.clip(np.asarray(upkeep_years, dtype=float), 0, horizon_yr)
    t = np.arange(1, horizon_yr + 1, dtype=float)
    return np.clip(y[..., None] - (t - 1.0), 0.0, 1.0)


def spending_by_year_cny(capex, upkeep_cny_by_year, maintenance_cny_year1, monitoring_cny_per_yr) -> np.ndarray:
    """Money paid in each year t = 0..H [CNY, nominal: the catalog's CNY of 2025, undiscounted],
    (n, H + 1): capex in year 0, upkeep(t) ((n, H), :func:`upkeep_share_by_year` × the measures'
    yearly upkeep) and monitoring in years 1..H, maintenance in year 1 — the cash flows whose
    discounted sum is :func:`npv_cost_cny` (docs/science.md §4.2, §4.3)."""
    up = np.asarray(upkeep_cny_by_year, dtype=float)
    n, horizon = up.shape
    out = np.empty((n, horizon + 1))
    out[:, 0] = capex
    out[:, 1:] = up + np.asarray(monitoring_cny_per_yr, dtype=float)[:, None]
    out[:, 1] += maintenance_cny_year1
    return out
