"""Land rules: vegetation a zone may not take because of its land designation (docs/science.md §1.3).

The rules are data (``optimizer/catalog/land_rules.csv``: designation, forbidden vegetation types,
forbidden option tags, the reason and its legal source). Example: a zone designated ``farmland``
takes no tree or shrub option (国办发明电〔2020〕24号; Land Reclamation Regulation 2011, Art. 4),
and may take cropland reclamation. Applied once per designation over every combination
(:func:`forbidden_combos`); :func:`refusal_reason` explains a refused option.
"""

from __future__ import annotations

import numpy as np

from ..catalog import Catalog
from ..i18n import _
from .combos import Combos

#: The vegetation type of cropland reclamation: a zone whose option has it is restored farmland
#: (counted toward a province's cultivated-land quota; docs/science.md §5.6).
CROPLAND_VEG_TYPE = "cropland"


def forbidden_combos(combos: Combos, catalog: Catalog) -> dict[str, np.ndarray]:
    """Per land designation with a rule, a bool array over the combinations: forbidden there."""
    out: dict[str, np.ndarray] = {}
    veg = combos.params.veg_type
    for designation, r in catalog.land_rules.iterrows():
        bad = np.isin(veg, list(r["forbidden_vegetation_types"]))
        for tag in r["forbidden_tags"]:
            if tag in combos.tags:
                bad |= (combos.provides & combos.tag_bit(tag)) != 0
        out[str(designation)] = bad
    return out


def refusal_reason(combos: Combos, catalog: Catalog, designation: str, option_id: str) -> str | None:
    """Why a land rule refuses ``option_id`` on land of ``designation`` (reason and source), or None."""
    if designation not in catalog.land_rules.index:
        return None
    hit = np.flatnonzero(combos.option_id == option_id)
    if len(hit) == 0 or not forbidden_combos(combos, catalog)[designation][hit[0]]:
        return None
    r = catalog.land_rules.loc[designation]
    return _("a land rule forbids it on {designation}: {reason} ({source})").format(
        designation=designation, reason=r["reason"], source=r["source"])


def is_cropland(veg_type: np.ndarray) -> np.ndarray:
    """Bool per row: the option reclaims cropland (vegetation type :data:`CROPLAND_VEG_TYPE`)."""
    return np.asarray(veg_type, dtype=object) == CROPLAND_VEG_TYPE
