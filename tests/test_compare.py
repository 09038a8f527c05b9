"""Plan comparison (``sinkplan compare``) and frontier analysis (knee, extremes, ideal, frequency,
Jaccard): hand-checkable cases first, then the real runs end to end."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from optimizer.analysis import compare, frontier
from optimizer.cli import main
from optimizer.io.plans import PlanResult, read_plan
from test_report import ROOT, loess_runs


@pytest.fixture(scope="module")
def runs():
    return loess_runs()


def _plan(label, options, removals, cost, elig=None, veg=None):
    n = len(options)
    zones = pd.DataFrame({
        "zone_id": [f"Z{i}" for i in range(n)], "option_id": options, "zone_type": ["platform"] * n,
        "area_ha": [1.0] * n, "removals_tco2e": removals, "avoided_tco2e": [0.0] * n,
        "credits_tco2e": [r * 0.5 for r in removals], "credit_value_cny": [0.0] * n, "cost_cny": cost,
        "capex_cny": [c * 0.8 for c in cost], "soil_loss_t_per_yr": [1.0] * n, "soil_loss_first_year_t": [2.0] * n,
        "topsoil_m3": [0.0] * n, "gangue_m3": [0.0] * n,
        "eligible_standards": elig or [""] * n, "vegetation": veg or options,
    })
    return PlanResult(label=label, path=None, zones=zones)


# ----------------------------------------------------------------------------------------------
# compare: small hand-made plans
# ----------------------------------------------------------------------------------------------
def test_totals_side_by_side_with_differences():
    a = _plan("A", ["natural_regeneration", "robinia", "shrub"], [1.0, 10.0, 5.0], [0.0, 100.0, 50.0],
              elig=["", "CCER;VCS", "VCS"])
    b = _plan("B", ["natural_regeneration", "grassland", "shrub"], [1.0, 4.0, 5.0], [0.0, 30.0, 50.0],
              elig=["", "", "VCS"])
    t = compare.compare_totals([a, b]).set_index("metric")
    assert t.loc["removals_tco2e", "A"] == 16.0 and t.loc["removals_tco2e", "B"] == 10.0
    assert t.loc["removals_tco2e", "B − A"] == -6.0
    assert t.loc["cost_cny", "B − A"] == -70.0
    assert t.loc["capex_cny", "A"] == pytest.approx(120.0)
    # credits per standard: the credits of the zones eligible under it (rows may overlap)
    assert t.loc["credits_CCER_tco2e", "A"] == 5.0 and t.loc["credits_VCS_tco2e", "A"] == 7.5
    assert t.loc["credits_CCER_tco2e", "B"] == 0.0 and t.loc["credits_VCS_tco2e", "B"] == 2.5
    assert t.loc["zones_with_works", "A"] == 2.0
    assert list(t["unit"][["removals_tco2e", "cost_cny", "soil_loss_t_per_yr", "topsoil_m3"]]) == [
        "t CO2e", "CNY", "t/yr", "m³"]


def test_differences_within_file_rounding_are_zero():
    d = compare.difference(np.array([1_000_000.4, 5.0]), np.array([1_000_000.0, 4.0]))
    assert d[0] == 0.0 and d[1] == 1.0


def test_zone_by_zone_differences():
    a = _plan("A", ["natural_regeneration", "robinia", "shrub"], [1.0, 10.0, 5.0], [0.0, 100.0, 50.0])
    b = _plan("B", ["natural_regeneration", "grassland", "shrub"], [1.0, 4.0, 5.0], [0.0, 30.0, 50.0])
    z = compare.compare_zones([a, b]).set_index("zone_id")
    assert list(z["differs"]) == [False, True, False]
    assert z.loc["Z1", "option_id[B]"] == "grassland" and z.loc["Z1", "Δremovals_tco2e[B]"] == -6.0
    assert z.loc["Z1", "Δcost_cny[B]"] == -70.0


def test_zones_missing_from_one_plan_are_noted():
    a = _plan("A", ["robinia", "shrub"], [1.0, 2.0], [1.0, 1.0])
    b = _plan("B", ["robinia"], [1.0], [1.0])
    assert len(compare.compare_zones([a, b])) == 1
    assert any("not in every plan" in n for n in compare.zone_coverage_notes([a, b]))


# ----------------------------------------------------------------------------------------------
# frontier: hand-checkable fronts
# ----------------------------------------------------------------------------------------------
# removals (maximise) against cost (minimise): a convex front with an obvious elbow at point 2
FRONT = np.array([[10.0, 1.0], [60.0, 2.0], [90.0, 3.0], [95.0, 6.0], [100.0, 10.0]])
SENSES = np.array([-1.0, 1.0])


def test_extremes_ideal_and_nadir():
    F = frontier.to_min(FRONT, SENSES)
    assert frontier.extremes(F) == [4, 0]
    assert list(frontier.ideal_point(F)) == [-100.0, 1.0]
    assert list(frontier.nadir_point(F)) == [-10.0, 10.0]
    N = frontier.normalise(F)
    assert N.min() == 0.0 and N.max() == 1.0


def test_knee_is_the_elbow():
    F = frontier.to_min(FRONT, SENSES)
    assert frontier.knee_point(F) == 2
    # by hand: normalised distances to the chord between the extremes
    N = frontier.normalise(F)
    dist = (1 - N.sum(axis=1)) / np.sqrt(2)
    assert frontier.knee_point(F) == int(np.argmax(dist))


def test_closest_to_ideal_by_hand():
    F = frontier.to_min(FRONT, SENSES)
    N = frontier.normalise(F)
    assert frontier.closest_to_ideal(F) == int(np.argmin(np.hypot(N[:, 0], N[:, 1])))


def test_knee_on_a_straight_front_falls_back_to_closest_to_ideal():
    line = np.array([[0.0, 10.0], [5.0, 5.0], [10.0, 0.0]])
    assert frontier.knee_point(line) == frontier.closest_to_ideal(line) == 1
    assert frontier.knee_point(np.array([[1.0, 2.0]])) == 0


def test_knee_in_three_objectives():
    # the ideal-hugging point (0.1, 0.1, 0.1) is the knee of a front spanned by the unit vectors
    F = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [0.1, 0.1, 0.1], [0.5, 0.4, 0.3]], dtype=float)
    assert frontier.knee_point(F) == 3


def test_roles_and_marginal_rates():
    roles = frontier.front_roles(FRONT, ("removals", "cost"))
    assert roles == {"knee": 2, "closest_to_ideal": roles["closest_to_ideal"], "best_removals": 4, "best_cost": 0}
    mr = frontier.marginal_rates(FRONT, ("removals", "cost"))
    assert list(mr["from_point"]) == [0, 1, 2, 3]
    assert mr["rate"].iloc[0] == pytest.approx(1.0 / 50.0)      # ¥ per t: 1 more cost for 50 more t
    assert mr["rate"].iloc[-1] == pytest.approx(4.0 / 5.0)
    assert np.all(np.diff(mr["rate"]) > 0)                       # convex front: rising marginal cost


def test_measure_frequency_and_dominant():
    p1 = pd.DataFrame({"zone_id": ["A", "B"], "vegetation": ["robinia", "grassland"], "soil": ["biochar_20", ""]})
    p2 = pd.DataFrame({"zone_id": ["A", "B"], "vegetation": ["robinia", "shrub"], "soil": ["", ""]})
    p3 = pd.DataFrame({"zone_id": ["A", "B"], "vegetation": ["shrub", "shrub"], "soil": ["", ""]})
    f = frontier.measure_frequency([p1, p2, p3], ("vegetation", "soil"))
    get = lambda z, g, m: float(f[(f.zone_id == z) & (f.group == g) & (f.measure_id == m)]["share"].iloc[0])  # noqa
    assert get("A", "vegetation", "robinia") == pytest.approx(2 / 3)
    assert get("B", "vegetation", "shrub") == pytest.approx(2 / 3)
    assert get("A", "soil", "(none)") == pytest.approx(2 / 3)
    assert f.groupby(["zone_id", "group"])["share"].sum().round(12).eq(1.0).all()
    d = frontier.dominant_measure(f, "vegetation").set_index("zone_id")
    assert d.loc["A", "measure_id"] == "robinia" and d.loc["B", "measure_id"] == "shrub"


def test_jaccard():
    assert frontier.jaccard({1, 2, 3}, {2, 3, 4}) == 0.5
    assert frontier.jaccard(set(), set()) == 1.0
    p1 = pd.DataFrame({"zone_id": ["A", "B"], "option_id": ["x", "y"], "vegetation": ["robinia", "shrub"]})
    p2 = pd.DataFrame({"zone_id": ["A", "B"], "option_id": ["x", "z"], "vegetation": ["robinia", "grassland"]})
    J = frontier.jaccard_matrix([p1, p2], "measure", ("vegetation",))
    assert J[0, 1] == J[1, 0] == pytest.approx(1 / 3) and J[0, 0] == 1.0
    assert frontier.jaccard_matrix([p1, p2], "option")[0, 1] == pytest.approx(1 / 3)


# ----------------------------------------------------------------------------------------------
# the real runs
# ----------------------------------------------------------------------------------------------
def test_totals_are_read_from_summary_json(runs):
    import json

    p = read_plan(runs["opt"])
    s = json.loads((runs["opt"] / "summary.json").read_text())
    assert p.numbers_source == "summary.json"
    t = compare.plan_totals(p, p.standards)
    for k, v in s["totals"].items():
        assert t[k] == v, k                                   # read, not re-summed
    assert set(s["credits_by_standard"]) == set(p.standards)
    for st, v in s["credits_by_standard"].items():
        assert t[f"credits_{st}_tco2e"] == v, st
    assert p.baseline_totals == s["baseline_totals"]
    # the reader's reconstruction from the per-zone rows agrees to the files' 10 digits
    rebuilt = compare.zone_sums(p.zones, p.standards)
    for k, v in s["totals"].items():
        assert rebuilt["totals"][k] == pytest.approx(v, rel=1e-9, abs=1e-6), k
    for st, v in s["credits_by_standard"].items():
        assert rebuilt["credits_by_standard"][st] == pytest.approx(v, rel=1e-9, abs=1e-6), st
    for k, v in rebuilt["baseline_totals"].items():
        assert v == pytest.approx(s["baseline_totals"][k], rel=1e-9, abs=1e-6), k


def test_front_points_without_summary_are_rebuilt_from_their_rows(runs):
    from optimizer.io.plans import read_front

    front = read_front(runs["front"], geometry=False)
    for p, (_, row) in zip(front.points, front.front.iterrows()):
        assert p.numbers_source == "per-zone rows"
        t = compare.plan_totals(p, p.standards)
        assert t["removals_tco2e"] == pytest.approx(row["removals"], rel=1e-8)
        assert t["cost_cny"] == pytest.approx(row["cost"], rel=1e-8)
        assert t == compare.plan_totals(p.zones, p.standards)   # a bare zone table reads the same way


@pytest.mark.slow
def test_compare_command_writes_tables_and_figures(runs, tmp_path, capsys):
    a = runs["opt"]
    b = runs["front"] / "plans" / "point_002.csv"
    c = runs["front"] / "plans" / "point_003.gpkg"
    assert main(["compare", str(a), str(b), str(c), "--out", str(tmp_path), "--labels", "best,mid,cheap"]) == 0
    out = capsys.readouterr().out
    assert "Site totals" in out and "net removals" in out
    totals = pd.read_csv(tmp_path / "compare_totals.csv")
    assert {"best", "mid", "cheap", "mid − best", "cheap − best"} <= set(totals.columns)
    front = pd.read_csv(runs["front"] / "front.csv")
    row = totals.set_index("metric").loc["removals_tco2e"]
    assert row["mid"] == pytest.approx(front["removals"].iloc[2], rel=1e-5)
    zones = pd.read_csv(tmp_path / "compare_zones.csv")
    assert len(zones) == 132 and zones["differs"].any()
    traj = pd.read_csv(tmp_path / "compare_trajectories.csv")
    assert set(traj["plan"]) == {"best", "mid", "cheap", compare.BASELINE_LABEL}
    assert (traj.groupby("plan").size() == 40).all()
    for stem in ("compare_totals", "compare_trajectories", "compare_map"):
        assert (tmp_path / f"{stem}.png").read_bytes()[:4] == b"\x89PNG"
        assert (tmp_path / f"{stem}.svg").stat().st_size > 1000


@pytest.mark.parametrize("case,message", [
    ("one", "at least two plans"),
    ("missing", "no such file or folder"),
    ("front", "a Pareto front run, not one plan"),
    ("notplan", "not a SinkPlan plan; missing column"),
    ("garbage", "not a readable CSV"),
    ("badnum", "column 'removals_tco2e' has non-numbers"),
    ("suffix", "cannot read .txt as a plan"),
    ("labels", "give one non-empty label per plan"),
])
def test_compare_bad_input_names_the_file(runs, tmp_path, capsys, case, message):
    good = str(runs["opt"])
    bad = tmp_path / "x.csv"
    if case == "notplan":
        bad.write_text("a,b\n1,2\n")
    elif case == "garbage":
        bad.write_bytes(b'zone_id,"\n\x00\xff\xfe"unterminated')
    elif case == "badnum":
        df = pd.read_csv(runs["opt"] / "plan.csv")
        df["removals_tco2e"] = df["removals_tco2e"].astype(object)
        df.loc[3, "removals_tco2e"] = "lots"
        df.to_csv(bad, index=False)
    elif case == "suffix":
        bad = tmp_path / "x.txt"
        bad.write_text("hello")
    args = {"one": [good], "missing": [good, str(tmp_path / "nope.csv")], "front": [good, str(runs["front"])],
            "labels": [good, good, "--labels", "a,b,c"]}.get(case, [good, str(bad)])
    assert main(["compare", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    if case in ("notplan", "garbage", "badnum", "suffix"):
        assert str(bad) in err.replace("\n", "")


def test_compare_error_in_a_real_process_is_two_lines_not_a_traceback(tmp_path):
    bad = tmp_path / "broken.gpkg"
    bad.write_bytes(b"this is not a geopackage")
    code = "import sys; from optimizer.cli import main; sys.exit(main(sys.argv[1:]))"
    r = subprocess.run([sys.executable, "-c", code, "compare", str(bad), str(bad)], capture_output=True, text=True,
                       cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, timeout=120)
    assert r.returncode == 2
    assert "broken.gpkg" in r.stderr and "Traceback" not in r.stderr
