"""``sinkplan pareto``: the trade-off front between two or three objectives, one plan per point."""

from __future__ import annotations

from pathlib import Path

import click
import numpy as np
from rich.table import Table

from ..errors import SinkPlanError
from .common import check_out_dir, emit_json, err, out, progress, read_site, site_argument, site_options, \
    voice_options, warm_kernels
from .plan import build_problem, problem_doc, problem_options

METHODS = ("exact", "supported", "genetic", "hybrid")


def register(app: click.Group) -> None:
    app.add_command(pareto)


@click.command()
@site_argument
@click.option("--objectives", default="removals,cost", show_default=True,
              help="Two or three of: removals, credit_value, cost, capex, soil_loss, credits, avoided; genetic and "
                   "hybrid also: diversity, fragmentation, sink_year, soil_loss_worst5.")
@click.option("--points", type=click.IntRange(2, 10_000), default=25, show_default=True,
              help="ε-grid points (K); hybrid: exact seed points.")
@click.option("--method", type=click.Choice(METHODS), default="exact", show_default=True,
              help="exact: ε-constraint front (certified gaps); supported: the whole convex-hull front; genetic: "
                   "NSGA-II/III; hybrid: genetic seeded from the exact front.")
@problem_options
@click.option("--workers", type=click.IntRange(1, 1024), default=None,
              help="Worker processes (default: the CPUs this process may use).")
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=None,
              help="genetic/hybrid: random seed (recorded; default: drawn).")
@click.option("--generations", type=click.IntRange(1), default=None, help="genetic/hybrid: generations (default 100).")
@click.option("--evaluations", type=click.IntRange(1), default=None,
              help="genetic/hybrid: stop after this many plans scored.")
@click.option("--pop-size", type=click.IntRange(4), default=100, show_default=True,
              help="genetic/hybrid: population size.")
@click.option("--max-points", type=click.IntRange(2), default=50, show_default=True,
              help="genetic/hybrid: plans kept in the front.")
@site_options
@voice_options
def pareto(site_path: Path, objectives, points, method, budget, budget_on, constraint, lock, forbid,
           allow_intolerable, gap, exact, time_limit, out_dir, workers, seed, generations, evaluations, pop_size,
           max_points, settings, layer, crs, fix_geometry, catalog, quiet, as_json):
    """Trade-off front between two or three objectives, one plan per point.

    For genetic and hybrid runs the exact front of the linear objectives is computed too, and the
    hypervolume and IGD against it are printed. Writes front.csv, plans/point_NNN.* and
    manifest.json in --out.
    """
    from ..io.manifest import manifest
    from ..io.paths import clear_stale
    from ..io.plans import write_json, write_plan
    from ..io.tables import write_table
    from ..options import evaluate_options
    from ..problem import NONLINEAR, OBJECTIVES
    from ..solve.exact import epsilon_front, supported_front

    objs = [o.strip() for o in objectives.split(",") if o.strip()]
    unknown = [o for o in objs if o not in OBJECTIVES]
    if unknown:
        raise click.BadParameter(f"unknown {', '.join(map(repr, unknown))}; use {', '.join(OBJECTIVES)}",
                                 param_hint="--objectives")
    if not 2 <= len(objs) <= 3 and method in ("exact", "supported"):
        raise click.BadParameter(f"{method} fronts take two or three objectives, not {len(objs)}",
                                 param_hint="--objectives")
    nonlin = [o for o in objs if o in NONLINEAR]
    if nonlin and method in ("exact", "supported"):
        raise SinkPlanError(f"{', '.join(nonlin)} is not a sum over zones, so the exact front cannot take it: "
                            "use --method genetic or hybrid")
    out_dir = check_out_dir(out_dir)
    site = read_site(site_path, settings, layer, crs, fix_geometry)
    if "fragmentation" in nonlin and not site.has_geometry:
        raise SinkPlanError(f"fragmentation needs the zones' polygons; {site_path} has none (a CSV zoning file): "
                            "give the zones as GeoPackage, GeoJSON or Shapefile")
    show = not (quiet or as_json)
    with progress("scoring options", enabled=show) as update:
        table = evaluate_options(site, catalog, progress=update)
    problem = build_problem(site, objs, budget=budget, budget_on=budget_on, constraint=constraint, lock=lock,
                            forbid=forbid, allow_intolerable=allow_intolerable)
    adj = None
    if method in ("genetic", "hybrid") and site.has_geometry:
        from ..adjacency import adjacency
        adj = adjacency(site.zones)
    compiled = problem.compile(table, adjacency=adj)
    warm_kernels(show)
    quality = None
    if method == "supported":
        front = supported_front(compiled)
    elif method == "exact":
        with progress("ε-constraint front", enabled=show) as update:
            front = epsilon_front(compiled, points=points, gap=gap, time_limit_s=time_limit, exact=exact,
                                  workers=workers, progress=update)
    else:
        front, quality = _genetic_pareto(compiled, method, show=show, points=points, gap=gap, time_limit=time_limit,
                                         exact=exact, workers=workers, seed=seed, generations=generations,
                                         evaluations=evaluations, pop_size=pop_size, max_points=max_points)
    df = front.to_frame()
    files = [write_table(df, out_dir / "front.csv")]
    if front.supported is not None:
        o = compiled.objectives
        import pandas as pd
        sup = pd.DataFrame({o[1].name: front.supported["cost"], o[0].name: front.supported["value"]})
        files.append(write_table(sup, out_dir / "supported_front.csv"))
    for k in range(len(front)):
        files += write_plan(front.plan(k), site, out_dir / "plans", manifest={}, name=f"point_{k:03d}",
                            formats=("csv", "gpkg", "trajectories"))
    gaps = front.gaps[np.isfinite(front.gaps)] if len(front.gaps) else front.gaps
    doc = manifest(command="pareto", site=site, table=table, problem=problem_doc(problem),
                   solver={"method": front.method, "runtime_s": front.runtime_s, "points": len(front),
                           "statuses": [s.value for s in front.status],
                           "max_gap": float(gaps.max()) if len(gaps) else None, **front.info},
                   seeds={"genetic": front.info["seed"]} if "seed" in front.info else None)
    files.append(write_json(out_dir / "manifest.json", doc))
    removed = clear_stale(out_dir, files)
    if as_json:
        emit_json({"method": front.method, "objectives": list(front.objectives), "runtime_s": front.runtime_s,
                   "points": df.to_dict(orient="records"), "quality": quality,
                   "info": {k: v for k, v in front.info.items() if k not in ("payoff_min_sense",)},
                   "files": [str(f) for f in files], "removed_stale": [str(f) for f in removed]})
        return
    if quiet:
        return
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
    if removed:
        out.print(f"removed {len(removed)} file(s) a previous run had left in {out_dir}")
    out.print(f"wrote {out_dir / 'front.csv'} and {len(front)} plans in {out_dir / 'plans'}")


def _genetic_pareto(compiled, method, *, show, points, gap, time_limit, exact, workers, seed, generations,
                    evaluations, pop_size, max_points):
    """Run the genetic or hybrid search with a progress line; for linear problems, the exact
    ε-front is the reference for hypervolume and IGD."""
    from contextlib import nullcontext

    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from ..analysis.pareto import front_quality
    from ..solve.exact import epsilon_front
    from ..solve.genetic import DEFAULT_GENERATIONS, genetic_front
    from ..solve.hybrid import hybrid_front

    if generations is None and evaluations is None:
        generations = DEFAULT_GENERATIONS
    total = generations if generations is not None else evaluations
    names = [o.name for o in compiled.objectives]
    ref = None
    bar = Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                   TextColumn("{task.fields[stats]}"), console=err, transient=True) if show and err.is_terminal else None
    with bar if bar is not None else nullcontext():
        lin = compiled.linear_part() if any(o.linear for o in compiled.objectives) else None
        if lin is not None and len(lin.objectives) in (2, 3):
            task = bar.add_task("exact ε-front", total=None, stats="") if bar else None
            ref = epsilon_front(lin, points=points, gap=gap, time_limit_s=time_limit, exact=exact, workers=workers,
                                progress=(lambda d, n: bar.update(task, completed=d, total=n)) if bar else None)
            if bar:
                bar.remove_task(task)
        task = bar.add_task(f"{method} search", total=total, stats="") if bar else None

        def show_progress(d):
            if bar is None:
                return
            best = ", ".join(f"{n} {d['best'][n]:,.4g}" for n in names)
            bar.update(task, completed=d["generation"] if generations is not None else d["evaluations"],
                       stats=f"gen {d['generation']}, {d['evaluations']:,} evals, HV {d['hv']:.4f}, best: {best}")

        kw = dict(seed=seed, generations=generations, evaluations=evaluations, pop_size=pop_size,
                  max_points=max_points, callback=show_progress)
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
