"""``sinkplan validate``, ``sinkplan options`` and ``sinkplan settings``: the inputs."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from ..i18n import N_, _
from .common import out, progress, read_site, site_argument, site_options
from .help import Command


def register(app: click.Group) -> None:
    app.add_command(validate)
    app.add_command(options)
    app.add_command(settings_schema)


@click.command(cls=Command)
@site_argument
@site_options
def validate(site_path: Path, settings, layer, crs, fix_geometry, catalog):
    """Check a zoning file and print the site's summary, or every problem found (exit status 2)."""
    site = read_site(site_path, settings, layer, crs, fix_geometry)
    if catalog is not None:
        from ..catalog import load_catalog
        load_catalog(catalog)
    s = site.summary()
    out.print(f"[bold]{s['file']}[/bold]" + (_(" (layer {layer})").format(layer=s["layer"]) if s["layer"] else "")
              + _(": {zones} zones, {area} ha, CRS {crs}").format(zones=s["zones"], area=f"{s['area_ha']:,.1f}",
                                                               crs=s["crs"] or _("none (CSV)")))
    t = Table(_("zone type"), _("zones"), _("area (ha)"))
    for k, v in s["by_type"].items():
        t.add_row(k, str(v["zones"]), f"{v['area_ha']:,.1f}")
    out.print(t)
    if s["burning"]:
        out.print(_("burning heaps: ") + ", ".join(f"{k} {v}" for k, v in s["burning"].items()))
    if s["contaminated"]:
        out.print(_("contaminated zones: {n}").format(n=s["contaminated"]))
    out.print(_("settings: {file}").format(file=s["settings"]))
    for n in s["notes"]:
        out.print(_("note: {note}").format(note=n))
    out.print("[green]" + _("valid") + "[/green]")


@click.command(cls=Command)
@site_argument
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help=N_("options.csv or options.parquet"))
@site_options
def options(site_path: Path, output: Path, settings, layer, crs, fix_geometry, catalog):
    """Score every feasible restoration option of every zone and write the option table."""
    from ..errors import SinkPlanError
    from ..io.paths import check_output_file
    from ..io.tables import write_table
    from ..options import evaluate_options

    if output.suffix.lower() not in (".csv", ".parquet"):
        raise SinkPlanError(_("-o {output}: write the option table as .csv or .parquet").format(output=output))
    output = check_output_file(output, suffixes=(".csv", ".parquet"), option="-o")
    site = read_site(site_path, settings, layer, crs, fix_geometry)
    with progress(_("scoring options")) as update:
        table = evaluate_options(site, catalog, progress=update)
    df = table.to_frame()
    write_table(df, output)
    out.print(_("{zones} zones, {options} options ({per_zone} per zone) → {output}").format(
        zones=table.n_zones, options=f"{table.n_rows:,}", per_zone=f"{table.n_rows / max(1, table.n_zones):.0f}",
        output=output))
    tol = df.groupby("zone_id")["within_tolerance"].any()
    if not tol.all():
        st = site.settings
        rule = (_("; rule {rule}: also each of the first {years} yr ≤ {limit} t/ha").format(
            rule=st.tolerance_rule, years=st.tolerance_early_years,
            limit=f"{st.tolerance_early_factor * st.tolerable_soil_loss_t_per_ha_yr:g}")
                if st.tolerance_rule == "mean_and_early" else "")
        out.print("[yellow]" + _("{n} zone(s) have no option within the tolerable soil loss ({limit} t/ha/yr on the "
                                 "mean{rule})").format(n=(~tol).sum(), limit=f"{st.tolerable_soil_loss_t_per_ha_yr:g}",
                                                       rule=rule) + "[/yellow]")


@click.command("settings", cls=Command)
def settings_schema():
    """Print the settings schema: every key with its section, default and unit."""
    from ..settings import schema_table
    t = Table(_("section"), _("key"), _("default"), _("unit"), _("description"), show_lines=False)
    for _i, r in schema_table().iterrows():
        t.add_row(r["section"], r["key"], str(r["default"]), r["unit"], r["description"])
    out.print(t)
