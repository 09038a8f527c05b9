"""Fit SinkPlan's biomass growth curves and SOC parameters to the published chronosequences.

Reads  ``optimizer/catalog/chronosequences.csv``   (the published data points, one per row)
Writes ``optimizer/catalog/rainfall_growth.csv``   (rainfall growth multiplier)
       ``optimizer/catalog/vegetation_growth.csv`` (Chapman–Richards + SOC per vegetation type)
Prints the residual table (each datum: observed, fitted, residual) and checks against the
published figures that were not fitted.

    python scripts/fit_growth.py            # fit, write both CSVs, print
    python scripts/fit_growth.py --dry-run  # fit and print only

Deterministic: fixed starting points, no randomness; two runs give byte-identical CSVs.

Method
------
1. **Rainfall.** ``g(P) = a·(1 − exp(−(P − p0)/s))`` through the three near-mature
   *Pinus tabuliformis* stands of Sun et al. 2017 (372 / 519 / 632 mm) by
   ``scipy.optimize.least_squares``; three points, three parameters, so it interpolates them.
   The multiplier ``f(P) = g(P)/g(519)`` is 1.0 at the reference rainfall 519 mm (the middle
   site) and is held at its edge values outside 372–632 mm.
2. **Biomass.** Chapman–Richards ``C(t) = C_max·(1 − e^(−k t))^m`` for TOTAL (above + below)
   biomass carbon [t C/ha] at the reference rainfall. Each ``use = fit`` datum is converted to
   total biomass C at its own site with ``to_total_biomass_c`` (the partition or root:shoot
   factor explained in its note) and compared with ``C(t)·f(site rainfall)``. Kinds of datum:
   a stock at an age; a stock pooled over an age range (mean of C over the range); an
   asymptote (C_max); a peak gain rate at age t*, which gives two residuals, dC/dt(t*) and the
   inflection age ``ln(m)/k − t*``. Residuals are relative, weighted by the datum's confidence
   tag (σ = 15 % [A], 25 % [B], 35 % [C], 50 % [P] — a weighting choice [P]).
   Types whose data leave the shape (k, m) free get a log-normal prior on k and m centred on the
   best-documented mine chronosequence (``tree_shrub_herb``, Ohio reclaimed forest), σ_ln = 0.5
   [P]. Types without data are derived from a fitted type by a stated factor [P].
   Evidence rule for Guan et al. 2016's regional tree-layer figures (age unknown): they set the
   asymptote only where no aged stand of the species exists in the region (robinia, poplar); for
   conifer, Sun et al. 2017's aged stands contradict them and Guan's figure is a check.
3. **Soil organic carbon.** Li et al. 2014 (Heidaigou dump, 0–100 cm, 15 yr): gains over a new
   dump and "2/3, 1/2, 1/2 of the original landform level" give one pre-mining stock S_pre and
   one starting stock S_0 for the site. With the first-order form and SOC_eq = S_pre [P], the
   equilibrium gain is ``S_pre − S_0`` for every vegetated type and each type's 15-yr gain
   gives its time constant: ``τ = −15 / ln(1 − gain_15 / (S_pre − S_0))``.

Vegetation types (SinkPlan ids): tree_shrub_herb, robinia, poplar, conifer, shrub, grassland,
grass_legume, natural_regeneration.

The method and the fitted values are described in docs/science.md §2.1–§2.3.
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.optimize import least_squares

from optimizer.models.carbon import (
    ROOT_SHOOT_PLANTED_BROADLEAF_TEMPERATE_ASIA,
    ROOT_SHOOT_PLANTED_CONIFER_CHINA,
    chapman_richards,
    chapman_richards_inflection_yr,
    chapman_richards_rate,
    rainfall_growth_multiplier,
)

REPO = Path(__file__).resolve().parents[1]
CATALOG = REPO / "optimizer" / "catalog"
CHRONO_CSV = CATALOG / "chronosequences.csv"
GROWTH_CSV = CATALOG / "vegetation_growth.csv"
RAINFALL_CSV = CATALOG / "rainfall_growth.csv"

VEG_TYPES = ("tree_shrub_herb", "robinia", "poplar", "conifer", "shrub", "grassland", "grass_legume",
             "natural_regeneration")

REFERENCE_RAINFALL_MM = 519.0  # Sun et al. 2017 middle site (Taizishan): catalog curves are stated here
CONFIDENCE_SIGMA_REL = {"A": 0.15, "B": 0.25, "C": 0.35, "P": 0.50}  # relative σ by tag [P weighting]
SHAPE_PRIOR_TYPE = "tree_shrub_herb"
SHAPE_PRIOR_SIGMA_LN = 0.5  # [P]
SHRUB_FROM_ROBINIA = 0.5  # shrub C_max = 0.5 × robinia C_max, robinia's timing [P]: no shrub data
GRASS_LEGUME_FROM_GRASSLAND = 1.0  # no biomass source for a legume effect; interactions are catalog data [P]
ROOT_SHOOT_HERBACEOUS_AND_SHRUB = 2.8  # IPCC 2006 Vol 4 Table 6.1, semi-arid grassland / shrubland [C, not re-checked]
BOUNDS_LOG = (np.log([1e-3, 1e-4, 1.0]), np.log([1e4, 5.0, 50.0]))  # ln C_max, ln k, ln m (m >= 1)
POOLED_GRID_N = 201  # points for the mean of C(t) over an age range (trapezoid rule)

GROWTH_COLUMNS = ("veg_type", "c_max_t_c_per_ha", "k_per_yr", "m", "root_shoot", "soc_gain_eq_t_c_per_ha",
                  "soc_tau_yr", "n_points", "rmse_t_c_per_ha", "max_abs_residual", "source", "confidence", "note")
STOCK_KINDS = ("stock", "pooled_stock", "asymptote")


# --- reading ---------------------------------------------------------------------------------

_NUMERIC = ("value", "value_low", "value_high", "age_yr", "age_min_yr", "age_max_yr", "rainfall_mm",
            "to_total_biomass_c")


def read_chronosequences(path: Path = CHRONO_CSV) -> list[dict]:
    """Rows of the chronosequence file, numeric columns as float (None when empty)."""
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        for key in _NUMERIC:
            row[key] = float(row[key]) if row[key].strip() else None
    return rows


def _by_id(records: list[dict]) -> dict[str, dict]:
    return {r["record_id"]: r for r in records}


# --- rainfall --------------------------------------------------------------------------------


def fit_rainfall(records: list[dict]) -> dict:
    """Saturating rainfall response through the ``fit+rainfall`` rows (Sun et al. 2017)."""
    pts = sorted((r["rainfall_mm"], r["value"]) for r in records if "rainfall" in r["use"].split("+"))
    p = np.array([x for x, _ in pts])
    c = np.array([y for _, y in pts])

    def resid(x):
        a, p0, s = x
        return a * -np.expm1(-(p - p0) / s) - c

    sol = least_squares(resid, x0=[1.2 * c.max(), 0.5 * p.min(), p.max() - p.min()],
                        bounds=([1e-6, 0.0, 1.0], [1e4, p.min() - 1e-6, 1e5]), xtol=1e-14, ftol=1e-14, gtol=1e-14)
    a, p0, s = (float(v) for v in sol.x)
    return {"a_t_c_per_ha": a, "p0_mm": p0, "scale_mm": s, "ref_rainfall_mm": REFERENCE_RAINFALL_MM,
            "min_rainfall_mm": float(p.min()), "max_rainfall_mm": float(p.max()),
            "_points": pts, "_fitted": (a * -np.expm1(-(p - p0) / s)).tolist()}


def site_multiplier(rainfall_mm, rain: dict) -> float:
    """Rainfall multiplier of a datum's site; 1.0 (reference rainfall) when rainfall is unknown."""
    return 1.0 if rainfall_mm is None else float(rainfall_growth_multiplier(rainfall_mm, rain))


# --- biomass targets -------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """One fitted quantity, in total-biomass-carbon units at the datum's site."""

    record_id: str
    veg_type: str
    kind: str  # stock | pooled_stock | asymptote | rate | inflection
    age_yr: float | None
    age_min_yr: float | None
    age_max_yr: float | None
    observed: float
    site_multiplier: float
    sigma_rel: float
    unit: str

    def model(self, c_max: float, k: float, m: float) -> float:
        """The fitted curve's value of this quantity at the datum's site."""
        f = self.site_multiplier
        if self.kind == "stock":
            return f * float(chapman_richards(self.age_yr, c_max, k, m))
        if self.kind == "pooled_stock":
            t = np.linspace(self.age_min_yr, self.age_max_yr, POOLED_GRID_N)
            c = chapman_richards(t, c_max, k, m)
            return f * float(np.sum((c[1:] + c[:-1]) * np.diff(t)) / 2.0 / (t[-1] - t[0]))
        if self.kind == "asymptote":
            return f * c_max
        if self.kind == "rate":
            return f * float(chapman_richards_rate(self.age_yr, c_max, k, m))
        if self.kind == "inflection":
            return float(chapman_richards_inflection_yr(k, m))
        raise ValueError(self.kind)


_STOCK_QUANTITIES = ("ecosystem_c_stock", "biomass_c_stock", "aboveground_biomass_c_stock",
                     "aboveground_biomass_dm_stock")


def targets_for(records: list[dict], veg_type: str, rain: dict) -> list[Target]:
    """The ``use = fit`` data of one vegetation type as fit targets."""
    out: list[Target] = []
    for r in records:
        if r["veg_type"] != veg_type or "fit" not in r["use"].split("+"):
            continue
        f = site_multiplier(r["rainfall_mm"], rain)
        sigma = CONFIDENCE_SIGMA_REL[r["confidence"]]
        value = r["value"] * r["to_total_biomass_c"]
        common = dict(record_id=r["record_id"], veg_type=veg_type, age_min_yr=r["age_min_yr"],
                      age_max_yr=r["age_max_yr"], site_multiplier=f, sigma_rel=sigma)
        q = r["quantity"]
        if q in _STOCK_QUANTITIES:
            kind = "pooled_stock" if r["age_basis"] == "pooled_mean" else "stock"
            out.append(Target(kind=kind, age_yr=r["age_yr"], observed=value, unit="t C/ha", **common))
        elif q == "asymptote":
            out.append(Target(kind="asymptote", age_yr=None, observed=value, unit="t C/ha", **common))
        elif q == "peak_gain_rate":
            out.append(Target(kind="rate", age_yr=r["age_yr"], observed=value, unit="t C/ha/yr", **common))
            out.append(Target(kind="inflection", age_yr=r["age_yr"], observed=r["age_yr"], unit="yr", **common))
        else:
            raise ValueError(f"{r['record_id']}: quantity {q!r} cannot be a biomass fit target")
    return out


def fit_curve(targets: list[Target], prior: tuple[float, float] | None = None) -> tuple[float, float, float]:
    """Weighted least squares (relative residuals) of C_max, k, m; optional log-normal (k, m) prior."""
    stocks = [t.observed / t.site_multiplier for t in targets if t.kind in STOCK_KINDS]

    def resid(x):
        c_max, k, m = np.exp(x)
        r = [(t.model(c_max, k, m) - t.observed) / (t.sigma_rel * abs(t.observed)) for t in targets]
        if prior is not None:
            r += [(x[1] - math.log(prior[0])) / SHAPE_PRIOR_SIGMA_LN,
                  (x[2] - math.log(prior[1])) / SHAPE_PRIOR_SIGMA_LN]
        return np.array(r)

    k0, m0 = prior if prior is not None else (0.1, 3.0)
    x0 = np.log([1.3 * max(stocks), k0, m0])
    sol = least_squares(resid, x0=x0, bounds=BOUNDS_LOG, method="trf", xtol=1e-12, ftol=1e-12, gtol=1e-12,
                        max_nfev=20000)
    c_max, k, m = (float(v) for v in np.exp(sol.x))
    return c_max, k, m


# --- soil organic carbon ---------------------------------------------------------------------


def soc_from_li2014(records: list[dict]) -> dict:
    """Pre-mining and starting SOC stocks of the Heidaigou dump and per-class time constants."""
    rec = _by_id(records)
    gain = {c: rec[f"LI2014_{c}_gain"]["value"] for c in ("grass", "shrub", "tree")}
    frac = {c: rec[f"LI2014_{c}_frac"]["value"] for c in ("grass", "shrub", "tree")}
    years = rec["LI2014_grass_gain"]["age_yr"]
    s_pre = (gain["grass"] - gain["tree"]) / (frac["grass"] - frac["tree"])
    s_0 = frac["tree"] * s_pre - gain["tree"]
    gain_eq = s_pre - s_0
    ratio_natural = rec["LI2014_natural_soc010"]["value"] / rec["LI2014_alfalfa_soc010"]["value"]
    gain["natural"] = ratio_natural * gain["grass"]
    tau = {c: -years / math.log(1.0 - g / gain_eq) for c, g in gain.items()}
    return {"years": years, "s_pre": s_pre, "s_0": s_0, "gain_eq": gain_eq, "gain": gain, "tau": tau,
            "shrub_closure": frac["shrub"] * s_pre - s_0 - gain["shrub"], "ratio_natural": ratio_natural}


# --- the whole fit ---------------------------------------------------------------------------

SRC_SL10 = "Shrestha & Lal 2010 Geoderma 157"
SRC_IPCC_RS = "IPCC 2019 Refinement Vol 4 Table 4.4"
SRC_LI14 = "Li et al. 2014 环境科学 35(10)"
SRC_SUN = "Sun et al. 2017 Acta Ecol Sin 37(8)"
SRC_GUAN = "Guan et al. 2016"
SRC_FF23 = "Front For Glob Change 2023 (ffgc.2023.1190026)"

# veg_type: (how, shape prior / derived-from, factor, root:shoot, SOC class, confidence, sources)
SPECS = {
    "tree_shrub_herb": ("fit", None, None, ROOT_SHOOT_PLANTED_BROADLEAF_TEMPERATE_ASIA, "tree", "B",
                        [SRC_SL10, SRC_IPCC_RS, SRC_LI14]),
    "grassland": ("fit", None, None, ROOT_SHOOT_HERBACEOUS_AND_SHRUB, "grass", "B", [SRC_SL10, SRC_LI14]),
    "conifer": ("fit", SHAPE_PRIOR_TYPE, None, ROOT_SHOOT_PLANTED_CONIFER_CHINA, "tree", "P",
                [SRC_SUN, SRC_GUAN, SRC_IPCC_RS, SRC_LI14]),
    "poplar": ("fit", SHAPE_PRIOR_TYPE, None, ROOT_SHOOT_PLANTED_BROADLEAF_TEMPERATE_ASIA, "tree", "P",
               [SRC_GUAN, SRC_IPCC_RS, SRC_LI14]),
    "robinia": ("fit", SHAPE_PRIOR_TYPE, None, ROOT_SHOOT_PLANTED_BROADLEAF_TEMPERATE_ASIA, "tree", "P",
                [SRC_FF23, SRC_GUAN, SRC_IPCC_RS, SRC_LI14]),
    "shrub": ("derive", "robinia", SHRUB_FROM_ROBINIA, ROOT_SHOOT_HERBACEOUS_AND_SHRUB, "shrub", "P", [SRC_LI14]),
    "grass_legume": ("derive", "grassland", GRASS_LEGUME_FROM_GRASSLAND, ROOT_SHOOT_HERBACEOUS_AND_SHRUB, "grass",
                     "P", [SRC_SL10, SRC_LI14]),
    "natural_regeneration": ("derive", "grassland", "natural_ratio", ROOT_SHOOT_HERBACEOUS_AND_SHRUB, "natural",
                             "P", [SRC_SL10, SRC_LI14]),
}

NOTES = {
    "tree_shrub_herb": "Ohio reclaimed forest (mixed broadleaf): ecosystem C 107 at 25 yr and peak gain 6.59 at 14 yr, "
                       "biomass = 66 % of ecosystem C; 3 conditions, 3 parameters. Amichev 2008 rates checked.",
    "grassland": "Ohio reclaimed pasture: ecosystem C 21 at 25 yr, peak gain 1.61 at 6 yr, biomass = 11 % of "
                 "ecosystem C (soil 89 %); maintained pasture. Without maintenance apply degradation_factor "
                 "(Yang et al. 2015).",
    "conifer": "P. tabuliformis: level from Sun 2017 near-mature stands at 372/519/632 mm (age 35 = mid near-mature "
               "class [P]); timing = shape prior from tree_shrub_herb [P]. Guan 2016's 44.9 contradicts Sun and is a "
               "check only.",
    "poplar": "C_max from Guan 2016 Populus tree-layer C 59.4 read as asymptote (may be low: Guan's conifer figure is "
              "below Sun's aged stands); timing = shape prior from tree_shrub_herb [P].",
    "robinia": "Guan 2016 Loess asymptote 15.5 [A] vs Greek lignite-spoil stands (4-24 yr, 36.9 t C/ha total "
               "biomass) [B], 2.2x apart after rainfall normalisation: weighted fit, the Loess level wins "
               "(conservative) and the Greek stand speeds the timing; shape prior [P]. Better spoil: site multiplier.",
    "shrub": "PLACEHOLDER: no shrub chronosequence in chronosequences.csv. C_max = 0.5 x robinia, "
             "robinia timing [P]. SOC from Li 2014 shrub class [B].",
    "grass_legume": "PLACEHOLDER: = grassland biomass (legume effect 1.0 [P], interactions are catalog data). "
                    "SOC from Li 2014 grass class, which includes alfalfa [B].",
    "natural_regeneration": "PLACEHOLDER: grassland x 0.375 (Li 2014 surface SOC natural recovery / alfalfa, a "
                            "productivity proxy) for both biomass C_max and 15-yr SOC gain [P].",
}
ROOT_NOTES = {
    ROOT_SHOOT_PLANTED_BROADLEAF_TEMPERATE_ASIA: "root_shoot: planted broadleaf, temperate Asia (IPCC 2019 Refinement "
                                                 "Vol 4 Table 4.4) [A].",
    ROOT_SHOOT_PLANTED_CONIFER_CHINA: "root_shoot: planted conifer, Chinese data (IPCC 2019 Refinement Vol 4 "
                                      "Table 4.4) [A].",
    ROOT_SHOOT_HERBACEOUS_AND_SHRUB: "root_shoot: semi-arid grassland / shrubland default, IPCC 2006 Vol 4 Table 6.1 "
                                     "[C, not re-checked]; informational (C_max is already total biomass).",
}
SOC_NOTE = ("SOC: SOC_eq = pre-mining stock [P]; gain_eq = S_pre - S_0 = {g:.1f} t C/ha from Li 2014 "
            "(S_pre {sp:.1f}, S_0 {s0:.1f}, 0-100 cm); tau from the {cls} 15-yr gain {g15:.2f}.")


@dataclass
class FitResult:
    rain: dict
    params: dict  # veg_type -> (c_max, k, m)
    targets: dict  # veg_type -> [Target]
    soc: dict
    rows: list  # vegetation_growth rows (dicts, unformatted)


def fit_all(records: list[dict] | None = None) -> FitResult:
    """Run the whole fit; pure apart from reading ``records`` (default: the catalog file)."""
    if records is None:
        records = read_chronosequences()
    rain = fit_rainfall(records)
    soc = soc_from_li2014(records)
    params: dict[str, tuple[float, float, float]] = {}
    targets: dict[str, list[Target]] = {}
    for veg in sorted(SPECS, key=lambda v: (SPECS[v][0] != "fit", SPECS[v][1] is not None, VEG_TYPES.index(v))):
        how, ref, factor, *_ = SPECS[veg]
        if how == "fit":
            targets[veg] = targets_for(records, veg, rain)
            prior = params[ref][1:] if ref is not None else None
            params[veg] = fit_curve(targets[veg], prior)
        else:
            targets[veg] = []
            scale = soc["ratio_natural"] if factor == "natural_ratio" else factor
            c_max, k, m = params[ref]
            params[veg] = (scale * c_max, k, m)
    rows = []
    for veg in VEG_TYPES:
        how, ref, factor, root_shoot, soc_cls, conf, sources = SPECS[veg]
        c_max, k, m = params[veg]
        res = np.array([t.model(c_max, k, m) - t.observed for t in targets[veg] if t.kind in STOCK_KINDS])
        note = NOTES[veg] + " " + SOC_NOTE.format(g=soc["gain_eq"], sp=soc["s_pre"], s0=soc["s_0"], cls=soc_cls,
                                                  g15=soc["gain"][soc_cls])
        rows.append({
            "veg_type": veg, "c_max_t_c_per_ha": c_max, "k_per_yr": k, "m": m, "root_shoot": root_shoot,
            "soc_gain_eq_t_c_per_ha": soc["gain_eq"], "soc_tau_yr": soc["tau"][soc_cls],
            "n_points": len({t.record_id for t in targets[veg]}),
            "rmse_t_c_per_ha": float(np.sqrt(np.mean(res ** 2))) if res.size else None,
            "max_abs_residual": float(np.max(np.abs(res))) if res.size else None,
            "source": "; ".join(sources), "confidence": conf,
            "note": note + f" Curve at the reference rainfall {REFERENCE_RAINFALL_MM:g} mm. " + ROOT_NOTES[root_shoot],
        })
    return FitResult(rain=rain, params=params, targets=targets, soc=soc, rows=rows)


# --- writing ---------------------------------------------------------------------------------


def _fmt(x) -> str:
    if x is None:
        return ""
    if isinstance(x, (int, np.integer)) and not isinstance(x, bool):
        return str(int(x))
    if isinstance(x, float):
        return f"{x:.6g}"
    return str(x)


def growth_csv_text(result: FitResult) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(GROWTH_COLUMNS)
    for row in result.rows:
        cells = []
        for c in GROWTH_COLUMNS:
            x = row[c]
            if c in ("rmse_t_c_per_ha", "max_abs_residual") and x is not None:
                x = f"{abs(x):.4f}"  # fixed decimals: round-off noise of exact fits must not reach the file
            cells.append(_fmt(x))
        w.writerow(cells)
    return buf.getvalue()


def rainfall_csv_text(result: FitResult) -> str:
    r = result.rain
    src = "Sun et al. 2017, Acta Ecologica Sinica 37(8):2665-2672 (fit by scripts/fit_growth.py)"
    form = "f(P) = g(clip(P, min, max)) / g(ref), g(P) = 1 - exp(-(P - p0_mm)/scale_mm)"
    rows = [
        ("a_t_c_per_ha", r["a_t_c_per_ha"], "t C/ha", src, "A",
         "Asymptote of the P. tabuliformis rainfall response (not needed by the multiplier). " + form),
        ("p0_mm", r["p0_mm"], "mm", src, "A", "Rainfall at which g reaches zero (extrapolated; never used: clipped)."),
        ("scale_mm", r["scale_mm"], "mm", src, "A", "e-folding scale of the saturating response."),
        ("ref_rainfall_mm", r["ref_rainfall_mm"], "mm", src, "A",
         "Reference rainfall, multiplier = 1.0: Taizishan site of Sun et al. 2017. Catalog growth curves are "
         "stated at this rainfall."),
        ("min_rainfall_mm", r["min_rainfall_mm"], "mm", src, "A",
         "Driest site fitted; drier sites get the multiplier at this rainfall (no extrapolation) [P]."),
        ("max_rainfall_mm", r["max_rainfall_mm"], "mm", src, "A",
         "Wettest site fitted; wetter sites get the multiplier at this rainfall [P]."),
    ]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(("parameter", "value", "unit", "source", "confidence", "note"))
    for name, value, unit, source, conf, note in rows:
        w.writerow((name, _fmt(float(value)), unit, source, conf, note))
    return buf.getvalue()


# --- report ----------------------------------------------------------------------------------


def _checks(result: FitResult, records: list[dict]) -> list[tuple[str, str, str, str]]:
    """(check, published, model, verdict) rows against figures that were not (only) fitted."""
    rec = _by_id(records)
    rain = result.rain
    out = []

    def curve(veg, rainfall_mm=None):
        c_max, k, m = result.params[veg]
        f = site_multiplier(rainfall_mm, rain)
        return (lambda t: f * chapman_richards(t, c_max, k, m)), (lambda t: f * chapman_richards_rate(t, c_max, k, m))

    def verdict(ok):
        return "ok" if ok else "OUTSIDE"

    # Ohio forest and pasture, as ecosystem figures
    for rid_stock, rid_peak, veg in (("SL2010_forest_eco25", "SL2010_forest_peak", "tree_shrub_herb"),
                                     ("SL2010_pasture_eco25", "SL2010_pasture_peak", "grassland")):
        s, p = rec[rid_stock], rec[rid_peak]
        stock, rate = curve(veg, s["rainfall_mm"])
        model = float(stock(s["age_yr"])) / s["to_total_biomass_c"]
        out.append((f"{veg}: Ohio ecosystem C at {s['age_yr']:g} yr", f"{s['value']:g}", f"{model:.1f}",
                    verdict(abs(model / s["value"] - 1) < 0.05)))
        t = np.arange(0.0, 80.0, 0.01)
        r = rate(t) / p["to_total_biomass_c"]
        i = int(np.argmax(r))
        out.append((f"{veg}: Ohio peak ecosystem gain (age)", f"{p['value']:g} ({p['age_yr']:g} yr)",
                    f"{r[i]:.2f} ({t[i]:.1f} yr)", verdict(abs(r[i] / p["value"] - 1) < 0.05
                                                           and abs(t[i] - p["age_yr"]) < 1.0)))
    # Amichev: mean ecosystem rates and stocks at 20-55 yr
    a = rec["AMI2008_rate_range"]
    stock, rate = curve("tree_shrub_herb", a["rainfall_mm"])
    ages = np.arange(a["age_min_yr"], a["age_max_yr"] + 1.0)
    mean_rate = stock(ages) / a["to_total_biomass_c"] / ages
    out.append(("tree_shrub_herb: mean ecosystem gain, 20-55 yr (min-max)", f"{a['value_low']:g}-{a['value_high']:g}",
                f"{mean_rate.min():.2f}-{mean_rate.max():.2f}",
                verdict(mean_rate.min() >= a["value_low"] and mean_rate.max() <= a["value_high"])))
    cai = rate(ages)
    out.append(("tree_shrub_herb: current biomass increment, 20-55 yr (information)", "-",
                f"{cai.min():.2f}-{cai.max():.2f}", "info"))
    for rid, veg in (("AMI2008_hardwood_eco", "tree_shrub_herb"), ("AMI2008_pine_eco", "conifer")):
        r_ = rec[rid]
        stock, _ = curve(veg, r_["rainfall_mm"])
        model = float(stock(r_["age_yr"])) / r_["to_total_biomass_c"]
        out.append((f"{veg}: Amichev total site C at {r_['age_yr']:g} yr (mean +/- sd)",
                    f"{r_['value']:g} ({r_['value_low']:g}-{r_['value_high']:g})", f"{model:.1f}",
                    verdict(r_["value_low"] <= model <= r_["value_high"])))
    # Greece, black locust
    for rid in ("FFGC2023_robinia_eco", "SPY2021_robinia_agb"):
        r_ = rec[rid]
        stock, _ = curve("robinia", r_["rainfall_mm"])
        t = np.linspace(r_["age_min_yr"], r_["age_max_yr"], POOLED_GRID_N)
        model = float(np.mean(stock(t)))
        obs = r_["value"] * r_["to_total_biomass_c"]
        out.append((f"robinia: {rid} total biomass C, mean {r_['age_min_yr']:g}-{r_['age_max_yr']:g} yr",
                    f"{obs:.1f}", f"{model:.1f}", verdict(abs(model / obs - 1) < 0.25)))
    # Sun et al. 2017, conifer at 35 yr across the rainfall gradient
    for rid in ("SUN2017_372mm", "SUN2017_519mm", "SUN2017_632mm"):
        r_ = rec[rid]
        stock, _ = curve("conifer", r_["rainfall_mm"])
        model = float(stock(r_["age_yr"]))
        out.append((f"conifer: Sun 2017 at {r_['rainfall_mm']:g} mm, {r_['age_yr']:g} yr (mean +/- sd)",
                    f"{r_['value']:g} ({r_['value_low']:g}-{r_['value_high']:g})", f"{model:.1f}",
                    verdict(r_["value_low"] <= model <= r_["value_high"])))
    # Guan asymptotes
    for rid, veg in (("GUAN2016_robinia", "robinia"), ("GUAN2016_poplar", "poplar"), ("GUAN2016_conifer", "conifer")):
        out.append((f"{veg}: asymptote vs Guan 2016", f"{rec[rid]['value']:g}", f"{result.params[veg][0]:.1f}",
                    verdict(abs(result.params[veg][0] / rec[rid]["value"] - 1) < 0.25)))
    # rainfall multiplier
    for x, y in zip(rain["_points"], rain["_fitted"]):
        out.append((f"rainfall: P. tabuliformis biomass C at {x[0]:g} mm", f"{x[1]:g}", f"{y:.2f}",
                    verdict(abs(y - x[1]) < 0.01)))
    # SOC
    soc = result.soc
    out.append(("SOC: Li 2014 shrub closure, f_shrub*S_pre - S_0 - gain", "0", f"{soc['shrub_closure']:.3f}",
                verdict(abs(soc["shrub_closure"]) < 0.1)))
    for cls, forest_like in (("grass", False), ("shrub", True), ("tree", True)):
        mean15 = soc["gain"][cls] / soc["years"]
        initial = soc["gain_eq"] / soc["tau"][cls]
        for rid in (("SL2006_forest", "YUAN2016_forest") if forest_like else ("SL2006_grass", "YUAN2016_grass")):
            lo, hi = rec[rid]["value_low"], rec[rid]["value_high"]
            out.append((f"SOC {cls}: mean rate 0-15 yr vs {rid}", f"{lo:g}-{hi:g}", f"{mean15:.2f}",
                        verdict(lo <= mean15 <= hi)))
        if forest_like:
            out.append((f"SOC {cls}: initial rate gain_eq/tau vs BAIER2022_forest (topsoiled)",
                        f"{rec['BAIER2022_forest']['value']:g}", f"{initial:.2f}", "info"))
    return out


def report(result: FitResult, records: list[dict]) -> str:
    lines = []
    r = result.rain
    lines.append(f"Rainfall multiplier (Sun et al. 2017): g(P) = {r['a_t_c_per_ha']:.3f}"
                 f"*(1 - exp(-(P - {r['p0_mm']:.2f})"
                 f"/{r['scale_mm']:.2f})), f = g/g({r['ref_rainfall_mm']:g}), clipped to "
                 f"{r['min_rainfall_mm']:g}-{r['max_rainfall_mm']:g} mm")
    ps = [300, 372, 430, 519, 600, 632, 1000]
    lines.append("  f(P): " + ", ".join(f"{p} mm {float(rainfall_growth_multiplier(p, r)):.3f}" for p in ps))
    lines.append("")
    lines.append("Fitted growth (total biomass C at the reference rainfall) and SOC")
    lines.append(f"{'veg_type':<21}{'C_max':>8}{'k':>9}{'m':>8}{'t_infl':>8}{'C(10)':>8}{'C(20)':>8}{'C(40)':>8}"
                 f"{'SOCeq':>8}{'tau':>7}{'n':>3}{'rmse':>7}{'maxres':>8} conf")
    for row in result.rows:
        c_max, k, m = result.params[row["veg_type"]]
        c = chapman_richards(np.array([10.0, 20.0, 40.0]), c_max, k, m)
        rm = "" if row["rmse_t_c_per_ha"] is None else f"{row['rmse_t_c_per_ha']:.2f}"
        mx = "" if row["max_abs_residual"] is None else f"{row['max_abs_residual']:.2f}"
        lines.append(f"{row['veg_type']:<21}{c_max:8.2f}{k:9.4f}{m:8.3f}"
                     f"{float(chapman_richards_inflection_yr(k, m)):8.1f}"
                     f"{c[0]:8.2f}{c[1]:8.2f}{c[2]:8.2f}{row['soc_gain_eq_t_c_per_ha']:8.2f}{row['soc_tau_yr']:7.1f}"
                     f"{row['n_points']:3d}{rm:>7}{mx:>8} {row['confidence']}")
    lines.append("")
    lines.append("Residuals of fitted data (observed converted to total biomass C at the datum's site; "
                 "fitted = curve x site rainfall multiplier)")
    lines.append(f"{'record_id':<22}{'veg_type':<17}{'kind':<13}{'age':>6}{'observed':>10}{'fitted':>10}"
                 f"{'resid':>9}{'rel':>8}  unit")
    for veg in VEG_TYPES:
        c_max, k, m = result.params[veg]
        for t in result.targets[veg]:
            fit = t.model(c_max, k, m)
            age = "" if t.age_yr is None else f"{t.age_yr:g}"
            if t.kind == "pooled_stock":
                age = f"{t.age_min_yr:g}-{t.age_max_yr:g}"
            lines.append(f"{t.record_id:<22}{veg:<17}{t.kind:<13}{age:>6}{t.observed:10.3f}{fit:10.3f}"
                         f"{fit - t.observed:9.3f}{(fit - t.observed) / t.observed:8.1%}  {t.unit}")
        if SPECS[veg][1] is not None and SPECS[veg][0] == "fit":
            k0, m0 = result.params[SPECS[veg][1]][1:]
            lines.append(f"{'  shape prior':<22}{veg:<17}{'k, m':<13}{'':>6}{'':>10}{'':>10}{'':>9}{'':>8}"
                         f"  k {k:.4f} vs {k0:.4f}, m {m:.3f} vs {m0:.3f} (sigma_ln {SHAPE_PRIOR_SIGMA_LN})")
    lines.append("")
    s = result.soc
    lines.append(f"SOC (Li et al. 2014, Heidaigou, 0-100 cm): S_pre {s['s_pre']:.2f}, S_0 {s['s_0']:.2f}, "
                 f"gain_eq {s['gain_eq']:.2f} t C/ha; tau: " +
                 ", ".join(f"{c} {s['tau'][c]:.1f} yr (15-yr gain {s['gain'][c]:.2f})" for c in s["tau"]))
    lines.append("")
    lines.append("Checks against published figures")
    for name, pub, model, v in _checks(result, records):
        lines.append(f"  {v:<8}{name:<70} published {pub:<20} model {model}")
    return "\n".join(lines)


def hand_entered_rows_text() -> str:
    """Rows of the shipped vegetation_growth.csv this script does not fit (e.g. ``cropland``,
    docs/science.md §2.3), kept as they are below the fitted rows."""
    if not GROWTH_CSV.is_file():
        return ""
    lines = GROWTH_CSV.read_text(encoding="utf-8").splitlines(keepends=True)
    rows = list(csv.reader(lines))
    return "".join(line for line, r in zip(lines[1:], rows[1:]) if r and r[0] not in VEG_TYPES)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dry-run", action="store_true", help="fit and print, do not write the CSVs")
    args = ap.parse_args(argv)
    records = read_chronosequences()
    result = fit_all(records)
    if not args.dry_run:
        RAINFALL_CSV.write_text(rainfall_csv_text(result), encoding="utf-8")
        GROWTH_CSV.write_text(growth_csv_text(result) + hand_entered_rows_text(), encoding="utf-8")
    print(report(result, records))
    return 0


if __name__ == "__main__":
    sys.exit(main())
