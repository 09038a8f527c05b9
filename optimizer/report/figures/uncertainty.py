"""Figures of an uncertainty result: fan charts of cumulative removals, measurement priorities."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ...i18n import _
from .canvas import new_figure, save_figure


def fan_figure(fans: pd.DataFrame, directory: Path, formats=("png",), max_plans: int = 4) -> list[Path]:
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
    return save_figure(fig, directory, "fan_removals", formats)


def priority_figure(voi: pd.DataFrame, directory: Path, formats=("png",)) -> list[Path]:
    """EVPPI per parameter group [CNY], largest first."""
    fig = new_figure(6.0, 3.5)
    ax = fig.add_subplot()
    d = voi.iloc[::-1]
    ax.barh(d["group"], d["evppi"] / 1e6)
    ax.set_xlabel(_("expected value of perfect information [M CNY]"))
    ax.set_title(_("What to measure next"))
    return save_figure(fig, directory, "measurement_priorities", formats)
