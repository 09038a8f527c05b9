"""The portfolio file: sites that share one budget, read and checked like a settings file.

    [portfolio]
    name = "Shanxi legacy mines 2027"
    budget_cny = 5.0e8                 # shared budget [CNY]
    budget_on = "capex"                # optional: "capex" (default) or "cost" (NPV)
    objective = "removals"             # optional: removals (default), credits or avoided [t CO2e]
    allow_intolerable = false          # optional: keep options above the tolerable soil loss everywhere
    budget_per_year_cny = [3e8, 1e8]   # optional: the most spent in each calendar year [CNY, nominal]
    budget_first_year = 2027           # optional: the year of the list's first entry (default: the sites' start)
    min_farmland_ha = 300              # optional: the sites together reclaim at least this much cropland [ha]

    [[sites]]
    name = "pingshuo_east"
    path = "pingshuo_east/zones.gpkg"            # relative to this file
    settings = "pingshuo_east/settings.toml"     # optional; default: beside the zoning file
    weight = 1.0                                 # optional: the site's objective counts × weight
    allow_intolerable = false                    # optional, this site only
    catalog = "my_catalog/"                      # optional: the planner's catalog files
    layer = "zones"                              # optional: the zoning file's layer
    county = "Shuozhou"                          # optional: for [[min_share]] by county
    location = [112.43, 39.51]                   # optional [lon, lat] (default: the zones' centroid)
    budget_per_year_cny = [1e8, 2e7]             # optional: this site's own yearly limits, from its start_year

    [[stocks]]                                   # optional: a regional stock shared by sites
    name = "Pingshuo topsoil dump"
    material = "topsoil"                         # topsoil or gangue
    quantity_m3 = 2.0e5
    sites = ["pingshuo_east", "antaibao"]        # optional: who may draw (default: every site)
    at_site = "pingshuo_east"                    # or location = [lon, lat]: where the stock lies
    max_haul_km = 30                             # optional: sites farther away do not draw
    haul_km = { antaibao = 12.5 }                # optional: road distances [km] instead of great-circle
    haul_cny_per_m3_km = 1.5                     # optional: haul cost, added to the drawing sites' spend

    [[min_share]]                                # optional: a floor on one site's or county's share
    of = "removals"                              # removals, credits or spending
    share = 0.1                                  # fraction 0–1 of the portfolio's total
    county = "Shuozhou"                          # or site = "NAME"

Every problem of the file is gathered and reported at once (:class:`~optimizer.errors.PortfolioError`),
naming the file, the field (``portfolio.budget_cny``, ``sites[2].path``) and what is allowed.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import asdict, dataclass
from pathlib import Path

from ..errors import Issue, PortfolioError
from ..i18n import N_, _
from ..io.paths import input_file_problem, read_toml

#: objectives a shared budget is spent on (all in t CO2e, so a marginal value is t CO2e per ¥)
PORTFOLIO_OBJECTIVES = ("removals", "credits", "avoided")
PORTFOLIO_KEYS = ("name", "budget_cny", "budget_on", "objective", "allow_intolerable", "budget_per_year_cny",
                  "budget_first_year", "min_farmland_ha")
#: the calendar years a yearly budget may name (settings' start_year bounds, with a 200-year horizon)
YEAR_RANGE = (1900, 2400)
SITE_KEYS = ("name", "path", "settings", "weight", "allow_intolerable", "catalog", "layer", "county", "location",
             "budget_per_year_cny")
STOCK_KEYS = ("name", "material", "quantity_m3", "sites", "at_site", "location", "max_haul_km", "haul_km",
              "haul_cny_per_m3_km")
SHARE_KEYS = ("of", "share", "site", "county")
SECTIONS = ("portfolio", "sites", "stocks", "min_share")
STOCK_MATERIALS = ("topsoil", "gangue")
SHARE_OF = ("removals", "credits", "spending")
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
    county: str | None = None
    location: tuple[float, float] | None = None   # (lon, lat) [degrees, WGS 84]
    #: the most this site spends in each year from its start year [CNY, nominal]; () none
    budget_per_year_cny: tuple[float, ...] = ()


@dataclass(frozen=True)
class RegionalStock:
    """A stock of topsoil or gangue [m³] that several sites draw on (docs/portfolio.md, docs/science.md §6.10)."""

    name: str
    material: str
    quantity_m3: float
    sites: tuple[str, ...] | None = None           # None: every site of the portfolio
    at_site: str | None = None
    location: tuple[float, float] | None = None    # (lon, lat)
    max_haul_km: float | None = None
    haul_km: tuple[tuple[str, float], ...] = ()     # road distances given per site [km]
    haul_cny_per_m3_km: float | None = None


@dataclass(frozen=True)
class MinShare:
    """At least ``share`` of the portfolio's total removals, credits or spending goes to one site or
    to the sites of one county."""

    of: str
    share: float
    site: str | None = None
    county: str | None = None

    @property
    def who(self) -> str:
        return f"site {self.site}" if self.site is not None else f"county {self.county}"


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
    stocks: tuple[RegionalStock, ...] = ()
    min_shares: tuple[MinShare, ...] = ()
    #: the most spent in each calendar year from ``budget_first_year`` [CNY, nominal]: capex paid that
    #: year + that year's upkeep, maintenance and monitoring (docs/portfolio.md); () none
    budget_per_year_cny: tuple[float, ...] = ()
    budget_first_year: int | None = None          # None: the sites' common start year
    #: a farmland quota over all sites: hectares reclaimed to cropland, at least (None: no quota)
    min_farmland_ha: float | None = None

    def as_dict(self) -> dict:
        return {"name": self.name, "budget_cny": self.budget_cny, "budget_on": self.budget_on,
                "budget_per_year_cny": list(self.budget_per_year_cny), "budget_first_year": self.budget_first_year,
                "objective": self.objective, "allow_intolerable": self.allow_intolerable,
                "min_farmland_ha": self.min_farmland_ha,
                "file": str(self.file) if self.file else None,
                "sites": [{"name": s.name, "path": str(s.path), "settings": str(s.settings) if s.settings else None,
                           "weight": s.weight, "allow_intolerable": s.allow_intolerable,
                           "catalog": str(s.catalog) if s.catalog else None, "layer": s.layer,
                           "county": s.county, "location": list(s.location) if s.location else None,
                           "budget_per_year_cny": list(s.budget_per_year_cny)}
                          for s in self.sites],
                "stocks": [{**asdict(k), "haul_km": dict(k.haul_km)} for k in self.stocks],
                "min_share": [asdict(m) for m in self.min_shares]}


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
    county = _text(raw["county"], w("county"), problems) if "county" in raw else None
    location = _lonlat(raw["location"], w("location"), problems) if "location" in raw else None
    per_year = _limits(raw["budget_per_year_cny"], w, problems, N_("one per year from the site's start_year")) \
        if "budget_per_year_cny" in raw else ()
    if name is None or path is None or weight is None:
        return None
    return PortfolioSite(name=name, path=path, settings=settings, weight=weight, allow_intolerable=allow,
                         catalog=catalog, layer=layer, county=county, location=location,
                         budget_per_year_cny=per_year)


def _lonlat(value, where: dict, problems: list[Issue]) -> tuple[float, float] | None:
    ok = (isinstance(value, list) and len(value) == 2
          and all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in value))
    if not ok or not (-180 <= value[0] <= 180 and -90 <= value[1] <= 90):
        problems.append(Issue(message=f"{value!r} is not [longitude, latitude] in degrees (WGS 84): "
                                      "longitude −180…180, latitude −90…90", **where))
        return None
    return float(value[0]), float(value[1])


def _unknown_site(name, known: set[str]) -> str:
    return f"unknown site {name!r}; the portfolio's sites: {', '.join(sorted(known))}"


def _names(value, where: dict, problems: list[Issue], known: set[str]) -> tuple[str, ...] | None:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        problems.append(Issue(message=f"{value!r} is not a non-empty list of site names", **where))
        return None
    bad = [v for v in value if v not in known]
    if bad and known:
        problems.append(Issue(message=_unknown_site(", ".join(bad), known), **where))
        return None
    return tuple(value)


def _stock(i: int, raw, file: str, problems: list[Issue], known: set[str]) -> RegionalStock | None:
    here = f"stocks[{i}]"
    if not isinstance(raw, dict):
        problems.append(Issue(file=file, field=here, message="must be a [[stocks]] table"))
        return None
    for k in raw:
        if k not in STOCK_KEYS:
            problems.append(Issue(file=file, field=f"{here}.{k}", message=_unknown(k, STOCK_KEYS)))
    w = lambda k: {"file": file, "field": f"{here}.{k}"}  # noqa: E731
    n0 = len(problems)
    name = _text(raw.get("name", f"stock {i + 1}"), w("name"), problems)
    material = raw.get("material")
    if material not in STOCK_MATERIALS:
        problems.append(Issue(message=(f"{material!r} is not one of " if material is not None else "missing: one of ")
                                      + ", ".join(STOCK_MATERIALS), **w("material")))
    quantity = None
    if "quantity_m3" not in raw:
        problems.append(Issue(message="missing: the stock's quantity [m³]", **w("quantity_m3")))
    else:
        quantity = _number(raw["quantity_m3"], w("quantity_m3"), problems, low=0.0, low_open=False,
                           what="the stock's quantity [m³]")
    sites = _names(raw["sites"], w("sites"), problems, known) if "sites" in raw else None
    at_site = None
    if "at_site" in raw:
        at_site = _text(raw["at_site"], w("at_site"), problems)
        if at_site is not None and known and at_site not in known:
            problems.append(Issue(message=_unknown_site(at_site, known), **w("at_site")))
    location = _lonlat(raw["location"], w("location"), problems) if "location" in raw else None
    if at_site is not None and location is not None:
        problems.append(Issue(message="give at_site or location, not both", **w("location")))
    haul_max = _number(raw["max_haul_km"], w("max_haul_km"), problems, low=0.0, low_open=True,
                       what="the longest haul [km]") if "max_haul_km" in raw else None
    rate = _number(raw["haul_cny_per_m3_km"], w("haul_cny_per_m3_km"), problems, low=0.0, low_open=False,
                   what="haul cost [CNY per m³·km]") if "haul_cny_per_m3_km" in raw else None
    haul: list[tuple[str, float]] = []
    if "haul_km" in raw:
        table = raw["haul_km"]
        if not isinstance(table, dict):
            problems.append(Issue(message=f"{table!r} is not a table of site = km", **w("haul_km")))
        else:
            for k, v in table.items():
                if known and k not in known:
                    problems.append(Issue(message=_unknown_site(k, known), **w(f"haul_km.{k}")))
                    continue
                km = _number(v, w(f"haul_km.{k}"), problems, low=0.0, low_open=False, what="road distance [km]")
                if km is not None:
                    haul.append((k, km))
    if len(problems) > n0 or name is None or quantity is None or material is None:
        return None
    return RegionalStock(name=name, material=str(material), quantity_m3=quantity, sites=sites, at_site=at_site,
                         location=location, max_haul_km=haul_max, haul_km=tuple(haul), haul_cny_per_m3_km=rate)


def _share(i: int, raw, file: str, problems: list[Issue], known: set[str], counties: set[str]) -> MinShare | None:
    here = f"min_share[{i}]"
    if not isinstance(raw, dict):
        problems.append(Issue(file=file, field=here, message="must be a [[min_share]] table"))
        return None
    for k in raw:
        if k not in SHARE_KEYS:
            problems.append(Issue(file=file, field=f"{here}.{k}", message=_unknown(k, SHARE_KEYS)))
    w = lambda k: {"file": file, "field": f"{here}.{k}"}  # noqa: E731
    n0 = len(problems)
    of = raw.get("of")
    if of not in SHARE_OF:
        problems.append(Issue(message=(f"{of!r} is not one of " if of is not None else "missing: one of ")
                                      + ", ".join(SHARE_OF), **w("of")))
    share = None
    if "share" not in raw:
        problems.append(Issue(message="missing: the least share, a fraction 0–1", **w("share")))
    else:
        share = _number(raw["share"], w("share"), problems, low=0.0, low_open=True, what="a fraction of the total")
        if share is not None and share > 1:
            problems.append(Issue(message=f"{share:g} is above 1: a share is a fraction 0–1 (0.1 = 10 %)",
                                  **w("share")))
    site, county = raw.get("site"), raw.get("county")
    if (site is None) == (county is None):
        problems.append(Issue(file=file, field=here, message="give exactly one of site = NAME or county = NAME"))
    elif site is not None and (not isinstance(site, str) or (known and site not in known)):
        problems.append(Issue(message=_unknown_site(site, known), **w("site")))
    elif county is not None and (not isinstance(county, str) or (known and county not in counties)):
        problems.append(Issue(message=f"no site has county = {county!r}; counties of the sites: "
                                      f"{', '.join(sorted(counties)) or 'none (set county in [[sites]])'}",
                              **w("county")))
    if len(problems) > n0 or share is None or of is None:
        return None
    return MinShare(of=str(of), share=share, site=site, county=county)


def _limits(value, w, problems: list[Issue], which: str) -> tuple[float, ...]:
    """A ``budget_per_year_cny`` list: each entry a finite number ≥ 0 [CNY]; () when wrong."""
    if not isinstance(value, list) or not value:
        problems.append(Issue(message=_("{value} is not a non-empty list of yearly budgets [CNY], {which}").format(
            value=repr(value), which=_(which)), **w("budget_per_year_cny")))
        return ()
    n0 = len(problems)
    limits = [_number(v, w(f"budget_per_year_cny[{i}]"), problems, low=0.0, low_open=False,
                      what=N_("the most spent in that year [CNY]")) for i, v in enumerate(value)]
    return () if len(problems) > n0 else tuple(float(v) for v in limits if v is not None)


def _yearly(head: dict, w, problems: list[Issue]) -> tuple[tuple[float, ...], int | None]:
    """``budget_per_year_cny`` (each entry a finite number ≥ 0) and ``budget_first_year``."""
    limits: tuple[float, ...] = ()
    if "budget_per_year_cny" in head:
        limits = _limits(head["budget_per_year_cny"], w, problems, N_("one per calendar year from budget_first_year"))
    first = None
    if "budget_first_year" in head:
        v = head["budget_first_year"]
        lo, hi = YEAR_RANGE
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            problems.append(Issue(message=_("{value} is not a calendar year {low}–{high}").format(
                value=repr(v), low=lo, high=hi), **w("budget_first_year")))
        elif "budget_per_year_cny" not in head:
            problems.append(Issue(message=_("budget_first_year without budget_per_year_cny: give the yearly budgets "
                                            "too, or remove it"), **w("budget_first_year")))
        else:
            first = int(v)
    return limits, first


def resolve_portfolio(raw: dict, file: str = "<portfolio>", root: str | Path = ".") -> PortfolioSpec:
    """A :class:`PortfolioSpec` from the parsed TOML ``raw``; relative paths are read from ``root``.

    Raises :class:`PortfolioError` with every problem found.
    """
    root = Path(root)
    problems: list[Issue] = []
    for k in raw:
        if k not in SECTIONS:
            near = difflib.get_close_matches(k, SECTIONS, n=1)
            problems.append(Issue(file=file, field=k, message=_("unknown section")
                                  + (_("; did you mean {name}?").format(name=repr(near[0])) if near
                                     else _("; use [portfolio], [[sites]], [[stocks]] and [[min_share]]"))))
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
    per_year, first_year = _yearly(head, w, problems)
    farmland = None
    if "min_farmland_ha" in head:
        farmland = _number(head["min_farmland_ha"], w("min_farmland_ha"), problems, low=0.0, low_open=False,
                           what=N_("the farmland quota [ha]"))
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
    known = {s.name for s in sites}
    counties = {s.county for s in sites if s.county}
    stocks = _tables(raw, "stocks", file, problems, lambda i, t: _stock(i, t, file, problems, known))
    shares = _tables(raw, "min_share", file, problems, lambda i, t: _share(i, t, file, problems, known, counties))
    drawn: dict[tuple[str, str], int] = {}
    for i, k in enumerate(stocks):
        if k is None:
            continue
        for n in (k.sites if k.sites is not None else sorted(known)):
            if (k.material, n) in drawn:
                problems.append(Issue(file=file, field=f"stocks[{i}].sites",
                                      message=f"site {n!r} already draws {k.material} from "
                                              f"stocks[{drawn[(k.material, n)]}]: a site draws one material "
                                              "from one regional stock"))
            drawn[(k.material, n)] = i
    if problems:
        raise PortfolioError(problems)
    assert name is not None and budget is not None
    return PortfolioSpec(name=name, budget_cny=budget, sites=tuple(sites), budget_on=budget_on,
                         objective=objective, allow_intolerable=allow, file=None,
                         stocks=tuple(k for k in stocks if k is not None),
                         min_shares=tuple(m for m in shares if m is not None),
                         budget_per_year_cny=per_year, budget_first_year=first_year, min_farmland_ha=farmland)


def _tables(raw: dict, key: str, file: str, problems: list[Issue], read) -> list:
    """Each ``[[key]]`` table read by ``read(i, table)`` (None for a bad one)."""
    if key not in raw:
        return []
    tables = raw[key]
    if not isinstance(tables, list):
        problems.append(Issue(file=file, field=key, message=f"must be one or more [[{key}]] tables"))
        return []
    return [read(i, t) for i, t in enumerate(tables)]


def load_portfolio(path: str | Path) -> PortfolioSpec:
    """Read and check a portfolio TOML (UTF-8); paths inside are relative to its folder."""
    from dataclasses import replace

    path, raw = read_toml(path, N_("portfolio file"), example="portfolio.toml", error=PortfolioError)
    return replace(resolve_portfolio(raw, file=str(path), root=path.parent), file=path)
