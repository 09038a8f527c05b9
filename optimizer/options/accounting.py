"""Inputs of net crediting: each zone's no-works baseline and each row's leakage (docs/science.md §5.5).

Credits are issued on ``project − baseline − leakage`` of the credited pools
(:func:`optimizer.models.credits.net_of_baseline_co2e`). The baseline of a zone is its no-works
row (natural regeneration, or no works where nothing grows: :func:`baseline_rows`), scored once per
zone (:func:`baseline_terms`) and gathered for every row of the zone under the row's own
credited pools (:func:`baseline_credited_co2e`). Which standards subtract it (``baseline_rule``)
and how much leaks (``leakage.csv``, by land designation) are catalog data; a row eligible under
several standards takes the strictest: the baseline is subtracted if any of them subtracts it, and
the largest leakage share applies.
"""

from __future__ import annotations

import numpy as np

from .. import indices
from ..catalog import Catalog
from ..models import credits
from ..settings import Settings
from .combos import Combos
from .scoring import ZoneArrays, row_inputs, score_rows

#: Option ids of the no-works baseline (docs/science.md §5.5).
BASELINE_OPTION_IDS = ("natural_regeneration", "no_works")


def baseline_rows(option_id: np.ndarray, zone_ptr: np.ndarray) -> np.ndarray:
    """Per zone, the flat row of "natural regeneration, no works" (or "no works" where nothing
    grows, e.g. open water; else the zone's first row): the reference for before/after
    comparisons and crediting. Where both exist, the first listed."""
    n_zones = len(zone_ptr) - 1
    z = indices.zone_of_row(zone_ptr)
    rows = np.full(n_zones, -1, dtype=np.int64)
    cand = np.flatnonzero(np.isin(option_id, BASELINE_OPTION_IDS))
    rows[z[cand[::-1]]] = cand[::-1]                # written last: each zone's first candidate
    missing = rows < 0
    rows[missing] = zone_ptr[:-1][missing]
    return rows


def baseline_terms(zones: ZoneArrays, combo_of_baseline: np.ndarray, combos: Combos, settings: Settings,
                   catalog: Catalog) -> dict[str, np.ndarray]:
    """The net-removal terms (``biomass_tco2e`` … ``project_emissions_tco2e``, each (n_zones, T),
    per zone) of each zone's baseline combination, scored once."""
    z = np.arange(len(combo_of_baseline))
    x = row_inputs(zones, z, combo_of_baseline, combos, np.zeros((len(z), len(credits.POOLS)), dtype=bool))
    series = score_rows(x, settings, catalog, series=True)["series"]
    return {k: np.asarray(series[k]) for k in credits.TERMS}


def row_rules(eligible: dict[str, np.ndarray], rows: np.ndarray, designation: np.ndarray, catalog: Catalog,
              settings: Settings) -> tuple[np.ndarray, np.ndarray]:
    """``(subtract_baseline, leakage_fraction)`` of rows (their zones' land ``designation``, one per
    row): the strictest rule of the standards each row is eligible under."""
    subtract = np.zeros(len(rows), dtype=bool)
    leak = np.zeros(len(rows))
    lk = catalog.leakage
    for s in settings.standards:
        ok = eligible[s][rows]
        if catalog.standards.at[s, "baseline_rule"] == "no_works":
            subtract |= ok
        mine = lk[lk["standard"] == s] if len(lk) else lk
        table = dict(zip(mine.get("land_designation", []), mine.get("leakage_fraction", [])))
        frac = np.array([table.get(d, table.get("*", 0.0)) for d in np.unique(designation)])
        by_row = frac[np.searchsorted(np.unique(designation), designation)] if len(designation) else leak
        leak = np.maximum(leak, np.where(ok, by_row, 0.0))
    return subtract, leak


def baseline_credited_co2e(credited: np.ndarray, terms: dict[str, np.ndarray], zone_of_row: np.ndarray,
                           subtract: np.ndarray) -> np.ndarray:
    """(n, T) eligible net removals of each row's zone baseline under the row's credited pools
    ((n, 4) over :data:`optimizer.models.credits.POOLS`); zero where no standard subtracts it."""
    base = credits.credited_net_co2e(credited, **{k: v[zone_of_row] for k, v in terms.items()})
    return np.where(np.asarray(subtract, dtype=bool)[:, None], base, 0.0)
