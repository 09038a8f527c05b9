"""Ranges as data: every catalog value and setting a plan's numbers depend on, with a low, a high,
a distribution, a source and a confidence class (docs/science.md §1.5).

Explicit ranges are rows of ``optimizer/catalog/ranges.csv``; every other uncertain value takes the
default spread of its confidence class (:data:`DEFAULT_SPREAD`): uniform on
``central × [1 − s, 1 + s]``. The growth curves are one dimension, the index of a joint draw of
``growth_draws.csv`` (never independent parameters).
"""

from __future__ import annotations

import io
import re
from importlib import resources

import numpy as np
import pandas as pd

from ..catalog import Catalog
from ..settings import Settings

#: Relative half-width of the uniform spread of a value without a sourced range, by confidence class
#: (docs/science.md §1.5): A read in the primary text ±10 %, B abstract/secondary ±25 %, C common
#: default ±40 %, P placeholder ±50 % [P: the spreads themselves are a convention of this project].
DEFAULT_SPREAD = {"A": 0.10, "B": 0.25, "C": 0.40, "P": 0.50}

#: Measure columns varied, and the parameter group each belongs to.
MEASURE_COLUMNS = {
    "capex_cny_per_ha": "cost", "upkeep_cny_per_ha_yr": "cost", "earthworks_m3_per_ha": "cost",
    "growth_multiplier": "establishment", "soc_multiplier": "establishment",
    "cover_max_pct": "establishment", "cover_rate_per_yr": "establishment",
    "p_factor": "erosion",
    "diesel_l_per_ha": "emissions", "n_fertilizer_kg_per_ha": "emissions", "limestone_t_per_ha": "emissions",
    "biochar_f_perm": "emissions",
    "wetland_burial_g_c_per_m2_yr": "wetland", "wetland_ch4_kg_per_ha_yr": "wetland",
    "fire_avoided_fraction": "fire",
}
#: Catalog parameters varied (others classify zones or set calendars and stay fixed).
PARAMETER_GROUPS = {
    "earthworks_cny_per_m3": "cost", "topsoil_placement_cny_per_m3": "cost", "management_fraction": "cost",
    "contingency_fraction": "cost", "maintenance_fraction": "cost", "earthworks_diesel_l_per_m3": "emissions",
    "fire_burnout_yr": "fire", "burning_area_fraction": "fire",
    "pool_wetland_burial_g_c_per_m2_yr": "wetland", "pool_wetland_ch4_kg_per_ha_yr": "wetland",
    "pool_open_water_burial_g_c_per_m2_yr": "wetland", "pool_open_water_ch4_kg_per_ha_yr": "wetland",
    "cover_depth_full_cm": "cover_soil", "cover_depth_min_multiplier": "cover_soil",
}
#: Settings varied. The discount rate, horizon and budget are choices, not uncertainties.
SETTING_GROUPS = {
    "rainfall_erosivity_mj_mm_per_ha_h_yr": "erosion", "soil_erodibility_t_ha_h_per_ha_mj_mm": "erosion",
    "start_cny_per_t": "price", "growth_per_yr": "price", "buffer_fraction": "credits",
    "soil_soc_g_per_kg": "soil_carbon", "spoil_soc_g_per_kg": "soil_carbon",
    "soil_bulk_density_t_per_m3": "soil_carbon",
    "pv_yield_kwh_per_kwp": "pv", "grid_emission_factor_t_per_mwh": "pv",
}
#: Monitoring cost of the site's level [CNY/(ha·yr)] (its deduction is replaced by the Monte Carlo rule).
MONITORING_GROUP = "cost"
#: Upper limits of values that are fractions or percentages.
UPPER = {"p_factor": 1.0, "fire_avoided_fraction": 1.0, "biochar_f_perm": 1.0, "cover_max_pct": 100.0,
         "cover_depth_min_multiplier": 1.0, "buffer_fraction": 1.0, "burning_area_fraction": 1.0,
         "management_fraction": 1.0, "contingency_fraction": 1.0, "maintenance_fraction": 1.0}

COLUMNS = ("key", "table", "row", "column", "group", "central", "distribution", "low", "high", "source",
           "confidence")


def explicit_ranges() -> pd.DataFrame:
    """The sourced ranges of ``optimizer/catalog/ranges.csv``."""
    text = resources.files("optimizer").joinpath("catalog/ranges.csv").read_text(encoding="utf-8")
    return pd.read_csv(io.StringIO(text), dtype={"row": str})


def _class_of(text: str, placeholder: bool = False) -> str:
    """A setting's confidence: P if a placeholder, else the worst class its source names, else C."""
    if placeholder:
        return "P"
    found = re.findall(r"\[([ABCP])\b", text or "")
    return max(found, key="ABCP".index) if found else "C"


def _default(central: float, conf: str, column: str) -> tuple[float, float]:
    s = DEFAULT_SPREAD[conf]
    lo, hi = sorted((central * (1 - s), central * (1 + s)))
    return lo, min(hi, UPPER.get(column, np.inf))


def parameter_ranges(catalog: Catalog, settings: Settings) -> pd.DataFrame:
    """Every varied value of ``catalog`` and ``settings`` with its range (columns :data:`COLUMNS`),
    one row per dimension of the Monte Carlo; the growth curves last, as one ``joint_draws`` row.
    Values that are 0 or missing at the centre stay fixed (a spread of 0 is 0)."""
    explicit = explicit_ranges()
    ex = {(r.table, r.row, r.column): r for r in explicit.itertuples()}
    rows = []

    def add(table, row, column, group, central, conf, source):
        if central is None or not np.isfinite(central) or central == 0:
            return
        e = ex.get((table, row, column))
        if e is not None:
            lo, hi, dist, src, conf = float(e.low), float(e.high), e.distribution, e.source, e.confidence
        else:
            (lo, hi), dist = _default(central, conf, column), "uniform"
            src = f"default spread ±{DEFAULT_SPREAD[conf]:.0%} of class {conf} (docs/science.md §1.5); value: {source}"
        rows.append((f"{table}:{row}:{column}", table, row, column, group, float(central), dist, lo, hi, src, conf))

    ms = catalog.enabled_measures()
    for _, m in ms.iterrows():
        for col, group in MEASURE_COLUMNS.items():
            v = m[col]
            add("measures", m["measure_id"], col, group, float(v) if pd.notna(v) else None, m["confidence"],
                m["source"])
    for name, group in PARAMETER_GROUPS.items():
        if name in catalog.parameters.index:
            p = catalog.parameters.loc[name]
            add("parameters", name, "value", group, float(p["value"]), p["confidence"], p["source"])
    sources = dict(settings.sources)
    for name, group in SETTING_GROUPS.items():
        v = getattr(settings, name)
        if name in ("start_cny_per_t", "growth_per_yr") and settings.path == "table":
            continue
        add("settings", "*", name, group, None if v is None else float(v),
            _class_of(sources.get(name, ""), name in settings.placeholders), sources.get(name, ""))
    mon = catalog.monitoring.loc[settings.monitoring_level]
    add("monitoring", settings.monitoring_level, "cost_cny_per_ha_yr", MONITORING_GROUP,
        float(mon["cost_cny_per_ha_yr"]), mon["confidence"], mon["source"])
    rows.append(("growth_draws", "growth_draws", "*", "draw", "growth", np.nan, "joint_draws", np.nan, np.nan,
                 "growth_draws.csv: 100 joint draws of every growth curve from the fit (docs/science.md §2.1)",
                 "C"))
    return pd.DataFrame(rows, columns=list(COLUMNS))


def growth_draws() -> pd.DataFrame:
    """``growth_draws.csv``: draw, veg_type, climate and the curve parameters."""
    text = resources.files("optimizer").joinpath("catalog/growth_draws.csv").read_text(encoding="utf-8")
    return pd.read_csv(io.StringIO(text))
