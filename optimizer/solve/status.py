"""Typed solver outcomes (after linopy's ``constants.py``).

A time-limited run is never reported as optimal: ``Status.TIME_LIMIT`` with a plan is
"feasible, not proven", and its gap travels with it.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field

import numpy as np


class Status(str, enum.Enum):
    OPTIMAL = "optimal"            # proven within the requested gap tolerance
    FEASIBLE = "feasible"          # a plan with a certified gap larger than requested
    TIME_LIMIT = "time_limit"      # stopped by the wall clock; plan (if any) with its gap
    INFEASIBLE = "infeasible"      # proven: no plan meets the constraints
    ERROR = "error"                # the solver failed

    @property
    def has_plan(self) -> bool:
        return self in (Status.OPTIMAL, Status.FEASIBLE, Status.TIME_LIMIT)


class Termination(str, enum.Enum):
    """Why a search stopped — apart from what its result is worth (:class:`Status`)."""

    GAP_REACHED = "gap_reached"          # the certified gap reached its target (an exact solve)
    SEARCH_EXHAUSTED = "search_exhausted"  # an exact solve ran out of moves with a larger gap
    TIME_LIMIT = "time_limit"            # the wall clock
    GENERATIONS = "generations"          # the genetic search's generation budget
    EVALUATIONS = "evaluations"          # the genetic search's evaluation budget
    CONVERGED = "converged"              # the genetic algorithm had nothing more to do
    INFEASIBLE = "infeasible"            # proven: no plan meets the constraints
    ERROR = "error"                      # the solver failed

    @classmethod
    def of_status(cls, status: Status) -> Termination:
        """The termination an exact solve's status implies."""
        return {Status.OPTIMAL: cls.GAP_REACHED, Status.FEASIBLE: cls.SEARCH_EXHAUSTED,
                Status.TIME_LIMIT: cls.TIME_LIMIT, Status.INFEASIBLE: cls.INFEASIBLE,
                Status.ERROR: cls.ERROR}[status]


def relative_gap(incumbent: float, bound: float) -> float:
    """Relative gap |incumbent − bound| / max(1, |incumbent|), both in the minimisation sense.

    ``bound`` is a proven lower bound on the minimum; ``incumbent`` the value of a feasible plan.
    Returns ``inf`` when either is missing.
    """
    if incumbent is None or bound is None or not (math.isfinite(incumbent) and math.isfinite(bound)):
        return math.inf
    return max(0.0, incumbent - bound) / max(1.0, abs(incumbent))


@dataclass(frozen=True)
class SolveResult:
    """What every exact solver returns, in the internal (minimisation) sense.

    ``choice[z]`` is the local option index (0-based within zone ``z``) of the plan, or ``None``
    when there is no plan. ``objective`` is c·x of that plan and ``bound`` a proven lower bound on
    the optimum (``-inf`` when none is known).
    """

    status: Status
    choice: np.ndarray | None
    objective: float
    bound: float
    runtime_s: float
    solver: str
    message: str = ""
    info: dict = field(default_factory=dict)

    @property
    def gap(self) -> float:
        if self.choice is None:
            return math.inf
        return relative_gap(self.objective, self.bound)
