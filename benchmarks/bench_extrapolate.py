"""What a 100,000-scenario sweep and a 1,000-mine portfolio would take on a 10-node cluster, from
per-task costs measured here, and what binds first (issue 12, benchmarks item 3).

Measured on this machine:

- **runner overhead per task**: trivial tasks through :func:`optimizer.runner.run_journaled` on a
  one-worker LocalCluster (scheduler, client, journal writes): the serial part of any sweep, since
  one scheduler and one client handle every task whatever the number of workers;
- **scoring** the Loess site once (its option table and annual credit series) and **solving one
  scenario** (money re-weighted, budget set, certified solve), over a sample of the Loess grid;
- **bytes per scenario record** in the journal's Parquet parts;
- **the joined portfolio solve** on synthetic sites (:mod:`benchmarks.instances`) at growing sizes:
  time and the joined arrays' bytes per option; and **scoring a real site** per zone (the Loess
  site).

The model (printed with its inputs): a sweep of N scenarios on W workers takes
``max(N · t_solve / W, N · t_overhead) + t_score`` (the slower of the workers and the
one scheduler/client pipe, plus one scoring per distinct standard, done in parallel); a portfolio
of S mines is ``S · t_score_site / W`` (scoring is parallel) plus **one** joined solve, which runs
in one process on one node: its time and memory scale with the options (fitted ∝ options from the
largest measured size), and every per-site coupling row adds a dense row of the joined matrix.
"""

from __future__ import annotations

import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

SITE = Path(__file__).resolve().parents[1] / "sites" / "loess_dump" / "zones.gpkg"
NODES = 10
SWEEP_N = 100_000
MINES = 1_000
MINE_ZONES, MINE_OPTIONS = 1_000, 50
NODE_MEMORY_GIB = 64.0        # assumed memory of one cluster node


def _noop(i: int) -> dict:
    return {"value": float(i)}


def runner_overhead_s(n: int) -> float:
    """Wall seconds per trivial task through the journaled runner on one local worker."""
    from optimizer.runner import Journal, Task, cluster, run_journaled

    with tempfile.TemporaryDirectory() as tmp, cluster(workers=1) as client:
        tasks = [Task(id=f"t{i}", fn=_noop, args=(i,), meta={"i": i}) for i in range(n)]
        t0 = time.perf_counter()
        run_journaled(client, tasks, Journal(Path(tmp) / "parts"))
        return (time.perf_counter() - t0) / n


def sweep_costs(n_sample: int) -> dict:
    """Scoring the Loess site once, and the mean and 95th-percentile solve of one scenario."""
    from optimizer.sweep import SolveSpec, scenarios, score_site, solve_scenario
    from optimizer.workflows import SiteInput

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        scored = score_site(SiteInput(SITE), None)
        score_s = time.perf_counter() - t0
        grid = {"price": [40.0, 60.0, 80.0], "discount": [0.03, 0.05, 0.08], "budget": [1.5e7, 2.2e7, 2.9e7]}
        scen = scenarios(grid).drop(columns="scenario_id").to_dict("records")
        rng = np.random.default_rng(0)
        pick = rng.choice(len(scen), size=min(n_sample, len(scen)), replace=False)
        times, records = [], []
        for k in pick:
            t0 = time.perf_counter()
            records.append(solve_scenario(scored, scen[k], SolveSpec(objective="removals")))
            times.append(time.perf_counter() - t0)
    import pandas as pd

    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "r.parquet"
        pd.DataFrame(records).to_parquet(f)
        bytes_per = f.stat().st_size / len(records)
    return {"score_s": score_s, "solve_mean_s": float(np.mean(times)), "solve_p95_s": float(np.percentile(times, 95)),
            "record_bytes": bytes_per, "zones": int(scored.table.n_zones)}


def portfolio_costs(sizes: list[tuple[int, int, int]]) -> list[dict]:
    """Join and certified solve of synthetic portfolios: (sites, zones, options) → time, bytes."""
    from benchmarks.instances import make_instance, to_compiled
    from optimizer import jit
    from optimizer.portfolio import SitePart, join_sites, solve_joined

    jit.warm_up(groups="mckp")
    out = []
    for n_sites, zones, options in sizes:
        parts, budget = [], 0.0
        for k in range(n_sites):
            inst = make_instance(zones, options, seed=1000 + k)
            parts.append(SitePart(f"s{k}", to_compiled(inst, objectives=("removals",), rows=()), 1e3 * inst["cost"]))
            budget += 0.3 * 1e3 * float(inst["cost"].reshape(zones, options).max(axis=1).sum())
        t0 = time.perf_counter()
        joined = join_sites(parts, budget)
        plan = solve_joined(joined, gap=1e-4)
        wall = time.perf_counter() - t0
        c = joined.compiled
        nbytes = c.A.nbytes + c.F.nbytes + c.b.nbytes + c.zone_ptr.nbytes + c.rows.nbytes
        out.append({"sites": n_sites, "options": n_sites * zones * options, "wall_s": wall, "bytes": nbytes,
                    "gap": plan.gap})
    return out


def extrapolate(overhead_s: float, sweep: dict, port: list[dict], workers_per_node: int) -> dict:
    """The model of the module docstring, with its inputs."""
    W = NODES * workers_per_node
    compute = SWEEP_N * sweep["solve_mean_s"] / W
    pipe = SWEEP_N * overhead_s
    sweep_s = max(compute, pipe) + sweep["score_s"]
    big = max(port, key=lambda r: r["options"])
    n_opt = MINES * MINE_ZONES * MINE_OPTIONS
    solve_s = big["wall_s"] * n_opt / big["options"]
    bytes_per_option_row = 8.0                        # one dense float64 coefficient per option and row
    base_gib = big["bytes"] / big["options"] * n_opt / 2 ** 30
    rows_gib = (1 + 2 * MINES) * n_opt * bytes_per_option_row / 2 ** 30   # budget + topsoil + gangue per mine
    score_site_s = sweep["score_s"] * MINE_ZONES / sweep["zones"]
    scoring_s = MINES * score_site_s / W
    return {
        "workers": W,
        "sweep_compute_s": compute, "sweep_pipe_s": pipe, "sweep_total_s": sweep_s,
        "sweep_binds": "the scheduler/client pipe" if pipe > compute else "the workers' solves",
        "pipe_binds_from_workers": sweep["solve_mean_s"] / overhead_s,
        "sweep_records_gib": SWEEP_N * sweep["record_bytes"] / 2 ** 30,
        "portfolio_scoring_s": scoring_s, "portfolio_solve_s": solve_s,
        "portfolio_budget_only_gib": base_gib, "portfolio_with_site_rows_gib": rows_gib,
        "portfolio_binds": ("memory of the one node holding the joined problem (dense per-site rows)"
                            if rows_gib > NODE_MEMORY_GIB else "the one joined solve (serial, one node)"
                            if solve_s > scoring_s else "scoring the sites"),
    }


def run(quick: bool) -> list[dict]:
    from optimizer.parallel import available_cpus

    overhead = runner_overhead_s(50 if quick else 400)
    sweep = sweep_costs(3 if quick else 27)
    sizes = [(2, 100, 10), (4, 100, 10)] if quick else [(10, 1000, 50), (20, 1000, 50), (40, 1000, 50)]
    port = portfolio_costs(sizes)
    per_node = max(1, available_cpus())
    x = extrapolate(overhead, sweep, port, per_node)
    b = "extrapolate"
    rows = [
        dict(benchmark=b, size="runner, 1 local worker", metric="overhead per task", value=overhead, unit="s",
             target=None),
        dict(benchmark=b, size=f"Loess ({sweep['zones']} zones)", metric="score once", value=sweep["score_s"],
             unit="s", target=None),
        dict(benchmark=b, size="Loess scenario", metric="solve, mean", value=sweep["solve_mean_s"], unit="s",
             target=None),
        dict(benchmark=b, size="Loess scenario", metric="solve, 95th percentile", value=sweep["solve_p95_s"],
             unit="s", target=None),
        dict(benchmark=b, size="Loess scenario", metric="record in the journal", value=sweep["record_bytes"],
             unit="B", target=None),
    ]
    for r in port:
        rows.append(dict(benchmark=b, size=f"portfolio {r['sites']} sites, {r['options']:,} options",
                         metric="join + certified solve", value=r["wall_s"], unit="s", target=None))
        rows.append(dict(benchmark=b, size=f"portfolio {r['sites']} sites, {r['options']:,} options",
                         metric="joined arrays", value=r["bytes"] / 2 ** 30, unit="GiB", target=None))
    where = f"{NODES} nodes × {per_node} workers"
    rows += [
        dict(benchmark=b, size=f"{SWEEP_N:,} scenarios, {where}", metric="workers' solves", unit="s",
             value=x["sweep_compute_s"], target=None),
        dict(benchmark=b, size=f"{SWEEP_N:,} scenarios, {where}", metric="scheduler/client pipe", unit="s",
             value=x["sweep_pipe_s"], target=None),
        dict(benchmark=b, size=f"{SWEEP_N:,} scenarios, {where}", metric=f"total (binds: {x['sweep_binds']})",
             unit="s", value=x["sweep_total_s"], target=None),
        dict(benchmark=b, size="sweep", metric="workers beyond which the pipe binds", unit="",
             value=x["pipe_binds_from_workers"], target=None),
        dict(benchmark=b, size=f"{SWEEP_N:,} scenarios", metric="journal size", unit="GiB",
             value=x["sweep_records_gib"], target=None),
        dict(benchmark=b, size=f"{MINES:,} mines × {MINE_ZONES} zones × {MINE_OPTIONS} options, {where}",
             metric="scoring the mines (parallel)", unit="s", value=x["portfolio_scoring_s"], target=None),
        dict(benchmark=b, size=f"{MINES:,} mines × {MINE_ZONES} zones × {MINE_OPTIONS} options",
             metric="one joined solve (one node)", unit="s", value=x["portfolio_solve_s"], target=None),
        dict(benchmark=b, size=f"{MINES:,} mines × {MINE_ZONES} zones × {MINE_OPTIONS} options",
             metric="joined arrays, budget only", unit="GiB", value=x["portfolio_budget_only_gib"], target=None),
        dict(benchmark=b, size=f"{MINES:,} mines × {MINE_ZONES} zones × {MINE_OPTIONS} options",
             metric=f"with 2 own rows per mine (binds: {x['portfolio_binds']})", unit="GiB",
             value=x["portfolio_with_site_rows_gib"], target=None),
    ]
    return rows


if __name__ == "__main__":
    import sys

    for r in run("--quick" in sys.argv):
        print(f"{r['size']:<60} {r['metric']:<55} {r['value']:.4g} {r['unit']}")
