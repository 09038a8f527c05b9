"""§12 Annex: the plan zone by zone, as a regulator checks it — measures, area, net removals, soil
loss and its SL 190-2007 grade, cost and eligibility."""

from __future__ import annotations

import pandas as pd

from ...i18n import _
from .. import style
from ..context import ReportContext
from ..figures.maps import soil_grades
from ..html import esc, table

ANNEX_GROUPS = ("waste", "landform", "soil", "vegetation", "water", "energy")


def annex_rows(ctx: ReportContext) -> list[tuple]:
    z = ctx.zones
    tol = ctx.tolerable or 10.0
    grades = soil_grades(z["soil_loss_t_per_yr"].fillna(0), z["area_ha"].fillna(1), tol)
    names = ctx.measure_names
    rows = []
    for (_i, r), grade in zip(z.iterrows(), grades):
        works = "; ".join(f"{_(g)}: {_(names.get(str(r[g]), str(r[g])))}" for g in ANNEX_GROUPS
                          if g in z.columns and str(r.get(g, "") or "") not in ("", "nan"))
        area = float(r["area_ha"])
        loss = float(r["soil_loss_t_per_yr"])
        elig = str(r.get("eligible_standards", "") or "").replace(";", ", ")
        rows.append((str(r["zone_id"]), style.label(str(r["zone_type"]), style.ZONE_TYPE_LABELS).split(" (")[0],
                     works or _("no works (natural regeneration)"), style.fmt_number(area),
                     style.fmt_number(float(r["removals_tco2e"])),
                     style.fmt_number(loss / area if area > 0 else float("nan")),
                     style.label(str(grade), style.GRADE_LABELS),
                     style.fmt_number(float(r["cost_cny"]) / 1e3), elig or _("none")))
    return rows


def annex(ctx: ReportContext) -> str:
    headers = [_("Zone"), _("Type"), _("Measures"), _("Area [ha]"), _("Net removals [t CO2e]"),
               _("Soil loss [t/(ha·yr)]"), _("Erosion grade (SL 190-2007)"), _("Cost, NPV [k CNY]"),
               _("Eligible under")]
    rows = annex_rows(ctx)
    total = pd.DataFrame(rows).shape[0]
    return ('<section id="annex"><h2>' + _("12. Annex: zone by zone") + '</h2>'
            + "<p>" + esc(_("Every zone of {plan} ({n} zones): the measures of each group, the area, net removals "
                            "over the horizon, mean soil loss per hectare and its grade after SL 190-2007, the cost "
                            "(NPV) and the standards under which the zone is eligible.").format(
                plan=style.lower_first(_(ctx.headline_name)), n=total)) + "</p>"
            + table(headers, rows, num=(3, 4, 5, 7), cls="annex") + "</section>")
