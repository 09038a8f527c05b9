"""Uncertainty: sampling, intervals, registry deductions, CVaR plans and EVPPI against answers
known by hand or by brute force; the same seed giving the same numbers; the command's exit codes."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from optimizer.cli import main
from optimizer.uncertainty.deduction import RULES, deduction
from optimizer.uncertainty.ranges import DEFAULT_SPREAD, explicit_ranges, parameter_ranges
from optimizer.uncertainty.robust import cvar, cvar_plan, price_of_robustness
from optimizer.uncertainty.sample import latin_hypercube, to_values
from optimizer.uncertainty.voi import evppi


def _ranges(lows, highs, dist="uniform"):
    n = len(lows)
    return pd.DataFrame({"key": [f"k{i}" for i in range(n)], "table": "settings", "row": "*",
                         "column": [f"c{i}" for i in range(n)], "group": [f"g{i}" for i in range(n)],
                         "central": (np.array(lows) + np.array(highs)) / 2, "distribution": dist, "low": lows,
                         "high": highs, "source": "test", "confidence": "C"})


def test_latin_hypercube_same_seed_same_samples_and_strata():
    r = _ranges([0.0, 10.0], [1.0, 20.0])
    a, b = latin_hypercube(r, 50, 7, 100), latin_hypercube(r, 50, 7, 100)
    np.testing.assert_array_equal(a.values, b.values)
    assert not np.array_equal(a.values, latin_hypercube(r, 50, 8, 100).values)
    # one sample per stratum of every dimension
    for j in range(2):
        assert sorted(np.floor(a.u[:, j] * 50).astype(int)) == list(range(50))
    assert a.values[:, 1].min() >= 10 and a.values[:, 1].max() <= 20


def test_joint_draws_dimension_gives_whole_draw_indices():
    r = _ranges([0.0], [1.0], dist="joint_draws")
    v = to_values(r, np.array([[0.0], [0.999], [0.5]]), 100)
    assert v.ravel().tolist() == [0, 99, 50]


def test_intervals_cover_brute_force_simulation():
    """A two-zone, two-parameter site known by hand: removals = a·x1 + b·x2 with x ~ U ranges.
    LHS quantiles agree with a large brute-force simulation (coverage of the 90 % interval)."""
    r = _ranges([100.0, 50.0], [200.0, 150.0])
    s = latin_hypercube(r, 500, 1, 100)
    total = 2.0 * s.values[:, 0] + 1.0 * s.values[:, 1]
    rng = np.random.default_rng(0)
    brute = 2.0 * rng.uniform(100, 200, 200_000) + rng.uniform(50, 150, 200_000)
    lo, hi = np.quantile(total, [0.05, 0.95])
    inside = ((brute >= lo) & (brute <= hi)).mean()
    assert abs(inside - 0.90) < 0.02
    assert total.mean() == pytest.approx(2 * 150 + 100, rel=1e-3)     # by hand


def test_registry_deduction_rule_by_hand():
    x = np.linspace(80, 120, 100_001)        # uniform 80–120: 90 % half-width 18 = 18 % of 100
    hw, d = deduction(x, RULES["VCS"])
    assert hw == pytest.approx(0.18, abs=1e-4)
    assert d == pytest.approx(0.08, abs=1e-4)
    _, d_tight = deduction(np.linspace(95, 105, 1001), RULES["VCS"])
    assert d_tight == 0.0


def test_cvar_by_hand():
    v = np.arange(1.0, 11.0)                 # worst 20 % of 1..10: mean(1, 2)
    assert cvar(v, 0.2) == pytest.approx(1.5)
    assert cvar(v, 1.0) == pytest.approx(v.mean())


def _tiny(seed=3, Z=3, K=3, S=20):
    rng = np.random.default_rng(seed)
    R = rng.normal(10, 4, (S, Z * K))        # removals per scenario and row
    capex = rng.uniform(0, 10, Z * K)
    zone_ptr = np.arange(0, Z * K + 1, K)
    compiled = SimpleNamespace(n_zones=Z, n_options=np.full(Z, K), zone_ptr=zone_ptr, rows=np.arange(Z * K),
                               A=capex[None, :], b=np.array([12.0]))
    return compiled, R, capex


def test_cvar_plan_matches_brute_force():
    compiled, R, capex = _tiny()
    plan = cvar_plan(compiled, R, alpha=0.2, gap=1e-6)
    best = -np.inf
    for ch in itertools.product(range(3), repeat=3):
        pos = np.array(ch) + compiled.zone_ptr[:-1]
        if capex[pos].sum() <= 12.0 + 1e-9:
            best = max(best, cvar(R[:, pos].sum(axis=1), 0.2))
    assert plan.objective == pytest.approx(best, rel=1e-6)
    assert capex[compiled.zone_ptr[:-1] + plan.choice].sum() <= 12.0 + 1e-6
    por = price_of_robustness(R, {"cvar": compiled.zone_ptr[:-1] + plan.choice})
    assert por["cvar"]["expected_given_up_tco2e"] == 0.0


def test_evppi_known_case():
    """Decide between V1 = θ and V2 = 0 with θ ~ U(−1, 1): EVPPI = E[max(θ, 0)] − 0 = 1/4."""
    theta = np.linspace(-1, 1, 20_001)
    values = np.column_stack([theta, np.zeros_like(theta)])
    assert evppi(values, np.column_stack([np.maximum(theta, 0), theta])) == pytest.approx(0.25, abs=1e-3)
    assert evppi(values, np.random.default_rng(0).uniform(size=(len(theta), 1))) < 0.01   # an unrelated input


def test_ranges_cover_catalog_with_sources(catalog=None):
    from conftest import SITES
    from optimizer.catalog import load_catalog
    from optimizer.settings import load_settings

    cat = load_catalog()
    s = load_settings(SITES / "loess_dump" / "settings.toml")
    r = parameter_ranges(cat, s)
    assert r["source"].str.len().gt(0).all()
    num = r[r["distribution"] != "joint_draws"]
    assert (num["low"] <= num["central"]).all() and (num["central"] <= num["high"]).all()
    assert (r["distribution"] == "joint_draws").sum() == 1
    assert set(num["confidence"]) <= set(DEFAULT_SPREAD)
    ex = explicit_ranges()
    assert ex["confidence"].isin(list("ABCP")).all() and ex["source"].str.len().gt(0).all()


def test_cli_usage_mistakes_exit_2(tmp_path, capsys):
    assert main(["uncertainty", str(tmp_path / "missing")]) == 2
    assert "error" in capsys.readouterr().err.lower()
    assert main(["uncertainty", str(tmp_path), "--samples", "1"]) == 2


@pytest.mark.slow
def test_same_seed_same_numbers_on_a_run(tmp_path):
    from conftest import SITES

    run = tmp_path / "run"
    site = str(SITES / "loess_dump" / "zones.gpkg")
    assert main(["optimize", site, "--maximize", "removals", "--out", str(run)]) == 0
    for name in ("a", "b"):
        assert main(["uncertainty", str(run), "--samples", "8", "--seed", "3", "--out", str(tmp_path / name),
                     "--no-figures"]) == 0
    a = pd.read_csv(tmp_path / "a" / "uncertainty.csv")
    pd.testing.assert_frame_equal(a, pd.read_csv(tmp_path / "b" / "uncertainty.csv"))
    central = a[a["metric"] == "removals_tco2e"]["central"].iloc[0]
    import json
    assert central == pytest.approx(json.loads((run / "summary.json").read_text())["totals"]["removals_tco2e"])


# ----------------------------------------------------------------------------------------------
# A designed site: two zones (a 2-ha platform A, a 1-ha slope B), two options each (shrub, or
# natural regeneration: the baseline, no credits), through the real model chain.
def _designed(tmp_path):
    from conftest import make_site
    from optimizer.catalog import load_catalog
    from optimizer.options import evaluate_options

    keep = {"shrub", "natural_regeneration"}
    f = tmp_path / "two_options.csv"
    pd.DataFrame({"measure_id": [m for m in load_catalog().measures["measure_id"] if m not in keep],
                  "enabled": "false"}).to_csv(f, index=False)
    site = make_site([dict(zone_id="A", area_ha=2.0),
                      dict(zone_id="B", zone_type="slope", slope_deg=20.0, slope_length_m=30.0, area_ha=1.0)])
    table = evaluate_options(site, catalog=str(f))
    assert table.n_rows == 4 and sorted(set(table.option_id)) == ["natural_regeneration", "shrub"]
    # the four plans, rows (P, 2): zone A's option × zone B's option
    rows = {(a, b): np.array([ra, rb]) for a, ra in zip(table.option_id[:2], range(2))
            for b, rb in zip(table.option_id[2:], range(2, 4))}
    return table, rows


def _only(table, keys):
    """The ranges of ``table`` reduced to the rows ``keys`` (every other value fixed at its central)."""
    r = parameter_ranges(table.catalog, table.settings)
    return r[r["key"].isin(keys)].reset_index(drop=True)


def test_designed_site_credit_intervals_by_hand(tmp_path):
    """Only the buffer varies, uniform on [0.10, 0.20] (central 0.15): credits = C0 (1 − b) / 0.85
    exactly, removals do not move, so P5/P95 of credits are C0 (1 − 0.195) / 0.85 and
    C0 (1 − 0.105) / 0.85 (within the LHS's stratum width), the VCS deduction is 0."""
    from optimizer.uncertainty.montecarlo import interval_table, monte_carlo
    from optimizer.uncertainty.sample import Rescorer

    table, plans = _designed(tmp_path)
    ranges = _only(table, ["settings:*:buffer_fraction"])
    assert ranges[["low", "central", "high"]].iloc[0].tolist() == [0.10, 0.15, 0.20]
    rows = np.stack(list(plans.values()))
    rs = Rescorer(table, ranges)
    smp = latin_hypercube(ranges, 400, 5, rs.n_draws)
    mc = monte_carlo(table, rows, smp, [f"{a}+{b}" for a, b in plans], rescorer=rs)
    iv = interval_table(mc).set_index(["plan", "metric"])
    for (a, b), r in plans.items():
        label = f"{a}+{b}"
        c0 = float(table.data["credits_tco2e"][r].sum())
        removals = iv.loc[(label, "removals_tco2e")]
        assert removals["p5"] == pytest.approx(removals["central"], rel=1e-9)
        assert removals["p95"] == pytest.approx(removals["central"], rel=1e-9)
        got = iv.loc[(label, "credits_tco2e")]
        assert got["central"] == pytest.approx(c0, rel=1e-9)
        assert got["p5"] == pytest.approx(c0 * (1 - 0.195) / 0.85, rel=2e-3, abs=1e-9)
        assert got["p50"] == pytest.approx(c0 * (1 - 0.150) / 0.85, rel=2e-3, abs=1e-9)
        assert got["p95"] == pytest.approx(c0 * (1 - 0.105) / 0.85, rel=2e-3, abs=1e-9)
        assert deduction(mc.totals["removals_tco2e"][:, list(plans).index((a, b))], RULES["VCS"])[1] == 0.0
    # shrub everywhere earns credits; natural regeneration is the baseline and earns none
    assert float(table.data["credits_tco2e"][plans[("shrub", "shrub")]].sum()) > 0
    assert float(table.data["credits_tco2e"][plans[("natural_regeneration", "natural_regeneration")]].sum()) == 0


def test_designed_site_morris_by_hand(tmp_path):
    """Morris μ* of credits when only the buffer moves: credits are linear in it, so every
    elementary effect is −C0 (0.20 − 0.10) / 0.85 per unit of the unit cube, μ* = C0 · 0.1 / 0.85
    with no spread; a group that cannot move credits (the carbon price) has μ* = 0; the same seed
    gives the same table."""
    from optimizer.uncertainty.sensitivity import morris_screening

    table, plans = _designed(tmp_path)
    ranges = _only(table, ["settings:*:buffer_fraction", "settings:*:start_cny_per_t"])
    rows = np.stack(list(plans.values()))
    labels = [f"{a}+{b}" for a, b in plans]
    m = morris_screening(table, rows, ranges, trajectories=6, seed=2, labels=labels, metric="credits_tco2e")
    pd.testing.assert_frame_equal(m, morris_screening(table, rows, ranges, trajectories=6, seed=2, labels=labels,
                                                      metric="credits_tco2e"))
    for (a, b), label in zip(plans, labels, strict=True):
        c0 = float(table.data["credits_tco2e"][plans[(a, b)]].sum())
        d = m[m["plan"] == label].set_index("group")
        assert d.at["credits", "mu_star"] == pytest.approx(c0 * 0.1 / 0.85, rel=1e-9, abs=1e-9)
        assert d.at["price", "mu_star"] == pytest.approx(0.0, abs=1e-9)
        assert d.at["credits", "rank"] == 1 or c0 == 0


def _pulp_cvar(compiled, R, alpha):
    """An independent CVaR_α scenario MILP (Rockafellar & Uryasev 2000) written with PuLP and
    solved by HiGHS: max t − Σ u_s / (α S), u_s ≥ t − R_s·x, u ≥ 0, one option per zone, A x ≤ b."""
    import pulp

    S, n = R.shape
    m = pulp.LpProblem("cvar", pulp.LpMaximize)
    x = [m.add_variable(f"x{j}", cat="Binary") for j in range(n)]
    t = m.add_variable("t")
    u = [m.add_variable(f"u{s}", lowBound=0) for s in range(S)]
    m += t - pulp.lpSum(u) / (alpha * S)
    for z in range(compiled.n_zones):
        m += pulp.lpSum(x[j] for j in range(compiled.zone_ptr[z], compiled.zone_ptr[z + 1])) == 1
    for s in range(S):
        m += u[s] >= t - pulp.lpSum(float(R[s, j]) * x[j] for j in range(n))
    for a, b in zip(np.atleast_2d(compiled.A), np.atleast_1d(compiled.b), strict=True):
        m += pulp.lpSum(float(a[j]) * x[j] for j in range(n)) <= float(b)
    assert m.solve(pulp.HiGHS(msg=False, gapRel=0.0)) == pulp.LpStatusOptimal
    return np.array([v.value() > 0.5 for v in x]), pulp.value(m.objective)


def test_designed_site_cvar_plan_against_pulp_highs_and_by_hand(tmp_path):
    """The CVaR plan of the designed site under a budget that buys one shrub zone only: the
    scenario MILP of robust.py (scipy/HiGHS), an independent PuLP+HiGHS MILP and enumeration of the
    plans (by hand: two zones, two options) agree on the plan and its CVaR."""
    from optimizer.problem import Problem
    from optimizer.uncertainty.robust import scenario_matrix
    from optimizer.uncertainty.sample import Rescorer

    table, plans = _designed(tmp_path)
    capex = table.data["capex_cny"]
    budget = float(max(capex[plans[("shrub", "natural_regeneration")]].sum(),
                       capex[plans[("natural_regeneration", "shrub")]].sum())) * 1.001
    assert capex[plans[("shrub", "shrub")]].sum() > budget            # both shrubs do not fit
    compiled = Problem(objectives=("removals",), budget_cny=budget, enforce_tolerance=False).compile(table)
    assert np.array_equal(compiled.rows, np.arange(4))
    ranges = _only(table, ["growth_draws", "settings:*:buffer_fraction"] +
                   [k for k in parameter_ranges(table.catalog, table.settings)["key"] if ":shrub:" in k])
    rs = Rescorer(table, ranges)
    R = scenario_matrix(compiled, latin_hypercube(ranges, 40, 11, rs.n_draws), rescorer=rs)
    alpha = 0.2
    plan = cvar_plan(compiled, R, alpha, gap=1e-9)
    x, obj = _pulp_cvar(compiled, R, alpha)
    assert np.array_equal(compiled.rows[np.flatnonzero(x)], plan.rows)
    assert plan.objective == pytest.approx(obj, rel=1e-6)
    best = max((cvar(R[:, r].sum(axis=1), alpha), key) for key, r in plans.items() if capex[r].sum() <= budget)
    assert plan.objective == pytest.approx(best[0], rel=1e-9)
    assert np.array_equal(np.sort(plan.rows), np.sort(plans[best[1]]))


# ----------------------------------------------------------------------------------------------
# Robust plans fast (issue 13): the short removals path, the row reductions, the LP-bound CVaR.
def test_removals_path_equals_full_scoring_under_samples():
    """Rescorer.removals (removals_of_rows: terms telescoped, only the combinations used) gives the
    removals of the full chain (score_rows) under sampled values, on zones of every type with
    every measure of the catalog (degrading grass, backfilled and wet pools, burning heaps)."""
    from conftest import make_site
    from optimizer.options import evaluate_options
    from optimizer.uncertainty.sample import Rescorer

    site = make_site([
        dict(zone_id="A", zone_type="slope", slope_deg=28.0, slope_length_m=30.0, area_ha=2.0),
        dict(zone_id="C", area_ha=3.0, soil_depth_cm=20.0),
        dict(zone_id="E", zone_type="waste_heap", slope_deg=30.0, slope_length_m=25.0, burning="high", area_ha=1.2),
        dict(zone_id="F", zone_type="subsidence_pool", water_depth_m=1.0, area_ha=2.5),
        dict(zone_id="G", zone_type="subsidence_pool", water_depth_m=3.0, area_ha=1.5),
    ])
    table = evaluate_options(site)
    assert table.combos.params.degrades[table.combo].any()
    rs = Rescorer(table)
    smp = latin_hypercube(rs.ranges, 4, 5, rs.n_draws)
    rows = np.arange(table.n_rows)
    prepared = rs.prepare(rows)
    for k in range(smp.n):
        full = rs.score(prepared, smp.values[k])["removals_tco2e"]
        short = rs.removals(prepared, smp.values[k])
        np.testing.assert_allclose(short, full, rtol=1e-9, atol=1e-9 * np.abs(full).max())
    central = rs.removals(prepared, smp.mean_values())
    np.testing.assert_allclose(central, table.data["removals_tco2e"], rtol=1e-9, atol=1e-6)


def test_rescorer_scores_equal_the_full_chain_with_every_baseline():
    """Rescorer.score (only the combinations used, only the baselines subtracted, terms alone) equals
    the option table's chain (every combination, every zone's baseline fully scored) under samples,
    in every column and the annual net removals; at central values it reproduces the table."""
    from conftest import make_site
    from optimizer.options import COLUMNS, evaluate_options, row_inputs, score_rows
    from optimizer.options.accounting import baseline_credited_co2e, baseline_terms
    from optimizer.uncertainty.sample import Rescorer

    site = make_site([
        dict(zone_id="A", zone_type="slope", slope_deg=22.0, slope_length_m=30.0, area_ha=2.0),
        dict(zone_id="C", area_ha=3.0, soil_depth_cm=20.0, land_designation="planned_afforestation_land"),
        dict(zone_id="E", zone_type="waste_heap", slope_deg=30.0, slope_length_m=25.0, burning="low", area_ha=1.2),
        dict(zone_id="F", zone_type="subsidence_pool", water_depth_m=1.0, area_ha=2.5),
    ])
    table = evaluate_options(site)
    rs = Rescorer(table)
    rows = np.arange(0, table.n_rows, 3)                     # a subset: not every combination, every zone
    p = rs.prepare(rows)
    assert p["subtract"].any()
    smp = latin_hypercube(rs.ranges, 3, 9, rs.n_draws)
    for values in list(smp.values) + [smp.mean_values()]:
        got = rs.score(p, values, series=True)
        cat, s, combos = rs.inputs(values)
        base = baseline_terms(rs.zones, rs.base_combo, combos, s, cat)
        x = row_inputs(rs.zones, p["z"], table.combo[rows], combos, p["credited"],
                       baseline_credited_co2e(p["credited"], base, p["z"], p["subtract"]), p["leak"])
        want = score_rows(x, s, cat, series=True)
        for c in COLUMNS:
            np.testing.assert_allclose(got[c], want[c], rtol=1e-12, atol=1e-9, err_msg=c)
        np.testing.assert_allclose(got["series"]["credits_tco2e"], want["series"]["credits_tco2e"], rtol=1e-12,
                                   atol=1e-9)
    for c in ("removals_tco2e", "credits_tco2e", "cost_cny", "soil_loss_t_per_yr"):
        np.testing.assert_allclose(got[c], table.data[c][rows], rtol=1e-9, atol=1e-6, err_msg=c)


def test_possible_and_undominated_rows_by_hand():
    from optimizer.uncertainty.robust import possible_rows, undominated_rows

    # zone 0: rows 0, 1, 2; zone 1: rows 3, 4. Budget 10: row 2 (cost 9) plus zone 1's cheapest (2) is 11 > 10.
    compiled = SimpleNamespace(n_zones=2, n_options=np.array([3, 2]), zone_ptr=np.array([0, 3, 5]),
                               rows=np.arange(5), A=np.array([[1.0, 3.0, 9.0, 2.0, 2.0]]), b=np.array([10.0]))
    assert possible_rows(compiled).tolist() == [True, True, False, True, True]
    R = np.array([[1.0, 2.0, 9.0, 5.0, 5.0],
                  [1.0, 0.5, 9.0, 4.0, 4.0]])
    # row 1 is not dominated by row 0 (more removals in scenario 0, dearer); row 4 equals row 3: the first stays
    assert undominated_rows(compiled, R).tolist() == [True, True, True, True, False]
    R2 = R.copy()
    R2[:, 1] = [0.5, 0.5]                    # now row 0 has more removals everywhere and costs less
    assert undominated_rows(compiled, R2).tolist() == [True, False, True, True, False]


@pytest.mark.parametrize("seed", [1, 2])
def test_cvar_plan_certified_gap_holds_against_pulp_highs(seed):
    """A random 25-zone × 6-option × 60-scenario problem with a budget and a second stock: the plan's
    CVaR is within its certified gap of the optimum of an independent PuLP+HiGHS scenario MILP on
    the full (unreduced) problem, and the gap it reports is ≥ the true one."""
    rng = np.random.default_rng(seed)
    Z, K, S = 25, 6, 60
    n = Z * K
    base = rng.uniform(20, 100, n)
    R = base * rng.lognormal(0, 0.3, (S, n)) + rng.normal(0, 5, (S, n))
    A = np.vstack([base * rng.uniform(0.5, 1.5, n), rng.uniform(0, 3, n)])
    b = np.array([0.5 * A[0].reshape(Z, K).max(axis=1).sum(), 0.4 * A[1].reshape(Z, K).max(axis=1).sum()])
    compiled = SimpleNamespace(n_zones=Z, n_options=np.full(Z, K), zone_ptr=np.arange(0, n + 1, K),
                               rows=np.arange(n), A=A, b=b)
    plan = cvar_plan(compiled, R, alpha=0.1, gap=0.01)
    pos = compiled.zone_ptr[:-1] + plan.choice
    assert np.all(A[:, pos].sum(axis=1) <= b * (1 + 1e-7))
    assert plan.objective == pytest.approx(cvar(R[:, pos].sum(axis=1), 0.1), rel=1e-12)
    _, opt = _pulp_cvar(compiled, R, 0.1)
    assert plan.objective <= opt * (1 + 1e-7)
    assert plan.status == "optimal" and plan.gap <= 0.01
    assert (opt - plan.objective) / opt <= plan.gap + 1e-7


def test_cvar_plan_falls_back_to_the_scenario_milp_when_the_lp_rounding_is_not_enough(monkeypatch):
    """Asked for gap 0, the LP bound and its completion rarely meet: the scenario MILP runs (its dual
    bound tightens the certificate) and the plan is the PuLP+HiGHS optimum."""
    import optimizer.uncertainty.robust as robust

    rng = np.random.default_rng(4)
    Z, K, S = 12, 4, 30
    n = Z * K
    R = rng.uniform(5, 50, n) * rng.lognormal(0, 0.4, (S, n))
    A = rng.uniform(1, 10, (1, n))
    b = np.array([0.5 * A[0].reshape(Z, K).max(axis=1).sum()])
    compiled = SimpleNamespace(n_zones=Z, n_options=np.full(Z, K), zone_ptr=np.arange(0, n + 1, K),
                               rows=np.arange(n), A=A, b=b)
    calls = []
    real_milp = robust.milp

    def counting(*args, **kw):
        calls.append(int(np.asarray(kw["integrality"]).sum()))
        return real_milp(*args, **kw)

    monkeypatch.setattr(robust, "milp", counting)
    plan = cvar_plan(compiled, R, alpha=0.1, gap=0.0)
    _, opt = _pulp_cvar(compiled, R, 0.1)
    assert plan.objective == pytest.approx(opt, rel=1e-7)
    assert plan.status == "optimal" and plan.gap <= 1e-6
    # LP (0 integers), the completion of the split zones, then the full scenario MILP (every row kept)
    assert calls[0] == 0 and len(calls) == 3 and calls[2] > calls[1]


# ----------------------------------------------------------------------------------------------
# The Monte Carlo's compiled kernel (issue 13's 10⁴-zone benchmark): Rescorer.totals against the
# option table's numpy chain (Rescorer.score), on every row, under samples and random draws.
def _assert_totals_equal_score(rs, rows, value_sets, rtol=1e-9):
    from optimizer.uncertainty.sample import KERNEL_COLUMNS

    p = rs.prepare(rows)
    for values in value_sets:
        want = rs.score(p, values, series=True)
        got = rs.totals(p, values, series=True)
        for c in KERNEL_COLUMNS:
            w = np.asarray(want[c], dtype=float)
            np.testing.assert_allclose(np.asarray(got[c], dtype=float), w, rtol=rtol,
                                       atol=rtol * max(np.abs(w).max(initial=0.0), 1.0), err_msg=c)
        w = want["series"]["net_removals_tco2e"]
        np.testing.assert_allclose(got["series"]["net_removals_tco2e"], w, rtol=rtol, atol=rtol * np.abs(w).max())
    return p


def _random_draws(rs, n, seed):
    """Independent uniform draws in every range (not Latin-hypercube strata), random growth draws."""
    from optimizer.uncertainty.sample import to_values

    return list(to_values(rs.ranges, np.random.default_rng(seed).random((n, len(rs.ranges))), rs.n_draws))


@pytest.mark.parametrize("overrides", [None, {"tolerance_rule": "mean"}, {"horizon_yr": 8},
                                       {"tolerable_soil_loss_t_per_ha_yr": 0.5, "tolerance_early_years": 60}])
def test_kernel_totals_equal_the_numpy_chain_on_random_draws(overrides):
    """Every zone type and measure of the catalog (degrading grass, backfilled and wet pools, burning
    heaps, baselines subtracted, leakage), a horizon shorter than the degradation onset, both
    tolerance rules and an early window longer than the horizon: the kernel's totals, tolerance
    flags and annual net removals are the numpy chain's to 1e-9 relative."""
    from conftest import make_site
    from optimizer.options import evaluate_options
    from optimizer.uncertainty.sample import Rescorer

    site = make_site([
        dict(zone_id="A", zone_type="slope", slope_deg=28.0, slope_length_m=30.0, area_ha=2.0,
             land_designation="grassland"),
        dict(zone_id="C", area_ha=3.0, soil_depth_cm=20.0, land_designation="planned_afforestation_land"),
        dict(zone_id="E", zone_type="waste_heap", slope_deg=30.0, slope_length_m=25.0, burning="high", area_ha=1.2),
        dict(zone_id="F", zone_type="subsidence_pool", water_depth_m=1.0, area_ha=2.5),
        dict(zone_id="G", zone_type="subsidence_pool", water_depth_m=3.0, area_ha=1.5,
             land_designation="planned_afforestation_land"),
    ], overrides=overrides)
    table = evaluate_options(site)
    assert table.combos.params.degrades[table.combo].any()
    rs = Rescorer(table)
    rows = np.arange(table.n_rows)
    values = _random_draws(rs, 6, 11) + [latin_hypercube(rs.ranges, 1, 4, rs.n_draws).values[0]]
    p = _assert_totals_equal_score(rs, rows, values + [latin_hypercube(rs.ranges, 1, 4, rs.n_draws).mean_values()])
    assert p["subtract"].any() and (p["leak"] > 0).any()
    # the tolerance flags are not all equal, and the two rules differ on some row (the test can tell
    # a wrong rule)
    from optimizer.models.erosion import tolerance_tests

    sc = rs.score(p, values[0], series=True)
    flags = rs.totals(p, values[0])["within_tolerance"]
    assert flags.any() and not flags.all()
    s = table.settings
    mean_ok, early_ok, _, _ = tolerance_tests(sc["series"]["soil_loss_t"] / sc["area_ha"][:, None],
                                              s.tolerable_soil_loss_t_per_ha_yr, s.tolerance_early_years,
                                              s.tolerance_early_factor)
    if s.horizon_yr >= 20:          # a long horizon's mean passes where the bare first years fail
        assert (mean_ok & ~early_ok).any()
    # at central values the kernel reproduces the option table
    central = rs.totals(p, latin_hypercube(rs.ranges, 1, 4, rs.n_draws).mean_values())
    for c in ("removals_tco2e", "credits_tco2e", "credit_value_cny", "cost_cny", "soil_loss_t_per_yr"):
        np.testing.assert_allclose(central[c], table.data[c], rtol=1e-9, atol=1e-6, err_msg=c)
    np.testing.assert_array_equal(central["within_tolerance"], table.data["within_tolerance"])


@pytest.mark.parametrize("site_name", ["loess_dump", pytest.param("eastern_subsidence", marks=pytest.mark.slow),
                                       pytest.param("inner_mongolia_grassland", marks=pytest.mark.slow)])
def test_kernel_totals_equal_the_numpy_chain_on_the_bundled_sites(site_name):
    """Every row of a bundled site under Latin-hypercube samples and random draws: the kernel equals
    the numpy chain to 1e-9 relative."""
    from pathlib import Path

    from optimizer.options import evaluate_options
    from optimizer.site import read_site
    from optimizer.uncertainty.sample import Rescorer

    folder = Path(__file__).resolve().parents[1] / "sites" / site_name
    table = evaluate_options(read_site(next(folder.glob("zones.*")), None))
    rs = Rescorer(table)
    smp = latin_hypercube(rs.ranges, 2, 3, rs.n_draws)
    p = _assert_totals_equal_score(rs, np.arange(table.n_rows), list(smp.values) + _random_draws(rs, 2, 5))
    assert p["subtract"].any()


def test_monte_carlo_takes_the_kernel_and_other_columns_the_numpy_chain(monkeypatch):
    """monte_carlo's numbers come from Rescorer.totals (the kernel) and equal those gathered from
    the numpy chain; a column the kernel does not give (avoided emissions) is scored by the chain."""
    from conftest import make_site
    from optimizer.options import evaluate_options
    from optimizer.uncertainty.montecarlo import METRICS, monte_carlo
    from optimizer.uncertainty.sample import Rescorer

    table = evaluate_options(make_site([
        dict(zone_id="A", zone_type="slope", slope_deg=22.0, slope_length_m=30.0, area_ha=2.0),
        dict(zone_id="E", zone_type="waste_heap", slope_deg=30.0, slope_length_m=25.0, burning="low", area_ha=1.2),
        dict(zone_id="F", zone_type="subsidence_pool", water_depth_m=1.0, area_ha=2.5)]))
    rs = Rescorer(table)
    smp = latin_hypercube(rs.ranges, 5, 2, rs.n_draws)
    plans = np.stack([table.baseline_rows(), table.zone_ptr[1:] - 1])
    calls = {"totals": 0, "score": 0}
    for name in calls:
        real = getattr(Rescorer, name)

        def counted(self, *a, _real=real, _name=name, **k):
            calls[_name] += 1
            return _real(self, *a, **k)
        monkeypatch.setattr(Rescorer, name, counted)
    mc = monte_carlo(table, plans, smp, rescorer=rs)
    assert calls == {"totals": smp.n, "score": 0}
    p = rs.prepare(plans.ravel())
    for k in range(smp.n):
        sc = rs.score(p, smp.values[k], series=True)
        for m in METRICS:
            np.testing.assert_allclose(mc.totals[m][k], sc[m].reshape(plans.shape).sum(axis=1), rtol=1e-9, atol=1e-6)
        net = sc["series"]["net_removals_tco2e"].reshape(*plans.shape, -1).sum(axis=1)
        np.testing.assert_allclose(mc.cumulative[k], np.cumsum(net, axis=1), rtol=1e-9, atol=1e-6)
    from optimizer.problem import Problem
    from optimizer.uncertainty.robust import scenario_matrix

    compiled = Problem(objectives=("removals",)).compile(table)
    before = calls["score"]
    R = scenario_matrix(compiled, smp, column="avoided_tco2e", rescorer=rs)
    assert calls["score"] == before + smp.n and R.shape == (smp.n, len(compiled.rows))
