"""``sinkplan portfolio``: several sites under one shared budget, one certified plan."""

from __future__ import annotations

import math
from pathlib import Path

import click
from rich.table import Table

from ..i18n import LANGUAGES, N_, _, set_language
from .common import GAP, MONEY, SECONDS, emit_json, out, progress, status_word, voice_options
from .help import Command, use_language


def register(app: click.Group) -> None:
    app.add_command(portfolio)


@click.command(cls=Command)
@click.argument("portfolio_path", metavar="PORTFOLIO", type=click.Path(path_type=Path))
@click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True, help=N_("Output folder."))
@click.option("--budget", type=MONEY, default=None, help=N_("Shared budget [CNY] (default: the file's budget_cny)."))
@click.option("--allow-intolerable", is_flag=True,
              help=N_("Keep options above the tolerable soil loss at every site (else per site in the file)."))
@click.option("--points", type=click.IntRange(2), default=None,
              help=N_("Also trace a budget front of this many budgets (front.csv)."))
@click.option("--gap", type=GAP, default=1e-4, show_default=True, help=N_("Certified relative gap to reach."))
@click.option("--exact", is_flag=True, help=N_("Prove the optimum (gap ≤ 1e-6)."))
@click.option("--time-limit", type=SECONDS, default=60.0, show_default=True, help=N_("Wall-clock limit per solve [s]."))
@click.option("--workers", type=click.IntRange(1), default=None,
              help=N_("Processes scoring the sites (default: usable CPUs)."))
@click.option("--lang", type=click.Choice(LANGUAGES), default=None, is_eager=True, callback=use_language,
              help=N_("Language of report.html (default: sinkplan --lang, else en)."))
@click.option("--no-report", is_flag=True, help=N_("Do not write report.html."))
@voice_options
def portfolio(portfolio_path: Path, out_dir, budget, allow_intolerable, points, gap, exact, time_limit, workers,
              lang, no_report, quiet, as_json):
    """Spread one budget over several sites: one certified plan of every zone of every site.

    PORTFOLIO is a TOML file: [portfolio] name, budget_cny (budget_on = "cost" for NPV), optional
    budget_per_year_cny (the most spent in each calendar year: capex + running costs), one
    [[sites]] table per site (name, path, optional settings, weight, allow_intolerable, county,
    location) and optional [[stocks]] (regional topsoil or gangue) and [[min_share]] tables
    (docs/portfolio.md). Writes sites/<name>/ (the plan files of `optimize`), portfolio.csv (one
    row per site, with its marginal t CO2e per ¥), budget_shifts.csv (±10 % budget),
    spending_by_year.csv (with yearly budgets), summary.json, report.html and manifest.json.
    """
    from ..portfolio import optimize_portfolio

    if lang is not None:
        set_language(lang)
    show = not (quiet or as_json)
    with progress(enabled=show) as steps:
        result = optimize_portfolio(portfolio_path, out_dir=out_dir, gap=gap, exact=exact, time_limit_s=time_limit,
                                    allow_intolerable=allow_intolerable, budget_cny=budget, points=points,
                                    workers=workers, progress=steps.step(_("scoring sites")), report=not no_report)
    s = result.summary
    if as_json:
        emit_json({**s, "sites": result.frame.to_dict(orient="records"), "files": [str(f) for f in result.files]})
        return
    if quiet:
        return
    dual = s["budget_dual_tco2e_per_cny"]
    t = Table(_("site"), _("zones"), _("removals t CO2e"), _("credits t CO2e"), _("capex ¥ M"), _("cost ¥ M"),
              _("t CO2e per extra ¥ 1k"),
              title=_("portfolio {name}: {status}, gap {gap}; budget ¥{budget} M ({budget_on}), used ¥{used} M").format(
                  name=repr(s["portfolio"]), status=status_word(s["status"]), gap=f"{s['gap']:.1e}",
                  budget=f"{s['budget_cny'] / 1e6:,.2f}", budget_on=s["budget_on"],
                  used=f"{s['budget_used_cny'] / 1e6:,.2f}"))
    for r in result.frame.itertuples():
        t.add_row(r.site, str(r.zones), f"{r.removals_tco2e:,.0f}", f"{r.credits_tco2e:,.0f}",
                  f"{r.capex_cny / 1e6:,.2f}", f"{r.cost_cny / 1e6:,.2f}", f"{1e3 * r.marginal_tco2e_per_cny:.3f}")
    out.print(t)
    if dual is not None:
        out.print(_("budget dual price: {value} t CO2e per extra ¥1k").format(value=f"{1e3 * dual:.3f}"),
                  highlight=False)
    from ..problem.objectives import constraint_label

    for c in s.get("shared_constraints", [])[1:]:
        if c["binding"]:
            dual = "" if c["dual"] is None else _(", dual price {value} per {unit}").format(
                value=f"{c['dual']:.4g}", unit=c["unit"])
            out.print(_("binding: {name}{dual}").format(name=constraint_label(c["name"]), dual=dual), highlight=False)
    for y in s.get("spending_by_year", []):
        said = _("spending in {year}: ¥{spent} M of ¥{limit} M").format(
            year=y["year"], spent=f"{y['spent_cny'] / 1e6:,.2f}", limit=f"{y['limit_cny'] / 1e6:,.2f}")
        dual = y["dual_tco2e_per_cny"]
        if y["binding"] and dual is not None and math.isfinite(dual):
            said += _(", binds (dual price {value} t CO2e per extra ¥1k)").format(value=f"{1e3 * dual:.3f}")
        elif y["binding"]:
            said += _(", binds")
        out.print(said, highlight=False)
    m = s["budget_moves"]
    out.print(_("budget +{shift}: gain first {gain}; budget −{shift}: lose first {lose}").format(
        shift=f"{m['shift']:.0%}", gain=", ".join(m["gain_first"]) or _("none"),
        lose=", ".join(m["lose_first"]) or _("none")), highlight=False)
    out.print(_("wrote ") + ", ".join(str(f) for f in result.files if f.parent == Path(out_dir))
              + _(" and sites/*/ ({n} plan folders)").format(n=len(result.site_plans)), highlight=False)
