"""The "Monitoring" section: the MRV view of a ``sinkplan monitor`` folder (docs/science.md §9) —
removals to date measured against the forecast, the forecast to the horizon before and after
recalibration, the growth multipliers, and the flagged zones on a map and in a table."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ...errors import SinkPlanError
from ...i18n import _
from ..html import esc, table


@dataclass(frozen=True)
class Monitoring:
    path: Path
    zones: pd.DataFrame
    site: pd.DataFrame
    summary: dict


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
    return Monitoring(path=p, zones=zones, site=pd.read_csv(p / "site.csv"),
                      summary=json.loads((p / "summary.json").read_text(encoding="utf-8")))


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


def monitoring_section(m: Monitoring, figs: dict) -> str:
    s = m.summary
    flagged = m.zones[m.zones["flagged"].astype(str).str.lower().isin(("true", "1"))]
    rows = [
        ("Observations used / read", f"{s['observations_used']:,} / {s['observations']:,}"),
        ("Zones observed; flagged", f"{s['zones_observed']:,}; {s['zones_flagged']:,} "
                                    f"({len(s['failing'])} failing, {len(s['thriving'])} thriving)"),
        (f"Removals to {s['to_date_year']}, estimated from monitoring [t CO2e]",
         f"{s['removals_to_date_tco2e_estimated']:,.0f}"),
        (f"Removals to {s['to_date_year']}, forecast of the plan [t CO2e]",
         f"{s['removals_to_date_tco2e_forecast']:,.0f}"),
        ("Removals at the horizon, recalibrated (90 % band) [t CO2e]",
         f"{s['removals_horizon_tco2e_recalibrated']:,.0f} ({s['removals_horizon_tco2e_p5']:,.0f}–"
         f"{s['removals_horizon_tco2e_p95']:,.0f})"),
        ("Removals at the horizon, forecast of the plan [t CO2e]", f"{s['removals_horizon_tco2e_forecast']:,.0f}"),
    ]
    noisy = {c: f for c, f in (s.get("campaign_error_inflation") or {}).items() if f > 1.0}
    out = ['<section id="monitoring"><h2>Monitoring</h2>',
           f'<p>From the monitoring folder <span class="mono">{esc(m.path)}</span> (<code>sinkplan monitor</code>): '
           "each worked zone's growth recalibrated from the observations, by a Bayesian update with partial pooling "
           "per vegetation type × climate (docs/science.md §9).</p>",
           table(["", "value"], rows, num=(1,))]
    if noisy:
        out.append("<p>Campaigns noisier than their declared method, their errors inflated: "
                   + ", ".join(f"{esc(c)} ×{f:.1f}" for c, f in sorted(noisy.items())) + ".</p>")
    out += [_fig(figs, "fig-monitoring-forecast"), _fig(figs, "fig-monitoring-multipliers"),
            _fig(figs, "fig-monitoring-flags")]
    if len(flagged):
        trows = [(r.zone_id, r.flag, f"{r.growth_multiplier_mean:.2f}",
                  f"{r.growth_multiplier_p5:.2f}–{r.growth_multiplier_p95:.2f}", int(r.n_observations))
                 for r in flagged.sort_values("growth_multiplier_mean").itertuples()]
        out.append("<h3>Flagged zones (replant, maintain, or accept)</h3>")
        out.append(table(["Zone", "Flag", "Growth multiplier", "90 % interval", "Observations"], trows, num=(2, 3, 4)))
    out.append("</section>")
    return "\n".join(out)
