"""General MILP path: the linear core solved through PuLP (HiGHS or CBC), or by HiGHS from arrays.

The model is the one of :mod:`optimizer.linear`: one binary ``x`` per flat option row, one
equality row ``Σ x = 1`` per zone (GUB), the coupling rows ``A x <= b``, and ``min c · x``.

Every solve runs in a child process under :func:`run_with_deadline`, ended at
``time_limit_s + grace`` even when the solver overruns its own limit (HiGHS 1.16 was measured
overrunning by minutes on this project's benchmarks, docs/science.md §6.6). The solver itself is given the time left until
``time_limit_s`` at the moment it starts, so model building counts against the limit. The child
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
"""

from __future__ import annotations

import collections
import importlib.metadata
import math
import multiprocessing as mp
import os
import re
import shutil
import signal
import sys
import tempfile
import time
import warnings
from typing import Callable

import numpy as np
import pulp

from optimizer.errors import SolverError
from optimizer.linear import LinearCore
from optimizer.solve.deadline import run_with_deadline
from optimizer.solve.status import SolveResult, Status, relative_gap

SOLVERS = ("highs", "cbc")

DEADLINE_GRACE_S = 2.0          # [s] outside deadline = time_limit_s + this + 5 % of time_limit_s
DEADLINE_GRACE_FRACTION = 0.05  # [-] room for reading the solution back and ending the child
MIN_SOLVER_TIME_S = 0.05        # [s] time limit handed to a solver when the budget is spent
PLAN_TOL_REL = 1e-6             # [-] row violation / max(1, |b|) accepted in a solver's plan
INTEGRALITY_TOL = 1e-5          # [-] |x - round(x)| accepted in a solver's 0/1 values
_GAP_SLACK = 1e-3               # solvers divide the gap by |objective| or |bound|; we by max(1, |obj|)


def deadline_grace_s(time_limit_s: float) -> float:
    """Seconds [s] the outside deadline waits beyond ``time_limit_s`` before ending the solver."""
    return DEADLINE_GRACE_S + DEADLINE_GRACE_FRACTION * time_limit_s


# --------------------------------------------------------------------------------------------
# Building
# --------------------------------------------------------------------------------------------

def _coupling_names(core: LinearCore) -> list[str]:
    names = [core.row_names[i] if i < len(core.row_names) else f"row_{i}"
             for i in range(core.n_coupling)]
    return [n.translate(pulp.LpAffineExpression.trans) for n in names]


def build_pulp_model(core: LinearCore, name: str = "sinkplan"
                     ) -> tuple[pulp.LpProblem, list[pulp.LpVariable]]:
    """The core as a PuLP problem; returns ``(problem, x)`` with ``x[k]`` the variable of flat row k.

    Built from the arrays: expressions are made with ``LpAffineExpression`` from (variable,
    coefficient) pairs and rows with ``LpConstraint(expr, sense, name, rhs)``, which avoids the
    copies ``lpSum`` and ``expr <= rhs`` make (coin-or/pulp#749, #750). Zero coefficients of ``c``
    and ``A`` are skipped. Variable names are zero-padded so that PuLP's name-sorted column order
    is the flat row order. GUB rows are named ``zone_<z>``; coupling rows take ``core.row_names``
    (``row_<i>`` where missing).
    """
    n = core.n_rows
    prob = pulp.LpProblem(name.replace(" ", "_"), pulp.LpMinimize)
    width = len(str(max(n - 1, 0)))
    x = prob.add_variable_matrix(f"x_%0{width}d", range(n), 0, 1, pulp.LpBinary)

    nz = np.flatnonzero(core.c)
    prob.setObjective(pulp.LpAffineExpression(zip([x[k] for k in nz], core.c[nz].tolist())))

    names = [f"zone_{z}" for z in range(core.n_zones)] + _coupling_names(core)
    repeated = sorted(k for k, count in collections.Counter(names).items() if count > 1)
    if repeated:
        raise ValueError(f"row names must be unique; repeated: {repeated}")

    ptr = core.zone_ptr.tolist()
    for z in range(core.n_zones):
        lo, hi = ptr[z], ptr[z + 1]
        expr = pulp.LpAffineExpression(zip(x[lo:hi], [1] * (hi - lo)))
        prob.addConstraint(pulp.LpConstraint(expr, pulp.LpConstraintEQ, names[z], 1))
    for i in range(core.n_coupling):
        cols = np.flatnonzero(core.A[i])
        expr = pulp.LpAffineExpression(zip([x[k] for k in cols], core.A[i, cols].tolist()))
        prob.addConstraint(pulp.LpConstraint(expr, pulp.LpConstraintLE,
                                             names[core.n_zones + i], float(core.b[i])))
    return prob, x


def highs_csr_arrays(core: LinearCore) -> dict[str, np.ndarray]:
    """The core's constraint matrix row-wise (CSR) for HiGHS: GUB rows first, then ``A``'s nonzeros.

    Returns ``start`` (int32, (n_zones + m,)), ``index`` (int32), ``value`` (float64),
    ``row_lower`` and ``row_upper`` (float64, (n_zones + m,); ``-inf`` for the coupling rows).
    """
    n, nzones, m = core.n_rows, core.n_zones, core.n_coupling
    rows, cols = np.nonzero(core.A)                  # row-major: sorted by row, then column
    per_row = np.bincount(rows, minlength=m)
    coupling_start = n + np.concatenate(([0], np.cumsum(per_row)[:-1])) if m else np.empty(0)
    return {
        "start": np.concatenate((core.zone_ptr[:-1], coupling_start)).astype(np.int32),
        "index": np.concatenate((np.arange(n), cols)).astype(np.int32),
        "value": np.concatenate((np.ones(n), core.A[rows, cols])).astype(np.float64),
        "row_lower": np.concatenate((np.ones(nzones), np.full(m, -np.inf))),
        "row_upper": np.concatenate((np.ones(nzones), core.b)).astype(np.float64),
    }


def _pass_to_highs(h, core: LinearCore) -> None:
    import highspy

    a = highs_csr_arrays(core)
    n, n_rows = core.n_rows, core.n_zones + core.n_coupling
    status = h.passModel(
        n, n_rows, len(a["index"]), int(highspy.MatrixFormat.kRowwise),
        int(highspy.ObjSense.kMinimize), 0.0,
        np.ascontiguousarray(core.c, dtype=np.float64), np.zeros(n), np.ones(n),
        a["row_lower"], a["row_upper"], a["start"], a["index"], a["value"],
        np.full(n, int(highspy.HighsVarType.kInteger), dtype=np.int32),
    )
    if status != highspy.HighsStatus.kOk:
        raise RuntimeError(f"HiGHS passModel returned {status}")


# --------------------------------------------------------------------------------------------
# Plans and incumbents
# --------------------------------------------------------------------------------------------

def _choice_from_x(zone_ptr: np.ndarray, zone_of_row: np.ndarray, x: np.ndarray) -> np.ndarray | None:
    """Local option index per zone from a 0/1 vector, or ``None`` unless it is integral (within
    ``INTEGRALITY_TOL``) with exactly one option per zone. CBC stopped without an integer plan
    leaves the LP relaxation's fractional values in its solution file."""
    x = np.asarray(x, dtype=np.float64)
    if x.size and np.max(np.minimum(np.abs(x), np.abs(1.0 - x))) > INTEGRALITY_TOL:
        return None
    sel = np.flatnonzero(x > 0.5)
    n_zones = len(zone_ptr) - 1
    if sel.size != n_zones or not np.array_equal(zone_of_row[sel], np.arange(n_zones)):
        return None
    return (sel - zone_ptr[:-1]).astype(np.int64)


def _max_rel_violation(core: LinearCore, choice: np.ndarray) -> float:
    if core.n_coupling == 0:
        return 0.0
    excess = (core.lhs(choice) - core.b) / np.maximum(1.0, np.abs(core.b))
    return float(max(0.0, excess.max()))


class _IncumbentBox:
    """Shared memory in which a solver child leaves its latest plan and bound.

    Read by the parent after the child has been ended at the deadline. A sequence number,
    odd while writing, tells a complete write from one cut short.
    """

    def __init__(self, n_zones: int):
        self.n_zones = n_zones
        self._meta = mp.RawArray("d", 2)                # [sequence, bound]
        self._choice = mp.RawArray("q", max(n_zones, 1))

    def put(self, choice: np.ndarray, bound: float) -> None:
        self._meta[0] += 1
        np.frombuffer(self._choice, dtype=np.int64)[: self.n_zones] = choice
        self._meta[1] = bound
        self._meta[0] += 1

    def get(self) -> tuple[np.ndarray, float] | None:
        seq = self._meta[0]
        if seq == 0 or seq % 2:
            return None
        return np.frombuffer(self._choice, dtype=np.int64)[: self.n_zones].copy(), self._meta[1]


def _highs_incumbent_callback(core: LinearCore, box: _IncumbentBox,
                              columns: np.ndarray | None) -> Callable:
    """A HiGHS ``kCallbackMipImprovingSolution`` callback storing each new incumbent in ``box``.

    ``columns[k]`` is the HiGHS column of flat row k (``None``: the same).
    """
    zone_ptr, zone_of_row = core.zone_ptr, core.zone_of_row

    def callback(callback_type, message, data_out, data_in, user_data):
        try:
            x = np.asarray(data_out.mip_solution, dtype=np.float64)
            choice = _choice_from_x(zone_ptr, zone_of_row, x if columns is None else x[columns])
            if choice is not None:
                box.put(choice, float(data_out.mip_dual_bound))
        except Exception:  # noqa: BLE001 - a failed copy must never break the solve
            pass

    return callback


# --------------------------------------------------------------------------------------------
# Children: run inside run_with_deadline, return a small dict
# --------------------------------------------------------------------------------------------

def _time_left(deadline: float) -> float:
    return max(MIN_SOLVER_TIME_S, deadline - time.monotonic())


def _fresh_highs_scheduler() -> None:
    """A forked child inherits HiGHS's thread scheduler but not its worker threads; a parent that
    ran HiGHS with several threads would leave the child's MIP unable to start ("Not Set"). In a
    spawned child (a fresh interpreter) there is nothing to reset and this is a cheap no-op."""
    try:
        import highspy
        highspy.Highs.resetGlobalScheduler(True)
    except (ImportError, AttributeError):
        pass


def _silence_stdout() -> None:
    """Send this (child) process's fd 1 to /dev/null: HiGHS prints a banner on construction."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    sys.stdout.flush()
    os.dup2(devnull, 1)
    os.close(devnull)


def _read_highs(h, core: LinearCore, columns: np.ndarray | None) -> dict:
    import highspy

    ms = h.getModelStatus()
    MS = highspy.HighsModelStatus
    info = h.getInfo()
    if ms == MS.kOptimal:
        outcome = "optimal"
    elif ms in (MS.kInfeasible, MS.kUnboundedOrInfeasible):  # binaries: unbounded is impossible
        outcome = "infeasible"
    elif ms == MS.kTimeLimit:
        outcome = "time_limit"
    else:
        outcome = "error"
    choice = None
    if info.primal_solution_status == 2:  # kSolutionStatusFeasible
        x = np.asarray(h.getSolution().col_value, dtype=np.float64)
        choice = _choice_from_x(core.zone_ptr, core.zone_of_row, x if columns is None else x[columns])
    bound = float(info.mip_dual_bound)
    return {
        "outcome": outcome,
        "solver_status": h.modelStatusToString(ms),
        "choice": choice,
        "bound": math.inf if outcome == "infeasible" else bound,
        "bound_source": "HiGHS getInfo().mip_dual_bound" if math.isfinite(bound)
                        else "none: HiGHS reported no dual bound",
        "solver_objective": float(info.objective_function_value),
        "solver_version": f"HiGHS {h.version()}",
        "solver_runtime_s": float(h.getRunTime()),
        "nodes": int(info.mip_node_count),
    }


class _DeadlineHiGHS(pulp.HiGHS):
    """PuLP's HiGHS, given the time left until ``deadline`` when ``run()`` starts (PuLP builds the
    highspy model before that), and reporting incumbents to an :class:`_IncumbentBox`."""

    def __init__(self, deadline: float, core: LinearCore, x: list, box: _IncumbentBox | None,
                 **kwargs):
        super().__init__(**kwargs)
        self._deadline, self._core, self._x, self._box = deadline, core, x, box

    def callSolver(self, lp):
        import highspy

        h = lp.solverModel
        h.setOptionValue("time_limit", _time_left(self._deadline))
        if self._box is not None:
            columns = np.fromiter((v.index for v in self._x), dtype=np.int64, count=len(self._x))
            h.setCallback(_highs_incumbent_callback(self._core, self._box, columns), None)
            h.startCallback(highspy.cb.HighsCallbackType.kCallbackMipImprovingSolution)
        super().callSolver(lp)


class _DeadlineCBC(pulp.PULP_CBC_CMD):
    """PuLP's bundled CBC, given the time left until ``deadline`` when CBC starts: PuLP reads
    ``timeLimit`` after writing the MPS file, so the writing counts against the limit."""

    def __init__(self, deadline: float, **kwargs):
        self._deadline = deadline
        super().__init__(**kwargs)

    @property
    def timeLimit(self):  # noqa: N802 - PuLP's attribute name
        return round(_time_left(self._deadline), 3)

    @timeLimit.setter
    def timeLimit(self, value):  # the deadline decides
        pass


def _end_children_on_sigterm(tmpdir: str) -> None:
    """On SIGTERM (the deadline, or the caller's death on Linux), kill this process's children
    (the CBC binary) before leaving.

    Without it CBC would outlive the child ended by :func:`run_with_deadline`. Linux only (reads
    ``/proc/self/task/*/children``); elsewhere CBC stops at its own time limit.
    """
    def handler(signum, frame):  # pragma: no cover - runs in the child being ended
        try:
            for task in os.listdir("/proc/self/task"):
                with open(f"/proc/self/task/{task}/children") as f:
                    for pid in f.read().split():
                        try:
                            os.kill(int(pid), signal.SIGKILL)
                        except OSError:
                            pass
        except OSError:
            pass
        shutil.rmtree(tmpdir, ignore_errors=True)
        os._exit(128 + signum)

    try:
        signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread: leave the default
        pass


_CBC_RESULT = re.compile(r"^Result - (.+?)\s*$", re.M)
_CBC_VERSION = re.compile(r"^Version:\s*(\S+)", re.M)
_CBC_OBJECTIVE = re.compile(r"^Objective value:\s*(\S+)", re.M)
_CBC_GAP = re.compile(r"Exiting as integer gap of (\S+) less than")
_CBC_BEST_POSSIBLE = re.compile(r"best possible (\S+?)\)")
_CBC_LOWER = re.compile(r"^Lower bound:\s*(\S+)", re.M)
_CBC_WALL = re.compile(r"^Time \(Wallclock seconds\):\s*(\S+)", re.M)
_CBC_NODES = re.compile(r"^Enumerated nodes:\s*(\d+)", re.M)
_CBC_NO_VALUE = 1e49  # CBC prints 1e+50 for "none"


def _half_unit(text: str) -> float:
    """Half a unit of the last printed digit of a number as CBC printed it."""
    mantissa, _, exponent = text.lower().partition("e")
    decimals = len(mantissa.partition(".")[2])
    return 0.5 * 10.0 ** (int(exponent or 0) - decimals)


def parse_cbc_log(log: str) -> dict:
    """Result line, version, objective, a valid lower bound and its source from a CBC log."""
    def last(rx):
        found = rx.findall(log)
        return found[-1] if found else None

    result = last(_CBC_RESULT) or ""
    obj_text = last(_CBC_OBJECTIVE)
    objective = float(obj_text) if obj_text else math.inf
    if abs(objective) >= _CBC_NO_VALUE:
        objective, obj_text = math.inf, None
    bound, source = -math.inf, "none: CBC's log gave no bound"
    gap_text, best_text, lower_text = last(_CBC_GAP), last(_CBC_BEST_POSSIBLE), last(_CBC_LOWER)
    if gap_text and obj_text:
        bound = objective - float(gap_text) - _half_unit(gap_text) - _half_unit(obj_text)
        source = "CBC log: objective - 'integer gap'"
    elif best_text and abs(float(best_text)) < _CBC_NO_VALUE:
        bound, source = float(best_text) - _half_unit(best_text), "CBC log: 'best possible'"
    elif lower_text and abs(float(lower_text)) < _CBC_NO_VALUE:
        bound, source = float(lower_text) - _half_unit(lower_text), "CBC log: 'Lower bound'"
    elif result.startswith("Optimal solution found") and obj_text:
        bound = objective - _half_unit(obj_text)
        source = "CBC log: complete search, bound = objective"
    wall, nodes, version = last(_CBC_WALL), last(_CBC_NODES), last(_CBC_VERSION)
    return {
        "result": result,
        "solver_version": f"CBC {version}" if version else None,
        "solver_objective": objective,
        "bound": bound,
        "bound_source": source,
        "solver_runtime_s": float(wall) if wall else math.nan,
        "nodes": int(nodes) if nodes else -1,
    }


def _pulp_child(core: LinearCore, solver_id: str, deadline: float, gap_rel: float, threads: int,
                msg: bool, box: _IncumbentBox | None) -> dict:  # pragma: no cover - in a child
    if not msg:
        _silence_stdout()
    if solver_id == "highs":
        _fresh_highs_scheduler()
    tmpdir = None  # CBC's MPS, solution and log files; removed even when the deadline ends us
    if solver_id == "cbc":
        tmpdir = tempfile.mkdtemp(prefix="sinkplan-milp-")
        _end_children_on_sigterm(tmpdir)
    try:
        t0 = time.perf_counter()
        prob, x = build_pulp_model(core)
        build_s = time.perf_counter() - t0
        if solver_id == "highs":
            raw = _pulp_highs(prob, x, core, deadline, gap_rel, threads, msg, box)
        else:
            raw = _pulp_cbc(prob, x, core, deadline, gap_rel, threads, msg, tmpdir)
        raw["build_s"] = build_s
        raw["solve_s"] = time.perf_counter() - t0 - build_s
        return raw
    finally:
        if tmpdir is not None:
            shutil.rmtree(tmpdir, ignore_errors=True)


def _pulp_highs(prob, x, core, deadline, gap_rel, threads, msg, box) -> dict:  # pragma: no cover
    solver = _DeadlineHiGHS(deadline, core, x, box, msg=msg, gapRel=gap_rel, threads=threads,
                            timeLimit=_time_left(deadline))
    try:
        prob.solve(solver)
    except KeyError:  # PuLP's status table lacks some HiGHS statuses; we read HiGHS directly
        pass
    columns = np.fromiter((v.index for v in x), dtype=np.int64, count=len(x))
    return _read_highs(prob.solverModel, core, columns)


def _pulp_cbc(prob, x, core, deadline, gap_rel, threads, msg, tmpdir) -> dict:  # pragma: no cover
    log_path = os.path.join(tmpdir, "cbc.log")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # PULP_CBC_CMD: "removed in PuLP 4.0"
        solver = _DeadlineCBC(deadline, msg=False, gapRel=gap_rel, threads=threads,
                              logPath=log_path, timeMode="elapsed")
        solver.tmpDir = tmpdir
        error = None
        try:
            prob.solve(solver)
        except pulp.PulpSolverError as exc:
            error = str(exc)
    log = ""
    if os.path.exists(log_path):
        with open(log_path) as f:
            log = f.read()
    if msg:
        sys.stdout.write(log)
        sys.stdout.flush()
    parsed = parse_cbc_log(log)
    result = parsed.pop("result")
    if error is not None:
        outcome = "error"
    elif result.startswith("Optimal solution found"):
        outcome = "optimal"
    elif "infeasible" in result.lower() or prob.status == pulp.LpStatusInfeasible:
        outcome = "infeasible"
    elif result.startswith("Stopped on time"):
        outcome = "time_limit"
    else:
        outcome = "error"
    choice = None
    if outcome != "infeasible" and prob.sol_status in (pulp.LpSolutionOptimal,
                                                       pulp.LpSolutionIntegerFeasible):
        values = np.array([v.varValue if v.varValue is not None else 0.0 for v in x])
        choice = _choice_from_x(core.zone_ptr, core.zone_of_row, values)
    raw = dict(parsed, outcome=outcome, choice=choice,
               solver_status=result or error or "no result line in log")
    if outcome == "infeasible":
        raw["bound"] = math.inf
    if error is not None:
        raw["message"] = error
    return raw


def _highs_direct_child(core: LinearCore, deadline: float, gap_rel: float, threads: int,
                        msg: bool, box: _IncumbentBox) -> dict:  # pragma: no cover - in a child
    import highspy

    if not msg:
        _silence_stdout()
    _fresh_highs_scheduler()
    t0 = time.perf_counter()
    h = highspy.Highs()
    h.setOptionValue("output_flag", bool(msg))
    h.setOptionValue("mip_rel_gap", float(gap_rel))
    h.setOptionValue("threads", int(threads))
    _pass_to_highs(h, core)
    build_s = time.perf_counter() - t0
    h.setOptionValue("time_limit", _time_left(deadline))
    h.setCallback(_highs_incumbent_callback(core, box, None), None)
    h.startCallback(highspy.cb.HighsCallbackType.kCallbackMipImprovingSolution)
    h.run()
    raw = _read_highs(h, core, None)
    raw["build_s"] = build_s
    raw["solve_s"] = time.perf_counter() - t0 - build_s
    return raw


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
        raise SolverError(f"unknown MILP solver {solver!r}; choose one of "
                          f"{', '.join(map(repr, SOLVERS))} (available here: {here})")
    if not available[key]:
        hint = "install highspy" if key == "highs" else "PuLP's bundled CBC binary is missing"
        raise SolverError(f"MILP solver {solver!r} is not available ({hint}); "
                          f"available here: {here}")
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


def _checked_plan(core: LinearCore, choice: np.ndarray | None, info: dict) -> tuple:
    """``(choice, objective, problem)``: recompute c·x; refuse a plan breaking a row."""
    if choice is None:
        return None, math.inf, None
    violation = _max_rel_violation(core, choice)
    info["max_rel_violation"] = violation
    if violation > PLAN_TOL_REL:
        return None, math.inf, (f"the solver's plan breaks a coupling row by {violation:.3g} "
                                f"(relative), more than {PLAN_TOL_REL:g}")
    return choice, core.value(choice), None


def _result(core: LinearCore, label: str, outcome, box: _IncumbentBox | None,
            time_limit_s: float, gap_rel: float, info: dict) -> SolveResult:
    runtime = outcome.elapsed_s
    info["deadline_hit"] = not outcome.finished
    if not outcome.finished:
        got = box.get() if box is not None else None
        choice, bound = got if got is not None else (None, -math.inf)
        choice, objective, _ = _checked_plan(core, choice, info)
        if choice is None:
            bound = -math.inf
        info["bound_source"] = ("HiGHS callback mip_dual_bound at the last incumbent"
                                if choice is not None else "none: the solver was ended")
        message = (f"stopped by the outside deadline after {runtime:.1f} s (time limit "
                   f"{time_limit_s:g} s + grace {deadline_grace_s(time_limit_s):.1f} s): the "
                   f"solver did not return in time (it overran its own limit); "
                   + ("plan = its last reported incumbent" if choice is not None else "no plan"))
        return SolveResult(Status.TIME_LIMIT, choice, objective,
                           min(bound, objective), runtime, label, message, info)
    if outcome.error is not None:
        info["traceback"] = outcome.error
        last = outcome.error.strip().splitlines()[-1] if outcome.error.strip() else "unknown"
        return SolveResult(Status.ERROR, None, math.inf, -math.inf, runtime, label,
                           f"the solver process failed: {last}", info)

    raw = dict(outcome.value)
    kind, choice, bound = raw.pop("outcome"), raw.pop("choice"), raw.pop("bound")
    message = raw.pop("message", "")
    info.update(raw)
    status_text = raw.get("solver_status", "")
    if kind == "infeasible":
        return SolveResult(Status.INFEASIBLE, None, math.inf, math.inf, runtime, label,
                           f"the solver proved that no plan meets the constraints ({status_text})",
                           info)
    if kind == "error":
        return SolveResult(Status.ERROR, None, math.inf, -math.inf, runtime, label,
                           message or f"solver status: {status_text}", info)
    choice, objective, problem = _checked_plan(core, choice, info)
    if problem is not None:
        return SolveResult(Status.ERROR, None, math.inf, -math.inf, runtime, label, problem, info)
    bound = min(bound, objective) if choice is not None else bound
    if kind == "optimal":
        if choice is None:
            return SolveResult(Status.ERROR, None, math.inf, -math.inf, runtime, label,
                               f"the solver reported {status_text!r} but returned no plan", info)
        gap = relative_gap(objective, bound)
        if math.isfinite(bound) and gap > gap_rel * (1 + _GAP_SLACK) + 1e-12:
            return SolveResult(Status.FEASIBLE, choice, objective, bound, runtime, label,
                               f"the solver reported {status_text!r} but the certified gap "
                               f"is {gap:.3g} > {gap_rel:g}", info)
        return SolveResult(Status.OPTIMAL, choice, objective, bound, runtime, label,
                           f"optimal within gap_rel={gap_rel:g} ({status_text})", info)
    return SolveResult(Status.TIME_LIMIT, choice, objective, bound, runtime, label,
                       f"stopped by the solver's time limit ({status_text}); "
                       + ("plan = best incumbent" if choice is not None else "no plan found"),
                       info)


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
        raise SolverError(f"HiGHS is not available: {exc}; install highspy") from exc
    if core.n_zones == 0:
        return _empty_core_result(core, label)
    info = {"solver_version": f"HiGHS {_version('highspy')}"}
    box = _IncumbentBox(core.n_zones)
    deadline = time.monotonic() + time_limit_s
    return _run(core, label, _highs_direct_child, (core, deadline, gap_rel, threads, msg, box), box,
                time_limit_s, gap_rel, info)
