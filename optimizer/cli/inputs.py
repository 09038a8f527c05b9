"""``sinkplan validate``, ``sinkplan options`` and ``sinkplan settings``: the inputs."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from ..i18n import _
from .common import out, progress, read_site, site_argument, site_options


def register(app: click.Group) -> None:
    app.add_command(validate)
    app.add_command(options)
    app.add_command(settings_schema)


@click.command()
@site_argument
@site_options
def validate(site_path: Path, settings, layer, crs, fix_geometry, catalog):
    """Check a zoning file and print the site's summary, or every problem found (exit status 2)."""
    site = read_site(site_path, settings, layer, crs, fix_geometry)
    if catalog is not None:
        from ..catalog import load_catalog
        load_catalog(catalog)
    s = site.summary()
    out.print(f"[bold]{s['file']}[/bold]" + (f" (layer {s['layer']})" if s["layer"] else "")
              + f": {s['zones']} zones, {s['area_ha']:,.1f} ha, CRS {s['crs'] or 'none (CSV)'}")
    t = Table("zone type", "zones", "area (ha)")
    for k, v in s["by_type"].items():
        t.add_row(k, str(v["zones"]), f"{v['area_ha']:,.1f}")
    out.print(t)
    if s["burning"]:
        out.print(_("burning heaps: ") + ", ".join(f"{k} {v}" for k, v in s["burning"].items()))
    if s["contaminated"]:
        out.print(f"contaminated zones: {s['contaminated']}")
    out.print(f"settings: {s['settings']}")
    for n in s["notes"]:
        out.print(f"note: {n}")
    out.print("[green]" + _("valid") + "[/green]")


@click.command()
@site_argument
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="options.csv or options.parquet")
@site_options
def options(site_path: Path, output: Path, settings, layer, crs, fix_geometry, catalog):
    """Score every feasible restoration option of every zone and write the option table."""
    from ..errors import SinkPlanError
    from ..io.paths import check_output_file
    from ..io.tables import write_table
    from ..options import evaluate_options

    if output.suffix.lower() not in (".csv", ".parquet"):
        raise SinkPlanError(f"-o {output}: write the option table as .csv or .parquet")
    output = check_output_file(output, suffixes=(".csv", ".parquet"), option="-o")
    site = read_site(site_path, settings, layer, crs, fix_geometry)
    with progress(_("scoring options")) as update:
        table = evaluate_options(site, catalog, progress=update)
    df = table.to_frame()
    write_table(df, output)
    out.print(f"{table.n_zones} zones, {table.n_rows:,} options "
              f"({table.n_rows / max(1, table.n_zones):.0f} per zone) → {output}")
    tol = df.groupby("zone_id")["within_tolerance"].any()
    if not tol.all():
        st = site.settings
        rule = (f"; rule {st.tolerance_rule}: also each of the first {st.tolerance_early_years} yr ≤ "
                f"{st.tolerance_early_factor * st.tolerable_soil_loss_t_per_ha_yr:g} t/ha"
                if st.tolerance_rule == "mean_and_early" else "")
        out.print(f"[yellow]{(~tol).sum()} zone(s) have no option within the tolerable soil loss "
                  f"({st.tolerable_soil_loss_t_per_ha_yr:g} t/ha/yr on the mean{rule})[/yellow]")


@click.command("settings")
def settings_schema():
    """Print the settings schema: every key with its section, default and unit."""
    from ..settings import schema_table
    t = Table("section", "key", "default", "unit", "description", show_lines=False)
    for _i, r in schema_table().iterrows():
        t.add_row(r["section"], r["key"], str(r["default"]), r["unit"], r["description"])
    out.print(t)
