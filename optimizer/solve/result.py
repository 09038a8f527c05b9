"""Results of the solvers: a :class:`Plan` (one allocation) and a :class:`ParetoFront`.

Both carry numbers computed by :mod:`optimizer.evaluate` only — objectives, constraint rows,
totals, credits by standard, the no-works baseline and annual trajectories — in natural units and
signs (removals positive), with the solver's status, certified gap and runtime. Nothing here
sums a column of its own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..evaluate import Evaluation, evaluate, plan_trajectories
from ..evaluate import baseline_credits_by_standard as _baseline_credits
from ..evaluate import baseline_totals as _baseline_totals
from .status import Status, Termination

if TYPE_CHECKING:
    from ..problem import Compiled


def _num(v):
    v = float(v)
    return v if math.isfinite(v) else None


@dataclass(frozen=True, eq=False)
class Plan:
    compiled: Compiled
    choice: np.ndarray                 # local option index per zone (into compiled rows)
    status: Status                     # what the plan is worth (optimal, feasible, time_limit, …)
    objective_name: str                # the objective optimised
    bound: float                       # proven bound on it, natural sign (upper bound when maximising)
    gap: float                         # certified relative gap
    runtime_s: float
    solver: str
    message: str = ""
    info: dict = field(default_factory=dict)

    @cached_property
    def evaluation(self) -> Evaluation:
        """The plan scored once by :func:`optimizer.evaluate.evaluate` (objectives, rows, totals)."""
        return evaluate(self.compiled, self.choice[None, :])

    @property
    def objective_value(self) -> float:
        """The optimised objective's value for this plan, natural sign and unit."""
        return self.objectives[self.objective_name]

    @property
    def termination(self) -> Termination:
        """Why the search stopped (``info["termination"]`` when the solver said, else from the status)."""
        t = self.info.get("termination")
        return Termination(t) if t else Termination.of_status(self.status)

    @property
    def rows(self) -> np.ndarray:
        """Option-table rows of the plan (one per zone)."""
        return self.compiled.table_rows(self.choice)

    @property
    def objectives(self) -> dict:
        ev = self.evaluation
        return {n: float(v) for n, v in zip(ev.names, ev.objectives[0])}

    @property
    def feasible(self) -> bool:
        """Every constraint row holds (:func:`optimizer.evaluate.rows_hold`)."""
        return bool(self.evaluation.feasible[0])

    @property
    def totals(self) -> dict:
        """Site totals of the option-table columns (column → float, in the column's unit)."""
        return {k: float(v[0]) for k, v in self.evaluation.totals.items()}

    @property
    def credits_by_standard(self) -> dict:
        """Credits [t CO2e] of the zones eligible under each assessed standard (standard → float;
        a zone eligible under two counts in both, its credits issued once)."""
        return {k: float(v[0]) for k, v in self.evaluation.credits_by_standard.items()}

    @property
    def accounting(self) -> dict:
        """Net-of-baseline removals and restored farmland area (name → float;
        :func:`optimizer.evaluate.accounting_totals`)."""
        return {k: float(v[0]) for k, v in self.evaluation.accounting.items()}

    def constraints(self) -> list[dict]:
        ev = self.evaluation
        c = self.compiled
        senses = c.con_senses or ("<=",) * len(c.con_names)
        rows = []
        for i, (n, u, s) in enumerate(zip(c.con_names, c.con_units, senses)):
            sign = -1.0 if s == ">=" else 1.0      # ">=" rows are stored negated (A x <= b)
            rows.append(dict(name=n, unit=u, sense=s, lhs=sign * float(ev.G[0, i] + c.b[i]),
                             rhs=sign * float(c.b[i]), slack=float(-ev.G[0, i])))
        return rows

    @cached_property
    def baseline_totals(self) -> dict:
        """Site totals of "natural regeneration, no works" in every zone (before/after reference;
        :func:`optimizer.evaluate.baseline_totals`)."""
        return _baseline_totals(self.compiled.table)

    @cached_property
    def baseline_credits_by_standard(self) -> dict:
        """:attr:`credits_by_standard` of the no-works baseline."""
        return _baseline_credits(self.compiled.table)

    @cached_property
    def trajectories(self) -> pd.DataFrame:
        """Annual site series of the plan beside the no-works baseline's (``*_baseline`` columns;
        :func:`optimizer.evaluate.plan_trajectories`): what ``*_trajectories.csv`` holds."""
        return plan_trajectories(self.compiled.table, self.rows)

    def to_frame(self) -> pd.DataFrame:
        """One row per zone: zone_id, option_id, measures and the option's metrics."""
        return self.compiled.table.to_frame(self.rows)

    def summary(self) -> dict:
        return {
            "status": self.status.value,
            "termination": self.termination.value,
            "objective_name": self.objective_name,
            "objective_value": self.objectives.get(self.objective_name),
            "bound": _num(self.bound),
            "gap": _num(self.gap),
            "runtime_s": self.runtime_s,
            "solver": self.solver,
            "message": self.message,
            "objectives": self.objectives,
            "totals": self.totals,
            "credits_by_standard": self.credits_by_standard,
            "baseline_totals": self.baseline_totals,
            "baseline_credits_by_standard": self.baseline_credits_by_standard,
            "accounting": self.accounting,
            "constraints": self.constraints(),
            "zones": int(self.compiled.n_zones),
        }


@dataclass(frozen=True, eq=False)
class ParetoFront:
    """Non-dominated plans over two or three objectives, each with its solver status and gap."""

    compiled: Compiled
    objectives: tuple[str, ...]
    choices: np.ndarray                # (K, zones) local option indices
    values: np.ndarray                 # (K, p) natural-sign objective values (evaluate)
    status: tuple[Status, ...]
    gaps: np.ndarray                   # (K,) certified relative gap of each point's ε-problem
    method: str
    runtime_s: float
    supported: dict | None = None      # the full supported front (arrays), when computed
    info: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.choices)

    @property
    def termination(self) -> Termination:
        """Why the search stopped: the genetic search's own reason, else the worst of the points'
        exact solves (a time limit on any point is the front's)."""
        t = self.info.get("termination")
        if t:
            return Termination(t)
        order = (Status.ERROR, Status.TIME_LIMIT, Status.FEASIBLE, Status.OPTIMAL)
        worst = next((s for s in order if s in self.status), Status.OPTIMAL)
        return Termination.of_status(worst)

    def plan(self, k: int) -> Plan:
        return Plan(self.compiled, self.choices[k], self.status[k], self.objectives[0], math.nan,
                    float(self.gaps[k]), math.nan, self.method)

    def to_frame(self) -> pd.DataFrame:
        df = pd.DataFrame(self.values, columns=list(self.objectives))
        df.insert(0, "point", np.arange(len(df)))
        df["gap"] = self.gaps
        # the same gap in the first objective's unit: what the certificate allows that point to miss
        df["gap_abs"] = self.gaps * np.maximum(1.0, np.abs(self.values[:, 0]))
        df["status"] = [s.value for s in self.status]
        return df
