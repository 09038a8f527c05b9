"""Zone geometry: polygons checked (missing, not a polygon, invalid; optionally repaired), the CRS
assumed or checked, geographic coordinates reprojected to their UTM zone, ``area_ha`` computed,
and overlaps between zones found."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import Issue
from ..i18n import _

OVERLAP_TOLERANCE_M2 = 1.0      # overlaps up to this area are digitising noise


def _geometry(raw, zones: pd.DataFrame, f: str, crs, fix: bool, tol_m2: float, problems: list[Issue],
              notes: list[str]):
    """Check geometries, reproject to a projected CRS, compute ``area_ha`` and find overlaps.

    Problems elsewhere in the file do not stop these checks: every polygon that is itself valid
    takes part in the overlap check (missing, non-polygon and invalid geometries are left out of
    it, and reported on their own), so one run reports attribute and geometry problems together.
    """
    import geopandas as gpd
    import shapely
    from pyproj import CRS

    ids = zones["zone_id"]
    geom = raw.geometry.copy()
    src_crs = raw.crs
    if src_crs is None:
        if not crs:
            problems.append(Issue(file=f, field="CRS",
                message=_("the file has no coordinate reference system; give one with --crs "
                                                        "(e.g. --crs EPSG:32649) or [site] crs in the settings")))
            return zones
        try:
            src_crs = CRS.from_user_input(crs)
        except Exception as exc:
            problems.append(Issue(file=f, field="--crs",
                                  message=_("{crs} is not a CRS: {error}").format(crs=repr(crs), error=exc)))
            return zones
        notes.append(_("CRS {crs} assumed (the file has none)").format(crs=src_crs.to_string()))
    elif crs:
        # the file declares its own CRS, which wins; a --crs that is no CRS at all is still a mistake
        try:
            given = CRS.from_user_input(crs)
        except Exception as exc:
            problems.append(Issue(file=f, field="--crs",
                                  message=_("{crs} is not a CRS: {error}").format(crs=repr(crs), error=exc)))
            return zones
        if given != src_crs:
            notes.append(_("--crs {crs} ignored: the file declares {declared}").format(
                crs=crs, declared=src_crs.to_string()))
    gdf = gpd.GeoDataFrame(zones, geometry=geom.to_numpy(), crs=src_crs)

    arr = gdf.geometry.to_numpy()
    missing = shapely.is_missing(arr) | shapely.is_empty(arr)
    for i in np.flatnonzero(missing):
        problems.append(Issue(file=f, zone_id=ids.iloc[i], field="geometry", message=_("no geometry (empty)")))
    kinds = shapely.get_type_id(arr)
    not_poly = ~missing & ~np.isin(kinds, [3, 6])  # Polygon, MultiPolygon
    for i in np.flatnonzero(not_poly):
        problems.append(Issue(file=f, zone_id=ids.iloc[i], field="geometry",
                                message=_("is a {kind}, not a polygon").format(kind=arr[i].geom_type)))
    ok = ~missing & ~not_poly
    invalid = ok & ~shapely.is_valid(arr)
    for i in np.flatnonzero(invalid):
        reason = shapely.is_valid_reason(arr[i])
        if fix:
            fixed = shapely.make_valid(arr[i])
            if fixed.geom_type == "GeometryCollection":
                fixed = shapely.union_all([g for g in fixed.geoms if g.geom_type in ("Polygon", "MultiPolygon")])
            notes.append(_("zone {zone}: repaired invalid geometry ({reason}); area {before} → {after} (in the file's "
                           "units), now a {kind}").format(zone=repr(ids.iloc[i]), reason=reason,
                                                          before=f"{arr[i].area:.6g}", after=f"{fixed.area:.6g}",
                                                          kind=fixed.geom_type))
            arr[i] = fixed
        else:
            problems.append(Issue(file=f, zone_id=ids.iloc[i], field="geometry",
                                    message=_("invalid polygon: {reason} (repair with --fix-geometry)").format(
                                        reason=reason)))
    usable = ok if fix else ok & ~invalid     # repaired polygons are usable
    gdf = gdf.set_geometry(arr, crs=src_crs)
    if gdf.crs.is_geographic:
        bounds = gdf.geometry[usable].total_bounds if usable.any() else np.zeros(4)
        if not (-180 <= bounds[0] <= 180 and -90 <= bounds[1] <= 90 and -180 <= bounds[2] <= 180
                and -90 <= bounds[3] <= 90):
            problems.append(Issue(file=f, field="geometry",
                message=_("coordinates are outside longitude/latitude ranges for a "
                                                             "geographic CRS: is the CRS right?")))
            return zones
        utm = gdf.estimate_utm_crs()
        notes.append(_("reprojected from {src} to {dst} ({name})").format(src=gdf.crs.to_string(), dst=utm.to_string(),
                                                                         name=utm.name))
        gdf = gdf.to_crs(utm)
    elif not gdf.crs.is_projected:
        problems.append(Issue(file=f, field="CRS",
            message=_("{crs} is neither geographic nor projected; areas cannot be "
                                                        "computed").format(crs=gdf.crs.to_string())))
        return zones
    unit = gdf.crs.axis_info[0].unit_conversion_factor if gdf.crs.axis_info else 1.0
    gdf["area_ha"] = gdf.geometry.area * unit * unit / 1e4
    for i in np.flatnonzero(usable & (gdf["area_ha"].to_numpy() <= 0)):
        problems.append(Issue(file=f, zone_id=ids.iloc[i], field="geometry", message=_("zero area")))

    # overlaps between usable polygons: candidate pairs from the STR-tree, exact intersection area
    geoms = gdf.geometry.to_numpy()
    idx = np.flatnonzero(usable)
    left, right = shapely.STRtree(geoms[idx]).query(geoms[idx], predicate="intersects")
    left, right = idx[left], idx[right]
    keep = left < right
    left, right = left[keep], right[keep]
    # most candidate pairs are neighbours sharing a boundary: only pairs whose interiors meet in an
    # area (DE-9IM "2********", a third of the time of the intersection itself) can overlap
    inside = shapely.relate_pattern(geoms[left], geoms[right], "2********")
    left, right = left[inside], right[inside]
    if len(left):
        inter = shapely.area(shapely.intersection(geoms[left], geoms[right])) * unit * unit
        bad = inter > tol_m2
        for a, b, ar in zip(left[bad], right[bad], inter[bad]):
            problems.append(Issue(file=f, zone_id=ids.iloc[a], field="geometry",
                                    message=_("overlaps zone {other} by {area} m² (tolerance {tol} m²)").format(
                                      other=repr(ids.iloc[b]), area=f"{ar:,.1f}", tol=f"{tol_m2:g}")))
    return gdf
