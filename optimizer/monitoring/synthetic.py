"""Synthetic monitoring data with a known truth, for tests, the README and benchmarks.

Deterministic from ``seed``. Given a run's model paths (:class:`~optimizer.monitoring.paths.RunPaths`):

1. **Truth**: each worked zone's true log growth multiplier θ_z = μ_g + u_z, μ_g ~ N(0, 0.5·se_g)
   per vegetation type × climate, u_z ~ N(0, τ) (τ = the calibration's between-zone sd); then
   ``failing_share`` of the zones are set failing (θ = ln 0.3: a stand at 30 % of its curve) and
   ``thriving_share`` thriving (θ = ln 1.8).
2. **Observations**, one campaign per year of ``campaign_years`` (years after the works), each
   visiting ``visit_share`` of the worked zones: biomass carbon by ``plot`` (log error sd 0.15),
   cover by ``field_cover`` (0.15), SOC over 0–20 cm, soil loss. True biomass = model × e^θ; true
   cover = model cover × e^θ capped at 100 %; true SOC = SOC_0 + (model gain) × e^θ; soil loss =
   the model's. Campaign ``noisy_campaign`` (an index into ``campaign_years``) is recorded with
   ``noisy_sd_log`` (default 0.6) of error while still declaring method ``plot`` — the
   calibration has to notice.
3. **NDVI rasters** (:func:`write_ndvi`): zone pixels NDVI = soil + (veg − soil)·cover (linear
   mixing, the dimidiate model's assumption), background half bare (0.08) half dense forest
   (0.82) so the image's percentiles find the end-members, pixel noise sd 0.01, written in any CRS.

``python -m optimizer.monitoring.synthetic RUN_DIR OUT_DIR [--seed N] [--crs EPSG:4326]`` writes
``observations.csv``, ``truth.csv`` and ``ndvi_<year>.tif``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .calibrate import BETWEEN_ZONE_SD_LOG
from .observations import years_since_start
from .paths import RunPaths
from .paths import interp as _interp

NDVI_SOIL, NDVI_VEG = 0.08, 0.82
FAILING_MULTIPLIER, THRIVING_MULTIPLIER = 0.3, 1.8
SOC_SAMPLE_DEPTH_CM = 20.0


def true_multipliers(paths: RunPaths, seed: int = 0, *, failing_share: float = 0.1,
                     thriving_share: float = 0.1) -> pd.DataFrame:
    """zone_id, true_log_multiplier, true_multiplier, truth ("failing", "thriving" or "")."""
    rng = np.random.default_rng(seed)
    z = paths.zones[paths.zones["worked"]].reset_index(drop=True)
    groups, gidx = np.unique(z["group"].to_numpy(str), return_inverse=True)
    se_g = z.groupby("group")["prior_se_log"].first().reindex(groups).to_numpy(float)
    mu = rng.normal(0.0, 0.5 * se_g)
    theta = mu[gidx] + rng.normal(0.0, BETWEEN_ZONE_SD_LOG, len(z))
    order = rng.permutation(len(z))
    n_f, n_t = int(round(failing_share * len(z))), int(round(thriving_share * len(z)))
    label = np.full(len(z), "", dtype=object)
    theta[order[:n_f]], label[order[:n_f]] = np.log(FAILING_MULTIPLIER), "failing"
    theta[order[n_f:n_f + n_t]], label[order[n_f:n_f + n_t]] = np.log(THRIVING_MULTIPLIER), "thriving"
    return pd.DataFrame({"zone_id": z["zone_id"], "true_log_multiplier": theta,
                         "true_multiplier": np.exp(theta), "truth": label})


def observations(paths: RunPaths, truth: pd.DataFrame, campaign_years=(3, 6, 9), *, seed: int = 0,
                 visit_share: float = 0.7, noisy_campaign: int | None = 1, noisy_sd_log: float = 0.6) -> pd.DataFrame:
    """An observation file (the columns :func:`~optimizer.monitoring.observations.read_observations`
    reads), one row per visited zone and campaign."""
    rng = np.random.default_rng(seed + 1)
    index = {z: i for i, z in enumerate(paths.zones["zone_id"])}
    rows_of = np.array([index[z] for z in truth["zone_id"]])
    theta = truth["true_log_multiplier"].to_numpy(float)
    bio, cov = paths.series("biomass_c_t_per_ha"), paths.series("cover_pct")
    soc, loss = paths.series("soc_c_t_per_ha"), paths.series("soil_loss_t_per_ha")
    acct_depth = float(paths.site.settings.soc_depth_cm)
    out = []
    for k, year in enumerate(campaign_years):
        sd = noisy_sd_log if k == noisy_campaign else 0.15
        visit = rng.random(len(truth)) < visit_share
        r, th = rows_of[visit], theta[visit]
        n = len(r)
        m = np.exp(th)
        date = f"{paths.start_year + year}-08-15"
        t = np.full(n, years_since_start(pd.Series([date]), paths.start_year)[0])
        true_b = _interp(bio, r, t) * m
        true_c = np.minimum(100.0, _interp(cov, r, t) * m)
        soc_t = _interp(soc, r, t)
        true_s = soc[r, 0] + (soc_t - soc[r, 0]) * m
        out.append(pd.DataFrame({
            "zone_id": truth["zone_id"].to_numpy()[visit],
            "date": date,
            "campaign": f"C{k + 1}-{paths.start_year + year}",
            "biomass_c_t_per_ha": np.round(true_b * np.exp(rng.normal(0, sd, n)), 6),
            "cover_pct": np.round(np.minimum(100.0, true_c * np.exp(rng.normal(0, sd, n))), 3),
            "soc_c_t_per_ha": np.round(true_s * SOC_SAMPLE_DEPTH_CM / acct_depth * np.exp(rng.normal(0, 0.1, n)), 4),
            "soc_depth_cm": SOC_SAMPLE_DEPTH_CM,
            "soil_loss_t_per_ha": np.round(_interp(np.nan_to_num(loss), r, t) * np.exp(rng.normal(0, 0.3, n)), 4),
            "method": "plot",
        }))
    return pd.concat(out, ignore_index=True)


def write_ndvi(paths: RunPaths, truth: pd.DataFrame, year: int, path: str | Path, *, crs: str | None = None,
               pixel_m: float = 10.0, seed: int = 0) -> Path:
    """An NDVI GeoTIFF of the site ``year`` years after the works (true cover mixed linearly), in
    ``crs`` (default the zones'), pixel about ``pixel_m`` metres; the date in its name and tags."""
    import rasterio
    from rasterio.features import rasterize
    from rasterio.transform import from_origin

    rng = np.random.default_rng(seed + 7 + year)
    geo = paths.plan.geometry
    if crs is not None:
        geo = geo.to_crs(crs)
    minx, miny, maxx, maxy = geo.total_bounds
    if geo.crs is not None and geo.crs.is_geographic:
        step = pixel_m / 111_320.0
    else:
        step = pixel_m
    pad = 5 * step
    width, height = int(np.ceil((maxx - minx + 2 * pad) / step)), int(np.ceil((maxy - miny + 2 * pad) / step))
    transform = from_origin(minx - pad, maxy + pad, step, step)
    index = {z: i for i, z in enumerate(paths.zones["zone_id"])}
    theta = dict(zip(truth["zone_id"], truth["true_log_multiplier"]))
    t = years_since_start(pd.Series([f"{paths.start_year + year}-08-15"]), paths.start_year)[0]
    cov = _interp(paths.series("cover_pct"), np.arange(len(paths.zones)), np.full(len(paths.zones), t))
    cover = {z: min(100.0, cov[index[z]] * np.exp(theta.get(z, 0.0))) / 100.0 for z in geo["zone_id"]}
    # background: left half bare ground, right half dense forest (the image's end-members)
    bg = np.where(np.arange(width)[None, :] < width // 2, NDVI_SOIL, NDVI_VEG) * np.ones((height, 1))
    shapes = [(g, NDVI_SOIL + (NDVI_VEG - NDVI_SOIL) * cover[z]) for g, z in zip(geo.geometry, geo["zone_id"])]
    ndvi = rasterize(shapes, out_shape=(height, width), transform=transform, fill=np.nan, dtype="float64")
    ndvi = np.where(np.isnan(ndvi), bg, ndvi) + rng.normal(0, 0.01, (height, width))
    path = Path(path)
    date = f"{paths.start_year + year}-08-15"
    with rasterio.open(path, "w", driver="GTiff", height=height, width=width, count=1, dtype="float32",
                       crs=geo.crs, transform=transform, nodata=-9999.0) as dst:
        dst.write(ndvi.astype("float32"), 1)
        dst.update_tags(DATE=date)
    return path


def write_synthetic(run_dir: str | Path, out_dir: str | Path, *, seed: int = 0, campaign_years=(3, 6, 9),
                    raster_years=(6,), crs: str | None = None) -> dict[str, Path]:
    """observations.csv, truth.csv and one NDVI raster per ``raster_years`` in ``out_dir``."""
    from .paths import load_run_paths

    paths = load_run_paths(run_dir)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    truth = true_multipliers(paths, seed)
    obs = observations(paths, truth, campaign_years, seed=seed)
    files = {"truth": out / "truth.csv", "observations": out / "observations.csv"}
    truth.to_csv(files["truth"], index=False, float_format="%.10g")
    obs.to_csv(files["observations"], index=False)
    for y in raster_years:
        files[f"ndvi_{y}"] = write_ndvi(paths, truth, y, out / f"ndvi_{paths.start_year + y}.tif", crs=crs, seed=seed)
    return files


if __name__ == "__main__":  # pragma: no cover - a thin command for the README
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("run_dir")
    ap.add_argument("out_dir")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--crs", default=None)
    a = ap.parse_args()
    for k, v in write_synthetic(a.run_dir, a.out_dir, seed=a.seed, crs=a.crs).items():
        print(f"{k}: {v}")
