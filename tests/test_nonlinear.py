"""Non-linear objectives (diversity, fragmentation, sink year, worst-five-years soil loss) and the
adjacency they need, checked by hand on hand-drawn sites."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from conftest import make_site
from optimizer.adjacency import adjacency
from optimizer.errors import ProblemDefinitionError
from optimizer.evaluate import evaluate, indicator, sink_year, worst_years_mean
from optimizer.options import evaluate_options
from optimizer.problem import Problem
from optimizer.site import Site

OX, OY = 400_000.0, 4_370_000.0


def squares_in_a_row(n=4, side=100.0):
    return [box(OX + side * k, OY, OX + side * (k + 1), OY + side) for k in range(n)]


def geo_site(rows, geoms):
    base = make_site(rows)
    gdf = gpd.GeoDataFrame(base.zones, geometry=geoms, crs="EPSG:32649")
    return Site(zones=gdf, settings=base.settings, path="test", sha256="")


@pytest.fixture(scope="module")
def row_site():
    """A (platform), B (slope 15°), C (platform), D (deep pool: open water only), 1 ha each, in a
    row of 100 m squares: A–B, B–C and C–D share 100 m edges."""
    return geo_site([dict(zone_id="A"), dict(zone_id="B", zone_type="slope", slope_deg=15.0),
                     dict(zone_id="C"), dict(zone_id="D", zone_type="subsidence_pool", water_depth_m=5.0,
                                                 slope_deg=np.nan)], squares_in_a_row())


@pytest.fixture(scope="module")
def row_table(row_site):
    return evaluate_options(row_site)


def plan_with(compiled, veg_by_zone):
    """A plan giving each zone its first option of the wanted vegetation type ('' = none)."""
    nl = compiled.nonlinear
    types = np.array(nl.veg_types, dtype=object)
    out = []
    for z, want in enumerate(veg_by_zone):
        lo, hi = compiled.zone_ptr[z], compiled.zone_ptr[z + 1]
        hits = np.flatnonzero(types[nl.veg_code[lo:hi]] == want)
        assert len(hits), f"zone {z} has no option with vegetation {want!r}"
        out.append(hits[0])
    return np.array(out, dtype=np.int64)


# ----------------------------------------------------------------------------------------------
# adjacency
# ----------------------------------------------------------------------------------------------
def test_adjacency_of_squares_in_a_row(row_site):
    i, j, length = adjacency(row_site.zones)
    assert list(zip(i.tolist(), j.tolist())) == [(0, 1), (1, 2), (2, 3)]
    np.testing.assert_allclose(length, [100.0, 100.0, 100.0])


def test_adjacency_corners_and_partial_edges():
    geoms = [box(OX, OY, OX + 100, OY + 100), box(OX + 100, OY, OX + 200, OY + 100),
             box(OX, OY + 100, OX + 100, OY + 200), box(OX + 100, OY + 100, OX + 200, OY + 200),
             box(OX + 200, OY + 25, OX + 250, OY + 75)]            # half an edge of zone 1
    gdf = gpd.GeoDataFrame({"zone_id": list("abcde")}, geometry=geoms, crs="EPSG:32649")
    i, j, length = adjacency(gdf)
    got = {(a, b): v for a, b, v in zip(i.tolist(), j.tolist(), length.tolist())}
    assert got == pytest.approx({(0, 1): 100.0, (0, 2): 100.0, (1, 3): 100.0, (2, 3): 100.0, (1, 4): 50.0})
    assert (0, 3) not in got and (1, 2) not in got                    # diagonal: corner contact only


def test_adjacency_tolerance_bridges_digitising_gaps():
    geoms = [box(OX, OY, OX + 100, OY + 100), box(OX + 100.4, OY, OX + 200, OY + 100)]
    gdf = gpd.GeoDataFrame({"zone_id": ["a", "b"]}, geometry=geoms, crs="EPSG:32649")
    assert len(adjacency(gdf)[0]) == 0
    i, j, length = adjacency(gdf, tolerance_m=1.0)
    assert (i.tolist(), j.tolist()) == ([0], [1]) and length[0] == pytest.approx(100.0, abs=2.0)


def test_adjacency_needs_polygons_in_metres():
    with pytest.raises(ProblemDefinitionError, match="CSV"):
        adjacency(pd.DataFrame({"zone_id": ["a"]}))
    gdf = gpd.GeoDataFrame({"zone_id": ["a"]}, geometry=[box(0, 0, 1e-3, 1e-3)], crs="EPSG:4326")
    with pytest.raises(ProblemDefinitionError, match="geographic"):
        adjacency(gdf)


def test_fragmentation_needs_adjacency(row_table):
    with pytest.raises(ProblemDefinitionError, match="polygons"):
        Problem(objectives=("removals", "fragmentation")).compile(row_table)
    with pytest.raises(ProblemDefinitionError, match="another site"):
        Problem(objectives=("removals", "fragmentation")).compile(row_table, adjacency=([0], [7], [1.0]))


# ----------------------------------------------------------------------------------------------
# the objectives by hand
# ----------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def compiled4(row_site, row_table):
    return Problem(objectives=("removals", "diversity", "fragmentation", "sink_year", "soil_loss_worst5")) \
        .compile(row_table, adjacency=adjacency(row_site.zones))


@pytest.mark.parametrize("veg,frag,shares", [
    (["grassland", "grassland", "shrub", ""], 200.0, [2 / 3, 1 / 3]),      # B|C and C|D differ
    (["grassland", "grassland", "grassland", ""], 100.0, [1.0]),           # only C|D (water) differs
    (["shrub", "grassland", "shrub", ""], 300.0, [2 / 3, 1 / 3]),          # every edge differs
    (["natural_regeneration", "shrub", "grassland", ""], 300.0, [1 / 3, 1 / 3, 1 / 3]),
])
def test_diversity_and_fragmentation_by_hand(compiled4, veg, frag, shares):
    x = plan_with(compiled4, veg)
    ev = evaluate(compiled4, x[None, :])
    h = -sum(p * math.log(p) for p in shares)          # open water (D) does not count: shares of 3 ha
    got = dict(zip(ev.names, ev.objectives[0]))
    assert got["diversity"] == pytest.approx(h, abs=1e-12)
    assert got["fragmentation"] == pytest.approx(frag)
    # the minimisation sense: diversity is maximised, fragmentation minimised
    assert ev.F[0, 1] == pytest.approx(-h) and ev.F[0, 2] == pytest.approx(frag)
    assert indicator(compiled4, x[None, :], "fragmentation")[0] == pytest.approx(frag)


def test_diversity_weights_by_area():
    site = geo_site([dict(zone_id="A", area_ha=3.0), dict(zone_id="B", area_ha=1.0)], squares_in_a_row(2))
    table = evaluate_options(site)
    c = Problem(objectives=("removals", "diversity")).compile(table)
    x = plan_with(c, ["grassland", "shrub"])
    h = -(0.75 * math.log(0.75) + 0.25 * math.log(0.25))
    assert evaluate(c, x[None, :]).objectives[0, 1] == pytest.approx(h, abs=1e-12)
    assert evaluate(c, plan_with(c, ["shrub", "shrub"])[None, :]).objectives[0, 1] == 0.0


def test_sink_year_and_worst_years_from_the_annual_series(compiled4, row_table):
    rng = np.random.default_rng(3)
    X = np.floor(rng.random((12, compiled4.n_zones)) * compiled4.n_options).astype(np.int64)
    ev = evaluate(compiled4, X)
    for x, row in zip(X, ev.objectives):
        rows = compiled4.table_rows(x)
        series = row_table.annual(rows)
        net = series["net_removals_tco2e"].sum(axis=0)
        loss = series["soil_loss_t"].sum(axis=0)
        cum, year = 0.0, None
        cums = []
        for v in net:
            cum += v
            cums.append(cum)
        year = len(net) + 1
        for t in range(len(net), 0, -1):               # walk back while cumulative stays positive
            if cums[t - 1] > 0:
                year = t
            else:
                break
        got = dict(zip(ev.names, row))
        assert got["sink_year"] == year
        assert got["soil_loss_worst5"] == pytest.approx(np.mean(sorted(loss)[-5:]), rel=1e-6)


def test_sink_year_definition():
    net = np.array([[-10, 3, 3, 5, -2, 4],       # cumulative −10 −7 −4 1 −1 3: a sink from year 6
                    [5, 1, 1, 1, 1, 1],          # a sink from year 1
                    [-10, 1, 1, 1, 1, 1],        # never positive: horizon + 1
                    [-1, 2, -5, 1, 1, 1]], dtype=float)
    assert sink_year(net).tolist() == [6, 1, 7, 7]
    a = np.arange(1, 11, dtype=float)[None, :]
    assert worst_years_mean(a)[0] == pytest.approx(8.0)
    assert worst_years_mean(a[:, :3])[0] == pytest.approx(2.0)


def test_linear_results_unchanged_by_nonlinear_objectives(compiled4, row_table):
    lin = Problem(objectives=("removals",)).compile(row_table)
    X = np.zeros((3, lin.n_zones), dtype=np.int64)
    X[1] = lin.n_options - 1
    a, b = evaluate(lin, X), evaluate(compiled4, X)
    np.testing.assert_array_equal(a.F[:, 0], b.F[:, 0])
    for k in a.totals:
        np.testing.assert_array_equal(a.totals[k], b.totals[k])
    assert compiled4.linear_part().objectives[0].name == "removals" and len(compiled4.linear_part().objectives) == 1


def test_exact_solvers_refuse_nonlinear_objectives(compiled4):
    from optimizer.solve.exact import solve
    with pytest.raises(ProblemDefinitionError, match="not a sum over zones"):
        solve(compiled4, objective="fragmentation")
    with pytest.raises(ProblemDefinitionError, match="not a sum over zones"):
        compiled4.core(np.ones(len(compiled4.objectives)))
    assert solve(compiled4.linear_part()).choice.shape == (compiled4.n_zones,)
