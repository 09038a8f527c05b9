"""``sinkplan optimize``: the best plan for one objective under the budget and other constraints."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

import click
from rich.table import Table

from ..i18n import N_, _
from .common import (
    GAP,
    MONEY,
    SECONDS,
    emit_json,
    out,
    progress,
    site_argument,
    site_options,
    status_word,
    voice_options,
    warm_kernels,
)
from .help import Command

MAXIMIZE = ("removals", "credit_value", "credits", "avoided")
MINIMIZE = ("cost", "capex", "soil_loss")


def register(app: click.Group) -> None:
    app.add_command(optimize)


def problem_options(fn):
    """Constraints shared by ``optimize`` and ``pareto``."""
    for opt in reversed([
        click.option("--budget", type=MONEY, default=None, help=N_("Capital budget [CNY] (default: settings).")),
        click.option("--budget-on", type=click.Choice(["capex", "cost"]), default="capex", show_default=True,
                     help=N_("What the budget limits: capital, or NPV cost.")),
        click.option("--constraint", multiple=True, metavar="NAME<=|>=VALUE",
                     help=N_("Repeatable. Targets on any linear objective (removals>=40000, credits>=…, "
                          "credit_value>=…, cost<=…, capex<=…, soil_loss<=800), resources (topsoil<=4e4, "
                          "gangue<=0, budget<=5e7), area shares (share:woody>=0.3, "
                          "share:vegetation_type=grassland<=0.5, share:measure=terrace>=0.2), areas in "
                          "hectares (area:woody>=50) and a farmland quota in hectares (farmland>=120).")),
        click.option("--lock", multiple=True, metavar="ZONE_ID=OPTION_ID",
                     help=N_("Repeatable. Keep a zone's option.")),
        click.option("--forbid", multiple=True, metavar="MEASURE",
                     help=N_("Repeatable. A measure or option id never to use.")),
        click.option("--locks-file", type=click.Path(path_type=Path), default=None, metavar="CSV",
                     help=N_("Locks and forbids per zone: a CSV with zone_id and lock_option and/or forbid "
                          "(measure or option ids, ';'-separated). The zoning file's own lock_option and "
                          "forbid columns are always read.")),
        click.option("--allow-intolerable", is_flag=True, help=N_("Keep options above the tolerable soil loss.")),
        click.option("--gap", type=GAP, default=1e-4, show_default=True, help=N_("Certified relative gap to reach.")),
        click.option("--exact", is_flag=True, help=N_("Prove the optimum (gap ≤ 1e-6).")),
        click.option("--time-limit", type=SECONDS, default=60.0, show_default=True,
                     help=N_("Wall-clock limit [s] (per point for fronts).")),
        click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True, help=N_("Output folder.")),
    ]):
        fn = opt(fn)
    return fn


def excel_option(fn):
    """--excel [csv|xlsx]: tables for a spreadsheet (UTF-8 with BOM and a units row; or .xlsx)."""
    return click.option("--excel", type=click.Choice(["csv", "xlsx"]), is_flag=False, flag_value="csv",
                        default=None, help=N_("Tables for Excel: CSV as UTF-8 with BOM and a units row "
                                           "(--excel or --excel csv), or also an .xlsx workbook (--excel xlsx)."))(fn)


def limits_from(budget, budget_on, constraint, lock, forbid, allow_intolerable, locks_file=None):
    """The command line's constraint options as a workflow's :class:`~optimizer.workflows.Constraints`."""
    from ..workflows import Constraints
    return Constraints(budget_cny=budget, budget_on=budget_on, constraints=tuple(constraint or ()),
                       locks=tuple(lock or ()), forbid=tuple(forbid or ()), allow_intolerable=allow_intolerable,
                       locks_file=locks_file)


@click.command(cls=Command)
@site_argument
@click.option("--maximize", type=click.Choice(MAXIMIZE), default=None, help=N_("Objective to maximise."))
@click.option("--minimize", type=click.Choice(MINIMIZE), default=None, help=N_("Objective to minimise."))
@problem_options
@click.option("--method", type=click.Choice(["auto", "fast", "milp"]), default="auto", show_default=True,
              help=N_("auto: the certified fast engine, PuLP if it fails; milp: PuLP."))
@click.option("--solver", type=click.Choice(["highs", "cbc"]), default="highs", show_default=True,
              help=N_("MILP solver for --method milp."))
@excel_option
@site_options
@voice_options
def optimize(site_path: Path, maximize, minimize, budget, budget_on, constraint, lock, forbid, locks_file,
             allow_intolerable, gap, exact, time_limit, out_dir, method, solver, excel, settings, layer, crs,
             fix_geometry, catalog, quiet, as_json):
    """Find the best plan for one objective under the budget and the other constraints.

    Writes plan.gpkg, plan.geojson, plan.csv, plan_trajectories.csv, summary.json and manifest.json
    in --out. "The cheapest plan that removes at least 40,000 t CO2e" is
    `--minimize cost --constraint removals>=40000`.
    """
    from .. import jit
    from ..workflows import SiteInput, optimize_site

    if (maximize is None) == (minimize is None):
        raise click.UsageError(_("give exactly one of --maximize or --minimize"))
    show = not (quiet or as_json)
    with progress(enabled=show) as steps, ExitStack() as hooks:
        def before_solve():
            if jit.loaded():
                steps.step(warm_kernels(steps, "mckp", ahead=False))   # numba compiles what the solve calls
                return
            # numba not loaded yet: small problems are often solved without it (optimizer.solve.mckp.small);
            # whether kernels must be compiled is asked only if the solve uses one
            steps.step(_("solving"))
            hooks.enter_context(jit.on_first_load(lambda: steps.step(warm_kernels(steps, "mckp", ahead=False))))

        result = optimize_site(SiteInput(site_path, settings, layer, crs, fix_geometry, catalog),
                               maximize or minimize,
                               limits_from(budget, budget_on, constraint, lock, forbid, allow_intolerable, locks_file),
                               method=method, solver=solver, gap=gap, exact=exact, time_limit_s=time_limit,
                               out_dir=out_dir, progress=steps.step(_("scoring options")), before_solve=before_solve,
                               excel=excel)
    assert result.plan is not None  # optimize_site always returns its plan
    summary = result.plan.summary()
    if as_json:
        emit_json({**summary, "files": [str(f) for f in result.files]})
    elif not quiet:
        print_plan(summary)
        out.print(_("wrote ") + ", ".join(str(f) for f in result.files))


def print_plan(summary: dict) -> None:
    t = Table("", _("value"), title=_("plan: {status}, gap {gap}, {seconds} s ({solver})").format(
        status=status_word(summary['status']), gap=f"{summary['gap']:.2e}", seconds=f"{summary['runtime_s']:.2f}",
        solver=summary['solver']))
    units = {"removals_tco2e": "t CO2e", "avoided_tco2e": "t CO2e", "credits_tco2e": "t CO2e",
             "credit_value_cny": "CNY", "cost_cny": "CNY", "capex_cny": "CNY", "soil_loss_t_per_yr": "t/yr",
             "soil_loss_first_year_t": "t", "topsoil_m3": "m³", "gangue_m3": "m³", "area_ha": "ha"}
    for k, v in summary["totals"].items():
        t.add_row(k, f"{v:,.0f} {units.get(k, '')}")
    from ..problem.objectives import constraint_label

    for c in summary["constraints"]:
        rel = "≥" if c.get("sense") == ">=" else _("of")
        t.add_row(_("constraint: {name}").format(name=constraint_label(c['name'])),
                  f"{c['lhs']:,.0f} {rel} {c['rhs']:,.0f} {c['unit']}")
    if summary["bound"] is not None:
        t.add_row(_("bound on {objective}").format(objective=summary['objective_name']), f"{summary['bound']:,.1f}")
    out.print(t)
