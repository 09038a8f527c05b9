"""Sweeps: grid parsing, money re-weighted without the carbon model (equal to a full re-scoring),
plan stability, the CLI end to end on a LocalCluster with resume, and single-site commands
never loading Dask."""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import kill_after_first_part
from optimizer.analysis.stability import plan_stability
from optimizer.errors import SinkPlanError
from optimizer.sweep import parse_grid, scenarios

ROOT = Path(__file__).resolve().parents[1]
LOESS = ROOT / "sites" / "loess_dump" / "zones.gpkg"


def test_grid_lists_ranges_and_mistakes():
    g = parse_grid(["price=40,60,80", "discount=0.03:0.08:6", "standard=CCER,VCS"])
    assert g["price"] == [40.0, 60.0, 80.0]
    assert g["discount"] == [0.03, 0.04, 0.05, 0.06, 0.07, 0.08]
    assert g["standard"] == ["CCER", "VCS"]
    s = scenarios(g)
    assert len(s) == 36 and s["scenario_id"].is_unique
    assert scenarios(g)["scenario_id"].tolist() == s["scenario_id"].tolist()     # stable ids: resume
    for bad in (["foo=1"], ["price="], ["price=1,1"], ["price=a"], ["budget=1:2:0"], ["price=-1"],
                ["price=1", "price=2"], []):
        with pytest.raises(SinkPlanError):
            parse_grid(bad)


def test_money_reweighted_equals_a_full_rescoring():
    from optimizer.options import evaluate_options
    from optimizer.options.reweight import credit_series, money_settings, reweighted
    from optimizer.site import read_site

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        site = read_site(LOESS, None)
        table = evaluate_options(site)
        series = credit_series(table)
        same = reweighted(table, series, table.settings)
        s2 = money_settings(table.settings, start_cny_per_t=95.0, discount_rate=0.07)
        fresh = evaluate_options(site, settings=s2)
    for c in ("credit_value_cny", "cost_cny"):
        np.testing.assert_allclose(same.data[c], table.data[c], rtol=1e-12, atol=1e-6)
    moved = reweighted(table, series, s2)
    for c, a in fresh.data.items():
        np.testing.assert_allclose(moved.data[c], a, rtol=1e-12, atol=1e-6, err_msg=c)
    assert not np.allclose(moved.data["cost_cny"], table.data["cost_cny"])      # the test can fail
    with pytest.raises(ValueError):
        money_settings(table.settings, horizon_yr=10)


@pytest.fixture(scope="module")
def scored_vcs():
    from optimizer.sweep import score_site
    from optimizer.workflows import SiteInput

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return score_site(SiteInput(LOESS), "VCS")


def test_batched_scenarios_equal_unbatched_ones(scored_vcs):
    """One re-weighting and one compile per money setting, each budget a new right-hand side: every
    scenario's record is the one solved alone (an infeasible budget included); warm-started, the
    same optimum within the certified gap."""
    from dataclasses import replace

    from optimizer.sweep import SolveSpec, solve_batch, solve_scenario, with_budget

    grid = parse_grid(["price=40,90", "discount=0.03,0.08", "budget=1e5,1.2e7,1.6e7,2.4e7"])
    scen = scenarios(grid).drop(columns="scenario_id").to_dict("records")
    scen = scen[::-1]                                   # any order: records come back in it
    spec = SolveSpec(objective="credit_value")
    alone = [solve_scenario(scored_vcs, sc, spec) for sc in scen]
    batched = solve_batch(scored_vcs, spec, scen)
    warm = solve_batch(scored_vcs, replace(spec, warm_start=True), scen)
    assert len(batched) == len(warm) == len(scen) == 16
    for sc, a, b, w in zip(scen, alone, batched, warm):
        assert {k: v for k, v in a.items() if k != "runtime_s"} == {k: v for k, v in b.items() if k != "runtime_s"}
        assert w["solve_status"] == a["solve_status"]
        if sc["budget"] == 1e5:
            assert a["solve_status"] == "infeasible" and a["options"] == []
            continue
        assert a["solve_status"] == "optimal" and a["capex_cny"] <= sc["budget"] * (1 + 1e-9)
        assert w["objective"] == pytest.approx(a["objective"], rel=2e-4)
        assert w["capex_cny"] <= sc["budget"] * (1 + 1e-9)
    # the axes move the optimum (the comparison can fail): budget, price and discount all count
    obj = {tuple(sc.values()): a["objective"] for sc, a in zip(scen, alone) if "objective" in a}
    assert obj[(40.0, 0.03, 1.6e7)] > obj[(40.0, 0.03, 1.2e7)]
    assert obj[(90.0, 0.03, 1.6e7)] > obj[(40.0, 0.03, 1.6e7)] > obj[(40.0, 0.08, 1.6e7)]
    # the budget row alone changes: the arrays are those compiled at that budget
    from optimizer.sweep import _compile, _table_for
    table = _table_for(scored_vcs, scen[0])
    big, small = _compile(table, {"budget": 2.4e7}, spec), _compile(table, {"budget": 1.2e7}, spec)
    moved = with_budget(big, 1.2e7)
    np.testing.assert_array_equal(moved.b, small.b)
    np.testing.assert_array_equal(moved.A, small.A)
    assert moved.problem == small.problem
    from optimizer.errors import InfeasibleError
    with pytest.raises(InfeasibleError):
        with_budget(big, 1e5)


def test_batch_sizes_and_tasks():
    from optimizer.runner import Batch, Task
    from optimizer.sweep import SolveSpec, batch_size, sweep_tasks
    from optimizer.workflows import SiteInput

    assert batch_size(1000, 2) == 20 and batch_size(20, 2) == 3 and batch_size(4, 1) == 1
    grid = parse_grid(["price=40,80", "budget=3e7,1e7,2e7", "standard=CCER,VCS"])
    scen, tasks = sweep_tasks(SiteInput(LOESS), grid, SolveSpec(objective="removals"), batch=2)
    assert all(isinstance(t, Batch) for t in tasks) and len(tasks) == 8     # 4 money × standard groups, 3 budgets
    ids = [i.id for t in tasks for i in t.items]
    assert sorted(ids) == sorted(scen["scenario_id"])
    for t in tasks:                                  # one standard and one price per batch, budgets ascending
        rows = [i.arg for i in t.items]
        assert len({(r["standard"], r["price"]) for r in rows}) == 1
        assert [r["budget"] for r in rows] == sorted(r["budget"] for r in rows)
        assert t.args[0].key == f"score-{rows[0]['standard']}"
    _, single = sweep_tasks(SiteInput(LOESS), grid, SolveSpec(objective="removals"), batch=1)
    assert len(single) == 12 and all(isinstance(t, Task) for t in single)


def test_stability_finds_the_flip_and_its_threshold():
    rows = []
    for price in (40.0, 60.0, 80.0):
        for budget in (1.0, 2.0):
            opts = ["a", "grass" if price < 60 else "tree", "x" if budget < 2 else "y"]
            rows.append({"price": price, "budget": budget, "status": "ok", "options": opts})
    rows.append({"price": 99.0, "budget": 1.0, "status": "failed", "options": None})
    st = plan_stability(pd.DataFrame(rows), ["Z1", "Z2", "Z3"], ["price", "budget"])
    z1 = st[st["zone_id"] == "Z1"]
    assert len(z1) == 1 and bool(z1["stable"].iloc[0])
    z2 = st[st["zone_id"] == "Z2"].set_index("axis")
    assert list(z2.index) == ["price"] and z2.loc["price", "threshold"] == 60.0
    assert (z2.loc["price", "from_option"], z2.loc["price", "to_option"]) == ("grass", "tree")
    assert z2.loc["price", "flips_along_axis"] == 2
    z3 = st[st["zone_id"] == "Z3"].set_index("axis")
    assert z3.loc["budget", "threshold"] == 2.0


def test_stability_on_a_grid_with_a_missing_scenario():
    """Lines of the grid differ in length when a scenario is missing: a flip is looked for only
    between scenarios that are there."""
    rows = []
    for price in (40.0, 60.0, 80.0):
        for budget in (1.0, 2.0):
            if (price, budget) == (80.0, 2.0):
                continue                                   # missing: its line along price is shorter
            z2 = "grass" if price < (60 if budget == 1.0 else 80) else "tree"
            z3 = "x" if budget < 2 or price < 60 else "y"
            rows.append({"price": price, "budget": budget, "status": "ok", "options": ["a", z2, z3]})
    st = plan_stability(pd.DataFrame(rows), ["Z1", "Z2", "Z3"], ["price", "budget"])
    z2 = st[st["zone_id"] == "Z2"].set_index("axis")
    assert list(z2.index) == ["price", "budget"]
    assert z2.loc["price", "threshold"] == 60.0 and z2.loc["price", "flips_along_axis"] == 1
    assert z2.loc["budget", "flips_along_axis"] == 1 and z2.loc["budget", "threshold"] == 2.0
    z3 = st[st["zone_id"] == "Z3"].set_index("axis")
    assert z3.loc["budget", "flips_along_axis"] == 1                # at price 60 only: 80 has no budget 2
    assert (z3.loc["price", "from_option"], z3.loc["price", "to_option"]) == ("x", "y")


def test_single_site_commands_do_not_import_dask(tmp_path):
    code = ("import sys; from optimizer.cli import main; "
            f"rc = main(['optimize', {str(LOESS)!r}, '--maximize', 'removals', "
            f"'--out', {str(tmp_path / 'o')!r}, '-q']); "
            "assert rc == 0, rc; "
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')); "
            "assert not bad, bad")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]


def test_sweep_usage_mistakes_exit_2(tmp_path, capsys):
    from optimizer.cli import main
    assert main(["sweep", str(LOESS), "--grid", "speed=1", "--out", str(tmp_path / "s")]) == 2
    err = capsys.readouterr().err
    assert err.count("error:") == 1 and "unknown axis" in err


@pytest.mark.slow
def test_sweep_end_to_end_and_resume(tmp_path, capsys):
    from optimizer.cli import main

    out = tmp_path / "sweep"
    argv = ["sweep", str(LOESS), "--grid", "price=40,80", "--grid", "discount=0.03,0.08", "--grid",
            "budget=1.5e7,2.9e7", "--objective", "credit_value", "--workers", "2", "--out", str(out), "--json"]
    assert main(argv) == 0
    df = pd.read_parquet(out / "sweep.parquet")
    assert len(df) == 8 and (df["status"] == "ok").all() and df["scenario_id"].is_unique
    assert (df["solve_status"] == "optimal").all() and (df["gap"] <= 1e-4).all()
    assert {"price", "discount", "budget", "objective", "removals_tco2e", "options"} <= set(df.columns)
    assert (df["capex_cny"] <= df["budget"] * (1 + 1e-9)).all()
    # more money never lowers the optimum; a higher price raises credit value
    g = df.groupby(["price", "discount", "budget"])["objective"].first()
    assert g.loc[(80.0, 0.03, 2.9e7)] >= g.loc[(80.0, 0.03, 1.5e7)] - 1e-6
    assert g.loc[(80.0, 0.03, 2.9e7)] > g.loc[(40.0, 0.03, 2.9e7)]
    assert (out / "stability.csv").exists() and (out / "manifest.json").exists()
    assert (out / "figures" / "heatmap_price_discount.png").exists()
    parts = sorted((out / "parts").glob("part-*.parquet"))
    capsys.readouterr()
    assert main(argv) == 0                                  # resumed: nothing runs again
    import json
    doc = json.loads(capsys.readouterr().out)
    assert doc["skipped_done_before"] == 8 and doc["ok"] == 8
    assert sorted((out / "parts").glob("part-*.parquet")) == parts
    pd.testing.assert_frame_equal(pd.read_parquet(out / "sweep.parquet").drop(columns=["runtime_s"]),
                                  df.drop(columns=["runtime_s"]))


def test_stability_of_a_sweep_whose_every_scenario_failed_is_empty():
    """A sweep whose tasks all failed has no ``options`` column: its stability table is empty, not
    a KeyError (the sweep then writes its files and reports the failures)."""
    from optimizer.analysis.stability import plan_stability

    failed = pd.DataFrame({"scenario_id": ["a", "b"], "price": [40.0, 80.0], "status": ["failed", "failed"],
                           "error": ["x", "y"]})
    assert plan_stability(failed, ["Z1"], ["price"]).empty


def test_portfolio_sweep_one_row_per_scenario_with_per_site_columns(tmp_path, capsys):
    """`sinkplan sweep portfolio.toml`: each budget scenario equals the portfolio solved at that
    budget in this process; an NPV budget buys more at a higher discount rate."""
    import json

    from optimizer.cli import main
    from optimizer.portfolio import optimize_portfolio

    p = tmp_path / "portfolio.toml"
    grass = ROOT / "sites" / "inner_mongolia_grassland" / "zones.geojson"
    p.write_text('[portfolio]\nname = "two"\nbudget_cny = 3e7\nbudget_on = "cost"\n'
                 f'[[sites]]\nname = "loess"\npath = "{LOESS}"\n'
                 f'[[sites]]\nname = "grass"\npath = "{grass}"\n'
                 '[[min_share]]\nof = "spending"\nshare = 0.2\nsite = "grass"\n', encoding="utf-8")
    out = tmp_path / "sweep"
    argv = ["sweep", str(p), "--grid", "budget=1.5e7,3e7", "--grid", "discount=0.05,0.08", "--workers", "2",
            "--out", str(out), "--json"]
    assert main(argv) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["ok"] == 4 and doc["failed"] == 0
    df = pd.read_parquet(out / "sweep.parquet")
    assert len(df) == 4 and (df["solve_status"] == "optimal").all()
    for site in ("loess", "grass"):
        assert {f"{site}:spend_cny", f"{site}:removals_tco2e", f"{site}:marginal_tco2e_per_cny"} <= set(df.columns)
    assert np.allclose(df["loess:removals_tco2e"] + df["grass:removals_tco2e"], df["removals_tco2e"])
    assert (df["spend_cny"] <= df["budget"] * (1 + 1e-9)).all()
    assert (df["grass:spend_cny"] >= 0.2 * df["spend_cny"] * (1 - 1e-9)).all()      # the file's share holds
    assert len(df["options"].iloc[0]) == doc["zones"]
    g = df.set_index(["budget", "discount"])["objective"]
    assert g.loc[(3e7, 0.08)] >= g.loc[(3e7, 0.05)] * (1 - 1e-4)
    # the sites' settings discount at 5 %: the sweep's scenario is the portfolio command's optimum
    direct = optimize_portfolio(p, budget_cny=1.5e7, workers=1, report=False)
    assert g.loc[(1.5e7, 0.05)] == pytest.approx(direct.summary["objective_value"], rel=2e-4)


def test_portfolio_batch_equals_scenarios_solved_alone(tmp_path):
    """A portfolio batch (sites re-weighted and joined once per money setting, each budget the
    shared row's right-hand side) gives every scenario the record it gets solved alone."""
    from optimizer.portfolio.spec import load_portfolio
    from optimizer.portfolio.sweep import (
        PortfolioSolveSpec,
        score_portfolio,
        solve_portfolio_batch,
        solve_portfolio_scenario,
    )

    p = tmp_path / "portfolio.toml"
    grass = ROOT / "sites" / "inner_mongolia_grassland" / "zones.geojson"
    p.write_text('[portfolio]\nname = "two"\nbudget_cny = 3e7\n'
                 f'[[sites]]\nname = "loess"\npath = "{LOESS}"\n'
                 f'[[sites]]\nname = "grass"\npath = "{grass}"\n', encoding="utf-8")
    ps = PortfolioSolveSpec(spec=load_portfolio(p))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scored = score_portfolio(ps.spec, None)
    scen = scenarios(parse_grid(["discount=0.04,0.08", "budget=1e4,1.5e7,3e7"])).drop(
        columns="scenario_id").to_dict("records")
    alone = [solve_portfolio_scenario(scored, sc, ps) for sc in scen]
    batched = solve_portfolio_batch(scored, ps, scen)
    strip = ("runtime_s",)
    for a, b in zip(alone, batched):
        assert {k: v for k, v in a.items() if k not in strip} == {k: v for k, v in b.items() if k not in strip}
    status = [a["solve_status"] for a in alone]
    assert status.count("infeasible") == 2 and status.count("optimal") == 4
    obj = {(sc["discount"], sc["budget"]): a.get("objective") for sc, a in zip(scen, alone)}
    assert obj[(0.04, 3e7)] > obj[(0.04, 1.5e7)]


@pytest.mark.slow
def test_sweep_in_batches_on_a_cluster_equals_one_task_per_scenario(tmp_path):
    """The same sweep on a LocalCluster in batches and one task per scenario: the same
    sweep.parquet, scenario by scenario; run again, the batched one skips every scenario."""
    from optimizer.runner import cluster
    from optimizer.sweep import sweep_site

    grid = parse_grid(["price=40,80", "budget=1e5,1.5e7,2.9e7", "standard=CCER,VCS"])
    with warnings.catch_warnings(), cluster(workers=2) as client:
        warnings.simplefilter("ignore")
        batched = sweep_site(LOESS, grid, objective="credit_value", out_dir=tmp_path / "b", client=client, batch=3)
        single = sweep_site(LOESS, grid, objective="credit_value", out_dir=tmp_path / "s", client=client, batch=1)
        assert single.summary.ok == 12
        again = sweep_site(LOESS, grid, objective="credit_value", out_dir=tmp_path / "b", client=client, batch=3)
    assert (batched.summary.ok, batched.summary.failed) == (12, 0)
    assert (again.summary.skipped, again.summary.ok) == (12, 0)
    a, b = (pd.read_parquet(tmp_path / d / "sweep.parquet").drop(columns=["runtime_s"]) for d in ("b", "s"))
    pd.testing.assert_frame_equal(a, b)
    assert (a["solve_status"] == "infeasible").sum() == 4 and (a["solve_status"] == "optimal").sum() == 8
    raw = pd.concat([pd.read_parquet(p) for p in (tmp_path / "b" / "parts").glob("part-*.parquet")])
    assert len(raw) == 12 and raw["task_id"].is_unique


@pytest.mark.parametrize("value", ["0", "-3", "two", "1.5"])
def test_sweep_batch_must_be_a_positive_integer(tmp_path, capsys, value):
    from optimizer.cli import main
    assert main(["sweep", str(LOESS), "--grid", "price=40,80", "--batch", value, "--out", str(tmp_path / "s")]) == 2
    err = capsys.readouterr().err
    assert err.count("error:") == 1 and "--batch" in err and "Traceback" not in err, err
    assert not (tmp_path / "s").exists()


@pytest.mark.parametrize("subject", ["site", "portfolio"])
@pytest.mark.parametrize("argv,expected", [([], None), (["--batch", "1"], 1), (["--batch", "7"], 7)])
def test_sweep_batch_reaches_the_runner(tmp_path, monkeypatch, subject, argv, expected):
    """`--batch N` is the ``batch`` of sweep_site / sweep_portfolio (default None: batch_size's)."""
    import optimizer.portfolio.sweep as psweep
    import optimizer.sweep as ssweep
    from optimizer.cli import main

    seen = []

    def fake(*args, **kw):
        seen.append(kw["batch"])
        raise SinkPlanError("stopped here by the test")

    monkeypatch.setattr(ssweep, "sweep_site", fake)
    monkeypatch.setattr(psweep, "sweep_portfolio", fake)
    target = ROOT / "sites" / "portfolio.toml" if subject == "portfolio" else LOESS
    assert main(["sweep", str(target), "--grid", "price=40,80", *argv, "--out", str(tmp_path / "s"), "-q"]) == 2
    assert seen == [expected]


def test_sweep_batch_help_in_english_and_chinese_says_the_defaults(capsys):
    from optimizer.cli import main
    from optimizer.sweep import BATCH_SCENARIOS, TASKS_PER_WORKER

    assert main(["sweep", "--help"]) == 0
    en = " ".join(capsys.readouterr().out.split())
    assert "--batch N" in en and f"at most {BATCH_SCENARIOS}" in en and f"at least {TASKS_PER_WORKER} tasks" in en
    assert main(["--lang", "zh", "sweep", "--help"]) == 0
    zh = "".join(capsys.readouterr().out.split())
    assert "--batchN" in zh and "Scenariosperrunnertask" not in zh
    assert str(BATCH_SCENARIOS) in zh.split("--batchN")[1].split("--out")[0]


@pytest.mark.slow
def test_a_portfolio_sweep_killed_mid_sweep_resumes_every_scenario_exactly_once(tmp_path, capsys):
    """`sinkplan sweep portfolio.toml` SIGKILLed once its first records are journaled (its local
    cluster dies with it): no sweep.parquet is left half-written, and the same command run again
    skips the finished scenarios and runs the rest, so every scenario has exactly one record."""
    import json
    import os
    import signal

    from optimizer.cli import main

    p = tmp_path / "portfolio.toml"
    grass = ROOT / "sites" / "inner_mongolia_grassland" / "zones.geojson"
    p.write_text('[portfolio]\nname = "two"\nbudget_cny = 3e7\n'
                 f'[[sites]]\nname = "loess"\npath = "{LOESS}"\n'
                 f'[[sites]]\nname = "grass"\npath = "{grass}"\n', encoding="utf-8")
    out = tmp_path / "sweep"
    argv = ["sweep", str(p), "--grid", "budget=1.5e7:3e7:10", "--grid", "discount=0.03,0.05,0.08,0.1",
            "--batch", "2", "--workers", "1", "--out", str(out)]
    n = 40
    proc = subprocess.Popen([sys.executable, "-m", "optimizer", *argv, "-q"], cwd=str(ROOT),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    parts = out / "parts"
    kill_after_first_part(proc, parts, 300)
    assert proc.returncode == -signal.SIGKILL
    from optimizer.runner import Journal

    before = Journal(parts).finished()
    assert 0 < len(before) < n, len(before)                       # killed mid-sweep
    assert not (out / "sweep.parquet").exists()
    assert not [f for f in os.listdir(out) if f.startswith(".") or f.endswith(".tmp")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert main([*argv, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["skipped_done_before"] == len(before) and doc["ok"] == n and doc["failed"] == 0
    df = pd.read_parquet(out / "sweep.parquet")
    assert len(df) == n and df["scenario_id"].is_unique and (df["status"] == "ok").all()
    assert (df["solve_status"] == "optimal").all()
    grid = scenarios(parse_grid(["budget=1.5e7:3e7:10", "discount=0.03,0.05,0.08,0.1"]))
    assert sorted(df["scenario_id"]) == sorted(grid["scenario_id"]) and len(set(zip(df["budget"], df["discount"]))) == n
    raw = pd.concat([pd.read_parquet(f) for f in parts.glob("part-*.parquet")])
    assert len(raw) == n and raw["task_id"].is_unique                # nothing written twice, nothing lost
    assert set(raw["task_id"]) == set(df["scenario_id"])
