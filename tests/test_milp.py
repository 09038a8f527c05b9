"""The general MILP path (PuLP + HiGHS, PuLP + CBC, HiGHS direct) against brute force.

Tiny seeded multiple-choice knapsacks are enumerated completely; the solvers must find the same
optimum, return a feasible plan and a bound below it, and prove infeasibility when brute force
finds no plan. The wall-clock tests check the outside deadline, including when the solver
ignores its own limit (forced here by patching the time handed to the solver).
"""

from __future__ import annotations

import itertools
import math
import os
import tempfile
import time
import uuid

import numpy as np
import pytest

from optimizer.errors import SolverError
from optimizer.solve import milp
from optimizer.solve.core import LinearCore
from optimizer.solve.milp import build_pulp_model, highs_csr_arrays, parse_cbc_log, solve_highs_direct, solve_milp
from optimizer.solve.status import Status

ENGINES = ("highs", "cbc", "highs-direct")


def solve(engine: str, core: LinearCore, **kw) -> milp.SolveResult:
    if engine == "highs-direct":
        return solve_highs_direct(core, **kw)
    return solve_milp(core, solver=engine, **kw)


# ----------------------------------------------------------------------------- instances

def tiny_core(seed: int) -> LinearCore:
    """A random MCKP: 1–6 zones of 1–4 options (option 0 = do nothing), 0–3 coupling rows.

    Rows: a budget (cost), a sparse non-negative row (many exact zeros), and a minimum restored
    area written as ``-area <= -share * total`` that can make the instance infeasible.
    """
    rng = np.random.default_rng(seed)
    n_zones = int(rng.integers(1, 7))
    n_opts = rng.integers(1, 5, n_zones)
    zone_ptr = np.concatenate(([0], np.cumsum(n_opts))).astype(np.int64)
    n = int(zone_ptr[-1])
    first = np.zeros(n, bool)
    first[zone_ptr[:-1]] = True
    area = np.repeat(rng.uniform(0.5, 5.0, n_zones), n_opts)
    carbon = np.where(first, 0.0, area * rng.uniform(0.0, 10.0, n))
    cost = np.where(first, 0.0, carbon * rng.uniform(0.8, 1.2, n) + area * rng.uniform(0, 2, n))
    sparse = np.where(first | (rng.random(n) < 0.5), 0.0, rng.uniform(0.0, 3.0, n))
    restored = np.where(first, 0.0, -area)
    rows = [cost, sparse, restored]
    per_zone_max = lambda v: np.maximum.reduceat(v, zone_ptr[:-1]).sum()  # noqa: E731
    b = [rng.uniform(0.2, 0.7) * per_zone_max(cost),
         rng.uniform(0.2, 0.9) * per_zone_max(sparse),
         -rng.uniform(0.2, 1.0) * area[first].sum()]
    m = int(rng.integers(0, 4))
    return LinearCore(zone_ptr, -carbon, np.array(rows[:m]).reshape(m, n), np.array(b[:m]),
                      ("budget", "soil loss", "restored area")[:m])


def brute_force(core: LinearCore) -> float | None:
    """Minimum of c·x over every plan meeting A x <= b (``None``: no plan does)."""
    sizes = np.diff(core.zone_ptr)
    plans = np.array(list(itertools.product(*[range(k) for k in sizes])), dtype=np.int64)
    rows = core.zone_ptr[:-1] + plans
    values = core.c[rows].sum(axis=1)
    ok = np.all(core.A[:, rows].sum(axis=2) <= core.b[:, None] + 1e-9, axis=0)
    return float(values[ok].min()) if ok.any() else None


def hard_core(n_zones: int = 3000, n_options: int = 30, seed: int = 7) -> LinearCore:
    """Carbon correlated with cost, a budget row and a site soil-loss row (the benchmark generator of
    docs/science.md §6.9)."""
    rng = np.random.default_rng(seed)
    area = rng.uniform(0.5, 5.0, n_zones)[:, None]
    fertility = rng.uniform(0.5, 1.5, n_zones)[:, None]
    rate = np.sort(rng.uniform(0.0, 10.0, (n_zones, n_options)), axis=1)
    rate[:, 0] = 0.0
    carbon = area * fertility * rate * rng.uniform(0.8, 1.2, rate.shape)
    cost = area * (rate * rng.uniform(0.8, 1.2, rate.shape) + rng.uniform(0, 2, rate.shape))
    cost[:, 0] = 0.0
    soil = area * 5.0 * rng.uniform(0.1, 1.0, rate.shape)
    soil[:, 0] = area[:, 0] * 5.0
    zone_ptr = np.arange(n_zones + 1, dtype=np.int64) * n_options
    A = np.vstack([cost.ravel(), soil.ravel()])
    b = np.array([0.3 * cost.max(axis=1).sum(), 0.6 * soil.max(axis=1).sum()])
    return LinearCore(zone_ptr, -carbon.ravel(), A, b, ("budget", "soil_loss"))


# ----------------------------------------------------------------------------- building

def test_pulp_model_matches_the_arrays():
    core = tiny_core(10)  # 5 zones, 3 coupling rows, the second with exact zeros
    assert core.n_coupling == 3 and np.count_nonzero(core.A[1]) < core.n_rows
    prob, x = build_pulp_model(core, name="t")
    assert len(x) == core.n_rows
    assert [v.name for v in sorted(x, key=lambda v: v.name)] == [v.name for v in x]
    rows = prob._constraints
    pos = {id(v): k for k, v in enumerate(x)}  # LpVariable.__eq__ builds a constraint
    assert list(rows)[core.n_zones:] == [n.replace(" ", "_") for n in core.row_names]
    for z in range(core.n_zones):
        gub = rows[f"zone_{z}"]
        assert [pos[id(v)] for v in gub.keys()] == list(range(core.zone_ptr[z], core.zone_ptr[z + 1]))
    for i, name in enumerate(list(rows)[core.n_zones:]):
        row = rows[name]
        assert len(row) == np.count_nonzero(core.A[i])      # zeros skipped
        assert -row.constant == pytest.approx(core.b[i])
        for v, a in row.items():
            assert a == core.A[i, pos[id(v)]]
    assert len(prob.objective) == np.count_nonzero(core.c)


def test_highs_csr_arrays_rebuild_the_matrix():
    core = tiny_core(5)
    a = highs_csr_arrays(core)
    n_rows = core.n_zones + core.n_coupling
    dense = np.zeros((n_rows, core.n_rows))
    ends = np.append(a["start"][1:], len(a["index"]))
    for r in range(n_rows):
        dense[r, a["index"][a["start"][r]:ends[r]]] = a["value"][a["start"][r]:ends[r]]
    gub = (core.zone_of_row[None, :] == np.arange(core.n_zones)[:, None]).astype(float)
    np.testing.assert_array_equal(dense, np.vstack([gub, core.A]))
    np.testing.assert_array_equal(a["row_upper"], np.concatenate([np.ones(core.n_zones), core.b]))


def test_cbc_log_bound_stays_below_the_printed_value():
    log = ("Version: 2.10.3 \nCbc0011I Exiting as integer gap of 1.572523 less than 1e-10 or 0.1%\n"
           "Result - Optimal solution found (within gap tolerance)\n\n"
           "Objective value:                -2275.81727921\nLower bound:                    -2277.390\n")
    p = parse_cbc_log(log)
    assert p["solver_version"] == "CBC 2.10.3" and p["result"].startswith("Optimal")
    assert p["bound"] == pytest.approx(-2275.81727921 - 1.572523 - 5e-7 - 5e-9)
    timed = ("Cbc0005I Partial search - best objective -42437.269 (best possible -42442.634), took\n"
             "Result - Stopped on time limit\n\nObjective value:   -42437.26940732\n")
    assert parse_cbc_log(timed)["bound"] == pytest.approx(-42442.6345)
    assert parse_cbc_log("Result - Stopped on time limit\n")["bound"] == -math.inf


# ----------------------------------------------------------------------------- brute force

SEEDS = range(12)  # includes infeasible ones (8, 11) and 0–3 rows


@pytest.mark.parametrize("engine", ENGINES)
def test_tiny_instances_match_brute_force(engine):
    statuses = set()
    for seed in SEEDS:
        core = tiny_core(seed)
        best = brute_force(core)
        res = solve(engine, core, time_limit_s=20.0, gap_rel=1e-7)
        statuses.add(res.status)
        if best is None:
            assert res.status is Status.INFEASIBLE, (seed, res.message)
            assert res.choice is None
            continue
        assert res.status is Status.OPTIMAL, (seed, res.message)
        tol = 1e-6 * max(1.0, abs(best))
        assert core.is_feasible(res.choice, tol=1e-6), seed
        assert res.objective == core.value(res.choice)
        assert res.objective == pytest.approx(best, abs=tol), seed
        assert res.bound <= best + tol, seed
        assert res.gap <= 1e-6
        assert res.info["bound_source"] and not res.info["deadline_hit"]
        assert res.info["solver_version"]
    assert statuses == {Status.OPTIMAL, Status.INFEASIBLE}  # both kinds were exercised


@pytest.mark.parametrize("engine", ENGINES)
def test_infeasible_instance(engine):
    core = LinearCore(np.array([0, 2, 5]), np.array([0.0, -1.0, 0.0, -2.0, -3.0]),
                      np.array([[0.0, 1.0, 0.0, 1.0, 2.0], [0.0, -1.0, 0.0, -1.0, -1.0]]),
                      np.array([1.5, -2.5]), ("budget", "restored area"))
    res = solve(engine, core, time_limit_s=10.0, gap_rel=1e-6)
    assert res.status is Status.INFEASIBLE and res.choice is None, res.message


def test_unknown_or_missing_solver(monkeypatch):
    core = tiny_core(1)
    with pytest.raises(SolverError, match=r"unknown MILP solver 'gurobi'.*'highs', 'cbc'"):
        solve_milp(core, solver="gurobi")
    monkeypatch.setattr(milp, "_available_solvers", lambda: {"highs": True, "cbc": False})
    with pytest.raises(SolverError, match="'cbc' is not available.*available here: highs"):
        solve_milp(core, solver="cbc")


# ----------------------------------------------------------------------------- the wall clock

@pytest.mark.slow
@pytest.mark.parametrize("engine", ENGINES)
def test_time_limit_holds_on_a_hard_instance(engine):
    core = hard_core()
    limit = 2.0
    res = solve(engine, core, time_limit_s=limit, gap_rel=1e-6)
    # how long the stop takes is measured in benchmarks/, never asserted here (a loaded machine)
    assert res.status in (Status.TIME_LIMIT, Status.OPTIMAL, Status.FEASIBLE), res.message
    if res.status is Status.OPTIMAL:  # only if the solver proved it
        assert res.info["solver_status"] in ("Optimal", "Optimal solution found")
        assert res.gap <= 1e-6 * (1 + 1e-3)
    if res.choice is not None:
        assert core.is_feasible(res.choice, tol=1e-6)
        assert res.objective == core.value(res.choice) and res.bound <= res.objective


def _our_cbc_processes(tag: str) -> list[int]:
    pids = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if tag.encode() in f.read():
                    pids.append(int(pid))
        except OSError:
            pass
    return pids


@pytest.mark.slow
@pytest.mark.parametrize("engine", ENGINES)
def test_outside_deadline_when_the_solver_ignores_its_limit(engine, monkeypatch):
    """HiGHS 1.16 overruns its limit in the root reduced-cost sub-MIP; simulate any overrun."""
    core = hard_core(1000, 10, seed=1)
    tag = f"sinkplan-test-{uuid.uuid4().hex}-"
    real_mkdtemp = milp.run.tempfile.mkdtemp
    # patched where the child looks them up (optimizer.solve.milp.run)
    monkeypatch.setattr(milp.run, "_time_left", lambda deadline: 1e6)  # the solver gets no limit
    monkeypatch.setattr(milp.run.tempfile, "mkdtemp", lambda prefix="": real_mkdtemp(prefix=tag))
    limit = 1.0
    res = solve(engine, core, time_limit_s=limit, gap_rel=0.0)
    # the solver had no limit of its own: only the outside deadline can have ended it
    assert res.status is Status.TIME_LIMIT and res.info["deadline_hit"], res.message
    assert "outside deadline" in res.message
    # HiGHS leaves its incumbents in shared memory as it finds them; whether it found one within
    # the second depends on the machine's load, so an incumbent is checked only when there is one
    if res.choice is not None:
        assert core.is_feasible(res.choice, tol=1e-6)
        assert res.objective == core.value(res.choice)
        assert res.bound <= res.objective
        # a dual bound exists only once HiGHS has reported one after its incumbent (load again)
        assert res.gap < 1.0 if res.bound > -math.inf else res.gap == math.inf
    else:
        assert res.bound == -math.inf
    time.sleep(0.3)
    assert _our_cbc_processes(tag) == []  # the CBC binary did not outlive its parent
    assert not any(p.name.startswith(tag) for p in os.scandir(tempfile.gettempdir()))
