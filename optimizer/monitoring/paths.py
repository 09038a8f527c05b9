"""A run's model paths per zone: the plan read back, its site re-scored, each zone's chosen option
simulated year by year (:func:`optimizer.options.simulate.simulate`), with the prior of its log
growth multiplier (the curve's ``se_log_c_max``, docs/science.md §2.1)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import SinkPlanError
from ..i18n import _
from ..models import carbon


@dataclass(frozen=True, eq=False)
class RunPaths:
    run_dir: Path
    site: Any                       # optimizer.site.Site
    table: Any                      # optimizer.options.OptionTable
    plan: Any                       # io.plans.PlanResult
    zones: pd.DataFrame             # zone_id, option_id, vegetation_type, area_ha, worked, group, prior_se_log
    trajectories: pd.DataFrame      # simulate()'s frame of the plan's options (years 0…N)
    start_year: int
    horizon_yr: int

    def series(self, column: str) -> np.ndarray:
        """(zones, years + 1) array of a trajectory column, zones in :attr:`zones`' order."""
        t = self.trajectories
        n_years = self.horizon_yr + 1
        return t[column].to_numpy(dtype=float).reshape(len(self.zones), n_years)

    def biomass_increment_tco2e(self) -> np.ndarray:
        """Biomass removals per zone and year 1…N [t CO2e per zone] (the part a multiplier scales)."""
        b = self.series("biomass_c_t_per_ha")
        return np.diff(b, axis=1) * self.zones["area_ha"].to_numpy(float)[:, None] * carbon.C_TO_CO2


def interp(series: np.ndarray, rows: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Linear interpolation of per-zone yearly series (year 0…N) at fractional years ``t``."""
    n = series.shape[1] - 1
    t = np.clip(t, 0.0, n)
    lo = np.floor(t).astype(int).clip(0, n - 1)
    w = t - lo
    return series[rows, lo] * (1 - w) + series[rows, lo + 1] * w


def _resolve(rec: dict, run_dir: Path) -> Path:
    from ..io.manifest import input_candidates

    for cand in input_candidates(rec, run_dir, run_dir.parent):
        if cand.exists():
            return cand
    return Path(rec["path"])


def load_run_paths(run_dir: str | Path) -> RunPaths:
    """The model paths of an ``optimize`` run folder (a plan, not a front)."""
    from ..io.plans import read_run
    from ..options import evaluate_options
    from ..options.simulate import simulate
    from ..site import read_site

    run_dir = Path(run_dir)
    if not (run_dir / "manifest.json").is_file():
        raise SinkPlanError(_("{path}: not a run folder (no manifest.json); give the --out of `sinkplan "
                              "optimize`").format(
            path=run_dir))
    plan = read_run(run_dir, geometry=True)
    if not hasattr(plan, "zones") or not hasattr(plan, "summary"):
        raise SinkPlanError(_("{path}: a Pareto front; monitor one plan (a front point's folder or an optimize "
                              "run)").format(
            path=run_dir))
    inputs = (plan.manifest or {}).get("inputs", {})
    zoning = inputs.get("zoning_file", {})
    settings = inputs.get("settings_file") or {}
    if not zoning.get("path"):
        raise SinkPlanError(_("{path}/manifest.json names no zoning file").format(path=run_dir))
    zpath = _resolve(zoning, run_dir)
    if not zpath.exists():
        raise SinkPlanError(_("{path}: its zoning file {file} is not found (run from the folder the plan was made "
                              "in)").format(path=run_dir, file=zoning["path"]))
    site = read_site(zpath, _resolve(settings, run_dir) if settings.get("path") else None, layer=zoning.get("layer"))
    table = evaluate_options(site)
    pz = plan.zones
    choice = dict(zip(pz["zone_id"].astype(str), pz["option_id"].astype(str)))
    traj = simulate(table, choice)
    order = traj.loc[traj["year"] == 0, "zone_id"].astype(str).to_numpy()
    veg = traj.loc[traj["year"] == 0, "vegetation_type"].astype(str).to_numpy()
    climate = site.settings.climate
    growth = table.catalog.growth
    se = np.array([float(growth.loc[(v, climate), "se_log_c_max"]) if (v, climate) in growth.index else np.nan
                   for v in veg])
    measures = pz.set_index(pz["zone_id"].astype(str)).reindex(order)["measures"].fillna("").astype(str)
    zones = pd.DataFrame({
        "zone_id": order, "option_id": [choice[z] for z in order], "vegetation_type": veg,
        "area_ha": traj.loc[traj["year"] == 0, "area_ha"].to_numpy(float),
        "worked": (measures.str.strip() != "").to_numpy() & np.isfinite(se),
        "group": [f"{v}|{climate}" for v in veg], "prior_se_log": se,
    })
    settings_ = site.settings
    return RunPaths(run_dir=run_dir, site=site, table=table, plan=plan, zones=zones, trajectories=traj,
                    start_year=int(settings_.start_year), horizon_yr=int(settings_.horizon_yr))
