"""Figures of a sweep a planner reads: the objective against each axis, and a heat map over two."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .figures.canvas import new_figure, save_figure

LABELS = {"price": "carbon price in the start year [CNY/t CO2e]", "discount": "discount rate [1/yr]",
          "budget": "budget [CNY]", "standard": "crediting standard"}


def sweep_figures(sweep: pd.DataFrame, axes: Sequence[str], objective: str, out: Path) -> list[Path]:
    """``figures/objective_vs_AXIS.png`` per axis with more than one value (mean over the other
    axes, band from least to most) and ``figures/heatmap_A_B.png`` over the first two such axes."""
    ok = sweep[sweep["status"] == "ok"]
    if ok.empty or "objective" not in ok:
        return []
    live = [a for a in axes if ok[a].nunique() > 1]
    files: list[Path] = []
    for a in live:
        g = ok.groupby(a)["objective"].agg(["mean", "min", "max"])
        fig = new_figure(6.0, 3.6)
        ax = fig.add_subplot()
        numeric = pd.api.types.is_numeric_dtype(g.index)
        x = g.index.to_numpy(dtype=float) if numeric else np.arange(len(g), dtype=float)
        ax.plot(x, g["mean"], marker="o", color="#2f6b3a", label="mean over the other axes")
        ax.fill_between(x, g["min"], g["max"], color="#2f6b3a", alpha=0.2, label="least – most")
        if not numeric:
            ax.set_xticks(x, [str(v) for v in g.index])
        ax.set_xlabel(LABELS.get(a, a))
        ax.set_ylabel(objective)
        ax.set_title(f"{objective} against {a}")
        ax.legend()
        files += save_figure(fig, out / "figures", f"objective_vs_{a}", formats=("png",))
    if len(live) >= 2:
        a, b = live[0], live[1]
        m = ok.pivot_table(index=b, columns=a, values="objective", aggfunc="mean")
        fig = new_figure(6.5, 4.5)
        ax = fig.add_subplot()
        im = ax.imshow(m.to_numpy(dtype=float), origin="lower", aspect="auto", cmap="viridis")
        ax.set_xticks(range(m.shape[1]), [f"{v:g}" if isinstance(v, float) else str(v) for v in m.columns],
                      rotation=45)
        ax.set_yticks(range(m.shape[0]), [f"{v:g}" if isinstance(v, float) else str(v) for v in m.index])
        ax.set_xlabel(LABELS.get(a, a))
        ax.set_ylabel(LABELS.get(b, b))
        ax.set_title(f"{objective}, mean over the other axes")
        fig.colorbar(im, ax=ax, label=objective)
        files += save_figure(fig, out / "figures", f"heatmap_{a}_{b}", formats=("png",))
    return files
