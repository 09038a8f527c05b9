"""The one place a plan is scored: objectives, constraint violations and totals.

A plan is a local option index per zone (into :class:`~optimizer.problem.Compiled`'s allowed
rows); a batch of plans is an integer array (population × zones). Everything is array gathers and
sums — no Python loop over zones — so the genetic solver evaluates a whole population at once and
every exact solver reports numbers computed here, to the last digit the same.

Non-linear objectives (genetic and hybrid solvers only), from the compiled problem's
:class:`~optimizer.problem.NonlinearInputs`:

- ``diversity`` [nats]: Shannon index ``H = −Σ_k p_k ln p_k`` of the area shares ``p_k`` of the
  vegetation types ``k`` in the plan (``veg_type`` of each option's vegetation measure; natural
  regeneration is a type). Zones without vegetation (``""``: open water, PV floats, bare works)
  do not count: shares are of the vegetated area, and a plan with nothing vegetated has H = 0.
- ``fragmentation`` [m]: total shared boundary between neighbouring zones whose vegetation types
  differ (``""`` is a type here: a planted zone beside open water is an edge).
- ``sink_year`` [year]: the first year ``t`` (1…T of the settings) from which the site's
  cumulative net removals stay above zero to the end of the horizon; ``T + 1`` when they are
  not positive at the horizon (never a sink within it).
- ``soil_loss_worst5`` [t/yr]: mean of the five largest annual site soil losses over the horizon
  (all years if the horizon is shorter).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from .options import COLUMNS

TOTALS = tuple(c for c in COLUMNS if c != "within_tolerance")


@dataclass(frozen=True)
class Evaluation:
    F: np.ndarray               # (pop, n_obj) minimisation sense, natural units
    objectives: np.ndarray      # (pop, n_obj) natural sign (removals positive)
    G: np.ndarray               # (pop, m) A·x − b; ≤ 0 is feasible
    totals: dict                # column → (pop,) site totals of the option-table columns
    names: tuple[str, ...]      # objective names
    con_names: tuple[str, ...]

    @property
    def feasible(self) -> np.ndarray:
        return np.all(self.G <= 1e-9 * np.maximum(1.0, np.abs(self.G)), axis=1) if self.G.size else \
            np.ones(len(self.F), dtype=bool)

    @property
    def violation(self) -> np.ndarray:
        """Sum of positive constraint violations per plan (natural units, 0 when feasible)."""
        return np.clip(self.G, 0, None).sum(axis=1) if self.G.size else np.zeros(len(self.F))


def local_rows(compiled, X: np.ndarray) -> np.ndarray:
    """Flat indices into the compiled arrays of plans X (pop, zones)."""
    X = np.atleast_2d(np.asarray(X))
    if X.dtype.kind not in "iu":
        X = X.astype(np.int64)
    if X.shape[1] != compiled.n_zones:
        raise ValueError(f"plans have {X.shape[1]} zones, the problem {compiled.n_zones}")
    if np.any(X < 0) or np.any(X >= compiled.n_options[None, :]):
        raise ValueError("an option index is outside its zone's options")
    return compiled.zone_ptr[:-1][None, :] + X


WORST_YEARS = 5           # soil_loss_worst5: number of worst years averaged


def evaluate(compiled, X: np.ndarray, totals: bool = True) -> Evaluation:
    """Score plans ``X`` (zones,) or (pop, zones) of a compiled problem."""
    loc = local_rows(compiled, X)                                   # (pop, zones)
    F = np.stack([f[loc].sum(axis=1) for f in compiled.F], axis=1) if len(compiled.F) else \
        np.zeros((len(loc), 0))
    for k, o in enumerate(compiled.objectives):
        if not o.linear:
            F[:, k] = o.sense * _nonlinear(compiled, loc, o.name)
    G = (np.stack([a[loc].sum(axis=1) for a in compiled.A], axis=1) - compiled.b[None, :]) if len(compiled.A) \
        else np.zeros((len(loc), 0))
    tot = {}
    if totals:
        rows = compiled.rows[loc]
        tot = {c: compiled.table.data[c][rows].sum(axis=1) for c in TOTALS}
    return Evaluation(F=F, objectives=compiled.natural(F), G=G, totals=tot,
                      names=tuple(o.name for o in compiled.objectives), con_names=compiled.con_names)


# ----------------------------------------------------------------------------------------------
# non-linear objectives (definitions in the module docstring)
# ----------------------------------------------------------------------------------------------
def indicator(compiled, X: np.ndarray, name: str) -> np.ndarray:
    """A non-linear objective's natural value for plans ``X`` whether or not the problem
    optimises it (e.g. the fragmentation of exact plans). (pop,) float."""
    return _nonlinear(compiled, local_rows(compiled, X), name)


def _inputs(compiled, name):
    nl = getattr(compiled, "nonlinear", None)
    if nl is None:
        raise ValueError(f"{name}: the compiled problem carries no vegetation data (compile it from an option table)")
    return nl


def _nonlinear(compiled, loc: np.ndarray, name: str) -> np.ndarray:
    nl = _inputs(compiled, name)
    if name == "diversity":
        return shannon_diversity(nl.veg_code[loc], nl.zone_area_ha, nl.counted)
    if name == "fragmentation":
        if nl.adjacency is None:
            from .errors import ProblemDefinitionError
            raise ProblemDefinitionError("fragmentation needs neighbouring zones from polygons "
                                         "(Compiled.with_adjacency); a CSV site has none")
        i, j, length = nl.adjacency
        return fragmentation(nl.veg_code[loc], i, j, length)
    if name in ("sink_year", "soil_loss_worst5"):
        series = nl.net_removals_t if name == "sink_year" else nl.soil_loss_t
        if series is None:
            raise ValueError(f"{name}: the compiled problem has no annual series (compile with this objective)")
        site = plan_series(loc, series)
        return sink_year(site) if name == "sink_year" else worst_years_mean(site, WORST_YEARS)
    raise ValueError(f"unknown non-linear objective {name!r}")


def shannon_diversity(codes: np.ndarray, zone_area_ha: np.ndarray, counted: np.ndarray) -> np.ndarray:
    """Shannon index [nats] of the area shares of the counted vegetation types.

    ``codes`` (pop, zones) type code per zone; ``zone_area_ha`` (zones,); ``counted`` (K,) bool.
    """
    pop, nz = codes.shape
    K = len(counted)
    idx = codes.astype(np.int64) + K * np.arange(pop, dtype=np.int64)[:, None]
    area = np.bincount(idx.ravel(), weights=np.broadcast_to(zone_area_ha, codes.shape).ravel(),
                       minlength=pop * K).reshape(pop, K)
    area[:, ~np.asarray(counted, bool)] = 0.0
    total = area.sum(axis=1, keepdims=True)
    p = np.divide(area, total, out=np.zeros_like(area), where=total > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        h = np.where(p > 0, -p * np.log(p), 0.0)
    return h.sum(axis=1) + 0.0


def fragmentation(codes: np.ndarray, i: np.ndarray, j: np.ndarray, length_m: np.ndarray) -> np.ndarray:
    """Shared boundary [m] between neighbouring zones (``i``, ``j``) of different type codes."""
    if len(i) == 0:
        return np.zeros(len(codes))
    return (codes[:, i] != codes[:, j]).astype(np.float64) @ np.asarray(length_m, dtype=np.float64)


def plan_series(loc: np.ndarray, series: np.ndarray) -> np.ndarray:
    """Site annual series (pop, T) [float64] of plans given as flat rows ``loc`` (pop, zones) of a
    per-row series (n_rows, T): a gather and a sum, accumulated in float64."""
    return _gather_sum_rows(np.ascontiguousarray(loc, dtype=np.int64), np.ascontiguousarray(series))


def sink_year(annual_net: np.ndarray) -> np.ndarray:
    """First year (1-based) from which cumulative net removals stay > 0; T + 1 if not at the end."""
    pop, T = annual_net.shape
    positive = np.cumsum(annual_net, axis=1) > 0
    if T == 0:
        return np.ones(pop)
    nonpos = ~positive
    any_nonpos = nonpos.any(axis=1)
    last = T - 1 - np.argmax(nonpos[:, ::-1], axis=1)          # last year index with cumulative ≤ 0
    return np.where(any_nonpos, last + 2, 1).astype(float)


def worst_years_mean(annual: np.ndarray, k: int = WORST_YEARS) -> np.ndarray:
    """Mean of the ``k`` largest values per plan (all of them if fewer)."""
    T = annual.shape[1]
    if T <= k:
        return annual.mean(axis=1)
    return np.partition(annual, T - k, axis=1)[:, T - k:].mean(axis=1)


@njit(cache=True)
def _gather_sum_rows(loc, series):  # pragma: no cover - compiled
    """out[p, t] = Σ_z series[loc[p, z], t], accumulated in float64 (a gather too large to
    materialise as (pop, zones, T) in numpy)."""
    pop, nz = loc.shape
    T = series.shape[1]
    out = np.zeros((pop, T))
    for p in range(pop):
        for z in range(nz):
            r = loc[p, z]
            for t in range(T):
                out[p, t] += series[r, t]
    return out
