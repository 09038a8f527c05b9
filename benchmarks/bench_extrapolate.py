"""What a 100,000-scenario sweep and a 1,000-mine portfolio would take on a 10-node cluster, from
per-task costs measured here, and what binds first (issue 12, benchmarks item 3).

Measured on this machine:

- **runner overhead**, split into a part per task (one scheduler round trip: submit, schedule,
  result back) and a part per record (its journal row, written by the client): trivial work
  through :func:`optimizer.runner.run_journaled` on a one-worker LocalCluster, once as one task
  per record and once as :class:`~optimizer.runner.Batch` es of ``BATCH`` records, the two
  walls solved for the two parts. This is the serial part of any sweep: one scheduler and one
  client handle every task whatever the number of workers;
- **scoring** the Loess site once (its option table and annual credit series) and **solving a
  scenario in a batch** (:func:`optimizer.sweep.solve_batch`, what the runner runs since sweeps
  are batched: one re-weighting and compile per batch of one money setting, each budget a new
  right-hand side and a certified solve), per scenario, over batches of issue 12's Loess grid
  (objective credit value, as in bench_sweep); and, for comparison, one scenario solved alone;
- **bytes per scenario record** in the journal's Parquet parts;
- **the joined portfolio solve** on synthetic sites (:mod:`benchmarks.instances`) at growing sizes:
  time and the joined arrays' bytes per option; and **scoring a real site** per zone (the Loess
  site).

The model (printed with its inputs): a sweep of N scenarios on W workers runs in batches of
B = :func:`optimizer.sweep.batch_size` (N, W) scenarios (at most 20) and takes
``max(N · t_scenario / W, (N / B) · t_task + N · t_record) + t_score`` (the slower of the
workers and the one scheduler/client pipe, plus one scoring per distinct standard, done in
parallel); a portfolio
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


BATCH = 20                    # records per trivial batch (optimizer.sweep.BATCH_SCENARIOS)


def _noop(i: int) -> dict:
    return {"value": float(i)}


def _noop_batch(items: list) -> list[dict]:
    return [{"value": float(i)} for i in items]


def _runner_wall(client, tasks, folder: Path) -> float:
    from optimizer.runner import Journal, run_journaled

    t0 = time.perf_counter()
    run_journaled(client, tasks, Journal(folder))
    return time.perf_counter() - t0


def runner_overhead_s(n: int) -> dict:
    """The journaled runner on one local worker, trivial work: ``n / 4`` and ``n`` records as one
    task each, and ``n`` records in batches of ``BATCH``; the walls solved for a fixed cost per
    run (journal read, last part written), a cost per task (scheduler round trip) and per record."""
    from optimizer.runner import Batch, Item, Task, cluster

    def single(k: int, tag: str) -> list:
        return [Task(id=f"{tag}{i}", fn=_noop, args=(i,), meta={"i": i}) for i in range(k)]

    def batched(k: int, tag: str) -> list:
        return [Batch(fn=_noop_batch, args=(), items=tuple(Item(id=f"{tag}{i}", arg=i, meta={"i": i})
                                                           for i in range(j, min(k, j + BATCH))))
                for j in range(0, k, BATCH)]

    with tempfile.TemporaryDirectory() as tmp, cluster(workers=1) as client:
        _runner_wall(client, single(20, "w"), Path(tmp) / "warm")        # first submissions warm the cluster
        quarter = _runner_wall(client, single(n // 4, "q"), Path(tmp) / "quarter")
        whole = _runner_wall(client, single(n, "s"), Path(tmp) / "single")
        in_batches = _runner_wall(client, batched(n, "b"), Path(tmp) / "batched")
    both = (whole - quarter) / (n - n // 4)               # t_task + t_record
    fixed = max(0.0, whole - n * both)
    tasks_b = -(-n // BATCH)
    # in_batches = fixed + tasks_b·t_task + n·t_record, with t_task + t_record = both
    per_task = min(both, max(0.0, (whole - in_batches) / (n - tasks_b)))
    return {"single_s": whole / n, "batched_s": in_batches / n, "fixed_s": fixed, "per_task_s": per_task,
            "per_record_s": both - per_task}


def sweep_costs(n_batches: int, n_alone: int) -> dict:
    """Scoring the Loess site once; per scenario, the wall of batches of 20 budgets (one money
    setting each, issue 12's grid) and of scenarios solved alone."""
    from optimizer.sweep import SolveSpec, score_site, solve_batch, solve_scenario
    from optimizer.workflows import SiteInput

    spec = SolveSpec(objective="credit_value")
    budgets = np.linspace(1e7, 2e7, 20).tolist()
    money = [(p, d) for p in np.linspace(40, 80, 5) for d in np.linspace(0.03, 0.08, 5)]
    rng = np.random.default_rng(0)
    pick = [money[k] for k in rng.choice(len(money), size=min(n_batches, len(money)), replace=False)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        scored = score_site(SiteInput(SITE), None)
        score_s = time.perf_counter() - t0
        batch_s, records = [], []
        for price, discount in pick:
            scen = [{"price": float(price), "discount": float(discount), "budget": b} for b in budgets]
            t0 = time.perf_counter()
            out = solve_batch(scored, spec, scen)
            batch_s.append(time.perf_counter() - t0)
            records += [r for r in out if isinstance(r, dict)]
        alone = []
        for k in rng.choice(len(pick) * len(budgets), size=n_alone, replace=False):
            price, discount = pick[k // len(budgets)]
            sc = {"price": float(price), "discount": float(discount), "budget": budgets[k % len(budgets)]}
            t0 = time.perf_counter()
            solve_scenario(scored, sc, spec)
            alone.append(time.perf_counter() - t0)
    import pandas as pd

    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "r.parquet"
        pd.DataFrame(records).to_parquet(f)
        bytes_per = f.stat().st_size / len(records)
    per = np.array(batch_s) / len(budgets)
    return {"score_s": score_s, "solve_mean_s": float(per.mean()), "solve_max_s": float(per.max()),
            "alone_mean_s": float(np.mean(alone)), "batch_size": len(budgets), "batches": len(pick),
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


def extrapolate(overhead: dict, sweep: dict, port: list[dict], workers_per_node: int) -> dict:
    """The model of the module docstring, with its inputs."""
    from optimizer.sweep import batch_size

    W = NODES * workers_per_node
    B = batch_size(SWEEP_N, W)
    compute = SWEEP_N * sweep["solve_mean_s"] / W
    pipe = SWEEP_N / B * overhead["per_task_s"] + SWEEP_N * overhead["per_record_s"]
    pipe_unbatched = SWEEP_N * (overhead["per_task_s"] + overhead["per_record_s"])
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
        "workers": W, "batch": B,
        "sweep_compute_s": compute, "sweep_pipe_s": pipe, "sweep_total_s": sweep_s,
        "sweep_pipe_unbatched_s": pipe_unbatched,
        "sweep_binds": "the scheduler/client pipe" if pipe > compute else "the workers' solves",
        "pipe_binds_from_workers": SWEEP_N * sweep["solve_mean_s"] / pipe,
        "sweep_records_gib": SWEEP_N * sweep["record_bytes"] / 2 ** 30,
        "portfolio_scoring_s": scoring_s, "portfolio_solve_s": solve_s,
        "portfolio_budget_only_gib": base_gib, "portfolio_with_site_rows_gib": rows_gib,
        "portfolio_binds": ("memory of the one node holding the joined problem (dense per-site rows)"
                            if rows_gib > NODE_MEMORY_GIB else "the one joined solve (serial, one node)"
                            if solve_s > scoring_s else "scoring the sites"),
    }


def run(quick: bool) -> list[dict]:
    from optimizer.parallel import available_cpus

    overhead = runner_overhead_s(60 if quick else 800)
    sweep = sweep_costs(1 if quick else 6, 2 if quick else 12)
    sizes = [(2, 100, 10), (4, 100, 10)] if quick else [(10, 1000, 50), (20, 1000, 50), (40, 1000, 50)]
    port = portfolio_costs(sizes)
    per_node = max(1, available_cpus())
    x = extrapolate(overhead, sweep, port, per_node)
    b = "extrapolate"
    rows = [
        dict(benchmark=b, size="runner, 1 local worker", metric="per record, one task each", value=overhead["single_s"],
             unit="s", target=None),
        dict(benchmark=b, size="runner, 1 local worker", metric=f"per record, batches of {BATCH}",
             value=overhead["batched_s"], unit="s", target=None),
        dict(benchmark=b, size="runner, 1 local worker", metric="fixed per run", value=overhead["fixed_s"],
             unit="s", target=None),
        dict(benchmark=b, size="runner, 1 local worker", metric="per task (scheduler round trip)",
             value=overhead["per_task_s"], unit="s", target=None),
        dict(benchmark=b, size="runner, 1 local worker", metric="per record (journal)", value=overhead["per_record_s"],
             unit="s", target=None),
        dict(benchmark=b, size=f"Loess ({sweep['zones']} zones)", metric="score once", value=sweep["score_s"],
             unit="s", target=None),
        dict(benchmark=b, size=f"Loess scenario, {sweep['batches']} batches of {sweep['batch_size']}",
             metric="solve in a batch, mean per scenario", value=sweep["solve_mean_s"], unit="s", target=None),
        dict(benchmark=b, size=f"Loess scenario, {sweep['batches']} batches of {sweep['batch_size']}",
             metric="solve in a batch, slowest batch per scenario", value=sweep["solve_max_s"], unit="s", target=None),
        dict(benchmark=b, size="Loess scenario", metric="solved alone, mean", value=sweep["alone_mean_s"], unit="s",
             target=None),
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
        dict(benchmark=b, size=f"{SWEEP_N:,} scenarios, {where}", metric=f"scheduler/client pipe, batches of "
             f"{x['batch']}", unit="s", value=x["sweep_pipe_s"], target=None),
        dict(benchmark=b, size=f"{SWEEP_N:,} scenarios, {where}", metric="scheduler/client pipe, one task each",
             unit="s", value=x["sweep_pipe_unbatched_s"], target=None),
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
