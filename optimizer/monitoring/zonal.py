"""Rasters (NDVI or fractional cover) reduced to per-zone cover observations.

- **Zonal statistics**: the area-weighted mean of a raster over each zone, every pixel weighted by
  the fraction of it the zone covers (exactextract, Baston 2022; coverage fractions computed
  exactly for polygon edges), so a zone smaller than a pixel takes that pixel's value. Zones are
  reprojected to the raster's CRS first, and the weights are areas in that CRS.
- **NDVI → cover** by the dimidiate pixel model (Gutman & Ignatov 1998, *Int. J. Remote Sens.*
  19:1533–1543): FVC = (NDVI − NDVI_soil) / (NDVI_veg − NDVI_soil), clipped to 0–1, per pixel,
  with the bare-soil and full-vegetation end-members taken from the image itself as the 5th and
  95th percentiles of its valid pixels (as Jiapaer et al. 2011, *Agric. For. Meteorol.* 151, for
  arid land). A fractional-cover raster (values 0–1, ``kind="fvc"``) is used as it is.

rasterio and exactextract are imported when a raster is read, never at the command's start.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import Issue
from ..i18n import _
from .observations import ObservationError

#: end-member percentiles of the dimidiate pixel model (Gutman & Ignatov 1998; 5 %/95 % as
#: Jiapaer et al. 2011)
SOIL_PERCENTILE, VEG_PERCENTILE = 5.0, 95.0


def dimidiate_cover(ndvi: np.ndarray, ndvi_soil: float, ndvi_veg: float) -> np.ndarray:
    """Fractional vegetation cover [0–1] of NDVI pixels (Gutman & Ignatov 1998), NaN stays NaN."""
    span = ndvi_veg - ndvi_soil
    if not span > 0:
        return np.where(np.isnan(ndvi), np.nan, 0.0)
    return np.clip((ndvi - ndvi_soil) / span, 0.0, 1.0)


def end_members(ndvi: np.ndarray) -> tuple[float, float]:
    """(NDVI_soil, NDVI_veg): the image's 5th and 95th percentiles of its valid pixels."""
    v = ndvi[np.isfinite(ndvi)]
    if v.size == 0:
        return float("nan"), float("nan")
    lo, hi = np.percentile(v, [SOIL_PERCENTILE, VEG_PERCENTILE])
    return float(lo), float(hi)


def zonal_mean(values: np.ndarray, transform, crs, zones) -> np.ndarray:
    """Coverage-weighted mean of ``values`` (2-D, NaN = no data) over each polygon of ``zones``
    (a GeoDataFrame in any CRS; reprojected to ``crs``), in the order of ``zones``; NaN where a
    zone covers no valid pixel."""
    import rasterio
    from exactextract import exact_extract
    from rasterio.io import MemoryFile

    z = zones.to_crs(crs) if zones.crs is not None and crs is not None else zones
    z = z[["geometry"]].reset_index(drop=True).copy()
    z["_i"] = np.arange(len(z))
    arr = np.asarray(values, dtype=np.float64)
    profile = {"driver": "GTiff", "height": arr.shape[0], "width": arr.shape[1], "count": 1,
               "dtype": "float64", "crs": crs, "transform": transform, "nodata": np.nan}
    with MemoryFile() as mem, mem.open(**profile) as ds:
        ds.write(arr, 1)
        ds.close()
        with rasterio.open(mem.name) as src:
            stats = exact_extract(src, z, ["mean"], include_cols=["_i"], output="pandas")
    out = np.full(len(z), np.nan)
    out[stats["_i"].to_numpy(dtype=int)] = stats["mean"].to_numpy(dtype=float)
    return out


def raster_date(path: Path, tags: dict) -> pd.Timestamp | None:
    """A raster's date: its ``DATE`` or ``TIFFTAG_DATETIME`` tag, else a YYYY-MM-DD or YYYY in its name."""
    for key in ("DATE", "date", "TIFFTAG_DATETIME"):
        if key in tags:
            try:
                return pd.Timestamp(str(tags[key]).replace(":", "-", 2)[:10])
            except ValueError:
                pass
    m = re.search(r"(\d{4})-(\d{2})-(\d{2})", path.name)
    if m:
        return pd.Timestamp(m.group(0))
    m = re.search(r"(?<!\d)(19|20)\d{2}(?!\d)", path.name)
    return pd.Timestamp(year=int(m.group(0)), month=7, day=1) if m else None


def raster_cover(paths, zones, *, kind: str = "ndvi") -> pd.DataFrame:
    """Cover observations from rasters: one row per zone and raster (``zone_id, date, campaign,
    quantity="cover_pct", value, method="ndvi", ...``, as :func:`read_observations`' frame), the
    end-members used in ``attrs["end_members"]``. Unreadable or undated rasters are reported at once."""
    import rasterio

    problems: list[Issue] = []
    frames, members = [], {}
    for p in map(Path, paths):
        try:
            with rasterio.open(p) as src:
                band = src.read(1, masked=True).astype(np.float64).filled(np.nan)
                transform, crs, tags = src.transform, src.crs, src.tags()
        except Exception as exc:  # noqa: BLE001 - any reader failure is the user's file
            problems.append(Issue(file=p.name, message=_("cannot be read as a raster: {error}").format(error=exc)))
            continue
        date = raster_date(p, tags)
        if date is None:
            problems.append(Issue(file=p.name, message=_("no date: put YYYY or YYYY-MM-DD in the name or a DATE "
                                                                       "tag")))
            continue
        if crs is None:
            problems.append(Issue(file=p.name, message=_("no CRS")))
            continue
        if kind == "ndvi":
            soil, veg = end_members(band)
            fvc = dimidiate_cover(band, soil, veg)
            members[p.name] = {"ndvi_soil": soil, "ndvi_veg": veg}
        else:
            fvc = np.clip(band, 0.0, 1.0)
        mean = zonal_mean(fvc, transform, crs, zones)
        ok = np.isfinite(mean)
        frames.append(pd.DataFrame({"zone_id": zones["zone_id"].to_numpy()[ok], "date": date,
                                    "campaign": f"raster:{p.name}", "quantity": "cover_pct",
                                    "value": 100.0 * mean[ok], "method": "ndvi", "soc_depth_cm": np.nan,
                                    "source_row": 0}))
    if problems:
        raise ObservationError(problems, header=_("{n} problem(s) found in the rasters:").format(n=len(problems)))
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    out.attrs["end_members"] = members
    return out
