"""Year-by-year trajectories of single zone–option pairs: ``sinkplan simulate`` (issue 10, item 8).

One row per zone, option and year, year 0 being the state before the works, with the zone's
no-works baseline (natural regeneration, or no works where nothing grows:
:meth:`OptionTable.baseline_rows <optimizer.options.OptionTable.baseline_rows>`) beside it in the
columns suffixed ``_baseline``. The numbers are the option table's own annual series
(:meth:`OptionTable.annual <optimizer.options.OptionTable.annual>`, the scoring chain of
docs/science.md §2–§3), turned into stocks where the model defines them:

- ``biomass_c_t_per_ha``: the Chapman–Richards stock of §2.1 (with the degradation of §2.10).
  The model's yearly biomass removal is the increment of that stock from C(0) = 0, so the
  cumulated increments divided by area and 44/12 *are* the model's stock.
- ``soc_c_t_per_ha``: the SOC pool of §2.3 on the accounting depth: SOC_0 (from the soil over
  the spoil and the settings' concentrations, or ``initial_soc_t_per_ha`` when measured) plus
  the SOC formed since the works, minus the carbon erosion has carried off (§2.8): the pool is
  tracked year by year and erosion never takes more than it holds. So 44/12 × the pool's change
  is the SOC term plus the erosion term of ``net_removals_tco2e``.
- ``soc_depth_cm``: the accounting depth, the setting ``soc_depth_cm`` (default 0–30 cm), the
  same in every row.
- ``ecosystem_c_t_per_ha``: biomass + SOC + biochar carbon applied (counted once, in year 1,
  §2.4). Litter, dead wood and forest floor are not modelled. A subsidence pool left as water
  carries a wetland flux in t CO2e net of methane (§2.5), which is not a carbon stock and is not
  in this column (it is in ``net_removals_tco2e``); its soil columns are the model's soil terms
  (SOC_0, no gain), not a sediment stock.
- ``net_removals_tco2e``: the zone's net removals in that year [t CO2e per zone, not per ha]
  (§2); summed over years 1…N they equal the option table's ``removals_tco2e`` when N is the
  table's horizon.
- ``soil_loss_t_per_ha``: RUSLE soil loss in that year [t/ha] (§3).
- ``cover_pct``: vegetation cover [%] the C factor sees in that year: the year's mean cover on
  the cover curve of §3.5 (with the decline of unmaintained grassland), 0 before the works.

Year 0 is a state, not a year of flows: its stocks are those before the works (no biomass — the
model starts every option, natural regeneration too, from bare ground —, SOC = SOC_0, cover 0)
and its flows (``net_removals_tco2e``, ``soil_loss_t_per_ha``) are empty (NaN): the model has
no year before the works.

A whole table is simulated chunk by chunk (:func:`iter_simulate`), so memory stays bounded
however many options there are.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import replace

import numpy as np
import pandas as pd

from ..catalog import Catalog
from ..errors import Issue, ProblemsError, SinkPlanError
from ..i18n import _
from ..models import carbon
from ..settings import SPEC_BY_KEY
from .build import evaluate_options
from .scoring import annual_cover_pct, initial_soc_t_per_ha
from .table import OptionTable

#: Option rows simulated at once: a chunk's frame is rows × (years + 1) lines of ~25 columns.
CHUNK_ROWS = 2048

#: Columns per zone, option and year, in output order (the baseline's follow with ``_baseline``).
VALUE_COLUMNS = ("biomass_c_t_per_ha", "soc_c_t_per_ha", "soc_depth_cm", "ecosystem_c_t_per_ha",
                 "net_removals_tco2e", "soil_loss_t_per_ha", "cover_pct")

#: Every column of :func:`simulate`'s frame, in order; the text ones in :data:`TEXT_COLUMNS`.
OUTPUT_COLUMNS = ("zone_id", "option_id", "vegetation_type", "year", "calendar_year", "area_ha", *VALUE_COLUMNS,
                  "option_id_baseline", "vegetation_type_baseline", *(f"{c}_baseline" for c in VALUE_COLUMNS))
TEXT_COLUMNS = ("zone_id", "option_id", "vegetation_type", "option_id_baseline", "vegetation_type_baseline")

OPTION_SOURCE = "--option"


def parse_option_specs(specs: Iterable[str]) -> list[tuple[str, str]]:
    """``["ZONE=OPTION", …]`` → ``[(zone_id, option_id), …]``; the option id is what follows the
    last ``=`` (option ids never hold one; zone ids may). Every malformed item is reported at once."""
    pairs, problems = [], []
    for spec in specs:
        zone, sep, option = str(spec).rpartition("=")
        if not sep or not zone.strip() or not option.strip():
            problems.append(Issue(file=OPTION_SOURCE, message=_("{spec} is not ZONE=OPTION (e.g. S-07=terrace+robinia)"
                                                                 ).format(spec=repr(spec))))
            continue
        pairs.append((zone.strip(), option.strip()))
    if problems:
        raise ProblemsError(problems, header=_header(problems))
    return pairs


def check_years(years: int | None) -> int | None:
    """The simulated horizon: None (the settings' ``horizon_yr``) or a whole number of years in the
    range ``horizon_yr`` accepts (1–200); anything else is a :class:`~optimizer.errors.SinkPlanError`."""
    if years is None:
        return None
    spec = SPEC_BY_KEY["horizon_yr"]
    low, high = float(spec.low or 1), float(spec.high or 200)
    if isinstance(years, bool) or not isinstance(years, (int, np.integer)) or not low <= years <= high:
        raise SinkPlanError(_("--years {years}: give a whole number of years from {low} to {high}").format(
            years=repr(years), low=f"{low:g}", high=f"{high:g}"))
    return int(years)


def option_rows(table: OptionTable, options: Mapping[str, str] | Iterable[tuple[str, str]] | None) -> np.ndarray:
    """Flat option-table rows of ``options`` (zone id → option id, or (zone, option) pairs, a zone
    may appear with several options), in the order given; every row of the table when None.

    An unknown zone or an option the zone cannot take is a :class:`~optimizer.errors.ProblemsError`
    listing every such item, with the nearest valid names."""
    if options is None:
        return np.arange(table.n_rows)
    pairs = list(options.items()) if isinstance(options, Mapping) else [tuple(p) for p in options]
    zone_ids = [str(z) for z in table.zones["zone_id"]]
    zone_index = {z: i for i, z in enumerate(zone_ids)}
    ids = table.option_id
    catalog_ids = set(table.combos.option_id)
    rows, problems = [], []
    for zone, option in pairs:
        z = zone_index.get(str(zone))
        if z is None:
            near = difflib.get_close_matches(str(zone), zone_ids, n=3)
            problems.append(Issue(file=OPTION_SOURCE, zone_id=str(zone), message=_("no such zone in the site")
                                  + (_("; did you mean {name}?").format(name=", ".join(map(repr, near))) if near
                                     else "")))
            continue
        lo, hi = int(table.zone_ptr[z]), int(table.zone_ptr[z + 1])
        hit = np.flatnonzero(ids[lo:hi] == option)
        if len(hit) == 0:
            feasible = [str(x) for x in ids[lo:hi]]
            near = difflib.get_close_matches(str(option), feasible, n=3, cutoff=0.5)
            what = (_("is not feasible for this zone") if option in catalog_ids
                    else _("is not an option of the catalog"))
            why = table.refusal_reason(z, str(option)) if option in catalog_ids else None
            what += f": {why}" if why else ""
            problems.append(Issue(file=OPTION_SOURCE, zone_id=str(zone), message=(
                _("option {option} {what} ({n} feasible options; `sinkplan options` lists them)").format(
                    option=repr(option), what=what, n=len(feasible))
                + (_("; nearest: {names}").format(names=", ".join(map(repr, near))) if near else ""))))
            continue
        rows.append(lo + int(hit[0]))
    if problems:
        raise ProblemsError(problems, header=_header(problems))
    return np.asarray(rows, dtype=np.int64)


def _header(problems: list[Issue]) -> str:
    n = len(problems)
    return (_("1 problem found in the {source} values:") if n == 1
            else _("{n} problems found in the {source} values:")).format(n=n, source=OPTION_SOURCE)


def _table_for(site_or_table, years: int | None, catalog: Catalog | str | None) -> OptionTable:
    """The option table to simulate: built from a site (over ``years`` if given), or the given table
    with its settings' horizon set to ``years`` (its totals are then not re-scored; only the annual
    series, recomputed by :meth:`OptionTable.annual`, are read here)."""
    if isinstance(site_or_table, OptionTable):
        table = site_or_table
        if years is not None and years != table.settings.horizon_yr:
            table = replace(table, settings=table.settings.with_(horizon_yr=years))
        return table
    settings = site_or_table.settings
    if years is not None:
        settings = settings.with_(horizon_yr=years)
    return evaluate_options(site_or_table, catalog, settings=settings)


def _trajectories(table: OptionTable, rows: np.ndarray) -> dict[str, np.ndarray]:
    """The columns of :data:`VALUE_COLUMNS` for ``rows``, each (len(rows), T + 1), year 0 first."""
    series = table.annual(rows)
    area = table.data["area_ha"][rows][:, None]
    per_ha_c = 1.0 / (np.where(area > 0, area, np.nan) * carbon.C_TO_CO2)     # t CO2e per zone → t C/ha
    n, horizon = series["net_removals_tco2e"].shape

    def stock(name: str, initial) -> np.ndarray:
        cum = np.cumsum(series[name], axis=1) * per_ha_c
        return np.concatenate([np.full((n, 1), initial), initial + cum], axis=1)

    def flow(values: np.ndarray) -> np.ndarray:
        return np.concatenate([np.full((n, 1), np.nan), values], axis=1)

    params = table.combos.params
    combo = table.combo[rows]
    soil = table.zones["soil_depth_cm"].to_numpy(dtype=float)[table.zone_of_row[rows]]
    soc_0 = initial_soc_t_per_ha(soil, params.topsoil_cm[combo], table.settings)[:, None]
    biomass = stock("biomass_tco2e", 0.0)
    # the SOC pool after erosion: its change is the SOC term plus the (negative) erosion term
    soc = np.concatenate([soc_0, soc_0 + np.cumsum(series["soc_tco2e"] + series["erosion_tco2e"], axis=1)
                          * per_ha_c], axis=1)
    biochar = stock("biochar_tco2e", 0.0)
    # works begun late (a re-plan's, optimizer.options.delay): no cover before them, their own curve after
    delay = (np.zeros(n, dtype=np.int64) if table.start_delay_yr is None
             else np.asarray(table.start_delay_yr, dtype=np.int64)[rows])[:, None]
    own_year = np.arange(1, horizon + 1) - delay                 # year of the works' own life, ≤ 0 before
    fresh = annual_cover_pct(params.take(combo), np.arange(1.0, horizon + 1))
    cover = np.where(own_year >= 1, np.take_along_axis(fresh, np.maximum(own_year, 1) - 1, axis=1), 0.0)
    if table.prefix_row is not None:            # before them, the cover of the option they replace
        pre = np.asarray(table.prefix_row, dtype=np.int64)[rows]
        has = (pre >= 0) & (delay[:, 0] > 0)
        if has.any():
            before = annual_cover_pct(params.take(table.combo[pre[has]]), np.arange(1.0, horizon + 1))
            cover[has] = np.where(own_year[has] >= 1, cover[has], before)
    cover = np.concatenate([np.zeros((n, 1)), cover], axis=1)
    return {
        "biomass_c_t_per_ha": biomass,
        "soc_c_t_per_ha": soc,
        "soc_depth_cm": np.full((n, horizon + 1), float(table.settings.soc_depth_cm)),
        "ecosystem_c_t_per_ha": biomass + soc + biochar,
        "net_removals_tco2e": flow(series["net_removals_tco2e"]),
        "soil_loss_t_per_ha": flow(series["soil_loss_t"] / area),
        "cover_pct": cover,
    }


def _frame(table: OptionTable, rows: np.ndarray, base_of_zone: np.ndarray) -> pd.DataFrame:
    """The long frame of ``rows`` (each row's years 0…T, then the next row), baseline beside."""
    zone = table.zone_of_row[rows]
    base_rows = base_of_zone[zone]
    uniq, inverse = np.unique(base_rows, return_inverse=True)
    own = _trajectories(table, rows)
    base = _trajectories(table, uniq)
    years = own["biomass_c_t_per_ha"].shape[1]
    rep = np.repeat(np.arange(len(rows)), years)
    params = table.combos.params
    df = pd.DataFrame({
        "zone_id": table.zones["zone_id"].to_numpy()[zone][rep],
        "option_id": table.combos.option_id[table.combo[rows]][rep],
        "vegetation_type": params.veg_type[table.combo[rows]][rep],
        "year": np.tile(np.arange(years), len(rows)),
        "calendar_year": table.settings.start_year + np.tile(np.arange(years), len(rows)),
        "area_ha": table.data["area_ha"][rows][rep],
    })
    for c in VALUE_COLUMNS:
        df[c] = own[c].ravel()
    df["option_id_baseline"] = table.combos.option_id[table.combo[base_rows]][rep]
    df["vegetation_type_baseline"] = params.veg_type[table.combo[base_rows]][rep]
    for c in VALUE_COLUMNS:
        df[f"{c}_baseline"] = base[c][inverse].ravel()
    return df


def iter_simulate(site_or_table, options: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
                  years: int | None = None, *, catalog: Catalog | str | None = None, chunk_rows: int = CHUNK_ROWS,
                  progress: Callable[[int, int], None] | None = None) -> Iterator[pd.DataFrame]:
    """:func:`simulate` in pieces of at most ``chunk_rows`` zone–option pairs (each with all its
    years), for writing a whole table without holding it. ``progress(done_pairs, total_pairs)`` is
    called after each piece. Bad ``options`` or ``years`` raise before anything is yielded."""
    years = check_years(years)
    table = _table_for(site_or_table, years, catalog)
    rows = option_rows(table, options)
    base_of_zone = table.baseline_rows()
    step = max(1, int(chunk_rows))
    for start in range(0, len(rows), step):
        part = rows[start:start + step]
        yield _frame(table, part, base_of_zone)
        if progress is not None:
            progress(start + len(part), len(rows))


def simulate(site_or_table, options: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
             years: int | None = None, *, catalog: Catalog | str | None = None) -> pd.DataFrame:
    """Trajectories of zone–option pairs, one row per zone, option and year (year 0 = before works).

    ``site_or_table``: a :class:`~optimizer.site.Site` (its option table is built, with
    ``catalog``) or an :class:`OptionTable`. ``options``: zone id → option id, or (zone, option)
    pairs; None simulates every option of every zone (for large tables prefer
    :func:`iter_simulate`). ``years``: the horizon N (default: the settings' ``horizon_yr``); the
    frame holds years 0…N.

    Columns: ``zone_id, option_id, vegetation_type, year, calendar_year, area_ha``, then
    :data:`VALUE_COLUMNS`, then ``option_id_baseline, vegetation_type_baseline`` and the value
    columns of the zone's no-works baseline suffixed ``_baseline``. What each column means, and
    what the model cannot say (SOC over another depth than 0–100 cm, erosion drawing on the SOC
    pool, litter), is in this module's docstring. An unknown zone, an option the zone cannot take
    or a horizon outside 1–200 years is a :class:`~optimizer.errors.SinkPlanError`.
    """
    parts = list(iter_simulate(site_or_table, options, years, catalog=catalog, chunk_rows=CHUNK_ROWS))
    if not parts:                         # an empty list of options
        return pd.DataFrame({c: pd.Series(dtype=object if c in TEXT_COLUMNS else float) for c in OUTPUT_COLUMNS})
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
