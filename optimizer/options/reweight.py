"""Money without the carbon model: an option table re-weighted for another carbon price or
discount rate (docs/runner.md).

Credits per year do not depend on money, so a table's annual credit series
(:meth:`OptionTable.annual`), computed once, is re-valued under any price path and discount rate
(``credit_value = Σ_t credits(t)·price(t)·d(t)``, :func:`optimizer.models.credits.credit_value_cny`);
the net present cost is re-discounted by the cost model alone (:func:`.scoring.cost_of_rows`).
Removals, credits, soil loss and capex are unchanged.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..models import credits
from ..settings import Settings
from .params import combo_params
from .scoring import cost_of_rows, row_inputs, zone_arrays
from .table import OptionTable

#: settings a sweep may change by re-weighting money (Settings field names)
MONEY_FIELDS = ("start_cny_per_t", "discount_rate")
CHUNK_ROWS = 32_768


def credit_series(table: OptionTable) -> np.ndarray:
    """Credits per row and year [t CO2e/yr], (n_rows, T) float64: the money-free part of credit value."""
    out = np.empty((table.n_rows, len(table.settings.years)))
    for start in range(0, table.n_rows, CHUNK_ROWS):
        rows = np.arange(start, min(table.n_rows, start + CHUNK_ROWS))
        out[rows] = table.annual(rows)["credits_tco2e"]
    return out


def money_settings(settings: Settings, **changes: float) -> Settings:
    """``settings`` with money fields changed (``start_cny_per_t``, ``discount_rate``)."""
    unknown = sorted(set(changes) - set(MONEY_FIELDS))
    if unknown:
        raise ValueError(f"not a money setting: {', '.join(unknown)}")
    values: dict = {k: float(v) for k, v in changes.items()}
    return replace(settings, **values)


def reweighted(table: OptionTable, series_tco2e: np.ndarray, settings: Settings) -> OptionTable:
    """``table`` under ``settings`` (which differ from the table's in money fields only): credit
    value re-valued from ``series_tco2e`` (:func:`credit_series`), the NPV cost re-discounted."""
    data = dict(table.data)
    price, d = settings.price_path_cny_per_t(), settings.discount_factors()
    value = credits.credit_value_cny(series_tco2e, price, d)
    data["credit_value_cny"] = np.where(table.data["credits_tco2e"] > 0, value, 0.0)
    if settings.discount_rate != table.settings.discount_rate:
        # upkeep re-discounted per combination: only the combinations' parameters, folded over the
        # table's own combinations (enumerating them again, names and rules, took ~20x longer)
        params = combo_params(table.combos.measures, table.combos.index, table.catalog, settings)
        x = row_inputs(zone_arrays(table.zones, table.catalog), table.zone_of_row, table.combo,
                       replace(table.combos, params=params), np.zeros((table.n_rows, 4), dtype=bool))
        _, data["cost_cny"] = cost_of_rows(x, settings, table.catalog)
    return replace(table, data=data, settings=settings)
