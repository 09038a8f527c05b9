"""Building a site's option table: combinations, feasibility, eligibility, scoring, in that order."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from .. import indices
from ..catalog import Catalog, load_catalog
from ..errors import ClimateRangeWarning, Issue, SettingsError, SlopeRangeWarning
from ..i18n import _
from ..models import climate, erosion
from ..settings import Settings
from .accounting import baseline_credited_co2e, baseline_rows, baseline_terms, row_rules
from .combos import enumerate_combos
from .eligibility import credited_pool_mask, standard_eligibility
from .feasibility import feasible_rows
from .scoring import COLUMNS, row_inputs, score_rows, zone_arrays
from .table import OptionTable

#: Rows scored at once: bounds the (rows × years) arrays of the model chain.
CHUNK_ROWS = 65_536


def evaluate_options(site, catalog: Catalog | str | Path | None = None, settings: Settings | None = None,
                     progress=None) -> OptionTable:
    """Enumerate and score every feasible option of every zone of ``site``.

    ``catalog``: a :class:`Catalog`, a planner's catalog file to apply over the bundled one, or None.
    ``settings``: override the site's settings. ``progress(done_rows, total_rows)`` is called after
    each chunk.
    """
    cat = catalog if isinstance(catalog, Catalog) else load_catalog(catalog)
    s = settings or site.settings
    check_standards(cat, s)
    zones = pd.DataFrame(site.zones.drop(columns="geometry", errors="ignore")).reset_index(drop=True)
    combos = enumerate_combos(cat, s)
    zone_ptr, combo = feasible_rows(combos, zones, cat, s)
    n_rows = len(combo)
    zone_of_row = indices.zone_of_row(zone_ptr)           # int32 below 2³¹ rows
    elig = standard_eligibility(combos, zones, zone_of_row, combo, cat, s)

    data = {c: np.empty(n_rows, dtype=bool if c == "within_tolerance" else float) for c in COLUMNS}
    per_zone = zone_arrays(zones, cat)
    warn_steep_slopes(zones["zone_id"].to_numpy(dtype=object), per_zone.slope_deg, s.slope_steepness_method)
    warn_climate_range(s)
    # the no-works baseline of every zone, scored once; credits are net of it (docs/science.md §5.5)
    base = baseline_terms(per_zone, combo[baseline_rows(combos.option_id[combo], zone_ptr)], combos, s, cat)
    designation = zones["land_designation"].astype(str).to_numpy()
    for start in range(0, n_rows, CHUNK_ROWS):
        rows = np.arange(start, min(n_rows, start + CHUNK_ROWS))
        credited = credited_pool_mask(elig, rows, cat, s)
        subtract, leak = row_rules(elig, rows, designation[zone_of_row[rows]], cat, s)
        x = row_inputs(per_zone, zone_of_row[rows], combo[rows], combos, credited,
                       baseline_credited_co2e(credited, base, zone_of_row[rows], subtract), leak)
        scored = score_rows(x, s, cat)
        for c in COLUMNS:
            data[c][rows] = scored[c]
        if progress is not None:
            progress(rows[-1] + 1, n_rows)
    site_ph = tuple(f"setting:{k}" for k in s.placeholders)
    return OptionTable(zones=zones, zone_ptr=zone_ptr, combo=combo, combos=combos, data=data, settings=s,
                       catalog=cat, eligible=elig, site_placeholders=site_ph, baseline_terms=base,
                       site_sha256=getattr(site, "sha256", ""), site_path=getattr(site, "path", ""))


def warn_steep_slopes(zone_ids, slope_deg, method: str) -> None:
    """One :class:`SlopeRangeWarning` naming the zones whose slope is beyond the range ``method``'s
    S relation was calibrated on (docs/science.md §3.4); their options without landform works
    extrapolate RUSLE."""
    steep = np.flatnonzero(erosion.beyond_calibrated_slope(slope_deg, method))
    if not len(steep):
        return
    limit = erosion.CALIBRATED_MAX_SLOPE_DEG[method]
    shown = ", ".join(f"{zone_ids[i]!s} ({slope_deg[i]:.0f}°)" for i in steep[:10])
    more = _(" and {n} more").format(n=len(steep) - 10) if len(steep) > 10 else ""
    warnings.warn(_("{n} zone(s) are steeper than the {limit}° the '{method}' slope-steepness relation was "
                    "calibrated on, so their soil loss is extrapolated: {zones}{more} (docs/science.md §3.4)").format(
                      n=len(steep), limit=f"{limit:.1f}", method=method, zones=shown, more=more),
                  SlopeRangeWarning, stacklevel=3)


def warn_climate_range(settings: Settings) -> None:
    """One :class:`ClimateRangeWarning` when the site's climate is outside the fitted range
    (docs/science.md §2.2): the growth response is extrapolated, not clipped."""
    out = climate.out_of_range(settings.annual_rainfall_mm, settings.mean_temperature_c)
    if out:
        warnings.warn(_("{what} of the growth fit, so growth is extrapolated (docs/science.md §2.2)").format(
                          what=_(" and ").join(out)), ClimateRangeWarning, stacklevel=3)


def check_standards(catalog: Catalog, settings: Settings) -> None:
    """Every standard the settings assess must be a row of the catalog's ``standards.csv``."""
    unknown = [x for x in settings.standards if x not in catalog.standards.index]
    if unknown:
        raise SettingsError([Issue(file=settings.file or "<settings>", field="accounting.standards",
                                     message=_("unknown standard {name}; the catalog has {known}").format(
                                         name=repr(u), known=", ".join(catalog.standards.index))) for u in unknown])
