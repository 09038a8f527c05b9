"""``sinkplan monitor``: observations in, per-zone recalibration, MRV view out
(:func:`optimizer.monitoring.run.monitor_run`)."""

from __future__ import annotations

from pathlib import Path

import click

from ..i18n import _
from .common import out


def register(app: click.Group) -> None:
    app.add_command(monitor)


@click.command()
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option("--observations", "observations", type=click.Path(path_type=Path), required=True,
              help="CSV or GIS layer: zone_id (or point geometry), date, any of biomass_c_t_per_ha, cover_pct, "
                   "soc_c_t_per_ha with soc_depth_cm, soil_loss_t_per_ha; optional campaign, method.")
@click.option("--raster", "rasters", multiple=True, type=click.Path(path_type=Path),
              help="Repeatable. NDVI GeoTIFF (any CRS; date in its name or a DATE tag) → cover per zone.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True, help="Output folder.")
def monitor(run_dir: Path, observations: Path, rasters: tuple[Path, ...], out_dir: Path):
    """Recalibrate each worked zone's growth from monitoring observations (Bayesian, partial pooling
    per vegetation type × climate) and write zones.csv, trajectories, the site's forecast before
    and after, a figure and a manifest in --out."""
    from ..monitoring.run import monitor_run

    r = monitor_run(run_dir, observations, rasters, out_dir=out_dir)
    s = r.summary
    out.print(f"{s['observations_used']:,} of {s['observations']:,} observations used, "
              f"{s['zones_observed']} zones observed, {s['zones_flagged']} flagged "
              f"({len(s['failing'])} failing, {len(s['thriving'])} thriving)")
    out.print(f"removals to {s['to_date_year']}: {s['removals_to_date_tco2e_estimated']:,.0f} t CO2e estimated "
              f"vs {s['removals_to_date_tco2e_forecast']:,.0f} forecast; at the horizon "
              f"{s['removals_horizon_tco2e_recalibrated']:,.0f} (90 %: {s['removals_horizon_tco2e_p5']:,.0f}–"
              f"{s['removals_horizon_tco2e_p95']:,.0f}) vs {s['removals_horizon_tco2e_forecast']:,.0f} forecast")
    out.print(_("wrote ") + ", ".join(str(p) for p in r.files))
