"""Sites joined into one problem under a shared budget, and the numbers read off its optimum.

Each site brings its own compiled problem (its options, its own rows: topsoil and gangue stocks,
shares, targets) and the budget column of its options. The joined problem is one multiple-choice
knapsack over every zone of every site:

    maximise   Σ_s w_s · value_s · x_s
    subject to Σ_s spend_s · x_s <= B                     (the shared budget row)
               A_s x_s <= b_s   for every site s          (each site's own rows, block by block)

solved by the certified exact engine like any compiled problem (:func:`optimizer.solve.exact.solve`).

Marginal values at the optimum (docs/science.md §6.10):

- the **budget's dual price** is the Lagrangian multiplier λ of the shared row that the engine
  reports (``Plan.info["multipliers"][0]``, mapped back from the engine's scaling): with the budget
  as the only coupling row it is the exact LP dual (the efficiency of the break increment of the
  greedy on hull increments); with site rows too, the bundle ascent's multiplier — an LP dual up to
  the ascent's convergence;
- a **site's marginal value** is the slope of that site's own supported (convex-hull) trade-off of
  value against spend at the spend the optimum gives it: the value one more ¥ buys there (right
  slope) and the value one ¥ less loses (left slope). The site's own rows are not in that hull.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import ProblemDefinitionError
from ..i18n import _
from ..problem import OBJECTIVES, Compiled, Problem


@dataclass(frozen=True, eq=False)
class SitePart:
    """One site of a portfolio: its compiled problem (objective 0 is the portfolio's), the budget
    column of its compiled rows [CNY] and its weight."""

    name: str
    compiled: Compiled
    spend_cny: np.ndarray
    weight: float = 1.0

    @property
    def value(self) -> np.ndarray:
        """The objective per compiled row, natural sign (more is better) and unweighted."""
        return self.compiled.natural(self.compiled.F[:1])[0]


@dataclass(frozen=True, eq=False)
class Joined:
    """The joined problem (a :class:`Compiled` without an option table) and where each site sits."""

    compiled: Compiled
    parts: tuple[SitePart, ...]
    zone_offset: np.ndarray       # (n_sites + 1,) first zone of each site in the joined problem
    n_shared: int = 1             # rows 0…n_shared−1 are shared (the budget first), then the sites' own
    dropped: tuple = ()           # per site, the own row names a shared row replaced

    def own_compiled(self, k: int) -> Compiled:
        """Site ``k``'s compiled problem without the own rows a shared row replaced (its plan is
        judged against what it still answers for alone)."""
        from dataclasses import replace

        c = self.parts[k].compiled
        gone = self.dropped[k] if self.dropped else ()
        if not gone:
            return c
        keep = [i for i, n in enumerate(c.con_names) if n not in gone]
        return replace(c, A=c.A[keep], b=c.b[keep], con_names=tuple(c.con_names[i] for i in keep),
                       con_units=tuple(c.con_units[i] for i in keep),
                       con_senses=tuple(c.con_senses[i] for i in keep) if c.con_senses else ())

    def split(self, choice: np.ndarray) -> list[np.ndarray]:
        """A joined plan (local option per zone) as one plan per site."""
        choice = np.asarray(choice, dtype=np.int64)
        return [choice[self.zone_offset[k]:self.zone_offset[k + 1]] for k in range(len(self.parts))]

    def with_budget(self, budget_cny: float) -> Joined:
        """The same sites under another shared budget (only the right-hand side changes)."""
        from dataclasses import replace

        b = self.compiled.b.copy()
        b[0] = float(budget_cny)
        problem = self.compiled.problem.with_(budget_cny=float(budget_cny))
        return replace(self, compiled=replace(self.compiled, b=b, problem=problem))

    @property
    def budget_cny(self) -> float:
        return float(self.compiled.b[0])

    def spend_range(self) -> tuple[float, float]:
        """(least, most) spend any plan can have, each zone on its own [CNY]."""
        a, starts = self.compiled.A[0], self.compiled.zone_ptr[:-1]
        return float(np.minimum.reduceat(a, starts).sum()), float(np.maximum.reduceat(a, starts).sum())


def join_sites(parts: list[SitePart] | tuple[SitePart, ...], budget_cny: float, *,
               objective: str = "removals", budget_on: str = "capex", shared=(), drop=None) -> Joined:
    """One problem over every site's zones: the shared budget row first, then the other shared
    rows (``shared``: :class:`~optimizer.portfolio.shared.SharedRow`, regional stocks and minimum
    shares), then each site's own rows but those ``drop`` names for it (site name → row names: the
    own stock rows a regional stock replaces)."""
    drop = drop or {}
    if not parts:
        raise ProblemDefinitionError(_("a portfolio needs at least one site"))
    if not (math.isfinite(budget_cny) and budget_cny >= 0):
        raise ProblemDefinitionError(_("the shared budget must be a finite number ≥ 0 CNY, not {value}").format(
            value=budget_cny))
    o = OBJECTIVES[objective]
    sizes = np.array([len(p.spend_cny) for p in parts])
    n = int(sizes.sum())
    col0 = np.concatenate([[0], np.cumsum(sizes)])
    zones = np.array([p.compiled.n_zones for p in parts])
    zone_offset = np.concatenate([[0], np.cumsum(zones)]).astype(np.int64)
    zone_ptr = np.concatenate([[0]] + [p.compiled.zone_ptr[1:] + col0[k] for k, p in enumerate(parts)])
    F = np.concatenate([o.sense * p.weight * p.value for p in parts])[None, :]
    keep = [[i for i in range(len(p.compiled.b)) if p.compiled.con_names[i] not in drop.get(p.name, ())]
            for p in parts]
    m = 1 + len(shared) + sum(len(k) for k in keep)
    A = np.zeros((m, n))
    A[0] = np.concatenate([np.asarray(p.spend_cny, dtype=float) for p in parts])
    b = [float(budget_cny)]
    names, units, senses = [f"shared budget ({budget_on})"], ["CNY"], ["<="]
    r = 1
    for row in shared:
        if len(row.coefficients) != len(parts):
            raise ProblemDefinitionError(f"shared row {row.name!r} has {len(row.coefficients)} sites' coefficients "
                                         f"for {len(parts)} sites")
        for k, coef in enumerate(row.coefficients):
            if coef is not None:
                A[r, col0[k]:col0[k + 1]] = coef
        if not np.all(np.isfinite(A[r])) or not math.isfinite(row.rhs):
            raise ProblemDefinitionError(f"shared row {row.name!r} has a coefficient or bound that is not finite")
        b.append(float(row.rhs))
        names.append(row.name)
        units.append(row.unit)
        senses.append(row.sense)
        r += 1
    for k, p in enumerate(parts):
        c = p.compiled
        for i in keep[k]:
            A[r, col0[k]:col0[k + 1]] = c.A[i]
            b.append(float(c.b[i]))
            names.append(f"{p.name}: {c.con_names[i]}")
            units.append(c.con_units[i])
            senses.append(c.con_senses[i] if c.con_senses else "<=")
            r += 1
    problem = Problem(objectives=(objective,), budget_cny=float(budget_cny), budget_on=budget_on)
    # a joined problem has no one option table: the sites keep theirs (SitePart.compiled)
    joined = Compiled(problem=problem, table=None,  # type: ignore[arg-type]
                      rows=np.arange(n), zone_ptr=zone_ptr.astype(np.int64), F=F,
                      A=A, b=np.array(b), objectives=(o,), con_names=tuple(names), con_units=tuple(units),
                      locked_zone=np.zeros(int(zone_offset[-1]), dtype=bool),
                      con_senses=tuple(senses))
    return Joined(compiled=joined, parts=tuple(parts), zone_offset=zone_offset, n_shared=1 + len(shared),
                  dropped=tuple(tuple(sorted(drop.get(p.name, ()))) for p in parts))


def budget_dual_price(joined: Joined, info: dict) -> float | None:
    """The shared budget's dual price at the optimum [weighted objective unit per ¥]: the engine's
    Lagrangian multiplier of row 0 in natural units; None when the engine reported none (the
    MILP fallback)."""
    lam = info.get("multipliers") or []
    if not lam:
        return None
    _, scale = joined.compiled.core(0)
    return float(lam[0]) * scale["c_scale"] / float(scale["row_scale"][0])


def shared_row_duals(joined: Joined, info: dict) -> list[float | None]:
    """The dual price of every shared row at the optimum [objective unit per row unit]: the engine's
    Lagrangian multipliers in natural units (None for each when the engine reported none)."""
    lam = info.get("multipliers") or []
    if not lam:
        return [None] * joined.n_shared
    _, scale = joined.compiled.core(0)
    return [float(lam[i]) * scale["c_scale"] / float(scale["row_scale"][i]) for i in range(joined.n_shared)]


def site_marginals(part: SitePart, choice: np.ndarray) -> tuple[float, float]:
    """(gain, loss) per ¥ at the site's spend in plan ``choice``: the slopes of the site's own
    supported front of value against spend just above and just below that spend [unit per ¥].
    Loss is nan at the site's cheapest hull vertex, gain 0 at its most valuable."""
    from ..solve.mckp import supported_front

    c = part.compiled
    hull = supported_front(part.spend_cny, part.value, c.zone_ptr)
    spend = float(np.asarray(part.spend_cny)[c.zone_ptr[:-1] + np.asarray(choice, dtype=np.int64)].sum())
    slope = hull.slope
    tol = 1e-9 * max(1.0, abs(spend))
    above = int(np.searchsorted(hull.cost, spend + tol, side="right")) - 1   # last vertex at or below
    below = int(np.searchsorted(hull.cost, spend - tol, side="left"))         # first vertex at or above
    gain = float(slope[above]) if 0 <= above < len(slope) else (0.0 if above >= len(slope) else float(slope[0]))
    loss = float(slope[below - 1]) if 1 <= below <= len(slope) else (math.nan if below < 1 else 0.0)
    return gain, loss
