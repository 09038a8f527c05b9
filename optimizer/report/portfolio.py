"""The portfolio report: one self-contained HTML page of a ``sinkplan portfolio`` run.

Sections: the sites' allocations (spend, removals, credits, marginal t CO2e per ¥), which sites
gain or lose first as the budget moves ±10 %, the budget front, each year's spending against its
limit (with ``budget_per_year_cny``), and the shared constraints that bind with their dual
prices. Reads the run's tables (:class:`~optimizer.portfolio.PortfolioResult` or the files of its
folder); nothing here re-solves.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from ..i18n import _, language
from ..io.atomic import write_text_atomic
from . import figures as F
from .figures.canvas import new_figure
from .html import Raw, cards, esc, figure, page, table
from .sections.common import STATUS_WORDS

GREEN = "#2f6b3a"
SAND = "#c8a45c"


def _m(v) -> str:
    """Money in millions of CNY."""
    return "–" if v is None or not math.isfinite(float(v)) else f"¥{float(v) / 1e6:,.2f} M"


def _t(v) -> str:
    return "–" if v is None or not math.isfinite(float(v)) else f"{float(v):,.0f}"


def _per_k(v) -> str:
    """t CO2e per ¥ shown per ¥1,000."""
    return "–" if v is None or not math.isfinite(float(v)) else f"{1e3 * float(v):.3f}"


def load_portfolio_run(folder: str | Path) -> dict:
    """The tables of a portfolio run folder: frame, shifts, front (or None), years (or None), summary."""
    folder = Path(folder)
    front, years = folder / "front.csv", folder / "spending_by_year.csv"
    return {"frame": pd.read_csv(folder / "portfolio.csv"), "shifts": pd.read_csv(folder / "budget_shifts.csv"),
            "front": pd.read_csv(front) if front.is_file() else None,
            "years": pd.read_csv(years) if years.is_file() else None,
            "summary": json.loads((folder / "summary.json").read_text(encoding="utf-8"))}


def allocation_figure(frame: pd.DataFrame):
    """Each site's spend on the shared budget and its removals, side by side."""
    fig = new_figure(7.0, 0.9 + 0.45 * max(2, len(frame)))
    ax1, ax2 = fig.subplots(1, 2, sharey=True)
    y = np.arange(len(frame))
    spend = frame["budget_spend_cny"] if "budget_spend_cny" in frame else frame["capex_cny"]
    ax1.barh(y, spend.to_numpy(float) / 1e6, color=SAND)
    ax1.set_yticks(y, [str(s) for s in frame["site"]])
    ax1.invert_yaxis()
    ax1.set_xlabel(_("spend on the shared budget [¥ M]"))
    ax2.barh(y, frame["removals_tco2e"].to_numpy(float) / 1e3, color=GREEN)
    ax2.set_xlabel(_("removals [kt CO2e]"))
    fig.suptitle(_("Allocation of the shared budget"))
    return fig


def budget_front_figure(front: pd.DataFrame, objective: str, budget_cny: float):
    """The objective against the budget, and each site's spend as the budget grows."""
    ok = front[front["status"] != "infeasible"] if "status" in front else front
    fig = new_figure(7.0, 4.2)
    ax1, ax2 = fig.subplots(1, 2)
    b = ok["budget_cny"].to_numpy(float) / 1e6
    ax1.plot(b, ok["value"].to_numpy(float) / 1e3, marker="o", color=GREEN)
    ax1.axvline(budget_cny / 1e6, color="0.5", ls="--", lw=0.8)
    ax1.set_xlabel(_("shared budget [¥ M]"))
    ax1.set_ylabel(_("{objective} [kt CO2e]").format(objective=_(objective)))
    ax1.set_title(_("Budget front"))
    ax1.ticklabel_format(axis="y", useOffset=False)
    for col in [c for c in ok.columns if c.endswith(":spend_cny")]:
        ax2.plot(b, ok[col].to_numpy(float) / 1e6, marker=".", label=col.rsplit(":", 1)[0])
    ax2.axvline(budget_cny / 1e6, color="0.5", ls="--", lw=0.8)
    ax2.set_xlabel(_("shared budget [¥ M]"))
    ax2.set_ylabel(_("spend per site [¥ M]"))
    ax2.set_title(_("Who gets the budget"))
    ax2.legend(fontsize=7)
    return fig


def spending_by_year_figure(years: pd.DataFrame):
    """Each limited year's spending, stacked by site, against its limit: in ¥ M, and as a share of
    the year's limit (so that small running-cost years are seen beside the works' year)."""
    fig = new_figure(7.0, 3.8)
    ax1, ax2 = fig.subplots(1, 2)
    x = np.arange(len(years))
    limit = years["limit_cny"].to_numpy(float)
    bottom1, bottom2 = np.zeros(len(years)), np.zeros(len(years))
    for col in [c for c in years.columns if c.endswith(":spent_cny")]:
        v = years[col].to_numpy(float)
        name = col.rsplit(":", 1)[0]
        ax1.bar(x, v / 1e6, bottom=bottom1, label=name)
        share = np.divide(100.0 * v, limit, out=np.zeros_like(v), where=limit > 0)
        ax2.bar(x, share, bottom=bottom2, label=name)
        bottom1 += v / 1e6
        bottom2 += share
    ax1.hlines(limit / 1e6, x - 0.45, x + 0.45, color="k", lw=1.5, label=_("limit"))
    ax2.axhline(100.0, color="k", lw=1.5)
    labels = [str(int(y)) for y in years["year"]]
    for ax in (ax1, ax2):
        ax.set_xticks(x, labels, rotation=90 if len(x) > 12 else 0)
        ax.set_xlabel(_("calendar year"))
    ax1.set_ylabel(_("spending [¥ M, nominal]"))
    ax2.set_ylabel(_("share of the year's limit [%]"))
    ax1.set_title(_("Spending per year against its limit"))
    ax1.legend(fontsize=7)
    return fig


def _years_html(years: pd.DataFrame | None) -> str:
    if years is None or not len(years):
        return ""
    rows = [(str(int(r.year)), _m(r.limit_cny), _m(r.spent_cny), _m(r.slack_cny),
             _("binds") if bool(r.binding) else _("slack"), _per_k(r.dual_tco2e_per_cny)) for r in years.itertuples()]
    read = _("Each year’s spending is the capex paid that year plus that year’s upkeep, maintenance and monitoring, "
             "in CNY of 2025, not discounted. A year binds when its money is spent or when one more ¥ that year would "
             "buy more; its dual price is what ¥1,000 more that year would buy [t CO2e], from the exact engine’s "
             "multipliers.")
    return (f"<p>{esc(read)}</p>"
            + table([_("year"), _("limit"), _("spent"), _("slack"), _("state"), _("dual price per ¥1,000")], rows,
                    num=(1, 2, 3, 5)))


def render_portfolio_html(run: dict, figs: dict) -> str:
    s, frame, shifts = run["summary"], run["frame"], run["shifts"]
    dual = s.get("budget_dual_tco2e_per_cny")
    gap = s.get("gap")
    head = cards([
        (_("status"), _(STATUS_WORDS.get(s["status"], s["status"])),
         _("gap {gap}").format(gap="–" if gap is None else f"{gap:.1e}")),
        (_("sites"), str(s["sites"]), _("{n} zones").format(n=f"{s['zones']:,}")),
        (_("budget"), _m(s["budget_cny"]), _("used {used} ({on})").format(used=_m(s["budget_used_cny"]),
                                                                             on=s["budget_on"])),
        (_("removals"), _t(s["totals"].get("removals_tco2e")), "t CO2e"),
        (_("budget dual price"), _per_k(dual), _("t CO2e per extra ¥1,000")),
    ])
    alloc_rows = [(r.site, f"{r.zones:,}", _m(getattr(r, "budget_spend_cny", r.capex_cny)), _m(r.capex_cny),
                   _m(r.cost_cny), _t(r.removals_tco2e), _t(r.credits_tco2e), _per_k(r.marginal_tco2e_per_cny),
                   _per_k(r.marginal_loss_tco2e_per_cny)) for r in frame.itertuples()]
    alloc = table([_("site"), _("zones"), _("spend on the budget"), _("capex"), _("cost (NPV)"),
                   _("removals t CO2e"), _("credits t CO2e"), _("gain per extra ¥1,000 [t CO2e]"),
                   _("loss per ¥1,000 less [t CO2e]")], alloc_rows, num=range(1, 9))
    moves = s.get("budget_moves") or {}
    shift = float(moves.get("shift", 0.1))
    move_rows = [(r.site, _m(r.spend_minus_cny), _m(r.spend_cny), _m(r.spend_plus_cny), _m(r.spend_gain_plus_cny),
                  _m(r.spend_loss_minus_cny)) for r in shifts.itertuples()]
    said = _("With {pct} more budget, the first to gain: {gain}. With {pct} less, the first to lose: {lose}.").format(
        pct=f"{shift:.0%}", gain=", ".join(moves.get("gain_first") or []) or _("none"),
        lose=", ".join(moves.get("lose_first") or []) or _("none"))
    moves_html = (
        f"<p>{esc(said)}</p>"
        + table([_("site"), _("spend at −{pct}").format(pct=f"{shift:.0%}"), _("spend now"),
                 _("spend at +{pct}").format(pct=f"{shift:.0%}"), _("gain"), _("loss")], move_rows, num=range(1, 6)))
    from ..problem.objectives import constraint_label

    shared = s.get("shared_constraints") or []
    con_rows = []
    for c in shared:
        d = c.get("dual")
        sign = -1.0 if c["sense"] == ">=" else 1.0       # ">=" rows are stored negated: read them back
        con_rows.append((constraint_label(c["name"]), c["unit"],
                         f"{sign * c['lhs']:,.4g}", f"{c['sense']} {sign * c['rhs']:,.4g}",
                         _("binds") if c["binding"] else _("slack"),
                         "–" if d is None else f"{d:.4g}"))
    read = _("A binding row limits the plan; its dual price is the objective one more unit of the row would buy "
             "(t CO2e per unit of the row), read from the exact engine’s multipliers. A row with slack has none.")
    cons_html = (f"<p>{esc(read)}</p>"
                 + table([_("constraint"), _("unit"), _("plan"), _("bound"), _("state"), _("dual price")], con_rows,
                         num=(2, 3, 5)))
    stocks = s.get("stocks") or []
    if stocks:
        st_rows = [(n["stock"], n["material"], _t(n["pooled_m3"]), ", ".join(n["drawing"]) or "–",
                    ", ".join(n["too_far"]) or "–") for n in stocks]
        cons_html += table([_("regional stock"), _("material"), _("pooled m³"), _("drawn by"), _("too far")],
                           st_rows, num=(2,))

    def fig(key, caption):
        if key not in figs:
            return ""
        svg, files = figs[key]
        return figure(svg, caption, key, files)

    slope = _("Each site’s marginal value is the slope of its own trade-off of removals against spend at the spend "
              "the optimum gives it: what one more ¥ buys there, and what one ¥ less loses.")
    years = run.get("years")
    years_html = _years_html(years)
    body = "\n".join([
        f'<section id="portfolio-summary"><h2>{esc(_("Portfolio"))}</h2>{head}</section>',
        f'<section id="portfolio-allocation"><h2>{esc(_("Allocation by site"))}</h2>'
        f"<p>{esc(slope)}</p>"
        + alloc + fig("fig-portfolio-allocation", esc(_("Spend and removals per site."))) + "</section>",
        f'<section id="portfolio-moves"><h2>{esc(_("As the budget moves"))}</h2>{moves_html}'
        + fig("fig-portfolio-front", esc(_("The optimum at each budget of the front, and each site’s spend.")))
        + "</section>",
        (f'<section id="portfolio-years"><h2>{esc(_("Spending per year"))}</h2>{years_html}'
         + fig("fig-portfolio-years", esc(_("Each year’s spending by site, and the year’s limit.")))
         + "</section>") if years_html else "",
        f'<section id="portfolio-constraints"><h2>{esc(_("Shared constraints"))}</h2>{cons_html}</section>',
    ])
    made = _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")
    header = Raw(f'<header><h1>{esc(_("SinkPlan portfolio: {name}").format(name=s["portfolio"]))}</h1></header>')
    nav = [("portfolio-summary", _("Portfolio")), ("portfolio-allocation", _("Allocation by site")),
           ("portfolio-moves", _("As the budget moves")),
           *([("portfolio-years", _("Spending per year"))] if years_html else []),
           ("portfolio-constraints", _("Shared constraints"))]
    footer = esc(_("Made by SinkPlan on {made}. The report reads the run's results; it does not re-run any model.")
                 .format(made=made))
    return page(_("SinkPlan portfolio: {name}").format(name=s["portfolio"]), header, nav, body,
                {"portfolio": s["portfolio"]}, footer, lang=language())


def build_portfolio_report(run: dict, out: str | Path, figures_dir: str | Path | None = None,
                           formats=("png",)) -> list[Path]:
    """Write the portfolio report ``out`` (atomically) and, when ``figures_dir`` is given, its
    figures for print. ``run``: :func:`load_portfolio_run`'s dict. Returns the files written."""
    todo = [("fig-portfolio-allocation", lambda: allocation_figure(run["frame"]))]
    front = run.get("front")
    if front is not None and len(front):
        todo.append(("fig-portfolio-front", lambda: budget_front_figure(front, run["summary"]["objective_name"],
                                                                         run["summary"]["budget_cny"])))
    years = run.get("years")
    if years is not None and len(years):
        todo.append(("fig-portfolio-years", lambda: spending_by_year_figure(years)))
    figs, written = {}, []
    for key, draw in todo:
        fig = draw()
        files = []
        if figures_dir is not None:
            paths = F.save_figure(fig, Path(figures_dir), key.removeprefix("fig-"), formats)
            written += paths
            files = [f"{Path(figures_dir).name}/{p.name}" for p in paths]
        figs[key] = (F.svg_text(fig, salt=key, title=key.removeprefix("fig-").replace("-", " ")), files)
    out = Path(out)
    write_text_atomic(out, render_portfolio_html(run, figs))
    return [*written, out]
