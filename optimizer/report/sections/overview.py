"""The opening of the report: the cover, the summary (§1) and the site (§2)."""

from __future__ import annotations

import pandas as pd

from ...analysis import compare
from ...i18n import _
from .. import style
from ..context import ReportContext, placeholders_in_plan
from ..html import Raw, cards, esc, table
from .common import STATUS_WORDS, _fig, _finite, _gap, _setting_value, _v


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


def header(ctx: ReportContext) -> str:
    statuses = [s for s, _ in ctx.statuses()]
    ok = all(s == "optimal" for s in statuses)
    what = (f"Pareto front of {len(ctx.plans)} plans: {' vs '.join(ctx.objectives)}" if ctx.kind == "front"
            else "One plan, optimised for "
            + str((ctx.summary or {}).get('objective_name') or (ctx.summary or {}).get('objective')
                  or ((ctx.manifest.get('problem') or {}).get('objectives') or ['?'])[0]))
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
        soil = (f"Mean soil loss falls from {_v(b_soil, 't/yr')} without works to "
                f"<b>{_v(t['soil_loss_t_per_yr'], 't/yr')}</b>")
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
        worst = max((g for _s, g in statuses if g is not None), default=None)
        n_opt = sum(st == "optimal" for st, _ in statuses)
        s.append(f"{n_opt} of {len(statuses)} front plans are proven optimal; "
                 f"the largest certified gap is {_gap(worst)}.")
    out = ['<section id="summary"><h2>' + _("1. Summary") + f'</h2><p class="lead">{" ".join(s)}</p>']
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


SETTING_ROWS = ("region", "annual_rainfall_mm", "climate", "rainfall_erosivity_mj_mm_per_ha_h_yr",
                "soil_erodibility_t_ha_h_per_ha_mj_mm", "slope_steepness_method", "tolerable_soil_loss_t_per_ha_yr",
                "horizon_yr", "start_year", "discount_rate", "standards", "buffer_fraction", "monitoring_level",
                "path", "start_cny_per_t", "growth_per_yr", "grid_emission_factor_t_per_mwh", "budget_cny",
                "topsoil_stock_m3", "gangue_stock_m3", "soc_depth_cm", "soil_soc_g_per_kg",
                "spoil_soc_g_per_kg")


def _schema():
    """The settings schema (units and descriptions), shipped with the package."""
    from ...settings import schema_table
    return schema_table().set_index("key")


def site(ctx: ReportContext, figs) -> str:
    z = ctx.zones
    out = ['<section id="site"><h2>' + _("2. The site") + '</h2>']
    crs = ""
    if ctx.geometry is not None and ctx.geometry.crs is not None:
        crs = ctx.geometry.crs.to_string()
    inp = (ctx.manifest.get("inputs") or {}).get("zoning_file") or {}
    out.append(f"<p>The zoning file <span class=\"mono\">{esc(inp.get('path', '?'))}</span> divides the site into "
               f"{len(z)} zones. Areas are computed in the projected coordinate system "
               f"{esc(crs or 'of the file')}.</p>")
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
        out.append("<h3>" + _('Site settings used') + "</h3>")
        out.append(table(["Setting", "Value", "Unit", "Where the value comes from"], rows))
    out.append("</section>")
    return "".join(out)
