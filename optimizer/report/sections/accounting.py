"""What the plan achieves, by subject: carbon over time (§4, with how well the carbon model matches
field data: :mod:`.validation`), soil loss (§5), cost (§6) and carbon credits (§7)."""

from __future__ import annotations

import numpy as np

from ...analysis import compare
from ...i18n import _
from .. import style
from ..context import ReportContext
from ..html import esc, table
from .common import _fig, _v
from .validation import field_validation


def carbon(ctx: ReportContext, figs) -> str:
    traj = ctx.plan.trajectories
    out = ['<section id="carbon"><h2>' + _("4. Carbon over time") + '</h2>',
           "<p>" + _("Net removals in each year are the change in biomass and soil carbon, biochar added, and wetland "
                     "burial less methane, minus the soil carbon carried off by erosion and the project's own "
                     "emissions (fuel, lime, fertiliser), all in tonnes of CO2 equivalent (t CO2e; 1 t C = 44/12 "
                     "t CO2e). The grey line is the same site with no works, left to natural regeneration.") + "</p>"]
    if traj is None:
        out.append('<p class="callout">' + _("No trajectory file was found beside the plan.") + '</p></section>')
        return "".join(out)
    out.append(_fig(figs, "fig-trajectories", _("Figure 6. Annual net removals by pool (left) and cumulative net "
                    "removals and credits against no works (right).")))
    if "fig-trajectories-front" in figs:
        out.append(_fig(figs, "fig-trajectories-front",
                        _("Figure 7. Cumulative net removals and soil loss of every plan "
                        "on the front, and of no works.")))
    years = [y for y in (5, 10, 20, 30, 40) if y <= len(traj)] or [len(traj)]
    if len(traj) not in years:
        years.append(len(traj))
    rows = []
    for y in years:
        r = traj.iloc[y - 1]
        rows.append((int(r.get("calendar_year", y)), y, _v(r["net_removals_tco2e"], "t CO2e"),
                     _v(r["cumulative_net_removals_tco2e"], "t CO2e"),
                     _v(traj["credits_tco2e"].iloc[:y].sum(), "t CO2e") if "credits_tco2e" in traj else "–",
                     _v(r.get("cumulative_net_removals_tco2e_baseline"), "t CO2e")))
    out.append(table([_("Year"), _("Years since works"), _("Net removals that year"), _("Cumulative net removals"),
                      _("Cumulative credits"), _("Cumulative, no works")], rows, num=(0, 1, 2, 3, 4, 5)))
    net = traj["cumulative_net_removals_tco2e"].to_numpy(float)
    neg = np.flatnonzero(net > 0)
    if len(neg):
        stays = np.all(net[neg[0]:] > 0)
        text = (_("The site's cumulative balance is a net removal from year {year} on (it stays positive from then).")
                if stays else _("The site's cumulative balance is a net removal from year {year} on."))
        out.append('<p class="note">' + text.format(year=int(neg[0]) + 1) + "</p>")
    out.append(field_validation(ctx))
    out.append("</section>")
    return "".join(out)


def soil(ctx: ReportContext, figs) -> str:
    z = ctx.zones
    tol = ctx.tolerable
    out = ['<section id="soil"><h2>' + _("5. Soil loss before and after") + '</h2>',
           "<p>" + _("Soil loss is estimated with RUSLE (A = R·K·LS·C·P, USDA Agriculture Handbook 703) for each zone "
                     "and year. \"Before\" is the site with no works, left to natural regeneration; \"after\" is the "
                     "plan. Grades follow the Chinese standard SL 190-2007.")
           + (" " + _("The tolerable loss for this region is {tol} t/ha/yr ({tol_km2} t/km²·a).").format(
               tol=f"{tol:g}", tol_km2=f"{tol * 100:,.0f}") if tol else "")
           + "</p>"]
    out.append(_fig(figs, "fig-soil-maps", _("Figure 8. Erosion grade of each zone (mean over the horizon), no works "
                    "(left) and with the plan (right).")))
    out.append(_fig(figs, "fig-soil", _("Figure 9. Soil loss by zone type, and of the whole site year by year "
                    "(logarithmic scale).")))
    if "baseline_soil_loss_t_per_yr" in z and tol:
        from ..figures import soil_grades
        before = soil_grades(z["baseline_soil_loss_t_per_yr"], z["area_ha"], tol)
        after = soil_grades(z["soil_loss_t_per_yr"], z["area_ha"], tol)
        rows = []
        for g in style.GRADE_COLORS:
            nb, na = int((before == g).sum()), int((after == g).sum())
            if nb or na:
                rows.append((style.label(g, style.GRADE_LABELS), nb, f"{z['area_ha'][before == g].sum():,.1f}", na,
                             f"{z['area_ha'][after == g].sum():,.1f}"))
        out.append(table([_("Erosion grade"), _("Zones, no works"), _("ha, no works"), _("Zones, plan"),
                          _("ha, plan")], rows,
                         num=(1, 2, 3, 4)))
    t = ctx.totals()
    out.append("<p>" + _("First-year soil loss under the plan is {loss}: the year after the works, before vegetation "
                         "covers the ground, erodes the most.").format(loss=_v(t['soil_loss_first_year_t'], 't'))
               + "</p></section>")
    return "".join(out)


def cost(ctx: ReportContext, figs) -> str:
    z = ctx.zones
    t = ctx.totals()
    g = compare.by_group(z.assign(later=z["cost_cny"] - z["capex_cny"]), "zone_type", ["area_ha", "capex_cny", "later"])
    rows = [(style.label(r.zone_type, style.ZONE_TYPE_LABELS), r.zones, f"{r.area_ha:,.1f}", _v(r.capex_cny, "CNY"),
             _v(r.later, "CNY"), _v((r.capex_cny + r.later) / r.area_ha if r.area_ha else None, "CNY"))
            for r in g.itertuples()]
    rows.append((_("All zones"), len(z), f"{t['area_ha']:,.1f}", _v(t["capex_cny"], "CNY"),
                 _v(t["cost_cny"] - t["capex_cny"], "CNY"), _v(t["cost_cny"] / t["area_ha"], "CNY")))
    return ('<section id="cost"><h2>' + _("6. Cost") + '</h2>'
            + "<p>" + _("Capital cost is spent in year 0: works priced from the measure catalog, plus 10 % project "
                        "management and 10 % contingency (Queensland ERC rule). Later costs are upkeep of the "
                        "measures, maintenance and monitoring, discounted to today. Money is in CNY of 2025; ¥ M = "
                        "million CNY.")
            + "</p>"
            + _fig(figs, "fig-cost", _("Figure 10. Capital and later costs by zone type and by what the plan does."))
            + table([_("Zone type"), _("Zones"), _("Area [ha]"), _("Capital cost"), _("Later costs (NPV)"),
                     _("Total per ha")], rows,
                    num=(1, 2, 3, 4, 5))
            + "</section>")


def credits(ctx: ReportContext, figs) -> str:
    z = ctx.zones
    out = ['<section id="credits"><h2>' + _("7. Carbon credits: which zones earn under which standard") + '</h2>',
           "<p>" + _("Whether a zone's removals can be sold as credits depends on the standard and on the zone: its "
                     "land designation, its type, its vegetation and its size. Credits are net removals of the "
                     "credited carbon pools less a buffer for non-permanence ({buffer} %) and an uncertainty deduction "
                     "that depends on the monitoring level ({level}). A zone eligible under two standards is counted "
                     "under both rows below, but its credits can be issued only once.").format(
               buffer=f"{100 * float(ctx.settings.get('buffer_fraction', 0)):g}",
               level=esc(ctx.settings.get('monitoring_level', '?'))) + "</p>"]
    out.append(_net_accounting(ctx))
    out.append(_fig(figs, "fig-credits-map",
                    _("Figure 11. Standards under which each zone of the plan earns credits.")))
    out.append(_fig(figs, "fig-credits", _("Figure 12. Credits and area of the zones eligible under each standard.")))
    rows = []
    t = ctx.totals()
    for s in ctx.standards:
        m = compare.eligible_mask(z, s)
        rows.append((s, int(m.sum()), f"{z['area_ha'][m].sum():,.1f}", _v(t[f"credits_{s}_tco2e"], "t CO2e"),
                     _v(z["credit_value_cny"][m].sum(), "CNY")))
    none = (~np.any([compare.eligible_mask(z, s) for s in ctx.standards], axis=0) if ctx.standards
            else np.ones(len(z), bool))
    rows.append((_("No standard"), int(none.sum()), f"{z['area_ha'][none].sum():,.1f}", "–", "–"))
    out.append(table([_("Standard"), _("Eligible zones"), _("Area [ha]"), _("Credits over the horizon"),
                      _("Credit value (NPV)")],
                     rows, num=(1, 2, 3, 4)))
    rules = ctx.manifest.get("standards") or []
    if rules:
        rr = [(r["standard"], r["name"], ", ".join(r["credited_pools"]),
               ", ".join(r["land_designations"]) if r["land_designations"] else _("any"),
               ", ".join(r["excluded_zone_types"]) or _("none"), r.get("baseline_rule",
                                                                       "–"), r["source"]) for r in rules]
        out.append("<h3>" + _('Eligibility rules applied') + "</h3>")
        out.append(table([_("Standard"), _("Name"), _("Credited pools"), _("Land designations admitted"),
                          _("Zone types excluded"),
                          _("Baseline"), _("Source")], rr))
        src = [(r["standard"], r["accounting_source"]) for r in rules if r.get("accounting_source")]
        if src:
            out.append(table([_("Standard"), _("Baseline and leakage rule, and where it comes from")], src))
    out.append("</section>")
    return "".join(out)


def _net_accounting(ctx: ReportContext) -> str:
    """Credits net of the baseline and leakage, net-of-baseline removals and restored farmland
    (docs/science.md §5.5–5.6), as the run's summary holds them."""
    acc = ctx.plans[ctx.headline].numbers.get("accounting") or {}
    net = acc.get("removals_net_of_baseline_tco2e")
    farm = acc.get("restored_farmland_ha")
    out = ['<h3>' + _("Net of the baseline and leakage") + '</h3>',
           "<p>" + _("Credits are the project's removals of the credited pools less what the same zone would remove "
                     "with no works (its natural-regeneration or no-works trajectory) less leakage: CCER-14-001-V01 "
                     "and Verra VM0047 both subtract a baseline and leakage (VMD0054 for displaced farming or "
                     "grazing); VM0044's baseline holds no biochar. A year in which the no-works land would lose "
                     "carbon is counted as zero, so the plan is never credited for avoiding a loss.")
           + " <strong>" + _("Flag:") + "</strong> "
           + _("the baseline and leakage sections of CCER-14-001-V01 were not read, VM0047's remote-sensed "
               "performance benchmark is replaced by the no-works trajectory, and leakage on farmland or grazing land "
               "is 100 % until a VMD0054 estimate replaces it: the conservative readings, to be checked against the "
               "standards before registration.") + "</p>"]
    rows = [(_("Net removals (physical, the removals objective)"), _v(ctx.totals().get("removals_tco2e"), "t CO2e")),
            (_("Net removals beyond no works (plan less baseline)"), _v(net, "t CO2e")),
            (_("Restored farmland (zones ending as cropland)"), f"{farm:,.1f} ha" if farm is not None else "–")]
    out.append(table([_("Quantity"), _("Value")], rows, num=(1,)))
    out.append('<p class="note">' + _("Restored farmland counts toward the province's supplementary cultivated-land "
                                      "quota (Land Reclamation Regulation 2011, Art. 4: reclaimed land goes to "
                                      "agriculture first). Zones designated farmland take no tree or shrub option "
                                      "(国办发明电〔2020〕24号).") + "</p>")
    return "".join(out)
