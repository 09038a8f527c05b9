"""What every ``sinkplan`` sub-command shares: consoles, checked parameter types, the options that
read a site, and output in three voices (tables for people, ``--json`` for programs, ``--quiet``).

The commands stay thin: they parse, call the library, and print. Every check of a user's input
lives in the library (so notebooks get the same messages); the types here only refuse what cannot
be a value at all (``nan``, ``inf``, negative money) before any work starts.
"""

from __future__ import annotations

import json
import math
from contextlib import contextmanager
from pathlib import Path

import click
from rich.console import Console

from ..i18n import N_, _

out = Console()
err = Console(stderr=True)

#: A solve's status (:class:`~optimizer.solve.status.Status` values) as the summaries print it.
STATUS_WORDS = {"optimal": N_("optimal"), "feasible": N_("feasible"), "time_limit": N_("time_limit"),
                "infeasible": N_("infeasible"), "error": N_("error")}


def status_word(status) -> str:
    """``status`` (a Status or its value) in the current language; English keeps the value."""
    value = getattr(status, "value", status)
    return _(STATUS_WORDS[value]) if value in STATUS_WORDS else str(value)


class FiniteFloat(click.ParamType):
    """A finite number, optionally bounded: ``nan`` and ``inf`` are mistakes, not numbers."""

    name = "number"

    def __init__(self, low: float | None = None, high: float | None = None, *, low_open: bool = False):
        self.low, self.high, self.low_open = low, high, low_open

    def convert(self, value, param, ctx):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            v = float(value)
        else:
            try:
                v = float(str(value).replace("_", ""))
            except ValueError:
                self.fail(_("{value} is not a number").format(value=repr(value)), param, ctx)
        if not math.isfinite(v):
            self.fail(_("{value} is not a finite number").format(value=repr(value)), param, ctx)
        if self.low is not None and (v <= self.low if self.low_open else v < self.low):
            self.fail(_("{value} must be {rel} {limit}").format(value=value, rel=">" if self.low_open else "≥",
                                                                  limit=f"{self.low:g}"), param, ctx)
        if self.high is not None and v > self.high:
            self.fail(_("{value} must be {rel} {limit}").format(value=value, rel="≤", limit=f"{self.high:g}"),
                      param, ctx)
        return v


MONEY = FiniteFloat(0.0)
SECONDS = FiniteFloat(0.0, low_open=True)
GAP = FiniteFloat(0.0, 1.0)


def site_argument(fn):
    """The zoning file (.gpkg, .geojson, .shp or .csv), as SITE."""
    return click.argument("site_path", metavar="SITE", type=click.Path(path_type=Path))(fn)


def site_options(fn):
    """--settings, --layer, --crs, --fix-geometry and --catalog: how a zoning file is read."""
    for opt in reversed([
        click.option("--settings", type=click.Path(path_type=Path), default=None,
                     help=N_("Settings TOML (default: the one beside the zoning file).")),
        click.option("--layer", default=None, help=N_("GeoPackage layer to read.")),
        click.option("--crs", default=None, help=N_("CRS to assume when the file has none, e.g. EPSG:32649.")),
        click.option("--fix-geometry", is_flag=True,
                     help=N_("Repair invalid polygons with shapely and report the changes.")),
        click.option("--catalog", type=click.Path(path_type=Path), default=None,
                     help=N_("The planner's own catalog CSV (adds or overrides measures).")),
    ]):
        fn = opt(fn)
    return fn


def voice_options(fn):
    """--quiet and --json for commands that produce a result."""
    fn = click.option("--json", "as_json", is_flag=True,
                      help=N_("Print a machine-readable summary (JSON) on stdout and nothing else there."))(fn)
    fn = click.option("--quiet", "-q", is_flag=True, help=N_("Print nothing but errors."))(fn)
    return fn


def read_site(path: Path, settings: Path | None, layer, crs, fix_geometry: bool):
    from ..site import read_site as _read
    return _read(path, settings, layer=layer, crs=crs, fix_geometry=fix_geometry)


class Steps:
    """One transient progress display on stderr for a whole command, one line per step:
    ``update = steps.step(_("scoring options"))`` then ``update(done, total)``. Silent when disabled
    or when stderr is not a terminal (a log file or a pipe gets no control characters)."""

    def __init__(self, bar=None):
        self._bar = bar
        self._task = None

    def step(self, description: str):
        if self._bar is None:
            return lambda done=None, total=None, stats=None: None
        if self._task is not None:
            self._bar.update(self._task, visible=False)
        task = self._task = self._bar.add_task(description, total=None, stats="")

        def update(done=None, total=None, stats: str | None = None):
            extra = {"stats": stats} if stats is not None else {}
            if total is not None:
                extra["total"] = total
            self._bar.update(task, completed=done or 0, **extra)
        return update


@contextmanager
def progress(description: str | None = None, *, enabled: bool = True):
    """A :class:`Steps` display; with ``description``, yields the first step's ``update`` instead."""
    if not enabled or not err.is_terminal:
        steps = Steps()
        yield steps.step(description) if description else steps
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), TextColumn("{task.fields[stats]}"), console=err, transient=True) as bar:
        steps = Steps(bar)
        yield steps.step(description) if description else steps


def warm_kernels(steps: Steps, groups: str | None = "mckp", *, ahead: bool = True) -> str | None:
    """On a first run (the kernels' cache is cold), say so in a progress step.

    ``ahead``: compile the ``groups`` kernels now (before worker processes start, so each loads
    them from the cache instead of compiling its own); otherwise numba compiles only what the run
    calls, during the solve, and the returned label says so. Returns the label of the solving step.
    """
    from .. import jit

    if not jit.cache_is_cold(groups=groups):
        return _("solving")
    if ahead:
        jit.warm_up(progress=steps.step(_("compiling solver kernels (first run only)")), groups=groups)
        from . import _RECEIVED
        if _RECEIVED:   # a Ctrl-C that numba's LLVM callbacks swallowed while compiling
            raise KeyboardInterrupt
        return _("solving")
    return _("solving (compiling solver kernels the first time they are used)")


def emit_json(doc: dict) -> None:
    """The ``--json`` voice: one JSON document on stdout."""
    click.echo(json.dumps(doc, ensure_ascii=False, indent=2, default=_jsonable))


def _jsonable(v):
    import numpy as np
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, Path):
        return str(v)
    return str(v)
