"""What runs in the solver's child process under the outside deadline of :mod:`optimizer.solve.milp`.

The incumbents HiGHS reports (kept in shared memory), HiGHS and CBC given the time left until the
deadline, reading HiGHS's status and bound, parsing CBC's log for its bound, and the children
themselves, which send back a small dict (the chosen option per zone, never the model).
"""

from __future__ import annotations

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
from collections.abc import Callable

import numpy as np
import pulp

from optimizer.linear import LinearCore
from optimizer.solve.milp.build import _pass_to_highs, build_pulp_model

DEADLINE_GRACE_S = 2.0          # [s] outside deadline = time_limit_s + this + 5 % of time_limit_s
DEADLINE_GRACE_FRACTION = 0.05  # [-] room for reading the solution back and ending the child
MIN_SOLVER_TIME_S = 0.05        # [s] time limit handed to a solver when the budget is spent
INTEGRALITY_TOL = 1e-5          # [-] |x - round(x)| accepted in a solver's 0/1 values


def deadline_grace_s(time_limit_s: float) -> float:
    """Seconds [s] the outside deadline waits beyond ``time_limit_s`` before ending the solver."""
    return DEADLINE_GRACE_S + DEADLINE_GRACE_FRACTION * time_limit_s


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
    elif "infeasible" in result.lower():
        outcome = "infeasible"
    elif result.startswith("Stopped on time") or (not result and time.monotonic() >= deadline - 0.05):
        outcome = "time_limit"          # stopped (or ended by the deadline) before printing a result:
        #                                 PuLP may then read "infeasible", which nothing proved
    elif prob.status == pulp.LpStatusInfeasible:
        outcome = "infeasible"          # proved in presolve, before CBC's result line
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

