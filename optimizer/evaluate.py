"""The one place a plan's numbers are computed: objectives, constraint rows, feasibility, site
totals, credits by standard, the no-works baseline and annual trajectories.

A plan is a local option index per zone (into :class:`~optimizer.problem.Compiled`'s allowed
rows); a batch of plans is an integer array (population × zones). Everything is array gathers and
sums — no Python loop over zones — so the genetic solver evaluates a whole population at once and
every exact solver reports numbers computed here, to the last digit the same. Results
(:class:`~optimizer.solve.result.Plan`), writers (``optimizer.io.plans``) and the report only
carry, write and format what these functions return.

Feasible has one definition (:func:`rows_hold`): a constraint row ``A x <= b`` (docs/science.md
§6.2–6.3; ">=" rows are stored negated) holds when ``A x <= b + FEAS_RTOL·max(1, |b|)``, in the
units the row is stated in — natural units here, the scaled units of
:class:`~optimizer.linear.LinearCore` for the exact solvers.

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

import weakref
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .jit import kernel
from .options import COLUMNS
from .options.land import is_cropland

TOTALS = tuple(c for c in COLUMNS if c != "within_tolerance")

#: Relative slack of every constraint row: ``A x <= b + FEAS_RTOL·max(1, |b|)`` is feasible. Sums
#: of ~10³ float64 terms carry rounding of ~1e-13 relative; 1e-9 is far above that and far below
#: any difference a planner would notice (1 CNY in a budget of 10⁹ CNY).
FEAS_RTOL = 1e-9


def feasibility_tolerance(b, rtol: float = FEAS_RTOL) -> np.ndarray:
    """Slack allowed on rows ``A x <= b``: ``rtol·max(1, |b|)``, in the rows' own units."""
    return rtol * np.maximum(1.0, np.abs(np.asarray(b, dtype=float)))


def rows_hold(lhs, b, rtol: float = FEAS_RTOL) -> np.ndarray:
    """THE definition of feasible: every row of ``lhs`` (…, m) meets ``b`` (m,) within
    :func:`feasibility_tolerance`. Returns bool of shape ``lhs.shape[:-1]`` (True when m = 0)."""
    return np.all(np.asarray(lhs) <= np.asarray(b) + feasibility_tolerance(b, rtol), axis=-1)


@dataclass(frozen=True)
class Evaluation:
    F: np.ndarray               # (pop, n_obj) minimisation sense, natural units
    objectives: np.ndarray      # (pop, n_obj) natural sign (removals positive)
    G: np.ndarray               # (pop, m) A·x − b; ≤ 0 is feasible (within rows_hold's slack)
    totals: dict                # column → (pop,) site totals of the option-table columns
    names: tuple[str, ...]      # objective names
    con_names: tuple[str, ...]
    lhs: np.ndarray | None = None    # (pop, m) A·x, natural units (">=" rows negated, as stored)
    b: np.ndarray | None = None      # (m,) right-hand sides, natural units
    #: standard → (pop,) credits [t CO2e] of the zones whose option is eligible under it (a zone
    #: eligible under two standards counts in both; its credits are issued once)
    credits_by_standard: dict = field(default_factory=dict)
    #: name → (pop,): :func:`accounting_totals` (net-of-baseline removals, restored farmland)
    accounting: dict = field(default_factory=dict)

    @property
    def feasible(self) -> np.ndarray:
        """(pop,) bool: every constraint row holds (:func:`rows_hold`)."""
        if self.lhs is None:
            return np.ones(len(self.F), dtype=bool)
        return rows_hold(self.lhs, self.b)

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
    """Score plans ``X`` (zones,) or (pop, zones) of a compiled problem: objectives, constraint
    rows and, with ``totals``, site totals and credits by standard."""
    loc = local_rows(compiled, X)                                   # (pop, zones)
    F = np.stack([f[loc].sum(axis=1) for f in compiled.F], axis=1) if len(compiled.F) else \
        np.zeros((len(loc), 0))
    for k, o in enumerate(compiled.objectives):
        if not o.linear:
            F[:, k] = o.sense * _nonlinear(compiled, loc, o.name)
    lhs = np.stack([a[loc].sum(axis=1) for a in compiled.A], axis=1) if len(compiled.A) \
        else np.zeros((len(loc), 0))
    b = np.asarray(compiled.b, dtype=float)
    G = lhs - b[None, :] if len(compiled.A) else lhs
    tot, by_std, acc = {}, {}, {}
    if totals:
        rows = compiled.rows[loc]
        tot = column_totals(compiled.table, rows)
        by_std = credits_by_standard(compiled.table, rows)
        acc = accounting_totals(compiled.table, rows)
    return Evaluation(F=F, objectives=compiled.natural(F), G=G, totals=tot,
                      names=tuple(o.name for o in compiled.objectives), con_names=compiled.con_names,
                      lhs=lhs, b=b, credits_by_standard=by_std, accounting=acc)


# ----------------------------------------------------------------------------------------------
# site totals of option-table rows: plans and the no-works baseline
# ----------------------------------------------------------------------------------------------
def column_totals(table, rows: np.ndarray) -> dict:
    """Site totals of the option-table columns (:data:`TOTALS`) for plans given as option-table
    ``rows`` (pop, zones): column → (pop,), each in the column's unit."""
    rows = np.atleast_2d(rows)
    return {c: table.data[c][rows].sum(axis=1) for c in TOTALS}


def credits_by_standard(table, rows: np.ndarray) -> dict:
    """Credits [t CO2e] of the zones eligible under each assessed standard, for plans given as
    option-table ``rows`` (pop, zones): standard → (pop,). A zone eligible under two standards
    counts under both, so these do not add up to the plan's total credits (issued once)."""
    rows = np.atleast_2d(rows)
    credits = table.data["credits_tco2e"][rows]
    return {s: np.where(ok[rows], credits, 0.0).sum(axis=1) for s, ok in table.eligible.items()}


def accounting_totals(table, rows: np.ndarray) -> dict:
    """Accounting numbers of plans given as option-table ``rows`` (pop, zones), name → (pop,)
    (docs/science.md §5.5–5.6):

    - ``removals_net_of_baseline_tco2e``: the plan's net removals (``removals_tco2e``, the physical
      project removals the objective maximises) less those of the no-works baseline in every zone;
    - ``restored_farmland_ha``: area of the zones whose option reclaims cropland, which counts
      toward the province's cultivated-land (supplementary farmland) quota.
    """
    rows = np.atleast_2d(rows)
    removals = table.data["removals_tco2e"]
    return {"removals_net_of_baseline_tco2e": removals[rows].sum(axis=1) - removals[table.baseline_rows()].sum(),
            "restored_farmland_ha": farmland_ha(table)[rows].sum(axis=1)}


def farmland_ha(table) -> np.ndarray:
    """Hectares each option-table row reclaims to cropland (its zone's area, or 0): what counts
    toward a farmland quota (docs/science.md §5.6)."""
    return np.where(is_cropland(table.combos.params.veg_type[table.combo]), table.data["area_ha"], 0.0)


def baseline_totals(table) -> dict:
    """Site totals of "no works" — natural regeneration, or no works where nothing grows — in
    every zone (:meth:`OptionTable.baseline_rows <optimizer.options.OptionTable.baseline_rows>`):
    column → float, the before/after reference of every plan of the table."""
    return {c: float(v[0]) for c, v in column_totals(table, table.baseline_rows()).items()}


def baseline_credits_by_standard(table) -> dict:
    """:func:`credits_by_standard` of the no-works baseline: standard → float [t CO2e]."""
    return {s: float(v[0]) for s, v in credits_by_standard(table, table.baseline_rows()).items()}


# ----------------------------------------------------------------------------------------------
# annual series: the model chain runs once per (table, row set)
# ----------------------------------------------------------------------------------------------
#: Memory kept per option table for annual series [bytes]: a plan's and the baseline's series
#: (zones × years × 11 series × 8 B: 0.5 MB for 132 zones over 40 years) fit many times over; a
#: request larger than this (whole tables, chunk by chunk) is computed and returned, not kept.
ANNUAL_CACHE_BYTES = 64 * 2**20
_annual_cache: weakref.WeakKeyDictionary[object, OrderedDict] = weakref.WeakKeyDictionary()


def annual_series(table, rows: np.ndarray) -> dict:
    """``table.annual(rows)`` — per-row annual series (len(rows), T), see :meth:`OptionTable.annual
    <optimizer.options.OptionTable.annual>` — computed once per option table and row set and kept
    (read-only, least recently used dropped first) while the table lives.

    The model chain then runs once per row set: the baseline's trajectories written beside every
    point of a front, or a plan's trajectories asked for twice, re-use the first run."""
    rows = np.ascontiguousarray(rows, dtype=np.int64)
    try:
        kept = _annual_cache.setdefault(table, OrderedDict())
    except TypeError:                     # a table that cannot be weakly referenced: nothing kept
        return table.annual(rows)
    key = rows.tobytes()
    if key in kept:
        kept.move_to_end(key)
        return kept[key]
    series = table.annual(rows)
    size = sum(v.nbytes for v in series.values())
    if size > ANNUAL_CACHE_BYTES:
        return series
    for v in series.values():
        v.setflags(write=False)
    kept[key] = series
    while sum(sum(v.nbytes for v in e.values()) for e in kept.values()) > ANNUAL_CACHE_BYTES:
        kept.popitem(last=False)
    return series


def site_trajectories(table, rows: np.ndarray) -> pd.DataFrame:
    """Site annual series of a plan given as option-table ``rows`` (one per zone): ``year``,
    ``calendar_year``, every series of :meth:`OptionTable.annual
    <optimizer.options.OptionTable.annual>` summed over zones [t CO2e/yr, t/yr], and
    ``cumulative_net_removals_tco2e``."""
    series = annual_series(table, rows)
    years = table.settings.years
    df = pd.DataFrame({"year": years, "calendar_year": table.settings.start_year + years})
    for k, v in series.items():
        df[k] = v.sum(axis=0)
    df["cumulative_net_removals_tco2e"] = df["net_removals_tco2e"].cumsum()
    return df


def plan_trajectories(table, rows: np.ndarray) -> pd.DataFrame:
    """A plan's :func:`site_trajectories` beside the no-works baseline's (columns suffixed
    ``_baseline``): the table written as ``*_trajectories.csv``."""
    plan = site_trajectories(table, rows)
    base = site_trajectories(table, table.baseline_rows())
    return plan.merge(base, on=["year", "calendar_year"], suffixes=("", "_baseline"))


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
            from .i18n import _
            raise ProblemDefinitionError(_("fragmentation needs neighbouring zones from polygons "
                                           "(Compiled.with_adjacency); a CSV site has none"))
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
    pop = codes.shape[0]
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


@kernel("(int64[:, ::1], float32[:, ::1])")
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
