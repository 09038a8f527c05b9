"""Works that begin after the run's start: a re-plan's corrective and new works (docs/science.md §9).

A row delayed by D whole years (works in calendar year Y = start_year + D, horizon T) is scored as
a fresh option over the T − D years left, then placed in the run's calendar:

- its annual series are zero in years 1…D and equal to the fresh option's years 1…T − D in years
  D + 1…T: the stock in year D + t is the fresh stock of year t; the fresh option's last D years
  fall beyond the horizon and are not counted (the horizon of the run is kept);
- its no-works baseline, subtracted from credits, is the zone's baseline in the same calendar
  years D + 1…T (the counterfactual continues from the run's start);
- capex is paid in year D; costs and credit value are discounted to the run's start, each cash
  flow of year D + t by (1 + r)^-(D + t), at the calendar year's carbon price;
- per-year means (``soil_loss_t_per_yr``) and the first-year loss are those of the works' own years.

A re-plan also gives such a row the path it replaces (:func:`add_prefix`): in years 1…D the option
the zone had since the start (:func:`score_prefix`, scored over a D-year horizon), in year D + 1 the
release of that stand's standing biomass (the stock of year D, all of it, at once: clearing for
replanting, no salvage or harvested-wood pool — an assumption, as the catalog has no clearing
notion), then the works' own years. Removals, avoided emissions, credits, credit value and cost
add the two parts (credits of the years 1…D are those of the old path scored to D; the clearing is
not charged against credits — a standard's reversal rules are not modelled); capex, the soil-loss
means and the tolerance test stay the new works' own.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from ..models import credits
from .accounting import baseline_credited_co2e, baseline_terms, row_rules
from .eligibility import credited_pool_mask
from .params import combo_params
from .scoring import row_inputs, score_rows, zone_arrays

if TYPE_CHECKING:
    from .table import OptionTable


def _check_delay(delay_yr: int, horizon: int) -> None:
    if not 1 <= delay_yr < horizon:
        raise ValueError(f"a delay of {delay_yr} years is outside 1…{horizon - 1} (the run's horizon is {horizon})")


def _score_part(table: OptionTable, rows: np.ndarray, short, years: slice,
                growth_multiplier: np.ndarray | None) -> dict:
    """``score_rows`` of ``rows`` over a part of the run: ``short`` the settings of that part (its
    horizon and start year; upkeep is costed over it), ``years`` the run's years it covers (the
    zone's baseline is taken in the same calendar years), with series."""
    s = table.settings
    combos = replace(table.combos, params=combo_params(table.combos.measures, table.combos.index,
                                                        table.catalog, short))
    zones = zone_arrays(table.zones, table.catalog)
    base = table.baseline_terms
    if base is None or next(iter(base.values())).shape[1] != int(s.horizon_yr):
        base = baseline_terms(zones, table.combo[table.baseline_rows()], table.combos, s, table.catalog)
    base = {k: v[:, years] for k, v in base.items()}
    z = table.zone_of_row[rows]
    credited = credited_pool_mask(table.eligible, rows, table.catalog, s)
    designation = table.zones["land_designation"].astype(str).to_numpy()[z]
    subtract, leak = row_rules(table.eligible, rows, designation, table.catalog, s)
    x = row_inputs(zones, z, table.combo[rows], combos, credited,
                   baseline_credited_co2e(credited, base, z, subtract), leak)
    if growth_multiplier is not None:
        x = replace(x, option=replace(x.option, growth_mult=x.option.growth_mult * growth_multiplier))
    return score_rows(x, short, table.catalog, series=True)


def score_delayed(table: OptionTable, rows: np.ndarray, delay_yr: int, growth_multiplier: np.ndarray | None,
                  series: bool = False) -> dict:
    """Scores of ``rows`` whose works begin ``delay_yr`` years after the run's start (1 ≤ delay <
    horizon), in the run's calendar and discounting (module docstring); keys of
    :func:`~optimizer.options.scoring.score_rows`, series (n, T) with zeros before the works."""
    s = table.settings
    _check_delay(delay_yr, int(s.horizon_yr))
    short = s.with_(horizon_yr=int(s.horizon_yr) - delay_yr, start_year=int(s.start_year) + delay_yr)
    # upkeep over the years left; the baseline in the same calendar years
    out = _score_part(table, rows, short, slice(delay_yr, None), growth_multiplier)
    to_start = (1.0 + s.discount_rate) ** -float(delay_yr)      # year D's money in the run's year 0
    out["cost_cny"] = out["cost_cny"] * to_start
    cal = slice(delay_yr, None)                                  # the calendar years D + 1…T
    out["credit_value_cny"] = credits.credit_value_cny(out["series"]["credits_tco2e"],   # 0 where none issued
                                                       s.price_path_cny_per_t()[cal], s.discount_factors()[cal])
    if series:
        out["series"] = {k: _shift(v, delay_yr) for k, v in out["series"].items()}
    else:
        del out["series"]
    return out


def _shift(a: np.ndarray, delay_yr: int) -> np.ndarray:
    """(n, T − D) series of the works' own years → (n, T) in the run's years, zero before."""
    a = np.asarray(a)
    return np.concatenate([np.zeros((a.shape[0], delay_yr), dtype=a.dtype), a], axis=1)


def score_prefix(table: OptionTable, rows: np.ndarray, delay_yr: int, growth_multiplier: np.ndarray | None) -> dict:
    """The path of ``rows`` (the option a zone had since the start) over the run's years 1…D only
    (D = ``delay_yr``), scored as an option over a D-year horizon from the run's start: what it
    removed, emitted, was credited and cost (capex in year 0, upkeep in years 1…D, discounted to
    the start) before works begun in year D replace it. Keys of
    :func:`~optimizer.options.scoring.score_rows` with ``series`` (n, D), and ``standing_tco2e``:
    the biomass stock of year D [t CO2e per zone], which clearing the stand for the new works
    releases (docs/science.md §9)."""
    s = table.settings
    _check_delay(delay_yr, int(s.horizon_yr))
    # upkeep over years 1…D; the baseline in the same years 1…D
    out = _score_part(table, rows, s.with_(horizon_yr=delay_yr), slice(0, delay_yr), growth_multiplier)
    out["standing_tco2e"] = np.asarray(out["series"]["biomass_tco2e"], dtype=float).sum(axis=1)
    return out


#: the totals a prefix adds to the delayed row's (the rest are the new works' own: capex is the new
#: works' money, soil-loss means, the first-year loss and the tolerance test are those of their years)
PREFIX_TOTALS = ("removals_tco2e", "avoided_tco2e", "credits_tco2e", "credit_value_cny", "cost_cny")


def add_prefix(out: dict, pre: dict, delay_yr: int) -> None:
    """``out`` (scores of delayed rows, series (n, T) zero before year D + 1) becomes the path of
    the old option in years 1…D, the clearing of its standing biomass in year D + 1, and the new
    works from year D + 1 (docs/science.md §9). In place."""
    standing = pre["standing_tco2e"]
    for k in PREFIX_TOTALS:
        out[k] = np.asarray(out[k], dtype=float) + np.asarray(pre[k], dtype=float)
    out["removals_tco2e"] = out["removals_tco2e"] - standing      # the stand cleared: its biomass released
    if "series" in out:
        ser = out["series"]
        for k, v in pre["series"].items():
            if k in ser:
                ser[k] = np.array(ser[k], dtype=float, copy=True)
                ser[k][:, :delay_yr] = v
        for k in ("biomass_tco2e", "net_removals_tco2e"):
            ser[k][:, delay_yr] -= standing
