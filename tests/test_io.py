"""Plan files and atomic writes: what a run writes reads back the same; an interrupted or failed
write leaves the old file intact and no temporary file behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pandas as pd
import pytest

from optimizer.io import plans as plans_io
from optimizer.io.manifest import record_outputs, verify_outputs
from optimizer.io.plans import read_plan, read_run
from test_report import ROOT, front_size, loess_runs


@pytest.fixture(scope="module")
def runs():
    return loess_runs()


def _leftovers(folder):
    """Hidden temporary files of atomic writes (``.NAME.XXXX.ext``) in a folder tree."""
    return [p for p in folder.rglob(".*") if p.is_file()]


# ----------------------------------------------------------------------------------------------
# what a run writes
# ----------------------------------------------------------------------------------------------
def test_optimize_run_writes_every_file_and_the_manifest_vouches_for_them(runs):
    opt = runs["opt"]
    names = {"plan.gpkg", "plan.geojson", "plan.csv", "plan_trajectories.csv", "summary.json", "manifest.json"}
    assert names <= {p.name for p in opt.iterdir()}
    man = json.loads((opt / "manifest.json").read_text())
    assert set(man["outputs"]) == names - {"manifest.json"}
    assert verify_outputs(man, opt) == []
    for key in ("inputs", "settings", "placeholders", "placeholder_details", "standards", "problem", "solver",
                "seeds", "packages"):
        assert key in man, key
    assert len(man["inputs"]["zoning_file"]["sha256"]) == 64
    assert man["inputs"]["catalog"]["version"]
    kinds = {d["kind"] for d in man["placeholder_details"]}
    assert {"setting", "catalog parameter", "measure"} <= kinds
    assert {s["standard"] for s in man["standards"]} == set(man["settings"]["standards"])
    assert not _leftovers(opt)


def test_front_manifest_lists_front_and_point_files(runs):
    front = runs["front"]
    man = json.loads((front / "manifest.json").read_text())
    assert "front.csv" in man["outputs"]
    assert sum(k.startswith("plans/point_") and k.endswith(".csv") and "traj" not in k for k in man["outputs"]) \
        == front_size(front) >= 4
    assert verify_outputs(man, front) == []
    assert not _leftovers(front)


def test_plan_reads_back_from_every_format(runs):
    opt = runs["opt"]
    csv = read_plan(opt / "plan.csv")
    gpkg = read_plan(opt / "plan.gpkg")
    geojson = read_plan(opt / "plan.geojson")
    for other in (gpkg, geojson):
        a = csv.zones.set_index("zone_id")
        b = other.zones.set_index("zone_id").loc[a.index]
        assert (a["option_id"] == b["option_id"]).all()
        assert (a["within_tolerance"] == b["within_tolerance"]).all()
        for c in ("removals_tco2e", "cost_cny", "soil_loss_t_per_yr", "baseline_soil_loss_t_per_yr"):
            assert b[c].to_numpy() == pytest.approx(a[c].to_numpy(), rel=1e-5), c
    assert gpkg.geometry.crs.to_epsg() == 32649
    assert geojson.geometry.crs.is_projected          # read back from EPSG:4326 and projected again
    assert gpkg.geometry.area.sum() / 1e4 == pytest.approx(csv.zones["area_ha"].sum(), rel=1e-3)
    assert geojson.geometry.area.sum() / 1e4 == pytest.approx(csv.zones["area_ha"].sum(), rel=1e-2)
    assert csv.geometry is not None                   # found in plan.gpkg beside it
    assert csv.summary["status"] == "optimal" and csv.trajectories.shape[0] == 40


def test_plan_has_every_group_and_the_baseline_per_zone(runs):
    from optimizer.catalog import GROUPS

    df = pd.read_csv(runs["opt"] / "plan.csv")
    assert set(GROUPS) <= set(df.columns)
    for c in plans_io.BASELINE_COLUMNS:
        assert f"baseline_{c}" in df.columns
    s = json.loads((runs["opt"] / "summary.json").read_text())
    assert df["baseline_soil_loss_t_per_yr"].sum() == pytest.approx(s["baseline_totals"]["soil_loss_t_per_yr"],
                                                                    rel=1e-5)


def test_summary_holds_credits_by_standard_and_the_baseline(runs):
    man = json.loads((runs["opt"] / "manifest.json").read_text())
    s = json.loads((runs["opt"] / "summary.json").read_text())
    standards = set(man["settings"]["standards"])
    assert set(s["credits_by_standard"]) == standards == set(s["baseline_credits_by_standard"])
    total = s["totals"]["credits_tco2e"]
    assert all(0.0 <= v <= total * (1 + 1e-12) for v in s["credits_by_standard"].values())
    assert set(s["baseline_totals"]) == set(s["totals"])
    df = pd.read_csv(runs["opt"] / "plan.csv")
    for st, v in s["credits_by_standard"].items():
        mine = df["eligible_standards"].fillna("").str.split(";").map(lambda x, st=st: st in x)
        assert df.loc[mine, "credits_tco2e"].sum() == pytest.approx(v, rel=1e-9, abs=1e-6), st


def test_run_settings_layer(runs):
    import pyogrio

    layers = dict((str(a), b) for a, b in pyogrio.list_layers(runs["opt"] / "plan.gpkg"))
    assert layers.keys() == {"plan", "run_settings", "layer_styles"}   # layer_styles: QGIS's own table
    st = pyogrio.read_dataframe(runs["opt"] / "plan.gpkg", layer="run_settings").set_index("setting")["value"]
    assert json.loads(st["horizon_yr"]) == 40 and json.loads(st["status"]) == "optimal"


def test_read_run_tells_front_from_plan(runs):
    f = read_run(runs["front"])
    assert len(f.points) == front_size(runs["front"]) and f.objectives == ("removals", "cost")
    assert all(p.geometry is not None for p in f.points)
    assert read_run(runs["opt"]).label == "opt"


def test_missing_point_file_is_named(runs, tmp_path):
    import shutil

    from optimizer.errors import SinkPlanError

    shutil.copytree(runs["front"], tmp_path / "front")
    for p in (tmp_path / "front" / "plans").glob("point_001*"):
        p.unlink()
    with pytest.raises(SinkPlanError, match=r"point_001\.csv: missing"):
        read_run(tmp_path / "front")


def test_manifest_detects_a_replaced_file(runs, tmp_path):
    (tmp_path / "a.csv").write_text("x\n1\n")
    doc = record_outputs({}, [tmp_path / "a.csv"], tmp_path)
    assert verify_outputs(doc, tmp_path) == []
    (tmp_path / "a.csv").write_text("x\n2\n")
    assert verify_outputs(doc, tmp_path) == ["a.csv: changed since the manifest was written (another run, or an "
                                             "interrupted one, may have replaced it)"]
    (tmp_path / "a.csv").unlink()
    assert "missing" in verify_outputs(doc, tmp_path)[0]


# ----------------------------------------------------------------------------------------------
# atomic writes: failures
# ----------------------------------------------------------------------------------------------
class Boom(RuntimeError):
    pass


def test_geopackage_writer_failing_midway_keeps_the_old_file(runs, tmp_path, monkeypatch):
    """The GeoPackage writer has written the plan layer into the temporary file and fails while
    adding the settings layer: the old plan.gpkg must be untouched and the temporary file gone."""
    import pyogrio

    from optimizer.io.plans import read_plan as rp

    good = tmp_path / "plan.gpkg"
    good.write_bytes((runs["opt"] / "plan.gpkg").read_bytes())
    before = good.read_bytes()
    plan = rp(runs["opt"] / "plan.gpkg")

    class Site:
        has_geometry = True
        zones = plan.geometry

    seen = []
    real = pyogrio.write_dataframe

    def failing(df, path, **kw):
        if not kw.get("append"):
            return real(df, path, **kw)                # the plan layer goes into the temporary file
        seen.append(os.path.getsize(path))
        raise Boom("disk full while writing run_settings")

    monkeypatch.setattr(pyogrio, "write_dataframe", failing)
    st = pd.DataFrame({"setting": ["a"], "value": ["1"]})
    with pytest.raises(Boom):
        plans_io.write_geo(plan.zones, Site(), good, st)
    assert seen and seen[0] > 0
    assert good.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.gpkg"]


def test_json_and_csv_writers_failing_keep_the_old_file(tmp_path, monkeypatch):
    from optimizer.io import tables

    target = tmp_path / "summary.json"
    target.write_text('{"good": true}\n')
    with pytest.raises(TypeError):
        plans_io.write_json(target, {"bad": object()})           # not JSON-serialisable midway
    assert json.loads(target.read_text()) == {"good": True}
    csv = tmp_path / "plan.csv"
    csv.write_text("zone_id\nA\n")

    class Half(pd.DataFrame):
        def to_csv(self, path, **kw):
            with open(path, "w") as f:
                f.write("zone_id\nB")                              # half a file
            raise Boom("killed midway")

    with pytest.raises(Boom):
        tables.write_table(Half({"zone_id": ["B"]}), csv)
    assert csv.read_text() == "zone_id\nA\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.csv", "summary.json"]


# ----------------------------------------------------------------------------------------------
# atomic writes: a process interrupted midway
# ----------------------------------------------------------------------------------------------
WRITER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from optimizer.io.atomic import atomic_path
    from optimizer.io.plans import terminate_raises

    target = Path(sys.argv[1])
    with terminate_raises(), atomic_path(target) as tmp:
        with open(tmp, "w") as f:
            f.write("half of a new ")
            f.flush()
            print("writing", flush=True)
            time.sleep(60)
            f.write("file\\n")
""")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_run_interrupted_midway_leaves_the_old_file_and_no_temp(tmp_path, sig):
    target = tmp_path / "plan.csv"
    target.write_text("the good old plan\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    p = subprocess.Popen([sys.executable, "-c", WRITER, str(target)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, env=env, cwd=ROOT,
                         # as a foreground program gets it (a background job's children start with SIGINT ignored)
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        assert p.stdout.readline().strip() == "writing"
        assert len(list(tmp_path.iterdir())) == 2                 # the target and the temporary file
        p.send_signal(sig)
        p.wait(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    assert p.returncode != 0
    assert target.read_text() == "the good old plan\n"
    assert [x.name for x in tmp_path.iterdir()] == ["plan.csv"], "temporary file left behind"


def test_a_killed_run_still_leaves_the_old_file(tmp_path):
    """SIGKILL cannot be caught: the target stays intact; the hidden temporary file may remain."""
    target = tmp_path / "plan.csv"
    target.write_text("the good old plan\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    p = subprocess.Popen([sys.executable, "-c", WRITER, str(target)], stdout=subprocess.PIPE, text=True, env=env,
                         cwd=ROOT)
    assert p.stdout.readline().strip() == "writing"
    p.kill()
    p.wait(timeout=30)
    assert target.read_text() == "the good old plan\n"
    assert all(x.name.startswith(".") for x in tmp_path.iterdir() if x.name != "plan.csv")


def test_the_sigterm_guard_restores_the_default_handler():
    with plans_io.terminate_raises():
        assert signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


@pytest.mark.slow
def test_report_command_interrupted_keeps_the_old_report(runs, tmp_path):
    """``sinkplan report`` killed with SIGTERM while it works: the old report is intact."""
    out = tmp_path / "report.html"
    out.write_text("<html>the good old report</html>")
    code = ("import sys; from optimizer.cli import main; sys.exit(main(sys.argv[1:]))")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    p = subprocess.Popen([sys.executable, "-c", code, "report", str(runs["front"]), "-o", str(out)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=ROOT)
    time.sleep(2.0)                                               # reading the run, drawing figures
    p.send_signal(signal.SIGTERM)
    p.wait(timeout=60)
    assert out.read_text() == "<html>the good old report</html>" or p.returncode == 0
    assert not [x for x in tmp_path.iterdir() if x.name.startswith(".report.")]
