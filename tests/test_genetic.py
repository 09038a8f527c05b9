"""The genetic and hybrid searches against exact fronts: never better than the proven optimum,
≥ 99 % of the exact hypervolume on tiny instances, feasible children always, reproducible seeds."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_genetic import compiled_from_instance  # noqa: E402
from benchmarks.instances import make_instance  # noqa: E402
from optimizer.analysis import pareto as pa  # noqa: E402
from optimizer.evaluate import evaluate  # noqa: E402
from optimizer.problem import Problem, Share  # noqa: E402
from optimizer.solve.exact import epsilon_front  # noqa: E402
from optimizer.solve.genetic import Archive, genetic_front, thin  # noqa: E402
from optimizer.solve.hybrid import hybrid_front  # noqa: E402
from optimizer.solve.operators import Encoding  # noqa: E402


def exact_front_dp(c) -> np.ndarray:
    """Every Pareto-optimal (−removals, cost) pair of a synthetic problem whose one coupling row
    is a budget on cost, by dynamic programming over zones (a merge of non-dominated sets)."""
    assert len(c.b) == 1 and np.array_equal(c.A[0], c.F[1])
    front = np.zeros((1, 2))
    for z in range(c.n_zones):
        lo, hi = c.zone_ptr[z], c.zone_ptr[z + 1]
        opts = c.F[:, lo:hi].T
        cand = (front[:, None, :] + opts[None, :, :]).reshape(-1, 2)
        cand = cand[cand[:, 1] <= c.b[0] + 1e-9]
        front = cand[pa.nondominated_2d(cand)]
    return front


def feasible_strict(c, X) -> np.ndarray:
    return evaluate(c, X, totals=False).feasible


# ----------------------------------------------------------------------------------------------
# quality against exact fronts
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("n_zones,n_options,inst_seed", [(20, 10, 0), (15, 8, 1), (12, 10, 2)])
def test_tiny_instances_reach_99_percent_of_the_exact_hypervolume(n_zones, n_options, inst_seed):
    c = compiled_from_instance(make_instance(n_zones, n_options, inst_seed), adjacency=False)
    exact = exact_front_dp(c)
    front = genetic_front(c, seed=7, generations=150, pop_size=60, max_points=200, reference=c.natural(exact))
    q = pa.front_quality(c.natural(front.values), exact)
    assert q["hv_ratio"] >= 0.99, q
    assert front.info["hv_ratio"] == pytest.approx(q["hv_ratio"])
    # never better than the exact front: no genetic point dominates an exact one
    tol = 1e-9 * np.maximum(1.0, np.abs(exact))
    for g in c.natural(front.values):
        dominates = np.all(g <= exact + tol, axis=1) & np.any(g < exact - tol, axis=1)
        assert not dominates.any(), "a genetic plan dominates a point of the true front"
    assert feasible_strict(c, front.choices).all()


def test_linear_front_never_beats_the_certified_exact_points(tiny_table):
    c = Problem(objectives=("removals", "cost"), budget_cny=None, site_soil_loss_cap_t_per_yr=None,
                topsoil_stock_m3=20_000).compile(tiny_table)
    exact = epsilon_front(c, points=12, exact=True, workers=1)
    front = genetic_front(c, seed=3, generations=80, pop_size=40, reference=exact)
    E = c.natural(exact.values)            # minimisation sense
    G = c.natural(front.values)
    for e, gap in zip(E, exact.gaps):
        tol = (gap + 1e-9) * max(1.0, abs(e[0]))
        cheaper = G[:, 1] <= e[1] + 1e-9 * max(1.0, abs(e[1]))
        assert np.all(G[cheaper, 0] >= e[0] - tol), "a genetic plan removes more than the proven optimum"
    assert front.info["hv_ratio"] >= 0.98
    assert front.info["igd"] >= 0.0


# ----------------------------------------------------------------------------------------------
# repair: every child feasible (property test over random populations)
# ----------------------------------------------------------------------------------------------
def _problems(tiny_table):
    yield compiled_from_instance(make_instance(300, 12, 5), rows=("budget", "erosion"))
    yield compiled_from_instance(make_instance(50, 30, 6, correlated=False), rows=("budget",))
    free = Problem(objectives=("removals", "cost")).compile(tiny_table)
    X = np.floor(np.random.default_rng(0).random((500, free.n_zones)) * free.n_options).astype(np.int64)
    tot = evaluate(free, X).totals
    lo = lambda k, f: float(np.quantile(tot[k], f))  # noqa: E731
    yield Problem(objectives=("removals", "cost"), budget_cny=lo("capex_cny", 0.2),
                  site_soil_loss_cap_t_per_yr=lo("soil_loss_t_per_yr", 0.4), topsoil_stock_m3=lo("topsoil_m3", 0.3),
                  shares=(Share("woody", low=0.2),)).compile(tiny_table)


def test_repair_always_returns_feasible_plans(tiny_table):
    for k, c in enumerate(_problems(tiny_table)):
        enc = Encoding(c)
        from optimizer.solve.genetic import _anchor
        enc.anchor = _anchor(c, enc, None)
        for trial in range(5):
            rng = np.random.default_rng(100 * k + trial)
            X = enc.random_plans(200, rng)
            if trial % 2:                  # dearest options everywhere: maximally infeasible
                X[: len(X) // 2] = enc.n_options - 1
            Y, status = enc.repair(X)
            assert (status != 3).all()
            assert feasible_strict(c, Y).all(), (k, trial)
            assert enc.is_feasible(Y).all()
            untouched = status == 0
            np.testing.assert_array_equal(Y[untouched], X[untouched])
            assert (Y >= 0).all() and (Y < c.n_options).all()


def test_fused_generation_carries_exact_sums_hashes_and_feasibility(tiny_table):
    """Children of the fused kernel carry their parents' sums changed gene by gene: they agree
    with a fresh gather and with evaluate(), their hashes with a fresh hash, every child is
    feasible, and none is already in the population or made twice."""
    from optimizer.solve.generation import Generation, Survival
    from optimizer.solve.genetic import _anchor
    from optimizer.solve.operators import PlanSampling

    problems = [compiled_from_instance(make_instance(300, 12, 5), rows=("budget", "erosion"),
                                       objectives=("removals", "cost", "fragmentation")),
                *list(_problems(tiny_table))[-1:]]           # three site rows and a share
    for c in problems:
        enc = Encoding(c)
        enc.anchor = _anchor(c, enc, None)
        gen, surv = Generation(enc), Survival(c, 40)
        rng = np.random.default_rng(3)
        X, _ = enc.repair(PlanSampling(enc).sample(40, rng))
        T, H = enc.totals(X)
        _, first = np.unique(H, return_index=True)
        X, T, H = X[first], T[first], H[first]
        pop = surv.select(X, T, H, gen.score(X, T), 40, rng)
        repaired = 0
        for _ in range(15):
            kids = gen.offspring(pop, surv, 40, rng)
            assert kids is not None
            T2, H2 = enc.totals(kids.X)
            np.testing.assert_allclose(kids.T, T2, rtol=1e-12, atol=1e-9 * np.abs(T2).max())
            np.testing.assert_array_equal(kids.H, H2)
            ev = evaluate(c, kids.X, totals=False)
            np.testing.assert_allclose(kids.F, ev.F, rtol=1e-12, atol=1e-9 * np.abs(ev.F).max())
            assert ev.feasible.all() and gen.feasible(kids.T).all()
            assert len(np.unique(kids.H)) == len(kids.H) and not np.isin(kids.H, pop.H).any()
            assert (kids.X >= 0).all() and (kids.X < c.n_options).all()
            repaired += int((kids.status > 0).sum())
            pop = surv.select(np.vstack([pop.X, kids.X]), np.vstack([pop.T, kids.T]),
                              np.concatenate([pop.H, kids.H]), np.vstack([pop.F, kids.F]), 40, rng)
        assert repaired > 0                  # the repair inside the kernel was exercised


# ----------------------------------------------------------------------------------------------
# reproducibility, hybrid, archive, many objectives
# ----------------------------------------------------------------------------------------------
def test_same_seed_same_front():
    c = compiled_from_instance(make_instance(200, 10, 3), rows=("budget", "erosion"))
    a = genetic_front(c, seed=11, generations=25, pop_size=40)
    b = genetic_front(c, seed=11, generations=25, pop_size=40)
    d = genetic_front(c, seed=12, generations=25, pop_size=40)
    assert a.info["seed"] == 11
    np.testing.assert_array_equal(a.choices, b.choices)
    np.testing.assert_array_equal(a.values, b.values)
    assert a.info["evaluations"] == b.info["evaluations"]
    assert not (a.values.shape == d.values.shape and np.array_equal(a.values, d.values))
    assert isinstance(genetic_front(c, generations=2, pop_size=10).info["seed"], int)


def test_hybrid_never_below_its_seed_and_reports_quality():
    c = compiled_from_instance(make_instance(400, 20, 4))
    seen = []
    front = hybrid_front(c, points=8, seed=5, generations=40, pop_size=50, max_points=30, callback=seen.append,
                         workers=1)
    assert front.method == "hybrid"
    i = front.info
    assert i["hv"] >= i["hv_seed"] - 1e-12
    assert i["hv_ratio"] >= 1.0 - 1e-12              # the reference is the exact seed front itself
    assert {"seed", "evaluations", "generations", "igd", "exact_runtime_s"} <= set(i)
    assert feasible_strict(c, front.choices).all()
    assert seen and {"generation", "evaluations", "hv", "best", "archive"} <= set(seen[-1])
    assert seen[-1]["generation"] == 40 and seen[-1]["best"]["removals"] > 0


def test_archive_keeps_only_nondominated_and_thinning_protects():
    rng = np.random.default_rng(0)
    arc = Archive(n_zones=3, n_obj=2, capacity=50)
    for _ in range(20):
        F = rng.random((30, 2))
        arc.add(rng.integers(0, 5, (30, 3)), F)
        assert len(arc) <= 50
        assert len(pa.nondominated_2d(arc.F)) == len(arc)
    F = np.c_[np.linspace(0, 1, 100), 1 - np.linspace(0, 1, 100) ** 0.5]
    k = thin(F, 10, protect=np.array([50, 51]))
    assert len(k) == 10 and {0, 99, 50, 51} <= set(k.tolist())


@pytest.mark.slow
def test_many_objectives_use_nsga3(tiny_table):
    import geopandas as gpd
    from shapely.geometry import box

    from optimizer.adjacency import adjacency
    gdf = gpd.GeoDataFrame({"zone_id": list("ABCDEF")},
                           geometry=[box(100 * k, 0, 100 * (k + 1), 100) for k in range(6)], crs="EPSG:32649")
    c = Problem(objectives=("removals", "cost", "diversity", "fragmentation"), topsoil_stock_m3=20_000) \
        .compile(tiny_table, adjacency=adjacency(gdf))
    front = genetic_front(c, seed=2, generations=15, pop_size=30)
    assert front.info["algorithm"] == "NSGA-III"
    assert feasible_strict(c, front.choices).all()
    F = c.natural(front.values)
    assert len(pa.nondominated(F)) == len(F)


def test_single_objective_genetic(tiny_table):
    c = Problem(objectives=("removals",), topsoil_stock_m3=20_000).compile(tiny_table)
    front = genetic_front(c, seed=1, generations=20, pop_size=20)
    from optimizer.solve.exact import solve
    best = solve(c, exact=True)
    assert len(front) == 1
    assert front.values[0, 0] <= best.objectives["removals"] * (1 + 1e-9) + 1e-9


def test_cli_pareto_genetic_end_to_end(tmp_path):
    import json

    from optimizer.cli import main
    site = str(Path(__file__).resolve().parents[1] / "sites/inner_mongolia_grassland/zones.geojson")
    out = tmp_path / "g"
    code = main(["pareto", site, "--method", "hybrid", "--objectives", "removals,cost,fragmentation", "--points", "4",
                 "--generations", "5", "--pop-size", "20", "--max-points", "6", "--seed", "3", "--workers", "1",
                 "--out", str(out)])
    assert code == 0
    doc = json.loads((out / "manifest.json").read_text())
    assert doc["solver"]["method"] == "hybrid" and doc["solver"]["seed"] == 3
    front = pd.read_csv(out / "front.csv")
    assert list(front.columns[1:4]) == ["removals", "cost", "fragmentation"] and len(front) >= 1
    assert code == main(["pareto", site, "--method", "genetic", "--points", "4", "--generations", "3", "--pop-size",
                         "10", "--max-points", "3", "--seed", "4", "--workers", "1", "--out", str(tmp_path / "l")])
    assert main(["pareto", site, "--method", "exact", "--objectives", "removals,fragmentation",
                 "--out", str(tmp_path / "x")]) == 2


@pytest.mark.parametrize("rows,objectives", [((), ("removals", "cost")), ((), ("diversity", "fragmentation")),
                                             (("budget",), ("diversity", "fragmentation"))])
def test_genetic_without_rows_or_without_linear_objectives(rows, objectives):
    """The fused pass with no coefficient column of one kind (or of either): plans still scored and
    feasible."""
    c = compiled_from_instance(make_instance(100, 8, 0), rows=rows, objectives=objectives)
    front = genetic_front(c, seed=1, generations=10, pop_size=20)
    ev = evaluate(c, front.choices, totals=False)
    assert len(front) >= 1 and ev.feasible.all()
    np.testing.assert_allclose(front.values, ev.objectives)


def test_a_hybrid_front_holds_each_plan_once(tmp_path):
    """The README's three-objective hybrid front of the Loess dump once listed its best plan twice
    (the exact seed and a child reaching the same plan through sums kept by differences, a rounding
    apart in one objective): every point is a distinct plan."""
    from optimizer.cli import main
    site = str(Path(__file__).resolve().parents[1] / "sites/loess_dump/zones.gpkg")
    out = tmp_path / "h"
    assert main(["pareto", site, "--objectives", "removals,cost,diversity", "--method", "hybrid", "--points", "9",
                 "--generations", "30", "--seed", "1", "--workers", "1", "--quiet", "--out", str(out)]) == 0
    plans = sorted((out / "plans").glob("point_*.csv"))
    choices = [tuple(pd.read_csv(f)["option_id"]) for f in plans if not f.name.endswith("_trajectories.csv")]
    assert len(choices) >= 10
    assert len(set(choices)) == len(choices)
