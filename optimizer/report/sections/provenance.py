"""Where the numbers come from: placeholder values (§8), solver status and gaps (§9), the run
manifest (§10), and method, units and sources (§11)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ...i18n import N_, _
from .. import style
from ..context import ReportContext, placeholders_in_plan
from ..html import Raw, esc, table
from .common import STATUS_WORDS, _gap, _setting_value, _short, _v

#: The kinds of placeholder the manifest names (translated in the tables).
PLACEHOLDER_KINDS = (N_("setting"), N_("growth curve"), N_("measure"), N_("catalog parameter"))


def placeholders(ctx: ReportContext) -> str:
    z = ctx.zones
    used = placeholders_in_plan(z)
    details = ctx.manifest.get("placeholder_details")
    out = ['<section id="placeholders"><h2>' + _("8. Placeholder values") + '</h2>',
           "<p>" + _("A placeholder is a value with no published source: an engineering estimate that makes the model "
                     "run. Every result that depends on one is an estimate to be checked. Replace them with site data "
                     "or cited values in the settings file or a planner's catalog, and run again.") + "</p>"]
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
            rows.append((_(kind), name, _short(what), r.zones, f"{r.area_ha:,.1f}"))
        out.append("<h3>" + _("Placeholders the plan's chosen options depend on") + "</h3>")
        out.append(table([_("Kind"), _("Name"), _("What it is"), _("Zones using it"), _("Area [ha]")], rows, num=(3,
                                                                                                                  4)))
    if details:
        rows = [(_(d["kind"]), d["name"], "" if d.get("value") is None else _setting_value(d["value"]), d.get("unit",
                                                                                                              ""),
                 _short(d.get("description", "")), _short(d.get("source", ""), 240)) for d in details]
        out.append("<h3>" + _('Every placeholder the run could use') + "</h3>")
        out.append(table([_("Kind"), _("Name"), _("Value"), _("Unit"), _("What it is"), _("Basis")], rows))
    else:
        ph = ctx.manifest.get("placeholders") or {}
        rows = [(k, ", ".join(v)) for k, v in ph.items() if v]
        if rows:
            out.append("<h3>" + _('Every placeholder the run could use (from the manifest)') + "</h3>")
            out.append(table([_("Kind"), _("Names")], rows))
    out.append("</section>")
    return "".join(out)


def solver(ctx: ReportContext) -> str:
    out = ['<section id="solver"><h2>' + _("9. How the plans were found: solver status and gaps") + '</h2>',
           "<p>" + _("The optimiser chooses one option per zone. The gap is the certified distance, relative to the "
                     "plan's value, between the plan found and a proven bound on the best possible plan: a gap of 1e-4 "
                     "means no plan can be better by more than 0.01 %. A run stopped by its time limit is never called "
                     "optimal.") + "</p>"]
    sol = ctx.manifest.get("solver") or {}
    if ctx.kind == "plan":
        s = ctx.summary or sol
        rows: list[Sequence[Any]] = [
            (_("Objective"), s.get("objective", ((ctx.manifest.get("problem") or {}).get("objectives") or ["?"])[0])),
            (_("Status"), f"{s.get('status', '?')}: {_(STATUS_WORDS.get(s.get('status', ''), ''))}"),
            (_("Objective value"), style.fmt_number(s.get("objective_value"))),
            (_("Proven bound"), style.fmt_number(s.get("bound"))),
            (_("Relative gap"), _gap(s.get("gap"))),
            (_("Solver"), s.get("solver", "?")),
            (_("Run time"), f"{float(s.get('runtime_s', float('nan'))):.2f} s")]
        if s.get("message"):
            rows.append((_("Message"), s["message"]))
        out.append(table(["", ""], rows))
    else:
        f = ctx.front_points
        out.append("<p>" + _("Front method: {method}; {n} points in {seconds} s on {workers} worker process(es); "
                             "largest gap {gap}.").format(
            method=esc(sol.get('method', '?')), n=len(f), seconds=f"{float(sol.get('runtime_s', float('nan'))):.1f}",
            workers=esc(sol.get('workers', '?')), gap=_gap(sol.get('max_gap'))) + "</p>")
        cols = list(ctx.objectives)
        rows = []
        for i, r in f.iterrows():
            rows.append([int(r["point"])] + [_v(r[c], style.OBJECTIVE_LABELS.get(c, (c, ""))[1]) for c in cols]
                        + [r["status"], _gap(r["gap"]), ", ".join(ctx.roles_of(i))])
        out.append(table([_("Point")] + [_(style.OBJECTIVE_LABELS.get(c, (c, ""))[0]) for c in cols]
                         + [_("Status"), _("Gap"), _("Role")], rows, num=tuple(range(0, len(cols) + 1))))
    prob = ctx.manifest.get("problem") or {}
    if prob:
        rows = [(k, json.dumps(v, ensure_ascii=False)) for k, v in prob.items()]
        out.append("<h3>" + _('The problem as declared') + "</h3>" + table([_("Item"), _("Value")], rows))
    out.append("</section>")
    return "".join(out)


def reproducibility(ctx: ReportContext) -> str:
    m = ctx.manifest
    out = ['<section id="manifest"><h2>' + _("10. Reproducibility: the run manifest") + '</h2>']
    if not m:
        out.append('<p class="callout">' + _("No manifest was found.") + "</p></section>")
        return "".join(out)
    out.append("<p>" + _("Command:") + f" <span class=\"mono\">{esc(' '.join(m.get('argv') or [m.get('command', '')]))}"
               "</span><br>" + _("Created {created} with Python {python} on {platform}.").format(
                   created=esc(m.get('created_utc')), python=esc(m.get('python')),
                   platform=f'<span class="mono">{esc(m.get("platform"))}</span>')
               + "</p>")
    rows: list[tuple] = []
    for k, v in (m.get("inputs") or {}).items():
        if isinstance(v, dict) and "sha256" in v:
            rows.append((k, Raw(f'<span class="mono">{esc(v.get("path"))}</span>'),
                         Raw(f'<span class="mono">{esc(v["sha256"])}</span>')))
        elif k == "catalog":
            rows.append((_("measure catalog"),
                         _("version {version}").format(version=v.get('version'))
                         + (_("; planner files {files}").format(files=', '.join(v.get('planner_files')))
                            if v.get("planner_files") else _(" (bundled)")), ""))
        elif k == "catalog_files":
            for f, h in v.items():
                rows.append((_("planner catalog file"), Raw(f'<span class="mono">{esc(f)}</span>'),
                             Raw(f'<span class="mono">{esc(h)}</span>')))
    out.append("<h3>" + _('Inputs') + "</h3>" + table([_("Input"), _("File"), _("SHA-256")], rows))
    outs = m.get("outputs") or {}
    if outs:
        status = (_("All output files match the manifest.") if not ctx.integrity else
                  _("Some output files do NOT match the manifest:") + " " + "; ".join(ctx.integrity))
        cls = "note" if not ctx.integrity else "callout bad"
        out.append('<h3>' + _("Outputs") + f'</h3><p class="{cls}">{esc(status)}</p>')
        shown = list(outs.items())[:12]
        rows = [(Raw(f'<span class="mono">{esc(k)}</span>'), f"{v.get('bytes', 0):,}",
                 Raw(f'<span class="mono">{esc(v.get("sha256"))}</span>')) for k, v in shown]
        out.append(table([_("File"), _("Bytes"), _("SHA-256")], rows, num=(1,)))
        if len(outs) > len(shown):
            out.append('<p class="note">' + _("… and {n} more files, listed in the manifest below.").format(
                n=len(outs) - len(shown)) + "</p>")
    if m.get("seeds"):
        out.append("<h3>" + _('Seeds') + "</h3>" + table([_("Name"), _("Seed")], list(m["seeds"].items())))
    pk = m.get("packages") or {}
    out.append("<h3>" + _('Software') + "</h3>"
               + table([_("Package"), _("Version")], [(k, v or _("not installed")) for k, v in pk.items()]))
    out.append('<details><summary>' + _("The full manifest (JSON)") + '</summary><pre class="json">'
               + esc(json.dumps(m, indent=2, ensure_ascii=False)) + "</pre></details></section>")
    return "".join(out)


def method_notes(ctx: ReportContext) -> str:
    items = (
        _("<b>Net removals</b> [t CO2e]: the sum over the horizon of each year's net uptake by biomass "
          "(Chapman–Richards growth, root:shoot ratios from IPCC 2019 Refinement Vol 4 Table 4.4), soil organic "
          "carbon (first-order approach to equilibrium), biochar (IPCC 2019 Refinement Vol 4 Ch 2 App 4) and "
          "wetlands, less erosion losses and project emissions. Coal carbon in spoil is not counted."),
        _("<b>Avoided emissions</b> [t CO2e] from putting out burning gangue (Carras et al. 2009 range) and from "
          "solar power displacing grid electricity are kept apart: they are not removals."),
        _("<b>Credits</b> [t CO2e] = eligible net removals × (1 − buffer) × (1 − uncertainty deduction); "
          "<b>credit value</b> [CNY] is discounted with the settings' carbon price path."),
        _("<b>Cost</b> [CNY of 2025]: capital in year 0 plus discounted upkeep, maintenance and monitoring. "
          "NPV = net present value."),
        _("<b>Soil loss</b> [t/yr]: RUSLE with the McCool or Liu slope factor (a setting); grades after "
          "SL 190-2007; 1 t/ha·yr = 100 t/km²·a."),
        _("Every coefficient carries its source and a confidence tag in the measure catalog; the full "
          "model, with every default and its source, is described in SinkPlan's docs/science.md. Values marked "
          "placeholder (§8) have no published source."))
    return ('<section id="method"><h2>' + _("11. Method, units and sources") + '</h2><ul>'
            + "".join(f"<li>{item}</li>" for item in items) + "</ul></section>")
