"""``sinkplan catalog``: the measure catalog's tables, and with ``--placeholders`` the [P] values
ranked by how many zones' choices they change on the sites (docs/science.md §7.1)."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from ..i18n import N_, _
from .common import out, progress, warm_kernels
from .help import Command

#: The bundled example sites, when SinkPlan runs from a source checkout.
BUNDLED_SITES = Path(__file__).resolve().parents[2] / "sites"
ZONING_SUFFIXES = (".gpkg", ".geojson", ".shp", ".csv")


def register(app: click.Group) -> None:
    app.add_command(catalog)


def _zoning_file(path: Path) -> Path:
    """A zoning file, or the ``zones.*`` file of a site folder."""
    if path.is_dir():
        for suffix in ZONING_SUFFIXES:
            if (path / f"zones{suffix}").is_file():
                return path / f"zones{suffix}"
    return path


def bundled_sites() -> list[Path]:
    from ..errors import SinkPlanError
    found = sorted(_zoning_file(d) for d in BUNDLED_SITES.glob("*") if d.is_dir()) if BUNDLED_SITES.is_dir() else []
    found = [f for f in found if f.is_file()]
    if not found:
        raise SinkPlanError(_("no bundled sites found (they ship with the source checkout): name the zoning files, "
                              "e.g. sinkplan catalog --placeholders sites/loess_dump"))
    return found


@click.command(cls=Command)
@click.argument("sites", nargs=-1, type=click.Path(path_type=Path), metavar="[SITES]...")
@click.option("--placeholders", is_flag=True,
              help=N_("List every [P] value the sites' plans can depend on, ranked by how many zones' chosen options "
                   "change when it moves (× 0.5 and × 1.5; multipliers ± 0.15). SITES: zoning files or site "
                   "folders (default: the bundled sites)."))
@click.option("--objective", default="removals", show_default=True,
              help=N_("The objective each site's plan is optimised for (its settings' budget and stocks hold)."))
@click.option("--csv", "csv_path", type=click.Path(path_type=Path), default=None,
              help=N_("Also write the table to FILE."))
@click.option("--top", type=click.IntRange(min=0), default=None, help=N_("Print only the first N rows."))
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help=N_("Worker processes (default: the CPUs available)."))
@click.option("--catalog", "catalog_file", type=click.Path(path_type=Path), default=None,
              help=N_("The planner's own catalog CSV (adds or overrides measures)."))
def catalog(sites, placeholders, objective, csv_path, top, workers, catalog_file):
    """The catalog's tables and their confidence classes; with --placeholders, which placeholder values
    decide plans."""
    from ..catalog import load_catalog

    if not placeholders:
        if sites or csv_path or top is not None or workers is not None:
            raise click.UsageError(_("SITES, --csv, --top and --workers go with --placeholders"))
        _summary(load_catalog(catalog_file))
        return
    from ..analysis.placeholders import rank_placeholders
    from ..io.paths import check_output_file
    from ..io.tables import write_table

    if csv_path is not None:
        csv_path = check_output_file(csv_path, suffixes=(".csv",), option="--csv")
    paths = [_zoning_file(p) for p in sites] or bundled_sites()
    with progress() as steps:
        warm_kernels(steps, "mckp")
        df = rank_placeholders(paths, catalog=catalog_file, objective=objective, workers=workers,
                               progress=steps.step(_("moving each placeholder (low, high) and re-solving")))
    if csv_path is not None:
        write_table(df, csv_path)
    shown = df if top is None else df.head(top)
    t = Table(_("placeholder (table: row.column)"), _("value"), _("low–high"), _("zones low"), _("zones high"),
              _("zones"), _("sites"),
              title=_("[P] values ranked by zones whose choice changes ({objective}; {n} site(s))").format(
                  objective=objective, n=len(paths)))
    for _i, r in shown.iterrows():
        t.add_row(f"{r['table']}: {r['row']}.{r['column']}", f"{r['value']:.4g}", f"{r['low']:.4g}–{r['high']:.4g}",
                  str(r["zones_changed_low"]), str(r["zones_changed_high"]), str(r["zones_changed"]),
                  r["sites"] + (_(" (infeasible: {sites})").format(sites=r["infeasible"]) if r["infeasible"] else ""))
    out.print(t, width=None if out.is_terminal else 200)   # a pipe or a file gets whole rows
    moving = int((df["zones_changed"] > 0).sum())
    out.print(_("{n} placeholder values; {moving} change at least one zone's choice").format(n=len(df), moving=moving)
              + (f" → {csv_path}" if csv_path is not None else ""))


def _summary(cat) -> None:
    t = Table(_("table"), _("rows"), "A", "B", "C", "P", title=_("catalog tables by confidence class"))
    for name, df in (("measures", cat.enabled_measures()), ("interactions", cat.interactions),
                     ("vegetation_growth", cat.growth), ("parameters", cat.parameters),
                     ("monitoring", cat.monitoring)):
        conf = df["confidence"].astype(str) if "confidence" in df.columns else None
        counts = [str(int((conf == c).sum())) if conf is not None else "" for c in "ABCP"]
        t.add_row(name, str(len(df)), *counts)
    out.print(t)
    out.print(_("enabled measures only; `sinkplan catalog --placeholders` ranks the [P] values by their effect on "
                "plans"))
