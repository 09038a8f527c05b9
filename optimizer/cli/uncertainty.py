"""``sinkplan uncertainty``: how sure is a run's plan? Monte Carlo, registry deductions, robust
plans and measurement priorities (:func:`optimizer.uncertainty.run.uncertainty_run`)."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import SinkPlanError
from ..i18n import N_, _
from .common import progress, warm_kernels
from .help import Command


def register(app: click.Group) -> None:
    app.add_command(uncertainty)


@click.command(cls=Command)
@click.argument("run_dir", metavar="RUN_DIR", type=click.Path(path_type=Path))
@click.option("--samples", type=click.IntRange(min=2), default=500, show_default=True,
              help=N_("Latin-hypercube samples of the parameter ranges."))
@click.option("--seed", type=int, default=1, show_default=True, help=N_("Seed: the same seed gives the same numbers."))
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help=N_("Output folder (default: RUN_DIR/uncertainty)."))
@click.option("--robust", "robust_scenarios", type=click.IntRange(min=0), default=0, show_default=True,
              help=N_("Scenarios of the robust plans (expected removals, and CVaR certified against its LP bound); "
                   "0: none. 50–200 for small sites."))
@click.option("--alpha", type=click.FloatRange(0.0, 1.0, min_open=True), default=0.1, show_default=True,
              help=N_("CVaR tail: the mean of the worst alpha share of scenarios."))
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), default=60.0, show_default=True,
              help=N_("Wall-clock limit of the CVaR plan's LP and MILP solves [s]."))
@click.option("--sensitivity", "sensitivity", type=click.IntRange(min=0), default=10, show_default=True,
              help=N_("Morris trajectories of the global sensitivity screening by parameter group (SALib); 0: none."))
@click.option("--no-figures", is_flag=True, help=N_("Write only the tables."))
def uncertainty(run_dir, samples, seed, out, robust_scenarios, alpha, time_limit, sensitivity, no_figures):
    """Monte Carlo of every plan of RUN_DIR (the --out folder of `sinkplan optimize` or
    `sinkplan pareto`): P5/P50/P95 of removals, credits, credit value, cost and soil loss, fan
    charts, probabilities, registry uncertainty deductions and measurement priorities."""
    from rich.console import Console

    from ..uncertainty.run import uncertainty_run

    if not run_dir.is_dir() or not (run_dir / "manifest.json").is_file():
        raise SinkPlanError(_("{path}: not a run folder (no manifest.json); give the --out folder of "
                              "`sinkplan optimize` or `sinkplan pareto`").format(path=run_dir))
    with progress() as steps:           # the Monte Carlo's kernel, compiled once (a few seconds) on a first run
        warm_kernels(steps, "uncertainty")
    res = uncertainty_run(run_dir, samples=samples, seed=seed, out=out, robust_scenarios=robust_scenarios,
                          alpha=alpha, time_limit_s=time_limit, figures=not no_figures,
                          sensitivity_trajectories=sensitivity)
    con = Console()
    d = res.intervals[res.intervals["metric"] == "removals_tco2e"]
    for r in d.itertuples():
        con.print(_("{plan}: removals {central} t CO2e central, P5–P95 {p5}–{p95}").format(
            plan=r.plan, central=f"{r.central:,.0f}", p5=f"{r.p5:,.0f}", p95=f"{r.p95:,.0f}"))
    if res.robust is not None:
        for r in res.robust.itertuples():
            con.print(_("robust {plan}: expected {expected} t CO2e, gives up {given_up} for downside "
                        "protection").format(
                plan=r.plan, expected=f"{r.expected_tco2e:,.0f}", given_up=f"{r.expected_given_up_tco2e:,.0f}"))
    con.print(_("wrote {n} files in {folder}").format(n=len(res.files), folder=res.out))
