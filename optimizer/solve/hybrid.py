"""Hybrid search: the genetic search seeded with an exact front.

    front = hybrid_front(compiled, points=25, seed=1, generations=200)

The linear part of the problem (:meth:`Compiled.linear_part`: the same rows and constraints, the
linear objectives only) is solved exactly first — the ε-constraint front for two or three linear
objectives, the single optimum for one — and its plans seed the genetic search over every
objective, linear and non-linear. The genetic search keeps an external archive that starts with
the seeds, so the returned front's hypervolume is never below the seeds' (the seeds are scored on
all the problem's objectives; each is weakly dominated by a returned plan).

When every objective is linear, the exact front is also the reference for hypervolume and IGD.
"""

from __future__ import annotations

import time

import numpy as np

from ..errors import ProblemDefinitionError
from ..i18n import _
from .genetic import genetic_front
from .result import ParetoFront


def hybrid_front(compiled, *, points: int = 25, gap: float = 1e-4, exact_time_limit_s: float = 60.0,
                 workers: int | None = None, seed_front: ParetoFront | None = None, reference=None,
                 progress=None, **genetic_kw) -> ParetoFront:
    """Exact seeds, then :func:`~optimizer.solve.genetic.genetic_front` (``genetic_kw``: seed,
    pop_size, generations, evaluations, time_limit_s, callback, max_points …).

    ``seed_front``: an exact front of the linear part already computed (else it is computed here
    with ``points``, ``gap``, ``exact_time_limit_s`` per point and ``workers``). ``progress(done,
    total)`` reports the exact front's grid lines. ``reference`` defaults to the seed front when
    the problem is linear.
    """
    from .exact import epsilon_front, solve

    t0 = time.perf_counter()
    lin = compiled.linear_part()
    p_lin = len(lin.objectives)
    if seed_front is None:
        if p_lin in (2, 3):
            seed_front = epsilon_front(lin, points=points, gap=gap, time_limit_s=exact_time_limit_s,
                                       workers=workers, progress=progress)
            seeds = seed_front.choices
        elif p_lin == 1:
            plan = solve(lin, gap=gap, time_limit_s=exact_time_limit_s)
            seeds = plan.choice[None, :]
        else:
            raise ProblemDefinitionError(_("the hybrid search seeds from at most three linear objectives; this "
                                           "problem has {n}: use the genetic method").format(n=p_lin))
    else:
        if tuple(seed_front.objectives) != tuple(o.name for o in lin.objectives):
            raise ProblemDefinitionError(_("the seed front is over {front}, the linear part of the problem over "
                                           "{problem}").format(front=", ".join(seed_front.objectives),
                                                               problem=", ".join(o.name for o in lin.objectives)))
        seeds = seed_front.choices
    exact_s = time.perf_counter() - t0
    if reference is None and compiled.is_linear and seed_front is not None:
        reference = seed_front
    front = genetic_front(compiled, seeds=seeds, reference=reference, method_name="hybrid", **genetic_kw)
    info = dict(front.info)
    info.update(exact_runtime_s=exact_s, exact_points=len(seeds),
                exact_max_gap=float(np.max(seed_front.gaps)) if seed_front is not None and len(seed_front) else None)
    runtime = time.perf_counter() - t0
    info["runtime_s"] = runtime
    return ParetoFront(compiled=compiled, objectives=front.objectives, choices=front.choices, values=front.values,
                       status=front.status, gaps=front.gaps, method="hybrid", runtime_s=runtime, info=info)
