"""The attribute columns of a zoning table: canonical names (aliases, Shapefile's 10-character
names), numbers with their ranges (percent slopes converted to degrees), categories with their
defaults, and the zones table assembled from them. Every problem is gathered with its zone and field.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..catalog import ZONE_TYPES
from ..errors import Issue
from ..i18n import _

BURNING = ("none", "low", "medium", "high")
KNOWN_DESIGNATIONS = ("mining_land", "planned_afforestation_land", "farmland", "grassland", "construction_land",
                      "water", "other")
FIELDS = ("zone_id", "zone_type", "slope_deg", "slope_length_m", "soil_depth_cm", "burning", "water_depth_m",
          "contaminated", "land_designation")

# Aliases (lower case) → canonical field. Shapefile truncates names to 10 characters.
ALIASES = {
    "zone_id": ("id", "zoneid", "zone", "zone_code", "zone_no"),
    "zone_type": ("type", "zonetype", "zone_typ", "landform", "unit_type"),
    "slope_deg": ("slope", "slope_degree", "slope_degrees", "slopedeg", "slope_de"),
    "slope_pct": ("slope_percent", "slope_pc", "slopepct", "slope_perc", "slope_per"),
    "slope_length_m": ("slope_length", "slope_len", "slope_leng", "slopelen", "lambda_m", "length_m", "slope_le_1"),
    "soil_depth_cm": ("soil_depth", "soil_dept", "cover_soil_cm", "soildepth", "topsoil_cm"),
    "burning": ("burn", "fire", "burning_level", "combustion"),
    "water_depth_m": ("water_depth", "water_dept", "water_dep", "depth_m"),
    "contaminated": ("contaminat", "contamination", "heavy_metals", "polluted"),
    "land_designation": ("land_desig", "designation", "land_use", "landuse", "land_des"),
    "area_ha": ("area", "area_hectares", "hectares", "ha"),
}
# Chinese field names (GB/T 21010 land-use and SL 190-2007 soil-erosion terms, as Chinese zoning
# tables name them): the same fields, read like the English aliases.
ALIASES_ZH = {
    "zone_id": ("分区编号", "分区号", "编号", "图斑编号", "分区"),
    "zone_type": ("分区类型", "类型", "地貌单元", "单元类型"),
    "slope_deg": ("坡度", "坡度_度", "坡度(度)", "坡度（度）", "坡度(°)", "坡度（°）"),
    "slope_pct": ("坡度百分比", "坡度(%)", "坡度（%）"),
    "slope_length_m": ("坡长", "坡长_米", "坡长(m)", "坡长（m）"),
    "soil_depth_cm": ("土层厚度", "覆土厚度", "土层厚度(cm)", "土层厚度（cm）"),
    "burning": ("自燃", "自燃程度", "自燃等级"),
    "water_depth_m": ("水深", "水深(m)", "水深（m）"),
    "contaminated": ("污染", "重金属污染", "是否污染"),
    "land_designation": ("用地类型", "土地用途", "规划用途", "地类"),
    "area_ha": ("面积", "面积_公顷", "面积(公顷)", "面积（公顷）", "面积(hm2)", "面积（hm²）"),
    "lock_option": ("锁定方案", "锁定"),
    "forbid": ("禁用措施", "禁用"),
}
for _canon, _zh in ALIASES_ZH.items():
    ALIASES[_canon] = ALIASES.get(_canon, ()) + _zh
#: Chinese values of the category fields → canonical values.
VALUE_ALIASES = {
    "zone_type": {"平台": "platform", "排土场平台": "platform", "边坡": "slope", "坡面": "slope",
                  "排土场边坡": "slope", "矸石山": "waste_heap", "矸石堆": "waste_heap", "煤矸石山": "waste_heap",
                  "坑底": "pit_floor", "采坑底部": "pit_floor", "塌陷水域": "subsidence_pool",
                  "塌陷坑塘": "subsidence_pool", "塌陷积水区": "subsidence_pool"},
    "burning": {"无": "none", "未自燃": "none", "轻": "low", "轻度": "low", "低": "low", "中": "medium",
                "中度": "medium", "重": "high", "重度": "high", "高": "high"},
    "land_designation": {"采矿用地": "mining_land", "规划造林地": "planned_afforestation_land",
                         "宜林地": "planned_afforestation_land", "耕地": "farmland", "草地": "grassland",
                         "建设用地": "construction_land", "水域": "water", "其他": "other", "其他用地": "other"},
}

RANGES = {  # field: (low, high, unit)
    "slope_deg": (0.0, 90.0, "°"),
    "slope_pct": (0.0, 1000.0, "%"),
    "slope_length_m": (0.0, 2000.0, "m"),
    "soil_depth_cm": (0.0, 500.0, "cm"),
    "water_depth_m": (0.0, 100.0, "m"),
    "area_ha": (0.0, 1e6, "ha"),
}
# Text that means "no value" in a numeric field (empty cells; None/NULL written out as text). A
# float NaN read from a GeoPackage, GeoJSON or Shapefile is a NULL there and also means "no value".
MISSING_TEXT = {"", "none", "<na>", "null"}
# Text that looks like a number but is not a finite one: a mistake, never a value.
NON_FINITE_TEXT = {"nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"}
TRUE = {"true", "t", "yes", "y", "1", "1.0", "是", "有"}
FALSE = {"false", "f", "no", "n", "0", "0.0", "", "否", "无"}
SLOPE_AGREEMENT_DEG = 0.5       # slope_deg and slope_pct given together may differ by this much


def _canonical_columns(cols: list[str]) -> dict[str, str]:
    """Map the file's column names to canonical ones (case-insensitive, aliases)."""
    rename: dict[str, str] = {}
    lower = {c.lower().strip(): c for c in cols}
    for canon, aliases in ALIASES.items():
        for name in (canon, *aliases):
            if name in lower and lower[name] not in rename:
                if canon not in rename.values():
                    rename[lower[name]] = canon
                break
    for canon in FIELDS:  # canonical names not covered by ALIASES keys
        if canon in lower and lower[canon] not in rename and canon not in rename.values():
            rename[lower[canon]] = canon
    return rename



def _parse_bool(values: pd.Series, ids: pd.Series, file: str, problems: list[Issue]) -> np.ndarray:
    out = np.zeros(len(values), dtype=bool)
    for i, v in enumerate(values):
        if v is None or (isinstance(v, float) and math.isnan(v)):
            continue
        s = str(v).strip().lower()
        if s in TRUE:
            out[i] = True
        elif s not in FALSE:
            problems.append(Issue(file=file, zone_id=ids.iloc[i], field="contaminated",
                                    message=_("{value} is not true/false").format(value=repr(v))))
    return out


def _parse_number(df: pd.DataFrame, col: str, file: str, problems: list[Issue],
                  reported: set | None = None, ids: pd.Series | None = None) -> np.ndarray:
    """A numeric field as floats (NaN where no value is given).

    Text that is not a number, ``nan``/``inf`` written as values, and values outside ``RANGES``
    are problems naming the zone (``ids``, by default the ``zone_id`` column) and field; their rows
    are added to ``reported`` as (row, col) so later checks ("a slope zone needs …") do not report
    them twice.
    """
    if col not in df.columns:
        return np.full(len(df), np.nan)
    reported = set() if reported is None else reported
    raw = df[col]
    text = raw.map(lambda v: "" if _is_missing(v) else str(v).strip()).astype(object)
    low = text.str.lower()
    missing = low.isin(MISSING_TEXT).to_numpy()
    non_finite = low.isin(NON_FINITE_TEXT).to_numpy()
    num = pd.to_numeric(text.where(~(missing | non_finite), None), errors="coerce").to_numpy(dtype=float, copy=True)
    lo, hi, unit = RANGES[col]
    ids = df["zone_id"] if ids is None else ids
    infinite = ~missing & (non_finite | np.isinf(num))        # 'nan', 'inf', '1e999', a float inf
    not_number = ~missing & ~non_finite & np.isnan(num)        # 'steep', '1,5'
    outside = np.isfinite(num) & ((num < lo) | (num > hi))
    for i in np.flatnonzero(infinite):
        problems.append(Issue(file=file, zone_id=ids.iloc[i], field=col,
                                message=_("{value} is not a finite number ({lo}–{hi} {unit}); leave it empty if "
                                          "the value is unknown").format(value=text.iloc[i], lo=f"{lo:g}", hi=f"{hi:g}",
                                                               unit=unit)))
    for i in np.flatnonzero(not_number):
        problems.append(Issue(file=file, zone_id=ids.iloc[i], field=col, message=_("{value} is not a number").format(
            value=repr(raw.iloc[i]))))
    for i in np.flatnonzero(outside):
        problems.append(Issue(file=file, zone_id=ids.iloc[i], field=col,
                                message=_("{value} {unit} is outside {lo}–{hi} {unit}").format(
                                    value=f"{num[i]:g}", unit=unit, lo=f"{lo:g}", hi=f"{hi:g}")))
    bad = infinite | not_number | outside
    reported.update((int(i), col) for i in np.flatnonzero(bad))
    num[bad] = np.nan
    return num


def _is_missing(v) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def _norm_text(s: pd.Series) -> pd.Series:
    """Lower case, trimmed, spaces and hyphens to underscores; missing → ''."""
    out = s.map(lambda v: "" if _is_missing(v) else str(v)).astype(object)
    out = out.str.strip().str.lower().str.replace(r"[\s\-]+", "_", regex=True)
    return out.replace({"nan": "", "none": "", "<na>": "", "null": ""}).astype(object)



@dataclass(frozen=True)
class ZoneAttributes:
    """The parsed attribute columns of a zoning table, one entry per row (before geometry)."""

    zone_id: pd.Series            # str; "<row i>" where missing, so that messages can name the row
    zone_type: pd.Series          # normalised text ('' or unknown where invalid: reported)
    slope_deg: np.ndarray         # degrees, from slope_deg or slope_pct; nan where not given
    slope_length_m: np.ndarray
    soil_depth_cm: np.ndarray
    water_depth_m: np.ndarray
    burning: pd.Series            # normalised text
    contaminated: np.ndarray      # bool
    land_designation: pd.Series
    reported: frozenset           # (row, field) already reported as not a usable number


def canonical_frame(raw, f: str, problems: list[Issue], notes: list[str]) -> pd.DataFrame:
    """The table with canonical column names (aliases, case; a note for each rename); a problem
    for each required column that is missing."""
    cols = [c for c in raw.columns if c != "geometry"]
    rename = _canonical_columns(cols)
    df = raw.rename(columns=rename)
    for src, dst in rename.items():
        if src != dst:
            notes.append(_("column {src} read as {dst}").format(src=repr(src), dst=repr(dst)))
    for req in ("zone_id", "zone_type"):
        if req not in df.columns:
            near = difflib.get_close_matches(req, cols, n=1, cutoff=0.5)
            problems.append(Issue(file=f, field=req, message=_("required column is missing")
                                    + (_("; is {name} it?").format(name=repr(near[0])) if near
                                       else _(" (columns: {columns})").format(columns=", ".join(cols)))))
    return df


def parse_attributes(df: pd.DataFrame, f: str, problems: list[Issue], notes: list[str]) -> ZoneAttributes:
    """Ids, zone types, numbers and categories of every zone, every problem gathered."""
    ids = _parse_ids(df, f, problems)
    zt = _parse_zone_types(df, ids, f, problems)
    reported: set = set()     # (row, field) already reported as not a (finite, in-range) number
    slope, length, soil, water = _parse_numbers(df, ids, zt, f, problems, notes, reported)
    burn, contaminated, desig = _parse_categories(df, ids, f, problems, notes)
    return ZoneAttributes(zone_id=ids, zone_type=zt, slope_deg=slope, slope_length_m=length, soil_depth_cm=soil,
                          water_depth_m=water, burning=burn, contaminated=contaminated, land_designation=desig,
                          reported=frozenset(reported))


def _parse_ids(df: pd.DataFrame, f: str, problems: list[Issue]) -> pd.Series:
    """Zone ids as text ("12.0" read back as "12"); missing and duplicate ids are problems.
    Missing ids become ``<row i>`` so that later messages can name the row."""
    ids = df["zone_id"].map(lambda v: "" if _is_missing(v) else str(v).strip()).astype(object)
    ids = ids.map(lambda s: s[:-2] if s.endswith(".0") and s[:-2].isdigit() else s)
    for i in np.flatnonzero((ids == "").to_numpy()):
        problems.append(Issue(file=f, zone_id=f"<row {i + 1}>", field="zone_id", message=_("missing zone_id")))
    dups = ids[(ids != "") & ids.duplicated(keep=False)]
    for zid, n in dups.value_counts().items():
        problems.append(Issue(file=f, zone_id=zid, field="zone_id",
            message=_("duplicate id ({n} zones share it)").format(n=n)))
    return ids.where(ids != "", [f"<row {i + 1}>" for i in range(len(ids))])


def _parse_zone_types(df: pd.DataFrame, ids: pd.Series, f: str, problems: list[Issue]) -> pd.Series:
    """Zone types, normalised; a missing or unknown type is a problem (with the nearest valid one)."""
    zt = _norm_text(df["zone_type"]).replace(VALUE_ALIASES["zone_type"])
    for i in np.flatnonzero(~zt.isin(ZONE_TYPES).to_numpy()):
        v = df["zone_type"].iloc[i]
        if zt.iloc[i] == "":
            problems.append(Issue(file=f, zone_id=ids.iloc[i], field="zone_type",
                                    message=_("missing; valid: {valid}").format(valid=", ".join(ZONE_TYPES))))
        else:
            near = difflib.get_close_matches(zt.iloc[i], ZONE_TYPES, n=1, cutoff=0.4)
            problems.append(Issue(file=f, zone_id=ids.iloc[i], field="zone_type",
                                    message=_("unknown zone type {value}").format(value=repr(v))
                                    + (_("; did you mean {name}?").format(name=repr(near[0])) if near
                                       else _("; valid: {valid}").format(valid=", ".join(ZONE_TYPES)))))
    return zt


def _parse_numbers(df: pd.DataFrame, ids: pd.Series, zt: pd.Series, f: str, problems: list[Issue],
                   notes: list[str], reported: set):
    """(slope [°], slope length [m], soil depth [cm], water depth [m]) of every zone.

    Percent slopes are converted to degrees (and checked against slope_deg when both are given);
    slope zones need a slope and a slope length; pools without water depth are noted.
    """
    slope_deg = _parse_number(df, "slope_deg", f, problems, reported, ids)
    slope_pct = _parse_number(df, "slope_pct", f, problems, reported, ids)
    from_pct = np.degrees(np.arctan(slope_pct / 100.0))
    both = ~np.isnan(slope_deg) & ~np.isnan(slope_pct)
    for i in np.flatnonzero(both & (np.abs(slope_deg - from_pct) > SLOPE_AGREEMENT_DEG)):
        problems.append(Issue(file=f, zone_id=ids.iloc[i], field="slope_deg",
                                message=_("slope_deg = {deg} disagrees with slope_pct = {pct} (= {from_pct}°)").format(
                                    deg=f"{slope_deg[i]:g}", pct=f"{slope_pct[i]:g}", from_pct=f"{from_pct[i]:.1f}")))
    if "slope_pct" in df.columns and np.any(~np.isnan(slope_pct)):
        notes.append(_("slope_pct converted to degrees (θ = atan(pct/100))"))
    slope = np.where(np.isnan(slope_deg), from_pct, slope_deg)
    length = _parse_number(df, "slope_length_m", f, problems, reported, ids)
    soil = _parse_number(df, "soil_depth_cm", f, problems, reported, ids)
    water = _parse_number(df, "water_depth_m", f, problems, reported, ids)
    for i in np.flatnonzero((zt == "slope").to_numpy()):
        if np.isnan(slope[i]) and (i, "slope_deg") not in reported and (i, "slope_pct") not in reported:
            problems.append(Issue(file=f, zone_id=ids.iloc[i], field="slope_deg",
                                    message=_("a slope zone needs slope_deg (or slope_pct)")))
        if (i, "slope_length_m") in reported:
            continue
        if np.isnan(length[i]):
            problems.append(Issue(file=f, zone_id=ids.iloc[i], field="slope_length_m",
                                    message=_("a slope zone needs slope_length_m (horizontal length, m)")))
        elif length[i] <= 0:
            problems.append(Issue(file=f, zone_id=ids.iloc[i], field="slope_length_m",
                                    message=_("slope length must be > 0 m, not {value}").format(
                                        value=f"{length[i]:g}")))
    pools_missing = np.flatnonzero((zt == "subsidence_pool").to_numpy() & np.isnan(water))
    if len(pools_missing):
        notes.append(_("{n} subsidence pool(s) without water_depth_m: no wetland, backfill or floating PV offered "
                       "there ({zones})").format(n=len(pools_missing), zones=", ".join(ids.iloc[pools_missing[:5]])
                                                 + (", …" if len(pools_missing) > 5 else "")))
    return slope, length, soil, water


def _parse_categories(df: pd.DataFrame, ids: pd.Series, f: str, problems: list[Issue], notes: list[str]):
    """(burning level, contaminated, land designation) of every zone, with their defaults."""
    if "burning" in df.columns:
        burn = _norm_text(df["burning"]).replace({"": "none", "false": "none", "no": "none", "0": "none",
                                                  **VALUE_ALIASES["burning"]})
        burn = burn.where(burn != "", "none")
        for i in np.flatnonzero(~burn.isin(BURNING).to_numpy()):
            near = difflib.get_close_matches(burn.iloc[i], BURNING, n=1)
            problems.append(Issue(file=f, zone_id=ids.iloc[i], field="burning",
                                    message=_("{value} is not one of {valid}").format(
                                        value=repr(df["burning"].iloc[i]), valid=", ".join(BURNING))
                                    + (_("; did you mean {name}?").format(name=repr(near[0])) if near else "")))
    else:
        burn = pd.Series(["none"] * len(df))
    contaminated = (_parse_bool(df["contaminated"], ids, f, problems) if "contaminated" in df.columns
                    else np.zeros(len(df), dtype=bool))
    if "land_designation" in df.columns:
        desig = _norm_text(df["land_designation"]).replace({"": "mining_land", **VALUE_ALIASES["land_designation"]})
    else:
        desig = pd.Series(["mining_land"] * len(df))
    odd = sorted(set(desig) - set(KNOWN_DESIGNATIONS))
    if odd:
        notes.append(_("land designations not known to the crediting rules (treated as not eligible where a "
                       "standard lists designations): ") + ", ".join(odd))
    return burn, contaminated, desig


def assemble_zones(df: pd.DataFrame, a: ZoneAttributes) -> pd.DataFrame:
    """The zones table: canonical columns with their types and defaults, then the file's other
    columns as they are (no geometry, no area yet)."""
    zones = pd.DataFrame({
        "zone_id": a.zone_id.to_numpy(),
        "zone_type": pd.Categorical(a.zone_type.where(a.zone_type.isin(ZONE_TYPES), None), categories=ZONE_TYPES),
        "slope_deg": a.slope_deg,
        "slope_length_m": a.slope_length_m,
        "soil_depth_cm": np.nan_to_num(a.soil_depth_cm, nan=0.0),
        "burning": pd.Categorical(a.burning.where(a.burning.isin(BURNING), None).to_numpy(), categories=BURNING),
        "water_depth_m": a.water_depth_m,
        "contaminated": a.contaminated,
        "land_designation": a.land_designation.to_numpy(),
    })
    extra = [c for c in df.columns if c not in zones.columns and c not in ("geometry", "slope_pct", "area_ha")]
    for c in extra:
        zones[c] = df[c].to_numpy()
    return zones


def csv_area(df: pd.DataFrame, zones: pd.DataFrame, a: ZoneAttributes, f: str, problems: list[Issue]
             ) -> pd.DataFrame:
    """``area_ha`` of a table without geometry, from its ``area_ha`` column (which it must have)."""
    reported = set(a.reported)
    area = _parse_number(df, "area_ha", f, problems, reported, a.zone_id) if "area_ha" in df.columns else None
    if area is None:
        problems.append(Issue(file=f, field="area_ha",
                                message=_("a CSV without geometry needs an area_ha column (hectares)")))
        return zones
    for i in np.flatnonzero(np.isnan(area) | (area <= 0)):
        if (i, "area_ha") in reported:
            continue  # already reported as not a number or out of range
        problems.append(Issue(file=f, zone_id=a.zone_id.iloc[i], field="area_ha",
                                message=_("missing or zero area")))
    zones["area_ha"] = area
    return zones

