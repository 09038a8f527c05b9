"""Whole jobs, as the command line runs them, callable from Python and testable without it.

    result = optimize_site("sites/loess_dump/zones.gpkg", "cost",
                           constraints=["removals>=40000"], out_dir="runs/target")
    result.plan.totals["removals_tco2e"]

Each workflow reads the site, scores its options, declares the problem, solves, and writes the run
folder (plan or front files and ``manifest.json``) when ``out_dir`` is given. The ``sinkplan``
command only parses its arguments into these calls and prints what they return.

Follow a budget from the command line to the solver: ``sinkplan optimize --budget 5e7`` →
:func:`optimize_site` (``budget_cny``) → :func:`declare_problem` → :class:`~optimizer.problem.Problem`
(``budget_cny``) → ``Problem.compile`` (a coupling row ``A x <= b``) → :func:`optimizer.solve.exact.solve`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import SinkPlanError
from .i18n import N_, _
from .problem import Problem, parse_constraints

if TYPE_CHECKING:
    from .options import OptionTable
    from .problem import Compiled
    from .site import Site
    from .solve.result import ParetoFront, Plan

Progress = Callable[..., None] | None


@dataclass(frozen=True)
class SiteInput:
    """Where the zones come from and how to read them."""

    path: str | Path
    settings: str | Path | None = None
    layer: str | None = None
    crs: str | None = None
    fix_geometry: bool = False
    catalog: str | Path | None = None


@dataclass(frozen=True)
class Constraints:
    """The constraints of a job, as a planner states them (checked by :mod:`optimizer.problem`)."""

    budget_cny: float | None = None
    budget_on: str = "capex"
    constraints: Sequence[str] = ()            # "removals>=40000", "soil_loss<=800", "share:woody>=0.3", …
    locks: Sequence[str | tuple[str, str]] = ()  # "ZONE=OPTION" or (zone, option)
    forbid: Sequence[str] = ()
    allow_intolerable: bool = False
    #: a CSV (or the zoning file's own columns) with zone_id and lock_option and/or forbid
    #: (measure or option ids, ";"-separated); see :func:`zone_locks`
    locks_file: str | Path | None = None


@dataclass
class RunResult:
    """What a workflow produced: the inputs it scored, the problem it solved, and the files."""

    site: Site
    table: OptionTable
    problem: Problem
    compiled: Compiled
    plan: Plan | None = None          # optimize: the Plan
    front: ParetoFront | None = None  # pareto: the ParetoFront
    quality: dict | None = None       # pareto genetic/hybrid: hypervolume and IGD against the exact front
    files: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)   # stale files of an earlier run removed


def declare_problem(site, objectives: Sequence[str], limits: Constraints) -> Problem:
    """The declared problem: settings' budget and stocks, then the planner's constraints over them."""
    kw = parse_constraints(limits.constraints or ())
    if limits.budget_cny is not None:
        kw["budget_cny"] = limits.budget_cny
    locks = []
    for item in limits.locks or ():
        if isinstance(item, tuple):
            zid, oid = item
        else:
            zid, sep, oid = str(item).partition("=")
            if not sep:
                raise SinkPlanError(_("lock {item}: write ZONE_ID=OPTION_ID").format(item=repr(item)))
        if not str(zid).strip() or not str(oid).strip():
            raise SinkPlanError(_("lock {item}: write ZONE_ID=OPTION_ID").format(item=repr(item)))
        locks.append((str(zid).strip(), str(oid).strip()))
    col_locks, zone_forbid = zone_locks(site.zones, site.path)
    if limits.locks_file is not None:
        f_locks, f_forbid = read_locks_file(limits.locks_file)
        col_locks += f_locks
        zone_forbid += f_forbid
    given = {z for z, _ in locks}
    locks += [(z, o) for z, o in col_locks if z not in given]   # a --lock on the command line wins
    clash = _lock_clashes(locks)
    if clash:
        raise SinkPlanError(_("locks disagree: ") + "; ".join(clash))
    return Problem.from_settings(site.settings, objectives=tuple(objectives), budget_on=limits.budget_on,
                                 enforce_tolerance=not limits.allow_intolerable, locks=tuple(dict(locks).items()),
                                 forbid=tuple(limits.forbid or ()), zone_forbid=tuple(zone_forbid), **kw)


LOCK_COLUMNS = ("lock_option", "forbid")


def _split(v) -> list[str]:
    if v is None or (isinstance(v, float) and v != v):
        return []
    return [x.strip() for x in str(v).replace(",", ";").split(";") if x.strip()]


def zone_locks(zones, where: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Locks and per-zone forbids from a table's ``lock_option`` and ``forbid`` columns (empty
    cells: none), so a planner fixes zones in QGIS or Excel and re-optimises the rest."""
    locks: list[tuple[str, str]] = []
    forbid: list[tuple[str, str]] = []
    if "zone_id" not in zones.columns:
        return locks, forbid
    ids = zones["zone_id"].astype(str).to_numpy()
    if "lock_option" in zones.columns:
        for z, v in zip(ids, zones["lock_option"]):
            opts = _split(v)
            if len(opts) > 1:
                raise SinkPlanError(_("{file}, zone {zone}: lock_option = {value} names more than one option").format(
                    file=where, zone=repr(z), value=repr(v)))
            if opts:
                locks.append((z, opts[0]))
    if "forbid" in zones.columns:
        for z, v in zip(ids, zones["forbid"]):
            forbid += [(z, m) for m in _split(v)]
    return locks, forbid


def read_locks_file(path: str | Path) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """A locks file: CSV with ``zone_id`` and ``lock_option`` and/or ``forbid`` (UTF-8 or GB18030)."""
    from .errors import Issue, LocksError
    from .io.paths import input_file_problem
    from .io.tables import read_csv_text

    bad = input_file_problem(Path(path), N_("locks file"), example="locks.csv", suffixes=(".csv",))
    if bad is not None:
        raise LocksError([bad])
    problems: list[Issue] = []
    df = read_csv_text(path, problems)
    if df is None:
        raise LocksError(problems)
    df.columns = [str(c).strip().lower() for c in df.columns]
    if "zone_id" not in df.columns or not (set(LOCK_COLUMNS) & set(df.columns)):
        raise SinkPlanError(_("{file}: a locks file needs a zone_id column and a lock_option and/or forbid column "
                              "(columns: {columns})").format(file=path, columns=", ".join(df.columns)))
    return zone_locks(df, str(path))


def _lock_clashes(locks: list[tuple[str, str]]) -> list[str]:
    seen: dict[str, str] = {}
    out = []
    for z, o in locks:
        if z in seen and seen[z] != o:
            out.append(_("zone {zone} locked to {first} and to {second}").format(
                zone=repr(z), first=repr(seen[z]), second=repr(o)))
        seen.setdefault(z, o)
    return out


def _read_and_score(source: SiteInput, progress: Progress):
    from .options import evaluate_options
    from .site import read_site

    site = read_site(source.path, source.settings, layer=source.layer, crs=source.crs,
                     fix_geometry=source.fix_geometry)
    table = evaluate_options(site, source.catalog, progress=progress)
    return site, table


def _checked_out_dir(out_dir):
    if out_dir is None:
        return None
    from .io.paths import check_output_dir
    return check_output_dir(out_dir)


def optimize_site(source: SiteInput | str | Path, objective: str, limits: Constraints = Constraints(), *,
                  method: str = "auto", solver: str = "highs", gap: float = 1e-4, exact: bool = False,
                  time_limit_s: float = 60.0, out_dir: str | Path | None = None, progress: Progress = None,
                  before_solve: Callable[[], None] | None = None, excel: str | None = None) -> RunResult:
    """The best plan for one objective under every constraint; written to ``out_dir`` if given
    (``excel``: ``"csv"`` or ``"xlsx"``, see :func:`optimizer.io.plans.write_plan`).

    ``progress(done, total)`` follows the scoring of options; ``before_solve()`` is called once the
    problem is compiled (the command line compiles solver kernels there on a first run).
    """
    from .io.manifest import manifest
    from .io.plans import write_json, write_plan
    from .solve.exact import solve

    source = source if isinstance(source, SiteInput) else SiteInput(source)
    out = _checked_out_dir(out_dir)
    site, table = _read_and_score(source, progress)
    problem = declare_problem(site, [objective], limits)
    compiled = problem.compile(table)
    if before_solve is not None:
        before_solve()
    plan = solve(compiled, method=method, solver=solver, gap=gap, time_limit_s=time_limit_s, exact=exact)
    result = RunResult(site=site, table=table, problem=problem, compiled=compiled, plan=plan)
    if out is not None:
        summary = plan.summary()
        doc = manifest(command="optimize", site=site, table=table, problem=asdict(problem),
                       solver={k: summary[k] for k in ("status", "solver", "gap", "bound", "runtime_s", "message")})
        result.files = write_plan(plan, site, out, manifest=doc, summary=summary, excel=excel)
        result.files.append(write_json(out / "manifest.json", doc))
    return result


def pareto_site(source: SiteInput | str | Path, objectives: Sequence[str], limits: Constraints = Constraints(), *,
                method: str = "exact", points: int = 25, gap: float = 1e-4, exact: bool = False,
                time_limit_s: float = 60.0, workers: int | None = None, seed: int | None = None,
                generations: int | None = None, evaluations: int | None = None, pop_size: int = 100,
                max_points: int = 50, out_dir: str | Path | None = None, progress: Progress = None,
                front_progress: Progress = None, genetic_callback: Callable[[dict], None] | None = None,
                before_solve: Callable[[], None] | None = None, excel: str | None = None) -> RunResult:
    """A trade-off front of two or three objectives (``method``: exact ε-constraint, supported,
    genetic or hybrid); written to ``out_dir`` (front.csv, plans/point_NNN.*, manifest.json).

    For genetic and hybrid runs over linear objectives, the exact ε-front is computed too and
    ``quality`` holds the hypervolume and IGD against it. ``front_progress(done, total)`` follows
    the exact front; ``genetic_callback(stats)`` each generation of the genetic search.
    """
    from .problem import NONLINEAR, OBJECTIVES
    from .solve.exact import epsilon_front, supported_front

    methods = ("exact", "supported", "genetic", "hybrid")
    if method not in methods:
        raise SinkPlanError(_("method {method}: use {valid}").format(method=repr(method), valid=", ".join(methods)))
    objectives = [o.strip() for o in objectives if o.strip()]
    unknown = [o for o in objectives if o not in OBJECTIVES]
    if unknown:
        raise SinkPlanError(_("unknown objective {names}; use {valid}").format(
            names=", ".join(map(repr, unknown)), valid=", ".join(OBJECTIVES)))
    if method in ("exact", "supported") and not 2 <= len(objectives) <= 3:
        raise SinkPlanError(_("{method} fronts take two or three objectives, not {n}").format(
            method=method, n=len(objectives)))
    nonlin = [o for o in objectives if o in NONLINEAR]
    if nonlin and method in ("exact", "supported"):
        raise SinkPlanError(_("{names} is not a sum over zones, so the exact front cannot take it: use the genetic "
                              "or hybrid method").format(names=", ".join(nonlin)))
    source = source if isinstance(source, SiteInput) else SiteInput(source)
    out = _checked_out_dir(out_dir)
    site, table = _read_and_score(source, progress)
    if "fragmentation" in nonlin and not site.has_geometry:
        raise SinkPlanError(_("fragmentation needs the zones' polygons; {file} has none (a CSV zoning file): give "
                              "the zones as GeoPackage, GeoJSON or Shapefile").format(file=source.path))
    problem = declare_problem(site, objectives, limits)
    adj = None
    if method in ("genetic", "hybrid") and site.has_geometry:
        from .adjacency import adjacency
        adj = adjacency(site.zones)
    compiled = problem.compile(table, adjacency=adj)
    if before_solve is not None:
        before_solve()
    quality = None
    if method == "supported":
        front = supported_front(compiled)
    elif method == "exact":
        front = epsilon_front(compiled, points=points, gap=gap, time_limit_s=time_limit_s, exact=exact,
                              workers=workers, progress=front_progress)
    else:
        front, quality = _genetic(compiled, method, points=points, gap=gap, time_limit_s=time_limit_s, exact=exact,
                                  workers=workers, seed=seed, generations=generations, evaluations=evaluations,
                                  pop_size=pop_size, max_points=max_points, front_progress=front_progress,
                                  callback=genetic_callback)
    result = RunResult(site=site, table=table, problem=problem, compiled=compiled, front=front, quality=quality)
    if out is not None:
        result.files, result.removed = write_front(front, site, table, problem, out, excel=excel)
    return result


def _genetic(compiled, method, *, points, gap, time_limit_s, exact, workers, seed, generations, evaluations,
             pop_size, max_points, front_progress, callback):
    from .analysis.pareto import front_quality
    from .solve.exact import epsilon_front
    from .solve.genetic import DEFAULT_GENERATIONS, genetic_front
    from .solve.hybrid import hybrid_front

    if generations is None and evaluations is None:
        generations = DEFAULT_GENERATIONS
    ref = None
    if any(o.linear for o in compiled.objectives):
        lin = compiled.linear_part()
        if len(lin.objectives) in (2, 3):
            ref = epsilon_front(lin, points=points, gap=gap, time_limit_s=time_limit_s, exact=exact,
                                workers=workers, progress=front_progress)
    kw = dict(seed=seed, generations=generations, evaluations=evaluations, pop_size=pop_size,
              max_points=max_points, callback=callback)
    if method == "hybrid":
        front = hybrid_front(compiled, seed_front=ref, points=points, gap=gap, exact_time_limit_s=time_limit_s,
                             workers=workers, **kw)
    else:
        front = genetic_front(compiled, reference=ref if compiled.is_linear else None, **kw)
    quality = None
    if ref is not None and compiled.is_linear:
        quality = front_quality(compiled.natural(front.values), compiled.natural(ref.values))
        quality["points"] = len(ref)
    return front, quality


def write_front(front, site, table, problem: Problem, out: Path, excel: str | None = None
                ) -> tuple[list[Path], list[Path]]:
    """front.csv (and supported_front.csv), plans/point_NNN.*, manifest.json; then the files an
    earlier, larger run left that this one did not rewrite are removed. Returns (written, removed)."""
    import numpy as np
    import pandas as pd

    from .io.manifest import manifest
    from .io.paths import clear_stale
    from .io.plans import write_json, write_plan
    from .io.tables import write_table

    files = [write_table(front.to_frame(), out / "front.csv", excel=excel is not None)]
    if front.supported is not None:
        o = front.compiled.objectives
        sup = pd.DataFrame({o[1].name: front.supported["cost"], o[0].name: front.supported["value"]})
        files.append(write_table(sup, out / "supported_front.csv"))
    for k in range(len(front)):
        files += write_plan(front.plan(k), site, out / "plans", manifest={}, name=f"point_{k:03d}",
                            formats=("csv", "gpkg", "trajectories"), excel=excel)
    gaps = front.gaps[np.isfinite(front.gaps)] if len(front.gaps) else front.gaps
    doc = manifest(command="pareto", site=site, table=table, problem=asdict(problem),
                   solver={"method": front.method, "runtime_s": front.runtime_s, "points": len(front),
                           "statuses": [s.value for s in front.status],
                           "max_gap": float(gaps.max()) if len(gaps) else None, **front.info},
                   seeds={"genetic": front.info["seed"]} if "seed" in front.info else None)
    files.append(write_json(out / "manifest.json", doc))
    removed = clear_stale(out, files)
    return files, removed
