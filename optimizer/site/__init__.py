"""Reading and validating a planner's zoning file into a :class:`Site`.

Readers translate at the border (pvlib ``iotools``): field aliases, percent slopes, geographic
CRSs and Shapefile's 10-character names are settled here, once. Validation gathers every problem
(file, zone, field) and raises one :class:`~optimizer.errors.SiteError`.

The parts: this module reads the file and runs the steps; :mod:`.attributes` parses the attribute
columns into the zones table; :mod:`.geometry` checks polygons and the CRS, reprojects, computes
areas and finds overlaps.
"""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import Issue, SiteError
from ..i18n import N_, _
from ..io.paths import input_file_problem
from ..io.tables import read_csv_text
from ..settings import Settings, load_settings, settings_path_for
from .attributes import (
    ALIASES,
    BURNING,
    FALSE,
    FIELDS,
    KNOWN_DESIGNATIONS,
    MISSING_TEXT,
    NON_FINITE_TEXT,
    RANGES,
    SLOPE_AGREEMENT_DEG,
    TRUE,
    ZoneAttributes,
    assemble_zones,
    canonical_frame,
    csv_area,
    parse_attributes,
)
from .geometry import OVERLAP_TOLERANCE_M2, _geometry

__all__ = ["ALIASES", "BURNING", "FALSE", "FIELDS", "FORMATS", "KNOWN_DESIGNATIONS", "MISSING_TEXT",
           "NON_FINITE_TEXT", "OVERLAP_TOLERANCE_M2", "RANGES", "SLOPE_AGREEMENT_DEG", "TRUE", "Site",
           "ZoneAttributes", "assemble_zones", "canonical_frame", "csv_area", "file_sha256", "parse_attributes",
           "read_site"]

FORMATS = {".gpkg": "GeoPackage", ".geojson": "GeoJSON", ".json": "GeoJSON", ".shp": "ESRI Shapefile",
           ".csv": "CSV", ".zip": "ESRI Shapefile"}


@dataclass
class Site:
    """A validated site: zones in a projected CRS with ``area_ha``, and its settings."""

    zones: pd.DataFrame          # a GeoDataFrame, or a DataFrame for geometry-less CSV
    settings: Settings
    path: str
    sha256: str
    layer: str | None = None
    notes: list[str] = field(default_factory=list)   # reprojection, repairs, conversions

    @property
    def has_geometry(self) -> bool:
        return "geometry" in self.zones.columns and self.zones.geometry.notna().any()

    @property
    def crs(self):
        return getattr(self.zones, "crs", None)

    def summary(self) -> dict:
        z = self.zones
        by_type = z.groupby("zone_type", observed=True)["area_ha"].agg(["count", "sum"])
        return {
            "file": self.path,
            "layer": self.layer,
            "sha256": self.sha256,
            "zones": int(len(z)),
            "area_ha": float(z["area_ha"].sum()),
            "crs": self.crs.to_string() if self.crs is not None else None,
            "by_type": {t: {"zones": int(r["count"]), "area_ha": float(r["sum"])} for t, r in by_type.iterrows()},
            "burning": {k: int(v) for k, v in z["burning"].value_counts().items() if k != "none" and v > 0},
            "contaminated": int(z["contaminated"].sum()),
            "settings": self.settings.file or "defaults",
            "notes": list(self.notes),
        }


def file_sha256(path: str | Path) -> str:
    h = hashlib.sha256()
    p = Path(path)
    paths = [p]
    if p.suffix.lower() == ".shp":  # a Shapefile is several files
        paths += [p.with_suffix(s) for s in (".dbf", ".shx", ".prj", ".cpg") if p.with_suffix(s).exists()]
    for q in paths:
        with open(q, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()


def _read_table(path: Path, layer: str | None, problems: list[Issue], notes: list[str]):
    """Read the raw table (GeoDataFrame or DataFrame) and the layer used."""
    fmt = FORMATS.get(path.suffix.lower())
    if not path.exists():
        problems.append(Issue(file=str(path), message=_("file not found")))
        return None, None
    if fmt is None:
        problems.append(Issue(file=str(path), message=_("unsupported format {suffix}; use .gpkg, .geojson, .shp or "
                                                             ".csv").format(suffix=repr(path.suffix))))
        return None, None
    if fmt == "CSV":
        df = read_csv_text(path, problems, notes)   # UTF-8, else GB18030 with a TextEncodingWarning
        return df, None
    import geopandas as gpd
    import pyogrio

    try:
        layers = [name for name, _ in pyogrio.list_layers(path)]
    except Exception as exc:  # pyogrio raises DataSourceError and friends
        problems.append(Issue(file=str(path), message=_("cannot be opened as {format}: {error}").format(
            format=fmt, error=exc)))
        return None, None
    if layer:
        if layer not in layers:
            near = difflib.get_close_matches(layer, layers, n=1)
            problems.append(Issue(file=str(path), field="--layer", message=_("no layer {layer}; layers: ").format(
                layer=repr(layer))
                                  + ", ".join(layers) + (_(" (did you mean {name}?)").format(name=repr(near[0]))
                                                         if near else "")))
            return None, None
    elif len(layers) > 1:
        if "zones" in layers:
            layer = "zones"
        else:
            problems.append(Issue(file=str(path), field="--layer",
                                    message=_("has several layers; choose one with --layer: ") + ", ".join(layers)))
            return None, None
    else:
        layer = layers[0] if layers else None
    try:
        gdf = gpd.read_file(path, layer=layer, engine="pyogrio")
    except Exception as exc:
        problems.append(Issue(file=str(path), message=_("cannot be read: {error}").format(error=exc)))
        return None, None
    return gdf, layer


def read_site(path: str | Path, settings: Settings | str | Path | None = None, *, layer: str | None = None,
              crs: str | None = None, fix_geometry: bool = False,
              overlap_tolerance_m2: float = OVERLAP_TOLERANCE_M2) -> Site:
    """Read and validate a zoning file.

    ``settings``: a :class:`Settings`, a TOML path, or None for the TOML beside the file
    (``<stem>.toml`` or ``settings.toml``), else defaults. ``layer``: the GeoPackage layer (default:
    the settings' layer, the only layer, or ``zones``). ``crs``: the CRS to assume when the file
    has none. ``fix_geometry``: repair invalid polygons with ``shapely.make_valid`` and note what
    changed. Raises :class:`SiteError` with every problem found.

    The steps, each a function of its own: read the table (:func:`_read_table`), give its columns
    their canonical names (:func:`canonical_frame`), parse the attributes
    (:func:`parse_attributes`), assemble the zones (:func:`assemble_zones`), then add geometry and
    area (:func:`_geometry`, or :func:`csv_area` for a CSV without geometry).
    """
    path = Path(path)
    # the zoning file first: a folder or a missing file is the first thing to fix
    bad_path = input_file_problem(path, N_("zoning file"), example="zones.gpkg", suffixes=tuple(FORMATS))
    if bad_path is not None:
        raise SiteError([bad_path])
    if settings is None or isinstance(settings, (str, Path)):
        settings = load_settings(settings if settings is not None else settings_path_for(path))
    layer = layer or settings.layer or None
    crs = crs or settings.crs or None
    f = str(path)
    problems: list[Issue] = []
    notes: list[str] = []

    raw, layer = _read_table(path, layer, problems, notes)
    if raw is None:
        raise SiteError(problems)
    if len(raw) == 0:
        raise SiteError([Issue(file=f, message=_("the file has no zones (it is empty)"))])
    df = canonical_frame(raw, f, problems, notes)
    if problems:
        raise SiteError(problems)
    attrs = parse_attributes(df, f, problems, notes)
    zones = assemble_zones(df, attrs)
    if hasattr(raw, "geometry") and "geometry" in raw.columns:
        zones = _geometry(raw, zones, f, crs, fix_geometry, overlap_tolerance_m2, problems, notes)
    else:
        zones = csv_area(df, zones, attrs, f, problems)
    if problems:
        raise SiteError(problems)
    return Site(zones=zones, settings=settings, path=f, sha256=file_sha256(path), layer=layer, notes=notes)
