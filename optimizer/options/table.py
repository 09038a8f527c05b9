"""The option table: every feasible zone–option pair of a site, scored, held as arrays.

Built by :func:`optimizer.options.evaluate_options`; read by the problem, the solvers (through
``data``), the plan writers and the report. No Python object is made per zone–option pair.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from .. import indices
from ..catalog import Catalog
from ..settings import Settings
from .accounting import baseline_credited_co2e, baseline_rows, baseline_terms, row_rules
from .combos import Combos
from .eligibility import credited_pool_mask
from .land import refusal_reason
from .scoring import COLUMNS, row_inputs, score_rows, zone_arrays


@dataclass(frozen=True, eq=False)
class OptionTable:
    """Scored options of every zone, flat and zone after zone (rows ``zone_ptr[z]:zone_ptr[z+1]``).

    ``data`` holds one array per metric (see ``COLUMNS``); ``combo`` indexes ``combos``. Annual
    series are recomputed for any rows on demand (:meth:`annual`), so the table stays small.
    """

    zones: pd.DataFrame
    zone_ptr: np.ndarray
    combo: np.ndarray
    combos: Combos
    data: dict[str, np.ndarray]   # COLUMNS → array (n_rows,)
    settings: Settings
    catalog: Catalog
    eligible: dict[str, np.ndarray]   # standard → bool array (n_rows,)
    site_placeholders: tuple[str, ...] = ()
    site_sha256: str = ""
    site_path: str = ""
    #: each zone's no-works net-removal terms (t CO2e/yr, (n_zones, T) each), scored once by
    #: ``evaluate_options``; credits are net of them (docs/science.md §5.5). None: scored on demand.
    baseline_terms: dict[str, np.ndarray] | None = None
    #: per-row overrides a re-plan sets (docs/science.md §9), None: none. ``growth_multiplier``
    #: scales the row's biomass asymptote (its combination's ``growth_mult`` × this);
    #: ``start_delay_yr`` is the whole number of years after the run's start at which the row's
    #: works begin (0: at the start). A delayed row's series are its own, cut at the horizon and
    #: shifted (:func:`optimizer.options.delay.score_delayed`).
    growth_multiplier: np.ndarray | None = None
    start_delay_yr: np.ndarray | None = None
    #: per delayed row, the row whose path fills the run's years 1…D before the row's works (the
    #: option the zone had since the start, its stand cleared in year D + 1), −1 or None: none
    #: (:func:`optimizer.options.delay.add_prefix`).
    prefix_row: np.ndarray | None = None

    @property
    def n_rows(self) -> int:
        return len(self.combo)

    @property
    def n_zones(self) -> int:
        return len(self.zone_ptr) - 1

    @property
    def zone_of_row(self) -> np.ndarray:
        """Zone index of every row (int32 below 2³¹ rows, :mod:`optimizer.indices`)."""
        return indices.zone_of_row(self.zone_ptr)

    @property
    def option_id(self) -> np.ndarray:
        return self.combos.option_id[self.combo]

    def rows_of(self, choice: np.ndarray) -> np.ndarray:
        """Flat rows of a plan given as local option indices per zone."""
        return self.zone_ptr[:-1] + np.asarray(choice, dtype=np.int64)

    def eligible_standards(self) -> np.ndarray:
        names = list(self.eligible)
        if not names:
            return np.full(self.n_rows, "", dtype=object)
        codes = np.zeros(self.n_rows, dtype=np.int64)
        for i, s in enumerate(names):
            codes |= self.eligible[s].astype(np.int64) << i
        lut = np.array([";".join(s for i, s in enumerate(names) if c >> i & 1) for c in range(1 << len(names))],
                       dtype=object)
        return lut[codes]

    def placeholder_params(self) -> np.ndarray:
        site = "; ".join(self.site_placeholders)
        per = self.combos.placeholders[self.combo]
        if not site:
            return per
        return np.where(per == "", site, per + "; " + site)

    def baseline_rows(self) -> np.ndarray:
        """Per zone, the row of "natural regeneration, no works" (or "no works" where nothing
        grows, e.g. open water): the reference for before/after comparisons."""
        return baseline_rows(self.option_id, self.zone_ptr)

    def refusal_reason(self, zone: int, option_id: str) -> str | None:
        """Why zone ``zone`` (index) may not take ``option_id`` when a land rule refuses it
        (reason and legal source; :mod:`optimizer.options.land`), else None."""
        designation = str(self.zones["land_designation"].iloc[zone]) if "land_designation" in self.zones else ""
        return refusal_reason(self.combos, self.catalog, designation, option_id)

    def to_frame(self, rows: np.ndarray | None = None) -> pd.DataFrame:
        """The option table as a DataFrame (every row, or the given flat rows)."""
        rows = np.arange(self.n_rows) if rows is None else np.asarray(rows)
        z = self.zone_of_row[rows]
        df = pd.DataFrame({
            "zone_id": self.zones["zone_id"].to_numpy()[z],
            "option_id": self.combos.option_id[self.combo[rows]],
            "zone_type": self.zones["zone_type"].astype(str).to_numpy()[z],
            "measures": self.combos.label[self.combo[rows]],
            "vegetation_type": self.combos.params.veg_type[self.combo[rows]],
        })
        for c in COLUMNS:
            df[c] = self.data[c][rows]
        df["eligible_standards"] = self.eligible_standards()[rows]
        df["placeholder_params"] = self.placeholder_params()[rows]
        return df

    def annual(self, rows: np.ndarray) -> dict[str, np.ndarray]:
        """Annual series (len(rows), horizon) for the given flat rows, per zone (not per ha).

        Keys: ``net_removals_tco2e`` and its parts ``biomass_tco2e``, ``soc_tco2e``,
        ``biochar_tco2e``, ``wetland_tco2e``, ``erosion_tco2e`` (carbon carried off, negative),
        ``project_emissions_tco2e`` (negative), ``credits_tco2e``, ``soil_loss_t``,
        ``avoided_tco2e``.
        """
        return self.score(rows, series=True)["series"]

    def score(self, rows: np.ndarray, series: bool = False) -> dict:
        """The model's scores of flat ``rows`` (:func:`~optimizer.options.scoring.score_rows`'
        columns, and its ``"series"`` with ``series``), with the table's per-row overrides."""
        from .delay import add_prefix, score_delayed, score_prefix

        rows = np.asarray(rows, dtype=np.int64)
        mult = None if self.growth_multiplier is None else np.asarray(self.growth_multiplier, float)[rows]
        delay = (np.zeros(len(rows), dtype=np.int64) if self.start_delay_yr is None
                 else np.asarray(self.start_delay_yr, dtype=np.int64)[rows])
        if not delay.any():
            return self._score_from_start(rows, mult, series)
        out: dict = {}
        for d in np.unique(delay):
            sel = np.flatnonzero(delay == d)
            part = (self._score_from_start(rows[sel], None if mult is None else mult[sel], series) if d == 0
                    else score_delayed(self, rows[sel], int(d), None if mult is None else mult[sel], series))
            if d > 0 and self.prefix_row is not None:
                pre = np.asarray(self.prefix_row, dtype=np.int64)[rows[sel]]
                has = np.flatnonzero(pre >= 0)
                if len(has):
                    pm = None if self.growth_multiplier is None else np.asarray(self.growth_multiplier, float)[pre[has]]
                    sub = {k: (v if isinstance(v, dict) else np.asarray(v)[has]) for k, v in part.items()}
                    if "series" in part:
                        sub["series"] = {k: np.asarray(v)[has] for k, v in part["series"].items()}
                    add_prefix(sub, score_prefix(self, pre[has], int(d), pm), int(d))
                    _scatter(part, sub, has, len(sel))
            _scatter(out, part, sel, len(rows))
        return out

    def _score_from_start(self, rows: np.ndarray, mult: np.ndarray | None, series: bool) -> dict:
        credited = credited_pool_mask(self.eligible, rows, self.catalog, self.settings)
        zones = zone_arrays(self.zones, self.catalog)
        base = self.baseline_terms
        if base is None or next(iter(base.values())).shape[1] != len(self.settings.years):
            base = baseline_terms(zones, self.combo[self.baseline_rows()], self.combos, self.settings, self.catalog)
        z = self.zone_of_row[rows]
        designation = self.zones["land_designation"].astype(str).to_numpy()[z]
        subtract, leak = row_rules(self.eligible, rows, designation, self.catalog, self.settings)
        x = row_inputs(zones, z, self.combo[rows], self.combos, credited,
                       baseline_credited_co2e(credited, base, z, subtract), leak)
        if mult is not None:
            x = replace(x, option=replace(x.option, growth_mult=x.option.growth_mult * mult))
        return score_rows(x, self.settings, self.catalog, series=series)


def _scatter(out: dict, part: dict, sel: np.ndarray, n: int) -> None:
    """Put ``part`` (scores of rows ``sel``) into ``out`` (scores of ``n`` rows), nested dicts too."""
    for k, v in part.items():
        if isinstance(v, dict):
            _scatter(out.setdefault(k, {}), v, sel, n)
            continue
        v = np.asarray(v)
        if k not in out:
            out[k] = np.zeros((n, *v.shape[1:]), dtype=v.dtype)
        out[k][sel] = v
