"""Build the report: one self-contained HTML file (figures inline as SVG, data inline as JSON, a
small inlined script for the interactive front and map) plus the figures as PNG/SVG for print.

    build_report("runs/front", "report.html")          # figures in report_figures/

Reads results only; nothing here re-runs a model.
"""

from __future__ import annotations

import datetime as _dt
import math
from pathlib import Path

import numpy as np

from ..analysis import compare
from ..i18n import N_, _, language
from ..io.atomic import write_text_atomic
from ..io.plans import terminate_raises
from . import figures as F
from . import sections, style
from .context import ReportContext, frontier_tables, load_context, removal_breaks, zone_arrays
from .html import esc, page

SIMPLIFY_M = 0.5      # map outlines simplified to half a metre: invisible at report scale, smaller file


def build_report(run_path: str | Path, out: str | Path, figures_dir: str | Path | None = None,
                 formats=("png", "svg"), progress=None, monitoring: str | Path | None = None) -> dict:
    """Write the report for a run folder to ``out`` (atomically) and its figures to
    ``figures_dir`` (None: no print files). Returns {"report": path, "figures": [paths], "context": ctx}.
    ``progress(done, total)`` is called as the figures are drawn. ``monitoring``: a ``sinkplan
    monitor`` folder for a "Monitoring" section (default: the one a re-plan run's history names)."""
    from .sections.monitoring import load_monitoring, monitoring_from_history

    with terminate_raises():          # SIGTERM unwinds through the atomic writes' clean-up
        ctx = load_context(run_path)
        if monitoring is None:
            monitoring = monitoring_from_history(ctx.manifest, ctx.run_path)
        mon = load_monitoring(monitoring) if monitoring is not None else None
        figs, written = render_figures(ctx, figures_dir, formats, progress=progress, monitoring=mon)
        html = render_html(ctx, figs, monitoring=mon)
        out = Path(out)
        write_text_atomic(out, html)
    return {"report": out, "figures": written, "context": ctx}


# ----------------------------------------------------------------------------------------------
def render_figures(ctx: ReportContext, figures_dir, formats, progress=None, monitoring=None
                   ) -> tuple[dict, list[Path]]:
    """id → (inline SVG, [print file names]); and the files written. ``progress(done, total)`` is
    called after each figure."""
    todo = []                                     # (id, thunk): drawn one by one, with progress
    z = ctx.zones
    geo = ctx.geometry
    head_title = ctx.headline_name
    if geo is not None:
        crs = geo.crs.to_string() if geo.crs is not None else ""
        todo.append(("fig-site", lambda: F.site_map_figure(geo, z, crs)))
        todo.append(("fig-plan", lambda: F.plan_map_figure(
            geo, z, _("{plan}: vegetation or main measure").format(plan=_(head_title)))))
        todo.append(("fig-works", lambda: F.works_map_figure(geo, z, _("{plan}: works by zone").format(
                                                                 plan=_(head_title)),
                                                             ctx.measure_names)))
        todo.append(("fig-credits-map",
                     lambda: F.eligibility_map_figure(
                         geo, z, _("{plan}: credit eligibility").format(plan=_(head_title)))))
        tolerable = ctx.tolerable
        if "baseline_soil_loss_t_per_yr" in z and tolerable:
            todo.append(("fig-soil-maps", lambda: F.soil_loss_maps_figure(geo, z, tolerable)))
    if ctx.kind == "front":
        todo.append(("fig-front", lambda: F.front_figure(ctx.front_points, ctx.objectives, ctx.roles)))
        _t, dom, J = frontier_tables(ctx)
        if geo is not None:
            todo.append(("fig-frequency", lambda: F.frequency_map_figure(geo, dom, len(ctx.plans))))
        todo.append(("fig-jaccard", lambda: F.jaccard_figure(J, [str(int(p)) for p in ctx.front_points["point"]])))
        long = compare.compare_trajectories(ctx.plans)
        if len(long):
            todo.append(("fig-trajectories-front", lambda: F.trajectories_compare_figure(long)))
    if ctx.plan.trajectories is not None:
        todo.append(("fig-trajectories", lambda: F.trajectories_figure(
            ctx.plan.trajectories, _("{plan}: carbon over {n} years").format(plan=_(head_title), n=ctx.horizon))))
    todo.append(("fig-soil", lambda: F.soil_loss_figure(z, ctx.plan.trajectories, ctx.tolerable)))
    todo.append(("fig-cost", lambda: F.cost_figure(z)))
    todo.append(("fig-credits", lambda: F.credits_figure(z, ctx.standards, ctx.totals())))
    if monitoring is not None:
        from .figures import monitoring as M
        todo.append(("fig-monitoring-forecast", lambda: M.forecast_figure(monitoring.site,
                                                                          monitoring.summary.get("to_date_year"))))
        todo.append(("fig-monitoring-multipliers", lambda: M.multipliers_figure(monitoring.zones)))
        if geo is not None:
            todo.append(("fig-monitoring-flags", lambda: M.flagged_map_figure(geo, monitoring.zones)))
    u = ctx.uncertainty
    if u:
        from .figures import uncertainty as UF
        if "fans" in u:
            todo.append(("fig-unc-fan", lambda: UF.fan_chart(u["fans"])))
        if "priorities" in u and (u["priorities"]["evppi"] >= 0.5).any():
            todo.append(("fig-unc-priorities", lambda: UF.priority_chart(u["priorities"])))
        if "sensitivity" in u and len(u["sensitivity"]):
            plans = [str(x) for x in u["sensitivity"]["plan"].unique()]
            head = str(ctx.plan.label) if str(ctx.plan.label) in plans else plans[0]
            todo.append(("fig-unc-sensitivity", lambda: UF.sensitivity_chart(u["sensitivity"], head)))

    out, written = {}, []
    for k, (key, draw) in enumerate(todo):
        fig = draw()
        files = []
        if figures_dir is not None:
            paths = F.save_figure(fig, Path(figures_dir), key.removeprefix("fig-"), formats)
            written += paths
            files = [f"{Path(figures_dir).name}/{p.name}" for p in paths]
        out[key] = (F.svg_text(fig, salt=key, title=key.removeprefix("fig-").replace("-", " ")), files)
        if progress is not None:
            progress(k + 1, len(todo))
    return out, written


# ----------------------------------------------------------------------------------------------
def map_svg(ctx: ReportContext, order) -> str:
    """The zones as SVG paths (``data-z`` = zone index in ``order``) for the interactive map."""
    geo = ctx.geometry
    if geo is None:
        return '<p class="note">' + _("The plan has no geometry (CSV site): no map.") + "</p>"
    g = geo.set_index("zone_id").reindex(list(order))
    x0, y0, x1, y1 = geo.total_bounds
    W = 1000.0
    s = W / max(x1 - x0, 1e-9)
    H = (y1 - y0) * s
    parts = [f'<svg viewBox="-5 -5 {W + 10:.0f} {H + 10:.0f}" role="img" aria-label="Map of the zones">']
    for i, (zid, geom) in enumerate(zip(g.index, g.geometry)):
        if geom is None or geom.is_empty:
            continue
        geom = geom.simplify(SIMPLIFY_M, preserve_topology=True)
        d = []
        for poly in getattr(geom, "geoms", [geom]):
            for ring in [poly.exterior, *poly.interiors]:
                xy = np.asarray(ring.coords)[:-1]
                pts = " ".join(f"{(x - x0) * s:.1f},{(y1 - y) * s:.1f}" for x, y in xy)
                d.append(f"M{pts}Z")
        parts.append(f'<path data-z="{i}" tabindex="-1" fill="#dddddd" d="{"".join(d)}">'
                     f'<title>{esc(zid)}</title></path>')
    parts.append("</svg>")
    return "".join(parts)


def _r(v, digits=5):
    v = float(v)
    if not math.isfinite(v):
        return None
    if v == 0:
        return 0.0
    return float(f"{v:.{digits}g}")


#: SVG hatch angles of the QGIS brush styles of :func:`optimizer.catalog.palette.works_symbol`.
HATCH_ANGLES = {"b_diagonal": [135], "f_diagonal": [45], "horizontal": [0], "vertical": [90], "cross": [0, 90],
                "diagonal_x": [45, 135]}


def works_key(row: dict) -> tuple:
    return tuple(str(row.get(g, "") or "") for g in style.WORKS_GROUPS)


def works_entry(key: tuple, names: dict) -> dict:
    """How the interactive works map draws one combination of soil, landform and waste measures."""
    d = dict(zip(style.WORKS_GROUPS, key))
    fill = style.works_symbol("soil", d["soil"])["color"] if d.get("soil") else "#f2f2f2"
    hatch = HATCH_ANGLES.get(style.works_symbol("landform", d["landform"])["pattern"], [45]) \
        if d.get("landform") else []
    stroke = style.works_symbol("waste", d["waste"])["color"] if d.get("waste") else ""
    parts = [f"{_(g)}: {_(names.get(m, m))}" for g, m in d.items() if m]
    return {"fill": fill, "hatch": hatch, "stroke": stroke,
            "label": "; ".join(parts) or _("no landform, soil or waste works")}


def interactive_data(ctx: ReportContext) -> dict:
    order = list(ctx.plans[0].zones["zone_id"])
    cats: list[str] = []
    elig: list[str] = []
    grades = list(style.GRADE_COLORS)
    options: list[str] = []
    opt_index: dict[str, int] = {}
    points = []
    metrics = compare.metrics_for(ctx.standards)
    tol = ctx.tolerable or 10.0
    works: list[dict] = []
    works_index: dict[tuple, int] = {}
    names = ctx.measure_names
    for k, p in enumerate(ctx.plans):
        z = zone_arrays(p.zones, order)
        c = F.plan_categories(z.fillna({"option_id": "", "vegetation_type": ""}))
        e = F.eligibility_categories(z.fillna({"credits_tco2e": 0.0}))
        for x in c:
            if x not in cats:
                cats.append(x)
        for x in e:
            if x not in elig:
                elig.append(x)
        labels = [f"{o} ({m})" if m else str(o) for o, m in zip(z["option_id"], z.get("measures", z["option_id"]))]
        for lab in labels:
            if lab not in opt_index:
                opt_index[lab] = len(options)
                options.append(lab)
        wk = [works_key(r) for r in z.fillna({g: "" for g in style.WORKS_GROUPS if g in z}).to_dict("records")]
        for key in wk:
            if key not in works_index:
                works_index[key] = len(works)
                works.append(works_entry(key, names))
        g = F.soil_grades(z["soil_loss_t_per_yr"].fillna(0), z["area_ha"].fillna(1), tol)
        t = ctx.totals(k)
        if ctx.kind == "front":
            row = ctx.front_points.iloc[k]
            values = [_r(row[o], 8) for o in ctx.objectives]
            status, gap = str(row["status"]), _r(row["gap"], 3)
        else:
            (status, gap), values = ctx.statuses()[0], []
        points.append({
            "label": p.label if ctx.kind == "front" else _("The plan"), "values": values, "status": status, "gap": gap,
            "roles": ctx.roles_of(k),
            "totals": {m.key: _r(t.get(m.key, float("nan")), 8) for m in metrics},
            "cat": [cats.index(x) for x in c], "elig": [elig.index(x) for x in e],
            "grade": [grades.index(x) for x in g], "option": [opt_index[lab] for lab in labels],
            "works": [works_index[key] for key in wk],
            "removals": [_r(v) for v in z["removals_tco2e"].fillna(0)],
            "cost": [_r(v) for v in z["cost_cny"].fillna(0)],
            "soil": [_r(v) for v in z["soil_loss_t_per_yr"].fillna(0)],
            "credits": [_r(v) for v in z["credits_tco2e"].fillna(0)],
        })
    zones0 = ctx.plans[0].zones
    ecolors = F.eligibility_colors(elig)
    data = {
        "kind": ctx.kind,
        "initial": int(ctx.headline),
        "reference": int(ctx.headline),
        "points": points,
        "zones": [{"id": str(i), "type": str(t),
                   "typeLabel": style.label(str(t), style.ZONE_TYPE_LABELS).split(" (")[0].split("（")[0],
                   "area": _r(a)} for i, t, a in zip(zones0["zone_id"], zones0["zone_type"], zones0["area_ha"])],
        "categories": [{"id": c, "label": style.label(c, style.CATEGORY_LABELS), "color": style.category_color(c)}
                       for c in cats],
        "eligibility": [{"id": e, "label": e, "color": ecolors[e]} for e in elig],
        "grades": [{"id": g, "label": style.label(g, style.GRADE_LABELS), "color": style.GRADE_COLORS[g]}
                   for g in grades],
        "options": options,
        "works": works,
        "metrics": [{"key": m.key, "label": _(m.label), "unit": m.unit} for m in metrics],
        "text": {k: _(v) for k, v in JS_TEXT.items()},
        "removalBreaks": removal_breaks(ctx.plans),
    }
    if ctx.kind == "front":
        from ..problem import OBJECTIVES
        data["objectives"] = [{"name": o, "label": _(style.OBJECTIVE_LABELS.get(o, (o, ""))[0]),
                               "unit": style.OBJECTIVE_LABELS.get(o, (o, ""))[1],
                               "sense": OBJECTIVES[o].sense if o in OBJECTIVES else 0}
                              for o in ctx.objectives]
    return data


#: The inline script's visible words (``DATA.text``), in the report's language.
JS_TEXT = {
    "frontAria": N_("Pareto front; choose a point"),
    "lessBetter": N_("(less is better)"),
    "moreBetter": N_("(more is better)"),
    "status": N_("status"),
    "gap": N_("gap"),
    "modeCategory": N_("What the plan does"),
    "modeRemovals": N_("Net removals per ha over the horizon"),
    "modeSoil": N_("Soil loss grade (SL 190-2007)"),
    "modeCredits": N_("Earns credits under"),
    "modeWorks": N_("Works: soil measure (fill), landform (hatch), waste (outline)"),
    "hatched": N_("(hatched)"),
    "outlined": N_("(outlined)"),
    "netSource": N_("net source (< 0)"),
    "zone": N_("Zone"),
    "netRemovals": N_("Net removals"),
    "cost": N_("cost"),
    "soilLoss": N_("soil loss"),
    "credits": N_("credits"),
    "reference": N_("reference"),
    "totalsOf": N_("Totals of"),
    "millionCny": N_("¥ M"),
}

NAV = [("summary", N_("1 Summary")), ("site", N_("2 Site")), ("plan", N_("3 Plan")), ("carbon", N_("4 Carbon")),
       ("soil", N_("5 Soil loss")), ("cost", N_("6 Cost")), ("credits", N_("7 Credits")),
       ("placeholders", N_("8 Placeholders")), ("solver", N_("9 Solver")), ("manifest", N_("10 Manifest")),
       ("method", N_("11 Method")), ("annex", N_("12 Annex"))]


def render_html(ctx: ReportContext, figs: dict, monitoring=None) -> str:
    from .sections.monitoring import monitoring_section

    order = list(ctx.plans[0].zones["zone_id"])
    body = "\n".join([
        sections.summary(ctx),
        sections.site(ctx, figs),
        sections.plans_section(ctx, figs, map_svg(ctx, order)),
        sections.carbon(ctx, figs),
        sections.soil(ctx, figs),
        sections.cost(ctx, figs),
        sections.credits(ctx, figs),
        sections.uncertainty(ctx, figs),
        *([monitoring_section(monitoring, figs)] if monitoring is not None else []),
        sections.placeholders(ctx),
        sections.solver(ctx),
        sections.reproducibility(ctx),
        sections.method_notes(ctx),
        sections.annex(ctx),
    ])
    made = _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")
    version = (ctx.manifest.get("packages") or {}).get("sinkplan") or "?"
    footer = _("Made by SinkPlan {version} on {made} from the files in {folder}. The report reads the run's results; "
               "it does not re-run any model. It opens offline: everything it shows is inside this one file.").format(
        version=esc(version), made=esc(made), folder=f'<span class="mono">{esc(ctx.run_path)}</span>')
    title = _("SinkPlan report: {site}").format(site=ctx.site_name)
    nav = [(k, _(v)) for k, v in NAV]
    if ctx.uncertainty:            # after the credits: "How sure is this plan?"
        nav.insert([k for k, _v in nav].index("credits") + 1, ("uncertainty", _("How sure?")))
    if monitoring is not None:     # after the credits (and the uncertainty)
        after = "uncertainty" if ctx.uncertainty else "credits"
        nav.insert([k for k, _v in nav].index(after) + 1, ("monitoring", _("Monitoring")))
    return page(title, sections.header(ctx), nav, body, interactive_data(ctx), footer, lang=language())
