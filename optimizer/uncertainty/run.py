"""``sinkplan uncertainty RUN_DIR``: the Monte Carlo of a run's plans (or front points), written
beside the run (docs/science.md §7.4). Reads the run's manifest to re-read its site, settings and
catalog, re-scores the option table's central values, and never changes the run's files."""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import PlanFileError
from ..i18n import _
from ..io.manifest import dumps, manifest, record_outputs
from ..io.plans import FrontResult, read_run
from ..io.tables import write_table
from ..problem import Problem
from ..problem.objectives import Share, Target
from .deduction import deduction_table
from .montecarlo import (
    fan_table,
    interval_table,
    monte_carlo,
    probability_at_least,
    probability_dominated,
    zone_tolerance_table,
)
from .ranges import parameter_ranges
from .robust import cvar_plan, expected_plan, possible_rows, price_of_robustness, scenario_matrix
from .sample import Rescorer, latin_hypercube
from .sensitivity import morris_screening
from .voi import evppi_by_group

OUT_NAME = "uncertainty"


@dataclass
class UncertaintyResult:
    out: Path
    intervals: pd.DataFrame
    probabilities: pd.DataFrame
    deductions: pd.DataFrame
    priorities: pd.DataFrame
    robust: pd.DataFrame | None = None
    sensitivity: pd.DataFrame | None = None
    files: list = field(default_factory=list)


def _input_path(rec: dict | None, run_dir: Path) -> Path | None:
    if not rec:
        return None
    from ..io.manifest import input_candidates

    p = Path(rec["path"])
    for cand in input_candidates(rec, run_dir, run_dir.parent):
        if cand.exists():
            return cand
    raise PlanFileError(_("{file}: input {path} of the run is not there any more").format(
        file=run_dir / "manifest.json", path=p))


def _problem(doc: dict) -> Problem:
    d = dict(doc or {})
    d["objectives"] = tuple(d.get("objectives") or ("removals",))
    d["shares"] = tuple(Share(**s) for s in d.get("shares") or ())
    d["targets"] = tuple(Target(**t) for t in d.get("targets") or ())
    d["locks"] = tuple(tuple(x) for x in d.get("locks") or ())
    d["forbid"] = tuple(d.get("forbid") or ())
    return Problem(**{k: v for k, v in d.items() if k in Problem.__dataclass_fields__})


def load_run(run_dir: str | Path):
    """(run, site, table, problem) of a run folder, the option table re-scored from its inputs."""
    from ..catalog import load_catalog
    from ..options import evaluate_options
    from ..site import file_sha256, read_site

    run_dir = Path(run_dir)
    run = read_run(run_dir, geometry=False)
    man = run.manifest or {}
    inputs = man.get("inputs") or {}
    zoning = _input_path(inputs.get("zoning_file"), run_dir)
    if zoning is None:
        raise PlanFileError(_("{path}: no manifest.json naming the run's zoning file").format(path=run_dir))
    settings = _input_path(inputs.get("settings_file"), run_dir)
    for rec, p in ((inputs.get("zoning_file") or {}, zoning), (inputs.get("settings_file") or {}, settings)):
        if p is not None and rec.get("sha256") and file_sha256(p) != rec["sha256"]:
            warnings.warn(_("{file} changed since the run; its plans are re-scored with the file as it is now").format(
                file=p), UserWarning, stacklevel=2)
    site = read_site(zoning, settings, layer=(inputs.get("zoning_file") or {}).get("layer"))
    planner = [str(f) for f in (inputs.get("catalog") or {}).get("planner_files") or []]
    table = evaluate_options(site, load_catalog(planner) if planner else None)
    return run, site, table, _problem(man.get("problem") or {})


def plan_rows(table, zones: pd.DataFrame) -> np.ndarray:
    """Option-table rows of a plan's per-zone rows (zone_id, option_id), in the table's zone order."""
    key = pd.Series(np.arange(table.n_rows), index=pd.MultiIndex.from_arrays(
        [table.zones["zone_id"].to_numpy(dtype=object)[table.zone_of_row], table.option_id]))
    want = pd.MultiIndex.from_arrays([zones["zone_id"].astype(str).to_numpy(dtype=object),
                                      zones["option_id"].astype(str).to_numpy(dtype=object)])
    key.index = pd.MultiIndex.from_arrays([key.index.get_level_values(0).astype(str), key.index.get_level_values(1)])
    got = key.reindex(want)
    if got.isna().any():
        raise PlanFileError(_("{n} zone–option pair(s) of the plan are not options of the re-scored site (changed "
                              "inputs or catalog?)").format(n=int(got.isna().sum())))
    rows = got.to_numpy(dtype=np.int64)
    order = np.argsort(table.zone_of_row[rows])
    return rows[order]


def uncertainty_run(run_dir: str | Path, *, samples: int = 500, seed: int = 1, out: str | Path | None = None,
                    robust_scenarios: int = 0, alpha: float = 0.1, robust_gap: float = 0.01,
                    time_limit_s: float = 60.0, figures: bool = True,
                    sensitivity_trajectories: int = 10) -> UncertaintyResult:
    """Monte Carlo of every plan of ``run_dir``; results in ``out`` (default ``RUN_DIR/uncertainty``).
    ``sensitivity_trajectories``: Morris trajectories of the screening by parameter group (0: none)."""
    run_dir = Path(run_dir)
    run, site, table, problem = load_run(run_dir)
    points = run.points if isinstance(run, FrontResult) else (run,)
    labels = [p.label for p in points]
    rows = np.stack([plan_rows(table, p.zones) for p in points])
    ranges = parameter_ranges(table.catalog, table.settings)
    rs = Rescorer(table, ranges)
    n_run = len(labels)                  # the run's own plans come first; robust plans after them

    robust_df = None
    robust_plans = None
    if robust_scenarios:
        compiled = problem.with_(objectives=("removals",)).compile(table)
        scen = latin_hypercube(ranges, robust_scenarios, seed + 1, rs.n_draws)
        R = scenario_matrix(compiled, scen, rescorer=rs, only=possible_rows(compiled))
        exp = expected_plan(compiled, R)
        cv = cvar_plan(compiled, R, alpha, gap=robust_gap, time_limit_s=time_limit_s)
        pos = {lab: np.searchsorted(compiled.rows, r) for lab, r in zip(labels, rows, strict=True)
               if np.isin(r, compiled.rows).all()}
        pos.update({p.name: np.searchsorted(compiled.rows, p.rows) for p in (exp, cv)})
        por = price_of_robustness(R, pos, alpha)
        robust_df = pd.DataFrame([{"plan": k, **v, "gap": {exp.name: exp.gap, cv.name: cv.gap}.get(k, np.nan),
                                   "status": {exp.name: exp.status, cv.name: cv.status}.get(k, "")}
                                  for k, v in por.items()])
        zid = table.zones["zone_id"].to_numpy(dtype=object)
        robust_plans = pd.concat([pd.DataFrame({"plan": p.name, "zone_id": zid[table.zone_of_row[p.rows]],
                                                "option_id": table.option_id[p.rows]}) for p in (exp, cv)])
        # the robust plans join the Monte Carlo (out of sample: its samples are not the scenarios)
        for p in (exp, cv):
            if len(p.rows) == rows.shape[1]:
                labels.append(p.name)
                rows = np.vstack([rows, p.rows[np.argsort(table.zone_of_row[p.rows], kind="stable")]])

    smp = latin_hypercube(ranges, samples, seed, rs.n_draws)
    mc = monte_carlo(table, rows, smp, labels, rescorer=rs)
    intervals = interval_table(mc)

    prob = pd.DataFrame({"plan": labels})
    low = [t.low for t in problem.targets if t.objective == "removals" and t.low is not None]
    if low:
        prob["removals_target_tco2e"] = low[0]
        prob["p_removals_ge_target"] = probability_at_least(mc, "removals_tco2e", low[0])
    if isinstance(run, FrontResult):
        dom = probability_dominated(replace(mc, labels=mc.labels[:n_run],
                                            totals={m: v[:, :n_run] for m, v in mc.totals.items()}), run.objectives)
        prob["p_dominated"] = np.r_[dom, np.full(len(labels) - n_run, np.nan)]
    prob["share_zones_within_tolerance_every_sample"] = (mc.within >= 1.0).mean(axis=1)
    prob["min_zone_p_within_tolerance"] = mc.within.min(axis=1)

    s = table.settings
    ded = deduction_table(labels, mc.totals["removals_tco2e"], mc.central["credits_tco2e"], s.standards,
                          s.buffer_fraction, float(table.catalog.monitoring.at[s.monitoring_level,
                                                                                 "uncertainty_deduction"]))
    value = mc.totals["credit_value_cny"] - mc.totals["cost_cny"]
    voi = evppi_by_group(value, smp.u, ranges["group"].to_numpy())
    voi["unit"] = "CNY"

    sens = (morris_screening(table, rows, ranges, sensitivity_trajectories, seed, labels, rescorer=rs)
            if sensitivity_trajectories else None)

    out_dir = Path(out) if out is not None else run_dir / OUT_NAME
    out_dir.mkdir(parents=True, exist_ok=True)
    files = [write_table(intervals, out_dir / "uncertainty.csv"),
             write_table(fan_table(mc), out_dir / "fans.csv"),
             write_table(prob, out_dir / "probabilities.csv"),
             write_table(zone_tolerance_table(mc), out_dir / "zone_tolerance.csv"),
             write_table(ded, out_dir / "deductions.csv"),
             write_table(voi, out_dir / "priorities.csv"),
             write_table(ranges, out_dir / "ranges.csv")]
    if sens is not None:
        files.append(write_table(sens, out_dir / "sensitivity.csv"))
    if robust_df is not None:
        files += [write_table(robust_df, out_dir / "robust.csv"),
                  write_table(robust_plans, out_dir / "robust_plans.csv")]
    if figures:
        from ..report.figures.uncertainty import fan_figure, priority_figure, sensitivity_figure
        files += fan_figure(fan_table(mc), out_dir) + priority_figure(voi, out_dir)
        if sens is not None:
            files += sensitivity_figure(sens, out_dir)
    doc = manifest(command="uncertainty", site=site, table=table, problem=None,
                   seeds={"uncertainty": seed, "robust": seed + 1 if robust_scenarios else None,
                          "sensitivity": seed if sensitivity_trajectories else None})
    doc["uncertainty"] = {"run_dir": str(run_dir), "samples": samples, "sampler": "scipy.stats.qmc.LatinHypercube",
                          "dimensions": len(ranges), "robust_scenarios": robust_scenarios, "alpha": alpha,
                          "sensitivity": {"method": "Morris (SALib), by parameter group",
                                          "trajectories": sensitivity_trajectories} if sensitivity_trajectories
                          else None}
    record_outputs(doc, files, out_dir)
    (out_dir / "manifest.json").write_text(dumps(json.loads(json.dumps(doc, default=str))), encoding="utf-8")
    return UncertaintyResult(out=out_dir, intervals=intervals, probabilities=prob, deductions=ded, priorities=voi,
                             robust=robust_df, sensitivity=sens, files=files + [out_dir / "manifest.json"])
