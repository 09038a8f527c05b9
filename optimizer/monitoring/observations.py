"""Reading and validating a monitoring observation file (``sinkplan monitor --observations``).

A CSV, GeoPackage, GeoJSON or shapefile with one row per measurement: where (``zone_id``, or a
point geometry inside a zone), when (``date``, ISO ``YYYY-MM-DD`` or a year), and any of

- ``biomass_c_t_per_ha``  living biomass carbon [t C/ha];
- ``cover_pct``           vegetation cover [%], 0–100;
- ``soc_c_t_per_ha``      soil organic carbon [t C/ha] over ``soc_depth_cm`` (required with it);
- ``soil_loss_t_per_ha``  measured soil loss of the year [t/ha] (erosion pins, sediment traps);
- ``dbh_cm`` and/or ``height_m`` of the plot's mean tree with ``stems_per_ha``: converted to
  ``biomass_c_t_per_ha`` by the allometry of the zone's vegetation type in the catalog
  (``allometry.csv``, :mod:`optimizer.models.allometry`), method ``allometry`` with the
  equation's observation error.

Optional: ``campaign`` (a label; default the date's year), ``method`` (a key of
:data:`optimizer.monitoring.calibrate.METHOD_SD_LOG`; default ``plot`` for biomass,
``field_cover`` for cover). Like zoning files (:mod:`optimizer.site`), every problem is gathered
and reported at once, naming the file, zone, row and field (:class:`ObservationError`, exit 2).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import Issue, ProblemsError
from ..i18n import N_, _
from .calibrate import METHOD_SD_LOG

#: measured quantities and their allowed range [unit]
QUANTITIES = {"biomass_c_t_per_ha": (0.0, 1000.0), "cover_pct": (0.0, 100.0),
              "soc_c_t_per_ha": (0.0, 2000.0), "soil_loss_t_per_ha": (0.0, 2000.0)}
#: column aliases settled at the border (STYLE.md habit 10)
ALIASES = {"zone": "zone_id", "zoneid": "zone_id", "biomass_c": "biomass_c_t_per_ha", "cover": "cover_pct",
           "soc": "soc_c_t_per_ha", "soc_depth": "soc_depth_cm", "soil_loss": "soil_loss_t_per_ha",
           "dbh": "dbh_cm", "height": "height_m", "stems": "stems_per_ha", "density_per_ha": "stems_per_ha"}
#: tree measurements converted to biomass carbon by the catalog's allometry, and their ranges [unit]
TREE_COLUMNS = {"dbh_cm": (0.0, 500.0), "height_m": (0.0, 150.0), "stems_per_ha": (0.0, 100_000.0)}
LONG_COLUMNS = ("zone_id", "date", "campaign", "quantity", "value", "method", "soc_depth_cm", "source_row",
                "sd_log")


class ObservationError(ProblemsError):
    """The observation file cannot be used as it is."""

    what = N_("observation file")


def _read_raw(path: Path, problems: list[Issue]):
    name = path.name
    if not path.is_file():
        problems.append(Issue(file=str(path), message=_("no such file")))
        return None
    try:
        if path.suffix.lower() == ".csv":
            return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
        import geopandas as gpd
        return gpd.read_file(path)
    except Exception as exc:  # noqa: BLE001 - any reader failure is the user's file
        problems.append(Issue(file=name, message=_("cannot be read: {error}").format(error=exc)))
        return None


def _zone_of_points(raw, zones_geo, f: str, problems: list[Issue]) -> pd.Series:
    """zone_id of each point geometry (the zone containing it); a point in no zone is a problem."""
    import geopandas as gpd
    pts = gpd.GeoDataFrame({"_row": np.arange(len(raw))}, geometry=raw.geometry.values, crs=raw.crs)
    if zones_geo is None:
        problems.append(Issue(file=f, message=_("points given but the run has no zone geometry; give zone_id")))
        return pd.Series([None] * len(raw), dtype=object)
    if pts.crs is not None and zones_geo.crs is not None:
        pts = pts.to_crs(zones_geo.crs)
    hit = gpd.sjoin(pts, zones_geo[["zone_id", "geometry"]], how="left", predicate="within")
    hit = hit.drop_duplicates("_row").set_index("_row")["zone_id"]
    out = hit.reindex(np.arange(len(raw)))
    for i in np.flatnonzero(out.isna().to_numpy()):
        problems.append(Issue(file=f, row=str(i + 1), field="geometry",
                              message=_("the point lies in no zone of the run")))
    return out.reset_index(drop=True)


def read_observations(path: str | Path, zone_ids, start_year: int, *, zones_geo=None,
                      vegetation_type: Mapping[str, str] | None = None,
                      allometry: pd.DataFrame | None = None) -> pd.DataFrame:
    """The observations of ``path`` as a long frame (:data:`LONG_COLUMNS`: one row per measured
    quantity), checked against the run's ``zone_ids`` and its works' ``start_year``. Tree
    measurements (:data:`TREE_COLUMNS`) are converted by the ``allometry`` table (the catalog's,
    indexed by vegetation type) of each zone's ``vegetation_type``.

    Raises :class:`ObservationError` listing every problem found."""
    path = Path(path)
    f = path.name
    problems: list[Issue] = []
    raw = _read_raw(path, problems)
    if raw is None:
        raise ObservationError(problems)
    cols = {c: ALIASES.get(str(c).strip().lower(), str(c).strip().lower()) for c in raw.columns}
    df = raw.rename(columns=cols)
    has_geom = "geometry" in df.columns and df.geometry.notna().any() if hasattr(df, "geometry") else False
    if "zone_id" in df.columns:
        zid = df["zone_id"].astype(object).where(df["zone_id"].notna(), None)
        zid = zid.map(lambda v: None if v is None or str(v).strip() == "" else str(v).strip())
    elif has_geom:
        zid = _zone_of_points(df, zones_geo, f, problems)
    else:
        problems.append(Issue(file=f, field="zone_id", message=_("no zone_id column and no point geometry")))
        zid = pd.Series([None] * len(df), dtype=object)
    if "date" not in df.columns:
        problems.append(Issue(file=f, field="date", message=_("missing column (ISO date YYYY-MM-DD or a year)")))
    measured = [q for q in QUANTITIES if q in df.columns]
    trees = [c for c in TREE_COLUMNS if c in df.columns]
    if not measured and not trees:
        problems.append(Issue(file=f, message=_("no measured column; give any of {columns}, or dbh_cm/height_m with "
                                                "stems_per_ha").format(columns=", ".join(QUANTITIES))))
    if problems:
        raise ObservationError(problems)

    known = set(map(str, zone_ids))
    rows = []
    for i in range(len(df)):
        r = df.iloc[i]
        z = zid.iloc[i]
        where = {"file": f, "zone_id": z, "row": str(i + 1)}
        if z is None:
            if "zone_id" in df.columns:
                problems.append(Issue(**where, field="zone_id", message=_("empty")))
            continue
        if z not in known:
            near = difflib.get_close_matches(z, sorted(known), n=3)
            problems.append(Issue(**where, field="zone_id", message=_("no such zone in the run")
                                  + (_("; did you mean {name}?").format(name=", ".join(map(repr, near))) if near
                                     else "")))
            continue
        date = _parse_date(r.get("date"))
        if date is None:
            problems.append(Issue(**where, field="date",
                                  message=_("{value} is not a date (YYYY-MM-DD or YYYY)").format(
                                      value=repr(r.get("date")))))
        elif date.year < start_year:
            problems.append(Issue(**where, field="date", message=_("{date} is before the works ({year})").format(
                date=date.date(), year=start_year)))
        method_raw = r.get("method") if "method" in df.columns else None
        method = None if method_raw is None or pd.isna(method_raw) or str(method_raw).strip() == "" \
            else str(method_raw).strip().lower()
        if method is not None and method not in METHOD_SD_LOG:
            problems.append(Issue(**where, field="method",
                                  message=_("{value} is not one of {valid}").format(value=repr(method),
                                                                             valid=", ".join(METHOD_SD_LOG))))
        depth = _number(r.get("soc_depth_cm")) if "soc_depth_cm" in df.columns else None
        any_value = False
        for q in measured:
            v = r.get(q)
            if v is None or (not isinstance(v, str) and pd.isna(v)) or str(v).strip() == "":
                continue
            x = _number(v)
            lo, hi = QUANTITIES[q]
            if x is None or not np.isfinite(x):
                problems.append(Issue(**where, field=q, message=_("{value} is not a number").format(value=repr(v))))
                continue
            if not lo <= x <= hi:
                problems.append(Issue(**where, field=q, message=_("{value} is outside {lo}–{hi}").format(
                    value=f"{x:g}", lo=f"{lo:g}", hi=f"{hi:g}")))
                continue
            if q == "soc_c_t_per_ha" and (depth is None or not 0 < depth <= 300):
                problems.append(Issue(**where, field="soc_depth_cm",
                                      message=_("SOC needs its sampling depth, 0 < soc_depth_cm ≤ 300 [cm]")))
                continue
            any_value = True
            if date is not None and (method is None or method in METHOD_SD_LOG):
                c = r.get("campaign") if "campaign" in df.columns else None
                campaign = str(date.year) if c is None or pd.isna(c) or str(c).strip() == "" else str(c).strip()
                rows.append((z, date, campaign, q, x, method or _default_method(q),
                             depth if q == "soc_c_t_per_ha" else np.nan, i + 1, np.nan))
        tree = _tree_biomass(r, trees, where, (vegetation_type or {}).get(z), allometry, problems)
        if tree is not None:
            any_value = True
            if date is not None:
                c = r.get("campaign") if "campaign" in df.columns else None
                campaign = str(date.year) if c is None or pd.isna(c) or str(c).strip() == "" else str(c).strip()
                rows.append((z, date, campaign, "biomass_c_t_per_ha", tree[0], "allometry", np.nan, i + 1, tree[1]))
        elif any(_given(r.get(c)) for c in trees):
            any_value = True                    # its problems are reported
        if not any_value and not any(p.row == str(i + 1) for p in problems):
            problems.append(Issue(**where, message=_("no measured value in this row")))
    if problems:
        raise ObservationError(problems)
    return pd.DataFrame(rows, columns=list(LONG_COLUMNS))


def _given(v) -> bool:
    return not (v is None or (not isinstance(v, str) and pd.isna(v)) or str(v).strip() == "")


def _tree_biomass(r, trees: list[str], where: dict, veg: str | None, allometry: pd.DataFrame | None,
                  problems: list[Issue]) -> tuple[float, float] | None:
    """(biomass carbon [t C/ha], its sd_log) of a row's tree measurements, or None (none given, or
    problems reported)."""
    from ..models.allometry import aboveground_biomass_kg, biomass_c_t_per_ha, needs

    given = {c: r.get(c) for c in trees if _given(r.get(c))}
    if not given:
        return None
    vals, bad = {}, False
    for c, v in given.items():
        x = _number(v)
        lo, hi = TREE_COLUMNS[c]
        if x is None or not np.isfinite(x):
            problems.append(Issue(**where, field=c, message=f"{v!r} is not a number"))
            bad = True
        elif not lo <= x <= hi:
            problems.append(Issue(**where, field=c, message=f"{x:g} is outside {lo:g}–{hi:g}"))
            bad = True
        else:
            vals[c] = x
    if bad:
        return None
    if "dbh_cm" not in vals and "height_m" not in vals:
        problems.append(Issue(**where, field="stems_per_ha", message="stems_per_ha without dbh_cm or height_m"))
        return None
    if "stems_per_ha" not in vals:
        problems.append(Issue(**where, field="stems_per_ha", message="needed with dbh_cm/height_m (trees per ha) "
                              "to convert them to biomass carbon per ha"))
        return None
    field = "dbh_cm" if "dbh_cm" in vals else "height_m"
    if allometry is None or veg not in allometry.index:
        known = ", ".join(map(str, allometry.index)) if allometry is not None and len(allometry) else "none"
        problems.append(Issue(**where, field=field, message=f"no allometry in allometry.csv for the zone's vegetation "
                              f"type {veg or '(no vegetation)'!r} (types with one: {known}); give biomass_c_t_per_ha"))
        return None
    eq = allometry.loc[veg]
    lack = [c for c in needs(str(eq["form"])) if c not in vals]
    if lack:
        problems.append(Issue(**where, field=lack[0], message=f"the {eq['form']} allometry of {veg!r} needs it"))
        return None
    agb = aboveground_biomass_kg(eq["form"], eq["a"], eq["b"], vals.get("dbh_cm", np.nan),
                                 vals.get("height_m", np.nan), eq["wood_density_g_per_cm3"])
    c_t = float(biomass_c_t_per_ha(agb, vals["stems_per_ha"], eq["root_shoot"], eq["carbon_fraction"]))
    lo, hi = QUANTITIES["biomass_c_t_per_ha"]
    if not lo <= c_t <= hi:
        problems.append(Issue(**where, field=field, message=f"gives {c_t:,.1f} t C/ha by the {eq['form']} allometry "
                              f"of {veg!r}, outside {lo:g}–{hi:g}: check dbh_cm, height_m and stems_per_ha"))
        return None
    return c_t, float(eq["sd_log"])


def _default_method(q: str) -> str:
    from .calibrate import DEFAULT_METHOD
    return DEFAULT_METHOD.get(q, "plot")


def _number(v) -> float | None:
    try:
        return float(str(v).strip())
    except (TypeError, ValueError):
        return None


def _parse_date(v) -> pd.Timestamp | None:
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return None
    s = str(v).strip()
    try:
        if s.isdigit() and len(s) == 4:
            return pd.Timestamp(year=int(s), month=7, day=1)
        return pd.Timestamp(s)
    except (ValueError, TypeError):
        return None


def years_since_start(dates: pd.Series, start_year: int) -> np.ndarray:
    """The model's year of each date, fractional [yr]: the trajectories' year t is the state at the
    close of calendar year ``start_year + t`` (year 0: the works done, nothing grown), so a date in
    calendar year Y is at t = Y − start_year − 1 + the fraction of Y elapsed."""
    d = pd.to_datetime(pd.Series(dates))
    return (d.dt.year + d.dt.dayofyear / 365.25).to_numpy(dtype=float) - start_year - 1.0
