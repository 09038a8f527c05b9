"""The portfolio file: sites that share one budget, read and checked like a settings file.

    [portfolio]
    name = "Shanxi legacy mines 2027"
    budget_cny = 5.0e8                 # shared budget [CNY]
    budget_on = "capex"                # optional: "capex" (default) or "cost" (NPV)
    objective = "removals"             # optional: removals (default), credits or avoided [t CO2e]
    allow_intolerable = false          # optional: keep options above the tolerable soil loss everywhere

    [[sites]]
    name = "pingshuo_east"
    path = "pingshuo_east/zones.gpkg"            # relative to this file
    settings = "pingshuo_east/settings.toml"     # optional; default: beside the zoning file
    weight = 1.0                                 # optional: the site's objective counts × weight
    allow_intolerable = false                    # optional, this site only
    catalog = "my_catalog/"                      # optional: the planner's catalog files
    layer = "zones"                              # optional: the zoning file's layer

Every problem of the file is gathered and reported at once (:class:`~optimizer.errors.PortfolioError`),
naming the file, the field (``portfolio.budget_cny``, ``sites[2].path``) and what is allowed.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from pathlib import Path

from ..errors import Issue, PortfolioError
from ..i18n import N_, _
from ..io.paths import input_file_problem, read_toml

#: objectives a shared budget is spent on (all in t CO2e, so a marginal value is t CO2e per ¥)
PORTFOLIO_OBJECTIVES = ("removals", "credits", "avoided")
PORTFOLIO_KEYS = ("name", "budget_cny", "budget_on", "objective", "allow_intolerable")
SITE_KEYS = ("name", "path", "settings", "weight", "allow_intolerable", "catalog", "layer")
_BAD_NAME_CHARS = set('/\\:*?"<>|')


@dataclass(frozen=True)
class PortfolioSite:
    """One site of a portfolio; paths resolved against the portfolio file's folder."""

    name: str
    path: Path
    settings: Path | None = None
    weight: float = 1.0
    allow_intolerable: bool = False
    catalog: Path | None = None
    layer: str | None = None


@dataclass(frozen=True)
class PortfolioSpec:
    """A checked portfolio file."""

    name: str
    budget_cny: float
    sites: tuple[PortfolioSite, ...]
    budget_on: str = "capex"
    objective: str = "removals"
    allow_intolerable: bool = False
    file: Path | None = None

    def as_dict(self) -> dict:
        return {"name": self.name, "budget_cny": self.budget_cny, "budget_on": self.budget_on,
                "objective": self.objective, "allow_intolerable": self.allow_intolerable,
                "file": str(self.file) if self.file else None,
                "sites": [{"name": s.name, "path": str(s.path), "settings": str(s.settings) if s.settings else None,
                           "weight": s.weight, "allow_intolerable": s.allow_intolerable,
                           "catalog": str(s.catalog) if s.catalog else None, "layer": s.layer}
                          for s in self.sites]}


def _unknown(key: str, known: tuple[str, ...]) -> str:
    near = difflib.get_close_matches(key, known, n=1)
    return _("unknown key") + (_("; did you mean {name}?").format(name=repr(near[0])) if near
                               else _("; known: {known}").format(known=", ".join(known)))


def _number(value, where: dict, problems: list[Issue], *, low: float, low_open: bool, what: str):
    allowed = _("a finite number {rel} {low} ({what})").format(rel=">" if low_open else "≥", low=f"{low:g}",
                                                                what=_(what))
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        problems.append(Issue(message=_("{value} is not a number; allowed: {allowed}").format(
            value=repr(value), allowed=allowed), **where))
        return None
    v = float(value)
    if not math.isfinite(v):
        problems.append(Issue(message=_("{value} is not a finite number; allowed: {allowed}").format(
            value=value, allowed=allowed), **where))
        return None
    if v < low or (low_open and v == low):
        problems.append(Issue(message=_("{value} is outside the allowed range: {allowed}").format(
            value=f"{v:g}", allowed=allowed), **where))
        return None
    return v


def _text(value, where: dict, problems: list[Issue]) -> str | None:
    if not isinstance(value, str) or not value.strip():
        problems.append(Issue(message=_("{value} is not a non-empty text").format(value=repr(value)), **where))
        return None
    return value.strip()


def _flag(value, where: dict, problems: list[Issue]) -> bool:
    if not isinstance(value, bool):
        problems.append(Issue(message=_("{value} is not true or false").format(value=repr(value)), **where))
        return False
    return value


def _file(value, root: Path, where: dict, problems: list[Issue], what: str, *, folder_ok: bool = False) -> Path | None:
    text = _text(value, where, problems)
    if text is None:
        return None
    p = Path(text)
    p = p if p.is_absolute() else root / p
    if folder_ok and p.is_dir():
        return p
    problem = input_file_problem(p, what)
    if problem is not None:
        problems.append(Issue(message=_("{where}: {message}").format(where=p, message=problem.message), **where))
        return None
    return p


def _site(i: int, raw, root: Path, file: str, problems: list[Issue]) -> PortfolioSite | None:
    here = f"sites[{i}]"
    if not isinstance(raw, dict):
        problems.append(Issue(file=file, field=here, message=_("must be a [[sites]] table")))
        return None
    for k in raw:
        if k not in SITE_KEYS:
            problems.append(Issue(file=file, field=f"{here}.{k}", message=_unknown(k, SITE_KEYS)))
    w = lambda k: {"file": file, "field": f"{here}.{k}"}  # noqa: E731
    name = None
    if "name" not in raw:
        problems.append(Issue(message=_("missing: every site needs a name"), **w("name")))
    else:
        name = _text(raw["name"], w("name"), problems)
        if name is not None and (set(name) & _BAD_NAME_CHARS or name in (".", "..")):
            problems.append(Issue(message=_("{name} cannot be a folder name (it names DIR/sites/<name>/): avoid "
                                            "{chars}").format(name=repr(name), chars=" ".join(sorted(_BAD_NAME_CHARS))),
                                  **w("name")))
            name = None
    path = None
    if "path" not in raw:
        problems.append(Issue(message=_("missing: the site's zoning file, relative to the portfolio file"),
                              **w("path")))
    else:
        path = _file(raw["path"], root, w("path"), problems, N_("zoning file"))
    settings = _file(raw["settings"], root, w("settings"), problems, N_("settings file")) if "settings" in raw else None
    catalog = _file(raw["catalog"], root, w("catalog"), problems, N_("catalog"), folder_ok=True) \
        if "catalog" in raw else None
    weight = _number(raw.get("weight", 1.0), w("weight"), problems, low=0.0, low_open=True,
                     what=N_("the site's objective counts × weight"))
    allow = _flag(raw.get("allow_intolerable", False), w("allow_intolerable"), problems)
    layer = _text(raw["layer"], w("layer"), problems) if "layer" in raw else None
    if name is None or path is None or weight is None:
        return None
    return PortfolioSite(name=name, path=path, settings=settings, weight=weight, allow_intolerable=allow,
                         catalog=catalog, layer=layer)


def resolve_portfolio(raw: dict, file: str = "<portfolio>", root: str | Path = ".") -> PortfolioSpec:
    """A :class:`PortfolioSpec` from the parsed TOML ``raw``; relative paths are read from ``root``.

    Raises :class:`PortfolioError` with every problem found.
    """
    root = Path(root)
    problems: list[Issue] = []
    for k in raw:
        if k not in ("portfolio", "sites"):
            near = difflib.get_close_matches(k, ("portfolio", "sites"), n=1)
            problems.append(Issue(file=file, field=k, message=_("unknown section")
                                  + (_("; did you mean {name}?").format(name=repr(near[0])) if near
                                     else _("; use [portfolio] and [[sites]]"))))
    head = raw.get("portfolio")
    if not isinstance(head, dict):
        problems.append(Issue(file=file, field="[portfolio]", message=_("missing: a [portfolio] table with name and "
                                                                       "budget_cny")))
        head = {}
    for k in head:
        if k not in PORTFOLIO_KEYS:
            problems.append(Issue(file=file, field=f"portfolio.{k}", message=_unknown(k, PORTFOLIO_KEYS)))
    w = lambda k: {"file": file, "field": f"portfolio.{k}"}  # noqa: E731
    name = _text(head["name"], w("name"), problems) if "name" in head else None
    if raw.get("portfolio") is not None and "name" not in head:
        problems.append(Issue(message=_("missing: the portfolio's name"), **w("name")))
    budget = None
    if "budget_cny" not in head:
        if isinstance(raw.get("portfolio"), dict):
            problems.append(Issue(message=_("missing: the shared budget [CNY]"), **w("budget_cny")))
    else:
        budget = _number(head["budget_cny"], w("budget_cny"), problems, low=0.0, low_open=False,
                         what=N_("the shared budget [CNY]"))
    budget_on = head.get("budget_on", "capex")
    if budget_on not in ("capex", "cost"):
        problems.append(Issue(message=_("{value} is not one of {valid}").format(
            value=repr(budget_on), valid="capex, cost"),
                              **w("budget_on")))
    objective = head.get("objective", "removals")
    if objective not in PORTFOLIO_OBJECTIVES:
        problems.append(Issue(message=_("{value} is not one of {valid}").format(value=repr(objective),
                                                                           valid=", ".join(PORTFOLIO_OBJECTIVES)),
                              **w("objective")))
    allow = _flag(head.get("allow_intolerable", False), w("allow_intolerable"), problems)
    sites_raw = raw.get("sites")
    sites: list[PortfolioSite] = []
    if not isinstance(sites_raw, list) or not sites_raw:
        problems.append(Issue(file=file, field="[[sites]]", message=_("missing: at least one [[sites]] table "
                                                                       "with name and path")))
    else:
        for i, s in enumerate(sites_raw):
            site = _site(i, s, root, file, problems)
            if site is not None:
                sites.append(site)
        seen: dict[str, int] = {}
        for i, s in enumerate(sites_raw):
            n = s.get("name") if isinstance(s, dict) else None
            if isinstance(n, str) and n.strip() in seen:
                problems.append(Issue(file=file, field=f"sites[{i}].name",
                                      message=_("{name} is also the name of sites[{i}]").format(
                                          name=repr(n.strip()), i=seen[n.strip()])))
            elif isinstance(n, str):
                seen[n.strip()] = i
    if problems:
        raise PortfolioError(problems)
    assert name is not None and budget is not None
    return PortfolioSpec(name=name, budget_cny=budget, sites=tuple(sites), budget_on=budget_on,
                         objective=objective, allow_intolerable=allow, file=None)


def load_portfolio(path: str | Path) -> PortfolioSpec:
    """Read and check a portfolio TOML (UTF-8); paths inside are relative to its folder."""
    from dataclasses import replace

    path, raw = read_toml(path, N_("portfolio file"), example="portfolio.toml", error=PortfolioError)
    return replace(resolve_portfolio(raw, file=str(path), root=path.parent), file=path)
