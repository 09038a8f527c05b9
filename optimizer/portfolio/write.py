"""A portfolio's run folder: per-site plan folders as ``optimize`` writes them, the portfolio
tables, ``summary.json`` and a manifest vouching for every file (inputs' SHA-256, settings,
package versions)."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path


def write_portfolio(result, out: Path, *, report: bool = True) -> list[Path]:
    """Write ``result`` (a :class:`~optimizer.portfolio.run.PortfolioResult`) into ``out``, with
    ``report.html`` (in the language set by :func:`optimizer.i18n.set_language`) unless ``report``
    is False; returns the files written (the manifest last)."""
    from ..io.manifest import manifest, record_outputs
    from ..io.plans import write_json, write_plan
    from ..io.tables import write_table
    from ..site import file_sha256

    out = Path(out)
    files: list[Path] = []
    site_inputs = {}
    for b in result.sites:
        plan = result.site_plans[b.spec.name]
        folder = out / "sites" / b.spec.name
        summary = plan.summary()
        doc = manifest(command="portfolio", site=b.site, table=b.table, problem=asdict(b.problem),
                       solver={k: summary[k] for k in ("status", "solver", "gap", "bound", "runtime_s", "message")})
        written = write_plan(plan, b.site, folder, manifest=doc, summary=summary)
        written.append(write_json(folder / "manifest.json", doc))
        files += written
        site_inputs[b.spec.name] = {"inputs": doc["inputs"], "settings": doc["settings"], "weight": b.spec.weight}
    files.append(write_table(result.frame, out / "portfolio.csv"))
    files.append(write_table(result.shifts, out / "budget_shifts.csv"))
    if result.front is not None:
        files.append(write_table(result.front, out / "front.csv"))
    if result.years is not None:
        files.append(write_table(result.years, out / "spending_by_year.csv"))
    files.append(write_json(out / "summary.json", result.summary))
    if report:
        from ..report.portfolio import build_portfolio_report
        files += build_portfolio_report({"frame": result.frame, "shifts": result.shifts, "front": result.front,
                                         "years": result.years, "summary": result.summary}, out / "report.html")
    spec = result.spec
    extra = {"portfolio_file": {"path": str(spec.file), "sha256": file_sha256(spec.file)}} if spec.file else {}
    doc = manifest(command="portfolio", problem=spec.as_dict(),
                   solver={k: result.summary[k] for k in ("status", "gap", "bound", "solver", "solve_runtime_s",
                                                            "budget_dual_tco2e_per_cny", "budget_dual_source")},
                   extra_inputs=extra)
    doc["sites"] = site_inputs
    record_outputs(doc, files, out)
    files.append(write_json(out / "manifest.json", doc))
    return files
