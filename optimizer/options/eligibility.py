"""Which crediting standards admit each zone–option row, and which carbon pools they credit.

Rules are the data of ``standards.csv`` (docs/science.md §5.2), applied by
:func:`optimizer.models.credits.eligible`; nothing here names a standard.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..catalog import Catalog
from ..models import credits
from ..settings import Settings
from .combos import Combos
from .scoring import M2_PER_HA


def standard_eligibility(combos: Combos, zones: pd.DataFrame, zone_of_row: np.ndarray, combo: np.ndarray,
                         catalog: Catalog, settings: Settings) -> dict[str, np.ndarray]:
    """Per assessed standard (``settings.standards``), a bool array over the rows."""
    n_rows = len(combo)
    veg_type = combos.params.veg_type
    out = {}
    for st in settings.standards:
        r = catalog.standards.loc[st]
        has_excluded = np.zeros(len(combos), dtype=bool)
        for tag in r["excluded_tags"]:
            has_excluded |= (combos.provides & combos.tag_bit(tag)) != 0
        ok = credits.eligible(zones["land_designation"].to_numpy(dtype=object)[zone_of_row],
                              zones["zone_type"].astype(str).to_numpy()[zone_of_row],
                              zones["area_ha"].to_numpy(dtype=float)[zone_of_row] * M2_PER_HA,
                              veg_type[combo], [()] * n_rows,
                              land_designations=r["land_designations"] or ("*",),
                              vegetation_types=r["vegetation_types"] or ("*",),
                              excluded_zone_types=r["excluded_zone_types"], excluded_tags=(),
                              min_parcel_m2=r["min_parcel_m2"] if np.isfinite(r["min_parcel_m2"]) else 0.0)
        ok &= ~has_excluded[combo]
        if tuple(r["credited_pools"]) == ("biochar",):   # a biochar-only standard needs biochar
            ok &= combos.params.biochar_c_t_per_ha[combo] > 0
        out[st] = ok
    return out


def credited_pool_mask(eligible: dict[str, np.ndarray], rows: np.ndarray, catalog: Catalog,
                       settings: Settings) -> np.ndarray:
    """(len(rows), 4) bool over :data:`optimizer.models.credits.POOLS`: which pools earn credits
    under any assessed standard (each pool credited once)."""
    out = np.zeros((len(rows), len(credits.POOLS)), dtype=bool)
    for s in settings.standards:
        pools = catalog.standards.at[s, "credited_pools"]
        for j, p in enumerate(credits.POOLS):
            if p in pools:
                out[:, j] |= eligible[s][rows]
    return out
