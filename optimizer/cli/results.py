"""``sinkplan compare`` and ``sinkplan report`` (plan files, comparisons, a report a regulator can read).

Both read results written by ``optimize`` / ``pareto``; neither re-runs a model. Bad input raises
:class:`~optimizer.errors.SinkPlanError` (the CLI prints it and exits 2).
"""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import SinkPlanError
from ..i18n import LANGUAGES, N_, _, set_language
from .help import Command, use_language


def _labels(paths: list[Path], given: str | None) -> list[str]:
    if given:
        labels = [x.strip() for x in given.split(",")]
        if len(labels) != len(paths) or any(not x for x in labels):
            raise SinkPlanError(_("--labels {given}: give one non-empty label per plan ({n})").format(
                given=repr(given), n=len(paths)))
        if len(set(labels)) != len(labels):
            raise SinkPlanError(_("--labels {given}: labels must differ").format(given=repr(given)))
        return labels
    out = []
    for p in paths:
        p = Path(p)
        lab = p.name if p.is_dir() else (p.parent.name if p.stem == "plan" else p.stem)
        out.append(lab or str(p))
    # make repeated names unique with their parent folder
    for i, lab in enumerate(out):
        if out.count(lab) > 1:
            out[i] = f"{Path(paths[i]).resolve().parent.name}/{lab}"
    if len(set(out)) != len(out):
        out = [f"{lab} ({i + 1})" for i, lab in enumerate(out)]
    return out


def _short(text: str) -> str:
    """A metric's few words (``compare_totals``' ``short`` column) in the current language."""
    import re

    m = re.fullmatch(r"credits, (.+) zones", text)
    return _("credits, {standard} zones").format(standard=m.group(1)) if m else _(text)


def _unit(unit: str) -> str:
    return _("zones") if unit == "zones" else unit


def _formats(formats: str) -> tuple[str, ...]:
    fm = tuple(f.strip().lower() for f in formats.split(",") if f.strip())
    bad = [f for f in fm if f not in ("png", "svg", "pdf")]
    if bad:
        raise SinkPlanError(_("--formats {formats}: unknown {bad}; use png, svg and/or pdf").format(
            formats=repr(formats), bad=", ".join(bad)))
    return fm


def compare_plans(paths: list[Path], labels: str | None = None):
    """Read the plans to compare (raises SinkPlanError naming the file that cannot be read)."""
    from ..io.plans import read_plan

    if len(paths) < 2:
        raise SinkPlanError(_("compare needs at least two plans (run folders or plan files)"))
    from ..analysis.compare import check_same_zones

    names = _labels(paths, labels)
    plans = [read_plan(p, label=n) for p, n in zip(paths, names)]
    check_same_zones({f"{p.label} ({p.path})": p.zones["zone_id"] for p in plans}, "compare")
    return plans


def write_comparison(plans, out_dir: Path, formats=("png", "svg"), excel: str | None = None) -> list[Path]:
    """compare_totals.csv, compare_zones.csv, compare_trajectories.csv and figures in ``out_dir``
    (``excel``: CSV with BOM and units row; ``"xlsx"`` also compare.xlsx)."""
    from ..analysis import compare
    from ..io.tables import write_table
    from ..report import figures as F

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    totals = compare.compare_totals(plans)
    zones = compare.compare_zones(plans)
    traj = compare.compare_trajectories(plans)
    bom = excel is not None
    files = [write_table(totals, out_dir / "compare_totals.csv", excel=bom),
             write_table(zones, out_dir / "compare_zones.csv", excel=bom)]
    if len(traj):
        files.append(write_table(traj, out_dir / "compare_trajectories.csv", excel=bom))
    if excel == "xlsx":
        from ..io.excel import write_xlsx
        sheets = {"totals": totals, "zones": zones} | ({"trajectories": traj} if len(traj) else {})
        files.append(write_xlsx(sheets, out_dir / "compare.xlsx"))
    labels = [p.label for p in plans]
    files += F.save_figure(F.totals_compare_figure(totals, labels), out_dir, "compare_totals", formats)
    if len(traj):
        files += F.save_figure(F.trajectories_compare_figure(traj), out_dir, "compare_trajectories", formats)
    geo = next((p.geometry for p in plans if p.geometry is not None), None)
    if geo is not None:
        files += F.save_figure(F.zones_compare_figure(geo, plans), out_dir, "compare_map", formats)
    return files


def register(app: click.Group) -> None:
    """Add this module's commands to the ``sinkplan`` group."""
    app.add_command(compare)
    app.add_command(report)
    app.add_command(rescore)


@click.command(cls=Command)
@click.argument("plans", nargs=-1, required=True, metavar="PLAN PLAN [PLAN…]", type=click.Path(path_type=Path))
@click.option("--out", "-o", "out_dir", type=click.Path(path_type=Path), default=None,
              help=N_("Folder for the CSV tables and figures."))
@click.option("--labels", default=None, help=N_("Comma-separated names, one per plan."))
@click.option("--formats", default="png,svg", show_default=True, help=N_("Figure formats: png, svg, pdf."))
@click.option("--top", type=click.IntRange(0), default=10, show_default=True,
              help=N_("Zones to list with the largest differences."))
@click.option("--excel", type=click.Choice(["csv", "xlsx"]), is_flag=False, flag_value="csv", default=None,
              help=N_("Tables for Excel (as for optimize)."))
def compare(plans, out_dir, labels, formats, top, excel):
    """Plans side by side: totals, zone-by-zone differences and carbon trajectories.

    PLAN: run folders of `sinkplan optimize`, or plan files (.csv, .gpkg, .geojson; e.g.
    FRONT/plans/point_003.csv).
    """
    from rich.console import Console
    from rich.table import Table

    from ..analysis import compare as cmp
    from ..report import style

    fm = _formats(formats)
    if out_dir is not None:
        from ..io.paths import check_output_dir
        out_dir = check_output_dir(out_dir)
    ps = compare_plans(list(plans), labels)
    out = Console()
    totals = cmp.compare_totals(ps)
    names = [p.label for p in ps]
    diff_cols = [c for c in totals.columns if " − " in c]
    t = Table(_("quantity"), _("unit"), *names, *diff_cols, title=_("Site totals"), title_justify="left")
    for _i, r in totals.iterrows():
        money = r["unit"] == "CNY"
        unit = "¥ M" if money else r["unit"]
        val = (lambda v: f"{v / 1e6:,.2f}") if money else style.fmt_number
        t.add_row(_short(r["short"]), _unit(unit), *[val(r[n]) for n in names],
                  *[("+" if r[c] > 0 else "") + val(r[c]) for c in diff_cols])
    out.print(t)
    zones = cmp.compare_zones(ps)
    nd = int(zones["differs"].sum())
    out.print(_("{n} of {total} zones have different options in at least one plan.").format(n=nd, total=len(zones)))
    if nd and len(ps) >= 2 and top > 0:
        last = names[-1]
        key = f"Δremovals_tco2e[{last}]"
        zt = zones[zones["differs"]].assign(_abs=lambda d: d[key].abs()).nlargest(top, "_abs")
        tz = Table(_("zone"), _("type"), f"{names[0]}", f"{last}", _("Δ net removals"), _("Δ cost"),
                   title=_("Zones with the largest change in net removals, {plan} against {first}").format(
                       plan=last, first=names[0]),
                   title_justify="left")
        for _i, r in zt.iterrows():
            tz.add_row(str(r["zone_id"]), str(r["zone_type"]), str(r[f"option_id[{names[0]}]"]),
                       str(r[f"option_id[{last}]"]), style.fmt_delta(r[key], "t CO2e"),
                       style.fmt_delta(r[f"Δcost_cny[{last}]"], "CNY"))
        out.print(tz)
    for note in cmp.zone_coverage_notes(ps):
        out.print("[yellow]" + _("note:") + f"[/yellow] {note}")
    if out_dir is None:
        out.print(_("add --out DIR to write the tables (CSV) and figures (PNG/SVG)"))
        return
    files = write_comparison(ps, out_dir, fm, excel)
    out.print(_("wrote {n} files in {folder}: ").format(
        n=len(files), folder=out_dir) + ", ".join(f.name for f in files))


@click.command(cls=Command)
@click.argument("run_dir", metavar="RUN_DIR", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help=N_("The report: one self-contained .html file."))
@click.option("--figures", type=click.Path(path_type=Path), default=None,
              help=N_("Folder for the print figures (default: <report name>_figures beside the report)."))
@click.option("--no-figures", is_flag=True, help=N_("Write only the HTML file."))
@click.option("--formats", default="png,svg", show_default=True, help=N_("Figure formats: png, svg, pdf."))
@click.option("--pdf", "as_pdf", is_flag=True,
              help=N_("Also print the report to PDF (beside the HTML) with headless Chromium, when installed."))
@click.option("--lang", type=click.Choice(LANGUAGES), default=None, is_eager=True, callback=use_language,
              help=N_("Language of the report and its figures (default: sinkplan --lang, else en)."))
@click.option("--monitoring", type=click.Path(path_type=Path), default=None,
              help=N_("A `sinkplan monitor` folder: adds the Monitoring section (default: the one a re-plan "
                      "continues)."))
def report(run_dir, output, figures, no_figures, formats, as_pdf, lang, monitoring):
    """One self-contained HTML report (opens offline) of a run, with print figures.

    RUN_DIR: the --out folder of `sinkplan optimize` or `sinkplan pareto` (or one plan file).
    """
    from rich.console import Console

    from ..io.paths import check_output_dir, check_output_file
    from ..report.build import build_report
    from .common import progress

    set_language(lang)
    if output.suffix.lower() not in (".html", ".htm"):
        raise SinkPlanError(_("-o {output}: the report is an HTML file; name it e.g. report.html").format(
            output=output))
    if not run_dir.exists():
        raise SinkPlanError(_("{path}: no such run folder or plan file").format(path=run_dir))
    fm = _formats(formats)
    output = check_output_file(output, suffixes=(".html", ".htm"), option="-o")
    fig_dir = None if no_figures else (figures or output.with_name(f"{output.stem}_figures"))
    if fig_dir is not None:
        fig_dir = check_output_dir(fig_dir, option="--figures")
    with progress(_("drawing the report's figures")) as update:
        res = build_report(run_dir, output, fig_dir, fm, progress=update, monitoring=monitoring)
    ctx = res["context"]
    out = Console()
    kind = _("front of {n} plans").format(n=len(ctx.plans)) if ctx.kind == "front" else _("one plan")
    size = output.stat().st_size
    out.print(_("report of {kind} for {site} → {file} ({mb} MB, self-contained)").format(
        kind=kind, site=ctx.site_name, file=output, mb=f"{size / 1e6:.1f}"))
    if res["figures"]:
        out.print(_("{n} print figures in {folder}").format(n=len(res["figures"]), folder=fig_dir))
    for p in ctx.integrity:
        out.print(f"[yellow]{_('warning: ')}[/yellow]{p}")
    if as_pdf:
        from ..report.pdf import chromium_path, html_to_pdf
        if chromium_path() is None:
            out.print(f"[yellow]{_('warning: ')}[/yellow]"
                      + _("no Chromium installed: no PDF written; open the HTML report and print it (its print "
                          "stylesheet lays it out for paper)"))
        else:
            pdf = html_to_pdf(output, output.with_suffix(".pdf"))
            out.print(f"PDF → {pdf} ({pdf.stat().st_size / 1e6:.1f} MB)")


@click.command(cls=Command)
@click.argument("plan_file", metavar="PLAN_FILE", type=click.Path(path_type=Path))
@click.option("--site", type=click.Path(path_type=Path), default=None,
              help=N_("The zoning file (default: the run's, from manifest.json; else the plan file's own attributes)."))
@click.option("--settings", type=click.Path(path_type=Path), default=None,
              help=N_("Settings TOML (default: the run's, from manifest.json)."))
@click.option("--catalog", type=click.Path(path_type=Path), default=None,
              help=N_("The planner's own catalog CSV (default: the run's)."))
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None,
              help=N_("Folder for the re-scored plan (plan files, summary.json, changes.csv, manifest.json)."))
@click.option("--excel", type=click.Choice(["csv", "xlsx"]), is_flag=False, flag_value="csv", default=None,
              help=N_("Tables for Excel (as for optimize)."))
@click.option("--top", type=click.IntRange(0), default=20, show_default=True, help=N_("Changed zones to list."))
def rescore(plan_file, site, settings, catalog, out_dir, excel, top):
    """Re-score an edited plan: every number recomputed from the site and the model.

    PLAN_FILE: a plan (.gpkg, .geojson, .csv) whose option_id a planner changed, e.g. in QGIS.
    Only zone_id and option_id are read from it; the stored numbers are compared with the new
    ones and the zones that changed are listed.
    """
    from rich.console import Console
    from rich.table import Table

    from ..report import style
    from ..rescore import rescore_plan, write_rescored
    from .common import progress

    if out_dir is not None:
        from ..io.paths import check_output_dir
        out_dir = check_output_dir(out_dir)
    with progress(_("scoring options")) as update:
        r = rescore_plan(plan_file, site=site, settings=settings, catalog=catalog, progress=update)
    out = Console()
    out.print(_("re-scored {n} zones of {file} against {site}").format(n=len(r.stored), file=plan_file,
                                                                       site=r.site_source))
    ch = r.changes
    if len(ch) == 0:
        out.print(_("no zone changed: the stored numbers are the model's"))
    else:
        out.print(_("{n} zone(s) changed").format(n=len(ch)))
        t = Table(_("zone"), _("option"), _("Δ net removals"), _("Δ cost (NPV)"), _("Δ capital"), _("Δ soil loss"),
                  title=_("Zones whose stored numbers were stale"), title_justify="left")
        order = ch["delta_removals_tco2e"].abs().sort_values(ascending=False).index
        for _i, z in ch.reindex(order).head(top).iterrows():
            t.add_row(str(z["zone_id"]), str(z["option_id"]), style.fmt_delta(z["delta_removals_tco2e"], "t CO2e"),
                      style.fmt_delta(z["delta_cost_cny"], "CNY"), style.fmt_delta(z["delta_capex_cny"], "CNY"),
                      style.fmt_delta(z["delta_soil_loss_t_per_yr"], "t/yr"))
        out.print(t)
    tot = r.plan.summary()["totals"]
    out.print(_("plan totals: net removals {removals} t CO2e, cost (NPV) ¥ {cost} M, capital ¥ {capex} M").format(
        removals=style.fmt_number(tot["removals_tco2e"]), cost=f"{tot['cost_cny'] / 1e6:,.2f}",
        capex=f"{tot['capex_cny'] / 1e6:,.2f}"))
    if out_dir is not None:
        files = write_rescored(r, out_dir, excel)
        out.print(_("wrote {n} files in {folder}").format(n=len(files), folder=out_dir))
