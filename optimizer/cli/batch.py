"""``sinkplan sweep``: one site's optimum over a grid of scenarios, on Dask distributed.

Dask is imported only when this command runs (the single-site commands never load it).
"""

from __future__ import annotations

from pathlib import Path

import click

from ..i18n import N_, _
from .common import GAP, SECONDS, emit_json, err, out, progress, site_argument, site_options, voice_options
from .help import Command
from .plan import MAXIMIZE, MINIMIZE


def register(app: click.Group) -> None:
    app.add_command(sweep)


@click.command(cls=Command)
@site_argument
@click.option("--grid", "grid_items", multiple=True, required=True, metavar="AXIS=VALUES",
              help=N_("Repeatable. price=40,60,80 (start carbon price, CNY/t), discount=0.03:0.08:6 (LO:HI:N), "
                   "budget=1e7:5e7:9 (CNY), standard=CCER,VCS."))
@click.option("--objective", type=click.Choice(MAXIMIZE + MINIMIZE), default="removals", show_default=True,
              help=N_("The objective each scenario optimises (its natural sense)."))
@click.option("--budget-on", type=click.Choice(["capex", "cost"]), default="capex", show_default=True,
              help=N_("What the budget limits: capital, or NPV cost."))
@click.option("--constraint", multiple=True, metavar="NAME<=|>=VALUE", help=N_("Repeatable, as for optimize."))
@click.option("--gap", type=GAP, default=1e-4, show_default=True, help=N_("Certified relative gap per scenario."))
@click.option("--time-limit", type=SECONDS, default=60.0, show_default=True, help=N_("Per scenario [s]."))
@click.option("--scheduler", default=None, metavar="tcp://HOST:PORT",
              help=N_("An existing Dask scheduler (default: a local cluster)."))
@click.option("--workers", type=click.IntRange(1), default=None,
              help=N_("Worker processes of the local cluster (default: usable CPUs)."))
@click.option("--batch", type=click.IntRange(1), default=None, metavar="N",
              help=N_("Scenarios per runner task, each still its own record (default: at most 20, fewer so that "
                      "every worker gets at least 4 tasks; 1: one task per scenario)."))
@click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True,
              help=N_("Output folder; a sweep interrupted there resumes."))
@site_options
@voice_options
def sweep(site_path: Path, grid_items, objective, budget_on, constraint, gap, time_limit, scheduler, workers,
          batch, out_dir, settings, layer, crs, fix_geometry, catalog, quiet, as_json):
    """Optimise every scenario of a grid (carbon price × discount rate × budget × standard).

    SITE is a zoning file, or a portfolio TOML (as for `sinkplan portfolio`): then every scenario is
    the portfolio's joined optimum (its objective, stocks and shares; budget = the shared budget),
    with per-site columns in sweep.parquet. Writes sweep.parquet (one row per scenario),
    stability.csv (zones that never change, and where the others flip), figures/ and
    manifest.json in --out. Results are written as they
    arrive: run the same command again to finish an interrupted sweep.
    """
    from ..sweep import parse_grid, sweep_site
    from ..workflows import Constraints, SiteInput

    grid = parse_grid(grid_items)
    limits = Constraints(budget_on=budget_on, constraints=tuple(constraint))
    show = not (quiet or as_json)
    with progress(enabled=show) as steps:
        update = steps.step(_("scenarios"))

        def on_progress(done, total, failed):
            update(done, total, stats=_("{n} failed").format(n=failed) if failed else "")

        if site_path.suffix.lower() == ".toml":
            from ..portfolio.sweep import sweep_portfolio
            result = sweep_portfolio(site_path, grid, gap=gap, time_limit_s=time_limit, out_dir=out_dir,
                                     scheduler=scheduler, workers=workers, progress=on_progress, batch=batch)
        else:
            result = sweep_site(SiteInput(site_path, settings, layer, crs, fix_geometry, catalog), grid,
                                objective=objective, limits=limits, gap=gap, time_limit_s=time_limit,
                                out_dir=out_dir, scheduler=scheduler, workers=workers, progress=on_progress,
                                batch=batch)
    s = result.summary
    df = result.table
    doc = {"scenarios": len(df), "ok": int((df["status"] == "ok").sum()), "failed": s.failed,
           "skipped_done_before": s.skipped, "workers": s.workers, "runtime_s": round(s.runtime_s, 2),
           "stable_zones": int(result.stability.drop_duplicates("zone_id")["stable"].sum()),
           "zones": len(result.zone_ids), "files": [str(f) for f in result.files]}
    if as_json:
        emit_json(doc)
        return
    for f in s.failures:
        scen = ", ".join(f"{k}={v}" for k, v in f.items() if k not in ("task_id", "error"))
        err.print(_("failed: scenario {scenario}: {error}").format(scenario=scen, error=f["error"]), highlight=False,
                  soft_wrap=True)
    if not quiet:
        out.print(_("{n} scenarios: {ok} solved ({now} now, {before} before), {failed} failed; {workers} workers, "
                    "{seconds} s; {stable} of {zones} zones never change").format(
                      n=doc["scenarios"], ok=doc["ok"], now=s.ok, before=s.skipped, failed=s.failed, workers=s.workers,
                      seconds=f"{s.runtime_s:.1f}", stable=doc["stable_zones"], zones=doc["zones"]), highlight=False)
        out.print(_("wrote ") + ", ".join(str(f) for f in result.files), highlight=False)
