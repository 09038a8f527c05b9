"""Budgets per year of spending in a portfolio (``budget_per_year_cny``, docs/portfolio.md).

The yearly schedule of an option (capex in its works' year, upkeep, maintenance and monitoring
after) must discount back to its ``cost_cny``; the joined optimum under yearly rows is checked
against an independent PuLP + HiGHS model; bad yearly budgets exit 2 naming the file and field;
one site end to end writes each year's spending against its limit, in the files and the report.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pulp
import pytest

from benchmarks.instances import make_instance, to_compiled
from conftest import pulp_site, refused_naming_field
from optimizer.errors import PortfolioError
from optimizer.models import cost
from optimizer.options.spending import spending_by_year
from optimizer.portfolio import SitePart, join_sites, solve_joined
from optimizer.portfolio.shared import spending_years, year_rows

ROOT = Path(__file__).resolve().parents[1]
LOESS = ROOT / "sites" / "loess_dump" / "zones.gpkg"


# ----------------------------------------------------------------------------------------------
# the schedule of one option
# ----------------------------------------------------------------------------------------------
def test_upkeep_share_is_the_undiscounted_annuity_pro_rata():
    share = cost.upkeep_share_by_year(np.array([0.0, 2.5, 3.0, 9.0]), 4)
    assert share.tolist() == [[0, 0, 0, 0], [1, 1, 0.5, 0], [1, 1, 1, 0], [1, 1, 1, 1]]
    d = 1.05 ** -np.arange(1, 5.0)
    assert share @ d == pytest.approx(cost.annuity_factor(np.array([0.0, 2.5, 3.0, 9.0]), d), rel=1e-12)


def _discounted(table, schedule):
    r = table.settings.discount_rate
    return schedule @ (1.0 + r) ** -np.arange(schedule.shape[1], dtype=float)


def test_a_schedule_pays_capex_in_year_0_and_discounts_to_the_cost(tiny_table):
    rows = np.arange(tiny_table.n_rows)
    s = spending_by_year(tiny_table, rows)
    assert s.shape == (tiny_table.n_rows, tiny_table.settings.horizon_yr + 1)
    assert np.all(s >= 0)
    assert s[:, 0] == pytest.approx(tiny_table.data["capex_cny"], rel=1e-12)
    assert _discounted(tiny_table, s) == pytest.approx(tiny_table.data["cost_cny"], rel=1e-10)
    works = tiny_table.data["capex_cny"] > 0
    assert works.any() and np.all(s[works, 1:].sum(axis=1) > 0)   # running costs after works
    assert np.all(s[~works] == 0) or np.all(s[~works, 0] == 0)


def test_delayed_works_pay_in_their_year_and_carry_the_path_they_replace(tiny_table):
    """A re-plan's delayed rows (optimizer.options.delay): capex in year D, running costs from
    D + 1; with a prefix, the replaced option's own capex (year 0) and running costs to D are added.
    Either way the schedule discounts to the row's cost_cny."""
    n, D = tiny_table.n_rows, 4
    delay = np.zeros(n, dtype=np.int64)
    delay[1::2] = D
    prefix = np.full(n, -1, dtype=np.int64)
    prefix[1::4] = np.arange(n)[1::4]            # the same option again, its stand cleared in year D + 1
    t = replace(tiny_table, start_delay_yr=delay, prefix_row=prefix)
    rows = np.arange(n)
    s = spending_by_year(t, rows)
    assert _discounted(t, s) == pytest.approx(t.score(rows)["cost_cny"], rel=1e-10)
    plain = spending_by_year(tiny_table, rows)
    bare = np.arange(n)[3::4]                     # delayed, no prefix: the fresh schedule shifted by D
    assert np.all(s[bare, :D] == 0)
    assert s[bare, D] == pytest.approx(plain[bare, 0])
    with_prefix = np.arange(n)[1::4]
    # the replaced path pays as it would have to year D; the new works' capex comes on top in year D
    assert s[with_prefix, :D] == pytest.approx(plain[with_prefix, :D], rel=1e-12)
    assert s[with_prefix, D] == pytest.approx(plain[with_prefix, D] + plain[with_prefix, 0], rel=1e-12)
    assert s[with_prefix, D + 1:] == pytest.approx(plain[with_prefix, 1:-D], rel=1e-12)


# ----------------------------------------------------------------------------------------------
# the joined problem with yearly rows, against PuLP + HiGHS
# ----------------------------------------------------------------------------------------------
def _yearly_parts(n_sites=3, zones=12, options=5, years=3):
    insts, parts, spend = [], [], []
    for k in range(n_sites):
        inst = make_instance(zones, options, seed=500 + k)
        rng = np.random.default_rng(600 + k)
        capex = 1e3 * inst["cost"]
        # year 0 the capex, then running costs of 2–8 % of it, some options none
        run = capex[:, None] * rng.uniform(0.02, 0.08, (len(capex), years - 1)) * (rng.random((len(capex), 1)) > 0.3)
        spend.append(np.hstack([capex[:, None], run]))
        insts.append(inst)
        parts.append(SitePart(f"s{k}", to_compiled(inst, objectives=("removals",), rows=("erosion",)), capex))
    return insts, parts, spend


def _pulp_yearly(insts, spend, budget, limits, own=None):
    m = pulp.LpProblem("yearly", pulp.LpMaximize)
    obj, total, per_year = [], [], [[] for _ in limits]
    for k, inst in enumerate(insts):
        x = pulp_site(m, k, inst)
        obj.append(pulp.lpDot(inst["carbon_t"], x))
        total.append(pulp.lpDot(1e3 * inst["cost"], x))
        for j in range(len(limits)):
            per_year[j].append(pulp.lpDot(spend[k][:, j], x))
    m += pulp.lpSum(obj)
    m += pulp.lpSum(total) <= budget
    for j, limit in enumerate(limits):
        m += pulp.lpSum(per_year[j]) <= limit
    for k, j, limit in own or ():                 # (site, year index, limit): a site's own yearly row
        m += per_year[j][k] <= limit
    m.solve(pulp.HiGHS(msg=False, gapRel=1e-9, timeLimit=120))
    assert pulp.LpStatus[m.status] == "Optimal"
    return pulp.value(m.objective)


def test_yearly_budgets_optimum_matches_pulp_highs_and_binds():
    insts, parts, spend = _yearly_parts()
    top = sum(s.reshape(12, 5, 3).max(axis=1).sum(axis=0) for s in spend)      # the most any plan pays per year
    budget = 0.6 * float(top[0])
    limits = (0.8 * budget, 0.25 * float(top[1]), 0.9 * float(top[2]))
    rows = year_rows(limits, (2027, 2028, 2029), spend)
    joined = join_sites(parts, budget, shared=rows)
    assert joined.n_shared == 4 and joined.compiled.con_names[1:4] == ("spending in 2027", "spending in 2028",
                                                                       "spending in 2029")
    plan = solve_joined(joined, gap=1e-6, exact=True)
    assert plan.gap <= 1e-6
    c = joined.compiled
    sel = c.table_rows(plan.choice)
    ours = float(-c.F[0][sel].sum())
    assert ours == pytest.approx(_pulp_yearly(insts, spend, budget, limits), rel=2e-6)
    assert np.all(c.A[:4, sel].sum(axis=1) <= c.b[:4] * (1 + 1e-9))
    # the second year's limit binds: without the yearly rows the plan removes more and overspends it
    free = solve_joined(join_sites(parts, budget), gap=1e-6, exact=True)
    free_sel = c.zone_ptr[:-1] + free.choice
    assert -c.F[0][free_sel].sum() > ours * (1 + 1e-6)
    assert c.A[2][free_sel].sum() > limits[1]


def test_a_sites_own_yearly_budget_matches_pulp_highs():
    """``[[sites]] budget_per_year_cny``: rows over that site's options only, beside the portfolio's."""
    insts, parts, spend = _yearly_parts()
    top = sum(s.reshape(12, 5, 3).max(axis=1).sum(axis=0) for s in spend)
    budget = 0.6 * float(top[0])
    limits = (budget, 0.5 * float(top[1]), float(top[2]))
    s1_top = spend[1].reshape(12, 5, 3).max(axis=1).sum(axis=0)
    own_limits = (float(s1_top[0]), 0.2 * float(s1_top[1]))
    rows = year_rows(limits, (2027, 2028, 2029), spend)
    rows += year_rows(own_limits, (2027, 2028), [None, spend[1][:, :2], None], prefix="s1: ")
    joined = join_sites(parts, budget, shared=rows)
    assert joined.compiled.con_names[4:6] == ("s1: spending in 2027", "s1: spending in 2028")
    assert not joined.compiled.A[5][:60].any() and not joined.compiled.A[5][120:].any()
    plan = solve_joined(joined, gap=1e-6, exact=True)
    c = joined.compiled
    sel = c.table_rows(plan.choice)
    theirs = _pulp_yearly(insts, spend, budget, limits, own=[(1, 0, own_limits[0]), (1, 1, own_limits[1])])
    assert float(-c.F[0][sel].sum()) == pytest.approx(theirs, rel=2e-6)
    assert c.A[5][sel].sum() <= own_limits[1] * (1 + 1e-9)
    loose = solve_joined(join_sites(parts, budget, shared=rows[:3]), gap=1e-6, exact=True)
    assert c.A[5][c.zone_ptr[:-1] + loose.choice].sum() > own_limits[1]          # the site's row binds


def test_the_calendar_of_yearly_budgets_and_its_mistakes():
    cal = [("a", 2026, 40), ("b", 2026, 20)]
    assert spending_years((1.0, 2.0), None, cal) == (2026, 2027)
    assert spending_years((1.0,) * 41, 2026, cal) == tuple(range(2026, 2067))
    with pytest.raises(PortfolioError) as e:
        spending_years((1.0,) * 42, None, cal, file="p.toml")
    assert e.value.problems[0].field == "portfolio.budget_per_year_cny" and "wrong length" in str(e.value)
    assert "2026–2067" in str(e.value) and "2026–2066" in str(e.value)
    with pytest.raises(PortfolioError) as e:
        spending_years((1.0,), 2020, cal)
    assert "wrong length" in str(e.value)
    with pytest.raises(PortfolioError) as e:
        spending_years((1.0,), None, [("a", 2026, 40), ("b", 2028, 40)])
    assert e.value.problems[0].field == "portfolio.budget_first_year" and "2028: b" in str(e.value)
    assert spending_years((1.0,), 2028, [("a", 2026, 40), ("b", 2028, 40)]) == (2028,)


# ----------------------------------------------------------------------------------------------
# the portfolio file and the command
# ----------------------------------------------------------------------------------------------
def run(*args):
    return subprocess.run([sys.executable, "-m", "optimizer", *map(str, args)], capture_output=True, text=True)


SITE = f'[[sites]]\nname = "loess"\npath = "{LOESS}"\n'


@pytest.mark.parametrize("what,line,field,says", [
    ("negative year", "budget_per_year_cny = [1e7, -5.0]", "portfolio.budget_per_year_cny[1]",
     "outside the allowed range"),
    ("nan year", "budget_per_year_cny = [nan]", "portfolio.budget_per_year_cny[0]", "not a finite number"),
    ("inf year", "budget_per_year_cny = [1e7, inf]", "portfolio.budget_per_year_cny[1]", "not a finite number"),
    ("text year", 'budget_per_year_cny = ["1e7"]', "portfolio.budget_per_year_cny[0]", "not a number"),
    ("empty list", "budget_per_year_cny = []", "portfolio.budget_per_year_cny", "non-empty list"),
    ("not a list", "budget_per_year_cny = 1e7", "portfolio.budget_per_year_cny", "non-empty list"),
    ("bad first year", "budget_per_year_cny = [1e7]\nbudget_first_year = 20.5", "portfolio.budget_first_year",
     "calendar year"),
    ("first year alone", "budget_first_year = 2027", "portfolio.budget_first_year", "without budget_per_year_cny"),
])
def test_bad_yearly_budgets_exit_2_naming_file_and_field(tmp_path, what, line, field, says):
    p = tmp_path / "portfolio.toml"
    p.write_text(f'[portfolio]\nname = "p"\nbudget_cny = 1e8\n{line}\n' + SITE, encoding="utf-8")
    refused_naming_field(run("portfolio", p, "--out", tmp_path / "o"), p, field, says, what, out=tmp_path / "o")


@pytest.mark.parametrize("line,field,says", [
    ("budget_per_year_cny = [1e6, -1.0]", "sites[0].budget_per_year_cny[1]", "outside the allowed range"),
    ("budget_per_year_cny = [nan]", "sites[0].budget_per_year_cny[0]", "not a finite number"),
    ("budget_per_year_cny = []", "sites[0].budget_per_year_cny", "non-empty list"),
])
def test_bad_site_yearly_budgets_exit_2_naming_file_and_field(tmp_path, line, field, says):
    p = tmp_path / "portfolio.toml"
    p.write_text('[portfolio]\nname = "p"\nbudget_cny = 1e8\n' + SITE + line + "\n", encoding="utf-8")
    r = run("portfolio", p, "--out", tmp_path / "o")
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr and str(p) in r.stderr and f"field {field!r}" in r.stderr, r.stderr
    assert says in r.stderr


def test_a_yearly_budget_longer_than_the_sites_years_exits_2(tmp_path):
    """The loess site runs 2026 + 40 years: 42 yearly budgets reach 2067."""
    p = tmp_path / "portfolio.toml"
    p.write_text('[portfolio]\nname = "p"\nbudget_cny = 1e8\nbudget_per_year_cny = [' + ", ".join(["1e7"] * 42)
                 + "]\n" + SITE, encoding="utf-8")
    r = run("portfolio", p, "--out", tmp_path / "o", "--workers", "1", "--no-report")
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr
    assert str(p) in r.stderr and "field 'portfolio.budget_per_year_cny'" in r.stderr and "wrong length" in r.stderr
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())
    # the same list as the site's own
    p.write_text('[portfolio]\nname = "p"\nbudget_cny = 1e8\n' + SITE + "budget_per_year_cny = ["
                 + ", ".join(["1e7"] * 42) + "]\n", encoding="utf-8")
    r = run("portfolio", p, "--out", tmp_path / "o", "--workers", "1", "--no-report")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "field 'sites[0].budget_per_year_cny'" in r.stderr and "wrong length" in r.stderr and "2026–2066" in r.stderr


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_one_site_with_yearly_budgets_end_to_end(tmp_path):
    """The second year's limit cuts the plan; each year's spending, its limit and the dual price
    of the binding year reach spending_by_year.csv, summary.json and the report."""
    from optimizer.portfolio import optimize_portfolio, resolve_portfolio

    raw = {"portfolio": {"name": "yearly", "budget_cny": 5e7, "budget_per_year_cny": [5e7, 4e5, 5e7]},
           "sites": [{"name": "loess", "path": str(LOESS)}]}
    spec = resolve_portfolio(raw, file="p.toml", root=tmp_path)
    free = optimize_portfolio(replace(spec, budget_per_year_cny=(), budget_first_year=None), workers=1)
    free_t = free.summary["totals"]["removals_tco2e"]
    res = optimize_portfolio(spec, out_dir=tmp_path / "o", workers=1)
    s = res.summary
    assert s["status"] == "optimal" and s["gap"] <= 1e-4
    years = pd.read_csv(tmp_path / "o" / "spending_by_year.csv")
    assert years["year"].tolist() == [2026, 2027, 2028]
    assert np.all(years["spent_cny"] <= years["limit_cny"] * (1 + 1e-9))
    assert years["loess:spent_cny"].tolist() == pytest.approx(years["spent_cny"].tolist(), rel=1e-12)
    # the plan's own schedule: its rows' spending in 2026–2028, year 2026 its capex
    b = res.sites[0]
    sched = spending_by_year(b.table, b.compiled.table_rows(res.site_plans["loess"].choice))
    assert years["spent_cny"].tolist() == pytest.approx(sched[:, :3].sum(axis=0).tolist(), rel=1e-9)
    assert years["spent_cny"][0] == pytest.approx(res.frame["capex_cny"].sum(), rel=1e-9)
    assert years["binding"].tolist() == [False, True, False]
    assert years["dual_tco2e_per_cny"][1] > 0 and years["dual_tco2e_per_cny"][2] == 0
    assert s["totals"]["removals_tco2e"] < free_t
    assert [y["year"] for y in s["spending_by_year"]] == [2026, 2027, 2028]
    on_disk = json.loads((tmp_path / "o" / "summary.json").read_text(encoding="utf-8"))
    assert on_disk["spending_by_year"][1]["binding"] is True
    html = (tmp_path / "o" / "report.html").read_text(encoding="utf-8")
    assert "Spending per year" in html and "fig-portfolio-years" in html
    row = html.split("Spending per year")[2].split("</tr>")[2]      # the table's second year
    assert "2027" in row and "binds" in row and math.isfinite(1e3 * years["dual_tco2e_per_cny"][1])
    assert f"{1e3 * years['dual_tco2e_per_cny'][1]:.3f}" in row
    # the same limits as the site's own (its [[sites]] table): the same optimum, its rows named by the site
    own = resolve_portfolio({"portfolio": {"name": "own", "budget_cny": 5e7},
                             "sites": [{"name": "loess", "path": str(LOESS), "budget_per_year_cny": [5e7, 4e5, 5e7]}]},
                            file="p.toml", root=tmp_path)
    alone = optimize_portfolio(own, workers=1, report=False)
    rows = {r["name"]: r for r in alone.summary["shared_constraints"]}
    assert set(rows) == {"shared budget (capex)", "loess: spending in 2026", "loess: spending in 2027",
                         "loess: spending in 2028"}
    assert rows["loess: spending in 2027"]["lhs"] == pytest.approx(years["spent_cny"][1], rel=1e-6)
    assert alone.summary["objective_value"] == pytest.approx(s["objective_value"], rel=2e-4)
    assert "spending_by_year" not in alone.summary


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_a_portfolio_sweep_keeps_the_yearly_budgets_in_every_scenario(tmp_path):
    """Each scenario's record has each year's spending and dual; the yearly rows hold whatever the
    budget and discount rate (nominal money: re-weighting leaves the schedule alone), and a
    scenario equals the portfolio command at its budget."""
    from optimizer.portfolio import optimize_portfolio, resolve_portfolio
    from optimizer.portfolio.sweep import PortfolioSolveSpec, score_portfolio, solve_portfolio_batch
    from optimizer.sweep import parse_grid, scenarios

    raw = {"portfolio": {"name": "yearly", "budget_cny": 5e7, "budget_per_year_cny": [5e7, 4e5]},
           "sites": [{"name": "loess", "path": str(LOESS)}]}
    ps = PortfolioSolveSpec(spec=resolve_portfolio(raw, file="p.toml", root=tmp_path))
    scored = score_portfolio(ps.spec, None)
    scen = scenarios(parse_grid(["discount=0.03,0.08", "budget=1.5e7,2.5e7"])).drop(columns="scenario_id")
    recs = solve_portfolio_batch(scored, ps, scen.to_dict("records"))
    for sc, r in zip(scen.to_dict("records"), recs):
        assert r["solve_status"] == "optimal", r
        assert r["spent_2026_cny"] <= min(sc["budget"], 5e7) * (1 + 1e-9)
        assert r["spent_2027_cny"] <= 4e5 * (1 + 1e-9)
        assert r["spent_2026_cny"] == pytest.approx(r["capex_cny"], rel=1e-9)
        assert math.isfinite(r["dual_2027_tco2e_per_cny"])
    by = {(sc["discount"], sc["budget"]): r for sc, r in zip(scen.to_dict("records"), recs)}
    assert by[(0.03, 2.5e7)]["options"] == by[(0.08, 2.5e7)]["options"]    # removals under capex: money-blind
    assert by[(0.03, 2.5e7)]["dual_2027_tco2e_per_cny"] > 0
    direct = optimize_portfolio(ps.spec, budget_cny=2.5e7, workers=1, report=False)
    assert by[(0.03, 2.5e7)]["objective"] == pytest.approx(direct.summary["objective_value"], rel=2e-4)


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_the_haul_of_a_regional_stock_is_paid_in_the_works_year(tmp_path):
    """A site drawing topsoil 12 km from a regional dump at ¥1.5 per m³·km pays the haul with its
    works: year 2026's spending is its spend on the shared budget (capex + haul), later years
    are the plan's running costs alone. (Its credit optimum uses topsoil; its removals optimum
    does not.)"""
    from optimizer.portfolio import optimize_portfolio, resolve_portfolio

    raw = {"portfolio": {"name": "haul", "budget_cny": 5e7, "budget_per_year_cny": [5e7, 5e7], "objective": "credits"},
           "sites": [{"name": "loess", "path": str(LOESS)}],
           "stocks": [{"name": "dump", "material": "topsoil", "quantity_m3": 1e6, "haul_km": {"loess": 12.0},
                       "haul_cny_per_m3_km": 1.5}]}
    res = optimize_portfolio(resolve_portfolio(raw, file="p.toml", root=tmp_path), workers=1, report=False)
    years = res.years
    row = res.frame.iloc[0]
    assert row["budget_spend_cny"] > row["capex_cny"] * (1 + 1e-6)          # some topsoil hauled
    assert years["spent_cny"][0] == pytest.approx(row["budget_spend_cny"], rel=1e-9)
    b = res.sites[0]
    sched = spending_by_year(b.table, b.compiled.table_rows(res.site_plans["loess"].choice))
    assert years["spent_cny"][1] == pytest.approx(sched[:, 1].sum(), rel=1e-9)


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_the_command_says_each_years_spending_and_the_binding_years_dual(tmp_path, capsys):
    from optimizer.cli import main

    p = tmp_path / "portfolio.toml"
    p.write_text('[portfolio]\nname = "p"\nbudget_cny = 5e7\nbudget_per_year_cny = [5e7, 4e5]\n' + SITE,
                 encoding="utf-8")
    assert main(["portfolio", str(p), "--out", str(tmp_path / "o"), "--workers", "1", "--no-report"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    years = pd.read_csv(tmp_path / "o" / "spending_by_year.csv")
    assert f"spending in 2026: ¥{years['spent_cny'][0] / 1e6:,.2f} M of ¥50.00 M" in text
    assert (f"spending in 2027: ¥{years['spent_cny'][1] / 1e6:,.2f} M of ¥0.40 M, binds (dual price "
            f"{1e3 * years['dual_tco2e_per_cny'][1]:.3f} t CO2e per extra ¥1k)") in text
