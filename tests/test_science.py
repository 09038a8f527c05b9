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
    """Conifer on a semi-arid dump, SOC 0–80 cm at 15 yr: the model is run on the row's own depth,
    SOC_0 of raw spoil plus the SOC formed since planting, from the shipped fit."""
    from optimizer.models import carbon

    row = S.usability(rows({})).iloc[0]
    p = S.predict(row)
    assert p.reason == "" and math.isfinite(p.predicted)
    assert (p.option_id, p.climate, p.model_soc_depth_cm) == ("conifer", "semi_arid", 80.0)
    assert not p.in_sample                                        # X2020 is not a study the fit saw
    s = S.row_site(S.model_case(row)).settings
    soc_0 = s.spoil_soc_g_per_kg * s.soil_bulk_density_t_per_m3 * 80 / 10
    g = S.shipped_model().catalog.growth.loc[("conifer", "semi_arid")]
    from optimizer.models.climate import productivity_index
    ratio = productivity_index(360.0, 7.0) / productivity_index(g.ref_rainfall_mm, g.ref_temperature_c)
    gain = (g.soc_rate_t_c_per_ha_yr * ratio ** g.beta_soc * g.soc_tau_yr * (1 - math.exp(-15 / g.soc_tau_yr))
            * carbon.soc_depth_scale(80.0))
    assert p.predicted == pytest.approx(soc_0 + gain, rel=0.02)       # a flat platform erodes a little
    assert p.predicted <= soc_0 + gain
    # the same row as an ecosystem gain since planting: biomass + SOC − SOC_0
    eco = S.predict(row.copy().replace({"quantity": "ecosystem_gain"}))
    assert eco.predicted > p.predicted - soc_0 > 0


def test_rows_the_model_cannot_represent_say_why():
    df = S.usability(rows({"vegetation_type": "mangrove"},
                          {"map_mm": 1500.0, "mat_c": 22.0},       # no conifer in the humid subtropics
                          {"map_mm": np.nan}))
    why = [S.predict(r).reason for _, r in df.iterrows()]
    assert "no vegetation type 'mangrove'" in why[0]
    assert "does not offer 'conifer' in humid_subtropical" in why[1]
    assert "no rainfall" in why[2]


def test_leave_one_study_out_refits_without_the_study():
    field = rows({}, {"study_id": "Y2021", "age_yr": "0"}, {"age_yr": "n.r."})
    seen = []

    def predictor(row, fitted_without=None):
        seen.append(fitted_without)
        return S.Prediction(predicted=45.0, option_id="conifer", climate="semi_arid")

    scored = S.score(field, predictor)
    assert seen == ["X2020", "Y2021"]                       # unusable rows are never predicted
    assert scored["status"].tolist() == ["predicted", "predicted", "unusable"]
    assert scored["ratio"].iloc[:2].tolist() == [1.0, 1.0]
    seen.clear()
    S.score(field, predictor, leave_one_study_out=False)
    assert seen == [None, None]
    # the shipped fit saw the Bulianta stands; refitted without them it no longer does, and its
    # prediction of their row changes
    bul = S.usability(S.load_field())
    bul = bul[(bul["study_id"] == "BULIANTA") & bul["usable"]].iloc[0]
    inside, outside = S.predict(bul), S.predict(bul, fitted_without="BULIANTA")
    assert inside.in_sample and not outside.in_sample
    assert "BULIANTA" not in S.model_without("BULIANTA").studies
    assert inside.predicted != pytest.approx(outside.predicted, rel=1e-3)


def test_a_studys_own_start_is_a_site_input():
    field = S.usability(S.load_field())
    start = field[(field["study_id"] == "ROSEBUD2003") & (field["age"] == 0.0)].iloc[0]
    assert S.predict(start).reason.startswith("site input")
    assert S.site_input_soc("ROSEBUD2003") == pytest.approx(22.9 * 10 / (1.4 * 15))
    assert S.score(field.iloc[[32, 33]], leave_one_study_out=False)["status"].tolist()[0] == "site input"


def test_summary_arithmetic():
    scored = pd.DataFrame({
        "status": ["predicted"] * 5 + ["in sample", "not representable", "unusable"],
        "usable": [True] * 7 + [False],
        "vegetation_type": ["a", "a", "a", "a", "b", "a", "a", "a"],
        "climate_class": ["dry"] * 5 + ["dry"] * 3,
        "ratio": [1.0, 1.4, 2.0, 0.2, 0.5, 9.0, np.nan, np.nan],
        "study_id": ["S1", "S1", "S2", "S3", "S4", "S5", "S6", "S7"],
        "row": np.arange(1, 9),
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
    assert h["beyond_4_unexplained"] == 1 and h["beyond_4_unexplained_rows"] == [4]


def test_a_row_beyond_4_counts_against_the_target_unless_its_own_reason_is_written(monkeypatch):
    from benchmarks import science_report as R

    scored = pd.DataFrame({
        "status": ["predicted"] * 3, "usable": [True] * 3, "vegetation_type": ["a"] * 3,
        "climate_class": ["dry"] * 3, "ratio": [5.0, 0.1, 1.0], "study_id": ["S1", "S2", "S3"], "row": [10, 11, 12],
    })
    monkeypatch.setattr(S, "BEYOND_REASONS", {("S1", 10): "why S1", ("S2", 99): "another row", ("S3", 12): "fits"})
    h = S.headline(scored)
    assert h["beyond_4"] == 2 and h["beyond_4_unexplained_rows"] == [11]
    lines = R._beyond(scored)
    assert "- Row 10 (S1, ratio 5): why S1." in lines and "- Row 11 (S2, ratio 0.1): **no written reason**." in lines
    assert any(line.startswith("- Row 12 (S3): a reason is written, but the row is no longer") for line in lines)


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
    assert h["predicted"] + h["in_sample"] + h["not_representable"] + h["site_input"] == h["usable_rows"] > 0
    predicted = scored[scored["status"] == "predicted"]
    assert np.isfinite(predicted["ratio"]).all() and (predicted["ratio"] > 0).all()
