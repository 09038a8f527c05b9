"""``optimize_portfolio``: the certified plan of several sites under one shared budget, its marginal
values, the sites that move first when the budget moves, an optional budget front, and the files.

    result = optimize_portfolio("portfolio.toml", out_dir="runs/portfolio", points=11)
    result.frame            # one row per site (portfolio.csv)
    result.summary["budget_dual_tco2e_per_cny"]

Files in ``out_dir``: ``sites/<name>/`` (plan.gpkg, plan.geojson, plan.csv, plan_trajectories.csv,
summary.json, manifest.json, as ``sinkplan optimize`` writes them), ``portfolio.csv``,
``budget_shifts.csv`` (every site's allocation at −10 %, 0 and +10 % of the budget),
``front.csv`` when ``points`` is given, ``summary.json`` and ``manifest.json``.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InfeasibleError
from .build import BuiltSite, build_sites
from .join import Joined, SitePart, budget_dual_price, join_sites, shared_row_duals, site_marginals
from .shared import (
    SiteData,
    StockPlan,
    farmland_row,
    share_rows,
    site_years,
    spending_years,
    stock_rows,
    year_rows,
)
from .spec import PortfolioSpec, load_portfolio

SHIFT = 0.10          # the budget moves ±10 % to see which sites gain or lose first


@dataclass
class PortfolioResult:
    spec: PortfolioSpec
    sites: list[BuiltSite]
    joined: Joined
    plan: object                       # the joined Plan (its choice, status, gap, bound)
    site_plans: dict                   # site name → Plan over that site's compiled problem
    frame: pd.DataFrame                # portfolio.csv
    shifts: pd.DataFrame               # budget_shifts.csv
    summary: dict
    front: pd.DataFrame | None = None  # front.csv
    years: pd.DataFrame | None = None  # spending_by_year.csv (with budget_per_year_cny)
    files: list[Path] = field(default_factory=list)


def solve_joined(joined: Joined, *, gap: float = 1e-4, time_limit_s: float = 60.0, exact: bool = False):
    """The certified plan of the joined problem (:func:`optimizer.solve.exact.solve`)."""
    from ..solve.exact import solve
    return solve(joined.compiled, gap=gap, time_limit_s=time_limit_s, exact=exact)


def _per_site(joined: Joined, choice) -> tuple[np.ndarray, np.ndarray]:
    """(spend [CNY], value) of every site in a joined plan."""
    parts = joined.split(choice)
    spend = np.array([float(p.spend_cny[p.compiled.zone_ptr[:-1] + c].sum()) for p, c in zip(joined.parts, parts)])
    value = np.array([float(p.value[p.compiled.zone_ptr[:-1] + c].sum()) for p, c in zip(joined.parts, parts)])
    return spend, value


def budget_shifts(joined: Joined, base_choice, *, shift: float = SHIFT, gap: float = 1e-4,
                  time_limit_s: float = 60.0) -> tuple[pd.DataFrame, dict]:
    """Every site's spend and value at (1 − shift), 1 and (1 + shift) × the budget, re-solved with
    only the budget's right-hand side changed; and which sites gain first (largest spend rise as
    the budget grows) and lose first (largest spend fall as it shrinks)."""
    names = [p.name for p in joined.parts]
    spend0, value0 = _per_site(joined, base_choice)
    df = pd.DataFrame({"site": names, "spend_cny": spend0, "value": value0})
    statuses = {}
    for tag, factor in (("minus", 1 - shift), ("plus", 1 + shift)):
        try:
            plan = solve_joined(joined.with_budget(joined.budget_cny * factor), gap=gap, time_limit_s=time_limit_s)
            s, v = _per_site(joined, plan.choice)
            statuses[tag] = {"status": plan.status.value, "gap": plan.gap, "budget_cny": joined.budget_cny * factor}
        except InfeasibleError as exc:
            s = v = np.full(len(names), np.nan)
            statuses[tag] = {"status": "infeasible", "gap": None, "budget_cny": joined.budget_cny * factor,
                             "message": str(exc)}
        df[f"spend_{tag}_cny"] = s
        df[f"value_{tag}"] = v
    df["spend_gain_plus_cny"] = df["spend_plus_cny"] - df["spend_cny"]
    df["spend_loss_minus_cny"] = df["spend_cny"] - df["spend_minus_cny"]
    df["value_gain_plus"] = df["value_plus"] - df["value"]
    df["value_loss_minus"] = df["value"] - df["value_minus"]
    gain = df.loc[df["spend_gain_plus_cny"] > 0].sort_values("spend_gain_plus_cny", ascending=False)["site"]
    lose = df.loc[df["spend_loss_minus_cny"] > 0].sort_values("spend_loss_minus_cny", ascending=False)["site"]
    return df, {"shift": shift, "solves": statuses, "gain_first": list(gain), "lose_first": list(lose)}


def budget_front(joined: Joined, points: int, *, gap: float = 1e-4, time_limit_s: float = 60.0,
                 top_budget_cny: float | None = None) -> pd.DataFrame:
    """The optimum at ``points`` budgets from the least any plan spends to what the unbounded
    optimum spends (``top_budget_cny``, else solved here): budget, status, gap, objective value,
    spend, dual price and every site's spend and value."""
    lo, hi = joined.spend_range()
    if top_budget_cny is None:
        top = solve_joined(joined.with_budget(hi), gap=gap, time_limit_s=time_limit_s)
        top_budget_cny = float(_per_site(joined, top.choice)[0].sum())
    rows = []
    for budget in np.linspace(lo, max(lo, top_budget_cny), int(points)):
        j = joined.with_budget(budget)
        row: dict = {"budget_cny": float(budget)}
        try:
            plan = solve_joined(j, gap=gap, time_limit_s=time_limit_s)
        except InfeasibleError:
            row.update(status="infeasible")
            rows.append(row)
            continue
        spend, value = _per_site(j, plan.choice)
        weights = np.array([p.weight for p in j.parts])
        dual = budget_dual_price(j, plan.info)
        row.update(status=plan.status.value, gap=plan.gap, objective=float((weights * value).sum()),
                   value=float(value.sum()), spend_cny=float(spend.sum()),
                   dual_per_cny=dual if dual is not None else math.nan)
        for p, s, v in zip(j.parts, spend, value):
            row[f"{p.name}:spend_cny"] = s
            row[f"{p.name}:value"] = v
        rows.append(row)
    return pd.DataFrame(rows)


def optimize_portfolio(portfolio: str | Path | PortfolioSpec, *, out_dir: str | Path | None = None,
                       gap: float = 1e-4, exact: bool = False, time_limit_s: float = 60.0,
                       allow_intolerable: bool = False, budget_cny: float | None = None, points: int | None = None,
                       workers: int | None = None, progress=None, report: bool = True) -> PortfolioResult:
    """Read a portfolio file, score and compile every site (``workers`` processes), join them under
    the shared budget, solve to the certified ``gap``, read off the marginal values, re-solve at
    ±10 % of the budget, optionally trace a budget front of ``points`` budgets, and write
    ``out_dir`` (with ``report.html`` unless ``report`` is False). ``budget_cny`` overrides the
    file's budget."""
    from dataclasses import replace

    t0 = time.perf_counter()
    spec = portfolio if isinstance(portfolio, PortfolioSpec) else load_portfolio(portfolio)
    if budget_cny is not None:
        spec = replace(spec, budget_cny=float(budget_cny))
    out = None
    if out_dir is not None:
        from ..io.paths import check_output_dir
        out = check_output_dir(out_dir)
    built = build_sites(spec, allow_intolerable=allow_intolerable, workers=workers, progress=progress)
    joined, stocks = join_built(spec, built)
    plan = solve_joined(joined, gap=gap, time_limit_s=time_limit_s, exact=exact)
    site_plans = _site_plans(joined, plan, spec)
    dual = budget_dual_price(joined, plan.info)
    shared = shared_report(joined, plan, stocks)
    shifts, moves = budget_shifts(joined, plan.choice, gap=gap, time_limit_s=time_limit_s)
    frame = _frame(joined, plan, site_plans)
    front = budget_front(joined, points, gap=gap, time_limit_s=time_limit_s) if points else None
    summary = _summary(spec, joined, plan, site_plans, dual, moves, time.perf_counter() - t0)
    summary["restored_farmland_ha"] = float(frame["restored_farmland_ha"].sum())
    summary["min_farmland_ha"] = spec.min_farmland_ha
    summary["shared_constraints"] = shared
    summary["stocks"] = stocks.notes
    years = spending_by_year_frame(spec, joined, plan, shared)
    if years is not None:
        summary["spending_by_year"] = years.to_dict(orient="records")
    result = PortfolioResult(spec=spec, sites=built, joined=joined, plan=plan, site_plans=site_plans, frame=frame,
                             shifts=shifts, summary=summary, front=front, years=years)
    if out is not None:
        from .write import write_portfolio
        result.files = write_portfolio(result, out, report=report)
    return result


def site_data(b: BuiltSite) -> SiteData:
    """What the shared rows need of a built site."""
    from ..evaluate import farmland_ha

    rows = b.compiled.rows
    cols = {c: np.asarray(b.table.data[c], dtype=np.float64)[rows]
            for c in ("topsoil_m3", "gangue_m3", "removals_tco2e", "credits_tco2e")}
    cols["farmland_ha"] = np.asarray(farmland_ha(b.table), dtype=np.float64)[rows]
    st = b.site.settings
    return SiteData(name=b.spec.name, columns=cols, county=b.spec.county, lonlat=b.lonlat,
                    own_stock_m3={"topsoil": float(st.topsoil_stock_m3), "gangue": float(st.gangue_stock_m3)})


def site_spending(b: BuiltSite, years: tuple[int, ...]) -> np.ndarray:
    """Money the site's table rows pay in calendar ``years`` [CNY, nominal], (n_rows, len(years)),
    0 in years outside the site's own (:func:`optimizer.options.spending.spending_by_year`).
    Money scenarios do not change it: kept on ``b`` (and on its re-weighted copies)."""
    got = b.spending_cache.get(years)
    if got is None:
        from ..options.spending import spending_by_year

        full = spending_by_year(b.table, np.arange(b.table.n_rows))
        t = np.asarray(years) - int(b.table.settings.start_year)
        inside = (t >= 0) & (t < full.shape[1])
        got = np.zeros((b.table.n_rows, len(years)))
        got[:, inside] = full[:, t[inside]]
        b.spending_cache[years] = got
    return got


def _yearly_spend(b: BuiltSite, years: tuple[int, ...], haul_cny) -> np.ndarray:
    """The site's compiled rows' spending in ``years``, with the haul of a regional stock paid in
    the works' year (the start, or a delayed row's year D)."""
    rows = b.compiled.rows
    out = site_spending(b, years)[rows].copy()
    if np.ndim(haul_cny) or haul_cny:
        delay = (np.zeros(len(rows), dtype=np.int64) if b.table.start_delay_yr is None
                 else np.asarray(b.table.start_delay_yr, dtype=np.int64)[rows])
        col = int(b.table.settings.start_year) + delay - years[0]
        ok = (col >= 0) & (col < len(years))
        haul = np.broadcast_to(np.asarray(haul_cny, dtype=float), (len(rows),))
        out[np.flatnonzero(ok), col[ok]] += haul[ok]
    return out


def join_built(spec: PortfolioSpec, built: list[BuiltSite]) -> tuple[Joined, StockPlan]:
    """The built sites joined under the shared budget, the yearly budgets, the regional stocks and
    the minimum shares; a site's spend on the budget includes the haul of what it draws from a
    regional stock."""
    col = "capex_cny" if spec.budget_on == "capex" else "cost_cny"
    data = [site_data(b) for b in built]
    file = str(spec.file) if spec.file else "<portfolio>"
    stocks = stock_rows(spec.stocks, data, file=file)
    spend = [np.asarray(b.table.data[col], dtype=np.float64)[b.compiled.rows]
             + stocks.haul_cny.get(b.spec.name, 0.0) for b in built]
    parts = [SitePart(b.spec.name, b.compiled, s, b.spec.weight) for b, s in zip(built, spend)]
    yearly: list = []
    if spec.budget_per_year_cny:
        years = spending_years(spec.budget_per_year_cny, spec.budget_first_year,
                               [(b.spec.name, int(b.site.settings.start_year), int(b.site.settings.horizon_yr))
                                for b in built], file=file)
        yearly = year_rows(spec.budget_per_year_cny, years,
                           [_yearly_spend(b, years, stocks.haul_cny.get(b.spec.name, 0.0)) for b in built])
    for i, b in enumerate(built):       # a site's own yearly limits: rows over its options only
        if b.spec.budget_per_year_cny:
            own = site_years(b.spec.name, spec.sites.index(b.spec), b.spec.budget_per_year_cny,
                             int(b.site.settings.start_year), int(b.site.settings.horizon_yr), file=file)
            cols: list = [None] * len(built)
            cols[i] = _yearly_spend(b, own, stocks.haul_cny.get(b.spec.name, 0.0))
            yearly += year_rows(b.spec.budget_per_year_cny, own, cols, prefix=f"{b.spec.name}: ")
    shared = yearly + stocks.rows + share_rows(spec.min_shares, data, spend)
    if spec.min_farmland_ha is not None:
        shared.append(farmland_row(spec.min_farmland_ha, data))
    joined = join_sites(parts, spec.budget_cny, objective=spec.objective, budget_on=spec.budget_on,
                        shared=shared, drop=stocks.drop)
    return joined, stocks


def shared_report(joined: Joined, plan, stocks: StockPlan | None = None) -> list[dict]:
    """Every shared row at the optimum: its left- and right-hand side in the reader's sense, slack,
    whether it binds (slack ≤ 1e-6 of the bound, or of the total for shares) and its dual price
    [objective unit per row unit]."""
    c = joined.compiled
    rows = c.table_rows(plan.choice)
    duals = shared_row_duals(joined, plan.info)
    out = []
    for i in range(joined.n_shared):
        lhs = float(c.A[i][rows].sum())
        slack = float(c.b[i]) - lhs
        sense = c.con_senses[i] if c.con_senses else "<="
        scale = max(1.0, abs(float(c.b[i])), float(np.abs(c.A[i][rows]).sum()))
        out.append({"name": c.con_names[i], "unit": c.con_units[i], "sense": sense, "lhs": lhs,
                    "rhs": float(c.b[i]), "slack": slack, "binding": bool(slack <= 1e-6 * scale),
                    "dual": duals[i]})
    return out


def spending_by_year_frame(spec: PortfolioSpec, joined: Joined, plan, shared: list[dict]) -> pd.DataFrame | None:
    """One row per year of ``budget_per_year_cny``: year, limit, what the plan spends that year
    (in all and per site), slack, whether it binds and its dual price [objective t CO2e per ¥
    spent that year, the engine's multiplier] (the rows follow the shared budget,
    :func:`join_built`); None without yearly budgets."""
    n = len(spec.budget_per_year_cny)
    if not n:
        return None
    c = joined.compiled
    sel = c.zone_ptr[:-1] + np.asarray(plan.choice, dtype=np.int64)
    rows = []
    for i in range(1, 1 + n):
        info = shared[i]
        dual = info["dual"]
        # binds: no money left that year (slack ≤ 1e-6 of the limit), or a positive multiplier: one
        # more ¥ that year would buy more (whole options rarely spend a limit to the last ¥)
        row = {"year": int(info["name"].rsplit(" ", 1)[1]), "limit_cny": info["rhs"], "spent_cny": info["lhs"],
               "slack_cny": info["slack"], "binding": bool(info["binding"] or (dual is not None and dual > 0)),
               "dual_tco2e_per_cny": math.nan if dual is None else dual}
        for k, part in enumerate(joined.parts):
            cols = sel[joined.zone_offset[k]:joined.zone_offset[k + 1]]
            row[f"{part.name}:spent_cny"] = float(c.A[i][cols].sum())
        rows.append(row)
    return pd.DataFrame(rows)


def _site_plans(joined: Joined, plan, spec: PortfolioSpec) -> dict:
    from ..solve.result import Plan

    out = {}
    for k, (part, choice) in enumerate(zip(joined.parts, joined.split(plan.choice))):
        out[part.name] = Plan(compiled=joined.own_compiled(k), choice=choice, status=plan.status,
                              objective_name=plan.objective_name, bound=math.nan, gap=plan.gap,
                              runtime_s=plan.runtime_s, solver=plan.solver,
                              message=f"part of portfolio {spec.name!r}: status and gap are the portfolio's")
    return out


def _frame(joined: Joined, plan, site_plans: dict) -> pd.DataFrame:
    from ..evaluate import accounting_totals

    rows = []
    spend, _ = _per_site(joined, plan.choice)
    for part, choice, s in zip(joined.parts, joined.split(plan.choice), spend):
        t = site_plans[part.name].totals
        gain, loss = site_marginals(part, choice)
        rows.append({"site": part.name, "zones": part.compiled.n_zones, "removals_tco2e": t["removals_tco2e"],
                     "credits_tco2e": t["credits_tco2e"], "capex_cny": t["capex_cny"], "cost_cny": t["cost_cny"],
                     "marginal_tco2e_per_cny": gain, "marginal_loss_tco2e_per_cny": loss, "weight": part.weight,
                     "budget_spend_cny": float(s),
                     # what counts toward a farmland quota (docs/science.md §5.6), from the plan itself
                     "restored_farmland_ha": float(accounting_totals(
                         part.compiled.table, part.compiled.table_rows(choice)[None, :])["restored_farmland_ha"][0])})
    return pd.DataFrame(rows)


def _summary(spec: PortfolioSpec, joined: Joined, plan, site_plans: dict, dual, moves: dict, runtime_s: float) -> dict:
    totals: dict[str, float] = {}
    for p in site_plans.values():
        for k, v in p.totals.items():
            totals[k] = totals.get(k, 0.0) + v
    rows = joined.compiled.table_rows(plan.choice)
    spend = float(joined.compiled.A[0][rows].sum())
    multi = len(joined.compiled.b) > 1
    return {
        "portfolio": spec.name,
        "status": plan.status.value,
        "gap": plan.gap if math.isfinite(plan.gap) else None,
        "objective_name": spec.objective,
        "objective_value": float(joined.compiled.natural(joined.compiled.F[:, rows].sum(axis=1))[0]),
        "bound": plan.bound if math.isfinite(plan.bound) else None,
        "solver": plan.solver,
        "solve_runtime_s": plan.runtime_s,
        "runtime_s": runtime_s,
        "budget_on": spec.budget_on,
        "budget_cny": spec.budget_cny,
        "budget_used_cny": spend,
        "budget_dual_tco2e_per_cny": dual,
        "budget_dual_source": ("none (the MILP fallback reports no multiplier)" if dual is None else
                               "Lagrangian multiplier of the shared budget row, bundle ascent (LP dual up to its "
                               "convergence; the sites' own rows are relaxed too)" if multi else
                               "Lagrangian multiplier of the shared budget row = exact LP dual (greedy on hull "
                               "increments)"),
        "sites": len(site_plans),
        "zones": int(joined.compiled.n_zones),
        "totals": totals,
        "budget_moves": moves,
    }
