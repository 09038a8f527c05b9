"""The ``sinkplan`` command. Thin: it parses, calls the library, prints, and turns user mistakes
(:class:`~optimizer.errors.SinkPlanError`) into a message and exit status 2, never a traceback."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from .errors import SinkPlanError

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, no_args_is_help=True,
                  help="SinkPlan: plan the ecological restoration of mines for carbon.")
out = Console()
err = Console(stderr=True)

LayerOpt = typer.Option(None, "--layer", help="GeoPackage layer to read.")
CrsOpt = typer.Option(None, "--crs", help="CRS to assume when the file has none, e.g. EPSG:32649.")
SettingsOpt = typer.Option(None, "--settings", help="Settings TOML (default: the one beside the zoning file).")
FixOpt = typer.Option(False, "--fix-geometry", help="Repair invalid polygons with shapely and report the changes.")
CatalogOpt = typer.Option(None, "--catalog", help="The planner's own catalog CSV (adds or overrides measures).")


def _site(path: Path, settings: Optional[Path], layer, crs, fix):
    from .site import read_site
    return read_site(path, settings, layer=layer, crs=crs, fix_geometry=fix)


@app.command()
def validate(path: Path = typer.Argument(..., help="Zoning file: .gpkg, .geojson, .shp or .csv"),
             settings: Optional[Path] = SettingsOpt, layer: Optional[str] = LayerOpt,
             crs: Optional[str] = CrsOpt, fix_geometry: bool = FixOpt):
    """Check a zoning file and print the site's summary, or every problem found."""
    site = _site(path, settings, layer, crs, fix_geometry)
    s = site.summary()
    out.print(f"[bold]{s['file']}[/bold]" + (f" (layer {s['layer']})" if s["layer"] else "")
              + f": {s['zones']} zones, {s['area_ha']:,.1f} ha, CRS {s['crs'] or 'none (CSV)'}")
    t = Table("zone type", "zones", "area (ha)")
    for k, v in s["by_type"].items():
        t.add_row(k, str(v["zones"]), f"{v['area_ha']:,.1f}")
    out.print(t)
    if s["burning"]:
        out.print("burning heaps: " + ", ".join(f"{k} {v}" for k, v in s["burning"].items()))
    if s["contaminated"]:
        out.print(f"contaminated zones: {s['contaminated']}")
    out.print(f"settings: {s['settings']}")
    for n in s["notes"]:
        out.print(f"note: {n}")
    out.print("[green]valid[/green]")


@app.command()
def options(path: Path = typer.Argument(..., help="Zoning file"),
            output: Path = typer.Option(..., "-o", "--output", help="options.csv or options.parquet"),
            settings: Optional[Path] = SettingsOpt, layer: Optional[str] = LayerOpt, crs: Optional[str] = CrsOpt,
            fix_geometry: bool = FixOpt, catalog: Optional[Path] = CatalogOpt):
    """Score every feasible restoration option of every zone and write the option table."""
    from .io.tables import write_table
    from .options import evaluate_options
    from rich.progress import Progress

    site = _site(path, settings, layer, crs, fix_geometry)
    with Progress(console=err, transient=True) as bar:
        task = bar.add_task("scoring options", total=None)
        table = evaluate_options(site, catalog, progress=lambda done, total: bar.update(task, completed=done,
                                                                                        total=total))
    df = table.to_frame()
    write_table(df, output)
    out.print(f"{table.n_zones} zones, {table.n_rows:,} options "
              f"({table.n_rows / max(1, table.n_zones):.0f} per zone) → {output}")
    tol = df.groupby("zone_id")["within_tolerance"].any()
    if not tol.all():
        out.print(f"[yellow]{(~tol).sum()} zone(s) have no option within the tolerable soil loss "
                  f"({site.settings.tolerable_soil_loss_t_per_ha_yr:g} t/ha/yr)[/yellow]")


@app.command("settings")
def settings_schema():
    """Print the settings schema: every key with its section, default and unit."""
    from .settings import schema_table
    t = Table("section", "key", "default", "unit", "description", show_lines=False)
    for _, r in schema_table().iterrows():
        t.add_row(r["section"], r["key"], str(r["default"]), r["unit"], r["description"])
    out.print(t)


def main(argv: list[str] | None = None) -> int:
    """Entry point: user mistakes exit 2 with a message, never a traceback."""
    import click

    try:
        app(args=argv, standalone_mode=False)
    except SinkPlanError as exc:
        from rich.text import Text
        err.print(Text("error: ", style="bold red") + Text(str(exc)), highlight=False, soft_wrap=True)
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return 2
    except click.exceptions.Abort:
        err.print("aborted")
        return 130
    return 0


def entry() -> None:  # pragma: no cover - the console script
    sys.exit(main())
