"""The plan (§3): the interactive explorer, totals, measures chosen and constraints; for a front
run, the Pareto front, its named plans, marginal trade-offs and how the plans differ."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...analysis import compare, frontier
from ...i18n import N_, _
from ...problem.objectives import constraint_label
from .. import style
from ..context import ReportContext
from ..html import esc, table
from .common import _fig, _v

WORKS_CAPTION = N_("Figure {n}. Works map of {which}: soil measures as fills, landform works as hatching, waste "
                 "works (fire treatment, gangue backfill) as coloured outlines; the zone-by-zone annex (§12) "
                 "lists them with area, removals, soil loss and grade, cost and eligibility. The plan GeoPackage "
                 "holds the same map as its 'works' style.")


def _objective_label(key: str) -> str:
    return _(style.OBJECTIVE_LABELS.get(key, (key, ""))[0])


def _role_name(role: str) -> str:
    """"best_removals" → "Best net removals" (translated); another role as it is."""
    if role.startswith("best_"):
        return _("Best {objective}").format(objective=style.lower_first(_objective_label(role[5:])))
    return role.replace("_", " ")


def explorer(ctx: ReportContext, map_svg: str) -> str:
    """The interactive part: front chart (front runs), the selected plan's map and totals."""
    front = ctx.kind == "front"
    out = [f'<div class="explorer screen-only{"" if front else " single"}">']
    if front:
        opts = "".join(f'<option value="{k}">{esc(p.label)}' + (f' — {esc(", ".join(ctx.roles_of(k)))}'
                                                                 if ctx.roles_of(k) else "") + "</option>"
                       for k, p in enumerate(ctx.plans))
        out.append('<div class="panel"><div class="controls"><label>' + _("Plan on the front:") + ' '
                   f'<select id="point-select">{opts}</select></label></div>'
                   '<div id="front-chart" data-figure="front-interactive"></div>'
                   '<p class="note">' + _("Each dot is one plan that no other plan beats in both objectives. Click a "
                                          "dot (or pick it from the list) to show its map and totals. The red diamond "
                                          "marks the knee.") + '</p></div>')
    modes = (("category", _("what the plan does")), ("removals", _("net removals per ha")),
             ("soil", _("soil loss grade")), ("credits", _("credit eligibility")),
             ("works", _("works (landform, soil, waste)")))
    out.append('<div class="panel"><div class="controls"><label>' + _("Colour zones by:") + ' <select id="map-mode">'
               + "".join(f'<option value="{k}">{esc(v)}</option>' for k, v in modes) + '</select></label></div>'
               '<div id="map-title" class="note"></div>'
               f'<div id="plan-map" data-figure="map-interactive">{map_svg}</div>'
               '<div id="map-legend" class="legend"></div>'
               '<div id="zone-info">' + _("Point at a zone for its details.") + '</div></div>')
    out.append("</div>")
    if front:
        out.append('<h3 id="totals-title" class="screen-only">' + _("Totals") + '</h3><table class="screen-only">'
                   '<thead><tr><th>' + _("Quantity") + '</th><th class="num">' + _("Value") + '</th><th class="num">'
                   + _("Change against the knee") + '</th></tr></thead><tbody id="totals-body"></tbody></table>')
    return "".join(out)


def plans_section(ctx: ReportContext, figs, map_svg: str) -> str:
    if ctx.kind == "front":
        return front_section(ctx, figs, map_svg)
    t = ctx.totals()
    out = ['<section id="plan"><h2>' + _("3. The plan") + '</h2>',
           "<p>" + _("What the plan does in each zone. On screen the map can be coloured by other quantities, and "
                     "pointing at a zone shows its option and numbers; the printed figure below shows the vegetation "
                     "or main measure.") + "</p>",
           explorer(ctx, map_svg),
           _fig(figs, "fig-plan", _("Figure 2. Vegetation or main measure of each zone under the plan."),
                "print-only"),
           _fig(figs, "fig-works", _(WORKS_CAPTION).format(n="2b", which=_("the plan")))]
    out.append("<h3>" + _('Totals') + "</h3>")
    base = ctx.baseline_totals()
    if base:
        out.append(totals_table(ctx, [t, base], [_("The plan"), _("No works (natural regeneration)")]))
    else:
        out.append(totals_table(ctx, [t], [_("The plan")]))
    out.append(options_table(ctx.zones))
    out.append(constraints_table(ctx))
    out.append("</section>")
    return "".join(out)


def totals_table(ctx, totals, names) -> str:
    rows = []
    for m in compare.metrics_for(ctx.standards):
        rows.append([_(m.label)] + [_v(t.get(m.key), m.unit) for t in totals])
    return table([_("Quantity")] + list(names), rows, num=tuple(range(1, len(names) + 1)))


def options_table(zones: pd.DataFrame) -> str:
    """Zones, area, removals and capital cost by the measures chosen (by option id for a plan file
    without a ``measures`` column)."""
    key = "measures" if "measures" in zones else "option_id"
    g = zones.groupby(key, dropna=False).agg(zones=("zone_id", "size"), area_ha=("area_ha", "sum"),
                                             removals=("removals_tco2e", "sum"), capex=("capex_cny", "sum"))
    g = g.sort_values("area_ha", ascending=False)
    rows = [(r.Index or _("(no works)"), int(r.zones), f"{r.area_ha:,.1f}", _v(r.removals, "t CO2e"),
             _v(r.capex, "CNY")) for r in g.itertuples()]
    head = _("Measures (group=measure)") if key == "measures" else _("Option (the plan file has no measures column)")
    return ("<h3>" + _('Measures chosen') + "</h3>"
            + table([head, _("Zones"), _("Area [ha]"), _("Net removals"), _("Capital cost")], rows,
                                               num=(1, 2, 3, 4)))


def constraints_table(ctx) -> str:
    cons = (ctx.summary or {}).get("constraints") or []
    if not cons:
        return ""
    rows = []
    for c in cons:
        used = c["lhs"] / c["rhs"] if c.get("rhs") else None
        rows.append((constraint_label(c["name"]), _v(c["lhs"], c["unit"]), _v(c["rhs"], c["unit"]),
                     "–" if used is None else f"{100 * used:.1f} %",
                     _("binding") if c.get("slack") is not None and abs(c["slack"]) <= 1e-3 * max(1, abs(c["rhs"]))
                     else ""))
    return ("<h3>" + _('Constraints') + "</h3><p>" + _("Resources the plan may use and how much of each it uses.")
            + "</p>"
            + table([_("Constraint"), _("Used"), _("Limit"), _("Share"), ""], rows, num=(1, 2, 3)))


def front_section(ctx: ReportContext, figs, map_svg: str) -> str:
    f = ctx.front_points
    obj = ctx.objectives
    out = ['<section id="plan"><h2>' + _("3. Trade-offs: the Pareto front") + '</h2>',
           "<p>" + _("The optimiser found {n} plans, each the best possible for one level of {objectives}: no other "
                     "plan is better in every objective at once. Choosing among them is a policy decision; the knee is "
                     "the plan after which further gains cost the most.").format(
               n=len(f), objectives=esc(_(" and ").join(style.lower_first(_(style.OBJECTIVE_LABELS.get(o, (o, ''))[0]))
                                                     for o in obj))) + "</p>",
           explorer(ctx, map_svg),
           ('<p class="note">' + _("The chart shows the first two objectives; {others} of every point is in the table "
                                   "of §9 and in each point's tooltip.").format(others=esc(", ".join(obj[2:]))) + "</p>"
            if len(obj) > 2 else ""),
           _fig(figs, "fig-front",
                _("Figure 2. The Pareto front (static version for print). Numbers label the points."),
                "print-only"),
           _fig(figs, "fig-plan", _("Figure 3. Vegetation or main measure of each zone in the {plan}.").format(
               plan=style.lower_first(_(ctx.headline_name))), "print-only"),
           _fig(figs, "fig-works", _(WORKS_CAPTION).format(n="3b", which=style.lower_first(_(ctx.headline_name))))]
    # named points
    rows: list[tuple] = []
    for role, i in ctx.roles.items():
        name = {"knee": _("Knee"), "closest_to_ideal": _("Closest to the ideal point")}.get(role) or _role_name(role)
        t = ctx.totals(i)
        rows.append((name, int(f["point"].iloc[i]), _v(t["removals_tco2e"], "t CO2e"), _v(t["capex_cny"], "CNY"),
                     _v(t["cost_cny"], "CNY"), _v(t["soil_loss_t_per_yr"], "t/yr"), _v(t["credit_value_cny"], "CNY")))
    out.append("<h3>" + _('Named plans on the front') + "</h3>")
    out.append('<p class="note">' + _("Knee: the point farthest below the line (plane) through the extremes in "
                                      "normalised objective space (Das 1999). Closest to the ideal point: nearest, in "
                                      "normalised space, to the unattainable point that is best in every objective at "
                                      "once.") + "</p>")
    out.append(table([_("Plan"), _("Point"), _("Net removals"), _("Capital cost"), _("Net present cost"),
                      _("Soil loss"), _("Credit value")],
                     rows, num=(1, 2, 3, 4, 5, 6)))
    if len(obj) == 2 and len(f) > 1:
        mr = frontier.marginal_rates(f[list(obj)].to_numpy(float), obj)
        rows = []
        for r in mr.itertuples():
            rate = r.rate
            a, b = obj
            ua = style.OBJECTIVE_LABELS.get(a, (a, ""))[1]
            ub = style.OBJECTIVE_LABELS.get(b, (b, ""))[1]
            rows.append((f"{int(f['point'].iloc[r.from_point])} → {int(f['point'].iloc[r.to_point])}",
                         style.fmt_delta(getattr(r, f"d_{a}"), ua), style.fmt_delta(getattr(r, f"d_{b}"), ub),
                         "–" if not np.isfinite(rate) else _("{rate} {unit} per {per}").format(
                             rate=style.fmt_number(rate), unit=ub, per=ua)))
        out.append("<h3>" + _('Marginal trade-off between neighbouring plans') + "</h3>")
        na, nb = (_objective_label(o) for o in obj[:2])
        out.append("<p>" + _("Moving along the front, sorted by {a}: how much {b} each step adds or saves per unit "
                             "gained.").format(a=esc(style.lower_first(na)), b=esc(style.lower_first(nb))) + "</p>")
        out.append(table([_("Step"), f"Δ {na}", f"Δ {nb}", _("Rate")], rows, num=(1, 2, 3)))
    out.append("<h3>" + _('How the plans differ') + "</h3>")
    out.append(_fig(figs, "fig-frequency", _("Figure 4. For each zone, the vegetation chosen most often across the "
                    "front; the paler the zone, the more the plans disagree there.")))
    out.append(_fig(figs, "fig-jaccard", _("Figure 5. Pairwise similarity of the front's plans: the share of "
                    "zone–measure choices two plans have in common (Jaccard index; 1 = identical).")))
    out.append("</section>")
    return "".join(out)
