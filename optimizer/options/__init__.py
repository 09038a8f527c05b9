"""Every feasible restoration option of every zone, scored, held as arrays.

An option is a combination of at most one measure per group (docs/science.md §1.3). Combinations are
enumerated once for the catalog (``combos``: :func:`enumerate_combos`), filtered by the suitability
rules — data in ``measures.csv``: zone types, slope limits, climates and tags that measures require,
exclude, provide or cancel — for each class of zones with the same tags, then for each zone's slope
(``feasibility``: :func:`feasible_rows`), assessed against the crediting standards
(``eligibility``), and scored by the cited models in chunks of rows (``scoring``), into one
:class:`OptionTable` (``table``); :func:`evaluate_options` (``build``) runs the steps. No Python
object is made per zone–option pair.

Tag semantics (one place): a zone has tags (``type_<zone_type>``, ``burning``, ``contaminated``,
``unstabilized``, ``shallow_water``, ``deep_water``); an option's *final* tags are the zone's,
minus every measure's ``cancels``, plus every measure's ``provides``. Each measure's ``requires``
must hold in the zone's tags plus the provided ones (before cancelling: fire suppression requires
and cancels ``burning``); its ``excludes`` must not hold in the final tags; its ``zone_types`` must
match the zone's type or a type another measure provides (backfill turns a pool into a platform).
Slope limits apply to the zone's slope for landform measures and to the slope after landform works
(``suit_slope_after_deg``) for the others.
"""

from __future__ import annotations

from .build import CHUNK_ROWS, evaluate_options
from .combos import ZONE_TAGS, ComboParams, ComboRules, Combos, enumerate_combos
from .eligibility import credited_pool_mask, standard_eligibility
from .feasibility import class_feasible, feasible_rows, suitability_slope, zone_tags
from .scoring import COLUMNS, RowInputs, ZoneArrays, row_inputs, score_rows, zone_arrays
from .table import OptionTable

__all__ = [
    "CHUNK_ROWS",
    "COLUMNS",
    "ZONE_TAGS",
    "ComboParams",
    "ComboRules",
    "Combos",
    "OptionTable",
    "RowInputs",
    "ZoneArrays",
    "class_feasible",
    "credited_pool_mask",
    "enumerate_combos",
    "evaluate_options",
    "feasible_rows",
    "row_inputs",
    "score_rows",
    "standard_eligibility",
    "suitability_slope",
    "zone_arrays",
    "zone_tags",
]
