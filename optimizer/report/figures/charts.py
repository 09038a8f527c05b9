"""Charts: the Pareto front, carbon trajectories, soil loss, cost, credits, plans' totals side by
side and the similarity of a front's plans."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from ...i18n import _
from .. import style
from .canvas import new_figure
from .maps import plan_categories


def _tick(v: float) -> str:
    """A tick label: thousands separators, three significant figures, never "-0"."""
    v = 0.0 if abs(v) < 1e-9 else v   # float noise of a tick at zero
    s = f"{v:,.0f}" if abs(v) >= 100 or v == 0 else f"{v:.3g}"
    if s.startswith("-") and not s.strip("-0.,"):
        s = s[1:]
    return s


def _money_axis(axis, unit: str) -> None:
    """Thousands separators; CNY shown in millions."""
    if unit == "CNY":
        axis.set_major_formatter(FuncFormatter(lambda v, _pos: _tick(v / 1e6)))
    else:
        axis.set_major_formatter(FuncFormatter(lambda v, _pos: _tick(v)))


def _short_label(text: str) -> str:
    """"Platform (dump bench or top)" → "Platform"; "平台（排土场平台或顶部）" → "平台"."""
    return text.split(" (")[0].split("（")[0]


def _axis_label(name: str) -> tuple[str, str]:
    lab, unit = style.OBJECTIVE_LABELS.get(name, (name, ""))
    return _(lab), unit


def front_figure(front: pd.DataFrame, objectives, roles: dict) -> Figure:
    """The Pareto front of the first two objectives, with the knee and the extremes marked."""
    fig = new_figure(7, 4.6)
    ax = fig.add_subplot()
    a, b = objectives[0], objectives[1]
    x, y = front[b].to_numpy(float), front[a].to_numpy(float)   # cost on x, benefit on y reads naturally
    order = np.argsort(x)
    ax.plot(x[order], y[order], color="#9ecae1", lw=1.2, zorder=1)
    ax.scatter(x, y, s=28, color="#1f77b4", zorder=2, label=_("plan on the front"))
    marks = [("knee", _("Knee"), "D", "#d62728"), ("closest_to_ideal", _("Closest to ideal"), "s", "#2ca02c")]
    for key, text, marker, color in marks:
        if key in roles:
            i = roles[key]
            ax.scatter([x[i]], [y[i]], s=90, marker=marker, facecolors="none", edgecolors=color, lw=1.6, zorder=3,
                       label=_("{mark} (point {k})").format(mark=text, k=int(front['point'].iloc[i])))
    for i, p in enumerate(front["point"]):
        ax.annotate(str(int(p)), (x[i], y[i]), xytext=(4, -9), textcoords="offset points", fontsize=6.5,
                    color="#555555")
    la, ua = _axis_label(a)
    lb, ub = _axis_label(b)
    ax.set_xlabel(f"{lb} [{_('¥ M') if ub == 'CNY' else ub}]")
    ax.set_ylabel(f"{la} [{_('¥ M') if ua == 'CNY' else ua}]")
    _money_axis(ax.xaxis, ub)
    _money_axis(ax.yaxis, ua)
    ax.grid(True, color="#eeeeee")
    ax.legend(loc="best", frameon=False)
    ax.set_title(_("Trade-off between {a} and {b} ({n} plans)").format(
        a=style.lower_first(la), b=style.lower_first(lb), n=len(front)))
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
        ax1.bar(years, v, bottom=bottom, width=0.85, color=style.POOL_COLORS[key],
                label=style.label(key, style.POOL_LABELS))
        pos += np.where(v >= 0, v, 0)
        neg += np.where(v < 0, v, 0)
    ax1.plot(years, traj["net_removals_tco2e"], color="black", lw=1.2, label=_("Net removals"))
    ax1.axhline(0, color="#666666", lw=0.6)
    ax1.set_ylabel(_("t CO2e per year"))
    ax1.set_title(_("Annual net removals by pool"))
    ax1.legend(frameon=False, fontsize=7, loc="upper right")
    # the first year holds biochar and project emissions: clip the axis so later years stay legible
    later = np.r_[pos[1:], neg[1:]] if len(traj) > 2 else np.r_[pos, neg]
    lo, hi = float(np.min(later, initial=0)), float(np.max(later, initial=0))
    span = max(hi - lo, 1.0)
    if pos[0] > hi + 1.5 * span or neg[0] < lo - 1.5 * span:
        ax1.set_ylim(lo - 0.15 * span, hi + 0.35 * span)
        ax1.text(0.01, 0.98, _("first year off scale: {value} t CO2e").format(value=f"{pos[0] + neg[0]:,.0f}"),
                 transform=ax1.transAxes,
                 fontsize=7, va="top", color="#444444")
    ax2.plot(years, traj["cumulative_net_removals_tco2e"], color=style.PLAN_COLORS[0], lw=2,
             label=_("Plan: net removals"))
    if "credits_tco2e" in traj:
        ax2.plot(years, traj["credits_tco2e"].cumsum(), color=style.PLAN_COLORS[0], lw=1.2, ls="--",
                 label=_("Plan: credits"))
    if "cumulative_net_removals_tco2e_baseline" in traj:
        ax2.plot(years, traj["cumulative_net_removals_tco2e_baseline"], color=style.BASELINE_COLOR, lw=1.5,
                 label=_("No works: net removals"))
    ax2.axhline(0, color="#666666", lw=0.6)
    ax2.set_ylabel(_("t CO2e, cumulative"))
    ax2.set_title(_("Cumulative removals and credits"))
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
        color = style.BASELINE_COLOR if base else (ramp[names.index(plan)] if many
                                                   else style.PLAN_COLORS[i % len(style.PLAN_COLORS)])
        if many and not base:
            plan = "_nolegend_"
        years = g["calendar_year"] if "calendar_year" in g and g["calendar_year"].notna().all() else g["year"]
        lw = 1.2 if base or many else 2
        ax1.plot(years, g["cumulative_net_removals_tco2e"], color=color, lw=lw, label=plan, ls="--" if base else "-")
        if "soil_loss_t" in g:
            ax2.plot(years, g["soil_loss_t"], color=color, lw=lw, label=plan, ls="--" if base else "-")
    ax1.set_title(_("Cumulative net removals"))
    ax1.set_ylabel(_("t CO2e"))
    ax1.axhline(0, color="#666666", lw=0.6)
    _money_axis(ax1.yaxis, "")
    ax2.set_title(_("Soil loss, whole site"))
    ax2.set_ylabel(_("t per year"))
    ax2.set_yscale("symlog", linthresh=100)
    ax1.legend(frameon=False, fontsize=7)
    if many:
        ax1.text(0.99, 0.02, _("{n} plans: dark = {first}, light = {last}").format(
            n=len(names), first=names[0], last=names[-1]), transform=ax1.transAxes,
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
        ax1.bar(idx - w / 2, g["baseline_soil_loss_t_per_yr"], w, color=style.BASELINE_COLOR, label=_("No works"))
    ax1.bar(idx + w / 2, g["soil_loss_t_per_yr"], w, color=style.PLAN_COLORS[0], label=_("With the plan"))
    if tolerable_t_per_ha_yr:
        tol = g["area_ha"] * tolerable_t_per_ha_yr
        ax1.scatter(idx, tol, marker="_", s=400, color="#d62728", zorder=3, label=_("Tolerable (area × limit)"))
    ax1.set_xticks(idx, [_short_label(style.label(z, style.ZONE_TYPE_LABELS)) for z in g.index], rotation=15)
    ax1.set_ylabel(_("t per year (mean over the horizon)"))
    ax1.set_title(_("Soil loss by zone type"))
    ax1.legend(frameon=False, fontsize=7)
    _money_axis(ax1.yaxis, "")
    if traj is not None and "soil_loss_t" in traj:
        years = traj["calendar_year"] if "calendar_year" in traj else traj["year"]
        if "soil_loss_t_baseline" in traj:
            ax2.plot(years, traj["soil_loss_t_baseline"], color=style.BASELINE_COLOR, lw=1.5, label=_("No works"))
        ax2.plot(years, traj["soil_loss_t"], color=style.PLAN_COLORS[0], lw=2, label=_("With the plan"))
        if tolerable_t_per_ha_yr:
            ax2.axhline(zones["area_ha"].sum() * tolerable_t_per_ha_yr, color="#d62728", lw=1, ls=":",
                        label=_("Tolerable for the whole site"))
        ax2.set_yscale("log")
        ax2.set_ylabel(_("t per year"))
        ax2.set_title(_("Soil loss of the whole site, year by year"))
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
    for ax, key, labels, title in ((ax1, "zone_type", style.ZONE_TYPE_LABELS, _("By zone type")),
                                   (ax2, "category", style.CATEGORY_LABELS, _("By vegetation or main measure"))):
        g = z.groupby(key)[["capex_cny", "later_cny"]].sum().sort_values("capex_cny")
        names = [_short_label(style.label(k, labels)) for k in g.index]
        ax.barh(names, g["capex_cny"] / 1e6, color="#4575b4", label=_("Capital (year 0)"))
        ax.barh(names, g["later_cny"] / 1e6, left=g["capex_cny"] / 1e6, color="#91bfdb",
                label=_("Upkeep, maintenance, monitoring (NPV)"))
        ax.set_xlabel(_("¥ million (CNY of 2025)"))
        ax.set_title(title)
        ax.grid(True, axis="x", color="#eeeeee")
    ax1.legend(frameon=False, fontsize=7, loc="lower right")
    return fig


def credits_figure(zones: pd.DataFrame, standards, totals: dict) -> Figure:
    """Credits (``totals["credits_{S}_tco2e"]``, as the run's evaluation gave them) and area of the
    zones eligible under each assessed standard."""
    from ...analysis.compare import eligible_mask

    fig = new_figure(8, 3.4)
    ax1, ax2 = fig.subplots(1, 2)
    names = list(standards) or ["(none)"]
    cred = [totals.get(f"credits_{s}_tco2e", float("nan")) for s in standards] or [0]
    area = [zones["area_ha"][eligible_mask(zones, s)].sum() for s in standards] or [0]
    ax1.bar(names, cred, color="#1b9e77")
    ax1.set_ylabel(_("t CO2e over the horizon"))
    ax1.set_title(_("Credits from eligible zones"))
    _money_axis(ax1.yaxis, "")
    ax2.bar(names, area, color="#7570b3")
    ax2.axhline(zones["area_ha"].sum(), color="#666666", lw=0.8, ls=":")
    ax2.text(len(names) - 0.5, zones["area_ha"].sum(), _(" whole site"), va="bottom", ha="right", fontsize=7)
    ax2.set_ylabel(_("ha"))
    ax2.set_title(_("Area of eligible zones"))
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
    for ax, (_i, r) in zip(axes, rows.iterrows()):
        vals = [r[lab] for lab in labels]
        money = r["unit"] == "CNY"
        ax.bar(range(len(labels)), [v / 1e6 if money else v for v in vals], color=colors)
        ax.set_xticks(range(len(labels)), labels, fontsize=7, rotation=20 if len(labels) > 2 else 0)
        ax.set_title(_short_label(_(r["label"])), fontsize=8.5)
        ax.set_ylabel(_("¥ M") if money else r["unit"], fontsize=7.5)
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
    ax.set_xlabel(_("point on the front"))
    ax.set_ylabel(_("point on the front"))
    ax.set_title(_("Similarity of the plans\n(Jaccard, zone–measure pairs)"), fontsize=9)
    fig.colorbar(im, ax=ax, shrink=0.8, label=_("shared / all zone–measure pairs"))
    return fig
