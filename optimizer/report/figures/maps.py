"""Maps of the site's zones: zone types, the plan's measures, credit eligibility, erosion grades,
agreement across a front, and plans side by side."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.path import Path as MplPath

from ...i18n import _
from .. import style
from .canvas import new_figure

SIMPLIFY_M = 0.5      # outlines simplified to half a metre: invisible at print scale, smaller files


def _paths(geoms) -> list[MplPath]:
    out = []
    for g in geoms:
        polys = getattr(g, "geoms", [g])
        verts, codes = [], []
        for p in polys:
            for ring in [p.exterior, *p.interiors]:
                xy = np.asarray(ring.coords)
                verts.append(xy)
                codes.append(np.r_[MplPath.MOVETO, np.full(len(xy) - 2, MplPath.LINETO), MplPath.CLOSEPOLY])
        out.append(MplPath(np.concatenate(verts), np.concatenate(codes)) if verts else MplPath(np.zeros((0, 2))))
    return out


def _map_axes(ax, geometry) -> None:
    x0, y0, x1, y1 = geometry.total_bounds
    pad = 0.03 * max(x1 - x0, y1 - y0)
    ax.set_xlim(x0 - pad, x1 + pad)
    ax.set_ylim(y0 - pad, y1 + pad)
    ax.set_aspect("equal")
    ax.set_axis_off()
    # scale bar: a round length near a fifth of the width
    width = x1 - x0
    raw = width / 5
    nice = 10 ** np.floor(np.log10(raw))
    length = max(n * nice for n in (1, 2, 5) if n * nice <= raw)
    sx, sy = x0, y0 - pad * 0.6
    ax.plot([sx, sx + length], [sy, sy], color="black", lw=2, solid_capstyle="butt")
    ax.text(sx + length / 2, sy + pad * 0.25, f"{length:,.0f} m" if length < 1000 else f"{length / 1000:g} km",
            ha="center", va="bottom", fontsize=7)
    ax.annotate("N", xy=(x1, y1 - pad * 0.2), xytext=(x1, y1 - pad * 2.2), ha="center", va="center", fontsize=8,
                arrowprops=dict(arrowstyle="-|>", color="black", lw=1))


def draw_categories(ax, geometry, zone_ids, categories, colors: dict, labels: dict, legend_title: str,
                    edgecolor="white", linewidth=0.4, order=None, alpha=None, legend=True,
                    legend_categories=None) -> None:
    """Fill each zone by its category; ``geometry`` is a GeoDataFrame with ``zone_id``."""
    g = geometry.set_index("zone_id").reindex(list(zone_ids))
    cats = list(categories)
    facecolors = [colors.get(c, "#cccccc") for c in cats]
    if alpha is not None:
        from matplotlib.colors import to_rgba
        facecolors = [to_rgba(c, a) for c, a in zip(facecolors, alpha)]
    coll = PathCollection(_paths(g.geometry.simplify(SIMPLIFY_M)), facecolors=facecolors, edgecolors=edgecolor,
                          linewidths=linewidth)
    ax.add_collection(coll)
    _map_axes(ax, geometry)
    if legend:
        shown = set(legend_categories) if legend_categories is not None else set(cats)
        present = [c for c in dict.fromkeys(order or sorted(shown, key=str)) if c in shown]
        handles = [Patch(facecolor=colors.get(c, "#cccccc"), edgecolor="#666666", lw=0.4,
                         label=style.label(c, labels)) for c in present]
        ax.legend(handles=handles, title=legend_title, loc="upper left", bbox_to_anchor=(1.0, 1.0),
                  frameon=False, title_fontproperties={"weight": "bold", "size": 8})


def site_map_figure(geometry, zones: pd.DataFrame, crs_name: str = "") -> Figure:
    fig = new_figure(8, 5.2)
    ax = fig.add_subplot()
    draw_categories(ax, geometry, zones["zone_id"], zones["zone_type"], style.ZONE_TYPE_COLORS,
                    style.ZONE_TYPE_LABELS, _("Zone type"), order=list(style.ZONE_TYPE_COLORS))
    ax.set_title(_("The site: {n} zones, {area} ha").format(n=len(zones), area=f"{zones['area_ha'].sum():,.1f}")
                 + (f" ({crs_name})" if crs_name else ""))
    return fig


def plan_categories(zones: pd.DataFrame) -> list[str]:
    get = lambda c: zones[c] if c in zones else pd.Series([""] * len(zones))  # noqa: E731
    return [style.plan_category(v, w, e, o) for v, w, e, o in zip(get("vegetation_type"), get("water"),
                                                                  get("energy"), zones["option_id"])]


def plan_map_figure(geometry, zones: pd.DataFrame, title: str) -> Figure:
    fig = new_figure(8, 5.2)
    ax = fig.add_subplot()
    cats = plan_categories(zones)
    draw_categories(ax, geometry, zones["zone_id"], cats, {c: style.category_color(c) for c in set(cats)},
                    style.CATEGORY_LABELS, _("Vegetation or main measure"),
                    order=list(style.CATEGORY_COLORS) + sorted(set(cats)))
    ax.set_title(title)
    return fig


def eligibility_categories(zones: pd.DataFrame) -> list[str]:
    out = []
    for e, c in zip(zones.get("eligible_standards", pd.Series([""] * len(zones))).fillna(""), zones["credits_tco2e"]):
        out.append(" + ".join(s for s in str(e).split(";") if s) if e and c > 0 else
                   (_("eligible, net source: no credits") if e else _("not eligible")))
    return out


def eligibility_colors(cats) -> dict:
    palette = ["#1b9e77", "#7570b3", "#d95f02", "#e7298a", "#66a61e", "#e6ab02"]
    colors, k = {}, 0
    for c in sorted(set(cats)):
        if c == _("not eligible"):
            colors[c] = "#e0e0e0"
        elif c == _("eligible, net source: no credits"):
            colors[c] = "#bdbdbd"
        else:
            colors[c] = palette[k % len(palette)]
            k += 1
    return colors


def eligibility_map_figure(geometry, zones: pd.DataFrame, title: str) -> Figure:
    fig = new_figure(8, 5.2)
    ax = fig.add_subplot()
    cats = eligibility_categories(zones)
    colors = eligibility_colors(cats)
    draw_categories(ax, geometry, zones["zone_id"], cats, colors, {c: c for c in colors}, _("Earns credits under"))
    ax.set_title(title)
    return fig


def soil_grades(loss_t_per_yr, area_ha, tolerable_t_per_ha_yr: float) -> np.ndarray:
    """SL 190-2007 grade of each zone's mean soil loss (optimizer.models.erosion)."""
    from ...models.erosion import T_PER_HA_TO_T_PER_KM2, erosion_intensity_grade

    per_ha = np.asarray(loss_t_per_yr, float) / np.maximum(np.asarray(area_ha, float), 1e-12)
    return erosion_intensity_grade(np.maximum(per_ha, 0) * T_PER_HA_TO_T_PER_KM2,
                                   tolerable_t_per_ha_yr * T_PER_HA_TO_T_PER_KM2)


def soil_loss_maps_figure(geometry, zones: pd.DataFrame, tolerable_t_per_ha_yr: float) -> Figure:
    """Two maps: erosion grade with no works (natural regeneration) and under the plan."""
    fig = new_figure(9, 4.4)
    axes = fig.subplots(1, 2)
    order = list(style.GRADE_COLORS)
    before = soil_grades(zones["baseline_soil_loss_t_per_yr"], zones["area_ha"], tolerable_t_per_ha_yr)
    after = soil_grades(zones["soil_loss_t_per_yr"], zones["area_ha"], tolerable_t_per_ha_yr)
    draw_categories(axes[0], geometry, zones["zone_id"], before, style.GRADE_COLORS, style.GRADE_LABELS, "",
                    legend=False)
    draw_categories(axes[1], geometry, zones["zone_id"], after, style.GRADE_COLORS, style.GRADE_LABELS,
                    _("Erosion grade (SL 190-2007)"), order=order, legend_categories=set(before) | set(after))
    axes[0].set_title(_("No works (natural regeneration)"))
    axes[1].set_title(_("With the plan"))
    return fig


def frequency_map_figure(geometry, dominant: pd.DataFrame, n_points: int) -> Figure:
    """Per zone, the vegetation measure chosen most often across the front; paler where the
    plans disagree (share of points choosing it)."""
    fig = new_figure(8, 5.2)
    ax = fig.add_subplot()
    cats = [m if m != "(none)" else "no_works" for m in dominant["measure_id"]]
    colors = {c: style.category_color(c) for c in set(cats)}
    draw_categories(ax, geometry, dominant["zone_id"], cats, colors, style.CATEGORY_LABELS,
                    _("Most frequent vegetation"), alpha=0.25 + 0.75 * dominant["share"].to_numpy(),
                    order=list(style.CATEGORY_COLORS) + sorted(set(cats)), edgecolor="#9a9a9a")
    ax.set_title(_("Agreement across the {n} plans of the front (pale: the plans disagree)").format(n=n_points))
    return fig


def zones_compare_figure(geometry, plans) -> Figure:
    """One map per plan; zones where the plan differs from the first are outlined in black."""
    n = len(plans)
    fig = new_figure(min(4.2 * n, 16), 4.6)
    axes = np.atleast_1d(fig.subplots(1, n))
    first = plans[0].zones.set_index("zone_id")["option_id"]
    all_cats = set()
    for p in plans:
        all_cats |= set(plan_categories(p.zones))
    colors = {c: style.category_color(c) for c in all_cats}
    for i, (ax, p) in enumerate(zip(axes, plans)):
        cats = plan_categories(p.zones)
        draw_categories(ax, geometry, p.zones["zone_id"], cats, colors, style.CATEGORY_LABELS,
                        _("Vegetation or main measure"), legend=(i == n - 1), legend_categories=all_cats,
                        order=list(style.CATEGORY_COLORS) + sorted(all_cats))
        if i:
            differs = p.zones["option_id"].to_numpy() != first.reindex(p.zones["zone_id"]).to_numpy()
            g = geometry.set_index("zone_id").reindex(p.zones["zone_id"][differs])
            ax.add_collection(PathCollection(_paths(g.geometry.simplify(SIMPLIFY_M)), facecolors="none",
                                             edgecolors="black", linewidths=0.7))
            ax.set_title(f"{p.label}\n" + _("{n} zone(s) differ from {reference}").format(
                n=int(differs.sum()), reference=plans[0].label))
        else:
            ax.set_title(f"{p.label}\n" + _("(reference)"))
    return fig


def _short_name(name: str, limit: int = 38) -> str:
    name = str(name).split(" (")[0]
    return name if len(name) <= limit else name[:limit].rsplit(" ", 1)[0] + " …"


#: QGIS brush styles of :func:`optimizer.catalog.palette.works_symbol` as matplotlib hatches.
HATCH = {"b_diagonal": "\\\\\\\\", "f_diagonal": "////", "horizontal": "----", "vertical": "||||",
         "cross": "++++", "diagonal_x": "xxxx"}


def works_map_figure(geometry, zones: pd.DataFrame, title: str, names: dict | None = None) -> Figure:
    """The works by zone, as the plan GeoPackage's ``works`` style draws them: a fill per soil
    measure, a hatch per landform measure, a coloured outline per waste measure."""
    from matplotlib.lines import Line2D

    names = names or {}
    fig = new_figure(8, 5.6)
    ax = fig.add_subplot()
    g = geometry.set_index("zone_id").reindex(list(zones["zone_id"]))
    paths = _paths(g.geometry.simplify(SIMPLIFY_M))
    ax.add_collection(PathCollection(paths, facecolors="#f2f2f2", edgecolors="#bbbbbb", linewidths=0.3))
    handles: dict[str, list] = {grp: [] for grp in style.WORKS_GROUPS}
    for grp in style.WORKS_GROUPS:
        col = zones[grp].fillna("").astype(str).to_numpy() if grp in zones else np.array([""] * len(zones))
        for m in sorted(set(col) - {""}):
            sym = style.works_symbol(grp, m)
            sel = [p for p, v in zip(paths, col) if v == m]
            label = _short_name(_(names.get(m, m)))
            if sym["kind"] == "fill":
                ax.add_collection(PathCollection(sel, facecolors=sym["color"], edgecolors="#bbbbbb", linewidths=0.3))
                handles[grp].append(Patch(facecolor=sym["color"], edgecolor="#666666", lw=0.4, label=label))
            elif sym["kind"] == "hatch":
                ax.add_collection(PathCollection(sel, facecolors="none", edgecolors=sym["color"], linewidths=0,
                                                 hatch=HATCH.get(sym["pattern"], "////")))
                handles[grp].append(Patch(facecolor="white", edgecolor=sym["color"], lw=0.4,
                                          hatch=HATCH.get(sym["pattern"], "////"), label=label))
            else:
                ax.add_collection(PathCollection(sel, facecolors="none", edgecolors=sym["color"], linewidths=1.6))
                handles[grp].append(Line2D([], [], color=sym["color"], lw=2, label=label))
    _map_axes(ax, geometry)
    titles = {"soil": _("Soil measures (fill)"), "landform": _("Landform works (hatch)"),
              "waste": _("Waste works (outline)")}
    entries: list = []
    for grp in style.WORKS_GROUPS:
        if handles[grp]:
            entries.append(Patch(visible=False, label=titles[grp]))
            entries += handles[grp]
    if entries:
        fig.legend(handles=entries, loc="outside right upper", frameon=False, fontsize=7)
    if not any(handles.values()):
        ax.text(0.5, -0.04, _("No landform, soil or waste works in this plan."), transform=ax.transAxes,
                ha="center", fontsize=8)
    ax.set_title(title)
    return fig
