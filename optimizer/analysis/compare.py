"""Plans side by side: site totals, zone-by-zone differences and carbon trajectories.

Pure functions over the plans that ``sinkplan optimize`` and ``pareto`` write, as read by
:func:`optimizer.io.plans.read_plan`; nothing here re-runs a model. Site totals are the plans'
own (``PlanResult.totals``: summary.json, i.e. :mod:`optimizer.evaluate`'s numbers, where the run
wrote one); :func:`zone_sums` is the one place they are rebuilt from per-zone rows, for files
that do not hold them. Every number keeps the unit in its metric name (``_tco2e``, ``_cny``,
``_t_per_yr``, ``_m3``, ``_ha``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import SinkPlanError
from ..i18n import N_, _
from ..options.land import CROPLAND_VEG_TYPE


@dataclass(frozen=True)
class Metric:
    key: str           # column of the plan table (or a derived name)
    label: str         # plain-language label for tables and figures
    unit: str          # unit of the value
    better: int        # +1 more is better, -1 less is better, 0 neither (a use of a resource)
    short: str = ""    # a few words, for narrow terminal tables


#: Site totals compared between plans, in display order. Credits per standard are added by
#: :func:`metrics_for` after ``credits_tco2e``.
METRICS: tuple[Metric, ...] = (
    Metric("removals_tco2e", "Net removals over the horizon", "t CO2e", +1, N_("net removals")),
    Metric("avoided_tco2e", "Avoided emissions (reported apart, not removals)", "t CO2e", +1, N_("avoided (apart)")),
    Metric("credits_tco2e", "Credits, all assessed standards", "t CO2e", +1, N_("credits, all")),
    Metric("credit_value_cny", "Credit value (NPV)", "CNY", +1, N_("credit value NPV")),
    Metric("cost_cny", "Cost (NPV: capital, upkeep, monitoring)", "CNY", -1, N_("cost NPV")),
    Metric("capex_cny", "Capital cost (year 0)", "CNY", -1, N_("capital cost")),
    Metric("soil_loss_t_per_yr", "Soil loss, mean over the horizon", "t/yr", -1, N_("soil loss, mean")),
    Metric("soil_loss_first_year_t", "Soil loss in the first year", "t", -1, N_("soil loss, year 1")),
    Metric("topsoil_m3", "Topsoil used", "m³", 0, N_("topsoil used")),
    Metric("gangue_m3", "Gangue used", "m³", 0, N_("gangue used")),
    Metric("area_ha", "Area", "ha", 0, N_("area")),
    Metric("zones_with_works", "Zones with works (not left to natural regeneration)", "zones", 0,
           N_("zones with works")),
)

BASELINE_OPTIONS = ("natural_regeneration", "no_works")


def standard_metric(standard: str) -> Metric:
    return Metric(f"credits_{standard}_tco2e", f"Credits from zones eligible under {standard}", "t CO2e", +1,
                  f"credits, {standard} zones")


def metrics_for(standards) -> list[Metric]:
    """:data:`METRICS` with one "credits under standard S" row per standard after total credits."""
    out = []
    for m in METRICS:
        out.append(m)
        if m.key == "credits_tco2e":
            out += [standard_metric(s) for s in standards]
    return out


def eligible_mask(zones: pd.DataFrame, standard: str) -> np.ndarray:
    """Zones whose chosen option earns credits under ``standard`` (``eligible_standards`` column)."""
    col = zones.get("eligible_standards")
    if col is None:
        return np.zeros(len(zones), dtype=bool)
    return np.array([standard in str(v).split(";") for v in col.fillna("")], dtype=bool)


#: Per-zone columns summed by :func:`zone_sums` (``optimizer.options.COLUMNS`` less the flag).
ZONE_SUM_COLUMNS = ("area_ha", "removals_tco2e", "avoided_tco2e", "credits_tco2e", "credit_value_cny",
                    "cost_cny", "capex_cny", "soil_loss_t_per_yr", "soil_loss_first_year_t", "topsoil_m3",
                    "gangue_m3")


def zone_sums(zones: pd.DataFrame, standards=()) -> dict:
    """The reader's reconstruction of a plan's site numbers from its per-zone rows, for files that
    do not hold them (see ``optimizer.io.plans.PlanResult.numbers``, its only caller); the same
    keys as summary.json:

    - ``totals``: column → sum over zones (NaN where the column is absent);
    - ``credits_by_standard``: standard → credits of the zones whose ``eligible_standards`` list
      it (a zone eligible under two standards counts in both; its credits are issued once);
    - ``baseline_totals``: ``area_ha`` and each ``baseline_<column>`` summed, under ``<column>``.
    """
    totals = {c: float(zones[c].sum(min_count=1)) if c in zones else float("nan") for c in ZONE_SUM_COLUMNS}
    credits = zones["credits_tco2e"] if "credits_tco2e" in zones else pd.Series(np.nan, index=zones.index)
    by_std = {s: float(credits[eligible_mask(zones, s)].sum()) for s in standards}
    base = {c[len("baseline_"):]: float(zones[c].sum(min_count=1)) for c in zones.columns
            if c.startswith("baseline_")}
    if base:
        base = {"area_ha": totals["area_ha"], **base}
    return {"totals": totals, "credits_by_standard": by_std, "baseline_totals": base}


def accounting_sums(zones: pd.DataFrame, totals: dict, baseline_totals: dict) -> dict:
    """The reader's reconstruction of summary.json's ``accounting`` from a plan's per-zone rows and
    site numbers: ``removals_net_of_baseline_tco2e`` (plan less no-works removals) and
    ``restored_farmland_ha`` (area of the zones whose vegetation is cropland); NaN where unknown."""
    veg = zones["vegetation_type"].fillna("") if "vegetation_type" in zones else None
    return {"removals_net_of_baseline_tco2e": float(totals.get("removals_tco2e", np.nan))
            - float(baseline_totals.get("removals_tco2e", np.nan)),
            "restored_farmland_ha": float(zones["area_ha"][veg == CROPLAND_VEG_TYPE].sum()) if veg is not None
            else float("nan")}


def zones_with_works(zones: pd.DataFrame) -> int:
    """Zones whose option is not natural regeneration or no works (:data:`BASELINE_OPTIONS`)."""
    return int((~zones["option_id"].isin(BASELINE_OPTIONS)).sum())


def plan_totals(plan, standards=()) -> dict:
    """One plan's site totals keyed by :data:`METRICS` and ``credits_{S}_tco2e`` per standard, read
    from the plan (``totals``, ``credits_by_standard``, ``zones_with_works`` of a
    ``PlanResult``); nothing is summed here.

    ``credits_{S}_tco2e`` are the credits of the zones eligible under standard S: a zone eligible
    under two standards is counted under both (its credits are issued once, under one of them), so
    these rows overlap and do not add up to ``credits_tco2e``. A standard the plan's run did not
    assess has no eligible zone: 0.

    A bare per-zone table (``pd.DataFrame``) is read through :func:`zone_sums`, as a reader would.
    """
    if isinstance(plan, pd.DataFrame):
        rebuilt = zone_sums(plan, standards)
        totals, by_std, works = rebuilt["totals"], rebuilt["credits_by_standard"], zones_with_works(plan)
    else:
        totals, by_std, works = plan.totals, plan.credits_by_standard, plan.zones_with_works
    out = {m.key: float(totals.get(m.key, np.nan)) for m in METRICS if m.key != "zones_with_works"}
    for s in standards:
        out[f"credits_{s}_tco2e"] = float(by_std.get(s, 0.0))
    out["zones_with_works"] = float(works)
    return out


def _standards(plans) -> list[str]:
    seen: list[str] = []
    for p in plans:
        for s in p.standards:
            if s not in seen:
                seen.append(s)
    return seen


def compare_totals(plans) -> pd.DataFrame:
    """One row per metric: ``metric, label, unit``, one column per plan (by label) and, for each
    plan after the first, ``"<label> − <first>"``."""
    plans = list(plans)
    standards = _standards(plans)
    metrics = metrics_for(standards)
    totals = [plan_totals(p, standards) for p in plans]
    df = pd.DataFrame({"metric": [m.key for m in metrics], "label": [m.label for m in metrics],
                       "unit": [m.unit for m in metrics], "short": [m.short or m.label for m in metrics]})
    for p, t in zip(plans, totals):
        df[p.label] = [t.get(m.key, np.nan) for m in metrics]
    first = plans[0].label
    for p in plans[1:]:
        df[f"{p.label} − {first}"] = difference(df[p.label].to_numpy(float), df[first].to_numpy(float))
    return df


#: Plan CSVs hold 6 significant digits per zone, so sums of the same zones read from two files
#: can differ by about 1e-6 relative; differences below this are reported as 0.
REL_TOL = 1e-5


def difference(b: np.ndarray, a: np.ndarray) -> np.ndarray:
    """b − a, with differences within the files' rounding (:data:`REL_TOL`) set to 0."""
    d = b - a
    scale = np.maximum(np.abs(a), np.abs(b))
    return np.where(np.abs(d) <= REL_TOL * scale, 0.0, d)


def compare_zones(plans) -> pd.DataFrame:
    """One row per zone present in every plan: what each plan does there and what it yields.

    Columns: ``zone_id, zone_type, area_ha, differs`` (the plans choose different options),
    then per plan ``option_id[L]``, ``vegetation_type[L]``, ``removals_tco2e[L]``,
    ``cost_cny[L]``, ``soil_loss_t_per_yr[L]``, ``credits_tco2e[L]``, ``eligible_standards[L]``,
    and for each plan after the first the differences ``Δremovals_tco2e[L]``,
    ``Δcost_cny[L]``, ``Δsoil_loss_t_per_yr[L]`` against the first.
    """
    plans = list(plans)
    keys = ["option_id", "vegetation_type", "measures", "removals_tco2e", "cost_cny", "soil_loss_t_per_yr",
            "credits_tco2e", "eligible_standards"]
    base = plans[0].zones[["zone_id", "zone_type", "area_ha"]]
    common = set(base["zone_id"])
    for p in plans[1:]:
        common &= set(p.zones["zone_id"])
    df = base[base["zone_id"].isin(common)].reset_index(drop=True)
    for p in plans:
        z = p.zones.set_index("zone_id")
        for k in keys:
            df[f"{k}[{p.label}]"] = z[k].reindex(df["zone_id"]).to_numpy() if k in z else np.nan
    opts = np.column_stack([df[f"option_id[{p.label}]"].to_numpy(dtype=object) for p in plans])
    df.insert(3, "differs", (opts != opts[:, [0]]).any(axis=1))
    first = plans[0].label
    for p in plans[1:]:
        for k in ("removals_tco2e", "cost_cny", "soil_loss_t_per_yr"):
            df[f"Δ{k}[{p.label}]"] = df[f"{k}[{p.label}]"] - df[f"{k}[{first}]"]
    return df


def zone_coverage_notes(plans) -> list[str]:
    """Plain-language notes when plans do not cover the same zones or come from different inputs."""
    notes = []
    plans = list(plans)
    ids = [set(p.zones["zone_id"]) for p in plans]
    common = set.intersection(*ids)
    for p, s in zip(plans, ids):
        extra = len(s - common)
        if extra:
            notes.append(_("{plan}: {n} zone(s) not in every plan are left out of the zone-by-zone table").format(
                plan=p.label, n=extra))
    shas = {((p.manifest or {}).get("inputs") or {}).get("zoning_file", {}).get("sha256") for p in plans}
    shas.discard(None)
    if len(shas) > 1:
        notes.append(_("the plans were made from different zoning files (SHA-256 differ)"))
    sets = {tuple((p.manifest or {}).get("settings", {}).get(k) for k in ("horizon_yr", "discount_rate"))
            for p in plans if p.manifest}
    if len(sets) > 1:
        notes.append(_("the plans use different horizons or discount rates; totals are not like for like"))
    return notes


TRAJECTORY_COLUMNS = ("net_removals_tco2e", "cumulative_net_removals_tco2e", "credits_tco2e", "soil_loss_t",
                      "avoided_tco2e")
BASELINE_LABEL = "no works (natural regeneration)"


def compare_trajectories(plans) -> pd.DataFrame:
    """Annual site series of every plan, long format: ``plan, year, calendar_year`` and
    :data:`TRAJECTORY_COLUMNS`; the no-works baseline of the first plan with trajectories is
    added as plan :data:`BASELINE_LABEL`. Plans without a trajectory file are skipped."""
    frames = []
    baseline = None
    for p in plans:
        t = p.trajectories
        if t is None:
            continue
        cols = [c for c in TRAJECTORY_COLUMNS if c in t]
        f = t[["year"] + (["calendar_year"] if "calendar_year" in t else []) + cols].copy()
        f.insert(0, "plan", p.label)
        frames.append(f)
        if baseline is None and "net_removals_tco2e_baseline" in t:
            bcols = [c for c in TRAJECTORY_COLUMNS if f"{c}_baseline" in t]
            b = t[["year"] + (["calendar_year"] if "calendar_year" in t else [])
                  + [f"{c}_baseline" for c in bcols]].rename(columns={f"{c}_baseline": c for c in bcols})
            b.insert(0, "plan", BASELINE_LABEL)
            baseline = b
    if baseline is not None:
        frames.append(baseline)
    if not frames:
        return pd.DataFrame(columns=["plan", "year", "calendar_year", *TRAJECTORY_COLUMNS])
    return pd.concat(frames, ignore_index=True)


def by_group(zones: pd.DataFrame, group: str, columns) -> pd.DataFrame:
    """Sum ``columns`` of a plan's zones by ``group`` (e.g. zone_type), with zone counts."""
    g = zones.groupby(group, sort=True)
    out = g[list(columns)].sum()
    out.insert(0, "zones", g.size())
    return out.reset_index()


class ZoningMismatchError(SinkPlanError):
    """Plans (or a plan and a site) made from different zonings: the message names the zones."""


def check_same_zones(zone_ids: dict[str, pd.Series], where: object) -> None:
    """Raise a :class:`SinkPlanError` naming the zones that one table has and another lacks."""
    sets = {k: set(map(str, v)) for k, v in zone_ids.items()}
    names = list(sets)
    problems = []
    first = names[0]
    for other in names[1:]:
        only_a = sorted(sets[first] - sets[other])
        only_b = sorted(sets[other] - sets[first])
        if only_a or only_b:
            parts = []
            if only_a:
                parts.append(_("{n} zone(s) only in {plan}: {zones}").format(n=len(only_a), plan=first,
                                                                               zones=_few(only_a)))
            if only_b:
                parts.append(_("{n} zone(s) only in {plan}: {zones}").format(n=len(only_b), plan=other,
                                                                               zones=_few(only_b)))
            problems.append("; ".join(parts))
    if problems:
        raise ZoningMismatchError(f"{where}: " + _("the zones differ") + " — " + " | ".join(problems) + ". "
                                  + _("Plans compare and re-score only over the same zoning (same zone ids)."))


def _few(ids: list[str], k: int = 8) -> str:
    return ", ".join(ids[:k]) + (f" and {len(ids) - k} more" if len(ids) > k else "")
