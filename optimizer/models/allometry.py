"""Tree height and diameter → biomass carbon per ha, by the catalog's allometry (docs/science.md §9).

``allometry.csv`` gives, per vegetation type, an equation for the above-ground dry biomass of one
tree [kg] and the conversions to carbon of the whole stand:

- ``jenkins2003``: AGB = exp(a + b ln dbh), dbh [cm] (Jenkins et al. 2003, For. Sci. 49:12–35,
  Table 4);
- ``chave2014``:   AGB = a (ρ dbh² H)^b, ρ wood density [g/cm³], H height [m] (Chave et al. 2014,
  Global Change Biology 20:3177–3190, Eq. 4).

Biomass carbon [t C/ha] = stems_per_ha × AGB / 1000 × (1 + root:shoot) × carbon fraction: the
model's curves are of total (above- plus below-ground) biomass carbon (§2.1). The row's dbh and
height are those of the plot's mean tree (quadratic mean diameter, its height): the equation is
convex in dbh, so the stand's biomass from its mean tree is an underestimate when diameters vary
(by about half the squared coefficient of variation of dbh times b(b − 1)/2; a few % for a young
even-aged planting).
"""

from __future__ import annotations

import numpy as np

KG_PER_T = 1000.0


def aboveground_biomass_kg(form, a, b, dbh_cm, height_m=np.nan, wood_density_g_per_cm3=np.nan) -> np.ndarray:
    """Above-ground dry biomass of one tree [kg] by the catalog's ``form`` (module docstring);
    NaN where the form needs a value that is missing (height or wood density for ``chave2014``)."""
    form = np.asarray(form, dtype=str)
    a, b, d = (np.asarray(x, dtype=float) for x in (a, b, dbh_cm))
    h, rho = np.asarray(height_m, dtype=float), np.asarray(wood_density_g_per_cm3, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        jenkins = np.exp(a + b * np.log(d))
        chave = a * (rho * d ** 2 * h) ** b
    return np.where(form == "jenkins2003", jenkins, np.where(form == "chave2014", chave, np.nan))


def biomass_c_t_per_ha(agb_kg_per_tree, stems_per_ha, root_shoot, carbon_fraction) -> np.ndarray:
    """Stand biomass carbon [t C/ha], above- and below-ground, from the mean tree's AGB [kg]."""
    return (np.asarray(stems_per_ha, dtype=float) * np.asarray(agb_kg_per_tree, dtype=float) / KG_PER_T
            * (1.0 + np.asarray(root_shoot, dtype=float)) * np.asarray(carbon_fraction, dtype=float))


def needs(form: str) -> tuple[str, ...]:
    """The tree columns a form needs (besides ``stems_per_ha``)."""
    return ("dbh_cm", "height_m") if form == "chave2014" else ("dbh_cm",)
