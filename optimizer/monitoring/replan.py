"""``sinkplan replan``: continue a run after monitoring, with the recalibrated growth (docs/science.md §9).

    result = replan_run("runs/plan", "runs/mon", year=2035, out_dir="runs/replan")
    result.plan.totals["removals_tco2e"], result.changed

The approach, simple and stated:

1. **Recalibrated option table.** Every row of the run's option table is re-scored by the model
   (:func:`optimizer.options.scoring.score_rows`, the same chain as ``evaluate_options``) with the
   biomass asymptote multiplied per row (``growth_mult`` × m): the row a worked zone was given by the
   run takes the zone's posterior mean multiplier (``zones.csv``: ``growth_multiplier_mean``); every
   other row (new works) the multiplier of its vegetation type, exp of the mean posterior log
   multiplier of that type's worked, unflagged zones (1 where no such zone was monitored). Removals,
   credits and credit value stay consistent with each other because they are re-scored, not scaled.
2. **What is done stays done.** Zones the run worked (every zone with measures; SinkPlan's model
   does all works in year 0) and not flagged ``failing`` are locked to their option.
3. **Money already spent is deducted.** Spent = the run's capex of its worked zones; the budget left
   = the budget (the run's, or ``budget_cny``) − spent. The rows of works already done carry no
   capex in the re-plan (sunk), so a failing zone may *accept* its stand at no cost or take corrective
   works — replanting with another option at that option's full capex.
4. **The rest is optimised** — failing zones and zones the run left without works — for the run's
   objective under its constraints and the budget left, with the exact engine
   (:func:`optimizer.solve.exact.solve`).

5. **Corrective and new works start in year Y.** Every row that is not the option a zone has had
   since the run's start (replanting a failing stand, works on a zone left without them) is scored
   with its works begun D = Y − start_year years late (:mod:`optimizer.options.delay`): its own
   trajectory from Y, cut at the run's horizon (its last D years are not counted), capex paid in Y
   and every cash flow discounted to the run's start. The option a zone has had since the start
   (an accepted failing stand, a zone left without works) keeps its path from year 0.
6. **A zone that changes option keeps its history.** Such a row's years 1…D are the path of the
   option the zone had (recalibrated: what it removed, emitted, was credited and cost, capex of
   year 0 and upkeep to D), year D + 1 releases that stand's standing biomass (replanting clears it;
   no salvage or wood-product pool) beside the new works' first year, and years D + 1…T are the
   new works' (:func:`optimizer.options.delay.add_prefix`, the table's ``prefix_row``). So every
   option of a free zone is scored over the same years 1…T: "accept" is the old path to T, a
   replanting the old path to D, the clearing, and the new works. The part before Y is the same
   for all the zone's replanting rows, so it changes no choice among them, but it is in the totals,
   the trajectories and the plan files (capex stays the new works' money: the budget).

When the budget left is ≤ 0, there is nothing to re-plan: :class:`ReplanError`
(exit 2), and ``sinkplan monitor``'s recalibrated forecast is the one to read.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import SinkPlanError
from ..i18n import _

if TYPE_CHECKING:
    from ..options import OptionTable
    from ..problem import Problem
    from ..solve.result import Plan
    from .paths import RunPaths

#: rows re-scored per pass (bounds the memory of the (rows, years) arrays)
CHUNK_ROWS = 32_768
MONITORING_COLUMNS = ("zone_id", "worked", "growth_multiplier_mean", "log_multiplier_mean", "flag")


class ReplanError(SinkPlanError):
    """A re-plan that cannot be made from these inputs (the message says why)."""


@dataclass
class ReplanResult:
    paths: RunPaths
    table: OptionTable               # the recalibrated option table
    problem: Problem
    plan: Plan
    spent_capex_cny: float
    budget_left_cny: float | None
    worked: list[str]
    locked: list[str]
    free: list[str]
    changed: pd.DataFrame            # zone_id, option_id_before, option_id_after
    files: list[Path] = field(default_factory=list)


def read_monitoring(mon_dir: str | Path, run_dir: Path, zone_ids) -> pd.DataFrame:
    """``mon_dir/zones.csv`` checked against the run: the columns it needs, the run's zones, and
    (when both manifests are there) the run it was made from."""
    mon = Path(mon_dir)
    f = mon / "zones.csv"
    if not f.is_file():
        raise ReplanError(_("{path}: not a monitoring folder (no zones.csv); give the --out of `sinkplan "
                            "monitor`").format(
            path=mon))
    z = pd.read_csv(f, dtype={"zone_id": str})
    missing = [c for c in MONITORING_COLUMNS if c not in z.columns]
    if missing:
        raise ReplanError(_("{file}: missing column(s) {columns}").format(file=f, columns=", ".join(missing)))
    problems = []
    for c in ("growth_multiplier_mean", "log_multiplier_mean"):
        v = pd.to_numeric(z[c], errors="coerce")
        bad = z["zone_id"][~np.isfinite(v) | ((v <= 0) if c == "growth_multiplier_mean" else False)]
        if len(bad):
            problems.append(_("{file}, zone(s) {zones}: {column} is not a valid number").format(
                file=f, zones=", ".join(map(repr, bad[:5])), column=c))
    ids, want = set(z["zone_id"]), {str(i) for i in zone_ids}
    if ids != want:
        extra, lack = sorted(ids - want)[:5], sorted(want - ids)[:5]
        problems.append(_("{file}: its zones are not the run's ({run})").format(file=f, run=run_dir)
                        + (_("; not in the run: {zones}").format(zones=", ".join(extra)) if extra else "")
                        + (_("; missing: {zones}").format(zones=", ".join(lack)) if lack else ""))
    man = mon / "manifest.json"
    if man.is_file():
        from ..site import file_sha256
        rec = (json.loads(man.read_text(encoding="utf-8")).get("inputs") or {}).get("run") or {}
        sha = rec.get("manifest_sha256")
        if sha and (run_dir / "manifest.json").is_file() and sha != file_sha256(run_dir / "manifest.json"):
            problems.append(_("{path} was made from another run ({other}), not {run}: monitor this run first").format(
                path=mon, other=rec.get("path"), run=run_dir))
    if problems:
        raise ReplanError("\n".join(problems))
    z["flag"] = z["flag"].fillna("").astype(str)
    z["worked"] = z["worked"].astype(str).str.lower().isin(("true", "1"))
    return z


def group_log_multipliers(mon: pd.DataFrame, vegetation_type) -> dict[str, float]:
    """Per vegetation type: the mean posterior log multiplier of its worked, unflagged zones."""
    z = pd.DataFrame({"veg": np.asarray(vegetation_type, dtype=str),
                      "log": mon["log_multiplier_mean"].to_numpy(float),
                      "ok": mon["worked"].to_numpy(bool) & (mon["flag"].to_numpy(str) == "")})
    return z[z["ok"]].groupby("veg")["log"].mean().to_dict()


def rescored_table(table, row_multiplier: np.ndarray, start_delay_yr: np.ndarray | None = None,
                   prefix_row: np.ndarray | None = None):
    """``table`` with each row re-scored under ``growth_mult`` × ``row_multiplier`` and, where
    ``start_delay_yr`` > 0, with its works begun that many years after the run's start
    (:mod:`optimizer.options.delay`), preceded where ``prefix_row`` ≥ 0 by that row's path in the
    years before them and the clearing of its stand (:func:`optimizer.options.delay.add_prefix`);
    rows at multiplier 1 and no delay are left as they are.
    The overrides travel with the table, so its annual series agree with its totals. Vectorised
    over chunks of rows."""
    from ..options.scoring import COLUMNS

    mult = np.asarray(row_multiplier, dtype=float)
    delay = None if start_delay_yr is None else np.asarray(start_delay_yr, dtype=np.int64)
    prefix = None if prefix_row is None else np.asarray(prefix_row, dtype=np.int64)
    out = replace(table, growth_multiplier=mult, start_delay_yr=delay, prefix_row=prefix)
    data = {k: np.array(v, copy=True) for k, v in table.data.items()}
    todo = np.flatnonzero((mult != 1.0) | (delay != 0 if delay is not None else False))
    for start in range(0, len(todo), CHUNK_ROWS):
        rows = todo[start:start + CHUNK_ROWS]
        scored = out.score(rows)
        for c in COLUMNS:
            data[c][rows] = scored[c]
    return replace(out, data=data)


def prefix_rows(table, current: np.ndarray) -> np.ndarray:
    """Per row: the row of its zone's ``current`` option (what the zone had since the run's start),
    which fills the years before the row's works; −1 on the current rows themselves."""
    of_zone = np.full(table.n_zones, -1, dtype=np.int64)
    of_zone[table.zone_of_row[current]] = np.flatnonzero(current)
    return np.where(current, -1, of_zone[table.zone_of_row])


def _run_problem(doc: dict, settings):
    """The run's declared problem (objective, budget, constraints) from its manifest."""
    from ..problem import Problem
    from ..problem.objectives import Share, Target

    p = dict(doc.get("problem") or {})
    if not p.get("objectives"):
        raise ReplanError(_("the run's manifest.json records no problem: re-plan an `sinkplan optimize` run"))
    return Problem.from_settings(
        settings, objectives=tuple(p["objectives"][:1]), budget_cny=p.get("budget_cny"),
        budget_on=p.get("budget_on", "capex"), enforce_tolerance=bool(p.get("enforce_tolerance", True)),
        site_soil_loss_cap_t_per_yr=p.get("site_soil_loss_cap_t_per_yr"),
        topsoil_stock_m3=p.get("topsoil_stock_m3"), gangue_stock_m3=p.get("gangue_stock_m3"),
        shares=tuple(Share(**s) for s in p.get("shares") or ()),
        targets=tuple(Target(**t) for t in p.get("targets") or ()),
        forbid=tuple(p.get("forbid") or ()), zone_forbid=tuple(tuple(x) for x in p.get("zone_forbid") or ()))


def replan_run(run_dir, monitoring, year: int, *, out_dir=None, budget_cny: float | None = None,
               gap: float = 1e-4, time_limit_s: float = 60.0) -> ReplanResult:
    """The re-plan of the module docstring; written to ``out_dir`` (as ``optimize``) if given."""
    from ..solve.exact import solve
    from .paths import load_run_paths

    run_dir = Path(run_dir)
    out = None
    if out_dir is not None:
        from ..io.paths import check_output_dir
        out = check_output_dir(out_dir)
    paths = load_run_paths(run_dir)
    first, last = paths.start_year + 1, paths.start_year + paths.horizon_yr - 1
    if not first <= int(year) <= last:
        raise ReplanError(_("--year {year}: the run's horizon ends in {end} (works in {start}); give the calendar "
                            "year of the re-plan, {first}–{last}, so that new works have a year to grow").format(
            year=year, end=last + 1, start=paths.start_year, first=first, last=last))
    mon = read_monitoring(monitoring, run_dir, paths.zones["zone_id"])
    mon = mon.set_index("zone_id").reindex(paths.zones["zone_id"].astype(str)).reset_index()
    table, site = paths.table, paths.site
    zid = table.zones["zone_id"].astype(str).to_numpy()
    choice = dict(zip(paths.zones["zone_id"].astype(str), paths.zones["option_id"].astype(str)))
    measures = paths.plan.zones.set_index(paths.plan.zones["zone_id"].astype(str))["measures"]
    worked = {z for z, m in measures.fillna("").astype(str).items() if m.strip()}
    failing = set(mon.loc[mon["flag"] == "failing", "zone_id"])

    # per-row multiplier: the zone's posterior on the rows of the run's works, the type's elsewhere
    zone_of_row = table.zone_of_row
    current = table.option_id == np.array([choice[z] for z in zid], dtype=object)[zone_of_row]
    veg_of_row = table.combos.params.veg_type[table.combo].astype(str)
    group = group_log_multipliers(mon, paths.zones["vegetation_type"])
    mult = np.exp(pd.Series(veg_of_row).map(group).fillna(0.0).to_numpy(float))
    zone_m = mon.set_index("zone_id")["growth_multiplier_mean"].reindex(zid).to_numpy(float)
    is_worked = np.isin(zid, list(worked))
    done = current & is_worked[zone_of_row]
    mult[done] = zone_m[zone_of_row[done]]
    recal = rescored_table(table, mult, np.where(current, 0, int(year) - paths.start_year),
                           prefix_rows(table, current))

    spent = float(table.data["capex_cny"][done].sum())
    data = dict(recal.data)
    data["capex_cny"] = np.where(done, 0.0, recal.data["capex_cny"])      # sunk: paid in year 0
    recal = replace(recal, data=data)
    problem = _run_problem(paths.plan.manifest or {}, site.settings)
    total = budget_cny if budget_cny is not None else problem.budget_cny
    left = None if total is None else float(total) - spent
    if left is not None and left <= 0:
        raise ReplanError(_("the budget is spent: {spent} CNY of {total} went on the works of {n} zones in {year}; "
                            "nothing is left for corrective or new works (give a larger --budget, or read "
                            "`sinkplan monitor`'s recalibrated forecast)").format(
            spent=f"{spent:,.0f}", total=f"{float(total):,.0f}", n=len(worked), year=paths.start_year))
    locked = sorted(worked - failing)
    problem = problem.with_(budget_cny=left, budget_on="capex", locks=tuple((z, choice[z]) for z in locked))
    compiled = problem.compile(recal)
    plan = solve(compiled, gap=gap, time_limit_s=time_limit_s)
    rows = plan.rows
    after = dict(zip(zid[recal.zone_of_row[rows]], recal.option_id[rows]))
    changed = pd.DataFrame({"zone_id": zid, "option_id_before": [choice[z] for z in zid],
                            "option_id_after": [after[z] for z in zid]})
    changed = changed[changed["option_id_before"] != changed["option_id_after"]].reset_index(drop=True)
    result = ReplanResult(paths=paths, table=recal, problem=problem, plan=plan, spent_capex_cny=spent,
                          budget_left_cny=left, worked=sorted(worked), locked=locked,
                          free=sorted(set(zid) - set(locked)), changed=changed)
    if out is not None:
        result.files = _write(result, run_dir, Path(monitoring), int(year), out)
    return result


def _write(r: ReplanResult, run_dir: Path, mon_dir: Path, year: int, out: Path) -> list[Path]:
    from ..io.atomic import write_atomic
    from ..io.manifest import manifest
    from ..io.plans import write_json, write_plan
    from ..site import file_sha256

    summary = r.plan.summary()
    doc = manifest(command="replan", site=r.paths.site, table=r.table, problem=asdict(r.problem),
                   solver={k: summary[k] for k in ("status", "solver", "gap", "bound", "runtime_s", "message")})
    previous = list((r.paths.plan.manifest or {}).get("history") or [])
    step = {"command": "replan", "year": year,
            "run": {"path": str(run_dir), "manifest_sha256": file_sha256(run_dir / "manifest.json")},
            "monitoring": {"path": str(mon_dir), "zones_sha256": file_sha256(mon_dir / "zones.csv")},
            "spent_capex_cny": r.spent_capex_cny, "budget_left_cny": r.budget_left_cny,
            "locked_zones": len(r.locked), "free_zones": len(r.free), "changed_zones": len(r.changed)}
    doc["history"] = previous + [step]
    files = write_plan(r.plan, r.paths.site, out, manifest=doc, summary=summary)
    files.append(write_atomic(out / "replan_changes.csv", lambda p: r.changed.to_csv(p, index=False)))
    files.append(write_json(out / "manifest.json", doc))
    return files
