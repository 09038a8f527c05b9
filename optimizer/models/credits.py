"""Carbon credits and their value (docs/science.md §5).

    net(t)     = P(t) − max(B(t), 0) − L · max(P(t) − max(B(t), 0), 0)
    credits(t) = eligible · net(t) · (1 − buffer) · (1 − uncertainty_deduction(monitoring))
    value      = Σ_t credits(t) · price(t) / (1 + r)^t

P is the project's eligible net removal of the credited pools, B the no-works baseline's of the
same pools and L the leakage share (docs/science.md §5.5: CDM A/R rule, Decision 5/CMP.1 Annex
para 1; CCER-14-001-V01; VM0047 with VMD0054).

Eligibility is per standard and per zone–option; it is computed from data (the catalog's
``standards.csv``), never from ``if`` statements on names.
"""

from __future__ import annotations

import numpy as np

#: The pools a standard may credit (``standards.csv`` ``credited_pools``), in the column order of
#: the ``credited`` masks below.
POOLS = ("biomass", "soc", "biochar", "wetland")
#: The net-removal terms :func:`credited_net_co2e` takes (``carbon.net_removal_terms_co2e``' keys).
TERMS = ("biomass_tco2e", "soc_tco2e", "biochar_tco2e", "wetland_tco2e", "erosion_tco2e", "project_emissions_tco2e")


def credit_factor(buffer_fraction, uncertainty_deduction):
    """Share of eligible net removals issued as credits [fraction].

    Buffer for non-permanence 10–20 % (Verra AFOLU risk tool) [C]; the uncertainty deduction
    depends on the monitoring level (catalog monitoring.csv) [P].
    """
    if not (0 <= buffer_fraction < 1 and 0 <= uncertainty_deduction < 1):
        raise ValueError("buffer and uncertainty deduction must be fractions in [0, 1)")
    return (1.0 - buffer_fraction) * (1.0 - uncertainty_deduction)


def credits_tco2e(eligible_net_tco2e, factor):
    """Credits per year [t CO2e] from eligible net removals (t CO2e/yr) and the credit factor."""
    return np.asarray(eligible_net_tco2e) * factor


def credited_net_co2e(credited, *, biomass_tco2e, soc_tco2e, biochar_tco2e, wetland_tco2e, erosion_tco2e,
                      project_emissions_tco2e):
    """Eligible net removals [t CO2e per year] of rows whose pools are credited (docs/science.md §5.1).

    ``credited`` is an ``(n, 4)`` bool mask over :data:`POOLS` (a pool is credited once, whichever
    standards admit it); the terms are the ``(n, T)`` series of
    :func:`optimizer.models.carbon.net_removal_terms_co2e`. Eroded carbon counts against the SOC
    pool; project emissions count in full wherever any pool is credited; a row with no credited
    pool has no eligible removals.
    """
    cr = np.asarray(credited, dtype=bool)
    eligible_net = (cr[:, [0]] * biomass_tco2e + cr[:, [1]] * (soc_tco2e + erosion_tco2e)
                    + cr[:, [2]] * biochar_tco2e + cr[:, [3]] * wetland_tco2e)
    return np.where(cr.any(axis=1)[:, None], eligible_net + project_emissions_tco2e, 0.0)


def net_of_baseline_co2e(project_tco2e, baseline_tco2e=None, leakage_fraction=None):
    """Net creditable removals per year [t CO2e], ``(n, T)``: project − baseline − leakage
    (docs/science.md §5.5).

    ``baseline_tco2e`` (n, T) is the no-works baseline's eligible net removal of the same pools
    (None: no baseline). A year in which the baseline is a source (B < 0) counts as zero: the
    project is not credited for carbon the land would have lost anyway (conservative reading of
    CCER-14-001-V01 and VM0047, neither read on this point). ``leakage_fraction`` (n,) in [0, 1]
    is the share of each year's positive net-of-baseline removal lost outside the project
    (VMD0054); a year of net loss carries no leakage (it is not made smaller).
    """
    net = np.asarray(project_tco2e, dtype=float)
    if baseline_tco2e is not None:
        net = net - np.maximum(np.asarray(baseline_tco2e, dtype=float), 0.0)
    if leakage_fraction is not None:
        lf = np.asarray(leakage_fraction, dtype=float)
        if np.any((lf < 0) | (lf > 1)):
            raise ValueError("leakage fractions must be in [0, 1]")
        net = net - lf[:, None] * np.maximum(net, 0.0)
    return net


def issued_credits(eligible_net_tco2e, factor, price_cny_per_t, discount_factors):
    """Credits of each row: ``(per year (n, T), total (n,), value (n,) [CNY])`` (docs/science.md §5.1).

    Per year :func:`credits_tco2e`, valued by :func:`credit_value_cny`; a row whose credits over
    the horizon are not positive earns none (a net source is not charged negative credits).
    """
    per_year = credits_tco2e(eligible_net_tco2e, factor)
    total = per_year.sum(axis=1)
    value = credit_value_cny(per_year, price_cny_per_t, discount_factors)
    negative = total <= 0
    return (np.where(negative[:, None], 0.0, per_year), np.where(negative, 0.0, total),
            np.where(negative, 0.0, value))


def credit_value_cny(credits_series_tco2e, price_cny_per_t, discount_factors):
    """Net present value of a credit series [CNY]: Σ_t credits(t)·price(t)·(1+r)^-t.

    ``credits_series_tco2e`` (..., T); ``price_cny_per_t`` and ``discount_factors`` (T,).
    """
    w = np.asarray(price_cny_per_t, dtype=float) * np.asarray(discount_factors, dtype=float)
    return np.asarray(credits_series_tco2e) @ w


def eligible(zone_designation, zone_type, zone_area_m2, veg_type, option_tags, *, land_designations,
             vegetation_types, excluded_zone_types, excluded_tags, min_parcel_m2):
    """Boolean eligibility of zone–option rows under one standard.

    Rows are arrays of equal length: ``zone_designation`` (str), ``zone_type`` (str),
    ``zone_area_m2``, ``veg_type`` (str, '' for none) and ``option_tags`` (a set of tags per row, or
    any container supporting ``in``). Rule lists use ``'*'`` for "any". Example: CCER-14-001-V01
    admits planned afforestation land only, excludes wetlands and mining land, and parcels
    < 400 m² [B].
    """
    zd = np.asarray(zone_designation, dtype=object)
    ok = np.ones(len(zd), dtype=bool)
    if "*" not in land_designations:
        ok &= np.isin(zd, list(land_designations))
    if "*" not in vegetation_types:
        ok &= np.isin(np.asarray(veg_type, dtype=object), list(vegetation_types))
    if excluded_zone_types:
        ok &= ~np.isin(np.asarray(zone_type, dtype=object), list(excluded_zone_types))
    ok &= np.asarray(zone_area_m2, dtype=float) >= float(min_parcel_m2)
    if excluded_tags:
        tags = list(option_tags)
        ok &= np.array([not any(t in s for t in excluded_tags) for s in tags], dtype=bool)
    return ok
