"""How sure is this plan? The results of ``sinkplan uncertainty`` (RUN_DIR/uncertainty/): intervals,
the fan chart, P(removals ≥ target), the registry deduction per standard, the robust plans beside
the central one, and the measurement priorities (EVPPI and Morris screening). Read from files;
the section is absent when the run folder holds no uncertainty results."""

from __future__ import annotations

import pandas as pd

from ...i18n import N_, _
from ..context import ReportContext, _num
from ..html import cards, esc, table
from .common import _fig, _pct, _v

SECTION_ID = "uncertainty"
TITLE = N_("How sure is this plan?")

#: metric column → (label, unit) of the intervals table
METRIC_LABELS = {"removals_tco2e": (N_("Net removals"), "t CO2e"), "credits_tco2e": (N_("Credits"), "t CO2e"),
                 "credit_value_cny": (N_("Credit value"), "CNY"), "cost_cny": (N_("Cost"), "CNY"),
                 "soil_loss_t_per_yr": (N_("Soil loss"), "t/yr")}


def _headline_label(ctx: ReportContext, labels) -> str:
    """The label the uncertainty tables give the report's headline plan (the first plan otherwise)."""
    want = str(ctx.plan.label)
    labels = [str(x) for x in labels]
    return want if want in labels else labels[0]


def uncertainty(ctx: ReportContext, figs) -> str:
    u = ctx.uncertainty
    if not u:
        return ""
    man = u.get("manifest") or {}
    info = man.get("uncertainty") or {}
    seed = (man.get("seeds") or {}).get("uncertainty")
    iv: pd.DataFrame = u["uncertainty"]
    head = _headline_label(ctx, pd.unique(iv["plan"]))
    out = [f'<section id="{SECTION_ID}"><h2>{esc(_(TITLE))}</h2>',
           "<p>" + _("Most coefficients the plan rests on come with a range in the literature, and many are still "
                     "placeholders (docs/science.md §1.5). Here every plan of the run was re-scored under {n} "
                     "Latin-hypercube samples of those ranges (seed {seed}; the same seed gives the same numbers). "
                     "P5, P50 and P95 are the 5th, 50th and 95th percentiles over the samples: nine samples in ten "
                     "fall between P5 and P95. <i>Central</i> is the plan's number at the catalog's values, the one "
                     "the rest of this report shows.").format(n=esc(info.get("samples", "?")), seed=esc(seed))
           + "</p>"]
    r = iv[(iv["plan"].astype(str) == head) & (iv["metric"] == "removals_tco2e")]
    prob = u.get("probabilities")
    items = []
    if len(r):
        r0 = r.iloc[0]
        items.append((_("Net removals, P5–P95"), f"{_v(r0['p5'], 't CO2e')} – {_v(r0['p95'], 't CO2e')}",
                      _("central {value}").format(value=_v(r0["central"], "t CO2e"))))
    if prob is not None and "p_removals_ge_target" in prob:
        p = prob[prob["plan"].astype(str) == head]
        if len(p):
            items.append((_("P(removals ≥ target)"), _pct(_num(p["p_removals_ge_target"].iloc[0])),
                          _("target {value}").format(value=_v(p["removals_target_tco2e"].iloc[0], "t CO2e"))))
    if items:
        out.append(cards(items))

    out.append(f"<h3>{esc(_('Intervals'))}</h3>")
    rows: list[tuple] = []
    for x in iv.itertuples():
        label, unit = METRIC_LABELS.get(x.metric, (x.metric, ""))
        rows.append((x.plan, f"{_(label)} [{unit}]", _v(x.central, unit), _v(x.p5, unit), _v(x.p50, unit),
                     _v(x.p95, unit)))
    out.append(table([_("Plan"), _("Total"), _("Central"), "P5", "P50", "P95"], rows, num=(2, 3, 4, 5),
                     cls="uncertainty-intervals"))
    out.append(_fig(figs, "fig-unc-fan", _("Cumulative net removals: the band holds nine samples in ten (P5–P95), "
                                           "the solid line is the median, the dashed line the central values.")))

    if prob is not None:
        out.append(f"<h3>{esc(_('Probabilities'))}</h3>")
        if "p_removals_ge_target" in prob:
            rows = [(x["plan"], _v(x["removals_target_tco2e"], "t CO2e"), _pct(_num(x["p_removals_ge_target"])))
                    for _i, x in prob.iterrows()]
            out.append(table([_("Plan"), _("Removals target"), _("P(removals ≥ target)")], rows, num=(1, 2),
                             cls="uncertainty-target"))
        else:
            out.append('<p class="note">' + _("The run had no removals target: no P(removals ≥ target). Set one "
                                              "(--target removals&gt;=…) to have it.") + "</p>")
        front = "p_dominated" in prob
        rows = [(x["plan"], _pct(_num(x["share_zones_within_tolerance_every_sample"])),
                 _pct(_num(x["min_zone_p_within_tolerance"])))
                + ((_pct(_num(x["p_dominated"])),) if front else ()) for _i, x in prob.iterrows()]
        out.append(table([_("Plan"), _("Zones within tolerance in every sample"), _("Lowest zone P(within tolerance)")]
                         + ([_("P(dominated by another point)")] if front else []), rows, num=(1, 2, 3)))

    ded = u.get("deductions")
    if ded is not None and len(ded):
        out.append(f"<h3>{esc(_('Registry uncertainty deduction'))}</h3><p>"
                   + _("Each standard's rule applied to the Monte Carlo interval of net removals: the half-width of "
                       "the 90 % interval relative to the mean, no deduction up to the allowed precision, the excess "
                       "beyond it deducted. It replaces the monitoring table's fixed deduction (§7); the credits are "
                       "re-issued with it.") + "</p>")
        rows = [(x["plan"], x["standard"], _pct(_num(x["ci90_half_width_rel"])), _pct(_num(x["deduction_rule"])),
                 _pct(_num(x["deduction_table"])), _v(x["credits_table_tco2e"], "t CO2e"),
                 _v(x["credits_rule_tco2e"], "t CO2e"), x["source"]) for _i, x in ded.iterrows()]
        out.append(table([_("Plan"), _("Standard"), _("90 % half-width"), _("Deduction (rule)"), _("Deduction (table)"),
                          _("Credits (table)"), _("Credits (rule)"), _("Rule and source")], rows, num=(2, 3, 4, 5, 6),
                         cls="uncertainty-deductions"))

    rob = u.get("robust")
    if rob is not None and len(rob):
        alpha = info.get("alpha", 0.1)
        ccol = next((c for c in rob.columns if c.startswith("cvar") and c.endswith("_tco2e")), None)
        out.append(f"<h3>{esc(_('Robust plans beside the central plan'))}</h3><p>"
                   + _("Over {n} scenarios: <b>expected</b> maximises the mean net removals; <b>{cvar}</b> "
                       "maximises the mean of the worst {share} of scenarios (CVaR: an LP bound through HiGHS, the "
                       "zones it splits chosen exactly, certified to its gap). The price of robustness is the "
                       "expected removals a plan gives up against the best expected plan, for its protection in "
                       "bad years.").format(n=esc(info.get("robust_scenarios", "?")),
                                            cvar=f"cvar{round(100 * float(alpha))}", share=_pct(float(alpha)))
                   + "</p>")
        rows = [(x["plan"], _v(x["expected_tco2e"], "t CO2e"), _v(x[ccol], "t CO2e") if ccol else "–",
                 _v(x["p5_tco2e"], "t CO2e"), _v(x["expected_given_up_tco2e"], "t CO2e"),
                 str(x["status"]) if isinstance(x["status"], str) else _("central plan of the run"),
                 "–" if _num(x["gap"]) is None else f"{float(x['gap']):.1e}") for _i, x in rob.iterrows()]
        out.append(table([_("Plan"), _("Expected removals"), _("CVaR (worst tail mean)"), "P5",
                          _("Price of robustness (expected given up)"), _("Status"), _("Gap")], rows,
                         num=(1, 2, 3, 4, 6),
                         cls="uncertainty-robust"))

    voi = u.get("priorities")
    sens = u.get("sensitivity")
    if voi is not None or sens is not None:
        out.append(f"<h3>{esc(_('What to measure next'))}</h3>")
    if voi is not None and len(voi):
        out.append("<p>" + _("The expected value of partial perfect information (EVPPI) of each parameter group: "
                             "what knowing the group's true values would be worth in expected plan value (credit "
                             "value − cost) before choosing among the plans evaluated (the run's plans and, with "
                             "--robust, the robust plans). With one plan there is no choice to change and every "
                             "value is 0; the ranking of the Morris screening below still says what moves the "
                             "numbers.") + "</p>")
        # below ¥0.5 is round-off of the regression (the estimate is clipped at 0): shown as ¥0
        ev = voi["evppi"].to_numpy(dtype=float)
        if (ev >= 0.5).any():
            rows = [(i + 1, x["group"], int(x["n_inputs"]), _v(e if e >= 0.5 else 0.0, "CNY"))
                    for i, ((_i, x), e) in enumerate(zip(voi.iterrows(), ev, strict=True))]
            out.append(table([_("Rank"), _("Parameter group"), _("Inputs"), "EVPPI"], rows, num=(0, 2, 3),
                             cls="uncertainty-priorities"))
        else:
            out.append('<p class="note">' + _("EVPPI is ¥0 for every parameter group: no measurement would change "
                                              "which of the plans evaluated is best.") + "</p>")
        if (ev >= 0.5).any():
            out.append(_fig(figs, "fig-unc-priorities", _("Expected value of perfect information by parameter group.")))
    if sens is not None and len(sens):
        traj = ((info.get("sensitivity") or {}).get("trajectories"))
        s = sens[sens["plan"].astype(str) == _headline_label(ctx, pd.unique(sens["plan"]))]
        out.append("<p>" + _("Global sensitivity (Morris screening through SALib{trajectories}): μ* is the mean "
                             "absolute change in the plan's net removals when one parameter group moves across two "
                             "thirds of its range, all others held; its 95 % bootstrap half-width beside it. Groups "
                             "with the largest μ* are where measurement narrows the interval most.").format(
            trajectories=_(", {n} trajectories").format(n=esc(traj)) if traj else "") + "</p>")
        rows = [(int(x["rank"]), x["group"], int(x["n_inputs"]), _v(x["mu_star"], "t CO2e"),
                 _v(x["mu_star_conf"], "t CO2e")) for _i, x in s.iterrows()]
        out.append(table([_("Rank"), _("Parameter group"), _("Inputs"), _("μ* of net removals"), "± (95 %)"], rows,
                         num=(0, 2, 3, 4), cls="uncertainty-sensitivity",
                         caption=_("Plan: {plan}").format(plan=s["plan"].iloc[0]) if len(s) else ""))
        out.append(_fig(figs, "fig-unc-sensitivity", _("Morris μ* of net removals by parameter group.")))
    out.append('<p class="note">' + _("Files: {path}.").format(
        path=f'<span class="mono">{esc(u.get("path", ""))}</span>') + "</p></section>")
    return "".join(out)
