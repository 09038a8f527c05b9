"""What a plan can be judged by and bound by: objectives, area shares, targets, and the
constraint texts of the command line (``removals>=40000``). Data only; nothing is computed here.

Inside the solvers every objective is minimised: :attr:`Objective.sense` (+1 minimise, −1
maximise) is the one place the sign is kept (docs/science.md §6.3).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from ..errors import ProblemDefinitionError
from ..i18n import N_, _


@dataclass(frozen=True)
class Objective:
    name: str
    column: str          # option-table column
    sense: int           # +1 minimise, -1 maximise
    unit: str
    label: str
    kind: str = "linear"  # "linear": a sum of option-table column values; else computed in evaluate

    @property
    def linear(self) -> bool:
        return self.kind == "linear"


OBJECTIVES: dict[str, Objective] = {o.name: o for o in (
    Objective("removals", "removals_tco2e", -1, "t CO2e", N_("net removals over the horizon")),
    Objective("credit_value", "credit_value_cny", -1, "CNY", N_("credit value (NPV)")),
    Objective("credits", "credits_tco2e", -1, "t CO2e", N_("credits over the horizon")),
    Objective("avoided", "avoided_tco2e", -1, "t CO2e", N_("avoided emissions (kept apart from removals)")),
    Objective("cost", "cost_cny", +1, "CNY", N_("cost (NPV)")),
    Objective("capex", "capex_cny", +1, "CNY", N_("capital cost")),
    Objective("soil_loss", "soil_loss_t_per_yr", +1, "t/yr", N_("site soil loss (mean over the horizon)")),
    # non-linear objectives: only the genetic and hybrid solvers take them (definitions in evaluate.py)
    Objective("diversity", "", -1, "nats", N_("Shannon index of the area shares of vegetation types"), "diversity"),
    Objective("fragmentation", "", +1, "m", N_("boundary between neighbouring zones of different vegetation"),
              "fragmentation"),
    Objective("sink_year", "", +1, "year", N_("first year from which cumulative net removals stay positive"),
              "sink_year"),
    Objective("soil_loss_worst5", "", +1, "t/yr", N_("site soil loss, mean of the five worst years"),
              "soil_loss_worst5"),
)}
NONLINEAR = tuple(n for n, o in OBJECTIVES.items() if not o.linear)
SERIES_OBJECTIVES = ("sink_year", "soil_loss_worst5")    # need annual series per option

SHARE_KINDS = ("vegetation_type", "measure", "group", "woody")


@dataclass(frozen=True)
class Share:
    """A minimum and/or maximum share of the site's area (fraction 0–1) under some options.

    ``kind``: ``vegetation_type`` (value e.g. ``grassland``), ``measure`` (a measure id, e.g.
    ``terrace``), ``group`` (a measure group used at all, e.g. ``landform``) or ``woody`` (trees
    and shrubs; value ignored).
    """

    kind: str
    value: str = ""
    low: float | None = None
    high: float | None = None
    #: the bounds are hectares, not fractions of the site (``area:…``, ``farmland``)
    hectares: bool = False

    @property
    def name(self) -> str:
        from ..options.land import CROPLAND_VEG_TYPE

        if self.hectares and (self.kind, self.value) == ("vegetation_type", CROPLAND_VEG_TYPE):
            return "restored farmland area"
        what = "woody vegetation" if self.kind == "woody" else f"{self.kind} {self.value}"
        return f"area of {what}" if self.hectares else f"area share of {what}"


@dataclass(frozen=True)
class Target:
    """A bound on a linear objective's site total, in its natural unit and sign: "remove at least
    40,000 t CO2e" is ``Target("removals", low=40_000)``; "cost at most ¥20 M" is
    ``Target("cost", high=2e7)``. Either bound, or both, may be given."""

    objective: str
    low: float | None = None
    high: float | None = None

    @property
    def name(self) -> str:
        o = OBJECTIVES.get(self.objective)
        return f"target on {o.label if o else self.objective}"


#: Names of a portfolio's shared rows that are not built from parts (for the catalogs of messages).
PORTFOLIO_ROW_NAMES = (N_("shared budget (capex)"), N_("shared budget (cost)"))
SHARE_OF = {"removals": N_("removals"), "credits": N_("credits"), "spending": N_("spending")}
MATERIALS = {"topsoil": N_("topsoil"), "gangue": N_("gangue")}


def constraint_label(name: str) -> str:
    """A constraint row's name as :func:`~optimizer.problem.declare.coupling_rows` writes it (English,
    the key in ``summary.json``) in the current language: the fixed names through the catalog, the
    built ones (``min area share of woody vegetation``, ``removals target (at least)``) part by part;
    measure and vegetation-type ids stay as they are. In English the name is the key itself."""
    import re

    from ..i18n import language

    if language() == "en":
        return name

    # a portfolio's shared rows (optimizer.portfolio.shared, .join)
    m = re.fullmatch(r"least share of (removals|credits|spending): (site|county) (.+) ≥ (\d+%)", name)
    if m:
        return _("least share of {what}: {who} ≥ {share}").format(
            what=_(SHARE_OF[m.group(1)]), share=m.group(4),
            who=(_("site {name}") if m.group(2) == "site" else _("county {name}")).format(name=m.group(3)))
    m = re.fullmatch(r"regional (topsoil|gangue) stock '(.+)'", name)
    if m:
        return _("regional {material} stock '{name}'").format(material=_(MATERIALS[m.group(1)]), name=m.group(2))
    m = re.fullmatch(r"(?:(.+): )?spending in (\d{4})", name)
    if m:
        year = _("spending in {year}").format(year=m.group(2))
        return _("{site}: {name}").format(site=m.group(1), name=year) if m.group(1) else year
    if name in PORTFOLIO_ROW_NAMES:
        return _(name)
    site, sep, inner = name.partition(": ")       # a site's own row in a joined portfolio: "SITE: NAME"
    if sep and inner and "least share of" not in site:
        return _("{site}: {name}").format(site=site, name=constraint_label(inner))

    m = re.fullmatch(r"(min|max) (restored farmland area|area share of (.+)|area of (.+))", name)
    if m:
        bound, what = m.group(1), m.group(2)
        if m.group(3) is not None or m.group(4) is not None:
            inner = m.group(3) if m.group(3) is not None else m.group(4)
            inner = _("woody vegetation") if inner == "woody vegetation" else inner
            what = (_("area share of {what}") if m.group(3) is not None else _("area of {what}")).format(what=inner)
        else:
            what = _("restored farmland area")
        return (_("min {what}") if bound == "min" else _("max {what}")).format(what=what)
    m = re.fullmatch(r"(\w+) target \((at least|at most)\)", name)
    if m and m.group(1) in OBJECTIVES:
        objective = _(OBJECTIVES[m.group(1)].label)
        return (_("{objective}: target (at least)") if m.group(2) == "at least"
                else _("{objective}: target (at most)")).format(objective=objective)
    return _(name)


#: What ``--constraint NAME<=VALUE`` may name besides the linear objectives and ``share:…``.
RESOURCE_CONSTRAINTS = {"topsoil": "topsoil_stock_m3", "gangue": "gangue_stock_m3", "budget": "budget_cny"}


def parse_constraints(items) -> dict:
    """Keyword arguments of :class:`Problem` from constraint texts, as the command line writes them.

    ``removals>=40000``, ``credits>=…``, ``credit_value>=…``, ``cost<=…``, ``capex<=…``,
    ``soil_loss<=800`` (any linear objective, either direction: a target), ``topsoil<=4e4``,
    ``gangue<=0``, ``budget<=5e7``, ``share:woody>=0.3``, ``share:vegetation_type=grassland<=0.5``,
    ``share:measure=terrace>=0.2``; the same in hectares: ``area:vegetation_type=grassland<=30``, and
    ``farmland>=120`` (hectares of cropland reclamation, the area a province counts toward its
    farmland quota: docs/science.md §5.6). Raises :class:`ProblemDefinitionError` naming the text.
    """
    import math
    import re

    linear = [n for n, o in OBJECTIVES.items() if o.linear]
    out: dict = {"shares": [], "targets": []}
    for item in items:
        m = re.fullmatch(r"\s*([\w:=.-]+?)\s*(<=|>=|≤|≥)\s*([-+0-9.eE_]+)\s*", str(item))
        val = None
        if m:
            try:
                val = float(m.group(3).replace("_", ""))
            except ValueError:
                val = None
        if m is None or val is None:
            raise ProblemDefinitionError(_("constraint {item}: write NAME<=VALUE or NAME>=VALUE, e.g. "
                                           "removals>=40000, soil_loss<=800 or share:woody>=0.3").format(
                                               item=repr(item)))
        if not math.isfinite(val):
            raise ProblemDefinitionError(_("constraint {item}: {value} is not a finite number").format(
                item=repr(item), value=m.group(3)))
        name, op = m.group(1), {"≤": "<=", "≥": ">="}.get(m.group(2), m.group(2))
        if name.startswith(("share:", "area:")) or name == "farmland":
            if name == "farmland":
                from ..options.land import CROPLAND_VEG_TYPE

                kind, value = "vegetation_type", CROPLAND_VEG_TYPE
            else:
                kind, _eq, value = name.partition(":")[2].partition("=")
            out["shares"].append(Share(kind=kind, value=value, low=val if op == ">=" else None,
                                       high=val if op == "<=" else None, hectares=not name.startswith("share:")))
        elif name in linear:
            out["targets"].append(Target(name, low=val if op == ">=" else None, high=val if op == "<=" else None))
        elif name in RESOURCE_CONSTRAINTS and op == "<=":
            if val < 0:
                raise ProblemDefinitionError(_("constraint {item}: a {name} limit cannot be negative").format(
                    item=repr(item), name=name))
            out[RESOURCE_CONSTRAINTS[name]] = val
        else:
            near = difflib.get_close_matches(name, [*linear, *RESOURCE_CONSTRAINTS, "farmland"], n=1)
            hint = _("; did you mean {name}?").format(name=repr(near[0])) if near and near[0] != name else ""
            raise ProblemDefinitionError(
                _("constraint {item}: unknown constraint {name} (or wrong direction){hint}; use a target on {linear} "
                  "(>= or <=), {resources}, farmland>=HECTARES, share:KIND[=VALUE]>=… / <=… (a fraction of the "
                  "site) or area:KIND[=VALUE]>=… / <=… (hectares)").format(
                    item=repr(item), name=repr(name), hint=hint, linear=", ".join(linear),
                    resources=", ".join(f"{k}<=…" for k in RESOURCE_CONSTRAINTS)))
    out["shares"] = tuple(out["shares"])
    out["targets"] = tuple(out["targets"])
    return out
