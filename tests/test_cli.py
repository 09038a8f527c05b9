"""The sinkplan command end to end: outputs written, user mistakes exit 2 without a traceback."""

from __future__ import annotations

import json
import subprocess
import sys

import geopandas as gpd
import pandas as pd
import pytest

from conftest import SITES

LOESS = str(SITES / "loess_dump/zones.gpkg")


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-c", "from optimizer.cli import entry; entry()", *args],
                          capture_output=True, text=True, cwd=cwd, env={"COLUMNS": "120", "PATH": "/usr/bin:/bin"})


def test_validate_ok():
    r = run("validate", LOESS)
    assert r.returncode == 0, r.stderr
    assert "132 zones" in r.stdout and "valid" in r.stdout


def test_validate_bad_file_exits_2_with_every_problem(tiny_gdf, write_site):
    g = tiny_gdf.copy()
    g.loc[0, "zone_type"] = "platfrom"
    g.loc[1, "slope_deg"] = 120
    r = run("validate", str(write_site(g)))
    assert r.returncode == 2
    assert "Traceback" not in r.stderr + r.stdout
    assert "did you mean 'platform'" in r.stderr and "120" in r.stderr


def test_missing_file_and_bad_settings(tmp_path):
    r = run("validate", str(tmp_path / "nope.gpkg"))
    assert r.returncode == 2 and "file not found" in r.stderr and "Traceback" not in r.stderr
    bad = tmp_path / "s.toml"
    bad.write_text("[accounting]\nhorizon = 30\n")
    r = run("validate", LOESS, "--settings", str(bad))
    assert r.returncode == 2 and "did you mean 'horizon_yr'" in r.stderr


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_options_table_round_trip(tmp_path, suffix):
    out = tmp_path / f"options{suffix}"
    r = run("options", LOESS, "-o", str(out))
    assert r.returncode == 0, r.stderr
    df = pd.read_csv(out) if suffix == ".csv" else pd.read_parquet(out)
    for col in ("zone_id", "option_id", "zone_type", "measures", "area_ha", "removals_tco2e", "avoided_tco2e",
                "credits_tco2e", "credit_value_cny", "cost_cny", "capex_cny", "soil_loss_t_per_yr",
                "soil_loss_first_year_t", "topsoil_m3", "gangue_m3", "within_tolerance", "eligible_standards",
                "placeholder_params"):
        assert col in df.columns
    assert df["zone_id"].nunique() == 132 and len(df) > 132 * 20


def test_optimize_writes_plan_files(tmp_path):
    r = run("optimize", LOESS, "--maximize", "removals", "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    s = json.loads((tmp_path / "summary.json").read_text())
    assert s["status"] == "optimal" and s["gap"] <= 1e-4 and s["bound"] >= s["objective_value"]
    assert s["totals"]["capex_cny"] <= 29e6 and s["totals"]["topsoil_m3"] <= 136_000 + 1e-6
    plan = gpd.read_file(tmp_path / "plan.gpkg", layer="plan")
    assert len(plan) == 132 and plan.crs.to_epsg() == 32649
    csv = pd.read_csv(tmp_path / "plan.csv")
    assert abs(csv["removals_tco2e"].sum() - s["objectives"]["removals"]) < 1e-6 * abs(s["objectives"]["removals"])
    m = json.loads((tmp_path / "manifest.json").read_text())
    assert len(m["inputs"]["zoning_file"]["sha256"]) == 64 and m["packages"]["numpy"]


def test_infeasible_budget_is_explained(tmp_path):
    r = run("optimize", LOESS, "--maximize", "removals", "--budget", "1e5", "--out", str(tmp_path))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "budget ¥0.10 M is below the ¥4.52 M that the soil-loss tolerance alone requires (zones H-" in r.stderr
    assert not (tmp_path / "plan.gpkg").exists()


def test_pareto_writes_front(tmp_path):
    r = run("pareto", LOESS, "--objectives", "removals,cost", "--points", "4", "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    front = pd.read_csv(tmp_path / "front.csv")
    assert {"removals", "cost", "gap", "status"} <= set(front.columns) and len(front) >= 3
    assert front["removals"].is_monotonic_increasing == front["cost"].is_monotonic_increasing
    assert len(list((tmp_path / "plans").glob("point_???.csv"))) == len(front)
