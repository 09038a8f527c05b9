"""Reading a Pareto front: extremes, the plan closest to the ideal point, the knee, marginal
trade-off rates, how often each measure is chosen in each zone across the front, and how alike
the plans are (Jaccard similarity).

Objective values are in their natural sense (removals positive); ``senses`` says +1 for an
objective to minimise and -1 for one to maximise (``optimizer.problem.OBJECTIVES[name].sense``).
Internally everything is turned into minimisation once, in :func:`to_min`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def senses_of(objectives) -> np.ndarray:
    """+1 (minimise) / -1 (maximise) for objective names, from ``optimizer.problem.OBJECTIVES``."""
    from ..problem import OBJECTIVES

    unknown = [o for o in objectives if o not in OBJECTIVES]
    if unknown:
        raise KeyError(f"unknown objective(s) {', '.join(unknown)}; known: {', '.join(OBJECTIVES)}")
    return np.array([OBJECTIVES[o].sense for o in objectives], dtype=float)


def to_min(values, senses) -> np.ndarray:
    """Objective matrix (points × objectives) in the minimisation sense."""
    F = np.atleast_2d(np.asarray(values, dtype=float))
    return F * np.asarray(senses, dtype=float)[None, :]


def ideal_point(F_min: np.ndarray) -> np.ndarray:
    """Best value of each objective over the front (minimisation sense)."""
    return np.min(F_min, axis=0)


def nadir_point(F_min: np.ndarray) -> np.ndarray:
    """Worst value of each objective over the front (minimisation sense)."""
    return np.max(F_min, axis=0)


def normalise(F_min: np.ndarray) -> np.ndarray:
    """Scale each objective to [0, 1] between the ideal (0) and the nadir (1); a constant
    objective becomes 0."""
    lo, hi = ideal_point(F_min), nadir_point(F_min)
    span = np.where(hi > lo, hi - lo, 1.0)
    return (F_min - lo) / span


def extremes(F_min: np.ndarray) -> list[int]:
    """For each objective, the point that is best in it (ties broken by the other objectives)."""
    F_min = np.atleast_2d(F_min)
    out = []
    for j in range(F_min.shape[1]):
        order = np.lexsort(tuple(F_min[:, i] for i in reversed(range(F_min.shape[1])) if i != j) + (F_min[:, j],))
        out.append(int(order[0]))
    return out


def closest_to_ideal(F_min: np.ndarray, p: float = 2.0) -> int:
    """The point nearest the ideal point in normalised objective space (L-``p`` distance)."""
    N = normalise(np.atleast_2d(F_min))
    return int(np.argmin(np.linalg.norm(N, ord=p, axis=1)))


def knee_point(F_min: np.ndarray) -> int:
    """The knee: the point farthest below the hyperplane through the extreme points, in normalised
    objective space (Das 1999, "On characterizing the 'knee' of the Pareto curve based on
    normal-boundary intersection", Struct. Optim. 18; for two objectives the point farthest from
    the chord between the two ends). Moving away from it in either direction costs much in one
    objective for little gain in another.

    Falls back to :func:`closest_to_ideal` when the front has fewer points than objectives + 1 or
    the extremes do not span a hyperplane.
    """
    F_min = np.atleast_2d(np.asarray(F_min, dtype=float))
    n, m = F_min.shape
    if n <= m:
        return closest_to_ideal(F_min)
    N = normalise(F_min)
    E = N[extremes(F_min)]                           # (m, m): one extreme point per row
    # hyperplane through the extremes: w·x = 1 (they are linearly independent in general)
    try:
        w = np.linalg.solve(E, np.ones(m))
    except np.linalg.LinAlgError:
        return closest_to_ideal(F_min)
    if not np.all(np.isfinite(w)) or np.linalg.norm(w) == 0:
        return closest_to_ideal(F_min)
    # signed distance below the plane (towards the ideal point at the origin)
    dist = (1.0 - N @ w) / np.linalg.norm(w)
    if np.max(dist) <= 1e-12:                         # a straight or concave front: no knee
        return closest_to_ideal(F_min)
    return int(np.argmax(dist))


def marginal_rates(values, objectives) -> pd.DataFrame:
    """For a two-objective front: the trade-off between neighbouring points, sorted by the first
    objective. ``rate`` = Δ(second) / Δ(first), e.g. extra CNY of cost per extra t CO2e removed.
    Columns: ``from_point, to_point, d_<first>, d_<second>, rate``."""
    V = np.atleast_2d(np.asarray(values, dtype=float))
    if V.shape[1] != 2:
        raise ValueError("marginal rates need exactly two objectives")
    order = np.argsort(V[:, 0], kind="stable")
    a, b = objectives
    rows = []
    for i, j in zip(order[:-1], order[1:]):
        d0, d1 = V[j, 0] - V[i, 0], V[j, 1] - V[i, 1]
        rows.append(dict(from_point=int(i), to_point=int(j), **{f"d_{a}": d0, f"d_{b}": d1},
                         rate=d1 / d0 if d0 != 0 else np.nan))
    return pd.DataFrame(rows, columns=["from_point", "to_point", f"d_{a}", f"d_{b}", "rate"])


def front_roles(values, objectives, senses=None) -> dict:
    """Named points of a front: ``knee``, ``closest_to_ideal`` and ``best_<objective>`` for each
    objective (indices into ``values``)."""
    senses = senses_of(objectives) if senses is None else np.asarray(senses, dtype=float)
    F = to_min(values, senses)
    roles = {"knee": knee_point(F), "closest_to_ideal": closest_to_ideal(F)}
    for o, i in zip(objectives, extremes(F)):
        roles[f"best_{o}"] = i
    return roles


# ----------------------------------------------------------------------------------------------
# what the plans along a front choose
# ----------------------------------------------------------------------------------------------
def measure_frequency(plans, groups) -> pd.DataFrame:
    """How often each measure is chosen in each zone across the plans of a front.

    ``plans``: per-zone tables (one per front point) with ``zone_id`` and one column per measure
    group holding the chosen measure id ('' for none). Returns one row per (zone, group, measure):
    ``zone_id, group, measure_id, count, share`` where share = count / number of plans; "" is
    reported as ``"(none)"``.
    """
    plans = list(plans)
    if not plans:
        return pd.DataFrame(columns=["zone_id", "group", "measure_id", "count", "share"])
    frames = []
    for df in plans:
        present = [g for g in groups if g in df.columns]
        long = df[["zone_id", *present]].melt(id_vars="zone_id", var_name="group", value_name="measure_id")
        frames.append(long)
    allp = pd.concat(frames, ignore_index=True)
    allp["measure_id"] = allp["measure_id"].fillna("").astype(str).replace("", "(none)")
    out = allp.groupby(["zone_id", "group", "measure_id"], sort=True).size().rename("count").reset_index()
    out["share"] = out["count"] / len(plans)
    return out


def dominant_measure(freq: pd.DataFrame, group: str) -> pd.DataFrame:
    """Per zone, the measure of ``group`` chosen most often across the front and its share
    (ties: alphabetical). Columns: ``zone_id, measure_id, share``."""
    f = freq[freq["group"] == group].sort_values(["zone_id", "share", "measure_id"], ascending=[True, False, True])
    return f.drop_duplicates("zone_id")[["zone_id", "measure_id", "share"]].reset_index(drop=True)


def plan_items(zones: pd.DataFrame, level: str = "measure", groups=None) -> set:
    """A plan as a set for set comparisons: ``(zone_id, measure_id)`` pairs for every chosen
    measure (``level="measure"``, needs ``groups``) or ``(zone_id, option_id)`` (``"option"``)."""
    if level == "option":
        return set(zip(zones["zone_id"], zones["option_id"]))
    if level != "measure":
        raise ValueError("level must be 'measure' or 'option'")
    items = set()
    for g in groups or ():
        if g in zones:
            items |= {(z, m) for z, m in zip(zones["zone_id"], zones[g].fillna("").astype(str)) if m}
    return items


def jaccard(a: set, b: set) -> float:
    """|A ∩ B| / |A ∪ B|; 1.0 for two empty sets."""
    union = len(a | b)
    return 1.0 if union == 0 else len(a & b) / union


def jaccard_matrix(plans, level: str = "measure", groups=None) -> np.ndarray:
    """Pairwise Jaccard similarity of plans (symmetric, ones on the diagonal)."""
    items = [plan_items(p, level, groups) for p in plans]
    n = len(items)
    J = np.ones((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            J[i, j] = J[j, i] = jaccard(items[i], items[j])
    return J
