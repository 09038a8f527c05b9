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
``<site>:credits_tco2e`` and ``<site>:marginal_tco2e_per_cny``, with yearly budgets
``spent_<year>_cny`` and ``dual_<year>_tco2e_per_cny`` per year, and the option of every zone
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


def _money(scenario: dict) -> dict:
    return {AXES[k][1]: v for k, v in scenario.items() if k in AXES and AXES[k][0] == "money"}


def _joined(scored: ScoredPortfolio, ps: PortfolioSolveSpec, money: dict):
    """The sites re-weighted for ``money`` and joined: (built sites, joined problem)."""
    from .run import join_built

    built = _reweighted(scored, money)
    joined, _ = join_built(ps.spec, built)
    return built, joined


def solve_portfolio_scenario(scored: ScoredPortfolio, scenario: dict, ps: PortfolioSolveSpec) -> dict:
    """The joined optimum of one scenario: money re-weighted, budget set, solved; a flat record."""
    built, joined = _joined(scored, ps, _money(scenario))
    return _solve_record(built, joined, scenario, ps)


def solve_portfolio_batch(scored: ScoredPortfolio, ps: PortfolioSolveSpec, scenarios: list[dict]) -> list:
    """Scenarios of one scored portfolio in one call, each as :func:`solve_portfolio_scenario`
    solves it: the sites re-weighted and joined once per money setting, each budget only the
    shared row's right-hand side. One record per scenario, in order, or the exception it raised."""
    out: list = [None] * len(scenarios)
    groups: dict[tuple, list[int]] = {}
    for k, sc in enumerate(scenarios):
        groups.setdefault(tuple(sorted(_money(sc).items())), []).append(k)
    for ks in groups.values():
        try:
            built, joined = _joined(scored, ps, _money(scenarios[ks[0]]))
        except Exception as exc:       # noqa: BLE001 - the group's scenarios fail with it
            for k in ks:
                out[k] = exc
            continue
        for k in ks:
            try:
                out[k] = _solve_record(built, joined, scenarios[k], ps)
            except Exception as exc:   # noqa: BLE001 - reported as this scenario's failure
                out[k] = exc
    return out


def _solve_record(built: list, joined, scenario: dict, ps: PortfolioSolveSpec) -> dict:
    """The joined optimum of one scenario on ``joined`` (its budget set); a flat record."""
    from .join import budget_dual_price, site_marginals
    from .run import _per_site, solve_joined

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
    n_years = len(ps.spec.budget_per_year_cny)
    if n_years:                       # the yearly rows follow the shared budget (run.join_built)
        from .join import shared_row_duals

        c, sel = joined.compiled, joined.compiled.table_rows(plan.choice)
        duals = shared_row_duals(joined, plan.info)
        for i in range(1, 1 + n_years):
            year = c.con_names[i].rsplit(" ", 1)[1]
            rec[f"spent_{year}_cny"] = float(c.A[i][sel].sum())
            rec[f"dual_{year}_tco2e_per_cny"] = np.nan if duals[i] is None else duals[i]
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


def portfolio_sweep_tasks(ps: PortfolioSolveSpec, grid: dict[str, list], allow_intolerable: bool = False,
                          batch: int = 1):
    """The runner's tasks sharing one scored portfolio per standard: one per scenario (``batch``
    1), else batches of at most ``batch`` scenarios of one standard and money setting
    (:func:`solve_portfolio_batch`), each scenario its own journal record."""
    from ..runner import Batch, Item, Shared, Task

    scen = scenarios(grid)
    groups: dict[tuple, list] = {}
    for row in scen.to_dict("records"):
        sid = row.pop("scenario_id")
        groups.setdefault((row.get("standard"), tuple(sorted(_money(row).items()))), []).append((sid, row))
    tasks: list = []
    for (std, _key), rows in groups.items():
        shared = Shared(key=f"portfolio-{std or 'settings'}", fn=score_portfolio,
                        args=(ps.spec, std, allow_intolerable))
        if batch <= 1:
            tasks += [Task(id=sid, fn=solve_portfolio_scenario, args=(shared, row, ps),
                           meta={"scenario_id": sid, **row}) for sid, row in rows]
            continue
        for i in range(0, len(rows), batch):
            items = tuple(Item(id=sid, arg=row, meta={"scenario_id": sid, **row}) for sid, row in rows[i:i + batch])
            tasks.append(Batch(fn=solve_portfolio_batch, args=(shared, ps), items=items))
    return scen, tasks


def sweep_portfolio(portfolio: str | Path | PortfolioSpec, grid: dict[str, list], *, gap: float = 1e-4,
                    time_limit_s: float = 60.0, out_dir: str | Path, allow_intolerable: bool = False,
                    scheduler: str | None = None, workers: int | None = None, client=None,
                    progress: Callable[[int, int, int], None] | None = None,
                    batch: int | None = None) -> SweepResult:
    """Every scenario of ``grid`` over the portfolio, on the Dask runner; writes the sweep as
    :func:`optimizer.sweep.sweep_site` does. The portfolio's objective is each scenario's. Finished
    scenarios of an earlier run in ``out_dir`` are not run again. ``batch``: scenarios per task
    (default :func:`optimizer.sweep.batch_size`; 1: one task per scenario)."""
    from ..io.paths import check_output_dir
    from ..runner import Journal
    from ..sweep import SolveSpec, run_batches, write_sweep

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
    journal = Journal(out / "parts")
    scen, summary = run_batches(lambda size: portfolio_sweep_tasks(ps, grid, allow_intolerable, batch=size),
                                grid, journal, batch=batch, client=client, scheduler=scheduler, workers=workers,
                                progress=progress)
    return write_sweep(out, None, scen, journal, grid, SolveSpec(objective=spec.objective, gap=gap,
                                                                   time_limit_s=time_limit_s), summary,
                       zone_ids=zone_ids, inputs={"portfolio": spec.as_dict()})
