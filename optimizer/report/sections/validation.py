"""How well the carbon model matches published field data, for the plan's own vegetation types in
the site's climate class (a part of §4): the out-of-sample scorecard of ``benchmarks/SCIENCE.md``
(issue 10), read from ``optimizer/report/field_validation.json``, which ``python -m
benchmarks.science --validation-json`` writes with the scorecard."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

from ...i18n import N_, _
from ..context import ReportContext
from ..html import esc, table

#: The vegetation types and climate classes by name (ids as in the catalog and docs/science.md §2).
VEGETATION_NAMES = {
    "tree_shrub_herb": N_("mixed trees, shrubs and herbs"), "robinia": N_("black locust"), "poplar": N_("poplar"),
    "conifer": N_("conifers"), "shrub": N_("shrubs"), "grassland": N_("grassland"),
    "grass_legume": N_("grass–legume mixture"), "natural_regeneration": N_("natural regeneration"),
    "eucalyptus_acacia": N_("fast plantation (eucalyptus, acacia)"), "cropland": N_("cropland"),
}
CLIMATE_NAMES = {"cold": N_("cold"), "semi_arid": N_("semi-arid"), "sub_humid": N_("sub-humid"),
                 "humid_temperate": N_("humid temperate"), "humid_subtropical": N_("humid subtropical")}


@lru_cache(maxsize=1)
def load_validation() -> dict | None:
    """The shipped scorecard summary, or None when the package has none."""
    try:
        text = resources.files("optimizer.report").joinpath("field_validation.json").read_text(encoding="utf-8")
    except (FileNotFoundError, OSError):
        return None
    return json.loads(text)


def _name(table_: dict, key: str) -> str:
    return _(table_[key]) if key in table_ else key


def field_validation(ctx: ReportContext, summary: dict | None = None) -> str:
    """An ``<h3>`` block: the headline, then one row per vegetation type of the headline plan (and
    natural regeneration, the no-works baseline) with the field rows of its cell in the site's
    climate class, or of the type in any class when the cell has none."""
    v = load_validation() if summary is None else summary
    head = "<h3>" + esc(_("How well the carbon model matches field data")) + "</h3>"
    if not v:
        return head + '<p class="callout">' + esc(_("No field validation summary ships with this installation.")) \
            + "</p>"
    climate = str(ctx.settings.get("climate", ""))
    zones = ctx.zones
    types = sorted({str(t) for t in zones["vegetation_type"].dropna() if str(t)}) if "vegetation_type" in zones \
        else []
    if "natural_regeneration" not in types:
        types.append("natural_regeneration")
    cells = {(c["vegetation_type"], c["climate_class"]): c for c in v.get("cells", [])}
    by_type = {c["vegetation_type"]: c for c in v.get("types", [])}
    text = _("The growth and soil-carbon curves were checked against {n} published stocks of carbon on restored mine "
             "land from {studies} studies, each predicted by the model refitted without its own study: {k} of {n} "
             "were within a factor of 1.5 (the aim is two thirds), {beyond} more than a factor of 4 off, and the "
             "median prediction was {median} of the measured stock. The table gives the rows behind the curves "
             "this plan uses, in this site's climate class ({climate}); every row is listed in "
             "benchmarks/SCIENCE.md of SinkPlan's source.").format(
        n=v["predicted"], studies=v["studies"], k=v["within_1_5"], beyond=v["beyond_4"],
        median=f"{v['median_ratio']:.2f}", climate=_name(CLIMATE_NAMES, climate))
    rows = []
    for t in types:
        c = cells.get((t, climate))
        label = (_("{name} (no works)").format(name=_name(VEGETATION_NAMES, t)) if t == "natural_regeneration"
                 else _name(VEGETATION_NAMES, t))
        if c is not None:
            rows.append((label, str(c["n"]), f"{c['median_ratio']:.2f}", f"{100 * c['within_1_5']:.0f} %",
                         f"{c['min_ratio']:.2f}–{c['max_ratio']:.2f}", ""))
        elif t in by_type:
            o = by_type[t]
            rows.append((label, "0", "–", "–", "–",
                         _("none in this class; field rows in other classes: {n}, median {median}").format(
                             n=o["n"], median=f"{o['median_ratio']:.2f}")))
        else:
            rows.append((label, "0", "–", "–", "–", _("no field rows: the curve rests on its prior and the "
                                                        "fitted climate response")))
    return (head + "<p>" + esc(text) + "</p>"
            + table([_("Vegetation"), _("Field rows"), _("Median predicted / measured"), _("Within a factor of 1.5"),
                     _("Range"), _("Note")], rows, num=(1, 2, 3)))
