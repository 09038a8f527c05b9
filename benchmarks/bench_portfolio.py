"""Portfolio under one shared budget: synthetic sites from :mod:`benchmarks.instances` (each its
own seed) joined into one problem, solved to a certified gap of 1e-4, then a budget front.

Full size: 50 sites × 1,000 zones × 50 options (2.5 M options) under one budget (30 % of the sum
of every zone's dearest option); targets: certified plan ≤ 10 s and ≤ 4 GiB, a 20-point budget
front ≤ 60 s (issue 12). Quick: 3 sites × 50 zones × 10 options, a 3-point front. Peak memory is
the process's maximum resident set (ru_maxrss), which includes whatever ran before in the process.

Then the same sites under budgets per year of spending (docs/portfolio.md): each option pays its
cost in year 0 and running costs of 2–8 % of it (none for three options in ten) in years 1 and 2,
seeded; three yearly rows, year 0 at the budget, year 1 at 80 % of what the budget-only plan
spends that year (so it binds), year 2 loose: the certified plan's time and gap.
"""

from __future__ import annotations

import resource
import sys
import time

import numpy as np


def _peak_gib() -> float:
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kib / (1024 ** 3 if sys.platform == "darwin" else 1024 ** 2)


def run(quick: bool) -> list[dict]:
    from benchmarks.instances import make_instance, to_compiled
    from optimizer import jit
    from optimizer.portfolio import SitePart, budget_front, join_sites, solve_joined
    from optimizer.portfolio.shared import year_rows

    n_sites, zones, options, points = (3, 50, 10, 3) if quick else (50, 1000, 50, 20)
    jit.warm_up(groups="mckp")
    t0 = time.perf_counter()
    parts, budget, spend = [], 0.0, []
    for k in range(n_sites):
        inst = make_instance(zones, options, seed=1000 + k)
        capex = 1e3 * inst["cost"]
        parts.append(SitePart(f"site_{k:03d}", to_compiled(inst, objectives=("removals",), rows=()), capex))
        budget += 0.3 * 1e3 * float(inst["cost"].reshape(zones, options).max(axis=1).sum())
        rng = np.random.default_rng(2000 + k)
        running = capex[:, None] * rng.uniform(0.02, 0.08, (len(capex), 2)) * (rng.random((len(capex), 1)) > 0.3)
        spend.append(np.hstack([capex[:, None], running]))
    build_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    joined = join_sites(parts, budget)
    join_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    plan = solve_joined(joined, gap=1e-4)
    solve_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    front = budget_front(joined, points, gap=1e-4)
    front_s = time.perf_counter() - t0
    allspend = np.vstack(spend)
    used = allspend[joined.compiled.table_rows(plan.choice)].sum(axis=0)
    limits = (budget, 0.8 * float(used[1]), 2.0 * float(used[2]))
    yearly = join_sites(parts, budget, shared=year_rows(limits, (2027, 2028, 2029), spend))
    t0 = time.perf_counter()
    plan_y = solve_joined(yearly, gap=1e-4)
    yearly_s = time.perf_counter() - t0
    size = f"{n_sites} sites × {zones} zones × {options} options"
    worst = float(np.nanmax(front["gap"])) if "gap" in front else float("nan")
    return [
        dict(benchmark="portfolio", size=size, metric="sites generated", value=build_s, unit="s", target=None),
        dict(benchmark="portfolio", size=size, metric="join", value=join_s, unit="s", target=None),
        dict(benchmark="portfolio", size=size, metric="certified plan", value=solve_s, unit="s",
             target=None if quick else "<= 10"),
        dict(benchmark="portfolio", size=size, metric="gap", value=plan.gap, unit="", target="<= 1e-4"),
        dict(benchmark="portfolio", size=size, metric=f"{points}-point budget front", value=front_s, unit="s",
             target=None if quick else "<= 60"),
        dict(benchmark="portfolio", size=size, metric="front: worst gap", value=worst, unit="", target="<= 1e-4"),
        dict(benchmark="portfolio", size=size, metric="certified plan, 3 yearly budgets (year 1 binds)",
             value=yearly_s, unit="s", target=None),
        dict(benchmark="portfolio", size=size, metric="gap, 3 yearly budgets", value=plan_y.gap, unit="",
             target="<= 1e-4"),
        dict(benchmark="portfolio", size=size, metric="peak memory (process)", value=_peak_gib(), unit="GiB",
             target=None if quick else "<= 4"),
    ]
