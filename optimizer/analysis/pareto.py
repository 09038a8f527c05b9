"""Pareto utilities (non-dominated filter, hypervolume, IGD, normalisation); defined in
:mod:`optimizer.solve.pareto`, where the solvers use them, and re-exported here for analysis."""

from ..solve.pareto import (
    HV_REF_POINT,
    bounds,
    dominates,
    front_quality,
    hv_contributions_2d,
    hypervolume,
    igd,
    nondominated,
    nondominated_2d,
    normalise,
    normalised_hypervolume,
)

__all__ = ["HV_REF_POINT", "bounds", "dominates", "front_quality", "hv_contributions_2d", "hypervolume", "igd",
           "nondominated", "nondominated_2d", "normalise", "normalised_hypervolume"]
