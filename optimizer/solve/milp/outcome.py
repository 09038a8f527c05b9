"""Reading a solver child's outcome (or its absence at the deadline) into a :class:`SolveResult`
in the parent, with the plan checked against the core's rows."""

from __future__ import annotations

import math

import numpy as np

from optimizer.linear import LinearCore
from optimizer.solve.milp.run import _IncumbentBox, deadline_grace_s
from optimizer.solve.status import SolveResult, Status, relative_gap

PLAN_TOL_REL = 1e-6             # [-] row violation / max(1, |b|) accepted in a solver's plan
_GAP_SLACK = 1e-3               # solvers divide the gap by |objective| or |bound|; we by max(1, |obj|)


def _max_rel_violation(core: LinearCore, choice: np.ndarray) -> float:
    if core.n_coupling == 0:
        return 0.0
    excess = (core.lhs(choice) - core.b) / np.maximum(1.0, np.abs(core.b))
    return float(max(0.0, excess.max()))


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

