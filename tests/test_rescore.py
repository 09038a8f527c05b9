"""``sinkplan rescore``: an edited plan's numbers come from the site and the model, never from its
stored columns; plans of different zonings are refused with the zones named."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from optimizer.cli import main
from optimizer.rescore import rescore_plan

IDS = ["P-1", "S-1", "S-2", "P-2"]


def _site(folder, ids=IDS):
    gdf = gpd.GeoDataFrame(
        {"zone_id": ids, "zone_type": ["platform", "slope", "slope", "platform"][: len(ids)],
         "slope_deg": [2.0, 22.0, 18.0, 3.0][: len(ids)], "slope_length_m": [40.0, 20.0, 30.0, 40.0][: len(ids)],
         "soil_depth_cm": [10.0, 0.0, 0.0, 20.0][: len(ids)], "owner": ["a", "b", "c", "d"][: len(ids)]},
        geometry=[box(400_000 + 100 * i, 4_370_000, 400_100 + 100 * i, 4_370_100) for i in range(len(ids))],
        crs="EPSG:32649")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "zones.gpkg"
    gdf.to_file(path, engine="pyogrio")
    return path


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    d = tmp_path_factory.mktemp("rescore")
    site = _site(d / "site")
    assert main(["optimize", str(site), "--maximize", "removals", "--out", str(d / "run"), "-q"]) == 0
    return d, site


def test_an_unedited_plan_rescores_to_itself(run):
    d, _ = run
    r = rescore_plan(d / "run" / "plan.csv")
    assert len(r.changes) == 0
    assert "the run's zoning file" in r.site_source


def test_an_edited_option_is_rescored_like_an_independent_run(run, capsys):
    d, site = run
    plan = pd.read_csv(d / "run" / "plan.csv")
    old = plan.set_index("zone_id").at["P-1", "option_id"]
    new_option = "grassland" if old != "grassland" else "shrub"
    plan.loc[plan["zone_id"] == "P-1", "option_id"] = new_option     # what a planner does in Excel or QGIS
    edited = d / "edited.csv"
    plan.to_csv(edited, index=False)
    # an independent computation: a fresh run that locks the zone to the new option
    assert main(["optimize", str(site), "--maximize", "removals", "--lock", f"P-1={new_option}",
                 "--out", str(d / "locked"), "-q"]) == 0
    locked = pd.read_csv(d / "locked" / "plan.csv").set_index("zone_id").loc["P-1"]

    r = rescore_plan(edited, site=site)
    assert list(r.changes["zone_id"]) == ["P-1"]
    row = r.changes.iloc[0]
    for c in ("removals_tco2e", "cost_cny", "capex_cny", "soil_loss_t_per_yr"):
        assert row[c] == pytest.approx(locked[c], rel=1e-9), c
        assert row[f"delta_{c}"] == pytest.approx(locked[c] - plan.set_index("zone_id").at["P-1", c], rel=1e-6)
    # the CLI lists the zone and writes a run folder whose totals are the sum of its rows
    assert main(["rescore", str(edited), "--site", str(site), "--out", str(d / "rescored")]) == 0
    text = capsys.readouterr().out
    assert "1 zone(s) changed" in text and "P-1" in text
    out = pd.read_csv(d / "rescored" / "plan.csv")
    import json
    tot = json.loads((d / "rescored" / "summary.json").read_text())["totals"]
    assert tot["removals_tco2e"] == pytest.approx(out["removals_tco2e"].sum(), rel=1e-9)
    assert (d / "rescored" / "changes.csv").is_file()


def test_stored_numbers_are_never_read(run):
    """Scrambling every stored number changes nothing in the re-scored plan."""
    d, site = run
    plan = pd.read_csv(d / "run" / "plan.csv")
    for c in ("removals_tco2e", "cost_cny", "capex_cny", "credits_tco2e", "soil_loss_t_per_yr"):
        plan[c] = 12345.0
    f = d / "scrambled.csv"
    plan.to_csv(f, index=False)
    r = rescore_plan(f, site=site)
    clean = rescore_plan(d / "run" / "plan.csv", site=site)
    assert r.plan.summary()["totals"] == clean.plan.summary()["totals"]
    assert len(r.changes) == len(plan)


def test_an_option_the_model_cannot_score_is_named(run, capsys):
    d, site = run
    plan = pd.read_csv(d / "run" / "plan.csv")
    plan.loc[plan["zone_id"] == "S-2", "option_id"] = "bogus"
    f = d / "bogus.csv"
    plan.to_csv(f, index=False)
    assert main(["rescore", str(f), "--site", str(site)]) == 2
    err = capsys.readouterr().err
    assert "bogus.csv" in err and "'S-2'" in err and "'bogus'" in err and "Traceback" not in err


def test_plans_of_different_zonings_are_refused_with_the_zones_named(run, tmp_path, capsys):
    d, _ = run
    other = _site(tmp_path / "other", ids=["P-1", "S-1", "X-9"])
    assert main(["optimize", str(other), "--maximize", "removals", "--out", str(tmp_path / "o"), "-q"]) == 0
    assert main(["compare", str(d / "run"), str(tmp_path / "o"), "--out", str(tmp_path / "cmp")]) == 2
    err = capsys.readouterr().err
    assert "zones differ" in err and "X-9" in err and "S-2" in err and "P-2" in err
    assert "Traceback" not in err
    assert not (tmp_path / "cmp").exists() or not any((tmp_path / "cmp").iterdir())
    # re-scoring a plan against a site of other zones
    assert main(["rescore", str(d / "run" / "plan.csv"), "--site", str(other)]) == 2
    assert "X-9" in capsys.readouterr().err


def test_a_run_made_with_a_relative_path_is_found_from_another_folder(tmp_path, monkeypatch):
    """The manifest keeps the zoning file's path as given and where it was, so a later command run
    from another folder (rescore here; uncertainty and monitor read the same records) finds it."""
    import json

    _site(tmp_path / "work")
    monkeypatch.chdir(tmp_path / "work")
    assert main(["optimize", "zones.gpkg", "--maximize", "removals", "--out", "run", "-q"]) == 0
    rec = json.loads((tmp_path / "work" / "run" / "manifest.json").read_text())["inputs"]["zoning_file"]
    assert rec["path"] == "zones.gpkg" and rec["absolute_path"] == str((tmp_path / "work" / "zones.gpkg").resolve())
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    r = rescore_plan(tmp_path / "work" / "run" / "plan.csv")
    assert "the run's zoning file" in r.site_source and str(tmp_path / "work" / "zones.gpkg") in r.site_source
