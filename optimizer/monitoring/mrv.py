"""Credits issuable to date by each standard, from monitored removals (docs/science.md §9, issue 14 item 4).

    table = credits_to_date(paths, mean_multiplier, to_year=2034)     # one row per standard

For each standard the run assesses (``standards.csv``), over the zones of the plan eligible under it
and the years from the works to ``to_year``:

1. **Removals to date** of the pools the standard credits (``credited_pools``), per zone and year:
   the model's terms (:meth:`OptionTable.annual <optimizer.options.OptionTable.annual>`) with the
   biomass term scaled by the zone's posterior mean growth multiplier — measured where the zone was
   observed, the partially pooled estimate of its vegetation type elsewhere (§9) —; SOC, biochar,
   wetland, erosion and project emissions as modelled (SOC is compared with the model, not
   recalibrated).
2. **Net of baseline and leakage** as the accounting applies them (docs/science.md §5.5,
   :func:`optimizer.models.credits.net_of_baseline_co2e`): the zone's no-works baseline of the same
   pools when the standard's ``baseline_rule`` is ``no_works``, the standard's leakage share for the
   zone's land designation (``leakage.csv``).
3. **Deductions**: credits = the credit factor (1 − buffer) × (1 − uncertainty deduction of the
   monitoring level) (:func:`optimizer.models.credits.credit_factor`) × the net to date of each
   zone whose net to date is positive; a zone that is a net source to date earns none (the rule
   :func:`~optimizer.models.credits.issued_credits` applies over the horizon). So
   ``credits_issuable`` = Σ positive zone nets − ``deductions``, and ``net_to_date`` = removals −
   baseline − leakage.

The forecast to the same year is the same computation at multiplier 1 (the plan's model). Unlike
the plan's ``credits_by_standard`` (one credit series per zone under the strictest rules of all the
standards it is eligible under), each standard here takes its own pools, baseline rule and leakage.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..models import credits
from ..options.accounting import baseline_terms
from ..options.scoring import zone_arrays

if TYPE_CHECKING:
    from .paths import RunPaths

#: mrv.csv's columns, in order
COLUMNS = ("standard", "name", "to_date_year", "zones_eligible", "area_ha", "removals_to_date_tco2e",
           "baseline_to_date_tco2e", "leakage_to_date_tco2e", "net_to_date_tco2e", "deductions_to_date_tco2e",
           "credits_issuable_tco2e", "credits_forecast_tco2e", "difference_tco2e",
           "buffer_fraction", "uncertainty_deduction")


def plan_rows(paths: RunPaths) -> np.ndarray:
    """The option-table row of each zone's option, zones in ``paths.zones``' order."""
    t = paths.table
    zid = t.zones["zone_id"].astype(str).to_numpy()[t.zone_of_row]
    key = pd.Series(np.arange(t.n_rows)).groupby([zid, t.option_id]).first()
    return key.loc[list(zip(paths.zones["zone_id"].astype(str), paths.zones["option_id"].astype(str)))].to_numpy()


def credits_to_date(paths: RunPaths, mean_multiplier: np.ndarray, to_year: int) -> pd.DataFrame:
    """One row per assessed standard (:data:`COLUMNS`; module docstring). ``mean_multiplier``:
    each zone's posterior mean growth multiplier, zones in ``paths.zones``' order."""
    table, s, cat = paths.table, paths.site.settings, paths.table.catalog
    years = int(np.clip(int(to_year) - paths.start_year, 0, paths.horizon_yr))
    rows = plan_rows(paths)
    z = table.zone_of_row[rows]
    series = table.annual(rows)
    project = {k: np.asarray(series[k], dtype=float)[:, :years] for k in credits.TERMS}
    base = table.baseline_terms
    if base is None or next(iter(base.values())).shape[1] != paths.horizon_yr:
        base = baseline_terms(zone_arrays(table.zones, cat), table.combo[table.baseline_rows()], table.combos, s, cat)
    base = {k: np.asarray(v, dtype=float)[z, :years] for k, v in base.items()}
    designation = table.zones["land_designation"].astype(str).to_numpy()[z]
    uncertainty = float(cat.monitoring.at[s.monitoring_level, "uncertainty_deduction"])
    factor = credits.credit_factor(s.buffer_fraction, uncertainty)
    mult = np.asarray(mean_multiplier, dtype=float)[:, None]
    area = table.data["area_ha"][rows]
    lk = cat.leakage
    out = []
    for std in s.standards:
        ok = np.asarray(table.eligible[std], dtype=bool)[rows]
        pools = cat.standards.at[std, "credited_pools"]            # as credited_pool_mask reads it
        mask = np.array([[p in pools for p in credits.POOLS]] * len(rows)) & ok[:, None]
        mine = lk[lk["standard"] == std] if len(lk) else lk
        shares = dict(zip(mine.get("land_designation", []), mine.get("leakage_fraction", [])))
        leak = np.array([shares[d] if d in shares else shares.get("*", 0.0) for d in designation], dtype=float)
        subtract = cat.standards.at[std, "baseline_rule"] == "no_works"
        baseline = credits.credited_net_co2e(mask, **base) if subtract else np.zeros((len(rows), years))

        gross, b, lkg, net, paid, issued = _issuable(project, mult, mask, baseline, leak, factor)
        forecast = _issuable(project, 1.0, mask, baseline, leak, factor)[5]
        out.append({
            "standard": std, "name": str(cat.standards.at[std, "name"]), "to_date_year": paths.start_year + years,
            "zones_eligible": int(ok.sum()), "area_ha": float(area[ok].sum()),
            "removals_to_date_tco2e": float(gross[ok].sum()), "baseline_to_date_tco2e": float(b.sum()),
            "leakage_to_date_tco2e": float(lkg.sum()), "net_to_date_tco2e": float(net.sum()),
            "deductions_to_date_tco2e": float((paid - issued).sum()),
            "credits_issuable_tco2e": float(issued.sum()), "credits_forecast_tco2e": float(forecast.sum()),
            "difference_tco2e": float(issued.sum() - forecast.sum()),
            "buffer_fraction": float(s.buffer_fraction), "uncertainty_deduction": uncertainty,
        })
    return pd.DataFrame(out, columns=list(COLUMNS))


def _issuable(project: dict, mult, mask, baseline, leak, factor):
    """Per zone to date: (removals of the credited pools, baseline, leakage, net, net of zones with a
    positive net, credits) with the biomass term × ``mult``."""
    gross = credits.credited_net_co2e(mask, **dict(project, biomass_tco2e=project["biomass_tco2e"] * mult))
    after_base = credits.net_of_baseline_co2e(gross, baseline)
    net = credits.net_of_baseline_co2e(gross, baseline, leak)
    zone_net = net.sum(axis=1)
    paid = np.where(zone_net > 0, zone_net, 0.0)          # a zone whose net to date is ≤ 0 earns none
    return (gross.sum(axis=1), (gross - after_base).sum(axis=1), (after_base - net).sum(axis=1),
            zone_net, paid, credits.credits_tco2e(paid, factor))
