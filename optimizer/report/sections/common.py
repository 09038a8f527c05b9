"""Helpers shared by the report's sections: figures by id, values with units, gaps, status words."""

from __future__ import annotations

import math

from ...i18n import N_
from .. import style
from ..html import figure

STATUS_WORDS = {
    "optimal": N_("proven optimal within the certified gap"),
    "feasible": N_("feasible, but not proven optimal: the certified gap is larger than requested"),
    "time_limit": N_("NOT proven optimal: the solver stopped at its time limit"),
    "infeasible": N_("infeasible: no plan meets the constraints"),
    "error": N_("the solver failed"),
}


def _fig(figs, key, caption, cls=""):
    if key not in figs:
        return ""
    svg, files = figs[key]
    return figure(svg, caption, key, files, cls)


def _v(v, unit):
    return style.fmt_value(v, unit)


def _pct(x):
    return "–" if x is None or not math.isfinite(x) else f"{100 * x:.2g} %"


def _gap(g):
    return "–" if g is None else f"{g:.1e}"


def _finite(v):
    return float(v) if v is not None and math.isfinite(float(v)) else None


def _setting_value(v) -> str:
    if isinstance(v, list):
        return ", ".join(map(str, v))
    if isinstance(v, float):
        return f"{v:,.0f}" if v.is_integer() and abs(v) >= 1000 else f"{v:.4g}"
    return str(v)


def _short(text: str, limit: int = 180) -> str:
    text = str(text or "")
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"
