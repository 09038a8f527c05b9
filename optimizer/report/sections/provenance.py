"""Where the numbers come from: placeholder values (§8), solver status and gaps (§9), the run
manifest (§10), and method, units and sources (§11)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ...i18n import _
from .. import style
from ..context import ReportContext, placeholders_in_plan
from ..html import Raw, esc, table
from .common import STATUS_WORDS, _gap, _setting_value, _short, _v


def placeholders(ctx: ReportContext) -> str:
    z = ctx.zones
    used = placeholders_in_plan(z)
    details = ctx.manifest.get("placeholder_details")
    out = ['<section id="placeholders"><h2>' + _("8. Placeholder values") + '</h2>',
           "<p>A placeholder is a value with no published source: an engineering estimate that makes the model run. "
           "Every result that depends on one is an estimate to be checked. Replace them with site data or cited "
           "values in the settings file or a planner's catalog, and run again.</p>"]
    known = {}
    for d in details or []:
        known[(d["kind"], d["name"])] = d
    if len(used):
        rows: list[tuple] = []
        for r in used.itertuples():
            kind, _sep, name = r.name.rpartition(":")
            kind = {"setting": "setting", "growth": "growth curve", "": "measure"}.get(kind, kind)
            d = known.get((kind, name)) or known.get(("catalog parameter", name)) or {}
            what = d.get("description", "")
            rows.append((kind, name, _short(what), r.zones, f"{r.area_ha:,.1f}"))
        out.append("<h3>Placeholders the plan's chosen options depend on</h3>")
        out.append(table(["Kind", "Name", "What it is", "Zones using it", "Area [ha]"], rows, num=(3, 4)))
    if details:
        rows = [(d["kind"], d["name"], "" if d.get("value") is None else _setting_value(d["value"]), d.get("unit", ""),
                 _short(d.get("description", "")), _short(d.get("source", ""), 240)) for d in details]
        out.append("<h3>" + _('Every placeholder the run could use') + "</h3>")
        out.append(table(["Kind", "Name", "Value", "Unit", "What it is", "Basis"], rows))
    else:
        ph = ctx.manifest.get("placeholders") or {}
        rows = [(k, ", ".join(v)) for k, v in ph.items() if v]
        if rows:
            out.append("<h3>" + _('Every placeholder the run could use (from the manifest)') + "</h3>")
            out.append(table(["Kind", "Names"], rows))
    out.append("</section>")
    return "".join(out)


def solver(ctx: ReportContext) -> str:
    out = ['<section id="solver"><h2>' + _("9. How the plans were found: solver status and gaps") + '</h2>',
           "<p>The optimiser chooses one option per zone. The gap is the certified distance, relative to the "
           "plan's value, between the plan found and a proven bound on the best possible plan: a gap of 1e-4 "
           "means no plan can be better by more than 0.01 %. A run stopped by its time limit is never called "
           "optimal.</p>"]
    sol = ctx.manifest.get("solver") or {}
    if ctx.kind == "plan":
        s = ctx.summary or sol
        rows: list[Sequence[Any]] = [
            ("Objective", s.get("objective", ((ctx.manifest.get("problem") or {}).get("objectives") or ["?"])[0])),
            ("Status", f"{s.get('status', '?')}: {STATUS_WORDS.get(s.get('status', ''), '')}"),
            ("Objective value", style.fmt_number(s.get("objective_value"))),
            ("Proven bound", style.fmt_number(s.get("bound"))),
            ("Relative gap", _gap(s.get("gap"))),
            ("Solver", s.get("solver", "?")),
            ("Run time", f"{float(s.get('runtime_s', float('nan'))):.2f} s")]
        if s.get("message"):
            rows.append(("Message", s["message"]))
        out.append(table(["", ""], rows))
    else:
        f = ctx.front_points
        out.append(f"<p>Front method: {esc(sol.get('method', '?'))}; {len(f)} points in "
                   f"{float(sol.get('runtime_s', float('nan'))):.1f} s on {esc(sol.get('workers', '?'))} "
                   "worker process(es); "
                   f"largest gap {_gap(sol.get('max_gap'))}.</p>")
        cols = list(ctx.objectives)
        rows = []
        for i, r in f.iterrows():
            rows.append([int(r["point"])] + [_v(r[c], style.OBJECTIVE_LABELS.get(c, (c, ""))[1]) for c in cols]
                        + [r["status"], _gap(r["gap"]), ", ".join(ctx.roles_of(i))])
        out.append(table(["Point"] + [style.OBJECTIVE_LABELS.get(c, (c, ""))[0] for c in cols]
                         + ["Status", "Gap", "Role"], rows, num=tuple(range(0, len(cols) + 1))))
    prob = ctx.manifest.get("problem") or {}
    if prob:
        rows = [(k, json.dumps(v, ensure_ascii=False)) for k, v in prob.items()]
        out.append("<h3>" + _('The problem as declared') + "</h3>" + table(["Item", "Value"], rows))
    out.append("</section>")
    return "".join(out)


def reproducibility(ctx: ReportContext) -> str:
    m = ctx.manifest
    out = ['<section id="manifest"><h2>' + _("10. Reproducibility: the run manifest") + '</h2>']
    if not m:
        out.append("<p class=\"callout\">No manifest was found.</p></section>")
        return "".join(out)
    out.append(f"<p>Command: <span class=\"mono\">{esc(' '.join(m.get('argv') or [m.get('command', '')]))}</span><br>"
               f"Created {esc(m.get('created_utc'))} with Python {esc(m.get('python'))} "
               f"on {esc(m.get('platform'))}.</p>")
    rows: list[tuple] = []
    for k, v in (m.get("inputs") or {}).items():
        if isinstance(v, dict) and "sha256" in v:
            rows.append((k, Raw(f'<span class="mono">{esc(v.get("path"))}</span>'),
                         Raw(f'<span class="mono">{esc(v["sha256"])}</span>')))
        elif k == "catalog":
            rows.append(("measure catalog",
                         f"version {v.get('version')}" + (f"; planner files {', '.join(v.get('planner_files'))}"
                                                          if v.get("planner_files") else " (bundled)"), ""))
        elif k == "catalog_files":
            for f, h in v.items():
                rows.append(("planner catalog file", Raw(f'<span class="mono">{esc(f)}</span>'),
                             Raw(f'<span class="mono">{esc(h)}</span>')))
    out.append("<h3>" + _('Inputs') + "</h3>" + table(["Input", "File", "SHA-256"], rows))
    outs = m.get("outputs") or {}
    if outs:
        status = ("All output files match the manifest." if not ctx.integrity else
                  "Some output files do NOT match the manifest: " + "; ".join(ctx.integrity))
        cls = "note" if not ctx.integrity else "callout bad"
        out.append('<h3>' + _("Outputs") + f'</h3><p class="{cls}">{esc(status)}</p>')
        shown = list(outs.items())[:12]
        rows = [(Raw(f'<span class="mono">{esc(k)}</span>'), f"{v.get('bytes', 0):,}",
                 Raw(f'<span class="mono">{esc(v.get("sha256"))}</span>')) for k, v in shown]
        out.append(table(["File", "Bytes", "SHA-256"], rows, num=(1,)))
        if len(outs) > len(shown):
            out.append(f"<p class=\"note\">… and {len(outs) - len(shown)} more files, "
                       "listed in the manifest below.</p>")
    if m.get("seeds"):
        out.append("<h3>" + _('Seeds') + "</h3>" + table(["Name", "Seed"], list(m["seeds"].items())))
    pk = m.get("packages") or {}
    out.append("<h3>" + _('Software') + "</h3>"
               + table(["Package", "Version"], [(k, v or "not installed") for k, v in pk.items()]))
    out.append('<details><summary>The full manifest (JSON)</summary><pre class="json">'
               + esc(json.dumps(m, indent=2, ensure_ascii=False)) + "</pre></details></section>")
    return "".join(out)


def method_notes(ctx: ReportContext) -> str:
    return ('<section id="method"><h2>' + _("11. Method, units and sources") + '</h2><ul>'
            "<li><b>Net removals</b> [t CO2e]: the sum over the horizon of each year's net uptake by biomass "
            "(Chapman–Richards growth, root:shoot ratios from IPCC 2019 Refinement Vol 4 Table 4.4), soil organic "
            "carbon (first-order approach to equilibrium), biochar (IPCC 2019 Refinement Vol 4 Ch 2 App 4) and "
            "wetlands, less erosion losses and project emissions. Coal carbon in spoil is not counted.</li>"
            "<li><b>Avoided emissions</b> [t CO2e] from putting out burning gangue (Carras et al. 2009 range) and from "
            "solar power displacing grid electricity are kept apart: they are not removals.</li>"
            "<li><b>Credits</b> [t CO2e] = eligible net removals × (1 − buffer) × (1 − uncertainty deduction); "
            "<b>credit value</b> [CNY] is discounted with the settings' carbon price path.</li>"
            "<li><b>Cost</b> [CNY of 2025]: capital in year 0 plus discounted upkeep, maintenance and monitoring. "
            "NPV = net present value.</li>"
            "<li><b>Soil loss</b> [t/yr]: RUSLE with the McCool or Liu slope factor (a setting); grades after "
            "SL 190-2007; 1 t/ha·yr = 100 t/km²·a.</li>"
            "<li>Every coefficient carries its source and a confidence tag in the measure catalog; the full "
            "model, with every default and its source, is described in SinkPlan's docs/science.md. Values marked "
            "placeholder (§8) have no published source.</li>"
            "</ul></section>")
