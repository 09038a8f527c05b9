"""The science scorecard (benchmarks/science.py): which field rows are usable, a representable row
gets the model's value, and the summary arithmetic, on hand-made rows."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from benchmarks import science as S

BASE = dict(study_id="X2020", country="Nowhere", map_mm=360.0, mat_c=7.0, substrate="dump", vegetation_type="conifer",
            species="", age_yr="15", pool="soc", depth_cm="0-80", value=45.0, unit="t C/ha", value_mg_c_per_ha=45.0,
            notes="abstract", confidence="B", climate_class="semi_arid")


def rows(*changes) -> pd.DataFrame:
    df = pd.DataFrame([{**BASE, **c} for c in changes])
    df.insert(0, "row", np.arange(1, len(df) + 1))
    return df


def test_usability_rule_and_its_reasons():
    df = S.usability(rows(
        {},                                                                   # 1 a stock at an age: usable
        {"value_mg_c_per_ha": np.nan, "unit": "% of reference"},              # 2 no carbon value
        {"unit": "Mg C/ha/yr"},                                               # 3 a rate
        {"unit": "Mg C/ha gain over 25 yr"},                                  # 4 a gain
        {"unit": "Mg C/ha (>102; AGB + soil)"},                               # 5 a bound
        {"age_yr": "22-32"}, {"age_yr": "n.r."}, {"age_yr": "~21 (implied)"},  # 6-8 no single age
        {"pool": "agb", "unit": "Mg C/ha (tree trunks only)"},                # 9 part of a pool
        {"pool": "litter"},                                                   # 10 no such pool
        {"study_id": "C", "substrate": "spoil", "notes": "mostly GEOGENIC (lignite) carbon"},   # 11 coal
        {"study_id": "C", "substrate": "spoil"},                              # 12 same plots as 11
        {"study_id": "C", "substrate": "topsoil-covered"},                    # 13 other plots: usable
        {"climate_class": "pooled"},                                          # 14 a review
        {"study_id": "SOKFJ2017", "pool": "agb"},                             # 15 read as total biomass
    ))
    assert df["usable"].tolist() == [True] + [False] * 11 + [True, False, True]
    why = dict(zip(df["row"], df["reason"]))
    assert "no carbon value" in why[2] and "rate" in why[3] and "change over a period" in why[4]
    assert "bound" in why[5] and all("age not a single number" in why[r] for r in (6, 7, 8))
    assert "part of a pool" in why[9] and "not modelled" in why[10]
    assert why[11] == "may include coal carbon (notes)" and "same plots" in why[12]
    assert "pooled" in why[14]
    assert df.loc[df["row"] == 15, "quantity"].item() == "biomass" and "root" in why[15]
    assert df.loc[df["row"] == 1, "age"].item() == 15.0


def test_a_representable_row_gets_the_models_stock():
    """Conifer on a semi-arid dump, SOC at 15 yr: SOC_0 + gain·(1 − e^(−15/τ)), by hand 14.95 t C/ha."""
    row = S.usability(rows({})).iloc[0]
    p = S.predict(row, fitted_without="X2020")
    assert p.reason == "" and math.isfinite(p.predicted)
    assert (p.option_id, p.climate, p.climate_match) == ("conifer", "temperate_semiarid", "exact")
    assert p.predicted == pytest.approx(8.0 + 32.5099 * (1 - math.exp(-15 / 62.365)), rel=1e-5)
    assert p.model_soc_depth_cm == 100.0 and not p.in_sample
    # the same row as an ecosystem gain since planting: biomass + SOC − SOC_0
    gain = S.predict(row.copy().replace({"quantity": "ecosystem_gain"}))
    soc_gain = p.predicted - 8.0
    assert gain.predicted > soc_gain > 0


def test_rows_the_model_cannot_represent_say_why():
    df = S.usability(rows({"climate_class": "humid_tropical", "map_mm": 1300.0},
                          {"vegetation_type": "eucalyptus_acacia"},
                          {"climate_class": "humid_temperate", "map_mm": 1000.0},       # no conifer in warm_humid
                          {"map_mm": np.nan}))
    why = [S.predict(r).reason for _, r in df.iterrows()]
    assert "no climate class for 'humid_tropical'" in why[0]
    assert "no vegetation type 'eucalyptus_acacia'" in why[1]
    assert "does not offer 'conifer' in warm_humid" in why[2]
    assert "no rainfall" in why[3]


def test_leave_one_study_out_hook_and_in_sample_studies():
    field = rows({}, {"study_id": "Y2021", "age_yr": "0"}, {"age_yr": "n.r."})
    seen = []

    def predictor(row, fitted_without=None):
        seen.append(fitted_without)
        return S.Prediction(predicted=45.0, option_id="conifer", climate="temperate_semiarid", climate_match="exact")

    scored = S.score(field, predictor)
    assert seen == ["X2020", "Y2021"]                       # unusable rows are never predicted
    assert scored["status"].tolist() == ["predicted", "predicted", "unusable"]
    assert scored["ratio"].iloc[:2].tolist() == [1.0, 1.0]
    seen.clear()
    S.score(field, predictor, leave_one_study_out=False)
    assert seen == [None, None]
    assert "LI2014" in S.catalog_fit_studies()             # the catalog's SOC parameters come from Li et al. 2014
    li = S.usability(rows({"study_id": "LI2014", "age_yr": "15"})).iloc[0]
    assert S.predict(li, fitted_without="LI2014").in_sample


def test_summary_arithmetic():
    scored = pd.DataFrame({
        "status": ["predicted"] * 5 + ["in sample", "not representable", "unusable"],
        "usable": [True] * 7 + [False],
        "vegetation_type": ["a", "a", "a", "a", "b", "a", "a", "a"],
        "climate_class": ["dry"] * 5 + ["dry"] * 3,
        "climate_match": ["exact", "exact", "nearest", "nearest", "exact", "exact", "", ""],
        "ratio": [1.0, 1.4, 2.0, 0.2, 0.5, 9.0, np.nan, np.nan],
    })
    c = S.cells(scored).set_index("vegetation_type")
    assert c.loc["a", "n"] == 4 and c.loc["a", "median_ratio"] == pytest.approx(1.2)
    assert c.loc["a", "bias"] == pytest.approx(0.2) and c.loc["a", "within_1_5"] == 0.5
    assert c.loc["a", "beyond_4"] == 1 and c.loc["b", "bias"] == pytest.approx(-0.5)
    h = S.headline(scored)
    assert (h["predicted"], h["in_sample"], h["not_representable"], h["usable_rows"]) == (5, 1, 1, 7)
    assert h["share_within_1_5"] == pytest.approx(2 / 5) and h["beyond_4"] == 1     # 0.2 is 5× off
    assert h["worst_cell"] == "b × dry" and h["worst_cell_bias"] == pytest.approx(0.5)
    assert h["median_ratio"] == pytest.approx(1.0)
    assert h["exact_climate_rows"] == 3 and h["exact_climate_within_1_5"] == pytest.approx(2 / 3)


def test_the_field_data_in_the_repository_and_its_readme():
    field = S.load_field()
    assert len(field) == 92 and field["study_id"].nunique() == 39
    readme = (S.FIELD.parent / "README.md").read_text(encoding="utf-8")
    missing = [c for c in field.columns if c != "row" and f"`{c}`" not in readme]
    assert not missing, f"benchmarks/data/README.md does not describe {missing}"


@pytest.mark.slow
def test_the_scorecard_on_the_field_data_adds_up():
    scored = S.score()
    h = S.headline(scored)
    assert h["predicted"] + h["in_sample"] + h["not_representable"] == h["usable_rows"] > 0
    predicted = scored[scored["status"] == "predicted"]
    assert np.isfinite(predicted["ratio"]).all() and (predicted["ratio"] > 0).all()
