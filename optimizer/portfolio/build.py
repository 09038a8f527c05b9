"""Each site of a portfolio read, scored and compiled, in worker processes; problems gathered.

A site's problem is its settings' (topsoil and gangue stocks stay its own rows) without its own
budget: the portfolio's shared budget replaces it. A site whose zones have no option within the
tolerable soil loss is refused, naming the site, unless ``allow_intolerable`` is set for it (or
for the whole portfolio).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..errors import Issue, PortfolioError, SinkPlanError
from ..i18n import _
from ..workflows import SiteInput
from .spec import PortfolioSite, PortfolioSpec

if TYPE_CHECKING:
    from ..options import OptionTable
    from ..problem import Compiled, Problem
    from ..site import Site


@dataclass
class BuiltSite:
    """One site ready to join: what it read, scored and compiled."""

    spec: PortfolioSite
    site: Site
    table: OptionTable
    problem: Problem
    compiled: Compiled
    lonlat: tuple[float, float] | None = None     # the site's place (its location, else its zones' centroid)
    #: calendar years → money each table row pays in them (portfolio.run.site_spending), filled on demand
    spending_cache: dict = field(default_factory=dict, repr=False)


def _build_one(task) -> tuple[str, object, list]:
    """("ok", BuiltSite, warnings) or ("error", message, warnings): a worker never raises a user
    mistake, so every site's problem reaches the parent; its warnings are handed back to be
    re-issued there (a worker process would print them in Python's own format)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        kind, what = _build(task)
    return kind, what, [(w.category, str(w.message)) for w in caught]


def _build(task) -> tuple[str, object]:
    s, objective, budget_on, allow, *rest = task
    standard = rest[0] if rest else None
    try:
        from dataclasses import replace

        from ..options import evaluate_options
        from ..problem import Problem
        from ..site import read_site

        source = SiteInput(s.path, s.settings, layer=s.layer, catalog=s.catalog)
        site = read_site(source.path, source.settings, layer=source.layer)
        if standard is not None:           # a sweep's crediting standard replaces the settings'
            site = replace(site, settings=replace(site.settings, standards=(standard,)))
        table = evaluate_options(site, source.catalog)
        problem = Problem.from_settings(site.settings, objectives=(objective,), budget_on=budget_on,
                                        enforce_tolerance=not allow, budget_cny=None)
        compiled = problem.compile(table)
    except SinkPlanError as exc:
        lines = str(exc).splitlines()
        msg = "\n".join(lines[:4]) + (f"\n  - … ({len(lines) - 4} more lines)" if len(lines) > 4 else "")
        if "tolerable soil loss" in msg and not allow:
            msg += ("\n  (in a portfolio: set allow_intolerable = true in this [[sites]] table, or pass "
                    "--allow-intolerable for every site)")
        return "error", msg
    lonlat = s.location if s.location is not None else site_lonlat(site)
    return "ok", BuiltSite(spec=s, site=site, table=table, problem=problem, compiled=compiled, lonlat=lonlat)


def site_lonlat(site: Site) -> tuple[float, float] | None:
    """The centroid of a site's zones as (lon, lat) [degrees, WGS 84]; None without geometry or CRS."""
    if not site.has_geometry or site.crs is None:
        return None
    import geopandas as gpd

    geom = site.zones.geometry
    union = geom.union_all() if hasattr(geom, "union_all") else geom.unary_union
    p = gpd.GeoSeries([union.centroid], crs=site.crs).to_crs(4326).iloc[0]
    return float(p.x), float(p.y)


def build_sites(spec: PortfolioSpec, *, allow_intolerable: bool = False, workers: int | None = None,
                progress=None, standard: str | None = None) -> list[BuiltSite]:
    """Every site of ``spec`` read, scored and compiled (``workers`` processes through
    :func:`optimizer.parallel.run_pool`; 1: in this process), under crediting ``standard`` when
    given (else each site's settings'). Raises one :class:`PortfolioError` naming every site that
    cannot be used and why."""
    from ..parallel import n_workers, run_pool

    tasks = [(s, spec.objective, spec.budget_on, allow_intolerable or spec.allow_intolerable or s.allow_intolerable,
              standard) for s in spec.sites]
    if n_workers(workers) == 1 or len(tasks) == 1:
        results = []
        for k, t in enumerate(tasks):
            results.append(_build_one(t))
            if progress:
                progress(k + 1, len(tasks))
    else:
        results = run_pool(_build_one, tasks, workers=workers, progress=progress)
    for s, (_kind, _r, caught) in zip(spec.sites, results):
        for category, message in dict.fromkeys(caught):
            warnings.warn(_("site {name}: {message}").format(name=repr(s.name), message=message), category,
                          stacklevel=2)
    file = str(spec.file) if spec.file else "<portfolio>"
    problems = [Issue(file=file, field=f"sites[{i}] ({s.name})", message=str(r))
                for i, (s, (kind, r, _caught)) in enumerate(zip(spec.sites, results)) if kind == "error"]
    if problems:
        n = len(problems)
        raise PortfolioError(problems, header=(_("1 site of the portfolio cannot be used:") if n == 1
                                               else _("{n} sites of the portfolio cannot be used:")).format(n=n))
    return [r for _kind, r, _caught in results]  # type: ignore[misc]
