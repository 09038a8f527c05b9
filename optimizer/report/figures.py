"""Figures for print and for the HTML report (matplotlib, no GUI backend).

Every function takes results already read from disk (per-zone plan tables, trajectories, front
tables) and returns a :class:`matplotlib.figure.Figure`; :func:`save_figure` writes PNG/SVG
atomically and :func:`svg_text` gives the SVG to inline in HTML. Nothing here re-runs a model.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.path import Path as MplPath
from matplotlib.ticker import FuncFormatter

from ..io.atomic import write_atomic
from . import style

RC = {
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.labelsize": 9,
    "legend.fontsize": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.fonttype": "none",          # text stays text in SVG: smaller, selectable, searchable
    "svg.hashsalt": "sinkplan",      # reproducible ids
}


SIMPLIFY_M = 0.5      # outlines simplified to half a metre: invisible at print scale, smaller files


def new_figure(width_in: float = 8.0, height_in: float = 4.5) -> Figure:
    import matplotlib

    matplotlib.rcParams.update(RC)
    return Figure(figsize=(width_in, height_in), layout="constrained")


def save_figure(fig: Figure, directory: Path, stem: str, formats=("png", "svg"), dpi: int = 150) -> list[Path]:
    """Write ``directory/stem.{png,svg}`` atomically; returns the paths."""
    out = []
    for fmt in formats:
        target = Path(directory) / f"{stem}.{fmt}"
        write_atomic(target, lambda p, f=fmt: fig.savefig(p, format=f, dpi=dpi, metadata=_metadata(f)))
        out.append(target)
    return out


def _metadata(fmt: str) -> dict:
    return {"Date": None, "Creator": "SinkPlan"} if fmt == "svg" else {"Software": "SinkPlan"}


_PROLOG = re.compile(r"^.*?(<svg\b)", re.S)
_META = re.compile(r"<metadata>.*?</metadata>\s*", re.S)


def svg_text(fig: Figure, salt: str, title: str = "") -> str:
    """The figure as an inline ``<svg>`` element (no XML prolog, scalable to its container).

    ``salt`` makes the element ids of this figure unique within one HTML page.
    """
    import matplotlib

    with matplotlib.rc_context({"svg.hashsalt": salt}):
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None})
    s = _META.sub("", _PROLOG.sub(r"\1", buf.getvalue(), count=1))
    s = re.sub(r'<svg\b([^>]*?)\swidth="[^"]*"\sheight="[^"]*"', r'<svg\1', s, count=1)
    aria = f' role="img" aria-label="{_esc(title)}"' if title else ' role="img"'
    # never wider than 1.2 × the figure's own size, so small figures do not blow up on wide screens
    max_px = int(fig.get_figwidth() * 96 * 1.2)
    return s.replace("<svg", f'<svg class="figure-svg" style="max-width:{max_px}px"{aria}', 1)


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


# ----------------------------------------------------------------------------------------------
# maps
# ----------------------------------------------------------------------------------------------
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
    coll = PathCollection(_paths(g.geometry.simplify(SIMPLIFY_M)), facecolors=facecolors, edgecolors=edgecolor, linewidths=linewidth)
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
                    style.ZONE_TYPE_LABELS, "Zone type", order=list(style.ZONE_TYPE_COLORS))
    ax.set_title(f"The site: {len(zones)} zones, {zones['area_ha'].sum():,.1f} ha" + (f" ({crs_name})" if crs_name else ""))
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
                    style.CATEGORY_LABELS, "Vegetation or main measure", order=list(style.CATEGORY_COLORS) + sorted(set(cats)))
    ax.set_title(title)
    return fig


def eligibility_categories(zones: pd.DataFrame) -> list[str]:
    out = []
    for e, c in zip(zones.get("eligible_standards", pd.Series([""] * len(zones))).fillna(""), zones["credits_tco2e"]):
        out.append(" + ".join(s for s in str(e).split(";") if s) if e and c > 0 else
                   ("eligible, net source: no credits" if e else "not eligible"))
    return out


def eligibility_colors(cats) -> dict:
    palette = ["#1b9e77", "#7570b3", "#d95f02", "#e7298a", "#66a61e", "#e6ab02"]
    colors, k = {}, 0
    for c in sorted(set(cats)):
        if c == "not eligible":
            colors[c] = "#e0e0e0"
        elif c.startswith("eligible, net source"):
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
    draw_categories(ax, geometry, zones["zone_id"], cats, colors, {c: c for c in colors}, "Earns credits under")
    ax.set_title(title)
    return fig


def soil_grades(loss_t_per_yr, area_ha, tolerable_t_per_ha_yr: float) -> np.ndarray:
    """SL 190-2007 grade of each zone's mean soil loss (optimizer.models.erosion)."""
    from ..models.erosion import T_PER_HA_TO_T_PER_KM2, erosion_intensity_grade

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
                    "Erosion grade (SL 190-2007)", order=order, legend_categories=set(before) | set(after))
    axes[0].set_title("No works (natural regeneration)")
    axes[1].set_title("With the plan")
    return fig


def frequency_map_figure(geometry, dominant: pd.DataFrame, n_points: int) -> Figure:
    """Per zone, the vegetation measure chosen most often across the front; paler where the
    plans disagree (share of points choosing it)."""
    fig = new_figure(8, 5.2)
    ax = fig.add_subplot()
    cats = [m if m != "(none)" else "no_works" for m in dominant["measure_id"]]
    colors = {c: style.category_color(c) for c in set(cats)}
    draw_categories(ax, geometry, dominant["zone_id"], cats, colors, style.CATEGORY_LABELS,
                    "Most frequent vegetation", alpha=0.25 + 0.75 * dominant["share"].to_numpy(),
                    order=list(style.CATEGORY_COLORS) + sorted(set(cats)), edgecolor="#9a9a9a")
    ax.set_title(f"Agreement across the {n_points} plans of the front (pale: the plans disagree)")
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
                        "Vegetation or main measure", legend=(i == n - 1), legend_categories=all_cats,
                        order=list(style.CATEGORY_COLORS) + sorted(all_cats))
        if i:
            differs = p.zones["option_id"].to_numpy() != first.reindex(p.zones["zone_id"]).to_numpy()
            g = geometry.set_index("zone_id").reindex(p.zones["zone_id"][differs])
            ax.add_collection(PathCollection(_paths(g.geometry.simplify(SIMPLIFY_M)), facecolors="none",
                                             edgecolors="black", linewidths=0.7))
            ax.set_title(f"{p.label}\n{int(differs.sum())} zone(s) differ from {plans[0].label}")
        else:
            ax.set_title(f"{p.label}\n(reference)")
    return fig


# ----------------------------------------------------------------------------------------------
# charts
# ----------------------------------------------------------------------------------------------
def _tick(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 100 or v == 0 else f"{v:.3g}"


def _money_axis(axis, unit: str) -> None:
    """Thousands separators; CNY shown in millions."""
    if unit == "CNY":
        axis.set_major_formatter(FuncFormatter(lambda v, _: _tick(v / 1e6)))
    else:
        axis.set_major_formatter(FuncFormatter(lambda v, _: _tick(v)))


def _axis_label(name: str) -> tuple[str, str]:
    lab, unit = style.OBJECTIVE_LABELS.get(name, (name, ""))
    return lab, unit


def front_figure(front: pd.DataFrame, objectives, roles: dict) -> Figure:
    """The Pareto front of the first two objectives, with the knee and the extremes marked."""
    fig = new_figure(7, 4.6)
    ax = fig.add_subplot()
    a, b = objectives[0], objectives[1]
    x, y = front[b].to_numpy(float), front[a].to_numpy(float)   # cost on x, benefit on y reads naturally
    order = np.argsort(x)
    ax.plot(x[order], y[order], color="#9ecae1", lw=1.2, zorder=1)
    ax.scatter(x, y, s=28, color="#1f77b4", zorder=2, label="plan on the front")
    marks = [("knee", "Knee", "D", "#d62728"), ("closest_to_ideal", "Closest to ideal", "s", "#2ca02c")]
    for key, text, marker, color in marks:
        if key in roles:
            i = roles[key]
            ax.scatter([x[i]], [y[i]], s=90, marker=marker, facecolors="none", edgecolors=color, lw=1.6, zorder=3,
                       label=f"{text} (point {int(front['point'].iloc[i])})")
    for i, p in enumerate(front["point"]):
        ax.annotate(str(int(p)), (x[i], y[i]), xytext=(4, -9), textcoords="offset points", fontsize=6.5,
                    color="#555555")
    la, ua = _axis_label(a)
    lb, ub = _axis_label(b)
    ax.set_xlabel(f"{lb} [{'¥ M' if ub == 'CNY' else ub}]")
    ax.set_ylabel(f"{la} [{'¥ M' if ua == 'CNY' else ua}]")
    _money_axis(ax.xaxis, ub)
    _money_axis(ax.yaxis, ua)
    ax.grid(True, color="#eeeeee")
    ax.legend(loc="best", frameon=False)
    ax.set_title(f"Trade-off between {style.lower_first(la)} and {style.lower_first(lb)} ({len(front)} plans)")
    return fig


def trajectories_figure(traj: pd.DataFrame, title: str) -> Figure:
    """Left: annual net removals by carbon pool (stacked); right: cumulative net removals and
    credits against the no-works baseline."""
    fig = new_figure(9.5, 4.2)
    ax1, ax2 = fig.subplots(1, 2)
    years = traj["calendar_year"] if "calendar_year" in traj else traj["year"]
    pos = np.zeros(len(traj))
    neg = np.zeros(len(traj))
    for key in style.POOL_LABELS:
        if key not in traj:
            continue
        v = traj[key].to_numpy(float)
        if not np.any(np.abs(v) > 1e-9):
            continue
        bottom = np.where(v >= 0, pos, neg)
        ax1.bar(years, v, bottom=bottom, width=0.85, color=style.POOL_COLORS[key], label=style.POOL_LABELS[key])
        pos += np.where(v >= 0, v, 0)
        neg += np.where(v < 0, v, 0)
    ax1.plot(years, traj["net_removals_tco2e"], color="black", lw=1.2, label="Net removals")
    ax1.axhline(0, color="#666666", lw=0.6)
    ax1.set_ylabel("t CO2e per year")
    ax1.set_title("Annual net removals by pool")
    ax1.legend(frameon=False, fontsize=7, loc="upper right")
    # the first year holds biochar and project emissions: clip the axis so later years stay legible
    later = np.r_[pos[1:], neg[1:]] if len(traj) > 2 else np.r_[pos, neg]
    lo, hi = float(np.min(later, initial=0)), float(np.max(later, initial=0))
    span = max(hi - lo, 1.0)
    if pos[0] > hi + 1.5 * span or neg[0] < lo - 1.5 * span:
        ax1.set_ylim(lo - 0.15 * span, hi + 0.35 * span)
        ax1.text(0.01, 0.98, f"first year off scale: {pos[0] + neg[0]:,.0f} t CO2e", transform=ax1.transAxes,
                 fontsize=7, va="top", color="#444444")
    ax2.plot(years, traj["cumulative_net_removals_tco2e"], color=style.PLAN_COLORS[0], lw=2, label="Plan: net removals")
    if "credits_tco2e" in traj:
        ax2.plot(years, traj["credits_tco2e"].cumsum(), color=style.PLAN_COLORS[0], lw=1.2, ls="--",
                 label="Plan: credits")
    if "cumulative_net_removals_tco2e_baseline" in traj:
        ax2.plot(years, traj["cumulative_net_removals_tco2e_baseline"], color=style.BASELINE_COLOR, lw=1.5,
                 label="No works: net removals")
    ax2.axhline(0, color="#666666", lw=0.6)
    ax2.set_ylabel("t CO2e, cumulative")
    ax2.set_title("Cumulative removals and credits")
    ax2.legend(frameon=False, fontsize=7, loc="upper left")
    _money_axis(ax2.yaxis, "")
    fig.suptitle(title, fontweight="bold", fontsize=10)
    return fig


def trajectories_compare_figure(long: pd.DataFrame) -> Figure:
    fig = new_figure(9.5, 4.0)
    ax1, ax2 = fig.subplots(1, 2)
    names = [p for p in long["plan"].unique() if not str(p).startswith("no works")]
    many = len(names) > len(style.PLAN_COLORS)        # too many for a legend: a colour ramp instead
    if many:
        from matplotlib import colormaps
        ramp = colormaps["viridis"](np.linspace(0, 0.9, len(names)))
    for i, (plan, g) in enumerate(long.groupby("plan", sort=False)):
        base = plan.startswith("no works")
        color = style.BASELINE_COLOR if base else (ramp[names.index(plan)] if many else style.PLAN_COLORS[i % len(style.PLAN_COLORS)])
        if many and not base:
            plan = "_nolegend_"
        years = g["calendar_year"] if "calendar_year" in g and g["calendar_year"].notna().all() else g["year"]
        lw = 1.2 if base or many else 2
        ax1.plot(years, g["cumulative_net_removals_tco2e"], color=color, lw=lw, label=plan, ls="--" if base else "-")
        if "soil_loss_t" in g:
            ax2.plot(years, g["soil_loss_t"], color=color, lw=lw, label=plan, ls="--" if base else "-")
    ax1.set_title("Cumulative net removals")
    ax1.set_ylabel("t CO2e")
    ax1.axhline(0, color="#666666", lw=0.6)
    _money_axis(ax1.yaxis, "")
    ax2.set_title("Soil loss, whole site")
    ax2.set_ylabel("t per year")
    ax2.set_yscale("symlog", linthresh=100)
    ax1.legend(frameon=False, fontsize=7)
    if many:
        ax1.text(0.99, 0.02, f"{len(names)} plans: dark = {names[0]}, light = {names[-1]}", transform=ax1.transAxes,
                 ha="right", va="bottom", fontsize=7, color="#444444")
    return fig


def soil_loss_figure(zones: pd.DataFrame, traj: pd.DataFrame | None, tolerable_t_per_ha_yr: float | None) -> Figure:
    """Left: mean soil loss by zone type, no works against the plan; right: the site's annual
    soil loss with both, and the tolerable loss of the whole site."""
    fig = new_figure(9.5, 4.0)
    ax1, ax2 = fig.subplots(1, 2)
    cols = ["soil_loss_t_per_yr"] + (["baseline_soil_loss_t_per_yr"] if "baseline_soil_loss_t_per_yr" in zones else [])
    g = zones.groupby("zone_type")[cols + ["area_ha"]].sum()
    idx = np.arange(len(g))
    w = 0.38
    if "baseline_soil_loss_t_per_yr" in g:
        ax1.bar(idx - w / 2, g["baseline_soil_loss_t_per_yr"], w, color=style.BASELINE_COLOR, label="No works")
    ax1.bar(idx + w / 2, g["soil_loss_t_per_yr"], w, color=style.PLAN_COLORS[0], label="With the plan")
    if tolerable_t_per_ha_yr:
        tol = g["area_ha"] * tolerable_t_per_ha_yr
        ax1.scatter(idx, tol, marker="_", s=400, color="#d62728", zorder=3, label="Tolerable (area × limit)")
    ax1.set_xticks(idx, [style.ZONE_TYPE_LABELS.get(z, z).split(" (")[0] for z in g.index], rotation=15)
    ax1.set_ylabel("t per year (mean over the horizon)")
    ax1.set_title("Soil loss by zone type")
    ax1.legend(frameon=False, fontsize=7)
    _money_axis(ax1.yaxis, "")
    if traj is not None and "soil_loss_t" in traj:
        years = traj["calendar_year"] if "calendar_year" in traj else traj["year"]
        if "soil_loss_t_baseline" in traj:
            ax2.plot(years, traj["soil_loss_t_baseline"], color=style.BASELINE_COLOR, lw=1.5, label="No works")
        ax2.plot(years, traj["soil_loss_t"], color=style.PLAN_COLORS[0], lw=2, label="With the plan")
        if tolerable_t_per_ha_yr:
            ax2.axhline(zones["area_ha"].sum() * tolerable_t_per_ha_yr, color="#d62728", lw=1, ls=":",
                        label="Tolerable for the whole site")
        ax2.set_yscale("log")
        ax2.set_ylabel("t per year")
        ax2.set_title("Soil loss of the whole site, year by year")
        ax2.legend(frameon=False, fontsize=7)
    else:
        ax2.set_axis_off()
    return fig


def cost_figure(zones: pd.DataFrame) -> Figure:
    """Capital cost and later costs (NPV of upkeep, maintenance, monitoring), by zone type and by
    what the plan does in the zone."""
    fig = new_figure(9.5, 4.0)
    ax1, ax2 = fig.subplots(1, 2)
    z = zones.assign(later_cny=zones["cost_cny"] - zones["capex_cny"], category=plan_categories(zones))
    for ax, key, labels, title in ((ax1, "zone_type", style.ZONE_TYPE_LABELS, "By zone type"),
                                   (ax2, "category", style.CATEGORY_LABELS, "By vegetation or main measure")):
        g = z.groupby(key)[["capex_cny", "later_cny"]].sum().sort_values("capex_cny")
        names = [style.label(k, labels).split(" (")[0] for k in g.index]
        ax.barh(names, g["capex_cny"] / 1e6, color="#4575b4", label="Capital (year 0)")
        ax.barh(names, g["later_cny"] / 1e6, left=g["capex_cny"] / 1e6, color="#91bfdb",
                label="Upkeep, maintenance, monitoring (NPV)")
        ax.set_xlabel("¥ million (CNY of 2025)")
        ax.set_title(title)
        ax.grid(True, axis="x", color="#eeeeee")
    ax1.legend(frameon=False, fontsize=7, loc="lower right")
    return fig


def credits_figure(zones: pd.DataFrame, standards, totals: dict) -> Figure:
    """Credits (``totals["credits_{S}_tco2e"]``, as the run's evaluation gave them) and area of the
    zones eligible under each assessed standard."""
    from ..analysis.compare import eligible_mask

    fig = new_figure(8, 3.4)
    ax1, ax2 = fig.subplots(1, 2)
    names = list(standards) or ["(none)"]
    cred = [totals.get(f"credits_{s}_tco2e", float("nan")) for s in standards] or [0]
    area = [zones["area_ha"][eligible_mask(zones, s)].sum() for s in standards] or [0]
    ax1.bar(names, cred, color="#1b9e77")
    ax1.set_ylabel("t CO2e over the horizon")
    ax1.set_title("Credits from eligible zones")
    _money_axis(ax1.yaxis, "")
    ax2.bar(names, area, color="#7570b3")
    ax2.axhline(zones["area_ha"].sum(), color="#666666", lw=0.8, ls=":")
    ax2.text(len(names) - 0.5, zones["area_ha"].sum(), " whole site", va="bottom", ha="right", fontsize=7)
    ax2.set_ylabel("ha")
    ax2.set_title("Area of eligible zones")
    return fig


def totals_compare_figure(totals: pd.DataFrame, labels) -> Figure:
    """Small multiples: one bar chart per metric, one bar per plan."""
    rows = totals[totals["metric"].isin(["removals_tco2e", "avoided_tco2e", "credits_tco2e", "credit_value_cny",
                                         "cost_cny", "capex_cny", "soil_loss_t_per_yr", "topsoil_m3", "gangue_m3"])]
    rows = rows[(rows[list(labels)].abs() > 0).any(axis=1)]          # a resource no plan uses says nothing
    n = len(rows)
    ncol = 3
    nrow = int(np.ceil(n / ncol))
    fig = new_figure(9.5, 2.3 * nrow)
    axes = np.atleast_1d(fig.subplots(nrow, ncol)).ravel()
    colors = [style.PLAN_COLORS[i % len(style.PLAN_COLORS)] for i in range(len(labels))]
    for ax, (_, r) in zip(axes, rows.iterrows()):
        vals = [r[lab] for lab in labels]
        money = r["unit"] == "CNY"
        ax.bar(range(len(labels)), [v / 1e6 if money else v for v in vals], color=colors)
        ax.set_xticks(range(len(labels)), labels, fontsize=7, rotation=20 if len(labels) > 2 else 0)
        ax.set_title(r["label"].split(" (")[0], fontsize=8.5)
        ax.set_ylabel("¥ M" if money else r["unit"], fontsize=7.5)
        _money_axis(ax.yaxis, "")
    for ax in axes[n:]:
        ax.set_axis_off()
    return fig


def jaccard_figure(J: np.ndarray, labels) -> Figure:
    n = len(labels)
    side = min(max(3.2, 1.6 + 0.22 * n), 7.5)
    fig = new_figure(side + 1.4, side)
    ax = fig.add_subplot()
    im = ax.imshow(J, vmin=0, vmax=1, cmap="viridis")
    ax.set_xticks(range(n), labels, fontsize=7, rotation=90 if n > 12 else 0)
    ax.set_yticks(range(n), labels, fontsize=7)
    ax.set_xlabel("point on the front")
    ax.set_ylabel("point on the front")
    ax.set_title("Similarity of the plans\n(Jaccard, zone–measure pairs)", fontsize=9)
    fig.colorbar(im, ax=ax, shrink=0.8, label="shared / all zone–measure pairs")
    return fig
