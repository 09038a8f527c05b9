"""Site settings: a TOML file beside the zoning file, every value with a default and a unit.

Layout (sections are for reading; every key belongs to exactly one section)::

    [site]          name, region, layer, crs
    [climate]       annual_rainfall_mm, climate, slope_steepness_method, rainfall_erosivity_…,
                    soil_erodibility_…, tolerable_soil_loss_t_per_ha_yr, pv_yield_kwh_per_kwp
    [accounting]    horizon_yr, start_year, discount_rate, standards, buffer_fraction,
                    monitoring_level, subsidence_water_as, grid_emission_factor_t_per_mwh
    [carbon_price]  path, start_cny_per_t, growth_per_yr, table
    [resources]     budget_cny, topsoil_stock_m3, gangue_stock_m3
    [soil]          soc_depth_cm, soil_soc_g_per_kg, spoil_soc_g_per_kg, soil_bulk_density_t_per_m3,
                    initial_soc_t_per_ha

Values not given come from the region preset (``REGIONS``), then from the defaults in ``SPEC``.
Which values are placeholders ([P], docs/science.md §1.4) is tracked, so option tables and reports can say
so. ``schema_table()`` returns the documented schema (key, section, type, default, unit,
description, source).
"""

from __future__ import annotations

import difflib
import hashlib
import math
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

import numpy as np

from .errors import Issue, SettingsError
from .i18n import N_, _
from .io.paths import read_toml
from .models import carbon, erosion
from .models import climate as climate_model


@dataclass(frozen=True)
class Spec:
    key: str
    section: str
    type: type
    default: Any
    unit: str
    description: str
    source: str = ""
    choices: tuple = ()
    low: float | None = None
    high: float | None = None
    allow_inf: bool = False     # ``inf`` is accepted and means "no limit" (resources only); nan never


# Default R and K are deliberately not numbers here: they come from the region preset.
SPEC: tuple[Spec, ...] = (
    Spec("name", "site", str, "unnamed site", "", "Site name used in reports."),
    Spec("region", "site", str, "loess_plateau", "", "Region preset supplying R, K, tolerable soil loss and PV yield.",
         choices=("loess_plateau", "eastern_plain", "inner_mongolia_steppe", "southern_red_soil")),
    Spec("layer", "site", str, "", "", "GeoPackage layer to read (empty: the only layer, or 'zones')."),
    Spec("crs", "site", str, "", "", "CRS to assume when the zoning file has none, e.g. 'EPSG:32649'."),
    Spec("annual_rainfall_mm", "climate", float, 430.0, "mm/yr",
         "Mean annual rainfall; drives R and the rainfall growth multiplier.",
         "Pingshuo ≈ 430 mm, with Ning et al. 2020 (docs/science.md §1.2) [B]", low=50, high=3000),
    Spec("mean_temperature_c", "climate", float, None, "°C",
         "Mean annual air temperature; with the rainfall it sets the climate class and scales growth. "
         "Default: the region preset.", low=-20, high=35),
    Spec("climate", "climate", str, "auto", "",
         "Climate class: picks each vegetation type's growth curve and which measures a zone may take. "
         "'auto' (the default) derives it from annual_rainfall_mm and mean_temperature_c (docs/science.md §2.2); "
         "the old names cold_semiarid, temperate_semiarid and warm_humid are read as cold, semi_arid and "
         "humid_temperate.",
         choices=("auto", *climate_model.CLASSES, *climate_model.ALIASES)),
    Spec("slope_steepness_method", "climate", str, "mccool", "",
         "RUSLE S factor: McCool et al. 1987 or Liu et al. 1994 (steep spoil).",
         "docs/science.md §3.4", choices=("mccool", "liu")),
    Spec("rainfall_erosivity_mj_mm_per_ha_h_yr", "climate", float, None, "MJ·mm/(ha·h·yr)",
         "RUSLE R. Default: the region preset (from rainfall by Ning et al. 2020 where the preset says so).",
         low=0, high=30000),
    Spec("soil_erodibility_t_ha_h_per_ha_mj_mm", "climate", float, None, "t·ha·h/(ha·MJ·mm)",
         "RUSLE K of the spoil surface. Default: the region preset.", low=0, high=0.2),
    Spec("tolerable_soil_loss_t_per_ha_yr", "climate", float, None, "t/(ha·yr)",
         "Tolerable soil loss (SL 190-2007). Default: the region preset.", low=0, high=100),
    Spec("tolerance_rule", "climate", str, "mean_and_early", "",
         "How an option's soil loss is tested against the tolerable loss: 'mean' (over the horizon) or "
         "'mean_and_early' (the mean, and also every one of the first tolerance_early_years years against "
         "tolerance_early_factor × the tolerable loss).", "docs/science.md §3.8", choices=("mean", "mean_and_early")),
    Spec("tolerance_early_years", "climate", int, 3, "yr",
         "Early years after the works whose worst soil loss is tested (rule 'mean_and_early').",
         "[P] establishment years of the cover curves (docs/science.md §3.8)", low=1, high=200),
    Spec("tolerance_early_factor", "climate", float, 5.0, "× tolerable loss",
         "Bound on any early year's soil loss, as a multiple of the tolerable loss (rule 'mean_and_early').",
         "[P] 5 × 10 t/(ha·yr) = SL 190-2007's 'moderate' upper bound on the Loess Plateau (docs/science.md §3.8)",
         low=1, high=100),
    Spec("pv_yield_kwh_per_kwp", "climate", float, None, "kWh/(kWp·yr)",
         "PV specific yield. Default: the region preset.", low=300, high=3000),
    Spec("horizon_yr", "accounting", int, 40, "yr", "Planning and accounting horizon.",
         "project convention (docs/science.md §1.2)", low=1, high=200),
    Spec("start_year", "accounting", int, 2026, "calendar year", "Year of the works (t = 0).", low=1900, high=2200),
    Spec("discount_rate", "accounting", float, 0.05, "1/yr", "Real discount rate for costs and credit value.",
         "[P] common public-project rate", low=0, high=0.5),
    Spec("standards", "accounting", list, ["CCER", "VCS"], "",
         "Crediting standards to assess, in priority order (see catalog standards.csv)."),
    Spec("buffer_fraction", "accounting", float, 0.15, "fraction", "Non-permanence buffer withheld from credits.",
         "Verra AFOLU risk tool, 10–20 % scenario range [C]", low=0, high=0.9),
    Spec("monitoring_level", "accounting", str, "standard", "",
         "Monitoring intensity; sets the uncertainty deduction and monitoring cost (catalog monitoring.csv).",
         choices=("basic", "standard", "intensive")),
    Spec("subsidence_water_as", "accounting", str, "wetland", "",
         "Whether untreated subsidence water is accounted as a wetland or as open water (docs/science.md §2.5).",
         choices=("wetland", "open_water")),
    Spec("grid_emission_factor_t_per_mwh", "accounting", float, carbon.GRID_T_CO2_PER_MWH_NORTH_CHINA_2022, "t CO2/MWh",
         "Grid emission factor for PV's avoided emissions.",
         f"North China grid 2022 {carbon.GRID_T_CO2_PER_MWH_NORTH_CHINA_2022:g}; "
         f"national 2023 {carbon.GRID_T_CO2_PER_MWH_NATIONAL_2023:g} [B]", low=0, high=2),
    Spec("path", "carbon_price", str, "growing", "", "Carbon price path.", choices=("flat", "growing", "table")),
    Spec("start_cny_per_t", "carbon_price", float, 60.0, "CNY/t CO2e", "Carbon price in the start year.",
         "CCER about ¥60–80/t in 2025 [B, weak]", low=0, high=10000),
    Spec("growth_per_yr", "carbon_price", float, 0.03, "1/yr", "Real price growth for path = 'growing'.", "[P]",
         low=-0.5, high=1),
    Spec("table", "carbon_price", dict, {}, "CNY/t CO2e by year", "Prices by calendar year for path = 'table' "
         "(linear between, flat outside); years 1900–2200, prices finite, 0–10000."),
    Spec("budget_cny", "resources", float, math.inf, "CNY", "Capital budget (capex at year 0); inf (the default) "
         "means no limit.", low=0, allow_inf=True),
    Spec("topsoil_stock_m3", "resources", float, math.inf, "m³", "Stripped topsoil available for cover; inf (the "
         "default) means no limit.", low=0, allow_inf=True),
    Spec("gangue_stock_m3", "resources", float, 0.0, "m³", "Coal gangue available for backfill and as conditioner; "
         "inf means no limit.", low=0, allow_inf=True),
    Spec("soc_depth_cm", "soil", float, 30.0, "cm",
         "Accounting depth of soil organic carbon: every SOC stock and gain is stated on 0–this depth.",
         "IPCC 2006 Vol 4 Ch 2 default depth 30 cm [A]", low=5, high=100),
    Spec("soil_soc_g_per_kg", "soil", float, 3.6, "g C/kg",
         "Organic carbon of the soil over the spoil (the zone's soil and any cover soil placed) at the start.",
         "fit to field rows (scripts/fit_growth.py, docs/science.md §2.3) [C]; measure it", low=0, high=200),
    Spec("spoil_soc_g_per_kg", "soil", float, 0.4, "g C/kg",
         "Biogenic organic carbon of raw spoil at the start (coal carbon excluded: it is not a removal).",
         "fit to field rows (scripts/fit_growth.py, docs/science.md §2.3) [C]; measure it", low=0, high=200),
    Spec("soil_bulk_density_t_per_m3", "soil", float, 1.4, "t/m³", "Bulk density of the accounting layer.",
         "mine soils 1.3–1.6; the field rows' conversions (benchmarks/data/README.md) [C]", low=0.5, high=2.2),
    Spec("initial_soc_t_per_ha", "soil", float, None, "t C/ha",
         "SOC stock at the start on 0–soc_depth_cm, when measured. Default: from the soil and spoil "
         "concentrations, the zone's soil depth and the cover soil an option places (docs/science.md §2.3).",
         low=0, high=500),
)

SPEC_BY_KEY = {s.key: s for s in SPEC}
SECTIONS = tuple(dict.fromkeys(s.section for s in SPEC))


# Region presets (docs/science.md §1.2). Each value: (number, source with confidence tag). The
# Ning et al. 2020 R formula, the SL 773-2018 K multiplier and the SL 190-2007 tolerable losses
# live in optimizer.models.erosion; the presets only choose among them.
_K_FIELD = erosion.K_CHINA_FIELD_PLOT_RATIO     # estimated soil K → Chinese field-plot K (docs/science.md §3.3)
_R_FORMULA = f"R = {erosion.R_RAINFALL_A:g}·P^{erosion.R_RAINFALL_B:g}"
_K_ANSAI = "–".join(f"{k:g}" for k in erosion.K_LOESS_ANSAI_RANGE)
_TOLERABLE_T_PER_KM2 = erosion.TOLERABLE_SOIL_LOSS_T_PER_KM2_YR


def _tolerable_t_per_ha_yr(sl190_region: str) -> float:
    """SL 190-2007 tolerable soil loss of a region in t/(ha·yr) (the table is in t/(km²·yr))."""
    return _TOLERABLE_T_PER_KM2[sl190_region] / erosion.T_PER_HA_TO_T_PER_KM2


REGIONS: dict[str, dict[str, tuple[Any, str]]] = {
    "loess_plateau": {
        "rainfall_erosivity_mj_mm_per_ha_h_yr": ("from_rainfall", f"{_R_FORMULA} (Ning et al. 2020, Shanxi) [B]"),
        "soil_erodibility_t_ha_h_per_ha_mj_mm": (0.045 * _K_FIELD, (f"[P] loess {_K_ANSAI} (Ansai) [A] × {_K_FIELD:g}, "
                                                 "Chinese field-plot K vs US estimates [B]; checked against measured "
                                                 "dump losses (docs/science.md §3.3)")),
        "tolerable_soil_loss_t_per_ha_yr": (_tolerable_t_per_ha_yr("loess_plateau"), ("SL 190-2007, Loess Plateau "
                                            f"{_TOLERABLE_T_PER_KM2['loess_plateau']:g} t/km²·a [B]")),
        "pv_yield_kwh_per_kwp": (1300.0, "Shanxi ≈ 1,300 kWh/kWp (weak) [B]"),
        "mean_temperature_c": (7.0, "Pingshuo (Shuozhou) climate normal about 7 °C [C]"),
    },
    "eastern_plain": {
        "rainfall_erosivity_mj_mm_per_ha_h_yr": (3500.0, "[P] Jiangsu mean 4,709, lower in the north (Xuzhou) [B]"),
        "soil_erodibility_t_ha_h_per_ha_mj_mm": (0.030 * _K_FIELD, (f"[P] plain soils 0.030 × {_K_FIELD:g}, "
                                                 "Chinese field-plot K vs US estimates [B]")),
        "tolerable_soil_loss_t_per_ha_yr": (_tolerable_t_per_ha_yr("northern_rocky_mountains"),
                                            ("SL 190-2007, northern rocky-mountain region "
                                             f"{_TOLERABLE_T_PER_KM2['northern_rocky_mountains']:g} t/km²·a [B]; "
                                             "region mapping [C]")),
        "pv_yield_kwh_per_kwp": (1100.0, "Anhui floating PV 1,089–1,150 kWh/kWp [A/B]"),
        "mean_temperature_c": (15.0, "Huaibei–Huainan climate normals 14.5–15.5 °C [C]"),
    },
    "inner_mongolia_steppe": {
        "rainfall_erosivity_mj_mm_per_ha_h_yr": ("from_rainfall",
                                                 "[P] Ning et al. 2020 formula extrapolated beyond Shanxi"),
        "soil_erodibility_t_ha_h_per_ha_mj_mm": (0.040 * _K_FIELD, (f"[P] chestnut soils 0.040 × {_K_FIELD:g}, "
                                                 "Chinese field-plot K vs US estimates [B]")),
        # SL 190-2007 gives the north-east black-soil and the northern rocky-mountain regions the same 200
        "tolerable_soil_loss_t_per_ha_yr": (_tolerable_t_per_ha_yr("northeast_black_soil"), ("SL 190-2007, "
                                            f"{_TOLERABLE_T_PER_KM2['northeast_black_soil']:g} t/km²·a "
                                            "(north-east / northern region) [B]; region mapping [C]")),
        "pv_yield_kwh_per_kwp": (1600.0, "Inner Mongolia 1,500–2,000 kWh/kWp [A/B]"),
        "mean_temperature_c": (2.6, "Xilinhot climate normal about 2.6 °C [C]"),
    },
    # southern red-soil hills (Jiangxi, Guangxi, Fujian, Hunan): docs/science.md §1.2
    "southern_red_soil": {
        "rainfall_erosivity_mj_mm_per_ha_h_yr": (9825.0, "Ganjiang basin, Jiangxi, mean 1986–2015 of 27 gauges "
                                                 "9,824.55 (6,769–13,235) MJ·mm/(ha·h·yr) (Lu et al. 2020) [B]"),
        "soil_erodibility_t_ha_h_per_ha_mj_mm": (0.030, "[P] red-soil field plots at Yingtan, Jiangxi, K 0.104–0.440 "
                                                 "US units = 0.014–0.058 (Shi et al. 1997) [B]; 0.030 within it"),
        "tolerable_soil_loss_t_per_ha_yr": (_tolerable_t_per_ha_yr("southern_red_soil"), (
            f"SL 190-2007, southern red-soil region {_TOLERABLE_T_PER_KM2['southern_red_soil']:g} t/km²·a [B]")),
        "pv_yield_kwh_per_kwp": (1050.0, "[P] below Anhui's 1,089–1,150 kWh/kWp [A/B]: cloudier hills"),
        "annual_rainfall_mm": (1600.0, "Ganzhou (southern Jiangxi rare-earth district) climate normal about "
                                       "1,600 mm [C]"),
        "mean_temperature_c": (19.0, "Ganzhou climate normal about 19 °C [C]"),
    },
}


@dataclass(frozen=True)
class Settings:
    """Resolved site settings. Build with :func:`load_settings` or :func:`resolve_settings`."""

    name: str
    region: str
    layer: str
    crs: str
    annual_rainfall_mm: float
    climate: str
    slope_steepness_method: str
    rainfall_erosivity_mj_mm_per_ha_h_yr: float
    soil_erodibility_t_ha_h_per_ha_mj_mm: float
    tolerable_soil_loss_t_per_ha_yr: float
    tolerance_rule: str
    tolerance_early_years: int
    tolerance_early_factor: float
    pv_yield_kwh_per_kwp: float
    horizon_yr: int
    start_year: int
    discount_rate: float
    standards: tuple[str, ...]
    buffer_fraction: float
    monitoring_level: str
    subsidence_water_as: str
    grid_emission_factor_t_per_mwh: float
    path: str
    start_cny_per_t: float
    growth_per_yr: float
    table: tuple[tuple[int, float], ...]
    budget_cny: float
    topsoil_stock_m3: float
    gangue_stock_m3: float
    mean_temperature_c: float
    soc_depth_cm: float
    soil_soc_g_per_kg: float
    spoil_soc_g_per_kg: float
    soil_bulk_density_t_per_m3: float
    initial_soc_t_per_ha: float | None
    sources: tuple[tuple[str, str], ...] = ()      # key -> where the value came from
    placeholders: tuple[str, ...] = ()             # keys whose value is a [P] placeholder
    file: str = ""                                 # the TOML read, if any

    # --- derived series ---------------------------------------------------------------
    @property
    def years(self) -> np.ndarray:
        """Years since the works, 1..horizon (int64)."""
        return np.arange(1, self.horizon_yr + 1)

    def discount_factors(self) -> np.ndarray:
        """(1 + r)^-t for t = 1..horizon."""
        return (1.0 + self.discount_rate) ** -self.years.astype(float)

    def price_path_cny_per_t(self) -> np.ndarray:
        """Carbon price for t = 1..horizon [CNY/t CO2e]."""
        t = self.years.astype(float)
        if self.path == "flat":
            return np.full_like(t, self.start_cny_per_t)
        if self.path == "growing":
            return self.start_cny_per_t * (1.0 + self.growth_per_yr) ** t
        yrs = np.array([y for y, _ in self.table], dtype=float)
        vals = np.array([v for _, v in self.table], dtype=float)
        return np.interp(self.start_year + t, yrs, vals)

    def as_dict(self) -> dict:
        out = {}
        for f in fields(self):
            v = getattr(self, f.name)
            if f.name in ("sources", "table"):
                v = {str(k): val for k, val in v}
            elif isinstance(v, tuple):
                v = list(v)
            if isinstance(v, float) and math.isinf(v):
                v = None
            out[f.name] = v
        return out

    def digest(self) -> str:
        import json
        return hashlib.sha256(json.dumps(self.as_dict(), sort_keys=True, default=str).encode()).hexdigest()

    def with_(self, **changes) -> Settings:
        return replace(self, **changes)


def _range_text(spec: Spec) -> str:
    """The allowed range of a numeric setting, for messages and the schema."""
    unit = f" {spec.unit}" if spec.unit else ""
    if spec.low is not None and spec.high is not None:
        text = f"{spec.low:g}–{spec.high:g}{unit}"
    elif spec.low is not None:
        text = f"≥ {spec.low:g}{unit}"
    elif spec.high is not None:
        text = f"≤ {spec.high:g}{unit}"
    else:
        text = _("any finite number") + unit
    return text + (_(", or inf for no limit") if spec.allow_inf else "")


def _check_number(spec: Spec, value, where: dict, problems: list[Issue]) -> bool:
    """Finiteness and range of a numeric value; adds a problem and returns False when bad."""
    allowed = _range_text(spec)
    if isinstance(value, float) and math.isnan(value):
        problems.append(Issue(message=_("nan is not a number; allowed: {allowed}").format(allowed=allowed), **where))
        return False
    if isinstance(value, float) and math.isinf(value):
        if value > 0 and spec.allow_inf:
            return True
        problems.append(Issue(message=_("{value} is not a finite number; allowed: {allowed}").format(
            value=value, allowed=allowed),
                              **where))
        return False
    if (spec.low is not None and value < spec.low) or (spec.high is not None and value > spec.high):
        problems.append(Issue(message=_("{value} is outside the allowed range: {allowed}").format(
            value=f"{value:g}", allowed=allowed),
                              **where))
        return False
    return True


def _coerce_price_table(spec: Spec, value: dict, where: dict, problems: list[Issue]) -> dict | None:
    """[carbon_price.table]: calendar year = price [CNY/t CO2e]; every entry checked."""
    years = SPEC_BY_KEY["start_year"]
    first_year, last_year = years.low, years.high
    assert first_year is not None and last_year is not None  # start_year's spec bounds it on both sides
    price = SPEC_BY_KEY["start_cny_per_t"]
    out: dict[int, float] = {}
    ok = True
    for k, v in value.items():
        here = dict(where, field=f"{where['field']}.{k}")
        try:
            year = int(str(k).strip())
        except ValueError:
            problems.append(Issue(message=_("{key} is not a calendar year (keys are years, e.g. 2030 = 85.0)").format(
                key=repr(k)),
                                  **here))
            ok = False
            continue
        if not first_year <= year <= last_year:
            problems.append(Issue(message=_("year {year} is outside {first}–{last}").format(
                year=year, first=f"{first_year:g}",
                                                                                    last=f"{last_year:g}"), **here))
            ok = False
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            problems.append(Issue(message=_("{value} is not a number; allowed: {allowed}").format(
                value=repr(v), allowed=_range_text(price)),
                                  **here))
            ok = False
            continue
        if not _check_number(price, float(v), here, problems):
            ok = False
            continue
        out[year] = float(v)
    return out if ok else None


def _coerce(spec: Spec, value: Any, file: str, problems: list[Issue]):
    where = dict(file=file, field=f"{spec.section}.{spec.key}")
    if spec.type is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            problems.append(Issue(message=_("{value} is not a number; allowed: {allowed}").format(
                value=repr(value), allowed=_range_text(spec)), **where))
            return None
        value = float(value)
    elif spec.type is int:
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            else:
                problems.append(Issue(message=_("{value} is not a whole number; allowed: {allowed}").format(
                    value=repr(value), allowed=_range_text(spec)), **where))
                return None
    elif spec.type is str:
        if not isinstance(value, str):
            problems.append(Issue(message=_("{value} is not text").format(value=repr(value)), **where))
            return None
        if spec.choices and value not in spec.choices:
            near = difflib.get_close_matches(value, spec.choices, n=1)
            hint = _("; did you mean {name}?").format(name=repr(near[0])) if near else ""
            problems.append(Issue(message=_("{value} is not one of {valid}").format(
                value=repr(value), valid=", ".join(spec.choices)) + hint, **where))
            return None
    elif spec.type is list:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            problems.append(Issue(message=_("{value} is not a list of names").format(value=repr(value)), **where))
            return None
        if spec.key == "standards":
            return _coerce_standards(value, where, problems)
    elif spec.type is dict:
        if not isinstance(value, dict):
            problems.append(Issue(message=_("{value} is not a table of year = price").format(value=repr(value)),
                                  **where))
            return None
        return _coerce_price_table(spec, value, where, problems)
    if spec.type in (float, int) and value is not None:
        if not _check_number(spec, value, where, problems):
            return None
    return value


def _coerce_standards(value: list[str], where: dict, problems: list[Issue]) -> list[str] | None:
    """Crediting standards must be rows of the catalog's standards.csv (the list the option table
    uses to assess eligibility), each named once."""
    from .catalog import standard_ids  # the catalog reads no settings; imported here to keep settings light

    known = standard_ids()
    ok = True
    for name in value:
        if name not in known:
            near = difflib.get_close_matches(name, known, n=1)
            problems.append(Issue(message=_("unknown standard {name}; the catalog has {known}").format(
                name=repr(name), known=", ".join(known))
                                  + (_(" (did you mean {name}?)").format(name=repr(near[0])) if near else ""), **where))
            ok = False
    dups = sorted({n for n in value if value.count(n) > 1})
    if dups:
        problems.append(Issue(message=_("{names} listed more than once").format(
            names=", ".join(map(repr, dups))), **where))
        ok = False
    return value if ok else None


def resolve_settings(raw: dict | None = None, file: str = "<settings>", overrides: dict | None = None) -> Settings:
    """Build :class:`Settings` from a nested dict (as read from TOML) plus flat overrides.

    Gathers every problem (unknown section or key with the nearest valid name, wrong type,
    out-of-range value, unknown choice) and raises one :class:`SettingsError`.
    """
    raw = dict(raw or {})
    problems: list[Issue] = []
    given: dict[str, Any] = {}
    for section, body in raw.items():
        if section not in SECTIONS:
            near = difflib.get_close_matches(section, SECTIONS, n=1)
            problems.append(Issue(file=file, field=f"[{section}]", message=_("unknown section")
                                  + (_("; did you mean [{name}]?").format(name=near[0]) if near
                                     else _("; valid: {valid}").format(valid=", ".join(SECTIONS)))))
            continue
        if not isinstance(body, dict):
            problems.append(Issue(file=file, field=section, message=_("must be a [section] table")))
            continue
        for key, value in body.items():
            spec = SPEC_BY_KEY.get(key)
            if spec is None or spec.section != section:
                keys = [s.key for s in SPEC if s.section == section]
                near = difflib.get_close_matches(key, keys, n=1)
                problems.append(Issue(file=file, field=f"{section}.{key}", message=_("unknown setting")
                                      + (_("; did you mean {name}?").format(name=repr(near[0])) if near
                                         else _("; valid: {valid}").format(valid=", ".join(keys)))))
                continue
            v = _coerce(spec, value, file, problems)
            if v is not None:
                given[key] = v
    for key, value in (overrides or {}).items():
        spec = SPEC_BY_KEY.get(key)
        if spec is None:
            problems.append(Issue(file="<command line>", field=key, message=_("unknown setting")))
            continue
        v = _coerce(spec, value, "<command line>", problems)
        if v is not None:
            given[key] = v
    if problems:
        raise SettingsError(problems)

    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    placeholders: list[str] = []
    region = given.get("region", SPEC_BY_KEY["region"].default)
    preset = REGIONS[region]
    for spec in SPEC:
        if spec.key in given:
            values[spec.key] = given[spec.key]
            sources[spec.key] = file if file != "<settings>" else "given"
        elif spec.key in preset:
            v, src = preset[spec.key]
            values[spec.key] = v
            sources[spec.key] = f"region preset {region}: {src}"
            if "[P]" in src:
                placeholders.append(spec.key)
        else:
            values[spec.key] = spec.default
            sources[spec.key] = f"default: {spec.source}" if spec.source else "default"
            if "[P]" in spec.source:
                placeholders.append(spec.key)
    if values["rainfall_erosivity_mj_mm_per_ha_h_yr"] == "from_rainfall":
        values["rainfall_erosivity_mj_mm_per_ha_h_yr"] = float(
            erosion.rainfall_erosivity_from_rainfall(values["annual_rainfall_mm"]))
    if values["climate"] == "auto":
        values["climate"] = climate_model.climate_class(values["annual_rainfall_mm"], values["mean_temperature_c"])
        sources["climate"] = (f"derived from {values['annual_rainfall_mm']:g} mm and "
                              f"{values['mean_temperature_c']:g} °C (docs/science.md §2.2)")
    else:
        values["climate"] = climate_model.ALIASES.get(values["climate"], values["climate"])
    if values["path"] == "table" and not values["table"]:
        raise SettingsError([Issue(file=file, field="carbon_price.table",
                                     message=_("path = 'table' needs a [carbon_price.table] of year = price"))])
    values["standards"] = tuple(values["standards"])
    values["table"] = tuple(sorted(values["table"].items()))
    return Settings(**values, sources=tuple(sources.items()), placeholders=tuple(placeholders),
                    file=file if file != "<settings>" else "")


def settings_path_for(zoning_path: str | Path) -> Path | None:
    """The settings TOML beside a zoning file: ``<stem>.toml`` or ``settings.toml``."""
    p = Path(zoning_path)
    for cand in (p.with_suffix(".toml"), p.parent / "settings.toml"):
        if cand.is_file():
            return cand
    return None


def load_settings(path: str | Path | None, overrides: dict | None = None) -> Settings:
    """Read a settings TOML (or only defaults when ``path`` is None).

    The file must be UTF-8 (TOML's rule); a GBK/GB18030 file is refused with a message saying so.
    Every value is checked (type, finiteness, range, known standard) and every problem reported at
    once in a :class:`SettingsError` naming the file, the section.key and the allowed range.
    """
    if path is None:
        return resolve_settings({}, overrides=overrides)
    path, raw = read_toml(path, N_("settings file"), example="settings.toml", error=SettingsError)
    return resolve_settings(raw, file=str(path), overrides=overrides)


def schema_table():
    """The documented settings schema as a pandas DataFrame."""
    import pandas as pd

    rows = []
    for s in SPEC:
        default = s.default
        if default is None:
            default = "region preset"
        desc = s.description + (f" One of: {', '.join(s.choices)}." if s.choices else "")
        if s.type in (int, float):
            desc += f" Allowed: {_range_text(s)}; nan never."
        rows.append(dict(section=s.section, key=s.key, type=s.type.__name__, default=default, unit=s.unit,
                         description=desc, source=s.source))
    return pd.DataFrame(rows)
