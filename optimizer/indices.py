"""Integer types for arrays that index options (issue 11, large N).

Arrays with one entry per option that hold an index — the zone of every option, flat option
indices collected by the engine, the option that dominates another — take 4 bytes an entry
(int32) when every index they can hold fits, i.e. when the table has fewer than 2³¹ entries, and
8 bytes (int64) beyond. At 10⁶ zones × 50 options the zone of every option is 200 MB instead of
400 MB. Zone pointers (one per zone) and the compiled kernels' own arguments stay int64.
"""

from __future__ import annotations

import numpy as np

#: the most entries a table may have for its indices to be int32 (tests lower it to try both sides)
INT32_MAX_ENTRIES = 2**31 - 1


def index_dtype(n_entries: int) -> type[np.signedinteger]:
    """``np.int32`` when indices ``0 … n_entries`` fit in it (at most :data:`INT32_MAX_ENTRIES`),
    else ``np.int64``."""
    return np.int32 if int(n_entries) <= INT32_MAX_ENTRIES else np.int64


def zone_of_row(zone_ptr: np.ndarray) -> np.ndarray:
    """The zone of every flat row (option) of a table given by its zone pointers
    (``zone_ptr[z]:zone_ptr[z + 1]`` are zone z's rows), in :func:`index_dtype` of its rows."""
    zone_ptr = np.asarray(zone_ptr)
    dtype = index_dtype(int(zone_ptr[-1]) if len(zone_ptr) else 0)
    return np.repeat(np.arange(len(zone_ptr) - 1, dtype=dtype), np.diff(zone_ptr))
