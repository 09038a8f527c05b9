"""The science scorecard as Markdown (``benchmarks/SCIENCE.md``), from :func:`benchmarks.science.score`.

Everything is generated except the block between ``<!-- notes -->`` and ``<!-- /notes -->``, which
is kept from the existing file: the written reading of the numbers.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from . import science as S

NOTES = re.compile(r"<!-- notes -->.*?<!-- /notes -->", re.S)
DEFAULT_NOTES = "<!-- notes -->\n(Reading of the numbers: written by hand, kept when the file is regenerated.)\n" \
                "<!-- /notes -->"


def _num(v, digits: int = 3) -> str:
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return ""
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    return f"{float(v):.{digits}g}"


def _table(df: pd.DataFrame) -> list[str]:
    lines = ["| " + " | ".join(map(str, df.columns)) + " |", "|" + "---|" * len(df.columns)]
    for _, r in df.iterrows():
        lines.append("| " + " | ".join(str(x).replace("|", "/") for x in r) + " |")
    return lines


def _met(value: float, target: str) -> str:
    op, num = target.split()
    ok = value >= float(num) if op == ">=" else value <= float(num)
    return "yes" if ok else "**NO**"


def _age(v) -> str:
    return "" if v is None or not np.isfinite(v) else f"{v:g}"


def _depths(row_depth, model_depth) -> str:
    return f"{row_depth if isinstance(row_depth, str) else '–'} / {_num(model_depth, 3) or '–'}"


def row_table(scored: pd.DataFrame, statuses) -> pd.DataFrame:
    s = scored[scored["status"].isin(statuses)]
    return pd.DataFrame({
        "row": s["row"], "study": s["study_id"], "country": s["country"], "type": s["vegetation_type"],
        "climate (field → model)": [f"{a} → {b}" if b else a for a, b in zip(s["climate_class"], s["climate"])],
        "MAP mm": [_num(v, 4) for v in s["map_mm"]],
        "MAT °C": [_num(v, 3) for v in s["mat_c"]],
        "age yr": [_age(v) for v in s["age"]],
        "pool (compared as)": [p if p == q else f"{p} ({q})" for p, q in zip(s["pool"], s["quantity"])],
        "depth cm (row / model)": [_depths(d, m) if q.startswith("soc") else ""
                                   for d, m, q in zip(s["depth_cm"], s["model_soc_depth_cm"], s["quantity"])],
        "observed Mg C/ha": [_num(v) for v in s["observed"]],
        "predicted Mg C/ha": [_num(v) for v in s["predicted"]],
        "ratio": [_num(v) for v in s["ratio"]],
        "conf": s["confidence"],
    })


def _beyond(scored: pd.DataFrame) -> list[str]:
    """One line per predicted row beyond ×4 with its reason from ``BEYOND_REASONS``, or a flag; and
    the listed reasons whose rows are now within ×4."""
    p = scored[scored["status"] == "predicted"]
    f = S._factor(p["ratio"])
    lines = []
    for _, r in p[f > S.BEYOND].iterrows():
        why = S.BEYOND_REASONS.get((r["study_id"], int(r["row"])))
        lines.append(f"- Row {int(r['row'])} ({r['study_id']}, ratio {_num(r['ratio'])}): "
                     + (why + "." if why else "**no written reason**."))
    back = [k for k in S.BEYOND_REASONS
            if not ((p["study_id"] == k[0]) & (p["row"] == k[1]) & (f > S.BEYOND)).any()]
    lines += [f"- Row {r} ({st}): a reason is written, but the row is no longer beyond ×{S.BEYOND:g}."
              for st, r in back]
    return lines or ["None."]


def markdown(scored: pd.DataFrame, quick: bool = False, previous: str | None = None) -> str:
    """The whole scorecard; ``previous`` (the old file's text) supplies the kept notes block."""
    h = S.headline(scored)
    t = h["targets"]
    notes = DEFAULT_NOTES
    if previous is None and Path(S.HERE / "SCIENCE.md").exists():
        previous = (S.HERE / "SCIENCE.md").read_text(encoding="utf-8")
    if previous and (m := NOTES.search(previous)):
        notes = m.group(0)
    st = scored["status"].value_counts()
    out = [
        "# Science scorecard: the carbon model against published field stocks",
        "",
        f"Written by `{S.COMMAND}`{' --quick' if quick else ''} (issue 10, item 9). The field rows are "
        "`benchmarks/data/field_carbon.csv` (columns, conversions and climate classes: "
        "`benchmarks/data/README.md`); the model is the one in the repository at the time of the run, with "
        "the bundled catalog and default settings except those set per row below.",
        "",
        "## Headline",
        "",
        "| measure | value | target (issue 10) | met |",
        "|---|---|---|---|",
        f"| rows predicted out of sample within a factor of {S.WITHIN:g} | {_num(h['share_within_1_5'])} "
        f"({h['within_1_5']} of {h['predicted']}) | {t['share_within_1_5']} | "
        f"{_met(h['share_within_1_5'], t['share_within_1_5'])} |",
        f"| rows beyond a factor of {S.BEYOND:g} without a written reason | {h['beyond_4_unexplained']}"
        + (f" (rows {', '.join(map(str, h['beyond_4_unexplained_rows']))})" if h["beyond_4_unexplained_rows"] else "")
        + f" | {t['beyond_4_unexplained']} | {_met(h['beyond_4_unexplained'], t['beyond_4_unexplained'])} |",
        f"| rows beyond a factor of {S.BEYOND:g}, all (reasons: below) | {h['beyond_4']} | | |",
        f"| worst vegetation type × climate cell, \\|median ratio − 1\\| | {_num(h['worst_cell_bias'])} "
        f"({h['worst_cell']}) | {t['worst_cell_bias']} | {_met(h['worst_cell_bias'], t['worst_cell_bias'])} |",
        f"| median ratio predicted / observed, all predicted rows | {_num(h['median_ratio'])} | | |",
        f"| usable rows the model cannot represent | {h['not_representable']} of {h['usable_rows']} | | |",
        "",
        f"Field rows {h['field_rows']}: unusable {int(st.get('unusable', 0))}, usable {h['usable_rows']} "
        f"(not representable {h['not_representable']}, a study's own starting state used as a site input "
        f"{h['site_input']}, in sample {h['in_sample']}, predicted "
        f"{'with the shipped fit' if quick else 'out of sample'} {h['predicted']}).",
        "",
        "## Notes",
        "",
        notes,
        "",
        "## Method",
        "",
        "For every usable row a one-zone site is built: 1 ha of flat platform (2°) on mining land, the "
        "row's vegetation type as the catalog's option for it, the row's rainfall (`map_mm`) and temperature "
        "(`mat_c`) as `annual_rainfall_mm` and `mean_temperature_c` (so the climate class and the growth "
        "response are the model's own, docs/science.md §2.2), the row's SOC depth as the accounting depth "
        f"`soc_depth_cm` (unstated: {S.UNSTATED_DEPTH_CM:g} cm; an A horizon on young spoil: {S.A_HORIZON_CM:g} cm), "
        f"and the soil over the spoil from the substrate: {S.TOPSOIL_CM:g} cm where it is topsoil-covered or "
        f"constructed soil, {S.NATIVE_SOIL_CM:g} cm where the native soil was left in place (sandy land over an "
        "underground mine), none on raw spoil or dumps. Grassland and grass–legume rows take "
        "`+grass_maintenance` (field pastures and hay meadows are managed; without it the model degrades "
        "grass after year 10, §2.10). The soil and spoil concentrations at the start are the fit's (below), "
        "or the study's own measurement of the soil at the start where it gives one (a site input, like its "
        "rainfall; that row is not a prediction). The site is run through "
        "`optimizer.options.simulate.simulate` (what `sinkplan simulate` writes) and the model's stock is "
        "read at the row's age:",
        "",
        "| row's pool | model quantity |",
        "|---|---|",
        "| `biomass_total`, or a value that includes roots | `biomass_c_t_per_ha` (the growth curves are total "
        "living biomass) |",
        "| `agb` | `biomass_c_t_per_ha` / (1 + root:shoot of the type in `vegetation_growth.csv`) |",
        "| `soc` | `soc_c_t_per_ha` on the row's own depth: SOC_0 plus the SOC formed since the works, less "
        "what erosion took |",
        "| `ecosystem` | `ecosystem_c_t_per_ha` = biomass + SOC + biochar (no litter or forest floor) |",
        "| carbon accumulated since planting | the same minus its value at year 0 (`*_gain`) |",
        "",
        f"Ratio = predicted / observed; *within a factor of {S.WITHIN:g}* means {1 / S.WITHIN:.3g} ≤ ratio ≤ "
        f"{S.WITHIN:g}; *beyond {S.BEYOND:g}* means ratio < {1 / S.BEYOND:g} or > {S.BEYOND:g}. A cell is a "
        "vegetation type × the row's field climate class; its bias is its median ratio − 1.",
        "",
        "**Out of sample: leave one study out.** The shipped growth table is fitted to every usable row "
        "(`python -m benchmarks.fit_growth`, docs/science.md §2.1). For the headline each row is predicted by "
        "the model **refitted without the row's study** (`model_without(study)`: the whole fit, priors and "
        "soil defaults included, redone on the other studies' points), then run through the same one-zone "
        "simulation. `--quick` (CI) predicts with the shipped fit instead; those rows are then in sample.",
        "",
        "## Usability rule",
        "",
        "A row is usable when it is a stock of carbon at a stated age that the model has a pool for; the "
        "first failing test gives the reason:",
        "",
        "1. a converted value in Mg C/ha exists (not a percentage, ratio, per-tree value, or concentration "
        "without bulk density);",
        "2. a stock: the unit is not a rate (`/yr`) nor a change over a period (`gain`);",
        "3. a measurement, not a bound (`>30,000`, `>102`);",
        "4. the age is one number of years (not a range, `n.r.`, or an age implied by the rates);",
        "5. a pool the model has (biomass, SOC, ecosystem), and the whole pool (not stems or trunks);",
        "6. no coal carbon: not a row whose notes say the carbon may be geogenic (coal, lignite, minestone, "
        "total soil C, coal C not removed), nor another row of the same study on the same substrate;",
        "7. one site, not a pooled review or meta-analysis.",
        "",
        "Rows whose value is on another basis than their `pool` label says, read from their notes:",
        "",
        *[f"- {k[0]} `{k[1]}` → compared as `{v[0]}`: {v[1]}." for k, v in S.BASIS.items()],
        "",
        "Unusable rows by reason:",
        "",
    ]
    un = scored[scored["status"] == "unusable"]
    for reason, g in un.groupby("reason", sort=False):
        ages = reason.startswith("age")
        rows = ", ".join(f"{s} ({r}" + (f": {a!s}" if ages else "") + ")"
                         for s, r, a in zip(g["study_id"], g["row"], g["age_yr"]))
        out.append(f"- {reason} — {len(g)}: {rows}")
    out += [
        "",
        "## Predicted rows",
        "",
        *_table(row_table(scored, ["predicted"])),
        "",
        "In sample (quick mode: the shipped fit saw these studies; not in the headline):",
        "",
        *_table(row_table(scored, ["in sample"])),
        "",
        "A study's own starting state, used as a site input (not predicted):",
        "",
        *_table(row_table(scored, ["site input"]).drop(columns=["predicted Mg C/ha", "ratio"])),
        "",
        f"## Rows beyond a factor of {S.BEYOND:g} and their written reasons",
        "",
        *_beyond(scored),
        "",
        "## Usable rows the model cannot represent",
        "",
        *_table(row_table(scored, ["not representable"]).drop(columns=["predicted Mg C/ha", "ratio"])
                .assign(why=scored.loc[scored["status"] == "not representable", "model_reason"].to_numpy())),
        "",
        "## By vegetation type × climate class (predicted rows)",
        "",
    ]
    c = S.cells(scored)
    out += _table(pd.DataFrame({
        "type": c["vegetation_type"], "climate": c["climate_class"], "n": c["n"],
        "median ratio": [_num(v) for v in c["median_ratio"]], "bias": [f"{v:+.0%}" for v in c["bias"]],
        f"within ×{S.WITHIN:g}": [f"{v:.0%}" for v in c["within_1_5"]], f"beyond ×{S.BEYOND:g}": c["beyond_4"],
        "ratio range": [f"{_num(a)}–{_num(b)}" for a, b in zip(c["min_ratio"], c["max_ratio"])],
    }))
    q = S.cells(scored, by=("quantity",))
    out += ["", "## By quantity compared (predicted rows)", ""]
    out += _table(pd.DataFrame({
        "quantity": q["quantity"], "n": q["n"], "median ratio": [_num(v) for v in q["median_ratio"]],
        f"within ×{S.WITHIN:g}": [f"{v:.0%}" for v in q["within_1_5"]], f"beyond ×{S.BEYOND:g}": q["beyond_4"],
        "ratio range": [f"{_num(a)}–{_num(b)}" for a, b in zip(q["min_ratio"], q["max_ratio"])],
    }))
    out.append("")
    return "\n".join(out)
