"""What each measure combination brings: its model inputs and its suitability rules, per hectare.

The measures of a combination are folded together (costs and doses add up, multipliers and P
factors multiply, slope limits take the tightest, docs/science.md §1.3, §2.4, §3.6), once per
catalog, into :class:`ComboParams` (read by the scoring) and :class:`ComboRules` (read by the
feasibility).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from ..catalog import GROUPS, Catalog
from ..models import carbon, climate, cost
from ..settings import Settings

#: Vegetation types counted as woody (the ``woody`` share of a plan).
WOODY_TYPES = ("tree_shrub_herb", "robinia", "poplar", "conifer", "shrub", "eucalyptus_acacia")


@dataclass(frozen=True)
class ComboParams:
    """Model inputs of every combination, per hectare, folded over its measures (each (C,)).

    Read by the scoring (:mod:`optimizer.options.scoring`) and by plan shares
    (``veg_type``, ``woody``). Fields can also be read by name, ``params["veg_type"]``.
    """

    veg: np.ndarray                     # int32 measure index of the vegetation measure, -1 none
    veg_type: np.ndarray                # object, growth curve ('' for none)
    has_veg: np.ndarray                 # bool
    woody: np.ndarray                   # bool
    slope_after: np.ndarray             # slope after regrading used by RUSLE [°], nan: unchanged
    capex_cny_per_ha: np.ndarray
    earthworks_m3_per_ha: np.ndarray
    topsoil_cm: np.ndarray
    gangue_m3_per_ha: np.ndarray
    backfill: np.ndarray                # bool: the waste measure backfills a pool
    upkeep_npv_cny_per_ha: np.ndarray   # each measure's upkeep over its own years, discounted
    growth_mult: np.ndarray             # measure and interaction multipliers on the biomass asymptote
    soc_mult: np.ndarray                # the same on the equilibrium SOC gain
    c_max: np.ndarray                   # Chapman–Richards [t C/ha] at the site's climate, 0 without vegetation
    k: np.ndarray                       # [1/yr]
    m: np.ndarray                       # [-]
    soc_rate: np.ndarray                # initial SOC accrual on 0–30 cm [t C/(ha·yr)] at the site's climate
    soc_tau: np.ndarray                 # [yr]
    soc_onset_k: np.ndarray             # onset of SOC accrual b(t) = (1 − e^(−k t))^m [1/yr]
    soc_onset_m: np.ndarray             # [-]
    cover_max: np.ndarray               # [%]
    cover_rate: np.ndarray              # [1/yr]
    degrades: np.ndarray                # bool: unmaintained vegetation that degrades
    p_factor: np.ndarray                # RUSLE P, product over measures
    biochar_c_t_per_ha: np.ndarray
    limestone_t_per_ha: np.ndarray
    n_kg_per_ha: np.ndarray
    diesel_l_per_ha: np.ndarray
    has_wetland: np.ndarray             # bool: a water measure builds a wetland
    wet_burial: np.ndarray              # [g C/(m²·yr)]
    wet_ch4: np.ndarray                 # [kg CH4/(ha·yr)]
    pv_mw_per_ha: np.ndarray
    fire_avoided: np.ndarray            # share of a burning heap's emissions avoided
    any_works: np.ndarray               # bool: anything besides natural regeneration

    def __getitem__(self, name: str) -> np.ndarray:
        return getattr(self, name)

    def take(self, c: np.ndarray) -> ComboParams:
        """The inputs of combinations ``c`` (one per row)."""
        return ComboParams(**{f.name: getattr(self, f.name)[c] for f in fields(self)})


@dataclass(frozen=True)
class ComboRules:
    """Suitability inputs of every combination (each (C,) unless noted), read by the feasibility."""

    lf: np.ndarray                      # measure index of the landform measure, -1 none
    lf_min: np.ndarray                  # the landform measure's slope range [°]
    lf_max: np.ndarray
    suit_after: np.ndarray              # slope the other measures see after landform works, nan: the zone's
    o_min: np.ndarray                   # slope range of the other measures [°]
    o_max: np.ndarray
    climates: tuple                     # per combination, the vegetation measure's climates (() any)
    natural_twin: np.ndarray            # index of the same combination with natural regeneration, -1
    types_provided: np.ndarray          # uint64 type_* tags the combination provides
    measure_types: np.ndarray           # (M,) uint64 type_* tags each measure applies to


def natural_cover(catalog, climate_class: str) -> tuple[float, float]:
    """Cover path of natural regeneration in a climate class: (f_max [%], rate [1/yr]) from the
    parameters ``natural_cover_max_pct_<class>`` and ``natural_cover_rate_per_yr_<class>``
    (docs/science.md §3.5: spontaneous cover closes within 10–15 years on humid spoil and stays
    sparse where it is dry). The natural-regeneration measure's own cover columns are not used."""
    return (catalog.param(f"natural_cover_max_pct_{climate_class}"),
            catalog.param(f"natural_cover_rate_per_yr_{climate_class}"))


def _natural_twins(ms: pd.DataFrame, idx: np.ndarray) -> np.ndarray:
    """For each combination without vegetation, the index of the same one with natural
    regeneration (-1 if none or if the combination has vegetation)."""
    g = GROUPS.index("vegetation")
    nat = np.flatnonzero(ms["vegetation_type"].to_numpy() == "natural_regeneration")
    twin = np.full(len(idx), -1, dtype=np.int64)
    if not len(nat):
        return twin
    key = {tuple(r): i for i, r in enumerate(idx.tolist())}
    for i in np.flatnonzero(idx[:, g] < 0):
        r = idx[i].copy()
        r[g] = nat[0]
        twin[i] = key.get(tuple(r.tolist()), -1)
    return twin


def _column(ms: pd.DataFrame, name: str, fill: float = 0.0) -> np.ndarray:
    """A measure column as floats with ``fill`` appended, so that measure index -1 reads ``fill``."""
    return np.concatenate([ms[name].to_numpy(dtype=float), [fill]])


def combo_rules(ms: pd.DataFrame, idx: np.ndarray, *, types_provided: np.ndarray,
                 measure_types: np.ndarray) -> ComboRules:
    """Slope ranges, climates and natural twins of every combination (docs/science.md §1.3)."""
    C = len(idx)
    lf = idx[:, GROUPS.index("landform")]
    veg = idx[:, GROUPS.index("vegetation")]

    def extreme(name, fn, fill):
        """The tightest limit of the non-landform measures."""
        a = _column(ms, name, np.nan)
        a = np.where(np.isnan(a), fill, a)
        out = np.full(C, fill)
        for g in range(idx.shape[1]):
            if GROUPS[g] == "landform":
                continue
            out = fn(out, a[idx[:, g]])
        return out

    climates = ms["climates"].to_numpy(dtype=object)       # once, not once per combination
    return ComboRules(
        lf=lf,
        lf_min=np.where(lf >= 0, _column(ms, "min_slope_deg", 0.0)[lf], 0.0),
        lf_max=np.where(lf >= 0, _column(ms, "max_slope_deg", 90.0)[lf], 90.0),
        suit_after=np.where(lf >= 0, _column(ms, "suit_slope_after_deg", np.nan)[lf], np.nan),
        o_min=extreme("min_slope_deg", np.maximum, 0.0),
        o_max=extreme("max_slope_deg", np.minimum, 90.0),
        climates=tuple(climates[i] if i >= 0 else () for i in veg),
        # "natural regeneration, no works" happens wherever it can: a combination without
        # vegetation is only offered where its twin with natural regeneration is not feasible
        natural_twin=_natural_twins(ms, idx),
        types_provided=types_provided,
        measure_types=measure_types,
    )


def combo_upkeep_by_year(ms: pd.DataFrame, idx: np.ndarray, horizon_yr: int) -> np.ndarray:
    """Upkeep paid in each year t = 1..H per combination [CNY/ha, nominal], (C, H): each measure's
    ``upkeep_cny_per_ha_yr`` over its own ``upkeep_years`` (pro rata in a fractional last year), the
    undiscounted twin of ``ComboParams.upkeep_npv_cny_per_ha`` (docs/science.md §4.2)."""
    out = np.zeros((len(idx), int(horizon_yr)))
    up, upy = np.nan_to_num(_column(ms, "upkeep_cny_per_ha_yr")), np.nan_to_num(_column(ms, "upkeep_years"))
    for gi in range(idx.shape[1]):
        out += up[idx[:, gi]][:, None] * cost.upkeep_share_by_year(upy[idx[:, gi]], int(horizon_yr))
    return out


def combo_params(ms: pd.DataFrame, idx: np.ndarray, catalog: Catalog, settings: Settings) -> ComboParams:
    """Per-combination model inputs (per ha), folded over its measures."""
    C = len(idx)
    groups = range(idx.shape[1])

    def col(group):
        return idx[:, GROUPS.index(group)]

    def total(name):
        a = np.nan_to_num(_column(ms, name), nan=0.0)
        return sum(a[idx[:, g]] for g in groups)

    def product(name):
        a = np.nan_to_num(_column(ms, name, 1.0), nan=1.0)
        out = np.ones(C)
        for g in groups:
            out = out * a[idx[:, g]]
        return out

    def flag(name):
        return np.concatenate([ms[name].to_numpy(dtype=bool), [False]])

    lf = col("landform")
    veg = col("vegetation")
    water = col("water")

    # interaction multipliers between measures of one option (interactions.csv, 1.0 [P] unless sourced)
    growth_mult = product("growth_multiplier")
    soc_mult = product("soc_multiplier")
    mid_to_i = {m: i for i, m in enumerate(ms["measure_id"])}
    for _, r in catalog.interactions.iterrows():
        a, b = mid_to_i.get(r["measure_a"]), mid_to_i.get(r["measure_b"])
        if a is None or b is None:
            continue
        both = (idx == a).any(axis=1) & (idx == b).any(axis=1)
        growth_mult = np.where(both, growth_mult * r["growth_multiplier"], growth_mult)
        soc_mult = np.where(both, soc_mult * r["soc_multiplier"], soc_mult)

    # growth curves per vegetation type in the site's climate class (vegetation_growth.csv), scaled
    # from the class's reference climate to the site's (docs/science.md §2.2); without vegetation
    # c_max and the SOC rate are 0, and k, m, tau take neutral values that keep the curves defined
    g = catalog.growth_for(settings.climate)
    vt = np.concatenate([ms["vegetation_type"].to_numpy(dtype=object), [""]])[veg]
    has_veg = veg >= 0
    gi_ = g.index.get_indexer(vt)                    # -1 for no vegetation

    def curve(c, fill=0.0, exponent=None):
        v = g[c].to_numpy(dtype=float)
        if exponent is not None:
            v = v * climate.climate_scale(settings.annual_rainfall_mm, settings.mean_temperature_c,
                                          g["ref_rainfall_mm"].to_numpy(float), g["ref_temperature_c"].to_numpy(float),
                                          g[exponent].to_numpy(float))
        return np.where(gi_ >= 0, v[np.maximum(gi_, 0)], fill)

    d = settings.discount_factors()
    upkeep_npv = np.zeros(C)
    up, upy = np.nan_to_num(_column(ms, "upkeep_cny_per_ha_yr")), np.nan_to_num(_column(ms, "upkeep_years"))
    for gi in groups:
        upkeep_npv += up[idx[:, gi]] * cost.annuity_factor(upy[idx[:, gi]], d)
    prevents = np.zeros(C, dtype=bool)
    prevents_degradation = flag("prevents_degradation")
    for gi in groups:
        prevents |= prevents_degradation[idx[:, gi]]
    pf = np.nan_to_num(_column(ms, "p_factor", 1.0), nan=1.0)
    biochar_c = np.zeros(C)
    bm, bfc, bfp = (np.nan_to_num(_column(ms, c)) for c in ("biochar_t_per_ha", "biochar_f_c", "biochar_f_perm"))
    for gi in groups:
        i = idx[:, gi]
        biochar_c += carbon.biochar_carbon(bm[i], bfc[i], bfp[i])
    fire = np.nan_to_num(_column(ms, "fire_avoided_fraction"))
    natural = has_veg & (vt == "natural_regeneration")
    nat_max, nat_rate = natural_cover(catalog, settings.climate)
    return ComboParams(
        veg=veg.astype(np.int32),
        veg_type=vt,
        has_veg=has_veg,
        woody=np.isin(vt, list(WOODY_TYPES)),
        slope_after=np.where(lf >= 0, _column(ms, "slope_after_deg", np.nan)[lf], np.nan),
        capex_cny_per_ha=total("capex_cny_per_ha"),
        earthworks_m3_per_ha=total("earthworks_m3_per_ha"),
        topsoil_cm=total("topsoil_cover_cm"),
        gangue_m3_per_ha=total("gangue_m3_per_ha"),
        backfill=flag("backfill")[col("waste")],
        upkeep_npv_cny_per_ha=upkeep_npv,
        growth_mult=growth_mult,
        soc_mult=soc_mult,
        c_max=curve("c_max_t_c_per_ha", exponent="beta_c_max"), k=curve("k_per_yr", 0.1, exponent="gamma_k"),
        m=curve("m", 1.0), soc_rate=curve("soc_rate_t_c_per_ha_yr", exponent="beta_soc"),
        soc_tau=curve("soc_tau_yr", 20.0), soc_onset_k=curve("soc_onset_k_per_yr", 1.0),
        soc_onset_m=curve("soc_onset_m", 1.0),
        cover_max=np.where(natural, nat_max, np.where(has_veg, _column(ms, "cover_max_pct")[veg], 0.0)),
        cover_rate=np.where(natural, nat_rate, np.where(has_veg, _column(ms, "cover_rate_per_yr")[veg], 0.0)),
        degrades=flag("degrades")[veg] & ~prevents,
        p_factor=np.prod([pf[idx[:, gi]] for gi in groups], axis=0),
        biochar_c_t_per_ha=biochar_c,
        limestone_t_per_ha=total("limestone_t_per_ha"),
        n_kg_per_ha=total("n_fertilizer_kg_per_ha"),
        diesel_l_per_ha=total("diesel_l_per_ha"),
        has_wetland=water >= 0,
        wet_burial=np.where(water >= 0, _column(ms, "wetland_burial_g_c_per_m2_yr")[water], 0.0),
        wet_ch4=np.where(water >= 0, _column(ms, "wetland_ch4_kg_per_ha_yr")[water], 0.0),
        pv_mw_per_ha=total("pv_mw_per_ha"),
        fire_avoided=np.max([fire[idx[:, gi]] for gi in groups], axis=0),
        any_works=(idx >= 0).sum(axis=1) > (has_veg & (vt == "natural_regeneration")).astype(int),
    )
