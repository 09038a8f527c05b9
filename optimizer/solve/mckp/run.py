"""One solve of the MCKP engine: its arrays, tolerances, clock and record, and the result it returns.

Every step of :func:`~optimizer.solve.mckp.solve_mckp` reads a :class:`Run` and adds to its
``info`` and ``phases``; :meth:`Run.result` turns a plan and a proven bound into the
:class:`~optimizer.solve.status.SolveResult`.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from ...jit import compile_seconds
from ..core import LinearCore
from ..status import SolveResult, relative_gap
from . import small
from .kernels import _zone_spans

EXACT_GAP = 1e-6            # relative gap that ``exact=True`` proves
_FEAS_RTOL = 5e-10          # our plans meet A x <= b + _FEAS_RTOL·max(1, |b|) (LinearCore allows 1e-9)
_GAP_EPS = 1e-13            # relative rounding of sums over zones, ignored when certifying a gap
_SOLVER = "mckp"


def _certified(incumbent: float, bound: float, tol: float) -> bool:
    """Gap within ``tol``, allowing for the rounding of sums (1e-13 relative)."""
    return relative_gap(incumbent, bound) <= tol + _GAP_EPS


def _row_names(core: LinearCore) -> list[str]:
    names = list(core.row_names)
    return [names[i] if i < len(names) else f"row {i}" for i in range(core.n_coupling)]


@dataclass
class Run:
    """The arrays of one solve in the kernels' declared types, its tolerances and its clock."""

    zp: np.ndarray            # zone pointers (int64, n_zones + 1)
    c: np.ndarray             # objective of every option (float64, n,)
    A: np.ndarray             # coupling rows (float64, C-contiguous, (m, n))
    b: np.ndarray             # their limits (float64, (m,))
    names: list[str]          # row names for messages
    tol: float                # relative gap to certify
    ftol: np.ndarray          # absolute slack of every row: _FEAS_RTOL·max(1, |b|)
    t0: float                 # time.perf_counter() at the start
    time_limit_s: float
    info: dict
    phases: dict = field(default_factory=dict)   # cumulative seconds at the end of each phase
    compile0: float = 0.0                        # jit.compile_seconds() at the start
    _spans: tuple | None = None                  # zone_spans(), once computed

    @classmethod
    def start(cls, core: LinearCore, gap_tol: float, time_limit_s: float, exact: bool) -> Run:
        t0 = time.perf_counter()
        compile0 = compile_seconds()
        core.check()
        b = np.ascontiguousarray(core.b, dtype=np.float64)
        tol = min(gap_tol, EXACT_GAP) if exact else float(gap_tol)
        return cls(zp=np.ascontiguousarray(core.zone_ptr, dtype=np.int64),
                   c=np.ascontiguousarray(core.c, dtype=np.float64),
                   A=np.ascontiguousarray(core.A, dtype=np.float64), b=b,
                   names=_row_names(core),
                   tol=tol, ftol=_FEAS_RTOL * np.maximum(1.0, np.abs(b)), t0=t0,
                   time_limit_s=float(time_limit_s),
                   info={"bound_source": None, "n_core_zones": 0, "iterations": 0, "multipliers": [],
                         "gap_tol": tol},
                   compile0=compile0)

    @property
    def m(self) -> int:
        return len(self.b)

    @property
    def starts(self) -> np.ndarray:
        """Flat index of every zone's first option."""
        return self.zp[:-1]

    @property
    def compile_s(self) -> float:
        """Seconds spent compiling kernels since the start (a cold cache): not counted against the
        time limit."""
        return compile_seconds() - self.compile0

    @property
    def deadline(self) -> float:
        """When the time limit is reached: ``time_limit_s`` of search after the start, compiling
        kernels on the way not counted (read it again after a kernel's first call)."""
        return self.t0 + self.time_limit_s + self.compile_s

    def dual_deadline(self) -> float:
        """Three quarters of the limit: the Lagrangian dual leaves the rest to the plan."""
        return self.deadline - 0.25 * self.time_limit_s

    def zone_spans(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per zone: the span of ``c`` (n_z,), the least and the most of every row ((m, n_z) each);
        one pass over the options, kept for the rest of the solve."""
        if self._spans is None:
            spans = small.zone_spans if small.use_numpy(self.zp) else _zone_spans
            self._spans = spans(self.zp, self.c, self.A)
        return self._spans

    def value(self, choice: np.ndarray) -> float:
        """c·x of a plan (local indices)."""
        return float(self.c[self.starts + choice].sum())

    def mark(self, phase: str) -> None:
        """Record the end of a phase (seconds since the start)."""
        self.phases[phase] = time.perf_counter() - self.t0

    def result(self, status, choice, bound, message="", source=None) -> SolveResult:
        """The outcome: ``choice`` (local indices, or None) with a proven lower ``bound``."""
        obj = self.value(choice) if choice is not None else math.inf
        if choice is not None:
            bound = min(bound, obj)                     # a bound above a feasible value is no bound
        self.info["bound_source"] = source or self.info["bound_source"]
        self.info["runtime_phases_s"] = self.phases
        self.info["compile_s"] = self.compile_s
        return SolveResult(status=status, choice=choice, objective=obj, bound=float(bound),
                           runtime_s=time.perf_counter() - self.t0, solver=_SOLVER, message=message,
                           info=self.info)
