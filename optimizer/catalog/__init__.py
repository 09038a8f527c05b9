"""The measure catalog: bundled CSV tables, their schema, and the one loader.

Tables (``schema.csv`` documents every column with type and unit):

- ``measures.csv``       every measure (docs/science.md §1.3), with suitability rules as data
- ``vegetation_growth.csv`` Chapman–Richards and SOC parameters per vegetation type, written by
  ``benchmarks/fit_growth.py`` from ``chronosequences.csv``
- ``standards.csv``      crediting standards, their eligibility rules and baseline rule
- ``leakage.csv``        leakage share per standard and land designation (docs/science.md §5.5)
- ``land_rules.csv``     vegetation a land designation may not take, with its legal source (§1.3)
- ``monitoring.csv``     monitoring levels: uncertainty deduction and cost
- ``interactions.csv``   interaction multipliers between measures (1.0 [P] unless sourced)
- ``parameters.csv``     model constants with unit and source
- ``allometry.csv``      tree allometry per vegetation type: monitored height and diameter → biomass
  carbon (docs/science.md §9)

A planner's own catalog file (``--catalog FILE``) overrides or adds rows: a CSV with a
``measure_id`` column changes or adds measures (only the columns it has), one with a
``parameter`` column changes constants. It may be UTF-8 or GB18030 (GBK) text; the latter is read
with a :class:`~optimizer.errors.TextEncodingWarning`.

Every number, bundled or the planner's, is checked: ``nan`` and ``inf`` are never values (an empty
cell means "the schema's default" or "not given"), and each float column has the range
``schema.csv`` gives in its ``min``/``max`` columns; parameters are checked by unit (money ≥ 0,
fractions 0–1, lengths and times ≥ 0). Problems name the file the value came from, the row
(measure id, parameter, …) and the column.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import CatalogError, Issue
from ..i18n import N_, _
from ..io.paths import input_file_problem
from ..io.tables import read_csv_text

#: The terrain zones a zoning file may name; measures' suitability rules refer to them
#: (docs/science.md §1.1).
ZONE_TYPES = ("platform", "slope", "subsidence_pool", "waste_heap", "pit_floor")

GROUPS = ("waste", "landform", "soil", "vegetation", "upkeep", "water", "energy")
CONFIDENCE = ("A", "B", "C", "P")
TABLES = ("measures", "vegetation_growth", "standards", "monitoring", "interactions", "parameters", "leakage",
          "land_rules", "allometry")
#: Allometric equation forms of ``allometry.csv`` (optimizer.models.allometry).
ALLOMETRY_FORMS = ("jenkins2003", "chave2014")
#: How a standard's baseline is subtracted (``standards.csv`` ``baseline_rule``; docs/science.md §5.5).
BASELINE_RULES = ("no_works", "none")


def _bundled(name: str) -> tuple[pd.DataFrame, bytes]:
    raw = resources.files(__package__).joinpath(f"{name}.csv").read_bytes()
    import io
    return pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False), raw


def schema() -> pd.DataFrame:
    return _bundled("schema")[0]


@functools.cache
def standard_ids() -> tuple[str, ...]:
    """The crediting standards the catalog knows (``standards.csv``), as settings name them.

    A planner's catalog file changes measures and parameters only, so this list is the one
    :func:`optimizer.options.evaluate_options` checks ``[accounting] standards`` against.
    """
    return tuple(_bundled("standards")[0]["standard"].str.strip())


# Parameters have no per-row range in parameters.csv; their unit says what is physical.
# (unit prefix, low, high); the first match wins; units not listed need only be finite.
PARAMETER_UNIT_RANGES = (("CNY", 0.0, None), ("fraction", 0.0, 1.0), ("yr", 0.0, None), ("°", 0.0, 90.0),
                         ("cm", 0.0, None), ("m³", 0.0, None), ("m", 0.0, None), ("L/", 0.0, None))
NON_FINITE = {"nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"}


@dataclass(frozen=True)
class Catalog:
    measures: pd.DataFrame          # typed per schema.csv, enabled rows and disabled ones
    growth: pd.DataFrame            # indexed by (veg_type, climate)
    standards: pd.DataFrame         # indexed by standard
    monitoring: pd.DataFrame        # indexed by monitoring_level
    interactions: pd.DataFrame
    parameters: pd.DataFrame        # indexed by parameter: value, unit, source, confidence
    version: str                    # sha256 of every table's bytes (bundled and the planner's)
    files: tuple[str, ...] = ()     # the planner's catalog files applied
    leakage: pd.DataFrame = field(default_factory=pd.DataFrame)     # standard, land_designation, leakage_fraction
    land_rules: pd.DataFrame = field(default_factory=pd.DataFrame)  # indexed by land_designation
    allometry: pd.DataFrame = field(default_factory=pd.DataFrame)   # indexed by vegetation_type

    def growth_for(self, climate: str) -> pd.DataFrame:
        """The growth curves of one climate class, indexed by veg_type (docs/science.md §2.1)."""
        return self.growth.xs(climate, level="climate")

    @property
    def veg_types(self) -> tuple[str, ...]:
        """Vegetation types with a growth curve."""
        return tuple(dict.fromkeys(self.growth.index.get_level_values("veg_type")))

    def growth_confidence(self, veg_type: str) -> str:
        """The best confidence class among a type's curves (P when no class has data)."""
        conf = self.growth.xs(veg_type, level="veg_type")["confidence"]
        return min(conf, key="ABCP".index) if len(conf) else "P"

    def param(self, name: str) -> float:
        return float(self.parameters.at[name, "value"])

    @property
    def placeholder_parameters(self) -> list[str]:
        return list(self.parameters.index[self.parameters["confidence"] == "P"])

    def enabled_measures(self) -> pd.DataFrame:
        return self.measures[self.measures["enabled"]].reset_index(drop=True)


def _bound(v: str) -> float | None:
    v = str(v).strip()
    return float(v) if v else None


def _range_text(lo: float | None, hi: float | None, unit: str) -> str:
    unit = f" {unit}" if unit else ""
    if lo is not None and hi is not None:
        return f"{lo:g}–{hi:g}{unit}"
    if lo is not None:
        return f"≥ {lo:g}{unit}"
    if hi is not None:
        return f"≤ {hi:g}{unit}"
    return _("a finite number")


def _check_float(text: str, num: float, file: str, row: str, col: str, lo, hi, unit: str, default: str,
                 problems: list[Issue]) -> None:
    """One numeric cell: a number, finite, within [lo, hi]."""
    where = dict(file=file, row=row, field=col)
    allowed = _range_text(lo, hi, unit)
    empty = _("the schema's default") if default not in ("", "(all)") else _("'not given'")
    if text.lower() in NON_FINITE:
        problems.append(Issue(message=_("{value} is not a finite number (allowed: {allowed}); leave the cell empty "
                                        "for {empty}").format(value=repr(text), allowed=allowed, empty=empty),
                              **where))
    elif np.isnan(num):
        problems.append(Issue(message=_("{value} is not a number (allowed: {allowed})").format(
            value=repr(text), allowed=allowed), **where))
    elif not np.isfinite(num):
        problems.append(Issue(message=_("{value} is too large (allowed: {allowed})").format(
            value=repr(text), allowed=allowed), **where))
    elif (lo is not None and num < lo) or (hi is not None and num > hi):
        problems.append(Issue(message=_("{value} is outside the allowed range {allowed}").format(
            value=text, allowed=allowed), **where))


#: a number as a catalog cell writes it (ASCII digits; what ``pandas.to_numeric`` reads from such a cell)
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)


def _cell_number(text: str) -> float:
    """A stripped, non-empty float cell as a number: nan for the spellings of a non-finite value
    and for what is not a number (both reported by :func:`_check_float`)."""
    if text.lower() in NON_FINITE:
        return np.nan
    if _PLAIN_NUMBER.fullmatch(text):
        return float(text)
    return float(pd.to_numeric(pd.Series([text]), errors="coerce").iloc[0])   # anything else: as pandas reads it


@functools.cache
def _schemas() -> dict[str, dict[str, tuple[str, str, float | None, float | None, str]]]:
    """``schema.csv`` read once: table → column → (type, default, min, max, unit)."""
    out: dict[str, dict[str, tuple[str, str, float | None, float | None, str]]] = {}
    for r in schema().itertuples(index=False):
        out.setdefault(str(r.table), {})[str(r.column)] = (str(r.type), str(r.default), _bound(r.min),
                                                           _bound(r.max), str(r.unit))
    return out


def _schema_of(table: str) -> dict[str, tuple[str, str, float | None, float | None, str]]:
    """The schema's columns of ``table``: column → (type, default, min, max, unit)."""
    return _schemas().get(table, {})


def _typed(df: pd.DataFrame, table: str, file: str, problems: list[Issue], key: str,
           origin: dict | None = None) -> pd.DataFrame:
    """Convert string columns to the schema's types; empty → schema default.

    Every float cell is checked (number, finite, the schema's ``min``/``max``). ``origin`` maps
    (row id, column) to the planner's file a cell came from; other cells are named ``file``.
    The tables are small (tens of rows): cells are read as Python strings, column by column, which
    is a tenth of the time of pandas' string methods on each column (benchmarks/RESULTS.md, run W).
    """
    origin = origin or {}
    spec = _schema_of(table)
    ids = [str(v).strip() for v in df[key].tolist()] if key in df.columns else [""] * len(df)
    columns: dict[str, object] = {}
    for col in df.columns:
        if col not in spec:
            columns[col] = df[col]
            continue
        typ, default, lo, hi, unit = spec[col]
        vals = [str(v).strip() for v in df[col].tolist()]
        if typ == "float":
            fill = default if default not in ("", "(all)") else ""
            num = np.full(len(vals), np.nan)
            for i, text in enumerate(vals):
                text = text or fill
                if not text:
                    continue
                x = _cell_number(text)
                if np.isfinite(x) and (lo is None or x >= lo) and (hi is None or x <= hi):
                    num[i] = x
                    continue
                _check_float(text, x, origin.get((ids[i], col), file), ids[i], col, lo, hi, unit, default, problems)
                if np.isfinite(x):
                    num[i] = x
            columns[col] = num
        elif typ == "bool":
            fill = default or "false"
            low = [v.lower() if v else fill for v in vals]
            for i, v in enumerate(low):
                if v not in ("true", "false", "1", "0", "yes", "no"):
                    problems.append(Issue(file=origin.get((ids[i], col), file), row=ids[i], field=col,
                                          message=_("{value} is not true/false").format(value=repr(v))))
            columns[col] = np.array([v in ("true", "1", "yes") for v in low], dtype=bool)
        elif typ == "list":
            columns[col] = pd.Series([tuple(x.strip() for x in v.split(";") if x.strip()) for v in vals],
                                     index=df.index, dtype=object)
        else:
            columns[col] = pd.Series(vals, index=df.index, dtype=str)
    return pd.DataFrame(columns, index=df.index)


def _typed_parameters(raw: pd.DataFrame, problems: list[Issue], origin: dict) -> pd.DataFrame:
    """parameters.csv: every value a finite number in the range its unit implies."""
    out = raw.copy()
    vals = out["value"].astype(str).str.strip()
    num = pd.to_numeric(vals.where(~vals.str.lower().isin(NON_FINITE), "x"), errors="coerce").to_numpy(dtype=float)
    for i, (name, unit) in enumerate(zip(out["parameter"].astype(str).str.strip(), out["unit"].astype(str))):
        lo = hi = None
        for prefix, a, b in PARAMETER_UNIT_RANGES:
            if unit.strip().startswith(prefix):
                lo, hi = a, b
                break
        ok = np.isfinite(num[i]) and (lo is None or num[i] >= lo) and (hi is None or num[i] <= hi)
        if not ok:
            file = origin.get((name, "value"), "parameters.csv")
            if vals.iloc[i] == "":
                problems.append(Issue(file=file, row=name, field="value",
                    message=_("missing; every parameter needs a value")))
            else:
                _check_float(vals.iloc[i], num[i], file, name, "value", lo, hi, unit, "", problems)
    out["value"] = np.where(np.isfinite(num), num, np.nan)
    return out


def _read_user(path: Path, problems: list[Issue]) -> pd.DataFrame | None:
    problem = input_file_problem(path, N_("catalog file"), example="my_catalog.csv", suffixes=(".csv",))
    if problem is not None:
        problems.append(problem)
        return None
    return read_csv_text(path, problems)


def load_catalog(extra: str | Path | list | tuple | None = None) -> Catalog:
    """Load the bundled catalog, apply the planner's files (``extra``), validate everything.

    Raises :class:`CatalogError` listing every problem (file, row, column).
    """
    problems: list[Issue] = []
    digest = hashlib.sha256()
    raw: dict[str, pd.DataFrame] = {}
    for name in TABLES:
        df, data = _bundled(name)
        raw[name] = df
        digest.update(name.encode() + data)
    files = []
    extras = [] if extra is None else ([extra] if isinstance(extra, (str, Path)) else list(extra))
    origin: dict[str, dict] = {"measures": {}, "parameters": {}}
    for path in map(Path, extras):
        df = _read_user(path, problems)
        if df is None:
            continue
        files.append(str(path))
        digest.update(path.name.encode() + path.read_bytes())
        df.columns = [str(c).strip() for c in df.columns]
        if "measure_id" in df.columns:
            raw["measures"] = _merge(raw["measures"], df, "measure_id", str(path), problems, origin["measures"],
                                     required=("group", "name", "zone_types", "source", "confidence"))
        elif "parameter" in df.columns:
            raw["parameters"] = _merge(raw["parameters"], df, "parameter", str(path), problems, origin["parameters"],
                                       required=("value", "unit", "source", "confidence"))
        else:
            problems.append(Issue(file=str(path),
                message=_("a catalog file needs a 'measure_id' column (measures) or a "
                                                             "'parameter' column (constants); columns: ")
                                  + ", ".join(map(repr, df.columns))))
    measures = _typed(raw["measures"], "measures", "measures.csv", problems, "measure_id", origin["measures"])
    growth = _typed(raw["vegetation_growth"], "vegetation_growth", "vegetation_growth.csv", problems, "veg_type")
    standards = _typed(raw["standards"], "standards", "standards.csv", problems, "standard")
    monitoring = _typed(raw["monitoring"], "monitoring", "monitoring.csv", problems, "monitoring_level")
    interactions = _typed(raw["interactions"], "interactions", "interactions.csv", problems, "measure_a")
    parameters = _typed_parameters(raw["parameters"], problems, origin["parameters"])
    leakage = _typed(raw["leakage"], "leakage", "leakage.csv", problems, "standard")
    land_rules = _typed(raw["land_rules"], "land_rules", "land_rules.csv", problems, "land_designation")
    allometry = _typed(raw["allometry"], "allometry", "allometry.csv", problems, "vegetation_type")
    _check_allometry(allometry, set(growth["veg_type"]), problems)
    _check_measures(measures, set(growth["veg_type"]), problems, origin["measures"])
    _check_accounting(standards, leakage, land_rules, set(growth["veg_type"]), problems)
    if problems:
        raise CatalogError(problems)
    return Catalog(
        measures=measures.reset_index(drop=True),
        growth=growth.set_index(["veg_type", "climate"]),
        standards=standards.set_index("standard"),
        monitoring=monitoring.set_index("monitoring_level"),
        interactions=interactions,
        parameters=parameters.set_index("parameter"),
        version=digest.hexdigest()[:16],
        files=tuple(files),
        leakage=leakage.reset_index(drop=True),
        land_rules=land_rules.set_index("land_designation"),
        allometry=allometry.set_index("vegetation_type"),
    )


def _check_allometry(allometry: pd.DataFrame, veg_types: set, problems: list[Issue]) -> None:
    """Each allometry row names a vegetation type with a growth curve, a known form, once; the
    pantropical form needs a wood density."""
    seen = set()
    for _i, r in allometry.iterrows():
        v = str(r["vegetation_type"])
        where = dict(file="allometry.csv", row=v)
        if v not in veg_types:
            problems.append(Issue(**where, field="vegetation_type", message="not a vegetation type of "
                                  "vegetation_growth.csv"))
        if v in seen:
            problems.append(Issue(**where, field="vegetation_type", message="listed twice"))
        seen.add(v)
        if r["form"] not in ALLOMETRY_FORMS:
            problems.append(Issue(**where, field="form", message=f"{r['form']!r} is not one of "
                                  + ", ".join(ALLOMETRY_FORMS)))
        elif r["form"] == "chave2014" and not np.isfinite(float(r["wood_density_g_per_cm3"])):
            problems.append(Issue(**where, field="wood_density_g_per_cm3", message="the chave2014 form needs it"))


def _merge(base: pd.DataFrame, user: pd.DataFrame, key: str, file: str, problems: list[Issue],
           origin: dict, required: tuple[str, ...]) -> pd.DataFrame:
    """Apply a planner's rows over ``base``; ``origin[(row id, column)] = file`` for every cell taken."""
    unknown = [c for c in user.columns if c not in base.columns]
    for c in unknown:
        near = difflib.get_close_matches(c, list(base.columns), n=1)
        problems.append(Issue(file=file, field=c, message=_("unknown column")
                              + (_("; did you mean {name}?").format(name=repr(near[0])) if near else "")))
    if unknown:
        return base
    out = base.set_index(key)
    seen: dict[str, int] = {}
    for i, (_idx, row) in enumerate(user.iterrows()):
        k = str(row[key]).strip()
        if not k:
            problems.append(Issue(file=file, row=_("<line {line}>").format(line=i + 2), field=key,
                                  message=_("a row has an empty id")))
            continue
        if k in seen:
            problems.append(Issue(file=file, row=k, field=key,
                message=_("appears twice (lines {first} and {second})").format(
                first=seen[k], second=i + 2)))
            continue
        seen[k] = i + 2
        if k in out.index:
            for col, v in row.items():
                if col != key and str(v).strip() != "":
                    out.at[k, col] = str(v).strip()
                    origin[(k, col)] = file
        else:
            missing = [c for c in required if c not in row or str(row[c]).strip() == ""]
            if missing:
                problems.append(Issue(file=file, row=k, field=", ".join(missing),
                                        message=_("a new row must give {columns}").format(columns=", ".join(missing))))
                continue
            new = pd.Series({c: "" for c in out.columns}, name=k)
            for col, v in row.items():
                if col != key:
                    new[col] = str(v).strip()
                    origin[(k, col)] = file
            out = pd.concat([out, new.to_frame().T])
    out.index.name = key
    return out.reset_index()


def _check_measures(m: pd.DataFrame, veg_types: set[str], problems: list[Issue], origin: dict | None = None
                    ) -> None:
    origin = origin or {}

    def at(mid, col, message):
        problems.append(Issue(file=origin.get((mid, col), "measures.csv"), row=mid, field=col, message=message))

    dup = m["measure_id"][m["measure_id"].duplicated()]
    for d in dup:
        at(d, "measure_id", _("appears twice"))
    for _idx, r in m.iterrows():
        mid = r["measure_id"]
        if r["group"] not in GROUPS:
            near = difflib.get_close_matches(r["group"], GROUPS, n=1)
            at(mid, "group", _("unknown group {value}").format(value=repr(r["group"]))
               + (_("; did you mean {name}?").format(name=repr(near[0])) if near
                  else _("; valid: {valid}").format(valid=", ".join(GROUPS))))
        for zt in r["zone_types"]:
            if zt not in ZONE_TYPES:
                near = difflib.get_close_matches(zt, ZONE_TYPES, n=1)
                at(mid, "zone_types", _("unknown zone type {value}").format(value=repr(zt))
                   + (_("; did you mean {name}?").format(name=repr(near[0])) if near else ""))
        if r["confidence"] not in CONFIDENCE:
            at(mid, "confidence", _("{value} is not one of A, B, C, P").format(value=repr(r["confidence"])))
        if not r["source"]:
            at(mid, "source", _("every row needs a source"))
        if r["group"] == "vegetation":
            if r["vegetation_type"] not in veg_types:
                at(mid, "vegetation_type", _("{value} has no growth curve in vegetation_growth.csv ({known})").format(
                    value=repr(r["vegetation_type"]), known=", ".join(sorted(veg_types))))
            if not np.isfinite(r["cover_max_pct"]) or not np.isfinite(r["cover_rate_per_yr"]):
                at(mid, "cover_max_pct", _("a vegetation measure needs cover_max_pct and cover_rate_per_yr"))
        if r["min_slope_deg"] > r["max_slope_deg"]:
            col = "min_slope_deg" if (mid, "min_slope_deg") in origin else "max_slope_deg"
            at(mid, col, _("min_slope_deg {low}° is above max_slope_deg {high}°").format(
                low=f"{r['min_slope_deg']:g}", high=f"{r['max_slope_deg']:g}"))


def _check_accounting(standards: pd.DataFrame, leakage: pd.DataFrame, land_rules: pd.DataFrame,
                      veg_types: set[str], problems: list[Issue]) -> None:
    """Baseline rules, leakage rows and land rules name what exists (docs/science.md §1.3, §5.5)."""
    for _idx, r in standards.iterrows():
        if r["baseline_rule"] not in BASELINE_RULES:
            problems.append(Issue(file="standards.csv", row=r["standard"], field="baseline_rule",
                                  message=_("{value} is not one of {valid}").format(value=repr(r["baseline_rule"]),
                                                                            valid=", ".join(BASELINE_RULES))))
    known = set(standards["standard"])
    seen: set[tuple[str, str]] = set()
    for _idx, r in leakage.iterrows():
        key = (r["standard"], r["land_designation"])
        if r["standard"] not in known:
            problems.append(Issue(file="leakage.csv", row=r["standard"], field="standard",
                                  message=_("unknown standard; standards.csv has {known}").format(
                                      known=", ".join(sorted(known)))))
        if key in seen:
            problems.append(Issue(file="leakage.csv", row=r["standard"], field="land_designation",
                                  message=_("{value} appears twice for this standard").format(
                                      value=repr(r["land_designation"]))))
        seen.add(key)
    for _idx, r in land_rules.iterrows():
        for v in r["forbidden_vegetation_types"]:
            if v not in veg_types:
                problems.append(Issue(file="land_rules.csv", row=r["land_designation"],
                                      field="forbidden_vegetation_types",
                                      message=_("{value} has no growth curve in vegetation_growth.csv").format(
                                          value=repr(v))))
        if r["confidence"] not in CONFIDENCE:
            problems.append(Issue(file="land_rules.csv", row=r["land_designation"], field="confidence",
                                  message=_("{value} is not one of A, B, C, P").format(value=repr(r["confidence"]))))
        if not r["source"]:
            problems.append(Issue(file="land_rules.csv", row=r["land_designation"], field="source",
                                  message=_("every land rule needs its legal source")))
