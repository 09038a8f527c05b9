"""What a report says, gathered once from a run folder: the plans, the headline plan, totals,
front roles, settings and manifest. Read from files only; no model is re-run, and site totals,
credits by standard and baseline totals are the plans' own (``PlanResult.numbers``: summary.json
where the run wrote one, else the reader's reconstruction from per-zone rows)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..analysis import compare, frontier
from ..catalog import GROUPS
from ..i18n import _
from ..io.manifest import verify_outputs
from ..io.plans import FrontResult, PlanResult, read_run

if TYPE_CHECKING:
    import geopandas as gpd


@dataclass(frozen=True, eq=False)
class ReportContext:
    run_path: Path
    kind: str                              # "plan" or "front"
    plans: tuple[PlanResult, ...]          # one (plan) or one per front point
    headline: int                          # index of the plan shown in the static sections
    manifest: dict
    settings: dict
    standards: tuple[str, ...]
    geometry: gpd.GeoDataFrame | None
    front: pd.DataFrame | None = None
    objectives: tuple[str, ...] = ()
    roles: dict = field(default_factory=dict)
    integrity: tuple[str, ...] = ()        # problems found checking outputs against the manifest
    summary: dict | None = None            # summary.json of an optimize run
    uncertainty: dict | None = None        # RUN_DIR/uncertainty/ tables (name → DataFrame, "manifest" → dict)

    @property
    def plan(self) -> PlanResult:
        return self.plans[self.headline]

    @property
    def zones(self) -> pd.DataFrame:
        return self.plan.zones

    @property
    def front_points(self) -> pd.DataFrame:
        """front.csv of a front run, one row per point (a plan run has none)."""
        if self.front is None:
            raise ValueError(f"{self.run_path}: a {self.kind} run has no front")
        return self.front

    @property
    def site_name(self) -> str:
        return str(self.settings.get("name") or "unnamed site")

    @property
    def horizon(self) -> int:
        return int(self.settings.get("horizon_yr") or 0)

    @property
    def start_year(self) -> int | None:
        v = self.settings.get("start_year")
        return int(v) if v is not None else None

    @property
    def tolerable(self) -> float | None:
        v = self.settings.get("tolerable_soil_loss_t_per_ha_yr")
        return float(v) if v is not None else None

    def totals(self, k: int | None = None) -> dict:
        """Site totals of plan ``k`` (the headline by default) keyed by ``compare.metrics_for``."""
        return compare.plan_totals(self.plans[self.headline if k is None else k], self.standards)

    def baseline_totals(self, k: int | None = None) -> dict:
        """"No works" totals beside plan ``k`` (column → float; only the columns the files hold),
        with ``credits_{S}_tco2e`` per standard and ``zones_with_works`` = 0, keyed like :meth:`totals`."""
        n = self.plans[self.headline if k is None else k].numbers
        base = dict(n["baseline_totals"])
        if not base:
            return {}
        by_std = n["baseline_credits_by_standard"]
        base.update({f"credits_{s}_tco2e": by_std.get(s, float("nan")) for s in self.standards})
        base["zones_with_works"] = 0.0
        return base

    @property
    def measure_names(self) -> dict[str, str]:
        """Measure id → name of the bundled catalog (a planner's own measure shows its id)."""
        from ..catalog import load_catalog
        m = load_catalog().measures
        return dict(zip(m["measure_id"].astype(str), m["name"].astype(str)))

    @property
    def headline_name(self) -> str:
        """"Knee plan (point 4)", "Point 0" or "The plan"."""
        if self.kind != "front":
            return _("The plan")
        k = int(self.front_points["point"].iloc[self.headline])
        return (_("Knee plan (point {k})") if self.roles.get("knee") == self.headline else _("Point {k}")).format(k=k)

    def roles_of(self, k: int) -> list[str]:
        names = {"knee": _("knee"), "closest_to_ideal": _("closest to ideal")}
        out = []
        for r, i in self.roles.items():
            if i == k:
                if r in names:
                    out.append(names[r])
                elif r.startswith("best_"):
                    from .style import OBJECTIVE_LABELS, lower_first
                    out.append(_("best {objective}").format(
                        objective=lower_first(_(OBJECTIVE_LABELS.get(r[5:], (r[5:], ""))[0]))))
                else:
                    out.append(r.replace("_", " "))
        return out

    def point_label(self, k: int) -> str:
        return self.plans[k].label if self.kind == "front" else _("the plan")

    def statuses(self) -> list[tuple[str, float | None]]:
        if self.kind == "front":
            f = self.front_points
            return [(str(s), _num(g)) for s, g in zip(f["status"], f["gap"])]
        s = self.summary or {}
        return [(str(s.get("status", (self.manifest.get("solver") or {}).get("status", "unknown"))),
                 _num(s.get("gap", (self.manifest.get("solver") or {}).get("gap"))))]


def _num(v):
    try:
        v = float(v)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def load_context(path: str | Path) -> ReportContext:
    """Read a run folder (``optimize`` or ``pareto`` --out) or a plan file for a report."""
    path = Path(path)
    run = read_run(path)
    if isinstance(run, FrontResult):
        man = run.manifest or {}
        plans = run.points
        values = run.front[list(run.objectives)].to_numpy(float)
        try:
            roles = frontier.front_roles(values, run.objectives) if len(values) else {}
        except KeyError:          # an objective whose sense SinkPlan does not know: no knee, no extremes
            roles = {}
        headline = roles.get("knee", 0)
        root = run.path
        return ReportContext(run_path=path, kind="front", plans=plans, headline=headline, manifest=man,
                             settings=man.get("settings") or {}, standards=tuple(plans[0].standards),
                             geometry=run.geometry, front=run.front, objectives=run.objectives, roles=roles,
                             integrity=tuple(verify_outputs(man, root)) if man else (),
                             uncertainty=load_uncertainty(root / "uncertainty"))
    man = run.manifest or {}
    root = run.path.parent
    return ReportContext(run_path=path, kind="plan", plans=(run,), headline=0, manifest=man,
                         settings=man.get("settings") or {}, standards=tuple(run.standards), geometry=run.geometry,
                         integrity=tuple(verify_outputs(man, root)) if man else (), summary=run.summary,
                         uncertainty=load_uncertainty(root / "uncertainty"))


#: Tables of ``sinkplan uncertainty`` the report shows (file stems; only uncertainty.csv is required).
UNCERTAINTY_FILES = ("uncertainty", "fans", "probabilities", "deductions", "priorities", "sensitivity", "robust")


def load_uncertainty(folder: Path) -> dict | None:
    """The results of ``sinkplan uncertainty`` in ``folder`` (None when it holds no uncertainty.csv):
    name → DataFrame for each table present, and ``manifest`` (its manifest.json, or {})."""
    import json

    folder = Path(folder)
    if not (folder / "uncertainty.csv").is_file():
        return None
    out: dict = {name: pd.read_csv(folder / f"{name}.csv", dtype={"plan": str})
                 for name in UNCERTAINTY_FILES if (folder / f"{name}.csv").is_file()}
    m = folder / "manifest.json"
    out["manifest"] = json.loads(m.read_text(encoding="utf-8")) if m.is_file() else {}
    out["path"] = folder
    return out


def placeholders_in_plan(zones: pd.DataFrame) -> pd.DataFrame:
    """Placeholder items the chosen options depend on (the plan's ``placeholder_params``), with
    the number of zones and the area that use each."""
    rows: dict[str, list] = {}
    if "placeholder_params" not in zones:
        return pd.DataFrame(columns=["name", "zones", "area_ha"])
    for v, a in zip(zones["placeholder_params"].fillna(""), zones["area_ha"]):
        for item in {x.strip() for x in str(v).split(";") if x.strip()}:
            r = rows.setdefault(item, [0, 0.0])
            r[0] += 1
            r[1] += float(a)
    df = pd.DataFrame([(k, z, a) for k, (z, a) in rows.items()], columns=["name", "zones", "area_ha"])
    return df.sort_values(["zones", "name"], ascending=[False, True]).reset_index(drop=True)


def measure_groups() -> tuple[str, ...]:
    return tuple(GROUPS)


def frontier_tables(ctx: ReportContext):
    """Measure frequency, dominant vegetation and Jaccard matrix across a front's plans."""
    groups = measure_groups()
    frames = [p.zones for p in ctx.plans]
    freq = frontier.measure_frequency(frames, groups)
    dom = frontier.dominant_measure(freq, "vegetation")
    order = ctx.plans[0].zones["zone_id"]
    dom = dom.set_index("zone_id").reindex(order).reset_index()
    dom["measure_id"] = dom["measure_id"].fillna("(none)")
    dom["share"] = dom["share"].fillna(1.0)
    J = frontier.jaccard_matrix(frames, "measure", groups)
    return freq, dom, J


def zone_arrays(zones: pd.DataFrame, order) -> pd.DataFrame:
    """A plan's zone table in a given zone order (missing zones become empty rows)."""
    return zones.set_index("zone_id").reindex(list(order)).reset_index()


def removal_breaks(plans) -> list[float]:
    """Class breaks for the "net removals per ha" map: quantiles over all plans' positive values."""
    vals = np.concatenate([(p.zones["removals_tco2e"] / p.zones["area_ha"]).to_numpy(float) for p in plans])
    vals = vals[np.isfinite(vals) & (vals > 0)]
    if len(vals) == 0:
        return [1.0]
    qs = np.unique(np.round(np.quantile(vals, [0.2, 0.4, 0.6, 0.8, 0.95]), 1))
    return [float(q) for q in qs if q > 0] or [float(vals.max())]
