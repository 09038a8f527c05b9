"""Which placeholder values decide plans: every [P] value a plan can depend on, ranked by how many
zones' chosen options change when the value moves within reason (docs/science.md §7.1).

    ranking = rank_placeholders(["sites/loess_dump/zones.gpkg", ...], objective="removals")

:func:`list_placeholders` finds the [P] values: cells of enabled measures (``measures.csv``),
``interactions.csv`` and ``vegetation_growth.csv`` rows, ``parameters.csv`` rows, the monitoring
levels the sites use, and site settings whose value is a [P] default or preset. A measure row
carries one ``confidence`` for the row and says in its ``source`` text which figures are [P]: the
text is read clause by clause (clauses split at ``;``), a clause takes class P when it holds a
``[P]`` tag and otherwise its first tag, and a clause names the columns whose words it contains
(:data:`CELL_WORDS`: "capex", "upkeep", "growth", "SOC", "diesel", …). A value is [P] when any
clause naming it is [P], or, named by none, when its row is. Interaction rows are read the same
way; other tables by their row's class. An empty measure cell (the schema's default, e.g. a growth
multiplier of 1 on a fire measure) is listed only when a [P] clause names it.

Each value is moved to a low and a high value (:func:`perturbation_range`): × 0.5 and × 1.5, or
± 0.15 for the growth and SOC multipliers (the spread of the sourced multipliers: AMF 1.16, N-fixing
mixtures 1.12–1.24), clipped to the range the schema allows. :func:`rank_placeholders` re-scores
every site with the moved value, re-solves the site's problem (one objective, the settings'
budget and stocks) and counts the zones whose chosen option differs from the central plan. A
moved value that leaves a site's option table unchanged is not re-solved (no zone changes).
Perturbations run in worker processes (:func:`optimizer.parallel.run_pool`).
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from ..catalog import Catalog, load_catalog, schema
from ..errors import ClimateRangeWarning, InfeasibleError, SinkPlanError, SlopeRangeWarning
from ..i18n import _

#: Words of a measure's (or interaction's) source text that name a column; regular expressions.
CELL_WORDS: dict[str, tuple[str, ...]] = {
    "capex_cny_per_ha": (r"\bcapex\b", r"¥[\d,.]+\s*/\s*ha(?!\s*/\s*yr)", r"seeding and mulch", r"¥[\d.]+\s*/\s*W\b"),
    "upkeep_cny_per_ha_yr": (r"\bupkeep\b", r"\bO&M\b", r"¥[\d,.]+\s*/\s*ha\s*/\s*yr"),
    "upkeep_years": (r"\bupkeep\b", r"\bO&M\b", r"¥[\d,.]+\s*/\s*ha\s*/\s*yr"),
    "growth_multiplier": (r"\bgrowth\b",),
    "soc_multiplier": (r"\bSOC\b",),
    "diesel_l_per_ha": (r"\bdiesel\b",),
    "earthworks_m3_per_ha": (r"\bearthworks\b", r"\bcapping\b"),
    "cover_max_pct": (r"\bcover\b(?!-)",),
    "cover_rate_per_yr": (r"\bcover\b(?!-)",),
    "fire_avoided_fraction": (r"\bavoided\b",),
    "p_factor": (r"\bP\s*=",),
    "n_fertilizer_kg_per_ha": (r"\bkg N\b", r"\bN2O\b"),
    "limestone_t_per_ha": (r"\blim(e|ing)\b", r"\blimestone\b"),
    "biochar_f_c": (r"\bF_C\b",),
    "biochar_f_perm": (r"\bF_perm\b",),
    "wetland_burial_g_c_per_m2_yr": (r"\bburial\b",),
    "wetland_ch4_kg_per_ha_yr": (r"\bCH4\b",),
    "pv_mw_per_ha": (r"MW/ha",),
}
#: Multipliers near 1 move by ± this much (AMF 1.16, N-fixing mixtures 1.12–1.24: docs/science.md §2.4).
MULTIPLIER_STEP = 0.15
MULTIPLIER_COLUMNS = ("growth_multiplier", "soc_multiplier")
#: Other values move by these factors.
LOW_FACTOR, HIGH_FACTOR = 0.5, 1.5

_TAG = re.compile(r"\[([ABCP])\b[^\]]*\]")

COLUMNS = ("table", "row", "column", "value", "confidence", "low", "high", "zones_changed_low",
           "zones_changed_high", "zones_changed", "sites", "infeasible")


@dataclass(frozen=True)
class Placeholder:
    """One [P] value: where it lives, its value and the range it is moved over."""

    table: str          # measures, interactions, vegetation_growth, parameters, monitoring, settings
    row: str            # measure id, "a×b", veg type, parameter, monitoring level, or the site (settings)
    column: str
    value: float
    low: float
    high: float
    confidence: str = "P"


# ------------------------------------------------------------------------------------------------
# which values are placeholders
# ------------------------------------------------------------------------------------------------
def clause_classes(source: str) -> list[tuple[str, str]]:
    """(class, clause) of each ``;``-separated clause of a source text that carries a class tag."""
    out = []
    for clause in source.split(";"):
        tags = _TAG.findall(clause)
        if tags:
            out.append(("P" if "P" in tags else tags[0], clause))
    return out


def cell_class(source: str, column: str, row_class: str) -> tuple[str, bool]:
    """The confidence class of one value of a row as its source text states it (module docstring),
    and whether the text names the value (else the row's class is returned)."""
    words = CELL_WORDS.get(column, ())
    named = [cls for cls, clause in clause_classes(source) if any(re.search(w, clause) for w in words)]
    if not named:
        return row_class, False
    return ("P" if "P" in named else named[0]), True


def _defaults(table: str) -> dict[str, float]:
    sch = schema()
    sch = sch[(sch["table"] == table) & (sch["type"] == "float") & (sch["default"].str.strip() != "")]
    return {c: float(d) for c, d in zip(sch["column"], sch["default"])}


def _bounds(table: str, column: str) -> tuple[float, float]:
    sch = schema()
    r = sch[(sch["table"] == table) & (sch["column"] == column)]
    lo = hi = ""
    if len(r):
        lo, hi = r.iloc[0]["min"].strip(), r.iloc[0]["max"].strip()
    return (float(lo) if lo else -math.inf), (float(hi) if hi else math.inf)


def perturbation_range(value: float, column: str, lo: float = -math.inf, hi: float = math.inf) -> tuple[float, float]:
    """The low and high values a placeholder is moved to (module docstring), within [lo, hi]."""
    if column in MULTIPLIER_COLUMNS:
        low, high = value - MULTIPLIER_STEP, value + MULTIPLIER_STEP
    else:
        low, high = value * LOW_FACTOR, value * HIGH_FACTOR
    low, high = min(low, high), max(low, high)
    return float(np.clip(low, max(lo, 0.0), hi)), float(np.clip(high, max(lo, 0.0), hi))


def _add(out: list, table: str, row: str, column: str, value, lo=-math.inf, hi=math.inf) -> None:
    if value is None or not np.isfinite(value):
        return
    low, high = perturbation_range(float(value), column, lo, hi)
    if low != value or high != value:
        out.append(Placeholder(table, row, column, float(value), low, high))


def _unit_bounds(unit: str) -> tuple[float, float]:
    from ..catalog import PARAMETER_UNIT_RANGES
    for prefix, a, b in PARAMETER_UNIT_RANGES:
        if unit.strip().startswith(prefix):
            return a, (math.inf if b is None else b)
    return -math.inf, math.inf


def list_placeholders(catalog: Catalog, settings: Sequence = (), site_names: Sequence[str] = ()) -> list[Placeholder]:
    """Every [P] value a plan of these sites can depend on (module docstring).

    ``settings``: the sites' :class:`~optimizer.settings.Settings` (their [P] settings and monitoring
    levels are listed), named by ``site_names``.
    """
    out: list[Placeholder] = []
    ms = catalog.enabled_measures()
    defaults = _defaults("measures")
    for _idx, r in ms.iterrows():
        for col in CELL_WORDS:
            cls, named = cell_class(r["source"], col, r["confidence"])
            # an empty cell reads as the schema's default (no effect): a [P] value only when named
            if cls == "P" and (named or r[col] != defaults.get(col)):
                _add(out, "measures", r["measure_id"], col, r[col], *_bounds("measures", col))
    enabled = set(ms["measure_id"])
    for _idx, r in catalog.interactions.iterrows():
        if {r["measure_a"], r["measure_b"]} <= enabled:
            for col in MULTIPLIER_COLUMNS:
                if cell_class(r["source"], col, r["confidence"])[0] == "P":
                    _add(out, "interactions", f"{r['measure_a']}×{r['measure_b']}", col, r[col],
                         *_bounds("interactions", col))
    sch = schema()
    growth_cols = [c for c in sch.loc[(sch["table"] == "vegetation_growth") & (sch["type"] == "float"), "column"]
                   if c in catalog.growth.columns]
    used_types = set(ms["vegetation_type"]) - {""}
    climates = {s.climate for s in settings}
    for (vt, cl), r in catalog.growth.iterrows():      # one curve per type × climate class
        if vt in used_types and cl in climates and str(r.get("confidence", "")) == "P":
            for col in growth_cols:
                _add(out, "vegetation_growth", f"{vt}@{cl}", col, r[col], *_bounds("vegetation_growth", col))
    for name, r in catalog.parameters.iterrows():
        if r["confidence"] == "P":
            _add(out, "parameters", str(name), "value", r["value"], *_unit_bounds(str(r["unit"])))
    levels = {s.monitoring_level for s in settings}
    mon_cols = [c for c in sch.loc[(sch["table"] == "monitoring") & (sch["type"] == "float"), "column"]
                if c in catalog.monitoring.columns]
    for level, r in catalog.monitoring.iterrows():
        if level in levels and r["confidence"] == "P":
            for col in mon_cols:
                _add(out, "monitoring", str(level), col, r[col], *_bounds("monitoring", col))
    from ..settings import SPEC_BY_KEY
    for name, s in zip(site_names, settings):
        for key in s.placeholders:
            spec = SPEC_BY_KEY[key]
            v = getattr(s, key)
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                lo = -math.inf if spec.low is None else spec.low
                hi = math.inf if spec.high is None else spec.high
                _add(out, "settings", name, key, float(v), lo, hi)
    return out


def perturbed(catalog: Catalog, settings, ph: Placeholder, value: float):
    """(catalog, settings) with ``ph`` set to ``value``; settings only change for ``table == "settings"``."""
    if ph.table == "settings":
        return catalog, settings.with_(**{ph.column: type(getattr(settings, ph.column))(value)})
    if ph.table == "measures":
        m = catalog.measures.copy()
        m.loc[m["measure_id"] == ph.row, ph.column] = value
        return replace(catalog, measures=m), settings
    if ph.table == "interactions":
        a, b = ph.row.split("×")
        t = catalog.interactions.copy()
        t.loc[(t["measure_a"] == a) & (t["measure_b"] == b), ph.column] = value
        return replace(catalog, interactions=t), settings
    field = {"vegetation_growth": "growth", "parameters": "parameters", "monitoring": "monitoring"}[ph.table]
    t = getattr(catalog, field).copy()
    t.at[tuple(ph.row.split("@")) if field == "growth" else ph.row, ph.column] = value
    return replace(catalog, **{field: t}), settings


# ------------------------------------------------------------------------------------------------
# re-scoring and re-solving
# ------------------------------------------------------------------------------------------------
@dataclass
class _SiteRun:
    name: str
    site: object
    table: object
    allow_intolerable: bool
    choice: dict            # zone id → option id of the central plan


_STATE: dict = {}


def _solve_choices(settings, table, objective: str, allow_intolerable: bool) -> dict:
    from ..problem import Problem
    from ..solve.exact import solve

    problem = Problem.from_settings(settings, objectives=(objective,), enforce_tolerance=not allow_intolerable)
    plan = solve(problem.compile(table))
    rows = plan.rows
    return dict(zip(table.zones["zone_id"].astype(str), table.option_id[rows]))


def _central(name: str, path, catalog: Catalog, objective: str) -> _SiteRun:
    from ..options import evaluate_options
    from ..site import read_site

    site = read_site(path)
    table = evaluate_options(site, catalog)
    try:
        return _SiteRun(name, site, table, False, _solve_choices(site.settings, table, objective, False))
    except InfeasibleError:     # zones with no tolerable option: keep them (as --allow-intolerable)
        return _SiteRun(name, site, table, True, _solve_choices(site.settings, table, objective, True))


def _init(sites: tuple, catalog_files: tuple, objective: str) -> None:
    catalog = load_catalog(list(catalog_files) or None)
    _STATE.update(catalog=catalog, objective=objective,
                  runs=[_central(name, path, catalog, objective) for name, path in sites])


def _same_table(a, b) -> bool:
    if len(a.combo) != len(b.combo) or not np.array_equal(a.zone_ptr, b.zone_ptr) or \
            not np.array_equal(a.combo, b.combo):
        return False
    return all(np.array_equal(a.data[c], b.data[c], equal_nan=True) for c in a.data) and \
        all(np.array_equal(a.eligible[s], b.eligible[s]) for s in a.eligible)


def _perturb_task(task: tuple[Placeholder, float]) -> dict:
    """{site name: sorted changed zone ids, or None when the moved value leaves no feasible plan}."""
    from ..options import evaluate_options

    ph, value = task
    out: dict = {}
    for run in _STATE["runs"]:
        if ph.table == "settings" and ph.row != run.name:
            continue
        cat, s = perturbed(_STATE["catalog"], run.site.settings, ph, value)
        with warnings.catch_warnings():     # the site's own warnings were shown once, for the central run
            warnings.simplefilter("ignore", SlopeRangeWarning)
            warnings.simplefilter("ignore", ClimateRangeWarning)
            table = evaluate_options(run.site, cat, settings=s)
        if _same_table(table, run.table):
            out[run.name] = []
            continue
        try:
            choice = _solve_choices(s, table, _STATE["objective"], run.allow_intolerable)
        except InfeasibleError:
            out[run.name] = None
            continue
        out[run.name] = sorted(z for z, o in choice.items() if run.choice.get(z) != o)
    return out


def site_name(path: str | Path) -> str:
    """A site's name in the ranking: its folder for ``sites/<name>/zones.*``, else the file stem."""
    p = Path(path)
    return p.parent.name if p.stem == "zones" and p.parent.name else p.stem


def rank_placeholders(sites: Sequence[str | Path], *, catalog: str | Path | Sequence | None = None,
                      objective: str = "removals", workers: int | None = None,
                      progress: Callable[[int, int], object] | None = None) -> pd.DataFrame:
    """Every [P] value of :func:`list_placeholders`, ranked by the zones whose chosen option changes.

    ``sites``: zoning files, each read with its settings. ``catalog``: a planner's catalog file(s).
    ``objective``: the one objective optimised (default net removals), under each site's budget and
    stocks; a site with zones that have no option within the tolerable soil loss is solved with
    those options allowed (as ``--allow-intolerable``). ``workers``: processes (1: in this one).
    Returns one row per value (:data:`COLUMNS`), most zones changed first.
    """
    from ..problem import OBJECTIVES
    from ..site import read_site

    if objective not in OBJECTIVES or not OBJECTIVES[objective].linear:
        linear = [k for k, o in OBJECTIVES.items() if o.linear]
        raise SinkPlanError(_("objective {name}: use one of {valid}").format(
            name=repr(objective), valid=", ".join(linear)))
    if not sites:
        raise SinkPlanError(_("no site given: name at least one zoning file"))
    names = [site_name(p) for p in sites]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise SinkPlanError(_("two sites share the name {names}: give each site its own folder").format(
            names=", ".join(map(repr, dup))))
    files = tuple(str(c) for c in ([catalog] if isinstance(catalog, (str, Path)) else (catalog or ())))
    cat = load_catalog(list(files) or None)
    settings = [read_site(p).settings for p in sites]
    phs = list_placeholders(cat, settings, names)
    tasks = [(ph, v) for ph in phs for v in (ph.low, ph.high)]
    spec = (tuple(zip(names, map(str, sites))), files, objective)
    if workers == 1:
        _init(*spec)
        results = []
        for i, t in enumerate(tasks):
            results.append(_perturb_task(t))
            if progress is not None:
                progress(i + 1, len(tasks))
    else:
        from ..parallel import run_pool
        results = run_pool(_perturb_task, tasks, workers=workers, initializer=_init, initargs=spec,
                           progress=progress)
    return _ranking(phs, results)


def _ranking(phs: list[Placeholder], results: list[dict]) -> pd.DataFrame:
    rows = []
    for k, ph in enumerate(phs):
        low, high = results[2 * k], results[2 * k + 1]
        per_site, n_low, n_high, infeasible = {}, 0, 0, []
        for site in dict.fromkeys([*low, *high]):
            a, b = low.get(site), high.get(site)
            infeasible += [f"{site} ({side})" for side, r in (("low", a), ("high", b)) if r is None]
            n_low += len(a or ())
            n_high += len(b or ())
            union = set(a or ()) | set(b or ())
            if union:
                per_site[site] = len(union)
        rows.append(dict(table=ph.table, row=ph.row, column=ph.column, value=ph.value, confidence=ph.confidence,
                         low=ph.low, high=ph.high, zones_changed_low=n_low, zones_changed_high=n_high,
                         zones_changed=sum(per_site.values()),
                         sites="; ".join(f"{s} {n}" for s, n in per_site.items()),
                         infeasible="; ".join(infeasible)))
    df = pd.DataFrame(rows, columns=list(COLUMNS))
    return df.sort_values(["zones_changed", "table", "row", "column"], ascending=[False, True, True, True],
                          kind="stable").reset_index(drop=True)
