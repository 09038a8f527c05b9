"""SinkPlan: plan the ecological restoration of mines for carbon.

The public API, for notebooks and scripts (see ``docs/api.md``)::

    import optimizer as sp

    site = sp.read_site("sites/loess_dump/zones.gpkg")            # validated zones + settings
    table = sp.evaluate_options(site)                              # every feasible option, scored
    problem = sp.Problem.from_settings(site.settings, objectives=("cost",),
                                       **sp.parse_constraints(["removals>=40000"]))
    plan = sp.optimize(problem.compile(table))                     # certified optimum (sp.Exact())
    front = sp.optimize(sp.Problem.from_settings(site.settings, objectives=("removals", "cost"))
                        .compile(table), sp.Epsilon(points=8), sp.Stop(gap=1e-4))
    sp.write_plan(plan, site, "runs/loess", manifest={})          # GeoPackage, GeoJSON, CSV

Names are imported on first use, so ``import optimizer`` stays cheap.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _version

try:
    __version__ = _version("sinkplan")
except PackageNotFoundError:  # pragma: no cover - running from a source tree that is not installed
    __version__ = "0+unknown"

#: public name -> module that defines it (or (module, name there))
_API = {
    # inputs
    "read_site": "optimizer.site",
    "Site": "optimizer.site",
    "load_catalog": "optimizer.catalog",
    "resolve_settings": "optimizer.settings",
    # options
    "evaluate_options": "optimizer.options",
    "OptionTable": "optimizer.options",
    "simulate": "optimizer.options.simulate",
    # the declared problem
    "Problem": "optimizer.problem",
    "Share": "optimizer.problem",
    "Target": "optimizer.problem",
    "parse_constraints": "optimizer.problem",
    "OBJECTIVES": "optimizer.problem",
    "evaluate_plans": ("optimizer.evaluate", "evaluate"),
    # solving: one entry point, optimize(compiled, method, stop) ("optimize", not "solve":
    # optimizer.solve is the sub-package of the solvers, where the same function is solve)
    "optimize": ("optimizer.solve.api", "solve"),
    "Exact": "optimizer.solve.api",
    "Epsilon": "optimizer.solve.api",
    "Supported": "optimizer.solve.api",
    "Genetic": "optimizer.solve.api",
    "Hybrid": "optimizer.solve.api",
    "Stop": "optimizer.solve.api",
    "Termination": "optimizer.solve.status",
    "epsilon_front": "optimizer.solve.exact",
    "supported_front": "optimizer.solve.exact",
    "genetic_front": "optimizer.solve.genetic",
    "hybrid_front": "optimizer.solve.hybrid",
    "Plan": "optimizer.solve.result",
    "ParetoFront": "optimizer.solve.result",
    "Status": "optimizer.solve.status",
    # results
    "write_plan": "optimizer.io.plans",
    "read_plan": "optimizer.io.plans",
    "read_run": "optimizer.io.plans",
    "build_report": "optimizer.report.build",
    # errors
    "SinkPlanError": "optimizer.errors",
    "InfeasibleError": "optimizer.errors",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str):
    where = _API.get(name)
    if where is None:
        raise AttributeError(f"module 'optimizer' has no attribute {name!r}")
    module, attr = where if isinstance(where, tuple) else (where, name)
    value = getattr(importlib.import_module(module), attr)
    globals()[name] = value
    return value


def __dir__():
    return sorted(__all__)
