"""Benchmarks of the genetic and hybrid solvers (optimizer/solve/genetic.py, hybrid.py).

``run(quick)`` returns rows ``benchmark, size, metric, value, unit, target``:

1. **throughput**: evaluations per second of the genetic search (NSGA-II, population 100,
   removals–cost with a budget row) at 10,000 zones (10 and 50 options), everything included
   (operators, repair, duplicate checks, archive); target ≥ 3,000 (issue 11; issue 4 asked 2,500).
2. **hybrid 10⁴ × 50**: seeded from the exact ε-front (25 points), 20 s of search; hypervolume
   against the exact supported front (every hull vertex, the exact front's supported part) with
   the normalisation of :func:`optimizer.analysis.pareto.front_quality`; target ≥ 99.5 % within
   30 s, and never below the seed's.
3. **vs pymoo default**: pymoo's default integer NSGA-II (IntegerRandomSampling, SBX and PM with
   rounding, default duplicate elimination; infeasible children handled by pymoo's constraint
   domination) against ``genetic_front`` at the same number of evaluations, unseeded, both
   scored by the best feasible front they reached: the ratio of hypervolumes (ours / pymoo's), and
   of their speeds (pymoo's time / ours for the same number of evaluations; issue 11: ≥ 5).
4. **example sites**: removals, cost and fragmentation on each site in ``sites/``: the hybrid
   seeded with the exact removals–cost front; for each exact plan, the least fragmented hybrid plan
   costing no more and removing at least 99 % as much. Reported: best fragmentation cut at ≤ 1 %
   removals loss, and how many exact points got a ≥ 20 % cut.

Instances: ``benchmarks.instances.make_instance`` (docs/science.md §6.9) wrapped as a
compiled problem by :func:`compiled_from_instance` (vegetation types by option, zones on a grid of
100 m squares for adjacency). ``quick`` runs the smallest sizes (a few seconds each).

Run alone: ``python -m benchmarks.bench_genetic [--quick]``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

from benchmarks.instances import make_instance

ROOT = Path(__file__).resolve().parents[1]
THROUGHPUT_SIZES = [(10_000, 10), (10_000, 50)]
HYBRID_SIZE = (10_000, 50)
VS_PYMOO_SIZES = [(1_000, 10)]
SITES = ("loess_dump/zones.gpkg", "eastern_subsidence/zones.gpkg", "inner_mongolia_grassland/zones.geojson")
N_VEG = 6           # synthetic vegetation types; option o has type o mod N_VEG, option 0 none ("")


def _row(benchmark, size, metric, value, unit, target=None):
    return {"benchmark": benchmark, "size": size, "metric": metric, "value": value, "unit": unit, "target": target}


# ----------------------------------------------------------------------------------------------
# a compiled problem from a synthetic instance
# ----------------------------------------------------------------------------------------------
def grid_adjacency(n_zones: int, side_m: float = 100.0):
    """Zones on a row-major grid of squares (⌈√n⌉ wide): (i, j, shared_length_m) of rook pairs."""
    w = int(np.ceil(np.sqrt(n_zones)))
    z = np.arange(n_zones)
    right = z[(z % w < w - 1) & (z + 1 < n_zones)]
    down = z[z + w < n_zones]
    i = np.r_[right, down]
    j = np.r_[right + 1, down + w]
    o = np.lexsort((j, i))
    return i[o], j[o], np.full(len(i), side_m)


def compiled_from_instance(inst: dict, rows: tuple[str, ...] = ("budget",), objectives=("removals", "cost"),
                           adjacency: bool = True):
    """A :class:`optimizer.problem.Compiled` over a ``make_instance`` dict: removals = carbon
    [t C] (maximised), cost [kCNY] (minimised), coupling rows from ``rows`` (budget on cost,
    erosion cap). Non-linear objectives available: diversity, fragmentation (grid adjacency)."""
    from optimizer.problem import OBJECTIVES, Compiled, NonlinearInputs, Problem

    zp = np.asarray(inst["zone_ptr"], dtype=np.int64)
    n_rows = int(zp[-1])
    n_z = len(zp) - 1
    local = np.arange(n_rows) - np.repeat(zp[:-1], np.diff(zp))
    cols = {"removals": -np.asarray(inst["carbon_t"], float), "cost": np.asarray(inst["cost"], float),
            "soil_loss": np.asarray(inst["erosion_t"], float)}
    objs = tuple(OBJECTIVES[o] for o in objectives)
    F = np.vstack([cols[o.name] if o.linear else np.zeros(n_rows) for o in objs])
    table = {"budget": (inst["cost"], inst["budget"], "budget (cost)", "kCNY"),
             "erosion": (inst["erosion_t"], inst["erosion_cap"], "site soil loss", "t/yr")}
    A = np.array([table[r][0] for r in rows], dtype=float).reshape(len(rows), n_rows)
    b = np.array([table[r][1] for r in rows], dtype=float)
    veg = np.where(local == 0, 0, 1 + local % (N_VEG - 1)).astype(np.int32)
    nl = NonlinearInputs(veg_code=veg, veg_types=("",) + tuple(f"type{k}" for k in range(1, N_VEG)),
                         counted=np.r_[False, np.ones(N_VEG - 1, bool)], zone_area_ha=np.asarray(inst["area_ha"]),
                         adjacency=grid_adjacency(n_z) if adjacency else None)
    return Compiled(problem=Problem(objectives=tuple(objectives)), table=None, rows=np.arange(n_rows), zone_ptr=zp,
                    F=F, A=A, b=b, objectives=objs, con_names=tuple(table[r][2] for r in rows),
                    con_units=tuple(table[r][3] for r in rows), locked_zone=np.zeros(n_z, bool), nonlinear=nl)


# ----------------------------------------------------------------------------------------------
# the benchmarks
# ----------------------------------------------------------------------------------------------
def _warm_up():
    from optimizer.solve.genetic import genetic_front
    c = compiled_from_instance(make_instance(60, 6, 0), rows=("budget", "erosion"))
    genetic_front(c, seed=0, generations=3, pop_size=20)


def _supported_reference(c) -> np.ndarray:
    """Natural-sign (removals, cost) of every vertex of the exact supported front."""
    from optimizer.solve.exact import supported_front
    sup = supported_front(c)
    return np.c_[sup.supported["value"], sup.supported["cost"]]


def bench_throughput(quick: bool) -> list[dict]:
    from optimizer.solve.genetic import genetic_front
    rows = []
    for n_z, n_o in THROUGHPUT_SIZES[:1] if quick else THROUGHPUT_SIZES:
        c = compiled_from_instance(make_instance(n_z, n_o, seed=1))
        gens = 20 if quick else 100
        marks = []
        t = time.perf_counter()

        def on_generation(d, marks=marks, t=t):
            marks.append((time.perf_counter() - t, d["evaluations"]))

        f = genetic_front(c, seed=1, generations=gens, pop_size=100, callback=on_generation, hv_every=10**9)
        wall = time.perf_counter() - t
        (t1, e1), (t2, e2) = marks[0], marks[-1]
        size = f"{n_z}x{n_o}"
        name = "genetic throughput (pop 100)"
        rows += [_row(name, size, "evaluations_per_s", f.info["evaluations"] / wall, "1/s", ">= 3000"),
                 _row(name, size, "evaluations_per_s_after_setup", (e2 - e1) / (t2 - t1), "1/s"),
                 _row(name, size, "setup_and_first_generation_s", t1, "s"),
                 _row(name, size, "evaluations", f.info["evaluations"], ""),
                 _row(name, size, "wall_s", wall, "s")]
    return rows


def bench_hybrid(quick: bool) -> list[dict]:
    from optimizer.analysis.pareto import front_quality
    from optimizer.solve.exact import epsilon_front
    from optimizer.solve.hybrid import hybrid_front

    n_z, n_o = (1_000, 10) if quick else HYBRID_SIZE
    search_s = 3.0 if quick else 20.0
    c = compiled_from_instance(make_instance(n_z, n_o, seed=1))
    ref = _supported_reference(c)
    t = time.perf_counter()
    seeds = epsilon_front(c, points=25)
    exact_s = time.perf_counter() - t
    hist = []
    front = hybrid_front(c, seed_front=seeds, seed=1, time_limit_s=search_s, max_points=1000, reference=ref,
                         callback=hist.append, hv_every=10)
    total = time.perf_counter() - t
    q_seed = front_quality(c.natural(seeds.values), c.natural(ref))
    q = front_quality(c.natural(front.values), c.natural(ref))
    small = hybrid_front(c, seed_front=seeds, seed=1, time_limit_s=search_s / 4, max_points=100, reference=ref)
    size = f"{n_z}x{n_o}"
    name = "hybrid (25 exact seeds)"
    first_995 = next((h["elapsed_s"] for h in hist if h["hv"] / q["hv_ref"] >= 0.995), None)
    return [_row(name, size, "exact_front_s", exact_s, "s"),
            _row(name, size, "supported_vertices", len(ref), "points"),
            _row(name, size, "hv_ratio_seed", q_seed["hv_ratio"], ""),
            _row(name, size, "hv_ratio", q["hv_ratio"], "", ">= 0.995"),
            _row(name, size, "igd", q["igd"], ""),
            _row(name, size, "total_s", total, "s", "<= 30"),
            _row(name, size, "search_s_to_99.5pct", first_995, "s"),
            _row(name, size, "evaluations", front.info["evaluations"], ""),
            _row(name, size, "front_points", len(front), "points"),
            _row(name, size, "never_below_seed", bool(q["hv"] >= q_seed["hv"] - 1e-12), "", ">= 1"),
            _row(name, size, "hv_ratio_100_points", front_quality(c.natural(small.values), c.natural(ref))["hv_ratio"],
                 "")]


class _Recorder:
    """Every feasible plan a pymoo run evaluates goes to an archive (the best front it reached)."""

    def __init__(self, c, archive):
        self.c, self.archive = c, archive

    def __call__(self, algorithm):
        off = algorithm.off if algorithm.off is not None else algorithm.pop
        X = np.asarray(off.get("X"), dtype=np.int64)
        F, G = off.get("F"), off.get("G")
        ok = np.all(G <= 0, axis=1) if G is not None and G.size else np.ones(len(X), bool)
        self.archive.add(X[ok], F[ok])


def _pymoo_default(c, n_eval: int, seed: int):
    """pymoo's default integer NSGA-II set-up (its documented recipe for integer variables)."""
    from pymoo.algorithms.moo.nsga2 import NSGA2
    from pymoo.core.problem import Problem as PymooProblem
    from pymoo.operators.crossover.sbx import SBX
    from pymoo.operators.mutation.pm import PM
    from pymoo.operators.repair.rounding import RoundingRepair
    from pymoo.operators.sampling.rnd import IntegerRandomSampling
    from pymoo.optimize import minimize

    from optimizer.evaluate import evaluate
    from optimizer.solve.genetic import Archive

    class P(PymooProblem):
        def __init__(self):
            super().__init__(n_var=c.n_zones, n_obj=len(c.objectives), n_ieq_constr=len(c.b), xl=0,
                             xu=c.n_options - 1, vtype=int)

        def _evaluate(self, X, out, *a, **k):
            ev = evaluate(c, np.asarray(X, dtype=np.int64), totals=False)
            out["F"] = ev.F
            out["G"] = ev.G / np.maximum(1.0, np.abs(c.b))

    algo = NSGA2(pop_size=100, sampling=IntegerRandomSampling(),
                 crossover=SBX(prob=1.0, eta=3.0, vtype=float, repair=RoundingRepair()),
                 mutation=PM(prob=1.0, eta=3.0, vtype=float, repair=RoundingRepair()), eliminate_duplicates=True)
    archive = Archive(c.n_zones, len(c.objectives))
    t = time.perf_counter()
    minimize(P(), algo, ("n_eval", n_eval), seed=seed, callback=_Recorder(c, archive), verbose=False)
    return archive.F, time.perf_counter() - t


def bench_vs_pymoo(quick: bool) -> list[dict]:
    from optimizer.analysis.pareto import front_quality
    from optimizer.solve.genetic import genetic_front

    rows = []
    for n_z, n_o in [(200, 10)] if quick else VS_PYMOO_SIZES:
        n_eval = 3_000 if quick else 20_000
        c = compiled_from_instance(make_instance(n_z, n_o, seed=2))
        ref = c.natural(_supported_reference(c))
        F_pymoo, t_pymoo = _pymoo_default(c, n_eval, seed=1)
        t = time.perf_counter()
        ours = genetic_front(c, seed=1, evaluations=n_eval, max_points=10_000)
        t_ours = time.perf_counter() - t
        rnd = genetic_front(c, seed=1, evaluations=n_eval, max_points=10_000, sampling_weighted=0.0)
        hv = {k: front_quality(F, ref)["hv_ratio"] if len(F) else 0.0
              for k, F in (("pymoo", F_pymoo), ("ours", c.natural(ours.values)),
                           ("ours_random", c.natural(rnd.values)))}
        size = f"{n_z}x{n_o}, {n_eval} evals"
        name = "genetic vs pymoo default NSGA-II"
        rows += [_row(name, size, "hv_ratio_pymoo_vs_exact", hv["pymoo"], ""),
                 _row(name, size, "hv_ratio_ours_vs_exact", hv["ours"], ""),
                 _row(name, size, "hv_ratio_ours_random_start_vs_exact", hv["ours_random"], ""),
                 _row(name, size, "hv_ours_over_pymoo", hv["ours"] / hv["pymoo"] if hv["pymoo"] else None, ""),
                 _row(name, size, "hv_ours_random_start_over_pymoo",
                      hv["ours_random"] / hv["pymoo"] if hv["pymoo"] else None, ""),
                 _row(name, size, "pymoo_s", t_pymoo, "s"), _row(name, size, "ours_s", t_ours, "s"),
                 _row(name, size, "speed_ours_over_pymoo", t_pymoo / t_ours, "", ">= 5")]
    return rows


def bench_sites(quick: bool) -> list[dict]:
    from optimizer.adjacency import adjacency
    from optimizer.errors import InfeasibleError
    from optimizer.evaluate import evaluate
    from optimizer.options import evaluate_options
    from optimizer.problem import Problem
    from optimizer.site import read_site
    from optimizer.solve.exact import epsilon_front
    from optimizer.solve.hybrid import hybrid_front

    rows = []
    for rel in SITES[:1] if quick else SITES:
        site = read_site(ROOT / "sites" / rel)
        table = evaluate_options(site)
        adj = adjacency(site.zones)
        tolerance = True
        try:
            c = Problem.from_settings(site.settings, objectives=("removals", "cost", "fragmentation")) \
                .compile(table, adjacency=adj)
        except InfeasibleError:            # zones with no tolerable option: keep them (as --allow-intolerable)
            tolerance = False
            c = Problem.from_settings(site.settings, objectives=("removals", "cost", "fragmentation"),
                                      enforce_tolerance=False).compile(table, adjacency=adj)
        t = time.perf_counter()
        exact = epsilon_front(c.linear_part(), points=10 if quick else 25)
        front = hybrid_front(c, seed_front=exact, seed=1, generations=40 if quick else 400, max_points=500)
        wall = time.perf_counter() - t
        E = evaluate(c, exact.choices, totals=False).objectives          # removals, cost, fragmentation
        H = front.values
        cuts = []
        for r, cost, frag in E:
            ok = (H[:, 1] <= cost * (1 + 1e-9) + 1e-6) & (H[:, 0] >= r - 0.01 * abs(r))
            best = H[ok, 2].min() if ok.any() else frag
            cuts.append(1.0 - best / frag if frag > 0 else 0.0)
        cuts = np.array(cuts)
        top = int(np.argmax(E[:, 0]))          # the best exact plan: most removals within the budget
        name = f"sites: fragmentation ({Path(rel).parent.name})"
        size = f"{c.n_zones} zones, {len(c.rows)} options"
        focused = _focused_cuts(site, table, adj, tolerance, exact.choices[top], E[top], quick)
        rows += [_row(name, size, "best_exact_fragmentation_m", float(E[top, 2]), "m"),
                 _row(name, size, "best_exact_removals_tco2e", float(E[top, 0]), "t CO2e"),
                 _row(name, size, "cut_at_best_exact_plan", float(cuts[top]), "", ">= 0.2"),
                 *[_row(name, size, f"focused_cut_at_best_exact_plan_loss_{k}pct", v, "", ">= 0.2" if k == 1 else None)
                   for k, v in focused.items()],
                 _row(name, size, "max_cut_over_exact_points", float(cuts.max()), ""),
                 _row(name, size, "median_cut_over_exact_points", float(np.median(cuts)), ""),
                 _row(name, size, "exact_points_cut_ge_20pct", int((cuts >= 0.2).sum()), f"of {len(cuts)}"),
                 _row(name, size, "hv_hybrid_over_seed", front.info["hv"] / front.info["hv_seed"], "", ">= 1"),
                 _row(name, size, "tolerance_enforced", tolerance, ""),
                 _row(name, size, "wall_s", wall, "s")]
    return rows


def _focused_cuts(site, table, adj, tolerance, plan, values, quick) -> dict:
    """Removals against fragmentation only, under the site's constraints plus "cost (NPV) no more
    than the best exact plan's", seeded with the best removals plan at that cost: the least
    fragmentation found within 1, 2 and 5 % of the best exact plan's removals, as a cut."""
    from dataclasses import replace

    from optimizer.problem import Problem
    from optimizer.solve.hybrid import hybrid_front

    r0, cost0, frag0 = (float(v) for v in values)
    c = Problem.from_settings(site.settings, objectives=("removals", "fragmentation"),
                              enforce_tolerance=tolerance).compile(table, adjacency=adj)
    cost_row = np.asarray(table.data["cost_cny"], float)[c.rows]
    c = replace(c, A=np.vstack([c.A, cost_row]), b=np.r_[c.b, cost0 * (1 + 1e-9)],
                con_names=c.con_names + ("matched cost (NPV)",), con_units=c.con_units + ("CNY",))
    front = hybrid_front(c, seed=1, generations=60 if quick else 600, max_points=500)
    V = front.values
    out = {}
    for k in (1, 2, 5):
        ok = V[:, 0] >= r0 - k / 100 * abs(r0)
        out[k] = float(1.0 - V[ok, 1].min() / frag0) if ok.any() and frag0 > 0 else 0.0
    return out


def run(quick: bool = False) -> list[dict]:
    t = time.perf_counter()
    _warm_up()
    rows = [_row("genetic warm-up", "60x6", "first_call_s", time.perf_counter() - t, "s")]
    for bench in (bench_throughput, bench_hybrid, bench_vs_pymoo, bench_sites):
        rows += bench(quick)
    return rows


if __name__ == "__main__":
    for row in run(quick="--quick" in sys.argv):
        print(row)
