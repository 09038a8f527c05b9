"""``sinkplan pareto``: the trade-off front between two or three objectives, one plan per point."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from ..i18n import N_, _
from .common import emit_json, out, progress, site_argument, site_options, voice_options, warm_kernels
from .help import Command
from .plan import excel_option, problem_options

METHODS = ("exact", "supported", "genetic", "hybrid")


def register(app: click.Group) -> None:
    app.add_command(pareto)


@click.command(cls=Command)
@site_argument
@click.option("--objectives", default="removals,cost", show_default=True,
              help=N_("Two or three of: removals, credit_value, cost, capex, soil_loss, credits, avoided; genetic and "
                   "hybrid also: diversity, fragmentation, sink_year, soil_loss_worst5."))
@click.option("--points", type=click.IntRange(2, 10_000), default=25, show_default=True,
              help=N_("ε-grid points (K); hybrid: exact seed points."))
@click.option("--method", type=click.Choice(METHODS), default="exact", show_default=True,
              help=N_("exact: ε-constraint front (certified gaps); supported: the whole convex-hull front; genetic: "
                   "NSGA-II/III; hybrid: genetic seeded from the exact front."))
@problem_options
@click.option("--workers", type=click.IntRange(1, 1024), default=None,
              help=N_("Worker processes (default: the CPUs this process may use)."))
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=None,
              help=N_("genetic/hybrid: random seed (recorded; default: drawn)."))
@click.option("--generations", type=click.IntRange(1), default=None,
              help=N_("genetic/hybrid: generations (default 100)."))
@click.option("--evaluations", type=click.IntRange(1), default=None,
              help=N_("genetic/hybrid: stop after this many plans scored."))
@click.option("--pop-size", type=click.IntRange(4), default=100, show_default=True,
              help=N_("genetic/hybrid: population size."))
@click.option("--max-points", type=click.IntRange(2), default=50, show_default=True,
              help=N_("genetic/hybrid: plans kept in the front."))
@excel_option
@site_options
@voice_options
def pareto(site_path: Path, objectives, points, method, budget, budget_on, constraint, lock, forbid, locks_file,
           allow_intolerable, gap, exact, time_limit, out_dir, workers, seed, generations, evaluations, pop_size,
           max_points, excel, settings, layer, crs, fix_geometry, catalog, quiet, as_json):
    """Trade-off front between two or three objectives, one plan per point.

    For genetic and hybrid runs the exact front of the linear objectives is computed too, and the
    hypervolume and IGD against it are printed. Writes front.csv, plans/point_NNN.* and
    manifest.json in --out.
    """
    from ..solve.genetic import DEFAULT_GENERATIONS
    from ..workflows import SiteInput, pareto_site
    from .plan import limits_from

    objs = [o.strip() for o in objectives.split(",") if o.strip()]
    show = not (quiet or as_json)
    with progress(enabled=show) as steps:
        search = {}

        def before_solve():
            # ahead of the worker processes, so that each loads the kernels instead of compiling them
            warm_kernels(steps, "mckp" if method in ("exact", "supported") else None)
            search["front"] = steps.step(_("exact ε-front") if method != "supported" else _("supported front"))

        def front_progress(done, total):
            search["front"](done, total)

        def genetic_callback(d):
            if "genetic" not in search:
                search["genetic"] = steps.step(_("{method} search").format(method=method))
            best = ", ".join(f"{n} {d['best'][n]:,.4g}" for n in d["best"])
            gens = generations if generations is not None or evaluations is not None else DEFAULT_GENERATIONS
            search["genetic"](d["generation"] if evaluations is None else d["evaluations"],
                              gens if evaluations is None else evaluations,
                              stats=_("gen {generation}, {evaluations} evals, HV {hv}, best: {best}").format(
                                  generation=d["generation"], evaluations=f"{d['evaluations']:,}", hv=f"{d['hv']:.4f}",
                                  best=best))

        result = pareto_site(SiteInput(site_path, settings, layer, crs, fix_geometry, catalog), objs,
                             limits_from(budget, budget_on, constraint, lock, forbid, allow_intolerable, locks_file),
                             method=method, points=points, gap=gap, exact=exact, time_limit_s=time_limit,
                             workers=workers, seed=seed, generations=generations, evaluations=evaluations,
                             pop_size=pop_size, max_points=max_points, out_dir=out_dir,
                             progress=steps.step(_("scoring options")), front_progress=front_progress,
                             genetic_callback=genetic_callback, before_solve=before_solve, excel=excel)
    front, quality, removed = result.front, result.quality, result.removed
    assert front is not None  # pareto_site always returns its front
    df = front.to_frame()
    if as_json:
        emit_json({"method": front.method, "objectives": list(front.objectives), "runtime_s": front.runtime_s,
                   "points": df.to_dict(orient="records"), "quality": quality,
                   "info": {k: v for k, v in front.info.items() if k not in ("payoff_min_sense",)},
                   "files": [str(f) for f in result.files], "removed_stale": [str(f) for f in removed]})
        return
    if quiet:
        return
    out_dir = Path(out_dir)
    t = Table(*df.columns, title=_("front: {n} points, {seconds} s ({method})").format(
        n=len(front), seconds=f"{front.runtime_s:.1f}", method=front.method))
    for _i, r in df.iterrows():
        t.add_row(*[f"{v:,.6g}" if isinstance(v, float) else str(v) for v in r])
    out.print(t)
    if front.method in ("genetic", "hybrid"):
        i = front.info
        out.print(_("seed {seed}, {generations} generations, {evaluations} evaluations, {algorithm}, archive "
                    "{archive} plans").format(seed=i["seed"], generations=i["generations"],
                                              evaluations=f"{i['evaluations']:,}", algorithm=i["algorithm"],
                                              archive=i["archive_size"]))
        if quality is not None:
            out.print(_("against the exact front ({points} points): hypervolume {ratio} % of the exact, IGD {igd} "
                        "(normalised by the exact front's ideal and nadir, reference point {ref})").format(
                          points=quality["points"], ratio=f"{100 * quality['hv_ratio']:.2f}",
                          igd=f"{quality['igd']:.4g}", ref=quality["ref_point"]))
        elif "hv" in i:
            out.print(_("hypervolume {hv} (normalised by the {source}, reference point {ref}); no exact front exists "
                        "for non-linear objectives").format(hv=f"{i['hv']:.4f}", source=i["normalisation"]["from"],
                                                             ref=i["normalisation"]["ref_point"])
                      + (_("; the exact seeds had {hv}").format(hv=f"{i['hv_seed']:.4f}") if "hv_seed" in i else ""))
    if removed:
        out.print(_("removed {n} file(s) a previous run had left in {folder}").format(n=len(removed), folder=out_dir))
    out.print(_("wrote {file} and {n} plans in {folder}").format(file=out_dir / "front.csv", n=len(front),
                                                                 folder=out_dir / "plans"))
