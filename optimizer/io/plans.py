"""Writing plans and fronts: GeoPackage (zones, chosen measure per group, metrics, and a table of
the run's settings), GeoJSON, CSV, summary and manifest JSON. Every file is written atomically.

Reading them back (:func:`read_plan`, :func:`read_run`) is here too, for ``compare`` and
``report``: they read results only and never re-run a model. A plan's site totals, credits by
standard and baseline totals are read from ``summary.json`` (what :mod:`optimizer.evaluate`
computed); only where the files do not hold them — the points of a front, a plan file read on its
own, a run folder written before a field existed — does :meth:`PlanResult.numbers` reconstruct
them from the per-zone rows, and :attr:`PlanResult.numbers_source` says which.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..analysis.compare import accounting_sums, zone_sums, zones_with_works
from ..catalog import GROUPS
from ..catalog.palette import plan_category
from ..errors import PlanFileError
from ..i18n import N_, _
from .atomic import atomic_path, write_text_atomic
from .excel import restore, write_xlsx
from .manifest import dumps, record_outputs
from .styles import plan_styles, write_layer_styles
from .tables import write_table

if TYPE_CHECKING:
    import geopandas as gpd

#: Per-zone columns of "natural regeneration, no works" written beside the plan's own metrics, so
#: a reader can show each zone before and after without re-running a model.
BASELINE_COLUMNS = ("removals_tco2e", "soil_loss_t_per_yr", "soil_loss_first_year_t")


#: Per-hectare fields written beside the totals: (new column, total column).
PER_HA_COLUMNS = (("removals_tco2e_per_ha", "removals_tco2e"), ("credits_tco2e_per_ha", "credits_tco2e"),
                  ("cost_cny_per_ha", "cost_cny"), ("capex_cny_per_ha", "capex_cny"),
                  ("soil_loss_t_per_ha_yr", "soil_loss_t_per_yr"))


def plan_frame(plan, site=None) -> pd.DataFrame:
    """One row per zone with the chosen measure in each group, the option's metrics, per-hectare
    fields beside the totals and (given the ``site``) the zoning file's own attributes, so the
    plan file is itself a zoning file a planner can edit and read again."""
    table = plan.compiled.table
    rows = plan.rows
    df = table.to_frame(rows)
    idx = table.combos.index[table.combo[rows]]
    mids = table.combos.measures["measure_id"].to_numpy(dtype=object)
    for g, group in enumerate(GROUPS):
        df.insert(4 + g, group, np.where(idx[:, g] >= 0, mids[np.maximum(idx[:, g], 0)], ""))
    df["map_category"] = [plan_category(v, w, e, o) for v, w, e, o in
                          zip(df["vegetation_type"].fillna("").astype(str), df["water"], df["energy"],
                              df["option_id"].astype(str))]
    base = table.baseline_rows()
    for c in BASELINE_COLUMNS:
        df[f"baseline_{c}"] = table.data[c][base]
    area = df["area_ha"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        for new, total in PER_HA_COLUMNS:
            if total in df.columns:
                df[new] = np.where(area > 0, df[total].to_numpy(dtype=float) / area, np.nan)
    if site is not None:
        df = df.join(input_attributes(site, df), on="zone_id")
    return df


def input_attributes(site, plan_df: pd.DataFrame) -> pd.DataFrame:
    """The site's attribute columns (canonical inputs, then the planner's own), indexed by zone id;
    a name the plan already uses is prefixed ``input_``."""
    z = pd.DataFrame(site.zones).drop(columns=["geometry", "zone_type", "area_ha"], errors="ignore")
    out = pd.DataFrame(index=z["zone_id"].astype(str).to_numpy())
    for c in z.columns:
        if c == "zone_id":
            continue
        v = z[c]
        if isinstance(v.dtype, pd.CategoricalDtype):
            v = v.astype(object).where(v.notna(), "")
        name = f"input_{c}" if c in plan_df.columns else str(c)
        out[name] = v.to_numpy()
    return out


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
    with terminate_raises(), atomic_path(path) as tmp:
        if path.suffix.lower() == ".gpkg":
            gdf.to_file(tmp, layer=layer, driver="GPKG", engine="pyogrio", dataset_options={"VERSION": "1.2"})
            if settings_table is not None:
                pyogrio.write_dataframe(settings_table, tmp, layer="run_settings", driver="GPKG", append=True)
            write_layer_styles(tmp, layer, plan_styles(df, layer, _measure_names()))
        else:
            # name the layer: by default GDAL would name it after the temporary file
            gdf.to_crs("EPSG:4326").to_file(tmp, layer=path.stem, driver="GeoJSON", engine="pyogrio",
                                            layer_options={"COORDINATE_PRECISION": 8})
        _fsync(tmp)
    return path


def _measure_names() -> dict[str, str]:
    """Names of the bundled catalog's measures, for legends (a planner's own measure: its id).
    Read from the bundled table itself: the typed catalog takes a quarter of a second to build."""
    from ..catalog import _bundled
    m = _bundled("measures")[0]
    return dict(zip(m["measure_id"].astype(str), m["name"].astype(str)))


def _fsync(path: Path) -> None:
    """Flush a finished temporary file to disk before it replaces the target, so a power cut
    cannot leave an empty file under the target's name."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def terminate_raises():
    """While files are being written, turn SIGTERM into ``SystemExit(143)``.

    By default SIGTERM ends Python at once, skipping the clean-up of :func:`atomic_path` and
    leaving its temporary file behind; raised as an exception it unwinds through the clean-up
    instead (Ctrl-C already does, as ``KeyboardInterrupt``). A no-op outside the main thread or
    when the program has its own SIGTERM handler. SIGKILL cannot be caught: then the target is
    still intact, but a hidden ``.NAME.*`` temporary file may remain.
    """
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread() or \
            signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        yield
        return

    def _raise(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, _raise)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def write_plan(plan, site, out_dir: Path, *, manifest: dict, name: str = "plan",
               formats=("gpkg", "csv", "geojson", "trajectories"), summary: dict | None = None,
               excel: str | None = None) -> list[Path]:
    """Write a plan: ``{name}.gpkg`` (+ layer run_settings), ``.geojson``, ``.csv``,
    ``{name}_trajectories.csv`` (the plan's :attr:`~optimizer.solve.result.Plan.trajectories`, as
    :mod:`optimizer.evaluate` computed them), and ``summary.json`` when a ``summary`` is given
    (:meth:`Plan.summary <optimizer.solve.result.Plan.summary>`: totals, credits by standard,
    baseline totals, constraint rows).

    ``excel``: ``"csv"`` writes the CSV files as UTF-8 with BOM and a units row (for Excel; the
    readers here skip that row), ``"xlsx"`` also writes ``{name}.xlsx`` (plan, trajectories and
    run settings, with units). Text cells that Excel would read as a formula are neutralised in
    every CSV and XLSX (:mod:`optimizer.io.excel`).

    Each file is written atomically. The SHA-256 of every file written is added to
    ``manifest["outputs"]`` (when a manifest is given), so the manifest written after it
    vouches for exactly these files.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if excel not in (None, "csv", "xlsx"):
        raise ValueError(f"excel={excel!r}: use None, 'csv' or 'xlsx'")
    df = plan_frame(plan, site if getattr(site, "zones", None) is not None else None)
    written = []
    bom = excel is not None
    st = settings_frame(site.settings, {"objective": plan.objective_name, "solver": plan.solver,
                                        "status": plan.status.value, "gap": plan.gap})
    with terminate_raises():
        if "csv" in formats:
            written.append(write_table(df, out_dir / f"{name}.csv", excel=bom))
        if "trajectories" in formats:
            written.append(write_table(plan.trajectories, out_dir / f"{name}_trajectories.csv", excel=bom))
        if excel == "xlsx":
            sheets = {"plan": df, "trajectories": plan.trajectories, "run_settings": st}
            written.append(write_xlsx(sheets, out_dir / f"{name}.xlsx"))
        for fmt in ("gpkg", "geojson"):
            if fmt in formats:
                p = write_geo(df, site, out_dir / f"{name}.{fmt}", st if fmt == "gpkg" else None)
                if p:
                    written.append(p)
        if summary is not None:
            written.append(write_json(out_dir / "summary.json", summary))
    if manifest:
        record_outputs(manifest, written, out_dir)
    return written


def write_json(path: Path, doc: dict) -> Path:
    """Write JSON atomically. A run manifest (``sinkplan_run`` key) of a ``pareto`` run also gets
    the SHA-256 of the front and point files it describes (see :func:`record_outputs`)."""
    path = Path(path)
    if doc.get("sinkplan_run") and doc.get("command") == "pareto" and "outputs" not in doc:
        root = path.parent
        k = int((doc.get("solver") or {}).get("points") or 0)
        names = ["front.csv"] + (["supported_front.csv"] if doc["solver"].get("method") == "supported" else [])
        names += [f"plans/point_{i:03d}{ext}" for i in range(k) for ext in (".csv", ".gpkg", "_trajectories.csv")]
        record_outputs(doc, [root / n for n in names if (root / n).is_file()], root)
    with terminate_raises():
        return write_text_atomic(path, dumps(doc))


# ----------------------------------------------------------------------------------------------
# reading plans and runs back (for compare and report; no model is re-run)
# ----------------------------------------------------------------------------------------------
#: Columns a plan table must have to be compared or reported.
REQUIRED_COLUMNS = ("zone_id", "option_id", "zone_type", "area_ha", "removals_tco2e", "cost_cny", "capex_cny")
#: Numeric per-zone metrics of a plan (``optimizer.options.COLUMNS`` less the flag), in order.
METRIC_COLUMNS = ("area_ha", "removals_tco2e", "avoided_tco2e", "credits_tco2e", "credit_value_cny", "cost_cny",
                  "capex_cny", "soil_loss_t_per_yr", "soil_loss_first_year_t", "topsoil_m3", "gangue_m3")
TEXT_COLUMNS = ("zone_id", "option_id", "zone_type", "measures", "vegetation_type", "eligible_standards",
                "placeholder_params") + tuple(GROUPS)
PLAN_SUFFIXES = (".csv", ".gpkg", ".geojson", ".json")


@dataclass(frozen=True, eq=False)
class PlanResult:
    """One plan read from disk: its zones (one row each), and what was written beside it."""

    label: str
    path: Path                                 # the plan file read
    zones: pd.DataFrame                        # one row per zone: plan_frame's columns
    trajectories: pd.DataFrame | None = None   # annual site series with *_baseline columns
    summary: dict | None = None                # summary.json (optimize runs)
    manifest: dict | None = None               # the run's manifest.json
    geometry: gpd.GeoDataFrame | None = None   # zone_id + geometry (projected CRS)
    notes: tuple[str, ...] = ()

    @property
    def standards(self) -> list[str]:
        """Crediting standards assessed in the run (manifest settings; else those seen in the plan)."""
        st = ((self.manifest or {}).get("settings") or {}).get("standards")
        if st:
            return list(st)
        seen: set[str] = set()
        for v in self.zones.get("eligible_standards", pd.Series(dtype=str)).fillna(""):
            seen.update(x for x in str(v).split(";") if x)
        return sorted(seen)

    @property
    def numbers_source(self) -> str:
        """Where :attr:`totals` come from: ``"summary.json"`` (evaluate's numbers, full precision)
        or ``"per-zone rows"`` (the reader's reconstruction, :meth:`numbers`)."""
        return "summary.json" if "totals" in (self.summary or {}) else "per-zone rows"

    @cached_property
    def numbers(self) -> dict:
        """The plan's site numbers: ``totals`` (column → float), ``credits_by_standard``
        (standard → float [t CO2e]), ``baseline_totals`` (column → float, "no works") and
        ``baseline_credits_by_standard``, each as summary.json holds it.

        The reader's reconstruction, and the only one: a field summary.json does not hold (no
        summary.json beside front points or a plan file read alone; ``credits_by_standard`` in run
        folders written before it was added) is summed from the per-zone rows by
        :func:`optimizer.analysis.compare.zone_sums` — totals of the metric columns, credits of the
        zones whose ``eligible_standards`` list a standard, the ``baseline_*`` columns — at the
        files' precision (10 significant digits per zone). Baseline credits by standard, which no
        per-zone column holds, are then unknown (NaN).
        """
        s = self.summary or {}
        missing = [k for k in ("totals", "credits_by_standard", "baseline_totals") if k not in s]
        rebuilt = zone_sums(self.zones, self.standards) if missing else {}
        out = {k: dict(s[k]) if k in s else rebuilt[k] for k in ("totals", "credits_by_standard", "baseline_totals")}
        out["baseline_credits_by_standard"] = dict(s.get("baseline_credits_by_standard")
                                                   or {st: float("nan") for st in self.standards})
        out["accounting"] = dict(s["accounting"]) if "accounting" in s else \
            accounting_sums(self.zones, out["totals"], out["baseline_totals"])
        return out

    @property
    def totals(self) -> dict:
        """Site totals, column → float in the column's unit (see :attr:`numbers`)."""
        return self.numbers["totals"]

    @property
    def credits_by_standard(self) -> dict:
        """Credits of the zones eligible under each standard, standard → float [t CO2e]; a zone
        eligible under two counts in both, its credits issued once (see :attr:`numbers`)."""
        return self.numbers["credits_by_standard"]

    @property
    def baseline_totals(self) -> dict:
        """Site totals of "no works" (natural regeneration), column → float (see :attr:`numbers`)."""
        return self.numbers["baseline_totals"]

    @property
    def zones_with_works(self) -> int:
        """Zones whose option is not natural regeneration or no works (a count of the per-zone rows)."""
        return zones_with_works(self.zones)


@dataclass(frozen=True, eq=False)
class FrontResult:
    """A ``sinkplan pareto`` run: front.csv, its manifest and one plan per point."""

    path: Path
    front: pd.DataFrame
    objectives: tuple[str, ...]
    manifest: dict
    points: tuple[PlanResult, ...] = field(default_factory=tuple)

    @property
    def geometry(self):
        return next((p.geometry for p in self.points if p.geometry is not None), None)


def _read_json(path: Path, what: str) -> dict:
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise PlanFileError(_("{path}: not valid JSON ({error}, line {line}); is this {what} complete?").format(
            path=path, error=exc.msg, line=exc.lineno, what=_(what))) from None
    except OSError as exc:
        raise PlanFileError(_("{path}: cannot be read ({error})").format(path=path, error=exc.strerror)) from None
    if not isinstance(doc, dict):
        raise PlanFileError(_("{path}: expected a JSON object ({what})").format(path=path, what=_(what)))
    return doc


def _clean_plan_table(df: pd.DataFrame, path: Path) -> pd.DataFrame:
    missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
    if missing:
        raise PlanFileError(_("{path}: not a SinkPlan plan; missing column(s) {columns} (write plans with "
                              "`sinkplan optimize` or `sinkplan pareto`)").format(
                                  path=path, columns=", ".join(missing)))
    df = pd.DataFrame(df).reset_index(drop=True)
    for c in TEXT_COLUMNS:
        if c in df.columns:
            df[c] = df[c].astype(object).where(df[c].notna(), "").astype(str)
    problems = []
    for c in METRIC_COLUMNS + tuple(f"baseline_{b}" for b in BASELINE_COLUMNS):
        if c in df.columns:
            num = pd.to_numeric(df[c], errors="coerce")
            bad = num.isna() & df[c].notna() & (df[c].astype(str).str.strip() != "")
            if bad.any():
                problems.append(_("column {column} has non-numbers, e.g. zone {zone}: {value}").format(
                    column=repr(c), zone=repr(df.loc[bad, "zone_id"].iloc[0]), value=repr(df.loc[bad, c].iloc[0])))
            df[c] = num.astype(float)
        elif c in METRIC_COLUMNS:
            df[c] = np.nan
    if "within_tolerance" in df.columns:
        df["within_tolerance"] = df["within_tolerance"].map(
            lambda v: str(v).strip().lower() in ("true", "1", "1.0", "yes"))
    dup = df["zone_id"][df["zone_id"].duplicated()].unique()
    if len(dup):
        problems.append(_("zone_id repeated: {zones}").format(zones=", ".join(map(str, dup[:5]))))
    if len(df) == 0:
        problems.append(_("no zones"))
    if problems:
        raise PlanFileError(_("{where}: {message}").format(where=path, message="; ".join(problems)))
    return df


def _read_table(path: Path) -> pd.DataFrame:
    try:
        return restore(pd.read_csv(path, keep_default_na=True, encoding="utf-8-sig"))
    except pd.errors.EmptyDataError:
        raise PlanFileError(_("{path}: the file is empty").format(path=path)) from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise PlanFileError(_("{path}: not a readable CSV ({error})").format(path=path, error=str(exc).splitlines()[0])
                            ) from None
    except OSError as exc:
        raise PlanFileError(_("{path}: cannot be read ({error})").format(path=path, error=exc.strerror)) from None


def _read_geo(path: Path, layer: str | None = "plan"):
    import pyogrio

    try:
        layers = [str(x[0]) for x in pyogrio.list_layers(path)]
    except Exception as exc:  # pyogrio raises DataSourceError and friends for broken files
        raise PlanFileError(_("{path}: GDAL cannot open it ({error})").format(path=path,
                                                                              error=str(exc).splitlines()[0])) from None
    if layer is not None and path.suffix.lower() == ".gpkg":
        if layer not in layers:
            raise PlanFileError(_("{path}: no layer {layer} (layers: {layers}); not a SinkPlan plan GeoPackage").format(
                path=path, layer=repr(layer), layers=", ".join(layers) or _("none")))
    else:
        layer = layers[0] if layers else None
    try:
        return pyogrio.read_dataframe(path, layer=layer)
    except Exception as exc:
        raise PlanFileError(_("{path}: GDAL cannot read layer {layer} ({error})").format(
            path=path, layer=repr(layer), error=str(exc).splitlines()[0])) from None


def _sibling(path: Path, suffixes) -> Path | None:
    for suf in suffixes:
        p = path.with_suffix(suf)
        if p.is_file():
            return p
    return None


def _projected(gdf):
    if gdf.crs is not None and gdf.crs.is_geographic:
        return gdf.to_crs(gdf.estimate_utm_crs())
    return gdf


def _label_for(path: Path) -> str:
    return path.parent.name if path.stem == "plan" and path.parent.name else path.stem


def read_plan(path: str | Path, label: str | None = None, *, geometry: bool = True) -> PlanResult:
    """Read a plan: a run folder of ``sinkplan optimize``, or a plan file (.csv, .gpkg, .geojson).

    Trajectories, summary and manifest are picked up from beside the file when present; the
    geometry from the plan itself or a GeoPackage/GeoJSON of the same name. Raises
    :class:`PlanFileError` naming the file when it is not a readable SinkPlan plan.
    """
    path = Path(path)
    if not path.exists():
        raise PlanFileError(_("{path}: no such file or folder").format(path=path))
    if path.is_dir():
        if (path / "front.csv").is_file() and not (path / "plan.csv").is_file():
            raise PlanFileError(_("{path}: a Pareto front run, not one plan; name its points instead, e.g. "
                                  "{example}").format(path=path, example=path / "plans" / "point_000.csv"))
        found = _sibling(path / "plan", (".csv", ".gpkg", ".geojson"))
        if found is None:
            raise PlanFileError(_("{path}: no plan.csv, plan.gpkg or plan.geojson in this folder (expected the "
                                  "--out folder of `sinkplan optimize`)").format(path=path))
        path = found
    suffix = path.suffix.lower()
    if suffix not in PLAN_SUFFIXES:
        raise PlanFileError(_("{path}: cannot read {suffix} as a plan; give a run folder or a .csv, .gpkg or "
                              ".geojson plan file").format(path=path, suffix=suffix or _("a file without extension")))
    notes = []
    geo = None
    if suffix == ".csv":
        df = _read_table(path)
    else:
        gdf = _read_geo(path)
        if "zone_id" in gdf.columns and "geometry" in gdf.columns:
            geo = _projected(gdf[["zone_id", "geometry"]].copy())
        df = pd.DataFrame(gdf.drop(columns="geometry", errors="ignore"))
    df = _clean_plan_table(df, path)
    if geometry and geo is None:
        g = _sibling(path, (".gpkg", ".geojson"))
        if g is not None and g != path:
            try:
                gdf = _read_geo(g)
                geo = _projected(gdf[["zone_id", "geometry"]].copy())
            except (PlanFileError, KeyError) as exc:
                notes.append(_("geometry not read from {file}: {error}").format(file=g, error=exc))
    traj_path = path.with_name(f"{path.stem}_trajectories.csv")
    traj = None
    if traj_path.is_file():
        traj = _read_table(traj_path)
        need = {"year", "net_removals_tco2e"}
        if not need <= set(traj.columns):
            raise PlanFileError(_("{path}: not a SinkPlan trajectory table; missing {columns}").format(
                path=traj_path, columns=", ".join(sorted(need - set(traj.columns)))))
    summary = None
    if path.stem == "plan" and (path.parent / "summary.json").is_file():
        summary = _read_json(path.parent / "summary.json", N_("a run summary"))
    man = None
    for cand in (path.parent / "manifest.json", path.parent.parent / "manifest.json"):
        if cand.is_file():
            man = _read_json(cand, N_("a run manifest"))
            break
    return PlanResult(label=label or _label_for(path), path=path, zones=df, trajectories=traj, summary=summary,
                      manifest=man, geometry=geo if geometry else None, notes=tuple(notes))


def read_front(path: str | Path, *, geometry: bool = True) -> FrontResult:
    """Read the --out folder of ``sinkplan pareto``: front.csv, manifest.json, plans/point_NNN.*."""
    path = Path(path)
    if not (path / "front.csv").is_file():
        raise PlanFileError(_("{path}: no front.csv (expected the --out folder of `sinkplan pareto`)").format(
            path=path))
    front = _read_table(path / "front.csv")
    if "point" not in front.columns:
        raise PlanFileError(_("{path}: no 'point' column; not a SinkPlan front").format(path=path / "front.csv"))
    man = _read_json(path / "manifest.json", N_("a run manifest")) if (path / "manifest.json").is_file() else {}
    objectives = tuple((man.get("problem") or {}).get("objectives") or
                       [c for c in front.columns if c not in ("point", "gap", "status")])
    missing = [o for o in objectives if o not in front.columns]
    if missing:
        raise PlanFileError(_("{path}: objective column(s) {columns} missing").format(path=path / "front.csv",
                                                                                     columns=", ".join(missing)))
    points = []
    geo = None
    for k in front["point"].astype(int):
        stem = path / "plans" / f"point_{k:03d}"
        f = _sibling(stem, (".csv", ".gpkg", ".geojson"))
        if f is None:
            raise PlanFileError(_("{file}: missing; front.csv lists point {k} but its plan file is not there").format(
                file=f"{stem}.csv", k=k))
        want_geo = geometry and geo is None
        p = read_plan(f, label=f"point {k}", geometry=want_geo)
        geo = geo if geo is not None else p.geometry
        points.append(p)
    if geo is not None:
        points = [p if p.geometry is not None else replace(p, geometry=geo) for p in points]
    return FrontResult(path=path, front=front, objectives=objectives, manifest=man, points=tuple(points))


def read_run(path: str | Path, *, geometry: bool = True) -> PlanResult | FrontResult:
    """A run folder (optimize or pareto) or a single plan file."""
    path = Path(path)
    if path.is_dir() and (path / "front.csv").is_file():
        return read_front(path, geometry=geometry)
    return read_plan(path, geometry=geometry)
