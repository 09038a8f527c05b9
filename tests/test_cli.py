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


@pytest.mark.slow
def test_optimize_writes_plan_files(tmp_path):
    r = run("optimize", LOESS, "--maximize", "removals", "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    s = json.loads((tmp_path / "summary.json").read_text())
    # the bound is the engine's, the value the evaluator's sum in its own order: equal to rounding
    assert s["status"] == "optimal" and s["gap"] <= 1e-4
    assert s["bound"] >= s["objective_value"] * (1 - 1e-12)
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
    assert "budget ¥0.10 M is below the ¥4.48 M that the soil-loss tolerance alone requires (zones H-" in r.stderr
    assert not (tmp_path / "plan.gpkg").exists()


@pytest.mark.slow
def test_pareto_writes_front(tmp_path):
    r = run("pareto", LOESS, "--objectives", "removals,cost", "--points", "4", "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    front = pd.read_csv(tmp_path / "front.csv")
    assert {"removals", "cost", "gap", "status"} <= set(front.columns) and len(front) >= 3
    assert front["removals"].is_monotonic_increasing == front["cost"].is_monotonic_increasing
    assert len(list((tmp_path / "plans").glob("point_???.csv"))) == len(front)


# ------------------------------------------------------------------ every usage mistake in words

USAGE_MISTAKES = [
    ("bare usage", []),  # prints help, exit 0 (checked below)
    ("unknown command", ["frob"]),
    ("unknown option", ["validate", LOESS, "--frob"]),
    ("validate without a file", ["validate"]),
    ("validate a --crs that is no CRS", ["validate", LOESS, "--crs", "garbage"]),
    ("validate a missing layer", ["validate", LOESS, "--layer", "nope"]),
    ("validate an extra argument", ["validate", LOESS, "extra"]),
    ("settings an extra argument", ["settings", "extra"]),
    ("options without -o", ["options", LOESS]),
    ("options -o of another format", ["options", LOESS, "-o", "x.xlsx"]),
    ("optimize without --out", ["optimize", LOESS, "--maximize", "removals"]),
    ("optimize without objective", ["optimize", LOESS, "--out", "{tmp}/o"]),
    ("optimize with two objectives", ["optimize", LOESS, "--maximize", "removals", "--minimize", "cost",
                                      "--out", "{tmp}/o"]),
    ("optimize unknown objective", ["optimize", LOESS, "--maximize", "carbon", "--out", "{tmp}/o"]),
    ("optimize budget not a number", ["optimize", LOESS, "--maximize", "removals", "--budget", "lots",
                                      "--out", "{tmp}/o"]),
    ("optimize budget nan", ["optimize", LOESS, "--maximize", "removals", "--budget", "nan", "--out", "{tmp}/o"]),
    ("optimize budget inf", ["optimize", LOESS, "--maximize", "removals", "--budget", "inf", "--out", "{tmp}/o"]),
    ("optimize budget negative", ["optimize", LOESS, "--maximize", "removals", "--budget", "-5",
                                  "--out", "{tmp}/o"]),
    ("optimize gap above 1", ["optimize", LOESS, "--maximize", "removals", "--gap", "2", "--out", "{tmp}/o"]),
    ("optimize zero time limit", ["optimize", LOESS, "--maximize", "removals", "--time-limit", "0",
                                  "--out", "{tmp}/o"]),
    ("optimize bad method", ["optimize", LOESS, "--maximize", "removals", "--method", "magic", "--out", "{tmp}/o"]),
    ("optimize bad constraint", ["optimize", LOESS, "--maximize", "removals", "--constraint", "carbon>>5",
                                 "--out", "{tmp}/o"]),
    ("optimize bad lock", ["optimize", LOESS, "--maximize", "removals", "--lock", "P-001", "--out", "{tmp}/o"]),
    ("optimize --out is a file", ["optimize", LOESS, "--maximize", "removals", "--out", LOESS]),
    ("optimize site is a folder", ["optimize", "{tmp}", "--maximize", "removals", "--out", "{tmp}/o"]),
    ("pareto one point", ["pareto", LOESS, "--points", "1", "--out", "{tmp}/o"]),
    ("pareto zero workers", ["pareto", LOESS, "--workers", "0", "--out", "{tmp}/o"]),
    ("pareto unknown objective", ["pareto", LOESS, "--objectives", "removals,carbon", "--out", "{tmp}/o"]),
    ("pareto one objective", ["pareto", LOESS, "--objectives", "removals", "--out", "{tmp}/o"]),
    ("pareto non-linear exact", ["pareto", LOESS, "--objectives", "removals,diversity", "--out", "{tmp}/o"]),
    ("pareto bad method", ["pareto", LOESS, "--method", "magic", "--out", "{tmp}/o"]),
    ("pareto negative seed", ["pareto", LOESS, "--method", "genetic", "--seed", "-1", "--out", "{tmp}/o"]),
    ("compare one plan", ["compare", LOESS]),
    ("compare missing files", ["compare", "{tmp}/a.csv", "{tmp}/b.csv"]),
    ("report not html", ["report", "{tmp}", "-o", "{tmp}/r.pdf"]),
    ("report missing run", ["report", "{tmp}/nope", "-o", "{tmp}/r.html"]),
    ("report bad format", ["report", "{tmp}", "-o", "{tmp}/r.html", "--formats", "gif"]),
]


@pytest.mark.parametrize("what,args", USAGE_MISTAKES[1:], ids=[u[0] for u in USAGE_MISTAKES[1:]])
def test_every_usage_mistake_exits_2_in_one_line_without_traceback(tmp_path, what, args):
    r = run(*[a.format(tmp=tmp_path) for a in args])
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr + r.stdout
    # warnings about the data (e.g. zones steeper than the LS relation's range) may come first, one line each
    errors = "".join(line for line in r.stderr.splitlines(keepends=True) if not line.startswith("warning: "))
    assert errors.startswith("error: "), r.stderr
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())


def test_bare_command_prints_help_and_version_prints_version():
    r = run()
    assert r.returncode == 0 and "Usage: sinkplan" in r.stdout and "optimize" in r.stdout
    r = run("--version")
    from optimizer import __version__
    assert r.returncode == 0 and r.stdout.strip() == f"sinkplan {__version__}"
    for cmd in ("validate", "options", "optimize", "pareto", "compare", "report", "settings"):
        r = run(cmd, "--help")
        assert r.returncode == 0 and f"sinkplan {cmd}" in r.stdout, cmd


def test_python_dash_m_is_the_command():
    r = subprocess.run([sys.executable, "-m", "optimizer", "--version"], capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.startswith("sinkplan ")


@pytest.mark.slow
def test_json_voice_prints_only_json_and_quiet_prints_nothing(tmp_path):
    r = run("optimize", LOESS, "--minimize", "cost", "--constraint", "removals>=40000", "--out",
            str(tmp_path / "j"), "--json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["status"] == "optimal" and doc["totals"]["removals_tco2e"] >= 40000
    target = [c for c in doc["constraints"] if c["name"] == "removals target (at least)"][0]
    assert target["sense"] == ">=" and target["lhs"] >= target["rhs"] == 40000
    r = run("optimize", LOESS, "--maximize", "removals", "--out", str(tmp_path / "q"), "--quiet")
    assert r.returncode == 0 and r.stdout == "" and (tmp_path / "q" / "plan.gpkg").exists()
    r = run("pareto", LOESS, "--points", "3", "--out", str(tmp_path / "f"), "--json", "--workers", "1")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert len(doc["points"]) >= 2 and {"removals", "cost", "gap", "status"} <= set(doc["points"][0])


@pytest.mark.slow
def test_unreachable_target_names_the_most_any_plan_can_reach(tmp_path):
    r = run("optimize", LOESS, "--minimize", "cost", "--constraint", "removals>=60000", "--out", str(tmp_path))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "the most any plan can reach for net removals over the horizon is" in r.stderr
    assert "the target asks at least 60,000 t CO2e" in r.stderr


@pytest.mark.slow
def test_a_smaller_front_over_a_larger_one_leaves_no_stale_points(tmp_path):
    assert run("pareto", LOESS, "--points", "6", "--out", str(tmp_path), "--workers", "1").returncode == 0
    n6 = len(list((tmp_path / "plans").glob("point_???.csv")))
    r = run("pareto", LOESS, "--points", "3", "--out", str(tmp_path), "--workers", "1")
    assert r.returncode == 0, r.stderr
    front = pd.read_csv(tmp_path / "front.csv")
    assert n6 > len(front)
    assert sorted(p.name for p in (tmp_path / "plans").glob("point_*")) == sorted(
        f"point_{k:03d}{s}" for k in range(len(front)) for s in (".csv", ".gpkg", "_trajectories.csv"))


@pytest.mark.slow
def test_ctrl_c_exits_130_without_traceback(tmp_path):
    import signal
    import time

    p = subprocess.Popen([sys.executable, "-c", "from optimizer.cli import entry; entry()", "pareto", LOESS,
                          "--method", "genetic", "--generations", "100000", "--out", str(tmp_path), "--workers", "1"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env={"COLUMNS": "120", "PATH": "/usr/bin:/bin"},
                         # a user's Ctrl-C reaches a foreground program whose SIGINT is at its default; CI may run
                         # us in a background job, whose children start with SIGINT ignored (POSIX), so reset it
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        time.sleep(3.0)  # well into the work (not a timing assertion: 10⁵ generations take hours, any moment will do)
        p.send_signal(signal.SIGINT)
        _, stderr = p.communicate(timeout=120)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    assert p.returncode == 130, stderr
    assert "Traceback" not in stderr and "interrupted" in stderr
    assert not (tmp_path / "front.csv").exists()


def test_console_entry_ends_fast_yet_runs_exit_handlers_and_flushes_output():
    """entry() ends the process without module teardown (os._exit), after the exit handlers and
    with every line the command printed, also when stdout is a file (block-buffered)."""
    code = ("import atexit, sys; atexit.register(lambda: print('exit handler ran', file=sys.stderr)); "
            "from optimizer.cli import entry; entry()")
    r = subprocess.run([sys.executable, "-c", code, "validate", LOESS], capture_output=True, text=True,
                       env={"COLUMNS": "120", "PATH": "/usr/bin:/bin"})
    assert r.returncode == 0, r.stderr
    assert "132 zones" in r.stdout and "valid" in r.stdout
    assert "exit handler ran" in r.stderr
    bad = subprocess.run([sys.executable, "-c", code, "validate"], capture_output=True, text=True,
                         env={"COLUMNS": "120", "PATH": "/usr/bin:/bin"})
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and "exit handler ran" in bad.stderr
