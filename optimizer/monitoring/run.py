"""``sinkplan monitor``: observations in, each worked zone's growth recalibrated, the MRV view out.

    result = monitor_run("runs/plan", "obs.csv", rasters=["ndvi_2032.tif"], out_dir="runs/monitor")
    result.zones[["zone_id", "growth_multiplier_mean", "flagged"]]

Writes ``zones.csv`` (posterior per zone), ``observations_used.csv`` (each observation with its
model value, log ratio and error sd), ``trajectories.csv`` (per zone and year: biomass prior and
posterior mean/p5/p95, net removals before and after recalibration), ``site.csv`` (the site's
cumulative removals, forecast before and after, with a 90 % band), ``mrv.csv`` (credits issuable
to date by each standard against the plan's forecast, :mod:`optimizer.monitoring.mrv`),
``summary.json`` (the MRV numbers), ``monitoring.png`` and ``manifest.json``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .calibrate import COVER_INFORMATIVE_BELOW_PCT, METHOD_SD_LOG, Z90, Posterior, calibrate
from .observations import read_observations, years_since_start
from .paths import RunPaths, load_run_paths
from .paths import interp as _interp

#: Posterior draws for the site's band (zones drawn independently given their posteriors).
SITE_DRAWS = 2000
#: biomass below this [t C/ha] in the model says nothing measurable about growth
MIN_MODEL_BIOMASS_T_C_PER_HA = 0.005


@dataclass
class MonitorResult:
    paths: RunPaths
    observations: pd.DataFrame
    posterior: Posterior
    zones: pd.DataFrame
    trajectories: pd.DataFrame
    site: pd.DataFrame
    summary: dict
    mrv: pd.DataFrame | None = None      # credits issuable to date by standard (mrv.credits_to_date)
    files: list[Path] = field(default_factory=list)


def log_ratios(paths: RunPaths, obs: pd.DataFrame) -> pd.DataFrame:
    """``obs`` with ``year``, ``model_value``, ``log_ratio``, ``sd_log`` and ``used`` (biomass and
    unsaturated cover of worked zones inform the multiplier; SOC and soil loss are compared only)."""
    index = {z: i for i, z in enumerate(paths.zones["zone_id"])}
    obs = obs.copy()
    rows = obs["zone_id"].map(index).to_numpy(dtype=int)
    t = years_since_start(obs["date"], paths.start_year)
    obs["year"] = t
    model = np.full(len(obs), np.nan)
    depth = float(paths.site.settings.soc_depth_cm)
    for q, col in (("biomass_c_t_per_ha", "biomass_c_t_per_ha"), ("cover_pct", "cover_pct"),
                   ("soc_c_t_per_ha", "soc_c_t_per_ha"), ("soil_loss_t_per_ha", "soil_loss_t_per_ha")):
        m = (obs["quantity"] == q).to_numpy()
        if m.any():
            series = paths.series(col)
            if q == "soil_loss_t_per_ha":
                series = np.nan_to_num(series)
            model[m] = _interp(series, rows[m], t[m])
            if q == "soc_c_t_per_ha":      # the accounting depth's pool scaled to the sampled depth
                model[m] *= obs["soc_depth_cm"].to_numpy(float)[m] / depth
    obs["model_value"] = model
    value = obs["value"].to_numpy(float)
    worked = paths.zones["worked"].to_numpy()[rows]
    q = obs["quantity"].to_numpy(str)
    used = worked & (((q == "biomass_c_t_per_ha") & (model > MIN_MODEL_BIOMASS_T_C_PER_HA))
                     | ((q == "cover_pct") & (model > 1.0) & (model < COVER_INFORMATIVE_BELOW_PCT) & (value < 95.0)))
    used &= value > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        obs["log_ratio"] = np.where(used, np.log(value / model), np.nan)
    by_method = obs["method"].map(METHOD_SD_LOG).astype(float)
    own = obs["sd_log"].astype(float) if "sd_log" in obs else by_method      # the allometry's, per row
    obs["sd_log"] = own.where(np.isfinite(own), by_method)
    obs["used"] = used
    return obs


def recalibrated_paths(paths: RunPaths, post: Posterior, *, seed: int = 0):
    """Per-zone and site trajectories before and after recalibration."""
    n_z, n_y = len(paths.zones), paths.horizon_yr + 1
    bio = paths.series("biomass_c_t_per_ha")
    net = np.nan_to_num(paths.series("net_removals_tco2e")[:, 1:])
    inc = paths.biomass_increment_tco2e()
    mu, sd = post.mean_log[:, None], post.sd_log[:, None]
    mean_m = np.exp(mu + 0.5 * sd ** 2)
    traj = pd.DataFrame({
        "zone_id": np.repeat(paths.zones["zone_id"].to_numpy(), n_y),
        "year": np.tile(np.arange(n_y), n_z),
        "calendar_year": paths.start_year + np.tile(np.arange(n_y), n_z),
        "biomass_c_t_per_ha_prior": bio.ravel(),
        "biomass_c_t_per_ha_mean": (bio * mean_m).ravel(),
        "biomass_c_t_per_ha_p5": (bio * np.exp(mu - Z90 * sd)).ravel(),
        "biomass_c_t_per_ha_p95": (bio * np.exp(mu + Z90 * sd)).ravel(),
        "net_removals_tco2e_prior": np.concatenate([np.full((n_z, 1), np.nan), net], axis=1).ravel(),
        "net_removals_tco2e_recalibrated": np.concatenate([np.full((n_z, 1), np.nan),
                                                           net + (mean_m - 1.0) * inc], axis=1).ravel(),
    })
    rng = np.random.default_rng(seed)
    draws = np.exp(post.mean_log[None, :] + post.sd_log[None, :] * rng.standard_normal((SITE_DRAWS, n_z)))
    base = net.sum(axis=0)
    site_draws = base[None, :] + (draws - 1.0) @ inc                # (draws, years)
    cum = np.cumsum(site_draws, axis=1)
    site = pd.DataFrame({
        "year": np.arange(1, n_y), "calendar_year": paths.start_year + np.arange(1, n_y),
        "cumulative_removals_tco2e_forecast": np.cumsum(base),
        "cumulative_removals_tco2e_recalibrated": np.cumsum(base + ((mean_m - 1.0) * inc).sum(axis=0)),
        "cumulative_removals_tco2e_p5": np.percentile(cum, 5, axis=0),
        "cumulative_removals_tco2e_p95": np.percentile(cum, 95, axis=0),
    })
    return traj, site


def monitor_run(run_dir, observations, rasters=(), *, out_dir=None, seed: int = 0) -> MonitorResult:
    """Read, validate, recalibrate, and write ``out_dir`` if given (module docstring)."""
    paths = load_run_paths(run_dir)
    out = None
    if out_dir is not None:
        from ..io.paths import check_output_dir
        out = check_output_dir(out_dir, create=True)
    veg = dict(zip(paths.zones["zone_id"].astype(str), paths.zones["vegetation_type"].astype(str)))
    obs = read_observations(observations, paths.zones["zone_id"], paths.start_year, zones_geo=paths.plan.geometry,
                            vegetation_type=veg, allometry=paths.table.catalog.allometry)
    members = {}
    if rasters:
        from .zonal import raster_cover
        rc = raster_cover(rasters, paths.plan.geometry)
        members = rc.attrs.get("end_members", {})
        obs = pd.concat([obs, rc], ignore_index=True) if len(rc) else obs
    obs = log_ratios(paths, obs)
    use = obs[obs["used"]]
    index = {z: i for i, z in enumerate(paths.zones["zone_id"])}
    z = paths.zones
    se = np.where(z["worked"], z["prior_se_log"].fillna(0.5), 0.5)
    post, sd_used = calibrate(z["zone_id"], z["group"], se, use["zone_id"].map(index).to_numpy(int),
                              use["log_ratio"].to_numpy(float), use["sd_log"].to_numpy(float),
                              use["campaign"].astype(str).to_numpy())
    obs.loc[obs["used"], "sd_log_used"] = sd_used
    zones = post.frame()
    zones.insert(1, "option_id", z["option_id"].to_numpy())
    zones.insert(2, "worked", z["worked"].to_numpy())
    zones.loc[~zones["worked"], ["flagged"]] = False
    traj, site = recalibrated_paths(paths, post, seed=seed)
    last = int(np.floor(obs["year"].max())) if len(obs) else 0
    last = max(1, min(last, paths.horizon_yr))
    row = site.iloc[last - 1]
    summary = {
        "observations": int(len(obs)), "observations_used": int(obs["used"].sum()),
        "zones_observed": int((post.n_obs > 0).sum()), "zones_flagged": int(zones["flagged"].sum()),
        "failing": sorted(zones.loc[zones["flag"] == "failing", "zone_id"]),
        "thriving": sorted(zones.loc[zones["flag"] == "thriving", "zone_id"]),
        "to_date_year": paths.start_year + last,
        "removals_to_date_tco2e_forecast": float(row["cumulative_removals_tco2e_forecast"]),
        "removals_to_date_tco2e_estimated": float(row["cumulative_removals_tco2e_recalibrated"]),
        "removals_horizon_tco2e_forecast": float(site["cumulative_removals_tco2e_forecast"].iloc[-1]),
        "removals_horizon_tco2e_recalibrated": float(site["cumulative_removals_tco2e_recalibrated"].iloc[-1]),
        "removals_horizon_tco2e_p5": float(site["cumulative_removals_tco2e_p5"].iloc[-1]),
        "removals_horizon_tco2e_p95": float(site["cumulative_removals_tco2e_p95"].iloc[-1]),
        "campaign_error_inflation": {c: float(np.sqrt(np.mean((g["sd_log_used"] / g["sd_log"]) ** 2)))
                                     for c, g in obs[obs["used"]].groupby("campaign")},
        "ndvi_end_members": members,
    }
    from .mrv import credits_to_date
    mrv = credits_to_date(paths, np.exp(post.mean_log + 0.5 * post.sd_log ** 2), paths.start_year + last)
    summary["credits_to_date_by_standard"] = {
        r.standard: {"issuable_tco2e": r.credits_issuable_tco2e, "forecast_tco2e": r.credits_forecast_tco2e}
        for r in mrv.itertuples()}
    result = MonitorResult(paths=paths, observations=obs, posterior=post, zones=zones, trajectories=traj,
                           site=site, summary=summary, mrv=mrv)
    if out is not None:
        from .write import write_monitoring
        result.files = write_monitoring(result, out, observations=observations, rasters=rasters)
    return result
