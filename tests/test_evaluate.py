"""``optimizer.evaluate`` owns every plan number: totals, credits by standard, the no-works
baseline and annual trajectories checked against hand sums on the tiny site; one definition of
feasible shared by evaluate, LinearCore and Plan at the boundary; what io writes is what
evaluate returned."""

from __future__ import annotations

import json
import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from optimizer import evaluate as ev_mod
from optimizer.evaluate import (
    FEAS_RTOL,
    annual_series,
    baseline_credits_by_standard,
    baseline_totals,
    evaluate,
    plan_trajectories,
    rows_hold,
    site_trajectories,
)
from optimizer.options import COLUMNS, OptionTable
from optimizer.problem import Problem, Target
from optimizer.solve.result import Plan
from optimizer.solve.status import Status

SUMMED = [c for c in COLUMNS if c != "within_tolerance"]


@pytest.fixture(scope="module")
def compiled(tiny_table):
    return Problem(objectives=("removals",)).compile(tiny_table)


@pytest.fixture(scope="module")
def plans(compiled):
    """Twelve seeded random plans plus the cheapest and the richest option in every zone."""
    rng = np.random.default_rng(11)
    X = np.floor(rng.random((12, compiled.n_zones)) * compiled.n_options).astype(np.int64)
    return np.vstack([X, np.zeros(compiled.n_zones, np.int64), compiled.n_options - 1])


def _plan(compiled, choice):
    return Plan(compiled, np.asarray(choice, np.int64), Status.OPTIMAL, "removals", math.nan, 0.0, 0.0, "test")


# ----------------------------------------------------------------------------------------------
# totals, credits by standard, baseline: hand sums over the option table's rows
# ----------------------------------------------------------------------------------------------
def test_totals_and_credits_by_standard_are_hand_sums(tiny_table, compiled, plans):
    ev = evaluate(compiled, plans)
    assert set(ev.credits_by_standard) == set(tiny_table.settings.standards)
    double = 0
    for p, x in enumerate(plans):
        rows = compiled.table_rows(x)
        for c in SUMMED:
            assert ev.totals[c][p] == pytest.approx(math.fsum(tiny_table.data[c][r] for r in rows), rel=1e-12, abs=1e-9)
        for s, ok in tiny_table.eligible.items():
            hand = math.fsum(tiny_table.data["credits_tco2e"][r] for r in rows if ok[r])
            assert ev.credits_by_standard[s][p] == pytest.approx(hand, rel=1e-12, abs=1e-9), s
        # a zone eligible under two standards counts in each standard's row
        n_std = sum(tiny_table.eligible[s][rows].astype(int) for s in tiny_table.eligible)
        if np.any((n_std >= 2) & (tiny_table.data["credits_tco2e"][rows] > 0)):
            double += 1
            assert sum(v[p] for v in ev.credits_by_standard.values()) > ev.totals["credits_tco2e"][p]
    assert double, "no plan has a zone eligible under two standards: the overlap is untested"


def test_baseline_totals_are_the_natural_regeneration_rows_summed_by_hand(tiny_table):
    df = tiny_table.to_frame()
    df["zone"] = tiny_table.zone_of_row
    picked = []
    for _zone, g in df.groupby("zone", sort=True):          # natural regeneration, else no works, else first
        ids = list(g["option_id"])
        for want in ("natural_regeneration", "no_works"):
            if want in ids:
                picked.append(g.index[ids.index(want)])
                break
        else:
            picked.append(g.index[0])
    assert "natural_regeneration" in set(df.loc[picked, "option_id"])
    base = baseline_totals(tiny_table)
    for c in SUMMED:
        assert base[c] == pytest.approx(math.fsum(df.loc[picked, c]), rel=1e-12, abs=1e-9), c
    by_std = baseline_credits_by_standard(tiny_table)
    for s, ok in tiny_table.eligible.items():
        assert by_std[s] == pytest.approx(math.fsum(df.loc[i, "credits_tco2e"] for i in picked if ok[i]), abs=1e-9)


def test_plan_exposes_what_evaluate_returns(compiled, plans):
    x = plans[3]
    plan = _plan(compiled, x)
    ev = evaluate(compiled, x[None, :])
    assert plan.totals == {k: float(v[0]) for k, v in ev.totals.items()}
    assert plan.credits_by_standard == {k: float(v[0]) for k, v in ev.credits_by_standard.items()}
    assert plan.baseline_totals == baseline_totals(compiled.table)
    s = plan.summary()
    assert s["credits_by_standard"] == plan.credits_by_standard
    assert s["baseline_totals"] == plan.baseline_totals
    assert s["baseline_credits_by_standard"] == baseline_credits_by_standard(compiled.table)


# ----------------------------------------------------------------------------------------------
# trajectories: the annual chain run row by row and summed by hand
# ----------------------------------------------------------------------------------------------
def test_trajectories_are_hand_sums_of_each_zones_series(tiny_table, compiled, plans):
    for x in plans[[0, 5, -1]]:
        rows = compiled.table_rows(x)
        traj = site_trajectories(tiny_table, rows)
        one = [tiny_table.annual(np.array([r])) for r in rows]       # each zone on its own
        assert list(traj["year"]) == list(tiny_table.settings.years)
        assert list(traj["calendar_year"]) == list(tiny_table.settings.start_year + tiny_table.settings.years)
        for k in one[0]:
            hand = [math.fsum(float(s[k][0, t]) for s in one) for t in range(len(traj))]
            np.testing.assert_allclose(traj[k], hand, rtol=1e-12, atol=1e-9, err_msg=k)
        np.testing.assert_allclose(traj["cumulative_net_removals_tco2e"], np.cumsum(traj["net_removals_tco2e"]),
                                   rtol=1e-12, atol=1e-9)
        both = plan_trajectories(tiny_table, rows)
        base = site_trajectories(tiny_table, tiny_table.baseline_rows())
        for k in base.columns.drop(["year", "calendar_year"]):
            np.testing.assert_array_equal(both[f"{k}_baseline"], base[k])
            np.testing.assert_array_equal(both[k], traj[k])


def test_series_objectives_agree_with_the_trajectories(tiny_table):
    from optimizer.evaluate import sink_year, worst_years_mean

    c = Problem(objectives=("removals", "sink_year", "soil_loss_worst5")).compile(tiny_table)
    rng = np.random.default_rng(5)
    X = np.floor(rng.random((6, c.n_zones)) * c.n_options).astype(np.int64)
    ev = evaluate(c, X)
    for x, got in zip(X, ev.objectives):
        traj = site_trajectories(tiny_table, c.table_rows(x))
        assert got[1] == sink_year(traj["net_removals_tco2e"].to_numpy()[None, :])[0]
        # the objective reads float32 series; the trajectories are float64
        assert got[2] == pytest.approx(worst_years_mean(traj["soil_loss_t"].to_numpy()[None, :])[0], rel=1e-6)


def test_the_annual_chain_runs_once_per_row_set(tiny_table, compiled, plans, monkeypatch):
    calls = []
    real = OptionTable.annual

    def counted(self, rows):
        calls.append(len(rows))
        return real(self, rows)

    monkeypatch.setattr(OptionTable, "annual", counted)
    ev_mod._annual_cache.pop(tiny_table, None)
    rows = compiled.table_rows(plans[1])
    a = annual_series(tiny_table, rows)
    assert annual_series(tiny_table, rows.copy()) is a and len(calls) == 1
    with pytest.raises(ValueError):
        a["net_removals_tco2e"][0, 0] = 1.0                            # kept series are read-only
    for x in plans[:4]:                                                # four plans, one baseline
        assert len(_plan(compiled, x).trajectories) == len(tiny_table.settings.years)
    assert len(calls) == 1 + 1 + len({compiled.table_rows(x).tobytes() for x in plans[:4]} - {rows.tobytes()})


# ----------------------------------------------------------------------------------------------
# one definition of feasible
# ----------------------------------------------------------------------------------------------
def test_rows_hold_is_the_relative_tolerance():
    b = np.array([2e7, 0.0, -5.0])
    tol = FEAS_RTOL * np.array([2e7, 1.0, 5.0])
    assert rows_hold(b, b) and rows_hold(b + 0.5 * tol, b)
    for i in range(3):
        over = b.copy()
        over[i] += 2 * tol[i]
        assert not rows_hold(over, b), i
    assert rows_hold(np.zeros((4, 0)), np.zeros(0)).tolist() == [True] * 4


@pytest.mark.parametrize("excess,feasible", [(0.0, True), (1e-12, True), (1e-6, False)])
@pytest.mark.parametrize("row", ["budget (<=)", "removals target (>=, stored negated)", "both, and a stock met"])
def test_feasible_agrees_between_evaluate_linear_core_and_plan_at_the_boundary(tiny_table, compiled, excess,
                                                                               feasible, row):
    x = compiled.n_options - 1                                         # the richest option everywhere
    t = {k: float(v[0]) for k, v in evaluate(compiled, x[None, :]).totals.items()}
    assert t["capex_cny"] > 1e5 and t["removals_tco2e"] > 100
    budget = {"budget_cny": t["capex_cny"] / (1 + excess)}            # exceeded by `excess`, relative
    target = {"targets": (Target("removals", low=t["removals_tco2e"] * (1 + excess)),)}  # missed by as much
    kw = {"budget (<=)": budget, "removals target (>=, stored negated)": target,
          "both, and a stock met": dict(**budget, **target, topsoil_stock_m3=t["topsoil_m3"])}[row]
    c = Problem(objectives=("removals",), **kw).compile(tiny_table)
    assert np.array_equal(c.n_options, compiled.n_options)
    core, _ = c.core()
    assert bool(evaluate(c, x[None, :]).feasible[0]) is feasible
    assert core.is_feasible(x) is feasible
    assert _plan(c, x).feasible is feasible


# ----------------------------------------------------------------------------------------------
# what io writes and reads is what evaluate returned
# ----------------------------------------------------------------------------------------------
def test_written_trajectories_and_summary_are_evaluates(tiny_table, compiled, plans, tmp_path):
    from optimizer.io.plans import read_plan, write_plan

    site = SimpleNamespace(settings=tiny_table.settings, has_geometry=False)
    plan = _plan(compiled, plans[4])
    write_plan(plan, site, tmp_path, manifest={}, formats=("csv", "trajectories"), summary=plan.summary())
    written = pd.read_csv(tmp_path / "plan_trajectories.csv")
    expected = plan_trajectories(tiny_table, plan.rows)
    assert list(written.columns) == list(expected.columns)
    np.testing.assert_allclose(written.to_numpy(float), expected.to_numpy(float), rtol=1e-9, atol=1e-9)

    back = read_plan(tmp_path / "plan.csv")
    assert back.numbers_source == "summary.json"
    assert back.totals == plan.totals and back.credits_by_standard == plan.credits_by_standard
    assert back.baseline_totals == plan.baseline_totals
    pd.testing.assert_frame_equal(back.trajectories, written)

    # without summary.json the reader rebuilds the same numbers from the per-zone rows (10 digits)
    (tmp_path / "summary.json").unlink()
    alone = read_plan(tmp_path / "plan.csv")
    assert alone.numbers_source == "per-zone rows"
    def digits(col):    # 10 significant digits per zone: the error scales with the zones' magnitudes
        z = alone.zones
        return 1e-9 * max(1.0, float(np.abs(z[col].to_numpy(float)).sum())) if col in z else 1e-9

    for k, v in plan.totals.items():
        assert alone.totals[k] == pytest.approx(v, rel=1e-9, abs=digits(k)), k
    for s, v in plan.credits_by_standard.items():    # no manifest: the standards the rows name (others: 0)
        assert alone.credits_by_standard.get(s, 0.0) == pytest.approx(v, rel=1e-9, abs=1e-9), s
    for k in ("removals_tco2e", "soil_loss_t_per_yr", "soil_loss_first_year_t", "area_ha"):
        assert alone.baseline_totals[k] == pytest.approx(plan.baseline_totals[k], rel=1e-9,
                                                         abs=digits(f"baseline_{k}")), k
    assert all(math.isnan(v) for v in alone.numbers["baseline_credits_by_standard"].values())


def test_old_summary_without_credits_by_standard_falls_back_to_the_rows(tiny_table, compiled, plans, tmp_path):
    from optimizer.io.plans import read_plan, write_plan

    site = SimpleNamespace(settings=tiny_table.settings, has_geometry=False)
    plan = _plan(compiled, plans[2])
    old = {k: v for k, v in plan.summary().items() if "credits_by_standard" not in k}
    write_plan(plan, site, tmp_path, manifest={}, formats=("csv",), summary=old)
    back = read_plan(tmp_path / "plan.csv")
    assert back.totals == plan.totals                                   # still summary.json's
    assert json.loads((tmp_path / "summary.json").read_text()).keys() == old.keys()
    for s, v in plan.credits_by_standard.items():
        assert back.credits_by_standard.get(s, 0.0) == pytest.approx(v, rel=1e-9, abs=1e-9), s
