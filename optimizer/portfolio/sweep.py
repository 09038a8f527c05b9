"""Sweeps over a portfolio: the joined optimum of every scenario of a grid, on the Dask runner.

    result = sweep_portfolio("portfolio.toml", parse_grid(["budget=2e7:8e7:7", "price=40,80"]),
                             out_dir="runs/portfolio-sweep")

As for one site (:mod:`optimizer.sweep`): every site is scored once per crediting standard (a
:class:`~optimizer.runner.Shared` value: all the portfolio's sites with their annual credit
series); a money scenario (price, discount rate) re-weights each site's table from those series
and re-compiles, without the carbon model; a budget scenario changes only the shared budget's
right-hand side. The regional stocks and minimum shares of the portfolio file hold in every
scenario.

``sweep.parquet`` has one row per scenario: its grid values, status, gap, objective, spend, the
budget's dual price, the portfolio's totals, per site ``<site>:spend_cny``, ``<site>:removals_tco2e``,
``<site>:credits_tco2e`` and ``<site>:marginal_tco2e_per_cny``, and the option of every zone
(``options``, zones named ``<site>/<zone>``) for the plan-stability table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from ..errors import InfeasibleError, SinkPlanError
from ..sweep import AXES, SweepResult, scenarios
from .spec import PortfolioSpec, load_portfolio

TOTALS = ("removals_tco2e", "credits_tco2e", "credit_value_cny", "cost_cny", "capex_cny")


@dataclass(frozen=True)
class ScoredPortfolio:
    """Every site built under one standard, with its annual credit series [t CO2e/yr]."""

    built: tuple
    series: tuple


@dataclass(frozen=True)
class PortfolioSolveSpec:
    spec: PortfolioSpec
    gap: float = 1e-4
    time_limit_s: float = 60.0


def score_portfolio(spec: PortfolioSpec, standard: str | None, allow_intolerable: bool = False) -> ScoredPortfolio:
    """Every site of ``spec`` read, scored and compiled once for a crediting standard, in this process."""
    import warnings

    from ..options.reweight import credit_series
    from .build import build_sites

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # the client has shown the sites' warnings once
        built = build_sites(spec, allow_intolerable=allow_intolerable, workers=1, standard=standard)
    return ScoredPortfolio(built=tuple(built), series=tuple(credit_series(b.table) for b in built))


def _reweighted(scored: ScoredPortfolio, money: dict) -> list:
    """The built sites with money re-weighted (tables re-valued, problems re-compiled)."""
    if not money:
        return list(scored.built)
    from ..options.reweight import money_settings, reweighted

    out = []
    for b, series in zip(scored.built, scored.series):
        table = reweighted(b.table, series, money_settings(b.table.settings, **money))
        out.append(replace(b, table=table, compiled=b.problem.compile(table)))
    return out


def solve_portfolio_scenario(scored: ScoredPortfolio, scenario: dict, ps: PortfolioSolveSpec) -> dict:
    """The joined optimum of one scenario: money re-weighted, budget set, solved; a flat record."""
    from .join import budget_dual_price, site_marginals
    from .run import _per_site, join_built, solve_joined

    money = {AXES[k][1]: v for k, v in scenario.items() if k in AXES and AXES[k][0] == "money"}
    built = _reweighted(scored, money)
    joined, _ = join_built(ps.spec, built)
    if "budget" in scenario:
        joined = joined.with_budget(float(scenario["budget"]))
    try:
        plan = solve_joined(joined, gap=ps.gap, time_limit_s=ps.time_limit_s)
    except InfeasibleError as exc:
        return {"solve_status": "infeasible", "message": str(exc).splitlines()[0], "options": []}
    spend, _value = _per_site(joined, plan.choice)
    dual = budget_dual_price(joined, plan.info)
    rec: dict = {"solve_status": plan.status.value, "gap": float(plan.gap),
                 "objective": float(joined.compiled.natural(
                     joined.compiled.F[:, joined.compiled.table_rows(plan.choice)].sum(axis=1))[0]),
                 "spend_cny": float(spend.sum()), "budget_dual_tco2e_per_cny": np.nan if dual is None else dual,
                 "runtime_s": float(plan.runtime_s), "message": plan.message, "options": []}
    totals = dict.fromkeys(TOTALS, 0.0)
    for b, part, choice, s in zip(built, joined.parts, joined.split(plan.choice), spend):
        rows = part.compiled.table_rows(choice)
        name = b.spec.name
        rec[f"{name}:spend_cny"] = float(s)
        for k in TOTALS:
            v = float(np.asarray(b.table.data[k], dtype=float)[rows].sum())
            totals[k] += v
            if k in ("removals_tco2e", "credits_tco2e"):
                rec[f"{name}:{k}"] = v
        rec[f"{name}:marginal_tco2e_per_cny"] = site_marginals(part, choice)[0]
        rec["options"] += [str(o) for o in b.table.option_id[rows]]
    rec.update(totals)
    return rec


def _zone_ids(spec: PortfolioSpec) -> list[str]:
    """``<site>/<zone>`` for every zone of every site, in the joined problem's order."""
    import warnings

    from ..errors import Issue, PortfolioError
    from ..site import read_site

    ids, problems = [], []
    file = str(spec.file) if spec.file else "<portfolio>"
    for i, s in enumerate(spec.sites):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                site = read_site(s.path, s.settings, layer=s.layer)
        except SinkPlanError as exc:
            problems.append(Issue(file=file, field=f"sites[{i}] ({s.name})", message=str(exc).splitlines()[0]))
            continue
        ids += [f"{s.name}/{z}" for z in site.zones["zone_id"]]
    if problems:
        raise PortfolioError(problems)
    return ids


def portfolio_sweep_tasks(ps: PortfolioSolveSpec, grid: dict[str, list], allow_intolerable: bool = False):
    """The runner's tasks, one per scenario, sharing one scored portfolio per standard."""
    from ..runner import Shared, Task

    scen = scenarios(grid)
    tasks = []
    for row in scen.to_dict("records"):
        sid = row.pop("scenario_id")
        std = row.get("standard")
        shared = Shared(key=f"portfolio-{std or 'settings'}", fn=score_portfolio,
                        args=(ps.spec, std, allow_intolerable))
        tasks.append(Task(id=sid, fn=solve_portfolio_scenario, args=(shared, row, ps),
                          meta={"scenario_id": sid, **row}))
    return scen, tasks


def sweep_portfolio(portfolio: str | Path | PortfolioSpec, grid: dict[str, list], *, gap: float = 1e-4,
                    time_limit_s: float = 60.0, out_dir: str | Path, allow_intolerable: bool = False,
                    scheduler: str | None = None, workers: int | None = None, client=None,
                    progress: Callable[[int, int, int], None] | None = None) -> SweepResult:
    """Every scenario of ``grid`` over the portfolio, on the Dask runner; writes the sweep as
    :func:`optimizer.sweep.sweep_site` does. The portfolio's objective is each scenario's. Finished
    scenarios of an earlier run in ``out_dir`` are not run again."""
    from ..io.paths import check_output_dir
    from ..runner import Journal, cluster, run_journaled
    from ..sweep import SolveSpec, write_sweep

    spec = portfolio if isinstance(portfolio, PortfolioSpec) else load_portfolio(portfolio)
    out = check_output_dir(out_dir)
    if "standard" in grid:
        from ..catalog import standard_ids
        unknown = [s for s in grid["standard"] if s not in standard_ids()]
        if unknown:
            raise SinkPlanError(f"grid standard: unknown {', '.join(unknown)}; the catalog has "
                                f"{', '.join(standard_ids())}")
    zone_ids = _zone_ids(spec)      # every site read once here: a bad zoning file stops before any cluster starts
    ps = PortfolioSolveSpec(spec=spec, gap=gap, time_limit_s=time_limit_s)
    scen, tasks = portfolio_sweep_tasks(ps, grid, allow_intolerable)
    journal = Journal(out / "parts")
    if client is not None:
        summary = run_journaled(client, tasks, journal, progress=progress)
    else:
        with cluster(scheduler, workers) as c:
            summary = run_journaled(c, tasks, journal, progress=progress)
    return write_sweep(out, None, scen, journal, grid, SolveSpec(objective=spec.objective, gap=gap,
                                                                   time_limit_s=time_limit_s), summary,
                       zone_ids=zone_ids, inputs={"portfolio": spec.as_dict()})
