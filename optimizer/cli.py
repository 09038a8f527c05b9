"""The ``sinkplan`` command. Thin: it parses, calls the library, prints, and turns user mistakes
(:class:`~optimizer.errors.SinkPlanError`) into a message and exit status 2, never a traceback."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import numpy as np
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


def _parse_constraints(items: list[str]) -> dict:
    """``soil_loss<=800``, ``topsoil<=4e4``, ``gangue<=0``, ``budget<=5e7``, ``share:woody>=0.3``,
    ``share:vegetation_type=grassland<=0.5``, ``share:measure=terrace>=0.2``."""
    import re
    from .problem import Share

    out: dict = {"shares": []}
    keys = {"soil_loss": "site_soil_loss_cap_t_per_yr", "topsoil": "topsoil_stock_m3",
            "gangue": "gangue_stock_m3", "budget": "budget_cny"}
    for item in items:
        m = re.fullmatch(r"\s*([\w:=]+)\s*(<=|>=)\s*([-+0-9.eE]+)\s*", item)
        if not m:
            raise SinkPlanError(f"--constraint {item!r}: write NAME<=VALUE or NAME>=VALUE, e.g. soil_loss<=800 "
                                "or share:woody>=0.3")
        name, op, val = m.group(1), m.group(2), float(m.group(3))
        if name.startswith("share:"):
            kind, _, value = name[len("share:"):].partition("=")
            out["shares"].append(Share(kind=kind, value=value, low=val if op == ">=" else None,
                                       high=val if op == "<=" else None))
        elif name in keys and op == "<=":
            out[keys[name]] = val
        else:
            raise SinkPlanError(f"--constraint {item!r}: unknown constraint {name!r} (or wrong direction); use "
                                + ", ".join(f"{k}<=…" for k in keys) + ", share:KIND[=VALUE]>=… or <=…")
    out["shares"] = tuple(out["shares"])
    return out


def _problem(site, objectives, budget, budget_on, constraints, lock, forbid, allow_intolerable):
    from .problem import Problem

    kw = _parse_constraints(constraints or [])
    if budget is not None:
        kw["budget_cny"] = budget
    locks = []
    for item in lock or []:
        zid, sep, oid = item.partition("=")
        if not sep:
            raise SinkPlanError(f"--lock {item!r}: write ZONE_ID=OPTION_ID")
        locks.append((zid.strip(), oid.strip()))
    return Problem.from_settings(site.settings, objectives=tuple(objectives), budget_on=budget_on,
                                 enforce_tolerance=not allow_intolerable, locks=tuple(locks),
                                 forbid=tuple(forbid or ()), **kw)


def _problem_doc(problem) -> dict:
    from dataclasses import asdict
    return asdict(problem)


@app.command()
def optimize(site_path: Path = typer.Argument(..., metavar="SITE", help="Zoning file"),
             maximize: Optional[str] = typer.Option(None, "--maximize", help="removals | credit_value | credits | avoided"),
             minimize: Optional[str] = typer.Option(None, "--minimize", help="cost | capex | soil_loss"),
             budget: Optional[float] = typer.Option(None, "--budget", help="Capital budget [CNY] (default: settings)."),
             budget_on: str = typer.Option("capex", "--budget-on", help="capex | cost (NPV)"),
             constraint: Optional[list[str]] = typer.Option(None, "--constraint", help="e.g. soil_loss<=800, share:woody>=0.3"),
             lock: Optional[list[str]] = typer.Option(None, "--lock", help="ZONE_ID=OPTION_ID"),
             forbid: Optional[list[str]] = typer.Option(None, "--forbid", help="measure or option id"),
             allow_intolerable: bool = typer.Option(False, "--allow-intolerable", help="Keep options above the tolerable soil loss."),
             method: str = typer.Option("auto", "--method", help="auto | fast | milp"),
             solver: str = typer.Option("highs", "--solver", help="highs | cbc (for --method milp)"),
             gap: float = typer.Option(1e-4, "--gap", help="Certified relative gap to reach."),
             exact: bool = typer.Option(False, "--exact", help="Prove the optimum (gap ≤ 1e-6)."),
             time_limit: float = typer.Option(60.0, "--time-limit", help="Wall-clock limit [s]."),
             out_dir: Path = typer.Option(..., "--out", help="Output folder"),
             settings: Optional[Path] = SettingsOpt, layer: Optional[str] = LayerOpt, crs: Optional[str] = CrsOpt,
             fix_geometry: bool = FixOpt, catalog: Optional[Path] = CatalogOpt):
    """Find the best plan for one objective under the budget and the other constraints."""
    from .io.manifest import manifest
    from .io.plans import write_json, write_plan
    from .options import evaluate_options
    from .solve.exact import solve

    if (maximize is None) == (minimize is None):
        raise SinkPlanError("give exactly one of --maximize or --minimize")
    objective = maximize or minimize
    from .problem import OBJECTIVES
    if objective in OBJECTIVES and (OBJECTIVES[objective].sense < 0) != (maximize is not None):
        raise SinkPlanError(f"{objective!r} is to be {'maximised' if OBJECTIVES[objective].sense < 0 else 'minimised'}")
    site = _site(site_path, settings, layer, crs, fix_geometry)
    table = evaluate_options(site, catalog)
    problem = _problem(site, [objective], budget, budget_on, constraint, lock, forbid, allow_intolerable)
    compiled = problem.compile(table)
    plan = solve(compiled, method=method, solver=solver, gap=gap, time_limit_s=time_limit, exact=exact)
    summary = plan.summary()
    doc = manifest(command="optimize", site=site, table=table, problem=_problem_doc(problem),
                   solver={k: summary[k] for k in ("status", "solver", "gap", "bound", "runtime_s", "message")})
    files = write_plan(plan, site, out_dir, manifest=doc, summary=summary)
    files.append(write_json(out_dir / "manifest.json", doc))
    _print_plan(summary)
    out.print("wrote " + ", ".join(str(f) for f in files))


def _print_plan(summary: dict) -> None:
    t = Table("", "value", title=f"plan: {summary['status']}, gap {summary['gap']:.2e}, "
                                 f"{summary['runtime_s']:.2f} s ({summary['solver']})")
    units = {"removals_tco2e": "t CO2e", "avoided_tco2e": "t CO2e", "credits_tco2e": "t CO2e",
             "credit_value_cny": "CNY", "cost_cny": "CNY", "capex_cny": "CNY", "soil_loss_t_per_yr": "t/yr",
             "soil_loss_first_year_t": "t", "topsoil_m3": "m³", "gangue_m3": "m³", "area_ha": "ha"}
    for k, v in summary["totals"].items():
        t.add_row(k, f"{v:,.0f} {units.get(k, '')}")
    for c in summary["constraints"]:
        t.add_row(f"constraint: {c['name']}", f"{c['lhs']:,.0f} of {c['rhs']:,.0f} {c['unit']}")
    if summary["bound"] is not None:
        t.add_row(f"bound on {summary['objective']}", f"{summary['bound']:,.1f}")
    out.print(t)


@app.command()
def pareto(site_path: Path = typer.Argument(..., metavar="SITE", help="Zoning file"),
           objectives: str = typer.Option("removals,cost", "--objectives", help="two or three of: removals, credit_value, cost, capex, soil_loss, credits, avoided; genetic/hybrid also: diversity, fragmentation, sink_year, soil_loss_worst5"),
           points: int = typer.Option(25, "--points", help="ε-grid points (K); hybrid: exact seed points."),
           method: str = typer.Option("exact", "--method", help="exact | supported | genetic | hybrid"),
           budget: Optional[float] = typer.Option(None, "--budget", help="Capital budget [CNY] (default: settings)."),
           budget_on: str = typer.Option("capex", "--budget-on"),
           constraint: Optional[list[str]] = typer.Option(None, "--constraint"),
           lock: Optional[list[str]] = typer.Option(None, "--lock"),
           forbid: Optional[list[str]] = typer.Option(None, "--forbid"),
           allow_intolerable: bool = typer.Option(False, "--allow-intolerable"),
           gap: float = typer.Option(1e-4, "--gap"),
           exact: bool = typer.Option(False, "--exact", help="Each point to gap ≤ 1e-6."),
           time_limit: float = typer.Option(60.0, "--time-limit", help="Per exact point [s]."),
           workers: Optional[int] = typer.Option(None, "--workers", help="Processes (default: cores, ≤ 2)."),
           seed: Optional[int] = typer.Option(None, "--seed", help="genetic/hybrid: random seed (recorded; default: drawn)."),
           generations: Optional[int] = typer.Option(None, "--generations", help="genetic/hybrid: generations (default 100)."),
           evaluations: Optional[int] = typer.Option(None, "--evaluations", help="genetic/hybrid: stop after this many plans scored."),
           pop_size: int = typer.Option(100, "--pop-size", help="genetic/hybrid: population size."),
           max_points: int = typer.Option(50, "--max-points", help="genetic/hybrid: plans kept in the front."),
           out_dir: Path = typer.Option(..., "--out"),
           settings: Optional[Path] = SettingsOpt, layer: Optional[str] = LayerOpt, crs: Optional[str] = CrsOpt,
           fix_geometry: bool = FixOpt, catalog: Optional[Path] = CatalogOpt):
    """Trade-off front between two or three objectives, one plan per point.

    exact: ε-constraint front (certified gaps); supported: the whole convex-hull front; genetic:
    NSGA-II/III (any objectives, also the non-linear ones); hybrid: genetic seeded from the exact
    front of the linear objectives. For genetic and hybrid runs the exact front of the linear
    objectives is computed too, and the hypervolume and IGD against it are printed.
    """
    from rich.progress import Progress

    from .io.manifest import manifest
    from .io.plans import write_json, write_plan
    from .io.tables import write_table
    from .options import evaluate_options
    from .solve.exact import epsilon_front, supported_front

    if method not in ("exact", "supported", "genetic", "hybrid"):
        raise SinkPlanError(f"--method {method!r}: use exact, supported, genetic or hybrid")
    objs = [o.strip() for o in objectives.split(",") if o.strip()]
    from .problem import NONLINEAR
    nonlin = [o for o in objs if o in NONLINEAR]
    if nonlin and method in ("exact", "supported"):
        raise SinkPlanError(f"{', '.join(nonlin)} is not a sum over zones, so the exact front cannot take it: "
                            "use --method genetic or hybrid")
    site = _site(site_path, settings, layer, crs, fix_geometry)
    if "fragmentation" in nonlin and not site.has_geometry:
        raise SinkPlanError(f"fragmentation needs the zones' polygons; {site_path} has none (a CSV zoning file): "
                            "give the zones as GeoPackage, GeoJSON or Shapefile")
    table = evaluate_options(site, catalog)
    problem = _problem(site, objs, budget, budget_on, constraint, lock, forbid, allow_intolerable)
    adj = None
    if method in ("genetic", "hybrid") and site.has_geometry:
        from .adjacency import adjacency
        adj = adjacency(site.zones)
    compiled = problem.compile(table, adjacency=adj)
    quality = None
    if method == "supported":
        front = supported_front(compiled)
    elif method == "exact":
        with Progress(console=err, transient=True) as bar:
            task = bar.add_task("ε-constraint front", total=None)
            front = epsilon_front(compiled, points=points, gap=gap, time_limit_s=time_limit, exact=exact,
                                  workers=workers, progress=lambda d, n: bar.update(task, completed=d, total=n))
    else:
        front, quality = _genetic_pareto(compiled, method, points=points, gap=gap, time_limit=time_limit,
                                         exact=exact, workers=workers, seed=seed, generations=generations,
                                         evaluations=evaluations, pop_size=pop_size, max_points=max_points)
    df = front.to_frame()
    files = [write_table(df, out_dir / "front.csv")]
    if front.supported is not None:
        sup = pd_frame(front.supported, compiled)
        files.append(write_table(sup, out_dir / "supported_front.csv"))
    for k in range(len(front)):
        files += write_plan(front.plan(k), site, out_dir / "plans", manifest={}, name=f"point_{k:03d}",
                            formats=("csv", "gpkg", "trajectories"))
    gaps = front.gaps[np.isfinite(front.gaps)] if len(front.gaps) else front.gaps
    doc = manifest(command="pareto", site=site, table=table, problem=_problem_doc(problem),
                   solver={"method": front.method, "runtime_s": front.runtime_s, "points": len(front),
                           "statuses": [s.value for s in front.status],
                           "max_gap": float(gaps.max()) if len(gaps) else None, **front.info},
                   seeds={"genetic": front.info["seed"]} if "seed" in front.info else None)
    files.append(write_json(out_dir / "manifest.json", doc))
    t = Table(*df.columns, title=f"front: {len(front)} points, {front.runtime_s:.1f} s ({front.method})")
    for _, r in df.iterrows():
        t.add_row(*[f"{v:,.6g}" if isinstance(v, float) else str(v) for v in r])
    out.print(t)
    if front.method in ("genetic", "hybrid"):
        i = front.info
        out.print(f"seed {i['seed']}, {i['generations']} generations, {i['evaluations']:,} evaluations, "
                  f"{i['algorithm']}, archive {i['archive_size']} plans")
        if quality is not None:
            out.print(f"against the exact front ({quality['points']} points): hypervolume "
                      f"{100 * quality['hv_ratio']:.2f} % of the exact, IGD {quality['igd']:.4g} "
                      f"(normalised by the exact front's ideal and nadir, reference point {quality['ref_point']})")
        elif "hv" in i:
            out.print(f"hypervolume {i['hv']:.4f} (normalised by the {i['normalisation']['from']}, reference point "
                      f"{i['normalisation']['ref_point']}); no exact front exists for non-linear objectives"
                      + (f"; the exact seeds had {i['hv_seed']:.4f}" if "hv_seed" in i else ""))
    out.print(f"wrote {out_dir / 'front.csv'} and {len(front)} plans in {out_dir / 'plans'}")


def _genetic_pareto(compiled, method, *, points, gap, time_limit, exact, workers, seed, generations, evaluations,
                    pop_size, max_points):
    """Run the genetic or hybrid search with a rich progress line; for linear problems, the exact
    ε-front is the reference for hypervolume and IGD."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from .analysis.pareto import front_quality
    from .solve.exact import epsilon_front
    from .solve.genetic import DEFAULT_GENERATIONS, genetic_front
    from .solve.hybrid import hybrid_front

    if generations is None and evaluations is None:
        generations = DEFAULT_GENERATIONS
    total = generations if generations is not None else evaluations
    names = [o.name for o in compiled.objectives]
    ref = None
    with Progress(TextColumn("{task.description}"), BarColumn(),
                  TimeElapsedColumn(), TextColumn("{task.fields[stats]}"), console=err, transient=True) as bar:
        lin = compiled.linear_part() if any(o.linear for o in compiled.objectives) else None
        if lin is not None and len(lin.objectives) in (2, 3):
            task = bar.add_task("exact ε-front", total=None, stats="")
            ref = epsilon_front(lin, points=points, gap=gap, time_limit_s=time_limit, exact=exact, workers=workers,
                                progress=lambda d, n: bar.update(task, completed=d, total=n))
            bar.remove_task(task)
        task = bar.add_task(f"{method} search", total=total, stats="")

        def show(d):
            best = ", ".join(f"{n} {d['best'][n]:,.4g}" for n in names)
            bar.update(task, completed=d["generation"] if generations is not None else d["evaluations"],
                       stats=f"gen {d['generation']}, {d['evaluations']:,} evals, HV {d['hv']:.4f}, best: {best}")

        kw = dict(seed=seed, generations=generations, evaluations=evaluations, pop_size=pop_size,
                  max_points=max_points, callback=show)
        if method == "hybrid":
            front = hybrid_front(compiled, seed_front=ref, points=points, gap=gap, exact_time_limit_s=time_limit,
                                 workers=workers, **kw)
        else:
            front = genetic_front(compiled, reference=ref if compiled.is_linear else None, **kw)
    quality = None
    if ref is not None and compiled.is_linear:
        quality = front_quality(compiled.natural(front.values), compiled.natural(ref.values))
        quality["points"] = len(ref)
    return front, quality


def pd_frame(sup: dict, compiled):
    import pandas as pd
    o = compiled.objectives
    return pd.DataFrame({o[1].name: sup["cost"], o[0].name: sup["value"]})


@app.command("settings")
def settings_schema():
    """Print the settings schema: every key with its section, default and unit."""
    from .settings import schema_table
    t = Table("section", "key", "default", "unit", "description", show_lines=False)
    for _, r in schema_table().iterrows():
        t.add_row(r["section"], r["key"], str(r["default"]), r["unit"], r["description"])
    out.print(t)


def _register_modules() -> None:
    import importlib

    from .commands import MODULES
    for name in MODULES:
        importlib.import_module(f"optimizer.commands.{name}").register(app)


_register_modules()


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
