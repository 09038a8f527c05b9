"""The growth and soil-carbon fit behind ``optimizer/catalog/vegetation_growth.csv`` (issue 10, item 1).

One model for every vegetation type × climate class (docs/science.md §2.1–§2.3), fitted jointly
to every usable published stock (:func:`training_points`: the field rows of
``benchmarks/data/field_carbon.csv`` that the scorecard can use, plus the catalog's own records in
``optimizer/catalog/chronosequences.csv``), by penalised least squares on log ratios:

* biomass (total, above + below ground) ``B(t) = C_max · s · (1 − e^(−k t))^m`` with ``s`` the
  cover-soil multiplier of the site, and per cell (type v, class c)::

      ln C_max = a_v + δa_vc + β · ln(I / I_0),   ln k = b_v + δb_vc + γ · ln(I / I_0),
      m = 1 + e^(u_v + δu_vc)

  where ``I`` is the Miami-model productivity of the site's rainfall and temperature
  (:mod:`optimizer.models.climate`) and ``I_0`` that of the reference climate (600 mm, 8 °C);
* soil organic carbon formed since the works, on 0–30 cm,
  ``ΔSOC(t) = r · τ · (1 − e^(−t/τ))`` with ``ln r = s_v + δs_vc + β_s · ln(I/I_0)`` and one τ;
  other depths by :func:`optimizer.models.carbon.soc_depth_scale`; the starting stock from the
  site's soil and spoil concentrations (:func:`optimizer.models.carbon.initial_soc_t_per_ha`),
  whose defaults (``c_soil``, ``c_spoil``) are fitted too.

Every parameter has a prior (:data:`TYPE_PRIORS`, :data:`GLOBAL_PRIORS`, cell offsets N(prior, 0.4)
in log space): the data are few (about 45 stocks from about 25 studies), so a type or a cell
without data takes its prior — the table's ``n_points`` says which. Residual weights: σ = 0.25
(confidence A), 0.35 (B), 0.5 (C) on the log scale. Uncertainty: the Laplace approximation at
the optimum (covariance ``(JᵀJ)⁻¹``), from which joint draws of every cell are taken
(:func:`draws`) — parameters move together, as the uncertainty issue needs.

Deterministic: fixed starting point, no randomness except the seeded draws.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from optimizer.models import carbon, climate

#: Vegetation types with a growth curve. ``cropland`` has no lasting biomass (the harvest leaves).
TYPES = ("tree_shrub_herb", "robinia", "poplar", "conifer", "shrub", "grassland", "grass_legume",
         "natural_regeneration", "eucalyptus_acacia", "cropland")
NO_BIOMASS = ("cropland",)

#: Reference climate of the type parameters and of each class's table row (P mm, T °C): the
#: class rows state their curve at a typical climate of the class [C].
REF_CLIMATE = (600.0, 8.0)
CLASS_CLIMATE = {"cold": (380.0, 1.5), "semi_arid": (420.0, 7.0), "sub_humid": (650.0, 8.0),
                 "humid_temperate": (1000.0, 12.0), "humid_subtropical": (1500.0, 20.0)}

#: Root:shoot of each type (IPCC 2019 Refinement Vol 4 Table 4.4 [A] for planted broadleaf,
#: temperate Asia 0.303, and planted conifer, Chinese data 0.224; tropical plantations 0.25 [C];
#: shrubs and herbs 0.303 by analogy [P]).
ROOT_SHOOT = {"conifer": 0.224, "eucalyptus_acacia": 0.25}

#: Prior (median) of each type at the reference climate: C_max [t C/ha], k [1/yr], m [-], initial
#: SOC accrual r [t C/ha/yr in 0–30 cm], with the reason. Prior σ on the log scale: 0.7 for C_max
#: and r, 0.5 for k and m − 1.
TYPE_PRIORS = {
    "tree_shrub_herb": (80.0, 0.10, 3.0, 1.2,
                        "Ohio reclaimed forest 107 t C/ha ecosystem at 25 yr (Shrestha & Lal 2010)"),
    "robinia": (60.0, 0.15, 2.0, 1.2, "Robinia community 147–166 t DM/ha at 30–35 yr, 79–84 % tree layer"),
    "poplar": (60.0, 0.15, 2.0, 1.2, "Guan et al. 2016 Populus tree layer 59.4 t C/ha"),
    "conifer": (80.0, 0.07, 4.0, 1.0, "Sun et al. 2017 P. tabuliformis 74 t C/ha at 519 mm, 35 yr"),
    "shrub": (20.0, 0.15, 2.0, 1.0, "shrubland well below woodland [P]"),
    "grassland": (3.0, 0.5, 1.5, 1.2, "herb biomass a few t C/ha [P]"),
    "grass_legume": (4.0, 0.5, 1.5, 1.4, "as grassland, legumes add N [P]"),
    "natural_regeneration": (2.0, 0.3, 1.5, 0.5, "herbaceous where dry (as grassland, lower); woody where humid "
                                                  "(cell priors) [P]"),
    "eucalyptus_acacia": (38.5, 0.108, 2.5, 1.5,
                          "[P] a fast plantation at the humid subtropical class climate (index 1.92× the reference) "
                          "holding about 20 t C/ha at 6 yr; the fitted curve rests on its records: Bargali et al. "
                          "1992 (2–8 yr, good land), Dutta & Agrawal 2003 (4–7 yr shape on spoil), field rows"),
    "cropland": (0.0, 0.5, 1.5, 0.8, "harvested: no lasting biomass; SOC by rotation and amendment [P]"),
}
#: Cell priors that differ from the type's: spontaneous succession stays herbaceous where it is dry
#: (the type's prior: a grass-like curve) and becomes woodland where it is humid (Prach & Hobbs
#: 2008, Restor Ecol 16(3) 363–366) [B]: C_max 10×, 20× and 25× the dry value, and a woody timing
#: (k 0.06/yr, m 4: a slow start while trees colonise) [P]. Offsets on ln C_max (da), ln k (db)
#: and ln(m − 1) (du).
_WOODY_SUCCESSION = {"db": math.log(0.06 / 0.3), "du": math.log((4.0 - 1.0) / (1.5 - 1.0))}
CELL_PRIORS = {("natural_regeneration", "sub_humid"): {"da": math.log(10.0), **_WOODY_SUCCESSION},
               ("natural_regeneration", "humid_temperate"): {"da": math.log(20.0), **_WOODY_SUCCESSION},
               ("natural_regeneration", "humid_subtropical"): {"da": math.log(25.0), **_WOODY_SUCCESSION}}
GLOBAL_PRIORS = {  # name: (prior median, σ of ln, unit, meaning)
    "beta": (1.0, 0.5, "-", "exponent of C_max on the productivity index"),
    "gamma": (0.5, 0.5, "-", "exponent of k on the productivity index"),
    "beta_soc": (1.0, 0.5, "-", "exponent of the SOC accrual rate on the productivity index"),
    "tau": (30.0, 0.5, "yr", "time constant of SOC accrual"),
    "onset_k": (0.3, 0.7, "1/yr", "rate of the SOC onset curve (used when SOC_ONSET = 'global')"),
    "onset_m": (2.0, 0.5, "-", "shape of the SOC onset curve (used when SOC_ONSET = 'global')"),
    "onset_w": (0.3, 0.7, "-", "share of SOC accrual that starts at once (used when SOC_ONSET = 'mixed')"),
    "c_soil": (6.0, 0.5, "g C/kg", "organic C of cover or native soil at the start"),
    "c_spoil": (1.0, 0.7, "g C/kg", "biogenic organic C of raw spoil at the start"),
}
SIGMA_CELL = 0.4
#: σ (log scale) of a study's own level, one offset per study and pool kind (biomass or soil) with
#: prior N(0, σ): points of one study share their site, method and depth reading, so their
#: residuals are not independent. None: no study effects. A new site's prediction takes 0.
STUDY_EFFECT_SIGMA: float | None = None
#: What drives SOC accrual's onset b(t) = (1 − e^(−k t))^m (docs/science.md §2.3): "none" (b = 1),
#: "stand" (the type's own biomass k and m) or "global" (one fitted k and m for every type).
SOC_ONSET = "none"
SIGMA_BY_CONFIDENCE = {"A": 0.25, "B": 0.35, "C": 0.5}
BULK_DENSITY = 1.4          # t/m³, as the field rows' conversions (benchmarks/data/README.md) [C]
QUANTITIES = ("biomass", "agb", "soc", "soc_gain", "ecosystem", "ecosystem_gain", "biomass_ratio")


@dataclass
class Points:
    """Training points as arrays (one entry per point)."""

    frame: pd.DataFrame
    veg: np.ndarray = field(init=False)
    cls: np.ndarray = field(init=False)

    def __post_init__(self):
        f = self.frame
        self.veg = f["veg_type"].to_numpy(dtype=object)
        self.cls = np.asarray(climate.climate_class(f["map_mm"].to_numpy(float), f["mat_c"].to_numpy(float)),
                              dtype=object)


class Layout:
    """Which parameters θ holds: per type, per cell with data, and global."""

    def __init__(self, points: pd.DataFrame):
        cells = sorted({(v, climate.climate_class(p, t)) for v, p, t in
                        zip(points["veg_type"], points["map_mm"], points["mat_c"])} | set(CELL_PRIORS))
        self.cells = [c for c in cells if c[0] in TYPES]
        self.names: list[str] = []
        for v in TYPES:
            self.names += [f"a|{v}", f"b|{v}", f"u|{v}", f"s|{v}"]
        for v, c in self.cells:
            self.names += [f"da|{v}|{c}", f"db|{v}|{c}", f"du|{v}|{c}", f"ds|{v}|{c}"]
        self.names += [f"g|{k}" for k in GLOBAL_PRIORS]
        if STUDY_EFFECT_SIGMA is not None:
            self.names += sorted({f"st|{sid}|{_kind(q)}" for sid, q in zip(points["study_id"], points["quantity"])})
        self.index = {n: i for i, n in enumerate(self.names)}
        mu, sd = [], []
        for n in self.names:
            kind, *rest = n.split("|")
            if kind in "absu":
                c_max, k, m, r, _ = TYPE_PRIORS[rest[0]]
                mu.append({"a": math.log(max(c_max, 1e-3)), "b": math.log(k), "u": math.log(m - 1.0),
                           "s": math.log(r)}[kind])
                sd.append({"a": 0.7, "b": 0.5, "u": 0.5, "s": 0.7}[kind])
            elif kind == "st":
                mu.append(0.0)
                sd.append(float(STUDY_EFFECT_SIGMA))
            elif kind.startswith("d"):
                mu.append(CELL_PRIORS.get((rest[0], rest[1]), {}).get(kind, 0.0))
                sd.append(SIGMA_CELL)
            else:
                med, s, _, _ = GLOBAL_PRIORS[rest[0]]
                mu.append(math.log(med))
                sd.append(s)
        self.mu, self.sd = np.array(mu), np.array(sd)

    def get(self, theta, name, default=0.0):
        i = self.index.get(name)
        return default if i is None else theta[i]


def _kind(quantity: str) -> str:
    """The pool kind a study effect is shared over: biomass curves or soil (and ecosystem) stocks."""
    return "bio" if quantity in ("biomass", "agb", "biomass_ratio") else "soil"


def log_index_ratio(p, t):
    """ln(I(P, T) / I_0)."""
    return np.log(climate.productivity_index(p, t) / climate.productivity_index(*REF_CLIMATE))


def cell_parameters(theta, layout: Layout, veg: str, cls: str, p: float, t: float) -> dict:
    """The curve of type ``veg`` in class ``cls`` at climate (p, t): c_max, k, m, soc_rate, soc_tau."""
    g = {k: math.exp(layout.get(theta, f"g|{k}")) for k in GLOBAL_PRIORS}
    x = float(log_index_ratio(p, t))
    prior = CELL_PRIORS.get((veg, cls), {})
    a = layout.get(theta, f"a|{veg}") + layout.get(theta, f"da|{veg}|{cls}", prior.get("da", 0.0))
    b = layout.get(theta, f"b|{veg}") + layout.get(theta, f"db|{veg}|{cls}", prior.get("db", 0.0))
    u = layout.get(theta, f"u|{veg}") + layout.get(theta, f"du|{veg}|{cls}", prior.get("du", 0.0))
    s = layout.get(theta, f"s|{veg}") + layout.get(theta, f"ds|{veg}|{cls}")
    k, m = math.exp(b + g["gamma"] * x), 1.0 + math.exp(u)
    if SOC_ONSET in ("stand", "mixed"):
        onset_k, onset_m = k, m
    elif SOC_ONSET == "global":
        onset_k, onset_m = g["onset_k"], g["onset_m"]
    else:
        onset_k, onset_m = 1e6, 1.0
    return dict(c_max=0.0 if veg in NO_BIOMASS else math.exp(a + g["beta"] * x), k=k, m=m,
                soc_rate=math.exp(s + g["beta_soc"] * x), soc_tau=g["tau"], onset_k=onset_k, onset_m=onset_m)


def predict_points(theta, layout: Layout, pts: Points, site_multiplier: np.ndarray) -> np.ndarray:
    """The model's value of every point [Mg C/ha] (the same equations as the option scoring)."""
    f = pts.frame
    g = {k: math.exp(layout.get(theta, f"g|{k}")) for k in GLOBAL_PRIORS}
    cells = [cell_parameters(theta, layout, v, c, p, t)
             for v, c, p, t in zip(pts.veg, pts.cls, f["map_mm"].to_numpy(float), f["mat_c"].to_numpy(float))]
    par = {k: np.array([c[k] for c in cells])[:, None]
           for k in ("c_max", "k", "m", "soc_rate", "soc_tau", "onset_k", "onset_m")}
    age = f["age_yr"].to_numpy(float)
    n = len(f)
    grid = np.arange(0.0, math.ceil(age.max()) + 1.0) if n else np.zeros(1)
    soc_grid = carbon.soc_accrual(grid, par["soc_rate"], par["soc_tau"], par["onset_k"], par["onset_m"])
    if SOC_ONSET == "mixed":
        w = min(g["onset_w"], 1.0)
        soc_grid = w * carbon.soc_accrual(grid, par["soc_rate"], par["soc_tau"]) + (1.0 - w) * soc_grid
    lo = np.minimum(np.floor(age).astype(int), len(grid) - 2)
    frac = (age - lo)
    rows = np.arange(n)

    def at(a):
        return a[rows, lo] * (1 - frac) + a[rows, lo + 1] * frac

    # the biomass curve is smooth: evaluate it at the age itself
    bio = carbon.biomass_carbon_stock(age, par["c_max"][:, 0], par["k"][:, 0], par["m"][:, 0], site_multiplier)
    # a growth ratio B(age) / B(ref_age) (a shape datum: no stock was read, only how fast it grew)
    ref_age = f["ref_age_yr"].to_numpy(float) if "ref_age_yr" in f else np.full(n, np.nan)
    bio_ref = carbon.biomass_carbon_stock(np.where(np.isfinite(ref_age), ref_age, age), par["c_max"][:, 0],
                                          par["k"][:, 0], par["m"][:, 0], site_multiplier)
    depth = f["depth_cm"].to_numpy(float)
    d = np.where(np.isfinite(depth), depth, carbon.SOC_RATE_DEPTH_CM)
    gain = at(soc_grid) * carbon.soc_depth_scale(d)
    soc0_c = f["soc0_g_per_kg"].to_numpy(float)
    c_soil = np.where(np.isfinite(soc0_c), soc0_c, g["c_soil"])
    soc0 = carbon.initial_soc_t_per_ha(f["soil_cm"].to_numpy(float), d, c_soil, g["c_spoil"], BULK_DENSITY)
    root_shoot = np.array([ROOT_SHOOT.get(v, 0.303) for v in pts.veg])
    values = {"biomass": bio, "agb": bio / (1.0 + root_shoot), "soc": soc0 + gain, "soc_gain": gain,
              "ecosystem": bio + soc0 + gain, "ecosystem_gain": bio + gain,
              "biomass_ratio": bio / np.maximum(bio_ref, 1e-12)}
    q = f["quantity"].to_numpy(dtype=object)
    out = np.empty(n)
    for name, v in values.items():
        sel = q == name
        out[sel] = v[sel]
    if STUDY_EFFECT_SIGMA is not None and "study_id" in f:
        eff = np.array([layout.get(theta, f"st|{sid}|{_kind(qq)}") for sid, qq in zip(f["study_id"], q)])
        out = out * np.exp(np.where(q == "biomass_ratio", 0.0, eff))
    return out


@dataclass
class Fit:
    theta: np.ndarray
    layout: Layout
    cov: np.ndarray
    points: pd.DataFrame            # with ``fitted`` and ``residual`` (ln fitted/observed)
    cost: float

    def cell(self, veg, cls, p=None, t=None, theta=None) -> dict:
        p0, t0 = CLASS_CLIMATE[cls]
        return cell_parameters(self.theta if theta is None else theta, self.layout, veg, cls,
                               p0 if p is None else p, t0 if t is None else t)

    def global_value(self, name, theta=None) -> float:
        return math.exp(self.layout.get(self.theta if theta is None else theta, f"g|{name}"))


def fit(points: pd.DataFrame, site_multiplier_fn) -> Fit:
    """Fit the model to ``points`` (see :func:`training_points` for the columns)."""
    from scipy.optimize import least_squares

    pts = Points(points.reset_index(drop=True))
    layout = Layout(pts.frame)
    mult = site_multiplier_fn(pts.frame["soil_cm"].to_numpy(float))
    obs = np.log(pts.frame["value"].to_numpy(float))
    sig = pts.frame["sigma"].to_numpy(float)

    def residuals(theta):
        pred = np.maximum(predict_points(theta, layout, pts, mult), 1e-9)
        return np.concatenate([(np.log(pred) - obs) / sig, (theta - layout.mu) / layout.sd])

    res = least_squares(residuals, layout.mu.copy(), method="trf", x_scale=1.0, max_nfev=2000)
    j = res.jac
    cov = np.linalg.pinv(j.T @ j)
    out = pts.frame.copy()
    out["cls"] = pts.cls
    out["fitted"] = predict_points(res.x, layout, pts, mult)
    out["residual"] = np.log(out["fitted"] / out["value"])
    return Fit(theta=res.x, layout=layout, cov=cov, points=out, cost=float(res.cost))


def table(f: Fit, sources: dict[str, str] | None = None) -> pd.DataFrame:
    """One row per type × class: the curve at the class's reference climate, the climate exponents,
    the number of points behind it, and standard errors (Laplace) of its log parameters."""
    rows = []
    rng_cov = f.cov
    for v in TYPES:
        for cls in climate.CLASSES:
            p0, t0 = CLASS_CLIMATE[cls]
            c = f.cell(v, cls)
            se = _cell_se(f, v, cls, rng_cov)
            pts = f.points[(f.points["veg_type"] == v) & (f.points["cls"] == cls)]
            n_type = int((f.points["veg_type"] == v).sum())
            rows.append(dict(
                veg_type=v, climate=cls, c_max_t_c_per_ha=round(c["c_max"], 4), k_per_yr=round(c["k"], 6),
                m=round(c["m"], 5), root_shoot=ROOT_SHOOT.get(v, 0.303), soc_rate_t_c_per_ha_yr=round(c["soc_rate"], 5),
                soc_tau_yr=round(c["soc_tau"], 3), soc_onset_k_per_yr=round(c["onset_k"], 6),
                soc_onset_m=round(c["onset_m"], 5), ref_rainfall_mm=p0, ref_temperature_c=t0,
                beta_c_max=round(f.global_value("beta"), 5), gamma_k=round(f.global_value("gamma"), 5),
                beta_soc=round(f.global_value("beta_soc"), 5), n_points=len(pts), n_points_type=n_type,
                n_studies=int(pts["study_id"].nunique()),
                se_log_c_max=round(se[0], 4), se_log_k=round(se[1], 4), se_log_m1=round(se[2], 4),
                se_log_soc_rate=round(se[3], 4),
                source=(sources or {}).get(v, ""), confidence="C" if len(pts) else "P",
                note=(f"{len(pts)} points in this cell, {n_type} for the type; " if len(pts) or n_type else
                      "no data for this type: the prior; ") + TYPE_PRIORS[v][4]))
    return pd.DataFrame(rows)


def _cell_gradient(f: Fit, v, cls, eps=1e-5):
    """d(ln c_max, ln k, ln(m−1), ln soc_rate)/dθ at the class's reference climate."""
    def logs(theta):
        c = f.cell(v, cls, theta=theta)
        return np.array([math.log(max(c["c_max"], 1e-12)), math.log(c["k"]), math.log(c["m"] - 1.0),
                         math.log(c["soc_rate"])])
    base = logs(f.theta)
    g = np.zeros((4, len(f.theta)))
    for i in range(len(f.theta)):
        th = f.theta.copy()
        th[i] += eps
        g[:, i] = (logs(th) - base) / eps
    return g


def _cell_se(f: Fit, v, cls, cov):
    g = _cell_gradient(f, v, cls)
    var = np.einsum("ij,jk,ik->i", g, cov, g)
    return np.sqrt(np.maximum(var, 0.0))


def draws(f: Fit, n: int = 100, seed: int = 20261127) -> pd.DataFrame:
    """Joint draws of every cell's curve from the Laplace posterior N(θ̂, cov): one row per draw and
    cell (the uncertainty issue samples these; parameters of one draw belong together)."""
    rng = np.random.default_rng(seed)
    thetas = rng.multivariate_normal(f.theta, (f.cov + f.cov.T) / 2, size=n, method="eigh")
    rows = []
    for d, th in enumerate(thetas):
        for v in TYPES:
            for cls in climate.CLASSES:
                c = f.cell(v, cls, theta=th)
                rows.append(dict(draw=d, veg_type=v, climate=cls, c_max_t_c_per_ha=round(c["c_max"], 4),
                                 k_per_yr=round(c["k"], 6), m=round(c["m"], 5),
                                 soc_rate_t_c_per_ha_yr=round(c["soc_rate"], 5), soc_tau_yr=round(c["soc_tau"], 3),
                                 soc_onset_k_per_yr=round(c["onset_k"], 6), soc_onset_m=round(c["onset_m"], 5)))
    return pd.DataFrame(rows)


#: The catalog's own records (``optimizer/catalog/chronosequences.csv``) used as stocks, with what
#: each needs beyond the record: temperature, soil over the spoil, SOC depth, and how it was read.
#: Records with no age (Guan et al. 2016's asymptotes) or already in the field rows (Li et al.
#: 2014) are not used.
CATALOG_RECORDS = {
    # record_id: (quantity, mat_c, soil_cm, depth_cm, value override or None, confidence, reading)
    "SL2010_forest_eco25": ("ecosystem", 10.5, 30.0, 30.0, None, "B",
                            "ecosystem C incl. litter read as biomass + SOC 0–30 cm; topsoiled [P]"),
    "SL2010_pasture_eco25": ("ecosystem", 10.5, 30.0, 30.0, None, "C",
                             "pasture ecosystem C read as biomass + SOC 0–30 cm [P]"),
    "AMI2008_hardwood_eco": ("ecosystem", 11.0, 0.0, 30.0, None, "C",
                             "total site C (trees, litter, soil) of 20–55-yr stands at the mid age 37.5 [P]"),
    "AMI2008_pine_eco": ("ecosystem", 11.0, 0.0, 30.0, None, "C", "as the hardwood record, pines"),
    "FFGC2023_robinia_eco": ("ecosystem", 12.5, 0.0, 30.0, None, "B",
                             "total ecosystem C of 4–24-yr stands on lignite overburden at age 14"),
    "SPY2021_robinia_agb": ("agb", 12.5, 0.0, float("nan"), 57.6 * 0.47, "B",
                            "57.6 t DM/ha above ground × 0.47 at the mid age 17.5"),
    "SUN2017_372mm": ("biomass", 7.5, 100.0, float("nan"), None, "A", "near-mature plantation on native soil"),
    "SUN2017_519mm": ("biomass", 7.5, 100.0, float("nan"), None, "A", "as SUN2017_372mm"),
    "SUN2017_632mm": ("biomass", 7.5, 100.0, float("nan"), None, "A", "as SUN2017_372mm"),
    "DAS2016_mixed_biomass": ("biomass", 26.0, 0.0, float("nan"), None, "B",
                              "4-yr mixed plantation on an overburden dump, biomass C by allometry"),
    "BERAU2016_acacia_soc": ("soc", 27.0, 0.0, 30.0, None, "B",
                             "SOC under 9-yr Acacia mangium, depth taken as 0–30 cm"),
    "BARGALI1992_eucalyptus_2yr": ("biomass", 24.0, 100.0, float("nan"), 7.7 * 0.47, "B",
                                   "total plantation biomass 7.7 t DM/ha × 0.47 at 2 yr; good land (native soil)"),
    "BARGALI1992_eucalyptus_8yr": ("biomass", 24.0, 100.0, float("nan"), 126.7 * 0.47, "B",
                                   "total plantation biomass 126.7 t DM/ha × 0.47 at 8 yr; good land (native soil)"),
    "TIAN2014_koelreuteria_3yr": ("biomass", 17.5, 0.0, float("nan"), None, "B",
                                  "tree C of 3-yr Koelreuteria stands on manganese-mine wasteland, Hunan, as total "
                                  "biomass; substrate read as raw spoil [P]"),
    "TIAN2014_koelreuteria_5yr": ("biomass", 17.5, 0.0, float("nan"), None, "B", "as the 3-yr record, 5 yr"),
    "TIAN2014_koelreuteria_9yr": ("biomass", 17.5, 0.0, float("nan"), None, "B", "as the 3-yr record, 9 yr"),
    "FEM2011_pine_agb": ("agb", 5.5, 0.0, float("nan"), 1.899 * 0.47, "B",
                         "1,899 kg DM/ha above ground of 7-yr Scots pine on oil-shale spoil × 0.47"),
    "FEM2011_alder_agb": ("agb", 5.5, 0.0, float("nan"), 2.563 * 0.47, "B",
                          "2,563 kg DM/ha above ground of 7-yr black alder on oil-shale spoil × 0.47"),
    "WARDKOCH1996_jarrah_agb": ("agb", 15.5, 30.0, float("nan"), 58.0 * 0.47, "B",
                                "58 t DM/ha of trees at 15.5 yr on rehabilitated bauxite pits × 0.47; topsoil "
                                "returned, read as 30 cm [P]"),
    "DUTTA2003_shoot_ratio": ("biomass_ratio", 25.0, 0.0, float("nan"), None, "B",
                              "shoot biomass of 7-yr stands 2.53× that of 4-yr stands on coal-mine spoil: the "
                              "curve's shape between 4 and 7 yr (root:shoot constant, so the total's ratio)"),
}


def catalog_points() -> pd.DataFrame:
    """The catalog's records of :data:`CATALOG_RECORDS` as training points."""
    import io
    from importlib import resources

    text = resources.files("optimizer").joinpath("catalog/chronosequences.csv").read_text(encoding="utf-8")
    c = pd.read_csv(io.StringIO(text)).set_index("record_id")
    rows = []
    for rid, (q, mat, soil, depth, value, conf, reading) in CATALOG_RECORDS.items():
        r = c.loc[rid]
        rows.append(dict(study_id=rid.split("_")[0], point=rid, veg_type=r["veg_type"], map_mm=float(r["rainfall_mm"]),
                         mat_c=mat, soil_cm=soil, soc0_g_per_kg=float("nan"), age_yr=float(r["age_yr"]), quantity=q,
                         depth_cm=depth, value=float(r["value"] if value is None else value),
                         ref_age_yr=float(r["age_min_yr"]) if q == "biomass_ratio" else float("nan"),
                         sigma=SIGMA_BY_CONFIDENCE[conf], reading=reading))
    return pd.DataFrame(rows)
