"""One solve entry point: each method object gives what its solver gives; status and termination
are typed and apart; objective_name beside objective_value."""

from __future__ import annotations

import numpy as np
import pytest

import optimizer as sp
from optimizer.errors import ProblemDefinitionError
from optimizer.problem import Problem
from optimizer.solve import Epsilon, Exact, Genetic, Hybrid, Stop, Supported, solve
from optimizer.solve.exact import epsilon_front
from optimizer.solve.exact import solve as solve_exact
from optimizer.solve.status import Status, Termination


@pytest.fixture(scope="module")
def two(tiny_table):
    return Problem(objectives=("removals", "cost"), budget_cny=5e5).compile(tiny_table)


def test_exact_method_is_the_exact_solver(two):
    a = solve(two, Exact(objective="cost"), Stop(gap=1e-6))
    b = solve_exact(two, objective="cost", gap=1e-6)
    assert np.array_equal(a.choice, b.choice)
    assert a.objective_name == "cost" and a.objective_value == pytest.approx(a.objectives["cost"])
    assert a.status is Status.OPTIMAL and a.termination is Termination.GAP_REACHED
    s = a.summary()
    assert s["objective_name"] == "cost" and s["termination"] == "gap_reached"


def test_epsilon_and_supported_methods(two):
    f = solve(two, Epsilon(points=5, workers=1))
    g = epsilon_front(two, points=5, workers=1)
    assert np.allclose(f.values, g.values) and f.termination is Termination.GAP_REACHED
    s = solve(two.problem.with_(budget_cny=None).compile(two.table), Supported())
    assert len(s) >= 2 and s.method == "supported"


def test_genetic_and_hybrid_stop_by_their_budget(two):
    g = solve(two, Genetic(pop_size=12, seed=3, max_points=10), Stop(generations=5))
    assert g.info["generations"] == 5 and all(st is Status.FEASIBLE for st in g.status)
    h = solve(two, Hybrid(points=4, pop_size=12, seed=3, workers=1), Stop(generations=4))
    assert h.info["generations"] == 4 and len(h) >= 2


def test_method_by_name_and_bad_methods(two):
    assert solve(two, "exact").objective_name == "removals"
    with pytest.raises(ProblemDefinitionError, match="unknown method 'magic'"):
        solve(two, "magic")
    with pytest.raises(ProblemDefinitionError, match="not a solve method"):
        solve(two, 42)


def test_time_limited_status_is_not_optimal_and_says_why():
    assert Termination.of_status(Status.TIME_LIMIT) is Termination.TIME_LIMIT
    assert Termination.of_status(Status.FEASIBLE) is Termination.SEARCH_EXHAUSTED


def test_public_optimize_is_the_one_entry_point(two):
    assert sp.optimize is solve and sp.Epsilon is Epsilon and sp.Stop is Stop
