"""Plans and fronts on tiny sites against brute force (every plan enumerated), and infeasibility
explained."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from optimizer.analysis.pareto import nondominated
from optimizer.errors import InfeasibleError, ProblemDefinitionError
from optimizer.evaluate import evaluate
from optimizer.problem import OBJECTIVES, Problem, Share
from optimizer.solve.exact import epsilon_front, solve, supported_front
from optimizer.solve.status import Status


@pytest.fixture(scope="module")
def tiny(tiny_table):
    return tiny_table


def all_plans(compiled):
    n = compiled.n_options
    assert np.prod(n.astype(float)) < 2e6, n
    return np.array(list(itertools.product(*[range(k) for k in n])), dtype=np.int64)


def brute(compiled, k=0):
    X = all_plans(compiled)
    ev = evaluate(compiled, X, totals=False)
    feas = ev.feasible
    assert feas.any()
    i = np.argmin(np.where(feas, ev.F[:, k], np.inf))
    return X, ev, feas, ev.F[i, k]


def test_objective_sense_flip_in_one_place(tiny):
    c = Problem(objectives=("removals", "cost")).compile(tiny)
    x = np.zeros((1, c.n_zones), dtype=np.int64)
    ev = evaluate(c, x)
    assert ev.objectives[0, 0] == pytest.approx(ev.totals["removals_tco2e"][0])
    assert ev.F[0, 0] == pytest.approx(-ev.totals["removals_tco2e"][0])
    assert ev.F[0, 1] == pytest.approx(ev.totals["cost_cny"][0])
    assert OBJECTIVES["removals"].sense == -1 and OBJECTIVES["soil_loss"].sense == 1


@pytest.mark.parametrize("budget_frac,cap_frac", [(0.3, None), (0.5, 0.6), (0.15, 0.9), (1.0, 0.4)])
@pytest.mark.parametrize("objective", ["removals", "credit_value", "soil_loss"])
def test_single_optimum_matches_brute_force(tiny, objective, budget_frac, cap_frac):
    free = Problem(objectives=(objective,)).compile(tiny)
    X = all_plans(free)
    tot = evaluate(free, X).totals
    capex = tot["capex_cny"]
    pr = Problem(objectives=(objective,), budget_cny=capex.min() + budget_frac * np.ptp(capex),
                 site_soil_loss_cap_t_per_yr=None if cap_frac is None else
                 tot["soil_loss_t_per_yr"].min() + cap_frac * np.ptp(tot["soil_loss_t_per_yr"]),
                 topsoil_stock_m3=20_000)
    c = pr.compile(tiny)
    _, _, _, best = brute(c)
    for method in ("fast", "milp"):
        plan = solve(c, method=method)
        ev = evaluate(c, plan.choice[None, :])
        assert ev.feasible[0]
        assert plan.status is Status.OPTIMAL
        got = ev.F[0, 0]
        tol = plan.gap * max(1.0, abs(got)) + 1e-7 * max(1.0, abs(best))
        assert got <= best + tol, (method, got, best)
        # the bound never cuts off the true optimum (bound in natural sign)
        sense = OBJECTIVES[objective].sense
        assert sense * plan.bound <= best + 1e-7 * max(1.0, abs(best))


@pytest.mark.slow
def test_epsilon_front_points_are_non_dominated_and_span_the_front(tiny):
    pr = Problem(objectives=("removals", "cost"), budget_cny=5e5)
    c = pr.compile(tiny)
    X, ev, feas, _ = brute(c)
    F = ev.F[feas]
    true_front = F[nondominated(F)]
    front = epsilon_front(c, points=12, gap=1e-6, workers=2)
    fe = evaluate(c, front.choices)
    assert fe.feasible.all()
    for f, g in zip(fe.F, front.gaps):
        # no feasible plan dominates a front point beyond its certified gap
        tol = g * np.maximum(1.0, np.abs(f)) + 1e-6
        dominated = np.all(F <= f - tol, axis=1) & np.any(F < f - tol, axis=1)
        assert not dominated.any()
    # the extremes of the true front are found
    assert fe.F[:, 0].min() == pytest.approx(true_front[:, 0].min(), rel=1e-6)
    assert fe.F[:, 1].min() == pytest.approx(true_front[:, 1].min(), rel=1e-6)
    np.testing.assert_allclose(front.values, fe.objectives)


def test_three_objective_front(tiny):
    c = Problem(objectives=("removals", "cost", "soil_loss"), budget_cny=5e5).compile(tiny)
    X, ev, feas, _ = brute(c)
    F = ev.F[feas]
    front = epsilon_front(c, points=16, gap=1e-6, workers=1)
    fe = evaluate(c, front.choices)
    assert len(front) >= 4 and fe.feasible.all()
    for f in fe.F:
        tol = 1e-6 * np.maximum(1.0, np.abs(f))
        assert not (np.all(F <= f - tol, axis=1) & np.any(F < f - tol, axis=1)).any()


def test_supported_front_is_the_convex_hull(tiny):
    c = Problem(objectives=("removals", "capex")).compile(tiny)
    X, ev, _, _ = brute(c)
    sf = supported_front(c)
    cost, value = sf.supported["cost"], sf.supported["value"]
    # every plan lies on or below the front's piecewise-linear upper hull
    inside = (ev.objectives[:, 1] >= cost[0] - 1e-6) & (ev.objectives[:, 1] <= cost[-1] + 1e-6)
    hull_at = np.interp(ev.objectives[inside, 1], cost, value)
    assert np.all(ev.objectives[inside, 0] <= hull_at + 1e-6 * np.abs(hull_at).max())
    # the end points are the cheapest plan (best removals among them) and the max-removal plan
    assert value[-1] == pytest.approx(ev.objectives[:, 0].max())
    assert cost[0] == pytest.approx(ev.objectives[:, 1].min())


def test_budget_below_what_tolerance_requires(tiny):
    c = Problem(objectives=("removals",)).compile(tiny)
    forced = np.minimum.reduceat(tiny.data["capex_cny"][c.rows], c.zone_ptr[:-1]).sum()
    assert forced > 0
    with pytest.raises(InfeasibleError) as e:
        Problem(objectives=("removals",), budget_cny=0.5 * forced).compile(tiny)
    msg = str(e.value)
    assert "budget" in msg and "the soil-loss tolerance alone requires" in msg
    assert f"¥{forced / 1e6:,.2f} M" in msg or f"¥{forced:,.0f}" in msg
    assert "zones " in msg and "short by" in msg


def test_topsoil_cannot_cover_locked_zones(tiny):
    df = tiny.to_frame()
    rows = df[(df.zone_id == "C") & df.option_id.str.contains("topsoil_30")]
    oid = rows.option_id.iloc[0]
    need = rows.topsoil_m3.iloc[0]
    with pytest.raises(InfeasibleError) as e:
        Problem(objectives=("removals",), topsoil_stock_m3=need / 2, locks=(("C", oid),)).compile(tiny)
    msg = str(e.value)
    assert f"the topsoil stock {need / 2:,.0f} m³ cannot cover the locked zones ({need:,.0f} m³: C)" in msg


def test_rows_that_conflict_are_explained(tiny):
    """Budget and soil-loss cap each feasible alone, not together: say which and by how much."""
    free = Problem(objectives=("removals",)).compile(tiny)
    tot = evaluate(free, all_plans(free)).totals
    cheap = tot["capex_cny"].min()
    pr = Problem(objectives=("removals",), budget_cny=cheap * 1.01 + 1,
                 site_soil_loss_cap_t_per_yr=tot["soil_loss_t_per_yr"].min() * 1.001)
    c = pr.compile(tiny)
    with pytest.raises(InfeasibleError) as e:
        solve(c)
    msg = str(e.value)
    assert "together" in msg and ("budget" in msg or "soil loss" in msg) and "by" in msg


def test_problem_pieces_must_fit(tiny):
    with pytest.raises(ProblemDefinitionError, match="did you mean 'removals'"):
        Problem(objectives=("removal",)).compile(tiny)
    with pytest.raises(ProblemDefinitionError, match="no zone 'Q'"):
        Problem(locks=(("Q", "x"),)).compile(tiny)
    with pytest.raises(ProblemDefinitionError, match="not feasible for zone 'F'"):
        Problem(locks=(("F", "terrace+grassland"),)).compile(tiny)
    with pytest.raises(ProblemDefinitionError, match="neither a measure nor an option"):
        Problem(forbid=("terace",)).compile(tiny)


def test_shares_locks_and_forbid(tiny):
    pr = Problem(objectives=("removals",), budget_cny=1.2e6, shares=(Share("woody", low=0.5),),
                 forbid=("shrub",), locks=(("D", "grassland"),))
    c = pr.compile(tiny)
    plan = solve(c)
    df = plan.to_frame()
    assert df.set_index("zone_id").loc["D", "option_id"] == "grassland"
    assert not df.option_id.map(lambda o: "shrub" in o.split("+")).any()
    woody = df.vegetation_type.isin(["tree_shrub_herb", "robinia", "poplar", "conifer", "shrub"])
    assert df.area_ha[woody].sum() >= 0.5 * df.area_ha.sum() - 1e-9
    _, _, _, best = brute(c)
    assert evaluate(c, plan.choice[None, :]).F[0, 0] <= best + plan.gap * abs(best) + 1e-6


def test_front_extremes_carry_their_own_certificate_not_a_hard_coded_zero(tiny, monkeypatch):
    """The payoff table's plans are reported with the status and gap their two solves reached."""
    from optimizer.solve import exact

    c = Problem(objectives=("removals", "cost"), budget_cny=5e5).compile(tiny)
    seen = []
    real = exact._solve_core

    def spy(core, **kw):
        res = real(core, **kw)
        seen.append(res)
        return res

    monkeypatch.setattr(exact, "_solve_core", spy)
    _, plans, statuses, gaps = exact._payoff(c, dict(method="auto", solver="highs", gap=1e-4, time_limit_s=60.0,
                                                      exact=False))
    # two stages per extreme (lexicographic): the status is the worse of the two, the gap the larger
    assert len(seen) == 4
    for k in range(2):
        first, second = seen[2 * k], seen[2 * k + 1]
        assert gaps[k] == max(float(first.gap), float(second.gap))
        assert statuses[k] is (Status.OPTIMAL if first.status is second.status is Status.OPTIMAL else
                               next(r.status for r in (first, second) if r.status is not Status.OPTIMAL))
    # a solve that stops short is labelled so, whatever the front does with it
    from dataclasses import replace
    monkeypatch.setattr(exact, "_solve_core", lambda core, **kw: replace(real(core, **kw), status=Status.FEASIBLE))
    front = exact.epsilon_front(c, points=3, workers=1)
    assert all(s is Status.FEASIBLE for s in front.status)


@pytest.mark.parametrize("share", [Share("measure", "terrace", low=0.2), Share("group", "landform", high=0.3),
                                   Share("woody", low=0.4), Share("vegetation_type", "grassland", high=0.5)])
def test_area_share_rows_hold_the_area_under_the_options_that_count(tiny, share):
    """Each share row holds the area of the options that carry the measure, group or type (checked
    against the options' own measure lists), with its sense; the fast optimum matches brute force."""
    c = Problem(objectives=("removals",), shares=(share,)).compile(tiny)
    frame = tiny.to_frame(c.rows)
    parts = frame["option_id"].str.split("+")
    ms = tiny.combos.measures
    if share.kind == "measure":
        member = parts.apply(lambda p: share.value in p).to_numpy()
    elif share.kind == "group":
        in_group = set(ms.loc[ms["group"] == share.value, "measure_id"])
        member = parts.apply(lambda p: bool(in_group & set(p))).to_numpy()
    elif share.kind == "vegetation_type":
        member = (frame["vegetation_type"] == share.value).to_numpy()
    else:
        member = None
    if member is not None:
        assert member.any()
        assert np.allclose(np.abs(c.A[0]), np.where(member, frame["area_ha"].to_numpy(), 0.0))
    assert c.con_senses == ((">=",) if share.low is not None else ("<=",))
    _, _, _, best = brute(c)
    plan = solve(c, method="fast")
    assert evaluate(c, plan.choice[None, :]).feasible[0]
    assert -plan.objectives["removals"] <= best + plan.gap * max(1.0, abs(best)) + 1e-7 * max(1.0, abs(best))


def _lexicographic_highs(compiled, k, gap):
    """An independent lexicographic extreme: PuLP + HiGHS minimises objective k, then the other
    objective with objective k held at the first stage's value (min sense, natural units)."""
    from optimizer.solve.milp import solve_milp

    core, _ = compiled.core(k)
    first = solve_milp(core, solver="highs", gap_rel=gap, time_limit_s=3600.0)
    f1 = evaluate(compiled, np.asarray(first.choice)[None, :], totals=False).F[0]
    core, _ = compiled.core(1 - k, extra_A=compiled.F[k][None, :], extra_b=np.array([f1[k]]), extra_names=("lex",))
    second = solve_milp(core, solver="highs", gap_rel=gap, time_limit_s=3600.0)
    assert second.choice is not None, "HiGHS found no lexicographic plan"
    return evaluate(compiled, np.asarray(second.choice)[None, :], totals=False).F[0]


def _dominates_beyond(a, b, rel):
    """``a`` no worse than ``b`` in every objective and better in one by more than ``rel``·|b|."""
    tol = rel * np.maximum(1.0, np.abs(b))
    return bool(np.all(a <= b + 1e-9 * np.maximum(1.0, np.abs(b))) and np.any(a < b - tol))


@pytest.mark.slow
def test_front_extremes_are_lexicographic_and_certified():
    """Issue 11: the ε front's extremes are solved lexicographically (second stage warm-started from
    the first and proved to its own gap): none is dominated, beyond the front's gap, by another plan
    of the front or by an independent HiGHS lexicographic solve; each carries its true status and gap.
    (At 10³×50, seed 2, the min-cost extreme once had 1.08 % less carbon than a plan of no higher cost;
    a smaller instance keeps HiGHS's independent solve short on a loaded machine; its limit, an hour, is
    never reached, so the check does not depend on the clock.)"""
    from benchmarks.instances import make_instance, to_compiled

    c = to_compiled(make_instance(300, 30, seed=2))
    front = epsilon_front(c, points=20, workers=1, gap=1e-4)
    F = evaluate(c, front.choices, totals=False).F
    for k in range(2):
        e = int(np.argmin(F[:, k]))
        assert front.status[e] is Status.OPTIMAL and 0.0 <= front.gaps[e] <= 1e-4
        assert not any(_dominates_beyond(F[i], F[e], 1e-4) for i in range(len(F)) if i != e), k
        assert not _dominates_beyond(_lexicographic_highs(c, k, 1e-4), F[e], 1e-4), k
