"""Portfolios: sites under one shared budget (optimizer.portfolio, `sinkplan portfolio`).

The joined optimum is checked against an independent PuLP + HiGHS model written here from the raw
site arrays; the budget's dual price against the LP relaxation solved by HiGHS (scipy's linprog);
bad portfolio files exit 2 naming the file and field; the bundled sites end to end (slow).
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pulp
import pytest

from benchmarks.instances import make_instance, to_compiled
from conftest import pulp_site, refused_naming_field
from optimizer.portfolio import (
    SitePart,
    budget_dual_price,
    join_sites,
    optimize_portfolio,
    resolve_portfolio,
    site_marginals,
    solve_joined,
)

ROOT = Path(__file__).resolve().parents[1]
SITES = ROOT / "sites"


def _parts(n_sites=3, zones=25, options=8, rows=("erosion",), weights=None):
    insts = [make_instance(zones, options, seed=100 + k) for k in range(n_sites)]
    parts = []
    for k, inst in enumerate(insts):
        comp = to_compiled(inst, objectives=("removals",), rows=rows)
        parts.append(SitePart(f"s{k}", comp, 1e3 * inst["cost"], 1.0 if weights is None else weights[k]))
    return insts, parts


def _pulp_optimum(insts, budget_cny, rows=("erosion",), weights=None):
    """The joined problem written again from the instances' arrays and solved by HiGHS via PuLP."""
    m = pulp.LpProblem("portfolio", pulp.LpMaximize)
    obj, spend = [], []
    for k, inst in enumerate(insts):
        x = pulp_site(m, k, inst, erosion="erosion" in rows)
        w = 1.0 if weights is None else weights[k]
        obj.append(pulp.lpDot(w * inst["carbon_t"], x))
        spend.append(pulp.lpDot(1e3 * inst["cost"], x))
    m += pulp.lpSum(obj)
    m += pulp.lpSum(spend) <= budget_cny
    m.solve(pulp.HiGHS(msg=False, gapRel=1e-9))
    assert pulp.LpStatus[m.status] == "Optimal"
    return pulp.value(m.objective)


@pytest.mark.parametrize("weights", [None, [1.0, 2.0, 0.5]])
def test_joined_optimum_matches_an_independent_pulp_highs_model(weights):
    insts, parts = _parts(weights=weights)
    budget = 0.25 * sum(1e3 * i["cost"].reshape(25, 8).max(axis=1).sum() for i in insts)
    joined = join_sites(parts, budget)
    plan = solve_joined(joined, gap=1e-6, exact=True)
    ours = float(-joined.compiled.F[0][joined.compiled.table_rows(plan.choice)].sum())
    theirs = _pulp_optimum(insts, budget, weights=weights)
    assert ours == pytest.approx(theirs, rel=2e-6)
    # every row holds: the shared budget and each site's own erosion cap
    rows = joined.compiled.table_rows(plan.choice)
    assert np.all(joined.compiled.A[:, rows].sum(axis=1) <= joined.compiled.b * (1 + 1e-9))
    assert plan.status.value == "optimal"


def test_split_gives_every_site_its_zones_and_the_budget_is_shared():
    insts, parts = _parts(n_sites=2, rows=())
    joined = join_sites(parts, 1e6)
    plan = solve_joined(joined)
    per_site = joined.split(plan.choice)
    assert [len(c) for c in per_site] == [p.compiled.n_zones for p in parts]
    spend = sum(float(p.spend_cny[p.compiled.zone_ptr[:-1] + c].sum()) for p, c in zip(parts, per_site))
    assert spend <= 1e6 * (1 + 1e-9)
    # a richer budget never removes less
    richer = solve_joined(joined.with_budget(2e6))
    assert -joined.compiled.F[0][joined.compiled.table_rows(richer.choice)].sum() >= \
        -joined.compiled.F[0][joined.compiled.table_rows(plan.choice)].sum() - 1e-9


def test_budget_dual_price_is_the_lp_relaxations_dual_by_highs():
    """With the budget as the only row, the engine's multiplier is the exact LP dual."""
    from scipy.optimize import linprog

    insts, parts = _parts(n_sites=3, rows=())
    budget = 2.0e6
    joined = join_sites(parts, budget)
    plan = solve_joined(joined)
    ours = budget_dual_price(joined, plan.info)
    c = joined.compiled
    n, nz = c.F.shape[1], c.n_zones
    gub = np.zeros((nz, n))
    for z in range(nz):
        gub[z, c.zone_ptr[z]:c.zone_ptr[z + 1]] = 1.0
    lp = linprog(c.F[0], A_ub=c.A, b_ub=c.b, A_eq=gub, b_eq=np.ones(nz), bounds=(0, 1), method="highs")
    assert lp.status == 0
    assert ours == pytest.approx(-lp.ineqlin.marginals[0], rel=1e-6)
    assert ours > 0


def test_site_marginals_bracket_the_dual_price_when_the_site_spends_inside_its_hull():
    insts, parts = _parts(n_sites=3, rows=())
    joined = join_sites(parts, 2.0e6)
    plan = solve_joined(joined, gap=1e-6, exact=True)
    dual = budget_dual_price(joined, plan.info)
    for part, choice in zip(parts, joined.split(plan.choice)):
        gain, loss = site_marginals(part, choice)
        assert gain >= 0
        assert math.isnan(loss) or loss >= gain - 1e-15     # concave trade-off: a ¥ lost costs at least a ¥ gained
        # at an LP-optimal split no site could buy more per ¥ than the price nor lose less
        assert gain <= dual * 1.5 and (math.isnan(loss) or loss >= dual / 1.5)


# ----------------------------------------------------------------------------------------------
# the portfolio file
# ----------------------------------------------------------------------------------------------
def _toml(tmp_path, text):
    p = tmp_path / "portfolio.toml"
    p.write_text(text, encoding="utf-8")
    return p


def run(*args):
    return subprocess.run([sys.executable, "-m", "optimizer", *map(str, args)], capture_output=True, text=True)


GOOD_SITE = f'[[sites]]\nname = "loess"\npath = "{SITES / "loess_dump" / "zones.gpkg"}"\n'


@pytest.mark.parametrize("what,text,field,says", [
    ("missing site file",
     '[portfolio]\nname = "p"\nbudget_cny = 1e7\n[[sites]]\nname = "a"\npath = "nope/zones.gpkg"\n',
     "sites[0].path", "file not found"),
    ("unknown key", '[portfolio]\nname = "p"\nbudget_cny = 1e7\nbudjet = 3\n' + GOOD_SITE,
     "portfolio.budjet", "unknown key"),
    ("negative budget", '[portfolio]\nname = "p"\nbudget_cny = -5\n' + GOOD_SITE, "portfolio.budget_cny",
     "outside the allowed range"),
    ("negative farmland quota", '[portfolio]\nname = "p"\nbudget_cny = 1e7\nmin_farmland_ha = -5\n' + GOOD_SITE,
     "portfolio.min_farmland_ha", "outside the allowed range"),
    ("nan farmland quota", '[portfolio]\nname = "p"\nbudget_cny = 1e7\nmin_farmland_ha = nan\n' + GOOD_SITE,
     "portfolio.min_farmland_ha", "not a finite number"),
    ("text farmland quota", '[portfolio]\nname = "p"\nbudget_cny = 1e7\nmin_farmland_ha = "100 ha"\n' + GOOD_SITE,
     "portfolio.min_farmland_ha", "not a number"),
    ("inf budget", '[portfolio]\nname = "p"\nbudget_cny = inf\n' + GOOD_SITE, "portfolio.budget_cny",
     "not a finite number"),
    ("no budget", '[portfolio]\nname = "p"\n' + GOOD_SITE, "portfolio.budget_cny", "missing"),
    ("unknown site key", '[portfolio]\nname = "p"\nbudget_cny = 1e7\n' + GOOD_SITE + 'wieght = 2\n',
     "sites[0].wieght", "did you mean 'weight'"),
    ("zero weight", '[portfolio]\nname = "p"\nbudget_cny = 1e7\n' + GOOD_SITE + 'weight = 0\n',
     "sites[0].weight", "outside the allowed range"),
    ("no sites", '[portfolio]\nname = "p"\nbudget_cny = 1e7\n', "[[sites]]", "at least one"),
    ("same name twice", '[portfolio]\nname = "p"\nbudget_cny = 1e7\n' + GOOD_SITE + GOOD_SITE, "sites[1].name",
     "also the name"),
])
def test_bad_portfolio_file_exits_2_naming_file_and_field(tmp_path, what, text, field, says):
    p = _toml(tmp_path, text)
    refused_naming_field(run("portfolio", p, "--out", tmp_path / "o"), p, field, says, what, out=tmp_path / "o")


def test_every_problem_of_the_file_is_reported_at_once(tmp_path):
    from optimizer.errors import PortfolioError

    raw = {"portfolio": {"name": "p", "budget_cny": float("nan"), "colour": 1},
           "sites": [{"name": "a/b", "path": "missing.gpkg"}]}
    with pytest.raises(PortfolioError) as e:
        resolve_portfolio(raw, file="p.toml", root=tmp_path)
    fields = {p.field for p in e.value.problems}
    assert {"portfolio.budget_cny", "portfolio.colour", "sites[0].name", "sites[0].path"} <= fields


def test_a_site_without_tolerable_options_is_refused_by_name_unless_allowed(tmp_path):
    p = _toml(tmp_path, '[portfolio]\nname = "p"\nbudget_cny = 3e7\n[[sites]]\nname = "east"\n'
                        f'path = "{SITES / "eastern_subsidence" / "zones.gpkg"}"\n')
    r = run("portfolio", p, "--out", tmp_path / "o", "--workers", "1")
    assert r.returncode == 2
    errors = "".join(x for x in r.stderr.splitlines(keepends=True) if not x.startswith("warning: "))
    assert errors.startswith("error: ") and "sites[0] (east)" in errors and "allow_intolerable = true" in errors


# ----------------------------------------------------------------------------------------------
# the bundled sites, end to end
# ----------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_three_bundled_sites_end_to_end(tmp_path):
    text = ('[portfolio]\nname = "bundled"\nbudget_cny = 5e7\n'
            f'[[sites]]\nname = "loess_dump"\npath = "{SITES / "loess_dump" / "zones.gpkg"}"\n'
            f'[[sites]]\nname = "eastern_subsidence"\npath = "{SITES / "eastern_subsidence" / "zones.gpkg"}"\n'
            'allow_intolerable = true\n'
            f'[[sites]]\nname = "inner_mongolia_grassland"\n'
            f'path = "{SITES / "inner_mongolia_grassland" / "zones.geojson"}"\n')
    p = _toml(tmp_path, text)
    out = tmp_path / "o"
    r = run("portfolio", p, "--out", out, "--points", "3")
    assert r.returncode == 0, r.stderr
    df = pd.read_csv(out / "portfolio.csv")
    assert list(df.columns[:7]) == ["site", "zones", "removals_tco2e", "credits_tco2e", "capex_cny", "cost_cny",
                                    "marginal_tco2e_per_cny"]
    assert list(df["site"]) == ["loess_dump", "eastern_subsidence", "inner_mongolia_grassland"]
    s = json.loads((out / "summary.json").read_text())
    assert s["status"] == "optimal" and s["gap"] <= 1e-4
    assert s["budget_used_cny"] <= 5e7 * (1 + 1e-9)
    assert df["capex_cny"].sum() == pytest.approx(s["budget_used_cny"], rel=1e-9)
    assert df["removals_tco2e"].sum() == pytest.approx(s["totals"]["removals_tco2e"], rel=1e-9)
    assert s["budget_dual_tco2e_per_cny"] > 0
    for name in df["site"]:
        folder = out / "sites" / name
        for f in ("plan.gpkg", "plan.csv", "plan.geojson", "plan_trajectories.csv", "summary.json", "manifest.json"):
            assert (folder / f).is_file(), (name, f)
        site_summary = json.loads((folder / "summary.json").read_text())
        assert site_summary["totals"]["removals_tco2e"] == pytest.approx(
            float(df.loc[df["site"] == name, "removals_tco2e"].iloc[0]), rel=1e-9)
    man = json.loads((out / "manifest.json").read_text())
    assert len(man["inputs"]["portfolio_file"]["sha256"]) == 64
    assert set(man["sites"]) == set(df["site"]) and "portfolio.csv" in man["outputs"]
    assert "report.html" in man["outputs"] and "Shared constraints" in (out / "report.html").read_text("utf-8")
    shifts = pd.read_csv(out / "budget_shifts.csv")
    assert (shifts["spend_plus_cny"].sum() >= shifts["spend_cny"].sum() - 1.0)
    front = pd.read_csv(out / "front.csv")
    assert len(front) == 3 and front["value"].is_monotonic_increasing


# ----------------------------------------------------------------------------------------------
# shared constraints beyond the budget: regional stocks and minimum shares
# ----------------------------------------------------------------------------------------------
def _stocked_parts(own_topsoil=(3e3, math.inf, 1e3), zones=10, options=5):
    """Three synthetic sites, each with its own erosion row and its own topsoil row (own stock)."""
    from dataclasses import replace

    from optimizer.portfolio.shared import SiteData

    insts, parts, data = [], [], []
    for k, own in enumerate(own_topsoil):
        inst = make_instance(zones, options, seed=200 + k)
        rng = np.random.default_rng(300 + k)
        topsoil = rng.uniform(0, 800, len(inst["carbon_t"])) * (np.arange(len(inst["carbon_t"])) % options != 0)
        inst["topsoil_m3"] = topsoil
        comp = to_compiled(inst, objectives=("removals",), rows=("erosion",))
        if math.isfinite(own):
            comp = replace(comp, A=np.vstack([comp.A, topsoil]), b=np.r_[comp.b, own],
                           con_names=comp.con_names + ("topsoil stock",), con_units=comp.con_units + ("m³",))
        insts.append(inst)
        parts.append(SitePart(f"s{k}", comp, 1e3 * inst["cost"]))
        cols = {"topsoil_m3": topsoil, "gangue_m3": 0 * topsoil, "removals_tco2e": inst["carbon_t"],
                "credits_tco2e": inst["carbon_t"]}
        data.append(SiteData(name=f"s{k}", columns=cols,
                             own_stock_m3={"topsoil": own, "gangue": 0.0}, county="north" if k < 2 else "south",
                             lonlat=(112.0 + 0.1 * k, 39.5)))
    return insts, parts, data


def _pulp_shared(insts, budget, own, pool, share, haul):
    """The same problem written directly: s0 and s1 pool their topsoil with a regional stock
    (s2 keeps its own), the south county gets ≥ ``share`` of the removals; the haul to s1 costs."""
    m = pulp.LpProblem("shared", pulp.LpMaximize)
    xs, obj, spend, topsoil, removals = [], [], [], [], []
    for k, inst in enumerate(insts):
        x = pulp_site(m, k, inst)
        xs.append(x)
        obj.append(pulp.lpDot(inst["carbon_t"], x))
        spend.append(pulp.lpDot(1e3 * inst["cost"] + haul[k] * inst["topsoil_m3"], x))
        topsoil.append(pulp.lpDot(inst["topsoil_m3"], x))
        removals.append(pulp.lpDot(inst["carbon_t"], x))
    m += pulp.lpSum(obj)
    m += pulp.lpSum(spend) <= budget
    m += topsoil[0] + topsoil[1] <= pool + own[0]          # s1's unlimited own stock counts as none
    m += topsoil[2] <= own[2]
    m += removals[2] >= share * pulp.lpSum(removals)
    m.solve(pulp.HiGHS(msg=False, gapRel=1e-7, timeLimit=120))
    assert pulp.LpStatus[m.status] == "Optimal"
    return pulp.value(m.objective)


def test_regional_stock_and_min_share_optimum_matches_pulp_highs():
    from optimizer.portfolio.shared import share_rows, stock_rows
    from optimizer.portfolio.spec import MinShare, RegionalStock

    own = (2e3, math.inf, 1.5e3)
    insts, parts, data = _stocked_parts(own)
    stock = RegionalStock(name="dump", material="topsoil", quantity_m3=1e3, sites=("s0", "s1"),
                          haul_km=(("s1", 20.0),), at_site="s0", haul_cny_per_m3_km=2.0)
    plan_s = stock_rows((stock,), data)
    assert plan_s.drop == {"s0": {"topsoil stock"}, "s1": {"topsoil stock"}}
    assert plan_s.notes[0]["pooled_m3"] == 3e3 and plan_s.notes[0]["own_unlimited_counted_as_zero"] == ["s1"]
    spend = [p.spend_cny + plan_s.haul_cny.get(p.name, 0.0) for p in parts]
    parts = [SitePart(p.name, p.compiled, s) for p, s in zip(parts, spend)]
    share = 0.55
    rows = plan_s.rows + share_rows((MinShare(of="removals", share=share, county="south"),), data, spend)
    budget = 0.3 * sum(1e3 * i["cost"].reshape(10, 5).max(axis=1).sum() for i in insts)
    joined = join_sites(parts, budget, shared=rows, drop=plan_s.drop)
    assert joined.n_shared == 3 and joined.compiled.con_names[1].startswith("regional topsoil stock")
    plan = solve_joined(joined, gap=1e-6, exact=True)
    ours = float(-joined.compiled.F[0][joined.compiled.table_rows(plan.choice)].sum())
    theirs = _pulp_shared(insts, budget, own, 1e3, share, haul=(0.0, 40.0, 0.0))
    assert ours == pytest.approx(theirs, rel=2e-6)
    c = joined.compiled
    sel = c.table_rows(plan.choice)
    assert np.all(c.A[:, sel].sum(axis=1) <= c.b + 1e-6 * np.maximum(1, np.abs(c.b)))
    # the constraints change the optimum: without them the plan removes more
    loose = join_sites(parts, budget)
    free = solve_joined(loose, gap=1e-6, exact=True)
    assert -loose.compiled.F[0][loose.compiled.table_rows(free.choice)].sum() > ours * (1 + 1e-6)
    # the site plans answer for their own rows only: s0 and s1 lost their topsoil rows
    assert "topsoil stock" not in joined.own_compiled(0).con_names
    assert "topsoil stock" in joined.own_compiled(2).con_names


def test_a_far_site_keeps_its_own_stock_and_distances_are_great_circle():
    from optimizer.portfolio.shared import haversine_km, stock_rows
    from optimizer.portfolio.spec import RegionalStock

    # one degree of latitude is 111.2 km on the IUGG mean sphere
    assert haversine_km((112.0, 39.0), (112.0, 40.0)) == pytest.approx(111.195, abs=0.01)
    _, _, data = _stocked_parts()
    stock = RegionalStock(name="dump", material="topsoil", quantity_m3=1e3, location=(112.0, 39.5), max_haul_km=10.0)
    p = stock_rows((stock,), data)
    # s0 at the stock, s1 8.6 km east, s2 17.2 km east: beyond the haul
    assert p.notes[0]["drawing"] == ["s0", "s1"] and p.notes[0]["too_far"] == ["s2"]
    assert p.notes[0]["haul_km"]["s1"] == pytest.approx(haversine_km((112.0, 39.5), (112.1, 39.5)))
    assert "s2" not in p.drop


def test_a_stock_without_distances_is_refused_naming_the_stock():
    from dataclasses import replace

    from optimizer.errors import PortfolioError
    from optimizer.portfolio.shared import stock_rows
    from optimizer.portfolio.spec import RegionalStock

    _, _, data = _stocked_parts()
    data = [replace(d, lonlat=None) for d in data]
    with pytest.raises(PortfolioError) as e:
        stock_rows((RegionalStock(name="d", material="topsoil", quantity_m3=1.0, max_haul_km=5.0,
                                  location=(112.0, 39.5)),), data, file="p.toml")
    assert "stocks[0]" in str(e.value) and "haul_km" in str(e.value)


@pytest.mark.parametrize("what,extra,field,says", [
    ("share of an unknown site", '[[min_share]]\nof = "removals"\nshare = 0.2\nsite = "nowhere"\n',
     "min_share[0].site", "unknown site 'nowhere'"),
    ("share above one", '[[min_share]]\nof = "removals"\nshare = 20\nsite = "loess"\n', "min_share[0].share",
     "above 1"),
    ("share of what", '[[min_share]]\nof = "area"\nshare = 0.2\nsite = "loess"\n', "min_share[0].of",
     "not one of removals, credits, spending"),
    ("share of an unknown county", '[[min_share]]\nof = "spending"\nshare = 0.2\ncounty = "X"\n',
     "min_share[0].county", "no site has county"),
    ("negative stock", '[[stocks]]\nmaterial = "topsoil"\nquantity_m3 = -5\n', "stocks[0].quantity_m3",
     "outside the allowed range"),
    ("stock material", '[[stocks]]\nmaterial = "sand"\nquantity_m3 = 5\n', "stocks[0].material",
     "not one of topsoil, gangue"),
    ("stock of an unknown site", '[[stocks]]\nmaterial = "gangue"\nquantity_m3 = 5\nsites = ["loess", "b"]\n',
     "stocks[0].sites", "unknown site 'b'"),
    ("bad haul distance", '[[stocks]]\nmaterial = "gangue"\nquantity_m3 = 5\nhaul_km = { loess = -1 }\n',
     "stocks[0].haul_km.loess", "outside the allowed range"),
    ("bad location", '[[stocks]]\nmaterial = "gangue"\nquantity_m3 = 5\nlocation = [400, 1]\n',
     "stocks[0].location", "longitude"),
    ("unknown stock key", '[[stocks]]\nmaterial = "gangue"\nquantity_m3 = 5\nhaul_rate = 1\n',
     "stocks[0].haul_rate", "unknown key"),
])
def test_bad_shared_constraints_exit_2_naming_file_and_field(tmp_path, what, extra, field, says):
    p = _toml(tmp_path, '[portfolio]\nname = "p"\nbudget_cny = 1e7\n' + GOOD_SITE + extra)
    refused_naming_field(run("portfolio", p, "--out", tmp_path / "o"), p, field, says, what)


def test_portfolio_report_shows_allocations_moves_and_binding_rows_in_english_and_chinese(tmp_path):
    from optimizer.i18n import set_language
    from optimizer.report.portfolio import build_portfolio_report, load_portfolio_run

    frame = pd.DataFrame({"site": ["a", "b"], "zones": [3, 4], "removals_tco2e": [100.0, 50.0],
                          "credits_tco2e": [80.0, 40.0], "capex_cny": [2e6, 1e6], "cost_cny": [2.5e6, 1.2e6],
                          "marginal_tco2e_per_cny": [2e-5, 4e-5], "marginal_loss_tco2e_per_cny": [3e-5, 5e-5],
                          "weight": [1.0, 1.0], "budget_spend_cny": [2.1e6, 1e6]})
    shifts = pd.DataFrame({"site": ["a", "b"], "spend_cny": [2.1e6, 1e6], "spend_minus_cny": [2e6, 0.8e6],
                           "spend_plus_cny": [2.2e6, 1.2e6], "spend_gain_plus_cny": [1e5, 2e5],
                           "spend_loss_minus_cny": [1e5, 2e5]})
    front = pd.DataFrame({"budget_cny": [1e6, 3e6], "status": ["optimal", "optimal"], "value": [60.0, 150.0],
                          "a:spend_cny": [0.5e6, 2e6], "b:spend_cny": [0.5e6, 1e6]})
    summary = {"portfolio": "p <&>", "status": "optimal", "gap": 1e-5, "sites": 2, "zones": 7, "budget_cny": 3.1e6,
               "budget_used_cny": 3.1e6, "budget_on": "capex", "totals": {"removals_tco2e": 150.0},
               "budget_dual_tco2e_per_cny": 3.3e-5, "objective_name": "removals",
               "budget_moves": {"shift": 0.1, "gain_first": ["b", "a"], "lose_first": ["b"]},
               "shared_constraints": [
                   {"name": "shared budget (capex)", "unit": "CNY", "sense": "<=", "lhs": 3.1e6, "rhs": 3.1e6,
                    "slack": 0.0, "binding": True, "dual": 3.3e-5},
                   {"name": "least share of removals: site b ≥ 30%", "unit": "t CO2e", "sense": ">=", "lhs": -5.0,
                    "rhs": 0.0, "slack": 5.0, "binding": False, "dual": 0.0}],
               "stocks": [{"stock": "dump", "material": "topsoil", "pooled_m3": 5e3, "drawing": ["a", "b"],
                           "too_far": []}]}
    (tmp_path / "o").mkdir()
    frame.to_csv(tmp_path / "o" / "portfolio.csv", index=False)
    shifts.to_csv(tmp_path / "o" / "budget_shifts.csv", index=False)
    front.to_csv(tmp_path / "o" / "front.csv", index=False)
    (tmp_path / "o" / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    run_ = load_portfolio_run(tmp_path / "o")
    files = build_portfolio_report(run_, tmp_path / "r.html", tmp_path / "figs")
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert {p.name for p in files} == {"portfolio-allocation.png", "portfolio-front.png", "r.html"}
    for text in ("Allocation by site", "As the budget moves", "Shared constraints", "p &lt;&amp;&gt;",
                 "first to gain: b, a", "first to lose: b", "¥2.10 M", "0.033"):
        assert text in html, text
    # the budget binds with its dual; the share row, stored negated, reads back as 5 above its bound of 0
    rows = html.split("least share of removals")[1].split("</tr>")[0]
    assert "&gt;= -0" in rows or "&gt;= 0" in rows
    assert ">5<" in rows and "slack" in rows
    try:
        set_language("zh")
        build_portfolio_report(run_, tmp_path / "r_zh.html")
    finally:
        set_language("en")
    zh = (tmp_path / "r_zh.html").read_text(encoding="utf-8")
    assert 'lang="zh-CN"' in zh and "Allocation by site" not in zh and "Shared constraints" not in zh


def test_an_unreachable_share_is_explained_not_a_crash():
    """A joined problem has no one option table: its infeasibility is still said in words."""
    from optimizer.errors import InfeasibleError
    from optimizer.portfolio.shared import share_rows

    insts, parts, data = _stocked_parts((math.inf, math.inf, math.inf))
    rows = share_rows((_share_for("south"),), data, [p.spend_cny for p in parts])
    joined = join_sites(parts, 1e9, shared=rows)
    with pytest.raises(InfeasibleError) as e:
        solve_joined(joined)
    assert "least share of removals: county south ≥ 100%" in str(e.value) and "short by" in str(e.value)


def _share_for(county):
    from optimizer.portfolio.spec import MinShare
    return MinShare(of="removals", share=1.0, county=county)


# ----------------------------------------------------------------------------------------------
# a farmland quota over the sites
# ----------------------------------------------------------------------------------------------
def test_a_portfolio_farmland_quota_matches_the_same_quota_set_on_the_site(tmp_path):
    """The shared row (portfolio.min_farmland_ha) and the site's own coupling row
    (--constraint farmland>=HA) are built apart; on a one-site portfolio they must give the same
    optimum, and the plan's own accounting must show the quota met."""
    import dataclasses

    from optimizer.problem import parse_constraints
    from optimizer.solve.exact import solve

    east = SITES / "eastern_subsidence" / "zones.gpkg"
    p = _toml(tmp_path, '[portfolio]\nname = "farm"\nbudget_cny = 3e7\nmin_farmland_ha = 60\n'
                        f'allow_intolerable = true\n[[sites]]\nname = "east"\npath = "{east}"\n')
    res = optimize_portfolio(p, workers=1, gap=1e-6)
    farm = float(res.frame.loc[0, "restored_farmland_ha"])
    assert farm >= 60 - 1e-9 and res.summary["restored_farmland_ha"] == pytest.approx(farm)
    b = res.sites[0]
    free = solve(b.compiled, gap=1e-6)              # without the quota the plan restores less
    from optimizer.evaluate import accounting_totals
    assert float(accounting_totals(b.table, b.compiled.table_rows(free.choice)[None, :])[
        "restored_farmland_ha"][0]) < 60
    problem = dataclasses.replace(b.compiled.problem, budget_cny=3e7,
                                  shares=parse_constraints(["farmland>=60"])["shares"])
    own = solve(problem.compile(b.table), gap=1e-6)
    assert res.summary["objective_value"] == pytest.approx(own.objective_value, rel=3e-6)
