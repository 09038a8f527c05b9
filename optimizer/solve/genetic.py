"""Genetic search for fronts the linear model cannot give: NSGA-II (two or three objectives) or
NSGA-III (more), with pymoo's survival, over the plan encoding of :mod:`.encoding`: the first
population from :mod:`.operators` and the repair of :mod:`.repair`, every later generation from one
compiled pass (:mod:`.fused`, driven by :mod:`.generation`).

    front = genetic_front(compiled, seed=1, generations=200)              # unseeded
    front = genetic_front(compiled, seeds=exact.choices, reference=exact)  # seeded (see hybrid.py)

Children carry their linear objectives and constraint rows from their parents, changed gene by
gene (non-linear objectives are computed by :mod:`optimizer.evaluate` for each new population);
the returned front is scored by :func:`optimizer.evaluate.evaluate`. Every child is repaired to
meet the constraints, so the search moves among feasible plans only. An external archive
(:mod:`.archive`) keeps every non-dominated feasible plan seen (a population's best is not
enough: crowding truncation drops good plans); the returned front is the archive, thinned to
``max_points`` plans while keeping, for each seed, a plan that weakly dominates it, so the
front's hypervolume is never below the seeds'.

Reproducible: the seed is recorded in ``front.info["seed"]`` and the same seed with the same
``generations``/``evaluations`` gives the same front (a ``time_limit_s`` stops wherever the clock
says and is not reproducible).

Quality: ``reference`` (an exact front, or its objective values in natural sign) fixes the
normalisation of :func:`optimizer.solve.pareto.front_quality` (its ideal and nadir, reference
point 1.1); without one, the normalisation is that of the first archive (the seeds, else the
initial population). ``info`` then has ``hv``, ``hv_ratio``, ``igd`` and ``hv_seed``.
"""

from __future__ import annotations

import math
import time
from typing import cast

import numpy as np

from ..errors import InfeasibleError, ProblemDefinitionError
from ..evaluate import evaluate
from ..i18n import _
from . import pareto as pa
from .archive import ARCHIVE_CAPACITY, Archive, thin
from .encoding import Encoding, _zone_argmin
from .fused import REFRESH_EVERY
from .generation import Generation, Survival
from .operators import PlanSampling
from .result import ParetoFront
from .status import Status

__all__ = ["ARCHIVE_CAPACITY", "DEFAULT_GENERATIONS", "Archive", "genetic_front", "thin"]

DEFAULT_GENERATIONS = 100


# ----------------------------------------------------------------------------------------------
# the search
# ----------------------------------------------------------------------------------------------
def genetic_front(compiled, *, pop_size: int = 100, generations: int | None = None, evaluations: int | None = None,
                  time_limit_s: float | None = None, seed: int | None = None, seeds: np.ndarray | None = None,
                  reference=None, sampling_weighted: float = 0.1, max_points: int = 100,
                  archive_capacity: int = ARCHIVE_CAPACITY, zones_per_child: float = 2.0, p_block: float = 0.3,
                  callback=None, hv_every: int = 1, method_name: str = "genetic") -> ParetoFront:
    """Front of ``compiled``'s objectives (any mix of linear and non-linear) by NSGA-II/III.

    Stops after ``generations`` (default 100 when neither limit is given) or ``evaluations`` or
    ``time_limit_s``, whichever comes first. ``seeds``: plans (k, zones) to start from (their
    hypervolume is a floor for the result). ``reference``: an exact :class:`ParetoFront` or an
    array of natural-sign objective values, for hypervolume and IGD. ``callback(dict)`` is called
    after every generation with ``generation, evaluations, elapsed_s, hv, archive, best`` (best
    natural value of each objective in the archive; ``hv`` of the archive, recomputed every
    ``hv_every`` generations).
    """
    t0 = time.perf_counter()
    n_obj = len(compiled.objectives)
    if n_obj < 1:
        raise ProblemDefinitionError(_("the genetic search needs at least one objective"))
    if pop_size < 4:
        raise ProblemDefinitionError(_("pop_size must be at least 4, not {n}").format(n=pop_size))
    if generations is None and evaluations is None and time_limit_s is None:
        generations = DEFAULT_GENERATIONS
    if seed is None:
        seed = int(cast(int, np.random.SeedSequence().entropy) % (2**31))   # an int when drawn from the OS
    seed = int(seed)
    names = [o.name for o in compiled.objectives]

    seeds = None if seeds is None or not len(seeds) else np.atleast_2d(np.asarray(seeds, dtype=np.int32))
    enc = Encoding(compiled)
    anchor = _anchor(compiled, enc, seeds)
    enc.anchor = None if anchor is None else np.asarray(anchor, dtype=np.int32)
    if seeds is not None:
        feas = enc.is_feasible(seeds)
        if not feas.all():
            raise ProblemDefinitionError(_("{n} of the {total} seed plans break the constraints").format(
                n=(~feas).sum(), total=len(seeds)))
    rng = np.random.default_rng(seed)
    gen_ops = Generation(enc, zones_per_child=zones_per_child, p_block=p_block)
    survival = Survival(compiled, pop_size)
    algo_name = survival.name
    repair_counts = np.zeros(4, dtype=np.int64)

    # the initial population: sampled, repaired, duplicates dropped, scored
    X = PlanSampling(enc, seeds, weighted=sampling_weighted).sample(pop_size, rng)
    X, status = enc.repair(X)
    repair_counts += np.bincount(status, minlength=4)
    T, H = enc.totals(X)
    _u, first = np.unique(H, return_index=True)
    first = np.sort(first)
    X, T, H = X[first], T[first], H[first]
    F = gen_ops.score(X, T)
    n_eval = len(X)
    pop = survival.select(X, T, H, F, len(X), rng)

    archive = Archive(compiled.n_zones, n_obj, capacity=max(archive_capacity, max_points),
                      dtype=np.int16 if enc.n_options.max() < 2**15 else np.int32)
    seed_F = None
    if seeds is not None:
        seed_F = evaluate(compiled, seeds, totals=False).F
        archive.add(seeds, seed_F)
    ok = gen_ops.feasible(T)
    archive.add(X[ok], F[ok])
    ref_F = _reference_F(reference, compiled)
    norm = pa.bounds(ref_F) if ref_F is not None else (pa.bounds(seed_F) if seed_F is not None else None)

    gen, hv = 0, math.nan
    while True:
        gen += 1                    # generation 1 is the first population (pymoo's count)
        kids = None
        if gen > 1:
            if gen % REFRESH_EVERY == 0:                # sums kept by differences: recompute from scratch
                pop.T, pop.H = enc.totals(pop.X)
            kids = gen_ops.offspring(pop, survival, pop_size, rng)
        if kids is not None:
            repair_counts += np.bincount(kids.status, minlength=4)
            n_eval += len(kids.X)
            ok = gen_ops.feasible(kids.T) & (kids.status < 3)
            archive.add(kids.X[ok], kids.F[ok])
            pop = survival.select(np.vstack([pop.X, kids.X]), np.vstack([pop.T, kids.T]),
                                  np.concatenate([pop.H, kids.H]), np.vstack([pop.F, kids.F]), pop_size, rng)
        if norm is None and len(archive):
            norm = pa.bounds(archive.F)
        elapsed = time.perf_counter() - t0
        stop = ((generations is not None and gen >= generations)
                or (evaluations is not None and n_eval >= evaluations)
                or (time_limit_s is not None and elapsed >= time_limit_s)
                or (gen > 1 and kids is None))
        if callback is not None:
            if len(archive) and norm is not None and n_obj >= 2 and (stop or gen % max(1, hv_every) == 0):
                hv = pa.normalised_hypervolume(archive.F, *norm)
            best = {n: float(compiled.objectives[k].sense * archive.F[:, k].min()) if len(archive) else math.nan
                    for k, n in enumerate(names)}
            callback({"generation": gen, "evaluations": n_eval, "elapsed_s": elapsed, "hv": hv,
                      "archive": len(archive), "best": best, "method": method_name, "seed": seed})
        if stop:
            break

    if not len(archive):
        raise InfeasibleError(_("the genetic search found no feasible plan"))
    # one row per plan: a plan reached twice (a seed and a child built from sums kept by
    # differences) can carry objective values a rounding apart, which the archive keeps apart
    first = _first_of_each_plan(archive.X)
    arch_X, arch_F = archive.X[first], archive.F[first]
    protect = _seed_dominators(arch_F, seed_F) if seed_F is not None else None
    keep = thin(arch_F, max(max_points, 0 if protect is None else len(protect)), protect=protect)
    X = arch_X[keep].astype(np.int64)
    ev = evaluate(compiled, X, totals=False)
    if not ev.feasible.all():          # sums kept by differences agree with evaluate to ~1e-14: never seen
        X, ev = X[ev.feasible], evaluate(compiled, X[ev.feasible], totals=False)
    order = np.lexsort(ev.F.T[::-1])
    X, Fv, values = X[order], ev.F[order], ev.objectives[order]
    info = {"seed": seed, "evaluations": n_eval, "generations": gen,
            "pop_size": pop_size, "algorithm": algo_name, "archive_size": len(archive),
            "repairs": dict(zip(("feasible", "greedy", "anchor", "failed"), repair_counts.tolist())),
            "seeds": 0 if seeds is None else len(seeds)}
    if n_obj >= 2 and norm is not None:
        q = pa.front_quality(Fv, ref_F, ideal=norm[0], nadir=norm[1])
        info.update(hv=q["hv"], normalisation={"ideal": q["ideal"], "nadir": q["nadir"], "ref_point": q["ref_point"],
                                               "from": "reference" if ref_F is not None else
                                               ("seeds" if seed_F is not None else "first archive")})
        if ref_F is not None:
            info.update(hv_reference=q["hv_ref"], hv_ratio=q["hv_ratio"], igd=q["igd"])
        if seed_F is not None:
            info["hv_seed"] = pa.normalised_hypervolume(seed_F, *norm)
    runtime = time.perf_counter() - t0
    info["runtime_s"] = runtime
    return ParetoFront(compiled=compiled, objectives=tuple(names), choices=X, values=values,
                       status=tuple(Status.FEASIBLE for _ in range(len(X))), gaps=np.full(len(X), np.nan),
                       method=method_name, runtime_s=runtime, info=info)


def _reference_F(reference, compiled) -> np.ndarray | None:
    """Minimisation-sense objective values of a reference front (ParetoFront or natural values)."""
    if reference is None:
        return None
    if isinstance(reference, ParetoFront):
        if tuple(reference.objectives) != tuple(o.name for o in compiled.objectives):
            raise ProblemDefinitionError(_("the reference front is over {front}, the problem over {problem}").format(
                front=", ".join(reference.objectives), problem=", ".join(o.name for o in compiled.objectives)))
        vals = reference.values
    else:
        vals = np.atleast_2d(np.asarray(reference, dtype=float))
    return compiled.natural(vals)        # natural ↔ minimisation: the same sign flip


def _first_of_each_plan(X: np.ndarray) -> np.ndarray:
    """Indices of the first row of each distinct plan (row of option choices) in ``X``, in order."""
    seen: set[bytes] = set()
    out = []
    for i, row in enumerate(np.ascontiguousarray(X)):
        key = row.tobytes()
        if key not in seen:
            seen.add(key)
            out.append(i)
    return np.array(out, dtype=np.int64)


def _seed_dominators(F: np.ndarray, seed_F: np.ndarray) -> np.ndarray:
    """For each seed, one archive row weakly dominating it (the archive holds one for each)."""
    out = []
    tol = 1e-12 * np.maximum(1.0, np.abs(seed_F))
    for s, t in zip(seed_F, tol):
        hit = np.flatnonzero(np.all(F <= s + t, axis=1))
        if len(hit):
            out.append(hit[np.argmin(np.abs(F[hit] - s).sum(axis=1))])
    return np.unique(np.array(out, dtype=np.int64))


def _anchor(compiled, enc: Encoding, seeds) -> np.ndarray | None:
    """A feasible plan to repair towards: a seed if any, else the greedy repair of the plan of
    least constraint use, else the fast exact engine's plan for a zero objective."""
    if not len(compiled.b):
        return None
    if seeds is not None:
        return seeds[0]
    w = 1.0 / enc.scale
    start = _zone_argmin(enc.zone_ptr, np.ascontiguousarray(w @ enc.A))[None, :]
    X, status = enc.repair(start)
    if status[0] in (0, 1) and enc.is_feasible(X)[0]:
        return X[0]
    from .core import LinearCore
    from .mckp import solve_mckp
    core, _ = compiled.core(np.zeros(len(compiled.objectives)))
    res = solve_mckp(LinearCore(zone_ptr=core.zone_ptr, c=np.zeros(core.n_rows), A=core.A, b=core.b,
                                row_names=core.row_names), gap_tol=1.0, time_limit_s=30.0)
    if res.choice is None:
        from .exact import explain_infeasible
        raise InfeasibleError(*explain_infeasible(compiled, res.message))
    return np.asarray(res.choice, dtype=np.int64)
