"""The opening of the report: the cover, the summary (§1) and the site (§2)."""

from __future__ import annotations

import pandas as pd

from ... import i18n
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
        return _("{n} years ({first}–{last})").format(n=ctx.horizon, first=ctx.start_year + 1,
                                                       last=ctx.start_year + ctx.horizon)
    return _("{n} years").format(n=ctx.horizon) if ctx.horizon else _("the planning horizon")


def header(ctx: ReportContext) -> str:
    statuses = [s for s, _g in ctx.statuses()]
    ok = all(s == "optimal" for s in statuses)
    objective = str((ctx.summary or {}).get('objective_name') or (ctx.summary or {}).get('objective')
                    or ((ctx.manifest.get('problem') or {}).get('objectives') or ['?'])[0])
    what = (_("Pareto front of {n} plans: {objectives}").format(
        n=len(ctx.plans), objectives=_(" vs ").join(_objective_name(o) for o in ctx.objectives))
        if ctx.kind == "front"
        else _("One plan, optimised for {objective}").format(objective=_objective_name(objective)))
    created = ctx.manifest.get("created_utc") or _("unknown time")
    badge = (_("all plans proven optimal within their gaps") if ctx.kind == "front" else _("proven optimal")) if ok \
        else _("not every plan is proven optimal: see §9")
    return ('<header class="cover"><p>' + _("SinkPlan report on a mine ecological restoration plan for carbon")
            + f"</p><h1>{esc(ctx.site_name)}</h1>"
            f"<p>{esc(what)} · " + esc(_("run of {created}").format(created=created))
            + f" · <span class=\"status {'ok' if ok else 'notok'}\">{esc(badge)}</span></p>"
            '<p>' + _("Run folder:") + f' <span class="mono">{esc(ctx.run_path)}</span></p></header>')


def _objective_name(key: str) -> str:
    """"removals" → "Net removals" in the current language; anything else as it is."""
    return style.label(key, {k: v[0] for k, v in style.OBJECTIVE_LABELS.items()}) \
        if key in style.OBJECTIVE_LABELS else _(key)


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
    site_name = "<b>" + esc(ctx.site_name) + "</b>"
    if ctx.kind == "front":
        first = _("This report describes the {plan} of a Pareto front of {n} plans for {site}: {zones} zones covering "
                  "{area} ha.")
    else:
        first = _("This report describes one plan for {site}: {zones} zones covering {area} ha.")
    s = [first.format(plan=style.lower_first(_(ctx.headline_name)), n=len(ctx.plans), site=site_name, zones=len(z),
                      area=f"{t['area_ha']:,.1f}")]
    if n_works == len(z):
        s.append(_("The plan carries out restoration works in every zone."))
    else:
        s.append(_("The plan carries out restoration works in {n} zones ({area} ha) and leaves the other {rest} to "
                   "natural regeneration.").format(n=n_works, area=f"{works_area:,.1f}", rest=len(z) - n_works))
    removals = "<b>" + _v(t['removals_tco2e'], 't CO2e') + "</b>"
    if b_rem is None:
        s.append(_("Over {years} it removes a net {removals} from the atmosphere.").format(
            years=_years(ctx), removals=removals))
    elif b_rem < 0:
        s.append(_("Over {years} it removes a net {removals} from the atmosphere; left without works, the site would "
                   "release a net {baseline} instead (eroding soil carries its carbon away).").format(
            years=_years(ctx), removals=removals, baseline=_v(-b_rem, 't CO2e')))
    else:
        s.append(_("Over {years} it removes a net {removals} from the atmosphere, against {baseline} if the site were "
                   "left without works.").format(years=_years(ctx), removals=removals, baseline=_v(b_rem, 't CO2e')))
    capex = "<b>" + _v(t['capex_cny'], 'CNY') + "</b>"
    if budget:
        s.append(_("Its capital cost is {capex} (budget {budget}); with upkeep, maintenance and monitoring the net "
                   "present cost is {cost}.").format(capex=capex, budget=_v(float(budget), 'CNY'),
                                                     cost=_v(t['cost_cny'], 'CNY')))
    else:
        s.append(_("Its capital cost is {capex}; with upkeep, maintenance and monitoring the net present cost is "
                   "{cost}.").format(capex=capex, cost=_v(t['cost_cny'], 'CNY')))
    if b_soil is not None:
        soil = _("Mean soil loss falls from {before} without works to {after}").format(
            before=_v(b_soil, 't/yr'), after="<b>" + _v(t['soil_loss_t_per_yr'], 't/yr') + "</b>")
        if over is not None:
            soil += (_("; {n} zone(s) stay above the tolerable loss of {tol} t/ha/yr") if over else
                     _("; every zone is within the tolerable loss of {tol} t/ha/yr")).format(n=over, tol=f"{tol:g}")
        s.append(soil + _("."))
    std = ", ".join(ctx.standards) or _("no standard")
    s.append(_("Expected credits are {credits} (standards assessed: {standards}), worth {value} at the assumed carbon "
               "price path, discounted at {rate} % a year.").format(
        credits=_v(t['credits_tco2e'], 't CO2e'), standards=esc(std), value=_v(t['credit_value_cny'], 'CNY'),
        rate=f"{100 * float(ctx.settings.get('discount_rate', 0)):g}"))
    s.append(_("Avoided emissions of {avoided} (burning gangue put out, solar power replacing grid power) are reported "
               "separately and are not counted as removals or credits.").format(
        avoided=_v(t['avoided_tco2e'], 't CO2e')))
    statuses = ctx.statuses()
    if ctx.kind == "plan":
        st, g = statuses[0]
        s.append(_("The optimiser's result is {status} (relative gap {gap}).").format(
            status=esc(_(STATUS_WORDS.get(st, st))), gap=_gap(g)))
    else:
        worst = max((g for _s, g in statuses if g is not None), default=None)
        n_opt = sum(st == "optimal" for st, _s in statuses)
        s.append(_("{n} of {total} front plans are proven optimal; the largest certified gap is {gap}.").format(
            n=n_opt, total=len(statuses), gap=_gap(worst)))
    sep = "" if i18n.language() == "zh" else " "
    out = ['<section id="summary"><h2>' + _("1. Summary") + f'</h2><p class="lead">{sep.join(s)}</p>']
    out.append(cards([
        (_("Net removals over the horizon"), _v(t["removals_tco2e"], "t CO2e"),
         _("no works: {value}").format(value=_v(b_rem, 't CO2e')) if b_rem is not None else ""),
        (_("Capital cost"), _v(t["capex_cny"], "CNY"),
         _("budget {value}").format(value=_v(float(budget), 'CNY')) if budget else ""),
        (_("Net present cost"), _v(t["cost_cny"], "CNY"), _("capital + upkeep + monitoring")),
        (_("Mean soil loss"), _v(t["soil_loss_t_per_yr"], "t/yr"),
         _("no works: {value}").format(value=_v(b_soil, 't/yr')) if b_soil is not None else ""),
        (_("Credits"), _v(t["credits_tco2e"], "t CO2e"),
         _("value {value} (NPV)").format(value=_v(t['credit_value_cny'], 'CNY'))),
        (_("Avoided emissions"), _v(t["avoided_tco2e"], "t CO2e"), _("reported apart, not removals")),
    ]))
    warn = []
    n_ph = len(placeholders_in_plan(z))
    if n_ph:
        warn.append(_("The plan depends on {n} placeholder value(s) that have no published source (§8). Treat the "
                      "numbers as estimates until these are replaced by site data or cited values.").format(n=n_ph))
    if "synthetic" in ctx.site_name.lower():
        warn.append(_("The site is synthetic (an example made by scripts/make_sites.py), not a surveyed mine."))
    if ctx.integrity:
        warn.append(_("Some files in the run folder do not match the run's manifest (§10):") + " "
                    + "; ".join(ctx.integrity[:3]) + ("…" if len(ctx.integrity) > 3 else ""))
    if not ctx.manifest:
        warn.append(_("No manifest.json was found beside the plan: inputs, settings and versions cannot be shown."))
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
    out.append("<p>" + _("The zoning file {file} divides the site into {n} zones. Areas are computed in the projected "
                         "coordinate system {crs}.").format(
        file=f'<span class="mono">{esc(inp.get("path", "?"))}</span>', n=len(z),
        crs=esc(crs or _("of the file"))) + "</p>")
    out.append(_fig(figs, "fig-site", _("Figure 1. Zones by type. Scale bar in metres; north is up.")))
    g = compare.by_group(z, "zone_type", ["area_ha"])
    rows = [(style.label(r.zone_type, style.ZONE_TYPE_LABELS), r.zones, f"{r.area_ha:,.1f}",
             f"{100 * r.area_ha / z['area_ha'].sum():.0f} %") for r in g.itertuples()]
    out.append(table([_("Zone type"), _("Zones"), _("Area [ha]"), _("Share of area")], rows, num=(1, 2, 3)))
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
        rows.append((k, Raw(f"{esc(v)}" + (' <span class="pill">' + _("placeholder") + '</span>' if ph else "")), unit,
                     src))
    if rows:
        out.append("<h3>" + _('Site settings used') + "</h3>")
        out.append(table([_("Setting"), _("Value"), _("Unit"), _("Where the value comes from")], rows))
    out.append("</section>")
    return "".join(out)
