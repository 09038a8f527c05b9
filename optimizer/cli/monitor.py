"""``sinkplan monitor``: observations in, per-zone recalibration, MRV view out
(:func:`optimizer.monitoring.run.monitor_run`)."""

from __future__ import annotations

from pathlib import Path

import click

from ..i18n import N_, _
from .common import GAP, MONEY, SECONDS, out, status_word
from .help import Command


def register(app: click.Group) -> None:
    app.add_command(monitor)
    app.add_command(replan)


@click.command(cls=Command)
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option("--observations", "observations", type=click.Path(path_type=Path), required=True,
              help=N_("CSV or GIS layer: zone_id (or point geometry), date, any of biomass_c_t_per_ha, cover_pct, "
                   "soc_c_t_per_ha with soc_depth_cm, soil_loss_t_per_ha, dbh_cm and/or height_m with "
                   "stems_per_ha (converted by the catalog's allometry.csv); optional campaign, method."))
@click.option("--raster", "rasters", multiple=True, type=click.Path(path_type=Path),
              help=N_("Repeatable. NDVI GeoTIFF (any CRS; date in its name or a DATE tag) → cover per zone."))
@click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True, help=N_("Output folder."))
def monitor(run_dir: Path, observations: Path, rasters: tuple[Path, ...], out_dir: Path):
    """Recalibrate each worked zone's growth from monitoring observations (Bayesian, partial pooling
    per vegetation type × climate) and write zones.csv, trajectories, the site's forecast before
    and after, a figure and a manifest in --out."""
    from ..monitoring.run import monitor_run

    r = monitor_run(run_dir, observations, rasters, out_dir=out_dir)
    s = r.summary
    out.print(_("{used} of {read} observations used, {observed} zones observed, {flagged} flagged ({failing} failing, "
                "{thriving} thriving)").format(
        used=f"{s['observations_used']:,}", read=f"{s['observations']:,}", observed=s["zones_observed"],
        flagged=s["zones_flagged"], failing=len(s["failing"]), thriving=len(s["thriving"])))
    out.print(_("removals to {year}: {estimated} t CO2e estimated vs {forecast} forecast; at the horizon "
                "{recalibrated} (90 %: {p5}–{p95}) vs {horizon_forecast} forecast").format(
        year=s["to_date_year"], estimated=f"{s['removals_to_date_tco2e_estimated']:,.0f}",
        forecast=f"{s['removals_to_date_tco2e_forecast']:,.0f}",
        recalibrated=f"{s['removals_horizon_tco2e_recalibrated']:,.0f}", p5=f"{s['removals_horizon_tco2e_p5']:,.0f}",
        p95=f"{s['removals_horizon_tco2e_p95']:,.0f}", horizon_forecast=f"{s['removals_horizon_tco2e_forecast']:,.0f}"))
    if r.mrv is not None and len(r.mrv):
        each = "; ".join(_("{standard} {issuable} (forecast {forecast})").format(
            standard=m.standard, issuable=f"{m.credits_issuable_tco2e:,.0f}",
            forecast=f"{m.credits_forecast_tco2e:,.0f}") for m in r.mrv.itertuples())
        out.print(_("credits issuable to {year}, t CO2e: {each}").format(year=s["to_date_year"], each=each))
    out.print(_("wrote ") + ", ".join(str(p) for p in r.files))


@click.command(cls=Command)
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option("--monitoring", "monitoring", type=click.Path(path_type=Path), required=True,
              help=N_("The --out folder of `sinkplan monitor` for this run (its zones.csv)."))
@click.option("--year", type=int, required=True,
              help=N_("Calendar year of the re-plan (before the last year of the run's horizon); corrective and new "
                   "works start in it."))
@click.option("--budget", type=MONEY, default=None,
              help=N_("Total capital budget [CNY] (default: the run's); what the run spent is deducted."))
@click.option("--gap", type=GAP, default=1e-4, show_default=True, help=N_("Certified relative gap to reach."))
@click.option("--time-limit", type=SECONDS, default=60.0, show_default=True, help=N_("Wall-clock limit [s]."))
@click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True, help=N_("Output folder."))
def replan(run_dir: Path, monitoring: Path, year: int, budget, gap, time_limit, out_dir: Path):
    """Continue a run after monitoring: worked zones keep their options on their recalibrated
    growth, the capex spent is deducted from the budget, and the zones without works and the
    failing stands (corrective works, begun in --year) are re-optimised under the budget left. Writes plan files,
    replan_changes.csv and a manifest with the run's history in --out (docs/science.md §9)."""
    from ..monitoring.replan import replan_run

    r = replan_run(run_dir, monitoring, year, out_dir=out_dir, budget_cny=budget, gap=gap, time_limit_s=time_limit)
    t = r.plan.totals
    left = (_("no budget limit") if r.budget_left_cny is None
            else _("{money} CNY left").format(money=f"{r.budget_left_cny:,.0f}"))
    out.print(_("spent {spent} CNY on the works of {worked} zones; {left}; {kept} zones kept, {free} re-optimised, "
                "{changed} changed").format(spent=f"{r.spent_capex_cny:,.0f}", worked=len(r.worked), left=left,
                                            kept=len(r.locked), free=len(r.free), changed=len(r.changed)))
    out.print(_("re-plan ({status}): {removals} t CO2e at the horizon on the recalibrated model, new capex {capex} "
                "CNY").format(status=status_word(r.plan.status), removals=f"{t['removals_tco2e']:,.0f}",
                              capex=f"{t['capex_cny']:,.0f}"))
    out.print(_("wrote ") + ", ".join(str(p) for p in r.files))
