"""Exact plans and Pareto fronts over a compiled problem.

- :func:`solve`: one plan for one objective under every constraint — the certified fast engine
  (:mod:`.mckp`) by default, the general MILP through PuLP (:mod:`.milp`) on request or when the
  fast engine fails; typed status, certified gap and runtime.
- :func:`supported_front`: the whole supported (convex-hull) front of two linear objectives in one
  pass (GUB rows only; a budget-type row on one of the two objectives truncates it).
- :func:`epsilon_front`: AUGMECON2-style ε-constraint fronts for two or three objectives with K
  grid points, each point solved to a certified gap; the innermost ε loop skips grid cells the
  previous solution already answers (the AUGMECON2 bypass) and an augmentation term keeps
  weakly dominated points out; the grid lines are spread over worker processes
  (:func:`optimizer.parallel.run_pool`).
"""

from __future__ import annotations

import math
import time

import numpy as np

from .. import parallel
from ..errors import InfeasibleError, ProblemDefinitionError
from ..evaluate import evaluate, feasibility_tolerance
from ..i18n import _
from .mckp import front_plan, solve_mckp
from .mckp import supported_front as _hull_front
from .result import ParetoFront, Plan
from .status import SolveResult, Status

METHODS = ("auto", "fast", "milp")
AUGMENTATION = 1e-4      # weight of the augmentation term relative to the primary objective's range


def _solve_core(core, *, method, solver, gap, time_limit_s, exact, start=None) -> SolveResult:
    """One solve of ``core``; ``start`` (local option per zone) warm-starts the fast engine."""
    if method not in METHODS:
        raise ProblemDefinitionError(_("unknown method {method}; use one of {valid}").format(
            method=repr(method), valid=", ".join(METHODS)))
    if method in ("auto", "fast"):
        res = solve_mckp(core, gap_tol=gap, time_limit_s=time_limit_s, exact=exact, start=start)
        if res.status is not Status.ERROR or method == "fast":
            return res
    from .milp import solve_milp
    return solve_milp(core, solver=solver, time_limit_s=time_limit_s, gap_rel=1e-6 if exact else gap)


def solve(compiled, *, objective: int | str = 0, method: str = "auto", solver: str = "highs",
          gap: float = 1e-4, time_limit_s: float = 60.0, exact: bool = False, start=None) -> Plan:
    """Best plan for one objective (index or name) of ``compiled`` under all its constraints.

    ``start``: a plan (local option per zone, e.g. the ``choice`` of a plan of the same compiled
    rows under another budget) to warm-start the fast engine; it changes how fast, never what is
    proved (the MILP fallback ignores it).
    Raises :class:`InfeasibleError` (with the constraint and the amount) when no plan exists.
    """
    k = _objective_index(compiled, objective)
    core, scale = compiled.core(k)
    t0 = time.perf_counter()
    res = _solve_core(core, method=method, solver=solver, gap=gap, time_limit_s=time_limit_s, exact=exact,
                      start=start)
    if res.status is Status.INFEASIBLE:
        raise InfeasibleError(*explain_infeasible(compiled, res.message))
    if res.choice is None:
        raise InfeasibleError(_("no plan was found within {seconds} s ({status}): {message}").format(
            seconds=f"{time_limit_s:g}", status=res.status.value, message=res.message))
    sense = compiled.objectives[k].sense
    return Plan(compiled=compiled, choice=np.asarray(res.choice, dtype=np.int64), status=res.status,
                objective_name=compiled.objectives[k].name, bound=float(res.bound) * scale["c_scale"] * sense,
                gap=res.gap, runtime_s=time.perf_counter() - t0, solver=res.solver, message=res.message,
                info=dict(res.info))


def _objective_index(compiled, objective) -> int:
    names = [o.name for o in compiled.objectives]
    if isinstance(objective, str):
        if objective not in names:
            raise ProblemDefinitionError(_("objective {name} is not among the problem's {names}").format(
                name=repr(objective), names=", ".join(names)))
        return names.index(objective)
    return int(objective)


def explain_infeasible(compiled, solver_message: str = "") -> tuple[str, list[str]]:
    """Which constraint cannot hold, and by how much.

    Single rows that cannot hold alone are caught when compiling. Here the rows conflict: for each
    row, the least value any plan meeting all the *other* rows can reach is computed (a problem of
    the same kind, solved by the fast engine) and compared with its limit.
    """
    from .core import LinearCore

    msgs = []
    m = len(compiled.b)
    core, scale = compiled.core(np.zeros(len(compiled.objectives)))     # scaled rows; the objective is unused
    for i in range(m):
        others = [j for j in range(m) if j != i]
        sub = LinearCore(zone_ptr=core.zone_ptr, c=core.A[i], A=core.A[others], b=core.b[others],
                         row_names=tuple(core.row_names[j] for j in others))
        res = solve_mckp(sub, gap_tol=1e-6, time_limit_s=20.0)
        if res.choice is None:
            continue
        least = float(res.bound) * scale["row_scale"][i]
        if least > compiled.b[i] + float(feasibility_tolerance(compiled.b[i])):
            msgs.append(compiled.explain_row(i, least, np.minimum.reduceat(compiled.A[i], compiled.zone_ptr[:-1]),
                                             others=tuple(compiled.con_names[j] for j in others)))
    if not msgs:
        msgs = [solver_message or _("the constraints cannot hold together")]
    return _("no plan meets the constraints together:") + "\n" + "\n".join(f"  - {x}" for x in msgs), msgs


# ----------------------------------------------------------------------------------------------
# supported front
# ----------------------------------------------------------------------------------------------
def supported_front(compiled, objectives: tuple[int, int] = (0, 1)) -> ParetoFront:
    """The whole supported front of two objectives in one pass over sorted hull increments.

    The second objective plays "cost" (the resource), the first "value". Coupling rows are allowed
    only when each is an upper bound on the second objective's column (e.g. a capex budget when
    minimising capex): the front is then cut at the bound. Otherwise use :func:`epsilon_front`.
    """
    t0 = time.perf_counter()
    if not getattr(compiled, "is_linear", True):
        raise ProblemDefinitionError(_("the supported front takes linear objectives only; use the genetic or hybrid "
                                       "search for diversity, fragmentation, sink year or worst-five-year soil loss"))
    i, j = objectives
    f_val, f_cost = compiled.F[i], compiled.F[j]
    limit = math.inf
    for r, (row, rhs) in enumerate(zip(compiled.A, compiled.b)):
        if np.allclose(row, f_cost * compiled.objectives[j].sense, rtol=1e-12, atol=0):
            limit = min(limit, rhs * compiled.objectives[j].sense)
        else:
            raise ProblemDefinitionError(
                _("the supported front works under one-option-per-zone rows only; constraint {name} is not a "
                  "bound on {objective}: use the ε-constraint front").format(
                    name=repr(compiled.con_names[r]), objective=compiled.objectives[j].name))
    hull = _hull_front(f_cost, -f_val, compiled.zone_ptr)
    keep = np.flatnonzero(hull.cost <= limit + 1e-9 * max(1.0, abs(limit))) if math.isfinite(limit) else \
        np.arange(hull.n_vertices)
    if len(keep) == 0:
        raise InfeasibleError(_("no plan meets {name}: the cheapest costs {cheapest}, above {limit}").format(
            name=_(compiled.con_names[0]), cheapest=f"{hull.cost[0]:,.0f}", limit=f"{limit:,.0f}"))
    # K plans as a sample of vertices for files; the full arrays are kept in ``supported``
    choices = np.array([front_plan(hull, int(v)) for v in _spread(keep, 25)])
    ev = evaluate(compiled, choices, totals=False)
    return ParetoFront(compiled=compiled, objectives=tuple(o.name for o in compiled.objectives),
                       choices=choices, values=ev.objectives, status=tuple(Status.OPTIMAL for _ in choices),
                       gaps=np.zeros(len(choices)), method="supported", runtime_s=time.perf_counter() - t0,
                       supported={"cost": hull.cost[keep] * compiled.objectives[j].sense,
                                  "value": -hull.value[keep] * compiled.objectives[i].sense,
                                  "n_vertices": int(len(keep))})


def _spread(idx: np.ndarray, k: int) -> np.ndarray:
    if len(idx) <= k:
        return idx
    return idx[np.unique(np.round(np.linspace(0, len(idx) - 1, k)).astype(int))]


# ----------------------------------------------------------------------------------------------
# ε-constraint fronts (AUGMECON2-style)
# ----------------------------------------------------------------------------------------------
_WORK: dict = {}          # this process's share of an ε-front: set by _init_worker, read by _run_line


def _init_worker(compiled, weights, solve_kw, shift) -> None:
    """Give this process (a pool worker, or the caller when serial) the problem of the front.
    With ``spawn`` the arguments arrive pickled, once per worker; with ``fork`` they are inherited."""
    _WORK.update(compiled=compiled, weights=weights, solve_kw=solve_kw, shift=shift)


def _payoff(compiled, solve_kw) -> tuple[np.ndarray, np.ndarray, list[Status], list[float]]:
    """The extremes of the front, each solved lexicographically: (p, p) payoff table in the
    minimisation sense, the plans, and each extreme's status and certified gap.

    Stage 1 minimises objective k alone, to the front's gap, and proves its bound. Stage 2
    minimises the next objective (the others after it by an augmentation term) subject to
    f_k <= f_k(stage-1 plan), warm-started from that plan, and proves its own gap. So no plan is
    better than the extreme in f_k by more than stage 1's gap, and none that is at least as good in
    f_k is better in the next objective by more than stage 2's gap. The extreme is ``optimal`` only
    when both stages are; its gap is the larger of the two (each relative to its stage's objective),
    never 0 unless proved."""
    p = len(compiled.objectives)
    ranges = np.abs(compiled.F).sum(axis=1) + 1.0
    table, plans = np.zeros((p, p)), []
    statuses: list[Status] = []
    gaps: list[float] = []
    for k in range(p):
        first = _lexicographic_stage(compiled, k, None, solve_kw)
        x1 = np.asarray(first.choice)
        f1 = evaluate(compiled, x1[None, :], totals=False).F[0]
        j = (k + 1) % p
        w = np.zeros(p)
        w[j] = 1.0
        rest = [i for i in range(p) if i not in (k, j)]
        w[rest] = AUGMENTATION / ranges[rest] * ranges[j]
        # f_k may not grow past the stage-1 plan's value (which that plan meets by construction)
        second = _lexicographic_stage(compiled, w, (k, f1[k]), solve_kw, start=x1)
        x2 = np.asarray(second.choice)
        plans.append(x2)
        table[k] = evaluate(compiled, x2[None, :], totals=False).F[0]
        worst = [r.status for r in (first, second) if r.status is not Status.OPTIMAL]
        statuses.append(worst[0] if worst else Status.OPTIMAL)
        gaps.append(max(float(first.gap), float(second.gap)))
    return table, np.array(plans), statuses, gaps


def _lexicographic_stage(compiled, objective, cap, solve_kw, start=None) -> SolveResult:
    """One stage of a lexicographic extreme: minimise ``objective`` (index or weights) with the
    optional row f_cap[0] <= cap[1] (natural units, min sense); a plan or InfeasibleError."""
    if cap is None:
        core, _ = compiled.core(objective)
    else:
        k, value = cap
        core, _ = compiled.core(objective, extra_A=compiled.F[k][None, :],
                                extra_b=np.array([value + 1e-12 * max(1.0, abs(value))]),
                                extra_names=(f"lexicographic {compiled.objectives[k].name}",))
    res = _solve_core(core, **solve_kw, start=start)
    if res.status is Status.INFEASIBLE:
        raise InfeasibleError(*explain_infeasible(compiled, res.message))
    if res.choice is None:
        raise InfeasibleError(_("no plan found for the payoff table ({status})").format(status=res.status.value))
    return res


def _solve_cell(compiled, eps: np.ndarray, weights: np.ndarray, solve_kw, shift: float = 0.0) -> SolveResult:
    """Solve one ε-cell. ``shift`` [natural units, min sense] is added to the objective (spread
    evenly over the zones, so no plan changes rank): with ``shift = −(range of the front)`` the
    solver's relative tolerance becomes one relative to the front's range, so cells near an
    objective's zero are not chased to a tiny absolute gap. The returned objective, bound, gap and
    status are those of the unshifted problem."""
    from dataclasses import replace as _replace

    from .core import LinearCore
    from .status import relative_gap

    p = len(compiled.objectives)
    names = tuple(f"ε {compiled.objectives[k].name}" for k in range(1, p))
    core, scale = compiled.core(weights, extra_A=compiled.F[1:], extra_b=eps, extra_names=names)
    s = shift / scale["c_scale"]
    if s:
        core = LinearCore(zone_ptr=core.zone_ptr, c=core.c + s / core.n_zones, A=core.A, b=core.b,
                          row_names=core.row_names)
    res = _solve_core(core, **solve_kw)
    if not s or res.choice is None:
        return res
    obj, bound = res.objective - s, res.bound - s
    status = res.status
    want = 1e-6 if solve_kw.get("exact") else solve_kw["gap"]
    if status is Status.OPTIMAL and relative_gap(obj, bound) > want:
        status = Status.FEASIBLE
    return _replace(res, objective=obj, bound=bound, status=status,
                    info={**res.info, "gap_abs": (obj - bound) * scale["c_scale"]})


def _run_line(task):
    """Solve one line of the ε grid (outer values fixed), innermost ε from loose to tight with the
    AUGMECON2 bypass: a solution whose innermost objective is already within the next ε answers
    that cell too."""
    compiled, weights, solve_kw, shift = _WORK["compiled"], _WORK["weights"], _WORK["solve_kw"], _WORK["shift"]
    outer, inner_grid = task
    out = []
    j = 0
    while j < len(inner_grid):
        eps = np.array([*outer, inner_grid[j]])
        res = _solve_cell(compiled, eps, weights, solve_kw, shift)
        if res.choice is None:
            out.append((eps, None, res.status, math.inf))
            if res.status is Status.INFEASIBLE:
                break               # tighter cells of this line are infeasible too
            j += 1
            continue
        f = evaluate(compiled, np.asarray(res.choice)[None, :], totals=False).F[0]
        out.append((eps, np.asarray(res.choice), res.status, res.gap))
        j += 1
        while j < len(inner_grid) and f[-1] <= inner_grid[j] + 1e-12 * max(1.0, abs(inner_grid[j])):
            j += 1                  # bypass: the same plan is optimal for this tighter cell
    return out


def epsilon_front(compiled, *, points: int = 25, gap: float = 1e-4, time_limit_s: float = 60.0,
                  method: str = "auto", solver: str = "highs", exact: bool = False, workers: int | None = None,
                  progress=None, range_relative: bool = False) -> ParetoFront:
    """ε-constraint front of two or three objectives with about ``points`` grid points.

    The first objective is optimised; the others are bounded by ε on an even grid between their
    payoff-table extremes (``points`` values for two objectives, ⌈√points⌉² for three). Each cell is
    solved to ``gap`` (``exact``: 1e-6) relative to its own value, or, with ``range_relative``,
    to the first objective's range over the front (cheaper near an objective's zero); every point
    reports its true
    certified gap relative to its own value, and is ``optimal`` only when that is within ``gap``.
    The front keeps the non-dominated plans.
    ``workers`` processes (default: the CPUs this process may use) share the grid lines; they are
    started with ``spawn`` unless ``$SINKPLAN_START_METHOD`` says otherwise (:mod:`optimizer.parallel`),
    end with the caller, and Ctrl-C stops them and raises KeyboardInterrupt here (a script calling
    this with several workers needs an ``if __name__ == "__main__":`` guard under ``spawn``).
    """
    t0 = time.perf_counter()
    p = len(compiled.objectives)
    if p not in (2, 3):
        raise ProblemDefinitionError(_("ε-constraint fronts take two or three objectives, not {n}").format(n=p))
    if points < 2:
        raise ProblemDefinitionError(_("a front needs at least 2 points"))
    solve_kw = dict(method=method, solver=solver, gap=gap, time_limit_s=time_limit_s, exact=exact)
    payoff, extreme_plans, extreme_status, extreme_gaps = _payoff(compiled, solve_kw)
    lo = payoff.min(axis=0)
    hi = payoff.max(axis=0)
    rng = np.where(hi - lo > 0, hi - lo, 1.0)
    weights = np.zeros(p)
    weights[0] = 1.0
    weights[1:] = AUGMENTATION * rng[0] / rng[1:]
    # the tightest grid value of each ε is the payoff table's own extreme plan (already solved,
    # lexicographically): it is left out of the grid, whose tightest cells are the hardest to certify
    tasks: list[tuple[tuple[float, ...], np.ndarray]]   # (fixed ε of objective 3, if any; grid of objective 2)
    if p == 2:
        grid = np.linspace(hi[1], lo[1], points)[:-1]
        tasks = [((), g) for g in np.array_split(grid, min(len(grid), _n_workers(workers)))]
    else:
        g = int(math.ceil(math.sqrt(points)))
        outer = np.linspace(hi[1], lo[1], g + 1)[:-1]
        inner = np.linspace(hi[2], lo[2], g + 1)[:-1]
        tasks = [((o,), inner) for o in outer]
    # tolerance relative to the front's range of the optimised objective (see _solve_cell)
    shift = -(rng[0] + max(0.0, hi[0])) if range_relative else 0.0
    work = (compiled, weights, solve_kw, shift)
    results = []
    n_workers = min(_n_workers(workers), len(tasks))
    start_method = parallel.start_method() if n_workers > 1 else None
    if n_workers > 1:
        for r in parallel.run_pool(_run_line, tasks, workers=n_workers, initializer=_init_worker, initargs=work,
                                   method=start_method, progress=progress):
            results += r
    else:
        try:
            _init_worker(*work)
            for k, t in enumerate(tasks):
                results += _run_line(t)
                if progress:
                    progress(k + 1, len(tasks))
        finally:
            _WORK.clear()
    found = [(c, s, g) for _, c, s, g in results if c is not None]
    choices = [*(c for c, _, _ in found), *extreme_plans]
    status = [*(s for _, s, _ in found), *extreme_status]
    gaps = [*(g for _, _, g in found), *extreme_gaps]
    X = np.array(choices)
    ev = evaluate(compiled, X, totals=False)
    from .pareto import nondominated
    keep = nondominated(ev.F)
    # one plan per distinct objective vector, ordered along the first objective
    _values, uniq = np.unique(np.round(ev.F[keep], 9), axis=0, return_index=True)
    keep = keep[np.sort(uniq)]
    keep = keep[np.argsort(ev.F[keep, 0])]
    return ParetoFront(compiled=compiled, objectives=tuple(o.name for o in compiled.objectives),
                       choices=X[keep], values=ev.objectives[keep], status=tuple(status[i] for i in keep),
                       gaps=np.array([gaps[i] for i in keep], dtype=float), method="epsilon",
                       runtime_s=time.perf_counter() - t0,
                       info={"grid_cells": sum(len(t[1]) for t in tasks), "cells_solved": len(results),
                             "payoff_min_sense": payoff.tolist(), "workers": n_workers,
                             "start_method": start_method})


def _n_workers(workers) -> int:
    """Worker processes for ``workers``: ``None`` means every CPU this process may use."""
    return parallel.n_workers(workers)
