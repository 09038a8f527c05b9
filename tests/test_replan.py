"""``sinkplan replan`` (issue 14 item 3): the re-scored option table is the model's at multiplier 1,
the re-plan beats the stale plan on the synthetic truth, a spent budget and bad inputs exit 2."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from optimizer.cli import main
from optimizer.monitoring.replan import rescored_table

pytest.importorskip("geopandas")


def test_rescoring_at_multiplier_one_is_the_option_table(tiny_table):
    """Every row re-scored (a multiplier a hair from 1) gives the table's numbers back: the re-plan
    scores rows by the same chain as evaluate_options."""
    again = rescored_table(tiny_table, np.full(tiny_table.n_rows, 1.0 + 1e-15))
    for c, v in tiny_table.data.items():
        np.testing.assert_allclose(np.asarray(again.data[c], float), np.asarray(v, float), rtol=1e-9, atol=1e-9)
    doubled = rescored_table(tiny_table, np.full(tiny_table.n_rows, 2.0))
    more = doubled.data["removals_tco2e"] - tiny_table.data["removals_tco2e"]
    assert (more >= -1e-9).all() and (more > 1.0).mean() > 0.5     # rows without biomass do not change
    np.testing.assert_array_equal(doubled.data["capex_cny"], tiny_table.data["capex_cny"])


def test_replan_bad_inputs_exit_2(tmp_path):
    assert main(["replan", str(tmp_path / "nope"), "--monitoring", str(tmp_path / "m"), "--year", "2030",
                 "--out", str(tmp_path / "o")]) == 2
    assert main(["replan", str(tmp_path), "--monitoring", str(tmp_path), "--year", "x",
                 "--out", str(tmp_path / "o")]) == 2


def _under_truth(paths, rows, truth: pd.Series, delay_yr: int = 0) -> float:
    """Removals at the horizon of the plan ``rows`` when each zone's stand grows at its true
    multiplier on the run's option, and new works on the model's curve from ``delay_yr`` years
    after the start. A zone that changes option keeps what its stand removed before then and
    releases the stand's biomass when it is cleared (the table's prefix, docs/science.md §9)."""
    from optimizer.monitoring.replan import prefix_rows

    t = paths.table
    zid = t.zones["zone_id"].astype(str).to_numpy()
    choice = dict(zip(paths.zones["zone_id"], paths.zones["option_id"]))
    cur = t.option_id == np.array([choice[z] for z in zid], dtype=object)[t.zone_of_row]
    m = np.where(cur, truth.reindex(zid).fillna(1.0).to_numpy()[t.zone_of_row], 1.0)
    true = rescored_table(t, m, np.where(cur, 0, delay_yr), prefix_rows(t, cur) if delay_yr else None)
    return float(true.data["removals_tco2e"][np.asarray(rows)].sum())


@pytest.mark.slow
def test_replan_beats_the_stale_plan_on_the_synthetic_truth(tmp_path):
    from optimizer.monitoring.replan import replan_run
    from optimizer.monitoring.synthetic import write_synthetic

    run, syn, mon, new = (tmp_path / n for n in ("run", "syn", "mon", "new"))
    assert main(["optimize", "sites/loess_dump/zones.gpkg", "--maximize", "removals", "--out", str(run)]) == 0
    files = write_synthetic(run, syn, seed=0, raster_years=())
    assert main(["monitor", str(run), "--observations", str(files["observations"]), "--out", str(mon)]) == 0
    assert main(["replan", str(run), "--monitoring", str(mon), "--year", "2035", "--out", str(new)]) == 0

    r = replan_run(run, mon, 2035)
    truth = pd.read_csv(files["truth"], dtype={"zone_id": str}).set_index("zone_id")["true_multiplier"]
    stale_rows = np.flatnonzero(r.paths.table.option_id == np.array(
        [dict(zip(r.paths.zones.zone_id, r.paths.zones.option_id))[z]
         for z in r.paths.table.zones["zone_id"].astype(str)], dtype=object)[r.paths.table.zone_of_row])
    delay = 2035 - r.paths.start_year
    stale, replanned = _under_truth(r.paths, stale_rows, truth), _under_truth(r.paths, r.plan.rows, truth, delay)
    print(f"re-plan {replanned:,.0f} vs stale {stale:,.0f} t CO2e: {replanned - stale:+,.0f} t "
          f"({replanned / stale - 1:+.1%}) for {r.plan.totals['capex_cny']:,.0f} CNY of new capex")
    assert replanned >= stale
    assert replanned > stale * 1.01          # the failing stands are worth re-working on this site
    # what the run did stays: every unflagged worked zone keeps its option; only free zones change
    assert set(r.changed["zone_id"]) <= set(r.free)
    zones = pd.read_csv(mon / "zones.csv", dtype={"zone_id": str})
    assert set(r.free) == set(zones.loc[zones["flag"] == "failing", "zone_id"])
    spent = r.paths.table.data["capex_cny"][stale_rows].sum()
    assert r.spent_capex_cny == pytest.approx(spent)
    assert r.plan.totals["capex_cny"] <= r.budget_left_cny * (1 + 1e-9)
    doc = json.loads((new / "manifest.json").read_text())
    assert doc["command"] == "replan"
    step = doc["history"][-1]
    assert step["run"]["path"] == str(run) and step["monitoring"]["path"] == str(mon) and step["year"] == 2035
    assert {"plan.csv", "plan.gpkg", "replan_changes.csv"} <= {p.name for p in new.iterdir()}

    # the re-plan's report has the Monitoring section, found through the run's history
    from optimizer.report.build import build_report
    html = build_report(new, tmp_path / "report.html", tmp_path / "figs")["report"].read_text(encoding="utf-8")
    assert 'id="monitoring"' in html and "Flagged zones" in html and "Credits issuable to 2034" in html
    assert (tmp_path / "figs" / "monitoring-flags.png").is_file()

    # a spent budget: exit 2 with a message, nothing written
    assert main(["replan", str(run), "--monitoring", str(mon), "--year", "2035", "--budget", "1e7",
                 "--out", str(tmp_path / "spent")]) == 2
    assert not (tmp_path / "spent" / "plan.csv").exists()
    # a year outside the horizon, a monitoring folder of another run
    assert main(["replan", str(run), "--monitoring", str(mon), "--year", "1990", "--out", str(tmp_path / "y")]) == 2
    assert main(["replan", str(run), "--monitoring", str(run), "--year", "2035", "--out", str(tmp_path / "z")]) == 2


def test_works_begun_at_year_y_are_a_fresh_plan_shifted_and_cut_at_the_horizon(tiny_table):
    """A zone replanted at Y = start + 5: no project carbon, soil loss or money before year 5; its
    year-(5 + t) stock is a fresh plan's year-t stock; its totals are the fresh option's over the
    T − 5 years left (an independent option table built over the shorter horizon), its costs
    discounted five more years."""
    from optimizer.options import evaluate_options
    from optimizer.options.simulate import simulate

    t = tiny_table
    delay, horizon = 5, t.settings.horizon_yr
    zid = t.zones["zone_id"].astype(str).to_numpy()
    woody = np.flatnonzero((t.data["removals_tco2e"] > 1.0) & (t.data["capex_cny"] > 0))
    row = int(woody[np.argmax(t.data["removals_tco2e"][woody])])
    zone, option = zid[t.zone_of_row[row]], str(t.option_id[row])
    late = rescored_table(t, np.ones(t.n_rows), np.where(np.arange(t.n_rows) == row, delay, 0))

    fresh_s, late_s = t.annual(np.array([row])), late.annual(np.array([row]))
    for k, v in late_s.items():
        assert v.shape == (1, horizon)
        np.testing.assert_array_equal(v[:, :delay], 0.0, err_msg=k)
    for k in ("biomass_tco2e", "soc_tco2e", "soil_loss_t", "project_emissions_tco2e", "net_removals_tco2e"):
        np.testing.assert_allclose(late_s[k][:, delay:], fresh_s[k][:, :horizon - delay], rtol=1e-12, err_msg=k)
    assert late_s["project_emissions_tco2e"][0, delay] < 0            # the works' emissions fall in year Y + 1

    fresh_y, late_y = (simulate(x, {zone: option}).set_index("year") for x in (t, late))
    b_fresh, b_late = fresh_y["biomass_c_t_per_ha"], late_y["biomass_c_t_per_ha"]
    assert (b_late.loc[:delay] == 0).all() and b_fresh.loc[delay] > 0
    np.testing.assert_allclose(b_late.loc[delay:].to_numpy(), b_fresh.loc[:horizon - delay].to_numpy(), rtol=1e-12)
    assert (late_y["cover_pct"].loc[:delay] == 0).all()
    np.testing.assert_allclose(late_y["cover_pct"].loc[delay + 1:].to_numpy(),
                               fresh_y["cover_pct"].loc[1:horizon - delay].to_numpy(), rtol=1e-12)

    short = evaluate_options(_site_of(t), t.catalog, settings=t.settings.with_(horizon_yr=horizon - delay))
    srow = int(np.flatnonzero((short.zones["zone_id"].astype(str).to_numpy()[short.zone_of_row] == zone)
                              & (short.option_id == option))[0])
    assert late.data["removals_tco2e"][row] == pytest.approx(short.data["removals_tco2e"][srow], rel=1e-12)
    assert late.data["removals_tco2e"][row] < t.data["removals_tco2e"][row]
    assert late.data["capex_cny"][row] == pytest.approx(t.data["capex_cny"][row], rel=1e-12)
    to_start = (1 + t.settings.discount_rate) ** -delay
    assert late.data["cost_cny"][row] == pytest.approx(short.data["cost_cny"][srow] * to_start, rel=1e-12)
    others = np.arange(t.n_rows) != row
    for c, v in t.data.items():                                       # no other row moves
        np.testing.assert_array_equal(late.data[c][others], v[others])


def _site_of(table):
    from optimizer.site import Site

    return Site(zones=table.zones, settings=table.settings, path="test", sha256="")


def test_a_zone_replanted_at_year_5_has_the_old_path_before_and_the_new_after(tiny_table):
    """Replanting at Y = start + 5 (issue 14): years 1…5 are the old option's (recalibrated) path,
    year 6 releases the old stand's standing biomass and starts the new works, years 6…T are the new
    works' delayed path; the totals are the sums of those pieces; the cover follows the same
    calendar; capex stays the new works' own."""
    from optimizer.monitoring.replan import prefix_rows
    from optimizer.options.simulate import simulate

    t = tiny_table
    delay = 5
    zid = t.zones["zone_id"].astype(str).to_numpy()
    woody = np.flatnonzero((t.data["removals_tco2e"] > 1.0) & (t.data["capex_cny"] > 0))
    zone_of = t.zone_of_row
    # a zone with two woody options: the old (current) one and the replanting
    counts = np.bincount(zone_of[woody], minlength=t.n_zones)
    z = int(np.flatnonzero(counts >= 2)[0])
    old, new = (int(r) for r in woody[zone_of[woody] == z][:2])
    current = np.zeros(t.n_rows, dtype=bool)
    current[t.zone_ptr[:-1]] = True                     # every zone's first row …
    current[t.zone_ptr[z]:t.zone_ptr[z + 1]] = False
    current[old] = True                                 # … and ``old`` in zone z
    mult = np.where(np.arange(t.n_rows) == old, 0.5, 1.0)          # a failing stand, recalibrated
    delays = np.where(current, 0, delay)
    late = rescored_table(t, mult, delays)                           # the new works alone
    both = rescored_table(t, mult, delays, prefix_rows(t, current))  # old path, clearing, new works

    old_s = both.annual(np.array([old]))
    new_s, late_s = both.annual(np.array([new])), late.annual(np.array([new]))
    for k in ("biomass_tco2e", "soc_tco2e", "soil_loss_t", "project_emissions_tco2e", "net_removals_tco2e"):
        np.testing.assert_allclose(new_s[k][:, :delay], old_s[k][:, :delay], rtol=1e-12, atol=1e-12, err_msg=k)
        np.testing.assert_allclose(new_s[k][:, delay + 1:], late_s[k][:, delay + 1:], rtol=1e-12, err_msg=k)
    standing = old_s["biomass_tco2e"][0, :delay].sum()
    assert standing > 0
    np.testing.assert_allclose(new_s["biomass_tco2e"][0, delay], late_s["biomass_tco2e"][0, delay] - standing,
                               rtol=1e-12)
    # totals add up: the old path to year 5, minus the cleared stand, plus the new works
    assert both.data["removals_tco2e"][new] == pytest.approx(
        old_s["net_removals_tco2e"][0, :delay].sum() - standing + late.data["removals_tco2e"][new], rel=1e-9)
    assert both.data["removals_tco2e"][new] == pytest.approx(new_s["net_removals_tco2e"].sum(), rel=1e-9)
    assert both.data["cost_cny"][new] > late.data["cost_cny"][new]                 # what the old stand cost to Y
    assert both.data["capex_cny"][new] == late.data["capex_cny"][new]              # the budget: new money only
    # the stock: the old stand's to year 5, then the new stand's from 0
    y = simulate(both, {zid[z]: str(t.option_id[new])}).set_index("year")["biomass_c_t_per_ha"]
    y_old = simulate(both, {zid[z]: str(t.option_id[old])}).set_index("year")["biomass_c_t_per_ha"]
    y_late = simulate(late, {zid[z]: str(t.option_id[new])}).set_index("year")["biomass_c_t_per_ha"]
    np.testing.assert_allclose(y.loc[:delay].to_numpy(), y_old.loc[:delay].to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(y.loc[delay + 1:].to_numpy(), y_late.loc[delay + 1:].to_numpy(), rtol=1e-9, atol=1e-9)
    # the rows a zone has had since the start (no prefix) do not move; every other row of a zone
    # gains the same constant, the zone's old path to Y less its cleared stand
    for c, v in late.data.items():
        np.testing.assert_array_equal(both.data[c][current], v[current])
    gain = both.data["removals_tco2e"] - late.data["removals_tco2e"]
    mine = (zone_of == z) & ~current
    np.testing.assert_allclose(gain[mine], gain[new], rtol=1e-9)
