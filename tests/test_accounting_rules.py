"""Accounting per standard and land rules on designed sites (docs/science.md §1.3, §5.5, §5.6).

Relations only (net = gross − baseline, leakage as a share, rules as data): no number here depends
on the growth or soil-carbon curves, which are being refit.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from conftest import make_site
from optimizer.catalog import load_catalog
from optimizer.models import credits
from optimizer.options import evaluate_options
from optimizer.settings import resolve_settings

WOODY = ("tree_shrub_herb", "robinia", "poplar", "conifer", "shrub")


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def _table(rows, catalog, standards=("CCER", "VCS", "VM0044"), climate=None, **accounting):
    s = resolve_settings({"accounting": {"standards": list(standards), **accounting}, "climate": climate or {}})
    return evaluate_options(make_site(rows, settings=s), catalog=catalog)


def _with(catalog, **tables):
    return dataclasses.replace(catalog, **tables)


def _no_baseline(catalog):
    st = catalog.standards.copy()
    st["baseline_rule"] = "none"
    return _with(catalog, standards=st)


def _frame(table):
    return table.to_frame().set_index(["zone_id", "option_id"])


# ----------------------------------------------------------------------------------------------
# land rules: farmland
# ----------------------------------------------------------------------------------------------
def test_farmland_takes_no_tree_option_and_can_take_cropland(catalog):
    t = _table([dict(zone_id="F", land_designation="farmland"), dict(zone_id="M")], catalog)
    df = t.to_frame()
    farm, mine = df[df.zone_id == "F"], df[df.zone_id == "M"]
    assert not farm["vegetation_type"].isin(WOODY).any()
    assert mine["vegetation_type"].isin(WOODY).any()             # the same ground elsewhere takes trees
    assert (farm["vegetation_type"] == "cropland").any()
    assert (farm["vegetation_type"] == "natural_regeneration").any()   # its no-works baseline stays
    # the rule is data: without it, farmland takes trees again
    no_rules = _with(catalog, land_rules=catalog.land_rules.iloc[:0])
    free = _table([dict(zone_id="F", land_designation="farmland")], no_rules)
    assert free.to_frame()["vegetation_type"].isin(WOODY).any()


def test_a_refused_option_says_which_land_rule_and_law(catalog):
    from optimizer.errors import ProblemsError
    from optimizer.options.simulate import option_rows

    t = _table([dict(zone_id="F", land_designation="farmland")], catalog)
    why = t.refusal_reason(0, "tree_shrub_herb")
    assert why and "farmland" in why and "国办发明电〔2020〕24号" in why and "土地复垦条例" in why
    assert t.refusal_reason(0, "cropland") is None
    with pytest.raises(ProblemsError, match="国办发明电"):
        option_rows(t, {"F": "tree_shrub_herb"})


def test_cropland_is_reported_as_restored_farmland(catalog):
    from optimizer.evaluate import accounting_totals

    t = _table([dict(zone_id="F", land_designation="farmland", area_ha=2.5), dict(zone_id="M", area_ha=4.0)], catalog)
    ids = t.option_id
    crop = np.flatnonzero((ids == "cropland") & (t.zone_of_row == 0))[0]
    nat = t.baseline_rows()
    plan = np.array([[crop, nat[1]], [nat[0], nat[1]]])
    acc = accounting_totals(t, plan)
    assert acc["restored_farmland_ha"].tolist() == [2.5, 0.0]
    # net of baseline: the plan's removals less the no-works removals, zero for the baseline itself
    rem = t.data["removals_tco2e"]
    assert acc["removals_net_of_baseline_tco2e"][0] == pytest.approx(rem[crop] - rem[nat[0]])
    assert acc["removals_net_of_baseline_tco2e"][1] == pytest.approx(0.0, abs=1e-9)


# ----------------------------------------------------------------------------------------------
# eligibility: CCER land rules on a designed site
# ----------------------------------------------------------------------------------------------
def test_ccer_excludes_mining_land_wetland_and_small_parcels(catalog):
    t = _table([
        dict(zone_id="OK", land_designation="planned_afforestation_land", area_ha=1.0),
        dict(zone_id="MINE", land_designation="mining_land", area_ha=1.0),
        dict(zone_id="SMALL", land_designation="planned_afforestation_land", area_ha=0.039),   # 390 m²
        dict(zone_id="EDGE", land_designation="planned_afforestation_land", area_ha=0.04),     # 400 m²
        dict(zone_id="POOL", zone_type="subsidence_pool", water_depth_m=0.5,
             land_designation="planned_afforestation_land", area_ha=1.0),
    ], catalog)
    df = t.to_frame()
    ccer = t.eligible["CCER"]
    trees = df["vegetation_type"].isin(WOODY).to_numpy()

    def any_ccer(zone):
        return bool(ccer[(df.zone_id == zone).to_numpy()].any())

    assert ccer[(df.zone_id == "OK").to_numpy() & trees].all()
    assert ccer[(df.zone_id == "EDGE").to_numpy() & trees].all()
    assert not any_ccer("MINE") and not any_ccer("SMALL") and not any_ccer("POOL")
    wet = df["measures"].str.contains("wetland").to_numpy()
    assert wet.any() and not ccer[wet].any()
    # VCS admits mining land (an assumption, [C]) but no wetland either
    assert t.eligible["VCS"][(df.zone_id == "MINE").to_numpy() & trees].all()
    assert not t.eligible["VCS"][wet].any()
    # and nothing ineligible earns credits under it
    assert np.all(t.data["credits_tco2e"][~np.any(list(t.eligible.values()), axis=0)] == 0)


# ----------------------------------------------------------------------------------------------
# net credits = project − baseline − leakage
# ----------------------------------------------------------------------------------------------
def test_net_of_baseline_co2e_rules():
    p = np.array([[5.0, 5.0, 5.0, -1.0]])
    b = np.array([[2.0, -3.0, 0.0, 1.0]])
    np.testing.assert_array_equal(credits.net_of_baseline_co2e(p, b), [[3.0, 5.0, 5.0, -2.0]])   # a source year: 0
    np.testing.assert_array_equal(credits.net_of_baseline_co2e(p, b, np.array([0.5])), [[1.5, 2.5, 2.5, -2.0]])
    np.testing.assert_array_equal(credits.net_of_baseline_co2e(p), p)
    with pytest.raises(ValueError):
        credits.net_of_baseline_co2e(p, b, np.array([1.5]))


def _credited_parts(t, rows):
    """(gross eligible series, baseline eligible series) of rows, rebuilt from the model terms."""
    from optimizer.options.accounting import baseline_credited_co2e, baseline_terms, row_rules
    from optimizer.options.eligibility import credited_pool_mask
    from optimizer.options.scoring import zone_arrays

    s = t.settings
    series = t.annual(rows)
    credited = credited_pool_mask(t.eligible, rows, t.catalog, s)
    gross = credits.credited_net_co2e(credited, **{k: series[k] for k in credits.TERMS})
    base = baseline_terms(zone_arrays(t.zones, t.catalog), t.combo[t.baseline_rows()], t.combos, s, t.catalog)
    designation = t.zones["land_designation"].astype(str).to_numpy()[t.zone_of_row[rows]]
    subtract, leak = row_rules(t.eligible, rows, designation, t.catalog, s)
    return gross, baseline_credited_co2e(credited, base, t.zone_of_row[rows], subtract), leak


def test_net_credits_are_gross_less_a_growing_baseline(catalog):
    # a humid flat platform with deep soil: natural regeneration grows there, so the baseline removes
    rows = [dict(zone_id="A", land_designation="planned_afforestation_land", soil_depth_cm=30.0, area_ha=2.0)]
    net = _table(rows, catalog, standards=("VCS",))
    gross = _table(rows, _no_baseline(catalog), standards=("VCS",))
    base_row = net.baseline_rows()[0]
    base_series = net.annual(np.array([base_row]))
    assert base_series["biomass_tco2e"].sum() + base_series["soc_tco2e"].sum() > 0     # the baseline grows
    trees = np.flatnonzero(net.to_frame()["vegetation_type"].isin(WOODY).to_numpy() & net.eligible["VCS"])
    assert len(trees)
    g, b, leak = _credited_parts(net, trees)
    assert np.all(leak == 0) and np.all(b.sum(axis=1) > 0)
    factor = credits.credit_factor(net.settings.buffer_fraction,
                                   float(catalog.monitoring.at[net.settings.monitoring_level, "uncertainty_deduction"]))
    expected = ((g - np.maximum(b, 0.0)) * factor).sum(axis=1)
    expected = np.where(expected > 0, expected, 0.0)
    np.testing.assert_allclose(net.data["credits_tco2e"][trees], expected, rtol=1e-12, atol=1e-9)
    # gross credits (no baseline) are the same rows without the subtraction, and strictly larger
    np.testing.assert_allclose(gross.data["credits_tco2e"][trees], np.maximum((g * factor).sum(axis=1), 0.0),
                               rtol=1e-12, atol=1e-9)
    assert np.all(net.data["credits_tco2e"][trees] < gross.data["credits_tco2e"][trees])
    # removals (the objective) stay physical: the baseline does not touch them
    np.testing.assert_array_equal(net.data["removals_tco2e"], gross.data["removals_tco2e"])
    # the annual series add up to the row's credits
    np.testing.assert_allclose(net.annual(trees)["credits_tco2e"].sum(axis=1), net.data["credits_tco2e"][trees],
                               rtol=1e-12, atol=1e-9)


def test_a_source_baseline_is_not_credited_as_avoided_loss(catalog):
    # a steep bare waste heap: with no works it erodes, and eroded carbon counts against the SOC pool
    rows = [dict(zone_id="H", zone_type="waste_heap", slope_deg=35.0, slope_length_m=80.0, area_ha=1.0)]
    erodible = {"soil_erodibility_t_ha_h_per_ha_mj_mm": 0.1, "annual_rainfall_mm": 300.0}    # dry and erodible
    net = _table(rows, catalog, standards=("VCS",), climate=erodible)
    base = net.annual(np.array([net.baseline_rows()[0]]))
    assert (base["erosion_tco2e"] < 0).any()
    elig = np.flatnonzero(net.eligible["VCS"])
    assert len(elig)
    g, b, _ = _credited_parts(net, elig)
    assert (b < 0).any()                                   # the baseline is a source in some years …
    gross = _table(rows, _no_baseline(catalog), standards=("VCS",), climate=erodible)
    # … and those years add nothing: net credits never exceed the gross ones
    assert np.all(net.data["credits_tco2e"][elig] <= gross.data["credits_tco2e"][elig] + 1e-9)
    src = (b < 0).all(axis=1)
    if src.any():                                          # rows whose baseline is a source every year
        np.testing.assert_allclose(net.data["credits_tco2e"][elig[src]], gross.data["credits_tco2e"][elig[src]],
                                   rtol=1e-12)


def test_leakage_is_applied_by_standard_and_land_designation(catalog):
    rows = [dict(zone_id="G", land_designation="grassland", soil_depth_cm=30.0, area_ha=1.0),
            dict(zone_id="M", land_designation="mining_land", soil_depth_cm=30.0, area_ha=1.0)]
    leak = pd.DataFrame({"standard": ["VCS", "VCS"], "land_designation": ["*", "grassland"],
                         "leakage_fraction": [0.0, 0.25], "source": ["t", "t"], "confidence": ["P", "P"]})
    none = leak.assign(leakage_fraction=0.0)
    with_leak = _table(rows, _with(catalog, leakage=leak), standards=("VCS",))
    without = _table(rows, _with(catalog, leakage=none), standards=("VCS",))
    df = with_leak.to_frame()
    trees = df["vegetation_type"].isin(WOODY).to_numpy() & with_leak.eligible["VCS"]
    g_rows = np.flatnonzero(trees & (df.zone_id == "G").to_numpy())
    m_rows = np.flatnonzero(trees & (df.zone_id == "M").to_numpy())
    assert len(g_rows) and len(m_rows)
    # grassland: each year's positive net removal less 25 %; mining land: untouched
    g, b, lf = _credited_parts(with_leak, g_rows)
    assert np.all(lf == 0.25)
    factor = without.data["credits_tco2e"][g_rows] / np.maximum(((g - np.maximum(b, 0)).sum(axis=1)), 1e-300)
    n = g - np.maximum(b, 0.0)
    expected = ((n - 0.25 * np.maximum(n, 0.0)).sum(axis=1)) * factor
    np.testing.assert_allclose(with_leak.data["credits_tco2e"][g_rows], np.maximum(expected, 0.0), rtol=1e-9)
    assert np.all(with_leak.data["credits_tco2e"][g_rows] < without.data["credits_tco2e"][g_rows])
    np.testing.assert_array_equal(with_leak.data["credits_tco2e"][m_rows], without.data["credits_tco2e"][m_rows])
    # the bundled table counts all of it on grassland under VCS until a VMD0054 estimate replaces it
    bundled = _table(rows[:1], catalog, standards=("VCS",))
    assert np.all(bundled.data["credits_tco2e"] == 0)


def test_bundled_rules_are_data_with_sources(catalog):
    st = catalog.standards
    assert set(st["baseline_rule"]) <= {"no_works", "none"} and all(st["accounting_source"])
    assert (st["baseline_rule"] == "no_works").all()       # every bundled standard subtracts a baseline
    lk = catalog.leakage
    assert set(lk["standard"]) == set(st.index) and all(lk["source"])
    assert ((lk["leakage_fraction"] >= 0) & (lk["leakage_fraction"] <= 1)).all()
    rule = catalog.land_rules.loc["farmland"]
    assert set(WOODY) <= set(rule["forbidden_vegetation_types"]) and "woody" in rule["forbidden_tags"]
    assert "24号" in rule["source"] and "Art. 4" in rule["source"]
    crop = catalog.measures.set_index("measure_id").loc["cropland"]
    assert crop["vegetation_type"] == "cropland" and crop["capex_cny_per_ha"] == 195000
    assert (catalog.growth.xs("cropland", level="veg_type")["c_max_t_c_per_ha"] == 0).all()


# ----------------------------------------------------------------------------------------------
# a farmland quota as a constraint: hectares of cropland reclamation
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("quota", [0.5, 2.5, 4.0, 6.0])
def test_a_farmland_quota_in_hectares_matches_brute_force(catalog, quota):
    import itertools

    from optimizer.evaluate import accounting_totals, evaluate
    from optimizer.problem import Problem, parse_constraints
    from optimizer.solve.exact import solve

    t = _table([dict(zone_id=f"F{a}", land_designation="farmland", area_ha=float(a)) for a in (1, 2, 3)], catalog)
    kw = parse_constraints([f"farmland>={quota}"])
    (share,) = kw["shares"]
    assert share.hectares and share.name == "restored farmland area"
    c = Problem(objectives=("removals",), **kw).compile(t)
    plans = np.array(list(itertools.product(*[range(k) for k in c.n_options])), dtype=np.int64)
    ev = evaluate(c, plans)
    farm = accounting_totals(t, c.table_rows(plans))["restored_farmland_ha"]
    ok = ev.feasible & (farm >= quota - 1e-9)
    assert ok.any()
    best = ev.totals["removals_tco2e"][ok].max()
    # the quota binds: without it the best plan restores less farmland than asked (when asked for any)
    assert ev.totals["removals_tco2e"][ev.feasible].max() > best or quota <= farm[ev.feasible][
        ev.totals["removals_tco2e"][ev.feasible].argmax()]
    res = solve(c, gap=1e-9)
    assert res.objective_value == pytest.approx(best, rel=1e-9)
    row = [i for i, n in enumerate(c.con_names) if n == "min restored farmland area"]
    assert len(row) == 1


def test_a_farmland_quota_beyond_the_site_is_infeasible_and_said_so(catalog):
    from optimizer.errors import InfeasibleError
    from optimizer.problem import Problem, parse_constraints
    from optimizer.solve.exact import solve

    t = _table([dict(zone_id="F", land_designation="farmland", area_ha=2.0), dict(zone_id="M", area_ha=5.0)], catalog)
    # mining land reclaimed to cropland counts too (new farmland); 8 ha is more than the site has
    within = Problem(objectives=("removals",), **parse_constraints(["farmland>=6.5"])).compile(t)
    assert solve(within).status == "optimal"
    with pytest.raises(InfeasibleError) as e:
        solve(Problem(objectives=("removals",), **parse_constraints(["farmland>=8"])).compile(t))
    assert "restored farmland area cannot reach 8.0 ha: at most 7.0 ha" in str(e.value)


@pytest.mark.parametrize("text,hectares,low,high", [
    ("farmland>=120", True, 120.0, None), ("area:woody>=3", True, 3.0, None),
    ("area:vegetation_type=grassland<=50", True, None, 50.0), ("share:woody>=0.3", False, 0.3, None)])
def test_area_constraints_parse(text, hectares, low, high):
    from optimizer.problem import parse_constraints

    (s,) = parse_constraints([text])["shares"]
    assert (s.hectares, s.low, s.high) == (hectares, low, high)
    assert s.kind in ("vegetation_type", "woody")


def test_an_area_bound_is_hectares_not_a_fraction(catalog):
    from optimizer.errors import ProblemDefinitionError
    from optimizer.problem import Problem, parse_constraints

    t = _table([dict(zone_id="F", land_designation="farmland", area_ha=2.0)], catalog)
    Problem(objectives=("removals",), **parse_constraints(["area:woody<=1.5"])).compile(t)    # 1.5 ha is fine
    with pytest.raises(ProblemDefinitionError, match="fraction between 0 and 1"):
        Problem(objectives=("removals",), **parse_constraints(["share:woody<=1.5"])).compile(t)
    with pytest.raises(ProblemDefinitionError, match="not an area"):
        Problem(objectives=("removals",), **parse_constraints(["farmland>=-1"])).compile(t)


def test_constraint_names_in_chinese():
    from optimizer.i18n import set_language
    from optimizer.problem.objectives import constraint_label

    set_language("zh")
    try:
        assert constraint_label("min restored farmland area") == "复垦耕地面积下限"
        assert constraint_label("min area share of woody vegetation") == "木本植被面积占比下限"
        assert constraint_label("max area of vegetation_type grassland") == "vegetation_type grassland面积上限"
        assert constraint_label("removals target (at least)").endswith("：目标（下限）")
        assert constraint_label("budget (capex)") == "预算（建设投资）"
        # a portfolio's rows
        assert constraint_label("shared budget (capex)") == "共享预算（建设投资）"
        assert constraint_label("east: topsoil stock") == "east：表土储量"
        assert constraint_label("east: min restored farmland area") == "east：复垦耕地面积下限"
        assert constraint_label("least share of removals: county Shuozhou ≥ 10%") == "碳汇量最低占比：县 Shuozhou ≥ 10%"
        assert constraint_label("regional gangue stock 'Pingshuo: dump'") == "区域煤矸石储备“Pingshuo: dump”"
        assert constraint_label("a: spending in 2027") == "a：2027 年支出"
        assert constraint_label("spending in 2027") == "2027 年支出"
    finally:
        set_language("en")
    assert constraint_label("min restored farmland area") == "min restored farmland area"


def test_a_misspelt_vegetation_type_in_an_area_constraint_is_an_error_not_a_vacuous_row(catalog):
    from optimizer.errors import InfeasibleError, ProblemDefinitionError
    from optimizer.problem import Problem, parse_constraints
    from optimizer.solve.exact import solve

    t = _table([dict(zone_id="A", area_ha=2.0), dict(zone_id="B", area_ha=1.0)], catalog)
    for text in ("share:vegetation_type=grasland<=0.5", "area:vegetation_type=grasland>=1"):
        with pytest.raises(ProblemDefinitionError, match="unknown vegetation type 'grasland'; did you mean"):
            Problem(objectives=("removals",), **parse_constraints([text])).compile(t)
    # a type the catalog has but the site cannot take (warm climates only) is a clear infeasibility
    with pytest.raises(InfeasibleError) as e:
        solve(Problem(objectives=("removals",), **parse_constraints(["area:vegetation_type=eucalyptus_acacia>=1"]))
              .compile(t))
    assert "cannot reach 1.0 ha: at most 0.0 ha" in str(e.value)
