"""The run manifest: everything needed to reproduce a run (inputs' SHA-256, settings, catalog
version, seeds, package versions, solver status)."""

from __future__ import annotations

import datetime as _dt
import importlib.metadata
import json
import math
import platform
import sys
from pathlib import Path

import numpy as np

PACKAGES = ("sinkplan", "numpy", "pandas", "shapely", "geopandas", "pyogrio", "pyproj", "pymoo", "pulp",
            "highspy", "scipy", "numba", "matplotlib")


def package_versions() -> dict:
    out = {}
    for p in PACKAGES:
        try:
            out[p] = importlib.metadata.version(p)
        except importlib.metadata.PackageNotFoundError:
            out[p] = None
    return out


def _clean(v):
    if isinstance(v, dict):
        return {str(k): _clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_clean(x) for x in v]
    if isinstance(v, (np.floating, float)):
        v = float(v)
        return v if math.isfinite(v) else None
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.bool_):
        return bool(v)
    if isinstance(v, np.ndarray):
        return _clean(v.tolist())
    if isinstance(v, Path):
        return str(v)
    if hasattr(v, "value") and hasattr(v, "name"):  # enums
        return v.value
    return v


def manifest(*, command: str, site=None, table=None, problem=None, solver: dict | None = None,
             seeds: dict | None = None, extra_inputs: dict | None = None) -> dict:
    """A JSON-able dict describing a run."""
    inputs = {}
    if site is not None:
        inputs["zoning_file"] = {"path": site.path, "sha256": site.sha256, "layer": site.layer}
        if site.settings.file:
            from ..site import file_sha256
            inputs["settings_file"] = {"path": site.settings.file, "sha256": file_sha256(site.settings.file)}
    if table is not None:
        cat = table.catalog
        inputs["catalog"] = {"version": cat.version, "planner_files": list(cat.files)}
        for f in cat.files:
            from ..site import file_sha256
            inputs.setdefault("catalog_files", {})[f] = file_sha256(f)
    for k, v in (extra_inputs or {}).items():
        inputs[k] = v
    doc = {
        "sinkplan_run": 1,
        "created_utc": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "command": command,
        "argv": sys.argv,
        "inputs": inputs,
        "settings": site.settings.as_dict() if site is not None else None,
        "placeholders": {
            "settings": list(site.settings.placeholders) if site is not None else [],
            "catalog_parameters": table.catalog.placeholder_parameters if table is not None else [],
            "measures": sorted(set(table.combos.measures.loc[table.combos.measures["confidence"] == "P",
                                                             "measure_id"])) if table is not None else [],
        },
        "problem": problem,
        "solver": solver,
        "seeds": seeds or {},
        "python": platform.python_version(),
        "platform": platform.platform(),
        "packages": package_versions(),
    }
    return _clean(doc)


def dumps(doc: dict) -> str:
    return json.dumps(_clean(doc), indent=2, ensure_ascii=False, sort_keys=False) + "\n"
