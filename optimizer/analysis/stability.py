"""Plan stability across scenarios: which zones never change, which flip, and at what threshold."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
import pandas as pd

COLUMNS = ("zone_id", "stable", "options_seen", "most_common_option", "share_most_common", "axis", "threshold",
           "from_option", "to_option", "flips_along_axis")


def _has_plan(o) -> bool:
    return isinstance(o, (list, tuple, np.ndarray)) and len(o) > 0


def _lines(ok: pd.DataFrame, axis: str, others: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The grid's lines along ``axis`` (the other axes held fixed), each sorted by ``axis``, as
    (lines, longest) arrays: positions of the scenarios in ``ok``, whether a cell is a scenario
    (shorter lines are padded at the end), and the axis' values."""
    groups = ok.groupby(others, sort=False) if others else [((), ok)]
    found = []
    for _, g in groups:
        g = g.sort_values(axis)
        found.append((ok.index.get_indexer(g.index), g[axis].to_numpy()))
    longest = max(len(p) for p, _ in found)
    pos = np.zeros((len(found), longest), dtype=np.int64)
    valid = np.zeros((len(found), longest), dtype=bool)
    values = np.empty((len(found), longest), dtype=object)
    for k, (p, v) in enumerate(found):
        pos[k, :len(p)], valid[k, :len(p)], values[k, :len(p)] = p, True, v
    return pos, valid, values


def plan_stability(sweep: pd.DataFrame, zone_ids: Sequence[str], axes: Sequence[str]) -> pd.DataFrame:
    """One row per zone and axis along which it flips (one row for a zone that never changes).

    ``sweep`` has the grid ``axes`` as columns, ``status`` and ``options`` (the option id of every
    zone, in ``zone_ids`` order). Along an axis, holding the other axes fixed, a zone flips where
    its option differs from the one at the axis' previous value; ``threshold`` is the median over
    the other axes of the first value at which it flips, with the most common options before and
    after; ``flips_along_axis`` counts the lines of the grid along which it flips at all.
    """
    if "options" not in sweep or "status" not in sweep:     # every scenario failed: nothing to compare
        return pd.DataFrame(columns=list(COLUMNS))
    ok = sweep[(sweep["status"] == "ok") & sweep["options"].map(_has_plan)]
    if ok.empty:
        return pd.DataFrame(columns=list(COLUMNS))
    plans = np.array([list(o) for o in ok["options"]], dtype=object)       # (scenarios, zones)
    names, codes = np.unique(plans.astype(str), return_inverse=True)         # options as integers
    codes = codes.reshape(plans.shape)
    lines = {axis: _lines(ok, axis, [a for a in axes if a != axis]) for axis in axes}
    rows = []
    for z, zid in enumerate(zone_ids):
        col = plans[:, z]
        seen = Counter(col)
        common, n_common = seen.most_common(1)[0]
        base = dict(zone_id=zid, options_seen=len(seen), most_common_option=common,
                    share_most_common=n_common / len(col))
        if len(seen) == 1:
            rows.append(dict(base, stable=True, axis="", threshold=np.nan, from_option="", to_option="",
                             flips_along_axis=0))
            continue
        for axis in axes:
            pos, valid, values = lines[axis]
            opts = codes[pos, z]                                  # (lines, positions along the axis)
            change = (opts[:, 1:] != opts[:, :-1]) & valid[:, 1:]
            flips = np.flatnonzero(change.any(axis=1))
            if not len(flips):
                continue
            i = change[flips].argmax(axis=1) + 1                  # the first flip of each line
            firsts = list(values[flips, i])
            pairs = Counter(zip(names[opts[flips, i - 1]].tolist(), names[opts[flips, i]].tolist()))
            (frm, to), _ = pairs.most_common(1)[0]
            thr = np.median(firsts) if all(isinstance(v, (int, float, np.number)) for v in firsts) else \
                Counter(firsts).most_common(1)[0][0]
            rows.append(dict(base, stable=False, axis=axis, threshold=thr, from_option=frm, to_option=to,
                             flips_along_axis=len(firsts)))
    out = pd.DataFrame(rows, columns=list(COLUMNS))
    out["threshold"] = out["threshold"].astype(object)
    return out
