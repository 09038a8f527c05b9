"""General MILP path: the linear core solved through PuLP (HiGHS or CBC), or by HiGHS from arrays.

The model is the one of :mod:`optimizer.linear`: one binary ``x`` per flat option row, one
equality row ``Σ x = 1`` per zone (GUB), the coupling rows ``A x <= b``, and ``min c · x``.

Every solve runs in a child process under :func:`run_with_deadline`, ended at
``time_limit_s + grace`` even when the solver overruns its own limit (HiGHS 1.16 was measured
overrunning by minutes on this project's benchmarks, docs/science.md §6.6). The solver itself is
given the time left until ``time_limit_s`` at the moment it starts, so model building counts
against the limit. The child
sends back only small arrays (the chosen option per zone), never the model.

Statuses (:class:`Status`): ``OPTIMAL`` only when the solver proved optimality and the certified
gap is within ``gap_rel``; ``TIME_LIMIT`` when the solver's limit or the outside deadline stopped it
(with a plan when one was found); ``INFEASIBLE`` when the solver proved it; ``ERROR`` otherwise.

Where the bound comes from:

* HiGHS (through PuLP or direct): ``Highs.getInfo().mip_dual_bound``. When the outside deadline
  ends HiGHS, the last incumbent and the dual bound it reported through the
  ``kCallbackMipImprovingSolution`` callback are kept in shared memory and returned.
* CBC: PuLP does not expose it, so it is parsed from CBC's log (``logPath``): "Exiting as integer
  gap of G" (bound = objective − G), else "best possible B" / "Lower bound: B", else, after a
  complete search, the objective itself. Printed numbers are rounded; half a unit of the last
  printed digit is subtracted so that the bound stays valid. No bound found → ``-inf``, and
  ``info["bound_source"]`` says so.

The child is forked on Linux and spawned elsewhere (or wherever ``$SINKPLAN_START_METHOD=spawn``;
see :mod:`optimizer.solve.deadline`): everything it is given (the core, the shared-memory
:class:`_IncumbentBox`, module-level child functions) pickles. It never outlives the caller: when
the caller dies it receives SIGTERM (Linux) and, running CBC, kills CBC before leaving
(:func:`_end_children_on_sigterm`). A forked child first resets HiGHS's task scheduler, which it
inherits without its worker threads (:func:`_fresh_highs_scheduler`).

The parts: :mod:`.build` (the PuLP model and HiGHS's CSR arrays from the core), :mod:`.run` (the
children, HiGHS and CBC specifics, the incumbent box, CBC's log), :mod:`.outcome` (the child's
outcome read into a :class:`SolveResult`); this module checks the arguments and runs the child.
"""

from __future__ import annotations

import importlib.metadata
import math
import time
import warnings
from collections.abc import Callable

import numpy as np
import pulp

from optimizer.errors import SolverError
from optimizer.linear import LinearCore
from optimizer.solve.deadline import run_with_deadline
from optimizer.solve.milp.build import build_pulp_model, highs_csr_arrays
from optimizer.solve.milp.outcome import PLAN_TOL_REL, _result
from optimizer.solve.milp.run import (
    DEADLINE_GRACE_FRACTION,
    DEADLINE_GRACE_S,
    INTEGRALITY_TOL,
    MIN_SOLVER_TIME_S,
    _highs_direct_child,
    _IncumbentBox,
    _pulp_child,
    deadline_grace_s,
    parse_cbc_log,
)
from optimizer.solve.status import SolveResult, Status

__all__ = ["SOLVERS", "DEADLINE_GRACE_S", "DEADLINE_GRACE_FRACTION", "MIN_SOLVER_TIME_S", "PLAN_TOL_REL",
           "INTEGRALITY_TOL", "SolveResult", "build_pulp_model", "deadline_grace_s", "highs_csr_arrays",
           "parse_cbc_log", "solve_highs_direct", "solve_milp"]

SOLVERS = ("highs", "cbc")


# --------------------------------------------------------------------------------------------
# Parent side
# --------------------------------------------------------------------------------------------

def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def _available_solvers() -> dict[str, bool]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return {"highs": bool(pulp.HiGHS(msg=False).available()),
                "cbc": bool(pulp.PULP_CBC_CMD(msg=False).available())}


def _check_solver(solver: str) -> str:
    key = str(solver).strip().lower()
    available = _available_solvers()
    here = ", ".join(k for k, ok in available.items() if ok) or "none"
    if key not in SOLVERS:
        from ...i18n import _
        raise SolverError(_("unknown MILP solver {solver}; choose one of {valid} (available here: {here})").format(
            solver=repr(solver), valid=", ".join(map(repr, SOLVERS)), here=here))
    if not available[key]:
        hint = "install highspy" if key == "highs" else "PuLP's bundled CBC binary is missing"
        from ...i18n import _
        raise SolverError(_("MILP solver {solver} is not available ({hint}); available here: {here}").format(
            solver=repr(solver), hint=hint, here=here))
    return key


def _check_limits(core: LinearCore, time_limit_s: float, gap_rel: float) -> None:
    core.check()
    if not (time_limit_s > 0 and math.isfinite(time_limit_s)):
        raise ValueError(f"time_limit_s must be a positive number of seconds, got {time_limit_s}")
    if not (gap_rel >= 0 and math.isfinite(gap_rel)):
        raise ValueError(f"gap_rel must be >= 0, got {gap_rel}")


def _empty_core_result(core: LinearCore, label: str) -> SolveResult:
    if np.all(core.b >= 0):
        return SolveResult(Status.OPTIMAL, np.zeros(0, np.int64), 0.0, 0.0, 0.0, label,
                           "no zones: the empty plan is optimal")
    return SolveResult(Status.INFEASIBLE, None, math.inf, math.inf, 0.0, label,
                       "no zones and a coupling row with b < 0")


def _run(core: LinearCore, label: str, child: Callable, args: tuple, box: _IncumbentBox | None,
         time_limit_s: float, gap_rel: float, info: dict) -> SolveResult:
    info.update(time_limit_s=time_limit_s, gap_rel=gap_rel,
                n_vars=core.n_rows, n_zones=core.n_zones, n_coupling=core.n_coupling)
    outcome = run_with_deadline(child, *args,
                                timeout_s=time_limit_s + deadline_grace_s(time_limit_s))
    return _result(core, label, outcome, box, time_limit_s, gap_rel, info)


def solve_milp(core: LinearCore, *, solver: str = "highs", time_limit_s: float = 60.0,
               gap_rel: float = 1e-4, threads: int = 1, msg: bool = False) -> SolveResult:
    """Solve the core as a MILP through PuLP with HiGHS (``"highs"``) or PuLP's CBC (``"cbc"``).

    ``time_limit_s`` [s] bounds the whole build and solve; the outside deadline ends the solver
    at ``time_limit_s + deadline_grace_s(time_limit_s)``. ``gap_rel`` [-] is the relative gap at
    which the solver may stop and call the plan optimal. ``threads`` is passed to the solver.
    Raises :class:`SolverError` for an unknown or unavailable solver.

    ``info`` carries ``build_s``, ``solve_s`` (PuLP's hand-over plus the solve) [s],
    ``solver_runtime_s`` [s] as the solver reports it, ``solver_status``, ``solver_version``,
    ``pulp_version``, ``bound_source``, ``solver_objective``, ``nodes`` and ``deadline_hit``.
    """
    _check_limits(core, time_limit_s, gap_rel)
    key = _check_solver(solver)
    label = f"pulp+{key}"
    if core.n_zones == 0:
        return _empty_core_result(core, label)
    info = {"pulp_version": pulp.__version__,
            "solver_version": f"HiGHS {_version('highspy')}" if key == "highs" else None}
    box = _IncumbentBox(core.n_zones) if key == "highs" else None
    deadline = time.monotonic() + time_limit_s
    return _run(core, label, _pulp_child, (core, key, deadline, gap_rel, threads, msg, box), box,
                time_limit_s, gap_rel, info)


def solve_highs_direct(core: LinearCore, *, time_limit_s: float, gap_rel: float, threads: int = 1,
                       msg: bool = False) -> SolveResult:
    """Solve the core with HiGHS, building the model straight from CSR arrays (no PuLP).

    The benchmark baseline; same deadline, statuses and ``info`` as :func:`solve_milp`.
    """
    _check_limits(core, time_limit_s, gap_rel)
    label = "highs-direct"
    try:
        import highspy  # noqa: F401
    except ImportError as exc:
        from ...i18n import _
        raise SolverError(_("HiGHS is not available: {error}; install highspy").format(error=exc)) from exc
    if core.n_zones == 0:
        return _empty_core_result(core, label)
    info = {"solver_version": f"HiGHS {_version('highspy')}"}
    box = _IncumbentBox(core.n_zones)
    deadline = time.monotonic() + time_limit_s
    return _run(core, label, _highs_direct_child, (core, deadline, gap_rel, threads, msg, box), box,
                time_limit_s, gap_rel, info)
