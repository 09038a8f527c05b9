"""Convex-hull increments of every zone: the exact LP of one coupling row and the supported front.

Per zone, the options on the lower-left convex hull of (a, c) give increments of decreasing
efficiency −Δc/Δa; one sort of all zones' increments gives the greedy order of the LP relaxation
(Sinha & Zoltners 1979; Kellerer, Pferschy & Pisinger 2004, ch. 11), and every prefix of that
order is an integer plan on the supported front (docs/science.md §6.4, §6.7).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .kernels import _apply_steps, _lower_hulls


@dataclass(frozen=True)
class _Increments:
    base: np.ndarray        # flat option index of every zone's least-a hull vertex (n_z,)
    step_zone: np.ndarray   # zone of every increment, in greedy order (most efficient first)
    step_opt: np.ndarray    # flat option index the increment moves its zone to
    da: np.ndarray          # a added by each increment (> 0)
    dc: np.ndarray          # c added by each increment (< 0)


def _hull_increments(zone_ptr: np.ndarray, a: np.ndarray, c: np.ndarray) -> _Increments:
    """Hull increments of every zone, sorted by efficiency −Δc/Δa (stable: within a zone the
    efficiencies strictly decrease, so every prefix of the order is a valid integer plan)."""
    vert_ptr, vert = _lower_hulls(zone_ptr, a, c)
    n_z = len(zone_ptr) - 1
    not_first = np.ones(len(vert), dtype=bool)
    not_first[vert_ptr[:-1]] = False
    pos = np.flatnonzero(not_first)
    to = vert[pos]
    frm = vert[pos - 1]
    da = a[to] - a[frm]
    dc = c[to] - c[frm]
    zone = np.repeat(np.arange(n_z, dtype=np.int64), np.diff(vert_ptr))[pos]
    order = np.argsort(dc / da, kind="stable")          # = −efficiency, ascending
    return _Increments(vert[vert_ptr[:-1]], zone[order], to[order], da[order], dc[order])


@dataclass(frozen=True)
class SupportedFront:
    """The supported (convex-hull) front of (minimise cost, maximise value) under GUB rows only.

    Vertex ``k`` is the integer plan reached from ``base_choice`` by the first ``k`` steps; vertex
    0 is the cheapest plan (most value among the cheapest), the last the most valuable one.
    ``cost`` and ``value`` both increase strictly along the front; every extreme point of the
    convex hull of all plans' (cost, value) on the efficient side is a vertex here.
    """

    cost: np.ndarray          # (n_vertices,) total cost of each vertex plan
    value: np.ndarray         # (n_vertices,) total value of each vertex plan
    base_choice: np.ndarray   # (n_zones,) local option index of every zone at vertex 0
    step_zone: np.ndarray     # (n_vertices − 1,) zone changed by step k (vertex k → k + 1)
    step_option: np.ndarray   # (n_vertices − 1,) local option index that zone takes

    @property
    def n_vertices(self) -> int:
        return len(self.cost)

    @property
    def slope(self) -> np.ndarray:
        """Marginal value per unit of cost of each step (decreasing), (n_vertices − 1,)."""
        return np.diff(self.value) / np.diff(self.cost)


def supported_front(cost, value, zone_ptr) -> SupportedFront:
    """Every supported Pareto vertex of (minimise Σ cost, maximise Σ value), one option per zone.

    One pass over the per-zone convex hulls and one sort of their increments (docs/science.md §6.7).
    ``cost`` and ``value`` are flat per option, zone after zone as in ``zone_ptr``. Recover the
    plan of vertex ``i`` with :func:`front_plan`.
    """
    zone_ptr = np.ascontiguousarray(zone_ptr, dtype=np.int64)
    cost = np.ascontiguousarray(cost, dtype=np.float64)
    value = np.ascontiguousarray(value, dtype=np.float64)
    if len(zone_ptr) < 2 or zone_ptr[0] != 0 or zone_ptr[-1] != len(cost) or np.any(np.diff(zone_ptr) < 1):
        raise ValueError("zone_ptr must start at 0, end at len(cost) and give every zone >= 1 option")
    if len(value) != len(cost) or not (np.all(np.isfinite(cost)) and np.all(np.isfinite(value))):
        raise ValueError("cost and value must be finite and of the same length")
    inc = _hull_increments(zone_ptr, cost, -value)
    starts = zone_ptr[:-1]
    f_cost = np.empty(len(inc.da) + 1)
    f_value = np.empty(len(inc.da) + 1)
    f_cost[0] = cost[inc.base].sum()
    f_value[0] = value[inc.base].sum()
    np.cumsum(inc.da, out=f_cost[1:])
    np.cumsum(-inc.dc, out=f_value[1:])
    f_cost[1:] += f_cost[0]
    f_value[1:] += f_value[0]
    return SupportedFront(cost=f_cost, value=f_value, base_choice=inc.base - starts,
                          step_zone=inc.step_zone, step_option=inc.step_opt - starts[inc.step_zone])


def front_plan(front: SupportedFront, i: int) -> np.ndarray:
    """Local option index per zone of the plan at vertex ``i`` of a :class:`SupportedFront`."""
    i = int(i)
    if not 0 <= i < front.n_vertices:
        raise IndexError(f"vertex {i} outside 0..{front.n_vertices - 1}")
    return _apply_steps(*(np.ascontiguousarray(x, dtype=np.int64)
                          for x in (front.base_choice, front.step_zone, front.step_option)), i)
