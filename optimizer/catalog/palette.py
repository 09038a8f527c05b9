"""Colours of a plan on a map, shared by the report (matplotlib and the interactive map) and the
styles stored in plan GeoPackages (QGIS): what grows in each zone (:data:`CATEGORY_COLORS`) and
the works done there (:func:`works_symbol`: a hatch for landform, a fill for soil measures, an
outline for waste works). Plain data.
"""

from __future__ import annotations

#: What a plan does in a zone, for maps: vegetation type, or the water/energy measure.
CATEGORY_LABELS = {
    "tree_shrub_herb": "Tree–shrub–herb, three layers",
    "robinia": "Black locust (Robinia)",
    "poplar": "Poplar",
    "conifer": "Conifers",
    "shrub": "Deep-rooted shrubs",
    "grassland": "Grassland",
    "grass_legume": "Grass–legume",
    "natural_regeneration": "Natural regeneration (no works)",
    "constructed_wetland": "Constructed wetland",
    "pv_ground": "Photovoltaic, ground-mounted",
    "pv_floating": "Photovoltaic, floating",
    "no_works": "No works",
}
#: Colour-blind-safe and pairwise distinct (Paul Tol's "muted" scheme with Okabe & Ito's orange;
#: tests/test_palette.py checks every pair under simulated deuteranopia, protanopia and tritanopia).
CATEGORY_COLORS = {
    "tree_shrub_herb": "#117733",
    "robinia": "#44aa99",
    "poplar": "#999933",
    "conifer": "#332288",
    "shrub": "#aa4499",
    "grassland": "#ddcc77",
    "grass_legume": "#e69f00",
    "natural_regeneration": "#e3e3e3",
    "constructed_wetland": "#88ccee",
    "pv_ground": "#cc6677",
    "pv_floating": "#882255",
    "no_works": "#333333",
}
EXTRA_COLORS = ("#e08214", "#b2182b", "#35978f", "#c51b7d", "#7f3b08", "#542788", "#8c510a", "#01665e")


#: Groups of measures drawn on a works map, in drawing order (fill, hatch over it, outline on top).
WORKS_GROUPS = ("soil", "landform", "waste")
_SOIL_FILLS = ("#eedd88", "#ee8866", "#99ddff", "#bbcc33", "#ffaabb", "#44bb99", "#77aadd", "#aaaa00")  # Tol "light"
_HATCHES = ("b_diagonal", "horizontal", "f_diagonal", "cross", "vertical", "diagonal_x")
_OUTLINES = ("#cc3311", "#ee7733", "#009988", "#ee3377", "#33bbee")
#: Measures with a fixed symbol (the bundled catalog); a planner's own get the next free one.
_WORKS_ORDER = {
    "soil": ("topsoil_30", "topsoil_50", "biochar_20", "gangue_conditioner", "sewage_sludge",
             "lime_phosphate_organic", "amf", "legume_green_manure"),
    "landform": ("terrace", "level_terrace", "regrade_20", "contour_ridges", "levelling"),
    "waste": ("fire_capping", "fire_full_treatment", "gangue_backfill"),
}


def works_symbol(group: str, measure: str) -> dict:
    """How a measure of a works group is drawn: ``{"kind": "fill"|"hatch"|"outline", "color",
    "pattern"}``; fixed for the bundled measures, stable for others (by name)."""
    known = _WORKS_ORDER.get(group, ())
    i = known.index(measure) if measure in known else len(known) + sum(map(ord, measure))
    if group == "soil":
        return {"kind": "fill", "color": _SOIL_FILLS[i % len(_SOIL_FILLS)], "pattern": "solid"}
    if group == "landform":
        return {"kind": "hatch", "color": "#222222", "pattern": _HATCHES[i % len(_HATCHES)]}
    return {"kind": "outline", "color": _OUTLINES[i % len(_OUTLINES)], "pattern": "solid"}


def plan_category(vegetation_type: str, water: str = "", energy: str = "", option_id: str = "") -> str:
    """What a zone's option is, for a map colour: energy, then water, then vegetation type."""
    for v in (energy, water, vegetation_type):
        if v:
            return v
    return "no_works" if option_id in ("no_works", "") else option_id


def category_color(cat: str, seen: list | None = None) -> str:
    if cat in CATEGORY_COLORS:
        return CATEGORY_COLORS[cat]
    key = sum(map(ord, cat))
    return EXTRA_COLORS[key % len(EXTRA_COLORS)]
