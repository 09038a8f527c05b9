"""A problem fitted to an option table: the arrays every solver works on (:class:`Compiled`), the
inputs of the non-linear objectives, and the explanation of constraints that cannot hold."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np

from ..errors import InfeasibleError, ProblemDefinitionError
from ..i18n import N_, _
from ..linear import LinearCore
from .objectives import OBJECTIVES, Objective, constraint_label

if TYPE_CHECKING:
    from ..options import OptionTable
    from .declare import Problem


@dataclass(frozen=True, eq=False)
class NonlinearInputs:
    """What the non-linear objectives need, per compiled row, built once at compile time.

    ``veg_code`` indexes ``veg_types`` (``""`` is "no vegetation": open water, bare works);
    ``counted[k]`` says whether type ``k`` counts in the diversity index (every type but ``""``).
    ``zone_area_ha`` is per zone. The annual series (t CO2e/yr and t/yr per zone, years 1…T of the
    settings, float32) are present when a series objective is asked for. ``adjacency`` is
    ``(i, j, shared_length_m)`` of neighbouring zones, or None when the site has no polygons.
    """

    veg_code: np.ndarray                      # (n_rows,) int32
    veg_types: tuple[str, ...]
    counted: np.ndarray                       # (K,) bool
    zone_area_ha: np.ndarray                  # (n_zones,)
    net_removals_t: np.ndarray | None = None  # (n_rows, T) float32, annual net removals [t CO2e/yr]
    soil_loss_t: np.ndarray | None = None     # (n_rows, T) float32, annual soil loss [t/yr]
    adjacency: tuple | None = None            # (i, j, shared_length_m)

    @property
    def horizon_yr(self) -> int:
        s = self.net_removals_t if self.net_removals_t is not None else self.soil_loss_t
        return 0 if s is None else int(s.shape[1])


ANNUAL_CHUNK_ROWS = 32_768


def nonlinear_inputs(table, rows: np.ndarray, zone_ptr: np.ndarray, *, series: bool = False,
                     adjacency=None) -> NonlinearInputs:
    """Vegetation codes (and optionally annual series) of the option-table ``rows`` of a problem."""
    types, code = np.unique(np.asarray(table.combos.params["veg_type"], dtype=object).astype(str),
                            return_inverse=True)
    veg_code = code.astype(np.int32)[table.combo[rows]]
    n_zones = len(zone_ptr) - 1
    zone_area = np.asarray(table.data["area_ha"], dtype=float)[rows[zone_ptr[:-1]]] if n_zones else np.zeros(0)
    net = loss = None
    if series:
        T = len(table.settings.years)
        net = np.empty((len(rows), T), dtype=np.float32)
        loss = np.empty((len(rows), T), dtype=np.float32)
        for start in range(0, len(rows), ANNUAL_CHUNK_ROWS):
            part = table.annual(rows[start:start + ANNUAL_CHUNK_ROWS])
            net[start:start + ANNUAL_CHUNK_ROWS] = part["net_removals_tco2e"]
            loss[start:start + ANNUAL_CHUNK_ROWS] = part["soil_loss_t"]
    return NonlinearInputs(veg_code=veg_code, veg_types=tuple(types.tolist()), counted=types != "",
                           zone_area_ha=zone_area, net_removals_t=net, soil_loss_t=loss,
                           adjacency=_check_adjacency(adjacency, n_zones))


def _check_adjacency(adjacency, n_zones: int):
    if adjacency is None:
        return None
    try:
        i, j, length = (np.asarray(a) for a in adjacency)
    except (TypeError, ValueError):
        raise ProblemDefinitionError("adjacency must be (i, j, shared_length_m) arrays") from None
    if not (len(i) == len(j) == len(length)):
        raise ProblemDefinitionError("adjacency arrays i, j and shared_length_m differ in length")
    if len(i) and (min(i.min(), j.min()) < 0 or max(i.max(), j.max()) >= n_zones):
        raise ProblemDefinitionError(f"adjacency names zones outside 0…{n_zones - 1}: was it computed for "
                                     "another site?")
    if len(length) and not (np.all(np.isfinite(length)) and length.min() >= 0):
        raise ProblemDefinitionError("shared boundary lengths must be finite and ≥ 0 m")
    return i.astype(np.int64), j.astype(np.int64), length.astype(np.float64)


#: Names of the constraint rows (:func:`~optimizer.problem.declare.coupling_rows`), for messages.
CONSTRAINT_NAMES = (N_("budget (capex)"), N_("budget (cost)"), N_("site soil loss"), N_("topsoil stock"),
                    N_("gangue stock"))


def _and(items: list[str]) -> str:
    """"a", "a and b", "a, b and c" in the current language."""
    if len(items) <= 1:
        return "".join(items)
    return _("{items} and {last}").format(items=_(", ").join(items[:-1]), last=items[-1])


def _money(v: float, unit: str) -> str:
    if unit == "CNY":
        return f"¥{v / 1e6:,.2f} M" if abs(v) >= 1e5 else f"¥{v:,.0f}"
    if unit == "ha" and v < 0:
        return f"{-v:,.1f} ha"
    return f"{v:,.0f} {unit}"


@dataclass(frozen=True, eq=False)
class Compiled:
    """A problem fitted to an option table: the arrays every solver works on.

    ``rows`` are the option-table rows still allowed, zone after zone (``zone_ptr``); a plan is a
    local option index per zone into them. ``F`` (objectives × rows) is in the minimisation sense
    and natural units; ``A x <= b`` are the coupling constraints in natural units.
    """

    problem: Problem
    table: OptionTable
    rows: np.ndarray
    zone_ptr: np.ndarray
    F: np.ndarray
    A: np.ndarray
    b: np.ndarray
    objectives: tuple[Objective, ...]
    con_names: tuple[str, ...]
    con_units: tuple[str, ...]
    locked_zone: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    nonlinear: NonlinearInputs | None = None
    #: natural direction of each row: ">=" rows (minimum shares, lower targets) are stored negated
    con_senses: tuple[str, ...] = ()

    @property
    def n_zones(self) -> int:
        return len(self.zone_ptr) - 1

    @property
    def n_options(self) -> np.ndarray:
        return np.diff(self.zone_ptr)

    @property
    def zone_ids(self) -> np.ndarray:
        return self.table.zones["zone_id"].to_numpy(dtype=object)

    def table_rows(self, choice: np.ndarray) -> np.ndarray:
        """Option-table rows of plans given as local indices (zones,) or (pop, zones)."""
        return self.rows[self.zone_ptr[:-1] + np.asarray(choice, dtype=np.int64)]

    @property
    def is_linear(self) -> bool:
        """True when every objective is a sum over zones (exact solvers apply)."""
        return all(o.linear for o in self.objectives)

    @property
    def adjacency(self):
        return None if self.nonlinear is None else self.nonlinear.adjacency

    def with_adjacency(self, adjacency) -> Compiled:
        """The same problem with neighbouring zones ``(i, j, shared_length_m)`` attached."""
        if self.nonlinear is None:
            raise ProblemDefinitionError("this compiled problem has no vegetation data; compile it from an "
                                         "option table with Problem.compile(table, adjacency=...)")
        return replace(self, nonlinear=replace(self.nonlinear, adjacency=_check_adjacency(adjacency, self.n_zones)))

    def linear_part(self) -> Compiled:
        """The same rows and constraints with only the linear objectives (for exact solvers:
        plans of one are plans of the other, zone for zone)."""
        keep = [k for k, o in enumerate(self.objectives) if o.linear]
        if not keep:
            raise ProblemDefinitionError(_("the problem has no linear objective for an exact solver"))
        if len(keep) == len(self.objectives):
            return self
        objs = tuple(self.objectives[k] for k in keep)
        return replace(self, problem=self.problem.with_(objectives=tuple(o.name for o in objs)),
                       F=self.F[keep], objectives=objs)

    def natural(self, f_min_sense: np.ndarray) -> np.ndarray:
        """Objective values from the internal (minimisation) sense back to their natural sign."""
        sense = np.array([o.sense for o in self.objectives], dtype=float)
        return np.asarray(f_min_sense) * sense

    def core(self, objective: int | np.ndarray = 0, extra_A: np.ndarray | None = None,
             extra_b: np.ndarray | None = None, extra_names: tuple[str, ...] = ()) -> tuple[LinearCore, dict]:
        """The linear core for an exact solver, with rows scaled for numerics.

        ``objective``: an index into the objectives, or weights (one per objective, min sense).
        ``extra_A``/``extra_b`` add rows in natural units (ε-constraints). Returns the core and the
        scale factors (``c_scale``; ``row_scale`` per row) to map values back: natural = core × scale.
        """
        w = np.zeros(len(self.objectives))
        if np.ndim(objective) == 0:
            w[int(objective)] = 1.0
        else:
            w = np.asarray(objective, dtype=float)
        used = [o.name for o, wk in zip(self.objectives, w) if wk != 0 and not o.linear]
        if used:
            raise ProblemDefinitionError(
                _("{names} is not a sum over zones, so the exact solvers cannot take it: use the genetic or hybrid "
                  "method (or Compiled.linear_part() for the linear objectives)").format(
                      names=", ".join(sorted(set(used)))))
        if np.ndim(objective) == 0:
            c = self.F[int(objective)].astype(float)
        else:
            c = np.asarray(objective, dtype=float) @ self.F
        A, b = self.A, self.b
        names = self.con_names
        if extra_A is not None:
            if extra_b is None:
                raise ValueError("core(): extra_A needs extra_b, one right-hand side per extra row")
            A = np.vstack([A, np.atleast_2d(extra_A)])
            b = np.concatenate([b, np.atleast_1d(extra_b)])
            names = names + tuple(extra_names)
        c_scale = _scale(c)
        row_scale = np.array([_scale(r) for r in A]) if len(A) else np.zeros(0)
        core = LinearCore(zone_ptr=self.zone_ptr, c=c / c_scale,
                          A=A / row_scale[:, None] if len(A) else A.copy(),
                          b=b / row_scale if len(b) else b.copy(), row_names=names)
        return core, {"c_scale": c_scale, "row_scale": row_scale}

    # ---------------------------------------------------------------------------------------
    def min_lhs(self) -> tuple[np.ndarray, np.ndarray]:
        """Per constraint, the least A·x any plan can have (each row alone) and its argmin plan."""
        if not len(self.A):
            return np.zeros(0), np.zeros((0, self.n_zones), dtype=np.int64)
        starts = self.zone_ptr[:-1]
        mins = np.minimum.reduceat(self.A, starts, axis=1)
        total = mins.sum(axis=1)
        return total, mins

    def check_single_rows(self) -> None:
        """Raise :class:`InfeasibleError` if some constraint cannot hold even on its own."""
        from ..evaluate import feasibility_tolerance  # evaluate reads this module: imported when used
        total, mins = self.min_lhs()
        msgs = []
        for i, name in enumerate(self.con_names):
            if name.endswith((" target (at least)", " target (at most)")) and len(self.con_names) > 1:
                continue  # said better by the solver: the most a plan reaches under the other rows too
            if total[i] > self.b[i] + float(feasibility_tolerance(self.b[i])):
                msgs.append(self.explain_row(i, total[i], mins[i]))
        if msgs:
            raise InfeasibleError(_("no plan meets the constraints:") + "\n" + "\n".join(f"  - {m}" for m in msgs),
                                  msgs)

    def explain_row(self, i: int, least: float, zone_mins: np.ndarray, others: tuple[str, ...] = ()) -> str:
        """Say why row ``i`` cannot hold: by how much, and which zones force it.

        ``least`` is the least left-hand side any plan reaches (under ``others``, the names of the
        other constraints it was computed with, if any).
        """
        name, unit, rhs = self.con_names[i], self.con_units[i], self.b[i]
        t = self.table
        # a joined portfolio problem has no one option table: its zones are numbered
        ids = self.zone_ids if t is not None else np.array([str(z) for z in range(self.n_zones)], dtype=object)
        # what each zone needs at least, compared with what it would need with every option allowed
        col = {"budget (capex)": "capex_cny", "budget (cost)": "cost_cny", "site soil loss": "soil_loss_t_per_yr",
               "topsoil stock": "topsoil_m3", "gangue stock": "gangue_m3"}.get(name)
        if col is not None and t is not None:
            free_min = np.minimum.reduceat(t.data[col], t.zone_ptr[:-1])
            forced = zone_mins - free_min
            locked = self.locked_zone if len(self.locked_zone) else np.zeros(len(ids), bool)
            by_lock = float(zone_mins[locked].sum())
            by_rules = forced.copy()
            by_rules[locked] = 0
            order = np.argsort(-by_rules)
            top = [ids[z] for z in order[:6] if by_rules[z] > 0]
            lead = ({"budget (capex)": _("budget"), "budget (cost)": _("budget (NPV cost)")}.get(name)
                    or _("the {name}").format(name=constraint_label(name)))
            if by_lock > rhs and by_rules.sum() <= 0:
                return _("{lead} {rhs} cannot cover the locked zones ({locked}: {zones})").format(
                    lead=lead, rhs=_money(rhs, unit), locked=_money(by_lock, unit),
                    zones=", ".join(ids[locked][:6]) + (", …" if locked.sum() > 6 else ""))
            reasons = []
            if self.problem.enforce_tolerance:
                reasons.append(_("the soil-loss tolerance"))
            if self.problem.forbid or self.problem.zone_forbid:
                reasons.append(_("the forbidden measures"))
            if locked.any():
                reasons.append(_("the locks"))
            reasons += [_("the {name}").format(name=constraint_label(o)) for o in others]
            why = _and(reasons) if reasons else _("the zones' feasible options")
            zones = _(" (zones {zones})").format(zones=", ".join(top) + (", …" if (by_rules > 0).sum() > 6 else "")) \
                if top and not others else ""
            text = {(True, True): N_("{lead} {rhs} is below the {least} that {why} alone requires{zones}; short by "
                                     "{short}"),
                    (False, True): N_("{lead} {rhs} is below the {least} that {why} alone require{zones}; short by "
                                      "{short}"),
                    (True, False): N_("{lead} {rhs} is below the {least} that {why} requires{zones}; short by {short}"),
                    (False, False): N_("{lead} {rhs} is below the {least} that {why} require{zones}; short by {short}"),
                    }[(len(reasons) <= 1, not others)]
            return _(text).format(lead=lead, rhs=_money(rhs, unit), least=_money(least, unit), why=why, zones=zones,
                                  short=_money(least - rhs, unit))
        under = (_(" while meeting the {names}").format(names=_(" and ").join(constraint_label(o) for o in others))
                 if others else "")
        target = name.split(" target (", 1)[0] if name.endswith((" target (at least)", " target (at most)")) else ""
        if target in OBJECTIVES:
            o = OBJECTIVES[target]
            if name.endswith("(at least)"):
                return _("the most any plan can reach for {label} is {most}{under}; the target asks at least {target} "
                         "(short by {short})").format(label=_(o.label), most=_money(-least, unit), under=under,
                                                      target=_money(-rhs, unit), short=_money(least - rhs, unit))
            return _("the least any plan can reach for {label} is {least}{under}; the target asks at most {target} "
                     "(over by {over})").format(label=_(o.label), least=_money(least, unit), under=under,
                                                target=_money(rhs, unit), over=_money(least - rhs, unit))
        if name.startswith("least share of "):   # a portfolio's [[min_share]] row, Σ (share − member)·q·x <= 0
            return _("the {name} cannot hold{under}: even the plan that favours it most leaves it short by {short} "
                     "of the share").format(name=constraint_label(name), under=under, short=_money(least, unit))
        if name.startswith("min "):
            return _("{name} cannot reach {target} ha: at most {most} ha of the site can carry it{under}; short by "
                     "{short} ha").format(name=constraint_label(name), target=f"{-rhs:,.1f}",
                                          most=f"{0.0 - least:,.1f}", under=under, short=f"{least - rhs:,.1f}")
        return _("{name} cannot stay within {limit} {unit}: at least {least} {unit} are forced{under}; over by "
                 "{over} {unit}").format(name=constraint_label(name), limit=f"{rhs:,.1f}", unit=unit,
                                         least=f"{least:,.1f}", under=under, over=f"{least - rhs:,.1f}")


def _scale(v: np.ndarray) -> float:
    """A power of ten near the largest |coefficient|, so scaled rows have coefficients ≤ ~10."""
    m = float(np.max(np.abs(v))) if len(v) else 0.0
    if not np.isfinite(m) or m == 0.0:
        return 1.0
    return float(10.0 ** np.floor(np.log10(m)))
