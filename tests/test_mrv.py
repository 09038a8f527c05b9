"""Credits issuable to date by each standard (issue 14 item 4, optimizer/monitoring/mrv.py): at the
plan's own growth and the full horizon they are the option table's credits (scored by the
accounting chain, docs/science.md §5); the growth multiplier moves only what a standard credits
from biomass; counting stops at the year asked."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import make_site
from optimizer.monitoring.mrv import credits_to_date, plan_rows
from optimizer.monitoring.paths import RunPaths
from optimizer.options import evaluate_options
from optimizer.settings import resolve_settings

ZONES = [
    dict(zone_id="A", zone_type="slope", slope_deg=28.0, slope_length_m=30.0, area_ha=2.0),
    dict(zone_id="C", area_ha=3.0, land_designation="planned_afforestation_land"),
    dict(zone_id="D", area_ha=1.0, soil_depth_cm=20.0, land_designation="grassland"),
    dict(zone_id="F", zone_type="subsidence_pool", water_depth_m=1.0, area_ha=2.5),
]


def _paths(standards, pick="removals_tco2e") -> RunPaths:
    """A run's paths on a four-zone site assessed under ``standards``, each zone given its option
    with the most ``pick``."""
    site = make_site(ZONES, settings=resolve_settings({"accounting": {"standards": list(standards)}}))
    table = evaluate_options(site)
    zid = table.zones["zone_id"].astype(str).to_numpy()
    best = [int(lo + np.argmax(table.data[pick][lo:hi])) for lo, hi in zip(table.zone_ptr[:-1], table.zone_ptr[1:])]
    zones = pd.DataFrame({"zone_id": zid, "option_id": table.option_id[best]})
    s = site.settings
    return RunPaths(run_dir=Path("."), site=site, table=table, plan=None, zones=zones, trajectories=None,
                    start_year=int(s.start_year), horizon_yr=int(s.horizon_yr))


@pytest.mark.parametrize("standard", ["CCER", "VCS", "VM0044"])
def test_at_the_plans_growth_over_the_horizon_they_are_the_option_tables_credits(standard):
    paths = _paths([standard])
    rows = plan_rows(paths)
    end = paths.start_year + paths.horizon_yr
    mrv = credits_to_date(paths, np.ones(len(rows)), end).set_index("standard")
    ok = paths.table.eligible[standard][rows]
    expected = paths.table.data["credits_tco2e"][rows][ok].sum()
    r = mrv.loc[standard]
    assert r["credits_issuable_tco2e"] == pytest.approx(expected, rel=1e-9, abs=1e-9)
    assert r["credits_forecast_tco2e"] == pytest.approx(expected, rel=1e-9, abs=1e-9)
    assert r["zones_eligible"] == ok.sum() and r["to_date_year"] == end
    assert r["net_to_date_tco2e"] == pytest.approx(r["removals_to_date_tco2e"] - r["baseline_to_date_tco2e"]
                                                   - r["leakage_to_date_tco2e"], abs=1e-9)
    if standard != "VM0044":
        assert expected > 1.0                          # the check is not of zeros


def test_the_growth_multiplier_moves_biomass_credits_only_and_counting_stops_at_the_year():
    paths = _paths(["VCS", "VM0044"], pick="credits_tco2e")
    n = len(paths.zones)
    year = paths.start_year + 10
    base = credits_to_date(paths, np.ones(n), year).set_index("standard")
    more = credits_to_date(paths, np.full(n, 1.5), year).set_index("standard")
    assert more.loc["VCS", "credits_issuable_tco2e"] > base.loc["VCS", "credits_issuable_tco2e"] > 0
    assert more.loc["VCS", "credits_forecast_tco2e"] == base.loc["VCS", "credits_forecast_tco2e"]
    assert more.loc["VCS", "difference_tco2e"] > 0
    assert more.loc["VM0044", "credits_issuable_tco2e"] == base.loc["VM0044", "credits_issuable_tco2e"]
    assert (base["to_date_year"] == year).all()
    # to date: the first ten years of the credit series of a table assessed under VCS alone
    # (with several standards a row's series is scored once, on the pools any of them credits)
    alone = _paths(["VCS"], pick="credits_tco2e")
    rows = plan_rows(alone)
    series = alone.table.annual(rows)["credits_tco2e"][:, :10]
    assert (series.sum(axis=1) >= 0).all()
    ok = alone.table.eligible["VCS"][rows]
    to_10 = credits_to_date(alone, np.ones(n), year).set_index("standard").loc["VCS", "credits_issuable_tco2e"]
    assert to_10 == pytest.approx(series[ok].sum(), rel=1e-9) and to_10 > 1.0
    # a grassland zone leaks all its VCS removals (leakage.csv, VMD0054 placeholder [P])
    t = paths.table
    d = int(np.flatnonzero(t.zones["zone_id"] == "D")[0])
    lo, hi = t.zone_ptr[d], t.zone_ptr[d + 1]
    vcs = lo + np.flatnonzero(t.eligible["VCS"][lo:hi])
    paths.zones.loc[paths.zones["zone_id"] == "D", "option_id"] = t.option_id[vcs[np.argmax(
        t.data["removals_tco2e"][vcs])]]
    leaky = credits_to_date(paths, np.ones(n), year).set_index("standard").loc["VCS"]
    assert leaky["zones_eligible"] == base.loc["VCS", "zones_eligible"] + 1
    assert leaky["leakage_to_date_tco2e"] > 1.0
    assert leaky["credits_issuable_tco2e"] == pytest.approx(base.loc["VCS", "credits_issuable_tco2e"], rel=1e-9)
