"""Synthetic SinkPlan instances for benchmarks and tests (the generator of docs/science.md §6.9).

Every zone has the same ``n_options`` options, stored flat zone after zone (``zone_ptr``):

- zone area ``U(0.5, 5)`` ha and fertility ``U(0.5, 1.5)`` (a carbon multiplier);
- a catalog of option carbon rates, sorted ``U(0, 10)`` t C/ha; option 0 is "do nothing"
  (rate 0, cost 0, the most erosion);
- option cost per hectare ``rate · U(0.8, 1.2) + U(0, 2)`` (kCNY/ha), so cost is correlated with
  carbon: the hard case for knapsack methods. ``correlated=False`` draws the cost from an
  independent rate instead;
- ±20 % noise per cell (zone × option) on carbon, cost and erosion;
- budget: 30 % of the sum over zones of each zone's dearest option;
- site soil loss: zone soil loss without cover ``U(2, 40)`` t/ha/yr [placeholder], times a cover
  factor per option ``U(0.25, 0.65)`` [placeholder] (1 for option 0); cap 60 % of the sum of each
  zone's worst (option-0) soil loss.

The carbon/cost/budget/cap rules are those the solvers were designed and measured on
(docs/science.md §6.4–§6.9); the soil-loss magnitudes are placeholders chosen so that the site cap
binds together with the budget. The catalog
(rates, cost and cover factors) is one per instance, zones differ by area, fertility and noise.
"""

from __future__ import annotations

import numpy as np

from optimizer.solve.core import LinearCore

ROWS = ("budget", "erosion")


def make_instance(n_zones: int, n_options: int, seed: int, correlated: bool = True) -> dict:
    """Flat arrays of one synthetic site: carbon [t C], cost [kCNY], soil loss [t/yr], limits.

    Returns a dict with ``zone_ptr`` (int64, n_zones + 1), ``carbon_t``, ``cost``,
    ``erosion_t`` (float64, n_zones · n_options), ``area_ha`` (n_zones,), ``budget`` [kCNY] and
    ``erosion_cap`` [t/yr]. Reproducible from ``seed``.
    """
    if n_zones < 1 or n_options < 1:
        raise ValueError("need at least one zone and one option")
    rng = np.random.default_rng(seed)
    nz, no = int(n_zones), int(n_options)

    area_ha = rng.uniform(0.5, 5.0, nz)
    fertility = rng.uniform(0.5, 1.5, nz)

    rate_t_per_ha = np.zeros(no)
    rate_t_per_ha[1:] = np.sort(rng.uniform(0.0, 10.0, no - 1))
    cost_driver = rate_t_per_ha if correlated else np.r_[0.0, rng.uniform(0.0, 10.0, no - 1)]
    cost_per_ha = cost_driver * rng.uniform(0.8, 1.2, no) + rng.uniform(0.0, 2.0, no)
    cost_per_ha[0] = 0.0
    cover_factor = np.ones(no)
    cover_factor[1:] = rng.uniform(0.25, 0.65, no - 1)           # [placeholder] RUSLE C-factor ratio
    bare_soil_loss_t_per_ha_yr = rng.uniform(2.0, 40.0, nz)      # [placeholder]

    def noise() -> np.ndarray:
        return rng.uniform(0.8, 1.2, (nz, no))

    carbon_t = (area_ha * fertility)[:, None] * rate_t_per_ha[None, :] * noise()
    cost = area_ha[:, None] * cost_per_ha[None, :] * noise()
    erosion_t = (area_ha * bare_soil_loss_t_per_ha_yr)[:, None] * cover_factor[None, :] * noise()

    return {
        "zone_ptr": np.arange(nz + 1, dtype=np.int64) * no,
        "carbon_t": carbon_t.ravel(),
        "cost": cost.ravel(),
        "erosion_t": erosion_t.ravel(),
        "area_ha": area_ha,
        "budget": 0.3 * float(cost.max(axis=1).sum()),
        "erosion_cap": 0.6 * float(erosion_t.max(axis=1).sum()),
    }


def to_core(inst: dict, rows: tuple[str, ...] = ROWS) -> LinearCore:
    """The instance as a :class:`LinearCore` minimising −carbon, with the named coupling rows.

    ``rows`` is any sub-sequence of ``("budget", "erosion")`` (``()`` for no coupling row).
    """
    table = {"budget": (inst["cost"], inst["budget"]), "erosion": (inst["erosion_t"], inst["erosion_cap"])}
    unknown = [r for r in rows if r not in table]
    if unknown:
        raise ValueError(f"unknown rows {unknown}; choose from {sorted(table)}")
    n = len(inst["carbon_t"])
    A = np.array([table[r][0] for r in rows], dtype=np.float64).reshape(len(rows), n)
    b = np.array([table[r][1] for r in rows], dtype=np.float64)
    return LinearCore(zone_ptr=np.asarray(inst["zone_ptr"], dtype=np.int64),
                      c=-np.asarray(inst["carbon_t"], dtype=np.float64), A=A, b=b,
                      row_names=tuple(rows))


def to_compiled(inst: dict, objectives: tuple[str, ...] = ("removals", "cost"), rows: tuple[str, ...] = ("erosion",)):
    """A :class:`optimizer.problem.Compiled` over an instance (no option table), so the front
    builders of :mod:`optimizer.solve.exact` can be timed on this generator (docs/science.md §6.9).

    Objective columns: removals = carbon [t C], cost = cost [kCNY], soil_loss = erosion [t/yr].
    """
    from optimizer.problem import OBJECTIVES, Compiled, Problem

    col = {"removals": inst["carbon_t"], "cost": inst["cost"], "soil_loss": inst["erosion_t"]}
    objs = tuple(OBJECTIVES[o] for o in objectives)
    F = np.vstack([o.sense * np.asarray(col[o.name], dtype=float) for o in objs])
    core = to_core(inst, rows)
    n = len(inst["carbon_t"])
    return Compiled(problem=Problem(objectives=objectives), table=None, rows=np.arange(n),
                    zone_ptr=np.asarray(inst["zone_ptr"], dtype=np.int64), F=F, A=core.A, b=core.b,
                    objectives=objs, con_names=tuple(rows), con_units=tuple("" for _ in rows))
