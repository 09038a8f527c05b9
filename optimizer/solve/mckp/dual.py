"""The Lagrangian lower bound of the coupling rows (docs/science.md §6.4).

For any ``λ >= 0``, ``L(λ) = Σ_z min_o (c + λ·A)[z, o] − λ·b`` is a lower bound on the optimum, and
its maximum is the LP bound. One row: the LP is solved exactly by the greedy on sorted convex-hull
increments, and ``λ`` is the efficiency of the break increment (Sinha & Zoltners 1979). Several
rows: a box-stabilised cutting-plane (bundle) ascent on ``λ``; every pass is one compiled per-zone
argmin of ``c + λ·A``.
"""

from __future__ import annotations

import math
import os
import sys
import time
from dataclasses import dataclass

import numpy as np

from . import small
from .front import _hull_increments
from .kernels import _apply_steps, _lagrangian_pass, _lagrangian_pass_screened, _zone_spans
from .run import Run

#: from this many options on, the bundle starts from the multipliers of a sample of the zones
_SAMPLE_FROM_OPTIONS = 2_000_000
_SAMPLE_OPTIONS = 200_000         # options in that sample (every k-th zone)
_SAMPLE_MAX_PASSES = 100          # the sample's bundle passes at most (30 at 2·10⁵ × 50)


def lagrangian_dual(run: Run) -> _Dual:
    """The best multipliers found within three quarters of the clock, their bound and plan;
    recorded in ``run.info`` (iterations, multipliers, lagrangian_bound, bound_source, and
    ``sample_passes`` when the bundle started from a sample's multipliers)."""
    zp, c, A, b, ftol = run.zp, run.c, run.A, run.b, run.ftol
    if run.m == 1:
        dual = _dual_one_row(zp, c, A, b, ftol)
    else:
        # leave a quarter of the clock for the plan: the dual's passes are the cheap part
        deadline = run.dual_deadline
        lam0 = None
        if len(c) >= _SAMPLE_FROM_OPTIONS:
            lam0, run.info["sample_passes"] = _sample_multipliers(zp, c, A, b, run.zone_spans(), deadline)
        dual = _dual_bundle(zp, c, A, b, ftol, deadline, spans=run.zone_spans(), lam0=lam0)
    run.mark("dual")
    run.info.update(iterations=dual.passes, multipliers=[float(x) for x in dual.lam],
                    lagrangian_bound=float(dual.bound), bound_source=dual.source)
    return dual


def _sample_multipliers(zp, c, A, b, spans, deadline) -> tuple[np.ndarray, int]:
    """Multipliers of the bundle over every k-th zone (about ``_SAMPLE_OPTIONS`` options), each
    row's limit placed at the same share of the sample's span (least to most any plan uses) as
    ``b`` has of the whole's: a start for the whole problem's bundle, which then needs fewer passes
    over every option. Any λ >= 0 gives a valid bound; the sample only changes where the ascent
    starts. Returns (λ, the sample's passes)."""
    n_z = len(zp) - 1
    step = max(1, math.ceil(len(c) / _SAMPLE_OPTIONS))
    zones = np.arange(step // 2, n_z, step)
    sizes = np.diff(zp)[zones]
    zp_s = np.zeros(len(zones) + 1, dtype=np.int64)
    np.cumsum(sizes, out=zp_s[1:])
    idx = np.repeat(zp[zones] - zp_s[:-1], sizes) + np.arange(zp_s[-1])
    c_s = np.ascontiguousarray(c[idx])
    A_s = np.ascontiguousarray(A[:, idx])
    lo, hi = spans[1].sum(axis=1), spans[2].sum(axis=1)
    spans_s = _zone_spans(zp_s, c_s, A_s)
    lo_s, hi_s = spans_s[1].sum(axis=1), spans_s[2].sum(axis=1)
    share = np.clip((b - lo) / np.where(hi > lo, hi - lo, 1.0), 0.0, 1.0)
    b_s = lo_s + share * (hi_s - lo_s)
    # a start only: a sample whose rows cannot all be met (λ then grows pass after pass) stops early
    d = _dual_bundle(zp_s, c_s, A_s, b_s, 5e-10 * np.maximum(1.0, np.abs(b_s)), deadline, spans=spans_s,
                     max_iter=_SAMPLE_MAX_PASSES)
    return d.lam, d.passes


@dataclass
class _Dual:
    lam: np.ndarray                 # best multipliers (m,)
    bound: float                    # L(lam), a proven lower bound
    choice: np.ndarray              # per-zone argmin plan at lam (local indices)
    passes: int                     # Lagrangian passes (per-zone argmins over all options)
    source: str
    plan: np.ndarray | None = None  # a feasible plan met on the way (local indices), if any
    timed_out: bool = False


def _evaluate(zp, c, A, b, lam):
    one_pass = small.lagrangian_pass if small.use_numpy(zp) else _lagrangian_pass
    choice, total, cx, ax = one_pass(zp, c, A, lam)
    return total - float(lam @ b), choice, cx, ax


def _dual_one_row(zp, c, A, b, ftol) -> _Dual:
    """Exact LP dual of one coupling row by the greedy on sorted hull increments."""
    inc = _hull_increments(zp, A[0], c)
    avail = b[0] - A[0, inc.base].sum()
    cum = np.cumsum(inc.da)
    k = int(np.searchsorted(cum, max(avail, 0.0), side="right"))
    lam = np.array([-inc.dc[k] / inc.da[k]]) if k < len(cum) else np.zeros(1)
    chosen = _apply_steps(inc.base, inc.step_zone, inc.step_opt, k)
    bound, choice, _, _ = _evaluate(zp, c, A, b, lam)
    return _Dual(lam=lam, bound=bound, choice=choice, passes=1, source="lp-greedy",
                 plan=chosen - zp[:-1])


def _dual_bundle(zp, c, A, b, ftol, deadline, max_iter=400, spans=None, lam0=None) -> _Dual:
    """Maximise L(λ) over λ >= 0 by a box-stabilised cutting-plane (bundle) method, from λ = 0 or
    from ``lam0`` (then in a box a tenth of its size), until ``deadline()`` (perf_counter time).

    Every pass is :func:`.kernels._lagrangian_pass_screened`: once λ settles, most zones' argmin
    provably stays put and only their chosen option is read (the results are those of a full
    pass, bit for bit). Up to :data:`.small.NUMPY_MAX_OPTIONS` options every pass is the numpy
    :func:`.small.lagrangian_pass` instead (the same results, without loading numba).
    ``spans``: :func:`.kernels._zone_spans` of the arrays, if already computed.

    λ is scaled so that one unit of every scaled multiplier trades the whole objective range for
    the whole range of its row. The master problem (m + 1 variables, one cut per pass) is a tiny
    LP kept in one HiGHS instance (:class:`_Master`): each pass adds its cut as a row and re-solves
    from the previous basis (tenths of a millisecond; scipy.optimize, which cost about a second
    to import and 2.6 ms a call, is not needed). One thread; forked core-MILP children reset the
    thread scheduler they inherit.
    """

    m = len(b)
    numpy_passes = small.use_numpy(zp)                      # small tables: numba not needed
    if spans is None:
        spans = small.zone_spans(zp, c, A) if numpy_passes else _zone_spans(zp, c, A)
    c_span, r_min, r_max = spans
    c_range = float(c_span.sum())
    span = r_max - r_min                                    # (m, n_z): also the screening's
    r_range = span.sum(axis=1)
    unit = max(c_range, 1e-300) / np.where(r_range > 0, r_range, 1.0)   # λ = μ · unit
    n_z = len(zp) - 1
    best_j = np.zeros(n_z, dtype=np.int64)                  # the screened passes' record per zone
    gap = np.full(n_z, -np.inf)
    ref = np.zeros((m, n_z))
    best_c = np.zeros(n_z)
    best_a = np.zeros((m, n_z))

    def evaluate(mu):
        lam = mu * unit
        if numpy_passes:                                    # the same four results (small.py)
            choice, total, cx, ax = small.lagrangian_pass(zp, c, A, lam)
        else:
            choice, total, cx, ax = _lagrangian_pass_screened(zp, c, A, lam, span, best_j, gap, ref, best_c, best_a)
        return total - float(lam @ b), (ax - b) * unit, choice, cx, ax

    mu_hat = np.zeros(m) if lam0 is None else np.maximum(np.asarray(lam0, dtype=np.float64) / unit, 0.0)
    g_hat, sub, choice_hat, cx, ax = evaluate(mu_hat)
    passes = 1
    best_plan, best_val = None, math.inf
    if np.all(ax - b <= ftol):
        if not np.any(mu_hat):        # x(0) meets every row: it is optimal
            return _Dual(lam=np.zeros(m), bound=g_hat, choice=choice_hat, passes=1, source="lagrangian",
                         plan=choice_hat.copy())
        best_val, best_plan = cx, choice_hat.copy()

    # cut j: θ <= g_j + s_j·(μ − μ_j). The master is written around the centre μ̂ (μ = μ̂ + d,
    # θ = g_hat + φ) so its numbers stay small near the optimum; φ is the predicted ascent.
    cut_mu: list[np.ndarray] = [mu_hat]
    cut_g: list[float] = [g_hat]
    cut_s: list[np.ndarray] = [sub]
    master = _Master(m)
    stop_abs = 1e-10 * max(1.0, abs(g_hat), c_range)
    delta = 1.0 if lam0 is None else max(0.1 * float(mu_hat.max()), 1e-6)
    timed_out = False
    for _ in range(max_iter):
        if time.perf_counter() > deadline():
            timed_out = True
            break
        S = np.array(cut_s)
        rhs = np.array(cut_g) - g_hat + np.einsum("ji,ji->j", S, mu_hat - np.array(cut_mu))
        lo = np.maximum(-delta, -mu_hat)
        x = master.solve(S, rhs, lo, np.full(m, delta))
        if x is None:
            break
        d, pred = x[:m], x[m]
        if pred <= stop_abs:
            break                                 # the model's maximum is at μ̂: dual optimum
        mu_new = np.maximum(mu_hat + d, 0.0)
        g_new, sub_new, choice_new, cx, ax = evaluate(mu_new)
        passes += 1
        if np.all(ax - b <= ftol) and cx < best_val:
            best_val, best_plan = cx, choice_new.copy()
        cut_mu.append(mu_new)
        cut_g.append(g_new)
        cut_s.append(sub_new)
        if g_new >= g_hat + 0.1 * pred:           # serious step
            on_box = np.any((np.abs(d) >= delta * (1 - 1e-9)) & ~((d < 0) & (mu_new == 0.0)))
            mu_hat, g_hat, choice_hat = mu_new, g_new, choice_new
            if on_box:
                delta *= 2.0
        elif g_new < g_hat:
            delta = max(delta * 0.5, 1e-14)
    return _Dual(lam=mu_hat * unit, bound=g_hat, choice=choice_hat, passes=passes,
                 source="lagrangian", plan=best_plan, timed_out=timed_out)



class _Master:
    """The bundle's master LP, max φ s.t. φ − s_j·d <= rhs_j (every cut j), lo <= d <= hi, in one
    HiGHS instance that keeps its rows and basis from pass to pass (new cuts are appended)."""

    def __init__(self, m: int) -> None:
        import highspy

        self.m = m
        self.inf = highspy.kHighsInf
        self.ok = highspy.HighsModelStatus.kOptimal
        h = _new_highs(highspy)
        h.setOptionValue("output_flag", False)
        h.setOptionValue("threads", 1)
        h.setOptionValue("random_seed", 0)
        for _ in range(m):
            h.addCol(0.0, -1.0, 1.0, 0, np.zeros(0, dtype=np.int32), np.zeros(0))
        h.addCol(-1.0, -self.inf, self.inf, 0, np.zeros(0, dtype=np.int32), np.zeros(0))   # φ, maximised
        self.h = h
        self.rows = 0
        self.idx = np.arange(m + 1, dtype=np.int32)

    def solve(self, S: np.ndarray, rhs: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray | None:
        """(d, φ) at the optimum over the cuts ``S`` (one row each; rows already added are kept,
        new ones appended) with right-hand sides ``rhs`` (all rows); None if HiGHS fails."""
        h, m = self.h, self.m
        for j in range(self.rows, len(S)):
            h.addRow(-self.inf, float(rhs[j]), m + 1, self.idx, np.r_[-S[j], 1.0])
        self.rows = len(S)
        rows = np.arange(self.rows, dtype=np.int32)
        h.changeRowsBounds(self.rows, rows, np.full(self.rows, -self.inf), np.ascontiguousarray(rhs, dtype=np.float64))
        h.changeColsBounds(m, self.idx[:m], np.ascontiguousarray(lo, dtype=np.float64),
                           np.ascontiguousarray(hi, dtype=np.float64))
        h.run()
        if h.getModelStatus() != self.ok:
            return None
        return np.asarray(h.getSolution().col_value)[: m + 1]


_BANNER_SHOWN = False


def _new_highs(highspy):
    """A ``highspy.Highs()``; the first one in a process prints HiGHS's banner on fd 1, which is
    sent to /dev/null then (the library prints nothing)."""
    global _BANNER_SHOWN
    if _BANNER_SHOWN:
        return highspy.Highs()
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        h = highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)
    _BANNER_SHOWN = True
    return h
