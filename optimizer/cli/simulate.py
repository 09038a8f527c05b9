"""``sinkplan simulate``: year-by-year trajectories of zone–option pairs beside the no-works baseline.

The library call is :func:`optimizer.options.simulate.iter_simulate`; this command parses, streams
its pieces into one CSV (atomically: an interrupted run leaves no partial file) and prints a line.
"""

from __future__ import annotations

from pathlib import Path

import click

from ..i18n import N_, _
from .common import out, progress, read_site, site_argument, site_options
from .help import Command


def register(app: click.Group) -> None:
    app.add_command(simulate)


@click.command(cls=Command)
@site_argument
@click.option("--option", "option_specs", multiple=True, metavar="ZONE=OPTION",
              help=N_("A zone and one of its option ids (as `sinkplan options` lists them); repeat for more. "
                   "Without it: every option of every zone."))
@click.option("--years", type=int, default=None,
              help=N_("Years to simulate after the works (default: the settings' horizon_yr)."))
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help=N_("traj.csv"))
@site_options
def simulate(site_path: Path, option_specs: tuple[str, ...], years: int | None, output: Path, settings, layer, crs,
             fix_geometry, catalog):
    """Write one row per zone, option and year (year 0 = before the works): biomass, SOC and
    ecosystem carbon [t C/ha], that year's net removals [t CO2e] and soil loss [t/ha], cover [%],
    and the same for the zone's no-works baseline (columns ending in _baseline)."""
    from ..io.atomic import atomic_path
    from ..io.excel import neutralise
    from ..io.paths import check_output_file
    from ..options.simulate import check_years, iter_simulate, parse_option_specs

    output = check_output_file(output, suffixes=(".csv",), option="-o")
    pairs = parse_option_specs(option_specs) if option_specs else None
    check_years(years)
    site = read_site(site_path, settings, layer, crs, fix_geometry)
    lines, pairs_done, horizon = 0, 0, 0
    with progress(_("simulating options")) as update, atomic_path(output) as tmp:
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            for part in iter_simulate(site, pairs, years, catalog=catalog, progress=update):
                neutralise(part).to_csv(f, header=lines == 0, index=False, float_format="%.10g")
                lines += len(part)
                horizon = int(part["year"].max()) if len(part) else horizon
                pairs_done += int((part["year"] == 0).sum())
    out.print(_("{pairs} zone–option pair(s), years 0–{horizon}: {rows} rows → {output}").format(
        pairs=f"{pairs_done:,}", horizon=horizon, rows=f"{lines:,}", output=output))
