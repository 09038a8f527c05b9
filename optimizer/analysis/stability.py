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
            others = [a for a in axes if a != axis]
            firsts: list = []
            pairs: Counter = Counter()
            groups = ok.groupby(others, sort=False) if others else [((), ok)]
            for _, g in groups:
                g = g.sort_values(axis)
                opts = plans[ok.index.get_indexer(g.index), z]
                change = np.flatnonzero(opts[1:] != opts[:-1])
                if len(change):
                    i = change[0] + 1
                    firsts.append(g[axis].iloc[i])
                    pairs[(opts[i - 1], opts[i])] += 1
            if not firsts:
                continue
            (frm, to), _ = pairs.most_common(1)[0]
            thr = np.median(firsts) if all(isinstance(v, (int, float, np.number)) for v in firsts) else \
                Counter(firsts).most_common(1)[0][0]
            rows.append(dict(base, stable=False, axis=axis, threshold=thr, from_option=frm, to_option=to,
                             flips_along_axis=len(firsts)))
    out = pd.DataFrame(rows, columns=list(COLUMNS))
    out["threshold"] = out["threshold"].astype(object)
    return out
