"""Which zones touch, and along how many metres: computed once from the site's polygons.

    i, j, shared_length_m = adjacency(site.zones)

Pairs ``i < j`` are positional zone indices (the order of ``site.zones``, which is the order of
the option table and of a compiled problem). Two zones are neighbours when their boundaries share
a line longer than ``min_length_m``; zones meeting at a corner only (a point) are not neighbours
("rook" adjacency), since fragmentation is measured as boundary length.

Candidate pairs come from a shapely ``STRtree``; the shared length is the length of the
intersection of the two boundaries (exact for a coverage whose neighbours share vertices, as the
example sites do). Digitised files with small gaps or overlaps between neighbours can be read with
``tolerance_m > 0``: the shared length is then the mean of the lengths of each boundary inside the
other polygon grown by the tolerance.
"""

from __future__ import annotations

import numpy as np

from .errors import ProblemDefinitionError
from .i18n import _

MIN_SHARED_LENGTH_M = 1e-6     # shared boundary shorter than this is a corner contact, not an edge


def adjacency(zones, tolerance_m: float = 0.0,
              min_length_m: float = MIN_SHARED_LENGTH_M) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Neighbouring zone pairs of ``zones`` (a GeoDataFrame in a projected CRS).

    Returns ``(i, j, shared_length_m)``: int64, int64 and float64 arrays, one entry per pair with
    ``i < j``, sorted by ``(i, j)``. Raises :class:`ProblemDefinitionError` when ``zones`` has no
    polygons (a CSV zoning file) or is in a geographic CRS (lengths in degrees are meaningless).
    """
    import shapely

    geom = getattr(zones, "geometry", None) if "geometry" in getattr(zones, "columns", ()) else None
    if geom is None or len(zones) == 0 or geom.isna().all():
        raise ProblemDefinitionError(
            _("neighbouring zones can only be found from polygons, and this site has none (a CSV zoning file has no "
              "geometry): give the zones as GeoPackage, GeoJSON or Shapefile to use fragmentation"))
    crs = getattr(zones, "crs", None)
    if crs is not None and getattr(crs, "is_geographic", False):
        raise ProblemDefinitionError(_("zones are in the geographic CRS {crs}; shared boundary lengths need a "
                                       "projected CRS in metres (read the file with optimizer.site.read_site)").format(
                                           crs=crs))
    if tolerance_m < 0:
        raise ProblemDefinitionError(_("tolerance_m must be ≥ 0, not {value}").format(value=tolerance_m))
    g = np.asarray(geom.values, dtype=object)
    valid = np.array([x is not None and not shapely.is_empty(x) for x in g])
    tree = shapely.STRtree(g[valid])
    where = np.flatnonzero(valid)
    if tolerance_m > 0:
        a, b = tree.query(g[valid], predicate="dwithin", distance=tolerance_m)
    else:
        a, b = tree.query(g[valid], predicate="intersects")
    a, b = where[a], where[b]
    keep = a < b
    a, b = a[keep], b[keep]
    boundary = shapely.boundary(g[valid])
    bnd = np.empty(len(g), dtype=object)
    bnd[where] = boundary
    if tolerance_m > 0:
        grown = np.empty(len(g), dtype=object)
        grown[where] = shapely.buffer(g[valid], tolerance_m)
        length = 0.5 * (shapely.length(shapely.intersection(bnd[a], grown[b]))
                        + shapely.length(shapely.intersection(bnd[b], grown[a])))
    else:
        length = shapely.length(shapely.intersection(bnd[a], bnd[b])) if len(a) else np.zeros(0)
    length = np.asarray(length, dtype=np.float64)
    edge = length > min_length_m
    a, b, length = a[edge].astype(np.int64), b[edge].astype(np.int64), length[edge]
    order = np.lexsort((b, a))
    return a[order], b[order], length[order]


def neighbours_csr(n_zones: int, i: np.ndarray, j: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Adjacency as compressed rows: the neighbours of zone ``z`` are ``idx[ptr[z]:ptr[z+1]]``."""
    src = np.concatenate([i, j]).astype(np.int64)
    dst = np.concatenate([j, i]).astype(np.int64)
    order = np.lexsort((dst, src))
    ptr = np.zeros(n_zones + 1, dtype=np.int64)
    np.add.at(ptr, src + 1, 1)
    return np.cumsum(ptr), dst[order]


def spatial_order(n_zones: int, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """An order of the zones in which neighbours tend to be close (reverse Cuthill–McKee on the
    adjacency graph; zones without neighbours keep their place at the end). Used for block
    crossover: a run of this order is a patch of neighbouring zones."""
    if len(i) == 0:
        return np.arange(n_zones)
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import reverse_cuthill_mckee

    m = coo_matrix((np.ones(2 * len(i)), (np.r_[i, j], np.r_[j, i])), shape=(n_zones, n_zones)).tocsr()
    return np.asarray(reverse_cuthill_mckee(m, symmetric_mode=True), dtype=np.int64)
