"""Names, colours and number formats shared by the figures, the HTML report and the terminal.

Plain data: no plotting here, so the HTML (colours of the interactive map) and matplotlib (the
print figures) use the same palette.
"""

from __future__ import annotations

import math

from ..catalog.palette import (  # noqa: F401  (re-exported: the report's names)
    CATEGORY_COLORS,
    CATEGORY_LABELS,
    EXTRA_COLORS,
    WORKS_GROUPS,
    category_color,
    plan_category,
    works_symbol,
)
from ..i18n import _

ZONE_TYPE_LABELS = {
    "platform": "Platform (dump bench or top)",
    "slope": "Slope face",
    "waste_heap": "Coal-gangue heap",
    "pit_floor": "Pit floor",
    "subsidence_pool": "Subsidence pool",
}
ZONE_TYPE_COLORS = {
    "platform": "#d9c48f",
    "slope": "#b07d4f",
    "waste_heap": "#4d4d4d",
    "pit_floor": "#8f9bb3",
    "subsidence_pool": "#5b9bd5",
}

#: SL 190-2007 water erosion grades [B] (see optimizer.models.erosion.EROSION_GRADES).
GRADE_LABELS = {
    "none": "Within tolerance",
    "slight": "Slight",
    "moderate": "Moderate",
    "intense": "Intense",
    "very intense": "Very intense",
    "severe": "Severe",
}
GRADE_COLORS = {
    "none": "#1a9850",
    "slight": "#a6d96a",
    "moderate": "#fee08b",
    "intense": "#fdae61",
    "very intense": "#f46d43",
    "severe": "#a50026",
}

POOL_LABELS = {
    "biomass_tco2e": "Biomass",
    "soc_tco2e": "Soil organic carbon",
    "biochar_tco2e": "Biochar",
    "wetland_tco2e": "Wetland burial less methane",
    "erosion_tco2e": "Carbon carried off by erosion",
    "project_emissions_tco2e": "Project emissions (fuel, lime, fertiliser)",
}
POOL_COLORS = {
    "biomass_tco2e": "#1b7837",
    "soc_tco2e": "#8c510a",
    "biochar_tco2e": "#404040",
    "wetland_tco2e": "#4393c3",
    "erosion_tco2e": "#f4a582",
    "project_emissions_tco2e": "#b2182b",
}

OBJECTIVE_LABELS = {
    "removals": ("Net removals", "t CO2e"),
    "credit_value": ("Credit value (NPV)", "CNY"),
    "credits": ("Credits", "t CO2e"),
    "avoided": ("Avoided emissions", "t CO2e"),
    "cost": ("Cost (NPV)", "CNY"),
    "capex": ("Capital cost", "CNY"),
    "soil_loss": ("Soil loss", "t/yr"),
}

PLAN_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")
BASELINE_COLOR = "#7f7f7f"


def label(key: str, labels: dict) -> str:
    """The label of ``key`` in the current language (:mod:`optimizer.i18n`)."""
    return _(labels.get(key) or key.replace("_", " ").capitalize()) if key else _("(none)")


def lower_first(text: str) -> str:
    """"Cost (NPV)" → "cost (NPV)": lower-case the first letter only; a first word that is an
    acronym or a code ("SL 190-2007 grade", "CCER credits", "PV") stays as it is."""
    first = text.split(" ", 1)[0]
    if len(first) > 1 and (first[1].isupper() or any(ch.isdigit() for ch in first)):
        return text
    return text[:1].lower() + text[1:]


def fmt_number(v, digits: int = 3) -> str:
    """A number for people: thousands separators, about ``digits`` significant figures."""
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "–"
    v = float(v) + 0.0   # -0.0 → 0.0: never print "-0"
    a = abs(v)
    if a >= 10 ** digits or a == 0 or v.is_integer():
        return f"{v:,.0f}"
    decimals = max(0, digits - 1 - int(math.floor(math.log10(a))))
    return f"{v:,.{decimals}f}"


def fmt_value(v, unit: str) -> str:
    """A value with its unit; money in CNY shown as ¥ with k/M where that reads better."""
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "–"
    v = float(v)
    if unit == "CNY":
        sign, a = ("−" if v < 0 else ""), abs(v)
        if a >= 1e6:
            return f"{sign}¥{a / 1e6:,.2f} M"
        if a >= 1e4:
            return f"{sign}¥{a / 1e3:,.0f} k"
        return f"{sign}¥{a:,.0f}"
    if unit == "zones":
        return f"{v:,.0f} zones"
    return f"{fmt_number(v)} {unit}".strip().replace("-", "−", 1) if v < 0 else f"{fmt_number(v)} {unit}".strip()


def fmt_delta(v, unit: str) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "–"
    s = fmt_value(v, unit)
    return s if float(v) <= 0 else "+" + s
