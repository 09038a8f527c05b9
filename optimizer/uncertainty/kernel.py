"""The Monte Carlo's compiled kernel: a plan's rows scored year by year under one sample, reduced
to the numbers the Monte Carlo keeps (docs/science.md §7.4).

The option table's chain (:func:`optimizer.options.score_rows`) makes about sixty passes over
rows × years arrays per sample. Most of its transcendental work depends on the measure combination
alone, not on the zone: the biomass curve (Chapman–Richards, §2.1), the SOC accrual (§2.3), the
degradation of unmaintained grass (§2.10) and the cover-management factor (§3.5) are the same
series for every row of one combination, up to a per-row factor (the cover-soil growth multiplier,
§2.4, on biomass; LS, R, K and P on soil loss, §3). :class:`optimizer.uncertainty.sample.Rescorer`
therefore computes those series once per combination used, with the model functions themselves,
and the per-row scalars with the option table's own helpers; :func:`score_units` then runs the
rest of the chain row by row and year by year in one loop: soil loss, the SOC pool drawn on by
erosion (§2.8), the six terms of net removals (§2), the credited pools, the no-works baseline and
leakage (§5.5), issued credits and their value (§5.1), and the soil-loss tolerance tests (§3.8).
Nothing of size rows × years is kept but, when asked, the annual net removals.

Inputs are packed in arrays (numba takes no dataclasses): ``units`` (n_units, :data:`U_COLS`)
holds the per-row scalars of the plan's rows and of the baselines they subtract, ``series``
(combinations, 3, T) the per-combination series, ``years`` (2, T) the year series shared by
every row (:data:`Y_ROWS`), ``scalars`` (:data:`G_COLS`,) the sample's scalar settings. Equal to ``score_rows`` to
~1e-12 relative (tests/test_uncertainty.py: on the bundled sites and on random samples).
"""

from __future__ import annotations

import numpy as np

from ..jit import kernel
from ..models.carbon import C_TO_CO2

#: Columns of ``units``: per-row (or per-baseline) scalars.
U_COLS = ("area_ha", "growth", "soc_0_t_c_per_ha", "rk_ls", "p_factor", "water", "biochar_c_t_per_ha",
          "wetland_co2e_per_ha_yr", "emissions_co2e_per_ha", "degrades")
#: Rows of ``series`` (per combination): biomass carbon [t C/ha] before the growth multiplier (the
#: stock frozen at the onset of degradation for a degrading combination), new SOC [t C/ha] (with
#: its degradation), RUSLE C [-].
S_ROWS = ("biomass_unit_t_c_per_ha", "new_soc_t_c_per_ha", "c_factor")
#: Rows of ``years``: the biomass degradation factor, the price × discount factor [CNY/t CO2e].
Y_ROWS = ("biomass_degradation", "credit_weight_cny_per_t")
#: Entries of ``scalars``.
G_COLS = ("erosion_per_t", "credit_factor", "mean_bound_t_per_ha_yr", "early_bound_t_per_ha_yr", "early_years",
          "mean_rule")
#: Columns of ``totals`` (the kernel's output per row).
T_COLS = ("removals_tco2e", "credits_tco2e", "credit_value_cny", "mean_soil_loss_t_per_ha_yr", "within_tolerance")

_SIG = ("(int64[::1], int64[::1], int64[::1], float64[:, ::1], float64[:, ::1], float64[::1], "
        "float64[:, :, ::1], float64[:, ::1], float64[::1], float64[:, ::1], float64[:, ::1])")


@kernel("(int64, int64, float64[:, ::1], float64[:, :, ::1], float64[:, ::1], float64[::1], float64[:, ::1], "
        "float64[::1])", inline=True)
def _unit_terms(u, c, units, series, years, scalars, terms, loss):  # pragma: no cover - compiled
    """The six net-removal terms [t CO2e/yr] of unit ``u`` (combination ``c``) into ``terms``
    (6, T), in :data:`optimizer.models.carbon.NET_REMOVAL_TERMS` order, and its soil loss
    [t/(ha·yr)] into ``loss`` (T,). The same operations, in the same order, as
    :func:`optimizer.options.scoring._removal_terms` (docs/science.md §2, §2.8)."""
    T = loss.shape[0]
    area, growth, soc_0 = units[u, 0], units[u, 1], units[u, 2]
    rk_ls, p_factor, water = units[u, 3], units[u, 4], units[u, 5] > 0.5
    biochar, wet, emissions = units[u, 6], units[u, 7], units[u, 8]
    degrades = units[u, 9] > 0.5
    per_t = scalars[0]
    before = soc_0
    prev_model = soc_0
    prev_bio = 0.0
    for j in range(T):
        # RUSLE A = R·K·LS·C·P, none on open water (§3); rk_ls holds R·K·LS
        a = 0.0 if water else rk_ls * series[c, 2, j] * p_factor
        loss[j] = a
        bio = growth * series[c, 0, j]
        if degrades:
            bio = bio * years[0, j]
        s_j = soc_0 + series[c, 1, j]
        # the SOC pool: erosion takes the surface layer's concentration, never more than the pool (§2.8)
        available = max(before + (s_j - prev_model), 0.0)
        e = min(a * before * per_t, available)
        pool = available - e
        terms[0, j] = C_TO_CO2 * (bio - prev_bio) * area
        terms[1, j] = C_TO_CO2 * ((pool - before) + e) * area
        terms[2, j] = C_TO_CO2 * (biochar if j == 0 else 0.0) * area
        terms[3, j] = wet * area
        terms[4, j] = -C_TO_CO2 * e * area
        terms[5, j] = (0.0 - (emissions if j == 0 else 0.0)) * area
        before, prev_model, prev_bio = pool, s_j, bio


@kernel("(float64[::1], int64, float64[:, ::1])", inline=True)
def _credited(cr, j, terms):  # pragma: no cover - compiled
    """Eligible net removal [t CO2e] of year ``j`` under the credited pools ``cr`` (4,) over
    :data:`optimizer.models.credits.POOLS` (:func:`optimizer.models.credits.credited_net_co2e`)."""
    if cr[0] + cr[1] + cr[2] + cr[3] == 0.0:
        return 0.0
    eligible = (cr[0] * terms[0, j] + cr[1] * (terms[1, j] + terms[4, j]) + cr[2] * terms[2, j]
                + cr[3] * terms[3, j])
    return eligible + terms[5, j]


@kernel(_SIG)
def score_units(rows, combo, base, units, credited, leak, series, years, scalars, totals,
                net_out):  # pragma: no cover - compiled
    """Score the units ``rows`` (indices into ``units``; ``combo`` per unit, ``base`` per row: the
    unit of its zone's baseline, −1 when no standard subtracts one) into ``totals`` (n, 5) by
    :data:`T_COLS`, and the annual net removals into ``net_out`` (n, T) when it has n rows (pass
    a (0, T) array to skip them). ``credited`` (n, 4) 0/1, ``leak`` (n,) the leakage share.
    The crediting is :func:`optimizer.models.credits.net_of_baseline_co2e` and
    :func:`~optimizer.models.credits.issued_credits` year by year (docs/science.md §5.1, §5.5)."""
    n = rows.shape[0]
    T = years.shape[1]
    factor, mean_bound, early_bound = scalars[1], scalars[2], scalars[3]
    n_early = int(scalars[4])
    mean_only = scalars[5] > 0.5
    keep = net_out.shape[0] == n
    terms = np.empty((6, T))
    bterms = np.empty((6, T))
    loss = np.empty(T)
    bloss = np.empty(T)
    for i in range(n):
        u = rows[i]
        _unit_terms(u, combo[u], units, series, years, scalars, terms, loss)
        b = base[i]
        if b >= 0:
            _unit_terms(b, combo[b], units, series, years, scalars, bterms, bloss)
        cr = credited[i]
        lf = leak[i]
        removals = 0.0
        credits = 0.0
        value = 0.0
        loss_sum = 0.0
        worst = 0.0
        for j in range(T):
            net = terms[0, j] + terms[1, j] + terms[2, j] + terms[3, j] + terms[4, j] + terms[5, j]
            removals += net
            if keep:
                net_out[i, j] = net
            creditable = _credited(cr, j, terms)
            if b >= 0:
                creditable = creditable - max(_credited(cr, j, bterms), 0.0)
            creditable = creditable - lf * max(creditable, 0.0)
            issued = creditable * factor
            credits += issued
            value += issued * years[1, j]
            loss_sum += loss[j]
            if j < n_early:
                worst = max(worst, loss[j])
        mean_loss = loss_sum / T
        if credits <= 0.0:
            credits = 0.0
            value = 0.0
        within = mean_loss <= mean_bound and (mean_only or worst <= early_bound)
        totals[i, 0] = removals
        totals[i, 1] = credits
        totals[i, 2] = value
        totals[i, 3] = mean_loss
        totals[i, 4] = 1.0 if within else 0.0
