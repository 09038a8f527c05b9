"""Every feasible restoration option of every zone, scored, held as arrays.

An option is a combination of at most one measure per group (docs/science.md §1.3). Combinations are
enumerated once for the catalog (``enumerate_combos``), filtered by the suitability rules — data
in ``measures.csv``: zone types, slope limits, climates and tags that measures require, exclude,
provide or cancel — for each class of zones with the same tags, then for each zone's slope, and
scored by the cited models in chunks of rows (``evaluate_options``). No Python object is made per
zone–option pair.

Tag semantics (one place): a zone has tags (``type_<zone_type>``, ``burning``, ``contaminated``,
``unstabilized``, ``shallow_water``, ``deep_water``); an option's *final* tags are the zone's,
minus every measure's ``cancels``, plus every measure's ``provides``. Each measure's ``requires``
must hold in the zone's tags plus the provided ones (before cancelling: fire suppression requires
and cancels ``burning``); its ``excludes`` must not hold in the final tags; its ``zone_types`` must
match the zone's type or a type another measure provides (backfill turns a pool into a platform).
Slope limits apply to the zone's slope for landform measures and to the slope after landform works
(``suit_slope_after_deg``) for the others.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .catalog import GROUPS, Catalog, load_catalog
from .models import carbon, cost, credits, erosion
from .settings import Settings

ZONE_TAGS = ("burning", "contaminated", "unstabilized", "shallow_water", "deep_water")
CHUNK_ROWS = 65_536
POOLS = ("biomass", "soc", "biochar", "wetland")


# ----------------------------------------------------------------------------------------------
# combinations
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Combos:
    """All statically possible measure combinations of a catalog (one row per combination)."""

    measures: pd.DataFrame        # the enabled measures, row i = measure index i
    index: np.ndarray             # (C, G) int16 measure index per group, -1 = none
    tags: tuple[str, ...]         # bit i of the masks below = tags[i]
    provides: np.ndarray          # (C,) uint64
    cancels: np.ndarray
    requires: np.ndarray
    excludes: np.ndarray
    params: dict                  # per-combination arrays (C,)
    option_id: np.ndarray         # (C,) object
    label: np.ndarray             # (C,) object, "group=measure; …"
    placeholders: np.ndarray      # (C,) object, "; "-joined [P] measure ids and growth curves

    def __len__(self) -> int:
        return len(self.index)


def _bits(lists, tag_bit) -> np.ndarray:
    out = np.zeros(len(lists), dtype=np.uint64)
    for i, tags in enumerate(lists):
        for t in tags:
            out[i] |= np.uint64(1) << np.uint64(tag_bit[t])
    return out


def enumerate_combos(catalog: Catalog, settings: Settings) -> Combos:
    """Every combination of ≤ 1 enabled measure per group that no zone rule can exclude a priori."""
    ms = catalog.enabled_measures()
    by_group = [[-1] + list(np.flatnonzero(ms["group"].to_numpy() == g)) for g in GROUPS]
    idx = np.array(list(itertools.product(*by_group)), dtype=np.int16)

    tag_names = set(ZONE_TAGS) | {f"type_{t}" for ms_types in ms["zone_types"] for t in ms_types}
    for col in ("requires", "excludes", "provides", "cancels"):
        for lst in ms[col]:
            tag_names.update(lst)
    from .catalog import ZONE_TYPES
    tag_names.update(f"type_{t}" for t in ZONE_TYPES)
    tags = tuple(sorted(tag_names))
    if len(tags) > 64:
        raise ValueError("the catalog uses more than 64 distinct tags")
    bit = {t: i for i, t in enumerate(tags)}
    m_prov = _bits(ms["provides"], bit)
    m_canc = _bits(ms["cancels"], bit)
    m_req = _bits(ms["requires"], bit)
    m_exc = _bits(ms["excludes"], bit)
    m_types = _bits([[f"type_{t}" for t in zt] for zt in ms["zone_types"]], bit)

    def fold(arr):
        ext = np.concatenate([arr, np.zeros(1, dtype=np.uint64)])  # index -1 → 0
        out = np.zeros(len(idx), dtype=np.uint64)
        for g in range(idx.shape[1]):
            out |= ext[idx[:, g]]
        return out

    prov, canc, req, exc = fold(m_prov), fold(m_canc), fold(m_req), fold(m_exc)
    zone_derivable = np.uint64(0)
    for t in tags:
        if t in ZONE_TAGS or t.startswith("type_"):
            zone_derivable |= np.uint64(1) << np.uint64(bit[t])
    ok = (req & ~(prov | zone_derivable)) == 0          # a requirement nothing can meet
    ok &= (exc & prov) == 0                             # excludes what the option itself provides
    idx, prov, canc, req, exc = idx[ok], prov[ok], canc[ok], req[ok], exc[ok]
    # zone types provided by the combination's own measures (backfill → platform)
    type_bits = np.uint64(0)
    for t in tags:
        if t.startswith("type_"):
            type_bits |= np.uint64(1) << np.uint64(bit[t])
    params = _combo_params(ms, idx, catalog, settings)
    # "natural regeneration, no works" happens wherever it can: a combination without vegetation
    # is only offered where its twin with natural regeneration is not feasible (pools, PV floats)
    params["natural_twin"] = _natural_twins(ms, idx)
    params["types_provided"] = prov & type_bits
    params["m_types"] = m_types
    ids, labels, ph = _combo_names(ms, idx, catalog)
    return Combos(measures=ms, index=idx, tags=tags, provides=prov, cancels=canc, requires=req, excludes=exc,
                  params=params, option_id=ids, label=labels, placeholders=ph)


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


def _combo_names(ms: pd.DataFrame, idx: np.ndarray, catalog: Catalog):
    mid = ms["measure_id"].to_numpy()
    conf = ms["confidence"].to_numpy()
    veg = ms["vegetation_type"].to_numpy()
    growth_conf = catalog.growth["confidence"].to_dict() if "confidence" in catalog.growth else {}
    ids, labels, ph = [], [], []
    for row in idx:
        parts = [(GROUPS[g], mid[i]) for g, i in enumerate(row) if i >= 0]
        if not parts:
            ids.append("no_works")
            labels.append("no works")
            ph.append("")
            continue
        ids.append("+".join(m for _, m in parts))
        labels.append("; ".join(f"{g}={m}" for g, m in parts))
        p = [mid[i] for i in row if i >= 0 and conf[i] == "P"]
        p += [f"growth:{veg[i]}" for i in row if i >= 0 and veg[i] and str(growth_conf.get(veg[i], "")) == "P"]
        ph.append("; ".join(p))
    return np.array(ids, dtype=object), np.array(labels, dtype=object), np.array(ph, dtype=object)


def _combo_params(ms: pd.DataFrame, idx: np.ndarray, catalog: Catalog, settings: Settings) -> dict:
    """Per-combination model inputs (per ha), folded over its measures."""
    C = len(idx)
    ext = lambda col, fill=0.0: np.concatenate([ms[col].to_numpy(dtype=float), [fill]])  # noqa: E731
    col = lambda g: idx[:, GROUPS.index(g)]  # noqa: E731

    def total(name):
        a = ext(name)
        a = np.nan_to_num(a, nan=0.0)
        return sum(a[idx[:, g]] for g in range(idx.shape[1]))

    def product(name):
        a = np.nan_to_num(ext(name, 1.0), nan=1.0)
        out = np.ones(C)
        for g in range(idx.shape[1]):
            out = out * a[idx[:, g]]
        return out

    def extreme(name, fn, fill):
        a = ext(name, np.nan)
        a = np.where(np.isnan(a), fill, a)
        out = np.full(C, fill)
        for g in range(idx.shape[1]):
            if GROUPS[g] == "landform":
                continue
            out = fn(out, a[idx[:, g]])
        return out

    lf = col("landform")
    veg = col("vegetation")
    lf_min = np.where(lf >= 0, ext("min_slope_deg", 0.0)[lf], 0.0)
    lf_max = np.where(lf >= 0, ext("max_slope_deg", 90.0)[lf], 90.0)
    suit_after = np.where(lf >= 0, ext("suit_slope_after_deg", np.nan)[lf], np.nan)
    slope_after = np.where(lf >= 0, ext("slope_after_deg", np.nan)[lf], np.nan)

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

    # growth curves per vegetation type
    g = catalog.growth
    vt = np.concatenate([ms["vegetation_type"].to_numpy(dtype=object), [""]])[veg]
    has_veg = veg >= 0
    gi_ = g.index.get_indexer(vt)                    # -1 for no vegetation

    def get(c, fill=0.0):
        return np.where(gi_ >= 0, g[c].to_numpy(dtype=float)[np.maximum(gi_, 0)], fill)

    d = settings.discount_factors()
    upkeep_npv = np.zeros(C)
    up, upy = np.nan_to_num(ext("upkeep_cny_per_ha_yr")), np.nan_to_num(ext("upkeep_years"))
    for gi in range(idx.shape[1]):
        upkeep_npv += up[idx[:, gi]] * cost.annuity_factor(upy[idx[:, gi]], d)
    degrades = np.concatenate([ms["degrades"].to_numpy(dtype=bool), [False]])[veg]
    prevents = np.zeros(C, dtype=bool)
    pd_ = np.concatenate([ms["prevents_degradation"].to_numpy(dtype=bool), [False]])
    for gi in range(idx.shape[1]):
        prevents |= pd_[idx[:, gi]]
    pf = np.nan_to_num(ext("p_factor", 1.0), nan=1.0)
    biochar_c = np.zeros(C)
    bm, bfc, bfp = (np.nan_to_num(ext(c)) for c in ("biochar_t_per_ha", "biochar_f_c", "biochar_f_perm"))
    for gi in range(idx.shape[1]):
        i = idx[:, gi]
        biochar_c += carbon.biochar_carbon(bm[i], bfc[i], bfp[i])
    water = col("water")
    return dict(
        veg=veg.astype(np.int32),
        veg_type=vt,
        has_veg=has_veg,
        woody=np.isin(vt, ["tree_shrub_herb", "robinia", "poplar", "conifer", "shrub"]),
        lf=lf, lf_min=lf_min, lf_max=lf_max, suit_after=suit_after, slope_after=slope_after,
        o_min=extreme("min_slope_deg", np.maximum, 0.0),
        o_max=extreme("max_slope_deg", np.minimum, 90.0),
        climates=[ms["climates"].to_numpy(dtype=object)[i] if i >= 0 else () for i in veg],
        capex_cny_per_ha=total("capex_cny_per_ha"),
        earthworks_m3_per_ha=total("earthworks_m3_per_ha"),
        topsoil_cm=total("topsoil_cover_cm"),
        gangue_m3_per_ha=total("gangue_m3_per_ha"),
        backfill=np.concatenate([ms["backfill"].to_numpy(dtype=bool), [False]])[col("waste")],
        upkeep_npv_cny_per_ha=upkeep_npv,
        growth_mult=growth_mult,
        soc_mult=soc_mult,
        c_max=get("c_max_t_c_per_ha"), k=get("k_per_yr", 0.1), m=get("m", 1.0),
        soc_gain=get("soc_gain_eq_t_c_per_ha"), soc_tau=get("soc_tau_yr", 20.0),
        cover_max=np.where(has_veg, ext("cover_max_pct")[veg], 0.0),
        cover_rate=np.where(has_veg, ext("cover_rate_per_yr")[veg], 0.0),
        degrades=degrades & ~prevents,
        p_factor=np.prod([pf[idx[:, gi]] for gi in range(idx.shape[1])], axis=0),
        biochar_c_t_per_ha=biochar_c,
        limestone_t_per_ha=total("limestone_t_per_ha"),
        n_kg_per_ha=total("n_fertilizer_kg_per_ha"),
        diesel_l_per_ha=total("diesel_l_per_ha"),
        has_wetland=water >= 0,
        wet_burial=np.where(water >= 0, ext("wetland_burial_g_c_per_m2_yr")[water], 0.0),
        wet_ch4=np.where(water >= 0, ext("wetland_ch4_kg_per_ha_yr")[water], 0.0),
        pv_mw_per_ha=total("pv_mw_per_ha"),
        fire_avoided=np.max([np.nan_to_num(ext("fire_avoided_fraction"))[idx[:, gi]]
                             for gi in range(idx.shape[1])], axis=0),
        any_works=(idx >= 0).sum(axis=1) > (has_veg & (vt == "natural_regeneration")).astype(int),
    )


# ----------------------------------------------------------------------------------------------
# feasibility per zone
# ----------------------------------------------------------------------------------------------
def zone_tags(zones: pd.DataFrame, catalog: Catalog, tags: tuple[str, ...]) -> np.ndarray:
    """Tag bitmask of every zone (uint64)."""
    bit = {t: np.uint64(1) << np.uint64(i) for i, t in enumerate(tags)}
    n = len(zones)
    out = np.zeros(n, dtype=np.uint64)
    ztype = zones["zone_type"].astype(str).to_numpy()
    for t in np.unique(ztype):
        if f"type_{t}" in bit:
            out[ztype == t] |= bit[f"type_{t}"]
    burning = zones["burning"].astype(str).to_numpy() != "none"
    cont = zones["contaminated"].to_numpy(dtype=bool)
    water = zones["water_depth_m"].to_numpy(dtype=float)
    pool = ztype == "subsidence_pool"
    shallow = pool & (water <= catalog.param("shallow_water_max_m"))
    deep = pool & (water >= catalog.param("deep_water_min_m"))
    for name, mask in (("burning", burning), ("contaminated", cont), ("unstabilized", cont),
                       ("shallow_water", shallow), ("deep_water", deep)):
        if name in bit:
            out[mask] |= bit[name]
    return out


def _class_feasible(combos: Combos, ztags: np.uint64, climate: str) -> np.ndarray:
    """Combinations feasible for a zone class (tags only; slopes are checked per zone)."""
    p = combos.params
    prov, canc, req, exc = combos.provides, combos.cancels, combos.requires, combos.excludes
    final = (ztags & ~canc) | prov
    ok = (req & ~(ztags | prov)) == 0
    ok &= (exc & final) == 0
    types_ok_for = ztags | p["types_provided"]
    m_types = np.concatenate([p["m_types"], [np.uint64(0xFFFFFFFFFFFFFFFF)]])
    for g in range(combos.index.shape[1]):
        i = combos.index[:, g]
        if GROUPS[g] == "waste":  # waste treatment acts on the zone as it is
            ok &= (m_types[i] & ztags) != 0
        else:
            ok &= (m_types[i] & types_ok_for) != 0
    clim = np.array([(not c) or (climate in c) for c in p["climates"]])
    ok &= clim
    twin = p["natural_twin"]
    has_twin = twin >= 0
    ok[has_twin] &= ~ok[twin[has_twin]]
    return ok


def feasible_rows(combos: Combos, zones: pd.DataFrame, catalog: Catalog, settings: Settings):
    """(zone_ptr, combo index per row) of every feasible zone–option pair, zone by zone."""
    tags = zone_tags(zones, catalog, combos.tags)
    slope = _suitability_slope(zones, catalog)
    p = combos.params
    n = len(zones)
    per_zone: list[np.ndarray] = [None] * n  # type: ignore[list-item]
    for t in np.unique(tags):
        members = np.flatnonzero(tags == t)
        cls = np.flatnonzero(_class_feasible(combos, t, settings.climate))
        s = slope[members][:, None]
        lf = p["lf"][cls][None, :] >= 0
        eff = np.where(np.isnan(p["suit_after"][cls])[None, :], s, np.minimum(s, p["suit_after"][cls][None, :]))
        ok = ~lf | ((s >= p["lf_min"][cls]) & (s <= p["lf_max"][cls]))
        ok &= (eff >= p["o_min"][cls] - 1e-9) & (eff <= p["o_max"][cls] + 1e-9)
        for j, z in enumerate(members):
            per_zone[z] = cls[ok[j]]
    counts = np.array([len(r) for r in per_zone], dtype=np.int64)
    zone_ptr = np.concatenate([[0], np.cumsum(counts)])
    combo = np.concatenate(per_zone).astype(np.int32) if n else np.zeros(0, np.int32)
    return zone_ptr, combo


def _suitability_slope(zones: pd.DataFrame, catalog: Catalog) -> np.ndarray:
    s = zones["slope_deg"].to_numpy(dtype=float).copy()
    zt = zones["zone_type"].astype(str).to_numpy()
    s = np.where(np.isnan(s) & (zt == "waste_heap"), catalog.param("default_slope_waste_heap_deg"), s)
    s = np.where(np.isnan(s) & (zt == "subsidence_pool"), 0.0, s)
    return np.where(np.isnan(s), catalog.param("default_slope_platform_deg"), s)


# ----------------------------------------------------------------------------------------------
# scoring
# ----------------------------------------------------------------------------------------------
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
    data: dict
    settings: Settings
    catalog: Catalog
    eligible: dict                # standard → bool array (n_rows,)
    site_placeholders: tuple[str, ...] = ()
    site_sha256: str = ""
    site_path: str = ""

    @property
    def n_rows(self) -> int:
        return len(self.combo)

    @property
    def n_zones(self) -> int:
        return len(self.zone_ptr) - 1

    @property
    def zone_of_row(self) -> np.ndarray:
        return np.repeat(np.arange(self.n_zones), np.diff(self.zone_ptr))

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
        ids = self.option_id
        is_base = (ids == "natural_regeneration") | (ids == "no_works")
        z = self.zone_of_row
        rows = np.full(self.n_zones, -1, dtype=np.int64)
        cand = np.flatnonzero(is_base)
        # prefer natural regeneration where both exist (it is listed after no_works only on pools)
        rows[z[cand[::-1]]] = cand[::-1]
        missing = rows < 0
        rows[missing] = self.zone_ptr[:-1][missing]
        return rows

    def trajectories(self, rows: np.ndarray) -> pd.DataFrame:
        """Site-wide annual series of a plan (one row per zone): year, each carbon pool, net
        removals, its cumulative sum, credits, soil loss and avoided emissions."""
        series = self.annual(np.asarray(rows))
        years = self.settings.years
        df = pd.DataFrame({"year": years, "calendar_year": self.settings.start_year + years})
        for k, v in series.items():
            df[k] = v.sum(axis=0)
        df["cumulative_net_removals_tco2e"] = df["net_removals_tco2e"].cumsum()
        return df

    def to_frame(self, rows: np.ndarray | None = None) -> pd.DataFrame:
        """The option table as a DataFrame (every row, or the given flat rows)."""
        rows = np.arange(self.n_rows) if rows is None else np.asarray(rows)
        z = self.zone_of_row[rows]
        df = pd.DataFrame({
            "zone_id": self.zones["zone_id"].to_numpy()[z],
            "option_id": self.combos.option_id[self.combo[rows]],
            "zone_type": self.zones["zone_type"].astype(str).to_numpy()[z],
            "measures": self.combos.label[self.combo[rows]],
            "vegetation_type": self.combos.params["veg_type"][self.combo[rows]],
        })
        for c in COLUMNS:
            df[c] = self.data[c][rows]
        df["eligible_standards"] = self.eligible_standards()[rows]
        df["placeholder_params"] = self.placeholder_params()[rows]
        return df

    def annual(self, rows: np.ndarray) -> dict:
        """Annual series (len(rows), horizon) for the given flat rows, per zone (not per ha).

        Keys: ``net_removals_tco2e`` and its parts ``biomass_tco2e``, ``soc_tco2e``,
        ``biochar_tco2e``, ``wetland_tco2e``, ``erosion_tco2e`` (carbon carried off, negative),
        ``project_emissions_tco2e`` (negative), ``credits_tco2e``, ``soil_loss_t``,
        ``avoided_tco2e``.
        """
        rows = np.asarray(rows, dtype=np.int64)
        out = _score(self._inputs(rows), self.settings, self.catalog, series=True)
        return out["series"]

    def _inputs(self, rows):
        return _row_inputs(_zone_arrays(self.zones, self.catalog), self.zone_of_row[rows], self.combo[rows],
                           self.combos, self._credited_pools(rows))

    def _credited_pools(self, rows):
        return _credited_pool_mask(self.eligible, rows, self.catalog, self.settings)


COLUMNS = ("area_ha", "removals_tco2e", "avoided_tco2e", "credits_tco2e", "credit_value_cny", "cost_cny",
           "capex_cny", "soil_loss_t_per_yr", "soil_loss_first_year_t", "topsoil_m3", "gangue_m3",
           "within_tolerance")


def _credited_pool_mask(eligible: dict, rows, catalog: Catalog, settings: Settings) -> np.ndarray:
    """(len(rows), 4) bool: which pools (biomass, soc, biochar, wetland) earn credits under any
    assessed standard (each pool credited once)."""
    out = np.zeros((len(rows), len(POOLS)), dtype=bool)
    for s in settings.standards:
        pools = catalog.standards.at[s, "credited_pools"]
        for j, p in enumerate(POOLS):
            if p in pools:
                out[:, j] |= eligible[s][rows]
    return out


def _zone_arrays(zones: pd.DataFrame, catalog: Catalog) -> dict:
    """Per-zone model inputs as arrays, computed once per table (defaults for missing values)."""
    return dict(
        area=zones["area_ha"].to_numpy(dtype=float),
        zone_type=zones["zone_type"].astype(str).to_numpy(),
        slope=_suitability_slope(zones, catalog),
        length=np.nan_to_num(zones["slope_length_m"].to_numpy(dtype=float),
                             nan=catalog.param("default_slope_length_m")),
        soil_cm=zones["soil_depth_cm"].to_numpy(dtype=float),
        water_m=np.nan_to_num(zones["water_depth_m"].to_numpy(dtype=float), nan=0.0),
        burning=zones["burning"].astype(str).to_numpy(),
    )


def _row_inputs(zone_arrays: dict, z, c, combos: Combos, credited):
    """Model inputs of rows (zone index ``z``, combination ``c``): zone and combination arrays gathered."""
    p = combos.params
    return dict(
        credited=credited,
        **{k: v[z] for k, v in zone_arrays.items()},
        **{k: v[c] for k, v in p.items() if isinstance(v, np.ndarray) and v.shape == (len(combos),)},
    )


def _score(x: dict, s: Settings, cat: Catalog, series: bool = False) -> dict:
    """Score rows (per zone totals over the horizon; optionally annual series)."""
    t = s.years.astype(float)                      # (T,)
    d = s.discount_factors()                        # (T,)
    w_value = s.price_path_cny_per_t() * d          # CNY per t CO2e credited in year t, discounted
    n = len(x["area"])
    area = x["area"][:, None]
    col = lambda a: np.asarray(a, dtype=float)[:, None]  # noqa: E731
    pool = x["zone_type"] == "subsidence_pool"
    water = pool & ~x["backfill"]                   # still water after the works

    # --- erosion (RUSLE) -------------------------------------------------------------------
    slope = np.where(np.isnan(x["slope_after"]), x["slope"], np.minimum(x["slope"], x["slope_after"]))
    slope = np.where(pool & x["backfill"], cat.param("default_slope_platform_deg"), slope)
    ls = erosion.ls_factor(slope, np.maximum(x["length"], 0.1), method=s.slope_steepness_method)
    cover = erosion.vegetation_cover_series(t, col(x["cover_max"]), col(x["cover_rate"]))
    c_factor = erosion.cover_management_factor(np.clip(cover, 0.0, 100.0))
    a_t = erosion.soil_loss(s.rainfall_erosivity_mj_mm_per_ha_h_yr, s.soil_erodibility_t_ha_h_per_ha_mj_mm,
                            col(ls), c_factor, col(x["p_factor"]))          # t/ha/yr, (n, T)
    a_t = np.where(water[:, None], 0.0, a_t)

    # --- carbon stocks and flows, per ha ---------------------------------------------------
    depth = np.minimum(x["soil_cm"] + x["topsoil_cm"], cat.param("cover_depth_full_cm"))
    depth_mult = cat.param("cover_depth_min_multiplier") + (1 - cat.param("cover_depth_min_multiplier")) * (
        depth / cat.param("cover_depth_full_cm"))
    growth = x["growth_mult"] * depth_mult * carbon.rainfall_growth_multiplier(s.annual_rainfall_mm)
    soc_eq = s.initial_soc_t_per_ha + col(x["soc_gain"] * x["soc_mult"])

    def stocks(tt):
        b = carbon.biomass_carbon_stock(tt, col(x["c_max"]), col(x["k"]), col(x["m"]), col(growth))
        o = carbon.soc_stock(tt, s.initial_soc_t_per_ha, soc_eq, col(x["soc_tau"])) - s.initial_soc_t_per_ha
        return b, o

    bio, soc = stocks(t)
    if np.any(x["degrades"]):
        # Yang et al. 2015's losses are relative to the year-10 stock: freeze growth at onset,
        # then apply the decline (carbon.degradation_factor) [B]; linear path [P]
        dg = x["degrades"]
        onset = carbon.YANG2015_ONSET_YR
        b_frozen, o_frozen = stocks(np.minimum(t, onset))
        bio = np.where(dg[:, None], b_frozen * carbon.degradation_factor(t), bio)
        soc = np.where(dg[:, None], o_frozen * carbon.degradation_factor(
            t, loss_fraction=carbon.YANG2015_SOC_LOSS_FRACTION), soc)
    d_bio = carbon.annual_increments(bio)
    d_soc = carbon.annual_increments(soc)
    c_out = carbon.erosion_carbon_loss(a_t, s.surface_soc_g_per_kg)        # t C/ha/yr
    biochar = np.zeros((n, len(t)))
    biochar[:, 0] = x["biochar_c_t_per_ha"]
    burial = np.where(x["has_wetland"], x["wet_burial"],
                      cat.param(f"pool_{s.subsidence_water_as}_burial_g_c_per_m2_yr"))
    ch4 = np.where(x["has_wetland"], x["wet_ch4"], cat.param(f"pool_{s.subsidence_water_as}_ch4_kg_per_ha_yr"))
    wet = np.where(water, carbon.wetland_net_removal_co2e(burial, ch4), 0.0)[:, None] * np.ones(len(t))
    backfill_m3_per_ha = np.where(x["backfill"] & pool, x["water_m"] * 1e4, 0.0)
    diesel = x["diesel_l_per_ha"] + backfill_m3_per_ha * cat.param("earthworks_diesel_l_per_m3")
    e_proj = (carbon.diesel_co2_t(diesel) + carbon.limestone_co2_t(x["limestone_t_per_ha"])
              + carbon.n2o_fertilizer_co2e_t(x["n_kg_per_ha"]))                 # t CO2e/ha in year 1
    k = carbon.C_TO_CO2
    parts = {  # t CO2e per zone and year
        "biomass_tco2e": k * d_bio * area,
        "soc_tco2e": k * d_soc * area,
        "biochar_tco2e": k * biochar * area,
        "wetland_tco2e": wet * area,
        "erosion_tco2e": -k * c_out * area,
    }
    emis = np.zeros((n, len(t)))
    emis[:, 0] = -e_proj * x["area"]
    parts["project_emissions_tco2e"] = emis
    net = sum(parts.values())

    # --- credits -----------------------------------------------------------------------------
    cr = x["credited"]                               # (n, 4) biomass, soc, biochar, wetland
    eligible_net = (cr[:, [0]] * parts["biomass_tco2e"] + cr[:, [1]] * (parts["soc_tco2e"] + parts["erosion_tco2e"])
                    + cr[:, [2]] * parts["biochar_tco2e"] + cr[:, [3]] * parts["wetland_tco2e"])
    any_cr = cr.any(axis=1)[:, None]
    eligible_net = np.where(any_cr, eligible_net + emis, 0.0)
    factor = credits.credit_factor(s.buffer_fraction, float(cat.monitoring.at[s.monitoring_level,
                                                                             "uncertainty_deduction"]))
    cred_t = credits.credits_tco2e(eligible_net, factor)
    cred_total = cred_t.sum(axis=1)
    value = credits.credit_value_cny(cred_t, s.price_path_cny_per_t(), d)
    negative = cred_total <= 0                      # a net source earns nothing
    cred_total = np.where(negative, 0.0, cred_total)
    value = np.where(negative, 0.0, value)

    # --- avoided emissions (kept apart) --------------------------------------------------------
    fire_years = (t <= cat.param("fire_burnout_yr")).astype(float)
    burning_m2 = x["area"] * 1e4 * cat.param("burning_area_fraction")
    fire = carbon.gangue_fire_avoided_co2e_t_per_yr(burning_m2 * x["fire_avoided"], x["burning"])
    pv = carbon.pv_avoided_co2e_t_per_yr(x["area"], x["pv_mw_per_ha"], s.pv_yield_kwh_per_kwp,
                                         s.grid_emission_factor_t_per_mwh)
    avoided_t = fire[:, None] * fire_years + pv[:, None] * (t >= cat.param("pv_first_year"))

    # --- cost ----------------------------------------------------------------------------------
    topsoil_m3_per_ha = x["topsoil_cm"] * 100.0     # 1 cm over 1 ha = 100 m³
    works = cost.works_cny_per_ha(x["capex_cny_per_ha"], x["earthworks_m3_per_ha"] + backfill_m3_per_ha,
                                  topsoil_m3_per_ha, earthworks_cny_per_m3=cat.param("earthworks_cny_per_m3"),
                                  topsoil_cny_per_m3=cat.param("topsoil_placement_cny_per_m3")) * x["area"]
    capex = cost.capex_cny(works, management_fraction=cat.param("management_fraction"),
                           contingency_fraction=cat.param("contingency_fraction"))
    monitoring = np.where(x["any_works"], float(cat.monitoring.at[s.monitoring_level, "cost_cny_per_ha_yr"]), 0.0)
    # upkeep is discounted per combination (each measure over its own years) in _combo_params
    npv = cost.npv_cost_cny(capex, 0.0, 0.0, works * cat.param("maintenance_fraction"), monitoring * x["area"], d) \
        + x["upkeep_npv_cny_per_ha"] * x["area"]
    mean_loss = a_t.mean(axis=1)
    out = {
        "area_ha": x["area"],
        "removals_tco2e": net.sum(axis=1),
        "avoided_tco2e": avoided_t.sum(axis=1),
        "credits_tco2e": cred_total,
        "credit_value_cny": value,
        "cost_cny": npv,
        "capex_cny": capex,
        "soil_loss_t_per_yr": mean_loss * x["area"],
        "soil_loss_first_year_t": a_t[:, 0] * x["area"],
        "topsoil_m3": topsoil_m3_per_ha * x["area"],
        "gangue_m3": (x["gangue_m3_per_ha"] + backfill_m3_per_ha) * x["area"],
        "within_tolerance": mean_loss <= s.tolerable_soil_loss_t_per_ha_yr + 1e-12,
    }
    if series:
        out["series"] = dict(parts, net_removals_tco2e=net, credits_tco2e=np.where(negative[:, None], 0.0, cred_t),
                             soil_loss_t=a_t * area, avoided_tco2e=avoided_t)
    return out


def evaluate_options(site, catalog: Catalog | str | None = None, settings: Settings | None = None,
                     progress=None) -> OptionTable:
    """Enumerate and score every feasible option of every zone of ``site``.

    ``catalog``: a :class:`Catalog`, a planner's catalog file to apply over the bundled one, or None.
    ``settings``: override the site's settings. ``progress(done_rows, total_rows)`` is called after
    each chunk.
    """
    cat = catalog if isinstance(catalog, Catalog) else load_catalog(catalog)
    s = settings or site.settings
    unknown = [x for x in s.standards if x not in cat.standards.index]
    if unknown:
        from .errors import Problem, SettingsError
        raise SettingsError([Problem(file=s.file or "<settings>", field="accounting.standards",
                                     message=f"unknown standard {u!r}; the catalog has "
                                             f"{', '.join(cat.standards.index)}") for u in unknown])
    zones = pd.DataFrame(site.zones.drop(columns="geometry", errors="ignore")).reset_index(drop=True)
    combos = enumerate_combos(cat, s)
    zone_ptr, combo = feasible_rows(combos, zones, cat, s)
    n_rows = len(combo)
    zone_of_row = np.repeat(np.arange(len(zones)), np.diff(zone_ptr))

    elig = {}
    p = combos.params
    for st in s.standards:
        r = cat.standards.loc[st]
        has_excluded = np.zeros(len(combos), dtype=bool)
        for tag in r["excluded_tags"]:
            if tag in combos.tags:
                b = np.uint64(1) << np.uint64(combos.tags.index(tag))
                has_excluded |= (combos.provides & b) != 0
        ok = credits.eligible(zones["land_designation"].to_numpy(dtype=object)[zone_of_row],
                              zones["zone_type"].astype(str).to_numpy()[zone_of_row],
                              zones["area_ha"].to_numpy(dtype=float)[zone_of_row] * 1e4,
                              p["veg_type"][combo], [()] * n_rows,
                              land_designations=r["land_designations"] or ("*",),
                              vegetation_types=r["vegetation_types"] or ("*",),
                              excluded_zone_types=r["excluded_zone_types"], excluded_tags=(),
                              min_parcel_m2=r["min_parcel_m2"] if np.isfinite(r["min_parcel_m2"]) else 0.0)
        ok &= ~has_excluded[combo]
        if "biochar" in r["credited_pools"] and tuple(r["credited_pools"]) == ("biochar",):
            ok &= p["biochar_c_t_per_ha"][combo] > 0
        elig[st] = ok

    data = {c: np.empty(n_rows, dtype=bool if c == "within_tolerance" else float) for c in COLUMNS}
    zone_arrays = _zone_arrays(zones, cat)
    for start in range(0, n_rows, CHUNK_ROWS):
        rows = np.arange(start, min(n_rows, start + CHUNK_ROWS))
        x = _row_inputs(zone_arrays, zone_of_row[rows], combo[rows], combos, _credited_pool_mask(elig, rows, cat, s))
        scored = _score(x, s, cat)
        for c in COLUMNS:
            data[c][rows] = scored[c]
        if progress is not None:
            progress(rows[-1] + 1, n_rows)
    site_ph = tuple(f"setting:{k}" for k in s.placeholders)
    return OptionTable(zones=zones, zone_ptr=zone_ptr, combo=combo, combos=combos, data=data, settings=s,
                       catalog=cat, eligible=elig, site_placeholders=site_ph,
                       site_sha256=getattr(site, "sha256", ""), site_path=getattr(site, "path", ""))
