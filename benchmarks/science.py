"""The science scorecard (issue 10, item 9): the model against published field stocks.

    python -m benchmarks.science                                   # print the headline and the cells
    python -m benchmarks.science --markdown benchmarks/SCIENCE.md  # also write the full scorecard
    python -m benchmarks.science --quick                           # CI: no refits (today: the same rows)

Every row of ``benchmarks/data/field_carbon.csv`` (described in ``benchmarks/data/README.md``) is
sorted into one of three classes:

1. **unusable** — not a stock the model can be held to: see :func:`usability` for the rule and
   its reasons, in order;
2. **usable but not representable** — a stock at a stated age, but today's model has no climate
   class or vegetation type for it (:func:`model_case`): a finding, not an error;
3. **predicted** — a one-zone site is built to match the row (:func:`row_site`) and run through
   :func:`optimizer.options.simulate.simulate`; the model's stock at the row's age and pool is
   compared with the observation: ratio = predicted / observed.

Targets (issue 10), on the rows predicted out of sample: at least 2/3 within a factor of 1.5, none
beyond a factor of 4, and no vegetation type × climate class cell whose median ratio is more than
30 % off 1.

Leave-one-study-out: every prediction goes through a *predictor* ``predict(row, fitted_without=
study_id)``. Today's model (:func:`predict`) is not fitted to these rows, so it ignores
``fitted_without``; a row whose study the catalog's own fit already uses
(``optimizer/catalog/chronosequences.csv``) is marked ``in_sample`` and kept out of the headline.
A refit plugs in a predictor that refits without the study (full mode) and the same loop runs.
"""

from __future__ import annotations

import argparse
import functools
import math
import re
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
FIELD = HERE / "data" / "field_carbon.csv"
COMMAND = "python -m benchmarks.science --markdown benchmarks/SCIENCE.md --validation-json"
#: Where the reports read the scorecard from (``--validation-json``): the out-of-sample headline and
#: the cells by vegetation type × the model's climate class (optimizer/report/sections/validation.py).
VALIDATION_JSON = HERE.parent / "optimizer" / "report" / "field_validation.json"

WITHIN = 1.5            # issue 10: at least 2/3 of usable stock rows within this factor
BEYOND = 4.0            # issue 10: none beyond this factor without a written reason
CELL_BIAS = 0.30        # issue 10: no type × climate cell with |median ratio − 1| above this
SHARE_TARGET = 2 / 3

# --- 1. usability ------------------------------------------------------------------------------

#: Notes that say the carbon measured may include coal (geogenic) carbon.
COAL = re.compile(r"geogenic|lignite|coal-derived|total soil c|minestone|coal c not stated as removed", re.I)
#: Units or notes that say the value is only part of a pool.
PART_POOL = re.compile(r"trunks only|in stems", re.I)
#: A bound, not a measurement.
BOUND = re.compile(r"[<>]\s*\d")

#: Rows whose basis differs from their ``pool`` label, read from their notes: (study, pool) →
#: (quantity compared, reason). Quantities: biomass (total living biomass C), agb (above-ground),
#: soc (SOC stock), soc_gain (SOC formed since the works), ecosystem, ecosystem_gain.
BASIS = {
    ("SOKFJ2017", "agb"): ("biomass", "stand volume × 0.344 includes a root factor (1 + 0.25): total tree C"),
    ("KARU2009", "ecosystem"): ("ecosystem_gain", "C accumulated since afforestation (vegetation, forest floor, "
                                                  "A horizon): a gain, not a stock"),
    ("KARU2009", "soc"): ("soc_gain", "recently formed SOC = share × accumulated C: the SOC gain since planting"),
}
POOL_QUANTITY = {"biomass_total": "biomass", "agb": "agb", "soc": "soc", "ecosystem": "ecosystem"}

#: Written reasons for rows the model misses by more than ``BEYOND`` (issue 10: "none beyond a
#: factor of 4 without a written reason"): (study, row) → why the model cannot be expected to meet
#: the row, with the evidence. A reason is attached to one row: a row beyond ×4 that is not listed
#: here counts against the target, and a listed row that is no longer beyond ×4 is reported as such.
BEYOND_REASONS = {
    ("AHIR2018", 7): "SOC formed in the first 3 years on raw overburden (0.75 Mg C/ha in 0–15 cm): "
                     "an onset lag: the same study measures 7.6 at 15 yr, so accrual starts late and then "
                     "runs fast; three onset variants of the model predicted other studies worse (SCIENCE.md notes)",
    ("KARU2009", 42): "SOC formed in the A horizon in the first 15 years under pine on oil-shale spoil "
                      "(0.39 Mg C/ha, a share of the accumulated carbon): the same onset lag; the same "
                      "study's 37-yr A horizon holds 30.7",
}


def load_field(path: Path = FIELD) -> pd.DataFrame:
    """The field rows, with ``row`` = 1-based data row of the CSV (its line number minus one)."""
    df = pd.read_csv(path)
    df.insert(0, "row", np.arange(1, len(df) + 1))
    return df


def parse_age(text) -> float | None:
    """A single number of years, or None (ranges "22-32", "n.r.", "~21 (implied)", blanks)."""
    try:
        v = float(str(text).strip())
    except ValueError:
        return None
    return v if math.isfinite(v) and v >= 0 else None


def usability(field: pd.DataFrame) -> pd.DataFrame:
    """``field`` with ``usable`` (bool), ``reason`` (why not, or the basis note), ``quantity`` and
    ``age`` (float). The rule, first failing test wins:

    1. a converted value in Mg C/ha exists (not percentages, ratios, per-tree values, g/kg without
       bulk density);
    2. a stock: the unit holds no ``/yr`` (a rate) and no ``gain`` (a change over a period);
    3. a measurement, not a bound (``>30,000``, ``>102``);
    4. the age is a single number of years (not a range, "n.r." or an implied age);
    5. a pool the model has: biomass (total or above-ground), SOC or ecosystem — not litter, and
       not a part of a pool (stems, trunks);
    6. no coal carbon: not a row whose notes say the carbon may be geogenic (coal, lignite,
       minestone, total soil C, coal C not removed), nor another row of the same study on the same
       substrate (the same plots);
    7. one site: not a pooled review or meta-analysis row.
    """
    df = field.copy()
    unit = df["unit"].fillna("").astype(str)
    notes = df["notes"].fillna("").astype(str)
    text = unit + " " + notes
    coal_row = text.str.contains(COAL)
    coal_plots = set(zip(df.loc[coal_row, "study_id"], df.loc[coal_row, "substrate"]))
    ages, usable, reasons, quantities = [], [], [], []
    for i, r in df.iterrows():
        age = parse_age(r["age_yr"])
        basis = BASIS.get((r["study_id"], r["pool"]))
        quantity = basis[0] if basis else POOL_QUANTITY.get(r["pool"], "")
        why = ""
        if not np.isfinite(pd.to_numeric(r["value_mg_c_per_ha"], errors="coerce")):
            why = "no carbon value in Mg C/ha (percentage, ratio, per-tree or concentration without bulk density)"
        elif "/yr" in unit[i]:
            why = "a rate, not a stock"
        elif "gain" in unit[i].lower():
            why = "a stock change over a period, not a stock"
        elif BOUND.search(unit[i]):
            why = "a bound, not a measurement"
        elif age is None:
            why = "age not a single number of years (a range, not reported, or implied)"
        elif PART_POOL.search(text[i]):
            why = "part of a pool only (stems or trunks)"
        elif not quantity:
            why = f"pool {r['pool']!r} is not modelled"
        elif coal_row[i]:
            why = "may include coal carbon (notes)"
        elif (r["study_id"], r["substrate"]) in coal_plots:
            why = "may include coal carbon (same plots as a row whose notes say so)"
        elif r["climate_class"] == "pooled" or r["vegetation_type"] == "all_types":
            why = "a pooled review or meta-analysis, not a site"
        ages.append(age)
        usable.append(why == "")
        reasons.append(why or (basis[1] if basis else ""))
        quantities.append(quantity)
    df["age"] = ages
    df["usable"] = usable
    df["reason"] = reasons
    df["quantity"] = quantities
    return df


# --- 2. the model's case for a row ---------------------------------------------------------------

TOPSOIL_CM = 30.0       # cover soil of a "topsoil-covered" row: the catalog's topsoil_30 depth (depth not read) [P]
NATIVE_SOIL_CM = 100.0  # soil left in place (subsidence or sandy land not stripped) [P]
MAINTAINED = ("grassland", "grass_legume")   # field pastures and hay meadows are managed: + grass_maintenance
HORIZON_YR = 40         # simulated years (more for an older row): rows of one site share one run
#: Depth of a soil row whose depth the text read does not state, or an "A horizon" on young spoil [cm].
UNSTATED_DEPTH_CM = 30.0
A_HORIZON_CM = 10.0
#: A study's own measurement of the soil at the start is a site input, like its rainfall: a planner
#: measures it (docs/science.md §2.3). Those rows are inputs, not predictions. (study, age) → reason.
SITE_INPUT_ROWS = {
    ("ROSEBUD2003", 0.0): "respread topsoil at year 0, 0–15 cm: 22.9 Mg C/ha = 10.9 g C/kg at 1.4 t/m³",
    ("SHUKLA2004", 1.0): "topsoil at year 1, 0–15 cm: 1.9 g C/kg",
}


def depth_of(row) -> float:
    """The row's soil depth [cm]: the bottom of ``0-15`` etc.; A horizon 10 cm; unstated 30 cm."""
    text = str(row.get("depth_cm", "")).strip().lower()
    m = re.fullmatch(r"0\s*-\s*(\d+(?:\.\d+)?)", text)
    if m:
        return float(m.group(1))
    if text.startswith("a "):
        return A_HORIZON_CM
    return UNSTATED_DEPTH_CM


def soil_cm_of(row) -> float:
    """Soil over the spoil at the start [cm], from the row's substrate."""
    substrate = str(row.get("substrate", "")).lower()
    if "topsoil" in substrate or "constructed soil" in substrate:
        return TOPSOIL_CM
    if "sandy land" in substrate:
        return NATIVE_SOIL_CM
    return 0.0


def site_input_soc(study: str) -> float:
    """A study's measured SOC concentration at the start [g C/kg], or nan."""
    field = _field_for_inputs()
    for (sid, age), _ in SITE_INPUT_ROWS.items():
        if sid != study:
            continue
        r = field[(field["study_id"] == sid) & (field["age"] == age) & (field["pool"] == "soc")].iloc[0]
        return float(r["value_mg_c_per_ha"]) * 10.0 / (1.4 * depth_of(r))
    return float("nan")


@functools.lru_cache(maxsize=1)
def _field_for_inputs() -> pd.DataFrame:
    return usability(load_field())


@dataclass(frozen=True)
class Case:
    """How the model represents a field row: a one-zone site and one option, or why it cannot."""

    option_id: str = ""
    climate: str = ""
    rainfall_mm: float = float("nan")
    temperature_c: float = float("nan")
    soil_depth_cm: float = 0.0
    soc_depth_cm: float = UNSTATED_DEPTH_CM
    soil_soc_g_per_kg: float = float("nan")     # nan: the fit's default
    reason: str = ""           # non-empty: not representable


@functools.lru_cache(maxsize=1)
def _catalog():
    from optimizer.catalog import load_catalog
    return load_catalog()


def model_case(row) -> Case:
    """The settings, zone and option of the model that match ``row``, or why none does."""
    from optimizer.models import climate

    cat = _catalog()
    veg = str(row["vegetation_type"])
    veg_measures = cat.measures.loc[cat.measures["group"] == "vegetation", "vegetation_type"]
    if veg not in set(veg_measures):
        return Case(reason=f"no vegetation type {veg!r} in the catalog")
    rain = pd.to_numeric(row.get("map_mm"), errors="coerce")
    temp = pd.to_numeric(row.get("mat_c"), errors="coerce")
    if not (np.isfinite(rain) and np.isfinite(temp)):
        return Case(reason="no rainfall or temperature given")
    option = veg + ("+grass_maintenance" if veg in MAINTAINED else "")
    return Case(option_id=option, climate=climate.climate_class(float(rain), float(temp)), rainfall_mm=float(rain),
                temperature_c=float(temp), soil_depth_cm=soil_cm_of(row), soc_depth_cm=depth_of(row),
                soil_soc_g_per_kg=site_input_soc(str(row["study_id"])))


def row_site(case: Case, soil_defaults: tuple[float, float] | None = None):
    """A one-zone site (1 ha flat platform of mining land, as ``tests/conftest.py``'s ``make_site``)
    with the case's climate, soil and SOC depth; ``soil_defaults`` (soil, spoil g C/kg) from a fit."""
    from optimizer.settings import resolve_settings
    from optimizer.site import Site

    zones = pd.DataFrame([dict(zone_id="FIELD", zone_type="platform", slope_deg=2.0, slope_length_m=40.0,
                               soil_depth_cm=case.soil_depth_cm, burning="none", water_depth_m=np.nan,
                               contaminated=False, land_designation="mining_land", area_ha=1.0)])
    zones["burning"] = pd.Categorical(zones["burning"], categories=("none", "low", "medium", "high"))
    overrides = {"annual_rainfall_mm": case.rainfall_mm, "mean_temperature_c": case.temperature_c,
                 "soc_depth_cm": case.soc_depth_cm}
    if soil_defaults is not None:
        overrides["soil_soc_g_per_kg"], overrides["spoil_soc_g_per_kg"] = soil_defaults
    if np.isfinite(case.soil_soc_g_per_kg):
        overrides["soil_soc_g_per_kg"] = case.soil_soc_g_per_kg
    settings = resolve_settings(overrides=overrides)
    return Site(zones=zones, settings=settings, path="field row", sha256="")


class NotRepresentable(Exception):
    """The model has no case for the row (the message says why)."""


def _trajectory(case: Case, years: int, model: Model) -> pd.DataFrame:
    """The simulated trajectory of a case over ``years`` with ``model`` (a fitted catalog)."""
    from optimizer.errors import SinkPlanError
    from optimizer.options.simulate import simulate

    try:
        return simulate(row_site(case, model.soil_defaults), {"FIELD": case.option_id}, years=years,
                        catalog=model.catalog)
    except SinkPlanError as exc:        # the catalog does not offer the option in this climate
        raise NotRepresentable(f"the catalog does not offer {case.option_id!r} in {case.climate}") from exc


@dataclass(frozen=True)
class Model:
    """A catalog with the growth table of one fit, and that fit's soil defaults."""

    catalog: object
    soil_defaults: tuple[float, float] | None
    studies: frozenset[str]            # the studies the fit saw


@functools.lru_cache(maxsize=1)
def shipped_model() -> Model:
    """The catalog as shipped (its growth table is the fit to every study)."""
    from benchmarks import growth_fit

    return Model(catalog=_catalog(), soil_defaults=None, studies=frozenset(training_points()["study_id"])
                 | frozenset(growth_fit.catalog_points()["study_id"]))


@functools.lru_cache(maxsize=64)
def model_without(study: str) -> Model:
    """The model refitted without one study (leave-one-study-out)."""
    from dataclasses import replace as dc_replace

    from benchmarks import growth_fit

    pts = all_points()
    f = fit_points(pts[pts["study_id"] != study])
    growth = growth_fit.table(f).set_index(["veg_type", "climate"])
    cat = dc_replace(_catalog(), growth=growth)
    return Model(catalog=cat, soil_defaults=(f.global_value("c_soil"), f.global_value("c_spoil")),
                 studies=frozenset(pts["study_id"]) - {study})


def training_points(field: pd.DataFrame | None = None) -> pd.DataFrame:
    """The usable field rows the model can represent, as points of the growth fit
    (:mod:`benchmarks.growth_fit`); rows that are site inputs are left out."""
    from benchmarks import growth_fit

    df = usability(load_field() if field is None else field)
    rows = []
    for _, r in df[df["usable"]].iterrows():
        case = model_case(r)
        if case.reason or (r["study_id"], r["age"]) in SITE_INPUT_ROWS:
            continue
        rows.append(dict(study_id=r["study_id"], point=f"field row {r['row']}", veg_type=r["vegetation_type"],
                         map_mm=case.rainfall_mm, mat_c=case.temperature_c, soil_cm=case.soil_depth_cm,
                         soc0_g_per_kg=case.soil_soc_g_per_kg, age_yr=float(r["age"]), quantity=r["quantity"],
                         depth_cm=case.soc_depth_cm if r["quantity"] in ("soc", "soc_gain", "ecosystem",
                                                                         "ecosystem_gain") else float("nan"),
                         value=float(r["value_mg_c_per_ha"]),
                         sigma=growth_fit.SIGMA_BY_CONFIDENCE.get(str(r["confidence"]), 0.5), reading=r["reason"]))
    return pd.DataFrame(rows)


@functools.lru_cache(maxsize=1)
def all_points() -> pd.DataFrame:
    """Every training point: the catalog's records and the field rows."""
    from benchmarks import growth_fit

    return pd.concat([growth_fit.catalog_points(), training_points()], ignore_index=True)


def fit_points(points: pd.DataFrame):
    """The growth fit of ``points`` with the catalog's cover-soil multiplier."""
    from benchmarks import growth_fit
    from optimizer.models import carbon

    cat = _catalog()
    return growth_fit.fit(points, lambda soil: carbon.cover_depth_multiplier(
        soil, cat.param("cover_depth_full_cm"), cat.param("cover_depth_min_multiplier")))


@dataclass(frozen=True)
class Prediction:
    """The model's value for a field row [Mg C/ha], or why it has none."""

    predicted: float = float("nan")
    option_id: str = ""
    climate: str = ""
    model_soc_depth_cm: float = float("nan")
    in_sample: bool = False
    reason: str = ""            # non-empty: not representable


def predict(row, fitted_without: str | None = None) -> Prediction:
    """The model at the row's age and pool. With ``fitted_without`` (a study id) the growth table is
    refitted without that study first (leave-one-study-out); without it the shipped table is used
    and a row whose study the fit saw is flagged ``in_sample``."""
    case = model_case(row)
    if case.reason:
        return Prediction(reason=case.reason)
    if (row["study_id"], row["age"]) in SITE_INPUT_ROWS:
        return Prediction(reason="site input: " + SITE_INPUT_ROWS[(row["study_id"], row["age"])])
    model = model_without(str(fitted_without)) if fitted_without else shipped_model()
    age = float(row["age"])
    try:
        traj = _trajectory(case, max(HORIZON_YR, math.ceil(age)), model)
    except NotRepresentable as exc:
        return Prediction(reason=str(exc))
    years = traj["year"].to_numpy(dtype=float)

    def at(col: str, t: float = age) -> float:
        return float(np.interp(t, years, traj[col].to_numpy(dtype=float)))

    q = row["quantity"]
    if q == "biomass":
        value = at("biomass_c_t_per_ha")
    elif q == "agb":        # the curves are total biomass; above-ground by the catalog's root:shoot
        root_shoot = float(model.catalog.growth_for(case.climate).at[row["vegetation_type"], "root_shoot"])
        value = at("biomass_c_t_per_ha") / (1.0 + root_shoot)
    elif q in ("soc", "ecosystem"):
        value = at(f"{q}_c_t_per_ha")
    elif q in ("soc_gain", "ecosystem_gain"):
        col = f"{q.removesuffix('_gain')}_c_t_per_ha"
        value = at(col) - at(col, 0.0)
    else:
        raise ValueError(f"unknown quantity {q!r}")
    return Prediction(predicted=value, option_id=case.option_id, climate=case.climate,
                      model_soc_depth_cm=float(traj["soc_depth_cm"].iloc[0]),
                      in_sample=not fitted_without and str(row["study_id"]) in model.studies)


Predictor = Callable[..., Prediction]


# --- 3. the scorecard --------------------------------------------------------------------------

def score(field: pd.DataFrame | None = None, predictor: Predictor = predict, *,
          leave_one_study_out: bool = True) -> pd.DataFrame:
    """Every field row with its usability, the model's prediction and the ratio predicted/observed.

    ``status``: ``unusable``, ``not representable``, ``in sample`` or ``predicted`` (the rows the
    targets are measured on). With ``leave_one_study_out`` each row is predicted by
    ``predictor(row, fitted_without=row.study_id)``, otherwise with ``fitted_without=None``."""
    df = usability(load_field() if field is None else field)
    preds = []
    for _, r in df.iterrows():
        if not r["usable"]:
            preds.append(Prediction())
            continue
        preds.append(predictor(r, fitted_without=r["study_id"] if leave_one_study_out else None))
    p = pd.DataFrame([asdict(x) for x in preds], index=df.index)
    df = df.join(p.rename(columns={"reason": "model_reason"}))
    observed = pd.to_numeric(df["value_mg_c_per_ha"], errors="coerce")
    df["observed"] = observed
    df["ratio"] = np.where(df["usable"] & (df["model_reason"] == "") & (observed > 0),
                           df["predicted"] / observed.where(observed > 0), np.nan)
    df["status"] = np.select(
        [~df["usable"], df["model_reason"].str.startswith("site input"), df["model_reason"] != "", df["in_sample"]],
        ["unusable", "site input", "not representable", "in sample"], "predicted")
    return df


def _factor(ratio: pd.Series) -> pd.Series:
    """max(r, 1/r): how many times off, either way."""
    r = ratio.astype(float)
    return np.maximum(r, 1.0 / r)


def cells(scored: pd.DataFrame, by=("vegetation_type", "climate_class")) -> pd.DataFrame:
    """Per cell of the ``predicted`` rows: n, median ratio, bias (median − 1), share within ×1.5,
    rows beyond ×4, the smallest and largest ratio."""
    s = scored[scored["status"] == "predicted"].copy()
    if s.empty:
        return pd.DataFrame(columns=[*by, "n", "median_ratio", "bias", "within_1_5", "beyond_4", "min_ratio",
                                     "max_ratio"])
    s["f"] = _factor(s["ratio"])
    g = s.groupby(list(by), sort=True)
    out = g.agg(n=("ratio", "size"), median_ratio=("ratio", "median"), min_ratio=("ratio", "min"),
                max_ratio=("ratio", "max"))
    out["within_1_5"] = g["f"].apply(lambda f: float((f <= WITHIN).mean()))
    out["beyond_4"] = g["f"].apply(lambda f: int((f > BEYOND).sum()))
    out["bias"] = out["median_ratio"] - 1.0
    return out.reset_index()[[*by, "n", "median_ratio", "bias", "within_1_5", "beyond_4", "min_ratio", "max_ratio"]]


def headline(scored: pd.DataFrame) -> dict:
    """The scorecard's numbers: counts by status, and on the ``predicted`` rows the share within
    ×1.5, the rows beyond ×4 and the worst cell's |bias| (with the targets)."""
    st = scored["status"].value_counts()
    p = scored[scored["status"] == "predicted"]
    f = _factor(p["ratio"])
    beyond = p[f > BEYOND]
    unexplained = [int(r) for st_, r in zip(beyond["study_id"], beyond["row"]) if (st_, int(r)) not in BEYOND_REASONS]
    c = cells(scored)
    worst = c.loc[c["bias"].abs().idxmax()] if len(c) else None
    return {
        "field_rows": int(len(scored)),
        "usable_rows": int(scored["usable"].sum()),
        "not_representable": int(st.get("not representable", 0)),
        "in_sample": int(st.get("in sample", 0)),
        "site_input": int(st.get("site input", 0)),
        "predicted": int(len(p)),
        "share_within_1_5": float((f <= WITHIN).mean()) if len(p) else float("nan"),
        "within_1_5": int((f <= WITHIN).sum()),
        "beyond_4": int((f > BEYOND).sum()),
        "beyond_4_unexplained": len(unexplained),
        "beyond_4_unexplained_rows": unexplained,
        "median_ratio": float(p["ratio"].median()) if len(p) else float("nan"),
        "worst_cell": (f"{worst['vegetation_type']} × {worst['climate_class']}" if worst is not None else ""),
        "worst_cell_bias": float(abs(worst["bias"])) if worst is not None else float("nan"),
        "targets": {"share_within_1_5": f">= {SHARE_TARGET:.3f}", "beyond_4_unexplained": "<= 0",
                    "worst_cell_bias": f"<= {CELL_BIAS}"},
    }


def validation_summary(scored: pd.DataFrame) -> dict:
    """What a plan's report says about the carbon model against field data: the headline and, per
    vegetation type × the model's climate class (the class a site is planned in), the predicted
    rows' count, median ratio, share within ×1.5 and range; also per type over every class."""
    h = headline(scored)
    p = scored[scored["status"] == "predicted"]

    def rows(by) -> list[dict]:
        c = cells(p.assign(climate_class=p["climate"]), by=by)
        return [{**{k: str(r[k]) for k in by}, "n": int(r["n"]), "median_ratio": round(float(r["median_ratio"]), 4),
                 "within_1_5": round(float(r["within_1_5"]), 4), "beyond_4": int(r["beyond_4"]),
                 "min_ratio": round(float(r["min_ratio"]), 4), "max_ratio": round(float(r["max_ratio"]), 4)}
                for _, r in c.iterrows()]

    return {"command": COMMAND, "leave_one_study_out": not bool(scored["status"].eq("in sample").any()),
            "predicted": h["predicted"], "studies": int(p["study_id"].nunique()),
            "within_1_5": h["within_1_5"],
            "share_within_1_5": round(h["share_within_1_5"], 4), "beyond_4": h["beyond_4"],
            "median_ratio": round(h["median_ratio"], 4), "target_share_within_1_5": round(SHARE_TARGET, 4),
            "cells": rows(("vegetation_type", "climate_class")), "types": rows(("vegetation_type",))}


def main(argv=None) -> int:
    from .science_report import markdown

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="predict from the shipped fit, no leave-one-study-out refits")
    ap.add_argument("--markdown", default="", help="write the full scorecard as Markdown to this file")
    ap.add_argument("--validation-json", nargs="?", const=str(VALIDATION_JSON), default="",
                    help="write the summary the plan reports show (default path: the package's "
                         "optimizer/report/field_validation.json); refused with --quick")
    args = ap.parse_args(argv)
    if args.quick and args.validation_json:
        ap.error("--validation-json needs the leave-one-study-out run (without --quick)")
    scored = score(leave_one_study_out=not args.quick)
    h = headline(scored)
    for k, v in h.items():
        if k != "targets":
            print(f"{k}: {v:.3f}" if isinstance(v, float) else f"{k}: {v}")
    print(cells(scored).to_string(index=False, float_format=lambda x: f"{x:.3g}"))
    if args.markdown:
        Path(args.markdown).write_text(markdown(scored, quick=args.quick), encoding="utf-8")
    if args.validation_json:
        import json
        Path(args.validation_json).write_text(json.dumps(validation_summary(scored), indent=1, ensure_ascii=False)
                                              + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
