"""Per-zone recalibration of the growth curve from monitoring observations (docs/science.md §9).

The model (docs/science.md §2.1) gives every zone the Chapman–Richards curve of its vegetation
type × climate class. Monitoring asks how far each worked zone's stand is from its curve. The
unknown is a zone's **log growth multiplier** θ_z on the curve's asymptote (C_max · e^θ scales the
biomass stock at every age by e^θ, since C(t) = C_max (1 − e^(−kt))^m is linear in C_max).

Hierarchical normal model, all variances known, so the posterior is exact and conjugate
(Gelman et al. 2013, *Bayesian Data Analysis*, 3rd ed., §5.4–5.5, the "eight schools" model):

- group g = vegetation type × climate class; μ_g ~ N(0, se_g²), se_g the curve's fit standard
  error ``se_log_c_max`` (vegetation_growth.csv) — the curve itself may be off, and every zone of
  the group shares that error (this is the partial pooling: the zones of a group teach each
  other about μ_g);
- θ_z = μ_g + u_z, u_z ~ N(0, τ_g²): stands of the same type differ (site, planting, care);
  τ_g estimated from the group's observed zones by moments (:func:`between_zone_variance`), never
  below :data:`BETWEEN_ZONE_SD_LOG`;
- an observation i of zone z: y_i = log(obs_i / model_i) = θ_z + ε_i, ε_i ~ N(0, σ_i²) with σ_i
  the method's error (:data:`METHOD_SD_LOG`), inflated for a campaign whose residuals show it
  noisier than its method (:func:`campaign_inflation`).

With ȳ_z and s_z² the precision-weighted mean and variance of a zone's y_i:
μ_g | y ~ N(m_g, v_g), 1/v_g = 1/se_g² + Σ_z 1/(τ² + s_z²), m_g = v_g Σ_z ȳ_z/(τ² + s_z²);
θ_z | y ~ N((m_g/τ² + ȳ_z/s_z²)/p_z, 1/p_z + v_g/(τ² p_z)²), p_z = 1/τ² + 1/s_z².
A zone without observations gets N(m_g, v_g + τ²).

A zone is **flagged** when its ȳ_z lies outside the prior predictive 90 % band
N(0, se_g² + τ² + s_z²): ``failing`` below, ``thriving`` above.

Everything here is numpy over arrays of zones and observations; no files, no GIS.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

#: z of the 5th/95th percentiles of a normal: the 90 % intervals and bands.
Z90 = 1.6448536269514722

#: Between-zone spread of the log growth multiplier within one vegetation type × climate [log
#: units]. Placeholder [P]: coefficient of variation of stand biomass between plots of one
#: reclaimed chronosequence age class is about 25–40 % (Shrestha & Lal 2010; Amichev et al. 2008),
#: taken as 0.3 on the log scale.
BETWEEN_ZONE_SD_LOG = 0.3

#: Observation error per method, standard deviation of log(observed / true) [log units].
#: ``plot``: allometric biomass from a sample plot, ~15–20 % (Chave et al. 2014, plot-level error of
#: pantropical allometry); ``lidar``: UAV LiDAR canopy models ~20 % (Zolkos et al. 2013 review);
#: ``field_cover``: line-intercept / quadrat cover ~15 %; ``ndvi``: cover from NDVI by the dimidiate
#: pixel model, ~25 % (Gutman & Ignatov 1998; Jiapaer et al. 2011 in arid land); ``visual``:
#: ocular estimates, ~40 %. Placeholders [P] where the source gives a range.
METHOD_SD_LOG = {"plot": 0.15, "lidar": 0.2, "field_cover": 0.15, "ndvi": 0.25, "visual": 0.4,
                 # tree dbh/height through allometry.csv: each row's equation gives its own sd_log;
                 # this is the default, Chave et al. 2014 Eq. 4's residual standard error
                 "allometry": 0.357}

#: Default method per observed quantity when the observation file gives none.
DEFAULT_METHOD = {"biomass_c_t_per_ha": "plot", "cover_pct": "field_cover"}

#: Cover observations inform θ only while the model's cover is below this [%]: above it the cover
#: curve saturates and says nothing about growth.
COVER_INFORMATIVE_BELOW_PCT = 80.0


@dataclass(frozen=True)
class Posterior:
    """Per-zone posterior of the log growth multiplier (arrays aligned with ``zone_id``)."""

    zone_id: np.ndarray
    group: np.ndarray
    mean_log: np.ndarray          # posterior mean of θ
    sd_log: np.ndarray            # posterior sd of θ
    prior_sd_log: np.ndarray      # sd of θ before the data: sqrt(se_g² + τ²)
    n_obs: np.ndarray             # observations used per zone
    ybar: np.ndarray              # precision-weighted mean log ratio (NaN without observations)
    flag: np.ndarray              # "", "failing" or "thriving"

    def frame(self) -> pd.DataFrame:
        """zones.csv's columns: multiplier mean (of the lognormal), p5, p95, flag and the log scale."""
        return pd.DataFrame({
            "zone_id": self.zone_id, "group": self.group, "n_observations": self.n_obs,
            "growth_multiplier_mean": np.exp(self.mean_log + 0.5 * self.sd_log ** 2),
            "growth_multiplier_p5": np.exp(self.mean_log - Z90 * self.sd_log),
            "growth_multiplier_p95": np.exp(self.mean_log + Z90 * self.sd_log),
            "log_multiplier_mean": self.mean_log, "log_multiplier_sd": self.sd_log,
            "prior_log_multiplier_sd": self.prior_sd_log, "observed_log_ratio": self.ybar,
            "flagged": self.flag != "", "flag": self.flag,
        })


def _zone_summaries(n_zones: int, zone_idx: np.ndarray, y: np.ndarray, sd: np.ndarray):
    w = 1.0 / sd ** 2
    prec = np.bincount(zone_idx, weights=w, minlength=n_zones)
    wy = np.bincount(zone_idx, weights=w * y, minlength=n_zones)
    n = np.bincount(zone_idx, minlength=n_zones)
    with np.errstate(invalid="ignore", divide="ignore"):
        ybar = np.where(prec > 0, wy / prec, np.nan)
        s2 = np.where(prec > 0, 1.0 / prec, np.inf)
    return ybar, s2, n


def posterior(zone_id, group, prior_se_log, zone_idx, y, sd, *, tau: float = BETWEEN_ZONE_SD_LOG) -> Posterior:
    """The conjugate posterior of the module docstring.

    ``zone_id``, ``group`` (any hashable label per zone), ``prior_se_log`` (se_g per zone, the same
    within a group): arrays of n zones. ``zone_idx`` (int index into the zones), ``y`` (log ratio
    observed/model) and ``sd`` (its error sd): arrays of the observations.
    """
    zone_id = np.asarray(zone_id, dtype=object)
    n_z = len(zone_id)
    se = np.asarray(prior_se_log, dtype=float)
    ybar, s2, n = _zone_summaries(n_z, np.asarray(zone_idx, dtype=np.int64), np.asarray(y, float),
                                  np.asarray(sd, float))
    codes, gidx = np.unique(np.asarray(group, dtype=str), return_inverse=True)
    tau2 = between_zone_variance(gidx, len(codes), ybar, s2, tau)[gidx]
    w_z = np.where(np.isfinite(s2), 1.0 / (tau2 + s2), 0.0)
    se_g = np.zeros(len(codes))
    se_g[gidx] = se                                       # one se per group (the same within it)
    prec_g = 1.0 / se_g ** 2 + np.bincount(gidx, weights=w_z, minlength=len(codes))
    m_g = np.bincount(gidx, weights=np.where(w_z > 0, w_z * np.nan_to_num(ybar), 0.0),
                      minlength=len(codes)) / prec_g
    v_g = 1.0 / prec_g
    m, v = m_g[gidx], v_g[gidx]
    has = np.isfinite(s2)
    p_z = 1.0 / tau2 + np.where(has, 1.0 / np.where(has, s2, 1.0), 0.0)
    mean = (m / tau2 + np.where(has, np.nan_to_num(ybar) / np.where(has, s2, 1.0), 0.0)) / p_z
    var = 1.0 / p_z + v / (tau2 * p_z) ** 2
    prior_sd = np.sqrt(se ** 2 + tau ** 2)          # the model's own prior, before any data
    band = Z90 * np.sqrt(se ** 2 + tau ** 2 + np.where(has, s2, 0.0))
    flag = np.where(~has, "", np.where(ybar < -band, "failing", np.where(ybar > band, "thriving", "")))
    return Posterior(zone_id=zone_id, group=np.asarray(group, dtype=str), mean_log=mean, sd_log=np.sqrt(var),
                     prior_sd_log=prior_sd, n_obs=n, ybar=ybar, flag=flag.astype(object))


#: observed zones a group needs before its between-zone spread is estimated from them
MIN_ZONES_FOR_SPREAD = 5


def between_zone_variance(gidx, n_groups: int, ybar, s2, tau: float) -> np.ndarray:
    """τ_g² per group: the method-of-moments estimate var(ȳ_z) − mean(s_z²) over the group's observed
    zones (DerSimonian & Laird 1986), never below ``tau``² (the placeholder spread) and only with
    at least :data:`MIN_ZONES_FOR_SPREAD` observed zones. Stands that fail or thrive widen their
    group's spread, so partial pooling does not shrink them into the crowd."""
    has = np.isfinite(s2)
    out = np.full(n_groups, tau ** 2)
    for g in range(n_groups):
        m = has & (gidx == g)
        if m.sum() >= MIN_ZONES_FOR_SPREAD:
            out[g] = max(tau ** 2, float(np.var(ybar[m], ddof=1) - np.mean(s2[m])))
    return out


def campaign_inflation(post: Posterior, zone_idx, y, sd, campaign) -> np.ndarray:
    """A factor ≥ 1 per observation: sqrt of its campaign's mean squared standardised residual
    against the posterior (residual variance over the method's plus the posterior's), when that is
    above 1 — a campaign noisier than its method says is down-weighted, never up-weighted."""
    zone_idx = np.asarray(zone_idx, dtype=np.int64)
    resid = np.asarray(y, float) - post.mean_log[zone_idx]
    var = np.asarray(sd, float) ** 2 + post.sd_log[zone_idx] ** 2
    labels, cidx = np.unique(np.asarray(campaign, dtype=str), return_inverse=True)
    chi2 = np.bincount(cidx, weights=resid ** 2 / var, minlength=len(labels))
    cnt = np.bincount(cidx, minlength=len(labels))
    factor = np.sqrt(np.maximum(1.0, chi2 / np.maximum(cnt, 1)))
    return factor[cidx]


def calibrate(zone_id, group, prior_se_log, zone_idx, y, sd, campaign=None, *,
              tau: float = BETWEEN_ZONE_SD_LOG) -> tuple[Posterior, np.ndarray]:
    """:func:`posterior`, then once more with each campaign's error inflated by
    :func:`campaign_inflation` (when ``campaign`` is given). Returns the posterior and the error sd
    used per observation."""
    post = posterior(zone_id, group, prior_se_log, zone_idx, y, sd, tau=tau)
    sd = np.asarray(sd, float)
    if campaign is not None and len(sd):
        sd = sd * campaign_inflation(post, zone_idx, y, sd, campaign)
        post = posterior(zone_id, group, prior_se_log, zone_idx, y, sd, tau=tau)
    return post, sd
