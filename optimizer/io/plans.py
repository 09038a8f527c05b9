"""Writing plans and fronts: GeoPackage (zones, chosen measure per group, metrics, and a table of
the run's settings), GeoJSON, CSV, summary and manifest JSON. Every file is written atomically."""

from __future__ import annotations

import json
from dataclasses import asdict, is_dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..catalog import GROUPS
from .atomic import atomic_path, write_text_atomic
from .manifest import dumps
from .tables import write_table


def plan_frame(plan) -> pd.DataFrame:
    """One row per zone with the chosen measure in each group and the option's metrics."""
    table = plan.compiled.table
    rows = plan.rows
    df = table.to_frame(rows)
    idx = table.combos.index[table.combo[rows]]
    mids = table.combos.measures["measure_id"].to_numpy(dtype=object)
    for g, group in enumerate(GROUPS):
        df.insert(4 + g, group, np.where(idx[:, g] >= 0, mids[np.maximum(idx[:, g], 0)], ""))
    return df


def settings_frame(settings, extra: dict | None = None) -> pd.DataFrame:
    d = settings.as_dict()
    d.pop("sources", None)
    items = [(k, json.dumps(v, ensure_ascii=False, default=str)) for k, v in d.items()]
    items += [(k, json.dumps(v, ensure_ascii=False, default=str)) for k, v in (extra or {}).items()]
    return pd.DataFrame(items, columns=["setting", "value"])


def write_geo(df: pd.DataFrame, site, path: Path, settings_table: pd.DataFrame | None = None,
              layer: str = "plan") -> Path | None:
    """Join ``df`` (with zone_id) to the site's polygons and write GeoPackage or GeoJSON atomically.

    Returns None for a site without geometry (CSV input): then only CSV is written.
    """
    if not site.has_geometry:
        return None
    import geopandas as gpd
    import pyogrio

    geo = site.zones[["zone_id", "geometry"]].merge(df, on="zone_id", how="right")
    gdf = gpd.GeoDataFrame(geo, geometry="geometry", crs=site.zones.crs)
    for c in gdf.columns:
        if gdf[c].dtype == bool:
            gdf[c] = gdf[c].astype("int32")
    path = Path(path)
    with atomic_path(path) as tmp:
        if path.suffix.lower() == ".gpkg":
            gdf.to_file(tmp, layer=layer, driver="GPKG", engine="pyogrio", dataset_options={"VERSION": "1.2"})
            if settings_table is not None:
                pyogrio.write_dataframe(settings_table, tmp, layer="run_settings", driver="GPKG", append=True)
        else:
            gdf.to_crs("EPSG:4326").to_file(tmp, driver="GeoJSON", engine="pyogrio",
                                            layer_options={"COORDINATE_PRECISION": 8})
    return path


def write_plan(plan, site, out_dir: Path, *, manifest: dict, name: str = "plan",
               formats=("gpkg", "csv", "geojson", "trajectories")) -> list[Path]:
    """Write a plan: ``{name}.gpkg`` (+ layer run_settings), ``.geojson``, ``.csv``, and
    ``summary.json`` / ``manifest.json`` when ``name`` is "plan"."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    df = plan_frame(plan)
    written = []
    if "csv" in formats:
        written.append(write_table(df, out_dir / f"{name}.csv"))
    if "trajectories" in formats:
        table = plan.compiled.table
        traj = table.trajectories(plan.rows)
        base = table.trajectories(table.baseline_rows())
        both = traj.merge(base, on=["year", "calendar_year"], suffixes=("", "_baseline"))
        written.append(write_table(both, out_dir / f"{name}_trajectories.csv"))
    st = settings_frame(site.settings, {"objective": plan.objective, "solver": plan.solver,
                                        "status": plan.status.value, "gap": plan.gap})
    for fmt in ("gpkg", "geojson"):
        if fmt in formats:
            p = write_geo(df, site, out_dir / f"{name}.{fmt}", st if fmt == "gpkg" else None)
            if p:
                written.append(p)
    return written


def write_json(path: Path, doc: dict) -> Path:
    return write_text_atomic(path, dumps(doc))
