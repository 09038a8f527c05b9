"""The monitoring folder's files, written atomically, with a manifest recording inputs and outputs."""

from __future__ import annotations

from pathlib import Path

from ..io.atomic import write_atomic
from ..io.manifest import manifest, record_outputs
from ..io.plans import write_json
from ..site import file_sha256


def _figure(result, path: Path) -> Path:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    site = result.site
    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4))
    a.plot(site["calendar_year"], site["cumulative_removals_tco2e_forecast"], label="forecast (plan)")
    a.plot(site["calendar_year"], site["cumulative_removals_tco2e_recalibrated"], label="recalibrated")
    a.fill_between(site["calendar_year"], site["cumulative_removals_tco2e_p5"], site["cumulative_removals_tco2e_p95"],
                   alpha=0.3, label="90 % band")
    a.set(xlabel="year", ylabel="cumulative net removals [t CO2e]", title="Site removals")
    a.legend()
    z = result.zones[result.zones["worked"]].sort_values("growth_multiplier_mean").reset_index(drop=True)
    colors = z["flag"].map({"failing": "tab:red", "thriving": "tab:green"}).fillna("tab:gray")
    b.vlines(z.index, z["growth_multiplier_p5"], z["growth_multiplier_p95"], colors=colors, alpha=0.6)
    b.scatter(z.index, z["growth_multiplier_mean"], c=colors, s=6)
    b.axhline(1.0, color="k", lw=0.5)
    b.set(yscale="log", xlabel="worked zones (sorted)", ylabel="growth multiplier (90 % interval)",
          title="Per-zone recalibration (red failing, green thriving)")
    fig.tight_layout()
    write_atomic(path, lambda p: fig.savefig(p, dpi=110, format="png"))
    plt.close(fig)
    return path


def write_monitoring(result, out: Path, *, observations, rasters) -> list[Path]:
    def csv(name, df):
        return write_atomic(out / name, lambda p: df.to_csv(p, index=False, float_format="%.10g"))

    files = [csv("zones.csv", result.zones), csv("observations_used.csv", result.observations),
             csv("trajectories.csv", result.trajectories), csv("site.csv", result.site),
             *([csv("mrv.csv", result.mrv)] if result.mrv is not None else []),
             write_json(out / "summary.json", result.summary), _figure(result, out / "monitoring.png")]
    doc = manifest(command="monitor", site=result.paths.site, table=result.paths.table)
    doc["inputs"]["run"] = {"path": str(result.paths.run_dir),
                            "manifest_sha256": file_sha256(result.paths.run_dir / "manifest.json")}
    doc["inputs"]["observations"] = {"path": str(observations), "sha256": file_sha256(observations)}
    doc["inputs"]["rasters"] = [{"path": str(r), "sha256": file_sha256(r)} for r in rasters]
    record_outputs(doc, files, out)
    files.append(write_json(out / "manifest.json", doc))
    return files
