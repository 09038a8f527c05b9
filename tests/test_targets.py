"""Targets as constraints ("the cheapest plan that removes at least X t CO2e"): both exact paths
against brute force, and against HiGHS on a bundled site; infeasible targets explained."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from optimizer.errors import InfeasibleError, ProblemDefinitionError
from optimizer.evaluate import evaluate
from optimizer.problem import OBJECTIVES, Problem, Target, parse_constraints
from optimizer.solve.exact import epsilon_front, solve
from optimizer.solve.status import Status


def all_plans(compiled):
    n = compiled.n_options
    return np.array(list(itertools.product(*[range(k) for k in n])), dtype=np.int64)


@pytest.fixture(scope="module")
def free_totals(tiny_table):
    c = Problem(objectives=("cost",)).compile(tiny_table)
    return evaluate(c, all_plans(c)).totals


def test_parse_constraints_reads_targets_in_both_directions():
    kw = parse_constraints(["removals>=40000", "cost<=2e7", "credit_value ≥ 1_000", "soil_loss<=800",
                            "topsoil<=4e4", "share:woody>=0.3"])
    assert kw["targets"] == (Target("removals", low=40000.0), Target("cost", high=2e7),
                             Target("credit_value", low=1000.0), Target("soil_loss", high=800.0))
    assert kw["topsoil_stock_m3"] == 4e4 and kw["shares"][0].low == 0.3


@pytest.mark.parametrize("text", ["removals>=nan", "removals>=inf", "removal>=5", "removals=5", "budget>=5",
                                  "topsoil<=-1", "diversity>=0.5", "removals>=1e400"])
def test_bad_constraint_texts_are_refused_with_the_text_named(text):
    with pytest.raises(ProblemDefinitionError) as e:
        parse_constraints([text])
    assert repr(text) in str(e.value)


@pytest.mark.parametrize("objective,target,direction,frac", [
    ("cost", "removals", ">=", 0.3), ("cost", "removals", ">=", 0.8), ("capex", "credits", ">=", 0.5),
    ("removals", "cost", "<=", 0.4), ("removals", "soil_loss", "<=", 0.2), ("soil_loss", "credit_value", ">=", 0.6),
    ("cost", "removals", "<=", 0.5),
])
def test_target_optimum_matches_brute_force(tiny_table, free_totals, objective, target, direction, frac):
    col = OBJECTIVES[target].column
    v = free_totals[col]
    bound = float(v.min() + frac * np.ptp(v))
    t = Target(target, low=bound) if direction == ">=" else Target(target, high=bound)
    c = Problem(objectives=(objective,), targets=(t,), topsoil_stock_m3=20_000).compile(tiny_table)
    X = all_plans(c)
    ev = evaluate(c, X)
    tot = ev.totals[col]
    ok = tot >= bound - 1e-9 * abs(bound) if direction == ">=" else tot <= bound + 1e-9 * abs(bound)
    assert np.array_equal(ev.feasible, ok & evaluate(
        Problem(objectives=(objective,), topsoil_stock_m3=20_000).compile(tiny_table), X).feasible)
    best = ev.F[ev.feasible, 0].min()
    for method in ("fast", "milp"):
        plan = solve(c, method=method)
        got = evaluate(c, plan.choice[None, :])
        assert got.feasible[0], method
        assert plan.status is Status.OPTIMAL
        assert got.F[0, 0] <= best + plan.gap * max(1.0, abs(best)) + 1e-7 * max(1.0, abs(best)), method
        assert OBJECTIVES[objective].sense * plan.bound <= best + 1e-7 * max(1.0, abs(best))


def test_unreachable_target_says_the_most_any_plan_can_reach(tiny_table, free_totals):
    most = float(free_totals["removals_tco2e"].max())
    c = Problem(objectives=("cost",), targets=(Target("removals", low=most * 1.5 + 100),))
    with pytest.raises(InfeasibleError) as e:
        c.compile(tiny_table)
    msg = str(e.value)
    assert f"{most:,.0f} t CO2e" in msg and "the target asks at least" in msg


def test_target_infeasible_only_with_other_rows_is_explained(tiny_table, free_totals):
    """Reachable alone, but not within a small budget: the joint explanation names both."""
    most = float(free_totals["removals_tco2e"].max())
    capex = free_totals["capex_cny"]
    c = Problem(objectives=("cost",), targets=(Target("removals", low=0.95 * most),),
                budget_cny=float(capex.min() + 0.05 * np.ptp(capex))).compile(tiny_table)
    with pytest.raises(InfeasibleError) as e:
        solve(c)
    assert "target asks at least" in str(e.value) and "budget" in str(e.value)


def test_epsilon_front_respects_a_target(tiny_table, free_totals):
    lo = float(np.quantile(free_totals["removals_tco2e"], 0.5))
    c = Problem(objectives=("removals", "cost"), targets=(Target("removals", low=lo),)).compile(tiny_table)
    front = epsilon_front(c, points=5, workers=1)
    assert (front.values[:, 0] >= lo - 1e-6 * abs(lo)).all()


@pytest.mark.slow
def test_min_cost_to_target_on_a_bundled_site_agrees_with_highs():
    """The cheapest plan that removes at least 40,000 t CO2e on the Loess dump: the fast engine and
    PuLP + HiGHS (an independent solver) agree within their certified gaps."""
    from conftest import SITES
    from optimizer.options import evaluate_options
    from optimizer.site import read_site

    site = read_site(SITES / "loess_dump/zones.gpkg")
    table = evaluate_options(site)
    c = Problem.from_settings(site.settings, objectives=("cost",),
                              **parse_constraints(["removals>=40000"])).compile(table)
    fast = solve(c, method="fast", gap=1e-6, exact=True)
    milp = solve(c, method="milp", gap=1e-6, exact=True, time_limit_s=120)
    assert fast.totals["removals_tco2e"] >= 40000 - 1e-6 and milp.totals["removals_tco2e"] >= 40000 - 1e-6
    f, m = fast.objectives["cost"], milp.objectives["cost"]
    assert abs(f - m) <= 2e-6 * max(f, m) + 1.0
    assert fast.bound <= m * (1 + 1e-9) and milp.bound <= f * (1 + 1e-9)
