"""The declared optimisation problem: objectives and constraints, as a value. Nothing is solved here.

    problem = Problem(objectives=("removals", "cost"), budget_cny=5e7, site_soil_loss_cap_t_per_yr=800)
    compiled = problem.compile(table)      # checks the pieces fit; drops forbidden/intolerable options

Inside the solvers every objective is minimised and every constraint is ``A x <= b`` (pymoo's one
internal sense); the flip from "maximise removals" happens in one place, :data:`OBJECTIVES` and
:meth:`Compiled.natural`.

- :mod:`.objectives`: objectives, area shares, targets, constraint texts;
- :mod:`.declare`: :class:`Problem` and the steps of ``compile`` (allowed rows, coupling rows);
- :mod:`.compiled`: :class:`Compiled` (the solvers' arrays), non-linear inputs, infeasibility explained.
"""

from .compiled import ANNUAL_CHUNK_ROWS, Compiled, NonlinearInputs, nonlinear_inputs
from .declare import Allowed, Problem, Row, allowed_rows, coupling_rows, rows_by_zone
from .objectives import (
    NONLINEAR,
    OBJECTIVES,
    RESOURCE_CONSTRAINTS,
    SERIES_OBJECTIVES,
    SHARE_KINDS,
    Objective,
    Share,
    Target,
    parse_constraints,
)

__all__ = ["Problem", "Compiled", "NonlinearInputs", "nonlinear_inputs", "Objective", "OBJECTIVES", "NONLINEAR",
           "SERIES_OBJECTIVES", "SHARE_KINDS", "RESOURCE_CONSTRAINTS", "Share", "Target", "parse_constraints",
           "Allowed", "Row", "allowed_rows", "coupling_rows", "rows_by_zone", "ANNUAL_CHUNK_ROWS"]
