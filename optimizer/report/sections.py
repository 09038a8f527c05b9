"""The report's sections as HTML, in reading order. Each takes the :class:`ReportContext` and the
rendered figures (id → (inline SVG, print file names)) and returns one ``<section>``."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd

from ..analysis import compare, frontier
from . import style
from .context import ReportContext, placeholders_in_plan
from .html import Raw, cards, esc, figure, table

STATUS_WORDS = {
    "optimal": "proven optimal within the certified gap",
    "feasible": "feasible, but not proven optimal: the certified gap is larger than requested",
    "time_limit": "NOT proven optimal: the solver stopped at its time limit",
    "infeasible": "infeasible: no plan meets the constraints",
    "error": "the solver failed",
}


def _fig(figs, key, caption, cls=""):
    if key not in figs:
        return ""
    svg, files = figs[key]
    return figure(svg, caption, key, files, cls)


def _v(v, unit):
    return style.fmt_value(v, unit)


def _pct(x):
    return "–" if x is None or not math.isfinite(x) else f"{100 * x:.2g} %"


def _gap(g):
    return "–" if g is None else f"{g:.1e}"


def _finite(v):
    return float(v) if v is not None and math.isfinite(float(v)) else None


def _zones_over_tolerable(z: pd.DataFrame, tol: float) -> int:
    """Zones whose mean soil loss is above the tolerable loss: the options' own
    ``within_tolerance`` flag, as the plan file holds it (recomputed from the rows with the
    model's rule, mean ≤ tolerable + 1e-12 t/ha/yr, only for a file without the column)."""
    if "within_tolerance" in z:
        return int((~z["within_tolerance"].astype(bool)).sum())
    return int((z["soil_loss_t_per_yr"] / z["area_ha"] > tol + 1e-12).sum())


def _years(ctx: ReportContext) -> str:
    if ctx.start_year is not None and ctx.horizon:
        return f"{ctx.horizon} years ({ctx.start_year + 1}–{ctx.start_year + ctx.horizon})"
    return f"{ctx.horizon} years" if ctx.horizon else "the planning horizon"


# ----------------------------------------------------------------------------------------------
def header(ctx: ReportContext) -> str:
    statuses = [s for s, _ in ctx.statuses()]
    ok = all(s == "optimal" for s in statuses)
    what = (f"Pareto front of {len(ctx.plans)} plans: {' vs '.join(ctx.objectives)}" if ctx.kind == "front"
            else "One plan, optimised for "
            + str((ctx.summary or {}).get('objective_name') or (ctx.summary or {}).get('objective') or ((ctx.manifest.get('problem') or {}).get('objectives') or ['?'])[0]))
    created = ctx.manifest.get("created_utc", "unknown time")
    badge = ("all plans proven optimal within their gaps" if ctx.kind == "front" else "proven optimal") if ok else \
        "not every plan is proven optimal: see §9"
    return (f'<header class="cover"><p>SinkPlan report on a mine ecological restoration plan for carbon</p>'
            f"<h1>{esc(ctx.site_name)}</h1>"
            f"<p>{esc(what)} · run of {esc(created)} · <span class=\"status {'ok' if ok else 'notok'}\">"
            f"{esc(badge)}</span></p>"
            f'<p>Run folder: <span class="mono">{esc(ctx.run_path)}</span></p></header>')


def summary(ctx: ReportContext) -> str:
    z = ctx.zones
    t = ctx.totals()
    base = ctx.baseline_totals()
    b_rem, b_soil = (_finite(base.get(k)) for k in ("removals_tco2e", "soil_loss_t_per_yr"))
    budget = (ctx.manifest.get("problem") or {}).get("budget_cny") or ctx.settings.get("budget_cny")
    n_works = int(t["zones_with_works"])
    works_area = float(z.loc[~z["option_id"].isin(compare.BASELINE_OPTIONS), "area_ha"].sum())
    tol = ctx.tolerable
    over = _zones_over_tolerable(z, tol) if tol else None
    which = (f"This report describes the {style.lower_first(ctx.headline_name)} of a Pareto front of "
             f"{len(ctx.plans)} plans" if ctx.kind == "front" else "This report describes one plan")
    s = [f"{which} for <b>{esc(ctx.site_name)}</b>: {len(z)} zones covering {t['area_ha']:,.1f} ha."]
    if n_works == len(z):
        s.append("The plan carries out restoration works in every zone.")
    else:
        s.append(f"The plan carries out restoration works in {n_works} zones ({works_area:,.1f} ha) and leaves the "
                 f"other {len(z) - n_works} to natural regeneration.")
    rem = f"Over {_years(ctx)} it removes a net <b>{_v(t['removals_tco2e'], 't CO2e')}</b> from the atmosphere"
    if b_rem is not None:
        rem += (f"; left without works, the site would release a net {_v(-b_rem, 't CO2e')} instead (eroding soil "
                "carries its carbon away)" if b_rem < 0 else
                f", against {_v(b_rem, 't CO2e')} if the site were left without works")
    s.append(rem + ".")
    cost = f"Its capital cost is <b>{_v(t['capex_cny'], 'CNY')}</b>"
    if budget:
        cost += f" (budget {_v(float(budget), 'CNY')})"
    cost += f"; with upkeep, maintenance and monitoring the net present cost is {_v(t['cost_cny'], 'CNY')}."
    s.append(cost)
    if b_soil is not None:
        soil = (f"Mean soil loss falls from {_v(b_soil, 't/yr')} without works to <b>{_v(t['soil_loss_t_per_yr'], 't/yr')}</b>")
        if over is not None:
            soil += (f"; {over} zone(s) stay above the tolerable loss of {tol:g} t/ha/yr" if over else
                     f"; every zone is within the tolerable loss of {tol:g} t/ha/yr")
        s.append(soil + ".")
    std = ", ".join(ctx.standards) or "no standard"
    s.append(f"Expected credits are {_v(t['credits_tco2e'], 't CO2e')} (standards assessed: {esc(std)}), worth "
             f"{_v(t['credit_value_cny'], 'CNY')} at the assumed carbon price path, discounted at "
             f"{100 * float(ctx.settings.get('discount_rate', 0)):g} % a year.")
    s.append(f"Avoided emissions of {_v(t['avoided_tco2e'], 't CO2e')} (burning gangue put out, solar power replacing "
             "grid power) are reported separately and are not counted as removals or credits.")
    statuses = ctx.statuses()
    if ctx.kind == "plan":
        st, g = statuses[0]
        s.append(f"The optimiser's result is {esc(STATUS_WORDS.get(st, st))} (relative gap {_gap(g)}).")
    else:
        worst = max((g for _, g in statuses if g is not None), default=None)
        n_opt = sum(st == "optimal" for st, _ in statuses)
        s.append(f"{n_opt} of {len(statuses)} front plans are proven optimal; the largest certified gap is {_gap(worst)}.")
    out = [f'<section id="summary"><h2>1. Summary</h2><p class="lead">{" ".join(s)}</p>']
    out.append(cards([
        ("Net removals over the horizon", _v(t["removals_tco2e"], "t CO2e"),
         f"no works: {_v(b_rem, 't CO2e')}" if b_rem is not None else ""),
        ("Capital cost", _v(t["capex_cny"], "CNY"), f"budget {_v(float(budget), 'CNY')}" if budget else ""),
        ("Net present cost", _v(t["cost_cny"], "CNY"), "capital + upkeep + monitoring"),
        ("Mean soil loss", _v(t["soil_loss_t_per_yr"], "t/yr"),
         f"no works: {_v(b_soil, 't/yr')}" if b_soil is not None else ""),
        ("Credits", _v(t["credits_tco2e"], "t CO2e"), f"value {_v(t['credit_value_cny'], 'CNY')} (NPV)"),
        ("Avoided emissions", _v(t["avoided_tco2e"], "t CO2e"), "reported apart, not removals"),
    ]))
    warn = []
    n_ph = len(placeholders_in_plan(z))
    if n_ph:
        warn.append(f"The plan depends on {n_ph} placeholder value(s) that have no published source (§8). "
                    "Treat the numbers as estimates until these are replaced by site data or cited values.")
    if "synthetic" in ctx.site_name.lower():
        warn.append("The site is synthetic (an example made by scripts/make_sites.py), not a surveyed mine.")
    if ctx.integrity:
        warn.append("Some files in the run folder do not match the run's manifest (§10): "
                    + "; ".join(ctx.integrity[:3]) + ("…" if len(ctx.integrity) > 3 else ""))
    if not ctx.manifest:
        warn.append("No manifest.json was found beside the plan: inputs, settings and versions cannot be shown.")
    for w in warn:
        out.append(f'<div class="callout">{esc(w)}</div>')
    out.append("</section>")
    return "".join(out)


# ----------------------------------------------------------------------------------------------
SETTING_ROWS = ("region", "annual_rainfall_mm", "climate", "rainfall_erosivity_mj_mm_per_ha_h_yr",
                "soil_erodibility_t_ha_h_per_ha_mj_mm", "slope_steepness_method", "tolerable_soil_loss_t_per_ha_yr",
                "horizon_yr", "start_year", "discount_rate", "standards", "buffer_fraction", "monitoring_level",
                "path", "start_cny_per_t", "growth_per_yr", "grid_emission_factor_t_per_mwh", "budget_cny",
                "topsoil_stock_m3", "gangue_stock_m3", "initial_soc_t_per_ha", "surface_soc_g_per_kg")


def _schema():
    try:
        from ..settings import schema_table
        return schema_table().set_index("key")
    except Exception:  # the report still works without the schema (units left blank)
        return pd.DataFrame(columns=["unit", "description"])


def _setting_value(v) -> str:
    if isinstance(v, list):
        return ", ".join(map(str, v))
    if isinstance(v, float):
        return f"{v:,.0f}" if v.is_integer() and abs(v) >= 1000 else f"{v:.4g}"
    return str(v)


def site(ctx: ReportContext, figs) -> str:
    z = ctx.zones
    out = ['<section id="site"><h2>2. The site</h2>']
    crs = ""
    if ctx.geometry is not None and ctx.geometry.crs is not None:
        crs = ctx.geometry.crs.to_string()
    inp = (ctx.manifest.get("inputs") or {}).get("zoning_file") or {}
    out.append(f"<p>The zoning file <span class=\"mono\">{esc(inp.get('path', '?'))}</span> divides the site into "
               f"{len(z)} zones. Areas are computed in the projected coordinate system {esc(crs or 'of the file')}.</p>")
    out.append(_fig(figs, "fig-site", "Figure 1. Zones by type. Scale bar in metres; north is up."))
    g = compare.by_group(z, "zone_type", ["area_ha"])
    rows = [(style.label(r.zone_type, style.ZONE_TYPE_LABELS), r.zones, f"{r.area_ha:,.1f}",
             f"{100 * r.area_ha / z['area_ha'].sum():.0f} %") for r in g.itertuples()]
    out.append(table(["Zone type", "Zones", "Area [ha]", "Share of area"], rows, num=(1, 2, 3)))
    sch = _schema()
    sources = dict(ctx.settings.get("sources") or {})
    rows = []
    for k in SETTING_ROWS:
        if k not in ctx.settings:
            continue
        v = _setting_value(ctx.settings[k])
        unit = sch.at[k, "unit"] if k in sch.index else ""
        src = sources.get(k, "")
        ph = k in (ctx.settings.get("placeholders") or [])
        rows.append((k, Raw(f"{esc(v)}" + (' <span class="pill">placeholder</span>' if ph else "")), unit, src))
    if rows:
        out.append("<h3>Site settings used</h3>")
        out.append(table(["Setting", "Value", "Unit", "Where the value comes from"], rows))
    out.append("</section>")
    return "".join(out)


# ----------------------------------------------------------------------------------------------
def explorer(ctx: ReportContext, map_svg: str) -> str:
    """The interactive part: front chart (front runs), the selected plan's map and totals."""
    front = ctx.kind == "front"
    out = [f'<div class="explorer screen-only{"" if front else " single"}">']
    if front:
        opts = "".join(f'<option value="{k}">{esc(p.label)}' + (f' — {esc(", ".join(ctx.roles_of(k)))}'
                                                                 if ctx.roles_of(k) else "") + "</option>"
                       for k, p in enumerate(ctx.plans))
        out.append('<div class="panel"><div class="controls"><label>Plan on the front: '
                   f'<select id="point-select">{opts}</select></label></div>'
                   '<div id="front-chart" data-figure="front-interactive"></div>'
                   '<p class="note">Each dot is one plan that no other plan beats in both objectives. Click a dot '
                   '(or pick it from the list) to show its map and totals. The red diamond marks the knee.</p></div>')
    out.append('<div class="panel"><div class="controls"><label>Colour zones by: <select id="map-mode">'
               '<option value="category">what the plan does</option>'
               '<option value="removals">net removals per ha</option>'
               '<option value="soil">soil loss grade</option>'
               '<option value="credits">credit eligibility</option></select></label></div>'
               f'<div id="map-title" class="note"></div><div id="plan-map" data-figure="map-interactive">{map_svg}</div>'
               '<div id="map-legend" class="legend"></div><div id="zone-info">Point at a zone for its details.</div></div>')
    out.append("</div>")
    if front:
        out.append('<h3 id="totals-title" class="screen-only">Totals</h3><table class="screen-only"><thead><tr>'
                   '<th>Quantity</th><th class="num">Value</th><th class="num">Change against the knee</th></tr>'
                   '</thead><tbody id="totals-body"></tbody></table>')
    return "".join(out)


def plans_section(ctx: ReportContext, figs, map_svg: str) -> str:
    if ctx.kind == "front":
        return front_section(ctx, figs, map_svg)
    t = ctx.totals()
    out = ['<section id="plan"><h2>3. The plan</h2>',
           "<p>What the plan does in each zone. On screen the map can be coloured by other quantities, and pointing "
           "at a zone shows its option and numbers; the printed figure below shows the vegetation or main measure.</p>",
           explorer(ctx, map_svg),
           _fig(figs, "fig-plan", "Figure 2. Vegetation or main measure of each zone under the plan.", "print-only")]
    out.append("<h3>Totals</h3>")
    base = ctx.baseline_totals()
    if base:
        out.append(totals_table(ctx, [t, base], ["The plan", "No works (natural regeneration)"]))
    else:
        out.append(totals_table(ctx, [t], ["The plan"]))
    out.append(options_table(ctx.zones))
    out.append(constraints_table(ctx))
    out.append("</section>")
    return "".join(out)


def totals_table(ctx, totals, names) -> str:
    rows = []
    for m in compare.metrics_for(ctx.standards):
        rows.append([m.label] + [_v(t.get(m.key), m.unit) for t in totals])
    return table(["Quantity"] + list(names), rows, num=tuple(range(1, len(names) + 1)))


def options_table(zones: pd.DataFrame) -> str:
    """Zones, area, removals and capital cost by the measures chosen (by option id for a plan file
    without a ``measures`` column)."""
    key = "measures" if "measures" in zones else "option_id"
    g = zones.groupby(key, dropna=False).agg(zones=("zone_id", "size"), area_ha=("area_ha", "sum"),
                                             removals=("removals_tco2e", "sum"), capex=("capex_cny", "sum"))
    g = g.sort_values("area_ha", ascending=False)
    rows = [(r.Index or "(no works)", int(r.zones), f"{r.area_ha:,.1f}", _v(r.removals, "t CO2e"),
             _v(r.capex, "CNY")) for r in g.itertuples()]
    head = "Measures (group=measure)" if key == "measures" else "Option (the plan file has no measures column)"
    return ("<h3>Measures chosen</h3>" + table([head, "Zones", "Area [ha]", "Net removals", "Capital cost"], rows,
                                               num=(1, 2, 3, 4)))


def constraints_table(ctx) -> str:
    cons = (ctx.summary or {}).get("constraints") or []
    if not cons:
        return ""
    rows = []
    for c in cons:
        used = c["lhs"] / c["rhs"] if c.get("rhs") else None
        rows.append((c["name"], _v(c["lhs"], c["unit"]), _v(c["rhs"], c["unit"]),
                     "–" if used is None else f"{100 * used:.1f} %",
                     "binding" if c.get("slack") is not None and abs(c["slack"]) <= 1e-3 * max(1, abs(c["rhs"])) else ""))
    return ("<h3>Constraints</h3><p>Resources the plan may use and how much of each it uses.</p>"
            + table(["Constraint", "Used", "Limit", "Share", ""], rows, num=(1, 2, 3)))


def front_section(ctx: ReportContext, figs, map_svg: str) -> str:
    f = ctx.front
    obj = ctx.objectives
    out = ['<section id="plan"><h2>3. Trade-offs: the Pareto front</h2>',
           f"<p>The optimiser found {len(f)} plans, each the best possible for one level of "
           f"{esc(' and '.join(style.lower_first(style.OBJECTIVE_LABELS.get(o, (o, ''))[0]) for o in obj))}: no other plan is better "
           "in every objective at once. Choosing among them is a policy decision; the knee is the plan after which "
           "further gains cost the most.</p>",
           explorer(ctx, map_svg),
           (f'<p class="note">The chart shows the first two objectives; '
            f'{esc(", ".join(obj[2:]))} of every point is in the table of §9 and in each point\'s tooltip.</p>'
            if len(obj) > 2 else ""),
           _fig(figs, "fig-front", "Figure 2. The Pareto front (static version for print). Numbers label the points.",
                "print-only"),
           _fig(figs, "fig-plan", f"Figure 3. Vegetation or main measure of each zone in the "
                f"{style.lower_first(ctx.headline_name)}.", "print-only")]
    # named points
    rows = []
    for role, i in ctx.roles.items():
        name = {"knee": "Knee", "closest_to_ideal": "Closest to the ideal point"}.get(role, role.replace("best_", "Best ").replace("_", " "))
        t = ctx.totals(i)
        rows.append((name, int(f["point"].iloc[i]), _v(t["removals_tco2e"], "t CO2e"), _v(t["capex_cny"], "CNY"),
                     _v(t["cost_cny"], "CNY"), _v(t["soil_loss_t_per_yr"], "t/yr"), _v(t["credit_value_cny"], "CNY")))
    out.append("<h3>Named plans on the front</h3>")
    out.append("<p class=\"note\">Knee: the point farthest below the line (plane) through the extremes in normalised "
               "objective space (Das 1999). Closest to the ideal point: nearest, in normalised space, to the "
               "unattainable point that is best in every objective at once.</p>")
    out.append(table(["Plan", "Point", "Net removals", "Capital cost", "Net present cost", "Soil loss", "Credit value"],
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
                         "–" if not np.isfinite(rate) else f"{style.fmt_number(rate)} {ub} per {ua}"))
        out.append("<h3>Marginal trade-off between neighbouring plans</h3>")
        out.append(f"<p>Moving along the front, sorted by {esc(obj[0])}: how much {esc(obj[1])} each step adds or saves "
                   "per unit gained.</p>")
        out.append(table(["Step", f"Δ {obj[0]}", f"Δ {obj[1]}", "Rate"], rows, num=(1, 2, 3)))
    out.append("<h3>How the plans differ</h3>")
    out.append(_fig(figs, "fig-frequency", "Figure 4. For each zone, the vegetation chosen most often across the front; "
                    "the paler the zone, the more the plans disagree there."))
    out.append(_fig(figs, "fig-jaccard", "Figure 5. Pairwise similarity of the front's plans: the share of zone–measure "
                    "choices two plans have in common (Jaccard index; 1 = identical)."))
    out.append("</section>")
    return "".join(out)


# ----------------------------------------------------------------------------------------------
def carbon(ctx: ReportContext, figs) -> str:
    traj = ctx.plan.trajectories
    out = ['<section id="carbon"><h2>4. Carbon over time</h2>',
           "<p>Net removals in each year are the change in biomass and soil carbon, biochar added, and wetland burial "
           "less methane, minus the soil carbon carried off by erosion and the project's own emissions (fuel, lime, "
           "fertiliser), all in tonnes of CO2 equivalent (t CO2e; 1 t C = 44/12 t CO2e). The grey line is the same "
           "site with no works, left to natural regeneration.</p>"]
    if traj is None:
        out.append('<p class="callout">No trajectory file was found beside the plan.</p></section>')
        return "".join(out)
    out.append(_fig(figs, "fig-trajectories", "Figure 6. Annual net removals by pool (left) and cumulative net removals "
                    "and credits against no works (right)."))
    if "fig-trajectories-front" in figs:
        out.append(_fig(figs, "fig-trajectories-front", "Figure 7. Cumulative net removals and soil loss of every plan "
                        "on the front, and of no works."))
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
    out.append(table(["Year", "Years since works", "Net removals that year", "Cumulative net removals",
                      "Cumulative credits", "Cumulative, no works"], rows, num=(0, 1, 2, 3, 4, 5)))
    net = traj["cumulative_net_removals_tco2e"].to_numpy(float)
    neg = np.flatnonzero(net > 0)
    if len(neg):
        out.append(f"<p class=\"note\">The site's cumulative balance is a net removal from year {int(neg[0]) + 1} on"
                   + (" (it stays positive from then)." if np.all(net[neg[0]:] > 0) else ".") + "</p>")
    out.append("</section>")
    return "".join(out)


def soil(ctx: ReportContext, figs) -> str:
    z = ctx.zones
    tol = ctx.tolerable
    out = ['<section id="soil"><h2>5. Soil loss before and after</h2>',
           "<p>Soil loss is estimated with RUSLE (A = R·K·LS·C·P, USDA Agriculture Handbook 703) for each zone and "
           "year. \"Before\" is the site with no works, left to natural regeneration; \"after\" is the plan. Grades "
           "follow the Chinese standard SL 190-2007"
           + (f"; the tolerable loss for this region is {tol:g} t/ha/yr ({tol * 100:,.0f} t/km²·a)." if tol else ".")
           + "</p>"]
    out.append(_fig(figs, "fig-soil-maps", "Figure 8. Erosion grade of each zone (mean over the horizon), no works "
                    "(left) and with the plan (right)."))
    out.append(_fig(figs, "fig-soil", "Figure 9. Soil loss by zone type, and of the whole site year by year "
                    "(logarithmic scale)."))
    if "baseline_soil_loss_t_per_yr" in z and tol:
        from .figures import soil_grades
        before = soil_grades(z["baseline_soil_loss_t_per_yr"], z["area_ha"], tol)
        after = soil_grades(z["soil_loss_t_per_yr"], z["area_ha"], tol)
        rows = []
        for g in style.GRADE_COLORS:
            nb, na = int((before == g).sum()), int((after == g).sum())
            if nb or na:
                rows.append((style.GRADE_LABELS[g], nb, f"{z['area_ha'][before == g].sum():,.1f}", na,
                             f"{z['area_ha'][after == g].sum():,.1f}"))
        out.append(table(["Erosion grade", "Zones, no works", "ha, no works", "Zones, plan", "ha, plan"], rows,
                         num=(1, 2, 3, 4)))
    t = ctx.totals()
    out.append(f"<p>First-year soil loss under the plan is {_v(t['soil_loss_first_year_t'], 't')}: the year after "
               "the works, before vegetation covers the ground, erodes the most.</p></section>")
    return "".join(out)


def cost(ctx: ReportContext, figs) -> str:
    z = ctx.zones
    t = ctx.totals()
    g = compare.by_group(z.assign(later=z["cost_cny"] - z["capex_cny"]), "zone_type", ["area_ha", "capex_cny", "later"])
    rows = [(style.label(r.zone_type, style.ZONE_TYPE_LABELS), r.zones, f"{r.area_ha:,.1f}", _v(r.capex_cny, "CNY"),
             _v(r.later, "CNY"), _v((r.capex_cny + r.later) / r.area_ha if r.area_ha else None, "CNY"))
            for r in g.itertuples()]
    rows.append(("All zones", len(z), f"{t['area_ha']:,.1f}", _v(t["capex_cny"], "CNY"),
                 _v(t["cost_cny"] - t["capex_cny"], "CNY"), _v(t["cost_cny"] / t["area_ha"], "CNY")))
    return ('<section id="cost"><h2>6. Cost</h2>'
            "<p>Capital cost is spent in year 0: works priced from the measure catalog, plus 10 % project management "
            "and 10 % contingency (Queensland ERC rule). Later costs are upkeep of the measures, maintenance and "
            "monitoring, discounted to today. Money is in CNY of 2025; ¥ M = million CNY.</p>"
            + _fig(figs, "fig-cost", "Figure 10. Capital and later costs by zone type and by what the plan does.")
            + table(["Zone type", "Zones", "Area [ha]", "Capital cost", "Later costs (NPV)", "Total per ha"], rows,
                    num=(1, 2, 3, 4, 5))
            + "</section>")


def credits(ctx: ReportContext, figs) -> str:
    z = ctx.zones
    out = ['<section id="credits"><h2>7. Carbon credits: which zones earn under which standard</h2>',
           "<p>Whether a zone's removals can be sold as credits depends on the standard and on the zone: its land "
           "designation, its type, its vegetation and its size. Credits are net removals of the credited carbon "
           f"pools less a buffer for non-permanence ({100 * float(ctx.settings.get('buffer_fraction', 0)):g} %) and "
           f"an uncertainty deduction that depends on the monitoring level ({esc(ctx.settings.get('monitoring_level', '?'))}). "
           "A zone eligible under two standards is counted under both rows below, but its credits can be issued "
           "only once.</p>"]
    out.append(_fig(figs, "fig-credits-map", "Figure 11. Standards under which each zone of the plan earns credits."))
    out.append(_fig(figs, "fig-credits", "Figure 12. Credits and area of the zones eligible under each standard."))
    rows = []
    t = ctx.totals()
    for s in ctx.standards:
        m = compare.eligible_mask(z, s)
        rows.append((s, int(m.sum()), f"{z['area_ha'][m].sum():,.1f}", _v(t[f"credits_{s}_tco2e"], "t CO2e"),
                     _v(z["credit_value_cny"][m].sum(), "CNY")))
    none = ~np.any([compare.eligible_mask(z, s) for s in ctx.standards], axis=0) if ctx.standards else np.ones(len(z), bool)
    rows.append(("No standard", int(none.sum()), f"{z['area_ha'][none].sum():,.1f}", "–", "–"))
    out.append(table(["Standard", "Eligible zones", "Area [ha]", "Credits over the horizon", "Credit value (NPV)"],
                     rows, num=(1, 2, 3, 4)))
    rules = ctx.manifest.get("standards") or []
    if rules:
        rr = [(r["standard"], r["name"], ", ".join(r["credited_pools"]),
               ", ".join(r["land_designations"]) if r["land_designations"] else "any",
               ", ".join(r["excluded_zone_types"]) or "none", r["source"]) for r in rules]
        out.append("<h3>Eligibility rules applied</h3>")
        out.append(table(["Standard", "Name", "Credited pools", "Land designations admitted", "Zone types excluded",
                          "Source"], rr))
    out.append("</section>")
    return "".join(out)


def placeholders(ctx: ReportContext) -> str:
    z = ctx.zones
    used = placeholders_in_plan(z)
    details = ctx.manifest.get("placeholder_details")
    out = ['<section id="placeholders"><h2>8. Placeholder values</h2>',
           "<p>A placeholder is a value with no published source: an engineering estimate that makes the model run. "
           "Every result that depends on one is an estimate to be checked. Replace them with site data or cited "
           "values in the settings file or a planner's catalog, and run again.</p>"]
    known = {}
    for d in details or []:
        known[(d["kind"], d["name"])] = d
    if len(used):
        rows = []
        for r in used.itertuples():
            kind, _, name = r.name.rpartition(":")
            kind = {"setting": "setting", "growth": "growth curve", "": "measure"}.get(kind, kind)
            d = known.get((kind, name)) or known.get(("catalog parameter", name)) or {}
            what = d.get("description", "")
            rows.append((kind, name, _short(what), r.zones, f"{r.area_ha:,.1f}"))
        out.append("<h3>Placeholders the plan's chosen options depend on</h3>")
        out.append(table(["Kind", "Name", "What it is", "Zones using it", "Area [ha]"], rows, num=(3, 4)))
    if details:
        rows = [(d["kind"], d["name"], "" if d.get("value") is None else _setting_value(d["value"]), d.get("unit", ""),
                 _short(d.get("description", "")), _short(d.get("source", ""), 240)) for d in details]
        out.append("<h3>Every placeholder the run could use</h3>")
        out.append(table(["Kind", "Name", "Value", "Unit", "What it is", "Basis"], rows))
    else:
        ph = ctx.manifest.get("placeholders") or {}
        rows = [(k, ", ".join(v)) for k, v in ph.items() if v]
        if rows:
            out.append("<h3>Every placeholder the run could use (from the manifest)</h3>")
            out.append(table(["Kind", "Names"], rows))
    out.append("</section>")
    return "".join(out)


def _short(text: str, limit: int = 180) -> str:
    text = str(text or "")
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def solver(ctx: ReportContext) -> str:
    out = ['<section id="solver"><h2>9. How the plans were found: solver status and gaps</h2>',
           "<p>The optimiser chooses one option per zone. The gap is the certified distance, relative to the "
           "plan's value, between the plan found and a proven bound on the best possible plan: a gap of 1e-4 "
           "means no plan can be better by more than 0.01 %. A run stopped by its time limit is never called "
           "optimal.</p>"]
    sol = ctx.manifest.get("solver") or {}
    if ctx.kind == "plan":
        s = ctx.summary or sol
        rows = [("Objective", s.get("objective", ((ctx.manifest.get("problem") or {}).get("objectives") or ["?"])[0])),
                ("Status", f"{s.get('status', '?')}: {STATUS_WORDS.get(s.get('status'), '')}"),
                ("Objective value", style.fmt_number(s.get("objective_value"))),
                ("Proven bound", style.fmt_number(s.get("bound"))),
                ("Relative gap", _gap(s.get("gap"))),
                ("Solver", s.get("solver", "?")),
                ("Run time", f"{float(s.get('runtime_s', float('nan'))):.2f} s")]
        if s.get("message"):
            rows.append(("Message", s["message"]))
        out.append(table(["", ""], rows))
    else:
        f = ctx.front
        out.append(f"<p>Front method: {esc(sol.get('method', '?'))}; {len(f)} points in "
                   f"{float(sol.get('runtime_s', float('nan'))):.1f} s on {esc(sol.get('workers', '?'))} worker process(es); "
                   f"largest gap {_gap(sol.get('max_gap'))}.</p>")
        cols = list(ctx.objectives)
        rows = []
        for i, r in f.iterrows():
            rows.append([int(r["point"])] + [_v(r[c], style.OBJECTIVE_LABELS.get(c, (c, ""))[1]) for c in cols]
                        + [r["status"], _gap(r["gap"]), ", ".join(ctx.roles_of(i))])
        out.append(table(["Point"] + [style.OBJECTIVE_LABELS.get(c, (c, ""))[0] for c in cols]
                         + ["Status", "Gap", "Role"], rows, num=tuple(range(0, len(cols) + 1))))
    prob = ctx.manifest.get("problem") or {}
    if prob:
        rows = [(k, json.dumps(v, ensure_ascii=False)) for k, v in prob.items()]
        out.append("<h3>The problem as declared</h3>" + table(["Item", "Value"], rows))
    out.append("</section>")
    return "".join(out)


def reproducibility(ctx: ReportContext) -> str:
    m = ctx.manifest
    out = ['<section id="manifest"><h2>10. Reproducibility: the run manifest</h2>']
    if not m:
        out.append("<p class=\"callout\">No manifest was found.</p></section>")
        return "".join(out)
    out.append(f"<p>Command: <span class=\"mono\">{esc(' '.join(m.get('argv') or [m.get('command', '')]))}</span><br>"
               f"Created {esc(m.get('created_utc'))} with Python {esc(m.get('python'))} on {esc(m.get('platform'))}.</p>")
    rows = []
    for k, v in (m.get("inputs") or {}).items():
        if isinstance(v, dict) and "sha256" in v:
            rows.append((k, Raw(f'<span class="mono">{esc(v.get("path"))}</span>'), Raw(f'<span class="mono">{esc(v["sha256"])}</span>')))
        elif k == "catalog":
            rows.append(("measure catalog", f"version {v.get('version')}" + (f"; planner files {', '.join(v.get('planner_files'))}"
                                                                             if v.get("planner_files") else " (bundled)"), ""))
        elif k == "catalog_files":
            for f, h in v.items():
                rows.append(("planner catalog file", Raw(f'<span class="mono">{esc(f)}</span>'),
                             Raw(f'<span class="mono">{esc(h)}</span>')))
    out.append("<h3>Inputs</h3>" + table(["Input", "File", "SHA-256"], rows))
    outs = m.get("outputs") or {}
    if outs:
        status = ("All output files match the manifest." if not ctx.integrity else
                  "Some output files do NOT match the manifest: " + "; ".join(ctx.integrity))
        out.append(f'<h3>Outputs</h3><p class="{"note" if not ctx.integrity else "callout bad"}">{esc(status)}</p>')
        shown = list(outs.items())[:12]
        rows = [(Raw(f'<span class="mono">{esc(k)}</span>'), f"{v.get('bytes', 0):,}",
                 Raw(f'<span class="mono">{esc(v.get("sha256"))}</span>')) for k, v in shown]
        out.append(table(["File", "Bytes", "SHA-256"], rows, num=(1,)))
        if len(outs) > len(shown):
            out.append(f"<p class=\"note\">… and {len(outs) - len(shown)} more files, listed in the manifest below.</p>")
    if m.get("seeds"):
        out.append("<h3>Seeds</h3>" + table(["Name", "Seed"], list(m["seeds"].items())))
    pk = m.get("packages") or {}
    out.append("<h3>Software</h3>" + table(["Package", "Version"], [(k, v or "not installed") for k, v in pk.items()]))
    out.append('<details><summary>The full manifest (JSON)</summary><pre class="json">'
               + esc(json.dumps(m, indent=2, ensure_ascii=False)) + "</pre></details></section>")
    return "".join(out)


def method_notes(ctx: ReportContext) -> str:
    return ('<section id="method"><h2>11. Method, units and sources</h2><ul>'
            "<li><b>Net removals</b> [t CO2e]: the sum over the horizon of each year's net uptake by biomass "
            "(Chapman–Richards growth, root:shoot ratios from IPCC 2019 Refinement Vol 4 Table 4.4), soil organic "
            "carbon (first-order approach to equilibrium), biochar (IPCC 2019 Refinement Vol 4 Ch 2 App 4) and "
            "wetlands, less erosion losses and project emissions. Coal carbon in spoil is not counted.</li>"
            "<li><b>Avoided emissions</b> [t CO2e] from putting out burning gangue (Carras et al. 2009 range) and from "
            "solar power displacing grid electricity are kept apart: they are not removals.</li>"
            "<li><b>Credits</b> [t CO2e] = eligible net removals × (1 − buffer) × (1 − uncertainty deduction); "
            "<b>credit value</b> [CNY] is discounted with the settings' carbon price path.</li>"
            "<li><b>Cost</b> [CNY of 2025]: capital in year 0 plus discounted upkeep, maintenance and monitoring. "
            "NPV = net present value.</li>"
            "<li><b>Soil loss</b> [t/yr]: RUSLE with the McCool or Liu slope factor (a setting); grades after "
            "SL 190-2007; 1 t/ha·yr = 100 t/km²·a.</li>"
            "<li>Every coefficient carries its source and a confidence tag in the measure catalog; the full "
            "model, with every default and its source, is described in SinkPlan's docs/science.md. Values marked "
            "placeholder (§8) have no published source.</li>"
            "</ul></section>")
