"""The declared problem, as a value: objectives and constraints. ``compile`` fits it to an option
table and builds the arrays the solvers use; nothing is solved here.

    problem = Problem(objectives=("removals", "cost"), budget_cny=5e7, site_soil_loss_cap_t_per_yr=800)
    compiled = problem.compile(table)      # checks the pieces fit; drops forbidden/intolerable options
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace

import numpy as np

from ..errors import InfeasibleError, ProblemDefinitionError
from ..i18n import _
from ..models import erosion
from .compiled import Compiled, nonlinear_inputs
from .objectives import OBJECTIVES, SERIES_OBJECTIVES, SHARE_KINDS, Share, Target


@dataclass(frozen=True)
class Problem:
    objectives: tuple[str, ...] = ("removals",)
    budget_cny: float | None = None
    budget_on: str = "capex"                      # "capex" or "cost" (NPV)
    enforce_tolerance: bool = True                # drop options above the tolerable soil loss
    site_soil_loss_cap_t_per_yr: float | None = None
    topsoil_stock_m3: float | None = None
    gangue_stock_m3: float | None = None
    shares: tuple[Share, ...] = ()
    targets: tuple[Target, ...] = ()              # bounds on linear objectives' site totals
    locks: tuple[tuple[str, str], ...] = ()       # (zone_id, option_id)
    forbid: tuple[str, ...] = ()                  # option ids or measure ids never to use
    zone_forbid: tuple[tuple[str, str], ...] = ()  # (zone_id, option or measure id) not to use in that zone

    @classmethod
    def from_settings(cls, settings, **changes) -> Problem:
        """Budget and stocks from the site settings (infinite values mean "no constraint")."""
        fin = lambda v: None if v is None or not np.isfinite(v) else float(v)  # noqa: E731
        base = cls(budget_cny=fin(settings.budget_cny), topsoil_stock_m3=fin(settings.topsoil_stock_m3),
                   gangue_stock_m3=fin(settings.gangue_stock_m3))
        return replace(base, **changes)

    def with_(self, **changes) -> Problem:
        return replace(self, **changes)

    # ------------------------------------------------------------------------------------------

    # ------------------------------------------------------------------------------------------
    def compile(self, table, adjacency=None) -> Compiled:
        """Check the pieces fit the option table and build the arrays the solvers use.

        ``adjacency``: ``(i, j, shared_length_m)`` of neighbouring zones
        (:func:`optimizer.adjacency.adjacency` of the site's zones), needed by the fragmentation
        objective and used by the genetic solver's neighbour-aware operators.

        Raises :class:`ProblemDefinitionError` for pieces that do not fit (unknown objective,
        lock to an unknown zone or option, share outside 0–1) and :class:`InfeasibleError` when a
        zone is left with no option, or a single constraint cannot hold even at its minimum.
        """
        errors = self.check()
        allowed = allowed_rows(self, table, errors)
        if errors:
            raise ProblemDefinitionError(_("the problem does not fit the option table:") + "\n"
                                         + "\n".join(f"  - {e}" for e in errors))
        rows, zone_ptr = rows_by_zone(table, allowed)
        objs = [OBJECTIVES[o] for o in self.objectives]
        # non-linear objectives have no per-option column: their row of F is zero (evaluate fills them)
        F = np.vstack([o.sense * table.data[o.column][rows] if o.linear else np.zeros(len(rows)) for o in objs]) \
            if objs else np.zeros((0, len(rows)))
        nonlinear = nonlinear_inputs(table, rows, zone_ptr, series=any(o.name in SERIES_OBJECTIVES for o in objs),
                                     adjacency=adjacency)
        if any(o.name == "fragmentation" for o in objs) and nonlinear.adjacency is None:
            raise ProblemDefinitionError(
                _("the fragmentation objective needs the zones' polygons: compile(table, "
                  "adjacency=optimizer.adjacency.adjacency(site.zones)); a CSV zoning file has no geometry"))
        cons = coupling_rows(self, table, rows)
        A = np.vstack([c.coefficients for c in cons]) if cons else np.zeros((0, len(rows)))
        b = np.array([c.rhs for c in cons], dtype=float)
        compiled = Compiled(problem=self, table=table, rows=rows, zone_ptr=zone_ptr, F=F, A=A, b=b,
                            objectives=tuple(objs), con_names=tuple(c.name for c in cons),
                            con_units=tuple(c.unit for c in cons), locked_zone=allowed.locked_zone,
                            nonlinear=nonlinear, con_senses=tuple(c.sense for c in cons))
        compiled.check_single_rows()
        return compiled

    def check(self) -> list[str]:
        """What is wrong with the problem's own pieces (before any option table is seen)."""
        errors: list[str] = []
        for name in self.objectives:
            if name not in OBJECTIVES:
                near = difflib.get_close_matches(name, OBJECTIVES, n=1)
                errors.append(_("unknown objective {name}").format(name=repr(name))
                              + (_("; did you mean {name}?").format(name=repr(near[0])) if near
                                 else _("; valid: {valid}").format(valid=", ".join(OBJECTIVES))))
        if not self.objectives:
            errors.append(_("at least one objective is needed"))
        if len(set(self.objectives)) != len(self.objectives):
            errors.append(_("an objective is listed twice"))
        if self.budget_on not in ("capex", "cost"):
            errors.append(_("budget_on must be 'capex' or 'cost', not {value}").format(value=repr(self.budget_on)))
        for name in ("budget_cny", "site_soil_loss_cap_t_per_yr", "topsoil_stock_m3", "gangue_stock_m3"):
            v = getattr(self, name)
            if v is not None and not (v >= 0 and np.isfinite(v)):
                errors.append(_("{name} must be a finite number ≥ 0, not {value}").format(name=name, value=v))
        for s in self.shares:
            if s.kind not in SHARE_KINDS:
                errors.append(_("share kind {kind} is not one of {valid}").format(kind=repr(s.kind),
                                                                                    valid=", ".join(SHARE_KINDS)))
            for v in (s.low, s.high):
                if s.hectares and v is not None and not (0 <= v < np.inf):
                    errors.append(_("{name}: {value} is not an area ≥ 0 in hectares").format(name=s.name, value=v))
                elif not s.hectares and v is not None and not 0 <= v <= 1:
                    errors.append(_("{name}: {value} is not a fraction between 0 and 1").format(name=s.name, value=v))
            if s.low is not None and s.high is not None and s.low > s.high:
                errors.append(_("{name}: minimum {low} above maximum {high}").format(
                    name=s.name, low=s.low, high=s.high))
        for g in self.targets:
            o = OBJECTIVES.get(g.objective)
            if o is None or not o.linear:
                near = difflib.get_close_matches(g.objective, [n for n, x in OBJECTIVES.items() if x.linear], n=1)
                errors.append(_("a target needs a linear objective, not {name}").format(name=repr(g.objective))
                              + (_("; did you mean {name}?").format(name=repr(near[0])) if near else ""))
            if g.low is None and g.high is None:
                errors.append(_("target on {name} has neither a lower nor an upper bound").format(
                    name=repr(g.objective)))
            for v in (g.low, g.high):
                if v is not None and not np.isfinite(v):
                    errors.append(_("target on {name}: {value} is not a finite number").format(
                        name=repr(g.objective), value=v))
            if g.low is not None and g.high is not None and g.low > g.high:
                errors.append(_("target on {name}: lower bound {low} above upper bound {high}").format(
                    name=repr(g.objective), low=g.low, high=g.high))
        return errors


@dataclass(frozen=True, eq=False)
class Allowed:
    """Which option-table rows a problem allows, and why the others were dropped."""

    keep: np.ndarray            # (n_rows,) bool
    why_dropped: np.ndarray     # (n_rows,) int8: 1 intolerable soil loss, 2 forbidden, 3 another option locked
    locked_zone: np.ndarray     # (n_zones,) bool


def allowed_rows(problem: Problem, table, errors: list[str]) -> Allowed:
    """Rows left after the soil-loss tolerance, forbidden measures and locks; bad forbids and
    locks are appended to ``errors``."""
    t = table
    n_rows = t.n_rows
    zone_ids = t.zones["zone_id"].to_numpy(dtype=object)
    opt_ids = t.option_id
    keep = np.ones(n_rows, dtype=bool)
    why_dropped = np.zeros(n_rows, dtype=np.int8)   # 1 tolerance, 2 forbidden, 3 lock
    if problem.enforce_tolerance:
        intolerable = ~t.data["within_tolerance"]
        keep &= ~intolerable
        why_dropped[intolerable] = 1
    if problem.forbid:
        measure_ids = set(t.combos.measures["measure_id"])
        known = set(opt_ids) | measure_ids
        for f in problem.forbid:
            if f not in known:
                near = difflib.get_close_matches(f, sorted(known), n=1)
                errors.append(_("forbidden {name} is neither a measure nor an option id").format(name=repr(f))
                              + (_("; did you mean {name}?").format(name=repr(near[0])) if near else ""))
        parts = np.array([set(o.split("+")) for o in t.combos.option_id], dtype=object)
        bad_combo = np.array([bool(p & set(problem.forbid)) or o in problem.forbid
                              for p, o in zip(parts, t.combos.option_id)])
        hit = bad_combo[t.combo] & keep
        keep &= ~bad_combo[t.combo]
        why_dropped[hit] = 2
    zindex = {z: i for i, z in enumerate(zone_ids)}
    if problem.zone_forbid:
        parts_of = [set(o.split("+")) | {o} for o in t.combos.option_id]
        known = set(opt_ids) | set(t.combos.measures["measure_id"])
        for zid, f in problem.zone_forbid:
            if zid not in zindex:
                errors.append(_("forbid in zone {zone}: no such zone").format(zone=repr(zid)))
                continue
            if f not in known:
                near = difflib.get_close_matches(f, sorted(known), n=1)
                errors.append(_("forbid in zone {zone}: {name} is neither a measure nor an option id").format(
                    zone=repr(zid), name=repr(f)) + (_("; did you mean {name}?").format(name=repr(near[0])) if near
                                                     else ""))
                continue
            z = zindex[zid]
            lo, hi = t.zone_ptr[z], t.zone_ptr[z + 1]
            bad = np.array([f in parts_of[c] for c in t.combo[lo:hi]], dtype=bool)
            hit = bad & keep[lo:hi]
            why_dropped[lo:hi][hit] = 2
            keep[lo:hi] &= ~bad
    locked_zone = np.zeros(t.n_zones, dtype=bool)
    for zid, oid in problem.locks:
        if zid not in zindex:
            near = difflib.get_close_matches(str(zid), list(map(str, zone_ids)), n=1)
            errors.append(_("lock: no zone {zone}").format(zone=repr(zid))
                          + (_("; did you mean {name}?").format(name=repr(near[0])) if near else ""))
            continue
        z = zindex[zid]
        lo, hi = t.zone_ptr[z], t.zone_ptr[z + 1]
        match = np.flatnonzero(opt_ids[lo:hi] == oid)
        if len(match) == 0:
            near = difflib.get_close_matches(oid, list(opt_ids[lo:hi]), n=3)
            why = t.refusal_reason(z, oid)
            errors.append(_("lock: option {option} is not feasible for zone {zone}").format(
                option=repr(oid), zone=repr(zid)) + (_(" ({reason})").format(reason=why) if why else "")
                + (_("; feasible options include {options}").format(options=", ".join(near)) if near else ""))
            continue
        others = np.arange(lo, hi) != lo + match[0]
        why_dropped[lo:hi][others & keep[lo:hi]] = 3
        keep[lo:hi] = ~others
        locked_zone[z] = True
    return Allowed(keep, why_dropped, locked_zone)


def _intolerable_why(table, lo: int, hi: int) -> str:
    """Which soil-loss test the options of rows lo:hi fail, with the best value of each
    (docs/science.md §3.8)."""
    s = table.settings
    loss = table.annual(np.arange(lo, hi))["soil_loss_t"] / table.data["area_ha"][lo]
    mean_ok, early_ok, mean, worst = erosion.tolerance_tests(loss, s.tolerable_soil_loss_t_per_ha_yr,
                                                             s.tolerance_early_years, s.tolerance_early_factor)
    text = _("mean over {years} yr above {limit} t/ha/yr in {n} (best {best})").format(
        years=loss.shape[1], limit=f"{s.tolerable_soil_loss_t_per_ha_yr:g}", n=(~mean_ok).sum(),
        best=f"{mean.min():.1f}")
    if s.tolerance_rule == "mean_and_early":
        bound = s.tolerance_early_factor * s.tolerable_soil_loss_t_per_ha_yr
        text += _("; worst of the first {years} yr above {factor} × {limit} = {bound} t/ha in {n} "
                  "(best {best})").format(
            years=s.tolerance_early_years, factor=f"{s.tolerance_early_factor:g}",
            limit=f"{s.tolerable_soil_loss_t_per_ha_yr:g}", bound=f"{bound:g}", n=(~early_ok).sum(),
            best=f"{worst.min():.1f}")
    return text


def rows_by_zone(table, allowed: Allowed) -> tuple[np.ndarray, np.ndarray]:
    """The allowed rows, zone after zone, and their zone pointer; :class:`InfeasibleError` naming
    every zone left with no option, and why."""
    t = table
    keep, why_dropped = allowed.keep, allowed.why_dropped
    zone_ids = t.zones["zone_id"].to_numpy(dtype=object)
    counts = np.bincount(t.zone_of_row[keep], minlength=t.n_zones)
    empty = np.flatnonzero(counts == 0)
    if len(empty):
        msgs = []
        intolerable = False
        for z in empty[:20]:
            lo, hi = t.zone_ptr[z], t.zone_ptr[z + 1]
            w = why_dropped[lo:hi]
            bits = []
            if (w == 1).any():
                intolerable = True
                bits.append(_("{n} exceed the tolerable soil loss: {why}").format(
                    n=(w == 1).sum(), why=_intolerable_why(t, lo, hi)))
            if (w == 2).any():
                bits.append(_("{n} use forbidden measures").format(n=(w == 2).sum()))
            msgs.append(_("zone {zone}: none of its {n} options is allowed: ").format(zone=repr(zone_ids[z]), n=hi - lo)
                        + "; ".join(bits))
        more = _(" (and {n} more zones)").format(n=len(empty) - 20) if len(empty) > 20 else ""
        hint = _(" Allow them with enforce_tolerance=False (--allow-intolerable) or add a landform measure.") \
            if intolerable else ""
        raise InfeasibleError(_("{n} zone(s) have no allowed option{more}.{hint}").format(
                                  n=len(empty), more=more, hint=hint) + "\n"
                              + "\n".join(f"  - {m}" for m in msgs), msgs)

    rows = np.flatnonzero(keep)
    zone_ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return rows, zone_ptr


@dataclass(frozen=True, eq=False)
class Row:
    """One coupling constraint ``coefficients · x <= rhs`` in natural units; ``sense`` says how a
    reader states it (``">="`` rows are stored negated)."""

    name: str
    unit: str
    coefficients: np.ndarray
    rhs: float
    sense: str = "<="


def coupling_rows(problem: Problem, table, rows: np.ndarray) -> list[Row]:
    """Budget, site soil loss, stocks, area shares and targets as rows over the allowed ``rows``."""
    t = table
    cons: list[Row] = []
    if problem.budget_cny is not None:
        col = "capex_cny" if problem.budget_on == "capex" else "cost_cny"
        cons.append(Row(f"budget ({problem.budget_on})", "CNY", t.data[col][rows], float(problem.budget_cny)))
    if problem.site_soil_loss_cap_t_per_yr is not None:
        cons.append(Row("site soil loss", "t/yr", t.data["soil_loss_t_per_yr"][rows],
                         float(problem.site_soil_loss_cap_t_per_yr)))
    if problem.topsoil_stock_m3 is not None:
        cons.append(Row("topsoil stock", "m³", t.data["topsoil_m3"][rows], float(problem.topsoil_stock_m3)))
    if problem.gangue_stock_m3 is not None:
        cons.append(Row("gangue stock", "m³", t.data["gangue_m3"][rows], float(problem.gangue_stock_m3)))
    area = t.data["area_ha"][rows]
    total_area = float(t.zones["area_ha"].sum())
    for s in problem.shares:
        member = _share_member(s, t, rows)
        scale = 1.0 if s.hectares else total_area
        if s.low is not None:
            cons.append(Row(f"min {s.name}", "ha", -area * member, -s.low * scale, ">="))
        if s.high is not None:
            cons.append(Row(f"max {s.name}", "ha", area * member, s.high * scale))
    for g in problem.targets:
        o = OBJECTIVES[g.objective]
        coef = t.data[o.column][rows]
        if g.low is not None:
            cons.append(Row(f"{o.name} target (at least)", o.unit, -coef, -float(g.low), ">="))
        if g.high is not None:
            cons.append(Row(f"{o.name} target (at most)", o.unit, coef, float(g.high)))
    return cons


def _share_member(s: Share, t, rows) -> np.ndarray:
    p = t.combos.params
    c = t.combo[rows]
    if s.kind == "vegetation_type":
        known = sorted({str(v) for v in t.combos.measures["vegetation_type"].dropna() if str(v)})
        if s.value not in known:                 # a typo would make the row vacuous or unreachable
            near = difflib.get_close_matches(s.value, known, n=1)
            raise ProblemDefinitionError(_("{name}: unknown vegetation type {value}{hint}").format(
                name=s.name, value=repr(s.value),
                hint=(_("; did you mean {name}?").format(name=repr(near[0])) if near
                      else _("; valid: {valid}").format(valid=", ".join(known)))))
        return (p["veg_type"][c] == s.value).astype(float)
    if s.kind == "woody":
        return p["woody"][c].astype(float)
    from ..catalog import GROUPS
    ms = t.combos.measures
    if s.kind == "measure":
        if s.value not in set(ms["measure_id"]):
            raise ProblemDefinitionError(_("share: unknown measure {name}").format(name=repr(s.value)))
        i = int(np.flatnonzero(ms["measure_id"].to_numpy() == s.value)[0])
        return (t.combos.index[c] == i).any(axis=1).astype(float)
    if s.value not in GROUPS:
        raise ProblemDefinitionError(_("share: unknown measure group {name}; valid: {valid}").format(
            name=repr(s.value), valid=", ".join(GROUPS)))
    return (t.combos.index[c, GROUPS.index(s.value)] >= 0).astype(float)
