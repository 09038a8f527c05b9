"""Shared constraints of a portfolio beyond its budget: regional stocks and minimum shares.

Each is one more coupling row of the joined multiple-choice knapsack (docs/portfolio.md, docs/science.md §6.10), so the
certified engine solves it as it solves the budget:

- a **regional stock** of topsoil or gangue pools ``quantity_m3`` with the own stocks (settings'
  ``topsoil_stock_m3`` / ``gangue_stock_m3``) of the sites that draw on it; their own rows for
  that material are replaced by the pooled row

      Σ_{s draws} demand_s · x_s  <=  quantity + Σ_{s draws} own_s

  An own stock left unlimited (``inf``, the topsoil default) counts as none: a site listed as
  drawing on a regional stock gets that material from the pool. Sites farther than
  ``max_haul_km`` from the stock do not draw (they keep their own row). With
  ``haul_cny_per_m3_km``, every m³ a drawing site's option needs costs rate × distance more; the
  cost joins the site's spend on the shared budget. It is charged on the site's whole demand,
  its own stock included: an upper bound on the haul (how much of the demand comes from the pool
  is not a decision of the knapsack).
- a **minimum share** says that one site or one county gets at least ``share`` of the
  portfolio's total removals, credits or spending:

      Σ_{s in group} q_s · x_s  >=  share · Σ_s q_s · x_s
      ⇔  Σ_s (share − [s in group]) · q_s · x_s  <=  0

  stored in ``<=`` form with sense ``">="`` for readers.

Distances: the ``haul_km`` table of the stock when it names the site, else the great-circle
distance (haversine, mean Earth radius 6,371.0088 km, IUGG) between the stock's ``location`` (or
its ``at_site``'s) and the site's ``location`` (or the centroid of its zones).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..errors import Issue, PortfolioError
from .spec import MinShare, RegionalStock

EARTH_RADIUS_KM = 6371.0088      # IUGG mean Earth radius (Moritz 2000, Geodetic Reference System 1980)
OWN_ROW = {"topsoil": "topsoil stock", "gangue": "gangue stock"}


@dataclass(frozen=True, eq=False)
class SiteData:
    """What the shared rows need of one site, per compiled row of its problem."""

    name: str
    columns: dict                                  # topsoil_m3, gangue_m3, removals_tco2e, credits_tco2e
    own_stock_m3: dict                             # material → m³ (inf: unlimited)
    county: str | None = None
    lonlat: tuple[float, float] | None = None


@dataclass(frozen=True, eq=False)
class SharedRow:
    """One shared row ``Σ_s coefficients[s] · x_s <= rhs`` (``None``: the site is not in it)."""

    name: str
    unit: str
    coefficients: tuple
    rhs: float
    sense: str = "<="
    kind: str = "stock"


@dataclass
class StockPlan:
    """Regional stocks as rows, the own rows they replace, the haul cost per site's row [CNY] and
    a description of who draws on what (for summary.json and the report)."""

    rows: list[SharedRow] = field(default_factory=list)
    drop: dict = field(default_factory=dict)       # site name → own row names replaced
    haul_cny: dict = field(default_factory=dict)   # site name → extra spend per compiled row [CNY]
    notes: list[dict] = field(default_factory=list)


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance [km] between two (lon, lat) points [degrees]."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, h)))


def stock_rows(stocks: tuple[RegionalStock, ...], sites: list[SiteData], file: str = "<portfolio>") -> StockPlan:
    """The regional stocks as pooled rows. Raises :class:`PortfolioError` when a distance is needed
    (``max_haul_km`` or a haul cost) and neither the stock nor the site has a place."""
    out = StockPlan()
    by_name = {s.name: k for k, s in enumerate(sites)}
    problems: list[Issue] = []
    for i, st in enumerate(stocks):
        where = st.location if st.location is not None else \
            (sites[by_name[st.at_site]].lonlat if st.at_site is not None else None)
        given = dict(st.haul_km)
        need_km = st.max_haul_km is not None or st.haul_cny_per_m3_km is not None
        names = list(st.sites) if st.sites is not None else [s.name for s in sites]
        drawing, far, km_of = [], [], {}
        for n in names:
            s = sites[by_name[n]]
            km = given.get(n)
            if km is None and n == st.at_site:
                km = 0.0
            if km is None and need_km:
                if where is None or s.lonlat is None:
                    problems.append(Issue(file=file, field=f"stocks[{i}]",
                                          message=f"the haul to site {n!r} needs a distance: give haul_km = "
                                                  f"{{ {n} = KM }}, or location = [lon, lat] (or at_site) for the "
                                                  "stock and a location for the site (a site without geometry "
                                                  "has no centroid)"))
                    continue
                km = haversine_km(where, s.lonlat)
            if km is not None:
                km_of[n] = km
            if st.max_haul_km is not None and km is not None and km > st.max_haul_km:
                far.append(n)
            else:
                drawing.append(n)
        if problems:
            continue
        own = {n: sites[by_name[n]].own_stock_m3.get(st.material, math.inf) for n in drawing}
        own_used = {n: (v if math.isfinite(v) else 0.0) for n, v in own.items()}
        coef: list[np.ndarray | None] = [None] * len(sites)
        col = f"{st.material}_m3"
        for n in drawing:
            k = by_name[n]
            need = np.asarray(sites[k].columns[col], dtype=float)
            coef[k] = need
            out.drop.setdefault(n, set()).add(OWN_ROW[st.material])
            if st.haul_cny_per_m3_km:
                extra = st.haul_cny_per_m3_km * km_of.get(n, 0.0) * need
                out.haul_cny[n] = out.haul_cny.get(n, 0.0) + extra
        pooled = st.quantity_m3 + sum(own_used.values())
        if drawing:
            out.rows.append(SharedRow(f"regional {st.material} stock '{st.name}'", "m³", tuple(coef), pooled))
        out.notes.append({"stock": st.name, "material": st.material, "quantity_m3": st.quantity_m3,
                          "pooled_m3": pooled, "drawing": drawing, "too_far": far,
                          "haul_km": {n: km_of[n] for n in drawing + far if n in km_of},
                          "own_stock_m3": own_used,
                          "own_unlimited_counted_as_zero": [n for n, v in own.items() if not math.isfinite(v)],
                          "haul_cny_per_m3_km": st.haul_cny_per_m3_km})
    if problems:
        raise PortfolioError(problems, header="the regional stocks cannot be placed:")
    return out


def share_rows(shares: tuple[MinShare, ...], sites: list[SiteData], spend_cny: list[np.ndarray]) -> list[SharedRow]:
    """The minimum shares as rows; ``spend_cny`` per site (haul included) for shares of spending."""
    rows = []
    for m in shares:
        coef = []
        for s, spend in zip(sites, spend_cny):
            q = np.asarray(spend if m.of == "spending" else s.columns[f"{m.of}_tco2e"], dtype=float)
            member = (s.name == m.site) if m.site is not None else (s.county == m.county)
            coef.append((m.share - float(member)) * q)
        unit = "CNY" if m.of == "spending" else "t CO2e"
        rows.append(SharedRow(f"least share of {m.of}: {m.who} ≥ {m.share:.0%}", unit, tuple(coef), 0.0, ">=",
                              kind="share"))
    return rows


def farmland_row(min_ha: float, sites: list[SiteData]) -> SharedRow:
    """The portfolio's farmland quota: Σ_s farmland_ha_s · x_s ≥ ``min_ha``, stored negated."""
    return SharedRow("min restored farmland area", "ha",
                     tuple(-np.asarray(s.columns["farmland_ha"], dtype=float) for s in sites), -float(min_ha), ">=",
                     kind="farmland")


def spending_years(limits: tuple[float, ...], first_year: int | None, calendars: list[tuple[str, int, int]],
                   file: str = "<portfolio>") -> tuple[int, ...]:
    """The calendar years of a yearly budget: ``len(limits)`` years from ``first_year`` (None: the
    sites' common start year). ``calendars``: (site, start_year, horizon_yr) per site; a site
    spends in calendar years start … start + horizon. Raises :class:`PortfolioError` naming the
    field when the first year is not given and the sites start in different years, or when a
    year of the list falls outside every site's years (a list too long, or starting too early)."""
    from ..i18n import _

    starts = sorted({c[1] for c in calendars})
    if first_year is None:
        if len(starts) > 1:
            which = "; ".join(f"{y}: {', '.join(c[0] for c in calendars if c[1] == y)}" for y in starts)
            raise PortfolioError([Issue(file=file, field="portfolio.budget_first_year", message=_(
                "missing: the sites start in different years ({which}); say which calendar year "
                "budget_per_year_cny begins with").format(which=which))])
        first_year = starts[0]
    lo = min(c[1] for c in calendars)
    hi = max(c[1] + c[2] for c in calendars)
    years = tuple(first_year + i for i in range(len(limits)))
    if years[0] < lo or years[-1] > hi:
        raise PortfolioError([Issue(file=file, field="portfolio.budget_per_year_cny", message=_(
            "wrong length: {n} yearly budgets from {first} cover {a}–{b}, but the sites spend only in {lo}–{hi} "
            "(start_year to start_year + horizon_yr of their settings)").format(
                n=len(limits), first=first_year, a=years[0], b=years[-1], lo=lo, hi=hi))])
    return years


def year_rows(limits: tuple[float, ...], years: tuple[int, ...], spend_by_year: list,
              prefix: str = "") -> list[SharedRow]:
    """One row per calendar year: Σ_s spending_s(year) · x_s ≤ limit. ``spend_by_year`` per site,
    (rows, len(years)) [CNY, nominal], None for a site not in the rows; a site that pays nothing
    that year is not in its row. ``prefix`` starts each row's name (a site's own: ``"<site>: "``)."""
    rows = []
    for j, (year, limit) in enumerate(zip(years, limits)):
        coef = tuple(a[:, j] if a is not None and np.any(a[:, j]) else None for a in spend_by_year)
        rows.append(SharedRow(f"{prefix}spending in {year}", "CNY", coef, float(limit), kind="year"))
    return rows


def site_years(name: str, index: int, limits: tuple[float, ...], start_year: int, horizon_yr: int,
               file: str = "<portfolio>") -> tuple[int, ...]:
    """The calendar years of a site's own yearly budget, from its start year; raises
    :class:`PortfolioError` naming ``sites[i].budget_per_year_cny`` when the list runs past the
    site's horizon."""
    from ..i18n import _

    if len(limits) > horizon_yr + 1:
        raise PortfolioError([Issue(file=file, field=f"sites[{index}].budget_per_year_cny", message=_(
            "wrong length: {n} yearly budgets from {first}, but site {name} spends only in {first}–{last} "
            "(start_year to start_year + horizon_yr of its settings)").format(
                n=len(limits), first=start_year, last=start_year + horizon_yr, name=repr(name)))])
    return tuple(start_year + i for i in range(len(limits)))
