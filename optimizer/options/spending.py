"""What an option pays in each year of the run: the cash flows behind its net present cost.

The option table keeps money as sums (``capex_cny``, and ``cost_cny``, their present value); the
schedule they come from is rebuilt here from the cost model alone (no carbon or erosion model):
for each row, nominal CNY (the catalog's CNY of 2025, undiscounted) paid in the run's years
t = 0..H, year t being calendar year ``start_year + t`` (docs/science.md §4.2):

- year 0: capex (the works);
- year 1: maintenance (5 % of works, the Queensland rule);
- years 1..H: monitoring on zones with works, and each measure's upkeep over its own years
  (pro rata in a fractional last year).

A row whose works begin D years after the start (a re-plan's delayed works,
:mod:`optimizer.options.delay`) pays capex in year D and its running costs from year D + 1, cut at
the horizon; when it carries the path it replaces (``prefix_row``), that path's own capex (year 0)
and running costs of years 1..D are added, as in its ``cost_cny``. Discounted by (1 + r)^−t, a
row's schedule sums to its ``cost_cny`` (tests/test_portfolio_years.py checks it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .params import combo_upkeep_by_year
from .scoring import row_inputs, spending_of_rows, zone_arrays

if TYPE_CHECKING:
    from .table import OptionTable


def _from_start(table: OptionTable, rows: np.ndarray, horizon_yr: int) -> np.ndarray:
    """(n, horizon + 1) schedule of ``rows`` as options begun at the start over ``horizon_yr`` years."""
    s = table.settings.with_(horizon_yr=int(horizon_yr))
    combo = table.combo[rows]
    used, inverse = np.unique(combo, return_inverse=True)
    upkeep = combo_upkeep_by_year(table.combos.measures, table.combos.index[used], int(horizon_yr))[inverse]
    x = row_inputs(zone_arrays(table.zones, table.catalog), table.zone_of_row[rows], combo, table.combos,
                   np.zeros((len(rows), 4), dtype=bool))
    return spending_of_rows(x, s, table.catalog, upkeep)


def spending_by_year(table: OptionTable, rows: np.ndarray) -> np.ndarray:
    """Money paid by flat ``rows`` in each year t = 0..H of the run [CNY, nominal], (len(rows), H + 1)."""
    rows = np.asarray(rows, dtype=np.int64)
    horizon = int(table.settings.horizon_yr)
    delay = (np.zeros(len(rows), dtype=np.int64) if table.start_delay_yr is None
             else np.asarray(table.start_delay_yr, dtype=np.int64)[rows])
    out = np.zeros((len(rows), horizon + 1))
    for d in np.unique(delay):
        d = int(d)
        sel = np.flatnonzero(delay == d)
        out[sel, d:] = _from_start(table, rows[sel], horizon - d)
        if d > 0 and table.prefix_row is not None:
            pre = np.asarray(table.prefix_row, dtype=np.int64)[rows[sel]]
            has = np.flatnonzero(pre >= 0)
            if len(has):
                out[sel[has], :d + 1] += _from_start(table, pre[has], d)
    return out
