"""Scenario sweeps: one site's optimum over a grid of carbon prices, discount rates, budgets and
crediting standards, on the Dask runner (:mod:`optimizer.runner`; docs/runner.md).

    result = sweep_site("sites/loess_dump/zones.gpkg",
                        parse_grid(["price=40,60,80", "discount=0.03:0.08:6", "budget=1e7:5e7:9"]),
                        objective="removals", out_dir="runs/sweep", workers=2)

What is computed once and what per scenario:

- an option table per distinct **scoring** parameter set (the crediting standard), with its annual
  credit series: a :class:`~optimizer.runner.Shared` value, scored once on the cluster;
- per distinct **money** setting (price, discount rate), the table re-weighted from those series
  (:func:`optimizer.options.reweight.reweighted`), without the carbon model;
- per **budget**, only the budget row changes: the problem is compiled once per batch and each
  budget sets the row's right-hand side and re-solves (:func:`solve_batch`).

Scenarios run in batches (:class:`optimizer.runner.Batch`) of one standard and one money setting,
each scenario still its own record in the journal (docs/runner.md).

Writes ``DIR/sweep.parquet`` (one row per scenario: grid values, status, gap, objective, totals,
the chosen option of every zone), ``DIR/stability.csv``, figures and ``manifest.json``; records
arrive in ``DIR/parts/`` as they finish, so an interrupted sweep resumes where it stopped.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .errors import InfeasibleError, SinkPlanError
from .i18n import _
from .workflows import Constraints, SiteInput, declare_problem

if TYPE_CHECKING:
    from .options import OptionTable
    from .runner import RunSummary

#: grid axes: name → (kind, what it changes)
AXES = {"price": ("money", "start_cny_per_t"), "discount": ("money", "discount_rate"),
        "budget": ("rhs", "budget_cny"), "standard": ("scoring", "standards")}
TOTALS = ("removals_tco2e", "credits_tco2e", "credit_value_cny", "cost_cny", "capex_cny", "soil_loss_t_per_yr",
          "area_ha")


# ----------------------------------------------------------------------------------------------
# the grid
# ----------------------------------------------------------------------------------------------
def parse_grid(items: Sequence[str]) -> dict[str, list]:
    """``["price=40,60,80", "discount=0.03:0.08:6", "standard=CCER,VCS"]`` → axis → values.

    ``a,b,c`` lists values; ``lo:hi:n`` gives n evenly spaced values from lo to hi (both included).
    """
    grid: dict[str, list] = {}
    for item in items:
        name, sep, text = str(item).partition("=")
        name = name.strip()
        if not sep or not text.strip():
            raise SinkPlanError(_("grid {item}: write AXIS=v1,v2,… or AXIS=LO:HI:N").format(item=repr(item)))
        if name not in AXES:
            raise SinkPlanError(_("grid {item}: unknown axis {name}; use {valid}").format(
                item=repr(item), name=repr(name), valid=", ".join(AXES)))
        if name in grid:
            raise SinkPlanError(_("grid axis {name} is given twice").format(name=repr(name)))
        if name == "standard":
            values: list = [v.strip() for v in text.split(",") if v.strip()]
        else:
            values = _numbers(item, text)
        if not values:
            raise SinkPlanError(_("grid {item}: no values").format(item=repr(item)))
        if len(set(values)) != len(values):
            raise SinkPlanError(_("grid {item}: a value is repeated").format(item=repr(item)))
        grid[name] = values
    if not grid:
        raise SinkPlanError(_("give at least one --grid AXIS=VALUES"))
    return grid


def _numbers(item: str, text: str) -> list[float]:
    try:
        if ":" in text:
            lo, hi, n = text.split(":")
            k = int(n)
            if k < 1:
                raise ValueError
            vals = np.linspace(float(lo), float(hi), k) if k > 1 else np.array([float(lo)])
            out = [float(f"{v:.12g}") for v in vals]
        else:
            out = [float(v.replace("_", "")) for v in text.split(",") if v.strip()]
    except ValueError:
        raise SinkPlanError(_("grid {item}: write numbers as v1,v2,… or LO:HI:N (N a whole number ≥ 1)").format(
            item=repr(item))) from None
    bad = [v for v in out if not np.isfinite(v) or v < 0]
    if bad:
        raise SinkPlanError(_("grid {item}: {value} is not a finite number ≥ 0").format(item=repr(item), value=bad[0]))
    return out


def scenarios(grid: dict[str, list]) -> pd.DataFrame:
    """Every combination of the grid's values, one row each, with a stable ``scenario_id``."""
    axes = list(grid)
    rows = [dict(zip(axes, values)) for values in itertools.product(*(grid[a] for a in axes))]
    df = pd.DataFrame(rows, columns=axes)
    df.insert(0, "scenario_id", [scenario_id(r) for r in rows])
    return df


def scenario_id(values: dict) -> str:
    text = json.dumps({k: values[k] for k in sorted(values)}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# ----------------------------------------------------------------------------------------------
# what runs on the workers
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Scored:
    """An option table and its annual credit series [t CO2e/yr], (n_rows, T)."""

    table: OptionTable
    series_tco2e: np.ndarray


def score_site(source: SiteInput, standard: str | None) -> Scored:
    """Read and score the site once for a crediting standard (None: the settings' standards)."""
    import warnings

    from .options import evaluate_options
    from .options.reweight import credit_series
    from .site import read_site

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")        # the client has shown the site's warnings once
        site = read_site(source.path, source.settings, layer=source.layer, crs=source.crs,
                         fix_geometry=source.fix_geometry)
        settings = site.settings if standard is None else replace(site.settings, standards=(standard,))
        table = evaluate_options(site, source.catalog, settings=settings)
    return Scored(table=table, series_tco2e=credit_series(table))


@dataclass(frozen=True)
class SolveSpec:
    objective: str
    limits: Constraints = Constraints()
    gap: float = 1e-4
    time_limit_s: float = 60.0
    #: in a batch, start each budget's solve from the plan of the next smaller budget (solve_batch)
    warm_start: bool = False


def _money(scenario: dict) -> dict:
    """The scenario's money settings (Settings field → value)."""
    return {AXES[k][1]: v for k, v in scenario.items() if k in AXES and AXES[k][0] == "money"}


def _table_for(scored: Scored, scenario: dict) -> OptionTable:
    """The scored table with the scenario's money re-weighted (the table itself without money axes)."""
    from .options.reweight import money_settings, reweighted

    money = _money(scenario)
    if not money:
        return scored.table
    return reweighted(scored.table, scored.series_tco2e, money_settings(scored.table.settings, **money))


def _compile(table: OptionTable, scenario: dict, spec: SolveSpec):
    """The scenario's problem declared and compiled on ``table`` (InfeasibleError if a row cannot hold)."""
    limits = spec.limits
    if "budget" in scenario:
        limits = replace(limits, budget_cny=float(scenario["budget"]))
    problem = declare_problem(SimpleNamespace(settings=table.settings, zones=table.zones, path=table.site_path),
                              [spec.objective], limits)
    return problem.compile(table)


def _infeasible(exc: InfeasibleError) -> dict:
    return {"solve_status": "infeasible", "message": str(exc).splitlines()[0], "options": []}


def _record(compiled, plan, objective: str) -> dict:
    """A solved scenario as a flat record: status, gap, objective, totals, every zone's option."""
    totals = plan.totals
    rec = {"solve_status": plan.status.value, "gap": float(plan.gap),
           "objective": float(plan.objectives[objective]),
           "runtime_s": float(plan.runtime_s), "message": plan.message,
           "options": [str(o) for o in compiled.table.option_id[compiled.table_rows(plan.choice)]]}
    rec.update({k: float(totals[k]) for k in TOTALS if k in totals})
    return rec


def solve_scenario(scored: Scored, scenario: dict, spec: SolveSpec) -> dict:
    """The optimum of one scenario: money re-weighted, budget set, solved; a flat record."""
    from .solve.exact import solve

    try:
        compiled = _compile(_table_for(scored, scenario), scenario, spec)
        plan = solve(compiled, gap=spec.gap, time_limit_s=spec.time_limit_s)
    except InfeasibleError as exc:
        return _infeasible(exc)
    return _record(compiled, plan, spec.objective)


def with_budget(compiled, budget_cny: float):
    """``compiled`` with its budget row's right-hand side set to ``budget_cny`` [CNY]: the same
    arrays and rows, so a plan of one is a plan of the other (what ``Problem.compile`` gives for
    the problem with that budget; the rows are scaled by their coefficients, not their limits).
    Raises InfeasibleError, as compiling does, when the budget alone cannot hold."""
    i = [k for k, name in enumerate(compiled.con_names) if name.startswith("budget (")]
    if len(i) != 1:
        raise ValueError("the compiled problem has no budget row")
    b = compiled.b.copy()
    b[i[0]] = float(budget_cny)
    out = replace(compiled, b=b, problem=compiled.problem.with_(budget_cny=float(budget_cny)))
    out.check_single_rows()
    return out


def solve_batch(scored: Scored, spec: SolveSpec, scenarios: Sequence[dict]) -> list:
    """Scenarios of one scored table in one call, each as :func:`solve_scenario` would solve it:
    the table re-weighted once per money setting and the problem compiled once (at the batch's
    largest budget); every budget then only re-sets the budget row's right-hand side and is
    re-solved, from the smallest budget up, warm-started (``spec.warm_start``) from the plan of
    the budget before it (still feasible under a larger budget). One record per scenario, in the
    given order, or the exception that scenario raised (it fails alone)."""
    from .solve.exact import solve

    out: list = [None] * len(scenarios)
    groups: dict[tuple, list[int]] = {}
    for k, sc in enumerate(scenarios):
        groups.setdefault(tuple(sorted(_money(sc).items())), []).append(k)
    for ks in groups.values():
        ks.sort(key=lambda k: float(scenarios[k].get("budget", np.inf)))
        budgets = ["budget" in scenarios[k] for k in ks]
        try:
            table = _table_for(scored, scenarios[ks[0]])
            try:
                base = _compile(table, scenarios[ks[-1]], spec) if all(budgets) and len(ks) > 1 else None
            except InfeasibleError:    # even the largest budget (or another row) cannot hold: one by one
                base = None
        except Exception as exc:       # noqa: BLE001 - the group's scenarios fail with it, the batch goes on
            for k in ks:
                out[k] = exc
            continue
        start = None
        for k in ks:
            try:
                if base is not None:
                    compiled = with_budget(base, scenarios[k]["budget"])
                else:
                    compiled = _compile(table, scenarios[k], spec)
                plan = solve(compiled, gap=spec.gap, time_limit_s=spec.time_limit_s,
                             start=start if spec.warm_start else None)
            except InfeasibleError as exc:
                out[k] = _infeasible(exc)
            except Exception as exc:   # noqa: BLE001 - reported as this scenario's failure
                out[k] = exc
            else:
                out[k] = _record(compiled, plan, spec.objective)
                start = plan.choice if base is not None else None
    return out


# ----------------------------------------------------------------------------------------------
# the workflow
# ----------------------------------------------------------------------------------------------
@dataclass
class SweepResult:
    table: pd.DataFrame                 # one row per scenario (sweep.parquet)
    zone_ids: list[str]
    stability: pd.DataFrame
    summary: RunSummary
    files: list[Path] = field(default_factory=list)


#: most scenarios in one runner task (:func:`solve_batch`): a sweep killed mid-batch re-runs at most these
BATCH_SCENARIOS = 20
#: fewer scenarios per batch when needed so that every worker gets at least this many tasks
TASKS_PER_WORKER = 4


def batch_size(n_scenarios: int, workers: int, most: int = BATCH_SCENARIOS) -> int:
    """Scenarios per task: at most ``most``, and few enough for ``TASKS_PER_WORKER`` tasks per worker."""
    return max(1, min(int(most), -(-int(n_scenarios) // (TASKS_PER_WORKER * max(1, int(workers))))))


def sweep_tasks(source: SiteInput, grid: dict[str, list], spec: SolveSpec, batch: int = 1):
    """The runner's tasks, sharing one scored table per standard: with ``batch`` 1 one task per
    scenario (:func:`solve_scenario`), else batches (:func:`solve_batch`) of at most ``batch``
    scenarios of one standard and one money setting, budgets in order; each scenario is still its
    own record in the journal."""
    from .runner import Batch, Item, Shared, Task

    scen = scenarios(grid)
    groups: dict[tuple, list] = {}
    for row in scen.to_dict("records"):
        sid = row.pop("scenario_id")
        std = row.get("standard")
        groups.setdefault((std, tuple(sorted(_money(row).items()))), []).append((sid, row))
    tasks: list = []
    for (std, _money_key), rows in groups.items():
        shared = Shared(key=f"score-{std or 'settings'}", fn=score_site, args=(source, std))
        if batch <= 1:
            tasks += [Task(id=sid, fn=solve_scenario, args=(shared, row, spec), meta={"scenario_id": sid, **row})
                      for sid, row in rows]
            continue
        rows.sort(key=lambda r: float(r[1].get("budget", np.inf)))
        for i in range(0, len(rows), batch):
            items = tuple(Item(id=sid, arg=row, meta={"scenario_id": sid, **row}) for sid, row in rows[i:i + batch])
            tasks.append(Batch(fn=solve_batch, args=(shared, spec), items=items))
    return scen, tasks


def sweep_site(source: SiteInput | str | Path, grid: dict[str, list], *, objective: str = "removals",
               limits: Constraints | None = None, gap: float = 1e-4, time_limit_s: float = 60.0,
               out_dir: str | Path, scheduler: str | None = None, workers: int | None = None,
               client=None, progress: Callable[[int, int, int], None] | None = None,
               batch: int | None = None, warm_start: bool = False) -> SweepResult:
    """Run every scenario of ``grid`` (see :func:`parse_grid`) on the Dask runner and write the sweep.

    ``client``: an open Dask client to use (else :func:`optimizer.runner.cluster` of
    ``scheduler`` or a LocalCluster of ``workers``). Finished scenarios of an earlier run in
    ``out_dir`` are not run again. ``batch``: scenarios per task (default :func:`batch_size` of
    the grid and the cluster's workers; 1: one task per scenario). ``warm_start``: in a batch,
    start each budget's solve from the previous budget's plan (measured no faster on the Loess
    site, benchmarks/RESULTS.md; a tie may then be broken by another plan of equal value).
    """
    from .io.paths import check_output_dir
    from .problem import OBJECTIVES
    from .runner import Journal
    from .site import read_site

    if objective not in OBJECTIVES or not OBJECTIVES[objective].linear:
        raise SinkPlanError(_("objective {name}: a sweep takes a linear objective ({valid})").format(
            name=repr(objective), valid=", ".join(n for n, o in OBJECTIVES.items() if o.linear)))
    source = source if isinstance(source, SiteInput) else SiteInput(source)
    out = check_output_dir(out_dir)
    site = read_site(source.path, source.settings, layer=source.layer, crs=source.crs,
                     fix_geometry=source.fix_geometry)       # checks the inputs once, before any cluster starts
    if "standard" in grid:
        from .catalog import standard_ids
        unknown = [s for s in grid["standard"] if s not in standard_ids()]
        if unknown:
            raise SinkPlanError(_("grid standard: unknown {names}; the catalog has {known}").format(
                names=", ".join(unknown), known=", ".join(standard_ids())))
    spec = SolveSpec(objective=objective, limits=limits or Constraints(), gap=gap, time_limit_s=time_limit_s,
                     warm_start=warm_start)
    journal = Journal(out / "parts")
    scen, summary = run_batches(lambda size: sweep_tasks(source, grid, spec, batch=size), grid, journal,
                                batch=batch, client=client, scheduler=scheduler, workers=workers, progress=progress)
    return write_sweep(out, site, scen, journal, grid, spec, summary)


def run_batches(make_tasks: Callable[[int], tuple[pd.DataFrame, list]], grid: dict[str, list], journal, *,
                batch: int | None, client=None, scheduler: str | None = None, workers: int | None = None,
                progress=None) -> tuple[pd.DataFrame, RunSummary]:
    """The scenarios of ``grid`` as tasks of ``make_tasks(batch size)`` run journaled on ``client``
    (else a cluster of ``scheduler`` or ``workers`` for the run): (scenarios, summary). The batch
    size is ``batch``, else :func:`batch_size` of the grid and the cluster's workers."""
    from .runner import cluster, n_workers, run_journaled

    def run(c) -> tuple[pd.DataFrame, RunSummary]:
        n = int(np.prod([len(v) for v in grid.values()]))
        scen, tasks = make_tasks(batch if batch is not None else batch_size(n, n_workers(c)))
        return scen, run_journaled(c, tasks, journal, progress=progress)

    if client is not None:
        return run(client)
    with cluster(scheduler, workers) as c:
        return run(c)


#: The columns of a scenario's result in ``sweep.parquet``, after the grid's (others follow sorted).
RESULT_COLUMNS = ("solve_status", "gap", "objective", "message", "options", "removals_tco2e", "credits_tco2e",
                  "credit_value_cny", "cost_cny", "capex_cny", "soil_loss_t_per_yr", "area_ha", "status", "error")


def write_sweep(out: Path, site, scen: pd.DataFrame, journal, grid, spec: SolveSpec, summary, *,
                zone_ids: list[str] | None = None, inputs: dict | None = None) -> SweepResult:
    """sweep.parquet, stability.csv, figures and manifest.json from the journal's records.
    ``site`` None (a portfolio): ``zone_ids`` name the zones and ``inputs`` go to the manifest."""
    from .analysis.stability import plan_stability
    from .io.manifest import manifest
    from .io.plans import write_json
    from .io.tables import write_table
    from .report.sweep import sweep_figures

    rec = journal.read()
    rec = rec[rec["task_id"].isin(set(scen["scenario_id"]))]
    keep = [c for c in rec.columns if c not in scen.columns or c == "scenario_id"]
    df = scen.merge(rec[keep].drop(columns=["task_id"]), on="scenario_id", how="left")
    df["status"] = df["status"].fillna("missing")
    # one column order whatever record reached the journal first (batches write theirs in another)
    first = [c for c in (*scen.columns, *RESULT_COLUMNS) if c in df.columns]
    df = df[first + sorted(c for c in df.columns if c not in first)]
    if zone_ids is None:
        zone_ids = [str(z) for z in site.zones["zone_id"]]
    axes = list(grid)
    stab = plan_stability(df, zone_ids, axes)
    files = [write_table(df, out / "sweep.parquet"), write_table(stab, out / "stability.csv")]
    files += sweep_figures(df, axes, spec.objective, out)
    doc = manifest(command="sweep", site=site, problem={"objective": spec.objective, "limits": asdict(spec.limits),
                                                         "gap": spec.gap, "time_limit_s": spec.time_limit_s},
                   solver={"scenarios": len(df), "ok": int((df["status"] == "ok").sum()),
                           "failed": int((df["status"] == "failed").sum()), "run_now": summary.ok + summary.failed,
                           "skipped_done_before": summary.skipped, "workers": summary.workers,
                           "runtime_s": summary.runtime_s},
                   extra_inputs={"grid": grid, "zone_ids": zone_ids, **(inputs or {})})
    files.append(write_json(out / "manifest.json", doc))
    return SweepResult(table=df, zone_ids=zone_ids, stability=stab, summary=summary, files=files)
