"""Figures of an uncertainty result: fan charts of cumulative removals, measurement priorities
(EVPPI) and the Morris screening by parameter group. The ``*_chart`` functions return a figure for
the report; the ``*_figure`` functions write it beside the results."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from ...i18n import _
from .canvas import new_figure, save_figure


def fan_chart(fans: pd.DataFrame, max_plans: int = 4) -> Figure:
    """P5–P95 band, P50 and central line of cumulative net removals per plan [t CO2e]."""
    fig = new_figure(8.0, 4.0)
    ax = fig.add_subplot()
    for i, (plan, d) in enumerate(fans.groupby("plan", sort=False)):
        if i >= max_plans:
            break
        line = ax.plot(d["year"], d["p50"], label=f"{plan} P50")[0]
        ax.fill_between(d["year"], d["p5"], d["p95"], alpha=0.2, color=line.get_color(), label=f"{plan} P5–P95")
        ax.plot(d["year"], d["central"], ls="--", color=line.get_color(), lw=0.8)
    ax.set_xlabel(_("year after the works"))
    ax.set_ylabel(_("cumulative net removals [t CO2e]"))
    ax.set_title(_("How sure is this plan? Cumulative removals (dashed: central values)"))
    ax.legend(loc="upper left")
    return fig


def fan_figure(fans: pd.DataFrame, directory: Path, formats=("png",), max_plans: int = 4) -> list[Path]:
    return save_figure(fan_chart(fans, max_plans), directory, "fan_removals", formats)


def priority_chart(voi: pd.DataFrame) -> Figure:
    """EVPPI per parameter group [CNY], largest first."""
    fig = new_figure(6.0, 3.5)
    ax = fig.add_subplot()
    d = voi.iloc[::-1]
    ax.barh(d["group"], d["evppi"] / 1e6)
    ax.set_xlabel(_("expected value of perfect information [M CNY]"))
    ax.set_title(_("What to measure next"))
    return fig


def priority_figure(voi: pd.DataFrame, directory: Path, formats=("png",)) -> list[Path]:
    return save_figure(priority_chart(voi), directory, "measurement_priorities", formats)


def sensitivity_chart(sens: pd.DataFrame, plan: str | None = None) -> Figure:
    """Morris μ* of removals per parameter group [t CO2e] with its 95 % bootstrap half-width, for
    one plan (the first by default)."""
    plan = plan if plan is not None else str(sens["plan"].iloc[0])
    d = sens[sens["plan"].astype(str) == plan].sort_values("mu_star")
    fig = new_figure(6.0, 3.5)
    ax = fig.add_subplot()
    ax.barh(d["group"], d["mu_star"], xerr=d["mu_star_conf"], capsize=2)
    ax.set_xlabel(_("Morris μ* of net removals [t CO2e]"))
    ax.set_title(_("What moves {plan}'s removals (Morris screening)").format(plan=plan))
    return fig


def sensitivity_figure(sens: pd.DataFrame, directory: Path, formats=("png",)) -> list[Path]:
    return save_figure(sensitivity_chart(sens), directory, "sensitivity_morris", formats)
