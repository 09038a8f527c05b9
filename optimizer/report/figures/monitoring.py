"""Figures of the report's "Monitoring" section, from a ``sinkplan monitor`` folder's files
(``site.csv``, ``zones.csv``): the site's removals forecast before and after recalibration, each
worked zone's growth multiplier with its 90 % interval, and the flagged zones on a map."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from ...i18n import N_, _
from .canvas import new_figure
from .maps import draw_categories

FLAG_COLORS = {"failing": "#d55e00", "thriving": "#009e73", "ok": "#dddddd"}   # Okabe–Ito, colour-blind safe
FLAG_LABELS = {"failing": N_("failing"), "thriving": N_("thriving"), "ok": N_("as expected or not observed")}


def forecast_figure(site: pd.DataFrame, to_date_year: int | None = None) -> Figure:
    """Cumulative net removals: the plan's forecast, the recalibrated one and its 90 % band."""
    fig = new_figure(8, 4.2)
    ax = fig.add_subplot()
    x = site["calendar_year"]
    ax.fill_between(x, site["cumulative_removals_tco2e_p5"], site["cumulative_removals_tco2e_p95"], color="#56b4e9",
                    alpha=0.3, label=_("recalibrated, 90 % band"))
    ax.plot(x, site["cumulative_removals_tco2e_forecast"], color="#555555", ls="--", label=_("forecast of the plan"))
    ax.plot(x, site["cumulative_removals_tco2e_recalibrated"], color="#0072b2",
            label=_("recalibrated (posterior mean)"))
    if to_date_year is not None:
        ax.axvline(to_date_year, color="k", lw=0.6)
        ax.annotate(_("last observation"), (to_date_year, ax.get_ylim()[1]), ha="right", va="top", fontsize=8)
    ax.set(xlabel=_("Year"), ylabel=_("cumulative net removals [t CO2e]"),
           title=_("Removals: forecast before and after monitoring"))
    ax.legend(loc="lower right", fontsize=8)
    return fig


def multipliers_figure(zones: pd.DataFrame) -> Figure:
    """Each worked zone's posterior growth multiplier (mean and 90 % interval), sorted."""
    fig = new_figure(8, 4.2)
    ax = fig.add_subplot()
    z = zones[zones["worked"]].sort_values("growth_multiplier_mean").reset_index(drop=True)
    colors = z["flag"].fillna("").map(FLAG_COLORS).where(z["flag"].fillna("") != "", "#888888")
    ax.vlines(z.index, z["growth_multiplier_p5"], z["growth_multiplier_p95"], colors=colors, alpha=0.7, lw=1)
    ax.scatter(z.index, z["growth_multiplier_mean"], c=colors, s=8, zorder=3)
    ax.axhline(1.0, color="k", lw=0.5)
    ax.set_yscale("log")
    plain = FuncFormatter(lambda v, _pos: f"{v:g}")
    ax.yaxis.set_major_formatter(plain)
    ax.yaxis.set_minor_formatter(plain)
    ax.set(xlabel=_("worked zones, sorted"), ylabel=_("growth multiplier (90 % interval)"),
           title=_("Growth of each stand against the model's curve"))
    return fig


def flagged_map_figure(geometry, zones: pd.DataFrame) -> Figure:
    fig = new_figure(8, 5.2)
    ax = fig.add_subplot()
    flags = zones["flag"].fillna("").astype(str).replace("", "ok")
    labels = {k: _(v) for k, v in FLAG_LABELS.items()}
    draw_categories(ax, geometry, zones["zone_id"], flags, FLAG_COLORS, labels, _("Monitoring flag"),
                    order=["failing", "thriving", "ok"])
    n_f, n_t = int((flags == "failing").sum()), int((flags == "thriving").sum())
    ax.set_title(_("Flagged zones: {failing} failing, {thriving} thriving").format(failing=n_f, thriving=n_t))
    return fig
