"""Robust plans (docs/science.md §7.4): the plan maximising expected removals (the certified fast
engine on the mean option table) and the plan maximising the CVaR of removals over sampled
scenarios (a scenario MILP through HiGHS, certified to its gap), and the price of robustness.

CVaR_α of removals R(x) over S equally likely scenarios (Rockafellar & Uryasev 2000):
``max t − 1/(α S) Σ_s u_s`` s.t. ``u_s ≥ t − R_s·x``, ``u_s ≥ 0``, one option per zone, and the
problem's coupling rows ``A x ≤ b`` at central values. α = 0.1 is the mean of the worst 10 %.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from ..problem import Compiled
from ..solve.exact import solve
from .sample import Rescorer, Samples


@dataclass(frozen=True)
class RobustPlan:
    name: str
    choice: np.ndarray          # local option index per zone of the compiled problem
    rows: np.ndarray            # option-table rows
    objective: float            # the method's objective (expected removals, or CVaR) [t CO2e]
    gap: float
    status: str
    runtime_s: float


def scenario_matrix(compiled: Compiled, samples: Samples, column: str = "removals_tco2e",
                    rescorer: Rescorer | None = None) -> np.ndarray:
    """(S, n) ``column`` of every allowed row of ``compiled`` under every sample."""
    rs = rescorer or Rescorer(compiled.table, samples.ranges)
    out = np.empty((samples.n, len(compiled.rows)))

    def consume(k, sc):
        out[k] = sc[column]

    rs.run(compiled.rows, samples, consume)
    return out


def expected_plan(compiled: Compiled, R: np.ndarray, gap: float = 1e-4) -> RobustPlan:
    """The plan maximising mean removals over the scenarios ``R`` (S, n): the fast engine on the
    option table whose removals are the scenario means (every other column central)."""
    table = compiled.table
    data = dict(table.data)
    removals = data["removals_tco2e"].copy()
    removals[compiled.rows] = R.mean(axis=0)
    data["removals_tco2e"] = removals
    mean_compiled = compiled.problem.with_(objectives=("removals",)).compile(replace(table, data=data))
    t0 = time.perf_counter()
    plan = solve(mean_compiled, gap=gap)
    # the mean table keeps the central table's rows, zone order and coupling rows: same local choices
    rows = mean_compiled.table_rows(plan.choice)
    return RobustPlan("expected", _local(compiled, rows), rows, float(R.mean(axis=0)[_flat(compiled, rows)].sum()),
                      float(plan.gap), plan.status.value, time.perf_counter() - t0)


def _flat(compiled: Compiled, rows: np.ndarray) -> np.ndarray:
    """Positions in ``compiled.rows`` of option-table ``rows`` (one per zone)."""
    return np.searchsorted(compiled.rows, rows) if np.all(np.diff(compiled.rows) > 0) else \
        np.array([np.flatnonzero(compiled.rows == r)[0] for r in rows])


def _local(compiled: Compiled, rows: np.ndarray) -> np.ndarray:
    return _flat(compiled, rows) - compiled.zone_ptr[:-1]


def cvar(values: np.ndarray, alpha: float) -> np.ndarray:
    """Mean of the worst ``alpha`` share of ``values`` along axis 0 (lower tail; the
    Rockafellar–Uryasev value at the sample, with a fractional weight on the boundary sample)."""
    v = np.sort(np.asarray(values, dtype=float), axis=0)
    S = len(v)
    k = alpha * S
    w = np.clip(k - np.arange(S), 0.0, 1.0)
    return np.tensordot(w, v, axes=(0, 0)) / k


def cvar_plan(compiled: Compiled, R: np.ndarray, alpha: float = 0.1, gap: float = 0.01,
              time_limit_s: float = 60.0) -> RobustPlan:
    """The plan maximising CVaR_α of removals over scenarios ``R`` (S, n) by scenario MILP (HiGHS
    through scipy.optimize.milp), certified to ``gap`` (relative) unless the time limit stops it."""
    S, n = R.shape
    Z = compiled.n_zones
    zone_of = np.repeat(np.arange(Z), compiled.n_options)
    scale = max(1.0, float(np.abs(R).max()))
    Rs = R / scale
    # variables: x (n), t, u (S)
    nv = n + 1 + S
    c = np.zeros(nv)
    c[n] = -1.0
    c[n + 1:] = 1.0 / (alpha * S)
    one = sparse.csr_matrix((np.ones(n), (zone_of, np.arange(n))), shape=(Z, nv))
    # t − R_s x − u_s ≤ 0
    scen = sparse.hstack([sparse.csr_matrix(-Rs), sparse.csr_matrix(np.ones((S, 1))), -sparse.identity(S)])
    cons = [LinearConstraint(one, 1, 1), LinearConstraint(scen, -np.inf, 0)]
    if len(compiled.A):
        norm = np.maximum(1.0, np.abs(compiled.b))
        A = sparse.hstack([sparse.csr_matrix(compiled.A / norm[:, None]), sparse.csr_matrix((len(compiled.A), 1 + S))])
        cons.append(LinearConstraint(A, -np.inf, compiled.b / norm + 1e-9))
    lo = np.r_[np.zeros(n), -np.inf, np.zeros(S)]
    hi = np.r_[np.ones(n), np.inf, np.full(S, np.inf)]
    integrality = np.r_[np.ones(n), np.zeros(1 + S)]
    t0 = time.perf_counter()
    res = milp(c, constraints=cons, bounds=Bounds(lo, hi), integrality=integrality,
               options={"mip_rel_gap": gap, "time_limit": time_limit_s, "disp": False})
    if res.x is None:
        raise RuntimeError(f"the CVaR scenario MILP found no plan: {res.message}")
    x = res.x[:n] > 0.5
    flat = np.flatnonzero(x)
    rows = compiled.rows[flat]
    status = "optimal" if res.status == 0 else "time_limit" if res.status == 1 else f"status {res.status}"
    return RobustPlan(f"cvar{int(round(alpha * 100))}", flat - compiled.zone_ptr[:-1], rows,
                      float(cvar(R[:, flat].sum(axis=1), alpha)), float(getattr(res, "mip_gap", np.nan)), status,
                      time.perf_counter() - t0)


def price_of_robustness(R: np.ndarray, plans: dict[str, np.ndarray], alpha: float = 0.1) -> dict:
    """Per plan (name → positions in the scenario columns, one per zone): expected removals, CVaR_α,
    P5, and the expected removals given up against the best expected plan of the set [t CO2e]."""
    out = {}
    for name, pos in plans.items():
        tot = R[:, pos].sum(axis=1)
        out[name] = {"expected_tco2e": float(tot.mean()), f"cvar{int(round(alpha * 100))}_tco2e":
                     float(cvar(tot, alpha)), "p5_tco2e": float(np.quantile(tot, 0.05))}
    best = max(v["expected_tco2e"] for v in out.values())
    for v in out.values():
        v["expected_given_up_tco2e"] = best - v["expected_tco2e"]
    return out
