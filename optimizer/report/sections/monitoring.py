"""The "Monitoring" section: the MRV view of a ``sinkplan monitor`` folder (docs/science.md §9) —
removals to date measured against the forecast, the forecast to the horizon before and after
recalibration, the growth multipliers, and the flagged zones on a map and in a table."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ...errors import SinkPlanError
from ...i18n import N_, _
from ..html import esc, table


@dataclass(frozen=True)
class Monitoring:
    path: Path
    zones: pd.DataFrame
    site: pd.DataFrame
    summary: dict
    mrv: pd.DataFrame | None = None     # mrv.csv: credits issuable to date by standard (older folders: none)


def load_monitoring(path) -> Monitoring:
    """A ``sinkplan monitor`` folder's zones.csv, site.csv and summary.json."""
    p = Path(path)
    missing = [f for f in ("zones.csv", "site.csv", "summary.json") if not (p / f).is_file()]
    if missing:
        raise SinkPlanError(_("{path}: not a monitoring folder (missing {files}); give the --out of `sinkplan "
                              "monitor`").format(path=p, files=", ".join(missing)))
    zones = pd.read_csv(p / "zones.csv", dtype={"zone_id": str, "flag": str})
    zones["flag"] = zones["flag"].fillna("")
    zones["worked"] = zones["worked"].astype(str).str.lower().isin(("true", "1"))
    mrv = pd.read_csv(p / "mrv.csv", dtype={"standard": str}) if (p / "mrv.csv").is_file() else None
    return Monitoring(path=p, zones=zones, site=pd.read_csv(p / "site.csv"),
                      summary=json.loads((p / "summary.json").read_text(encoding="utf-8")), mrv=mrv)


def monitoring_from_history(manifest: dict, run_path: Path) -> Path | None:
    """The monitoring folder a re-plan run continues (its manifest's last ``history`` entry), if found."""
    for step in reversed(manifest.get("history") or []):
        m = (step.get("monitoring") or {}).get("path")
        if m:
            for cand in (Path(m), Path(run_path).parent / m):
                if (cand / "zones.csv").is_file():
                    return cand
    return None


def _fig(figs: dict, key: str) -> str:
    if key not in figs:
        return ""
    svg, files = figs[key]
    links = " ".join(f'<a href="{esc(f)}">{esc(Path(f).suffix[1:].upper())}</a>' for f in files)
    return f'<figure>{svg}<figcaption>{links}</figcaption></figure>'


#: the flags of zones.csv as the report names them
FLAG_NAMES = {"failing": N_("failing"), "thriving": N_("thriving")}


def monitoring_section(m: Monitoring, figs: dict) -> str:
    s = m.summary
    flagged = m.zones[m.zones["flagged"].astype(str).str.lower().isin(("true", "1"))]
    year = s["to_date_year"]
    rows = [
        (_("Observations used / read"), f"{s['observations_used']:,} / {s['observations']:,}"),
        (_("Zones observed; flagged"), f"{s['zones_observed']:,}; {s['zones_flagged']:,} ("
         + _("{failing} failing, {thriving} thriving").format(failing=len(s["failing"]), thriving=len(s["thriving"]))
         + ")"),
        (_("Removals to {year}, estimated from monitoring [t CO2e]").format(year=year),
         f"{s['removals_to_date_tco2e_estimated']:,.0f}"),
        (_("Removals to {year}, forecast of the plan [t CO2e]").format(year=year),
         f"{s['removals_to_date_tco2e_forecast']:,.0f}"),
        (_("Removals at the horizon, recalibrated (90 % band) [t CO2e]"),
         f"{s['removals_horizon_tco2e_recalibrated']:,.0f} ({s['removals_horizon_tco2e_p5']:,.0f}–"
         f"{s['removals_horizon_tco2e_p95']:,.0f})"),
        (_("Removals at the horizon, forecast of the plan [t CO2e]"), f"{s['removals_horizon_tco2e_forecast']:,.0f}"),
    ]
    noisy = {c: f for c, f in (s.get("campaign_error_inflation") or {}).items() if f > 1.0}
    intro = esc(_("From the monitoring folder {folder} ({command}): each worked zone's growth recalibrated from the "
                  "observations, by a Bayesian update with partial pooling per vegetation type × climate "
                  "(docs/science.md §9)."))
    intro = intro.format(folder=f'<span class="mono">{esc(m.path)}</span>', command="<code>sinkplan monitor</code>")
    heading = esc(_("Monitoring"))
    out = [f'<section id="monitoring"><h2>{heading}</h2>', f"<p>{intro}</p>",
           table(["", _("value")], rows, num=(1,))]
    if m.mrv is not None and len(m.mrv):
        out.append(_mrv_table(m.mrv))
    if noisy:
        noisy_text = esc(_("Campaigns noisier than their declared method, their errors inflated:"))
        out.append(f"<p>{noisy_text} "
                   + ", ".join(f'<span class="mono">{esc(c)}</span> ×{f:.1f}' for c, f in sorted(noisy.items()))
                   + "</p>")
    out += [_fig(figs, "fig-monitoring-forecast"), _fig(figs, "fig-monitoring-multipliers"),
            _fig(figs, "fig-monitoring-flags")]
    if len(flagged):
        trows = [(r.zone_id, _(FLAG_NAMES.get(r.flag, r.flag)), f"{r.growth_multiplier_mean:.2f}",
                  f"{r.growth_multiplier_p5:.2f}–{r.growth_multiplier_p95:.2f}", int(r.n_observations))
                 for r in flagged.sort_values("growth_multiplier_mean").itertuples()]
        flagged_title = esc(_("Flagged zones (replant, maintain, or accept)"))
        out.append(f"<h3>{flagged_title}</h3>")
        out.append(table([_("Zone"), _("Flag"), _("Growth multiplier"), _("90 % interval"), _("Observations")], trows,
                         num=(2, 3, 4)))
    out.append("</section>")
    return "\n".join(out)


def _mrv_table(mrv: pd.DataFrame) -> str:
    """Credits issuable to date by each standard against the plan's forecast (mrv.csv)."""
    year = int(mrv["to_date_year"].iloc[0])
    cols = ("removals_to_date_tco2e", "baseline_to_date_tco2e", "leakage_to_date_tco2e", "deductions_to_date_tco2e",
            "credits_issuable_tco2e", "credits_forecast_tco2e")
    rows = [(r["standard"], f"{int(r['zones_eligible']):,}", *(f"{r[c]:,.0f}" for c in cols),
             f"{r['difference_tco2e']:+,.0f}") for _i, r in mrv.iterrows()]
    head = [_("Standard"), _("Eligible zones"), _("Removals of its pools"), _("Baseline"), _("Leakage"),
            _("Buffer and uncertainty"), _("Credits issuable"), _("Forecast of the plan"), _("Difference")]
    title = _("Credits issuable to {year} by standard [t CO2e]").format(year=year)
    note = _("Removals to date of the pools each standard credits, measured where zones were observed and "
             "estimated from the recalibrated growth elsewhere, net of the no-works baseline and leakage as the "
             "standard has them, less the non-permanence buffer and the uncertainty deduction of the monitoring "
             "level; a zone that is a net source to date earns none. The forecast is the same count on the plan's "
             "model (mrv.csv; docs/science.md §9).")
    return f"<h3>{esc(title)}</h3><p>{esc(note)}</p>" + table(head, rows, num=tuple(range(1, 9)))
