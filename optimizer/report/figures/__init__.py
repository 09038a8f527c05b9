"""Figures for print and for the HTML report (matplotlib, no GUI backend).

Every function takes results already read from disk (per-zone plan tables, trajectories, front
tables) and returns a :class:`matplotlib.figure.Figure`; :func:`save_figure` writes PNG/SVG
atomically and :func:`svg_text` gives the SVG to inline in HTML. Nothing here re-runs a model.

The parts: :mod:`.canvas` (style, files, inline SVG), :mod:`.maps` and :mod:`.charts`.
"""

from __future__ import annotations

from .canvas import RC, new_figure, save_figure, svg_text
from .charts import (
                     cost_figure,
                     credits_figure,
                     front_figure,
                     jaccard_figure,
                     soil_loss_figure,
                     totals_compare_figure,
                     trajectories_compare_figure,
                     trajectories_figure,
)
from .maps import (
                     SIMPLIFY_M,
                     draw_categories,
                     eligibility_categories,
                     eligibility_colors,
                     eligibility_map_figure,
                     frequency_map_figure,
                     plan_categories,
                     plan_map_figure,
                     site_map_figure,
                     soil_grades,
                     soil_loss_maps_figure,
                     works_map_figure,
                     zones_compare_figure,
)

__all__ = ["RC", "SIMPLIFY_M", "cost_figure", "credits_figure", "draw_categories", "eligibility_categories",
           "eligibility_colors", "eligibility_map_figure", "frequency_map_figure", "front_figure", "jaccard_figure",
           "new_figure", "plan_categories", "plan_map_figure", "save_figure", "site_map_figure", "soil_grades",
           "soil_loss_figure", "soil_loss_maps_figure", "svg_text", "totals_compare_figure",
           "trajectories_compare_figure", "trajectories_figure", "works_map_figure", "zones_compare_figure"]
