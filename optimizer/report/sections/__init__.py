"""The report's sections as HTML, in reading order. Each takes the :class:`ReportContext` and the
rendered figures (id → (inline SVG, print file names)) and returns one ``<section>``.

The parts: :mod:`.overview` (cover, §1 summary, §2 site), :mod:`.plans` (§3 the plan or the front),
:mod:`.accounting` (§4 carbon, §5 soil, §6 cost, §7 credits), :mod:`.uncertainty` (how sure is this
plan?, when the run folder holds uncertainty results), :mod:`.provenance` (§8 placeholders,
§9 solver, §10 manifest, §11 method) and :mod:`.common` (helpers they share).
"""

from __future__ import annotations

from .accounting import carbon, cost, credits, soil
from .annex import annex
from .common import STATUS_WORDS
from .overview import SETTING_ROWS, header, site, summary
from .plans import constraints_table, explorer, front_section, options_table, plans_section, totals_table
from .provenance import method_notes, placeholders, reproducibility, solver
from .uncertainty import uncertainty

__all__ = ["annex", "SETTING_ROWS", "STATUS_WORDS", "carbon", "constraints_table", "cost", "credits", "explorer",
           "front_section", "header", "method_notes", "options_table", "placeholders", "plans_section",
           "reproducibility", "site", "soil", "solver", "summary", "totals_table", "uncertainty"]
