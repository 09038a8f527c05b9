"""Which combinations each zone may take: the suitability rules of ``measures.csv`` applied to zones.

Rules are data (zone types, slope limits, climates, tags; docs/science.md §1.3). Tags are checked
once per class of zones with the same tags (:func:`zone_tags`), slopes and land rules (vegetation a
land designation may not take, ``land_rules.csv``: :mod:`.land`) zone by zone (:func:`feasible_rows`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..catalog import GROUPS, Catalog
from ..settings import Settings
from .combos import Combos
from .land import forbidden_combos

#: Slack on slope limits [°], so that a limit equal to the slope admits it despite rounding.
SLOPE_LIMIT_SLACK_DEG = 1e-9


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


def suitability_slope(zones: pd.DataFrame, catalog: Catalog) -> np.ndarray:
    """Each zone's slope [°], with the catalog's defaults where none is given (a pool is flat)."""
    s = zones["slope_deg"].to_numpy(dtype=float).copy()
    zt = zones["zone_type"].astype(str).to_numpy()
    s = np.where(np.isnan(s) & (zt == "waste_heap"), catalog.param("default_slope_waste_heap_deg"), s)
    s = np.where(np.isnan(s) & (zt == "subsidence_pool"), 0.0, s)
    return np.where(np.isnan(s), catalog.param("default_slope_platform_deg"), s)


def class_feasible(combos: Combos, ztags: np.uint64, climate: str) -> np.ndarray:
    """Combinations feasible for a zone class (tags only; slopes are checked per zone)."""
    r = combos.rules
    prov, canc, req, exc = combos.provides, combos.cancels, combos.requires, combos.excludes
    final = (ztags & ~canc) | prov
    ok = (req & ~(ztags | prov)) == 0
    ok &= (exc & final) == 0
    types_ok_for = ztags | r.types_provided
    m_types = np.concatenate([r.measure_types, [np.uint64(0xFFFFFFFFFFFFFFFF)]])
    for g in range(combos.index.shape[1]):
        i = combos.index[:, g]
        if GROUPS[g] == "waste":  # waste treatment acts on the zone as it is
            ok &= (m_types[i] & ztags) != 0
        else:
            ok &= (m_types[i] & types_ok_for) != 0
    clim = np.array([(not c) or (climate in c) for c in r.climates])
    ok &= clim
    twin = r.natural_twin
    has_twin = twin >= 0
    ok[has_twin] &= ~ok[twin[has_twin]]
    return ok


def feasible_rows(combos: Combos, zones: pd.DataFrame, catalog: Catalog, settings: Settings):
    """(zone_ptr, combo index per row) of every feasible zone–option pair, zone by zone."""
    tags = zone_tags(zones, catalog, combos.tags)
    slope = suitability_slope(zones, catalog)
    r = combos.rules
    n = len(zones)
    land = forbidden_combos(combos, catalog)
    designation = zones["land_designation"].astype(str).to_numpy()
    per_zone: list[np.ndarray] = [None] * n  # type: ignore[list-item]
    for t in np.unique(tags):
        members = np.flatnonzero(tags == t)
        cls = np.flatnonzero(class_feasible(combos, t, settings.climate))
        s = slope[members][:, None]
        lf = r.lf[cls][None, :] >= 0
        eff = np.where(np.isnan(r.suit_after[cls])[None, :], s, np.minimum(s, r.suit_after[cls][None, :]))
        ok = ~lf | ((s >= r.lf_min[cls]) & (s <= r.lf_max[cls]))
        ok &= (eff >= r.o_min[cls] - SLOPE_LIMIT_SLACK_DEG) & (eff <= r.o_max[cls] + SLOPE_LIMIT_SLACK_DEG)
        for d, bad in land.items():              # land rules: per designation, over the class
            ok &= ~((designation[members] == d)[:, None] & bad[cls][None, :])
        for j, z in enumerate(members):
            per_zone[z] = cls[ok[j]]
    counts = np.array([len(rows) for rows in per_zone], dtype=np.int64)
    zone_ptr = np.concatenate([[0], np.cumsum(counts)])
    combo = np.concatenate(per_zone).astype(np.int32) if n else np.zeros(0, np.int32)
    return zone_ptr, combo
