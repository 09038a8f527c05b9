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
    out: dict[str, str | None] = {}
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


def _absolute(path) -> str | None:
    return None if path is None else str(Path(path).resolve())


def input_candidates(rec: dict | None, *bases: Path) -> list[Path]:
    """Where a recorded input may be now: its path as given (from the working folder and from each
    of ``bases``), then the absolute path recorded when the run was made."""
    if not rec or not rec.get("path"):
        return []
    p = Path(rec["path"])
    out = [p, *(b / p for b in bases)]
    if rec.get("absolute_path"):
        out.append(Path(rec["absolute_path"]))
    return out


def manifest(*, command: str, site=None, table=None, problem=None, solver: dict | None = None,
             seeds: dict | None = None, extra_inputs: dict | None = None) -> dict:
    """A JSON-able dict describing a run."""
    inputs = {}
    if site is not None:
        # the path as the user gave it, and where it was: a later command run from another folder
        # (rescore, uncertainty, monitor) finds the input by either
        inputs["zoning_file"] = {"path": site.path, "absolute_path": _absolute(site.path), "sha256": site.sha256,
                                 "layer": site.layer}
        if site.settings.file:
            from ..site import file_sha256
            inputs["settings_file"] = {"path": site.settings.file, "absolute_path": _absolute(site.settings.file),
                                       "sha256": file_sha256(site.settings.file)}
    if table is not None:
        cat = table.catalog
        inputs["catalog"] = {"version": cat.version, "planner_files": list(cat.files)}
        for f in cat.files:
            from ..site import file_sha256
            inputs.setdefault("catalog_files", {})[f] = file_sha256(f)
    for k, v in (extra_inputs or {}).items():
        inputs[k] = v
    standards = standards_details(site.settings.standards, table.catalog) if (
        site is not None and table is not None) else []
    doc = {
        "sinkplan_run": 1,
        "created_utc": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
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
        "placeholder_details": placeholder_details(site, table),
        "standards": standards,
        "problem": problem,
        "solver": solver,
        "seeds": seeds or {},
        "python": platform.python_version(),
        "platform": platform.platform(),
        "packages": package_versions(),
    }
    return _clean(doc)


def placeholder_details(site=None, table=None) -> list[dict]:
    """Every [P] placeholder a run may use, with its value, unit and what stands behind it.

    One dict per item: ``kind`` (setting, catalog parameter, measure, growth curve), ``name``,
    ``value``, ``unit``, ``description`` and ``source``. Reports list these so a reader sees
    which numbers have no published source (docs/science.md §1.4: every report that uses one says so).
    """
    out: list[dict] = []
    if site is not None:
        from ..settings import schema_table

        spec = schema_table().set_index("key")
        values = site.settings.as_dict()
        sources = dict(values.get("sources") or {})
        for k in site.settings.placeholders:
            row = spec.loc[k] if k in spec.index else None
            out.append(dict(kind="setting", name=k, value=values.get(k),
                            unit="" if row is None else str(row["unit"]),
                            description="" if row is None else str(row["description"]),
                            source=str(sources.get(k, ""))))
    if table is not None:
        cat = table.catalog
        par = cat.parameters
        for k in cat.placeholder_parameters:
            out.append(dict(kind="catalog parameter", name=k, value=float(par.at[k, "value"]),
                            unit=str(par.at[k, "unit"]), description=str(par.at[k, "description"]),
                            source=str(par.at[k, "source"])))
        ms = table.combos.measures
        for _, r in ms[ms["confidence"] == "P"].drop_duplicates("measure_id").iterrows():
            out.append(dict(kind="measure", name=str(r["measure_id"]), value=None, unit="",
                            description=str(r["name"]), source=str(r["source"])))
        g = cat.growth
        for veg, r in g[g["confidence"] == "P"].iterrows():
            out.append(dict(kind="growth curve", name=str(veg), value=None, unit="",
                            description=str(r.get("note", "")), source=str(r["source"])))
    return out


def standards_details(standards, catalog) -> list[dict]:
    """The crediting standards assessed in a run, with their eligibility rules and sources."""
    out = []
    for s in standards:
        if s not in catalog.standards.index:
            continue
        r = catalog.standards.loc[s]
        out.append(dict(standard=s, name=str(r["name"]), credited_pools=list(r["credited_pools"]),
                        land_designations=list(r["land_designations"]),
                        vegetation_types=list(r["vegetation_types"]),
                        excluded_zone_types=list(r["excluded_zone_types"]),
                        min_parcel_m2=r["min_parcel_m2"], baseline_rule=str(r.get("baseline_rule", "")),
                        accounting_source=str(r.get("accounting_source", "")), source=str(r["source"]),
                        confidence=str(r["confidence"])))
    return out


def file_record(path: Path, root: Path) -> tuple[str, dict]:
    """(path relative to ``root``, {"sha256", "bytes"}) of a written output file."""
    import hashlib

    path = Path(path)
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    try:
        rel = path.resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        rel = str(path)
    return rel, {"sha256": h.hexdigest(), "bytes": path.stat().st_size}


def record_outputs(doc: dict, paths, root: Path) -> dict:
    """Add the SHA-256 of written output files to ``doc["outputs"]`` (in place; returns doc).

    A reader compares these with the files it finds: a folder where a later run was interrupted
    between two files shows up as a mismatch instead of passing for one consistent run.
    """
    outs = doc.setdefault("outputs", {})
    for p in paths:
        if p is not None and Path(p).is_file():
            rel, rec = file_record(Path(p), root)
            outs[rel] = rec
    return doc


def verify_outputs(doc: dict, root: Path) -> list[str]:
    """Problems found comparing the files under ``root`` with the manifest's ``outputs``
    (empty list: all recorded files are present and unchanged)."""
    problems = []
    for rel, rec in (doc.get("outputs") or {}).items():
        p = Path(root) / rel
        if not p.is_file():
            problems.append(f"{rel}: listed in the manifest but missing")
            continue
        if file_record(p, root)[1]["sha256"] != rec.get("sha256"):
            problems.append(f"{rel}: changed since the manifest was written (another run, or an interrupted one, "
                            "may have replaced it)")
    return problems


def dumps(doc: dict) -> str:
    return json.dumps(_clean(doc), indent=2, ensure_ascii=False, sort_keys=False) + "\n"
