"""Workflows run whole jobs without the command line: same plans, same files."""

from __future__ import annotations

import json

import pytest

from conftest import SITES
from optimizer.errors import SinkPlanError
from optimizer.workflows import Constraints, SiteInput, optimize_site, pareto_site

LOESS = SITES / "loess_dump/zones.gpkg"


@pytest.mark.slow
def test_optimize_site_meets_a_target_and_writes_the_run(tmp_path):
    r = optimize_site(LOESS, "cost", Constraints(constraints=["removals>=30000"]), out_dir=tmp_path)
    assert r.plan.status.value == "optimal" and r.plan.totals["removals_tco2e"] >= 30000
    s = json.loads((tmp_path / "summary.json").read_text())
    assert s["objective_value"] == pytest.approx(r.plan.objectives["cost"])
    assert {p.name for p in r.files} >= {"plan.csv", "plan.gpkg", "summary.json", "manifest.json"}


def test_optimize_site_without_out_dir_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = optimize_site(SiteInput(LOESS), "removals", Constraints(budget_cny=1e7))
    assert r.files == [] and list(tmp_path.iterdir()) == []
    assert r.plan.totals["capex_cny"] <= 1e7


def test_budget_reaches_the_solver_as_a_row():
    r = optimize_site(LOESS, "removals", Constraints(budget_cny=8e6, budget_on="cost"))
    i = r.compiled.con_names.index("budget (cost)")
    assert r.compiled.b[i] == 8e6 and r.plan.totals["cost_cny"] <= 8e6 * (1 + 1e-9)


@pytest.mark.parametrize("kw,msg", [
    (dict(objectives=["removals", "diversity"], method="exact"), "not a sum over zones"),
    (dict(objectives=["removals"], method="exact"), "two or three objectives"),
    (dict(objectives=["removals", "carbon"]), "unknown objective 'carbon'"),
    (dict(objectives=["removals", "cost"], method="magic"), "method 'magic'"),
])
def test_pareto_site_refuses_what_cannot_be_a_front(kw, msg):
    with pytest.raises(SinkPlanError, match=msg):
        pareto_site(LOESS, **kw)


@pytest.mark.slow
def test_pareto_site_front_is_written_and_stale_points_removed(tmp_path):
    big = pareto_site(LOESS, ["removals", "cost"], points=5, workers=1, out_dir=tmp_path)
    small = pareto_site(LOESS, ["removals", "cost"], points=3, workers=1, out_dir=tmp_path)
    assert len(small.front) < len(big.front)
    assert {p.name for p in small.removed} == {f"point_{k:03d}{s}" for k in range(len(small.front), len(big.front))
                                               for s in (".csv", ".gpkg", "_trajectories.csv")}
