"""Building the MILP of :mod:`optimizer.solve.milp` from the core's arrays: a PuLP problem, or the
row-wise (CSR) arrays handed to HiGHS directly."""

from __future__ import annotations

import collections

import numpy as np
import pulp

from optimizer.linear import LinearCore


def _coupling_names(core: LinearCore) -> list[str]:
    names = [core.row_names[i] if i < len(core.row_names) else f"row_{i}"
             for i in range(core.n_coupling)]
    return [n.translate(pulp.LpAffineExpression.trans) for n in names]


def build_pulp_model(core: LinearCore, name: str = "sinkplan"
                     ) -> tuple[pulp.LpProblem, list[pulp.LpVariable]]:
    """The core as a PuLP problem; returns ``(problem, x)`` with ``x[k]`` the variable of flat row k.

    Built from the arrays: expressions are made with ``LpAffineExpression`` from (variable,
    coefficient) pairs and rows with ``LpConstraint(expr, sense, name, rhs)``, which avoids the
    copies ``lpSum`` and ``expr <= rhs`` make (coin-or/pulp#749, #750). Zero coefficients of ``c``
    and ``A`` are skipped. Variable names are zero-padded so that PuLP's name-sorted column order
    is the flat row order. GUB rows are named ``zone_<z>``; coupling rows take ``core.row_names``
    (``row_<i>`` where missing).
    """
    n = core.n_rows
    prob = pulp.LpProblem(name.replace(" ", "_"), pulp.LpMinimize)
    width = len(str(max(n - 1, 0)))
    x = prob.add_variable_matrix(f"x_%0{width}d", range(n), 0, 1, pulp.LpBinary)

    nz = np.flatnonzero(core.c)
    prob.setObjective(pulp.LpAffineExpression(zip([x[k] for k in nz], core.c[nz].tolist())))

    names = [f"zone_{z}" for z in range(core.n_zones)] + _coupling_names(core)
    repeated = sorted(k for k, count in collections.Counter(names).items() if count > 1)
    if repeated:
        raise ValueError(f"row names must be unique; repeated: {repeated}")

    ptr = core.zone_ptr.tolist()
    for z in range(core.n_zones):
        lo, hi = ptr[z], ptr[z + 1]
        expr = pulp.LpAffineExpression(zip(x[lo:hi], [1] * (hi - lo)))
        prob.addConstraint(pulp.LpConstraint(expr, pulp.LpConstraintEQ, names[z], 1))
    for i in range(core.n_coupling):
        cols = np.flatnonzero(core.A[i])
        expr = pulp.LpAffineExpression(zip([x[k] for k in cols], core.A[i, cols].tolist()))
        prob.addConstraint(pulp.LpConstraint(expr, pulp.LpConstraintLE,
                                             names[core.n_zones + i], float(core.b[i])))
    return prob, x


def highs_csr_arrays(core: LinearCore) -> dict[str, np.ndarray]:
    """The core's constraint matrix row-wise (CSR) for HiGHS: GUB rows first, then ``A``'s nonzeros.

    Returns ``start`` (int32, (n_zones + m,)), ``index`` (int32), ``value`` (float64),
    ``row_lower`` and ``row_upper`` (float64, (n_zones + m,); ``-inf`` for the coupling rows).
    """
    n, nzones, m = core.n_rows, core.n_zones, core.n_coupling
    rows, cols = np.nonzero(core.A)                  # row-major: sorted by row, then column
    per_row = np.bincount(rows, minlength=m)
    coupling_start = n + np.concatenate(([0], np.cumsum(per_row)[:-1])) if m else np.empty(0)
    return {
        "start": np.concatenate((core.zone_ptr[:-1], coupling_start)).astype(np.int32),
        "index": np.concatenate((np.arange(n), cols)).astype(np.int32),
        "value": np.concatenate((np.ones(n), core.A[rows, cols])).astype(np.float64),
        "row_lower": np.concatenate((np.ones(nzones), np.full(m, -np.inf))),
        "row_upper": np.concatenate((np.ones(nzones), core.b)).astype(np.float64),
    }


def _pass_to_highs(h, core: LinearCore) -> None:
    import highspy

    a = highs_csr_arrays(core)
    n, n_rows = core.n_rows, core.n_zones + core.n_coupling
    status = h.passModel(
        n, n_rows, len(a["index"]), int(highspy.MatrixFormat.kRowwise),
        int(highspy.ObjSense.kMinimize), 0.0,
        np.ascontiguousarray(core.c, dtype=np.float64), np.zeros(n), np.ones(n),
        a["row_lower"], a["row_upper"], a["start"], a["index"], a["value"],
        np.full(n, int(highspy.HighsVarType.kInteger), dtype=np.int32),
    )
    if status != highspy.HighsStatus.kOk:
        raise RuntimeError(f"HiGHS passModel returned {status}")

