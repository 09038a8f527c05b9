"""Latin-hypercube samples of the ranges, and option-table rows re-scored under each sample.

A sample is one value per row of :func:`~optimizer.uncertainty.ranges.parameter_ranges` (the
growth dimension: the index of a joint draw). :class:`Rescorer` turns a sample into a perturbed
catalog, settings and combination parameters, and scores any set of option-table rows with the
same model chain as the option table (:func:`optimizer.options.score_rows`): one array pass over
all the rows per sample, no Python loop over zones. The numbers the Monte Carlo keeps
(:data:`KERNEL_COLUMNS`) take a shorter road (:meth:`Rescorer.totals`): the series that depend on
the measure combination alone are computed once per combination used, and the compiled kernel
:func:`optimizer.uncertainty.kernel.score_units` runs the rest of the chain row by row and year by
year. Memory: the rows × years arrays of one sample at a time (the caller keeps only what it
reduces them to); the kernel keeps none but the annual net removals, when asked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy.stats import qmc

from ..catalog import Catalog
from ..models import carbon, credits
from ..options import Combos, OptionTable, credited_pool_mask, row_inputs, score_rows, zone_arrays
from ..options.accounting import baseline_credited_co2e, row_rules
from ..options.params import combo_params
from ..options.scoring import (
    TOLERANCE_SLACK_T_PER_HA_YR,
    _backfill_m3_per_ha,
    _col,
    cost_of_rows,
    cover_factor_series,
    initial_soc_t_per_ha,
    ls_of_rows,
    removal_terms_of_rows,
    removals_of_rows,
    wetland_co2e_per_ha_yr,
    works_emissions_co2e_per_ha,
)
from ..settings import Settings
from . import kernel
from .ranges import growth_draws, parameter_ranges

#: What :meth:`Rescorer.totals` gives (a subset of :data:`optimizer.options.COLUMNS`, and the annual
#: net removals as ``series["net_removals_tco2e"]``).
KERNEL_COLUMNS = ("area_ha", "removals_tco2e", "credits_tco2e", "credit_value_cny", "cost_cny", "capex_cny",
                  "soil_loss_t_per_yr", "within_tolerance")

GROWTH_COLUMNS = ("c_max_t_c_per_ha", "k_per_yr", "m", "soc_rate_t_c_per_ha_yr", "soc_tau_yr",
                  "soc_onset_k_per_yr", "soc_onset_m")


@dataclass(frozen=True)
class Samples:
    """``values`` (S, D): one column per row of ``ranges``; ``u`` (S, D) the unit-cube points."""

    ranges: pd.DataFrame
    u: np.ndarray
    values: np.ndarray
    seed: int | None
    n_draws: int

    @property
    def n(self) -> int:
        return len(self.values)

    def mean_values(self) -> np.ndarray:
        """The central values (the growth dimension: -1, the fitted curves)."""
        v = self.ranges["central"].to_numpy(dtype=float).copy()
        v[self.ranges["distribution"].to_numpy() == "joint_draws"] = -1
        return v


def to_values(ranges: pd.DataFrame, u: np.ndarray, n_draws: int) -> np.ndarray:
    """Map unit-cube points ``u`` (S, D) to values: uniform on [low, high], triangular on
    [low, high] with its mode at the central value, joint draws to a draw index 0 … n_draws − 1."""
    lo, hi = ranges["low"].to_numpy(dtype=float), ranges["high"].to_numpy(dtype=float)
    mode = np.clip(ranges["central"].to_numpy(dtype=float), lo, hi)
    dist = ranges["distribution"].to_numpy()
    out = lo + u * (hi - lo)
    tri = dist == "triangular"
    if tri.any():
        c = np.where(hi > lo, (mode - lo) / np.where(hi > lo, hi - lo, 1.0), 0.5)[tri]
        uu = u[:, tri]
        left = lo[tri] + np.sqrt(uu * c) * (hi - lo)[tri]
        right = hi[tri] - np.sqrt((1 - uu) * (1 - c)) * (hi - lo)[tri]
        out[:, tri] = np.where(uu < c, left, right)
    draws = dist == "joint_draws"
    out[:, draws] = np.minimum(np.floor(u[:, draws] * n_draws), n_draws - 1)
    return out


def latin_hypercube(ranges: pd.DataFrame, n: int, seed: int | None, n_draws: int) -> Samples:
    """``n`` Latin-hypercube samples of ``ranges`` (scipy.stats.qmc); the same seed gives the same samples."""
    u = qmc.LatinHypercube(d=len(ranges), seed=np.random.default_rng(seed)).random(n)
    return Samples(ranges=ranges, u=u, values=to_values(ranges, u, n_draws), seed=seed, n_draws=n_draws)


class Rescorer:
    """Re-scores option-table rows under sampled values (see the module docstring)."""

    def __init__(self, table: OptionTable, ranges: pd.DataFrame | None = None, draws: pd.DataFrame | None = None):
        self.table = table
        self.ranges = parameter_ranges(table.catalog, table.settings) if ranges is None else ranges
        self.zones = zone_arrays(table.zones, table.catalog)
        self.base_combo = table.combo[table.baseline_rows()]
        self._growth = self._growth_frames(growth_draws() if draws is None else draws)
        r = self.ranges
        self._kind = r["table"].to_numpy()
        ms = table.combos.measures
        pos = {m: i for i, m in enumerate(ms["measure_id"])}
        sel = self._kind == "measures"
        self._measure = [(j, pos[row], col) for j, row, col in
                         zip(np.flatnonzero(sel), r["row"][sel], r["column"][sel], strict=True)]

    @property
    def n_draws(self) -> int:
        return len(self._growth)

    def _growth_frames(self, draws: pd.DataFrame) -> list[pd.DataFrame]:
        central = self.table.catalog.growth
        out = []
        for _, d in draws.groupby("draw", sort=True):
            d = d.set_index(["veg_type", "climate"])[list(GROWTH_COLUMNS)].reindex(central.index)
            g = central.copy()
            for c in GROWTH_COLUMNS:
                g[c] = d[c].fillna(central[c]).to_numpy(dtype=float)
            out.append(g)
        return out

    def inputs(self, values: np.ndarray, combos_used: np.ndarray | None = None) -> tuple[Catalog, Settings, Combos]:
        """(catalog, settings, combos) with one sample's ``values`` (the central ones where a
        dimension is absent: pass :meth:`Samples.mean_values`). With ``combos_used`` (sorted
        combination indices), the combinations' parameters are computed for those alone, in that
        order (index them by position in ``combos_used``)."""
        t, cat, s = self.table, self.table.catalog, self.table.settings
        r = self.ranges
        ms = t.combos.measures.copy()
        by_col: dict[str, list] = {}
        for j, i, col in self._measure:
            by_col.setdefault(col, []).append((i, values[j]))
        for col, items in by_col.items():
            a = ms[col].to_numpy(dtype=float).copy()
            idx, v = zip(*items, strict=True)
            a[list(idx)] = v
            ms[col] = a
        params = cat.parameters
        sel = np.flatnonzero(self._kind == "parameters")
        if len(sel):
            params = params.copy()
            params.loc[r["row"].to_numpy()[sel], "value"] = values[sel]
        monitoring = cat.monitoring
        sel = np.flatnonzero(self._kind == "monitoring")
        if len(sel):
            monitoring = monitoring.copy()
            for j in sel:
                monitoring.loc[r["row"].iat[j], r["column"].iat[j]] = values[j]
        growth = cat.growth
        sel = np.flatnonzero(self._kind == "growth_draws")
        if len(sel) and values[sel[0]] >= 0:
            growth = self._growth[int(values[sel[0]])]
        cat_s = replace(cat, parameters=params, monitoring=monitoring, growth=growth)
        sel = np.flatnonzero(self._kind == "settings")
        s_s = s.with_(**{r["column"].iat[j]: float(values[j]) for j in sel}) if len(sel) else s
        index = t.combos.index if combos_used is None else t.combos.index[combos_used]
        combos = replace(t.combos, measures=ms, params=combo_params(ms, index, cat_s, s_s))
        return cat_s, s_s, combos

    def prepare(self, rows: np.ndarray) -> dict:
        """What does not change between samples for ``rows``: credited pools and net-crediting rules."""
        t = self.table
        rows = np.asarray(rows, dtype=np.int64)
        credited = credited_pool_mask(t.eligible, rows, t.catalog, t.settings)
        z = t.zone_of_row[rows]
        designation = t.zones["land_designation"].astype(str).to_numpy()[z]
        subtract, leak = row_rules(t.eligible, rows, designation, t.catalog, t.settings)
        # the no-works baselines of the zones whose rows subtract one, and every combination used
        base_zones = np.unique(z[subtract])
        used = np.unique(np.r_[t.combo[rows], self.base_combo[base_zones]])
        return {"rows": rows, "z": z, "credited": credited, "subtract": subtract, "leak": leak,
                "combos_used": used, "combo_pos": np.searchsorted(used, t.combo[rows]), "base_zones": base_zones,
                "base_pos": np.searchsorted(used, self.base_combo[base_zones]),
                "base_of_row": np.minimum(np.searchsorted(base_zones, z), max(len(base_zones) - 1, 0))}

    def score(self, prepared: dict, values: np.ndarray, series: bool = False) -> dict:
        """Scores of the prepared rows under one sample: :func:`optimizer.options.score_rows`'s dict.
        Only the combinations the rows use and the baselines they subtract are computed."""
        p = prepared
        cat, s, combos = self.inputs(values, p["combos_used"])
        zb = p["base_zones"]
        if len(zb):
            xb = row_inputs(self.zones, zb, p["base_pos"], combos, np.zeros((len(zb), len(credits.POOLS)), dtype=bool))
            terms = removal_terms_of_rows(xb, s, cat)
            base = baseline_credited_co2e(p["credited"], {k: terms[k] for k in credits.TERMS}, p["base_of_row"],
                                          p["subtract"])
        else:
            base = np.zeros((len(p["rows"]), len(s.years)))
        x = row_inputs(self.zones, p["z"], p["combo_pos"], combos, p["credited"], base, p["leak"])
        return score_rows(x, s, cat, series=series)

    def removals(self, prepared: dict, values: np.ndarray) -> np.ndarray:
        """Net removals [t CO2e] of the prepared rows under one sample, the ``removals_tco2e`` of
        :meth:`score` without the credits, costs and baselines it does not depend on (about half
        the work; :func:`optimizer.options.scoring.removals_of_rows`)."""
        p = prepared
        cat, s, combos = self.inputs(values, p["combos_used"])     # only the combinations the rows use
        x = row_inputs(self.zones, p["z"], p["combo_pos"], combos, p["credited"])
        return removals_of_rows(x, s, cat)

    def totals(self, prepared: dict, values: np.ndarray, series: bool = False) -> dict:
        """The :data:`KERNEL_COLUMNS` of the prepared rows under one sample (and with ``series``,
        ``"series": {"net_removals_tco2e": (n, T)}``), equal to :meth:`score`'s to ~1e-12 relative.

        The model functions compute what depends on the combination alone once per combination
        used (biomass curve, SOC accrual with degradation, cover factor: docs/science.md §2.1,
        §2.3, §2.10, §3.5) and the per-row scalars with the option table's helpers (LS, cover-soil
        growth multiplier, SOC at the start, wetland flux, works' emissions, cost); the compiled
        kernel :func:`~optimizer.uncertainty.kernel.score_units` runs the year-by-year rest."""
        p = prepared
        cat, s, combos = self.inputs(values, p["combos_used"])
        n, zb = len(p["rows"]), p["base_zones"]
        # units: the rows, then the baselines they subtract (each with its zone and combination)
        x = row_inputs(self.zones, np.r_[p["z"], zb], np.r_[p["combo_pos"], p["base_pos"]], combos,
                       np.zeros((n + len(zb), len(credits.POOLS)), dtype=bool))
        z, o = x.zone, x.option
        pool = z.zone_type == "subsidence_pool"
        water = pool & ~o.backfill
        backfill = _backfill_m3_per_ha(x)
        growth = o.growth_mult * carbon.cover_depth_multiplier(
            z.soil_depth_cm + o.topsoil_cm, cat.param("cover_depth_full_cm"), cat.param("cover_depth_min_multiplier"))
        rk = s.rainfall_erosivity_mj_mm_per_ha_h_yr * s.soil_erodibility_t_ha_h_per_ha_mj_mm
        units = np.ascontiguousarray(np.stack([
            z.area_ha, growth, initial_soc_t_per_ha(z.soil_depth_cm, o.topsoil_cm, s), rk * ls_of_rows(x, s, cat, pool),
            o.p_factor, water, o.biochar_c_t_per_ha, wetland_co2e_per_ha_yr(x, s, cat, water),
            works_emissions_co2e_per_ha(x, cat, backfill), o.degrades], axis=1), dtype=np.float64)
        t = s.years.astype(float)
        years = np.ascontiguousarray(np.stack([carbon.degradation_factor(t),
                                               s.price_path_cny_per_t() * s.discount_factors()]), dtype=np.float64)
        per_t = 10.0 / (s.soil_bulk_density_t_per_m3 * s.soc_depth_cm) / 1000.0
        factor = credits.credit_factor(s.buffer_fraction,
                                       float(cat.monitoring.at[s.monitoring_level, "uncertainty_deduction"]))
        tol = s.tolerable_soil_loss_t_per_ha_yr
        scalars = np.array([per_t, factor, tol + TOLERANCE_SLACK_T_PER_HA_YR,
                            s.tolerance_early_factor * tol + TOLERANCE_SLACK_T_PER_HA_YR,
                            float(int(s.tolerance_early_years)), float(s.tolerance_rule == "mean")])
        base = np.where(p["subtract"], n + p["base_of_row"], -1).astype(np.int64) if len(zb) \
            else np.full(n, -1, dtype=np.int64)
        out = np.empty((n, len(kernel.T_COLS)))
        net = np.empty((n if series else 0, len(t)))
        kernel.score_units(np.arange(n, dtype=np.int64), np.r_[p["combo_pos"], p["base_pos"]].astype(np.int64),
                           base, units, np.ascontiguousarray(p["credited"], dtype=np.float64),
                           np.ascontiguousarray(p["leak"], dtype=np.float64), self._combination_series(combos, s, t),
                           years, scalars, out, net)
        capex, npv = cost_of_rows(x, s, cat)            # per unit; the rows come first
        area = z.area_ha[:n]
        res = {"area_ha": area, "removals_tco2e": out[:, 0], "credits_tco2e": out[:, 1],
               "credit_value_cny": out[:, 2], "cost_cny": npv[:n], "capex_cny": capex[:n],
               "soil_loss_t_per_yr": out[:, 3] * area, "within_tolerance": out[:, 4] > 0.5}
        if series:
            res["series"] = {"net_removals_tco2e": net}
        return res

    @staticmethod
    def _combination_series(combos: Combos, s: Settings, t: np.ndarray) -> np.ndarray:
        """(combinations, 3, T) by :data:`optimizer.uncertainty.kernel.S_ROWS`: the biomass curve
        before the cover-soil multiplier, the new SOC and the cover factor, each combination's
        degradation included, computed by the model functions as ``score_rows`` does per row."""
        o = combos.params
        onset = carbon.YANG2015_ONSET_YR
        soc_rate = _col(o.soc_rate * o.soc_mult) * carbon.soc_depth_scale(s.soc_depth_cm)

        def stocks(tt):
            return (carbon.chapman_richards(tt, _col(o.c_max), _col(o.k), _col(o.m)),
                    carbon.soc_accrual(tt, soc_rate, _col(o.soc_tau), _col(o.soc_onset_k), _col(o.soc_onset_m)))

        bio, soc = stocks(t)
        if np.any(o.degrades):
            dg = o.degrades[:, None]
            b_frozen, o_frozen = stocks(np.minimum(t, onset))
            bio = np.where(dg, b_frozen, bio)             # the kernel applies the biomass decline per row
            soc = np.where(dg, o_frozen * carbon.degradation_factor(t, loss_fraction=carbon.YANG2015_SOC_LOSS_FRACTION),
                           soc)
        return np.ascontiguousarray(np.stack([bio, soc, cover_factor_series(o, t)], axis=1), dtype=np.float64)

    def run(self, rows: np.ndarray, samples: Samples, consume: Callable[[int, dict], None],
            series: bool = False, columns=None) -> None:
        """Score ``rows`` under every sample, handing ``consume(k, scores)`` each sample's scores.
        ``columns``: the names ``consume`` reads; when all are :data:`KERNEL_COLUMNS`, the scores
        come from :meth:`totals` (the compiled kernel; ``series`` then holds the annual net
        removals only), else from :meth:`score` (every column)."""
        prepared = self.prepare(rows)
        fast = columns is not None and set(columns) <= set(KERNEL_COLUMNS)
        for k in range(samples.n):
            v = samples.values[k]
            consume(k, self.totals(prepared, v, series=series) if fast else self.score(prepared, v, series=series))
