"""The declared optimisation problem: objectives and constraints, as a value. Nothing is solved here.

    problem = Problem(objectives=("removals", "cost"), budget_cny=5e7, site_soil_loss_cap_t_per_yr=800)
    compiled = problem.compile(table)      # checks the pieces fit; drops forbidden/intolerable options

Inside the solvers every objective is minimised and every constraint is ``A x <= b`` (pymoo's one
internal sense); the flip from "maximise removals" happens in one place, :data:`OBJECTIVES` and
:meth:`Compiled.natural`.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, replace

import numpy as np

from .errors import InfeasibleError, ProblemDefinitionError
from .linear import LinearCore


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
    Objective("removals", "removals_tco2e", -1, "t CO2e", "net removals over the horizon"),
    Objective("credit_value", "credit_value_cny", -1, "CNY", "credit value (NPV)"),
    Objective("credits", "credits_tco2e", -1, "t CO2e", "credits over the horizon"),
    Objective("avoided", "avoided_tco2e", -1, "t CO2e", "avoided emissions (kept apart from removals)"),
    Objective("cost", "cost_cny", +1, "CNY", "cost (NPV)"),
    Objective("capex", "capex_cny", +1, "CNY", "capital cost"),
    Objective("soil_loss", "soil_loss_t_per_yr", +1, "t/yr", "site soil loss (mean over the horizon)"),
    # non-linear objectives: only the genetic and hybrid solvers take them (definitions in evaluate.py)
    Objective("diversity", "", -1, "nats", "Shannon index of the area shares of vegetation types", "diversity"),
    Objective("fragmentation", "", +1, "m", "boundary between neighbouring zones of different vegetation",
              "fragmentation"),
    Objective("sink_year", "", +1, "year", "first year from which cumulative net removals stay positive",
              "sink_year"),
    Objective("soil_loss_worst5", "", +1, "t/yr", "site soil loss, mean of the five worst years", "soil_loss_worst5"),
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

    @property
    def name(self) -> str:
        what = "woody vegetation" if self.kind == "woody" else f"{self.kind} {self.value}"
        return f"area share of {what}"


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


#: What ``--constraint NAME<=VALUE`` may name besides the linear objectives and ``share:…``.
RESOURCE_CONSTRAINTS = {"topsoil": "topsoil_stock_m3", "gangue": "gangue_stock_m3", "budget": "budget_cny"}


def parse_constraints(items) -> dict:
    """Keyword arguments of :class:`Problem` from constraint texts, as the command line writes them.

    ``removals>=40000``, ``credits>=…``, ``credit_value>=…``, ``cost<=…``, ``capex<=…``,
    ``soil_loss<=800`` (any linear objective, either direction: a target), ``topsoil<=4e4``,
    ``gangue<=0``, ``budget<=5e7``, ``share:woody>=0.3``, ``share:vegetation_type=grassland<=0.5``,
    ``share:measure=terrace>=0.2``. Raises :class:`ProblemDefinitionError` naming the text.
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
        if val is None:
            raise ProblemDefinitionError(f"constraint {item!r}: write NAME<=VALUE or NAME>=VALUE, e.g. "
                                         "removals>=40000, soil_loss<=800 or share:woody>=0.3")
        if not math.isfinite(val):
            raise ProblemDefinitionError(f"constraint {item!r}: {m.group(3)} is not a finite number")
        name, op = m.group(1), {"≤": "<=", "≥": ">="}.get(m.group(2), m.group(2))
        if name.startswith("share:"):
            kind, _, value = name[len("share:"):].partition("=")
            out["shares"].append(Share(kind=kind, value=value, low=val if op == ">=" else None,
                                       high=val if op == "<=" else None))
        elif name in linear:
            out["targets"].append(Target(name, low=val if op == ">=" else None, high=val if op == "<=" else None))
        elif name in RESOURCE_CONSTRAINTS and op == "<=":
            if val < 0:
                raise ProblemDefinitionError(f"constraint {item!r}: a {name} limit cannot be negative")
            out[RESOURCE_CONSTRAINTS[name]] = val
        else:
            near = difflib.get_close_matches(name, [*linear, *RESOURCE_CONSTRAINTS], n=1)
            hint = f"; did you mean {near[0]!r}?" if near and near[0] != name else ""
            raise ProblemDefinitionError(
                f"constraint {item!r}: unknown constraint {name!r} (or wrong direction){hint}; use a target on "
                f"{', '.join(linear)} (>= or <=), " + ", ".join(f"{k}<=…" for k in RESOURCE_CONSTRAINTS)
                + ", or share:KIND[=VALUE]>=… / <=…")
    out["shares"] = tuple(out["shares"])
    out["targets"] = tuple(out["targets"])
    return out


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

    @classmethod
    def from_settings(cls, settings, **changes) -> "Problem":
        """Budget and stocks from the site settings (infinite values mean "no constraint")."""
        fin = lambda v: None if v is None or not np.isfinite(v) else float(v)  # noqa: E731
        base = cls(budget_cny=fin(settings.budget_cny), topsoil_stock_m3=fin(settings.topsoil_stock_m3),
                   gangue_stock_m3=fin(settings.gangue_stock_m3))
        return replace(base, **changes)

    def with_(self, **changes) -> "Problem":
        return replace(self, **changes)

    # ------------------------------------------------------------------------------------------
    def compile(self, table, adjacency=None) -> "Compiled":
        """Check the pieces fit the option table and build the arrays the solvers use.

        ``adjacency``: ``(i, j, shared_length_m)`` of neighbouring zones
        (:func:`optimizer.adjacency.adjacency` of the site's zones), needed by the fragmentation
        objective and used by the genetic solver's neighbour-aware operators.

        Raises :class:`ProblemDefinitionError` for pieces that do not fit (unknown objective,
        lock to an unknown zone or option, share outside 0–1) and :class:`InfeasibleError` when a
        zone is left with no option, or a single constraint cannot hold even at its minimum.
        """
        errors: list[str] = []
        for o in self.objectives:
            if o not in OBJECTIVES:
                near = difflib.get_close_matches(o, OBJECTIVES, n=1)
                errors.append(f"unknown objective {o!r}" + (f"; did you mean {near[0]!r}?" if near else
                                                             f"; valid: {', '.join(OBJECTIVES)}"))
        if not self.objectives:
            errors.append("at least one objective is needed")
        if len(set(self.objectives)) != len(self.objectives):
            errors.append("an objective is listed twice")
        if self.budget_on not in ("capex", "cost"):
            errors.append(f"budget_on must be 'capex' or 'cost', not {self.budget_on!r}")
        for name in ("budget_cny", "site_soil_loss_cap_t_per_yr", "topsoil_stock_m3", "gangue_stock_m3"):
            v = getattr(self, name)
            if v is not None and not (v >= 0 and np.isfinite(v)):
                errors.append(f"{name} must be a finite number ≥ 0, not {v}")
        for s in self.shares:
            if s.kind not in SHARE_KINDS:
                errors.append(f"share kind {s.kind!r} is not one of {', '.join(SHARE_KINDS)}")
            for v in (s.low, s.high):
                if v is not None and not 0 <= v <= 1:
                    errors.append(f"{s.name}: {v} is not a fraction between 0 and 1")
            if s.low is not None and s.high is not None and s.low > s.high:
                errors.append(f"{s.name}: minimum {s.low} above maximum {s.high}")
        for g in self.targets:
            o = OBJECTIVES.get(g.objective)
            if o is None or not o.linear:
                near = difflib.get_close_matches(g.objective, [n for n, x in OBJECTIVES.items() if x.linear], n=1)
                errors.append(f"a target needs a linear objective, not {g.objective!r}"
                              + (f"; did you mean {near[0]!r}?" if near else ""))
            if g.low is None and g.high is None:
                errors.append(f"target on {g.objective!r} has neither a lower nor an upper bound")
            for v in (g.low, g.high):
                if v is not None and not np.isfinite(v):
                    errors.append(f"target on {g.objective!r}: {v} is not a finite number")
            if g.low is not None and g.high is not None and g.low > g.high:
                errors.append(f"target on {g.objective!r}: lower bound {g.low} above upper bound {g.high}")

        t = table
        n_rows = t.n_rows
        zone_ids = t.zones["zone_id"].to_numpy(dtype=object)
        zone_of_row = t.zone_of_row
        opt_ids = t.option_id
        keep = np.ones(n_rows, dtype=bool)
        why_dropped = np.zeros(n_rows, dtype=np.int8)   # 1 tolerance, 2 forbidden, 3 lock
        if self.enforce_tolerance:
            intolerable = ~t.data["within_tolerance"]
            keep &= ~intolerable
            why_dropped[intolerable] = 1
        if self.forbid:
            measure_ids = set(t.combos.measures["measure_id"])
            known = set(opt_ids) | measure_ids
            for f in self.forbid:
                if f not in known:
                    near = difflib.get_close_matches(f, sorted(known), n=1)
                    errors.append(f"forbidden {f!r} is neither a measure nor an option id"
                                  + (f"; did you mean {near[0]!r}?" if near else ""))
            parts = np.array([set(o.split("+")) for o in t.combos.option_id], dtype=object)
            bad_combo = np.array([bool(p & set(self.forbid)) or o in self.forbid
                                  for p, o in zip(parts, t.combos.option_id)])
            hit = bad_combo[t.combo] & keep
            keep &= ~bad_combo[t.combo]
            why_dropped[hit] = 2
        zindex = {z: i for i, z in enumerate(zone_ids)}
        locked_zone = np.zeros(t.n_zones, dtype=bool)
        for zid, oid in self.locks:
            if zid not in zindex:
                near = difflib.get_close_matches(str(zid), list(map(str, zone_ids)), n=1)
                errors.append(f"lock: no zone {zid!r}" + (f"; did you mean {near[0]!r}?" if near else ""))
                continue
            z = zindex[zid]
            lo, hi = t.zone_ptr[z], t.zone_ptr[z + 1]
            match = np.flatnonzero(opt_ids[lo:hi] == oid)
            if len(match) == 0:
                near = difflib.get_close_matches(oid, list(opt_ids[lo:hi]), n=3)
                errors.append(f"lock: option {oid!r} is not feasible for zone {zid!r}"
                              + (f"; feasible options include {', '.join(near)}" if near else ""))
                continue
            others = np.arange(lo, hi) != lo + match[0]
            why_dropped[lo:hi][others & keep[lo:hi]] = 3
            keep[lo:hi] = ~others
            locked_zone[z] = True
        if errors:
            raise ProblemDefinitionError("the problem does not fit the option table:\n"
                                         + "\n".join(f"  - {e}" for e in errors))

        counts = np.bincount(zone_of_row[keep], minlength=t.n_zones)
        empty = np.flatnonzero(counts == 0)
        if len(empty):
            msgs = []
            for z in empty[:20]:
                lo, hi = t.zone_ptr[z], t.zone_ptr[z + 1]
                w = why_dropped[lo:hi]
                best = t.data["soil_loss_t_per_yr"][lo:hi].min() / t.data["area_ha"][lo]
                bits = []
                if (w == 1).any():
                    bits.append(f"{(w == 1).sum()} exceed the tolerable soil loss "
                                f"{t.settings.tolerable_soil_loss_t_per_ha_yr:g} t/ha/yr (best {best:.1f} t/ha/yr)")
                if (w == 2).any():
                    bits.append(f"{(w == 2).sum()} use forbidden measures")
                msgs.append(f"zone {zone_ids[z]!r}: none of its {hi - lo} options is allowed: " + "; ".join(bits))
            more = f" (and {len(empty) - 20} more zones)" if len(empty) > 20 else ""
            hint = " Allow them with enforce_tolerance=False (--allow-intolerable) or add a landform measure." \
                if any("tolerable" in m for m in msgs) else ""
            raise InfeasibleError(f"{len(empty)} zone(s) have no allowed option{more}.{hint}\n"
                                  + "\n".join(f"  - {m}" for m in msgs), msgs)

        rows = np.flatnonzero(keep)
        zone_ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        objs = [OBJECTIVES[o] for o in self.objectives]
        # non-linear objectives have no per-option column: their row of F is zero (evaluate fills them)
        F = np.vstack([o.sense * t.data[o.column][rows] if o.linear else np.zeros(len(rows)) for o in objs]) \
            if objs else np.zeros((0, len(rows)))
        nonlinear = nonlinear_inputs(t, rows, zone_ptr, series=any(o.name in SERIES_OBJECTIVES for o in objs),
                                     adjacency=adjacency)
        if any(o.name == "fragmentation" for o in objs) and nonlinear.adjacency is None:
            raise ProblemDefinitionError(
                "the fragmentation objective needs the zones' polygons: compile(table, "
                "adjacency=optimizer.adjacency.adjacency(site.zones)); a CSV zoning file has no geometry")

        cons: list[tuple[str, str, np.ndarray, float]] = []   # name, unit, coefficients, rhs
        if self.budget_cny is not None:
            col = "capex_cny" if self.budget_on == "capex" else "cost_cny"
            cons.append((f"budget ({self.budget_on})", "CNY", t.data[col][rows], float(self.budget_cny)))
        if self.site_soil_loss_cap_t_per_yr is not None:
            cons.append(("site soil loss", "t/yr", t.data["soil_loss_t_per_yr"][rows],
                         float(self.site_soil_loss_cap_t_per_yr)))
        if self.topsoil_stock_m3 is not None:
            cons.append(("topsoil stock", "m³", t.data["topsoil_m3"][rows], float(self.topsoil_stock_m3)))
        if self.gangue_stock_m3 is not None:
            cons.append(("gangue stock", "m³", t.data["gangue_m3"][rows], float(self.gangue_stock_m3)))
        area = t.data["area_ha"][rows]
        total_area = float(t.zones["area_ha"].sum())
        for s in self.shares:
            member = _share_member(s, t, rows)
            if s.low is not None:
                cons.append((f"min {s.name}", "ha", -area * member, -s.low * total_area))
            if s.high is not None:
                cons.append((f"max {s.name}", "ha", area * member, s.high * total_area))
        for g in self.targets:
            o = OBJECTIVES[g.objective]
            coef = t.data[o.column][rows]
            if g.low is not None:
                cons.append((f"{o.name} target (at least)", o.unit, -coef, -float(g.low)))
            if g.high is not None:
                cons.append((f"{o.name} target (at most)", o.unit, coef, float(g.high)))
        A = np.vstack([c[2] for c in cons]) if cons else np.zeros((0, len(rows)))
        b = np.array([c[3] for c in cons], dtype=float)
        compiled = Compiled(problem=self, table=t, rows=rows, zone_ptr=zone_ptr, F=F, A=A, b=b,
                            objectives=tuple(objs), con_names=tuple(c[0] for c in cons),
                            con_units=tuple(c[1] for c in cons), locked_zone=locked_zone, nonlinear=nonlinear,
                            con_senses=tuple(">=" if c[0].startswith("min ") or c[0].endswith("(at least)") else "<="
                                             for c in cons))
        compiled.check_single_rows()
        return compiled


def _share_member(s: Share, t, rows) -> np.ndarray:
    p = t.combos.params
    c = t.combo[rows]
    if s.kind == "vegetation_type":
        return (p["veg_type"][c] == s.value).astype(float)
    if s.kind == "woody":
        return p["woody"][c].astype(float)
    from .catalog import GROUPS
    ms = t.combos.measures
    if s.kind == "measure":
        if s.value not in set(ms["measure_id"]):
            raise ProblemDefinitionError(f"share: unknown measure {s.value!r}")
        i = int(np.flatnonzero(ms["measure_id"].to_numpy() == s.value)[0])
        return (t.combos.index[c] == i).any(axis=1).astype(float)
    if s.value not in GROUPS:
        raise ProblemDefinitionError(f"share: unknown measure group {s.value!r}; valid: {', '.join(GROUPS)}")
    return (t.combos.index[c, GROUPS.index(s.value)] >= 0).astype(float)


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
    table: object
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

    def with_adjacency(self, adjacency) -> "Compiled":
        """The same problem with neighbouring zones ``(i, j, shared_length_m)`` attached."""
        if self.nonlinear is None:
            raise ProblemDefinitionError("this compiled problem has no vegetation data; compile it from an "
                                         "option table with Problem.compile(table, adjacency=...)")
        return replace(self, nonlinear=replace(self.nonlinear, adjacency=_check_adjacency(adjacency, self.n_zones)))

    def linear_part(self) -> "Compiled":
        """The same rows and constraints with only the linear objectives (for exact solvers:
        plans of one are plans of the other, zone for zone)."""
        keep = [k for k, o in enumerate(self.objectives) if o.linear]
        if not keep:
            raise ProblemDefinitionError("the problem has no linear objective for an exact solver")
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
                f"{', '.join(sorted(set(used)))} is not a sum over zones, so the exact solvers cannot take it: "
                "use the genetic or hybrid method (or Compiled.linear_part() for the linear objectives)")
        if np.ndim(objective) == 0:
            c = self.F[int(objective)].astype(float)
        else:
            c = np.asarray(objective, dtype=float) @ self.F
        A, b = self.A, self.b
        names = self.con_names
        if extra_A is not None:
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
        total, mins = self.min_lhs()
        msgs = []
        for i, name in enumerate(self.con_names):
            if name.endswith((" target (at least)", " target (at most)")) and len(self.con_names) > 1:
                continue  # said better by the solver: the most a plan reaches under the other rows too
            if total[i] > self.b[i] + 1e-9 * max(1.0, abs(self.b[i])):
                msgs.append(self.explain_row(i, total[i], mins[i]))
        if msgs:
            raise InfeasibleError("no plan meets the constraints:\n" + "\n".join(f"  - {m}" for m in msgs), msgs)

    def explain_row(self, i: int, least: float, zone_mins: np.ndarray, others: tuple[str, ...] = ()) -> str:
        """Say why row ``i`` cannot hold: by how much, and which zones force it.

        ``least`` is the least left-hand side any plan reaches (under ``others``, the names of the
        other constraints it was computed with, if any).
        """
        name, unit, rhs = self.con_names[i], self.con_units[i], self.b[i]
        t = self.table
        ids = self.zone_ids
        # what each zone needs at least, compared with what it would need with every option allowed
        col = {"budget (capex)": "capex_cny", "budget (cost)": "cost_cny", "site soil loss": "soil_loss_t_per_yr",
               "topsoil stock": "topsoil_m3", "gangue stock": "gangue_m3"}.get(name)
        if col is not None:
            free_min = np.minimum.reduceat(t.data[col], t.zone_ptr[:-1])
            forced = zone_mins - free_min
            locked = self.locked_zone if len(self.locked_zone) else np.zeros(len(ids), bool)
            by_lock = float(zone_mins[locked].sum())
            by_rules = forced.copy()
            by_rules[locked] = 0
            order = np.argsort(-by_rules)
            top = [ids[z] for z in order[:6] if by_rules[z] > 0]
            lead = {"budget (capex)": "budget", "budget (cost)": "budget (NPV cost)"}.get(name, f"the {name}")
            if by_lock > rhs and by_rules.sum() <= 0:
                return (f"{lead} {_money(rhs, unit)} cannot cover the locked zones "
                        f"({_money(by_lock, unit)}: {', '.join(ids[locked][:6])}{', …' if locked.sum() > 6 else ''})")
            reasons = []
            if self.problem.enforce_tolerance:
                reasons.append("the soil-loss tolerance")
            if self.problem.forbid:
                reasons.append("the forbidden measures")
            if locked.any():
                reasons.append("the locks")
            reasons += [f"the {o}" for o in others]
            why = (", ".join(reasons[:-1]) + " and " + reasons[-1]) if len(reasons) > 1 else \
                (reasons[0] if reasons else "the zones' feasible options")
            zones = f" (zones {', '.join(top)}{', …' if (by_rules > 0).sum() > 6 else ''})" if top and not others \
                else ""
            verb = "requires" if len(reasons) <= 1 else "require"
            alone = "" if others else " alone"
            return (f"{lead} {_money(rhs, unit)} is below the {_money(least, unit)} that {why}{alone} "
                    f"{verb}{zones}; short by {_money(least - rhs, unit)}")
        under = f" while meeting the {' and '.join(others)}" if others else ""
        target = name.split(" target (", 1)[0] if name.endswith((" target (at least)", " target (at most)")) else ""
        if target in OBJECTIVES:
            o = OBJECTIVES[target]
            if name.endswith("(at least)"):
                return (f"the most any plan can reach for {o.label} is {_money(-least, unit)}{under}; "
                        f"the target asks at least {_money(-rhs, unit)} (short by {_money(least - rhs, unit)})")
            return (f"the least any plan can reach for {o.label} is {_money(least, unit)}{under}; "
                    f"the target asks at most {_money(rhs, unit)} (over by {_money(least - rhs, unit)})")
        if name.startswith("min "):
            return (f"{name} cannot reach {-rhs:,.1f} ha: at most {-least:,.1f} ha of the site can carry it"
                    f"{under}; short by {least - rhs:,.1f} ha")
        return (f"{name} cannot stay within {rhs:,.1f} {unit}: at least {least:,.1f} {unit} are forced{under}; "
                f"over by {least - rhs:,.1f} {unit}")


def _scale(v: np.ndarray) -> float:
    """A power of ten near the largest |coefficient|, so scaled rows have coefficients ≤ ~10."""
    m = float(np.max(np.abs(v))) if len(v) else 0.0
    if not np.isfinite(m) or m == 0.0:
        return 1.0
    return float(10.0 ** np.floor(np.log10(m)))
