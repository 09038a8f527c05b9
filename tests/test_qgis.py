"""QGIS itself opens a plan GeoPackage: the stored style is the layer's default, the planner's
attributes are kept, and the map renders (Debian's python3-qgis, run by the system Python with
``QT_QPA_PLATFORM=offscreen``; skipped where it is not installed)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

SYSTEM_PYTHON = "/usr/bin/python3"
SCRIPT = Path(__file__).parent / "qgis" / "render_plan.py"


def _has_qgis() -> bool:
    if not os.path.exists(SYSTEM_PYTHON):
        return False
    r = subprocess.run([SYSTEM_PYTHON, "-c", "import qgis.core"], capture_output=True,
                       env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}, timeout=120)
    return r.returncode == 0


pytestmark = pytest.mark.skipif(not _has_qgis(), reason="python3-qgis is not installed "
                                "(Debian: apt-get install python3-qgis qgis-providers; scripts/test.sh does)")


def run_qgis(gpkg: Path, png: Path, style: str | None = None) -> dict:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(png.parent)}
    env.pop("PYTHONPATH", None)
    args = [SYSTEM_PYTHON, str(SCRIPT), str(gpkg), str(png)] + ([style] if style else [])
    r = subprocess.run(args, capture_output=True, text=True, env=env, timeout=300, cwd=png.parent)
    line = next((x for x in r.stdout.splitlines() if x.startswith("{")), None)
    assert line, f"QGIS printed nothing (exit {r.returncode}): {r.stderr[-2000:]}"
    return json.loads(line)


@pytest.fixture(scope="module")
def styled_plan(tmp_path_factory):
    import geopandas as gpd
    from shapely.geometry import box

    from optimizer.cli import main

    d = tmp_path_factory.mktemp("qgis")
    types = ["platform", "slope", "slope", "waste_heap", "platform", "slope"]
    gdf = gpd.GeoDataFrame(
        {"zone_id": [f"Z-{i}" for i in range(6)], "zone_type": types,
         "slope_deg": [2.0, 30.0, 20.0, 28.0, 3.0, 25.0], "slope_length_m": [40.0, 25.0, 30.0, 20.0, 40.0, 30.0],
         "burning": ["none", "none", "none", "medium", "none", "none"],
         "owner": ["矿务局", "farm 2", "", "", "", "x"], "notes": ["keep the road", "", "", "", "", ""]},
        geometry=[box(400_000 + 100 * i, 4_370_000, 400_100 + 100 * i, 4_370_100) for i in range(6)],
        crs="EPSG:32649")
    site = d / "zones.gpkg"
    gdf.to_file(site, engine="pyogrio")
    assert main(["optimize", str(site), "--maximize", "removals", "--out", str(d / "run"), "-q"]) == 0
    return d / "run" / "plan.gpkg"


def test_qgis_opens_the_plan_with_its_stored_style(styled_plan):
    import pandas as pd

    png = styled_plan.parent / "qgis_vegetation.png"
    seen = run_qgis(styled_plan, png)
    assert seen["valid"] and seen["default_style_loaded"], seen
    assert seen["styles"] == ["vegetation", "works"]
    assert seen["renderer"] == "categorizedSymbol" and seen["attr"] == "map_category"
    plan = pd.read_csv(styled_plan.with_suffix(".csv"))
    from optimizer.report import style
    assert seen["categories"] == {c: style.category_color(c) for c in plan["map_category"].unique()}
    for c in ("owner", "notes", "slope_deg", "burning", "land_designation", "removals_tco2e_per_ha"):
        assert c in seen["fields"], c
    assert seen["features"] == len(plan)
    assert seen["saved"] and png.stat().st_size > 1000
    assert seen["distinct_colours"] > 3             # a map, not one flat colour


def test_qgis_renders_the_works_style(styled_plan):
    seen = run_qgis(styled_plan, styled_plan.parent / "qgis_works.png", style="works")
    assert seen["named_style_loaded"] and seen["renderer"] == "RuleRenderer"
    assert seen["rules"][0].startswith("No landform")
    assert any(r.startswith("waste:") for r in seen["rules"]), seen["rules"]   # the burning heap
