"""The measure catalog: bundled CSV tables, their schema, and the one loader.

Tables (``schema.csv`` documents every column with type and unit):

- ``measures.csv``       every measure of MODEL.md §2, with suitability rules as data
- ``vegetation_growth.csv`` Chapman–Richards and SOC parameters per vegetation type, written by
  ``scripts/fit_growth.py`` from ``chronosequences.csv``
- ``standards.csv``      crediting standards and their eligibility rules
- ``monitoring.csv``     monitoring levels: uncertainty deduction and cost
- ``interactions.csv``   interaction multipliers between measures (1.0 [P] unless sourced)
- ``parameters.csv``     model constants with unit and source

A planner's own catalog file (``--catalog FILE``) overrides or adds rows: a CSV with a
``measure_id`` column changes or adds measures (only the columns it has), one with a
``parameter`` column changes constants.
"""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import CatalogError, Problem

GROUPS = ("waste", "landform", "soil", "vegetation", "upkeep", "water", "energy")
CONFIDENCE = ("A", "B", "C", "P")
TABLES = ("measures", "vegetation_growth", "standards", "monitoring", "interactions", "parameters")


def _bundled(name: str) -> tuple[pd.DataFrame, bytes]:
    raw = resources.files(__package__).joinpath(f"{name}.csv").read_bytes()
    import io
    return pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False), raw


def schema() -> pd.DataFrame:
    return _bundled("schema")[0]


@dataclass(frozen=True)
class Catalog:
    measures: pd.DataFrame          # typed per schema.csv, enabled rows and disabled ones
    growth: pd.DataFrame            # indexed by veg_type
    standards: pd.DataFrame         # indexed by standard
    monitoring: pd.DataFrame        # indexed by monitoring_level
    interactions: pd.DataFrame
    parameters: pd.DataFrame        # indexed by parameter: value, unit, source, confidence
    version: str                    # sha256 of every table's bytes (bundled and the planner's)
    files: tuple[str, ...] = ()     # the planner's catalog files applied

    def param(self, name: str) -> float:
        return float(self.parameters.at[name, "value"])

    @property
    def placeholder_parameters(self) -> list[str]:
        return list(self.parameters.index[self.parameters["confidence"] == "P"])

    def enabled_measures(self) -> pd.DataFrame:
        return self.measures[self.measures["enabled"]].reset_index(drop=True)


def _typed(df: pd.DataFrame, table: str, file: str, problems: list[Problem], key: str) -> pd.DataFrame:
    """Convert string columns to the schema's types; empty → schema default."""
    sch = schema()
    sch = sch[sch["table"] == table].set_index("column")
    out = df.copy()
    for col in out.columns:
        if col not in sch.index:
            continue
        typ, default = sch.at[col, "type"], sch.at[col, "default"]
        vals = out[col].astype(str).str.strip()
        if typ == "float":
            fill = default if default not in ("", "(all)") else "nan"
            vals = vals.where(vals != "", fill)
            num = pd.to_numeric(vals, errors="coerce")
            bad = num.isna() & (vals.str.lower() != "nan")
            for i in np.flatnonzero(bad.to_numpy()):
                problems.append(Problem(file=file, zone_id=None, field=col,
                                        message=f"row {out[key].iloc[i]!r}: {vals.iloc[i]!r} is not a number"))
            out[col] = num.astype(float)
        elif typ == "bool":
            fill = default or "false"
            vals = vals.str.lower().where(vals != "", fill)
            bad = ~vals.isin(["true", "false", "1", "0", "yes", "no"])
            for i in np.flatnonzero(bad.to_numpy()):
                problems.append(Problem(file=file, field=col,
                                        message=f"row {out[key].iloc[i]!r}: {vals.iloc[i]!r} is not true/false"))
            out[col] = vals.isin(["true", "1", "yes"])
        elif typ == "list":
            out[col] = vals.map(lambda s: tuple(x.strip() for x in s.split(";") if x.strip()))
        else:
            out[col] = vals
    return out


def _read_user(path: Path, problems: list[Problem]) -> pd.DataFrame | None:
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        problems.append(Problem(file=str(path), message="file not found"))
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        problems.append(Problem(file=str(path), message=f"not a readable CSV: {exc}"))
    return None


def load_catalog(extra: str | Path | list | tuple | None = None) -> Catalog:
    """Load the bundled catalog, apply the planner's files (``extra``), validate everything.

    Raises :class:`CatalogError` listing every problem (file, row, column).
    """
    problems: list[Problem] = []
    digest = hashlib.sha256()
    raw: dict[str, pd.DataFrame] = {}
    for name in TABLES:
        df, data = _bundled(name)
        raw[name] = df
        digest.update(name.encode() + data)
    files = []
    extras = [] if extra is None else ([extra] if isinstance(extra, (str, Path)) else list(extra))
    for path in map(Path, extras):
        df = _read_user(path, problems)
        if df is None:
            continue
        files.append(str(path))
        digest.update(path.name.encode() + path.read_bytes())
        if "measure_id" in df.columns:
            raw["measures"] = _merge(raw["measures"], df, "measure_id", str(path), problems,
                                     required=("group", "name", "zone_types", "source", "confidence"))
        elif "parameter" in df.columns:
            raw["parameters"] = _merge(raw["parameters"], df, "parameter", str(path), problems,
                                       required=("value", "unit", "source", "confidence"))
        else:
            problems.append(Problem(file=str(path), message="a catalog file needs a 'measure_id' column "
                                    "(measures) or a 'parameter' column (constants)"))
    measures = _typed(raw["measures"], "measures", "measures.csv", problems, "measure_id")
    growth = _typed(raw["vegetation_growth"], "vegetation_growth", "vegetation_growth.csv", problems, "veg_type")
    standards = _typed(raw["standards"], "standards", "standards.csv", problems, "standard")
    monitoring = _typed(raw["monitoring"], "monitoring", "monitoring.csv", problems, "monitoring_level")
    interactions = _typed(raw["interactions"], "interactions", "interactions.csv", problems, "measure_a")
    parameters = raw["parameters"].copy()
    parameters["value"] = pd.to_numeric(parameters["value"], errors="coerce")
    for p in parameters.loc[parameters["value"].isna(), "parameter"]:
        problems.append(Problem(file="parameters", field="value", message=f"parameter {p!r} is not a number"))
    _check_measures(measures, set(growth["veg_type"]), problems)
    if problems:
        raise CatalogError(problems)
    return Catalog(
        measures=measures.reset_index(drop=True),
        growth=growth.set_index("veg_type"),
        standards=standards.set_index("standard"),
        monitoring=monitoring.set_index("monitoring_level"),
        interactions=interactions,
        parameters=parameters.set_index("parameter"),
        version=digest.hexdigest()[:16],
        files=tuple(files),
    )


def _merge(base: pd.DataFrame, user: pd.DataFrame, key: str, file: str, problems: list[Problem],
           required: tuple[str, ...]) -> pd.DataFrame:
    unknown = [c for c in user.columns if c not in base.columns]
    for c in unknown:
        near = difflib.get_close_matches(c, list(base.columns), n=1)
        problems.append(Problem(file=file, field=c, message="unknown column"
                                + (f"; did you mean {near[0]!r}?" if near else "")))
    if unknown:
        return base
    out = base.set_index(key)
    for _, row in user.iterrows():
        k = row[key].strip()
        if not k:
            problems.append(Problem(file=file, field=key, message="a row has an empty id"))
            continue
        if k in out.index:
            for col, v in row.items():
                if col != key and str(v).strip() != "":
                    out.at[k, col] = str(v).strip()
        else:
            missing = [c for c in required if c not in row or str(row[c]).strip() == ""]
            if missing:
                problems.append(Problem(file=file, field=", ".join(missing),
                                        message=f"new row {k!r} must give {', '.join(missing)}"))
                continue
            new = pd.Series({c: "" for c in out.columns}, name=k)
            for col, v in row.items():
                if col != key:
                    new[col] = str(v).strip()
            out = pd.concat([out, new.to_frame().T])
    out.index.name = key
    return out.reset_index()


def _check_measures(m: pd.DataFrame, veg_types: set[str], problems: list[Problem]) -> None:
    from ..site import ZONE_TYPES  # zone types are defined by the site reader
    f = "measures"
    dup = m["measure_id"][m["measure_id"].duplicated()]
    for d in dup:
        problems.append(Problem(file=f, field="measure_id", message=f"{d!r} appears twice"))
    for _, r in m.iterrows():
        mid = r["measure_id"]
        if r["group"] not in GROUPS:
            near = difflib.get_close_matches(r["group"], GROUPS, n=1)
            problems.append(Problem(file=f, field="group", message=f"row {mid!r}: unknown group {r['group']!r}"
                                    + (f"; did you mean {near[0]!r}?" if near else "")))
        for zt in r["zone_types"]:
            if zt not in ZONE_TYPES:
                problems.append(Problem(file=f, field="zone_types", message=f"row {mid!r}: unknown zone type {zt!r}"))
        if r["confidence"] not in CONFIDENCE:
            problems.append(Problem(file=f, field="confidence",
                                    message=f"row {mid!r}: {r['confidence']!r} is not one of A, B, C, P"))
        if not r["source"]:
            problems.append(Problem(file=f, field="source", message=f"row {mid!r}: every row needs a source"))
        if r["group"] == "vegetation":
            if r["vegetation_type"] not in veg_types:
                problems.append(Problem(file=f, field="vegetation_type",
                                        message=f"row {mid!r}: {r['vegetation_type']!r} has no growth curve in "
                                                f"vegetation_growth.csv ({', '.join(sorted(veg_types))})"))
            if not np.isfinite(r["cover_max_pct"]) or not np.isfinite(r["cover_rate_per_yr"]):
                problems.append(Problem(file=f, field="cover_max_pct",
                                        message=f"row {mid!r}: a vegetation measure needs cover_max_pct and cover_rate_per_yr"))
        if r["min_slope_deg"] > r["max_slope_deg"]:
            problems.append(Problem(file=f, field="min_slope_deg", message=f"row {mid!r}: min slope above max slope"))
