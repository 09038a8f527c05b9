"""One entry point for every solver, after pymoo's ``minimize(problem, algorithm, termination)``:

    from optimizer.solve import solve, Exact, Epsilon, Supported, Genetic, Hybrid, Stop

    plan  = solve(compiled, Exact(objective="cost"), Stop(gap=1e-6, time_s=120))
    front = solve(compiled, Epsilon(points=20, workers=2), Stop(gap=1e-4))
    front = solve(compiled, Hybrid(points=9, seed=1), Stop(generations=150))

The method says *how* (certified exact engine or general MILP for one objective; ε-constraint or
supported front; genetic or hybrid search); :class:`Stop` says *when to stop* (certified gap, wall
clock, generations, evaluations). The result is a :class:`~optimizer.solve.result.Plan` or a
:class:`~optimizer.solve.result.ParetoFront`, with a typed ``status`` (what the result is worth)
and a separate ``termination`` (why the search stopped).

Nothing heavy is imported here: each method imports its solver when it runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

    from .result import ParetoFront


@dataclass(frozen=True)
class Stop:
    """When to stop. ``gap``: certified relative gap at which an exact solve stops (``exact=True``:
    1e-6); ``time_s``: wall clock per exact solve (per grid point for fronts); ``generations`` /
    ``evaluations``: the genetic search's budget (the first reached ends it; neither: 100
    generations); ``genetic_time_s``: an optional wall clock for the genetic search."""

    gap: float = 1e-4
    time_s: float = 60.0
    exact: bool = False
    generations: int | None = None
    evaluations: int | None = None
    genetic_time_s: float | None = None


@dataclass(frozen=True)
class Exact:
    """One plan for one objective. ``engine``: ``auto`` (certified fast engine, PuLP if it fails),
    ``fast`` or ``milp`` (PuLP on ``solver``: ``highs`` or ``cbc``)."""

    objective: int | str = 0
    engine: str = "auto"
    solver: str = "highs"

    def run(self, compiled, stop: Stop, progress, callback):
        from .exact import solve as solve_one
        return solve_one(compiled, objective=self.objective, method=self.engine, solver=self.solver, gap=stop.gap,
                         time_limit_s=stop.time_s, exact=stop.exact)


@dataclass(frozen=True)
class Epsilon:
    """AUGMECON2-style ε-constraint front of two or three objectives, each point certified."""

    points: int = 25
    workers: int | None = None
    engine: str = "auto"
    solver: str = "highs"
    range_relative: bool = False

    def run(self, compiled, stop: Stop, progress, callback):
        from .exact import epsilon_front
        return epsilon_front(compiled, points=self.points, gap=stop.gap, time_limit_s=stop.time_s,
                             method=self.engine, solver=self.solver, exact=stop.exact, workers=self.workers,
                             progress=progress, range_relative=self.range_relative)


@dataclass(frozen=True)
class Supported:
    """The whole supported (convex-hull) front of two linear objectives in one pass."""

    objectives: tuple[int, int] = (0, 1)

    def run(self, compiled, stop: Stop, progress, callback):
        from .exact import supported_front
        return supported_front(compiled, self.objectives)


@dataclass(frozen=True)
class Genetic:
    """NSGA-II (NSGA-III beyond three objectives) with SinkPlan's encoding, operators and repair;
    any objectives, linear or not. A heuristic: its points are ``feasible``, never ``optimal``."""

    pop_size: int = 100
    max_points: int = 100
    seed: int | None = None
    reference: ParetoFront | np.ndarray | None = None   # exact front or natural-sign values, for HV and IGD

    def run(self, compiled, stop: Stop, progress, callback):
        from .genetic import genetic_front
        return genetic_front(compiled, pop_size=self.pop_size, generations=stop.generations,
                             evaluations=stop.evaluations, time_limit_s=stop.genetic_time_s, seed=self.seed,
                             reference=self.reference, max_points=self.max_points, callback=callback)


@dataclass(frozen=True)
class Hybrid:
    """The genetic search seeded with the exact ε-front of the linear objectives, keeping an
    external archive (never below its seeds)."""

    points: int = 25
    pop_size: int = 100
    max_points: int = 50
    seed: int | None = None
    workers: int | None = None
    seed_front: ParetoFront | None = None

    def run(self, compiled, stop: Stop, progress, callback):
        from .hybrid import hybrid_front
        return hybrid_front(compiled, points=self.points, gap=stop.gap, exact_time_limit_s=stop.time_s,
                            workers=self.workers, seed_front=self.seed_front, progress=progress, seed=self.seed,
                            pop_size=self.pop_size, generations=stop.generations, evaluations=stop.evaluations,
                            time_limit_s=stop.genetic_time_s, max_points=self.max_points, callback=callback)


METHODS = {"exact": Exact, "epsilon": Epsilon, "supported": Supported, "genetic": Genetic, "hybrid": Hybrid}


def solve(compiled, method=None, stop: Stop | None = None, *, progress: Callable | None = None,
          callback: Callable | None = None):
    """Solve ``compiled`` (a :class:`~optimizer.problem.Compiled` problem) with ``method``
    (default :class:`Exact` on the first objective) until ``stop`` (default :class:`Stop`).

    ``progress(done, total)`` follows an exact front's grid; ``callback(stats)`` each generation of
    a genetic search. Returns a ``Plan`` for :class:`Exact`, else a ``ParetoFront``. Raises
    :class:`~optimizer.errors.InfeasibleError` when no plan meets the constraints.
    """
    from ..errors import ProblemDefinitionError

    method = Exact() if method is None else method
    if isinstance(method, str):
        if method not in METHODS:
            from ..i18n import _
            raise ProblemDefinitionError(_("unknown method {method}; use one of {valid}").format(
                method=repr(method), valid=", ".join(METHODS)))
        method = METHODS[method]()
    if not hasattr(method, "run"):
        raise ProblemDefinitionError(f"{method!r} is not a solve method; use one of "
                                     + ", ".join(c.__name__ for c in METHODS.values()))
    return method.run(compiled, stop or Stop(), progress, callback)
