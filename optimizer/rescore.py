"""Re-score an edited plan: every number recomputed from the site and the model, never read from
the plan's stored columns.

A planner changes a zone's ``option_id`` in QGIS (or Excel) and saves; the stored metrics of that
row are now stale. :func:`rescore_plan` reads only the zone ids and option ids of the edited file,
reads the site (the run's zoning file from its manifest, ``site`` when given, else the plan file
itself, which carries the zoning file's attributes), scores every option with the model, and
evaluates the plan with :mod:`optimizer.evaluate` (the one place a plan's numbers are computed).
:func:`zone_changes` then says which zones' numbers differ from what the file had stored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .analysis.compare import check_same_zones
from .errors import PlanFileError, ProblemDefinitionError
from .i18n import _

#: Per-zone numbers compared between the stored and the re-scored plan.
COMPARED = ("removals_tco2e", "credits_tco2e", "cost_cny", "capex_cny", "soil_loss_t_per_yr")
#: Relative difference below which a stored number is the re-scored one (files keep 10 digits).
SAME_RTOL = 1e-6


@dataclass
class Rescored:
    plan: object                        # optimizer.solve.result.Plan, status "feasible", solver "rescore"
    site: object                        # optimizer.site.Site
    table: object                       # optimizer.options.OptionTable
    stored: pd.DataFrame                # the edited file's rows as read
    changes: pd.DataFrame               # zone_changes(stored, rescored)
    site_source: str                    # where the site was read from
    notes: list[str] = field(default_factory=list)


def _site_path(plan_path: Path, manifest: dict | None, site: Path | None) -> tuple[Path, str | None, str]:
    """The zoning file to score against, its layer, and a phrase saying why that one."""
    if site is not None:
        return Path(site), None, f"{site} (--site)"
    zf = ((manifest or {}).get("inputs") or {}).get("zoning_file") or {}
    if zf.get("path"):
        from .io.manifest import input_candidates

        for cand in input_candidates(zf, plan_path.parent):
            if cand.is_file():
                from .site import file_sha256
                if zf.get("sha256") and file_sha256(cand) != zf["sha256"]:
                    continue
                return cand, zf.get("layer"), f"{cand} (the run's zoning file, SHA-256 as recorded)"
    if plan_path.suffix.lower() in (".gpkg", ".geojson"):
        layer = "plan" if plan_path.suffix.lower() == ".gpkg" else None
        return plan_path, layer, f"{plan_path} itself (its zoning attributes; the run's zoning file was not found)"
    raise PlanFileError(_("{path}: cannot find the zoning file the plan was made from ({file}); give it with "
                          "--site").format(path=plan_path, file=zf.get("path") or _("no manifest beside it")))


def _settings_for(manifest: dict | None, settings: Path | None):
    if settings is not None:
        return settings
    sf = ((manifest or {}).get("inputs") or {}).get("settings_file") or {}
    from .io.manifest import input_candidates

    return next((c for c in input_candidates(sf) if c.is_file()), None)


def rescore_plan(plan_path: str | Path, *, site: str | Path | None = None, settings: str | Path | None = None,
                 catalog: str | Path | None = None, progress=None) -> Rescored:
    from .io.plans import read_plan
    from .options import evaluate_options
    from .problem import Problem
    from .site import read_site
    from .solve.result import Plan
    from .solve.status import Status

    stored = read_plan(plan_path, geometry=False)
    path = stored.path
    site_path, layer, source = _site_path(path, stored.manifest, Path(site) if site else None)
    s = read_site(site_path, _settings_for(stored.manifest, Path(settings) if settings else None), layer=layer)
    check_same_zones({"the edited plan": stored.zones["zone_id"], str(site_path): s.zones["zone_id"]}, path)
    if catalog is None:
        files = (((stored.manifest or {}).get("inputs") or {}).get("catalog") or {}).get("planner_files") or []
        paths = [Path(f["path"] if isinstance(f, dict) else f) for f in files]
        catalog = [str(p) for p in paths if p.is_file()] or None  # type: ignore[assignment]
    table = evaluate_options(s, catalog, progress=progress)
    options = stored.zones.set_index("zone_id")["option_id"].astype(str)
    blank = [z for z, o in options.items() if not o.strip()]
    if blank:
        raise PlanFileError(_("{path}: option_id is empty for zone(s) {zones}").format(
            path=path, zones=", ".join(map(str, blank[:10]))))
    problem = Problem(objectives=("removals",), enforce_tolerance=False,
                      locks=tuple((str(z), o.strip()) for z, o in options.items()))
    try:
        compiled = problem.compile(table)
    except ProblemDefinitionError as exc:
        lines = [x.strip().removeprefix("- lock: ") for x in str(exc).splitlines()[1:]]
        raise PlanFileError(_("{path}: option_id the model cannot score (file, zone, field option_id):").format(
            path=path) + "\n"
                            + "\n".join(f"  - {x}" for x in lines)) from None
    plan = Plan(compiled=compiled, choice=np.zeros(compiled.n_zones, dtype=np.int64), status=Status.FEASIBLE,
                objective_name="removals", bound=float("nan"), gap=float("nan"), runtime_s=0.0, solver="rescore",
                message=f"re-scored from {source}")
    from .io.plans import plan_frame
    new = plan_frame(plan, s)
    return Rescored(plan=plan, site=s, table=table, stored=stored.zones, changes=zone_changes(stored.zones, new),
                    site_source=source)


def zone_changes(stored: pd.DataFrame, rescored: pd.DataFrame) -> pd.DataFrame:
    """One row per zone whose stored numbers are not the re-scored ones: the option and, for each
    of :data:`COMPARED`, the stored value, the re-scored value and the difference."""
    a = stored.set_index(stored["zone_id"].astype(str))
    b = rescored.set_index(rescored["zone_id"].astype(str)).reindex(a.index)
    out = pd.DataFrame({"zone_id": a.index, "option_id": b["option_id"].to_numpy()})
    changed = np.zeros(len(a), dtype=bool)
    for c in COMPARED:
        old = pd.to_numeric(a[c], errors="coerce").to_numpy(dtype=float) if c in a else np.full(len(a), np.nan)
        new = b[c].to_numpy(dtype=float)
        out[f"stored_{c}"] = old
        out[c] = new
        out[f"delta_{c}"] = new - old
        same = np.isclose(old, new, rtol=SAME_RTOL, atol=1e-6)
        changed |= ~same
    return out[changed].reset_index(drop=True)


def write_rescored(r: Rescored, out_dir: Path, excel: str | None = None) -> list[Path]:
    """The re-scored plan as a run folder (plan files, summary.json, manifest.json, changes.csv)."""
    from .io.manifest import manifest
    from .io.plans import write_json, write_plan
    from .io.tables import write_table

    plan = r.plan
    summary = plan.summary()  # type: ignore[attr-defined]
    doc = manifest(command="rescore", site=r.site, table=r.table,
                   solver={"status": "feasible", "solver": "rescore", "message": plan.message})  # type: ignore
    files = write_plan(plan, r.site, out_dir, manifest=doc, summary=summary, excel=excel)
    files.append(write_table(r.changes, out_dir / "changes.csv", excel=excel is not None))
    files.append(write_json(out_dir / "manifest.json", doc))
    return files


def summary_json(r: Rescored) -> str:
    return json.dumps({"site": r.site_source, "zones_changed": len(r.changes),
                       "totals": r.plan.summary()["totals"]}, ensure_ascii=False)  # type: ignore[attr-defined]
